//! The invariants every state keeps, checked by [`crate::engine::ImageService::check_invariants`]
//! and on every deserialisation.
//!
//! 1. Every live copy task's destination image exists, is `Waiting` while the task is queued
//!    and `Creating` while it runs; its source image exists.
//! 2. Every in-flight copy destination (`Waiting`/`Creating` with `copied_from`) has exactly
//!    one live task.
//! 3. At most one task runs per queue region; a region with queued tasks has one running
//!    (the next starts the moment the previous ends); queued tasks are in acceptance order.
//! 4. No account uses more than its quotas in any region.
//! 5. Shares are on custom images only, never with the image's owner.
//! 6. Snapshots of copy destinations that are not `CreateFailed` exist.
//! 7. No account has two custom images of the same name in one region.
//! 8. Every live (queued or running) export task's image exists and is a custom image of the
//!    task's owner in the task's region, with no other live export; its bucket is the
//!    owner's, in that region; its objects are named `<prefix>_xvda.<ext>`, `_xvdb`, … in disk order.
//! 9. Every task, copy or export, is dated no later than the state's clock (its latest time,
//!    [`Lifecycle::last_change`](crate::Lifecycle::last_change)). That its times fit its
//!    state, in order, with its progress at most 100, the [`Lifecycle`](crate::Lifecycle)
//!    type keeps itself: its variants carry only their state's times, and deserialising one
//!    refuses times out of order.
//! 10. The id counters are at least the largest task id of their kind (the next task gets a
//!     new id), and below 2^63 (room for every task a state can ever accept).
//! 11. A live copy's destination image is the caller's, in the task's destination region,
//!     copied from the task's source, which is in the task's source region; its snapshots
//!     are its own (no other image names them: cancelling the copy deletes them).
//! 13. Every live (queued or running) import task's image exists, is a custom image of the
//!     task's owner in the task's region, `Waiting` while the task is queued and `Creating`
//!     while it runs, and names the task's snapshots (one per disk), which exist; no image
//!     has two live imports; `next_import` is at least the largest import id. (A fixture
//!     may still register an image `Creating` with no task: an image the cloud was already
//!     making.)
//! 12. Every image keeps [`Image`](crate::Image)'s own rules ([`crate::ImageError`]: progress
//!     by status, lineage, kind) and every snapshot [`Snapshot`](crate::Snapshot)'s (a KMS key
//!     only on an encrypted one), as their constructors and deserialisation do.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::copy::{TaskId, TaskState};
use crate::id::{AccountId, ImageId, SnapshotId};
use crate::image::{ImageKind, ImageStatus};
use crate::profile::Profile;
use crate::region::RegionId;

use super::State;

/// A broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvariantViolation {
    /// The same id twice.
    #[error("duplicate id {0}")]
    DuplicateId(String),
    /// A live task without its images, or with a destination in the wrong status.
    #[error("copy {task}: {problem}")]
    Task {
        /// The task.
        task: TaskId,
        /// What is wrong.
        problem: &'static str,
    },
    /// A live import whose image or snapshots are not as the task says.
    #[error("import {task}: {problem}")]
    Import {
        /// The task.
        task: crate::import::ImportTaskId,
        /// What is wrong.
        problem: &'static str,
    },
    /// An in-flight destination image without exactly one live task.
    #[error("image {0} is in flight without exactly one live copy task")]
    OrphanImage(ImageId),
    /// More than one task running in a region, or waiting tasks with none running, or a
    /// queue out of order.
    #[error("queue of {region}: {problem}")]
    Queue {
        /// The region.
        region: RegionId,
        /// What is wrong.
        problem: &'static str,
    },
    /// Usage above quota.
    #[error("account {account} is over its {what} quota in {region}")]
    Quota {
        /// The account.
        account: AccountId,
        /// The region.
        region: RegionId,
        /// `images` or `snapshots`.
        what: &'static str,
    },
    /// A share that can't be.
    #[error("image {0} has an impossible share")]
    Share(ImageId),
    /// A copy destination whose snapshots are missing.
    #[error("image {0} names a snapshot that does not exist")]
    MissingSnapshot(ImageId),
    /// A second custom image of the same name for the same owner and region.
    #[error("image {0} has the name of another image of its owner in its region")]
    DuplicateName(ImageId),
    /// A live export task that can't be.
    #[error("{task}: {problem}")]
    Export {
        /// The task.
        task: crate::export::ExportTaskId,
        /// What is wrong.
        problem: &'static str,
    },
    /// An image that breaks a rule between its fields (invariant 12).
    #[error(transparent)]
    Image(crate::image::ImageError),
    /// A snapshot that breaks a rule between its fields (invariant 12).
    #[error(transparent)]
    Snapshot(crate::snapshot::SnapshotError),
    /// An id counter behind the ids it has given out, or out of range.
    #[error("counter {counter} is {problem}")]
    Counter {
        /// `next_task`, `next_export`, `next_image` or `next_snapshot`.
        counter: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
}

