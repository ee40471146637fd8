//! The lifecycle engine: [`ImageService`], a deterministic, sans-IO state machine for
//! images, snapshots, shares, copy tasks, buckets and export tasks.
//!
//! # Three kinds of input, one answer type per call
//! The engine takes three kinds of input, each its own type and entry point:
//! - [`Fixture`]: what the cloud already holds (accounts, snapshots, images, KMS keys,
//!   buckets), recorded with [`ImageService::register`];
//! - [`ApiCall`]: what a customer asks, one request struct per call ([`CreateImage`],
//!   [`CopyImage`], [`CancelCopyImage`], [`DeleteImage`], [`DeleteImages`],
//!   [`ModifyImageSharePermission`], [`ModifyImageAttribute`], [`ImportImage`],
//!   [`ExportImage`], [`CancelExport`]), each built with `new` and chained setters and sent
//!   with [`ImageService::call`], which answers with the request's own
//!   [`Request::Answer`] (a copy gets its [`AcceptedCopy`]s, a delete the id deleted);
//! - [`HostReport`]: what the host reports about the work it carries out (started,
//!   progress, finished, failed), sent with [`ImageService::report`].
//!
//! [`Command`] is any of the three, for drivers that carry all kinds through one door (the
//! scenario runner, the proptest strategies, a host replaying an inbox):
//! [`ImageService::handle`] takes it and answers the catch-all [`Outcome`]. Every input
//! converts into a `Command` with `into()`.
//!
//! Each refusal says whose mistake it is ([`EngineError`]): a customer's
//! ([`EngineError::Rejected`], with the provider's code, HTTP status and message), the
//! host's ([`HostError`]), a fixture's ([`FixtureError`]), or the engine's own
//! ([`InternalError`], a bug).
//!
//! What happened is queued as [`EventRecord`]s (every state change, enough to rebuild the
//! state by replay) and what the host must do as [`Effect`]s. The host does the real
//! copying and reports back with `CopyProgress`, `CopyFinished` or `CopyFailed`; likewise
//! for exports (`Effect::StartExport`; `ExportStarted`, `ExportProgress`, `ExportFinished`,
//! `ExportFailed`) and imports (`Effect::StartImport`; `ImportStarted`, `ImportProgress`,
//! `ImportFinished`, `ImportFailed`). The engine never reads the clock and never performs I/O.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use machine_image::engine::{CopyImage, Effect, HostReport, ImageService};
//! use machine_image::{AccountId, ImageId, ImageStatus, Profile, RegionId};
//! # use machine_image::engine::Fixture;
//! # use machine_image::{Image, ImageName, Snapshot, SnapshotId};
//! let mut service = ImageService::new(Profile::alibaba());
//! let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let owner = AccountId::new("1234567890123456").unwrap();
//! let hz = RegionId::new("cn-hangzhou").unwrap();
//! let src = ImageId::new("m-source1").unwrap();
//! # let disk = SnapshotId::new("s-sys1").unwrap();
//! # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40))).unwrap();
//! # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web").unwrap(), vec![disk])
//! #     .size_gib(40).created_at(t0).build().unwrap();
//! # service.register(t0, Fixture::Image(image)).unwrap();
//! // A custom image `src` of `owner` exists in cn-hangzhou (fixtures hidden above).
//! let shanghai = RegionId::new("cn-shanghai").unwrap();
//! let copies = service
//!     .call(t0, CopyImage::new(owner.clone(), hz.clone(), src.clone(), [shanghai]))
//!     .unwrap();
//!
//! // The host loop: carry out effects, report back.
//! while let Some(effect) = service.poll_effect() {
//!     if let Effect::StartCopy { task, .. } = effect {
//!         // ... copy the disks for real, then:
//!         let done = t0 + Duration::minutes(12);
//!         service.report(done, HostReport::CopyFinished(task)).unwrap();
//!     }
//! }
//! let copy = service.state().image(&copies[0].image).unwrap();
//! assert_eq!(copy.status(), ImageStatus::Available);
//! ```
//!
//! # Running it in a service: the log, snapshots, restarts
//! Every state change is an [`EventRecord`] numbered by `seq`: record 0 is the log's head
//! ([`Event::LogOpened`], naming the profile), then 1, 2, 3, … without gaps. A host that
//! must survive restarts stores each command's records, in order, with their `seq`, in the
//! same transaction as the answer; from time to time it stores a snapshot (the serialised
//! service, which holds its settings and the events and effects not yet polled) and may
//! delete the records before [`ImageService::next_seq`]. To restart it reads the latest
//! snapshot and [`ImageService::replay`]s the records after it: each record is checked
//! (a gap, a repeat, a log without its head or of another profile, a record that does not
//! apply) and the invariants after the last, and a log that can't be trusted is refused with
//! a [`ReplayError`] naming the record. A host that lost its own record of the work in flight
//! calls [`ImageService::resume`], which issues the starts again. `examples/durable_host.rs`
//! does all of this on SQLite.
//!
//! ```
//! # use chrono::{TimeZone, Utc};
//! # use machine_image::engine::{Fixture, ImageService};
//! # use machine_image::{Account, AccountId, Profile};
//! # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let mut service = ImageService::new(Profile::alibaba());
//! let mut log = Vec::new(); // the host's durable store
//! let account = Account::new(AccountId::new("1234567890123456").unwrap(), 10, 100);
//! service.register(t0, Fixture::Account(account)).unwrap();
//! log.extend(service.drain_events());
//! let snapshot = serde_json::to_string(&service).unwrap();
//! let taken_at = service.next_seq();
//! // ... more commands, their records appended to `log` ...
//!
//! // After a crash: the snapshot, then the records after it.
//! let restored: ImageService = serde_json::from_str(&snapshot).unwrap();
//! let mut restored = restored.replay(&log[taken_at as usize..]).unwrap();
//! restored.resume(); // the starts of all work in flight, for a host that forgot them
//! assert!(restored == service);
//! // The whole log rebuilds it too; a log of another profile is refused.
//! assert!(ImageService::from_events(Profile::alibaba(), &log).unwrap() == service);
//! assert!(ImageService::from_events(Profile::tencent(), &log).is_err());
//! ```
//!
//! # Retention
//! Finished copy, export and import tasks and the recorded answers to calls with a client token are
//! kept for the [`Retention`] horizon (7 days by default), then dropped by an
//! [`Event::Forgotten`], so a long-running service's state stays bounded; see
//! [`retention`] for what a caller sees after the horizon.
//!
//! # Rules
//! Task and image state diagrams are in [`crate::copy`], [`crate::image`], [`crate::export`]
//! and [`crate::import`].
//!
//! ## Check order
//! The checks of `CopyImage` / `SyncImages` run in this order; the first failure wins, and
//! the order is stable.
//! 1. caller present: `InvalidAliUid.IsNull`
//! 2. at least one destination, none twice: `MissingParameter` / `InvalidParameter`
//! 3. a name given fits the provider (Tencent: 60 characters): `InvalidImageName.Malformed`
//! 4. `KMSKeyId` with `Encrypted` false: `InvalidParameter.EncryptedIllegal`
//! 5. source region known: `SourceRegion.NotFound`
//! 6. each destination region known: `DestinationRegion.NotFound`
//! 7. the image is in the source region and visible to the caller (own, shared with the
//!    caller, public, marketplace): `InvalidImageId.NotFound`
//! 8. not a public/system image: `Forbbiden`
//! 9. the image is `Available`: `IncorrectImageStatus`
//! 10. its snapshots exist (`InvalidSnapshotId.NotFound`) and were created on or after
//!     2013-07-15 (`InvalidSnapshot.TooOld`)
//! 11. for each destination, the route: a shared image stays in its region
//!     (`OperationDenied.SameRegionOnly`); an own image leaves it
//!     (`IncorrectDestinationRegion`), except Tencent's encrypted copy, which stays in it
//!     (`InvalidParameter`); a marketplace image goes only where it is published
//!     (`OperationDenied.NotPublished`); across regions, both support copying and the
//!     mainland-China rule holds (`RegionNotSupportCopy`), and on Tencent the image is not
//!     a whole-machine image (`InvalidParameter.InstanceImageNotSupport`; [seed 000](crate::sources#seed-000) only:
//!     Alibaba copies images with data disks across regions)
//! 12. encrypted snapshots need `Encrypted` (`OperationDeined.EncryptedSnapshot`); a customer
//!     key exists in the destination for the caller (`InvalidParameter.KMSKeyId.NotFound`),
//!     is authorised (`…KMSUnauthorized`), the destination supports BYOK
//!     (`InvalidRegion.NotSupport`) and the account is allow-listed (`UserNotInTheWhiteList`)
//! 13. size within the profile's maximum or the account allow-listed: `SizeExceed.Image`
//! 14. with no name given, the source's name (the copy's default) fits the provider
//!     (`InvalidImageName.Malformed`: a Tencent copy of an image named with more than 60
//!     characters)
//! 15. for each destination in the order given, first the name, then the quotas: the name
//!     is free among the caller's images there, in-flight copies included
//!     (`InvalidImageName.Duplicated`); the caller's image and snapshot quotas there hold
//!     the copy (`QuotaExceed.Image`, `QuotaExceed.Snapshot`). So with two destinations, a
//!     full quota in the first is reported before a taken name in the second.
//! 16. the id counters have room for the new ids (invariant 10; never reached in practice,
//!     only by a state deserialised near the limit): `InternalError`, before any change
//!
//! A dry run (`dry_run`, Tencent `DryRun`) runs steps 1 to 15 and stops there: it answers
//! `Outcome::DryRunPassed` (through [`ImageService::call`], an empty list of copies) and
//! changes nothing.
//!
//! # Exports
//! [`ExportImage`] checks, in this order (the first failure wins; stable): the caller is
//! present (`InvalidAliUid.IsNull`); the call's region is known
//! (`InvalidRegionId.NotFound`); the image is in that region and visible to the caller
//! (`InvalidImageId.NotFound`); its snapshots exist (`InvalidSnapshotId.NotFound`); the
//! rules of [`crate::export`] in their order ([`crate::export::check_export`]: export
//! activated, own custom image, not Windows, `Available`, not already being exported,
//! bucket in the image's region, at most 5 data disks, each at most 500 GiB); the image
//! names a snapshot (`InvalidSnapshotId.NotFound`). A dry run stops there. Buckets are
//! fixtures ([`Fixture::Bucket`]). It answers with an [`AcceptedExport`]: the task and its
//! object names. The
//! task is queued and the host told at once (`Effect::StartExport`); it runs from the host's
//! `ExportStarted` report until `ExportFinished` or `ExportFailed`; `CancelExport` ends a
//! queued or running one (`Effect::AbortExport`). An image with a queued or running export
//! can't be deleted (`ImageIsExporting`), nor exported again.
//!
//! # CreateImage
//! [`CreateImage`] (Alibaba `SnapshotId` / `DiskDeviceMapping`, Tencent `SnapshotIds`)
//! checks, in this order (the first failure wins; stable): the caller is present
//! (`InvalidAliUid.IsNull`); the region is known (`InvalidRegionId.NotFound`); the name fits
//! the provider (`InvalidImageName.Malformed`); no instance is named
//! (`InvalidInstanceId.NotFound`: instances are outside the model, and the message says so);
//! at least one snapshot (`MissingParameter`); the snapshots exist and are recent enough
//! (`InvalidSnapshotId.NotFound`, `InvalidSnapshot.TooOld`), are the caller's and in the
//! region (`InvalidSnapshotId.NotFound`); none belongs to a copy still being made
//! (`OperationDenied`, seeds [003](crate::sources#seed-003)/[004](crate::sources#seed-004):
//! "The specified snapshot is not allowed to create image."); the name is free
//! (`InvalidImageName.Duplicated`); the image quota holds (`QuotaExceed.Image`). A dry run
//! (Tencent `DryRun`) stops there and answers `None`. The image is `Available` at once.
//!
//! **Lineage** ([seed 001](crate::sources#seed-001)): every snapshot may know the ultimate
//! source image of the disk it holds ([`crate::snapshot::Lineage`], set on fixtures with
//! [`Snapshot::with_lineage`](crate::Snapshot::with_lineage) and [`Image::lineage`](crate::Image::lineage); a copy's snapshots inherit their
//! source image's). An image created from such snapshots takes the system disk's lineage
//! (else the first data disk's that has one) as its ultimate source, and is paid when any of
//! its disks comes from a paid image; its copies and shares keep that, so
//! [`crate::charges::image_charges`] and [`crate::charges::copy_charges`] list the image
//! fee.
//!
//! # ImportImage
//! [`ImportImage`] checks, in this order (the first failure wins; stable): the caller is
//! present (`InvalidAliUid.IsNull`); the region is known (`InvalidRegionId.NotFound`); the
//! name fits the provider (`InvalidImageName.Malformed`); at least one disk
//! (`MissingParameter`: `DiskDeviceMapping`, Tencent `ImageUrl`) and at most 17
//! (`InvalidParameter`); for each disk in order: an OSS object is named (`MissingParameter`)
//! in a bucket of the caller's in the image's region (`InvalidOSSBucket.NotFound`; buckets
//! are [`Fixture::Bucket`]s), a URL is `http://` or `https://` (`InvalidParameter`; Tencent
//! `InvalidParameter.InvalidParameterUrlError`), the size
//! is above 0 (`InvalidParameter`); the disks' total within the profile's maximum or the
//! account allow-listed (`SizeExceed.Image`); the name is free
//! (`InvalidImageName.Duplicated`); the image and snapshot quotas hold the image and one
//! snapshot per disk (`QuotaExceed.Image`, `QuotaExceed.Snapshot`). A dry run stops there
//! (answer `None`); then the id counters (`InternalError`, as for copies).
//!
//! The accepted import makes its image (`Waiting`) and reserves one snapshot per disk at
//! once; the host is told with [`Effect::StartImport`] and reports `ImportStarted` (image
//! `Creating`), `ImportProgress`, then `ImportFinished` (`Available`) or `ImportFailed`
//! (`CreateFailed`, snapshots released). The task diagram is in [`crate::import`]. While it
//! runs the image can't be deleted (`IncorrectImageStatus`), copied, shared, exported or
//! renamed, and its snapshots can't make another image (`OperationDenied`).
//!
//! # ModifyImageAttribute
//! [`ModifyImageAttribute`] renames one's own custom image or changes its description. It
//! checks, in this order (the first failure wins; stable): the caller is present
//! (`InvalidAliUid.IsNull`); the call's region is known (`InvalidRegionId.NotFound`); a new
//! name fits the provider (`InvalidImageName.Malformed`; Tencent: at most 60 characters,
//! `InvalidParameterValue.TooLong`); the image is in that region and visible to the caller
//! (`InvalidImageId.NotFound`); the caller owns it (`Forbbiden`: a shared, public or
//! marketplace image keeps its attributes; Tencent answers an image shared from another
//! account with `UnsupportedOperation.SharedImageModifyUnsupported`); it is not being made (`IncorrectImageStatus`
//! while `Waiting` or `Creating`); a new name is free among the caller's other images in the
//! region (`InvalidImageName.Duplicated`). The description's own rules (2–256 characters,
//! no `http://` or `https://` prefix) are those of [`crate::Description`], checked when it
//! is built. The answer is the image's id; the change is an
//! [`Event::ImageAttributeModified`].
//!
//! # Share lists
//! [`ImageService::describe_image_share_permission`] answers
//! `DescribeImageSharePermission`: the accounts an image is shared with, for its owner only.
//! Sharing with an account requires it to be registered ([`Fixture::Account`]); the check
//! order of `ModifyImageSharePermission` is: the caller, the region, the image visible
//! (`InvalidImageId.NotFound`), owned (`Forbbiden`), not shared with its owner
//! (`InvalidAccount.Forbbiden`), `Available` (`IncorrectImageStatus`), every account to add
//! registered (`InvalidAccount.NotFound`), and on Tencent none already sharing it
//! (`FailedOperation.AccountAlreadyExists`).
//!
//! # DeleteImages
//! [`DeleteImages`] (Tencent `DeleteImages`: `ImageIds`, `DryRun`) checks the caller, the
//! region, that at least one image is named (`MissingParameter`) and none twice
//! (`InvalidParameter`), then every image in the order given with the rules of
//! [`DeleteImage`] before deleting any, except that one's own image still shared with other
//! accounts is refused (`InvalidImageId.InShared`: Tencent deletes a shared image only once
//! its shares are cancelled) where `DeleteImage` revokes the shares: the call deletes all of
//! them or none, and the first image refused gives the answer. A dry run stops after the checks and answers an empty
//! list.
//!
//! # Idempotent retries
//! A mutating call (`CreateImage`, `ImportImage`, `CopyImage`, `CancelCopyImage`,
//! `DeleteImage`, `DeleteImages`, `ModifyImageSharePermission`, `ModifyImageAttribute`,
//! `ExportImage`, `CancelExport`) may carry a client token. When a call with the same caller
//! and token has succeeded before, a call with the same parameters returns the first
//! answer and changes nothing; with other parameters it is refused with
//! `IdempotentParameterMismatch`. Refused calls are not recorded (a refusal changes nothing,
//! the record included), so retrying a refused call is decided afresh. An answer is kept
//! for the [`Retention`] horizon (7 days by default); a retry after it is a new call.

