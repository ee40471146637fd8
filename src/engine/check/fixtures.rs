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
        Fixture::Snapshot(s) => check_fixture_snapshot(state, profile, s, IdCheck::Now).map(drop),
        Fixture::Image(i) => check_fixture_image(state, profile, i, IdCheck::Now).map(drop),
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

/// When a fixture's id is checked to be new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdCheck {
    /// With the other checks, in its turn.
    Now,
    /// By the insertion that follows the checks at once, which refuses an id the state has
    /// and changes nothing then (the caller turns its refusal into
    /// [`FixtureError::DuplicateId`]): a new id is then looked up once. When another check
    /// fails, the id is looked up first all the same, so a duplicate id is still the error
    /// reported before the later checks'.
    ByInsertion,
}

/// Checks a snapshot fixture: a known region, a new id (`id`: when), room in the owner's
/// quota. Returns the slot of the owner's scope in the region, if it has one (for the
/// insertion).
pub(crate) fn check_fixture_snapshot(
    state: &State,
    profile: &Profile,
    s: &Snapshot,
    id: IdCheck,
) -> Checked<Option<ScopeSlot>> {
    check_fixture_region(profile, &s.region)?;
    let new_id = || new_fixture_id(state.snapshots.contains_key(&s.id), &s.id);
    in_turn(id, new_id, || check_snapshot_quota(state, profile, s))
}

/// A fixture's id is new unless `taken`.
fn new_fixture_id(taken: bool, id: &impl std::fmt::Display) -> Checked<()> {
    if taken {
        return Err(FixtureError::DuplicateId(id.to_string()).into());
    }
    Ok(())
}

/// Runs a fixture's checks after its id's, `rest`, with the id's check `new_id` made when
/// `id` says: before them, or (when the insertion checks it) only when one of them fails,
/// so that a taken id is still the error reported, in its turn.
fn in_turn<T>(
    id: IdCheck,
    new_id: impl Fn() -> Checked<()>,
    rest: impl FnOnce() -> Checked<T>,
) -> Checked<T> {
    if id == IdCheck::Now {
        new_id()?;
    }
    rest().or_else(|e| {
        if id == IdCheck::ByInsertion {
            new_id()?;
        }
        Err(e)
    })
}

/// A snapshot fixture's room in its owner's quota; returns the owner's scope slot.
fn check_snapshot_quota(
    state: &State,
    profile: &Profile,
    s: &Snapshot,
) -> Checked<Option<ScopeSlot>> {
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
/// `id`: when its id is checked to be new.
pub(crate) fn check_fixture_image(
    state: &State,
    profile: &Profile,
    i: &Image,
    id: IdCheck,
) -> Checked<Option<ScopeSlot>> {
    check_fixture_region(profile, &i.region)?;
    let new_id = || new_fixture_id(state.images.contains_key(&i.id), &i.id);
    in_turn(id, new_id, || check_image_fits(state, profile, i))
}

/// An image fixture's checks after its id's: see [`check_fixture_image`].
fn check_image_fits(state: &State, profile: &Profile, i: &Image) -> Checked<Option<ScopeSlot>> {
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use crate::account::Account;
    use crate::engine::{Fixture, ImageService};
    use crate::id::{AccountId, ImageId, SnapshotId};
    use crate::image::Image;
    use crate::name::ImageName;
    use crate::profile::Profile;
    use crate::region::RegionId;
    use crate::snapshot::Snapshot;

    /// Without an event log a fixture's id is checked by its insertion; the answers and the
    /// state must be those of the logged path, whose check looks the id up in its turn:
    /// a duplicate id is reported before a full quota or a taken name.
    #[test]
    fn unlogged_fixtures_are_refused_as_logged_ones() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let owner = AccountId::new("1234567890123456").unwrap();
        let hz = RegionId::new("cn-hangzhou").unwrap();
        let snap = |id: &str| {
            let id = SnapshotId::new(id).unwrap();
            Fixture::Snapshot(Snapshot::new(id, hz.clone(), owner.clone(), t0, 40))
        };
        let image = |id: &str, name: &str, disk: &str| {
            let (id, name) = (ImageId::new(id).unwrap(), ImageName::new(name).unwrap());
            let disks = vec![SnapshotId::new(disk).unwrap()];
            let image = Image::custom(id, hz.clone(), owner.clone(), name, disks);
            Fixture::Image(image.size_gib(40).build().unwrap())
        };
        let fixtures = [
            snap("s-a1"),
            snap("s-a1"),
            image("m-a1", "web", "s-a1"),
            image("m-a1", "web", "s-a1"),
            image("m-a1", "other", "s-a1"),
            image("m-a2", "web", "s-a1"),
            Fixture::Account(Account::new(owner.clone(), 1, 1)),
            snap("s-a1"),
            snap("s-a2"),
            image("m-a1", "next", "s-a1"),
            image("m-a3", "next", "s-a1"),
        ];
        let mut logged = ImageService::new(Profile::alibaba());
        let mut unlogged = ImageService::new(Profile::alibaba());
        unlogged.set_event_log(false);
        for (i, f) in fixtures.into_iter().enumerate() {
            let expected = logged.register(t0, f.clone());
            assert_eq!(unlogged.register(t0, f), expected, "fixture {i}");
            assert_eq!(unlogged, logged, "fixture {i}");
            assert_eq!(unlogged.check_invariants(), Ok(()), "fixture {i}");
        }
    }
}
