//! Prices: amounts, per-region rates, the table a caller supplies, and what a charge costs.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Charge, ChargeKind, Quantity};
use crate::id::ImageId;
use crate::region::RegionId;

/// An amount of money in micro-units (millionths) of a price table's currency.
///
/// ```
/// use machine_image::charges::Amount;
///
/// let price: Amount = "0.05".parse()?;
/// assert_eq!(price, Amount::new(0, 50_000));
/// assert_eq!(price.micros(), 50_000);
/// assert_eq!(Amount::new(3, 1).to_string(), "3.000001");
/// assert!("1.0000001".parse::<Amount>().is_err()); // at most six decimals
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Amount(pub u64);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// `units` whole currency units plus `micros` millionths (`micros` of a million or more
    /// add whole units). Saturates at the largest amount, 18,446,744,073,709.551615, rather
    /// than wrapping; parsing and the price arithmetic refuse an overflow instead.
    pub fn new(units: u64, micros: u64) -> Amount {
        Amount(units.saturating_mul(1_000_000).saturating_add(micros))
    }

    /// The micro-units.
    pub fn micros(self) -> u64 {
        self.0
    }

    pub(super) fn times(self, n: u64) -> Result<Amount, PriceError> {
        self.0
            .checked_mul(n)
            .map(Amount)
            .ok_or(PriceError::Overflow)
    }

    pub(super) fn plus(self, other: Amount) -> Result<Amount, PriceError> {
        self.0
            .checked_add(other.0)
            .map(Amount)
            .ok_or(PriceError::Overflow)
    }
}

/// Text that is not a decimal amount with at most six decimals.
///
/// ```
/// use machine_image::charges::{Amount, AmountError};
///
/// assert_eq!("1e3".parse::<Amount>(), Err(AmountError("1e3".into())));
/// assert!("-1".parse::<Amount>().is_err() && ".5".parse::<Amount>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an amount: expected digits with at most six decimals, e.g. 0.05")]
pub struct AmountError(pub String);

impl std::str::FromStr for Amount {
    type Err = AmountError;

    /// A decimal such as `12`, `0.05` or `3.000001` (at most six decimals, no sign).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AmountError(s.to_owned());
        let (units, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if units.is_empty() || !digits(units) || !digits(frac) || frac.len() > 6 {
            return Err(err());
        }
        if s.contains('.') && frac.is_empty() {
            return Err(err());
        }
        let units: u64 = units.parse().map_err(|_| err())?;
        let micros: u64 = format!("{frac:0<6}").parse().map_err(|_| err())?;
        units
            .checked_mul(1_000_000)
            .and_then(|u| u.checked_add(micros))
            .map(Amount)
            .ok_or_else(err)
    }
}

