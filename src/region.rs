//! Regions: `RegionId`, the built-in catalogues of both providers, and `RegionPolicy`, which
//! decides whether an image may be copied from one region to another.
//!
//! # Region ids
//! A [`RegionId`] is 2 to 4 lowercase ASCII letters, then one to four `-`-separated parts of
//! lowercase letters and digits, at most 50 characters: `cn-hangzhou`, `ap-southeast-1`,
//! `cn-wuhan-lr`, `ap-guangzhou`, `ap-shanghai-fsi`, `na-siliconvalley`. Being well formed
//! does not make a region exist: existence is the catalogue's answer.
//!
//! # Catalogues
//! [`RegionCatalogue::alibaba`] and [`RegionCatalogue::tencent`] hold every public region the
//! providers' documentation establishes (closed regions such as Alibaba's `ap-south-1` and
//! `ap-southeast-2` and unconfirmed ones are left out), each with its geography: mainland
//! China, or another country or region. Hong Kong, Macao and Taiwan are not mainland China.
//! Lookups are hashed and allocation-free. New regions appear every year: an embedding
//! service adds or replaces them with [`RegionCatalogue::insert`], or builds its own catalogue.
//!
//! # Copy policy
//! [`RegionPolicy::check_copy`] applies, in this order (the first failure wins):
//! 1. the source region exists (`SourceRegion.NotFound`);
//! 2. the destination region exists (`DestinationRegion.NotFound`);
//! 3. source and destination differ (`IncorrectDestinationRegion`);
//! 4. both regions support copying (`RegionNotSupportCopy`);
//! 5. Tencent ([seed 000](crate::sources#seed-000), "リージョン制限", region restriction): a copy between mainland China and another
//!    country/region needs the account on the allow-list ("submit a ticket"); refused with
//!    `RegionNotSupportCopy` in Alibaba's rendering and `UnsupportedOperation.Region` in
//!    Tencent's.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::newtype::{short_text, string_newtype_impls};
use crate::provider::Provider;

/// Why a region id was refused.
///
/// ```
/// use machine_image::{RegionId, RegionIdError};
///
/// assert_eq!(RegionId::new("cn"), Err(RegionIdError::Length { len: 2 }));
/// assert_eq!(RegionId::new("CN-Hangzhou"), Err(RegionIdError::Malformed("CN-Hangzhou".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionIdError {
    /// Empty or longer than 50 characters.
    #[error("region id is {len} characters long; expected 4 to 50")]
    Length {
        /// The length in characters.
        len: usize,
    },
    /// Not of the form `xx-part[-part…]`.
    #[error("region id {0:?} is not of the form cn-hangzhou / ap-southeast-1")]
    Malformed(String),
}

/// A well-formed region id, e.g. `cn-hangzhou` or `ap-guangzhou` (see the module docs).
///
/// ```
/// use machine_image::{RegionCatalogue, RegionId, RegionIdError};
///
/// let hangzhou = RegionId::new("cn-hangzhou")?;
/// assert_eq!(hangzhou.as_str(), "cn-hangzhou");
/// assert!(RegionId::new("ap-southeast-1").is_ok());
/// assert!(matches!(RegionId::new("Hangzhou"), Err(RegionIdError::Malformed(_))));
/// // Well formed is not the same as existing: that is the catalogue's answer.
/// let unknown = RegionId::new("xx-nowhere")?;
/// assert!(!RegionCatalogue::alibaba().has(&unknown));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionId(SmolStr);

