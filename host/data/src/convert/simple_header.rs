//! `org.apache.kafka.connect.storage.SimpleHeaderConverter`, Kafka Connect's default header
//! converter, for one header value: Kafka bytes are UTF-8 text read with `Values.parseString`
//! (so `42` is an `INT8`, `[1,2]` an array, `2019-08-23` a `Date`), and a Connect header value is
//! written as the text `Values.convertToString` gives it. Schemas are never written; a null
//! value stays null both ways.

use super::ConvertError;
use super::values::{self, bytes_schema};
use crate::transforms::data::{Datum, Value};

/// The converter (it has no settings).
#[derive(Debug, Clone, Copy, Default)]
pub struct SimpleHeaderConverter;

impl SimpleHeaderConverter {
    /// Java's class name.
    pub const CLASS: &'static str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

    /// `toConnectHeader`: the header value for `value` (`None`: a null header). Invalid UTF-8 is
    /// replaced as Java's `new String(bytes, UTF_8)` does. Text the parser gives up on (nesting
    /// beyond [`values::MAX_NESTING`], where Java overflows its stack) is kept as `BYTES`, as
    /// Java keeps anything that throws, with the same warning.
    pub fn to_connect_header(&self, topic: &str, header_key: &str, value: Option<&[u8]>) -> Datum {
        let Some(bytes) = value else {
            return Datum::NULL;
        };
        match values::parse_string(&String::from_utf8_lossy(bytes)) {
            Ok(datum) => datum,
            Err(e) => {
                tracing::warn!(
                    "Failed to deserialize value for header '{header_key}' on topic '{topic}', so using byte array: {e}"
                );
                Datum::with_schema(bytes_schema(), Value::Bytes(bytes.to_vec()))
            }
        }
    }

