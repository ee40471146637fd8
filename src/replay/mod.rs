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
//! `{"Action":"Configure","Provider":"alibaba"|"tencent", "QueueScope":"source"|"destination",
//! "MaxImageSizeGiB":N, "CopyUnsupportedRegions":[…], "ByokUnsupportedRegions":[…]}` may be the
//! first line (default: Alibaba, source scope, 500 GiB, every region supporting copies and BYOK).
//!
//! | Fixture | Parameters (defaults) |
//! |---|---|
//! | `SetAccount` | `AccountId`; `ImageQuota` (500), `SnapshotQuota` (1000) per region; `CrossBorderAllowed`, `ByokAllowed`, `SizeAllowed`, `ExportEnabled` (false) |
//! | `SeedSnapshot` | `RegionId`, `SnapshotId`, `OwnerId`; `CreationTime` (the line's `at`), `SizeGiB` (20), `Encrypted` (false), `KMSKeyId` |
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
//!
//! | Tencent call (all take `Region`, the region the call is made in) | Parameters |
//! |---|---|
//! | `SyncImages` | `ImageIds` (exactly one), `DestinationRegions`; `DryRun`, `ImageName` (≤ 60), `ImageSetRequired`, `Encrypt`, `KmsKeyId` |
//! | `ModifyImageSharePermission` | `ImageId`, `AccountIds`, `Permission` (`SHARE`/`CANCEL`) |
//! | `DescribeImages` | `ImageIds` (optional) |
//! | `ExportImages` | `BucketName`, `ImageIds`, `FileNamePrefixList` (one per image); `ExportFormat` (`RAW`, `QCOW2`, `VHD`, `VMDK`; default `RAW`), `OnlyExportRootDisk`, `DryRun`, `RoleName` (taken, not modelled). One export task per image; every image is checked before any is exported |
//!
//! Host reports (both providers, no `CallerId`): `CopyFailed` (`RegionId` or `Region`,
//! `ImageId` of the destination, `Reason`); `ExportFailed` (`TaskId`: `t-00000001` on
//! Alibaba, the number on Tencent; `Reason`). The simulator starts, progresses and finishes
//! copies and exports itself (an export takes 5 minutes plus 6 s per GiB).
//!
//! Runner query (both providers, not a provider API): `EstimateCopyCost` (`RegionId` /
//! `Region`, `ImageIds`, `DestinationRegions`, `Months`; `SnapshotPriceGiBMonth`,
//! `SnapshotPricesByRegion` (`[{"RegionId","Price"}]`), prices as decimal strings, `Currency`
//! (`USD`)): the cost of copying the images (visible to the caller in the region) to each
//! destination and keeping the copies that many months ([`crate::charges::estimate`]).
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
//! The engine's refusals of a customer's call ([`EngineError::Rejected`]) are answered as
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
//! | [`EngineError::Fixture`] | `InvalidParameter` | `line N: the fixture is refused: …` |
//! | [`EngineError::Internal`] | `InternalError` | the code's |

mod actions;
mod estimate;
mod exporting;
mod fields;
mod render;
pub mod scenario;
mod timeline;
pub mod value;
mod wire;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::{
    Command, EngineError, EventRecord, HostReport, ImageFilter, ImageService, Outcome,
};
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};
use crate::id::{ImageId, RequestId};
use crate::image::{ImageStatus, OwnerAlias};
use crate::profile::Profile;
use crate::provider::Provider;
use crate::region::RegionId;
use crate::sim::Simulator;

use fields::{Fields, at_line};
pub use value::{Key, Value};
pub use wire::wire_error;

/// Whether a line is skipped: blank, or starting with `#`.
pub fn is_skipped(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// A line that could not be read as a JSON value.
///
/// A host that reads the lines itself passes its parser's failure on, and the runner
/// answers it with an error line as for any other bad line:
///
/// ```
/// use machine_image::replay::{LineError, Runner, Value};
///
/// let mut runner = Runner::new();
/// let line = "{\"Action\": ";
/// let input = serde_json::from_str::<Value>(line).map_err(|e| LineError::InvalidJson { detail: e.to_string() });
/// let answer = runner.answer(1, input);
/// assert_eq!(answer.get("Code"), Some(&Value::str("InvalidParameter")));
/// let message = answer.get("Message").map(Value::to_json).unwrap_or_default();
/// assert!(message.starts_with("\"line 1:"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The bytes are not UTF-8.
    #[error("the line is not valid UTF-8")]
    InvalidUtf8,
    /// The text is not JSON; `detail` is the parser's account.
    #[error("the line is not valid JSON: {detail}")]
    InvalidJson {
        /// What the parser said.
        detail: String,
    },
}

