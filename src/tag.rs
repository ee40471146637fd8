//! `TagKey`, `TagValue`, `Tag` and `Tags`: the tags a copy gives its new image
//! ([seed 003](crate::sources#seed-003), `Tag.N.Key` / `Tag.N.Value`).
//!
//! Rules (Alibaba Cloud's tag rules, which [seed 003](crate::sources#seed-003)'s parameters refer to): at most 20 tags,
//! keys unique; a key has 1 to 128 characters, a value 0 to 128; neither starts with `aliyun`
//! or `acs:` nor contains `http://` or `https://`. These prefixes and schemes are matched
//! ASCII case-insensitively (`Aliyun-x` and `HTTPS://` are refused too: a careful reading,
//! since the provider reserves the prefix, not a spelling of it).

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::newtype::string_newtype_impls;

/// Why a tag key, value or tag set was refused.
///
/// ```
/// use machine_image::{ApiError, Provider, TagError, Tags};
///
/// let err = Tags::from_pairs([("team", "web"), ("team", "ops")]).unwrap_err();
/// assert_eq!(err.to_string(), r#"tag key "team" is given more than once"#);
/// let api = ApiError::from(err);
/// assert_eq!((api.code().as_str(), api.code_for(Provider::Tencent)), ("Duplicate.TagKey", "InvalidParameterValue"));
/// assert_eq!(TagError::TooMany { count: 21 }.code().as_str(), "InvalidTagCount");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TagError {
    /// A key or value outside its length range.
    #[error("tag {part} is {len} characters long; expected {min} to {max}")]
    Length {
        /// `"key"` or `"value"`.
        part: &'static str,
        /// The length in characters.
        len: usize,
        /// The minimum.
        min: usize,
        /// The maximum.
        max: usize,
    },
    /// A key or value starting with a reserved prefix.
    #[error("tag {part} must not start with {prefix:?}")]
    ReservedPrefix {
        /// `"key"` or `"value"`.
        part: &'static str,
        /// The prefix (`aliyun` or `acs:`).
        prefix: &'static str,
    },
    /// A key or value containing a URL scheme.
    #[error("tag {part} must not contain http:// or https://")]
    ContainsUrl {
        /// `"key"` or `"value"`.
        part: &'static str,
    },
    /// More than 20 tags.
    #[error("{count} tags given; the maximum is 20")]
    TooMany {
        /// How many were given.
        count: usize,
    },
    /// The same key twice.
    #[error("tag key {key:?} is given more than once")]
    DuplicateKey {
        /// The key.
        key: String,
    },
}

impl TagError {
    /// The provider code: `InvalidTagKey.Malformed`, `InvalidTagValue.Malformed`,
    /// `InvalidTagCount` or `Duplicate.TagKey` (beyond the seeds; see [`ErrorCode`]).
    pub fn code(&self) -> ErrorCode {
        match self {
            TagError::Length { part, .. }
            | TagError::ReservedPrefix { part, .. }
            | TagError::ContainsUrl { part } => {
                if *part == "key" {
                    ErrorCode::InvalidTagKeyMalformed
                } else {
                    ErrorCode::InvalidTagValueMalformed
                }
            }
            TagError::TooMany { .. } => ErrorCode::InvalidTagCount,
            TagError::DuplicateKey { .. } => ErrorCode::DuplicateTagKey,
        }
    }
}

impl From<TagError> for ApiError {
    fn from(e: TagError) -> Self {
        ApiError::new(e.code())
    }
}

/// Checks the rules shared by keys and values.
fn check_tag_text(s: &str, part: &'static str, min: usize) -> Result<(), TagError> {
    const MAX: usize = 128;
    let len = s.chars().take(MAX + 1).count();
    if len < min || len > MAX {
        return Err(TagError::Length {
            part,
            len: s.chars().count(),
            min,
            max: MAX,
        });
    }
    for prefix in ["aliyun", "acs:"] {
        if s.len() >= prefix.len()
            && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        {
            return Err(TagError::ReservedPrefix { part, prefix });
        }
    }
    let lower = s.to_ascii_lowercase();
    if lower.contains("http://") || lower.contains("https://") {
        return Err(TagError::ContainsUrl { part });
    }
    Ok(())
}

