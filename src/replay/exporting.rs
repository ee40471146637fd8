//! The runner's export actions: `SetBucket`, Alibaba `ExportImage`, `CancelTask` and
//! `DescribeTasks`, Tencent `ExportImages`, and the host report `ExportFailed` (see the
//! tables in the module docs of [`super`]). `EstimateCopyCost` is in [`super::estimate`].

use chrono::{DateTime, Utc};

use crate::engine::{CancelExport, Command, ExportImage, HostReport, Outcome};
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::export::{
    Bucket, BucketName, ExportFormat, ExportRequest, ExportScope, ExportTaskId, ObjectPrefix,
};
use crate::id::{AccountId, RequestId};
use crate::provider::Provider;
use crate::region::RegionId;
use crate::response::{alibaba, tencent};

use super::actions::{image_id, region_param, require_caller};
use super::fields::{Fields, at_line};
use super::render;
use super::{Failure, Reply, Runner};

type Read<T> = Result<T, ApiError>;

/// The actions this module answers.
pub(super) const ACTIONS: &[&str] = &[
    "SetBucket",
    "ExportImage",
    "ExportImages",
    "CancelTask",
    "DescribeTasks",
    "ExportFailed",
    "EstimateCopyCost",
];

/// The request id of the line `f` was read from (the runner's answers number them by line).
pub(super) fn request_of(f: &Fields<'_>) -> RequestId {
    RequestId::from_sequence(f.line())
}

/// A task id parameter: Alibaba `t-00000001`, Tencent a number (or its digits). One that
/// names no task is `InvalidTaskId.NotFound`.
fn task_id_param(f: &Fields<'_>, provider: Provider, name: &str) -> Read<ExportTaskId> {
    let not_found = || ApiError::new(ErrorCode::InvalidTaskIdNotFound);
    let n = match (provider, f.u64_opt(name)) {
        (Provider::Tencent, Ok(Some(n))) => n,
        _ => {
            let text = f.str_req(name)?;
            let digits = match provider {
                Provider::Alibaba => text.strip_prefix("t-").ok_or_else(not_found)?,
                Provider::Tencent => text,
            };
            digits.parse().map_err(|_| not_found())?
        }
    };
    Ok(ExportTaskId(n))
}

pub(super) fn call_region(f: &Fields<'_>, provider: Provider) -> Read<RegionId> {
    RegionId::new(f.str_req(region_param(provider))?)
        .map_err(|_| ApiError::new(ErrorCode::InvalidRegionIdNotFound))
}

fn bucket_name(f: &Fields<'_>, name: &str) -> Read<BucketName> {
    BucketName::new(f.str_req(name)?).map_err(|e| f.invalid(name, &e.to_string()))
}

/// `SetBucket`: `BucketName`, `RegionId`, `OwnerId`.
fn set_bucket(f: &Fields<'_>) -> Read<Command> {
    f.only(&["BucketName", "RegionId", "OwnerId"])?;
    Ok(Command::from(Bucket::new(
        bucket_name(f, "BucketName")?,
        RegionId::new(f.str_req("RegionId")?).map_err(|e| f.invalid("RegionId", &e.to_string()))?,
        AccountId::new(f.str_req("OwnerId")?).map_err(|e| f.invalid("OwnerId", &e.to_string()))?,
    )))
}

/// Alibaba `ExportImage`: `RegionId`, `ImageId`, `OSSBucket`, `OSSPrefix`; `ImageFormat`
/// (`raw`), `RoleName` (accepted, not modelled). The whole image is exported.
fn export_image(f: &Fields<'_>) -> Read<ExportImage> {
    f.only(&[
        "CallerId",
        "RegionId",
        "ImageId",
        "OSSBucket",
        "OSSPrefix",
        "ImageFormat",
        "RoleName",
    ])?;
    let caller = require_caller(f)?;
    let region = call_region(f, Provider::Alibaba)?;
    let image = image_id(f.str_req("ImageId")?)?;
    let bucket = bucket_name(f, "OSSBucket")?;
    let prefix = ObjectPrefix::parse_for(Provider::Alibaba, f.str_req("OSSPrefix")?)
        .map_err(|e| e.to_api_error())?;
    let format = match f.str_opt("ImageFormat")? {
        None => ExportFormat::Raw,
        Some(s) => ExportFormat::parse_for(Provider::Alibaba, s).map_err(|e| e.to_api_error())?,
    };
    Ok(ExportImage {
        caller: Some(caller),
        client_token: None,
        region,
        request: ExportRequest {
            image,
            bucket,
            prefix,
            format,
            scope: ExportScope::WholeMachine,
        },
        dry_run: false,
    })
}

