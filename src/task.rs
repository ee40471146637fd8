//! The lifecycle every asynchronous task shares: copies ([`crate::copy`]) and exports
//! ([`crate::export`]) both move through the same states.
//!
//! ```text
//!             start                finish
//!   Queued ───────────► Running ───────────► Succeeded
//!     │                   │  │
//!     │                   │  └─── fail ────► Failed
//!     └──── cancel ───────┴───── cancel ───► Cancelled
//! ```
//! Every other move (finishing a queued task, starting a running one, anything out of a
//! final state) is refused with a [`TransitionError`] naming the task, its state and the
//! move asked for. Progress is reported only while running.
//!
//! [`TaskState`] names the states; [`Lifecycle`] is a task's state together with the facts
//! that state has (its times, its progress, a failure's reason), with the moves of the
//! diagram as its methods. Both task kinds keep one.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A task's state (see the module diagram).
///
/// ```
/// use machine_image::{TaskId, TaskState};
///
/// let running = TaskState::Queued.start(TaskId(1))?;
/// assert_eq!(running, TaskState::Running);
/// assert_eq!(running.finish(TaskId(1))?, TaskState::Succeeded);
/// assert!(running.is_live() && !TaskState::Cancelled.is_live());
/// // A move the diagram lacks names the task, its state and the move.
/// let refused = TaskState::Queued.finish(TaskId(1)).unwrap_err();
/// assert_eq!(refused.to_string(), "task-1 can't finish while Queued");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskState {
    /// Accepted, waiting to start (a copy waits for its region's slot).
    Queued,
    /// Being carried out by the host.
    Running,
    /// Done.
    Succeeded,
    /// The host reported a failure.
    Failed,
    /// Cancelled by the caller.
    Cancelled,
}

/// A move the task diagram does not have, for the task `task` (a copy's
/// [`crate::copy::TaskId`] or an export's [`crate::export::ExportTaskId`]).
///
/// ```
/// use machine_image::export::ExportTaskId;
/// use machine_image::{TaskState, TransitionError};
///
/// let err = TaskState::Succeeded.cancel(ExportTaskId(3)).unwrap_err();
/// assert_eq!((err.task, err.from, err.action), (ExportTaskId(3), TaskState::Succeeded, "cancel"));
/// assert_eq!(err.to_string(), "export-3 can't cancel while Succeeded");
/// // Alibaba's `CancelTask` answers it `InvalidTaskId.IncorrectTaskStatus`.
/// assert_eq!(err.to_api_error().code().as_str(), "InvalidTaskId.IncorrectTaskStatus");
/// # let _: &TransitionError = &TaskState::Queued.finish(machine_image::TaskId(1)).unwrap_err();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{task} can't {action} while {from:?}")]
pub struct TransitionError<Id: fmt::Display + fmt::Debug> {
    /// The task.
    pub task: Id,
    /// Its state.
    pub from: TaskState,
    /// What was asked: `start`, `progress`, `finish`, `fail` or `cancel`.
    pub action: &'static str,
}

type Moved<Id> = Result<TaskState, TransitionError<Id>>;

impl TaskState {
    /// Whether the task is still live (queued or running).
    pub fn is_live(self) -> bool {
        matches!(self, TaskState::Queued | TaskState::Running)
    }

    fn refuse<Id: fmt::Display + fmt::Debug>(
        self,
        task: Id,
        action: &'static str,
    ) -> TransitionError<Id> {
        TransitionError {
            task,
            from: self,
            action,
        }
    }

    /// `Queued → Running`.
    pub fn start<Id: fmt::Display + fmt::Debug>(self, task: Id) -> Moved<Id> {
        match self {
            TaskState::Queued => Ok(TaskState::Running),
            s => Err(s.refuse(task, "start")),
        }
    }

    /// `Running → Succeeded`.
    pub fn finish<Id: fmt::Display + fmt::Debug>(self, task: Id) -> Moved<Id> {
        match self {
            TaskState::Running => Ok(TaskState::Succeeded),
            s => Err(s.refuse(task, "finish")),
        }
    }

    /// `Running → Failed`.
    pub fn fail<Id: fmt::Display + fmt::Debug>(self, task: Id) -> Moved<Id> {
        match self {
            TaskState::Running => Ok(TaskState::Failed),
            s => Err(s.refuse(task, "fail")),
        }
    }

