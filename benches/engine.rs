//! The engine's copy path on registries of 1k, 100k and 1M custom images: one accepted
//! `CopyImage` followed by `CopyFinished` for its task ("copy_complete"), and the
//! `CopyImage` alone ("copy"), and alone again with the event log off ("copy_without_log");
//! and "source_read", the floor under a copy: reading its source image and snapshot.
//! Before the timings, the memory the registry holds per image
//! is printed, counted by the allocator below, and the allocations one copy makes.
//!
//! The world: accounts of 1000 images each (raised quotas, so the copies never hit them),
//! spread round-robin over four mainland regions, each image backed by one snapshot.
//! Iteration `k` copies image `k * 7919 mod n` (an image spread over the whole registry) to
//! the next region under a fresh name, at `t0 + k` seconds. Setup stays outside the timing:
//! the commands are built before the clock starts, and after the timed part the copy is
//! finished (for "copy") and deleted, untimed, so the registry keeps its size. The copies'
//! snapshots stay in the state (deleting an image keeps its snapshots, as the providers
//! do); the timed runs keep finished tasks for the whole run (`Retention::FOREVER`).
//!
//! First, the retention report (`retention/…` lines): the bytes held per live image of a
//! 10,000-image world after 100,000 and after 1,000,000 copies have passed through it with
//! a one-hour horizon, and after 100,000 with none. Each copy carries a client token and
//! ends without leaving a live resource: even copies are cancelled while running (the copy
//! and its snapshots go), odd ones fail (their snapshots are released) and their
//! `CreateFailed` image is deleted. What stays is what retention is for: the finished
//! tasks and the spent tokens. Copies one second apart reach the horizon after 3,600.
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use machine_image::engine::{
    CancelCopyImage, CopyImage, DeleteImage, Fixture, HostReport, ImageService, Retention,
};
use machine_image::{
    Account, AccountId, ClientToken, Image, ImageId, ImageName, Profile, RegionId, Snapshot,
    SnapshotId, TaskId,
};

// ------------------------------------------------------------------ counting allocator

/// `System`, counting the bytes held (allocated minus freed) while `COUNTING` is on. Off, it
/// costs one relaxed load per call, so the timings are not skewed by the counting.
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static HELD: AtomicIsize = AtomicIsize::new(0);
/// Allocations made while `COUNTING` is on.
static CALLS: AtomicIsize = AtomicIsize::new(0);

