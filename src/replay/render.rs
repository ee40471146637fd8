//! Rendering answers in each provider's JSON shape: through the typed bodies of
//! [`crate::response`], serialised into a [`Value`] by [`to_value`] (the runner's JSON layer;
//! [`Value::write_json`] then prints it).

use serde::ser::{self, Serialize};

use crate::engine::ImageView;
use crate::error::ApiError;
use crate::id::RequestId;
use crate::provider::Provider;
use crate::response::{AlibabaErrorResponse, TencentErrorResponse, alibaba, tencent};
use crate::tag::Tags;

use super::Reply;
use super::value::{Key, Value};

/// A body with its request id alone: `{"RequestId": …}` (Alibaba) or
/// `{"Response": {"RequestId": …}}` (Tencent).
pub(crate) fn acknowledged(provider: Provider, request: &RequestId) -> Value {
    match provider {
        Provider::Alibaba => to_value(&alibaba::Acknowledged::new(request)),
        Provider::Tencent => to_value(&tencent::Envelope::new(tencent::Acknowledged::new(request))),
    }
}

/// The success body of `reply`.
pub(super) fn reply(provider: Provider, request: &RequestId, reply: Reply) -> Value {
    match reply {
        Reply::Plain | Reply::Synced(None) => acknowledged(provider, request),
        // Only Alibaba's `CopyImage` answers with the copy.
        Reply::CopiedTo(image) => to_value(&alibaba::CopyImageResponse::new(request, &image)),
        // Only Tencent's `SyncImages` answers with an image set.
        Reply::Synced(Some(set)) => to_value(&tencent::Envelope::new(
            tencent::SyncImagesResponse::new(request, set.iter().map(|(i, r)| (i, r)), true),
        )),
        Reply::Body(body) => body,
    }
}

/// `DescribeImages` listing `views`: [`alibaba::DescribeImagesResponse`] or
/// [`tencent::DescribeImagesResponse`].
pub(super) fn describe_images(
    provider: Provider,
    request: &RequestId,
    views: &[ImageView<'_>],
) -> Value {
    match provider {
        Provider::Alibaba => to_value(&alibaba::DescribeImagesResponse::new(request, views)),
        Provider::Tencent => to_value(&tencent::Envelope::new(
            tencent::DescribeImagesResponse::new(request, views),
        )),
    }
}

/// An error: `{"RequestId", "HttpCode", "Code", "Message"}` (Alibaba) or
/// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` (Tencent). `own_message`
/// keeps the runner's own message (which names the line) in the Tencent form too.
pub(crate) fn error(
    provider: Provider,
    request: &RequestId,
    e: &ApiError,
    own_message: bool,
) -> Value {
    match provider {
        Provider::Alibaba => to_value(&AlibabaErrorResponse::new(request, e)),
        Provider::Tencent if own_message => {
            to_value(&TencentErrorResponse::with_message(request, e, e.message()))
        }
        Provider::Tencent => to_value(&TencentErrorResponse::new(request, e)),
    }
}

/// Tags as the providers' request parameters and Tencent's answers write them:
/// `[{"Key": …, "Value": …}]`.
pub(crate) fn tag_list(tags: &Tags) -> Value {
    to_value(&tencent::Tag::list(tags))
}

/// `value` as a [`Value`]: structs as objects with their fields in order (keys borrowed),
/// sequences as arrays, `None` and unit as `null`, newtypes as what they wrap. The crate's
/// bodies can't fail; a `Serialize` that reports an error renders as the error's text.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    value
        .serialize(ValueSerializer)
        .unwrap_or_else(|e| Value::String(e.0))
}

/// A `Serialize` that failed (the crate's bodies never do).
#[derive(Debug)]
pub(crate) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Builds a [`Value`].
struct ValueSerializer;

/// An array being built.
struct SeqBuilder(Vec<Value>);

/// An object being built; `key` holds a map's key until its value comes.
struct ObjectBuilder {
    pairs: Vec<(Key, Value)>,
    key: Option<Key>,
}

/// An enum variant with content: `{"Variant": content}`.
struct VariantBuilder<B> {
    variant: &'static str,
    content: B,
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = ObjectBuilder;
    type SerializeStruct = ObjectBuilder;
    type SerializeStructVariant = VariantBuilder<ObjectBuilder>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(if v >= 0 {
            Value::UInt(v as u64)
        } else {
            Value::Int(v)
        })
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::UInt(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::UInt(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::UInt(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::UInt(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Array(
            v.iter().map(|b| Value::UInt((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        Ok(Value::Object(vec![(
            Key::Borrowed(variant),
            value.serialize(self)?,
        )]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>, Error> {
        Ok(VariantBuilder {
            variant,
            content: SeqBuilder(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<ObjectBuilder, Error> {
        Ok(ObjectBuilder {
            pairs: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<ObjectBuilder, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<ObjectBuilder>, Error> {
        Ok(VariantBuilder {
            variant,
            content: self.serialize_map(Some(len))?,
        })
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Array(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.content, value)
    }
    fn end(self) -> Result<Value, Error> {
        let content = ser::SerializeSeq::end(self.content)?;
        Ok(Value::Object(vec![(Key::Borrowed(self.variant), content)]))
    }
}

impl ser::SerializeMap for ObjectBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(match key.serialize(ValueSerializer)? {
            Value::String(s) => Key::Owned(s),
            other => {
                return Err(ser::Error::custom(format!(
                    "an object key must be a string, not a {}",
                    other.type_name()
                )));
            }
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value without its key"))?;
        self.pairs.push((key, value.serialize(ValueSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.pairs))
    }
}

impl ser::SerializeStruct for ObjectBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.pairs
            .push((Key::Borrowed(key), value.serialize(ValueSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.pairs))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<ObjectBuilder> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.content, key, value)
    }
    fn end(self) -> Result<Value, Error> {
        let content = ser::SerializeStruct::end(self.content)?;
        Ok(Value::Object(vec![(Key::Borrowed(self.variant), content)]))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(u8, i8),
        Struct { a: Option<u8> },
    }

    #[derive(Serialize)]
    struct S<'a> {
        #[serde(rename = "Name")]
        name: &'a str,
        list: Vec<E>,
        map: BTreeMap<&'a str, f64>,
        skipped: Option<u8>,
        unit: (),
        tuple: (char, bool, i64),
        bytes: &'a [u8],
    }

    /// The value serialiser's `Value`, printed by the runner's writer, equals `serde_json`'s
    /// rendering of the same value, byte for byte.
    #[test]
    fn to_value_prints_as_serde_json_does() {
        let s = S {
            name: "x\"y",
            list: vec![E::Unit, E::New(1), E::Tuple(2, -3), E::Struct { a: None }],
            map: BTreeMap::from([("k", 1.5), ("\n", -0.25)]),
            skipped: None,
            unit: (),
            tuple: ('é', true, -7),
            bytes: &[0, 255],
        };
        assert_eq!(to_value(&s).to_json(), serde_json::to_string(&s).unwrap());
        let Value::Object(pairs) = to_value(&s) else {
            unreachable!("a struct is an object")
        };
        assert!(matches!(pairs[0].0, Key::Borrowed("Name")));
    }

    #[test]
    fn a_non_string_map_key_is_an_error() {
        let map = BTreeMap::from([(1u8, 2u8)]);
        assert_eq!(
            to_value(&map),
            Value::str("an object key must be a string, not a number")
        );
    }
}
