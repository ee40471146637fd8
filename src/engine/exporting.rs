//! The export decisions: `ExportImage`/`ExportImages`, `CancelTask`, and the host's export
//! reports. The rules themselves are [`crate::export::check_export`]'s; this module gathers
//! the facts from the state and turns a verdict into events.
//!
//! # Check order of an export (the first failure wins; stable)
//! 1. caller present: `InvalidAliUid.IsNull`
//! 2. the call's region known: `InvalidRegionId.NotFound`
//! 3. the image is in that region and visible to the caller: `InvalidImageId.NotFound`
//! 4. its snapshots exist: `InvalidSnapshotId.NotFound`
//! 5. the rules of [`crate::export`] in their order: export activated, own custom image,
//!    not Windows, `Available`, not already being exported, bucket in the image's region,
//!    at most 5 data disks (whole machine), each disk at most 500 GiB
//! 6. the image names a snapshot (a system disk to write): `InvalidSnapshotId.NotFound`
//!
//! A dry run (Tencent `DryRun`) stops there and changes nothing.

use chrono::{DateTime, Utc};

use crate::error::{ApiError, ErrorCode};
use crate::export::{ExportFacts, ExportTask, ExportTaskId, check_export};
use crate::snapshot::Snapshot;

use super::check::{
    Checked, Decision, Events, one, require_caller, require_region, visible_image,
    within_counter_limit,
};
use super::command::{CancelExport, ExportImage};
use super::event::Event;
use super::state::State;
use super::{EngineError, HostError, Outcome};

/// `ExportImage` / `ExportImages`.
pub(super) fn export_image(
    state: &State,
    profile: &crate::provider::Profile,
    c: &ExportImage,
    now: DateTime<Utc>,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let (image, alias) = visible_image(state, caller, &c.region, &c.request.image)?;
    let snapshots = image
        .snapshots
        .iter()
        .map(|id| state.snapshot(id))
        .collect::<Option<Vec<&Snapshot>>>()
        .ok_or_else(|| {
            EngineError::Rejected(ApiError::new(ErrorCode::InvalidSnapshotIdNotFound))
        })?;
    let objects = check_export(
        &c.request,
        &ExportFacts {
            account: state.account(caller),
            image,
            owner_alias: alias,
            snapshots: &snapshots,
            // Another account's bucket is not the caller's to write to: it is as absent as
            // a bucket that does not exist (seed 002: "私のCOS Bucket", my bucket).
            bucket: state
                .bucket(&c.request.bucket)
                .filter(|b| &b.owner == caller),
            already_exporting: state.live_export_of(&image.id).is_some(),
        },
    )
    .map_err(|e| EngineError::Rejected(e.to_api_error()))?;
    if objects.is_empty() {
        // Step 6: no snapshot, no system disk to write.
        return Err(EngineError::Rejected(ApiError::new(
            ErrorCode::InvalidSnapshotIdNotFound,
        )));
    }
    if c.dry_run {
        return Ok(Decision::new(Outcome::DryRunPassed, Vec::new()));
    }
    let id = ExportTaskId(state.next_export + 1);
    within_counter_limit(&[id.0])?;
    let task = ExportTask::queued(
        id,
        caller.clone(),
        image.region.clone(),
        &c.request,
        objects,
        now,
    );
    let names = task.objects.iter().map(|o| o.name.clone()).collect();
    Ok(Decision::new(
        Outcome::ExportAccepted {
            task: id,
            objects: names,
        },
        one(Event::ExportAccepted {
            task: Box::new(task),
        }),
    ))
}

/// The export task `id` if it exists (`EngineError::UnknownExport` otherwise).
fn export_task(state: &State, id: ExportTaskId) -> Checked<&ExportTask> {
    state
        .export(id)
        .ok_or(EngineError::Host(HostError::UnknownExport(id)))
}

/// `CancelTask`: the caller's own export, queued or running, in the call's region
/// (`InvalidTaskId.NotFound` otherwise); one that is over answers
/// `InvalidTaskId.IncorrectTaskStatus`.
pub(super) fn cancel_export(
    state: &State,
    profile: &crate::provider::Profile,
    c: &CancelExport,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let task = state
        .export(c.task)
        .filter(|t| &t.owner == caller && t.region == c.region)
        .ok_or_else(|| EngineError::Rejected(ApiError::new(ErrorCode::InvalidTaskIdNotFound)))?;
    task.state
        .cancel(task.id)
        .map_err(|e| EngineError::Rejected(e.to_api_error()))?;
    Ok(Decision::new(
        Outcome::ExportCancelled { task: task.id },
        one(Event::ExportCancelled { task: task.id }),
    ))
}

/// Host report: the export began. Reported again while it runs, it changes nothing (a host
/// resuming after a restart may report a start twice, see `Effect`).
pub(super) fn started(state: &State, id: ExportTaskId) -> Checked<Decision> {
    let task = export_task(state, id)?;
    if task.state == crate::export::ExportState::Running {
        return Ok(Decision::new(Outcome::Reported, Events::default()));
    }
    task.state.start(id)?;
    Ok(Decision::new(
        Outcome::Reported,
        one(Event::ExportStarted { task: id }),
    ))
}

/// Host report: progress, 0 to 100 and never back.
pub(super) fn progress(state: &State, id: ExportTaskId, percent: u8) -> Checked<Decision> {
    let t = export_task(state, id)?;
    t.state.check_progress(id)?;
    if percent > 100 {
        return Err(HostError::ExportProgressOutOfRange { task: id, percent }.into());
    }
    if percent < t.progress {
        return Err(EngineError::Host(HostError::ExportProgressWentBack {
            task: id,
            from: t.progress,
            to: percent,
        }));
    }
    let events = if percent == t.progress {
        Events::default()
    } else {
        one(Event::ExportProgressed { task: id, percent })
    };
    Ok(Decision::new(Outcome::Reported, events))
}

/// Host report: finished.
pub(super) fn finished(state: &State, id: ExportTaskId) -> Checked<Decision> {
    export_task(state, id)?.state.finish(id)?;
    Ok(Decision::new(
        Outcome::Reported,
        one(Event::ExportSucceeded { task: id }),
    ))
}

/// Host report: failed.
pub(super) fn failed(state: &State, id: ExportTaskId, reason: &str) -> Checked<Decision> {
    export_task(state, id)?.state.fail(id)?;
    Ok(Decision::new(
        Outcome::Reported,
        one(Event::ExportFailed {
            task: id,
            reason: reason.to_owned(),
        }),
    ))
}
