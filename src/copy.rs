//! Copy tasks: their states and transitions, and the per-region queues.
//!
//! # Task states
//! A copy task moves through the states every task shares ([`crate::task`]):
//! `Queued → Running → Succeeded | Failed | Cancelled`, cancellable while queued or
//! running; every other move is refused with a [`TransitionError`]. Its destination image
//! follows it (see [`crate::image`]).
//!
//! # Queues
//! [Seed 004](crate::sources#seed-004): "同一个地域下同时只能有一个镜像拷贝任务运行,其余任务需要排队等待上一个任务完成后再依次排队执行"
//! (one copy task runs per region at a time; the others queue and run in turn). The seed does
//! not say whether that region is the source or the destination: [`QueueScope`] makes it a
//! policy value, [`QueueScope::Source`] by default. Within a region tasks start in the order
//! they were accepted (FIFO), the moment the one before them ends: succeeds, fails or is
//! cancelled.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AccountId, ImageId};
use crate::region::RegionId;

/// Which region's queue a copy waits in.
///
/// ```
/// use machine_image::{Profile, QueueScope};
///
/// assert_eq!(QueueScope::default(), QueueScope::Source);
/// assert_eq!("destination".parse::<QueueScope>()?, QueueScope::Destination);
/// // A service that queues copies by destination region instead:
/// let mut profile = Profile::alibaba();
/// profile.queue_scope = QueueScope::Destination;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
/// use machine_image::engine::CopyImage;
/// use machine_image::TaskId;
/// let to = [RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?];
/// let copies = service.call(t0, CopyImage::new(owner, hz, src, to))?;
/// assert_eq!((copies[0].task, copies[1].task), (TaskId(1), TaskId(2)));
/// assert_eq!(copies[1].task.to_string(), "task-2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task-{}", self.0)
    }
}

use crate::task::Lifecycle;
pub use crate::task::TaskState;

/// A move the task diagram does not have, for a copy task.
pub type TransitionError = crate::task::TransitionError<TaskId>;

/// One copy of one image to one region.
///
/// Read from the engine's state ([`State::task`](crate::engine::State::task)).
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
/// use machine_image::engine::{CopyImage, HostReport};
/// use machine_image::{QueueScope, TaskState};
/// let sh = RegionId::new("cn-shanghai")?;
/// let copies = service.call(t0, CopyImage::new(owner, hz.clone(), src, [sh.clone()]))?;
/// let done = t0 + Duration::minutes(12);
/// service.report(done, HostReport::CopyFailed { task: copies[0].task, reason: "disk error".into() })?;
///
/// let task = service.state().task(copies[0].task).expect("kept for the retention horizon");
/// assert_eq!((task.state(), task.size_gib, task.ended_at()), (TaskState::Failed, 40, Some(done)));
/// assert_eq!(task.failure_reason(), Some("disk error"));
/// assert_eq!(task.queue_region(QueueScope::Source), &hz);
/// assert_eq!(task.queue_region(QueueScope::Destination), &sh);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// Its state, times, progress and failure reason (serialised flat, among the fields
    /// above).
    #[serde(flatten)]
    pub(crate) lifecycle: Lifecycle,
}

impl CopyTask {
    /// Where the task is in its life: its state with that state's times, progress and
    /// reason.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The state.
    pub fn state(&self) -> TaskState {
        self.lifecycle.state()
    }

    /// Percent done: 0 while queued, 100 once succeeded.
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

    /// When it reached a final state.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.lifecycle.ended_at()
    }

    /// The host's reason, for a failed copy.
    pub fn failure_reason(&self) -> Option<&str> {
        self.lifecycle.failure_reason()
    }

    /// The region whose queue this task waits in under `scope`.
    pub fn queue_region(&self, scope: QueueScope) -> &RegionId {
        match scope {
            QueueScope::Source => &self.source_region,
            QueueScope::Destination => &self.destination_region,
        }
    }
}

