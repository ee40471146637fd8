//! A request's parameters: [`Param`], one named parameter of a line read as one
//! [`Kind`] of JSON value, and [`params!`](crate::replay::params), which declares a request
//! struct of them.
//!
//! A parameter is read leniently: a value of the wrong JSON type is kept as the type it was,
//! and refused only when the action reads the parameter, so that each action reports its
//! problems in the order it checks them (the order the providers check them in), whatever
//! the order of the line's members.

use std::borrow::Cow;

use super::failure::Failure;
use super::line::{Object, Shallow, raw, shallow};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One kind of parameter value, read from its value in the line.
pub(crate) trait Kind<'a>: Sized + Serialize {
    /// What the parameter should be, for messages (`expected a string, found number`).
    const EXPECTED: &'static str;
    /// The value, or the JSON type found instead; `None` for `null` (an absent parameter).
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>>;
}

/// A string parameter: borrowed from the line unless it has escapes.
pub(crate) type Str<'a> = Cow<'a, str>;

/// A list of strings; a single string counts as a list of one.
pub(crate) type Strs<'a> = Vec<Cow<'a, str>>;

/// A list of objects, each read later with its own request struct (a tag, a price).
pub(crate) type Objects<'a> = Vec<Object<'a>>;

/// A task id: text (`t-00000001`, or Tencent's digits) or, on Tencent, a number.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum TaskRef<'a> {
    /// A string.
    Text(Cow<'a, str>),
    /// A non-negative integer.
    Number(u64),
}

impl<'a> Kind<'a> for TaskRef<'a> {
    const EXPECTED: &'static str = "a string";
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>> {
        present(value, |v| match v {
            Shallow::Str(s) => Ok(TaskRef::Text(Cow::Borrowed(&**s))),
            Shallow::UInt(n) => Ok(TaskRef::Number(*n)),
            other => Err(other.type_name()),
        })
    }
}

/// `None` for `null` (an absent parameter), else what `f` reads.
fn present<'a, 'b, T>(
    value: &'a Shallow<'b>,
    f: impl FnOnce(&'a Shallow<'b>) -> Result<T, &'static str>,
) -> Option<Result<T, &'static str>> {
    match value {
        Shallow::Null => None,
        other => Some(f(other)),
    }
}

impl<'a> Kind<'a> for Str<'a> {
    const EXPECTED: &'static str = "a string";
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>> {
        present(value, |v| match v {
            Shallow::Str(s) => Ok(Cow::Borrowed(&**s)),
            other => Err(other.type_name()),
        })
    }
}

impl<'a> Kind<'a> for bool {
    const EXPECTED: &'static str = "a boolean";
    /// `true`/`false`, or the strings `"true"`/`"false"` as the providers' query APIs send them.
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>> {
        present(value, |v| match v {
            Shallow::Bool(b) => Ok(*b),
            Shallow::Str(s) if s == "true" => Ok(true),
            Shallow::Str(s) if s == "false" => Ok(false),
            other => Err(other.type_name()),
        })
    }
}

impl<'a> Kind<'a> for u64 {
    const EXPECTED: &'static str = "a non-negative integer";
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>> {
        present(value, |v| match v {
            Shallow::UInt(n) => Ok(*n),
            other => Err(other.type_name()),
        })
    }
}

impl<'a> Kind<'a> for Strs<'a> {
    const EXPECTED: &'static str = "a list of strings";
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>> {
        present(value, |v| match v {
            Shallow::Str(s) => Ok(vec![Cow::Borrowed(&**s)]),
            Shallow::Array(items) => items
                .iter()
                .map(|item| match shallow(item) {
                    Shallow::Str(s) => Ok(s),
                    other => Err(other.type_name()),
                })
                .collect(),
            other => Err(other.type_name()),
        })
    }
}

impl<'a> Kind<'a> for Objects<'a> {
    const EXPECTED: &'static str = "a list of objects";
    fn read(value: &'a Shallow<'_>) -> Option<Result<Self, &'static str>> {
        present(value, |v| match v {
            Shallow::Array(items) => items
                .iter()
                .map(|item| match shallow(item) {
                    Shallow::Object(o) => Ok(o),
                    other => Err(other.type_name()),
                })
                .collect(),
            other => Err(other.type_name()),
        })
    }
}

