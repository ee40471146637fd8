//! A usage plan: launches, kept images, exports and downloads, each a validated item whose
//! charges [`estimate_usage`](super::estimate_usage) lists and prices.

use serde::{Deserialize, Serialize};

use super::{Network, PlannedImage};
use crate::export::ExportObject;
use crate::id::ImageId;
use crate::image::OwnerAlias;
use crate::region::{Geography, RegionId};

/// Why a plan or one of its items is refused: each variant names the field at fault.
///
/// ```
/// use machine_image::charges::{KeptImage, PlanError, PlannedImage};
/// use machine_image::{ImageId, RegionId};
///
/// let web = PlannedImage::new(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, 40);
/// assert_eq!(KeptImage::new(web, 0), Err(PlanError::NoMonths));
/// assert_eq!(PlanError::NoMonths.to_string(), "months: at least one month is needed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A launch without an instance specification.
    #[error("instance_type: an instance specification such as S5.MEDIUM4 is needed")]
    NoInstanceType,
    /// A launch of no instances.
    #[error("instances: at least one instance is needed")]
    NoInstances,
    /// A launch, kept image or export for no months.
    #[error("months: at least one month is needed")]
    NoMonths,
    /// An export or download of no objects.
    #[error("objects: at least one object is needed")]
    NoObjects,
    /// A copy plan without images.
    #[error("images: at least one image is needed")]
    NoImages,
    /// A copy plan without destinations.
    #[error("destinations: at least one destination region is needed")]
    NoDestinations,
    /// A quantity (GiB, GiB × months) that does not fit in 64 bits.
    #[error("{field}: the quantity does not fit in 64 bits")]
    TooLarge {
        /// The field whose quantity overflows.
        field: &'static str,
    },
}

/// The objects' total GiB, refused when it doesn't fit.
fn objects_gib(objects: &[ExportObject]) -> Result<u64, PlanError> {
    if objects.is_empty() {
        return Err(PlanError::NoObjects);
    }
    objects
        .iter()
        .try_fold(0u64, |sum, o| sum.checked_add(o.size_gib))
        .ok_or(PlanError::TooLarge { field: "objects" })
}

/// `gib` for `months`, refused when zero months or when the product doesn't fit.
fn gib_months(gib: u64, months: u32, field: &'static str) -> Result<u64, PlanError> {
    if months == 0 {
        return Err(PlanError::NoMonths);
    }
    gib.checked_mul(u64::from(months))
        .ok_or(PlanError::TooLarge { field })
}

/// Instances launched from an image: `instances` of one specification, run `months`.
///
/// Its charges are the image's per-instance ones ([`image_charges`](super::image_charges)):
/// a public Windows image outside mainland China bills a licence by the specification
/// ([seed 001](crate::sources#seed-001)); an image whose ultimate source is paid bills the
/// image fee. Keeping one's own image is a [`KeptImage`].
///
/// ```
/// use machine_image::charges::{Launch, PlanError, PlannedImage};
/// use machine_image::{Geography, ImageId, OwnerAlias, Platform, RegionId};
///
/// let windows = PlannedImage::new(ImageId::new("img-win00001")?, RegionId::new("ap-singapore")?, 50)
///     .platform(Platform::Windows);
/// let launch = Launch::new(windows.clone(), OwnerAlias::System, Geography::OtherCountryOrRegion, "S5.MEDIUM4", 2, 3)?;
/// assert_eq!((launch.instance_type(), launch.instance_months()), ("S5.MEDIUM4", 6));
/// let none = Launch::new(windows, OwnerAlias::System, Geography::OtherCountryOrRegion, "S5.MEDIUM4", 0, 3);
/// assert_eq!(none, Err(PlanError::NoInstances));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "raw::Launch")]
pub struct Launch {
    image: PlannedImage,
    alias: OwnerAlias,
    geography: Geography,
    instance_type: String,
    instances: u32,
    months: u32,
}

impl Launch {
    /// `instances` instances of `instance_type` launched from `image`, which the launching
    /// account sees as `alias`, in its region (of `geography`), run `months`. Refused
    /// without a specification, instances or months.
    pub fn new(
        image: PlannedImage,
        alias: OwnerAlias,
        geography: Geography,
        instance_type: impl Into<String>,
        instances: u32,
        months: u32,
    ) -> Result<Self, PlanError> {
        let instance_type = instance_type.into();
        if instance_type.trim().is_empty() {
            return Err(PlanError::NoInstanceType);
        }
        if instances == 0 {
            return Err(PlanError::NoInstances);
        }
        if months == 0 {
            return Err(PlanError::NoMonths);
        }
        Ok(Launch {
            image,
            alias,
            geography,
            instance_type,
            instances,
            months,
        })
    }

