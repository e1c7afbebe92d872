//! The contract between the `connect` host and connector plugins, and the SDK to write them.
//!
//! - [`abi`]: everything that crosses the boundary, `abi_stable` types whose layout the host
//!   checks when it loads a library. This crate's Cargo version is the ABI version.
//! - [`batch`]: building and reading record batches (one arena, fixed-size metadata per record);
//!   batches cross the boundary, never single records.
//! - [`sdk`]: safe traits a plugin implements ([`sdk::connector`]) and the
//!   [`export_plugin!`] macro that exports them, with every call wrapped in `catch_unwind`.
//!
//! Threading model: the host calls a task from one dedicated thread, one call at a time, outside
//! any async runtime; calls may block. A plugin that needs async I/O owns a small runtime
//! (feature `tokio`, [`sdk::runtime`]). Logs from `tracing` or `log` inside the plugin reach the
//! host's subscriber. Plugins are never unloaded.
//!
//! A sink plugin in full:
//!
//! ```ignore
//! use connect_plugin_api::prelude::*;
//!
//! pub struct StdoutSink;
//! impl ConnectorDescription for StdoutSink {
//!     const CLASS: &'static str = "com.example.StdoutSinkConnector";
//!     const VERSION: &'static str = env!("CARGO_PKG_VERSION");
//!     fn config_def() -> ConfigDef { ConfigDef::new() }
//! }
//! impl SinkConnector for StdoutSink {
//!     type Task = StdoutTask;
//!     fn start(_: Config, _: ConnectorContext) -> Result<Self, ConnectError> { Ok(StdoutSink) }
//!     // `task_configs` defaults to the connector's configuration for every task.
//! }
//! pub struct StdoutTask;
//! impl SinkTask for StdoutTask {
//!     fn start(_: Config, _: TaskContext) -> Result<Self, ConnectError> { Ok(StdoutTask) }
//!     fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
//!         for r in batch.iter() { println!("{}", r.value().as_str().unwrap_or("")); }
//!         Ok(())
//!     }
//! }
//! connect_plugin_api::export_plugin!(sinks: [StdoutSink]);
//! ```

// abi_stable's derive macros generate `Foo_Ref`/`Foo_TO` names and impls in nested scopes.
#[allow(non_camel_case_types, non_local_definitions)]
pub mod abi;
pub mod batch;
pub mod sdk;

/// Re-exported so plugins and the host use the exact pinned version.
pub use abi_stable;

/// What a plugin author usually needs.
pub mod prelude {
    pub use crate::abi::config::{ConfigType, Importance, Width};
    pub use crate::abi::types::{
        DataKind, RecordBatch, SourceBatch, TopicPartition, TopicPartitionOffset, WrittenRecord,
    };
    pub use crate::abi::{convert::ConvertedColumn, transform::TransformedBatch};
    pub use crate::batch::{Data, DataView, RecordView, STRING_SCHEMA};
    pub use crate::sdk::config::{Config, ConfigDef, ConfigMap, Key};
    pub use crate::sdk::config_provider::{ConfigProvider, ConfigValues};
    pub use crate::sdk::connector::{
        ConnectorDescription, SinkConnector, SinkTask, SourceConnector, SourceTask,
    };
    pub use crate::sdk::context::{ConnectorContext, TaskContext};
    pub use crate::sdk::convert::{Converter, HeaderConverter};
    pub use crate::sdk::error::ConnectError;
    pub use crate::sdk::plugin::PluginDescription;
    pub use crate::sdk::source_record::SourceRecord;
    pub use crate::sdk::transform::{Predicate, Transformation};
}
