//! The error codes, declared once each in [`error_codes!`]: the code string, the HTTP status,
//! the Tencent Cloud counterpart, where the code comes from, and every message with the seed
//! row that prints it. The enum, its string conversions (`FromStr`, `Display`, serde), the
//! lookups ([`ErrorCode::http_status`], [`ErrorCode::messages`], [`ErrorCode::tencent_code`],
//! [`ErrorCode::source`], [`ErrorCode::is_from_seeds`]) and [`SEED_CATALOGUE`] are generated
//! from that one declaration.

use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

use super::tencent::TencentCode;
use crate::provider::Provider;

/// The table of error codes. Each entry is
///
/// ```text
/// /// What the failure means.
/// Variant {
///     code: "Code.String",          // as the provider spells it, typos included
///     status: 403,                  // the HTTP status
///     tencent: TencentVariant,      // the TencentCode of the same failure
///     source: "…",                  // the table or clause the code comes from
///     messages: [
///         "Default message." (row 4, seeds "003, 004"),  // a row of the seed tables
///         "Other message." for ImageName,                // chosen by Parameter::ImageName
///     ],
/// }
/// ```
///
/// The first message is the default one; `for P` makes a message the one
/// [`ErrorCode::message_for`] gives for [`Parameter`] `P`. `(row N, seeds "…")` places the
/// message in [`SEED_CATALOGUE`] at position `N` (the order of seed 004's table), printed by
/// those seeds; a code is [from the seeds](ErrorCode::is_from_seeds) when any of its messages
/// has a row.
macro_rules! error_codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident {
            code: $code:literal,
            status: $status:literal,
            tencent: $tencent:ident,
            source: $source:literal,
            messages: [ $(
                $message:literal
                $( (row $row:literal, seeds $seeds:literal) )?
                $( for $parameter:ident )?
            ),+ $(,)? ] $(,)?
        }
    )*) => {
        /// An error code of the provider's API, as the Alibaba Cloud tables spell it (typos included).
        ///
        /// `Display`, `AsRef<str>` and `FromStr` use the exact code string.
        ///
        /// ```
        /// use machine_image::{ErrorCode, Provider};
        ///
        /// let code: ErrorCode = "QuotaExceed.Image".parse()?;
        /// assert_eq!(code, ErrorCode::QuotaExceedImage);
        /// assert_eq!((code.as_str(), code.http_status()), ("QuotaExceed.Image", 403));
        /// assert_eq!(code.message(), "The Image Quota exceeds.");
        /// assert_eq!(code.code_for(Provider::Tencent), "ImageQuotaLimitExceeded");
        /// assert!(code.is_from_seeds());
        /// // The tables' typos are kept: this is the code the API sends.
        /// assert_eq!(ErrorCode::OperationDeinedEncryptedSnapshot.as_str(), "OperationDeined.EncryptedSnapshot");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            EnumString, IntoStaticStr, AsRefStr, EnumIter, Serialize, Deserialize,
        )]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                #[doc = concat!(
                    "`", $code, "`, HTTP ", $status, "; on Tencent Cloud [`",
                    stringify!($tencent), "`](TencentCode::", stringify!($tencent),
                    "); source: ", $source, ".",
                )]
                #[doc = ""]
                $(#[$doc])*
                #[strum(serialize = $code)]
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl ErrorCode {
            /// The HTTP status the provider answers with ([seed 004](crate::sources#seed-004) where the tables differ).
            pub fn http_status(self) -> u16 {
                match self {
                    $( ErrorCode::$variant => $status, )*
                }
            }

            /// Every English message the provider gives for this code, verbatim; the first is the
            /// one used when no [`Parameter`] chooses otherwise.
            pub fn messages(self) -> &'static [&'static str] {
                match self {
                    $( ErrorCode::$variant => &[ $( $message ),+ ], )*
                }
            }

            /// The code Tencent Cloud CVM answers for the same failure (see [`TencentCode`]).
            pub fn tencent_code(self) -> TencentCode {
                match self {
                    $( ErrorCode::$variant => TencentCode::$tencent, )*
                }
            }

            /// The message for a failure of `parameter`: for the codes the tables give twice, the
            /// one naming that parameter (`ImageName` → "The specified Image name is wrongly formed.").
            pub fn message_for(self, parameter: Parameter) -> &'static str {
                match (self, parameter) {
                    $( $( $( (ErrorCode::$variant, Parameter::$parameter) => $message, )? )+ )*
                    _ => self.message(),
                }
            }

            /// Where the code comes from: the `CopyImage` error tables of the
            /// [seeds](crate::sources), or, beyond the seeds, the provider table or
            /// documentation it is taken from.
            pub fn source(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $source, )*
                }
            }
        }

        /// The rows of the seed tables, each with its position in [`SEED_CATALOGUE`].
        const SEED_ROWS: &[(usize, CatalogueEntry)] = &[
            $( $( $(
                (
                    $row,
                    CatalogueEntry {
                        code: ErrorCode::$variant,
                        http_status: $status,
                        message: $message,
                        seeds: $seeds,
                    },
                ),
            )? )+ )*
        ];
    };
}

