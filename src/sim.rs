//! `Simulator`: the host played for tests, examples and harnesses.
//!
//! It wraps an [`ImageService`] and does what a real host would, knowing only what the engine
//! told it. The engine's [`Effect`]s are its whole contract: the simulator keeps its own
//! table of the work it was told to do, built from the effects it polls (`StartCopy` adds a
//! copy, `AbortCopy` removes it, `StartExport` adds an export, `AbortExport` removes it,
//! `StartImport` adds an import) and
//! from the answers to the reports it sends (a task it reported finished or failed leaves
//! the table). It never reads the engine's queues or task tables to decide what to do; the
//! only thing it reads from the state is the clock ([`crate::engine::State::now`]), so that
//! no report is dated before the last state change, and from the profile the queue scope
//! (which region of a `StartCopy` names its queue, to order progress reports as the
//! engine's queues are ordered). Every effect it consumed is kept, in order, for
//! [`Simulator::take_effects`].
//!
//! # The model of time
//! [Seed 000](crate::sources#seed-000) says a copy takes 10 to 30 minutes; the model scales with size
//! ([`copy_duration`]): 10 minutes plus 2.4 seconds per GiB, at most 30 minutes (so 500 GiB
//! and more take 30 minutes). A copy's clock runs from the `started_at` of its `StartCopy`:
//! the moment the engine started it (when the copy before it in its queue ended).
//!
//! Exports ([`crate::export`]) start the moment they are accepted: at its next
//! [`Simulator::advance_to`], the simulator reports `ExportStarted` dated at the export's
//! `accepted_at` (or at the state's clock, if that is later), and the export's clock runs
//! from `accepted_at` for [`export_duration`]: 5 minutes plus 6 seconds per GiB written (the
//! sum of its objects' sizes).
//!
//! [`Simulator::advance_to`] first reports `ExportStarted` for every export not yet
//! reported started (in task order), then completes, in time order, every copy and export
//! whose modelled end is at or before `now` (copies before exports at the same instant, then
//! by task id; each report dated at its end, or at the state's clock if that is later; the
//! next copy in the region starts at that instant and its own clock runs from there), then
//! reports the progress of the exports still running (in task order) and of the copies
//! still running (in the order of their queue regions): elapsed × 100 / total, at most 99,
//! when above the last progress reported.
//!
//! Imports ([`crate::import`]) are played like exports: at its next
//! [`Simulator::advance_to`] the simulator reports `ImportStarted` dated at the import's
//! `accepted_at` (or the state's clock), and `ImportFinished` once [`import_duration`] of its
//! disks' GiB has passed since `accepted_at` (completed in time order with copies and
//! exports; at the same instant after them). Imports never fail in the simulator and report
//! no progress in between.
//!
//! # Effects are absorbed, not left pending
//! The simulator polls every pending effect after each command it forwards
//! ([`Simulator::handle`]), at the start of [`Simulator::advance_to`] (a caller may have
//! used [`Simulator::service_mut`] to handle a command directly), and when it wraps a
//! service ([`Simulator::from_service`], [`Simulator::resume`]). An effect the caller polls
//! itself through [`Simulator::service_mut`] is lost to the simulator: it will not do that
//! work.
//!
//! A report the engine refuses because the task is no longer where the simulator thought
//! (a transition the task diagram lacks, or an unknown task: someone reported it through
//! [`Simulator::service_mut`]) makes the simulator forget the task; a progress report
//! refused as going back teaches it the engine's progress. Any other refusal is returned.
//!
//! # Faults
//! [`Faults`] injects failures the way a deterministic network simulator does: a task's
//! fate is a pure function of a seed, the task's kind and its id ([`Faults::copy_fails`],
//! [`Faults::export_fails`]), so it is the same in every run and after every restart, and a
//! reference model can predict it. A copy (export) fated to fail is reported `CopyFailed`
//! (`ExportFailed`) with the reason [`INJECTED_FAILURE`] at its modelled end, instead of
//! finished. The default, [`Faults::none`], injects nothing.
//!
//! # Restarts
//! A host that restarts loses its table. [`Simulator::resume`] wraps a restored service
//! (from a snapshot: serde, or [`ImageService::replay`]), asks it to re-issue the effects of
//! all work in flight ([`ImageService::resume`]) and rebuilds the table from them. A
//! re-issued `StartCopy` carries the copy's original start, so its modelled end is what it
//! was before the restart; an export's clock runs from its acceptance, which `StartExport`
//! carries, and an export the engine already runs is reported `ExportStarted` again, which
//! the engine answers `Reported` without a change. Progress already reported is not known
//! after a restart: a report equal to the engine's changes nothing, and one below it is
//! refused with the engine's figure, which the simulator then takes. So a restarted
//! simulator writes the same events as one that never stopped. [`Simulator::restart`] does
//! the whole restart through a round trip the caller supplies (the library has no JSON
//! dependency).
//!
//! ```
//! use machine_image::sim::{Faults, Simulator};
//! use machine_image::{Profile, TaskId};
//!
//! let faults = Faults::new(7, 100, 0).unwrap(); // 10% of copies fail, no export does
//! let sim = Simulator::new(Profile::alibaba()).with_faults(faults);
//! // A task's fate is known up front, and never changes.
//! let doomed = (1..=100).filter(|id| faults.copy_fails(TaskId(*id))).count();
//! assert!(doomed > 0 && doomed < 30);
//! // A restart through a round trip (here the identity; a host would serialise).
//! let sim = sim.restart(|service| Ok::<_, ()>(service)).unwrap();
//! assert_eq!(sim.faults(), faults);
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::copy::TaskId;
use crate::engine::{Command, Effect, EngineError, HostError, HostReport, ImageService, Outcome};
use crate::export::ExportTaskId;
use crate::import::ImportTaskId;
use crate::profile::Profile;
use crate::region::RegionId;

