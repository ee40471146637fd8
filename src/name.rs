//! `ImageName` and `Description`: the naming rules of seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004).
//!
//! Lengths count Unicode scalar values (characters), not bytes: a name of 128 Chinese
//! characters is valid although it is 384 bytes long.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::error::{ApiError, ErrorCode, Parameter};
use crate::provider::Provider;

/// Whether `c` is a Chinese (CJK unified ideograph) character: the basic block, extension A,
/// the compatibility ideographs, the supplementary-plane extensions (B to I, and G and H in
/// the third plane) and 〇 (U+3007, the ideographic zero written in Chinese numbers).
pub(crate) fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3007}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

/// Whether `s` starts with `http://` or `https://`, ASCII case-insensitively (a careful user
/// expects `HTTP://` to be refused as well; the seeds print the lowercase form).
pub(crate) fn starts_with_url_scheme(s: &str) -> bool {
    let b = s.as_bytes();
    let prefix = |p: &[u8]| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p);
    prefix(b"http://") || prefix(b"https://")
}

/// What is wrong with a candidate image name.
///
/// ```
/// use machine_image::{ApiError, ImageName, ImageNameError, Parameter, Provider};
///
/// let long = "web".repeat(21); // 63 characters: fine on Alibaba, too long on Tencent
/// assert!(ImageName::parse_for(Provider::Alibaba, &long).is_ok());
/// let err = ImageName::parse_for(Provider::Tencent, &long).unwrap_err();
/// assert_eq!(err, ImageNameError::TooLong { len: 63, max: 60, provider: Provider::Tencent });
/// let api = err.to_api_error(Parameter::ImageName);
/// assert_eq!(api.code_for(Provider::Tencent), "InvalidParameterValue.TooLong");
/// assert_eq!(ImageName::new("1web").unwrap_err(), ImageNameError::BadFirstCharacter { found: '1' });
/// assert_eq!(ApiError::from(ImageNameError::UrlPrefix).code().as_str(), "InvalidImageName.Malformed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageNameError {
    /// Fewer than 2 characters.
    #[error("image name is {len} characters long; the minimum is 2")]
    TooShort {
        /// The length in characters.
        len: usize,
    },
    /// More characters than the provider allows.
    #[error("image name is {len} characters long; the maximum on {provider} is {max}")]
    TooLong {
        /// The length in characters.
        len: usize,
        /// The provider's maximum.
        max: usize,
        /// The provider whose rule was applied.
        provider: Provider,
    },
    /// Starts with `http://` or `https://`.
    #[error("image name must not start with http:// or https://")]
    UrlPrefix,
    /// The first character is not an ASCII letter or a Chinese character.
    #[error("image name must start with an ASCII letter or a Chinese character, not {found:?}")]
    BadFirstCharacter {
        /// The character found.
        found: char,
    },
    /// A character outside letters, Chinese characters, digits, `.`, `:`, `_` and `-`.
    #[error(
        "image name may contain only letters, Chinese characters, digits, '.', ':', '_' and '-'; found {found:?} at character {position}"
    )]
    BadCharacter {
        /// The character found.
        found: char,
        /// Its 0-based character position.
        position: usize,
    },
}

impl ImageNameError {
    /// The provider code: `InvalidImageName.Malformed`.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidImageNameMalformed
    }

    /// The API error, with the message naming `parameter`; a name over Tencent's limit
    /// renders as Tencent's `InvalidParameterValue.TooLong`, as the engine answers it.
    pub fn to_api_error(&self, parameter: Parameter) -> ApiError {
        let error = ApiError::for_parameter(self.code(), parameter);
        match self {
            ImageNameError::TooLong { .. } => {
                error.with_tencent(crate::error::TencentCode::InvalidParameterValueTooLong)
            }
            _ => error,
        }
    }
}

impl From<ImageNameError> for ApiError {
    fn from(e: ImageNameError) -> Self {
        e.to_api_error(Parameter::DestinationImageName)
    }
}

