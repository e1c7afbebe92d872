//! `org.apache.kafka.connect.transforms.ReplaceField$Key` and `$Value`: keep, drop and rename
//! the fields of a `Struct` key or value (with a new schema) or the entries of a schemaless
//! `Map`. A null key or value passes unchanged. (Kafka 4.0 removed the old `blacklist` and
//! `whitelist` aliases; 4.3 has only `exclude` and `include`.)

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use connect_plugin_api::ConnectConfig;
use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap};

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::config_checks::{
    Checked, ExtraChecks, REPLACE_NULL_WITH_DEFAULT_DOC, add_error, effective_list, java_list,
    java_split_colon, validate_non_duplicate_list,
};
use super::connect_schema::{StructFields, validate_value};
use super::data::Value;
use super::record::TransformRecord;
use super::requirements::{copy_schema_basics, require_map, require_struct, struct_get};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::java_list as java_list_text;
use crate::convert::schema::{Schema, Type};

/// Kafka's `OVERVIEW_DOC`.
const DOC: &str = "Filter or rename fields.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.ReplaceField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.ReplaceField$Value</code>).";

/// The `purpose` in Kafka's messages.
const PURPOSE: &str = "field replacement";

/// Kafka's keys, in its order, as the SDK checks them; [`ReplaceFieldConfig`] adds the list
/// validators.
#[derive(Debug, ConnectConfig)]
pub struct ReplaceFieldKeys {
    /// `exclude`.
    #[config(
        ty = "LIST",
        default = "",
        importance = "medium",
        doc = "Fields to exclude. This takes precedence over the fields to include.",
        parse_with = "java_list"
    )]
    pub exclude: Vec<String>,
    /// `include`.
    #[config(
        ty = "LIST",
        default = "",
        importance = "medium",
        doc = "Fields to include. If specified, only these fields will be used.",
        parse_with = "java_list"
    )]
    pub include: Vec<String>,
    /// `renames`: `old:new` pairs.
    #[config(
        ty = "LIST",
        default = "",
        importance = "medium",
        doc = "Field rename mappings.",
        parse_with = "java_list"
    )]
    pub renames: Vec<String>,
    /// `replace.null.with.default`.
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

/// Kafka's validators the SDK has no kind for: `ValidList.anyNonDuplicateValues(true, false)` on
/// `exclude` and `include`, the rename mapping check on `renames`.
impl ExtraChecks for ReplaceFieldKeys {
    fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef) {
        validate_non_duplicate_list(reports, raw, def, "exclude", true);
        validate_non_duplicate_list(reports, raw, def, "include", true);
        if let Some(items) = effective_list(raw, def, "renames")
            && let Err(e) = parse_renames(&items)
        {
            add_error(reports, "renames", e);
        }
    }
}

/// The configuration: [`ReplaceFieldKeys`] with its [`ExtraChecks`].
pub type ReplaceFieldConfig = Checked<ReplaceFieldKeys>;

/// `parseRenameMappings`: `old:new` pairs, a later pair for the same old name winning.
fn parse_renames(mappings: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(mappings.len());
    for mapping in mappings {
        let parts = java_split_colon(mapping);
        let [from, to] = parts[..] else {
            return Err(format!(
                "Invalid value {} for configuration renames: Invalid rename mapping: {mapping}",
                java_list_text(mappings)
            ));
        };
        match out.iter_mut().find(|(f, _)| f == from) {
            Some(pair) => pair.1 = to.to_owned(),
            None => out.push((from.to_owned(), to.to_owned())),
        }
    }
    Ok(out)
}

/// Where each output field's value comes from: the original field's index, or the original
/// name Java looks up and does not find (`"x is not a valid field name"`).
type Plan = Vec<Result<usize, String>>;

/// The configured transformation; `KEY` selects `$Key` (the record key) or `$Value`.
#[derive(Debug)]
pub struct ReplaceField<const KEY: bool> {
    names: Names,
    replace_null_with_default: bool,
    cache: SchemaUpdateCache<(Arc<Schema>, Plan)>,
}

/// `exclude`, `include` and `renames` (both ways).
#[derive(Debug)]
struct Names {
    exclude: HashSet<String>,
    include: HashSet<String>,
    renames: HashMap<String, String>,
    reverse_renames: HashMap<String, String>,
}

impl Names {
    /// Whether field `name` is kept (`filter`): not excluded, and included if `include` is set.
    fn keep(&self, name: &str) -> bool {
        !self.exclude.contains(name) && (self.include.is_empty() || self.include.contains(name))
    }

