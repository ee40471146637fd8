//! The engine's inputs, three kinds of them, one type each: [`Fixture`] (what the cloud
//! already holds), [`ApiCall`] (what a customer asks) and [`HostReport`] (what the host
//! reports); and [`Command`], any of the three, the one entry point for drivers.

mod call;
mod fixture;
mod report;
mod request;

use serde::{Deserialize, Serialize};

use crate::id::{AccountId, ClientToken, ImageId};
use crate::image::{ImageStatus, OwnerAlias};
use crate::region::RegionId;

pub use call::{
    ApiCall, CancelCopyImage, CancelExport, CopyImage, CreateImage, DeleteImage, DeleteImages,
    ExportImage, ImportImage, ModifyImageAttribute, ModifyImageSharePermission,
};
pub use fixture::Fixture;
pub use report::HostReport;
pub(crate) use request::sealed as request_sealed;
pub use request::{AcceptedExport, AcceptedImport, Request};

/// One input to [`crate::engine::ImageService::handle`], of any kind: the entry point for
/// drivers that carry all three (the scenario runner, the strategies, a durable host
/// replaying its inbox). A host that knows what it sends uses the typed entry points
/// instead: [`ImageService::register`](crate::engine::ImageService::register),
/// [`ImageService::call`](crate::engine::ImageService::call),
/// [`ImageService::report`](crate::engine::ImageService::report).
///
/// Every fixture, request struct and report converts into it with `into()`.
///
/// ```
/// use machine_image::engine::{ApiCall, Command, DeleteImage, HostReport};
/// use machine_image::{AccountId, ImageId, RegionId, TaskId};
/// let delete = DeleteImage::new(
///     AccountId::new("1234567890123456").unwrap(),
///     RegionId::new("cn-hangzhou").unwrap(),
///     ImageId::new("m-source1").unwrap(),
/// );
/// let command: Command = delete.clone().into();
/// assert_eq!(command, Command::Call(ApiCall::DeleteImage(delete)));
/// let report: Command = HostReport::CopyFinished(TaskId(1)).into();
/// assert!(matches!(report, Command::Report(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// What the cloud already holds.
    Fixture(Fixture),
    /// What a customer asks.
    Call(ApiCall),
    /// What the host reports.
    Report(HostReport),
}

impl Command {
    /// The caller and client token of a mutating API call that carries a token.
    ///
    /// A dry run has none, whatever token it carries: it changes nothing, so it is neither
    /// recorded nor answered from a record (it is checked afresh each time, and a later real
    /// call with the same token is not a retry of it).
    pub fn idempotency_key(&self) -> Option<(&AccountId, &ClientToken)> {
        match self {
            Command::Call(c) => c.idempotency_key(),
            _ => None,
        }
    }

    /// Whether this is a dry run (checks only).
    pub fn is_dry_run(&self) -> bool {
        matches!(self, Command::Call(c) if c.is_dry_run())
    }
}

impl From<Fixture> for Command {
    fn from(f: Fixture) -> Self {
        Command::Fixture(f)
    }
}

impl From<ApiCall> for Command {
    fn from(c: ApiCall) -> Self {
        Command::Call(c)
    }
}

impl From<HostReport> for Command {
    fn from(r: HostReport) -> Self {
        Command::Report(r)
    }
}

macro_rules! into_command {
    ($kind:ident: $($t:ty),*) => {$(
        impl From<$t> for Command {
            fn from(x: $t) -> Self {
                Command::$kind(x.into())
            }
        }
    )*};
}

into_command!(Fixture: crate::account::Account, crate::snapshot::Snapshot, crate::image::Image,
    crate::kms::KmsKey, crate::export::Bucket);
into_command!(Call: CreateImage, CopyImage, CancelCopyImage, DeleteImage,
    ModifyImageSharePermission, ExportImage, CancelExport, ModifyImageAttribute, DeleteImages, ImportImage);

/// What `describe_images` selects; every field left `None` matches everything, except
/// `statuses` (see [`crate::engine::ImageService::describe_images`]).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// use machine_image::engine::{CopyImage, ImageFilter};
/// use machine_image::ImageStatus;
/// // A custom image `src` of `owner` exists in cn-hangzhou (fixtures hidden above).
/// let sh = RegionId::new("cn-shanghai")?;
/// service.call(t0, CopyImage::new(owner.clone(), hz.clone(), src, [sh.clone()]))?;
///
/// // Alibaba's default lists `Available` images only: not the copy in flight.
/// assert_eq!(service.describe_images(&owner, &ImageFilter::default()).len(), 1);
/// let every_status = ImageFilter {
///     statuses: Some(ImageStatus::ALL.to_vec()),
///     ..ImageFilter::default()
/// };
/// assert_eq!(service.describe_images(&owner, &every_status).len(), 2);
/// let in_shanghai = ImageFilter { region: Some(sh), ..every_status };
/// let copy = &service.describe_images(&owner, &in_shanghai)[0];
/// assert!(copy.image.is_in_flight());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFilter {
    /// Only this region.
    pub region: Option<RegionId>,
    /// Only these ids.
    pub ids: Option<Vec<ImageId>>,
    /// Only these statuses.
    pub statuses: Option<Vec<ImageStatus>>,
    /// Only these relations to the caller.
    pub owner_aliases: Option<Vec<OwnerAlias>>,
}
