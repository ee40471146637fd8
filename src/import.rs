//! Importing an image from outside ([seed 001](crate::sources#seed-001): a custom image is
//! "created or imported"): Alibaba `ImportImage` reads disk files from OSS buckets
//! (`DiskDeviceMapping`: `OSSBucket`, `OSSObject`, `Format`, `DiskImageSize`), Tencent
//! `ImportImage` one file from a URL (`ImageUrl`). The host reads the files; the engine
//! decides and keeps the image's and the task's states.
//!
//! # The import task and its image
//! ```text
//!   ImportImage accepted ──► Queued ──(host: ImportStarted)──► Running n% ──(host: ImportFinished)──► Succeeded
//!   image:                   Waiting                          Creating n%                           Available
//!                                                                 │
//!                                                                 └──(host: ImportFailed)──► Failed
//!                                                                    image: CreateFailed, its snapshots released
//! ```
//! The host is told to start the task at once ([`crate::engine::Effect::StartImport`]) and
//! reports back like a copy; [`crate::engine::ImageService::resume`] tells it again after a
//! restart. While the image is `Waiting` or `Creating` it can't be deleted, copied,
//! exported, shared or renamed, and its snapshots can't make another image.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::export::BucketName;
use crate::id::{AccountId, ImageId, SnapshotId};
pub use crate::image::Architecture;
use crate::image::Platform;
use crate::region::RegionId;
use crate::task::Lifecycle;

/// An import task's id, numbered from 1 by the engine.
///
/// ```
/// use machine_image::import::ImportTaskId;
/// assert_eq!(ImportTaskId(3).to_string(), "import-3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImportTaskId(pub u64);

impl fmt::Display for ImportTaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "import-{}", self.0)
    }
}

/// An import task's state: the states every task shares (see [`crate::task`]).
pub type ImportState = crate::task::TaskState;

/// A move the import task diagram does not have.
pub type ImportTransitionError = crate::task::TransitionError<ImportTaskId>;

/// The file format of an imported disk (Alibaba `Format`; Tencent detects it).
///
/// ```
/// use machine_image::import::ImportFormat;
/// assert_eq!("QCOW2".parse::<ImportFormat>()?, ImportFormat::Qcow2);
/// assert_eq!(ImportFormat::Vhd.as_str(), "VHD");
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
pub enum ImportFormat {
    /// `RAW`.
    #[default]
    #[serde(rename = "RAW")]
    #[strum(serialize = "RAW")]
    Raw,
    /// `VHD`.
    #[serde(rename = "VHD")]
    #[strum(serialize = "VHD")]
    Vhd,
    /// `QCOW2`.
    #[serde(rename = "QCOW2")]
    #[strum(serialize = "QCOW2")]
    Qcow2,
    /// `VMDK`.
    #[serde(rename = "VMDK")]
    #[strum(serialize = "VMDK")]
    Vmdk,
}

impl ImportFormat {
    /// The provider's spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Where one disk's file is read from.
///
/// ```
/// use machine_image::export::BucketName;
/// use machine_image::import::DiskSource;
/// let oss = DiskSource::oss(BucketName::new("images")?, "web/system.qcow2");
/// assert!(matches!(oss, DiskSource::Oss { .. }));
/// let url = DiskSource::url("https://example-1250000000.cos.ap-guangzhou.myqcloud.com/web.qcow2");
/// assert!(matches!(url, DiskSource::Url(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DiskSource {
    /// Alibaba: an object (`OSSObject`) in a bucket (`OSSBucket`) of the image's region.
    Oss {
        /// The bucket.
        bucket: BucketName,
        /// The object's name.
        object: String,
    },
    /// Tencent: the file's URL (`ImageUrl`), `http://` or `https://`.
    Url(String),
}

impl DiskSource {
    /// An object in a bucket (Alibaba).
    pub fn oss(bucket: BucketName, object: impl Into<String>) -> Self {
        DiskSource::Oss {
            bucket,
            object: object.into(),
        }
    }

    /// A URL (Tencent `ImageUrl`).
    pub fn url(url: impl Into<String>) -> Self {
        DiskSource::Url(url.into())
    }
}

/// One disk to import (an entry of Alibaba's `DiskDeviceMapping`; Tencent's `ImageUrl`):
/// its file, format and size; the first disk is the system disk.
///
/// ```
/// use machine_image::export::BucketName;
/// use machine_image::import::{DiskSource, ImportDisk, ImportFormat};
/// let disk = ImportDisk::new(DiskSource::oss(BucketName::new("images")?, "web.qcow2"), 40)
///     .format(ImportFormat::Qcow2);
/// assert_eq!((disk.size_gib, disk.format), (40, ImportFormat::Qcow2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportDisk {
    /// Where the file is.
    pub source: DiskSource,
    /// Its format (`Format`; raw by default).
    pub format: ImportFormat,
    /// The disk's size in GiB (`DiskImageSize`): the size of the snapshot the import makes.
    /// Tencent reads it from the file; the model takes it from the caller.
    pub size_gib: u64,
}

impl ImportDisk {
    /// A raw disk of `size_gib` GiB read from `source`.
    pub fn new(source: DiskSource, size_gib: u64) -> Self {
        ImportDisk {
            source,
            format: ImportFormat::Raw,
            size_gib,
        }
    }

    /// The file's format.
    pub fn format(mut self, format: ImportFormat) -> Self {
        self.format = format;
        self
    }
}

/// An import in the engine's state: who asked, the image it makes and the snapshots
/// reserved for its disks, the files, and where the task is in its life (see the module
/// diagram).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportTask {
    /// The id.
    pub id: ImportTaskId,
    /// The account that asked.
    pub owner: AccountId,
    /// The region.
    pub region: RegionId,
    /// The image being made (`Waiting`, then `Creating`, then `Available` or
    /// `CreateFailed`).
    pub image: ImageId,
    /// The disks to read, system disk first.
    pub disks: Vec<ImportDisk>,
    /// The snapshots the disks become, in the same order.
    pub snapshots: Vec<SnapshotId>,
    /// Linux or Windows (`Platform` / `OSType`; Tencent `OsType`).
    pub platform: Platform,
    /// Tencent `OsVersion`, if given.
    pub os_version: Option<String>,
    /// `Architecture`.
    pub architecture: Architecture,
    /// Its state, times, progress and failure reason (serialised flat).
    #[serde(flatten)]
    pub(crate) lifecycle: Lifecycle,
}

impl ImportTask {
    /// Where the task is in its life.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The state.
    pub fn state(&self) -> ImportState {
        self.lifecycle.state()
    }

    /// Percent done.
    pub fn progress(&self) -> u8 {
        self.lifecycle.progress()
    }

    /// When it was accepted.
    pub fn queued_at(&self) -> DateTime<Utc> {
        self.lifecycle.queued_at()
    }

    /// When it started running.
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        self.lifecycle.started_at()
    }

    /// When it ended.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.lifecycle.ended_at()
    }

    /// Whether it is queued or running.
    pub fn is_live(&self) -> bool {
        self.lifecycle.is_live()
    }
}
