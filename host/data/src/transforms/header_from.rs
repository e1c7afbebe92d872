//! `org.apache.kafka.connect.transforms.HeaderFrom$Key` and `$Value`: moves or copies fields of
//! the key or value into headers, `fields[i]` into header `headers[i]`, appended after the
//! existing headers. With a schema the operand must be a struct and each header gets its
//! field's schema; a moved field leaves the struct and its schema (the new schema is cached by
//! input schema). Without a schema the operand must be a map; a missing entry gives a null
//! header. Neither variant accepts a null operand (Kafka's `Requirements` errors).

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;
use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap};

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::config_checks::{
    Checked, ExtraChecks, REPLACE_NULL_WITH_DEFAULT_DOC, check_non_empty_list, java_list,
};
use super::data::{Datum, Value};
use super::java_string::schema_to_string;
use super::record::{Header, TransformRecord};
use super::requirements::{copy_schema_basics, require_map, require_struct, struct_get};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::convert::schema::{Schema, Type};

/// `operation`: what happens to a field once its header is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `move`: the field is removed from the key/value.
    Move,
    /// `copy`: the field stays.
    Copy,
}

impl Operation {
    /// Its name in the configuration and in Kafka's messages (`header move`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Move => "move",
            Operation::Copy => "copy",
        }
    }

    /// Reads `operation` (trimmed, exact, as `ValidString.in` has already checked).
    fn parse(raw: &str) -> Result<Operation, String> {
        match crate::config_value::trim(raw) {
            "move" => Ok(Operation::Move),
            "copy" => Ok(Operation::Copy),
            _ => Err("String must be one of: move, copy".into()),
        }
    }
}

/// Kafka's keys, in Kafka's order.
#[derive(Debug, ConnectConfig)]
pub struct HeaderFromConfig {
    /// The fields to take, in order.
    #[config(
        importance = "high",
        ty = "LIST",
        parse_with = "java_list",
        doc = "Field names in the record whose values are to be copied or moved to headers."
    )]
    pub fields: Vec<String>,
    /// The header for each field.
    #[config(
        importance = "high",
        ty = "LIST",
        parse_with = "java_list",
        doc = "Header names, in the same order as the field names listed in the fields configuration property."
    )]
    pub headers: Vec<String>,
    /// Move or copy.
    #[config(
        importance = "high",
        one_of("move", "copy"),
        parse_with = "Operation::parse",
        doc = "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value)."
    )]
    pub operation: Operation,
    /// Whether a null field with a default reads as its default.
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

impl ExtraChecks for HeaderFromConfig {
    fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef) {
        check_non_empty_list(reports, raw, def, "fields");
        check_non_empty_list(reports, raw, def, "headers");
    }
}

/// What is derived once per input schema.
#[derive(Debug)]
struct Derived {
    /// `move`: the input schema without the moved fields, and the input index of each field
    /// it keeps.
    moved: Option<(Arc<Schema>, Vec<usize>)>,
    /// Per configured field: its index in the input and its schema (the header's), or `None`
    /// if the input has no such field.
    sources: Vec<Option<(usize, Arc<Schema>)>>,
}

/// The configured transformation, on the key (`KEY`) or the value.
#[derive(Debug)]
pub struct HeaderFrom<const KEY: bool> {
    fields: Vec<String>,
    headers: Vec<String>,
    operation: Operation,
    replace_null_with_default: bool,
    cache: SchemaUpdateCache<Derived>,
}

/// `HeaderFrom$Key`.
pub type HeaderFromKey = HeaderFrom<true>;
/// `HeaderFrom$Value`.
pub type HeaderFromValue = HeaderFrom<false>;

const DOC: &str = "Moves or copies fields in the key/value of a record into that record's headers. Corresponding elements of <code>fields</code> and <code>headers</code> together identify a field and the header it should be moved or copied to. Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.HeaderFrom$Key</code>) or value (<code>org.apache.kafka.connect.transforms.HeaderFrom$Value</code>).";