/// A valid image name.
///
/// Rules (seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004), `DestinationImageName`): 2 to 128 characters (60 on Tencent Cloud);
/// starts with an ASCII letter or a Chinese character; the rest are ASCII letters, Chinese
/// characters, ASCII digits, `.`, `:`, `_` or `-` (the parameter table lists `:`, the error
/// table lists `.`: both are allowed); must not start with `http://` or `https://`.
/// Letters of other scripts (Cyrillic, Greek, full-width Latin, …) are refused.
///
/// `ImageName::new` and `FromStr` apply the Alibaba rules, the wider of the two; use
/// [`ImageName::parse_for`] for a provider's own limit. Deserialising goes through `new`.
///
/// ```
/// use machine_image::{ImageName, Provider};
/// assert!(ImageName::new("web-server_v1.2:prod").is_ok());
/// assert!(ImageName::new("镜像-1").is_ok());
/// assert!(ImageName::new("1st-image").is_err());
/// assert!(ImageName::parse_for(Provider::Tencent, &"a".repeat(61)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageName(SmolStr);

impl ImageName {
    /// The fewest characters a name may have.
    pub const MIN_CHARS: usize = 2;

    /// Validates `s` under the Alibaba rules (2–128 characters).
    pub fn new(s: impl AsRef<str>) -> Result<Self, ImageNameError> {
        let s = s.as_ref();
        check_image_name(s, Provider::Alibaba)?;
        Ok(ImageName(short_text(s)))
    }

    /// Validates `s` under `provider`'s rules.
    pub fn parse_for(provider: Provider, s: &str) -> Result<Self, ImageNameError> {
        check_image_name(s, provider)?;
        Ok(ImageName(s.into()))
    }

    /// Whether this (already valid) name also fits `provider`'s length limit.
    pub fn fits(&self, provider: Provider) -> bool {
        let max = provider.image_name_max_chars();
        // A character is at least a byte: few enough bytes settle it without counting.
        self.0.len() <= max || self.0.chars().count() <= max
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The single pass that checks every image-name rule; a hand-written scan rather than a
/// regex because it is faster and names the exact character that failed.
fn check_image_name(s: &str, provider: Provider) -> Result<(), ImageNameError> {
    let max = provider.image_name_max_chars();
    if starts_with_url_scheme(s) {
        return Err(ImageNameError::UrlPrefix);
    }
    let len = if s.is_ascii() {
        check_ascii_name_characters(s.as_bytes())?;
        s.len()
    } else {
        check_name_characters(s)?
    };
    if len < ImageName::MIN_CHARS {
        return Err(ImageNameError::TooShort { len });
    }
    if len > max {
        return Err(ImageNameError::TooLong { len, max, provider });
    }
    Ok(())
}

/// Checks each character of a name; returns how many there are.
fn check_name_characters(s: &str) -> Result<usize, ImageNameError> {
    let mut len = 0usize;
    for (position, c) in s.chars().enumerate() {
        let ok = if position == 0 {
            c.is_ascii_alphabetic() || is_chinese(c)
        } else {
            c.is_ascii_alphanumeric() || is_chinese(c) || matches!(c, '.' | ':' | '_' | '-')
        };
        if !ok {
            return Err(if position == 0 {
                ImageNameError::BadFirstCharacter { found: c }
            } else {
                ImageNameError::BadCharacter { found: c, position }
            });
        }
        len += 1;
    }
    Ok(len)
}

/// Which ASCII bytes a name may have after its first character.
const NAME_BYTES: [bool; 128] = {
    let mut allowed = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        allowed[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b':' | b'_' | b'-');
        b += 1;
    }
    allowed
};

/// [`check_name_characters`] for ASCII text, a table lookup per byte without an early
/// exit (the common, valid case reads every byte anyway); the first bad byte is looked for
/// only once one is known to be there.
fn check_ascii_name_characters(bytes: &[u8]) -> Result<(), ImageNameError> {
    let Some((&first, rest)) = bytes.split_first() else {
        return Ok(());
    };
    if !first.is_ascii_alphabetic() {
        return Err(ImageNameError::BadFirstCharacter {
            found: char::from(first),
        });
    }
    let allowed = |b: u8| NAME_BYTES[usize::from(b & 0x7f)];
    if rest.iter().fold(true, |ok, &b| ok & allowed(b)) {
        return Ok(());
    }
    let i = rest.iter().position(|&b| !allowed(b)).unwrap_or(0);
    Err(ImageNameError::BadCharacter {
        found: char::from(rest[i]),
        position: i + 1,
    })
}

/// What is wrong with a candidate description.
///
/// ```
/// use machine_image::{ApiError, Description, DescriptionError};
///
/// assert_eq!(Description::new("x").unwrap_err(), DescriptionError::TooShort { len: 1 });
/// let err = Description::new("https://example.com/web").unwrap_err();
/// assert_eq!(err, DescriptionError::UrlPrefix);
/// assert_eq!(ApiError::from(err).code().as_str(), "InvalidDescription.Malformed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DescriptionError {
    /// Fewer than 2 characters.
    #[error("description is {len} characters long; the minimum is 2")]
    TooShort {
        /// The length in characters.
        len: usize,
    },
    /// More than 256 characters.
    #[error("description is {len} characters long; the maximum is 256")]
    TooLong {
        /// The length in characters.
        len: usize,
    },
    /// Starts with `http://` or `https://`.
    #[error("description must not start with http:// or https://")]
    UrlPrefix,
}

