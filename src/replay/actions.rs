//! Each action's parameters, read into engine commands.

use chrono::{DateTime, Utc};

use crate::account::Account;
use crate::engine::{CancelCopyImage, Command, CopyImage, DeleteImage, ModifyImageSharePermission};
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode, Parameter};
use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId, SnapshotId};
use crate::image::{Image, ImageKind, ImageStatus, Platform};
use crate::kms::KmsKey;
use crate::name::{Description, ImageName};
use crate::profile::Profile;
use crate::provider::Provider;
use crate::region::RegionId;
use crate::snapshot::Snapshot;
use crate::tag::{Tag, Tags};

use super::fields::Fields;

type Read<T> = Result<T, ApiError>;

/// `CallerId`: absent or empty is `InvalidAliUid.IsNull` (checked first, as the engine does).
pub(crate) fn caller(f: &Fields<'_>) -> Read<Option<AccountId>> {
    match f.str_opt("CallerId")? {
        None | Some("") => Ok(None),
        Some(s) => AccountId::new(s)
            .map(Some)
            .map_err(|e| f.invalid("CallerId", &e.to_string())),
    }
}

/// `CallerId`, required: absent or empty is `InvalidAliUid.IsNull`, answered before any other
/// parameter is read (the engine's first check).
pub(crate) fn require_caller(f: &Fields<'_>) -> Read<AccountId> {
    caller(f)?.ok_or_else(|| ApiError::new(ErrorCode::InvalidAliUidIsNull))
}

/// `ClientToken`, optional.
pub(crate) fn client_token(f: &Fields<'_>) -> Read<Option<ClientToken>> {
    f.str_opt("ClientToken")?
        .map(|s| ClientToken::new(s).map_err(|e| f.invalid("ClientToken", &e.to_string())))
        .transpose()
}

/// A region id; a malformed one is as unknown as a missing region, answered with `code`.
fn region(f: &Fields<'_>, name: &str, code: ErrorCode) -> Read<RegionId> {
    RegionId::new(f.str_req(name)?).map_err(|_| ApiError::new(code))
}

/// An image id of a call; a malformed id does not exist (`InvalidImageId.NotFound`;
/// Tencent answers `InvalidImageId.Malformed`).
pub(crate) fn image_id(s: &str) -> Read<ImageId> {
    ImageId::new(s).map_err(|_| {
        ApiError::new(ErrorCode::InvalidImageIdNotFound)
            .with_tencent(TencentCode::InvalidImageIdMalformed)
    })
}

fn tags(f: &Fields<'_>, name: &str) -> Read<Tags> {
    let Some(items) = f.objects_opt(name)? else {
        return Ok(Tags::empty());
    };
    let mut tags = Vec::with_capacity(items.len());
    for pairs in items {
        // A tag entry is read like a line's parameters: errors name the line, and a member
        // other than `Key` and `Value` is refused.
        let tf = Fields::new(f.line(), pairs);
        tf.only(&["Key", "Value"])?;
        let key = tf.str_opt("Key")?.ok_or_else(|| f.missing("Tag.N.Key"))?;
        let value = tf.str_opt("Value")?.unwrap_or("");
        tags.push(Tag::new(key, value)?);
    }
    Ok(Tags::new(tags)?)
}

fn kms_key(f: &Fields<'_>, name: &str) -> Read<Option<KmsKeyId>> {
    f.str_opt(name)?
        .filter(|s| !s.is_empty())
        .map(|s| {
            KmsKeyId::new(s).map_err(|_| ApiError::new(ErrorCode::InvalidParameterKmsKeyIdNotFound))
        })
        .transpose()
}

fn accounts(f: &Fields<'_>, name: &str) -> Read<Vec<AccountId>> {
    f.strs_opt(name)?
        .unwrap_or_default()
        .into_iter()
        .map(|s| AccountId::new(s).map_err(|_| ApiError::new(ErrorCode::InvalidAccountNotFound)))
        .collect()
}

