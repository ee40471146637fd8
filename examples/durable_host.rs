//! A durable reference host: the scenario runner of `examples/replay.rs`, with every line's
//! outcome committed to a SQLite database before its answer is written, so that a run
//! killed at any instant and started again with the same arguments goes on where it
//! stopped and ends with the same output and state as a run never interrupted.
//!
//! ```text
//! cargo run --release --example durable_host -- --db run.db --out answers.jsonl \
//!     [--snapshot-every N] [--state-out state.json] SCENARIO.jsonl
//! ```
//!
//! For each line of the scenario that is not skipped (blank, `#`), in one transaction: the
//! event records the line caused (each under its sequence number), its answer (the JSON line
//! `examples/replay` prints for it) and the runner's checkpoint after it (last `at`, lines
//! answered) with the engine's next sequence number; every `--snapshot-every` records
//! (default 1000, and with the first line, which alone may change the profile), the
//! serialised engine and checkpoint, the records before it deleted. Then the answer is
//! appended to `--out`.
//!
//! Started on an existing database, it checks everything before using anything: the
//! scenario is the one the database was made for (SHA-256 of the file), every row's
//! checksum (SHA-256, stored with it), the snapshot deserialises (which checks its
//! invariants) and matches the answer of its line, the records after it replay onto it
//! (`ImageService::replay`) up to the sequence number the last answer recorded, and the
//! answers are exactly those of the scenario's lines so far. Then `--out` is brought up to
//! date (a torn last answer cut off, committed answers it lacks written) and the run goes
//! on from the first line not committed. A database that fails a check is left as it is:
//! the host names the problem and exits with status 3.
//!
//! Durability: WAL journal, `synchronous=FULL` (each commit is on disk before the answer is
//! written: a kill, or a power cut, loses at most a line whose answer nobody saw), and an
//! exclusive lock held for the whole run (one writer per database: a second host refuses
//! to start). `--out` is not synced: every answer stays in the database, which rewrites
//! whatever the file lost.
//!
//! Exit status: 0 done, 1 input/output or database error, 2 bad arguments, 3 a database
//! that can't be trusted (or an `--out` that is not its answers).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use machine_image::engine::{EventRecord, ImageService};
use machine_image::replay::{Runner, RunnerCheckpoint, is_skipped};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

/// What the `meta` table's `format` row holds.
const FORMAT: &str = "machine-image durable_host 1";

const USAGE: &str = "usage: durable_host --db PATH --out FILE [--snapshot-every N] \
                     [--state-out FILE] SCENARIO.jsonl";

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE records (
    seq INTEGER PRIMARY KEY, body TEXT NOT NULL, sha256 TEXT NOT NULL) STRICT;
CREATE TABLE answers (
    line INTEGER PRIMARY KEY, answer TEXT NOT NULL, next_seq INTEGER NOT NULL,
    runner TEXT NOT NULL, sha256 TEXT NOT NULL) STRICT;
CREATE TABLE snapshots (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, service TEXT NOT NULL,
    runner TEXT NOT NULL, sha256 TEXT NOT NULL) STRICT;
";

struct Args {
    db: PathBuf,
    out: PathBuf,
    snapshot_every: u64,
    state_out: Option<PathBuf>,
    scenario: PathBuf,
}

/// Why the host stopped.
enum Stop {
    /// Bad arguments (exit 2).
    Usage(String),
    /// An input/output or database error (exit 1).
    Io(String),
    /// The database (or `--out`) can't be trusted (exit 3); nothing was changed.
    Untrusted(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e.to_string())
    }
}

impl From<rusqlite::Error> for Stop {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Stop::Io(format!("the database is in use by another host ({e})"))
            }
            _ => Stop::Io(format!("database: {e}")),
        }
    }
}

impl From<serde_json::Error> for Stop {
    fn from(e: serde_json::Error) -> Self {
        Stop::Io(format!("serialising: {e}"))
    }
}

fn untrusted<T>(what: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Untrusted(what.into()))
}

