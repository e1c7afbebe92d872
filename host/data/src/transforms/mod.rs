//! Single Message Transforms and predicates (contract §5.3) on records between the converters
//! and the plugins.
//!
//! A record is decoded once into Java's Connect data model ([`data::Value`] beside its schema,
//! [`codec`]) as a [`record::TransformRecord`], goes through every configured
//! [`transform::Transform`] in order (each gated by its predicate), and is encoded once after the
//! last one. Files: [`data`] (values), [`codec`] (converter form ↔ values), [`record`] (the
//! record), [`transform`] (the traits and the error), [`chain`] (the stages and predicates),
//! [`builtin`] (Kafka's classes by name, and how a class is written); helpers shared by the
//! classes: [`config_checks`] (Kafka's reading of `STRING`/`LIST` keys, the validators the SDK
//! lacks, and `Checked` configs that add them), [`requirements`] (Kafka's `Requirements` and
//! `SchemaUtil`, and schemas of a type or logical type), [`connect_schema`] (`SchemaBuilder`'s
//! and `Struct.put`'s checks), [`field_path`] (`SingleFieldPath`), [`schema_update_cache`]
//! (derived schemas by input schema), [`schemas`] (schema text ↔ parsed), [`java_regex`]
//! (Java's regular expressions), [`java_string`] (Java's `toString()` of numbers, values,
//! schemas and records) and [`java_date`] (`SimpleDateFormat`); `test_support` builds the
//! classes' unit tests. Then one file per transformation family.

pub mod builtin;
pub mod chain;
pub mod codec;
pub mod config_checks;
pub mod connect_schema;
pub mod data;
pub mod field_path;
pub mod java_date;
pub mod java_regex;
pub mod java_string;
pub mod record;
pub mod requirements;
pub mod schema_update_cache;
pub mod schemas;
#[cfg(test)]
mod test_support;
pub mod transform;

pub mod cast;
pub mod drop_headers;
pub mod extract_field;
pub mod filter;
pub mod flatten;
pub mod header_from;
pub mod hoist_field;
pub mod insert_field;
pub mod insert_header;
pub mod mask_field;
pub mod predicates;
pub mod regex_router;
pub mod replace_field;
pub mod set_schema_metadata;
pub mod timestamp_converter;
pub mod timestamp_router;
pub mod value_to_key;
