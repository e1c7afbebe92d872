//! `org.apache.kafka.connect.transforms.ValueToKey`: replaces the record key with the named
//! fields of the value: a `Struct` of them (its schema made from the value's field schemas) or,
//! without a schema, a `Map`. The value stays as it is; a null value is an error, as in Kafka
//! 4.3.

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;
use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap};

use super::builtin::BuiltinTransform;
use super::config_checks::{
    Checked, ExtraChecks, REPLACE_NULL_WITH_DEFAULT_DOC, java_list, validate_non_duplicate_list,
};
use super::connect_schema::{StructFields, validate_value};
use super::data::{Datum, Value, field_index};
use super::record::TransformRecord;
use super::requirements::{require_map, require_struct, schema_of, struct_get};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::convert::schema::Schema;

/// Kafka's `OVERVIEW_DOC`.
const DOC: &str =
    "Replace the record key with a new key formed from a subset of fields in the record value.";

/// The `purpose` in Kafka's messages.
const PURPOSE: &str = "copying fields from value to key";

/// Kafka's keys, in its order, as the SDK checks them; [`ValueToKeyConfig`] adds the list
/// validator.
#[derive(Debug, ConnectConfig)]
pub struct ValueToKeyKeys {
    /// `fields`.
    #[config(
        ty = "LIST",
        importance = "high",
        doc = "Field names on the record value to extract as the record key.",
        parse_with = "java_list"
    )]
    pub fields: Vec<String>,
    /// `replace.null.with.default`.
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

/// `ValidList.anyNonDuplicateValues(false, false)` on `fields`, which the SDK has no kind for.
impl ExtraChecks for ValueToKeyKeys {
    fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef) {
        validate_non_duplicate_list(reports, raw, def, "fields", false);
    }
}

/// The configuration: [`ValueToKeyKeys`] with its [`ExtraChecks`].
pub type ValueToKeyConfig = Checked<ValueToKeyKeys>;

/// The configured transformation.
#[derive(Debug)]
pub struct ValueToKey {
    fields: Vec<String>,
    replace_null_with_default: bool,
    /// By value schema: the key schema and the value's index of each key field.
    cache: SchemaUpdateCache<(Arc<Schema>, Vec<usize>)>,
}

impl BuiltinTransform for ValueToKey {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.ValueToKey";
    const DOC: &'static str = DOC;
    type Config = ValueToKeyConfig;

    fn new(Checked(c): ValueToKeyConfig) -> Result<Self, TransformError> {
        Ok(ValueToKey {
            fields: c.fields,
            replace_null_with_default: c.replace_null_with_default,
            cache: SchemaUpdateCache::default(),
        })
    }
}

/// The key schema for value schema `schema`: a plain struct (no name, required) of the named
/// fields with the value's field schemas, and where each comes from.
fn key_schema(
    names: &[String],
    schema: &Schema,
) -> Result<(Arc<Schema>, Vec<usize>), TransformError> {
    let value_fields = schema.fields();
    let mut fields = StructFields::new();
    let mut sources = Vec::with_capacity(names.len());
    for name in names {
        let i = field_index(schema, name)
            .ok_or_else(|| TransformError::new(format!("Field does not exist: {name}")))?;
        fields.field(name, value_fields[i].1.clone())?;
        sources.push(i);
    }
    Ok((Arc::new(schema_of(fields.into_type())), sources))
}

impl Transform for ValueToKey {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let value = &record.value;
        let key = match &value.schema {
            None => {
                let entries = require_map(&value.value, PURPOSE)?;
                // A field the value lacks is a null entry, as Java's `Map.get` gives.
                let key = self
                    .fields
                    .iter()
                    .map(|name| {
                        let v = entries
                            .iter()
                            .find(|(k, _)| matches!(k, Value::String(s) if s == name))
                            .map_or(Value::Null, |(_, v)| v.clone());
                        (Value::String(name.clone()), v)
                    })
                    .collect();
                Datum::schemaless(Value::Map(key))
            }
            Some(schema) => {
                let (value_fields, values) = require_struct(schema, &value.value, PURPOSE)?;
                let names = &self.fields;
                let (key_schema, sources) = self
                    .cache
                    .get_or_try_insert(schema, |s| key_schema(names, s))?;
                let mut key = Vec::with_capacity(sources.len());
                for (name, &i) in names.iter().zip(sources) {
                    let field_schema = &value_fields[i].1;
                    let v = struct_get(field_schema, &values[i], self.replace_null_with_default);
                    validate_value(Some(name), field_schema, &v)?;
                    key.push(v);
                }
                Datum::with_schema(Arc::clone(key_schema), Value::Struct(key))
            }
        };
        record.key = key;
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::test_support::*;