mod check;
mod command;
mod error;
mod event;
mod log;
pub mod retention;
mod state;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::copy::{TaskId, TaskState};
use crate::error::{ApiError, ErrorCode, TencentCode};
use crate::export::ExportTaskId;
use crate::id::{AccountId, ClientToken, ImageId};
use crate::image::{Image, ImageStatus, OwnerAlias};
use crate::profile::Profile;
use crate::region::RegionId;

pub use command::{
    AcceptedExport, AcceptedImport, ApiCall, CancelCopyImage, CancelExport, Command, CopyImage,
    CreateImage, DeleteImage, DeleteImages, ExportImage, Fixture, HostReport, ImageFilter,
    ImportImage, ModifyImageAttribute, ModifyImageSharePermission, Request,
};
pub use error::{EngineError, FixtureError, HostError, InternalError};
pub use event::{CopyAcceptance, Effect, Event, EventRecord};
pub use invariants::InvariantViolation;
pub use log::ReplayError;
pub use retention::Retention;
use state::NewCopy;
pub use state::invariants;
pub use state::{ApplyError, RecordedResponse, State, StateError, Usage};

/// One copy a `CopyImage`/`SyncImages` call started (the answer to [`CopyImage`] is one
/// per destination, in the order given).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{CopyImage, Fixture, ImageService};
/// use machine_image::{AccountId, Image, ImageId, ImageName, ImageStatus, Profile, RegionId};
/// use machine_image::{Snapshot, SnapshotId};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba());
/// let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// let disk = SnapshotId::new("s-sys0001")?;
/// service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// let src = ImageId::new("m-web0001")?;
/// let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
///
/// let (sh, bj) = (RegionId::new("cn-shanghai")?, RegionId::new("cn-beijing")?);
/// let copies = service.call(t0, CopyImage::new(owner, hz, src, [sh.clone(), bj.clone()]))?;
/// assert_eq!((&copies[0].region, &copies[1].region), (&sh, &bj)); // in the order given
/// assert_ne!(copies[0].task, copies[1].task);
/// let first = service.state().image(&copies[0].image).expect("the copy's image exists");
/// assert_eq!(first.copied_from().map(|id| id.as_str()), Some("m-web0001"));
/// assert!(matches!(first.status(), ImageStatus::Creating | ImageStatus::Waiting));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedCopy {
    /// The destination region.
    pub region: RegionId,
    /// The new image's id.
    pub image: ImageId,
    /// The copy task.
    pub task: TaskId,
}

