//! `Profile`: the engine's configuration for one provider: its regions and copy policy,
//! the queue scope, and the stated defaults for sizes and quotas. It sits above the value
//! types it gathers ([`crate::provider`], [`crate::region`], [`crate::copy`]), so none of
//! them depends on it.

use crate::copy::QueueScope;
use crate::provider::Provider;
use crate::region::RegionPolicy;

/// A provider's rule profile: the limits and policies the engine applies. Every field is
/// public so an embedding service can adjust it (new regions, other quotas).
///
/// ```
/// use machine_image::engine::ImageService;
/// use machine_image::{Geography, Profile, Provider, Region, RegionId};
///
/// let mut profile = Profile::tencent();
/// assert_eq!(profile.provider, Provider::Tencent);
/// assert_eq!((profile.default_image_quota, profile.max_image_size_gib), (500, 500));
/// // A region the built-in catalogue does not know yet, and a larger size limit:
/// let new_region = RegionId::new("ap-newcity")?;
/// profile.regions.catalogue.insert(Region::new(new_region.clone(), "New City", Geography::OtherCountryOrRegion));
/// profile.max_image_size_gib = 2048;
/// let service = ImageService::new(profile);
/// assert!(service.profile().regions.catalogue.has(&new_region));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// Whose rules.
    pub provider: Provider,
    /// The regions and the copy policy between them.
    pub regions: RegionPolicy,
    /// Which region's queue a copy waits in (see [`crate::copy`]).
    pub queue_scope: QueueScope,
    /// The largest image (GiB) an account may copy without the size allow-list
    /// (`SizeExceed.Image`). The seeds give no figure; the stated default is 500 GiB.
    pub max_image_size_gib: u64,
    /// Custom images per account per region when the account sets none: 500 on Tencent
    /// (`SyncImages`: "500 custom images per account per region"); the same stated default on
    /// Alibaba, whose documents give no figure.
    pub default_image_quota: u32,
    /// Snapshots per account per region when the account sets none (stated default: 1000).
    pub default_snapshot_quota: u32,
}

impl Profile {
    /// The profile of `provider` with its built-in regions and the stated defaults.
    pub fn for_provider(provider: Provider) -> Self {
        Profile {
            provider,
            regions: RegionPolicy::for_provider(provider),
            queue_scope: QueueScope::Source,
            max_image_size_gib: 500,
            default_image_quota: 500,
            default_snapshot_quota: 1000,
        }
    }

    /// Alibaba Cloud ECS.
    pub fn alibaba() -> Self {
        Self::for_provider(Provider::Alibaba)
    }

    /// Tencent Cloud CVM.
    pub fn tencent() -> Self {
        Self::for_provider(Provider::Tencent)
    }

    /// An account's (image, snapshot) quotas per region: its own, or this profile's
    /// defaults for an account never registered.
    ///
    /// ```
    /// use machine_image::{Account, AccountId, Profile};
    /// let profile = Profile::alibaba();
    /// assert_eq!(profile.quotas_of(None), (500, 1000));
    /// let account = Account::new(AccountId::new("1234567890123456").unwrap(), 10, 100);
    /// assert_eq!(profile.quotas_of(Some(&account)), (10, 100));
    /// ```
    pub fn quotas_of(&self, account: Option<&crate::account::Account>) -> (u32, u32) {
        account.map_or(
            (self.default_image_quota, self.default_snapshot_quota),
            |a| (a.image_quota, a.snapshot_quota),
        )
    }
}
