//! Snapshots: the disks behind an image.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AccountId, ImageId, KmsKeyId, SnapshotId};
use crate::region::RegionId;

/// A disk snapshot in one region.
///
/// Built with [`Snapshot::new`] (not encrypted) and, for an encrypted one,
/// [`encrypted_with_service_key`](Snapshot::encrypted_with_service_key) or
/// [`encrypted_with`](Snapshot::encrypted_with); read through its getters. The fields are
/// private so that a snapshot with a KMS key is always encrypted (deserialisation checks it
/// too, [`SnapshotError`]).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::{AccountId, KmsKeyId, RegionId, Snapshot, SnapshotId};
///
/// let disk = Snapshot::new(
///     SnapshotId::new("s-sys00001").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     AccountId::new("1111111111111111").unwrap(),
///     Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
///     40,
/// )
/// .encrypted_with(KmsKeyId::new("key-1").unwrap());
/// assert!(disk.is_encrypted());
/// assert_eq!(disk.kms_key().map(|k| k.as_str()), Some("key-1"));
/// assert!(disk.is_recent_enough());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SnapshotData")]
pub struct Snapshot {
    /// The id.
    pub(crate) id: SnapshotId,
    /// The region it lives in.
    pub(crate) region: RegionId,
    /// The owning account.
    pub(crate) owner: AccountId,
    /// When it was created.
    pub(crate) created_at: DateTime<Utc>,
    /// Its size in GiB.
    pub(crate) size_gib: u64,
    /// Whether it is encrypted.
    pub(crate) encrypted: bool,
    /// The KMS key it is encrypted with (`None` with `encrypted`: the service key).
    pub(crate) kms_key: Option<KmsKeyId>,
    /// The lineage of the disk it holds: the ultimate source image of that disk and whether
    /// that image is paid ([seed 001](crate::sources#seed-001): the image fee is charged
    /// when a custom image's ultimate source is a paid image). `None`: a disk of no known
    /// image.
    pub(crate) lineage: Option<Lineage>,
}

/// Where a snapshot's disk ultimately comes from: the image at the root of its lineage and
/// whether that image is paid. Recorded on the snapshot, so an image created from it (and
/// that image's copies and shares) keep the image fee even once the source is deleted.
///
/// ```
/// use machine_image::snapshot::Lineage;
/// use machine_image::ImageId;
///
/// let lineage = Lineage::new(ImageId::new("m-market0001")?, true);
/// assert_eq!(lineage.image().as_str(), "m-market0001");
/// assert!(lineage.paid());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Lineage {
    image: ImageId,
    paid: bool,
}

impl Lineage {
    /// The disk comes from `image`'s lineage; `paid` says whether that image is paid.
    pub fn new(image: ImageId, paid: bool) -> Self {
        Lineage { image, paid }
    }

    /// The ultimate source image.
    pub fn image(&self) -> &ImageId {
        &self.image
    }

    /// Whether the ultimate source is a paid image.
    pub fn paid(&self) -> bool {
        self.paid
    }
}

/// Why a [`Snapshot`] was refused on deserialisation.
///
/// ```
/// use machine_image::Snapshot;
///
/// let key_but_not_encrypted = r#"{"id":"s-sys0001","region":"cn-hangzhou","owner":"1234567890123456",
///     "created_at":"2026-01-01T00:00:00Z","size_gib":40,"encrypted":false,"kms_key":"key-1"}"#;
/// let err = serde_json::from_str::<Snapshot>(key_but_not_encrypted).unwrap_err();
/// assert!(err.to_string().contains("has a KMS key but is not encrypted"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// A KMS key on a snapshot that is not encrypted.
    #[error("snapshot {0} has a KMS key but is not encrypted")]
    KeyWithoutEncryption(SnapshotId),
}

/// The serialised form of [`Snapshot`].
#[derive(Deserialize)]
struct SnapshotData {
    id: SnapshotId,
    region: RegionId,
    owner: AccountId,
    created_at: DateTime<Utc>,
    size_gib: u64,
    encrypted: bool,
    kms_key: Option<KmsKeyId>,
    #[serde(default)]
    lineage: Option<Lineage>,
}

impl TryFrom<SnapshotData> for Snapshot {
    type Error = SnapshotError;

    fn try_from(d: SnapshotData) -> Result<Self, SnapshotError> {
        let snapshot = Snapshot {
            id: d.id,
            region: d.region,
            owner: d.owner,
            created_at: d.created_at,
            size_gib: d.size_gib,
            encrypted: d.encrypted,
            kms_key: d.kms_key,
            lineage: d.lineage,
        };
        snapshot.check()?;
        Ok(snapshot)
    }
}