/// The answer to an accepted command through [`ImageService::handle`], the drivers' door.
/// A host that sends a known call gets its typed answer from [`ImageService::call`]
/// instead (see [`Request`]); `register` and `report` answer `()`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Command, ImageService, Outcome};
/// use machine_image::{Account, AccountId, Profile};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba());
/// let account = Account::new(AccountId::new("1234567890123456")?, 10, 100);
/// let command: Command = account.into(); // every input converts into a `Command`
/// assert_eq!(service.handle(t0, command)?, Outcome::Registered);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// A fixture was recorded.
    Registered,
    /// `CreateImage` made this image.
    ImageCreated {
        /// The new image.
        image: ImageId,
    },
    /// The copies were accepted (queued or started).
    CopyAccepted {
        /// One per destination region, in the order given.
        copies: Vec<AcceptedCopy>,
    },
    /// A dry run found nothing wrong; nothing changed.
    DryRunPassed,
    /// The copy to this image was cancelled and the image removed.
    CopyCancelled {
        /// The image.
        image: ImageId,
    },
    /// The image was deleted (or, for a shared image, removed for the caller).
    ImageDeleted {
        /// The image.
        image: ImageId,
    },
    /// The shares were changed.
    ShareModified,
    /// `ModifyImageAttribute` changed (or kept) this image's name and description.
    ImageModified {
        /// The image.
        image: ImageId,
    },
    /// `ImportImage` was accepted: the image (`Waiting`) and its task (the host was told
    /// to start it).
    ImportAccepted {
        /// The image being made.
        image: ImageId,
        /// The task.
        task: crate::import::ImportTaskId,
    },
    /// `DeleteImages` deleted these images (or removed them for the caller), in the order
    /// given.
    ImagesDeleted {
        /// The images.
        images: Vec<ImageId>,
    },
    /// The export was accepted (queued; the host was told to start it).
    ExportAccepted {
        /// The task.
        task: ExportTaskId,
        /// The names of the objects it will write, system disk first.
        objects: Vec<String>,
    },
    /// The export was cancelled.
    ExportCancelled {
        /// The task.
        task: ExportTaskId,
    },
    /// A host report was taken.
    Reported,
}

