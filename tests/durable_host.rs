//! The durable host (`examples/durable_host.rs`): killed with SIGKILL at random instants and
//! restarted, it must end with the answers `examples/replay` prints and the state of a run
//! never interrupted; and it must refuse, without changing it, a database it can't trust.
//!
//! The example is built by the test (`cargo build --example durable_host`, same profile
//! and features as the test, so it reuses the test's build) and run as a child process.
//! `cargo test --test durable_host -- --nocapture` prints the figures.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use machine_image::copy::TaskState;
use machine_image::engine::ImageService;
use machine_image::replay::{Runner, is_skipped};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// The example binary, built once per test process.
fn host() -> &'static Path {
    static HOST: OnceLock<PathBuf> = OnceLock::new();
    HOST.get_or_init(|| {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--example",
            "durable_host",
            "--message-format=json-render-diagnostics",
        ]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        if cfg!(feature = "proptest") {
            cmd.arg("--all-features");
        }
        let out = cmd
            .stderr(Stdio::inherit())
            .output()
            .expect("run cargo build");
        assert!(
            out.status.success(),
            "cargo build --example durable_host failed"
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "durable_host")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo build names the durable_host executable")
    })
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("durable_host")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// splitmix64: a small seeded generator, so every run makes the same choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len() as u64) as usize])
    }
}

/// A scenario and what an uninterrupted run gives for it.
struct Scenario {
    text: String,
    /// The answers, as `examples/replay` prints them.
    expected: String,
    /// The final service, serialised with `serde_json` (as `--state-out` writes it).
    state: String,
    /// Lines answered (the file's other lines are comments and blanks).
    answered: usize,
    /// Live copies (queued or running) after each answered line, by answer count.
    in_flight: Vec<usize>,
}

const A: &str = "1111111111111111";
const B: &str = "2222222222222222";
const C: &str = "3333333333333333";
const REGIONS: [&str; 6] = [
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-qingdao",
    "cn-zhangjiakou",
    "ap-southeast-1",
];

