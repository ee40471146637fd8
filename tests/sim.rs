//! The `Simulator` plays the host from the engine's effects alone: it runs work it was told
//! about in effects (and nothing else), survives a restart through `resume` with the same
//! timing and events, injects seeded failures, and records what it consumed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    CancelCopyImage, CancelExport, Command, CopyImage, Effect, Event, EventRecord, ExportImage,
    HostReport, ImageService, Outcome,
};
use machine_image::export::{Bucket, BucketName, ExportState, ExportTaskId, ObjectPrefix};
use machine_image::sim::{Faults, INJECTED_FAILURE, Simulator, copy_duration, export_duration};
use machine_image::{
    Account, AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId, TaskId,
    TaskState,
};

const ALICE: &str = "1111111111111111";
const HZ: &str = "cn-hangzhou";

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn alice() -> AccountId {
    AccountId::new(ALICE).unwrap()
}

fn reg(r: &str) -> RegionId {
    RegionId::new(r).unwrap()
}

/// Alice (export enabled) with images `m-small0001` (40 GiB) and `m-large0001` (250 GiB)
/// in Hangzhou and a bucket there; no effects pending.
fn world() -> ImageService {
    let mut s = ImageService::new(Profile::alibaba());
    let account = Account::new(alice(), 500, 1000).enable_export(true);
    s.handle(t(0), Command::from(account)).unwrap();
    for (image, snapshot, size) in [
        ("m-small0001", "s-small0001", 40),
        ("m-large0001", "s-large0001", 250),
    ] {
        s.handle(
            t(0),
            Command::from(Snapshot::new(
                SnapshotId::new(snapshot).unwrap(),
                reg(HZ),
                alice(),
                t(0),
                size,
            )),
        )
        .unwrap();
        let id = ImageId::new(image).unwrap();
        s.handle(
            t(0),
            Command::from(
                Image::custom(
                    id.clone(),
                    reg(HZ),
                    alice(),
                    ImageName::new(image).unwrap(),
                    vec![SnapshotId::new(snapshot).unwrap()],
                )
                .size_gib(size)
                .created_at(t(0))
                .build()
                .unwrap(),
            ),
        )
        .unwrap();
    }
    s.handle(
        t(0),
        Command::from(Bucket::new(
            BucketName::new("alice-exports").unwrap(),
            reg(HZ),
            alice(),
        )),
    )
    .unwrap();
    assert!(s.drain_effects().is_empty());
    s
}

fn copy(image: &str, to: &str, name: &str) -> Command {
    CopyImage::new(alice(), reg(HZ), ImageId::new(image).unwrap(), [reg(to)])
        .name(ImageName::new(name).unwrap())
        .into()
}

fn export(image: &str, prefix: &str) -> Command {
    ExportImage::new(
        alice(),
        reg(HZ),
        ImageId::new(image).unwrap(),
        BucketName::new("alice-exports").unwrap(),
        ObjectPrefix::new(prefix).unwrap(),
    )
    .into()
}

fn task_of(outcome: Outcome) -> TaskId {
    match outcome {
        Outcome::CopyAccepted { copies } => copies[0].task,
        other => panic!("{other:?}"),
    }
}

fn export_of(outcome: Outcome) -> ExportTaskId {
    match outcome {
        Outcome::ExportAccepted { task, .. } => task,
        other => panic!("{other:?}"),
    }
}

/// JSON out and back: what a host that restarts from a snapshot has.
fn round_trip(service: &ImageService) -> ImageService {
    serde_json::from_str(&serde_json::to_string(service).unwrap()).unwrap()
}

#[test]
fn a_restored_service_with_a_pending_start_copy_runs_it_to_the_end() {
    let mut s = world();
    let task = task_of(
        s.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
            .unwrap(),
    );
    // The StartCopy is pending in the snapshot; the simulator takes it from there.
    let mut sim = Simulator::from_service(round_trip(&s));
    let effects = sim.take_effects();
    assert!(
        matches!(effects[..], [Effect::StartCopy { task: t1, started_at, size_gib: 40, .. }] if t1 == task && started_at == t(1)),
        "{effects:?}"
    );
    let end = t(1) + copy_duration(40);
    sim.advance_to(end - Duration::seconds(1)).unwrap();
    assert_eq!(
        sim.service().state().task(task).unwrap().state(),
        TaskState::Running
    );
    sim.advance_to(end).unwrap();
    let done = sim.service().state().task(task).unwrap();
    assert_eq!(
        (done.state(), done.ended_at()),
        (TaskState::Succeeded, Some(end))
    );
    assert!(sim.take_effects().is_empty());
}

