//! Two checks of Java's Connect data API that transformations run into when they build structs:
//! `SchemaBuilder.struct().field(...)` (no empty or repeated field names) and
//! `ConnectSchema.validateValue`, which `Struct.put` runs on every value it stores (a null in a
//! required field, a value of the wrong class). Kafka's messages.

use std::collections::HashSet;
use std::fmt;

use super::data::Value;
use super::transform::TransformError;
use crate::convert::schema::{DATE, DECIMAL, Schema, TIME, TIMESTAMP, Type};

/// The fields of a struct schema being built, as `SchemaBuilder.struct()` collects them.
#[derive(Debug, Default)]
pub struct StructFields {
    fields: Vec<(String, Schema)>,
    names: HashSet<String>,
}

impl StructFields {
    /// No fields yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `SchemaBuilder.field(name, schema)`: appends a field; an empty or repeated name is
    /// Java's `SchemaBuilderException`.
    pub fn field(&mut self, name: &str, schema: Schema) -> Result<(), TransformError> {
        if name.is_empty() {
            return Err(TransformError::new("fieldName cannot be null."));
        }
        if !self.names.insert(name.to_owned()) {
            return Err(TransformError::new(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        self.fields.push((name.to_owned(), schema));
        Ok(())
    }

    /// The struct type of the fields, in the order they were added.
    pub fn into_type(self) -> Type {
        Type::Struct(self.fields)
    }
}

/// Where a checked value is, for the message (`field: "x"`, `element of array value`, ...).
#[derive(Clone, Copy)]
enum Location<'a> {
    Value,
    Field(&'a str),
    Element(&'a Location<'a>),
    MapKey(&'a Location<'a>),
    MapValue(&'a Location<'a>),
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Value => f.write_str("value"),
            Location::Field(name) => write!(f, "field: \"{name}\""),
            Location::Element(of) => write!(f, "element of array {of}"),
            Location::MapKey(of) => write!(f, "key of map {of}"),
            Location::MapValue(of) => write!(f, "value of map {of}"),
        }
    }
}

/// `ConnectSchema.validateValue(field, schema, value)`: what `Struct.put(field, value)` checks
/// before storing (`field` is `None` for a whole key or value). Nested structs are checked as
/// `Struct.validate()` does (a null is fine where the field is optional or has a default).
pub fn validate_value(
    field: Option<&str>,
    schema: &Schema,
    value: &Value,
) -> Result<(), TransformError> {
    let location = match field {
        Some(name) => Location::Field(name),
        None => Location::Value,
    };
    validate_at(schema, value, &location)
}

fn validate_at(
    schema: &Schema,
    value: &Value,
    location: &Location<'_>,
) -> Result<(), TransformError> {
    if value.is_null() {
        if schema.optional {
            return Ok(());
        }
        return Err(TransformError::new(format!(
            "Invalid value: null used for required {location}, schema type: {}",
            schema.ty.java_name()
        )));
    }
    if !has_expected_class(schema, value) {
        let name = match &schema.name {
            Some(n) => format!(" \"{n}\""),
            None => String::new(),
        };
        return Err(TransformError::new(format!(
            "Invalid Java object for schema{name} with type {}: class {} for {location}",
            schema.ty.java_name(),
            value.java_class()
        )));
    }
    match (&schema.ty, value) {
        (Type::Struct(fields), Value::Struct(values)) => {
            // Java compares the struct's own schema; here a value has none, only its arity.
            if fields.len() != values.len() {
                return Err(TransformError::new("Struct schemas do not match."));
            }
            for ((name, field_schema), v) in fields.iter().zip(values) {
                if v.is_null() && (field_schema.optional || field_schema.default.is_some()) {
                    continue;
                }
                validate_at(field_schema, v, &Location::Field(name))?;
            }
        }
        (Type::Array(items), Value::Array(elements)) => {
            let at = Location::Element(location);
            for e in elements {
                validate_at(items, e, &at)?;
            }
        }
        (Type::Map(keys, values), Value::Map(entries)) => {
            let (key_at, value_at) = (Location::MapKey(location), Location::MapValue(location));
            for (k, v) in entries {
                validate_at(keys, k, &key_at)?;
                validate_at(values, v, &value_at)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether `value` has a class Java accepts for `schema` (`expectedClassesFor`: the logical
/// type's class if the schema names one, else the type's).
fn has_expected_class(schema: &Schema, value: &Value) -> bool {
    match schema.name.as_deref() {
        Some(DECIMAL) => return matches!(value, Value::Decimal(_)),
        Some(DATE | TIME | TIMESTAMP) => return matches!(value, Value::Date(_)),
        _ => {}
    }
    matches!(
        (&schema.ty, value),
        (Type::Boolean, Value::Boolean(_))
            | (Type::Int8, Value::Int8(_))
            | (Type::Int16, Value::Int16(_))
            | (Type::Int32, Value::Int32(_))
            | (Type::Int64, Value::Int64(_))
            | (Type::Float32, Value::Float32(_))
            | (Type::Float64, Value::Float64(_))
            | (Type::String, Value::String(_))
            | (Type::Bytes, Value::Bytes(_))
            | (Type::Array(_), Value::Array(_))
            | (Type::Map(..), Value::Map(_))
            | (Type::Struct(_), Value::Struct(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::optional;

    #[test]
    fn struct_fields_refuse_empty_and_repeated_names() {
        let mut f = StructFields::new();
        f.field("a", schema_of(Type::Int32)).unwrap();
        assert_eq!(
            f.field("a", schema_of(Type::String)).unwrap_err().message,
            "Cannot create field because of field name duplication a"
        );
        assert_eq!(
            f.field("", schema_of(Type::String)).unwrap_err().message,
            "fieldName cannot be null."
        );
        assert_eq!(
            f.into_type(),
            Type::Struct(vec![("a".into(), schema_of(Type::Int32))])
        );
    }

    #[test]
    fn values_are_checked_as_struct_put_checks_them() {
        let int32 = schema_of(Type::Int32);
        assert!(validate_value(Some("x"), &int32, &Value::Int32(1)).is_ok());
        assert!(validate_value(Some("x"), &optional(schema_of(Type::Int32)), &Value::Null).is_ok());
        assert_eq!(
            validate_value(Some("x"), &int32, &Value::Null)
                .unwrap_err()
                .message,
            "Invalid value: null used for required field: \"x\", schema type: INT32"
        );
        assert_eq!(
            validate_value(None, &int32, &Value::String("1".into()))
                .unwrap_err()
                .message,
            "Invalid Java object for schema with type INT32: class java.lang.String for value"
        );
        let ts = Schema {
            name: Some(TIMESTAMP.into()),
            ..schema_of(Type::Int64)
        };
        assert!(validate_value(None, &ts, &Value::Date(5)).is_ok());
        assert_eq!(
            validate_value(Some("t"), &ts, &Value::Int64(5))
                .unwrap_err()
                .message,
            "Invalid Java object for schema \"org.apache.kafka.connect.data.Timestamp\" with type INT64: class java.lang.Long for field: \"t\""
        );
        let array = schema_of(Type::Array(Box::new(int32.clone())));
        assert_eq!(
            validate_value(Some("a"), &array, &Value::Array(vec![Value::Null]))
                .unwrap_err()
                .message,
            "Invalid value: null used for required element of array field: \"a\", schema type: INT32"
        );
        let map = schema_of(Type::Map(
            Box::new(schema_of(Type::String)),
            Box::new(int32.clone()),
        ));
        assert_eq!(
            validate_value(
                None,
                &map,
                &Value::Map(vec![(Value::String("k".into()), Value::Boolean(true))])
            )
            .unwrap_err()
            .message,
            "Invalid Java object for schema with type INT32: class java.lang.Boolean for value of map value"
        );
        // Inside a struct, a null is fine where the field has a default.
        let with_default = Schema {
            default: Some("7".into()),
            ..int32.clone()
        };
        let nested = schema_of(Type::Struct(vec![
            ("d".into(), with_default),
            ("r".into(), int32),
        ]));
        assert!(
            validate_value(
                None,
                &nested,
                &Value::Struct(vec![Value::Null, Value::Int32(1)])
            )
            .is_ok()
        );
        assert_eq!(
            validate_value(
                None,
                &nested,
                &Value::Struct(vec![Value::Null, Value::Null])
            )
            .unwrap_err()
            .message,
            "Invalid value: null used for required field: \"r\", schema type: INT32"
        );
    }

    #[test]
    fn null_needs_an_optional_schema() {
        let e = validate_value(Some("f"), &schema_of(Type::Int32), &Value::Null).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required field: \"f\", schema type: INT32"
        );
        let e = validate_value(None, &schema_of(Type::String), &Value::Null).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required value, schema type: STRING"
        );
        assert!(validate_value(None, &optional(schema_of(Type::String)), &Value::Null).is_ok());
    }

    #[test]
    fn the_value_class_must_match_the_schema_type() {
        let e = validate_value(Some("f"), &schema_of(Type::Int32), &Value::Int64(1)).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid Java object for schema with type INT32: class java.lang.Long for field: \"f\""
        );
        let mut decimal = schema_of(Type::Bytes);
        decimal.name = Some(DECIMAL.into());
        let e = validate_value(None, &decimal, &Value::Bytes(vec![1])).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid Java object for schema \"org.apache.kafka.connect.data.Decimal\" with type BYTES: class [B for value"
        );
        assert!(validate_value(None, &decimal, &Value::Decimal("1.0".into())).is_ok());
    }

    #[test]
    fn containers_are_checked_element_by_element() {
        let array = schema_of(Type::Array(Box::new(schema_of(Type::String))));
        let e = validate_value(
            Some("a"),
            &array,
            &Value::Array(vec![Value::String("x".into()), Value::Null]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required element of array field: \"a\", schema type: STRING"
        );
        let map = schema_of(Type::Map(
            Box::new(schema_of(Type::String)),
            Box::new(schema_of(Type::Int32)),
        ));
        let e = validate_value(
            None,
            &map,
            &Value::Map(vec![(Value::String("k".into()), Value::Int64(1))]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid Java object for schema with type INT32: class java.lang.Long for value of map value"
        );
        let mut with_default = schema_of(Type::Int32);
        with_default.default = Some("1".into());
        let st = schema_of(Type::Struct(vec![
            ("d".into(), with_default),
            ("r".into(), schema_of(Type::Int32)),
        ]));
        assert!(
            validate_value(
                None,
                &st,
                &Value::Struct(vec![Value::Null, Value::Int32(2)])
            )
            .is_ok()
        );
        let e = validate_value(
            None,
            &st,
            &Value::Struct(vec![Value::Int32(1), Value::Null]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required field: \"r\", schema type: INT32"
        );
        let e = validate_value(None, &st, &Value::Struct(vec![Value::Null])).unwrap_err();
        assert_eq!(e.message, "Struct schemas do not match.");
    }
}
