//! The estimate of a copy plan: images × destinations × months.

use serde::{Deserialize, Serialize};

use super::{Amount, Charge, Period, PriceError, PriceTable, Quantity, planned_copy_charges};
use super::{PlanError, PlannedImage};
use crate::id::ImageId;
use crate::region::RegionId;

/// A copy plan: each image copied to each destination region, the copies kept `months`.
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::{estimate, CopyPlan, PlannedImage};
/// // `web`: a 40 GiB custom image in cn-hangzhou (hidden above).
/// let plan = CopyPlan {
///     images: vec![PlannedImage::from(&web)],
///     destinations: vec![RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?],
///     months: 6,
/// };
/// let kinds_only = estimate(&plan, None)?; // no price table: the charges, no amounts
/// assert_eq!(kinds_only.lines.len(), 2);
/// assert_eq!(kinds_only.total, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyPlan {
    /// The images.
    pub images: Vec<PlannedImage>,
    /// The destination regions.
    pub destinations: Vec<RegionId>,
    /// How long the copies are kept.
    pub months: u32,
}

impl CopyPlan {
    /// Each of `images` copied to each of `destinations`, the copies kept `months`; refused
    /// without images ([`PlanError::NoImages`]) or destinations
    /// ([`PlanError::NoDestinations`]).
    ///
    /// ```
    /// use machine_image::charges::{CopyPlan, PlanError, PlannedImage};
    /// use machine_image::{ImageId, RegionId};
    ///
    /// let web = PlannedImage::new(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, 40);
    /// let plan = CopyPlan::new(vec![web.clone()], vec![RegionId::new("cn-beijing")?], 6)?;
    /// assert_eq!((plan.images.len(), plan.months), (1, 6));
    /// assert_eq!(CopyPlan::new(vec![web], vec![], 6), Err(PlanError::NoDestinations));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        images: Vec<PlannedImage>,
        destinations: Vec<RegionId>,
        months: u32,
    ) -> Result<Self, PlanError> {
        if images.is_empty() {
            return Err(PlanError::NoImages);
        }
        if destinations.is_empty() {
            return Err(PlanError::NoDestinations);
        }
        Ok(CopyPlan {
            images,
            destinations,
            months,
        })
    }
}

/// A charge with its amount: `None` without a price table, and for per-instance charges,
/// which a copy plan does not fix.
///
/// ```
/// # use machine_image::charges::{CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// use machine_image::charges::{estimate, Amount, ChargeKind};
/// // `plan`: a 40 GiB image to cn-shanghai for 6 months; `prices`: 0.02 per GiB-month.
/// let line = &estimate(&plan, Some(&prices))?.lines[0];
/// let storage = line.charges.iter().find(|c| c.charge.kind == ChargeKind::SnapshotStorage).expect("always");
/// assert_eq!(storage.amount, Some(Amount::new(4, 800_000)));
/// let unpriced = &estimate(&plan, None)?.lines[0];
/// assert!(unpriced.charges.iter().all(|c| c.amount.is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedCharge {
    /// The charge.
    pub charge: Charge,
    /// Its amount over the plan's months.
    pub amount: Option<Amount>,
}

/// One line of an estimate: one image copied to one region.
///
/// ```
/// # use machine_image::charges::{CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// use machine_image::charges::{estimate, Amount};
/// // `plan`: a 40 GiB image to cn-shanghai for 6 months; `prices`: 0.02 per GiB-month.
/// let cost = estimate(&plan, Some(&prices))?;
/// let line = &cost.lines[0];
/// assert_eq!((line.image.as_str(), line.destination.as_str()), ("m-web0001", "cn-shanghai"));
/// assert_eq!(line.subtotal, Some(Amount::new(4, 800_000)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateLine {
    /// The image.
    pub image: ImageId,
    /// The destination.
    pub destination: RegionId,
    /// Its charges: the copy (free), snapshot storage, and the image fee when paid.
    pub charges: Vec<PricedCharge>,
    /// The sum of its priced charges (with a price table).
    pub subtotal: Option<Amount>,
}

/// The cost of a copy plan.
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::{estimate, CopyPlan, PlannedImage, PriceTable, Rates};
/// // `web`: a 40 GiB custom image in cn-hangzhou (hidden above).
/// let mut prices = PriceTable::new("USD");
/// prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// let plan = CopyPlan {
///     images: vec![PlannedImage::from(&web)],
///     destinations: vec![RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?],
///     months: 6,
/// };
/// let cost = estimate(&plan, Some(&prices))?;
/// assert_eq!(cost.currency.as_deref(), Some("USD"));
/// assert_eq!(cost.lines[1].destination.as_str(), "cn-beijing");
/// assert_eq!(cost.lines[0].subtotal.map(|a| a.to_string()).as_deref(), Some("4.8")); // 40 × 6 × 0.02
/// assert_eq!(cost.total.map(|a| a.to_string()).as_deref(), Some("9.6"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// The months priced.
    pub months: u32,
    /// The price table's currency (with a price table).
    pub currency: Option<String>,
    /// One line per image and destination, images in the plan's order, then destinations.
    pub lines: Vec<EstimateLine>,
    /// The sum of the lines (with a price table).
    pub total: Option<Amount>,
}

/// The cost of `plan`: with `prices`, each line's amounts and the total; without, the charge
/// kinds with their quantities only. See the module docs.
pub fn estimate(plan: &CopyPlan, prices: Option<&PriceTable>) -> Result<Estimate, PriceError> {
    let period = Period {
        months: plan.months,
        instances: Vec::new(),
    };
    let mut lines = Vec::with_capacity(plan.images.len() * plan.destinations.len());
    let mut total = prices.map(|_| Amount::ZERO);
    for planned in &plan.images {
        for destination in &plan.destinations {
            let charges = planned_copy_charges(planned, destination);
            let mut subtotal = prices.map(|_| Amount::ZERO);
            let mut priced = Vec::with_capacity(charges.len());
            for charge in charges {
                let amount = match prices {
                    Some(table) if charge.quantity != Quantity::PerInstanceMonth => {
                        Some(table.amount(&charge, &period)?)
                    }
                    _ => None,
                };
                if let (Some(s), Some(a)) = (subtotal, amount) {
                    subtotal = Some(s.plus(a)?);
                }
                priced.push(PricedCharge { charge, amount });
            }
            if let (Some(t), Some(s)) = (total, subtotal) {
                total = Some(t.plus(s)?);
            }
            lines.push(EstimateLine {
                image: planned.image.clone(),
                destination: destination.clone(),
                charges: priced,
                subtotal,
            });
        }
    }
    Ok(Estimate {
        months: plan.months,
        currency: prices.map(|p| p.currency.clone()),
        lines,
        total,
    })
}
