//! What a customer asks: [`ApiCall`] and one request struct per call.
//!
//! Each request is built with `new` (the facts the call can't do without) and chained
//! setters for the optional parameters; the structs are `#[non_exhaustive]`, so their fields
//! can be read but a value is only made through these. A call is sent with
//! [`ImageService::call`](crate::engine::ImageService::call), which answers with the
//! request's own [`Request::Answer`](crate::engine::Request::Answer).

use serde::{Deserialize, Serialize};

use crate::export::{
    BucketName, ExportFormat, ExportRequest, ExportScope, ExportTaskId, ObjectPrefix,
};
use crate::id::{AccountId, ClientToken, ImageId, InstanceId, KmsKeyId, SnapshotId};
use crate::image::Platform;
use crate::import::{Architecture, ImportDisk};
use crate::name::{Description, ImageName};
use crate::region::RegionId;
use crate::tag::Tags;

/// A customer's API call: the only input with a caller, a client token and provider error
/// codes (a refusal is an [`EngineError::Rejected`](crate::engine::EngineError::Rejected)).
/// Each request struct converts into it with `into()`.
///
/// ```
/// use machine_image::engine::{ApiCall, CancelCopyImage};
/// use machine_image::{AccountId, ClientToken, ImageId, RegionId};
/// let call: ApiCall = CancelCopyImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-shanghai").unwrap(),
///     ImageId::new("m-copy1").unwrap(),
/// )
/// .client_token(ClientToken::new("retry-1").unwrap())
/// .into();
/// assert_eq!(call.name(), "CancelCopyImage");
/// assert!(call.idempotency_key().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiCall {
    /// `CreateImage`: a custom image from the caller's snapshots.
    CreateImage(CreateImage),
    /// `CopyImage` (Alibaba) / `SyncImages` (Tencent).
    CopyImage(CopyImage),
    /// `CancelCopyImage` (Alibaba).
    CancelCopyImage(CancelCopyImage),
    /// `DeleteImage`.
    DeleteImage(DeleteImage),
    /// `ModifyImageSharePermission`.
    ModifyImageSharePermission(ModifyImageSharePermission),
    /// `ExportImage` (Alibaba) / `ExportImages` (Tencent, one image).
    ExportImage(ExportImage),
    /// `CancelTask` for an export (Alibaba).
    CancelExport(CancelExport),
    /// `ModifyImageAttribute`: rename an image or change its description.
    ModifyImageAttribute(ModifyImageAttribute),
    /// `DeleteImages` (Tencent): several images, all or none.
    DeleteImages(DeleteImages),
    /// `ImportImage`: a custom image from disk files outside the cloud.
    ImportImage(ImportImage),
}

