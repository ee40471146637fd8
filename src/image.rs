//! Images: kinds, statuses (with Tencent's rendering), platforms, and the lineage that
//! decides whether an image is paid.
//!
//! # Status of a copy's destination image
//! ```text
//!   CopyImage accepted ──► Waiting ──(task starts)──► Creating n% ──(host: finished)──► Available
//!                            │                           │
//!                            │                           └──(host: failed)──► CreateFailed
//!                            └──────(CancelCopyImage)──────┴──► (image removed)
//! ```
//!
//! # Status of a created or imported image
//! ```text
//!   CreateImage accepted ─────────────────────────────────────────────────────────► Available
//!
//!   ImportImage accepted ──► Waiting ──(host: ImportStarted)──► Creating n% ──(host: ImportFinished)──► Available
//!                                                                  │
//!                                                                  └──(host: ImportFailed)──► CreateFailed
//!                                                                      (its snapshots released)
//!
//!   Available ──(ModifyImageAttribute)──► Available (renamed / described)
//!   Available, CreateFailed ──(DeleteImage, DeleteImages)──► (image removed)
//! ```
//! An image created from snapshots is `Available` at once; its lineage (ultimate source,
//! paid) is its disks' ([`crate::snapshot::Lineage`]). An import's task diagram is in
//! [`crate::import`]; while `Waiting` or `Creating` the image can't be deleted, copied,
//! shared, exported or renamed.
//!
//! Tencent renders `Available` as `NORMAL`, `CreateFailed` as `CREATEFAILED` (an import's
//! `IMPORTFAILED`), a copy's destination while `Waiting` or `Creating` as `SYNCING`, an
//! import's as `IMPORTING`, and any other image being created as `CREATING`. `UnAvailable` and `Deprecated` have no Tencent state: they render as
//! `UNAVAILABLE` and `DEPRECATED`.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

use crate::id::{AccountId, ImageId, SnapshotId};
use crate::name::{Description, ImageName};
use crate::region::RegionId;
use crate::snapshot::Snapshot;
use crate::tag::Tags;

/// What kind of image it is, from its owner's side. Whether an image is *shared with* an
/// account is a relation ([`OwnerAlias::Others`]), not a kind.
///
/// ```
/// use machine_image::{AccountId, Image, ImageId, ImageKind, ImageName, OwnerAlias, RegionId};
///
/// let (hz, owner) = (RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?);
/// let custom = Image::custom(ImageId::new("m-web0001")?, hz, owner.clone(), ImageName::new("web")?, vec![]);
/// let custom = custom.build()?;
/// assert_eq!(custom.kind(), ImageKind::Custom);
/// assert_eq!(custom.tencent_source(), "CREATE_IMAGE");
/// // The kind is fixed; the relation depends on who looks.
/// assert_eq!(custom.owner_alias_for(&owner, false), Some(OwnerAlias::Own));
/// let other = AccountId::new("6543210987654321")?;
/// assert_eq!(custom.owner_alias_for(&other, true), Some(OwnerAlias::Others));
/// assert_eq!(custom.owner_alias_for(&other, false), None); // not visible
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
pub enum ImageKind {
    /// A public image of the provider (Alibaba `system`, Tencent `PUBLIC_IMAGE`).
    System,
    /// A custom image of its owner.
    Custom,
    /// A marketplace image, published to some regions.
    Marketplace,
}

/// An image's status, with Alibaba's names (`Display` and serde use them exactly).
///
/// ```
/// use machine_image::ImageStatus;
///
/// let status: ImageStatus = "CreateFailed".parse()?;
/// assert_eq!(status, ImageStatus::CreateFailed);
/// assert_eq!(ImageStatus::Available.to_string(), "Available");
/// // Tencent's names: a copy in flight is `SYNCING`, an image being made `CREATING`.
/// assert_eq!(ImageStatus::Available.tencent_state(false), "NORMAL");
/// assert_eq!(ImageStatus::Waiting.tencent_state(true), "SYNCING");
/// assert_eq!(ImageStatus::Creating.tencent_state(false), "CREATING");
/// assert_eq!(ImageStatus::ALL.len(), 6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    AsRefStr,
    EnumIter,
)]
pub enum ImageStatus {
    /// Being created (a running copy's destination, with a progress percentage).
    Creating,
    /// Waiting to be created (a queued copy's destination).
    Waiting,
    /// Ready to use.
    Available,
    /// Not available.
    UnAvailable,
    /// Creation failed.
    CreateFailed,
    /// Deprecated by its owner.
    Deprecated,
}

impl ImageStatus {
    /// Every status, in declaration order.
    ///
    /// ```
    /// use machine_image::ImageStatus;
    /// assert_eq!(ImageStatus::ALL.len(), 6);
    /// assert!(ImageStatus::ALL.contains(&ImageStatus::CreateFailed));
    /// ```
    pub const ALL: [ImageStatus; 6] = [
        ImageStatus::Creating,
        ImageStatus::Waiting,
        ImageStatus::Available,
        ImageStatus::UnAvailable,
        ImageStatus::CreateFailed,
        ImageStatus::Deprecated,
    ];