impl RegionId {
    /// Validates `s`.
    pub fn new(s: impl AsRef<str>) -> Result<Self, RegionIdError> {
        let s = s.as_ref();
        check_region_id(s)?;
        Ok(RegionId(short_text(s)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// A key for finding the text `s` among region ids, unchecked: text that is not a
    /// well-formed id is simply not found. It never leaves the lookup that makes it, so no
    /// ill-formed id is stored or returned. (Looking up by `&str` through `Borrow<str>`
    /// would turn every key compared into a `&str`, which re-checks its UTF-8.)
    pub(crate) fn lookup_key(s: &str) -> RegionId {
        RegionId(SmolStr::new(s))
    }

    /// The text, as stored.
    pub(crate) fn text(&self) -> &SmolStr {
        &self.0
    }
}

fn check_region_id(s: &str) -> Result<(), RegionIdError> {
    // One table-driven pass over the bytes (a measurable share of a runner's line); a
    // well-formed id is ASCII, so its bytes are its characters.
    if (4..=50).contains(&s.len()) && shape::accepts(s.as_bytes()) {
        return Ok(());
    }
    // Refused: a length out of range (in characters) is said first, else the shape.
    let len = s.chars().count();
    if !(4..=50).contains(&len) {
        return Err(RegionIdError::Length { len });
    }
    Err(RegionIdError::Malformed(s.to_owned()))
}

/// A region id's shape as a state machine over bytes: the head's letters counted up to 4
/// (`H0`..`H4`), then each further part (2nd to 5th) empty or not. Every byte costs one
/// lookup of its class and one of the next state.
mod shape {
    /// The byte classes: a lowercase letter, a digit, `-`, anything else.
    const LOWER: usize = 0;
    const DIGIT: usize = 1;
    const DASH: usize = 2;
    const OTHER: usize = 3;

    const CLASS: [u8; 256] = {
        let mut class = [OTHER as u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_lowercase() {
                class[b] = LOWER as u8;
            } else if c.is_ascii_digit() {
                class[b] = DIGIT as u8;
            } else if c == b'-' {
                class[b] = DASH as u8;
            }
            b += 1;
        }
        class
    };

    /// `H0`..`H4`: the head's letters so far; then part `p` (2..=5) empty at
    /// `5 + 2 * (p - 2)`, non-empty one after; `DEAD` last.
    const HEAD: usize = 5;
    const PARTS: usize = 4;
    const DEAD: u8 = (HEAD + 2 * PARTS) as u8;

    const fn empty(part: usize) -> u8 {
        (HEAD + 2 * (part - 2)) as u8
    }

    const NEXT: [[u8; 4]; DEAD as usize + 1] = {
        let mut next = [[DEAD; 4]; DEAD as usize + 1];
        let mut h = 0;
        while h < HEAD {
            if h < 4 {
                next[h][LOWER] = h as u8 + 1;
            }
            if h >= 2 {
                next[h][DASH] = empty(2);
            }
            h += 1;
        }
        let mut part = 2;
        while part <= 5 {
            let e = empty(part) as usize;
            next[e][LOWER] = e as u8 + 1;
            next[e][DIGIT] = e as u8 + 1;
            next[e + 1][LOWER] = e as u8 + 1;
            next[e + 1][DIGIT] = e as u8 + 1;
            if part < 5 {
                next[e + 1][DASH] = empty(part + 1);
            }
            part += 1;
        }
        next
    };

    /// [`NEXT`] by byte rather than class, 16 states (a power of two) so that the index,
    /// masked, needs no bounds check: one lookup a byte.
    const STEP: [u8; 16 * 256] = {
        let mut step = [DEAD; 16 * 256];
        let mut state = 0;
        while state <= DEAD as usize {
            let mut b = 0;
            while b < 256 {
                step[state * 256 + b] = NEXT[state][CLASS[b] as usize];
                b += 1;
            }
            state += 1;
        }
        step
    };

    /// Whether `bytes` are a head of 2-4 lowercase letters, then one to four further parts
    /// of lowercase letters and digits, each non-empty, split by `-`.
    pub(super) fn accepts(bytes: &[u8]) -> bool {
        let end = bytes.iter().fold(0u8, |state, &b| {
            STEP[(usize::from(state) << 8 | usize::from(b)) & (16 * 256 - 1)]
        });
        end != DEAD && end >= HEAD as u8 && (end - HEAD as u8) % 2 == 1
    }
}

string_newtype_impls!(RegionId, RegionIdError);

/// Where a region is, for the rules that separate mainland China from elsewhere.
///
/// ```
/// use machine_image::{Geography, RegionCatalogue};
///
/// let alibaba = RegionCatalogue::alibaba();
/// let geography = |id| alibaba.get(id).map(|r| r.geography);
/// assert_eq!(geography("cn-hangzhou"), Some(Geography::MainlandChina));
/// // Hong Kong, Macao and Taiwan are not mainland China.
/// assert_eq!(geography("cn-hongkong"), Some(Geography::OtherCountryOrRegion));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Geography {
    /// Mainland China.
    MainlandChina,
    /// Another country or region, Hong Kong, Macao and Taiwan included.
    OtherCountryOrRegion,
}

/// A region and what it supports.
///
/// ```
/// use machine_image::{Geography, Region, RegionCatalogue, RegionId};
///
/// let hangzhou = RegionCatalogue::alibaba().get("cn-hangzhou").cloned().expect("built in");
/// assert_eq!(hangzhou.name, "China (Hangzhou)");
/// assert!(hangzhou.copy_supported && hangzhou.byok_supported);
/// // A region of one's own; `new` supports copies and BYOK, the fields say otherwise.
/// let mut lab = Region::new(RegionId::new("cn-lab-1")?, "Lab", Geography::MainlandChina);
/// lab.byok_supported = false;
/// assert_eq!(lab.id.as_str(), "cn-lab-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Region {
    /// The id.
    pub id: RegionId,
    /// The provider's English name, e.g. `China (Hangzhou)`.
    pub name: String,
    /// Mainland China or elsewhere.
    pub geography: Geography,
    /// Whether images can be copied from and to it (`RegionNotSupportCopy` otherwise).
    pub copy_supported: bool,
    /// Whether bring-your-own-key encryption is available (`InvalidRegion.NotSupport` otherwise).
    pub byok_supported: bool,
}

impl Region {
    /// A region that supports copying and BYOK.
    pub fn new(id: RegionId, name: impl Into<String>, geography: Geography) -> Self {
        Region {
            id,
            name: name.into(),
            geography,
            copy_supported: true,
            byok_supported: true,
        }
    }
}

use Geography::{MainlandChina as CN, OtherCountryOrRegion as XX};

/// Alibaba Cloud ECS public regions (ECS endpoint list; research notes in the CHANGELOG).
const ALIBABA_REGIONS: &[(&str, &str, Geography)] = &[
    ("cn-qingdao", "China (Qingdao)", CN),
    ("cn-beijing", "China (Beijing)", CN),
    ("cn-zhangjiakou", "China (Zhangjiakou)", CN),
    ("cn-huhehaote", "China (Hohhot)", CN),
    ("cn-wulanchabu", "China (Ulanqab)", CN),
    ("cn-hangzhou", "China (Hangzhou)", CN),
    ("cn-shanghai", "China (Shanghai)", CN),
    ("cn-nanjing", "China (Nanjing - Local Region)", CN),
    ("cn-fuzhou", "China (Fuzhou - Local Region)", CN),
    ("cn-shenzhen", "China (Shenzhen)", CN),
    ("cn-heyuan", "China (Heyuan)", CN),
    ("cn-guangzhou", "China (Guangzhou)", CN),
    ("cn-chengdu", "China (Chengdu)", CN),
    ("cn-wuhan-lr", "China (Wuhan - Local Region)", CN),
    (
        "cn-zhengzhou-jva",
        "China (Zhengzhou - China Unicom Joint Venture)",
        CN,
    ),
    ("cn-hongkong", "China (Hong Kong)", XX),
    ("ap-northeast-1", "Japan (Tokyo)", XX),
    ("ap-northeast-2", "South Korea (Seoul)", XX),
    ("ap-southeast-1", "Singapore", XX),
    ("ap-southeast-3", "Malaysia (Kuala Lumpur)", XX),
    ("ap-southeast-5", "Indonesia (Jakarta)", XX),
    ("ap-southeast-6", "Philippines (Manila)", XX),
    ("ap-southeast-7", "Thailand (Bangkok)", XX),
    ("us-east-1", "US (Virginia)", XX),
    ("us-west-1", "US (Silicon Valley)", XX),
    ("eu-central-1", "Germany (Frankfurt)", XX),
    ("eu-west-1", "UK (London)", XX),
    ("me-east-1", "UAE (Dubai)", XX),
    ("me-central-1", "Saudi Arabia (Riyadh)", XX),
];

/// Tencent Cloud CVM public regions (CVM "Regions and Availability Zones").
const TENCENT_REGIONS: &[(&str, &str, Geography)] = &[
    ("ap-guangzhou", "South China (Guangzhou)", CN),
    ("ap-shenzhen-fsi", "South China (Shenzhen Finance)", CN),
    ("ap-shanghai", "East China (Shanghai)", CN),
    ("ap-shanghai-fsi", "East China (Shanghai Finance)", CN),
    ("ap-nanjing", "East China (Nanjing)", CN),
    ("ap-beijing", "North China (Beijing)", CN),
    ("ap-beijing-fsi", "North China (Beijing Finance)", CN),
    ("ap-chengdu", "Southwest China (Chengdu)", CN),
    ("ap-chongqing", "Southwest China (Chongqing)", CN),
    (
        "ap-hongkong",
        "Hong Kong, Macao and Taiwan (Hong Kong, China)",
        XX,
    ),
    ("ap-singapore", "Southeast Asia (Singapore)", XX),
    ("ap-jakarta", "Southeast Asia (Jakarta)", XX),
    ("ap-bangkok", "Southeast Asia (Bangkok)", XX),
    ("ap-seoul", "Northeast Asia (Seoul)", XX),
    ("ap-tokyo", "Northeast Asia (Tokyo)", XX),
    ("ap-mumbai", "South Asia (Mumbai)", XX),
    ("na-siliconvalley", "US West (Silicon Valley)", XX),
    ("na-ashburn", "US East (Virginia)", XX),
    ("na-toronto", "North America (Toronto)", XX),
    ("sa-saopaulo", "South America (São Paulo)", XX),
    ("eu-frankfurt", "Europe (Frankfurt)", XX),
];

/// A set of regions, ordered by id, looked up by id in `O(1)` without allocating.
///
/// ```
/// use machine_image::{Geography, Region, RegionCatalogue, RegionId};
///
/// let mut tencent = RegionCatalogue::tencent();
/// assert!(tencent.contains("ap-guangzhou") && !tencent.contains("cn-hangzhou"));
/// let before = tencent.len();
/// tencent.insert(Region::new(RegionId::new("ap-newcity")?, "New City", Geography::OtherCountryOrRegion));
/// assert_eq!(tencent.len(), before + 1);
/// // Marking a region as not supporting copies:
/// tencent.get_mut("ap-newcity").expect("just added").copy_supported = false;
/// assert!(tencent.iter().any(|r| !r.copy_supported));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Region>", into = "Vec<Region>")]
pub struct RegionCatalogue {
    /// The regions, sorted by id.
    regions: Vec<Region>,
    /// Where each id is in `regions` (derived; the engine asks several times per copy).
    index: FxHashMap<RegionId, usize>,
}

impl PartialEq for RegionCatalogue {
    /// Equal regions; the index follows from them.
    fn eq(&self, other: &Self) -> bool {
        self.regions == other.regions
    }
}

impl Eq for RegionCatalogue {}

impl RegionCatalogue {
    /// An empty catalogue.
    pub fn empty() -> Self {
        RegionCatalogue::default()
    }

