//! The least JSON work a line of the `--world` scenarios costs through serde_json, without
//! the runner: split the input into lines, check each is UTF-8, read it straight into a
//! serde-derived struct of borrowed strings (every parameter those scenarios use, the rest
//! ignored), and write the answer's body with the crate's own response types (the same
//! bytes the runner writes, the copy's new id stood in by one of the same length). No
//! command is built, checked or carried out.
//!
//! Run through cachegrind on the same three files as `replay` (README, "Performance"), it
//! gives the floor under a line's instructions that the JSON layer alone sets:
//!
//! ```text
//! cargo build --release --example json_floor
//! valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
//!     target/release/examples/json_floor /tmp/copies.jsonl > /dev/null
//! ```
//! A `CopyImage` line is (copies − world) / 10,000, a fixture line (world − empty) / 20,000.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};

use machine_image::id::{ImageId, RequestId};
use machine_image::response::alibaba::{Acknowledged, CopyImageResponse};
use serde::Deserialize;

/// Every parameter of the `--world` scenarios' lines, borrowed from the line.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)] // read to be parsed, not used
struct Line<'a> {
    #[serde(rename = "at")]
    at: &'a str,
    action: &'a str,
    caller_id: Option<&'a str>,
    account_id: Option<&'a str>,
    image_quota: Option<u64>,
    snapshot_quota: Option<u64>,
    region_id: Option<&'a str>,
    snapshot_id: Option<&'a str>,
    owner_id: Option<&'a str>,
    creation_time: Option<&'a str>,
    image_id: Option<&'a str>,
    image_name: Option<&'a str>,
    #[serde(borrow)]
    snapshot_ids: Option<Vec<&'a str>>,
    destination_region_id: Option<&'a str>,
    destination_image_name: Option<&'a str>,
}

fn main() -> io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".to_owned());
    let reader: Box<dyn io::Read> = match path.as_str() {
        "-" => Box::new(io::stdin().lock()),
        path => Box::new(File::open(path)?),
    };
    let mut reader = BufReader::new(reader);
    let mut out = BufWriter::new(io::stdout().lock());
    // A stand-in for the engine's new id, as long as the ones it generates.
    let copy = ImageId::new("m-0000000000000000000a").map_err(io::Error::other)?;
    let (mut buf, mut answer, mut n) = (Vec::new(), Vec::new(), 0u64);
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        n += 1;
        let text = std::str::from_utf8(&buf).map_err(io::Error::other)?;
        let line: Line<'_> = serde_json::from_str(text.trim()).map_err(io::Error::other)?;
        let request = RequestId::from_sequence(n);
        answer.clear();
        if line.action == "CopyImage" {
            serde_json::to_writer(&mut answer, &CopyImageResponse::new(&request, &copy))?;
        } else {
            serde_json::to_writer(&mut answer, &Acknowledged::new(&request))?;
        }
        answer.push(b'\n');
        out.write_all(&answer)?;
    }
    out.flush()
}