fn count(delta: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        HELD.fetch_add(delta, Ordering::Relaxed);
        if delta > 0 {
            CALLS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counting touches no memory.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Bytes held since counting began.
fn held() -> isize {
    HELD.load(Ordering::Relaxed)
}

// ------------------------------------------------------------------ the world

const REGIONS: [&str; 4] = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"];
const IMAGES_PER_ACCOUNT: usize = 1000;
/// A stride coprime with every registry size, so the sources cover the whole registry.
const STRIDE: u64 = 7919;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn account(a: usize) -> AccountId {
    AccountId::new(format!("acct-{a}")).unwrap()
}

fn region(r: usize) -> RegionId {
    RegionId::new(REGIONS[r % REGIONS.len()]).unwrap()
}

fn image_id(i: usize) -> ImageId {
    ImageId::new(format!("m-reg{i}")).unwrap()
}

fn snapshot_id(i: usize) -> SnapshotId {
    SnapshotId::new(format!("s-reg{i}")).unwrap()
}

/// Drops the pending events and effects, as a host that has carried them out would.
fn drain(service: &mut ImageService) {
    while service.poll_event().is_some() {}
    while service.poll_effect().is_some() {}
}

/// What registering a world held, in bytes.
struct Memory {
    accounts: isize,
    snapshots: isize,
    images: isize,
}

struct World {
    service: ImageService,
    n: usize,
    /// Iterations so far (the clock and the copy names run on it).
    k: u64,
}

impl World {
    /// `n` custom images, each with one snapshot, under `n / 1000` accounts (at least one).
    fn build(n: usize) -> (World, Memory) {
        let at = t0();
        let mut service = ImageService::new(Profile::alibaba()).with_retention(Retention::FOREVER);
        let accounts = n.div_ceil(IMAGES_PER_ACCOUNT);

        HELD.store(0, Ordering::Relaxed);
        COUNTING.store(true, Ordering::Relaxed);
        for a in 0..accounts {
            let huge = 1_000_000_000;
            service
                .register(at, Fixture::Account(Account::new(account(a), huge, huge)))
                .unwrap();
            drain(&mut service);
        }
        let after_accounts = held();
        for i in 0..n {
            let snapshot = Snapshot::new(
                snapshot_id(i),
                region(i),
                account(i / IMAGES_PER_ACCOUNT),
                at,
                40,
            );
            service.register(at, Fixture::Snapshot(snapshot)).unwrap();
            drain(&mut service);
        }
        let after_snapshots = held();
        for i in 0..n {
            let id = image_id(i);
            let image = Image::custom(
                id.clone(),
                region(i),
                account(i / IMAGES_PER_ACCOUNT),
                ImageName::new(format!("image-{i}")).unwrap(),
                vec![snapshot_id(i)],
            )
            .size_gib(40)
            .created_at(at)
            .build()
            .unwrap();
            service.register(at, Fixture::Image(image)).unwrap();
            drain(&mut service);
        }
        let after_images = held();
        COUNTING.store(false, Ordering::Relaxed);
        assert_eq!(service.state().image_count(), n);

        let memory = Memory {
            accounts: after_accounts,
            snapshots: after_snapshots - after_accounts,
            images: after_images - after_snapshots,
        };
        (World { service, n, k: 0 }, memory)
    }

    /// The next iteration's time and `CopyImage`: a source spread over the registry, copied
    /// by its owner to the next region under a fresh name.
    fn next_copy(&mut self) -> (DateTime<Utc>, CopyImage) {
        self.k += 1;
        let i = (self.k.wrapping_mul(STRIDE) % self.n as u64) as usize;
        let now = t0() + chrono::Duration::seconds(self.k as i64);
        let command = CopyImage::new(
            account(i / IMAGES_PER_ACCOUNT),
            region(i),
            image_id(i),
            [region(i + 1)],
        )
        .name(ImageName::new(format!("copy-{}", self.k)).unwrap());
        (now, command)
    }

    /// Handles an accepted copy and drains; returns the copy's image and task.
    fn copy(&mut self, now: DateTime<Utc>, command: CopyImage) -> (ImageId, TaskId) {
        let mut copies = self.service.call(now, black_box(command)).unwrap();
        drain(&mut self.service);
        let copy = copies.pop().expect("one destination, one copy");
        (copy.image, copy.task)
    }

    fn finish(&mut self, now: DateTime<Utc>, task: TaskId) {
        self.service
            .report(now, HostReport::CopyFinished(black_box(task)))
            .unwrap();
        drain(&mut self.service);
    }

    /// Deletes a finished copy (untimed), so the registry keeps its size.
    fn delete(&mut self, now: DateTime<Utc>, image: ImageId) {
        let region = self.service.state().image(&image).unwrap().region().clone();
        let caller = self.service.state().image(&image).unwrap().owner().clone();
        self.service
            .call(now, DeleteImage::new(caller, region, image))
            .unwrap();
        drain(&mut self.service);
    }

    /// Copies that pass through without leaving a live resource (see the module docs),
    /// until `until` copies have been made.
    fn pass_through(&mut self, until: u64) {
        while self.k < until {
            let (now, call) = self.next_copy();
            let call = call.client_token(ClientToken::new(format!("token-{}", self.k)).unwrap());
            let caller = call.caller.clone().expect("next_copy names the caller");
            let (image, task) = self.copy(now, call);
            let region = self.service.state().image(&image).unwrap().region().clone();
            if self.k % 2 == 0 {
                let cancel = CancelCopyImage::new(caller, region, image);
                self.service.call(now, cancel).unwrap();
            } else {
                let failed = HostReport::CopyFailed {
                    task,
                    reason: "bench".into(),
                };
                self.service.report(now, failed).unwrap();
                drain(&mut self.service);
                self.service
                    .call(now, DeleteImage::new(caller, region, image))
                    .unwrap();
            }
            drain(&mut self.service);
        }
    }

    /// Prints how many allocations a copy, and a copy + finish, make (untimed): the mean
    /// over `ROUNDS` rounds after as many unmeasured ones (the first copies into a region
    /// also make its queue lane and usage entry, which later copies reuse).
    fn report_allocations(&mut self) {
        const ROUNDS: u64 = 100;
        let (mut copy, mut both) = (0, 0);
        for round in 0..2 * ROUNDS {
            let measured = round >= ROUNDS;
            let (now, command) = self.next_copy();
            CALLS.store(0, Ordering::Relaxed);
            COUNTING.store(measured, Ordering::Relaxed);
            let (image, task) = self.copy(now, command);
            copy += CALLS.load(Ordering::Relaxed);
            self.finish(now, task);
            COUNTING.store(false, Ordering::Relaxed);
            both += CALLS.load(Ordering::Relaxed);
            self.delete(now, image);
        }
        eprintln!(
            "engine/{}: allocations: {:.1} per copy, {:.1} per copy + finish (mean of {ROUNDS})",
            self.n,
            copy as f64 / ROUNDS as f64,
            both as f64 / ROUNDS as f64,
        );
    }

    /// `iters` rounds of copy + finish, timed; the deletions are not.
    fn copy_complete(&mut self, iters: u64) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let (now, command) = self.next_copy();
            let start = Instant::now();
            let (image, task) = self.copy(now, command);
            self.finish(now, task);
            total += start.elapsed();
            self.delete(now, image);
        }
        total
    }

    /// `iters` reads of what a copy must read first, timed: the source image and its
    /// snapshots, through the public `State` lookups. Each read is followed, untimed, by
    /// the copy itself (copy, finish, delete), so the caches are as a timed copy finds them.
    /// This is the floor under "copy": no copy can cost less than finding its source.
    fn source_read(&mut self, iters: u64) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let (now, command) = self.next_copy();
            let call = &command;
            let start = Instant::now();
            let state = self.service.state();
            let source = state.image(black_box(&call.image)).unwrap();
            for id in source.snapshots() {
                black_box(state.snapshot(id).unwrap().size_gib());
            }
            total += start.elapsed();
            let (image, task) = self.copy(now, command);
            self.finish(now, task);
            self.delete(now, image);
        }
        total
    }

    /// `iters` copies, timed; finishing and deleting them is not.
    fn copy_only(&mut self, iters: u64) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let (now, command) = self.next_copy();
            let start = Instant::now();
            let (image, task) = self.copy(now, command);
            total += start.elapsed();
            self.finish(now, task);
            self.delete(now, image);
        }
        total
    }
}