error_codes! {
    /// The caller's account id is missing.
    InvalidAliUidIsNull {
        code: "InvalidAliUid.IsNull",
        status: 401,
        tencent: AuthFailureInvalidAuthorization,
        source: "the seeds' `CopyImage` error table",
        messages: ["The aliUid must not be null" (row 1, seeds "003, 004")],
    }
    /// The image name breaks the naming rules.
    InvalidImageNameMalformed {
        code: "InvalidImageName.Malformed",
        status: 400,
        tencent: InvalidParameterValue,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The specified destination Image name is wrongly formed." (row 4, seeds "003, 004"),
            "The specified Image name is wrongly formed." (row 2, seeds "003, 004") for ImageName,
        ],
    }
    /// Not allowed on this resource (the provider's spelling).
    Forbbiden {
        code: "Forbbiden",
        status: 403,
        tencent: InvalidParameterValueInvalidImageId,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "User not authorized to operate on the specified resource." (row 3, seeds "003, 004"),
        ],
    }
    /// The description breaks its rules.
    InvalidDescriptionMalformed {
        code: "InvalidDescription.Malformed",
        status: 400,
        tencent: InvalidParameterValue,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The specified destination description is wrongly formed." (row 5, seeds "003, 004"),
            "The specified description is wrongly formed." (row 6, seeds "003, 004") for Description,
        ],
    }
    /// The source region is unknown.
    SourceRegionNotFound {
        code: "SourceRegion.NotFound",
        status: 400,
        tencent: InvalidRegionNotFound,
        source: "the seeds' `CopyImage` error table",
        messages: ["The source region not found" (row 7, seeds "003, 004")],
    }
    /// The destination region is unknown.
    DestinationRegionNotFound {
        code: "DestinationRegion.NotFound",
        status: 400,
        tencent: InvalidRegionNotFound,
        source: "the seeds' `CopyImage` error table",
        messages: ["The destination region not found" (row 8, seeds "003, 004")],
    }
    /// No such image visible to the caller.
    InvalidImageIdNotFound {
        code: "InvalidImageId.NotFound",
        status: 404,
        tencent: InvalidImageIdNotFound,
        source: "the seeds' `CopyImage` error table",
        messages: ["The specified ImageId does not exist." (row 9, seeds "003, 004")],
    }
    /// The image is not `Available`.
    IncorrectImageStatus {
        code: "IncorrectImageStatus",
        status: 400,
        tencent: InvalidImageIdIncorrectState,
        source: "the seeds' `CopyImage` error table",
        messages: ["The image not available." (row 10, seeds "003, 004")],
    }
    /// A snapshot behind the image is missing.
    InvalidSnapshotIdNotFound {
        code: "InvalidSnapshotId.NotFound",
        status: 400,
        tencent: InvalidParameterSnapshotNotFound,
        source: "the seeds' `CopyImage` error table",
        messages: ["The specified SnapshotId does not exist." (row 11, seeds "003, 004")],
    }
    /// The caller already has an image of that name there.
    InvalidImageNameDuplicated {
        code: "InvalidImageName.Duplicated",
        status: 400,
        tencent: InvalidImageNameDuplicate,
        source: "the seeds' `CopyImage` error table",
        messages: ["The destination image is exist." (row 12, seeds "003, 004")],
    }
    /// The custom image quota is used up.
    QuotaExceedImage {
        code: "QuotaExceed.Image",
        status: 403,
        tencent: ImageQuotaLimitExceeded,
        source: "the seeds' `CopyImage` error table",
        messages: ["The Image Quota exceeds." (row 13, seeds "003, 004")],
    }
    /// The snapshot quota is used up.
    QuotaExceedSnapshot {
        code: "QuotaExceed.Snapshot",
        status: 403,
        tencent: LimitExceeded,
        source: "the seeds' `CopyImage` error table",
        messages: ["The snapshot quota exceeds." (row 14, seeds "003, 004")],
    }
    /// The image is being copied.
    OperationDeniedImageCopying {
        code: "OperationDenied.ImageCopying",
        status: 403,
        tencent: InvalidParameterValueInvalidImageState,
        source: "the seeds' `CopyImage` error table",
        messages: ["The Image are coping." (row 15, seeds "003, 004")],
    }
    /// A region of the pair does not support copying.
    RegionNotSupportCopy {
        code: "RegionNotSupportCopy",
        status: 403,
        tencent: InvalidRegionUnavailable,
        source: "the seeds' `CopyImage` error table",
        messages: ["The region not support copy." (row 16, seeds "003, 004")],
    }
    /// A snapshot predates 2013-07-15.
    InvalidSnapshotTooOld {
        code: "InvalidSnapshot.TooOld",
        status: 403,
        tencent: UnsupportedOperation,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "This operation is denied because the specified snapshot is created before 2013-07-15."
                (row 17, seeds "003, 004"),
        ],
    }
    /// The snapshot may not be used to create an image.
    OperationDenied {
        code: "OperationDenied",
        status: 403,
        tencent: UnsupportedOperation,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The specified snapshot is not allowed to create image." (row 18, seeds "003, 004"),
        ],
    }
    /// Destination equals source.
    IncorrectDestinationRegion {
        code: "IncorrectDestinationRegion",
        status: 403,
        tencent: InvalidParameterValueInvalidRegion,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The destination region is not equal the target region." (row 19, seeds "003, 004"),
        ],
    }
    /// The image is above the maximum size for this account.
    SizeExceedImage {
        code: "SizeExceed.Image",
        status: 403,
        tencent: InvalidImageIdTooLarge,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The image exceeds the maximum size. Please open a ticket to add the account to the white list."
                (row 20, seeds "003, 004"),
        ],
    }
    /// Encrypted snapshots can only be copied encrypted (the provider's spelling).
    OperationDeinedEncryptedSnapshot {
        code: "OperationDeined.EncryptedSnapshot",
        status: 403,
        tencent: UnsupportedOperationEncryptedImagesNotSupported,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The image contains encrypted snapshots, which do not support copying."
                (row 21, seeds "003, 004"),
        ],
    }
    /// An unexpected failure; 500 per [seed 004](crate::sources#seed-004), for both messages
    /// (see the [module docs](crate::error)).
    InternalError {
        code: "InternalError",
        status: 500,
        tencent: InternalError,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The request processing has failed due to some unknown error, exception or failure."
                (row 27, seeds "004"),
            "The request processing has failed due to some unknown error." (row 22, seeds "003, 004"),
        ],
    }
    /// A shared image can only be copied in its region.
    OperationDeniedSameRegionOnly {
        code: "OperationDenied.SameRegionOnly",
        status: 403,
        tencent: InvalidParameterValueInvalidRegion,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The image shared from others can not be copied to another region directly."
                (row 23, seeds "003, 004"),
        ],
    }
    /// The marketplace image is not published there.
    OperationDeniedNotPublished {
        code: "OperationDenied.NotPublished",
        status: 403,
        tencent: UnsupportedOperationRegion,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The operation is denied because corresponding marketplace image is not published in destination region."
                (row 24, seeds "004"),
        ],
    }
    /// No such key for the caller in the region.
    InvalidParameterKmsKeyIdNotFound {
        code: "InvalidParameter.KMSKeyId.NotFound",
        status: 404,
        tencent: InvalidParameterValue,
        source: "the seeds' `CopyImage` error table",
        messages: ["The specified KMSKeyId does not exist." (row 25, seeds "004")],
    }
    /// The image service may not use the key.
    InvalidParameterKmsKeyIdKmsUnauthorized {
        code: "InvalidParameter.KMSKeyId.KMSUnauthorized",
        status: 403,
        tencent: UnauthorizedOperation,
        source: "the seeds' `CopyImage` error table",
        messages: ["ECS service have no right to access your KMS." (row 26, seeds "004")],
    }
    /// The region does not support bring-your-own-key.
    InvalidRegionNotSupport {
        code: "InvalidRegion.NotSupport",
        status: 403,
        tencent: UnsupportedOperationInvalidRegionDiskEncrypt,
        source: "the seeds' `CopyImage` error table",
        messages: ["The specified region does not support byok." (row 28, seeds "004")],
    }
    /// The account is not allow-listed for BYOK.
    UserNotInTheWhiteList {
        code: "UserNotInTheWhiteList",
        status: 403,
        tencent: InvalidPermission,
        source: "the seeds' `CopyImage` error table",
        messages: ["The user is not in byok white list." (row 29, seeds "004")],
    }
    /// A key was given with `Encrypted` false.
    InvalidParameterEncryptedIllegal {
        code: "InvalidParameter.EncryptedIllegal",
        status: 400,
        tencent: InvalidParameterCombination,
        source: "the seeds' `CopyImage` error table",
        messages: [
            "The specified parameter Encrypted must be true when kmsKeyId is not empty."
                (row 30, seeds "004"),
        ],
    }

    // ---- beyond the seeds -------------------------------------------------------------
    /// A client token reused with other parameters.
    IdempotentParameterMismatch {
        code: "IdempotentParameterMismatch",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: [
            "Request uses a client token in a previous request but is not identical to that request.",
        ],
    }
    /// A tag key breaks its rules.
    InvalidTagKeyMalformed {
        code: "InvalidTagKey.Malformed",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["The specified Tag.n.Key is not valid."],
    }
    /// A tag value breaks its rules.
    InvalidTagValueMalformed {
        code: "InvalidTagValue.Malformed",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["The specified Tag.n.Value is not valid."],
    }
    /// More than 20 tags.
    InvalidTagCount {
        code: "InvalidTagCount",
        status: 400,
        tencent: InvalidParameterValueLimitExceeded,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["The specified tags are beyond the permitted range."],
    }
    /// A tag key given twice.
    DuplicateTagKey {
        code: "Duplicate.TagKey",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["The Tag.N.Key contain duplicate key."],
    }
    /// The region of the call is unknown.
    InvalidRegionIdNotFound {
        code: "InvalidRegionId.NotFound",
        status: 404,
        tencent: InvalidRegionNotFound,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["The specified RegionId does not exist."],
    }
    /// An account id to share with is unknown or malformed.
    InvalidAccountNotFound {
        code: "InvalidAccount.NotFound",
        status: 404,
        tencent: InvalidAccountIdNotFound,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: [
            "The specified parameter \"AddAccount.n\" or \"RemoveAccount.n\" does not exist.",
        ],
    }
    /// Tencent: the image is already shared with the account (`ModifyImageSharePermission`
    /// with `Permission=SHARE`; listed for that call in `tencentcloud-sdk-go`'s
    /// `cvm/v20170312/client.go`). Alibaba answers a repeated share with success, so only the
    /// Tencent profile emits it.
    AccountAlreadyExists {
        code: "FailedOperation.AccountAlreadyExists",
        status: 400,
        tencent: FailedOperationAccountAlreadyExists,
        source: "beyond the seeds, Tencent `ModifyImageSharePermission`'s code, used in both renderings",
        messages: ["The account already exists."],
    }
    /// `CreateImage` named an instance (`InstanceId`): instances are outside this model, so
    /// no instance exists; the engine's message says so (an image is created from snapshots).
    InvalidInstanceIdNotFound {
        code: "InvalidInstanceId.NotFound",
        status: 404,
        tencent: InvalidInstanceIdNotFound,
        source: "beyond the seeds, Alibaba `CreateImage` and Tencent `CreateImage` (instances are not modelled)",
        messages: ["The specified InstanceId does not exist."],
    }
    /// The image is not the target image of a copy.
    ImageCreatedNotFromCopy {
        code: "ImageCreatedNotFromCopy",
        status: 400,
        tencent: InvalidImageIdIncorrectState,
        source: "beyond the seeds, Alibaba `CancelCopyImage`",
        messages: ["The specified image is not the target image of a copy action."],
    }
    /// An image shared with its own owner.
    InvalidAccountForbbiden {
        code: "InvalidAccount.Forbbiden",
        status: 403,
        tencent: InvalidAccountIsYourSelf,
        source: "beyond the seeds, Alibaba `ModifyImageSharePermission`",
        messages: ["The specified Account does not yourself."],
    }
    /// A whole-machine image can't be copied to another region
    /// ([seed 000](crate::sources#seed-000)).
    InstanceImageNotSupport {
        code: "InvalidParameter.InstanceImageNotSupport",
        status: 403,
        tencent: InvalidParameterInstanceImageNotSupport,
        source: "beyond the seeds, Tencent's code, used in both renderings",
        messages: ["This API does not support instance images."],
    }
    /// A parameter has a wrong type or form.
    InvalidParameter {
        code: "InvalidParameter",
        status: 400,
        tencent: InvalidParameter,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["The specified parameter is not valid."],
    }
    /// A required parameter is absent.
    MissingParameter {
        code: "MissingParameter",
        status: 400,
        tencent: MissingParameter,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: [
            "The input parameter that is mandatory for processing this request is not supplied.",
        ],
    }
    /// No such API action.
    InvalidActionNotFound {
        code: "InvalidAction.NotFound",
        status: 404,
        tencent: InvalidAction,
        source: "beyond the seeds, Alibaba's public error centre and common errors",
        messages: ["Specified api is not found, please check your url and method."],
    }

    // ---- beyond the seeds: export (Alibaba `ExportImage`/`DeleteImage` tables; see
    // crate::export for the choice of each)
    /// No such bucket in the image's region.
    InvalidOssBucketNotFound {
        code: "InvalidOSSBucket.NotFound",
        status: 400,
        tencent: InvalidParameterValueBucketNotFound,
        source: "beyond the seeds, Alibaba `ExportImage`",
        messages: ["The specified OSS bucket does not exist in this region."],
    }
    /// The file-name prefix breaks its rule.
    InvalidOssPrefixMalformed {
        code: "InvalidOSSPrefix.Malformed",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba `ExportImage`",
        messages: ["The specified OSSPrefix format is wrongly formed."],
    }
    /// An export format the provider does not offer.
    InvalidImageFormatMalformed {
        code: "InvalidImageFormat.Malformed",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba `ExportImage`",
        messages: ["The specified Image Format is wrongly formed."],
    }
    /// Too many data disks or a disk too large to export.
    InvalidImageDiskAmountOrSize {
        code: "InvalidImage.DiskAmountOrSize",
        status: 400,
        tencent: UnsupportedOperationImageTooLargeExportUnsupported,
        source: "beyond the seeds, Alibaba `ExportImage`",
        messages: ["The diskSize of the image exceeds the maximum size."],
    }
    /// A marketplace image can't be exported.
    ImageNotSupported {
        code: "ImageNotSupported",
        status: 403,
        tencent: UnsupportedOperationPublicImageExportUnsupported,
        source: "beyond the seeds, Alibaba `ExportImage`",
        messages: ["The specified image from the image market, do not support export image."],
    }
    /// The image is being exported.
    ImageIsExporting {
        code: "ImageIsExporting",
        status: 403,
        tencent: InvalidParameterValueInvalidImageState,
        source: "beyond the seeds, Alibaba `DeleteImage` and `ExportImage`",
        messages: [
            "The specified Image is exporting. Please cancel task first.",
            "The specified Image is being exported. You can use the DescribeTasks API to check the status of existing tasks.",
        ],
    }
    /// The image's category (public, shared) can't be exported.
    InvalidImageCategoryNotSupported {
        code: "InvalidImageCategory.NotSupported",
        status: 403,
        tencent: UnsupportedOperationPublicImageExportUnsupported,
        source: "beyond the seeds, Alibaba `ExportImage`",
        messages: ["The specified image category is not supported."],
    }
    /// A Windows image can't be exported ([seed 002](crate::sources#seed-002)); Alibaba
    /// documents no code for it.
    WindowsImageExportUnsupported {
        code: "UnsupportedOperation.WindowsImageExportUnsupported",
        status: 403,
        tencent: UnsupportedOperationWindowsImageExportUnsupported,
        source: "beyond the seeds, Tencent `ExportImages`' code, used in both renderings",
        messages: ["Windows images cannot be exported."],
    }
    /// No such task of the caller.
    InvalidTaskIdNotFound {
        code: "InvalidTaskId.NotFound",
        status: 400,
        tencent: InvalidParameterValue,
        source: "beyond the seeds, Alibaba `CancelTask`",
        messages: ["The specified \"TaskId\" is not found."],
    }
    /// The task is over and can't be cancelled.
    InvalidTaskIdIncorrectTaskStatus {
        code: "InvalidTaskId.IncorrectTaskStatus",
        status: 403,
        tencent: UnsupportedOperation,
        source: "beyond the seeds, Alibaba `CancelTask`",
        messages: ["The specified task status is not invalid."],
    }
}

