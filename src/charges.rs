//! Charges: what is billed for an image or an operation, and why, as typed values; and the
//! cost of a copy plan.
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

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::export::ExportObject;
use crate::id::ImageId;
use crate::image::{Image, OwnerAlias, Platform};
use crate::region::{Geography, RegionId};

/// A [seed](crate::sources) rule a charge comes from.
///
/// ```
/// use machine_image::charges::RULE_WINDOWS_PUBLIC;
///
/// assert_eq!(RULE_WINDOWS_PUBLIC.seed, "001");
/// assert!(RULE_WINDOWS_PUBLIC.summary.starts_with("Outside mainland China"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The seed file's number: `"000"`, `"001"` or `"002"` ([seed 000](crate::sources#seed-000), [001](crate::sources#seed-001), [002](crate::sources#seed-002)).
    pub seed: &'static str,
    /// The clause, quoted from the seed.
    pub clause: &'static str,
    /// The clause in English (this crate's translation).
    pub summary: &'static str,
}

/// [Seed 001](crate::sources#seed-001), public images outside mainland China.
pub const RULE_WINDOWS_PUBLIC: Rule = Rule {
    seed: "001",
    clause: "中国本土以外のリージョンでは、Windowsタイプのイメージの課金はインスタンスのスペックにより、実際に作成されたインスタンスに基づいて計算されます。",
    summary: "Outside mainland China, Windows public images are billed by the specification of the instances actually created.",
};

/// [Seed 001](crate::sources#seed-001), custom images: snapshot fees.
pub const RULE_CUSTOM_SNAPSHOTS: Rule = Rule {
    seed: "001",
    clause: "カスタマイズイメージを保持すると、スナップショット費用が発生します。",
    summary: "Keeping a custom image incurs snapshot fees.",
};

/// [Seed 001](crate::sources#seed-001), custom images: the image fee when the ultimate source is paid.
pub const RULE_CUSTOM_IMAGE_FEE: Rule = Rule {
    seed: "001",
    clause: "イメージ費用：カスタマイズイメージの最終ソースとなるイメージが有料イメージであり、そのカスタマイズイメージを使用した場合、イメージ費用が発生します。",
    summary: "When a custom image's ultimate source is a paid image, using the custom image incurs the image fee.",
};

/// [Seed 001](crate::sources#seed-001), shared images: the image fee when the ultimate source is paid.
pub const RULE_SHARED_IMAGE_FEE: Rule = Rule {
    seed: "001",
    clause: "使用したカスタマイズイメージの最終ソースが有料イメージであり、そのカスタマイズイメージを共有した場合、イメージ費用が発生します。",
    summary: "When a shared custom image's ultimate source is a paid image, the image fee is incurred.",
};

/// [Seed 000](crate::sources#seed-000): copying is free, the copy's snapshots are not.
pub const RULE_COPY: Rule = Rule {
    seed: "000",
    clause: "イメージコピーの機能自体は、無料で使うことができますが、コピーされたカスタムイメージを保持するために一定のスナップショット料金が発生します。",
    summary: "Copying an image is free, but keeping the copied custom image incurs snapshot fees.",
};

/// [Seed 002](crate::sources#seed-002), export: storage.
pub const RULE_EXPORT_STORAGE: Rule = Rule {
    seed: "002",
    clause: "ストレージ容量料金：イメージをCOSバケットに保存すると、ストレージ容量料金が発生します。",
    summary: "Storing the image in the COS bucket incurs storage fees.",
};

/// [Seed 002](crate::sources#seed-002), export: write requests.
pub const RULE_EXPORT_REQUESTS: Rule = Rule {
    seed: "002",
    clause: "リクエスト料金：イメージをCOSバケットにエクスポートすると、書き込みリクエスト料金が発生します。",
    summary: "Exporting the image to the COS bucket incurs write request fees.",
};

