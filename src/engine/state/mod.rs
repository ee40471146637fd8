//! The engine's state: the facts (accounts, snapshots, images, keys, shares, tasks,
//! recorded responses) and the indexes derived from them, changed only by [`State::apply`].

mod apply;
mod data;
mod forgetting;
mod index;
pub mod invariants;
mod scope;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::copy::{CopyQueues, CopyTask, QueueScope, TaskId, TaskTable};
use crate::export::{Bucket, BucketName, ExportTask, ExportTaskId};
use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId, SnapshotId};
use crate::image::{Image, ImageKind, OwnerAlias};
use crate::import::{ImportTask, ImportTaskId};
use crate::kms::KmsKey;
use crate::name::ImageName;
use crate::region::RegionId;
use crate::snapshot::Snapshot;

use crate::engine::Outcome;
use crate::engine::command::Command;
use crate::engine::retention::RetentionQueue;
use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

pub use apply::ApplyError;
pub(crate) use apply::NewCopy;
pub(crate) use data::StateData;
pub use data::StateError;
pub(crate) use scope::{Scope, ScopeSlot, Scopes};

/// The state's big maps (images, snapshots): IndexMap keeps the entries densely in a `Vec`
/// (a hash map's empty buckets would each be as large as an image) and hashes each key to
/// its position. Removal is `swap_remove` (the last entry takes the removed one's place), so
/// iteration order is insertion order changed only by those moves: as deterministic as the
/// commands.
pub(crate) type Table<K, V> = IndexMap<K, V, FxBuildHasher>;

/// Makes room for one more entry of `table`, doubling it when full as a `Vec` does. Left to
/// itself, IndexMap grows its entries to its index's capacity (7/8 of a power of two), which
/// held up to 80% spare entries at the bench's 1,000 and 1,000,000 images.
pub(super) fn reserve_one<K, V>(table: &mut Table<K, V>) {
    if table.len() == table.capacity() {
        table.reserve_exact(table.len().max(4));
    }
}

/// What an account uses in one region, counted against its quotas.
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
/// use machine_image::engine::{CopyImage, Usage};
/// let sh = RegionId::new("cn-shanghai")?;
/// assert_eq!(service.state().usage(&owner, &sh), Usage::default());
/// service.call(t0, CopyImage::new(owner.clone(), hz.clone(), src, [sh.clone()]))?;
/// // The copy in flight counts already: its image and the snapshot reserved for it.
/// assert_eq!(service.state().usage(&owner, &sh), Usage { images: 1, snapshots: 1 });
/// assert_eq!(service.state().usage(&owner, &hz), Usage { images: 1, snapshots: 1 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Custom images (in-flight and failed copies included).
    pub images: u32,
    /// Snapshots (those reserved by in-flight copies included).
    pub snapshots: u32,
}

/// Makes `value` the stored copy of itself (adding it first if new), so equal ids share one
/// allocation across the state. Short ids are stored inline and have nothing to share: they
/// are left as they are, untouched.
#[inline]
pub(super) fn intern<T: Clone + Eq + std::hash::Hash + Interned>(
    set: &mut FxHashSet<T>,
    value: &mut T,
) {
    if value.is_inline() {
        return;
    }
    match set.get(value) {
        Some(stored) => *value = stored.clone(),
        None => {
            set.insert(value.clone());
        }
    }
}

