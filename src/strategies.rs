//! [`proptest`](mod@proptest) strategies (feature `proptest`): every value type, valid and near-miss;
//! whole worlds; and command sequences over a world, weighted toward the interesting rules.
//!
//! A service team that drives `machine-image` as the reference model of its own cloud or
//! emulator gets three layers:
//!
//! 1. **Values.** [`image_name`], [`description`], [`image_id`], [`snapshot_id`],
//!    [`account_id`], [`kms_key_id`], [`region_id`], [`client_token`], [`tag_key`],
//!    [`tag_value`], [`tags`] … generate valid values; the [`near_miss`] module generates
//!    strings that must be refused (1 and 129 characters, a digit first, `http://`
//!    prefixes, a forbidden punctuation, mixed scripts), one strategy per type.
//! 2. **Worlds.** [`world`] generates a [`World`]: a profile (queue scope, size limit,
//!    regions without copy or BYOK support), accounts with small quotas, snapshots (some
//!    encrypted, some too old, some large), custom, system and marketplace images, KMS keys
//!    and shares. [`World::fixtures`] lists the commands that build it, all accepted.
//! 3. **Sequences.** [`steps`] generates abstract [`Step`]s: copies (queues pile up when
//!    steps share an instant), cancels, deletes during copies, shares, encrypted copies,
//!    host-reported failures, quota changes, retries with client tokens, and waits that let
//!    copies finish. A [`Driver`] turns each step into a concrete [`Command`] against the
//!    ids seen so far, so a sequence stays meaningful while proptest shrinks it.
//!
//! Everything is deterministic given the generated values: no clock, no randomness beyond
//! proptest's own.
//!
//! # Example: a downstream crate checks its emulator against the engine
//!
//! ```
//! use machine_image::strategies::{Driver, steps, world};
//! use machine_image::{ImageName, Simulator};
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, TestRunner};
//!
//! // Near-misses are refused by the value types (and must be by the emulator too).
//! let mut runner = TestRunner::new(Config::with_cases(16));
//! runner
//!     .run(&machine_image::strategies::near_miss::image_name(), |s| {
//!         prop_assert!(ImageName::new(s).is_err());
//!         Ok(())
//!     })
//!     .unwrap();
//!
//! // Worlds and sequences: drive the engine (here alone; a harness drives its emulator in
//! // lockstep and compares each answer).
//! let mut runner = TestRunner::new(Config::with_cases(4));
//! runner
//!     .run(&(world(), steps(30)), |(world, steps)| {
//!         let mut sim = Simulator::from_service(world.service());
//!         let mut driver = Driver::new(&world);
//!         for step in &steps {
//!             let Some((at, command)) = driver.resolve(step, sim.service().state()) else {
//!                 continue;
//!             };
//!             let answer = sim.handle(at, command.clone());
//!             // emulator.handle(at, &command) would go here; compare the answers.
//!             driver.observe(&command, &answer);
//!             prop_assert!(sim.service().check_invariants().is_ok());
//!         }
//!         Ok(())
//!     })
//!     .unwrap();
//! ```
//!
//! The crate's own reference-model test (`tests/state_machine.rs`) is a complete example.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::account::Account;
use crate::copy::{QueueScope, TaskId};
use crate::engine::{
    ApiCall, CancelCopyImage, Command, CopyImage, DeleteImage, EngineError, HostReport,
    ImageService, ModifyImageSharePermission, Outcome, State,
};
use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId, RequestId, SnapshotId};
use crate::image::{Image, ImageKind, ImageStatus, Platform};
use crate::kms::KmsKey;
use crate::name::{Description, ImageName};
use crate::profile::Profile;
use crate::provider::Provider;
use crate::region::{RegionCatalogue, RegionId};
use crate::snapshot::Snapshot;
use crate::tag::{Tag, TagKey, TagValue, Tags};

// ============================================================================ values

/// A strategy for the strings matching `pattern`.
fn re(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern)
        .expect("a valid pattern")
        .boxed()
}

/// A provider.
pub fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(Provider::ALL.to_vec())
}

const CHINESE: &str = "\u{4e00}-\u{9fa5}";

/// A valid image name under the Alibaba rules (2–128 characters), the boundary lengths
/// included, Chinese characters included.
pub fn image_name() -> impl Strategy<Value = ImageName> {
    image_name_for(Provider::Alibaba)
}

/// A valid image name under `provider`'s rules (Tencent: at most 60 characters).
pub fn image_name_for(provider: Provider) -> impl Strategy<Value = ImageName> {
    let max = provider.image_name_max_chars();
    let body = format!("[a-zA-Z{CHINESE}][a-zA-Z0-9{CHINESE}.:_-]{{1,{}}}", max - 1);
    let exact = |n: usize| re(&format!("[a-zA-Z][a-zA-Z0-9.:_-]{{{}}}", n - 1));
    prop_oneof![
        6 => re(&body),
        1 => exact(ImageName::MIN_CHARS),
        1 => exact(max),
    ]
    .prop_map(move |s| ImageName::parse_for(provider, &s).expect("generated from the rules"))
}

/// A valid description: 2–256 characters of any kind, not starting with a URL scheme.
pub fn description() -> impl Strategy<Value = Description> {
    prop_oneof![
        4 => prop::collection::vec(any::<char>(), 2..=Description::MAX_CHARS),
        1 => prop::collection::vec(any::<char>(), Description::MAX_CHARS..=Description::MAX_CHARS),
        1 => prop::collection::vec(any::<char>(), 2..=2),
    ]
    .prop_filter_map("URL prefix", |chars| {
        Description::new(chars.into_iter().collect::<String>()).ok()
    })
}

/// A valid image id: Alibaba custom (`m-…`), Alibaba system file names, Tencent (`img-…`),
/// or any id of the general form.
pub fn image_id() -> impl Strategy<Value = ImageId> {
    prop_oneof![
        re("m-[a-z0-9]{2,22}"),
        re("[a-z]{3,8}_[0-9a-z_]{2,20}\\.vhd"),
        re("img-[a-z0-9]{8}"),
        re("[a-zA-Z][a-zA-Z0-9_.*-]{2,127}"),
    ]
    .prop_map(|s| ImageId::new(s).expect("generated from the form"))
}

/// A valid snapshot id (`s-…`, `snap-…`, or the general form, 3–64 characters).
pub fn snapshot_id() -> impl Strategy<Value = SnapshotId> {
    prop_oneof![
        "s-[a-z0-9]{2,22}",
        "snap-[a-z0-9]{8}",
        "[a-zA-Z][a-zA-Z0-9_*-]{2,63}",
    ]
    .prop_map(|s| SnapshotId::new(s).expect("generated from the form"))
}

/// A valid account id: a 16-digit UID, a 12-digit UIN, or a readable handle.
pub fn account_id() -> impl Strategy<Value = AccountId> {
    prop_oneof![
        "[1-9][0-9]{15}",
        "1[0-9]{11}",
        "[a-z0-9][a-zA-Z0-9_-]{0,63}",
    ]
    .prop_map(|s| AccountId::new(s).expect("generated from the form"))
}

/// A valid KMS key id (a UUID, or the general form).
pub fn kms_key_id() -> impl Strategy<Value = KmsKeyId> {
    prop_oneof![
        re("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        re("[a-zA-Z0-9][a-zA-Z0-9_*:/-]{0,127}"),
    ]
    .prop_map(|s| KmsKeyId::new(s).expect("generated from the form"))
}

/// A valid request id (a UUID in either case).
pub fn request_id() -> impl Strategy<Value = RequestId> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
        .prop_map(|s| RequestId::new(s).expect("generated from the form"))
}