/// [Seed 002](crate::sources#seed-002), export: upstream traffic is free.
pub const RULE_EXPORT_TRAFFIC: Rule = Rule {
    seed: "002",
    clause: "プライベートネットワークアップストリームトラフィック、パブリックネットワークアップストリームトラフィックはいずれも無料です。",
    summary: "Upstream traffic, private or public network, is free.",
};

/// [Seed 002](crate::sources#seed-002), download: requests.
pub const RULE_DOWNLOAD_REQUESTS: Rule = Rule {
    seed: "002",
    clause: "COSバケットからイメージをダウンロードすると、書き込みリクエスト料金が発生します。",
    summary: "Downloading the image from the COS bucket incurs request fees (the seed says write requests).",
};

/// [Seed 002](crate::sources#seed-002), download: downstream traffic.
pub const RULE_DOWNLOAD_TRAFFIC: Rule = Rule {
    seed: "002",
    clause: "プライベートネットワークダウンストリームトラフィックは無料、パブリックネットワークダウンストリームトラフィックは有料です。",
    summary: "Private-network downstream traffic is free; public-network downstream traffic is billed.",
};

/// What a charge is for.
///
/// ```
/// use machine_image::charges::ChargeKind;
///
/// assert_eq!(ChargeKind::SnapshotStorage.to_string(), "SnapshotStorage");
/// assert!(ChargeKind::CopyOperation.is_free()); // seed 000: the copy itself is free
/// assert!(!ChargeKind::DownloadPublicTraffic.is_free());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ChargeKind {
    /// A public Windows image outside mainland China, per instance by its specification.
    WindowsLicence,
    /// Snapshot storage for a custom image's snapshots.
    SnapshotStorage,
    /// The image fee of a paid ultimate source, per instance.
    ImageFee,
    /// The copy operation itself (free).
    CopyOperation,
    /// Storage of exported objects in the bucket.
    ExportStorage,
    /// Write requests of an export.
    ExportWriteRequests,
    /// Upstream traffic of an export (free).
    ExportUpstreamTraffic,
    /// Requests of a download.
    DownloadRequests,
    /// Downstream traffic over the private network (free).
    DownloadPrivateTraffic,
    /// Downstream traffic over the public network.
    DownloadPublicTraffic,
}

impl ChargeKind {
    /// The kind's name, e.g. `"SnapshotStorage"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::WindowsLicence => "WindowsLicence",
            ChargeKind::SnapshotStorage => "SnapshotStorage",
            ChargeKind::ImageFee => "ImageFee",
            ChargeKind::CopyOperation => "CopyOperation",
            ChargeKind::ExportStorage => "ExportStorage",
            ChargeKind::ExportWriteRequests => "ExportWriteRequests",
            ChargeKind::ExportUpstreamTraffic => "ExportUpstreamTraffic",
            ChargeKind::DownloadRequests => "DownloadRequests",
            ChargeKind::DownloadPrivateTraffic => "DownloadPrivateTraffic",
            ChargeKind::DownloadPublicTraffic => "DownloadPublicTraffic",
        }
    }

    /// Whether the seeds say it costs nothing (the copy itself, upstream traffic, private
    /// downstream traffic).
    pub fn is_free(self) -> bool {
        matches!(
            self,
            ChargeKind::CopyOperation
                | ChargeKind::ExportUpstreamTraffic
                | ChargeKind::DownloadPrivateTraffic
        )
    }
}