/// One named parameter of a request: absent, a value of its kind, or a value of another
/// JSON type (refused when read).
#[derive(Debug)]
pub(crate) struct Param<T> {
    name: &'static str,
    value: Option<Result<T, &'static str>>,
    /// Whether the line named the parameter (a name given twice keeps its first value).
    named: bool,
}

impl<T> Param<T> {
    /// The parameter `name`, absent.
    pub(crate) const fn absent(name: &'static str) -> Self {
        Param {
            name,
            value: None,
            named: false,
        }
    }

    /// The parameter's name.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// Sets the value (for rendering a command as a line).
    pub(crate) fn set(&mut self, value: T) {
        self.value = Some(Ok(value));
    }

    /// A failure naming this parameter.
    #[cold]
    pub(crate) fn invalid(&self, why: &str) -> Failure {
        Failure::invalid(self.name, why)
    }

    /// The failure of this parameter's absence.
    #[cold]
    pub(crate) fn missing(&self) -> Failure {
        Failure::missing(self.name)
    }
}

impl<'a, T: Kind<'a>> Param<T> {
    /// Reads the value from the line's, unless the line named the parameter before.
    pub(crate) fn read(&mut self, value: &'a Shallow<'_>) {
        if !self.named {
            self.named = true;
            self.value = T::read(value);
        }
    }

    /// The value, `None` when absent; a value of another type is refused.
    // Inlined, its refusal out of line: every parameter a line gives is read through here.
    #[inline]
    pub(crate) fn opt(&self) -> Result<Option<&T>, Failure> {
        match &self.value {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(found)) => Err(self.wrong_type(found)),
        }
    }

    /// The refusal of a value of another JSON type, `found`.
    #[cold]
    #[inline(never)]
    fn wrong_type(&self, found: &str) -> Failure {
        self.invalid(&format!("expected {}, found {found}", T::EXPECTED))
    }

    /// The value; absent is `MissingParameter`.
    pub(crate) fn req(&self) -> Result<&T, Failure> {
        self.opt()?.ok_or_else(|| self.missing())
    }

    /// Adds the parameter to `object` when it has a value (for rendering).
    pub(crate) fn write(&self, object: &mut Object<'_>) {
        if let Some(Ok(v)) = &self.value {
            object.push(self.name, raw(v));
        }
    }
}

impl<'a> Param<Str<'a>> {
    /// The string, `None` when absent.
    pub(crate) fn str_opt(&self) -> Result<Option<&str>, Failure> {
        Ok(self.opt()?.map(|s| s.as_ref()))
    }

    /// The string; absent is `MissingParameter`.
    pub(crate) fn str_req(&self) -> Result<&str, Failure> {
        Ok(self.req()?.as_ref())
    }

    /// An RFC 3339 time, `None` when absent.
    pub(crate) fn time_opt(&self) -> Result<Option<DateTime<Utc>>, Failure> {
        self.str_opt()?.map(|t| self.parse_time(t)).transpose()
    }

    /// An RFC 3339 time; absent is `MissingParameter`.
    pub(crate) fn time_req(&self) -> Result<DateTime<Utc>, Failure> {
        self.parse_time(self.str_req()?)
    }

    /// `text` (this parameter's) as an RFC 3339 time.
    fn parse_time(&self, text: &str) -> Result<DateTime<Utc>, Failure> {
        match utc_seconds(text) {
            Some(t) => Ok(t),
            None => self.parse_rfc3339(text),
        }
    }

    /// [`Self::parse_time`] for a time not in the common shape, out of line: chrono's
    /// general parser and the refusal would weigh on every line's common case.
    #[cold]
    #[inline(never)]
    fn parse_rfc3339(&self, text: &str) -> Result<DateTime<Utc>, Failure> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.invalid(&format!("not an RFC 3339 time ({e})")))
    }

    /// Sets a borrowed string (for rendering).
    pub(crate) fn set_str(&mut self, s: &'a str) {
        self.set(Cow::Borrowed(s));
    }
}

impl Param<bool> {
    /// The flag, `default` when absent.
    pub(crate) fn or(&self, default: bool) -> Result<bool, Failure> {
        Ok(self.opt()?.copied().unwrap_or(default))
    }
}

impl Param<u64> {
    /// The number, `None` when absent.
    pub(crate) fn u64_opt(&self) -> Result<Option<u64>, Failure> {
        Ok(self.opt()?.copied())
    }

