//! `EstimateCopyCost`: the scenario runner's own query (no provider has it), answered in
//! each provider's envelope: [`AlibabaEstimateCopyCostResponse`]
//! (`{"RequestId", "Months", "Lines", "Currency", "Total"}`) and
//! [`TencentEstimateCopyCostResponse`] (the same fields inside `Response`, `RequestId`
//! last), built from a [`charges::Estimate`].
//!
//! # Example
//! ```
//! use machine_image::charges::{Amount, ChargeKind, Quantity};
//! use machine_image::response::estimate::{
//!     AlibabaEstimateCopyCostResponse, CostCharge, CostLine,
//! };
//!
//! let body = AlibabaEstimateCopyCostResponse {
//!     request_id: "00000000-0000-4000-8000-000000000001",
//!     months: 3,
//!     lines: vec![CostLine {
//!         image_id: "m-src0001",
//!         destination_region: "cn-beijing",
//!         charges: vec![CostCharge {
//!             kind: ChargeKind::SnapshotStorage.as_str(),
//!             quantity: Some(40),
//!             unit: CostCharge::unit(Quantity::GibMonths { gib: 40 }),
//!             billed: true,
//!             amount: Some(Amount::new(1, 500_000)),
//!             ultimate_source: None,
//!             seed: "000",
//!         }],
//!         subtotal: Some(Amount::new(1, 500_000)),
//!     }],
//!     currency: Some("USD"),
//!     total: Some(Amount::new(1, 500_000)),
//! };
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     concat!(
//!         r#"{"RequestId":"00000000-0000-4000-8000-000000000001","Months":3,"Lines":["#,
//!         r#"{"ImageId":"m-src0001","DestinationRegion":"cn-beijing","Charges":["#,
//!         r#"{"Kind":"SnapshotStorage","Quantity":40,"Unit":"GiB per month","Billed":true,"#,
//!         r#""Amount":"1.5","Seed":"000"}],"Subtotal":"1.5"}],"#,
//!         r#""Currency":"USD","Total":"1.5"}"#,
//!     )
//! );
//! ```

use serde::{Serialize, Serializer};

use crate::charges::{self, Amount, ChargeKind, Quantity};
use crate::id::RequestId;

/// An amount as the runner writes it: a decimal string (`"1.5"`).
pub(super) fn amount<S: Serializer>(a: &Option<Amount>, s: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => s.collect_str(a),
        None => s.serialize_none(),
    }
}

/// The Alibaba form: `{"RequestId", "Months", "Lines", "Currency", "Total"}`; `Currency`
/// and `Total` only when priced (see the [module](self) example).
///
/// ```
/// # use machine_image::charges::{estimate, CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId, RequestId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// # let estimate = estimate(&plan, Some(&prices))?;
/// use machine_image::response::estimate::AlibabaEstimateCopyCostResponse;
/// // `estimate`: a 40 GiB image copied to cn-shanghai, kept 6 months at 0.02 USD per GiB-month.
/// let request = RequestId::from_sequence(1);
/// let body = AlibabaEstimateCopyCostResponse::new(&request, &estimate);
/// assert_eq!((body.months, body.currency), (6, Some("USD")));
/// assert!(serde_json::to_string(&body)?.ends_with(r#""Currency":"USD","Total":"4.8"}"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlibabaEstimateCopyCostResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `Months`: how long the copies are kept.
    #[serde(rename = "Months")]
    pub months: u32,
    /// `Lines`: one per image and destination.
    #[serde(rename = "Lines")]
    pub lines: Vec<CostLine<'a>>,
    /// `Currency`, when priced.
    #[serde(rename = "Currency", skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'a str>,
    /// `Total`, when priced.
    #[serde(
        rename = "Total",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Amount>,
}