fn parse_args() -> Result<Args, Stop> {
    let (mut db, mut out, mut state_out, mut scenario) = (None, None, None, None);
    let mut snapshot_every = 1000;
    let mut it = std::env::args().skip(1);
    let usage = |e: String| Stop::Usage(format!("{e}\n{USAGE}"));
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| usage(format!("{name} needs a value")))
        };
        match a.as_str() {
            "--db" => db = Some(PathBuf::from(value("--db")?)),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--state-out" => state_out = Some(PathBuf::from(value("--state-out")?)),
            "--snapshot-every" => {
                snapshot_every = value("--snapshot-every")?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| usage("--snapshot-every needs a number above 0".into()))?;
            }
            "-h" | "--help" => return Err(Stop::Usage(USAGE.into())),
            _ if scenario.is_none() && !a.starts_with("--") => scenario = Some(PathBuf::from(a)),
            _ => return Err(usage(format!("unexpected argument {a:?}"))),
        }
    }
    Ok(Args {
        db: db.ok_or_else(|| usage("--db is required".into()))?,
        out: out.ok_or_else(|| usage("--out is required".into()))?,
        snapshot_every,
        state_out,
        scenario: scenario.ok_or_else(|| usage("the scenario file is required".into()))?,
    })
}

/// SHA-256 of `parts`, each preceded by its length (so no two lists of parts collide), in
/// lower-case hex. The first part names the kind of row, so a row copied into another
/// table or under another key does not check.
fn checksum(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex(&hash.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn record_checksum(seq: u64, body: &str) -> String {
    checksum(&[b"record", &seq.to_le_bytes(), body.as_bytes()])
}

fn answer_checksum(line: u64, answer: &str, next_seq: u64, runner: &str) -> String {
    checksum(&[
        b"answer",
        &line.to_le_bytes(),
        answer.as_bytes(),
        &next_seq.to_le_bytes(),
        runner.as_bytes(),
    ])
}

fn snapshot_checksum(seq: u64, line: u64, service: &str, runner: &str) -> String {
    checksum(&[
        b"snapshot",
        &seq.to_le_bytes(),
        &line.to_le_bytes(),
        service.as_bytes(),
        runner.as_bytes(),
    ])
}

/// The database, open and locked for this host alone.
struct Store {
    conn: Connection,
    /// The sequence number of the stored snapshot.
    snapshot_seq: Option<u64>,
}

/// What a restart found: the runner as of the last committed line, that line's number, and
/// every committed answer in order.
struct Restored {
    runner: Runner,
    last_line: u64,
    answers: Vec<String>,
}

impl Store {
    /// Opens (or creates) the database: exclusive locking, WAL, `synchronous=FULL`.
    fn open(path: &Path) -> Result<Store, Stop> {
        let conn = Connection::open(path)?;
        // One host per database: a second one fails at once rather than waiting.
        conn.busy_timeout(std::time::Duration::ZERO)?;
        // Exclusive before WAL: the lock is taken at the first access and kept until the
        // process ends (the kernel drops it when the process is killed), and the WAL index
        // lives in memory, not in a shared `-shm` file.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Stop::Io(format!(
                "database: WAL journal refused (journal mode {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(Store {
            conn,
            snapshot_seq: None,
        })
    }

    /// Whether the database holds nothing yet (new, or its creation never committed).
    fn is_empty(&self) -> Result<bool, Stop> {
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        Ok(tables == 0)
    }

    /// Creates the tables and records the scenario's digest, in one transaction.
    fn create(&mut self, scenario_sha256: &str) -> Result<(), Stop> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('format', ?1), ('scenario_sha256', ?2)",
            params![FORMAT, scenario_sha256],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Rebuilds the runner from the database, checking everything before using anything.
    /// Reads only: a database that fails a check is left as it was.
    fn restore(&mut self, scenario: &[u8], lines: &[&[u8]]) -> Result<Restored, Stop> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        check_meta(&tx, scenario)?;
        let snapshot = tx
            .query_row(
                "SELECT seq, line, service, runner, sha256 FROM snapshots \
                 ORDER BY seq DESC LIMIT 1",
                [],
                |r| {
                    Ok(SnapshotRow {
                        seq: r.get(0)?,
                        line: r.get(1)?,
                        service: r.get(2)?,
                        runner: r.get(3)?,
                        sha256: r.get(4)?,
                    })
                },
            )
            .optional()?;
        let answers = read_answers(&tx, lines, snapshot.as_ref().map(|s| s.line))?;
        let records = read_records(&tx)?;
        drop(tx);

        let Some(last) = answers.last else {
            if let Some(snapshot) = snapshot {
                return untrusted(format!(
                    "a snapshot at record {} is stored, but no answer",
                    snapshot.seq
                ));
            }
            if let Some(record) = records.first() {
                return untrusted(format!(
                    "record {} is stored, but no line is committed",
                    record.seq
                ));
            }
            let mut runner = Runner::new();
            runner.record_events(true);
            return Ok(Restored {
                runner,
                last_line: 0,
                answers: answers.texts,
            });
        };
        let Some(snapshot) = snapshot else {
            return untrusted(format!(
                "no snapshot is stored, but lines up to {} are committed (the first line's \
                 transaction stores one)",
                last.line
            ));
        };
        let seq = snapshot.seq;
        let service = open_snapshot(snapshot, answers.at_snapshot)?;
        let service = service
            .replay(&records)
            .map_err(|e| Stop::Untrusted(format!("the records do not replay: {e}")))?;
        if service.next_seq() != last.next_seq {
            return untrusted(format!(
                "the records replay to next_seq {}, but the answer to line {} was committed at \
                 next_seq {} (records are missing at the end, or extra)",
                service.next_seq(),
                last.line,
                last.next_seq
            ));
        }
        self.snapshot_seq = Some(seq);
        Ok(Restored {
            runner: Runner::resume(service, last.checkpoint),
            last_line: last.line,
            answers: answers.texts,
        })
    }

    /// Commits line `line`: its records, its answer and the runner's checkpoint, and a
    /// snapshot when due (the records before it deleted).
    fn commit_line(
        &mut self,
        line: u64,
        answer: &str,
        records: &[EventRecord],
        runner: &Runner,
        snapshot_every: u64,
    ) -> Result<(), Stop> {
        let service = runner.simulator().service();
        let next_seq = service.next_seq();
        let checkpoint = serde_json::to_string(&runner.checkpoint())?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO records (seq, body, sha256) VALUES (?1, ?2, ?3)")?;
            for record in records {
                let body = serde_json::to_string(record)?;
                insert.execute(params![
                    record.seq,
                    body,
                    record_checksum(record.seq, &body)
                ])?;
            }
        }
        tx.prepare_cached(
            "INSERT INTO answers (line, answer, next_seq, runner, sha256) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            line,
            answer,
            next_seq,
            checkpoint,
            answer_checksum(line, answer, next_seq, &checkpoint)
        ])?;
        let due = self
            .snapshot_seq
            .is_none_or(|seq| next_seq - seq >= snapshot_every);
        if due {
            let body = serde_json::to_string(service)?;
            tx.execute(
                "INSERT INTO snapshots (seq, line, service, runner, sha256) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    next_seq,
                    line,
                    body,
                    checkpoint,
                    snapshot_checksum(next_seq, line, &body, &checkpoint)
                ],
            )?;
            tx.execute("DELETE FROM records WHERE seq < ?1", [next_seq])?;
            tx.execute("DELETE FROM snapshots WHERE seq < ?1", [next_seq])?;
        }
        tx.commit()?;
        if due {
            self.snapshot_seq = Some(next_seq);
        }
        Ok(())
    }
}

