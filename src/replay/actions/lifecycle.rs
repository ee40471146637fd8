//! The image lifecycle calls beyond copies (issue 17): `CreateImage`, `ImportImage`,
//! `ModifyImageAttribute` and `DescribeImageSharePermission` in both forms, Tencent
//! `DeleteImages`, and the host report `ImportFailed`. Each is read here and checked by the
//! engine in the order its docs give ([`crate::engine`]).

use chrono::{DateTime, Utc};

use crate::engine::{
    CreateImage, DeleteImages, HostReport, ImportImage, ModifyImageAttribute, Outcome,
};
use crate::error::{ApiError, ErrorCode, Parameter};
use crate::export::BucketName;
use crate::id::{ClientToken, InstanceId, SnapshotId};
use crate::image::{Architecture, Platform};
use crate::import::{DiskSource, ImportDisk, ImportFormat};
use crate::name::{Description, ImageName};
use crate::provider::Provider;
use crate::response::lifecycle::{
    AlibabaImageCreated, AlibabaImageImported, AlibabaSharePermissions, TencentImageCreated,
    TencentImageImported, TencentSharePermissions, import_task_id,
};
use crate::response::tencent;

use super::super::param::{Objects, Param, Str, Strs, params};
use super::super::{Reply, Runner, render};
use super::Respond;
use super::common::{Read, call_region, client_token, image_id, require_caller, tags};

/// The size the model gives a Tencent import's file, which the call does not state: 50 GiB,
/// CVM's default system disk.
const TENCENT_IMPORT_GIB: u64 = 50;

/// An image name under `provider`'s rules, refused as the seeds refuse a name.
fn image_name(p: &Param<Str<'_>>, provider: Provider) -> Read<ImageName> {
    ImageName::parse_for(provider, p.str_req()?)
        .map_err(|e| e.to_api_error(Parameter::ImageName).into())
}

/// An optional description (empty is none).
fn description(p: &Param<Str<'_>>) -> Read<Option<Description>> {
    p.str_opt()?
        .filter(|s| !s.is_empty())
        .map(|s| Description::new(s).map_err(|e| e.to_api_error(Parameter::Description).into()))
        .transpose()
}

/// `Linux` or `Windows` (any case), `default` when absent.
fn platform(p: &Param<Str<'_>>, default: Platform) -> Read<Platform> {
    match p.str_opt()? {
        None => Ok(default),
        Some(s) if s.eq_ignore_ascii_case("linux") => Ok(Platform::Linux),
        Some(s) if s.eq_ignore_ascii_case("windows") => Ok(Platform::Windows),
        Some(s) => Err(p.invalid(&format!("{s:?} is not Linux or Windows"))),
    }
}

/// `x86_64` or `arm64`, `x86_64` when absent.
fn architecture(p: &Param<Str<'_>>) -> Read<Architecture> {
    match p.str_opt()? {
        None => Ok(Architecture::X86_64),
        Some(s) => s
            .parse()
            .map_err(|_| p.invalid(&format!("{s:?} is not x86_64 or arm64"))),
    }
}

/// Tencent `ImportImage`'s `Architecture`: the SDK's values are `x86_64`, `i386` and
/// `arm_64` (`tencentcloud-sdk-go` `cvm/v20170312/models.go:5468`); `arm_64` is the model's
/// `arm64`, and `arm64` is taken too. `x86_64` when absent; `i386` is not modelled.
fn tencent_import_architecture(p: &Param<Str<'_>>) -> Read<Architecture> {
    match p.str_opt()? {
        Some("arm_64") => Ok(Architecture::Arm64),
        _ => architecture(p),
    }
}

/// A snapshot id of a call: a malformed one does not exist.
fn snapshot_id(s: &str) -> Read<SnapshotId> {
    SnapshotId::new(s).map_err(|_| ApiError::new(ErrorCode::InvalidSnapshotIdNotFound).into())
}

/// `InstanceId`: the engine refuses it (instances are outside the model); a malformed one
/// is an instance that does not exist either.
fn instance(p: &Param<Str<'_>>) -> Read<Option<InstanceId>> {
    p.str_opt()?
        .map(|s| {
            InstanceId::new(s)
                .map_err(|_| ApiError::new(ErrorCode::InvalidInstanceIdNotFound).into())
        })
        .transpose()
}

