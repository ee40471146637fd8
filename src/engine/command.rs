//! The commands the engine takes: fixtures, API calls, and the host's reports.

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::copy::TaskId;
use crate::export::{Bucket, ExportRequest, ExportTaskId};
use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId, SnapshotId};
use crate::image::{Image, ImageStatus, OwnerAlias, Platform};
use crate::kms::KmsKey;
use crate::name::{Description, ImageName};
use crate::region::RegionId;
use crate::snapshot::Snapshot;
use crate::tag::Tags;

/// One input to [`crate::engine::ImageService::handle`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Fixture: add or update an account (quotas may not drop below what it uses).
    RegisterAccount(Account),
    /// Fixture: add a snapshot a real cloud would already hold.
    RegisterSnapshot(Snapshot),
    /// Fixture: add an image a real cloud would already hold (public, custom, marketplace).
    RegisterImage(Image),
    /// Fixture: add a KMS key.
    RegisterKmsKey(KmsKey),
    /// Create a custom image from the caller's snapshots.
    CreateImage(CreateImage),
    /// Copy an image (Alibaba `CopyImage`, Tencent `SyncImages`).
    CopyImage(CopyImage),
    /// Cancel a queued or running copy (Alibaba `CancelCopyImage`).
    CancelCopyImage(ImageCall),
    /// Delete an image (Alibaba `DeleteImage`).
    DeleteImage(ImageCall),
    /// Share or unshare an image (`ModifyImageSharePermission`).
    ModifyImageSharePermission(ModifyShare),
    /// Fixture: add an object-storage bucket (COS/OSS).
    RegisterBucket(Bucket),
    /// Export a custom image to a bucket (Tencent `ExportImages`, Alibaba `ExportImage`).
    ExportImage(ExportImageCall),
    /// Cancel a queued or running export (Alibaba `CancelTask`).
    CancelExport(CancelExport),
    /// Host report: the export's work has begun (`Queued → Running`).
    ExportStarted(ExportTaskId),
    /// Host report: the export is `percent` done.
    ExportProgress {
        /// The task.
        task: ExportTaskId,
        /// 0 to 100, never less than the last report.
        percent: u8,
    },
    /// Host report: every object is in the bucket.
    ExportFinished(ExportTaskId),
    /// Host report: the export failed.
    ExportFailed {
        /// The task.
        task: ExportTaskId,
        /// Why, in the host's words.
        reason: String,
    },
    /// Host report: the copy's work has begun (an acknowledgement of `Effect::StartCopy`).
    CopyStarted(TaskId),
    /// Host report: the copy is `percent` done.
    CopyProgress {
        /// The task.
        task: TaskId,
        /// 0 to 100, never less than the last report.
        percent: u8,
    },
    /// Host report: the copy succeeded.
    CopyFinished(TaskId),
    /// Host report: the copy failed.
    CopyFailed {
        /// The task.
        task: TaskId,
        /// Why, in the host's words.
        reason: String,
    },
}

impl Command {
    /// The caller and client token of a mutating API call that carries a token.
    ///
    /// A dry run has none, whatever token it carries: it changes nothing, so it is neither
    /// recorded nor answered from a record (it is checked afresh each time, and a later real
    /// call with the same token is not a retry of it).
    pub fn idempotency_key(&self) -> Option<(&AccountId, &ClientToken)> {
        if self.is_dry_run() {
            return None;
        }
        let (caller, token) = match self {
            Command::CreateImage(c) => (c.caller.as_ref(), c.client_token.as_ref()),
            Command::CopyImage(c) => (c.caller.as_ref(), c.client_token.as_ref()),
            Command::CancelCopyImage(c) | Command::DeleteImage(c) => {
                (c.caller.as_ref(), c.client_token.as_ref())
            }
            Command::ModifyImageSharePermission(c) => (c.caller.as_ref(), c.client_token.as_ref()),
            _ => (None, None),
        };
        caller.zip(token)
    }

    /// Whether this is a dry run (checks only).
    pub fn is_dry_run(&self) -> bool {
        matches!(self, Command::CopyImage(c) if c.dry_run)
            || matches!(self, Command::ExportImage(c) if c.dry_run)
    }
}

/// `CreateImage`: a custom image from the caller's snapshots in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateImage {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The region.
    pub region: RegionId,
    /// The new image's name.
    pub name: ImageName,
    /// Its description.
    pub description: Option<Description>,
    /// The snapshots, system disk first.
    pub snapshots: Vec<SnapshotId>,
    /// Linux or Windows.
    pub platform: Platform,
    /// Tags.
    pub tags: Tags,
}

/// `CopyImage` / `SyncImages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyImage {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The source image's region (`RegionId`; Tencent's `Region`).
    pub region: RegionId,
    /// The source image.
    pub image: ImageId,
    /// One destination (Alibaba) or several (Tencent `DestinationRegions`).
    pub destination_regions: Vec<RegionId>,
    /// The new image's name (default: the source's).
    pub name: Option<ImageName>,
    /// The new image's description.
    pub description: Option<Description>,
    /// `Encrypted` / Tencent `Encrypt`.
    pub encrypted: bool,
    /// `KMSKeyId` / Tencent `KmsKeyId`.
    pub kms_key: Option<KmsKeyId>,
    /// Tags for the new image.
    pub tags: Tags,
    /// Tencent `DryRun`: check only, change nothing.
    pub dry_run: bool,
}

/// A call addressed to one image in one region (`CancelCopyImage`, `DeleteImage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageCall {
    /// The calling account.
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The image's region.
    pub region: RegionId,
    /// The image.
    pub image: ImageId,
}

/// `ModifyImageSharePermission`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyShare {
    /// The calling account (the image's owner).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The image's region.
    pub region: RegionId,
    /// The image.
    pub image: ImageId,
    /// Accounts to share with.
    pub add: Vec<AccountId>,
    /// Accounts to stop sharing with.
    pub remove: Vec<AccountId>,
}

/// `ExportImage` / `ExportImages` (one image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportImageCall {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// The image's region (`RegionId`; Tencent's `Region`).
    pub region: RegionId,
    /// The image, bucket, prefix, format and scope.
    pub request: ExportRequest,
    /// Tencent `DryRun`: check only, change nothing.
    pub dry_run: bool,
}

/// `CancelTask` for an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelExport {
    /// The calling account (the task's owner).
    pub caller: Option<AccountId>,
    /// The region the call is made in (the task's).
    pub region: RegionId,
    /// The task.
    pub task: ExportTaskId,
}

/// What `describe_images` selects; every field left `None` matches everything, except
/// `statuses` (see [`crate::engine::ImageService::describe_images`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFilter {
    /// Only this region.
    pub region: Option<RegionId>,
    /// Only these ids.
    pub ids: Option<Vec<ImageId>>,
    /// Only these statuses.
    pub statuses: Option<Vec<ImageStatus>>,
    /// Only these relations to the caller.
    pub owner_aliases: Option<Vec<OwnerAlias>>,
}
