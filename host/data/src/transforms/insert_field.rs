//! `org.apache.kafka.connect.transforms.InsertField$Key` and `$Value`: add the record's topic,
//! partition, offset (sink records only) and timestamp, and a static string, as fields of the
//! key or value: a `Struct` (the schema gets the new fields, `!` = required, `?` or nothing =
//! optional) or a schemaless `Map`. A null key or value passes unchanged.

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::config_checks::{REPLACE_NULL_WITH_DEFAULT_DOC, java_string};
use super::connect_schema::{StructFields, validate_value};
use super::data::{Value, map_put};
use super::record::TransformRecord;
use super::requirements::{
    copy_schema_basics, require_map, require_sink_record, require_struct, schema_of, struct_get,
};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::convert::schema::{Schema, TIMESTAMP, Type};

/// Kafka's `OVERVIEW_DOC`.
const DOC: &str = "Insert field(s) using attributes from the record metadata or a configured static value.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.InsertField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.InsertField$Value</code>).";

/// The `purpose` in Kafka's messages.
const PURPOSE: &str = "field insertion";

/// Kafka's keys, in its order. Values are trimmed, as Kafka's `STRING` keys are.
#[derive(Debug, ConnectConfig)]
pub struct InsertFieldConfig {
    /// `topic.field`.
    #[config(
        importance = "medium",
        doc = "Field name for Kafka topic. Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).",
        parse_with = "java_string"
    )]
    pub topic_field: Option<String>,
    /// `partition.field`.
    #[config(
        importance = "medium",
        doc = "Field name for Kafka partition. Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).",
        parse_with = "java_string"
    )]
    pub partition_field: Option<String>,
    /// `offset.field`.
    #[config(
        importance = "medium",
        doc = "Field name for Kafka offset - only applicable to sink connectors.<br/>Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).",
        parse_with = "java_string"
    )]
    pub offset_field: Option<String>,
    /// `timestamp.field`.
    #[config(
        importance = "medium",
        doc = "Field name for record timestamp. Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).",
        parse_with = "java_string"
    )]
    pub timestamp_field: Option<String>,
    /// `static.field`.
    #[config(
        importance = "medium",
        doc = "Field name for static data field. Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).",
        parse_with = "java_string"
    )]
    pub static_field: Option<String>,
    /// `static.value`.
    #[config(
        importance = "medium",
        doc = "Static field value, if field name configured.",
        parse_with = "java_string"
    )]
    pub static_value: Option<String>,
    /// `replace.null.with.default`.
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

/// One field to insert: its name and whether its schema is optional (`InsertionSpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    name: String,
    optional: bool,
}

impl Spec {
    /// `name!` is required, `name?` and `name` optional (Java's `InsertionSpec.parse`).
    fn parse(spec: Option<String>) -> Option<Spec> {
        let spec = spec?;
        Some(if let Some(name) = spec.strip_suffix('?') {
            Spec {
                name: name.to_owned(),
                optional: true,
            }
        } else if let Some(name) = spec.strip_suffix('!') {
            Spec {
                name: name.to_owned(),
                optional: false,
            }
        } else {
            Spec {
                name: spec,
                optional: true,
            }
        })
    }

    /// The inserted field's schema: `ty` (and logical `name`), optional as configured.
    fn schema(&self, ty: Type, name: Option<&str>) -> Schema {
        let mut schema = schema_of(ty);
        schema.optional = self.optional;
        if let Some(name) = name {
            schema.name = Some(name.to_owned());
            schema.version = Some(1);
        }
        schema
    }
}

/// The fields to insert, each when configured.
#[derive(Debug)]
struct Specs {
    topic: Option<Spec>,
    partition: Option<Spec>,
    offset: Option<Spec>,
    timestamp: Option<Spec>,
    static_field: Option<Spec>,
}

/// The configured transformation; `KEY` selects `$Key` (the record key) or `$Value`.
#[derive(Debug)]
pub struct InsertField<const KEY: bool> {
    specs: Specs,
    static_value: Option<String>,
    replace_null_with_default: bool,
    cache: SchemaUpdateCache<Arc<Schema>>,
}

/// `InsertField$Key`.
pub type InsertFieldKey = InsertField<true>;
/// `InsertField$Value`.
pub type InsertFieldValue = InsertField<false>;

