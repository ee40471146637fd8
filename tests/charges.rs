//! Charges through the public API: the charge kinds of each image type and operation, the
//! lineage that makes a copy of a copy of a share paid, prices, and copy-plan estimates.

use chrono::{DateTime, TimeZone, Utc};
use machine_image::charges::{
    Amount, ChargeKind, CopyPlan, Network, Period, PlannedImage, PriceError, PriceTable, Quantity,
    Rates, copy_charges, download_charges, estimate, export_charges, image_charges,
};
use machine_image::engine::{
    AcceptedCopy, Command, CopyImage, HostReport, ImageService, ModifyImageSharePermission,
};
use machine_image::export::ExportObject;
use machine_image::{
    Account, AccountId, Geography, Image, ImageBuilder, ImageId, ImageKind, ImageName, OwnerAlias,
    Platform, Profile, RegionId, Snapshot, SnapshotId,
};

const ALICE: &str = "1111111111111111";
const BOB: &str = "2222222222222222";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn reg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}

fn acct(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}

fn image(id: &str, region: &str, kind: ImageKind, platform: Platform, paid: bool) -> Image {
    image_b(id, region, kind, platform, paid).build().unwrap()
}

/// An image of Alice's of 40 GiB, of `kind`, to be adjusted before it is built.
fn image_b(
    id: &str,
    region: &str,
    kind: ImageKind,
    platform: Platform,
    paid: bool,
) -> ImageBuilder {
    let (id, region, owner) = (ImageId::new(id).unwrap(), reg(region), acct(ALICE));
    let name = ImageName::new("web").unwrap();
    let snapshots = vec![SnapshotId::new("s-sys00001").unwrap()];
    let builder = match kind {
        ImageKind::Custom => Image::custom(id, region, owner, name, snapshots),
        ImageKind::System => Image::public(id, region, owner, name, snapshots),
        _ => Image::marketplace(id, region, owner, name, snapshots, Vec::new()),
    };
    builder
        .platform(platform)
        .size_gib(40)
        .paid(paid)
        .created_at(t0())
}

fn kinds(charges: &[machine_image::charges::Charge]) -> Vec<ChargeKind> {
    charges.iter().map(|c| c.kind).collect()
}

fn objects(sizes: &[u64]) -> Vec<ExportObject> {
    sizes
        .iter()
        .enumerate()
        .map(|(disk, &size_gib)| ExportObject {
            disk,
            snapshot: SnapshotId::new(format!("s-disk{disk:04}")).unwrap(),
            name: format!("web_xvd{}.raw", (b'a' + disk as u8) as char),
            size_gib,
        })
        .collect()
}

// ============================================================================ image types

#[test]
fn public_images_are_free_except_windows_outside_mainland_china() {
    let linux = image(
        "m-pub1",
        "ap-southeast-1",
        ImageKind::System,
        Platform::Linux,
        false,
    );
    assert!(image_charges(&linux, OwnerAlias::System, Geography::OtherCountryOrRegion).is_empty());
    let windows = image(
        "m-pub2",
        "ap-southeast-1",
        ImageKind::System,
        Platform::Windows,
        false,
    );
    assert!(image_charges(&windows, OwnerAlias::System, Geography::MainlandChina).is_empty());
    let charges = image_charges(
        &windows,
        OwnerAlias::System,
        Geography::OtherCountryOrRegion,
    );
    assert_eq!(kinds(&charges), [ChargeKind::WindowsLicence]);
    assert_eq!(charges[0].quantity, Quantity::PerInstanceMonth);
    assert_eq!(charges[0].rule.seed, "001");
    assert!(charges[0].rule.clause.contains("Windows"));
    assert!(!charges[0].is_free());
}

#[test]
fn custom_images_bill_snapshots_and_the_fee_of_a_paid_source() {
    let free = image(
        "m-cust1",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        false,
    );
    let charges = image_charges(&free, OwnerAlias::Own, Geography::MainlandChina);
    assert_eq!(kinds(&charges), [ChargeKind::SnapshotStorage]);
    assert_eq!(charges[0].quantity, Quantity::GibMonths { gib: 40 });
    assert_eq!(charges[0].region, reg("cn-hangzhou"));
    let paid = image(
        "m-cust2",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        true,
    );
    let charges = image_charges(&paid, OwnerAlias::Own, Geography::MainlandChina);
    assert_eq!(
        kinds(&charges),
        [ChargeKind::SnapshotStorage, ChargeKind::ImageFee]
    );
    assert_eq!(charges[1].ultimate_source, Some(paid.id().clone()));
    assert!(charges[1].rule.clause.contains("最終ソース"));
}