/// The modelled duration of an export writing `size_gib` GiB: 5 minutes plus 6 seconds per
/// GiB ([seed 002](crate::sources#seed-002) only says it depends on the image's size and how busy the task queue is;
/// the figures are this crate's choice).
pub fn export_duration(size_gib: u64) -> Duration {
    // Capped at about 31,700 years so the duration stays within chrono's range.
    let seconds = size_gib
        .saturating_mul(6)
        .saturating_add(300)
        .min(1_000_000_000_000);
    Duration::seconds(seconds as i64)
}

/// The modelled duration of a copy of `size_gib` GiB (see the module docs).
pub fn copy_duration(size_gib: u64) -> Duration {
    let extra_seconds = size_gib.saturating_mul(12) / 5; // 2.4 s per GiB
    Duration::seconds((600 + extra_seconds).min(1800) as i64)
}

/// When a task started at `start` and taking `duration` ends: at the end of time when that is
/// past chrono's last date (such a task never ends in a run).
/// How long an import takes in the model: no seed gives a figure, so the export's
/// ([`export_duration`]: 5 minutes plus 6 seconds per GiB) is used, per GiB of disks read.
///
/// ```
/// use chrono::Duration;
/// use machine_image::sim::import_duration;
/// assert_eq!(import_duration(40), Duration::seconds(300 + 240));
/// ```
pub fn import_duration(size_gib: u64) -> Duration {
    export_duration(size_gib)
}

fn ends_at(start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    start
        .checked_add_signed(duration)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The progress of work started at `start` and taking `duration`, at `now`: elapsed × 100 /
/// total, at most 99 (only the end report finishes it).
fn percent_done(start: DateTime<Utc>, duration: Duration, now: DateTime<Utc>) -> u8 {
    let total = duration.num_seconds().max(1);
    let elapsed = (now - start).num_seconds().clamp(0, total);
    ((elapsed * 100) / total).min(99) as u8
}

/// The reason of every failure the simulator injects (see [`Faults`]).
pub const INJECTED_FAILURE: &str = "injected failure";

/// A failure rate above 1000 per mille.
///
/// ```
/// use machine_image::sim::{Faults, FaultsError};
///
/// assert_eq!(Faults::new(1, 0, 2000), Err(FaultsError::ExportRate(2000)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultsError {
    /// The copy failure rate is above 1000 per mille.
    #[error("copy failure rate {0} per mille is above 1000")]
    CopyRate(u16),
    /// The export failure rate is above 1000 per mille.
    #[error("export failure rate {0} per mille is above 1000")]
    ExportRate(u16),
}