/// Tencent `ExportImages`: `Region`, `BucketName`, `ImageIds`, `FileNamePrefixList` (one
/// per image); `ExportFormat` (`RAW`), `OnlyExportRootDisk`, `DryRun`, `RoleName` (accepted,
/// not modelled). One call per image, all checked before any is made.
fn export_images(f: &Fields<'_>) -> Read<Vec<ExportImage>> {
    f.only(&[
        "CallerId",
        "Region",
        "BucketName",
        "ImageIds",
        "ExportFormat",
        "FileNamePrefixList",
        "OnlyExportRootDisk",
        "DryRun",
        "RoleName",
    ])?;
    let caller = require_caller(f)?;
    let region = call_region(f, Provider::Tencent)?;
    let bucket = bucket_name(f, "BucketName")?;
    let images = f.strs_opt("ImageIds")?.unwrap_or_default();
    if images.is_empty() {
        return Err(f.missing("ImageIds"));
    }
    given_once(f, "ImageIds", &images, TencentCode::InvalidParameterValue)?;
    let prefixes = f.strs_opt("FileNamePrefixList")?.unwrap_or_default();
    if prefixes.len() != images.len() {
        return Err(f
            .invalid(
                "FileNamePrefixList",
                &format!("{} prefixes for {} images", prefixes.len(), images.len()),
            )
            .with_tencent(TencentCode::InvalidParameterValueInvalidFileNamePrefixList));
    }
    // Two images under one prefix would write the same objects in the same bucket.
    given_once(
        f,
        "FileNamePrefixList",
        &prefixes,
        TencentCode::InvalidParameterValueInvalidFileNamePrefixList,
    )?;
    let format = match f.str_opt("ExportFormat")? {
        None => ExportFormat::Raw,
        Some(s) => ExportFormat::parse_for(Provider::Tencent, s).map_err(|e| e.to_api_error())?,
    };
    let scope = if f.bool_or("OnlyExportRootDisk", false)? {
        ExportScope::SystemDiskOnly
    } else {
        ExportScope::WholeMachine
    };
    let dry_run = f.bool_or("DryRun", false)?;
    images
        .iter()
        .zip(&prefixes)
        .map(|(id, prefix)| {
            Ok(ExportImage {
                caller: Some(caller.clone()),
                client_token: None,
                region: region.clone(),
                request: ExportRequest {
                    image: image_id(id)?,
                    bucket: bucket.clone(),
                    prefix: ObjectPrefix::parse_for(Provider::Tencent, prefix)
                        .map_err(|e| e.to_api_error())?,
                    format,
                    scope,
                },
                dry_run,
            })
        })
        .collect()
}

/// Alibaba `CancelTask`: `RegionId`, `TaskId`.
fn cancel_task(f: &Fields<'_>) -> Read<Command> {
    f.only(&["CallerId", "RegionId", "TaskId"])?;
    let caller = require_caller(f)?;
    Ok(Command::from(CancelExport {
        caller: Some(caller),
        client_token: None,
        region: call_region(f, Provider::Alibaba)?,
        task: task_id_param(f, Provider::Alibaba, "TaskId")?,
    }))
}

/// Refuses a list parameter that names one value twice (an estimate would bill it twice, an
/// export write it twice);
/// Tencent answers it with `tencent`.
pub(super) fn given_once<T: PartialEq + std::fmt::Display>(
    f: &Fields<'_>,
    name: &str,
    values: &[T],
    tencent: TencentCode,
) -> Read<()> {
    match values
        .iter()
        .enumerate()
        .find(|(i, v)| values[..*i].contains(v))
    {
        Some((_, v)) => Err(f
            .invalid(name, &format!("{v} is given twice"))
            .with_tencent(tencent)),
        None => Ok(()),
    }
}