    /// The built-in catalogue of `provider`.
    pub fn for_provider(provider: Provider) -> Self {
        let table = match provider {
            Provider::Alibaba => ALIBABA_REGIONS,
            Provider::Tencent => TENCENT_REGIONS,
        };
        let mut catalogue = RegionCatalogue::empty();
        for &(id, name, geography) in table {
            let id = RegionId::new(id).expect("built-in region ids are well formed");
            catalogue.insert(Region::new(id, name, geography));
        }
        catalogue
    }

    /// Alibaba Cloud ECS's public regions.
    pub fn alibaba() -> Self {
        Self::for_provider(Provider::Alibaba)
    }

    /// Tencent Cloud CVM's public regions.
    pub fn tencent() -> Self {
        Self::for_provider(Provider::Tencent)
    }

    /// The region `id`, if known.
    pub fn get(&self, id: &str) -> Option<&Region> {
        self.region(&RegionId::lookup_key(id))
    }

    /// The region `id`, if known: [`RegionCatalogue::get`] for an id already parsed.
    pub fn region(&self, id: &RegionId) -> Option<&Region> {
        self.index.get(id).map(|&i| &self.regions[i])
    }

    /// Mutable access to region `id`, e.g. to mark it as not supporting copies. (Its id
    /// can be read but must not be changed: the catalogue finds it by that id.)
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Region> {
        let i = *self.index.get(&RegionId::lookup_key(id))?;
        Some(&mut self.regions[i])
    }

