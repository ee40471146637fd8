//! The scenario format: JSON Lines in, one JSON answer per line out, through the engine and
//! its [`Simulator`]. `examples/replay.rs` is a thin front door; harnesses use [`Runner`]
//! directly (bring any serde format: the example uses `serde_json`).
//!
//! # Input
//! One JSON object per line; blank lines and lines starting with `#` are skipped
//! ([`is_skipped`]).
//! - `"at"`: RFC 3339 time of the call. Required on every line but `Configure`; must not go
//!   backwards. The simulator advances to it (completing copies whose modelled time has
//!   passed, see [`crate::sim`]) before the line is applied.
//! - `"Action"`: the call. Parameter names are the providers' own, case-sensitive; a name the
//!   action does not take is refused (`InvalidParameter`; Tencent `UnknownParameter`).
//! - `"CallerId"`: the calling account, required on every API call (absent or empty:
//!   `InvalidAliUid.IsNull`, checked before every other parameter's value; only a parameter
//!   name the action does not take is refused before it); fixtures don't take it.
//! - `"ClientToken"`: optional on mutating calls, for idempotent retries.
//!
//! The first line may be `Configure` (default: Alibaba, source scope, 500 GiB, every region
//! supporting copies and BYOK); it takes no `at`.
//!
//! The tables below are the parameters of every action in [`ACTIONS`], the one declaration
//! the runner reads lines with (a test checks that each row names exactly the parameters
//! declared, besides `CallerId` and `ClientToken`, which every call takes, and the call
//! region of the Tencent form).
//!
//! | First line | Parameters (defaults) |
//! |---|---|
//! | `Configure` | `Provider` (`alibaba`; or `tencent`), `QueueScope` (`source`; or `destination`), `MaxImageSizeGiB` (500), `CopyUnsupportedRegions`, `ByokUnsupportedRegions` (lists of region ids) |
//!
//! | Fixture | Parameters (defaults) |
//! |---|---|
//! | `SetAccount` | `AccountId`; `ImageQuota` (500), `SnapshotQuota` (1000) per region; `CrossBorderAllowed`, `ByokAllowed`, `SizeAllowed`, `ExportEnabled` (false) |
//! | `SeedSnapshot` | `RegionId`, `SnapshotId`, `OwnerId`; `CreationTime` (the line's `at`), `SizeGiB` (20), `Encrypted` (false), `KMSKeyId`, `SourceImageId` (an image whose disk it holds: its lineage, which `CreateImage` passes on, seed 001) |
//! | `SeedImage` | `RegionId`, `ImageId`, `ImageName`; `OwnerId` (required for `self`), `ImageOwnerAlias` (`self`; or `system`, `marketplace`), `Status` (`Available`), `Platform` (`Linux`), `SnapshotIds` (system disk first), `SizeGiB` (sum of its known snapshots), `WholeMachine`, `Paid` (false), `PublishedRegions`, `Description` |
//! | `SeedKmsKey` | `RegionId`, `KeyId`, `OwnerId`; `Authorized` (true) |
//! | `SetBucket` | `BucketName`, `RegionId`, `OwnerId`: an object-storage bucket (COS/OSS) for exports |
//!
//! | Alibaba call | Parameters |
//! |---|---|
//! | `CopyImage` | `RegionId`, `ImageId`, `DestinationRegionId`; `DestinationImageName`, `DestinationDescription`, `Encrypted`, `KMSKeyId`, `Tag` (list of `{"Key","Value"}`) |
//! | `CancelCopyImage`, `DeleteImage` | `RegionId`, `ImageId` |
//! | `ModifyImageSharePermission` | `RegionId`, `ImageId`; `AddAccount`, `RemoveAccount` (lists) |
//! | `DescribeImages` | `RegionId`; `ImageId`, `Status`, `ImageOwnerAlias` (comma-separated lists or arrays) |
//! | `ExportImage` | `RegionId`, `ImageId`, `OSSBucket`, `OSSPrefix` (1–30 letters and digits); `ImageFormat` (`raw`, `vhd`, `qcow2`, `vmdk`, `vdi`; default `raw`), `RoleName` (taken, not modelled). The whole image is exported |
//! | `CancelTask` | `RegionId`, `TaskId` (an export task, `t-00000001`) |
//! | `DescribeTasks` | `RegionId`; `TaskIds` (comma-separated or array), `TaskAction` (`ExportImage`): the caller's export tasks in the region |
//! | `CreateImage` | `RegionId`, `ImageName`; `SnapshotId` (the system disk), `DiskDeviceMapping` (`[{"SnapshotId","Size","Device","DiskType"}]`, the disks after it; only the snapshot is modelled), `Description`, `Platform` (`Linux`; or `Windows`), `Architecture` (`x86_64`; or `arm64`), `Tag`, `InstanceId` (refused: instances are outside the model). Answers `ImageId` |
//! | `ImportImage` | `RegionId`, `ImageName`, `DiskDeviceMapping` (`[{"OSSBucket","OSSObject","Format","DiskImageSize","Device"}]`, system disk first; formats `RAW`, `VHD`, `QCOW2`, `VMDK`; sizes in GiB; the device is not modelled); `Description`, `OSType` (`linux`; or `windows`), `Platform` (the distribution: taken, not modelled), `Architecture`. Answers `ImageId`, `RegionId`, `TaskId` (`t-import00000001`); the image is `Waiting`, then `Creating`, then `Available` as the simulator runs the task |
//! | `ModifyImageAttribute` | `RegionId`, `ImageId`; `ImageName`, `Description` |
//! | `DescribeImageSharePermission` | `RegionId`, `ImageId`: `Accounts` (`{"Account":[{"AliyunId"}]}`) the caller's image is shared with, the first page of 10 (`PageNumber` and `PageSize` are not taken) |
//!
//! | Tencent call (all take `Region`, the region the call is made in) | Parameters |
//! |---|---|
//! | `SyncImages` | `ImageIds` (exactly one), `DestinationRegions`; `DryRun`, `ImageName` (≤ 60), `ImageSetRequired`, `Encrypt`, `KmsKeyId` |
//! | `ModifyImageSharePermission` | `ImageId`, `AccountIds`, `Permission` (`SHARE`/`CANCEL`) |
//! | `DescribeImages` | `ImageIds` (optional) |
//! | `ExportImages` | `BucketName`, `ImageIds`, `FileNamePrefixList` (one per image); `ExportFormat` (`RAW`, `QCOW2`, `VHD`, `VMDK`; default `RAW`), `OnlyExportRootDisk`, `DryRun`, `RoleName` (taken, not modelled). One export task per image; every image is checked before any is exported; a `ClientToken` covers the call (image N's export carries `<token>#N`) |
//! | `CreateImage` | `ImageName`, `SnapshotIds` (system disk first); `ImageDescription`, `DryRun`, `InstanceId` (refused: instances are outside the model). Answers `ImageId` |
//! | `ImportImage` | `ImageName`, `ImageUrl`, `OsType` (`Windows…` is Windows, any other Linux); `OsVersion`, `Architecture` (`x86_64`; or `arm_64`), `ImageDescription`, `DryRun`. The call does not give the file's size: the model takes 50 GiB. Answers `ImageId` |
//! | `ModifyImageAttribute` | `ImageId`; `ImageName`, `ImageDescription` |
//! | `DescribeImageSharePermission` | `ImageId`: `SharePermissionSet` (`[{"AccountId"}]`; the model keeps no `CreatedTime`) |
//! | `DeleteImages` | `ImageIds`; `DryRun`. Every image is checked before any is deleted |
//!
//! | Host report (both providers, no `CallerId`) | Parameters |
//! |---|---|
//! | `CopyFailed` | `RegionId` or `Region`, `ImageId` (of the destination); `Reason` |
//! | `ExportFailed` | `TaskId` (`t-00000001` on Alibaba, the number on Tencent); `Reason` |
//! | `ImportFailed` | `ImageId` (of the image being imported); `Reason` |
//!
//! The simulator starts, progresses and finishes copies, exports and imports itself (an
//! export takes 5 minutes plus 6 s per GiB, [`crate::sim`] gives the others); a report line
//! tells it a task failed.
//!
//! | Runner query (both providers, not a provider API) | Parameters |
//! |---|---|
//! | `EstimateCopyCost` | `RegionId` (Alibaba) or `Region` (Tencent), `ImageIds`, `DestinationRegions`, `Months`; `SnapshotPriceGiBMonth`, `SnapshotPricesByRegion` (`[{"RegionId","Price"}]`), prices as decimal strings, `Currency` (`USD`), `CheckRules` (false) |
//! | `EstimateUsageCost` | `RegionId` (Alibaba) or `Region` (Tencent); at least one item of `Launches` (`[{"ImageId","InstanceType","Instances","Months"}]`), `KeptImages` (`[{"ImageId","Months"}]`), `Exports` (`[{"TaskId","Months"}]`), `Downloads` (`[{"TaskId","Network"}]`, `Public` or `Private`); prices as decimal strings: `SnapshotPriceGiBMonth`, `BucketStoragePriceGiBMonth`, `BucketRequestPrice` (per request), `PublicDownstreamPriceGiB`, `WindowsLicencePrices` (`[{"InstanceType","Price"}]`, per instance-month); `Currency` (`USD`) |
//!
//! `EstimateCopyCost` gives the cost of copying the images (visible to the caller in the
//! region) to each destination and keeping the copies that many months
//! ([`crate::charges::estimate`]). With `CheckRules`, each copy is first checked as the
//! caller's dry run of `CopyImage` would be, and the first copy the rules refuse is the
//! answer (its code and message) instead of a price.
//!
//! `EstimateUsageCost` gives the charges of a plan beyond copies
//! ([`crate::charges::estimate_usage`]): launching instances from images the caller sees
//! in the region (seed 001: a public Windows image bills a licence per instance outside
//! mainland China; a paid ultimate source bills an image fee, listed, never priced),
//! keeping custom images (snapshot storage), keeping the objects of the caller's export
//! tasks in their bucket (seed 002: storage and write requests; upstream traffic free) and
//! downloading them (requests; public downstream traffic billed, private free). Every
//! charge names its seed and clause; a charge without a price is listed and counted in
//! `Unpriced`.
//!
//! # Output
//! Exactly one JSON object per line that is not skipped, keys in a fixed order, the
//! `RequestId` derived from the line number ([`crate::RequestId::from_sequence`]).
//! Every body is rendered through the typed bodies of [`crate::response`] (one per call and
//! provider, and the two error bodies), the ones an emulator embedding the engine uses.
//! - Alibaba success: `{"RequestId":…, …fields}`: `CopyImage` adds `ImageId`;
//!   `DescribeImages` adds `{"Images":{"Image":[…]},"TotalCount":N}`, each image with
//!   `ImageId`, `ImageName`, `RegionId`, `Status`, `Progress` (`"40%"`), `ImageOwnerAlias`,
//!   `OwnerId`, `Description`, `Platform`, `Size`, `CreationTime`, `Tags`, `IsCopied`,
//!   `CopiedFromImageId`. Without `ImageId` and `Status`, only `Available` images are listed
//!   (Alibaba's default).
//!   `ExportImage` adds `TaskId` (`t-00000001`) and `RegionId`; `DescribeTasks` adds
//!   `{"TaskSet":{"Task":[…]},"TotalCount":N,"RegionId":…}`, each task with `TaskId`,
//!   `TaskAction` (`ExportImage`), `TaskStatus` (`Waiting`, `Processing`, `Finished`,
//!   `Failed`, or `Cancelled`, the crate's name), `TaskProcess` (`"40%"`), `SupportCancel`,
//!   `CreationTime` and, once over, `FinishedTime`.
//! - Alibaba error: `{"RequestId":…, "HttpCode":400, "Code":"…", "Message":"…"}`.
//! - Tencent success: `{"Response":{…fields, "RequestId":…}}`: `SyncImages` with
//!   `ImageSetRequired` adds `ImageSet` (`[{"ImageId","Region"}]`); a `DryRun` that passes
//!   answers with the `RequestId` alone; `DescribeImages` adds `ImageSet` (`ImageId`,
//!   `ImageName`, `ImageDescription`, `ImageState`, `ImageSource`, `ImageType`, `ImageCreator`,
//!   `Platform`, `ImageSize`, `SyncPercent`, `CreatedTime`, `Tags`) and `TotalCount`, every
//!   state listed.
//!   `ExportImages` adds `TaskId` (the first image's task) and `CosPaths` (every object
//!   name, `<prefix>_xvda.raw`, `<prefix>_xvdb.raw`, …, images in the order given); a
//!   `DryRun` that passes answers with the `RequestId` alone.
//! - `EstimateCopyCost` (both forms) adds `Months` and `Lines`, one per image and destination
//!   (`ImageId`, `DestinationRegion`, `Charges`: `Kind`, `Quantity`, `Unit`, `Billed`,
//!   `Amount` when priced, `UltimateSource` for an image fee, `Seed`; `Subtotal` when
//!   priced), and with prices `Currency` and `Total`. Image fees are per instance: listed,
//!   never priced.
//! - Tencent error: `{"Response":{"Error":{"Code":"…","Message":"…"},"RequestId":…}}`.
//! - A line that is not JSON, not an object, misses a parameter, has one of the wrong type,
//!   an unknown one or an unknown action gets an error line (`InvalidParameter`,
//!   `MissingParameter`, `InvalidAction.NotFound`; Tencent `InvalidParameter`,
//!   `MissingParameter`, `UnknownParameter`, `InvalidAction`) whose message starts with
//!   `line N:` and names the parameter; the run goes on.
//!
//! # Errors that are not the customer's
//! The engine's refusals of a customer's call ([`EngineError::Rejected`](crate::engine::EngineError::Rejected)) are answered as
//! they are. Its other errors (the host's mistakes, refused fixtures, bugs) carry no
//! provider code; the runner answers them through one function, [`wire_error`]:
//!
//! | Engine error | Code | Message |
//! |---|---|---|
//! | [`HostError::CopyTransition`](crate::engine::HostError::CopyTransition) (a copy report out of order) | `IncorrectImageStatus` | the code's |
//! | [`HostError::UnknownTask`](crate::engine::HostError::UnknownTask) | `InvalidParameter` | names `TaskId` |
//! | `HostError::ProgressOutOfRange`, `ProgressWentBack`, `ExportProgressOutOfRange`, `ExportProgressWentBack` | `InvalidParameter` | names `Progress` |
//! | [`HostError::ExportTransition`](crate::engine::HostError::ExportTransition) | `InvalidTaskId.IncorrectTaskStatus` | the code's |
//! | [`HostError::UnknownExport`](crate::engine::HostError::UnknownExport) | `InvalidTaskId.NotFound` | the code's |
//! | [`HostError::TimeWentBackwards`](crate::engine::HostError::TimeWentBackwards) | `InvalidParameter` | names `at`, the line's time |
//! | [`EngineError::Fixture`](crate::engine::EngineError::Fixture) | `InvalidParameter` | `line N: the fixture is refused: …` |
//! | [`EngineError::Internal`](crate::engine::EngineError::Internal) | `InternalError` | the code's |