impl<const KEY: bool> HeaderFrom<KEY> {
    fn purpose(&self) -> String {
        format!("header {}", self.operation.name())
    }

    fn apply_schemaless(
        &self,
        operand: &Datum,
        headers: &mut Vec<Header>,
    ) -> Result<Datum, TransformError> {
        let entries = require_map(&operand.value, &self.purpose())?;
        let mut updated = entries.clone();
        for (field, header) in self.fields.iter().zip(&self.headers) {
            let value = operand.value.map_get(field).cloned().unwrap_or(Value::Null);
            if self.operation == Operation::Move {
                updated.retain(|(k, _)| !matches!(k, Value::String(s) if s == field));
            }
            headers.push(Header {
                key: header.clone(),
                value: Datum::schemaless(value),
            });
        }
        Ok(Datum::schemaless(Value::Map(updated)))
    }

    fn apply_with_schema(
        &mut self,
        schema: &Arc<Schema>,
        operand: &Datum,
        headers: &mut Vec<Header>,
    ) -> Result<Option<Datum>, TransformError> {
        let purpose = self.purpose();
        let (fields, values) = require_struct(schema, &operand.value, &purpose)?;
        // Java's Struct cannot be out of step with its schema; a value here could.
        if values.len() != fields.len() {
            return Err(TransformError::new(format!(
                "a Struct with {} values for a schema of {} fields",
                values.len(),
                fields.len()
            )));
        }
        let (wanted, operation) = (&self.fields, self.operation);
        let derived = self.cache.get_or_try_insert(schema, |_| {
            Ok::<_, TransformError>(derive(schema, fields, wanted, operation))
        })?;
        let replace = self.replace_null_with_default;
        let moved = match &derived.moved {
            None => None,
            Some((moved_schema, kept)) => {
                let mut moved_values = Vec::with_capacity(kept.len());
                for &i in kept {
                    let (name, field_schema) = &fields[i];
                    let value = struct_get(field_schema, &values[i], replace);
                    // `Struct.put` validates each value against its field.
                    if value.is_null() && !field_schema.optional {
                        return Err(TransformError::new(format!(
                            "Invalid value: null used for required field: \"{name}\", schema type: {}",
                            field_schema.ty.java_name()
                        )));
                    }
                    moved_values.push(value);
                }
                Some(Datum::with_schema(
                    Arc::clone(moved_schema),
                    Value::Struct(moved_values),
                ))
            }
        };
        for (source, header) in derived.sources.iter().zip(&self.headers) {
            // Java reads `operatingSchema.field(name).schema()`: a missing field is a
            // NullPointerException, reported here in the JVM's words.
            let Some((i, field_schema)) = source else {
                return Err(TransformError::new(
                    "Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\" because the return value of \"org.apache.kafka.connect.data.Schema.field(String)\" is null",
                ));
            };
            let value = struct_get(field_schema, &values[*i], replace);
            // `ConnectHeaders.add` checks a null against the schema.
            if value.is_null() && !field_schema.optional {
                return Err(TransformError::new(format!(
                    "A null value requires an optional schema but was {}",
                    schema_to_string(Some(field_schema))
                )));
            }
            headers.push(Header {
                key: header.clone(),
                value: Datum::with_schema(Arc::clone(field_schema), value),
            });
        }
        Ok(moved)
    }
}

