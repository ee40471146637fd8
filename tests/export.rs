//! Export rules (seed 002) through the public API: both sides of every limit, the codes in
//! both renderings, the object names and the task states.

use chrono::{DateTime, TimeZone, Utc};
use machine_image::export::{
    Bucket, BucketName, ExportError, ExportFacts, ExportFormat, ExportRequest, ExportScope,
    ExportState, ExportTask, ExportTaskId, MAX_DATA_DISKS, MAX_DISK_GIB, ObjectPrefix,
    check_export,
};
use machine_image::{
    Account, AccountId, Image, ImageBuilder, ImageId, ImageName, ImageStatus, OwnerAlias, Platform,
    Provider, RegionId, Snapshot, SnapshotId,
};

const ALICE: &str = "1111111111111111";
const GZ: &str = "ap-guangzhou";
const SH: &str = "ap-shanghai";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn reg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}

fn account(enabled: bool) -> Account {
    Account::new(AccountId::new(ALICE).unwrap(), 500, 1000).enable_export(enabled)
}

fn snapshots(sizes: &[u64]) -> Vec<Snapshot> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, &size_gib)| {
            Snapshot::new(
                SnapshotId::new(format!("snap-disk{i:04}")).unwrap(),
                reg(GZ),
                AccountId::new(ALICE).unwrap(),
                t0(),
                size_gib,
            )
        })
        .collect()
}

fn image(snaps: &[Snapshot]) -> Image {
    image_named("img-abcd1234", "web", snaps)
}

/// A custom image of Alice in Guangzhou on `snaps`, sized by them.
fn image_named(id: &str, name: &str, snaps: &[Snapshot]) -> Image {
    image_b(id, name, snaps).build().unwrap()
}

fn image_b(id: &str, name: &str, snaps: &[Snapshot]) -> ImageBuilder {
    Image::custom(
        ImageId::new(id).unwrap(),
        reg(GZ),
        AccountId::new(ALICE).unwrap(),
        ImageName::new(name).unwrap(),
        snaps.iter().map(|s| s.id().clone()).collect(),
    )
    .size_from(snaps)
    .whole_machine(snaps.len() > 1)
    .created_at(t0())
}

fn bucket(region: &str) -> Bucket {
    Bucket::new(
        BucketName::new("exports-1250000000").unwrap(),
        reg(region),
        AccountId::new(ALICE).unwrap(),
    )
}

fn request(scope: ExportScope) -> ExportRequest {
    ExportRequest::new(
        ImageId::new("img-abcd1234").unwrap(),
        BucketName::new("exports-1250000000").unwrap(),
        ObjectPrefix::new("web").unwrap(),
    )
    .format(ExportFormat::Raw)
    .scope(scope)
}

/// A world for one check: each field can be changed before calling `check`.
struct Case {
    account: Option<Account>,
    image: ImageBuilder,
    alias: OwnerAlias,
    snapshots: Vec<Snapshot>,
    bucket: Option<Bucket>,
    exporting: bool,
    scope: ExportScope,
}

impl Case {
    fn new(sizes: &[u64]) -> Self {
        let snapshots = snapshots(sizes);
        Case {
            account: Some(account(true)),
            image: image_b("img-abcd1234", "web", &snapshots),
            alias: OwnerAlias::Own,
            snapshots,
            bucket: Some(bucket(GZ)),
            exporting: false,
            scope: ExportScope::WholeMachine,
        }
    }

    fn check(&self) -> Result<Vec<machine_image::export::ExportObject>, ExportError> {
        let refs: Vec<&Snapshot> = self.snapshots.iter().collect();
        check_export(
            &request(self.scope),
            &ExportFacts {
                account: self.account.as_ref(),
                image: &self.image.clone().build().unwrap(),
                owner_alias: self.alias,
                snapshots: &refs,
                bucket: self.bucket.as_ref(),
                already_exporting: self.exporting,
            },
        )
    }
}

fn codes(e: &ExportError) -> (&'static str, u16, &'static str) {
    let api = e.to_api_error();
    (
        api.code_for(Provider::Alibaba),
        api.http_status(),
        api.code_for(Provider::Tencent),
    )
}

#[test]
fn a_valid_export_names_its_objects_after_the_seed() {
    let objects = Case::new(&[40, 100, 200]).check().unwrap();
    let names: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["web_xvda.raw", "web_xvdb.raw", "web_xvdc.raw"]);
    assert_eq!(objects[1].size_gib, 100);
    assert_eq!(objects[2].disk, 2);
    assert_eq!(objects[0].snapshot.as_str(), "snap-disk0000");
}

