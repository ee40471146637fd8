//! # machine-image
//!
//! A pure, deterministic model of the rules that cloud platforms apply to machine images
//! (Alibaba Cloud ECS and Tencent Cloud CVM): validated names, descriptions, ids, tags and
//! regions, the region copy policy, the providers' exact error catalogue, and
//! [`ImageService`], a sans-IO state machine that decides every create, import, copy,
//! cancel, rename, delete, share and export and tells its host what to do.
//!
//! # The host loop
//! A service embeds [`ImageService`], passes it what the cloud holds, what customers ask
//! and what its workers report, each with the current time, and carries out the
//! [`Effect`]s it asks for. Every state change comes out as a numbered
//! event record: persist those, and the service can be rebuilt after a restart (see
//! [`engine`], "Running it in a service", and `examples/durable_host.rs`).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use machine_image::engine::{CopyImage, Effect, Fixture, HostReport, ImageService};
//! use machine_image::{
//!     AccountId, Image, ImageId, ImageName, ImageStatus, Profile, RegionId, Snapshot, SnapshotId,
//! };
//!
//! let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let owner = AccountId::new("1234567890123456")?;
//! let hangzhou = RegionId::new("cn-hangzhou")?;
//! let mut service = ImageService::new(Profile::alibaba());
//! let mut log = Vec::new(); // the host's durable store of event records
//!
//! // What the cloud already holds: a snapshot and a custom image on it.
//! let disk = SnapshotId::new("s-sys0001")?;
//! let snapshot = Snapshot::new(disk.clone(), hangzhou.clone(), owner.clone(), t0, 40);
//! service.register(t0, Fixture::Snapshot(snapshot))?;
//! let web = ImageId::new("m-web0001")?;
//! let image = Image::custom(web.clone(), hangzhou.clone(), owner.clone(), ImageName::new("web")?, vec![disk])
//!     .size_gib(40)
//!     .build()?;
//! service.register(t0, Fixture::Image(image))?;
//!
//! // A customer's call, answered with its own type: the copies accepted.
//! let shanghai = RegionId::new("cn-shanghai")?;
//! let copies = service.call(t0, CopyImage::new(owner.clone(), hangzhou.clone(), web.clone(), [shanghai]))?;
//! log.extend(service.drain_events());
//!
//! // The host loop: do what the effects say, report back.
//! while let Some(effect) = service.poll_effect() {
//!     if let Effect::StartCopy { task, .. } = effect {
//!         // ... copy the disks for real, then:
//!         service.report(t0 + Duration::minutes(12), HostReport::CopyFinished(task))?;
//!     }
//! }
//! log.extend(service.drain_events());
//! let copy = service.state().image(&copies[0].image).expect("the copy exists");
//! assert_eq!(copy.status(), ImageStatus::Available);
//!
//! // A refusal says whose mistake it is; a customer's carries the provider's code.
//! let later = t0 + Duration::minutes(13);
//! let same_region = CopyImage::new(owner, hangzhou.clone(), web, [hangzhou]);
//! let refused = service.call(later, same_region).unwrap_err();
//! assert_eq!(refused.code().map(|c| c.as_str()), Some("IncorrectDestinationRegion"));
//! assert_eq!(refused.http_status(), 403);
//!
//! // After a restart, the log rebuilds the service exactly.
//! let rebuilt = ImageService::from_events(Profile::alibaba(), &log)?;
//! assert!(rebuilt == service);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The value types can't hold an invalid value, and each violation maps to the provider's
//! code:
//!
//! ```
//! use machine_image::{ApiError, ImageName, Provider, RegionPolicy};
//!
//! let err: ApiError = ImageName::new("1-bad").unwrap_err().into();
//! assert_eq!((err.code().as_str(), err.http_status()), ("InvalidImageName.Malformed", 400));
//! let tencent = RegionPolicy::for_provider(Provider::Tencent);
//! let refused = tencent.check_copy("ap-guangzhou", "ap-singapore", false).unwrap_err();
//! assert_eq!(ApiError::from(refused).code_for(Provider::Tencent), "UnsupportedOperation.Region");
//! ```
//!
//! # Layers
//! Each layer imports only from the layers below it:
//! 1. **Values** ([`provider`], [`error`] with its Tencent side, [`id`], [`name`],
//!    [`region`], [`tag`], [`task`]): validated newtypes, the region catalogues and the error
//!    catalogue. They know nothing of the engine.
//! 2. **Domain** ([`account`], [`snapshot`], [`kms`], [`copy`], [`image`], [`import`], [`export`],
//!    [`charges`]): the resources and their own rules (a task's diagram, an export's limits,
//!    what is billed), and [`profile`], the engine's configuration for one provider.
//! 3. **Engine** ([`engine`]): commands in (fixtures, calls, reports), checks, the state
//!    and its events, effects out; the log, snapshots and retention.
//! 4. **Hosts and wire** ([`sim`], [`response`], [`strategies`], [`replay`]): a modelled
//!    host, the providers' response bodies, proptest strategies (feature `proptest`), and
//!    the JSON Lines runner (default feature `runner`, the only part that needs a JSON
//!    crate: every action it answers is declared once, in [`replay::ACTIONS`]).
//!
//! # The rules, and where they live
//! - Values ([`name`], [`id`], [`tag`], [`region`]): image names of 2–128 characters (60 on
//!   Tencent) starting with a letter or a Chinese character; descriptions of 2–256 characters;
//!   neither starting with `http://` or `https://`; at most 20 tags; region ids checked
//!   against each provider's catalogue.
//! - Errors ([`error`], [`tencent`]): every code of the Alibaba `CopyImage` tables with its
//!   HTTP status and message verbatim, and the Tencent code of the same failure.
//! - Copies ([`engine`], [`copy`], [`image`]): only the caller's own custom images cross
//!   regions; shared images are copied within their region into the caller's own; public
//!   images are not copied; marketplace images only where published; on Tencent,
//!   whole-machine images stay in their region; encrypted snapshots copy only encrypted; customer keys must exist,
//!   be authorised, and the region and account allow BYOK; size, name and quota checks in the
//!   destination; one copy runs per region, the others wait in FIFO order.
//! - Create, import, rename, share lists ([`engine`], [`import`], [`snapshot`]): images
//!   from the caller's snapshots, whose lineage carries [seed 001](crate::sources#seed-001)'s
//!   image fee; imports from OSS objects or URLs through a host task; renames and
//!   descriptions under the name rules; sharing only with known accounts.
//! - Export ([`export`], [seed 002](crate::sources#seed-002)): only one's own custom images, not Windows, `Available`,
//!   to a bucket in the image's region, at most 5 data disks of at most 500 GiB each, with
//!   the export allow-list; objects named `<prefix>_xvda.raw`, `<prefix>_xvdb.raw`, …; the
//!   export task's states, and no deleting an image being exported.
//! - Charges ([`charges`], seeds [000](crate::sources#seed-000)–[002](crate::sources#seed-002)): what each image type and operation bills and why,
//!   priced only from a caller's [`charges::PriceTable`]; [`charges::estimate`] of a copy plan, [`charges::estimate_usage`] of a usage plan (launches,
//!   kept images, exports, downloads).
//! - The host ([`sim`]) and the scenario format ([`replay`]).
//! - The providers' response bodies, success and error, as typed structs ([`response`]),
//!   for an emulator that answers in the providers' wire format.
//! - Where every rule comes from: the provider documents, in [`sources`].
//!
//! The crate does no I/O: it never reads the clock, the network, files or randomness. The
//! same commands at the same times give the same results, byte for byte.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod id;
pub mod name;
mod newtype;
pub mod provider;
pub mod region;
pub mod tag;
pub mod task;
pub use error::tencent;