    /// The number as a `u32`, `None` when absent.
    pub(crate) fn u32_opt(&self) -> Result<Option<u32>, Failure> {
        self.u64_opt()?
            .map(|n| u32::try_from(n).map_err(|_| self.invalid("too large")))
            .transpose()
    }
}

impl<'a> Param<Strs<'a>> {
    /// The strings, `None` when absent.
    pub(crate) fn strs_opt(&self) -> Result<Option<Vec<&str>>, Failure> {
        Ok(self.opt()?.map(|v| v.iter().map(|s| s.as_ref()).collect()))
    }

    /// The strings, empty when absent.
    pub(crate) fn strs(&self) -> Result<Vec<&str>, Failure> {
        Ok(self.strs_opt()?.unwrap_or_default())
    }

    /// The items of a comma-separated list or an array (`DescribeImages`' `ImageId`),
    /// trimmed, empty items dropped; `None` when absent.
    pub(crate) fn list_opt(&self) -> Result<Option<Vec<&str>>, Failure> {
        Ok(self.strs_opt()?.map(|items| {
            items
                .into_iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        }))
    }

    /// Sets borrowed strings (for rendering).
    pub(crate) fn set_strs<S: AsRef<str>>(&mut self, items: &'a [S]) {
        self.set(items.iter().map(|s| Cow::Borrowed(s.as_ref())).collect());
    }
}

/// The common shape of a line's time, `YYYY-MM-DDTHH:MM:SSZ`, read without chrono's general
/// RFC 3339 parser (a measurable share of a line); `None` for any other text, which chrono
/// then reads (or refuses) as before.
fn utc_seconds(text: &str) -> Option<DateTime<Utc>> {
    let b: &[u8; 20] = text.as_bytes().try_into().ok()?;
    if (b[4], b[7], b[10], b[13], b[16], b[19]) != (b'-', b'-', b'T', b':', b':', b'Z') {
        return None;
    }
    // Each digit's value, 10 or more for a byte that is not a digit: the 14 are checked at
    // once, then combined without further branches.
    let d = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if DIGITS.iter().fold(0, |max, &i| max.max(d(i))) > 9 {
        return None;
    }
    let two = |i: usize| d(i) * 10 + d(i + 1);
    let year = two(0) * 100 + two(2);
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, two(5), two(8))?;
    // A leap second (`:60`) is left to chrono, which reads it as the last nanoseconds.
    let time = chrono::NaiveTime::from_hms_opt(two(11), two(14), two(17))?;
    Some(date.and_time(time).and_utc())
}

