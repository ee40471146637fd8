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
use crate::snapshot::Snapshot;

use super::common::*;
use super::{Checked, Decision, one};
use crate::engine::command::{CancelExport, ExportImage};
use crate::engine::event::Event;
use crate::engine::state::State;
use crate::engine::{EngineError, Outcome};
use crate::export::{ExportFacts, ExportTask, ExportTaskId, check_export};

/// `ExportImage` / `ExportImages`.
pub(super) fn export_image(
    state: &State,
    profile: &crate::profile::Profile,
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

/// `CancelTask`: the caller's own export, queued or running, in the call's region
/// (`InvalidTaskId.NotFound` otherwise); one that is over answers
/// `InvalidTaskId.IncorrectTaskStatus`.
pub(super) fn cancel_export(
    state: &State,
    profile: &crate::profile::Profile,
    c: &CancelExport,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let task = state
        .export(c.task)
        .filter(|t| &t.owner == caller && t.region == c.region)
        .ok_or_else(|| EngineError::Rejected(ApiError::new(ErrorCode::InvalidTaskIdNotFound)))?;
    task.state()
        .cancel(task.id)
        .map_err(|e| EngineError::Rejected(e.to_api_error()))?;
    Ok(Decision::new(
        Outcome::ExportCancelled { task: task.id },
        one(Event::ExportCancelled { task: task.id }),
    ))
}