/// The stored snapshot, as read.
struct SnapshotRow {
    seq: u64,
    line: u64,
    service: String,
    runner: String,
    sha256: String,
}

/// A committed line: its number, the engine's next sequence number and the runner's
/// checkpoint after it.
#[derive(Clone, PartialEq)]
struct Committed {
    line: u64,
    next_seq: u64,
    checkpoint: RunnerCheckpoint,
}

/// The committed answers, checked.
struct Answers {
    /// Their texts, in line order.
    texts: Vec<String>,
    /// The last committed line.
    last: Option<Committed>,
    /// The line the snapshot was taken with.
    at_snapshot: Option<Committed>,
}

/// The database is a durable_host database, made for this scenario.
fn check_meta(db: &Connection, scenario: &[u8]) -> Result<(), Stop> {
    let meta = |key: &str| -> Result<Option<String>, rusqlite::Error> {
        db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    let has_meta: i64 = db.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get(0),
    )?;
    let format = if has_meta == 1 { meta("format")? } else { None };
    if format.as_deref() != Some(FORMAT) {
        return untrusted(format!(
            "not a durable_host database (format {format:?}, expected {FORMAT:?})"
        ));
    }
    let stored = meta("scenario_sha256")?.unwrap_or_default();
    let actual = hex(&Sha256::digest(scenario));
    if stored != actual {
        return untrusted(format!(
            "the database was written for another scenario (its scenario has SHA-256 {stored}, \
             this file {actual})"
        ));
    }
    Ok(())
}

