//! `CopyImage` / `SyncImages`, in the check order of the `engine` module docs (the step
//! numbers in the comments refer to it).

use chrono::{DateTime, Utc};

use crate::copy::{CopyTask, TaskId};
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode, Parameter};
use crate::id::{AccountId, ImageId};
use crate::image::{Image, ImageKind, ImageStatus, OwnerAlias};
use crate::kms::Encryption;
use crate::name::ImageName;
use crate::profile::Profile;
use crate::provider::Provider;
use crate::region::{Region, RegionId};
use crate::snapshot::Snapshot;
use crate::task::Lifecycle;
use smallvec::SmallVec;

use super::common::*;
use super::{Checked, Decision, Events, NewCopies, reject};
use crate::engine::command::CopyImage;
use crate::engine::state::{NewCopy, ScopeSlot, State};
use crate::engine::{AcceptedCopy, EngineError, Outcome};

pub(super) fn copy_image(
    state: &State,
    profile: &Profile,
    c: &CopyImage,
    now: DateTime<Utc>,
    spare: &mut NewCopies,
) -> Checked<Decision> {
    // Steps 1-4: the parameters on their own.
    let caller = require_caller(&c.caller)?;
    if c.destination_regions.is_empty() {
        return Err(EngineError::Rejected(ApiError::missing_parameter(
            "DestinationRegionId",
        )));
    }
    for (i, r) in c.destination_regions.iter().enumerate() {
        if c.destination_regions[..i].contains(r) {
            return Err(EngineError::Rejected(ApiError::invalid_parameter(
                "DestinationRegions",
            )));
        }
    }
    if let Some(name) = &c.name {
        check_name_fits(profile.provider, name, Parameter::DestinationImageName)?;
    }
    let encryption = Encryption::from_parameters(c.encrypted, c.kms_key.clone())
        .map_err(|_| reject(ErrorCode::InvalidParameterEncryptedIllegal))?;
    // Steps 5-6: regions, each found in the catalogue once for every step that reads it.
    let catalogue = &profile.regions.catalogue;
    let source_region = catalogue
        .region(&c.region)
        .ok_or_else(|| reject(ErrorCode::SourceRegionNotFound))?;
    let mut destinations: SmallVec<[&Region; 1]> = SmallVec::new();
    for d in &c.destination_regions {
        let region = catalogue
            .region(d)
            .ok_or_else(|| reject(ErrorCode::DestinationRegionNotFound))?;
        destinations.push(region);
    }
    // Steps 7-10: the source image.
    let (source, alias) = visible_image(state, caller, &c.region, &c.image)?;
    if alias == OwnerAlias::System {
        return Err(reject(ErrorCode::Forbbiden));
    }
    if source.status != ImageStatus::Available {
        return Err(reject(ErrorCode::IncorrectImageStatus));
    }
    let source_snapshots = image_snapshots(state, &source.snapshots)?;
    let account = state.account(caller);
    // Step 11: each route.
    for dest in &destinations {
        check_route(
            profile,
            source,
            source_region,
            alias,
            dest,
            &encryption,
            account,
        )?;
    }
    // Step 12: encryption.
    if source_snapshots.iter().any(|s| s.encrypted) && !encryption.is_encrypted() {
        return Err(reject(ErrorCode::OperationDeinedEncryptedSnapshot));
    }
    if let Some(key_id) = encryption.key() {
        for dest in &destinations {
            check_customer_key(state, caller, key_id, dest, account)?;
        }
    }
    // Step 13: size.
    if source.size_gib > profile.max_image_size_gib && !account.is_some_and(|a| a.size_allowed) {
        return Err(reject(ErrorCode::SizeExceedImage));
    }
    // Step 14: the default name; step 15: name and quotas in each destination.
    let name = c.name.clone().unwrap_or_else(|| source.name.clone());
    if !name.fits(profile.provider) {
        check_name_fits(profile.provider, &name, Parameter::DestinationImageName)?;
    }
    // Each destination's scope slot, handed on so the copy's insertion finds it again
    // without a lookup.
    let mut scopes: SmallVec<[Option<ScopeSlot>; 1]> = SmallVec::new();
    for dest in &c.destination_regions {
        // The caller's names and usage in `dest`, found once for both checks.
        let scope = state.scopes.get_full(caller, dest);
        if scope.is_some_and(|(_, s)| s.names.contains_key(&name)) {
            return Err(reject(ErrorCode::InvalidImageNameDuplicated));
        }
        let usage = scope.map(|(_, s)| s.usage).unwrap_or_default();
        check_quota(account, profile, usage, source.snapshots.len() as u32)?;
        scopes.push(scope.map(|(slot, _)| slot));
    }
    if c.dry_run {
        return Ok(Decision::new(Outcome::DryRunPassed, Vec::new()));
    }
    accept_copies(
        state,
        profile,
        c,
        caller,
        source,
        (&source_snapshots, &scopes),
        name,
        &encryption,
        (now, spare),
    )
}

