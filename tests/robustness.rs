//! Robustness: every parser and constructor, driven with arbitrary strings and bytes, answers
//! `Ok` or its typed error and never panics; the JSON state refuses whatever the
//! constructors would refuse (deserialisation can't bypass validation); replay lines of any
//! shape each get one answer with a `RequestId`. Case counts follow `PROPTEST_CASES` (CI: 64).
#![cfg(feature = "proptest")]

use std::str::FromStr;

use machine_image::engine::ImageService;
use machine_image::replay::{Runner, is_skipped};
use machine_image::strategies::{near_miss, world};
use machine_image::{
    AccountId, ClientToken, Description, ImageId, ImageName, ImageStatus, KmsKeyId, OwnerAlias,
    Platform, Provider, QueueScope, RegionId, RequestId, SnapshotId, Tag, TagKey, TagValue, Tags,
};
use proptest::prelude::*;
use serde_json::Value;

/// Every constructor and parser of the crate on one input; each must return (not panic).
fn every_parser(s: &str) {
    let _ = ImageName::new(s);
    let _ = Description::new(s);
    let _ = ImageId::new(s);
    let _ = SnapshotId::new(s);
    let _ = AccountId::new(s);
    let _ = KmsKeyId::new(s);
    let _ = RequestId::new(s);
    let _ = RegionId::new(s);
    let _ = ClientToken::new(s);
    let _ = TagKey::new(s);
    let _ = TagValue::new(s);
    let _ = Tag::new(s, s);
    let _ = Tags::from_pairs([(s, s), (s, "")]);
    let _ = Provider::from_str(s);
    let _ = QueueScope::from_str(s);
    let _ = ImageStatus::from_str(s);
    let _ = OwnerAlias::from_str(s);
    let _ = Platform::from_str(s);
    for p in Provider::ALL {
        let _ = ImageName::parse_for(p, s);
        let _ = ImageId::parse_for(p, s);
        let _ = SnapshotId::parse_for(p, s);
    }
    let _ = serde_json::from_str::<ImageService>(s);
    let _ = serde_json::from_str::<Tags>(s);
    let _ = serde_json::from_str::<Value>(s);
}

fn answer_has_request_id(answer: &str) -> bool {
    let Ok(answer) = serde_json::from_str::<Value>(answer) else {
        return false;
    };
    answer.get("RequestId").is_some()
        || answer
            .get("Response")
            .is_some_and(|r| r.get("RequestId").is_some())
}

/// Runs `text` through a runner as `examples/replay.rs` does; every non-skipped line gets
/// one answer with a `RequestId`, and the engine's invariants hold at the end.
fn replay(text: &[u8]) -> Result<usize, TestCaseError> {
    let mut runner = Runner::new();
    let mut answered = 0;
    for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
        if is_skipped(raw) {
            continue;
        }
        let answer = runner.answer(i as u64 + 1, raw);
        prop_assert!(answer_has_request_id(answer.json()), "{:?}", answer);
        answered += 1;
    }
    prop_assert!(runner.simulator().service().check_invariants().is_ok());
    Ok(answered)
}

const ACTIONS: &[&str] = &[
    "Configure",
    "SetAccount",
    "SeedSnapshot",
    "SeedImage",
    "SeedKmsKey",
    "CopyImage",
    "CancelCopyImage",
    "DeleteImage",
    "ModifyImageSharePermission",
    "DescribeImages",
    "SyncImages",
    "CopyFailed",
    "Nope",
];

const PARAMS: &[&str] = &[
    "at",
    "CallerId",
    "ClientToken",
    "RegionId",
    "Region",
    "ImageId",
    "ImageIds",
    "ImageName",
    "DestinationRegionId",
    "DestinationRegions",
    "DestinationImageName",
    "DestinationDescription",
    "Encrypted",
    "Encrypt",
    "KMSKeyId",
    "KmsKeyId",
    "Tag",
    "AccountId",
    "OwnerId",
    "SnapshotId",
    "SnapshotIds",
    "SizeGiB",
    "CreationTime",
    "Status",
    "ImageOwnerAlias",
    "AddAccount",
    "RemoveAccount",
    "AccountIds",
    "Permission",
    "Provider",
    "QueueScope",
    "MaxImageSizeGiB",
    "KeyId",
    "Reason",
    "DryRun",
];

/// A JSON value of any type, with strings that are often plausible parameter values.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("2026-01-01T00:00:00Z".to_owned()),
            Just("cn-hangzhou".to_owned()),
            Just("cn-shanghai".to_owned()),
            Just("1111111111111111".to_owned()),
            Just("m-img1".to_owned()),
            Just("s-snap1".to_owned()),
            Just("alibaba".to_owned()),
            Just("tencent".to_owned()),
            Just("SHARE".to_owned()),
            Just("web".to_owned()),
            any::<String>(),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[A-Z][a-z]{1,6}", inner), 0..3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A line object: an `Action` and a few parameters of any type.