/// Which tasks the simulator fails on purpose: a seed and a failure rate (per mille) for
/// copies and for exports.
///
/// A task's fate is a pure function of the seed, the task's kind and its id: with
/// `splitmix64(x)` the SplitMix64 output function (`z = x + 0x9e3779b97f4a7c15`;
/// `z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9`; `z = (z ^ z >> 27) * 0x94d049bb133111eb`;
/// `z ^ z >> 31`, all wrapping), the task's draw is
/// `splitmix64(splitmix64(seed ^ kind) ^ id) % 1000`, `kind` 1 for copies and 2 for
/// exports, and the task fails when its draw is below the rate. So a rate of 100 fails about
/// one task in ten, 0 none and 1000 all; the same task fails in every run, before and after
/// any restart.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::Fixture;
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # let snapshot = Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40);
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # let image = image.size_gib(40).build()?;
/// use chrono::Duration;
/// use machine_image::engine::CopyImage;
/// use machine_image::sim::{Faults, FaultsError, Simulator};
/// use machine_image::{ImageStatus, TaskId};
/// assert_eq!(Faults::new(1, 1001, 0), Err(FaultsError::CopyRate(1001)));
/// let every_copy_fails = Faults::new(1, 1000, 0)?;
/// assert!(every_copy_fails.copy_fails(TaskId(1)) && !Faults::none().copy_fails(TaskId(1)));
///
/// // A 40 GiB custom image `src` of `owner` in cn-hangzhou, its snapshot (hidden above).
/// let mut sim = Simulator::new(Profile::alibaba()).with_faults(every_copy_fails);
/// sim.register(t0, Fixture::Snapshot(snapshot))?;
/// sim.register(t0, Fixture::Image(image))?;
/// let copies = sim.call(t0, CopyImage::new(owner, hz, src, [RegionId::new("cn-shanghai")?]))?;
/// sim.advance_to(t0 + Duration::hours(1))?;
/// let copy = sim.service().state().image(&copies[0].image).expect("a failed copy stays");
/// assert_eq!(copy.status(), ImageStatus::CreateFailed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Faults {
    seed: u64,
    copy_failure_per_mille: u16,
    export_failure_per_mille: u16,
}

impl Default for Faults {
    /// [`Faults::none`].
    fn default() -> Self {
        Faults::none()
    }
}

/// The SplitMix64 output function (see [`Faults`]).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Faults {
    /// No failures: every task finishes.
    pub const fn none() -> Self {
        Faults {
            seed: 0,
            copy_failure_per_mille: 0,
            export_failure_per_mille: 0,
        }
    }

    /// Fails about `copy_failure_per_mille` copies and `export_failure_per_mille` exports in
    /// a thousand, chosen by `seed`. Refused if a rate is above 1000.
    pub fn new(
        seed: u64,
        copy_failure_per_mille: u16,
        export_failure_per_mille: u16,
    ) -> Result<Self, FaultsError> {
        if copy_failure_per_mille > 1000 {
            return Err(FaultsError::CopyRate(copy_failure_per_mille));
        }
        if export_failure_per_mille > 1000 {
            return Err(FaultsError::ExportRate(export_failure_per_mille));
        }
        Ok(Faults {
            seed,
            copy_failure_per_mille,
            export_failure_per_mille,
        })
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The copy failure rate, per mille.
    pub fn copy_failure_per_mille(&self) -> u16 {
        self.copy_failure_per_mille
    }

    /// The export failure rate, per mille.
    pub fn export_failure_per_mille(&self) -> u16 {
        self.export_failure_per_mille
    }

    /// Whether no task is ever failed.
    pub fn is_none(&self) -> bool {
        self.copy_failure_per_mille == 0 && self.export_failure_per_mille == 0
    }

    /// The draw of task `id` of `kind`, 0 to 999 (see the type's docs).
    fn draw(&self, kind: u64, id: u64) -> u16 {
        (splitmix64(splitmix64(self.seed ^ kind) ^ id) % 1000) as u16
    }

    /// Whether copy `task` is fated to fail.
    pub fn copy_fails(&self, task: TaskId) -> bool {
        self.copy_failure_per_mille > 0 && self.draw(1, task.0) < self.copy_failure_per_mille
    }

    /// Whether export `task` is fated to fail.
    pub fn export_fails(&self, task: ExportTaskId) -> bool {
        self.export_failure_per_mille > 0 && self.draw(2, task.0) < self.export_failure_per_mille
    }
}

/// A copy the simulator was told to run (`StartCopy`).
#[derive(Debug, Clone)]
struct CopyWork {
    /// Its queue region: progress is reported in the order of these.
    lane: RegionId,
    /// When the engine started it.
    started_at: DateTime<Utc>,
    /// GiB to copy.
    size_gib: u64,
    /// When it ends ([`copy_duration`] after its start).
    end: DateTime<Utc>,
    /// The last progress reported (or learnt from a refusal).
    progress: u8,
    /// The first time its progress is past `progress` (`None`: never before its end); the
    /// simulator computes a copy's progress only from then, not at every step.
    next_percent_at: Option<DateTime<Utc>>,
}