impl ApiCall {
    /// The call's name (Alibaba's action name).
    pub fn name(&self) -> &'static str {
        match self {
            ApiCall::CreateImage(_) => "CreateImage",
            ApiCall::CopyImage(_) => "CopyImage",
            ApiCall::CancelCopyImage(_) => "CancelCopyImage",
            ApiCall::DeleteImage(_) => "DeleteImage",
            ApiCall::ModifyImageSharePermission(_) => "ModifyImageSharePermission",
            ApiCall::ExportImage(_) => "ExportImage",
            ApiCall::CancelExport(_) => "CancelTask",
            ApiCall::ModifyImageAttribute(_) => "ModifyImageAttribute",
            ApiCall::DeleteImages(_) => "DeleteImages",
            ApiCall::ImportImage(_) => "ImportImage",
        }
    }

    /// The calling account, if the call names one.
    pub fn caller(&self) -> Option<&AccountId> {
        match self {
            ApiCall::CreateImage(c) => c.caller.as_ref(),
            ApiCall::CopyImage(c) => c.caller.as_ref(),
            ApiCall::CancelCopyImage(c) => c.caller.as_ref(),
            ApiCall::DeleteImage(c) => c.caller.as_ref(),
            ApiCall::ModifyImageSharePermission(c) => c.caller.as_ref(),
            ApiCall::ExportImage(c) => c.caller.as_ref(),
            ApiCall::CancelExport(c) => c.caller.as_ref(),
            ApiCall::ModifyImageAttribute(c) => c.caller.as_ref(),
            ApiCall::DeleteImages(c) => c.caller.as_ref(),
            ApiCall::ImportImage(c) => c.caller.as_ref(),
        }
    }

    /// The client token, for the calls that take one.
    pub fn client_token(&self) -> Option<&ClientToken> {
        match self {
            ApiCall::CreateImage(c) => c.client_token.as_ref(),
            ApiCall::CopyImage(c) => c.client_token.as_ref(),
            ApiCall::CancelCopyImage(c) => c.client_token.as_ref(),
            ApiCall::DeleteImage(c) => c.client_token.as_ref(),
            ApiCall::ModifyImageSharePermission(c) => c.client_token.as_ref(),
            ApiCall::ExportImage(c) => c.client_token.as_ref(),
            ApiCall::CancelExport(c) => c.client_token.as_ref(),
            ApiCall::ModifyImageAttribute(c) => c.client_token.as_ref(),
            ApiCall::DeleteImages(c) => c.client_token.as_ref(),
            ApiCall::ImportImage(c) => c.client_token.as_ref(),
        }
    }

    /// Whether this is a dry run (checks only).
    pub fn is_dry_run(&self) -> bool {
        match self {
            ApiCall::CreateImage(c) => c.dry_run,
            ApiCall::CopyImage(c) => c.dry_run,
            ApiCall::ExportImage(c) => c.dry_run,
            ApiCall::DeleteImages(c) => c.dry_run,
            ApiCall::ImportImage(c) => c.dry_run,
            _ => false,
        }
    }

    /// The caller and client token of a call that carries both, unless it is a dry run (see
    /// [`Command::idempotency_key`](crate::engine::Command::idempotency_key)).
    pub fn idempotency_key(&self) -> Option<(&AccountId, &ClientToken)> {
        if self.is_dry_run() {
            return None;
        }
        self.caller().zip(self.client_token())
    }
}

/// Setters shared by every request that takes them.
macro_rules! caller_setter {
    () => {
        /// The same call without a caller (a call the provider refuses with
        /// `InvalidAliUid.IsNull`, checked before anything else).
        pub fn without_caller(mut self) -> Self {
            self.caller = None;
            self
        }
    };
}

macro_rules! token_setter {
    () => {
        /// An idempotency token (`ClientToken`): a retry with the same caller, token and
        /// parameters gets the first answer again.
        pub fn client_token(mut self, token: ClientToken) -> Self {
            self.client_token = Some(token);
            self
        }
    };
}

/// `CreateImage`: a custom image from the caller's snapshots in one region (Alibaba
/// `SnapshotId` or `DiskDeviceMapping`, Tencent `SnapshotIds`; `ImageName`, `Description` /
/// Tencent `ImageDescription`, `Platform`, `Architecture`, `Tag`, `ClientToken`, Tencent
/// `DryRun`). The new
/// image keeps the lineage of the disks it is made from: created from snapshots of a paid
/// image's lineage, it is paid ([seed 001](crate::sources#seed-001)). The check order is in
/// [the engine docs](crate::engine#createimage).
///
/// ```
/// use machine_image::engine::CreateImage;
/// use machine_image::{AccountId, ImageName, Platform, RegionId, SnapshotId};
/// let call = CreateImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageName::new("web").unwrap(),
///     [SnapshotId::new("s-sys1").unwrap()],
/// )
/// .platform(Platform::Windows);
/// assert_eq!(call.snapshots.len(), 1);
/// assert_eq!(call.platform, Platform::Windows);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateImage {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The region.
    pub region: RegionId,
    /// The new image's name.
    pub name: ImageName,
    /// Its description.
    pub description: Option<Description>,
    /// The snapshots, system disk first.
    pub snapshots: Vec<SnapshotId>,
    /// Linux or Windows.
    pub platform: Platform,
    /// Tags.
    pub tags: Tags,
    /// `Architecture`: `x86_64` (the default) or `arm64`.
    #[serde(default)]
    pub architecture: Architecture,
    /// `InstanceId`: an image of an instance. Instances are outside the model, so a call
    /// naming one is refused with `InvalidInstanceId.NotFound` (see
    /// [`CreateImage::instance`]).
    #[serde(default)]
    pub instance: Option<InstanceId>,
    /// Tencent `DryRun`: check only, change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