// ------------------------------------------------------------------ the benches

/// The retention report (see the module docs).
fn retention_report() {
    const N: usize = 10_000;
    for (retention, name, checkpoints) in [
        (
            Retention::seconds(3600),
            "1 h horizon",
            &[100_000u64, 1_000_000][..],
        ),
        (Retention::FOREVER, "no horizon", &[100_000u64][..]),
    ] {
        let (mut world, memory) = World::build(N);
        world.service.set_retention(retention);
        let built = memory.accounts + memory.snapshots + memory.images;
        COUNTING.store(true, Ordering::Relaxed);
        let started = Instant::now();
        for &copies in checkpoints {
            world.pass_through(copies);
            let state = world.service.state();
            eprintln!(
                "retention/{name}: after {copies} copies: {:.0} B held per live image \
                 ({} live images, {} tasks kept; {:.0} B per image when built; {:.1?})",
                held() as f64 / state.image_count() as f64,
                state.image_count(),
                state.tasks().count(),
                built as f64 / N as f64,
                started.elapsed(),
            );
        }
        COUNTING.store(false, Ordering::Relaxed);
    }
}

fn engine(c: &mut Criterion) {
    retention_report();
    let mut group = c.benchmark_group("engine");
    for n in [1_000usize, 100_000, 1_000_000] {
        let built = Instant::now();
        let (mut world, memory) = World::build(n);
        let per_image = (memory.snapshots + memory.images) as f64 / n as f64;
        eprintln!(
            "engine/{n}: built in {:.1?}; held per image: {:.0} B with its snapshot \
             ({:.0} B image, {:.0} B snapshot), no tags; accounts {} B in all",
            built.elapsed(),
            per_image,
            memory.images as f64 / n as f64,
            memory.snapshots as f64 / n as f64,
            memory.accounts,
        );
        world.report_allocations();
        group.sample_size(if n >= 1_000_000 { 10 } else { 50 });
        group.bench_function(BenchmarkId::new("copy_complete", n), |b| {
            b.iter_custom(|iters| world.copy_complete(iters))
        });
        group.bench_function(BenchmarkId::new("copy", n), |b| {
            b.iter_custom(|iters| world.copy_only(iters))
        });
        // A host that keeps no event log (`set_event_log(false)`): the copy moves into the
        // state instead of being cloned for the log.
        world.service.set_event_log(false);
        group.bench_function(BenchmarkId::new("copy_without_log", n), |b| {
            b.iter_custom(|iters| world.copy_only(iters))
        });
        world.service.set_event_log(true);
        group.bench_function(BenchmarkId::new("source_read", n), |b| {
            b.iter_custom(|iters| world.source_read(iters))
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