    /// Whether `id` is known.
    pub fn contains(&self, id: &str) -> bool {
        self.has(&RegionId::lookup_key(id))
    }

    /// Whether `id` is known: [`RegionCatalogue::contains`] for an id already parsed.
    pub fn has(&self, id: &RegionId) -> bool {
        self.index.contains_key(id)
    }

    /// Adds a region, or replaces the one with the same id; returns the replaced one.
    pub fn insert(&mut self, region: Region) -> Option<Region> {
        match self.regions.binary_search_by(|r| r.id.cmp(&region.id)) {
            Ok(i) => Some(std::mem::replace(&mut self.regions[i], region)),
            Err(i) => {
                self.regions.insert(i, region);
                self.reindex();
                None
            }
        }
    }

    /// Removes a region.
    pub fn remove(&mut self, id: &str) -> Option<Region> {
        let i = *self.index.get(&RegionId::lookup_key(id))?;
        let region = self.regions.remove(i);
        self.reindex();
        Some(region)
    }

    /// Rebuilds the index after the regions moved (catalogues change rarely).
    fn reindex(&mut self) {
        self.index = self
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
    }

    /// Every region, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// How many regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
}

impl From<Vec<Region>> for RegionCatalogue {
    fn from(regions: Vec<Region>) -> Self {
        let mut c = RegionCatalogue::empty();
        for r in regions {
            c.insert(r);
        }
        c
    }
}

impl From<RegionCatalogue> for Vec<Region> {
    fn from(c: RegionCatalogue) -> Self {
        c.regions
    }
}

/// Why a copy between two regions is refused.
///
/// ```
/// use machine_image::{RegionPolicy, RouteError, Provider};
///
/// let policy = RegionPolicy::for_provider(Provider::Alibaba);
/// let err = policy.check_copy("cn-hangzhou", "xx-nowhere", false).unwrap_err();
/// assert_eq!(err, RouteError::DestinationNotFound("xx-nowhere".into()));
/// assert_eq!(err.code().as_str(), "DestinationRegion.NotFound");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The source region is not in the catalogue.
    #[error("source region {0:?} is not in the catalogue")]
    SourceNotFound(String),
    /// The destination region is not in the catalogue.
    #[error("destination region {0:?} is not in the catalogue")]
    DestinationNotFound(String),
    /// Source and destination are the same region.
    #[error("source and destination are both {0:?}")]
    SameRegion(String),
    /// The region does not support copying images.
    #[error("region {0:?} does not support image copies")]
    CopyNotSupported(String),
    /// Between mainland China and elsewhere, and the account is not allow-listed.
    #[error(
        "copying from {source_region} to {destination} crosses the mainland China border and needs the allow-list"
    )]
    CrossBorderNotAllowed {
        /// The source region.
        source_region: String,
        /// The destination region.
        destination: String,
    },
}