impl fmt::Display for ChargeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of a charge there is.
///
/// ```
/// use machine_image::charges::{image_charges, ChargeKind, Quantity};
/// use machine_image::{AccountId, Geography, Image, ImageId, ImageName, OwnerAlias, RegionId};
///
/// let owner = AccountId::new("1234567890123456")?;
/// let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
///     .size_gib(40)
///     .build()?;
/// // Keeping one's own custom image bills its snapshots, per GiB and month.
/// let charges = image_charges(&web, OwnerAlias::Own, Geography::MainlandChina);
/// assert_eq!(charges[0].kind, ChargeKind::SnapshotStorage);
/// assert_eq!(charges[0].quantity, Quantity::GibMonths { gib: 40 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantity {
    /// GiB stored, billed per GiB for each month held.
    GibMonths {
        /// The GiB.
        gib: u64,
    },
    /// Billed per instance launched from the image, per month it runs.
    PerInstanceMonth,
    /// A number of requests.
    Requests {
        /// How many.
        count: u64,
    },
    /// Traffic in GiB.
    TrafficGib {
        /// The GiB.
        gib: u64,
    },
    /// One operation.
    Operation,
}

/// One thing billed (or, for the free kinds, stated as free), with its quantity, where, and
/// the rule it comes from.
///
/// ```
/// use machine_image::charges::{copy_charges, ChargeKind, Quantity};
/// use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
///
/// // A paid marketplace image: a copy keeps its lineage, so instances of it pay the fee.
/// let publisher = AccountId::new("marketplace")?;
/// let hz = RegionId::new("cn-hangzhou")?;
/// let paid = Image::marketplace(ImageId::new("m-paid0001")?, hz.clone(), publisher, ImageName::new("paid")?, vec![], vec![hz])
///     .paid(true)
///     .size_gib(20)
///     .build()?;
/// let charges = copy_charges(&paid, &RegionId::new("cn-shanghai")?);
/// let fee = charges.iter().find(|c| c.kind == ChargeKind::ImageFee).expect("paid lineage");
/// assert_eq!(fee.quantity, Quantity::PerInstanceMonth);
/// assert_eq!(fee.ultimate_source.as_ref(), Some(paid.id()));
/// assert_eq!((fee.region.as_str(), fee.rule.seed), ("cn-shanghai", "001"));
/// assert!(!fee.is_free());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Charge {
    /// What for.
    pub kind: ChargeKind,
    /// How much.
    pub quantity: Quantity,
    /// The region it accrues in (the image's, the copy's destination, the bucket's).
    pub region: RegionId,
    /// For image fees: the paid ultimate source whose fee applies.
    pub ultimate_source: Option<ImageId>,
    /// The seed rule.
    pub rule: Rule,
}

impl Charge {
    fn new(kind: ChargeKind, quantity: Quantity, region: &RegionId, rule: Rule) -> Self {
        Charge {
            kind,
            quantity,
            region: region.clone(),
            ultimate_source: None,
            rule,
        }
    }

    fn image_fee(image: &Image, region: &RegionId, rule: Rule) -> Self {
        Charge {
            ultimate_source: Some(image.ultimate_source.clone()),
            ..Charge::new(
                ChargeKind::ImageFee,
                Quantity::PerInstanceMonth,
                region,
                rule,
            )
        }
    }

    /// Whether the seeds say it costs nothing.
    pub fn is_free(&self) -> bool {
        self.kind.is_free()
    }
}

// ============================================================================ what is billed

/// What `image` costs the account that sees it as `alias`, in a region of `geography` (the
/// image's region's): see the module table. Public images other than Windows outside
/// mainland China cost nothing: the list is empty.
pub fn image_charges(image: &Image, alias: OwnerAlias, geography: Geography) -> Vec<Charge> {
    let region = &image.region;
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
                charges.push(Charge::image_fee(image, region, RULE_CUSTOM_IMAGE_FEE));
            }
            charges
        }
        OwnerAlias::Others if image.paid => {
            vec![Charge::image_fee(image, region, RULE_SHARED_IMAGE_FEE)]
        }
        OwnerAlias::Marketplace if image.paid => {
            vec![Charge::image_fee(image, region, RULE_CUSTOM_IMAGE_FEE)]
        }
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
        charges.push(Charge {
            ultimate_source: Some(source.ultimate_source.clone()),
            ..Charge::new(
                ChargeKind::ImageFee,
                Quantity::PerInstanceMonth,
                destination,
                RULE_CUSTOM_IMAGE_FEE,
            )
        });
    }
    charges
}