/// A well-formed region id: mostly one of either provider's catalogue, sometimes a
/// well-formed id no catalogue knows.
pub fn region_id() -> impl Strategy<Value = RegionId> {
    let known: Vec<RegionId> = Provider::ALL
        .iter()
        .flat_map(|p| {
            RegionCatalogue::for_provider(*p)
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    prop_oneof![
        3 => prop::sample::select(known),
        1 => "[a-z]{2,4}(-[a-z0-9]{1,10}){1,4}"
            .prop_filter_map("too long", |s| RegionId::new(s).ok()),
    ]
}

/// A region of `provider`'s catalogue.
pub fn region_of(provider: Provider) -> impl Strategy<Value = RegionId> {
    let ids: Vec<RegionId> = RegionCatalogue::for_provider(provider)
        .iter()
        .map(|r| r.id.clone())
        .collect();
    prop::sample::select(ids)
}

/// A valid client token: 1–64 printable ASCII characters.
pub fn client_token() -> impl Strategy<Value = ClientToken> {
    "[!-~]{1,64}".prop_map(|s| ClientToken::new(s).expect("generated from the rule"))
}

/// A valid tag key (1–128 characters, no reserved prefix, no URL).
pub fn tag_key() -> impl Strategy<Value = TagKey> {
    prop_oneof![
        4 => re("[a-zA-Z0-9 ._:/=+@-]{1,128}"),
        1 => re(&format!("[{CHINESE}a-z]{{1,128}}")),
    ]
    .prop_filter_map("reserved prefix or URL", |s| TagKey::new(s).ok())
}

/// A valid tag value (0–128 characters, no reserved prefix, no URL).
pub fn tag_value() -> impl Strategy<Value = TagValue> {
    "[a-zA-Z0-9 ._:/=+@-]{0,128}"
        .prop_filter_map("reserved prefix or URL", |s| TagValue::new(s).ok())
}

/// A valid tag.
pub fn tag() -> impl Strategy<Value = Tag> {
    (tag_key(), tag_value()).prop_map(|(key, value)| Tag { key, value })
}

/// A valid tag set: up to 20 tags with distinct keys (often none).
pub fn tags() -> impl Strategy<Value = Tags> {
    prop_oneof![
        3 => Just(Tags::empty()),
        1 => prop::collection::vec(tag(), 1..=Tags::MAX).prop_map(|mut v| {
            let mut seen = std::collections::BTreeSet::new();
            v.retain(|t| seen.insert(t.key.clone()));
            Tags::new(v).expect("at most 20 distinct keys")
        }),
    ]
}

/// Near-misses: strings one rule away from valid, which the value types must refuse. Each
/// strategy mixes the kinds of near-miss its type has.
pub mod near_miss {
    use super::re;
    use proptest::prelude::*;

    const ELSEWHERE: &str = "а-яΑ-Ωａ-ｚ"; // Cyrillic, Greek, full-width Latin

    /// Image names: 1 and 129 characters (61 for Tencent's rule: see
    /// [`image_name_for_tencent`]), a digit or punctuation first, an `http://`/`https://`
    /// prefix in any case, a forbidden punctuation, a letter of another script.
    pub fn image_name() -> BoxedStrategy<String> {
        prop_oneof![
            re("[a-zA-Z]"),
            re("[a-zA-Z][a-zA-Z0-9._:-]{128}"),
            re("[0-9_.:-][a-zA-Z0-9]{1,20}"),
            re("(http|https|HTTP|Https)://[a-z0-9.]{1,20}"),
            re("[a-zA-Z][a-z0-9]{0,10}[ /@#!,;+=()<>?$%^&*~|\"'\\[\\]{}][a-z0-9]{0,10}"),
            re(&format!(
                "[a-zA-Z][a-z0-9]{{0,10}}[{ELSEWHERE}][a-z0-9]{{0,10}}"
            )),
            re(&format!("[{ELSEWHERE}][a-z0-9]{{1,10}}")),
        ]
        .boxed()
    }

    /// Names valid on Alibaba but too long for Tencent (61–128 characters).
    pub fn image_name_for_tencent() -> BoxedStrategy<String> {
        "[a-zA-Z][a-zA-Z0-9._:-]{60,127}".boxed()
    }

    /// Descriptions: 1 and 257 characters, an `http://`/`https://` prefix.
    pub fn description() -> BoxedStrategy<String> {
        prop_oneof![
            re("[a-z]"),
            re("[a-z ]{257}"),
            re("(http|https|HTTPS)://[a-z0-9 .]{1,40}"),
        ]
        .boxed()
    }

    /// Image ids: 2 and 129 characters, a digit or `-` first, a forbidden punctuation, a
    /// letter of another script, a URL.
    pub fn image_id() -> BoxedStrategy<String> {
        prop_oneof![
            re(""),
            re("[a-z][a-z0-9]"),
            re("[a-z][a-z0-9]{128}"),
            re("[0-9-][a-z0-9-]{2,20}"),
            re("m-[a-z0-9]{1,10}[ /@#!,;+=:][a-z0-9]{1,10}"),
            re(&format!("m-[a-z0-9]{{1,10}}[{ELSEWHERE}]")),
            re("http://[a-z]{3,10}"),
        ]
        .boxed()
    }

    /// Snapshot ids: 2 and 65 characters, a digit first, a forbidden punctuation (`.`
    /// included), a letter of another script.
    pub fn snapshot_id() -> BoxedStrategy<String> {
        prop_oneof![
            re("[a-z][a-z0-9]"),
            re("[a-z][a-z0-9]{64}"),
            re("[0-9][a-z0-9-]{2,20}"),
            re("s-[a-z0-9]{1,10}[ ./@#:][a-z0-9]{1,10}"),
            re(&format!("s-[a-z0-9]{{1,10}}[{ELSEWHERE}]")),
        ]
        .boxed()
    }

    /// Account ids: empty, 65 characters, `-`/`_` first, a forbidden punctuation, a letter
    /// of another script.
    pub fn account_id() -> BoxedStrategy<String> {
        prop_oneof![
            re(""),
            re("[0-9]{65}"),
            re("[-_][0-9]{1,16}"),
            re("[0-9]{1,8}[ .:/@][0-9]{1,8}"),
            re(&format!("[0-9]{{1,8}}[{ELSEWHERE}]")),
        ]
        .boxed()
    }

    /// KMS key ids: empty, 129 characters, `-` first, a forbidden punctuation, a letter of
    /// another script.
    pub fn kms_key_id() -> BoxedStrategy<String> {
        prop_oneof![
            re(""),
            re("[a-f0-9]{129}"),
            re("-[a-f0-9]{1,20}"),
            re("[a-f0-9]{1,8}[ .@#!][a-f0-9]{1,8}"),
            re(&format!("[a-f0-9]{{1,8}}[{ELSEWHERE}]")),
        ]
        .boxed()
    }

    /// Region ids: 1 and 51 characters, upper case, `_`, a digit first, no `-`, a URL, a
    /// letter of another script.
    pub fn region_id() -> BoxedStrategy<String> {
        prop_oneof![
            re("[a-z]"),
            re("[a-z]{2}-[a-z]{48}"),
            re("[A-Z]{2}-[a-z]{3,10}"),
            re("[a-z]{2}_[a-z]{3,10}"),
            re("[0-9][a-z]-[a-z]{3,10}"),
            re("[a-z]{4,10}"),
            re("http://[a-z]{2}-[a-z]{3,10}"),
            re(&format!("[a-z]{{2}}-[a-z]{{1,5}}[{ELSEWHERE}]")),
        ]
        .boxed()
    }

    /// Client tokens: empty, 65 characters, a space or a non-ASCII character inside.
    pub fn client_token() -> BoxedStrategy<String> {
        prop_oneof![
            re(""),
            re("[a-z]{65}"),
            re("[a-z]{1,10} [a-z]{1,10}"),
            re(&format!("[a-z]{{0,10}}[{ELSEWHERE}]")),
        ]
        .boxed()
    }

    /// Tag keys: empty, 129 characters, an `aliyun`/`acs:` prefix in any case, a URL inside.
    pub fn tag_key() -> BoxedStrategy<String> {
        prop_oneof![
            re(""),
            re("[a-z]{129}"),
            re("(aliyun|ALIYUN|Aliyun|acs:|ACS:)[a-z]{0,10}"),
            re("[a-z]{0,10}(http|HTTPS|https)://[a-z]{0,10}"),
        ]
        .boxed()
    }

    /// Tag values: 129 characters, an `aliyun`/`acs:` prefix, a URL inside.
    pub fn tag_value() -> BoxedStrategy<String> {
        prop_oneof![
            re("[a-z]{129}"),
            re("(aliyun|acs:)[a-z]{0,10}"),
            re("[a-z]{0,10}https?://[a-z]{0,10}"),
        ]
        .boxed()
    }
}

// ============================================================================ worlds

/// The start of every generated world: 2026-01-01T00:00:00Z.
pub fn world_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid instant")
}

/// A generated world: a profile and the fixtures an engine starts from.
///
/// ```
/// use machine_image::strategies::world;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let world = world().new_tree(&mut runner).map_err(|r| r.to_string())?.current();
/// let service = world.service(); // every fixture registered, every share made
/// assert_eq!(service.state().image_count(), world.images.len());
/// assert!(world.callers().contains(&world.outsider));
/// assert!(world.regions.iter().all(|r| world.profile.regions.catalogue.has(r)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// The profile (queue scope, size limit, regions without copy or BYOK support).
    pub profile: Profile,
    /// When the fixtures are registered; steps follow from here.
    pub start: DateTime<Utc>,
    /// The regions the world uses (all in the profile's catalogue).
    pub regions: Vec<RegionId>,
    /// Registered accounts (with small quotas and allow-list flags).
    pub accounts: Vec<Account>,
    /// An account that is never registered and owns nothing (default quotas).
    pub outsider: AccountId,
    /// Snapshots, owned by the accounts.
    pub snapshots: Vec<Snapshot>,
    /// Images: custom images of the accounts, a system image, a marketplace image.
    pub images: Vec<Image>,
    /// KMS keys of the accounts.
    pub keys: Vec<KmsKey>,
    /// Shares made at the start: (image, account), each by the image's owner.
    pub shares: Vec<(ImageId, AccountId)>,
}

