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
//! ([`Simulator::handle`]) and each report it sends, at the start of
//! [`Simulator::advance_to`] once the engine was lent out through
//! [`Simulator::service_mut`] (the caller may have handled a command directly), and when it
//! wraps a service ([`Simulator::from_service`], [`Simulator::resume`]). An effect the
//! caller polls itself through [`Simulator::service_mut`] is lost to the simulator: it will
//! not do that work.
//!
//! Between changes to its table the simulator keeps when its next work is due (the
//! earliest modelled end, the earliest moment a progress can pass the one last reported,
//! whether a started report is owed) and the state's clock as of its last look: an advance,
//! or a command forwarded, with nothing due reads only those and does nothing else.
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
use std::collections::btree_map::Entry;

use chrono::{DateTime, Duration, Utc};
use smallvec::SmallVec;

use crate::copy::TaskId;
use crate::engine::{
    Command, Effect, EngineError, EventRecord, HostError, HostReport, ImageService, Outcome,
};
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

/// When a task started at `start` and taking `duration` ends: at the end of time when that is
/// past chrono's last date (such a task never ends in a run).
fn ends_at(start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    start
        .checked_add_signed(duration)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The progress of work started at `start` and taking `total` seconds (at least 1), at
/// `now`: elapsed × 100 / total, at most 99 (only the end report finishes it).
fn percent_done(start: DateTime<Utc>, total: i64, now: DateTime<Utc>) -> u8 {
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

/// The modelled clock of a copy or an export: its progress runs from `start` over `total`
/// seconds, and it ends at `end`.
#[derive(Debug, Clone)]
struct Clock {
    /// When its modelled clock starts.
    start: DateTime<Utc>,
    /// Its modelled duration in whole seconds, at least 1.
    total: i64,
    /// When it ends (`total` after `start`; the end of time past chrono's range).
    end: DateTime<Utc>,
    /// The last progress reported (or learnt from a refusal).
    progress: u8,
    /// The first time its progress is past `progress` (`None`: never before its end); the
    /// simulator computes its progress only from then, not at every step.
    next_percent_at: Option<DateTime<Utc>>,
}

impl Clock {
    fn new(start: DateTime<Utc>, duration: Duration) -> Self {
        let mut clock = Clock {
            start,
            total: duration.num_seconds().max(1),
            end: ends_at(start, duration),
            progress: 0,
            next_percent_at: None,
        };
        clock.set_progress(0);
        clock
    }

    /// Records `progress`, and when the progress is next past it: the first whole second
    /// `e` after the start with `e × 100 / total ≥ progress + 1` ([`percent_done`]).
    fn set_progress(&mut self, progress: u8) {
        self.progress = progress;
        self.next_percent_at = (progress < 99)
            .then(|| {
                let seconds = (i64::from(progress) + 1) * self.total;
                let elapsed = seconds / 100 + i64::from(seconds % 100 != 0);
                self.start.checked_add_signed(Duration::seconds(elapsed))
            })
            .flatten();
    }

    /// Its progress at `now`, if that is past the last one recorded.
    fn new_percent(&self, now: DateTime<Utc>) -> Option<u8> {
        if self.next_percent_at.is_none_or(|t| now < t) {
            return None;
        }
        let percent = percent_done(self.start, self.total, now);
        (percent > self.progress).then_some(percent)
    }
}

/// A copy the simulator was told to run (`StartCopy`): its clock runs from when the engine
/// started it, for [`copy_duration`].
#[derive(Debug, Clone)]
struct CopyWork {
    /// Its queue region: progress is reported in the order of these.
    lane: RegionId,
    clock: Clock,
}

/// An export the simulator was told to run (`StartExport`): its clock runs from when the
/// engine accepted it, for [`export_duration`] of the sum of its objects' sizes.
#[derive(Debug, Clone)]
struct ExportWork {
    clock: Clock,
    /// Whether the simulator has reported `ExportStarted` (and had it accepted).
    started: bool,
}

/// An import the simulator was told to run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImportWork {
    /// When the engine accepted it: its modelled clock runs from here.
    accepted_at: DateTime<Utc>,
    /// When it ends: [`import_duration`] of its disks' GiB after `accepted_at`.
    end: DateTime<Utc>,
    /// Whether the simulator has reported `ImportStarted` (and had it accepted).
    started: bool,
}

/// Lowers `bound` to `at`.
fn lower(bound: &mut DateTime<Utc>, at: DateTime<Utc>) {
    if at < *bound {
        *bound = at;
    }
}

/// Lowers `bound` to `at`, if any.
fn lower_opt(bound: &mut DateTime<Utc>, at: Option<DateTime<Utc>>) {
    if let Some(at) = at {
        lower(bound, at);
    }
}

/// [`Simulator::forward`] or [`Simulator::advance_and_forward`].
type Handler = fn(&mut Simulator, DateTime<Utc>, Command) -> Result<Outcome, EngineError>;

/// The bound of a table with nothing due: past every date a run reaches (a call at exactly
/// this date takes the full pass, so the bound stays a lower bound).
const NEVER: DateTime<Utc> = DateTime::<Utc>::MAX_UTC;

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
    /// No copy, started export or started import in the tables ends before this: a lower
    /// bound, kept by every change that can bring an end nearer, exact after each pass of
    /// [`Simulator::advance_to`] that had something to do.
    next_end: DateTime<Utc>,
    /// No copy's or started export's progress is past the one recorded before this (the
    /// earliest `next_percent_at`, a lower bound like `next_end`).
    next_progress: DateTime<Utc>,
    /// Whether an export or import may be waiting for its started report (false: none is).
    unstarted: bool,
    /// Before this, [`Simulator::advance_to`] has nothing to do but check the clock: at
    /// most `next_end` and `next_progress`, and the start of time while an export or import
    /// may be unstarted or effects may be pending (the engine was lent out through
    /// [`Simulator::service_mut`] since the last absorb).
    next_due: DateTime<Utc>,
    /// The state's clock as of the last absorb (which follows every call into the engine
    /// but those made through [`Simulator::service_mut`]).
    clock: Option<DateTime<Utc>>,
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
            next_end: NEVER,
            next_progress: NEVER,
            unstarted: false,
            next_due: DateTime::<Utc>::MIN_UTC,
            clock: None,
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
        // Effects may be left pending and the clock moved: the next advance looks.
        self.next_due = DateTime::<Utc>::MIN_UTC;
        &mut self.service
    }

    /// The engine's next event, oldest first ([`ImageService::poll_event`]). Unlike polling
    /// through [`Simulator::service_mut`], this lends nothing out, so the next
    /// [`Simulator::advance_to`] with nothing due stays a few comparisons: events are the
    /// host's to record, and the simulator acts on effects alone.
    pub fn poll_event(&mut self) -> Option<EventRecord> {
        self.service.poll_event()
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
        // `command` moves on as it came, by one call and nothing called before it: a call
        // that could unwind before the move, or a move in each of two branches, would have
        // it dropped on unwinding under a flag, and the move would become a copy of its
        // bytes. So the branch picks the function, not the call.
        let idle = now < self.next_due
            && match self.clock {
                Some(last) => now >= last,
                None => true,
            };
        let then: Handler = if idle {
            Simulator::forward
        } else {
            Simulator::advance_and_forward
        };
        then(self, now, command)
    }

    /// [`Simulator::handle`] when something may be due by `now`.
    #[inline(never)]
    fn advance_and_forward(
        &mut self,
        now: DateTime<Utc>,
        command: Command,
    ) -> Result<Outcome, EngineError> {
        self.advance_due(now)?;
        self.forward(now, command)
    }

    /// [`Simulator::handle`] once the simulator is at `now`.
    #[inline(never)]
    fn forward(&mut self, now: DateTime<Utc>, command: Command) -> Result<Outcome, EngineError> {
        // Read by value (the ids and figures are `Copy`).
        let forwarded = match command {
            Command::Report(
                HostReport::CopyFinished(task) | HostReport::CopyFailed { task, .. },
            ) => Forwarded::CopyEnded(task),
            Command::Report(HostReport::CopyProgress { task, percent }) => {
                Forwarded::CopyProgress(task, percent)
            }
            Command::Report(HostReport::ExportStarted(task)) => Forwarded::ExportStarted(task),
            Command::Report(HostReport::ExportProgress { task, percent }) => {
                Forwarded::ExportProgress(task, percent)
            }
            Command::Report(
                HostReport::ExportFinished(task) | HostReport::ExportFailed { task, .. },
            ) => Forwarded::ExportEnded(task),
            Command::Report(HostReport::ImportStarted(task)) => Forwarded::ImportStarted(task),
            Command::Report(
                HostReport::ImportFinished(task) | HostReport::ImportFailed { task, .. },
            ) => Forwarded::ImportEnded(task),
            Command::Report(HostReport::CopyStarted(_) | HostReport::ImportProgress { .. })
            | Command::Fixture(_)
            | Command::Call(_) => Forwarded::Other,
        };
        let answer = self.service.handle(now, command);
        self.absorb();
        if answer.is_ok() && !matches!(forwarded, Forwarded::Other) {
            self.learn(forwarded);
        }
        answer
    }

    /// Updates the table after the engine accepted a report the caller sent through
    /// [`Simulator::handle`].
    fn learn(&mut self, forwarded: Forwarded) {
        match forwarded {
            Forwarded::Other => {}
            Forwarded::CopyEnded(task) => {
                self.copies.remove(&task);
            }
            Forwarded::CopyProgress(task, percent) => {
                if let Some(w) = self.copies.get_mut(&task) {
                    w.clock.set_progress(w.clock.progress.max(percent));
                    let next = w.clock.next_percent_at;
                    self.expect_progress(next);
                }
            }
            Forwarded::ExportStarted(task) => self.export_started(task),
            Forwarded::ExportProgress(task, percent) => {
                if let Some(w) = self.exports.get_mut(&task) {
                    w.clock.set_progress(w.clock.progress.max(percent));
                    let next = w.clock.next_percent_at;
                    self.expect_progress(next);
                }
            }
            Forwarded::ExportEnded(task) => {
                self.exports.remove(&task);
            }
            Forwarded::ImportStarted(task) => self.import_started(task),
            Forwarded::ImportEnded(task) => {
                self.imports.remove(&task);
            }
        }
    }

    /// Marks export `task` started: from now on its end and progress are due.
    fn export_started(&mut self, task: ExportTaskId) {
        if let Some(w) = self.exports.get_mut(&task) {
            w.started = true;
            let (end, next) = (w.clock.end, w.clock.next_percent_at);
            self.expect_end(end);
            self.expect_progress(next);
        }
    }

    /// Marks import `task` started: from now on its end is due.
    fn import_started(&mut self, task: ImportTaskId) {
        if let Some(w) = self.imports.get_mut(&task) {
            w.started = true;
            let end = w.end;
            self.expect_end(end);
        }
    }

    /// Some work ends at `at`: lowers the bounds to it.
    fn expect_end(&mut self, at: DateTime<Utc>) {
        lower(&mut self.next_end, at);
        lower(&mut self.next_due, at);
    }

    /// Some work's progress moves at `at` (if ever): lowers the bounds to it.
    fn expect_progress(&mut self, at: Option<DateTime<Utc>>) {
        if let Some(at) = at {
            lower(&mut self.next_progress, at);
            lower(&mut self.next_due, at);
        }
    }

    /// Some export or import waits for its started report.
    fn expect_start(&mut self) {
        self.unstarted = true;
        self.next_due = DateTime::<Utc>::MIN_UTC;
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
    #[inline]
    fn absorb(&mut self) {
        while let Some(effect) = self.service.poll_effect() {
            self.take(effect);
        }
        self.clock = self.service.state().now();
    }

    /// Takes one effect into the table (and the log).
    fn take(&mut self, effect: Effect) {
        match &effect {
            Effect::StartCopy {
                task,
                source_region,
                destination_region,
                size_gib,
                started_at,
                ..
            } => {
                // Work is keyed by task: a start received twice changes nothing.
                if let Entry::Vacant(entry) = self.copies.entry(*task) {
                    let lane = match self.service.profile().queue_scope {
                        crate::copy::QueueScope::Source => source_region,
                        crate::copy::QueueScope::Destination => destination_region,
                    };
                    let clock = Clock::new(*started_at, copy_duration(*size_gib));
                    let (end, next) = (clock.end, clock.next_percent_at);
                    entry.insert(CopyWork {
                        lane: lane.clone(),
                        clock,
                    });
                    self.expect_end(end);
                    self.expect_progress(next);
                }
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
                if let Entry::Vacant(entry) = self.exports.entry(*task) {
                    let size_gib = objects
                        .iter()
                        .fold(0u64, |sum, o| sum.saturating_add(o.size_gib));
                    entry.insert(ExportWork {
                        clock: Clock::new(*accepted_at, export_duration(size_gib)),
                        started: false,
                    });
                    self.expect_start();
                }
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
                if let Entry::Vacant(entry) = self.imports.entry(*task) {
                    let size_gib = disks
                        .iter()
                        .fold(0u64, |sum, d| sum.saturating_add(d.size_gib));
                    let work = entry.insert(ImportWork {
                        accepted_at: *accepted_at,
                        end: ends_at(*accepted_at, import_duration(size_gib)),
                        started: started_at.is_some(),
                    });
                    let (started, end) = (work.started, work.end);
                    if started {
                        self.expect_end(end);
                    } else {
                        self.expect_start();
                    }
                }
            }
        }
        if self.log_effects {
            self.consumed.push(effect);
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
    #[inline]
    pub fn advance_to(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        if self.idle_at(now) {
            return Ok(());
        }
        self.advance_due(now)
    }

    /// Whether [`Simulator::advance_to`] has nothing to do at `now`: nothing can be due
    /// before `next_due`, and `now` is not before the clock. Reads fields only.
    #[inline(always)]
    fn idle_at(&self, now: DateTime<Utc>) -> bool {
        now < self.next_due && self.clock.is_none_or(|last| now >= last)
    }

    /// [`Simulator::advance_to`] when something may be due: takes the pending effects,
    /// checks the clock, and does what is due.
    #[inline(never)]
    fn advance_due(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        self.absorb();
        if let Some(last) = self.clock {
            if now < last {
                return Err(HostError::TimeWentBackwards { last, now }.into());
            }
        }
        if !self.unstarted && now < self.next_end && now < self.next_progress {
            // Only the effects or the clock were to be looked at.
            self.next_due = self.next_end.min(self.next_progress);
            return Ok(());
        }
        self.play_due(now)
    }

    /// Does what is due by `now`, then sets the bounds from the tables (or, if a report was
    /// refused, clears them, so that the next call looks again).
    #[inline(never)]
    fn play_due(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        let result = self.play(now);
        if result.is_ok() {
            self.recompute_bounds();
        } else {
            self.unstarted = true;
            self.next_end = DateTime::<Utc>::MIN_UTC;
            self.next_progress = DateTime::<Utc>::MIN_UTC;
            self.next_due = DateTime::<Utc>::MIN_UTC;
        }
        result
    }

    /// The exact bounds: the earliest end and the earliest next progress in the tables.
    fn recompute_bounds(&mut self) {
        let mut next_end = NEVER;
        let mut next_progress = NEVER;
        for w in self.copies.values() {
            lower(&mut next_end, w.clock.end);
            lower_opt(&mut next_progress, w.clock.next_percent_at);
        }
        for w in self.exports.values().filter(|w| w.started) {
            lower(&mut next_end, w.clock.end);
            lower_opt(&mut next_progress, w.clock.next_percent_at);
        }
        for w in self.imports.values().filter(|w| w.started) {
            lower(&mut next_end, w.end);
        }
        self.next_end = next_end;
        self.next_progress = next_progress;
        self.next_due = if self.unstarted {
            DateTime::<Utc>::MIN_UTC
        } else {
            next_end.min(next_progress)
        };
    }

    /// The work of [`Simulator::advance_to`] past its checks, in the order of the module
    /// docs.
    fn play(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        if self.unstarted {
            // Those absorbed while these are reported wait for the next call.
            self.unstarted = false;
            self.start_unstarted()?;
        }
        if now >= self.next_end {
            self.end_due(now)?;
        }
        if now >= self.next_progress {
            self.report_progress(now)?;
        }
        Ok(())
    }

    /// Reports `ExportStarted` for every export not yet started (in task order), then
    /// `ImportStarted` for every import not yet started.
    fn start_unstarted(&mut self) -> Result<(), EngineError> {
        let unstarted: Vec<(ExportTaskId, DateTime<Utc>)> = self
            .exports
            .iter()
            .filter(|(_, w)| !w.started)
            .map(|(id, w)| (*id, w.clock.start))
            .collect();
        for (task, accepted_at) in unstarted {
            let at = self.not_before_clock(accepted_at);
            if self.report(at, HostReport::ExportStarted(task))? {
                self.export_started(task);
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
                self.import_started(task);
            } else {
                self.imports.remove(&task);
            }
        }
        Ok(())
    }

    /// Completes, in time order, every copy, started export and started import whose end
    /// is at or before `now` (copies, then exports, then imports at the same instant; then
    /// by task id).
    fn end_due(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        loop {
            // The earliest end of all: due if at or before `now`.
            let mut first: Option<(DateTime<Utc>, u8, u64)> = None;
            let mut consider = |candidate: (DateTime<Utc>, u8, u64)| {
                if first.is_none_or(|f| candidate < f) {
                    first = Some(candidate);
                }
            };
            for (id, w) in &self.copies {
                consider((w.clock.end, 0, id.0));
            }
            for (id, w) in self.exports.iter().filter(|(_, w)| w.started) {
                consider((w.clock.end, 1, id.0));
            }
            for (id, w) in self.imports.iter().filter(|(_, w)| w.started) {
                consider((w.end, 2, id.0));
            }
            let Some((end, kind, id)) = first.filter(|(end, _, _)| *end <= now) else {
                return Ok(());
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
    }

    /// Reports the progress of the exports still running (in task order), then of the
    /// copies still running (in the order of their queue regions), where it moved.
    fn report_progress(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        let mut export_progress: SmallVec<[(ExportTaskId, u8); 4]> = SmallVec::new();
        for (id, w) in self.exports.iter().filter(|(_, w)| w.started) {
            if let Some(percent) = w.clock.new_percent(now) {
                export_progress.push((*id, percent));
            }
        }
        for (task, percent) in export_progress {
            let answer = self
                .service
                .report(now, HostReport::ExportProgress { task, percent });
            self.absorb();
            match answer {
                Ok(_) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.clock.set_progress(percent);
                    }
                }
                Err(EngineError::Host(HostError::ExportProgressWentBack { from, .. })) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.clock.set_progress(from);
                    }
                }
                Err(e) if stale(&e) => {
                    self.exports.remove(&task);
                }
                Err(e) => return Err(e),
            }
        }
        let mut by_lane: SmallVec<[(&RegionId, TaskId, u8); 4]> = SmallVec::new();
        for (id, w) in &self.copies {
            if let Some(percent) = w.clock.new_percent(now) {
                by_lane.push((&w.lane, *id, percent));
            }
        }
        if by_lane.len() > 1 {
            by_lane.sort_unstable();
        }
        let mut progress: SmallVec<[(TaskId, u8); 4]> = SmallVec::new();
        for (_, task, percent) in by_lane {
            progress.push((task, percent));
        }
        for (task, percent) in progress {
            let answer = self
                .service
                .report(now, HostReport::CopyProgress { task, percent });
            self.absorb();
            match answer {
                Ok(_) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.clock.set_progress(percent);
                    }
                }
                Err(EngineError::Host(HostError::ProgressWentBack { from, .. })) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.clock.set_progress(from);
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