/// A tag key: 1–128 characters, not starting with `aliyun` or `acs:`, no `http://`/`https://`.
///
/// ```
/// use machine_image::{ApiError, TagError, TagKey};
///
/// assert_eq!(TagKey::new("env")?.as_str(), "env");
/// let reserved = TagKey::new("Aliyun-owner").unwrap_err(); // matched case-insensitively
/// assert!(matches!(reserved, TagError::ReservedPrefix { part: "key", prefix: "aliyun" }));
/// assert_eq!(ApiError::from(reserved).code().as_str(), "InvalidTagKey.Malformed");
/// assert!(TagKey::new("").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagKey(String);

impl TagKey {
    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, TagError> {
        let s = s.into();
        check_tag_text(&s, "key", 1)?;
        Ok(TagKey(s))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag value: 0–128 characters, not starting with `aliyun` or `acs:`, no `http://`/`https://`.
///
/// ```
/// use machine_image::{TagError, TagValue};
///
/// assert_eq!(TagValue::new("")?.as_str(), ""); // a value may be empty
/// assert!(TagValue::new("prod").is_ok());
/// let url = TagValue::new("see https://example.com").unwrap_err();
/// assert!(matches!(url, TagError::ContainsUrl { part: "value" }));
/// assert!(TagValue::new("x".repeat(129)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagValue(String);

impl TagValue {
    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, TagError> {
        let s = s.into();
        check_tag_text(&s, "value", 0)?;
        Ok(TagValue(s))
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_newtype_impls!(TagKey, TagError);
string_newtype_impls!(TagValue, TagError);

/// One tag; serialised as `{"Key": …, "Value": …}` like the providers' APIs.
///
/// ```
/// use machine_image::Tag;
///
/// let tag = Tag::new("env", "prod")?;
/// assert_eq!((tag.key.as_str(), tag.value.as_str()), ("env", "prod"));
/// assert_eq!(serde_json::to_string(&tag)?, r#"{"Key":"env","Value":"prod"}"#);
/// assert!(Tag::new("acs:team", "x").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag {
    /// The key.
    #[serde(rename = "Key")]
    pub key: TagKey,
    /// The value (may be empty).
    #[serde(rename = "Value", default = "empty_value")]
    pub value: TagValue,
}

fn empty_value() -> TagValue {
    TagValue(String::new())
}

impl Tag {
    /// Validates a key and a value.
    pub fn new(key: &str, value: &str) -> Result<Self, TagError> {
        Ok(Tag {
            key: TagKey::new(key)?,
            value: TagValue::new(value)?,
        })
    }
}

/// At most 20 tags with unique keys, in the order given. Serialised as a list of [`Tag`].
///
/// ```
/// use machine_image::{ApiError, TagError, Tags};
///
/// let tags = Tags::from_pairs([("env", "prod"), ("team", "web")])?;
/// assert_eq!(tags.len(), 2);
/// assert_eq!(tags.get("team").map(|v| v.as_str()), Some("web"));
/// let twice = Tags::from_pairs([("env", "prod"), ("env", "dev")]).unwrap_err();
/// assert_eq!(twice, TagError::DuplicateKey { key: "env".into() });
/// assert_eq!(ApiError::from(twice).code().as_str(), "Duplicate.TagKey");
/// let many: Vec<String> = (0..21).map(|i| format!("k{i}")).collect();
/// let too_many = Tags::from_pairs(many.iter().map(|k| (k.as_str(), "")));
/// assert_eq!(too_many, Err(TagError::TooMany { count: 21 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<Tag>", into = "Vec<Tag>")]
pub struct Tags(Vec<Tag>);

impl Clone for Tags {
    /// Most images and copies carry no tags: those clone without a call into `Vec`'s clone.
    #[inline]
    fn clone(&self) -> Self {
        if self.0.is_empty() {
            Tags(Vec::new())
        } else {
            Tags(self.0.clone())
        }
    }
}

impl Tags {
    /// The most tags a resource may carry.
    pub const MAX: usize = 20;

    /// No tags.
    pub fn empty() -> Self {
        Tags(Vec::new())
    }

    /// Validates the count and the uniqueness of keys.
    pub fn new(tags: Vec<Tag>) -> Result<Self, TagError> {
        if tags.len() > Self::MAX {
            return Err(TagError::TooMany { count: tags.len() });
        }
        for (i, tag) in tags.iter().enumerate() {
            if tags[..i].iter().any(|t| t.key == tag.key) {
                return Err(TagError::DuplicateKey {
                    key: tag.key.0.clone(),
                });
            }
        }
        Ok(Tags(tags))
    }

    /// Validates `(key, value)` pairs.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, TagError> {
        let tags = pairs
            .into_iter()
            .map(|(k, v)| Tag::new(k, v))
            .collect::<Result<Vec<_>, _>>()?;
        Tags::new(tags)
    }

    /// The tags, in order.
    pub fn as_slice(&self) -> &[Tag] {
        &self.0
    }

    /// How many tags.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&TagValue> {
        self.0
            .iter()
            .find(|t| t.key.as_str() == key)
            .map(|t| &t.value)
    }
}

impl TryFrom<Vec<Tag>> for Tags {
    type Error = TagError;
    fn try_from(tags: Vec<Tag>) -> Result<Self, Self::Error> {
        Tags::new(tags)
    }
}

impl From<Tags> for Vec<Tag> {
    fn from(t: Tags) -> Self {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_value_lengths() {
        assert!(TagKey::new("").is_err());
        assert!(TagKey::new("k").is_ok());
        assert!(TagKey::new("k".repeat(128)).is_ok());
        assert!(TagKey::new("k".repeat(129)).is_err());
        assert!(TagValue::new("").is_ok());
        assert!(TagValue::new("v".repeat(128)).is_ok());
        assert!(TagValue::new("值".repeat(129)).is_err());
    }

    #[test]
    fn reserved_prefixes_and_urls() {
        assert!(matches!(
            TagKey::new("aliyun-x"),
            Err(TagError::ReservedPrefix { .. })
        ));
        assert!(matches!(
            TagKey::new("Aliyun"),
            Err(TagError::ReservedPrefix { .. })
        ));
        assert!(matches!(
            TagValue::new("acs:x"),
            Err(TagError::ReservedPrefix { .. })
        ));
        assert!(matches!(
            TagKey::new("see http://x"),
            Err(TagError::ContainsUrl { .. })
        ));
        assert!(matches!(
            TagValue::new("xhttps://"),
            Err(TagError::ContainsUrl { .. })
        ));
        assert!(TagKey::new("my-aliyun").is_ok());
    }

    #[test]
    fn codes() {
        assert_eq!(
            TagKey::new("").unwrap_err().code().as_str(),
            "InvalidTagKey.Malformed"
        );
        assert_eq!(
            TagValue::new("acs:").unwrap_err().code().as_str(),
            "InvalidTagValue.Malformed"
        );
    }

    #[test]
    fn count_and_uniqueness() {
        let twenty: Vec<(String, String)> =
            (0..20).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        let ok = Tags::from_pairs(twenty.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(ok.unwrap().len(), 20);
        let mut more = twenty.clone();
        more.push(("k20".into(), "v".into()));
        assert_eq!(
            Tags::from_pairs(more.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            Err(TagError::TooMany { count: 21 })
        );
        assert_eq!(
            Tags::from_pairs([("a", "1"), ("a", "2")])
                .unwrap_err()
                .code(),
            ErrorCode::DuplicateTagKey
        );
    }

    #[test]
    fn serde_shape_and_validation() {
        let tags = Tags::from_pairs([("env", "prod")]).unwrap();
        let json = serde_json::to_string(&tags).unwrap();
        assert_eq!(json, r#"[{"Key":"env","Value":"prod"}]"#);
        assert_eq!(serde_json::from_str::<Tags>(&json).unwrap(), tags);
        assert!(serde_json::from_str::<Tags>(r#"[{"Key":"a"},{"Key":"a"}]"#).is_err());
        assert!(serde_json::from_str::<Tags>(r#"[{"Key":"aliyun"}]"#).is_err());
    }
}
