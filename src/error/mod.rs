//! The provider error catalogue: every error code of the Alibaba Cloud `CopyImage` tables
//! (seeds [003](crate::sources#seed-003) and [004](crate::sources#seed-004), their union), each with its HTTP status and English message verbatim,
//! plus the few codes this crate needs beyond them (marked as such), and the Tencent Cloud
//! code that the same failure gets.
//!
//! | Code | HTTP | Message (verbatim) | Source ([seeds](crate::sources)) |
//! |---|---|---|---|
//! | `InvalidAliUid.IsNull` | 401 | The aliUid must not be null | 003, 004 |
//! | `InvalidImageName.Malformed` | 400 | The specified Image name is wrongly formed. / The specified destination Image name is wrongly formed. | 003, 004 |
//! | `Forbbiden` | 403 | User not authorized to operate on the specified resource. | 003, 004 |
//! | `InvalidDescription.Malformed` | 400 | The specified destination description is wrongly formed. / The specified description is wrongly formed. | 003, 004 |
//! | `SourceRegion.NotFound` | 400 | The source region not found | 003, 004 |
//! | `DestinationRegion.NotFound` | 400 | The destination region not found | 003, 004 |
//! | `InvalidImageId.NotFound` | 404 | The specified ImageId does not exist. | 003, 004 |
//! | `IncorrectImageStatus` | 400 | The image not available. | 003, 004 |
//! | `InvalidSnapshotId.NotFound` | 400 | The specified SnapshotId does not exist. | 003, 004 |
//! | `InvalidImageName.Duplicated` | 400 | The destination image is exist. | 003, 004 |
//! | `QuotaExceed.Image` | 403 | The Image Quota exceeds. | 003, 004 |
//! | `QuotaExceed.Snapshot` | 403 | The snapshot quota exceeds. | 003, 004 |
//! | `OperationDenied.ImageCopying` | 403 | The Image are coping. | 003, 004 |
//! | `RegionNotSupportCopy` | 403 | The region not support copy. | 003, 004 |
//! | `InvalidSnapshot.TooOld` | 403 | This operation is denied because the specified snapshot is created before 2013-07-15. | 003, 004 |
//! | `OperationDenied` | 403 | The specified snapshot is not allowed to create image. | 003, 004 |
//! | `IncorrectDestinationRegion` | 403 | The destination region is not equal the target region. | 003, 004 |
//! | `SizeExceed.Image` | 403 | The image exceeds the maximum size. Please open a ticket to add the account to the white list. | 003, 004 |
//! | `OperationDeined.EncryptedSnapshot` | 403 | The image contains encrypted snapshots, which do not support copying. | 003, 004 |
//! | `InternalError` | 500 | The request processing has failed due to some unknown error, exception or failure. / The request processing has failed due to some unknown error. | 003, 004 (the first message in 004 only, at 500; the second in both, printed at 403) |
//! | `OperationDenied.SameRegionOnly` | 403 | The image shared from others can not be copied to another region directly. | 003, 004 |
//! | `OperationDenied.NotPublished` | 403 | The operation is denied because corresponding marketplace image is not published in destination region. | 004 |
//! | `InvalidParameter.KMSKeyId.NotFound` | 404 | The specified KMSKeyId does not exist. | 004 |
//! | `InvalidParameter.KMSKeyId.KMSUnauthorized` | 403 | ECS service have no right to access your KMS. | 004 |
//! | `InvalidRegion.NotSupport` | 403 | The specified region does not support byok. | 004 |
//! | `UserNotInTheWhiteList` | 403 | The user is not in byok white list. | 004 |
//! | `InvalidParameter.EncryptedIllegal` | 400 | The specified parameter Encrypted must be true when kmsKeyId is not empty. | 004 |
//!
//! `InternalError` has one status, 500, whichever of its two messages is used: [seed 004](crate::sources#seed-004) adds
//! a 500 row ("…unknown error, exception or failure.") beside the 403 row it keeps from [003](crate::sources#seed-003)
//! ("…unknown error."), and a code answers with one status here; the newer row stands. Codes that the tables list twice with two messages
//! keep both; [`Parameter`] picks the one that names the parameter that failed.
//!
//! Beyond the seeds, export (Alibaba `ExportImage` and `DeleteImage` error tables; the choice
//! of each and the Tencent code are in [`crate::export`]):
//!
//! | Code | HTTP | Message (verbatim) |
//! |---|---|---|
//! | `UserNotInTheWhiteList` (seed code, `ExportImage`'s message) | 403 | The user is not in the white list of exporting image. |
//! | `InvalidOSSBucket.NotFound` | 400 | The specified OSS bucket does not exist in this region. |
//! | `InvalidOSSPrefix.Malformed` | 400 | The specified OSSPrefix format is wrongly formed. |
//! | `InvalidImageFormat.Malformed` | 400 | The specified Image Format is wrongly formed. |
//! | `InvalidImage.DiskAmountOrSize` | 400 | The diskSize of the image exceeds the maximum size. / `%s` (filled with the data disk count) |
//! | `ImageNotSupported` | 403 | The specified image from the image market, do not support export image. |
//! | `ImageIsExporting` | 403 | The specified Image is exporting. Please cancel task first. (`DeleteImage`) / The specified Image is being exported. You can use the DescribeTasks API to check the status of existing tasks. (`ExportImage`) |
//! | `InvalidImageCategory.NotSupported` | 403 | The specified image category is not supported. |
//! | `IncorrectImageStatus` (seed code, `ExportImage`'s message) | 400 | The specified Image is not available. |
//! | `UnsupportedOperation.WindowsImageExportUnsupported` (Tencent's code in both renderings) | 403 | Windows images cannot be exported. (*translated* from Tencent's "Windows镜像不支持导出。") |
//! | `InvalidTaskId.NotFound` (`CancelTask`) | 400 | The specified "TaskId" is not found. |
//! | `InvalidTaskId.IncorrectTaskStatus` (`CancelTask`) | 403 | The specified task status is not invalid. (sic) |
//!
//! Codes beyond the seeds (Alibaba's public error centre and common errors) are listed by
//! [`ErrorCode::is_from_seeds`] returning `false`; they are needed for calls the seeds do not
//! document (idempotent retries, tags, cancel, share, malformed requests).
//!
//! Each code is declared once, in one table (`src/error/codes.rs`): its string, HTTP status,
//! messages with the seed rows that print them, where it comes from ([`ErrorCode::source`]) and
//! its Tencent code ([`ErrorCode::tencent_code`]). [`ErrorCode`], its lookups and
//! [`SEED_CATALOGUE`] are generated from it, and a test checks the tables above against it.
//! The Tencent side is the [`tencent`] submodule (also reachable as `machine_image::tencent`).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::provider::Provider;

