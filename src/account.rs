//! Accounts: who owns images, their per-region quotas, and the allow-lists [the seeds](crate::sources)
//! mention (cross-border copy, bring-your-own-key, image size, export).

use serde::{Deserialize, Serialize};

use crate::id::AccountId;

/// An account and what it may do.
///
/// Built with [`Account::new`] and the allow-list setters; the fields stay readable.
///
/// ```
/// use machine_image::{Account, AccountId};
///
/// let alice = Account::new(AccountId::new("1111111111111111").unwrap(), 5, 10)
///     .allow_byok(true)
///     .enable_export(true);
/// assert_eq!(alice.image_quota, 5);
/// assert!(alice.byok_allowed && alice.export_enabled && !alice.cross_border_allowed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// The account id.
    pub id: AccountId,
    /// Custom images the account may hold per region (`QuotaExceed.Image` beyond it).
    pub image_quota: u32,
    /// Snapshots the account may hold per region (`QuotaExceed.Snapshot` beyond it).
    pub snapshot_quota: u32,
    /// Allow-listed for copies between mainland China and elsewhere (Tencent, [seed 000](crate::sources#seed-000):
    /// "submit a ticket").
    pub cross_border_allowed: bool,
    /// Allow-listed for bring-your-own-key encryption (`UserNotInTheWhiteList` otherwise).
    pub byok_allowed: bool,
    /// Allow-listed for images above the profile's maximum size (`SizeExceed.Image`).
    pub size_allowed: bool,
    /// Image export activated ([seed 002](crate::sources#seed-002): "this feature needs an application").
    pub export_enabled: bool,
}

impl Account {
    /// An account with the given quotas and every allow-list off.
    pub fn new(id: AccountId, image_quota: u32, snapshot_quota: u32) -> Self {
        Account {
            id,
            image_quota,
            snapshot_quota,
            cross_border_allowed: false,
            byok_allowed: false,
            size_allowed: false,
            export_enabled: false,
        }
    }

    /// Allow-lists it for copies between mainland China and elsewhere, or not.
    pub fn allow_cross_border(mut self, allowed: bool) -> Self {
        self.cross_border_allowed = allowed;
        self
    }

    /// Allow-lists it for bring-your-own-key encryption, or not.
    pub fn allow_byok(mut self, allowed: bool) -> Self {
        self.byok_allowed = allowed;
        self
    }

    /// Allow-lists it for images above the profile's maximum size, or not.
    pub fn allow_size(mut self, allowed: bool) -> Self {
        self.size_allowed = allowed;
        self
    }

    /// Activates image export for it, or not.
    pub fn enable_export(mut self, enabled: bool) -> Self {
        self.export_enabled = enabled;
        self
    }
}
