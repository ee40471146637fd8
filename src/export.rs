//! Export of a custom image to an object-storage bucket (Tencent COS `ExportImages`, [seed 002](crate::sources#seed-002);
//! Alibaba OSS `ExportImage`): the request, the rules with their provider codes, the names of
//! the objects written, and the export task's states.
//!
//! # Rules (check order of [`check_export`]; the first failure wins, stable)
//! Finding the image (`InvalidImageId.NotFound` when it is not in the region or not visible to
//! the caller) is the engine's lookup and comes first; then:
//!
//! | # | Rule ([seed 002](crate::sources#seed-002) clause) | [`ExportError`] | Alibaba (HTTP) | Tencent |
//! |---|---|---|---|---|
//! | 1 | the account has export activated: "現在、この機能を使用するには申請が必要です" (the feature must be applied for) | `NotEnabled` | `UserNotInTheWhiteList` (403), "The user is not in the white list of exporting image." | `InvalidPermission` |
//! | 2 | only custom images: "作成済みのカスタムイメージの…エクスポートをサポート" (exporting *created custom images*): not public | `PublicImage` | `InvalidImageCategory.NotSupported` (403) | `UnsupportedOperation.PublicImageExportUnsupported` |
//! | 2 | … not marketplace | `MarketplaceImage` | `ImageNotSupported` (403), "The specified image from the image market, do not support export image." | `UnsupportedOperation.PublicImageExportUnsupported` |
//! | 2 | … only one's own, not shared | `SharedImage` | `InvalidImageCategory.NotSupported` (403) | `UnsupportedOperation.SharedImageExportUnsupported` |
//! | 3 | "現時点ではWindowsカスタムイメージのエクスポートはサポートしていません" (exporting Windows custom images is not supported at present) | `Windows` | `UnsupportedOperation.WindowsImageExportUnsupported` (403; Tencent's code in both renderings) | `UnsupportedOperation.WindowsImageExportUnsupported` |
//! | 4 | the image is `Available` (`NORMAL`) | `NotAvailable` | `IncorrectImageStatus` (400), "The specified Image is not available." | `InvalidParameterValue.InvalidImageState` |
//! | 5 | not already being exported | `AlreadyExporting` | `ImageIsExporting` (403), "The specified Image is being exported. …" | `InvalidParameterValue.InvalidImageState` |
//! | 6 | "カスタムイメージの存在するリージョンでバケットを作成済みであること" (a bucket exists in the image's region; the caller's own: the seed's consent is to write to "私のCOS Bucket", *my* bucket, so another account's bucket counts as absent) | `BucketNotFound`, `BucketInOtherRegion` | `InvalidOSSBucket.NotFound` (400), "The specified OSS bucket does not exist in this region." | `InvalidParameterValue.BucketNotFound` |
//! | 7 | "フルマシンのイメージをエクスポートする場合、データディスクは5個以下でなければなりません" (when exporting a whole-machine image, it must have 5 data disks or fewer) | `TooManyDataDisks` | `InvalidImage.DiskAmountOrSize` (400) | `InvalidParameterValue.LimitExceeded` |
//! | 8 | "システムディスクおよびデータディスク1個あたりの容量は500GB以下でなければなりません" (the system disk and each data disk must be 500 GB or less) | `DiskTooLarge` | `InvalidImage.DiskAmountOrSize` (400), "The diskSize of the image exceeds the maximum size." | `UnsupportedOperation.ImageTooLargeExportUnsupported` |
//!
//! Parameters are checked before the rules, when the request is built: the prefix
//! ([`ObjectPrefix::parse_for`]: Alibaba `InvalidOSSPrefix.Malformed`, Tencent
//! `InvalidParameterValue`), the format ([`ExportFormat::parse_for`]: Alibaba
//! `InvalidImageFormat.Malformed`, Tencent `InvalidParameterValue`) and the bucket name
//! ([`BucketName::new`]: `InvalidParameter`).
//!
//! ## Why these codes
//! - Tencent: every code but two is in the `ExportImages` error list of `tencentcloud-sdk-go`
//!   (`client.go`), with the meaning its `errors.go` comment gives (Windows, too large,
//!   shared, public-or-marketplace, bucket not found, image busy, too many values).
//!   `InvalidParameterValue.BucketNotFound` ("请确认存储桶是否存在", please confirm whether the bucket exists) is the only bucket code
//!   Tencent has, so a bucket in another region answers it too: from the image's region the
//!   bucket can't be found. For more than 5 data disks Tencent lists no dedicated code;
//!   `InvalidParameterValue.LimitExceeded` ("参数值数量超过限制", the number of parameter values exceeds the limit) is the
//!   listed one that fits a count. For the allow-list, the listed codes concern the CAM
//!   role and the bucket's write permission, not the account's activation; `InvalidPermission`
//!   ("This operation is not supported for the account.") is CVM's code for exactly that, and
//!   the crate already answers it for Alibaba's other allow-list (`UserNotInTheWhiteList`,
//!   BYOK).
//! - Alibaba: the codes are those of the `ExportImage` error table (`UserNotInTheWhiteList`,
//!   `InvalidImageCategory.NotSupported` for an image whose category or `ImageOwnerAlias`
//!   does not allow the operation, `ImageNotSupported` for a marketplace image,
//!   `IncorrectImageStatus`, `ImageIsExporting`, `InvalidOSSBucket.NotFound` — "does not exist
//!   *in this region*", so it covers the bucket elsewhere — and `InvalidImage.DiskAmountOrSize`
//!   for both the count and the size), with their messages verbatim; the count case fills
//!   the table's `%s` message. Alibaba documents no code for a Windows image (its own export
//!   accepts them); the crate answers Tencent's code in both renderings, as it does for
//!   whole-machine images (`InvalidParameter.InstanceImageNotSupport`).
//!
//! ## Limits
//! - **500 GB is taken as 500 GiB.** Sizes in this crate are GiB (Tencent's CBS and Alibaba's
//!   disks are sized in binary units although the consoles print "GB"), and Alibaba's
//!   `ExportImage` states its own limit as "500 GiB". A disk of 500 GiB is exported; 501 GiB
//!   is refused.
//! - **5 data disks** ([seed 002](crate::sources#seed-002)). Alibaba's own documentation says 4; the crate follows the
//!   seed on both providers ([`MAX_DATA_DISKS`]).
//! - A system-disk-only export (Tencent `OnlyExportRootDisk`) writes only the system disk, so
//!   only that disk's size is checked and the data disks are not counted.
//!
//! Not modelled (no seed rule): encrypted images, images created from marketplace images
//! (`UnsupportedOperation.MarketImageExportUnsupported`), RedHat images, the CAM/RAM role
//! and the bucket's write permission. [Seed 002](crate::sources#seed-002)'s other prerequisite, "COSサービスを
//! アクティブ化していること" (the COS service has been activated), is taken as met whenever the caller has a
//! bucket: a bucket can only exist in an activated COS.
//!
//! # Object names
//! [Seed 002](crate::sources#seed-002): the exported file is named "`カスタムプレフィックス名_xvda.raw`" (custom prefix
//! name, then `_xvda.raw`). Disk `n` (0 the system disk, then the data disks in the image's order) is
//! named `<prefix>_<device>.<extension>`, the device being Xen's name for the `n`th disk:
//! `xvda`, `xvdb`, … `xvdz`, then `xvdaa`, `xvdab`, … ([`device_name`]). So a whole-machine
//! export of an image with two data disks and prefix `web` in `raw` writes `web_xvda.raw`,
//! `web_xvdb.raw` and `web_xvdc.raw`. The extension is the format's lowercase name
//! (`raw`, `qcow2`, `vhd`, `vmdk`, `vdi`); the seed only shows `raw`.
//!
//! # Task states
//! An export task moves through the states every task shares ([`crate::task`]):
//! `Queued → Running → Succeeded | Failed | Cancelled`, cancellable while queued or running;
//! every other move is refused with an [`ExportTransitionError`].

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::id::{AccountId, ImageId, SnapshotId};
use crate::image::{Image, ImageStatus, OwnerAlias, Platform};
use crate::newtype::string_newtype_impls;
use crate::provider::Provider;
use crate::region::RegionId;
use crate::snapshot::Snapshot;
use crate::task::Lifecycle;