impl RouteError {
    /// The provider code (see the module docs).
    pub fn code(&self) -> ErrorCode {
        match self {
            RouteError::SourceNotFound(_) => ErrorCode::SourceRegionNotFound,
            RouteError::DestinationNotFound(_) => ErrorCode::DestinationRegionNotFound,
            RouteError::SameRegion(_) => ErrorCode::IncorrectDestinationRegion,
            RouteError::CopyNotSupported(_) | RouteError::CrossBorderNotAllowed { .. } => {
                ErrorCode::RegionNotSupportCopy
            }
        }
    }
}

impl From<RouteError> for ApiError {
    fn from(e: RouteError) -> Self {
        let api = ApiError::new(e.code());
        match e {
            RouteError::CrossBorderNotAllowed { .. } => {
                api.with_tencent(TencentCode::UnsupportedOperationRegion)
            }
            _ => api,
        }
    }
}

/// The regions and the rules for copying between them. Serialisable, so it travels with
/// the engine's state; replaceable and extensible by the embedding service.
///
/// ```
/// use machine_image::{ApiError, Provider, RegionPolicy, RouteError};
///
/// let alibaba = RegionPolicy::for_provider(Provider::Alibaba);
/// assert!(alibaba.check_copy("cn-hangzhou", "ap-southeast-1", false).is_ok());
/// let same = alibaba.check_copy("cn-hangzhou", "cn-hangzhou", false).unwrap_err();
/// assert_eq!(same.code().as_str(), "IncorrectDestinationRegion");
///
/// // Tencent: between mainland China and elsewhere only with the account's allow-list.
/// let tencent = RegionPolicy::for_provider(Provider::Tencent);
/// let refused = tencent.check_copy("ap-guangzhou", "ap-hongkong", false).unwrap_err();
/// assert!(matches!(refused, RouteError::CrossBorderNotAllowed { .. }));
/// assert_eq!(ApiError::from(refused).code_for(Provider::Tencent), "UnsupportedOperation.Region");
/// assert!(tencent.check_copy("ap-guangzhou", "ap-hongkong", true).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionPolicy {
    /// The known regions.
    pub catalogue: RegionCatalogue,
    /// Whether copies between mainland China and elsewhere need the account's allow-list
    /// (Tencent, [seed 000](crate::sources#seed-000)).
    pub cross_border_needs_allow_list: bool,
}

