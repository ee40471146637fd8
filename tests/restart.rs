//! Restart without loss: a snapshot (the serialised service) taken after any step, plus the
//! event records written after it, rebuilds exactly the service that wrote them, and a
//! service restored from a snapshot answers every later call as the uninterrupted one does.
//! Also: each refusal of `ImageService::from_events` / `replay`, and retention.
#![cfg(feature = "proptest")]

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    Command, CopyImage, Effect, Event, EventRecord, HostReport, ImageService, ReplayError,
    Retention,
};
use machine_image::strategies::{Driver, Step, World, steps, world};
use machine_image::{
    Account, AccountId, ClientToken, Image, ImageId, ImageName, Profile, RegionId, Snapshot,
    SnapshotId, TaskId,
};
use proptest::prelude::*;

/// A plain host: every copy started finishes at the next step; effects are taken right
/// after each command (after the snapshot of that step was taken).
#[derive(Debug, Clone, Default)]
struct Host {
    started: Vec<TaskId>,
}

impl Host {
    fn take_effects(&mut self, service: &mut ImageService) {
        while let Some(effect) = service.poll_effect() {
            if let Effect::StartCopy { task, .. } = effect {
                self.started.push(task);
            }
        }
    }

    /// Reports the copies started before this step as finished (refusals, e.g. for a copy
    /// cancelled since, are answers too).
    fn report(&mut self, service: &mut ImageService, now: DateTime<Utc>) -> Vec<String> {
        self.started
            .drain(..)
            .map(|task| {
                format!(
                    "{:?}",
                    service.handle(now, Command::from(HostReport::CopyFinished(task)))
                )
            })
            .collect()
    }
}

/// The moment after a step: the snapshot taken then, the number of records written before
/// it, the host and the driver as they were, the steps and answers done.
#[derive(Clone)]
struct Checkpoint {
    snapshot: String,
    records: usize,
    host: Host,
    driver: Driver,
    steps_done: usize,
    answers_given: usize,
}

/// One run: the answers given, the full log, a checkpoint after each step.
struct Run {
    answers: Vec<String>,
    log: Vec<EventRecord>,
    checkpoints: Vec<Checkpoint>,
    service: ImageService,
}

fn fixtures(world: &World) -> (ImageService, Vec<EventRecord>) {
    let mut service =
        ImageService::new(world.profile.clone()).with_retention(Retention::seconds(1800));
    for command in world.fixtures() {
        service.handle(world.start, command).unwrap();
    }
    let log = service.drain_events();
    (service, log)
}

/// Runs `steps` from `service` (with `host` and `driver` as they were), recording
/// checkpoints when `log` is given.
fn run_from(
    mut service: ImageService,
    mut host: Host,
    mut driver: Driver,
    steps: &[Step],
    mut log: Option<Vec<EventRecord>>,
) -> Run {
    let mut answers = Vec::new();
    let mut checkpoints = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let Some((now, command)) = driver.resolve(step, service.state()) else {
            continue;
        };
        answers.extend(host.report(&mut service, now));
        let answer = service.handle(now, command.clone());
        driver.observe(&command, &answer);
        answers.push(format!("{answer:?}"));
        let events = service.drain_events();
        if let Some(log) = &mut log {
            log.extend(events);
            let json = serde_json::to_string(&service).unwrap();
            checkpoints.push(Checkpoint {
                snapshot: json,
                records: log.len(),
                host: host.clone(),
                driver: driver.clone(),
                steps_done: i + 1,
                answers_given: answers.len(),
            });
        }
        host.take_effects(&mut service);
    }
    Run {
        answers,
        log: log.unwrap_or_default(),
        checkpoints,
        service,
    }
}

