//! Integration tests of the engine through its public API: the copy check order, the
//! queues, cancel/delete/share, host reports, idempotency, serialisation, replay and the
//! simulator. Every step of every scenario checks the invariants, and every refusal checks
//! that the service's serialised state, events and effects are unchanged.

use chrono::{DateTime, Duration, TimeZone, Utc};
use machine_image::engine::{
    AcceptedCopy, CancelCopyImage, Command, CopyImage, CreateImage, DeleteImage, Effect,
    EngineError, EventRecord, HostError, HostReport, ImageFilter, ImageService,
    ModifyImageSharePermission, Outcome, Request,
};
use machine_image::replay::wire_error;
use machine_image::sim::{Simulator, copy_duration};
use machine_image::{
    Account, AccountId, ApiError, ClientToken, CopyTask, Image, ImageBuilder, ImageId, ImageKind,
    ImageName, ImageStatus, KmsKey, KmsKeyId, OwnerAlias, Profile, Provider, QueueScope, RegionId,
    Snapshot, SnapshotId, TaskId, TaskState,
};

// ============================================================================ fixtures

const ALICE: &str = "1111111111111111";
const BOB: &str = "2222222222222222";
const CAROL: &str = "3333333333333333";
const ALIYUN: &str = "aliyun";
const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";
const BJ: &str = "cn-beijing";
const SG: &str = "ap-southeast-1";
const SYSTEM_IMAGE: &str = "ubuntu_22_04_x64_20G_alibase_20230907.vhd";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn mins(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

fn acct(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}

fn reg(s: &str) -> RegionId {
    RegionId::new(s).unwrap()
}

fn img(s: &str) -> ImageId {
    ImageId::new(s).unwrap()
}

fn sid(s: &str) -> SnapshotId {
    SnapshotId::new(s).unwrap()
}

fn name(s: &str) -> ImageName {
    ImageName::new(s).unwrap()
}

fn key(s: &str) -> KmsKeyId {
    KmsKeyId::new(s).unwrap()
}

fn token(s: &str) -> ClientToken {
    ClientToken::new(s).unwrap()
}

fn snapshot_fx(id: &str, region: &str, owner: &str, size_gib: u64) -> Snapshot {
    Snapshot::new(
        sid(id),
        reg(region),
        acct(owner),
        Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
        size_gib,
    )
}

/// A custom image of 40 GiB, to be adjusted before it is built.
fn image_b(id: &str, region: &str, owner: &str, image_name: &str, snaps: &[&str]) -> ImageBuilder {
    Image::custom(
        img(id),
        reg(region),
        acct(owner),
        name(image_name),
        snaps.iter().map(|s| sid(s)).collect(),
    )
    .size_gib(40)
    .created_at(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap())
}

fn image_fx(id: &str, region: &str, owner: &str, image_name: &str, snaps: &[&str]) -> Image {
    image_b(id, region, owner, image_name, snaps)
        .build()
        .unwrap()
}

fn copy_req(caller: &str, region: &str, image: &str, dests: &[&str]) -> CopyImage {
    CopyImage::new(
        acct(caller),
        reg(region),
        img(image),
        dests.iter().map(|d| reg(d)),
    )
}

fn cancel(caller: &str, region: &str, image: &ImageId) -> CancelCopyImage {
    CancelCopyImage::new(acct(caller), reg(region), image.clone())
}

fn delete(caller: &str, region: &str, image: &ImageId) -> DeleteImage {
    DeleteImage::new(acct(caller), reg(region), image.clone())
}

fn share(
    caller: &str,
    region: &str,
    image: &str,
    add: &[&str],
    remove: &[&str],
) -> ModifyImageSharePermission {
    ModifyImageSharePermission::new(acct(caller), reg(region), img(image))
        .share_with(add.iter().map(|a| acct(a)))
        .unshare_with(remove.iter().map(|a| acct(a)))
}

/// An engine, its clock, and every event it emitted.
struct World {
    svc: ImageService,
    now: DateTime<Utc>,
    log: Vec<EventRecord>,
    /// `log.len()` after each command.
    boundaries: Vec<usize>,
}

impl World {
    fn new(profile: Profile) -> Self {
        World {
            svc: ImageService::new(profile),
            now: t0(),
            log: Vec::new(),
            boundaries: Vec::new(),
        }
    }

    fn profile(&self) -> Profile {
        self.svc.profile().clone()
    }

    /// Sets the clock to `m` minutes after `t0`.
    fn at(&mut self, m: i64) -> &mut Self {
        self.now = mins(m);
        self
    }

    /// Handles `cmd` at the current time; checks the invariants, and for a refusal that
    /// nothing changed.
    fn run(&mut self, cmd: Command) -> Result<Outcome, EngineError> {
        self.checked(|svc, now| svc.handle(now, cmd))
    }

    /// `call` through the typed entry point, with the checks of [`World::run`].
    fn call<R: Request>(&mut self, request: R) -> Result<R::Answer, EngineError> {
        self.checked(|svc, now| svc.call(now, request))
    }

    /// Runs `input` at the current time; checks the invariants, and for a refusal that
    /// nothing changed.
    fn checked<T>(
        &mut self,
        input: impl FnOnce(&mut ImageService, DateTime<Utc>) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let before = serde_json::to_string(&self.svc).unwrap();
        let before_value = self.svc.clone();
        let result = input(&mut self.svc, self.now);
        self.svc.check_invariants().unwrap();
        if result.is_err() {
            assert_eq!(before, serde_json::to_string(&self.svc).unwrap());
            assert!(before_value == self.svc);
            assert!(
                self.svc.poll_event().is_none(),
                "a refusal emitted an event"
            );
        }
        self.log.extend(self.svc.drain_events());
        self.boundaries.push(self.log.len());
        result
    }

    fn ok(&mut self, cmd: Command) -> Outcome {
        let shown = format!("{cmd:?}");
        self.run(cmd)
            .unwrap_or_else(|e| panic!("{shown} refused: {e}"))
    }

    fn api_err(&mut self, cmd: Command) -> ApiError {
        match self.run(cmd) {
            Err(EngineError::Rejected(api)) => api,
            other => panic!("expected an API refusal, got {other:?}"),
        }
    }

    fn code(&mut self, cmd: Command) -> &'static str {
        self.api_err(cmd).code().as_str()
    }

    fn copy_code(&mut self, c: CopyImage) -> &'static str {
        self.code(Command::from(c))
    }

    fn account(&mut self, a: Account) {
        assert_eq!(self.ok(Command::from(a)), Outcome::Registered);
    }

    /// Registers `names` as accounts with the profile's default quotas, unless registered
    /// already: only a known account can be shared with.
    fn known(&mut self, names: &[&str]) {
        let profile = self.profile();
        for name in names {
            if self.svc.state().account(&acct(name)).is_none() {
                let (images, snapshots) = profile.quotas_of(None);
                self.account(Account::new(acct(name), images, snapshots));
            }
        }
    }

    fn snapshot(&mut self, s: Snapshot) {
        assert_eq!(self.ok(Command::from(s)), Outcome::Registered);
    }

    fn image(&mut self, i: Image) {
        assert_eq!(self.ok(Command::from(i)), Outcome::Registered);
    }

    fn kms(&mut self, id: &str, region: &str, owner: &str, authorized: bool) {
        let k = KmsKey::new(key(id), reg(region), acct(owner)).authorized(authorized);
        assert_eq!(self.ok(Command::from(k)), Outcome::Registered);
    }

    /// A snapshot and a custom image on it.
    fn simple_image(&mut self, id: &str, region: &str, owner: &str, image_name: &str) {
        let snap = format!("s-{}", id.trim_start_matches("m-"));
        self.snapshot(snapshot_fx(&snap, region, owner, 40));
        self.image(image_fx(id, region, owner, image_name, &[&snap]));
    }

    fn copy(&mut self, c: CopyImage) -> Vec<AcceptedCopy> {
        let shown = format!("{c:?}");
        self.call(c)
            .unwrap_or_else(|e| panic!("{shown} refused: {e}"))
    }

    fn copy1(&mut self, caller: &str, region: &str, image: &str, dest: &str) -> AcceptedCopy {
        let mut copies = self.copy(copy_req(caller, region, image, &[dest]));
        assert_eq!(copies.len(), 1);
        copies.remove(0)
    }

    fn finish(&mut self, task: TaskId) {
        assert_eq!(
            self.ok(Command::from(HostReport::CopyFinished(task))),
            Outcome::Reported
        );
    }

    fn status(&self, id: &ImageId) -> Option<ImageStatus> {
        self.svc.state().image(id).map(|i| i.status())
    }

    fn task(&self, id: TaskId) -> &CopyTask {
        self.svc.state().task(id).unwrap()
    }

    fn effects(&mut self) -> Vec<Effect> {
        self.svc.drain_effects()
    }

    /// Bob shares `m-bob1` with `accounts`.
    fn bob_shares_with(&mut self, accounts: &[&str]) {
        self.known(accounts);
        let call = share(BOB, HZ, "m-bob1", accounts, &[]);
        assert_eq!(self.ok(Command::from(call)), Outcome::ShareModified);
    }

    fn json(&self) -> String {
        serde_json::to_string(&self.svc).unwrap()
    }
}

/// Alibaba: Alice's custom image `m-alice1` ("web", 40 GiB, one snapshot) in Hangzhou,
/// Bob's `m-bob1` ("bobimg") in Hangzhou, and a public image in Hangzhou.
fn basic() -> World {
    let mut w = World::new(Profile::alibaba());
    w.simple_image("m-alice1", HZ, ALICE, "web");
    w.simple_image("m-bob1", HZ, BOB, "bobimg");
    w.snapshot(snapshot_fx("s-sys1", HZ, ALIYUN, 20));
    let sys = Image::public(
        img(SYSTEM_IMAGE),
        reg(HZ),
        acct(ALIYUN),
        name("ubuntu"),
        vec![sid("s-sys1")],
    )
    .size_gib(40)
    .created_at(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap())
    .build()
    .unwrap();
    w.image(sys);
    w.svc.drain_effects();
    w
}

fn start_copy_effect_task(e: &Effect) -> Option<TaskId> {
    match e {
        Effect::StartCopy { task, .. } => Some(*task),
        _ => None,
    }
}

// ============================================================================ copy check order

#[test]
fn step1_caller_missing_is_invalid_ali_uid() {
    let mut w = basic();
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.caller = None;
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "InvalidAliUid.IsNull");
    assert_eq!(e.http_status(), 401);
    assert_eq!(e.message(), "The aliUid must not be null");
    // It wins over every later rule (no destinations, unknown regions, missing image).
    c.destination_regions.clear();
    c.region = reg("xx-nowhere");
    c.image = img("m-missing1");
    assert_eq!(w.copy_code(c), "InvalidAliUid.IsNull");
    // The other calls check the caller too.
    let cancel_call = cancel(ALICE, HZ, &img("m-alice1")).without_caller();
    assert_eq!(w.code(Command::from(cancel_call)), "InvalidAliUid.IsNull");
    let delete_call = delete(ALICE, HZ, &img("m-alice1")).without_caller();
    assert_eq!(w.code(Command::from(delete_call)), "InvalidAliUid.IsNull");
}

#[test]
fn step2_destinations_present_and_distinct() {
    let mut w = basic();
    let c = copy_req(ALICE, HZ, "m-alice1", &[]);
    let e = w.api_err(Command::from(c));
    assert_eq!(e.code().as_str(), "MissingParameter");
    assert!(
        e.message().contains("DestinationRegionId"),
        "{}",
        e.message()
    );
    let c = copy_req(ALICE, HZ, "m-alice1", &[SH, BJ, SH]);
    assert_eq!(w.copy_code(c), "InvalidParameter");
    // Step 2 before step 5.
    let c = copy_req(ALICE, "xx-nowhere", "m-alice1", &[]);
    assert_eq!(w.copy_code(c), "MissingParameter");
}

