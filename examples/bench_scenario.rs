//! Writes the 100,000-line scenario used to measure the runner's throughput to standard
//! output: one account, one source image, then lines one second apart: half accepted
//! copies (six destination regions, a fresh name each), a quarter refused copies (to the
//! source's own region), a quarter `DescribeImages` of the source.
//!
//! ```text
//! cargo run --release --example bench_scenario > big.jsonl
//! cargo build --release --example replay
//! time target/release/examples/replay big.jsonl > /dev/null
//! ```
//! An optional argument sets the number of lines (default 100,000).
//!
//! `--world IMAGES COPIES` writes the scenario that measures the cost of one line instead:
//! an account, `IMAGES` seeded images (a `SeedSnapshot` and a `SeedImage` line each), then
//! `COPIES` accepted `CopyImage` lines, one second apart, each image copied in turn to the
//! six destinations. The instructions of one line are the difference between two runs
//! (README, "Performance"):
//!
//! ```text
//! cargo run --release --example bench_scenario -- --world 10000 10000 > /tmp/copies.jsonl
//! cargo run --release --example bench_scenario -- --world 10000 0 > /tmp/world.jsonl
//! cargo run --release --example bench_scenario -- --world 0 0 > /tmp/empty.jsonl
//! ```

use std::io::{self, BufWriter, Write};

use chrono::{Duration, TimeZone, Utc};

const CALLER: &str = "1234567890123456";
const DESTINATIONS: [&str; 6] = [
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-qingdao",
    "cn-zhangjiakou",
    "ap-southeast-1",
];

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--world") {
        let number = |i: usize| -> u64 {
            match args.get(i).map(|a| a.parse()) {
                Some(Ok(n)) => n,
                _ => {
                    eprintln!("usage: bench_scenario --world IMAGES COPIES");
                    std::process::exit(2);
                }
            }
        };
        return world(number(1), number(2));
    }
    let lines: u64 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("the number of lines: {e}");
            std::process::exit(2);
        }
    };
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut out = BufWriter::new(io::stdout().lock());
    let fixtures = [
        format!(
            r#"{{"at":"2026-01-01T00:00:00Z","Action":"SetAccount","AccountId":"{CALLER}","ImageQuota":1000000,"SnapshotQuota":1000000}}"#
        ),
        format!(
            r#"{{"at":"2026-01-01T00:00:00Z","Action":"SeedSnapshot","RegionId":"cn-hangzhou","SnapshotId":"s-sys000001","OwnerId":"{CALLER}","CreationTime":"2025-01-01T00:00:00Z"}}"#
        ),
        format!(
            r#"{{"at":"2026-01-01T00:00:00Z","Action":"SeedImage","RegionId":"cn-hangzhou","ImageId":"m-source0001","ImageName":"base","OwnerId":"{CALLER}","SnapshotIds":["s-sys000001"]}}"#
        ),
    ];
    for line in fixtures.iter().take(lines as usize) {
        writeln!(out, "{line}")?;
    }
    for i in 0..lines.saturating_sub(fixtures.len() as u64) {
        let at = (t0 + Duration::seconds(i as i64)).format("%Y-%m-%dT%H:%M:%SZ");
        let head = format!(r#"{{"at":"{at}","CallerId":"{CALLER}","RegionId":"cn-hangzhou""#);
        match i % 4 {
            0 | 1 => writeln!(
                out,
                r#"{head},"Action":"CopyImage","ImageId":"m-source0001","DestinationRegionId":"{}","DestinationImageName":"copy-{i}"}}"#,
                DESTINATIONS[(i % 6) as usize]
            )?,
            2 => writeln!(
                out,
                r#"{head},"Action":"DescribeImages","ImageId":"m-source0001"}}"#
            )?,
            _ => writeln!(
                out,
                r#"{head},"Action":"CopyImage","ImageId":"m-source0001","DestinationRegionId":"cn-hangzhou"}}"#
            )?,
        }
    }
    out.flush()
}

/// The per-line scenario: `images` seeded images, then `copies` accepted copies.
fn world(images: u64, copies: u64) -> io::Result<()> {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(
        out,
        r#"{{"at":"2026-01-01T00:00:00Z","Action":"SetAccount","AccountId":"{CALLER}","ImageQuota":10000000,"SnapshotQuota":10000000}}"#
    )?;
    for i in 0..images {
        writeln!(
            out,
            r#"{{"at":"2026-01-01T00:00:00Z","Action":"SeedSnapshot","RegionId":"cn-hangzhou","SnapshotId":"s-sys{i:06}","OwnerId":"{CALLER}","CreationTime":"2025-01-01T00:00:00Z"}}"#
        )?;
        writeln!(
            out,
            r#"{{"at":"2026-01-01T00:00:00Z","Action":"SeedImage","RegionId":"cn-hangzhou","ImageId":"m-img{i:06}","ImageName":"base-{i}","OwnerId":"{CALLER}","SnapshotIds":["s-sys{i:06}"]}}"#
        )?;
    }
    for i in 0..copies {
        let at = (t0 + Duration::seconds(i as i64 + 1)).format("%Y-%m-%dT%H:%M:%SZ");
        writeln!(
            out,
            r#"{{"at":"{at}","CallerId":"{CALLER}","RegionId":"cn-hangzhou","Action":"CopyImage","ImageId":"m-img{:06}","DestinationRegionId":"{}","DestinationImageName":"copy-{i}"}}"#,
            i % images.max(1),
            DESTINATIONS[(i % 6) as usize]
        )?;
    }
    out.flush()
}
