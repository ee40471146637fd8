//! A small JSON-shaped value, so the library reads and writes scenario lines through any
//! serde format without depending on a JSON crate (the runner example brings `serde_json`).
//! Objects keep their keys in insertion order, which makes rendered output byte-stable.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// An object's key: borrowed for the names the crate knows (every parameter and answer
/// field), so reading a line or rendering an answer allocates nothing for its keys; owned
/// for any other.
pub type Key = Cow<'static, str>;

/// A JSON value with ordered objects.
///
/// ```
/// use machine_image::replay::Value;
///
/// // Read from any serde format; objects keep their keys' order.
/// let line: Value = serde_json::from_str(r#"{"Action":"DeleteImage","RegionId":"cn-hangzhou"}"#)?;
/// assert_eq!(line.get("Action"), Some(&Value::str("DeleteImage")));
/// assert_eq!(line.type_name(), "object");
/// let built = Value::object([("Action", Value::str("DeleteImage")), ("RegionId", Value::str("cn-hangzhou"))]);
/// assert_eq!(built, line);
/// assert_eq!(built.to_json(), r#"{"Action":"DeleteImage","RegionId":"cn-hangzhou"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A non-negative integer.
    UInt(u64),
    /// A negative integer.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, keys in order.
    Object(Vec<(Key, Value)>),
}

impl Value {
    /// The JSON type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::UInt(_) | Value::Int(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<Key>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// The value as compact JSON, appended to `out`: keys in order, no spaces, strings
    /// escaped as `serde_json` escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
    /// control characters as `\u00XX`; everything else as is), so the bytes equal
    /// `serde_json::to_string`'s for every value the runner answers with. A float is written
    /// in Rust's shortest form (`1.5`), a non-finite one as `null`; answers carry no floats.
    ///
    /// ```
    /// use machine_image::replay::Value;
    /// let v = Value::object([("a", Value::str("x\"y")), ("b", Value::Array(vec![Value::UInt(1)]))]);
    /// let mut out = String::new();
    /// v.write_json(&mut out);
    /// assert_eq!(out, r#"{"a":"x\"y","b":[1]}"#);
    /// ```
    pub fn write_json(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::UInt(n) => push_u64(out, *n),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float(x) if x.is_finite() => {
                let _ = write!(out, "{x:?}");
            }
            Value::Float(_) => out.push_str("null"),
            Value::String(s) => push_json_str(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_str(out, k);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// The value as compact JSON (see [`Value::write_json`]).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// The value of `key` in an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::UInt(n) => serializer.serialize_u64(*n),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Float(x) => serializer.serialize_f64(*x),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// `n` in decimal, without going through the formatting machinery.
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

/// `s` as a JSON string, escaped as `serde_json` escapes (see [`Value::write_json`]).
fn push_json_str(out: &mut String, s: &str) {
    let needs_escape = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    out.push('"');
    // Almost every string (ids, names, codes) needs no escape: one branch-free pass over
    // its bytes, then one copy.
    if !s.bytes().fold(false, |any, b| any | needs_escape(b)) {
        out.push_str(s);
        out.push('"');
        return;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::UInt(n))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(if n >= 0 {
            Value::UInt(n as u64)
        } else {
            Value::Int(n)
        })
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Scenario lines have about eight keys: one allocation instead of four regrowths.
        let mut pairs: Vec<(Key, Value)> = Vec::with_capacity(map.size_hint().unwrap_or(8));
        // Where each key is, once the object is too big to search: a line of 100,000 keys
        // would otherwise take seconds to read.
        let mut index: Option<std::collections::HashMap<Key, usize>> = None;
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let v: Value = map.next_value()?;
            if index.is_none() && pairs.len() >= MAX_SEARCHED_KEYS {
                let positions = pairs.iter().enumerate().map(|(i, (k, _))| (k.clone(), i));
                index = Some(positions.collect());
            }
            // A repeated key keeps its last value, as most JSON readers do.
            let slot = match &mut index {
                None => pairs.iter().position(|(key, _)| *key == k),
                Some(index) => match index.entry(k.clone()) {
                    std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(pairs.len());
                        None
                    }
                },
            };
            match slot {
                Some(i) => pairs[i].1 = v,
                None => pairs.push((k, v)),
            }
        }
        Ok(Value::Object(pairs))
    }
}

/// Objects with up to this many keys find a repeated key by searching them; bigger ones
/// keep a hashed index.
const MAX_SEARCHED_KEYS: usize = 32;

