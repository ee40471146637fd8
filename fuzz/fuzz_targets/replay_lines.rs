//! The replay-line parser and runner: any bytes, split into lines as `examples/replay.rs`
//! does, must each get exactly one JSON object answer with a `RequestId`, never a panic,
//! and leave the engine's invariants intact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use machine_image::replay::{Runner, is_skipped};

fuzz_target!(|data: &[u8]| {
    let mut runner = Runner::new();
    for (i, raw) in data.split(|b| *b == b'\n').enumerate() {
        if is_skipped(raw) {
            continue;
        }
        let answer = runner.answer(i as u64 + 1, raw);
        let body: serde_json::Value =
            serde_json::from_str(answer.json()).expect("every answer is JSON");
        let has_id = body.get("RequestId").is_some()
            || body
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