/// The bucket of the `n`th account in `region` ([`World::buckets`]).
fn bucket_name(n: usize, region: &RegionId) -> crate::export::BucketName {
    crate::export::BucketName::new(format!("up{n}-{region}"))
        .expect("up<n>-<region> is a valid bucket name")
}

impl World {
    /// Every account a step may act as: the registered ones, then the outsider.
    pub fn callers(&self) -> Vec<AccountId> {
        let mut v: Vec<AccountId> = self.accounts.iter().map(|a| a.id.clone()).collect();
        v.push(self.outsider.clone());
        v
    }

    /// The object-storage buckets of the world: one per registered account in each of the
    /// world's regions, named `up<n>-<region>` (`n` the account's place), for imports from
    /// OSS in the Alibaba form.
    pub fn buckets(&self) -> Vec<crate::export::Bucket> {
        let mut v = Vec::new();
        for (n, account) in self.accounts.iter().enumerate() {
            for region in &self.regions {
                v.push(crate::export::Bucket::new(
                    bucket_name(n, region),
                    region.clone(),
                    account.id.clone(),
                ));
            }
        }
        v
    }

    /// The commands that build the world, in order: accounts, buckets, snapshots, keys,
    /// images, then the shares (as `ModifyImageSharePermission` calls by the owners), all at
    /// [`World::start`]. Every one is accepted.
    pub fn fixtures(&self) -> Vec<Command> {
        let mut v: Vec<Command> = Vec::new();
        v.extend(self.accounts.iter().cloned().map(Command::from));
        v.extend(self.buckets().into_iter().map(Command::from));
        v.extend(self.snapshots.iter().cloned().map(Command::from));
        v.extend(self.keys.iter().cloned().map(Command::from));
        v.extend(self.images.iter().cloned().map(Command::from));
        for (image, account) in &self.shares {
            let Some(i) = self.images.iter().find(|i| &i.id == image) else {
                continue;
            };
            v.push(Command::from(ModifyImageSharePermission {
                caller: Some(i.owner.clone()),
                client_token: None,
                region: i.region.clone(),
                image: image.clone(),
                add: vec![account.clone()],
                remove: Vec::new(),
            }));
        }
        v
    }

    /// An engine holding the world.
    ///
    /// # Panics
    /// If a fixture is refused: a bug in this module's generators.
    pub fn service(&self) -> ImageService {
        let mut service = ImageService::new(self.profile.clone());
        for command in self.fixtures() {
            if let Err(e) = service.handle(self.start, command.clone()) {
                panic!("world fixture refused: {e}: {command:?}");
            }
        }
        service.drain_events();
        service.drain_effects();
        service
    }
}

/// One snapshot of a generated image, before ids are given.
#[derive(Debug, Clone)]
struct SnapSpec {
    size_gib: u64,
    too_old: bool,
    encrypted: bool,
}

#[derive(Debug, Clone)]
struct ImageSpec {
    owner: Index,
    region: Index,
    name: Index,
    snaps: Vec<SnapSpec>,
    status: ImageStatus,
    platform: Platform,
    description: Option<Description>,
}

fn snap_spec() -> impl Strategy<Value = SnapSpec> {
    (
        prop_oneof![8 => 10u64..=80, 1 => 400u64..=700],
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(size_gib, too_old, encrypted)| SnapSpec {
            size_gib,
            too_old,
            encrypted,
        })
}

fn image_spec() -> impl Strategy<Value = ImageSpec> {
    (
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
        prop_oneof![5 => prop::collection::vec(snap_spec(), 1..=1), 1 => prop::collection::vec(snap_spec(), 2..=3)],
        prop_oneof![
            12 => Just(ImageStatus::Available),
            1 => Just(ImageStatus::UnAvailable),
            1 => Just(ImageStatus::Deprecated),
        ],
        prop_oneof![3 => Just(Platform::Linux), 1 => Just(Platform::Windows)],
        prop::option::weighted(0.2, description()),
    )
        .prop_map(
            |(owner, region, name, snaps, status, platform, description)| ImageSpec {
                owner,
                region,
                name,
                snaps,
                status,
                platform,
                description,
            },
        )
}

fn account_flags() -> impl Strategy<Value = (u32, u32, bool, bool, bool)> {
    (
        prop_oneof![3 => 2u32..=6, 1 => Just(500)],
        prop_oneof![3 => 3u32..=12, 1 => Just(1000)],
        prop::bool::weighted(0.5),
        prop::bool::weighted(0.6),
        prop::bool::weighted(0.3),
    )
}