    /// The new name of field `name` (`renamed`).
    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    /// The old name of output field `name` (`reverseRenamed`).
    fn reverse_renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.reverse_renames.get(name).map_or(name, String::as_str)
    }

    /// The output schema (`makeUpdatedSchema`) and where its values come from.
    fn updated(&self, schema: &Schema) -> Result<(Arc<Schema>, Plan), TransformError> {
        let original = schema.fields();
        let mut fields = StructFields::new();
        let mut outputs: Vec<String> = Vec::new();
        for (name, field_schema) in original {
            if self.keep(name) {
                let new_name = self.renamed(name);
                fields.field(new_name, field_schema.clone())?;
                outputs.push(new_name.to_owned());
            }
        }
        // Java reads each output field back by its reverse-renamed name.
        let plan = outputs
            .iter()
            .map(|out| {
                let old = self.reverse_renamed(out);
                original
                    .iter()
                    .position(|(n, _)| n == old)
                    .ok_or_else(|| old.to_owned())
            })
            .collect();
        Ok((
            Arc::new(copy_schema_basics(schema, fields.into_type())),
            plan,
        ))
    }
}

/// `ReplaceField$Key`.
pub type ReplaceFieldKey = ReplaceField<true>;
/// `ReplaceField$Value`.
pub type ReplaceFieldValue = ReplaceField<false>;

impl<const KEY: bool> BuiltinTransform for ReplaceField<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "ReplaceField");
    const DOC: &'static str = DOC;
    type Config = ReplaceFieldConfig;

    fn new(Checked(c): ReplaceFieldConfig) -> Result<Self, TransformError> {
        let renames = parse_renames(&c.renames).map_err(TransformError::new)?;
        // Several old names for one new name: Java's inverse keeps whichever its hash map visits
        // last; here the last in the configuration.
        let reverse_renames = renames
            .iter()
            .map(|(from, to)| (to.clone(), from.clone()))
            .collect();
        Ok(ReplaceField {
            names: Names {
                exclude: c.exclude.into_iter().collect(),
                include: c.include.into_iter().collect(),
                renames: renames.into_iter().collect(),
                reverse_renames,
            },
            replace_null_with_default: c.replace_null_with_default,
            cache: SchemaUpdateCache::default(),
        })
    }
}

impl<const KEY: bool> Transform for ReplaceField<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let datum = record.operand_mut(KEY);
        if datum.value.is_null() {
            return Ok(Some(record));
        }
        match datum.schema.clone() {
            None => {
                require_map(&datum.value, PURPOSE)?;
                if let Value::Map(entries) = &mut datum.value {
                    *entries = self.names.replace_entries(std::mem::take(entries))?;
                }
            }
            Some(schema) => {
                require_struct(&schema, &datum.value, PURPOSE)?;
                let names = &self.names;
                let (updated, plan) = self
                    .cache
                    .get_or_try_insert(&schema, |s| names.updated(s))?;
                if let (Type::Struct(fields), Value::Struct(values)) =
                    (&updated.ty, &mut datum.value)
                {
                    let mut original = std::mem::take(values);
                    let mut out = Vec::with_capacity(fields.len());
                    for ((name, field_schema), source) in fields.iter().zip(plan) {
                        let i = source.as_ref().map_err(|old| {
                            TransformError::new(format!("{old} is not a valid field name"))
                        })?;
                        // Each original field feeds at most one output field, so it can move.
                        let mut v = std::mem::replace(&mut original[*i], Value::Null);
                        if v.is_null() {
                            v = struct_get(field_schema, &v, self.replace_null_with_default);
                        }
                        validate_value(Some(name), field_schema, &v)?;
                        out.push(v);
                    }
                    *values = out;
                }
                datum.schema = Some(Arc::clone(updated));
            }
        }
        Ok(Some(record))
    }
}

