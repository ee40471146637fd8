//! # machine-image
//!
//! A pure, deterministic model of the rules that cloud platforms apply to machine images
//! (Alibaba Cloud ECS and Tencent Cloud CVM): validated names, descriptions, ids, tags and
//! regions, the region copy policy, the providers' exact error catalogue, and
//! [`ImageService`], a sans-IO state machine that decides every copy, cancel, delete and
//! share and tells its host what to do.
//!
//! ```
//! use machine_image::sim::copy_duration;
//! use machine_image::replay::{Runner, Value};
//! use machine_image::{ApiError, ErrorCode, ImageName, Provider, RegionPolicy};
//!
//! // Values that can't be invalid; every violation maps to the provider's code.
//! let err: ApiError = ImageName::new("1-bad").unwrap_err().into();
//! assert_eq!(err.code(), ErrorCode::InvalidImageNameMalformed);
//! assert_eq!((err.code().as_str(), err.http_status()), ("InvalidImageName.Malformed", 400));
//!
//! // Which copies a region policy allows.
//! let tencent = RegionPolicy::for_provider(Provider::Tencent);
//! let refused = tencent.check_copy("ap-guangzhou", "ap-singapore", false).unwrap_err();
//! assert_eq!(ApiError::from(refused).code_for(Provider::Tencent), "UnsupportedOperation.Region");
//!
//! // The engine, driven through the scenario runner: a copy to the image's own region is
//! // refused with the seed's code.
//! let mut runner = Runner::new();
//! let line = |s: &str| -> Value {
//!     let mut pairs = Vec::new();
//!     for kv in s.split(';') {
//!         let (k, v) = kv.split_once('=').unwrap();
//!         pairs.push((k.to_owned(), Value::str(v)));
//!     }
//!     Value::object(pairs)
//! };
//! let at = "at=2026-01-01T00:00:00Z";
//! runner.answer(1, Ok(line(&format!("{at};Action=SeedImage;RegionId=cn-hangzhou;ImageId=m-src0001;ImageName=web;OwnerId=1"))));
//! let answer = runner.answer(2, Ok(line(&format!(
//!     "{at};Action=CopyImage;CallerId=1;RegionId=cn-hangzhou;ImageId=m-src0001;DestinationRegionId=cn-hangzhou"
//! ))));
//! assert_eq!(answer.get("Code"), Some(&Value::str("IncorrectDestinationRegion")));
//! assert_eq!(copy_duration(0).num_minutes(), 10);
//! ```
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
//! - Export ([`export`], [seed 002](crate::sources#seed-002)): only one's own custom images, not Windows, `Available`,
//!   to a bucket in the image's region, at most 5 data disks of at most 500 GiB each, with
//!   the export allow-list; objects named `<prefix>_xvda.raw`, `<prefix>_xvdb.raw`, …; the
//!   export task's states, and no deleting an image being exported.
//! - Charges ([`charges`], seeds [000](crate::sources#seed-000)–[002](crate::sources#seed-002)): what each image type and operation bills and why,
//!   priced only from a caller's [`charges::PriceTable`]; [`charges::estimate`] of a copy plan.
//! - The host ([`sim`]) and the scenario format ([`replay`]).
//!
//! The crate does no I/O: it never reads the clock, the network, files or randomness. The
//! same commands at the same times give the same results, byte for byte.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod id;
pub mod name;
pub mod provider;
pub mod region;
pub mod tag;
pub mod task;
pub mod tencent;
mod text;

pub use error::{ApiError, CatalogueEntry, ErrorCode, Parameter, SEED_CATALOGUE};
pub use id::{AccountId, IdError, IdKind, ImageId, KmsKeyId, RequestId, SnapshotId};
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
pub mod kms;
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
pub use image::{Image, ImageBuilder, ImageError, ImageKind, ImageStatus, OwnerAlias, Platform};
pub use kms::{Encryption, KmsKey};
pub use provider::Profile;
pub use sim::{Faults, Simulator};
pub use snapshot::{Snapshot, SnapshotError};
