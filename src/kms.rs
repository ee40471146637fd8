//! KMS keys, and the encryption a copy asks for.

use serde::{Deserialize, Serialize};

use crate::id::{AccountId, KmsKeyId};
use crate::region::RegionId;

/// A customer KMS key in one region.
///
/// Built with [`KmsKey::new`] (authorised) and [`authorized`](KmsKey::authorized); the
/// fields stay readable.
///
/// ```
/// use machine_image::{AccountId, KmsKey, KmsKeyId, RegionId};
///
/// let key = KmsKey::new(
///     KmsKeyId::new("key-1").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     AccountId::new("1111111111111111").unwrap(),
/// )
/// .authorized(false);
/// assert!(!key.authorized);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KmsKey {
    /// The key id.
    pub id: KmsKeyId,
    /// The region it lives in.
    pub region: RegionId,
    /// The owning account.
    pub owner: AccountId,
    /// Whether the image service is authorised to use it
    /// (`InvalidParameter.KMSKeyId.KMSUnauthorized` otherwise).
    pub authorized: bool,
}

impl KmsKey {
    /// The key `id` of `owner` in `region`, which the image service is authorised to use.
    pub fn new(id: KmsKeyId, region: RegionId, owner: AccountId) -> Self {
        KmsKey {
            id,
            region,
            owner,
            authorized: true,
        }
    }

    /// Whether the image service is authorised to use it (default yes).
    pub fn authorized(mut self, authorized: bool) -> Self {
        self.authorized = authorized;
        self
    }
}

/// How a copy's new image is to be encrypted, from the `Encrypted` and `KMSKeyId`
/// parameters ([seed 004](crate::sources#seed-004)).
///
/// ```
/// use machine_image::KmsKeyId;
/// use machine_image::kms::Encryption;
///
/// assert_eq!(Encryption::from_parameters(false, None), Ok(Encryption::None));
/// assert_eq!(Encryption::from_parameters(true, None), Ok(Encryption::ServiceKey));
/// let key = KmsKeyId::new("e522b26d-abf6-4e0d-b5da-04b7******3c")?;
/// let byok = Encryption::from_parameters(true, Some(key.clone())).expect("Encrypted is true");
/// assert!(byok.is_encrypted());
/// assert_eq!(byok.key(), Some(&key));
/// // A key with `Encrypted` false: the engine answers `InvalidParameter.EncryptedIllegal`.
/// assert_eq!(Encryption::from_parameters(false, Some(key.clone())), Err(key));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encryption {
    /// Not encrypted.
    None,
    /// Encrypted with the service's own key (`Encrypted` true, no `KMSKeyId`).
    ServiceKey,
    /// Encrypted with a customer key (bring-your-own-key).
    CustomerKey(KmsKeyId),
}

impl Encryption {
    /// Reads `Encrypted` and `KMSKeyId`. A key with `Encrypted` false is refused by the
    /// engine with `InvalidParameter.EncryptedIllegal`; here it yields `Err(key)`.
    pub fn from_parameters(encrypted: bool, key: Option<KmsKeyId>) -> Result<Self, KmsKeyId> {
        match (encrypted, key) {
            (false, None) => Ok(Encryption::None),
            (true, None) => Ok(Encryption::ServiceKey),
            (true, Some(k)) => Ok(Encryption::CustomerKey(k)),
            (false, Some(k)) => Err(k),
        }
    }

    /// Whether the result is encrypted.
    pub fn is_encrypted(&self) -> bool {
        !matches!(self, Encryption::None)
    }

    /// The customer key, if any.
    pub fn key(&self) -> Option<&KmsKeyId> {
        match self {
            Encryption::CustomerKey(k) => Some(k),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        let k = KmsKeyId::new("key-1").unwrap();
        assert_eq!(
            Encryption::from_parameters(false, None),
            Ok(Encryption::None)
        );
        assert_eq!(
            Encryption::from_parameters(true, None),
            Ok(Encryption::ServiceKey)
        );
        assert_eq!(
            Encryption::from_parameters(true, Some(k.clone())),
            Ok(Encryption::CustomerKey(k.clone()))
        );
        assert_eq!(Encryption::from_parameters(false, Some(k.clone())), Err(k));
    }
}
