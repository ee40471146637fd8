//! Reading a line: `serde_json` reads its text once into an [`Object`], each parameter's
//! name beside its value read one level deep ([`Shallow`]: a string borrows the line's text
//! unless it has escapes; an array's elements stay unparsed [`RawValue`]s, read when a
//! parameter reads them); each action's request struct ([`super::params`]) then takes the
//! parameters it declares. No value tree is built.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

/// A JSON object's members, names beside their values read one level deep, in the line's
/// order. A name given twice counts with its first value: [`Object::get`] and the request
/// structs ([`super::param::Param::read`]) ignore the later ones, as the runner always has.
/// A line being rendered is one too, its values [`Shallow::Rendered`].
#[derive(Debug, Default)]
pub(crate) struct Object<'a> {
    members: Vec<(Cow<'a, str>, Shallow<'a>)>,
}

impl<'a> Object<'a> {
    /// The members, in order.
    pub(crate) fn members(&self) -> impl Iterator<Item = (&str, &Shallow<'a>)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Shallow<'a>> {
        self.members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Adds a member (for rendering), unless `name` is already there.
    pub(crate) fn push(&mut self, name: &'a str, value: Box<RawValue>) {
        if self.get(name).is_none() {
            self.members
                .push((Cow::Borrowed(name), Shallow::Rendered(value)));
        }
    }
}

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.members.len()))?;
        for (k, v) in &self.members {
            map.serialize_entry(k.as_ref(), v)?;
        }
        map.end()
    }
}

/// A JSON value one level deep: its type, and for a string, an array or an object what
/// the readers of parameters need.
#[derive(Debug)]
pub(crate) enum Shallow<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A non-negative integer that fits a `u64`.
    UInt(u64),
    /// Any other number.
    OtherNumber,
    /// A string.
    Str(Cow<'a, str>),
    /// An array, its elements unparsed.
    Array(Vec<&'a RawValue>),
    /// An object read on its own (a line, an array's element): its members.
    Object(Object<'a>),
    /// An object that is a member's value: no parameter reads one, so it is only checked.
    InnerObject,
    /// A value rendered as JSON text, for a line being written; reading never makes one.
    Rendered(Box<RawValue>),
}

impl Shallow<'_> {
    /// The JSON type's name, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Shallow::Null => "null",
            Shallow::Bool(_) => "boolean",
            Shallow::UInt(_) | Shallow::OtherNumber => "number",
            Shallow::Str(_) => "string",
            Shallow::Array(_) => "array",
            Shallow::Object(_) | Shallow::InnerObject => "object",
            Shallow::Rendered(raw) => shallow(raw).type_name(),
        }
    }
}

/// Writes the value's JSON text; the numbers of [`Shallow::OtherNumber`] and the members of
/// [`Shallow::InnerObject`] are not kept, so those are refused (only rendered lines are
/// written).
impl Serialize for Shallow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shallow::Null => s.serialize_unit(),
            Shallow::Bool(b) => s.serialize_bool(*b),
            Shallow::UInt(n) => s.serialize_u64(*n),
            Shallow::Str(text) => s.serialize_str(text),
            Shallow::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Shallow::Object(object) => object.serialize(s),
            Shallow::Rendered(raw) => raw.serialize(s),
            Shallow::OtherNumber | Shallow::InnerObject => Err(S::Error::custom(format!(
                "a {} read from a line is not kept",
                self.type_name()
            ))),
        }
    }
}

/// The plain strings, flags and counts of `text`, read directly (it was checked to be JSON,
/// so a quoted text without a backslash is the string between the quotes); `None` for the
/// rest, which serde_json reads.
fn plain(text: &str) -> Option<Shallow<'_>> {
    match text.as_bytes() {
        [b'"', inner @ .., b'"'] if !inner.contains(&b'\\') => {
            Some(Shallow::Str(Cow::Borrowed(&text[1..text.len() - 1])))
        }
        b"true" => Some(Shallow::Bool(true)),
        b"false" => Some(Shallow::Bool(false)),
        b"null" => Some(Shallow::Null),
        digits @ [b'1'..=b'9', ..]
            if digits.len() < 20 && digits.iter().all(u8::is_ascii_digit) =>
        {
            text.parse().ok().map(Shallow::UInt)
        }
        _ => None,
    }
}

/// Reads `raw` (an array's element) one level deep. `raw` was checked to be JSON when its
/// line was read; a value serde_json still refuses (a number out of range, a lone
/// surrogate) counts as `null`, as does one of an object's members.
pub(crate) fn shallow<'a>(raw: &'a RawValue) -> Shallow<'a> {
    let text = raw.get();
    plain(text).unwrap_or_else(|| read(text, Depth::Own).unwrap_or(Shallow::Null))
}

