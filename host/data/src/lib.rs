//! Connect data, below the host's runtime: what a key, value or header is between Kafka bytes
//! and a plugin, and what may change it on the way.
//!
//! - [`convert`]: Kafka bytes ↔ Connect data (`JsonConverter`, `StringConverter`,
//!   `ByteArrayConverter`), with Connect schemas in `JsonConverter`'s schema JSON.
//! - [`transforms`]: Single Message Transforms and predicates (Kafka's built-ins) on a record
//!   decoded once into Java's Connect data model.
//! - [`config_providers`]: Kafka's config providers (`FileConfigProvider`,
//!   `DirectoryConfigProvider`, `EnvVarConfigProvider`) and `ConfigTransformer`, which resolve
//!   `${provider:path:key}` references in config values.
//! - [`config_value`], [`suggest`]: parsing Kafka config values with Kafka's messages, and
//!   "did you mean" suggestions; the host's `config` layer uses them too.
//!
//! The crate knows no Kafka client, plugin loading or storage: the host's runtime wires it to
//! those.

pub mod config_providers;
pub mod config_value;
pub mod convert;
pub mod suggest;
pub mod transforms;