#[test]
fn shared_images_bill_only_the_fee_of_a_paid_source() {
    let free = image(
        "m-cust1",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        false,
    );
    assert!(image_charges(&free, OwnerAlias::Others, Geography::MainlandChina).is_empty());
    let paid = image(
        "m-cust2",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        true,
    );
    let charges = image_charges(&paid, OwnerAlias::Others, Geography::MainlandChina);
    assert_eq!(kinds(&charges), [ChargeKind::ImageFee]);
    assert!(charges[0].rule.clause.contains("共有"));
}

#[test]
fn marketplace_images_bill_their_fee_when_paid() {
    let paid = image(
        "m-mkt1",
        "cn-hangzhou",
        ImageKind::Marketplace,
        Platform::Linux,
        true,
    );
    assert_eq!(
        kinds(&image_charges(
            &paid,
            OwnerAlias::Marketplace,
            Geography::MainlandChina
        )),
        [ChargeKind::ImageFee]
    );
    let free = image(
        "m-mkt2",
        "cn-hangzhou",
        ImageKind::Marketplace,
        Platform::Linux,
        false,
    );
    assert!(image_charges(&free, OwnerAlias::Marketplace, Geography::MainlandChina).is_empty());
}

// ============================================================================ operations

#[test]
fn a_copy_is_free_but_its_snapshots_are_billed_in_the_destination() {
    let source = image(
        "m-cust1",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        false,
    );
    let charges = copy_charges(&source, &reg("cn-shanghai"));
    assert_eq!(
        kinds(&charges),
        [ChargeKind::CopyOperation, ChargeKind::SnapshotStorage]
    );
    assert!(charges[0].is_free());
    assert_eq!(charges[0].rule.seed, "000");
    assert_eq!(charges[1].region, reg("cn-shanghai"));
    assert_eq!(charges[1].quantity, Quantity::GibMonths { gib: 40 });
    let paid = image(
        "m-cust2",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        true,
    );
    assert_eq!(
        kinds(&copy_charges(&paid, &reg("cn-shanghai"))),
        [
            ChargeKind::CopyOperation,
            ChargeKind::SnapshotStorage,
            ChargeKind::ImageFee
        ]
    );
}

#[test]
fn export_bills_storage_and_requests_and_upstream_is_free() {
    let charges = export_charges(&reg("ap-guangzhou"), &objects(&[40, 100]));
    assert_eq!(
        kinds(&charges),
        [
            ChargeKind::ExportStorage,
            ChargeKind::ExportWriteRequests,
            ChargeKind::ExportUpstreamTraffic
        ]
    );
    assert_eq!(charges[0].quantity, Quantity::GibMonths { gib: 140 });
    assert_eq!(charges[1].quantity, Quantity::Requests { count: 2 });
    assert_eq!(charges[2].quantity, Quantity::TrafficGib { gib: 140 });
    assert!(!charges[0].is_free() && !charges[1].is_free() && charges[2].is_free());
    assert!(charges.iter().all(|c| c.rule.seed == "002"));
}

#[test]
fn download_bills_requests_and_public_traffic_only() {
    let private = download_charges(&reg("ap-guangzhou"), &objects(&[40]), Network::Private);
    assert_eq!(
        kinds(&private),
        [
            ChargeKind::DownloadRequests,
            ChargeKind::DownloadPrivateTraffic
        ]
    );
    assert!(!private[0].is_free() && private[1].is_free());
    let public = download_charges(&reg("ap-guangzhou"), &objects(&[40]), Network::Public);
    assert_eq!(
        kinds(&public),
        [
            ChargeKind::DownloadRequests,
            ChargeKind::DownloadPublicTraffic
        ]
    );
    assert!(!public[1].is_free());
    assert_eq!(public[1].quantity, Quantity::TrafficGib { gib: 40 });
}

// ============================================================================ lineage

fn finish_copies(service: &mut ImageService, copies: Vec<AcceptedCopy>) -> ImageId {
    for c in &copies {
        service
            .handle(t0(), Command::from(HostReport::CopyFinished(c.task)))
            .unwrap();
    }
    copies[0].image.clone()
}

fn copy(caller: &str, region: &str, image: &ImageId, dest: &str) -> CopyImage {
    CopyImage::new(acct(caller), reg(region), image.clone(), [reg(dest)])
}