impl Snapshot {
    /// A snapshot of `owner` in `region`, created at `created_at`, of `size_gib` GiB, not
    /// encrypted.
    pub fn new(
        id: SnapshotId,
        region: RegionId,
        owner: AccountId,
        created_at: DateTime<Utc>,
        size_gib: u64,
    ) -> Self {
        Snapshot {
            id,
            region,
            owner,
            created_at,
            size_gib,
            encrypted: false,
            kms_key: None,
            lineage: None,
        }
    }

    /// Checks the rule between the fields (see [`SnapshotError`]).
    pub(crate) fn check(&self) -> Result<(), SnapshotError> {
        if self.kms_key.is_some() && !self.encrypted {
            return Err(SnapshotError::KeyWithoutEncryption(self.id.clone()));
        }
        Ok(())
    }

    /// The same snapshot, encrypted with the service's own key (no customer key).
    pub fn encrypted_with_service_key(mut self) -> Self {
        self.encrypted = true;
        self.kms_key = None;
        self
    }

    /// The same snapshot, encrypted with the customer key `key`.
    pub fn encrypted_with(mut self, key: KmsKeyId) -> Self {
        self.encrypted = true;
        self.kms_key = Some(key);
        self
    }

    /// The same snapshot, holding a disk whose lineage is `lineage` (or none): an image
    /// created from it carries the image fee of a paid lineage
    /// ([seed 001](crate::sources#seed-001)). A disk of an instance of image `i` has
    /// [`Image::lineage`](crate::Image::lineage).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use machine_image::{AccountId, Image, ImageId, ImageName, RegionId, Snapshot, SnapshotId};
    ///
    /// let (hz, owner) = (RegionId::new("cn-hangzhou")?, AccountId::new("1234567890123456")?);
    /// let paid = Image::custom(ImageId::new("m-paid0001")?, hz.clone(), owner.clone(), ImageName::new("paid")?, vec![])
    ///     .paid(true)
    ///     .build()?;
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let disk = Snapshot::new(SnapshotId::new("s-disk0001")?, hz, owner, t0, 40)
    ///     .with_lineage(Some(paid.lineage()));
    /// let lineage = disk.lineage().expect("a disk of the paid image");
    /// assert_eq!((lineage.image(), lineage.paid()), (paid.id(), true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_lineage(mut self, lineage: Option<Lineage>) -> Self {
        self.lineage = lineage;
        self
    }

    /// Where its disk ultimately comes from, if known.
    pub fn lineage(&self) -> Option<&Lineage> {
        self.lineage.as_ref()
    }

    /// The id.
    pub fn id(&self) -> &SnapshotId {
        &self.id
    }

    /// The region it lives in.
    pub fn region(&self) -> &RegionId {
        &self.region
    }

    /// The owning account.
    pub fn owner(&self) -> &AccountId {
        &self.owner
    }

    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Its size in GiB.
    pub fn size_gib(&self) -> u64 {
        self.size_gib
    }

    /// Whether it is encrypted (with the service key or a customer key).
    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// The customer KMS key it is encrypted with; `None` when not encrypted or encrypted
    /// with the service key.
    pub fn kms_key(&self) -> Option<&KmsKeyId> {
        self.kms_key.as_ref()
    }
}

/// The oldest creation date a snapshot behind an image may have: seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004),
/// `InvalidSnapshot.TooOld`, "the specified snapshot is created before 2013-07-15".
pub fn oldest_usable_creation() -> DateTime<Utc> {
    OLDEST_USABLE_CREATION
}

/// [`oldest_usable_creation`], worked out at compile time: every copy and every image
/// created checks its snapshots against it, and chrono's calendar arithmetic cost more than
/// the comparison.
const OLDEST_USABLE_CREATION: DateTime<Utc> = NaiveDate::from_ymd_opt(2013, 7, 15)
    .expect("2013-07-15 is a valid date")
    .and_hms_opt(0, 0, 0)
    .expect("midnight is a valid time")
    .and_utc();

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
        Snapshot::new(
            SnapshotId::new("s-abc").unwrap(),
            RegionId::new("cn-hangzhou").unwrap(),
            AccountId::new("1").unwrap(),
            at,
            20,
        )
    }

    #[test]
    fn too_old_boundary() {
        let day = Utc.with_ymd_and_hms(2013, 7, 15, 0, 0, 0).unwrap();
        assert!(snap(day).is_recent_enough());
        assert!(!snap(day - chrono::Duration::seconds(1)).is_recent_enough());
    }

    #[test]
    fn a_key_without_encryption_does_not_deserialise() {
        let good = snap(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())
            .encrypted_with(KmsKeyId::new("key-1").unwrap());
        let json = serde_json::to_string(&good).unwrap();
        assert_eq!(serde_json::from_str::<Snapshot>(&json).unwrap(), good);
        let bad = json.replace("\"encrypted\":true", "\"encrypted\":false");
        assert!(serde_json::from_str::<Snapshot>(&bad).is_err());
    }
}
