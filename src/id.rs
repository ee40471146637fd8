//! Identifiers: `ImageId`, `SnapshotId`, `AccountId`, `KmsKeyId`, `RequestId`, `InstanceId`.
//!
//! Every id is ASCII. The forms accepted by `new` (and `FromStr`, and `Deserialize`) are the
//! union of both providers' real forms, so one value type serves both; `parse_for` checks
//! one provider's own form where the two differ.
//!
//! | Type | `new` accepts | Alibaba form | Tencent form |
//! |---|---|---|---|
//! | [`ImageId`] | 3–128 chars: an ASCII letter, then ASCII letters, digits, `_`, `.`, `-`, `*` | `m-bp1h46wfpjsjastc****` (custom, marketplace), `ubuntu_22_04_x64_20G_alibase_20230907.vhd` (system) | `img-o3ycss2p` |
//! | [`SnapshotId`] | 3–64 chars: an ASCII letter, then ASCII letters, digits, `-`, `_`, `*` | `s-bp17441ohwka0yuh****` | `snap-gz27bh7y` |
//! | [`AccountId`] | 1–64 chars: ASCII letters, digits, `-`, `_`, starting with a letter or digit | a 16-digit UID `1234567890123456` | a UIN `100000000001` |
//! | [`KmsKeyId`] | 1–128 chars: ASCII letters, digits, `-`, `_`, `*`, `:`, `/`, starting with a letter or digit | `e522b26d-abf6-4e0d-b5da-04b7******3c` | a UUID |
//! | [`RequestId`] | a UUID: 8-4-4-4-12 hex digits, either case | `473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E` | lowercase UUID |
//!
//! `*` is allowed because the providers' own documents print masked ids (`m-…c****`), and
//! such ids are what users paste into bug reports. Account ids are numeric on both clouds;
//! alphanumeric handles (`alice`, `acct-1`) are accepted too, so test fixtures can be read.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::newtype::{short_text, string_newtype_impls};
use crate::provider::Provider;

/// The kind of identifier that failed to parse.
///
/// ```
/// use machine_image::{IdKind, KmsKeyId};
///
/// let err = KmsKeyId::new("key with space").unwrap_err();
/// assert_eq!(err.kind(), IdKind::KmsKey);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// An image id.
    Image,
    /// A snapshot id.
    Snapshot,
    /// An account id.
    Account,
    /// A KMS key id.
    KmsKey,
    /// A request id.
    Request,
    /// An instance id (`InstanceId`; instances are outside the model).
    Instance,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Image => "image id",
            IdKind::Snapshot => "snapshot id",
            IdKind::Account => "account id",
            IdKind::KmsKey => "KMS key id",
            IdKind::Request => "request id",
            IdKind::Instance => "instance id",
        })
    }
}

/// Why an identifier was refused.
///
/// ```
/// use machine_image::{IdError, IdKind, ImageId, Provider, SnapshotId};
///
/// let err = ImageId::new("m web").unwrap_err();
/// assert_eq!(err, IdError::BadCharacter { kind: IdKind::Image, found: ' ', position: 1 });
/// assert!(matches!(SnapshotId::new("s"), Err(IdError::Length { min: 3, .. })));
/// let tencent = SnapshotId::parse_for(Provider::Tencent, "s-bp17441ohwka0yuh").unwrap_err();
/// assert!(matches!(tencent, IdError::NotProviderForm { provider: Provider::Tencent, .. }));
/// assert_eq!(tencent.kind(), IdKind::Snapshot);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Shorter or longer than the form allows.
    #[error("{kind} is {len} characters long; expected {min} to {max}")]
    Length {
        /// Which id.
        kind: IdKind,
        /// The length in characters.
        len: usize,
        /// The minimum.
        min: usize,
        /// The maximum.
        max: usize,
    },
    /// A character the form does not allow.
    #[error("{kind} has {found:?} at character {position}, which its form does not allow")]
    BadCharacter {
        /// Which id.
        kind: IdKind,
        /// The character.
        found: char,
        /// Its 0-based position.
        position: usize,
    },
    /// Well formed in general, but not in the named provider's form.
    #[error("{kind} {id:?} is not in {provider}'s form ({form})")]
    NotProviderForm {
        /// Which id.
        kind: IdKind,
        /// The id.
        id: String,
        /// The provider.
        provider: Provider,
        /// The expected form, in words.
        form: &'static str,
    },
}

