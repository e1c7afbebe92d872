//! `io.confluent.connect.elasticsearch.ElasticsearchSinkConnector` as a plugin: writes records to
//! Elasticsearch 7/8 or OpenSearch 1/2 with `_bulk`, accepting every configuration key of the
//! Confluent connector's 5.5.x and 15.x lines (see the crate's README for the key table).
//!
//! - [`config`]: keys, defaults, validation (Confluent's messages).
//! - [`bulk`]: record → index, id, version, document and NDJSON lines (never `_type`).
//! - [`client`]: HTTP (`_bulk`, `GET /`, indices, data streams, mappings).
//! - [`retry`]: which failures are retried (only the failed items), back-off.
//! - [`batcher`]: batching, concurrent requests, back-pressure, the durable-offset watermark.
//! - [`task`], [`connector`]: the SDK glue.

pub mod batcher;
pub mod bulk;
pub mod client;
pub mod config;
#[cfg(test)]
mod config_snapshot;
pub mod connector;
pub mod retry;
pub mod task;

pub use connector::ElasticsearchSinkConnector;
pub use task::ElasticsearchSinkTask;

connect_plugin_api::export_plugin!(sinks: [ElasticsearchSinkConnector]);
