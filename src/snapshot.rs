//! Snapshots: the disks behind an image.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AccountId, KmsKeyId, SnapshotId};
use crate::region::RegionId;

/// A disk snapshot in one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snapshot {
    /// The id.
    pub id: SnapshotId,
    /// The region it lives in.
    pub region: RegionId,
    /// The owning account.
    pub owner: AccountId,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its size in GiB.
    pub size_gib: u64,
    /// Whether it is encrypted.
    pub encrypted: bool,
    /// The KMS key it is encrypted with (`None` with `encrypted`: the service key).
    pub kms_key: Option<KmsKeyId>,
}

/// The oldest creation date a snapshot behind an image may have: seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004),
/// `InvalidSnapshot.TooOld`, "the specified snapshot is created before 2013-07-15".
pub fn oldest_usable_creation() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2013, 7, 15)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("2013-07-15 is a valid date")
        .and_utc()
}

impl Snapshot {
    /// Whether it was created on or after 2013-07-15 (the seeds' rule).
    pub fn is_recent_enough(&self) -> bool {
        self.created_at >= oldest_usable_creation()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn snap(at: DateTime<Utc>) -> Snapshot {
        Snapshot {
            id: SnapshotId::new("s-abc").unwrap(),
            region: RegionId::new("cn-hangzhou").unwrap(),
            owner: AccountId::new("1").unwrap(),
            created_at: at,
            size_gib: 20,
            encrypted: false,
            kms_key: None,
        }
    }

    #[test]
    fn too_old_boundary() {
        let day = Utc.with_ymd_and_hms(2013, 7, 15, 0, 0, 0).unwrap();
        assert!(snap(day).is_recent_enough());
        assert!(!snap(day - chrono::Duration::seconds(1)).is_recent_enough());
    }
}
