//! One field of a derived-`Serialize` struct, by its wire name, without rendering the
//! others.
//!
//! A workflow trigger reads a field or two of each event (`data.attributes.status`,
//! `changes.attributes.tags.after`), and most triggers on a busy server do not match:
//! rendering the whole attributes object for each such read would cost far more than the
//! one value asked for. The derived serializer walks the fields in order and hands each
//! to [`SerializeStruct::serialize_field`] with its wire name; this serializer renders
//! only the one whose name matches, so the answer is exactly what the whole rendering
//! holds at that place.

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeStruct, Serializer};
use serde_json::Value;

/// The field `name` of `value` (a struct with derived `Serialize`), as JSON; `None` when
/// the struct has no such field (or `value` is not a struct).
pub fn field<T: Serialize + ?Sized>(value: &T, name: &str) -> Option<Value> {
    value
        .serialize(Picker(One { name, found: None }))
        .ok()
        .flatten()
}

/// Every field of `value` rendered as JSON text into one buffer, without a `Value` per
/// field: what compares many fields of two records cheaply (equal text means equal
/// values; only text that differs needs a closer look).
pub fn rendered_fields<T: Serialize + ?Sized>(value: &T) -> RenderedFields {
    value
        .serialize(Picker(RenderedFields::default()))
        .unwrap_or_default()
}

/// The JSON text of each field of a struct, by wire name.
#[derive(Debug, Default)]
pub struct RenderedFields {
    text: Vec<u8>,
    fields: Vec<(&'static str, std::ops::Range<usize>)>,
}

impl RenderedFields {
    /// The JSON text of field `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(key, _)| *key == name)
            .and_then(|(_, range)| self.text.get(range.clone()))
    }
}

/// What a picker keeps of the fields the derived serializer hands it.
trait Collect {
    type Out;
    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), serde_json::Error>;
    fn finish(self) -> Self::Out;
}

/// The one field asked for, as a `Value`.
struct One<'n> {
    name: &'n str,
    found: Option<Value>,
}

impl Collect for One<'_> {
    type Out = Option<Value>;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        if self.found.is_none() && key == self.name {
            self.found = Some(serde_json::to_value(value)?);
        }
        Ok(())
    }

    fn finish(self) -> Option<Value> {
        self.found
    }
}

impl Collect for RenderedFields {
    type Out = RenderedFields;

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        let start = self.text.len();
        serde_json::to_writer(&mut self.text, value)?;
        self.fields.push((key, start..self.text.len()));
        Ok(())
    }

    fn finish(self) -> RenderedFields {
        self
    }
}

struct Picker<C>(C);

struct PickStruct<C>(C);

impl<C: Collect> SerializeStruct for PickStruct<C> {
    type Ok = C::Out;
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.0.field(key, value)
    }

    fn end(self) -> Result<Self::Ok, Self::Error> {
        Ok(self.0.finish())
    }
}

/// The serializer methods of everything but a struct: a picker reads structs only.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            Err(ser::Error::custom("only a struct's fields can be picked"))
        })*
    };
}

impl<C: Collect> Serializer for Picker<C> {
    type Ok = C::Out;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<Self::Ok, Self::Error>;
    type SerializeTuple = Impossible<Self::Ok, Self::Error>;
    type SerializeTupleStruct = Impossible<Self::Ok, Self::Error>;
    type SerializeTupleVariant = Impossible<Self::Ok, Self::Error>;
    type SerializeMap = Impossible<Self::Ok, Self::Error>;
    type SerializeStruct = PickStruct<C>;
    type SerializeStructVariant = Impossible<Self::Ok, Self::Error>;

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Ok(PickStruct(self.0))
    }

    not_a_struct!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(ser::Error::custom("only a struct's fields can be picked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        display_name: Option<String>,
        tags: Vec<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        gone: Option<u8>,
    }

    #[test]
    fn picks_each_field_as_the_whole_rendering_holds_it() {
        let sample = Sample {
            display_name: Some("Ada".into()),
            tags: vec![1, 2],
            gone: None,
        };
        let whole = serde_json::to_value(&sample).unwrap();
        for name in ["displayName", "tags"] {
            assert_eq!(field(&sample, name).as_ref(), whole.get(name), "{name}");
        }
        assert_eq!(field(&sample, "gone"), None);
        let rendered = rendered_fields(&sample);
        for name in ["displayName", "tags"] {
            let text = rendered.get(name).unwrap();
            assert_eq!(
                serde_json::from_slice::<Value>(text).ok().as_ref(),
                whole.get(name)
            );
        }
        assert_eq!(rendered.get("gone"), None);
        assert_eq!(field(&sample, "display_name"), None);
        assert_eq!(field(&json!(1), "x"), None);
    }
}