/// The move schema (`copySchemaBasics` plus the fields not moved) and the header schemas.
fn derive(
    input: &Schema,
    fields: &[(String, Schema)],
    wanted: &[String],
    op: Operation,
) -> Derived {
    let moved = (op == Operation::Move).then(|| {
        let kept: Vec<usize> = (0..fields.len())
            .filter(|&i| !wanted.contains(&fields[i].0))
            .collect();
        let schema = copy_schema_basics(
            input,
            Type::Struct(kept.iter().map(|&i| fields[i].clone()).collect()),
        );
        (Arc::new(schema), kept)
    });
    let mut sources: Vec<Option<(usize, Arc<Schema>)>> = Vec::with_capacity(wanted.len());
    for name in wanted {
        let source = match sources.iter().zip(wanted).find(|(_, n)| *n == name) {
            // A field named twice shares its header schema.
            Some((earlier, _)) => earlier.clone(),
            None => fields
                .iter()
                .position(|(n, _)| n == name)
                .map(|i| (i, Arc::new(fields[i].1.clone()))),
        };
        sources.push(source);
    }
    Derived { moved, sources }
}

impl<const KEY: bool> BuiltinTransform for HeaderFrom<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "HeaderFrom");
    const DOC: &'static str = DOC;
    type Config = Checked<HeaderFromConfig>;
    fn new(Checked(c): Checked<HeaderFromConfig>) -> Result<Self, TransformError> {
        if c.headers.len() != c.fields.len() {
            return Err(TransformError::new(
                "'fields' config must have the same number of elements as 'headers' config.",
            ));
        }
        Ok(HeaderFrom {
            fields: c.fields,
            headers: c.headers,
            operation: c.operation,
            replace_null_with_default: c.replace_null_with_default,
            cache: SchemaUpdateCache::default(),
        })
    }
}

