//! The cloud provider whose rules apply, and the limits that differ between them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A cloud provider whose image rules this crate models.
///
/// Validators whose rules differ take it: e.g. [`crate::ImageName::parse_for`] allows 128
/// characters on Alibaba Cloud (`CopyImage`'s `DestinationImageName`) and 60 on Tencent Cloud
/// (`SyncImages`' `ImageName`).
///
/// ```
/// use machine_image::{Provider, UnknownProvider};
///
/// let tencent: Provider = "Tencent".parse()?;
/// assert_eq!(tencent, Provider::Tencent);
/// assert_eq!(tencent.to_string(), "tencent");
/// assert_eq!(tencent.image_name_max_chars(), 60);
/// assert!(!tencent.copies_whole_machine_images_across_regions());
/// assert_eq!(Provider::default(), Provider::Alibaba);
/// assert_eq!("aws".parse::<Provider>(), Err(UnknownProvider("aws".into())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Provider {
    /// Alibaba Cloud ECS (seeds [003](crate::sources#seed-003) and [004](crate::sources#seed-004)).
    #[default]
    Alibaba,
    /// Tencent Cloud CVM (seeds [000](crate::sources#seed-000), [001](crate::sources#seed-001) and [002](crate::sources#seed-002)).
    Tencent,
}

impl Provider {
    /// Both providers, Alibaba first.
    pub const ALL: [Provider; 2] = [Provider::Alibaba, Provider::Tencent];

    /// The lowercase name: `"alibaba"` or `"tencent"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Alibaba => "alibaba",
            Provider::Tencent => "tencent",
        }
    }

    /// The most characters an image name may have: 128 on Alibaba Cloud (seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004),
    /// `DestinationImageName`), 60 on Tencent Cloud (`SyncImages`' `ImageName`).
    pub fn image_name_max_chars(self) -> usize {
        match self {
            Provider::Alibaba => 128,
            Provider::Tencent => 60,
        }
    }
}

impl Provider {
    /// Whether a whole-machine image (one with data disks) may be copied to another region:
    /// not on Tencent Cloud ([seed 000](crate::sources#seed-000): "イメージ全体は現在、クロスリージョンレプリケーションを
    /// サポートしていません", whole images do not currently support cross-region replication); on Alibaba
    /// Cloud, whose documents (seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004)) set no such limit, it may.
    pub fn copies_whole_machine_images_across_regions(self) -> bool {
        match self {
            Provider::Alibaba => true,
            Provider::Tencent => false,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Provider::from_str`]: the text named no provider.
///
/// ```
/// use machine_image::{Provider, UnknownProvider};
///
/// let err = "aws".parse::<Provider>().unwrap_err();
/// assert_eq!(err, UnknownProvider("aws".into()));
/// assert_eq!(err.to_string(), r#"unknown provider "aws": expected "alibaba" or "tencent""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {0:?}: expected \"alibaba\" or \"tencent\"")]
pub struct UnknownProvider(pub String);

impl TryFrom<String> for Provider {
    type Error = UnknownProvider;

    /// As [`Provider::from_str`]: JSON reads what text parsing reads.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// `alibaba` or `tencent`, ASCII case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("alibaba") {
            Ok(Provider::Alibaba)
        } else if s.eq_ignore_ascii_case("tencent") {
            Ok(Provider::Tencent)
        } else {
            Err(UnknownProvider(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>().unwrap(), p);
        }
        assert_eq!("Tencent".parse::<Provider>().unwrap(), Provider::Tencent);
        assert!("aws".parse::<Provider>().is_err());
        // JSON reads what text parsing reads, and writes the lowercase name.
        for text in ["\"alibaba\"", "\"Alibaba\"", "\"TENCENT\""] {
            let p: Provider = serde_json::from_str(text).unwrap();
            assert_eq!(p, text.trim_matches('"').parse().unwrap());
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!(serde_json::from_str::<Provider>("\"aws\"").is_err());
    }

    #[test]
    fn only_tencent_keeps_whole_machine_images_in_their_region() {
        assert!(Provider::Alibaba.copies_whole_machine_images_across_regions());
        assert!(!Provider::Tencent.copies_whole_machine_images_across_regions());
    }

    #[test]
    fn name_limits_differ() {
        assert_eq!(Provider::Alibaba.image_name_max_chars(), 128);
        assert_eq!(Provider::Tencent.image_name_max_chars(), 60);
    }
}