fn total_gib(objects: &[ExportObject]) -> u64 {
    objects.iter().map(|o| o.size_gib).sum()
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

// ============================================================================ prices

/// An amount of money in micro-units (millionths) of a price table's currency.
///
/// ```
/// use machine_image::charges::Amount;
///
/// let price: Amount = "0.05".parse()?;
/// assert_eq!(price, Amount::new(0, 50_000));
/// assert_eq!(price.micros(), 50_000);
/// assert_eq!(Amount::new(3, 1).to_string(), "3.000001");
/// assert!("1.0000001".parse::<Amount>().is_err()); // at most six decimals
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Amount(pub u64);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// `units` whole currency units plus `micros` millionths (`micros` of a million or more
    /// add whole units). Saturates at the largest amount, 18,446,744,073,709.551615, rather
    /// than wrapping; parsing and the price arithmetic refuse an overflow instead.
    pub fn new(units: u64, micros: u64) -> Amount {
        Amount(units.saturating_mul(1_000_000).saturating_add(micros))
    }

    /// The micro-units.
    pub fn micros(self) -> u64 {
        self.0
    }

    fn times(self, n: u64) -> Result<Amount, PriceError> {
        self.0
            .checked_mul(n)
            .map(Amount)
            .ok_or(PriceError::Overflow)
    }

    fn plus(self, other: Amount) -> Result<Amount, PriceError> {
        self.0
            .checked_add(other.0)
            .map(Amount)
            .ok_or(PriceError::Overflow)
    }
}

/// Text that is not a decimal amount with at most six decimals.
///
/// ```
/// use machine_image::charges::{Amount, AmountError};
///
/// assert_eq!("1e3".parse::<Amount>(), Err(AmountError("1e3".into())));
/// assert!("-1".parse::<Amount>().is_err() && ".5".parse::<Amount>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an amount: expected digits with at most six decimals, e.g. 0.05")]
pub struct AmountError(pub String);

impl std::str::FromStr for Amount {
    type Err = AmountError;

    /// A decimal such as `12`, `0.05` or `3.000001` (at most six decimals, no sign).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AmountError(s.to_owned());
        let (units, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if units.is_empty() || !digits(units) || !digits(frac) || frac.len() > 6 {
            return Err(err());
        }
        if s.contains('.') && frac.is_empty() {
            return Err(err());
        }
        let units: u64 = units.parse().map_err(|_| err())?;
        let micros: u64 = format!("{frac:0<6}").parse().map_err(|_| err())?;
        units
            .checked_mul(1_000_000)
            .and_then(|u| u.checked_add(micros))
            .map(Amount)
            .ok_or_else(err)
    }
}