// ------------------------------------------------------------------ fixtures

/// `SetAccount`.
pub(crate) fn set_account(f: &Fields<'_>, profile: &Profile) -> Read<Command> {
    f.only(&[
        "AccountId",
        "ImageQuota",
        "SnapshotQuota",
        "CrossBorderAllowed",
        "ByokAllowed",
        "SizeAllowed",
        "ExportEnabled",
    ])?;
    let id = AccountId::new(f.str_req("AccountId")?)
        .map_err(|e| f.invalid("AccountId", &e.to_string()))?;
    let account = Account::new(
        id,
        f.u32_opt("ImageQuota")?
            .unwrap_or(profile.default_image_quota),
        f.u32_opt("SnapshotQuota")?
            .unwrap_or(profile.default_snapshot_quota),
    )
    .allow_cross_border(f.bool_or("CrossBorderAllowed", false)?)
    .allow_byok(f.bool_or("ByokAllowed", false)?)
    .allow_size(f.bool_or("SizeAllowed", false)?)
    .enable_export(f.bool_or("ExportEnabled", false)?);
    Ok(Command::from(account))
}

fn fixture_region(f: &Fields<'_>) -> Read<RegionId> {
    RegionId::new(f.str_req("RegionId")?).map_err(|e| f.invalid("RegionId", &e.to_string()))
}

fn owner(f: &Fields<'_>, default: Option<&str>) -> Read<AccountId> {
    let text = match (f.str_opt("OwnerId")?, default) {
        (Some(s), _) => s,
        (None, Some(d)) => d,
        (None, None) => return Err(f.missing("OwnerId")),
    };
    AccountId::new(text).map_err(|e| f.invalid("OwnerId", &e.to_string()))
}

/// `SeedSnapshot`.
pub(crate) fn seed_snapshot(f: &Fields<'_>, at: DateTime<Utc>) -> Read<Command> {
    f.only(&[
        "RegionId",
        "SnapshotId",
        "OwnerId",
        "CreationTime",
        "SizeGiB",
        "Encrypted",
        "KMSKeyId",
    ])?;
    let snapshot = Snapshot::new(
        SnapshotId::new(f.str_req("SnapshotId")?)
            .map_err(|e| f.invalid("SnapshotId", &e.to_string()))?,
        fixture_region(f)?,
        owner(f, None)?,
        f.time_opt("CreationTime")?.unwrap_or(at),
        f.u64_opt("SizeGiB")?.unwrap_or(20),
    );
    let encrypted = f.bool_or("Encrypted", false)?;
    let key = f
        .str_opt("KMSKeyId")?
        .map(|s| KmsKeyId::new(s).map_err(|e| f.invalid("KMSKeyId", &e.to_string())))
        .transpose()?;
    Ok(Command::from(match (encrypted, key) {
        (false, None) => snapshot,
        (true, None) => snapshot.encrypted_with_service_key(),
        (true, Some(key)) => snapshot.encrypted_with(key),
        (false, Some(_)) => {
            return Err(f.invalid(
                "KMSKeyId",
                "a snapshot with a KMS key is encrypted (Encrypted true)",
            ));
        }
    }))
}