impl DescriptionError {
    /// The provider code: `InvalidDescription.Malformed`.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidDescriptionMalformed
    }

    /// The API error, with the message naming `parameter`.
    pub fn to_api_error(&self, parameter: Parameter) -> ApiError {
        ApiError::for_parameter(self.code(), parameter)
    }
}

impl From<DescriptionError> for ApiError {
    fn from(e: DescriptionError) -> Self {
        e.to_api_error(Parameter::DestinationDescription)
    }
}

/// A valid image description: 2 to 256 characters, not starting with `http://` or
/// `https://` (seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004), `DestinationDescription`). Any other characters are allowed.
/// The seeds' default is "empty": an absent description is `Option::None`, not a value.
///
/// ```
/// use machine_image::Description;
/// assert!(Description::new("Finance department base image").is_ok());
/// assert!(Description::new("https://example.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(Arc<str>);

impl Description {
    /// The fewest characters.
    pub const MIN_CHARS: usize = 2;
    /// The most characters.
    pub const MAX_CHARS: usize = 256;

    /// Validates `s`.
    pub fn new(s: impl AsRef<str>) -> Result<Self, DescriptionError> {
        let s = s.as_ref();
        if starts_with_url_scheme(s) {
            return Err(DescriptionError::UrlPrefix);
        }
        // Count at most MAX_CHARS + 1 characters: enough to decide, without walking a huge input.
        let len = s.chars().take(Self::MAX_CHARS + 1).count();
        if len < Self::MIN_CHARS {
            return Err(DescriptionError::TooShort { len });
        }
        if len > Self::MAX_CHARS {
            return Err(DescriptionError::TooLong {
                len: s.chars().count(),
            });
        }
        Ok(Description(s.into()))
    }

    /// The description as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

use crate::newtype::{short_text, string_newtype_impls};

string_newtype_impls!(ImageName, ImageNameError);
string_newtype_impls!(Description, DescriptionError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_length_limits() {
        assert_eq!(
            ImageName::new("a"),
            Err(ImageNameError::TooShort { len: 1 })
        );
        assert!(ImageName::new("ab").is_ok());
        assert!(ImageName::new("a".repeat(128)).is_ok());
        assert!(matches!(
            ImageName::new("a".repeat(129)),
            Err(ImageNameError::TooLong {
                len: 129,
                max: 128,
                ..
            })
        ));
        assert_eq!(ImageName::new(""), Err(ImageNameError::TooShort { len: 0 }));
    }

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_agrees_with_the_character_check(s in "[a-zA-Z0-9_.:/ -]{0,12}") {
            let by_chars = check_name_characters(&s);
            let by_bytes = check_ascii_name_characters(s.as_bytes()).map(|()| s.len());
            proptest::prop_assert_eq!(by_bytes, by_chars);
        }
    }

    #[test]
    fn name_lengths_count_characters_not_bytes() {
        assert!(ImageName::new("镜".repeat(128)).is_ok());
        assert!(ImageName::new("镜".repeat(129)).is_err());
        assert!(ImageName::new("镜").is_err());
        assert!(ImageName::new("镜像").is_ok());
    }

