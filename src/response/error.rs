//! The error bodies of both providers.

use serde::Serialize;

use crate::error::ApiError;
use crate::id::RequestId;
use crate::provider::Provider;

/// Alibaba's error body: `{"RequestId", "HttpCode", "Code", "Message"}`.
///
/// ```
/// use machine_image::response::AlibabaErrorResponse;
/// use machine_image::{ApiError, ErrorCode, RequestId};
///
/// let request = RequestId::from_sequence(9);
/// let error = ApiError::new(ErrorCode::InvalidAliUidIsNull);
/// assert_eq!(
///     serde_json::to_string(&AlibabaErrorResponse::new(&request, &error)).unwrap(),
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000009","HttpCode":401,"Code":"InvalidAliUid.IsNull","Message":"The aliUid must not be null"}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlibabaErrorResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `HttpCode`: the HTTP status the error is answered with.
    #[serde(rename = "HttpCode")]
    pub http_code: u16,
    /// `Code`: the Alibaba code (`InvalidImageId.NotFound`).
    #[serde(rename = "Code")]
    pub code: &'a str,
    /// `Message`.
    #[serde(rename = "Message")]
    pub message: &'a str,
}

impl<'a> AlibabaErrorResponse<'a> {
    /// The body of `error`, answering request `request`.
    pub fn new(request: &'a RequestId, error: &'a ApiError) -> Self {
        AlibabaErrorResponse {
            request_id: request.as_str(),
            http_code: error.http_status(),
            code: error.code().as_str(),
            message: error.message(),
        }
    }
}

/// Tencent's error body: `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`. The
/// HTTP status of a Tencent error is always 200; the code says what went wrong.
///
/// ```
/// use machine_image::response::TencentErrorResponse;
/// use machine_image::{ApiError, ErrorCode, RequestId};
///
/// let request = RequestId::from_sequence(9);
/// let error = ApiError::new(ErrorCode::IncorrectDestinationRegion);
/// assert_eq!(
///     serde_json::to_string(&TencentErrorResponse::new(&request, &error)).unwrap(),
///     r#"{"Response":{"Error":{"Code":"InvalidParameterValue.InvalidRegion","Message":"The Region ID is unavailable."},"RequestId":"00000000-0000-4000-8000-000000000009"}}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TencentErrorResponse<'a> {
    /// `Response`.
    #[serde(rename = "Response")]
    pub response: TencentErrorBody<'a>,
}

/// The `Response` of a [`TencentErrorResponse`].
///
/// ```
/// use machine_image::response::TencentErrorResponse;
/// use machine_image::{ApiError, ErrorCode, RequestId};
///
/// let request = RequestId::from_sequence(9);
/// let error = ApiError::new(ErrorCode::InvalidImageIdNotFound);
/// let body = TencentErrorResponse::new(&request, &error).response;
/// assert_eq!(body.request_id, request.as_str());
/// assert_eq!(body.error.code, "InvalidImageId.NotFound");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TencentErrorBody<'a> {
    /// `Error`.
    #[serde(rename = "Error")]
    pub error: TencentError<'a>,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

/// The `Error` of a [`TencentErrorResponse`].
///
/// ```
/// use machine_image::response::TencentErrorResponse;
/// use machine_image::{ApiError, ErrorCode, RequestId};
///
/// let request = RequestId::from_sequence(9);
/// let error = ApiError::new(ErrorCode::QuotaExceedImage);
/// // A host's own message in place of Tencent's:
/// let body = TencentErrorResponse::with_message(&request, &error, "line 3: over quota");
/// let inner = body.response.error;
/// assert_eq!((inner.code, inner.message), ("ImageQuotaLimitExceeded", "line 3: over quota"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TencentError<'a> {
    /// `Code`: the Tencent code (`InvalidImageId.NotFound`).
    #[serde(rename = "Code")]
    pub code: &'a str,
    /// `Message`.
    #[serde(rename = "Message")]
    pub message: &'a str,
}

impl<'a> TencentErrorResponse<'a> {
    /// The body of `error`, answering request `request`: its Tencent code and Tencent's
    /// message for it ([`ApiError::message_for`]).
    pub fn new(request: &'a RequestId, error: &'a ApiError) -> Self {
        TencentErrorResponse::with_message(request, error, error.message_for(Provider::Tencent))
    }

    /// The body of `error` with `message` in place of Tencent's (a host's own message, such
    /// as one naming the input line at fault).
    pub fn with_message(request: &'a RequestId, error: &'a ApiError, message: &'a str) -> Self {
        TencentErrorResponse {
            response: TencentErrorBody {
                error: TencentError {
                    code: error.tencent().as_str(),
                    message,
                },
                request_id: request.as_str(),
            },
        }
    }
}

/// The error body of a provider: [`AlibabaErrorResponse`] or [`TencentErrorResponse`]. It
/// serialises as the body it holds (see the [module](super) example).
///
/// ```
/// use machine_image::engine::{DeleteImage, ImageService};
/// use machine_image::response::ErrorResponse;
/// use machine_image::{AccountId, ImageId, Profile, Provider, RegionId, RequestId};
/// # use chrono::{TimeZone, Utc};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
///
/// let mut service = ImageService::new(Profile::tencent());
/// let delete = DeleteImage::new(AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?, ImageId::new("img-missing1")?);
/// let refused = service.call(t0, delete).unwrap_err();
/// let error = refused.api_error().expect("a customer's refusal");
/// let request = RequestId::from_sequence(5);
/// let body = ErrorResponse::new(Provider::Tencent, &request, error);
/// assert_eq!(body.http_status(), 200); // Tencent answers errors with 200
/// assert!(serde_json::to_string(&body)?.starts_with(r#"{"Response":{"Error":{"Code":"InvalidImageId.NotFound""#));
/// assert_eq!(ErrorResponse::new(Provider::Alibaba, &request, error).http_status(), 404);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ErrorResponse<'a> {
    /// Alibaba's.
    Alibaba(AlibabaErrorResponse<'a>),
    /// Tencent's.
    Tencent(TencentErrorResponse<'a>),
}

impl<'a> ErrorResponse<'a> {
    /// The body `provider` answers `error` with.
    pub fn new(provider: Provider, request: &'a RequestId, error: &'a ApiError) -> Self {
        match provider {
            Provider::Alibaba => ErrorResponse::Alibaba(AlibabaErrorResponse::new(request, error)),
            Provider::Tencent => ErrorResponse::Tencent(TencentErrorResponse::new(request, error)),
        }
    }

    /// The HTTP status to answer with: the error's own on Alibaba, 200 on Tencent.
    pub fn http_status(&self) -> u16 {
        match self {
            ErrorResponse::Alibaba(a) => a.http_code,
            ErrorResponse::Tencent(_) => 200,
        }
    }
}
