//! `EstimateUsageCost`: the scenario runner's own query (no provider has it) for what a plan
//! costs beyond copies, answered in each provider's envelope:
//! [`AlibabaEstimateUsageCostResponse`] (`{"RequestId", "Lines", "Currency", "Total",
//! "Unpriced"}`) and [`TencentEstimateUsageCostResponse`] (the same fields inside
//! `Response`, `RequestId` last), built from a [`charges::UsageEstimate`].
//!
//! Each line is one item of the plan (`Item`: `Launch`, `KeptImage`, `Export`,
//! `Download`) with the fields that item has, and its charges; each charge names its seed
//! and the clause it comes from (`Seed`, `Clause`), its whole `Quantity` in its `Unit`, and,
//! when priced, `UnitPrice` and `Amount` (`UnitPrice` × `Quantity`). `Currency` and `Total`
//! appear with a price table; `Unpriced` always counts the billed charges without an amount
//! (the total is complete when it is 0).
//!
//! # Example
//! ```
//! use std::collections::BTreeMap;
//! use machine_image::charges::{estimate_usage, Launch, PlannedImage, PriceTable, UsagePlan};
//! use machine_image::response::usage_estimate::AlibabaEstimateUsageCostResponse;
//! use machine_image::{Geography, ImageId, OwnerAlias, Platform, RegionId, RequestId};
//!
//! let windows = PlannedImage::new(ImageId::new("img-win00001")?, RegionId::new("ap-singapore")?, 50)
//!     .platform(Platform::Windows);
//! let plan = UsagePlan::new().with(Launch::new(
//!     windows, OwnerAlias::System, Geography::OtherCountryOrRegion, "S5.MEDIUM4", 2, 3,
//! )?);
//! let mut prices = PriceTable::new("USD");
//! prices.windows_licence = BTreeMap::from([("S5.MEDIUM4".to_string(), "10".parse()?)]);
//! let estimate = estimate_usage(&plan, Some(&prices))?;
//! let request = RequestId::from_sequence(1);
//! let body = AlibabaEstimateUsageCostResponse::new(&request, &estimate);
//! assert_eq!(
//!     serde_json::to_string(&body)?,
//!     concat!(
//!         r#"{"RequestId":"00000000-0000-4000-8000-000000000001","Lines":[{"Item":"Launch","#,
//!         r#""ImageId":"img-win00001","Region":"ap-singapore","ImageOwnerAlias":"system","#,
//!         r#""Geography":"OtherCountryOrRegion","InstanceType":"S5.MEDIUM4","Instances":2,"#,
//!         r#""Months":3,"Charges":[{"Kind":"WindowsLicence","Quantity":6,"#,
//!         r#""Unit":"instance-month","Billed":true,"UnitPrice":"10","Amount":"60","Seed":"001","#,
//!         r#""Clause":"中国本土以外のリージョンでは、Windowsタイプのイメージの課金はインスタンスのスペックにより、実際に作成されたインスタンスに基づいて計算されます。"}],"#,
//!         r#""Subtotal":"60"}],"Currency":"USD","Total":"60","Unpriced":0}"#,
//!     )
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::estimate::{amount, both_or_neither};
use crate::charges::{self, Amount, ChargeKind, Network, PlanItem};
use crate::id::RequestId;
use crate::region::Geography;

/// The Alibaba form: `{"RequestId", "Lines", "Currency", "Total", "Unpriced"}`; `Currency`
/// and `Total` only when priced (see the [module](self) example).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlibabaEstimateUsageCostResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `Lines`: one per item of the plan, in its order.
    #[serde(rename = "Lines")]
    pub lines: Vec<UsageCostLine<'a>>,
    /// `Currency`, when priced.
    #[serde(rename = "Currency", skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'a str>,
    /// `Total`, when priced: the sum of the subtotals.
    #[serde(
        rename = "Total",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Amount>,
    /// `Unpriced`: the billed charges listed without an amount.
    #[serde(rename = "Unpriced")]
    pub unpriced: usize,
}

impl<'a> AlibabaEstimateUsageCostResponse<'a> {
    /// The body of `estimate`.
    pub fn new(request: &'a RequestId, estimate: &'a charges::UsageEstimate) -> Self {
        let (currency, total) = both_or_neither(&estimate.currency, estimate.total);
        AlibabaEstimateUsageCostResponse {
            request_id: request.as_str(),
            lines: estimate.lines.iter().map(UsageCostLine::new).collect(),
            currency,
            total,
            unpriced: estimate.unpriced,
        }
    }
}