impl Names {
    /// Schemaless: the kept entries under their new names; when two land on one name the later
    /// wins, as `Map.put` does.
    fn replace_entries(
        &self,
        entries: Vec<(Value, Value)>,
    ) -> Result<Vec<(Value, Value)>, TransformError> {
        let mut out: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let new_key = match key {
                Value::String(name) if self.keep(&name) => match self.renames.get(&name) {
                    Some(to) => Value::String(to.clone()),
                    None => Value::String(name),
                },
                Value::String(_) => continue,
                // A null key is never excluded nor renamed (Java's map allows it).
                Value::Null if self.include.is_empty() => Value::Null,
                Value::Null => continue,
                other => {
                    // Java reads every key as a String: its cast fails.
                    let class = other.java_class();
                    return Err(TransformError::new(format!(
                        "class {class} cannot be cast to class java.lang.String ({class} and java.lang.String are in module java.base of loader 'bootstrap')"
                    )));
                }
            };
            // The original keys are distinct: only a rename target can meet another key.
            let may_collide =
                matches!(&new_key, Value::String(n) if self.reverse_renames.contains_key(n));
            let existing = if may_collide {
                out.iter_mut().find(|(k, _)| *k == new_key)
            } else {
                None
            };
            match existing {
                Some((_, v)) => *v = value,
                None => out.push((new_key, value)),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::data::Datum;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::*;

    fn four_fields() -> Arc<Schema> {
        Arc::new(struct_schema(vec![
            ("dont", schema_of(Type::String)),
            ("abc", schema_of(Type::Int32)),
            ("foo", schema_of(Type::Boolean)),
            ("etc", schema_of(Type::String)),
        ]))
    }

    #[test]
    fn tombstones_pass_unchanged() {
        let mut t: ReplaceFieldValue =
            build(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]).unwrap();
        let r = sink_record(Datum::NULL, Datum::NULL);
        assert_eq!(apply(&mut t, r.clone()), r);
        let schema = four_fields();
        let r = sink_record(Datum::NULL, datum(&schema, Value::Null));
        let out = apply(&mut t, r);
        assert!(Arc::ptr_eq(out.value.schema.as_ref().unwrap(), &schema));
        assert!(out.value.value.is_null());
    }

    #[test]
    fn schemaless() {
        let mut t: ReplaceFieldValue =
            build(&[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")]).unwrap();
        let value = map(vec![
            ("dont", Value::String("whatever".into())),
            ("abc", Value::Int32(42)),
            ("foo", Value::Boolean(true)),
            ("etc", Value::String("etc".into())),
        ]);
        let out = apply(&mut t, sink_record(Datum::NULL, Datum::schemaless(value)));
        assert_eq!(
            out.value,
            Datum::schemaless(map(vec![
                ("xyz", Value::Int32(42)),
                ("bar", Value::Boolean(true)),
                ("etc", Value::String("etc".into())),
            ]))
        );
    }

    #[test]
    fn with_schema() {
        let mut t: ReplaceFieldValue =
            build(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]).unwrap();
        let schema = Arc::new(Schema {
            name: Some("com.example.Row".into()),
            version: Some(3),
            optional: true,
            ..struct_schema(vec![
                ("dont", schema_of(Type::String)),
                ("abc", schema_of(Type::Int32)),
                ("foo", schema_of(Type::Boolean)),
                ("etc", schema_of(Type::String)),
            ])
        });
        let value = Value::Struct(vec![
            Value::String("whatever".into()),
            Value::Int32(42),
            Value::Boolean(true),
            Value::String("etc".into()),
        ]);
        let out = apply(
            &mut t,
            sink_record(Datum::NULL, datum(&schema, value.clone())),
        );
        let s = out.value.schema.clone().unwrap();
        assert_eq!(
            s.fields().to_vec(),
            vec![
                ("xyz".to_owned(), schema_of(Type::Int32)),
                ("bar".to_owned(), schema_of(Type::Boolean)),
            ]
        );
        // Name and version are copied; like Java's SchemaBuilder.struct(), not optional-ness.
        assert_eq!(
            (s.name.as_deref(), s.version, s.optional),
            (Some("com.example.Row"), Some(3), false)
        );
        assert_eq!(
            out.value.value,
            Value::Struct(vec![Value::Int32(42), Value::Boolean(true)])
        );
        let again = apply(&mut t, sink_record(Datum::NULL, datum(&schema, value)));
        assert!(Arc::ptr_eq(&s, again.value.schema.as_ref().unwrap()));
    }

    #[test]
    fn replace_null_with_default_on_value_and_key() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let pairs = [
                ("include", "abc"),
                ("renames", "abc:optional_with_default"),
                ("replace.null.with.default", replace),
            ];
            let schema = Arc::new(struct_schema(vec![(
                "abc",
                with_default(optional(schema_of(Type::Int32)), "42"),
            )]));
            let null_abc = datum(&schema, Value::Struct(vec![Value::Null]));

            let mut value_t: ReplaceFieldValue = build(&pairs).unwrap();
            let out = apply(&mut value_t, sink_record(Datum::NULL, null_abc.clone()));
            let s = out.value.schema.unwrap();
            assert_eq!(s.fields().len(), 1);
            assert_eq!(
                field_value(&s, &out.value.value, "optional_with_default"),
                Some(&expected)
            );

            let mut key_t: ReplaceFieldKey = build(&pairs).unwrap();
            let out = apply(&mut key_t, sink_record(null_abc, Datum::NULL));
            let s = out.key.schema.unwrap();
            assert_eq!(s.fields().len(), 1);
            assert_eq!(
                field_value(&s, &out.key.value, "optional_with_default"),
                Some(&expected)
            );
            assert_eq!(out.value, Datum::NULL);
        }
    }