#[test]
fn a_paid_source_two_copies_and_a_share_away_is_still_paid() {
    let mut service = ImageService::new(Profile::alibaba());
    service
        .handle(
            t0(),
            Command::from(Snapshot::new(
                SnapshotId::new("s-sys00001").unwrap(),
                reg("cn-hangzhou"),
                acct(ALICE),
                t0(),
                40,
            )),
        )
        .unwrap();
    let source = image(
        "m-paid0001",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        true,
    );
    service.handle(t0(), Command::from(source.clone())).unwrap();
    // Two copies: Hangzhou → Shanghai → Beijing.
    let outcome = service
        .call(t0(), copy(ALICE, "cn-hangzhou", source.id(), "cn-shanghai"))
        .unwrap();
    let first = finish_copies(&mut service, outcome);
    let outcome = service
        .call(t0(), copy(ALICE, "cn-shanghai", &first, "cn-beijing"))
        .unwrap();
    let second = finish_copies(&mut service, outcome);
    // A share: Bob (a known account) sees Alice's second copy.
    service
        .register(t0(), Account::new(acct(BOB), 10, 100).into())
        .unwrap();
    service
        .handle(
            t0(),
            Command::from(
                ModifyImageSharePermission::new(acct(ALICE), reg("cn-beijing"), second.clone())
                    .share_with([acct(BOB)]),
            ),
        )
        .unwrap();
    let shared = service.state().image(&second).unwrap().clone();
    assert!(shared.paid());
    assert_eq!(shared.ultimate_source(), source.id());
    assert_eq!(
        kinds(&image_charges(
            &shared,
            OwnerAlias::Others,
            Geography::MainlandChina
        )),
        [ChargeKind::ImageFee]
    );
    // Bob copies the shared image into his own custom image, same region.
    let outcome = service
        .call(t0(), copy(BOB, "cn-beijing", &second, "cn-beijing"))
        .unwrap();
    let bobs = finish_copies(&mut service, outcome);
    let bobs = service.state().image(&bobs).unwrap().clone();
    assert_eq!(bobs.owner(), &acct(BOB));
    assert!(
        bobs.paid(),
        "the paid lineage survives two copies and a share"
    );
    assert_eq!(bobs.ultimate_source(), source.id());
    let charges = image_charges(&bobs, OwnerAlias::Own, Geography::MainlandChina);
    assert_eq!(
        kinds(&charges),
        [ChargeKind::SnapshotStorage, ChargeKind::ImageFee]
    );
    assert_eq!(charges[1].ultimate_source, Some(source.id().clone()));
    // A free source stays free through the same path.
    service.check_invariants().unwrap();
}

#[test]
fn a_free_source_stays_free_through_copies() {
    let mut service = ImageService::new(Profile::alibaba());
    service
        .handle(
            t0(),
            Command::from(Snapshot::new(
                SnapshotId::new("s-sys00001").unwrap(),
                reg("cn-hangzhou"),
                acct(ALICE),
                t0(),
                40,
            )),
        )
        .unwrap();
    let source = image(
        "m-free0001",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        false,
    );
    service.handle(t0(), Command::from(source.clone())).unwrap();
    let outcome = service
        .call(t0(), copy(ALICE, "cn-hangzhou", source.id(), "cn-shanghai"))
        .unwrap();
    let first = finish_copies(&mut service, outcome);
    let first = service.state().image(&first).unwrap();
    assert!(!first.paid());
    assert_eq!(first.ultimate_source(), source.id());
    assert_eq!(
        kinds(&image_charges(
            first,
            OwnerAlias::Own,
            Geography::MainlandChina
        )),
        [ChargeKind::SnapshotStorage]
    );
}

// ============================================================================ prices

fn table() -> PriceTable {
    let mut t = PriceTable::new("USD");
    t.snapshot_storage = Rates::flat(Amount::new(0, 50_000)); // 0.05 per GiB-month
    t.snapshot_storage
        .regions
        .insert(reg("ap-southeast-1"), Amount::new(0, 60_000));
    t.bucket_storage = Rates::flat(Amount::new(0, 20_000));
    t.bucket_requests = Rates::flat(Amount(1));
    t.public_downstream = Rates::flat(Amount::new(0, 100_000));
    t.windows_licence
        .insert("S5.MEDIUM4".into(), Amount::new(10, 0));
    t.image_fees
        .insert(ImageId::new("m-cust2").unwrap(), Amount::new(3, 0));
    t
}

