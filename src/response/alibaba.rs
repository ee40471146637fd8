//! Alibaba Cloud ECS response bodies: `{"RequestId": …, fields…}`.
//!
//! One struct per call that answers with more than its request id; the others
//! (`CancelCopyImage`, `DeleteImage`, `ModifyImageSharePermission`, `CancelTask`) answer
//! with [`Acknowledged`].
//!
//! # Example
//! ```
//! use machine_image::response::alibaba::{Acknowledged, CopyImageResponse};
//! use machine_image::{ImageId, RequestId};
//!
//! let request = RequestId::from_sequence(1);
//! let copy = ImageId::new("m-copy0001").unwrap();
//! assert_eq!(
//!     serde_json::to_string(&CopyImageResponse::new(&request, &copy)).unwrap(),
//!     r#"{"RequestId":"00000000-0000-4000-8000-000000000001","ImageId":"m-copy0001"}"#
//! );
//! assert_eq!(
//!     serde_json::to_string(&Acknowledged::new(&request)).unwrap(),
//!     r#"{"RequestId":"00000000-0000-4000-8000-000000000001"}"#
//! );
//! ```

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::engine::ImageView;
use crate::export::{ExportState, ExportTask, ExportTaskId};
use crate::id::{ImageId, RequestId};
use crate::region::RegionId;

/// A call that answers with its request id alone: `{"RequestId": …}`.
///
/// ```
/// use machine_image::RequestId;
/// use machine_image::response::alibaba::Acknowledged;
///
/// let request = RequestId::from_sequence(7);
/// let body = Acknowledged::new(&request); // DeleteImage, CancelCopyImage, …
/// assert_eq!(serde_json::to_string(&body)?, r#"{"RequestId":"00000000-0000-4000-8000-000000000007"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Acknowledged<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> Acknowledged<'a> {
    /// The body of request `request`.
    pub fn new(request: &'a RequestId) -> Self {
        Acknowledged {
            request_id: request.as_str(),
        }
    }
}

/// `CopyImage`: `{"RequestId", "ImageId"}`, the id of the new image in the destination
/// region.
///
/// ```
/// use machine_image::response::alibaba::CopyImageResponse;
/// use machine_image::{ImageId, RequestId};
///
/// let request = RequestId::from_sequence(1);
/// let copy = ImageId::new("m-copy0001")?; // an `AcceptedCopy`'s image
/// let body = CopyImageResponse::new(&request, &copy);
/// assert_eq!(body.image_id, "m-copy0001");
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000001","ImageId":"m-copy0001"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CopyImageResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `ImageId`: the copy.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
}

impl<'a> CopyImageResponse<'a> {
    /// The body for the copy `image`.
    pub fn new(request: &'a RequestId, image: &'a ImageId) -> Self {
        CopyImageResponse {
            request_id: request.as_str(),
            image_id: image.as_str(),
        }
    }
}

/// `DescribeImages`: `{"RequestId", "Images": {"Image": […]}, "TotalCount"}`.
///
/// ```
/// use machine_image::response::alibaba::DescribeImagesResponse;
/// use machine_image::RequestId;
///
/// let request = RequestId::from_sequence(2);
/// let body = DescribeImagesResponse::new(&request, &[]);
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000002","Images":{"Image":[]},"TotalCount":0}"#
/// );
/// ```
/// Each image is an [`ImageItem`]; see its page for an image's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DescribeImagesResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `Images`.
    #[serde(rename = "Images")]
    pub images: Images<'a>,
    /// `TotalCount`: the number of images listed.
    #[serde(rename = "TotalCount")]
    pub total_count: u64,
}

impl<'a> DescribeImagesResponse<'a> {
    /// The body listing `views` (what [`crate::ImageService::describe_images`] answered),
    /// in order.
    pub fn new(request: &'a RequestId, views: &[ImageView<'a>]) -> Self {
        DescribeImagesResponse {
            request_id: request.as_str(),
            images: Images {
                image: views.iter().map(ImageItem::new).collect(),
            },
            total_count: views.len() as u64,
        }
    }
}