#[test]
fn step3_tencent_name_over_60_chars() {
    let mut w = World::new(Profile::tencent());
    let owner = "100000000001";
    w.snapshot(snapshot_fx("snap-gz27bh7y", "ap-guangzhou", owner, 50));
    w.image(image_fx(
        "img-o3ycss2p",
        "ap-guangzhou",
        owner,
        "base",
        &["snap-gz27bh7y"],
    ));
    let mut c = copy_req(owner, "ap-guangzhou", "img-o3ycss2p", &["ap-shanghai"]);
    c.name = Some(name(&"n".repeat(61)));
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "InvalidImageName.Malformed");
    assert_eq!(
        e.code_for(Provider::Tencent),
        "InvalidParameterValue.TooLong"
    );
    assert_eq!(e.http_status(), 400);
    // Step 3 before step 4 (a key without Encrypted).
    c.kms_key = Some(key("key-1"));
    assert_eq!(w.copy_code(c.clone()), "InvalidImageName.Malformed");
    // 60 characters fit.
    c.kms_key = None;
    c.name = Some(name(&"n".repeat(60)));
    let copies = w.copy(c);
    let copy = w.svc.state().image(&copies[0].image).unwrap();
    assert_eq!(copy.name().as_str().len(), 60);
    assert!(copy.id().as_str().starts_with("img-"));
    assert_eq!(copy.tencent_state(), "SYNCING");
}

#[test]
fn step14_tencent_default_name_from_a_long_source_name() {
    let mut w = World::new(Profile::tencent());
    let owner = "100000000001";
    let snap = snapshot_fx("snap-gz27bh7y", "ap-guangzhou", owner, 50);
    w.snapshot(snap.encrypted_with_service_key());
    // A fixture may carry an Alibaba-length name; the copy would inherit it.
    w.image(image_fx(
        "img-o3ycss2p",
        "ap-guangzhou",
        owner,
        &"x".repeat(70),
        &["snap-gz27bh7y"],
    ));
    let mut c = copy_req(owner, "ap-guangzhou", "img-o3ycss2p", &["ap-shanghai"]);
    // The default name is known once the source is found: step 12 (its encrypted snapshot
    // needs `Encrypted`) comes first.
    assert_eq!(w.copy_code(c.clone()), "OperationDeined.EncryptedSnapshot");
    let plain = snapshot_fx("snap-gz27bh7z", "ap-guangzhou", owner, 50);
    w.snapshot(plain);
    w.image(image_fx(
        "img-o3ycss2q",
        "ap-guangzhou",
        owner,
        &"y".repeat(70),
        &["snap-gz27bh7z"],
    ));
    c.image = img("img-o3ycss2q");
    assert_eq!(w.copy_code(c.clone()), "InvalidImageName.Malformed");
    // A name given replaces the default.
    c.name = Some(name("short"));
    w.copy(c);
}

#[test]
fn step4_key_without_encrypted_is_encrypted_illegal() {
    let mut w = basic();
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.kms_key = Some(key("key-1"));
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "InvalidParameter.EncryptedIllegal");
    assert_eq!(e.http_status(), 400);
    assert_eq!(
        e.message(),
        "The specified parameter Encrypted must be true when kmsKeyId is not empty."
    );
    // Step 4 before step 5.
    c.region = reg("xx-nowhere");
    assert_eq!(w.copy_code(c), "InvalidParameter.EncryptedIllegal");
}

#[test]
fn step5_and_6_regions_known() {
    let mut w = basic();
    let c = copy_req(ALICE, "xx-nowhere", "m-alice1", &["yy-nowhere"]);
    let e = w.api_err(Command::from(c));
    assert_eq!(e.code().as_str(), "SourceRegion.NotFound");
    assert_eq!(e.http_status(), 400);
    assert_eq!(e.message(), "The source region not found");
    // An Alibaba profile does not know Tencent's regions.
    let c = copy_req(ALICE, HZ, "m-alice1", &["ap-guangzhou"]);
    let e = w.api_err(Command::from(c));
    assert_eq!(e.code().as_str(), "DestinationRegion.NotFound");
    assert_eq!(e.message(), "The destination region not found");
    // Step 6 before step 7 (missing image).
    let c = copy_req(ALICE, HZ, "m-missing1", &["yy-nowhere"]);
    assert_eq!(w.copy_code(c), "DestinationRegion.NotFound");
}

#[test]
fn step7_image_not_found() {
    let mut w = basic();
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-missing1", &[SH])));
    assert_eq!(e.code().as_str(), "InvalidImageId.NotFound");
    assert_eq!(e.http_status(), 404);
    assert_eq!(e.message(), "The specified ImageId does not exist.");
    // Another account's image, not shared with Alice.
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-bob1", &[SH])),
        "InvalidImageId.NotFound"
    );
    // Alice's own image, addressed in the wrong region.
    assert_eq!(
        w.copy_code(copy_req(ALICE, SH, "m-alice1", &[BJ])),
        "InvalidImageId.NotFound"
    );
    // A system image in another region is not found either (before Forbbiden).
    assert_eq!(
        w.copy_code(copy_req(ALICE, SH, SYSTEM_IMAGE, &[BJ])),
        "InvalidImageId.NotFound"
    );
}

#[test]
fn step8_system_image_is_forbidden() {
    let mut w = basic();
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, SYSTEM_IMAGE, &[SH])));
    assert_eq!(e.code().as_str(), "Forbbiden");
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.message(),
        "User not authorized to operate on the specified resource."
    );
    // And it can't be deleted.
    assert_eq!(
        w.code(Command::from(delete(ALICE, HZ, &img(SYSTEM_IMAGE)))),
        "Forbbiden"
    );
}

#[test]
fn step9_image_must_be_available() {
    let mut w = basic();
    w.snapshot(snapshot_fx("s-un1", HZ, ALICE, 40));
    let un = image_b("m-unavail1", HZ, ALICE, "unavail", &["s-un1"]);
    w.image(un.status(ImageStatus::UnAvailable).build().unwrap());
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-unavail1", &[SH])));
    assert_eq!(e.code().as_str(), "IncorrectImageStatus");
    assert_eq!(e.message(), "The image not available.");
    // An in-flight copy can't be copied on.
    let first = w.copy1(ALICE, HZ, "m-alice1", SH);
    assert_eq!(w.status(&first.image), Some(ImageStatus::Creating));
    let c = copy_req(ALICE, SH, first.image.as_str(), &[BJ]);
    assert_eq!(w.copy_code(c), "IncorrectImageStatus");
}

#[test]
fn step10_snapshots_exist_and_are_recent() {
    let mut w = basic();
    // The image names a snapshot that does not exist.
    w.image(image_fx("m-nosnap1", HZ, ALICE, "nosnap", &["s-ghost1"]));
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-nosnap1", &[SH])));
    assert_eq!(e.code().as_str(), "InvalidSnapshotId.NotFound");
    assert_eq!(e.message(), "The specified SnapshotId does not exist.");

    // 2013-07-14 is too old, 2013-07-15 is not.
    let old = Utc.with_ymd_and_hms(2013, 7, 14, 23, 59, 59).unwrap();
    w.snapshot(Snapshot::new(sid("s-old1"), reg(HZ), acct(ALICE), old, 40));
    w.image(image_fx("m-old1", HZ, ALICE, "old", &["s-old1"]));
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-old1", &[SH])));
    assert_eq!(e.code().as_str(), "InvalidSnapshot.TooOld");
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.message(),
        "This operation is denied because the specified snapshot is created before 2013-07-15."
    );

    let edge = Utc.with_ymd_and_hms(2013, 7, 15, 0, 0, 0).unwrap();
    w.snapshot(Snapshot::new(
        sid("s-edge1"),
        reg(HZ),
        acct(ALICE),
        edge,
        40,
    ));
    w.image(image_fx("m-edge1", HZ, ALICE, "edge", &["s-edge1"]));
    w.copy1(ALICE, HZ, "m-edge1", SH);

    // Step 10 before step 11 (an own image to its own region).
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-old1", &[HZ])),
        "InvalidSnapshot.TooOld"
    );
}

#[test]
fn step11_own_image_to_its_own_region() {
    let mut w = basic();
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-alice1", &[HZ])));
    assert_eq!(e.code().as_str(), "IncorrectDestinationRegion");
    assert_eq!(e.http_status(), 403);
}

#[test]
fn step11_shared_image_stays_in_its_region() {
    let mut w = basic();
    w.known(&[ALICE]);
    w.ok(Command::from(share(BOB, HZ, "m-bob1", &[ALICE], &[])));
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-bob1", &[SH])));
    assert_eq!(e.code().as_str(), "OperationDenied.SameRegionOnly");
    assert_eq!(
        e.message(),
        "The image shared from others can not be copied to another region directly."
    );
}

#[test]
fn step11_marketplace_image_only_where_published() {
    let mut w = basic();
    w.snapshot(snapshot_fx("s-mkt1", HZ, CAROL, 40));
    let m = Image::marketplace(
        img("m-market1"),
        reg(HZ),
        acct(CAROL),
        name("market"),
        vec![sid("s-mkt1")],
        vec![reg(SH)],
    )
    .size_gib(40)
    .paid(true)
    .created_at(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap())
    .build()
    .unwrap();
    w.image(m);
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-market1", &[BJ])));
    assert_eq!(e.code().as_str(), "OperationDenied.NotPublished");
    assert_eq!(e.http_status(), 403);
    // Published in Shanghai: Alice gets her own copy there.
    let copy = w.copy1(ALICE, HZ, "m-market1", SH);
    let image = w.svc.state().image(&copy.image).unwrap();
    assert_eq!(image.owner(), &acct(ALICE));
    assert_eq!(image.kind(), ImageKind::Custom);
    assert!(image.paid());
    assert_eq!(image.ultimate_source(), &img("m-market1"));
}

#[test]
fn step11_region_without_copy_support() {
    let mut profile = Profile::alibaba();
    profile
        .regions
        .catalogue
        .get_mut(BJ)
        .unwrap()
        .copy_supported = false;
    let mut w = World::new(profile);
    w.simple_image("m-alice1", HZ, ALICE, "web");
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-alice1", &[BJ])));
    assert_eq!(e.code().as_str(), "RegionNotSupportCopy");
    assert_eq!(e.message(), "The region not support copy.");
    // As a source too.
    w.simple_image("m-alice2", BJ, ALICE, "web2");
    assert_eq!(
        w.copy_code(copy_req(ALICE, BJ, "m-alice2", &[HZ])),
        "RegionNotSupportCopy"
    );
    // Alibaba has no cross-border allow-list.
    w.copy1(ALICE, HZ, "m-alice1", SG);
}

#[test]
fn step11_tencent_cross_border_needs_allow_list() {
    let mut w = World::new(Profile::tencent());
    let owner = "100000000001";
    w.snapshot(snapshot_fx("snap-gz27bh7y", "ap-guangzhou", owner, 50));
    w.image(image_fx(
        "img-o3ycss2p",
        "ap-guangzhou",
        owner,
        "base",
        &["snap-gz27bh7y"],
    ));
    let c = copy_req(owner, "ap-guangzhou", "img-o3ycss2p", &["ap-singapore"]);
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "RegionNotSupportCopy");
    assert_eq!(e.code_for(Provider::Tencent), "UnsupportedOperation.Region");
    // Within mainland China: fine.
    w.copy(copy_req(
        owner,
        "ap-guangzhou",
        "img-o3ycss2p",
        &["ap-shanghai"],
    ));
    // Allow-listed: fine.
    let a = Account::new(acct(owner), 500, 1000).allow_cross_border(true);
    w.account(a);
    let copies = w.copy(c);
    assert_eq!(copies[0].region, reg("ap-singapore"));
}