#[test]
fn prices_come_only_from_the_table() {
    let t = table();
    let period = Period {
        months: 3,
        instances: vec!["S5.MEDIUM4".into(), "S5.MEDIUM4".into()],
    };
    let paid = image(
        "m-cust2",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        true,
    );
    let charges = image_charges(&paid, OwnerAlias::Own, Geography::MainlandChina);
    // 40 GiB × 3 months × 0.05 = 6.
    assert_eq!(t.amount(&charges[0], &period).unwrap(), Amount::new(6, 0));
    // 2 instances × 3 months × 3 = 18.
    assert_eq!(t.amount(&charges[1], &period).unwrap(), Amount::new(18, 0));
    let windows = image(
        "m-pub2",
        "ap-southeast-1",
        ImageKind::System,
        Platform::Windows,
        false,
    );
    let charges = image_charges(
        &windows,
        OwnerAlias::System,
        Geography::OtherCountryOrRegion,
    );
    assert_eq!(t.amount(&charges[0], &period).unwrap(), Amount::new(60, 0));
    let unknown = Period {
        months: 1,
        instances: vec!["SA2.LARGE8".into()],
    };
    assert_eq!(
        t.amount(&charges[0], &unknown),
        Err(PriceError::Missing {
            kind: ChargeKind::WindowsLicence,
            key: "SA2.LARGE8".into()
        })
    );
    // Free kinds cost nothing even without a price.
    let empty = PriceTable::new("USD");
    let export = export_charges(&reg("ap-guangzhou"), &objects(&[40]));
    assert_eq!(empty.amount(&export[2], &period), Ok(Amount::ZERO));
    assert!(empty.amount(&export[0], &period).is_err());
    // Export: 40 GiB × 3 months × 0.02 = 2.4; one request; public download 40 × 0.1 = 4.
    assert_eq!(t.amount(&export[0], &period).unwrap().to_string(), "2.4");
    assert_eq!(t.amount(&export[1], &period).unwrap(), Amount(1));
    let public = download_charges(&reg("ap-guangzhou"), &objects(&[40]), Network::Public);
    assert_eq!(t.amount(&public[1], &period).unwrap(), Amount::new(4, 0));
}

fn plan() -> CopyPlan {
    let a = image(
        "m-cust1",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        false,
    );
    let b = image_b(
        "m-cust2",
        "cn-hangzhou",
        ImageKind::Custom,
        Platform::Linux,
        true,
    )
    .size_gib(100)
    .build()
    .unwrap();
    CopyPlan {
        images: vec![PlannedImage::from(&a), PlannedImage::from(&b)],
        destinations: vec![reg("cn-shanghai"), reg("ap-southeast-1")],
        months: 12,
    }
}

#[test]
fn an_estimate_without_prices_lists_kinds_and_quantities() {
    let e = estimate(&plan(), None).unwrap();
    assert_eq!(e.lines.len(), 4);
    assert_eq!(e.total, None);
    assert_eq!(e.currency, None);
    let line = &e.lines[3];
    assert_eq!(line.image.as_str(), "m-cust2");
    assert_eq!(line.destination, reg("ap-southeast-1"));
    let k: Vec<ChargeKind> = line.charges.iter().map(|c| c.charge.kind).collect();
    assert_eq!(
        k,
        [
            ChargeKind::CopyOperation,
            ChargeKind::SnapshotStorage,
            ChargeKind::ImageFee
        ]
    );
    assert_eq!(
        line.charges[1].charge.quantity,
        Quantity::GibMonths { gib: 100 }
    );
    assert!(line.charges.iter().all(|c| c.amount.is_none()));
    assert_eq!(line.subtotal, None);
}

#[test]
fn an_estimate_with_prices_totals_the_snapshot_storage() {
    let e = estimate(&plan(), Some(&table())).unwrap();
    assert_eq!(e.currency.as_deref(), Some("USD"));
    let subtotals: Vec<String> = e
        .lines
        .iter()
        .map(|l| l.subtotal.unwrap().to_string())
        .collect();
    // 40 GiB × 12 × 0.05 = 24; × 0.06 = 28.8; 100 GiB × 12 × 0.05 = 60; × 0.06 = 72.
    assert_eq!(subtotals, ["24", "28.8", "60", "72"]);
    assert_eq!(e.total, Some(Amount::new(184, 800_000)));
    // The copy is free; the image fee is listed but not priced (per instance).
    let line = &e.lines[2];
    assert_eq!(line.charges[0].amount, Some(Amount::ZERO));
    assert_eq!(line.charges[2].charge.kind, ChargeKind::ImageFee);
    assert_eq!(line.charges[2].amount, None);
    // A missing regional price is an error, not a zero.
    let mut t = table();
    t.snapshot_storage.default = None;
    assert!(matches!(
        estimate(&plan(), Some(&t)),
        Err(PriceError::Missing {
            kind: ChargeKind::SnapshotStorage,
            ..
        })
    ));
}

// ============================================================================ usage plans