#[test]
fn system_disk_only_writes_one_object() {
    let mut case = Case::new(&[40, 100, 200]);
    case.scope = ExportScope::SystemDiskOnly;
    let objects = case.check().unwrap();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].name, "web_xvda.raw");
}

#[test]
fn export_must_be_enabled() {
    let mut case = Case::new(&[40]);
    case.account = Some(account(false));
    let e = case.check().unwrap_err();
    assert_eq!(e, ExportError::NotEnabled);
    assert_eq!(
        codes(&e),
        ("UserNotInTheWhiteList", 403, "InvalidPermission")
    );
    assert_eq!(
        e.to_api_error().message(),
        "The user is not in the white list of exporting image."
    );
    case.account = None;
    assert_eq!(case.check().unwrap_err(), ExportError::NotEnabled);
    case.account = Some(account(true));
    assert!(case.check().is_ok());
}

#[test]
fn bucket_must_exist_in_the_image_region() {
    let mut case = Case::new(&[40]);
    case.bucket = Some(bucket(SH));
    let e = case.check().unwrap_err();
    assert!(matches!(e, ExportError::BucketInOtherRegion { .. }));
    assert_eq!(
        codes(&e),
        (
            "InvalidOSSBucket.NotFound",
            400,
            "InvalidParameterValue.BucketNotFound"
        )
    );
    assert_eq!(
        e.to_api_error().message(),
        "The specified OSS bucket does not exist in this region."
    );
    case.bucket = None;
    assert!(matches!(
        case.check().unwrap_err(),
        ExportError::BucketNotFound { .. }
    ));
    case.bucket = Some(bucket(GZ));
    assert!(case.check().is_ok());
}

#[test]
fn windows_images_are_refused() {
    let mut case = Case::new(&[40]);
    case.image = case.image.platform(Platform::Windows);
    let e = case.check().unwrap_err();
    assert_eq!(e, ExportError::Windows);
    assert_eq!(
        codes(&e),
        (
            "UnsupportedOperation.WindowsImageExportUnsupported",
            403,
            "UnsupportedOperation.WindowsImageExportUnsupported"
        )
    );
}

#[test]
fn each_disk_at_most_500_gib() {
    assert_eq!(MAX_DISK_GIB, 500);
    assert!(Case::new(&[500, 500, 500]).check().is_ok());
    let e = Case::new(&[501]).check().unwrap_err();
    assert_eq!(
        e,
        ExportError::DiskTooLarge {
            disk: 0,
            size_gib: 501,
            max_gib: 500
        }
    );
    assert_eq!(
        codes(&e),
        (
            "InvalidImage.DiskAmountOrSize",
            400,
            "UnsupportedOperation.ImageTooLargeExportUnsupported"
        )
    );
    assert_eq!(
        e.to_api_error().message(),
        "The diskSize of the image exceeds the maximum size."
    );
    // A data disk too.
    assert!(matches!(
        Case::new(&[40, 500, 501]).check().unwrap_err(),
        ExportError::DiskTooLarge { disk: 2, .. }
    ));
    // System disk only: the data disks are not written, so not checked.
    let mut case = Case::new(&[40, 501]);
    case.scope = ExportScope::SystemDiskOnly;
    assert!(case.check().is_ok());
}

#[test]
fn whole_machine_at_most_five_data_disks() {
    assert_eq!(MAX_DATA_DISKS, 5);
    let objects = Case::new(&[40, 10, 10, 10, 10, 10]).check().unwrap();
    assert_eq!(objects.len(), 6);
    assert_eq!(objects[5].name, "web_xvdf.raw");
    let e = Case::new(&[40, 10, 10, 10, 10, 10, 10])
        .check()
        .unwrap_err();
    assert_eq!(e, ExportError::TooManyDataDisks { count: 6, max: 5 });
    assert_eq!(
        codes(&e),
        (
            "InvalidImage.DiskAmountOrSize",
            400,
            "InvalidParameterValue.LimitExceeded"
        )
    );
    assert!(e.to_api_error().message().contains("6 data disk"));
    // System disk only: six data disks are fine.
    let mut case = Case::new(&[40, 10, 10, 10, 10, 10, 10]);
    case.scope = ExportScope::SystemDiskOnly;
    assert_eq!(case.check().unwrap().len(), 1);
}

