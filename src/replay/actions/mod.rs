//! Every action the runner answers, declared once in [`ACTIONS`]: its name, the provider
//! whose form it is, its kind, and its request struct (declared with
//! [`params!`](super::param::params): the parameters' names and kinds, in the order a
//! rendered line lists them). Dispatch, the accepted-parameter check, rendering a command
//! back to a line ([`super::scenario`]) and the docs tables (checked by a test) all come
//! from these declarations.

mod common;
mod configure;
mod estimate;
mod exports;
mod fixtures;
mod images;
mod lifecycle;
mod reports;
mod usage;

use chrono::{DateTime, Utc};

use crate::provider::Provider;

use super::line::Object;
use super::{Reply, Runner};
use common::Read;

pub(crate) use common::tag_objects;
pub(crate) use configure::Configure;
pub(crate) use exports::{AlibabaExportImage, CancelTask};
pub(crate) use fixtures::{SeedImage, SeedKmsKey, SeedSnapshot, SetAccount, SetBucket};
pub(crate) use images::{AlibabaCopyImage, AlibabaModifyShare, ImageCall};
pub(crate) use lifecycle::{
    AlibabaCreateImage, AlibabaImportImage, FileDisk, ImportFailed, ModifyImageAttributeCall,
    SnapshotDisk,
};
pub(crate) use reports::{CopyFailed, ExportFailed};

/// A request that, read from its line, is answered.
pub(crate) trait Respond {
    /// Checks the parameters in the order the provider does, runs the command (if any)
    /// and says how to render the success.
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply>;
}

/// What an action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionKind {
    /// The first line's settings.
    Configure,
    /// What the cloud already holds.
    Fixture,
    /// A provider's API call.
    Call,
    /// A report of the host's.
    Report,
    /// The runner's own query.
    Query,
}

/// One action the runner answers: its name, the provider whose form it is (`None`: both),
/// its kind and the parameters it takes (besides `at` and `Action`), in the order a rendered
/// line lists them. A tool in another language can generate its client from [`ACTIONS`].
///
/// ```
/// use machine_image::replay::{ACTIONS, ActionKind};
/// use machine_image::Provider;
///
/// let copy = ACTIONS.iter().find(|a| a.name() == "SyncImages").unwrap();
/// assert_eq!(copy.provider(), Some(Provider::Tencent));
/// assert_eq!(copy.kind(), ActionKind::Call);
/// assert!(copy.params().contains(&"DestinationRegions"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Action {
    name: &'static str,
    provider: Option<Provider>,
    kind: ActionKind,
    params: &'static [&'static str],
}

impl Action {
    /// The action's name (the line's `Action`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The provider whose form it is; `None` for both.
    pub fn provider(&self) -> Option<Provider> {
        self.provider
    }

    /// What it is.
    pub fn kind(&self) -> ActionKind {
        self.kind
    }

    /// The parameters it takes, besides `at` and `Action`.
    pub fn params(&self) -> &'static [&'static str] {
        self.params
    }
}

macro_rules! actions {
    ($($name:literal, $provider:expr, $kind:ident, $request:ident $(($wrap:path))?;)*) => {
        /// Every action the runner answers, in the order of the docs tables.
        pub const ACTIONS: &[Action] = &[$(Action {
            name: $name,
            provider: $provider,
            kind: ActionKind::$kind,
            params: match $provider {
                Some(Provider::Tencent) => $request::TENCENT_NAMES,
                _ => $request::ALIBABA_NAMES,
            },
        },)*];

        /// Reads and answers `object` as `action` under `provider`; `None` for an action
        /// that is not declared for the provider. `Configure` is answered before the line's
        /// time is read, by the runner.
        pub(crate) fn dispatch(
            runner: &mut Runner,
            provider: Provider,
            action: &str,
            object: &Object<'_>,
            at: DateTime<Utc>,
        ) -> Option<Read<Reply>> {
            match action {
                $($name if ActionKind::$kind != ActionKind::Configure
                    && $provider.is_none_or(|p: Provider| p == provider) =>
                {
                    let mut r = $request::blank_for(provider);
                    Some(r.read_members(object, provider).and_then(|()| {
                        $(let r = $wrap(r);)?
                        r.respond(runner, at)
                    }))
                })*
                _ => None,
            }
        }
    };
}

