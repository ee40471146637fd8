//! `CancelCopyImage`, `DeleteImage` and `ModifyImageSharePermission`: the calls that end a
//! copy, remove an image or change who sees it.

use crate::error::{ApiError, ErrorCode, Parameter, TencentCode};
use crate::id::{AccountId, ImageId};
use crate::image::{ImageStatus, OwnerAlias};
use crate::profile::Profile;
use crate::provider::Provider;

use super::common::*;
use super::{Checked, Decision, Events, one, reject};
use crate::engine::command::{
    CancelCopyImage, DeleteImage, DeleteImages, ModifyImageAttribute, ModifyImageSharePermission,
};
use crate::engine::event::Event;
use crate::engine::state::State;
use crate::engine::{EngineError, Outcome};

/// `CancelCopyImage`: addressed by the destination region and image. Allowed while the
/// copy is queued or running; a finished or failed copy answers `IncorrectImageStatus`
/// ("The specified image is not coping.", Alibaba's `CancelCopyImage` table), an image that
/// is no copy's destination `ImageCreatedNotFromCopy`.
pub(super) fn cancel_copy(
    state: &State,
    profile: &Profile,
    c: &CancelCopyImage,
) -> Checked<Decision> {
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
pub(super) fn delete_image(state: &State, profile: &Profile, c: &DeleteImage) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    let event = delete_event(state, caller, &c.region, &c.image)?;
    Ok(Decision::new(
        Outcome::ImageDeleted {
            image: c.image.clone(),
        },
        one(event),
    ))
}