/// `SeedImage`. `ImageOwnerAlias` is `self` (a custom image of `OwnerId`, the default),
/// `system` or `marketplace` (`OwnerId` then defaults to `system` / `marketplace`).
pub(crate) fn seed_image(
    f: &Fields<'_>,
    at: DateTime<Utc>,
    snapshot_size: impl Fn(&SnapshotId) -> Option<u64>,
) -> Read<Command> {
    f.only(&[
        "RegionId",
        "ImageId",
        "ImageName",
        "OwnerId",
        "ImageOwnerAlias",
        "Status",
        "Platform",
        "SnapshotIds",
        "SizeGiB",
        "WholeMachine",
        "Paid",
        "PublishedRegions",
        "Description",
    ])?;
    let (kind, default_owner) = match f.str_opt("ImageOwnerAlias")?.unwrap_or("self") {
        "self" => (ImageKind::Custom, None),
        "system" => (ImageKind::System, Some("system")),
        "marketplace" => (ImageKind::Marketplace, Some("marketplace")),
        other => {
            return Err(f.invalid(
                "ImageOwnerAlias",
                &format!("{other:?} is not self, system or marketplace"),
            ));
        }
    };
    let id =
        ImageId::new(f.str_req("ImageId")?).map_err(|e| f.invalid("ImageId", &e.to_string()))?;
    let snapshots = f
        .strs_opt("SnapshotIds")?
        .unwrap_or_default()
        .into_iter()
        .map(|s| SnapshotId::new(s).map_err(|e| f.invalid("SnapshotIds", &e.to_string())))
        .collect::<Read<Vec<_>>>()?;
    let size_gib = match f.u64_opt("SizeGiB")? {
        Some(n) => n,
        // Saturating, like the engine's `CreateImage`: sizes are any u64.
        None => snapshots
            .iter()
            .filter_map(&snapshot_size)
            .fold(0u64, |sum, s| sum.saturating_add(s)),
    };
    let status = match f.str_opt("Status")? {
        None => ImageStatus::Available,
        Some(s) => s
            .parse()
            .map_err(|_| f.invalid("Status", &format!("{s:?} is not an image status")))?,
    };
    let platform: Platform = match f.str_opt("Platform")? {
        None => Platform::Linux,
        Some(s) => s
            .parse()
            .map_err(|_| f.invalid("Platform", &format!("{s:?} is not Linux or Windows")))?,
    };
    let published_regions = f
        .strs_opt("PublishedRegions")?
        .unwrap_or_default()
        .into_iter()
        .map(|s| RegionId::new(s).map_err(|e| f.invalid("PublishedRegions", &e.to_string())))
        .collect::<Read<Vec<_>>>()?;
    // Read in the order the parameters were always read, so that the first bad one is
    // the one reported.
    let region = fixture_region(f)?;
    let owner = owner(f, default_owner)?;
    let name = ImageName::new(f.str_req("ImageName")?)
        .map_err(|e| f.invalid("ImageName", &e.to_string()))?;
    let description = f
        .str_opt("Description")?
        .map(|s| Description::new(s).map_err(|e| f.invalid("Description", &e.to_string())))
        .transpose()?;
    let whole_machine = f.bool_or("WholeMachine", false)?;
    let paid = f.bool_or("Paid", false)?;
    let builder = match kind {
        ImageKind::Custom => Image::custom(id, region, owner, name, snapshots),
        ImageKind::System => Image::public(id, region, owner, name, snapshots),
        ImageKind::Marketplace => Image::marketplace(
            id,
            region,
            owner,
            name,
            snapshots,
            published_regions.clone(),
        ),
    };
    if kind != ImageKind::Marketplace && !published_regions.is_empty() {
        return Err(f.invalid(
            "PublishedRegions",
            "only a marketplace image is published to regions",
        ));
    }
    let mut builder = builder
        .platform(platform)
        .size_gib(size_gib)
        .whole_machine(whole_machine)
        .paid(paid)
        .status(status)
        .created_at(at);
    if let Some(d) = description {
        builder = builder.description(d);
    }
    // Every rule left (progress follows the status, an original is its own source) holds
    // by construction here.
    let image = builder
        .build()
        .map_err(|e| f.invalid("ImageId", &e.to_string()))?;
    Ok(Command::from(image))
}

/// `SeedKmsKey` (`Authorized` defaults to true).
pub(crate) fn seed_kms_key(f: &Fields<'_>) -> Read<Command> {
    f.only(&["RegionId", "KeyId", "OwnerId", "Authorized"])?;
    let key = KmsKey::new(
        KmsKeyId::new(f.str_req("KeyId")?).map_err(|e| f.invalid("KeyId", &e.to_string()))?,
        fixture_region(f)?,
        owner(f, None)?,
    );
    Ok(Command::from(
        key.authorized(f.bool_or("Authorized", true)?),
    ))
}