#[test]
fn step11_tencent_encrypted_copy_stays_in_region() {
    let mut w = World::new(Profile::tencent());
    let owner = "100000000001";
    w.snapshot(snapshot_fx("snap-gz27bh7y", "ap-guangzhou", owner, 50));
    w.image(image_fx(
        "img-o3ycss2p",
        "ap-guangzhou",
        owner,
        "base",
        &["snap-gz27bh7y"],
    ));
    let mut c = copy_req(owner, "ap-guangzhou", "img-o3ycss2p", &["ap-shanghai"]);
    c.encrypted = true;
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "InvalidParameter");
    assert_eq!(
        e.code_for(Provider::Tencent),
        "InvalidParameterValue.InvalidRegion"
    );
    c.destination_regions = vec![reg("ap-guangzhou")];
    c.name = Some(name("base-encrypted"));
    let copies = w.copy(c);
    let copy = w.svc.state().image(&copies[0].image).unwrap().clone();
    for s in copy.snapshots() {
        assert!(w.svc.state().snapshot(s).unwrap().is_encrypted());
    }
}

#[test]
fn step11_tencent_whole_machine_image_cross_region() {
    let mut w = World::new(Profile::tencent());
    let owner = "100000000001";
    w.snapshot(snapshot_fx("snap-wm000001", "ap-guangzhou", owner, 40));
    w.snapshot(snapshot_fx("snap-wm000002", "ap-guangzhou", owner, 100));
    let wm = image_b(
        "img-whole001",
        "ap-guangzhou",
        owner,
        "whole",
        &["snap-wm000001", "snap-wm000002"],
    )
    .whole_machine(true)
    .size_gib(600); // also too big: step 11 comes first
    w.image(wm.build().unwrap());
    let c = copy_req(owner, "ap-guangzhou", "img-whole001", &["ap-shanghai"]);
    let e = w.api_err(Command::from(c));
    assert_eq!(
        e.code().as_str(),
        "InvalidParameter.InstanceImageNotSupport"
    );
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.code_for(Provider::Tencent),
        "InvalidParameter.InstanceImageNotSupport"
    );
}

#[test]
fn alibaba_copies_whole_machine_images_across_regions() {
    let mut w = basic();
    w.snapshot(snapshot_fx("s-wm1", HZ, ALICE, 40));
    w.snapshot(snapshot_fx("s-wm2", HZ, ALICE, 100));
    let wm = image_b("m-whole1", HZ, ALICE, "whole", &["s-wm1", "s-wm2"]).whole_machine(true);
    w.image(wm.build().unwrap());
    let copy = w.copy1(ALICE, HZ, "m-whole1", SH);
    let image = w.svc.state().image(&copy.image).unwrap();
    assert!(image.whole_machine());
    assert_eq!(image.snapshots().len(), 2);
}

#[test]
fn step12_encrypted_snapshots_need_encrypted() {
    let mut w = basic();
    let s = snapshot_fx("s-enc1", HZ, ALICE, 40).encrypted_with_service_key();
    w.snapshot(s);
    let i = image_b("m-enc1", HZ, ALICE, "enc", &["s-enc1"]).size_gib(900); // step 12 before step 13
    w.image(i.build().unwrap());
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-enc1", &[SH])));
    assert_eq!(e.code().as_str(), "OperationDeined.EncryptedSnapshot");
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.message(),
        "The image contains encrypted snapshots, which do not support copying."
    );
}

#[test]
fn step12_customer_key_checks_in_order() {
    let mut w = basic();
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.encrypted = true;
    c.kms_key = Some(key("key-sh"));
    // Missing key.
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "InvalidParameter.KMSKeyId.NotFound");
    assert_eq!(e.http_status(), 404);
    // A key in the wrong region (the source's, not the destination's).
    w.kms("key-hz", HZ, ALICE, true);
    c.kms_key = Some(key("key-hz"));
    assert_eq!(w.copy_code(c.clone()), "InvalidParameter.KMSKeyId.NotFound");
    // Another account's key in the destination.
    w.kms("key-bob-sh", SH, BOB, true);
    c.kms_key = Some(key("key-bob-sh"));
    assert_eq!(w.copy_code(c.clone()), "InvalidParameter.KMSKeyId.NotFound");
    // Alice's key in Shanghai, not authorised.
    w.kms("key-sh", SH, ALICE, false);
    c.kms_key = Some(key("key-sh"));
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(
        e.code().as_str(),
        "InvalidParameter.KMSKeyId.KMSUnauthorized"
    );
    assert_eq!(e.message(), "ECS service have no right to access your KMS.");
    // Authorised, but Alice is not on the BYOK allow-list.
    w.kms("key-sh2", SH, ALICE, true);
    c.kms_key = Some(key("key-sh2"));
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "UserNotInTheWhiteList");
    assert_eq!(e.message(), "The user is not in byok white list.");
    // Allow-listed: accepted, the destination snapshots carry the key.
    let a = Account::new(acct(ALICE), 500, 1000).allow_byok(true);
    w.account(a);
    let copies = w.copy(c);
    let copy = w.svc.state().image(&copies[0].image).unwrap().clone();
    for s in copy.snapshots() {
        let s = w.svc.state().snapshot(s).unwrap();
        assert!(s.is_encrypted());
        assert_eq!(s.kms_key(), Some(key("key-sh2")).as_ref());
        assert_eq!(s.region(), &reg(SH));
    }
}

#[test]
fn step12_region_without_byok() {
    let mut profile = Profile::alibaba();
    profile
        .regions
        .catalogue
        .get_mut(SH)
        .unwrap()
        .byok_supported = false;
    let mut w = World::new(profile);
    w.simple_image("m-alice1", HZ, ALICE, "web");
    w.kms("key-sh", SH, ALICE, true);
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.encrypted = true;
    c.kms_key = Some(key("key-sh"));
    let e = w.api_err(Command::from(c.clone()));
    assert_eq!(e.code().as_str(), "InvalidRegion.NotSupport");
    assert_eq!(e.message(), "The specified region does not support byok.");
    // The service key needs no BYOK.
    c.kms_key = None;
    w.copy(c);
}

#[test]
fn step13_size_limit_and_allow_list() {
    let mut w = basic();
    w.snapshot(snapshot_fx("s-big1", HZ, ALICE, 501));
    let big = image_b("m-big1", HZ, ALICE, "big", &["s-big1"]).size_gib(501);
    w.image(big.build().unwrap());
    w.snapshot(snapshot_fx("s-max1", HZ, ALICE, 500));
    let max = image_b("m-max1", HZ, ALICE, "max", &["s-max1"]).size_gib(500);
    w.image(max.build().unwrap());
    assert_eq!(w.svc.profile().max_image_size_gib, 500);
    // 501 GiB with the name taken in Shanghai: step 13 before step 15.
    w.simple_image("m-alicesh1", SH, ALICE, "big");
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-big1", &[SH])));
    assert_eq!(e.code().as_str(), "SizeExceed.Image");
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.message(),
        "The image exceeds the maximum size. Please open a ticket to add the account to the white list."
    );
    // 500 GiB is fine.
    w.copy1(ALICE, HZ, "m-max1", SH);
    // Allow-listed: 501 GiB is fine.
    let a = Account::new(acct(ALICE), 500, 1000).allow_size(true);
    w.account(a);
    w.copy1(ALICE, HZ, "m-big1", BJ);
}

#[test]
fn step15_name_taken_by_image_or_in_flight_copy() {
    let mut w = basic();
    w.simple_image("m-alicesh1", SH, ALICE, "web");
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-alice1", &[SH])));
    assert_eq!(e.code().as_str(), "InvalidImageName.Duplicated");
    assert_eq!(e.message(), "The destination image is exist.");
    // A new name is fine.
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.name = Some(name("web-copy"));
    w.copy(c);
    // An in-flight copy holds its name: a second copy to Beijing, then a third.
    let first = w.copy1(ALICE, HZ, "m-alice1", BJ);
    assert_eq!(w.status(&first.image), Some(ImageStatus::Waiting));
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-alice1", &[BJ])),
        "InvalidImageName.Duplicated"
    );
    // Another account's name does not count.
    w.simple_image("m-bobsg1", SG, BOB, "web");
    w.copy1(ALICE, HZ, "m-alice1", SG);
}

#[test]
fn step15_image_quota() {
    let mut w = basic();
    w.account(Account::new(acct(ALICE), 1, 1000));
    w.simple_image("m-alicesh1", SH, ALICE, "other");
    // In one destination the name comes before the quotas.
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.name = Some(name("other"));
    assert_eq!(w.copy_code(c), "InvalidImageName.Duplicated");
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-alice1", &[SH])));
    assert_eq!(e.code().as_str(), "QuotaExceed.Image");
    assert_eq!(e.http_status(), 403);
    assert_eq!(e.message(), "The Image Quota exceeds.");
    // Destinations are checked one after the other: Shanghai's full quota is reported
    // before Beijing's taken name, and the other way round.
    w.simple_image("m-alicebj1", BJ, ALICE, "web");
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH, BJ]);
    assert_eq!(w.copy_code(c.clone()), "QuotaExceed.Image");
    c.destination_regions = vec![reg(BJ), reg(SH)];
    assert_eq!(w.copy_code(c), "InvalidImageName.Duplicated");
}

#[test]
fn step15_snapshot_quota() {
    let mut w = basic();
    w.snapshot(snapshot_fx("s-sh1", SH, ALICE, 10));
    w.snapshot(snapshot_fx("s-sh2", SH, ALICE, 10));
    w.snapshot(snapshot_fx("s-wm1", HZ, ALICE, 10));
    w.snapshot(snapshot_fx("s-wm2", HZ, ALICE, 10));
    w.image(image_fx("m-two1", HZ, ALICE, "two", &["s-wm1", "s-wm2"]));
    w.account(Account::new(acct(ALICE), 10, 3));
    // Two more snapshots in Shanghai would make four.
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-two1", &[SH])));
    assert_eq!(e.code().as_str(), "QuotaExceed.Snapshot");
    assert_eq!(e.message(), "The snapshot quota exceeds.");
    // One more makes three: fine.
    w.copy1(ALICE, HZ, "m-alice1", SH);
    assert_eq!(w.svc.state().usage(&acct(ALICE), &reg(SH)).snapshots, 3);
    assert_eq!(w.svc.state().usage(&acct(ALICE), &reg(SH)).images, 1);
}

#[test]
fn dry_run_checks_and_changes_nothing() {
    let mut w = basic();
    let before = w.json();
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.dry_run = true;
    assert_eq!(w.ok(Command::from(c.clone())), Outcome::DryRunPassed);
    assert_eq!(before, w.json());
    assert!(w.effects().is_empty());
    c.destination_regions = vec![reg(HZ)];
    assert_eq!(w.copy_code(c), "IncorrectDestinationRegion");
}

#[test]
fn dry_run_with_a_client_token_is_not_recorded() {
    let mut w = basic();
    let before = w.json();
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.client_token = Some(token("tok-dry"));
    c.dry_run = true;
    assert_eq!(w.at(5).ok(Command::from(c.clone())), Outcome::DryRunPassed);
    // Nothing changed: no recorded answer, and the clock stayed where it was.
    assert_eq!(before, w.json());
    assert_eq!(w.svc.state().now(), Some(t0()));
    // A command dated before the dry run is still accepted.
    w.at(2).simple_image("m-alice2", HZ, ALICE, "api");
    // The real call with the same token is not a retry of the dry run: it is accepted.
    c.dry_run = false;
    let copies = w.copy(c.clone());
    assert_eq!(copies.len(), 1);
    // And a dry run after it is checked afresh, not answered from the record.
    c.dry_run = true;
    assert_eq!(w.copy_code(c), "InvalidImageName.Duplicated");
}

#[test]
fn tencent_sync_to_several_regions() {
    let mut w = World::new(Profile::tencent());
    let owner = "100000000001";
    w.snapshot(snapshot_fx("snap-gz27bh7y", "ap-guangzhou", owner, 50));
    w.image(image_fx(
        "img-o3ycss2p",
        "ap-guangzhou",
        owner,
        "base",
        &["snap-gz27bh7y"],
    ));
    let copies = w.copy(copy_req(
        owner,
        "ap-guangzhou",
        "img-o3ycss2p",
        &["ap-shanghai", "ap-beijing", "ap-chengdu"],
    ));
    assert_eq!(copies.len(), 3);
    let regions: Vec<_> = copies.iter().map(|c| c.region.as_str()).collect();
    assert_eq!(regions, ["ap-shanghai", "ap-beijing", "ap-chengdu"]);
    // One source region: one runs, the others wait.
    let statuses: Vec<_> = copies.iter().map(|c| w.status(&c.image).unwrap()).collect();
    assert_eq!(
        statuses,
        [
            ImageStatus::Creating,
            ImageStatus::Waiting,
            ImageStatus::Waiting
        ]
    );
    // One bad destination refuses the whole call.
    let c = copy_req(
        owner,
        "ap-guangzhou",
        "img-o3ycss2p",
        &["ap-nanjing", "ap-singapore"],
    );
    assert_eq!(w.copy_code(c), "RegionNotSupportCopy");
}

