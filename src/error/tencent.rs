//! Tencent Cloud CVM error codes, and which one answers each failure of the catalogue.
//!
//! The codes are those of the public `tencentcloud-sdk-go` repository
//! (`tencentcloud/cvm/v20170312/errors.go`, and the per-API lists in `client.go`), plus
//! Tencent Cloud API 3.0's common codes (`MissingParameter`, `InvalidAction`, …). English
//! messages are the SDK's international edition where it has one; where it has none they
//! are translations of the Chinese comment, marked *(translated)* below.
//!
//! The mapping from [`ErrorCode`](super::ErrorCode) is declared beside each code in the error
//! table and read with [`ErrorCode::tencent_code`](super::ErrorCode::tencent_code); it is this
//! crate's choice where Tencent documents no code for a rule, and each `ErrorCode` variant's
//! documentation names the Tencent code it gets:
//!
//! | Failure (Alibaba code) | Tencent code |
//! |---|---|
//! | image not found / not visible | `InvalidImageId.NotFound` |
//! | image not `Available` (`NORMAL`) | `InvalidImageId.IncorrectState` |
//! | image too large | `InvalidImageId.TooLarge` |
//! | region unknown | `InvalidRegion.NotFound` |
//! | region does not support copying | `InvalidRegion.Unavailable` |
//! | same region (custom image), other region (shared image) | `InvalidParameterValue.InvalidRegion` (the `DestinationRegions` value is not allowed for this image) |
//! | mainland China ↔ elsewhere without allow-list, marketplace image not published | `UnsupportedOperation.Region` |
//! | whole-machine image across regions | `InvalidParameter.InstanceImageNotSupport` |
//! | name duplicated | `InvalidImageName.Duplicate` |
//! | name/description malformed | `InvalidParameterValue` (`InvalidParameterValue.TooLong` for a name over 60 characters) |
//! | image quota | `ImageQuotaLimitExceeded` |
//! | snapshot quota | `LimitExceeded` |
//! | image busy (being copied) | `InvalidParameterValue.InvalidImageState` |
//! | public/system image | `InvalidParameterValue.InvalidImageId` |
//! | encrypted snapshots copied unencrypted | `UnsupportedOperation.EncryptedImagesNotSupported` |
//! | BYOK region / allow-list | `UnsupportedOperation.InvalidRegionDiskEncrypt` / `InvalidPermission` |
//! | KMS key missing / unauthorised | `InvalidParameterValue` / `UnauthorizedOperation` |
//! | share: unknown account / yourself / already shared with it | `InvalidAccountId.NotFound` / `InvalidAccountIs.YourSelf` / `FailedOperation.AccountAlreadyExists` |
//! | `CreateImage` naming an instance (instances are not modelled) | `InvalidInstanceId.NotFound` |
//! | `ImportImage`: `ImageUrl` not a URL | `InvalidParameter.InvalidParameterUrlError` |
//! | `ModifyImageAttribute` on an image shared from another account | `UnsupportedOperation.SharedImageModifyUnsupported` |
//! | `DescribeImageSharePermission` on an image the caller does not own | `UnauthorizedOperation.ImageNotBelongToAccount` |
//! | `DeleteImages` of an image shared with other accounts | `InvalidImageId.InShared` |
//! | export: not activated | `InvalidPermission` |
//! | export: public or marketplace image / shared image | `UnsupportedOperation.PublicImageExportUnsupported` / `UnsupportedOperation.SharedImageExportUnsupported` |
//! | export: Windows image | `UnsupportedOperation.WindowsImageExportUnsupported` |
//! | export: image not `NORMAL`, or being exported (also for delete) | `InvalidParameterValue.InvalidImageState` |
//! | export: bucket missing or in another region | `InvalidParameterValue.BucketNotFound` |
//! | export: more than 5 data disks / a disk over 500 GiB | `InvalidParameterValue.LimitExceeded` / `UnsupportedOperation.ImageTooLargeExportUnsupported` |
//! | export: prefix or format malformed | `InvalidParameterValue` |
//! | cancel an export: no such task / task over (Tencent has no cancel call; generic codes) | `InvalidParameterValue` / `UnsupportedOperation` |

use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

macro_rules! tencent_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $message:literal; )*) => {
        /// A Tencent Cloud CVM error code. `Display`, `AsRef<str>` and `FromStr` use the
        /// exact code string.
        ///
        /// ```
        /// use machine_image::{ApiError, ErrorCode, TencentCode};
        ///
        /// let code: TencentCode = "InvalidImageId.NotFound".parse()?;
        /// assert_eq!(code, TencentCode::InvalidImageIdNotFound);
        /// assert_eq!(code.message(), "The image cannot be found.");
        /// // The code Tencent answers for a failure of the catalogue:
        /// let quota = TencentCode::for_failure(ErrorCode::QuotaExceedImage);
        /// assert_eq!(quota.as_str(), "ImageQuotaLimitExceeded");
        /// assert_eq!(ApiError::new(ErrorCode::QuotaExceedImage).tencent(), quota);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            EnumString, IntoStaticStr, AsRefStr, EnumIter, Serialize, Deserialize,
        )]
        #[non_exhaustive]
        pub enum TencentCode {
            $(
                $(#[$doc])*
                #[strum(serialize = $code)]
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl TencentCode {
            /// The English message.
            pub fn message(self) -> &'static str {
                match self {
                    $( TencentCode::$variant => $message, )*
                }
            }
        }
    };
}