impl Runner {
    /// Answers one of [`ACTIONS`].
    pub(super) fn export_action(
        &mut self,
        action: &str,
        f: &Fields<'_>,
        at: DateTime<Utc>,
    ) -> Result<Reply, Failure> {
        let provider = self.provider();
        // Named like every other unknown action: the line, then the action.
        let unknown = || {
            Failure::reading(at_line(
                f.line(),
                ApiError::new(ErrorCode::InvalidActionNotFound)
                    .with_message(format!(
                        "Specified api is not found, please check your url and method. (Action {action:?} in the {provider} form)"
                    ))
                    .with_tencent(TencentCode::InvalidAction),
            ))
        };
        match (provider, action) {
            (_, "SetBucket") => {
                let command = set_bucket(f).map_err(Failure::reading)?;
                self.run(at, command)?;
                Ok(Reply::Plain)
            }
            (Provider::Alibaba, "ExportImage") => {
                let call = export_image(f).map_err(Failure::reading)?;
                let region = call.region.clone();
                match self.run(at, Command::from(call))? {
                    Outcome::ExportAccepted { task, .. } => Ok(Reply::Body(render::to_value(
                        &alibaba::ExportImageResponse::new(&request_of(f), task, &region),
                    ))),
                    _ => Ok(Reply::Plain),
                }
            }
            (Provider::Tencent, "ExportImages") => {
                let calls = export_images(f).map_err(Failure::reading)?;
                // Every image is checked before any export is made: a refusal changes nothing.
                for call in &calls {
                    let mut dry = call.clone();
                    dry.dry_run = true;
                    self.run(at, Command::from(dry))?;
                }
                if calls.iter().any(|c| c.dry_run) {
                    return Ok(Reply::Plain);
                }
                let mut first = None;
                let mut paths = Vec::new();
                for call in calls {
                    if let Outcome::ExportAccepted { task, objects } =
                        self.run(at, Command::from(call))?
                    {
                        first.get_or_insert(task);
                        paths.extend(objects);
                    }
                }
                let request = request_of(f);
                let body = tencent::ExportImagesResponse::new(&request, first, &paths);
                Ok(Reply::Body(render::to_value(&tencent::Envelope::new(body))))
            }
            (Provider::Alibaba, "CancelTask") => {
                let command = cancel_task(f).map_err(Failure::reading)?;
                self.run(at, command)?;
                Ok(Reply::Plain)
            }
            (_, "ExportFailed") => {
                f.only(&["TaskId", "Reason"]).map_err(Failure::reading)?;
                let task = task_id_param(f, provider, "TaskId").map_err(Failure::reading)?;
                let reason = f
                    .str_opt("Reason")
                    .map_err(Failure::reading)?
                    .unwrap_or("reported by the host")
                    .to_owned();
                self.run(at, HostReport::ExportFailed { task, reason }.into())?;
                Ok(Reply::Plain)
            }
            (Provider::Alibaba, "DescribeTasks") => {
                self.describe_tasks(f).map_err(Failure::reading)
            }
            (_, "EstimateCopyCost") => self.estimate(f).map_err(Failure::reading),
            _ => Err(unknown()),
        }
    }

    /// Alibaba `DescribeTasks` for export tasks: `RegionId`; `TaskIds` (comma-separated or a
    /// list), `TaskAction` (`ExportImage`). The caller's tasks in the region, oldest first.
    fn describe_tasks(&self, f: &Fields<'_>) -> Read<Reply> {
        f.only(&["CallerId", "RegionId", "TaskIds", "TaskAction"])?;
        let caller = require_caller(f)?;
        let region = call_region(f, Provider::Alibaba)?;
        if !self
            .sim
            .service()
            .profile()
            .regions
            .catalogue
            .contains(region.as_str())
        {
            return Err(ApiError::new(ErrorCode::InvalidRegionIdNotFound));
        }
        if let Some(action) = f.str_opt("TaskAction")? {
            if action != "ExportImage" {
                return Err(f.invalid("TaskAction", "the model has ExportImage tasks only"));
            }
        }
        let wanted = super::actions::list_param(f, "TaskIds")?;
        let tasks = self
            .sim
            .service()
            .state()
            .exports()
            .filter(|t| t.owner == caller && t.region == region)
            .filter(|t| {
                wanted
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&format!("t-{:08}", t.id.0).as_str()))
            });
        let request = request_of(f);
        let body = alibaba::DescribeTasksResponse::new(&request, tasks, &region);
        Ok(Reply::Body(render::to_value(&body)))
    }
}
