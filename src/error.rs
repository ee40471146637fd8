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
//! | `InternalError` | 500 | The request processing has failed due to some unknown error, exception or failure. / The request processing has failed due to some unknown error. | 004 (the first message at 500; the second, like 003, at 403) |
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

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

use crate::provider::Provider;
use crate::tencent::TencentCode;

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
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumString,
    IntoStaticStr,
    AsRefStr,
    EnumIter,
    Serialize,
    Deserialize,
)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `InvalidAliUid.IsNull` (401): the caller's account id is missing.
    #[strum(serialize = "InvalidAliUid.IsNull")]
    #[serde(rename = "InvalidAliUid.IsNull")]
    InvalidAliUidIsNull,
    /// `InvalidImageName.Malformed` (400): the image name breaks the naming rules.
    #[strum(serialize = "InvalidImageName.Malformed")]
    #[serde(rename = "InvalidImageName.Malformed")]
    InvalidImageNameMalformed,
    /// `Forbbiden` (403, the provider's spelling): not allowed on this resource.
    #[strum(serialize = "Forbbiden")]
    #[serde(rename = "Forbbiden")]
    Forbbiden,
    /// `InvalidDescription.Malformed` (400): the description breaks its rules.
    #[strum(serialize = "InvalidDescription.Malformed")]
    #[serde(rename = "InvalidDescription.Malformed")]
    InvalidDescriptionMalformed,
    /// `SourceRegion.NotFound` (400): the source region is unknown.
    #[strum(serialize = "SourceRegion.NotFound")]
    #[serde(rename = "SourceRegion.NotFound")]
    SourceRegionNotFound,
    /// `DestinationRegion.NotFound` (400): the destination region is unknown.
    #[strum(serialize = "DestinationRegion.NotFound")]
    #[serde(rename = "DestinationRegion.NotFound")]
    DestinationRegionNotFound,
    /// `InvalidImageId.NotFound` (404): no such image visible to the caller.
    #[strum(serialize = "InvalidImageId.NotFound")]
    #[serde(rename = "InvalidImageId.NotFound")]
    InvalidImageIdNotFound,
    /// `IncorrectImageStatus` (400): the image is not `Available`.
    #[strum(serialize = "IncorrectImageStatus")]
    #[serde(rename = "IncorrectImageStatus")]
    IncorrectImageStatus,
    /// `InvalidSnapshotId.NotFound` (400): a snapshot behind the image is missing.
    #[strum(serialize = "InvalidSnapshotId.NotFound")]
    #[serde(rename = "InvalidSnapshotId.NotFound")]
    InvalidSnapshotIdNotFound,
    /// `InvalidImageName.Duplicated` (400): the caller already has an image of that name there.
    #[strum(serialize = "InvalidImageName.Duplicated")]
    #[serde(rename = "InvalidImageName.Duplicated")]
    InvalidImageNameDuplicated,
    /// `QuotaExceed.Image` (403): the custom image quota is used up.
    #[strum(serialize = "QuotaExceed.Image")]
    #[serde(rename = "QuotaExceed.Image")]
    QuotaExceedImage,
    /// `QuotaExceed.Snapshot` (403): the snapshot quota is used up.
    #[strum(serialize = "QuotaExceed.Snapshot")]
    #[serde(rename = "QuotaExceed.Snapshot")]
    QuotaExceedSnapshot,
    /// `OperationDenied.ImageCopying` (403): the image is being copied.
    #[strum(serialize = "OperationDenied.ImageCopying")]
    #[serde(rename = "OperationDenied.ImageCopying")]
    OperationDeniedImageCopying,
    /// `RegionNotSupportCopy` (403): a region of the pair does not support copying.
    #[strum(serialize = "RegionNotSupportCopy")]
    #[serde(rename = "RegionNotSupportCopy")]
    RegionNotSupportCopy,
    /// `InvalidSnapshot.TooOld` (403): a snapshot predates 2013-07-15.
    #[strum(serialize = "InvalidSnapshot.TooOld")]
    #[serde(rename = "InvalidSnapshot.TooOld")]
    InvalidSnapshotTooOld,
    /// `OperationDenied` (403): the snapshot may not be used to create an image.
    #[strum(serialize = "OperationDenied")]
    #[serde(rename = "OperationDenied")]
    OperationDenied,
    /// `IncorrectDestinationRegion` (403): destination equals source.
    #[strum(serialize = "IncorrectDestinationRegion")]
    #[serde(rename = "IncorrectDestinationRegion")]
    IncorrectDestinationRegion,
    /// `SizeExceed.Image` (403): the image is above the maximum size for this account.
    #[strum(serialize = "SizeExceed.Image")]
    #[serde(rename = "SizeExceed.Image")]
    SizeExceedImage,
    /// `OperationDeined.EncryptedSnapshot` (403, the provider's spelling): encrypted snapshots
    /// can only be copied encrypted.
    #[strum(serialize = "OperationDeined.EncryptedSnapshot")]
    #[serde(rename = "OperationDeined.EncryptedSnapshot")]
    OperationDeinedEncryptedSnapshot,
    /// `InternalError` (500 per [seed 004](crate::sources#seed-004)): an unexpected failure.
    #[strum(serialize = "InternalError")]
    #[serde(rename = "InternalError")]
    InternalError,
    /// `OperationDenied.SameRegionOnly` (403): a shared image can only be copied in its region.
    #[strum(serialize = "OperationDenied.SameRegionOnly")]
    #[serde(rename = "OperationDenied.SameRegionOnly")]
    OperationDeniedSameRegionOnly,
    /// `OperationDenied.NotPublished` (403): the marketplace image is not published there.
    #[strum(serialize = "OperationDenied.NotPublished")]
    #[serde(rename = "OperationDenied.NotPublished")]
    OperationDeniedNotPublished,
    /// `InvalidParameter.KMSKeyId.NotFound` (404): no such key for the caller in the region.
    #[strum(serialize = "InvalidParameter.KMSKeyId.NotFound")]
    #[serde(rename = "InvalidParameter.KMSKeyId.NotFound")]
    InvalidParameterKmsKeyIdNotFound,
    /// `InvalidParameter.KMSKeyId.KMSUnauthorized` (403): the image service may not use the key.
    #[strum(serialize = "InvalidParameter.KMSKeyId.KMSUnauthorized")]
    #[serde(rename = "InvalidParameter.KMSKeyId.KMSUnauthorized")]
    InvalidParameterKmsKeyIdKmsUnauthorized,
    /// `InvalidRegion.NotSupport` (403): the region does not support bring-your-own-key.
    #[strum(serialize = "InvalidRegion.NotSupport")]
    #[serde(rename = "InvalidRegion.NotSupport")]
    InvalidRegionNotSupport,
    /// `UserNotInTheWhiteList` (403): the account is not allow-listed for BYOK.
    #[strum(serialize = "UserNotInTheWhiteList")]
    #[serde(rename = "UserNotInTheWhiteList")]
    UserNotInTheWhiteList,
    /// `InvalidParameter.EncryptedIllegal` (400): a key was given with `Encrypted` false.
    #[strum(serialize = "InvalidParameter.EncryptedIllegal")]
    #[serde(rename = "InvalidParameter.EncryptedIllegal")]
    InvalidParameterEncryptedIllegal,

    // ---- beyond the seeds -------------------------------------------------------------
    /// `IdempotentParameterMismatch` (400, beyond the seeds): a client token reused with
    /// other parameters.
    #[strum(serialize = "IdempotentParameterMismatch")]
    #[serde(rename = "IdempotentParameterMismatch")]
    IdempotentParameterMismatch,
    /// `InvalidTagKey.Malformed` (400, beyond the seeds): a tag key breaks its rules.
    #[strum(serialize = "InvalidTagKey.Malformed")]
    #[serde(rename = "InvalidTagKey.Malformed")]
    InvalidTagKeyMalformed,
    /// `InvalidTagValue.Malformed` (400, beyond the seeds): a tag value breaks its rules.
    #[strum(serialize = "InvalidTagValue.Malformed")]
    #[serde(rename = "InvalidTagValue.Malformed")]
    InvalidTagValueMalformed,
    /// `InvalidTagCount` (400, beyond the seeds): more than 20 tags.
    #[strum(serialize = "InvalidTagCount")]
    #[serde(rename = "InvalidTagCount")]
    InvalidTagCount,
    /// `Duplicate.TagKey` (400, beyond the seeds): a tag key given twice.
    #[strum(serialize = "Duplicate.TagKey")]
    #[serde(rename = "Duplicate.TagKey")]
    DuplicateTagKey,
    /// `InvalidRegionId.NotFound` (404, beyond the seeds): the region of the call is unknown.
    #[strum(serialize = "InvalidRegionId.NotFound")]
    #[serde(rename = "InvalidRegionId.NotFound")]
    InvalidRegionIdNotFound,
    /// `InvalidAccount.NotFound` (404, beyond the seeds): an account id to share with is
    /// unknown or malformed.
    #[strum(serialize = "InvalidAccount.NotFound")]
    #[serde(rename = "InvalidAccount.NotFound")]
    InvalidAccountNotFound,
    /// `ImageCreatedNotFromCopy` (400, beyond the seeds, Alibaba `CancelCopyImage`): the image
    /// is not the target image of a copy.
    #[strum(serialize = "ImageCreatedNotFromCopy")]
    #[serde(rename = "ImageCreatedNotFromCopy")]
    ImageCreatedNotFromCopy,
    /// `InvalidAccount.Forbbiden` (403, beyond the seeds, Alibaba
    /// `ModifyImageSharePermission`): an image shared with its own owner.
    #[strum(serialize = "InvalidAccount.Forbbiden")]
    #[serde(rename = "InvalidAccount.Forbbiden")]
    InvalidAccountForbbiden,
    /// `InvalidParameter.InstanceImageNotSupport` (403, beyond the seeds; Tencent's code, used
    /// in both renderings): a whole-machine image can't be copied to another region ([seed 000](crate::sources#seed-000)).
    #[strum(serialize = "InvalidParameter.InstanceImageNotSupport")]
    #[serde(rename = "InvalidParameter.InstanceImageNotSupport")]
    InstanceImageNotSupport,
    /// `InvalidParameter` (400, beyond the seeds): a parameter has a wrong type or form.
    #[strum(serialize = "InvalidParameter")]
    #[serde(rename = "InvalidParameter")]
    InvalidParameter,
    /// `MissingParameter` (400, beyond the seeds): a required parameter is absent.
    #[strum(serialize = "MissingParameter")]
    #[serde(rename = "MissingParameter")]
    MissingParameter,
    /// `InvalidAction.NotFound` (404, beyond the seeds): no such API action.
    #[strum(serialize = "InvalidAction.NotFound")]
    #[serde(rename = "InvalidAction.NotFound")]
    InvalidActionNotFound,

    // ---- beyond the seeds: export (Alibaba `ExportImage`/`DeleteImage` tables; see
    // crate::export for the choice of each)
    /// `InvalidOSSBucket.NotFound` (400, beyond the seeds, Alibaba `ExportImage`): no such
    /// bucket in the image's region.
    #[strum(serialize = "InvalidOSSBucket.NotFound")]
    #[serde(rename = "InvalidOSSBucket.NotFound")]
    InvalidOssBucketNotFound,
    /// `InvalidOSSPrefix.Malformed` (400, beyond the seeds, Alibaba `ExportImage`): the
    /// file-name prefix breaks its rule.
    #[strum(serialize = "InvalidOSSPrefix.Malformed")]
    #[serde(rename = "InvalidOSSPrefix.Malformed")]
    InvalidOssPrefixMalformed,
    /// `InvalidImageFormat.Malformed` (400, beyond the seeds, Alibaba `ExportImage`): an
    /// export format the provider does not offer.
    #[strum(serialize = "InvalidImageFormat.Malformed")]
    #[serde(rename = "InvalidImageFormat.Malformed")]
    InvalidImageFormatMalformed,
    /// `InvalidImage.DiskAmountOrSize` (400, beyond the seeds, Alibaba `ExportImage`): too
    /// many data disks or a disk too large to export.
    #[strum(serialize = "InvalidImage.DiskAmountOrSize")]
    #[serde(rename = "InvalidImage.DiskAmountOrSize")]
    InvalidImageDiskAmountOrSize,
    /// `ImageNotSupported` (403, beyond the seeds, Alibaba `ExportImage`): a marketplace
    /// image can't be exported.
    #[strum(serialize = "ImageNotSupported")]
    #[serde(rename = "ImageNotSupported")]
    ImageNotSupported,
    /// `ImageIsExporting` (403, beyond the seeds, Alibaba `DeleteImage` and `ExportImage`): the
    /// image is being exported.
    #[strum(serialize = "ImageIsExporting")]
    #[serde(rename = "ImageIsExporting")]
    ImageIsExporting,
    /// `InvalidImageCategory.NotSupported` (403, beyond the seeds, Alibaba `ExportImage`): the
    /// image's category (public, shared) can't be exported.
    #[strum(serialize = "InvalidImageCategory.NotSupported")]
    #[serde(rename = "InvalidImageCategory.NotSupported")]
    InvalidImageCategoryNotSupported,
    /// `UnsupportedOperation.WindowsImageExportUnsupported` (403, beyond the seeds; Tencent's
    /// code, used in both renderings as Alibaba documents none): a Windows image can't be
    /// exported ([seed 002](crate::sources#seed-002)).
    #[strum(serialize = "UnsupportedOperation.WindowsImageExportUnsupported")]
    #[serde(rename = "UnsupportedOperation.WindowsImageExportUnsupported")]
    WindowsImageExportUnsupported,
    /// `InvalidTaskId.NotFound` (400, beyond the seeds, Alibaba `CancelTask`): no such task of
    /// the caller.
    #[strum(serialize = "InvalidTaskId.NotFound")]
    #[serde(rename = "InvalidTaskId.NotFound")]
    InvalidTaskIdNotFound,
    /// `InvalidTaskId.IncorrectTaskStatus` (403, beyond the seeds, Alibaba `CancelTask`): the
    /// task is over and can't be cancelled.
    #[strum(serialize = "InvalidTaskId.IncorrectTaskStatus")]
    #[serde(rename = "InvalidTaskId.IncorrectTaskStatus")]
    InvalidTaskIdIncorrectTaskStatus,
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

    /// The HTTP status the provider answers with ([seed 004](crate::sources#seed-004) where the tables differ).
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidAliUidIsNull => 401,
            InvalidImageIdNotFound
            | InvalidParameterKmsKeyIdNotFound
            | InvalidRegionIdNotFound
            | InvalidAccountNotFound
            | InvalidActionNotFound => 404,
            InternalError => 500,
            InvalidImageNameMalformed
            | InvalidDescriptionMalformed
            | SourceRegionNotFound
            | DestinationRegionNotFound
            | IncorrectImageStatus
            | InvalidSnapshotIdNotFound
            | InvalidImageNameDuplicated
            | InvalidParameterEncryptedIllegal
            | IdempotentParameterMismatch
            | InvalidTagKeyMalformed
            | InvalidTagValueMalformed
            | InvalidTagCount
            | DuplicateTagKey
            | ImageCreatedNotFromCopy
            | InvalidParameter
            | MissingParameter
            | InvalidOssBucketNotFound
            | InvalidOssPrefixMalformed
            | InvalidImageFormatMalformed
            | InvalidImageDiskAmountOrSize
            | InvalidTaskIdNotFound => 400,
            Forbbiden
            | QuotaExceedImage
            | QuotaExceedSnapshot
            | OperationDeniedImageCopying
            | RegionNotSupportCopy
            | InvalidSnapshotTooOld
            | OperationDenied
            | IncorrectDestinationRegion
            | SizeExceedImage
            | OperationDeinedEncryptedSnapshot
            | OperationDeniedSameRegionOnly
            | OperationDeniedNotPublished
            | InvalidParameterKmsKeyIdKmsUnauthorized
            | InvalidRegionNotSupport
            | UserNotInTheWhiteList
            | InvalidAccountForbbiden
            | InstanceImageNotSupport
            | ImageNotSupported
            | ImageIsExporting
            | InvalidImageCategoryNotSupported
            | WindowsImageExportUnsupported
            | InvalidTaskIdIncorrectTaskStatus => 403,
        }
    }

    /// Every English message the provider gives for this code, verbatim; the first is the
    /// one used when no [`Parameter`] chooses otherwise.
    pub fn messages(self) -> &'static [&'static str] {
        use ErrorCode::*;
        match self {
            InvalidAliUidIsNull => &["The aliUid must not be null"],
            InvalidImageNameMalformed => &[
                "The specified destination Image name is wrongly formed.",
                "The specified Image name is wrongly formed.",
            ],
            Forbbiden => &["User not authorized to operate on the specified resource."],
            InvalidDescriptionMalformed => &[
                "The specified destination description is wrongly formed.",
                "The specified description is wrongly formed.",
            ],
            SourceRegionNotFound => &["The source region not found"],
            DestinationRegionNotFound => &["The destination region not found"],
            InvalidImageIdNotFound => &["The specified ImageId does not exist."],
            IncorrectImageStatus => &["The image not available."],
            InvalidSnapshotIdNotFound => &["The specified SnapshotId does not exist."],
            InvalidImageNameDuplicated => &["The destination image is exist."],
            QuotaExceedImage => &["The Image Quota exceeds."],
            QuotaExceedSnapshot => &["The snapshot quota exceeds."],
            OperationDeniedImageCopying => &["The Image are coping."],
            RegionNotSupportCopy => &["The region not support copy."],
            InvalidSnapshotTooOld => &[
                "This operation is denied because the specified snapshot is created before 2013-07-15.",
            ],
            OperationDenied => &["The specified snapshot is not allowed to create image."],
            IncorrectDestinationRegion => {
                &["The destination region is not equal the target region."]
            }
            SizeExceedImage => &[
                "The image exceeds the maximum size. Please open a ticket to add the account to the white list.",
            ],
            OperationDeinedEncryptedSnapshot => {
                &["The image contains encrypted snapshots, which do not support copying."]
            }
            InternalError => &[
                "The request processing has failed due to some unknown error, exception or failure.",
                "The request processing has failed due to some unknown error.",
            ],
            OperationDeniedSameRegionOnly => {
                &["The image shared from others can not be copied to another region directly."]
            }
            OperationDeniedNotPublished => &[
                "The operation is denied because corresponding marketplace image is not published in destination region.",
            ],
            InvalidParameterKmsKeyIdNotFound => &["The specified KMSKeyId does not exist."],
            InvalidParameterKmsKeyIdKmsUnauthorized => {
                &["ECS service have no right to access your KMS."]
            }
            InvalidRegionNotSupport => &["The specified region does not support byok."],
            UserNotInTheWhiteList => &["The user is not in byok white list."],
            InvalidParameterEncryptedIllegal => {
                &["The specified parameter Encrypted must be true when kmsKeyId is not empty."]
            }
            IdempotentParameterMismatch => &[
                "Request uses a client token in a previous request but is not identical to that request.",
            ],
            InvalidTagKeyMalformed => &["The specified Tag.n.Key is not valid."],
            InvalidTagValueMalformed => &["The specified Tag.n.Value is not valid."],
            InvalidTagCount => &["The specified tags are beyond the permitted range."],
            DuplicateTagKey => &["The Tag.N.Key contain duplicate key."],
            InvalidRegionIdNotFound => &["The specified RegionId does not exist."],
            InvalidAccountNotFound => {
                &["The specified parameter \"AddAccount.n\" or \"RemoveAccount.n\" does not exist."]
            }
            ImageCreatedNotFromCopy => {
                &["The specified image is not the target image of a copy action."]
            }
            InvalidAccountForbbiden => &["The specified Account does not yourself."],
            InstanceImageNotSupport => &["This API does not support instance images."],
            InvalidParameter => &["The specified parameter is not valid."],
            MissingParameter => &[
                "The input parameter that is mandatory for processing this request is not supplied.",
            ],
            InvalidActionNotFound => {
                &["Specified api is not found, please check your url and method."]
            }
            InvalidOssBucketNotFound => {
                &["The specified OSS bucket does not exist in this region."]
            }
            InvalidOssPrefixMalformed => &["The specified OSSPrefix format is wrongly formed."],
            InvalidImageFormatMalformed => &["The specified Image Format is wrongly formed."],
            InvalidImageDiskAmountOrSize => {
                &["The diskSize of the image exceeds the maximum size."]
            }
            ImageNotSupported => {
                &["The specified image from the image market, do not support export image."]
            }
            ImageIsExporting => &[
                "The specified Image is exporting. Please cancel task first.",
                "The specified Image is being exported. You can use the DescribeTasks API to check the status of existing tasks.",
            ],
            InvalidImageCategoryNotSupported => &["The specified image category is not supported."],
            WindowsImageExportUnsupported => &["Windows images cannot be exported."],
            InvalidTaskIdNotFound => &["The specified \"TaskId\" is not found."],
            InvalidTaskIdIncorrectTaskStatus => &["The specified task status is not invalid."],
        }
    }

    /// The default English message (the first of [`ErrorCode::messages`]).
    pub fn message(self) -> &'static str {
        self.messages()[0]
    }

    /// The message for a failure of `parameter`: for the codes the tables give twice, the
    /// one naming that parameter (`ImageName` → "The specified Image name is wrongly formed.").
    pub fn message_for(self, parameter: Parameter) -> &'static str {
        use ErrorCode::*;
        match (self, parameter) {
            (InvalidImageNameMalformed, Parameter::ImageName)
            | (InvalidDescriptionMalformed, Parameter::Description) => self.messages()[1],
            _ => self.message(),
        }
    }

    /// Whether the code is in the seed tables ([003](crate::sources#seed-003)/[004](crate::sources#seed-004)) rather than added by this crate.
    pub fn is_from_seeds(self) -> bool {
        use ErrorCode::*;
        !matches!(
            self,
            IdempotentParameterMismatch
                | InvalidTagKeyMalformed
                | InvalidTagValueMalformed
                | InvalidTagCount
                | DuplicateTagKey
                | InvalidRegionIdNotFound
                | InvalidAccountNotFound
                | ImageCreatedNotFromCopy
                | InvalidAccountForbbiden
                | InstanceImageNotSupport
                | InvalidParameter
                | MissingParameter
                | InvalidActionNotFound
                | InvalidOssBucketNotFound
                | InvalidOssPrefixMalformed
                | InvalidImageFormatMalformed
                | InvalidImageDiskAmountOrSize
                | ImageNotSupported
                | ImageIsExporting
                | InvalidImageCategoryNotSupported
                | WindowsImageExportUnsupported
                | InvalidTaskIdNotFound
                | InvalidTaskIdIncorrectTaskStatus
        )
    }

    /// The code Tencent Cloud CVM answers for the same failure (see [`TencentCode`]).
    pub fn tencent_code(self) -> TencentCode {
        TencentCode::for_failure(self)
    }

    /// The code in `provider`'s rendering.
    pub fn code_for(self, provider: Provider) -> &'static str {
        match provider {
            Provider::Alibaba => self.as_str(),
            Provider::Tencent => self.tencent_code().as_str(),
        }
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
pub const SEED_CATALOGUE: &[CatalogueEntry] = &{
    use ErrorCode::*;
    const fn row(
        code: ErrorCode,
        http_status: u16,
        message: &'static str,
        seeds: &'static str,
    ) -> CatalogueEntry {
        CatalogueEntry {
            code,
            http_status,
            message,
            seeds,
        }
    }
    [
        row(
            InvalidAliUidIsNull,
            401,
            "The aliUid must not be null",
            "003, 004",
        ),
        row(
            InvalidImageNameMalformed,
            400,
            "The specified Image name is wrongly formed.",
            "003, 004",
        ),
        row(
            Forbbiden,
            403,
            "User not authorized to operate on the specified resource.",
            "003, 004",
        ),
        row(
            InvalidImageNameMalformed,
            400,
            "The specified destination Image name is wrongly formed.",
            "003, 004",
        ),
        row(
            InvalidDescriptionMalformed,
            400,
            "The specified destination description is wrongly formed.",
            "003, 004",
        ),
        row(
            InvalidDescriptionMalformed,
            400,
            "The specified description is wrongly formed.",
            "003, 004",
        ),
        row(
            SourceRegionNotFound,
            400,
            "The source region not found",
            "003, 004",
        ),
        row(
            DestinationRegionNotFound,
            400,
            "The destination region not found",
            "003, 004",
        ),
        row(
            InvalidImageIdNotFound,
            404,
            "The specified ImageId does not exist.",
            "003, 004",
        ),
        row(
            IncorrectImageStatus,
            400,
            "The image not available.",
            "003, 004",
        ),
        row(
            InvalidSnapshotIdNotFound,
            400,
            "The specified SnapshotId does not exist.",
            "003, 004",
        ),
        row(
            InvalidImageNameDuplicated,
            400,
            "The destination image is exist.",
            "003, 004",
        ),
        row(
            QuotaExceedImage,
            403,
            "The Image Quota exceeds.",
            "003, 004",
        ),
        row(
            QuotaExceedSnapshot,
            403,
            "The snapshot quota exceeds.",
            "003, 004",
        ),
        row(
            OperationDeniedImageCopying,
            403,
            "The Image are coping.",
            "003, 004",
        ),
        row(
            RegionNotSupportCopy,
            403,
            "The region not support copy.",
            "003, 004",
        ),
        row(
            InvalidSnapshotTooOld,
            403,
            "This operation is denied because the specified snapshot is created before 2013-07-15.",
            "003, 004",
        ),
        row(
            OperationDenied,
            403,
            "The specified snapshot is not allowed to create image.",
            "003, 004",
        ),
        row(
            IncorrectDestinationRegion,
            403,
            "The destination region is not equal the target region.",
            "003, 004",
        ),
        row(
            SizeExceedImage,
            403,
            "The image exceeds the maximum size. Please open a ticket to add the account to the white list.",
            "003, 004",
        ),
        row(
            OperationDeinedEncryptedSnapshot,
            403,
            "The image contains encrypted snapshots, which do not support copying.",
            "003, 004",
        ),
        row(
            InternalError,
            500,
            "The request processing has failed due to some unknown error.",
            "003, 004",
        ),
        row(
            OperationDeniedSameRegionOnly,
            403,
            "The image shared from others can not be copied to another region directly.",
            "003, 004",
        ),
        row(
            OperationDeniedNotPublished,
            403,
            "The operation is denied because corresponding marketplace image is not published in destination region.",
            "004",
        ),
        row(
            InvalidParameterKmsKeyIdNotFound,
            404,
            "The specified KMSKeyId does not exist.",
            "004",
        ),
        row(
            InvalidParameterKmsKeyIdKmsUnauthorized,
            403,
            "ECS service have no right to access your KMS.",
            "004",
        ),
        row(
            InternalError,
            500,
            "The request processing has failed due to some unknown error, exception or failure.",
            "004",
        ),
        row(
            InvalidRegionNotSupport,
            403,
            "The specified region does not support byok.",
            "004",
        ),
        row(
            UserNotInTheWhiteList,
            403,
            "The user is not in byok white list.",
            "004",
        ),
        row(
            InvalidParameterEncryptedIllegal,
            400,
            "The specified parameter Encrypted must be true when kmsKeyId is not empty.",
            "004",
        ),
    ]
};

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
}
