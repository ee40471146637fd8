//! Errors by blame: a customer's refusal carries the provider's error (code, HTTP status,
//! message); a host's mistake, a refused fixture and an internal error are their own typed
//! variants with their own messages, and only the runner's `replay::wire_error` turns them
//! into wire errors.

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    AcceptedExport, ApplyError, CopyImage, DeleteImage, Effect, EngineError, ExportImage, Fixture,
    FixtureError, HostError, HostReport, ImageService, InternalError,
};
use machine_image::export::{Bucket, BucketName, ExportTaskId, ObjectPrefix};
use machine_image::replay::wire_error;
use machine_image::{
    Account, AccountId, ErrorCode, Image, ImageId, ImageName, Profile, RegionId, Snapshot,
    SnapshotId, TaskId,
};

const ALICE: &str = "1111111111111111";
const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";

fn t(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(m)
}

fn alice() -> AccountId {
    AccountId::new(ALICE).unwrap()
}

fn reg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}

fn src() -> ImageId {
    ImageId::new("m-source1").unwrap()
}

fn snapshot() -> Snapshot {
    snapshot_in("s-sys1", HZ)
}

fn snapshot_in(id: &str, region: &str) -> Snapshot {
    Snapshot::new(SnapshotId::new(id).unwrap(), reg(region), alice(), t(0), 40)
}

fn image() -> Image {
    image_named(src(), "web")
}

fn image_named(id: ImageId, name: &str) -> Image {
    Image::custom(
        id,
        reg(HZ),
        alice(),
        ImageName::new(name).unwrap(),
        vec![SnapshotId::new("s-sys1").unwrap()],
    )
    .size_gib(40)
    .created_at(t(0))
    .build()
    .unwrap()
}

/// Alice (export enabled) with a custom image in Hangzhou and a bucket there.
fn world() -> ImageService {
    let mut s = ImageService::new(Profile::alibaba());
    let account = Account::new(alice(), 10, 100).enable_export(true);
    s.register(t(0), Fixture::Account(account)).unwrap();
    s.register(t(0), Fixture::Snapshot(snapshot())).unwrap();
    s.register(t(0), Fixture::Image(image())).unwrap();
    let bucket = Bucket::new(BucketName::new("exports").unwrap(), reg(HZ), alice());
    s.register(t(0), Fixture::Bucket(bucket)).unwrap();
    s
}

fn copy_to(dest: &str) -> CopyImage {
    CopyImage::new(alice(), reg(HZ), src(), [reg(dest)])
}

fn export() -> ExportImage {
    ExportImage::new(
        alice(),
        reg(HZ),
        src(),
        BucketName::new("exports").unwrap(),
        ObjectPrefix::new("web").unwrap(),
    )
}

/// `input` is refused, and nothing changed.
fn refused(
    s: &mut ImageService,
    input: impl FnOnce(&mut ImageService) -> Result<(), EngineError>,
) -> EngineError {
    s.drain_events();
    s.drain_effects();
    let before = serde_json::to_string(&*s).unwrap();
    let e = input(s).unwrap_err();
    assert_eq!(serde_json::to_string(&*s).unwrap(), before, "{e}");
    assert!(s.poll_event().is_none() && s.poll_effect().is_none(), "{e}");
    e
}

/// The checks every error that is not a customer's passes: no provider code, the given
/// status, and a message that names neither a provider code nor a replay field.
fn not_the_customers(e: &EngineError, status: u16) {
    assert_eq!(e.code(), None, "{e:?}");
    assert!(e.api_error().is_none(), "{e:?}");
    assert_eq!(e.http_status(), status, "{e:?}");
    let message = e.to_string();
    let wire = wire_error(e);
    assert!(
        !message.contains(wire.code().as_str()),
        "{message:?} names the wire code {}",
        wire.code().as_str()
    );
    for dressed in ["\"at\"", "\"TaskId\"", "\"Progress\"", "parameter"] {
        assert!(!message.contains(dressed), "{message:?} names {dressed}");
    }
}