/// Regions a world of `provider` picks from: mainland China and elsewhere.
fn region_pool(provider: Provider) -> Vec<RegionId> {
    let ids: &[&str] = match provider {
        Provider::Alibaba => &[
            "cn-hangzhou",
            "cn-shanghai",
            "cn-beijing",
            "ap-southeast-1",
            "cn-hongkong",
            "us-west-1",
        ],
        Provider::Tencent => &[
            "ap-guangzhou",
            "ap-shanghai",
            "ap-beijing",
            "ap-singapore",
            "ap-hongkong",
            "na-siliconvalley",
        ],
    };
    ids.iter()
        .map(|s| RegionId::new(*s).expect("a catalogue region"))
        .collect()
}

/// Names custom images are drawn from: few, so copies meet `InvalidImageName.Duplicated`.
const NAMES: &[&str] = &["web", "db", "base", "cache", "镜像-1", "web-v2.1"];

/// A world under the Alibaba profile (what the scenario runner replays by default).
pub fn world() -> impl Strategy<Value = World> {
    world_for(Provider::Alibaba)
}

/// A world under `provider`'s profile: 2–4 regions, 3 accounts (and an unregistered
/// outsider), up to 9 images with their snapshots, up to 4 keys and 4 shares. Quotas are
/// small, so `QuotaExceed.*` is reachable; a few snapshots are encrypted, too old or large;
/// a few images are whole-machine images or not `Available`.
pub fn world_for(provider: Provider) -> impl Strategy<Value = World> {
    let regions = prop::sample::subsequence(region_pool(provider), 2..=4).prop_shuffle();
    (
        regions,
        prop_oneof![Just(QueueScope::Source), Just(QueueScope::Destination)],
        prop_oneof![3 => Just(500u64), 1 => Just(60u64)],
        prop::option::weighted(0.15, any::<Index>()),
        prop::option::weighted(0.15, any::<Index>()),
        prop::collection::vec(account_flags(), 3..=3),
        prop::collection::vec(image_spec(), 0..=9),
        prop::collection::vec(
            (any::<Index>(), any::<Index>(), prop::bool::weighted(0.85)),
            0..=4,
        ),
        prop::collection::vec((any::<Index>(), any::<Index>()), 0..=4),
        prop::collection::vec(any::<Index>(), 0..=3),
    )
        .prop_map(
            move |(
                regions,
                scope,
                max_size,
                no_copy,
                no_byok,
                accounts,
                images,
                keys,
                shares,
                published,
            )| {
                build_world(
                    provider,
                    WorldSpec {
                        regions,
                        scope,
                        max_size,
                        no_copy,
                        no_byok,
                        accounts,
                        images,
                        keys,
                        shares,
                        published,
                    },
                )
            },
        )
}

struct WorldSpec {
    regions: Vec<RegionId>,
    scope: QueueScope,
    max_size: u64,
    no_copy: Option<Index>,
    no_byok: Option<Index>,
    accounts: Vec<(u32, u32, bool, bool, bool)>,
    images: Vec<ImageSpec>,
    keys: Vec<(Index, Index, bool)>,
    shares: Vec<(Index, Index)>,
    published: Vec<Index>,
}

fn build_world(provider: Provider, spec: WorldSpec) -> World {
    let start = world_start();
    let mut profile = Profile::for_provider(provider);
    profile.queue_scope = spec.scope;
    profile.max_image_size_gib = spec.max_size;
    let regions = spec.regions;
    if let Some(i) = spec.no_copy {
        let r = i.get(&regions);
        if let Some(region) = profile.regions.catalogue.get_mut(r.as_str()) {
            region.copy_supported = false;
        }
    }
    if let Some(i) = spec.no_byok {
        let r = i.get(&regions);
        if let Some(region) = profile.regions.catalogue.get_mut(r.as_str()) {
            region.byok_supported = false;
        }
    }
    let accounts: Vec<Account> = spec
        .accounts
        .iter()
        .enumerate()
        .map(|(n, &(images, snapshots, cross, byok, size))| {
            let id = AccountId::new(format!("{}", 1_111_111_111_111_111u64 * (n as u64 + 1)))
                .expect("digits");
            Account::new(id, images, snapshots)
                .allow_cross_border(cross)
                .allow_byok(byok)
                .allow_size(size)
        })
        .collect();
    let outsider = AccountId::new("9999999999999999").expect("digits");

    let mut keys: Vec<KmsKey> = Vec::new();
    for (n, (owner, region, authorized)) in spec.keys.iter().enumerate() {
        keys.push(
            KmsKey::new(
                KmsKeyId::new(format!("key-{n}")).expect("valid"),
                region.get(&regions).clone(),
                owner.get(&accounts).id.clone(),
            )
            .authorized(*authorized),
        );
    }

    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut images: Vec<Image> = Vec::new();
    let too_old = Utc
        .with_ymd_and_hms(2012, 5, 1, 0, 0, 0)
        .single()
        .expect("a valid instant");
    let recent = Utc
        .with_ymd_and_hms(2025, 6, 1, 0, 0, 0)
        .single()
        .expect("a valid instant");
    for (n, spec) in spec.images.iter().enumerate() {
        let account = spec.owner.get(&accounts);
        let owner = &account.id;
        let region = spec.region.get(&regions);
        let name = ImageName::new(*spec.name.get(NAMES)).expect("valid");
        let used_images = images
            .iter()
            .filter(|i| &i.owner == owner && &i.region == region)
            .count() as u32;
        let used_snaps = snapshots
            .iter()
            .filter(|s| &s.owner == owner && &s.region == region)
            .count() as u32;
        let name_taken = images
            .iter()
            .any(|i| &i.owner == owner && &i.region == region && i.name == name);
        if name_taken
            || used_images >= account.image_quota
            || used_snaps + spec.snaps.len() as u32 > account.snapshot_quota
        {
            continue;
        }
        let key = keys
            .iter()
            .find(|k| &k.owner == owner && &k.region == region)
            .map(|k| k.id.clone());
        let mut ids = Vec::new();
        for (k, s) in spec.snaps.iter().enumerate() {
            let id = SnapshotId::new(format!("s-w{n}d{k}")).expect("valid");
            let snapshot = Snapshot::new(
                id.clone(),
                region.clone(),
                owner.clone(),
                if s.too_old { too_old } else { recent },
                s.size_gib,
            );
            snapshots.push(match (s.encrypted, &key) {
                (false, _) => snapshot,
                (true, None) => snapshot.encrypted_with_service_key(),
                (true, Some(k)) => snapshot.encrypted_with(k.clone()),
            });
            ids.push(id);
        }
        let id = ImageId::new(format!("m-w{n}")).expect("valid");
        let whole_machine = ids.len() > 1;
        let mut image = Image::custom(id, region.clone(), owner.clone(), name, ids)
            .platform(spec.platform)
            .size_gib(spec.snaps.iter().map(|s| s.size_gib).sum())
            .whole_machine(whole_machine)
            .status(spec.status)
            .created_at(start);
        if let Some(d) = &spec.description {
            image = image.description(d.clone());
        }
        images.push(image.build().expect("an original at its status's progress"));
    }
    // A public image and a marketplace image in the first region.
    let public = |id: &str, kind: ImageKind, owner: &str, published: Vec<RegionId>| {
        let (id, region) = (ImageId::new(id).expect("valid"), regions[0].clone());
        let owner = AccountId::new(owner).expect("valid");
        let builder = match kind {
            ImageKind::System => Image::public(
                id,
                region,
                owner,
                ImageName::new("ubuntu_22_04").expect("valid"),
                Vec::new(),
            ),
            _ => Image::marketplace(
                id,
                region,
                owner,
                ImageName::new("market-lamp").expect("valid"),
                Vec::new(),
                published,
            ),
        };
        builder
            .size_gib(20)
            .paid(kind == ImageKind::Marketplace)
            .created_at(start)
            .build()
            .expect("an available original")
    };
    images.push(public(
        match provider {
            Provider::Alibaba => "ubuntu_22_04_x64_20G_alibase_20230907.vhd",
            Provider::Tencent => "img-pub00001",
        },
        ImageKind::System,
        "system",
        Vec::new(),
    ));
    let mut published: Vec<RegionId> = spec
        .published
        .iter()
        .map(|i| i.get(&regions).clone())
        .collect();
    published.sort();
    published.dedup();
    images.push(public(
        match provider {
            Provider::Alibaba => "m-market0001",
            Provider::Tencent => "img-mkt00001",
        },
        ImageKind::Marketplace,
        "marketplace",
        published,
    ));

    let mut shares: Vec<(ImageId, AccountId)> = Vec::new();
    let custom: Vec<&Image> = images
        .iter()
        .filter(|i| i.kind == ImageKind::Custom && i.status == ImageStatus::Available)
        .collect();
    if !custom.is_empty() {
        for (image, account) in &spec.shares {
            let image = image.get(&custom);
            let account = &account.get(&accounts).id;
            let pair = (image.id.clone(), account.clone());
            if account != &image.owner && !shares.contains(&pair) {
                shares.push(pair);
            }
        }
    }
    World {
        profile,
        start,
        regions,
        accounts,
        outsider,
        snapshots,
        images,
        keys,
        shares,
    }
}

