//! `org.apache.kafka.connect.transforms.ExtractField$Key` / `$Value`: replaces the key or value
//! by one of its fields (a struct field with a schema, a map entry without), the field named by
//! a [`SingleFieldPath`] (`field.syntax.version`). Nulls pass through.

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::config_checks::REPLACE_NULL_WITH_DEFAULT_DOC;
use super::data::{Datum, Value};
use super::field_path::{FIELD_SYNTAX_VERSION_DOC, FieldSyntaxVersion, SingleFieldPath};
use super::record::TransformRecord;
use super::requirements::{require_map_or_null, require_struct_or_null};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::trim;
use crate::convert::schema::Schema;

const PURPOSE: &str = "field extraction";

/// Kafka's keys, in Kafka's order (`field.syntax.version` appended last).
#[derive(Debug, ConnectConfig)]
pub struct ExtractFieldConfig {
    /// Field name to extract.
    #[config(importance = "medium")]
    pub field: String,
    /// `replace.null.with.default`.
    #[config(
        name = "replace.null.with.default",
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
    /// How `field` is read (`V1`: one root field, `V2`: a nested path).
    #[config(
        name = "field.syntax.version",
        default = "V1",
        importance = "high",
        doc = FIELD_SYNTAX_VERSION_DOC,
        parse_with = "FieldSyntaxVersion::for_config"
    )]
    pub field_syntax_version: FieldSyntaxVersion,
}

/// The configured transformation; `KEY` picks the key (`$Key`) or the value (`$Value`).
#[derive(Debug)]
pub struct ExtractField<const KEY: bool> {
    /// The path as configured, for the unknown-field message.
    original: String,
    path: SingleFieldPath,
    replace_null_with_default: bool,
    /// The extracted field's schema (or the failure to find it) by input schema.
    cache: SchemaUpdateCache<Result<Arc<Schema>, TransformError>>,
}

/// `ExtractField$Key`.
pub type ExtractFieldKey = ExtractField<true>;
/// `ExtractField$Value`.
pub type ExtractFieldValue = ExtractField<false>;

impl<const KEY: bool> BuiltinTransform for ExtractField<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "ExtractField");
    const DOC: &'static str = "Extract the specified field from a Struct when schema present, or a Map in the case of schemaless data. Any null values are passed through unmodified.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.ExtractField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.ExtractField$Value</code>).";
    type Config = ExtractFieldConfig;
    fn new(c: ExtractFieldConfig) -> Result<Self, TransformError> {
        // Kafka trims STRING values.
        let original = trim(&c.field).to_owned();
        let path =
            SingleFieldPath::new(&original, c.field_syntax_version).map_err(TransformError::new)?;
        Ok(ExtractField {
            original,
            path,
            replace_null_with_default: c.replace_null_with_default,
            cache: SchemaUpdateCache::new(),
        })
    }
}

