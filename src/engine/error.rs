//! Why a command was refused, by whose mistake: [`EngineError`].

use chrono::{DateTime, Utc};

use crate::copy::{TaskId, TransitionError};
use crate::error::{ApiError, ErrorCode};
use crate::export::{ExportTaskId, ExportTransitionError};
use crate::id::{AccountId, ImageId};
use crate::import::{ImportTaskId, ImportTransitionError};
use crate::name::ImageName;
use crate::region::RegionId;

use super::state::ApplyError;

/// Why a command was refused, by whose mistake. The state is unchanged.
///
/// Only a customer's refusal ([`EngineError::Rejected`]) carries a provider error: its code,
/// HTTP status and message are the API's. The host's mistakes ([`HostError`]), a refused
/// fixture ([`FixtureError`]) and a bug ([`InternalError`]) are not the customer's doing
/// and carry no provider code; a service that must still answer a customer for them picks
/// its own error (the scenario runner's choice is
/// [`replay::wire_error`](crate::replay::wire_error)).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{DeleteImage, EngineError, ImageService};
/// use machine_image::{AccountId, ImageId, Profile, RegionId};
/// let mut service = ImageService::new(Profile::alibaba());
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let delete = DeleteImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-missing1").unwrap(),
/// );
/// let e = service.call(t0, delete).unwrap_err();
/// assert_eq!(e.code().map(|c| c.as_str()), Some("InvalidImageId.NotFound"));
/// assert_eq!(e.http_status(), 404);
/// assert!(e.api_error().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The provider's API refuses the customer's call.
    #[error("{0}")]
    Rejected(ApiError),
    /// The host made a mistake: a report the task diagram does not allow, or time going
    /// backwards.
    #[error(transparent)]
    Host(#[from] HostError),
    /// A fixture can't be recorded.
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    /// A bug: an invariant the checks rely on does not hold.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl EngineError {
    /// The provider error of a customer's refusal; `None` for every other kind.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            EngineError::Rejected(e) => Some(e),
            _ => None,
        }
    }

    /// The provider code of a customer's refusal; `None` for every other kind.
    pub fn code(&self) -> Option<ErrorCode> {
        self.api_error().map(ApiError::code)
    }

    /// The HTTP status: the provider's for a customer's refusal; 400 for a host's mistake
    /// and for a refused fixture (the request was wrong, not the service); 500 for an
    /// internal error.
    pub fn http_status(&self) -> u16 {
        match self {
            EngineError::Rejected(e) => e.http_status(),
            EngineError::Host(_) | EngineError::Fixture(_) => 400,
            EngineError::Internal(_) => 500,
        }
    }
}

impl From<ApiError> for EngineError {
    fn from(e: ApiError) -> Self {
        EngineError::Rejected(e)
    }
}

impl From<TransitionError> for EngineError {
    fn from(e: TransitionError) -> Self {
        EngineError::Host(HostError::CopyTransition(e))
    }
}

impl From<ImportTransitionError> for EngineError {
    fn from(e: ImportTransitionError) -> Self {
        EngineError::Host(HostError::ImportTransition(e))
    }
}

impl From<ExportTransitionError> for EngineError {
    fn from(e: ExportTransitionError) -> Self {
        EngineError::Host(HostError::ExportTransition(e))
    }
}

impl From<ApplyError> for EngineError {
    fn from(e: ApplyError) -> Self {
        EngineError::Internal(InternalError::Apply(e))
    }
}

