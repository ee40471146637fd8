//! Charges: what is billed for an image or an operation, and why, as typed values; and the
//! cost of a copy plan and of a usage plan.
//!
//! [The seeds](crate::sources) give no prices. Every function here answers the *kinds* of charge with their
//! quantities ([`Charge`]); amounts come only from a [`PriceTable`] the caller supplies
//! ([`PriceTable::amount`], [`estimate`]). Amounts are integers (micro-units of the table's
//! currency, [`Amount`]), so every answer is exact and deterministic.
//!
//! # What is billed when
//! | Image or operation | Charge ([`ChargeKind`]) | Quantity ([`Quantity`]) | Billed? | Rule (seed, clause) |
//! |---|---|---|---|---|
//! | public image, Windows, outside mainland China | `WindowsLicence` | per instance launched, by its specification | yes | [001](crate::sources#seed-001), "イメージ課金" (image billing) table, public images: "中国本土以外のリージョンでは、Windowsタイプのイメージの課金はインスタンスのスペックにより、実際に作成されたインスタンスに基づいて計算されます" (outside mainland China, Windows images are billed by the instance specification, based on the instances actually created) |
//! | any other public image | (nothing) | — | free | [001](crate::sources#seed-001), public images: "その他のイメージはすべて無料です" (all other images are free) |
//! | own custom image | `SnapshotStorage` | its snapshots' GiB × months held, in its region | yes | [001](crate::sources#seed-001), custom images: "カスタマイズイメージを保持すると、スナップショット費用が発生します" (keeping a custom image incurs snapshot fees) |
//! | own custom image whose ultimate source is paid | `ImageFee` | per instance launched | yes | [001](crate::sources#seed-001), custom images: "カスタマイズイメージの最終ソースとなるイメージが有料イメージであり、そのカスタマイズイメージを使用した場合、イメージ費用が発生します" (if the image that is the ultimate source of a custom image is a paid image and that custom image is used, image fees are incurred) |
//! | shared image whose ultimate source is paid | `ImageFee` | per instance launched | yes | [001](crate::sources#seed-001), shared images: "使用したカスタマイズイメージの最終ソースが有料イメージであり、そのカスタマイズイメージを共有した場合、イメージ費用が発生します" (if the ultimate source of the custom image used is a paid image and that custom image was shared, image fees are incurred) |
//! | shared image otherwise | (nothing for the account it is shared with; the owner pays the snapshots) | — | free | [001](crate::sources#seed-001), shared images |
//! | marketplace image that is paid | `ImageFee` | per instance launched | yes | [001](crate::sources#seed-001), the image-fee clause (a paid image is its own ultimate source) |
//! | copy (cross-region, or a shared image's same-region copy) | `CopyOperation` | one operation | free | [000](crate::sources#seed-000), "イメージコピーの機能自体は、無料で使うことができます" (the image copy feature itself can be used free of charge) |
//! | … the copy, from the moment it exists | `SnapshotStorage` | its GiB × months, in the destination region | yes | [000](crate::sources#seed-000), "…コピーされたカスタムイメージを保持するために一定のスナップショット料金が発生します" (…keeping the copied custom image incurs some snapshot fees) |
//! | … the copy, when its ultimate source is paid | `ImageFee` | per instance launched | yes | [001](crate::sources#seed-001), image-fee clause (the copy keeps its lineage) |
//! | export to a bucket | `ExportStorage` | the objects' GiB × months stored, in the bucket's region | yes | [002](crate::sources#seed-002), "ストレージ容量料金：イメージをCOSバケットに保存すると、ストレージ容量料金が発生します" (storage capacity fees: storing the image in a COS bucket incurs storage capacity fees) |
//! | … | `ExportWriteRequests` | write requests (one per object at least) | yes | [002](crate::sources#seed-002), "リクエスト料金：イメージをCOSバケットにエクスポートすると、書き込みリクエスト料金が発生します" (request fees: exporting the image to a COS bucket incurs write request fees) |
//! | … | `ExportUpstreamTraffic` | the objects' GiB | free | [002](crate::sources#seed-002), "プライベートネットワークアップストリームトラフィック、パブリックネットワークアップストリームトラフィックはいずれも無料です" (private-network and public-network upstream traffic are both free) |
//! | download from the bucket | `DownloadRequests` | requests (one per object at least) | yes | [002](crate::sources#seed-002), "COSバケットからイメージをダウンロードすると、書き込みリクエスト料金が発生します" (downloading the image from a COS bucket incurs write request fees; the seed says *write* requests) |
//! | … over the private network | `DownloadPrivateTraffic` | the objects' GiB | free | [002](crate::sources#seed-002), "プライベートネットワークダウンストリームトラフィックは無料" (private-network downstream traffic is free) |
//! | … over the public network | `DownloadPublicTraffic` | the objects' GiB | yes | [002](crate::sources#seed-002), "パブリックネットワークダウンストリームトラフィックは有料です" (public-network downstream traffic is charged) |
//!
//! Lineage: every [`Image`] carries `paid` and `ultimate_source`; the engine copies both to a
//! copy (cross-region or a shared image's same-region copy), so "is this paid?" is one lookup
//! however many copies and shares away the paid image is.
//!
//! Quantities the model can't know are stated as such: an object's size is its disk's size
//! (an upper bound for compressed formats), and a request count is one per object (the
//! store counts every request, multipart parts included, so that is a lower bound).
//!
//! # Estimates
//! [`estimate`] prices a [`CopyPlan`] (images × destination regions × months): one line per
//! image and destination, in the plan's order, each with its charges; the total is the sum of
//! what the plan fixes: snapshot storage × months (the copy itself is free). Per-instance
//! charges (image fees) are listed with no amount: they depend on instances launched, which
//! a copy plan does not say.
//!
//! [`estimate_usage`] estimates a [`UsagePlan`], what a plan does beyond copies: instances
//! launched from an image ([`Launch`]: the Windows licence of a public image outside
//! mainland China, the image fee of a paid ultimate source), one's own images kept
//! ([`KeptImage`]: snapshot storage), exports ([`Export`]: bucket storage, write requests,
//! free upstream traffic) and downloads ([`Download`]: requests, public or free private
//! downstream traffic). Each line is one item with its charges, each charge with its rule
//! (seed and clause), its whole quantity in a [`Unit`] and, where the caller's table has a
//! price, its unit price and amount; a billed kind without a price is listed, not priced,
//! and counted in [`UsageEstimate::unpriced`]. Image fees are always listed, never priced.
//!
//! # Files
//! `rule.rs` (the seed clauses), `charge.rs` (what a charge is), this file (what is billed
//! when), `price.rs` (amounts and the caller's prices), `planned_image.rs` (the facts a plan
//! keeps of an image), `copy_plan.rs` ([`estimate`]), `usage_plan.rs` and
//! `usage_estimate.rs` ([`estimate_usage`]).

