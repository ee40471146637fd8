//! `ImportImage`: a custom image from disk files outside the cloud, made by a host task.

use chrono::{DateTime, Utc};

use crate::error::{ApiError, ErrorCode, Parameter, TencentCode};
use crate::image::{Image, ImageKind, ImageStatus};
use crate::import::{DiskSource, ImportTask, ImportTaskId};
use crate::profile::Profile;
use crate::provider::Provider;
use crate::snapshot::Snapshot;
use crate::task::Lifecycle;

use super::common::*;
use super::{Checked, Decision, Events, one, reject};
use crate::engine::command::ImportImage;
use crate::engine::event::Event;
use crate::engine::state::State;
use crate::engine::{EngineError, Outcome};

/// The most disks one import takes: a system disk and 16 data disks (Alibaba's
/// `DiskDeviceMapping.N`, N from 1 to 17).
pub(crate) const MAX_IMPORT_DISKS: usize = 17;

/// `ImportImage`; the check order is in the `engine` module docs ("ImportImage").
pub(super) fn import_image(
    state: &State,
    profile: &Profile,
    c: &ImportImage,
    now: DateTime<Utc>,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    check_name_fits(profile.provider, &c.name, Parameter::ImageName)?;
    if c.disks.is_empty() {
        return Err(EngineError::Rejected(ApiError::missing_parameter(
            match profile.provider {
                Provider::Alibaba => "DiskDeviceMapping",
                Provider::Tencent => "ImageUrl",
            },
        )));
    }
    if c.disks.len() > MAX_IMPORT_DISKS {
        return Err(reject(ErrorCode::InvalidParameter));
    }
    for disk in &c.disks {
        match &disk.source {
            DiskSource::Oss { bucket, object } => {
                if object.trim().is_empty() {
                    return Err(EngineError::Rejected(ApiError::missing_parameter(
                        "DiskDeviceMapping.N.OSSObject",
                    )));
                }
                // The bucket is the caller's, in the image's region.
                let found = state
                    .bucket(bucket)
                    .is_some_and(|b| &b.owner == caller && b.region == c.region);
                if !found {
                    return Err(reject(ErrorCode::InvalidOssBucketNotFound));
                }
            }
            DiskSource::Url(url) => {
                let well_formed = (url.starts_with("http://") || url.starts_with("https://"))
                    && url.len() > "https://".len()
                    && !url.chars().any(char::is_whitespace);
                if !well_formed {
                    // Tencent: `InvalidParameter.InvalidParameterUrlError`, "错误的url地址"
                    // (`tencentcloud-sdk-go` `cvm/v20170312/errors.go:309`, listed for
                    // `ImportImage` in `client.go:4723`).
                    return Err(EngineError::Rejected(
                        ApiError::new(ErrorCode::InvalidParameter)
                            .with_tencent(TencentCode::InvalidParameterInvalidParameterUrlError),
                    ));
                }
            }
        }
        if disk.size_gib == 0 {
            return Err(reject(ErrorCode::InvalidParameter));
        }
    }
    let size_gib = c
        .disks
        .iter()
        .fold(0u64, |sum, d| sum.saturating_add(d.size_gib));
    let account = state.account(caller);
    if size_gib > profile.max_image_size_gib && !account.is_some_and(|a| a.size_allowed) {
        return Err(reject(ErrorCode::SizeExceedImage));
    }
    if state.image_named(caller, &c.region, &c.name).is_some() {
        return Err(reject(ErrorCode::InvalidImageNameDuplicated));
    }
    let disks = u32::try_from(c.disks.len()).unwrap_or(u32::MAX);
    check_quota(account, profile, state.usage(caller, &c.region), disks)?;
    if c.dry_run {
        return Ok(Decision::new(Outcome::DryRunPassed, Events::default()));
    }
    let (image_id, next_image) = fresh_image_id(state, profile.provider, state.next_image);
    let mut next_snapshot = state.next_snapshot;
    let mut snapshots = Vec::with_capacity(c.disks.len());
    for disk in &c.disks {
        let (id, n) = fresh_snapshot_id(state, profile.provider, next_snapshot);
        next_snapshot = n;
        snapshots.push(Snapshot::new(
            id,
            c.region.clone(),
            caller.clone(),
            now,
            disk.size_gib,
        ));
    }
    let task_id = ImportTaskId(state.next_import + 1);
    within_counter_limit(&[next_image, next_snapshot, task_id.0])?;
    let snapshot_ids: Vec<_> = snapshots.iter().map(|s| s.id().clone()).collect();
    let image = Image {
        id: image_id.clone(),
        region: c.region.clone(),
        owner: caller.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        kind: ImageKind::Custom,
        platform: c.platform,
        architecture: c.architecture,
        snapshots: snapshot_ids.clone(),
        size_gib,
        whole_machine: c.disks.len() > 1,
        paid: false,
        ultimate_source: image_id.clone(),
        derived: false,
        status: ImageStatus::Waiting,
        progress: 0,
        tags: crate::tag::Tags::empty(),
        copied_from: None,
        published_regions: Vec::new(),
        created_at: now,
        imported: true,
    };
    let task = ImportTask {
        id: task_id,
        owner: caller.clone(),
        region: c.region.clone(),
        image: image_id.clone(),
        disks: c.disks.clone(),
        snapshots: snapshot_ids,
        platform: c.platform,
        os_version: c.os_version.clone(),
        architecture: c.architecture,
        lifecycle: Lifecycle::queued(now),
    };
    Ok(Decision::new(
        Outcome::ImportAccepted {
            image: image_id,
            task: task_id,
        },
        one(Event::ImportAccepted {
            task: Box::new(task),
            image: Box::new(image),
            snapshots,
            next_image,
            next_snapshot,
        }),
    ))
}