use std::borrow::Borrow;
use std::str::FromStr;

/// The largest disk, in GiB, that can be exported ([seed 002](crate::sources#seed-002): "500GB以下", 500 GB or less; see the module docs
/// for GB vs GiB).
pub const MAX_DISK_GIB: u64 = 500;

/// The most data disks a whole-machine export may have ([seed 002](crate::sources#seed-002): "データディスクは5個以下", 5 data disks or fewer).
pub const MAX_DATA_DISKS: usize = 5;

// ============================================================================ bucket

/// Why a bucket name was refused.
///
/// ```
/// use machine_image::export::{BucketName, BucketNameError};
///
/// assert_eq!(BucketName::new("ab"), Err(BucketNameError("ab".into()))); // 3 to 63 characters
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bucket name {0:?} must be 3 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen"
)]
pub struct BucketNameError(pub String);

impl BucketNameError {
    /// `InvalidParameter` naming the bucket parameter (Alibaba `OSSBucket`, Tencent
    /// `BucketName`).
    pub fn to_api_error(&self, provider: Provider) -> ApiError {
        ApiError::invalid_parameter(match provider {
            Provider::Alibaba => "OSSBucket",
            Provider::Tencent => "BucketName",
        })
    }
}

/// A bucket name: 3 to 63 lowercase ASCII letters, digits and `-`, not starting or ending with
/// `-`. It is the rule both stores share (OSS bucket names; COS names of the form
/// `examplebucket-1250000000`).
///
/// ```
/// use machine_image::Provider;
/// use machine_image::export::BucketName;
///
/// assert_eq!(BucketName::new("exports-1250000000")?.as_str(), "exports-1250000000");
/// assert!(BucketName::new("Exports").is_err()); // lowercase only
/// let err = BucketName::new("-x-").unwrap_err();
/// assert_eq!(err.to_api_error(Provider::Tencent).message(), r#"The specified parameter "BucketName" is not valid."#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BucketName(String);

impl BucketName {
    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, BucketNameError> {
        let s = s.into();
        let ok = (3..=63).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(BucketName(s))
        } else {
            Err(BucketNameError(s))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_newtype_impls!(BucketName, BucketNameError);

/// A bucket of the object store (Tencent COS, Alibaba OSS) and the region it is in.
///
/// Built with [`Bucket::new`]; the fields stay readable.
///
/// ```
/// use machine_image::export::{Bucket, BucketName};
/// use machine_image::{AccountId, RegionId};
///
/// let bucket = Bucket::new(
///     BucketName::new("exports-1250000000").unwrap(),
///     RegionId::new("ap-guangzhou").unwrap(),
///     AccountId::new("1111111111111111").unwrap(),
/// );
/// assert_eq!(bucket.region.as_str(), "ap-guangzhou");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bucket {
    /// Its name.
    pub name: BucketName,
    /// Its region.
    pub region: RegionId,
    /// The account that owns it.
    pub owner: AccountId,
}

impl Bucket {
    /// The bucket `name` of `owner` in `region`.
    pub fn new(name: BucketName, region: RegionId, owner: AccountId) -> Self {
        Bucket {
            name,
            region,
            owner,
        }
    }
}

// ============================================================================ prefix

/// Why a file-name prefix was refused.
///
/// ```
/// use machine_image::Provider;
/// use machine_image::export::ObjectPrefix;
///
/// let err = ObjectPrefix::parse_for(Provider::Alibaba, "web_2026").unwrap_err();
/// assert_eq!((err.prefix.as_str(), err.provider, err.rule), ("web_2026", Provider::Alibaba, "1 to 30 ASCII letters and digits"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("file-name prefix {prefix:?} breaks {provider}'s rule: {rule}")]
pub struct PrefixError {
    /// The prefix given.
    pub prefix: String,
    /// Whose rule.
    pub provider: Provider,
    /// The rule, in words.
    pub rule: &'static str,
}

impl PrefixError {
    /// Alibaba `InvalidOSSPrefix.Malformed` (400); Tencent `InvalidParameterValue`.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(ErrorCode::InvalidOssPrefixMalformed)
    }
}