impl CopyWork {
    fn new(lane: RegionId, started_at: DateTime<Utc>, size_gib: u64) -> Self {
        let mut work = CopyWork {
            lane,
            started_at,
            size_gib,
            end: ends_at(started_at, copy_duration(size_gib)),
            progress: 0,
            next_percent_at: None,
        };
        work.set_progress(0);
        work
    }

    /// Records `progress`, and when the progress is next past it: the first whole second
    /// `e` after the start with `e × 100 / total ≥ progress + 1` ([`percent_done`]).
    fn set_progress(&mut self, progress: u8) {
        self.progress = progress;
        let total = copy_duration(self.size_gib).num_seconds().max(1);
        self.next_percent_at = (progress < 99)
            .then(|| {
                let seconds = (i64::from(progress) + 1) * total;
                let elapsed = seconds / 100 + i64::from(seconds % 100 != 0);
                self.started_at
                    .checked_add_signed(Duration::seconds(elapsed))
            })
            .flatten();
    }

    /// Its progress at `now`, if that is past the last one recorded.
    fn new_percent(&self, now: DateTime<Utc>) -> Option<u8> {
        if self.next_percent_at.is_none_or(|t| now < t) {
            return None;
        }
        let percent = percent_done(self.started_at, copy_duration(self.size_gib), now);
        (percent > self.progress).then_some(percent)
    }
}

/// An export the simulator was told to run (`StartExport`).
#[derive(Debug, Clone)]
struct ExportWork {
    /// When the engine accepted it: its modelled clock runs from here.
    accepted_at: DateTime<Utc>,
    /// GiB to write: the sum of its objects' sizes.
    size_gib: u64,
    /// Whether the simulator has reported `ExportStarted` (and had it accepted).
    started: bool,
    /// The last progress reported (or learnt from a refusal).
    progress: u8,
}

impl ExportWork {
    fn end(&self) -> DateTime<Utc> {
        ends_at(self.accepted_at, export_duration(self.size_gib))
    }
}

/// An import the simulator was told to run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImportWork {
    /// When the engine accepted it: its modelled clock runs from here.
    accepted_at: DateTime<Utc>,
    /// GiB to read: the sum of its disks' sizes.
    size_gib: u64,
    /// Whether the simulator has reported `ImportStarted` (and had it accepted).
    started: bool,
}

impl ImportWork {
    fn end(&self) -> DateTime<Utc> {
        ends_at(self.accepted_at, import_duration(self.size_gib))
    }
}

/// What a command forwarded by [`Simulator::handle`] tells the simulator about its own
/// work, once the engine accepts it.
enum Forwarded {
    Other,
    CopyEnded(TaskId),
    CopyProgress(TaskId, u8),
    ExportStarted(ExportTaskId),
    ExportProgress(ExportTaskId, u8),
    ExportEnded(ExportTaskId),
    ImportStarted(ImportTaskId),
    ImportEnded(ImportTaskId),
}

impl Forwarded {
    fn of(command: &Command) -> Self {
        match command {
            Command::Report(report) => match report {
                HostReport::CopyFinished(task) | HostReport::CopyFailed { task, .. } => {
                    Forwarded::CopyEnded(*task)
                }
                HostReport::CopyProgress { task, percent } => {
                    Forwarded::CopyProgress(*task, *percent)
                }
                HostReport::ExportStarted(task) => Forwarded::ExportStarted(*task),
                HostReport::ExportProgress { task, percent } => {
                    Forwarded::ExportProgress(*task, *percent)
                }
                HostReport::ExportFinished(task) | HostReport::ExportFailed { task, .. } => {
                    Forwarded::ExportEnded(*task)
                }
                HostReport::ImportStarted(task) => Forwarded::ImportStarted(*task),
                HostReport::ImportFinished(task) | HostReport::ImportFailed { task, .. } => {
                    Forwarded::ImportEnded(*task)
                }
                HostReport::CopyStarted(_) | HostReport::ImportProgress { .. } => Forwarded::Other,
            },
            Command::Fixture(_) | Command::Call(_) => Forwarded::Other,
        }
    }
}

/// Whether a refused report says the task is not where the simulator thought: gone, or in
/// a state the report does not fit.
fn stale(e: &EngineError) -> bool {
    matches!(
        e,
        EngineError::Host(
            HostError::CopyTransition(_)
                | HostError::UnknownTask(_)
                | HostError::ExportTransition(_)
                | HostError::UnknownExport(_)
                | HostError::ImportTransition(_)
                | HostError::UnknownImport(_)
        )
    )
}

