//! The bodies of the image lifecycle calls beyond copies (issue 17): `CreateImage`,
//! `ImportImage` and `DescribeImageSharePermission`, in both providers' shapes. The calls
//! that answer with their request id alone (`ModifyImageAttribute`, `DeleteImages`, a
//! `DryRun` that passes) use [`alibaba::Acknowledged`](super::alibaba::Acknowledged) and
//! [`tencent::Acknowledged`](super::tencent::Acknowledged).
//!
//! ```
//! use machine_image::response::lifecycle::{AlibabaImageCreated, TencentImageCreated};
//! use machine_image::response::tencent::Envelope;
//! use machine_image::{ImageId, RequestId};
//!
//! let request = RequestId::from_sequence(2);
//! let image = ImageId::new("m-created01")?;
//! assert_eq!(
//!     serde_json::to_string(&AlibabaImageCreated::new(&request, &image))?,
//!     r#"{"RequestId":"00000000-0000-4000-8000-000000000002","ImageId":"m-created01"}"#
//! );
//! assert_eq!(
//!     serde_json::to_string(&Envelope::new(TencentImageCreated::new(&request, &image)))?,
//!     r#"{"Response":{"ImageId":"m-created01","RequestId":"00000000-0000-4000-8000-000000000002"}}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use crate::id::{AccountId, ImageId, RequestId};
use crate::import::ImportTaskId;
use crate::region::RegionId;

/// Alibaba `CreateImage`: `{"RequestId", "ImageId"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlibabaImageCreated<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `ImageId`: the new image.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
}

impl<'a> AlibabaImageCreated<'a> {
    /// The body for the new `image`.
    pub fn new(request: &'a RequestId, image: &'a ImageId) -> Self {
        AlibabaImageCreated {
            request_id: request.as_str(),
            image_id: image.as_str(),
        }
    }
}

/// Tencent `CreateImage`: `{"ImageId", "RequestId"}` (inside
/// [`Envelope`](super::tencent::Envelope)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TencentImageCreated<'a> {
    /// `ImageId`: the new image.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> TencentImageCreated<'a> {
    /// The body for the new `image`.
    pub fn new(request: &'a RequestId, image: &'a ImageId) -> Self {
        TencentImageCreated {
            image_id: image.as_str(),
            request_id: request.as_str(),
        }
    }
}

/// Tencent `ImportImage`: `{"ImageId", "RequestId"}` (inside
/// [`Envelope`](super::tencent::Envelope)), the shape of [`TencentImageCreated`]: the SDK's
/// `ImportImageResponseParams` carries the image being imported's `ImageId`
/// (`tencentcloud-sdk-go` `tencentcloud/cvm/v20170312/models.go:5608`).
///
/// ```
/// use machine_image::response::lifecycle::TencentImageImported;
/// use machine_image::response::tencent::Envelope;
/// use machine_image::{ImageId, RequestId};
///
/// let request = RequestId::from_sequence(4);
/// let image = ImageId::new("img-00000001")?;
/// assert_eq!(
///     serde_json::to_string(&Envelope::new(TencentImageImported::new(&request, &image)))?,
///     r#"{"Response":{"ImageId":"img-00000001","RequestId":"00000000-0000-4000-8000-000000000004"}}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type TencentImageImported<'a> = TencentImageCreated<'a>;

/// Alibaba `ImportImage`: `{"RequestId", "ImageId", "RegionId", "TaskId"}`; the task id
/// is written `t-import` and eight digits, apart from the export tasks' `t-` ids.
///
/// ```
/// use machine_image::import::ImportTaskId;
/// use machine_image::response::lifecycle::{import_task_id, AlibabaImageImported};
/// use machine_image::{ImageId, RegionId, RequestId};
///
/// let request = RequestId::from_sequence(1);
/// let (image, region) = (ImageId::new("m-import01")?, RegionId::new("cn-hangzhou")?);
/// let task = import_task_id(ImportTaskId(1));
/// let body = AlibabaImageImported::new(&request, &image, &region, &task);
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000001","ImageId":"m-import01","RegionId":"cn-hangzhou","TaskId":"t-import00000001"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlibabaImageImported<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `ImageId`: the image being imported.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `RegionId`.
    #[serde(rename = "RegionId")]
    pub region_id: &'a str,
    /// `TaskId`: the import task.
    #[serde(rename = "TaskId")]
    pub task_id: &'a str,
}

impl<'a> AlibabaImageImported<'a> {
    /// The body for an import of `image` in `region` by task `task` (see
    /// [`import_task_id`]).
    pub fn new(
        request: &'a RequestId,
        image: &'a ImageId,
        region: &'a RegionId,
        task: &'a str,
    ) -> Self {
        AlibabaImageImported {
            request_id: request.as_str(),
            image_id: image.as_str(),
            region_id: region.as_str(),
            task_id: task,
        }
    }
}

/// The wire form of an import task's id on Alibaba: `t-import` and eight digits.
pub fn import_task_id(task: ImportTaskId) -> String {
    format!("t-import{:08}", task.0)
}