    /// `fromConnectHeader`: the UTF-8 bytes of the header's text (`None` for a null value).
    /// Fails (a `DataException` in Java) only for a struct value without its struct schema.
    pub fn from_connect_header(
        &self,
        topic: &str,
        _header_key: &str,
        header: &Datum,
    ) -> Result<Option<Vec<u8>>, ConvertError> {
        values::convert_to_string(header.schema.as_deref(), &header.value)
            .map(|text| text.map(String::into_bytes))
            .map_err(|e| ConvertError::data(topic, e.message))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::convert::schema::{Schema, Type};
    use crate::transforms::requirements::schema_of;

    const TOPIC: &str = "topic";
    const HEADER: &str = "header";

    fn string() -> Schema {
        schema_of(Type::String)
    }
    fn map(k: Type, v: Type) -> Schema {
        schema_of(Type::Map(Box::new(schema_of(k)), Box::new(schema_of(v))))
    }
    fn array(items: Type) -> Schema {
        schema_of(Type::Array(Box::new(schema_of(items))))
    }
    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    fn round_trip(datum: &Datum) -> (Option<Vec<u8>>, Datum) {
        let c = SimpleHeaderConverter;
        let bytes = c.from_connect_header(TOPIC, HEADER, datum).unwrap();
        let back = c.to_connect_header(TOPIC, HEADER, bytes.as_deref());
        (bytes, back)
    }

    /// Java's `assertRoundTrip`: the value comes back with `schema`, and again from there.
    fn assert_round_trip(schema: Schema, value: Value) {
        let original = Datum::with_schema(Arc::new(schema.clone()), value.clone());
        let (bytes, result) = round_trip(&original);
        assert!(bytes.is_some());
        assert_eq!(result.schema.as_deref(), Some(&schema));
        assert_eq!(result.value, value);
        let (bytes2, result2) = round_trip(&result);
        assert!(bytes2.is_some());
        assert_eq!(result2, result);
        assert_eq!(bytes2, bytes);
    }

    #[test]
    fn should_convert_null_value() {
        for optional in [false, true] {
            let schema = Schema {
                optional,
                ..string()
            };
            let (bytes, back) = round_trip(&Datum::with_schema(Arc::new(schema), Value::Null));
            assert_eq!(bytes, None);
            assert_eq!(back, Datum::NULL);
        }
    }

    #[test]
    fn should_convert_strings() {
        assert_round_trip(string(), s("simple"));
        assert_round_trip(string(), s(""));
        assert_round_trip(string(), s("three\"blind\\\"mice"));
        assert_round_trip(
            string(),
            s("string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':"),
        );
    }

    #[test]
    fn should_convert_maps_and_lists() {
        assert_round_trip(
            map(Type::String, Type::String),
            Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))]),
        );
        assert_round_trip(
            map(Type::String, Type::Int16),
            Value::Map(vec![
                (s("foo"), Value::Int16(12345)),
                (s("bar"), Value::Int16(0)),
                (s("baz"), Value::Int16(-4321)),
            ]),
        );
        assert_round_trip(
            map(Type::String, Type::Int32),
            Value::Map(vec![
                (s("foo"), Value::Int32(1234567890)),
                (s("bar"), Value::Int32(0)),
                (s("baz"), Value::Int32(-987654321)),
            ]),
        );
        assert_round_trip(array(Type::String), Value::Array(vec![s("foo"), s("bar")]));
        assert_round_trip(
            array(Type::Int32),
            Value::Array(vec![Value::Int32(1234567890), Value::Int32(-987654321)]),
        );
    }

    #[test]
    fn should_parse_strings_of_maps_as_maps() {
        let c = SimpleHeaderConverter;
        let cases = [
            (
                "{\"foo\":\"123\",\"bar\":\"baz\"}",
                map(Type::String, Type::String),
                Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))]),
            ),
            (
                "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ",
                map(Type::String, Type::String),
                Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))]),
            ),
            (
                " { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ",
                map(Type::String, Type::Int16),
                Value::Map(vec![
                    (s("foo"), Value::Int16(12345)),
                    (s("bar"), Value::Int16(0)),
                    (s("baz"), Value::Int16(-4321)),
                ]),
            ),
            (
                "{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}",
                map(Type::String, Type::Int32),
                Value::Map(vec![
                    (s("foo"), Value::Int32(1234567890)),
                    (s("bar"), Value::Int32(0)),
                    (s("baz"), Value::Int32(-987654321)),
                ]),
            ),
        ];
        for (text, schema, value) in cases {
            // Java's roundTrip(STRING_SCHEMA, text): written as the text, read back as a map.
            let (_, back) = round_trip(&Datum::with_schema(Arc::new(string()), s(text)));
            assert_eq!(back.schema.as_deref(), Some(&schema), "{text}");
            assert_eq!(back.value, value, "{text}");
            let direct = c.to_connect_header(TOPIC, HEADER, Some(text.as_bytes()));
            assert_eq!(direct, back);
        }
    }

    #[test]
    fn mixed_and_empty_collections_come_back_schemaless() {
        // Java: a MAP/ARRAY schema with a null key or value schema, which has no counterpart
        // here; the value is the same.
        for value in [
            Value::Map(vec![(s("foo"), s("bar")), (s("baz"), Value::Int16(3456))]),
            Value::Array(vec![s("foo"), Value::Int16(13344)]),
            Value::Map(vec![]),
            Value::Array(vec![]),
        ] {
            let (_, back) = round_trip(&Datum::schemaless(value.clone()));
            assert_eq!(back, Datum::schemaless(value));
        }
    }

    #[test]
    fn null_bytes_invalid_utf8_and_unparsable_text() {
        let c = SimpleHeaderConverter;
        assert_eq!(c.to_connect_header(TOPIC, HEADER, None), Datum::NULL);
        let d = c.to_connect_header(TOPIC, HEADER, Some(b"a\xffb"));
        assert_eq!(d.value, s("a\u{fffd}b"));
        let deep = "[".repeat(values::MAX_NESTING + 1);
        let d = c.to_connect_header(TOPIC, HEADER, Some(deep.as_bytes()));
        assert_eq!(d.schema.as_deref(), Some(&schema_of(Type::Bytes)));
        assert_eq!(d.value, Value::Bytes(deep.into_bytes()));
        let e = c
            .from_connect_header(TOPIC, HEADER, &Datum::schemaless(Value::Struct(vec![])))
            .unwrap_err();
        assert!(matches!(e, ConvertError::Data { .. }), "{e:?}");
    }
}