const ALIBABA_PREFIX_RULE: &str = "1 to 30 ASCII letters and digits";
const TENCENT_PREFIX_RULE: &str = "1 to 200 characters, no control characters";

/// The most characters of a Tencent prefix: the crate's choice (Tencent documents none), so
/// that the longest object name stays within COS's 850-byte key limit.
const TENCENT_PREFIX_MAX_CHARS: usize = 200;

/// The file-name prefix of the exported objects (Alibaba `OSSPrefix`, Tencent
/// `FileNamePrefixList.N`).
///
/// ```
/// use machine_image::Provider;
/// use machine_image::export::{object_name, ExportFormat, ObjectPrefix};
///
/// let prefix = ObjectPrefix::new("web-2026.01")?; // Tencent's looser rule
/// assert_eq!(object_name(&prefix, 1, ExportFormat::Qcow2), "web-2026.01_xvdb.qcow2");
/// // Alibaba's `OSSPrefix` is 1 to 30 ASCII letters and digits.
/// let refused = ObjectPrefix::parse_for(Provider::Alibaba, "web-2026.01").unwrap_err();
/// assert_eq!(refused.to_api_error().code().as_str(), "InvalidOSSPrefix.Malformed");
/// assert!(ObjectPrefix::parse_for(Provider::Alibaba, "web202601").is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObjectPrefix(String);

impl ObjectPrefix {
    /// Validates `s` against the looser of the two rules (Tencent's).
    pub fn new(s: impl Into<String>) -> Result<Self, PrefixError> {
        let s = s.into();
        Self::parse_for(Provider::Tencent, &s)
    }

    /// Validates `s` against `provider`'s rule: Alibaba's `OSSPrefix` is 1 to 30 letters and
    /// digits (its `ExportImage` reference); Tencent documents no rule for
    /// `FileNamePrefixList`, and the crate asks for 1 to 200 characters without control
    /// characters.
    pub fn parse_for(provider: Provider, s: &str) -> Result<Self, PrefixError> {
        let chars = s.chars().count();
        let (ok, rule) = match provider {
            Provider::Alibaba => (
                (1..=30).contains(&chars) && s.bytes().all(|b| b.is_ascii_alphanumeric()),
                ALIBABA_PREFIX_RULE,
            ),
            Provider::Tencent => (
                (1..=TENCENT_PREFIX_MAX_CHARS).contains(&chars) && !s.chars().any(char::is_control),
                TENCENT_PREFIX_RULE,
            ),
        };
        if ok {
            Ok(ObjectPrefix(s.to_owned()))
        } else {
            Err(PrefixError {
                prefix: s.to_owned(),
                provider,
                rule,
            })
        }
    }

    /// The prefix as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_newtype_impls!(ObjectPrefix, PrefixError);

// ============================================================================ format, scope

/// The exported file format (Alibaba `ImageFormat`, Tencent `ExportFormat`; default raw).
///
/// ```
/// use machine_image::Provider;
/// use machine_image::export::ExportFormat;
///
/// assert_eq!(ExportFormat::default(), ExportFormat::Raw);
/// assert_eq!(ExportFormat::parse_for(Provider::Tencent, "QCOW2")?, ExportFormat::Qcow2);
/// assert_eq!(ExportFormat::Qcow2.as_str_for(Provider::Alibaba), "qcow2");
/// assert!(ExportFormat::parse_for(Provider::Tencent, "qcow2").is_err()); // case matters
/// assert!(!ExportFormat::Vdi.offered_by(Provider::Tencent));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// `raw` / `RAW` (the default on both).
    #[default]
    Raw,
    /// `qcow2` / `QCOW2`.
    Qcow2,
    /// `vhd` / `VHD`.
    Vhd,
    /// `vmdk` / `VMDK`.
    Vmdk,
    /// `vdi` (Alibaba only).
    Vdi,
}

/// A format the provider does not offer.
///
/// ```
/// use machine_image::Provider;
/// use machine_image::export::ExportFormat;
///
/// let err = ExportFormat::parse_for(Provider::Tencent, "VDI").unwrap_err(); // Alibaba only
/// assert_eq!(err.allowed, "RAW, QCOW2, VHD, VMDK");
/// assert_eq!(err.to_api_error().code().as_str(), "InvalidImageFormat.Malformed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("export format {format:?} is not one of {provider}'s: {allowed}")]
pub struct FormatError {
    /// The value given.
    pub format: String,
    /// Whose values.
    pub provider: Provider,
    /// The values allowed.
    pub allowed: &'static str,
}

impl FormatError {
    /// Alibaba `InvalidImageFormat.Malformed` (400); Tencent `InvalidParameterValue`.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(ErrorCode::InvalidImageFormatMalformed)
    }
}

impl ExportFormat {
    /// Every format, in the order above.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Raw,
        ExportFormat::Qcow2,
        ExportFormat::Vhd,
        ExportFormat::Vmdk,
        ExportFormat::Vdi,
    ];

    /// The lowercase name, which is also the object names' extension: `raw`, `qcow2`, ….
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Raw => "raw",
            ExportFormat::Qcow2 => "qcow2",
            ExportFormat::Vhd => "vhd",
            ExportFormat::Vmdk => "vmdk",
            ExportFormat::Vdi => "vdi",
        }
    }

    /// The value as `provider` spells it: Alibaba lowercase (`raw`), Tencent uppercase (`RAW`).
    pub fn as_str_for(self, provider: Provider) -> &'static str {
        match (provider, self) {
            (Provider::Alibaba, f) => f.extension(),
            (Provider::Tencent, ExportFormat::Raw) => "RAW",
            (Provider::Tencent, ExportFormat::Qcow2) => "QCOW2",
            (Provider::Tencent, ExportFormat::Vhd) => "VHD",
            (Provider::Tencent, ExportFormat::Vmdk) => "VMDK",
            (Provider::Tencent, ExportFormat::Vdi) => "VDI",
        }
    }

    /// Whether `provider` offers the format: Alibaba `raw | vhd | qcow2 | vmdk | vdi`
    /// (`ExportImage`), Tencent `RAW, QCOW2, VHD, VMDK` (`ExportImages`).
    pub fn offered_by(self, provider: Provider) -> bool {
        !(provider == Provider::Tencent && self == ExportFormat::Vdi)
    }

    /// Parses `provider`'s spelling (exactly, case included).
    pub fn parse_for(provider: Provider, s: &str) -> Result<Self, FormatError> {
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.offered_by(provider) && f.as_str_for(provider) == s)
            .ok_or_else(|| FormatError {
                format: s.to_owned(),
                provider,
                allowed: match provider {
                    Provider::Alibaba => "raw, vhd, qcow2, vmdk, vdi",
                    Provider::Tencent => "RAW, QCOW2, VHD, VMDK",
                },
            })
    }
}

