//! Tencent Cloud CVM response bodies: `{"Response": {fields…, "RequestId": …}}`.
//!
//! Each body is the inner object; [`Envelope`] wraps it in `Response`. Calls that answer
//! with their request id alone (`ModifyImageSharePermission`, a `DryRun` that passes) use
//! [`Acknowledged`].
//!
//! # Example
//! ```
//! use machine_image::response::tencent::{Acknowledged, Envelope, SyncImage, SyncImagesResponse};
//! use machine_image::RequestId;
//!
//! let request = RequestId::from_sequence(1);
//! assert_eq!(
//!     serde_json::to_string(&Envelope::new(Acknowledged::new(&request))).unwrap(),
//!     r#"{"Response":{"RequestId":"00000000-0000-4000-8000-000000000001"}}"#
//! );
//! let synced = SyncImagesResponse {
//!     image_set: Some(vec![SyncImage { image_id: "img-0000002a", region: "ap-shanghai" }]),
//!     request_id: request.as_str(),
//! };
//! assert_eq!(
//!     serde_json::to_string(&Envelope::new(synced)).unwrap(),
//!     r#"{"Response":{"ImageSet":[{"ImageId":"img-0000002a","Region":"ap-shanghai"}],"RequestId":"00000000-0000-4000-8000-000000000001"}}"#
//! );
//! ```

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::ImageView;
use crate::export::ExportTaskId;
use crate::id::{ImageId, RequestId};
use crate::region::RegionId;

/// Every Tencent body: `{"Response": body}`.
///
/// ```
/// use machine_image::RequestId;
/// use machine_image::response::tencent::{Acknowledged, Envelope};
///
/// let request = RequestId::from_sequence(1);
/// let body = Envelope::new(Acknowledged::new(&request));
/// assert_eq!(body.response.request_id, request.as_str());
/// assert_eq!(serde_json::to_string(&body)?, r#"{"Response":{"RequestId":"00000000-0000-4000-8000-000000000001"}}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Envelope<T> {
    /// `Response`: the body.
    #[serde(rename = "Response")]
    pub response: T,
}

impl<T> Envelope<T> {
    /// `body`, wrapped.
    pub fn new(body: T) -> Self {
        Envelope { response: body }
    }
}

/// A call that answers with its request id alone: `{"RequestId": …}` (inside
/// [`Envelope`]).
///
/// ```
/// use machine_image::RequestId;
/// use machine_image::response::tencent::{Acknowledged, Envelope};
///
/// // `ModifyImageSharePermission`, or a `DryRun` that passes:
/// let request = RequestId::from_sequence(3);
/// let json = serde_json::to_string(&Envelope::new(Acknowledged::new(&request)))?;
/// assert_eq!(json, r#"{"Response":{"RequestId":"00000000-0000-4000-8000-000000000003"}}"#);
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

/// `SyncImages`: `{"ImageSet": [{"ImageId", "Region"}], "RequestId"}`; `ImageSet` only when
/// the call set `ImageSetRequired` (see the module example).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # let disk = SnapshotId::new("snap-sys00001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(50).build()?))?;
/// use machine_image::RequestId;
/// use machine_image::engine::CopyImage;
/// use machine_image::response::tencent::SyncImagesResponse;
/// // `src`, a custom image of `owner` in ap-guangzhou (hidden above), synced to Shanghai.
/// let copies = service.call(t0, CopyImage::new(owner, gz, src, [RegionId::new("ap-shanghai")?]))?;
/// let request = RequestId::from_sequence(1);
/// let new_images = copies.iter().map(|c| (&c.image, &c.region));
/// let body = SyncImagesResponse::new(&request, new_images.clone(), true);
/// assert_eq!(body.image_set.as_ref().map(Vec::len), Some(1));
/// let without = SyncImagesResponse::new(&request, new_images, false); // not `ImageSetRequired`
/// assert_eq!(without.image_set, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncImagesResponse<'a> {
    /// `ImageSet`: the new images, one per destination; absent unless asked for.
    #[serde(rename = "ImageSet", skip_serializing_if = "Option::is_none")]
    pub image_set: Option<Vec<SyncImage<'a>>>,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> SyncImagesResponse<'a> {
    /// The body for the copies `copies` (image and region each), listed when
    /// `image_set_required`.
    pub fn new(
        request: &'a RequestId,
        copies: impl IntoIterator<Item = (&'a ImageId, &'a RegionId)>,
        image_set_required: bool,
    ) -> Self {
        SyncImagesResponse {
            image_set: image_set_required.then(|| {
                copies
                    .into_iter()
                    .map(|(image, region)| SyncImage {
                        image_id: image.as_str(),
                        region: region.as_str(),
                    })
                    .collect()
            }),
            request_id: request.as_str(),
        }
    }
}