#[test]
fn only_own_custom_images() {
    let mut case = Case::new(&[40]);
    case.alias = OwnerAlias::Others;
    let e = case.check().unwrap_err();
    assert_eq!(e, ExportError::SharedImage);
    assert_eq!(
        codes(&e),
        (
            "InvalidImageCategory.NotSupported",
            403,
            "UnsupportedOperation.SharedImageExportUnsupported"
        )
    );
    case.alias = OwnerAlias::System;
    let e = case.check().unwrap_err();
    assert_eq!(e, ExportError::PublicImage);
    assert_eq!(
        codes(&e),
        (
            "InvalidImageCategory.NotSupported",
            403,
            "UnsupportedOperation.PublicImageExportUnsupported"
        )
    );
    case.alias = OwnerAlias::Marketplace;
    let e = case.check().unwrap_err();
    assert_eq!(e, ExportError::MarketplaceImage);
    assert_eq!(
        codes(&e),
        (
            "ImageNotSupported",
            403,
            "UnsupportedOperation.PublicImageExportUnsupported"
        )
    );
    case.alias = OwnerAlias::Own;
    assert!(case.check().is_ok());
}

#[test]
fn image_must_be_available() {
    for status in [
        ImageStatus::Creating,
        ImageStatus::Waiting,
        ImageStatus::UnAvailable,
        ImageStatus::CreateFailed,
        ImageStatus::Deprecated,
    ] {
        let mut case = Case::new(&[40]);
        case.image = case.image.status(status);
        let e = case.check().unwrap_err();
        assert_eq!(e, ExportError::NotAvailable { status });
        assert_eq!(
            codes(&e),
            (
                "IncorrectImageStatus",
                400,
                "InvalidParameterValue.InvalidImageState"
            )
        );
        assert_eq!(
            e.to_api_error().message(),
            "The specified Image is not available."
        );
    }
}

#[test]
fn one_export_of_an_image_at_a_time() {
    let mut case = Case::new(&[40]);
    case.exporting = true;
    let e = case.check().unwrap_err();
    assert_eq!(e, ExportError::AlreadyExporting);
    assert_eq!(
        codes(&e),
        (
            "ImageIsExporting",
            403,
            "InvalidParameterValue.InvalidImageState"
        )
    );
}