fn any_line() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(ACTIONS),
        prop::collection::vec((prop::sample::select(PARAMS), any_value()), 0..8),
    )
        .prop_map(|(action, params)| {
            let mut line = serde_json::Map::new();
            line.insert("Action".to_owned(), Value::from(action));
            line.insert("at".to_owned(), Value::from("2026-01-01T00:00:00Z"));
            for (k, v) in params {
                line.insert(k.to_owned(), v);
            }
            Value::Object(line)
        })
}

fn to_line(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// A serialised world, as a `serde_json::Value` to mutate.
fn world_json() -> impl Strategy<Value = serde_json::Value> {
    world().prop_map(|w| serde_json::to_value(w.service()).unwrap())
}

fn refused(json: &serde_json::Value, what: &str) -> Result<(), TestCaseError> {
    let text = json.to_string();
    prop_assert!(
        serde_json::from_str::<ImageService>(&text).is_err(),
        "accepted a state with {}",
        what
    );
    Ok(())
}

proptest! {
    #[test]
    fn parsers_never_panic_on_any_string(s in any::<String>()) {
        every_parser(&s);
    }

    #[test]
    fn parsers_never_panic_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        every_parser(&String::from_utf8_lossy(&bytes));
        let _ = serde_json::from_slice::<ImageService>(&bytes);
        let _ = serde_json::from_slice::<Value>(&bytes);
    }

    #[test]
    fn replay_lines_of_any_bytes_each_get_an_answer(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        replay(&bytes)?;
    }

    #[test]
    fn replay_lines_of_any_shape_each_get_an_answer(lines in prop::collection::vec(any_line(), 1..12)) {
        let text: String = lines.iter().map(|l| to_line(l) + "\n").collect();
        prop_assert_eq!(replay(text.as_bytes())?, lines.len());
    }

    #[test]
    fn near_miss_values_in_a_state_are_refused(
        mut json in world_json(),
        name in near_miss::image_name(),
        region in near_miss::region_id(),
        image in near_miss::image_id(),
        snapshot in near_miss::snapshot_id(),
        account in near_miss::account_id(),
        description in near_miss::description(),
        which in any::<prop::sample::Index>(),
    ) {
        let original = json.clone();
        let images = json["state"]["images"].as_array().unwrap().len();
        let k = which.index(images);
        for (field, bad) in [("name", &name), ("region", &region), ("id", &image), ("owner", &account), ("description", &description)] {
            let mut j = original.clone();
            j["state"]["images"][k][field] = serde_json::Value::String(bad.clone());
            refused(&j, &format!("image {field} {bad:?}"))?;
        }
        if let Some(snaps) = json["state"]["snapshots"].as_array() {
            if !snaps.is_empty() {
                let mut j = original.clone();
                j["state"]["snapshots"][which.index(snaps.len())]["id"] = serde_json::Value::String(snapshot.clone());
                refused(&j, &format!("snapshot id {snapshot:?}"))?;
            }
        }
        let mut j = original.clone();
        j["state"]["accounts"][0]["id"] = serde_json::Value::String(account.clone());
        refused(&j, &format!("account id {account:?}"))?;
        // A duplicate image.
        let dup = json["state"]["images"][k].clone();
        json["state"]["images"].as_array_mut().unwrap().push(dup);
        refused(&json, "a duplicate image")?;
        // An in-flight copy without a task.
        let mut j = original.clone();
        j["state"]["images"][k]["status"] = "Waiting".into();
        j["state"]["images"][k]["copied_from"] = "m-elsewhere".into();
        refused(&j, "an in-flight copy without its task")?;
        // Quotas below usage: every account's images quota 0 while it owns custom images.
        let owns = original["state"]["images"].as_array().unwrap().iter().any(|i| i["kind"] == "Custom");
        if owns {
            let mut j = original.clone();
            for a in j["state"]["accounts"].as_array_mut().unwrap() {
                a["image_quota"] = 0.into();
            }
            refused(&j, "an account over its quota")?;
        }
        // The untouched state is accepted and equal after the round trip.
        let back: ImageService = serde_json::from_value(original.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), original);
    }

    #[test]
    fn mutated_state_text_is_refused_or_keeps_the_invariants(
        json in world_json(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = json.to_string().into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(service) = serde_json::from_slice::<ImageService>(&bytes) {
            prop_assert!(service.check_invariants().is_ok());
            let again: ImageService = serde_json::from_str(&serde_json::to_string(&service).unwrap()).unwrap();
            prop_assert_eq!(again, service);
        }
    }
}

#[test]
fn the_scenarios_replay_and_survive_truncation_at_every_byte() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let path = dir.join("01_copy_queue.jsonl");
    let text = std::fs::read(path).unwrap();
    for cut in (0..text.len()).step_by(7) {
        replay(&text[..cut]).unwrap();
    }
}