fn check_restarts(
    world: &World,
    steps: &[Step],
    pick: prop::sample::Index,
) -> Result<(), TestCaseError> {
    let (service, log) = fixtures(world);
    let whole = run_from(
        service,
        Host::default(),
        Driver::new(world),
        steps,
        Some(log),
    );
    let mut written = whole.service.clone();
    written.drain_effects();
    let final_json = serde_json::to_string(&written).unwrap();

    // The whole log rebuilds the service.
    let rebuilt = ImageService::from_events(world.profile.clone(), &whole.log)
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .with_retention(Retention::seconds(1800));
    prop_assert!(rebuilt == whole.service);

    // Any snapshot plus the records after it rebuild it.
    for c in &whole.checkpoints {
        let mut restored: ImageService = serde_json::from_str(&c.snapshot).unwrap();
        restored.drain_effects();
        let replayed = restored.replay(&whole.log[c.records..]).map_err(|e| {
            TestCaseError::fail(format!("snapshot before record {}: {e}", c.records))
        })?;
        prop_assert!(replayed == whole.service);
        prop_assert_eq!(&serde_json::to_string(&replayed).unwrap(), &final_json);
    }

    // A service restored at one step answers the rest as the uninterrupted one did.
    if whole.checkpoints.is_empty() {
        return Ok(());
    }
    let c = whole.checkpoints[pick.index(whole.checkpoints.len())].clone();
    let mut restored: ImageService = serde_json::from_str(&c.snapshot).unwrap();
    let mut host = c.host;
    host.take_effects(&mut restored);
    let continued = run_from(restored, host, c.driver, &steps[c.steps_done..], None);
    prop_assert_eq!(&continued.answers[..], &whole.answers[c.answers_given..]);
    let mut continued = continued.service;
    continued.drain_effects();
    prop_assert_eq!(serde_json::to_string(&continued).unwrap(), final_json);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_snapshot_and_the_records_after_it_rebuild_the_service(
        world in world(),
        steps in steps(100),
        pick in any::<prop::sample::Index>(),
    ) {
        check_restarts(&world, &steps, pick)?;
    }
}

// ---------------------------------------------------------------- refusals of a log

const OWNER: &str = "1234567890123456";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn region(r: &str) -> RegionId {
    RegionId::new(r).unwrap()
}

fn owner() -> AccountId {
    AccountId::new(OWNER).unwrap()
}

/// A small Alibaba world with two copies (one finished, one running) and its full log.
fn logged_world() -> (ImageService, Vec<EventRecord>) {
    let mut s = ImageService::new(Profile::alibaba());
    let hz = region("cn-hangzhou");
    let snap = SnapshotId::new("s-sys1").unwrap();
    s.handle(
        t0(),
        Command::from(Snapshot::new(snap.clone(), hz.clone(), owner(), t0(), 40)),
    )
    .unwrap();
    let src = ImageId::new("m-source1").unwrap();
    s.handle(
        t0(),
        Command::from(
            Image::custom(
                src.clone(),
                hz.clone(),
                owner(),
                ImageName::new("web").unwrap(),
                vec![snap],
            )
            .size_gib(40)
            .created_at(t0())
            .build()
            .unwrap(),
        ),
    )
    .unwrap();
    for (minute, to) in [(1, "cn-shanghai"), (2, "cn-beijing")] {
        s.handle(t0() + Duration::minutes(minute), copy(&src, to, None))
            .unwrap();
    }
    s.handle(
        t0() + Duration::minutes(15),
        Command::from(HostReport::CopyFinished(TaskId(1))),
    )
    .unwrap();
    let log = s.drain_events();
    s.drain_effects();
    (s, log)
}

fn copy(src: &ImageId, to: &str, token: Option<&str>) -> Command {
    copy_call(src, to, token).into()
}

fn copy_call(src: &ImageId, to: &str, token: Option<&str>) -> CopyImage {
    let call = CopyImage::new(owner(), region("cn-hangzhou"), src.clone(), [region(to)]);
    match token {
        Some(t) => call.client_token(ClientToken::new(t).unwrap()),
        None => call,
    }
}

#[test]
fn the_log_opens_with_its_head_and_counts_without_gaps() {
    let (service, log) = logged_world();
    assert!(
        matches!(&log[0].event, Event::LogOpened { profile } if **profile == Profile::alibaba())
    );
    for (i, r) in log.iter().enumerate() {
        assert_eq!(r.seq, i as u64);
    }
    assert_eq!(service.next_seq(), log.len() as u64);
    let rebuilt = ImageService::from_events(Profile::alibaba(), &log).unwrap();
    assert!(rebuilt == service);
}