impl CreateImage {
    /// `caller` creates an image named `name` in `region` from `snapshots` (system disk
    /// first); Linux, no description, no tags, no token.
    pub fn new(
        caller: AccountId,
        region: RegionId,
        name: ImageName,
        snapshots: impl IntoIterator<Item = SnapshotId>,
    ) -> Self {
        CreateImage {
            caller: Some(caller),
            client_token: None,
            region,
            name,
            description: None,
            snapshots: snapshots.into_iter().collect(),
            platform: Platform::Linux,
            tags: Tags::empty(),
            architecture: Architecture::X86_64,
            instance: None,
            dry_run: false,
        }
    }

    /// `InstanceId`: make the image from an instance. Instances are outside this model
    /// (the engine knows snapshots, not the machines they were taken from), so the call is
    /// refused with `InvalidInstanceId.NotFound`, whose message says so, instead of
    /// silently ignoring the instance.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use machine_image::engine::{CreateImage, ImageService};
    /// use machine_image::{AccountId, ImageName, InstanceId, Profile, RegionId};
    /// let mut service = ImageService::new(Profile::alibaba());
    /// let call = CreateImage::new(
    ///     AccountId::new("1234567890123456")?,
    ///     RegionId::new("cn-hangzhou")?,
    ///     ImageName::new("web")?,
    ///     [],
    /// )
    /// .instance(InstanceId::new("i-bp1web0001")?);
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let refused = service.call(t0, call).unwrap_err();
    /// let error = refused.api_error().expect("a customer's refusal");
    /// assert_eq!(error.code().as_str(), "InvalidInstanceId.NotFound");
    /// assert!(error.message().contains("instances are not modelled"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn instance(mut self, instance: InstanceId) -> Self {
        self.instance = Some(instance);
        self
    }

    /// `Architecture`: `x86_64` (the default) or `arm64`.
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Tencent `DryRun`: check only, change nothing (the answer is `None`).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    caller_setter!();
    token_setter!();

    /// The new image's description.
    pub fn description(mut self, description: Description) -> Self {
        self.description = Some(description);
        self
    }

    /// Linux (the default) or Windows.
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// The new image's tags.
    pub fn tags(mut self, tags: Tags) -> Self {
        self.tags = tags;
        self
    }
}

/// `CopyImage` (Alibaba) / `SyncImages` (Tencent).
///
/// ```
/// use machine_image::engine::CopyImage;
/// use machine_image::{AccountId, ImageId, ImageName, KmsKeyId, RegionId};
/// let call = CopyImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-source1").unwrap(),
///     [RegionId::new("cn-shanghai").unwrap()],
/// )
/// .name(ImageName::new("web-copy").unwrap())
/// .encrypted_with(Some(KmsKeyId::new("key-1").unwrap()));
/// assert!(call.encrypted);
/// assert_eq!(call.destination_regions.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CopyImage {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The source image's region (`RegionId`; Tencent's `Region`).
    pub region: RegionId,
    /// The source image.
    pub image: ImageId,
    /// One destination (Alibaba) or several (Tencent `DestinationRegions`).
    pub destination_regions: Vec<RegionId>,
    /// The new image's name (default: the source's).
    pub name: Option<ImageName>,
    /// The new image's description.
    pub description: Option<Description>,
    /// `Encrypted` / Tencent `Encrypt`.
    pub encrypted: bool,
    /// `KMSKeyId` / Tencent `KmsKeyId`.
    pub kms_key: Option<KmsKeyId>,
    /// Tags for the new image.
    pub tags: Tags,
    /// Tencent `DryRun`: check only, change nothing.
    pub dry_run: bool,
}