/// Every committed answer, each checked against its checksum; together they must be the
/// answers to exactly the scenario's unskipped lines up to the last (none missing).
fn read_answers(
    db: &Connection,
    lines: &[&[u8]],
    snapshot_line: Option<u64>,
) -> Result<Answers, Stop> {
    let mut answers = Answers {
        texts: Vec::new(),
        last: None,
        at_snapshot: None,
    };
    let mut expected_lines = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !is_skipped(l))
        .map(|(i, _)| i as u64 + 1);
    let mut stmt =
        db.prepare("SELECT line, answer, next_seq, runner, sha256 FROM answers ORDER BY line")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (line, answer, next_seq, runner, sum): (u64, String, u64, String, String) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        );
        if answer_checksum(line, &answer, next_seq, &runner) != sum {
            return untrusted(format!(
                "the answer to line {line} fails its checksum (edited or truncated)"
            ));
        }
        match expected_lines.next() {
            Some(expected) if expected == line => {}
            Some(expected) if expected < line => {
                return untrusted(format!(
                    "the answer to line {expected} is missing (the next stored is line {line})"
                ));
            }
            _ => {
                return untrusted(format!(
                    "an answer is stored for line {line}, which the scenario does not have or \
                     skips"
                ));
            }
        }
        let checkpoint = serde_json::from_str(&runner).map_err(|e| {
            Stop::Untrusted(format!("the answer to line {line}: runner state: {e}"))
        })?;
        let committed = Committed {
            line,
            next_seq,
            checkpoint,
        };
        if snapshot_line == Some(line) {
            answers.at_snapshot = Some(committed.clone());
        }
        answers.texts.push(answer);
        answers.last = Some(committed);
    }
    Ok(answers)
}

/// Every stored record, in order, each checked against its checksum (the replay checks
/// their numbering: a gap, a repeat).
fn read_records(db: &Connection) -> Result<Vec<EventRecord>, Stop> {
    let mut records = Vec::new();
    let mut stmt = db.prepare("SELECT seq, body, sha256 FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (seq, body, sum): (u64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        if record_checksum(seq, &body) != sum {
            return untrusted(format!(
                "record {seq} fails its checksum (edited or truncated)"
            ));
        }
        let record: EventRecord = serde_json::from_str(&body)
            .map_err(|e| Stop::Untrusted(format!("record {seq} is not a record: {e}")))?;
        if record.seq != seq {
            return untrusted(format!("record {seq} holds record {}", record.seq));
        }
        records.push(record);
    }
    Ok(records)
}

/// The snapshot's service: checked against its checksum, deserialised (which checks every
/// invariant), and matching the answer committed with it.
fn open_snapshot(
    snapshot: SnapshotRow,
    at_snapshot: Option<Committed>,
) -> Result<ImageService, Stop> {
    let SnapshotRow {
        seq,
        line,
        service,
        runner,
        sha256,
    } = snapshot;
    if snapshot_checksum(seq, line, &service, &runner) != sha256 {
        return untrusted(format!(
            "the snapshot at record {seq} fails its checksum (edited or truncated)"
        ));
    }
    let service: ImageService = serde_json::from_str(&service)
        .map_err(|e| Stop::Untrusted(format!("the snapshot at record {seq} is refused: {e}")))?;
    if service.next_seq() != seq {
        return untrusted(format!(
            "the snapshot at record {seq} holds the service as of record {}",
            service.next_seq()
        ));
    }
    let checkpoint = serde_json::from_str(&runner)
        .map_err(|e| Stop::Untrusted(format!("the snapshot at record {seq}: runner state: {e}")))?;
    let taken = Committed {
        line,
        next_seq: seq,
        checkpoint,
    };
    if at_snapshot.as_ref() != Some(&taken) {
        return untrusted(format!(
            "the snapshot at record {seq} does not match the answer to line {line}"
        ));
    }
    Ok(service)
}