/// The request parameter that failed, where it decides which of a code's two messages applies.
///
/// ```
/// use machine_image::{ErrorCode, Parameter};
///
/// let code = ErrorCode::InvalidDescriptionMalformed;
/// assert_eq!(code.message_for(Parameter::DestinationDescription), "The specified destination description is wrongly formed.");
/// assert_eq!(code.message_for(Parameter::Description), "The specified description is wrongly formed.");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Parameter {
    /// An image's own name (e.g. when creating an image).
    ImageName,
    /// `DestinationImageName` of `CopyImage`.
    DestinationImageName,
    /// An image's own description.
    Description,
    /// `DestinationDescription` of `CopyImage`.
    DestinationDescription,
}

impl ErrorCode {
    /// The exact code string, e.g. `"OperationDeined.EncryptedSnapshot"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The default English message (the first of [`ErrorCode::messages`]).
    pub fn message(self) -> &'static str {
        self.messages()[0]
    }

    /// Whether the code is in the seed tables ([003](crate::sources#seed-003)/[004](crate::sources#seed-004)) rather than added by this crate.
    pub fn is_from_seeds(self) -> bool {
        SEED_CATALOGUE.iter().any(|row| row.code == self)
    }

    /// The code in `provider`'s rendering.
    pub fn code_for(self, provider: Provider) -> &'static str {
        match provider {
            Provider::Alibaba => self.as_str(),
            Provider::Tencent => self.tencent_code().as_str(),
        }
    }
}

