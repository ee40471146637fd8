//! The checks several operations share: the caller, the region, an image visible to the
//! caller, its snapshots, quotas, the id counters and fresh ids.

use crate::error::{ErrorCode, Parameter};
use crate::id::{AccountId, ImageId, SnapshotId};
use crate::image::{Image, OwnerAlias};
use crate::name::{ImageName, ImageNameError};
use crate::profile::Profile;
use crate::provider::Provider;
use crate::region::RegionId;
use crate::snapshot::Snapshot;

use super::{Checked, reject};
use crate::engine::EngineError;
use crate::engine::state::{State, Usage};
use smallvec::SmallVec;

pub(super) fn require_caller(caller: &Option<AccountId>) -> Checked<&AccountId> {
    caller
        .as_ref()
        .ok_or_else(|| reject(ErrorCode::InvalidAliUidIsNull))
}

pub(super) fn require_region(profile: &Profile, region: &RegionId) -> Checked<()> {
    if profile.regions.catalogue.has(region) {
        Ok(())
    } else {
        Err(reject(ErrorCode::InvalidRegionIdNotFound))
    }
}

pub(super) fn check_name_fits(
    provider: Provider,
    name: &ImageName,
    parameter: Parameter,
) -> Checked<()> {
    if name.fits(provider) {
        return Ok(());
    }
    let too_long = ImageNameError::TooLong {
        len: name.as_str().chars().count(),
        max: provider.image_name_max_chars(),
        provider,
    };
    Err(EngineError::Rejected(too_long.to_api_error(parameter)))
}

/// The image `id` in `region` as `caller` sees it: `InvalidImageId.NotFound` when it is
/// elsewhere or another account's unshared image ("does not exist for the caller").
pub(super) fn visible_image<'s>(
    state: &'s State,
    caller: &AccountId,
    region: &RegionId,
    id: &ImageId,
) -> Checked<(&'s Image, OwnerAlias)> {
    state
        .visible_image(caller, region, id)
        .ok_or_else(|| reject(ErrorCode::InvalidImageIdNotFound))
}

/// Seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004): `InvalidSnapshotId.NotFound` and `InvalidSnapshot.TooOld`.
pub(super) fn image_snapshots<'s>(
    state: &'s State,
    ids: &[SnapshotId],
) -> Checked<SmallVec<[&'s Snapshot; 1]>> {
    // A plain loop: collecting into `Option<SmallVec>` cost more than the lookups.
    let mut snapshots: SmallVec<[&Snapshot; 1]> = SmallVec::with_capacity(ids.len());
    for id in ids {
        let s = state
            .snapshot(id)
            .ok_or_else(|| reject(ErrorCode::InvalidSnapshotIdNotFound))?;
        snapshots.push(s);
    }
    if snapshots.iter().any(|s| !s.is_recent_enough()) {
        return Err(reject(ErrorCode::InvalidSnapshotTooOld));
    }
    Ok(snapshots)
}

/// Whether one more image and `new_snapshots` more snapshots fit the quotas of `account`
/// (the profile's defaults if unknown), which uses `usage` in the region.
#[inline]
pub(super) fn check_quota(
    account: Option<&crate::account::Account>,
    profile: &Profile,
    usage: Usage,
    new_snapshots: u32,
) -> Checked<()> {
    let (image_quota, snapshot_quota) = profile.quotas_of(account);
    if usage.images >= image_quota {
        return Err(reject(ErrorCode::QuotaExceedImage));
    }
    if usage.snapshots.saturating_add(new_snapshots) > snapshot_quota {
        return Err(reject(ErrorCode::QuotaExceedSnapshot));
    }
    Ok(())
}

/// Refuses a command whose new ids would take a counter to the limit of invariant 10 (never
/// reached in practice; a deserialised state can start near it) with `InternalError`,
/// before any event is applied.
pub(super) fn within_counter_limit(counters: &[u64]) -> Checked<()> {
    match crate::engine::invariants::counter_out_of_range(counters) {
        Some(_) => Err(reject(ErrorCode::InternalError)),
        None => Ok(()),
    }
}

pub(super) fn fresh_image_id(
    state: &State,
    provider: Provider,
    mut counter: u64,
) -> (ImageId, u64) {
    loop {
        counter += 1;
        let id = ImageId::generated(provider, counter);
        if state.image(&id).is_none() {
            return (id, counter);
        }
    }
}

pub(super) fn fresh_snapshot_id(
    state: &State,
    provider: Provider,
    mut counter: u64,
) -> (SnapshotId, u64) {
    loop {
        counter += 1;
        let id = SnapshotId::generated(provider, counter);
        if state.snapshot(&id).is_none() && !state.names_missing_snapshot(&id) {
            return (id, counter);
        }
    }
}