// ============================================================================ sequences

/// Which account a step acts as.
#[derive(Debug, Clone)]
pub enum Who {
    /// No caller at all (`InvalidAliUid.IsNull`).
    Nobody,
    /// The owner of the image the step addresses (the usual case).
    Owner,
    /// One of [`World::callers`].
    Account(Index),
}

/// Which image a step addresses: among every image id seen so far (the world's and the
/// ones accepted calls returned), or among the newest few.
#[derive(Debug, Clone)]
pub struct Pick {
    /// Pick among the images removed by a delete or cancel instead (rare).
    pub gone: bool,
    /// Pick among the three newest ids.
    pub recent: bool,
    /// The index.
    pub index: Index,
}

/// Which region a call names for its image.
#[derive(Debug, Clone)]
pub enum RegionChoice {
    /// The image's own region (the usual case).
    Own,
    /// One of the world's regions.
    World(Index),
    /// A well-formed region no catalogue knows.
    Unknown,
}

/// Where a copy goes.
#[derive(Debug, Clone)]
pub enum Destination {
    /// One of the world's regions other than the image's own.
    Other(Index),
    /// The image's own region (`IncorrectDestinationRegion`, unless the image is shared).
    Same,
    /// A well-formed region no catalogue knows.
    Unknown,
}

/// The name a copy asks for.
#[derive(Debug, Clone)]
pub enum NameChoice {
    /// None: the source's name.
    Keep,
    /// One of a few common names (collisions likely).
    Common(Index),
    /// A generated valid name.
    Fresh(ImageName),
}

/// One abstract step: what to do, resolved against the ids seen so far by a [`Driver`].
#[derive(Debug, Clone)]
pub enum Op {
    /// Only let time pass (the simulator finishes due copies).
    Wait,
    /// `CopyImage` to one destination.
    Copy {
        /// The caller.
        caller: Who,
        /// The source image.
        image: Pick,
        /// The region named as the source's.
        region: RegionChoice,
        /// The destination.
        destination: Destination,
        /// The name.
        name: NameChoice,
        /// `Encrypted`.
        encrypted: bool,
        /// `KMSKeyId`: one of the world's keys, or an unknown one.
        key: Option<Option<Index>>,
        /// Tags.
        tags: Tags,
        /// A client token, from a pool of four.
        token: Option<u8>,
        /// A description.
        description: Option<Description>,
    },
    /// `CancelCopyImage`.
    Cancel {
        /// The caller.
        caller: Who,
        /// The image.
        image: Pick,
        /// The region named.
        region: RegionChoice,
    },
    /// `DeleteImage`.
    Delete {
        /// The caller.
        caller: Who,
        /// The image.
        image: Pick,
        /// The region named.
        region: RegionChoice,
    },
    /// `ModifyImageSharePermission`.
    Share {
        /// The caller.
        caller: Who,
        /// The image.
        image: Pick,
        /// Accounts to add (indexes into [`World::callers`]).
        add: Vec<Index>,
        /// Accounts to remove.
        remove: Vec<Index>,
        /// A client token, from a pool of four.
        token: Option<u8>,
    },
    /// `ModifyImageAttribute`: rename an image to one of a small pool of names (so that
    /// taken names are common).
    Rename {
        /// The caller.
        caller: Who,
        /// The image.
        image: Pick,
        /// The region named.
        region: RegionChoice,
        /// The new name: an index into a pool of three.
        name: u8,
        /// A client token, from a pool of four.
        token: Option<u8>,
    },
    /// `CreateImage` from the snapshots of a picked image (so snapshots of copies in
    /// flight, other accounts' and old ones come up), named from the pool of three.
    Create {
        /// The caller.
        caller: Who,
        /// The image whose snapshots are used.
        image: Pick,
        /// The region named.
        region: RegionChoice,
        /// The name: an index into a pool of three.
        name: u8,
        /// A client token, from a pool of four.
        token: Option<u8>,
    },
    /// `ImportImage` from URLs (worlds hold no buckets): one or two disks, now and then a
    /// malformed URL or an empty disk; the simulator finishes it after its modelled time.
    Import {
        /// The caller (`Owner`: the first account).
        caller: Who,
        /// The region: one of the world's (`Own` means the first).
        region: RegionChoice,
        /// The name: an index into a pool of three.
        name: u8,
        /// Each disk's size in GiB (0 is refused).
        disks: Vec<u16>,
        /// Whether the first URL is malformed (`InvalidParameter`).
        bad_url: bool,
        /// A client token, from a pool of four.
        token: Option<u8>,
    },
    /// `DeleteImages` (Tencent's call, sent under any profile): two images, all or none.
    DeleteMany {
        /// The caller.
        caller: Who,
        /// The images.
        images: (Pick, Pick),
    },
    /// Host report: the live copy to this image failed (skipped when it has none).
    Fail {
        /// The destination image.
        image: Pick,
    },
    /// Re-register an account with new quotas (refused below its usage).
    SetQuota {
        /// The account (index into [`World::accounts`]).
        account: Index,
        /// Image quota.
        images: u32,
        /// Snapshot quota.
        snapshots: u32,
    },
    /// Send an earlier call again, verbatim (a retry).
    Retry {
        /// Which earlier call.
        back: Index,
    },
}

/// A step: wait `wait_secs`, then do `op`.
///
/// ```
/// use machine_image::strategies::{step, Op};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let steps: Vec<_> = (0..50)
///     .map(|_| step().new_tree(&mut runner).map(|t| t.current()))
///     .collect::<Result<_, _>>()
///     .map_err(|r| r.to_string())?;
/// // Copies are the most frequent step (about 40%).
/// assert!(steps.iter().any(|s| matches!(s.op, Op::Copy { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Step {
    /// Seconds since the previous step (0: the same instant, so copies queue).
    pub wait_secs: u32,
    /// What to do.
    pub op: Op,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        1 => Just(Who::Nobody),
        40 => Just(Who::Owner),
        8 => any::<Index>().prop_map(Who::Account),
    ]
}