/// The parameter names scenario lines use (sorted, to be easy to read and extend).
const KNOWN_KEYS: [&str; 69] = [
    "AccountId",
    "AccountIds",
    "Action",
    "AddAccount",
    "Authorized",
    "BucketName",
    "ByokAllowed",
    "ByokUnsupportedRegions",
    "CallerId",
    "ClientToken",
    "CopyUnsupportedRegions",
    "CreationTime",
    "CrossBorderAllowed",
    "Currency",
    "Description",
    "DestinationDescription",
    "DestinationImageName",
    "DestinationRegionId",
    "DestinationRegions",
    "DryRun",
    "Encrypt",
    "Encrypted",
    "ExportEnabled",
    "ExportFormat",
    "FileNamePrefixList",
    "ImageFormat",
    "ImageId",
    "ImageIds",
    "ImageName",
    "ImageOwnerAlias",
    "ImageQuota",
    "ImageSetRequired",
    "KMSKeyId",
    "Key",
    "KeyId",
    "KmsKeyId",
    "MaxImageSizeGiB",
    "Months",
    "OSSBucket",
    "OSSPrefix",
    "OnlyExportRootDisk",
    "OwnerId",
    "Paid",
    "Permission",
    "Platform",
    "Price",
    "Provider",
    "PublishedRegions",
    "QueueScope",
    "Reason",
    "Region",
    "RegionId",
    "RemoveAccount",
    "RoleName",
    "SizeAllowed",
    "SizeGiB",
    "SnapshotId",
    "SnapshotIds",
    "SnapshotPriceGiBMonth",
    "SnapshotPricesByRegion",
    "SnapshotQuota",
    "Status",
    "Tag",
    "TaskAction",
    "TaskId",
    "TaskIds",
    "Value",
    "WholeMachine",
    "at",
];

/// `s` as a key: the crate's own copy when it is a known name (no allocation).
fn key_of(s: &str) -> Key {
    // A hash set, built once: a binary search over the names cost more than the allocation
    // it saves (a string comparison per step).
    static KNOWN: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| KNOWN_KEYS.iter().copied().collect());
    match known.get(s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s.to_owned()),
    }
}

/// Reads an object's key through [`key_of`].
struct KeySeed;

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(key_of(s))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Key, E> {
        Ok(match key_of(&s) {
            Cow::Borrowed(k) => Cow::Borrowed(k),
            Cow::Owned(_) => Cow::Owned(s),
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_key_order() {
        let text = r#"{"b":1,"a":[true,null,-2,1.5,"x"],"c":{"z":0,"y":1}}"#;
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), text);
        assert_eq!(v.get("b"), Some(&Value::UInt(1)));
        assert_eq!(v.get("a").unwrap().type_name(), "array");
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_in_small_and_big_objects() {
        for n in [3, MAX_SEARCHED_KEYS, 10 * MAX_SEARCHED_KEYS] {
            let mut text: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            text.push("\"k1\":\"again\"".into());
            text.push(format!("\"k{}\":null", n - 1));
            let v: Value = serde_json::from_str(&format!("{{{}}}", text.join(","))).unwrap();
            let Value::Object(pairs) = &v else { panic!() };
            assert_eq!(pairs.len(), n, "{n} keys");
            assert_eq!(v.get("k1"), Some(&Value::str("again")));
            assert_eq!(v.get(&format!("k{}", n - 1)), Some(&Value::Null));
            assert_eq!(v.get("k0"), Some(&Value::UInt(0)));
            // Key order is the order of first appearance.
            assert_eq!(pairs[n - 1].0, format!("k{}", n - 1));
        }
    }

    #[test]
    fn known_keys_are_sorted_and_borrowed() {
        assert!(KNOWN_KEYS.windows(2).all(|w| w[0] < w[1]));
        let v: Value = serde_json::from_str(r#"{"ImageId":"m-1","Unknown":2,"at":"x"}"#).unwrap();
        let Value::Object(pairs) = v else { panic!() };
        assert!(matches!(pairs[0].0, Cow::Borrowed("ImageId")));
        assert!(matches!(&pairs[1].0, Cow::Owned(k) if k == "Unknown"));
        assert!(matches!(pairs[2].0, Cow::Borrowed("at")));
    }

    #[test]
    fn write_json_matches_serde_json_byte_for_byte() {
        let tricky = "q\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}\u{2028}/镜像é";
        let v = Value::object([
            ("k\"ey", Value::str(tricky)),
            ("n", Value::Null),
            ("b", Value::Bool(false)),
            ("u", Value::UInt(u64::MAX)),
            ("z", Value::UInt(0)),
            ("i", Value::Int(-42)),
            ("f", Value::Float(1.5)),
            (
                "a",
                Value::Array(vec![Value::object::<String>([]), Value::Array(vec![])]),
            ),
        ]);
        assert_eq!(v.to_json(), serde_json::to_string(&v).unwrap());
        for c in (0u32..0x80).chain([0x2028, 0xe9, 0x10000]) {
            let s = Value::str(char::from_u32(c).unwrap().to_string());
            assert_eq!(s.to_json(), serde_json::to_string(&s).unwrap(), "{c:#x}");
        }
    }
}
