//! # machine-image
//!
//! A pure, deterministic model of the rules that cloud platforms apply to machine images
//! (Alibaba Cloud ECS and Tencent Cloud CVM): validated names, descriptions, ids, tags and
//! regions, the region copy policy, and the providers' exact error catalogue.
//!
//! ```
//! use machine_image::{ErrorCode, ImageName, Provider, RegionPolicy, ApiError};
//!
//! // Values that can't be invalid.
//! let name = ImageName::new("web-server_v1.2").unwrap();
//! assert_eq!(name.as_str(), "web-server_v1.2");
//!
//! // Every violation maps to the provider's code, status and message.
//! let err: ApiError = ImageName::new("1-bad").unwrap_err().into();
//! assert_eq!(err.code(), ErrorCode::InvalidImageNameMalformed);
//! assert_eq!(err.code().as_str(), "InvalidImageName.Malformed");
//! assert_eq!(err.http_status(), 400);
//!
//! // Which copies a region policy allows.
//! let tencent = RegionPolicy::for_provider(Provider::Tencent);
//! let refused = tencent.check_copy("ap-guangzhou", "ap-singapore", false).unwrap_err();
//! assert_eq!(ApiError::from(refused).code_for(Provider::Tencent), "UnsupportedOperation.Region");
//! ```
//!
//! The crate does no I/O: it never reads the clock, the network, files or randomness.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod id;
pub mod name;
pub mod provider;
pub mod region;
pub mod tag;
pub mod tencent;

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
pub mod sim;
pub mod snapshot;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use account::Account;
pub use copy::{CopyTask, QueueScope, TaskId, TaskState, TransitionError};
pub use engine::{Command, Effect, EngineError, Event, ImageService, Outcome};
pub use id::{ClientToken, ClientTokenError};
pub use image::{Image, ImageKind, ImageStatus, OwnerAlias, Platform};
pub use kms::{Encryption, KmsKey};
pub use provider::Profile;
pub use sim::Simulator;
pub use snapshot::Snapshot;