/// What is exported.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let (sys, data) = (SnapshotId::new("snap-sys00001")?, SnapshotId::new("snap-dat00001")?);
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(sys.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(data.clone(), gz.clone(), owner.clone(), t0, 100)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![sys, data]);
/// # service.register(t0, Fixture::Image(image.size_gib(150).build()?))?;
/// # let bucket = BucketName::new("exports-1250000000")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), gz.clone(), owner.clone())))?;
/// use machine_image::export::ExportScope;
/// // `src` in ap-guangzhou has a system disk and one data disk; `owner` has export
/// // activated and the bucket `bucket` there (hidden above).
/// assert_eq!(ExportScope::default(), ExportScope::WholeMachine);
/// let root_only = ExportImage::new(owner, gz, src, bucket, ObjectPrefix::new("web")?)
///     .scope(ExportScope::SystemDiskOnly);
/// let accepted = service.call(t0, root_only)?.expect("not a dry run");
/// assert_eq!(accepted.objects, ["web_xvda.raw"]); // whole machine: also web_xvdb.raw
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum ExportScope {
    /// The system disk and every data disk (the default).
    #[default]
    WholeMachine,
    /// The system disk only (Tencent `OnlyExportRootDisk`).
    SystemDiskOnly,
}

// ============================================================================ request, rules

/// An export request: which image, to which bucket, under which prefix, in which format,
/// and whether the whole machine or only its system disk.
/// [`ExportImage::new`](crate::engine::ExportImage::new) and its setters build one; a
/// driver that parsed the parameters itself passes it whole to
/// [`ExportImage::from_request`](crate::engine::ExportImage::from_request).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let (sys, data) = (SnapshotId::new("snap-sys00001")?, SnapshotId::new("snap-dat00001")?);
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(sys.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(data.clone(), gz.clone(), owner.clone(), t0, 100)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![sys, data]);
/// # service.register(t0, Fixture::Image(image.size_gib(150).build()?))?;
/// # let bucket = BucketName::new("exports-1250000000")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), gz.clone(), owner.clone())))?;
/// use machine_image::Provider;
/// use machine_image::export::{ExportFormat, ExportRequest, ExportScope};
/// // `src` in ap-guangzhou (a system disk and a data disk), the bucket `bucket` (hidden).
/// let request = ExportRequest::new(src, bucket, ObjectPrefix::parse_for(Provider::Tencent, "web")?)
///     .format(ExportFormat::parse_for(Provider::Tencent, "VHD")?)
///     .scope(ExportScope::WholeMachine);
/// let accepted = service.call(t0, ExportImage::from_request(owner, gz, request))?;
/// let objects = accepted.expect("not a dry run").objects;
/// assert_eq!(objects, ["web_xvda.vhd", "web_xvdb.vhd"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExportRequest {
    /// The image (a custom image of the caller).
    pub image: ImageId,
    /// The bucket (it must be in the image's region).
    pub bucket: BucketName,
    /// The objects' file-name prefix.
    pub prefix: ObjectPrefix,
    /// The file format.
    pub format: ExportFormat,
    /// Whole machine or system disk only.
    pub scope: ExportScope,
}

impl ExportRequest {
    /// Export `image` to `bucket` as objects named from `prefix`, in the default format
    /// (`raw`) and scope (the whole machine).
    pub fn new(image: ImageId, bucket: BucketName, prefix: ObjectPrefix) -> Self {
        ExportRequest {
            image,
            bucket,
            prefix,
            format: ExportFormat::default(),
            scope: ExportScope::default(),
        }
    }

    /// The file format.
    pub fn format(mut self, format: ExportFormat) -> Self {
        self.format = format;
        self
    }

    /// Whole machine or system disk only.
    pub fn scope(mut self, scope: ExportScope) -> Self {
        self.scope = scope;
        self
    }
}

/// One object an export writes: one disk of the image.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let (sys, data) = (SnapshotId::new("snap-sys00001")?, SnapshotId::new("snap-dat00001")?);
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(sys.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(data.clone(), gz.clone(), owner.clone(), t0, 100)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![sys, data]);
/// # service.register(t0, Fixture::Image(image.size_gib(150).build()?))?;
/// # let bucket = BucketName::new("exports-1250000000")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), gz.clone(), owner.clone())))?;
/// // `src` (a 50 GiB system disk, a 100 GiB data disk) and the bucket (hidden above).
/// let export = ExportImage::new(owner, gz, src, bucket, ObjectPrefix::new("web")?);
/// let task = service.call(t0, export)?.expect("not a dry run").task;
/// // The host gets them in `Effect::StartExport`; the state keeps them with the task.
/// let objects = &service.state().export(task).expect("accepted").objects;
/// assert_eq!((objects[1].disk, objects[1].name.as_str(), objects[1].size_gib), (1, "web_xvdb.raw", 100));
/// assert_eq!(objects[0].snapshot.as_str(), "snap-sys00001");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExportObject {
    /// The disk's position: 0 the system disk, then the data disks.
    pub disk: usize,
    /// The snapshot behind the disk.
    pub snapshot: SnapshotId,
    /// The object name, e.g. `web_xvda.raw`.
    pub name: String,
    /// The disk's size in GiB.
    pub size_gib: u64,
}

