//! What the engine tells its host: events (every state change, in order, enough to rebuild
//! the state by replay) and effects (work the host must carry out).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::copy::{CopyTask, TaskId};
use crate::export::{Bucket, BucketName, ExportFormat, ExportObject, ExportTask, ExportTaskId};
use crate::id::{AccountId, ClientToken, ImageId};
use crate::image::Image;
use crate::kms::KmsKey;
use crate::profile::Profile;
use crate::region::RegionId;
use crate::snapshot::Snapshot;

use super::Outcome;
use super::command::Command;

/// What an accepted copy adds to the state: the payload of [`Event::CopyAccepted`].
///
/// Boxed there, as every large payload of an [`Event`] is (images, snapshots, export
/// tasks): unboxed, every event (a task started, a progress report) would be as large as
/// the largest, and each is moved several times on its way to the host, so one allocation
/// per large event saves more than it costs. Boxes are invisible in the serialised form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyAcceptance {
    /// The task.
    pub task: CopyTask,
    /// The destination image.
    pub image: Image,
    /// The destination snapshots.
    pub snapshots: Vec<Snapshot>,
    /// The image id counter after this copy's ids were drawn.
    pub next_image: u64,
    /// The snapshot id counter after this copy's ids were drawn.
    pub next_snapshot: u64,
}

/// A state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The head of every log (record 0): the profile the service runs under. Written with
    /// the first state change; replaying a log under another profile is refused
    /// ([`super::ReplayError::ProfileMismatch`]). Changes nothing in the state.
    LogOpened {
        /// The profile.
        profile: Box<Profile>,
    },
    /// An account was added or updated.
    AccountRegistered(Account),
    /// A snapshot was added.
    SnapshotRegistered(Box<Snapshot>),
    /// An image was added (a fixture).
    ImageRegistered(Box<Image>),
    /// A custom image was created from snapshots (`CreateImage`).
    ImageCreated {
        /// The image.
        image: Box<Image>,
        /// The image id counter after its id was drawn.
        next_image: u64,
    },
    /// A KMS key was added.
    KmsKeyRegistered(KmsKey),
    /// A copy was accepted: its task (queued), its destination image (`Waiting`) and the
    /// destination snapshots reserved for it. (Serialised as the fields of
    /// [`CopyAcceptance`], as if they were the variant's own.)
    CopyAccepted(Box<CopyAcceptance>),
    /// A queued copy started running (its image is `Creating`).
    CopyStarted {
        /// The task.
        task: TaskId,
    },
    /// A running copy progressed.
    CopyProgressed {
        /// The task.
        task: TaskId,
        /// Percent done.
        percent: u8,
    },
    /// A copy succeeded (its image is `Available`).
    CopySucceeded {
        /// The task.
        task: TaskId,
    },
    /// A copy failed (its image is `CreateFailed`, its snapshots released).
    CopyFailed {
        /// The task.
        task: TaskId,
        /// The host's reason.
        reason: String,
    },
    /// A copy was cancelled (its image and snapshots removed).
    CopyCancelled {
        /// The task.
        task: TaskId,
    },
    /// An image was deleted (its shares revoked).
    ImageDeleted {
        /// The image.
        image: ImageId,
    },
    /// An image was shared with an account.
    ImageShared {
        /// The image.
        image: ImageId,
        /// The account.
        account: AccountId,
    },
    /// An account no longer sees an image (unshared by the owner, or deleted by the account).
    ImageUnshared {
        /// The image.
        image: ImageId,
        /// The account.
        account: AccountId,
    },
    /// A bucket was added.
    BucketRegistered(Bucket),
    /// An export was accepted (queued; the host was told to start it).
    ExportAccepted {
        /// The task.
        task: Box<ExportTask>,
    },
    /// The host began an export.
    ExportStarted {
        /// The task.
        task: ExportTaskId,
    },
    /// A running export progressed.
    ExportProgressed {
        /// The task.
        task: ExportTaskId,
        /// Percent done.
        percent: u8,
    },
    /// Every object of an export is in its bucket.
    ExportSucceeded {
        /// The task.
        task: ExportTaskId,
    },
    /// An export failed.
    ExportFailed {
        /// The task.
        task: ExportTaskId,
        /// The host's reason.
        reason: String,
    },
    /// An export was cancelled.
    ExportCancelled {
        /// The task.
        task: ExportTaskId,
    },
    /// Finished tasks and spent client tokens passed the retention horizon and were dropped
    /// (see [`super::Retention`]). Each list is sorted.
    Forgotten {
        /// Copy tasks that ended (succeeded, failed or cancelled).
        copies: Vec<TaskId>,
        /// Export tasks that ended.
        exports: Vec<ExportTaskId>,
        /// Recorded answers to calls with a client token: (caller, token).
        responses: Vec<(AccountId, ClientToken)>,
    },
    /// A mutating call with a client token succeeded; a retry returns this outcome.
    ResponseRecorded {
        /// The caller.
        caller: AccountId,
        /// The token.
        token: ClientToken,
        /// The call as made.
        request: Box<Command>,
        /// Its answer.
        outcome: Outcome,
    },
}