#[test]
fn the_check_order_is_stable() {
    // Everything wrong at once: the allow-list is checked first, then the category, the
    // platform, the status, a running export, the bucket, the disk count, the disk size.
    let mut case = Case::new(&[40, 10, 10, 10, 10, 10, 501]);
    case.account = Some(account(false));
    case.alias = OwnerAlias::Others;
    case.image = case.image.platform(Platform::Windows);
    case.image = case.image.status(ImageStatus::Creating);
    case.exporting = true;
    case.bucket = Some(bucket(SH));
    let mut seen = Vec::new();
    loop {
        match case.check() {
            Ok(_) => break,
            Err(e) => {
                seen.push(std::mem::discriminant(&e));
                match e {
                    ExportError::NotEnabled => case.account = Some(account(true)),
                    ExportError::SharedImage => case.alias = OwnerAlias::Own,
                    ExportError::Windows => case.image = case.image.platform(Platform::Linux),
                    ExportError::NotAvailable { .. } => {
                        case.image = case.image.status(ImageStatus::Available)
                    }
                    ExportError::AlreadyExporting => case.exporting = false,
                    ExportError::BucketInOtherRegion { .. } => case.bucket = Some(bucket(GZ)),
                    ExportError::TooManyDataDisks { .. } => {
                        case.snapshots.remove(1);
                    }
                    ExportError::DiskTooLarge { .. } => case.snapshots.pop().map(|_| ()).unwrap(),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
    }
    assert_eq!(seen.len(), 8);
}

#[test]
fn formats_change_the_extension() {
    let mut req = request(ExportScope::WholeMachine);
    req.format = ExportFormat::parse_for(Provider::Tencent, "VMDK").unwrap();
    let case = Case::new(&[40, 10]);
    let refs: Vec<&Snapshot> = case.snapshots.iter().collect();
    let objects = check_export(
        &req,
        &ExportFacts {
            account: case.account.as_ref(),
            image: &case.image.clone().build().unwrap(),
            owner_alias: OwnerAlias::Own,
            snapshots: &refs,
            bucket: case.bucket.as_ref(),
            already_exporting: false,
        },
    )
    .unwrap();
    assert_eq!(objects[0].name, "web_xvda.vmdk");
    assert_eq!(objects[1].name, "web_xvdb.vmdk");
}

#[test]
fn task_lifecycle_and_refused_moves() {
    let objects = Case::new(&[40, 10]).check().unwrap();
    let mut task = ExportTask::queued(
        ExportTaskId(1),
        AccountId::new(ALICE).unwrap(),
        reg(GZ),
        &request(ExportScope::WholeMachine),
        objects,
        t0(),
    );
    let fresh = task.clone();
    assert_eq!(task.state(), ExportState::Queued);
    assert!(task.state().is_live());
    assert_eq!(task.size_gib(), 50);
    // Not running yet: no progress, no finish, no failure.
    assert!(task.report_progress(10).is_err());
    assert!(task.finish(t0()).is_err());
    assert!(task.fail(t0(), "x".into()).is_err());
    task.start(t0()).unwrap();
    assert_eq!(task.state(), ExportState::Running);
    assert!(task.start(t0()).is_err());
    task.report_progress(40).unwrap();
    assert_eq!(task.progress(), 40);
    task.finish(t0()).unwrap();
    assert_eq!(task.state(), ExportState::Succeeded);
    assert_eq!(task.progress(), 100);
    assert_eq!(task.ended_at(), Some(t0()));
    let e = task.cancel(t0()).unwrap_err();
    assert_eq!(e.from, ExportState::Succeeded);
    assert_eq!(e.action, "cancel");
    // A refused move changes nothing.
    assert_eq!(task.state(), ExportState::Succeeded);

    let mut failing = fresh.clone();
    failing.start(t0()).unwrap();
    failing.fail(t0(), "bucket full".into()).unwrap();
    assert_eq!(failing.state(), ExportState::Failed);
    assert_eq!(failing.failure_reason(), Some("bucket full"));

    let mut queued = fresh;
    queued.cancel(t0()).unwrap();
    assert_eq!(queued.state(), ExportState::Cancelled);
    assert!(!queued.state().is_live());
}

// ============================================================================ the engine

mod engine {
    use super::*;
    use chrono::Duration;
    use machine_image::engine::{
        AcceptedExport, CancelExport, Command, DeleteImage, Effect, EngineError, Event,
        ExportImage, HostError, HostReport, ImageService, ModifyImageSharePermission, Outcome,
    };
    use machine_image::sim::{Simulator, export_duration};

    const BOB: &str = "2222222222222222";

    fn acct(s: &str) -> AccountId {
        AccountId::new(s).unwrap()
    }

    fn mins(m: i64) -> DateTime<Utc> {
        t0() + Duration::minutes(m)
    }

    /// Alice (export enabled) with a two-disk image in Guangzhou, a bucket there and one in
    /// Shanghai; Bob (export enabled) sees the image shared.
    fn world() -> ImageService {
        let mut s = ImageService::new(machine_image::Profile::tencent());
        let snaps = snapshots(&[40, 100]);
        for a in [
            account(true),
            Account::new(acct(BOB), 500, 1000).enable_export(true),
        ] {
            s.handle(t0(), Command::from(a)).unwrap();
        }
        for snap in &snaps {
            s.handle(t0(), Command::from(snap.clone())).unwrap();
        }
        s.handle(t0(), Command::from(image(&snaps))).unwrap();
        for region in [GZ, SH] {
            let mut b = bucket(region);
            if region == SH {
                b.name = BucketName::new("far-away-1250000000").unwrap();
            }
            s.handle(t0(), Command::from(b)).unwrap();
        }
        s.handle(
            t0(),
            Command::from(
                ModifyImageSharePermission::new(
                    acct(ALICE),
                    reg(GZ),
                    ImageId::new("img-abcd1234").unwrap(),
                )
                .share_with([acct(BOB)]),
            ),
        )
        .unwrap();
        s.drain_events();
        s.drain_effects();
        s
    }

    fn export_call(caller: &str) -> ExportImage {
        ExportImage::from_request(acct(caller), reg(GZ), request(ExportScope::WholeMachine))
    }

    /// Handles `command`, which must be refused, and checks nothing changed.
    fn refused(s: &mut ImageService, at: DateTime<Utc>, command: Command) -> EngineError {
        s.drain_events();
        s.drain_effects();
        let before = serde_json::to_string(&*s).unwrap();
        let e = s.handle(at, command).unwrap_err();
        assert_eq!(serde_json::to_string(&*s).unwrap(), before);
        assert!(s.poll_event().is_none());
        assert!(s.poll_effect().is_none());
        s.check_invariants().unwrap();
        e
    }

    fn delete(caller: &str) -> Command {
        Command::from(DeleteImage::new(
            acct(caller),
            reg(GZ),
            ImageId::new("img-abcd1234").unwrap(),
        ))
    }

    #[test]
    fn resume_issues_an_exports_start_again_with_its_reported_start() {
        let mut s = world();
        let AcceptedExport { task, .. } = s
            .call(mins(1), export_call(ALICE))
            .unwrap()
            .expect("not a dry run");
        let first = s.drain_effects();
        assert!(matches!(
            first.as_slice(),
            [Effect::StartExport { accepted_at, started_at: None, .. }] if *accepted_at == mins(1)
        ));
        // Queued: resumed as first issued.
        s.resume();
        assert_eq!(s.drain_effects(), first);
        s.handle(mins(3), Command::from(HostReport::ExportStarted(task)))
            .unwrap();
        // Reported again while running: nothing changes.
        let before = serde_json::to_string(&s).unwrap();
        assert_eq!(
            s.handle(mins(4), Command::from(HostReport::ExportStarted(task))),
            Ok(Outcome::Reported)
        );
        assert_eq!(serde_json::to_string(&s).unwrap(), before);
        s.resume();
        assert!(matches!(
            s.drain_effects().as_slice(),
            [Effect::StartExport { started_at: Some(at), .. }] if *at == mins(3)
        ));
    }

    #[test]
    fn an_export_runs_through_its_states_and_guards_the_image() {
        let mut s = world();
        let AcceptedExport { task, objects, .. } = s
            .call(mins(1), export_call(ALICE))
            .unwrap()
            .expect("not a dry run");
        assert_eq!(task, ExportTaskId(1));
        assert_eq!(objects, ["web_xvda.raw", "web_xvdb.raw"]);
        // The host is told what to write.
        let effects = s.drain_effects();
        let [
            Effect::StartExport {
                task: t,
                bucket,
                objects,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(*t, task);
        assert_eq!(bucket.as_str(), "exports-1250000000");
        assert_eq!(objects[1].size_gib, 100);
        assert!(matches!(
            s.drain_events().as_slice(),
            [machine_image::engine::EventRecord {
                event: Event::ExportAccepted { .. },
                ..
            }]
        ));
        assert_eq!(s.state().export(task).unwrap().state(), ExportState::Queued);
        s.check_invariants().unwrap();

        // Queued: the image can't be deleted nor exported again; finishing is refused.
        let e = refused(&mut s, mins(2), delete(ALICE));
        assert_eq!(e.code().unwrap().as_str(), "ImageIsExporting");
        assert_eq!(e.api_error().unwrap().http_status(), 403);
        assert_eq!(
            e.api_error().unwrap().message(),
            "The specified Image is exporting. Please cancel task first."
        );
        assert_eq!(
            e.api_error().unwrap().code_for(Provider::Tencent),
            "InvalidParameterValue.InvalidImageState"
        );
        let e = refused(&mut s, mins(2), Command::from(export_call(ALICE)));
        assert_eq!(e.code().unwrap().as_str(), "ImageIsExporting");
        assert!(
            e.api_error()
                .unwrap()
                .message()
                .contains("is being exported")
        );
        assert!(matches!(
            refused(
                &mut s,
                mins(2),
                Command::from(HostReport::ExportFinished(task))
            ),
            EngineError::Host(HostError::ExportTransition(_))
        ));

        // Running, progressing, finished.
        s.handle(mins(3), Command::from(HostReport::ExportStarted(task)))
            .unwrap();
        assert_eq!(
            s.state().export(task).unwrap().state(),
            ExportState::Running
        );
        assert_eq!(s.state().export(task).unwrap().started_at(), Some(mins(3)));
        s.handle(
            mins(4),
            Command::from(HostReport::ExportProgress { task, percent: 30 }),
        )
        .unwrap();
        assert!(matches!(
            refused(
                &mut s,
                mins(4),
                Command::from(HostReport::ExportProgress { task, percent: 20 })
            ),
            EngineError::Host(HostError::ExportProgressWentBack { .. })
        ));
        assert!(matches!(
            refused(
                &mut s,
                mins(4),
                Command::from(HostReport::ExportProgress { task, percent: 101 })
            ),
            EngineError::Host(HostError::ExportProgressOutOfRange { .. })
        ));
        assert_eq!(
            refused(&mut s, mins(4), delete(ALICE))
                .code()
                .unwrap()
                .as_str(),
            "ImageIsExporting"
        );
        s.handle(mins(9), Command::from(HostReport::ExportFinished(task)))
            .unwrap();
        let t = s.state().export(task).unwrap();
        assert_eq!(
            (t.state(), t.progress(), t.ended_at()),
            (ExportState::Succeeded, 100, Some(mins(9)))
        );
        s.check_invariants().unwrap();
        // Over: cancelling is refused, the image can be exported again and deleted.
        let e = refused(
            &mut s,
            mins(10),
            Command::from(CancelExport::new(acct(ALICE), reg(GZ), task)),
        );
        assert_eq!(
            e.code().unwrap().as_str(),
            "InvalidTaskId.IncorrectTaskStatus"
        );
        // The export is over: the image (shared with Bob) can be deleted, its shares revoked.
        s.handle(mins(10), delete(ALICE)).unwrap();
        s.check_invariants().unwrap();
    }

    #[test]
    fn failed_and_cancelled_exports_release_the_image() {
        let mut s = world();
        s.handle(mins(1), Command::from(export_call(ALICE)))
            .unwrap();
        s.handle(
            mins(1),
            Command::from(HostReport::ExportStarted(ExportTaskId(1))),
        )
        .unwrap();
        s.handle(
            mins(2),
            Command::from(HostReport::ExportFailed {
                task: ExportTaskId(1),
                reason: "COS write denied".into(),
            }),
        )
        .unwrap();
        let t = s.state().export(ExportTaskId(1)).unwrap();
        assert_eq!(t.state(), ExportState::Failed);
        assert_eq!(t.failure_reason(), Some("COS write denied"));
        assert!(s.state().live_export_of(&t.image).is_none());

        // A second export; Bob can't cancel it (not his), Alice can, queued or running.
        s.drain_effects();
        s.handle(mins(3), Command::from(export_call(ALICE)))
            .unwrap();
        let cancel = |who: &str, region: &str| {
            Command::from(CancelExport::new(acct(who), reg(region), ExportTaskId(2)))
        };
        assert_eq!(
            refused(&mut s, mins(4), cancel(BOB, GZ))
                .code()
                .unwrap()
                .as_str(),
            "InvalidTaskId.NotFound"
        );
        assert_eq!(
            refused(&mut s, mins(4), cancel(ALICE, SH))
                .code()
                .unwrap()
                .as_str(),
            "InvalidTaskId.NotFound"
        );
        s.drain_effects();
        assert_eq!(
            s.handle(mins(4), cancel(ALICE, GZ)).unwrap(),
            Outcome::ExportCancelled {
                task: ExportTaskId(2)
            }
        );
        assert_eq!(
            s.drain_effects(),
            [Effect::AbortExport {
                task: ExportTaskId(2)
            }]
        );
        assert_eq!(
            s.state().export(ExportTaskId(2)).unwrap().state(),
            ExportState::Cancelled
        );
        s.handle(mins(5), delete(ALICE)).unwrap();
        s.check_invariants().unwrap();
    }

    #[test]
    fn engine_refusals_carry_the_export_rules() {
        let mut s = world();
        // Shared with Bob: not his to export.
        let e = refused(&mut s, mins(1), Command::from(export_call(BOB)));
        assert_eq!(
            e.api_error().unwrap().code_for(Provider::Tencent),
            "UnsupportedOperation.SharedImageExportUnsupported"
        );
        // A bucket in another region.
        let mut far = export_call(ALICE);
        far.request.bucket = BucketName::new("far-away-1250000000").unwrap();
        let e = refused(&mut s, mins(1), Command::from(far));
        assert_eq!(e.code().unwrap().as_str(), "InvalidOSSBucket.NotFound");
        // No such bucket.
        let mut none = export_call(ALICE);
        none.request.bucket = BucketName::new("nowhere").unwrap();
        let e = refused(&mut s, mins(1), Command::from(none));
        assert_eq!(
            e.api_error().unwrap().code_for(Provider::Tencent),
            "InvalidParameterValue.BucketNotFound"
        );
        // Not enabled.
        s.handle(mins(1), Command::from(account(false))).unwrap();
        let e = refused(&mut s, mins(2), Command::from(export_call(ALICE)));
        assert_eq!(e.code().unwrap().as_str(), "UserNotInTheWhiteList");
        // No caller; unknown region; not visible.
        let anonymous = export_call(ALICE).without_caller();
        assert_eq!(
            refused(&mut s, mins(2), Command::from(anonymous))
                .code()
                .unwrap()
                .as_str(),
            "InvalidAliUid.IsNull"
        );
        let mut elsewhere = export_call(ALICE);
        elsewhere.region = reg(SH);
        assert_eq!(
            refused(&mut s, mins(2), Command::from(elsewhere))
                .code()
                .unwrap()
                .as_str(),
            "InvalidImageId.NotFound"
        );
        // A dry run checks and changes nothing.
        s.handle(mins(2), Command::from(account(true))).unwrap();
        s.drain_events();
        let before = serde_json::to_string(&s).unwrap();
        let dry = export_call(ALICE).dry_run(true);
        assert_eq!(s.call(mins(3), dry).unwrap(), None);
        assert_eq!(serde_json::to_string(&s).unwrap(), before);
        assert!(s.poll_effect().is_none());
    }

    #[test]
    fn another_accounts_bucket_and_an_image_without_disks_are_refused() {
        let mut s = world();
        // Bob's bucket in Guangzhou is not Alice's to write to: as absent as none.
        let mut bobs = bucket(GZ);
        bobs.name = BucketName::new("bob-1250000002").unwrap();
        bobs.owner = acct(BOB);
        s.handle(mins(1), Command::from(bobs.clone())).unwrap();
        let mut call = export_call(ALICE);
        call.request.bucket = bobs.name.clone();
        let e = refused(&mut s, mins(1), Command::from(call));
        assert_eq!(e.code().unwrap().as_str(), "InvalidOSSBucket.NotFound");
        assert_eq!(
            e.api_error().unwrap().code_for(Provider::Tencent),
            "InvalidParameterValue.BucketNotFound"
        );
        // An own image that names no snapshot has no system disk to write.
        let bare = Image::custom(
            ImageId::new("img-bare0001").unwrap(),
            reg(GZ),
            AccountId::new(ALICE).unwrap(),
            ImageName::new("bare").unwrap(),
            Vec::new(),
        )
        .size_gib(600)
        .created_at(t0())
        .build()
        .unwrap();
        s.handle(mins(1), Command::from(bare.clone())).unwrap();
        let mut call = export_call(ALICE);
        call.request.image = bare.id().clone();
        let e = refused(&mut s, mins(2), Command::from(call));
        assert_eq!(e.code().unwrap().as_str(), "InvalidSnapshotId.NotFound");
    }

    #[test]
    fn live_exports_are_listed_oldest_first_whatever_the_history() {
        let mut s = world();
        // Five more images, each exported; then some cancelled.
        for i in 1..=5u64 {
            let snap = Snapshot::new(
                SnapshotId::new(format!("snap-more{i:04}")).unwrap(),
                reg(GZ),
                AccountId::new(ALICE).unwrap(),
                t0(),
                10,
            );
            let more = image_named(
                &format!("img-more{i:04}"),
                &format!("more{i}"),
                std::slice::from_ref(&snap),
            );
            s.handle(t0(), Command::from(snap)).unwrap();
            s.handle(t0(), Command::from(more)).unwrap();
        }
        let ids: Vec<String> = std::iter::once("img-abcd1234".to_string())
            .chain((1..=5).map(|i| format!("img-more{i:04}")))
            .collect();
        for (n, id) in ids.iter().enumerate() {
            let mut call = export_call(ALICE);
            call.request.image = ImageId::new(id.as_str()).unwrap();
            call.request.prefix =
                machine_image::export::ObjectPrefix::parse_for(Provider::Tencent, &format!("p{n}"))
                    .unwrap();
            s.handle(mins(1), Command::from(call)).unwrap();
        }
        for task in [1, 2, 4, 5] {
            s.handle(
                mins(2),
                Command::from(CancelExport::new(acct(ALICE), reg(GZ), ExportTaskId(task))),
            )
            .unwrap();
        }
        s.drain_events();
        let back: ImageService = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        for service in [&s, &back] {
            let live: Vec<u64> = service.state().live_exports().map(|t| t.id.0).collect();
            assert_eq!(live, [3, 6]);
        }
        // And a simulator runs them the same way before and after the round trip.
        let mut a = Simulator::from_service(s);
        let mut b = Simulator::from_service(back);
        a.advance_to(mins(3)).unwrap();
        b.advance_to(mins(3)).unwrap();
        assert_eq!(
            a.service_mut().drain_events(),
            b.service_mut().drain_events()
        );
    }

    #[test]
    fn fixtures_for_buckets_are_checked() {
        let mut s = world();
        let e = refused(&mut s, mins(1), Command::from(bucket(GZ)));
        assert!(matches!(e, EngineError::Fixture(_)));
        let mut nowhere = bucket(GZ);
        nowhere.name = BucketName::new("other-bucket").unwrap();
        nowhere.region = reg("cn-hangzhou");
        assert!(matches!(
            refused(&mut s, mins(1), Command::from(nowhere)),
            EngineError::Fixture(_)
        ));
    }

    #[test]
    fn exports_survive_serialisation_and_replay() {
        let mut s = world();
        let mut log = Vec::new();
        s.handle(mins(1), Command::from(export_call(ALICE)))
            .unwrap();
        s.handle(
            mins(2),
            Command::from(HostReport::ExportStarted(ExportTaskId(1))),
        )
        .unwrap();
        log.extend(s.drain_events());
        let json = serde_json::to_string(&s).unwrap();
        let back: ImageService = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(
            back.state()
                .live_export_of(&ImageId::new("img-abcd1234").unwrap()),
            Some(ExportTaskId(1))
        );
        // The restored index still guards the image.
        let mut back = back;
        assert_eq!(
            refused(&mut back, mins(3), delete(ALICE))
                .code()
                .unwrap()
                .as_str(),
            "ImageIsExporting"
        );
        // Replaying the whole log (fixtures included) rebuilds the same state.
        let mut full = world_log();
        full.extend(log);
        let rebuilt = ImageService::from_events(machine_image::Profile::tencent(), &full).unwrap();
        assert_eq!(rebuilt, s);
    }

    #[test]
    fn a_state_breaking_the_export_invariant_is_refused() {
        let mut s = world();
        s.handle(mins(1), Command::from(export_call(ALICE)))
            .unwrap();
        let json: serde_json::Value = serde_json::to_value(&s).unwrap();
        assert!(serde_json::from_value::<ImageService>(json.clone()).is_ok());
        // The live export's bucket removed: refused.
        let mut no_bucket = json.clone();
        no_bucket["state"]["buckets"]
            .as_array_mut()
            .unwrap()
            .retain(|b| b["name"] != "exports-1250000000");
        let e = serde_json::from_value::<ImageService>(no_bucket).unwrap_err();
        assert!(e.to_string().contains("bucket"), "{e}");
        // The live export's objects renamed: refused.
        let mut renamed = json.clone();
        renamed["state"]["exports"][0]["objects"][1]["name"] = "web_xvdz.raw".into();
        let e = serde_json::from_value::<ImageService>(renamed).unwrap_err();
        assert!(e.to_string().contains("objects"), "{e}");
        // Its image deleted: refused.
        let mut no_image = json;
        no_image["state"]["images"]
            .as_array_mut()
            .unwrap()
            .retain(|i| i["id"] != "img-abcd1234");
        assert!(serde_json::from_value::<ImageService>(no_image).is_err());
    }

    fn world_log() -> Vec<machine_image::engine::EventRecord> {
        // The same fixtures as `world`, with their events kept.
        let mut s = ImageService::new(machine_image::Profile::tencent());
        let snaps = snapshots(&[40, 100]);
        let b = Account::new(acct(BOB), 500, 1000).enable_export(true);
        s.handle(t0(), Command::from(account(true))).unwrap();
        s.handle(t0(), Command::from(b)).unwrap();
        for snap in &snaps {
            s.handle(t0(), Command::from(snap.clone())).unwrap();
        }
        s.handle(t0(), Command::from(image(&snaps))).unwrap();
        s.handle(t0(), Command::from(bucket(GZ))).unwrap();
        let mut far = bucket(SH);
        far.name = BucketName::new("far-away-1250000000").unwrap();
        s.handle(t0(), Command::from(far)).unwrap();
        s.handle(
            t0(),
            Command::from(
                ModifyImageSharePermission::new(
                    acct(ALICE),
                    reg(GZ),
                    ImageId::new("img-abcd1234").unwrap(),
                )
                .share_with([acct(BOB)]),
            ),
        )
        .unwrap();
        s.drain_events()
    }

    #[test]
    fn the_simulator_starts_and_completes_exports() {
        let mut sim = Simulator::from_service(world());
        let AcceptedExport { task, .. } = sim
            .call(mins(1), export_call(ALICE))
            .unwrap()
            .expect("not a dry run");
        // 140 GiB: 5 minutes + 14 minutes.
        assert_eq!(export_duration(140), Duration::minutes(19));
        sim.advance_to(mins(1)).unwrap();
        let t = sim.service().state().export(task).unwrap();
        assert_eq!(
            (t.state(), t.started_at()),
            (ExportState::Running, Some(mins(1)))
        );
        sim.advance_to(mins(11)).unwrap();
        let t = sim.service().state().export(task).unwrap();
        assert_eq!(t.state(), ExportState::Running);
        assert!(t.progress() > 40 && t.progress() < 60, "{}", t.progress());
        sim.advance_to(mins(30)).unwrap();
        let t = sim.service().state().export(task).unwrap();
        assert_eq!(
            (t.state(), t.ended_at()),
            (ExportState::Succeeded, Some(mins(20)))
        );
        sim.service().check_invariants().unwrap();
    }
}