/// Reads a member's `raw` value as [`shallow`] does, an object as [`Shallow::InnerObject`].
fn member<'a>(raw: &'a RawValue) -> Shallow<'a> {
    let text = raw.get();
    plain(text).unwrap_or_else(|| {
        let mut de = serde_json::Deserializer::from_str(text);
        Depth::Member.deserialize(&mut de).unwrap_or(Shallow::Null)
    })
}

/// Reads a whole line: JSON text in, its shallow value out, or `serde_json`'s account of
/// why it is not JSON.
pub(crate) fn read_line(text: &str) -> Result<Shallow<'_>, serde_json::Error> {
    read(text, Depth::Own)
}

/// Reads `text` in one pass, each member's value with it. A value serde_json refuses where
/// a [`RawValue`] is accepted (a number out of range, a lone surrogate) fails the pass; then
/// `text` is read again as the runner always has, each member first as unparsed JSON, so
/// the line is refused, or the value counts as `null`, exactly as before.
fn read(text: &str, depth: Depth) -> Result<Shallow<'_>, serde_json::Error> {
    whole(text, depth).or_else(|_| whole(text, Depth::Unparsed))
}

/// Reads all of `text` as one value at `depth`.
fn whole(text: &str, depth: Depth) -> Result<Shallow<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = depth.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A string that borrows from the input unless it has escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Where a value is read, which decides how an object's members are.
#[derive(Debug, Clone, Copy)]
enum Depth {
    /// On its own (a line, an array's element): the members' values read with it.
    Own,
    /// A member's value: an object's members are only checked ([`Shallow::InnerObject`]).
    Member,
    /// On its own, read as the runner always has: each member's value first as unparsed
    /// JSON, then on its own (see [`read`]).
    Unparsed,
}

impl<'de> Deserialize<'de> for Shallow<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Depth::Own.deserialize(d)
    }
}

impl<'de> DeserializeSeed<'de> for Depth {
    type Value = Shallow<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Depth {
    type Value = Shallow<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Shallow::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Shallow::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Shallow::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Shallow::UInt(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(v).map_or(Shallow::OtherNumber, Shallow::UInt))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Shallow::OtherNumber)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Shallow::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Shallow::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Shallow::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item);
        }
        Ok(Shallow::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if let Depth::Member = self {
            // Names as a line's (a lone surrogate refused), values as unparsed JSON.
            while map.next_key::<Text<'de>>()?.is_some() {
                map.next_value::<IgnoredAny>()?;
            }
            return Ok(Shallow::InnerObject);
        }
        let mut object = Object {
            members: Vec::with_capacity(map.size_hint().unwrap_or(12)),
        };
        match self {
            Depth::Member | Depth::Own => {
                while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
                    let value = map.next_value_seed(Depth::Member)?;
                    object.members.push((name, value));
                }
            }
            Depth::Unparsed => {
                while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    object.members.push((name, member(value)));
                }
            }
        }
        Ok(Shallow::Object(object))
    }
}

