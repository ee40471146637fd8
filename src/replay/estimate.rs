//! The runner's own query `EstimateCopyCost`: the cost of copying images to regions and
//! keeping the copies, priced where the line gives prices ([`crate::charges::estimate`]).

use crate::charges::{self, Amount, CopyPlan, PlannedImage, PriceTable};
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::provider::Provider;
use crate::region::RegionId;
use crate::response::estimate::{AlibabaEstimateCopyCostResponse, TencentEstimateCopyCostResponse};
use crate::response::tencent;

use super::actions::{image_id, region_param, require_caller};
use super::exporting::{call_region, given_once, request_of};
use super::fields::Fields;
use super::render;
use super::{Reply, Runner};

type Read<T> = Result<T, ApiError>;

/// A price parameter read as an [`Amount`], refused with the parameter's name.
fn amount_param(f: &Fields<'_>, name: &str, text: &str) -> Read<Amount> {
    text.parse()
        .map_err(|e: charges::AmountError| f.invalid(name, &e.to_string()))
}

/// `EstimateCopyCost`'s prices: `SnapshotPriceGiBMonth` (everywhere) and
/// `SnapshotPricesByRegion` (`[{"RegionId", "Price"}]`), decimal strings; `Currency` (`USD`).
/// No price given: no table.
fn price_table(f: &Fields<'_>) -> Read<Option<PriceTable>> {
    let default = f.str_opt("SnapshotPriceGiBMonth")?;
    let by_region = f.objects_opt("SnapshotPricesByRegion")?;
    if default.is_none() && by_region.is_none() {
        return Ok(None);
    }
    let mut table = PriceTable::new(f.str_opt("Currency")?.unwrap_or("USD"));
    if let Some(p) = default {
        table.snapshot_storage.default = Some(amount_param(f, "SnapshotPriceGiBMonth", p)?);
    }
    for pairs in by_region.unwrap_or_default() {
        let pf = Fields::new(f.line(), pairs);
        pf.only(&["RegionId", "Price"])?;
        let region = RegionId::new(pf.str_req("RegionId")?)
            .map_err(|e| f.invalid("SnapshotPricesByRegion", &e.to_string()))?;
        let amount = amount_param(f, "SnapshotPricesByRegion", pf.str_req("Price")?)?;
        table.snapshot_storage.regions.insert(region, amount);
    }
    Ok(Some(table))
}

impl Runner {
    /// `EstimateCopyCost` (the runner's own): `RegionId`/`Region`, `ImageIds`,
    /// `DestinationRegions`, `Months`; `Prices`. The images must be visible to the caller in
    /// the region.
    pub(super) fn estimate(&self, f: &Fields<'_>) -> Read<Reply> {
        let provider = self.provider();
        f.only(&[
            "CallerId",
            region_param(provider),
            "ImageIds",
            "DestinationRegions",
            "Months",
            "Currency",
            "SnapshotPriceGiBMonth",
            "SnapshotPricesByRegion",
        ])?;
        let caller = require_caller(f)?;
        let region = call_region(f, provider)?;
        let service = self.sim.service();
        let catalogue = &service.profile().regions.catalogue;
        if !catalogue.contains(region.as_str()) {
            return Err(ApiError::new(ErrorCode::InvalidRegionIdNotFound));
        }
        let ids = f.strs_opt("ImageIds")?.unwrap_or_default();
        if ids.is_empty() {
            return Err(f.missing("ImageIds"));
        }
        given_once(f, "ImageIds", &ids, TencentCode::InvalidParameterValue)?;
        let state = service.state();
        let mut images = Vec::with_capacity(ids.len());
        for id in ids {
            let id = image_id(id)?;
            let image = state
                .image(&id)
                .filter(|i| i.region == region)
                .filter(|i| {
                    i.owner_alias_for(&caller, state.is_shared_with(&i.id, &caller))
                        .is_some()
                })
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidImageIdNotFound))?;
            images.push(PlannedImage::from(image));
        }
        let destinations = f
            .strs_opt("DestinationRegions")?
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                RegionId::new(d)
                    .ok()
                    .filter(|r| catalogue.contains(r.as_str()))
                    .ok_or_else(|| ApiError::new(ErrorCode::DestinationRegionNotFound))
            })
            .collect::<Read<Vec<_>>>()?;
        if destinations.is_empty() {
            return Err(f.missing("DestinationRegions"));
        }
        given_once(
            f,
            "DestinationRegions",
            &destinations,
            TencentCode::InvalidParameterValue,
        )?;
        let months = f.u32_opt("Months")?.ok_or_else(|| f.missing("Months"))?;
        let prices = price_table(f)?;
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
            let priced_by = match f.objects_opt("SnapshotPricesByRegion") {
                Ok(Some(_)) => "SnapshotPricesByRegion",
                _ => "SnapshotPriceGiBMonth",
            };
            f.invalid(priced_by, &e.to_string())
        })?;
        let request = request_of(f);
        Ok(Reply::Body(match provider {
            Provider::Alibaba => {
                render::to_value(&AlibabaEstimateCopyCostResponse::new(&request, &estimate))
            }
            Provider::Tencent => render::to_value(&tencent::Envelope::new(
                TencentEstimateCopyCostResponse::new(&request, &estimate),
            )),
        }))
    }
}