    #[test]
    fn tencent_limit_is_60() {
        assert!(ImageName::parse_for(Provider::Tencent, &"a".repeat(60)).is_ok());
        assert!(matches!(
            ImageName::parse_for(Provider::Tencent, &"a".repeat(61)),
            Err(ImageNameError::TooLong { max: 60, .. })
        ));
        let long = ImageName::new("a".repeat(61)).unwrap();
        assert!(!long.fits(Provider::Tencent));
        assert!(long.fits(Provider::Alibaba));
        // The error renders as the engine answers it: Tencent's `TooLong`.
        let e = ImageName::parse_for(Provider::Tencent, &"a".repeat(61)).unwrap_err();
        let api = e.to_api_error(Parameter::DestinationImageName);
        assert_eq!(
            api.code_for(Provider::Alibaba),
            "InvalidImageName.Malformed"
        );
        assert_eq!(
            api.code_for(Provider::Tencent),
            "InvalidParameterValue.TooLong"
        );
    }

    #[test]
    fn first_character() {
        assert!(ImageName::new("Ab").is_ok());
        assert!(ImageName::new("中文").is_ok());
        assert!(ImageName::new("𠀀x").is_ok(), "extension B ideograph");
        assert!(
            ImageName::new("\u{31350}x").is_ok(),
            "extension H ideograph"
        );
        assert!(ImageName::new("〇一二").is_ok(), "ideographic zero");
        for bad in ["1a", "_a", "-a", ".a", ":a", "éa", "Жa", "ａb"] {
            assert!(
                matches!(
                    ImageName::new(bad),
                    Err(ImageNameError::BadFirstCharacter { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn each_allowed_punctuation() {
        for p in ['.', ':', '_', '-'] {
            assert!(ImageName::new(format!("a{p}b")).is_ok(), "{p}");
        }
        for p in ['/', ' ', '@', '#', '，', '!', '*'] {
            assert_eq!(
                ImageName::new(format!("a{p}b")),
                Err(ImageNameError::BadCharacter {
                    found: p,
                    position: 1
                }),
                "{p}"
            );
        }
    }

    #[test]
    fn mixed_scripts_are_refused() {
        assert!(ImageName::new("abcЖ").is_err());
        assert!(ImageName::new("abcα").is_err());
        assert!(ImageName::new("ab中文12").is_ok());
    }

    #[test]
    fn url_prefixes() {
        assert_eq!(ImageName::new("http://x"), Err(ImageNameError::UrlPrefix));
        assert_eq!(ImageName::new("https://x"), Err(ImageNameError::UrlPrefix));
        assert_eq!(ImageName::new("HTTP://x"), Err(ImageNameError::UrlPrefix));
        assert!(ImageName::new("http-server").is_ok());
        assert!(ImageName::new("https:x").is_ok());
    }

    #[test]
    fn name_error_maps_to_the_catalogue() {
        let e = ImageName::new("1").unwrap_err();
        let api: ApiError = e.into();
        assert_eq!(api.code().as_str(), "InvalidImageName.Malformed");
        assert_eq!(api.http_status(), 400);
        assert_eq!(
            api.message(),
            "The specified destination Image name is wrongly formed."
        );
    }

    #[test]
    fn description_limits() {
        assert!(matches!(
            Description::new("a"),
            Err(DescriptionError::TooShort { len: 1 })
        ));
        assert!(Description::new("ab").is_ok());
        assert!(Description::new("d".repeat(256)).is_ok());
        assert_eq!(
            Description::new("d".repeat(257)),
            Err(DescriptionError::TooLong { len: 257 })
        );
        assert!(Description::new("描".repeat(256)).is_ok());
        assert!(Description::new("描".repeat(257)).is_err());
        assert!(Description::new("1 any chars / allowed!").is_ok());
    }

    #[test]
    fn description_url_prefix() {
        assert_eq!(
            Description::new("http://a"),
            Err(DescriptionError::UrlPrefix)
        );
        assert_eq!(
            Description::new("https://a"),
            Err(DescriptionError::UrlPrefix)
        );
        assert!(Description::new("see http://a").is_ok());
        let api: ApiError = Description::new("x").unwrap_err().into();
        assert_eq!(api.code().as_str(), "InvalidDescription.Malformed");
    }

    #[test]
    fn serde_goes_through_validation() {
        let ok: ImageName = serde_json::from_str("\"web-1\"").unwrap();
        assert_eq!(ok.as_str(), "web-1");
        assert!(serde_json::from_str::<ImageName>("\"1web\"").is_err());
        assert!(serde_json::from_str::<Description>("\"x\"").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"web-1\"");
    }
}
