//! The crate as a new user meets it: written only against the public API, with no struct
//! literal of a fixture or a command and no `let … else { panic!() }`. Four tasks: a host
//! loop that restarts from its log and snapshot, error handling by code and status, a
//! proptest harness over the strategies, and a Tencent flow.
#![cfg(feature = "proptest")]

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    CancelCopyImage, CopyImage, DeleteImage, Effect, EngineError, EventRecord, Fixture, HostError,
    HostReport, ImageFilter, ImageService, ModifyImageSharePermission,
};
use machine_image::strategies::{Driver, steps, world_for};
use machine_image::{
    Account, AccountId, ErrorCode, Image, ImageId, ImageName, ImageStatus, Profile, Provider,
    RegionId, Simulator, Snapshot, SnapshotId, TaskId,
};
use proptest::prelude::*;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes)
}

/// A snapshot and a custom image on it, registered for `owner` in `region`.
fn seed(
    service: &mut ImageService,
    owner: &AccountId,
    region: &RegionId,
    image: &str,
    disk: &str,
) -> Result<ImageId> {
    let disk = SnapshotId::new(disk)?;
    let snapshot = Snapshot::new(disk.clone(), region.clone(), owner.clone(), t(0), 40);
    service.register(t(0), Fixture::Snapshot(snapshot))?;
    let id = ImageId::new(image)?;
    let image = Image::custom(
        id.clone(),
        region.clone(),
        owner.clone(),
        ImageName::new("web")?,
        vec![disk],
    )
    .size_gib(40)
    .build()?;
    service.register(t(0), Fixture::Image(image))?;
    Ok(id)
}

/// The host's own record of its work: what it was told to start, and what it finished.
#[derive(Default)]
struct Worker {
    running: Vec<TaskId>,
}

impl Worker {
    /// Takes the effects: starts and aborts.
    fn take(&mut self, service: &mut ImageService) {
        while let Some(effect) = service.poll_effect() {
            match effect {
                Effect::StartCopy { task, .. } if !self.running.contains(&task) => {
                    self.running.push(task)
                }
                Effect::AbortCopy { task } => self.running.retain(|t| *t != task),
                _ => {}
            }
        }
    }

    /// Reports every running copy finished at `now`.
    fn finish_all(&mut self, service: &mut ImageService, now: DateTime<Utc>) -> Result {
        for task in std::mem::take(&mut self.running) {
            service.report(now, HostReport::CopyFinished(task))?;
        }
        Ok(())
    }
}

#[test]
fn a_host_loop_survives_a_restart() -> Result {
    let owner = AccountId::new("1234567890123456")?;
    let hz = RegionId::new("cn-hangzhou")?;
    let mut service = ImageService::new(Profile::alibaba());
    let mut store: Vec<EventRecord> = Vec::new();
    service.register(t(0), Fixture::Account(Account::new(owner.clone(), 10, 100)))?;
    let web = seed(&mut service, &owner, &hz, "m-web0001", "s-sys0001")?;
    store.extend(service.drain_events());

    // Two copies from one region: one runs, one waits.
    let mut worker = Worker::default();
    let to = |r: &str| RegionId::new(r);
    let first = service.call(
        t(1),
        CopyImage::new(owner.clone(), hz.clone(), web.clone(), [to("cn-shanghai")?]),
    )?;
    let second = service.call(
        t(1),
        CopyImage::new(owner.clone(), hz.clone(), web.clone(), [to("cn-beijing")?]),
    )?;
    store.extend(service.drain_events());
    worker.take(&mut service);
    assert_eq!(worker.running, [first[0].task]);

    // A snapshot now, then more work, then the host dies, its worker table with it.
    let snapshot = serde_json::to_string(&service)?;
    let snapshot_seq = service.next_seq();
    worker.finish_all(&mut service, t(12))?; // the second copy starts
    store.extend(service.drain_events());
    drop((service, worker));

    // Restart: the snapshot, the records after it, then the starts of the work in flight.
    let restored: ImageService = serde_json::from_str(&snapshot)?;
    let after: Vec<EventRecord> = store
        .iter()
        .filter(|r| r.seq >= snapshot_seq)
        .cloned()
        .collect();
    let mut service = restored.replay(&after)?;
    assert!(
        service.poll_effect().is_none(),
        "the worker had taken them all"
    );
    service.resume();
    let mut worker = Worker::default();
    worker.take(&mut service);
    assert_eq!(worker.running, [second[0].task]);
    worker.finish_all(&mut service, t(24))?;
    let status = |s: &ImageService, id: &ImageId| s.state().image(id).map(|i| i.status());
    assert_eq!(
        status(&service, &first[0].image),
        Some(ImageStatus::Available)
    );
    assert_eq!(
        status(&service, &second[0].image),
        Some(ImageStatus::Available)
    );

    // The whole log rebuilds the same service.
    store.extend(service.drain_events());
    let rebuilt = ImageService::from_events(Profile::alibaba(), &store)?;
    assert!(rebuilt == service);
    Ok(())
}