    /// Alibaba's name, e.g. `"Available"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Tencent's `ImageState`; `is_copy_destination` selects `SYNCING` over `CREATING`.
    pub fn tencent_state(self, is_copy_destination: bool) -> &'static str {
        match self {
            ImageStatus::Creating | ImageStatus::Waiting if is_copy_destination => "SYNCING",
            ImageStatus::Creating | ImageStatus::Waiting => "CREATING",
            ImageStatus::Available => "NORMAL",
            ImageStatus::CreateFailed => "CREATEFAILED",
            ImageStatus::UnAvailable => "UNAVAILABLE",
            ImageStatus::Deprecated => "DEPRECATED",
        }
    }
}

impl fmt::Display for ImageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The operating system family.
///
/// ```
/// use machine_image::{AccountId, Image, ImageId, ImageName, Platform, RegionId};
///
/// assert_eq!(Platform::default(), Platform::Linux);
/// assert_eq!("Windows".parse::<Platform>()?, Platform::Windows);
/// let (hz, owner) = (RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?);
/// let image = Image::custom(ImageId::new("m-win0001")?, hz, owner, ImageName::new("win")?, vec![])
///     .platform(Platform::Windows)
///     .build()?;
/// assert_eq!(image.platform(), Platform::Windows); // not exportable (see `export`)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
)]
pub enum Platform {
    /// Linux.
    #[default]
    Linux,
    /// Windows.
    Windows,
}

/// The processor architecture (`Architecture`: `x86_64` or `arm64`).
///
/// ```
/// use machine_image::Architecture;
/// assert_eq!(Architecture::default(), Architecture::X86_64);
/// assert_eq!("arm64".parse::<Architecture>()?, Architecture::Arm64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[non_exhaustive]
pub enum Architecture {
    /// `x86_64`.
    #[default]
    #[serde(rename = "x86_64")]
    #[strum(serialize = "x86_64")]
    X86_64,
    /// `arm64`.
    #[serde(rename = "arm64")]
    #[strum(serialize = "arm64")]
    Arm64,
}

impl Architecture {
    /// The provider's spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How an image relates to the account looking at it: Alibaba's `ImageOwnerAlias`.
///
/// ```
/// use machine_image::OwnerAlias;
///
/// assert_eq!(OwnerAlias::Own.as_str(), "self");
/// assert_eq!("others".parse::<OwnerAlias>()?, OwnerAlias::Others);
/// assert_eq!(OwnerAlias::Own.tencent_image_type(), "PRIVATE_IMAGE");
/// assert_eq!(OwnerAlias::Marketplace.tencent_image_type(), "MARKET_IMAGE");
/// assert_eq!(serde_json::to_string(&OwnerAlias::Own)?, r#""self""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum OwnerAlias {
    /// The caller's own custom image.
    #[strum(serialize = "self")]
    #[serde(rename = "self")]
    Own,
    /// Another account's custom image shared with the caller.
    Others,
    /// A public image of the provider.
    System,
    /// A marketplace image.
    Marketplace,
}

impl OwnerAlias {
    /// Alibaba's `ImageOwnerAlias` value: `self`, `others`, `system` or `marketplace`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Tencent's `ImageType`: `PRIVATE_IMAGE`, `SHARED_IMAGE`, `PUBLIC_IMAGE`, `MARKET_IMAGE`.
    pub fn tencent_image_type(self) -> &'static str {
        match self {
            OwnerAlias::Own => "PRIVATE_IMAGE",
            OwnerAlias::Others => "SHARED_IMAGE",
            OwnerAlias::System => "PUBLIC_IMAGE",
            OwnerAlias::Marketplace => "MARKET_IMAGE",
        }
    }
}