/// The largest value an id counter may hold (invariant 10): far beyond any real count, and
/// far enough from `u64::MAX` that counting on never overflows.
pub(crate) const COUNTER_LIMIT: u64 = 1 << 63;

/// The first of `counters` at or past [`COUNTER_LIMIT`], if any: the one test the
/// invariant, the event check and the engine's up-front refusal share.
pub(crate) fn counter_out_of_range(counters: &[u64]) -> Option<u64> {
    counters.iter().copied().find(|c| *c >= COUNTER_LIMIT)
}

/// Checks every invariant of the module docs.
pub fn check(state: &State, profile: &Profile) -> Result<(), InvariantViolation> {
    check_counters(state)?;
    check_task_times(state)?;
    check_tasks(state)?;
    check_queues(state)?;
    check_quotas(state, profile)?;
    check_images(state)?;
    check_exports(state)?;
    check_imports(state)
}

fn check_imports(state: &State) -> Result<(), InvariantViolation> {
    let max_import = state.imports.keys().map(|id| id.0).max().unwrap_or(0);
    if state.next_import < max_import || counter_out_of_range(&[state.next_import]).is_some() {
        return Err(InvariantViolation::Counter {
            counter: "next_import",
            problem: "behind an id it has given out, or out of range",
        });
    }
    let mut importing = std::collections::BTreeSet::new();
    for t in state.imports.values().filter(|t| t.is_live()) {
        let bad = |problem| InvariantViolation::Import {
            task: t.id,
            problem,
        };
        let image = state
            .images
            .get(&t.image)
            .ok_or_else(|| bad("image missing"))?;
        if image.kind != ImageKind::Custom || image.owner != t.owner || image.region != t.region {
            return Err(bad(
                "image is not the owner's custom image in the task's region",
            ));
        }
        let expected = match t.state() {
            crate::task::TaskState::Queued => ImageStatus::Waiting,
            _ => ImageStatus::Creating,
        };
        if image.status != expected {
            return Err(bad("image status does not match the task's state"));
        }
        if image.snapshots != t.snapshots || t.snapshots.len() != t.disks.len() {
            return Err(bad("image snapshots are not the task's, one per disk"));
        }
        if t.snapshots.iter().any(|s| !state.snapshots.contains_key(s)) {
            return Err(bad("a snapshot is missing"));
        }
        if !importing.insert(&t.image) {
            return Err(bad("two live imports make one image"));
        }
    }
    Ok(())
}

fn check_exports(state: &State) -> Result<(), InvariantViolation> {
    let mut live = 0;
    for t in state.exports.values().filter(|t| t.state().is_live()) {
        live += 1;
        let bad = |problem| InvariantViolation::Export {
            task: t.id,
            problem,
        };
        let image = state
            .images
            .get(&t.image)
            .ok_or_else(|| bad("image missing"))?;
        if image.kind != ImageKind::Custom || image.owner != t.owner || image.region != t.region {
            return Err(bad(
                "image is not the owner's custom image in the task's region",
            ));
        }
        if state.live_export_of.get(&t.image) != Some(&t.id) {
            return Err(bad("not indexed as its image's only live export"));
        }
        if state
            .buckets
            .get(&t.bucket)
            .is_none_or(|b| b.region != t.region || b.owner != t.owner)
        {
            return Err(bad(
                "bucket missing, in another region or another account's",
            ));
        }
        let named = t.objects.iter().enumerate().all(|(i, o)| {
            o.disk == i && o.name == crate::export::object_name(&t.prefix, i, t.format)
        });
        if !named {
            return Err(bad("objects not named by disk order"));
        }
    }
    if state.live_export_of.len() != live {
        return Err(InvariantViolation::Export {
            task: crate::export::ExportTaskId(0),
            problem: "live-export index out of step with the tasks",
        });
    }
    Ok(())
}

fn check_counters(state: &State) -> Result<(), InvariantViolation> {
    let max_task = state.tasks.values().map(|t| t.id.0).max().unwrap_or(0);
    let max_export = state.exports.values().map(|t| t.id.0).max().unwrap_or(0);
    let counters = [
        ("next_task", state.next_task, max_task),
        ("next_export", state.next_export, max_export),
        ("next_image", state.next_image, 0),
        ("next_snapshot", state.next_snapshot, 0),
    ];
    for (counter, value, given_out) in counters {
        let bad = |problem| InvariantViolation::Counter { counter, problem };
        if counter_out_of_range(&[value]).is_some() {
            return Err(bad("out of range (at least 2^63)"));
        }
        if value < given_out {
            return Err(bad("behind an id it has given out"));
        }
    }
    Ok(())
}

/// What breaks invariant 9 for a task whose latest time is `last`, if anything.
fn after_clock(last: DateTime<Utc>, now: Option<DateTime<Utc>>) -> Option<&'static str> {
    now.is_none_or(|now| last > now)
        .then_some("dated after the state's clock")
}

