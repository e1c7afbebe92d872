//! Kafka's `Requirements` and `SchemaUtil` for transformations: the checks every field
//! transformation starts with (with Kafka's messages) and schema building blocks (a type's
//! plain schema, `Date`/`Time`/`Timestamp` and `Decimal` schemas, `copySchemaBasics`), which
//! `Values` and the tests build their schemas with too.

use std::sync::Arc;

use super::codec::decode_default;
use super::data::Value;
use super::transform::TransformError;
use crate::convert::schema::{DECIMAL, Schema, Type};

/// A struct's fields (name, schema) and its values, in schema order.
pub type StructParts<'a> = (&'a [(String, Schema)], &'a [Value]);

/// `Requirements.requireSchema`: `Schema required for [purpose]`.
pub fn require_schema<'a>(
    schema: Option<&'a Arc<Schema>>,
    purpose: &str,
) -> Result<&'a Arc<Schema>, TransformError> {
    schema.ok_or_else(|| TransformError::new(format!("Schema required for [{purpose}]")))
}

/// `Requirements.requireMap`: the entries of a schemaless map value.
pub fn require_map<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<&'a Vec<(Value, Value)>, TransformError> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(TransformError::new(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            other.java_class()
        ))),
    }
}

/// `Requirements.requireMapOrNull`.
pub fn require_map_or_null<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<Option<&'a Vec<(Value, Value)>>, TransformError> {
    if value.is_null() {
        return Ok(None);
    }
    require_map(value, purpose).map(Some)
}

/// `Requirements.requireStruct`: the field values of a struct value with schema `schema`, and
/// the fields.
pub fn require_struct<'a>(
    schema: &'a Schema,
    value: &'a Value,
    purpose: &str,
) -> Result<StructParts<'a>, TransformError> {
    match (&schema.ty, value) {
        (Type::Struct(fields), Value::Struct(values)) => Ok((fields, values)),
        _ => Err(TransformError::new(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            value.java_class()
        ))),
    }
}

/// `Requirements.requireStructOrNull`.
pub fn require_struct_or_null<'a>(
    schema: &'a Schema,
    value: &'a Value,
    purpose: &str,
) -> Result<Option<StructParts<'a>>, TransformError> {
    if value.is_null() {
        return Ok(None);
    }
    require_struct(schema, value, purpose).map(Some)
}

/// `Requirements.requireSinkRecord`: only sink records have an offset.
pub fn require_sink_record(offset: Option<i64>, purpose: &str) -> Result<i64, TransformError> {
    offset.ok_or_else(|| {
        TransformError::new(format!(
            "Only SinkRecord supported for [{purpose}], found: org.apache.kafka.connect.source.SourceRecord"
        ))
    })
}

/// A required schema of `ty` with nothing else set (`SchemaBuilder.type(ty).build()`).
pub fn schema_of(ty: Type) -> Schema {
    Schema {
        ty,
        optional: false,
        name: None,
        version: None,
        doc: None,
        parameters: None,
        default: None,
    }
}

/// A required logical-type schema: `ty` named `name`, version 1 (`Date.SCHEMA`, `Time.SCHEMA`,
/// `Timestamp.SCHEMA`).
pub fn logical_schema(ty: Type, name: &str) -> Schema {
    Schema {
        name: Some(name.to_owned()),
        version: Some(1),
        ..schema_of(ty)
    }
}

/// `Decimal.schema(scale)`: required.
pub fn decimal_schema(scale: i32) -> Schema {
    Schema {
        parameters: Some(vec![("scale".to_owned(), scale.to_string())]),
        ..logical_schema(Type::Bytes, DECIMAL)
    }
}

/// `SchemaUtil.copySchemaBasics(source)` with type `ty`: name, version, doc and parameters
/// copied; not optional, no default (as Java's, which leaves both to the caller).
pub fn copy_schema_basics(source: &Schema, ty: Type) -> Schema {
    Schema {
        ty,
        optional: false,
        name: source.name.clone(),
        version: source.version,
        doc: source.doc.clone(),
        parameters: source.parameters.clone(),
        default: None,
    }
}

/// `Struct.get(field)` (`replace_null_with_default`: a null field reads as its default) or
/// `Struct.getWithoutDefault(field)`.
pub fn struct_get(field_schema: &Schema, value: &Value, replace_null_with_default: bool) -> Value {
    if value.is_null()
        && replace_null_with_default
        && let Some(default) = decode_default(field_schema)
    {
        return default;
    }
    value.clone()
}