/// An image in one region.
///
/// Built with [`Image::custom`], [`Image::public`] or [`Image::marketplace`] and the
/// [`ImageBuilder`]'s setters; read through its getters. The fields are private so that no
/// value breaks the rules the engine relies on (checked by [`ImageBuilder::build`] and by
/// deserialisation alike, see [`ImageError`]):
///
/// - the progress is at most 100; an `Available` image is at 100%, a `Waiting` one at 0%;
/// - an original (no [`copied_from`](Image::copied_from)) is its own
///   [`ultimate_source`](Image::ultimate_source); a copy is a custom image, copied from
///   another image, with its source's ultimate source and paid flag;
/// - only a marketplace image has [`published_regions`](Image::published_regions).
///
/// ```
/// use machine_image::{AccountId, Image, ImageId, ImageKind, ImageName, ImageStatus, Platform,
///     RegionId, SnapshotId};
///
/// let web = Image::custom(
///     ImageId::new("m-web00001").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     AccountId::new("1111111111111111").unwrap(),
///     ImageName::new("web").unwrap(),
///     vec![SnapshotId::new("s-sys00001").unwrap()],
/// )
/// .platform(Platform::Windows)
/// .size_gib(40)
/// .build()
/// .unwrap();
/// assert_eq!(web.kind(), ImageKind::Custom);
/// assert_eq!((web.status(), web.progress()), (ImageStatus::Available, 100));
/// assert_eq!(web.ultimate_source(), web.id());
///
/// // A copy inherits its source's lineage.
/// let copy = Image::custom(
///     ImageId::new("m-web00002").unwrap(),
///     RegionId::new("cn-shanghai").unwrap(),
///     AccountId::new("1111111111111111").unwrap(),
///     ImageName::new("web").unwrap(),
///     vec![SnapshotId::new("s-sys00002").unwrap()],
/// )
/// .copy_of(&web)
/// .build()
/// .unwrap();
/// assert_eq!(copy.copied_from(), Some(web.id()));
/// assert_eq!(copy.ultimate_source(), web.id());
///
/// // An available image is at 100%: a literal-like mistake is refused.
/// let half = Image::custom(
///     ImageId::new("m-web00003").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     AccountId::new("1111111111111111").unwrap(),
///     ImageName::new("half").unwrap(),
///     vec![],
/// )
/// .progress(50)
/// .build();
/// assert!(half.is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ImageData")]
pub struct Image {
    /// The id.
    pub(crate) id: ImageId,
    /// The region it lives in.
    pub(crate) region: RegionId,
    /// The owning account (for system and marketplace images: the publisher).
    pub(crate) owner: AccountId,
    /// The name.
    pub(crate) name: ImageName,
    /// The description, if any.
    pub(crate) description: Option<Description>,
    /// System, custom or marketplace.
    pub(crate) kind: ImageKind,
    /// Linux or Windows.
    pub(crate) platform: Platform,
    /// `x86_64` or `arm64`.
    pub(crate) architecture: Architecture,
    /// The snapshots behind it: system disk first, then data disks.
    pub(crate) snapshots: Vec<SnapshotId>,
    /// The size in GiB.
    pub(crate) size_gib: u64,
    /// A whole-machine image (system disk and data disks; Tencent "イメージ全体", whole image).
    pub(crate) whole_machine: bool,
    /// Whether the ultimate source of its lineage is a paid image ([seed 001](crate::sources#seed-001)).
    pub(crate) paid: bool,
    /// The ultimate source: the image at the root of its copy/creation lineage (itself for
    /// an original), so "is this paid?" is one lookup.
    pub(crate) ultimate_source: ImageId,
    /// Created (`CreateImage`) from snapshots holding disks of another image's lineage: its
    /// ultimate source and paid flag are those disks' ([`crate::snapshot::Lineage`]).
    pub(crate) derived: bool,
    /// The status.
    pub(crate) status: ImageStatus,
    /// The creation progress in percent (100 when available).
    pub(crate) progress: u8,
    /// Tags.
    pub(crate) tags: Tags,
    /// The image it was copied from, for copies.
    pub(crate) copied_from: Option<ImageId>,
    /// Regions a marketplace image is published to (`OperationDenied.NotPublished`).
    pub(crate) published_regions: Vec<RegionId>,
    /// When it was created or registered.
    pub(crate) created_at: DateTime<Utc>,
    /// Made by `ImportImage` from disk files outside the cloud (Tencent `EXTERNAL_IMPORT`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) imported: bool,
}

/// Why an [`Image`] was refused, by [`ImageBuilder::build`] or by deserialisation.
///
/// ```
/// use machine_image::image::ImageError;
/// use machine_image::{AccountId, Image, ImageId, ImageName, ImageStatus, RegionId};
///
/// let (hz, owner) = (RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?);
/// let id = ImageId::new("m-web0001")?;
/// let half_available = Image::custom(id, hz, owner, ImageName::new("web")?, vec![])
///     .status(ImageStatus::Available)
///     .progress(50)
///     .build();
/// assert!(matches!(half_available, Err(ImageError::ProgressOffStatus { progress: 50, .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A progress above 100%.
    #[error("image {image}: progress {progress}% is above 100%")]
    ProgressAbove100 {
        /// The image.
        image: ImageId,
        /// The progress given.
        progress: u8,
    },
    /// An `Available` image not at 100%, or a `Waiting` one not at 0%.
    #[error("image {image}: a {status} image can't be at {progress}%")]
    ProgressOffStatus {
        /// The image.
        image: ImageId,
        /// Its status.
        status: ImageStatus,
        /// The progress given.
        progress: u8,
    },
    /// An original (not a copy) whose ultimate source is another image.
    #[error("image {image}: an original is its own ultimate source, not {ultimate_source}")]
    OriginalWithOtherSource {
        /// The image.
        image: ImageId,
        /// The ultimate source given.
        ultimate_source: ImageId,
    },
    /// A copy of itself.
    #[error("image {0} can't be copied from itself")]
    CopyOfItself(ImageId),
    /// A copy that is not a custom image (copies are their caller's custom images).
    #[error("image {0}: a copy is a custom image")]
    CopyNotCustom(ImageId),
    /// A derived image (created from another lineage's disks) that is not a custom image.
    #[error("image {0}: an image created from snapshots is a custom image")]
    DerivedNotCustom(ImageId),
    /// A derived image whose ultimate source is itself.
    #[error(
        "image {0}: an image created from another image's disks can't be its own ultimate source"
    )]
    DerivedFromItself(ImageId),
    /// A copy marked derived (a copy takes its source's lineage; it is not created from
    /// snapshots).
    #[error("image {0}: a copy is not created from snapshots")]
    DerivedCopy(ImageId),
    /// Published regions on an image that is not a marketplace image.
    #[error("image {0}: only a marketplace image is published to regions")]
    PublishedNotMarketplace(ImageId),
}