impl CopyImage {
    /// `caller` copies `image` of `region` to each of `destinations` (Alibaba takes one;
    /// none is refused with `MissingParameter`); the source's name, not encrypted, no tags,
    /// no token, not a dry run.
    pub fn new(
        caller: AccountId,
        region: RegionId,
        image: ImageId,
        destinations: impl IntoIterator<Item = RegionId>,
    ) -> Self {
        CopyImage {
            caller: Some(caller),
            client_token: None,
            region,
            image,
            destination_regions: destinations.into_iter().collect(),
            name: None,
            description: None,
            encrypted: false,
            kms_key: None,
            tags: Tags::empty(),
            dry_run: false,
        }
    }

    caller_setter!();
    token_setter!();

    /// The new image's name (`DestinationImageName`; default: the source's).
    pub fn name(mut self, name: ImageName) -> Self {
        self.name = Some(name);
        self
    }

    /// The new image's description (`DestinationDescription`).
    pub fn description(mut self, description: Description) -> Self {
        self.description = Some(description);
        self
    }

    /// `Encrypted`: encrypt the copy (with the service key unless
    /// [`CopyImage::encrypted_with`] names one). Turning it off keeps a key already named,
    /// which the engine then refuses (`InvalidParameter.EncryptedIllegal`).
    pub fn encrypted(mut self, encrypted: bool) -> Self {
        self.encrypted = encrypted;
        self
    }

    /// Encrypted with a customer key (`Some`, `KMSKeyId`) or the service key (`None`).
    pub fn encrypted_with(mut self, key: Option<KmsKeyId>) -> Self {
        self.encrypted = true;
        self.kms_key = key;
        self
    }

    /// `KMSKeyId` alone, whether or not `Encrypted` is set (a key without `Encrypted` is
    /// refused with `InvalidParameter.EncryptedIllegal`).
    pub fn kms_key(mut self, key: Option<KmsKeyId>) -> Self {
        self.kms_key = key;
        self
    }

    /// Tags for the new image.
    pub fn tags(mut self, tags: Tags) -> Self {
        self.tags = tags;
        self
    }

    /// Tencent `DryRun`: check only, change nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
}

/// `CancelCopyImage`: cancel the queued or running copy to `image` (the destination image,
/// in its region).
///
/// ```
/// use machine_image::engine::CancelCopyImage;
/// use machine_image::{AccountId, ImageId, RegionId};
/// let call = CancelCopyImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-shanghai").unwrap(),
///     ImageId::new("m-copy1").unwrap(),
/// );
/// assert_eq!(call.image.as_str(), "m-copy1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CancelCopyImage {
    /// The calling account.
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The image's region.
    pub region: RegionId,
    /// The image being copied to.
    pub image: ImageId,
}

impl CancelCopyImage {
    /// `caller` cancels the copy to `image` in `region`.
    pub fn new(caller: AccountId, region: RegionId, image: ImageId) -> Self {
        CancelCopyImage {
            caller: Some(caller),
            client_token: None,
            region,
            image,
        }
    }

    caller_setter!();
    token_setter!();
}

/// `DeleteImage`: delete one's own image, or stop seeing an image shared with one.
///
/// ```
/// use machine_image::engine::DeleteImage;
/// use machine_image::{AccountId, ImageId, RegionId};
/// let call = DeleteImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-source1").unwrap(),
/// )
/// .without_caller();
/// assert_eq!(call.caller, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteImage {
    /// The calling account.
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The image's region.
    pub region: RegionId,
    /// The image.
    pub image: ImageId,
}

impl DeleteImage {
    /// `caller` deletes `image` in `region`.
    pub fn new(caller: AccountId, region: RegionId, image: ImageId) -> Self {
        DeleteImage {
            caller: Some(caller),
            client_token: None,
            region,
            image,
        }
    }

    caller_setter!();
    token_setter!();
}

/// `ModifyImageSharePermission`: share an image with accounts, or stop sharing it.
///
/// ```
/// use machine_image::engine::ModifyImageSharePermission;
/// use machine_image::{AccountId, ImageId, RegionId};
/// let friend = AccountId::new("2234567890123456").unwrap();
/// let call = ModifyImageSharePermission::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-source1").unwrap(),
/// )
/// .share_with([friend.clone()]);
/// assert_eq!(call.add, vec![friend]);
/// assert!(call.remove.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModifyImageSharePermission {
    /// The calling account (the image's owner).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The image's region.
    pub region: RegionId,
    /// The image.
    pub image: ImageId,
    /// Accounts to share with (`AddAccount`; Tencent `Permission=SHARE`).
    pub add: Vec<AccountId>,
    /// Accounts to stop sharing with (`RemoveAccount`; Tencent `Permission=CANCEL`).
    pub remove: Vec<AccountId>,
}

