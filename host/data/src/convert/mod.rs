//! Converters between Kafka bytes and "Connect data" (contract §5.1–5.2): `JsonConverter`,
//! `StringConverter` and `ByteArrayConverter`, chosen by class name or alias with
//! [`converter_from_config`].
//!
//! Connect data is handed to plugins as a [`DataKind`] plus bytes in a caller-owned arena and,
//! where there is one, the Connect schema in `JsonConverter`'s schema JSON — interned, so a
//! batch of records with one schema shares one allocation. Reading writes into the arena
//! ([`Converter::to_connect`]); writing appends Kafka bytes to an output buffer
//! ([`Converter::from_connect`]). Errors are [`ConvertError`]s with Kafka Connect's wording.
//!
//! Files: [`data`] (the shapes), [`converter`] (the trait), [`registry`] (names → converters),
//! [`json`], [`string`], [`bytes`] (the converters); internals: JSON text scanning, Connect
//! schemas, schema-driven normalization, decimals, charsets, the schema cache, settings; and
//! Kafka's `Values` ([`values`]: header text ↔ typed values) and the header converter built on
//! it ([`simple_header`]).

pub mod bytes;
pub mod converter;
pub mod data;
pub(crate) mod decimal;
mod encoding;
pub mod error;
pub mod header_converter;
pub mod json;
pub(crate) mod json_text;
pub(crate) mod normalize;
pub mod registry;
pub mod schema;
mod schema_cache;
mod settings;
pub mod simple_header;
pub mod string;
pub mod values;

pub use bytes::ByteArrayConverter;
pub use converter::Converter;
pub use data::{ConnectDataRef, Converted, DataKind};
pub use error::ConvertError;
pub use header_converter::{HeaderConverter, resolve_header_converter_class};
pub use json::JsonConverter;
pub use registry::{KNOWN_CONVERTERS, converter_from_config, resolve_converter_class};
pub use simple_header::SimpleHeaderConverter;
pub use string::StringConverter;