/// The Tencent form: the same fields, `RequestId` last, inside
/// [`Envelope`](super::tencent::Envelope).
///
/// ```
/// use machine_image::charges::{estimate_usage, UsagePlan};
/// use machine_image::response::tencent::Envelope;
/// use machine_image::response::usage_estimate::TencentEstimateUsageCostResponse;
/// use machine_image::RequestId;
///
/// let estimate = estimate_usage(&UsagePlan::new(), None)?;
/// let request = RequestId::from_sequence(1);
/// assert_eq!(
///     serde_json::to_string(&Envelope::new(TencentEstimateUsageCostResponse::new(&request, &estimate)))?,
///     r#"{"Response":{"Lines":[],"Unpriced":0,"RequestId":"00000000-0000-4000-8000-000000000001"}}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TencentEstimateUsageCostResponse<'a> {
    /// `Lines`: one per item of the plan, in its order.
    #[serde(rename = "Lines")]
    pub lines: Vec<UsageCostLine<'a>>,
    /// `Currency`, when priced.
    #[serde(rename = "Currency", skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'a str>,
    /// `Total`, when priced: the sum of the subtotals.
    #[serde(
        rename = "Total",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Amount>,
    /// `Unpriced`: the billed charges listed without an amount.
    #[serde(rename = "Unpriced")]
    pub unpriced: usize,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> TencentEstimateUsageCostResponse<'a> {
    /// The body of `estimate`.
    pub fn new(request: &'a RequestId, estimate: &'a charges::UsageEstimate) -> Self {
        let (currency, total) = both_or_neither(&estimate.currency, estimate.total);
        TencentEstimateUsageCostResponse {
            lines: estimate.lines.iter().map(UsageCostLine::new).collect(),
            currency,
            total,
            unpriced: estimate.unpriced,
            request_id: request.as_str(),
        }
    }
}

/// One item and its charges: `{"Item", "ImageId", "Region", "ImageOwnerAlias",
/// "Geography", "InstanceType", "Instances", "Months", "Objects", "Network", "Charges",
/// "Subtotal"}`, each field only for the items that have it.
///
/// | `Item` | `Region` | its own fields |
/// |---|---|---|
/// | `Launch` | the image's | `ImageOwnerAlias`, `Geography`, `InstanceType`, `Instances`, `Months` |
/// | `KeptImage` | the image's | `Months` |
/// | `Export` | the bucket's | `Objects`, `Months` (stored) |
/// | `Download` | the bucket's | `Objects`, `Network` (`Private`, `Public`) |
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageCostLine<'a> {
    /// `Item` ([`PlanItem::as_str`]).
    #[serde(rename = "Item")]
    pub item: &'static str,
    /// `ImageId`: the image launched, kept, exported or whose export is downloaded.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `Region`: the image's (launch, kept image) or the bucket's (export, download).
    #[serde(rename = "Region")]
    pub region: &'a str,
    /// `ImageOwnerAlias` (launch): `system`, `self`, `others`, `marketplace`.
    #[serde(rename = "ImageOwnerAlias", skip_serializing_if = "Option::is_none")]
    pub image_owner_alias: Option<&'static str>,
    /// `Geography` (launch): `MainlandChina` or `OtherCountryOrRegion`.
    #[serde(rename = "Geography", skip_serializing_if = "Option::is_none")]
    pub geography: Option<&'static str>,
    /// `InstanceType` (launch).
    #[serde(rename = "InstanceType", skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<&'a str>,
    /// `Instances` (launch).
    #[serde(rename = "Instances", skip_serializing_if = "Option::is_none")]
    pub instances: Option<u32>,
    /// `Months` (launch: run; kept image, export: stored).
    #[serde(rename = "Months", skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// `Objects` (export, download): how many objects.
    #[serde(rename = "Objects", skip_serializing_if = "Option::is_none")]
    pub objects: Option<usize>,
    /// `Network` (download): `Private` or `Public`.
    #[serde(rename = "Network", skip_serializing_if = "Option::is_none")]
    pub network: Option<&'static str>,
    /// `Charges`.
    #[serde(rename = "Charges")]
    pub charges: Vec<UsageCostCharge<'a>>,
    /// `Subtotal`, when priced.
    #[serde(
        rename = "Subtotal",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub subtotal: Option<Amount>,
}