impl ExportObject {
    /// The object of disk `disk` (0 the system disk), made from `snapshot`, named `name`, of
    /// `size_gib`.
    ///
    /// ```
    /// use machine_image::export::ExportObject;
    /// use machine_image::SnapshotId;
    ///
    /// let object = ExportObject::new(0, SnapshotId::new("s-sys0001")?, "web_xvda.raw", 40);
    /// assert_eq!((object.disk, object.name.as_str(), object.size_gib), (0, "web_xvda.raw", 40));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(disk: usize, snapshot: SnapshotId, name: impl Into<String>, size_gib: u64) -> Self {
        ExportObject {
            disk,
            snapshot,
            name: name.into(),
            size_gib,
        }
    }
}

/// Why an export is refused (see the module table for codes).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let (sys, data) = (SnapshotId::new("snap-sys00001")?, SnapshotId::new("snap-dat00001")?);
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(sys.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(data.clone(), gz.clone(), owner.clone(), t0, 100)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![sys, data]);
/// # service.register(t0, Fixture::Image(image.size_gib(150).build()?))?;
/// # let bucket = BucketName::new("exports-1250000000")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), gz.clone(), owner.clone())))?;
/// use machine_image::export::ExportError;
/// use machine_image::Provider;
/// // `src` in ap-guangzhou, the bucket `bucket` there (hidden above).
/// let export = ExportImage::new(owner.clone(), gz.clone(), src.clone(), bucket.clone(), ObjectPrefix::new("web")?);
/// service.call(t0, export.clone())?;
/// // The engine answers with the provider's code; `ExportError` names the rule.
/// let again = service.call(t0, export).unwrap_err();
/// let api = again.api_error().expect("a customer's refusal");
/// assert_eq!(api, &ExportError::AlreadyExporting.to_api_error());
/// assert_eq!(api.code_for(Provider::Tencent), "InvalidParameterValue.InvalidImageState");
/// assert_eq!(ExportError::NotEnabled.to_api_error().code_for(Provider::Alibaba), "UserNotInTheWhiteList");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The account has not had export activated.
    #[error("image export is not activated for this account")]
    NotEnabled,
    /// A public (system) image.
    #[error("public images can't be exported")]
    PublicImage,
    /// A marketplace image.
    #[error("marketplace images can't be exported")]
    MarketplaceImage,
    /// Another account's image shared with the caller.
    #[error("shared images can't be exported")]
    SharedImage,
    /// A Windows image.
    #[error("Windows images can't be exported")]
    Windows,
    /// The image is not `Available`.
    #[error("the image is {status}, not Available")]
    NotAvailable {
        /// Its status.
        status: ImageStatus,
    },
    /// An export of the image is queued or running.
    #[error("the image is being exported")]
    AlreadyExporting,
    /// No such bucket.
    #[error("bucket {bucket} does not exist")]
    BucketNotFound {
        /// The bucket named.
        bucket: BucketName,
    },
    /// The bucket is in another region than the image.
    #[error("bucket {bucket} is in {bucket_region}, the image in {image_region}")]
    BucketInOtherRegion {
        /// The bucket.
        bucket: BucketName,
        /// Its region.
        bucket_region: RegionId,
        /// The image's region.
        image_region: RegionId,
    },
    /// A whole-machine export of more than [`MAX_DATA_DISKS`] data disks.
    #[error("the image has {count} data disks; a whole-machine export takes at most {max}")]
    TooManyDataDisks {
        /// Its data disks.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A disk above [`MAX_DISK_GIB`].
    #[error("disk {disk} is {size_gib} GiB; at most {max_gib} GiB can be exported")]
    DiskTooLarge {
        /// The disk's position (0: system disk).
        disk: usize,
        /// Its size.
        size_gib: u64,
        /// The limit.
        max_gib: u64,
    },
}

impl ExportError {
    /// The provider error, in both renderings (see the module table).
    pub fn to_api_error(&self) -> ApiError {
        use ErrorCode as E;
        match self {
            ExportError::NotEnabled => ApiError::new(E::UserNotInTheWhiteList)
                .with_message("The user is not in the white list of exporting image."),
            ExportError::PublicImage => ApiError::new(E::InvalidImageCategoryNotSupported),
            ExportError::MarketplaceImage => ApiError::new(E::ImageNotSupported),
            ExportError::SharedImage => ApiError::new(E::InvalidImageCategoryNotSupported)
                .with_tencent(TencentCode::UnsupportedOperationSharedImageExportUnsupported),
            ExportError::Windows => ApiError::new(E::WindowsImageExportUnsupported),
            ExportError::NotAvailable { .. } => ApiError::new(E::IncorrectImageStatus)
                .with_message("The specified Image is not available.")
                .with_tencent(TencentCode::InvalidParameterValueInvalidImageState),
            ExportError::AlreadyExporting => {
                ApiError::new(E::ImageIsExporting).with_message(E::ImageIsExporting.messages()[1])
            }
            ExportError::BucketNotFound { .. } | ExportError::BucketInOtherRegion { .. } => {
                ApiError::new(E::InvalidOssBucketNotFound)
            }
            ExportError::TooManyDataDisks { count, max } => {
                ApiError::new(E::InvalidImageDiskAmountOrSize)
                    .with_message(format!(
                        "The specified image contains {count} data disk snapshots; at most {max} can be exported."
                    ))
                    .with_tencent(TencentCode::InvalidParameterValueLimitExceeded)
            }
            ExportError::DiskTooLarge { .. } => ApiError::new(E::InvalidImageDiskAmountOrSize),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        e.to_api_error()
    }
}

/// The facts an export is decided on, gathered by the caller (the engine) from its state.
///
/// A service that keeps its own state checks an export with [`check_export`] directly:
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::export::{check_export, Bucket, BucketName, ExportError, ExportFacts, ExportRequest, ObjectPrefix};
/// use machine_image::{Account, AccountId, Image, ImageId, ImageName, OwnerAlias, RegionId, Snapshot, SnapshotId};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// let disk = Snapshot::new(SnapshotId::new("snap-sys00001")?, gz.clone(), owner.clone(), t0, 50);
/// let image = Image::custom(ImageId::new("img-web00001")?, gz.clone(), owner.clone(), ImageName::new("web")?, vec![disk.id().clone()])
///     .size_from([&disk])
///     .build()?;
/// let bucket = Bucket::new(BucketName::new("exports-1250000000")?, gz, owner.clone());
/// let account = Account::new(owner, 10, 100).enable_export(true);
/// let request = ExportRequest {
///     image: image.id().clone(),
///     bucket: bucket.name.clone(),
///     prefix: ObjectPrefix::new("web")?,
///     format: Default::default(),
///     scope: Default::default(),
/// };
/// let mut facts = ExportFacts {
///     account: Some(&account),
///     image: &image,
///     owner_alias: OwnerAlias::Own,
///     snapshots: &[&disk],
///     bucket: Some(&bucket),
///     already_exporting: false,
/// };
/// let objects = check_export(&request, &facts)?;
/// assert_eq!(objects[0].name, "web_xvda.raw");
/// facts.owner_alias = OwnerAlias::Others; // shared with the caller, not its own
/// assert_eq!(check_export(&request, &facts), Err(ExportError::SharedImage));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ExportFacts<'a> {
    /// The caller's account record, if it has one (no record: nothing allow-listed).
    pub account: Option<&'a Account>,
    /// The image, found in the call's region and visible to the caller.
    pub image: &'a Image,
    /// Its relation to the caller.
    pub owner_alias: OwnerAlias,
    /// Its snapshots, system disk first (as `image.snapshots` lists them).
    pub snapshots: &'a [&'a Snapshot],
    /// The bucket the request names, if it exists.
    pub bucket: Option<&'a Bucket>,
    /// Whether an export of the image is queued or running.
    pub already_exporting: bool,
}