/// One new image of [`SyncImagesResponse`].
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::tencent());
/// # let (owner, gz) = (AccountId::new("100000000001")?, RegionId::new("ap-guangzhou")?);
/// # let disk = SnapshotId::new("snap-sys00001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), gz.clone(), owner.clone(), t0, 50)))?;
/// # let src = ImageId::new("img-web00001")?;
/// # let image = Image::custom(src.clone(), gz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(50).build()?))?;
/// use machine_image::RequestId;
/// use machine_image::engine::CopyImage;
/// use machine_image::response::tencent::SyncImagesResponse;
/// // `src`, a custom image of `owner` in ap-guangzhou (hidden above), synced to Shanghai.
/// let copies = service.call(t0, CopyImage::new(owner, gz, src, [RegionId::new("ap-shanghai")?]))?;
/// let request = RequestId::from_sequence(1);
/// let body = SyncImagesResponse::new(&request, copies.iter().map(|c| (&c.image, &c.region)), true);
/// let synced = body.image_set.expect("asked for")[0];
/// assert_eq!(synced.region, "ap-shanghai");
/// assert!(synced.image_id.starts_with("img-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncImage<'a> {
    /// `ImageId`: the copy.
    #[serde(rename = "ImageId")]
    pub image_id: &'a str,
    /// `Region`: its region.
    #[serde(rename = "Region")]
    pub region: &'a str,
}

/// `DescribeImages`: `{"ImageSet": […], "TotalCount", "RequestId"}`.
///
/// ```
/// use machine_image::response::tencent::{DescribeImagesResponse, Envelope};
/// use machine_image::RequestId;
///
/// let request = RequestId::from_sequence(2);
/// let body = Envelope::new(DescribeImagesResponse::new(&request, &[]));
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"Response":{"ImageSet":[],"TotalCount":0,"RequestId":"00000000-0000-4000-8000-000000000002"}}"#
/// );
/// ```
/// Each image is an [`ImageItem`]; see its page for an image's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DescribeImagesResponse<'a> {
    /// `ImageSet`: the images.
    #[serde(rename = "ImageSet")]
    pub image_set: Vec<ImageItem<'a>>,
    /// `TotalCount`: the number of images listed.
    #[serde(rename = "TotalCount")]
    pub total_count: u64,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> DescribeImagesResponse<'a> {
    /// The body listing `views` (what [`crate::ImageService::describe_images`] answered),
    /// in order.
    pub fn new(request: &'a RequestId, views: &[ImageView<'a>]) -> Self {
        DescribeImagesResponse {
            image_set: views.iter().map(ImageItem::new).collect(),
            total_count: views.len() as u64,
            request_id: request.as_str(),
        }
    }
}

/// One image of [`DescribeImagesResponse`], built from an engine's view with
/// [`ImageItem::new`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::response::tencent::{ImageItem, Tag};
///
/// let image = ImageItem {
///     image_id: "img-0000002a",
///     image_name: "web",
///     image_description: "",
///     image_state: "SYNCING",
///     image_source: "CREATE_IMAGE",
///     image_type: "PRIVATE_IMAGE",
///     image_creator: "100000000001",
///     platform: "Linux",
///     image_size: 50,
///     sync_percent: 40,
///     created_time: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
///     tags: vec![Tag { key: "team", value: "web" }],
/// };
/// assert_eq!(
///     serde_json::to_string(&image).unwrap(),
///     concat!(
///         r#"{"ImageId":"img-0000002a","ImageName":"web","ImageDescription":"","#,
///         r#""ImageState":"SYNCING","ImageSource":"CREATE_IMAGE","ImageType":"PRIVATE_IMAGE","#,
///         r#""ImageCreator":"100000000001","Platform":"Linux","ImageSize":50,"#,
///         r#""SyncPercent":40,"CreatedTime":"2026-01-01T00:00:00Z","#,
///         r#""Tags":[{"Key":"team","Value":"web"}]}"#,
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
    /// `ImageDescription` (empty when none).
    #[serde(rename = "ImageDescription")]
    pub image_description: &'a str,
    /// `ImageState`: `NORMAL`, `SYNCING`, `CREATING`, `CREATEFAILED`, `IMPORTING`,
    /// `IMPORTFAILED`, … ([`crate::Image::tencent_state`]).
    #[serde(rename = "ImageState")]
    pub image_state: &'a str,
    /// `ImageSource`: `OFFICIAL`, `CREATE_IMAGE`, `EXTERNAL_IMPORT` (the SDK's values,
    /// `tencentcloud-sdk-go` `cvm/v20170312/models.go:5410`) or `MARKET`
    /// ([`crate::Image::tencent_source`]).
    #[serde(rename = "ImageSource")]
    pub image_source: &'a str,
    /// `ImageType`: `PRIVATE_IMAGE`, `SHARED_IMAGE`, `PUBLIC_IMAGE` or `MARKET_IMAGE`, from
    /// the caller's side.
    #[serde(rename = "ImageType")]
    pub image_type: &'a str,
    /// `ImageCreator`: the owning account.
    #[serde(rename = "ImageCreator")]
    pub image_creator: &'a str,
    /// `Platform`.
    #[serde(rename = "Platform")]
    pub platform: &'a str,
    /// `ImageSize` in GiB.
    #[serde(rename = "ImageSize")]
    pub image_size: u64,
    /// `SyncPercent`: a copy's progress; 100 for an image that is no copy.
    #[serde(rename = "SyncPercent")]
    pub sync_percent: u64,
    /// `CreatedTime` (`2026-01-01T00:00:00Z`).
    #[serde(rename = "CreatedTime", serialize_with = "super::wire_time")]
    pub created_time: DateTime<Utc>,
    /// `Tags`.
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag<'a>>,
}