/// Brings `--out` up to date with the committed answers: the file must hold a prefix of
/// them (a torn last answer is cut off); the answers it lacks are written. Returns the file,
/// positioned at its end.
fn bring_out_up_to_date(path: &Path, answers: &[String]) -> Result<File, Stop> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let mut held = Vec::new();
    file.read_to_end(&mut held)?;
    let mut whole = 0; // the end of the last complete answer the file holds
    let mut at = 0;
    for (i, answer) in answers.iter().enumerate() {
        let end = at + answer.len() + 1;
        if at < held.len() {
            let common = held.len().min(end) - at;
            let expected = &[answer.as_bytes(), b"\n"].concat()[..common];
            if &held[at..at + common] != expected {
                return untrusted(format!(
                    "{} is not this database's answers: it differs in answer {} (byte {at})",
                    path.display(),
                    i + 1
                ));
            }
        }
        if held.len() >= end {
            whole = end;
        }
        at = end;
    }
    if held.len() > at {
        return untrusted(format!(
            "{} holds {} bytes after the {} committed answers",
            path.display(),
            held.len() - at,
            answers.len()
        ));
    }
    file.set_len(whole as u64)?;
    file.seek(SeekFrom::Start(whole as u64))?;
    let mut missing = String::new();
    let mut at = 0;
    for answer in answers {
        at += answer.len() + 1;
        if at > whole {
            missing.push_str(answer);
            missing.push('\n');
        }
    }
    file.write_all(missing.as_bytes())?;
    Ok(file)
}

fn run(args: &Args) -> Result<(), Stop> {
    let scenario = std::fs::read(&args.scenario)
        .map_err(|e| Stop::Io(format!("{}: {e}", args.scenario.display())))?;
    let lines: Vec<&[u8]> = scenario.split_inclusive(|b| *b == b'\n').collect();
    let mut store = Store::open(&args.db)?;
    if store.is_empty()? {
        // A new database: nothing is committed, so `--out` starts empty (emptied before the
        // database is made, so that a kill in between finds a new database again).
        File::create(&args.out)?;
        store.create(&hex(&Sha256::digest(&scenario)))?;
    }
    let Restored {
        mut runner,
        last_line,
        answers,
    } = store.restore(&scenario, &lines)?;
    let mut out = bring_out_up_to_date(&args.out, &answers)?;
    drop(answers);

    for (i, bytes) in lines.iter().enumerate().skip(last_line as usize) {
        let line = i as u64 + 1;
        // A line's bytes, newline included, as `examples/replay` reads them.
        if is_skipped(bytes) {
            continue;
        }
        let mut text = runner.answer(line, bytes).into_json();
        let records = runner.drain_events();
        store.commit_line(line, &text, &records, &runner, args.snapshot_every)?;
        text.push('\n');
        out.write_all(text.as_bytes())?;
    }
    if let Some(path) = &args.state_out {
        // Written whole, then renamed into place: a kill leaves the old file or the new.
        let json = serde_json::to_string(runner.simulator().service())?;
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)?;
    }
    Ok(())
}

fn main() {
    let result = parse_args().and_then(|args| run(&args));
    let (code, message) = match result {
        Ok(()) => return,
        Err(Stop::Usage(m)) => (2, m),
        Err(Stop::Io(m)) => (1, format!("durable_host: {m}")),
        Err(Stop::Untrusted(m)) => (
            3,
            format!("durable_host: refusing to go on: {m}; nothing was changed"),
        ),
    };
    eprintln!("{message}");
    std::process::exit(code);
}
