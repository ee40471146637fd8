//! The providers' response bodies, typed: what an emulator that embeds the engine sends back
//! for each call, in the shape each provider's SDK reads.
//!
//! Every body is a struct that implements [`serde::Serialize`] with the provider's own field
//! names, in the order the providers write them, and borrows what it shows from the engine's
//! values (an [`ImageView`](crate::engine::ImageView), an
//! [`ExportTask`](crate::export::ExportTask), an [`ApiError`](crate::ApiError)), so building
//! one copies nothing. Serialise it with any serde format (`serde_json` for the wire). The
//! scenario runner ([`crate::replay`]) renders its answers through these types.
//!
//! - [`alibaba`]: ECS bodies, the request id first: `{"RequestId": …, fields…}`.
//! - [`tencent`]: CVM bodies, wrapped: `{"Response": {fields…, "RequestId": …}}`.
//! - Errors: [`AlibabaErrorResponse`], [`TencentErrorResponse`], and [`ErrorResponse`], the
//!   one of the two a profile's provider answers with.
//! - [`estimate`]: the scenario runner's own `EstimateCopyCost` query, in both envelopes.
//! - [`usage_estimate`]: the runner's own `EstimateUsageCost` query (launches, kept images,
//!   exports, downloads), in both envelopes.
//!
//! Times are written as both providers write them (`2026-01-01T00:00:00Z`), percentages as
//! Alibaba writes them (`"40%"`).
//!
//! # Example
//! A refused call, in each provider's form:
//! ```
//! use machine_image::response::ErrorResponse;
//! use machine_image::{ApiError, ErrorCode, Provider, RequestId};
//!
//! let request = RequestId::from_sequence(7);
//! let error = ApiError::new(ErrorCode::InvalidImageIdNotFound);
//! let alibaba = ErrorResponse::new(Provider::Alibaba, &request, &error);
//! assert_eq!(
//!     serde_json::to_string(&alibaba).unwrap(),
//!     r#"{"RequestId":"00000000-0000-4000-8000-000000000007","HttpCode":404,"Code":"InvalidImageId.NotFound","Message":"The specified ImageId does not exist."}"#
//! );
//! let tencent = ErrorResponse::new(Provider::Tencent, &request, &error);
//! assert_eq!(
//!     serde_json::to_string(&tencent).unwrap(),
//!     r#"{"Response":{"Error":{"Code":"InvalidImageId.NotFound","Message":"The image cannot be found."},"RequestId":"00000000-0000-4000-8000-000000000007"}}"#
//! );
//! ```

pub mod alibaba;
mod error;
pub mod estimate;
pub mod lifecycle;
pub mod tencent;
pub mod usage_estimate;

pub use error::{
    AlibabaErrorResponse, ErrorResponse, TencentError, TencentErrorBody, TencentErrorResponse,
};

use chrono::{DateTime, Utc};
use serde::Serializer;

/// A time as both providers write an image's creation time: `2026-01-01T00:00:00Z`.
pub(crate) fn wire_time<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    use chrono::{Datelike, Timelike};
    let year = at.year();
    if !(0..=9999).contains(&year) {
        // Outside four digits: chrono's own rendering (a sign or a fifth digit).
        return s.collect_str(&at.format("%Y-%m-%dT%H:%M:%SZ"));
    }
    // Written by hand into a buffer: `format` parses its pattern on every call, and every
    // image of every `DescribeImages` answer has a time.
    let mut text = [0u8; 20];
    let mut i = 0;
    for (value, width, sep) in [
        (year as u32, 4, b'-'),
        (at.month(), 2, b'-'),
        (at.day(), 2, b'T'),
        (at.hour(), 2, b':'),
        (at.minute(), 2, b':'),
        (at.second(), 2, b'Z'),
    ] {
        for place in (0..width).rev() {
            text[i] = b'0' + (value / 10u32.pow(place) % 10) as u8;
            i += 1;
        }
        text[i] = sep;
        i += 1;
    }
    s.serialize_str(std::str::from_utf8(&text).expect("ASCII digits"))
}

/// A time as RFC 3339 with whole seconds and `Z` (Alibaba's task times).
pub(crate) fn rfc3339<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// An optional [`rfc3339`] time (the field is skipped when `None`).
pub(crate) fn rfc3339_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, s),
        None => s.serialize_none(),
    }
}

/// A percentage as Alibaba writes it: `"40%"`.
pub(crate) fn percent<S: Serializer>(p: &u8, s: S) -> Result<S::Ok, S::Error> {
    let mut text = [0u8; 4];
    let mut i = 0;
    let p = *p;
    if p >= 100 {
        text[i] = b'0' + p / 100;
        i += 1;
    }
    if p >= 10 {
        text[i] = b'0' + p / 10 % 10;
        i += 1;
    }
    text[i] = b'0' + p % 10;
    text[i + 1] = b'%';
    s.serialize_str(std::str::from_utf8(&text[..i + 2]).expect("ASCII digits"))
}

#[cfg(test)]
mod tests;
