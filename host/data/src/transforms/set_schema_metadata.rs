//! `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key` / `$Value`: sets the name, the
//! version or both of the key or value schema. A struct value is rebuilt on the new schema, as
//! Java's `updateSchemaIn` does, reading nulls through their defaults when
//! `replace.null.with.default` is on.

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::config_checks::REPLACE_NULL_WITH_DEFAULT_DOC;
use super::connect_schema::validate_value;
use super::data::{Datum, Value};
use super::record::TransformRecord;
use super::requirements::{require_schema, struct_get};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::trim;
use crate::convert::schema::{Schema, Type};

/// Kafka's keys.
#[derive(Debug, ConnectConfig)]
pub struct SetSchemaMetadataConfig {
    /// Schema name to set.
    #[config(importance = "high")]
    pub schema_name: Option<String>,
    /// Schema version to set.
    #[config(importance = "high")]
    pub schema_version: Option<i32>,
    /// `replace.null.with.default`.
    #[config(
        name = "replace.null.with.default",
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

/// The configured transformation; `KEY` picks the key (`$Key`) or the value (`$Value`).
#[derive(Debug)]
pub struct SetSchemaMetadata<const KEY: bool> {
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
    /// Renamed schemas by input schema.
    cache: SchemaUpdateCache<Arc<Schema>>,
}

/// `SetSchemaMetadata$Key`.
pub type SetSchemaMetadataKey = SetSchemaMetadata<true>;
/// `SetSchemaMetadata$Value`.
pub type SetSchemaMetadataValue = SetSchemaMetadata<false>;

impl<const KEY: bool> BuiltinTransform for SetSchemaMetadata<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "SetSchemaMetadata");
    const DOC: &'static str = "Set the schema name, version or both on the record's key (<code>org.apache.kafka.connect.transforms.SetSchemaMetadata$Key</code>) or value (<code>org.apache.kafka.connect.transforms.SetSchemaMetadata$Value</code>) schema.";
    type Config = SetSchemaMetadataConfig;
    fn new(c: SetSchemaMetadataConfig) -> Result<Self, TransformError> {
        if c.schema_name.is_none() && c.schema_version.is_none() {
            return Err(TransformError::new(
                "Neither schema name nor version configured",
            ));
        }
        Ok(SetSchemaMetadata {
            // Kafka trims STRING values.
            name: c.schema_name.map(|n| trim(&n).to_owned()),
            version: c.schema_version,
            replace_null_with_default: c.replace_null_with_default,
            cache: SchemaUpdateCache::new(),
        })
    }
}

impl<const KEY: bool> Transform for SetSchemaMetadata<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let operand = record.operand_mut(KEY);
        if operand.value.is_null() && operand.schema.is_none() {
            return Ok(Some(record));
        }
        let schema = require_schema(operand.schema.as_ref(), "updating schema metadata")?;
        // Kafka copies the schema with `schema.fields()`, which throws for every type but a
        // struct: Java's SetSchemaMetadata fails on primitive, array and map schemas (the SMT
        // oracle table checks it against Kafka 4.3.1).
        if !matches!(schema.ty, Type::Struct(_)) {
            return Err(TransformError::new("Cannot list fields on non-struct type"));
        }
        let (name, version) = (&self.name, self.version);
        let updated = self.cache.get_or_insert_with(schema, |s| {
            Arc::new(Schema {
                name: name.clone().or_else(|| s.name.clone()),
                version: version.map(i64::from).or(s.version),
                ..s.clone()
            })
        });
        let value = std::mem::replace(&mut operand.value, Value::Null);
        let value = self.update_schema_in(&updated, value)?;
        *operand = Datum::with_schema(updated, value);
        Ok(Some(record))
    }
}

