//! The decisions: each command is checked against the state without changing it, and
//! either refused with the first failing rule or turned into the events that carry it out.
//!
//! The check order of `CopyImage` / `SyncImages` is public: it is in the `engine` module
//! docs ("Check order"), and the step numbers in the comments below refer to it.

use chrono::{DateTime, Utc};

use smallvec::SmallVec;

use crate::copy::{CopyTask, TaskId, TaskState};
use crate::error::{ApiError, ErrorCode, Parameter};
use crate::id::{AccountId, ImageId, SnapshotId};
use crate::image::{Image, ImageKind, ImageStatus, OwnerAlias};
use crate::kms::Encryption;
use crate::name::{ImageName, ImageNameError};
use crate::provider::{Profile, Provider};
use crate::region::RegionId;
use crate::snapshot::Snapshot;
use crate::tencent::TencentCode;

use super::command::{
    ApiCall, CancelCopyImage, Command, CopyImage, CreateImage, DeleteImage, Fixture, HostReport,
    ModifyImageSharePermission,
};
use super::event::{CopyAcceptance, Event};
use super::exporting;
use super::invariants::quotas_of;
use super::state::{State, Usage};
use super::{AcceptedCopy, EngineError, FixtureError, HostError, Outcome};

/// A command's verdict: its answer and the events that carry it out.
pub(crate) struct Decision {
    pub outcome: Outcome,
    pub events: Events,
}

impl Decision {
    pub(super) fn new(outcome: Outcome, events: impl Into<Events>) -> Self {
        Decision {
            outcome,
            events: events.into(),
        }
    }
}

/// A decision's events, in order: most commands make one.
pub(crate) type Events = SmallVec<[Event; 1]>;

/// A decision's one event (nearly every decision has exactly one: held inline, no
/// allocation).
pub(super) fn one(event: Event) -> Events {
    smallvec::smallvec![event]
}

pub(super) type Checked<T> = Result<T, EngineError>;

fn reject(code: ErrorCode) -> EngineError {
    EngineError::Rejected(ApiError::new(code))
}

/// Decides `command` at `now` against `state`.
pub(crate) fn decide(
    state: &State,
    profile: &Profile,
    command: &Command,
    now: DateTime<Utc>,
) -> Checked<Decision> {
    match command {
        Command::Fixture(Fixture::Account(a)) => {
            check_quotas_cover_usage(state, a)?;
            Ok(Decision::new(
                Outcome::Registered,
                one(Event::AccountRegistered(a.clone())),
            ))
        }
        Command::Fixture(Fixture::Snapshot(s)) => {
            check_fixture_region(profile, &s.region)?;
            if state.snapshots.contains_key(&s.id) {
                return Err(FixtureError::DuplicateId(s.id.to_string()).into());
            }
            let (_, quota) = quotas_of(state.account(&s.owner), profile);
            if state.usage(&s.owner, &s.region).snapshots >= quota {
                return Err(FixtureError::OverQuota(s.owner.clone(), s.region.clone()).into());
            }
            Ok(Decision::new(
                Outcome::Registered,
                one(Event::SnapshotRegistered(Box::new(s.clone()))),
            ))
        }
        Command::Fixture(Fixture::Image(i)) => {
            check_fixture_image(state, profile, i)?;
            Ok(Decision::new(
                Outcome::Registered,
                one(Event::ImageRegistered(Box::new(i.clone()))),
            ))
        }
        Command::Fixture(Fixture::KmsKey(k)) => {
            check_fixture_region(profile, &k.region)?;
            if state.keys.contains_key(&k.id) {
                return Err(FixtureError::DuplicateId(k.id.to_string()).into());
            }
            Ok(Decision::new(
                Outcome::Registered,
                one(Event::KmsKeyRegistered(k.clone())),
            ))
        }
        Command::Call(ApiCall::CreateImage(c)) => create_image(state, profile, c, now),
        Command::Call(ApiCall::CopyImage(c)) => copy_image(state, profile, c, now),
        Command::Call(ApiCall::CancelCopyImage(c)) => cancel_copy(state, profile, c),
        Command::Call(ApiCall::DeleteImage(c)) => delete_image(state, profile, c),
        Command::Call(ApiCall::ModifyImageSharePermission(c)) => modify_share(state, profile, c),
        Command::Fixture(Fixture::Bucket(b)) => {
            check_fixture_region(profile, &b.region)?;
            if state.bucket(&b.name).is_some() {
                return Err(FixtureError::DuplicateId(b.name.to_string()).into());
            }
            Ok(Decision::new(
                Outcome::Registered,
                one(Event::BucketRegistered(b.clone())),
            ))
        }
        Command::Call(ApiCall::ExportImage(c)) => exporting::export_image(state, profile, c, now),
        Command::Call(ApiCall::CancelExport(c)) => exporting::cancel_export(state, profile, c),
        Command::Report(HostReport::ExportStarted(task)) => exporting::started(state, *task),
        Command::Report(HostReport::ExportProgress { task, percent }) => {
            exporting::progress(state, *task, *percent)
        }
        Command::Report(HostReport::ExportFinished(task)) => exporting::finished(state, *task),
        Command::Report(HostReport::ExportFailed { task, reason }) => {
            exporting::failed(state, *task, reason)
        }
        Command::Report(HostReport::CopyStarted(task)) => {
            let t = live_task(state, *task)?;
            if t.state != TaskState::Running {
                return Err(EngineError::from(crate::copy::TransitionError {
                    task: *task,
                    from: t.state,
                    action: "start",
                }));
            }
            Ok(Decision::new(Outcome::Reported, Vec::new()))
        }
        Command::Report(HostReport::CopyProgress { task, percent }) => {
            let t = live_task(state, *task)?;
            t.state.check_progress(*task)?;
            if *percent > 100 {
                return Err(EngineError::Host(HostError::ProgressOutOfRange {
                    task: *task,
                    percent: *percent,
                }));
            }
            if *percent < t.progress {
                return Err(EngineError::Host(HostError::ProgressWentBack {
                    task: *task,
                    from: t.progress,
                    to: *percent,
                }));
            }
            let events = if *percent == t.progress {
                Events::default()
            } else {
                one(Event::CopyProgressed {
                    task: *task,
                    percent: *percent,
                })
            };
            Ok(Decision::new(Outcome::Reported, events))
        }
        Command::Report(HostReport::CopyFinished(task)) => {
            live_task(state, *task)?.state.finish(*task)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::CopySucceeded { task: *task }),
            ))
        }
        Command::Report(HostReport::CopyFailed { task, reason }) => {
            live_task(state, *task)?.state.fail(*task)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::CopyFailed {
                    task: *task,
                    reason: reason.clone(),
                }),
            ))
        }
    }
}

