//! The scenario runner's public API as a harness in another process would use it: lines in,
//! one JSON answer each, through `Runner::answer` / `answer_into`, and `ACTIONS` as the
//! description of what the runner takes.

use std::collections::BTreeSet;

use machine_image::Provider;
use machine_image::replay::{ACTIONS, ActionKind, Runner, is_skipped};

const ALICE: &str = "1234567890123456";

fn line(at: &str, action: &str, rest: &str) -> String {
    format!(r#"{{"at":"{at}","Action":"{action}",{rest}}}"#)
}

#[test]
fn answer_and_answer_into_give_the_same_bytes() {
    let lines = [
        line(
            "2026-01-01T00:00:00Z",
            "SetAccount",
            &format!(r#""AccountId":"{ALICE}""#),
        ),
        line(
            "2026-01-01T00:00:00Z",
            "SeedSnapshot",
            &format!(r#""RegionId":"cn-hangzhou","SnapshotId":"s-sys0001","OwnerId":"{ALICE}""#),
        ),
        line(
            "2026-01-01T00:00:00Z",
            "SeedImage",
            &format!(
                r#""RegionId":"cn-hangzhou","ImageId":"m-web0001","ImageName":"web","OwnerId":"{ALICE}","SnapshotIds":["s-sys0001"]"#
            ),
        ),
        line(
            "2026-01-01T00:01:00Z",
            "CopyImage",
            &format!(
                r#""CallerId":"{ALICE}","RegionId":"cn-hangzhou","ImageId":"m-web0001","DestinationRegionId":"cn-shanghai""#
            ),
        ),
        "not JSON at all".to_owned(),
        line("2026-01-01T00:02:00Z", "TeleportImage", r#""CallerId":"1""#),
    ];
    let mut one = Runner::new();
    let mut other = Runner::new();
    let mut buffer = Vec::new();
    for (n, text) in lines.iter().enumerate() {
        assert!(!is_skipped(text));
        let answer = one.answer(n as u64 + 1, text);
        buffer.clear();
        other.answer_into(n as u64 + 1, text.as_bytes(), &mut buffer);
        assert_eq!(
            answer.json().as_bytes(),
            buffer.as_slice(),
            "line {}",
            n + 1
        );
        let body: serde_json::Value = serde_json::from_str(answer.json()).unwrap();
        assert_eq!(body.get("Code").and_then(|c| c.as_str()), answer.code());
    }
    let again = line(
        "2026-01-01T00:03:00Z",
        "CopyImage",
        &format!(
            r#""CallerId":"{ALICE}","RegionId":"cn-hangzhou","ImageId":"m-web0001","DestinationRegionId":"cn-beijing""#
        ),
    );
    let copy = one.answer(7, again);
    assert_eq!(copy.code(), None, "{}", copy.json());
    assert!(copy.is_ok());
    let refused = one.answer(8, "[1, 2]");
    assert_eq!(refused.code(), Some("InvalidParameter"));
    assert!(
        refused
            .json()
            .contains("line 8: the line is a JSON array, not an object")
    );
}

#[test]
fn actions_describe_every_action_each_provider_answers() {
    let mut seen = BTreeSet::new();
    for action in ACTIONS {
        assert!(
            seen.insert((action.name(), format!("{:?}", action.provider()))),
            "{} declared twice for one provider",
            action.name()
        );
        assert!(!action.params().is_empty() || action.kind() == ActionKind::Report);
        // Every call takes the caller; fixtures and reports don't.
        let takes_caller = action.params().contains(&"CallerId");
        match action.kind() {
            ActionKind::Call | ActionKind::Query => assert!(takes_caller, "{}", action.name()),
            ActionKind::Fixture | ActionKind::Configure => {
                assert!(!takes_caller, "{}", action.name())
            }
            _ => {}
        }
        // Tencent's form names the call's region `Region`, Alibaba's `RegionId`.
        if action.kind() == ActionKind::Call {
            let region = match action.provider() {
                Some(Provider::Tencent) => "Region",
                _ => "RegionId",
            };
            assert!(action.params().contains(&region), "{}", action.name());
        }
    }
    for call in [
        "CreateImage",
        "ImportImage",
        "ModifyImageAttribute",
        "DescribeImageSharePermission",
    ] {
        for provider in Provider::ALL {
            assert!(
                ACTIONS
                    .iter()
                    .any(|a| a.name() == call && a.provider() == Some(provider)),
                "{call} in the {provider} form"
            );
        }
    }
}
