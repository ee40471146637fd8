//! The engine's state: the facts (accounts, snapshots, images, keys, shares, tasks,
//! recorded responses) and the indexes derived from them, changed only by [`State::apply`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::copy::{CopyQueues, CopyTask, QueueScope, TaskId, TaskState, TaskTable};
use crate::export::{Bucket, BucketName, ExportTask, ExportTaskId};
use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId, SnapshotId};
use crate::image::{Image, ImageKind, ImageStatus};
use crate::kms::KmsKey;
use crate::name::ImageName;
use crate::region::RegionId;
use crate::snapshot::Snapshot;

use super::Outcome;
use super::command::Command;
use super::event::{CopyAcceptance, Event, EventRecord};
use super::retention::{Expiring, RetentionQueue};

/// The state's big maps (images, snapshots): IndexMap keeps the entries densely in a `Vec`
/// (a hash map's empty buckets would each be as large as an image) and hashes each key to
/// its position. Removal is `swap_remove` (the last entry takes the removed one's place), so
/// iteration order is insertion order changed only by those moves: as deterministic as the
/// commands.
type Table<K, V> = IndexMap<K, V, FxBuildHasher>;

/// Makes room for one more entry of `table`, doubling it when full as a `Vec` does. Left to
/// itself, IndexMap grows its entries to its index's capacity (7/8 of a power of two), which
/// held up to 80% spare entries at the bench's 1,000 and 1,000,000 images.
fn reserve_one<K, V>(table: &mut Table<K, V>) {
    if table.len() == table.capacity() {
        table.reserve_exact(table.len().max(4));
    }
}

/// What an account uses in one region, counted against its quotas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Custom images (in-flight and failed copies included).
    pub images: u32,
    /// Snapshots (those reserved by in-flight copies included).
    pub snapshots: u32,
}

/// One account's footprint in one region: what it uses and its custom images by name.
/// Nested under the account and the region (`scopes[owner][region]`), so a lookup borrows
/// both instead of building an owned `(owner, region, name)` key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) usage: Usage,
    pub(crate) names: FxHashMap<ImageName, ImageId>,
}

/// Returns the stored copy of `value` (adding it first if new), so equal ids share one
/// allocation across the state. Short ids are stored inline and have nothing to share.
fn intern<T: Clone + Eq + std::hash::Hash + Interned>(set: &mut FxHashSet<T>, value: &T) -> T {
    if !value.is_inline() && !set.contains(value) {
        set.insert(value.clone());
    }
    stored_copy(set, value)
}

/// The copy of `value` stored in `set`, or a clone of `value` when it is inline (nothing
/// to share) or not stored.
fn stored_copy<T: Clone + Eq + std::hash::Hash + Interned>(set: &FxHashSet<T>, value: &T) -> T {
    if value.is_inline() {
        return value.clone();
    }
    set.get(value).unwrap_or(value).clone()
}

/// Ids the state interns: those too long to be stored inline.
pub(crate) trait Interned {
    /// Whether the id is stored inline (a clone copies it, sharing nothing).
    fn is_inline(&self) -> bool;
}

impl Interned for RegionId {
    fn is_inline(&self) -> bool {
        !self.text().is_heap_allocated()
    }
}

impl Interned for AccountId {
    fn is_inline(&self) -> bool {
        !self.text().is_heap_allocated()
    }
}

/// A recorded answer to a call with a client token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The caller.
    pub caller: AccountId,
    /// The token.
    pub token: ClientToken,
    /// The call.
    pub request: Command,
    /// The answer.
    pub outcome: Outcome,
    /// When the call was answered (retention counts from here).
    pub recorded_at: DateTime<Utc>,
}