impl<'a> ImageItem<'a> {
    /// The image of `view`, from the caller's side.
    pub fn new(view: &ImageView<'a>) -> Self {
        let i = view.image;
        ImageItem {
            image_id: i.id.as_str(),
            image_name: i.name.as_str(),
            image_description: i.description.as_ref().map_or("", |d| d.as_str()),
            image_state: i.tencent_state(),
            image_source: i.tencent_source(),
            image_type: view.owner_alias.tencent_image_type(),
            image_creator: i.owner.as_str(),
            platform: i.platform.into(),
            image_size: i.size_gib,
            sync_percent: if i.copied_from.is_some() {
                u64::from(i.progress)
            } else {
                100
            },
            created_time: i.created_at,
            tags: Tag::list(&i.tags),
        }
    }
}

/// A tag as Tencent writes it: `{"Key", "Value"}`.
///
/// ```
/// use machine_image::Tags;
/// use machine_image::response::tencent::Tag;
///
/// let tags = Tags::from_pairs([("env", "prod"), ("team", "web")])?;
/// let listed = Tag::list(&tags);
/// assert_eq!(listed[1], Tag { key: "team", value: "web" });
/// assert_eq!(serde_json::to_string(&listed[0])?, r#"{"Key":"env","Value":"prod"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tag<'a> {
    /// `Key`.
    #[serde(rename = "Key")]
    pub key: &'a str,
    /// `Value`.
    #[serde(rename = "Value")]
    pub value: &'a str,
}

impl<'a> Tag<'a> {
    /// Every tag of `tags`, in order.
    pub fn list(tags: &'a crate::tag::Tags) -> Vec<Tag<'a>> {
        tags.as_slice()
            .iter()
            .map(|t| Tag {
                key: t.key.as_str(),
                value: t.value.as_str(),
            })
            .collect()
    }
}

/// `ExportImages`: `{"TaskId", "CosPaths", "RequestId"}`: the first image's task and every
/// object the tasks write (`<prefix>_xvda.raw`, …), images in the order given.
///
/// ```
/// use machine_image::export::ExportTaskId;
/// use machine_image::response::tencent::{Envelope, ExportImagesResponse};
/// use machine_image::RequestId;
///
/// let request = RequestId::from_sequence(3);
/// let paths = ["web_xvda.raw".to_owned(), "web_xvdb.raw".to_owned()];
/// let body = ExportImagesResponse::new(&request, Some(ExportTaskId(1)), &paths);
/// assert_eq!(
///     serde_json::to_string(&Envelope::new(body)).unwrap(),
///     r#"{"Response":{"TaskId":1,"CosPaths":["web_xvda.raw","web_xvdb.raw"],"RequestId":"00000000-0000-4000-8000-000000000003"}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportImagesResponse<'a> {
    /// `TaskId`: the first image's task (a number); absent when no task was made.
    #[serde(rename = "TaskId", skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    /// `CosPaths`: the object names.
    #[serde(rename = "CosPaths")]
    pub cos_paths: Vec<&'a str>,
    /// `RequestId`.
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
}

impl<'a> ExportImagesResponse<'a> {
    /// The body for the tasks made, the first being `first`, writing `paths`.
    pub fn new(request: &'a RequestId, first: Option<ExportTaskId>, paths: &'a [String]) -> Self {
        ExportImagesResponse {
            task_id: first.map(|t| t.0),
            cos_paths: paths.iter().map(String::as_str).collect(),
            request_id: request.as_str(),
        }
    }
}
