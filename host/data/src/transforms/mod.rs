//! Single Message Transforms and predicates (contract §5.3) on records between the converters
//! and the plugins.
//!
//! A record is decoded once into Java's Connect data model ([`data::Value`] beside its schema,
//! [`codec`]) as a [`record::TransformRecord`], goes through every configured
//! [`transform::Transform`] in order (each gated by its predicate), and is encoded once after the
//! last one. Files: [`data`] (values), [`codec`] (converter form ↔ values), [`record`] (the
//! record), [`transform`] (the traits and the error), [`builtin`] (Kafka's classes by name),
//! [`java_regex`] (Java's regular expressions), [`requirements`] (Kafka's checks and schema
//! helpers), [`config_checks`] (Kafka's validators the SDK lacks), [`schema_update_cache`]
//! (derived schemas by input schema); one file per transformation family.

pub mod builtin;
pub mod chain;
pub mod codec;
pub mod config_checks;
pub mod data;
pub mod field_path;
pub mod java_regex;
pub mod record;
pub mod requirements;
pub mod schema_update_cache;
pub mod schemas;
pub mod transform;
pub mod validate;

pub mod drop_headers;
pub mod extract_field;
pub mod filter;
pub mod flatten;
pub mod header_from;
pub mod hoist_field;
pub mod insert_header;
pub mod predicates;
pub mod regex_router;
pub mod set_schema_metadata;