impl fmt::Display for Amount {
    /// A decimal without trailing zeros: `12`, `0.5`, `3.000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (units, micros) = (self.0 / 1_000_000, self.0 % 1_000_000);
        if micros == 0 {
            write!(f, "{units}")
        } else {
            let frac = format!("{micros:06}");
            write!(f, "{units}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// Per-region prices with a fallback.
///
/// ```
/// use machine_image::RegionId;
/// use machine_image::charges::{Amount, Rates};
///
/// let (hz, hk) = (RegionId::new("cn-hangzhou")?, RegionId::new("cn-hongkong")?);
/// let mut rates = Rates::flat("0.02".parse()?);
/// rates.regions.insert(hk.clone(), "0.03".parse()?);
/// assert_eq!(rates.get(&hz), Some(Amount::new(0, 20_000)));
/// assert_eq!(rates.get(&hk), Some(Amount::new(0, 30_000)));
/// assert_eq!(Rates::default().get(&hz), None); // no price: estimates say so
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    /// The price where no region-specific one is given.
    pub default: Option<Amount>,
    /// Region-specific prices.
    pub regions: BTreeMap<RegionId, Amount>,
}

impl Rates {
    /// One price everywhere.
    pub fn flat(price: Amount) -> Self {
        Rates {
            default: Some(price),
            regions: BTreeMap::new(),
        }
    }

    /// The price in `region`.
    pub fn get(&self, region: &RegionId) -> Option<Amount> {
        self.regions.get(region).copied().or(self.default)
    }
}

/// The prices a caller supplies (the seeds have none).
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::{copy_charges, Amount, ChargeKind, Period, PriceError, PriceTable, Rates};
/// // `web`: a 40 GiB custom image in cn-hangzhou (hidden above).
/// let mut prices = PriceTable::new("USD");
/// prices.snapshot_storage = Rates::flat("0.02".parse()?); // per GiB-month
/// let shanghai = RegionId::new("cn-shanghai")?;
/// let charges = copy_charges(&web, &shanghai);
/// let year = Period { months: 12, instances: vec![] };
/// assert_eq!(charges[0].kind, ChargeKind::CopyOperation); // the copy itself: free
/// assert_eq!(prices.amount(&charges[0], &year)?, Amount::ZERO);
/// assert_eq!(charges[1].kind, ChargeKind::SnapshotStorage); // the copy's snapshots
/// let storage = prices.amount(&charges[1], &year)?;
/// assert_eq!(storage.to_string(), "9.6"); // 40 GiB × 12 months × 0.02
/// assert!(matches!(
///     PriceTable::new("USD").amount(&charges[1], &year),
///     Err(PriceError::Missing { .. })
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTable {
    /// The currency of every amount, e.g. `"USD"`.
    pub currency: String,
    /// Snapshot storage, per GiB-month.
    pub snapshot_storage: Rates,
    /// Bucket storage of exported objects, per GiB-month.
    pub bucket_storage: Rates,
    /// Bucket requests (export writes, download requests), per request.
    pub bucket_requests: Rates,
    /// Public-network downstream traffic, per GiB.
    pub public_downstream: Rates,
    /// Windows public images outside mainland China, per instance-month, by the instance's
    /// specification (e.g. `"S5.MEDIUM4"`).
    pub windows_licence: BTreeMap<String, Amount>,
    /// Image fees, per instance-month, by the paid ultimate source image.
    pub image_fees: BTreeMap<ImageId, Amount>,
}

/// How long, and on which instances, a charge is priced.
///
/// ```
/// use std::collections::BTreeMap;
/// use machine_image::charges::{image_charges, Amount, Period, PriceTable};
/// use machine_image::{AccountId, Geography, Image, ImageId, ImageName, OwnerAlias, Platform, RegionId};
///
/// // A public Windows image outside mainland China bills a licence per instance and month.
/// let system = AccountId::new("system")?;
/// let windows = Image::public(ImageId::new("win2022_64_dtc")?, RegionId::new("ap-southeast-1")?, system, ImageName::new("Windows")?, vec![])
///     .platform(Platform::Windows)
///     .build()?;
/// let charges = image_charges(&windows, OwnerAlias::System, Geography::OtherCountryOrRegion);
/// let mut prices = PriceTable::new("USD");
/// prices.windows_licence = BTreeMap::from([("S5.MEDIUM4".to_string(), Amount::new(10, 0))]);
/// let period = Period { months: 3, instances: vec!["S5.MEDIUM4".into(), "S5.MEDIUM4".into()] };
/// assert_eq!(prices.amount(&charges[0], &period)?, Amount::new(60, 0)); // 2 × 3 × 10
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Months (storage is billed per month held, per-instance charges per month run).
    pub months: u32,
    /// The specification of each instance launched from the image for the period.
    pub instances: Vec<String>,
}

/// A charge the price table can't price.
///
/// ```
/// # use machine_image::charges::{CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// use machine_image::charges::{estimate, ChargeKind, PriceError};
/// // `plan`: a 40 GiB image copied to cn-shanghai; a table without snapshot prices:
/// let err = estimate(&plan, Some(&PriceTable::new("USD"))).unwrap_err();
/// assert_eq!(err, PriceError::Missing { kind: ChargeKind::SnapshotStorage, key: "cn-shanghai".into() });
/// # let _ = prices;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// No price for the kind in the region, for the instance specification, or for the
    /// ultimate source.
    #[error("no price for {kind} ({key})")]
    Missing {
        /// The charge kind.
        kind: ChargeKind,
        /// The region, instance specification or image the price was looked up by.
        key: String,
    },
    /// The amount does not fit in 64 bits of micro-units.
    #[error("amount overflows")]
    Overflow,
}