/// Checks `request` against the rules in the module's order and, when it passes, returns
/// the objects the export will write (see [`object_name`]).
pub fn check_export(
    request: &ExportRequest,
    facts: &ExportFacts<'_>,
) -> Result<Vec<ExportObject>, ExportError> {
    let image = facts.image;
    // 1. Seed 002: "現在、この機能を使用するには申請が必要です" (activation needed).
    if !facts.account.is_some_and(|a| a.export_enabled) {
        return Err(ExportError::NotEnabled);
    }
    // 2. Seed 002: only (the caller's own) custom images are exported.
    match facts.owner_alias {
        OwnerAlias::Own => {}
        OwnerAlias::System => return Err(ExportError::PublicImage),
        OwnerAlias::Marketplace => return Err(ExportError::MarketplaceImage),
        OwnerAlias::Others => return Err(ExportError::SharedImage),
    }
    // 3. Seed 002: "現時点ではWindowsカスタムイメージのエクスポートはサポートしていません".
    if image.platform == Platform::Windows {
        return Err(ExportError::Windows);
    }
    // 4. The image is ready.
    if image.status != ImageStatus::Available {
        return Err(ExportError::NotAvailable {
            status: image.status,
        });
    }
    // 5. One export of an image at a time.
    if facts.already_exporting {
        return Err(ExportError::AlreadyExporting);
    }
    // 6. Seed 002: "カスタムイメージの存在するリージョンでバケットを作成済みであること".
    let bucket = facts.bucket.ok_or_else(|| ExportError::BucketNotFound {
        bucket: request.bucket.clone(),
    })?;
    if bucket.region != image.region {
        return Err(ExportError::BucketInOtherRegion {
            bucket: bucket.name.clone(),
            bucket_region: bucket.region.clone(),
            image_region: image.region.clone(),
        });
    }
    let exported: &[&Snapshot] = match request.scope {
        ExportScope::WholeMachine => facts.snapshots,
        ExportScope::SystemDiskOnly => &facts.snapshots[..facts.snapshots.len().min(1)],
    };
    // 7. Seed 002: "フルマシンのイメージをエクスポートする場合、データディスクは5個以下".
    let data_disks = exported.len().saturating_sub(1);
    if data_disks > MAX_DATA_DISKS {
        return Err(ExportError::TooManyDataDisks {
            count: data_disks,
            max: MAX_DATA_DISKS,
        });
    }
    // 8. Seed 002: "システムディスクおよびデータディスク1個あたりの容量は500GB以下".
    if let Some((disk, s)) = exported
        .iter()
        .enumerate()
        .find(|(_, s)| s.size_gib > MAX_DISK_GIB)
    {
        return Err(ExportError::DiskTooLarge {
            disk,
            size_gib: s.size_gib,
            max_gib: MAX_DISK_GIB,
        });
    }
    Ok(exported
        .iter()
        .enumerate()
        .map(|(disk, s)| ExportObject {
            disk,
            snapshot: s.id.clone(),
            name: object_name(&request.prefix, disk, request.format),
            size_gib: s.size_gib,
        })
        .collect())
}