    #[test]
    fn renames_fail_where_javas_do() {
        let mut t: ReplaceFieldValue = build(&[("renames", "a:b")]).unwrap();
        // No `a`: Java looks the output field `b` up as `a`.
        let only_b = Arc::new(struct_schema(vec![("b", schema_of(Type::Int32))]));
        let r = sink_record(
            Datum::NULL,
            datum(&only_b, Value::Struct(vec![Value::Int32(1)])),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "a is not a valid field name"
        );
        let ab = Arc::new(struct_schema(vec![
            ("a", schema_of(Type::Int32)),
            ("b", schema_of(Type::Int32)),
        ]));
        let r = sink_record(
            Datum::NULL,
            datum(&ab, Value::Struct(vec![Value::Int32(1), Value::Int32(2)])),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Cannot create field because of field name duplication b"
        );
        // Schemaless, the renamed entry lands on `b` and the later one wins; a null key stays.
        let value = Value::Map(vec![
            (Value::String("b".into()), Value::Int32(2)),
            (Value::Null, Value::Int32(5)),
            (Value::String("a".into()), Value::Int32(1)),
        ]);
        let out = apply(&mut t, sink_record(Datum::NULL, Datum::schemaless(value)));
        assert_eq!(
            out.value.value,
            Value::Map(vec![
                (Value::String("b".into()), Value::Int32(1)),
                (Value::Null, Value::Int32(5)),
            ])
        );
        let r = sink_record(
            Datum::NULL,
            Datum::schemaless(Value::Map(vec![(Value::Int64(1), Value::Int32(1))])),
        );
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "class java.lang.Long cannot be cast to class java.lang.String (java.lang.Long and java.lang.String are in module java.base of loader 'bootstrap')"
        );
        let r = sink_record(Datum::NULL, Datum::schemaless(Value::Int64(1)));
        assert_eq!(
            t.apply(r).unwrap_err().message,
            "Only Map objects supported in absence of schema for [field replacement], found: java.lang.Long"
        );
    }

    #[test]
    fn split_and_rename_mappings_as_java() {
        assert_eq!(java_split_colon("a:b:"), ["a", "b"]);
        assert_eq!(java_split_colon(":b"), ["", "b"]);
        assert!(java_split_colon(":").is_empty());
        assert_eq!(java_split_colon(""), [""]);
        let items: Vec<String> = ["a:b", "a:c"].map(String::from).to_vec();
        assert_eq!(
            parse_renames(&items).unwrap(),
            [("a".to_owned(), "c".to_owned())]
        );
    }

    #[test]
    fn configuration_errors_are_kafkas() {
        assert_eq!(
            validation_errors::<ReplaceFieldValue>(&[("renames", "a:b,c,d:e:f")]),
            ["Invalid value [a:b, c, d:e:f] for configuration renames: Invalid rename mapping: c"]
        );
        assert!(validation_errors::<ReplaceFieldValue>(&[("renames", "a:b:,:x")]).is_empty());
        assert_eq!(
            validation_errors::<ReplaceFieldValue>(&[("exclude", "a,a"), ("include", "x,,y")]),
            [
                "Configuration 'exclude' values must not be duplicated.",
                "Configuration 'include' values must not be empty.",
            ]
        );
        assert_eq!(
            validation_errors::<ReplaceFieldValue>(&[("replace.null.with.default", "yes")]),
            [
                "Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false"
            ]
        );
        let e = build::<ReplaceFieldKey>(&[("renames", "a")]).unwrap_err();
        assert!(
            e.contains("Invalid value [a] for configuration renames: Invalid rename mapping: a"),
            "{e}"
        );
        assert!(validation_errors::<ReplaceFieldKey>(&[]).is_empty());
    }

    #[test]
    fn keys_are_kafkas() {
        let def = ReplaceFieldConfig::config_def();
        assert_eq!(
            keys_and_defaults(&def),
            [
                ("exclude", Some("")),
                ("include", Some("")),
                ("renames", Some("")),
                ("replace.null.with.default", Some("true")),
            ]
        );
        use connect_plugin_api::abi::config::{ConfigType, Importance};
        assert!(
            def.keys()[..3]
                .iter()
                .all(|k| k.ty == ConfigType::LIST && k.importance == Importance::MEDIUM)
        );
        assert_eq!(def.keys()[3].ty, ConfigType::BOOLEAN);
    }
}