#[test]
fn errors_are_handled_by_blame_code_and_status() -> Result {
    let owner = AccountId::new("1234567890123456")?;
    let other = AccountId::new("6543210987654321")?;
    let hz = RegionId::new("cn-hangzhou")?;
    let mut service = ImageService::new(Profile::alibaba());
    let web = seed(&mut service, &owner, &hz, "m-web0001", "s-sys0001")?;

    // A customer's refusal: the provider's code, HTTP status and message.
    let same_region = CopyImage::new(owner.clone(), hz.clone(), web.clone(), [hz.clone()]);
    let e = service.call(t(1), same_region).unwrap_err();
    let api = e
        .api_error()
        .expect("a customer's refusal carries the ApiError");
    assert_eq!(api.code(), ErrorCode::IncorrectDestinationRegion);
    assert_eq!((e.http_status(), api.http_status()), (403, 403));
    assert_eq!(
        api.message(),
        "The destination region is not equal the target region."
    );
    assert_eq!(
        api.code_for(Provider::Tencent),
        "InvalidParameterValue.InvalidRegion"
    );

    // Someone else's image is not found; deleting it too.
    let e = service
        .call(
            t(1),
            DeleteImage::new(other.clone(), hz.clone(), web.clone()),
        )
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::InvalidImageIdNotFound));
    assert_eq!(e.http_status(), 404);

    // A host's mistake is not dressed as a provider code.
    let e = service
        .report(t(1), HostReport::CopyFinished(TaskId(99)))
        .unwrap_err();
    assert!(
        matches!(e, EngineError::Host(HostError::UnknownTask(TaskId(99)))),
        "{e}"
    );
    assert_eq!((e.code(), e.http_status()), (None, 400));
    let e = service
        .report(
            t(0) - Duration::minutes(1),
            HostReport::CopyFinished(TaskId(1)),
        )
        .unwrap_err();
    assert!(
        matches!(e, EngineError::Host(HostError::TimeWentBackwards { .. })),
        "{e}"
    );

    // A fixture that can't be recorded.
    let e = seed(&mut service, &owner, &hz, "m-web0001", "s-sys0002").unwrap_err();
    assert!(e.to_string().contains("m-web0001"), "{e}");
    Ok(())
}

#[test]
fn a_tencent_flow() -> Result {
    let owner = AccountId::new("100000000001")?;
    let friend = AccountId::new("100000000002")?;
    let gz = RegionId::new("ap-guangzhou")?;
    let mut sim = Simulator::new(Profile::tencent());
    let service = sim.service_mut();
    service.register(
        t(0),
        Fixture::Account(Account::new(friend.clone(), 10, 100)),
    )?;
    let img = seed(service, &owner, &gz, "img-o3ycss2p", "snap-gz27bh7y")?;

    // SyncImages to three regions; a dry run first, which changes nothing.
    let regions = ["ap-shanghai", "ap-beijing", "ap-chengdu"].map(|r| RegionId::new(r).unwrap());
    let sync = CopyImage::new(owner.clone(), gz.clone(), img.clone(), regions.clone());
    assert!(service.call(t(1), sync.clone().dry_run(true))?.is_empty());
    let copies = service.call(t(1), sync)?;
    assert_eq!(copies.len(), 3);

    // Tencent's DescribeImages lists every state by default: one copy runs, two wait.
    let mine = service.describe_images(&owner, &ImageFilter::default());
    let count = |s: ImageStatus| mine.iter().filter(|v| v.image.status() == s).count();
    assert_eq!(
        (count(ImageStatus::Creating), count(ImageStatus::Waiting)),
        (1, 2)
    );
    // A name of 61 characters is too long on Tencent.
    let long = CopyImage::new(owner.clone(), gz.clone(), img.clone(), [regions[0].clone()])
        .name(ImageName::new("a".repeat(61))?);
    let e = service.call(t(2), long).unwrap_err();
    assert_eq!(
        e.api_error().map(|a| a.code_for(Provider::Tencent)),
        Some("InvalidParameterValue.TooLong")
    );

    // Cancel a waiting copy, share the image, and let the simulator finish the rest.
    let cancelled = service.call(
        t(3),
        CancelCopyImage::new(
            owner.clone(),
            copies[2].region.clone(),
            copies[2].image.clone(),
        ),
    )?;
    assert_eq!(cancelled, copies[2].image);
    let share = ModifyImageSharePermission::new(owner.clone(), gz.clone(), img.clone())
        .share_with([friend.clone()]);
    service.call(t(3), share)?;
    sim.advance_to(t(120))?;
    let service = sim.service();
    for copy in &copies[..2] {
        let image = service.state().image(&copy.image).expect("the copy exists");
        assert_eq!(image.status(), ImageStatus::Available);
    }
    assert!(service.state().image(&copies[2].image).is_none());
    assert!(service.state().is_shared_with(&img, &friend));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A downstream harness: generated Tencent worlds and steps, through the simulator;
    /// whatever is asked, the engine keeps its invariants and a refusal changes nothing.
    #[test]
    fn generated_tencent_runs_keep_the_invariants(world in world_for(Provider::Tencent), steps in steps(80)) {
        let mut sim = Simulator::from_service(world.service());
        let mut driver = Driver::new(&world);
        for step in &steps {
            let Some((now, command)) = driver.resolve(step, sim.service().state()) else {
                continue;
            };
            sim.advance_to(now).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let before = serde_json::to_string(sim.service()).unwrap();
            let answer = sim.handle(now, command.clone());
            if answer.is_err() {
                prop_assert_eq!(serde_json::to_string(sim.service()).unwrap(), before);
            }
            driver.observe(&command, &answer);
            prop_assert!(sim.service().check_invariants().is_ok());
        }
    }
}