impl PriceTable {
    /// A table in `currency` with no prices.
    pub fn new(currency: impl Into<String>) -> Self {
        PriceTable {
            currency: currency.into(),
            ..PriceTable::default()
        }
    }

    fn rate(&self, rates: &Rates, charge: &Charge) -> Result<Amount, PriceError> {
        rates
            .get(&charge.region)
            .ok_or_else(|| PriceError::Missing {
                kind: charge.kind,
                key: charge.region.to_string(),
            })
    }

    /// What `charge` costs over `period`: free kinds cost nothing; storage is GiB × months
    /// × the region's rate; requests and traffic count × rate; per-instance charges the
    /// instances' prices × months (nothing when no instance runs).
    pub fn amount(&self, charge: &Charge, period: &Period) -> Result<Amount, PriceError> {
        if charge.is_free() {
            return Ok(Amount::ZERO);
        }
        let months = u64::from(period.months);
        match (charge.kind, charge.quantity) {
            (_, Quantity::Operation) => Ok(Amount::ZERO),
            (ChargeKind::SnapshotStorage, Quantity::GibMonths { gib }) => self
                .rate(&self.snapshot_storage, charge)?
                .times(gib)?
                .times(months),
            (_, Quantity::GibMonths { gib }) => self
                .rate(&self.bucket_storage, charge)?
                .times(gib)?
                .times(months),
            (_, Quantity::Requests { count }) => {
                self.rate(&self.bucket_requests, charge)?.times(count)
            }
            (_, Quantity::TrafficGib { gib }) => {
                self.rate(&self.public_downstream, charge)?.times(gib)
            }
            (ChargeKind::WindowsLicence, Quantity::PerInstanceMonth) => {
                period.instances.iter().try_fold(Amount::ZERO, |sum, spec| {
                    let price = self.windows_licence.get(spec).copied().ok_or_else(|| {
                        PriceError::Missing {
                            kind: charge.kind,
                            key: spec.clone(),
                        }
                    })?;
                    sum.plus(price.times(months)?)
                })
            }
            (_, Quantity::PerInstanceMonth) => {
                if period.instances.is_empty() {
                    return Ok(Amount::ZERO);
                }
                let source = charge.ultimate_source.as_ref();
                let price = source
                    .and_then(|s| self.image_fees.get(s).copied())
                    .ok_or_else(|| PriceError::Missing {
                        kind: charge.kind,
                        key: source.map(ToString::to_string).unwrap_or_default(),
                    })?;
                price.times(period.instances.len() as u64)?.times(months)
            }
        }
    }
}

// ============================================================================ estimate

/// An image in a copy plan: what its cost depends on.
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::PlannedImage;
/// // `web`: a 40 GiB custom image, not paid (hidden above).
/// let planned = PlannedImage::from(&web);
/// assert_eq!((planned.size_gib, planned.paid), (40, false));
/// assert_eq!(&planned.ultimate_source, web.id()); // an original is its own source
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedImage {
    /// The image.
    pub image: ImageId,
    /// Its size in GiB (its snapshots').
    pub size_gib: u64,
    /// Whether its ultimate source is paid.
    pub paid: bool,
    /// Its ultimate source.
    pub ultimate_source: ImageId,
}