mod usage {
    use super::*;
    use machine_image::charges::PlannedImage;
    use machine_image::charges::{
        Download, Export, KeptImage, Launch, LineCharge, PlanError, PlanItem,
        RULE_CUSTOM_IMAGE_FEE, RULE_CUSTOM_SNAPSHOTS, RULE_DOWNLOAD_REQUESTS,
        RULE_DOWNLOAD_TRAFFIC, RULE_EXPORT_REQUESTS, RULE_EXPORT_STORAGE, RULE_EXPORT_TRAFFIC,
        RULE_SHARED_IMAGE_FEE, RULE_WINDOWS_PUBLIC, Unit, UsageEstimate, UsagePlan, estimate_usage,
    };
    use proptest::prelude::*;

    fn windows(region: &str) -> PlannedImage {
        PlannedImage::new(ImageId::new("img-win00001").unwrap(), reg(region), 50)
            .platform(Platform::Windows)
    }

    fn launch(image: PlannedImage, alias: OwnerAlias, geography: Geography) -> Launch {
        Launch::new(image, alias, geography, "S5.MEDIUM4", 2, 3).unwrap()
    }

    fn web() -> PlannedImage {
        PlannedImage::new(
            ImageId::new("img-web00001").unwrap(),
            reg("ap-guangzhou"),
            40,
        )
    }

    fn export() -> Export {
        Export::new(web().image, reg("ap-guangzhou"), objects(&[50, 100]), 2).unwrap()
    }

    fn one(plan: UsagePlan, prices: Option<&PriceTable>) -> (Vec<LineCharge>, UsageEstimate) {
        let e = estimate_usage(&plan, prices).unwrap();
        assert_eq!(e.lines.len(), 1);
        (e.lines[0].charges.clone(), e)
    }

    #[test]
    fn a_public_windows_image_bills_a_licence_outside_mainland_china_only() {
        let t = table();
        let outside = launch(
            windows("ap-southeast-1"),
            OwnerAlias::System,
            Geography::OtherCountryOrRegion,
        );
        let (charges, e) = one(UsagePlan::new().with(outside), Some(&t));
        assert_eq!(charges.len(), 1);
        let licence = &charges[0];
        assert_eq!(licence.charge.kind, ChargeKind::WindowsLicence);
        assert_eq!(licence.charge.rule, RULE_WINDOWS_PUBLIC);
        assert_eq!((licence.quantity, licence.unit), (6, Unit::InstanceMonth));
        assert_eq!(licence.unit_price, Some(Amount::new(10, 0)));
        assert_eq!(licence.amount, Some(Amount::new(60, 0)));
        assert_eq!((e.total, e.unpriced), (Some(Amount::new(60, 0)), 0));

        let inside = launch(
            windows("ap-guangzhou"),
            OwnerAlias::System,
            Geography::MainlandChina,
        );
        let (charges, e) = one(UsagePlan::new().with(inside), Some(&t));
        assert!(charges.is_empty(), "free inside mainland China (seed 001)");
        assert_eq!(e.total, Some(Amount::ZERO));

        let linux = launch(
            PlannedImage::new(
                ImageId::new("img-lin00001").unwrap(),
                reg("ap-southeast-1"),
                20,
            ),
            OwnerAlias::System,
            Geography::OtherCountryOrRegion,
        );
        assert!(one(UsagePlan::new().with(linux), Some(&t)).0.is_empty());
    }

    #[test]
    fn a_licence_for_an_unknown_specification_is_listed_not_priced() {
        let other = Launch::new(
            windows("ap-southeast-1"),
            OwnerAlias::System,
            Geography::OtherCountryOrRegion,
            "SA2.LARGE8",
            1,
            1,
        )
        .unwrap();
        let (charges, e) = one(UsagePlan::new().with(other), Some(&table()));
        assert_eq!((charges[0].unit_price, charges[0].amount), (None, None));
        assert_eq!((e.total, e.unpriced), (Some(Amount::ZERO), 1));
    }

    #[test]
    fn a_kept_custom_image_bills_its_snapshots_per_gib_month() {
        let kept = KeptImage::new(web(), 12).unwrap();
        let (charges, e) = one(UsagePlan::new().with(kept), Some(&table()));
        assert_eq!(charges.len(), 1);
        let storage = &charges[0];
        assert_eq!(storage.charge.rule, RULE_CUSTOM_SNAPSHOTS);
        assert_eq!((storage.quantity, storage.unit), (480, Unit::GibMonth));
        assert_eq!(storage.charge.region.as_str(), "ap-guangzhou");
        // 40 GiB × 12 months × 0.05 = 24.
        assert_eq!(e.total, Some(Amount::new(24, 0)));
    }