#[test]
fn a_customers_refusal_carries_code_status_and_message() {
    let mut s = world();
    let missing = DeleteImage::new(alice(), reg(HZ), ImageId::new("m-missing1").unwrap());
    let e = s.call(t(1), missing).unwrap_err();
    let api = e.api_error().expect("a customer's refusal");
    assert_eq!(e.code(), Some(ErrorCode::InvalidImageIdNotFound));
    assert_eq!(api.code().as_str(), "InvalidImageId.NotFound");
    assert_eq!(e.http_status(), 404);
    assert_eq!(e.http_status(), api.http_status());
    assert!(matches!(&e, EngineError::Rejected(inner) if inner == api));
    // The runner answers it as it is.
    assert_eq!(&wire_error(&e), api);

    // A call without a caller: refused before anything else, 401.
    let anonymous = copy_to(SH).without_caller();
    let e = s.call(t(1), anonymous).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::InvalidAliUidIsNull));
    assert_eq!(e.http_status(), 401);
    assert_eq!(
        e.api_error().unwrap().message(),
        "The aliUid must not be null"
    );
}

#[test]
fn each_copy_report_mistake_is_the_hosts() {
    let mut s = world();
    s.register(
        t(0),
        Fixture::Image(image_named(ImageId::new("m-source2").unwrap(), "web2")),
    )
    .unwrap();
    let running = s.call(t(1), copy_to(SH)).unwrap().remove(0);
    let queued = s
        .call(
            t(1),
            CopyImage::new(
                alice(),
                reg(HZ),
                ImageId::new("m-source2").unwrap(),
                [reg(SH)],
            ),
        )
        .unwrap()
        .remove(0);
    s.drain_effects();
    s.report(
        t(2),
        HostReport::CopyProgress {
            task: running.task,
            percent: 50,
        },
    )
    .unwrap();
    // A report, what the host error must be, and the runner's wire code for it.
    type Case = (HostReport, fn(&HostError) -> bool, ErrorCode);
    let cases: Vec<Case> = vec![
        // Finishing a queued copy: a move the diagram lacks.
        (
            HostReport::CopyFinished(queued.task),
            |h| matches!(h, HostError::CopyTransition(t) if t.action == "finish"),
            ErrorCode::IncorrectImageStatus,
        ),
        // A copy the engine never accepted.
        (
            HostReport::CopyFailed {
                task: TaskId(42),
                reason: "disk".into(),
            },
            |h| matches!(h, HostError::UnknownTask(TaskId(42))),
            ErrorCode::InvalidParameter,
        ),
        // Progress above 100.
        (
            HostReport::CopyProgress {
                task: running.task,
                percent: 101,
            },
            |h| matches!(h, HostError::ProgressOutOfRange { percent: 101, .. }),
            ErrorCode::InvalidParameter,
        ),
        // Progress going back.
        (
            HostReport::CopyProgress {
                task: running.task,
                percent: 40,
            },
            |h| {
                matches!(
                    h,
                    HostError::ProgressWentBack {
                        from: 50,
                        to: 40,
                        ..
                    }
                )
            },
            ErrorCode::InvalidParameter,
        ),
    ];
    for (report, is, wire) in cases {
        let shown = format!("{report:?}");
        let e = refused(&mut s, |s| s.report(t(3), report));
        match &e {
            EngineError::Host(h) => assert!(is(h), "{shown}: {h:?}"),
            other => panic!("{shown}: not the host's: {other:?}"),
        }
        not_the_customers(&e, 400);
        assert_eq!(wire_error(&e).code(), wire, "{shown}");
    }
    // Each has its own message.
    let e = s
        .report(t(3), HostReport::CopyFinished(TaskId(42)))
        .unwrap_err();
    assert_eq!(e.to_string(), "no copy task task-42");
    let e = s
        .report(t(3), HostReport::CopyFinished(queued.task))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "copy report out of order: {} can't finish while Queued",
            queued.task
        )
    );
}