mod charge;
mod copy_plan;
mod planned_image;
mod price;
mod rule;
mod usage_estimate;
mod usage_plan;

pub use charge::{Charge, ChargeKind, Quantity};
pub use copy_plan::{CopyPlan, Estimate, EstimateLine, PricedCharge, estimate};
pub use planned_image::PlannedImage;
pub use price::{Amount, AmountError, Period, PriceError, PriceTable, Rates};
pub use rule::{
    RULE_COPY, RULE_CUSTOM_IMAGE_FEE, RULE_CUSTOM_SNAPSHOTS, RULE_DOWNLOAD_REQUESTS,
    RULE_DOWNLOAD_TRAFFIC, RULE_EXPORT_REQUESTS, RULE_EXPORT_STORAGE, RULE_EXPORT_TRAFFIC,
    RULE_SHARED_IMAGE_FEE, RULE_WINDOWS_PUBLIC, Rule,
};
pub use usage_estimate::{LineCharge, Unit, UsageEstimate, UsageLine, estimate_usage};
pub use usage_plan::{Download, Export, KeptImage, Launch, PlanError, PlanItem, UsagePlan};

use serde::{Deserialize, Serialize};

use crate::export::ExportObject;
use crate::image::{Image, OwnerAlias, Platform};
use crate::region::{Geography, RegionId};

// ============================================================================ what is billed

/// What `image` costs the account that sees it as `alias`, in a region of `geography` (the
/// image's region's): see the module table. Public images other than Windows outside
/// mainland China cost nothing: the list is empty.
pub fn image_charges(image: &Image, alias: OwnerAlias, geography: Geography) -> Vec<Charge> {
    planned_image_charges(&PlannedImage::from(image), alias, geography)
}

/// [`image_charges`] of the facts a plan keeps of an image.
fn planned_image_charges(
    image: &PlannedImage,
    alias: OwnerAlias,
    geography: Geography,
) -> Vec<Charge> {
    let region = &image.region;
    let fee = |rule| Charge::image_fee(&image.ultimate_source, region, rule);
    match alias {
        OwnerAlias::System => {
            if image.platform == Platform::Windows && geography != Geography::MainlandChina {
                vec![Charge::new(
                    ChargeKind::WindowsLicence,
                    Quantity::PerInstanceMonth,
                    region,
                    RULE_WINDOWS_PUBLIC,
                )]
            } else {
                Vec::new()
            }
        }
        OwnerAlias::Own => {
            let mut charges = vec![Charge::new(
                ChargeKind::SnapshotStorage,
                Quantity::GibMonths {
                    gib: image.size_gib,
                },
                region,
                RULE_CUSTOM_SNAPSHOTS,
            )];
            if image.paid {
                charges.push(fee(RULE_CUSTOM_IMAGE_FEE));
            }
            charges
        }
        OwnerAlias::Others if image.paid => vec![fee(RULE_SHARED_IMAGE_FEE)],
        OwnerAlias::Marketplace if image.paid => vec![fee(RULE_CUSTOM_IMAGE_FEE)],
        OwnerAlias::Others | OwnerAlias::Marketplace => Vec::new(),
    }
}

