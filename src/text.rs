//! [`Text`]: the immutable text inside ids, region ids and image names.
//!
//! The engine's maps are keyed by ids, and an id is cloned into every image, snapshot, task
//! and event that names it. Text of up to [`INLINE`] bytes (every generated id, UIDs, region
//! ids, most names) is stored inline: cloning it copies 24 bytes, and comparing or hashing a
//! map key reads the key itself, not a heap allocation that is likely out of cache on a big
//! registry. Longer text is shared behind an `Arc<str>`.
//!
//! Equality, order and hashing are those of the text's bytes, exactly as for `str`, whichever
//! way it is stored (so the id types can keep `Borrow<str>`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The longest text stored inline, in bytes. 22 keeps [`Text`] at 24 bytes (a tag, a
/// length, the bytes) and fits Alibaba's generated ids (`m-` + 20 characters).
pub(crate) const INLINE: usize = 22;

/// Immutable UTF-8 text: inline when short, shared when long. See the module docs.
#[derive(Clone)]
pub(crate) enum Text {
    /// Up to [`INLINE`] bytes; the first `len` are the text, the rest are zero.
    Inline {
        /// How many bytes are text.
        len: u8,
        /// The text, zero-padded.
        bytes: [u8; INLINE],
    },
    /// Longer text.
    Shared(Arc<str>),
}

impl Text {
    /// The text as bytes (no UTF-8 check: they came from a `str`).
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Text::Shared(s) => s.as_bytes(),
        }
    }

    /// The text.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // The bytes were copied from a `str` whole, so they are UTF-8; the crate forbids
            // `unsafe`, so they are checked again (a short loop over ASCII, in practice).
            Text::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)])
                .expect("inline text is copied from a str"),
            Text::Shared(s) => s,
        }
    }
}

impl Text {
    /// Text from `bytes` that are ASCII, as generated ids are, without going through `str`.
    /// (Bytes that are not ASCII are read as UTF-8, any invalid sequence replaced, so a
    /// `Text` always holds UTF-8.)
    pub(crate) fn from_ascii(bytes: &[u8]) -> Text {
        if !bytes.is_ascii() {
            return Text::from(&*String::from_utf8_lossy(bytes));
        }
        Text::from_utf8_bytes(bytes)
    }

    /// Text from the first `len` bytes of `padded`, with no copy of a variable length: for
    /// ids built in place. The bytes must be ASCII and zero after `len` (anything else is
    /// taken through [`Text::from_ascii`]).
    #[inline]
    pub(crate) fn from_padded_ascii(padded: [u8; INLINE], len: usize) -> Text {
        if len <= INLINE && padded.is_ascii() && padded[len..].iter().all(|&b| b == 0) {
            Text::Inline {
                // At most `INLINE` (22), so it fits a byte.
                len: len as u8,
                bytes: padded,
            }
        } else {
            Text::from_ascii(&padded[..len.min(INLINE)])
        }
    }

    /// Whether the text is stored inline (a clone copies it; there is nothing to share).
    #[inline]
    pub(crate) fn is_inline(&self) -> bool {
        matches!(self, Text::Inline { .. })
    }

    /// How many characters the text has (its bytes that don't continue a character).
    pub(crate) fn char_count(&self) -> usize {
        self.as_bytes()
            .iter()
            .filter(|&&b| !(0x80..0xC0).contains(&b))
            .count()
    }

    /// `bytes`, which are UTF-8, inline when short.
    #[inline]
    fn from_utf8_bytes(bytes: &[u8]) -> Text {
        if bytes.len() <= INLINE {
            let mut inline = [0u8; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Text::Inline {
                // At most `INLINE` (22), so it fits a byte.
                len: bytes.len() as u8,
                bytes: inline,
            }
        } else {
            Text::Shared(Arc::from(
                std::str::from_utf8(bytes).expect("the caller passes UTF-8"),
            ))
        }
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(s: &str) -> Self {
        if s.len() <= INLINE {
            Text::from_utf8_bytes(s.as_bytes())
        } else {
            Text::Shared(Arc::from(s))
        }
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            // Inline bytes are zero-padded, so equal text means equal arrays.
            (Text::Inline { len: a, bytes: x }, Text::Inline { len: b, bytes: y }) => {
                a == b && x == y
            }
            (Text::Shared(a), Text::Shared(b)) => Arc::ptr_eq(a, b) || a == b,
            // Text is inline exactly when it is short, so the two forms never hold equal text.
            _ => false,
        }
    }
}

impl Eq for Text {}

impl Ord for Text {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // Zero padding sorts before every byte, so comparing the padded arrays orders
            // the text, except that a text ending in NUL bytes ties with the text without
            // them, which the lengths then order. Compared as big-endian words: the
            // arrays' own `cmp` is a call to `memcmp`.
            (Text::Inline { len: a, bytes: x }, Text::Inline { len: b, bytes: y }) => {
                words(x).cmp(&words(y)).then(a.cmp(b))
            }
            _ => self.as_bytes().cmp(other.as_bytes()),
        }
    }
}

