//! The indexes derived from the facts (usage and names per scope, interned ids, live
//! tasks, missing snapshot names, the queues), kept up to date as facts are added and
//! removed, and rebuilt from the facts after deserialising.

use crate::copy::{CopyQueues, TaskState};
use crate::id::{ImageId, SnapshotId};
use crate::image::{Image, ImageKind};
use crate::name::{Description, ImageName};
use crate::snapshot::Snapshot;

use crate::engine::retention::{Expiring, RetentionQueue};
use indexmap::map::Entry;

use super::ApplyError;

use super::*;

impl State {
    /// Adds a snapshot, sharing the state's stored region and owner ids. A snapshot whose
    /// id the state has is refused (see [`State::add_snapshot`]).
    pub(super) fn insert_snapshot(&mut self, s: Snapshot) -> Result<(), ApplyError> {
        self.insert_snapshot_at(s, None)
    }

    /// [`State::insert_snapshot`], its scope at `scope` when a check found it there.
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(super) fn insert_snapshot_at(
        &mut self,
        mut s: Snapshot,
        scope: Option<ScopeSlot>,
    ) -> Result<(), ApplyError> {
        intern(&mut self.interned_regions, &mut s.region);
        intern(&mut self.interned_owners, &mut s.owner);
        self.add_snapshot(s, scope)
    }

    /// Adds a snapshot as it is (its scope at `scope` when a check found it there). One whose
    /// id the state has is refused, and the state's facts are unchanged: the insertion itself
    /// finds out, so a new id is looked up once, not checked first and inserted after.
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(super) fn add_snapshot(
        &mut self,
        s: Snapshot,
        scope: Option<ScopeSlot>,
    ) -> Result<(), ApplyError> {
        reserve_one(&mut self.snapshots);
        let Entry::Vacant(slot) = self.snapshots.entry(s.id.clone()) else {
            return Err(ApplyError::Duplicate(s.id.to_string()));
        };
        if !self.missing_snapshot_names.is_empty() {
            self.missing_snapshot_names.remove(&s.id);
        }
        self.scopes
            .at_or_default(scope, &s.owner, &s.region)
            .usage
            .snapshots += 1;
        slot.insert(s);
        Ok(())
    }

    pub(super) fn remove_snapshot(&mut self, id: &SnapshotId) {
        if let Some(s) = self.snapshots.swap_remove(id) {
            if let Some(scope) = self.scopes.get_mut(&s.owner, &s.region) {
                scope.usage.snapshots -= 1;
            }
        }
    }

    /// Adds an image, sharing the state's stored region and owner ids, and notes the
    /// snapshots it names that the state lacks. An image whose id the state has is refused
    /// (see [`State::add_image_with`]).
    pub(super) fn insert_image(&mut self, image: Image) -> Result<(), ApplyError> {
        self.insert_image_at(image, None)
    }

    /// [`State::insert_image`], its scope at `scope` when a check found it there.
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(super) fn insert_image_at(
        &mut self,
        mut image: Image,
        scope: Option<ScopeSlot>,
    ) -> Result<(), ApplyError> {
        intern(&mut self.interned_regions, &mut image.region);
        intern(&mut self.interned_owners, &mut image.owner);
        let i = self.add_image_with(image, 0, scope)?;
        for s in &self.images[i].snapshots {
            if !self.snapshots.contains_key(s) {
                *self.missing_snapshot_names.entry(s.clone()).or_insert(0) += 1;
            }
        }
        Ok(())
    }

