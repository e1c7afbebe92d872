//! Between the converters' form of a key, value or header (a [`DataKind`], bytes and the schema
//! in `JsonConverter`'s schema JSON) and a [`Datum`] the transformations work on.
//!
//! Decoding reads what the converters write (contract §5.1): top-level strings and bytes as
//! such, everything else as JSON text in `JsonConverter`'s `schemas.enable=false` form (bytes in
//! base64, decimals as numbers or base64, maps with non-string keys as `[key, value]` pairs).
//! Schemaless JSON becomes what Java's `JsonConverter` gives a transformation: `Long` for
//! integral numbers, `Double` for the others, `HashMap` for objects. Encoding writes the same
//! form back, numbers the way Java prints them.

use std::sync::Arc;

use base64::Engine as _;

use super::data::{Datum, Value};
use super::java_string::{java_double, java_float};
use crate::convert::DataKind;
use crate::convert::decimal::{text_to_unscaled, unscaled_to_text};
use crate::convert::json_text::{Node, decode_str, first_value, write_json_string};
use crate::convert::normalize::BASE64;
use crate::convert::schema::{DATE, DECIMAL, Schema, TIME, TIMESTAMP, Type};

const MS_PER_DAY: i64 = 86_400_000;

/// Decodes and encodes data; `decimal_numeric` is the converter's `decimal.format=NUMERIC`, the
/// form decimals are written back in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Codec {
    /// Write decimals as JSON numbers (else base64 of the unscaled bytes).
    pub decimal_numeric: bool,
}

impl Codec {
    /// The datum of `bytes` of `kind` under `schema`. Fails with a message naming the problem
    /// when the bytes do not match the schema (possible only for data a source plugin gave).
    pub fn decode(
        &self,
        kind: DataKind,
        bytes: &[u8],
        schema: Option<Arc<Schema>>,
    ) -> Result<Datum, String> {
        let value = match (kind, schema.as_deref()) {
            (DataKind::Null, _) => Value::Null,
            (DataKind::String, None) => Value::String(utf8(bytes)?.to_owned()),
            (DataKind::String, Some(s)) if s.ty == Type::String => {
                Value::String(utf8(bytes)?.to_owned())
            }
            (DataKind::Bytes, None) => Value::Bytes(bytes.to_vec()),
            (DataKind::Bytes, Some(s)) if s.ty == Type::Bytes && s.logical().is_none() => {
                Value::Bytes(bytes.to_vec())
            }
            (DataKind::Bytes, Some(s)) if s.logical() == Some(DECIMAL) => {
                Value::Decimal(unscaled_to_text(bytes, scale(s)?))
            }
            (DataKind::Json, schema) => {
                let text = first_value(bytes)?.unwrap_or("null");
                let node = Node::parse(text);
                match schema {
                    None => schemaless(&node),
                    Some(s) => with_schema(s, &node)?,
                }
            }
            (kind, Some(s)) => {
                return Err(format!(
                    "a {kind:?} value does not match its schema of type {}",
                    s.ty.java_name()
                ));
            }
        };
        Ok(Datum { schema, value })
    }

    /// Appends the converters' form of `datum` to `out` and returns its kind.
    pub fn encode(&self, datum: &Datum, out: &mut Vec<u8>) -> Result<DataKind, String> {
        let schema = datum.schema.as_deref();
        match (&datum.value, schema) {
            (Value::Null, _) => Ok(DataKind::Null),
            (Value::String(s), None) => {
                out.extend_from_slice(s.as_bytes());
                Ok(DataKind::String)
            }
            (Value::String(s), Some(sch)) if sch.ty == Type::String => {
                out.extend_from_slice(s.as_bytes());
                Ok(DataKind::String)
            }
            (Value::Bytes(b), None) => {
                out.extend_from_slice(b);
                Ok(DataKind::Bytes)
            }
            (Value::Bytes(b), Some(sch)) if sch.ty == Type::Bytes && sch.logical().is_none() => {
                out.extend_from_slice(b);
                Ok(DataKind::Bytes)
            }
            (value, schema) => {
                self.json(value, schema, out)?;
                Ok(DataKind::Json)
            }
        }
    }