/// An image as one account sees it.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Fixture, ImageFilter, ImageService};
/// use machine_image::{AccountId, Image, ImageId, ImageName, OwnerAlias, Profile, RegionId};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba());
/// let region = RegionId::new("cn-hangzhou")?;
/// let provider = AccountId::new("1000000000000001")?;
/// let ubuntu = Image::public(ImageId::new("ubuntu_24_04_x64")?, region, provider, ImageName::new("Ubuntu")?, vec![]);
/// service.register(t0, Fixture::Image(ubuntu.size_gib(20).build()?))?;
///
/// let anyone = AccountId::new("1234567890123456")?;
/// let views = service.describe_images(&anyone, &ImageFilter::default());
/// assert_eq!(views[0].owner_alias, OwnerAlias::System);
/// assert_eq!(views[0].image.name().as_str(), "Ubuntu");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageView<'a> {
    /// The image.
    pub image: &'a Image,
    /// Its relation to the caller.
    pub owner_alias: OwnerAlias,
}

/// The engine. See the module docs.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Fixture, ImageFilter, ImageService, Retention};
/// use machine_image::{AccountId, Image, ImageId, ImageName, OwnerAlias, Profile, RegionId};
/// use machine_image::{Snapshot, SnapshotId};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba()).with_retention(Retention::days(1));
/// let (owner, region) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// let disk = SnapshotId::new("s-sys0001")?;
/// service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), region.clone(), owner.clone(), t0, 40)))?;
/// let web = Image::custom(ImageId::new("m-web0001")?, region, owner.clone(), ImageName::new("web")?, vec![disk]);
/// service.register(t0, Fixture::Image(web.size_gib(40).build()?))?;
///
/// let mine = service.describe_images(&owner, &ImageFilter::default());
/// assert_eq!(mine.len(), 1);
/// assert_eq!(mine[0].owner_alias, OwnerAlias::Own);
/// assert_eq!(service.next_seq(), 3); // the log's head, then one record per fixture
/// assert!(service.check_invariants().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Serialised form
/// `Serialize` writes everything needed to resume: the profile, the retention setting,
/// whether events are logged, the next record's sequence number, the state's facts, and the
/// events and effects issued but not yet polled. `Deserialize` rebuilds the indexes and
/// refuses a service that breaks an invariant. A snapshot taken between
/// [`ImageService::handle`] and [`ImageService::poll_effect`] hands the host, after a
/// restore, exactly the effects it had not yet taken.
///
/// `Debug` prints a summary (the provider, settings and counts), not the region catalogue
/// and indexes, so a failing `assert_eq!` stays readable; the state's own `Debug` has it all.
#[derive(Clone)]
pub struct ImageService {
    profile: Profile,
    retention: Retention,
    state: State,
    /// The sequence number of the next record (0 until the first state change, whose
    /// record is preceded by the log's head).
    next_seq: u64,
    events: VecDeque<EventRecord>,
    effects: VecDeque<Effect>,
    /// Scratch: the queue lanes a command touched (kept to reuse its allocation).
    lanes: Vec<RegionId>,
    /// Scratch: an empty list of accepted copies, whose allocation a copy's decision takes
    /// (and the service takes back once they are carried out).
    spare_copies: check::NewCopies,
    /// Whether events are queued (see [`ImageService::set_event_log`]).
    log_events: bool,
    /// When the oldest ended task or answer falls due (worked out once per item).
    due: retention::DueTime,
}