/// An event that does not fit the state it is applied to (a corrupt or reordered log).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The event names a task the state does not have.
    #[error("event names unknown copy {0}")]
    UnknownTask(TaskId),
    /// The event names an export task the state does not have.
    #[error("event names unknown {0}")]
    UnknownExport(ExportTaskId),
    /// The event moves an export task along a transition its diagram lacks.
    #[error(transparent)]
    ExportTransition(#[from] crate::export::ExportTransitionError),
    /// The event names an image the state does not have.
    #[error("event names unknown image {0}")]
    UnknownImage(ImageId),
    /// The event adds an id the state already has.
    #[error("event adds {0}, which already exists")]
    Duplicate(String),
    /// The event moves a task along a transition its diagram lacks.
    #[error(transparent)]
    Transition(#[from] crate::copy::TransitionError),
    /// The event deletes an image a live copy or export reads or writes.
    #[error("event deletes image {0}, which a live task uses")]
    ImageInUse(ImageId),
    /// The event starts a copy that is not the next to start in its queue.
    #[error("event starts copy {0}, which is not next in its queue")]
    NotNextInQueue(TaskId),
    /// The event's id counter is out of range (see the invariants).
    #[error("event sets an id counter to {0}, out of range")]
    CounterOutOfRange(u64),
    /// The event drops a task that is still queued or running.
    #[error("event forgets {0}, which is not over")]
    NotOver(String),
    /// The event drops a recorded answer the state does not have.
    #[error("event forgets the answer to client token {0}, which is not recorded")]
    UnknownResponse(ClientToken),
    /// The event is dated before the state's clock.
    #[error("event dated {at} is before the state's clock {now}")]
    TimeWentBackwards {
        /// The event's time.
        at: DateTime<Utc>,
        /// The state's clock.
        now: DateTime<Utc>,
    },
}

/// The whole state of an [`crate::engine::ImageService`].
#[derive(Debug, Clone, Default)]
pub struct State {
    pub(crate) now: Option<DateTime<Utc>>,
    pub(crate) accounts: FxHashMap<AccountId, Account>,
    pub(crate) snapshots: Table<SnapshotId, Snapshot>,
    pub(crate) images: Table<ImageId, Image>,
    pub(crate) keys: FxHashMap<KmsKeyId, KmsKey>,
    pub(crate) shares: FxHashMap<ImageId, BTreeSet<AccountId>>,
    pub(crate) tasks: TaskTable,
    pub(crate) responses: FxHashMap<(AccountId, ClientToken), RecordedResponse>,
    pub(crate) next_image: u64,
    pub(crate) next_snapshot: u64,
    pub(crate) next_task: u64,
    pub(crate) buckets: BTreeMap<BucketName, Bucket>,
    pub(crate) exports: BTreeMap<ExportTaskId, ExportTask>,
    pub(crate) next_export: u64,
    // ---- indexes, derived from the facts above ----
    /// Usage and names per owner and region. A scope stays once made (at most one per
    /// owner and region): emptied, it reads as zero usage and no names.
    pub(crate) scopes: FxHashMap<AccountId, FxHashMap<RegionId, Scope>>,
    /// The regions and owners the state has seen, so images, snapshots and tasks share one
    /// copy of each id (interned on insert).
    pub(crate) interned_regions: FxHashSet<RegionId>,
    pub(crate) interned_owners: FxHashSet<AccountId>,
    pub(crate) live_task_of_destination: FxHashMap<ImageId, TaskId>,
    pub(crate) live_copies_from: FxHashMap<ImageId, u32>,
    pub(crate) live_export_of: FxHashMap<ImageId, ExportTaskId>,
    /// Snapshot ids that images name but the state lacks, with how many images name each
    /// (fixtures may name a snapshot registered later): generated ids avoid them, so a
    /// copy's new snapshot never becomes another image's by accident.
    pub(crate) missing_snapshot_names: FxHashMap<SnapshotId, u32>,
    pub(crate) queues: CopyQueues,
    pub(crate) queue_scope: QueueScope,
    /// What is over (finished tasks, recorded answers), oldest first, for retention.
    pub(crate) retiring: RetentionQueue,
}

impl PartialEq for State {
    /// Two states are equal when their facts are; indexes follow from facts.
    fn eq(&self, other: &Self) -> bool {
        StateData::from(self) == StateData::from(other)
    }
}

impl Eq for State {}

impl State {
    /// An empty state whose copies queue by `scope`.
    pub fn new(queue_scope: QueueScope) -> Self {
        State {
            queue_scope,
            ..State::default()
        }
    }

    /// The state's clock: the time of the last command that changed the state.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.now
    }

    /// An account.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// A snapshot.
    pub fn snapshot(&self, id: &SnapshotId) -> Option<&Snapshot> {
        self.snapshots.get(id)
    }

    /// An image, whoever owns it.
    pub fn image(&self, id: &ImageId) -> Option<&Image> {
        self.images.get(id)
    }

    /// A KMS key.
    pub fn kms_key(&self, id: &KmsKeyId) -> Option<&KmsKey> {
        self.keys.get(id)
    }

    /// A copy task.
    pub fn task(&self, id: TaskId) -> Option<&CopyTask> {
        self.tasks.get(&id)
    }

    /// Every copy task, in acceptance order.
    pub fn tasks(&self) -> impl Iterator<Item = &CopyTask> {
        self.tasks.values()
    }

    /// Every image, in no particular order.
    pub fn images(&self) -> impl Iterator<Item = &Image> {
        self.images.values()
    }

    /// How many images the state holds.
    pub fn image_count(&self) -> usize {
        self.images.len()
    }

    /// Whether `image` is shared with `account`.
    pub fn is_shared_with(&self, image: &ImageId, account: &AccountId) -> bool {
        self.shares.get(image).is_some_and(|s| s.contains(account))
    }

    /// The accounts `image` is shared with.
    pub fn shared_with(&self, image: &ImageId) -> impl Iterator<Item = &AccountId> {
        self.shares.get(image).into_iter().flatten()
    }

    /// What `account` uses in `region`.
    pub fn usage(&self, account: &AccountId, region: &RegionId) -> Usage {
        self.scope(account, region)
            .map(|s| s.usage)
            .unwrap_or_default()
    }

    /// Every (account, region) with its usage, sorted by account, then region (zero usages
    /// may appear).
    pub(crate) fn usages(&self) -> impl Iterator<Item = (&AccountId, &RegionId, Usage)> {
        let mut all: Vec<(&AccountId, &RegionId, Usage)> = self
            .scopes
            .iter()
            .flat_map(|(a, m)| m.iter().map(move |(r, s)| (a, r, s.usage)))
            .collect();
        // Sorted, so the first over-quota scope a check reports is the same however the
        // state was built (hash-map order depends on history).
        all.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
        all.into_iter()
    }

    /// `owner`'s usage and names in `region`, if it has had any there.
    pub(crate) fn scope(&self, owner: &AccountId, region: &RegionId) -> Option<&Scope> {
        self.scopes.get(owner)?.get(region)
    }

    fn scope_mut(&mut self, owner: &AccountId, region: &RegionId) -> &mut Scope {
        self.scopes
            .entry(owner.clone())
            .or_default()
            .entry(region.clone())
            .or_default()
    }

    /// The state's stored copy of `region` (shared by its images, snapshots and tasks), or
    /// a clone of `region` when the state has not seen it.
    pub(crate) fn interned_region(&self, region: &RegionId) -> RegionId {
        stored_copy(&self.interned_regions, region)
    }

    /// The state's stored copy of `owner`, or a clone of `owner` when the state has not
    /// seen it.
    pub(crate) fn interned_owner(&self, owner: &AccountId) -> AccountId {
        stored_copy(&self.interned_owners, owner)
    }

    /// The live copy task whose destination is `image`.
    pub fn live_task_of(&self, image: &ImageId) -> Option<TaskId> {
        self.live_task_of_destination.get(image).copied()
    }

    /// Whether an image names `id` although the state has no such snapshot.
    pub(crate) fn names_missing_snapshot(&self, id: &SnapshotId) -> bool {
        !self.missing_snapshot_names.is_empty() && self.missing_snapshot_names.contains_key(id)
    }

    /// The queued and running copy tasks: a walk of the queues, which hold only live tasks,
    /// so it costs nothing for the finished ones however many there are.
    pub(crate) fn live_tasks(&self) -> impl Iterator<Item = &CopyTask> {
        self.queues
            .lanes()
            .flat_map(|(_, running, waiting)| running.into_iter().chain(waiting.iter().copied()))
            .filter_map(|task| self.tasks.get(&task))
    }

    /// Whether `id` is a snapshot of a queued or running copy's destination.
    pub(crate) fn is_snapshot_of_live_copy(&self, id: &SnapshotId) -> bool {
        self.live_tasks()
            .filter_map(|t| self.images.get(&t.destination_image))
            .any(|image| image.snapshots.contains(id))
    }

    /// How many queued or running copies read from `image`.
    pub fn live_copies_from(&self, image: &ImageId) -> u32 {
        self.live_copies_from.get(image).copied().unwrap_or(0)
    }

    /// A bucket.
    pub fn bucket(&self, name: &BucketName) -> Option<&Bucket> {
        self.buckets.get(name)
    }

    /// Every bucket, by name.
    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.values()
    }

    /// An export task.
    pub fn export(&self, id: ExportTaskId) -> Option<&ExportTask> {
        self.exports.get(&id)
    }

    /// Every export task, in acceptance order.
    pub fn exports(&self) -> impl Iterator<Item = &ExportTask> {
        self.exports.values()
    }

    /// The queued or running exports, oldest first (by task id): the order is part of what
    /// a simulator does with them, so it must not depend on the index's history.
    pub fn live_exports(&self) -> impl Iterator<Item = &ExportTask> {
        let mut ids: Vec<ExportTaskId> = self.live_export_of.values().copied().collect();
        ids.sort_unstable();
        ids.into_iter().filter_map(|id| self.exports.get(&id))
    }

    /// The queued or running export of `image`.
    pub fn live_export_of(&self, image: &ImageId) -> Option<ExportTaskId> {
        self.live_export_of.get(image).copied()
    }

    /// The queues.
    pub fn queues(&self) -> &CopyQueues {
        &self.queues
    }

    /// The queue scope.
    pub fn queue_scope(&self) -> QueueScope {
        self.queue_scope
    }

    /// The image named `name` that `owner` has in `region`.
    pub fn image_named(
        &self,
        owner: &AccountId,
        region: &RegionId,
        name: &ImageName,
    ) -> Option<&ImageId> {
        self.scope(owner, region)?.names.get(name)
    }

    /// The recorded answer to `caller`'s call with `token`.
    pub fn response(&self, caller: &AccountId, token: &ClientToken) -> Option<&RecordedResponse> {
        self.responses.get(&(caller.clone(), token.clone()))
    }

    // ------------------------------------------------------------------ apply

    /// Applies one event. An event that does not fit is refused whole: the state is
    /// unchanged. Events the engine emits always fit.
    pub fn apply(&mut self, record: &EventRecord) -> Result<(), ApplyError> {
        self.check_applies(record)?;
        self.apply_checked(record);
        Ok(())
    }

    /// [`State::apply`], taking the record: an accepted copy's task, image and snapshots
    /// move into the state instead of being cloned (for a host that keeps no event log).
    pub(crate) fn apply_owned(&mut self, record: EventRecord) -> Result<(), ApplyError> {
        self.check_applies(&record)?;
        match record.event {
            Event::CopyAccepted(copy) => {
                self.now = Some(record.at);
                let CopyAcceptance {
                    task,
                    image,
                    snapshots,
                    next_image,
                    next_snapshot,
                } = *copy;
                self.add_copy(task, image, snapshots, next_image, next_snapshot);
            }
            _ => self.apply_checked(&record),
        }
        Ok(())
    }

    /// Refuses a record dated before the clock or not fitting the state.
    fn check_applies(&self, record: &EventRecord) -> Result<(), ApplyError> {
        if let Some(now) = self.now {
            if record.at < now {
                return Err(ApplyError::TimeWentBackwards { at: record.at, now });
            }
        }
        self.check_fits(&record.event)
    }

    /// Applies a record that [`State::check_applies`] accepted.
    fn apply_checked(&mut self, record: &EventRecord) {
        if let Event::LogOpened { .. } = record.event {
            // The log's head names the profile; the state has nothing to change.
            return;
        }
        self.now = Some(record.at);
        match &record.event {
            Event::LogOpened { .. } => {}
            Event::Forgotten {
                copies,
                exports,
                responses,
            } => self.forget(copies, exports, responses),
            Event::AccountRegistered(a) => {
                self.accounts.insert(a.id.clone(), a.clone());
            }
            Event::SnapshotRegistered(s) => self.insert_snapshot((**s).clone()),
            Event::ImageRegistered(i) => self.insert_image((**i).clone()),
            Event::ImageCreated { image, next_image } => {
                self.next_image = self.next_image.max(*next_image);
                self.insert_image((**image).clone());
            }
            Event::KmsKeyRegistered(k) => {
                self.keys.insert(k.id.clone(), k.clone());
            }
            Event::CopyAccepted(copy) => self.add_copy(
                copy.task.clone(),
                copy.image.clone(),
                copy.snapshots.iter().cloned(),
                copy.next_image,
                copy.next_snapshot,
            ),
            Event::CopyStarted { task } => {
                let t = self.tasks.get_mut(task).expect("checked");
                t.state = TaskState::Running;
                t.started_at = Some(record.at);
                let lane = t.queue_region(self.queue_scope).clone();
                let dest = t.destination_image.clone();
                self.queues.start(&lane, *task);
                let img = self.images.get_mut(&dest).expect("checked");
                img.status = ImageStatus::Creating;
                img.progress = 0;
            }
            Event::CopyProgressed { task, percent } => {
                let t = self.tasks.get_mut(task).expect("checked");
                t.progress = *percent;
                let dest = t.destination_image.clone();
                self.images.get_mut(&dest).expect("checked").progress = *percent;
            }
            Event::CopySucceeded { task } => {
                let dest = self.end_task(*task, TaskState::Succeeded, record.at, None);
                let img = self.images.get_mut(&dest).expect("checked");
                img.status = ImageStatus::Available;
                img.progress = 100;
            }
            Event::CopyFailed { task, reason } => {
                let dest = self.end_task(*task, TaskState::Failed, record.at, Some(reason.clone()));
                let snapshots = {
                    let img = self.images.get_mut(&dest).expect("checked");
                    img.status = ImageStatus::CreateFailed;
                    std::mem::take(&mut img.snapshots)
                };
                for s in snapshots {
                    self.remove_snapshot(&s);
                }
            }
            Event::CopyCancelled { task } => {
                let dest = self.end_task(*task, TaskState::Cancelled, record.at, None);
                if let Some(img) = self.remove_image(&dest) {
                    for s in &img.snapshots {
                        self.remove_snapshot(s);
                    }
                }
            }
            Event::ImageDeleted { image } => {
                self.remove_image(image);
            }
            Event::ImageShared { image, account } => {
                self.shares
                    .entry(image.clone())
                    .or_default()
                    .insert(account.clone());
            }
            Event::ImageUnshared { image, account } => {
                if let Some(set) = self.shares.get_mut(image) {
                    set.remove(account);
                    if set.is_empty() {
                        self.shares.remove(image);
                    }
                }
            }
            Event::BucketRegistered(b) => {
                self.buckets.insert(b.name.clone(), b.clone());
            }
            Event::ExportAccepted { task } => {
                self.next_export = self.next_export.max(task.id.0);
                self.live_export_of.insert(task.image.clone(), task.id);
                self.exports.insert(task.id, (**task).clone());
            }
            Event::ExportStarted { task } => {
                let t = self.exports.get_mut(task).expect("checked");
                t.start(record.at).expect("checked");
            }
            Event::ExportProgressed { task, percent } => {
                let t = self.exports.get_mut(task).expect("checked");
                t.progress(*percent).expect("checked");
            }
            Event::ExportSucceeded { task } => {
                let t = self.exports.get_mut(task).expect("checked");
                t.finish(record.at).expect("checked");
                let image = t.image.clone();
                self.live_export_of.remove(&image);
                self.retiring.push(record.at, Expiring::Export(*task));
            }
            Event::ExportFailed { task, reason } => {
                let t = self.exports.get_mut(task).expect("checked");
                t.fail(record.at, reason.clone()).expect("checked");
                let image = t.image.clone();
                self.live_export_of.remove(&image);
                self.retiring.push(record.at, Expiring::Export(*task));
            }
            Event::ExportCancelled { task } => {
                let t = self.exports.get_mut(task).expect("checked");
                t.cancel(record.at).expect("checked");
                let image = t.image.clone();
                self.live_export_of.remove(&image);
                self.retiring.push(record.at, Expiring::Export(*task));
            }
            Event::ResponseRecorded {
                caller,
                token,
                request,
                outcome,
            } => {
                self.responses.insert(
                    (caller.clone(), token.clone()),
                    RecordedResponse {
                        caller: caller.clone(),
                        token: token.clone(),
                        request: (**request).clone(),
                        outcome: outcome.clone(),
                        recorded_at: record.at,
                    },
                );
                self.retiring
                    .push(record.at, Expiring::Response(caller.clone(), token.clone()));
            }
        }
    }

    /// Adds an accepted copy: its snapshots, its `Waiting` image and its queued task.
    fn add_copy(
        &mut self,
        task: CopyTask,
        image: Image,
        snapshots: impl IntoIterator<Item = Snapshot>,
        next_image: u64,
        next_snapshot: u64,
    ) {
        self.next_image = self.next_image.max(next_image);
        self.next_snapshot = self.next_snapshot.max(next_snapshot);
        // The engine built these from the state's stored ids already
        // (`interned_region`/`interned_owner`): no second interning on this path. The
        // snapshots are the image's own (same owner and region), so they are counted in
        // the image's scope, found once.
        let mut in_image_scope = 0;
        for s in snapshots {
            if s.owner == image.owner && s.region == image.region {
                in_image_scope += 1;
                self.snapshots.insert(s.id.clone(), s);
            } else {
                self.add_snapshot(s);
            }
        }
        self.add_image_with(image, in_image_scope);
        self.next_task = self.next_task.max(task.id.0);
        self.live_task_of_destination
            .insert(task.destination_image.clone(), task.id);
        *self
            .live_copies_from
            .entry(task.source_image.clone())
            .or_insert(0) += 1;
        self.queues
            .enqueue(task.queue_region(self.queue_scope), task.id);
        self.tasks.insert(task.id, task);
    }

    /// Checks that `event` can be applied, so `apply` never changes half a state.
    fn check_fits(&self, event: &Event) -> Result<(), ApplyError> {
        let task = |id: &TaskId| self.tasks.get(id).ok_or(ApplyError::UnknownTask(*id));
        let export = |id: &ExportTaskId| {
            self.exports
                .get(id)
                .map(|t| (t.id, t.state))
                .ok_or(ApplyError::UnknownExport(*id))
        };
        match event {
            Event::Forgotten {
                copies,
                exports,
                responses,
            } => {
                for id in copies {
                    if task(id)?.state.is_live() {
                        return Err(ApplyError::NotOver(id.to_string()));
                    }
                }
                for id in exports {
                    if export(id)?.1.is_live() {
                        return Err(ApplyError::NotOver(id.to_string()));
                    }
                }
                for (caller, token) in responses {
                    if self.response(caller, token).is_none() {
                        return Err(ApplyError::UnknownResponse(token.clone()));
                    }
                }
                Ok(())
            }
            Event::SnapshotRegistered(s) if self.snapshots.contains_key(&s.id) => {
                Err(ApplyError::Duplicate(s.id.to_string()))
            }
            Event::ImageRegistered(i) | Event::ImageCreated { image: i, .. }
                if self.images.contains_key(&i.id) =>
            {
                Err(ApplyError::Duplicate(i.id.to_string()))
            }
            Event::ImageCreated { next_image, .. } => check_counters(&[*next_image]),
            Event::CopyAccepted(copy) => {
                let CopyAcceptance {
                    task: t,
                    image,
                    snapshots,
                    ..
                } = &**copy;
                check_counters(&[t.id.0, copy.next_image, copy.next_snapshot])?;
                if self.tasks.contains_key(&t.id) {
                    return Err(ApplyError::Duplicate(t.id.to_string()));
                }
                if self.images.contains_key(&image.id) {
                    return Err(ApplyError::Duplicate(image.id.to_string()));
                }
                match snapshots
                    .iter()
                    .find(|s| self.snapshots.contains_key(&s.id))
                {
                    Some(s) => Err(ApplyError::Duplicate(s.id.to_string())),
                    None => Ok(()),
                }
            }
            Event::CopyStarted { task: id } => {
                let t = task(id)?;
                t.state.start(*id)?;
                if self
                    .queues
                    .next_to_start_in(t.queue_region(self.queue_scope))
                    != Some(*id)
                {
                    return Err(ApplyError::NotNextInQueue(*id));
                }
                self.check_destination(t)
            }
            Event::CopyProgressed { task: id, percent } => {
                let t = task(id)?;
                t.state.check_progress(*id)?;
                if *percent > 100 || *percent < t.progress {
                    return Err(ApplyError::Transition(crate::copy::TransitionError {
                        task: *id,
                        from: t.state,
                        action: "progress",
                    }));
                }
                self.check_destination(t)
            }
            Event::CopySucceeded { task: id } => {
                let t = task(id)?;
                t.state.finish(*id)?;
                self.check_destination(t)
            }
            Event::CopyFailed { task: id, .. } => {
                let t = task(id)?;
                t.state.fail(*id)?;
                self.check_destination(t)
            }
            Event::CopyCancelled { task: id } => {
                task(id)?.state.cancel(*id)?;
                Ok(())
            }
            Event::ExportAccepted { task: t } => {
                check_counters(&[t.id.0])?;
                if self.exports.contains_key(&t.id) {
                    return Err(ApplyError::Duplicate(t.id.to_string()));
                }
                if !self.images.contains_key(&t.image) {
                    return Err(ApplyError::UnknownImage(t.image.clone()));
                }
                if let Some(live) = self.live_export_of.get(&t.image) {
                    return Err(ApplyError::Duplicate(format!("{live} of {}", t.image)));
                }
                Ok(())
            }
            Event::BucketRegistered(b) if self.buckets.contains_key(&b.name) => {
                Err(ApplyError::Duplicate(b.name.to_string()))
            }
            Event::ExportStarted { task: id } => {
                let (id, state) = export(id)?;
                state.start(id)?;
                Ok(())
            }
            Event::ExportProgressed { task: id, .. } => {
                let (id, state) = export(id)?;
                Ok(state.check_progress(id)?)
            }
            Event::ExportSucceeded { task: id } => {
                let (id, state) = export(id)?;
                state.finish(id)?;
                Ok(())
            }
            Event::ExportFailed { task: id, .. } => {
                let (id, state) = export(id)?;
                state.fail(id)?;
                Ok(())
            }
            Event::ExportCancelled { task: id } => {
                let (id, state) = export(id)?;
                state.cancel(id)?;
                Ok(())
            }
            Event::ImageDeleted { image } if !self.images.contains_key(image) => {
                Err(ApplyError::UnknownImage(image.clone()))
            }
            Event::ImageDeleted { image }
                if self.live_task_of_destination.contains_key(image)
                    || self.live_copies_from.contains_key(image)
                    || self.live_export_of.contains_key(image) =>
            {
                Err(ApplyError::ImageInUse(image.clone()))
            }
            Event::ImageShared { image, .. } if !self.images.contains_key(image) => {
                Err(ApplyError::UnknownImage(image.clone()))
            }
            _ => Ok(()),
        }
    }

    /// A task event's destination image exists (the engine never deletes it while the task
    /// is live; a corrupt log might).
    fn check_destination(&self, t: &CopyTask) -> Result<(), ApplyError> {
        if self.images.contains_key(&t.destination_image) {
            Ok(())
        } else {
            Err(ApplyError::UnknownImage(t.destination_image.clone()))
        }
    }

    /// Moves a live task to a final state and frees its queue slot and indexes; returns its
    /// destination image.
    fn end_task(
        &mut self,
        id: TaskId,
        state: TaskState,
        at: DateTime<Utc>,
        reason: Option<String>,
    ) -> ImageId {
        let t = self.tasks.get_mut(&id).expect("checked");
        t.state = state;
        t.ended_at = Some(at);
        if state == TaskState::Succeeded {
            // Done is 100%, whatever the host last reported (as for exports).
            t.progress = 100;
        }
        t.failure_reason = reason;
        let lane = t.queue_region(self.queue_scope).clone();
        let dest = t.destination_image.clone();
        let source = t.source_image.clone();
        self.queues.remove(&lane, id);
        self.retiring.push(at, Expiring::Copy(id));
        self.live_task_of_destination.remove(&dest);
        if let Some(n) = self.live_copies_from.get_mut(&source) {
            *n -= 1;
            if *n == 0 {
                self.live_copies_from.remove(&source);
            }
        }
        dest
    }

    /// Adds a snapshot, sharing the state's stored region and owner ids.
    fn insert_snapshot(&mut self, mut s: Snapshot) {
        s.region = intern(&mut self.interned_regions, &s.region);
        s.owner = intern(&mut self.interned_owners, &s.owner);
        self.add_snapshot(s);
    }

    /// Adds a snapshot as it is.
    fn add_snapshot(&mut self, s: Snapshot) {
        if !self.missing_snapshot_names.is_empty() {
            self.missing_snapshot_names.remove(&s.id);
        }
        self.scope_mut(&s.owner, &s.region).usage.snapshots += 1;
        reserve_one(&mut self.snapshots);
        self.snapshots.insert(s.id.clone(), s);
    }

    fn remove_snapshot(&mut self, id: &SnapshotId) {
        if let Some(s) = self.snapshots.swap_remove(id) {
            if let Some(scope) = self
                .scopes
                .get_mut(&s.owner)
                .and_then(|m| m.get_mut(&s.region))
            {
                scope.usage.snapshots -= 1;
            }
        }
    }

    /// Adds an image, sharing the state's stored region and owner ids.
    fn insert_image(&mut self, mut image: Image) {
        image.region = intern(&mut self.interned_regions, &image.region);
        image.owner = intern(&mut self.interned_owners, &image.owner);
        self.add_image(image);
    }

    /// Adds an image as it is, noting the snapshots it names that the state lacks.
    fn add_image(&mut self, image: Image) {
        for s in &image.snapshots {
            if !self.snapshots.contains_key(s) {
                *self.missing_snapshot_names.entry(s.clone()).or_insert(0) += 1;
            }
        }
        self.add_image_with(image, 0);
    }

    /// Adds an image as it is, and counts `snapshots` more snapshots in its scope.
    fn add_image_with(&mut self, image: Image, snapshots: u32) {
        if image.kind == ImageKind::Custom || snapshots > 0 {
            let scope = self.scope_mut(&image.owner, &image.region);
            scope.usage.snapshots += snapshots;
            if image.kind == ImageKind::Custom {
                scope.usage.images += 1;
                scope.names.insert(image.name.clone(), image.id.clone());
            }
        }
        reserve_one(&mut self.images);
        self.images.insert(image.id.clone(), image);
    }

    fn remove_image(&mut self, id: &ImageId) -> Option<Image> {
        let image = self.images.swap_remove(id)?;
        self.shares.remove(id);
        if !self.missing_snapshot_names.is_empty() {
            for s in &image.snapshots {
                if let Some(n) = self.missing_snapshot_names.get_mut(s) {
                    *n -= 1;
                    if *n == 0 {
                        self.missing_snapshot_names.remove(s);
                    }
                }
            }
        }
        if image.kind == ImageKind::Custom {
            if let Some(scope) = self
                .scopes
                .get_mut(&image.owner)
                .and_then(|m| m.get_mut(&image.region))
            {
                scope.names.remove(&image.name);
                scope.usage.images -= 1;
            }
        }
        Some(image)
    }

    /// Drops finished tasks and recorded answers (checked: they exist and are over).
    fn forget(
        &mut self,
        copies: &[TaskId],
        exports: &[ExportTaskId],
        responses: &[(AccountId, ClientToken)],
    ) {
        for id in copies {
            self.tasks.remove(*id);
        }
        for id in exports {
            self.exports.remove(id);
        }
        for key in responses {
            self.responses.remove(key);
        }
        let (tasks, exports, answers) = (&self.tasks, &self.exports, &self.responses);
        self.retiring
            .pop_gone(|at, item| still_retained(tasks, exports, answers, at, item));
    }

    /// What retention drops at `cutoff`, as the `Forgotten` event: every finished task and
    /// recorded answer that ended at or before it, each list sorted; `None` when nothing.
    pub(crate) fn due_for_forgetting(&self, cutoff: DateTime<Utc>) -> Option<Event> {
        let (mut copies, mut exports, mut responses) = (Vec::new(), Vec::new(), Vec::new());
        let present = |at, item: &Expiring| {
            still_retained(&self.tasks, &self.exports, &self.responses, at, item)
        };
        for item in self.retiring.due(cutoff, present) {
            match item {
                Expiring::Copy(id) => copies.push(*id),
                Expiring::Export(id) => exports.push(*id),
                Expiring::Response(caller, token) => {
                    responses.push((caller.clone(), token.clone()))
                }
            }
        }
        if copies.is_empty() && exports.is_empty() && responses.is_empty() {
            return None;
        }
        copies.sort();
        exports.sort();
        responses.sort();
        Some(Event::Forgotten {
            copies,
            exports,
            responses,
        })
    }

    /// Rebuilds the indexes from the facts (after deserialising).
    fn rebuild_indexes(&mut self) {
        let ended_tasks = self
            .tasks
            .values()
            .filter_map(|t| Some((t.ended_at?, Expiring::Copy(t.id))));
        let ended_exports = self
            .exports
            .values()
            .filter_map(|t| Some((t.ended_at?, Expiring::Export(t.id))));
        let answers = self.responses.values().map(|r| {
            (
                r.recorded_at,
                Expiring::Response(r.caller.clone(), r.token.clone()),
            )
        });
        self.retiring = RetentionQueue::rebuild(ended_tasks.chain(ended_exports).chain(answers));
        self.scopes.clear();
        self.live_task_of_destination.clear();
        self.live_copies_from.clear();
        self.live_export_of.clear();
        self.missing_snapshot_names.clear();
        self.queues = CopyQueues::default();
        for t in self.exports.values().filter(|t| t.state.is_live()) {
            self.live_export_of.insert(t.image.clone(), t.id);
        }
        let snapshots: Vec<Snapshot> = self.snapshots.drain(..).map(|(_, s)| s).collect();
        for s in snapshots {
            self.insert_snapshot(s);
        }
        let images: Vec<Image> = self.images.drain(..).map(|(_, i)| i).collect();
        for i in images {
            self.insert_image(i);
        }
        // Tasks in acceptance order: the queued ones of a lane enter it in FIFO order.
        for t in self.tasks.values() {
            if !t.state.is_live() {
                continue;
            }
            self.live_task_of_destination
                .insert(t.destination_image.clone(), t.id);
            *self
                .live_copies_from
                .entry(t.source_image.clone())
                .or_insert(0) += 1;
            let lane = t.queue_region(self.queue_scope);
            match t.state {
                TaskState::Running => self.queues.start(lane, t.id),
                _ => self.queues.enqueue(lane, t.id),
            }
        }
    }
}

