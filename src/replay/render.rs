//! Rendering answers in each provider's JSON shape.

use crate::engine::ImageView;
use crate::error::ApiError;
use crate::id::RequestId;
use crate::provider::Provider;
use crate::tag::Tags;

use super::value::{Key, Value};

/// A success: `{"RequestId": …, fields…}` (Alibaba) or
/// `{"Response": {fields…, "RequestId": …}}` (Tencent).
pub(crate) fn success(provider: Provider, request: &RequestId, fields: Vec<(Key, Value)>) -> Value {
    let id = (Key::Borrowed("RequestId"), Value::str(request.as_str()));
    match provider {
        Provider::Alibaba => {
            let mut pairs = vec![id];
            pairs.extend(fields);
            Value::Object(pairs)
        }
        Provider::Tencent => {
            let mut pairs = fields;
            pairs.push(id);
            Value::object([("Response", Value::Object(pairs))])
        }
    }
}

/// An error: `{"RequestId", "HttpCode", "Code", "Message"}` (Alibaba) or
/// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` (Tencent). `own_message`
/// keeps the runner's own message (which names the line) in the Tencent form too.
pub(crate) fn error(
    provider: Provider,
    request: &RequestId,
    e: &ApiError,
    own_message: bool,
) -> Value {
    match provider {
        Provider::Alibaba => Value::object([
            ("RequestId", Value::str(request.as_str())),
            ("HttpCode", Value::UInt(u64::from(e.http_status()))),
            ("Code", Value::str(e.code().as_str())),
            ("Message", Value::str(e.message())),
        ]),
        Provider::Tencent => {
            let message = if own_message {
                e.message()
            } else {
                e.message_for(Provider::Tencent)
            };
            Value::object([(
                "Response",
                Value::object([
                    (
                        "Error",
                        Value::object([
                            ("Code", Value::str(e.tencent().as_str())),
                            ("Message", Value::str(message)),
                        ]),
                    ),
                    ("RequestId", Value::str(request.as_str())),
                ]),
            )])
        }
    }
}

/// Tags as the providers' request parameters and Tencent's answers write them:
/// `[{"Key": …, "Value": …}]`.
pub(crate) fn tag_list(tags: &Tags) -> Value {
    Value::Array(
        tags.as_slice()
            .iter()
            .map(|t| {
                Value::object([
                    ("Key", Value::str(t.key.as_str())),
                    ("Value", Value::str(t.value.as_str())),
                ])
            })
            .collect(),
    )
}

/// A creation time as both providers print it: `2026-01-01T00:00:00Z`.
fn timestamp(at: chrono::DateTime<chrono::Utc>) -> Value {
    use chrono::{Datelike, Timelike};
    let (year, month, day) = (at.year(), at.month(), at.day());
    if !(0..=9999).contains(&year) {
        // Outside four digits: chrono's own rendering (a sign or a fifth digit).
        return Value::str(at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    // Written by hand: `format` parses its pattern on every call, and every image of every
    // `DescribeImages` answer has a time.
    let mut text = String::with_capacity(20);
    let year = year as u32;
    for (value, width, sep) in [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, 'T'),
        (at.hour(), 2, ':'),
        (at.minute(), 2, ':'),
        (at.second(), 2, 'Z'),
    ] {
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            text.push(char::from(b'0' + digit as u8));
        }
        text.push(sep);
    }
    Value::String(text)
}

fn alibaba_tags(tags: &Tags) -> Value {
    Value::object([(
        "Tag",
        Value::Array(
            tags.as_slice()
                .iter()
                .map(|t| {
                    Value::object([
                        ("TagKey", Value::str(t.key.as_str())),
                        ("TagValue", Value::str(t.value.as_str())),
                    ])
                })
                .collect(),
        ),
    )])
}

/// One image of Alibaba's `DescribeImages`.
pub(crate) fn alibaba_image(view: &ImageView<'_>) -> Value {
    let i = view.image;
    Value::object([
        ("ImageId", Value::str(i.id.as_str())),
        ("ImageName", Value::str(i.name.as_str())),
        ("RegionId", Value::str(i.region.as_str())),
        ("Status", Value::str(i.status.as_str())),
        ("Progress", Value::str(format!("{}%", i.progress))),
        ("ImageOwnerAlias", Value::str(view.owner_alias.as_str())),
        ("OwnerId", Value::str(i.owner.as_str())),
        (
            "Description",
            Value::str(i.description.as_ref().map_or("", |d| d.as_str())),
        ),
        ("Platform", Value::str(<&str>::from(i.platform))),
        ("Size", Value::UInt(i.size_gib)),
        ("CreationTime", timestamp(i.created_at)),
        ("Tags", alibaba_tags(&i.tags)),
        ("IsCopied", Value::Bool(i.copied_from.is_some())),
        (
            "CopiedFromImageId",
            Value::str(i.copied_from.as_ref().map_or("", |c| c.as_str())),
        ),
    ])
}

/// One image of Tencent's `DescribeImages` `ImageSet`.
pub(crate) fn tencent_image(view: &ImageView<'_>) -> Value {
    let i = view.image;
    let sync_percent = if i.copied_from.is_some() {
        u64::from(i.progress)
    } else {
        100
    };
    Value::object([
        ("ImageId", Value::str(i.id.as_str())),
        ("ImageName", Value::str(i.name.as_str())),
        (
            "ImageDescription",
            Value::str(i.description.as_ref().map_or("", |d| d.as_str())),
        ),
        ("ImageState", Value::str(i.tencent_state())),
        ("ImageSource", Value::str(i.tencent_source())),
        (
            "ImageType",
            Value::str(view.owner_alias.tencent_image_type()),
        ),
        ("ImageCreator", Value::str(i.owner.as_str())),
        ("Platform", Value::str(<&str>::from(i.platform))),
        ("ImageSize", Value::UInt(i.size_gib)),
        ("SyncPercent", Value::UInt(sync_percent)),
        ("CreatedTime", timestamp(i.created_at)),
        ("Tags", tag_list(&i.tags)),
    ])
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn timestamps_match_chrono_formatting() {
        for (y, mo, d, h, mi, s) in [
            (2026, 1, 1, 0, 0, 0),
            (1999, 12, 31, 23, 59, 59),
            (999, 2, 3, 4, 5, 6),
            (10_000, 1, 1, 0, 0, 0),
            (-1, 6, 15, 12, 30, 45),
        ] {
            let at = Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            let expected = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            assert_eq!(timestamp(at), Value::String(expected));
        }
    }
}
