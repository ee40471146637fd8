//! Issue 17's calls, through the public API: `ModifyImageAttribute`,
//! `DescribeImageSharePermission`, Tencent `DeleteImages`, client tokens on exports, snapshot
//! lineage through `CreateImage`, and `ImportImage`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    CopyImage, DeleteImages, EngineError, Fixture, ImageService, ModifyImageAttribute,
    ModifyImageSharePermission, Request,
};
use machine_image::{
    Account, AccountId, ClientToken, Description, Image, ImageId, ImageName, Profile, Provider,
    RegionId, Snapshot, SnapshotId,
};

const ALICE: &str = "1111111111111111";
const BOB: &str = "2222222222222222";
const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";

fn t(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(m)
}
fn acct(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}
fn reg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}
fn img(s: &str) -> ImageId {
    ImageId::new(s).unwrap()
}
fn sid(s: &str) -> SnapshotId {
    SnapshotId::new(s).unwrap()
}
fn name(s: &str) -> ImageName {
    ImageName::new(s).unwrap()
}

/// Registers a snapshot and a custom image on it.
fn image(s: &mut ImageService, id: &str, region: &str, owner: &str, image_name: &str) {
    let snap = format!(
        "s-{}",
        id.trim_start_matches("m-").trim_start_matches("img-")
    );
    let snapshot = Snapshot::new(sid(&snap), reg(region), acct(owner), t(0), 40);
    s.register(t(0), snapshot.into()).unwrap();
    let image = Image::custom(
        img(id),
        reg(region),
        acct(owner),
        name(image_name),
        vec![sid(&snap)],
    )
    .size_gib(40)
    .created_at(t(0))
    .build()
    .unwrap();
    s.register(t(0), Fixture::Image(image)).unwrap();
}

/// Alice (and Bob, registered) with `m-web1` and `m-web2` in Hangzhou, Bob's `m-bob1`.
fn alibaba() -> ImageService {
    let mut s = ImageService::new(Profile::alibaba());
    for a in [ALICE, BOB] {
        s.register(t(0), Account::new(acct(a), 10, 100).into())
            .unwrap();
    }
    image(&mut s, "m-web1", HZ, ALICE, "web");
    image(&mut s, "m-web2", HZ, ALICE, "web-two");
    image(&mut s, "m-bob1", HZ, BOB, "bob");
    s
}