/// The engine with a modelled host, driven by the engine's effects alone (see the module
/// docs).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::Fixture;
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # let snapshot = Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40);
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # let image = image.size_gib(40).build()?;
/// use chrono::Duration;
/// use machine_image::engine::CopyImage;
/// use machine_image::sim::copy_duration;
/// use machine_image::{ImageStatus, Simulator};
/// // A 40 GiB custom image `src` of `owner` in cn-hangzhou, its snapshot (hidden above).
/// let mut sim = Simulator::new(Profile::alibaba());
/// sim.register(t0, Fixture::Snapshot(snapshot))?;
/// sim.register(t0, Fixture::Image(image))?;
/// let sh = RegionId::new("cn-shanghai")?;
/// let copies = sim.call(t0, CopyImage::new(owner, hz, src, [sh]))?;
///
/// // The simulator plays the host: the copy ends after its modelled duration.
/// assert_eq!(copy_duration(40), Duration::seconds(600 + 96));
/// sim.advance_to(t0 + Duration::minutes(5))?;
/// let copy = sim.service().state().image(&copies[0].image).expect("the copy exists");
/// assert_eq!(copy.status(), ImageStatus::Creating);
/// sim.advance_to(t0 + Duration::minutes(12))?;
/// let copy = sim.service().state().image(&copies[0].image).expect("the copy exists");
/// assert_eq!(copy.status(), ImageStatus::Available);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Simulator {
    service: ImageService,
    faults: Faults,
    copies: BTreeMap<TaskId, CopyWork>,
    exports: BTreeMap<ExportTaskId, ExportWork>,
    imports: BTreeMap<ImportTaskId, ImportWork>,
    /// Every effect consumed since the last `take_effects`, when `log_effects` is on.
    consumed: Vec<Effect>,
    log_effects: bool,
}

impl Simulator {
    /// An empty world under `profile`, with no faults.
    pub fn new(profile: Profile) -> Self {
        Simulator::from_service(ImageService::new(profile))
    }

    /// Wraps an existing service and takes its pending effects: the work it runs is the work
    /// those effects ask for. Work in flight whose effects were polled elsewhere is not
    /// known to it: for a service restored after a restart, use [`Simulator::resume`].
    pub fn from_service(service: ImageService) -> Self {
        let mut sim = Simulator {
            service,
            faults: Faults::none(),
            copies: BTreeMap::new(),
            exports: BTreeMap::new(),
            imports: BTreeMap::new(),
            consumed: Vec::new(),
            log_effects: true,
        };
        sim.absorb();
        sim
    }

    /// The host restarted: wraps `service`, restored from a snapshot or a log, has it
    /// re-issue the effects of all work in flight ([`ImageService::resume`]) and rebuilds
    /// the simulator's table from them (see the module docs). No faults: chain
    /// [`Simulator::with_faults`] to keep the ones the host had.
    pub fn resume(mut service: ImageService) -> Self {
        service.resume();
        Simulator::from_service(service)
    }

    /// Restarts the host: the service goes through `round_trip` (for example, serialise and
    /// deserialise it), the simulator's table is dropped and rebuilt by
    /// [`Simulator::resume`]. The faults and the effect-log setting are kept; effects
    /// consumed and not yet taken are dropped, and the re-issued ones are recorded.
    pub fn restart<E>(
        self,
        round_trip: impl FnOnce(ImageService) -> Result<ImageService, E>,
    ) -> Result<Self, E> {
        let (faults, log_effects) = (self.faults, self.log_effects);
        let mut sim = Simulator::resume(round_trip(self.service)?).with_faults(faults);
        sim.set_effect_log(log_effects);
        Ok(sim)
    }

    /// The same simulator, failing the tasks `faults` dooms (see [`Faults`]).
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The faults injected.
    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// The engine.
    pub fn service(&self) -> &ImageService {
        &self.service
    }

    /// The engine, mutably (to poll events, or handle a command directly). Effects polled
    /// through it are lost to the simulator (see the module docs).
    pub fn service_mut(&mut self) -> &mut ImageService {
        &mut self.service
    }

    /// Unwraps the engine.
    pub fn into_service(self) -> ImageService {
        self.service
    }

