//! The export calls: Alibaba `ExportImage`, `CancelTask` and `DescribeTasks`, Tencent
//! `ExportImages`.

use chrono::{DateTime, Utc};

use crate::engine::{CancelExport, ExportImage, Outcome};
use crate::error::TencentCode;
use crate::export::{
    BucketName, ExportFormat, ExportRequest, ExportScope, ExportTaskId, ObjectPrefix,
};
use crate::provider::Provider;
use crate::response::{alibaba, tencent};

use super::super::failure::Failure;
use super::super::param::{Kind, Param, Str, Strs, TaskRef, params};
use super::super::{Reply, Runner, render};
use super::Respond;
use super::common::{Read, call_region, client_token, given_once, image_id, require_caller};
use crate::id::ClientToken;

/// A bucket named by a call: a malformed name is refused naming the parameter.
fn bucket_name(p: &Param<Str<'_>>) -> Read<BucketName> {
    BucketName::new(p.str_req()?).map_err(|e| p.invalid(&e.to_string()))
}

/// A task id parameter: Alibaba `t-00000001`, Tencent a number (or its digits). One that
/// names no task is `InvalidTaskId.NotFound`.
pub(crate) fn task_id(p: &Param<TaskRef<'_>>, provider: Provider) -> Read<ExportTaskId> {
    let not_found = || Failure::from(crate::error::ErrorCode::InvalidTaskIdNotFound);
    let n = match (provider, p.req()?) {
        (Provider::Tencent, TaskRef::Number(n)) => *n,
        (Provider::Tencent, TaskRef::Text(digits)) => digits.parse().map_err(|_| not_found())?,
        (Provider::Alibaba, TaskRef::Text(text)) => text
            .strip_prefix("t-")
            .ok_or_else(not_found)?
            .parse()
            .map_err(|_| not_found())?,
        (Provider::Alibaba, TaskRef::Number(_)) => {
            return Err(p.invalid(&format!("expected {}, found number", TaskRef::EXPECTED)));
        }
    };
    Ok(ExportTaskId(n))
}

params! {
    /// Alibaba `ExportImage`: the whole image to an OSS bucket. `RoleName` is taken, not
    /// modelled.
    pub(crate) struct AlibabaExportImage<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "OSSBucket" => bucket: Str<'a>,
        "OSSPrefix" => prefix: Str<'a>,
        "ImageFormat" => format: Str<'a>,
        "RoleName" => role: Str<'a>,
    }
}

impl AlibabaExportImage<'_> {
    fn call(&self) -> Read<ExportImage> {
        let caller = require_caller(&self.caller)?;
        let client_token = client_token(&self.client_token)?;
        let region = call_region(&self.region)?;
        let image = image_id(self.image.str_req()?)?;
        let bucket = bucket_name(&self.bucket)?;
        let prefix = ObjectPrefix::parse_for(Provider::Alibaba, self.prefix.str_req()?)
            .map_err(|e| e.to_api_error())?;
        let format = match self.format.str_opt()? {
            None => ExportFormat::Raw,
            Some(s) => {
                ExportFormat::parse_for(Provider::Alibaba, s).map_err(|e| e.to_api_error())?
            }
        };
        Ok(ExportImage {
            caller: Some(caller),
            client_token,
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
}

impl Respond for AlibabaExportImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let call = self.call()?;
        let region = call.region.clone();
        match runner.run(at, call.into())? {
            Outcome::ExportAccepted { task, .. } => {
                let request = runner.request();
                Ok(render::json(&alibaba::ExportImageResponse::new(
                    &request, task, &region,
                )))
            }
            _ => Ok(Reply::Plain),
        }
    }
}

params! {
    /// Tencent `ExportImages`: one export task per image, every image checked before any
    /// is exported. `RoleName` is taken, not modelled.
    pub(crate) struct TencentExportImages<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "Region" => region: Str<'a>,
        "BucketName" => bucket: Str<'a>,
        "ImageIds" => images: Strs<'a>,
        "ExportFormat" => format: Str<'a>,
        "FileNamePrefixList" => prefixes: Strs<'a>,
        "OnlyExportRootDisk" => root_only: bool,
        "DryRun" => dry_run: bool,
        "RoleName" => role: Str<'a>,
    }
}