/// The serialised form of a [`State`]: the facts, sorted, so equal states serialise to the
/// same bytes; the indexes are rebuilt on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StateData {
    now: Option<DateTime<Utc>>,
    queue_scope: QueueScope,
    accounts: Vec<Account>,
    snapshots: Vec<Snapshot>,
    images: Vec<Image>,
    kms_keys: Vec<KmsKey>,
    shares: Vec<(ImageId, Vec<AccountId>)>,
    tasks: Vec<CopyTask>,
    responses: Vec<RecordedResponse>,
    next_image: u64,
    next_snapshot: u64,
    next_task: u64,
    #[serde(default)]
    buckets: Vec<Bucket>,
    #[serde(default)]
    exports: Vec<ExportTask>,
    #[serde(default)]
    next_export: u64,
}

fn sorted_by<T: Clone, K: Ord>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort_by_key(|a| key(a));
    v
}

impl From<&State> for StateData {
    fn from(s: &State) -> Self {
        StateData {
            now: s.now,
            queue_scope: s.queue_scope,
            accounts: sorted_by(s.accounts.values().cloned(), |a| a.id.clone()),
            snapshots: sorted_by(s.snapshots.values().cloned(), |x| x.id.clone()),
            images: sorted_by(s.images.values().cloned(), |x| x.id.clone()),
            kms_keys: sorted_by(s.keys.values().cloned(), |x| x.id.clone()),
            shares: sorted_by(
                s.shares
                    .iter()
                    .map(|(i, set)| (i.clone(), set.iter().cloned().collect())),
                |x: &(ImageId, Vec<AccountId>)| x.0.clone(),
            ),
            tasks: s.tasks.values().cloned().collect(),
            responses: sorted_by(s.responses.values().cloned(), |r| {
                (r.caller.clone(), r.token.clone())
            }),
            next_image: s.next_image,
            next_snapshot: s.next_snapshot,
            next_task: s.next_task,
            buckets: s.buckets.values().cloned().collect(),
            exports: s.exports.values().cloned().collect(),
            next_export: s.next_export,
        }
    }
}