/// The serialised form of [`Image`], checked by [`Image::check`] on the way in.
#[derive(Deserialize)]
struct ImageData {
    id: ImageId,
    region: RegionId,
    owner: AccountId,
    name: ImageName,
    description: Option<Description>,
    kind: ImageKind,
    platform: Platform,
    #[serde(default)]
    architecture: Architecture,
    snapshots: Vec<SnapshotId>,
    size_gib: u64,
    whole_machine: bool,
    paid: bool,
    ultimate_source: ImageId,
    #[serde(default)]
    derived: bool,
    status: ImageStatus,
    progress: u8,
    tags: Tags,
    copied_from: Option<ImageId>,
    published_regions: Vec<RegionId>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    imported: bool,
}

impl TryFrom<ImageData> for Image {
    type Error = ImageError;

    fn try_from(d: ImageData) -> Result<Self, ImageError> {
        let image = Image {
            id: d.id,
            region: d.region,
            owner: d.owner,
            name: d.name,
            description: d.description,
            kind: d.kind,
            platform: d.platform,
            architecture: d.architecture,
            snapshots: d.snapshots,
            size_gib: d.size_gib,
            whole_machine: d.whole_machine,
            paid: d.paid,
            ultimate_source: d.ultimate_source,
            derived: d.derived,
            status: d.status,
            progress: d.progress,
            tags: d.tags,
            copied_from: d.copied_from,
            published_regions: d.published_regions,
            created_at: d.created_at,
            imported: d.imported,
        };
        image.check()?;
        Ok(image)
    }
}

/// Builds an [`Image`]: start with [`Image::custom`], [`Image::public`] or
/// [`Image::marketplace`], chain the setters for what differs from the defaults, and finish
/// with [`build`](ImageBuilder::build), which checks the rules between the fields.
///
/// The defaults: no description, Linux, 0 GiB, not a whole-machine image, not paid,
/// `Available` at 100%, no tags, an original (not a copy), created at the Unix epoch.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::{AccountId, Image, ImageId, ImageName, ImageStatus, RegionId};
///
/// let ubuntu = Image::public(
///     ImageId::new("ubuntu_22_04_x64_20G_alibase_20230907.vhd").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     AccountId::new("system").unwrap(),
///     ImageName::new("ubuntu_22_04").unwrap(),
///     vec![],
/// )
/// .size_gib(20)
/// .created_at(Utc.with_ymd_and_hms(2023, 9, 7, 0, 0, 0).unwrap())
/// .build()
/// .unwrap();
/// assert_eq!(ubuntu.size_gib(), 20);
///
/// let lamp = Image::marketplace(
///     ImageId::new("m-market0001").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     AccountId::new("marketplace").unwrap(),
///     ImageName::new("LAMP-stack").unwrap(),
///     vec![],
///     vec![RegionId::new("cn-shanghai").unwrap()],
/// )
/// .paid(true)
/// .status(ImageStatus::Deprecated)
/// .build()
/// .unwrap();
/// assert_eq!(lamp.progress(), 0);
/// assert!(lamp.paid());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an ImageBuilder does nothing until built"]
pub struct ImageBuilder(Image);

impl Image {
    fn builder(
        kind: ImageKind,
        id: ImageId,
        region: RegionId,
        owner: AccountId,
        name: ImageName,
        snapshots: Vec<SnapshotId>,
        published_regions: Vec<RegionId>,
    ) -> ImageBuilder {
        ImageBuilder(Image {
            ultimate_source: id.clone(),
            id,
            region,
            owner,
            name,
            description: None,
            kind,
            platform: Platform::Linux,
            architecture: Architecture::X86_64,
            snapshots,
            size_gib: 0,
            whole_machine: false,
            paid: false,
            derived: false,
            status: ImageStatus::Available,
            progress: 100,
            tags: Tags::empty(),
            copied_from: None,
            published_regions,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            imported: false,
        })
    }