mod actions;
mod failure;
mod line;
pub(crate) mod param;
mod render;
pub mod scenario;
mod timeline;
mod wire;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::{Command, EventRecord, ImageService, Outcome};
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::id::{ImageId, RequestId};
use crate::profile::Profile;
use crate::provider::Provider;
use crate::region::RegionId;
use crate::sim::Simulator;

use actions::Configure;
pub use actions::{ACTIONS, Action, ActionKind};
use failure::Failure;
use line::{Object, Shallow, read_line};
use param::{Param, Str};
pub use wire::wire_error;

/// Whether a line is skipped: blank, or starting with `#` (a line that is not UTF-8 is
/// never skipped: it is answered with an error).
pub fn is_skipped(line: impl AsRef<[u8]>) -> bool {
    let bytes = line.as_ref();
    // The common case without decoding: the first byte that is not ASCII white space.
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => return false,
        Some(b'#') => return std::str::from_utf8(bytes).is_ok(),
        None => return true,
        Some(_) => {}
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let t = text.trim();
            t.is_empty() || t.starts_with('#')
        }
        Err(_) => false,
    }
}

/// Why a line could not be read as a JSON object (answered with an `InvalidParameter`
/// line whose message names the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The bytes are not UTF-8.
    #[error("the line is not valid UTF-8")]
    InvalidUtf8,
    /// The text is not JSON; `detail` is `serde_json`'s account.
    #[error("the line is not valid JSON: {detail}")]
    InvalidJson {
        /// What the parser said.
        detail: String,
    },
    /// The line is JSON, but not an object.
    #[error("the line is a JSON {found}, not an object")]
    NotAnObject {
        /// The JSON type it is.
        found: &'static str,
    },
}