tencent_codes! {
    /// `AuthFailure.InvalidAuthorization`: no caller identity (*translated*).
    AuthFailureInvalidAuthorization = "AuthFailure.InvalidAuthorization",
        "The Authorization in the request header is not valid.";
    /// `FailedOperation.AccountAlreadyExists`.
    FailedOperationAccountAlreadyExists = "FailedOperation.AccountAlreadyExists",
        "The account already exists.";
    /// `ImageQuotaLimitExceeded`.
    ImageQuotaLimitExceeded = "ImageQuotaLimitExceeded", "The image quota has been exceeded.";
    /// `InternalError`.
    InternalError = "InternalError", "Internal error.";
    /// `InvalidAccountId.NotFound`.
    InvalidAccountIdNotFound = "InvalidAccountId.NotFound", "Invalid account ID.";
    /// `InvalidAccountIs.YourSelf`.
    InvalidAccountIsYourSelf = "InvalidAccountIs.YourSelf", "You cannot share images with yourself.";
    /// `InvalidAction` (common code, *translated*).
    InvalidAction = "InvalidAction", "The action does not exist.";
    /// `InvalidInstanceId.NotFound` (`CreateImage`).
    InvalidInstanceIdNotFound = "InvalidInstanceId.NotFound", "No instance found.";
    /// `InvalidImageId.IncorrectState`.
    InvalidImageIdIncorrectState = "InvalidImageId.IncorrectState", "Invalid image status.";
    /// `InvalidImageId.InShared`.
    InvalidImageIdInShared = "InvalidImageId.InShared", "The image is being shared.";
    /// `InvalidImageId.Malformed`.
    InvalidImageIdMalformed = "InvalidImageId.Malformed", "Invalid image ID format.";
    /// `InvalidImageId.NotFound`.
    InvalidImageIdNotFound = "InvalidImageId.NotFound", "The image cannot be found.";
    /// `InvalidImageId.TooLarge`.
    InvalidImageIdTooLarge = "InvalidImageId.TooLarge", "The image size exceeds the limit.";
    /// `InvalidImageName.Duplicate`.
    InvalidImageNameDuplicate = "InvalidImageName.Duplicate", "The specified image name already exists.";
    /// `InvalidParameter`.
    InvalidParameter = "InvalidParameter", "A parameter error occurred.";
    /// `InvalidParameter.InstanceImageNotSupport`.
    InvalidParameterInstanceImageNotSupport = "InvalidParameter.InstanceImageNotSupport",
        "This API does not support instance images.";
    /// `InvalidParameter.SnapshotNotFound` (*translated*).
    InvalidParameterSnapshotNotFound = "InvalidParameter.SnapshotNotFound",
        "The specified snapshot does not exist.";
    /// `InvalidParameter.InvalidParameterUrlError` (`ImportImage`: an `ImageUrl` that is no
    /// URL; `tencentcloud-sdk-go` `cvm/v20170312/errors.go:309`, listed for the call in
    /// `client.go:4723`; the message is the international edition's).
    InvalidParameterInvalidParameterUrlError = "InvalidParameter.InvalidParameterUrlError",
        "Invalid URL.";
    /// `InvalidParameterCombination` (*translated*).
    InvalidParameterCombination = "InvalidParameterCombination",
        "The parameter combination is invalid.";
    /// `InvalidParameterValue`.
    InvalidParameterValue = "InvalidParameterValue", "Incorrect parameter value.";
    /// `InvalidParameterValue.InvalidImageId`.
    InvalidParameterValueInvalidImageId = "InvalidParameterValue.InvalidImageId",
        "The image does not support this operation.";
    /// `InvalidParameterValue.InvalidImageState`.
    InvalidParameterValueInvalidImageState = "InvalidParameterValue.InvalidImageState",
        "Invalid image status.";
    /// `InvalidParameterValue.InvalidRegion` (*translated*).
    InvalidParameterValueInvalidRegion = "InvalidParameterValue.InvalidRegion",
        "The Region ID is unavailable.";
    /// `InvalidParameterValue.LimitExceeded`.
    InvalidParameterValueLimitExceeded = "InvalidParameterValue.LimitExceeded",
        "The number of parameter values exceeds the limit.";
    /// `InvalidParameterValue.TooLong`.
    InvalidParameterValueTooLong = "InvalidParameterValue.TooLong",
        "Invalid parameter value: parameter value is too long.";
    /// `InvalidPermission`.
    InvalidPermission = "InvalidPermission", "This operation is not supported for the account.";
    /// `InvalidRegion.NotFound`.
    InvalidRegionNotFound = "InvalidRegion.NotFound", "The region cannot be found.";
    /// `InvalidRegion.Unavailable`.
    InvalidRegionUnavailable = "InvalidRegion.Unavailable",
        "Currently this region does not support image synchronization.";
    /// `LimitExceeded` (common code, *translated*).
    LimitExceeded = "LimitExceeded", "The quota limit is exceeded.";
    /// `MissingParameter`.
    MissingParameter = "MissingParameter", "Missing parameter.";
    /// `OverQuota`.
    OverQuota = "OverQuota", "The number of shared images exceeds the quota.";
    /// `UnauthorizedOperation`.
    UnauthorizedOperation = "UnauthorizedOperation", "Unauthorized operation.";
    /// `UnauthorizedOperation.ImageNotBelongToAccount` (*translated*).
    UnauthorizedOperationImageNotBelongToAccount = "UnauthorizedOperation.ImageNotBelongToAccount",
        "The specified image does not belong to the user.";
    /// `UnknownParameter` (*translated*).
    UnknownParameter = "UnknownParameter", "Unknown parameter.";
    /// `UnsupportedOperation`.
    UnsupportedOperation = "UnsupportedOperation", "Unsupported operation.";
    /// `UnsupportedOperation.EncryptedImagesNotSupported` (*translated*).
    UnsupportedOperationEncryptedImagesNotSupported = "UnsupportedOperation.EncryptedImagesNotSupported",
        "Encrypted images are not supported.";
    /// `UnsupportedOperation.InvalidRegionDiskEncrypt` (*translated*).
    UnsupportedOperationInvalidRegionDiskEncrypt = "UnsupportedOperation.InvalidRegionDiskEncrypt",
        "The specified region does not support encrypted disks.";
    /// `UnsupportedOperation.SharedImageModifyUnsupported` (`ModifyImageAttribute` on an
    /// image shared from another account: `tencentcloud-sdk-go` `cvm/v20170312/errors.go:1224`,
    /// listed for the call in `client.go:6383`; *translated* from
    /// "从其他账号共享的镜像不支持修改属性。").
    UnsupportedOperationSharedImageModifyUnsupported = "UnsupportedOperation.SharedImageModifyUnsupported",
        "Images shared from other accounts do not support attribute modification.";
    /// `UnsupportedOperation.Region`.
    UnsupportedOperationRegion = "UnsupportedOperation.Region", "The region is unsupported.";
    /// `InvalidParameterValue.InvalidFileNamePrefixList` (`ExportImages`, *translated* from
    /// "参数 FileNamePrefixList 的长度与 ImageIds 或 SnapshotIds 不匹配。", the length of
    /// parameter FileNamePrefixList does not match ImageIds or SnapshotIds).
    InvalidParameterValueInvalidFileNamePrefixList = "InvalidParameterValue.InvalidFileNamePrefixList",
        "The length of FileNamePrefixList does not match ImageIds or SnapshotIds.";
    /// `InvalidParameterValue.BucketNotFound` (`ExportImages`, *translated* from
    /// "请确认存储桶是否存在。", please confirm whether the bucket exists).
    InvalidParameterValueBucketNotFound = "InvalidParameterValue.BucketNotFound",
        "Check that the bucket exists.";
    /// `UnsupportedOperation.WindowsImageExportUnsupported` (`ExportImages`, *translated* from
    /// "Windows镜像不支持导出。", Windows images do not support export).
    UnsupportedOperationWindowsImageExportUnsupported = "UnsupportedOperation.WindowsImageExportUnsupported",
        "Windows images cannot be exported.";
    /// `UnsupportedOperation.ImageTooLargeExportUnsupported` (`ExportImages`, *translated*
    /// from "镜像大小超出限制，不支持导出。", the image size exceeds the limit; export is not
    /// supported).
    UnsupportedOperationImageTooLargeExportUnsupported = "UnsupportedOperation.ImageTooLargeExportUnsupported",
        "The image size exceeds the limit and can't be exported.";
    /// `UnsupportedOperation.SharedImageExportUnsupported` (`ExportImages`, *translated* from
    /// "共享镜像不支持导出。", shared images do not support export).
    UnsupportedOperationSharedImageExportUnsupported = "UnsupportedOperation.SharedImageExportUnsupported",
        "Shared images cannot be exported.";
    /// `UnsupportedOperation.PublicImageExportUnsupported` (`ExportImages`, *translated* from
    /// "公共镜像或市场镜像不支持导出。", public images or marketplace images do not support
    /// export).
    UnsupportedOperationPublicImageExportUnsupported = "UnsupportedOperation.PublicImageExportUnsupported",
        "Public images and marketplace images cannot be exported.";
}

impl TencentCode {
    /// The exact code string.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for TencentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn codes_round_trip_through_strings() {
        for code in TencentCode::iter() {
            assert_eq!(code.as_str().parse::<TencentCode>().unwrap(), code);
            assert!(!code.message().is_empty());
        }
    }
}
