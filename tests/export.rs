//! Export rules (seed 002) through the public API: both sides of every limit, the codes in
//! both renderings, the object names and the task states.

use chrono::{DateTime, TimeZone, Utc};
use machine_image::export::{
    Bucket, BucketName, ExportError, ExportFacts, ExportFormat, ExportRequest, ExportScope,
    ExportState, ExportTask, ExportTaskId, MAX_DATA_DISKS, MAX_DISK_GIB, ObjectPrefix,
    check_export,
};
use machine_image::{
    Account, AccountId, Image, ImageId, ImageKind, ImageName, ImageStatus, OwnerAlias, Platform,
    Provider, RegionId, Snapshot, SnapshotId, Tags,
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
    let mut a = Account::new(AccountId::new(ALICE).unwrap(), 500, 1000);
    a.export_enabled = enabled;
    a
}

fn snapshots(sizes: &[u64]) -> Vec<Snapshot> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, &size_gib)| Snapshot {
            id: SnapshotId::new(format!("snap-disk{i:04}")).unwrap(),
            region: reg(GZ),
            owner: AccountId::new(ALICE).unwrap(),
            created_at: t0(),
            size_gib,
            encrypted: false,
            kms_key: None,
        })
        .collect()
}

fn image(snaps: &[Snapshot]) -> Image {
    let id = ImageId::new("img-abcd1234").unwrap();
    Image {
        id: id.clone(),
        region: reg(GZ),
        owner: AccountId::new(ALICE).unwrap(),
        name: ImageName::new("web").unwrap(),
        description: None,
        kind: ImageKind::Custom,
        platform: Platform::Linux,
        snapshots: snaps.iter().map(|s| s.id.clone()).collect(),
        size_gib: snaps.iter().map(|s| s.size_gib).sum(),
        whole_machine: snaps.len() > 1,
        paid: false,
        ultimate_source: id,
        status: ImageStatus::Available,
        progress: 100,
        tags: Tags::empty(),
        copied_from: None,
        published_regions: Vec::new(),
        created_at: t0(),
    }
}

fn bucket(region: &str) -> Bucket {
    Bucket {
        name: BucketName::new("exports-1250000000").unwrap(),
        region: reg(region),
        owner: AccountId::new(ALICE).unwrap(),
    }
}

fn request(scope: ExportScope) -> ExportRequest {
    ExportRequest {
        image: ImageId::new("img-abcd1234").unwrap(),
        bucket: BucketName::new("exports-1250000000").unwrap(),
        prefix: ObjectPrefix::new("web").unwrap(),
        format: ExportFormat::Raw,
        scope,
    }
}

/// A world for one check: each field can be changed before calling `check`.
struct Case {
    account: Option<Account>,
    image: Image,
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
            image: image(&snapshots),
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
                image: &self.image,
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
    case.image.platform = Platform::Windows;
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
        case.image.status = status;
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
    case.image.platform = Platform::Windows;
    case.image.status = ImageStatus::Creating;
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
                    ExportError::Windows => case.image.platform = Platform::Linux,
                    ExportError::NotAvailable { .. } => case.image.status = ImageStatus::Available,
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
            image: &case.image,
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
    assert_eq!(task.state, ExportState::Queued);
    assert!(task.state.is_live());
    assert_eq!(task.size_gib(), 50);
    // Not running yet: no progress, no finish, no failure.
    assert!(task.progress(10).is_err());
    assert!(task.finish(t0()).is_err());
    assert!(task.fail(t0(), "x".into()).is_err());
    task.start(t0()).unwrap();
    assert_eq!(task.state, ExportState::Running);
    assert!(task.start(t0()).is_err());
    task.progress(40).unwrap();
    assert_eq!(task.progress, 40);
    task.finish(t0()).unwrap();
    assert_eq!(task.state, ExportState::Succeeded);
    assert_eq!(task.progress, 100);
    assert_eq!(task.ended_at, Some(t0()));
    let e = task.cancel(t0()).unwrap_err();
    assert_eq!(e.from, ExportState::Succeeded);
    assert_eq!(e.action, "cancel");
    // A refused move changes nothing.
    assert_eq!(task.state, ExportState::Succeeded);

    let mut failing = task.clone();
    failing.state = ExportState::Running;
    failing.fail(t0(), "bucket full".into()).unwrap();
    assert_eq!(failing.state, ExportState::Failed);
    assert_eq!(failing.failure_reason.as_deref(), Some("bucket full"));

    let mut queued = task.clone();
    queued.state = ExportState::Queued;
    queued.cancel(t0()).unwrap();
    assert_eq!(queued.state, ExportState::Cancelled);
    assert!(!queued.state.is_live());
}