impl fmt::Display for Amount {
    /// A decimal without trailing zeros: `12`, `0.5`, `3.000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (units, micros) = (self.0 / 1_000_000, self.0 % 1_000_000);
        if micros == 0 {
            write!(f, "{units}")
        } else {
            let frac = format!("{micros:06}");
            write!(f, "{units}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// Per-region prices with a fallback.
///
/// ```
/// use machine_image::RegionId;
/// use machine_image::charges::{Amount, Rates};
///
/// let (hz, hk) = (RegionId::new("cn-hangzhou")?, RegionId::new("cn-hongkong")?);
/// let mut rates = Rates::flat("0.02".parse()?);
/// rates.regions.insert(hk.clone(), "0.03".parse()?);
/// assert_eq!(rates.get(&hz), Some(Amount::new(0, 20_000)));
/// assert_eq!(rates.get(&hk), Some(Amount::new(0, 30_000)));
/// assert_eq!(Rates::default().get(&hz), None); // no price: estimates say so
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    /// The price where no region-specific one is given.
    pub default: Option<Amount>,
    /// Region-specific prices.
    pub regions: BTreeMap<RegionId, Amount>,
}

impl Rates {
    /// One price everywhere.
    pub fn flat(price: Amount) -> Self {
        Rates {
            default: Some(price),
            regions: BTreeMap::new(),
        }
    }

    /// The price in `region`.
    pub fn get(&self, region: &RegionId) -> Option<Amount> {
        self.regions.get(region).copied().or(self.default)
    }
}

/// The prices a caller supplies (the seeds have none).
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::{copy_charges, Amount, ChargeKind, Period, PriceError, PriceTable, Rates};
/// // `web`: a 40 GiB custom image in cn-hangzhou (hidden above).
/// let mut prices = PriceTable::new("USD");
/// prices.snapshot_storage = Rates::flat("0.02".parse()?); // per GiB-month
/// let shanghai = RegionId::new("cn-shanghai")?;
/// let charges = copy_charges(&web, &shanghai);
/// let year = Period { months: 12, instances: vec![] };
/// assert_eq!(charges[0].kind, ChargeKind::CopyOperation); // the copy itself: free
/// assert_eq!(prices.amount(&charges[0], &year)?, Amount::ZERO);
/// assert_eq!(charges[1].kind, ChargeKind::SnapshotStorage); // the copy's snapshots
/// let storage = prices.amount(&charges[1], &year)?;
/// assert_eq!(storage.to_string(), "9.6"); // 40 GiB × 12 months × 0.02
/// assert!(matches!(
///     PriceTable::new("USD").amount(&charges[1], &year),
///     Err(PriceError::Missing { .. })
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTable {
    /// The currency of every amount, e.g. `"USD"`.
    pub currency: String,
    /// Snapshot storage, per GiB-month.
    pub snapshot_storage: Rates,
    /// Bucket storage of exported objects, per GiB-month.
    pub bucket_storage: Rates,
    /// Bucket requests (export writes, download requests), per request.
    pub bucket_requests: Rates,
    /// Public-network downstream traffic, per GiB.
    pub public_downstream: Rates,
    /// Windows public images outside mainland China, per instance-month, by the instance's
    /// specification (e.g. `"S5.MEDIUM4"`).
    pub windows_licence: BTreeMap<String, Amount>,
    /// Image fees, per instance-month, by the paid ultimate source image.
    pub image_fees: BTreeMap<ImageId, Amount>,
}

/// How long, and on which instances, a charge is priced.
///
/// ```
/// use std::collections::BTreeMap;
/// use machine_image::charges::{image_charges, Amount, Period, PriceTable};
/// use machine_image::{AccountId, Geography, Image, ImageId, ImageName, OwnerAlias, Platform, RegionId};
///
/// // A public Windows image outside mainland China bills a licence per instance and month.
/// let system = AccountId::new("system")?;
/// let windows = Image::public(ImageId::new("win2022_64_dtc")?, RegionId::new("ap-southeast-1")?, system, ImageName::new("Windows")?, vec![])
///     .platform(Platform::Windows)
///     .build()?;
/// let charges = image_charges(&windows, OwnerAlias::System, Geography::OtherCountryOrRegion);
/// let mut prices = PriceTable::new("USD");
/// prices.windows_licence = BTreeMap::from([("S5.MEDIUM4".to_string(), Amount::new(10, 0))]);
/// let period = Period { months: 3, instances: vec!["S5.MEDIUM4".into(), "S5.MEDIUM4".into()] };
/// assert_eq!(prices.amount(&charges[0], &period)?, Amount::new(60, 0)); // 2 × 3 × 10
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Months (storage is billed per month held, per-instance charges per month run).
    pub months: u32,
    /// The specification of each instance launched from the image for the period.
    pub instances: Vec<String>,
}

impl Period {
    /// `months`, on the instances whose specifications `instances` lists (one entry per
    /// instance).
    ///
    /// ```
    /// use machine_image::charges::Period;
    ///
    /// let period = Period::new(3, ["S5.MEDIUM4", "S5.MEDIUM4"]);
    /// assert_eq!((period.months, period.instances.len()), (3, 2));
    /// assert!(Period::new(12, Vec::<String>::new()).instances.is_empty());
    /// ```
    pub fn new<S: Into<String>>(months: u32, instances: impl IntoIterator<Item = S>) -> Self {
        Period {
            months,
            instances: instances.into_iter().map(Into::into).collect(),
        }
    }
}

/// A charge the price table can't price.
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
/// use machine_image::charges::{estimate, ChargeKind, PriceError};
/// // `plan`: a 40 GiB image copied to cn-shanghai; a table without snapshot prices:
/// let err = estimate(&plan, Some(&PriceTable::new("USD"))).unwrap_err();
/// assert_eq!(err, PriceError::Missing { kind: ChargeKind::SnapshotStorage, key: "cn-shanghai".into() });
/// # let _ = prices;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// No price for the kind in the region, for the instance specification, or for the
    /// ultimate source.
    #[error("no price for {kind} ({key})")]
    Missing {
        /// The charge kind.
        kind: ChargeKind,
        /// The region, instance specification or image the price was looked up by.
        key: String,
    },
    /// The amount does not fit in 64 bits of micro-units.
    #[error("amount overflows")]
    Overflow,
}

impl PriceTable {
    /// A table in `currency` with no prices.
    pub fn new(currency: impl Into<String>) -> Self {
        PriceTable {
            currency: currency.into(),
            ..PriceTable::default()
        }
    }

    fn rate(&self, rates: &Rates, charge: &Charge) -> Result<Amount, PriceError> {
        rates
            .get(&charge.region)
            .ok_or_else(|| PriceError::Missing {
                kind: charge.kind,
                key: charge.region.to_string(),
            })
    }

