//! Single Message Transforms and predicates (contract §5.3) on records between the converters
//! and the plugins.
//!
//! A record is decoded once into Java's Connect data model ([`data::Value`] beside its schema,
//! [`codec`]) as a [`record::TransformRecord`], goes through every configured
//! [`transform::Transform`] in order (each gated by its predicate), and is encoded once after the
//! last one. Files: [`data`] (values), [`codec`] (converter form ↔ values), [`record`] (the
//! record), [`transform`] (the traits and the error), [`builtin`] (Kafka's classes by name),
//! [`java_regex`] (Java's regular expressions), [`java_date`] (Java's `SimpleDateFormat`),
//! [`java_string`] (Java's `toString` of values), [`requirements`] (Kafka's checks and schema
//! helpers), [`schema_update_cache`] (Kafka's cache of built schemas); one file per
//! transformation family.

pub mod builtin;
pub mod chain;
pub mod codec;
pub mod data;
pub mod java_date;
pub mod java_regex;
pub mod java_string;
pub mod record;
pub mod requirements;
pub mod schema_update_cache;
pub mod schemas;
pub mod transform;

pub mod cast;
pub mod filter;
pub mod predicates;
pub mod regex_router;
pub mod timestamp_converter;
pub mod timestamp_router;