impl ModifyImageSharePermission {
    /// `caller` changes who sees `image` in `region`; with no setter it changes nothing.
    pub fn new(caller: AccountId, region: RegionId, image: ImageId) -> Self {
        ModifyImageSharePermission {
            caller: Some(caller),
            client_token: None,
            region,
            image,
            add: Vec::new(),
            remove: Vec::new(),
        }
    }

    caller_setter!();
    token_setter!();

    /// Adds accounts to share the image with.
    pub fn share_with(mut self, accounts: impl IntoIterator<Item = AccountId>) -> Self {
        self.add.extend(accounts);
        self
    }

    /// Adds accounts to stop sharing the image with.
    pub fn unshare_with(mut self, accounts: impl IntoIterator<Item = AccountId>) -> Self {
        self.remove.extend(accounts);
        self
    }
}

/// `ExportImage` (Alibaba) / `ExportImages` (Tencent, one image): write an image's disks to
/// a bucket.
///
/// ```
/// use machine_image::engine::ExportImage;
/// use machine_image::export::{BucketName, ExportFormat, ExportScope, ObjectPrefix};
/// use machine_image::{AccountId, ImageId, RegionId};
/// let call = ExportImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("ap-guangzhou").unwrap(),
///     ImageId::new("img-abcd1234").unwrap(),
///     BucketName::new("exports-1250000000").unwrap(),
///     ObjectPrefix::new("web").unwrap(),
/// )
/// .format(ExportFormat::Qcow2)
/// .scope(ExportScope::SystemDiskOnly)
/// .client_token(machine_image::ClientToken::new("export-1").unwrap());
/// assert_eq!(call.request.format, ExportFormat::Qcow2);
/// assert!(call.client_token.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportImage {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token (`ClientToken`): a retry gets the first answer, the same task.
    #[serde(default)]
    pub client_token: Option<ClientToken>,
    /// The image's region (`RegionId`; Tencent's `Region`).
    pub region: RegionId,
    /// The image, bucket, prefix, format and scope.
    pub request: ExportRequest,
    /// Tencent `DryRun`: check only, change nothing.
    pub dry_run: bool,
}

impl ExportImage {
    /// `caller` exports `image` of `region` to `bucket`, its objects named after `prefix`:
    /// raw, the whole machine, not a dry run.
    pub fn new(
        caller: AccountId,
        region: RegionId,
        image: ImageId,
        bucket: BucketName,
        prefix: ObjectPrefix,
    ) -> Self {
        ExportImage::from_request(caller, region, ExportRequest::new(image, bucket, prefix))
    }

    /// `caller` asks for `request` in `region`.
    pub fn from_request(caller: AccountId, region: RegionId, request: ExportRequest) -> Self {
        ExportImage {
            caller: Some(caller),
            client_token: None,
            region,
            request,
            dry_run: false,
        }
    }

    caller_setter!();
    token_setter!();

    /// The file format (raw by default).
    pub fn format(mut self, format: ExportFormat) -> Self {
        self.request.format = format;
        self
    }

    /// The whole machine (the default) or the system disk only.
    pub fn scope(mut self, scope: ExportScope) -> Self {
        self.request.scope = scope;
        self
    }

    /// Tencent `DryRun`: check only, change nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
}

/// `CancelTask` for an export: end a queued or running export of the caller's.
///
/// ```
/// use machine_image::engine::CancelExport;
/// use machine_image::export::ExportTaskId;
/// use machine_image::{AccountId, RegionId};
/// let call = CancelExport::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ExportTaskId(1),
/// );
/// assert_eq!(call.task, ExportTaskId(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CancelExport {
    /// The calling account (the task's owner).
    pub caller: Option<AccountId>,
    /// Idempotency token (`ClientToken`): a retry gets the first answer.
    #[serde(default)]
    pub client_token: Option<ClientToken>,
    /// The region the call is made in (the task's).
    pub region: RegionId,
    /// The task.
    pub task: ExportTaskId,
}