#[test]
fn a_log_written_under_another_profile_is_refused() {
    let (_, log) = logged_world();
    let e = ImageService::from_events(Profile::tencent(), &log).unwrap_err();
    assert!(
        matches!(e, ReplayError::ProfileMismatch { seq: 0, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("record 0"), "{e}");
    // A profile differing only in a setting is another profile too.
    let mut other = Profile::alibaba();
    other.max_image_size_gib += 1;
    assert!(matches!(
        ImageService::from_events(other, &log),
        Err(ReplayError::ProfileMismatch { .. })
    ));
}

#[test]
fn a_tail_without_its_head_is_refused() {
    let (_, log) = logged_world();
    let e = ImageService::from_events(Profile::alibaba(), &log[3..]).unwrap_err();
    assert_eq!(e, ReplayError::MissingHead { found: 3 });
    // Record 0 that is not a head, and a head later in the log.
    let mut headless = log.clone();
    headless[0].event = log[1].event.clone();
    assert!(matches!(
        ImageService::from_events(Profile::alibaba(), &headless),
        Err(ReplayError::MisplacedHead { seq: 0, .. })
    ));
    let mut twice = log.clone();
    twice[2].event = log[0].event.clone();
    assert!(matches!(
        ImageService::from_events(Profile::alibaba(), &twice),
        Err(ReplayError::MisplacedHead { seq: 2, .. })
    ));
}

#[test]
fn a_gap_or_a_repeat_in_the_sequence_is_refused() {
    let (_, log) = logged_world();
    let mut gap = log.clone();
    gap.remove(4);
    let e = ImageService::from_events(Profile::alibaba(), &gap).unwrap_err();
    assert_eq!(
        e,
        ReplayError::Gap {
            expected: 4,
            found: 5
        }
    );
    assert!(e.to_string().starts_with("record 5"), "{e}");
    let mut repeat = log.clone();
    repeat.insert(4, log[3].clone());
    let e = ImageService::from_events(Profile::alibaba(), &repeat).unwrap_err();
    assert_eq!(
        e,
        ReplayError::Repeat {
            expected: 4,
            found: 3
        }
    );
    // The same on a restored snapshot: the records after it must start at its next_seq.
    let (mut service, _) = logged_world();
    let snapshot = serde_json::to_string(&service).unwrap();
    let later = service.handle(
        t0() + Duration::minutes(20),
        copy(&ImageId::new("m-source1").unwrap(), "cn-shenzhen", None),
    );
    assert!(later.is_ok());
    // The running copy ends and the queued one starts: three records after the snapshot.
    service
        .handle(
            t0() + Duration::minutes(21),
            Command::from(HostReport::CopyFinished(TaskId(2))),
        )
        .unwrap();
    let tail = service.drain_events();
    let restored: ImageService = serde_json::from_str(&snapshot).unwrap();
    let e = restored.replay(&tail[1..]).unwrap_err();
    assert!(matches!(e, ReplayError::Gap { .. }), "{e}");
    let restored: ImageService = serde_json::from_str(&snapshot).unwrap();
    let replayed = restored.replay(&tail).unwrap();
    assert!(replayed == service);
}

#[test]
fn a_record_that_does_not_apply_is_refused_by_number() {
    let (_, log) = logged_world();
    let finished = log
        .iter()
        .position(|r| matches!(r.event, Event::CopySucceeded { .. }))
        .unwrap();
    let mut edited = log.clone();
    edited[finished].event = Event::CopySucceeded { task: TaskId(9) };
    let e = ImageService::from_events(Profile::alibaba(), &edited).unwrap_err();
    assert!(
        matches!(e, ReplayError::DoesNotApply { seq, .. } if seq == finished as u64),
        "{e}"
    );
    assert!(e.to_string().contains(&format!("record {finished}")), "{e}");
    // Forgetting a running copy does not apply either.
    let mut forget = log.clone();
    let next = forget.len() as u64;
    forget.push(EventRecord {
        seq: next,
        at: log.last().unwrap().at,
        event: Event::Forgotten {
            copies: vec![TaskId(2)],
            exports: vec![],
            responses: vec![],
            imports: vec![],
        },
    });
    assert!(matches!(
        ImageService::from_events(Profile::alibaba(), &forget),
        Err(ReplayError::DoesNotApply { .. })
    ));
}

#[test]
fn a_log_that_breaks_an_invariant_is_refused_whole() {
    let (_, log) = logged_world();
    // An account whose quota is below what it already uses: each record applies, the
    // result breaks the quota invariant.
    let mut over = log.clone();
    let next = over.len() as u64;
    over.push(EventRecord {
        seq: next,
        at: log.last().unwrap().at,
        event: Event::AccountRegistered(Account::new(owner(), 0, 0)),
    });
    let e = ImageService::from_events(Profile::alibaba(), &over).unwrap_err();
    assert!(
        matches!(e, ReplayError::Invariant { seq, .. } if seq == next),
        "{e}"
    );
}

#[test]
fn a_snapshot_holds_pending_effects_and_settings() {
    let (mut service, _) = logged_world();
    service.set_event_log(false);
    service.set_retention(Retention::days(1));
    let src = ImageId::new("m-source1").unwrap();
    // Finishing the running copy starts nothing new; a new copy to Shenzhen queues behind
    // nothing and starts: its StartCopy is pending when the snapshot is taken.
    service
        .handle(
            t0() + Duration::minutes(16),
            Command::from(HostReport::CopyFinished(TaskId(2))),
        )
        .unwrap();
    service
        .handle(
            t0() + Duration::minutes(17),
            copy(&src, "cn-shenzhen", None),
        )
        .unwrap();
    let json = serde_json::to_string(&service).unwrap();
    let mut restored: ImageService = serde_json::from_str(&json).unwrap();
    assert!(!restored.event_log());
    assert_eq!(restored.retention(), Retention::days(1));
    assert_eq!(restored.next_seq(), service.next_seq());
    let effects = restored.drain_effects();
    assert_eq!(effects, service.drain_effects());
    assert!(matches!(
        effects.as_slice(),
        [Effect::StartCopy {
            task: TaskId(3),
            ..
        }]
    ));
    // resume() re-issues the start of the running copy, once.
    restored.resume();
    restored.resume();
    let again = restored.drain_effects();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0], effects[0]);
}

