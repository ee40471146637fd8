//! Runs every scenario in `examples/scenarios/` through the runner and compares the output
//! with its `.expected` file byte for byte; and feeds the runner malformed input.
//!
//! The line loop here is the one of `examples/replay.rs` (read bytes, skip blank and `#`
//! lines, answer, write one JSON line).

use std::path::Path;

use machine_image::replay::{Runner, is_skipped};

fn run(input: &[u8]) -> String {
    let mut runner = Runner::new();
    let mut out = String::new();
    for (i, raw) in input.split(|b| *b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        if is_skipped(raw) {
            continue;
        }
        let answer = runner.answer(line_no, raw);
        out.push_str(answer.json());
        out.push('\n');
    }
    runner
        .simulator()
        .service()
        .check_invariants()
        .expect("invariants hold after the run");
    out
}

#[test]
fn every_scenario_matches_its_expected_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
            continue;
        }
        let input = std::fs::read(&path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{} has no .expected file", path.display()));
        let actual = run(&input);
        assert_eq!(actual, expected, "{}", path.display());
        // Deterministic: a second run gives the same bytes.
        assert_eq!(run(&input), actual);
        count += 1;
    }
    assert!(count >= 8, "only {count} scenarios");
}

fn answers(input: &[u8]) -> Vec<serde_json::Value> {
    run(input)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn malformed_lines_each_get_an_error_line_and_the_run_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SetAccount\"\n"); // truncated
    input.extend_from_slice(b"\xff\xfe\xfd\n"); // not UTF-8
    input.extend_from_slice(
        b"{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SetAccount\",\"AccountId\":7}\n",
    );
    input.extend_from_slice(b"{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"Nope\"}\n");
    input.extend_from_slice(b"{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SetAccount\",\"AccountId\":\"1\",\"Extra\":1}\n");
    let huge = format!(
        "{{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SetAccount\",\"AccountId\":\"{}\"}}\n",
        "9".repeat(1 << 20)
    );
    input.extend_from_slice(huge.as_bytes());
    input.extend_from_slice(
        b"{\"at\":\"2025-01-01T00:00:00Z\",\"Action\":\"SetAccount\",\"AccountId\":\"1\"}\n",
    );
    input.extend_from_slice(
        b"{\"at\":\"2026-01-01T00:00:01Z\",\"Action\":\"SetAccount\",\"AccountId\":\"1\"}\n",
    );
    let out = answers(&input);
    assert_eq!(out.len(), 8);
    let codes: Vec<&str> = out
        .iter()
        .map(|v| v["Code"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "InvalidParameter",
            "InvalidParameter",
            "InvalidParameter",
            "InvalidAction.NotFound",
            "InvalidParameter",
            "InvalidParameter",
            "InvalidParameter",
            "ok"
        ]
    );
    for (i, v) in out.iter().take(7).enumerate() {
        let message = v["Message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("line {}:", i + 1)),
            "{message}"
        );
    }
    assert!(out[2]["Message"].as_str().unwrap().contains("AccountId"));
    assert!(out[4]["Message"].as_str().unwrap().contains("Extra"));
}

#[test]
fn tencent_errors_use_the_tencent_shape() {
    let input = b"{\"Action\":\"Configure\",\"Provider\":\"tencent\"}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SyncImages\",\"Region\":\"ap-guangzhou\",\"ImageIds\":[\"img-o3ycss2p\"],\"DestinationRegions\":[\"ap-shanghai\"]}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"CopyImage\",\"CallerId\":\"1\"}\n";
    let out = answers(input);
    assert!(out[0]["Response"]["RequestId"].is_string());
    assert_eq!(
        out[1]["Response"]["Error"]["Code"],
        "AuthFailure.InvalidAuthorization"
    );
    assert_eq!(out[2]["Response"]["Error"]["Code"], "InvalidAction");
}

#[test]
fn actions_of_the_other_provider_and_bad_tag_entries_name_their_line() {
    let input = b"{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"ExportImages\",\"CallerId\":\"1\"}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"CopyImage\",\"CallerId\":\"1\",\"RegionId\":\"cn-hangzhou\",\"ImageId\":\"m-abc\",\"DestinationRegionId\":\"cn-shanghai\",\"Tag\":[{\"Key\":\"a\",\"Value\":1}]}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"CopyImage\",\"CallerId\":\"1\",\"RegionId\":\"cn-hangzhou\",\"ImageId\":\"m-abc\",\"DestinationRegionId\":\"cn-shanghai\",\"Tag\":[{\"Key\":\"a\",\"Value\":\"b\",\"Extra\":1}]}\n";
    let out = answers(input);
    assert_eq!(out[0]["Code"], "InvalidAction.NotFound");
    for (i, v) in out.iter().enumerate() {
        let message = v["Message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("line {}:", i + 1)),
            "{message}"
        );
    }
    assert!(out[0]["Message"].as_str().unwrap().contains("ExportImages"));
    assert!(out[2]["Message"].as_str().unwrap().contains("Extra"));

    let input = b"{\"Action\":\"Configure\",\"Provider\":\"tencent\"}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"ExportImage\",\"CallerId\":\"1\"}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"DescribeImages\",\"CallerId\":\"100000000001\",\"Region\":\"ap-guangzhou\",\"ImageIds\":[\"bad id\"]}\n";
    let out = answers(input);
    let error = &out[1]["Response"]["Error"];
    assert_eq!(error["Code"], "InvalidAction");
    assert!(
        error["Message"].as_str().unwrap().starts_with("line 2:"),
        "{error}"
    );
    assert!(error["Message"].as_str().unwrap().contains("ExportImage"));
    assert_eq!(
        out[2]["Response"]["Error"]["Code"],
        "InvalidImageId.Malformed"
    );
}

