//! KMS keys, and the encryption a copy asks for.

use serde::{Deserialize, Serialize};

use crate::id::{AccountId, KmsKeyId};
use crate::region::RegionId;

/// A customer KMS key in one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// How a copy's new image is to be encrypted, from the `Encrypted` and `KMSKeyId`
/// parameters ([seed 004](crate::sources#seed-004)).
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