    /// The image.
    pub fn image(&self) -> &PlannedImage {
        &self.image
    }

    /// How the launching account sees the image.
    pub fn alias(&self) -> OwnerAlias {
        self.alias
    }

    /// The geography of the image's region.
    pub fn geography(&self) -> Geography {
        self.geography
    }

    /// The instance specification, e.g. `S5.MEDIUM4`.
    pub fn instance_type(&self) -> &str {
        &self.instance_type
    }

    /// How many instances.
    pub fn instances(&self) -> u32 {
        self.instances
    }

    /// How many months they run.
    pub fn months(&self) -> u32 {
        self.months
    }

    /// Instances × months (always fits: both are 32-bit).
    pub fn instance_months(&self) -> u64 {
        u64::from(self.instances) * u64::from(self.months)
    }
}

/// One's own custom image kept `months`: its snapshots are billed
/// ([seed 001](crate::sources#seed-001), "カスタマイズイメージを保持すると、スナップショット費用が発生します").
///
/// ```
/// use machine_image::charges::{KeptImage, PlanError, PlannedImage};
/// use machine_image::{ImageId, RegionId};
///
/// let web = PlannedImage::new(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, 40);
/// let kept = KeptImage::new(web, 12)?;
/// assert_eq!((kept.months(), kept.gib_months()), (12, 480));
/// let huge = PlannedImage::new(ImageId::new("m-big00001")?, RegionId::new("cn-hangzhou")?, u64::MAX);
/// assert_eq!(KeptImage::new(huge, 2), Err(PlanError::TooLarge { field: "size_gib" }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "raw::KeptImage")]
pub struct KeptImage {
    image: PlannedImage,
    months: u32,
}

impl KeptImage {
    /// `image` (one's own) kept `months`. Refused for no months, or when its GiB × months
    /// don't fit in 64 bits.
    pub fn new(image: PlannedImage, months: u32) -> Result<Self, PlanError> {
        gib_months(image.size_gib, months, "size_gib")?;
        Ok(KeptImage { image, months })
    }

    /// The image.
    pub fn image(&self) -> &PlannedImage {
        &self.image
    }

    /// How many months it is kept.
    pub fn months(&self) -> u32 {
        self.months
    }

    /// Its GiB × months.
    pub fn gib_months(&self) -> u64 {
        self.image.size_gib * u64::from(self.months)
    }
}

/// An image exported to a bucket as `objects`, which stay there `months`: storage, write
/// requests and (free) upstream traffic ([seed 002](crate::sources#seed-002)).
///
/// ```
/// use machine_image::charges::{Export, Network, PlanError};
/// use machine_image::export::ExportObject;
/// use machine_image::{ImageId, RegionId, SnapshotId};
///
/// let objects = vec![
///     ExportObject::new(0, SnapshotId::new("snap-sys0001")?, "web_xvda.raw", 50),
///     ExportObject::new(1, SnapshotId::new("snap-dat0001")?, "web_xvdb.raw", 100),
/// ];
/// let (image, gz) = (ImageId::new("img-web00001")?, RegionId::new("ap-guangzhou")?);
/// let export = Export::new(image.clone(), gz.clone(), objects, 2)?;
/// assert_eq!((export.gib(), export.objects().len()), (150, 2));
/// let download = export.download(Network::Public);
/// assert_eq!(download.gib(), 150);
/// assert_eq!(Export::new(image, gz, vec![], 2), Err(PlanError::NoObjects));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "raw::Export")]
pub struct Export {
    image: ImageId,
    bucket_region: RegionId,
    objects: Vec<ExportObject>,
    months: u32,
}

impl Export {
    /// `image` exported as `objects` to a bucket in `bucket_region`, stored `months`.
    /// Refused without objects or months, or when their GiB × months don't fit in 64 bits.
    pub fn new(
        image: ImageId,
        bucket_region: RegionId,
        objects: Vec<ExportObject>,
        months: u32,
    ) -> Result<Self, PlanError> {
        gib_months(objects_gib(&objects)?, months, "objects")?;
        Ok(Export {
            image,
            bucket_region,
            objects,
            months,
        })
    }

    /// The image exported.
    pub fn image(&self) -> &ImageId {
        &self.image
    }

    /// The bucket's region.
    pub fn bucket_region(&self) -> &RegionId {
        &self.bucket_region
    }

    /// The objects written.
    pub fn objects(&self) -> &[ExportObject] {
        &self.objects
    }

    /// How many months the objects are stored.
    pub fn months(&self) -> u32 {
        self.months
    }