#[test]
fn work_whose_effects_it_never_saw_is_not_the_simulators() {
    let mut s = world();
    let task = task_of(
        s.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
            .unwrap(),
    );
    // The effect is gone (another host took it): the simulator knows of no work, whatever
    // the engine's tables say...
    assert_eq!(s.drain_effects().len(), 1);
    let mut sim = Simulator::from_service(s.clone());
    sim.advance_to(t(120)).unwrap();
    let stuck = sim.service().state().task(task).unwrap();
    assert_eq!((stuck.state(), stuck.progress()), (TaskState::Running, 0));
    // ... until the engine re-issues it (a restart): then it runs on its original clock.
    let mut sim = Simulator::resume(s);
    sim.advance_to(t(120)).unwrap();
    let done = sim.service().state().task(task).unwrap();
    assert_eq!(done.state(), TaskState::Succeeded);
    assert_eq!(done.ended_at(), Some(t(1) + copy_duration(40)));
}

/// Four copies queued in one lane and two exports, driven by a simulator with `faults`
/// that restarts (JSON out and back, then `resume`) before each time in `restarts`.
/// Returns the final service and every event.
fn run(faults: Faults, restarts: &[DateTime<Utc>]) -> (ImageService, Vec<EventRecord>) {
    let mut sim = Simulator::from_service(world()).with_faults(faults);
    let mut events = Vec::new();
    let mut keep = |sim: &mut Simulator| events.extend(sim.service_mut().drain_events());
    let script: Vec<(DateTime<Utc>, Option<Command>)> = vec![
        (t(1), Some(copy("m-small0001", "cn-shanghai", "c1"))),
        (t(1), Some(copy("m-large0001", "cn-beijing", "c2"))),
        (t(2), Some(copy("m-small0001", "cn-beijing", "c3"))),
        (t(2), Some(export("m-large0001", "large"))),
        (t(3), Some(copy("m-large0001", "cn-shanghai", "c4"))),
        (t(5), None),
        (t(9), Some(export("m-small0001", "small"))),
        (t(14), None),
        (t(20), None),
        (t(27), None),
        (t(33), None),
        (t(40), None),
        (t(45), None),
        (t(61), None),
        (t(75), None),
        (t(200), None),
    ];
    for (at, command) in script {
        if restarts.contains(&at) {
            keep(&mut sim);
            sim = sim
                .restart(|service| Ok::<_, ()>(round_trip(&service)))
                .unwrap();
        }
        match command {
            Some(command) => {
                sim.handle(at, command).unwrap();
            }
            None => sim.advance_to(at).unwrap(),
        }
        keep(&mut sim);
    }
    sim.service().check_invariants().unwrap();
    (sim.into_service(), events)
}

#[test]
fn a_restart_gives_the_same_state_and_events_as_an_uninterrupted_run() {
    let times = [1, 2, 3, 5, 9, 14, 20, 27, 33, 40, 45, 61, 75];
    for faults in [Faults::none(), Faults::new(1, 500, 500).unwrap()] {
        let (whole, log) = run(faults, &[]);
        // Everything ran to its end, through progress reports.
        assert!(whole.state().tasks().all(|t| !t.state().is_live()));
        assert_eq!(whole.state().live_exports().count(), 0);
        let progressed = |e: &EventRecord| {
            matches!(
                e.event,
                Event::CopyProgressed { .. } | Event::ExportProgressed { .. }
            )
        };
        assert!(log.iter().filter(|e| progressed(e)).count() > 10);
        // The same state and the same log (the events after the restart included),
        // whenever the host restarts, and however often.
        for restart in times {
            let (restarted, events) = run(faults, &[t(restart)]);
            assert!(restarted == whole, "restart at minute {restart}");
            assert_eq!(events, log, "restart at minute {restart}");
        }
        let every: Vec<_> = times.iter().map(|m| t(*m)).collect();
        let (restarted, events) = run(faults, &every);
        assert!(restarted == whole);
        assert_eq!(events, log);
    }
    // The faults did fail something, and not everything.
    let (with_faults, _) = run(Faults::new(1, 500, 500).unwrap(), &[]);
    let states: Vec<TaskState> = with_faults.state().tasks().map(|t| t.state()).collect();
    assert!(states.contains(&TaskState::Failed), "{states:?}");
    assert!(states.contains(&TaskState::Succeeded), "{states:?}");
}