/// The copy of `value` stored in `set`, or a clone of `value` when it is inline (nothing
/// to share) or not stored.
pub(super) fn stored_copy<T: Clone + Eq + std::hash::Hash + Interned>(
    set: &FxHashSet<T>,
    value: &T,
) -> T {
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
/// use machine_image::ClientToken;
/// use machine_image::engine::{CopyImage, Outcome};
/// let token = ClientToken::new("retry-1")?;
/// let copy = CopyImage::new(owner.clone(), hz, src, [RegionId::new("cn-shanghai")?]).client_token(token.clone());
/// let copies = service.call(t0, copy)?;
/// let recorded = service.state().response(&owner, &token).expect("kept for the retention horizon");
/// assert_eq!(recorded.outcome, Outcome::CopyAccepted { copies });
/// assert_eq!(recorded.recorded_at, t0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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

/// The whole state of an [`crate::engine::ImageService`].
/// Read it through [`ImageService::state`](crate::engine::ImageService::state); it changes
/// only by the service's commands (or [`State::apply`] of a record, as replay does).
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
/// use machine_image::TaskState;
/// let sh = RegionId::new("cn-shanghai")?;
/// let copies = service.call(t0, CopyImage::new(owner.clone(), hz, src.clone(), [sh]))?;
///
/// let state = service.state();
/// assert_eq!(state.now(), Some(t0));
/// assert_eq!(state.image_count(), 2);
/// assert_eq!(state.live_task_of(&copies[0].image), Some(copies[0].task));
/// assert_eq!(state.live_copies_from(&src), 1);
/// assert_eq!(state.task(copies[0].task).map(|t| t.state()), Some(TaskState::Running));
/// assert!(state.account(&owner).is_none()); // never registered: the default quotas apply
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    pub(crate) imports: BTreeMap<ImportTaskId, ImportTask>,
    pub(crate) next_import: u64,
    // ---- indexes, derived from the facts above ----
    /// Usage and names per owner and region. A scope stays once made (at most one per
    /// owner and region): emptied, it reads as zero usage and no names.
    pub(crate) scopes: Scopes,
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

    /// `id` as `caller` sees it in `region`: the image and how it relates to the caller
    /// (its own, shared with it, public, marketplace); `None` when the caller can't see it
    /// there (answered `InvalidImageId.NotFound`).
    pub fn visible_image(
        &self,
        caller: &AccountId,
        region: &RegionId,
        id: &ImageId,
    ) -> Option<(&Image, OwnerAlias)> {
        let image = self.image(id).filter(|i| &i.region == region)?;
        // Only another account's custom image needs the share list.
        let shared = image.kind == ImageKind::Custom
            && &image.owner != caller
            && self.is_shared_with(id, caller);
        image
            .owner_alias_for(caller, shared)
            .map(|alias| (image, alias))
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
            .map(|(a, r, s)| (a, r, s.usage))
            .collect();
        // Sorted, so the first over-quota scope a check reports is the same however the
        // state was built (hash-map order depends on history).
        all.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
        all.into_iter()
    }

    /// `owner`'s usage and names in `region`, if it has had any there.
    pub(crate) fn scope(&self, owner: &AccountId, region: &RegionId) -> Option<&Scope> {
        self.scopes.get(owner, region)
    }

    pub(super) fn scope_mut(&mut self, owner: &AccountId, region: &RegionId) -> &mut Scope {
        self.scopes.get_or_default(owner, region)
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

    /// When the oldest of what is over (finished tasks, recorded answers) ended.
    pub(crate) fn oldest_ended(&self) -> Option<DateTime<Utc>> {
        self.retiring.oldest()
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
        // No live copy (every fixture of a world built before its copies): no queue to walk.
        if self.live_task_of_destination.is_empty() {
            return false;
        }
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

    /// An import task.
    pub fn import(&self, id: ImportTaskId) -> Option<&ImportTask> {
        self.imports.get(&id)
    }

    /// Every import task, by id.
    pub fn imports(&self) -> impl Iterator<Item = &ImportTask> {
        self.imports.values()
    }

    /// The queued or running imports, oldest first (by task id).
    pub fn live_imports(&self) -> impl Iterator<Item = &ImportTask> {
        self.imports.values().filter(|t| t.is_live())
    }

    /// The queued or running import making `image`.
    pub fn live_import_of(&self, image: &ImageId) -> Option<ImportTaskId> {
        self.live_imports()
            .find(|t| &t.image == image)
            .map(|t| t.id)
    }

    /// Whether `id` is a snapshot a queued or running import is filling.
    pub(crate) fn is_snapshot_of_live_import(&self, id: &SnapshotId) -> bool {
        self.live_imports().any(|t| t.snapshots.contains(id))
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
}