fn pick() -> impl Strategy<Value = Pick> {
    (
        prop::bool::weighted(0.03),
        prop::bool::weighted(0.4),
        any::<Index>(),
    )
        .prop_map(|(gone, recent, index)| Pick {
            gone,
            recent,
            index,
        })
}

fn region_choice() -> impl Strategy<Value = RegionChoice> {
    prop_oneof![
        30 => Just(RegionChoice::Own),
        2 => any::<Index>().prop_map(RegionChoice::World),
        1 => Just(RegionChoice::Unknown),
    ]
}

fn token() -> impl Strategy<Value = Option<u8>> {
    prop::option::weighted(0.15, 0u8..4)
}

fn op() -> impl Strategy<Value = Op> {
    let copy = (
        who(),
        pick(),
        region_choice(),
        prop_oneof![
            28 => any::<Index>().prop_map(Destination::Other),
            3 => Just(Destination::Same),
            1 => Just(Destination::Unknown),
        ],
        prop_oneof![
            6 => Just(NameChoice::Keep),
            3 => any::<Index>().prop_map(NameChoice::Common),
            1 => image_name().prop_map(NameChoice::Fresh),
        ],
        prop_oneof![
            14 => Just((false, None)),
            4 => Just((true, None)),
            3 => prop::option::weighted(0.9, any::<Index>()).prop_map(|k| (true, Some(k))),
            1 => prop::option::weighted(0.9, any::<Index>()).prop_map(|k| (false, Some(k))),
        ],
        prop_oneof![6 => Just(Tags::empty()), 1 => tags()],
        token(),
        prop::option::weighted(0.1, description()),
    )
        .prop_map(
            |(
                caller,
                image,
                region,
                destination,
                name,
                (encrypted, key),
                tags,
                token,
                description,
            )| {
                Op::Copy {
                    caller,
                    image,
                    region,
                    destination,
                    name,
                    encrypted,
                    key,
                    tags,
                    token,
                    description,
                }
            },
        );
    prop_oneof![
        40 => copy,
        12 => (who(), pick(), region_choice())
            .prop_map(|(caller, image, region)| Op::Cancel { caller, image, region }),
        12 => (who(), pick(), region_choice())
            .prop_map(|(caller, image, region)| Op::Delete { caller, image, region }),
        8 => (
            who(),
            pick(),
            prop::collection::vec(any::<Index>(), 0..=2),
            prop::collection::vec(any::<Index>(), 0..=1),
            token(),
        )
            .prop_map(|(caller, image, add, remove, token)| Op::Share {
                caller,
                image,
                add,
                remove,
                token,
            }),
        4 => (who(), pick(), region_choice(), 0u8..3, token())
            .prop_map(|(caller, image, region, name, token)| Op::Rename {
                caller,
                image,
                region,
                name,
                token,
            }),
        4 => (who(), pick(), region_choice(), 0u8..3, token())
            .prop_map(|(caller, image, region, name, token)| Op::Create {
                caller,
                image,
                region,
                name,
                token,
            }),
        3 => (
            who(),
            region_choice(),
            0u8..3,
            prop::collection::vec(prop_oneof![1 => Just(0u16), 12 => 1u16..200], 1..=2),
            prop::bool::weighted(0.1),
            token(),
        )
            .prop_map(|(caller, region, name, disks, bad_url, token)| Op::Import {
                caller,
                region,
                name,
                disks,
                bad_url,
                token,
            }),
        3 => (who(), pick(), pick())
            .prop_map(|(caller, a, b)| Op::DeleteMany { caller, images: (a, b) }),
        6 => pick().prop_map(|image| Op::Fail { image }),
        3 => (any::<Index>(), 0u32..=6, 0u32..=12)
            .prop_map(|(account, images, snapshots)| Op::SetQuota { account, images, snapshots }),
        4 => any::<Index>().prop_map(|back| Op::Retry { back }),
        6 => Just(Op::Wait),
    ]
}

fn wait_secs() -> impl Strategy<Value = u32> {
    prop_oneof![
        10 => Just(0u32),
        4 => 1u32..=300,
        3 => 300u32..=1200,
        2 => 1200u32..=2400,
    ]
}

/// A single step.
pub fn step() -> impl Strategy<Value = Step> {
    (wait_secs(), op()).prop_map(|(wait_secs, op)| Step { wait_secs, op })
}

/// Sequences of 1 to `max_len` steps. Weighted (out of 114): copies 40, cancels and deletes
/// (often of a recent copy, so during copies) 12 each, shares 8, failures and waits 6 each,
/// renames, creates and retries 4 each, quota changes, imports and two-image `DeleteImages`
/// 3 each; steps often share an instant, so queues form.
pub fn steps(max_len: usize) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), 1..=max_len.max(1))
}

/// Turns abstract [`Step`]s into concrete commands for one world: keeps the clock, the
/// image ids seen (the world's, then every id an accepted call returned) with their
/// regions, and the calls made (for retries).
///
/// ```
/// use machine_image::Simulator;
/// use machine_image::strategies::{steps, world, Driver};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let tree = (world(), steps(20)).new_tree(&mut runner).map_err(|r| r.to_string())?;
/// let (world, steps) = tree.current();
/// let mut sim = Simulator::from_service(world.service());
/// let mut driver = Driver::new(&world);
/// for step in &steps {
///     if let Some((at, command)) = driver.resolve(step, sim.service().state()) {
///         let answer = sim.handle(at, command.clone());
///         driver.observe(&command, &answer); // learns the ids accepted calls return
///     }
/// }
/// assert!(sim.service().check_invariants().is_ok());
/// assert!(driver.images().len() >= world.images.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Driver {
    /// Whose form the calls take (Alibaba: imports from OSS, one image per delete;
    /// Tencent: imports from URLs, `DeleteImages`).
    provider: Provider,
    now: DateTime<Utc>,
    callers: Vec<AccountId>,
    accounts: Vec<Account>,
    regions: Vec<RegionId>,
    keys: Vec<KmsKeyId>,
    images: Vec<(ImageId, RegionId)>,
    owners: Vec<AccountId>,
    gone: Vec<(ImageId, RegionId, AccountId)>,
    calls: Vec<Command>,
}

impl Driver {
    /// A driver for `world`, its clock at [`World::start`].
    pub fn new(world: &World) -> Self {
        Driver {
            provider: world.profile.provider,
            now: world.start,
            callers: world.callers(),
            accounts: world.accounts.clone(),
            regions: world.regions.clone(),
            keys: world.keys.iter().map(|k| k.id.clone()).collect(),
            images: world
                .images
                .iter()
                .map(|i| (i.id.clone(), i.region.clone()))
                .collect(),
            owners: world.images.iter().map(|i| i.owner.clone()).collect(),
            gone: Vec::new(),
            calls: Vec::new(),
        }
    }

    /// The clock: the time of the last resolved step.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Every image id seen so far, with its region: those in play, then those removed by
    /// a delete or cancel.
    pub fn images(&self) -> Vec<(ImageId, RegionId)> {
        let gone = self.gone.iter().map(|(i, r, _)| (i.clone(), r.clone()));
        self.images.iter().cloned().chain(gone).collect()
    }