    #[test]
    fn an_export_bills_storage_and_write_requests_and_upstream_is_free() {
        let (charges, e) = one(UsagePlan::new().with(export()), Some(&table()));
        let rows: Vec<_> = charges
            .iter()
            .map(|c| (c.charge.kind, c.charge.rule, c.quantity, c.unit, c.amount))
            .collect();
        assert_eq!(
            rows,
            [
                // 150 GiB × 2 months × 0.02 = 6.
                (
                    ChargeKind::ExportStorage,
                    RULE_EXPORT_STORAGE,
                    300,
                    Unit::GibMonth,
                    Some(Amount::new(6, 0))
                ),
                (
                    ChargeKind::ExportWriteRequests,
                    RULE_EXPORT_REQUESTS,
                    2,
                    Unit::Request,
                    Some(Amount(2))
                ),
                (
                    ChargeKind::ExportUpstreamTraffic,
                    RULE_EXPORT_TRAFFIC,
                    150,
                    Unit::Gib,
                    Some(Amount::ZERO)
                ),
            ]
        );
        assert!(charges[2].charge.is_free());
        assert_eq!(e.total, Some(Amount::new(6, 2)));
    }

    #[test]
    fn a_public_download_bills_traffic_and_a_private_one_does_not() {
        let t = table();
        let (public, e) = one(
            UsagePlan::new().with(export().download(Network::Public)),
            Some(&t),
        );
        assert_eq!(public[0].charge.kind, ChargeKind::DownloadRequests);
        assert_eq!(public[0].charge.rule, RULE_DOWNLOAD_REQUESTS);
        assert_eq!((public[0].quantity, public[0].amount), (2, Some(Amount(2))));
        assert_eq!(public[1].charge.kind, ChargeKind::DownloadPublicTraffic);
        assert_eq!(public[1].charge.rule, RULE_DOWNLOAD_TRAFFIC);
        // 150 GiB × 0.1 = 15.
        assert_eq!(
            (public[1].quantity, public[1].amount),
            (150, Some(Amount::new(15, 0)))
        );
        assert_eq!(e.total, Some(Amount::new(15, 2)));

        let (private, e) = one(
            UsagePlan::new().with(export().download(Network::Private)),
            Some(&t),
        );
        assert_eq!(private[1].charge.kind, ChargeKind::DownloadPrivateTraffic);
        assert!(private[1].charge.is_free());
        assert_eq!(private[1].amount, Some(Amount::ZERO));
        assert_eq!(e.total, Some(Amount(2)));
    }

    #[test]
    fn a_paid_ultimate_source_is_listed_per_instance_never_priced() {
        let source = ImageId::new("m-cust2").unwrap(); // the table has a fee for it
        let paid = web().paid_source(source.clone());
        let t = table();
        for (alias, rule) in [
            (OwnerAlias::Own, RULE_CUSTOM_IMAGE_FEE),
            (OwnerAlias::Others, RULE_SHARED_IMAGE_FEE),
            (OwnerAlias::Marketplace, RULE_CUSTOM_IMAGE_FEE),
        ] {
            let item = launch(paid.clone(), alias, Geography::MainlandChina);
            let (charges, e) = one(UsagePlan::new().with(item), Some(&t));
            assert_eq!(
                charges.len(),
                1,
                "{alias:?}: the fee only (keeping is a KeptImage)"
            );
            let fee = &charges[0];
            assert_eq!(fee.charge.kind, ChargeKind::ImageFee);
            assert_eq!(fee.charge.rule, rule);
            assert_eq!(fee.charge.ultimate_source.as_ref(), Some(&source));
            assert_eq!((fee.quantity, fee.unit), (6, Unit::InstanceMonth));
            assert_eq!((fee.unit_price, fee.amount), (None, None));
            assert_eq!((e.total, e.unpriced), (Some(Amount::ZERO), 1));
        }
        // Not paid: nothing per instance.
        let free = launch(web(), OwnerAlias::Own, Geography::MainlandChina);
        assert!(one(UsagePlan::new().with(free), Some(&t)).0.is_empty());
    }

    #[test]
    fn without_prices_everything_is_listed_and_nothing_priced() {
        let plan = full_plan();
        let e = estimate_usage(&plan, None).unwrap();
        assert_eq!((e.currency.as_deref(), e.total), (None, None));
        let kinds: Vec<Vec<ChargeKind>> = e
            .lines
            .iter()
            .map(|l| l.charges.iter().map(|c| c.charge.kind).collect())
            .collect();
        use ChargeKind::*;
        assert_eq!(
            kinds,
            [
                vec![WindowsLicence],
                vec![],
                vec![SnapshotStorage],
                vec![ExportStorage, ExportWriteRequests, ExportUpstreamTraffic],
                vec![DownloadRequests, DownloadPublicTraffic],
                vec![DownloadRequests, DownloadPrivateTraffic],
                vec![ImageFee],
            ]
        );
        for line in &e.lines {
            assert_eq!(line.subtotal, None);
            assert!(
                line.charges
                    .iter()
                    .all(|c| c.amount.is_none() && c.unit_price.is_none())
            );
        }
        // Every billed charge is unpriced: all but upstream and private downstream traffic.
        assert_eq!(e.unpriced, 8);
    }