/// How a success is rendered.
pub(crate) enum Reply {
    /// `RequestId` alone.
    Plain,
    /// Alibaba `CopyImage`: the new image.
    CopiedTo(ImageId),
    /// Tencent `SyncImages`: the new images, if `ImageSetRequired`.
    Synced(Option<Vec<(ImageId, RegionId)>>),
    /// A body rendered where it was answered, through [`crate::response`] (it borrows the
    /// engine's state): `DescribeImages`, the export and cost actions.
    Json(String),
}

/// The answer to one line: its JSON text, and the error it reports, if any.
///
/// ```
/// use machine_image::replay::Runner;
///
/// let mut runner = Runner::new();
/// let answer = runner.answer(1, r#"{"at":"2026-01-01T00:00:00Z","Action":"DeleteImage","CallerId":"1234567890123456","RegionId":"cn-hangzhou","ImageId":"m-missing1"}"#);
/// assert_eq!(answer.code(), Some("InvalidImageId.NotFound"));
/// assert_eq!(answer.error().map(|e| e.http_status()), Some(404));
/// assert!(answer.json().starts_with(r#"{"RequestId":"00000000-0000-4000-8000-000000000001","HttpCode":404"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    json: String,
    error: Option<ApiError>,
    provider: Provider,
}

impl Answer {
    /// The answer's JSON text (one line, no newline).
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The JSON text, owned.
    pub fn into_json(self) -> String {
        self.json
    }