/// Step 11 for one destination (`source_region` is the source image's region).
pub(super) fn check_route(
    profile: &Profile,
    source: &Image,
    source_region: &Region,
    alias: OwnerAlias,
    dest: &Region,
    encryption: &Encryption,
    account: Option<&crate::account::Account>,
) -> Checked<()> {
    let same_region = dest.id == source.region;
    let tencent = profile.provider == Provider::Tencent;
    match alias {
        OwnerAlias::Others if !same_region => {
            return Err(reject(ErrorCode::OperationDeniedSameRegionOnly));
        }
        OwnerAlias::Others => return Ok(()),
        OwnerAlias::Marketplace if !source.published_regions.contains(&dest.id) => {
            return Err(reject(ErrorCode::OperationDeniedNotPublished));
        }
        _ => {}
    }
    if tencent && encryption.is_encrypted() {
        // SyncImages: "an encrypted copy is made only within the source region".
        return if same_region {
            Ok(())
        } else {
            Err(EngineError::Rejected(
                ApiError::invalid_parameter("DestinationRegions")
                    .with_tencent(TencentCode::InvalidParameterValueInvalidRegion),
            ))
        };
    }
    if same_region {
        return Err(reject(ErrorCode::IncorrectDestinationRegion));
    }
    profile
        .regions
        .check_cross_regions(
            source_region,
            dest,
            account.is_some_and(|a| a.cross_border_allowed),
        )
        .map_err(|e| EngineError::Rejected(e.into()))?;
    if source.whole_machine
        && !profile
            .provider
            .copies_whole_machine_images_across_regions()
    {
        return Err(reject(ErrorCode::InstanceImageNotSupport));
    }
    Ok(())
}

/// Step 12's customer-key checks ([seed 004](crate::sources#seed-004)).
pub(super) fn check_customer_key(
    state: &State,
    caller: &AccountId,
    key_id: &crate::id::KmsKeyId,
    dest: &Region,
    account: Option<&crate::account::Account>,
) -> Checked<()> {
    let key = state
        .kms_key(key_id)
        .filter(|k| k.region == dest.id && &k.owner == caller)
        .ok_or_else(|| reject(ErrorCode::InvalidParameterKmsKeyIdNotFound))?;
    if !key.authorized {
        return Err(reject(ErrorCode::InvalidParameterKmsKeyIdKmsUnauthorized));
    }
    if !dest.byok_supported {
        return Err(reject(ErrorCode::InvalidRegionNotSupport));
    }
    if !account.is_some_and(|a| a.byok_allowed) {
        return Err(reject(ErrorCode::UserNotInTheWhiteList));
    }
    Ok(())
}