#[test]
fn doomed_tasks_fail_at_their_modelled_end() {
    let faults = Faults::new(5, 1000, 1000).unwrap();
    let mut sim = Simulator::from_service(world()).with_faults(faults);
    let copy_task = task_of(
        sim.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
            .unwrap(),
    );
    let export_task = export_of(sim.handle(t(1), export("m-large0001", "large")).unwrap());
    assert!(faults.copy_fails(copy_task) && faults.export_fails(export_task));
    sim.service_mut().drain_events();
    sim.advance_to(t(600)).unwrap();
    let events = sim.service_mut().drain_events();
    let copy_end = t(1) + copy_duration(40);
    let export_end = t(1) + export_duration(250);
    let failed: Vec<_> = events
        .iter()
        .filter_map(|r| match &r.event {
            Event::CopyFailed { task, reason } => Some((r.at, format!("{task}"), reason.clone())),
            Event::ExportFailed { task, reason } => Some((r.at, format!("{task}"), reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed,
        [
            (
                copy_end,
                format!("{copy_task}"),
                INJECTED_FAILURE.to_owned()
            ),
            (
                export_end,
                format!("{export_task}"),
                INJECTED_FAILURE.to_owned()
            ),
        ]
    );
    let state = sim.service().state();
    assert_eq!(state.task(copy_task).unwrap().state(), TaskState::Failed);
    assert_eq!(
        state.export(export_task).unwrap().state(),
        ExportState::Failed
    );
    // No fault: the same world finishes both.
    let mut sim = Simulator::from_service(world());
    let copy_task = task_of(
        sim.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
            .unwrap(),
    );
    let export_task = export_of(sim.handle(t(1), export("m-large0001", "large")).unwrap());
    sim.advance_to(t(600)).unwrap();
    let state = sim.service().state();
    assert_eq!(state.task(copy_task).unwrap().state(), TaskState::Succeeded);
    assert_eq!(
        state.export(export_task).unwrap().state(),
        ExportState::Succeeded
    );
}

#[test]
fn take_effects_lists_what_the_simulator_consumed_in_order() {
    let mut sim = Simulator::from_service(world());
    assert!(sim.effect_log());
    let first = task_of(
        sim.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
            .unwrap(),
    );
    let second = task_of(
        sim.handle(t(1), copy("m-large0001", "cn-beijing", "c2"))
            .unwrap(),
    );
    let exported = export_of(sim.handle(t(1), export("m-large0001", "large")).unwrap());
    let started = |effects: &[Effect]| -> Vec<String> {
        effects
            .iter()
            .map(|e| match e {
                Effect::StartCopy {
                    task, started_at, ..
                } => format!("start {task} {started_at}"),
                Effect::AbortCopy { task } => format!("abort {task}"),
                Effect::StartExport {
                    task, accepted_at, ..
                } => {
                    format!("export {task} {accepted_at}")
                }
                Effect::AbortExport { task } => format!("abort {task}"),
                Effect::StartImport { task, .. } => format!("import {task}"),
            })
            .collect()
    };
    assert_eq!(
        started(&sim.take_effects()),
        [
            format!("start {first} {}", t(1)),
            format!("export {exported} {}", t(1))
        ]
    );
    // A cancel of the running copy: its abort, then the next copy's start.
    let image = sim
        .service()
        .state()
        .task(first)
        .unwrap()
        .destination_image
        .clone();
    sim.handle(
        t(2),
        Command::from(CancelCopyImage::new(alice(), reg("cn-shanghai"), image)),
    )
    .unwrap();
    sim.handle(
        t(3),
        Command::from(CancelExport::new(alice(), reg(HZ), exported)),
    )
    .unwrap();
    assert_eq!(
        started(&sim.take_effects()),
        [
            format!("abort {first}"),
            format!("start {second} {}", t(2)),
            format!("abort {exported}")
        ]
    );
    // A command handled directly on the engine: its effects are taken at the next advance.
    sim.service_mut()
        .handle(t(4), copy("m-small0001", "cn-beijing", "c3"))
        .unwrap();
    sim.advance_to(t(4)).unwrap();
    assert!(sim.take_effects().is_empty()); // queued behind the second: no start yet
    sim.advance_to(t(2) + copy_duration(250)).unwrap();
    assert_eq!(
        started(&sim.take_effects()),
        [format!("start task-3 {}", t(2) + copy_duration(250))]
    );
    // With the log off, nothing is kept; the work is done all the same.
    sim.set_effect_log(false);
    sim.advance_to(t(600)).unwrap();
    assert!(sim.take_effects().is_empty());
    assert!(sim.service().state().tasks().all(|t| !t.state().is_live()));
}

#[test]
fn reports_made_elsewhere_are_learnt_from_the_answers() {
    let mut sim = Simulator::from_service(world());
    let first = task_of(
        sim.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
            .unwrap(),
    );
    let second = task_of(
        sim.handle(t(1), copy("m-small0001", "cn-beijing", "c2"))
            .unwrap(),
    );
    // A failure reported through the simulator: it forgets the task at once.
    sim.handle(
        t(3),
        Command::from(HostReport::CopyFailed {
            task: first,
            reason: "disk".into(),
        }),
    )
    .unwrap();
    // The second copy, reported finished directly on the engine, and progress reported
    // ahead of the model: the simulator's own reports are refused as stale or going back,
    // and it takes the engine's word without an error.
    sim.advance_to(t(4)).unwrap();
    sim.service_mut()
        .handle(
            t(5),
            Command::from(HostReport::CopyProgress {
                task: second,
                percent: 80,
            }),
        )
        .unwrap();
    sim.advance_to(t(6)).unwrap();
    assert_eq!(sim.service().state().task(second).unwrap().progress(), 80);
    sim.service_mut()
        .handle(t(7), Command::from(HostReport::CopyFinished(second)))
        .unwrap();
    sim.advance_to(t(120)).unwrap();
    let state = sim.service().state();
    assert_eq!(state.task(first).unwrap().state(), TaskState::Failed);
    assert_eq!(
        (
            state.task(second).unwrap().state(),
            state.task(second).unwrap().ended_at()
        ),
        (TaskState::Succeeded, Some(t(7)))
    );
    // Nothing else to do: no report at all.
    sim.service_mut().drain_events();
    sim.advance_to(t(240)).unwrap();
    assert!(sim.service_mut().drain_events().is_empty());
}

#[test]
fn a_restart_with_effects_pending_does_not_duplicate_work() {
    let mut sim = Simulator::from_service(world());
    sim.handle(t(1), copy("m-small0001", "cn-shanghai", "c1"))
        .unwrap();
    // Handled directly: its StartExport is pending when the snapshot is taken.
    sim.service_mut()
        .handle(t(2), export("m-large0001", "large"))
        .unwrap();
    sim.take_effects();
    let mut sim = sim
        .restart(|service| Ok::<_, ()>(round_trip(&service)))
        .unwrap();
    let effects = sim.take_effects();
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert!(matches!(effects[0], Effect::StartExport { .. }));
    assert!(matches!(effects[1], Effect::StartCopy { .. }));
    sim.advance_to(t(600)).unwrap();
    let state = sim.service().state();
    assert!(state.tasks().all(|t| t.state() == TaskState::Succeeded));
    let export = state.export(ExportTaskId(1)).unwrap();
    assert_eq!(export.state(), ExportState::Succeeded);
    assert_eq!(export.ended_at(), Some(t(2) + export_duration(250)));
}
