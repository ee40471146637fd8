//! Typed answers: each request gets its own answer from `ImageService::call`, fixtures go
//! through `register` and host reports through `report`, and every input still converts
//! into the one `Command` drivers use.

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    AcceptedExport, ApiCall, CancelCopyImage, CancelExport, Command, CopyImage, CreateImage,
    DeleteImage, Effect, ExportImage, Fixture, HostReport, ImageService,
    ModifyImageSharePermission, Outcome,
};
use machine_image::export::{Bucket, BucketName, ExportTaskId, ObjectPrefix};
use machine_image::{
    Account, AccountId, ClientToken, Image, ImageId, ImageName, Profile, RegionId, Snapshot,
    SnapshotId,
};

const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";

fn t(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(m)
}

fn alice() -> AccountId {
    AccountId::new("1111111111111111").unwrap()
}

fn bob() -> AccountId {
    AccountId::new("2222222222222222").unwrap()
}

fn reg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}

fn sid(s: &str) -> SnapshotId {
    SnapshotId::new(s).unwrap()
}

fn src() -> ImageId {
    ImageId::new("m-source1").unwrap()
}

/// Alice (export enabled) with two snapshots and a custom image on the first in Hangzhou,
/// and a bucket there.
fn world() -> ImageService {
    let mut s = ImageService::new(Profile::alibaba());
    let account = Account::new(alice(), 10, 100).enable_export(true);
    s.register(t(0), account.into()).unwrap();
    for id in ["s-sys1", "s-sys2"] {
        let snapshot = Snapshot::new(sid(id), reg(HZ), alice(), t(0), 40);
        s.register(t(0), snapshot.into()).unwrap();
    }
    let image = Image::custom(
        src(),
        reg(HZ),
        alice(),
        ImageName::new("web").unwrap(),
        vec![sid("s-sys1")],
    )
    .size_gib(40)
    .created_at(t(0))
    .build()
    .unwrap();
    s.register(t(0), Fixture::Image(image)).unwrap();
    let bucket = Bucket::new(BucketName::new("exports").unwrap(), reg(HZ), alice());
    s.register(t(0), bucket.into()).unwrap();
    s
}

#[test]
fn copy_cancel_and_delete_answer_their_ids() {
    let mut s = world();
    // A dry run that passes answers no copies and changes nothing.
    let before = serde_json::to_string(&s).unwrap();
    let dry = CopyImage::new(alice(), reg(HZ), src(), [reg(SH)]).dry_run(true);
    assert_eq!(s.call(t(1), dry).unwrap(), Vec::new());
    assert_eq!(serde_json::to_string(&s).unwrap(), before);

    let first = s
        .call(t(1), CopyImage::new(alice(), reg(HZ), src(), [reg(SH)]))
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].region, reg(SH));
    let second = s
        .call(
            t(1),
            CopyImage::new(alice(), reg(HZ), src(), [reg("cn-beijing")])
                .name(ImageName::new("web-bj").unwrap()),
        )
        .unwrap();
    // The queued one is cancelled: the answer names its image, which is gone.
    let cancelled = s
        .call(
            t(2),
            CancelCopyImage::new(alice(), reg("cn-beijing"), second[0].image.clone()),
        )
        .unwrap();
    assert_eq!(cancelled, second[0].image);
    assert!(s.state().image(&cancelled).is_none());
    // The running one finishes, then is deleted.
    let started: Vec<_> = s
        .drain_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::StartCopy { task, .. } => Some(task),
            _ => None,
        })
        .collect();
    assert_eq!(started, [first[0].task]);
    s.report(t(12), HostReport::CopyFinished(first[0].task))
        .unwrap();
    let deleted = s
        .call(
            t(13),
            DeleteImage::new(alice(), reg(SH), first[0].image.clone()),
        )
        .unwrap();
    assert_eq!(deleted, first[0].image);
}

#[test]
fn create_and_share_answer_the_image_and_unit() {
    let mut s = world();
    let call = CreateImage::new(
        alice(),
        reg(HZ),
        ImageName::new("made").unwrap(),
        [sid("s-sys2")],
    )
    .client_token(ClientToken::new("tok-1").unwrap());
    let made = s.call(t(1), call.clone()).unwrap().expect("not a dry run");
    assert_eq!(s.state().image(&made).unwrap().name().as_str(), "made");
    // A retry with the same token answers the same, typed.
    assert_eq!(s.call(t(2), call).unwrap(), Some(made.clone()));
    // Only a known account can be shared with.
    s.register(t(3), Account::new(bob(), 10, 100).into())
        .unwrap();
    let share = ModifyImageSharePermission::new(alice(), reg(HZ), made.clone()).share_with([bob()]);
    let () = s.call(t(3), share).unwrap();
    assert_eq!(s.state().shared_with(&made).collect::<Vec<_>>(), [&bob()]);
}

#[test]
fn export_and_cancel_answer_the_task() {
    let mut s = world();
    let export = || {
        ExportImage::new(
            alice(),
            reg(HZ),
            src(),
            BucketName::new("exports").unwrap(),
            ObjectPrefix::new("web").unwrap(),
        )
    };
    assert_eq!(s.call(t(1), export().dry_run(true)).unwrap(), None);
    let AcceptedExport { task, objects, .. } =
        s.call(t(1), export()).unwrap().expect("not a dry run");
    assert_eq!(task, ExportTaskId(1));
    assert_eq!(objects, ["web_xvda.raw"]);
    let cancelled = s
        .call(t(2), CancelExport::new(alice(), reg(HZ), task))
        .unwrap();
    assert_eq!(cancelled, task);
}

#[test]
fn every_input_is_a_command_and_round_trips() {
    let mut s = world();
    let copy = CopyImage::new(alice(), reg(HZ), src(), [reg(SH)]);
    let command: Command = copy.clone().into();
    assert_eq!(command, Command::Call(ApiCall::CopyImage(copy.clone())));
    assert!(!command.is_dry_run());
    assert_eq!(ApiCall::from(copy.clone()).name(), "CopyImage");
    // The driver's door answers the catch-all outcome, the typed door the same facts.
    let mut typed = s.clone();
    let copies = typed.call(t(1), copy).unwrap();
    assert_eq!(
        s.handle(t(1), command.clone()).unwrap(),
        Outcome::CopyAccepted {
            copies: copies.clone()
        }
    );
    // Serialised and back.
    for c in [
        command,
        HostReport::CopyFinished(copies[0].task).into(),
        Command::from(Account::new(bob(), 1, 1)),
    ] {
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c, "{json}");
    }
}
