//! `org.apache.kafka.connect.transforms.Flatten$Key` / `$Value`: nested structs (with a schema)
//! or maps (without) become one level, each field named by its path joined with `delimiter`.
//! Arrays are kept as they are; with a schema, maps are refused. A field under an optional
//! parent becomes optional, and takes its default from the parent's default when it has none of
//! its own. Nulls pass through.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use connect_plugin_api::ConnectConfig;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::codec::{decode_default, encode_json};
use super::connect_schema::validate_value;
use super::data::{Datum, Value};
use super::record::TransformRecord;
use super::requirements::{copy_schema_basics, require_map, require_struct, struct_get};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::trim;
use crate::convert::schema::{Schema, Type};

const PURPOSE: &str = "flattening";

/// Kafka's key.
#[derive(Debug, ConnectConfig)]
pub struct FlattenConfig {
    /// Delimiter to insert between field names from the input record when generating field
    /// names for the output record
    #[config(default = ".", importance = "medium")]
    pub delimiter: String,
}

/// The configured transformation; `KEY` picks the key (`$Key`) or the value (`$Value`).
#[derive(Debug)]
pub struct Flatten<const KEY: bool> {
    delimiter: String,
    /// Flattened schemas (or why the schema cannot be flattened) by input schema.
    cache: SchemaUpdateCache<Result<Arc<Schema>, TransformError>>,
}

/// `Flatten$Key`.
pub type FlattenKey = Flatten<true>;
/// `Flatten$Value`.
pub type FlattenValue = Flatten<false>;

impl<const KEY: bool> BuiltinTransform for Flatten<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "Flatten");
    const DOC: &'static str = "Flatten a nested data structure, generating names for each field by concatenating the field names at each level with a configurable delimiter character. Applies to Struct when schema present, or a Map in the case of schemaless data. Array fields and their contents are not modified. The default delimiter is '.'.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.Flatten$Key</code>) or value (<code>org.apache.kafka.connect.transforms.Flatten$Value</code>).";
    type Config = FlattenConfig;
    fn new(c: FlattenConfig) -> Result<Self, TransformError> {
        Ok(Flatten {
            // Kafka trims STRING values (a blank delimiter is an empty one).
            delimiter: trim(&c.delimiter).to_owned(),
            cache: SchemaUpdateCache::new(),
        })
    }
}

impl<const KEY: bool> Transform for Flatten<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let operand = record.operand_mut(KEY);
        if operand.value.is_null() {
            return Ok(Some(record));
        }
        let flattened = match &operand.schema {
            None => {
                let entries = require_map(&operand.value, PURPOSE)?;
                let mut out = FlatMap::default();
                self.flatten_map(entries, None, &mut out)?;
                Datum::schemaless(Value::Map(out.entries))
            }
            Some(schema) => {
                let (fields, values) = require_struct(schema, &operand.value, PURPOSE)?;
                let delimiter = &self.delimiter;
                let flat_schema = self
                    .cache
                    .get_or_insert_with(schema, |s| flat_schema(s, delimiter))?;
                let Type::Struct(flat_fields) = &flat_schema.ty else {
                    return Err(TransformError::new("a flattened schema is a struct"));
                };
                let mut out = vec![Value::Null; flat_fields.len()];
                let mut next = 0;
                self.flatten_struct(fields, values, "", flat_fields, &mut out, &mut next)?;
                Datum::with_schema(flat_schema, Value::Struct(out))
            }
        };
        *operand = flattened;
        Ok(Some(record))
    }
}

/// The schemaless output: Java's `LinkedHashMap`, where a repeated name keeps its first place
/// and takes the last value.
#[derive(Default)]
struct FlatMap {
    entries: Vec<(Value, Value)>,
    /// Position by name (`None`: Java's null key).
    index: HashMap<Option<String>, usize>,
}

