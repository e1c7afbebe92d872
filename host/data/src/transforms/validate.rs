//! Java's `ConnectSchema.validateValue`: the check `Struct.put` makes on every value a
//! transformation puts into a struct, with Kafka's messages. A transformation that builds a
//! struct fails where Java's would, e.g. on a null for a required field.

use super::data::Value;
use super::transform::TransformError;
use crate::convert::schema::{DATE, DECIMAL, Schema, TIME, TIMESTAMP, Type};

/// `ConnectSchema.validateValue(fieldName, schema, value)`: `value` fits `schema`. `field` names
/// the struct field it is put into (`None`: a whole key or value).
pub fn validate_value(
    field: Option<&str>,
    schema: &Schema,
    value: &Value,
) -> Result<(), TransformError> {
    let location = match field {
        Some(name) => format!("field: \"{name}\""),
        None => "value".to_string(),
    };
    check(schema, value, &location)
}

fn check(schema: &Schema, value: &Value, location: &str) -> Result<(), TransformError> {
    if value.is_null() {
        if !schema.optional {
            return Err(TransformError::new(format!(
                "Invalid value: null used for required {location}, schema type: {}",
                schema.ty.java_name()
            )));
        }
        return Ok(());
    }
    if !class_matches(schema, value) {
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
            // A struct value carries no schema of its own here; one of another shape is what
            // Java's schema comparison refuses.
            if fields.len() != values.len() {
                return Err(TransformError::new("Struct schemas do not match."));
            }
            // `Struct.validate()`: a null is fine where the field is optional or has a default.
            for ((name, field_schema), v) in fields.iter().zip(values) {
                if v.is_null() && (field_schema.optional || field_schema.default.is_some()) {
                    continue;
                }
                check(field_schema, v, &format!("field: \"{name}\""))?;
            }
        }
        (Type::Array(items), Value::Array(elements)) => {
            let at = format!("element of array {location}");
            for e in elements {
                check(items, e, &at)?;
            }
        }
        (Type::Map(keys, values), Value::Map(entries)) => {
            let key_at = format!("key of map {location}");
            let value_at = format!("value of map {location}");
            for (k, v) in entries {
                check(keys, k, &key_at)?;
                check(values, v, &value_at)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether the Java class of `value` is one `schema` accepts (logical types by schema name).
fn class_matches(schema: &Schema, value: &Value) -> bool {
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

    fn optional(mut s: Schema) -> Schema {
        s.optional = true;
        s
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
