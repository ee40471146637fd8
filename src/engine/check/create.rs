//! `CreateImage`: a custom image from the caller's snapshots.

use chrono::{DateTime, Utc};

use crate::error::{ApiError, ErrorCode, Parameter};
use crate::image::{Image, ImageKind, ImageStatus};
use crate::profile::Profile;
use crate::provider::Provider;

use super::common::*;
use super::{Checked, Decision, Events, one, reject};
use crate::engine::command::CreateImage;
use crate::engine::event::Event;
use crate::engine::state::State;
use crate::engine::{EngineError, Outcome};

/// `CreateImage`; the check order is in the `engine` module docs ("CreateImage").
pub(super) fn create_image(
    state: &State,
    profile: &Profile,
    c: &CreateImage,
    now: DateTime<Utc>,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    check_name_fits(profile.provider, &c.name, Parameter::ImageName)?;
    if c.instance.is_some() {
        return Err(EngineError::Rejected(
            ApiError::new(ErrorCode::InvalidInstanceIdNotFound).with_message(
                "The specified InstanceId does not exist: instances are not modelled; \
                 create the image from snapshots (SnapshotId / SnapshotIds).",
            ),
        ));
    }
    if c.snapshots.is_empty() {
        return Err(EngineError::Rejected(ApiError::missing_parameter(
            match profile.provider {
                Provider::Alibaba => "SnapshotId",
                Provider::Tencent => "SnapshotIds",
            },
        )));
    }
    let snapshots = image_snapshots(state, &c.snapshots)?;
    if snapshots
        .iter()
        .any(|s| &s.owner != caller || s.region != c.region)
    {
        return Err(reject(ErrorCode::InvalidSnapshotIdNotFound));
    }
    // A copy still being made owns its snapshots (cancelling it deletes them): seed
    // 003/004's "The specified snapshot is not allowed to create image."
    // The same for an import still reading its disks into them.
    if c.snapshots
        .iter()
        .any(|s| state.is_snapshot_of_live_copy(s) || state.is_snapshot_of_live_import(s))
    {
        return Err(reject(ErrorCode::OperationDenied));
    }
    if state.image_named(caller, &c.region, &c.name).is_some() {
        return Err(reject(ErrorCode::InvalidImageNameDuplicated));
    }
    check_quota(
        state.account(caller),
        profile,
        state.usage(caller, &c.region),
        0,
    )?;
    if c.dry_run {
        return Ok(Decision::new(Outcome::DryRunPassed, Events::default()));
    }
    let (id, next_image) = fresh_image_id(state, profile.provider, state.next_image);
    within_counter_limit(&[next_image])?;
    // Seed 001: the image fee follows the ultimate source. The system disk's lineage names
    // it (else the first data disk's that has one); any paid disk makes the image paid.
    let lineage = snapshots
        .iter()
        .find_map(|s| s.lineage())
        .filter(|l| l.image() != &id);
    let paid = snapshots
        .iter()
        .any(|s| s.lineage().is_some_and(|l| l.paid()));
    let image = Image {
        id: id.clone(),
        region: c.region.clone(),
        owner: caller.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        kind: ImageKind::Custom,
        platform: c.platform,
        architecture: c.architecture,
        snapshots: c.snapshots.clone(),
        size_gib: snapshots
            .iter()
            .fold(0u64, |sum, s| sum.saturating_add(s.size_gib)),
        whole_machine: c.snapshots.len() > 1,
        paid: paid && lineage.is_some(),
        ultimate_source: lineage.map_or_else(|| id.clone(), |l| l.image().clone()),
        derived: lineage.is_some(),
        status: ImageStatus::Available,
        progress: 100,
        tags: c.tags.clone(),
        copied_from: None,
        published_regions: Vec::new(),
        created_at: now,
        imported: false,
    };
    Ok(Decision::new(
        Outcome::ImageCreated { image: id },
        one(Event::ImageCreated {
            image: Box::new(image),
            next_image,
        }),
    ))
}
