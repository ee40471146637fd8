//! Copy tasks: their states and transitions, and the per-region queues.
//!
//! # Task states
//! A copy task moves through the states every task shares ([`crate::task`]):
//! `Queued → Running → Succeeded | Failed | Cancelled`, cancellable while queued or
//! running; every other move is refused with a [`TransitionError`]. Its destination image
//! follows it (see [`crate::image`]).
//!
//! # Queues
//! Seed 004: "同一个地域下同时只能有一个镜像拷贝任务运行，其余任务需要排队等待上一个任务完成后再依次排队执行"
//! (one copy task runs per region at a time; the others queue and run in turn). The seed does
//! not say whether that region is the source or the destination: [`QueueScope`] makes it a
//! policy value, [`QueueScope::Source`] by default. Within a region tasks start in the order
//! they were accepted (FIFO), the moment the one before them ends: succeeds, fails or is
//! cancelled.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AccountId, ImageId};
use crate::region::RegionId;

/// Which region's queue a copy waits in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum QueueScope {
    /// The source image's region (the default).
    #[default]
    Source,
    /// The destination region.
    Destination,
}

impl FromStr for QueueScope {
    type Err = String;
    /// `source` or `destination`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "source" => Ok(QueueScope::Source),
            "destination" => Ok(QueueScope::Destination),
            other => Err(format!(
                "unknown queue scope {other:?}: expected \"source\" or \"destination\""
            )),
        }
    }
}

/// A copy task's id: its acceptance order, starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task-{}", self.0)
    }
}

pub use crate::task::TaskState;

/// A move the task diagram does not have, for a copy task.
pub type TransitionError = crate::task::TransitionError<TaskId>;

/// One copy of one image to one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyTask {
    /// The id (acceptance order).
    pub id: TaskId,
    /// The account that asked.
    pub owner: AccountId,
    /// The image copied.
    pub source_image: ImageId,
    /// Its region.
    pub source_region: RegionId,
    /// The new image.
    pub destination_image: ImageId,
    /// The region it is made in.
    pub destination_region: RegionId,
    /// The size copied, in GiB.
    pub size_gib: u64,
    /// The state.
    pub state: TaskState,
    /// Percent done while running.
    pub progress: u8,
    /// When it was accepted.
    pub queued_at: DateTime<Utc>,
    /// When it started running.
    pub started_at: Option<DateTime<Utc>>,
    /// When it reached a final state.
    pub ended_at: Option<DateTime<Utc>>,
    /// The host's reason, for a failed copy.
    pub failure_reason: Option<String>,
}

impl CopyTask {
    /// The region whose queue this task waits in under `scope`.
    pub fn queue_region(&self, scope: QueueScope) -> &RegionId {
        match scope {
            QueueScope::Source => &self.source_region,
            QueueScope::Destination => &self.destination_region,
        }
    }
}

/// The queues: for each region, the running task and the queued ones in FIFO order.
/// Derived from the tasks (the queued tasks of a region in acceptance order), so it is not
/// serialised. A region's lane stays once made (emptied, it is skipped by [`Self::lanes`]
/// and by equality), so a region's next copy does not allocate it again.
#[derive(Debug, Clone, Default)]
pub struct CopyQueues {
    lanes: BTreeMap<RegionId, Lane>,
}

/// One region's lane.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Lane {
    running: Option<TaskId>,
    waiting: VecDeque<TaskId>,
}

impl CopyQueues {
    /// The running task of `region`.
    pub fn running(&self, region: &str) -> Option<TaskId> {
        self.lanes.get(region).and_then(|l| l.running)
    }

    /// The queued tasks of `region`, first to start first.
    pub fn waiting(&self, region: &str) -> impl Iterator<Item = TaskId> + '_ {
        self.lanes
            .get(region)
            .into_iter()
            .flat_map(|l| l.waiting.iter().copied())
    }

    /// Every region with a running or queued task, with its running task and queue.
    pub fn lanes(&self) -> impl Iterator<Item = (&RegionId, Option<TaskId>, &VecDeque<TaskId>)> {
        self.lanes
            .iter()
            .filter(|(_, l)| !l.is_empty())
            .map(|(r, l)| (r, l.running, &l.waiting))
    }

    /// Appends a queued task.
    pub(crate) fn enqueue(&mut self, region: &RegionId, task: TaskId) {
        self.lane(region).waiting.push_back(task);
    }

    /// Moves the head of `region`'s queue to running; `task` must be that head.
    pub(crate) fn start(&mut self, region: &RegionId, task: TaskId) {
        let lane = self.lane(region);
        if lane.waiting.front() == Some(&task) {
            lane.waiting.pop_front();
        } else {
            lane.waiting.retain(|t| *t != task);
        }
        lane.running = Some(task);
    }

    /// Removes `task` from `region`, running or queued.
    pub(crate) fn remove(&mut self, region: &RegionId, task: TaskId) {
        if let Some(lane) = self.lanes.get_mut(region.as_str()) {
            if lane.running == Some(task) {
                lane.running = None;
            } else {
                lane.waiting.retain(|t| *t != task);
            }
        }
    }

    /// The task that may start now in `region`: the queue's head when nothing runs.
    pub fn next_to_start(&self, region: &str) -> Option<TaskId> {
        let lane = self.lanes.get(region)?;
        match lane.running {
            Some(_) => None,
            None => lane.waiting.front().copied(),
        }
    }

    fn lane(&mut self, region: &RegionId) -> &mut Lane {
        if !self.lanes.contains_key(region.as_str()) {
            self.lanes.insert(region.clone(), Lane::default());
        }
        self.lanes.get_mut(region.as_str()).expect("inserted above")
    }
}

impl PartialEq for CopyQueues {
    /// Equal running tasks and queues in every region; empty lanes don't count.
    fn eq(&self, other: &Self) -> bool {
        self.lanes().eq(other.lanes())
    }
}

impl Eq for CopyQueues {}

impl Lane {
    fn is_empty(&self) -> bool {
        self.running.is_none() && self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_fifo() {
        let r = RegionId::new("cn-hangzhou").unwrap();
        let mut q = CopyQueues::default();
        q.enqueue(&r, TaskId(1));
        q.enqueue(&r, TaskId(2));
        q.enqueue(&r, TaskId(3));
        assert_eq!(q.next_to_start("cn-hangzhou"), Some(TaskId(1)));
        q.start(&r, TaskId(1));
        assert_eq!(q.next_to_start("cn-hangzhou"), None);
        q.remove(&r, TaskId(1));
        assert_eq!(q.next_to_start("cn-hangzhou"), Some(TaskId(2)));
        q.remove(&r, TaskId(2));
        assert_eq!(
            q.waiting("cn-hangzhou").collect::<Vec<_>>(),
            vec![TaskId(3)]
        );
    }
}
