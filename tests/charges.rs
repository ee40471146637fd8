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
