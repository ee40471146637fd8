//! A charge: its kind, its quantity, where it accrues and the rule it comes from.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Rule;
use crate::id::ImageId;
use crate::region::RegionId;

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
    pub(super) fn new(kind: ChargeKind, quantity: Quantity, region: &RegionId, rule: Rule) -> Self {
        Charge {
            kind,
            quantity,
            region: region.clone(),
            ultimate_source: None,
            rule,
        }
    }

    pub(super) fn image_fee(ultimate_source: &ImageId, region: &RegionId, rule: Rule) -> Self {
        Charge {
            ultimate_source: Some(ultimate_source.clone()),
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