/// Every copy task, by id, in acceptance order.
///
/// The engine numbers tasks 1, 2, 3, … as it accepts them, so the table is a `Vec` sorted
/// by id, and a task is found at `id - first id` without a search while no task is
/// missing in between (always, for a table the engine filled). A table read back from
/// elsewhere may have gaps; then the lookup falls back to a binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TaskTable {
    /// A deque: retention drops the oldest tasks, which sit at the front.
    tasks: VecDeque<CopyTask>,
}

impl TaskTable {
    /// The index of `id`, or where it would go.
    fn position(&self, id: TaskId) -> Result<usize, usize> {
        let (Some(first), Some(last)) = (self.tasks.front(), self.tasks.back()) else {
            return Err(0);
        };
        // The common cases without a search: a new task (past the end, asked before each
        // insert) and a task of a table without gaps (at `id - first`).
        if id > last.id {
            return Err(self.tasks.len());
        }
        if id < first.id {
            return Err(0);
        }
        let guess = usize::try_from(id.0 - first.id.0).unwrap_or(usize::MAX);
        match self.tasks.get(guess) {
            Some(t) if t.id == id => Ok(guess),
            _ => self.tasks.binary_search_by_key(&id, |t| t.id),
        }
    }

    /// The task `id`.
    pub(crate) fn get(&self, id: &TaskId) -> Option<&CopyTask> {
        self.position(*id).ok().map(|i| &self.tasks[i])
    }

    /// The task `id`, to change.
    pub(crate) fn get_mut(&mut self, id: &TaskId) -> Option<&mut CopyTask> {
        self.position(*id).ok().map(|i| &mut self.tasks[i])
    }

    /// Whether the table has task `id`.
    pub(crate) fn contains_key(&self, id: &TaskId) -> bool {
        self.position(*id).is_ok()
    }

    /// Adds `task` under `id` (its own id), or replaces the task with that id and returns it.
    pub(crate) fn insert(&mut self, id: TaskId, task: CopyTask) -> Option<CopyTask> {
        debug_assert_eq!(id, task.id);
        // A new task's position is the end, so this `insert` is a push.
        match self.position(id) {
            Ok(i) => Some(std::mem::replace(&mut self.tasks[i], task)),
            Err(i) if i == self.tasks.len() => {
                self.tasks.push_back(task);
                None
            }
            Err(i) => {
                self.tasks.insert(i, task);
                None
            }
        }
    }

    /// Removes task `id` (retention: the oldest tasks, near the front, are dropped first,
    /// so this rarely moves many).
    pub(crate) fn remove(&mut self, id: TaskId) -> Option<CopyTask> {
        let i = self.position(id).ok()?;
        self.tasks.remove(i)
    }

    /// Every task, in id order.
    pub(crate) fn values(&self) -> std::collections::vec_deque::Iter<'_, CopyTask> {
        self.tasks.iter()
    }
}

