//! The estimate of a usage plan: each item's charges with their whole quantities, priced
//! where the caller's table has a price, listed otherwise.

use std::fmt;

use super::{
    Amount, Charge, ChargeKind, PlanItem, PriceError, PriceTable, Quantity, UsagePlan,
    download_charges, export_charges, planned_image_charges,
};
use crate::image::OwnerAlias;
use crate::region::Geography;

/// The unit a [`LineCharge`]'s quantity counts, and its unit price is for.
///
/// ```
/// use machine_image::charges::Unit;
///
/// assert_eq!(Unit::GibMonth.as_str(), "GiB-month");
/// assert_eq!(Unit::InstanceMonth.to_string(), "instance-month");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A GiB stored for a month.
    GibMonth,
    /// An instance run for a month.
    InstanceMonth,
    /// A request.
    Request,
    /// A GiB of traffic.
    Gib,
    /// An operation.
    Operation,
}

impl Unit {
    /// `GiB-month`, `instance-month`, `request`, `GiB` or `operation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::GibMonth => "GiB-month",
            Unit::InstanceMonth => "instance-month",
            Unit::Request => "request",
            Unit::Gib => "GiB",
            Unit::Operation => "operation",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A charge of a usage plan's item with its whole quantity (GiB × months, instances ×
/// months, requests, GiB) and, where priced, its unit price and amount (`unit_price ×
/// quantity`).
///
/// `unit_price` and `amount` are both `None` without a price table, for a billed kind the
/// table has no price for, and for image fees (listed, never priced); the free kinds are
/// priced at zero when there is a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineCharge {
    /// The charge: kind, region, ultimate source, and the seed rule it comes from.
    pub charge: Charge,
    /// How many units.
    pub quantity: u64,
    /// The unit.
    pub unit: Unit,
    /// The price of one unit, when priced.
    pub unit_price: Option<Amount>,
    /// `unit_price × quantity`, when priced.
    pub amount: Option<Amount>,
}

impl LineCharge {
    /// Whether it is billed but has no amount ("listed, not priced").
    pub fn is_unpriced(&self) -> bool {
        !self.charge.is_free() && self.amount.is_none()
    }
}

/// One item of the plan with its charges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLine {
    /// The item.
    pub item: PlanItem,
    /// Its charges, in the order of the module table.
    pub charges: Vec<LineCharge>,
    /// The sum of its amounts (with a price table; unpriced charges add nothing).
    pub subtotal: Option<Amount>,
}

/// The estimate of a [`UsagePlan`]: one line per item, in the plan's order.
///
/// With a price table, `total` is the sum of the subtotals, which covers the priced charges
/// only: `unpriced` counts the billed charges listed without an amount (image fees, and
/// kinds the table has no price for), so the total is the whole cost exactly when
/// `unpriced` is zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageEstimate {
    /// The price table's currency (with a price table).
    pub currency: Option<String>,
    /// One line per item.
    pub lines: Vec<UsageLine>,
    /// The sum of the subtotals (with a price table).
    pub total: Option<Amount>,
    /// The billed charges without an amount.
    pub unpriced: usize,
}

/// An item's charges, the instance specification they are priced by, and the months they
/// run or are kept.
fn item_charges(item: &PlanItem) -> (Vec<Charge>, &str, u64) {
    match item {
        PlanItem::Launch(launch) => {
            // The per-instance charges of the image as the launching account sees it;
            // keeping one's own image is a `KeptImage` of its own.
            let charges = planned_image_charges(launch.image(), launch.alias(), launch.geography())
                .into_iter()
                .filter(|c| c.quantity == Quantity::PerInstanceMonth)
                .collect();
            (charges, launch.instance_type(), u64::from(launch.months()))
        }
        PlanItem::KeptImage(kept) => {
            // The snapshots of one's own image, wherever it is: the geography plays no part.
            let charges =
                planned_image_charges(kept.image(), OwnerAlias::Own, Geography::MainlandChina)
                    .into_iter()
                    .filter(|c| c.kind == ChargeKind::SnapshotStorage)
                    .collect();
            (charges, "", u64::from(kept.months()))
        }
        PlanItem::Export(export) => (
            export_charges(export.bucket_region(), export.objects()),
            "",
            u64::from(export.months()),
        ),
        PlanItem::Download(download) => (
            download_charges(
                download.bucket_region(),
                download.objects(),
                download.network(),
            ),
            "",
            1,
        ),
    }
}