    /// `Queued | Running → Cancelled`.
    pub fn cancel<Id: fmt::Display + fmt::Debug>(self, task: Id) -> Moved<Id> {
        match self {
            TaskState::Queued | TaskState::Running => Ok(TaskState::Cancelled),
            s => Err(s.refuse(task, "cancel")),
        }
    }

    /// Progress reports are taken only while running.
    pub fn check_progress<Id: fmt::Display + fmt::Debug>(
        self,
        task: Id,
    ) -> Result<(), TransitionError<Id>> {
        match self {
            TaskState::Running => Ok(()),
            s => Err(s.refuse(task, "progress")),
        }
    }
}

/// Where a task is in its life, with the facts each state has: its times, its progress and,
/// for a failed task, the host's reason. Shared by [`CopyTask`](crate::copy::CopyTask) and
/// [`ExportTask`](crate::export::ExportTask).
///
/// Each variant carries exactly the times its state has, so a queued task with an end time,
/// a running one without a start or a succeeded one with a failure reason can't be built.
/// The transitions ([`start`](Lifecycle::start), [`report_progress`](Lifecycle::report_progress),
/// [`finish`](Lifecycle::finish), [`fail`](Lifecycle::fail), [`cancel`](Lifecycle::cancel))
/// are the arrows of the module diagram; any other move is refused with a
/// [`TransitionError`] and leaves the lifecycle as it was.
///
/// # Serialised form
/// A flat object with the fields tasks have always had: `state`, `progress`, `queued_at`,
/// `started_at`, `ended_at`, `failure_reason` (a task flattens it among its own fields).
/// Deserialising refuses a combination no lifecycle can reach: times that do not fit the
/// state (`"start and end times do not fit its state"`), times out of order (`queued_at ≤
/// started_at ≤ ended_at`), progress above 100, progress before the start, a failure reason
/// on a task that has not failed or none on one that has. A succeeded task reads as 100%
/// whatever its `progress` field says.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use machine_image::{Lifecycle, TaskId, TaskState};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut life = Lifecycle::queued(t0);
/// life.start(TaskId(1), t0 + Duration::minutes(1))?;
/// life.report_progress(TaskId(1), 40)?;
/// assert_eq!((life.state(), life.progress()), (TaskState::Running, 40));
/// life.fail(TaskId(1), t0 + Duration::minutes(5), "disk error".into())?;
/// assert_eq!(life.failure_reason(), Some("disk error"));
/// assert_eq!(life.ended_at(), Some(t0 + Duration::minutes(5)));
/// // A failed task keeps the progress it had reached.
/// assert!(matches!(life, Lifecycle::Failed { progress: 40, .. }));
///
/// // A move the diagram lacks is refused and changes nothing.
/// let refused = life.cancel(TaskId(1), t0 + Duration::minutes(6)).unwrap_err();
/// assert_eq!(refused.to_string(), "task-1 can't cancel while Failed");
/// assert_eq!(life.state(), TaskState::Failed);
///
/// // The serialised form is the flat one; an impossible one is refused.
/// let json = r#"{"state":"Succeeded","progress":100,"queued_at":"2026-01-01T00:10:00Z",
///     "started_at":"2026-01-01T00:05:00Z","ended_at":"2026-01-01T00:20:00Z","failure_reason":null}"#;
/// let err = serde_json::from_str::<Lifecycle>(json).unwrap_err();
/// assert!(err.to_string().contains("times out of order"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lifecycle {
    /// Accepted, waiting to start.
    Queued {
        /// When it was accepted.
        queued_at: DateTime<Utc>,
    },
    /// Being carried out by the host.
    Running {
        /// When it was accepted.
        queued_at: DateTime<Utc>,
        /// When it started.
        started_at: DateTime<Utc>,
        /// Percent done, at most 100.
        progress: u8,
    },
    /// Done (100%).
    Succeeded {
        /// When it was accepted.
        queued_at: DateTime<Utc>,
        /// When it started.
        started_at: DateTime<Utc>,
        /// When it finished.
        ended_at: DateTime<Utc>,
    },
    /// The host reported a failure.
    Failed {
        /// When it was accepted.
        queued_at: DateTime<Utc>,
        /// When it started.
        started_at: DateTime<Utc>,
        /// When it failed.
        ended_at: DateTime<Utc>,
        /// Percent done when it failed.
        progress: u8,
        /// The host's reason.
        reason: String,
    },
    /// Cancelled by the caller, while queued (no start time, no progress) or running.
    Cancelled {
        /// When it was accepted.
        queued_at: DateTime<Utc>,
        /// When it started, if it was running.
        started_at: Option<DateTime<Utc>>,
        /// When it was cancelled.
        ended_at: DateTime<Utc>,
        /// Percent done when it was cancelled (0 if it never ran).
        progress: u8,
    },
}