/// What a copy of `source` to `destination` costs: the copy itself (free), the copy's
/// snapshots in the destination from the moment it exists, and the image fee when the
/// source's ultimate source is paid (the copy inherits the lineage).
pub fn copy_charges(source: &Image, destination: &RegionId) -> Vec<Charge> {
    planned_copy_charges(&PlannedImage::from(source), destination)
}

fn planned_copy_charges(source: &PlannedImage, destination: &RegionId) -> Vec<Charge> {
    let mut charges = vec![
        Charge::new(
            ChargeKind::CopyOperation,
            Quantity::Operation,
            destination,
            RULE_COPY,
        ),
        Charge::new(
            ChargeKind::SnapshotStorage,
            Quantity::GibMonths {
                gib: source.size_gib,
            },
            destination,
            RULE_COPY,
        ),
    ];
    if source.paid {
        charges.push(Charge::image_fee(
            &source.ultimate_source,
            destination,
            RULE_CUSTOM_IMAGE_FEE,
        ));
    }
    charges
}

/// The objects' total GiB, at most `u64::MAX` (a plan refuses objects whose total doesn't fit:
/// [`PlanError::TooLarge`]).
fn total_gib(objects: &[ExportObject]) -> u64 {
    objects
        .iter()
        .fold(0u64, |sum, o| sum.saturating_add(o.size_gib))
}

/// What an export of `objects` to a bucket in `bucket_region` costs: storage, write
/// requests, and (free) upstream traffic.
pub fn export_charges(bucket_region: &RegionId, objects: &[ExportObject]) -> Vec<Charge> {
    let gib = total_gib(objects);
    vec![
        Charge::new(
            ChargeKind::ExportStorage,
            Quantity::GibMonths { gib },
            bucket_region,
            RULE_EXPORT_STORAGE,
        ),
        Charge::new(
            ChargeKind::ExportWriteRequests,
            Quantity::Requests {
                count: objects.len() as u64,
            },
            bucket_region,
            RULE_EXPORT_REQUESTS,
        ),
        Charge::new(
            ChargeKind::ExportUpstreamTraffic,
            Quantity::TrafficGib { gib },
            bucket_region,
            RULE_EXPORT_TRAFFIC,
        ),
    ]
}

/// The network a download goes over.
///
/// ```
/// use machine_image::charges::{download_charges, ChargeKind, Network, Quantity};
/// use machine_image::export::ExportObject;
/// use machine_image::{RegionId, SnapshotId};
///
/// let object = ExportObject { disk: 0, snapshot: SnapshotId::new("s-sys0001")?, name: "web_xvda.raw".into(), size_gib: 40 };
/// let gz = RegionId::new("ap-guangzhou")?;
/// let private = download_charges(&gz, &[object.clone()], Network::Private);
/// assert_eq!(private[0].quantity, Quantity::Requests { count: 1 });
/// assert!(private[1].is_free()); // private downstream traffic is free (seed 002)
/// let public = download_charges(&gz, &[object], Network::Public);
/// assert_eq!((public[1].kind, public[1].quantity), (ChargeKind::DownloadPublicTraffic, Quantity::TrafficGib { gib: 40 }));
/// assert!(!public[1].is_free());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Network {
    /// The provider's private network (free downstream traffic).
    Private,
    /// The public internet (billed downstream traffic).
    Public,
}

/// What a download of `objects` from a bucket in `bucket_region` over `network` costs:
/// requests and downstream traffic (free on the private network).
pub fn download_charges(
    bucket_region: &RegionId,
    objects: &[ExportObject],
    network: Network,
) -> Vec<Charge> {
    let traffic = match network {
        Network::Private => ChargeKind::DownloadPrivateTraffic,
        Network::Public => ChargeKind::DownloadPublicTraffic,
    };
    vec![
        Charge::new(
            ChargeKind::DownloadRequests,
            Quantity::Requests {
                count: objects.len() as u64,
            },
            bucket_region,
            RULE_DOWNLOAD_REQUESTS,
        ),
        Charge::new(
            traffic,
            Quantity::TrafficGib {
                gib: total_gib(objects),
            },
            bucket_region,
            RULE_DOWNLOAD_TRAFFIC,
        ),
    ]
}