    /// The error the line was answered with; `None` for a success.
    pub fn error(&self) -> Option<&ApiError> {
        self.error.as_ref()
    }

    /// The error code as the answer gives it (the provider's: Tencent's on Tencent);
    /// `None` for a success.
    pub fn code(&self) -> Option<&'static str> {
        self.error.as_ref().map(|e| e.code_for(self.provider))
    }

    /// Whether the line succeeded.
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// What a [`Runner`] carries from one line to the next besides its engine: the last line's
/// `at` (a line may not go back before it) and the number of lines answered (`Configure`
/// is refused after the first). Serialisable, for a host that stores it with each answer
/// ([`Runner::checkpoint`], [`Runner::resume`]).
///
/// ```
/// use machine_image::replay::Runner;
///
/// let line = |at: &str| {
///     format!(r#"{{"at":"{at}","Action":"SetAccount","AccountId":"1234567890123456"}}"#)
/// };
/// let mut runner = Runner::new();
/// runner.answer(1, line("2026-01-01T00:10:00Z"));
/// // A host stores the engine and the checkpoint with each answer ...
/// let service = runner.simulator().service().clone();
/// let checkpoint = serde_json::to_string(&runner.checkpoint())?;
/// // ... and after a restart goes on where it stopped: time still may not go back.
/// let mut runner = Runner::resume(service, serde_json::from_str(&checkpoint)?);
/// let late = runner.answer(2, line("2026-01-01T00:00:00Z"));
/// assert_eq!(late.code(), Some("InvalidParameter"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerCheckpoint {
    last_at: Option<DateTime<Utc>>,
    lines_answered: u64,
}

