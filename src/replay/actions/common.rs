//! Readers shared by several actions: the caller, client tokens, regions, ids, tags.

use crate::charges::Amount;
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId};
use crate::region::RegionId;
use crate::tag::{Tag, Tags};

use super::super::failure::Failure;
use super::super::param::{Objects, Param, Str, Strs, params};

/// A reading's result.
pub(crate) type Read<T> = Result<T, Failure>;

/// `CallerId`: absent or empty is `InvalidAliUid.IsNull`, answered before any other
/// parameter's value is read (the engine's first check).
pub(crate) fn require_caller(p: &Param<Str<'_>>) -> Read<AccountId> {
    match p.str_opt()? {
        None | Some("") => Err(ErrorCode::InvalidAliUidIsNull.into()),
        Some(s) => AccountId::new(s).map_err(|e| p.invalid(&e.to_string())),
    }
}

/// `ClientToken`, optional.
pub(crate) fn client_token(p: &Param<Str<'_>>) -> Read<Option<ClientToken>> {
    p.str_opt()?
        .map(|s| ClientToken::new(s).map_err(|e| p.invalid(&e.to_string())))
        .transpose()
}

/// A region of a call; a malformed one is as unknown as a missing region, answered with
/// `code`.
pub(crate) fn region(p: &Param<Str<'_>>, code: ErrorCode) -> Read<RegionId> {
    RegionId::new(p.str_req()?).map_err(|_| ApiError::new(code).into())
}

/// The call's own region, unknown answered `InvalidRegionId.NotFound`.
pub(crate) fn call_region(p: &Param<Str<'_>>) -> Read<RegionId> {
    region(p, ErrorCode::InvalidRegionIdNotFound)
}

/// A region of a fixture: a malformed one is refused naming the parameter.
pub(crate) fn fixture_region(p: &Param<Str<'_>>) -> Read<RegionId> {
    RegionId::new(p.str_req()?).map_err(|e| p.invalid(&e.to_string()))
}

/// An account id of a fixture, `default` when absent (refused naming the parameter).
pub(crate) fn owner(p: &Param<Str<'_>>, default: Option<&str>) -> Read<AccountId> {
    let text = match (p.str_opt()?, default) {
        (Some(s), _) => s,
        (None, Some(d)) => d,
        (None, None) => return Err(p.missing()),
    };
    AccountId::new(text).map_err(|e| p.invalid(&e.to_string()))
}

/// An image id of a call; a malformed id does not exist (`InvalidImageId.NotFound`;
/// Tencent answers `InvalidImageId.Malformed`).
pub(crate) fn image_id(s: &str) -> Read<ImageId> {
    ImageId::new(s).map_err(|_| {
        ApiError::new(ErrorCode::InvalidImageIdNotFound)
            .with_tencent(TencentCode::InvalidImageIdMalformed)
            .into()
    })
}

/// A KMS key of a call: empty is none; a malformed id is a key that does not exist.
pub(crate) fn kms_key(p: &Param<Str<'_>>) -> Read<Option<KmsKeyId>> {
    p.str_opt()?
        .filter(|s| !s.is_empty())
        .map(|s| {
            KmsKeyId::new(s)
                .map_err(|_| ApiError::new(ErrorCode::InvalidParameterKmsKeyIdNotFound).into())
        })
        .transpose()
}

/// A list of accounts to share with or stop sharing with; a malformed id is an account
/// that does not exist.
pub(crate) fn accounts(p: &Param<Strs<'_>>) -> Read<Vec<AccountId>> {
    p.strs()?
        .into_iter()
        .map(|s| {
            AccountId::new(s).map_err(|_| ApiError::new(ErrorCode::InvalidAccountNotFound).into())
        })
        .collect()
}

params! {
    /// One tag of a call's `Tag` list.
    pub(crate) struct TagEntry<'a> {
        "Key" => key: Str<'a>,
        "Value" => value: Str<'a>,
    }
}

/// A call's `Tag` list (`[{"Key", "Value"}]`); each entry is read like a line's parameters:
/// errors name the line, and a member other than `Key` and `Value` is refused.
pub(crate) fn tags(p: &Param<Objects<'_>>) -> Read<Tags> {
    let Some(items) = p.opt()? else {
        return Ok(Tags::empty());
    };
    let mut tags = Vec::with_capacity(items.len());
    for object in items {
        let entry = TagEntry::read(object)?;
        let key = entry
            .key
            .str_opt()?
            .ok_or_else(|| Failure::missing("Tag.N.Key"))?;
        let value = entry.value.str_opt()?.unwrap_or("");
        tags.push(Tag::new(key, value).map_err(ApiError::from)?);
    }
    Ok(Tags::new(tags).map_err(ApiError::from)?)
}

/// Renders tags as a `Tag` list (for scenario lines).
pub(crate) fn tag_objects(tags: &Tags) -> Objects<'_> {
    tags.as_slice()
        .iter()
        .map(|t| {
            let mut entry = TagEntry::blank();
            entry.key.set_str(t.key.as_str());
            entry.value.set_str(t.value.as_str());
            let mut object = Default::default();
            entry.write(&mut object);
            object
        })
        .collect()
}

/// A price (a decimal string) read as an [`Amount`], refused naming `p`.
pub(crate) fn amount<K>(p: &Param<K>, text: &str) -> Read<Amount> {
    text.parse()
        .map_err(|e: crate::charges::AmountError| p.invalid(&e.to_string()))
}

/// Refuses a list parameter that names one value twice (an estimate would bill it twice, an
/// export write it twice); Tencent answers it with `tencent`.
pub(crate) fn given_once<T: PartialEq + std::fmt::Display, K>(
    p: &Param<K>,
    values: &[T],
    tencent: TencentCode,
) -> Read<()> {
    match values
        .iter()
        .enumerate()
        .find(|(i, v)| values[..*i].contains(v))
    {
        Some((_, v)) => Err(p
            .invalid(&format!("{v} is given twice"))
            .with_tencent(tencent)),
        None => Ok(()),
    }
}