    /// A custom image of `owner` in `region`, on `snapshots` (system disk first, then data
    /// disks): an original, `Available`, with the [`ImageBuilder`]'s other defaults.
    pub fn custom(
        id: ImageId,
        region: RegionId,
        owner: AccountId,
        name: ImageName,
        snapshots: Vec<SnapshotId>,
    ) -> ImageBuilder {
        Self::builder(
            ImageKind::Custom,
            id,
            region,
            owner,
            name,
            snapshots,
            Vec::new(),
        )
    }

    /// A public (system) image of the provider, `owner` being its publisher (the runner's
    /// `SeedImage` uses the account `system`).
    pub fn public(
        id: ImageId,
        region: RegionId,
        owner: AccountId,
        name: ImageName,
        snapshots: Vec<SnapshotId>,
    ) -> ImageBuilder {
        Self::builder(
            ImageKind::System,
            id,
            region,
            owner,
            name,
            snapshots,
            Vec::new(),
        )
    }

    /// A marketplace image of the publisher `owner`, published to `published_regions` (a
    /// copy to any other region is `OperationDenied.NotPublished`).
    pub fn marketplace(
        id: ImageId,
        region: RegionId,
        owner: AccountId,
        name: ImageName,
        snapshots: Vec<SnapshotId>,
        published_regions: Vec<RegionId>,
    ) -> ImageBuilder {
        Self::builder(
            ImageKind::Marketplace,
            id,
            region,
            owner,
            name,
            snapshots,
            published_regions,
        )
    }

    /// Checks the rules between the fields (see [`ImageError`]).
    pub(crate) fn check(&self) -> Result<(), ImageError> {
        if self.progress > 100 {
            return Err(ImageError::ProgressAbove100 {
                image: self.id.clone(),
                progress: self.progress,
            });
        }
        let expected = match self.status {
            ImageStatus::Available => Some(100),
            ImageStatus::Waiting => Some(0),
            _ => None,
        };
        if expected.is_some_and(|p| p != self.progress) {
            return Err(ImageError::ProgressOffStatus {
                image: self.id.clone(),
                status: self.status,
                progress: self.progress,
            });
        }
        match &self.copied_from {
            None if self.derived && self.kind != ImageKind::Custom => {
                return Err(ImageError::DerivedNotCustom(self.id.clone()));
            }
            None if self.derived && self.ultimate_source == self.id => {
                return Err(ImageError::DerivedFromItself(self.id.clone()));
            }
            None if !self.derived && self.ultimate_source != self.id => {
                return Err(ImageError::OriginalWithOtherSource {
                    image: self.id.clone(),
                    ultimate_source: self.ultimate_source.clone(),
                });
            }
            Some(source) if source == &self.id => {
                return Err(ImageError::CopyOfItself(self.id.clone()));
            }
            Some(_) if self.kind != ImageKind::Custom => {
                return Err(ImageError::CopyNotCustom(self.id.clone()));
            }
            Some(_) if self.derived => {
                return Err(ImageError::DerivedCopy(self.id.clone()));
            }
            _ => {}
        }
        if !self.published_regions.is_empty() && self.kind != ImageKind::Marketplace {
            return Err(ImageError::PublishedNotMarketplace(self.id.clone()));
        }
        Ok(())
    }

    /// The id.
    pub fn id(&self) -> &ImageId {
        &self.id
    }

    /// The region it lives in.
    pub fn region(&self) -> &RegionId {
        &self.region
    }

    /// The owning account (for system and marketplace images: the publisher).
    pub fn owner(&self) -> &AccountId {
        &self.owner
    }

    /// The name.
    pub fn name(&self) -> &ImageName {
        &self.name
    }

    /// The description, if any.
    pub fn description(&self) -> Option<&Description> {
        self.description.as_ref()
    }

    /// System, custom or marketplace.
    pub fn kind(&self) -> ImageKind {
        self.kind
    }

    /// Linux or Windows.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// `x86_64` or `arm64`.
    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// The snapshots behind it: system disk first, then data disks.
    pub fn snapshots(&self) -> &[SnapshotId] {
        &self.snapshots
    }

    /// The size in GiB.
    pub fn size_gib(&self) -> u64 {
        self.size_gib
    }

    /// Whether it is a whole-machine image (system disk and data disks; Tencent
    /// "イメージ全体", "the whole image").
    pub fn whole_machine(&self) -> bool {
        self.whole_machine
    }

    /// Whether the ultimate source of its lineage is a paid image (seed 001).
    pub fn paid(&self) -> bool {
        self.paid
    }

    /// The image at the root of its lineage: itself for an original; its source's for a
    /// copy; the disks' for an image created from snapshots of another image's lineage
    /// (see [`Image::derived`]).
    pub fn ultimate_source(&self) -> &ImageId {
        &self.ultimate_source
    }