fn geography_str(geography: Geography) -> &'static str {
    match geography {
        Geography::MainlandChina => "MainlandChina",
        Geography::OtherCountryOrRegion => "OtherCountryOrRegion",
    }
}

fn network_str(network: Network) -> &'static str {
    match network {
        Network::Private => "Private",
        Network::Public => "Public",
    }
}

impl<'a> UsageCostLine<'a> {
    /// The line `line` of an estimate.
    pub fn new(line: &'a charges::UsageLine) -> Self {
        let bare = |image_id: &'a str, region: &'a str| UsageCostLine {
            item: line.item.as_str(),
            image_id,
            region,
            image_owner_alias: None,
            geography: None,
            instance_type: None,
            instances: None,
            months: None,
            objects: None,
            network: None,
            charges: line.charges.iter().map(UsageCostCharge::new).collect(),
            subtotal: line.subtotal,
        };
        match &line.item {
            PlanItem::Launch(launch) => UsageCostLine {
                image_owner_alias: Some(launch.alias().as_str()),
                geography: Some(geography_str(launch.geography())),
                instance_type: Some(launch.instance_type()),
                instances: Some(launch.instances()),
                months: Some(launch.months()),
                ..bare(
                    launch.image().image.as_str(),
                    launch.image().region.as_str(),
                )
            },
            PlanItem::KeptImage(kept) => UsageCostLine {
                months: Some(kept.months()),
                ..bare(kept.image().image.as_str(), kept.image().region.as_str())
            },
            PlanItem::Export(export) => UsageCostLine {
                months: Some(export.months()),
                objects: Some(export.objects().len()),
                ..bare(export.image().as_str(), export.bucket_region().as_str())
            },
            PlanItem::Download(download) => UsageCostLine {
                objects: Some(download.objects().len()),
                network: Some(network_str(download.network())),
                ..bare(download.image().as_str(), download.bucket_region().as_str())
            },
        }
    }
}

/// One charge: `{"Kind", "Quantity", "Unit", "Billed", "UnitPrice", "Amount",
/// "UltimateSource", "Seed", "Clause"}`; `UnitPrice` and `Amount` when priced,
/// `UltimateSource` for an image fee. `Clause` is quoted from the seed
/// ([`Rule::clause`](charges::Rule::clause)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageCostCharge<'a> {
    /// `Kind` ([`ChargeKind::as_str`]).
    #[serde(rename = "Kind")]
    pub kind: &'static str,
    /// `Quantity`, in `Unit`s: the whole quantity (GiB × months, instances × months,
    /// requests, GiB).
    #[serde(rename = "Quantity")]
    pub quantity: u64,
    /// `Unit` ([`Unit::as_str`](charges::Unit::as_str)).
    #[serde(rename = "Unit")]
    pub unit: &'static str,
    /// `Billed`: whether the seeds bill it (false for the free kinds).
    #[serde(rename = "Billed")]
    pub billed: bool,
    /// `UnitPrice`, when priced.
    #[serde(
        rename = "UnitPrice",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Amount>,
    /// `Amount`, when priced.
    #[serde(
        rename = "Amount",
        serialize_with = "amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Amount>,
    /// `UltimateSource`: the paid image an image fee is for.
    #[serde(rename = "UltimateSource", skip_serializing_if = "Option::is_none")]
    pub ultimate_source: Option<&'a str>,
    /// `Seed`: the source document of the rule (`001`, `002`).
    #[serde(rename = "Seed")]
    pub seed: &'static str,
    /// `Clause`: the rule's clause, quoted from the seed.
    #[serde(rename = "Clause")]
    pub clause: &'static str,
}

impl<'a> UsageCostCharge<'a> {
    /// The line charge `c`.
    pub fn new(c: &'a charges::LineCharge) -> Self {
        UsageCostCharge {
            kind: c.charge.kind.as_str(),
            quantity: c.quantity,
            unit: c.unit.as_str(),
            billed: !c.charge.is_free(),
            unit_price: c.unit_price,
            amount: c.amount,
            ultimate_source: match c.charge.kind {
                ChargeKind::ImageFee => c.charge.ultimate_source.as_ref().map(|s| s.as_str()),
                _ => None,
            },
            seed: c.charge.rule.seed,
            clause: c.charge.rule.clause,
        }
    }
}