impl RegionPolicy {
    /// The provider's built-in policy: its catalogue, and the cross-border allow-list on
    /// Tencent Cloud only.
    pub fn for_provider(provider: Provider) -> Self {
        RegionPolicy {
            catalogue: RegionCatalogue::for_provider(provider),
            cross_border_needs_allow_list: provider == Provider::Tencent,
        }
    }

    /// Checks that `source` and `destination` both exist (steps 1–2 of the module docs).
    pub fn check_exist(&self, source: &str, destination: &str) -> Result<(), RouteError> {
        if !self.catalogue.contains(source) {
            return Err(RouteError::SourceNotFound(source.to_owned()));
        }
        if !self.catalogue.contains(destination) {
            return Err(RouteError::DestinationNotFound(destination.to_owned()));
        }
        Ok(())
    }

    /// Whether a copy from `source` to `destination` is allowed for an account whose
    /// cross-border allow-list flag is `cross_border_allowed` (all five steps).
    pub fn check_copy(
        &self,
        source: &str,
        destination: &str,
        cross_border_allowed: bool,
    ) -> Result<(), RouteError> {
        self.check_exist(source, destination)?;
        if source == destination {
            return Err(RouteError::SameRegion(source.to_owned()));
        }
        self.check_cross_region(source, destination, cross_border_allowed)
    }

