//! The fixtures' checks: what the cloud already holds must fit the catalogue, the quotas
//! and the ids already held (a [`FixtureError`] otherwise).

use crate::image::{Image, ImageKind, ImageStatus};
use crate::profile::Profile;
use crate::region::RegionId;
use crate::snapshot::Snapshot;

use super::{Checked, Decision, one};
use crate::engine::command::Fixture;
use crate::engine::event::Event;
use crate::engine::state::{ScopeSlot, State};
use crate::engine::{FixtureError, Outcome};

/// Decides a fixture: it must fit the catalogue, the quotas and the ids already held. It is
/// taken by value: the fixture moves into its event (an image or snapshot cloned here, and
/// again into the state, was a third of a fixture's cost).
pub(crate) fn fixture(state: &State, profile: &Profile, fixture: Fixture) -> Checked<Decision> {
    check_fixture(state, profile, &fixture)?;
    let event = match fixture {
        Fixture::Account(a) => Event::AccountRegistered(a),
        Fixture::Snapshot(s) => Event::SnapshotRegistered(Box::new(s)),
        Fixture::Image(i) => Event::ImageRegistered(Box::new(i)),
        Fixture::KmsKey(k) => Event::KmsKeyRegistered(k),
        Fixture::Bucket(b) => Event::BucketRegistered(b),
    };
    Ok(Decision::new(Outcome::Registered, one(event)))
}

/// Checks a fixture: it must fit the catalogue, the quotas and the ids already held.
fn check_fixture(state: &State, profile: &Profile, fixture: &Fixture) -> Checked<()> {
    match fixture {
        Fixture::Account(a) => check_quotas_cover_usage(state, a),
        Fixture::Snapshot(s) => check_fixture_snapshot(state, profile, s).map(drop),
        Fixture::Image(i) => check_fixture_image(state, profile, i).map(drop),
        Fixture::KmsKey(k) => {
            check_fixture_region(profile, &k.region)?;
            if state.keys.contains_key(&k.id) {
                return Err(FixtureError::DuplicateId(k.id.to_string()).into());
            }
            Ok(())
        }
        Fixture::Bucket(b) => {
            check_fixture_region(profile, &b.region)?;
            if state.bucket(&b.name).is_some() {
                return Err(FixtureError::DuplicateId(b.name.to_string()).into());
            }
            Ok(())
        }
    }
}

/// Checks a snapshot fixture: a known region, a new id, room in the owner's quota. Returns
/// the slot of the owner's scope in the region, if it has one (for the insertion).
pub(crate) fn check_fixture_snapshot(
    state: &State,
    profile: &Profile,
    s: &Snapshot,
) -> Checked<Option<ScopeSlot>> {
    check_fixture_region(profile, &s.region)?;
    if state.snapshots.contains_key(&s.id) {
        return Err(FixtureError::DuplicateId(s.id.to_string()).into());
    }
    let (_, quota) = profile.quotas_of(state.account(&s.owner));
    let scope = state.scopes.get_full(&s.owner, &s.region);
    if scope.map_or(0, |(_, scope)| scope.usage.snapshots) >= quota {
        return Err(FixtureError::OverQuota(s.owner.clone(), s.region.clone()).into());
    }
    Ok(scope.map(|(slot, _)| slot))
}

pub(super) fn check_fixture_region(profile: &Profile, region: &RegionId) -> Checked<()> {
    if profile.regions.catalogue.has(region) {
        Ok(())
    } else {
        Err(FixtureError::UnknownRegion(region.clone()).into())
    }
}

pub(super) fn check_quotas_cover_usage(
    state: &State,
    account: &crate::account::Account,
) -> Checked<()> {
    for (owner, region, usage) in state.usages() {
        if owner == &account.id
            && (usage.images > account.image_quota || usage.snapshots > account.snapshot_quota)
        {
            return Err(FixtureError::OverQuota(owner.clone(), region.clone()).into());
        }
    }
    Ok(())
}

/// Checks an image fixture: a known region, a new id, a settled image whose snapshots no
/// live copy holds, a free name and room in the owner's quota. Returns the slot of the
/// owner's scope in the region, if a custom image's check found one (for the insertion).
pub(crate) fn check_fixture_image(
    state: &State,
    profile: &Profile,
    i: &Image,
) -> Checked<Option<ScopeSlot>> {
    check_fixture_region(profile, &i.region)?;
    if state.images.contains_key(&i.id) {
        return Err(FixtureError::DuplicateId(i.id.to_string()).into());
    }
    if i.is_in_flight() && i.copied_from.is_some() {
        return Err(FixtureError::InFlightCopy(i.id.clone()).into());
    }
    // Invariant 11: a live copy's snapshots are its own.
    if i.snapshots
        .iter()
        .any(|s| state.is_snapshot_of_live_copy(s))
    {
        return Err(FixtureError::SnapshotOfLiveCopy(i.id.clone()).into());
    }
    // Invariant 6: a copy that did not fail has its snapshots.
    if i.copied_from.is_some()
        && i.status != ImageStatus::CreateFailed
        && i.snapshots.iter().any(|s| state.snapshot(s).is_none())
    {
        return Err(FixtureError::CopyWithoutSnapshot(i.id.clone()).into());
    }
    if i.kind != ImageKind::Custom {
        return Ok(None);
    }
    // The owner's names and usage in the region, found once for both checks.
    let scope = state.scopes.get_full(&i.owner, &i.region);
    if scope.is_some_and(|(_, s)| s.names.contains_key(&i.name)) {
        return Err(FixtureError::DuplicateName(i.name.clone()).into());
    }
    let (quota, _) = profile.quotas_of(state.account(&i.owner));
    if scope.map_or(0, |(_, s)| s.usage.images) >= quota {
        return Err(FixtureError::OverQuota(i.owner.clone(), i.region.clone()).into());
    }
    Ok(scope.map(|(slot, _)| slot))
}
