//! The runner's own query `EstimateUsageCost`: what a plan beyond copies costs (launching
//! instances from images, keeping custom images, the storage of exported objects and
//! downloading them), each charge naming its seed clause, priced where the line gives
//! prices and listed otherwise ([`crate::charges::estimate_usage`]).

use chrono::{DateTime, Utc};

use crate::charges::{
    self, Download, Export, KeptImage, Launch, Network, PlannedImage, PriceTable, Rates, UsagePlan,
};
use crate::error::{ErrorCode, TencentCode};
use crate::export::ExportTaskId;
use crate::id::AccountId;
use crate::image::{Image, OwnerAlias};
use crate::provider::Provider;
use crate::region::RegionId;
use crate::response::tencent;
use crate::response::usage_estimate::{
    AlibabaEstimateUsageCostResponse, TencentEstimateUsageCostResponse,
};

use super::super::param::{Objects, Param, Str, TaskRef, params};
use super::super::{Reply, Runner, render};
use super::Respond;
use super::common::{Read, amount, call_region, image_id, require_caller};
use super::exports::task_id;

params! {
    /// `EstimateUsageCost` (both forms: the call's region is `RegionId` on Alibaba, `Region`
    /// on Tencent).
    pub(crate) struct EstimateUsageCost<'a> {
        "CallerId" => caller: Str<'a>,
        "RegionId" | "Region" => region: Str<'a>,
        "Launches" => launches: Objects<'a>,
        "KeptImages" => kept: Objects<'a>,
        "Exports" => exports: Objects<'a>,
        "Downloads" => downloads: Objects<'a>,
        "Currency" => currency: Str<'a>,
        "SnapshotPriceGiBMonth" => snapshot_price: Str<'a>,
        "BucketStoragePriceGiBMonth" => bucket_price: Str<'a>,
        "BucketRequestPrice" => request_price: Str<'a>,
        "PublicDownstreamPriceGiB" => downstream_price: Str<'a>,
        "WindowsLicencePrices" => licence_prices: Objects<'a>,
    }
}

params! {
    /// One entry of `Launches`: instances launched from an image, run for months.
    pub(crate) struct LaunchEntry<'a> {
        "ImageId" => image: Str<'a>,
        "InstanceType" => instance_type: Str<'a>,
        "Instances" => instances: u64,
        "Months" => months: u64,
    }
}

params! {
    /// One entry of `KeptImages`: a custom image kept for months.
    pub(crate) struct KeptEntry<'a> {
        "ImageId" => image: Str<'a>,
        "Months" => months: u64,
    }
}

params! {
    /// One entry of `Exports`: an export task's objects kept in their bucket for months.
    pub(crate) struct ExportEntry<'a> {
        "TaskId" => task: TaskRef<'a>,
        "Months" => months: u64,
    }
}

params! {
    /// One entry of `Downloads`: an export task's objects downloaded once.
    pub(crate) struct DownloadEntry<'a> {
        "TaskId" => task: TaskRef<'a>,
        "Network" => network: Str<'a>,
    }
}

params! {
    /// One entry of `WindowsLicencePrices`.
    pub(crate) struct LicencePrice<'a> {
        "InstanceType" => instance_type: Str<'a>,
        "Price" => price: Str<'a>,
    }
}

impl Respond for EstimateUsageCost<'_> {
    fn respond(&self, runner: &mut Runner, _: DateTime<Utc>) -> Read<Reply> {
        self.estimate(runner)
    }
}

/// A count of an entry (`Instances`, `Months`): required, at most `u32::MAX`.
fn count(p: &Param<u64>) -> Read<u32> {
    p.u32_opt()?.ok_or_else(|| p.missing())
}

