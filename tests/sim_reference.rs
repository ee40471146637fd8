//! The `Simulator` against a plain host written straight from its module docs: no bounds, no
//! fast path, every table scanned and every progress recomputed at every step. Driven
//! through the same random mix of copies, exports, imports, cancels, reports (forwarded
//! through the simulator, or made directly on the engine), waits (whole seconds and
//! fractions), clocks going back and restarts, the two must send the same reports: the
//! same events with the same dates in the same order, the same answers, the same effects
//! consumed, and the same final state.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    CancelCopyImage, CancelExport, Command, CopyImage, Effect, EngineError, ExportImage, HostError,
    HostReport, ImageService, ImportImage, Outcome,
};
use machine_image::export::{Bucket, BucketName, ExportTaskId, ObjectPrefix};
use machine_image::import::{DiskSource, ImportDisk, ImportFormat, ImportTaskId};
use machine_image::sim::{
    Faults, INJECTED_FAILURE, Simulator, copy_duration, export_duration, import_duration,
};
use machine_image::{
    Account, AccountId, Image, ImageId, ImageName, Profile, QueueScope, RegionId, Snapshot,
    SnapshotId, TaskId,
};
use proptest::prelude::*;

const ALICE: &str = "1111111111111111";
const HZ: &str = "cn-hangzhou";
const DESTINATIONS: [&str; 3] = ["cn-shanghai", "cn-beijing", "cn-shenzhen"];
const IMAGES: [&str; 3] = ["m-small0001", "m-large0001", "m-huge00001"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn alice() -> AccountId {
    AccountId::new(ALICE).unwrap()
}

fn reg(r: &str) -> RegionId {
    RegionId::new(r).unwrap()
}

/// Alice (export enabled, large quotas) with three images of 40, 250 and 700 GiB in
/// Hangzhou and a bucket there; no effects pending.
fn world(profile: Profile) -> ImageService {
    let mut s = ImageService::new(profile);
    let account = Account::new(alice(), 500, 1000).enable_export(true);
    s.handle(t0(), Command::from(account)).unwrap();
    for (image, snapshot, size) in [
        (IMAGES[0], "s-small0001", 40),
        (IMAGES[1], "s-large0001", 250),
        (IMAGES[2], "s-huge00001", 700),
    ] {
        let snapshot_id = SnapshotId::new(snapshot).unwrap();
        let snap = Snapshot::new(snapshot_id.clone(), reg(HZ), alice(), t0(), size);
        s.handle(t0(), Command::from(snap)).unwrap();
        let image = Image::custom(
            ImageId::new(image).unwrap(),
            reg(HZ),
            alice(),
            ImageName::new(image).unwrap(),
            vec![snapshot_id],
        )
        .size_gib(size)
        .created_at(t0())
        .build()
        .unwrap();
        s.handle(t0(), Command::from(image)).unwrap();
    }
    let bucket = Bucket::new(BucketName::new("alice-exports").unwrap(), reg(HZ), alice());
    s.handle(t0(), Command::from(bucket)).unwrap();
    s.drain_effects();
    s
}

// ------------------------------------------------------------------------ the plain host

struct PlainCopy {
    lane: RegionId,
    started_at: DateTime<Utc>,
    size_gib: u64,
    progress: u8,
}

struct PlainExport {
    accepted_at: DateTime<Utc>,
    size_gib: u64,
    started: bool,
    progress: u8,
}

struct PlainImport {
    accepted_at: DateTime<Utc>,
    size_gib: u64,
    started: bool,
}

fn ends_at(start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    start
        .checked_add_signed(duration)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn percent_done(start: DateTime<Utc>, duration: Duration, now: DateTime<Utc>) -> u8 {
    let total = duration.num_seconds().max(1);
    let elapsed = (now - start).num_seconds().clamp(0, total);
    ((elapsed * 100) / total).min(99) as u8
}

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

/// The host of the module docs, with nothing remembered between steps but its tables.
struct Plain {
    service: ImageService,
    faults: Faults,
    copies: BTreeMap<TaskId, PlainCopy>,
    exports: BTreeMap<ExportTaskId, PlainExport>,
    imports: BTreeMap<ImportTaskId, PlainImport>,
    consumed: Vec<Effect>,
}

impl Plain {
    fn from_service(service: ImageService, faults: Faults) -> Self {
        let mut plain = Plain {
            service,
            faults,
            copies: BTreeMap::new(),
            exports: BTreeMap::new(),
            imports: BTreeMap::new(),
            consumed: Vec::new(),
        };
        plain.absorb();
        plain
    }

    fn restart(self) -> Self {
        let mut service = round_trip(&self.service);
        service.resume();
        Plain::from_service(service, self.faults)
    }

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
                        QueueScope::Source => source_region,
                        QueueScope::Destination => destination_region,
                    };
                    self.copies.entry(*task).or_insert_with(|| PlainCopy {
                        lane: lane.clone(),
                        started_at: *started_at,
                        size_gib: *size_gib,
                        progress: 0,
                    });
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
                    self.exports.entry(*task).or_insert_with(|| PlainExport {
                        accepted_at: *accepted_at,
                        size_gib: objects.iter().fold(0, |s, o| s.saturating_add(o.size_gib)),
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
                    self.imports.entry(*task).or_insert_with(|| PlainImport {
                        accepted_at: *accepted_at,
                        size_gib: disks.iter().fold(0, |s, d| s.saturating_add(d.size_gib)),
                        started: started_at.is_some(),
                    });
                }
            }
            self.consumed.push(effect);
        }
    }

    fn not_before_clock(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.service.state().now().map_or(at, |last| at.max(last))
    }

    fn report(&mut self, at: DateTime<Utc>, report: HostReport) -> Result<bool, EngineError> {
        let answer = self.service.report(at, report);
        self.absorb();
        match answer {
            Ok(()) => Ok(true),
            Err(e) if stale(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn handle(&mut self, now: DateTime<Utc>, command: Command) -> Result<Outcome, EngineError> {
        self.advance_to(now)?;
        let report = match &command {
            Command::Report(report) => Some(report.clone()),
            _ => None,
        };
        let answer = self.service.handle(now, command);
        self.absorb();
        if answer.is_ok() {
            match report {
                Some(HostReport::CopyFinished(task) | HostReport::CopyFailed { task, .. }) => {
                    self.copies.remove(&task);
                }
                Some(HostReport::CopyProgress { task, percent }) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.progress = w.progress.max(percent);
                    }
                }
                Some(HostReport::ExportStarted(task)) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.started = true;
                    }
                }
                Some(HostReport::ExportProgress { task, percent }) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.progress = w.progress.max(percent);
                    }
                }
                Some(HostReport::ExportFinished(task) | HostReport::ExportFailed { task, .. }) => {
                    self.exports.remove(&task);
                }
                Some(HostReport::ImportStarted(task)) => {
                    if let Some(w) = self.imports.get_mut(&task) {
                        w.started = true;
                    }
                }
                Some(HostReport::ImportFinished(task) | HostReport::ImportFailed { task, .. }) => {
                    self.imports.remove(&task);
                }
                _ => {}
            }
        }
        answer
    }

    fn advance_to(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        self.absorb();
        if let Some(last) = self.service.state().now() {
            if now < last {
                return Err(HostError::TimeWentBackwards { last, now }.into());
            }
        }
        // Started reports: exports, then imports, each in task order.
        let unstarted: Vec<_> = self
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
        let unstarted: Vec<_> = self
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
        // Ends in time order: copies, exports, imports at one instant, then by id.
        loop {
            let mut due: Vec<(DateTime<Utc>, u8, u64)> = Vec::new();
            for (id, w) in &self.copies {
                due.push((ends_at(w.started_at, copy_duration(w.size_gib)), 0, id.0));
            }
            for (id, w) in self.exports.iter().filter(|(_, w)| w.started) {
                due.push((ends_at(w.accepted_at, export_duration(w.size_gib)), 1, id.0));
            }
            for (id, w) in self.imports.iter().filter(|(_, w)| w.started) {
                due.push((ends_at(w.accepted_at, import_duration(w.size_gib)), 2, id.0));
            }
            due.retain(|(end, _, _)| *end <= now);
            due.sort();
            let Some(&(end, kind, id)) = due.first() else {
                break;
            };
            let at = self.not_before_clock(end);
            let failed = || INJECTED_FAILURE.to_owned();
            let report = match kind {
                0 if self.faults.copy_fails(TaskId(id)) => HostReport::CopyFailed {
                    task: TaskId(id),
                    reason: failed(),
                },
                0 => HostReport::CopyFinished(TaskId(id)),
                1 if self.faults.export_fails(ExportTaskId(id)) => HostReport::ExportFailed {
                    task: ExportTaskId(id),
                    reason: failed(),
                },
                1 => HostReport::ExportFinished(ExportTaskId(id)),
                _ => HostReport::ImportFinished(ImportTaskId(id)),
            };
            self.report(at, report)?;
            match kind {
                0 => drop(self.copies.remove(&TaskId(id))),
                1 => drop(self.exports.remove(&ExportTaskId(id))),
                _ => drop(self.imports.remove(&ImportTaskId(id))),
            }
        }
        // Progress: exports in task order, then copies in the order of their lanes.
        let moved: Vec<(ExportTaskId, u8)> = self
            .exports
            .iter()
            .filter(|(_, w)| w.started)
            .map(|(id, w)| {
                let duration = export_duration(w.size_gib);
                (*id, w.progress, percent_done(w.accepted_at, duration, now))
            })
            .filter(|(_, last, percent)| percent > last)
            .map(|(id, _, percent)| (id, percent))
            .collect();
        for (task, percent) in moved {
            let answer = self
                .service
                .report(now, HostReport::ExportProgress { task, percent });
            self.absorb();
            match answer {
                Ok(()) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.progress = percent;
                    }
                }
                Err(EngineError::Host(HostError::ExportProgressWentBack { from, .. })) => {
                    if let Some(w) = self.exports.get_mut(&task) {
                        w.progress = from;
                    }
                }
                Err(e) if stale(&e) => drop(self.exports.remove(&task)),
                Err(e) => return Err(e),
            }
        }
        let mut moved: Vec<(RegionId, TaskId, u8)> = self
            .copies
            .iter()
            .map(|(id, w)| {
                let percent = percent_done(w.started_at, copy_duration(w.size_gib), now);
                (w.lane.clone(), *id, w.progress, percent)
            })
            .filter(|(_, _, last, percent)| percent > last)
            .map(|(lane, id, _, percent)| (lane, id, percent))
            .collect();
        moved.sort();
        for (_, task, percent) in moved {
            let answer = self
                .service
                .report(now, HostReport::CopyProgress { task, percent });
            self.absorb();
            match answer {
                Ok(()) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.progress = percent;
                    }
                }
                Err(EngineError::Host(HostError::ProgressWentBack { from, .. })) => {
                    if let Some(w) = self.copies.get_mut(&task) {
                        w.progress = from;
                    }
                }
                Err(e) if stale(&e) => drop(self.copies.remove(&task)),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