impl<const KEY: bool> Transform for ExtractField<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let operand = record.operand_mut(KEY);
        let extracted = match &operand.schema {
            None => match require_map_or_null(&operand.value, PURPOSE)? {
                None => Datum::NULL,
                Some(_) => Datum::schemaless(self.path.value_from_map(&operand.value)?),
            },
            Some(schema) => {
                let parts = require_struct_or_null(schema, &operand.value, PURPOSE)?;
                let (path, original) = (&self.path, &self.original);
                let field_schema =
                    self.cache
                        .get_or_insert_with(schema, |s| match path.field_from(s)? {
                            Some(f) => Ok(Arc::new(f.clone())),
                            None => Err(TransformError::new(format!("Unknown field: {original}"))),
                        })?;
                let value = match parts {
                    None => Value::Null,
                    Some((fields, values)) => self.path.value_from_struct(
                        fields,
                        values,
                        self.replace_null_with_default,
                    )?,
                };
                Datum::with_schema(field_schema, value)
            }
        };
        *operand = extracted;
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::*;
    use connect_plugin_api::sdk::config::ConnectConfig;

    fn extract<const KEY: bool>(pairs: &[(&str, &str)]) -> ExtractField<KEY> {
        build(pairs).unwrap()
    }

    fn key_only(key: Datum) -> TransformRecord {
        sink_record(key, Datum::NULL)
    }

    const MAGIC: &str = r#"{"type":"struct","fields":[{"field":"magic","type":"int32"}]}"#;
    const NESTED: &str = r#"{"type":"struct","fields":[{"field":"magic","type":"struct",
        "fields":[{"field":"foo","type":"int32"}]}]}"#;

    #[test]
    fn schemaless() {
        let mut xform = extract::<true>(&[("field", "magic")]);
        let out = try_apply(
            &mut xform,
            key_only(Datum::schemaless(map(vec![("magic", Value::Int64(42))]))),
        )
        .unwrap();
        assert_eq!(out.key, Datum::schemaless(Value::Int64(42)));
    }

    #[test]
    fn schemaless_and_nested_path() {
        let mut xform = extract::<true>(&[("field", "magic.foo"), ("field.syntax.version", "V2")]);
        let key = map(vec![("magic", map(vec![("foo", Value::Int64(42))]))]);
        let out = try_apply(&mut xform, key_only(Datum::schemaless(key))).unwrap();
        assert_eq!(out.key, Datum::schemaless(Value::Int64(42)));
    }

    #[test]
    fn null_schemaless() {
        let mut xform = extract::<true>(&[("field", "magic")]);
        let out = try_apply(&mut xform, key_only(Datum::NULL)).unwrap();
        assert_eq!(out.key, Datum::NULL);
    }

    #[test]
    fn with_schema() {
        let mut xform = extract::<true>(&[("field", "magic")]);
        let out = try_apply(
            &mut xform,
            key_only(Datum::with_schema(
                json_schema(MAGIC),
                Value::Struct(vec![Value::Int32(42)]),
            )),
        )
        .unwrap();
        assert_eq!(out.key.schema.as_deref(), Some(&schema_of(Type::Int32)));
        assert_eq!(out.key.value, Value::Int32(42));
    }

    #[test]
    fn with_schema_and_nested_path() {
        let mut xform = extract::<true>(&[("field", "magic.foo"), ("field.syntax.version", "v2")]);
        let out = try_apply(
            &mut xform,
            key_only(Datum::with_schema(
                json_schema(NESTED),
                Value::Struct(vec![Value::Struct(vec![Value::Int32(42)])]),
            )),
        )
        .unwrap();
        assert_eq!(out.key.schema.as_deref(), Some(&schema_of(Type::Int32)));
        assert_eq!(out.key.value, Value::Int32(42));
    }

    #[test]
    fn null_with_schema() {
        let mut xform = extract::<true>(&[("field", "magic")]);
        let key_schema = json_schema(
            r#"{"type":"struct","optional":true,"fields":[{"field":"magic","type":"int32"}]}"#,
        );
        let out = try_apply(
            &mut xform,
            key_only(Datum::with_schema(key_schema, Value::Null)),
        )
        .unwrap();
        assert_eq!(out.key.schema.as_deref(), Some(&schema_of(Type::Int32)));
        assert_eq!(out.key.value, Value::Null);
    }

    #[test]
    fn non_existent_field_schemaless_is_null() {
        let mut xform = extract::<true>(&[("field", "nonexistent")]);
        let out = try_apply(
            &mut xform,
            key_only(Datum::schemaless(map(vec![("magic", Value::Int64(42))]))),
        )
        .unwrap();
        assert_eq!(out.key, Datum::schemaless(Value::Null));
    }

    #[test]
    fn non_existent_nested_field_schemaless_is_null() {
        let mut xform = extract::<true>(&[
            ("field", "magic.nonexistent"),
            ("field.syntax.version", "V2"),
        ]);
        let key = map(vec![("magic", map(vec![("foo", Value::Int64(42))]))]);
        let out = try_apply(&mut xform, key_only(Datum::schemaless(key))).unwrap();
        assert_eq!(out.key, Datum::schemaless(Value::Null));
    }

    #[test]
    fn non_existent_field_with_schema_fails() {
        let mut xform = extract::<true>(&[("field", "nonexistent")]);
        let e = try_apply(
            &mut xform,
            key_only(Datum::with_schema(
                json_schema(MAGIC),
                Value::Struct(vec![Value::Int32(42)]),
            )),
        )
        .unwrap_err();
        assert_eq!(e.message, "Unknown field: nonexistent");
    }

    #[test]
    fn non_existent_nested_field_with_schema_fails() {
        let mut xform = extract::<true>(&[
            ("field", "magic.nonexistent"),
            ("field.syntax.version", "V2"),
        ]);
        let e = try_apply(
            &mut xform,
            key_only(Datum::with_schema(
                json_schema(NESTED),
                Value::Struct(vec![Value::Struct(vec![Value::Int32(42)])]),
            )),
        )
        .unwrap_err();
        assert_eq!(e.message, "Unknown field: magic.nonexistent");
    }

    const OPTIONAL_WITH_DEFAULT: &str = r#"{"type":"struct","fields":[
        {"field":"optional_with_default","type":"int32","optional":true,"default":42}]}"#;

    #[test]
    fn unset_optional_key_is_its_default_unless_told_otherwise() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let mut xform = extract::<true>(&[
                ("field", "optional_with_default"),
                ("replace.null.with.default", replace),
            ]);
            let out = try_apply(
                &mut xform,
                key_only(Datum::with_schema(
                    json_schema(OPTIONAL_WITH_DEFAULT),
                    Value::Struct(vec![Value::Null]),
                )),
            )
            .unwrap();
            assert_eq!(out.key.value, expected, "replace={replace}");
        }
    }

    #[test]
    fn unset_optional_value_field_is_its_default_unless_told_otherwise() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let mut xform = extract::<false>(&[
                ("field", "optional_with_default"),
                ("replace.null.with.default", replace),
            ]);
            let key = Datum::schemaless(Value::String("k".into()));
            let out = try_apply(
                &mut xform,
                sink_record(
                    key.clone(),
                    Datum::with_schema(
                        json_schema(OPTIONAL_WITH_DEFAULT),
                        Value::Struct(vec![Value::Null]),
                    ),
                ),
            )
            .unwrap();
            assert_eq!(out.value.value, expected, "replace={replace}");
            assert_eq!(out.key, key);
        }
    }

    #[test]
    fn the_extracted_schema_is_shared_between_records_of_one_schema() {
        let mut xform = extract::<false>(&[("field", "magic")]);
        let s = json_schema(MAGIC);
        let mut schemas = Vec::new();
        for n in [1, 2] {
            let out = try_apply(
                &mut xform,
                sink_record(
                    Datum::NULL,
                    Datum::with_schema(s.clone(), Value::Struct(vec![Value::Int32(n)])),
                ),
            )
            .unwrap();
            schemas.push(out.value.schema.unwrap());
        }
        assert!(Arc::ptr_eq(&schemas[0], &schemas[1]));
    }

    #[test]
    fn kafkas_messages_for_values_of_the_wrong_kind() {
        let mut xform = extract::<false>(&[("field", "magic")]);
        let e = try_apply(
            &mut xform,
            sink_record(Datum::NULL, Datum::schemaless(Value::Int64(1))),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Long"
        );
        let e = try_apply(
            &mut xform,
            sink_record(
                Datum::NULL,
                Datum::with_schema(Arc::new(schema_of(Type::Int32)), Value::Int32(1)),
            ),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Only Struct objects supported for [field extraction], found: java.lang.Integer"
        );
        let mut optional = schema_of(Type::Int32);
        optional.optional = true;
        let e = try_apply(
            &mut xform,
            sink_record(
                Datum::NULL,
                Datum::with_schema(Arc::new(optional), Value::Null),
            ),
        )
        .unwrap_err();
        assert_eq!(e.message, "Cannot look up fields on non-struct type");
    }

    #[test]
    fn an_unclosed_backtick_is_a_configuration_error() {
        let c = ExtractFieldConfig::parse(&config(&[
            ("field", "foo.`bar"),
            ("field.syntax.version", "V2"),
        ]))
        .unwrap();
        assert_eq!(
            ExtractFieldValue::new(c).unwrap_err().message,
            "Incomplete backtick pair in path: [foo.`bar], consider adding a backslash before backtick at position 4 to escape it"
        );
    }

    #[test]
    fn config_validation_uses_kafkas_messages() {
        let reports = ExtractFieldConfig::validate(&config(&[("field.syntax.version", "V3")]));
        assert_eq!(reports.len(), 3);
        assert_eq!(
            reports[0].errors[0].as_str(),
            "Missing required configuration \"field\" which has no default value."
        );
        assert!(reports[1].errors.is_empty());
        assert_eq!(
            reports[2].errors[0].as_str(),
            "Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
        );
        let reports = ExtractFieldConfig::validate(&config(&[
            ("field", "f"),
            ("replace.null.with.default", "maybe"),
        ]));
        assert_eq!(
            reports[1].errors[0].as_str(),
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
        assert!(reports[2].errors.is_empty());
    }

    #[test]
    fn keys_in_kafkas_order_with_kafkas_defaults() {
        let def = ExtractFieldConfig::config_def();
        assert_eq!(
            keys_and_defaults(&def),
            [
                ("field", None),
                ("replace.null.with.default", Some("true")),
                ("field.syntax.version", Some("V1")),
            ]
        );
    }
}