#[test]
fn a_snapshot_whose_pending_events_are_misnumbered_is_refused() {
    let (mut service, _) = logged_world();
    service
        .handle(
            t0() + Duration::minutes(16),
            Command::from(HostReport::CopyFinished(TaskId(2))),
        )
        .unwrap();
    let json = serde_json::to_string(&service).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["pending_events"][0]["seq"] = serde_json::json!(0);
    let e = serde_json::from_value::<ImageService>(v).unwrap_err();
    assert!(e.to_string().contains("pending events"), "{e}");
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["next_seq"] = serde_json::json!(0);
    assert!(serde_json::from_value::<ImageService>(v).is_err());
}

// ---------------------------------------------------------------- retention

#[test]
fn retention_drops_finished_tasks_and_spent_tokens_after_the_horizon() {
    let (mut service, _) = logged_world();
    service.set_retention(Retention::seconds(3600));
    let src = ImageId::new("m-source1").unwrap();
    let first = service
        .handle(
            t0() + Duration::minutes(20),
            copy(&src, "cn-shenzhen", Some("tok-1")),
        )
        .unwrap();
    service.drain_events();
    // Task 1 ended at minute 15: kept until minute 75.
    service
        .handle(
            t0() + Duration::minutes(74),
            Command::from(HostReport::CopyFinished(TaskId(2))),
        )
        .unwrap();
    assert!(service.state().task(TaskId(1)).is_some());
    assert!(
        service
            .drain_events()
            .iter()
            .all(|r| !matches!(r.event, Event::Forgotten { .. }))
    );
    // The retry within the horizon gets the first answer.
    let again = service
        .handle(
            t0() + Duration::minutes(75),
            copy(&src, "cn-shenzhen", Some("tok-1")),
        )
        .unwrap();
    assert_eq!(again, first);
    // A state change at minute 75 drops task 1 (its end is an hour old), in one event.
    service
        .handle(
            t0() + Duration::minutes(76),
            Command::from(HostReport::CopyFinished(TaskId(3))),
        )
        .unwrap();
    let events = service.drain_events();
    let forgotten: Vec<_> = events
        .iter()
        .filter_map(|r| match &r.event {
            Event::Forgotten { copies, .. } => Some(copies.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(forgotten, vec![vec![TaskId(1)]]);
    assert!(service.state().task(TaskId(1)).is_none());
    service.check_invariants().unwrap();
    // After the horizon of the token's call (minute 20 + 60), a retry is a new call: here
    // refused, as the copy the first call made holds the name in Shenzhen.
    let token = ClientToken::new("tok-1").unwrap();
    let retry = service.handle(
        t0() + Duration::minutes(81),
        copy(&src, "cn-shenzhen", Some("tok-1")),
    );
    let e = retry.unwrap_err();
    assert_eq!(e.code().unwrap().as_str(), "InvalidImageName.Duplicated");
    // The same token on a call that is accepted: the old answer is dropped first, then the
    // new one recorded, and a retry now gets the new answer.
    let renamed = |n: &str| {
        let c = copy_call(&src, "cn-shenzhen", Some("tok-1"));
        Command::from(c.name(ImageName::new(n).unwrap()))
    };
    let new = service
        .handle(t0() + Duration::minutes(82), renamed("web-2"))
        .unwrap();
    assert_ne!(new, first);
    let events = service.drain_events();
    assert!(matches!(
        &events[0].event,
        Event::Forgotten { responses, .. } if responses == &vec![(owner(), token.clone())]
    ));
    assert_eq!(
        service.handle(t0() + Duration::minutes(83), renamed("web-2")),
        Ok(new)
    );
    assert_eq!(
        service
            .state()
            .response(&owner(), &token)
            .map(|r| r.recorded_at),
        Some(t0() + Duration::minutes(82))
    );
    service.check_invariants().unwrap();
}

#[test]
fn retention_forever_keeps_everything() {
    let (mut service, _) = logged_world();
    service.set_retention(Retention::FOREVER);
    service
        .handle(
            t0() + Duration::days(3650),
            Command::from(HostReport::CopyFinished(TaskId(2))),
        )
        .unwrap();
    assert!(service.state().task(TaskId(1)).is_some());
    assert_eq!(Retention::default(), Retention::days(7));
}

#[test]
fn the_service_debug_is_a_summary() {
    let (service, _) = logged_world();
    let shown = format!("{service:?}");
    assert!(shown.len() < 600, "{} bytes: {shown}", shown.len());
    assert!(shown.contains("provider: Alibaba"), "{shown}");
    assert!(shown.contains("images: 3"), "{shown}");
    assert!(!shown.contains("cn-wulanchabu"), "{shown}");
}

/// A log edited at random (records dropped, repeated, swapped, renumbered, moved in time,
/// or taken from a different point of the run) is refused with a `ReplayError` or rebuilds a
/// service that keeps its invariants: never a panic.
#[derive(Debug, Clone)]
enum Edit {
    Drop(prop::sample::Index),
    Repeat(prop::sample::Index),
    Swap(prop::sample::Index, prop::sample::Index),
    Renumber(prop::sample::Index, u64),
    Shift(prop::sample::Index, i64),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Edit::Drop),
        any::<prop::sample::Index>().prop_map(Edit::Repeat),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<prop::sample::Index>(), 0u64..200).prop_map(|(i, n)| Edit::Renumber(i, n)),
        (any::<prop::sample::Index>(), -10_000i64..10_000).prop_map(|(i, s)| Edit::Shift(i, s)),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply_edit(log: &mut Vec<EventRecord>, e: &Edit) {
    if log.is_empty() {
        return;
    }
    let n = log.len();
    match e {
        Edit::Drop(i) => {
            log.remove(i.index(n));
        }
        Edit::Repeat(i) => {
            let r = log[i.index(n)].clone();
            log.insert(i.index(n), r);
        }
        Edit::Swap(a, b) => log.swap(a.index(n), b.index(n)),
        Edit::Renumber(i, seq) => log[i.index(n)].seq = *seq,
        Edit::Shift(i, secs) => {
            let r = &mut log[i.index(n)];
            r.at += Duration::seconds(*secs);
        }
        Edit::Truncate(i) => log.truncate(i.index(n)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn an_edited_log_is_refused_or_sound_never_a_panic(
        world in world(),
        steps in steps(60),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let (service, log) = fixtures(&world);
        let run = run_from(service, Host::default(), Driver::new(&world), &steps, Some(log));
        let mut log = run.log;
        for e in &edits {
            apply_edit(&mut log, e);
        }
        match ImageService::from_events(world.profile.clone(), &log) {
            Ok(service) => prop_assert!(service.check_invariants().is_ok()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