// ============================================================================ delete

#[test]
fn delete_refused_while_copying() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    let running = w.copy1(ALICE, HZ, "m-alice1", SH);
    let queued = w.copy1(ALICE, HZ, "m-alice2", SH);
    assert_eq!(w.status(&queued.image), Some(ImageStatus::Waiting));
    // The destination of a running copy.
    let e = w.api_err(Command::from(delete(ALICE, SH, &running.image)));
    assert_eq!(e.code().as_str(), "OperationDenied.ImageCopying");
    assert_eq!(e.http_status(), 403);
    assert_eq!(e.message(), "The Image are coping.");
    // The destination of a queued copy.
    assert_eq!(
        w.code(Command::from(delete(ALICE, SH, &queued.image))),
        "OperationDenied.ImageCopying"
    );
    // The source of a running copy and of a queued one.
    assert_eq!(
        w.code(Command::from(delete(ALICE, HZ, &img("m-alice1")))),
        "OperationDenied.ImageCopying"
    );
    assert_eq!(
        w.code(Command::from(delete(ALICE, HZ, &img("m-alice2")))),
        "OperationDenied.ImageCopying"
    );
    // Once both copies are done, everything can go.
    w.at(15).finish(running.task);
    w.at(30).finish(queued.task);
    for (region, id) in [
        (SH, running.image.clone()),
        (SH, queued.image.clone()),
        (HZ, img("m-alice1")),
        (HZ, img("m-alice2")),
    ] {
        assert_eq!(
            w.ok(Command::from(delete(ALICE, region, &id))),
            Outcome::ImageDeleted { image: id.clone() }
        );
        assert!(w.svc.state().image(&id).is_none());
    }
    // Deleting again: not found.
    assert_eq!(
        w.code(Command::from(delete(ALICE, HZ, &img("m-alice1")))),
        "InvalidImageId.NotFound"
    );
}

#[test]
fn delete_unknown_region() {
    let mut w = basic();
    assert_eq!(
        w.code(Command::from(delete(ALICE, "xx-nowhere", &img("m-alice1")))),
        "InvalidRegionId.NotFound"
    );
}

// ============================================================================ queue

#[test]
fn queue_second_copy_waits_and_starts_when_first_cancelled() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.effects();
    let first = w.copy1(ALICE, HZ, "m-alice1", SH);
    let second = w.copy1(ALICE, HZ, "m-alice2", BJ);
    assert_eq!(w.status(&first.image), Some(ImageStatus::Creating));
    assert_eq!(w.status(&second.image), Some(ImageStatus::Waiting));
    assert_eq!(w.task(first.task).state(), TaskState::Running);
    assert_eq!(w.task(second.task).state(), TaskState::Queued);
    let effects = w.effects();
    assert_eq!(effects.len(), 1);
    match &effects[0] {
        Effect::StartCopy {
            task,
            source_image,
            source_region,
            destination_image,
            destination_region,
            size_gib,
            started_at,
        } => {
            assert_eq!(*started_at, w.now);
            assert_eq!(*task, first.task);
            assert_eq!(source_image, &img("m-alice1"));
            assert_eq!(source_region, &reg(HZ));
            assert_eq!(destination_image, &first.image);
            assert_eq!(destination_region, &reg(SH));
            assert_eq!(*size_gib, 40);
        }
        other => panic!("unexpected {other:?}"),
    }
    let queues = w.svc.state().queues();
    assert_eq!(queues.running(HZ), Some(first.task));
    assert_eq!(queues.waiting(HZ).collect::<Vec<_>>(), vec![second.task]);

    // Cancel the running one at minute 5: the second starts at that instant.
    w.at(5);
    assert_eq!(
        w.ok(Command::from(cancel(ALICE, SH, &first.image))),
        Outcome::CopyCancelled {
            image: first.image.clone()
        }
    );
    assert_eq!(w.status(&first.image), None);
    assert_eq!(w.status(&second.image), Some(ImageStatus::Creating));
    assert_eq!(w.task(first.task).state(), TaskState::Cancelled);
    assert_eq!(w.task(first.task).ended_at(), Some(mins(5)));
    assert_eq!(w.task(second.task).state(), TaskState::Running);
    assert_eq!(w.task(second.task).started_at(), Some(mins(5)));
    let effects = w.effects();
    assert_eq!(effects.len(), 2);
    assert_eq!(effects[0], Effect::AbortCopy { task: first.task });
    assert_eq!(start_copy_effect_task(&effects[1]), Some(second.task));
    assert_eq!(w.svc.state().queues().running(HZ), Some(second.task));
}

#[test]
fn queue_is_fifo_with_three() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.simple_image("m-alice3", HZ, ALICE, "web3");
    w.effects();
    let a = w.at(0).copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.at(1).copy1(ALICE, HZ, "m-alice2", SH);
    let c = w.at(2).copy1(ALICE, HZ, "m-alice3", BJ);
    assert_eq!(
        w.svc.state().queues().waiting(HZ).collect::<Vec<_>>(),
        vec![b.task, c.task]
    );
    w.at(10).finish(a.task);
    assert_eq!(w.task(b.task).state(), TaskState::Running);
    assert_eq!(w.task(b.task).started_at(), Some(mins(10)));
    assert_eq!(w.task(c.task).state(), TaskState::Queued);
    assert_eq!(w.status(&a.image), Some(ImageStatus::Available));
    assert_eq!(w.svc.state().image(&a.image).unwrap().progress(), 100);
    // A failure frees the slot too.
    w.at(20).ok(Command::from(HostReport::CopyFailed {
        task: b.task,
        reason: "disk error".into(),
    }));
    assert_eq!(w.status(&b.image), Some(ImageStatus::CreateFailed));
    assert_eq!(w.task(b.task).failure_reason(), Some("disk error"));
    assert_eq!(w.task(c.task).state(), TaskState::Running);
    assert_eq!(w.task(c.task).started_at(), Some(mins(20)));
    // A failed copy releases its snapshots but keeps its image (and its name).
    assert_eq!(w.svc.state().usage(&acct(ALICE), &reg(SH)).snapshots, 1);
    assert_eq!(w.svc.state().usage(&acct(ALICE), &reg(SH)).images, 2);
    // Cancel of a failed copy: not coping.
    let e = w.api_err(Command::from(cancel(ALICE, SH, &b.image)));
    assert_eq!(e.code().as_str(), "IncorrectImageStatus");
    assert_eq!(e.message(), "The specified image is not coping.");
    w.at(30).finish(c.task);
    assert!(w.svc.state().queues().lanes().next().is_none());
    let starts: Vec<_> = w
        .effects()
        .iter()
        .filter_map(start_copy_effect_task)
        .collect();
    assert_eq!(starts, vec![a.task, b.task, c.task]);
    // The failed copy can be deleted; its name is then free again.
    w.ok(Command::from(delete(ALICE, SH, &b.image)));
    w.copy1(ALICE, HZ, "m-alice2", SH);
}

#[test]
fn queue_scope_destination() {
    let mut profile = Profile::alibaba();
    profile.queue_scope = QueueScope::Destination;
    let mut w = World::new(profile);
    w.simple_image("m-alice1", HZ, ALICE, "web");
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.simple_image("m-alice3", BJ, ALICE, "web3");
    // Same source region, different destinations: both run.
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.copy1(ALICE, HZ, "m-alice2", SG);
    assert_eq!(w.task(a.task).state(), TaskState::Running);
    assert_eq!(w.task(b.task).state(), TaskState::Running);
    // Another source, same destination as `a`: waits.
    let c = w.copy1(ALICE, BJ, "m-alice3", SH);
    assert_eq!(w.task(c.task).state(), TaskState::Queued);
    assert_eq!(w.svc.state().queues().running(SH), Some(a.task));
    assert_eq!(
        w.svc.state().queues().waiting(SH).collect::<Vec<_>>(),
        vec![c.task]
    );
    w.at(12).finish(b.task);
    assert_eq!(w.task(c.task).state(), TaskState::Queued);
    w.at(13).finish(a.task);
    assert_eq!(w.task(c.task).state(), TaskState::Running);
    assert_eq!(w.task(c.task).started_at(), Some(mins(13)));
    // The state round-trips with its scope.
    let back: ImageService = serde_json::from_str(&w.json()).unwrap();
    assert!(back == w.svc);
}

// ============================================================================ cancel

#[test]
fn cancel_queued_copy_gives_back_quota() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.simple_image("m-alice3", HZ, ALICE, "web3");
    w.simple_image("m-alicesh1", SH, ALICE, "pre");
    w.account(Account::new(acct(ALICE), 3, 1000));
    let running = w.copy1(ALICE, HZ, "m-alice1", SH);
    let queued = w.copy1(ALICE, HZ, "m-alice2", SH);
    let usage = w.svc.state().usage(&acct(ALICE), &reg(SH));
    assert_eq!((usage.images, usage.snapshots), (3, 3));
    // The quota of three images in Shanghai is used up.
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-alice3", &[SH])),
        "QuotaExceed.Image"
    );
    w.effects();
    // Cancel the queued one: no abort, nothing starts, the image and snapshots are gone.
    let snaps = w
        .svc
        .state()
        .image(&queued.image)
        .unwrap()
        .snapshots()
        .to_vec();
    w.at(3).ok(Command::from(cancel(ALICE, SH, &queued.image)));
    assert!(w.effects().is_empty());
    assert_eq!(w.status(&queued.image), None);
    for s in snaps {
        assert!(w.svc.state().snapshot(&s).is_none());
    }
    assert_eq!(w.task(queued.task).state(), TaskState::Cancelled);
    assert_eq!(w.task(running.task).state(), TaskState::Running);
    let usage = w.svc.state().usage(&acct(ALICE), &reg(SH));
    assert_eq!((usage.images, usage.snapshots), (2, 2));
    // The copy refused before now fits.
    let third = w.copy1(ALICE, HZ, "m-alice3", SH);
    assert_eq!(w.status(&third.image), Some(ImageStatus::Waiting));
    // The cancelled image's name is free again.
    let again = w.copy1(ALICE, HZ, "m-alice2", BJ);
    assert_eq!(w.status(&again.image), Some(ImageStatus::Waiting));
    // Cancelling twice: the image is gone.
    assert_eq!(
        w.code(Command::from(cancel(ALICE, SH, &queued.image))),
        "InvalidImageId.NotFound"
    );
}

#[test]
fn cancel_running_copy_gives_back_quota() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.simple_image("m-alicesh1", SH, ALICE, "pre");
    w.account(Account::new(acct(ALICE), 2, 1000));
    let running = w.copy1(ALICE, HZ, "m-alice1", SH);
    w.at(2).ok(Command::from(HostReport::CopyProgress {
        task: running.task,
        percent: 40,
    }));
    assert_eq!(w.svc.state().image(&running.image).unwrap().progress(), 40);
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-alice2", &[SH])),
        "QuotaExceed.Image"
    );
    w.effects();
    w.at(4).ok(Command::from(cancel(ALICE, SH, &running.image)));
    assert_eq!(w.effects(), vec![Effect::AbortCopy { task: running.task }]);
    let usage = w.svc.state().usage(&acct(ALICE), &reg(SH));
    assert_eq!((usage.images, usage.snapshots), (1, 1));
    let next = w.copy1(ALICE, HZ, "m-alice2", SH);
    assert_eq!(w.status(&next.image), Some(ImageStatus::Creating));
    // Host reports about the cancelled task are refused.
    assert!(matches!(
        w.run(Command::from(HostReport::CopyFinished(running.task))),
        Err(EngineError::Host(HostError::CopyTransition(_)))
    ));
}

