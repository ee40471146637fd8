//! The replay-line parser and runner: any bytes, split into lines as `examples/replay.rs`
//! does, must each get exactly one JSON object answer with a `RequestId`, never a panic,
//! and leave the engine's invariants intact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use machine_image::replay::{LineError, Runner, Value, is_skipped};

fuzz_target!(|data: &[u8]| {
    let mut runner = Runner::new();
    for (i, raw) in data.split(|b| *b == b'\n').enumerate() {
        let parsed = match std::str::from_utf8(raw) {
            Err(_) => Err(LineError::InvalidUtf8),
            Ok(text) if is_skipped(text) => continue,
            Ok(text) => {
                serde_json::from_str::<Value>(text.trim()).map_err(|e| LineError::InvalidJson {
                    detail: e.to_string(),
                })
            }
        };
        let answer = runner.answer(i as u64 + 1, parsed);
        let has_id = answer.get("RequestId").is_some()
            || answer
                .get("Response")
                .is_some_and(|r| r.get("RequestId").is_some());
        assert!(has_id, "an answer without a RequestId: {answer:?}");
    }
    runner
        .simulator()
        .service()
        .check_invariants()
        .expect("the runner keeps the invariants");
});