/// Alibaba `DescribeImageSharePermission`: `{"RequestId", "RegionId", "ImageId",
/// "ShareGroups": {"ShareGroup": []}, "Accounts": {"Account": [{"AliyunId"}]},
/// "TotalCount", "PageNumber", "PageSize"}`: one page of the accounts (the model has no
/// share groups). The call pages with `PageNumber` (from 1) and `PageSize` (1 to 100,
/// default 10: "By default, 10 entries are displayed on each page", Alibaba's
/// `DescribeImageSharePermission` reference; the request fields are `alibaba-cloud-sdk-go`
/// `services/ecs/describe_image_share_permission.go:76`), and `PageSize` echoes the page
/// size asked for, not the number of accounts on the page.
///
/// ```
/// use machine_image::response::lifecycle::AlibabaSharePermissions;
/// use machine_image::{AccountId, ImageId, RegionId, RequestId};
///
/// let request = RequestId::from_sequence(1);
/// let (image, region) = (ImageId::new("m-web00001")?, RegionId::new("cn-hangzhou")?);
/// let accounts = [AccountId::new("2000000000000002")?];
/// let body = AlibabaSharePermissions::new(&request, &region, &image, &accounts);
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000001","RegionId":"cn-hangzhou","ImageId":"m-web00001","ShareGroups":{"ShareGroup":[]},"Accounts":{"Account":[{"AliyunId":"2000000000000002"}]},"TotalCount":1,"PageNumber":1,"PageSize":10}"#
/// );
/// // The second page of one account a page:
/// let accounts = [AccountId::new("2000000000000002")?, AccountId::new("2000000000000003")?];
/// let body = AlibabaSharePermissions::page(&request, &region, &image, &accounts, 2, 1);
/// assert_eq!(body.accounts.account[0].aliyun_id, "2000000000000003");
/// assert_eq!((body.total_count, body.page_number, body.page_size), (2, 2, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlibabaSharePermissions<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `RegionId`.
    #[serde(rename = "RegionId")]
    pub region_id: &'a str,
    /// `ImageId`.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `ShareGroups`: none in the model.
    #[serde(rename = "ShareGroups")]
    pub share_groups: ShareGroups,
    /// `Accounts`.
    #[serde(rename = "Accounts")]
    pub accounts: SharedAccounts<'a>,
    /// `TotalCount`.
    #[serde(rename = "TotalCount")]
    pub total_count: usize,
    /// `PageNumber`: the page shown, from 1.
    #[serde(rename = "PageNumber")]
    pub page_number: usize,
    /// `PageSize`: the page size asked for (10 by default).
    #[serde(rename = "PageSize")]
    pub page_size: usize,
}

/// `ShareGroups`: `{"ShareGroup": []}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShareGroups {
    /// `ShareGroup`: always empty (the model shares with accounts only).
    #[serde(rename = "ShareGroup")]
    pub share_group: [(); 0],
}

/// `Accounts`: `{"Account": [{"AliyunId"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedAccounts<'a> {
    /// `Account`.
    #[serde(rename = "Account")]
    pub account: Vec<AliyunId<'a>>,
}

/// One account: `{"AliyunId"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AliyunId<'a> {
    /// `AliyunId`.
    #[serde(rename = "AliyunId")]
    pub aliyun_id: &'a str,
}

impl<'a> AlibabaSharePermissions<'a> {
    /// The page size Alibaba uses when the call gives none.
    pub const DEFAULT_PAGE_SIZE: usize = 10;

    /// The first page, of [`Self::DEFAULT_PAGE_SIZE`] accounts, of `accounts`, the
    /// accounts `image` in `region` is shared with.
    pub fn new(
        request: &'a RequestId,
        region: &'a RegionId,
        image: &'a ImageId,
        accounts: &'a [AccountId],
    ) -> Self {
        Self::page(request, region, image, accounts, 1, Self::DEFAULT_PAGE_SIZE)
    }

    /// Page `page_number` (from 1) of `page_size` accounts of `accounts`; a page past the
    /// end lists none.
    pub fn page(
        request: &'a RequestId,
        region: &'a RegionId,
        image: &'a ImageId,
        accounts: &'a [AccountId],
        page_number: usize,
        page_size: usize,
    ) -> Self {
        let skip = page_number.saturating_sub(1).saturating_mul(page_size);
        AlibabaSharePermissions {
            request_id: request.as_str(),
            region_id: region.as_str(),
            image_id: image.as_str(),
            share_groups: ShareGroups::default(),
            accounts: SharedAccounts {
                account: accounts
                    .iter()
                    .skip(skip)
                    .take(page_size)
                    .map(|a| AliyunId {
                        aliyun_id: a.as_str(),
                    })
                    .collect(),
            },
            total_count: accounts.len(),
            page_number,
            page_size,
        }
    }
}

/// Tencent `DescribeImageSharePermission`: `{"SharePermissionSet": [{"AccountId"}],
/// "RequestId"}` (inside [`Envelope`](super::tencent::Envelope)). Tencent's entries also
/// carry `CreatedTime`, when the share was made; the model does not keep that time, so the
/// field is left out rather than made up.
///
/// ```
/// use machine_image::response::lifecycle::TencentSharePermissions;
/// use machine_image::response::tencent::Envelope;
/// use machine_image::{AccountId, RequestId};
///
/// let request = RequestId::from_sequence(1);
/// let accounts = [AccountId::new("100000000002")?];
/// let body = Envelope::new(TencentSharePermissions::new(&request, &accounts));
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"Response":{"SharePermissionSet":[{"AccountId":"100000000002"}],"RequestId":"00000000-0000-4000-8000-000000000001"}}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TencentSharePermissions<'a> {
    /// `SharePermissionSet`.
    #[serde(rename = "SharePermissionSet")]
    pub share_permission_set: Vec<SharePermission<'a>>,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

/// One entry of `SharePermissionSet`: `{"AccountId"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SharePermission<'a> {
    /// `AccountId`.
    #[serde(rename = "AccountId")]
    pub account_id: &'a str,
}

impl<'a> TencentSharePermissions<'a> {
    /// The body listing `accounts`.
    pub fn new(request: &'a RequestId, accounts: &'a [AccountId]) -> Self {
        TencentSharePermissions {
            share_permission_set: accounts
                .iter()
                .map(|a| SharePermission {
                    account_id: a.as_str(),
                })
                .collect(),
            request_id: request.as_str(),
        }
    }
}