    /// The objects' total GiB.
    pub fn gib(&self) -> u64 {
        super::total_gib(&self.objects)
    }

    /// A download of this export's objects over `network`.
    pub fn download(&self, network: Network) -> Download {
        Download {
            image: self.image.clone(),
            bucket_region: self.bucket_region.clone(),
            objects: self.objects.clone(),
            network,
        }
    }
}

/// Exported objects downloaded once from their bucket over `network`: requests, and
/// downstream traffic, free on the private network ([seed 002](crate::sources#seed-002)).
///
/// ```
/// use machine_image::charges::{Download, Network};
/// use machine_image::export::ExportObject;
/// use machine_image::{ImageId, RegionId, SnapshotId};
///
/// let objects = vec![ExportObject::new(0, SnapshotId::new("snap-sys0001")?, "web_xvda.raw", 50)];
/// let download = Download::new(ImageId::new("img-web00001")?, RegionId::new("ap-guangzhou")?, objects, Network::Private)?;
/// assert_eq!((download.network(), download.gib()), (Network::Private, 50));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "raw::Download")]
pub struct Download {
    image: ImageId,
    bucket_region: RegionId,
    objects: Vec<ExportObject>,
    network: Network,
}

impl Download {
    /// `objects` of `image`'s export, downloaded from a bucket in `bucket_region` over
    /// `network`. Refused without objects, or when their GiB don't fit in 64 bits.
    pub fn new(
        image: ImageId,
        bucket_region: RegionId,
        objects: Vec<ExportObject>,
        network: Network,
    ) -> Result<Self, PlanError> {
        objects_gib(&objects)?;
        Ok(Download {
            image,
            bucket_region,
            objects,
            network,
        })
    }

    /// The image whose export is downloaded.
    pub fn image(&self) -> &ImageId {
        &self.image
    }

    /// The bucket's region.
    pub fn bucket_region(&self) -> &RegionId {
        &self.bucket_region
    }

    /// The objects downloaded.
    pub fn objects(&self) -> &[ExportObject] {
        &self.objects
    }

    /// The network.
    pub fn network(&self) -> Network {
        self.network
    }

    /// The objects' total GiB.
    pub fn gib(&self) -> u64 {
        super::total_gib(&self.objects)
    }
}

/// One item of a [`UsagePlan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanItem {
    /// Instances launched from an image.
    Launch(Launch),
    /// One's own custom image kept.
    KeptImage(KeptImage),
    /// An image exported to a bucket.
    Export(Export),
    /// Exported objects downloaded.
    Download(Download),
}

impl PlanItem {
    /// The item's name: `Launch`, `KeptImage`, `Export` or `Download`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlanItem::Launch(_) => "Launch",
            PlanItem::KeptImage(_) => "KeptImage",
            PlanItem::Export(_) => "Export",
            PlanItem::Download(_) => "Download",
        }
    }
}

impl From<Launch> for PlanItem {
    fn from(item: Launch) -> Self {
        PlanItem::Launch(item)
    }
}

impl From<KeptImage> for PlanItem {
    fn from(item: KeptImage) -> Self {
        PlanItem::KeptImage(item)
    }
}

impl From<Export> for PlanItem {
    fn from(item: Export) -> Self {
        PlanItem::Export(item)
    }
}

impl From<Download> for PlanItem {
    fn from(item: Download) -> Self {
        PlanItem::Download(item)
    }
}

/// What a plan does with images beyond copying them: launches, kept images, exports and
/// downloads, in order; [`estimate_usage`](super::estimate_usage) lists each item's charges
/// and prices them. Every item is valid (its constructor, and deserialising, check it), so
/// a plan is valid as soon as it is built.
///
/// ```
/// use machine_image::charges::{estimate_usage, Export, KeptImage, Launch, Network, PlannedImage, UsagePlan};
/// use machine_image::export::ExportObject;
/// use machine_image::{Geography, ImageId, OwnerAlias, Platform, RegionId, SnapshotId};
///
/// let sg = RegionId::new("ap-singapore")?;
/// let windows = PlannedImage::new(ImageId::new("img-win00001")?, sg.clone(), 50).platform(Platform::Windows);
/// let web = PlannedImage::new(ImageId::new("img-web00001")?, sg.clone(), 40);
/// let objects = vec![ExportObject::new(0, SnapshotId::new("snap-sys0001")?, "web_xvda.raw", 40)];
/// let export = Export::new(web.image.clone(), sg, objects, 1)?;
/// let plan = UsagePlan::new()
///     .with(Launch::new(windows, OwnerAlias::System, Geography::OtherCountryOrRegion, "S5.MEDIUM4", 2, 3)?)
///     .with(KeptImage::new(web, 12)?)
///     .with(export.download(Network::Public))
///     .with(export);
/// assert_eq!(plan.items().len(), 4);
/// assert_eq!(plan.items()[2].as_str(), "Download");
/// let listed = estimate_usage(&plan, None)?; // no prices: every charge listed, none priced
/// assert_eq!(listed.lines.len(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePlan {
    items: Vec<PlanItem>,
}