fn check_task_times(state: &State) -> Result<(), InvariantViolation> {
    for t in state.tasks.values() {
        if let Some(problem) = after_clock(t.lifecycle().last_change(), state.now) {
            return Err(InvariantViolation::Task {
                task: t.id,
                problem,
            });
        }
    }
    for t in state.exports.values() {
        if let Some(problem) = after_clock(t.lifecycle().last_change(), state.now) {
            return Err(InvariantViolation::Export {
                task: t.id,
                problem,
            });
        }
    }
    Ok(())
}

/// How many images name each snapshot.
fn times_named(state: &State) -> FxHashMap<&SnapshotId, u32> {
    let mut named = FxHashMap::default();
    for s in state.images.values().flat_map(|i| &i.snapshots) {
        *named.entry(s).or_insert(0) += 1;
    }
    named
}

fn check_tasks(state: &State) -> Result<(), InvariantViolation> {
    // Built at the first live task: most states have none.
    let mut snapshot_names = None;
    for t in state.tasks.values().filter(|t| t.state().is_live()) {
        let bad = |problem| InvariantViolation::Task {
            task: t.id,
            problem,
        };
        let dest = state
            .images
            .get(&t.destination_image)
            .ok_or_else(|| bad("destination image missing"))?;
        let expected = match t.state() {
            TaskState::Queued => ImageStatus::Waiting,
            _ => ImageStatus::Creating,
        };
        if dest.status != expected {
            return Err(bad("destination image in the wrong status"));
        }
        if dest.owner != t.owner
            || dest.region != t.destination_region
            || dest.copied_from.as_ref() != Some(&t.source_image)
        {
            return Err(bad("destination image is not this copy's"));
        }
        let source = state
            .images
            .get(&t.source_image)
            .ok_or_else(|| bad("source image missing"))?;
        if source.region != t.source_region {
            return Err(bad("source image not in the task's source region"));
        }
        let named = snapshot_names.get_or_insert_with(|| times_named(state));
        if dest.snapshots.iter().any(|s| named.get(s) != Some(&1)) {
            return Err(bad("destination snapshot named by another image"));
        }
        if state.live_task_of_destination.get(&t.destination_image) != Some(&t.id) {
            return Err(bad("not indexed as its destination's task"));
        }
    }
    Ok(())
}

fn check_queues(state: &State) -> Result<(), InvariantViolation> {
    let mut lanes: BTreeMap<&RegionId, (u32, Vec<TaskId>)> = BTreeMap::new();
    for t in state.tasks.values() {
        let lane = lanes.entry(t.queue_region(state.queue_scope)).or_default();
        match t.state() {
            TaskState::Running => lane.0 += 1,
            TaskState::Queued => lane.1.push(t.id),
            _ => {}
        }
    }
    for (region, (running, queued)) in lanes {
        let bad = |problem| InvariantViolation::Queue {
            region: region.clone(),
            problem,
        };
        if running > 1 {
            return Err(bad("more than one copy running"));
        }
        if running == 0 && !queued.is_empty() {
            return Err(bad("copies waiting while none runs"));
        }
        let in_queue: Vec<TaskId> = state.queues.waiting(region.as_str()).collect();
        if in_queue != queued {
            return Err(bad("queue is not in acceptance order"));
        }
    }
    Ok(())
}

fn check_quotas(state: &State, profile: &Profile) -> Result<(), InvariantViolation> {
    for (account, region, usage) in state.usages() {
        let (images, snapshots) = profile.quotas_of(state.accounts.get(account));
        let over = |what| InvariantViolation::Quota {
            account: account.clone(),
            region: region.clone(),
            what,
        };
        if usage.images > images {
            return Err(over("images"));
        }
        if usage.snapshots > snapshots {
            return Err(over("snapshots"));
        }
    }
    Ok(())
}

fn check_images(state: &State) -> Result<(), InvariantViolation> {
    let mut names = std::collections::BTreeSet::new();
    for image in state.images.values() {
        image.check().map_err(InvariantViolation::Image)?;
        if image.kind == ImageKind::Custom
            && !names.insert((&image.owner, &image.region, &image.name))
        {
            return Err(InvariantViolation::DuplicateName(image.id.clone()));
        }
        if image.is_in_flight()
            && image.copied_from.is_some()
            && !state.live_task_of_destination.contains_key(&image.id)
        {
            return Err(InvariantViolation::OrphanImage(image.id.clone()));
        }
        if image.copied_from.is_some()
            && image.status != ImageStatus::CreateFailed
            && image
                .snapshots
                .iter()
                .any(|s| !state.snapshots.contains_key(s))
        {
            return Err(InvariantViolation::MissingSnapshot(image.id.clone()));
        }
    }
    for snapshot in state.snapshots.values() {
        snapshot.check().map_err(InvariantViolation::Snapshot)?;
    }
    for (image_id, accounts) in &state.shares {
        let ok = state
            .images
            .get(image_id)
            .is_some_and(|i| i.kind == ImageKind::Custom && !accounts.contains(&i.owner));
        if !ok {
            return Err(InvariantViolation::Share(image_id.clone()));
        }
    }
    Ok(())
}