    #[test]
    fn with_prices_the_total_sums_the_lines() {
        let e = estimate_usage(&full_plan(), Some(&table())).unwrap();
        let subtotals: Vec<String> = e
            .lines
            .iter()
            .map(|l| l.subtotal.unwrap().to_string())
            .collect();
        assert_eq!(
            subtotals,
            ["60", "0", "24", "6.000002", "15.000002", "0.000002", "0"]
        );
        assert_eq!(e.total, Some(Amount::new(105, 6)));
        assert_eq!((e.currency.as_deref(), e.unpriced), (Some("USD"), 1)); // the image fee
        // A kind the table has no price for is listed, not an error.
        let mut t = table();
        t.bucket_storage = Rates::default();
        let e = estimate_usage(&full_plan(), Some(&t)).unwrap();
        assert_eq!(e.lines[3].charges[0].amount, None);
        assert_eq!((e.total, e.unpriced), (Some(Amount::new(99, 6)), 2));
    }

    fn full_plan() -> UsagePlan {
        let source = ImageId::new("m-paid0001").unwrap();
        UsagePlan::new()
            .with(launch(
                windows("ap-southeast-1"),
                OwnerAlias::System,
                Geography::OtherCountryOrRegion,
            ))
            .with(launch(
                windows("ap-guangzhou"),
                OwnerAlias::System,
                Geography::MainlandChina,
            ))
            .with(KeptImage::new(web(), 12).unwrap())
            .with(export())
            .with(export().download(Network::Public))
            .with(export().download(Network::Private))
            .with(launch(
                web().paid_source(source),
                OwnerAlias::Others,
                Geography::MainlandChina,
            ))
    }

    #[test]
    fn constructors_refuse_what_cannot_be_estimated() {
        let l = |n, m| {
            Launch::new(
                windows("ap-southeast-1"),
                OwnerAlias::System,
                Geography::OtherCountryOrRegion,
                "S5.MEDIUM4",
                n,
                m,
            )
        };
        assert_eq!(l(0, 1), Err(PlanError::NoInstances));
        assert_eq!(l(1, 0), Err(PlanError::NoMonths));
        assert_eq!(
            Launch::new(
                windows("ap-southeast-1"),
                OwnerAlias::System,
                Geography::OtherCountryOrRegion,
                "",
                1,
                1
            ),
            Err(PlanError::NoInstanceType)
        );
        assert_eq!(KeptImage::new(web(), 0), Err(PlanError::NoMonths));
        assert_eq!(
            Export::new(web().image, reg("ap-guangzhou"), objects(&[1]), 0),
            Err(PlanError::NoMonths)
        );
        assert_eq!(
            Download::new(web().image, reg("ap-guangzhou"), vec![], Network::Public),
            Err(PlanError::NoObjects)
        );
        assert_eq!(
            CopyPlan::new(vec![], vec![reg("cn-beijing")], 1),
            Err(PlanError::NoImages)
        );
    }