/// Declares a request struct: each member a [`Param`] with the provider's parameter name
/// (`"RegionId" | "Region"`: Alibaba's name, then Tencent's, where the two forms name one
/// parameter differently) and its [`Kind`], in the order a rendered line lists them.
/// Generates `ALIBABA_NAMES` and `TENCENT_NAMES` (for [`super::ACTIONS`], the docs table and
/// its test), `blank_for` (every parameter absent, named as the provider names it; `blank`:
/// Alibaba's names), `read_for` (a line's members: a name not declared for the provider, nor
/// `at` and `Action`, is refused, the first such in the line's order; `read`: Alibaba's) and
/// `write` (the given parameters, in the declared order).
macro_rules! params {
    ($(#[$meta:meta])* $vis:vis struct $name:ident<$lt:lifetime> {
        $($key:literal $(| $tencent:literal)? => $field:ident: $kind:ty),* $(,)?
    }) => {
        $(#[$meta])*
        $vis struct $name<$lt> {
            $(pub(crate) $field: $crate::replay::param::Param<$kind>,)*
        }

        #[allow(dead_code)]
        impl<$lt> $name<$lt> {
            /// The parameters in Alibaba's form, in the declared order.
            pub(crate) const ALIBABA_NAMES: &'static [&'static str] = &[$($key),*];

            /// The parameters in Tencent's form, in the declared order.
            pub(crate) const TENCENT_NAMES: &'static [&'static str] =
                &[$($crate::replay::param::tencent_name!($key $(, $tencent)?)),*];

            /// Every parameter absent, named as `provider` names it.
            pub(crate) fn blank_for(provider: $crate::provider::Provider) -> Self {
                if provider == $crate::provider::Provider::Tencent {
                    $name {
                        $($field: $crate::replay::param::Param::absent(
                            $crate::replay::param::tencent_name!($key $(, $tencent)?),
                        ),)*
                    }
                } else {
                    $name { $($field: $crate::replay::param::Param::absent($key),)* }
                }
            }

            /// Every parameter absent, with Alibaba's names.
            pub(crate) fn blank() -> Self {
                Self::blank_for($crate::provider::Provider::Alibaba)
            }

            /// Reads `object`'s members as `provider` names them; refuses the first name that
            /// is not declared (nor `at` or `Action`).
            pub(crate) fn read_for(
                object: &$lt $crate::replay::line::Object<'_>,
                provider: $crate::provider::Provider,
            ) -> Result<Self, $crate::replay::failure::Failure> {
                let mut request = Self::blank_for(provider);
                request.read_members(object, provider)?;
                Ok(request)
            }

            /// [`Self::read_for`] into a request already made blank for `provider` (the
            /// runner's, which answers it where it was made instead of moving it out of a
            /// `Result`).
            pub(crate) fn read_members(
                &mut self,
                object: &$lt $crate::replay::line::Object<'_>,
                provider: $crate::provider::Provider,
            ) -> Result<(), $crate::replay::failure::Failure> {
                let request = self;
                let tencent = provider == $crate::provider::Provider::Tencent;
                // One `match` per form: the compiler dispatches on the literal names.
                for (name, value) in object.members() {
                    if tencent {
                        match name {
                            $($crate::replay::param::tencent_name!($key $(, $tencent)?) => {
                                request.$field.read(value)
                            })*
                            "at" | "Action" => {}
                            other => return Err($crate::replay::failure::Failure::unknown(other)),
                        }
                    } else {
                        match name {
                            $($key => request.$field.read(value),)*
                            "at" | "Action" => {}
                            other => return Err($crate::replay::failure::Failure::unknown(other)),
                        }
                    }
                }
                Ok(())
            }

            /// Reads `object`'s members with Alibaba's names (see [`Self::read_for`]).
            pub(crate) fn read(
                object: &$lt $crate::replay::line::Object<'_>,
            ) -> Result<Self, $crate::replay::failure::Failure> {
                Self::read_for(object, $crate::provider::Provider::Alibaba)
            }

            /// Adds the given parameters to `object`, in the declared order.
            pub(crate) fn write(&self, object: &mut $crate::replay::line::Object<'_>) {
                $(self.$field.write(object);)*
            }
        }
    };
}
pub(crate) use params;

/// The Tencent name of a parameter: the second name where there are two.
macro_rules! tencent_name {
    ($alibaba:literal) => {
        $alibaba
    };
    ($alibaba:literal, $tencent:literal) => {
        $tencent
    };
}
pub(crate) use tencent_name;

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path reads every time it takes as chrono does, and leaves the rest to it.
    #[test]
    fn the_fast_time_path_agrees_with_chrono() {
        let chrono = |t: &str| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        };
        for t in [
            "2026-01-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T12:30:45Z",
        ] {
            assert_eq!(utc_seconds(t), chrono(t), "{t}");
            assert!(utc_seconds(t).is_some(), "{t}");
        }
        for t in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T23:59:60Z",
            "2026-01-01t00:00:00Z",
            "2026-01-01T00:00:00z",
            "2026-01-01T00:00:00+00:00",
            "2026-01-01T00:00:00.5Z",
            "+026-01-01T00:00:00Z",
            "2026-01-01T00:00:0ZZ",
            "２026-01-01T00:00:00Z",
        ] {
            assert_eq!(utc_seconds(t), None, "{t}");
        }
    }

    proptest::proptest! {
        /// Over every field's range and past it: where the fast path reads a time it is
        /// chrono's; where it declines, chrono refuses too, but for a leap second.
        #[test]
        fn the_fast_time_path_agrees_with_chrono_everywhere(
            y in 0u32..10000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, s in 0u32..62,
        ) {
            let t = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
            let chrono = DateTime::parse_from_rfc3339(&t).ok().map(|t| t.with_timezone(&Utc));
            match utc_seconds(&t) {
                Some(fast) => proptest::prop_assert_eq!(Some(fast), chrono),
                None => proptest::prop_assert!(chrono.is_none() || s == 60),
            }
        }
    }
}