#[test]
fn cancel_finished_copy_and_non_copy() {
    let mut w = basic();
    let copy = w.copy1(ALICE, HZ, "m-alice1", SH);
    w.at(12).finish(copy.task);
    let e = w.api_err(Command::from(cancel(ALICE, SH, &copy.image)));
    assert_eq!(e.code().as_str(), "IncorrectImageStatus");
    assert_eq!(e.message(), "The specified image is not coping.");
    assert_eq!(e.http_status(), 400);
    let e = w.api_err(Command::from(cancel(ALICE, HZ, &img("m-alice1"))));
    assert_eq!(e.code().as_str(), "ImageCreatedNotFromCopy");
    // Another account can't cancel Alice's copy: it can't see it.
    let other = w.copy1(ALICE, HZ, "m-alice1", BJ);
    assert_eq!(
        w.code(Command::from(cancel(BOB, BJ, &other.image))),
        "InvalidImageId.NotFound"
    );
    // A system image was not made by a copy.
    assert_eq!(
        w.code(Command::from(cancel(ALICE, HZ, &img(SYSTEM_IMAGE)))),
        "ImageCreatedNotFromCopy"
    );
}

// ============================================================================ shares

#[test]
fn shared_image_copied_within_its_region() {
    let mut w = basic();
    w.known(&[ALICE, CAROL]);
    assert_eq!(
        w.ok(Command::from(share(
            BOB,
            HZ,
            "m-bob1",
            &[ALICE, CAROL],
            &[]
        ))),
        Outcome::ShareModified
    );
    let copy = w.copy1(ALICE, HZ, "m-bob1", HZ);
    let image = w.svc.state().image(&copy.image).unwrap();
    assert_eq!(image.owner(), &acct(ALICE));
    assert_eq!(image.region(), &reg(HZ));
    assert_eq!(image.name(), &name("bobimg"));
    assert_eq!(image.copied_from(), Some(img("m-bob1")).as_ref());
    assert_eq!(
        w.task(copy.task).destination_region,
        w.task(copy.task).source_region
    );
    w.at(12).finish(copy.task);
    let views = w.svc.describe_images(
        &acct(ALICE),
        &ImageFilter {
            ids: Some(vec![copy.image.clone(), img("m-bob1")]),
            ..Default::default()
        },
    );
    let aliases: Vec<_> = views
        .iter()
        .map(|v| (v.image.id().clone(), v.owner_alias))
        .collect();
    assert!(aliases.contains(&(copy.image.clone(), OwnerAlias::Own)));
    assert!(aliases.contains(&(img("m-bob1"), OwnerAlias::Others)));
    // Alice's copy usage is hers, in Hangzhou.
    assert_eq!(w.svc.state().usage(&acct(ALICE), &reg(HZ)).images, 2);
    // Alice can't share Bob's image, nor Bob with himself.
    assert_eq!(
        w.code(Command::from(share(ALICE, HZ, "m-bob1", &[CAROL], &[]))),
        "Forbbiden"
    );
    assert_eq!(
        w.code(Command::from(share(BOB, HZ, "m-bob1", &[BOB], &[]))),
        "InvalidAccount.Forbbiden"
    );
}

#[test]
fn sharing_with_an_unknown_account_is_refused_and_changes_nothing() {
    let mut w = basic();
    w.known(&[ALICE]);
    // CAROL was never registered: the whole call is refused, ALICE included.
    let e = w.api_err(Command::from(share(
        BOB,
        HZ,
        "m-bob1",
        &[ALICE, CAROL],
        &[],
    )));
    assert_eq!(e.code().as_str(), "InvalidAccount.NotFound");
    assert_eq!(e.http_status(), 404);
    assert_eq!(e.code_for(Provider::Tencent), "InvalidAccountId.NotFound");
    assert!(!w.svc.state().is_shared_with(&img("m-bob1"), &acct(ALICE)));
    // The owner check comes first: sharing with oneself and an unknown account.
    assert_eq!(
        w.code(Command::from(share(BOB, HZ, "m-bob1", &[BOB, CAROL], &[]))),
        "InvalidAccount.Forbbiden"
    );
    // Unsharing an unknown account changes nothing and is not refused.
    assert_eq!(
        w.ok(Command::from(share(BOB, HZ, "m-bob1", &[], &[CAROL]))),
        Outcome::ShareModified
    );
}

#[test]
fn alibaba_sharing_again_changes_nothing() {
    let mut w = basic();
    w.bob_shares_with(&[ALICE]);
    let events = w.log.len();
    w.bob_shares_with(&[ALICE]);
    // Only the log's bookkeeping of the command, no new share event.
    assert_eq!(w.log.len(), events);
    assert!(w.svc.state().is_shared_with(&img("m-bob1"), &acct(ALICE)));
}

#[test]
fn tencent_sharing_again_is_account_already_exists() {
    let mut w = World::new(Profile::tencent());
    let (owner, friend) = ("100000000001", "100000000002");
    w.snapshot(snapshot_fx("snap-gz000001", "ap-guangzhou", owner, 50));
    w.image(image_fx(
        "img-gz000001",
        "ap-guangzhou",
        owner,
        "web",
        &["snap-gz000001"],
    ));
    w.known(&[friend]);
    let first = share(owner, "ap-guangzhou", "img-gz000001", &[friend], &[]);
    assert_eq!(w.ok(Command::from(first.clone())), Outcome::ShareModified);
    let e = w.api_err(Command::from(first));
    assert_eq!(e.code().as_str(), "FailedOperation.AccountAlreadyExists");
    assert_eq!(e.tencent().as_str(), "FailedOperation.AccountAlreadyExists");
    // Sharing with oneself: Tencent's code.
    let own = w.api_err(Command::from(share(
        owner,
        "ap-guangzhou",
        "img-gz000001",
        &[owner],
        &[],
    )));
    assert_eq!(own.tencent().as_str(), "InvalidAccountIs.YourSelf");
    // An unknown account: Tencent's code.
    let unknown = w.api_err(Command::from(share(
        owner,
        "ap-guangzhou",
        "img-gz000001",
        &["100000000003"],
        &[],
    )));
    assert_eq!(unknown.tencent().as_str(), "InvalidAccountId.NotFound");
}

#[test]
fn deleting_a_shared_image_removes_it_for_the_caller_only() {
    let mut w = basic();
    w.bob_shares_with(&[ALICE, CAROL]);
    assert_eq!(
        w.ok(Command::from(delete(ALICE, HZ, &img("m-bob1")))),
        Outcome::ImageDeleted {
            image: img("m-bob1")
        }
    );
    assert!(w.svc.state().image(&img("m-bob1")).is_some());
    assert!(!w.svc.state().is_shared_with(&img("m-bob1"), &acct(ALICE)));
    assert!(w.svc.state().is_shared_with(&img("m-bob1"), &acct(CAROL)));
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-bob1", &[HZ])),
        "InvalidImageId.NotFound"
    );
    w.copy1(CAROL, HZ, "m-bob1", HZ);
    // Bob's usage is untouched.
    assert_eq!(w.svc.state().usage(&acct(BOB), &reg(HZ)).images, 1);
}

#[test]
fn removing_a_shared_image_is_refused_while_the_callers_copy_from_it_is_live() {
    let mut w = basic();
    w.bob_shares_with(&[ALICE, CAROL]);
    let alices = w.copy1(ALICE, HZ, "m-bob1", HZ);
    // Alice's copy is live: she can't remove the image she copies from.
    assert_eq!(
        w.code(Command::from(delete(ALICE, HZ, &img("m-bob1")))),
        "OperationDenied.ImageCopying"
    );
    // Carol has no copy from it: Alice's copy does not hold her back.
    w.ok(Command::from(delete(CAROL, HZ, &img("m-bob1"))));
    // Once Alice's copy has finished, she can remove it.
    w.at(20).finish(alices.task);
    w.ok(Command::from(delete(ALICE, HZ, &img("m-bob1"))));
    assert!(!w.svc.state().is_shared_with(&img("m-bob1"), &acct(ALICE)));
    assert!(w.svc.state().image(&img("m-bob1")).is_some());
}

#[test]
fn deleting_own_image_revokes_shares() {
    let mut w = basic();
    w.known(&[ALICE]);
    w.ok(Command::from(share(BOB, HZ, "m-bob1", &[ALICE], &[])));
    // While Alice copies it, Bob can't delete it.
    let copy = w.copy1(ALICE, HZ, "m-bob1", HZ);
    assert_eq!(
        w.code(Command::from(delete(BOB, HZ, &img("m-bob1")))),
        "OperationDenied.ImageCopying"
    );
    w.at(12).finish(copy.task);
    w.ok(Command::from(delete(BOB, HZ, &img("m-bob1"))));
    assert!(w.svc.state().image(&img("m-bob1")).is_none());
    assert_eq!(w.svc.state().shared_with(&img("m-bob1")).count(), 0);
    // Alice's copy survives its source.
    assert_eq!(w.status(&copy.image), Some(ImageStatus::Available));
    assert_eq!(w.svc.state().usage(&acct(BOB), &reg(HZ)).images, 0);
}

#[test]
fn unsharing_is_refused_state_stays_the_same() {
    let mut w = basic();
    w.known(&[ALICE]);
    w.ok(Command::from(share(BOB, HZ, "m-bob1", &[ALICE], &[])));
    w.ok(Command::from(share(BOB, HZ, "m-bob1", &[], &[ALICE])));
    assert!(!w.svc.state().is_shared_with(&img("m-bob1"), &acct(ALICE)));
    assert_eq!(
        w.copy_code(copy_req(ALICE, HZ, "m-bob1", &[HZ])),
        "InvalidImageId.NotFound"
    );
}

// ============================================================================ host reports