impl std::fmt::Debug for ImageService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.state;
        let live = s
            .queues()
            .lanes()
            .map(|(_, r, w)| usize::from(r.is_some()) + w.len());
        f.debug_struct("ImageService")
            .field("provider", &self.profile.provider)
            .field("queue_scope", &self.profile.queue_scope)
            .field("retention", &self.retention.horizon())
            .field("now", &s.now())
            .field("next_seq", &self.next_seq)
            .field("accounts", &s.accounts.len())
            .field("images", &s.image_count())
            .field("snapshots", &s.snapshots.len())
            .field("copy_tasks", &s.tasks().count())
            .field("live_copies", &live.sum::<usize>())
            .field("export_tasks", &s.exports.len())
            .field("recorded_answers", &s.responses.len())
            .field("pending_events", &self.events.len())
            .field("pending_effects", &self.effects.len())
            .finish()
    }
}

impl PartialEq for ImageService {
    /// Equal profiles, retention settings, sequence numbers and states; pending events and
    /// effects, and whether events are logged, are not compared.
    fn eq(&self, other: &Self) -> bool {
        self.profile == other.profile
            && self.retention == other.retention
            && self.next_seq == other.next_seq
            && self.state == other.state
    }
}

impl ImageService {
    /// An empty world under `profile`, with the default [`Retention`].
    pub fn new(profile: Profile) -> Self {
        let state = State::new(profile.queue_scope);
        ImageService {
            profile,
            retention: Retention::default(),
            state,
            next_seq: 0,
            events: VecDeque::new(),
            effects: VecDeque::new(),
            lanes: Vec::new(),
            spare_copies: Vec::new(),
            log_events: true,
            due: retention::DueTime::default(),
        }
    }

    /// The same service with retention `retention` (see [`retention`]).
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Sets how long finished tasks and recorded answers are kept (see [`retention`]). The
    /// next state change applies it.
    pub fn set_retention(&mut self, retention: Retention) {
        self.retention = retention;
    }

    /// The retention setting.
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// The sequence number the next event record will carry: the number of records written
    /// so far, head included. A snapshot taken now is followed by the records from here on.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The state, read-only.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Re-issues the effects of all work in flight, for a host that lost its own record of
    /// it (a restart from a snapshot or a log): `StartCopy` for every running copy, then
    /// `StartExport` for every queued or running export, then `StartImport` for every
    /// queued or running import, each in task order, skipping those already pending. Receiving a start twice is harmless (see [`Effect`]).
    pub fn resume(&mut self) {
        let pending_copy = |effects: &VecDeque<Effect>, id: TaskId| {
            effects
                .iter()
                .any(|e| matches!(e, Effect::StartCopy { task, .. } if *task == id))
        };
        let pending_export = |effects: &VecDeque<Effect>, id: ExportTaskId| {
            effects
                .iter()
                .any(|e| matches!(e, Effect::StartExport { task, .. } if *task == id))
        };
        let mut running: Vec<&crate::copy::CopyTask> = self
            .state
            .queues()
            .lanes()
            .filter_map(|(_, running, _)| running)
            .filter_map(|id| self.state.task(id))
            .collect();
        running.sort_by_key(|t| t.id);
        let mut effects = Vec::new();
        for t in running {
            if !pending_copy(&self.effects, t.id) {
                effects.push(Effect::start_copy(
                    t,
                    t.started_at().unwrap_or(t.queued_at()),
                ));
            }
        }
        let mut exports: Vec<&crate::export::ExportTask> = self.state.live_exports().collect();
        exports.sort_by_key(|t| t.id);
        for t in exports {
            if !pending_export(&self.effects, t.id) {
                effects.push(Effect::start_export(t));
            }
        }
        for t in self.state.live_imports() {
            let pending = self
                .effects
                .iter()
                .any(|e| matches!(e, Effect::StartImport { task, .. } if *task == t.id));
            if !pending {
                effects.push(Effect::start_import(t));
            }
        }
        self.effects.extend(effects);
    }

    /// Records a fixture at `now`: a fact the cloud already holds. On `Err` (a
    /// [`FixtureError`], or time going backwards) nothing changed.
    pub fn register(&mut self, now: DateTime<Utc>, fixture: Fixture) -> Result<(), EngineError> {
        self.handle(now, Command::Fixture(fixture)).map(drop)
    }

    /// Takes a host's report at `now`. On `Err` (a [`HostError`]) nothing changed.
    pub fn report(&mut self, now: DateTime<Utc>, report: HostReport) -> Result<(), EngineError> {
        self.handle(now, Command::Report(report)).map(drop)
    }

    /// Answers a customer's call at `now` with the request's own answer (see [`Request`]).
    /// On `Err` nothing changed; a refusal is [`EngineError::Rejected`] with the provider's
    /// error. The copy check order is in the [module docs](self#check-order).
    pub fn call<R: Request>(
        &mut self,
        now: DateTime<Utc>,
        request: R,
    ) -> Result<R::Answer, EngineError> {
        let call: ApiCall = request.into();
        let name = call.name();
        let outcome = self.handle(now, Command::Call(call))?;
        <R as command::request_sealed::Sealed>::answer(outcome).map_err(|outcome| {
            InternalError::UnexpectedOutcome {
                call: name,
                outcome: format!("{outcome:?}"),
            }
            .into()
        })
    }

    /// Handles one command of any kind at `now`: the entry point for drivers that carry all
    /// three kinds (see [`Command`]). On `Err` nothing changed. The copy check order is in
    /// the [module docs](self#check-order).
    pub fn handle(&mut self, now: DateTime<Utc>, command: Command) -> Result<Outcome, EngineError> {
        if let Some(last) = self.state.now() {
            if now < last {
                return Err(HostError::TimeWentBackwards { last, now }.into());
            }
        }
        // A fixture carries no client token: it is decided by value and moves into its
        // event.
        let decision = match command {
            // Without an event log, a snapshot or image fixture moves straight into the
            // state: no event to box it in and move it out of again.
            // The scope the check found is handed on to the insertion.
            Command::Fixture(Fixture::Snapshot(s)) if !self.log_events => {
                let id = self.fixture_id_check(now);
                let scope = check::check_fixture_snapshot(&self.state, &self.profile, &s, id)?;
                self.prepare_unlogged(now, id)?;
                self.state
                    .register_snapshot(now, s, scope)
                    .map_err(duplicate_fixture)?;
                self.next_seq += 1;
                return Ok(Outcome::Registered);
            }
            Command::Fixture(Fixture::Image(i)) if !self.log_events => {
                let id = self.fixture_id_check(now);
                let scope = check::check_fixture_image(&self.state, &self.profile, &i, id)?;
                self.prepare_unlogged(now, id)?;
                self.state
                    .register_image(now, i, scope)
                    .map_err(duplicate_fixture)?;
                self.next_seq += 1;
                return Ok(Outcome::Registered);
            }
            Command::Fixture(fixture) => check::fixture(&self.state, &self.profile, fixture)?,
            // Borrowed, not moved: a call is large, and only a call with a client token
            // keeps it (a copy, in its recorded answer).
            ref command => {
                if let Some((caller, token)) = command.idempotency_key() {
                    let key = (caller.clone(), token.clone());
                    return self.handle_with_token(now, key, command);
                }
                check::decide(
                    &self.state,
                    &self.profile,
                    command,
                    now,
                    &mut self.spare_copies,
                )?
            }
        };
        self.carry_out(now, decision.copies, decision.events, None)?;
        Ok(decision.outcome)
    }

