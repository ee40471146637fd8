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
//! Tencent renders `Available` as `NORMAL`, `CreateFailed` as `CREATEFAILED`, a copy's
//! destination while `Waiting` or `Creating` as `SYNCING`, and any other image being created
//! as `CREATING`. `UnAvailable` and `Deprecated` have no Tencent state: they render as
//! `UNAVAILABLE` and `DEPRECATED`.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

use crate::id::{AccountId, ImageId, SnapshotId};
use crate::name::{Description, ImageName};
use crate::region::RegionId;
use crate::tag::Tags;

/// What kind of image it is, from its owner's side. Whether an image is *shared with* an
/// account is a relation ([`OwnerAlias::Others`]), not a kind.
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

/// How an image relates to the account looking at it: Alibaba's `ImageOwnerAlias`.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The id.
    pub id: ImageId,
    /// The region it lives in.
    pub region: RegionId,
    /// The owning account (for system and marketplace images: the publisher).
    pub owner: AccountId,
    /// The name.
    pub name: ImageName,
    /// The description, if any.
    pub description: Option<Description>,
    /// System, custom or marketplace.
    pub kind: ImageKind,
    /// Linux or Windows.
    pub platform: Platform,
    /// The snapshots behind it: system disk first, then data disks.
    pub snapshots: Vec<SnapshotId>,
    /// The size in GiB.
    pub size_gib: u64,
    /// A whole-machine image (system disk and data disks; Tencent "イメージ全体", whole image).
    pub whole_machine: bool,
    /// Whether the ultimate source of its lineage is a paid image ([seed 001](crate::sources#seed-001)).
    pub paid: bool,
    /// The ultimate source: the image at the root of its copy/creation lineage (itself for
    /// an original), so "is this paid?" is one lookup.
    pub ultimate_source: ImageId,
    /// The status.
    pub status: ImageStatus,
    /// The creation progress in percent (100 when available).
    pub progress: u8,
    /// Tags.
    pub tags: Tags,
    /// The image it was copied from, for copies.
    pub copied_from: Option<ImageId>,
    /// Regions a marketplace image is published to (`OperationDenied.NotPublished`).
    pub published_regions: Vec<RegionId>,
    /// When it was created or registered.
    pub created_at: DateTime<Utc>,
}

impl Image {
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

    /// Tencent's `ImageState` for this image.
    pub fn tencent_state(&self) -> &'static str {
        self.status.tencent_state(self.copied_from.is_some())
    }

    /// Tencent's `ImageSource`: `OFFICIAL` (public), `MARKET` (marketplace) or `CREATE`
    /// (custom images, copies included). The value set is this crate's choice: Tencent's
    /// SDK documents the field without listing its values.
    pub fn tencent_source(&self) -> &'static str {
        match self.kind {
            ImageKind::System => "OFFICIAL",
            ImageKind::Marketplace => "MARKET",
            ImageKind::Custom => "CREATE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
