//! What the cloud already holds: [`Fixture`].

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::export::Bucket;
use crate::image::Image;
use crate::kms::KmsKey;
use crate::snapshot::Snapshot;

/// A fact the cloud already holds before any call: an account and its quotas, a snapshot,
/// an image (public, custom, marketplace), a KMS key, a bucket. A host records fixtures with
/// [`ImageService::register`](crate::engine::ImageService::register); a fixture that breaks
/// a rule is refused with a [`FixtureError`](crate::engine::FixtureError), never with a
/// provider code.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Fixture, ImageService};
/// use machine_image::{Account, AccountId, Profile};
/// let mut service = ImageService::new(Profile::alibaba());
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let owner = AccountId::new("1234567890123456").unwrap();
/// service.register(t0, Fixture::Account(Account::new(owner, 10, 100))).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fixture {
    /// Add or update an account (its quotas may not drop below what it uses).
    Account(Account),
    /// Add a snapshot.
    Snapshot(Snapshot),
    /// Add a settled image (not an in-flight copy).
    Image(Image),
    /// Add a KMS key.
    KmsKey(KmsKey),
    /// Add an object-storage bucket (COS/OSS), the target of exports.
    Bucket(Bucket),
}

impl From<Account> for Fixture {
    fn from(a: Account) -> Self {
        Fixture::Account(a)
    }
}

impl From<Snapshot> for Fixture {
    fn from(s: Snapshot) -> Self {
        Fixture::Snapshot(s)
    }
}

impl From<Image> for Fixture {
    fn from(i: Image) -> Self {
        Fixture::Image(i)
    }
}

impl From<KmsKey> for Fixture {
    fn from(k: KmsKey) -> Self {
        Fixture::KmsKey(k)
    }
}

impl From<Bucket> for Fixture {
    fn from(b: Bucket) -> Self {
        Fixture::Bucket(b)
    }
}
