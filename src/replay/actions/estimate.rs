//! The runner's own query `EstimateCopyCost`: the cost of copying images to regions and
//! keeping the copies, priced where the line gives prices ([`crate::charges::estimate`]).

use chrono::{DateTime, Utc};

use crate::charges::{self, CopyPlan, PlannedImage, PriceTable};
use crate::engine::CopyImage;
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::provider::Provider;
use crate::region::RegionId;
use crate::response::estimate::{AlibabaEstimateCopyCostResponse, TencentEstimateCopyCostResponse};
use crate::response::tencent;

use super::super::param::{Objects, Str, Strs, params};
use super::super::{Reply, Runner, render};
use super::Respond;
use super::common::{Read, amount, given_once, image_id, require_caller};

params! {
    /// `EstimateCopyCost` (both forms: the call's region is `RegionId` on Alibaba, `Region`
    /// on Tencent).
    pub(crate) struct EstimateCopyCost<'a> {
        "CallerId" => caller: Str<'a>,
        "RegionId" | "Region" => region: Str<'a>,
        "ImageIds" => images: Strs<'a>,
        "DestinationRegions" => destinations: Strs<'a>,
        "Months" => months: u64,
        "Currency" => currency: Str<'a>,
        "SnapshotPriceGiBMonth" => price: Str<'a>,
        "SnapshotPricesByRegion" => prices_by_region: Objects<'a>,
        "CheckRules" => check_rules: bool,
    }
}

params! {
    /// One entry of `SnapshotPricesByRegion`.
    pub(crate) struct RegionPrice<'a> {
        "RegionId" => region: Str<'a>,
        "Price" => price: Str<'a>,
    }
}

impl Respond for EstimateCopyCost<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        self.estimate(runner, at)
    }
}

impl EstimateCopyCost<'_> {
    /// The prices: `SnapshotPriceGiBMonth` (everywhere) and `SnapshotPricesByRegion`
    /// (`[{"RegionId", "Price"}]`), decimal strings; `Currency` (`USD`). No price given: no
    /// table.
    fn price_table(&self) -> Read<Option<PriceTable>> {
        let default = self.price.str_opt()?;
        let by_region = self.prices_by_region.opt()?;
        if default.is_none() && by_region.is_none() {
            return Ok(None);
        }
        let mut table = PriceTable::new(self.currency.str_opt()?.unwrap_or("USD"));
        if let Some(p) = default {
            table.snapshot_storage.default = Some(amount(&self.price, p)?);
        }
        for object in by_region.into_iter().flatten() {
            let entry = RegionPrice::read(object)?;
            let region = RegionId::new(entry.region.str_req()?)
                .map_err(|e| self.prices_by_region.invalid(&e.to_string()))?;
            let price = amount(&self.prices_by_region, entry.price.str_req()?)?;
            table.snapshot_storage.regions.insert(region, price);
        }
        Ok(Some(table))
    }

    /// The images must be visible to the caller in the region. With `CheckRules`, each
    /// copy is first checked as the caller's dry run of `CopyImage` would be (nothing is
    /// copied), and the first refused copy is the answer, with the provider's code, instead
    /// of an estimate that prices a copy the rules would refuse.
    fn estimate(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = runner.known_region(&self.region)?;
        let service = runner.service();
        let catalogue = &service.profile().regions.catalogue;
        let ids = self.images.strs()?;
        if ids.is_empty() {
            return Err(self.images.missing());
        }
        given_once(&self.images, &ids, TencentCode::InvalidParameterValue)?;
        let state = service.state();
        let mut images = Vec::with_capacity(ids.len());
        for id in ids {
            let id = image_id(id)?;
            let (image, _) = state
                .visible_image(&caller, &region, &id)
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidImageIdNotFound))?;
            images.push(PlannedImage::from(image));
        }
        let destinations = self
            .destinations
            .strs()?
            .into_iter()
            .map(|d| {
                RegionId::new(d)
                    .ok()
                    .filter(|r| catalogue.contains(r.as_str()))
                    .ok_or_else(|| ErrorCode::DestinationRegionNotFound.into())
            })
            .collect::<Read<Vec<_>>>()?;
        if destinations.is_empty() {
            return Err(self.destinations.missing());
        }
        given_once(
            &self.destinations,
            &destinations,
            TencentCode::InvalidParameterValue,
        )?;
        let months = self
            .months
            .u32_opt()?
            .ok_or_else(|| self.months.missing())?;
        if self.check_rules.or(false)? {
            for image in images.iter().map(|i| i.image.clone()).collect::<Vec<_>>() {
                let copy =
                    CopyImage::new(caller.clone(), region.clone(), image, destinations.clone());
                runner.run(
                    at,
                    CopyImage {
                        dry_run: true,
                        ..copy
                    }
                    .into(),
                )?;
            }
        }
        let prices = self.price_table()?;
        let estimate = charges::estimate(
            &CopyPlan {
                images,
                destinations,
                months,
            },
            prices.as_ref(),
        )
        .map_err(|e| {
            // The price that overflowed: the per-region table when the line has one.
            let priced_by = match self.prices_by_region.opt() {
                Ok(Some(_)) => self.prices_by_region.name(),
                _ => self.price.name(),
            };
            super::super::failure::Failure::invalid(priced_by, &e.to_string())
        })?;
        let request = runner.request();
        Ok(match runner.provider() {
            Provider::Alibaba => {
                render::json(&AlibabaEstimateCopyCostResponse::new(&request, &estimate))
            }
            Provider::Tencent => render::json(&tencent::Envelope::new(
                TencentEstimateCopyCostResponse::new(&request, &estimate),
            )),
        })
    }
}