/// Runs a scenario, line by line.
///
/// ```
/// use machine_image::replay::{is_skipped, Runner};
///
/// let scenario = [
///     "# A missing image can't be deleted.",
///     r#"{"at":"2026-01-01T00:00:00Z","Action":"DeleteImage","CallerId":"1234567890123456","RegionId":"cn-hangzhou","ImageId":"m-missing1"}"#,
///     "not JSON",
/// ];
/// let mut runner = Runner::new();
/// let mut answers = Vec::new();
/// for (n, line) in scenario.iter().enumerate().filter(|(_, l)| !is_skipped(l)) {
///     answers.push(runner.answer(n as u64 + 1, line));
/// }
/// assert_eq!(answers.len(), 2);
/// assert_eq!(answers[0].code(), Some("InvalidImageId.NotFound"));
/// assert_eq!(answers[0].error().map(|e| e.http_status()), Some(404));
/// // A line that is not JSON is answered too, naming the line.
/// assert_eq!(answers[1].code(), Some("InvalidParameter"));
/// assert!(answers[1].json().contains(r#""Message":"line 3: the line is not valid JSON"#));
/// ```
#[derive(Debug, Clone)]
pub struct Runner {
    sim: Simulator,
    last_at: Option<DateTime<Utc>>,
    /// The number of the line being answered (for the messages of refused fixtures).
    line: u64,
    lines_answered: u64,
    record_events: bool,
    events: Vec<EventRecord>,
}

impl Default for Runner {
    fn default() -> Self {
        Runner::new()
    }
}