    /// Appends `value` as JSON text, guided by `schema` where there is one.
    fn json(
        &self,
        value: &Value,
        schema: Option<&Schema>,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        match value {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Int8(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Int16(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Int32(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Int64(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Float32(f) => out.extend_from_slice(java_float(*f).as_bytes()),
            Value::Float64(f) => out.extend_from_slice(java_double(*f).as_bytes()),
            Value::String(s) => write_json_string(s, out),
            Value::Bytes(b) => write_json_string(&BASE64.encode(b), out),
            Value::Decimal(text) => match schema {
                Some(s) if !self.decimal_numeric => {
                    let unscaled = text_to_unscaled(text, scale(s)?)?;
                    write_json_string(&BASE64.encode(unscaled), out);
                }
                _ => out.extend_from_slice(text.as_bytes()),
            },
            Value::Date(ms) => {
                let n = match schema.and_then(Schema::logical) {
                    Some(DATE) => ms.div_euclid(MS_PER_DAY),
                    _ => *ms,
                };
                out.extend_from_slice(n.to_string().as_bytes());
            }
            Value::Array(items) => {
                let item_schema = schema.and_then(Schema::element_schema);
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.json(item, item_schema, out)?;
                }
                out.push(b']');
            }
            Value::Map(entries) => {
                let (key_schema, value_schema) = schema.and_then(Schema::key_value_schemas).unzip();
                let object = match key_schema {
                    Some(k) => k.ty == Type::String,
                    None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
                };
                if object {
                    out.push(b'{');
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        let Value::String(k) = k else {
                            return Err(
                                "a map with a string key schema has a non-string key".into()
                            );
                        };
                        write_json_string(k, out);
                        out.push(b':');
                        self.json(v, value_schema, out)?;
                    }
                    out.push(b'}');
                } else {
                    out.push(b'[');
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.push(b'[');
                        self.json(k, key_schema, out)?;
                        out.push(b',');
                        self.json(v, value_schema, out)?;
                        out.push(b']');
                    }
                    out.push(b']');
                }
            }
            Value::Struct(values) => {
                let Some(Type::Struct(fields)) = schema.map(|s| &s.ty) else {
                    return Err("a Struct value without a struct schema".into());
                };
                if fields.len() != values.len() {
                    return Err(format!(
                        "a Struct with {} values for a schema of {} fields",
                        values.len(),
                        fields.len()
                    ));
                }
                out.push(b'{');
                for (i, ((name, field_schema), v)) in fields.iter().zip(values).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_json_string(name, out);
                    out.push(b':');
                    self.json(v, Some(field_schema), out)?;
                }
                out.push(b'}');
            }
        }
        Ok(())
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("a string value is not UTF-8: {e}"))
}

fn scale(schema: &Schema) -> Result<i32, String> {
    schema
        .parameter("scale")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "Invalid Decimal schema: scale parameter not found.".to_string())
}

/// The default value of `schema` as a Java value (`Schema.defaultValue()`), if it has one.
pub fn decode_default(schema: &Schema) -> Option<Value> {
    let text = schema.default.as_deref()?;
    with_schema(schema, &Node::parse(text)).ok()
}

/// Appends the converters' JSON form of `value` under `schema` (for a schema's `default`).
pub fn encode_json(value: &Value, schema: &Schema) -> Result<String, String> {
    let mut out = Vec::new();
    Codec::default().json(value, Some(schema), &mut out)?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// What Java's `JsonConverter` makes of schemaless JSON.
fn schemaless(node: &Node<'_>) -> Value {
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Boolean(*b),
        Node::Number(n) => match n.parse::<i64>() {
            Ok(i) => Value::Int64(i),
            Err(_) => Value::Float64(n.parse().unwrap_or(f64::NAN)),
        },
        Node::Str(raw) => Value::String(decode_str(raw).into_owned()),
        Node::Array(items) => Value::Array(items.iter().map(schemaless).collect()),
        Node::Object(members) => Value::Map(
            members
                .iter()
                .map(|(k, v)| (Value::String(decode_str(k).into_owned()), schemaless(v)))
                .collect(),
        ),
    }
}