impl<const KEY: bool> BuiltinTransform for InsertField<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "InsertField");
    const DOC: &'static str = DOC;
    type Config = InsertFieldConfig;

    fn new(c: InsertFieldConfig) -> Result<Self, TransformError> {
        let specs = Specs {
            topic: Spec::parse(c.topic_field),
            partition: Spec::parse(c.partition_field),
            offset: Spec::parse(c.offset_field),
            timestamp: Spec::parse(c.timestamp_field),
            static_field: Spec::parse(c.static_field),
        };
        if specs.topic.is_none()
            && specs.partition.is_none()
            && specs.offset.is_none()
            && specs.timestamp.is_none()
            && specs.static_field.is_none()
        {
            return Err(TransformError::new("No field insertion configured"));
        }
        if let (Some(spec), None) = (&specs.static_field, &c.static_value) {
            // Java appends the `InsertionSpec` object itself (its identity hash); the name is the
            // useful part of it.
            return Err(TransformError::new(format!(
                "Invalid value null for configuration static.value: No value specified for static field: {}",
                spec.name
            )));
        }
        Ok(InsertField {
            specs,
            static_value: c.static_value,
            replace_null_with_default: c.replace_null_with_default,
            cache: SchemaUpdateCache::default(),
        })
    }
}

/// The record metadata to insert, read before the key or value is changed.
struct Inserted {
    /// Only when `topic.field` is set.
    topic: Option<String>,
    partition: Option<i32>,
    offset: Option<i64>,
    timestamp: Option<i64>,
}

impl Specs {
    /// The struct schema with the configured fields appended (`makeUpdatedSchema`).
    fn updated_schema(&self, schema: &Schema) -> Result<Schema, TransformError> {
        let mut fields = StructFields::new();
        if let Type::Struct(existing) = &schema.ty {
            for (name, field_schema) in existing {
                fields.field(name, field_schema.clone())?;
            }
        }
        let inserted = [
            (&self.topic, Type::String, None),
            (&self.partition, Type::Int32, None),
            (&self.offset, Type::Int64, None),
            (&self.timestamp, Type::Int64, Some(TIMESTAMP)),
            (&self.static_field, Type::String, None),
        ];
        for (spec, ty, logical) in inserted {
            if let Some(spec) = spec {
                fields.field(&spec.name, spec.schema(ty, logical))?;
            }
        }
        Ok(copy_schema_basics(schema, fields.into_type()))
    }
}

impl<const KEY: bool> Transform for InsertField<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        if record.operand(KEY).value.is_null() {
            return Ok(Some(record));
        }
        let meta = Inserted {
            topic: self.specs.topic.as_ref().map(|_| record.topic.clone()),
            partition: record.partition,
            offset: record.offset,
            timestamp: record.timestamp,
        };
        let datum = record.operand_mut(KEY);
        match datum.schema.clone() {
            None => {
                require_map(&datum.value, PURPOSE)?;
                if let Value::Map(entries) = &mut datum.value {
                    self.insert_schemaless(entries, meta)?;
                }
            }
            Some(schema) => {
                require_struct(&schema, &datum.value, PURPOSE)?;
                let specs = &self.specs;
                let updated = Arc::clone(
                    self.cache
                        .get_or_try_insert(&schema, |s| specs.updated_schema(s).map(Arc::new))?,
                );
                if let (Type::Struct(fields), Value::Struct(values)) =
                    (&schema.ty, &mut datum.value)
                {
                    copy_fields(fields, values, self.replace_null_with_default)?;
                    self.insert_with_schema(values, meta)?;
                }
                datum.schema = Some(updated);
            }
        }
        Ok(Some(record))
    }
}

impl<const KEY: bool> InsertField<KEY> {
    /// Schemaless: the metadata as Java's boxed values (`Integer` partition, `Long` offset and
    /// timestamp); partition and timestamp only when the record has them. Only a sink record
    /// has an offset: a source record fails (in Java's order, after the topic and partition).
    fn insert_schemaless(
        &self,
        entries: &mut Vec<(Value, Value)>,
        meta: Inserted,
    ) -> Result<(), TransformError> {
        if let (Some(spec), Some(topic)) = (&self.specs.topic, meta.topic) {
            map_put(entries, &spec.name, Value::String(topic));
        }
        if let (Some(spec), Some(p)) = (&self.specs.partition, meta.partition) {
            map_put(entries, &spec.name, Value::Int32(p));
        }
        if let Some(spec) = &self.specs.offset {
            let offset = require_sink_record(meta.offset, PURPOSE)?;
            map_put(entries, &spec.name, Value::Int64(offset));
        }
        if let (Some(spec), Some(t)) = (&self.specs.timestamp, meta.timestamp) {
            map_put(entries, &spec.name, Value::Int64(t));
        }
        if let (Some(spec), Some(v)) = (&self.specs.static_field, &self.static_value) {
            map_put(entries, &spec.name, Value::String(v.clone()));
        }
        Ok(())
    }