impl<const KEY: bool> Transform for HeaderFrom<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        // On failure the record is dropped with the error, so headers may be added in place.
        let TransformRecord {
            key,
            value,
            headers,
            ..
        } = &mut record;
        let operand: &mut Datum = if KEY { key } else { value };
        let updated = match operand.schema.clone() {
            None => Some(self.apply_schemaless(operand, headers)?),
            Some(schema) => self.apply_with_schema(&schema, operand, headers)?,
        };
        if let Some(updated) = updated {
            *operand = updated;
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::builtin::lookup;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::{optional, raw_validation_errors, s, with_default};

    fn string_schema() -> Schema {
        schema_of(Type::String)
    }

    /// `SchemaBuilder.string().defaultValue("default").optional().build()`.
    fn optional_string_with_default() -> Schema {
        with_default(optional(string_schema()), "\"default\"")
    }

    /// Java's `RecordBuilder`: fields (name, schema, value) and headers (name, schema, value).
    #[derive(Clone, Default)]
    struct Builder {
        fields: Vec<(String, Schema, Value)>,
        headers: Vec<(String, Option<Schema>, Value)>,
    }

    impl Builder {
        fn field(mut self, name: &str, schema: Schema, value: Value) -> Builder {
            self.fields.push((name.into(), schema, value));
            self
        }

        fn header(mut self, name: &str, schema: Schema, value: Value) -> Builder {
            self.headers.push((name.into(), Some(schema), value));
            self
        }

        fn record(key: bool, operand: Datum, headers: Vec<Header>) -> TransformRecord {
            let other = Datum::schemaless(s(if key { "value" } else { "key" }));
            let (k, v) = if key {
                (operand, other)
            } else {
                (other, operand)
            };
            TransformRecord {
                topic: "topic".into(),
                partition: Some(0),
                offset: None,
                key: k,
                value: v,
                timestamp: Some(0),
                headers,
            }
        }

        /// A map operand; headers lose their schemas (as in Java's schemaless test).
        fn schemaless(&self, key: bool) -> TransformRecord {
            let map = self
                .fields
                .iter()
                .map(|(n, _, v)| (s(n), v.clone()))
                .collect();
            let headers = self
                .headers
                .iter()
                .map(|(n, _, v)| Header {
                    key: n.clone(),
                    value: Datum::schemaless(v.clone()),
                })
                .collect();
            Self::record(key, Datum::schemaless(Value::Map(map)), headers)
        }

        fn schema(&self) -> Schema {
            schema_of(Type::Struct(
                self.fields
                    .iter()
                    .map(|(n, sch, _)| (n.clone(), sch.clone()))
                    .collect(),
            ))
        }

        fn with_schema(&self, key: bool) -> TransformRecord {
            let value = Value::Struct(self.fields.iter().map(|(_, _, v)| v.clone()).collect());
            let headers = self
                .headers
                .iter()
                .map(|(n, sch, v)| Header {
                    key: n.clone(),
                    value: Datum {
                        schema: sch.clone().map(Arc::new),
                        value: v.clone(),
                    },
                })
                .collect();
            Self::record(
                key,
                Datum::with_schema(Arc::new(self.schema()), value),
                headers,
            )
        }
    }

    struct Case {
        description: &'static str,
        original: Builder,
        fields: &'static str,
        headers: &'static str,
        operation: &'static str,
        replace_null_with_default: bool,
        expected: Builder,
    }

    /// Java's `HeaderFromTest.data()`.
    fn cases() -> Vec<Case> {
        let base = || {
            Builder::default()
                .field("field1", string_schema(), s("field1-value"))
                .field("field2", string_schema(), s("field2-value"))
        };
        let inner = schema_of(Type::Struct(vec![("foo".into(), string_schema())]));
        let inner_value = Value::Struct(vec![s("foo-value")]);
        let with_struct = || {
            Builder::default()
                .field("field1", inner.clone(), inner_value.clone())
                .field("field2", string_schema(), s("field2-value"))
                .header("header1", string_schema(), s("existing-value"))
        };
        let with_null = || {
            Builder::default()
                .field("field1", optional_string_with_default(), s("field1-value"))
                .field("field2", optional_string_with_default(), Value::Null)
                .header("header1", string_schema(), s("existing-value"))
        };
        let existing = |b: Builder| b.header("header1", string_schema(), s("existing-value"));
        vec![
            Case {
                description: "basic copy",
                original: existing(base()),
                fields: "field1",
                headers: "inserted1",
                operation: "copy",
                replace_null_with_default: true,
                expected: existing(base()).header("inserted1", string_schema(), s("field1-value")),
            },
            Case {
                description: "basic move",
                original: existing(base()),
                fields: "field1",
                headers: "inserted1",
                operation: "move",
                replace_null_with_default: true,
                expected: Builder::default()
                    .field("field2", string_schema(), s("field2-value"))
                    .header("header1", string_schema(), s("existing-value"))
                    .header("inserted1", string_schema(), s("field1-value")),
            },
            Case {
                description: "copy with preexisting header",
                original: base().header("inserted1", string_schema(), s("existing-value")),
                fields: "field1",
                headers: "inserted1",
                operation: "copy",
                replace_null_with_default: true,
                expected: base()
                    .header("inserted1", string_schema(), s("existing-value"))
                    .header("inserted1", string_schema(), s("field1-value")),
            },
            Case {
                description: "move with preexisting header",
                original: base().header("inserted1", string_schema(), s("existing-value")),
                fields: "field1",
                headers: "inserted1",
                operation: "move",
                replace_null_with_default: true,
                expected: Builder::default()
                    .field("field2", string_schema(), s("field2-value"))
                    .header("inserted1", string_schema(), s("existing-value"))
                    .header("inserted1", string_schema(), s("field1-value")),
            },
            Case {
                description: "copy with struct value",
                original: with_struct(),
                fields: "field1",
                headers: "inserted1",
                operation: "copy",
                replace_null_with_default: true,
                expected: with_struct().header("inserted1", inner.clone(), inner_value.clone()),
            },
            Case {
                description: "move with struct value",
                original: with_struct(),
                fields: "field1",
                headers: "inserted1",
                operation: "move",
                replace_null_with_default: true,
                expected: Builder::default()
                    .field("field2", string_schema(), s("field2-value"))
                    .header("header1", string_schema(), s("existing-value"))
                    .header("inserted1", inner.clone(), inner_value.clone()),
            },
            Case {
                description: "two headers from same field",
                original: existing(base()),
                fields: "field1,field1",
                headers: "inserted1,inserted2",
                operation: "move",
                replace_null_with_default: true,
                expected: Builder::default()
                    .field("field2", string_schema(), s("field2-value"))
                    .header("header1", string_schema(), s("existing-value"))
                    .header("inserted1", string_schema(), s("field1-value"))
                    .header("inserted2", string_schema(), s("field1-value")),
            },
            Case {
                description: "two fields to same header",
                original: existing(base()),
                fields: "field1,field2",
                headers: "inserted1,inserted1",
                operation: "move",
                replace_null_with_default: true,
                expected: Builder::default()
                    .header("header1", string_schema(), s("existing-value"))
                    .header("inserted1", string_schema(), s("field1-value"))
                    .header("inserted1", string_schema(), s("field2-value")),
            },
            Case {
                description: "Copy null field without default",
                original: with_null(),
                fields: "field1,field2",
                headers: "inserted1,inserted2",
                operation: "copy",
                replace_null_with_default: false,
                expected: with_null()
                    .header(
                        "inserted1",
                        optional_string_with_default(),
                        s("field1-value"),
                    )
                    .header("inserted2", optional_string_with_default(), Value::Null),
            },
            Case {
                description: "Move null field without default",
                original: with_null(),
                fields: "field1,field2",
                headers: "inserted1,inserted2",
                operation: "move",
                replace_null_with_default: false,
                expected: Builder::default()
                    .header("header1", string_schema(), s("existing-value"))
                    .header(
                        "inserted1",
                        optional_string_with_default(),
                        s("field1-value"),
                    )
                    .header("inserted2", optional_string_with_default(), Value::Null),
            },
        ]
    }

    fn config(fields: &str, headers: &str, operation: &str, replace: bool) -> ConfigMap {
        [
            ("fields", fields),
            ("headers", headers),
            ("operation", operation),
            (
                "replace.null.with.default",
                if replace { "true" } else { "false" },
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn transform(key: bool, raw: &ConfigMap) -> Result<Box<dyn Transform>, TransformError> {
        let config =
            Checked::<HeaderFromConfig>::parse(raw).map_err(|e| TransformError::new(e.message))?;
        Ok(if key {
            Box::new(HeaderFromKey::new(config)?)
        } else {
            Box::new(HeaderFromValue::new(config)?)
        })
    }

    fn run(case: &Case, key: bool, with_schema: bool) {
        let raw = config(
            case.fields,
            case.headers,
            case.operation,
            case.replace_null_with_default,
        );
        let mut xform = transform(key, &raw).unwrap();
        let (original, expected) = if with_schema {
            (
                case.original.with_schema(key),
                case.expected.with_schema(key),
            )
        } else {
            (case.original.schemaless(key), case.expected.schemaless(key))
        };
        let out = xform.apply(original).unwrap().unwrap();
        assert_eq!(
            out, expected,
            "{} (key: {key}, schema: {with_schema})",
            case.description
        );
    }

    #[test]
    fn schemaless() {
        for case in cases() {
            for key in [true, false] {
                run(&case, key, false);
            }
        }
    }

    #[test]
    fn with_schema() {
        for case in cases() {
            for key in [true, false] {
                run(&case, key, true);
            }
        }
    }

    #[test]
    fn replace_null_with_default_reads_defaults() {
        let original = Builder::default()
            .field("field1", optional_string_with_default(), Value::Null)
            .field("field2", optional_string_with_default(), Value::Null);
        for op in ["copy", "move"] {
            let mut xform = transform(false, &config("field1", "h", op, true)).unwrap();
            let out = xform.apply(original.with_schema(false)).unwrap().unwrap();
            assert_eq!(
                out.headers,
                [Header {
                    key: "h".into(),
                    value: Datum::with_schema(
                        Arc::new(optional_string_with_default()),
                        s("default")
                    )
                }]
            );
            let expected = if op == "copy" {
                Value::Struct(vec![Value::Null, Value::Null])
            } else {
                // The new struct is built with `Struct.get`: the default.
                Value::Struct(vec![s("default")])
            };
            assert_eq!(out.value.value, expected, "{op}");
        }
    }

    #[test]
    fn the_move_schema_is_cached_and_keeps_schema_basics() {
        let input = Arc::new(Schema {
            name: Some("com.acme.Row".into()),
            version: Some(3),
            doc: Some("a row".into()),
            optional: true,
            ..Builder::default()
                .field("a", string_schema(), s("x"))
                .field("b", schema_of(Type::Int32), Value::Int32(1))
                .schema()
        });
        let record = Builder::record(
            false,
            Datum::with_schema(
                Arc::clone(&input),
                Value::Struct(vec![s("x"), Value::Int32(1)]),
            ),
            vec![],
        );
        let mut xform = transform(false, &config("a", "h", "move", true)).unwrap();
        let first = xform.apply(record.clone()).unwrap().unwrap();
        let second = xform.apply(record).unwrap().unwrap();
        let (s1, s2) = (first.value.schema.unwrap(), second.value.schema.unwrap());
        assert!(Arc::ptr_eq(&s1, &s2));
        assert!(Arc::ptr_eq(
            first.headers[0].value.schema.as_ref().unwrap(),
            second.headers[0].value.schema.as_ref().unwrap()
        ));
        // `copySchemaBasics`: name, version, doc kept; not optional.
        assert_eq!(
            *s1,
            Schema {
                name: Some("com.acme.Row".into()),
                version: Some(3),
                doc: Some("a row".into()),
                ..schema_of(Type::Struct(vec![("b".into(), schema_of(Type::Int32))]))
            }
        );
        // Copy keeps the very same schema.
        let mut copy = transform(false, &config("a", "h", "copy", true)).unwrap();
        let record = Builder::record(
            false,
            Datum::with_schema(
                Arc::clone(&input),
                Value::Struct(vec![s("x"), Value::Int32(1)]),
            ),
            vec![],
        );
        let out = copy.apply(record).unwrap().unwrap();
        assert!(Arc::ptr_eq(out.value.schema.as_ref().unwrap(), &input));
    }

    #[test]
    fn kafka_errors_for_unsupported_operands() {
        let base = Builder::default().field("field1", string_schema(), s("v"));
        let mut copy = transform(false, &config("field1", "h", "copy", true)).unwrap();
        // A tombstone with a schema, and without.
        let mut tombstone = base.with_schema(false);
        tombstone.value.value = Value::Null;
        assert_eq!(
            copy.apply(tombstone).unwrap_err().message,
            "Only Struct objects supported for [header copy], found: null"
        );
        let mut move_key = transform(true, &config("field1", "h", "move", true)).unwrap();
        let record = Builder::record(true, Datum::schemaless(s("text")), vec![]);
        assert_eq!(
            move_key.apply(record).unwrap_err().message,
            "Only Map objects supported in absence of schema for [header move], found: java.lang.String"
        );
        let record = Builder::record(false, Datum::NULL, vec![]);
        assert_eq!(
            copy.apply(record).unwrap_err().message,
            "Only Map objects supported in absence of schema for [header copy], found: null"
        );
        // A field the schema lacks: Java's NullPointerException.
        let mut missing = transform(false, &config("nope", "h", "copy", true)).unwrap();
        assert!(
            missing
                .apply(base.with_schema(false))
                .unwrap_err()
                .message
                .starts_with("Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\"")
        );
        // Schemaless, a missing entry is a null header.
        let out = missing.apply(base.schemaless(false)).unwrap().unwrap();
        assert_eq!(out.headers[0].value, Datum::NULL);
        let mut short = base.with_schema(false);
        short.value.value = Value::Struct(vec![]);
        assert_eq!(
            copy.apply(short).unwrap_err().message,
            "a Struct with 0 values for a schema of 1 fields"
        );
        // A null in a required field cannot become a header.
        let mut bad = base.with_schema(false);
        bad.value.value = Value::Struct(vec![Value::Null]);
        assert_eq!(
            copy.apply(bad.clone()).unwrap_err().message,
            "A null value requires an optional schema but was Schema{STRING}"
        );
        let mut mv = transform(false, &config("other", "h", "move", true)).unwrap();
        assert_eq!(
            mv.apply(bad).unwrap_err().message,
            "Invalid value: null used for required field: \"field1\", schema type: STRING"
        );
    }

    fn errors(raw: &ConfigMap) -> Vec<String> {
        raw_validation_errors::<HeaderFromKey>(raw)
    }

    #[test]
    fn invalid_configs() {
        for key in [true, false] {
            // invalidConfigExtraHeaderConfig / invalidConfigExtraFieldConfig
            for (fields, headers) in [("foo,bar", "foo"), ("foo", "foo,bar")] {
                let raw = config(fields, headers, "copy", true);
                assert!(errors(&raw).is_empty());
                assert_eq!(
                    transform(key, &raw).err().unwrap().message,
                    "'fields' config must have the same number of elements as 'headers' config."
                );
            }
            // invalidConfigEmptyHeadersAndFieldsConfig
            let raw = config("", "", "copy", true);
            assert_eq!(
                errors(&raw),
                [
                    "Invalid value [] for configuration fields: Empty list",
                    "Invalid value [] for configuration headers: Empty list"
                ]
            );
            assert!(transform(key, &raw).is_err());
        }
        assert_eq!(
            errors(&config("a", "b", "cut", true)),
            ["Invalid value cut for configuration operation: String must be one of: move, copy"]
        );
        // ValidString.in is exact.
        assert_eq!(errors(&config("a", "b", "MOVE", true)).len(), 1);
        assert_eq!(
            errors(
                &config("a", "b", "copy", true)
                    .into_iter()
                    .filter(|(k, _)| k != "operation")
                    .collect()
            ),
            ["Missing required configuration \"operation\" which has no default value."]
        );
        assert_eq!(
            errors(
                &config("a", "b", "copy", true)
                    .into_iter()
                    .map(|(k, v)| if k == "replace.null.with.default" {
                        (k, "maybe".to_string())
                    } else {
                        (k, v)
                    })
                    .collect()
            ),
            [
                "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
            ]
        );
    }

    #[test]
    fn registered_with_kafka_keys() {
        let key = lookup("HeaderFrom$Key").unwrap();
        let value = lookup("org.apache.kafka.connect.transforms.HeaderFrom$Value").unwrap();
        assert_eq!(
            key.class,
            "org.apache.kafka.connect.transforms.HeaderFrom$Key"
        );
        assert_eq!(value.doc, key.doc);
        let def = (key.config_def)();
        let names: Vec<&str> = def.keys().iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "fields",
                "headers",
                "operation",
                "replace.null.with.default"
            ]
        );
        let replace = &def.keys()[3];
        assert_eq!(
            replace
                .default_value
                .as_ref()
                .map(|d| d.as_str())
                .into_option(),
            Some("true")
        );
        assert!(def.keys()[..3].iter().all(|k| k.required));
        // Kafka's documentation, not the Rust field comments.
        assert_eq!(
            def.keys()[0].documentation.as_str(),
            "Field names in the record whose values are to be copied or moved to headers."
        );
        assert!(
            def.keys()[2]
                .documentation
                .starts_with("Either <code>move</code>")
        );
        assert!(
            key.doc
                .ends_with("(<code>org.apache.kafka.connect.transforms.HeaderFrom$Value</code>).")
        );
    }
}