impl<const KEY: bool> SetSchemaMetadata<KEY> {
    /// Java's `updateSchemaIn`: a struct is put field by field into a struct of the new schema
    /// (so `Struct.put` checks each value); anything else is returned as it is.
    fn update_schema_in(&self, schema: &Schema, value: Value) -> Result<Value, TransformError> {
        let (Type::Struct(fields), Value::Struct(values)) = (&schema.ty, &value) else {
            return Ok(value);
        };
        let mut out = Vec::with_capacity(values.len());
        for ((name, field_schema), v) in fields.iter().zip(values) {
            // `Struct.get` or `Struct.getWithoutDefault`.
            let v = struct_get(field_schema, v, self.replace_null_with_default);
            validate_value(Some(name), field_schema, &v)?;
            out.push(v);
        }
        Ok(Value::Struct(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::*;
    use connect_plugin_api::sdk::config::ConnectConfig;

    fn xform<const KEY: bool>(pairs: &[(&str, &str)]) -> SetSchemaMetadata<KEY> {
        build(pairs).unwrap()
    }

    fn apply_value(x: &mut SetSchemaMetadataValue, value: Datum) -> Result<Datum, TransformError> {
        try_apply(x, with_value(value)).map(|r| r.value)
    }

    fn empty_struct() -> Arc<Schema> {
        Arc::new(schema_of(Type::Struct(vec![])))
    }

    #[test]
    fn schema_name_update() {
        let mut x = xform::<false>(&[("schema.name", "foo")]);
        let out = apply_value(&mut x, Datum::with_schema(empty_struct(), Value::Null)).unwrap();
        assert_eq!(out.schema.unwrap().name.as_deref(), Some("foo"));
    }

    #[test]
    fn schema_version_update() {
        let mut x = xform::<false>(&[("schema.version", "42")]);
        let out = apply_value(&mut x, Datum::with_schema(empty_struct(), Value::Null)).unwrap();
        assert_eq!(out.schema.unwrap().version, Some(42));
    }

    #[test]
    fn schema_name_and_version_update() {
        let mut x = xform::<false>(&[("schema.name", "foo"), ("schema.version", "42")]);
        let out = apply_value(&mut x, Datum::with_schema(empty_struct(), Value::Null)).unwrap();
        let s = out.schema.unwrap();
        assert_eq!((s.name.as_deref(), s.version), (Some("foo"), Some(42)));
        assert_eq!(out.value, Value::Null);
    }

    const ORIG: &str = r#"{"type":"struct","name":"my.orig.SchemaDefn","version":1,"doc":"d",
        "parameters":{"p":"v"},"fields":[{"field":"f1","type":"string"},{"field":"f2","type":"int32"}]}"#;

    #[test]
    fn schema_name_and_version_update_with_struct() {
        let mut x = xform::<false>(&[("schema.name", "foo"), ("schema.version", "42")]);
        let orig = json_schema(ORIG);
        let value = Value::Struct(vec![Value::String("value1".into()), Value::Int32(1)]);
        let out = apply_value(&mut x, Datum::with_schema(orig.clone(), value.clone())).unwrap();
        let s = out.schema.unwrap();
        assert_eq!(
            *s,
            Schema {
                name: Some("foo".into()),
                version: Some(42),
                ..(*orig).clone()
            }
        );
        assert_eq!(out.value, value);
    }

    #[test]
    fn only_what_is_configured_changes() {
        let mut x = xform::<false>(&[("schema.version", "7")]);
        let orig = json_schema(ORIG);
        let out = apply_value(&mut x, Datum::with_schema(orig.clone(), Value::Null)).unwrap();
        let s = out.schema.unwrap();
        assert_eq!(s.name, orig.name);
        assert_eq!(s.version, Some(7));
        assert_eq!((s.doc.as_deref(), s.parameter("p")), (Some("d"), Some("v")));
    }

    #[test]
    fn struct_with_null_field_reads_its_default_unless_told_otherwise() {
        let with_default = json_schema(
            r#"{"type":"struct","name":"my.orig.SchemaDefn","fields":[
            {"field":"f1","type":"string","optional":true,"default":"default"},
            {"field":"f2","type":"int32"}]}"#,
        );
        for (replace, expected) in [
            ("false", Value::Null),
            ("true", Value::String("default".into())),
        ] {
            let mut x = xform::<false>(&[
                ("schema.name", "foo"),
                ("schema.version", "42"),
                ("replace.null.with.default", replace),
            ]);
            let out = apply_value(
                &mut x,
                Datum::with_schema(
                    with_default.clone(),
                    Value::Struct(vec![Value::Null, Value::Int32(1)]),
                ),
            )
            .unwrap();
            let s = out.schema.unwrap();
            assert_eq!((s.name.as_deref(), s.version), (Some("foo"), Some(42)));
            assert_eq!(
                out.value,
                Value::Struct(vec![expected, Value::Int32(1)]),
                "replace={replace}"
            );
        }
    }