impl Runner {
    /// A runner with the default (Alibaba) profile.
    pub fn new() -> Self {
        Runner {
            sim: Runner::simulator_for(Profile::alibaba(), false),
            last_at: None,
            line: 0,
            lines_answered: 0,
            record_events: false,
            events: Vec::new(),
        }
    }

    /// Keeps every engine event for [`Runner::events`] (for `--events`).
    pub fn record_events(&mut self, on: bool) {
        self.record_events = on;
        self.sim.service_mut().set_event_log(on);
    }

    /// A simulator whose engine logs events only when they are recorded: unrecorded, they
    /// would be made only to be dropped.
    fn simulator_for(profile: Profile, record_events: bool) -> Simulator {
        let mut sim = Simulator::new(profile);
        sim.service_mut().set_event_log(record_events);
        // The runner never takes the consumed effects: don't keep them.
        sim.set_effect_log(false);
        sim
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[EventRecord] {
        &self.events
    }

    /// The simulator (and through it the engine's state).
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    // Resuming a run (a durable host: `examples/durable_host.rs`). A host that persists
    // what each line changed takes, after each answer, the line's event records
    // (`drain_events`) and the runner's own small state (`checkpoint`); after a restart it
    // rebuilds the engine from a snapshot and the records after it
    // (`ImageService::replay`) and carries on with `Runner::resume`.

    /// Takes the events recorded since the last call (with [`Runner::record_events`] on):
    /// the records the lines answered since then caused, in order, each numbered. A durable
    /// host stores them with the line's answer. [`Runner::events`] no longer holds them.
    pub fn drain_events(&mut self) -> Vec<EventRecord> {
        std::mem::take(&mut self.events)
    }

    /// What the runner carries from one line to the next besides its engine (see
    /// [`RunnerCheckpoint`]). Taken between lines, it goes with the engine's state as
    /// of the same line.
    pub fn checkpoint(&self) -> RunnerCheckpoint {
        RunnerCheckpoint {
            last_at: self.last_at,
            lines_answered: self.lines_answered,
        }
    }

    /// A runner that goes on from `checkpoint` with `service`, the engine as of the same
    /// line (deserialised from a snapshot, then brought forward with
    /// [`ImageService::replay`]): the next line is answered as the runner that took the
    /// checkpoint would have answered it. Events are recorded when `service` logs them
    /// (a service saved from a runner with [`Runner::record_events`] on does).
    ///
    /// A `Configure` line replaces the engine without writing a record (the records start
    /// with the first state change), so a host's first snapshot is taken after the first
    /// line answered: one from before it would lose the profile.
    ///
    /// The work in flight is picked up again: [`Simulator::resume`] has the engine re-issue
    /// the starts of all work in flight ([`ImageService::resume`]) and rebuilds the
    /// simulator's own table of work from them, timed as before the restart.
    pub fn resume(service: ImageService, checkpoint: RunnerCheckpoint) -> Runner {
        let record_events = service.event_log();
        // The one place a restored engine meets the simulator.
        let mut sim = Simulator::resume(service);
        sim.set_effect_log(false);
        Runner {
            sim,
            last_at: checkpoint.last_at,
            line: 0,
            lines_answered: checkpoint.lines_answered,
            record_events,
            events: Vec::new(),
        }
    }

    /// The provider whose form the lines are in.
    pub(crate) fn provider(&self) -> Provider {
        self.sim.service().profile().provider
    }

    /// The engine.
    pub(crate) fn service(&self) -> &ImageService {
        self.sim.service()
    }

    /// The request id of the line being answered.
    pub(crate) fn request(&self) -> RequestId {
        RequestId::from_sequence(self.line)
    }

    /// A region the caller names that the provider has; any other is
    /// `InvalidRegionId.NotFound`.
    pub(crate) fn known_region(&self, p: &Param<Str<'_>>) -> Result<RegionId, Failure> {
        RegionId::new(p.str_req()?)
            .ok()
            .filter(|r| {
                self.service()
                    .profile()
                    .regions
                    .catalogue
                    .contains(r.as_str())
            })
            .ok_or_else(|| ErrorCode::InvalidRegionIdNotFound.into())
    }

    /// Runs `command` at `at` through the simulator.
    pub(crate) fn run(&mut self, at: DateTime<Utc>, command: Command) -> Result<Outcome, Failure> {
        self.sim
            .handle(at, command)
            .map_err(|e| Failure::engine(&e))
    }

    /// Answers line `line` (1-based; the `RequestId` derives from it), its text `input`
    /// (without the newline).
    pub fn answer(&mut self, line: u64, input: impl AsRef<[u8]>) -> Answer {
        let mut json = Vec::with_capacity(128);
        let error = self.answer_line(line, input.as_ref(), &mut json);
        Answer {
            // The writer writes JSON text, which is UTF-8.
            json: String::from_utf8(json).unwrap_or_default(),
            error,
            provider: self.provider(),
        }
    }

    /// Answers line `line` as [`Runner::answer`] does, appending the answer's JSON text (no
    /// newline) to `out`: the way to answer many lines without an allocation per line.
    pub fn answer_into(&mut self, line: u64, input: impl AsRef<[u8]>, out: &mut Vec<u8>) {
        self.answer_line(line, input.as_ref(), out);
    }

    fn answer_line(&mut self, line: u64, input: &[u8], out: &mut Vec<u8>) -> Option<ApiError> {
        self.line = line;
        let result = match std::str::from_utf8(input) {
            Err(_) => Err(Failure::own(line_error(LineError::InvalidUtf8))),
            Ok(text) => self.run_line(text.trim()),
        };
        self.lines_answered += 1;
        // The simulator plays the host: it has taken every effect (and acted on it).
        while let Some(event) = self.sim.poll_event() {
            if self.record_events {
                self.events.push(event);
            }
        }
        let provider = self.provider();
        let request = RequestId::from_sequence(line);
        match result {
            Ok(reply) => {
                render::reply(provider, &request, reply, out);
                None
            }
            Err(mut f) => {
                if f.own_message {
                    let message = format!("line {line}: {}", f.error.message());
                    f.error = f.error.with_message(message);
                }
                render::error(provider, &request, &f.error, f.own_message, out);
                Some(f.error)
            }
        }
    }

    fn run_line(&mut self, text: &str) -> Result<Reply, Failure> {
        let object = match read_line(text) {
            Ok(Shallow::Object(object)) => object,
            Ok(other) => {
                return Err(Failure::own(line_error(LineError::NotAnObject {
                    found: other.type_name(),
                })));
            }
            Err(e) => {
                return Err(Failure::own(line_error(LineError::InvalidJson {
                    detail: e.to_string(),
                })));
            }
        };
        let mut head = Head::blank();
        head.read_from(&object);
        let action = head.action.str_req()?;
        if action == "Configure" {
            return self.configure(&object, &head);
        }
        let at = head.at.time_req()?;
        if let Some(last) = self.last_at {
            if at < last {
                return Err(head
                    .at
                    .invalid(&format!("{at} is before the previous line's {last}")));
            }
        }
        self.last_at = Some(at);
        self.sim.advance_to(at).map_err(|e| Failure::engine(&e))?;
        let provider = self.provider();
        actions::dispatch(self, provider, action, &object, at).unwrap_or_else(|| {
            let form = if ACTIONS.iter().any(|a| a.name() == action) {
                format!(" in the {provider} form")
            } else {
                String::new()
            };
            Err(Failure::own(
                ApiError::new(ErrorCode::InvalidActionNotFound)
                    .with_message(format!(
                        "Specified api is not found, please check your url and method. (Action {action:?}{form})"
                    ))
                    .with_tencent(TencentCode::InvalidAction),
            ))
        })
    }

    fn configure(&mut self, object: &Object<'_>, head: &Head<'_>) -> Result<Reply, Failure> {
        if self.lines_answered > 0 {
            return Err(head.action.invalid("Configure must be the first line"));
        }
        let profile = Configure::read(object)?.profile()?;
        if let Some(at) = head.at.time_opt()? {
            self.last_at = Some(at);
        }
        self.sim = Runner::simulator_for(profile, self.record_events);
        Ok(Reply::Plain)
    }

    /// A per-region chart of when each copy task waited and ran (for `--timeline`).
    pub fn timeline(&self) -> String {
        timeline::chart(
            self.sim.service().state(),
            self.sim.service().profile().queue_scope,
        )
    }
}

/// The members every line has: its time and its action.
struct Head<'a> {
    at: Param<Str<'a>>,
    action: Param<Str<'a>>,
}