impl CancelExport {
    /// `caller` cancels export `task` in `region`.
    pub fn new(caller: AccountId, region: RegionId, task: ExportTaskId) -> Self {
        CancelExport {
            caller: Some(caller),
            client_token: None,
            region,
            task,
        }
    }

    caller_setter!();
    token_setter!();
}

/// `ModifyImageAttribute`: rename one's own custom image (`ImageName`) or change its
/// description (Alibaba `Description`, Tencent `ImageDescription`). A parameter left unset
/// keeps its value. The name follows the provider's rules (Tencent: at most 60 characters,
/// [`ImageName::parse_for`]); the check order is in
/// [the engine docs](crate::engine#modifyimageattribute).
///
/// ```
/// use machine_image::engine::ModifyImageAttribute;
/// use machine_image::{AccountId, ClientToken, Description, ImageId, ImageName, RegionId};
/// let call = ModifyImageAttribute::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-source1").unwrap(),
/// )
/// .name(ImageName::new("web-v2").unwrap())
/// .description(Description::new("the second web image").unwrap())
/// .client_token(ClientToken::new("rename-1").unwrap());
/// assert_eq!(call.name.as_ref().map(|n| n.as_str()), Some("web-v2"));
/// assert!(call.description.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModifyImageAttribute {
    /// The calling account (the image's owner; `InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The image's region (`RegionId`; Tencent's `Region`).
    pub region: RegionId,
    /// The image (`ImageId`).
    pub image: ImageId,
    /// The new name (`ImageName`); `None` keeps the name.
    pub name: Option<ImageName>,
    /// The new description (`Description`; Tencent `ImageDescription`); `None` keeps it.
    pub description: Option<Description>,
}

impl ModifyImageAttribute {
    /// `caller` changes the attributes of `image` in `region`; with no setter it changes
    /// nothing.
    pub fn new(caller: AccountId, region: RegionId, image: ImageId) -> Self {
        ModifyImageAttribute {
            caller: Some(caller),
            client_token: None,
            region,
            image,
            name: None,
            description: None,
        }
    }

    caller_setter!();
    token_setter!();

    /// The new name.
    pub fn name(mut self, name: ImageName) -> Self {
        self.name = Some(name);
        self
    }

    /// The new description.
    pub fn description(mut self, description: Description) -> Self {
        self.description = Some(description);
        self
    }
}

/// `DeleteImages` (Tencent; `ImageIds`, `DryRun`): delete several images at once. Every
/// image is checked with the rules of [`DeleteImage`] before any is deleted, so the call
/// deletes all of them or none (the first failing image's refusal is the answer). The check
/// order is in [the engine docs](crate::engine#deleteimages).
///
/// ```
/// use machine_image::engine::DeleteImages;
/// use machine_image::{AccountId, ImageId, RegionId};
/// let call = DeleteImages::new(
///     AccountId::new("100000000001").unwrap(),
///     RegionId::new("ap-guangzhou").unwrap(),
///     [ImageId::new("img-abcd0001").unwrap(), ImageId::new("img-abcd0002").unwrap()],
/// )
/// .dry_run(true);
/// assert_eq!(call.images.len(), 2);
/// assert!(call.dry_run);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteImages {
    /// The calling account.
    pub caller: Option<AccountId>,
    /// Idempotency token.
    pub client_token: Option<ClientToken>,
    /// The images' region (`Region`).
    pub region: RegionId,
    /// The images (`ImageIds`), in the order given.
    pub images: Vec<ImageId>,
    /// `DryRun`: check only, change nothing.
    pub dry_run: bool,
}

impl DeleteImages {
    /// `caller` deletes `images` in `region`.
    pub fn new(
        caller: AccountId,
        region: RegionId,
        images: impl IntoIterator<Item = ImageId>,
    ) -> Self {
        DeleteImages {
            caller: Some(caller),
            client_token: None,
            region,
            images: images.into_iter().collect(),
            dry_run: false,
        }
    }

