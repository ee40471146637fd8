//! Applying events: each is checked against the state first, so a record that does not
//! fit is refused whole and the state is unchanged.

use chrono::{DateTime, Utc};

use crate::copy::{CopyTask, TaskId};
use crate::export::ExportTaskId;
use crate::id::{ClientToken, ImageId};
use crate::image::{Image, ImageKind, ImageStatus};
use crate::import::ImportTaskId;
use crate::snapshot::Snapshot;
use crate::task::Lifecycle;

use crate::engine::event::{CopyAcceptance, Event, EventRecord};
use crate::engine::retention::Expiring;
use smallvec::SmallVec;

use super::*;

/// An accepted copy as the engine's check made it, on its way into the state: what its
/// `CopyAccepted` event carries ([`NewCopy::into_acceptance`]), unboxed and with its
/// snapshots held inline, and where the check found its image's scope. A host that keeps
/// no event log takes it into the state as it is ([`State::accept_copy`]).
#[derive(Debug, Clone)]
pub(crate) struct NewCopy {
    pub(crate) task: CopyTask,
    pub(crate) image: Image,
    pub(crate) snapshots: SmallVec<[Snapshot; 1]>,
    pub(crate) next_image: u64,
    pub(crate) next_snapshot: u64,
    /// The slot of the image's scope (its owner in its region), if it had one at the check.
    pub(crate) scope: Option<ScopeSlot>,
}