impl TencentExportImages<'_> {
    fn calls(&self) -> Read<Vec<ExportImage>> {
        let caller = require_caller(&self.caller)?;
        let client_token = client_token(&self.client_token)?;
        let region = call_region(&self.region)?;
        let bucket = bucket_name(&self.bucket)?;
        let images = self.images.strs()?;
        if images.is_empty() {
            return Err(self.images.missing());
        }
        given_once(&self.images, &images, TencentCode::InvalidParameterValue)?;
        let prefixes = self.prefixes.strs()?;
        if prefixes.len() != images.len() {
            return Err(self
                .prefixes
                .invalid(&format!(
                    "{} prefixes for {} images",
                    prefixes.len(),
                    images.len()
                ))
                .with_tencent(TencentCode::InvalidParameterValueInvalidFileNamePrefixList));
        }
        // Two images under one prefix would write the same objects in the same bucket.
        given_once(
            &self.prefixes,
            &prefixes,
            TencentCode::InvalidParameterValueInvalidFileNamePrefixList,
        )?;
        let format = match self.format.str_opt()? {
            None => ExportFormat::Raw,
            Some(s) => {
                ExportFormat::parse_for(Provider::Tencent, s).map_err(|e| e.to_api_error())?
            }
        };
        let scope = if self.root_only.or(false)? {
            ExportScope::SystemDiskOnly
        } else {
            ExportScope::WholeMachine
        };
        let dry_run = self.dry_run.or(false)?;
        images
            .iter()
            .zip(&prefixes)
            .enumerate()
            .map(|(n, (id, prefix))| {
                Ok(ExportImage {
                    caller: Some(caller.clone()),
                    client_token: image_token(&self.client_token, client_token.as_ref(), n)?,
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
}

impl Respond for TencentExportImages<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let calls = self.calls()?;
        // A retry of a call that was answered (its token recorded) is answered from the
        // records, export by export; any other call has every image checked before any
        // export is made: a refusal changes nothing.
        let state = runner.service().state();
        let retry = calls
            .first()
            .is_some_and(|c| match (&c.caller, &c.client_token) {
                (Some(caller), Some(token)) => state.response(caller, token).is_some(),
                _ => false,
            });
        for call in calls.iter().filter(|_| !retry) {
            let mut dry = call.clone();
            dry.dry_run = true;
            runner.run(at, dry.into())?;
        }
        if calls.iter().any(|c| c.dry_run) {
            return Ok(Reply::Plain);
        }
        let mut first = None;
        let mut paths = Vec::new();
        for call in calls {
            if let Outcome::ExportAccepted { task, objects } = runner.run(at, call.into())? {
                first.get_or_insert(task);
                paths.extend(objects);
            }
        }
        let request = runner.request();
        Ok(render::json(&tencent::Envelope::new(
            tencent::ExportImagesResponse::new(&request, first, &paths),
        )))
    }
}

/// The token of the `n`th image's export (0-based) of an `ExportImages` call with `token`:
/// `<token>#<n + 1>`, so that a retry of the call answers each export from its record.
fn image_token(
    p: &Param<Str<'_>>,
    token: Option<&ClientToken>,
    n: usize,
) -> Read<Option<ClientToken>> {
    token
        .map(|t| {
            ClientToken::new(format!("{t}#{}", n + 1)).map_err(|e| {
                p.invalid(&format!(
                    "{e} (with \"#{}\" added for image {}: ExportImages makes one export per image)",
                    n + 1,
                    n + 1
                ))
            })
        })
        .transpose()
}

params! {
    /// Alibaba `CancelTask`: an export task.
    pub(crate) struct CancelTask<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "TaskId" => task: TaskRef<'a>,
    }
}

impl Respond for CancelTask<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let call = CancelExport {
            caller: Some(caller),
            client_token: client_token(&self.client_token)?,
            region: call_region(&self.region)?,
            task: task_id(&self.task, Provider::Alibaba)?,
        };
        runner.run(at, call.into())?;
        Ok(Reply::Plain)
    }
}

params! {
    /// Alibaba `DescribeTasks`: the caller's export tasks in a region, oldest first.
    pub(crate) struct DescribeTasks<'a> {
        "CallerId" => caller: Str<'a>,
        "RegionId" => region: Str<'a>,
        "TaskIds" => tasks: Strs<'a>,
        "TaskAction" => action: Str<'a>,
    }
}

impl Respond for DescribeTasks<'_> {
    fn respond(&self, runner: &mut Runner, _: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = runner.known_region(&self.region)?;
        if let Some(action) = self.action.str_opt()? {
            if action != "ExportImage" {
                return Err(self.action.invalid("the model has ExportImage tasks only"));
            }
        }
        let wanted = self.tasks.list_opt()?;
        let tasks = runner
            .service()
            .state()
            .exports()
            .filter(|t| t.owner == caller && t.region == region)
            .filter(|t| {
                wanted
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&format!("t-{:08}", t.id.0).as_str()))
            });
        let request = runner.request();
        Ok(render::json(&alibaba::DescribeTasksResponse::new(
            &request, tasks, &region,
        )))
    }
}