// ------------------------------------------------------------------ Alibaba calls

/// Alibaba `CopyImage`.
pub(crate) fn copy_image(f: &Fields<'_>) -> Read<Command> {
    f.only(&[
        "CallerId",
        "ClientToken",
        "RegionId",
        "ImageId",
        "DestinationRegionId",
        "DestinationImageName",
        "DestinationDescription",
        "Encrypted",
        "KMSKeyId",
        "Tag",
    ])?;
    let caller = Some(require_caller(f)?);
    let name = f
        .str_opt("DestinationImageName")?
        .filter(|s| !s.is_empty())
        .map(|s| ImageName::new(s).map_err(|e| e.to_api_error(Parameter::DestinationImageName)))
        .transpose()?;
    let description = f
        .str_opt("DestinationDescription")?
        .filter(|s| !s.is_empty())
        .map(|s| Description::new(s).map_err(|e| e.to_api_error(Parameter::DestinationDescription)))
        .transpose()?;
    let tags = tags(f, "Tag")?;
    let encrypted = f.bool_or("Encrypted", false)?;
    let kms_key = kms_key(f, "KMSKeyId")?;
    let source = region(f, "RegionId", ErrorCode::SourceRegionNotFound)?;
    let destination = region(
        f,
        "DestinationRegionId",
        ErrorCode::DestinationRegionNotFound,
    )?;
    Ok(Command::from(CopyImage {
        caller,
        client_token: client_token(f)?,
        region: source,
        image: image_id(f.str_req("ImageId")?)?,
        destination_regions: vec![destination],
        name,
        description,
        encrypted,
        kms_key,
        tags,
        dry_run: false,
    }))
}

/// Alibaba `CancelCopyImage` and `DeleteImage`.
pub(crate) fn image_call(f: &Fields<'_>, cancel: bool) -> Read<Command> {
    f.only(&["CallerId", "ClientToken", "RegionId", "ImageId"])?;
    let caller = Some(require_caller(f)?);
    let client_token = client_token(f)?;
    let region = region(f, "RegionId", ErrorCode::InvalidRegionIdNotFound)?;
    let image = image_id(f.str_req("ImageId")?)?;
    Ok(if cancel {
        CancelCopyImage {
            caller,
            client_token,
            region,
            image,
        }
        .into()
    } else {
        DeleteImage {
            caller,
            client_token,
            region,
            image,
        }
        .into()
    })
}

/// `ModifyImageSharePermission`, both forms: Alibaba's `RegionId`, `AddAccount`,
/// `RemoveAccount`; Tencent's `Region`, `AccountIds`, `Permission` (`SHARE`/`CANCEL`).
pub(crate) fn modify_share(f: &Fields<'_>, provider: Provider) -> Read<Command> {
    let region_param = region_param(provider);
    match provider {
        Provider::Alibaba => f.only(&[
            "CallerId",
            "ClientToken",
            "RegionId",
            "ImageId",
            "AddAccount",
            "RemoveAccount",
        ])?,
        Provider::Tencent => f.only(&[
            "CallerId",
            "ClientToken",
            "Region",
            "ImageId",
            "AccountIds",
            "Permission",
        ])?,
    }
    let caller = Some(require_caller(f)?);
    let (add, remove) = match provider {
        Provider::Alibaba => (accounts(f, "AddAccount")?, accounts(f, "RemoveAccount")?),
        Provider::Tencent => {
            let ids = accounts(f, "AccountIds")?;
            if ids.is_empty() {
                return Err(f.missing("AccountIds"));
            }
            match f.str_req("Permission")? {
                "SHARE" => (ids, Vec::new()),
                "CANCEL" => (Vec::new(), ids),
                other => {
                    return Err(
                        f.invalid("Permission", &format!("{other:?} is not SHARE or CANCEL"))
                    );
                }
            }
        }
    };
    Ok(Command::from(ModifyImageSharePermission {
        caller,
        client_token: client_token(f)?,
        region: region(f, region_param, ErrorCode::InvalidRegionIdNotFound)?,
        image: image_id(f.str_req("ImageId")?)?,
        add,
        remove,
    }))
}