#[test]
fn host_report_transitions() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.copy1(ALICE, HZ, "m-alice2", SH);
    // Finishing or failing a queued task.
    let e = w
        .run(Command::from(HostReport::CopyFinished(b.task)))
        .unwrap_err();
    match &e {
        EngineError::Host(HostError::CopyTransition(t)) => {
            assert_eq!(t.task, b.task);
            assert_eq!(t.from, TaskState::Queued);
            assert_eq!(t.action, "finish");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(e.code(), None);
    assert_eq!(wire_error(&e).code().as_str(), "IncorrectImageStatus");
    assert!(matches!(
        w.run(Command::from(HostReport::CopyFailed {
            task: b.task,
            reason: "x".into()
        })),
        Err(EngineError::Host(HostError::CopyTransition(_)))
    ));
    assert!(matches!(
        w.run(Command::from(HostReport::CopyProgress {
            task: b.task,
            percent: 10
        })),
        Err(EngineError::Host(HostError::CopyTransition(_)))
    ));
    assert!(matches!(
        w.run(Command::from(HostReport::CopyStarted(b.task))),
        Err(EngineError::Host(HostError::CopyTransition(_)))
    ));
    // Acknowledging a running copy is fine and changes nothing.
    let before = w.json();
    assert_eq!(
        w.ok(Command::from(HostReport::CopyStarted(a.task))),
        Outcome::Reported
    );
    assert_eq!(before, w.json());
    // Progress: up is fine, same is fine, back or above 100 is not.
    w.at(1).ok(Command::from(HostReport::CopyProgress {
        task: a.task,
        percent: 30,
    }));
    w.at(2).ok(Command::from(HostReport::CopyProgress {
        task: a.task,
        percent: 30,
    }));
    let e = w
        .run(Command::from(HostReport::CopyProgress {
            task: a.task,
            percent: 20,
        }))
        .unwrap_err();
    assert_eq!(
        e,
        EngineError::Host(HostError::ProgressWentBack {
            task: a.task,
            from: 30,
            to: 20
        })
    );
    assert_eq!(wire_error(&e).code().as_str(), "InvalidParameter");
    let e = w
        .run(Command::from(HostReport::CopyProgress {
            task: a.task,
            percent: 101,
        }))
        .unwrap_err();
    assert_eq!(
        e,
        EngineError::Host(HostError::ProgressOutOfRange {
            task: a.task,
            percent: 101
        })
    );
    assert_eq!(w.task(a.task).progress(), 30);
    // Finishing twice.
    w.at(10).finish(a.task);
    match w.run(Command::from(HostReport::CopyFinished(a.task))) {
        Err(EngineError::Host(HostError::CopyTransition(t))) => {
            assert_eq!(t.from, TaskState::Succeeded)
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        w.run(Command::from(HostReport::CopyFailed {
            task: a.task,
            reason: "late".into()
        })),
        Err(EngineError::Host(HostError::CopyTransition(_)))
    ));
    // Unknown task.
    let e = w
        .run(Command::from(HostReport::CopyFinished(TaskId(999))))
        .unwrap_err();
    assert_eq!(e, EngineError::Host(HostError::UnknownTask(TaskId(999))));
    assert_eq!(wire_error(&e).code().as_str(), "InvalidParameter");
    assert!(matches!(
        w.run(Command::from(HostReport::CopyProgress {
            task: TaskId(999),
            percent: 1
        })),
        Err(EngineError::Host(HostError::UnknownTask(_)))
    ));
}

// ============================================================================ refusals change nothing

#[test]
fn refusals_change_nothing() {
    let mut w = basic();
    w.account(Account::new(acct(ALICE), 2, 1000));
    let copy = w.copy1(ALICE, HZ, "m-alice1", SH);
    w.effects();
    let before = w.json();
    let refusals = vec![
        Command::from(copy_req(ALICE, HZ, "m-alice1", &[HZ])),
        Command::from(copy_req(ALICE, HZ, "m-alice1", &[SH])),
        Command::from(copy_req(ALICE, HZ, "m-bob1", &[SH])),
        Command::from(delete(ALICE, SH, &copy.image)),
        Command::from(delete(ALICE, HZ, &img("m-alice1"))),
        Command::from(cancel(ALICE, HZ, &img("m-alice1"))),
        Command::from(share(ALICE, SH, copy.image.as_str(), &[BOB], &[])),
        Command::from(HostReport::CopyFinished(TaskId(42))),
        Command::from(Account::new(acct(ALICE), 0, 0)),
        Command::from(image_fx("m-alice1", HZ, ALICE, "dup", &[])),
    ];
    for cmd in refusals {
        assert!(w.run(cmd).is_err());
        assert_eq!(before, w.json());
        assert!(w.effects().is_empty());
    }
}

#[test]
fn time_going_backwards_is_refused() {
    let mut w = basic();
    w.at(10).copy1(ALICE, HZ, "m-alice1", SH);
    let before = w.json();
    w.at(9);
    let e = w
        .run(Command::from(copy_req(ALICE, HZ, "m-alice1", &[BJ])))
        .unwrap_err();
    assert_eq!(
        e,
        EngineError::Host(HostError::TimeWentBackwards {
            last: mins(10),
            now: mins(9)
        })
    );
    assert_eq!(before, w.json());
    assert_eq!(w.svc.state().now(), Some(mins(10)));
    // The same instant is fine.
    w.at(10).copy1(ALICE, HZ, "m-alice1", BJ);
}

// ============================================================================ idempotency

#[test]
fn idempotent_retry_returns_the_first_answer() {
    let mut w = basic();
    let c = copy_req(ALICE, HZ, "m-alice1", &[SH]).client_token(token("tok-1"));
    let first = w.copy(c.clone());
    let images = w.svc.state().image_count();
    let tasks = w.svc.state().tasks().count();
    w.effects();
    let before = w.json();
    let again = w.at(1).copy(c.clone());
    assert_eq!(first, again);
    assert_eq!(w.svc.state().image_count(), images);
    assert_eq!(w.svc.state().tasks().count(), tasks);
    assert_eq!(before, w.json());
    assert!(w.effects().is_empty());
    // Other parameters with the same token.
    let mut other = c.clone();
    other.name = Some(name("other-name"));
    let e = w.api_err(Command::from(other.clone()));
    assert_eq!(e.code().as_str(), "IdempotentParameterMismatch");
    // The same token for another caller is another key.
    let mut bobs = copy_req(BOB, HZ, "m-bob1", &[SH]);
    bobs.client_token = Some(token("tok-1"));
    w.copy(bobs);
    // A refused call is not recorded: a retry is decided afresh.
    let mut refused = copy_req(ALICE, HZ, "m-alice1", &[HZ]);
    refused.client_token = Some(token("tok-2"));
    assert_eq!(w.copy_code(refused.clone()), "IncorrectDestinationRegion");
    refused.destination_regions = vec![reg(BJ)];
    w.copy(refused);
    // Delete with a token: the retry after the image is gone answers the same.
    w.at(20).finish(first[0].task);
    let del = delete(ALICE, SH, &first[0].image).client_token(token("tok-del"));
    let out = w.ok(Command::from(del.clone()));
    assert_eq!(w.ok(Command::from(del)), out);
}

// ============================================================================ serde, replay

/// A scenario touching every kind of event; returns the world mid-flight.
fn busy_world() -> World {
    let mut w = basic();
    w.account(Account::new(acct(ALICE), 10, 100));
    w.known(&[CAROL]);
    w.kms("key-sh", SH, ALICE, true);
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.simple_image("m-alice3", HZ, ALICE, "web3");
    w.ok(Command::from(share(
        BOB,
        HZ,
        "m-bob1",
        &[ALICE, CAROL],
        &[],
    )));
    let mut c = copy_req(ALICE, HZ, "m-alice1", &[SH]);
    c.client_token = Some(token("tok-a"));
    let a = w.at(1).copy(c).remove(0);
    let b = w.at(2).copy1(ALICE, HZ, "m-alice2", BJ);
    let c = w.at(3).copy1(ALICE, HZ, "m-alice3", SG);
    let d = w.at(4).copy1(ALICE, HZ, "m-bob1", HZ);
    w.at(5).ok(Command::from(HostReport::CopyProgress {
        task: a.task,
        percent: 50,
    }));
    w.at(10).finish(a.task);
    w.at(11).ok(Command::from(HostReport::CopyFailed {
        task: b.task,
        reason: "network".into(),
    }));
    w.at(12).ok(Command::from(cancel(ALICE, SG, &c.image)));
    assert_eq!(w.task(d.task).state(), TaskState::Running);
    w.at(13)
        .ok(Command::from(delete(CAROL, HZ, &img("m-bob1"))));
    w.at(14).ok(Command::from(
        CreateImage::new(acct(ALICE), reg(HZ), name("created"), vec![sid("s-alice1")])
            .client_token(token("tok-create")),
    ));
    w.simple_image("m-alice4", HZ, ALICE, "web4");
    w.at(15).copy1(ALICE, HZ, "m-alice4", SH); // queued behind d
    w
}

#[test]
fn serde_round_trip_keeps_state_and_behaviour() {
    let mut w = busy_world();
    let json = w.json();
    let back: ImageService = serde_json::from_str(&json).unwrap();
    assert!(back == w.svc);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    back.check_invariants().unwrap();

    let mut twin = World {
        svc: back,
        now: w.now,
        log: Vec::new(),
        boundaries: Vec::new(),
    };
    // The effects pending when the snapshot was taken come back with it.
    let pending = w.effects();
    assert!(!pending.is_empty());
    assert_eq!(twin.effects(), pending);
    let d = w
        .svc
        .state()
        .tasks()
        .find(|t| t.state() == TaskState::Running)
        .unwrap()
        .id;
    let next = vec![
        Command::from(copy_req(ALICE, HZ, "m-alice1", &[BJ])),
        Command::from(HostReport::CopyFinished(d)),
        Command::from(copy_req(ALICE, HZ, "m-alice1", &[HZ])),
        Command::from(cancel(ALICE, HZ, &img("m-alice1"))),
        Command::from(delete(ALICE, HZ, &img("m-alice3"))),
    ];
    for (i, cmd) in next.into_iter().enumerate() {
        w.at(20 + i as i64);
        twin.at(20 + i as i64);
        let n = w.log.len();
        let r1 = w.run(cmd.clone());
        let r2 = twin.run(cmd);
        assert_eq!(r1, r2);
        assert_eq!(&w.log[n..], &twin.log[..]);
        twin.log.clear();
        assert_eq!(w.effects(), twin.effects());
        assert_eq!(w.json(), twin.json());
    }
}

fn tamper(json: &str, f: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    f(&mut v);
    v.to_string()
}

#[test]
fn tampered_state_is_refused() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.account(Account::new(acct(BOB), 5, 100));
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.copy1(ALICE, HZ, "m-alice2", SH);
    let json = w.json();
    assert!(serde_json::from_str::<ImageService>(&json).is_ok());

    // Two running tasks in one lane (the second's image made Creating as well).
    let two_running = tamper(&json, |v| {
        for t in v["state"]["tasks"].as_array_mut().unwrap() {
            t["state"] = "Running".into();
            t["started_at"] = serde_json::to_value(mins(0)).unwrap();
        }
        for i in v["state"]["images"].as_array_mut().unwrap() {
            if i["id"] == b.image.as_str() {
                i["status"] = "Creating".into();
            }
        }
    });
    let e = serde_json::from_str::<ImageService>(&two_running).unwrap_err();
    assert!(e.to_string().contains("more than one copy running"), "{e}");

    // A queued task whose image claims to be Creating.
    let wrong_status = tamper(&json, |v| {
        for i in v["state"]["images"].as_array_mut().unwrap() {
            if i["id"] == b.image.as_str() {
                i["status"] = "Creating".into();
            }
        }
    });
    assert!(serde_json::from_str::<ImageService>(&wrong_status).is_err());

    // A waiting task with none running.
    let none_running = tamper(&json, |v| {
        for t in v["state"]["tasks"].as_array_mut().unwrap() {
            if t["id"] == a.task.0 {
                t["state"] = "Succeeded".into();
                t["ended_at"] = serde_json::to_value(mins(0)).unwrap();
            }
        }
        for i in v["state"]["images"].as_array_mut().unwrap() {
            if i["id"] == a.image.as_str() {
                i["status"] = "Available".into();
                i["progress"] = 100.into();
            }
        }
    });
    let e = serde_json::from_str::<ImageService>(&none_running).unwrap_err();
    assert!(e.to_string().contains("none runs"), "{e}");

    // An available image short of 100%: refused by the image's own rules.
    let short = tamper(&json, |v| {
        for i in v["state"]["images"].as_array_mut().unwrap() {
            if i["id"] == "m-alice1" {
                i["progress"] = 99.into();
            }
        }
    });
    let e = serde_json::from_str::<ImageService>(&short).unwrap_err();
    assert!(e.to_string().contains("can't be at 99%"), "{e}");

    // A share with the owner.
    let self_share = tamper(&json, |v| {
        v["state"]["shares"] = serde_json::json!([["m-bob1", [BOB]]]);
    });
    let e = serde_json::from_str::<ImageService>(&self_share).unwrap_err();
    assert!(e.to_string().contains("impossible share"), "{e}");

    // A share of a system image.
    let system_share = tamper(&json, |v| {
        v["state"]["shares"] = serde_json::json!([[SYSTEM_IMAGE, [BOB]]]);
    });
    assert!(serde_json::from_str::<ImageService>(&system_share).is_err());

    // Quota below usage.
    let over_quota = tamper(&json, |v| {
        for acc in v["state"]["accounts"].as_array_mut().unwrap() {
            acc["image_quota"] = 0.into();
        }
    });
    let e = serde_json::from_str::<ImageService>(&over_quota).unwrap_err();
    assert!(e.to_string().contains("quota"), "{e}");

    // An in-flight copy image without its task.
    let orphan = tamper(&json, |v| {
        v["state"]["tasks"]
            .as_array_mut()
            .unwrap()
            .retain(|t| t["id"] != b.task.0);
    });
    assert!(serde_json::from_str::<ImageService>(&orphan).is_err());

    // The profile's queue scope differing from the state's.
    let scope = tamper(&json, |v| {
        v["profile"]["queue_scope"] = "destination".into();
    });
    assert!(serde_json::from_str::<ImageService>(&scope).is_err());

    // A duplicated image.
    let dup = tamper(&json, |v| {
        let images = v["state"]["images"].as_array_mut().unwrap();
        let first = images[0].clone();
        images.push(first);
    });
    assert!(serde_json::from_str::<ImageService>(&dup).is_err());
}

