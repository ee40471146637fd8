//! What the host reports about the work it carries out: [`HostReport`].

use serde::{Deserialize, Serialize};

use crate::copy::TaskId;
use crate::export::ExportTaskId;
use crate::import::ImportTaskId;

/// A host's report on a copy or an export it carries out (after an
/// [`Effect`](crate::engine::Effect) told it to start one). A host sends them with
/// [`ImageService::report`](crate::engine::ImageService::report); a report the task diagram
/// does not allow is refused with a [`HostError`](crate::engine::HostError), never with a
/// provider code.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{EngineError, HostError, HostReport, ImageService};
/// use machine_image::{Profile, TaskId};
/// let mut service = ImageService::new(Profile::alibaba());
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// // No copy was ever accepted: a report on one is the host's mistake.
/// let e = service.report(t0, HostReport::CopyFinished(TaskId(1))).unwrap_err();
/// assert!(matches!(e, EngineError::Host(HostError::UnknownTask(_))));
/// assert_eq!(e.code(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostReport {
    /// The copy's work has begun (an acknowledgement of `Effect::StartCopy`).
    CopyStarted(TaskId),
    /// The copy is `percent` done.
    CopyProgress {
        /// The task.
        task: TaskId,
        /// 0 to 100, never less than the last report.
        percent: u8,
    },
    /// The copy succeeded.
    CopyFinished(TaskId),
    /// The copy failed.
    CopyFailed {
        /// The task.
        task: TaskId,
        /// Why, in the host's words.
        reason: String,
    },
    /// The export's work has begun (`Queued → Running`).
    ExportStarted(ExportTaskId),
    /// The export is `percent` done.
    ExportProgress {
        /// The task.
        task: ExportTaskId,
        /// 0 to 100, never less than the last report.
        percent: u8,
    },
    /// Every object is in the bucket.
    ExportFinished(ExportTaskId),
    /// The export failed.
    ExportFailed {
        /// The task.
        task: ExportTaskId,
        /// Why, in the host's words.
        reason: String,
    },
    /// The host began reading an import's files (its image turns `Creating`). Repeated
    /// while running: answered `Reported`, nothing changes.
    ImportStarted(ImportTaskId),
    /// A running import's progress in percent (never back, at most 100).
    ImportProgress {
        /// The task.
        task: ImportTaskId,
        /// Percent done.
        percent: u8,
    },
    /// Every disk of the import is a snapshot: the image is `Available`.
    ImportFinished(ImportTaskId),
    /// The import failed (unreadable file, bad format): the image is `CreateFailed` and
    /// its snapshots are released.
    ImportFailed {
        /// The task.
        task: ImportTaskId,
        /// The host's reason.
        reason: String,
    },
}