/// JSON already checked against `schema` by a converter → the Java value.
fn with_schema(schema: &Schema, node: &Node<'_>) -> Result<Value, String> {
    if *node == Node::Null {
        return Ok(Value::Null);
    }
    let mismatch = || {
        format!(
            "a JSON {} does not match a schema of type {}",
            node.type_name(),
            schema.ty.java_name()
        )
    };
    match schema.logical() {
        Some(DECIMAL) => {
            let scale = scale(schema)?;
            return match node {
                Node::Number(n) => Ok(Value::Decimal(unscaled_to_text(
                    &text_to_unscaled(n, scale)?,
                    scale,
                ))),
                Node::Str(raw) => {
                    let bytes = BASE64
                        .decode(decode_str(raw).as_bytes())
                        .map_err(|_| "Invalid bytes for Decimal field".to_string())?;
                    Ok(Value::Decimal(unscaled_to_text(&bytes, scale)))
                }
                _ => Err(mismatch()),
            };
        }
        Some(logical @ (DATE | TIME | TIMESTAMP)) => {
            let Node::Number(n) = node else {
                return Err(mismatch());
            };
            let n: i64 = n.parse().map_err(|_| mismatch())?;
            return Ok(Value::Date(if logical == DATE {
                n * MS_PER_DAY
            } else {
                n
            }));
        }
        _ => {}
    }
    let int = |n: &str| n.parse::<i64>().map_err(|_| mismatch());
    Ok(match (&schema.ty, node) {
        (Type::Boolean, Node::Bool(b)) => Value::Boolean(*b),
        (Type::Int8, Node::Number(n)) => Value::Int8(int(n)? as i8),
        (Type::Int16, Node::Number(n)) => Value::Int16(int(n)? as i16),
        (Type::Int32, Node::Number(n)) => Value::Int32(int(n)? as i32),
        (Type::Int64, Node::Number(n)) => Value::Int64(int(n)?),
        (Type::Float32, Node::Number(n)) => Value::Float32(n.parse().map_err(|_| mismatch())?),
        (Type::Float64, Node::Number(n)) => Value::Float64(n.parse().map_err(|_| mismatch())?),
        (Type::String, Node::Str(raw)) => Value::String(decode_str(raw).into_owned()),
        (Type::Bytes, Node::Str(raw)) => Value::Bytes(
            BASE64
                .decode(decode_str(raw).as_bytes())
                .map_err(|_| "Invalid bytes field".to_string())?,
        ),
        (Type::Array(items), Node::Array(elements)) => Value::Array(
            elements
                .iter()
                .map(|e| with_schema(items, e))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Map(keys, values), Node::Object(members)) if keys.ty == Type::String => Value::Map(
            members
                .iter()
                .map(|(k, v)| {
                    Ok((
                        Value::String(decode_str(k).into_owned()),
                        with_schema(values, v)?,
                    ))
                })
                .collect::<Result<_, String>>()?,
        ),
        (Type::Map(keys, values), Node::Array(entries)) => Value::Map(
            entries
                .iter()
                .map(|entry| match entry {
                    Node::Array(pair) if pair.len() == 2 => {
                        Ok((with_schema(keys, &pair[0])?, with_schema(values, &pair[1])?))
                    }
                    _ => Err(mismatch()),
                })
                .collect::<Result<_, String>>()?,
        ),
        (Type::Struct(fields), Node::Object(_)) => Value::Struct(
            fields
                .iter()
                .map(|(name, field_schema)| match node.get(name) {
                    None => Ok(Value::Null),
                    Some(n) => with_schema(field_schema, n),
                })
                .collect::<Result<_, String>>()?,
        ),
        _ => return Err(mismatch()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::json_schema;

    fn round_trip(codec: Codec, kind: DataKind, bytes: &[u8], schema: Option<Arc<Schema>>) {
        let datum = codec.decode(kind, bytes, schema).unwrap();
        let mut out = Vec::new();
        let back = codec.encode(&datum, &mut out).unwrap();
        assert_eq!(
            (back, String::from_utf8_lossy(&out).into_owned()),
            (kind, String::from_utf8_lossy(bytes).into_owned())
        );
    }

    #[test]
    fn schemaless_json_is_what_java_json_converter_gives() {
        let d = Codec::default()
            .decode(
                DataKind::Json,
                br#"{"a":1,"b":1.5,"c":[true,null],"d":"x\u00e9"}"#,
                None,
            )
            .unwrap();
        assert_eq!(d.value.map_get("a"), Some(&Value::Int64(1)));
        assert_eq!(d.value.map_get("b"), Some(&Value::Float64(1.5)));
        assert_eq!(
            d.value.map_get("c"),
            Some(&Value::Array(vec![Value::Boolean(true), Value::Null]))
        );
        assert_eq!(d.value.map_get("d"), Some(&Value::String("xé".into())));
        round_trip(
            Codec::default(),
            DataKind::Json,
            r#"{"a":1,"b":1.5,"c":[true,null],"d":"xé"}"#.as_bytes(),
            None,
        );
    }

    #[test]
    fn structs_decimals_dates_and_bytes_round_trip_under_their_schema() {
        let s = json_schema(
            r#"{"type":"struct","fields":[
            {"field":"id","type":"int32"},
            {"field":"amount","type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},
            {"field":"day","type":"int32","name":"org.apache.kafka.connect.data.Date","optional":true},
            {"field":"raw","type":"bytes","optional":true},
            {"field":"tags","type":"map","keys":{"type":"int32"},"values":{"type":"string"},"optional":true}]}"#,
        );
        let text = br#"{"id":7,"amount":"MDk=","day":19000,"raw":"AQI=","tags":[[1,"a"]]}"#;
        let d = Codec::default()
            .decode(DataKind::Json, text, Some(s.clone()))
            .unwrap();
        assert_eq!(
            d.value,
            Value::Struct(vec![
                Value::Int32(7),
                Value::Decimal("123.45".into()),
                Value::Date(19000 * MS_PER_DAY),
                Value::Bytes(vec![1, 2]),
                Value::Map(vec![(Value::Int32(1), Value::String("a".into()))]),
            ])
        );
        round_trip(Codec::default(), DataKind::Json, text, Some(s.clone()));
        let numeric = Codec {
            decimal_numeric: true,
        };
        round_trip(
            numeric,
            DataKind::Json,
            br#"{"id":7,"amount":123.45,"day":19000,"raw":"AQI=","tags":[[1,"a"]]}"#,
            Some(s),
        );
    }

    #[test]
    fn top_level_strings_and_bytes_stay_raw() {
        round_trip(Codec::default(), DataKind::String, "héllo".as_bytes(), None);
        round_trip(
            Codec::default(),
            DataKind::String,
            b"x",
            Some(json_schema(r#"{"type":"string","optional":true}"#)),
        );
        round_trip(Codec::default(), DataKind::Bytes, &[0, 255], None);
        round_trip(Codec::default(), DataKind::Null, b"", None);
    }

    #[test]
    fn a_value_that_does_not_match_its_schema_is_an_error() {
        let e = Codec::default()
            .decode(
                DataKind::String,
                b"x",
                Some(json_schema(r#"{"type":"int32"}"#)),
            )
            .unwrap_err();
        assert!(e.contains("INT32"), "{e}");
        let e = Codec::default()
            .decode(
                DataKind::Json,
                b"\"x\"",
                Some(json_schema(r#"{"type":"int32"}"#)),
            )
            .unwrap_err();
        assert!(e.contains("INT32"), "{e}");
    }
}