impl TencentCode {
    /// The code Tencent answers for the failure `code` names (the [`tencent`](super::tencent)
    /// module table); the same as [`ErrorCode::tencent_code`].
    pub fn for_failure(code: ErrorCode) -> TencentCode {
        code.tencent_code()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the seed error tables: code, HTTP status and English message as printed.
///
/// ```
/// use machine_image::{ApiError, SEED_CATALOGUE};
///
/// // Every row of the seeds' tables, e.g. for a table-driven test of one's own service.
/// let row = SEED_CATALOGUE.iter().find(|e| e.code.as_str() == "InvalidAliUid.IsNull").expect("in the tables");
/// assert_eq!((row.http_status, row.message), (401, "The aliUid must not be null"));
/// assert!(SEED_CATALOGUE.iter().all(|e| ApiError::new(e.code).http_status() == e.http_status));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The code.
    pub code: ErrorCode,
    /// The HTTP status the code answers with: the one printed in the row, except for the
    /// `InternalError` row with the message "…unknown error." (printed 403 in both seeds),
    /// which answers 500 like the code's other row (see the module docs).
    pub http_status: u16,
    /// The English message printed in the row.
    pub message: &'static str,
    /// Which seed table(s) print this row: `"003"`, `"004"` or `"003, 004"`.
    pub seeds: &'static str,
}

/// Every row of the seed tables [003](crate::sources#seed-003) and [004](crate::sources#seed-004) (their union), in [004](crate::sources#seed-004)'s order. Rows the two
/// tables print identically appear once; the `InternalError` row that both print at 403
/// carries the code's status, 500 (see [`CatalogueEntry::http_status`]).
pub const SEED_CATALOGUE: &[CatalogueEntry] = &in_table_order::<{ SEED_ROWS.len() }>(SEED_ROWS);

/// The rows put at their declared positions; fails the build if two rows claim one position
/// or a position is out of range (so, with as many positions as rows, every one is filled).
const fn in_table_order<const N: usize>(rows: &[(usize, CatalogueEntry)]) -> [CatalogueEntry; N] {
    assert!(rows.len() == N);
    let mut table = [rows[0].1; N];
    let mut placed = [false; N];
    let mut i = 0;
    while i < N {
        let (row, entry) = rows[i];
        assert!(row >= 1 && row <= N, "a seed row number out of range");
        assert!(!placed[row - 1], "two messages claim the same seed row");
        table[row - 1] = entry;
        placed[row - 1] = true;
        i += 1;
    }
    table
}
#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_seed_row_matches_code_status_and_message() {
        for row in SEED_CATALOGUE {
            assert!(row.code.is_from_seeds(), "{}", row.code);
            assert_eq!(row.code.http_status(), row.http_status, "{}", row.code);
            assert!(
                row.code.messages().contains(&row.message),
                "{}: {:?}",
                row.code,
                row.message
            );
        }
        // 30 rows: 23 of 003 (with InternalError's status taken from 004) plus 7 new in 004.
        assert_eq!(SEED_CATALOGUE.len(), 30);
    }

    #[test]
    fn every_seed_code_has_a_row_and_every_message_is_printed() {
        for code in ErrorCode::iter().filter(|c| c.is_from_seeds()) {
            for message in code.messages() {
                assert!(
                    SEED_CATALOGUE
                        .iter()
                        .any(|r| r.code == code && r.message == *message),
                    "{code}: {message}"
                );
            }
        }
    }

    #[test]
    fn codes_round_trip_through_strings() {
        for code in ErrorCode::iter() {
            let parsed: ErrorCode = code.as_str().parse().unwrap();
            assert_eq!(parsed, code);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn provider_typos_are_kept() {
        assert_eq!(ErrorCode::Forbbiden.as_str(), "Forbbiden");
        assert_eq!(
            ErrorCode::OperationDeinedEncryptedSnapshot.as_str(),
            "OperationDeined.EncryptedSnapshot"
        );
    }

    #[test]
    fn internal_error_is_500_with_both_messages() {
        assert_eq!(ErrorCode::InternalError.http_status(), 500);
        assert_eq!(ErrorCode::InternalError.messages().len(), 2);
    }

    #[test]
    fn message_follows_the_failed_parameter() {
        let c = ErrorCode::InvalidImageNameMalformed;
        assert_eq!(
            c.message_for(Parameter::DestinationImageName),
            "The specified destination Image name is wrongly formed."
        );
        assert_eq!(
            c.message_for(Parameter::ImageName),
            "The specified Image name is wrongly formed."
        );
        let d = ErrorCode::InvalidDescriptionMalformed;
        assert_eq!(
            d.message_for(Parameter::Description),
            "The specified description is wrongly formed."
        );
        assert_eq!(
            d.message_for(Parameter::DestinationDescription),
            "The specified destination description is wrongly formed."
        );
    }

    #[test]
    fn every_failure_has_a_tencent_code() {
        for code in ErrorCode::iter() {
            let t = TencentCode::for_failure(code);
            assert_eq!(t, code.tencent_code());
            assert!(!t.message().is_empty());
            assert_eq!(t.as_str().parse::<TencentCode>().unwrap(), t);
        }
    }

    #[test]
    fn documented_mappings() {
        assert_eq!(
            TencentCode::for_failure(ErrorCode::IncorrectImageStatus).as_str(),
            "InvalidImageId.IncorrectState"
        );
        assert_eq!(
            TencentCode::for_failure(ErrorCode::SizeExceedImage).as_str(),
            "InvalidImageId.TooLarge"
        );
        assert_eq!(
            TencentCode::for_failure(ErrorCode::DestinationRegionNotFound).as_str(),
            "InvalidRegion.NotFound"
        );
        assert_eq!(
            TencentCode::for_failure(ErrorCode::QuotaExceedImage).as_str(),
            "ImageQuotaLimitExceeded"
        );
    }

    /// A table row of the error module's docs that starts with a code: its cells.
    fn doc_table_rows() -> Vec<Vec<&'static str>> {
        include_str!("mod.rs")
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .filter_map(|line| line.strip_prefix("//! | `"))
            .map(|row| {
                let row = row.strip_suffix(" |").expect("a table row ends with ` |`");
                row.split(" | ").collect()
            })
            .collect()
    }

    /// The code a cell names (its first `` `…` ``) and the annotation after it.
    fn code_cell(cell: &str) -> (ErrorCode, &str) {
        let (code, annotation) = cell.split_once('`').expect("the code ends with a backtick");
        let code = code
            .parse()
            .unwrap_or_else(|_| panic!("the docs name an unknown code {code:?}"));
        (code, annotation)
    }

    /// A cell's text without a trailing ` (…)` annotation.
    fn without_note(cell: &str) -> &str {
        match cell.rfind(" (") {
            Some(at) if cell.ends_with(')') => &cell[..at],
            _ => cell,
        }
    }

    /// The seeds printing any row of `code`, as the docs write them (`"003, 004"`).
    fn seeds_of(code: ErrorCode) -> String {
        let mut seeds: Vec<&str> = SEED_CATALOGUE
            .iter()
            .filter(|row| row.code == code)
            .flat_map(|row| row.seeds.split(", "))
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        seeds.join(", ")
    }

    #[test]
    fn the_docs_tables_agree_with_the_declarations() {
        let rows = doc_table_rows();
        let mut seed_codes_documented = Vec::new();
        let mut other_codes_documented = Vec::new();
        for cells in &rows {
            let (code, annotation) = code_cell(cells[0]);
            assert_eq!(cells[1], code.http_status().to_string(), "{code}: status");
            let documented: Vec<&str> = cells[2].split(" / ").map(without_note).collect();
            match cells.len() {
                // The seed table: code, status, every message, the seeds printing them.
                4 => {
                    assert!(code.is_from_seeds(), "{code} is in the seed table");
                    assert!(annotation.is_empty(), "{code}: {annotation:?}");
                    let mut declared = code.messages().to_vec();
                    let mut documented = documented.clone();
                    declared.sort_unstable();
                    documented.sort_unstable();
                    assert_eq!(documented, declared, "{code}: messages");
                    assert_eq!(without_note(cells[3]), seeds_of(code), "{code}: seeds");
                    seed_codes_documented.push(code);
                }
                // The export table: a seed code with another call's message (given with
                // `ApiError::with_message`), or a code beyond the seeds with its messages.
                3 => {
                    if annotation.contains("seed code") {
                        assert!(code.is_from_seeds(), "{code} is marked a seed code");
                        continue;
                    }
                    assert!(!code.is_from_seeds(), "{code} is beyond the seeds");
                    let templates = documented.iter().filter(|m| m.starts_with('`'));
                    assert!(
                        templates.count() <= 1,
                        "{code}: one message template at most"
                    );
                    let documented: Vec<&str> = documented
                        .into_iter()
                        .filter(|m| !m.starts_with('`'))
                        .collect();
                    for message in &documented {
                        assert!(code.messages().contains(message), "{code}: {message:?}");
                    }
                    for message in code.messages() {
                        assert!(documented.contains(message), "{code}: {message:?}");
                    }
                    if annotation.contains("Tencent's code") {
                        assert_eq!(code.tencent_code().as_str(), code.as_str(), "{code}");
                    }
                    other_codes_documented.push(code);
                }
                n => panic!("{code}: a docs row of {n} cells"),
            }
        }
        // Every seed code has its one row; every code of the export, delete and cancel
        // tables has one too.
        for code in ErrorCode::iter() {
            let seeds = seed_codes_documented.iter().filter(|c| **c == code).count();
            assert_eq!(
                seeds,
                usize::from(code.is_from_seeds()),
                "{code}: seed table rows"
            );
            let export = [
                "`ExportImage`",
                "`ExportImages`",
                "`DeleteImage`",
                "`CancelTask`",
            ]
            .iter()
            .any(|clause| code.source().contains(clause));
            let others = other_codes_documented
                .iter()
                .filter(|c| **c == code)
                .count();
            assert_eq!(others, usize::from(export), "{code}: export table rows");
        }
    }

    #[test]
    fn the_source_says_whether_a_code_is_from_the_seeds() {
        for code in ErrorCode::iter() {
            assert_eq!(
                code.is_from_seeds(),
                !code.source().starts_with("beyond the seeds"),
                "{code}: {}",
                code.source()
            );
        }
    }
}