    /// Steps 4–5 for two distinct, existing regions.
    pub fn check_cross_region(
        &self,
        source: &str,
        destination: &str,
        cross_border_allowed: bool,
    ) -> Result<(), RouteError> {
        self.check_cross_region_ids(
            &RegionId::lookup_key(source),
            &RegionId::lookup_key(destination),
            cross_border_allowed,
        )
    }

    /// [`RegionPolicy::check_cross_region`] for ids already parsed.
    pub fn check_cross_region_ids(
        &self,
        source: &RegionId,
        destination: &RegionId,
        cross_border_allowed: bool,
    ) -> Result<(), RouteError> {
        let (Some(src), Some(dst)) = (
            self.catalogue.region(source),
            self.catalogue.region(destination),
        ) else {
            return self.check_exist(source.as_str(), destination.as_str());
        };
        self.check_cross_regions(src, dst, cross_border_allowed)
    }

    /// [`RegionPolicy::check_cross_region`] for regions already found in the catalogue (the
    /// engine finds them once per call, for every step that reads them).
    pub(crate) fn check_cross_regions(
        &self,
        src: &Region,
        dst: &Region,
        cross_border_allowed: bool,
    ) -> Result<(), RouteError> {
        for region in [src, dst] {
            if !region.copy_supported {
                return Err(RouteError::CopyNotSupported(region.id.as_str().to_owned()));
            }
        }
        if self.cross_border_needs_allow_list
            && src.geography != dst.geography
            && !cross_border_allowed
        {
            return Err(RouteError::CrossBorderNotAllowed {
                source_region: src.id.as_str().to_owned(),
                destination: dst.id.as_str().to_owned(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as first written (split, then check each part), against which the one-pass
    /// check is compared.
    fn reference_check(s: &str) -> Result<(), RegionIdError> {
        let len = s.chars().count();
        if !(4..=50).contains(&len) {
            return Err(RegionIdError::Length { len });
        }
        let parts: Vec<&str> = s.split('-').collect();
        let head = parts[0];
        let head_ok = (2..=4).contains(&head.len()) && head.bytes().all(|b| b.is_ascii_lowercase());
        let rest = &parts[1..];
        let rest_ok = (1..=4).contains(&rest.len())
            && rest.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if head_ok && rest_ok {
            Ok(())
        } else {
            Err(RegionIdError::Malformed(s.to_owned()))
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_check_agrees_with_the_reference(s in "[a-z0-9A-Z_é-]{0,14}") {
            proptest::prop_assert_eq!(check_region_id(&s), reference_check(&s));
        }

        #[test]
        fn one_pass_check_agrees_on_region_shapes(s in "[a-z]{1,5}(-[a-z0-9]{0,3}){0,6}") {
            proptest::prop_assert_eq!(check_region_id(&s), reference_check(&s));
        }
    }

    #[test]
    fn region_id_forms() {
        for ok in [
            "cn-hangzhou",
            "ap-southeast-1",
            "cn-wuhan-lr",
            "ap-shanghai-fsi",
            "na-siliconvalley",
            "cn-zhengzhou-jva",
        ] {
            assert!(RegionId::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "cn",
            "CN-hangzhou",
            "cn_hangzhou",
            "cn-",
            "-cn",
            "cn--x",
            "中国-杭州",
            "c-x",
        ] {
            assert!(RegionId::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn catalogues_know_their_regions_and_geography() {
        let ali = RegionCatalogue::alibaba();
        assert_eq!(
            ali.get("cn-hangzhou").unwrap().geography,
            Geography::MainlandChina
        );
        assert_eq!(
            ali.get("cn-hongkong").unwrap().geography,
            Geography::OtherCountryOrRegion
        );
        assert!(ali.get("ap-guangzhou").is_none());
        let ten = RegionCatalogue::tencent();
        assert_eq!(
            ten.get("ap-guangzhou").unwrap().geography,
            Geography::MainlandChina
        );
        assert_eq!(
            ten.get("ap-hongkong").unwrap().geography,
            Geography::OtherCountryOrRegion
        );
        assert!(ten.len() >= 20 && ali.len() >= 25);
    }

    #[test]
    fn policy_order_and_codes() {
        let p = RegionPolicy::for_provider(Provider::Alibaba);
        let code = |s, d| p.check_copy(s, d, false).unwrap_err().code().as_str();
        assert_eq!(code("xx-nowhere", "nope-x"), "SourceRegion.NotFound");
        assert_eq!(
            code("cn-hangzhou", "xx-nowhere"),
            "DestinationRegion.NotFound"
        );
        assert_eq!(
            code("cn-hangzhou", "cn-hangzhou"),
            "IncorrectDestinationRegion"
        );
        assert!(p.check_copy("cn-hangzhou", "ap-southeast-1", false).is_ok());
    }

    #[test]
    fn tencent_cross_border_needs_allow_list() {
        let p = RegionPolicy::for_provider(Provider::Tencent);
        let err = p
            .check_copy("ap-guangzhou", "ap-hongkong", false)
            .unwrap_err();
        assert!(matches!(err, RouteError::CrossBorderNotAllowed { .. }));
        let api: ApiError = err.into();
        assert_eq!(
            api.code_for(Provider::Tencent),
            "UnsupportedOperation.Region"
        );
        assert!(p.check_copy("ap-guangzhou", "ap-hongkong", true).is_ok());
        assert!(p.check_copy("ap-guangzhou", "ap-shanghai", false).is_ok());
        assert!(p.check_copy("ap-tokyo", "ap-hongkong", false).is_ok());
    }

    #[test]
    fn catalogue_is_extensible() {
        let mut p = RegionPolicy::for_provider(Provider::Alibaba);
        p.catalogue.insert(Region::new(
            RegionId::new("cn-newcity").unwrap(),
            "China (New City)",
            Geography::MainlandChina,
        ));
        assert!(p.check_copy("cn-hangzhou", "cn-newcity", false).is_ok());
        p.catalogue.get_mut("cn-newcity").unwrap().copy_supported = false;
        assert_eq!(
            p.check_copy("cn-hangzhou", "cn-newcity", false)
                .unwrap_err()
                .code(),
            ErrorCode::RegionNotSupportCopy
        );
    }

    #[test]
    fn catalogue_stays_ordered_and_indexed_through_changes() {
        let mut c = RegionCatalogue::alibaba();
        let n = c.len();
        let region =
            |id: &str| Region::new(RegionId::new(id).unwrap(), id, Geography::MainlandChina);
        assert!(c.insert(region("aa-first-1")).is_none());
        assert!(c.insert(region("zz-last-1")).is_none());
        assert!(
            c.insert(region("cn-hangzhou")).is_some(),
            "replaces, not adds"
        );
        assert_eq!(c.len(), n + 2);
        assert_eq!(
            c.remove("cn-beijing").map(|r| r.id.to_string()),
            Some("cn-beijing".into())
        );
        assert!(c.remove("cn-beijing").is_none());
        let ids: Vec<&str> = c.iter().map(|r| r.id.as_str()).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ordered by id: {ids:?}"
        );
        for id in &ids {
            assert_eq!(c.get(id).map(|r| r.id.as_str()), Some(*id));
            assert!(c.has(&RegionId::new(id).unwrap()));
        }
        // Text that is no region id (or too long to be one) is simply not found.
        for missing in ["cn-beijing", "", "CN-HANGZHOU", "镜像", &"a".repeat(80)] {
            assert!(
                c.get(missing).is_none() && !c.contains(missing),
                "{missing}"
            );
        }
    }

    #[test]
    fn catalogue_serde_round_trip() {
        let c = RegionCatalogue::tencent();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<RegionCatalogue>(&json).unwrap(), c);
    }
}