/// Runs `call` with the parameters both forms share, and answers with the new image (or
/// the request id alone for a dry run).
fn create(
    runner: &mut Runner,
    at: DateTime<Utc>,
    mut call: CreateImage,
    description: Option<Description>,
    instance: Option<InstanceId>,
    token: Option<ClientToken>,
) -> Read<Reply> {
    if let Some(d) = description {
        call = call.description(d);
    }
    if let Some(i) = instance {
        call = call.instance(i);
    }
    call.client_token = token;
    let Outcome::ImageCreated { image } = runner.run(at, call.into())? else {
        return Ok(Reply::Plain);
    };
    let request = runner.request();
    Ok(match runner.provider() {
        Provider::Alibaba => render::json(&AlibabaImageCreated::new(&request, &image)),
        Provider::Tencent => render::json(&tencent::Envelope::new(TencentImageCreated::new(
            &request, &image,
        ))),
    })
}

params! {
    /// Alibaba `CreateImage`: a custom image from the caller's snapshots (`SnapshotId`, the
    /// system disk, then `DiskDeviceMapping`'s snapshots).
    pub(crate) struct AlibabaCreateImage<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageName" => name: Str<'a>,
        "SnapshotId" => snapshot: Str<'a>,
        "DiskDeviceMapping" => disks: Objects<'a>,
        "InstanceId" => instance: Str<'a>,
        "Description" => description: Str<'a>,
        "Platform" => platform: Str<'a>,
        "Architecture" => architecture: Str<'a>,
        "Tag" => tags: Objects<'a>,
    }
}

params! {
    /// One entry of `CreateImage`'s `DiskDeviceMapping`: a snapshot (`Size`, `Device` and
    /// `DiskType` are taken, not modelled: the snapshot's size is the disk's).
    pub(crate) struct SnapshotDisk<'a> {
        "SnapshotId" => snapshot: Str<'a>,
        "Size" => size: u64,
        "Device" => device: Str<'a>,
        "DiskType" => disk_type: Str<'a>,
    }
}

impl Respond for AlibabaCreateImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let instance = instance(&self.instance)?;
        let name = image_name(&self.name, Provider::Alibaba)?;
        let description = description(&self.description)?;
        let mut snapshots = Vec::new();
        if let Some(s) = self.snapshot.str_opt()? {
            snapshots.push(snapshot_id(s)?);
        }
        for object in self.disks.opt()?.into_iter().flatten() {
            let disk = SnapshotDisk::read(object)?;
            disk.size.u64_opt()?;
            disk.device.str_opt()?;
            disk.disk_type.str_opt()?;
            snapshots.push(snapshot_id(disk.snapshot.str_req()?)?);
        }
        let call = CreateImage::new(caller, region, name, snapshots)
            .platform(platform(&self.platform, Platform::Linux)?)
            .architecture(architecture(&self.architecture)?)
            .tags(tags(&self.tags)?);
        let token = client_token(&self.client_token)?;
        create(runner, at, call, description, instance, token)
    }
}

params! {
    /// Tencent `CreateImage`: a custom image from the caller's snapshots (`SnapshotIds`,
    /// system disk first).
    pub(crate) struct TencentCreateImage<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "Region" => region: Str<'a>,
        "ImageName" => name: Str<'a>,
        "SnapshotIds" => snapshots: Strs<'a>,
        "InstanceId" => instance: Str<'a>,
        "ImageDescription" => description: Str<'a>,
        "DryRun" => dry_run: bool,
    }
}

impl Respond for TencentCreateImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let instance = instance(&self.instance)?;
        let name = image_name(&self.name, Provider::Tencent)?;
        let description = description(&self.description)?;
        let snapshots = self
            .snapshots
            .strs()?
            .into_iter()
            .map(snapshot_id)
            .collect::<Read<Vec<_>>>()?;
        let call =
            CreateImage::new(caller, region, name, snapshots).dry_run(self.dry_run.or(false)?);
        let token = client_token(&self.client_token)?;
        create(runner, at, call, description, instance, token)
    }
}