/// A host's mistake: a report the engine can't take, or a command dated in the past.
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
/// use chrono::Duration;
/// use machine_image::engine::{CopyImage, EngineError, HostError, HostReport};
/// let sh = RegionId::new("cn-shanghai")?;
/// let later = t0 + Duration::minutes(5);
/// let copies = service.call(later, CopyImage::new(owner, hz, src, [sh]))?;
/// let task = copies[0].task;
///
/// // Time going backwards, and progress going back, are the host's mistakes.
/// let err = service.report(t0, HostReport::CopyFinished(task)).unwrap_err();
/// assert!(matches!(err, EngineError::Host(HostError::TimeWentBackwards { .. })));
/// service.report(later, HostReport::CopyProgress { task, percent: 50 })?;
/// let err = service.report(later, HostReport::CopyProgress { task, percent: 20 }).unwrap_err();
/// assert_eq!(err, EngineError::Host(HostError::ProgressWentBack { task, from: 50, to: 20 }));
/// assert_eq!((err.code(), err.http_status()), (None, 400)); // no provider code
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// A copy report asks for a move the task diagram lacks (finishing a queued copy,
    /// anything about a finished one).
    #[error("copy report out of order: {0}")]
    CopyTransition(TransitionError),
    /// A copy report names a task the engine does not know.
    #[error("no copy task {0}")]
    UnknownTask(TaskId),
    /// A copy progress report above 100.
    #[error("copy {task}: progress {percent}% is above 100%")]
    ProgressOutOfRange {
        /// The task.
        task: TaskId,
        /// The percent reported.
        percent: u8,
    },
    /// A copy progress report below the last one.
    #[error("copy {task}: progress went back from {from}% to {to}%")]
    ProgressWentBack {
        /// The task.
        task: TaskId,
        /// The last report.
        from: u8,
        /// This report.
        to: u8,
    },
    /// An export report asks for a move the task diagram lacks.
    #[error("export report out of order: {0}")]
    ExportTransition(ExportTransitionError),
    /// An export report names a task the engine does not know.
    #[error("no export task {0}")]
    UnknownExport(ExportTaskId),
    /// An export progress report above 100.
    #[error("{task}: progress {percent}% is above 100%")]
    ExportProgressOutOfRange {
        /// The task.
        task: ExportTaskId,
        /// The percent reported.
        percent: u8,
    },
    /// An export progress report below the last one.
    #[error("{task}: progress went back from {from}% to {to}%")]
    ExportProgressWentBack {
        /// The task.
        task: ExportTaskId,
        /// The last report.
        from: u8,
        /// This report.
        to: u8,
    },
    /// An import report asks for a move the task diagram lacks.
    #[error("import report out of order: {0}")]
    ImportTransition(ImportTransitionError),
    /// An import report names a task the engine does not know.
    #[error("no import task {0}")]
    UnknownImport(ImportTaskId),
    /// An import progress report above 100, or below the last one.
    #[error("{task}: progress {percent}% is above 100% or below the last report")]
    ImportProgressOutOfOrder {
        /// The task.
        task: ImportTaskId,
        /// The percent reported.
        percent: u8,
    },
    /// The command is dated before the state's clock: the time of the last command that
    /// changed the state. (A command that changes nothing, such as a dry run, an idempotent
    /// retry or a repeated report, leaves the clock where it was: the clock is part of the
    /// state, and the state is what the event log rebuilds.)
    #[error("time went backwards: a command dated {now} precedes the last state change ({last})")]
    TimeWentBackwards {
        /// The time of the last state change.
        last: DateTime<Utc>,
        /// This command's time.
        now: DateTime<Utc>,
    },
}

/// A fixture that can't be recorded.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{EngineError, Fixture, FixtureError, ImageService};
/// use machine_image::{AccountId, Profile, RegionId, Snapshot, SnapshotId};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba());
/// let owner = AccountId::new("1234567890123456")?;
/// let id = SnapshotId::new("s-sys0001")?;
/// // A Tencent region is not in the Alibaba profile's catalogue.
/// let guangzhou = RegionId::new("ap-guangzhou")?;
/// let stray = Snapshot::new(id.clone(), guangzhou.clone(), owner.clone(), t0, 40);
/// let err = service.register(t0, Fixture::Snapshot(stray)).unwrap_err();
/// assert_eq!(err, EngineError::Fixture(FixtureError::UnknownRegion(guangzhou)));
///
/// let snapshot = Snapshot::new(id, RegionId::new("cn-hangzhou")?, owner, t0, 40);
/// service.register(t0, Fixture::Snapshot(snapshot.clone()))?;
/// let again = service.register(t0, Fixture::Snapshot(snapshot)).unwrap_err();
/// assert!(matches!(again, EngineError::Fixture(FixtureError::DuplicateId(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// The region is not in the profile's catalogue.
    #[error("region {0} is not in the catalogue")]
    UnknownRegion(RegionId),
    /// The id exists already.
    #[error("{0} exists already")]
    DuplicateId(String),
    /// The owner already has a custom image of that name in the region.
    #[error("an image named {0} exists already for this owner and region")]
    DuplicateName(ImageName),
    /// The fixture would put the account over a quota.
    #[error("account {0} would be over its quota in {1}")]
    OverQuota(AccountId, RegionId),
    /// A copy destination in flight can't be a fixture (it would have no task).
    #[error("image {0} is an in-flight copy; fixtures must be settled images")]
    InFlightCopy(ImageId),
    /// A settled copy (an image with `copied_from`, not `CreateFailed`) names a snapshot
    /// the state lacks: a copy that succeeded has every snapshot it made.
    #[error("image {0} is a copy, and names a snapshot that does not exist")]
    CopyWithoutSnapshot(ImageId),
    /// The image names a snapshot of a copy still being made, which the copy owns (a
    /// cancel deletes it).
    #[error("image {0} names a snapshot of a copy still in flight")]
    SnapshotOfLiveCopy(ImageId),
}

/// A bug in the engine: the checks passed, yet what follows from them does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InternalError {
    /// An event did not fit the state.
    #[error("internal: {0}")]
    Apply(#[from] ApplyError),
    /// An accepted call's outcome is not the kind its request answers.
    #[error("internal: {call} was answered with {outcome}")]
    UnexpectedOutcome {
        /// The call.
        call: &'static str,
        /// The outcome, as `Debug` prints it.
        outcome: String,
    },
}