/// The accepted copy: per destination, a queued task, a `Waiting` image and its snapshots
/// (`scopes` has the slot of each destination's scope, where the check found one). The
/// engine starts the task if its lane is free.
#[allow(clippy::too_many_arguments)]
pub(super) fn accept_copies(
    state: &State,
    profile: &Profile,
    c: &CopyImage,
    caller: &AccountId,
    source: &Image,
    (source_snapshots, scopes): (&[&Snapshot], &[Option<ScopeSlot>]),
    name: ImageName,
    encryption: &Encryption,
    (now, spare): (DateTime<Utc>, &mut NewCopies),
) -> Checked<Decision> {
    let mut new_copies = std::mem::take(spare);
    new_copies.clear();
    let mut copies = Vec::with_capacity(c.destination_regions.len());
    let (mut image_counter, mut snapshot_counter) = (state.next_image, state.next_snapshot);
    let mut task_counter = state.next_task;
    // The state's stored ids, so the copy shares them instead of the command's.
    let caller = &state.interned_owner(caller);
    for (dest, scope) in c.destination_regions.iter().zip(scopes) {
        let dest = &state.interned_region(dest);
        let (image_id, n) = fresh_image_id(state, profile.provider, image_counter);
        image_counter = n;
        let mut snapshots: SmallVec<[Snapshot; 1]> =
            SmallVec::with_capacity(source_snapshots.len());
        for s in source_snapshots.iter() {
            let (id, n) = fresh_snapshot_id(state, profile.provider, snapshot_counter);
            snapshot_counter = n;
            snapshots.push(Snapshot {
                id,
                region: dest.clone(),
                owner: caller.clone(),
                created_at: now,
                size_gib: s.size_gib,
                encrypted: encryption.is_encrypted() || s.encrypted,
                // The requested key, or the destination's service key: a source snapshot's
                // key lives in the source region and can't encrypt the copy.
                kms_key: encryption.key().cloned(),
                // The copy's disks are the source's: the same ultimate source.
                lineage: Some(source.lineage()),
            });
        }
        task_counter += 1;
        let task = TaskId(task_counter);
        copies.push(AcceptedCopy {
            region: dest.clone(),
            image: image_id.clone(),
            task,
        });
        // Built where it goes: a task and an image are large, and each move copies them.
        new_copies.push(NewCopy {
            task: queued_task(task, caller, source, (&image_id, dest), now),
            image: waiting_image(
                c,
                caller,
                source,
                (image_id, dest),
                (&name, &snapshots),
                now,
            ),
            snapshots,
            next_image: image_counter,
            next_snapshot: snapshot_counter,
            scope: *scope,
        });
    }
    // Every copy must apply, or none: a counter past the limit would refuse a later copy
    // after the earlier ones were applied.
    within_counter_limit(&[image_counter, snapshot_counter, task_counter])?;
    Ok(Decision {
        outcome: Outcome::CopyAccepted { copies },
        copies: new_copies,
        events: Events::new(),
    })
}

/// A copy's task, `id`, queued at `now`: `caller`'s copy of `source` to `destination` (the
/// new image's id and its region).
fn queued_task(
    id: TaskId,
    caller: &AccountId,
    source: &Image,
    (destination, region): (&ImageId, &RegionId),
    now: DateTime<Utc>,
) -> CopyTask {
    CopyTask {
        id,
        owner: caller.clone(),
        source_image: source.id.clone(),
        source_region: source.region.clone(),
        destination_image: destination.clone(),
        destination_region: region.clone(),
        size_gib: source.size_gib,
        lifecycle: Lifecycle::queued(now),
    }
}

/// A copy's destination image `id` in `region`, `Waiting` from `now`: `caller`'s copy of
/// `source` named `name`, on `snapshots`, with the description and tags `c` asks for.
fn waiting_image(
    c: &CopyImage,
    caller: &AccountId,
    source: &Image,
    (id, region): (ImageId, &RegionId),
    (name, snapshots): (&ImageName, &[Snapshot]),
    now: DateTime<Utc>,
) -> Image {
    Image {
        id,
        region: region.clone(),
        owner: caller.clone(),
        name: name.clone(),
        description: c.description.clone(),
        kind: ImageKind::Custom,
        platform: source.platform,
        architecture: source.architecture,
        snapshots: snapshots.iter().map(|s| s.id.clone()).collect(),
        size_gib: source.size_gib,
        whole_machine: source.whole_machine,
        paid: source.paid,
        ultimate_source: source.ultimate_source.clone(),
        derived: false,
        status: ImageStatus::Waiting,
        progress: 0,
        tags: c.tags.clone(),
        copied_from: Some(source.id.clone()),
        published_regions: Vec::new(),
        created_at: now,
        // A copy is made in the cloud (Tencent `CREATE_IMAGE`), whatever its source.
        imported: false,
    }
}