params! {
    /// Alibaba `ImportImage`: disk files in OSS (`DiskDeviceMapping`, system disk first)
    /// made into an image by a host task. `Platform` (the distribution) is taken, not
    /// modelled; `OSType` says Linux or Windows.
    pub(crate) struct AlibabaImportImage<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageName" => name: Str<'a>,
        "DiskDeviceMapping" => disks: Objects<'a>,
        "Description" => description: Str<'a>,
        "Platform" => platform: Str<'a>,
        "OSType" => os_type: Str<'a>,
        "Architecture" => architecture: Str<'a>,
    }
}

params! {
    /// One entry of `ImportImage`'s `DiskDeviceMapping`: an OSS object, its format and the
    /// disk's size in GiB (`Device` is taken, not modelled).
    pub(crate) struct FileDisk<'a> {
        "OSSBucket" => bucket: Str<'a>,
        "OSSObject" => object: Str<'a>,
        "Format" => format: Str<'a>,
        "DiskImageSize" => size: u64,
        "Device" => device: Str<'a>,
    }
}

/// An import format (`RAW`, `VHD`, `QCOW2`, `VMDK`, any case), `RAW` when absent.
fn import_format(p: &Param<Str<'_>>) -> Read<ImportFormat> {
    match p.str_opt()? {
        None => Ok(ImportFormat::Raw),
        Some(s) => s
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| p.invalid(&format!("{s:?} is not RAW, VHD, QCOW2 or VMDK"))),
    }
}

impl Respond for AlibabaImportImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let name = image_name(&self.name, Provider::Alibaba)?;
        let description = description(&self.description)?;
        let mut disks = Vec::new();
        for object in self.disks.opt()?.into_iter().flatten() {
            let disk = FileDisk::read(object)?;
            let bucket = BucketName::new(disk.bucket.str_req()?)
                .map_err(|e| disk.bucket.invalid(&e.to_string()))?;
            let source = DiskSource::oss(bucket, disk.object.str_req()?);
            let format = import_format(&disk.format)?;
            let size = disk.size.u64_opt()?.ok_or_else(|| disk.size.missing())?;
            disk.device.str_opt()?;
            disks.push(ImportDisk::new(source, size).format(format));
        }
        if disks.is_empty() {
            return Err(self.disks.missing());
        }
        self.platform.str_opt()?;
        let mut call = ImportImage::new(caller, region.clone(), name, disks)
            .platform(platform(&self.os_type, Platform::Linux)?)
            .architecture(architecture(&self.architecture)?);
        if let Some(d) = description {
            call = call.description(d);
        }
        call.client_token = client_token(&self.client_token)?;
        match runner.run(at, call.into())? {
            Outcome::ImportAccepted { image, task } => {
                let request = runner.request();
                let task = import_task_id(task);
                Ok(render::json(&AlibabaImageImported::new(
                    &request, &image, &region, &task,
                )))
            }
            _ => Ok(Reply::Plain),
        }
    }
}

params! {
    /// Tencent `ImportImage`: one file at a URL (`ImageUrl`) made into an image by a host
    /// task; the call does not state the file's size: the model takes 50 GiB.
    pub(crate) struct TencentImportImage<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "Region" => region: Str<'a>,
        "ImageName" => name: Str<'a>,
        "ImageUrl" => url: Str<'a>,
        "OsType" => os_type: Str<'a>,
        "OsVersion" => os_version: Str<'a>,
        "Architecture" => architecture: Str<'a>,
        "ImageDescription" => description: Str<'a>,
        "DryRun" => dry_run: bool,
    }
}

impl Respond for TencentImportImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let name = image_name(&self.name, Provider::Tencent)?;
        let description = description(&self.description)?;
        let disk = ImportDisk::new(DiskSource::url(self.url.str_req()?), TENCENT_IMPORT_GIB);
        // Tencent's `OsType` names the distribution (`CentOS`, `Windows`, …): Windows or not.
        let platform = match self.os_type.str_req()? {
            s if s.to_ascii_lowercase().starts_with("windows") => Platform::Windows,
            _ => Platform::Linux,
        };
        let mut call = ImportImage::new(caller, region, name, [disk])
            .platform(platform)
            .architecture(tencent_import_architecture(&self.architecture)?)
            .dry_run(self.dry_run.or(false)?);
        if let Some(v) = self.os_version.str_opt()? {
            call = call.os_version(v);
        }
        if let Some(d) = description {
            call = call.description(d);
        }
        call.client_token = client_token(&self.client_token)?;
        match runner.run(at, call.into())? {
            // `ImportImageResponseParams` has the image's `ImageId` (`tencentcloud-sdk-go`
            // `cvm/v20170312/models.go:5608`).
            Outcome::ImportAccepted { image, .. } => {
                let request = runner.request();
                Ok(render::json(&tencent::Envelope::new(
                    TencentImageImported::new(&request, &image),
                )))
            }
            _ => Ok(Reply::Plain),
        }
    }
}