    fn caller(&self, who: &Who, owner: &AccountId) -> Option<AccountId> {
        match who {
            Who::Nobody => None,
            Who::Owner => Some(owner.clone()),
            Who::Account(i) => Some(i.get(&self.callers).clone()),
        }
    }

    /// The picked image: its id, region and owner.
    fn image(&self, pick: &Pick) -> (ImageId, RegionId, AccountId) {
        if (pick.gone && !self.gone.is_empty()) || self.images.is_empty() {
            return pick.index.get(&self.gone).clone();
        }
        let from = if pick.recent && self.images.len() > 3 {
            self.images.len() - 3
        } else {
            0
        };
        let at = from + pick.index.index(self.images.len() - from);
        let (id, region) = self.images[at].clone();
        (id, region, self.owners[at].clone())
    }

    fn region(&self, choice: &RegionChoice, own: &RegionId) -> RegionId {
        match choice {
            RegionChoice::Own => own.clone(),
            RegionChoice::World(i) => i.get(&self.regions).clone(),
            RegionChoice::Unknown => unknown_region(),
        }
    }

    fn token(n: Option<u8>) -> Option<ClientToken> {
        n.map(|n| ClientToken::new(format!("token-{n}")).expect("valid"))
    }

    /// The command for `step` and its time, or `None` when the step has nothing to do
    /// (a wait, a failure report for an image with no live copy, a retry with no earlier
    /// call). `state` is read only to find the live copy of a `Fail` step.
    pub fn resolve(&mut self, step: &Step, state: &State) -> Option<(DateTime<Utc>, Command)> {
        self.now += Duration::seconds(i64::from(step.wait_secs));
        let command = match &step.op {
            Op::Wait => return None,
            Op::Copy {
                caller,
                image,
                region,
                destination,
                name,
                encrypted,
                key,
                tags,
                token,
                description,
            } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (image, own, owner) = self.image(image);
                let others: Vec<&RegionId> = self.regions.iter().filter(|r| **r != own).collect();
                let destination = match destination {
                    Destination::Other(i) if !others.is_empty() => (*i.get(&others)).clone(),
                    Destination::Unknown => unknown_region(),
                    _ => own.clone(),
                };
                Command::from(CopyImage {
                    caller: self.caller(caller, &owner),
                    client_token: Self::token(*token),
                    region: self.region(region, &own),
                    image,
                    destination_regions: vec![destination],
                    name: match name {
                        NameChoice::Keep => None,
                        NameChoice::Common(i) => {
                            Some(ImageName::new(*i.get(NAMES)).expect("valid"))
                        }
                        NameChoice::Fresh(n) => Some(n.clone()),
                    },
                    description: description.clone(),
                    encrypted: *encrypted,
                    kms_key: key.as_ref().map(|k| match k {
                        Some(i) if !self.keys.is_empty() => i.get(&self.keys).clone(),
                        _ => KmsKeyId::new("key-unknown").expect("valid"),
                    }),
                    tags: tags.clone(),
                    dry_run: false,
                })
            }
            Op::Cancel {
                caller,
                image,
                region,
            }
            | Op::Delete {
                caller,
                image,
                region,
            } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (image, own, owner) = self.image(image);
                let caller = self.caller(caller, &owner);
                let region = self.region(region, &own);
                if matches!(step.op, Op::Cancel { .. }) {
                    Command::from(CancelCopyImage {
                        caller,
                        client_token: None,
                        region,
                        image,
                    })
                } else {
                    Command::from(DeleteImage {
                        caller,
                        client_token: None,
                        region,
                        image,
                    })
                }
            }
            Op::Share {
                caller,
                image,
                add,
                remove,
                token,
            } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (image, region, owner) = self.image(image);
                Command::from(ModifyImageSharePermission {
                    caller: self.caller(caller, &owner),
                    client_token: Self::token(*token),
                    region,
                    image,
                    add: add.iter().map(|i| i.get(&self.callers).clone()).collect(),
                    remove: remove
                        .iter()
                        .map(|i| i.get(&self.callers).clone())
                        .collect(),
                })
            }
            Op::Rename {
                caller,
                image,
                region,
                name,
                token,
            } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (image, own, owner) = self.image(image);
                let names = ["renamed", "renamed-too", "web"];
                let name = ImageName::new(names[usize::from(*name) % names.len()]).expect("valid");
                Command::from(crate::engine::ModifyImageAttribute {
                    caller: self.caller(caller, &owner),
                    client_token: Self::token(*token),
                    region: self.region(region, &own),
                    image,
                    name: Some(name),
                    description: None,
                })
            }
            Op::Create {
                caller,
                image,
                region,
                name,
                token,
            } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (image, own, owner) = self.image(image);
                let snapshots = state
                    .image(&image)
                    .map(|i| i.snapshots().to_vec())
                    .unwrap_or_default();
                let names = ["made", "made-too", "web"];
                let name = ImageName::new(names[usize::from(*name) % names.len()]).expect("valid");
                let mut call = crate::engine::CreateImage::new(
                    owner.clone(),
                    self.region(region, &own),
                    name,
                    snapshots,
                );
                call.caller = self.caller(caller, &owner);
                call.client_token = Self::token(*token);
                Command::from(call)
            }
            Op::Import {
                caller,
                region,
                name,
                disks,
                bad_url,
                token,
            } => {
                let owner = self.callers.first()?.clone();
                let first = self.regions.first()?.clone();
                let names = ["imported", "imported-too", "web"];
                let name = ImageName::new(names[usize::from(*name) % names.len()]).expect("valid");
                let region = self.region(region, &first);
                // The first registered account owns `up0-<region>` ([`World::buckets`]).
                let bucket = bucket_name(0, &region);
                let disks = disks.iter().enumerate().map(|(i, size)| {
                    let bad = i == 0 && *bad_url;
                    let source = match self.provider {
                        Provider::Alibaba if bad => crate::import::DiskSource::oss(
                            crate::export::BucketName::new("no-such-bucket").expect("valid"),
                            "disk0.raw",
                        ),
                        Provider::Alibaba => {
                            crate::import::DiskSource::oss(bucket.clone(), format!("disk{i}.qcow2"))
                        }
                        Provider::Tencent if bad => {
                            crate::import::DiskSource::url("ftp://uploads/disk0.raw")
                        }
                        Provider::Tencent => crate::import::DiskSource::url(format!(
                            "https://uploads.example.com/disk{i}.qcow2"
                        )),
                    };
                    crate::import::ImportDisk::new(source, u64::from(*size))
                });
                let mut call = crate::engine::ImportImage::new(owner.clone(), region, name, disks);
                call.caller = self.caller(caller, &owner);
                call.client_token = Self::token(*token);
                Command::from(call)
            }
            Op::DeleteMany {
                caller,
                images: (a, b),
            } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (first, region, owner) = self.image(a);
                let (second, _, _) = self.image(b);
                let mut images = vec![first];
                if second != images[0] {
                    images.push(second);
                }
                // Alibaba has no `DeleteImages`: its form deletes one image.
                if self.provider == Provider::Alibaba {
                    Command::from(DeleteImage {
                        caller: self.caller(caller, &owner),
                        client_token: None,
                        region,
                        image: images.swap_remove(0),
                    })
                } else {
                    Command::from(crate::engine::DeleteImages {
                        caller: self.caller(caller, &owner),
                        client_token: None,
                        region,
                        images,
                        dry_run: false,
                    })
                }
            }
            Op::Fail { image } => {
                if self.images.is_empty() && self.gone.is_empty() {
                    return None;
                }
                let (image, _, _) = self.image(image);
                let task: TaskId = state.live_task_of(&image)?;
                Command::from(HostReport::CopyFailed {
                    task,
                    reason: "disk read error".into(),
                })
            }
            Op::SetQuota {
                account,
                images,
                snapshots,
            } => {
                let mut a = account.get(&self.accounts).clone();
                a.image_quota = *images;
                a.snapshot_quota = *snapshots;
                Command::from(a)
            }
            Op::Retry { back } => {
                if self.calls.is_empty() {
                    return None;
                }
                back.get(&self.calls).clone()
            }
        };
        Some((self.now, command))
    }

    /// Notes the answer to a resolved command: the ids an accepted call returned join the
    /// pool, and the call can be retried later.
    pub fn observe(&mut self, command: &Command, answer: &Result<Outcome, EngineError>) {
        if matches!(
            command,
            Command::Call(
                ApiCall::CopyImage(_)
                    | ApiCall::CancelCopyImage(_)
                    | ApiCall::DeleteImage(_)
                    | ApiCall::ModifyImageSharePermission(_)
                    | ApiCall::ModifyImageAttribute(_)
                    | ApiCall::CreateImage(_)
                    | ApiCall::ImportImage(_)
            )
        ) && !self.calls.contains(command)
        {
            self.calls.push(command.clone());
        }
        match answer {
            Ok(Outcome::CopyAccepted { copies }) => {
                let caller = match command {
                    Command::Call(ApiCall::CopyImage(c)) => c.caller.clone(),
                    _ => None,
                };
                for c in copies {
                    if let Some(owner) = &caller {
                        if !self.images.iter().any(|(id, _)| id == &c.image) {
                            self.images.push((c.image.clone(), c.region.clone()));
                            self.owners.push(owner.clone());
                        }
                    }
                }
            }
            Ok(Outcome::CopyCancelled { image }) | Ok(Outcome::ImageDeleted { image })
                if matches!(command, Command::Call(c @ (ApiCall::CancelCopyImage(_) | ApiCall::DeleteImage(_)))
                    if self.owners.iter().zip(&self.images).any(|(o, (i, _))| i == image && c.caller() == Some(o))) =>
            {
                if let Some(at) = self.images.iter().position(|(i, _)| i == image) {
                    let (id, region) = self.images.remove(at);
                    let owner = self.owners.remove(at);
                    self.gone.push((id, region, owner));
                }
            }
            Ok(Outcome::ImportAccepted { image, .. }) => {
                if let Command::Call(ApiCall::ImportImage(c)) = command {
                    if let Some(owner) = &c.caller {
                        if !self.images.iter().any(|(id, _)| id == image) {
                            self.images.push((image.clone(), c.region.clone()));
                            self.owners.push(owner.clone());
                        }
                    }
                }
            }
            Ok(Outcome::ImagesDeleted { images }) => {
                let caller = match command {
                    Command::Call(c) => c.caller().cloned(),
                    _ => None,
                };
                for image in images {
                    let at = self.images.iter().position(|(i, _)| i == image);
                    if let Some(at) = at.filter(|at| Some(&self.owners[*at]) == caller.as_ref()) {
                        let (id, region) = self.images.remove(at);
                        let owner = self.owners.remove(at);
                        self.gone.push((id, region, owner));
                    }
                }
            }
            Ok(Outcome::ImageCreated { image }) => {
                if let Command::Call(ApiCall::CreateImage(c)) = command {
                    if let Some(owner) = &c.caller {
                        self.images.push((image.clone(), c.region.clone()));
                        self.owners.push(owner.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

/// A well-formed region that no catalogue holds.
fn unknown_region() -> RegionId {
    RegionId::new("xx-atlantis-1").expect("well formed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{AccountId, ClientToken, ImageId, KmsKeyId, SnapshotId};
    use crate::region::RegionId;
    use crate::tag::{TagKey, TagValue};
    use proptest::test_runner::{Config, TestRunner};

    fn refused<E>(s: String, f: impl Fn(String) -> Result<(), E>) -> Result<(), TestCaseError> {
        prop_assert!(f(s.clone()).is_err(), "accepted near-miss {:?}", s);
        Ok(())
    }

    proptest! {
        #![proptest_config(Config::with_cases(128))]

        #[test]
        fn valid_values_are_accepted_by_their_own_parsers(
            name in image_name(), tname in image_name_for(Provider::Tencent),
            d in description(), i in image_id(), s in snapshot_id(), a in account_id(),
            k in kms_key_id(), r in region_id(), t in client_token(), tags in tags(),
            rq in request_id(),
        ) {
            prop_assert_eq!(ImageName::new(name.as_str()).ok(), Some(name.clone()));
            prop_assert!(tname.fits(Provider::Tencent));
            prop_assert_eq!(Description::new(d.as_str()).ok(), Some(d.clone()));
            prop_assert_eq!(ImageId::new(i.as_str()).ok(), Some(i.clone()));
            prop_assert_eq!(SnapshotId::new(s.as_str()).ok(), Some(s.clone()));
            prop_assert_eq!(AccountId::new(a.as_str()).ok(), Some(a.clone()));
            prop_assert_eq!(KmsKeyId::new(k.as_str()).ok(), Some(k.clone()));
            prop_assert_eq!(RegionId::new(r.as_str()).ok(), Some(r.clone()));
            prop_assert_eq!(ClientToken::new(t.as_str()).ok(), Some(t.clone()));
            prop_assert_eq!(RequestId::new(rq.as_str()).ok(), Some(rq.clone()));
            prop_assert!(tags.len() <= Tags::MAX);
        }

        #[test]
        fn near_misses_are_refused(
            name in near_miss::image_name(), tname in near_miss::image_name_for_tencent(),
            d in near_miss::description(), i in near_miss::image_id(),
            s in near_miss::snapshot_id(), a in near_miss::account_id(),
            k in near_miss::kms_key_id(), r in near_miss::region_id(),
            t in near_miss::client_token(), tk in near_miss::tag_key(),
            tv in near_miss::tag_value(),
        ) {
            refused(name, |s| ImageName::new(s).map(drop))?;
            prop_assert!(ImageName::new(tname.as_str()).is_ok());
            refused(tname, |s| ImageName::parse_for(Provider::Tencent, &s).map(drop))?;
            refused(d, |s| Description::new(s).map(drop))?;
            refused(i, |s| ImageId::new(s).map(drop))?;
            refused(s, |s| SnapshotId::new(s).map(drop))?;
            refused(a, |s| AccountId::new(s).map(drop))?;
            refused(k, |s| KmsKeyId::new(s).map(drop))?;
            refused(r, |s| RegionId::new(s).map(drop))?;
            refused(t, |s| ClientToken::new(s).map(drop))?;
            refused(tk, |s| TagKey::new(s).map(drop))?;
            refused(tv, |s| TagValue::new(s).map(drop))?;
        }
    }

    #[test]
    fn worlds_build_for_both_providers() {
        let mut runner = TestRunner::new(Config::with_cases(64));
        for p in Provider::ALL {
            runner
                .run(&world_for(p), |w| {
                    let service = w.service();
                    prop_assert!(service.check_invariants().is_ok());
                    prop_assert_eq!(service.state().image_count(), w.images.len());
                    Ok(())
                })
                .unwrap();
        }
    }
}