    #[test]
    fn a_required_field_left_null_fails_as_struct_put_does() {
        let required_with_default = json_schema(
            r#"{"type":"struct","fields":[{"field":"f","type":"string","default":"d"}]}"#,
        );
        let mut x = xform::<false>(&[
            ("schema.name", "foo"),
            ("replace.null.with.default", "false"),
        ]);
        let e = apply_value(
            &mut x,
            Datum::with_schema(
                required_with_default.clone(),
                Value::Struct(vec![Value::Null]),
            ),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required field: \"f\", schema type: STRING"
        );
        let mut x = xform::<false>(&[("schema.name", "foo")]);
        let out = apply_value(
            &mut x,
            Datum::with_schema(required_with_default, Value::Struct(vec![Value::Null])),
        )
        .unwrap();
        assert_eq!(out.value, Value::Struct(vec![Value::String("d".into())]));
    }

    #[test]
    fn value_schema_required() {
        let mut x = xform::<false>(&[("schema.name", "foo")]);
        let e = apply_value(&mut x, Datum::schemaless(Value::Int64(42))).unwrap_err();
        assert_eq!(e.message, "Schema required for [updating schema metadata]");
    }

    #[test]
    fn ignore_record_with_null_value() {
        let mut x = xform::<false>(&[("schema.name", "foo")]);
        let out = x
            .apply(sink_record(Datum::NULL, Datum::NULL))
            .unwrap()
            .unwrap();
        assert_eq!((out.key, out.value), (Datum::NULL, Datum::NULL));
    }

    #[test]
    fn non_struct_schemas_fail_as_in_kafka() {
        let mut x = xform::<true>(&[("schema.name", "foo")]);
        let err = x
            .apply(sink_record(
                Datum::with_schema(Arc::new(schema_of(Type::Int32)), Value::Int32(1)),
                Datum::schemaless(Value::String("v".into())),
            ))
            .unwrap_err();
        assert_eq!(err.message, "Cannot list fields on non-struct type");
    }

    #[test]
    fn one_updated_schema_per_input_schema() {
        let mut x = xform::<false>(&[("schema.name", "foo")]);
        let s = json_schema(ORIG);
        let a = apply_value(&mut x, Datum::with_schema(s.clone(), Value::Null)).unwrap();
        let b = apply_value(&mut x, Datum::with_schema(s, Value::Null)).unwrap();
        assert!(Arc::ptr_eq(
            a.schema.as_ref().unwrap(),
            b.schema.as_ref().unwrap()
        ));
    }

    #[test]
    fn neither_name_nor_version_is_a_configuration_error() {
        let c = SetSchemaMetadataConfig::parse(&config(&[])).unwrap();
        assert_eq!(
            SetSchemaMetadataValue::new(c).unwrap_err().message,
            "Neither schema name nor version configured"
        );
    }

    #[test]
    fn config_validation_uses_kafkas_messages() {
        let reports = SetSchemaMetadataConfig::validate(&config(&[
            ("schema.version", "x"),
            ("replace.null.with.default", "1"),
        ]));
        let names: Vec<&str> = reports.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["schema.name", "schema.version", "replace.null.with.default"]
        );
        assert!(reports[0].errors.is_empty());
        assert_eq!(
            reports[1].errors[0].as_str(),
            "Invalid value x for configuration schema.version: Not a number of type INT"
        );
        assert_eq!(
            reports[2].errors[0].as_str(),
            "Invalid value 1 for configuration replace.null.with.default: Expected value to be either true or false"
        );
    }
}