use Provider::{Alibaba, Tencent};
use estimate::EstimateCopyCost;
use exports::{DescribeTasks, TencentExportImages};
use images::{
    AlibabaDescribeImages, CancelCopy, Delete, SyncImages, TencentDescribeImages,
    TencentModifyShare,
};
use lifecycle::{
    DescribeImageSharePermission, TencentCreateImage, TencentDeleteImages, TencentImportImage,
};
use usage::EstimateUsageCost;

impl Respond for Configure<'_> {
    /// Never called: `dispatch` leaves `Configure` to the runner, which must read it before
    /// the line's time (it may have none) and only as the first line; the entry in
    /// [`ACTIONS`] is for the parameter list, the docs table and rendering.
    fn respond(&self, _: &mut Runner, _: DateTime<Utc>) -> Read<Reply> {
        Ok(Reply::Plain)
    }
}

actions! {
    "Configure", None, Configure, Configure;
    "SetAccount", None, Fixture, SetAccount;
    "SeedSnapshot", None, Fixture, SeedSnapshot;
    "SeedImage", None, Fixture, SeedImage;
    "SeedKmsKey", None, Fixture, SeedKmsKey;
    "SetBucket", None, Fixture, SetBucket;
    "CopyImage", Some(Alibaba), Call, AlibabaCopyImage;
    "CancelCopyImage", Some(Alibaba), Call, ImageCall(CancelCopy);
    "DeleteImage", Some(Alibaba), Call, ImageCall(Delete);
    "ModifyImageSharePermission", Some(Alibaba), Call, AlibabaModifyShare;
    "DescribeImages", Some(Alibaba), Call, AlibabaDescribeImages;
    "ExportImage", Some(Alibaba), Call, AlibabaExportImage;
    "CancelTask", Some(Alibaba), Call, CancelTask;
    "DescribeTasks", Some(Alibaba), Call, DescribeTasks;
    "CreateImage", Some(Alibaba), Call, AlibabaCreateImage;
    "ImportImage", Some(Alibaba), Call, AlibabaImportImage;
    "ModifyImageAttribute", Some(Alibaba), Call, ModifyImageAttributeCall;
    "DescribeImageSharePermission", Some(Alibaba), Call, DescribeImageSharePermission;
    "SyncImages", Some(Tencent), Call, SyncImages;
    "ModifyImageSharePermission", Some(Tencent), Call, TencentModifyShare;
    "DescribeImages", Some(Tencent), Call, TencentDescribeImages;
    "ExportImages", Some(Tencent), Call, TencentExportImages;
    "CreateImage", Some(Tencent), Call, TencentCreateImage;
    "ImportImage", Some(Tencent), Call, TencentImportImage;
    "ModifyImageAttribute", Some(Tencent), Call, ModifyImageAttributeCall;
    "DescribeImageSharePermission", Some(Tencent), Call, DescribeImageSharePermission;
    "DeleteImages", Some(Tencent), Call, TencentDeleteImages;
    "CopyFailed", None, Report, CopyFailed;
    "ExportFailed", None, Report, ExportFailed;
    "ImportFailed", None, Report, ImportFailed;
    "EstimateCopyCost", Some(Alibaba), Query, EstimateCopyCost;
    "EstimateCopyCost", Some(Tencent), Query, EstimateCopyCost;
    "EstimateUsageCost", Some(Alibaba), Query, EstimateUsageCost;
    "EstimateUsageCost", Some(Tencent), Query, EstimateUsageCost;
}