/// `Images` of [`DescribeImagesResponse`]: `{"Image": […]}`.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageFilter, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, RequestId, Tags};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let owner = AccountId::new("1234567890123456")?;
/// # let image = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner.clone(), ImageName::new("web")?, vec![])
/// #     .tags(Tags::from_pairs([("env", "prod")])?)
/// #     .build()?;
/// # service.register(t0, Fixture::Image(image))?;
/// use machine_image::response::alibaba::DescribeImagesResponse;
/// // `owner` has one custom image, `m-web0001`, tagged `env=prod` (hidden above).
/// let views = service.describe_images(&owner, &ImageFilter::default());
/// let request = RequestId::from_sequence(2);
/// let body = DescribeImagesResponse::new(&request, &views);
/// assert_eq!(body.total_count, 1);
/// assert_eq!(body.images.image[0].image_id, "m-web0001");
/// assert_eq!(body.images.image[0].image_owner_alias, "self");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Images<'a> {
    /// `Image`: the images.
    #[serde(rename = "Image")]
    pub image: Vec<ImageItem<'a>>,
}

/// One image of [`DescribeImagesResponse`], built from an engine's view with
/// [`ImageItem::new`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::response::alibaba::{ImageItem, ImageTags};
///
/// let image = ImageItem {
///     image_id: "m-src0001",
///     image_name: "web",
///     region_id: "cn-hangzhou",
///     status: "Creating",
///     progress: 40,
///     image_owner_alias: "self",
///     owner_id: "1234567890123456",
///     description: "",
///     platform: "Linux",
///     size: 40,
///     creation_time: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
///     tags: ImageTags { tag: Vec::new() },
///     is_copied: true,
///     copied_from_image_id: "m-orig0001",
/// };
/// assert_eq!(
///     serde_json::to_string(&image).unwrap(),
///     concat!(
///         r#"{"ImageId":"m-src0001","ImageName":"web","RegionId":"cn-hangzhou","#,
///         r#""Status":"Creating","Progress":"40%","ImageOwnerAlias":"self","#,
///         r#""OwnerId":"1234567890123456","Description":"","Platform":"Linux","Size":40,"#,
///         r#""CreationTime":"2026-01-01T00:00:00Z","Tags":{"Tag":[]},"IsCopied":true,"#,
///         r#""CopiedFromImageId":"m-orig0001"}"#,
///     )
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageItem<'a> {
    /// `ImageId`.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `ImageName`.
    #[serde(rename = "ImageName")]
    pub image_name: &'a str,
    /// `RegionId`: the image's region.
    #[serde(rename = "RegionId")]
    pub region_id: &'a str,
    /// `Status`: `Available`, `Creating`, `Waiting`, `CreateFailed`, ….
    #[serde(rename = "Status")]
    pub status: &'a str,
    /// `Progress`, written as a percentage string (`"40%"`).
    #[serde(rename = "Progress", serialize_with = "super::percent")]
    pub progress: u8,
    /// `ImageOwnerAlias`: `self`, `others`, `system` or `marketplace`, from the caller's
    /// side.
    #[serde(rename = "ImageOwnerAlias")]
    pub image_owner_alias: &'a str,
    /// `OwnerId`: the owning account.
    #[serde(rename = "OwnerId")]
    pub owner_id: &'a str,
    /// `Description` (empty when none).
    #[serde(rename = "Description")]
    pub description: &'a str,
    /// `Platform`.
    #[serde(rename = "Platform")]
    pub platform: &'a str,
    /// `Size` in GiB.
    #[serde(rename = "Size")]
    pub size: u64,
    /// `CreationTime` (`2026-01-01T00:00:00Z`).
    #[serde(rename = "CreationTime", serialize_with = "super::wire_time")]
    pub creation_time: DateTime<Utc>,
    /// `Tags`.
    #[serde(rename = "Tags")]
    pub tags: ImageTags<'a>,
    /// `IsCopied`: whether the image is a copy.
    #[serde(rename = "IsCopied")]
    pub is_copied: bool,
    /// `CopiedFromImageId`: the image it was copied from (empty when it is no copy).
    #[serde(rename = "CopiedFromImageId")]
    pub copied_from_image_id: &'a str,
}

impl<'a> ImageItem<'a> {
    /// The image of `view`, from the caller's side.
    pub fn new(view: &ImageView<'a>) -> Self {
        let i = view.image;
        ImageItem {
            image_id: i.id.as_str(),
            image_name: i.name.as_str(),
            region_id: i.region.as_str(),
            status: i.status.as_str(),
            progress: i.progress,
            image_owner_alias: view.owner_alias.as_str(),
            owner_id: i.owner.as_str(),
            description: i.description.as_ref().map_or("", |d| d.as_str()),
            platform: i.platform.into(),
            size: i.size_gib,
            creation_time: i.created_at,
            tags: ImageTags {
                tag: i
                    .tags
                    .as_slice()
                    .iter()
                    .map(|t| ImageTag {
                        tag_key: t.key.as_str(),
                        tag_value: t.value.as_str(),
                    })
                    .collect(),
            },
            is_copied: i.copied_from.is_some(),
            copied_from_image_id: i.copied_from.as_ref().map_or("", |c| c.as_str()),
        }
    }
}