fn round_trip(service: &ImageService) -> ImageService {
    serde_json::from_str(&serde_json::to_string(service).unwrap()).unwrap()
}

// ------------------------------------------------------------------------------- steps

/// What a report names: a task the engine runs (picked by index among the live ones of
/// its kind), or an id no task has.
#[derive(Debug, Clone)]
enum Target {
    Live(usize),
    Unknown,
}

#[derive(Debug, Clone)]
enum ReportKind {
    CopyStarted,
    CopyProgress(u8),
    CopyFinished,
    CopyFailed,
    ExportStarted,
    ExportProgress(u8),
    ExportFinished,
    ExportFailed,
    ImportStarted,
    ImportProgress(u8),
    ImportFinished,
    ImportFailed,
}

#[derive(Debug, Clone)]
enum Op {
    Copy {
        image: usize,
        destination: usize,
    },
    Export {
        image: usize,
    },
    Import {
        sizes: Vec<u64>,
    },
    CancelCopy(usize),
    CancelExport(usize),
    /// A report through `handle` (`direct`: on the engine, through `service_mut`).
    Report {
        kind: ReportKind,
        target: Target,
        direct: bool,
    },
    Wait,
    /// `advance_to` a second before the clock: refused by both.
    Back,
    Restart,
}

#[derive(Debug, Clone)]
struct Step {
    seconds: i64,
    nanos: u32,
    op: Op,
    /// Compare the events and effects so far after this step. Not after every step:
    /// draining the events goes through `service_mut`, which sends the simulator's next
    /// advance the long way.
    check: bool,
}