impl IdError {
    /// Which kind of id failed.
    pub fn kind(&self) -> IdKind {
        match self {
            IdError::Length { kind, .. }
            | IdError::BadCharacter { kind, .. }
            | IdError::NotProviderForm { kind, .. } => *kind,
        }
    }
}

/// The shape of an id: its length range and which characters may come first and after.
struct IdForm {
    kind: IdKind,
    min: usize,
    max: usize,
    first: CharClass,
    rest: CharClass,
}

/// The characters a form allows at one place in an id, as a table of the ASCII bytes (every
/// character a form allows is ASCII). The runner builds ids on every line: calling a
/// predicate per byte cost more than the rest of the check.
struct CharClass([bool; 128]);

impl CharClass {
    /// ASCII letters, ASCII digits too if `digits`, and the bytes of `extra`.
    const fn new(digits: bool, extra: &[u8]) -> CharClass {
        let mut table = [false; 128];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            table[b] = c.is_ascii_alphabetic() || (digits && c.is_ascii_digit());
            b += 1;
        }
        let mut i = 0;
        while i < extra.len() {
            table[extra[i] as usize] = true;
            i += 1;
        }
        CharClass(table)
    }

    /// Whether `c` is in the class.
    fn allows(&self, c: char) -> bool {
        self.0.get(c as usize).copied().unwrap_or(false)
    }
}

impl IdForm {
    fn check(&self, s: &str) -> Result<(), IdError> {
        // Every character a form allows is ASCII, so the bytes are checked one by one (the
        // runner builds ids on every line); a non-ASCII byte is refused by `check_chars`,
        // which names the character and its position.
        for (position, b) in s.bytes().enumerate() {
            if !b.is_ascii() {
                return self.check_chars(s);
            }
            self.check_char(position, char::from(b))?;
        }
        self.check_length(s.len())
    }

    /// The character-by-character check, for text that is not all ASCII.
    fn check_chars(&self, s: &str) -> Result<(), IdError> {
        let mut len = 0;
        for (position, c) in s.chars().enumerate() {
            self.check_char(position, c)?;
            len += 1;
        }
        self.check_length(len)
    }

    /// Whether the form allows `c` at `position`.
    fn check_char(&self, position: usize, c: char) -> Result<(), IdError> {
        let class = if position == 0 {
            &self.first
        } else {
            &self.rest
        };
        let ok = class.allows(c);
        if ok {
            Ok(())
        } else {
            Err(IdError::BadCharacter {
                kind: self.kind,
                found: c,
                position,
            })
        }
    }

    fn check_length(&self, len: usize) -> Result<(), IdError> {
        if len < self.min || len > self.max {
            return Err(IdError::Length {
                kind: self.kind,
                len,
                min: self.min,
                max: self.max,
            });
        }
        Ok(())
    }
}

/// Whether `s` is `prefix` followed by `len` lowercase ASCII letters or digits (Tencent ids).
fn is_tencent_form(s: &str, prefix: &str, len: usize) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == len
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Whether `s` is `prefix` followed by 2 to 60 lowercase letters, digits or `*` (Alibaba ids).
fn is_alibaba_form(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        (2..=60).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'*')
    })
}

fn not_provider_form(kind: IdKind, s: &str, provider: Provider, form: &'static str) -> IdError {
    IdError::NotProviderForm {
        kind,
        id: s.to_owned(),
        provider,
        form,
    }
}

const IMAGE_FORM: IdForm = IdForm {
    kind: IdKind::Image,
    min: 3,
    max: 128,
    first: CharClass::new(false, b""),
    rest: CharClass::new(true, b"_.-*"),
};

/// An image id: `m-…` (Alibaba custom and marketplace), Alibaba system image file names such
/// as `ubuntu_22_04_x64_20G_alibase_20230907.vhd`, or `img-…` (Tencent). See the module table.
///
/// ```
/// use machine_image::{ImageId, Provider};
///
/// let id = ImageId::new("img-o3ycss2p")?; // any provider's form
/// assert_eq!(id.as_str(), "img-o3ycss2p");
/// assert!(ImageId::parse_for(Provider::Tencent, "img-o3ycss2p").is_ok());
/// assert!(ImageId::parse_for(Provider::Alibaba, "img-o3ycss2p").is_err());
/// assert!(ImageId::parse_for(Provider::Alibaba, "m-bp1h46wfpjsjastc****").is_ok());
/// assert!(ImageId::new("9-starts-with-a-digit").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageId(SmolStr);

