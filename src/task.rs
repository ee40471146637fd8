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

use std::fmt;

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
}