impl Lifecycle {
    /// A task accepted at `at`, waiting to start.
    pub fn queued(at: DateTime<Utc>) -> Self {
        Lifecycle::Queued { queued_at: at }
    }

    /// The state.
    pub fn state(&self) -> TaskState {
        match self {
            Lifecycle::Queued { .. } => TaskState::Queued,
            Lifecycle::Running { .. } => TaskState::Running,
            Lifecycle::Succeeded { .. } => TaskState::Succeeded,
            Lifecycle::Failed { .. } => TaskState::Failed,
            Lifecycle::Cancelled { .. } => TaskState::Cancelled,
        }
    }

    /// Percent done: 0 while queued, 100 once succeeded, the last report otherwise.
    pub fn progress(&self) -> u8 {
        match self {
            Lifecycle::Queued { .. } => 0,
            Lifecycle::Succeeded { .. } => 100,
            Lifecycle::Running { progress, .. }
            | Lifecycle::Failed { progress, .. }
            | Lifecycle::Cancelled { progress, .. } => *progress,
        }
    }

    /// When the task was accepted.
    pub fn queued_at(&self) -> DateTime<Utc> {
        match self {
            Lifecycle::Queued { queued_at }
            | Lifecycle::Running { queued_at, .. }
            | Lifecycle::Succeeded { queued_at, .. }
            | Lifecycle::Failed { queued_at, .. }
            | Lifecycle::Cancelled { queued_at, .. } => *queued_at,
        }
    }