impl EstimateUsageCost<'_> {
    /// The flat prices' parameters, in the order of [`PriceTable`]'s rates.
    fn prices(&self) -> [&Param<Str<'_>>; 4] {
        [
            &self.snapshot_price,
            &self.bucket_price,
            &self.request_price,
            &self.downstream_price,
        ]
    }

    /// The prices the line gives; none given, no table.
    fn price_table(&self) -> Read<Option<PriceTable>> {
        let prices = self.prices();
        let given = prices.iter().any(|p| p.opt().ok().flatten().is_some())
            || self.licence_prices.opt()?.is_some();
        if !given {
            return Ok(None);
        }
        let mut table = PriceTable::new(self.currency.str_opt()?.unwrap_or("USD"));
        let rates: [&mut Rates; 4] = [
            &mut table.snapshot_storage,
            &mut table.bucket_storage,
            &mut table.bucket_requests,
            &mut table.public_downstream,
        ];
        for (param, rate) in prices.into_iter().zip(rates) {
            if let Some(text) = param.str_opt()? {
                rate.default = Some(amount(param, text)?);
            }
        }
        for object in self.licence_prices.opt()?.into_iter().flatten() {
            let entry = LicencePrice::read(object)?;
            let price = amount(&self.licence_prices, entry.price.str_req()?)?;
            table
                .windows_licence
                .insert(entry.instance_type.str_req()?.to_owned(), price);
        }
        Ok(Some(table))
    }

    /// An image the caller sees in the region (else `InvalidImageId.NotFound`).
    fn image<'s>(
        runner: &'s Runner,
        caller: &AccountId,
        region: &RegionId,
        text: &str,
    ) -> Read<(&'s Image, OwnerAlias)> {
        runner
            .service()
            .state()
            .visible_image(caller, region, &image_id(text)?)
            .ok_or_else(|| ErrorCode::InvalidImageIdNotFound.into())
    }

    /// The caller's export task in the region (else `InvalidTaskId.NotFound`).
    fn export<'s>(
        runner: &'s Runner,
        caller: &AccountId,
        region: &RegionId,
        task: ExportTaskId,
    ) -> Read<&'s crate::export::ExportTask> {
        runner
            .service()
            .state()
            .export(task)
            .filter(|t| &t.owner == caller && &t.region == region)
            .ok_or_else(|| ErrorCode::InvalidTaskIdNotFound.into())
    }

    fn estimate(&self, runner: &Runner) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = call_region(&self.region)?;
        let provider = runner.provider();
        let catalogue = &runner.service().profile().regions.catalogue;
        let geography = catalogue
            .get(region.as_str())
            .map(|r| r.geography)
            .ok_or(ErrorCode::InvalidRegionIdNotFound)?;
        let mut plan = UsagePlan::new();
        let plan_error = |p: &Param<Objects<'_>>, e: charges::PlanError| {
            p.invalid(&e.to_string())
                .with_tencent(TencentCode::InvalidParameterValue)
        };
        for object in self.launches.opt()?.into_iter().flatten() {
            let entry = LaunchEntry::read(object)?;
            let (image, alias) = Self::image(runner, &caller, &region, entry.image.str_req()?)?;
            let launch = Launch::new(
                PlannedImage::from(image),
                alias,
                geography,
                entry.instance_type.str_req()?,
                count(&entry.instances)?,
                count(&entry.months)?,
            )
            .map_err(|e| plan_error(&self.launches, e))?;
            plan.push(launch);
        }
        for object in self.kept.opt()?.into_iter().flatten() {
            let entry = KeptEntry::read(object)?;
            let (image, _) = Self::image(runner, &caller, &region, entry.image.str_req()?)?;
            let kept = KeptImage::new(PlannedImage::from(image), count(&entry.months)?)
                .map_err(|e| plan_error(&self.kept, e))?;
            plan.push(kept);
        }
        for object in self.exports.opt()?.into_iter().flatten() {
            let entry = ExportEntry::read(object)?;
            let task = Self::export(runner, &caller, &region, task_id(&entry.task, provider)?)?;
            let export = Export::new(
                task.image.clone(),
                task.region.clone(),
                task.objects.clone(),
                count(&entry.months)?,
            )
            .map_err(|e| plan_error(&self.exports, e))?;
            plan.push(export);
        }
        for object in self.downloads.opt()?.into_iter().flatten() {
            let entry = DownloadEntry::read(object)?;
            let task = Self::export(runner, &caller, &region, task_id(&entry.task, provider)?)?;
            let network = match entry.network.str_opt()?.unwrap_or("Public") {
                "Public" => Network::Public,
                "Private" => Network::Private,
                other => {
                    return Err(entry
                        .network
                        .invalid(&format!("{other:?} is not Public or Private")));
                }
            };
            let download = Download::new(
                task.image.clone(),
                task.region.clone(),
                task.objects.clone(),
                network,
            )
            .map_err(|e| plan_error(&self.downloads, e))?;
            plan.push(download);
        }
        if plan.items().is_empty() {
            return Err(self.launches.missing());
        }
        let prices = self.price_table()?;
        let estimate = charges::estimate_usage(&plan, prices.as_ref())
            .map_err(|e| self.currency.invalid(&e.to_string()))?;
        let request = runner.request();
        Ok(match provider {
            Provider::Alibaba => {
                render::json(&AlibabaEstimateUsageCostResponse::new(&request, &estimate))
            }
            Provider::Tencent => render::json(&tencent::Envelope::new(
                TencentEstimateUsageCostResponse::new(&request, &estimate),
            )),
        })
    }
}
