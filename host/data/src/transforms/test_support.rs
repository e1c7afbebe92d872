//! Building blocks for the transformations' unit tests: configured instances from key/value
//! pairs (through the same parsing and checks as the registry), records, running a
//! transformation on one, schemas (from `JsonConverter`'s schema JSON too) and values.

use std::sync::Arc;

use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap, ConnectConfig};

use super::builtin::BuiltinTransform;
use super::data::{Datum, Value};
use super::record::{Header, TransformRecord};
use super::requirements::schema_of;
use super::transform::{Transform, TransformError};
use crate::convert::json_text::Node;
use crate::convert::normalize::Normalizer;
use crate::convert::schema::{Schema, Type};

/// A raw configuration from pairs.
pub fn config(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `T` configured with `pairs`, or the error a connector would get (validation or `new`).
pub fn build<T: BuiltinTransform>(pairs: &[(&str, &str)]) -> Result<T, String> {
    let c = T::Config::parse(&config(pairs)).map_err(|e| e.message)?;
    T::new(c).map_err(|e| e.message)
}

/// Every error message `T`'s validation gives for `pairs`, in key order.
pub fn validation_errors<T: BuiltinTransform>(pairs: &[(&str, &str)]) -> Vec<String> {
    raw_validation_errors::<T>(&config(pairs))
}

/// [`validation_errors`] for a raw configuration.
pub fn raw_validation_errors<T: BuiltinTransform>(raw: &ConfigMap) -> Vec<String> {
    T::Config::validate(raw)
        .iter()
        .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
        .collect()
}

/// Each key of `def`, in order, with its default (`None`: required).
pub fn keys_and_defaults(def: &ConfigDef) -> Vec<(&str, Option<&str>)> {
    def.keys()
        .iter()
        .map(|k| {
            (
                k.name.as_str(),
                k.default_value.as_ref().map(|d| d.as_str()).into_option(),
            )
        })
        .collect()
}

/// A sink record of topic `test`, partition 0, offset 0, no timestamp.
pub fn sink_record(key: Datum, value: Datum) -> TransformRecord {
    TransformRecord {
        topic: "test".into(),
        partition: Some(0),
        offset: Some(0),
        key,
        value,
        timestamp: None,
        headers: Vec::new(),
    }
}

/// A source record (no offset) of topic `test`, partition 0, no timestamp.
pub fn source_record(key: Datum, value: Datum) -> TransformRecord {
    TransformRecord {
        offset: None,
        ..sink_record(key, value)
    }
}

/// A source record of string key `key` and value `value`, timestamp 0, with `headers` (Java's
/// header transformations' tests).
pub fn header_record(headers: Vec<Header>) -> TransformRecord {
    TransformRecord {
        topic: "topic".into(),
        partition: Some(0),
        offset: None,
        key: Datum::schemaless(s("key")),
        value: Datum::schemaless(s("value")),
        timestamp: Some(0),
        headers,
    }
}

/// Header `key` of `value` with `schema`.
pub fn header(key: &str, schema: Schema, value: Value) -> Header {
    Header {
        key: key.into(),
        value: Datum::with_schema(Arc::new(schema), value),
    }
}

/// Header `key` of string `value` (schema `STRING`).
pub fn string_header(key: &str, value: &str) -> Header {
    header(key, schema_of(Type::String), s(value))
}

/// A source record with a null key and `value`.
pub fn with_value(value: Datum) -> TransformRecord {
    source_record(Datum::NULL, value)
}

/// What `t` makes of `r`, a record (the transformations here drop none) or the error.
pub fn try_apply<T: Transform + ?Sized>(
    t: &mut T,
    r: TransformRecord,
) -> Result<TransformRecord, TransformError> {
    t.apply(r).map(|r| r.expect("never dropped"))
}

/// The record `t` makes of `r`, which must not fail.
pub fn apply<T: Transform + ?Sized>(t: &mut T, r: TransformRecord) -> TransformRecord {
    try_apply(t, r).unwrap()
}

/// A schema written in `JsonConverter`'s schema JSON (`{"type":"struct","fields":[...]}`).
pub fn json_schema(text: &str) -> Arc<Schema> {
    Arc::new(
        Schema::from_node(&Node::parse(text), &Normalizer::default())
            .unwrap()
            .unwrap(),
    )
}

/// A required struct schema of these fields.
pub fn struct_schema(fields: Vec<(&str, Schema)>) -> Schema {
    schema_of(Type::Struct(
        fields.into_iter().map(|(n, s)| (n.to_owned(), s)).collect(),
    ))
}

/// `schema`, optional.
pub fn optional(schema: Schema) -> Schema {
    Schema {
        optional: true,
        ..schema
    }
}

/// `schema` with a default value (in the converters' JSON form).
pub fn with_default(schema: Schema, default: &str) -> Schema {
    Schema {
        default: Some(default.to_owned()),
        ..schema
    }
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::String(text.into())
}

/// A schemaless map of string keys.
pub fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::String(k.to_owned()), v))
            .collect(),
    )
}

/// A datum with a shared schema.
pub fn datum(schema: &Arc<Schema>, value: Value) -> Datum {
    Datum::with_schema(Arc::clone(schema), value)
}

/// The schema of field `name` of a struct schema.
pub fn field_schema<'a>(schema: &'a Schema, name: &str) -> Option<&'a Schema> {
    schema
        .fields()
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
}

/// The value of field `name` of a struct `value` with `schema`.
pub fn field_value<'a>(schema: &Schema, value: &'a Value, name: &str) -> Option<&'a Value> {
    let i = schema.fields().iter().position(|(n, _)| n == name)?;
    match value {
        Value::Struct(values) => values.get(i),
        _ => None,
    }
}