    fn abc() -> Arc<Schema> {
        Arc::new(struct_schema(vec![
            ("a", schema_of(Type::Int32)),
            ("b", schema_of(Type::Int32)),
            ("c", schema_of(Type::Int32)),
        ]))
    }

    #[test]
    fn schemaless() {
        let mut t: ValueToKey = build(&[("fields", "a,b")]).unwrap();
        let value = Datum::schemaless(map(vec![
            ("a", Value::Int64(1)),
            ("b", Value::Int64(2)),
            ("c", Value::Int64(3)),
        ]));
        let out = t
            .apply(sink_record(Datum::NULL, value.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.key,
            Datum::schemaless(map(vec![("a", Value::Int64(1)), ("b", Value::Int64(2))]))
        );
        assert_eq!(out.value, value);
        // A field the value lacks is a null entry.
        let mut t: ValueToKey = build(&[("fields", "a,z")]).unwrap();
        let out = t.apply(sink_record(Datum::NULL, value)).unwrap().unwrap();
        assert_eq!(
            out.key,
            Datum::schemaless(map(vec![("a", Value::Int64(1)), ("z", Value::Null)]))
        );
    }

    #[test]
    fn with_schema() {
        let mut t: ValueToKey = build(&[("fields", "a,b")]).unwrap();
        let schema = abc();
        let value = datum(
            &schema,
            Value::Struct(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]),
        );
        let out = t
            .apply(sink_record(Datum::NULL, value.clone()))
            .unwrap()
            .unwrap();
        let expected_schema = struct_schema(vec![
            ("a", schema_of(Type::Int32)),
            ("b", schema_of(Type::Int32)),
        ]);
        assert_eq!(out.key.schema.as_deref(), Some(&expected_schema));
        assert_eq!(
            out.key.value,
            Value::Struct(vec![Value::Int32(1), Value::Int32(2)])
        );
        assert_eq!(out.value, value);
        let again = t.apply(sink_record(Datum::NULL, value)).unwrap().unwrap();
        assert!(Arc::ptr_eq(
            out.key.schema.as_ref().unwrap(),
            again.key.schema.as_ref().unwrap()
        ));
    }

    #[test]
    fn non_existing_field() {
        let mut t: ValueToKey = build(&[("fields", "not_exist")]).unwrap();
        let schema = Arc::new(struct_schema(vec![("a", schema_of(Type::Int32))]));
        let r = sink_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Int32(1)])),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Field does not exist: not_exist"
        );
    }

    #[test]
    fn replace_null_with_default() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let mut t: ValueToKey = build(&[
                ("fields", "optional_with_default"),
                ("replace.null.with.default", replace),
            ])
            .unwrap();
            let schema = Arc::new(struct_schema(vec![(
                "optional_with_default",
                with_default(optional(schema_of(Type::Int32)), "42"),
            )]));
            let r = sink_record(
                Datum::NULL,
                datum(&schema, Value::Struct(vec![Value::Null])),
            );
            let out = t.apply(r).unwrap().unwrap();
            assert_eq!(out.key.value, Value::Struct(vec![expected]), "{replace}");
        }
    }

    #[test]
    fn a_null_value_is_an_error() {
        let mut t: ValueToKey = build(&[("fields", "a")]).unwrap();
        assert_eq!(
            t.apply(sink_record(Datum::NULL, Datum::NULL))
                .unwrap_err()
                .message,
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        );
        let r = sink_record(Datum::NULL, datum(&abc(), Value::Null));
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Only Struct objects supported for [copying fields from value to key], found: null"
        );
    }

    #[test]
    fn a_null_in_a_required_field_is_refused_as_struct_put_refuses_it() {
        let mut t: ValueToKey = build(&[("fields", "a")]).unwrap();
        let r = sink_record(
            Datum::NULL,
            datum(
                &abc(),
                Value::Struct(vec![Value::Null, Value::Int32(2), Value::Int32(3)]),
            ),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Invalid value: null used for required field: \"a\", schema type: INT32"
        );
    }

    #[test]
    fn configuration_errors_are_kafkas() {
        assert_eq!(
            validation_errors::<ValueToKey>(&[]),
            [
                "Missing required configuration \"fields\" which has no default value.",
                "Configuration 'fields' values must not be null.",
            ]
        );
        assert_eq!(
            validation_errors::<ValueToKey>(&[("fields", "a,b,a")]),
            ["Configuration 'fields' values must not be duplicated."]
        );
        assert_eq!(
            validation_errors::<ValueToKey>(&[("fields", " ")]),
            ["Configuration 'fields' must not be empty. Valid values include: any non-empty value"]
        );
        assert!(
            build::<ValueToKey>(&[("fields", "a"), ("replace.null.with.default", "x")]).is_err()
        );
        let def = ValueToKeyConfig::config_def();
        let names: Vec<&str> = def.keys().iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["fields", "replace.null.with.default"]);
    }
}