impl UsagePlan {
    /// An empty plan (its estimate has no lines and costs nothing).
    pub fn new() -> Self {
        UsagePlan::default()
    }

    /// The plan with `item` added last.
    pub fn with(mut self, item: impl Into<PlanItem>) -> Self {
        self.items.push(item.into());
        self
    }

    /// Adds `item` last.
    pub fn push(&mut self, item: impl Into<PlanItem>) {
        self.items.push(item.into());
    }

    /// The items, in order.
    pub fn items(&self) -> &[PlanItem] {
        &self.items
    }
}

impl FromIterator<PlanItem> for UsagePlan {
    fn from_iter<I: IntoIterator<Item = PlanItem>>(items: I) -> Self {
        UsagePlan {
            items: items.into_iter().collect(),
        }
    }
}

/// The items' fields as deserialised, before the constructors check them.
mod raw {
    use super::*;

    #[derive(Deserialize)]
    pub(super) struct Launch {
        image: PlannedImage,
        alias: OwnerAlias,
        geography: Geography,
        instance_type: String,
        instances: u32,
        months: u32,
    }

    impl TryFrom<Launch> for super::Launch {
        type Error = PlanError;
        fn try_from(r: Launch) -> Result<Self, PlanError> {
            super::Launch::new(
                r.image,
                r.alias,
                r.geography,
                r.instance_type,
                r.instances,
                r.months,
            )
        }
    }

    #[derive(Deserialize)]
    pub(super) struct KeptImage {
        image: PlannedImage,
        months: u32,
    }

    impl TryFrom<KeptImage> for super::KeptImage {
        type Error = PlanError;
        fn try_from(r: KeptImage) -> Result<Self, PlanError> {
            super::KeptImage::new(r.image, r.months)
        }
    }

    #[derive(Deserialize)]
    pub(super) struct Export {
        image: ImageId,
        bucket_region: RegionId,
        objects: Vec<ExportObject>,
        months: u32,
    }

    impl TryFrom<Export> for super::Export {
        type Error = PlanError;
        fn try_from(r: Export) -> Result<Self, PlanError> {
            super::Export::new(r.image, r.bucket_region, r.objects, r.months)
        }
    }

    #[derive(Deserialize)]
    pub(super) struct Download {
        image: ImageId,
        bucket_region: RegionId,
        objects: Vec<ExportObject>,
        network: Network,
    }

    impl TryFrom<Download> for super::Download {
        type Error = PlanError;
        fn try_from(r: Download) -> Result<Self, PlanError> {
            super::Download::new(r.image, r.bucket_region, r.objects, r.network)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SnapshotId;

    fn object(size_gib: u64) -> ExportObject {
        ExportObject::new(0, SnapshotId::new("snap-sys0001").unwrap(), "a", size_gib)
    }

    #[test]
    fn object_totals_that_overflow_are_refused() {
        let (id, gz) = (
            ImageId::new("img-web00001").unwrap(),
            RegionId::new("ap-guangzhou").unwrap(),
        );
        let two = vec![object(u64::MAX), object(1)];
        assert_eq!(
            Export::new(id.clone(), gz.clone(), two.clone(), 1),
            Err(PlanError::TooLarge { field: "objects" })
        );
        assert_eq!(
            Download::new(id.clone(), gz.clone(), two, Network::Public),
            Err(PlanError::TooLarge { field: "objects" })
        );
        assert_eq!(
            Export::new(id, gz, vec![object(u64::MAX / 2)], 3),
            Err(PlanError::TooLarge { field: "objects" })
        );
    }

    #[test]
    fn a_blank_instance_type_is_refused() {
        let image = PlannedImage::new(
            ImageId::new("img-win00001").unwrap(),
            RegionId::new("ap-singapore").unwrap(),
            50,
        );
        let launch = |spec: &str| {
            Launch::new(
                image.clone(),
                OwnerAlias::System,
                Geography::MainlandChina,
                spec,
                1,
                1,
            )
        };
        assert_eq!(launch(" "), Err(PlanError::NoInstanceType));
        assert!(launch("S5.MEDIUM4").is_ok());
    }
}