    /// Adds an image as it is, counts `snapshots` more snapshots in its scope (at `scope`
    /// when a check found it there), and returns its position in the table. One whose id
    /// the state has is refused, and the state's facts are unchanged (as
    /// [`State::add_snapshot`]).
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(super) fn add_image_with(
        &mut self,
        image: Image,
        snapshots: u32,
        scope: Option<ScopeSlot>,
    ) -> Result<usize, ApplyError> {
        reserve_one(&mut self.images);
        let Entry::Vacant(slot) = self.images.entry(image.id.clone()) else {
            return Err(ApplyError::Duplicate(image.id.to_string()));
        };
        if image.kind == ImageKind::Custom || snapshots > 0 {
            let scope = self
                .scopes
                .at_or_default(scope, &image.owner, &image.region);
            scope.usage.snapshots += snapshots;
            if image.kind == ImageKind::Custom {
                scope.usage.images += 1;
                scope.names.insert(image.name.clone(), image.id.clone());
            }
        }
        let i = slot.index();
        slot.insert(image);
        Ok(i)
    }

    pub(super) fn remove_image(&mut self, id: &ImageId) -> Option<Image> {
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
            if let Some(scope) = self.scopes.get_mut(&image.owner, &image.region) {
                scope.names.remove(&image.name);
                scope.usage.images -= 1;
            }
        }
        Some(image)
    }

    /// Renames an image and/or changes its description, keeping the name index of its
    /// scope (custom images only) in step.
    pub(super) fn modify_image(
        &mut self,
        id: &ImageId,
        name: Option<&ImageName>,
        description: Option<&Description>,
    ) {
        let Some(image) = self.images.get_mut(id) else {
            return;
        };
        if let Some(d) = description {
            image.description = Some(d.clone());
        }
        let Some(name) = name else {
            return;
        };
        let old = std::mem::replace(&mut image.name, name.clone());
        if image.kind == ImageKind::Custom {
            let (owner, region) = (image.owner.clone(), image.region.clone());
            let scope = self.scope_mut(&owner, &region);
            scope.names.remove(&old);
            scope.names.insert(name.clone(), id.clone());
        }
    }

    /// Rebuilds the indexes from the facts (after deserialising).
    pub(super) fn rebuild_indexes(&mut self) {
        let ended_tasks = self
            .tasks
            .values()
            .filter_map(|t| Some((t.ended_at()?, Expiring::Copy(t.id))));
        let ended_exports = self
            .exports
            .values()
            .filter_map(|t| Some((t.ended_at()?, Expiring::Export(t.id))));
        let ended_imports = self
            .imports
            .values()
            .filter_map(|t| Some((t.ended_at()?, Expiring::Import(t.id))));
        let answers = self.responses.values().map(|r| {
            (
                r.recorded_at,
                Expiring::Response(r.caller.clone(), r.token.clone()),
            )
        });
        self.retiring = RetentionQueue::rebuild(
            ended_tasks
                .chain(ended_exports)
                .chain(ended_imports)
                .chain(answers),
        );
        self.scopes.clear();
        self.live_task_of_destination.clear();
        self.live_copies_from.clear();
        self.live_export_of.clear();
        self.missing_snapshot_names.clear();
        self.queues = CopyQueues::default();
        for t in self.exports.values().filter(|t| t.state().is_live()) {
            self.live_export_of.insert(t.image.clone(), t.id);
        }
        let snapshots: Vec<Snapshot> = self.snapshots.drain(..).map(|(_, s)| s).collect();
        // Drained from tables keyed by id: every id is new.
        for s in snapshots {
            self.insert_snapshot(s)
                .expect("ids drained from a table are distinct");
        }
        let images: Vec<Image> = self.images.drain(..).map(|(_, i)| i).collect();
        for i in images {
            self.insert_image(i)
                .expect("ids drained from a table are distinct");
        }
        // Tasks in acceptance order: the queued ones of a lane enter it in FIFO order.
        for t in self.tasks.values() {
            if !t.state().is_live() {
                continue;
            }
            self.live_task_of_destination
                .insert(t.destination_image.clone(), t.id);
            *self
                .live_copies_from
                .entry(t.source_image.clone())
                .or_insert(0) += 1;
            let lane = t.queue_region(self.queue_scope);
            match t.state() {
                TaskState::Running => self.queues.start(lane, t.id),
                _ => self.queues.enqueue(lane, t.id),
            }
        }
    }
}