    /// Every effect the simulator consumed since the last call, in the order the engine
    /// issued them (including the effects it took when wrapping a service, and those
    /// re-issued by a restart). Empty while the effect log is off.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.consumed)
    }

    /// Whether consumed effects are kept for [`Simulator::take_effects`] (on by default). A
    /// harness that never takes them (the scenario runner) turns it off, so they don't pile
    /// up; the simulator acts on them all the same.
    pub fn set_effect_log(&mut self, on: bool) {
        self.log_effects = on;
        if !on {
            self.consumed = Vec::new();
        }
    }

    /// Whether consumed effects are kept (see [`Simulator::set_effect_log`]).
    pub fn effect_log(&self) -> bool {
        self.log_effects
    }

    /// Advances to `now`, handles `command` at `now`, then takes the effects it issued. A
    /// host report it forwards (`CopyFinished`, `CopyFailed`, `ExportFailed`, …) updates
    /// the simulator's table once the engine accepts it: a task reported ended is
    /// forgotten, a progress report is remembered.
    pub fn handle(&mut self, now: DateTime<Utc>, command: Command) -> Result<Outcome, EngineError> {
        self.advance_to(now)?;
        let forwarded = Forwarded::of(&command);
        let answer = self.service.handle(now, command);
        self.absorb();
        if answer.is_ok() {
            match forwarded {
                Forwarded::Other => {}
                Forwarded::CopyEnded(task) => {
                    self.copies.remove(&task);
                }
                Forwarded::CopyProgress(task, percent) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.set_progress(w.progress.max(percent));
                    }
                }
                Forwarded::ExportStarted(task) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.started = true;
                    }
                }
                Forwarded::ExportProgress(task, percent) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.progress = w.progress.max(percent);
                    }
                }
                Forwarded::ExportEnded(task) => {
                    self.exports.remove(&task);
                }
                Forwarded::ImportStarted(task) => {
                    if let Some(w) = self.imports.get_mut(&task) {
                        w.started = true;
                    }
                }
                Forwarded::ImportEnded(task) => {
                    self.imports.remove(&task);
                }
            }
        }
        answer
    }

    /// Advances to `now` and records `fixture` (see [`ImageService::register`]).
    pub fn register(
        &mut self,
        now: DateTime<Utc>,
        fixture: crate::engine::Fixture,
    ) -> Result<(), EngineError> {
        self.handle(now, fixture.into()).map(drop)
    }

    /// Advances to `now` and answers a customer's call with its typed answer (see
    /// [`ImageService::call`]), then takes the effects it issued.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use machine_image::engine::DeleteImage;
    /// use machine_image::{AccountId, ImageId, Profile, RegionId, Simulator};
    /// let mut sim = Simulator::new(Profile::alibaba());
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let delete = DeleteImage::new(
    ///     AccountId::new("1234567890123456").unwrap(),
    ///     RegionId::new("cn-hangzhou").unwrap(),
    ///     ImageId::new("m-missing1").unwrap(),
    /// );
    /// let e = sim.call(t0, delete).unwrap_err();
    /// assert_eq!(e.http_status(), 404);
    /// ```
    pub fn call<R: crate::engine::Request>(
        &mut self,
        now: DateTime<Utc>,
        request: R,
    ) -> Result<R::Answer, EngineError> {
        self.advance_to(now)?;
        let answer = self.service.call(now, request);
        self.absorb();
        answer
    }

    /// Takes every pending effect into the table (and the log).
    fn absorb(&mut self) {
        while let Some(effect) = self.service.poll_effect() {
            match &effect {
                Effect::StartCopy {
                    task,
                    source_region,
                    destination_region,
                    size_gib,
                    started_at,
                    ..
                } => {
                    let lane = match self.service.profile().queue_scope {
                        crate::copy::QueueScope::Source => source_region,
                        crate::copy::QueueScope::Destination => destination_region,
                    };
                    // Work is keyed by task: a start received twice changes nothing.
                    self.copies
                        .entry(*task)
                        .or_insert_with(|| CopyWork::new(lane.clone(), *started_at, *size_gib));
                }
                Effect::AbortCopy { task } => {
                    self.copies.remove(task);
                }
                Effect::StartExport {
                    task,
                    objects,
                    accepted_at,
                    ..
                } => {
                    self.exports.entry(*task).or_insert_with(|| ExportWork {
                        accepted_at: *accepted_at,
                        size_gib: objects
                            .iter()
                            .fold(0u64, |sum, o| sum.saturating_add(o.size_gib)),
                        started: false,
                        progress: 0,
                    });
                }
                Effect::AbortExport { task } => {
                    self.exports.remove(task);
                }
                Effect::StartImport {
                    task,
                    disks,
                    accepted_at,
                    started_at,
                    ..
                } => {
                    self.imports.entry(*task).or_insert_with(|| ImportWork {
                        accepted_at: *accepted_at,
                        size_gib: disks
                            .iter()
                            .fold(0u64, |sum, d| sum.saturating_add(d.size_gib)),
                        started: started_at.is_some(),
                    });
                }
            }
            if self.log_effects {
                self.consumed.push(effect);
            }
        }
    }

    /// Sends one of the simulator's own reports at `at` and takes the effects it issued.
    /// `Ok(false)` when the engine refused it as stale (the task is no longer where the
    /// simulator thought); other refusals are returned.
    fn report(&mut self, at: DateTime<Utc>, report: HostReport) -> Result<bool, EngineError> {
        let answer = self.service.report(at, report);
        self.absorb();
        match answer {
            Ok(_) => Ok(true),
            Err(e) if stale(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `at`, or the state's clock if that is later: a report is never dated before the last
    /// state change.
    fn not_before_clock(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.service.state().now().map_or(at, |last| at.max(last))
    }

    /// Reports `ExportStarted` for every export not yet started, completes every copy and
    /// export due by `now`, and reports the progress of the rest (see the module docs for
    /// the order). Refused (`TimeWentBackwards`) if `now` is before the state's clock (the
    /// last state change).
    pub fn advance_to(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        self.absorb();
        if let Some(last) = self.service.state().now() {
            if now < last {
                return Err(HostError::TimeWentBackwards { last, now }.into());
            }
        }
        let unstarted: Vec<(ExportTaskId, DateTime<Utc>)> = self
            .exports
            .iter()
            .filter(|(_, w)| !w.started)
            .map(|(id, w)| (*id, w.accepted_at))
            .collect();
        for (task, accepted_at) in unstarted {
            let at = self.not_before_clock(accepted_at);
            if self.report(at, HostReport::ExportStarted(task))? {
                if let Some(w) = self.exports.get_mut(&task) {
                    w.started = true;
                }
            } else {
                self.exports.remove(&task);
            }
        }
        let unstarted: Vec<(ImportTaskId, DateTime<Utc>)> = self
            .imports
            .iter()
            .filter(|(_, w)| !w.started)
            .map(|(id, w)| (*id, w.accepted_at))
            .collect();
        for (task, accepted_at) in unstarted {
            let at = self.not_before_clock(accepted_at);
            if self.report(at, HostReport::ImportStarted(task))? {
                if let Some(w) = self.imports.get_mut(&task) {
                    w.started = true;
                }
            } else {
                self.imports.remove(&task);
            }
        }
        loop {
            let copy = self
                .copies
                .iter()
                .map(|(id, w)| (w.end, 0, id.0))
                .filter(|(end, _, _)| *end <= now)
                .min();
            let export = self
                .exports
                .iter()
                .filter(|(_, w)| w.started)
                .map(|(id, w)| (w.end(), 1, id.0))
                .filter(|(end, _, _)| *end <= now)
                .min();
            let import = self
                .imports
                .iter()
                .filter(|(_, w)| w.started)
                .map(|(id, w)| (w.end(), 2, id.0))
                .filter(|(end, _, _)| *end <= now)
                .min();
            let Some((end, kind, id)) = copy.into_iter().chain(export).chain(import).min() else {
                break;
            };
            let at = self.not_before_clock(end);
            let command = if kind == 0 {
                let task = TaskId(id);
                if self.faults.copy_fails(task) {
                    HostReport::CopyFailed {
                        task,
                        reason: INJECTED_FAILURE.to_owned(),
                    }
                } else {
                    HostReport::CopyFinished(task)
                }
            } else if kind == 2 {
                HostReport::ImportFinished(ImportTaskId(id))
            } else {
                let task = ExportTaskId(id);
                if self.faults.export_fails(task) {
                    HostReport::ExportFailed {
                        task,
                        reason: INJECTED_FAILURE.to_owned(),
                    }
                } else {
                    HostReport::ExportFinished(task)
                }
            };
            // Accepted or stale, the task is over for the simulator.
            self.report(at, command)?;
            match kind {
                0 => {
                    self.copies.remove(&TaskId(id));
                }
                1 => {
                    self.exports.remove(&ExportTaskId(id));
                }
                _ => {
                    self.imports.remove(&ImportTaskId(id));
                }
            }
        }
        let export_progress: Vec<(ExportTaskId, u8)> = self
            .exports
            .iter()
            .filter(|(_, w)| w.started)
            .filter_map(|(id, w)| {
                let percent = percent_done(w.accepted_at, export_duration(w.size_gib), now);
                (percent > w.progress).then_some((*id, percent))
            })
            .collect();
        for (task, percent) in export_progress {
            let answer = self
                .service
                .report(now, HostReport::ExportProgress { task, percent });
            self.absorb();
            match answer {
                Ok(_) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.progress = percent;
                    }
                }
                Err(EngineError::Host(HostError::ExportProgressWentBack { from, .. })) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.progress = from;
                    }
                }
                Err(e) if stale(&e) => {
                    self.exports.remove(&task);
                }
                Err(e) => return Err(e),
            }
        }
        let mut progress: Vec<(&RegionId, TaskId, u8)> = self
            .copies
            .iter()
            .filter_map(|(id, w)| w.new_percent(now).map(|percent| (&w.lane, *id, percent)))
            .collect();
        progress.sort_unstable();
        let progress: Vec<(TaskId, u8)> = progress
            .into_iter()
            .map(|(_, task, percent)| (task, percent))
            .collect();
        for (task, percent) in progress {
            let answer = self
                .service
                .report(now, HostReport::CopyProgress { task, percent });
            self.absorb();
            match answer {
                Ok(_) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.set_progress(percent);
                    }
                }
                Err(EngineError::Host(HostError::ProgressWentBack { from, .. })) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.set_progress(from);
                    }
                }
                Err(e) if stale(&e) => {
                    self.copies.remove(&task);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_10_to_30_minutes() {
        assert_eq!(copy_duration(0), Duration::minutes(10));
        assert_eq!(copy_duration(250), Duration::minutes(20));
        assert_eq!(copy_duration(500), Duration::minutes(30));
        assert_eq!(copy_duration(u64::MAX), Duration::minutes(30));
    }

    #[test]
    fn exports_take_5_minutes_plus_6_seconds_per_gib() {
        assert_eq!(export_duration(0), Duration::minutes(5));
        assert_eq!(export_duration(50), Duration::minutes(10));
        assert!(export_duration(u64::MAX) > Duration::days(365));
    }

    #[test]
    fn faults_are_validated() {
        assert_eq!(Faults::default(), Faults::none());
        assert!(Faults::none().is_none());
        assert_eq!(Faults::new(1, 1001, 0), Err(FaultsError::CopyRate(1001)));
        assert_eq!(Faults::new(1, 0, 1001), Err(FaultsError::ExportRate(1001)));
        let f = Faults::new(9, 1000, 250).unwrap();
        assert_eq!(
            (
                f.seed(),
                f.copy_failure_per_mille(),
                f.export_failure_per_mille()
            ),
            (9, 1000, 250)
        );
        assert!(!f.is_none());
    }

    #[test]
    fn a_fate_is_a_pure_function_of_seed_kind_and_id() {
        let none = Faults::none();
        let all = Faults::new(3, 1000, 1000).unwrap();
        let tenth = Faults::new(3, 100, 100).unwrap();
        let other_seed = Faults::new(4, 100, 100).unwrap();
        let mut copies = 0;
        let mut exports = 0;
        let mut differ_by_kind = 0;
        let mut differ_by_seed = 0;
        for id in 1..=10_000 {
            assert!(!none.copy_fails(TaskId(id)) && !none.export_fails(ExportTaskId(id)));
            assert!(all.copy_fails(TaskId(id)) && all.export_fails(ExportTaskId(id)));
            let c = tenth.copy_fails(TaskId(id));
            let e = tenth.export_fails(ExportTaskId(id));
            assert_eq!(c, tenth.copy_fails(TaskId(id)));
            copies += c as u32;
            exports += e as u32;
            differ_by_kind += (c != e) as u32;
            differ_by_seed += (c != other_seed.copy_fails(TaskId(id))) as u32;
        }
        // About one in ten, independently for each kind and seed.
        assert!((800..1200).contains(&copies), "{copies}");
        assert!((800..1200).contains(&exports), "{exports}");
        assert!(differ_by_kind > 1000, "{differ_by_kind}");
        assert!(differ_by_seed > 1000, "{differ_by_seed}");
        // The documented mix, spelt out for one task.
        let draw = splitmix64(splitmix64(3 ^ 1) ^ 42) % 1000;
        assert_eq!(tenth.copy_fails(TaskId(42)), draw < 100);
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
    }
}