impl NewCopy {
    /// The payload of the copy's `CopyAccepted` event.
    pub(crate) fn into_acceptance(self) -> CopyAcceptance {
        CopyAcceptance {
            task: self.task,
            image: self.image,
            snapshots: self.snapshots.into_vec(),
            next_image: self.next_image,
            next_snapshot: self.next_snapshot,
        }
    }
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
    /// An import event names a task the state lacks.
    #[error("no import task {0}")]
    UnknownImport(ImportTaskId),
    /// An import event asks for a move the import diagram lacks.
    #[error("import: {0}")]
    ImportTransition(#[from] crate::task::TransitionError<ImportTaskId>),
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

impl State {
    /// Applies one event. An event that does not fit is refused whole: the state is
    /// unchanged. Events the engine emits always fit.
    pub fn apply(&mut self, record: &EventRecord) -> Result<(), ApplyError> {
        self.check_applies(record)?;
        self.apply_checked(record);
        Ok(())
    }

    /// [`State::apply`], taking the record: an accepted copy's task, image and snapshots,
    /// and a registered image or snapshot, move into the state instead of being cloned (for
    /// a host that keeps no event log).
    pub(crate) fn apply_owned(&mut self, record: EventRecord) -> Result<(), ApplyError> {
        // A registered snapshot's or image's one check, that its id is new, is made by its
        // insertion, which changes nothing when it fails.
        match record.event {
            Event::SnapshotRegistered(s) => return self.register_snapshot(record.at, *s, None),
            Event::ImageRegistered(i) => return self.register_image(record.at, *i, None),
            _ => {}
        }
        if let Event::CopyAccepted(copy) = record.event {
            // Likewise the new image's id, checked by its insertion, made first.
            self.check_time(record.at)?;
            self.check_copy_fits(
                &copy.task,
                &copy.snapshots,
                [copy.next_image, copy.next_snapshot],
            )?;
            let in_image_scope = own_snapshots(&copy.image, &copy.snapshots);
            let CopyAcceptance {
                task,
                image,
                snapshots,
                next_image,
                next_snapshot,
            } = *copy;
            self.add_copy(
                task,
                image,
                None,
                snapshots.into_iter(),
                in_image_scope,
                [next_image, next_snapshot],
            )?;
            self.now = Some(record.at);
            return Ok(());
        }
        self.check_applies(&record)?;
        self.apply_checked(&record);
        Ok(())
    }

    /// Applies a `CopyAccepted` record of `copy` at `at`, given the copy the engine's check
    /// made rather than a record (a host that keeps no event log makes no record). The
    /// check drew its ids fresh from this very state, which nothing changed since but
    /// retention (which only drops what is over), so what [`State::check_copy_fits`] would
    /// look up again is only asserted in debug builds; the image's id is still checked by
    /// its insertion, made first.
    pub(crate) fn accept_copy(
        &mut self,
        at: DateTime<Utc>,
        copy: NewCopy,
    ) -> Result<(), ApplyError> {
        self.check_time(at)?;
        debug_assert_eq!(
            self.check_copy_fits(
                &copy.task,
                &copy.snapshots,
                [copy.next_image, copy.next_snapshot]
            ),
            Ok(())
        );
        let in_image_scope = own_snapshots(&copy.image, &copy.snapshots);
        let NewCopy {
            task,
            image,
            mut snapshots,
            next_image,
            next_snapshot,
            scope,
        } = copy;
        self.add_copy(
            task,
            image,
            scope,
            snapshots.drain(..),
            in_image_scope,
            [next_image, next_snapshot],
        )?;
        self.now = Some(at);
        Ok(())
    }

    /// Applies a `SnapshotRegistered` record of `s` at `at`, given the snapshot rather than
    /// the record (a host that keeps no event log makes no record); its scope is at `scope`
    /// when the fixture's check found it there.
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(crate) fn register_snapshot(
        &mut self,
        at: DateTime<Utc>,
        s: Snapshot,
        scope: Option<ScopeSlot>,
    ) -> Result<(), ApplyError> {
        self.check_time(at)?;
        self.insert_snapshot_at(s, scope)?;
        self.now = Some(at);
        Ok(())
    }

    /// Applies an `ImageRegistered` record of `image` at `at`, given the image rather than
    /// the record (as [`State::register_snapshot`]).
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(crate) fn register_image(
        &mut self,
        at: DateTime<Utc>,
        image: Image,
        scope: Option<ScopeSlot>,
    ) -> Result<(), ApplyError> {
        self.check_time(at)?;
        self.insert_image_at(image, scope)?;
        self.now = Some(at);
        Ok(())
    }

    /// Refuses a record dated before the clock or not fitting the state.
    pub(super) fn check_applies(&self, record: &EventRecord) -> Result<(), ApplyError> {
        self.check_time(record.at)?;
        self.check_fits(&record.event)
    }

    /// Refuses a record dated before the clock.
    #[inline]
    fn check_time(&self, at: DateTime<Utc>) -> Result<(), ApplyError> {
        match self.now {
            Some(now) if at < now => Err(ApplyError::TimeWentBackwards { at, now }),
            _ => Ok(()),
        }
    }

    /// Applies a record that [`State::check_applies`] accepted.
    pub(super) fn apply_checked(&mut self, record: &EventRecord) {
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
                imports,
            } => self.forget(copies, exports, responses, imports),
            Event::AccountRegistered(a) => {
                self.accounts.insert(a.id.clone(), a.clone());
            }
            Event::SnapshotRegistered(s) => {
                self.insert_snapshot((**s).clone()).expect("checked");
            }
            Event::ImageRegistered(i) => self.insert_image((**i).clone()).expect("checked"),
            Event::ImageCreated { image, next_image } => {
                self.next_image = self.next_image.max(*next_image);
                self.insert_image((**image).clone()).expect("checked");
            }
            Event::KmsKeyRegistered(k) => {
                self.keys.insert(k.id.clone(), k.clone());
            }
            Event::CopyAccepted(copy) => self
                .add_copy(
                    copy.task.clone(),
                    copy.image.clone(),
                    None,
                    copy.snapshots.iter().cloned(),
                    own_snapshots(&copy.image, &copy.snapshots),
                    [copy.next_image, copy.next_snapshot],
                )
                .expect("checked"),
            Event::CopyStarted { task } => {
                let t = self.tasks.get_mut(task).expect("checked");
                t.lifecycle.start(*task, record.at).expect("checked");
                let lane = t.queue_region(self.queue_scope).clone();
                let dest = t.destination_image.clone();
                self.queues.start(&lane, *task);
                let img = self.images.get_mut(&dest).expect("checked");
                img.status = ImageStatus::Creating;
                img.progress = 0;
            }
            Event::CopyProgressed { task, percent } => {
                let t = self.tasks.get_mut(task).expect("checked");
                t.lifecycle
                    .report_progress(*task, *percent)
                    .expect("checked");
                let dest = t.destination_image.clone();
                self.images.get_mut(&dest).expect("checked").progress = *percent;
            }
            Event::CopySucceeded { task } => {
                let dest = self.end_task(*task, |l| l.finish(*task, record.at));
                let img = self.images.get_mut(&dest).expect("checked");
                img.status = ImageStatus::Available;
                img.progress = 100;
            }
            Event::CopyFailed { task, reason } => {
                let dest = self.end_task(*task, |l| l.fail(*task, record.at, reason.clone()));
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
                let dest = self.end_task(*task, |l| l.cancel(*task, record.at));
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
            Event::ImageAttributeModified {
                image,
                name,
                description,
            } => self.modify_image(image, name.as_ref(), description.as_ref()),
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
                t.report_progress(*percent).expect("checked");
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
            Event::ImportAccepted {
                task,
                image,
                snapshots,
                next_image,
                next_snapshot,
            } => {
                self.next_image = self.next_image.max(*next_image);
                self.next_snapshot = self.next_snapshot.max(*next_snapshot);
                self.next_import = self.next_import.max(task.id.0);
                for s in snapshots {
                    self.insert_snapshot(s.clone()).expect("checked");
                }
                self.insert_image((**image).clone()).expect("checked");
                self.imports.insert(task.id, (**task).clone());
            }
            Event::ImportStarted { task } => {
                let t = self.imports.get_mut(task).expect("checked");
                t.lifecycle.start(*task, record.at).expect("checked");
                let image = t.image.clone();
                let img = self.images.get_mut(&image).expect("checked");
                img.status = ImageStatus::Creating;
                img.progress = 0;
            }
            Event::ImportProgressed { task, percent } => {
                let t = self.imports.get_mut(task).expect("checked");
                t.lifecycle
                    .report_progress(*task, *percent)
                    .expect("checked");
                let image = t.image.clone();
                self.images.get_mut(&image).expect("checked").progress = *percent;
            }
            Event::ImportSucceeded { task } => {
                self.retiring.push(record.at, Expiring::Import(*task));
                let t = self.imports.get_mut(task).expect("checked");
                t.lifecycle.finish(*task, record.at).expect("checked");
                let image = t.image.clone();
                let img = self.images.get_mut(&image).expect("checked");
                img.status = ImageStatus::Available;
                img.progress = 100;
            }
            Event::ImportFailed { task, reason } => {
                self.retiring.push(record.at, Expiring::Import(*task));
                let t = self.imports.get_mut(task).expect("checked");
                t.lifecycle
                    .fail(*task, record.at, reason.clone())
                    .expect("checked");
                let image = t.image.clone();
                let snapshots = {
                    let img = self.images.get_mut(&image).expect("checked");
                    img.status = ImageStatus::CreateFailed;
                    std::mem::take(&mut img.snapshots)
                };
                for s in snapshots {
                    self.remove_snapshot(&s);
                }
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

    /// Adds an accepted copy: its `Waiting` image, its snapshots (`in_image_scope` of them
    /// in the image's scope) and its queued task. The image goes first: its insertion
    /// refuses an id the state has before anything changes ([`State::add_image_with`]), so
    /// that id is looked up once; the rest is checked by [`State::check_copy_fits`].
    // Inlined: an image or snapshot is large, and each call moves it once more.
    #[inline(always)]
    pub(super) fn add_copy(
        &mut self,
        task: CopyTask,
        image: Image,
        scope_slot: Option<ScopeSlot>,
        snapshots: impl ExactSizeIterator<Item = Snapshot>,
        in_image_scope: u32,
        [next_image, next_snapshot]: [u64; 2],
    ) -> Result<(), ApplyError> {
        // The engine makes every snapshot of a copy in its image's scope; only a log written
        // otherwise needs each one's scope compared (with the image's, kept here).
        let all_own = snapshots.len() == in_image_scope as usize;
        let scope = (!all_own).then(|| (image.owner.clone(), image.region.clone()));
        self.add_image_with(image, in_image_scope, scope_slot)?;
        self.next_image = self.next_image.max(next_image);
        self.next_snapshot = self.next_snapshot.max(next_snapshot);
        // The engine built these from the state's stored ids already
        // (`interned_region`/`interned_owner`): no second interning on this path. The
        // snapshots in the image's scope were counted there, found once.
        for s in snapshots {
            let own = scope
                .as_ref()
                .is_none_or(|(owner, region)| &s.owner == owner && &s.region == region);
            if own {
                self.snapshots.insert(s.id.clone(), s);
            } else {
                self.add_snapshot(s, None).expect("checked");
            }
        }
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
        Ok(())
    }

    /// What [`State::check_fits`] checks of an accepted copy but the new image's id: the
    /// counters, and that the task's and snapshots' ids are new.
    fn check_copy_fits(
        &self,
        t: &CopyTask,
        snapshots: &[Snapshot],
        [next_image, next_snapshot]: [u64; 2],
    ) -> Result<(), ApplyError> {
        check_counters(&[t.id.0, next_image, next_snapshot])?;
        if self.tasks.contains_key(&t.id) {
            return Err(ApplyError::Duplicate(t.id.to_string()));
        }
        match snapshots
            .iter()
            .find(|s| self.snapshots.contains_key(&s.id))
        {
            Some(s) => Err(ApplyError::Duplicate(s.id.to_string())),
            None => Ok(()),
        }
    }

    /// Checks that `event` can be applied, so `apply` never changes half a state.
    pub(super) fn check_fits(&self, event: &Event) -> Result<(), ApplyError> {
        let task = |id: &TaskId| self.tasks.get(id).ok_or(ApplyError::UnknownTask(*id));
        let import = |id: &ImportTaskId| {
            self.imports
                .get(id)
                .map(|t| t.state())
                .ok_or(ApplyError::UnknownImport(*id))
        };
        let export = |id: &ExportTaskId| {
            self.exports
                .get(id)
                .map(|t| (t.id, t.state()))
                .ok_or(ApplyError::UnknownExport(*id))
        };
        match event {
            Event::Forgotten {
                copies,
                exports,
                responses,
                imports,
            } => {
                for id in imports {
                    if import(id)?.is_live() {
                        return Err(ApplyError::NotOver(id.to_string()));
                    }
                }
                for id in copies {
                    if task(id)?.state().is_live() {
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
                self.check_copy_fits(
                    &copy.task,
                    &copy.snapshots,
                    [copy.next_image, copy.next_snapshot],
                )?;
                if self.images.contains_key(&copy.image.id) {
                    return Err(ApplyError::Duplicate(copy.image.id.to_string()));
                }
                Ok(())
            }
            Event::CopyStarted { task: id } => {
                let t = task(id)?;
                t.state().start(*id)?;
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
                t.state().check_progress(*id)?;
                if *percent > 100 || *percent < t.progress() {
                    return Err(ApplyError::Transition(crate::copy::TransitionError {
                        task: *id,
                        from: t.state(),
                        action: "progress",
                    }));
                }
                self.check_destination(t)
            }
            Event::CopySucceeded { task: id } => {
                let t = task(id)?;
                t.state().finish(*id)?;
                self.check_destination(t)
            }
            Event::CopyFailed { task: id, .. } => {
                let t = task(id)?;
                t.state().fail(*id)?;
                self.check_destination(t)
            }
            Event::CopyCancelled { task: id } => {
                task(id)?.state().cancel(*id)?;
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
            Event::ImportAccepted {
                task: t,
                image,
                snapshots,
                next_image,
                next_snapshot,
            } => {
                check_counters(&[t.id.0, *next_image, *next_snapshot])?;
                if self.imports.contains_key(&t.id) {
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
            Event::ImportStarted { task: id } => {
                import(id)?.start(*id)?;
                self.check_import_image(id)
            }
            Event::ImportProgressed { task: id, .. } => {
                import(id)?.check_progress(*id)?;
                self.check_import_image(id)
            }
            Event::ImportSucceeded { task: id } => {
                import(id)?.finish(*id)?;
                self.check_import_image(id)
            }
            Event::ImportFailed { task: id, .. } => {
                import(id)?.fail(*id)?;
                self.check_import_image(id)
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
                    || self.live_export_of.contains_key(image)
                    || self.live_import_of(image).is_some() =>
            {
                Err(ApplyError::ImageInUse(image.clone()))
            }
            Event::ImageShared { image, .. } if !self.images.contains_key(image) => {
                Err(ApplyError::UnknownImage(image.clone()))
            }
            Event::ImageAttributeModified { image, .. } if !self.images.contains_key(image) => {
                Err(ApplyError::UnknownImage(image.clone()))
            }
            Event::ImageAttributeModified {
                image,
                name: Some(name),
                ..
            } => {
                let i = &self.images[image];
                match self.image_named(&i.owner, &i.region, name) {
                    Some(other) if other != image && i.kind == ImageKind::Custom => Err(
                        ApplyError::Duplicate(format!("image name {} in {}", name, i.region)),
                    ),
                    _ => Ok(()),
                }
            }

            _ => Ok(()),
        }
    }

    /// An import event's image exists (the engine never deletes it while the import is
    /// live; a corrupt log might).
    fn check_import_image(&self, id: &ImportTaskId) -> Result<(), ApplyError> {
        let image = &self.imports[id].image;
        if self.images.contains_key(image) {
            Ok(())
        } else {
            Err(ApplyError::UnknownImage(image.clone()))
        }
    }

    /// A task event's destination image exists (the engine never deletes it while the task
    /// is live; a corrupt log might).
    pub(super) fn check_destination(&self, t: &CopyTask) -> Result<(), ApplyError> {
        if self.images.contains_key(&t.destination_image) {
            Ok(())
        } else {
            Err(ApplyError::UnknownImage(t.destination_image.clone()))
        }
    }

    /// Moves a live task to a final state with `end` (a transition of its [`Lifecycle`],
    /// checked to fit) and frees its queue slot and indexes; returns its destination image.
    pub(super) fn end_task(
        &mut self,
        id: TaskId,
        end: impl FnOnce(&mut Lifecycle) -> Result<(), crate::copy::TransitionError>,
    ) -> ImageId {
        let t = self.tasks.get_mut(&id).expect("checked");
        end(&mut t.lifecycle).expect("checked");
        let at = t.lifecycle.last_change();
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
}

/// How many of an accepted copy's snapshots are in its image's scope (the same owner and
/// region): all of them, as the engine makes them.
fn own_snapshots(image: &Image, snapshots: &[Snapshot]) -> u32 {
    let own = snapshots
        .iter()
        .filter(|s| s.owner == image.owner && s.region == image.region);
    own.count() as u32
}

/// Refuses an event whose id counters are out of range (invariant 10).
fn check_counters(counters: &[u64]) -> Result<(), ApplyError> {
    match super::invariants::counter_out_of_range(counters) {
        Some(c) => Err(ApplyError::CounterOutOfRange(c)),
        None => Ok(()),
    }
}