    /// When it started running, if it has.
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Lifecycle::Queued { .. } => None,
            Lifecycle::Running { started_at, .. }
            | Lifecycle::Succeeded { started_at, .. }
            | Lifecycle::Failed { started_at, .. } => Some(*started_at),
            Lifecycle::Cancelled { started_at, .. } => *started_at,
        }
    }

    /// When it reached a final state, if it has.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Lifecycle::Queued { .. } | Lifecycle::Running { .. } => None,
            Lifecycle::Succeeded { ended_at, .. }
            | Lifecycle::Failed { ended_at, .. }
            | Lifecycle::Cancelled { ended_at, .. } => Some(*ended_at),
        }
    }

    /// The host's reason, for a failed task.
    pub fn failure_reason(&self) -> Option<&str> {
        match self {
            Lifecycle::Failed { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The latest of its times: the end, else the start, else the acceptance.
    pub fn last_change(&self) -> DateTime<Utc> {
        self.ended_at()
            .or(self.started_at())
            .unwrap_or(self.queued_at())
    }

    /// Whether the task is still live (queued or running).
    pub fn is_live(&self) -> bool {
        self.state().is_live()
    }

    fn refuse<Id: fmt::Display + fmt::Debug>(
        &self,
        task: Id,
        action: &'static str,
    ) -> TransitionError<Id> {
        self.state().refuse(task, action)
    }

    /// `Queued → Running` at `at`, with progress 0.
    pub fn start<Id: fmt::Display + fmt::Debug>(
        &mut self,
        task: Id,
        at: DateTime<Utc>,
    ) -> Result<(), TransitionError<Id>> {
        match *self {
            Lifecycle::Queued { queued_at } => {
                *self = Lifecycle::Running {
                    queued_at,
                    started_at: at,
                    progress: 0,
                };
                Ok(())
            }
            _ => Err(self.refuse(task, "start")),
        }
    }

    /// A progress report while running: `percent`, at most 100. Whether progress may go
    /// back is the caller's rule (the engine refuses it for copies).
    pub fn report_progress<Id: fmt::Display + fmt::Debug>(
        &mut self,
        task: Id,
        percent: u8,
    ) -> Result<(), TransitionError<Id>> {
        match self {
            Lifecycle::Running { progress, .. } => {
                *progress = percent.min(100);
                Ok(())
            }
            _ => Err(self.refuse(task, "progress")),
        }
    }

    /// `Running → Succeeded` at `at` (100%, whatever the host last reported).
    pub fn finish<Id: fmt::Display + fmt::Debug>(
        &mut self,
        task: Id,
        at: DateTime<Utc>,
    ) -> Result<(), TransitionError<Id>> {
        match *self {
            Lifecycle::Running {
                queued_at,
                started_at,
                ..
            } => {
                *self = Lifecycle::Succeeded {
                    queued_at,
                    started_at,
                    ended_at: at,
                };
                Ok(())
            }
            _ => Err(self.refuse(task, "finish")),
        }
    }

    /// `Running → Failed` at `at` with the host's `reason`, keeping the progress reached.
    pub fn fail<Id: fmt::Display + fmt::Debug>(
        &mut self,
        task: Id,
        at: DateTime<Utc>,
        reason: String,
    ) -> Result<(), TransitionError<Id>> {
        match *self {
            Lifecycle::Running {
                queued_at,
                started_at,
                progress,
            } => {
                *self = Lifecycle::Failed {
                    queued_at,
                    started_at,
                    ended_at: at,
                    progress,
                    reason,
                };
                Ok(())
            }
            _ => Err(self.refuse(task, "fail")),
        }
    }

    /// `Queued | Running → Cancelled` at `at`, keeping the start and the progress reached.
    pub fn cancel<Id: fmt::Display + fmt::Debug>(
        &mut self,
        task: Id,
        at: DateTime<Utc>,
    ) -> Result<(), TransitionError<Id>> {
        let (queued_at, started_at, progress) = match *self {
            Lifecycle::Queued { queued_at } => (queued_at, None, 0),
            Lifecycle::Running {
                queued_at,
                started_at,
                progress,
            } => (queued_at, Some(started_at), progress),
            _ => return Err(self.refuse(task, "cancel")),
        };
        *self = Lifecycle::Cancelled {
            queued_at,
            started_at,
            ended_at: at,
            progress,
        };
        Ok(())
    }
}

/// The serialised form of a [`Lifecycle`], borrowed for writing.
#[derive(Serialize)]
struct FieldsRef<'a> {
    state: TaskState,
    progress: u8,
    queued_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    failure_reason: Option<&'a str>,
}

/// The serialised form of a [`Lifecycle`], owned for reading.
#[derive(Deserialize)]
struct Fields {
    state: TaskState,
    progress: u8,
    queued_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    failure_reason: Option<String>,
}

impl Serialize for Lifecycle {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FieldsRef {
            state: self.state(),
            progress: self.progress(),
            queued_at: self.queued_at(),
            started_at: self.started_at(),
            ended_at: self.ended_at(),
            failure_reason: self.failure_reason(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Lifecycle {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Lifecycle::try_from(Fields::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<Fields> for Lifecycle {
    type Error = &'static str;

    fn try_from(f: Fields) -> Result<Self, Self::Error> {
        const UNFIT: &str = "start and end times do not fit its state";
        let queued_at = f.queued_at;
        let life = match (f.state, f.started_at, f.ended_at) {
            (TaskState::Queued, None, None) => Lifecycle::Queued { queued_at },
            (TaskState::Running, Some(started_at), None) => Lifecycle::Running {
                queued_at,
                started_at,
                progress: f.progress,
            },
            (TaskState::Succeeded, Some(started_at), Some(ended_at)) => Lifecycle::Succeeded {
                queued_at,
                started_at,
                ended_at,
            },
            (TaskState::Failed, Some(started_at), Some(ended_at)) => Lifecycle::Failed {
                queued_at,
                started_at,
                ended_at,
                progress: f.progress,
                reason: f.failure_reason.clone().unwrap_or_default(),
            },
            (TaskState::Cancelled, started_at, Some(ended_at)) => Lifecycle::Cancelled {
                queued_at,
                started_at,
                ended_at,
                progress: f.progress,
            },
            _ => return Err(UNFIT),
        };
        if f.started_at.is_some_and(|s| s < f.queued_at)
            || f.ended_at
                .is_some_and(|e| e < f.started_at.unwrap_or(f.queued_at))
        {
            return Err("times out of order");
        }
        if f.progress > 100 {
            return Err("progress above 100");
        }
        if f.failure_reason.is_some() != (f.state == TaskState::Failed) {
            return Err("a failure reason on a task that has not failed, or none on one that has");
        }
        // A succeeded task is done, whatever its `progress` field says (the field is
        // redundant there and read as 100).
        if life.started_at().is_none() && f.progress != 0 {
            return Err("progress before the start");
        }
        Ok(life)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_transitions() {
        let t = "t";
        assert_eq!(TaskState::Queued.start(t), Ok(TaskState::Running));
        assert_eq!(TaskState::Running.finish(t), Ok(TaskState::Succeeded));
        assert_eq!(TaskState::Running.fail(t), Ok(TaskState::Failed));
        assert_eq!(TaskState::Queued.cancel(t), Ok(TaskState::Cancelled));
        assert_eq!(TaskState::Running.cancel(t), Ok(TaskState::Cancelled));
        assert_eq!(TaskState::Running.check_progress(t), Ok(()));
    }

    #[test]
    fn refused_transitions() {
        let t = "t";
        assert!(TaskState::Queued.finish(t).is_err());
        assert!(TaskState::Queued.fail(t).is_err());
        assert!(TaskState::Queued.check_progress(t).is_err());
        assert!(TaskState::Running.start(t).is_err());
        for final_state in [
            TaskState::Succeeded,
            TaskState::Failed,
            TaskState::Cancelled,
        ] {
            assert!(!final_state.is_live());
            assert!(final_state.start(t).is_err());
            assert!(final_state.finish(t).is_err());
            assert!(final_state.fail(t).is_err());
            assert!(final_state.cancel(t).is_err());
            assert!(final_state.check_progress(t).is_err());
        }
        let e = TaskState::Queued.finish("task-1").unwrap_err();
        assert_eq!(e.to_string(), "task-1 can't finish while Queued");
    }

    fn at(minute: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap()
    }

    /// One lifecycle of each shape, reached through the transitions.
    fn every_shape() -> Vec<Lifecycle> {
        let queued = Lifecycle::queued(at(0));
        let mut running = queued.clone();
        running.start("t", at(1)).unwrap();
        running.report_progress("t", 30).unwrap();
        let mut succeeded = running.clone();
        succeeded.finish("t", at(2)).unwrap();
        let mut failed = running.clone();
        failed.fail("t", at(2), "disk".into()).unwrap();
        let mut cancelled_running = running.clone();
        cancelled_running.cancel("t", at(2)).unwrap();
        let mut cancelled_queued = queued.clone();
        cancelled_queued.cancel("t", at(2)).unwrap();
        vec![
            queued,
            running,
            succeeded,
            failed,
            cancelled_running,
            cancelled_queued,
        ]
    }

    #[test]
    fn transitions_carry_the_facts_of_each_state() {
        let [q, r, s, f, cr, cq] = &every_shape()[..] else {
            unreachable!()
        };
        assert_eq!(
            (q.state(), q.progress(), q.started_at()),
            (TaskState::Queued, 0, None)
        );
        assert_eq!(
            (r.state(), r.progress(), r.started_at()),
            (TaskState::Running, 30, Some(at(1)))
        );
        assert_eq!(
            (s.state(), s.progress(), s.ended_at()),
            (TaskState::Succeeded, 100, Some(at(2)))
        );
        assert_eq!((f.progress(), f.failure_reason()), (30, Some("disk")));
        assert_eq!((cr.progress(), cr.started_at()), (30, Some(at(1))));
        assert_eq!(
            (cq.progress(), cq.started_at(), cq.ended_at()),
            (0, None, Some(at(2)))
        );
        assert_eq!(cq.last_change(), at(2));
        assert!(q.is_live() && r.is_live() && !s.is_live());
        // Progress is clamped to 100.
        let mut r = r.clone();
        r.report_progress("t", 250).unwrap();
        assert_eq!(r.progress(), 100);
    }

    #[test]
    fn refused_moves_change_nothing() {
        for life in every_shape() {
            let before = life.clone();
            let mut l = life.clone();
            let moves: [(&str, bool); 5] = [
                ("start", l.clone().start("t", at(3)).is_ok()),
                ("progress", l.clone().report_progress("t", 50).is_ok()),
                ("finish", l.clone().finish("t", at(3)).is_ok()),
                ("fail", l.clone().fail("t", at(3), "x".into()).is_ok()),
                ("cancel", l.clone().cancel("t", at(3)).is_ok()),
            ];
            for (action, ok) in moves {
                let state = before.state();
                let expected = match action {
                    "start" => state.start("t").is_ok(),
                    "progress" => state.check_progress("t").is_ok(),
                    "finish" => state.finish("t").is_ok(),
                    "fail" => state.fail("t").is_ok(),
                    _ => state.cancel("t").is_ok(),
                };
                assert_eq!(ok, expected, "{action} from {state:?}");
            }
            if let Err(e) = l.finish("task-9", at(3)) {
                assert_eq!(e.action, "finish");
                assert_eq!(l, before);
            }
        }
    }

    #[test]
    fn the_serialised_form_is_flat_and_round_trips() {
        for life in every_shape() {
            let json = serde_json::to_string(&life).unwrap();
            assert_eq!(
                serde_json::from_str::<Lifecycle>(&json).unwrap(),
                life,
                "{json}"
            );
        }
        let mut failed = Lifecycle::queued(at(0));
        failed.start("t", at(1)).unwrap();
        failed.fail("t", at(2), "disk".into()).unwrap();
        assert_eq!(
            serde_json::to_string(&failed).unwrap(),
            r#"{"state":"Failed","progress":0,"queued_at":"2026-01-01T00:00:00Z","started_at":"2026-01-01T00:01:00Z","ended_at":"2026-01-01T00:02:00Z","failure_reason":"disk"}"#
        );
    }

    #[test]
    fn impossible_combinations_are_refused_on_read() {
        let read = |state: &str,
                    progress: u8,
                    started: Option<u32>,
                    ended: Option<u32>,
                    reason: Option<&str>| {
            let v = serde_json::json!({
                "state": state,
                "progress": progress,
                "queued_at": at(10),
                "started_at": started.map(at),
                "ended_at": ended.map(at),
                "failure_reason": reason,
            });
            serde_json::from_value::<Lifecycle>(v).map_err(|e| e.to_string())
        };
        let refused = |r: Result<Lifecycle, String>, why: &str| {
            let e = r.unwrap_err();
            assert!(e.contains(why), "{e} lacks {why}");
        };
        let unfit = "do not fit its state";
        refused(read("Queued", 0, Some(11), None, None), unfit);
        refused(read("Queued", 0, None, Some(11), None), unfit);
        refused(read("Running", 0, None, None, None), unfit);
        refused(read("Running", 0, Some(11), Some(12), None), unfit);
        refused(read("Succeeded", 100, None, Some(12), None), unfit);
        refused(read("Failed", 0, Some(11), None, Some("x")), unfit);
        refused(read("Cancelled", 0, None, None, None), unfit);
        refused(
            read("Running", 0, Some(9), None, None),
            "times out of order",
        );
        refused(
            read("Succeeded", 100, Some(12), Some(11), None),
            "times out of order",
        );
        refused(
            read("Cancelled", 0, None, Some(9), None),
            "times out of order",
        );
        refused(read("Running", 101, Some(11), None, None), "above 100");
        refused(
            read("Queued", 5, None, None, None),
            "progress before the start",
        );
        refused(
            read("Cancelled", 5, None, Some(11), None),
            "progress before the start",
        );
        refused(
            read("Running", 5, Some(11), None, Some("x")),
            "failure reason",
        );
        refused(
            read("Failed", 5, Some(11), Some(12), None),
            "failure reason",
        );
        // Possible ones are read; a succeeded task is 100% whatever the field says.
        assert_eq!(
            read("Succeeded", 40, Some(11), Some(12), None)
                .unwrap()
                .progress(),
            100
        );
        assert!(read("Cancelled", 40, Some(11), Some(11), None).is_ok());
        assert!(read("Failed", 40, Some(10), Some(10), Some("x")).is_ok());
    }
}