/// `Tags` of an [`ImageItem`]: `{"Tag": [{"TagKey", "TagValue"}]}`.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageFilter, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, RequestId, Tags};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let owner = AccountId::new("1234567890123456")?;
/// # let image = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner.clone(), ImageName::new("web")?, vec![])
/// #     .tags(Tags::from_pairs([("env", "prod")])?)
/// #     .build()?;
/// # service.register(t0, Fixture::Image(image))?;
/// use machine_image::response::alibaba::ImageItem;
/// // `owner` has one custom image, `m-web0001`, tagged `env=prod` (hidden above).
/// let views = service.describe_images(&owner, &ImageFilter::default());
/// let item = ImageItem::new(&views[0]);
/// assert_eq!(serde_json::to_string(&item.tags)?, r#"{"Tag":[{"TagKey":"env","TagValue":"prod"}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageTags<'a> {
    /// `Tag`: the tags.
    #[serde(rename = "Tag")]
    pub tag: Vec<ImageTag<'a>>,
}

/// One tag of [`ImageTags`].
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageFilter, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, RequestId, Tags};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let owner = AccountId::new("1234567890123456")?;
/// # let image = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner.clone(), ImageName::new("web")?, vec![])
/// #     .tags(Tags::from_pairs([("env", "prod")])?)
/// #     .build()?;
/// # service.register(t0, Fixture::Image(image))?;
/// use machine_image::response::alibaba::ImageItem;
/// // `owner` has one custom image, `m-web0001`, tagged `env=prod` (hidden above).
/// let views = service.describe_images(&owner, &ImageFilter::default());
/// let tag = ImageItem::new(&views[0]).tags.tag[0];
/// assert_eq!((tag.tag_key, tag.tag_value), ("env", "prod"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImageTag<'a> {
    /// `TagKey`.
    #[serde(rename = "TagKey")]
    pub tag_key: &'a str,
    /// `TagValue`.
    #[serde(rename = "TagValue")]
    pub tag_value: &'a str,
}

/// An export task id as Alibaba writes it: `t-` and eight digits (`t-00000001`).
fn task_id<S: Serializer>(id: &ExportTaskId, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("t-{:08}", id.0))
}

/// `ExportImage`: `{"RequestId", "TaskId", "RegionId"}`.
///
/// ```
/// use machine_image::export::ExportTaskId;
/// use machine_image::response::alibaba::ExportImageResponse;
/// use machine_image::{RegionId, RequestId};
///
/// let request = RequestId::from_sequence(3);
/// let region = RegionId::new("cn-hangzhou").unwrap();
/// let body = ExportImageResponse::new(&request, ExportTaskId(1), &region);
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000003","TaskId":"t-00000001","RegionId":"cn-hangzhou"}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExportImageResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `TaskId`, written `t-00000001`.
    #[serde(rename = "TaskId", serialize_with = "task_id")]
    pub task_id: ExportTaskId,
    /// `RegionId`: the region of the image (and the task).
    #[serde(rename = "RegionId")]
    pub region_id: &'a str,
}

impl<'a> ExportImageResponse<'a> {
    /// The body for the accepted export `task` in `region`.
    pub fn new(request: &'a RequestId, task: ExportTaskId, region: &'a RegionId) -> Self {
        ExportImageResponse {
            request_id: request.as_str(),
            task_id: task,
            region_id: region.as_str(),
        }
    }
}

/// `DescribeTasks` (export tasks): `{"RequestId", "TaskSet": {"Task": […]}, "TotalCount",
/// "RegionId"}`.
///
/// ```
/// use machine_image::response::alibaba::DescribeTasksResponse;
/// use machine_image::{RegionId, RequestId};
///
/// let request = RequestId::from_sequence(4);
/// let region = RegionId::new("cn-hangzhou").unwrap();
/// let body = DescribeTasksResponse::new(&request, [], &region);
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"RequestId":"00000000-0000-4000-8000-000000000004","TaskSet":{"Task":[]},"TotalCount":0,"RegionId":"cn-hangzhou"}"#
/// );
/// ```
/// Each task is a [`TaskItem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DescribeTasksResponse<'a> {
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    /// `TaskSet`.
    #[serde(rename = "TaskSet")]
    pub task_set: TaskSet,
    /// `TotalCount`: the number of tasks listed.
    #[serde(rename = "TotalCount")]
    pub total_count: u64,
    /// `RegionId`: the region asked about.
    #[serde(rename = "RegionId")]
    pub region_id: &'a str,
}