#[test]
fn replaying_events_rebuilds_the_service() {
    let w = busy_world();
    let replayed = ImageService::from_events(w.profile(), &w.log).unwrap();
    assert!(replayed == w.svc);
    // The replayed service has nothing pending: its host was told when the log was written.
    let mut written = w.svc.clone();
    written.drain_effects();
    assert_eq!(
        serde_json::to_string(&replayed).unwrap(),
        serde_json::to_string(&written).unwrap()
    );
    replayed.check_invariants().unwrap();
    // Every prefix ending between two commands replays to a state that keeps the
    // invariants.
    for &n in &w.boundaries {
        let s = ImageService::from_events(w.profile(), &w.log[..n]).unwrap();
        s.check_invariants().unwrap();
    }
    // A reordered log is refused.
    let mut shuffled = w.log.clone();
    shuffled.reverse();
    assert!(ImageService::from_events(w.profile(), &shuffled).is_err());
}

/// Without an event log the engine decides, changes state and asks for effects exactly as
/// with one (an accepted copy moves into the state instead of being cloned for the log).
#[test]
fn turning_the_event_log_off_changes_nothing_but_the_log() {
    let mut logged = ImageService::new(Profile::alibaba());
    let mut unlogged = ImageService::new(Profile::alibaba());
    unlogged.set_event_log(false);
    assert!(logged.event_log() && !unlogged.event_log());
    let mut commands = vec![
        (0, Command::from(snapshot_fx("s-a1", HZ, ALICE, 40))),
        (
            0,
            Command::from(image_fx("m-alice1", HZ, ALICE, "web", &["s-a1"])),
        ),
        (1, Command::from(copy_req(ALICE, HZ, "m-alice1", &[SH, BJ]))),
        (2, Command::from(copy_req(ALICE, HZ, "m-alice1", &[SG]))),
        (3, Command::from(copy_req(ALICE, HZ, "m-alice1", &[HZ]))),
    ];
    let mut tasks = Vec::new();
    for (m, command) in commands.drain(..) {
        let a = logged.handle(mins(m), command.clone());
        let b = unlogged.handle(mins(m), command);
        assert_eq!(a, b);
        if let Ok(Outcome::CopyAccepted { copies }) = a {
            tasks.extend(copies.into_iter().map(|c| (c.task, c.image)));
        }
        assert!(logged == unlogged);
        assert_eq!(logged.drain_effects(), unlogged.drain_effects());
    }
    let (first, second, third) = (tasks[0].clone(), tasks[1].clone(), tasks[2].clone());
    for (m, command) in [
        (15, Command::from(HostReport::CopyFinished(first.0))),
        (
            16,
            Command::from(HostReport::CopyFailed {
                task: second.0,
                reason: "disk".into(),
            }),
        ),
        (17, Command::from(cancel(ALICE, SG, &third.1))),
        (18, Command::from(delete(ALICE, SH, &first.1))),
    ] {
        let a = logged.handle(mins(m), command.clone());
        assert!(a.is_ok(), "{a:?}");
        assert_eq!(a, unlogged.handle(mins(m), command));
        assert!(logged == unlogged);
        assert_eq!(logged.drain_effects(), unlogged.drain_effects());
    }
    assert!(!logged.drain_events().is_empty());
    assert!(unlogged.poll_event().is_none());
    unlogged.set_event_log(true);
    assert_eq!(
        serde_json::to_string(&logged).unwrap(),
        serde_json::to_string(&unlogged).unwrap()
    );
    unlogged.check_invariants().unwrap();
}

#[test]
fn replay_of_queue_scope_destination() {
    let mut profile = Profile::alibaba();
    profile.queue_scope = QueueScope::Destination;
    let mut w = World::new(profile);
    w.simple_image("m-alice1", HZ, ALICE, "web");
    w.simple_image("m-alice2", BJ, ALICE, "web2");
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.at(1).copy1(ALICE, BJ, "m-alice2", SH);
    assert_eq!(w.task(b.task).state(), TaskState::Queued);
    w.at(2).ok(Command::from(cancel(ALICE, SH, &a.image)));
    assert_eq!(w.task(b.task).state(), TaskState::Running);
    let replayed = ImageService::from_events(w.profile(), &w.log).unwrap();
    assert!(replayed == w.svc);
}

// ============================================================================ simulator

#[test]
fn simulator_completes_copies_in_modelled_time() {
    let mut w = basic();
    w.snapshot(snapshot_fx("s-big1", HZ, ALICE, 250));
    let big = image_b("m-big1", HZ, ALICE, "big", &["s-big1"]).size_gib(250);
    w.image(big.build().unwrap());
    let mut sim = Simulator::from_service(w.svc.clone());
    let accept = |sim: &mut Simulator, at, image: &str, dest: &str| {
        sim.call(at, copy_req(ALICE, HZ, image, &[dest]))
            .unwrap()
            .remove(0)
    };
    let a = accept(&mut sim, mins(0), "m-alice1", SH); // 40 GiB
    let b = accept(&mut sim, mins(1), "m-big1", BJ); // 250 GiB: 20 minutes
    let a_end = mins(0) + copy_duration(40);
    let b_end = a_end + copy_duration(250);
    assert_eq!(copy_duration(250), Duration::minutes(20));
    assert!(a_end > mins(10) && a_end < mins(12));

    // Half-way through the first copy: progress shown, second waiting.
    let half = mins(0) + copy_duration(40) / 2;
    sim.advance_to(half).unwrap();
    sim.service().check_invariants().unwrap();
    let st = sim.service().state();
    assert_eq!(st.task(a.task).unwrap().state(), TaskState::Running);
    assert_eq!(st.task(a.task).unwrap().progress(), 50);
    assert_eq!(st.image(&a.image).unwrap().progress(), 50);
    assert_eq!(st.task(b.task).unwrap().state(), TaskState::Queued);
    assert_eq!(st.image(&b.image).unwrap().status(), ImageStatus::Waiting);

    // Just before the end: still running, below 100.
    sim.advance_to(a_end - Duration::seconds(1)).unwrap();
    let st = sim.service().state();
    assert_eq!(st.task(a.task).unwrap().state(), TaskState::Running);
    assert!(st.task(a.task).unwrap().progress() < 100);

    // Past the first end: the first is done at its end, the second started right then.
    sim.advance_to(a_end + Duration::minutes(5)).unwrap();
    sim.service().check_invariants().unwrap();
    let st = sim.service().state();
    let ta = st.task(a.task).unwrap();
    assert_eq!(ta.state(), TaskState::Succeeded);
    assert_eq!(ta.ended_at(), Some(a_end));
    assert_eq!(st.image(&a.image).unwrap().status(), ImageStatus::Available);
    let tb = st.task(b.task).unwrap();
    assert_eq!(tb.state(), TaskState::Running);
    assert_eq!(tb.started_at(), Some(a_end));
    assert_eq!(tb.progress(), 25); // 5 of 20 minutes
    assert_eq!(st.image(&b.image).unwrap().status(), ImageStatus::Creating);

    // Far past both: both done; the second ended at its modelled end.
    sim.advance_to(b_end + Duration::hours(1)).unwrap();
    let st = sim.service().state();
    assert_eq!(st.task(b.task).unwrap().ended_at(), Some(b_end));
    assert_eq!(st.image(&b.image).unwrap().status(), ImageStatus::Available);
    sim.service().check_invariants().unwrap();

    // Time can't go back before the last event.
    assert!(matches!(
        sim.advance_to(b_end - Duration::seconds(1)),
        Err(EngineError::Host(HostError::TimeWentBackwards { .. }))
    ));

    // The whole run replays.
    let mut svc = sim.into_service();
    let events: Vec<EventRecord> = w.log.iter().cloned().chain(svc.drain_events()).collect();
    let replayed = ImageService::from_events(w.profile(), &events).unwrap();
    assert!(replayed == svc);
}

#[test]
fn simulator_chains_three_copies_in_one_advance() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    w.simple_image("m-alice3", HZ, ALICE, "web3");
    let mut sim = Simulator::from_service(w.svc);
    let mut tasks = Vec::new();
    for (image, dest) in [("m-alice1", SH), ("m-alice2", BJ), ("m-alice3", SG)] {
        let copies = sim
            .call(mins(0), copy_req(ALICE, HZ, image, &[dest]))
            .unwrap();
        tasks.push(copies[0].task);
    }
    let d = copy_duration(40);
    sim.advance_to(mins(0) + d * 3).unwrap();
    sim.service().check_invariants().unwrap();
    let st = sim.service().state();
    for (i, t) in tasks.iter().enumerate() {
        let task = st.task(*t).unwrap();
        assert_eq!(task.state(), TaskState::Succeeded);
        assert_eq!(task.started_at(), Some(mins(0) + d * i as i32));
        assert_eq!(task.ended_at(), Some(mins(0) + d * (i as i32 + 1)));
    }
}

#[test]
fn service_key_copy_does_not_carry_the_source_regions_key() {
    let mut w = basic();
    w.kms("key-hz", HZ, ALICE, true);
    let s = snapshot_fx("s-cmk1", HZ, ALICE, 40).encrypted_with(key("key-hz"));
    w.snapshot(s);
    w.image(image_fx("m-cmk1", HZ, ALICE, "cmk", &["s-cmk1"]));
    let mut c = copy_req(ALICE, HZ, "m-cmk1", &[SH]);
    c.encrypted = true;
    let copies = w.copy(c);
    let copy = w.svc.state().image(&copies[0].image).unwrap().clone();
    for s in copy.snapshots() {
        let s = w.svc.state().snapshot(s).unwrap();
        assert!(s.is_encrypted());
        assert_eq!(s.region(), &reg(SH));
        // Encrypted without KMSKeyId: the service key of the destination, not a key that
        // lives in Hangzhou.
        assert_eq!(s.kms_key(), None);
    }
}

#[test]
fn tampered_duplicate_name_is_refused() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    let json = w.json();
    let dup_name = tamper(&json, |v| {
        for i in v["state"]["images"].as_array_mut().unwrap() {
            if i["id"] == "m-alice2" {
                i["name"] = "web".into();
            }
        }
    });
    assert!(serde_json::from_str::<ImageService>(&dup_name).is_err());
}