impl FlatMap {
    fn put(&mut self, name: Option<String>, value: Value) {
        match self.index.get(&name) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(name.clone(), self.entries.len());
                let key = name.map_or(Value::Null, Value::String);
                self.entries.push((key, value));
            }
        }
    }
}

impl<const KEY: bool> Flatten<KEY> {
    /// `prefix` + delimiter + `name`, or `name` at the top.
    fn field_name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    /// Java's `applySchemaless(map, prefix, out)`; `prefix` is `None` at the top.
    fn flatten_map(
        &self,
        entries: &[(Value, Value)],
        prefix: Option<&str>,
        out: &mut FlatMap,
    ) -> Result<(), TransformError> {
        for (key, value) in entries {
            let name = match key {
                Value::String(k) => Some(match prefix {
                    None => k.clone(),
                    Some(p) => self.field_name(p, k),
                }),
                // Java concatenates a null key as "null", and keeps it null without a prefix.
                Value::Null => match prefix {
                    Some(p) if !p.is_empty() => Some(self.field_name(p, "null")),
                    _ => None,
                },
                other => return Err(not_a_string(other)),
            };
            match value {
                Value::Null
                | Value::Boolean(_)
                | Value::Int8(_)
                | Value::Int16(_)
                | Value::Int32(_)
                | Value::Int64(_)
                | Value::Float32(_)
                | Value::Float64(_)
                | Value::String(_)
                | Value::Bytes(_)
                | Value::Array(_) => out.put(name, value.clone()),
                Value::Map(nested) => match &name {
                    Some(n) => self.flatten_map(nested, Some(n), out)?,
                    None => {
                        return Err(TransformError::new(
                            "Cannot invoke \"String.isEmpty()\" because \"prefix\" is null",
                        ));
                    }
                },
                Value::Struct(_) => {
                    return Err(TransformError::new(format!(
                        "Flatten transformation does not support class {} for record without schemas (for field {}).",
                        value.java_class(),
                        name.as_deref().unwrap_or("null")
                    )));
                }
                Value::Decimal(_) | Value::Date(_) => {
                    return Err(TransformError::new(format!(
                        "Flatten transformation was passed a value of type class {} which is not supported by Connect's data API",
                        value.java_class()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Java's `buildWithSchema`: the values of `fields` into `out` from position `*next` on, in
    /// the order [`flat_schema`] laid out their flattened fields. A field's null reads as its
    /// default (`Struct.get`); a null nested struct leaves its fields null.
    fn flatten_struct(
        &self,
        fields: &[(String, Schema)],
        values: &[Value],
        prefix: &str,
        flat_fields: &[(String, Schema)],
        out: &mut [Value],
        next: &mut usize,
    ) -> Result<(), TransformError> {
        for ((name, schema), value) in fields.iter().zip(values) {
            let field_name = self.field_name(prefix, name);
            match &schema.ty {
                Type::Struct(nested) => match value {
                    Value::Null => *next += leaf_count(nested),
                    _ => {
                        let (nested, nested_values) = require_struct(schema, value, PURPOSE)?;
                        self.flatten_struct(
                            nested,
                            nested_values,
                            &field_name,
                            flat_fields,
                            out,
                            next,
                        )?;
                    }
                },
                Type::Map(..) => return Err(map_with_schema(&field_name)),
                _ => {
                    let (Some((_, flat_schema)), Some(slot)) =
                        (flat_fields.get(*next), out.get_mut(*next))
                    else {
                        return Err(TransformError::new(
                            "a flattened value does not match its flattened schema",
                        ));
                    };
                    let v = struct_get(schema, value, true);
                    // `Struct.put` checks every value it is given.
                    validate_value(Some(&field_name), flat_schema, &v)?;
                    *slot = v;
                    *next += 1;
                }
            }
        }
        Ok(())
    }
}

/// How many flattened fields a struct's fields become.
fn leaf_count(fields: &[(String, Schema)]) -> usize {
    fields
        .iter()
        .map(|(_, s)| match &s.ty {
            Type::Struct(nested) => leaf_count(nested),
            _ => 1,
        })
        .sum()
}

/// The flattened schema of `schema`: its name, version, doc and parameters, required, without
/// default, and one field per leaf of its nested structs.
fn flat_schema(schema: &Schema, delimiter: &str) -> Result<Arc<Schema>, TransformError> {
    let Type::Struct(fields) = &schema.ty else {
        return Err(TransformError::new("Cannot list fields on non-struct type"));
    };
    let parent_default = struct_default(schema);
    let mut builder = FlatFields::default();
    build_fields(
        fields,
        "",
        delimiter,
        schema.optional,
        parent_default.as_deref(),
        &mut builder,
    )?;
    Ok(Arc::new(copy_schema_basics(
        schema,
        Type::Struct(builder.fields),
    )))
}

/// The default of a struct schema as its field values, if it has one.
fn struct_default(schema: &Schema) -> Option<Vec<Value>> {
    match decode_default(schema)? {
        Value::Struct(values) => Some(values),
        _ => None,
    }
}

/// The fields of a struct being built, with `SchemaBuilder.field`'s checks.
#[derive(Default)]
struct FlatFields {
    fields: Vec<(String, Schema)>,
    names: HashSet<String>,
}

impl FlatFields {
    fn field(&mut self, name: String, schema: Schema) -> Result<(), TransformError> {
        if name.is_empty() {
            return Err(TransformError::new("fieldName cannot be null."));
        }
        if !self.names.insert(name.clone()) {
            return Err(TransformError::new(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        self.fields.push((name, schema));
        Ok(())
    }
}

/// Java's `buildUpdatedSchema`: `optional` when any ancestor is; `parent_default` the field
/// values of the default the nearest ancestors give.
fn build_fields(
    fields: &[(String, Schema)],
    prefix: &str,
    delimiter: &str,
    optional: bool,
    parent_default: Option<&[Value]>,
    out: &mut FlatFields,
) -> Result<(), TransformError> {
    for (i, (name, schema)) in fields.iter().enumerate() {
        let field_name = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}{delimiter}{name}")
        };
        let field_optional = optional || schema.optional;
        // The field's own default, else its value in the parent's default.
        let default = match decode_default(schema) {
            Some(own) => Some(own),
            None => parent_default
                .and_then(|values| values.get(i))
                .filter(|v| !v.is_null())
                .cloned(),
        };
        match &schema.ty {
            Type::Struct(nested) => {
                let nested_default = match &default {
                    Some(Value::Struct(values)) => Some(values.as_slice()),
                    _ => None,
                };
                build_fields(
                    nested,
                    &field_name,
                    delimiter,
                    field_optional,
                    nested_default,
                    out,
                )?;
            }
            Type::Map(..) => return Err(map_with_schema(&field_name)),
            _ => {
                let mut flat = copy_schema_basics(schema, schema.ty.clone());
                flat.optional = field_optional;
                if let Some(d) = &default {
                    flat.default = Some(encode_json(d, &flat).map_err(TransformError::new)?);
                }
                out.field(field_name, flat)?;
            }
        }
    }
    Ok(())
}

fn map_with_schema(field_name: &str) -> TransformError {
    TransformError::new(format!(
        "Flatten transformation does not support MAP for record with schemas (for field {field_name})."
    ))
}

/// Java's `ClassCastException` for a map key that is not a `String`.
fn not_a_string(key: &Value) -> TransformError {
    let class = key.java_class();
    let module = if class.starts_with("java.") || class.starts_with('[') {
        format!("{class} and java.lang.String are in module java.base of loader 'bootstrap'")
    } else {
        format!(
            "{class} is in unnamed module of loader 'app'; java.lang.String is in module java.base of loader 'bootstrap'"
        )
    };
    TransformError::new(format!(
        "class {class} cannot be cast to class java.lang.String ({module})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::*;

    fn flatten<const KEY: bool>(pairs: &[(&str, &str)]) -> Flatten<KEY> {
        build(pairs).unwrap()
    }

    fn apply_value(xform: &mut FlattenValue, value: Datum) -> Result<Datum, TransformError> {
        try_apply(xform, with_value(value)).map(|r| r.value)
    }

    #[test]
    fn top_level_struct_required() {
        let mut xform = flatten::<false>(&[]);
        let e = apply_value(
            &mut xform,
            Datum::with_schema(Arc::new(schema_of(Type::Int32)), Value::Int32(42)),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Only Struct objects supported for [flattening], found: java.lang.Integer"
        );
    }

    #[test]
    fn top_level_map_required() {
        let mut xform = flatten::<false>(&[]);
        let e = apply_value(&mut xform, Datum::schemaless(Value::Int64(42))).unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [flattening], found: java.lang.Long"
        );
    }

    const SUPPORTED_TYPES: &str = r#"{"type":"struct","fields":[
        {"field":"int8","type":"int8"},{"field":"int16","type":"int16"},
        {"field":"int32","type":"int32"},{"field":"int64","type":"int64"},
        {"field":"float32","type":"float"},{"field":"float64","type":"double"},
        {"field":"boolean","type":"boolean"},{"field":"string","type":"string"},
        {"field":"bytes","type":"bytes"}]}"#;

    fn supported_values() -> Vec<Value> {
        vec![
            Value::Int8(8),
            Value::Int16(16),
            Value::Int32(32),
            Value::Int64(64),
            Value::Float32(32.0),
            Value::Float64(64.0),
            Value::Boolean(true),
            s("stringy"),
            Value::Bytes(b"bytes".to_vec()),
        ]
    }

    const SUPPORTED_NAMES: [&str; 9] = [
        "int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string", "bytes",
    ];

    #[test]
    fn nested_struct() {
        let mut xform = flatten::<false>(&[]);
        let two_levels = json_schema(&format!(
            r#"{{"type":"struct","fields":[{{"field":"A","type":"struct","fields":[
            {{"field":"B",{}}}]}}]}}"#,
            &SUPPORTED_TYPES[1..SUPPORTED_TYPES.len() - 1]
        ));
        let value = Value::Struct(vec![Value::Struct(vec![Value::Struct(supported_values())])]);
        let out = apply_value(&mut xform, Datum::with_schema(two_levels, value)).unwrap();
        let out_schema = out.schema.unwrap();
        let flat = out_schema.fields();
        assert_eq!(flat.len(), 9);
        let names: Vec<String> = SUPPORTED_NAMES.iter().map(|n| format!("A.B.{n}")).collect();
        assert_eq!(
            flat.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
            names
        );
        assert_eq!(flat[4].1, schema_of(Type::Float32));
        assert_eq!(out.value, Value::Struct(supported_values()));
    }

    #[test]
    fn nested_map_with_delimiter() {
        let mut xform = flatten::<false>(&[("delimiter", "#")]);
        let supported = Value::Map(
            SUPPORTED_NAMES
                .iter()
                .zip(supported_values())
                .map(|(n, v)| (s(n), v))
                .collect(),
        );
        let value = map(vec![("A", map(vec![("B", supported)]))]);
        let out = apply_value(&mut xform, Datum::schemaless(value)).unwrap();
        assert_eq!(out.schema, None);
        let expected = Value::Map(
            SUPPORTED_NAMES
                .iter()
                .zip(supported_values())
                .map(|(n, v)| (s(&format!("A#B#{n}")), v))
                .collect(),
        );
        assert_eq!(out.value, expected);
    }

    #[test]
    fn optional_field_struct() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","fields":[{"field":"B","type":"struct","fields":[
            {"field":"opt_int32","type":"int32","optional":true}]}]}"#,
        );
        let out = apply_value(
            &mut xform,
            Datum::with_schema(sch, Value::Struct(vec![Value::Struct(vec![Value::Null])])),
        )
        .unwrap();
        let out_schema = out.schema.unwrap();
        assert_eq!(out_schema.fields()[0].0, "B.opt_int32");
        assert_eq!(out.value, Value::Struct(vec![Value::Null]));
    }

    #[test]
    fn optional_struct_null_passes_through() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","optional":true,"fields":[{"field":"opt_int32","type":"int32","optional":true}]}"#,
        );
        let out = apply_value(&mut xform, Datum::with_schema(sch.clone(), Value::Null)).unwrap();
        assert!(Arc::ptr_eq(out.schema.as_ref().unwrap(), &sch));
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn optional_nested_struct() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","fields":[{"field":"B","type":"struct","optional":true,"fields":[
            {"field":"opt_int32","type":"int32","optional":true}]},{"field":"after","type":"string"}]}"#,
        );
        let out = apply_value(
            &mut xform,
            Datum::with_schema(sch, Value::Struct(vec![Value::Null, s("x")])),
        )
        .unwrap();
        let out_schema = out.schema.unwrap();
        let names: Vec<&str> = out_schema
            .fields()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["B.opt_int32", "after"]);
        assert_eq!(out.value, Value::Struct(vec![Value::Null, s("x")]));
    }

    #[test]
    fn optional_field_map() {
        let mut xform = flatten::<false>(&[]);
        let value = map(vec![("B", map(vec![("opt_int32", Value::Null)]))]);
        let out = apply_value(&mut xform, Datum::schemaless(value)).unwrap();
        assert_eq!(out.value, map(vec![("B.opt_int32", Value::Null)]));
    }

    #[test]
    fn key() {
        let mut xform = flatten::<true>(&[]);
        let key = map(vec![("A", map(vec![("B", Value::Int64(12))]))]);
        let value = Datum::schemaless(s("v"));
        let out = xform
            .apply(source_record(Datum::schemaless(key), value.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.key,
            Datum::schemaless(map(vec![("A.B", Value::Int64(12))]))
        );
        assert_eq!(out.value, value);
    }

    #[test]
    fn schemaless_array_is_kept() {
        let mut xform = flatten::<false>(&[]);
        let value = map(vec![(
            "foo",
            Value::Array(vec![
                s("bar"),
                map(vec![("baz", map(vec![("lfg", s("lfg"))]))]),
            ]),
        )]);
        let out = apply_value(&mut xform, Datum::schemaless(value.clone())).unwrap();
        assert_eq!(out.value, value);
    }

    #[test]
    fn array_with_schema_is_kept() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","fields":[{"field":"foo","type":"array","doc":"durk","items":
            {"type":"struct","fields":[{"field":"baz","type":"struct","fields":[
            {"field":"lfg","type":"string"}]}]}}]}"#,
        );
        let value = Value::Struct(vec![Value::Array(vec![Value::Struct(vec![
            Value::Struct(vec![s("lfg")]),
        ])])]);
        let out = apply_value(&mut xform, Datum::with_schema(sch.clone(), value.clone())).unwrap();
        assert_eq!(out.value, value);
        assert_eq!(out.schema.as_deref(), Some(&*sch));
    }

    #[test]
    fn optional_and_default_values_nested() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","optional":true,"default":{"req_field":"req_default","opt_field":null},
            "fields":[{"field":"req_field","type":"string"},
            {"field":"opt_field","type":"string","optional":true,"default":"child_default"}]}"#,
        );
        let out = apply_value(
            &mut xform,
            Datum::with_schema(sch, Value::Struct(vec![Value::Null, Value::Null])),
        )
        .unwrap();
        let out_schema = out.schema.unwrap();
        assert!(!out_schema.optional && out_schema.default.is_none());
        let flat = out_schema.fields();
        assert_eq!(flat.len(), 2);
        let mut req = schema_of(Type::String);
        req.optional = true;
        req.default = Some("\"req_default\"".into());
        assert_eq!(flat[0], ("req_field".to_string(), req));
        let mut opt = schema_of(Type::String);
        opt.optional = true;
        opt.default = Some("\"child_default\"".into());
        assert_eq!(flat[1], ("opt_field".to_string(), opt));
        // `Struct.get` reads a null through the field's own default.
        assert_eq!(
            out.value,
            Value::Struct(vec![Value::Null, s("child_default")])
        );
    }

    #[test]
    fn nested_defaults_and_optional_parents_reach_the_leaves() {
        let mut xform = flatten::<false>(&[("delimiter", "_")]);
        let sch = json_schema(
            r#"{"type":"struct","name":"top","version":3,"doc":"d","fields":[
            {"field":"p","type":"struct","optional":true,"default":{"c":5,"q":{"x":true}},"fields":[
              {"field":"c","type":"int32"},
              {"field":"q","type":"struct","fields":[{"field":"x","type":"boolean"}]}]},
            {"field":"amount","type":"bytes","name":"org.apache.kafka.connect.data.Decimal",
             "parameters":{"scale":"2"},"default":"AQ=="}]}"#,
        );
        let out = apply_value(
            &mut xform,
            Datum::with_schema(sch, Value::Struct(vec![Value::Null, Value::Null])),
        )
        .unwrap();
        let out_schema = out.schema.unwrap();
        assert_eq!(out_schema.name.as_deref(), Some("top"));
        assert_eq!(out_schema.version, Some(3));
        assert_eq!(out_schema.doc.as_deref(), Some("d"));
        let flat = out_schema.fields();
        let summary: Vec<(&str, bool, Option<&str>)> = flat
            .iter()
            .map(|(n, f)| (n.as_str(), f.optional, f.default.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("p_c", true, Some("5")),
                ("p_q_x", true, Some("true")),
                ("amount", false, Some("\"AQ==\"")),
            ]
        );
        assert_eq!(flat[2].1.parameter("scale"), Some("2"));
        // A null nested struct leaves its fields null; a null leaf reads as its own default.
        assert_eq!(
            out.value,
            Value::Struct(vec![
                Value::Null,
                Value::Null,
                Value::Decimal("0.01".into())
            ])
        );
    }

    #[test]
    fn tombstone_without_schema_passes_through() {
        let mut xform = flatten::<false>(&[]);
        assert_eq!(apply_value(&mut xform, Datum::NULL).unwrap(), Datum::NULL);
    }

    #[test]
    fn tombstone_with_schema_passes_through() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","name":"name","version":1,"doc":"doc","fields":[
            {"field":"magic","type":"int64","optional":true}]}"#,
        );
        let out = apply_value(&mut xform, Datum::with_schema(sch.clone(), Value::Null)).unwrap();
        assert!(Arc::ptr_eq(out.schema.as_ref().unwrap(), &sch));
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn map_with_null_fields() {
        let mut xform = flatten::<false>(&[]);
        let value = map(vec![
            ("firstNull", Value::Null),
            ("firstNonNull", s("nonNull")),
            ("secondNull", Value::Null),
            ("secondNonNull", s("alsoNonNull")),
            ("thirdNonNull", Value::Null),
        ]);
        let out = apply_value(&mut xform, Datum::schemaless(value.clone())).unwrap();
        assert_eq!(out.value, value);
    }

    #[test]
    fn struct_with_null_fields() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","fields":[
            {"field":"firstNull","type":"string","optional":true},
            {"field":"firstNonNull","type":"string","optional":true},
            {"field":"secondNull","type":"string","optional":true},
            {"field":"secondNonNull","type":"string","optional":true},
            {"field":"thirdNonNull","type":"string","optional":true}]}"#,
        );
        let value = Value::Struct(vec![
            Value::Null,
            s("nonNull"),
            Value::Null,
            s("alsoNonNull"),
            Value::Null,
        ]);
        let out = apply_value(&mut xform, Datum::with_schema(sch.clone(), value.clone())).unwrap();
        assert_eq!(out.value, value);
        assert_eq!(out.schema.as_deref(), Some(&*sch));
    }

    #[test]
    fn one_flattened_schema_per_input_schema() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(SUPPORTED_TYPES);
        let a = apply_value(
            &mut xform,
            Datum::with_schema(sch.clone(), Value::Struct(supported_values())),
        )
        .unwrap();
        let b = apply_value(
            &mut xform,
            Datum::with_schema(sch, Value::Struct(supported_values())),
        )
        .unwrap();
        assert!(Arc::ptr_eq(
            a.schema.as_ref().unwrap(),
            b.schema.as_ref().unwrap()
        ));
    }

    #[test]
    fn maps_with_a_schema_are_refused() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","fields":[{"field":"a","type":"struct","fields":[
            {"field":"m","type":"map","keys":{"type":"string"},"values":{"type":"int32"}}]}]}"#,
        );
        let e = apply_value(
            &mut xform,
            Datum::with_schema(
                sch,
                Value::Struct(vec![Value::Struct(vec![Value::Map(vec![])])]),
            ),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Flatten transformation does not support MAP for record with schemas (for field a.m)."
        );
    }

    #[test]
    fn colliding_flattened_names_are_refused_with_a_schema_and_overwrite_without() {
        let mut xform = flatten::<false>(&[]);
        let sch = json_schema(
            r#"{"type":"struct","fields":[{"field":"a.b","type":"int32"},
            {"field":"a","type":"struct","fields":[{"field":"b","type":"int32"}]}]}"#,
        );
        let e = apply_value(
            &mut xform,
            Datum::with_schema(
                sch,
                Value::Struct(vec![Value::Int32(1), Value::Struct(vec![Value::Int32(2)])]),
            ),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Cannot create field because of field name duplication a.b"
        );
        let value = map(vec![
            ("a.b", Value::Int64(1)),
            ("c", Value::Int64(3)),
            ("a", map(vec![("b", Value::Int64(2))])),
        ]);
        let out = apply_value(&mut xform, Datum::schemaless(value)).unwrap();
        // Java's LinkedHashMap: the first place, the last value.
        assert_eq!(
            out.value,
            map(vec![("a.b", Value::Int64(2)), ("c", Value::Int64(3))])
        );
    }

    #[test]
    fn schemaless_values_outside_maps_and_primitives_are_refused() {
        let mut xform = flatten::<false>(&[]);
        let e = apply_value(
            &mut xform,
            Datum::schemaless(map(vec![("d", Value::Decimal("1.5".into()))])),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Flatten transformation was passed a value of type class java.math.BigDecimal which is not supported by Connect's data API"
        );
        let e = apply_value(
            &mut xform,
            Datum::schemaless(map(vec![("o", map(vec![("s", Value::Struct(vec![]))]))])),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field o.s)."
        );
        let e = apply_value(
            &mut xform,
            Datum::schemaless(Value::Map(vec![(Value::Int64(1), Value::Int64(2))])),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "class java.lang.Long cannot be cast to class java.lang.String (java.lang.Long and java.lang.String are in module java.base of loader 'bootstrap')"
        );
    }

    #[test]
    fn a_blank_delimiter_is_empty_as_kafka_trims_it() {
        let mut xform = flatten::<false>(&[("delimiter", " ")]);
        let value = map(vec![("a", map(vec![("b", Value::Int64(1))]))]);
        let out = apply_value(&mut xform, Datum::schemaless(value)).unwrap();
        assert_eq!(out.value, map(vec![("ab", Value::Int64(1))]));
    }

    #[test]
    fn delimiter_defaults_to_a_dot() {
        let def = FlattenConfig::config_def();
        let key = &def.keys()[0];
        assert_eq!(key.name.as_str(), "delimiter");
        assert_eq!(
            key.default_value.as_ref().map(|d| d.as_str()).into_option(),
            Some(".")
        );
        assert!(FlattenConfig::validate(&config(&[]))[0].errors.is_empty());
    }
}