    /// [`ImageService::handle`] for a call with a client token: a retry is answered from
    /// the record; a new call is decided, and its answer recorded with a copy of the call.
    fn handle_with_token(
        &mut self,
        now: DateTime<Utc>,
        (caller, token): (AccountId, ClientToken),
        command: &Command,
    ) -> Result<Outcome, EngineError> {
        // An answer older than the retention horizon counts as gone, dropped or not yet.
        let cutoff = self.retention.cutoff(now);
        if let Some(recorded) = self
            .state
            .response(&caller, &token)
            .filter(|r| cutoff.is_none_or(|c| r.recorded_at > c))
        {
            return if &recorded.request == command {
                Ok(recorded.outcome.clone())
            } else {
                Err(ApiError::new(ErrorCode::IdempotentParameterMismatch).into())
            };
        }
        let decision = check::decide(
            &self.state,
            &self.profile,
            command,
            now,
            &mut self.spare_copies,
        )?;
        let answer = Event::ResponseRecorded {
            caller,
            token,
            request: Box::new(command.clone()),
            outcome: decision.outcome.clone(),
        };
        self.carry_out(now, decision.copies, decision.events, Some(answer))?;
        Ok(decision.outcome)
    }

    /// Records a decision's accepted copies and events at `now`, then `answer` (the record
    /// of a call with a client token), and starts what the queues let start.
    fn carry_out(
        &mut self,
        now: DateTime<Utc>,
        mut copies: check::NewCopies,
        events: check::Events,
        answer: Option<Event>,
    ) -> Result<(), EngineError> {
        let mut lanes = std::mem::take(&mut self.lanes);
        lanes.clear();
        // Retention goes first, so an answer recorded now replaces one dropped now; only a
        // command that changes the state does it (one that changes nothing leaves the state
        // as it was, clock included). What is over drops nothing the decision uses.
        if !copies.is_empty() || !events.is_empty() || answer.is_some() {
            self.forget_ended_by(now, &mut lanes)?;
        }
        for copy in copies.drain(..) {
            self.record_copy(now, copy, &mut lanes)?;
        }
        // The copies' allocation is kept for the next copy's decision.
        if copies.capacity() > self.spare_copies.capacity() {
            self.spare_copies = copies;
        }
        // A copy's decision has no other event: its empty list is dropped, not iterated (a
        // list's iterator costs a drop of its own).
        if !events.is_empty() {
            for event in events {
                self.record(now, event, &mut lanes)?;
            }
        }
        if let Some(event) = answer {
            self.record(now, event, &mut lanes)?;
        }
        self.start_next_in_queues(now, &mut lanes)?;
        self.lanes = lanes;
        Ok(())
    }

    /// What precedes a checked fixture's one state change at `now` when no event log is
    /// kept, as [`ImageService::carry_out`] precedes its one event: the same retention
    /// first, the log's head (the change itself then takes the next sequence number).
    /// Neither forgetting nor a fixture touches a copy queue, so no copy can start. A
    /// fixture whose id is checked by its insertion (`id`) was found to need neither.
    fn prepare_unlogged(
        &mut self,
        now: DateTime<Utc>,
        id: check::IdCheck,
    ) -> Result<(), EngineError> {
        if id == check::IdCheck::ByInsertion {
            return Ok(());
        }
        let mut no_lanes = Vec::new();
        self.forget_ended_by(now, &mut no_lanes)?;
        debug_assert!(no_lanes.is_empty(), "forgetting touches no copy queue");
        self.open_log(now)
    }

    /// When an unlogged fixture's id is checked to be new: by its insertion (one lookup)
    /// when nothing changes before it ([`ImageService::prepare_unlogged`] neither forgets
    /// nor opens the log), so a refused insertion leaves the state as it was; else with the
    /// other checks.
    fn fixture_id_check(&mut self, now: DateTime<Utc>) -> check::IdCheck {
        if self.next_seq > 0 && !self.forgetting_due(now) {
            check::IdCheck::ByInsertion
        } else {
            check::IdCheck::Now
        }
    }

    /// Retention: drops what ended at or before the horizon before `now`, in one
    /// `Forgotten` recorded at `now`.
    // Inlined, the rest apart: its common case, nothing due, is a comparison.
    #[inline]
    fn forget_ended_by(
        &mut self,
        now: DateTime<Utc>,
        lanes: &mut Vec<RegionId>,
    ) -> Result<(), EngineError> {
        if self.forgetting_due(now) {
            self.forget_due(now, lanes)?;
        }
        Ok(())
    }

    /// Whether anything ended is due for forgetting at `now`.
    #[inline]
    fn forgetting_due(&mut self, now: DateTime<Utc>) -> bool {
        // What is over is queued oldest first: when the oldest is not due, nothing is, and
        // the horizon's date arithmetic (remembered per oldest item) is all it costs.
        self.state
            .oldest_ended()
            .is_some_and(|ended| self.due.is_due(self.retention, ended, now))
    }

    /// [`ImageService::forget_ended_by`] once the oldest ended item is due.
    fn forget_due(
        &mut self,
        now: DateTime<Utc>,
        lanes: &mut Vec<RegionId>,
    ) -> Result<(), EngineError> {
        let Some(cutoff) = self.retention.cutoff(now) else {
            return Ok(());
        };
        if let Some(event) = self.state.due_for_forgetting(cutoff) {
            self.record(now, event, lanes)?;
        }
        Ok(())
    }