/// Xen's device name of disk `index` (0 the system disk): `xvda`, `xvdb`, … `xvdz`,
/// `xvdaa`, `xvdab`, … (the letters count in bijective base 26, as Linux names disks).
pub fn device_name(index: usize) -> String {
    let mut letters = Vec::new();
    // Counted in u128 so that `usize::MAX + 1` fits.
    let mut n = index as u128 + 1;
    while n > 0 {
        n -= 1;
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    let mut name = String::with_capacity(3 + letters.len());
    name.push_str("xvd");
    name.extend(letters.into_iter().map(char::from));
    name
}

/// The object name of disk `index`: `<prefix>_<device>.<extension>`, e.g. `web_xvda.raw`
/// ([seed 002](crate::sources#seed-002): "`カスタムプレフィックス名_xvda.raw`", custom prefix name, then `_xvda.raw`).
pub fn object_name(prefix: &ObjectPrefix, index: usize, format: ExportFormat) -> String {
    format!(
        "{}_{}.{}",
        prefix.as_str(),
        device_name(index),
        format.extension()
    )
}

// ============================================================================ task

/// An export task's id: its acceptance order, starting at 1.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let (sys, data) = (SnapshotId::new("snap-sys00001")?, SnapshotId::new("snap-dat00001")?);
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(sys.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(data.clone(), gz.clone(), owner.clone(), t0, 100)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![sys, data]);
/// # service.register(t0, Fixture::Image(image.size_gib(150).build()?))?;
/// # let bucket = BucketName::new("exports-1250000000")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), gz.clone(), owner.clone())))?;
/// use machine_image::engine::CancelExport;
/// use machine_image::export::ExportTaskId;
/// let export = ExportImage::new(owner.clone(), gz.clone(), src, bucket, ObjectPrefix::new("web")?);
/// let task = service.call(t0, export)?.expect("not a dry run").task;
/// assert_eq!(task, ExportTaskId(1));
/// assert_eq!(task.to_string(), "export-1");
/// service.call(t0, CancelExport::new(owner.clone(), gz.clone(), task))?;
/// let unknown = service.call(t0, CancelExport::new(owner, gz, ExportTaskId(9))).unwrap_err();
/// assert_eq!(unknown.code().map(|c| c.as_str()), Some("InvalidTaskId.NotFound"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExportTaskId(pub u64);

impl fmt::Display for ExportTaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "export-{}", self.0)
    }
}

/// An export task's state: the states every task shares (see [`crate::task`]).
pub type ExportState = crate::task::TaskState;

/// A move the export task diagram does not have.
pub type ExportTransitionError = crate::task::TransitionError<ExportTaskId>;

impl crate::task::TransitionError<ExportTaskId> {
    /// The provider error: Alibaba `CancelTask`'s `InvalidTaskId.IncorrectTaskStatus` (403)
    /// for a task in the wrong state.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(ErrorCode::InvalidTaskIdIncorrectTaskStatus)
    }
}

/// One export of one image to one bucket.
///
/// Read from the engine's state ([`State::export`](crate::engine::State::export)); the host
/// moves it with its reports.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let (sys, data) = (SnapshotId::new("snap-sys00001")?, SnapshotId::new("snap-dat00001")?);
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(sys.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(data.clone(), gz.clone(), owner.clone(), t0, 100)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![sys, data]);
/// # service.register(t0, Fixture::Image(image.size_gib(150).build()?))?;
/// # let bucket = BucketName::new("exports-1250000000")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), gz.clone(), owner.clone())))?;
/// use chrono::Duration;
/// use machine_image::TaskState;
/// use machine_image::engine::HostReport;
/// let export = ExportImage::new(owner, gz, src, bucket, ObjectPrefix::new("web")?);
/// let id = service.call(t0, export)?.expect("not a dry run").task;
/// let task = service.state().export(id).expect("accepted");
/// assert_eq!((task.state(), task.size_gib(), task.objects.len()), (TaskState::Queued, 150, 2));
///
/// let done = t0 + Duration::minutes(20);
/// service.report(t0, HostReport::ExportStarted(id))?;
/// service.report(done, HostReport::ExportFinished(id))?;
/// let task = service.state().export(id).expect("kept for the retention horizon");
/// assert_eq!((task.state(), task.ended_at()), (TaskState::Succeeded, Some(done)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportTask {
    /// The id.
    pub id: ExportTaskId,
    /// The account that asked.
    pub owner: AccountId,
    /// The image exported.
    pub image: ImageId,
    /// Its region (the bucket's too).
    pub region: RegionId,
    /// The bucket.
    pub bucket: BucketName,
    /// The prefix.
    pub prefix: ObjectPrefix,
    /// The format.
    pub format: ExportFormat,
    /// Whole machine or system disk only.
    pub scope: ExportScope,
    /// The objects it writes, system disk first.
    pub objects: Vec<ExportObject>,
    /// Its state, times, progress and failure reason (serialised flat, among the fields
    /// above).
    #[serde(flatten)]
    pub(crate) lifecycle: Lifecycle,
}

impl ExportTask {
    /// A queued task for an accepted `request` (the objects from [`check_export`]).
    pub fn queued(
        id: ExportTaskId,
        owner: AccountId,
        region: RegionId,
        request: &ExportRequest,
        objects: Vec<ExportObject>,
        at: DateTime<Utc>,
    ) -> Self {
        ExportTask {
            id,
            owner,
            image: request.image.clone(),
            region,
            bucket: request.bucket.clone(),
            prefix: request.prefix.clone(),
            format: request.format,
            scope: request.scope,
            objects,
            lifecycle: Lifecycle::queued(at),
        }
    }

    /// The GiB it writes: the sum of its objects' sizes.
    pub fn size_gib(&self) -> u64 {
        // Saturating: a deserialised task may hold any sizes.
        self.objects
            .iter()
            .fold(0u64, |sum, o| sum.saturating_add(o.size_gib))
    }

    /// Where the task is in its life: its state with that state's times, progress and
    /// reason.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The state.
    pub fn state(&self) -> ExportState {
        self.lifecycle.state()
    }

    /// Percent done: 0 while queued, 100 once succeeded.
    pub fn progress(&self) -> u8 {
        self.lifecycle.progress()
    }

    /// When it was accepted.
    pub fn queued_at(&self) -> DateTime<Utc> {
        self.lifecycle.queued_at()
    }