/// Builds a [`RawValue`] from a value that serialises (for rendering lines).
pub(crate) fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    // The crate's parameter values serialise to JSON without fail (strings, numbers,
    // booleans, lists and objects of them); `null` stands for the impossible failure.
    serde_json::value::to_raw_value(value)
        .unwrap_or_else(|_| RawValue::from_string("null".to_owned()).expect("null is JSON"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_one_level_deep_and_keeps_the_first_of_a_repeated_name() {
        let Ok(Shallow::Object(o)) =
            read_line(r#"{"A":"x","B":[1,"y"],"A":"later","C":{"D":null},"E":"q\"s","F":7}"#)
        else {
            panic!("an object")
        };
        let names: Vec<_> = o.members().map(|(k, _)| k.to_owned()).collect();
        assert_eq!(names, ["A", "B", "A", "C", "E", "F"]);
        assert!(matches!(o.get("A"), Some(Shallow::Str(Cow::Borrowed("x")))));
        let Some(Shallow::Array(items)) = o.get("B") else {
            panic!("an array")
        };
        assert_eq!(shallow(items[0]).type_name(), "number");
        assert!(matches!(
            shallow(items[1]),
            Shallow::Str(Cow::Borrowed("y"))
        ));
        assert!(matches!(o.get("E"), Some(Shallow::Str(Cow::Owned(s))) if s == "q\"s"));
        assert!(matches!(o.get("C"), Some(Shallow::InnerObject)));
        assert!(matches!(o.get("F"), Some(Shallow::UInt(7))));
    }

    /// An array's element that is an object has its members read with it.
    #[test]
    fn an_elements_object_reads_its_members() {
        let Ok(Shallow::Object(o)) = read_line(r#"{"T":[{"Key":"k","V":{"W":1},"N":2}]}"#) else {
            panic!("an object")
        };
        let Some(Shallow::Array(items)) = o.get("T") else {
            panic!("an array")
        };
        let Shallow::Object(entry) = shallow(items[0]) else {
            panic!("an object")
        };
        assert!(matches!(
            entry.get("Key"),
            Some(Shallow::Str(Cow::Borrowed("k")))
        ));
        assert_eq!(entry.get("V").map(Shallow::type_name), Some("object"));
        assert!(matches!(entry.get("N"), Some(Shallow::UInt(2))));
    }

    /// A value serde_json refuses where unparsed JSON is accepted fails the one pass; the
    /// line is then read as before: a member's value counts as `null`, a line of one is
    /// refused, and a later member keeps its value.
    #[test]
    fn values_serde_json_refuses_count_as_null_as_before() {
        for (line, kind) in [
            (r#"{"A":1e999,"B":"b"}"#, "null"),
            (r#"{"A":"\ud800","B":"b"}"#, "null"),
            (r#"{"A":[1e999],"B":"b"}"#, "array"),
            (r#"{"A":{"C":1e999},"B":"b"}"#, "object"),
            (r#"{"A":{"\ud800":1},"B":"b"}"#, "null"),
        ] {
            let Ok(Shallow::Object(o)) = read_line(line) else {
                panic!("{line}: an object")
            };
            assert_eq!(o.get("A").map(Shallow::type_name), Some(kind), "{line}");
            assert!(
                matches!(o.get("B"), Some(Shallow::Str(Cow::Borrowed("b")))),
                "{line}"
            );
        }
        assert!(read_line("1e999").is_err());
        let element = RawValue::from_string(r#"{"Key":1e999,"V":"v"}"#.to_owned()).unwrap();
        let Shallow::Object(entry) = shallow(&element) else {
            panic!("an object")
        };
        assert_eq!(entry.get("Key").map(Shallow::type_name), Some("null"));
        assert!(matches!(
            entry.get("V"),
            Some(Shallow::Str(Cow::Borrowed("v")))
        ));
    }

    #[test]
    fn a_rendered_line_writes_its_members_in_order_and_once() {
        let mut o = Object::default();
        o.push("A", raw("x"));
        o.push("B", raw(&["y", "z"]));
        o.push("A", raw("later"));
        o.push("C", raw(&7u64));
        assert_eq!(o.get("B").map(Shallow::type_name), Some("array"));
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"A":"x","B":["y","z"],"C":7}"#
        );
    }

    #[test]
    fn numbers_other_than_unsigned_integers_are_other_numbers() {
        for text in ["-1", "1.5", "1e3", "18446744073709551616", "10.0"] {
            assert!(
                matches!(read_line(text).unwrap(), Shallow::OtherNumber),
                "{text}"
            );
            let raw = RawValue::from_string(text.to_owned()).unwrap();
            assert!(matches!(shallow(&raw), Shallow::OtherNumber), "{text}");
        }
        assert!(matches!(read_line("7").unwrap(), Shallow::UInt(7)));
        for (text, n) in [("0", 0), ("7", 7), ("18446744073709551615", u64::MAX)] {
            let raw = RawValue::from_string(text.to_owned()).unwrap();
            assert!(
                matches!(shallow(&raw), Shallow::UInt(m) if m == n),
                "{text}"
            );
        }
    }

    /// The fast paths of `shallow` read each value as serde_json does, and a member's value
    /// read in the line's one pass is the same as the value read on its own.
    #[test]
    fn the_fast_paths_read_as_serde_json_does() {
        let texts = [
            r#""plain""#,
            r#""esc\"aped""#,
            r#""""#,
            r#""\u00e9""#,
            "true",
            "false",
            "null",
            "[1]",
            "12",
            "-3",
            "2.5",
        ];
        for text in texts {
            let raw = RawValue::from_string(text.to_owned()).unwrap();
            let fast = format!("{:?}", shallow(&raw));
            let mut de = serde_json::Deserializer::from_str(text);
            let slow = format!("{:?}", Shallow::deserialize(&mut de).unwrap());
            let line = format!(r#"{{"P":{text}}}"#);
            let Ok(Shallow::Object(line)) = read_line(&line) else {
                panic!("{text}: an object")
            };
            let in_line = format!("{:?}", line.get("P").unwrap());
            let borrowed = |s: String| s.replace("Owned", "Borrowed");
            assert_eq!(borrowed(fast.clone()), borrowed(slow), "{text}");
            assert_eq!(borrowed(fast), borrowed(in_line), "{text}");
        }
    }

    #[test]
    fn text_that_is_not_json_is_an_error() {
        assert!(read_line("{\"Action\": ").is_err());
        assert!(read_line("{} x").is_err());
    }
}