/// Why a serialised state was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state refused: {0}")]
pub struct StateError(pub super::invariants::InvariantViolation);

impl StateData {
    /// The queue scope the state was built with.
    pub(crate) fn queue_scope(&self) -> QueueScope {
        self.queue_scope
    }

    /// Builds the state (the caller checks the invariants, which need the profile).
    pub(crate) fn into_state(self) -> Result<State, StateError> {
        let mut s = State::new(self.queue_scope);
        s.now = self.now;
        s.next_image = self.next_image;
        s.next_snapshot = self.next_snapshot;
        s.next_task = self.next_task;
        s.next_export = self.next_export;
        let dup =
            |what: String| StateError(super::invariants::InvariantViolation::DuplicateId(what));
        for a in self.accounts {
            if s.accounts.insert(a.id.clone(), a).is_some() {
                return Err(dup("account".into()));
            }
        }
        for x in self.snapshots {
            if let Some(old) = s.snapshots.insert(x.id.clone(), x) {
                return Err(dup(old.id.to_string()));
            }
        }
        for x in self.images {
            if let Some(old) = s.images.insert(x.id.clone(), x) {
                return Err(dup(old.id.to_string()));
            }
        }
        for x in self.kms_keys {
            if let Some(old) = s.keys.insert(x.id.clone(), x) {
                return Err(dup(old.id.to_string()));
            }
        }
        for (image, accounts) in self.shares {
            if !accounts.is_empty() {
                s.shares.insert(image, accounts.into_iter().collect());
            }
        }
        for t in self.tasks {
            if let Some(old) = s.tasks.insert(t.id, t) {
                return Err(dup(old.id.to_string()));
            }
        }
        for b in self.buckets {
            if let Some(old) = s.buckets.insert(b.name.clone(), b) {
                return Err(dup(old.name.to_string()));
            }
        }
        for t in self.exports {
            if let Some(old) = s.exports.insert(t.id, t) {
                return Err(dup(old.id.to_string()));
            }
        }
        for r in self.responses {
            let key = (r.caller.clone(), r.token.clone());
            if s.responses.insert(key, r).is_some() {
                return Err(dup("client token answered twice".into()));
            }
        }
        s.rebuild_indexes();
        Ok(s)
    }
}

/// Whether the state still holds the item a retention entry noted as ended at `at` (a
/// client token answered again after its first answer was dropped is a new item).
fn still_retained(
    tasks: &TaskTable,
    exports: &BTreeMap<ExportTaskId, ExportTask>,
    answers: &FxHashMap<(AccountId, ClientToken), RecordedResponse>,
    at: DateTime<Utc>,
    item: &Expiring,
) -> bool {
    match item {
        Expiring::Copy(id) => tasks.contains_key(id),
        Expiring::Export(id) => exports.contains_key(id),
        Expiring::Response(caller, token) => answers
            .get(&(caller.clone(), token.clone()))
            .is_some_and(|r| r.recorded_at == at),
    }
}

/// Refuses an event whose id counters are out of range (invariant 10).
fn check_counters(counters: &[u64]) -> Result<(), ApplyError> {
    match super::invariants::counter_out_of_range(counters) {
        Some(c) => Err(ApplyError::CounterOutOfRange(c)),
        None => Ok(()),
    }
}