impl<'a> Head<'a> {
    fn blank() -> Self {
        Head {
            at: Param::absent("at"),
            action: Param::absent("Action"),
        }
    }

    fn read_from(&mut self, object: &'a Object<'_>) {
        if let Some(raw) = object.get("at") {
            self.at.read(raw);
        }
        if let Some(raw) = object.get("Action") {
            self.action.read(raw);
        }
    }
}

/// The error of a line that is not a JSON object.
fn line_error(e: LineError) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter).with_message(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of the module docs' tables: each row's actions and the parameters it names.
    fn doc_rows() -> Vec<(Vec<String>, String, String)> {
        let mut rows = Vec::new();
        let mut heading = String::new();
        for line in include_str!("mod.rs").lines() {
            let Some(row) = line.strip_prefix("//! | ") else {
                continue;
            };
            let cells: Vec<&str> = row.splitn(2, " | ").collect();
            if !cells[0].starts_with('`') {
                heading = cells[0].to_owned();
                continue;
            }
            let names = cells[0]
                .split(", ")
                .map(|n| n.trim_matches('`').to_owned())
                .collect();
            let action_table = [
                "First line",
                "Fixture",
                "Alibaba call",
                "Tencent call",
                "Host report",
                "Runner query",
            ]
            .iter()
            .any(|h| heading.starts_with(h));
            if action_table {
                rows.push((names, heading.clone(), cells[1].to_owned()));
            }
        }
        rows
    }

    /// Whether `cell` names `param` as a code span.
    fn names(cell: &str, param: &str) -> bool {
        cell.contains(&format!("`{param}`"))
    }

    #[test]
    fn the_docs_tables_name_exactly_the_declared_parameters() {
        let rows = doc_rows();
        for action in ACTIONS {
            let form = match action.provider() {
                None => "",
                Some(Provider::Alibaba) => "Alibaba",
                Some(Provider::Tencent) => "Tencent",
            };
            let (_, _, cell) = rows
                .iter()
                .find(|(names, heading, _)| {
                    names.iter().any(|n| n == action.name())
                        && (heading.starts_with(form) || heading.starts_with("Runner query"))
                })
                .unwrap_or_else(|| panic!("no docs row for {}", action.name()));
            for param in action.params() {
                let implied = ["CallerId", "ClientToken"].contains(param)
                    || (*param == "Region" && form == "Tencent");
                assert!(
                    implied || names(cell, param),
                    "the docs row of {} does not name {param}",
                    action.name()
                );
            }
        }
        // The other way: a row names no parameter its actions don't declare (code spans
        // that start with a capital and are not declared must be values).
        // Values.
        const VALUES: &[&str] = &[
            "Public",
            "Private",
            "Windows",
            "Available",
            "Linux",
            "ExportImage",
            "SHARE",
            "CANCEL",
            "RAW",
            "QCOW2",
            "VHD",
            "VMDK",
            "USD",
            "CallerId",
        ];
        for (names_in_row, _, cell) in &rows {
            // The parameters come first; what follows `: ` or `Answers` describes the
            // answer.
            let params = cell.split(": ").next().unwrap_or(cell);
            let params = params.split(" Answers").next().unwrap_or(params);
            for span in params.split('`').skip(1).step_by(2) {
                let is_name = span.starts_with(|c: char| c.is_ascii_uppercase())
                    && span.chars().all(|c| c.is_ascii_alphanumeric());
                if !is_name || VALUES.contains(&span) {
                    continue;
                }
                assert!(
                    ACTIONS
                        .iter()
                        .filter(|a| names_in_row.iter().any(|n| n == a.name()))
                        .any(|a| a.params().contains(&span)),
                    "the docs row of {names_in_row:?} names {span}, which none of them declares"
                );
            }
        }
    }

    #[test]
    fn every_action_is_dispatched_to_its_own_request() {
        // Each declared action, given a parameter no action declares, is refused naming
        // it: the action was found and its own declaration read the line.
        for action in ACTIONS.iter().filter(|a| a.kind() != ActionKind::Configure) {
            let mut runner = Runner::new();
            if action.provider() == Some(Provider::Tencent) {
                runner.answer(1, r#"{"Action":"Configure","Provider":"tencent"}"#);
            }
            let line = format!(
                r#"{{"at":"2026-01-01T00:00:00Z","Action":"{}","NoSuchParameter":1}}"#,
                action.name()
            );
            let answer = runner.answer(2, line);
            assert!(
                answer.json().contains("NoSuchParameter"),
                "{}: {}",
                action.name(),
                answer.json()
            );
        }
    }
}