mod codes;
pub mod tencent;

pub use codes::{CatalogueEntry, ErrorCode, Parameter, SEED_CATALOGUE};
pub use tencent::TencentCode;

/// An answer of the provider's API that refused a call: the code, the exact message, and
/// the Tencent Cloud code of the same failure. `Display` shows `Code: Message`.
///
/// ```
/// use machine_image::{ApiError, ErrorCode, Parameter, Provider, TencentCode};
///
/// let err = ApiError::new(ErrorCode::InvalidImageIdNotFound);
/// assert_eq!(err.to_string(), "InvalidImageId.NotFound: The specified ImageId does not exist.");
/// assert_eq!(err.http_status(), 404);
/// assert_eq!(err.tencent(), TencentCode::InvalidImageIdNotFound);
/// assert_eq!(err.message_for(Provider::Tencent), "The image cannot be found.");
/// // A code with two messages picks the one naming the parameter.
/// let name = ApiError::for_parameter(ErrorCode::InvalidImageNameMalformed, Parameter::DestinationImageName);
/// assert_eq!(name.message(), "The specified destination Image name is wrongly formed.");
/// assert_eq!(name.code_for(Provider::Tencent), "InvalidParameterValue");
/// let missing = ApiError::missing_parameter("RegionId");
/// assert_eq!((missing.code().as_str(), missing.http_status()), ("MissingParameter", 400));
/// ```
///
/// Most errors carry a message from the catalogue (a `&'static str`, no allocation); the
/// few whose provider message names a parameter (`MissingParameter`, `InvalidParameter`)
/// carry that text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApiError {
    code: ErrorCode,
    message: Cow<'static, str>,
    tencent: TencentCode,
}

impl ApiError {
    /// The error with the code's default message and Tencent equivalent.
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            message: Cow::Borrowed(code.message()),
            tencent: code.tencent_code(),
        }
    }

    /// The error with the message naming `parameter`.
    pub fn for_parameter(code: ErrorCode, parameter: Parameter) -> Self {
        ApiError {
            message: Cow::Borrowed(code.message_for(parameter)),
            ..ApiError::new(code)
        }
    }

    /// The error with another of the provider's messages for the same code (e.g.
    /// `IncorrectImageStatus` with "The specified image is not coping." from
    /// `CancelCopyImage`'s table).
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.message = message.into();
        self
    }

    /// The error with a more precise Tencent code than the default mapping gives.
    pub fn with_tencent(mut self, tencent: TencentCode) -> Self {
        self.tencent = tencent;
        self
    }

    /// `MissingParameter`, naming the parameter as Alibaba's gateway does.
    pub fn missing_parameter(name: &str) -> Self {
        ApiError::new(ErrorCode::MissingParameter).with_message(format!(
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
        ))
    }

    /// `InvalidParameter`, naming the parameter as Alibaba's gateway does.
    pub fn invalid_parameter(name: &str) -> Self {
        ApiError::new(ErrorCode::InvalidParameter)
            .with_message(format!("The specified parameter \"{name}\" is not valid."))
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The English message, verbatim from the provider's table.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The Tencent Cloud code of the same failure.
    pub fn tencent(&self) -> TencentCode {
        self.tencent
    }

    /// The code as `provider` spells it.
    pub fn code_for(&self, provider: Provider) -> &'static str {
        match provider {
            Provider::Alibaba => self.code.as_str(),
            Provider::Tencent => self.tencent.as_str(),
        }
    }

    /// The message as `provider` words it: the catalogue message on Alibaba Cloud, the
    /// Tencent code's message on Tencent Cloud.
    pub fn message_for(&self, provider: Provider) -> &str {
        match provider {
            Provider::Alibaba => self.message(),
            Provider::Tencent => self.tencent.message(),
        }
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}