/// What a line asked for, past its parameters: how to render a success.
enum Reply {
    /// `RequestId` alone.
    Plain,
    /// Alibaba `CopyImage`: the new image.
    CopiedTo(ImageId),
    /// Tencent `SyncImages`: the new images, if `ImageSetRequired`.
    Synced(Option<Vec<(ImageId, RegionId)>>),
    /// A body rendered where it was answered, through [`crate::response`] (it borrows the
    /// engine's state): `DescribeImages`, the export and cost actions.
    Body(Value),
}

/// A failed line: the error, and whether its message is the runner's own (naming the line).
struct Failure {
    error: ApiError,
    own_message: bool,
}

impl Failure {
    /// A parameter-reading failure: the runner's own messages name the line (`line N: …`),
    /// the seeds' errors keep their verbatim messages.
    fn reading(error: ApiError) -> Self {
        let own_message = error.message().starts_with("line ");
        Failure { error, own_message }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure {
            error,
            own_message: false,
        }
    }
}

/// What a [`Runner`] carries from one line to the next besides its engine: the last line's
/// `at` (a line may not go back before it) and the number of lines answered (`Configure`
/// is refused after the first). Serialisable, for a host that stores it with each answer
/// ([`Runner::checkpoint`], [`Runner::resume`]).
///
/// ```
/// use machine_image::replay::{Runner, Value};
///
/// let line = |at: &str| -> Result<Value, serde_json::Error> {
///     serde_json::from_str(&format!(
///         r#"{{"at":"{at}","Action":"SetAccount","AccountId":"1234567890123456"}}"#
///     ))
/// };
/// let mut runner = Runner::new();
/// runner.answer(1, Ok(line("2026-01-01T00:10:00Z")?));
/// // A host stores the engine and the checkpoint with each answer ...
/// let service = runner.simulator().service().clone();
/// let checkpoint = serde_json::to_string(&runner.checkpoint())?;
/// // ... and after a restart goes on where it stopped: time still may not go back.
/// let mut runner = Runner::resume(service, serde_json::from_str(&checkpoint)?);
/// let late = runner.answer(2, Ok(line("2026-01-01T00:00:00Z")?));
/// assert_eq!(late.get("Code"), Some(&Value::str("InvalidParameter")));
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
/// use machine_image::replay::{is_skipped, Runner, Value};
///
/// let scenario = [
///     "# A missing image can't be deleted.",
///     r#"{"at":"2026-01-01T00:00:00Z","Action":"DeleteImage","CallerId":"1234567890123456","RegionId":"cn-hangzhou","ImageId":"m-missing1"}"#,
/// ];
/// let mut runner = Runner::new();
/// let mut answers = Vec::new();
/// for (n, line) in scenario.iter().enumerate().filter(|(_, l)| !is_skipped(l)) {
///     let input: Value = serde_json::from_str(line)?;
///     answers.push(runner.answer(n as u64 + 1, Ok(input)));
/// }
/// assert_eq!(answers.len(), 1);
/// assert_eq!(answers[0].get("Code"), Some(&Value::str("InvalidImageId.NotFound")));
/// assert_eq!(answers[0].get("HttpCode"), Some(&Value::UInt(404)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
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

    fn provider(&self) -> Provider {
        self.sim.service().profile().provider
    }

    /// Answers line `line` (1-based; the `RequestId` derives from it), read as `input`.
    pub fn answer(&mut self, line: u64, input: Result<Value, LineError>) -> Value {
        let request = RequestId::from_sequence(line);
        let result = self.run_line(line, input);
        self.lines_answered += 1;
        // The simulator plays the host: it has taken every effect (and acted on it).
        let service = self.sim.service_mut();
        while let Some(event) = service.poll_event() {
            if self.record_events {
                self.events.push(event);
            }
        }
        let provider = self.provider();
        match result {
            Ok(reply) => render::reply(provider, &request, reply),
            Err(f) => render::error(provider, &request, &f.error, f.own_message),
        }
    }

    fn run_line(&mut self, line: u64, input: Result<Value, LineError>) -> Result<Reply, Failure> {
        let own = |e: ApiError| Failure {
            error: e,
            own_message: true,
        };
        let value = input.map_err(|e| {
            own(at_line(
                line,
                ApiError::new(ErrorCode::InvalidParameter).with_message(e.to_string()),
            ))
        })?;
        let Value::Object(pairs) = &value else {
            return Err(own(at_line(
                line,
                ApiError::new(ErrorCode::InvalidParameter).with_message(format!(
                    "the line is a JSON {}, not an object",
                    value.type_name()
                )),
            )));
        };
        let f = Fields::new(line, pairs);
        let action = f.str_req("Action").map_err(own)?;
        if action == "Configure" {
            return self.configure(line, &f).map_err(own);
        }
        let at = f.time_req("at").map_err(own)?;
        if let Some(last) = self.last_at {
            if at < last {
                return Err(own(f.invalid(
                    "at",
                    &format!("{at} is before the previous line's {last}"),
                )));
            }
        }
        self.last_at = Some(at);
        self.sim
            .advance_to(at)
            .map_err(|e| Failure::from(wire_error(&e)))?;
        self.line = line;
        self.dispatch(line, action, &f, at)
    }

    fn configure(&mut self, line: u64, f: &Fields<'_>) -> Result<Reply, ApiError> {
        if self.lines_answered > 0 {
            return Err(f.invalid("Action", "Configure must be the first line"));
        }
        f.only(&[
            "Provider",
            "QueueScope",
            "MaxImageSizeGiB",
            "CopyUnsupportedRegions",
            "ByokUnsupportedRegions",
        ])?;
        let provider: Provider = match f.str_opt("Provider")? {
            None => Provider::Alibaba,
            Some(p) => p.parse().map_err(|e: crate::provider::UnknownProvider| {
                f.invalid("Provider", &e.to_string())
            })?,
        };
        let mut profile = Profile::for_provider(provider);
        if let Some(scope) = f.str_opt("QueueScope")? {
            profile.queue_scope = scope
                .parse()
                .map_err(|e: String| f.invalid("QueueScope", &e))?;
        }
        if let Some(max) = f.u64_opt("MaxImageSizeGiB")? {
            profile.max_image_size_gib = max;
        }
        for (param, set) in [
            ("CopyUnsupportedRegions", true),
            ("ByokUnsupportedRegions", false),
        ] {
            for id in f.strs_opt(param)?.unwrap_or_default() {
                let region = profile.regions.catalogue.get_mut(id).ok_or_else(|| {
                    f.invalid(param, &format!("{id:?} is not a {provider} region"))
                })?;
                if set {
                    region.copy_supported = false;
                } else {
                    region.byok_supported = false;
                }
            }
        }
        let _ = line;
        if let Some(at) = f.time_opt("at")? {
            self.last_at = Some(at);
        }
        self.sim = Runner::simulator_for(profile, self.record_events);
        Ok(Reply::Plain)
    }

    fn run(&mut self, at: DateTime<Utc>, command: Command) -> Result<Outcome, Failure> {
        self.sim.handle(at, command).map_err(|e| match e {
            EngineError::Fixture(_) => Failure {
                error: at_line(self.line, wire_error(&e)),
                own_message: true,
            },
            other => Failure::from(wire_error(&other)),
        })
    }

    fn dispatch(
        &mut self,
        line: u64,
        action: &str,
        f: &Fields<'_>,
        at: DateTime<Utc>,
    ) -> Result<Reply, Failure> {
        let provider = self.provider();
        let own = |e: ApiError| Failure {
            error: e,
            own_message: true,
        };
        let read = |r: Result<Command, ApiError>| r.map_err(Failure::reading);
        let command = match (provider, action) {
            (_, "SetAccount") => read(actions::set_account(f, self.sim.service().profile()))?,
            (_, "SeedSnapshot") => read(actions::seed_snapshot(f, at))?,
            (_, "SeedImage") => {
                let state = self.sim.service().state();
                read(actions::seed_image(f, at, |id| {
                    state.snapshot(id).map(|s| s.size_gib)
                }))?
            }
            (_, "SeedKmsKey") => read(actions::seed_kms_key(f))?,
            (_, "CopyFailed") => return self.copy_failed(f, at),
            (Provider::Alibaba, "CopyImage") => read(actions::copy_image(f))?,
            (Provider::Alibaba, "CancelCopyImage") => read(actions::image_call(f, true))?,
            (Provider::Alibaba, "DeleteImage") => read(actions::image_call(f, false))?,
            (_, "ModifyImageSharePermission") => read(actions::modify_share(f, provider))?,
            (_, "DescribeImages") => {
                return self.describe(f).map_err(Failure::reading);
            }
            (Provider::Tencent, "SyncImages") => {
                let (command, image_set) = actions::sync_images(f).map_err(Failure::reading)?;
                let outcome = self.run(at, command)?;
                return Ok(match outcome {
                    Outcome::CopyAccepted { copies } => Reply::Synced(
                        image_set
                            .then(|| copies.into_iter().map(|c| (c.image, c.region)).collect()),
                    ),
                    _ => Reply::Plain,
                });
            }
            (_, a) if exporting::ACTIONS.contains(&a) => {
                return self.export_action(a, f, at);
            }
            (_, other) => {
                return Err(own(at_line(
                    line,
                    ApiError::new(ErrorCode::InvalidActionNotFound)
                        .with_message(format!("Specified api is not found, please check your url and method. (Action {other:?})"))
                        .with_tencent(TencentCode::InvalidAction),
                )));
            }
        };
        match self.run(at, command)? {
            Outcome::CopyAccepted { copies } => Ok(copies
                .into_iter()
                .next()
                .map_or(Reply::Plain, |c| Reply::CopiedTo(c.image))),
            _ => Ok(Reply::Plain),
        }
    }

    fn copy_failed(&mut self, f: &Fields<'_>, at: DateTime<Utc>) -> Result<Reply, Failure> {
        let (region, image, reason) = actions::copy_failed(f).map_err(Failure::reading)?;
        let state = self.sim.service().state();
        if state.image(&image).is_none_or(|i| i.region != region) {
            return Err(ApiError::new(ErrorCode::InvalidImageIdNotFound).into());
        }
        let Some(task) = state.live_task_of(&image) else {
            return Err(ApiError::new(ErrorCode::IncorrectImageStatus)
                .with_message("The specified image is not coping.")
                .into());
        };
        self.run(at, HostReport::CopyFailed { task, reason }.into())?;
        Ok(Reply::Plain)
    }

    fn describe(&mut self, f: &Fields<'_>) -> Result<Reply, ApiError> {
        let provider = self.provider();
        let region_param = actions::region_param(provider);
        match provider {
            Provider::Alibaba => f.only(&[
                "CallerId",
                "RegionId",
                "ImageId",
                "Status",
                "ImageOwnerAlias",
            ])?,
            Provider::Tencent => f.only(&["CallerId", "Region", "ImageIds"])?,
        }
        let caller = actions::require_caller(f)?;
        let region = RegionId::new(f.str_req(region_param)?)
            .ok()
            .filter(|r| {
                self.sim
                    .service()
                    .profile()
                    .regions
                    .catalogue
                    .contains(r.as_str())
            })
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidRegionIdNotFound))?;
        let ids_param = match provider {
            Provider::Alibaba => "ImageId",
            Provider::Tencent => "ImageIds",
        };
        // A malformed id is one that does not exist: Alibaba lists nothing for it, as for
        // any unknown id; Tencent refuses it (`InvalidImageId.Malformed`), as `SyncImages`
        // does.
        let ids = match actions::list_param(f, ids_param)? {
            None => None,
            Some(ids) if provider == Provider::Tencent => Some(
                ids.into_iter()
                    .map(actions::image_id)
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(ids) => Some(
                ids.into_iter()
                    .filter_map(|s| ImageId::new(s).ok())
                    .collect(),
            ),
        };
        let mut filter = ImageFilter {
            region: Some(region),
            ids,
            statuses: None,
            owner_aliases: None,
        };
        match provider {
            Provider::Alibaba => {
                if let Some(statuses) = actions::list_param(f, "Status")? {
                    filter.statuses = Some(
                        statuses
                            .into_iter()
                            .map(|s| {
                                s.parse::<ImageStatus>().map_err(|_| {
                                    f.invalid("Status", &format!("{s:?} is not an image status"))
                                })
                            })
                            .collect::<Result<_, _>>()?,
                    );
                }
                if let Some(aliases) = actions::list_param(f, "ImageOwnerAlias")? {
                    filter.owner_aliases = Some(
                        aliases
                            .into_iter()
                            .map(|s| {
                                s.parse::<OwnerAlias>().map_err(|_| {
                                    f.invalid(
                                        "ImageOwnerAlias",
                                        &format!(
                                            "{s:?} is not self, others, system or marketplace"
                                        ),
                                    )
                                })
                            })
                            .collect::<Result<_, _>>()?,
                    );
                }
            }
            // Tencent lists every state by default: the engine's default under its profile.
            Provider::Tencent => {}
        }
        let views = self.sim.service().describe_images(&caller, &filter);
        Ok(Reply::Body(render::describe_images(
            provider,
            &RequestId::from_sequence(f.line()),
            &views,
        )))
    }

    /// A per-region chart of when each copy task waited and ran (for `--timeline`).
    pub fn timeline(&self) -> String {
        timeline::chart(
            self.sim.service().state(),
            self.sim.service().profile().queue_scope,
        )
    }
}
