//! Reading a line: `serde_json` reads its text once into a [`RawObject`], each parameter's
//! name beside its unparsed JSON text ([`RawValue`]); each action's request struct
//! ([`super::params`]) then reads the parameters it declares from those texts. No value tree
//! is built: a string borrows the line's text unless it has escapes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

/// A JSON object's members, names beside their unparsed values, in the line's order. A name
/// given twice counts with its first value: [`RawObject::get`] and the request structs
/// ([`super::param::Param::read`]) ignore the later ones, as the runner always has.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawObject<'a> {
    members: Vec<(Cow<'a, str>, Cow<'a, RawValue>)>,
}

impl<'a> RawObject<'a> {
    /// The members, in order.
    pub(crate) fn members(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), &**v))
    }

    /// The unparsed value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&RawValue> {
        self.members
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }

    /// Adds a member (for rendering), unless `name` is already there.
    pub(crate) fn push(&mut self, name: &'a str, value: Box<RawValue>) {
        if self.get(name).is_none() {
            self.members.push((Cow::Borrowed(name), Cow::Owned(value)));
        }
    }
}

impl Serialize for RawObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.members.len()))?;
        for (k, v) in &self.members {
            map.serialize_entry(k.as_ref(), v.as_ref())?;
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
    /// An object.
    Object(RawObject<'a>),
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
            Shallow::Object(_) => "object",
        }
    }
}

/// Reads `raw` one level deep. `raw` was checked to be JSON when its line was read, so
/// this can't fail; should it, the value counts as `null`.
pub(crate) fn shallow<'a>(raw: &'a RawValue) -> Shallow<'a> {
    let text = raw.get();
    // Most parameters are plain strings, flags and counts: read those directly (the line was
    // checked to be JSON, so a quoted text without a backslash is the string between the
    // quotes); arrays, objects, escapes and other numbers go through serde_json.
    match text.as_bytes() {
        [b'"', inner @ .., b'"'] if !inner.contains(&b'\\') => {
            return Shallow::Str(Cow::Borrowed(&text[1..text.len() - 1]));
        }
        b"true" => return Shallow::Bool(true),
        b"false" => return Shallow::Bool(false),
        b"null" => return Shallow::Null,
        digits @ [b'1'..=b'9', ..]
            if digits.len() < 20 && digits.iter().all(u8::is_ascii_digit) =>
        {
            if let Ok(n) = text.parse() {
                return Shallow::UInt(n);
            }
        }
        _ => {}
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Shallow::deserialize(&mut de).unwrap_or(Shallow::Null)
}

/// Reads a whole line: JSON text in, its shallow value out, or `serde_json`'s account of
/// why it is not JSON.
pub(crate) fn read_line(text: &str) -> Result<Shallow<'_>, serde_json::Error> {
    serde_json::from_str(text)
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

impl<'de> Deserialize<'de> for Shallow<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShallowVisitor)
    }
}

struct ShallowVisitor;

impl<'de> Visitor<'de> for ShallowVisitor {
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
        let mut object = RawObject {
            members: Vec::with_capacity(map.size_hint().unwrap_or(12)),
        };
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            object.members.push((name, Cow::Borrowed(value)));
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
            read_line(r#"{"A":"x","B":[1,"y"],"A":"later","C":{"D":null},"E":"q\"s"}"#)
        else {
            panic!("an object")
        };
        let names: Vec<_> = o.members().map(|(k, _)| k.to_owned()).collect();
        assert_eq!(names, ["A", "B", "A", "C", "E"]);
        assert!(matches!(
            shallow(o.get("A").unwrap()),
            Shallow::Str(Cow::Borrowed("x"))
        ));
        assert!(matches!(
            shallow(o.get("A").unwrap()),
            Shallow::Str(Cow::Borrowed("x"))
        ));
        let Shallow::Array(items) = shallow(o.get("B").unwrap()) else {
            panic!("an array")
        };
        assert_eq!(shallow(items[0]).type_name(), "number");
        assert!(matches!(shallow(o.get("E").unwrap()), Shallow::Str(Cow::Owned(s)) if s == "q\"s"));
        assert_eq!(shallow(o.get("C").unwrap()).type_name(), "object");
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"A":"x","B":[1,"y"],"A":"later","C":{"D":null},"E":"q\"s"}"#
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

    /// The fast paths of `shallow` read each value as serde_json does.
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
            "{}",
            "12",
        ];
        for text in texts {
            let raw = RawValue::from_string(text.to_owned()).unwrap();
            let fast = format!("{:?}", shallow(&raw));
            let mut de = serde_json::Deserializer::from_str(text);
            let slow = format!("{:?}", Shallow::deserialize(&mut de).unwrap());
            assert_eq!(
                fast.replace("Owned", "Borrowed"),
                slow.replace("Owned", "Borrowed"),
                "{text}"
            );
        }
    }

    #[test]
    fn text_that_is_not_json_is_an_error() {
        assert!(read_line("{\"Action\": ").is_err());
        assert!(read_line("{} x").is_err());
    }
}