/// The queues: for each region, the running task and the queued ones in FIFO order.
/// Derived from the tasks (the queued tasks of a region in acceptance order), so it is not
/// serialised. A region's lane stays once made (emptied, it is skipped by [`Self::lanes`]
/// and by equality), so a region's next copy does not allocate it again. The lanes are
/// few (one per region at most), so they are a `Vec` sorted by region, searched by
/// comparing ids in place.
///
/// Read through [`State::queues`](crate::engine::State::queues):
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
/// use machine_image::engine::CopyImage;
/// use machine_image::TaskId;
/// // Three destinations: under the default queue scope all wait in the source's queue.
/// let to = [RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?, RegionId::new("cn-shenzhen")?];
/// service.call(t0, CopyImage::new(owner, hz, src, to))?;
/// let queues = service.state().queues();
/// assert_eq!(queues.running("cn-hangzhou"), Some(TaskId(1)));
/// assert_eq!(queues.waiting("cn-hangzhou").collect::<Vec<_>>(), [TaskId(2), TaskId(3)]);
/// assert_eq!(queues.lanes().count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CopyQueues {
    lanes: Vec<(RegionId, Lane)>,
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
        self.get(&RegionId::lookup_key(region))
            .and_then(|l| l.running)
    }

    /// The queued tasks of `region`, first to start first.
    pub fn waiting(&self, region: &str) -> impl Iterator<Item = TaskId> + '_ {
        self.get(&RegionId::lookup_key(region))
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
        if let Some(lane) = self.get_mut(region) {
            if lane.running == Some(task) {
                lane.running = None;
            } else {
                lane.waiting.retain(|t| *t != task);
            }
        }
    }

    /// The task that may start now in `region`: the queue's head when nothing runs.
    pub fn next_to_start(&self, region: &str) -> Option<TaskId> {
        self.next_to_start_in(&RegionId::lookup_key(region))
    }

    /// [`CopyQueues::next_to_start`] for a region id already parsed.
    pub fn next_to_start_in(&self, region: &RegionId) -> Option<TaskId> {
        let lane = self.get(region)?;
        match lane.running {
            Some(_) => None,
            None => lane.waiting.front().copied(),
        }
    }

    /// Where `region`'s lane is.
    fn position(&self, region: &RegionId) -> Option<usize> {
        self.lanes.iter().position(|(r, _)| r == region)
    }

    fn get(&self, region: &RegionId) -> Option<&Lane> {
        self.position(region).map(|i| &self.lanes[i].1)
    }

    fn get_mut(&mut self, region: &RegionId) -> Option<&mut Lane> {
        self.position(region).map(|i| &mut self.lanes[i].1)
    }

    /// `region`'s lane, made (in region order) if new.
    fn lane(&mut self, region: &RegionId) -> &mut Lane {
        let i = match self.position(region) {
            Some(i) => i,
            None => {
                let i = self.lanes.partition_point(|(r, _)| r < region);
                self.lanes.insert(i, (region.clone(), Lane::default()));
                i
            }
        };
        &mut self.lanes[i].1
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

    #[test]
    fn lanes_are_listed_in_region_order() {
        let mut q = CopyQueues::default();
        for (i, r) in ["cn-shanghai", "cn-beijing", "cn-hangzhou"]
            .iter()
            .enumerate()
        {
            q.enqueue(&RegionId::new(r).unwrap(), TaskId(i as u64 + 1));
        }
        let regions: Vec<&str> = q.lanes().map(|(r, _, _)| r.as_str()).collect();
        assert_eq!(regions, ["cn-beijing", "cn-hangzhou", "cn-shanghai"]);
        assert_eq!(q.running("cn-beijing"), None);
        assert_eq!(q.next_to_start("cn-beijing"), Some(TaskId(2)));
        assert_eq!(q.next_to_start("nowhere"), None);
    }

    fn task(id: u64) -> CopyTask {
        let r = RegionId::new("cn-hangzhou").unwrap();
        let image = ImageId::new("m-source").unwrap();
        CopyTask {
            id: TaskId(id),
            owner: AccountId::new("1").unwrap(),
            source_image: image.clone(),
            source_region: r.clone(),
            destination_image: image,
            destination_region: r,
            size_gib: 1,
            lifecycle: Lifecycle::queued(DateTime::<Utc>::MIN_UTC),
        }
    }

    #[test]
    fn task_table_finds_tasks_with_and_without_gaps() {
        let mut t = TaskTable::default();
        // Out of order and with gaps, as a hand-edited state might be.
        for id in [5, 2, 9, 3] {
            assert_eq!(t.insert(TaskId(id), task(id)), None);
        }
        let ids: Vec<u64> = t.values().map(|t| t.id.0).collect();
        assert_eq!(ids, [2, 3, 5, 9]);
        for id in [2, 3, 5, 9] {
            assert_eq!(t.get(&TaskId(id)).map(|t| t.id), Some(TaskId(id)));
        }
        for id in [0, 1, 4, 6, 10, u64::MAX] {
            assert!(!t.contains_key(&TaskId(id)));
        }
        assert!(t.insert(TaskId(5), task(5)).is_some());
        let nine = t.get_mut(&TaskId(9)).unwrap();
        nine.lifecycle
            .start(TaskId(9), DateTime::<Utc>::MIN_UTC)
            .unwrap();
        nine.lifecycle.report_progress(TaskId(9), 50).unwrap();
        assert_eq!(t.get(&TaskId(9)).unwrap().progress(), 50);
    }
}
