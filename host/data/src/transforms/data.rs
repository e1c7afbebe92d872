//! Connect values as transformations see them: Java's Connect data model (`Struct`, `Map`,
//! `List`, boxed primitives, `BigDecimal`, `java.util.Date`), each beside its schema in a
//! [`Datum`]. A record is decoded into this model once before the first transformation and
//! encoded once after the last, however many transformations run in between.

use std::sync::Arc;

use crate::convert::schema::Schema;

/// One Connect value. Which variant a value has is what Java's `Object` class would be; with a
/// schema, the variant matches the schema's type (`Struct` for a `STRUCT` schema, `Decimal` for
/// a `Decimal` logical schema, `Date` for `Date`/`Time`/`Timestamp`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `Boolean`.
    Boolean(bool),
    /// `Byte`.
    Int8(i8),
    /// `Short`.
    Int16(i16),
    /// `Integer`.
    Int32(i32),
    /// `Long`.
    Int64(i64),
    /// `Float`.
    Float32(f32),
    /// `Double`.
    Float64(f64),
    /// `String`.
    String(String),
    /// `byte[]`.
    Bytes(Vec<u8>),
    /// `BigDecimal`, as plain decimal text with exactly the schema's scale (`-12.30`).
    Decimal(String),
    /// `java.util.Date` in milliseconds since the epoch (the Java value of the `Date`, `Time`
    /// and `Timestamp` logical types alike).
    Date(i64),
    /// `List`.
    Array(Vec<Value>),
    /// `Map`, entries in their original order.
    Map(Vec<(Value, Value)>),
    /// `Struct`: one value per field of its schema, in the schema's order.
    Struct(Vec<Value>),
}

impl Value {
    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The entry of a string-keyed map named `key`.
    pub fn map_get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Value::String(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Java's name for the class of this value, used in Kafka's error messages
    /// (`Only Struct objects supported for [...], found: java.lang.String`).
    pub fn java_class(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "java.lang.Boolean",
            Value::Int8(_) => "java.lang.Byte",
            Value::Int16(_) => "java.lang.Short",
            Value::Int32(_) => "java.lang.Integer",
            Value::Int64(_) => "java.lang.Long",
            Value::Float32(_) => "java.lang.Float",
            Value::Float64(_) => "java.lang.Double",
            Value::String(_) => "java.lang.String",
            Value::Bytes(_) => "[B",
            Value::Decimal(_) => "java.math.BigDecimal",
            Value::Date(_) => "java.util.Date",
            Value::Array(_) => "java.util.ArrayList",
            Value::Map(_) => "java.util.HashMap",
            Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
        }
    }
}

/// A key, value or header value: the value and its schema (`None` = schemaless).
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    /// The Connect schema, shared: transformations that leave it alone keep the same `Arc`.
    pub schema: Option<Arc<Schema>>,
    /// The value.
    pub value: Value,
}

impl Datum {
    /// A null without schema (a tombstone value, a missing key).
    pub const NULL: Datum = Datum {
        schema: None,
        value: Value::Null,
    };

    /// A value with a schema.
    pub fn with_schema(schema: Arc<Schema>, value: Value) -> Datum {
        Datum {
            schema: Some(schema),
            value,
        }
    }

    /// A value without schema.
    pub fn schemaless(value: Value) -> Datum {
        Datum {
            schema: None,
            value,
        }
    }
}

/// The index of struct field `name` in `schema`, if `schema` is a struct with that field.
pub fn field_index(schema: &Schema, name: &str) -> Option<usize> {
    schema.fields().iter().position(|(n, _)| n == name)
}

/// `Map.put(key, value)` on a string-keyed map (Java's `HashMap<String, Object>`): replaces the
/// value of an entry named `key` where there is one, else appends the entry.
pub fn map_put(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries
        .iter_mut()
        .find(|(k, _)| matches!(k, Value::String(s) if s == key))
    {
        Some((_, v)) => *v = value,
        None => entries.push((Value::String(key.to_owned()), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_lookup_by_string_key() {
        let m = Value::Map(vec![
            (Value::String("a".into()), Value::Int64(1)),
            (Value::Int32(2), Value::Int64(2)),
        ]);
        assert_eq!(m.map_get("a"), Some(&Value::Int64(1)));
        assert_eq!(m.map_get("2"), None);
        assert_eq!(Value::Null.map_get("a"), None);
    }

    #[test]
    fn map_put_replaces_or_appends() {
        let mut entries = vec![(Value::String("a".into()), Value::Int64(1))];
        map_put(&mut entries, "a", Value::Int64(2));
        map_put(&mut entries, "b", Value::Null);
        assert_eq!(
            entries,
            vec![
                (Value::String("a".into()), Value::Int64(2)),
                (Value::String("b".into()), Value::Null),
            ]
        );
    }
}