impl ImageId {
    /// Validates `s` against the union of both providers' forms.
    pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
        let s = s.as_ref();
        IMAGE_FORM.check(s)?;
        Ok(ImageId(short_text(s)))
    }

    /// Validates `s` against `provider`'s own forms: Tencent `img-` + 8 lowercase letters or
    /// digits; Alibaba `m-` + 2–60 lowercase letters, digits or `*`, or a system image id
    /// (an ASCII letter first, containing `_`, e.g. `ubuntu_22_04_x64_20G_alibase_20230907.vhd`).
    pub fn parse_for(provider: Provider, s: &str) -> Result<Self, IdError> {
        let id = ImageId::new(s)?;
        let ok = match provider {
            Provider::Tencent => is_tencent_form(s, "img-", 8),
            Provider::Alibaba => is_alibaba_form(s, "m-") || (s.contains('_') && !s.contains('*')),
        };
        if ok {
            Ok(id)
        } else {
            Err(not_provider_form(
                IdKind::Image,
                s,
                provider,
                match provider {
                    Provider::Tencent => "img- and 8 lowercase letters or digits",
                    Provider::Alibaba => {
                        "m-… or a system image id such as ubuntu_22_04_x64_20G_alibase_20230907.vhd"
                    }
                },
            ))
        }
    }

    /// The id the engine gives the `n`th image it creates under `provider`: `m-` + 20 base-36
    /// digits (Alibaba) or `img-` + 8 (Tencent). Deterministic: the same `n` gives the same id.
    pub fn generated(provider: Provider, n: u64) -> Self {
        match provider {
            Provider::Alibaba => ImageId(generated_text("m-", n, 20)),
            Provider::Tencent => ImageId(generated_text("img-", n, 8)),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A fixed bijection on `u64` (the splitmix64 finaliser), so generated ids look like the
/// providers' random ones while staying deterministic and collision-free.
fn scramble(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The longest text a [`SmolStr`] stores inline, in bytes: every generated id fits.
const INLINE: usize = 23;

/// `prefix` followed by `width` digits of [`fill_id_digits`], built in place and stored
/// inline (never allocating). Every caller's prefix and width fit [`INLINE`] bytes.
// Inlined so the prefix and width are constants where it is called: the prefix is then
// stored directly (not through a `memcpy` call) and the digit loops unrolled.
#[inline(always)]
fn generated_text(prefix: &str, n: u64, width: usize) -> SmolStr {
    let mut buf = [0u8; INLINE];
    let end = prefix.len() + width;
    buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
    fill_id_digits(n, &mut buf[prefix.len()..end]);
    SmolStr::new_inline(
        std::str::from_utf8(&buf[..end]).expect("a prefix and base-36 digits are ASCII"),
    )
}

/// Fills `out` with base-36 digits standing for `n`: the scrambled `n` (a bijection, so
/// distinct `n` give distinct ids) as 13 digits, then digits of a second scramble to fill
/// up to `out.len()`. For a width under 13 the ids are distinct for every `n` below
/// 36^width.
#[inline(always)]
fn fill_id_digits(n: u64, out: &mut [u8]) {
    let width = out.len();
    if width <= 8 {
        let m = 36u128.pow(width as u32);
        // Multiplying by a constant coprime to 36 permutes the residues modulo 36^width.
        let x = (u128::from(n) % m * 0x5DEE_CE66D) % m;
        fill_base36(x as u64, out);
        return;
    }
    let (head, tail) = out.split_at_mut(13.min(width));
    fill_base36(scramble(n), head);
    fill_base36(scramble(n ^ 0xA5A5_A5A5_A5A5_A5A5), tail);
}

/// `n` in base 36 (digits then lowercase letters), left-padded with `0` or cut to its last
/// `out.len()` digits.
fn fill_base36(mut n: u64, out: &mut [u8]) {
    // Two digits per division (the engine draws two ids per copy).
    let mut pairs = out.rchunks_exact_mut(2);
    for pair in &mut pairs {
        pair.copy_from_slice(&BASE36_PAIRS[(n % 1296) as usize]);
        n /= 1296;
    }
    if let [first] = pairs.into_remainder() {
        *first = BASE36_DIGITS[(n % 36) as usize];
    }
}

const BASE36_DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Every two-digit base-36 number, `00` to `zz`.
const BASE36_PAIRS: [[u8; 2]; 1296] = {
    let mut pairs = [[0u8; 2]; 1296];
    let mut i = 0;
    while i < 1296 {
        pairs[i] = [BASE36_DIGITS[i / 36], BASE36_DIGITS[i % 36]];
        i += 1;
    }
    pairs
};

const SNAPSHOT_FORM: IdForm = IdForm {
    kind: IdKind::Snapshot,
    min: 3,
    max: 64,
    first: CharClass::new(false, b""),
    rest: CharClass::new(true, b"-_*"),
};

/// A snapshot id: `s-…` (Alibaba) or `snap-…` (Tencent). See the module table.
///
/// ```
/// use machine_image::{Provider, SnapshotId};
///
/// let id: SnapshotId = "snap-gz27bh7y".parse()?;
/// assert!(SnapshotId::parse_for(Provider::Tencent, id.as_str()).is_ok());
/// assert!(SnapshotId::parse_for(Provider::Alibaba, id.as_str()).is_err());
/// // The ids the engine gives the snapshots of its copies:
/// assert!(SnapshotId::generated(Provider::Tencent, 1).as_str().starts_with("snap-"));
/// assert!(SnapshotId::new("s 1").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SnapshotId(SmolStr);

impl SnapshotId {
    /// Validates `s` against the union of both providers' forms.
    pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
        let s = s.as_ref();
        SNAPSHOT_FORM.check(s)?;
        Ok(SnapshotId(short_text(s)))
    }

    /// Validates `s` against `provider`'s form: Tencent `snap-` + 8 lowercase letters or
    /// digits; Alibaba `s-` + 2–60 lowercase letters, digits or `*`.
    pub fn parse_for(provider: Provider, s: &str) -> Result<Self, IdError> {
        let id = SnapshotId::new(s)?;
        let ok = match provider {
            Provider::Tencent => is_tencent_form(s, "snap-", 8),
            Provider::Alibaba => is_alibaba_form(s, "s-"),
        };
        if ok {
            Ok(id)
        } else {
            Err(not_provider_form(
                IdKind::Snapshot,
                s,
                provider,
                match provider {
                    Provider::Tencent => "snap- and 8 lowercase letters or digits",
                    Provider::Alibaba => "s- and 2 to 60 lowercase letters, digits or *",
                },
            ))
        }
    }

    /// The id the engine gives the `n`th snapshot it creates (for copies): `s-` + 20 base-36
    /// digits (Alibaba) or `snap-` + 8 (Tencent).
    pub fn generated(provider: Provider, n: u64) -> Self {
        match provider {
            Provider::Alibaba => SnapshotId(generated_text("s-", n, 20)),
            Provider::Tencent => SnapshotId(generated_text("snap-", n, 8)),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

const ACCOUNT_FORM: IdForm = IdForm {
    kind: IdKind::Account,
    min: 1,
    max: 64,
    first: CharClass::new(true, b""),
    rest: CharClass::new(true, b"-_"),
};

/// An account id (Alibaba UID, Tencent UIN). See the module table.
///
/// ```
/// use machine_image::AccountId;
///
/// let uid = AccountId::new("1234567890123456")?; // an Alibaba UID
/// assert_eq!(uid.to_string(), "1234567890123456");
/// assert!(AccountId::new("alice").is_ok()); // handles too, for readable fixtures
/// assert!(AccountId::new("").is_err());
/// assert!(AccountId::new("-a").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(SmolStr);

impl AccountId {
    /// Validates `s`.
    pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
        let s = s.as_ref();
        ACCOUNT_FORM.check(s)?;
        Ok(AccountId(short_text(s)))
    }

    /// The text, as stored.
    pub(crate) fn text(&self) -> &SmolStr {
        &self.0
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

const KMS_KEY_FORM: IdForm = IdForm {
    kind: IdKind::KmsKey,
    min: 1,
    max: 128,
    first: CharClass::new(true, b""),
    rest: CharClass::new(true, b"-_*:/"),
};

/// A KMS key id: a UUID (`e522b26d-abf6-4e0d-b5da-04b7******3c`), a `key-…` id, or an
/// `acs:kms:…` resource name. See the module table.
///
/// ```
/// use machine_image::KmsKeyId;
///
/// assert!(KmsKeyId::new("e522b26d-abf6-4e0d-b5da-04b7******3c").is_ok());
/// let arn = KmsKeyId::new("acs:kms:cn-hangzhou:123:key/abc")?;
/// assert_eq!(arn.as_str(), "acs:kms:cn-hangzhou:123:key/abc");
/// assert!(KmsKeyId::new("key with space").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KmsKeyId(SmolStr);

impl KmsKeyId {
    /// Validates `s`.
    pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
        let s = s.as_ref();
        KMS_KEY_FORM.check(s)?;
        Ok(KmsKeyId(short_text(s)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

const INSTANCE_FORM: IdForm = IdForm {
    kind: IdKind::Instance,
    min: 1,
    max: 128,
    first: CharClass::new(true, b""),
    rest: CharClass::new(true, b"-_"),
};

/// An instance id (Alibaba `i-…`, Tencent `ins-…`): 1–128 ASCII letters, digits, `-` or
/// `_`, starting with a letter or digit. Instances are outside the model: the id exists so
/// that a `CreateImage` naming an instance can be refused with a clear, typed error
/// (`InvalidInstanceId.NotFound`) rather than silently ignored.
///
/// ```
/// use machine_image::InstanceId;
///
/// assert_eq!(InstanceId::new("i-bp1g6zv0ce8oghu7k3p")?.as_str(), "i-bp1g6zv0ce8oghu7k3p");
/// assert!(InstanceId::new("ins-r8hr2upy").is_ok());
/// assert!(InstanceId::new("ins r8hr2upy").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstanceId(SmolStr);

impl InstanceId {
    /// Validates `s`.
    pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
        let s = s.as_ref();
        INSTANCE_FORM.check(s)?;
        Ok(InstanceId(short_text(s)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A request id: a UUID, 8-4-4-4-12 hexadecimal digits in either case
/// (`473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E`).
///
/// ```
/// use machine_image::RequestId;
///
/// assert!(RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E").is_ok());
/// assert!(RequestId::new("473469c7-aa6f-4dc5-b3db-a3dc0de3c83e").is_ok());
/// assert!(RequestId::new("473469C7_AA6F-4DC5-B3DB-A3DC0DE3C83E").is_err());
/// // Deterministic ids for a service that numbers its requests:
/// let id = RequestId::from_sequence(42);
/// assert_eq!(id.as_str(), "00000000-0000-4000-8000-00000000002A");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestId(String);

impl RequestId {
    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
        let s = s.into();
        let len = s.chars().count();
        if len != 36 {
            return Err(IdError::Length {
                kind: IdKind::Request,
                len,
                min: 36,
                max: 36,
            });
        }
        for (position, c) in s.chars().enumerate() {
            let ok = if matches!(position, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            };
            if !ok {
                return Err(IdError::BadCharacter {
                    kind: IdKind::Request,
                    found: c,
                    position,
                });
            }
        }
        Ok(RequestId(s))
    }

    /// A deterministic request id for the `n`th request:
    /// `00000000-0000-4000-8000-` followed by `n` as 12 uppercase hex digits.
    pub fn from_sequence(n: u64) -> Self {
        // Written by hand rather than with `format!`: the runner makes one per line.
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut text = String::with_capacity(36);
        text.push_str("00000000-0000-4000-8000-");
        for place in (0..12).rev() {
            text.push(char::from(HEX[((n >> (place * 4)) & 0xf) as usize]));
        }
        RequestId(text)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

string_newtype_impls!(ImageId, IdError);
string_newtype_impls!(SnapshotId, IdError);
string_newtype_impls!(AccountId, IdError);
string_newtype_impls!(KmsKeyId, IdError);
string_newtype_impls!(RequestId, IdError);
string_newtype_impls!(InstanceId, IdError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_ids_of_every_real_form() {
        for ok in [
            "m-bp1h46wfpjsjastc****",
            "m-imageid1",
            "ubuntu_22_04_x64_20G_alibase_20230907.vhd",
            "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            "img-o3ycss2p",
            "Img-231234***",
        ] {
            assert!(ImageId::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "m", "1-abc", "m-a b", "m-ä", "m/abc", "-m-abc"] {
            assert!(ImageId::new(bad).is_err(), "{bad:?}");
        }
        assert!(ImageId::new("a".repeat(128)).is_ok());
        assert!(ImageId::new("a".repeat(129)).is_err());
    }

    #[test]
    fn image_ids_per_provider() {
        assert!(ImageId::parse_for(Provider::Tencent, "img-o3ycss2p").is_ok());
        assert!(ImageId::parse_for(Provider::Tencent, "img-o3ycss2").is_err());
        assert!(ImageId::parse_for(Provider::Tencent, "m-bp1h46wfpjsjastc").is_err());
        assert!(ImageId::parse_for(Provider::Alibaba, "m-bp1h46wfpjsjastc****").is_ok());
        assert!(
            ImageId::parse_for(
                Provider::Alibaba,
                "ubuntu_22_04_x64_20G_alibase_20230907.vhd"
            )
            .is_ok()
        );
        assert!(matches!(
            ImageId::parse_for(Provider::Alibaba, "img-o3ycss2p"),
            Err(IdError::NotProviderForm { .. })
        ));
    }

    #[test]
    fn generated_ids_are_valid_deterministic_and_distinct() {
        for p in Provider::ALL {
            let a = ImageId::generated(p, 1);
            assert_eq!(a, ImageId::generated(p, 1));
            assert_ne!(a, ImageId::generated(p, 2));
            assert!(ImageId::parse_for(p, a.as_str()).is_ok(), "{a}");
            let s = SnapshotId::generated(p, 7);
            assert!(SnapshotId::parse_for(p, s.as_str()).is_ok(), "{s}");
        }
    }

    #[test]
    fn base36_by_pairs_agrees_with_digit_by_digit() {
        fn reference(mut n: u64, out: &mut [u8]) {
            for slot in out.iter_mut().rev() {
                *slot = BASE36_DIGITS[(n % 36) as usize];
                n /= 36;
            }
        }
        for n in [
            0,
            1,
            35,
            36,
            1295,
            1296,
            46_655,
            u64::MAX,
            u64::MAX / 7,
            scramble(5),
        ] {
            for width in 0..=14 {
                let (mut a, mut b) = ([0u8; 14], [0u8; 14]);
                fill_base36(n, &mut a[..width]);
                reference(n, &mut b[..width]);
                assert_eq!(a, b, "n={n} width={width}");
            }
        }
        // The first generated ids, as every earlier version drew them.
        assert_eq!(
            ImageId::generated(Provider::Tencent, 1).as_str(),
            "img-0bl0awdp"
        );
    }

    #[test]
    fn snapshot_ids() {
        assert!(SnapshotId::parse_for(Provider::Tencent, "snap-gz27bh7y").is_ok());
        assert!(SnapshotId::parse_for(Provider::Alibaba, "s-bp17441ohwka0yuh****").is_ok());
        assert!(SnapshotId::parse_for(Provider::Alibaba, "snap-gz27bh7y").is_err());
        assert!(SnapshotId::new("s 1").is_err());
    }

    #[test]
    fn account_and_key_ids() {
        assert!(AccountId::new("1234567890123456").is_ok());
        assert!(AccountId::new("alice").is_ok());
        assert!(AccountId::new("").is_err());
        assert!(AccountId::new("a b").is_err());
        assert!(AccountId::new("-a").is_err());
        assert!(KmsKeyId::new("e522b26d-abf6-4e0d-b5da-04b7******3c").is_ok());
        assert!(KmsKeyId::new("acs:kms:cn-hangzhou:123:key/abc").is_ok());
        assert!(KmsKeyId::new("key with space").is_err());
    }

    #[test]
    fn request_ids() {
        assert!(RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E").is_ok());
        assert!(RequestId::new("473469c7-aa6f-4dc5-b3db-a3dc0de3c83e").is_ok());
        assert!(RequestId::new("473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83").is_err());
        assert!(RequestId::new("473469C7_AA6F-4DC5-B3DB-A3DC0DE3C83E").is_err());
        assert_eq!(
            RequestId::from_sequence(0x1234_5678_9ABC_DEF0).as_str(),
            "00000000-0000-4000-8000-56789ABCDEF0"
        );
        let r = RequestId::from_sequence(42);
        assert_eq!(r.as_str(), "00000000-0000-4000-8000-00000000002A");
        assert!(RequestId::new(r.as_str()).is_ok());
    }

    #[test]
    fn char_classes_are_the_forms_in_words() {
        type Rule = fn(char) -> bool;
        let alpha: Rule = |c| c.is_ascii_alphabetic();
        let alnum: Rule = |c| c.is_ascii_alphanumeric();
        let forms: [(&IdForm, Rule, Rule); 5] = [
            (&IMAGE_FORM, alpha, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '*')
            }),
            (&SNAPSHOT_FORM, alpha, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*')
            }),
            (&ACCOUNT_FORM, alnum, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
            }),
            (&KMS_KEY_FORM, alnum, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*' | ':' | '/')
            }),
            (&INSTANCE_FORM, alnum, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
            }),
        ];
        let chars = (0u8..=255).map(char::from).chain(['é', '镜', '\u{10FFFF}']);
        for c in chars {
            for (form, first, rest) in &forms {
                assert_eq!(
                    form.first.allows(c),
                    first(c),
                    "{:?} first {c:?}",
                    form.kind
                );
                assert_eq!(form.rest.allows(c), rest(c), "{:?} rest {c:?}", form.kind);
            }
        }
    }

    proptest::proptest! {
        /// The byte-wise check gives the same answer, error included, as the character one.
        #[test]
        fn ascii_fast_path_agrees_with_the_character_check(s in "[a-zA-Z0-9_.*:/ é镜-]{0,10}") {
            for form in [&IMAGE_FORM, &SNAPSHOT_FORM, &ACCOUNT_FORM, &KMS_KEY_FORM] {
                proptest::prop_assert_eq!(form.check(&s), form.check_chars(&s));
            }
        }
    }

    #[test]
    fn deserialize_validates() {
        assert!(serde_json::from_str::<ImageId>("\"m-abc\"").is_ok());
        assert!(serde_json::from_str::<ImageId>("\"m abc\"").is_err());
        assert!(serde_json::from_str::<AccountId>("\"\"").is_err());
    }
}

/// A client token for idempotent retries: 1 to 64 printable ASCII characters (Alibaba's
/// `ClientToken` rule). A retry with the same token and the same parameters returns the
/// first answer and has no second effect; see [`crate::engine`].
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use machine_image::engine::{Fixture, ImageService};
/// # use machine_image::{AccountId, Image, ImageId, ImageName, Profile, RegionId, Snapshot, SnapshotId};
/// # let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let mut service = ImageService::new(Profile::alibaba());
/// # let (owner, hz) = (AccountId::new("1234567890123456")?, RegionId::new("cn-hangzhou")?);
/// # let disk = SnapshotId::new("s-sys0001")?;
/// # service.register(t0, Fixture::Snapshot(Snapshot::new(disk.clone(), hz.clone(), owner.clone(), t0, 40)))?;
/// # let src = ImageId::new("m-web0001")?;
/// # let image = Image::custom(src.clone(), hz.clone(), owner.clone(), ImageName::new("web")?, vec![disk]);
/// # service.register(t0, Fixture::Image(image.size_gib(40).build()?))?;
/// use machine_image::ClientToken;
/// use machine_image::engine::CopyImage;
/// assert!(ClientToken::new("").is_err() && ClientToken::new("has space").is_err());
/// let token = ClientToken::new("retry-7f3a")?;
/// let copy = CopyImage::new(owner, hz, src, [RegionId::new("cn-shanghai")?]).client_token(token);
/// let first = service.call(t0, copy.clone())?;
/// let retry = service.call(t0, copy)?; // the same answer, no second copy
/// assert_eq!(first, retry);
/// assert_eq!(service.state().image_count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientToken(SmolStr);

/// Why a client token was refused.
///
/// ```
/// use machine_image::{ClientToken, ClientTokenError};
///
/// assert_eq!(ClientToken::new("x".repeat(65)), Err(ClientTokenError));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client token must be 1 to 64 printable ASCII characters")]
pub struct ClientTokenError;

impl ClientToken {
    /// Validates `s`.
    pub fn new(s: impl AsRef<str>) -> Result<Self, ClientTokenError> {
        let s = s.as_ref();
        if (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(ClientToken(short_text(s)))
        } else {
            Err(ClientTokenError)
        }
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

string_newtype_impls!(ClientToken, ClientTokenError);