/// The rules of one image's deletion (see [`delete_image`]), shared with `DeleteImages`:
/// the event that deletes `id` for `caller`, or the refusal.
fn delete_event(
    state: &State,
    caller: &AccountId,
    region: &crate::region::RegionId,
    id: &ImageId,
) -> Checked<Event> {
    let (image, alias) = visible_image(state, caller, region, id)?;
    let id = image.id.clone();
    Ok(match alias {
        OwnerAlias::System | OwnerAlias::Marketplace => return Err(reject(ErrorCode::Forbbiden)),
        OwnerAlias::Others => {
            // The image stays for its owner and others, but the caller's own copy from it
            // still reads it: the same guard as the owner's delete, for the caller's copies.
            if state.live_copies_from(&id) > 0 && copies_live_from(state, caller, &id) {
                return Err(reject(ErrorCode::OperationDeniedImageCopying));
            }
            Event::ImageUnshared {
                image: id,
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
            // An image still being imported is not `Available` yet.
            if state.live_import_of(&id).is_some() {
                return Err(reject(ErrorCode::IncorrectImageStatus));
            }
            Event::ImageDeleted { image: id }
        }
    })
}

/// `DeleteImages` (Tencent): the caller (`InvalidAliUid.IsNull`), the region
/// (`InvalidRegionId.NotFound`), at least one image (`MissingParameter`, `ImageIds`), none
/// named twice (`InvalidParameter`); then each image in the order given by the rules of
/// [`delete_image`], and, unlike `DeleteImage`, an image of the caller's still shared with
/// other accounts is refused (`InvalidImageId.InShared`: Tencent's `DeleteImages` docs, "被共享
/// 的镜像，需要先取消共享关系，才能删除", a shared image can be deleted only once its shares are
/// cancelled, `tencentcloud-sdk-go` `cvm/v20170312/client.go:1512`); every image is checked
/// before any is deleted: the first refusal is the answer and nothing changes. A dry run stops
/// after the checks.
pub(super) fn delete_images(
    state: &State,
    profile: &Profile,
    c: &DeleteImages,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    if c.images.is_empty() {
        return Err(EngineError::Rejected(ApiError::missing_parameter(
            "ImageIds",
        )));
    }
    let distinct: std::collections::BTreeSet<&ImageId> = c.images.iter().collect();
    if distinct.len() != c.images.len() {
        return Err(reject(ErrorCode::InvalidParameter));
    }
    let mut events = Events::default();
    for id in &c.images {
        let event = delete_event(state, caller, &c.region, id)?;
        // Tencent keeps an image that other accounts have: "被共享的镜像，需要先取消共享关系，
        // 才能删除" (`tencentcloud-sdk-go` `cvm/v20170312/client.go:1512`, code
        // `InvalidImageId.InShared` at `client.go:1519`, `errors.go:168`).
        if matches!(event, Event::ImageDeleted { .. }) && state.shared_with(id).next().is_some() {
            return Err(EngineError::Rejected(
                ApiError::new(ErrorCode::Forbbiden)
                    .with_tencent(TencentCode::InvalidImageIdInShared),
            ));
        }
        events.push(event);
    }
    if c.dry_run {
        return Ok(Decision::new(Outcome::DryRunPassed, Events::default()));
    }
    Ok(Decision::new(
        Outcome::ImagesDeleted {
            images: c.images.clone(),
        },
        events,
    ))
}

/// `ModifyImageAttribute` (Tencent's SDK lists `InvalidImageId.NotFound`,
/// `InvalidImageId.IncorrectState` and `InvalidImageName.Duplicate` for the call, the
/// renderings of the codes below): checks, in this order (the first failure wins; stable): the
/// caller (`InvalidAliUid.IsNull`); the region (`InvalidRegionId.NotFound`); a new name
/// fits the provider (`InvalidImageName.Malformed`; Tencent: 60 characters); the image is in
/// the region and visible to the caller (`InvalidImageId.NotFound`); the caller owns it
/// (`Forbbiden`: a shared, public or marketplace image can't be changed; on Tencent an
/// image shared from another account answers `UnsupportedOperation.SharedImageModifyUnsupported`,
/// "从其他账号共享的镜像不支持修改属性", `tencentcloud-sdk-go` `cvm/v20170312/errors.go:1224`,
/// listed for the call in `client.go:6383`); it is not being made (a copy's or an
/// import's destination, `IncorrectImageStatus`: this crate's choice, the name of an image
/// in flight is the copy task's); a new name is free among the caller's images in the
/// region, other than this one (`InvalidImageName.Duplicated`). With nothing to change the
/// call succeeds and records nothing.
pub(super) fn modify_attribute(
    state: &State,
    profile: &Profile,
    c: &ModifyImageAttribute,
) -> Checked<Decision> {
    let caller = require_caller(&c.caller)?;
    require_region(profile, &c.region)?;
    if let Some(name) = &c.name {
        check_name_fits(profile.provider, name, Parameter::ImageName)?;
    }
    let (image, alias) = visible_image(state, caller, &c.region, &c.image)?;
    if alias == OwnerAlias::Others {
        // Tencent: `UnsupportedOperation.SharedImageModifyUnsupported`, "从其他账号共享的镜像不支持
        // 修改属性" (`tencentcloud-sdk-go` `cvm/v20170312/errors.go:1224`, listed for the call
        // in `client.go:6383`).
        return Err(EngineError::Rejected(
            ApiError::new(ErrorCode::Forbbiden)
                .with_tencent(TencentCode::UnsupportedOperationSharedImageModifyUnsupported),
        ));
    }
    if alias != OwnerAlias::Own {
        return Err(reject(ErrorCode::Forbbiden));
    }
    if image.is_in_flight() {
        return Err(reject(ErrorCode::IncorrectImageStatus));
    }
    if let Some(name) = &c.name {
        if state
            .image_named(caller, &c.region, name)
            .is_some_and(|other| other != &image.id)
        {
            return Err(reject(ErrorCode::InvalidImageNameDuplicated));
        }
    }
    let outcome = Outcome::ImageModified {
        image: image.id.clone(),
    };
    let changes_name = c.name.as_ref().is_some_and(|n| n != &image.name);
    let changes_description = c
        .description
        .as_ref()
        .is_some_and(|d| Some(d) != image.description.as_ref());
    if !changes_name && !changes_description {
        return Ok(Decision::new(outcome, Events::default()));
    }
    Ok(Decision::new(
        outcome,
        one(Event::ImageAttributeModified {
            image: image.id.clone(),
            name: c.name.clone().filter(|_| changes_name),
            description: c.description.clone().filter(|_| changes_description),
        }),
    ))
}

/// Whether `caller` has a queued or running copy from `source`.
pub(super) fn copies_live_from(state: &State, caller: &AccountId, source: &ImageId) -> bool {
    state
        .live_tasks()
        .any(|t| &t.owner == caller && &t.source_image == source)
}

/// `ModifyImageSharePermission`. Checks, in this order (the first failure wins; stable):
/// 1. caller present: `InvalidAliUid.IsNull`
/// 2. the call's region is known: `InvalidRegionId.NotFound`
/// 3. the image is in that region and visible to the caller: `InvalidImageId.NotFound`
/// 4. the caller owns it (a custom image): `Forbbiden`
/// 5. the owner is not among the accounts to add: `InvalidAccount.Forbbiden` (Tencent
///    `InvalidAccountIs.YourSelf`, both listed for the call: Alibaba's
///    `ModifyImageSharePermission` error table, and `tencentcloud-sdk-go`
///    `cvm/v20170312/client.go`, which also lists `FailedOperation.AccountIsYourSelf`; the
///    crate answers the `InvalidAccountIs.YourSelf` of `errors.go`: "You cannot share images
///    with yourself.")
/// 6. the image is `Available`: `IncorrectImageStatus`
/// 7. every account to add is known (registered with [`Fixture::Account`]):
///    `InvalidAccount.NotFound` (Tencent `InvalidAccountId.NotFound`)
/// 8. Tencent only: no account to add has the image already:
///    `FailedOperation.AccountAlreadyExists` (listed for the call in the SDK's `client.go`).
///    Alibaba answers a repeated share with success and changes nothing.
///
/// Removing an account that does not have the image changes nothing.
///
/// [`Fixture::Account`]: crate::engine::Fixture::Account
pub(super) fn modify_share(
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
    if c.add.iter().any(|a| state.account(a).is_none()) {
        return Err(reject(ErrorCode::InvalidAccountNotFound));
    }
    if profile.provider == Provider::Tencent
        && c.add.iter().any(|a| state.is_shared_with(&image.id, a))
    {
        return Err(reject(ErrorCode::AccountAlreadyExists));
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
