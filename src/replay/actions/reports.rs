//! The host's reports the runner takes as lines (both providers, no `CallerId`):
//! `CopyFailed` and `ExportFailed`. The simulator makes every other report itself.

use chrono::{DateTime, Utc};

use crate::engine::HostReport;
use crate::error::{ApiError, ErrorCode};
use crate::region::RegionId;

use super::super::param::{Str, TaskRef, params};
use super::super::{Reply, Runner};
use super::Respond;
use super::common::{Read, image_id};
use super::exports::task_id;

/// The reason of a report that gives none.
pub(crate) const NO_REASON: &str = "reported by the host";

params! {
    /// `CopyFailed`: the copy making an image failed (`RegionId` or `Region`, `ImageId` of
    /// the destination, `Reason`).
    pub(crate) struct CopyFailed<'a> {
        "RegionId" => region: Str<'a>,
        "Region" => tencent_region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "Reason" => reason: Str<'a>,
        "CallerId" => caller: Str<'a>,
    }
}

impl Respond for CopyFailed<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let region_text = match self.region.str_opt()? {
            Some(r) => r,
            None => self.tencent_region.str_req()?,
        };
        let region = RegionId::new(region_text)
            .map_err(|_| ApiError::new(ErrorCode::InvalidRegionIdNotFound))?;
        let image = image_id(self.image.str_req()?)?;
        let reason = self.reason.str_opt()?.unwrap_or(NO_REASON).to_owned();
        let state = runner.service().state();
        if state.image(&image).is_none_or(|i| i.region != region) {
            return Err(ErrorCode::InvalidImageIdNotFound.into());
        }
        let Some(task) = state.live_task_of(&image) else {
            return Err(ApiError::new(ErrorCode::IncorrectImageStatus)
                .with_message("The specified image is not coping.")
                .into());
        };
        runner.run(at, HostReport::CopyFailed { task, reason }.into())?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `ExportFailed`: an export task failed (`TaskId`: `t-00000001` on Alibaba, the number
    /// on Tencent; `Reason`).
    pub(crate) struct ExportFailed<'a> {
        "TaskId" => task: TaskRef<'a>,
        "Reason" => reason: Str<'a>,
    }
}

impl Respond for ExportFailed<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let task = task_id(&self.task, runner.provider())?;
        let reason = self.reason.str_opt()?.unwrap_or(NO_REASON).to_owned();
        runner.run(at, HostReport::ExportFailed { task, reason }.into())?;
        Ok(Reply::Plain)
    }
}