impl<'a> AlibabaEstimateCopyCostResponse<'a> {
    /// The body of `estimate`.
    pub fn new(request: &'a RequestId, estimate: &'a charges::Estimate) -> Self {
        let (currency, total) = both_or_neither(&estimate.currency, estimate.total);
        AlibabaEstimateCopyCostResponse {
            request_id: request.as_str(),
            months: estimate.months,
            lines: estimate.lines.iter().map(CostLine::new).collect(),
            currency,
            total,
        }
    }
}

/// The Tencent form: the same fields, `RequestId` last, inside
/// [`Envelope`](super::tencent::Envelope).
///
/// ```
/// use machine_image::response::estimate::TencentEstimateCopyCostResponse;
/// use machine_image::response::tencent::Envelope;
///
/// let body = TencentEstimateCopyCostResponse {
///     months: 1,
///     lines: Vec::new(),
///     currency: None,
///     total: None,
///     request_id: "00000000-0000-4000-8000-000000000001",
/// };
/// assert_eq!(
///     serde_json::to_string(&Envelope::new(body)).unwrap(),
///     r#"{"Response":{"Months":1,"Lines":[],"RequestId":"00000000-0000-4000-8000-000000000001"}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TencentEstimateCopyCostResponse<'a> {
    /// `Months`: how long the copies are kept.
    #[serde(rename = "Months")]
    pub months: u32,
    /// `Lines`: one per image and destination.
    #[serde(rename = "Lines")]
    pub lines: Vec<CostLine<'a>>,
    /// `Currency`, when priced.
    #[serde(rename = "Currency", skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'a str>,
    /// `Total`, when priced.
    #[serde(
        rename = "Total",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Amount>,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> TencentEstimateCopyCostResponse<'a> {
    /// The body of `estimate`.
    pub fn new(request: &'a RequestId, estimate: &'a charges::Estimate) -> Self {
        let (currency, total) = both_or_neither(&estimate.currency, estimate.total);
        TencentEstimateCopyCostResponse {
            months: estimate.months,
            lines: estimate.lines.iter().map(CostLine::new).collect(),
            currency,
            total,
            request_id: request.as_str(),
        }
    }
}

/// An estimate's currency and total, both or neither (copy and usage estimates alike).
pub(super) fn both_or_neither(
    currency: &Option<String>,
    total: Option<Amount>,
) -> (Option<&str>, Option<Amount>) {
    match (currency, total) {
        (Some(currency), Some(total)) => (Some(currency.as_str()), Some(total)),
        _ => (None, None),
    }
}

/// One image and destination: `{"ImageId", "DestinationRegion", "Charges", "Subtotal"}`.
///
/// ```
/// # use machine_image::charges::{estimate, CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId, RequestId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// # let estimate = estimate(&plan, Some(&prices))?;
/// use machine_image::response::estimate::CostLine;
/// // `estimate`: a 40 GiB image copied to cn-shanghai, kept 6 months at 0.02 USD per GiB-month.
/// let line = CostLine::new(&estimate.lines[0]);
/// assert_eq!((line.image_id, line.destination_region), ("m-web0001", "cn-shanghai"));
/// assert_eq!(line.charges.len(), 2); // the copy (free) and the snapshot storage
/// assert_eq!(line.subtotal.map(|a| a.to_string()).as_deref(), Some("4.8"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostLine<'a> {
    /// `ImageId`: the image copied.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `DestinationRegion`.
    #[serde(rename = "DestinationRegion")]
    pub destination_region: &'a str,
    /// `Charges`.
    #[serde(rename = "Charges")]
    pub charges: Vec<CostCharge<'a>>,
    /// `Subtotal`, when priced.
    #[serde(
        rename = "Subtotal",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub subtotal: Option<Amount>,
}

impl<'a> CostLine<'a> {
    /// The line `line` of an estimate.
    pub fn new(line: &'a charges::EstimateLine) -> Self {
        CostLine {
            image_id: line.image.as_str(),
            destination_region: line.destination.as_str(),
            charges: line.charges.iter().map(CostCharge::new).collect(),
            subtotal: line.subtotal,
        }
    }
}