fn live_task(state: &State, id: TaskId) -> Checked<&CopyTask> {
    state
        .task(id)
        .ok_or(EngineError::Host(HostError::UnknownTask(id)))
}

// ------------------------------------------------------------------------- fixtures

fn check_fixture_region(profile: &Profile, region: &RegionId) -> Checked<()> {
    if profile.regions.catalogue.has(region) {
        Ok(())
    } else {
        Err(FixtureError::UnknownRegion(region.clone()).into())
    }
}

fn check_quotas_cover_usage(state: &State, account: &crate::account::Account) -> Checked<()> {
    for (owner, region, usage) in state.usages() {
        if owner == &account.id
            && (usage.images > account.image_quota || usage.snapshots > account.snapshot_quota)
        {
            return Err(FixtureError::OverQuota(owner.clone(), region.clone()).into());
        }
    }
    Ok(())
}

fn check_fixture_image(state: &State, profile: &Profile, i: &Image) -> Checked<()> {
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
    if i.kind == ImageKind::Custom {
        if state.image_named(&i.owner, &i.region, &i.name).is_some() {
            return Err(FixtureError::DuplicateName(i.name.clone()).into());
        }
        let (quota, _) = quotas_of(state.account(&i.owner), profile);
        if state.usage(&i.owner, &i.region).images >= quota {
            return Err(FixtureError::OverQuota(i.owner.clone(), i.region.clone()).into());
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------- shared checks

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

fn check_name_fits(provider: Provider, name: &ImageName, parameter: Parameter) -> Checked<()> {
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
        .image(id)
        .filter(|i| &i.region == region)
        .and_then(|i| {
            // Only another account's custom image needs the share list.
            let shared = i.kind == ImageKind::Custom
                && &i.owner != caller
                && state.is_shared_with(id, caller);
            i.owner_alias_for(caller, shared).map(|alias| (i, alias))
        })
        .ok_or_else(|| reject(ErrorCode::InvalidImageIdNotFound))
}

/// Seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004): `InvalidSnapshotId.NotFound` and `InvalidSnapshot.TooOld`.
fn image_snapshots<'s>(
    state: &'s State,
    ids: &[SnapshotId],
) -> Checked<SmallVec<[&'s Snapshot; 1]>> {
    let snapshots = ids
        .iter()
        .map(|id| state.snapshot(id))
        .collect::<Option<SmallVec<[_; 1]>>>()
        .ok_or_else(|| reject(ErrorCode::InvalidSnapshotIdNotFound))?;
    if snapshots.iter().any(|s| !s.is_recent_enough()) {
        return Err(reject(ErrorCode::InvalidSnapshotTooOld));
    }
    Ok(snapshots)
}

/// Whether one more image and `new_snapshots` more snapshots fit the quotas of `account`
/// (the profile's defaults if unknown), which uses `usage` in the region.
fn check_quota(
    account: Option<&crate::account::Account>,
    profile: &Profile,
    usage: Usage,
    new_snapshots: u32,
) -> Checked<()> {
    let (image_quota, snapshot_quota) = quotas_of(account, profile);
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
    match super::invariants::counter_out_of_range(counters) {
        Some(_) => Err(reject(ErrorCode::InternalError)),
        None => Ok(()),
    }
}

fn fresh_image_id(state: &State, provider: Provider, mut counter: u64) -> (ImageId, u64) {
    loop {
        counter += 1;
        let id = ImageId::generated(provider, counter);
        if state.image(&id).is_none() {
            return (id, counter);
        }
    }
}

fn fresh_snapshot_id(state: &State, provider: Provider, mut counter: u64) -> (SnapshotId, u64) {
    loop {
        counter += 1;
        let id = SnapshotId::generated(provider, counter);
        if state.snapshot(&id).is_none() && !state.names_missing_snapshot(&id) {
            return (id, counter);
        }
    }
}

// ------------------------------------------------------------------------- CreateImage

fn create_image(
    state: &State,
    profile: &Profile,
    c: &CreateImage,
    now: DateTime<Utc>,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    check_name_fits(profile.provider, &c.name, Parameter::ImageName)?;
    if c.snapshots.is_empty() {
        return Err(EngineError::Rejected(ApiError::missing_parameter(
            "SnapshotId",
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
    if c.snapshots
        .iter()
        .any(|s| state.is_snapshot_of_live_copy(s))
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
    let (id, next_image) = fresh_image_id(state, profile.provider, state.next_image);
    within_counter_limit(&[next_image])?;
    let image = Image {
        id: id.clone(),
        region: c.region.clone(),
        owner: caller.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        kind: ImageKind::Custom,
        platform: c.platform,
        snapshots: c.snapshots.clone(),
        size_gib: snapshots
            .iter()
            .fold(0u64, |sum, s| sum.saturating_add(s.size_gib)),
        whole_machine: c.snapshots.len() > 1,
        paid: false,
        ultimate_source: id.clone(),
        status: ImageStatus::Available,
        progress: 100,
        tags: c.tags.clone(),
        copied_from: None,
        published_regions: Vec::new(),
        created_at: now,
    };
    Ok(Decision::new(
        Outcome::ImageCreated { image: id },
        one(Event::ImageCreated {
            image: Box::new(image),
            next_image,
        }),
    ))
}

// ------------------------------------------------------------------------- CopyImage

fn copy_image(
    state: &State,
    profile: &Profile,
    c: &CopyImage,
    now: DateTime<Utc>,
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
    // Steps 5-6: regions.
    let catalogue = &profile.regions.catalogue;
    if !catalogue.has(&c.region) {
        return Err(reject(ErrorCode::SourceRegionNotFound));
    }
    if c.destination_regions.iter().any(|d| !catalogue.has(d)) {
        return Err(reject(ErrorCode::DestinationRegionNotFound));
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
    for dest in &c.destination_regions {
        check_route(profile, source, alias, dest, &encryption, account)?;
    }
    // Step 12: encryption.
    if source_snapshots.iter().any(|s| s.encrypted) && !encryption.is_encrypted() {
        return Err(reject(ErrorCode::OperationDeinedEncryptedSnapshot));
    }
    if let Some(key_id) = encryption.key() {
        for dest in &c.destination_regions {
            check_customer_key(state, profile, caller, key_id, dest, account)?;
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
    for dest in &c.destination_regions {
        // The caller's names and usage in `dest`, found once for both checks.
        let scope = state.scope(caller, dest);
        if scope.is_some_and(|s| s.names.contains_key(&name)) {
            return Err(reject(ErrorCode::InvalidImageNameDuplicated));
        }
        let usage = scope.map(|s| s.usage).unwrap_or_default();
        check_quota(account, profile, usage, source.snapshots.len() as u32)?;
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
        &source_snapshots,
        name,
        &encryption,
        now,
    )
}

/// Step 11 for one destination.
fn check_route(
    profile: &Profile,
    source: &Image,
    alias: OwnerAlias,
    dest: &RegionId,
    encryption: &Encryption,
    account: Option<&crate::account::Account>,
) -> Checked<()> {
    let same_region = dest == &source.region;
    let tencent = profile.provider == Provider::Tencent;
    match alias {
        OwnerAlias::Others if !same_region => {
            return Err(reject(ErrorCode::OperationDeniedSameRegionOnly));
        }
        OwnerAlias::Others => return Ok(()),
        OwnerAlias::Marketplace if !source.published_regions.contains(dest) => {
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
        .check_cross_region_ids(
            &source.region,
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
fn check_customer_key(
    state: &State,
    profile: &Profile,
    caller: &AccountId,
    key_id: &crate::id::KmsKeyId,
    dest: &RegionId,
    account: Option<&crate::account::Account>,
) -> Checked<()> {
    let key = state
        .kms_key(key_id)
        .filter(|k| &k.region == dest && &k.owner == caller)
        .ok_or_else(|| reject(ErrorCode::InvalidParameterKmsKeyIdNotFound))?;
    if !key.authorized {
        return Err(reject(ErrorCode::InvalidParameterKmsKeyIdKmsUnauthorized));
    }
    let byok_region = profile
        .regions
        .catalogue
        .region(dest)
        .is_some_and(|r| r.byok_supported);
    if !byok_region {
        return Err(reject(ErrorCode::InvalidRegionNotSupport));
    }
    if !account.is_some_and(|a| a.byok_allowed) {
        return Err(reject(ErrorCode::UserNotInTheWhiteList));
    }
    Ok(())
}

/// The events of an accepted copy: per destination, a queued task, a `Waiting` image and
/// its snapshots. The engine starts the task if its lane is free.
#[allow(clippy::too_many_arguments)]
fn accept_copies(
    state: &State,
    profile: &Profile,
    c: &CopyImage,
    caller: &AccountId,
    source: &Image,
    source_snapshots: &[&Snapshot],
    name: ImageName,
    encryption: &Encryption,
    now: DateTime<Utc>,
) -> Checked<Decision> {
    let mut events = Events::default();
    let mut copies = Vec::with_capacity(c.destination_regions.len());
    let (mut image_counter, mut snapshot_counter) = (state.next_image, state.next_snapshot);
    let mut task_counter = state.next_task;
    // The state's stored ids, so the copy shares them instead of the command's.
    let caller = &state.interned_owner(caller);
    for dest in &c.destination_regions {
        let dest = &state.interned_region(dest);
        let (image_id, n) = fresh_image_id(state, profile.provider, image_counter);
        image_counter = n;
        let mut snapshots = Vec::with_capacity(source_snapshots.len());
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
            });
        }
        task_counter += 1;
        let task = CopyTask {
            id: TaskId(task_counter),
            owner: caller.clone(),
            source_image: source.id.clone(),
            source_region: source.region.clone(),
            destination_image: image_id.clone(),
            destination_region: dest.clone(),
            size_gib: source.size_gib,
            state: TaskState::Queued,
            progress: 0,
            queued_at: now,
            started_at: None,
            ended_at: None,
            failure_reason: None,
        };
        let image = Image {
            id: image_id.clone(),
            region: dest.clone(),
            owner: caller.clone(),
            name: name.clone(),
            description: c.description.clone(),
            kind: ImageKind::Custom,
            platform: source.platform,
            snapshots: snapshots.iter().map(|s| s.id.clone()).collect(),
            size_gib: source.size_gib,
            whole_machine: source.whole_machine,
            paid: source.paid,
            ultimate_source: source.ultimate_source.clone(),
            status: ImageStatus::Waiting,
            progress: 0,
            tags: c.tags.clone(),
            copied_from: Some(source.id.clone()),
            published_regions: Vec::new(),
            created_at: now,
        };
        copies.push(AcceptedCopy {
            region: dest.clone(),
            image: image_id,
            task: task.id,
        });
        events.push(Event::CopyAccepted(Box::new(CopyAcceptance {
            task,
            image,
            snapshots,
            next_image: image_counter,
            next_snapshot: snapshot_counter,
        })));
    }
    // Every event must apply, or none: a counter past the limit would refuse a later copy
    // after the earlier ones were applied.
    within_counter_limit(&[image_counter, snapshot_counter, task_counter])?;
    Ok(Decision::new(Outcome::CopyAccepted { copies }, events))
}

// ------------------------------------------------------------------------- Cancel, Delete, Share

/// `CancelCopyImage`: addressed by the destination region and image. Allowed while the
/// copy is queued or running; a finished or failed copy answers `IncorrectImageStatus`
/// ("The specified image is not coping.", Alibaba's `CancelCopyImage` table), an image that
/// is no copy's destination `ImageCreatedNotFromCopy`.
fn cancel_copy(state: &State, profile: &Profile, c: &CancelCopyImage) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let (image, alias) = visible_image(state, caller, &c.region, &c.image)?;
    if let (OwnerAlias::Own, Some(task)) = (alias, state.live_task_of(&image.id)) {
        return Ok(Decision::new(
            Outcome::CopyCancelled {
                image: image.id.clone(),
            },
            one(Event::CopyCancelled { task }),
        ));
    }
    if alias == OwnerAlias::Own && image.copied_from.is_some() {
        return Err(EngineError::Rejected(
            ApiError::new(ErrorCode::IncorrectImageStatus)
                .with_message("The specified image is not coping."),
        ));
    }
    Err(reject(ErrorCode::ImageCreatedNotFromCopy))
}

/// `DeleteImage`: an image being copied to, or the source of a queued or running copy, is
/// refused with `OperationDenied.ImageCopying`; an image being exported with
/// `ImageIsExporting` ("The specified Image is exporting. Please cancel task first.",
/// Alibaba's `DeleteImage` table; Tencent `InvalidParameterValue.InvalidImageState`); a
/// shared image disappears for the caller only, and not while the caller's own copy from it
/// is queued or running (`OperationDenied.ImageCopying`); deleting one's own image revokes
/// its shares; public and marketplace images can't
/// be deleted (`Forbbiden`).
fn delete_image(state: &State, profile: &Profile, c: &DeleteImage) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let (image, alias) = visible_image(state, caller, &c.region, &c.image)?;
    let id = image.id.clone();
    let event = match alias {
        OwnerAlias::System | OwnerAlias::Marketplace => return Err(reject(ErrorCode::Forbbiden)),
        OwnerAlias::Others => {
            // The image stays for its owner and others, but the caller's own copy from it
            // still reads it: the same guard as the owner's delete, for the caller's copies.
            if state.live_copies_from(&id) > 0 && copies_live_from(state, caller, &id) {
                return Err(reject(ErrorCode::OperationDeniedImageCopying));
            }
            Event::ImageUnshared {
                image: id.clone(),
                account: caller.clone(),
            }
        }
        OwnerAlias::Own => {
            if state.live_task_of(&id).is_some() || state.live_copies_from(&id) > 0 {
                return Err(reject(ErrorCode::OperationDeniedImageCopying));
            }
            if state.live_export_of(&id).is_some() {
                return Err(reject(ErrorCode::ImageIsExporting));
            }
            Event::ImageDeleted { image: id.clone() }
        }
    };
    Ok(Decision::new(
        Outcome::ImageDeleted { image: id },
        one(event),
    ))
}

/// Whether `caller` has a queued or running copy from `source`.
fn copies_live_from(state: &State, caller: &AccountId, source: &ImageId) -> bool {
    state
        .live_tasks()
        .any(|t| &t.owner == caller && &t.source_image == source)
}

/// `ModifyImageSharePermission`: only the owner shares a custom image (`Forbbiden`
/// otherwise), never with itself (`InvalidAccount.Forbbiden`), and only while it is
/// `Available` (`IncorrectImageStatus`). Adding an account that already has it, or removing
/// one that has not, changes nothing.
fn modify_share(
    state: &State,
    profile: &Profile,
    c: &ModifyImageSharePermission,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let (image, alias) = visible_image(state, caller, &c.region, &c.image)?;
    if alias != OwnerAlias::Own {
        return Err(reject(ErrorCode::Forbbiden));
    }
    if c.add.contains(caller) {
        return Err(reject(ErrorCode::InvalidAccountForbbiden));
    }
    if image.status != ImageStatus::Available {
        return Err(reject(ErrorCode::IncorrectImageStatus));
    }
    let mut shared: std::collections::BTreeSet<&AccountId> = state.shared_with(&image.id).collect();
    let mut events = Events::default();
    for account in &c.add {
        if shared.insert(account) {
            events.push(Event::ImageShared {
                image: image.id.clone(),
                account: account.clone(),
            });
        }
    }
    for account in &c.remove {
        if shared.remove(account) {
            events.push(Event::ImageUnshared {
                image: image.id.clone(),
                account: account.clone(),
            });
        }
    }
    Ok(Decision::new(Outcome::ShareModified, events))
}