pub use error::{ApiError, CatalogueEntry, ErrorCode, Parameter, SEED_CATALOGUE};
pub use id::{AccountId, IdError, IdKind, ImageId, InstanceId, KmsKeyId, RequestId, SnapshotId};
pub use name::{Description, DescriptionError, ImageName, ImageNameError};
pub use provider::{Provider, UnknownProvider};
pub use region::{
    Geography, Region, RegionCatalogue, RegionId, RegionIdError, RegionPolicy, RouteError,
};
pub use tag::{Tag, TagError, TagKey, TagValue, Tags};
pub use tencent::TencentCode;
pub mod account;
pub mod charges;
pub mod copy;
pub mod engine;
pub mod export;
pub mod image;
pub mod import;
pub mod kms;
pub mod profile;
#[cfg(feature = "runner")]
pub mod replay;
pub mod response;
pub mod sim;
pub mod snapshot;
pub mod sources;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use account::Account;
pub use copy::{CopyTask, QueueScope, TaskId, TaskState, TransitionError};
pub use engine::{
    ApiCall, Command, Effect, EngineError, Event, Fixture, HostReport, ImageService, Outcome,
    Request,
};
pub use id::{ClientToken, ClientTokenError};
pub use image::{
    Architecture, Image, ImageBuilder, ImageError, ImageKind, ImageStatus, OwnerAlias, Platform,
};
pub use kms::{Encryption, KmsKey};
pub use profile::Profile;
pub use sim::{Faults, Simulator};
pub use snapshot::{Snapshot, SnapshotError};
pub use task::Lifecycle;
