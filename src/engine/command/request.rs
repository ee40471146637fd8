//! Typed answers: [`Request`] ties each API call to the answer it gets from
//! [`ImageService::call`](crate::engine::ImageService::call).

use serde::{Deserialize, Serialize};

use crate::export::ExportTaskId;
use crate::id::ImageId;
use crate::import::ImportTaskId;

use super::call::{
    ApiCall, CancelCopyImage, CancelExport, CopyImage, CreateImage, DeleteImage, DeleteImages,
    ExportImage, ImportImage, ModifyImageAttribute, ModifyImageSharePermission,
};
use crate::engine::{AcceptedCopy, Outcome};

/// An API call and the answer it gets from
/// [`ImageService::call`](crate::engine::ImageService::call):
///
/// | Request | `Answer` |
/// |---|---|
/// | [`CreateImage`] | `Some` of the new image's [`ImageId`]; `None` for a dry run that passed |
/// | [`CopyImage`] | `Vec<`[`AcceptedCopy`]`>`, one per destination in the order given; empty for a dry run that passed |
/// | [`CancelCopyImage`] | the [`ImageId`] of the image whose copy was cancelled (and which is gone) |
/// | [`DeleteImage`] | the [`ImageId`] deleted (for a shared image: removed for the caller) |
/// | [`ModifyImageSharePermission`] | `()` |
/// | [`ExportImage`] | `Some(`[`AcceptedExport`]`)`; `None` for a dry run that passed |
/// | [`CancelExport`] | the [`ExportTaskId`] cancelled |
/// | [`ModifyImageAttribute`] | the [`ImageId`] changed |
/// | [`ImportImage`] | `Some(`[`AcceptedImport`]`)`; `None` for a dry run that passed |
/// | [`DeleteImages`] | `Vec<`[`ImageId`]`>`, the images deleted in the order given; empty for a dry run that passed |
///
/// The trait is sealed: the crate's request structs are its only implementations.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{ImageService, ModifyImageSharePermission, Request};
/// use machine_image::{AccountId, ImageId, Profile, RegionId};
/// /// Sends any call and logs its refusal; the answer keeps its type.
/// fn send<R: Request>(service: &mut ImageService, request: R) -> Option<R::Answer> {
///     let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
///     service
///         .call(now, request)
///         .map_err(|e| eprintln!("refused ({}): {e}", e.http_status()))
///         .ok()
/// }
/// let mut service = ImageService::new(Profile::alibaba());
/// let share = ModifyImageSharePermission::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-missing1").unwrap(),
/// );
/// let answer: Option<()> = send(&mut service, share);
/// assert_eq!(answer, None); // InvalidImageId.NotFound
/// ```
pub trait Request: Into<ApiCall> + sealed::Sealed {
    /// What an accepted call answers.
    type Answer;
}

pub(crate) mod sealed {
    use crate::engine::Outcome;

    /// The private half of [`super::Request`]: reading the answer out of an [`Outcome`].
    pub trait Sealed {
        /// The answer in `outcome`; the outcome back if it is not this call's (a bug).
        fn answer(outcome: Outcome) -> Result<<Self as super::Request>::Answer, Outcome>
        where
            Self: super::Request;
    }
}

/// An accepted export: its task and the objects it will write (the answer to
/// [`ExportImage`], see [`Request`]; `None` for a dry run that passed).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let exporter = machine_image::Account::new(AccountId::new("1234567890123456")?, 10, 100).enable_export(true);
/// # service.register(t0, Fixture::Account(exporter))?;
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// use machine_image::engine::{Effect, ExportImage};
/// use machine_image::export::{Bucket, BucketName, ObjectPrefix};
/// // `owner` has export activated and a custom image `src` in cn-hangzhou (hidden above).
/// let bucket = BucketName::new("my-images")?;
/// service.register(t0, Fixture::Bucket(Bucket::new(bucket.clone(), hz.clone(), owner.clone())))?;
/// let export = ExportImage::new(owner, hz, src, bucket, ObjectPrefix::new("web")?);
/// let accepted = service.call(t0, export)?.expect("not a dry run: accepted");
/// assert_eq!(accepted.objects, ["web_xvda.raw"]);
/// assert!(matches!(
///     service.poll_effect(),
///     Some(Effect::StartExport { task, .. }) if task == accepted.task
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AcceptedExport {
    /// The task (queued; the host was told to start it).
    pub task: ExportTaskId,
    /// The names of the objects it will write, system disk first.
    pub objects: Vec<String>,
}

macro_rules! request {
    ($t:ty => $answer:ty, |$o:ident| $body:expr) => {
        impl Request for $t {
            type Answer = $answer;
        }
        impl sealed::Sealed for $t {
            fn answer($o: Outcome) -> Result<$answer, Outcome> {
                $body
            }
        }
    };
}

request!(CreateImage => Option<ImageId>, |o| match o {
    Outcome::ImageCreated { image } => Ok(Some(image)),
    Outcome::DryRunPassed => Ok(None),
    other => Err(other),
});
request!(CopyImage => Vec<AcceptedCopy>, |o| match o {
    Outcome::CopyAccepted { copies } => Ok(copies),
    Outcome::DryRunPassed => Ok(Vec::new()),
    other => Err(other),
});
request!(CancelCopyImage => ImageId, |o| match o {
    Outcome::CopyCancelled { image } => Ok(image),
    other => Err(other),
});
request!(DeleteImage => ImageId, |o| match o {
    Outcome::ImageDeleted { image } => Ok(image),
    other => Err(other),
});
request!(ModifyImageSharePermission => (), |o| match o {
    Outcome::ShareModified => Ok(()),
    other => Err(other),
});
request!(ExportImage => Option<AcceptedExport>, |o| match o {
    Outcome::ExportAccepted { task, objects } => Ok(Some(AcceptedExport { task, objects })),
    Outcome::DryRunPassed => Ok(None),
    other => Err(other),
});
request!(CancelExport => ExportTaskId, |o| match o {
    Outcome::ExportCancelled { task } => Ok(task),
    other => Err(other),
});
request!(ModifyImageAttribute => ImageId, |o| match o {
    Outcome::ImageModified { image } => Ok(image),
    other => Err(other),
});
request!(DeleteImages => Vec<ImageId>, |o| match o {
    Outcome::ImagesDeleted { images } => Ok(images),
    Outcome::DryRunPassed => Ok(Vec::new()),
    other => Err(other),
});

/// An accepted import: the new image (`Waiting`) and its task (the answer to
/// [`ImportImage`], see [`Request`]; `None` for a dry run that passed). The host was told
/// to start it (`Effect::StartImport`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AcceptedImport {
    /// The image being made.
    pub image: ImageId,
    /// The task.
    pub task: ImportTaskId,
}

request!(ImportImage => Option<AcceptedImport>, |o| match o {
    Outcome::ImportAccepted { image, task } => Ok(Some(AcceptedImport { image, task })),
    Outcome::DryRunPassed => Ok(None),
    other => Err(other),
});