    /// The lineage of a disk of an instance of this image: its ultimate source, paid if
    /// this image is ([`Snapshot::with_lineage`](crate::Snapshot::with_lineage)).
    ///
    /// ```
    /// use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
    ///
    /// let market = Image::marketplace(ImageId::new("m-market0001")?, RegionId::new("cn-hangzhou")?,
    ///     AccountId::new("marketplace")?, ImageName::new("lamp")?, vec![], vec![])
    ///     .paid(true)
    ///     .build()?;
    /// let lineage = market.lineage();
    /// assert_eq!((lineage.image().as_str(), lineage.paid()), ("m-market0001", true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lineage(&self) -> crate::snapshot::Lineage {
        crate::snapshot::Lineage::new(self.ultimate_source().clone(), self.paid())
    }

    /// Whether it was created from snapshots holding disks of another image's lineage
    /// ([`crate::snapshot::Lineage`]); its ultimate source and paid flag are then theirs.
    pub fn derived(&self) -> bool {
        self.derived
    }

    /// The status.
    pub fn status(&self) -> ImageStatus {
        self.status
    }

    /// The creation progress in percent (100 when `Available`, 0 when `Waiting`).
    pub fn progress(&self) -> u8 {
        self.progress
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// The image it was copied from, for a copy.
    pub fn copied_from(&self) -> Option<&ImageId> {
        self.copied_from.as_ref()
    }

    /// The regions a marketplace image is published to (empty for other kinds).
    pub fn published_regions(&self) -> &[RegionId] {
        &self.published_regions
    }

    /// When it was created or registered.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Whether the image is a copy's destination still in flight (`Waiting` or `Creating`).
    pub fn is_in_flight(&self) -> bool {
        matches!(self.status, ImageStatus::Waiting | ImageStatus::Creating)
    }

    /// The relation of this image to `caller`, or `None` when the caller can't see it
    /// (`shared` says whether it is shared with the caller).
    pub fn owner_alias_for(&self, caller: &AccountId, shared: bool) -> Option<OwnerAlias> {
        match self.kind {
            ImageKind::System => Some(OwnerAlias::System),
            ImageKind::Marketplace => Some(OwnerAlias::Marketplace),
            ImageKind::Custom if &self.owner == caller => Some(OwnerAlias::Own),
            ImageKind::Custom if shared => Some(OwnerAlias::Others),
            ImageKind::Custom => None,
        }
    }

    /// Whether `ImportImage` made it, from disk files outside the cloud.
    pub fn is_imported(&self) -> bool {
        self.imported
    }

    /// Tencent's `ImageState` for this image: [`ImageStatus::tencent_state`], except that an
    /// imported image is `IMPORTING` while `Waiting` or `Creating` and `IMPORTFAILED` once
    /// `CreateFailed`, the states `tencentcloud-sdk-go` documents for an import
    /// (`tencentcloud/cvm/v20170312/models.go:5395`, `Image.ImageState`: "IMPORTING-导入中",
    /// "IMPORTFAILED-导入失败").
    ///
    /// ```
    /// use machine_image::{AccountId, Image, ImageId, ImageName, ImageStatus, RegionId};
    ///
    /// let (gz, owner) = (RegionId::new("ap-guangzhou")?, AccountId::new("100000000001")?);
    /// let (id, name) = (ImageId::new("img-00000001")?, ImageName::new("vm")?);
    /// let image = |status| {
    ///     Image::custom(id.clone(), gz.clone(), owner.clone(), name.clone(), vec![])
    ///         .imported(true)
    ///         .status(status)
    ///         .progress(0)
    ///         .build()
    /// };
    /// assert_eq!(image(ImageStatus::Waiting)?.tencent_state(), "IMPORTING");
    /// assert_eq!(image(ImageStatus::CreateFailed)?.tencent_state(), "IMPORTFAILED");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tencent_state(&self) -> &'static str {
        match self.status {
            ImageStatus::Waiting | ImageStatus::Creating if self.imported => "IMPORTING",
            ImageStatus::CreateFailed if self.imported => "IMPORTFAILED",
            status => status.tencent_state(self.copied_from.is_some()),
        }
    }

    /// Tencent's `ImageSource`: `OFFICIAL` (public), `CREATE_IMAGE` (a custom image made in
    /// the cloud, copies included) or `EXTERNAL_IMPORT` (a custom image made by
    /// `ImportImage`): the values `tencentcloud-sdk-go` documents for the field
    /// (`tencentcloud/cvm/v20170312/models.go:5410`, `Image.ImageSource`: "`OFFICIAL` 官方镜像",
    /// "`CREATE_IMAGE` 用户自建镜像", "`EXTERNAL_IMPORT` 用户外部导入镜像"). A marketplace
    /// image is `MARKET`, this crate's choice: the SDK lists no value for it.
    ///
    /// ```
    /// use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
    ///
    /// let (gz, owner) = (RegionId::new("ap-guangzhou")?, AccountId::new("100000000001")?);
    /// let made = Image::custom(ImageId::new("img-00000001")?, gz.clone(), owner.clone(), ImageName::new("app")?, vec![]);
    /// assert_eq!(made.clone().build()?.tencent_source(), "CREATE_IMAGE");
    /// assert_eq!(made.imported(true).build()?.tencent_source(), "EXTERNAL_IMPORT");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tencent_source(&self) -> &'static str {
        match self.kind {
            ImageKind::System => "OFFICIAL",
            ImageKind::Marketplace => "MARKET",
            ImageKind::Custom if self.imported => "EXTERNAL_IMPORT",
            ImageKind::Custom => "CREATE_IMAGE",
        }
    }
}