impl From<&Image> for PlannedImage {
    fn from(image: &Image) -> Self {
        PlannedImage {
            image: image.id.clone(),
            size_gib: image.size_gib,
            paid: image.paid,
            ultimate_source: image.ultimate_source.clone(),
        }
    }
}

/// A copy plan: each image copied to each destination region, the copies kept `months`.
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::{estimate, CopyPlan, PlannedImage};
/// // `web`: a 40 GiB custom image in cn-hangzhou (hidden above).
/// let plan = CopyPlan {
///     images: vec![PlannedImage::from(&web)],
///     destinations: vec![RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?],
///     months: 6,
/// };
/// let kinds_only = estimate(&plan, None)?; // no price table: the charges, no amounts
/// assert_eq!(kinds_only.lines.len(), 2);
/// assert_eq!(kinds_only.total, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyPlan {
    /// The images.
    pub images: Vec<PlannedImage>,
    /// The destination regions.
    pub destinations: Vec<RegionId>,
    /// How long the copies are kept.
    pub months: u32,
}

/// A charge with its amount: `None` without a price table, and for per-instance charges,
/// which a copy plan does not fix.
///
/// ```
/// # use machine_image::charges::{CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// use machine_image::charges::{estimate, Amount, ChargeKind};
/// // `plan`: a 40 GiB image to cn-shanghai for 6 months; `prices`: 0.02 per GiB-month.
/// let line = &estimate(&plan, Some(&prices))?.lines[0];
/// let storage = line.charges.iter().find(|c| c.charge.kind == ChargeKind::SnapshotStorage).expect("always");
/// assert_eq!(storage.amount, Some(Amount::new(4, 800_000)));
/// let unpriced = &estimate(&plan, None)?.lines[0];
/// assert!(unpriced.charges.iter().all(|c| c.amount.is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedCharge {
    /// The charge.
    pub charge: Charge,
    /// Its amount over the plan's months.
    pub amount: Option<Amount>,
}

/// One line of an estimate: one image copied to one region.
///
/// ```
/// # use machine_image::charges::{CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// use machine_image::charges::{estimate, Amount};
/// // `plan`: a 40 GiB image to cn-shanghai for 6 months; `prices`: 0.02 per GiB-month.
/// let cost = estimate(&plan, Some(&prices))?;
/// let line = &cost.lines[0];
/// assert_eq!((line.image.as_str(), line.destination.as_str()), ("m-web0001", "cn-shanghai"));
/// assert_eq!(line.subtotal, Some(Amount::new(4, 800_000)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateLine {
    /// The image.
    pub image: ImageId,
    /// The destination.
    pub destination: RegionId,
    /// Its charges: the copy (free), snapshot storage, and the image fee when paid.
    pub charges: Vec<PricedCharge>,
    /// The sum of its priced charges (with a price table).
    pub subtotal: Option<Amount>,
}

/// The cost of a copy plan.
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::{estimate, CopyPlan, PlannedImage, PriceTable, Rates};
/// // `web`: a 40 GiB custom image in cn-hangzhou (hidden above).
/// let mut prices = PriceTable::new("USD");
/// prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// let plan = CopyPlan {
///     images: vec![PlannedImage::from(&web)],
///     destinations: vec![RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?],
///     months: 6,
/// };
/// let cost = estimate(&plan, Some(&prices))?;
/// assert_eq!(cost.currency.as_deref(), Some("USD"));
/// assert_eq!(cost.lines[1].destination.as_str(), "cn-beijing");
/// assert_eq!(cost.lines[0].subtotal.map(|a| a.to_string()).as_deref(), Some("4.8")); // 40 × 6 × 0.02
/// assert_eq!(cost.total.map(|a| a.to_string()).as_deref(), Some("9.6"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// The months priced.
    pub months: u32,
    /// The price table's currency (with a price table).
    pub currency: Option<String>,
    /// One line per image and destination, images in the plan's order, then destinations.
    pub lines: Vec<EstimateLine>,
    /// The sum of the lines (with a price table).
    pub total: Option<Amount>,
}