fn report_kind() -> impl Strategy<Value = ReportKind> {
    prop_oneof![
        Just(ReportKind::CopyStarted),
        (0u8..=100).prop_map(ReportKind::CopyProgress),
        Just(ReportKind::CopyFinished),
        Just(ReportKind::CopyFailed),
        Just(ReportKind::ExportStarted),
        (0u8..=100).prop_map(ReportKind::ExportProgress),
        Just(ReportKind::ExportFinished),
        Just(ReportKind::ExportFailed),
        Just(ReportKind::ImportStarted),
        (0u8..=100).prop_map(ReportKind::ImportProgress),
        Just(ReportKind::ImportFinished),
        Just(ReportKind::ImportFailed),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0..IMAGES.len(), 0..DESTINATIONS.len())
            .prop_map(|(image, destination)| Op::Copy { image, destination }),
        4 => (0..IMAGES.len()).prop_map(|image| Op::Export { image }),
        3 => prop::collection::vec(prop_oneof![Just(0u64), 1u64..300, Just(u64::MAX / 2)], 1..=2)
            .prop_map(|sizes| Op::Import { sizes }),
        2 => (0usize..4).prop_map(Op::CancelCopy),
        2 => (0usize..4).prop_map(Op::CancelExport),
        6 => (
            report_kind(),
            prop_oneof![6 => (0usize..4).prop_map(Target::Live), 1 => Just(Target::Unknown)],
            any::<bool>(),
        )
            .prop_map(|(kind, target, direct)| Op::Report { kind, target, direct }),
        8 => Just(Op::Wait),
        1 => Just(Op::Back),
        1 => Just(Op::Restart),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (
        prop_oneof![
            6 => Just(0i64),
            6 => 1i64..=20,
            4 => 20i64..=400,
            3 => 400i64..=2400,
            1 => 2400i64..=20_000,
        ],
        prop_oneof![3 => Just(0u32), 1 => 0u32..1_000_000_000],
        op(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(seconds, nanos, op, check)| Step {
            seconds,
            nanos,
            op,
            check,
        })
}

/// The command a step sends, resolved against the engine's state (the same in both).
fn command(op: &Op, state: &machine_image::engine::State, serial: usize) -> Option<Command> {
    let live_copies: Vec<_> = state.tasks().filter(|t| t.state().is_live()).collect();
    let live_exports: Vec<_> = state.live_exports().collect();
    let live_imports: Vec<_> = state.live_imports().collect();
    let pick = |n: usize, len: usize| (len > 0).then(|| n % len);
    Some(match op {
        Op::Copy { image, destination } => CopyImage::new(
            alice(),
            reg(HZ),
            ImageId::new(IMAGES[*image]).unwrap(),
            [reg(DESTINATIONS[*destination])],
        )
        .name(ImageName::new(format!("copy-{serial}")).unwrap())
        .into(),
        Op::Export { image } => ExportImage::new(
            alice(),
            reg(HZ),
            ImageId::new(IMAGES[*image]).unwrap(),
            BucketName::new("alice-exports").unwrap(),
            ObjectPrefix::new(format!("e{serial}")).unwrap(),
        )
        .into(),
        Op::Import { sizes } => {
            let disks = sizes.iter().enumerate().map(|(i, size)| {
                let source = DiskSource::oss(
                    BucketName::new("alice-exports").unwrap(),
                    format!("d{i}.raw"),
                );
                ImportDisk::new(source, *size).format(ImportFormat::Raw)
            });
            let name = ImageName::new(format!("import-{serial}")).unwrap();
            ImportImage::new(alice(), reg(HZ), name, disks).into()
        }
        Op::CancelCopy(n) => {
            let t = live_copies[pick(*n, live_copies.len())?];
            CancelCopyImage::new(
                alice(),
                t.destination_region.clone(),
                t.destination_image.clone(),
            )
            .into()
        }
        Op::CancelExport(n) => {
            let t = live_exports[pick(*n, live_exports.len())?];
            CancelExport::new(alice(), reg(HZ), t.id).into()
        }
        Op::Report { kind, target, .. } => {
            // The id of the target among `live`, or one no task has.
            fn id<T: Copy>(target: &Target, live: &[T], unknown: T) -> Option<T> {
                match target {
                    Target::Live(n) => live.get(n % live.len().max(1)).copied(),
                    Target::Unknown => Some(unknown),
                }
            }
            let copies: Vec<TaskId> = live_copies.iter().map(|t| t.id).collect();
            let exports: Vec<ExportTaskId> = live_exports.iter().map(|t| t.id).collect();
            let imports: Vec<ImportTaskId> = live_imports.iter().map(|t| t.id).collect();
            let copy = || id(target, &copies, TaskId(999));
            let export = || id(target, &exports, ExportTaskId(999));
            let import = || id(target, &imports, ImportTaskId(999));
            let reason = || "host says no".to_owned();
            let report = match kind {
                ReportKind::CopyStarted => HostReport::CopyStarted(copy()?),
                ReportKind::CopyProgress(p) => HostReport::CopyProgress {
                    task: copy()?,
                    percent: *p,
                },
                ReportKind::CopyFinished => HostReport::CopyFinished(copy()?),
                ReportKind::CopyFailed => HostReport::CopyFailed {
                    task: copy()?,
                    reason: reason(),
                },
                ReportKind::ExportStarted => HostReport::ExportStarted(export()?),
                ReportKind::ExportProgress(p) => HostReport::ExportProgress {
                    task: export()?,
                    percent: *p,
                },
                ReportKind::ExportFinished => HostReport::ExportFinished(export()?),
                ReportKind::ExportFailed => HostReport::ExportFailed {
                    task: export()?,
                    reason: reason(),
                },
                ReportKind::ImportStarted => HostReport::ImportStarted(import()?),
                ReportKind::ImportProgress(p) => HostReport::ImportProgress {
                    task: import()?,
                    percent: *p,
                },
                ReportKind::ImportFinished => HostReport::ImportFinished(import()?),
                ReportKind::ImportFailed => HostReport::ImportFailed {
                    task: import()?,
                    reason: reason(),
                },
            };
            report.into()
        }
        Op::Wait | Op::Back | Op::Restart => return None,
    })
}

/// What one step did, compared between the two hosts.
fn compare(sim: &mut Simulator, plain: &mut Plain, i: usize) -> Result<(), TestCaseError> {
    let events = sim.service_mut().drain_events();
    let expected = plain.service.drain_events();
    prop_assert_eq!(events, expected, "events after step {}", i);
    let effects = format!("{:?}", sim.take_effects());
    let expected = format!("{:?}", std::mem::take(&mut plain.consumed));
    prop_assert_eq!(effects, expected, "effects after step {}", i);
    Ok(())
}

/// Runs `steps` through both hosts; returns how many reports the hosts sent themselves
/// that the engine took (so a test can check the mix did exercise them).
fn run(profile: Profile, faults: Faults, steps: &[Step]) -> Result<usize, TestCaseError> {
    let service = world(profile);
    let mut sim = Simulator::from_service(service.clone()).with_faults(faults);
    let mut plain = Plain::from_service(service, faults);
    let mut now = t0();
    let mut progressed = 0;
    for (i, step) in steps.iter().enumerate() {
        now += Duration::seconds(step.seconds) + Duration::nanoseconds(i64::from(step.nanos));
        match &step.op {
            Op::Wait => {
                let answer = sim.advance_to(now);
                prop_assert_eq!(answer, plain.advance_to(now), "advance at step {}", i);
            }
            Op::Back => {
                if let Some(last) = plain.service.state().now() {
                    let back = last - Duration::seconds(1);
                    let answer = sim.advance_to(back);
                    prop_assert!(answer.is_err());
                    prop_assert_eq!(answer, plain.advance_to(back), "back at step {}", i);
                }
            }
            Op::Restart => {
                // Events still queued are not in a snapshot.
                compare(&mut sim, &mut plain, i)?;
                sim = sim
                    .restart(|service| Ok::<_, ()>(round_trip(&service)))
                    .unwrap();
                plain = plain.restart();
            }
            op => {
                let Some(command) = command(op, plain.service.state(), i) else {
                    continue;
                };
                if let Op::Report { direct: true, .. } = op {
                    let answer = sim.service_mut().handle(now, command.clone());
                    prop_assert_eq!(answer, plain.service.handle(now, command), "step {}", i);
                } else {
                    let answer = sim.handle(now, command.clone());
                    prop_assert_eq!(answer, plain.handle(now, command), "step {}", i);
                }
            }
        }
        let state = plain.service.state();
        progressed += state.tasks().filter(|t| t.progress() > 0).count();
        if step.check {
            compare(&mut sim, &mut plain, i)?;
        }
    }
    // Long after everything: the same ends.
    let end = now + Duration::days(3);
    prop_assert_eq!(sim.advance_to(end), plain.advance_to(end));
    compare(&mut sim, &mut plain, steps.len())?;
    prop_assert!(sim.service() == &plain.service, "final states differ");
    Ok(progressed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_simulator_sends_the_reports_of_the_plain_host(
        steps in prop::collection::vec(step(), 1..80),
        destination_lanes in any::<bool>(),
        seed in any::<u64>(),
        copy_rate in prop_oneof![Just(0u16), 0u16..=1000],
        export_rate in prop_oneof![Just(0u16), 0u16..=1000],
    ) {
        let mut profile = Profile::alibaba();
        profile.queue_scope = if destination_lanes {
            QueueScope::Destination
        } else {
            QueueScope::Source
        };
        let faults = Faults::new(seed, copy_rate, export_rate).unwrap();
        run(profile, faults, &steps)?;
    }
}

/// A step of `seconds` doing `op`, checked after.
fn at(seconds: i64, op: Op) -> Step {
    Step {
        seconds,
        nanos: 0,
        op,
        check: true,
    }
}

#[test]
fn work_left_pending_by_a_direct_report_is_taken_at_the_next_advance() {
    let copy = |image| Op::Copy {
        image,
        destination: 0,
    };
    let report = |kind, direct| Op::Report {
        kind,
        target: Target::Live(0),
        direct,
    };
    let steps = [
        // A 250 GiB copy, and a 40 GiB one queued behind it.
        at(0, copy(1)),
        at(0, copy(0)),
        // The first is reported at 99% through the simulator (it expects nothing of it
        // before its end, 20 minutes on), then finished directly on the engine, which
        // starts the second: its StartCopy is left pending.
        at(60, report(ReportKind::CopyProgress(99), false)),
        at(0, report(ReportKind::CopyFinished, true)),
        // Without a look at the engine's effects, nothing would seem due here; the second
        // copy's first percent is (7 seconds of its 696).
        at(10, Op::Wait),
        at(10, Op::Wait),
    ];
    for scope in [QueueScope::Destination, QueueScope::Source] {
        let mut profile = Profile::alibaba();
        profile.queue_scope = scope;
        let progressed = run(profile, Faults::none(), &steps).unwrap();
        assert!(progressed > 0);
    }
}

/// A fixed mix, to check the generator's kind of run does reach progress, ends, exports
/// and imports (the property above would pass vacuously otherwise).
#[test]
fn a_long_mixed_run_exercises_every_kind_of_report() {
    let mut steps = Vec::new();
    for i in 0..400i64 {
        let op = match i % 10 {
            0..=2 => Op::Copy {
                image: (i % 3) as usize,
                destination: (i % 4 % 3) as usize,
            },
            3 => Op::Export {
                image: (i % 3) as usize,
            },
            4 => Op::Import {
                sizes: vec![(i % 7 * 30) as u64, 20],
            },
            5 => Op::Report {
                kind: ReportKind::CopyProgress((i % 90) as u8),
                target: Target::Live(i as usize),
                direct: i % 20 == 5,
            },
            6 if i % 60 == 6 => Op::Restart,
            7 if i % 30 == 7 => Op::CancelCopy(i as usize),
            _ => Op::Wait,
        };
        steps.push(Step {
            seconds: [0, 7, 61, 0, 300][(i % 5) as usize],
            nanos: if i % 11 == 0 { 500_000_000 } else { 0 },
            op,
            check: i % 13 == 0,
        });
    }
    let faults = Faults::new(3, 200, 300).unwrap();
    let progressed = run(Profile::alibaba(), faults, &steps).unwrap();
    assert!(progressed > 100, "{progressed}");
    // The same run, then checked for what it did.
    let mut sim = Simulator::from_service(world(Profile::alibaba())).with_faults(faults);
    let mut now = t0();
    let mut kinds = std::collections::BTreeSet::new();
    for (i, step) in steps.iter().enumerate() {
        now += Duration::seconds(step.seconds) + Duration::nanoseconds(i64::from(step.nanos));
        match &step.op {
            Op::Wait | Op::Restart => sim.advance_to(now).unwrap(),
            op => {
                if let Some(c) = command(op, sim.service().state(), i) {
                    let _ = sim.handle(now, c);
                }
            }
        }
        for record in sim.service_mut().drain_events() {
            let name = format!("{:?}", record.event);
            kinds.insert(name.split([' ', '(', '{']).next().unwrap().to_owned());
        }
    }
    for kind in [
        "CopyProgressed",
        "CopySucceeded",
        "CopyFailed",
        "ExportStarted",
        "ExportProgressed",
        "ExportSucceeded",
        "ExportFailed",
        "ImportStarted",
        "ImportSucceeded",
    ] {
        assert!(kinds.contains(kind), "no {kind} in {kinds:?}");
    }
}