    caller_setter!();
    token_setter!();

    /// `DryRun`: check only, change nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
}

/// `ImportImage`: a custom image made from disk files outside the cloud, through a host
/// task (see [`crate::import`] for the states). Alibaba: `DiskDeviceMapping` (one
/// [`ImportDisk`] per disk, each an `OSSBucket`/`OSSObject` with its `Format` and
/// `DiskImageSize`), `ImageName`, `Description`, `Platform`/`OSType`, `Architecture`,
/// `ClientToken`. Tencent: `ImageUrl` (one disk), `OsType`, `OsVersion`, `Architecture`,
/// `ImageName`, `ImageDescription`, `DryRun`. The check order is in
/// [the engine docs](crate::engine#importimage).
///
/// ```
/// use machine_image::engine::ImportImage;
/// use machine_image::export::BucketName;
/// use machine_image::import::{Architecture, DiskSource, ImportDisk, ImportFormat};
/// use machine_image::{AccountId, ImageName, Platform, RegionId};
/// let system = ImportDisk::new(DiskSource::oss(BucketName::new("images")?, "web.qcow2"), 40)
///     .format(ImportFormat::Qcow2);
/// let call = ImportImage::new(
///     AccountId::new("1234567890123456")?,
///     RegionId::new("cn-hangzhou")?,
///     ImageName::new("imported-web")?,
///     [system],
/// )
/// .platform(Platform::Linux)
/// .architecture(Architecture::Arm64);
/// assert_eq!(call.disks.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportImage {
    /// The calling account (`InvalidAliUid.IsNull` when absent).
    pub caller: Option<AccountId>,
    /// Idempotency token (`ClientToken`).
    pub client_token: Option<ClientToken>,
    /// The region the image is made in (`RegionId`; Tencent `Region`).
    pub region: RegionId,
    /// The new image's name (`ImageName`).
    pub name: ImageName,
    /// Its description (`Description`; Tencent `ImageDescription`).
    pub description: Option<Description>,
    /// The disks, system disk first (`DiskDeviceMapping`; Tencent `ImageUrl`, one disk).
    pub disks: Vec<ImportDisk>,
    /// Linux or Windows (`Platform`/`OSType`; Tencent `OsType`).
    pub platform: Platform,
    /// Tencent `OsVersion`.
    pub os_version: Option<String>,
    /// `Architecture`.
    pub architecture: Architecture,
    /// Tencent `DryRun`: check only, change nothing.
    pub dry_run: bool,
}

impl ImportImage {
    /// `caller` imports `disks` (system disk first) as an image named `name` in `region`:
    /// Linux, x86_64, no description, not a dry run.
    pub fn new(
        caller: AccountId,
        region: RegionId,
        name: ImageName,
        disks: impl IntoIterator<Item = ImportDisk>,
    ) -> Self {
        ImportImage {
            caller: Some(caller),
            client_token: None,
            region,
            name,
            description: None,
            disks: disks.into_iter().collect(),
            platform: Platform::Linux,
            os_version: None,
            architecture: Architecture::X86_64,
            dry_run: false,
        }
    }

    caller_setter!();
    token_setter!();

    /// The description.
    pub fn description(mut self, description: Description) -> Self {
        self.description = Some(description);
        self
    }

    /// Linux (the default) or Windows.
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// Tencent `OsVersion` (free text, e.g. `"8.2"`).
    pub fn os_version(mut self, version: impl Into<String>) -> Self {
        self.os_version = Some(version.into());
        self
    }

    /// `x86_64` (the default) or `arm64`.
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Tencent `DryRun`: check only, change nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
}

macro_rules! into_call {
    ($($t:ident),*) => {$(
        impl From<$t> for ApiCall {
            fn from(c: $t) -> Self {
                ApiCall::$t(c)
            }
        }
    )*};
}

into_call!(
    CreateImage,
    CopyImage,
    CancelCopyImage,
    DeleteImage,
    ModifyImageSharePermission,
    ExportImage,
    CancelExport,
    ModifyImageAttribute,
    DeleteImages,
    ImportImage
);