    /// When it started running.
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        self.lifecycle.started_at()
    }

    /// When it reached a final state.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.lifecycle.ended_at()
    }

    /// The host's reason, for a failed export.
    pub fn failure_reason(&self) -> Option<&str> {
        self.lifecycle.failure_reason()
    }

    /// `Queued → Running` at `at` ([`Lifecycle::start`]).
    pub fn start(&mut self, at: DateTime<Utc>) -> Result<(), ExportTransitionError> {
        self.lifecycle.start(self.id, at)
    }

    /// A progress report while running, never above 100 ([`Lifecycle::report_progress`];
    /// the caller checks it does not go back).
    pub fn report_progress(&mut self, percent: u8) -> Result<(), ExportTransitionError> {
        self.lifecycle.report_progress(self.id, percent)
    }

    /// `Running → Succeeded` at `at` ([`Lifecycle::finish`]).
    pub fn finish(&mut self, at: DateTime<Utc>) -> Result<(), ExportTransitionError> {
        self.lifecycle.finish(self.id, at)
    }

    /// `Running → Failed` at `at`, with the host's reason ([`Lifecycle::fail`]).
    pub fn fail(&mut self, at: DateTime<Utc>, reason: String) -> Result<(), ExportTransitionError> {
        self.lifecycle.fail(self.id, at, reason)
    }

    /// `Queued | Running → Cancelled` at `at` ([`Lifecycle::cancel`]).
    pub fn cancel(&mut self, at: DateTime<Utc>) -> Result<(), ExportTransitionError> {
        self.lifecycle.cancel(self.id, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_count_in_bijective_base_26() {
        assert_eq!(device_name(0), "xvda");
        assert_eq!(device_name(1), "xvdb");
        assert_eq!(device_name(5), "xvdf");
        assert_eq!(device_name(25), "xvdz");
        assert_eq!(device_name(26), "xvdaa");
        assert_eq!(device_name(27), "xvdab");
        assert_eq!(device_name(26 + 26 * 26), "xvdaaa");
        // The last index has a name too (14 letters: 26^14 > 2^64).
        let last = device_name(usize::MAX);
        assert!(last.starts_with("xvd") && last.len() == 3 + 14, "{last}");
    }

    #[test]
    fn object_names_follow_the_seed() {
        let p = ObjectPrefix::new("web").unwrap();
        assert_eq!(object_name(&p, 0, ExportFormat::Raw), "web_xvda.raw");
        assert_eq!(object_name(&p, 2, ExportFormat::Qcow2), "web_xvdc.qcow2");
    }

    #[test]
    fn prefix_rules_differ() {
        assert!(ObjectPrefix::parse_for(Provider::Alibaba, "web01").is_ok());
        assert!(ObjectPrefix::parse_for(Provider::Alibaba, "web-01").is_err());
        assert!(ObjectPrefix::parse_for(Provider::Alibaba, &"a".repeat(30)).is_ok());
        assert!(ObjectPrefix::parse_for(Provider::Alibaba, &"a".repeat(31)).is_err());
        assert!(ObjectPrefix::parse_for(Provider::Alibaba, "").is_err());
        assert!(ObjectPrefix::parse_for(Provider::Tencent, "test-").is_ok());
        assert!(ObjectPrefix::parse_for(Provider::Tencent, &"あ".repeat(200)).is_ok());
        assert!(ObjectPrefix::parse_for(Provider::Tencent, &"a".repeat(201)).is_err());
        assert!(ObjectPrefix::parse_for(Provider::Tencent, "a\nb").is_err());
        assert!(ObjectPrefix::parse_for(Provider::Tencent, "").is_err());
        let e = ObjectPrefix::parse_for(Provider::Alibaba, "a_b").unwrap_err();
        assert_eq!(
            e.to_api_error().code_for(Provider::Alibaba),
            "InvalidOSSPrefix.Malformed"
        );
        assert_eq!(
            e.to_api_error().code_for(Provider::Tencent),
            "InvalidParameterValue"
        );
    }

    #[test]
    fn formats_per_provider() {
        assert_eq!(
            ExportFormat::parse_for(Provider::Tencent, "QCOW2"),
            Ok(ExportFormat::Qcow2)
        );
        assert!(ExportFormat::parse_for(Provider::Tencent, "qcow2").is_err());
        assert!(ExportFormat::parse_for(Provider::Tencent, "VDI").is_err());
        assert_eq!(
            ExportFormat::parse_for(Provider::Alibaba, "vdi"),
            Ok(ExportFormat::Vdi)
        );
        assert!(ExportFormat::parse_for(Provider::Alibaba, "RAW").is_err());
        assert_eq!(ExportFormat::default(), ExportFormat::Raw);
        let e = ExportFormat::parse_for(Provider::Alibaba, "iso").unwrap_err();
        assert_eq!(
            e.to_api_error().code().as_str(),
            "InvalidImageFormat.Malformed"
        );
    }

    #[test]
    fn bucket_names() {
        assert!(BucketName::new("examplebucket-1250000000").is_ok());
        assert!(BucketName::new("abc").is_ok());
        assert!(BucketName::new("ab").is_err());
        assert!(BucketName::new(&*"a".repeat(64)).is_err());
        assert!(BucketName::new("-abc").is_err());
        assert!(BucketName::new("abc-").is_err());
        assert!(BucketName::new("Abc").is_err());
        assert!(BucketName::new("a_bc").is_err());
    }

    #[test]
    fn task_transitions() {
        let t = ExportTaskId(7);
        assert_eq!(ExportState::Queued.start(t), Ok(ExportState::Running));
        assert_eq!(ExportState::Running.finish(t), Ok(ExportState::Succeeded));
        assert_eq!(ExportState::Running.fail(t), Ok(ExportState::Failed));
        assert_eq!(ExportState::Queued.cancel(t), Ok(ExportState::Cancelled));
        assert_eq!(ExportState::Running.cancel(t), Ok(ExportState::Cancelled));
        assert!(ExportState::Queued.finish(t).is_err());
        assert!(ExportState::Queued.fail(t).is_err());
        assert!(ExportState::Queued.check_progress(t).is_err());
        assert!(ExportState::Running.start(t).is_err());
        for s in [
            ExportState::Succeeded,
            ExportState::Failed,
            ExportState::Cancelled,
        ] {
            assert!(!s.is_live());
            assert!(s.start(t).is_err());
            assert!(s.finish(t).is_err());
            assert!(s.fail(t).is_err());
            assert!(s.cancel(t).is_err());
            assert!(s.check_progress(t).is_err());
        }
        let e = ExportState::Succeeded.cancel(t).unwrap_err();
        assert_eq!(e.to_string(), "export-7 can't cancel while Succeeded");
        assert_eq!(
            e.to_api_error().code().as_str(),
            "InvalidTaskId.IncorrectTaskStatus"
        );
        assert_eq!(e.to_api_error().http_status(), 403);
    }
}