/// Inline bytes as three big-endian words, which order as the bytes do.
#[inline]
fn words(bytes: &[u8; INLINE]) -> (u64, u64, u64) {
    let mut tail = [0u8; 8];
    tail[..INLINE - 16].copy_from_slice(&bytes[16..]);
    let word = |b: &[u8]| u64::from_be_bytes(b.try_into().expect("8 bytes"));
    (
        word(&bytes[..8]),
        word(&bytes[8..16]),
        u64::from_be_bytes(tail),
    )
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Text {
    /// Hashes as `str` does (the bytes, then `0xff`), so `Borrow<str>` lookups agree.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl crate::newtype::IntoText for Text {
    fn into_string(self) -> String {
        self.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn short_text_is_inline_and_long_text_shared() {
        assert!(matches!(Text::from("m-abc"), Text::Inline { len: 5, .. }));
        assert!(matches!(
            Text::from(&*"a".repeat(INLINE)),
            Text::Inline { .. }
        ));
        assert!(matches!(
            Text::from(&*"a".repeat(INLINE + 1)),
            Text::Shared(_)
        ));
        assert_eq!(std::mem::size_of::<Text>(), 24);
    }

    proptest::proptest! {
        #[test]
        fn orders_equates_and_hashes_as_str(a in "[ab\\x00é]{0,30}", b in "[ab\\x00é]{0,30}") {
            let (ta, tb) = (Text::from(&*a), Text::from(&*b));
            proptest::prop_assert_eq!(ta.cmp(&tb), a.cmp(&b));
            proptest::prop_assert_eq!(ta == tb, a == b);
            proptest::prop_assert_eq!(hash_of(&ta), hash_of(&*a));
            proptest::prop_assert_eq!(ta.as_str(), &*a);
        }
    }

    #[test]
    fn from_padded_ascii_takes_the_prefix() {
        let mut padded = [0u8; INLINE];
        padded[..3].copy_from_slice(b"m-1");
        assert_eq!(Text::from_padded_ascii(padded, 3), Text::from("m-1"));
        // Bytes after the length are not part of the text.
        assert_eq!(Text::from_padded_ascii(padded, 2), Text::from("m-"));
    }

    #[test]
    fn from_ascii_keeps_ascii_and_repairs_the_rest() {
        assert_eq!(Text::from_ascii(b"m-0123").as_str(), "m-0123");
        assert_eq!(Text::from_ascii(&[b'a', 0xff]).as_str(), "a\u{fffd}");
    }

    #[test]
    fn behaves_as_its_str() {
        for (a, b) in [
            ("", "a"),
            ("ab", "ab\0"),
            ("ab\0c", "ab"),
            ("b", "ab"),
            ("abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuw"),
            ("abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuvw"),
            ("abc", "abd"),
            ("abc", "abc"),
            ("镜像", "镜"),
            (&*"x".repeat(22), &*"x".repeat(23)),
            (&*"y".repeat(40), &*"y".repeat(40)),
        ] {
            let (ta, tb) = (Text::from(a), Text::from(b));
            assert_eq!(ta.as_str(), a);
            assert_eq!(ta == tb, a == b, "{a:?} == {b:?}");
            assert_eq!(ta.cmp(&tb), a.cmp(b), "{a:?} cmp {b:?}");
            assert_eq!(hash_of(&ta), hash_of(a));
            assert_eq!(format!("{ta:?}"), format!("{a:?}"));
            assert_eq!(ta.char_count(), a.chars().count());
        }
    }
}