impl<'a> DescribeTasksResponse<'a> {
    /// The body listing `tasks` in order.
    pub fn new<'t>(
        request: &'a RequestId,
        tasks: impl IntoIterator<Item = &'t ExportTask>,
        region: &'a RegionId,
    ) -> Self {
        let task: Vec<TaskItem> = tasks.into_iter().map(TaskItem::new).collect();
        DescribeTasksResponse {
            request_id: request.as_str(),
            total_count: task.len() as u64,
            task_set: TaskSet { task },
            region_id: region.as_str(),
        }
    }
}

/// `TaskSet` of [`DescribeTasksResponse`]: `{"Task": […]}`.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{ExportImage, Fixture, ImageService};
/// # use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// # use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # service.register(t0, Fixture::Account(Account::new(owner.clone(), 10, 100).enable_export(true)))?;
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// # let bucket = BucketName::new("my-images")?;
/// # service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), hz.clone(), owner.clone())))?;
/// use machine_image::RequestId;
/// use machine_image::response::alibaba::DescribeTasksResponse;
/// // An export of `src` to `bucket` (fixtures hidden above).
/// service.call(t0, ExportImage::new(owner, hz.clone(), src, bucket, ObjectPrefix::new("web")?))?;
/// let request = RequestId::from_sequence(4);
/// let body = DescribeTasksResponse::new(&request, service.state().exports(), &hz);
/// assert_eq!(body.task_set.task.len(), 1);
/// assert_eq!(body.task_set.task[0].task_status, "Waiting");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskSet {
    /// `Task`: the tasks.
    #[serde(rename = "Task")]
    pub task: Vec<TaskItem>,
}

/// One task of [`DescribeTasksResponse`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::export::{ExportTaskId, ExportState};
/// use machine_image::response::alibaba::TaskItem;
///
/// let task = TaskItem {
///     task_id: ExportTaskId(1),
///     task_action: "ExportImage",
///     task_status: TaskItem::status(ExportState::Running),
///     task_process: 40,
///     support_cancel: true,
///     creation_time: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
///     finished_time: None,
/// };
/// assert_eq!(
///     serde_json::to_string(&task).unwrap(),
///     r#"{"TaskId":"t-00000001","TaskAction":"ExportImage","TaskStatus":"Processing","TaskProcess":"40%","SupportCancel":true,"CreationTime":"2026-01-01T00:00:00Z"}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaskItem {
    /// `TaskId`, written `t-00000001`.
    #[serde(rename = "TaskId", serialize_with = "task_id")]
    pub task_id: ExportTaskId,
    /// `TaskAction`: `ExportImage`.
    #[serde(rename = "TaskAction")]
    pub task_action: &'static str,
    /// `TaskStatus` ([`TaskItem::status`]).
    #[serde(rename = "TaskStatus")]
    pub task_status: &'static str,
    /// `TaskProcess`, written as a percentage string (`"40%"`).
    #[serde(rename = "TaskProcess", serialize_with = "super::percent")]
    pub task_process: u8,
    /// `SupportCancel`: whether the task can still be cancelled.
    #[serde(rename = "SupportCancel")]
    pub support_cancel: bool,
    /// `CreationTime`: when it was accepted.
    #[serde(rename = "CreationTime", serialize_with = "super::rfc3339")]
    pub creation_time: DateTime<Utc>,
    /// `FinishedTime`: when it ended; absent while it runs.
    #[serde(
        rename = "FinishedTime",
        serialize_with = "super::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub finished_time: Option<DateTime<Utc>>,
}

impl TaskItem {
    /// The export task `t`.
    pub fn new(t: &ExportTask) -> Self {
        TaskItem {
            task_id: t.id,
            task_action: "ExportImage",
            task_status: TaskItem::status(t.state()),
            task_process: t.progress(),
            support_cancel: t.state().is_live(),
            creation_time: t.queued_at(),
            finished_time: t.ended_at(),
        }
    }

    /// `TaskStatus` of a task in `state`: `Waiting`, `Processing`, `Finished`, `Failed`,
    /// and `Cancelled` (the crate's name for a cancelled task).
    pub fn status(state: ExportState) -> &'static str {
        match state {
            ExportState::Queued => "Waiting",
            ExportState::Running => "Processing",
            ExportState::Succeeded => "Finished",
            ExportState::Failed => "Failed",
            ExportState::Cancelled => "Cancelled",
        }
    }
}