    /// The price of one unit of `charge` in a usage plan (a GiB-month, a request, a GiB, an
    /// instance-month of `instance_type`): zero for the free kinds; `None` where the table
    /// has none, and always for image fees, which a usage plan lists and never prices.
    pub(super) fn unit_price(&self, charge: &Charge, instance_type: &str) -> Option<Amount> {
        if charge.is_free() {
            return Some(Amount::ZERO);
        }
        let region = &charge.region;
        match (charge.kind, charge.quantity) {
            (_, Quantity::Operation) => Some(Amount::ZERO),
            (ChargeKind::SnapshotStorage, Quantity::GibMonths { .. }) => {
                self.snapshot_storage.get(region)
            }
            (_, Quantity::GibMonths { .. }) => self.bucket_storage.get(region),
            (_, Quantity::Requests { .. }) => self.bucket_requests.get(region),
            (_, Quantity::TrafficGib { .. }) => self.public_downstream.get(region),
            (ChargeKind::WindowsLicence, Quantity::PerInstanceMonth) => {
                self.windows_licence.get(instance_type).copied()
            }
            (_, Quantity::PerInstanceMonth) => None,
        }
    }

    /// What `charge` costs over `period`: free kinds cost nothing; storage is GiB × months
    /// × the region's rate; requests and traffic count × rate; per-instance charges the
    /// instances' prices × months (nothing when no instance runs).
    pub fn amount(&self, charge: &Charge, period: &Period) -> Result<Amount, PriceError> {
        if charge.is_free() {
            return Ok(Amount::ZERO);
        }
        let months = u64::from(period.months);
        match (charge.kind, charge.quantity) {
            (_, Quantity::Operation) => Ok(Amount::ZERO),
            (ChargeKind::SnapshotStorage, Quantity::GibMonths { gib }) => self
                .rate(&self.snapshot_storage, charge)?
                .times(gib)?
                .times(months),
            (_, Quantity::GibMonths { gib }) => self
                .rate(&self.bucket_storage, charge)?
                .times(gib)?
                .times(months),
            (_, Quantity::Requests { count }) => {
                self.rate(&self.bucket_requests, charge)?.times(count)
            }
            (_, Quantity::TrafficGib { gib }) => {
                self.rate(&self.public_downstream, charge)?.times(gib)
            }
            (ChargeKind::WindowsLicence, Quantity::PerInstanceMonth) => {
                period.instances.iter().try_fold(Amount::ZERO, |sum, spec| {
                    let price = self.windows_licence.get(spec).copied().ok_or_else(|| {
                        PriceError::Missing {
                            kind: charge.kind,
                            key: spec.clone(),
                        }
                    })?;
                    sum.plus(price.times(months)?)
                })
            }
            (_, Quantity::PerInstanceMonth) => {
                if period.instances.is_empty() {
                    return Ok(Amount::ZERO);
                }
                let source = charge.ultimate_source.as_ref();
                let price = source
                    .and_then(|s| self.image_fees.get(s).copied())
                    .ok_or_else(|| PriceError::Missing {
                        kind: charge.kind,
                        key: source.map(ToString::to_string).unwrap_or_default(),
                    })?;
                price.times(period.instances.len() as u64)?.times(months)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_display_as_decimals() {
        assert_eq!(Amount::new(12, 0).to_string(), "12");
        assert_eq!(Amount::new(0, 500_000).to_string(), "0.5");
        assert_eq!(Amount::new(3, 1).to_string(), "3.000001");
        assert_eq!(Amount::ZERO.to_string(), "0");
    }

    #[test]
    fn amounts_built_from_parts_saturate() {
        assert_eq!(Amount::new(1, 500_000).to_string(), "1.5");
        assert_eq!(Amount::new(0, 2_500_000), Amount::new(2, 500_000));
        assert_eq!(Amount::new(u64::MAX / 1_000_000 + 1, 0).micros(), u64::MAX);
        assert_eq!(Amount::new(u64::MAX, u64::MAX).micros(), u64::MAX);
    }

    #[test]
    fn amounts_parse_from_decimals() {
        assert_eq!("12".parse(), Ok(Amount::new(12, 0)));
        assert_eq!("0.05".parse(), Ok(Amount::new(0, 50_000)));
        assert_eq!("3.000001".parse(), Ok(Amount::new(3, 1)));
        for bad in [
            "",
            ".5",
            "1.",
            "1.0000001",
            "-1",
            "1e3",
            "a",
            "18446744073709.551616",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad}");
        }
        for a in [Amount(0), Amount(1), Amount::new(7, 250_000)] {
            assert_eq!(a.to_string().parse(), Ok(a));
        }
    }

    #[test]
    fn rates_fall_back_to_the_default() {
        let hz = RegionId::new("cn-hangzhou").unwrap();
        let sg = RegionId::new("ap-southeast-1").unwrap();
        let mut r = Rates::flat(Amount(5));
        r.regions.insert(sg.clone(), Amount(7));
        assert_eq!(r.get(&hz), Some(Amount(5)));
        assert_eq!(r.get(&sg), Some(Amount(7)));
        assert_eq!(Rates::default().get(&hz), None);
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(Amount(u64::MAX).times(2), Err(PriceError::Overflow));
        assert_eq!(Amount(u64::MAX).plus(Amount(1)), Err(PriceError::Overflow));
    }
}