#[test]
fn export_images_refuses_a_prefix_given_twice() {
    let input = b"{\"Action\":\"Configure\",\"Provider\":\"tencent\"}\n\
{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"ExportImages\",\"CallerId\":\"100000000001\",\"Region\":\"ap-guangzhou\",\"BucketName\":\"exports-1250000000\",\"ImageIds\":[\"img-aaaa0001\",\"img-aaaa0002\"],\"FileNamePrefixList\":[\"same\",\"same\"]}\n";
    let out = answers(input);
    let error = &out[1]["Response"]["Error"];
    assert_eq!(
        error["Code"],
        "InvalidParameterValue.InvalidFileNamePrefixList"
    );
    let message = error["Message"].as_str().unwrap();
    assert!(message.contains("same is given twice"), "{message}");
}

#[test]
fn a_cost_estimate_that_overflows_names_the_price_given() {
    let out = answers(include_bytes!("data/estimate_overflow.jsonl"));
    let message = out[2]["Message"].as_str().unwrap();
    assert!(
        message.starts_with("line 3: The specified parameter \"SnapshotPriceGiBMonth\""),
        "{message}"
    );
    assert!(message.contains("amount overflows"), "{message}");
}

#[test]
fn a_cost_estimate_refuses_an_image_or_destination_given_twice() {
    let input = include_bytes!("data/estimate_overflow.jsonl");
    let line = |ids: &str, dests: &str| {
        format!(
            "{{\"at\":\"2026-01-01T00:02:00Z\",\"Action\":\"EstimateCopyCost\",\"CallerId\":\"1111111111111111\",\"RegionId\":\"cn-hangzhou\",\"ImageIds\":{ids},\"DestinationRegions\":{dests},\"Months\":1}}\n"
        )
    };
    let mut scenario = input.to_vec();
    scenario.extend(line(r#"["m-a000000001","m-a000000001"]"#, r#"["cn-shanghai"]"#).bytes());
    scenario.extend(line(r#"["m-a000000001"]"#, r#"["cn-shanghai","cn-shanghai"]"#).bytes());
    scenario.extend(line(r#"["m-a000000001"]"#, r#"["cn-shanghai"]"#).bytes());
    let out = answers(&scenario);
    for (i, name) in [(3, "ImageIds"), (4, "DestinationRegions")] {
        let message = out[i]["Message"].as_str().unwrap();
        assert!(
            message.contains(name) && message.contains("given twice"),
            "{message}"
        );
    }
    assert!(out[5]["Lines"].is_array(), "{}", out[5]);
}

#[test]
fn a_refused_fixture_names_its_line() {
    let seed = "{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SeedSnapshot\",\"RegionId\":\"cn-hangzhou\",\"SnapshotId\":\"s-a000000001\",\"OwnerId\":\"1111111111111111\",\"CreationTime\":\"2025-01-01T00:00:00Z\",\"SizeGiB\":20,\"Encrypted\":false}\n";
    let out = answers(format!("{seed}{seed}").as_bytes());
    assert_eq!(out[0]["Code"], serde_json::Value::Null);
    assert_eq!(out[1]["Code"], "InvalidParameter");
    let message = out[1]["Message"].as_str().unwrap();
    assert!(
        message.starts_with("line 2: the fixture is refused:"),
        "{message}"
    );
    assert!(message.contains("s-a000000001 exists already"), "{message}");
}

#[test]
fn fixtures_that_break_a_rule_between_fields_are_refused() {
    let key_unencrypted = "{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SeedSnapshot\",\"RegionId\":\"cn-hangzhou\",\"SnapshotId\":\"s-a000000001\",\"OwnerId\":\"1111111111111111\",\"Encrypted\":false,\"KMSKeyId\":\"key-1\"}\n";
    let published_custom = "{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SeedImage\",\"RegionId\":\"cn-hangzhou\",\"ImageId\":\"m-a000000001\",\"ImageName\":\"web\",\"OwnerId\":\"1111111111111111\",\"PublishedRegions\":[\"cn-shanghai\"]}\n";
    let out = answers(format!("{key_unencrypted}{published_custom}").as_bytes());
    for (answer, parameter) in out.iter().zip(["KMSKeyId", "PublishedRegions"]) {
        assert_eq!(answer["Code"], "InvalidParameter");
        let message = answer["Message"].as_str().unwrap();
        assert!(message.contains(parameter), "{message}");
    }
}

#[test]
fn a_missing_caller_is_invalid_ali_uid() {
    let input = b"{\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"DeleteImage\",\"RegionId\":\"cn-hangzhou\",\"ImageId\":\"m-abc\"}\n";
    let out = answers(input);
    assert_eq!(out[0]["Code"], "InvalidAliUid.IsNull");
    assert_eq!(out[0]["HttpCode"], 401);
}

#[test]
fn recorded_events_rebuild_the_runners_state_and_the_timeline_shows_each_task() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios/01_copy_queue.jsonl");
    let input = std::fs::read_to_string(path).unwrap();
    let mut runner = Runner::new();
    runner.record_events(true);
    for (i, line) in input.lines().enumerate() {
        if is_skipped(line) {
            continue;
        }
        runner.answer(i as u64 + 1, line);
    }
    let service = runner.simulator().service();
    let rebuilt =
        machine_image::ImageService::from_events(service.profile().clone(), runner.events())
            .unwrap();
    assert_eq!(&rebuilt, service);
    let chart = runner.timeline();
    assert!(chart.contains("cn-hangzhou:"), "{chart}");
    assert_eq!(chart.matches("task-").count(), 3, "{chart}");
    assert!(
        chart.contains("Cancelled") && chart.contains("Succeeded"),
        "{chart}"
    );
}