/// The cost of `plan`: with `prices`, each line's amounts and the total; without, the charge
/// kinds with their quantities only. See the module docs.
pub fn estimate(plan: &CopyPlan, prices: Option<&PriceTable>) -> Result<Estimate, PriceError> {
    let period = Period {
        months: plan.months,
        instances: Vec::new(),
    };
    let mut lines = Vec::with_capacity(plan.images.len() * plan.destinations.len());
    let mut total = prices.map(|_| Amount::ZERO);
    for planned in &plan.images {
        for destination in &plan.destinations {
            let charges = planned_copy_charges(planned, destination);
            let mut subtotal = prices.map(|_| Amount::ZERO);
            let mut priced = Vec::with_capacity(charges.len());
            for charge in charges {
                let amount = match prices {
                    Some(table) if charge.quantity != Quantity::PerInstanceMonth => {
                        Some(table.amount(&charge, &period)?)
                    }
                    _ => None,
                };
                if let (Some(s), Some(a)) = (subtotal, amount) {
                    subtotal = Some(s.plus(a)?);
                }
                priced.push(PricedCharge { charge, amount });
            }
            if let (Some(t), Some(s)) = (total, subtotal) {
                total = Some(t.plus(s)?);
            }
            lines.push(EstimateLine {
                image: planned.image.clone(),
                destination: destination.clone(),
                charges: priced,
                subtotal,
            });
        }
    }
    Ok(Estimate {
        months: plan.months,
        currency: prices.map(|p| p.currency.clone()),
        lines,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_display_as_decimals() {
        assert_eq!(Amount::new(12, 0).to_string(), "12");
        assert_eq!(Amount::new(0, 500_000).to_string(), "0.5");
        assert_eq!(Amount::new(3, 1).to_string(), "3.000001");
        assert_eq!(Amount::ZERO.to_string(), "0");
    }

    #[test]
    fn amounts_built_from_parts_saturate() {
        assert_eq!(Amount::new(1, 500_000).to_string(), "1.5");
        assert_eq!(Amount::new(0, 2_500_000), Amount::new(2, 500_000));
        assert_eq!(Amount::new(u64::MAX / 1_000_000 + 1, 0).micros(), u64::MAX);
        assert_eq!(Amount::new(u64::MAX, u64::MAX).micros(), u64::MAX);
    }

    #[test]
    fn amounts_parse_from_decimals() {
        assert_eq!("12".parse(), Ok(Amount::new(12, 0)));
        assert_eq!("0.05".parse(), Ok(Amount::new(0, 50_000)));
        assert_eq!("3.000001".parse(), Ok(Amount::new(3, 1)));
        for bad in [
            "",
            ".5",
            "1.",
            "1.0000001",
            "-1",
            "1e3",
            "a",
            "18446744073709.551616",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad}");
        }
        for a in [Amount(0), Amount(1), Amount::new(7, 250_000)] {
            assert_eq!(a.to_string().parse(), Ok(a));
        }
    }

    #[test]
    fn rates_fall_back_to_the_default() {
        let hz = RegionId::new("cn-hangzhou").unwrap();
        let sg = RegionId::new("ap-southeast-1").unwrap();
        let mut r = Rates::flat(Amount(5));
        r.regions.insert(sg.clone(), Amount(7));
        assert_eq!(r.get(&hz), Some(Amount(5)));
        assert_eq!(r.get(&sg), Some(Amount(7)));
        assert_eq!(Rates::default().get(&hz), None);
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(Amount(u64::MAX).times(2), Err(PriceError::Overflow));
        assert_eq!(Amount(u64::MAX).plus(Amount(1)), Err(PriceError::Overflow));
    }
}