    /// Applies and queues one event, with its effect; notes the queue lane it touches.
    fn record(
        &mut self,
        at: DateTime<Utc>,
        event: Event,
        lanes: &mut Vec<RegionId>,
    ) -> Result<(), EngineError> {
        self.open_log(at)?;
        let scope = self.profile.queue_scope;
        // Everything an event's lane and effect need is read before it is applied (without a
        // log, the event then moves into the state): a task's regions and ids never change,
        // and the effect is queued only once the event has applied.
        let task = |id: &TaskId| self.state.task(*id);
        let mut lane = None;
        let mut effect = None;
        match &event {
            Event::CopyAccepted(copy) => lane = Some(copy.task.queue_region(scope).clone()),
            Event::CopyStarted { task: id } => effect = task(id).map(|t| Effect::start_copy(t, at)),
            Event::CopySucceeded { task: id } | Event::CopyFailed { task: id, .. } => {
                lane = task(id).map(|t| t.queue_region(scope).clone());
            }
            Event::CopyCancelled { task: id } => {
                let t = task(id);
                lane = t.map(|t| t.queue_region(scope).clone());
                if t.map(|t| t.state()) == Some(TaskState::Running) {
                    effect = Some(Effect::AbortCopy { task: *id });
                }
            }
            Event::ExportAccepted { task } => effect = Some(Effect::start_export(task)),
            Event::ImportAccepted { task, .. } => effect = Some(Effect::start_import(task)),
            Event::ExportCancelled { task } => effect = Some(Effect::AbortExport { task: *task }),
            _ => {}
        }
        let seq = self.next_seq;
        self.write(EventRecord { seq, at, event })?;
        // Pushed, not `extend`ed: extending a deque by an `Option` goes through its general
        // (reserve, then copy) path even for `None`.
        if let Some(lane) = lane {
            lanes.push(lane);
        }
        if let Some(effect) = effect {
            self.effects.push_back(effect);
        }
        Ok(())
    }

    /// Records an accepted copy: as its `CopyAccepted` event when events are logged, else
    /// moved into the state as the check made it ([`State::accept_copy`]), with the same
    /// sequence number; notes its queue lane.
    fn record_copy(
        &mut self,
        at: DateTime<Utc>,
        copy: NewCopy,
        lanes: &mut Vec<RegionId>,
    ) -> Result<(), EngineError> {
        if self.log_events {
            let event = Event::CopyAccepted(Box::new(copy.into_acceptance()));
            return self.record(at, event, lanes);
        }
        self.open_log(at)?;
        let lane = copy.task.queue_region(self.profile.queue_scope).clone();
        self.state.accept_copy(at, copy)?;
        self.next_seq += 1;
        lanes.push(lane);
        Ok(())
    }

    /// Writes the log's head (record 0) at the first state change.
    // Inlined, the head's writing apart: after the first change it is one comparison.
    #[inline]
    fn open_log(&mut self, at: DateTime<Utc>) -> Result<(), EngineError> {
        if self.next_seq == 0 {
            self.write_head(at)?;
        }
        Ok(())
    }

    /// Writes the log's head, record 0, naming the profile.
    fn write_head(&mut self, at: DateTime<Utc>) -> Result<(), EngineError> {
        let head = Event::LogOpened {
            profile: Box::new(self.profile.clone()),
        };
        self.write(EventRecord {
            seq: 0,
            at,
            event: head,
        })
    }

    /// Applies a record numbered `next_seq` and queues it (when events are logged).
    fn write(&mut self, record: EventRecord) -> Result<(), EngineError> {
        debug_assert_eq!(record.seq, self.next_seq);
        if self.log_events {
            self.state.apply(&record)?;
            self.events.push_back(record);
        } else {
            self.state.apply_owned(record)?;
        }
        self.next_seq += 1;
        Ok(())
    }

    /// Whether events are queued for [`ImageService::poll_event`] (on by default). A host
    /// that keeps no event log (the scenario runner without `--events`) turns it off: the
    /// state changes exactly as before, effects are still queued, and an accepted copy's
    /// image, snapshots and task, and a snapshot or image fixture, move into the state
    /// instead of being cloned or boxed for the log. Events already queued stay queued.
    pub fn set_event_log(&mut self, on: bool) {
        self.log_events = on;
    }

    /// Whether events are queued (see [`ImageService::set_event_log`]).
    pub fn event_log(&self) -> bool {
        self.log_events
    }

    /// Starts the head of each touched lane whose slot is free: the moment a copy ends,
    /// the next one in its region starts.
    fn start_next_in_queues(
        &mut self,
        now: DateTime<Utc>,
        lanes: &mut Vec<RegionId>,
    ) -> Result<(), EngineError> {
        if lanes.len() > 1 {
            lanes.sort();
            lanes.dedup();
        }
        // A started task's lane is busy, so starting it touches no lane to revisit.
        let mut none = Vec::new();
        for lane in lanes.drain(..) {
            if let Some(task) = self.state.queues().next_to_start_in(&lane) {
                self.record(now, Event::CopyStarted { task }, &mut none)?;
            }
        }
        Ok(())
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<EventRecord> {
        self.events.pop_front()
    }

    /// The next effect, oldest first.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// Every pending event, oldest first.
    pub fn drain_events(&mut self) -> Vec<EventRecord> {
        self.events.drain(..).collect()
    }

    /// Every pending effect, oldest first.
    pub fn drain_effects(&mut self) -> Vec<Effect> {
        self.effects.drain(..).collect()
    }

    /// Checks every invariant (see [`invariants`]).
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        invariants::check(&self.state, &self.profile)
    }