    #[test]
    fn deserialising_validates_like_the_constructors() {
        let plan = full_plan();
        let text = serde_json::to_string(&plan).unwrap();
        let back: UsagePlan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, plan);
        let item = serde_json::to_value(PlanItem::from(KeptImage::new(web(), 1).unwrap())).unwrap();
        let mut zero = item.clone();
        zero["KeptImage"]["months"] = 0.into();
        let err = serde_json::from_value::<PlanItem>(zero).unwrap_err();
        assert!(
            err.to_string().contains("months: at least one month"),
            "{err}"
        );
        let mut no_instances = serde_json::to_value(PlanItem::from(launch(
            windows("ap-southeast-1"),
            OwnerAlias::System,
            Geography::OtherCountryOrRegion,
        )))
        .unwrap();
        no_instances["Launch"]["instances"] = 0.into();
        assert!(serde_json::from_value::<PlanItem>(no_instances).is_err());
    }

    fn item() -> impl Strategy<Value = PlanItem> {
        let size = prop_oneof![0u64..2_000, Just(u64::MAX / 3), Just(u64::MAX)];
        let months = 1u32..=u32::MAX;
        prop_oneof![
            (
                1u32..=u32::MAX,
                months.clone(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(n, m, win, outside, paid)| {
                    let mut image = PlannedImage::new(
                        ImageId::new("img-any00001").unwrap(),
                        reg("ap-singapore"),
                        1,
                    );
                    if win {
                        image = image.platform(Platform::Windows);
                    }
                    if paid {
                        image = image.paid_source(ImageId::new("m-paid0001").unwrap());
                    }
                    let geography = if outside {
                        Geography::OtherCountryOrRegion
                    } else {
                        Geography::MainlandChina
                    };
                    Launch::new(image, OwnerAlias::System, geography, "S5.MEDIUM4", n, m)
                        .unwrap()
                        .into()
                }),
            (size.clone(), months.clone()).prop_filter_map("fits", |(gib, m)| {
                KeptImage::new(
                    PlannedImage::new(
                        ImageId::new("img-any00001").unwrap(),
                        reg("ap-singapore"),
                        gib,
                    ),
                    m,
                )
                .ok()
                .map(PlanItem::from)
            }),
            (prop::collection::vec(size.clone(), 1..4), months).prop_filter_map(
                "fits",
                |(sizes, m)| {
                    Export::new(
                        ImageId::new("img-any00001").unwrap(),
                        reg("ap-singapore"),
                        objects(&sizes),
                        m,
                    )
                    .ok()
                    .map(PlanItem::from)
                }
            ),
            (prop::collection::vec(size, 1..4), any::<bool>()).prop_filter_map(
                "fits",
                |(sizes, public)| {
                    let network = if public {
                        Network::Public
                    } else {
                        Network::Private
                    };
                    Download::new(
                        ImageId::new("img-any00001").unwrap(),
                        reg("ap-singapore"),
                        objects(&sizes),
                        network,
                    )
                    .ok()
                    .map(PlanItem::from)
                }
            ),
        ]
    }

    fn price() -> impl Strategy<Value = Option<Amount>> {
        prop_oneof![
            Just(None),
            (0u64..5_000_000).prop_map(|m| Some(Amount(m))),
            Just(Some(Amount(u64::MAX)))
        ]
    }

    fn prices() -> impl Strategy<Value = Option<PriceTable>> {
        prop::option::of((price(), price(), price(), price(), price()).prop_map(
            |(s, b, r, d, w)| {
                let mut t = PriceTable::new("USD");
                t.snapshot_storage.default = s;
                t.bucket_storage.default = b;
                t.bucket_requests.default = r;
                t.public_downstream.default = d;
                if let Some(w) = w {
                    t.windows_licence.insert("S5.MEDIUM4".into(), w);
                }
                t
            },
        ))
    }

    proptest! {
        #[test]
        fn estimates_add_up_and_never_panic(
            items in prop::collection::vec(item(), 0..6),
            prices in prices(),
        ) {
            let plan: UsagePlan = items.into_iter().collect();
            match estimate_usage(&plan, prices.as_ref()) {
                Err(e) => prop_assert_eq!(e, PriceError::Overflow),
                Ok(e) => {
                    prop_assert_eq!(e.lines.len(), plan.items().len());
                    let mut unpriced = 0;
                    let mut total = 0u128;
                    for line in &e.lines {
                        let mut sum = 0u128;
                        for c in &line.charges {
                            // No price, no amount; an amount is the unit price × the quantity.
                            prop_assert_eq!(c.amount.is_some(), c.unit_price.is_some());
                            if let (Some(p), Some(a)) = (c.unit_price, c.amount) {
                                prop_assert_eq!(u128::from(a.micros()), u128::from(p.micros()) * u128::from(c.quantity));
                                sum += u128::from(a.micros());
                            }
                            if prices.is_none() {
                                prop_assert!(c.amount.is_none());
                            }
                            if c.charge.kind == ChargeKind::ImageFee {
                                prop_assert!(c.amount.is_none());
                            }
                            if c.charge.is_free() && prices.is_some() {
                                prop_assert_eq!(c.amount, Some(Amount::ZERO));
                            }
                            prop_assert!(!c.charge.rule.clause.is_empty());
                            unpriced += usize::from(!c.charge.is_free() && c.amount.is_none());
                        }
                        prop_assert_eq!(line.subtotal.map(|s| u128::from(s.micros())), prices.as_ref().map(|_| sum));
                        total += line.subtotal.map_or(0, |s| u128::from(s.micros()));
                    }
                    prop_assert_eq!(e.total.map(|t| u128::from(t.micros())), prices.as_ref().map(|_| total));
                    prop_assert_eq!(e.total.is_some(), e.currency.is_some());
                    prop_assert_eq!(e.unpriced, unpriced);
                }
            }
        }
    }
}
