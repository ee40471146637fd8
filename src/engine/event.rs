//! What the engine tells its host: events (every state change, in order, enough to rebuild
//! the state by replay) and effects (work the host must carry out).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::copy::{CopyTask, TaskId};
use crate::export::{Bucket, BucketName, ExportFormat, ExportObject, ExportTask, ExportTaskId};
use crate::id::{AccountId, ClientToken, ImageId, SnapshotId};
use crate::image::Image;
use crate::import::{ImportDisk, ImportTask, ImportTaskId};
use crate::kms::KmsKey;
use crate::name::{Description, ImageName};
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
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// use machine_image::engine::{CopyImage, Event};
/// use machine_image::ImageStatus;
/// let copies = service.call(t0, CopyImage::new(owner, hz, src, [RegionId::new("cn-shanghai")?]))?;
/// let accepted: Vec<_> = service
///     .drain_events()
///     .into_iter()
///     .filter_map(|r| match r.event {
///         Event::CopyAccepted(acceptance) => Some(acceptance),
///         _ => None,
///     })
///     .collect();
/// assert_eq!(accepted[0].task.id, copies[0].task);
/// assert_eq!(accepted[0].image.status(), ImageStatus::Waiting); // then `CopyStarted`
/// assert_eq!(accepted[0].snapshots.len(), 1); // reserved in the destination
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
///
/// A host reads events from [`EventRecord`]s ([`ImageService::poll_event`](super::ImageService::poll_event) or
/// [`ImageService::drain_events`](super::ImageService::drain_events)), persists them, and
/// may match the ones it reacts to (a dashboard, a notification):
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// use machine_image::engine::{CopyImage, Event, HostReport};
/// let sh = RegionId::new("cn-shanghai")?;
/// let copies = service.call(t0, CopyImage::new(owner, hz, src, [sh]))?;
/// service.report(t0, HostReport::CopyFinished(copies[0].task))?;
///
/// let finished: Vec<_> = service
///     .drain_events()
///     .into_iter()
///     .filter_map(|record| match record.event {
///         Event::CopySucceeded { task } => Some(task),
///         _ => None,
///     })
///     .collect();
/// assert_eq!(finished, [copies[0].task]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// `ModifyImageAttribute`: an image's name or description changed (a field left `None`
    /// kept its value).
    ImageAttributeModified {
        /// The image.
        image: ImageId,
        /// The new name.
        name: Option<ImageName>,
        /// The new description.
        description: Option<Description>,
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
    /// An import was accepted: its task (queued; the host was told to start it), its image
    /// (`Waiting`) and the snapshots reserved for its disks.
    ImportAccepted {
        /// The task.
        task: Box<ImportTask>,
        /// The image being made.
        image: Box<Image>,
        /// The snapshots its disks become, system disk first.
        snapshots: Vec<Snapshot>,
        /// The image id counter after its id was drawn.
        next_image: u64,
        /// The snapshot id counter after the snapshots' ids were drawn.
        next_snapshot: u64,
    },
    /// The host began an import (its image is `Creating`).
    ImportStarted {
        /// The task.
        task: ImportTaskId,
    },
    /// A running import progressed.
    ImportProgressed {
        /// The task.
        task: ImportTaskId,
        /// Percent done.
        percent: u8,
    },
    /// An import succeeded (its image is `Available`).
    ImportSucceeded {
        /// The task.
        task: ImportTaskId,
    },
    /// An import failed (its image is `CreateFailed`, its snapshots released).
    ImportFailed {
        /// The task.
        task: ImportTaskId,
        /// The host's reason.
        reason: String,
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
        /// Import tasks that ended (absent in logs written before imports existed).
        #[serde(default)]
        imports: Vec<ImportTaskId>,
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
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Event, Fixture, ImageService};
/// use machine_image::{Account, AccountId, Profile};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba());
/// service.register(t0, Fixture::Account(Account::new(AccountId::new("1234567890123456")?, 10, 100)))?;
/// let records = service.drain_events();
/// assert_eq!(records.iter().map(|r| r.seq).collect::<Vec<_>>(), [0, 1]);
/// assert!(matches!(records[0].event, Event::LogOpened { .. }));
/// assert!(matches!(records[1].event, Event::AccountRegistered(_)));
/// assert_eq!(records[1].at, t0);
/// // Records serialise (serde) for the host's store; the next one is numbered 2.
/// assert_eq!(service.next_seq(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
/// `AbortExport` when a live export is cancelled, `StartImport` when an import is accepted.
/// After a restart that lost the host's own record of its work,
/// [`super::ImageService::resume`] issues `StartCopy`, `StartExport` and `StartImport`
/// again for all work in flight: a host keys its work by task id, so receiving one twice is
/// harmless (and reporting `CopyStarted` or `ExportStarted` again is answered `Reported`).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// use machine_image::engine::{CancelCopyImage, CopyImage, Effect};
/// let (sh, bj) = (RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?);
/// let copies = service.call(t0, CopyImage::new(owner.clone(), hz, src, [sh.clone(), bj]))?;
/// // One copy runs at a time in the source region's queue: the first starts, the second waits.
/// let starts = service.drain_effects();
/// assert_eq!(starts.len(), 1);
/// assert!(matches!(
///     &starts[0],
///     Effect::StartCopy { task, destination_region, size_gib: 40, .. }
///         if *task == copies[0].task && *destination_region == sh
/// ));
///
/// // Cancelling the running copy tells the host to abort it; the next one starts.
/// service.call(t0, CancelCopyImage::new(owner, sh, copies[0].image.clone()))?;
/// let effects = service.drain_effects();
/// assert!(effects.contains(&Effect::AbortCopy { task: copies[0].task }));
/// assert!(effects.iter().any(|e| matches!(e, Effect::StartCopy { task, .. } if *task == copies[1].task)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// Import the disks of `image` from their files (an accepted `ImportImage`) into
    /// `snapshots`, in order. Report back with `ImportStarted`, `ImportProgress`,
    /// `ImportFinished` or `ImportFailed`.
    StartImport {
        /// The task.
        task: ImportTaskId,
        /// The image being made.
        image: ImageId,
        /// Its region.
        region: RegionId,
        /// The files, system disk first.
        disks: Vec<ImportDisk>,
        /// The snapshots to fill, in the same order.
        snapshots: Vec<SnapshotId>,
        /// When it was accepted.
        accepted_at: DateTime<Utc>,
        /// When the host reported it started, if it did (a host resuming after a restart).
        started_at: Option<DateTime<Utc>>,
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

    /// `StartImport` for task `t`.
    pub(crate) fn start_import(t: &ImportTask) -> Effect {
        Effect::StartImport {
            task: t.id,
            image: t.image.clone(),
            region: t.region.clone(),
            disks: t.disks.clone(),
            snapshots: t.snapshots.clone(),
            accepted_at: t.queued_at(),
            started_at: t.started_at(),
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
            accepted_at: t.queued_at(),
            started_at: t.started_at(),
        }
    }
}