/// One charge: `{"Kind", "Quantity", "Unit", "Billed", "Amount", "UltimateSource",
/// "Seed"}`; `Quantity` absent for a per-instance fee, `Amount` when priced,
/// `UltimateSource` for an image fee.
///
/// ```
/// # use machine_image::charges::{estimate, CopyPlan, PlannedImage, PriceTable, Rates};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId, RequestId};
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// # let mut prices = PriceTable::new("USD");
/// # prices.snapshot_storage = Rates::flat("0.02".parse()?);
/// # let plan = CopyPlan { images: vec![PlannedImage::from(&web)], destinations: vec![RegionId::new("cn-shanghai")?], months: 6 };
/// # let estimate = estimate(&plan, Some(&prices))?;
/// use machine_image::response::estimate::CostCharge;
/// // `estimate`: a 40 GiB image copied to cn-shanghai, kept 6 months at 0.02 USD per GiB-month.
/// let copy = CostCharge::new(&estimate.lines[0].charges[0]);
/// assert_eq!((copy.kind, copy.billed, copy.seed), ("CopyOperation", false, "000"));
/// let storage = CostCharge::new(&estimate.lines[0].charges[1]);
/// assert_eq!((storage.kind, storage.quantity, storage.unit), ("SnapshotStorage", Some(40), "GiB per month"));
/// assert_eq!(serde_json::to_string(&storage.amount.map(|a| a.to_string()))?, r#""4.8""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostCharge<'a> {
    /// `Kind` ([`ChargeKind::as_str`]).
    #[serde(rename = "Kind")]
    pub kind: &'a str,
    /// `Quantity`, in `Unit`s.
    #[serde(rename = "Quantity", skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
    /// `Unit` ([`CostCharge::unit`]).
    #[serde(rename = "Unit")]
    pub unit: &'a str,
    /// `Billed`: whether the seeds bill it (false for the free kinds).
    #[serde(rename = "Billed")]
    pub billed: bool,
    /// `Amount`, when priced.
    #[serde(
        rename = "Amount",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Amount>,
    /// `UltimateSource`: the image an image fee is billed for.
    #[serde(rename = "UltimateSource", skip_serializing_if = "Option::is_none")]
    pub ultimate_source: Option<&'a str>,
    /// `Seed`: the source document of the rule (`000`, `001`, …).
    #[serde(rename = "Seed")]
    pub seed: &'a str,
}

impl<'a> CostCharge<'a> {
    /// The priced charge `c`.
    pub fn new(c: &'a charges::PricedCharge) -> Self {
        let quantity = match c.charge.quantity {
            Quantity::GibMonths { gib } | Quantity::TrafficGib { gib } => Some(gib),
            Quantity::Requests { count } => Some(count),
            Quantity::Operation => Some(1),
            Quantity::PerInstanceMonth => None,
        };
        CostCharge {
            kind: c.charge.kind.as_str(),
            quantity,
            unit: CostCharge::unit(c.charge.quantity),
            billed: !c.charge.is_free(),
            amount: c.amount,
            ultimate_source: match c.charge.kind {
                ChargeKind::ImageFee => c.charge.ultimate_source.as_ref().map(|s| s.as_str()),
                _ => None,
            },
            seed: c.charge.rule.seed,
        }
    }

    /// The `Unit` of a quantity: `GiB per month`, `instance-month`, `request`, `GiB`, or
    /// `operation`.
    pub fn unit(quantity: Quantity) -> &'static str {
        match quantity {
            Quantity::GibMonths { .. } => "GiB per month",
            Quantity::PerInstanceMonth => "instance-month",
            Quantity::Requests { .. } => "request",
            Quantity::TrafficGib { .. } => "GiB",
            Quantity::Operation => "operation",
        }
    }
}