#[test]
fn tampered_tasks_counters_and_answers_are_refused() {
    let mut w = basic();
    w.simple_image("m-alice2", HZ, ALICE, "web2");
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.copy1(ALICE, HZ, "m-alice2", SH);
    let mut retry = copy_req(ALICE, HZ, "m-alice1", &[BJ]);
    retry.client_token = Some(token("tok-1"));
    w.copy(retry);
    let json = w.json();
    assert!(serde_json::from_str::<ImageService>(&json).is_ok());
    let refused = |tampered: String, expected: &str| {
        let e = serde_json::from_str::<ImageService>(&tampered).unwrap_err();
        assert!(e.to_string().contains(expected), "{e}");
    };
    let with_task = |id: TaskId, f: &dyn Fn(&mut serde_json::Value)| {
        tamper(&json, |v| {
            for t in v["state"]["tasks"].as_array_mut().unwrap() {
                if t["id"] == id.0 {
                    f(t);
                }
            }
        })
    };

    // A counter behind the ids it gave out: the next copy would reuse task 1.
    refused(
        tamper(&json, |v| v["state"]["next_task"] = 0.into()),
        "behind an id it has given out",
    );
    // A counter that would overflow.
    refused(
        tamper(&json, |v| v["state"]["next_image"] = u64::MAX.into()),
        "out of range",
    );
    // A running task that never started (the simulator could never finish it).
    refused(
        with_task(a.task, &|t| t["started_at"] = serde_json::Value::Null),
        "do not fit its state",
    );
    // A queued task that has ended.
    refused(
        with_task(b.task, &|t| {
            t["ended_at"] = serde_json::to_value(mins(0)).unwrap()
        }),
        "do not fit its state",
    );
    // Progress above 100.
    refused(
        with_task(a.task, &|t| t["progress"] = 250.into()),
        "above 100",
    );
    // A start after the state's clock.
    refused(
        with_task(a.task, &|t| {
            t["started_at"] = serde_json::to_value(mins(60 * 24 * 365 * 70)).unwrap()
        }),
        "after the state's clock",
    );
    // A task that is not its destination's copy (another owner).
    refused(
        with_task(a.task, &|t| t["owner"] = BOB.into()),
        "not this copy's",
    );
    // A live copy whose destination names its source's snapshot: cancelling it would
    // delete the source's snapshot.
    refused(
        tamper(&json, |v| {
            for i in v["state"]["images"].as_array_mut().unwrap() {
                if i["id"] == b.image.as_str() {
                    i["snapshots"] = serde_json::json!(["s-alice2"]);
                }
            }
        }),
        "named by another image",
    );
    // One client token answered twice.
    refused(
        tamper(&json, |v| {
            let responses = v["state"]["responses"].as_array_mut().unwrap();
            let again = responses[0].clone();
            responses.push(again);
        }),
        "answered twice",
    );
}

/// Numbers a log edited by a test 0, 1, 2, … again, so what is refused is its content.
fn renumber(log: &mut [EventRecord]) {
    for (seq, record) in log.iter_mut().enumerate() {
        record.seq = seq as u64;
    }
}

#[test]
fn corrupt_event_logs_are_refused_not_panicked_on() {
    let mut w = basic();
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    let b = w.copy1(ALICE, HZ, "m-alice1", BJ);
    w.at(20).finish(a.task);
    let log = w.log.clone();
    assert!(ImageService::from_events(w.profile(), &log).is_ok());
    let started = |task: TaskId| {
        log.iter()
            .position(|r| r.event == machine_image::engine::Event::CopyStarted { task })
            .unwrap()
    };

    // The running copy's destination deleted before it ends.
    let mut deleted = log.clone();
    let at = deleted[started(a.task)].at;
    deleted.insert(
        started(a.task) + 1,
        EventRecord {
            seq: 0,
            at,
            event: machine_image::engine::Event::ImageDeleted {
                image: a.image.clone(),
            },
        },
    );
    renumber(&mut deleted);
    let e = ImageService::from_events(w.profile(), &deleted).unwrap_err();
    assert!(e.to_string().contains("a live task uses"), "{e}");

    // The second copy started while the first still runs (right after it is accepted).
    let mut early = log.clone();
    let record = early.remove(started(b.task));
    let accepted = early
        .iter()
        .position(|r| {
            matches!(&r.event, machine_image::engine::Event::CopyAccepted(c) if c.task.id == b.task)
        })
        .unwrap();
    early.insert(accepted + 1, record);
    renumber(&mut early);
    let e = ImageService::from_events(w.profile(), &early).unwrap_err();
    assert!(e.to_string().contains("not next in its queue"), "{e}");

    // A counter out of range.
    let mut counter = log.clone();
    if let machine_image::engine::Event::CopyAccepted(copy) = &mut counter
        .iter_mut()
        .find(|r| matches!(r.event, machine_image::engine::Event::CopyAccepted(_)))
        .unwrap()
        .event
    {
        copy.next_image = u64::MAX;
    }
    let e = ImageService::from_events(w.profile(), &counter).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
}

#[test]
fn a_settled_copy_fixture_needs_its_snapshots() {
    let mut w = basic();
    let source = w.svc.state().image(&img("m-alice1")).unwrap().clone();
    let copy = image_b("m-copied1", SH, ALICE, "copied", &["s-nope"]).copy_of(&source);
    let e = w
        .run(Command::from(copy.clone().build().unwrap()))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("names a snapshot that does not exist"),
        "{e}"
    );
    // A failed copy keeps none; a plain image may name a missing one (its copy is then
    // refused with InvalidSnapshotId.NotFound).
    w.image(copy.status(ImageStatus::CreateFailed).build().unwrap());
    w.image(image_fx("m-plain1", SH, ALICE, "plain", &["s-nope"]));
}

#[test]
fn a_finished_copy_is_at_100_percent() {
    let mut w = basic();
    let a = w.copy1(ALICE, HZ, "m-alice1", SH);
    w.at(1).ok(Command::from(HostReport::CopyProgress {
        task: a.task,
        percent: 50,
    }));
    w.at(20).finish(a.task);
    assert_eq!(w.task(a.task).progress(), 100);
    assert_eq!(w.svc.state().image(&a.image).unwrap().progress(), 100);
}

#[test]
fn huge_sizes_and_the_end_of_time_do_not_panic() {
    // CreateImage sums its snapshots' sizes, saturating.
    let mut w = basic();
    w.snapshot(snapshot_fx("s-huge1", HZ, ALICE, u64::MAX));
    w.snapshot(snapshot_fx("s-huge2", HZ, ALICE, u64::MAX));
    let image = w
        .call(CreateImage::new(
            acct(ALICE),
            reg(HZ),
            name("huge"),
            vec![sid("s-huge1"), sid("s-huge2")],
        ))
        .unwrap()
        .expect("not a dry run");
    assert_eq!(w.svc.state().image(&image).unwrap().size_gib(), u64::MAX);

    // A copy started just before chrono's last date ends at that date, without a panic.
    let mut sim = Simulator::new(Profile::alibaba());
    let end = DateTime::<Utc>::MAX_UTC;
    let start = end - Duration::minutes(5);
    for command in [
        Command::from(snapshot_fx("s-late1", HZ, ALICE, 40)),
        Command::from(image_fx("m-late1", HZ, ALICE, "late", &["s-late1"])),
    ] {
        sim.handle(start, command).unwrap();
    }
    sim.handle(start, Command::from(copy_req(ALICE, HZ, "m-late1", &[SH])))
        .unwrap();
    sim.advance_to(end).unwrap();
    let task = sim.service().state().tasks().next().unwrap();
    assert_eq!(task.state(), TaskState::Succeeded);
    assert_eq!(task.ended_at(), Some(end));
}

#[test]
fn a_copys_snapshots_stay_its_own_while_it_is_in_flight() {
    let mut w = basic();
    let copy = w.copy1(ALICE, HZ, "m-alice1", SH);
    let snapshot = w.svc.state().image(&copy.image).unwrap().snapshots()[0].clone();
    // CreateImage from the in-flight copy's snapshot: seed 003/004's OperationDenied.
    let e = w.api_err(Command::from(CreateImage::new(
        acct(ALICE),
        reg(SH),
        name("from-copy"),
        vec![snapshot.clone()],
    )));
    assert_eq!(e.code().as_str(), "OperationDenied");
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.message(),
        "The specified snapshot is not allowed to create image."
    );
    // Nor may a fixture name it.
    let fixture = image_fx("m-grab1", SH, ALICE, "grab", &[snapshot.as_str()]);
    let e = w.run(Command::from(fixture.clone())).unwrap_err();
    assert!(e.to_string().contains("still in flight"), "{e}");
    // Once the copy is done, the snapshot is an ordinary one.
    w.at(20).finish(copy.task);
    w.image(fixture);
}

#[test]
fn generated_snapshot_ids_avoid_ids_that_images_name() {
    // Learn the id the next copy's snapshot would get, in a twin world.
    let mut twin = basic();
    let copy = twin.copy1(ALICE, HZ, "m-alice1", SH);
    let next = twin.svc.state().image(&copy.image).unwrap().snapshots()[0].clone();
    // A fixture names that id before it exists; the copy must not hand it out.
    let mut w = basic();
    w.image(image_fx("m-early1", SH, BOB, "early", &[next.as_str()]));
    let copy = w.copy1(ALICE, HZ, "m-alice1", SH);
    let made = &w.svc.state().image(&copy.image).unwrap().snapshots()[0];
    assert_ne!(made, &next);
    assert!(w.svc.state().snapshot(&next).is_none());
    // The state reloads (invariant 11 holds) and behaves the same.
    let back: ImageService = serde_json::from_str(&w.json()).unwrap();
    assert!(back == w.svc);
}

#[test]
fn a_copy_that_would_pass_the_counter_limit_changes_nothing() {
    let mut w = basic();
    let json = tamper(&w.json(), |v| {
        v["state"]["next_image"] = serde_json::json!((1u64 << 63) - 2)
    });
    w.svc = serde_json::from_str(&json).unwrap();
    // Two destinations: the second would pass the limit. Refused whole (`run` checks the
    // state is unchanged).
    let e = w.api_err(Command::from(copy_req(ALICE, HZ, "m-alice1", &[SH, BJ])));
    assert_eq!(e.code().as_str(), "InternalError");
    // One still fits; after it, CreateImage would pass the limit: refused the same way.
    w.copy1(ALICE, HZ, "m-alice1", SH);
    let e = w.api_err(Command::from(CreateImage::new(
        acct(ALICE),
        reg(HZ),
        name("one-more"),
        vec![sid("s-alice1")],
    )));
    assert_eq!(e.code().as_str(), "InternalError");
}

#[test]
fn a_refused_quota_fixture_names_the_same_region_after_a_round_trip() {
    let mut w = basic();
    w.simple_image("m-alicesh1", SH, ALICE, "sh");
    w.simple_image("m-alicebj1", BJ, ALICE, "bj");
    let copy = w.copy1(ALICE, HZ, "m-alice1", SG);
    w.ok(Command::from(cancel(ALICE, SG, &copy.image)));
    let zero = Command::from(Account::new(acct(ALICE), 0, 0));
    let first = w.run(zero.clone()).unwrap_err();
    // The first over-quota scope in (account, region) order: cn-beijing.
    assert!(first.to_string().contains(BJ), "{first}");
    let mut back: ImageService = serde_json::from_str(&w.json()).unwrap();
    assert_eq!(back.handle(w.now, zero).unwrap_err(), first);
}

/// `describe_images` with the default filter follows the profile's provider: Alibaba lists
/// `Available` images only, Tencent every status.
#[test]
fn the_default_describe_filter_follows_the_provider() {
    let listed = |w: &World, owner: &str, filter: &ImageFilter| -> Vec<ImageStatus> {
        let mut v: Vec<_> = w
            .svc
            .describe_images(&acct(owner), filter)
            .iter()
            .map(|v| v.image.status())
            .collect();
        v.sort();
        v
    };
    let everywhere = ImageFilter::default();
    let mut t = World::new(Profile::tencent());
    let owner = "100000000001";
    t.snapshot(snapshot_fx("snap-gz27bh7y", "ap-guangzhou", owner, 50));
    t.image(image_fx(
        "img-o3ycss2p",
        "ap-guangzhou",
        owner,
        "base",
        &["snap-gz27bh7y"],
    ));
    t.copy(copy_req(
        owner,
        "ap-guangzhou",
        "img-o3ycss2p",
        &["ap-shanghai", "ap-beijing"],
    ));
    assert_eq!(
        listed(&t, owner, &everywhere),
        [
            ImageStatus::Creating,
            ImageStatus::Waiting,
            ImageStatus::Available
        ]
    );

    let mut a = basic();
    a.copy1(ALICE, HZ, "m-alice1", SH);
    a.copy1(ALICE, HZ, "m-alice1", BJ);
    // Alice's image and the public one.
    let available = [ImageStatus::Available, ImageStatus::Available];
    assert_eq!(listed(&a, ALICE, &everywhere), available);
    // Naming every status lists them under either provider.
    let all = ImageFilter {
        statuses: Some(ImageStatus::ALL.to_vec()),
        ..ImageFilter::default()
    };
    assert_eq!(
        listed(&a, ALICE, &all),
        [
            ImageStatus::Creating,
            ImageStatus::Waiting,
            ImageStatus::Available,
            ImageStatus::Available
        ]
    );
}