    /// With a schema: one value per appended field, in `updated_schema`'s order; a missing
    /// partition or timestamp stays null. The timestamp is a `java.util.Date`. (These values
    /// always match their field schemas, so `Struct.put`'s check cannot fail on them.) A source
    /// record fails at the offset, as without a schema.
    fn insert_with_schema(
        &self,
        values: &mut Vec<Value>,
        meta: Inserted,
    ) -> Result<(), TransformError> {
        if let Some(topic) = meta.topic {
            values.push(Value::String(topic));
        }
        if self.specs.partition.is_some() {
            values.push(meta.partition.map_or(Value::Null, Value::Int32));
        }
        if self.specs.offset.is_some() {
            values.push(Value::Int64(require_sink_record(meta.offset, PURPOSE)?));
        }
        if self.specs.timestamp.is_some() {
            values.push(meta.timestamp.map_or(Value::Null, Value::Date));
        }
        if self.specs.static_field.is_some() {
            values.push(self.static_value.clone().map_or(Value::Null, Value::String));
        }
        Ok(())
    }
}

/// The original fields' values as `Struct.get` (defaults for nulls) or `getWithoutDefault`
/// reads them, each checked as `Struct.put` checks it.
fn copy_fields(
    fields: &[(String, Schema)],
    values: &mut [Value],
    replace_null_with_default: bool,
) -> Result<(), TransformError> {
    for ((name, field_schema), v) in fields.iter().zip(values.iter_mut()) {
        if v.is_null() {
            *v = struct_get(field_schema, v, replace_null_with_default);
        }
        validate_value(Some(name), field_schema, v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::data::Datum;
    use crate::transforms::requirements::logical_schema;
    use crate::transforms::test_support::*;

    const ALL: &[(&str, &str)] = &[
        ("topic.field", "topic_field!"),
        ("partition.field", "partition_field"),
        ("timestamp.field", "timestamp_field?"),
        ("static.field", "instance_id"),
        ("static.value", "my-instance-id"),
    ];

    fn timestamp(optional: bool) -> Schema {
        Schema {
            optional,
            ..logical_schema(Type::Int64, TIMESTAMP)
        }
    }

    #[test]
    fn top_level_struct_required() {
        let mut t: InsertFieldValue = build(&[("topic.field", "topic_field")]).unwrap();
        let int32 = Arc::new(schema_of(Type::Int32));
        let e = t
            .apply(source_record(Datum::NULL, datum(&int32, Value::Int32(42))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Only Struct objects supported for [field insertion], found: java.lang.Integer"
        );
    }

    #[test]
    fn copy_schema_and_insert_configured_fields() {
        let mut t: InsertFieldValue = build(ALL).unwrap();
        let schema = Arc::new(Schema {
            name: Some("name".into()),
            version: Some(1),
            doc: Some("doc".into()),
            ..struct_schema(vec![("magic", optional(schema_of(Type::Int64)))])
        });
        let mut r = source_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Int64(42)])),
        );
        r.timestamp = Some(789);
        let out = apply(&mut t, r);
        let s = out.value.schema.clone().unwrap();
        assert_eq!(
            (s.name.as_deref(), s.version, s.doc.as_deref()),
            (Some("name"), Some(1), Some("doc"))
        );
        assert_eq!(
            s.fields().to_vec(),
            vec![
                ("magic".to_owned(), optional(schema_of(Type::Int64))),
                ("topic_field".to_owned(), schema_of(Type::String)),
                (
                    "partition_field".to_owned(),
                    optional(schema_of(Type::Int32))
                ),
                ("timestamp_field".to_owned(), timestamp(true)),
                ("instance_id".to_owned(), optional(schema_of(Type::String))),
            ]
        );
        assert_eq!(
            out.value.value,
            Value::Struct(vec![
                Value::Int64(42),
                Value::String("test".into()),
                Value::Int32(0),
                Value::Date(789),
                Value::String("my-instance-id".into()),
            ])
        );
        // The same input schema gives the same output schema.
        let mut again = source_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Null])),
        );
        again.partition = Some(1);
        let out2 = apply(&mut t, again);
        assert!(Arc::ptr_eq(&s, out2.value.schema.as_ref().unwrap()));
        // No timestamp on the record: the field stays null.
        assert_eq!(
            out2.value.value,
            Value::Struct(vec![
                Value::Null,
                Value::String("test".into()),
                Value::Int32(1),
                Value::Null,
                Value::String("my-instance-id".into()),
            ])
        );
    }

    #[test]
    fn schemaless_insert_configured_fields() {
        let mut t: InsertFieldValue = build(ALL).unwrap();
        let mut r = source_record(
            Datum::NULL,
            Datum::schemaless(map(vec![("magic", Value::Int64(42))])),
        );
        r.timestamp = Some(123);
        let out = apply(&mut t, r);
        assert_eq!(
            out.value,
            Datum::schemaless(map(vec![
                ("magic", Value::Int64(42)),
                ("topic_field", Value::String("test".into())),
                ("partition_field", Value::Int32(0)),
                ("timestamp_field", Value::Int64(123)),
                ("instance_id", Value::String("my-instance-id".into())),
            ]))
        );
    }

    #[test]
    fn tombstones_leave_the_value_unchanged() {
        let mut t: InsertFieldValue = build(ALL).unwrap();
        let r = source_record(Datum::NULL, Datum::NULL);
        assert_eq!(apply(&mut t, r.clone()), r);
        let schema = Arc::new(struct_schema(vec![(
            "magic",
            optional(schema_of(Type::Int64)),
        )]));
        let r = source_record(Datum::NULL, datum(&schema, Value::Null));
        let out = apply(&mut t, r);
        assert!(Arc::ptr_eq(out.value.schema.as_ref().unwrap(), &schema));
        assert!(out.value.value.is_null());
    }

    #[test]
    fn insert_key_fields_into_tombstone_event() {
        let mut t: InsertFieldKey = build(ALL).unwrap();
        let r = source_record(
            Datum::schemaless(map(vec![("magic", Value::Int64(42))])),
            Datum::NULL,
        );
        let out = apply(&mut t, r);
        // The record has no timestamp: no timestamp entry.
        assert_eq!(
            out.key,
            Datum::schemaless(map(vec![
                ("magic", Value::Int64(42)),
                ("topic_field", Value::String("test".into())),
                ("partition_field", Value::Int32(0)),
                ("instance_id", Value::String("my-instance-id".into())),
            ]))
        );
        assert_eq!(out.value, Datum::NULL);
    }

    #[test]
    fn insert_into_null_key_leaves_record_unchanged() {
        let mut t: InsertFieldKey = build(ALL).unwrap();
        let r = source_record(
            Datum::NULL,
            Datum::schemaless(map(vec![("magic", Value::Int64(42))])),
        );
        assert_eq!(apply(&mut t, r.clone()), r);
    }

    #[test]
    fn unset_optional_field_follows_replace_null_with_default() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int64(42))] {
            let mut pairs = ALL.to_vec();
            pairs.push(("replace.null.with.default", replace));
            let mut t: InsertFieldValue = build(&pairs).unwrap();
            let magic = with_default(optional(schema_of(Type::Int64)), "42");
            let schema = Arc::new(struct_schema(vec![("magic_with_default", magic.clone())]));
            let out = apply(
                &mut t,
                source_record(
                    Datum::NULL,
                    datum(&schema, Value::Struct(vec![Value::Null])),
                ),
            );
            let s = out.value.schema.unwrap();
            assert_eq!(field_schema(&s, "magic_with_default"), Some(&magic));
            assert_eq!(
                field_value(&s, &out.value.value, "magic_with_default"),
                Some(&expected),
                "replace.null.with.default={replace}"
            );
        }
    }

    #[test]
    fn offset_only_for_sink_records() {
        let mut t: InsertFieldValue = build(&[("offset.field", "off!")]).unwrap();
        let schema = Arc::new(struct_schema(vec![("a", schema_of(Type::Int32))]));
        let mut r = sink_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Int32(1)])),
        );
        r.offset = Some(99);
        let out = apply(&mut t, r);
        let s = out.value.schema.unwrap();
        assert_eq!(field_schema(&s, "off"), Some(&schema_of(Type::Int64)));
        assert_eq!(
            field_value(&s, &out.value.value, "off"),
            Some(&Value::Int64(99))
        );
        let schemaless = source_record(Datum::NULL, Datum::schemaless(map(vec![])));
        assert_eq!(
            t.apply(schemaless).unwrap_err().message,
            "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
        );
        let with_schema = source_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Int32(1)])),
        );
        assert_eq!(
            t.apply(with_schema).unwrap_err().message,
            "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
        );
        // Kafka checks the value first.
        let not_a_map = source_record(Datum::NULL, Datum::schemaless(Value::Int64(1)));
        assert_eq!(
            t.apply(not_a_map).unwrap_err().message,
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.Long"
        );
    }

    #[test]
    fn key_variant_works_on_the_key_and_its_schema() {
        let mut t: InsertFieldKey = build(&[("topic.field", "t")]).unwrap();
        let schema = Arc::new(struct_schema(vec![("id", schema_of(Type::Int32))]));
        let value = Datum::schemaless(Value::String("v".into()));
        let r = sink_record(
            datum(&schema, Value::Struct(vec![Value::Int32(7)])),
            value.clone(),
        );
        let out = apply(&mut t, r);
        assert_eq!(
            out.key.value,
            Value::Struct(vec![Value::Int32(7), Value::String("test".into())])
        );
        assert_eq!(
            field_schema(out.key.schema.as_deref().unwrap(), "t"),
            Some(&optional(schema_of(Type::String)))
        );
        assert_eq!(out.value, value);
        // Only maps without a schema.
        let r = sink_record(Datum::schemaless(Value::Int64(1)), Datum::NULL);
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.Long"
        );
    }

    #[test]
    fn an_existing_field_name_cannot_be_inserted_with_a_schema() {
        let mut t: InsertFieldValue = build(&[("topic.field", "a")]).unwrap();
        let schema = Arc::new(struct_schema(vec![("a", schema_of(Type::Int32))]));
        let r = sink_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Int32(1)])),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Cannot create field because of field name duplication a"
        );
        // Without a schema the entry is replaced, as `Map.put` does.
        let r = sink_record(
            Datum::NULL,
            Datum::schemaless(map(vec![("a", Value::Int64(1))])),
        );
        assert_eq!(
            apply(&mut t, r).value.value,
            map(vec![("a", Value::String("test".into()))])
        );
    }

    #[test]
    fn a_null_in_a_required_field_is_refused_as_struct_put_refuses_it() {
        let mut t: InsertFieldValue =
            build(&[("topic.field", "t"), ("replace.null.with.default", "false")]).unwrap();
        let schema = Arc::new(struct_schema(vec![(
            "r",
            with_default(schema_of(Type::Int32), "5"),
        )]));
        let r = sink_record(
            Datum::NULL,
            datum(&schema, Value::Struct(vec![Value::Null])),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Invalid value: null used for required field: \"r\", schema type: INT32"
        );
    }

    #[test]
    fn configuration_errors_are_kafkas() {
        assert_eq!(
            build::<InsertFieldValue>(&[]).unwrap_err(),
            "No field insertion configured"
        );
        assert_eq!(
            build::<InsertFieldValue>(&[("static.field", "s!")]).unwrap_err(),
            "Invalid value null for configuration static.value: No value specified for static field: s"
        );
        assert_eq!(
            validation_errors::<InsertFieldValue>(&[
                ("topic.field", "t"),
                ("replace.null.with.default", "yes")
            ]),
            [
                "Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false"
            ]
        );
        // Values are trimmed, as Kafka trims STRING values.
        let t: InsertFieldValue = build(&[("topic.field", "  t! ")]).unwrap();
        assert_eq!(
            t.specs.topic,
            Some(Spec {
                name: "t".into(),
                optional: false
            })
        );
    }

    #[test]
    fn keys_are_kafkas() {
        let def =
            <InsertFieldConfig as connect_plugin_api::sdk::config::ConnectConfig>::config_def();
        let names: Vec<&str> = def.keys().iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "topic.field",
                "partition.field",
                "offset.field",
                "timestamp.field",
                "static.field",
                "static.value",
                "replace.null.with.default"
            ]
        );
        let k = &def.keys()[2];
        assert!(!k.required);
        assert_eq!(
            k.documentation.as_str(),
            "Field name for Kafka offset - only applicable to sink connectors.<br/>Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."
        );
        assert_eq!(
            def.keys()[6]
                .default_value
                .as_ref()
                .map(|d| d.as_str())
                .into_option(),
            Some("true")
        );
    }
}