impl ImageBuilder {
    /// Sets the description.
    pub fn description(mut self, description: Description) -> Self {
        self.0.description = Some(description);
        self
    }

    /// Marks a custom image as made by `ImportImage` (default: not), which Tencent shows
    /// ([`Image::tencent_source`], [`Image::tencent_state`]).
    pub fn imported(mut self, imported: bool) -> Self {
        self.0.imported = imported;
        self
    }

    /// Sets the architecture (default `x86_64`).
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.0.architecture = architecture;
        self
    }

    /// Sets the platform (default Linux).
    pub fn platform(mut self, platform: Platform) -> Self {
        self.0.platform = platform;
        self
    }

    /// Sets the size in GiB (default 0). See [`size_from`](Self::size_from) for the size its
    /// snapshots say.
    pub fn size_gib(mut self, size_gib: u64) -> Self {
        self.0.size_gib = size_gib;
        self
    }

    /// Sets the size to the sum of the sizes of those of `snapshots` the image is on
    /// (saturating, like the engine's `CreateImage`); snapshots it does not name are ignored.
    pub fn size_from<'a>(mut self, snapshots: impl IntoIterator<Item = &'a Snapshot>) -> Self {
        self.0.size_gib = snapshots
            .into_iter()
            .filter(|s| self.0.snapshots.contains(&s.id))
            .fold(0u64, |sum, s| sum.saturating_add(s.size_gib));
        self
    }

    /// Marks it a whole-machine image (system disk and data disks) or not (default not).
    pub fn whole_machine(mut self, whole_machine: bool) -> Self {
        self.0.whole_machine = whole_machine;
        self
    }

    /// Marks its lineage paid or not (default not; a copy takes its source's, see
    /// [`copy_of`](Self::copy_of)).
    pub fn paid(mut self, paid: bool) -> Self {
        self.0.paid = paid;
        self
    }

    /// Sets the status, and the progress that goes with it: 100% for `Available`, 0% for
    /// any other (default `Available`). Call [`progress`](Self::progress) after it for a
    /// `Creating` or `CreateFailed` image part of the way.
    pub fn status(mut self, status: ImageStatus) -> Self {
        self.0.status = status;
        self.0.progress = if status == ImageStatus::Available {
            100
        } else {
            0
        };
        self
    }

    /// Sets the creation progress in percent. [`build`](Self::build) refuses more than 100,
    /// an `Available` image not at 100 and a `Waiting` one not at 0.
    pub fn progress(mut self, progress: u8) -> Self {
        self.0.progress = progress;
        self
    }

    /// Sets the tags (default none).
    pub fn tags(mut self, tags: Tags) -> Self {
        self.0.tags = tags;
        self
    }

    /// Makes it an image created from disks of `lineage` (a custom image, not a copy): its
    /// ultimate source and paid flag are the lineage's ([seed 001](crate::sources#seed-001)).
    ///
    /// ```
    /// use machine_image::snapshot::Lineage;
    /// use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
    ///
    /// let (hz, owner) = (RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?);
    /// let lineage = Lineage::new(ImageId::new("m-market0001")?, true);
    /// let mine = Image::custom(ImageId::new("m-mine0001")?, hz, owner, ImageName::new("mine")?, vec![])
    ///     .derived_from(&lineage)
    ///     .build()?;
    /// assert!(mine.paid() && mine.derived());
    /// assert_eq!(mine.ultimate_source().as_str(), "m-market0001");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn derived_from(mut self, lineage: &crate::snapshot::Lineage) -> Self {
        self.0.derived = true;
        self.0.ultimate_source = lineage.image().clone();
        self.0.paid = lineage.paid();
        self
    }

    /// Makes it a copy of `source`: copied from it, with its ultimate source and its paid
    /// flag. [`build`](Self::build) refuses a copy that is not a custom image, or of itself.
    pub fn copy_of(mut self, source: &Image) -> Self {
        self.0.copied_from = Some(source.id.clone());
        self.0.ultimate_source = source.ultimate_source.clone();
        self.0.paid = source.paid;
        self
    }

    /// Sets when it was created or registered (default the Unix epoch).
    pub fn created_at(mut self, created_at: DateTime<Utc>) -> Self {
        self.0.created_at = created_at;
        self
    }

    /// The image, if its fields keep the rules (see [`ImageError`]).
    pub fn build(self) -> Result<Image, ImageError> {
        self.0.check()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_statuses_are_the_declared_ones_in_order() {
        use strum::IntoEnumIterator;
        assert_eq!(
            ImageStatus::ALL.to_vec(),
            ImageStatus::iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn tencent_states() {
        assert_eq!(ImageStatus::Available.tencent_state(false), "NORMAL");
        assert_eq!(ImageStatus::Creating.tencent_state(true), "SYNCING");
        assert_eq!(ImageStatus::Waiting.tencent_state(true), "SYNCING");
        assert_eq!(ImageStatus::Creating.tencent_state(false), "CREATING");
        assert_eq!(
            ImageStatus::CreateFailed.tencent_state(true),
            "CREATEFAILED"
        );
    }

    #[test]
    fn alias_strings() {
        assert_eq!(OwnerAlias::Own.as_str(), "self");
        assert_eq!("self".parse::<OwnerAlias>().unwrap(), OwnerAlias::Own);
        assert_eq!(
            "marketplace".parse::<OwnerAlias>().unwrap(),
            OwnerAlias::Marketplace
        );
        assert_eq!(serde_json::to_string(&OwnerAlias::Own).unwrap(), "\"self\"");
        assert_eq!(ImageStatus::UnAvailable.as_str(), "UnAvailable");
    }

    fn custom(id: &str) -> ImageBuilder {
        Image::custom(
            ImageId::new(id).unwrap(),
            RegionId::new("cn-hangzhou").unwrap(),
            AccountId::new("1111111111111111").unwrap(),
            ImageName::new("web").unwrap(),
            vec![SnapshotId::new("s-sys00001").unwrap()],
        )
    }

    #[test]
    fn progress_follows_the_status() {
        let waiting = custom("m-a").status(ImageStatus::Waiting).build().unwrap();
        assert_eq!(waiting.progress(), 0);
        let half = custom("m-a").status(ImageStatus::Creating).progress(50);
        assert_eq!(half.build().unwrap().progress(), 50);
        assert!(matches!(
            custom("m-a").progress(99).build(),
            Err(ImageError::ProgressOffStatus { progress: 99, .. })
        ));
        assert!(matches!(
            custom("m-a")
                .status(ImageStatus::Waiting)
                .progress(1)
                .build(),
            Err(ImageError::ProgressOffStatus { .. })
        ));
        assert!(matches!(
            custom("m-a")
                .status(ImageStatus::CreateFailed)
                .progress(101)
                .build(),
            Err(ImageError::ProgressAbove100 { .. })
        ));
    }

    #[test]
    fn lineage_and_kind_rules() {
        let source = custom("m-src").paid(true).build().unwrap();
        assert_eq!(source.ultimate_source(), source.id());
        let copy = custom("m-copy").copy_of(&source).build().unwrap();
        assert_eq!(copy.ultimate_source(), source.id());
        assert!(copy.paid());
        let second = custom("m-copy2").copy_of(&copy).build().unwrap();
        assert_eq!(second.ultimate_source(), source.id());
        assert!(matches!(
            custom("m-src").copy_of(&source).build(),
            Err(ImageError::CopyOfItself(_))
        ));
        let public = Image::public(
            ImageId::new("m-pub").unwrap(),
            RegionId::new("cn-hangzhou").unwrap(),
            AccountId::new("system").unwrap(),
            ImageName::new("ubuntu").unwrap(),
            vec![],
        );
        assert!(matches!(
            public.copy_of(&source).build(),
            Err(ImageError::CopyNotCustom(_))
        ));
    }

    #[test]
    fn size_from_sums_the_named_snapshots() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let snap = |id: &str, size| {
            Snapshot::new(
                SnapshotId::new(id).unwrap(),
                RegionId::new("cn-hangzhou").unwrap(),
                AccountId::new("1111111111111111").unwrap(),
                at,
                size,
            )
        };
        let snaps = [snap("s-sys00001", 40), snap("s-other001", 100)];
        let image = custom("m-a").size_from(&snaps).build().unwrap();
        assert_eq!(image.size_gib(), 40);
    }

    #[test]
    fn deserialising_checks_the_same_rules() {
        let image = custom("m-a").size_gib(40).build().unwrap();
        let json = serde_json::to_value(&image).unwrap();
        assert_eq!(
            serde_json::from_value::<Image>(json.clone()).unwrap(),
            image
        );
        let tamper = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = json.clone();
            f(&mut v);
            serde_json::from_value::<Image>(v)
        };
        let e = tamper(&|v| v["progress"] = 50.into()).unwrap_err();
        assert!(e.to_string().contains("can't be at 50%"), "{e}");
        let e = tamper(&|v| v["ultimate_source"] = "m-b".into()).unwrap_err();
        assert!(e.to_string().contains("own ultimate source"), "{e}");
        let e =
            tamper(&|v| v["published_regions"] = serde_json::json!(["cn-shanghai"])).unwrap_err();
        assert!(e.to_string().contains("marketplace"), "{e}");
        let e = tamper(&|v| {
            v["kind"] = "System".into();
            v["copied_from"] = "m-b".into();
            v["ultimate_source"] = "m-b".into();
        })
        .unwrap_err();
        assert!(e.to_string().contains("a copy is a custom image"), "{e}");
    }
}