    /// The images `caller` can see that match `filter`, newest first (then by id).
    ///
    /// Visible: the caller's own images, images shared with the caller, public and
    /// marketplace images. The default follows the profile's provider: under Alibaba, with
    /// no `ids` and no `statuses` given, only `Available` images are listed, as Alibaba's
    /// `DescribeImages` does by default (with `ids` given, every status unless `statuses`
    /// narrows it); under Tencent, whose `DescribeImages` has no status default, every
    /// status is listed unless `statuses` narrows it.
    pub fn describe_images(&self, caller: &AccountId, filter: &ImageFilter) -> Vec<ImageView<'_>> {
        let default_statuses = [ImageStatus::Available];
        let alibaba = self.profile.provider == crate::provider::Provider::Alibaba;
        let statuses: Option<&[ImageStatus]> = match (&filter.statuses, &filter.ids) {
            (Some(s), _) => Some(s),
            (None, None) if alibaba => Some(&default_statuses),
            (None, _) => None,
        };
        let candidates: Box<dyn Iterator<Item = &Image>> = match &filter.ids {
            Some(ids) => Box::new(ids.iter().filter_map(|id| self.state.image(id))),
            None => Box::new(self.state.images()),
        };
        let mut views: Vec<ImageView<'_>> = candidates
            .filter(|i| filter.region.as_ref().is_none_or(|r| &i.region == r))
            .filter(|i| statuses.is_none_or(|s| s.contains(&i.status)))
            .filter_map(|image| {
                let shared = self.state.is_shared_with(&image.id, caller);
                image
                    .owner_alias_for(caller, shared)
                    .map(|owner_alias| ImageView { image, owner_alias })
            })
            .filter(|v| {
                filter
                    .owner_aliases
                    .as_ref()
                    .is_none_or(|a| a.contains(&v.owner_alias))
            })
            .collect();
        views.sort_by(|a, b| {
            b.image
                .created_at
                .cmp(&a.image.created_at)
                .then_with(|| a.image.id.cmp(&b.image.id))
        });
        views.dedup_by(|a, b| a.image.id == b.image.id);
        views
    }

    /// `DescribeImageSharePermission` (`ImageId`): the accounts `caller`'s image `image` in
    /// `region` is shared with, sorted. Read-only: nothing changes, nothing is recorded.
    ///
    /// Checks, in this order: the region is known (`InvalidRegionId.NotFound`); the image
    /// is in it and visible to the caller (`InvalidImageId.NotFound`, also listed for the
    /// call by Tencent's SDK); the caller owns it (`Forbbiden`, Alibaba's code for an
    /// operation on another account's resource; on Tencent
    /// `UnauthorizedOperation.ImageNotBelongToAccount`, the code `tencentcloud-sdk-go` lists
    /// for the call, `cvm/v20170312/client.go:2463`): only the owner sees who an image is
    /// shared with.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use machine_image::engine::{Fixture, ImageService, ModifyImageSharePermission};
    /// use machine_image::{Account, AccountId, Image, ImageId, ImageName, Profile, RegionId};
    ///
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let mut service = ImageService::new(Profile::alibaba());
    /// let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
    /// let friend = AccountId::new("2234567890123456")?;
    /// service.register(t0, Fixture::Account(Account::new(friend.clone(), 10, 100)))?;
    /// let web = ImageId::new("m-web0001")?;
    /// let image = Image::custom(web.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![]);
    /// service.register(t0, Fixture::Image(image.build()?))?;
    /// let share = ModifyImageSharePermission::new(owner.clone(), hz.clone(), web.clone());
    /// service.call(t0, share.share_with([friend.clone()]))?;
    ///
    /// assert_eq!(service.describe_image_share_permission(&owner, &hz, &web)?, [friend.clone()]);
    /// // The account it is shared with sees the image, not its share list.
    /// let refused = service.describe_image_share_permission(&friend, &hz, &web).unwrap_err();
    /// assert_eq!(refused.code().as_str(), "Forbbiden");
    /// assert_eq!(refused.tencent().as_str(), "UnauthorizedOperation.ImageNotBelongToAccount");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn describe_image_share_permission(
        &self,
        caller: &AccountId,
        region: &RegionId,
        image: &ImageId,
    ) -> Result<Vec<AccountId>, ApiError> {
        if !self.profile.regions.catalogue.has(region) {
            return Err(ApiError::new(ErrorCode::InvalidRegionIdNotFound));
        }
        match self
            .state
            .visible_image(caller, region, image)
            .map(|(_, alias)| alias)
        {
            None => Err(ApiError::new(ErrorCode::InvalidImageIdNotFound)),
            Some(OwnerAlias::Own) => {
                let mut accounts: Vec<AccountId> = self.state.shared_with(image).cloned().collect();
                accounts.sort();
                Ok(accounts)
            }
            // Tencent lists `UnauthorizedOperation.ImageNotBelongToAccount` for the call
            // (`tencentcloud-sdk-go` `cvm/v20170312/client.go:2463`).
            Some(_) => Err(ApiError::new(ErrorCode::Forbbiden)
                .with_tencent(TencentCode::UnauthorizedOperationImageNotBelongToAccount)),
        }
    }
}

/// A fixture's insertion refused for its id (see [`check::IdCheck::ByInsertion`]): the
/// fixture's error, as its check would have reported it.
fn duplicate_fixture(e: ApplyError) -> EngineError {
    match e {
        ApplyError::Duplicate(id) => FixtureError::DuplicateId(id).into(),
        e => e.into(),
    }
}

/// The serialised form (see [`ImageService`]'s docs).
#[derive(Serialize, Deserialize)]
struct ServiceData {
    profile: Profile,
    retention: Retention,
    event_log: bool,
    next_seq: u64,
    state: state::StateData,
    pending_events: Vec<EventRecord>,
    pending_effects: Vec<Effect>,
}

impl Serialize for ImageService {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ServiceData {
            profile: self.profile.clone(),
            retention: self.retention,
            event_log: self.log_events,
            next_seq: self.next_seq,
            state: state::StateData::from(&self.state),
            pending_events: self.events.iter().cloned().collect(),
            pending_effects: self.effects.iter().cloned().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ImageService {
    /// Rebuilds the indexes and refuses a service that breaks an invariant, whose pending
    /// events are not the last records before `next_seq`, or whose sequence number
    /// disagrees with its state (0 exactly when nothing has happened).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let data = ServiceData::deserialize(deserializer)?;
        if data.profile.queue_scope != data.state.queue_scope() {
            return Err(D::Error::custom(
                "state refused: the state's queue scope differs from the profile's",
            ));
        }
        let state = data.state.into_state().map_err(D::Error::custom)?;
        if (data.next_seq == 0) != state.now().is_none() {
            return Err(D::Error::custom(
                "state refused: next_seq must be 0 exactly when the state has seen no change",
            ));
        }
        let first_pending = data.next_seq.checked_sub(data.pending_events.len() as u64);
        let numbered = first_pending.is_some_and(|first| {
            data.pending_events
                .iter()
                .zip(first..)
                .all(|(record, seq)| record.seq == seq)
        });
        if !numbered {
            return Err(D::Error::custom(
                "state refused: the pending events are not the records just before next_seq",
            ));
        }
        let service = ImageService {
            profile: data.profile,
            retention: data.retention,
            state,
            next_seq: data.next_seq,
            events: data.pending_events.into(),
            effects: data.pending_effects.into(),
            lanes: Vec::new(),
            spare_copies: Vec::new(),
            log_events: data.event_log,
            due: retention::DueTime::default(),
        };
        service
            .check_invariants()
            .map_err(|e| D::Error::custom(StateError(e)))?;
        Ok(service)
    }
}