#[test]
fn each_export_report_mistake_is_the_hosts() {
    let mut s = world();
    let AcceptedExport { task, .. } = s.call(t(1), export()).unwrap().expect("not a dry run");
    assert!(matches!(
        s.drain_effects().as_slice(),
        [Effect::StartExport { .. }]
    ));
    // Finishing a queued export.
    let e = refused(&mut s, |s| s.report(t(2), HostReport::ExportFinished(task)));
    assert!(
        matches!(e, EngineError::Host(HostError::ExportTransition(_))),
        "{e:?}"
    );
    not_the_customers(&e, 400);
    assert_eq!(
        wire_error(&e).code(),
        ErrorCode::InvalidTaskIdIncorrectTaskStatus
    );
    // An export the engine never accepted.
    let e = s
        .report(t(2), HostReport::ExportStarted(ExportTaskId(9)))
        .unwrap_err();
    assert!(matches!(
        e,
        EngineError::Host(HostError::UnknownExport(ExportTaskId(9)))
    ));
    assert_eq!(e.to_string(), "no export task export-9");
    not_the_customers(&e, 400);
    assert_eq!(wire_error(&e).code(), ErrorCode::InvalidTaskIdNotFound);
    // Progress above 100, and going back.
    s.report(t(2), HostReport::ExportStarted(task)).unwrap();
    s.report(t(3), HostReport::ExportProgress { task, percent: 60 })
        .unwrap();
    for (percent, back) in [(101, false), (10, true)] {
        let e = s
            .report(t(4), HostReport::ExportProgress { task, percent })
            .unwrap_err();
        match e {
            EngineError::Host(HostError::ExportProgressOutOfRange { percent: p, .. }) => {
                assert!(!back);
                assert_eq!(p, 101);
            }
            EngineError::Host(HostError::ExportProgressWentBack { from, to, .. }) => {
                assert!(back);
                assert_eq!((from, to), (60, 10));
            }
            ref other => panic!("{other:?}"),
        }
        not_the_customers(&e, 400);
        assert_eq!(wire_error(&e).code(), ErrorCode::InvalidParameter);
    }
}

#[test]
fn time_going_backwards_is_the_hosts_whatever_the_input() {
    let mut s = world();
    s.call(t(10), copy_to(SH)).unwrap();
    type Input = Box<dyn FnOnce(&mut ImageService) -> Result<(), EngineError>>;
    let inputs: [Input; 3] = [
        Box::new(|s| s.call(t(9), copy_to(SH)).map(drop)),
        Box::new(|s| s.register(t(9), Fixture::Account(Account::new(alice(), 5, 5)))),
        Box::new(|s| s.report(t(9), HostReport::CopyFinished(TaskId(1)))),
    ];
    for input in inputs {
        let e = refused(&mut s, input);
        assert_eq!(
            e,
            EngineError::Host(HostError::TimeWentBackwards {
                last: t(10),
                now: t(9)
            })
        );
        not_the_customers(&e, 400);
        assert!(e.to_string().starts_with("time went backwards"), "{e}");
        // The runner still answers it as it always has.
        let wire = wire_error(&e);
        assert_eq!(wire.code(), ErrorCode::InvalidParameter);
        assert!(wire.message().contains("\"at\""), "{}", wire.message());
    }
}

#[test]
fn a_refused_fixture_is_the_fixtures() {
    let mut s = world();
    let e = refused(&mut s, |s| s.register(t(1), Fixture::Snapshot(snapshot())));
    assert_eq!(
        e,
        EngineError::Fixture(FixtureError::DuplicateId("s-sys1".into()))
    );
    not_the_customers(&e, 400);
    assert_eq!(e.to_string(), "s-sys1 exists already");
    let elsewhere = snapshot_in("s-sys2", "xx-nowhere-1");
    let e = s.register(t(1), Fixture::Snapshot(elsewhere)).unwrap_err();
    assert!(
        matches!(e, EngineError::Fixture(FixtureError::UnknownRegion(_))),
        "{e:?}"
    );
    not_the_customers(&e, 400);
    let wire = wire_error(&e);
    assert_eq!(wire.code(), ErrorCode::InvalidParameter);
    assert_eq!(
        wire.message(),
        "the fixture is refused: region xx-nowhere-1 is not in the catalogue"
    );
}

#[test]
fn an_internal_error_is_a_bug_not_a_refusal() {
    let bug = EngineError::from(ApplyError::UnknownTask(TaskId(7)));
    assert!(matches!(
        bug,
        EngineError::Internal(InternalError::Apply(_))
    ));
    not_the_customers(&bug, 500);
    assert_eq!(bug.to_string(), "internal: event names unknown copy task-7");
    assert_eq!(wire_error(&bug).code(), ErrorCode::InternalError);
    let mismatch = EngineError::Internal(InternalError::UnexpectedOutcome {
        call: "CopyImage",
        outcome: "Reported".into(),
    });
    assert_eq!(mismatch.http_status(), 500);
    assert_eq!(mismatch.code(), None);
    assert_eq!(
        mismatch.to_string(),
        "internal: CopyImage was answered with Reported"
    );
}