/// Writes a scenario of at least `min_answered` answered lines, answering each line with
/// an in-process `Runner` as it goes (the generator picks later lines' targets, such as the
/// images copies made, from earlier answers): fixtures, copies across regions (queued per
/// destination, 10 to 30 minutes each, so work is in flight most of the time), client-token
/// retries, cancels, deletes, host failure reports, shares, copies of shared images,
/// describes, exports with their cancels and failures, malformed lines, comments, and an
/// 8-day pause that lets retention forget finished work.
fn scenario(seed: u64, min_answered: usize) -> Scenario {
    let mut rng = Rng(seed);
    let mut runner = Runner::new();
    runner.record_events(true);
    let mut s = Scenario {
        text: String::new(),
        expected: String::new(),
        state: String::new(),
        answered: 0,
        in_flight: Vec::new(),
    };
    let mut line_no = 0u64;
    let mut push = |s: &mut Scenario, runner: &mut Runner, line: String| -> serde_json::Value {
        line_no += 1;
        s.text.push_str(&line);
        s.text.push('\n');
        if is_skipped(&line) {
            return serde_json::Value::Null;
        }
        let text = runner.answer(line_no, &line).into_json();
        runner.drain_events();
        s.expected.push_str(&text);
        s.expected.push('\n');
        s.answered += 1;
        let state = runner.simulator().service().state();
        s.in_flight.push(
            state
                .tasks()
                .filter(|t| matches!(t.state(), TaskState::Queued | TaskState::Running))
                .count(),
        );
        serde_json::from_str(&text).unwrap()
    };

    let t0 = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let mut now = t0;
    let at = |now: chrono::DateTime<chrono::Utc>| now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    push(
        &mut s,
        &mut runner,
        r#"{"Action":"Configure","Provider":"alibaba","QueueScope":"destination"}"#.into(),
    );
    let t = at(now);
    for (id, extra) in [
        (A, r#","CrossBorderAllowed":true,"ExportEnabled":true"#),
        (B, ""),
        (C, ""),
    ] {
        push(
            &mut s,
            &mut runner,
            format!(
                r#"{{"at":"{t}","Action":"SetAccount","AccountId":"{id}","ImageQuota":100000,"SnapshotQuota":100000{extra}}}"#
            ),
        );
    }
    let mut sources = Vec::new();
    for (i, size) in [20, 60, 200, 500].into_iter().enumerate() {
        push(
            &mut s,
            &mut runner,
            format!(
                r#"{{"at":"{t}","Action":"SeedSnapshot","RegionId":"cn-hangzhou","SnapshotId":"s-src{i:07}","OwnerId":"{A}","CreationTime":"2025-06-01T00:00:00Z","SizeGiB":{size}}}"#
            ),
        );
        let image = format!("m-src{i:07}");
        push(
            &mut s,
            &mut runner,
            format!(
                r#"{{"at":"{t}","Action":"SeedImage","RegionId":"cn-hangzhou","ImageId":"{image}","ImageName":"base-{i}","OwnerId":"{A}","SnapshotIds":["s-src{i:07}"]}}"#
            ),
        );
        sources.push(image);
    }
    push(
        &mut s,
        &mut runner,
        format!(
            r#"{{"at":"{t}","Action":"SetBucket","BucketName":"a-exports","RegionId":"cn-hangzhou","OwnerId":"{A}"}}"#
        ),
    );

    let mut copies: Vec<(String, String)> = Vec::new(); // (image, region)
    let mut tokens: Vec<String> = Vec::new();
    let mut exports = 0u64;
    let mut n = 0u64;
    let mut paused = false;
    while s.answered < min_answered {
        n += 1;
        now += chrono::Duration::seconds(rng.below(91) as i64);
        if !paused && s.answered >= min_answered * 3 / 5 {
            paused = true;
            now += chrono::Duration::days(8);
            push(&mut s, &mut runner, "# eight days later".into());
        }
        let t = at(now);
        let head = |caller: &str, region: &str| {
            format!(r#"{{"at":"{t}","CallerId":"{caller}","RegionId":"{region}""#)
        };
        let roll = rng.below(100);
        let line = match roll {
            0..=21 => {
                let src = rng.pick(&sources).unwrap();
                let dest = rng.pick(&REGIONS).unwrap();
                let name = if rng.below(10) < 7 {
                    format!(r#","DestinationImageName":"copy-{n}""#)
                } else {
                    String::new()
                };
                let token = match rng.below(10) {
                    0 => {
                        tokens.push(format!("tok-{n}"));
                        format!(r#","ClientToken":"tok-{n}""#)
                    }
                    1 => rng
                        .pick(&tokens)
                        .map(|t| format!(r#","ClientToken":"{t}""#))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let line = format!(
                    r#"{},"Action":"CopyImage","ImageId":"{src}","DestinationRegionId":"{dest}"{name}{token}}}"#,
                    head(A, "cn-hangzhou")
                );
                let answer = push(&mut s, &mut runner, line);
                if let Some(image) = answer["ImageId"].as_str() {
                    copies.push((image.to_string(), dest.to_string()));
                }
                continue;
            }
            22..=33 => {
                let region = rng.pick(&REGIONS).unwrap();
                let caller = if rng.below(4) == 0 { B } else { A };
                match rng.below(3) {
                    0 => format!(r#"{},"Action":"DescribeImages"}}"#, head(caller, region)),
                    1 => format!(
                        r#"{},"Action":"DescribeImages","Status":"Creating,Waiting"}}"#,
                        head(caller, region)
                    ),
                    _ => match rng.pick(&copies) {
                        Some((image, region)) => format!(
                            r#"{},"Action":"DescribeImages","ImageId":"{image}"}}"#,
                            head(caller, region)
                        ),
                        None => {
                            format!(r#"{},"Action":"DescribeImages"}}"#, head(A, "cn-hangzhou"))
                        }
                    },
                }
            }
            34..=53 => {
                let Some((image, region)) = rng.pick(&copies).cloned() else {
                    continue;
                };
                match roll {
                    34..=40 => format!(
                        r#"{},"Action":"CancelCopyImage","ImageId":"{image}"}}"#,
                        head(A, &region)
                    ),
                    41..=46 => format!(
                        r#"{},"Action":"DeleteImage","ImageId":"{image}"}}"#,
                        head(A, &region)
                    ),
                    47..=49 => format!(
                        r#"{{"at":"{t}","Action":"CopyFailed","RegionId":"{region}","ImageId":"{image}","Reason":"disk read error {n}"}}"#
                    ),
                    _ => format!(
                        r#"{},"Action":"ModifyImageSharePermission","ImageId":"{image}","AddAccount":["{C}"]}}"#,
                        head(A, &region)
                    ),
                }
            }
            54..=61 => {
                let src = rng.pick(&sources).unwrap();
                let who = if rng.below(2) == 0 { B } else { C };
                if rng.below(3) == 0 {
                    format!(
                        r#"{},"Action":"ModifyImageSharePermission","ImageId":"{src}","RemoveAccount":["{who}"]}}"#,
                        head(A, "cn-hangzhou")
                    )
                } else {
                    format!(
                        r#"{},"Action":"ModifyImageSharePermission","ImageId":"{src}","AddAccount":["{who}"]}}"#,
                        head(A, "cn-hangzhou")
                    )
                }
            }
            62..=67 => {
                let src = rng.pick(&sources).unwrap();
                let who = if rng.below(2) == 0 { B } else { C };
                format!(
                    r#"{},"Action":"CopyImage","ImageId":"{src}","DestinationRegionId":"cn-hangzhou","DestinationImageName":"mine-{n}"}}"#,
                    head(who, "cn-hangzhou")
                )
            }
            68..=74 => {
                let src = rng.pick(&sources).unwrap();
                format!(
                    r#"{},"Action":"ExportImage","ImageId":"{src}","OSSBucket":"a-exports","OSSPrefix":"x{n}"}}"#,
                    head(A, "cn-hangzhou")
                )
            }
            75..=78 => format!(r#"{},"Action":"DescribeTasks"}}"#, head(A, "cn-hangzhou")),
            79..=81 => {
                exports += 1;
                let task = 1 + rng.below(exports);
                if rng.below(2) == 0 {
                    format!(
                        r#"{},"Action":"CancelTask","TaskId":"t-{task:08}"}}"#,
                        head(A, "cn-hangzhou")
                    )
                } else {
                    format!(
                        r#"{{"at":"{t}","Action":"ExportFailed","TaskId":"t-{task:08}","Reason":"bucket full"}}"#
                    )
                }
            }
            82..=83 => match rng.below(3) {
                0 => format!(r#"{},"Action":"CopyImage"#, head(A, "cn-hangzhou")),
                1 => format!(r#"{},"Action":"NoSuchAction"}}"#, head(A, "cn-hangzhou")),
                _ => format!(r#"{},"Action":"DeleteImage"}}"#, head(A, "cn-hangzhou")),
            },
            84..=86 => {
                if rng.below(2) == 0 {
                    format!("# step {n}")
                } else {
                    String::new()
                }
            }
            _ => format!(
                r#"{},"Action":"DescribeImages","ImageOwnerAlias":"self"}}"#,
                head(A, "cn-hangzhou")
            ),
        };
        push(&mut s, &mut runner, line);
    }
    s.state = serde_json::to_string(runner.simulator().service()).unwrap();
    s
}

fn start(args: &[&Path]) -> Child {
    let mut cmd = Command::new(host());
    for a in args {
        cmd.arg(a);
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start durable_host")
}

fn run_host(dir: &Path, db: &str, out: &str, every: u64, state: &str, scenario: &str) -> Output {
    Command::new(host())
        .arg("--db")
        .arg(dir.join(db))
        .arg("--out")
        .arg(dir.join(out))
        .arg("--snapshot-every")
        .arg(every.to_string())
        .arg("--state-out")
        .arg(dir.join(state))
        .arg(dir.join(scenario))
        .output()
        .expect("run durable_host")
}

#[test]
fn killed_at_random_instants_it_loses_and_repeats_nothing() {
    const SEED: u64 = 20_261_129;
    const EVERY: u64 = 150;
    let begun = Instant::now();
    let sc = scenario(SEED, 2_000);
    let lines = sc.text.lines().count();
    let dir = scratch("kills");
    std::fs::write(dir.join("scenario.jsonl"), &sc.text).unwrap();
    host();

    // The uninterrupted run: the reference for time, output and state.
    let t = Instant::now();
    let o = run_host(
        &dir,
        "calm.db",
        "calm.out",
        EVERY,
        "calm.state",
        "scenario.jsonl",
    );
    let calm = t.elapsed();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(dir.join("calm.out")).unwrap() == sc.expected);
    assert!(std::fs::read_to_string(dir.join("calm.state")).unwrap() == sc.state);
    let records = {
        let db = Connection::open(dir.join("calm.db")).unwrap();
        db.query_row("SELECT seq FROM snapshots", [], |r| r.get::<_, u64>(0))
            .unwrap()
    };

    // The same run, killed again and again.
    let mut rng = Rng(SEED);
    let (db, out, state) = (dir.join("k.db"), dir.join("k.out"), dir.join("k.state"));
    let scenario_path = dir.join("scenario.jsonl");
    let every = EVERY.to_string();
    let args: Vec<&Path> = vec![
        Path::new("--db"),
        &db,
        Path::new("--out"),
        &out,
        Path::new("--snapshot-every"),
        Path::new(&every),
        Path::new("--state-out"),
        &state,
        &scenario_path,
    ];
    // Each kill lands at a seeded random instant: most once the file has grown by a random
    // amount (up to a twentieth of the whole output, so some forty kills land while the
    // host answers, however fast the machine), then up to 2 ms more; every fifth within
    // 3 ms of the start, during the restore.
    let total = sc.expected.len() as u64;
    let (mut kills, mut starts, mut torn) = (0, 0, 0);
    let mut at_kill: Vec<usize> = Vec::new(); // answers in the file when killed
    loop {
        starts += 1;
        assert!(starts < 500, "no progress after {starts} starts");
        let before = std::fs::metadata(&out).map_or(0, |m| m.len());
        let mut child = start(&args);
        let early = starts % 5 == 0;
        if !early {
            let target = before + 1 + rng.below(total / 20);
            let deadline = Instant::now() + Duration::from_secs(120);
            while std::fs::metadata(&out).map_or(0, |m| m.len()) < target
                && child.try_wait().unwrap().is_none()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_micros(500));
            }
        }
        let delay = if early {
            rng.below(3_000)
        } else {
            rng.below(2_000)
        };
        std::thread::sleep(Duration::from_micros(delay));
        if child.try_wait().unwrap().is_some() {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            break;
        }
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if status.code().is_some() {
            // It finished between the check and the kill.
            assert!(status.success());
            break;
        }
        kills += 1;
        let text = std::fs::read(&out).unwrap_or_default();
        at_kill.push(text.iter().filter(|b| **b == b'\n').count());
        // Every fourth kill also tears the file's end, as a write cut short would (the
        // committed answers it loses must come back, once).
        if kills % 4 == 0 && !text.is_empty() {
            let cut = 1 + rng.below(300.min(text.len() as u64));
            std::fs::write(&out, &text[..text.len() - cut as usize]).unwrap();
            torn += 1;
        }
    }
    let got = std::fs::read_to_string(&out).unwrap();
    assert!(
        got == sc.expected,
        "the answers differ from examples/replay's"
    );
    assert!(
        std::fs::read_to_string(&state).unwrap() == sc.state,
        "the final state differs from the uninterrupted run's"
    );
    let mid_run = at_kill
        .iter()
        .filter(|n| **n > 0 && **n < sc.answered)
        .count();
    let busy = at_kill
        .iter()
        .filter(|n| **n > 0 && sc.in_flight[**n - 1] > 0)
        .count();
    let mut distinct = at_kill.clone();
    distinct.sort();
    distinct.dedup();
    println!(
        "durable_host: {lines} lines ({} answered), {records} event records, a snapshot every \
         {EVERY} (so {} snapshots); uninterrupted run {:.2} s; {kills} SIGKILLs survived over \
         {starts} starts ({mid_run} mid-run, at {} distinct points, {busy} with copies in \
         flight; {torn} with the file's end torn as well): the answers equal examples/replay's \
         byte for byte (none lost, none twice) and the final state the uninterrupted run's; \
         test time {:.1} s",
        sc.answered,
        records / EVERY,
        calm.as_secs_f64(),
        distinct.len(),
        begun.elapsed().as_secs_f64(),
    );
    assert!(kills >= 20, "only {kills} kills landed");
    assert!(mid_run >= 15, "only {mid_run} kills landed mid-run");
    assert!(busy >= 10, "only {busy} kills landed with copies in flight");
    assert!(records / EVERY >= 5, "only {} snapshots", records / EVERY);
}

// --- The runner's resume API, in process -------------------------------------------------

/// Answers `text` with one runner, or, when `restart` is `Some((j, k))`, with a runner
/// whose engine is serialised before line index `j` and which is rebuilt before line index
/// `k` (`j <= k`) from that snapshot and the records since (`ImageService::replay`) with
/// `Runner::resume`. Returns the answers and the final serialised service.
fn answer_all(text: &str, restart: Option<(usize, usize)>) -> (String, String) {
    let mut runner = Runner::new();
    runner.record_events(true);
    let (mut out, mut snapshot, mut records) = (String::new(), None, Vec::new());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some((j, k)) = restart {
            if i == j {
                snapshot = Some(serde_json::to_string(runner.simulator().service()).unwrap());
                records.clear();
            }
            if i == k {
                let service: ImageService =
                    serde_json::from_str(snapshot.as_deref().unwrap()).unwrap();
                let service = service.replay(&records).unwrap();
                runner = Runner::resume(service, runner.checkpoint());
            }
        }
        if is_skipped(line) {
            continue;
        }
        out.push_str(runner.answer(i as u64 + 1, line).json());
        out.push('\n');
        records.extend(runner.drain_events());
    }
    let state = serde_json::to_string(runner.simulator().service()).unwrap();
    (out, state)
}

#[test]
fn a_runner_resumed_at_any_line_answers_as_if_it_never_stopped() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut restarts = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        let (out, state) = answer_all(&text, None);
        assert_eq!(out, expected, "{}", path.display());
        let lines = text.split_inclusive('\n').count();
        // A `Configure` line replaces the engine and leaves no record (records start with
        // the first state change), so a snapshot taken before the first line answered can
        // only be resumed before it: the durable host snapshots with the first line.
        let first = text
            .split_inclusive('\n')
            .position(|l| !is_skipped(l))
            .map_or(lines, |i| i + 1);
        for k in 0..=lines {
            let mut points = if k < first {
                vec![k]
            } else {
                vec![first, first.max(k / 2), k]
            };
            points.dedup();
            for j in points {
                let again = answer_all(&text, Some((j, k)));
                assert!(
                    again == (out.clone(), state.clone()),
                    "{}: snapshot before line {}, resumed before line {}",
                    path.display(),
                    j + 1,
                    k + 1
                );
                restarts += 1;
            }
        }
    }
    println!(
        "{} scenarios, {restarts} resumed runs, all equal",
        files.len()
    );
}

// --- Refusals -----------------------------------------------------------------------------

/// The checksum the host stores with each row (see `examples/durable_host.rs`): SHA-256 of
/// the parts, each preceded by its length.
fn checksum(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every row of every table, for comparing a database before and after.
fn rows(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut all = Vec::new();
    for (table, order) in [
        ("meta", "key"),
        ("records", "seq"),
        ("answers", "line"),
        ("snapshots", "seq"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .unwrap();
        let columns = stmt.column_count();
        let mut q = stmt.query([]).unwrap();
        while let Some(row) = q.next().unwrap() {
            let cells: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            all.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    all
}

/// A finished run's database, tampered with by `tamper`, must stop the host with status 3
/// and a message containing `expect`, and be left as it was.
fn refused(dir: &Path, case: &str, scenario: &str, tamper: impl FnOnce(&Connection), expect: &str) {
    let db = dir.join(format!("{case}.db"));
    std::fs::copy(dir.join("base.db"), &db).unwrap();
    std::fs::copy(dir.join("base.out"), dir.join(format!("{case}.out"))).unwrap();
    {
        let conn = Connection::open(&db).unwrap();
        tamper(&conn);
    }
    let bytes = std::fs::read(&db).unwrap();
    let before = rows(&db);
    let o = run_host(
        dir,
        &format!("{case}.db"),
        &format!("{case}.out"),
        20,
        &format!("{case}.state"),
        scenario,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{case}: exit {:?}: {}", o.status.code(), stderr.trim());
    assert_eq!(o.status.code(), Some(3), "{case}: {stderr}");
    assert!(
        stderr.contains(expect),
        "{case}: {stderr:?} lacks {expect:?}"
    );
    assert!(
        std::fs::read(&db).unwrap() == bytes,
        "{case}: the file changed"
    );
    assert_eq!(rows(&db), before, "{case}: the rows changed");
    assert!(!dir.join(format!("{case}.state")).exists());
}

fn one(conn: &Connection, sql: &str) -> u64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_database_it_cannot_trust_stops_it_unchanged() {
    let sc = scenario(7, 300);
    let dir = scratch("refusals");
    std::fs::write(dir.join("scenario.jsonl"), &sc.text).unwrap();
    let o = run_host(
        &dir,
        "base.db",
        "base.out",
        20,
        "base.state",
        "scenario.jsonl",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(dir.join("base.out")).unwrap() == sc.expected);
    // The cases below need records after the snapshot.
    let conn = Connection::open(dir.join("base.db")).unwrap();
    let (first, last) = (
        one(&conn, "SELECT min(seq) FROM records"),
        one(&conn, "SELECT max(seq) FROM records"),
    );
    let snapshot = one(&conn, "SELECT seq FROM snapshots");
    assert!(last >= first + 3 && first == snapshot, "{first}..{last}");
    drop(conn);
    let mid = (first + last) / 2;

    refused(
        &dir,
        "truncated_record",
        "scenario.jsonl",
        |c| {
            c.execute(
                "UPDATE records SET body = substr(body, 1, length(body) - 9) WHERE seq = ?1",
                [mid],
            )
            .unwrap();
        },
        &format!("record {mid} fails its checksum"),
    );
    refused(
        &dir,
        "edited_record",
        "scenario.jsonl",
        |c| {
            c.execute(
                "UPDATE records SET body = replace(body, '\"at\":\"2026-', '\"at\":\"2025-') \
                 WHERE seq = ?1",
                [mid],
            )
            .unwrap();
        },
        &format!("record {mid} fails its checksum"),
    );
    refused(
        &dir,
        "edited_snapshot",
        "scenario.jsonl",
        |c| {
            c.execute(
                "UPDATE snapshots SET service = replace(service, '\"image_quota\":100000', \
                 '\"image_quota\":100001')",
                [],
            )
            .unwrap();
        },
        &format!("the snapshot at record {snapshot} fails its checksum"),
    );
    // A snapshot edited with its checksum made again (a host bug, say) still has to pass
    // deserialisation, which checks every invariant: a quota below the account's usage.
    refused(
        &dir,
        "snapshot_breaking_an_invariant",
        "scenario.jsonl",
        |c| {
            let (seq, line, service, runner): (u64, u64, String, String) = c
                .query_row(
                    "SELECT seq, line, service, runner FROM snapshots",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .unwrap();
            let bad = service.replacen("\"image_quota\":100000", "\"image_quota\":0", 1);
            assert_ne!(bad, service);
            let sum = checksum(&[
                b"snapshot",
                &seq.to_le_bytes(),
                &line.to_le_bytes(),
                bad.as_bytes(),
                runner.as_bytes(),
            ]);
            c.execute(
                "UPDATE snapshots SET service = ?1, sha256 = ?2",
                rusqlite::params![bad, sum],
            )
            .unwrap();
        },
        &format!("the snapshot at record {snapshot} is refused: state refused"),
    );
    // The same scenario with one more line is another scenario.
    std::fs::write(
        dir.join("other.jsonl"),
        format!("{}# one more line\n", sc.text),
    )
    .unwrap();
    refused(
        &dir,
        "another_scenario",
        "other.jsonl",
        |_| {},
        "the database was written for another scenario",
    );
    refused(
        &dir,
        "gap",
        "scenario.jsonl",
        |c| {
            c.execute("DELETE FROM records WHERE seq = ?1", [mid])
                .unwrap();
        },
        &format!(
            "the records do not replay: record {}: records {mid} to {mid} are missing",
            mid + 1
        ),
    );
    refused(
        &dir,
        "lost_tail",
        "scenario.jsonl",
        |c| {
            c.execute("DELETE FROM records WHERE seq = ?1", [last])
                .unwrap();
        },
        "records are missing at the end",
    );
    // A record written again under a number already taken (what a second writer would do),
    // with a valid checksum: the replay refuses the repeat.
    refused(
        &dir,
        "repeat",
        "scenario.jsonl",
        |c| {
            let body: String = c
                .query_row("SELECT body FROM records WHERE seq = ?1", [first], |r| {
                    r.get(0)
                })
                .unwrap();
            let seq = first - 1;
            let body = body.replacen(&format!("\"seq\":{first},"), &format!("\"seq\":{seq},"), 1);
            let sum = checksum(&[b"record", &seq.to_le_bytes(), body.as_bytes()]);
            c.execute(
                "INSERT INTO records (seq, body, sha256) VALUES (?1, ?2, ?3)",
                rusqlite::params![seq, body, sum],
            )
            .unwrap();
        },
        &format!("record {}: repeated", first - 1),
    );
    refused(
        &dir,
        "edited_answer",
        "scenario.jsonl",
        |c| {
            c.execute(
                "UPDATE answers SET answer = replace(answer, 'RequestId', 'RequestID') \
                 WHERE line = (SELECT max(line) FROM answers)",
                [],
            )
            .unwrap();
        },
        "fails its checksum",
    );
    refused(
        &dir,
        "lost_answer",
        "scenario.jsonl",
        |c| {
            c.execute(
                "DELETE FROM answers WHERE line = (SELECT min(line) FROM answers WHERE line > 20)",
                [],
            )
            .unwrap();
        },
        "is missing",
    );
}

#[test]
fn a_second_host_on_the_same_database_is_refused() {
    let sc = scenario(11, 2_000);
    let dir = scratch("second_host");
    std::fs::write(dir.join("scenario.jsonl"), &sc.text).unwrap();
    let (db, out) = (dir.join("x.db"), dir.join("x.out"));
    let scenario_path = dir.join("scenario.jsonl");
    let mut first = start(&[
        Path::new("--db"),
        &db,
        Path::new("--out"),
        &out,
        &scenario_path,
    ]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::metadata(&out).map_or(0, |m| m.len()) == 0 {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first host stopped"
        );
        assert!(Instant::now() < deadline, "the first host wrote nothing");
        std::thread::sleep(Duration::from_millis(1));
    }
    let second = Command::new(host())
        .arg("--db")
        .arg(&db)
        .arg("--out")
        .arg(dir.join("y.out"))
        .arg(&scenario_path)
        .output()
        .unwrap();
    let still_running = first.try_wait().unwrap().is_none();
    first.kill().unwrap();
    first.wait().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        still_running,
        "the first host finished too soon for the test"
    );
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("in use by another host"), "{stderr}");
}
