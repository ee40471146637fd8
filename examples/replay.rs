//! The scenario runner: reads JSON Lines (a file, or standard input for `-` or no
//! argument), answers each line as the cloud would, one JSON line each on standard output.
//!
//! ```text
//! cargo run --example replay -- examples/scenarios/01_copy_queue.jsonl
//! cargo run --example replay -- --events events.jsonl --timeline scenario.jsonl
//! ```
//! The format is documented in `machine_image::replay`. Exit code 0 when the input was read
//! to the end (whatever the calls answered), 2 for bad arguments, 1 when the input can't be read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};

use machine_image::replay::{Runner, is_skipped};

struct Args {
    input: Option<String>,
    events: Option<String>,
    timeline: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        input: None,
        events: None,
        timeline: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--events" => args.events = Some(it.next().ok_or("--events needs a file name")?),
            "--timeline" => args.timeline = true,
            "-h" | "--help" => {
                return Err(
                    "usage: replay [--events FILE] [--timeline] [SCENARIO.jsonl | -]".into(),
                );
            }
            _ if args.input.is_none() => args.input = Some(a),
            _ => return Err(format!("unexpected argument {a:?}")),
        }
    }
    Ok(args)
}

fn run(args: &Args) -> io::Result<()> {
    let reader: Box<dyn Read> = match args.input.as_deref() {
        None | Some("-") => Box::new(io::stdin().lock()),
        Some(path) => Box::new(File::open(path)?),
    };
    let mut reader = BufReader::new(reader);
    let mut out = BufWriter::new(io::stdout().lock());
    let mut runner = Runner::new();
    runner.record_events(args.events.is_some());
    let mut buf = Vec::new();
    let mut answer = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        if is_skipped(&buf) {
            continue;
        }
        answer.clear();
        runner.answer_into(line_no, &buf, &mut answer);
        answer.push(b'\n');
        out.write_all(&answer)?;
    }
    out.flush()?;
    if let Some(path) = &args.events {
        let mut w = BufWriter::new(File::create(path)?);
        for e in runner.events() {
            serde_json::to_writer(&mut w, e)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    if args.timeline {
        eprint!("{}", runner.timeline());
    }
    // The process ends here: leave the world to the operating system rather than free it
    // piece by piece (a measurable share of a long run).
    std::mem::forget(runner);
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("replay: {e}");
        std::process::exit(1);
    }
}