/// An event, its place in the log and when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Its place in the service's log: 0 for the head ([`Event::LogOpened`]), then 1, 2, 3,
    /// … without gaps. A host stores it with the record; replay refuses a gap or a repeat.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub event: Event,
}

/// Work the host must carry out.
///
/// Each is issued once, when the engine decides it: `StartCopy` when a copy starts running,
/// `AbortCopy` when a running copy is cancelled, `StartExport` when an export is accepted,
/// `AbortExport` when a live export is cancelled. After a restart that lost the host's own
/// record of its work, [`super::ImageService::resume`] issues `StartCopy` and `StartExport`
/// again for all work in flight: a host keys its work by task id, so receiving one twice is
/// harmless (and reporting `CopyStarted` or `ExportStarted` again is answered `Reported`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Start copying: make `destination_image` in `destination_region` from `source_image`.
    /// Report back with `CopyProgress`, `CopyFinished` or `CopyFailed`.
    StartCopy {
        /// The task.
        task: TaskId,
        /// The image to copy.
        source_image: ImageId,
        /// Its region.
        source_region: RegionId,
        /// The image to make.
        destination_image: ImageId,
        /// Its region.
        destination_region: RegionId,
        /// GiB to copy.
        size_gib: u64,
        /// When the engine started it (a host resuming after a restart measures the copy's
        /// time from here).
        started_at: DateTime<Utc>,
    },
    /// Stop a running copy and discard what it made (it was cancelled).
    AbortCopy {
        /// The task.
        task: TaskId,
    },
    /// Export image `image` to bucket `bucket` as `objects` (one per disk, named
    /// `<prefix>_xvda.raw`, …). Report back with `ExportStarted`, `ExportProgress`,
    /// `ExportFinished` or `ExportFailed`.
    StartExport {
        /// The task.
        task: ExportTaskId,
        /// The image.
        image: ImageId,
        /// Its region (and the bucket's).
        region: RegionId,
        /// The bucket.
        bucket: BucketName,
        /// The file format.
        format: ExportFormat,
        /// The objects to write, system disk first.
        objects: Vec<ExportObject>,
        /// When the export was accepted.
        accepted_at: DateTime<Utc>,
        /// When the host reported it started: `None` when the effect is first issued (at
        /// acceptance), the reported start when [`super::ImageService::resume`] issues it
        /// again for a running export.
        started_at: Option<DateTime<Utc>>,
    },
    /// Stop an export and delete what it wrote (it was cancelled).
    AbortExport {
        /// The task.
        task: ExportTaskId,
    },
}

impl Effect {
    /// `StartCopy` for task `t`, started at `started_at`.
    pub(crate) fn start_copy(t: &CopyTask, started_at: DateTime<Utc>) -> Effect {
        Effect::StartCopy {
            task: t.id,
            source_image: t.source_image.clone(),
            source_region: t.source_region.clone(),
            destination_image: t.destination_image.clone(),
            destination_region: t.destination_region.clone(),
            size_gib: t.size_gib,
            started_at,
        }
    }

    /// `StartExport` for task `t`.
    pub(crate) fn start_export(t: &ExportTask) -> Effect {
        Effect::StartExport {
            task: t.id,
            image: t.image.clone(),
            region: t.region.clone(),
            bucket: t.bucket.clone(),
            format: t.format,
            objects: t.objects.clone(),
            accepted_at: t.queued_at,
            started_at: t.started_at,
        }
    }
}
