//! What every string newtype of the crate (names, ids, regions, tags, tokens) implements
//! the same way: parsing through its validating constructor (`FromStr`, `TryFrom<String>`,
//! which serde's `try_from` uses), and reading as text (`AsRef<str>`, `Borrow<str>`,
//! `Display`, `From<_> for String`). One macro, used by each value module, so the value
//! modules don't import each other for it.

use smol_str::SmolStr;

/// The text inside a string newtype: a `String`, an `Arc<str>`, or a [`SmolStr`]
/// for the ids and names the engine clones on every copy (a clone copies 24 bytes or counts
/// a reference; it never allocates).
pub(crate) trait IntoText {
    /// The text as a `String`.
    fn into_string(self) -> String;
}

impl IntoText for SmolStr {
    fn into_string(self) -> String {
        self.into()
    }
}

impl IntoText for String {
    fn into_string(self) -> String {
        self
    }
}

impl IntoText for std::sync::Arc<str> {
    fn into_string(self) -> String {
        String::from(&*self)
    }
}

/// `s` as a [`SmolStr`], copied byte by byte when it fits inline (as every region id and
/// most image names do): cheaper for a short text than `SmolStr::new`'s general copy.
pub(crate) fn short_text(s: &str) -> SmolStr {
    if s.len() <= 23 {
        SmolStr::new_inline(s)
    } else {
        SmolStr::new(s)
    }
}

macro_rules! string_newtype_impls {
    ($ty:ident, $err:ty) => {
        impl FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::new(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $ty::new(s)
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                $crate::newtype::IntoText::into_string(v.0)
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.0.as_ref()
            }
        }
        impl Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                self.0.as_ref()
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_ref())
            }
        }
    };
}
pub(crate) use string_newtype_impls;