params! {
    /// `ModifyImageAttribute` (both forms): a custom image's name and description.
    pub(crate) struct ModifyImageAttributeCall<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" | "Region" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "ImageName" => name: Str<'a>,
        "Description" | "ImageDescription" => description: Str<'a>,
    }
}

impl Respond for ModifyImageAttributeCall<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let image = image_id(self.image.str_req()?)?;
        let mut call = ModifyImageAttribute::new(caller, region, image);
        if self.name.str_opt()?.is_some_and(|s| !s.is_empty()) {
            call = call.name(image_name(&self.name, runner.provider())?);
        }
        if let Some(d) = description(&self.description)? {
            call = call.description(d);
        }
        call.client_token = client_token(&self.client_token)?;
        runner.run(at, call.into())?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `DescribeImageSharePermission` (both forms): the accounts a custom image is shared
    /// with; on Alibaba the first page of
    /// [`AlibabaSharePermissions::DEFAULT_PAGE_SIZE`](crate::response::lifecycle::AlibabaSharePermissions::DEFAULT_PAGE_SIZE)
    /// (the SDK's `PageNumber` and `PageSize`, `alibaba-cloud-sdk-go`
    /// `services/ecs/describe_image_share_permission.go:76`, are not taken: Tencent's form
    /// has no paging).
    pub(crate) struct DescribeImageSharePermission<'a> {
        "CallerId" => caller: Str<'a>,
        "RegionId" | "Region" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
    }
}

impl Respond for DescribeImageSharePermission<'_> {
    fn respond(&self, runner: &mut Runner, _: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let image = image_id(self.image.str_req()?)?;
        let accounts = runner
            .service()
            .describe_image_share_permission(&caller, &region, &image)?;
        let request = runner.request();
        Ok(match runner.provider() {
            Provider::Alibaba => render::json(&AlibabaSharePermissions::new(
                &request, &region, &image, &accounts,
            )),
            Provider::Tencent => render::json(&tencent::Envelope::new(
                TencentSharePermissions::new(&request, &accounts),
            )),
        })
    }
}

params! {
    /// Tencent `DeleteImages`: every image is checked before any is deleted.
    pub(crate) struct TencentDeleteImages<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "Region" => region: Str<'a>,
        "ImageIds" => images: Strs<'a>,
        "DryRun" => dry_run: bool,
    }
}

impl Respond for TencentDeleteImages<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let images = self
            .images
            .strs()?
            .into_iter()
            .map(image_id)
            .collect::<Read<Vec<_>>>()?;
        if images.is_empty() {
            return Err(self.images.missing());
        }
        let mut call = DeleteImages::new(caller, region, images).dry_run(self.dry_run.or(false)?);
        call.client_token = client_token(&self.client_token)?;
        runner.run(at, call.into())?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `ImportFailed`: the import making an image failed (`ImageId` of the image being
    /// imported; `Reason`).
    pub(crate) struct ImportFailed<'a> {
        "ImageId" => image: Str<'a>,
        "Reason" => reason: Str<'a>,
    }
}

impl Respond for ImportFailed<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let image = image_id(self.image.str_req()?)?;
        let reason = self
            .reason
            .str_opt()?
            .unwrap_or(super::reports::NO_REASON)
            .to_owned();
        let task = runner
            .service()
            .state()
            .imports()
            .filter(|t| t.image == image)
            .map(|t| t.id)
            .max()
            .ok_or(ErrorCode::InvalidImageIdNotFound)?;
        runner.run(at, HostReport::ImportFailed { task, reason }.into())?;
        Ok(Reply::Plain)
    }
}
