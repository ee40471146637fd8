//! Accounts: who owns images, their per-region quotas, and the allow-lists [the seeds](crate::sources)
//! mention (cross-border copy, bring-your-own-key, image size, export).

use serde::{Deserialize, Serialize};

use crate::id::AccountId;

/// An account and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}