/// A charge's whole quantity over `months` (for `per_instance`, the instances × months).
fn whole_quantity(
    quantity: Quantity,
    months: u64,
    instance_months: u64,
) -> Result<(u64, Unit), PriceError> {
    Ok(match quantity {
        Quantity::GibMonths { gib } => (
            gib.checked_mul(months).ok_or(PriceError::Overflow)?,
            Unit::GibMonth,
        ),
        Quantity::PerInstanceMonth => (instance_months, Unit::InstanceMonth),
        Quantity::Requests { count } => (count, Unit::Request),
        Quantity::TrafficGib { gib } => (gib, Unit::Gib),
        Quantity::Operation => (1, Unit::Operation),
    })
}

fn add(sum: Option<Amount>, amount: Option<Amount>) -> Result<Option<Amount>, PriceError> {
    match (sum, amount) {
        (Some(s), Some(a)) => Ok(Some(s.plus(a)?)),
        _ => Ok(sum),
    }
}

/// The charges of `plan`, one line per item: with `prices`, each charge's unit price and
/// amount where the table has a price (zero for the free kinds), the lines' subtotals and
/// the total; without, the charges with their quantities only.
///
/// What each item bills, and the seed clause each charge comes from, is the module table's
/// ([`image_charges`](super::image_charges), [`export_charges`],
/// [`download_charges`](super::download_charges)):
/// - a [`Launch`](super::Launch): `WindowsLicence` (a public Windows image outside mainland
///   China, priced by [`PriceTable::windows_licence`] for the instance specification) and
///   `ImageFee` (an ultimate source that is paid: listed per instance-month, never priced);
/// - a [`KeptImage`](super::KeptImage): `SnapshotStorage`, GiB × months;
/// - an [`Export`](super::Export): `ExportStorage` (GiB × months), `ExportWriteRequests`
///   (one per object), `ExportUpstreamTraffic` (free);
/// - a [`Download`](super::Download): `DownloadRequests` (one per object) and
///   `DownloadPublicTraffic` (billed) or `DownloadPrivateTraffic` (free).
///
/// A billed kind without a price is listed with no amount and counted in
/// [`UsageEstimate::unpriced`]; only an amount that doesn't fit in 64 bits of micro-units is
/// an error ([`PriceError::Overflow`]).
///
/// ```
/// use std::collections::BTreeMap;
/// use machine_image::charges::{estimate_usage, Amount, Launch, PlannedImage, PriceTable, UsagePlan};
/// use machine_image::{Geography, ImageId, OwnerAlias, Platform, RegionId};
///
/// let windows = |region: &str| -> Result<PlannedImage, Box<dyn std::error::Error>> {
///     Ok(PlannedImage::new(ImageId::new("img-win00001")?, RegionId::new(region)?, 50).platform(Platform::Windows))
/// };
/// let plan = UsagePlan::new()
///     .with(Launch::new(windows("ap-singapore")?, OwnerAlias::System, Geography::OtherCountryOrRegion, "S5.MEDIUM4", 2, 3)?)
///     .with(Launch::new(windows("ap-guangzhou")?, OwnerAlias::System, Geography::MainlandChina, "S5.MEDIUM4", 2, 3)?);
/// let mut prices = PriceTable::new("USD");
/// prices.windows_licence = BTreeMap::from([("S5.MEDIUM4".to_string(), "10".parse()?)]);
/// let cost = estimate_usage(&plan, Some(&prices))?;
/// let licence = &cost.lines[0].charges[0];
/// assert_eq!((licence.charge.rule.seed, licence.quantity), ("001", 6)); // 2 instances × 3 months
/// assert_eq!(licence.amount, Some(Amount::new(60, 0)));
/// assert!(cost.lines[1].charges.is_empty()); // inside mainland China: free
/// assert_eq!((cost.total, cost.unpriced), (Some(Amount::new(60, 0)), 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate_usage(
    plan: &UsagePlan,
    prices: Option<&PriceTable>,
) -> Result<UsageEstimate, PriceError> {
    let mut lines = Vec::with_capacity(plan.items().len());
    let mut total = prices.map(|_| Amount::ZERO);
    let mut unpriced = 0;
    for item in plan.items() {
        let (charges, instance_type, months) = item_charges(item);
        let instance_months = match item {
            PlanItem::Launch(launch) => launch.instance_months(),
            _ => 0,
        };
        let mut subtotal = prices.map(|_| Amount::ZERO);
        let mut priced = Vec::with_capacity(charges.len());
        for charge in charges {
            let (quantity, unit) = whole_quantity(charge.quantity, months, instance_months)?;
            let unit_price = prices.and_then(|p| p.unit_price(&charge, instance_type));
            let amount = unit_price.map(|p| p.times(quantity)).transpose()?;
            subtotal = add(subtotal, amount)?;
            let line_charge = LineCharge {
                charge,
                quantity,
                unit,
                unit_price,
                amount,
            };
            unpriced += usize::from(line_charge.is_unpriced());
            priced.push(line_charge);
        }
        total = add(total, subtotal)?;
        lines.push(UsageLine {
            item: item.clone(),
            charges: priced,
            subtotal,
        });
    }
    Ok(UsageEstimate {
        currency: prices.map(|p| p.currency.clone()),
        lines,
        total,
        unpriced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charges::{Export, KeptImage, Network, PlannedImage, Rates};
    use crate::export::ExportObject;
    use crate::id::{ImageId, SnapshotId};
    use crate::region::RegionId;

    fn export(size_gib: u64, months: u32) -> Export {
        let object = ExportObject::new(0, SnapshotId::new("snap-sys0001").unwrap(), "a", size_gib);
        Export::new(
            ImageId::new("img-web00001").unwrap(),
            RegionId::new("ap-guangzhou").unwrap(),
            vec![object],
            months,
        )
        .unwrap()
    }

    #[test]
    fn an_amount_that_overflows_is_an_error_not_a_panic() {
        let plan = UsagePlan::new().with(export(u64::MAX / 2, 2));
        let mut prices = PriceTable::new("USD");
        prices.bucket_storage = Rates::flat(Amount::new(1, 0));
        assert_eq!(
            estimate_usage(&plan, Some(&prices)),
            Err(PriceError::Overflow)
        );
    }

    #[test]
    fn a_total_that_overflows_is_an_error_not_a_panic() {
        let big = export(u64::MAX / 4_000_000, 1);
        let plan = UsagePlan::new()
            .with(big.download(Network::Public))
            .with(big.download(Network::Public));
        let mut prices = PriceTable::new("USD");
        prices.public_downstream = Rates::flat(Amount::new(3, 0));
        prices.bucket_requests = Rates::flat(Amount::ZERO);
        assert_eq!(
            estimate_usage(&plan, Some(&prices)),
            Err(PriceError::Overflow)
        );
    }

    #[test]
    fn a_kept_image_bills_only_its_snapshots_even_when_paid() {
        let paid = ImageId::new("m-paid0001").unwrap();
        let image = PlannedImage::new(
            ImageId::new("m-web0001").unwrap(),
            RegionId::new("cn-hangzhou").unwrap(),
            40,
        )
        .paid_source(paid);
        let plan = UsagePlan::new().with(KeptImage::new(image, 2).unwrap());
        let cost = estimate_usage(&plan, None).unwrap();
        let kinds: Vec<_> = cost.lines[0]
            .charges
            .iter()
            .map(|c| c.charge.kind)
            .collect();
        assert_eq!(kinds, [ChargeKind::SnapshotStorage]);
        assert_eq!(cost.lines[0].charges[0].quantity, 80);
        assert_eq!(cost.unpriced, 1);
    }
}