/// Sends `request`; on a refusal checks that nothing changed and returns the code.
fn refused<R: Request>(s: &mut ImageService, at: DateTime<Utc>, request: R) -> &'static str {
    let before = serde_json::to_string(&*s).unwrap();
    match s.call(at, request) {
        Err(EngineError::Rejected(e)) => {
            assert_eq!(
                serde_json::to_string(&*s).unwrap(),
                before,
                "a refusal changed the state"
            );
            e.code().as_str()
        }
        Err(other) => panic!("not a customer's refusal: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

// ============================================================================ ModifyImageAttribute

#[test]
fn rename_and_describe_own_image() {
    let mut s = alibaba();
    let call = ModifyImageAttribute::new(acct(ALICE), reg(HZ), img("m-web1"))
        .name(name("web-v2"))
        .description(Description::new("second").unwrap());
    assert_eq!(s.call(t(1), call).unwrap(), img("m-web1"));
    let image = s.state().image(&img("m-web1")).unwrap();
    assert_eq!(image.name().as_str(), "web-v2");
    assert_eq!(image.description().map(|d| d.as_str()), Some("second"));
    // The old name is free again, the new one taken.
    assert_eq!(
        s.state().image_named(&acct(ALICE), &reg(HZ), &name("web")),
        None
    );
    assert_eq!(
        refused(
            &mut s,
            t(2),
            ModifyImageAttribute::new(acct(ALICE), reg(HZ), img("m-web2")).name(name("web-v2"))
        ),
        "InvalidImageName.Duplicated"
    );
    // Its own name again is not a duplicate.
    let same = ModifyImageAttribute::new(acct(ALICE), reg(HZ), img("m-web1")).name(name("web-v2"));
    assert_eq!(s.call(t(3), same).unwrap(), img("m-web1"));
    s.check_invariants().unwrap();
    // The log rebuilds it.
    let log = s.drain_events();
    let rebuilt = ImageService::from_events(Profile::alibaba(), &log).unwrap();
    assert!(rebuilt == s);
}

#[test]
fn rename_rules_and_codes() {
    let mut s = alibaba();
    let rename = |caller: &str, image: &str| {
        ModifyImageAttribute::new(acct(caller), reg(HZ), img(image)).name(name("renamed"))
    };
    // Another account's image: invisible, then visible through a share but not owned.
    assert_eq!(
        refused(&mut s, t(1), rename(BOB, "m-web1")),
        "InvalidImageId.NotFound"
    );
    let share = ModifyImageSharePermission::new(acct(ALICE), reg(HZ), img("m-web1"))
        .share_with([acct(BOB)]);
    s.call(t(1), share).unwrap();
    assert_eq!(refused(&mut s, t(2), rename(BOB, "m-web1")), "Forbbiden");
    assert_eq!(
        refused(&mut s, t(2), rename(ALICE, "m-web1").without_caller()),
        "InvalidAliUid.IsNull"
    );
    let elsewhere = ModifyImageAttribute::new(acct(ALICE), reg("xx-nowhere-1"), img("m-web1"));
    assert_eq!(refused(&mut s, t(2), elsewhere), "InvalidRegionId.NotFound");
    // A copy in flight keeps its name.
    let copies = s
        .call(
            t(3),
            CopyImage::new(acct(ALICE), reg(HZ), img("m-web1"), [reg(SH)]),
        )
        .unwrap();
    let in_flight = ModifyImageAttribute::new(acct(ALICE), reg(SH), copies[0].image.clone())
        .name(name("renamed"));
    assert_eq!(refused(&mut s, t(4), in_flight), "IncorrectImageStatus");
}

#[test]
fn tencent_names_are_at_most_60_characters() {
    let mut s = ImageService::new(Profile::tencent());
    image(
        &mut s,
        "img-web00001",
        "ap-guangzhou",
        "100000000001",
        "web",
    );
    let long = name(&format!("a{}", "b".repeat(60)));
    let call = ModifyImageAttribute::new(
        acct("100000000001"),
        reg("ap-guangzhou"),
        img("img-web00001"),
    )
    .name(long);
    let err = s.call(t(1), call).unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.code().as_str(), "InvalidImageName.Malformed");
    assert_eq!(
        api.code_for(Provider::Tencent),
        "InvalidParameterValue.TooLong"
    );
    let ok = ModifyImageAttribute::new(
        acct("100000000001"),
        reg("ap-guangzhou"),
        img("img-web00001"),
    )
    .name(ImageName::parse_for(Provider::Tencent, &"c".repeat(60)).unwrap());
    s.call(t(2), ok).unwrap();
}

#[test]
fn rename_with_a_client_token_is_idempotent() {
    let mut s = alibaba();
    let call = ModifyImageAttribute::new(acct(ALICE), reg(HZ), img("m-web1"))
        .name(name("renamed"))
        .client_token(ClientToken::new("tok-1").unwrap());
    s.call(t(1), call.clone()).unwrap();
    let before = serde_json::to_string(&s).unwrap();
    assert_eq!(s.call(t(2), call).unwrap(), img("m-web1"));
    assert_eq!(serde_json::to_string(&s).unwrap(), before);
    let other = ModifyImageAttribute::new(acct(ALICE), reg(HZ), img("m-web1"))
        .name(name("other"))
        .client_token(ClientToken::new("tok-1").unwrap());
    assert_eq!(refused(&mut s, t(3), other), "IdempotentParameterMismatch");
}

// ============================================================================ DescribeImageSharePermission

#[test]
fn share_lists_for_the_owner_only() {
    let mut s = alibaba();
    assert!(
        s.describe_image_share_permission(&acct(ALICE), &reg(HZ), &img("m-web1"))
            .unwrap()
            .is_empty()
    );
    let share = ModifyImageSharePermission::new(acct(ALICE), reg(HZ), img("m-web1"))
        .share_with([acct(BOB)]);
    s.call(t(1), share).unwrap();
    assert_eq!(
        s.describe_image_share_permission(&acct(ALICE), &reg(HZ), &img("m-web1"))
            .unwrap(),
        [acct(BOB)]
    );
    let code = |r: Result<Vec<AccountId>, machine_image::ApiError>| r.unwrap_err().code().as_str();
    assert_eq!(
        code(s.describe_image_share_permission(&acct(BOB), &reg(HZ), &img("m-web1"))),
        "Forbbiden"
    );
    assert_eq!(
        code(s.describe_image_share_permission(&acct(BOB), &reg(HZ), &img("m-web2"))),
        "InvalidImageId.NotFound"
    );
    assert_eq!(
        code(s.describe_image_share_permission(&acct(ALICE), &reg(SH), &img("m-web1"))),
        "InvalidImageId.NotFound"
    );
    assert_eq!(
        code(s.describe_image_share_permission(&acct(ALICE), &reg("xx-nowhere-1"), &img("m-web1"))),
        "InvalidRegionId.NotFound"
    );
}

// ============================================================================ DeleteImages

fn tencent() -> ImageService {
    let mut s = ImageService::new(Profile::tencent());
    image(
        &mut s,
        "img-web00001",
        "ap-guangzhou",
        "100000000001",
        "web",
    );
    image(
        &mut s,
        "img-web00002",
        "ap-guangzhou",
        "100000000001",
        "web2",
    );
    image(
        &mut s,
        "img-oth00001",
        "ap-guangzhou",
        "100000000002",
        "other",
    );
    s
}

#[test]
fn delete_images_is_all_or_nothing() {
    let mut s = tencent();
    let (me, gz) = (acct("100000000001"), reg("ap-guangzhou"));
    // The third image is not the caller's: nothing is deleted.
    let mixed = DeleteImages::new(
        me.clone(),
        gz.clone(),
        [
            img("img-web00001"),
            img("img-web00002"),
            img("img-oth00001"),
        ],
    );
    assert_eq!(refused(&mut s, t(1), mixed), "InvalidImageId.NotFound");
    assert!(s.state().image(&img("img-web00001")).is_some());
    // Checks only.
    let both = DeleteImages::new(
        me.clone(),
        gz.clone(),
        [img("img-web00001"), img("img-web00002")],
    );
    assert_eq!(
        s.call(t(2), both.clone().dry_run(true)).unwrap(),
        Vec::<ImageId>::new()
    );
    assert!(s.state().image(&img("img-web00001")).is_some());
    assert_eq!(
        s.call(t(3), both).unwrap(),
        [img("img-web00001"), img("img-web00002")]
    );
    assert!(s.state().image(&img("img-web00001")).is_none());
    assert!(s.state().image(&img("img-web00002")).is_none());
    s.check_invariants().unwrap();
}

#[test]
fn delete_images_parameters() {
    let mut s = tencent();
    let (me, gz) = (acct("100000000001"), reg("ap-guangzhou"));
    let none = DeleteImages::new(me.clone(), gz.clone(), []);
    assert_eq!(refused(&mut s, t(1), none), "MissingParameter");
    let twice = DeleteImages::new(
        me.clone(),
        gz.clone(),
        [img("img-web00001"), img("img-web00001")],
    );
    assert_eq!(refused(&mut s, t(1), twice), "InvalidParameter");
    // A copy in flight from one of them: `OperationDenied.ImageCopying`, nothing deleted.
    let copy = CopyImage::new(
        me.clone(),
        gz.clone(),
        img("img-web00002"),
        [reg("ap-shanghai")],
    );
    s.call(t(2), copy).unwrap();
    let both = DeleteImages::new(me, gz, [img("img-web00001"), img("img-web00002")]);
    let before = s.state().image_count();
    let err = s.call(t(3), both).unwrap_err();
    assert_eq!(
        err.api_error().unwrap().code().as_str(),
        "OperationDenied.ImageCopying"
    );
    assert_eq!(
        err.api_error().unwrap().code_for(Provider::Tencent),
        "InvalidParameterValue.InvalidImageState"
    );
    assert_eq!(s.state().image_count(), before);
}

// ============================================================================ client tokens on exports

#[test]
fn export_and_cancel_with_a_client_token_answer_retries_from_the_record() {
    use machine_image::engine::{CancelExport, ExportImage};
    use machine_image::export::{Bucket, BucketName, ObjectPrefix};
    let mut s = ImageService::new(Profile::alibaba());
    let exporter = Account::new(acct(ALICE), 10, 100).enable_export(true);
    s.register(t(0), exporter.into()).unwrap();
    image(&mut s, "m-web1", HZ, ALICE, "web");
    let bucket = BucketName::new("exports").unwrap();
    s.register(
        t(0),
        Bucket::new(bucket.clone(), reg(HZ), acct(ALICE)).into(),
    )
    .unwrap();
    let export = ExportImage::new(
        acct(ALICE),
        reg(HZ),
        img("m-web1"),
        bucket,
        ObjectPrefix::new("web").unwrap(),
    )
    .client_token(ClientToken::new("exp-1").unwrap());
    let first = s.call(t(1), export.clone()).unwrap().unwrap();
    s.drain_effects();
    // The retry: the same task, no second export, no new effect.
    let again = s.call(t(2), export.clone()).unwrap().unwrap();
    assert_eq!(again, first);
    assert!(s.drain_effects().is_empty());
    assert_eq!(s.state().exports().count(), 1);
    // The same token with other parameters.
    let other = export
        .clone()
        .format(machine_image::export::ExportFormat::Qcow2);
    assert_eq!(refused(&mut s, t(2), other), "IdempotentParameterMismatch");
    // A cancel retried answers the same task, although the task is over by then.
    let cancel = CancelExport::new(acct(ALICE), reg(HZ), first.task)
        .client_token(ClientToken::new("cancel-1").unwrap());
    assert_eq!(s.call(t(3), cancel.clone()).unwrap(), first.task);
    assert_eq!(s.call(t(4), cancel).unwrap(), first.task);
    // Without a token a second cancel is decided afresh, and refused.
    let bare = CancelExport::new(acct(ALICE), reg(HZ), first.task);
    assert_eq!(
        refused(&mut s, t(5), bare),
        "InvalidTaskId.IncorrectTaskStatus"
    );
    s.check_invariants().unwrap();
}

// ============================================================================ snapshot lineage, CreateImage

mod lineage {
    use super::*;
    use machine_image::charges::{ChargeKind, copy_charges, image_charges};
    use machine_image::engine::{CreateImage, HostReport};
    use machine_image::snapshot::Lineage;
    use machine_image::{Geography, InstanceId, OwnerAlias};

    /// Finishes every copy the engine asked the host to start.
    fn finish_copies(s: &mut ImageService, at: DateTime<Utc>) {
        while let Some(effect) = s.poll_effect() {
            if let machine_image::engine::Effect::StartCopy { task, .. } = effect {
                s.report(at, HostReport::CopyFinished(task)).unwrap();
            }
        }
    }

    #[test]
    fn create_copy_share_carries_the_image_fee_of_a_paid_ultimate_source() {
        let mut s = alibaba();
        // A paid marketplace image, and a snapshot of Alice's holding its disk.
        let market = Image::marketplace(
            img("m-market01"),
            reg(HZ),
            acct("marketplace"),
            name("lamp"),
            vec![],
            vec![reg(HZ)],
        )
        .paid(true)
        .build()
        .unwrap();
        s.register(t(0), Fixture::Image(market.clone())).unwrap();
        let disk = Snapshot::new(sid("s-lamp0001"), reg(HZ), acct(ALICE), t(0), 40)
            .with_lineage(Some(market.lineage()));
        s.register(t(0), disk.into()).unwrap();

        // Create: the new image is paid, its ultimate source the marketplace image.
        let made = s
            .call(
                t(1),
                CreateImage::new(acct(ALICE), reg(HZ), name("mine"), [sid("s-lamp0001")]),
            )
            .unwrap()
            .unwrap();
        let image = s.state().image(&made).unwrap().clone();
        assert!(image.paid() && image.derived());
        assert_eq!(image.ultimate_source(), market.id());
        assert!(
            image_charges(&image, OwnerAlias::Own, Geography::MainlandChina)
                .iter()
                .any(|c| c.kind == ChargeKind::ImageFee)
        );
        assert!(
            copy_charges(&image, &reg(SH))
                .iter()
                .any(|c| c.kind == ChargeKind::ImageFee)
        );

        // Copy: the copy and its snapshots keep the lineage.
        let copies = s
            .call(
                t(2),
                CopyImage::new(acct(ALICE), reg(HZ), made.clone(), [reg(SH)]),
            )
            .unwrap();
        finish_copies(&mut s, t(20));
        let copy = s.state().image(&copies[0].image).unwrap().clone();
        assert!(copy.paid());
        assert_eq!(copy.ultimate_source(), market.id());
        let copy_disk = s.state().snapshot(&copy.snapshots()[0]).unwrap();
        assert_eq!(
            copy_disk.lineage(),
            Some(&Lineage::new(market.id().clone(), true))
        );

        // Share: Bob sees a paid image.
        let share = ModifyImageSharePermission::new(acct(ALICE), reg(SH), copy.id().clone())
            .share_with([acct(BOB)]);
        s.call(t(21), share).unwrap();
        let charges = image_charges(&copy, OwnerAlias::Others, Geography::MainlandChina);
        assert!(charges.iter().any(|c| c.kind == ChargeKind::ImageFee));

        // And an image created from the copy's snapshots, in Shanghai, is paid too, even
        // once the marketplace image and the first image are gone.
        s.call(
            t(22),
            machine_image::engine::DeleteImage::new(acct(ALICE), reg(HZ), made),
        )
        .unwrap();
        let again = CreateImage::new(
            acct(ALICE),
            reg(SH),
            name("again"),
            copy.snapshots().to_vec(),
        );
        let again = s.call(t(23), again).unwrap().unwrap();
        let again = s.state().image(&again).unwrap();
        assert!(again.paid());
        assert_eq!(again.ultimate_source(), market.id());
        s.check_invariants().unwrap();
        let log = s.drain_events();
        assert!(ImageService::from_events(Profile::alibaba(), &log).unwrap() == s);
    }

    #[test]
    fn the_architecture_is_kept_by_created_images_and_their_copies() {
        let mut s = alibaba();
        s.register(
            t(0),
            Snapshot::new(sid("s-arm00001"), reg(HZ), acct(ALICE), t(0), 40).into(),
        )
        .unwrap();
        let call = CreateImage::new(acct(ALICE), reg(HZ), name("arm"), [sid("s-arm00001")])
            .architecture(machine_image::Architecture::Arm64);
        let made = s.call(t(1), call).unwrap().unwrap();
        let copies = s
            .call(
                t(2),
                CopyImage::new(acct(ALICE), reg(HZ), made.clone(), [reg(SH)]),
            )
            .unwrap();
        for id in [&made, &copies[0].image] {
            let image = s.state().image(id).unwrap();
            assert_eq!(image.architecture(), machine_image::Architecture::Arm64);
        }
    }

    #[test]
    fn an_image_from_plain_snapshots_is_its_own_source_and_free() {
        let mut s = alibaba();
        s.register(
            t(0),
            Snapshot::new(sid("s-plain01"), reg(HZ), acct(ALICE), t(0), 40).into(),
        )
        .unwrap();
        let made = s
            .call(
                t(1),
                CreateImage::new(acct(ALICE), reg(HZ), name("plain"), [sid("s-plain01")]),
            )
            .unwrap()
            .unwrap();
        let image = s.state().image(&made).unwrap();
        assert!(!image.paid() && !image.derived());
        assert_eq!(image.ultimate_source(), &made);
    }

    #[test]
    fn a_snapshot_of_a_copy_in_flight_is_not_allowed_to_create_an_image() {
        let mut s = alibaba();
        let copies = s
            .call(
                t(1),
                CopyImage::new(acct(ALICE), reg(HZ), img("m-web1"), [reg(SH)]),
            )
            .unwrap();
        let copy = s.state().image(&copies[0].image).unwrap().clone();
        let call = CreateImage::new(
            acct(ALICE),
            reg(SH),
            name("early"),
            copy.snapshots().to_vec(),
        );
        let err = s.call(t(2), call).unwrap_err();
        let api = err.api_error().unwrap();
        assert_eq!(api.code().as_str(), "OperationDenied");
        assert_eq!(
            api.message(),
            "The specified snapshot is not allowed to create image."
        );
    }

    #[test]
    fn create_image_naming_an_instance_is_refused_clearly() {
        let mut s = alibaba();
        let call = CreateImage::new(acct(ALICE), reg(HZ), name("from-vm"), [])
            .instance(InstanceId::new("i-bp1web0001").unwrap());
        assert_eq!(
            refused(&mut s, t(1), call.clone()),
            "InvalidInstanceId.NotFound"
        );
        let err = s.call(t(1), call).unwrap_err();
        assert!(err.api_error().unwrap().message().contains("not modelled"));
        assert_eq!(
            err.api_error().unwrap().code_for(Provider::Tencent),
            "InvalidInstanceId.NotFound"
        );
        let nothing = CreateImage::new(acct(ALICE), reg(HZ), name("empty"), []);
        assert_eq!(refused(&mut s, t(1), nothing), "MissingParameter");
    }

    #[test]
    fn tencent_create_image_with_dry_run() {
        let mut s = ImageService::new(Profile::tencent());
        let (me, gz) = (acct("100000000001"), reg("ap-guangzhou"));
        s.register(
            t(0),
            Snapshot::new(sid("snap-sys00001"), gz.clone(), me.clone(), t(0), 50).into(),
        )
        .unwrap();
        let call = CreateImage::new(
            me.clone(),
            gz.clone(),
            name("tencent-made"),
            [sid("snap-sys00001")],
        )
        .description(Description::new("made on CVM").unwrap());
        let before = serde_json::to_string(&s).unwrap();
        assert_eq!(s.call(t(1), call.clone().dry_run(true)).unwrap(), None);
        assert_eq!(serde_json::to_string(&s).unwrap(), before);
        let made = s.call(t(2), call).unwrap().unwrap();
        assert!(made.as_str().starts_with("img-"));
        // The Tencent name limit applies.
        let long = name(&format!("a{}", "b".repeat(60)));
        let too_long = CreateImage::new(me, gz, long, [sid("snap-sys00001")]);
        assert_eq!(
            refused(&mut s, t(3), too_long),
            "InvalidImageName.Malformed"
        );
    }
}

// ============================================================================ ImportImage

mod import {
    use super::*;
    use machine_image::engine::{CreateImage, DeleteImage, Effect, HostReport, ImportImage};
    use machine_image::export::{Bucket, BucketName};
    use machine_image::import::{DiskSource, ImportDisk, ImportFormat};
    use machine_image::{ImageStatus, Simulator};

    fn with_bucket() -> ImageService {
        let mut s = alibaba();
        let bucket = Bucket::new(BucketName::new("uploads").unwrap(), reg(HZ), acct(ALICE));
        s.register(t(0), bucket.into()).unwrap();
        s
    }

    fn disk(object: &str, size: u64) -> ImportDisk {
        ImportDisk::new(
            DiskSource::oss(BucketName::new("uploads").unwrap(), object),
            size,
        )
        .format(ImportFormat::Qcow2)
    }

    #[test]
    fn an_import_goes_waiting_creating_available_through_the_host() {
        let mut s = with_bucket();
        let call = ImportImage::new(
            acct(ALICE),
            reg(HZ),
            name("imported"),
            [disk("sys.qcow2", 40), disk("data.qcow2", 100)],
        )
        .client_token(ClientToken::new("imp-1").unwrap());
        let accepted = s.call(t(1), call.clone()).unwrap().unwrap();
        let image = s.state().image(&accepted.image).unwrap();
        assert_eq!(
            (image.status(), image.size_gib()),
            (ImageStatus::Waiting, 140)
        );
        assert_eq!(image.snapshots().len(), 2);
        // The host is told at once; a retry with the token changes nothing.
        let effects = s.drain_effects();
        assert!(matches!(
            effects.as_slice(),
            [Effect::StartImport { task, disks, .. }] if *task == accepted.task && disks.len() == 2
        ));
        assert_eq!(s.call(t(2), call).unwrap(), Some(accepted.clone()));
        assert!(s.drain_effects().is_empty());
        // While it is being made: no delete, no image from its snapshots.
        let snapshots = s
            .state()
            .image(&accepted.image)
            .unwrap()
            .snapshots()
            .to_vec();
        assert_eq!(
            refused(
                &mut s,
                t(3),
                DeleteImage::new(acct(ALICE), reg(HZ), accepted.image.clone())
            ),
            "IncorrectImageStatus"
        );
        assert_eq!(
            refused(
                &mut s,
                t(3),
                CreateImage::new(acct(ALICE), reg(HZ), name("early"), snapshots.clone())
            ),
            "OperationDenied"
        );
        s.report(t(4), HostReport::ImportStarted(accepted.task))
            .unwrap();
        s.report(t(4), HostReport::ImportStarted(accepted.task))
            .unwrap(); // repeated: harmless
        assert_eq!(
            s.state().image(&accepted.image).unwrap().status(),
            ImageStatus::Creating
        );
        s.report(
            t(5),
            HostReport::ImportProgress {
                task: accepted.task,
                percent: 60,
            },
        )
        .unwrap();
        assert!(
            s.report(
                t(5),
                HostReport::ImportProgress {
                    task: accepted.task,
                    percent: 30
                }
            )
            .is_err()
        );
        // After a restart from the log, the host is told again.
        let log = s.drain_events();
        let mut rebuilt = ImageService::from_events(Profile::alibaba(), &log).unwrap();
        assert!(rebuilt == s);
        rebuilt.resume();
        assert!(matches!(
            rebuilt.drain_effects().as_slice(),
            [Effect::StartImport { task, started_at: Some(_), .. }] if *task == accepted.task
        ));
        s.report(t(20), HostReport::ImportFinished(accepted.task))
            .unwrap();
        let image = s.state().image(&accepted.image).unwrap();
        assert_eq!(
            (image.status(), image.progress()),
            (ImageStatus::Available, 100)
        );
        assert!(!s.state().import(accepted.task).unwrap().is_live());
        s.check_invariants().unwrap();
        // A finished report again is the host's mistake.
        assert!(matches!(
            s.report(t(21), HostReport::ImportFinished(accepted.task)),
            Err(EngineError::Host(_))
        ));
    }

    #[test]
    fn a_failed_import_leaves_a_create_failed_image_without_snapshots() {
        let mut s = with_bucket();
        let call = ImportImage::new(acct(ALICE), reg(HZ), name("broken"), [disk("bad.vhd", 20)]);
        let accepted = s.call(t(1), call).unwrap().unwrap();
        let snapshot = s.state().image(&accepted.image).unwrap().snapshots()[0].clone();
        s.report(t(2), HostReport::ImportStarted(accepted.task))
            .unwrap();
        s.report(
            t(3),
            HostReport::ImportFailed {
                task: accepted.task,
                reason: "not a VHD file".into(),
            },
        )
        .unwrap();
        let image = s.state().image(&accepted.image).unwrap();
        assert_eq!(image.status(), ImageStatus::CreateFailed);
        assert!(s.state().snapshot(&snapshot).is_none());
        // The failed image can be deleted.
        s.call(t(4), DeleteImage::new(acct(ALICE), reg(HZ), accepted.image))
            .unwrap();
        s.check_invariants().unwrap();
    }

    #[test]
    fn import_rules_and_codes() {
        let mut s = with_bucket();
        let import =
            |disks: Vec<ImportDisk>| ImportImage::new(acct(ALICE), reg(HZ), name("imp"), disks);
        assert_eq!(refused(&mut s, t(1), import(vec![])), "MissingParameter");
        assert_eq!(
            refused(&mut s, t(1), import(vec![disk("", 20)])),
            "MissingParameter"
        );
        assert_eq!(
            refused(&mut s, t(1), import(vec![disk("x.raw", 0)])),
            "InvalidParameter"
        );
        let elsewhere = ImportDisk::new(
            DiskSource::oss(BucketName::new("nowhere").unwrap(), "x.raw"),
            20,
        );
        assert_eq!(
            refused(&mut s, t(1), import(vec![elsewhere])),
            "InvalidOSSBucket.NotFound"
        );
        // Bob can't read Alice's bucket.
        let bobs = ImportImage::new(acct(BOB), reg(HZ), name("imp"), [disk("x.raw", 20)]);
        assert_eq!(refused(&mut s, t(1), bobs), "InvalidOSSBucket.NotFound");
        assert_eq!(
            refused(&mut s, t(1), import(vec![disk("x.raw", 501)])),
            "SizeExceed.Image"
        );
        let taken = ImportImage::new(acct(ALICE), reg(HZ), name("web"), [disk("x.raw", 20)]);
        assert_eq!(refused(&mut s, t(1), taken), "InvalidImageName.Duplicated");
        // Alice's quota is 10 images: she has 2.
        s.register(t(1), Account::new(acct(ALICE), 2, 100).into())
            .unwrap();
        assert_eq!(
            refused(&mut s, t(2), import(vec![disk("x.raw", 20)])),
            "QuotaExceed.Image"
        );
    }

    #[test]
    fn tencent_imports_from_a_url_with_dry_run() {
        let mut s = ImageService::new(Profile::tencent());
        let (me, gz) = (acct("100000000001"), reg("ap-guangzhou"));
        let url = "https://uploads-1250000000.cos.ap-guangzhou.myqcloud.com/web.qcow2";
        let call = ImportImage::new(
            me.clone(),
            gz.clone(),
            name("from-url"),
            [ImportDisk::new(DiskSource::url(url), 50)],
        )
        .os_version("8.2")
        .description(Description::new("imported on CVM").unwrap());
        assert_eq!(s.call(t(1), call.clone().dry_run(true)).unwrap(), None);
        assert!(s.state().imports().next().is_none());
        let accepted = s.call(t(2), call).unwrap().unwrap();
        assert!(accepted.image.as_str().starts_with("img-"));
        let bad = ImportImage::new(
            me,
            gz,
            name("bad-url"),
            [ImportDisk::new(DiskSource::url("ftp://x"), 50)],
        );
        assert_eq!(refused(&mut s, t(3), bad), "InvalidParameter");
    }

    #[test]
    fn a_finished_import_is_forgotten_after_the_retention_horizon() {
        let mut s = with_bucket();
        let call = ImportImage::new(acct(ALICE), reg(HZ), name("kept"), [disk("sys.raw", 10)]);
        let accepted = s.call(t(1), call).unwrap().unwrap();
        s.report(t(2), HostReport::ImportStarted(accepted.task))
            .unwrap();
        s.report(t(3), HostReport::ImportFinished(accepted.task))
            .unwrap();
        assert!(s.state().import(accepted.task).is_some());
        // Eight days later, the next change drops the task (the image stays).
        let later = t(3) + Duration::days(8);
        let rename = ModifyImageAttribute::new(acct(ALICE), reg(HZ), accepted.image.clone())
            .name(name("kept-renamed"));
        s.call(later, rename).unwrap();
        assert!(s.state().import(accepted.task).is_none());
        assert!(s.state().image(&accepted.image).is_some());
        let log = s.drain_events();
        assert!(ImageService::from_events(Profile::alibaba(), &log).unwrap() == s);
    }

    #[test]
    fn the_simulator_runs_imports_from_effects_alone() {
        let mut sim = Simulator::from_service(with_bucket());
        let call = ImportImage::new(
            acct(ALICE),
            reg(HZ),
            name("simulated"),
            [disk("sys.raw", 40)],
        );
        let accepted = sim.call(t(1), call).unwrap().unwrap();
        sim.advance_to(t(2)).unwrap();
        let status = |sim: &Simulator| {
            sim.service()
                .state()
                .image(&accepted.image)
                .unwrap()
                .status()
        };
        assert_eq!(status(&sim), ImageStatus::Creating);
        // 5 minutes plus 6 seconds per GiB: 9 minutes for 40 GiB.
        sim.advance_to(t(1) + machine_image::sim::import_duration(40))
            .unwrap();
        assert_eq!(status(&sim), ImageStatus::Available);
        sim.service().check_invariants().unwrap();
    }
}