/// The name of the call-region parameter: `RegionId` (Alibaba) or `Region` (Tencent).
pub(crate) fn region_param(provider: Provider) -> &'static str {
    match provider {
        Provider::Alibaba => "RegionId",
        Provider::Tencent => "Region",
    }
}

// ------------------------------------------------------------------ Tencent calls

/// Tencent `SyncImages`; returns the command and whether `ImageSetRequired` was set.
pub(crate) fn sync_images(f: &Fields<'_>) -> Read<(Command, bool)> {
    f.only(&[
        "CallerId",
        "ClientToken",
        "Region",
        "ImageIds",
        "DestinationRegions",
        "DryRun",
        "ImageName",
        "ImageSetRequired",
        "Encrypt",
        "KmsKeyId",
    ])?;
    let caller = Some(require_caller(f)?);
    let name = f
        .str_opt("ImageName")?
        .filter(|s| !s.is_empty())
        .map(|s| {
            ImageName::parse_for(Provider::Tencent, s)
                .map_err(|e| e.to_api_error(Parameter::DestinationImageName))
        })
        .transpose()?;
    let encrypted = f.bool_or("Encrypt", false)?;
    let kms_key = kms_key(f, "KmsKeyId")?;
    let source = region(f, "Region", ErrorCode::SourceRegionNotFound)?;
    let images = f.strs_opt("ImageIds")?.unwrap_or_default();
    let image = match images.as_slice() {
        [] => return Err(f.missing("ImageIds")),
        [one] => image_id(one)?,
        _ => {
            return Err(f
                .invalid("ImageIds", "SyncImages takes one image per call")
                .with_tencent(TencentCode::InvalidParameterValueLimitExceeded));
        }
    };
    let destinations = f.strs_opt("DestinationRegions")?.unwrap_or_default();
    if destinations.is_empty() {
        return Err(f.missing("DestinationRegions"));
    }
    let destination_regions = destinations
        .into_iter()
        .map(|s| RegionId::new(s).map_err(|_| ApiError::new(ErrorCode::DestinationRegionNotFound)))
        .collect::<Read<Vec<_>>>()?;
    Ok((
        Command::from(CopyImage {
            caller,
            client_token: client_token(f)?,
            region: source,
            image,
            destination_regions,
            name,
            description: None,
            encrypted,
            kms_key,
            tags: Tags::empty(),
            dry_run: f.bool_or("DryRun", false)?,
        }),
        f.bool_or("ImageSetRequired", false)?,
    ))
}

/// A host report `CopyFailed`: `RegionId`, `ImageId` (the destination), `Reason`.
pub(crate) fn copy_failed(f: &Fields<'_>) -> Read<(RegionId, ImageId, String)> {
    f.only(&["RegionId", "Region", "ImageId", "Reason", "CallerId"])?;
    let region_text = match f.str_opt("RegionId")? {
        Some(r) => r,
        None => f.str_req("Region")?,
    };
    let region = RegionId::new(region_text)
        .map_err(|_| ApiError::new(ErrorCode::InvalidRegionIdNotFound))?;
    let image = image_id(f.str_req("ImageId")?)?;
    let reason = f
        .str_opt("Reason")?
        .unwrap_or("reported by the host")
        .to_owned();
    Ok((region, image, reason))
}

/// The `Value` list of `DescribeImages`' comma-separated or array parameter.
pub(crate) fn list_param<'a>(f: &Fields<'a>, name: &str) -> Read<Option<Vec<&'a str>>> {
    Ok(f.strs_opt(name)?.map(|items| {
        items
            .into_iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }))
}
