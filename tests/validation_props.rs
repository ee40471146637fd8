//! Property tests: every validator answers `Ok` or its typed error for any input, never
//! panics, and `Deserialize` accepts exactly what `FromStr` accepts.

use std::str::FromStr;

use machine_image::{
    AccountId, Description, ImageId, ImageName, KmsKeyId, Provider, RegionId, RequestId,
    SnapshotId, TagKey, TagValue,
};
use proptest::prelude::*;
use serde::de::DeserializeOwned;

fn same_verdict<T>(s: &str) -> Result<(), TestCaseError>
where
    T: FromStr + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let parsed = T::from_str(s).ok();
    let json = serde_json::to_string(s).unwrap();
    let deserialised = serde_json::from_str::<T>(&json).ok();
    prop_assert_eq!(parsed, deserialised, "input {:?}", s);
    Ok(())
}

fn check_all(s: &str) -> Result<(), TestCaseError> {
    same_verdict::<ImageName>(s)?;
    same_verdict::<Description>(s)?;
    same_verdict::<RegionId>(s)?;
    same_verdict::<ImageId>(s)?;
    same_verdict::<SnapshotId>(s)?;
    same_verdict::<AccountId>(s)?;
    same_verdict::<KmsKeyId>(s)?;
    same_verdict::<RequestId>(s)?;
    same_verdict::<TagKey>(s)?;
    same_verdict::<TagValue>(s)?;
    for p in Provider::ALL {
        let _ = ImageName::parse_for(p, s);
        let _ = ImageId::parse_for(p, s);
        let _ = SnapshotId::parse_for(p, s);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_string(s in any::<String>()) {
        check_all(&s)?;
    }

    #[test]
    fn name_like_strings(s in "[a-zA-Z中文0-9.:_/ -]{0,140}") {
        check_all(&s)?;
        // The name rules, restated independently.
        let n = s.chars().count();
        let first_ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '中' || c == '文');
        let rest_ok = s.chars().all(|c| c.is_ascii_alphanumeric() || "中文.:_-".contains(c));
        let expected = (2..=128).contains(&n) && first_ok && rest_ok;
        prop_assert_eq!(ImageName::new(s.clone()).is_ok(), expected);
    }

    #[test]
    fn id_like_strings(s in "(m-|s-|img-|snap-)?[a-z0-9*_.-]{0,30}") {
        check_all(&s)?;
    }

    #[test]
    fn arbitrary_bytes_as_lossy_text(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_all(&String::from_utf8_lossy(&bytes))?;
    }
}
