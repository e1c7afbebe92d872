//! The contract between the `connect` host and connector plugins, and the SDK to write them.
//!
//! - [`abi`]: everything that crosses the boundary, `abi_stable` types whose layout the host
//!   checks when it loads a library. This crate's Cargo version is the ABI version.
//! - [`batch`]: building and reading record batches (one arena, fixed-size metadata per record);
//!   batches cross the boundary, never single records.
//! - [`sdk`]: safe traits a plugin implements (connectors, [`sdk::transform`], [`sdk::convert`],
//!   [`sdk::config_provider`]) and the [`export_plugin!`] macro that exports them, with every call
//!   wrapped in `catch_unwind`.
//!
//! # Versions: how the ABI grows
//!
//! The ABI version is [`abi::host::ABI_VERSION`] (this crate's version, `2.0.0`). A plugin built
//! against any 2.x loads in any 2.y host; 1.x and 3.x plugins are refused with a reason. Within
//! 2.x, growth follows one rule per kind of item (the table in [`abi`] has the details):
//! - **adding a method** to a `#[sabi_trait]` object, or **a field** to the root module or
//!   [`abi::host::HostInfo`]: append it after the 2.0 `last_prefix_field` and note the minor that
//!   added it. The caller gates the call on the other side's recorded version
//!   ([`abi::host::AbiVersion::supports`]: the host on the plugin's root-module version, the SDK
//!   on the host's [`sdk::host::abi_version`]), so a call an older side lacks is never made; a
//!   missing prefix field reads as `None`;
//! - **adding a field to a data struct** (batches, errors, plugin info, config definitions,
//!   validation reports, converted columns, config data): its layout never changes; the field
//!   goes into its trailing [`abi::ext::Extensions`] slot under a new id, and an older reader
//!   ignores it;
//! - **a new host service a plugin cannot do without**: a new [`abi::host::Capabilities`] bit;
//!   the plugin lists it in `export_plugin!(required_capabilities: [...])` and an older host
//!   refuses the library at load, naming the missing bit; a plugin that can do without checks
//!   [`sdk::host::capabilities`] and degrades.
//!
//! Anything else (removing, reordering or retyping, moving a `last_prefix_field`) is 3.0.
//! `scripts/abi-compat.sh` proves the rule in CI: the pinned earlier 2.x commit's plugins run in
//! the current host, and a plugin built against the next minor (the `preview` feature) degrades
//! in this host, or is refused when it requires the newer capability.
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
#![deny(unsafe_code)]

// abi_stable's derive macros generate `Foo_Ref`/`Foo_TO` names and impls in nested scopes.
// There is no hand-written `unsafe` in this crate, but `#[sabi_trait]` expands to `unsafe impl`s
// and blocks that carry the trait's own spans, so `unsafe_code` is allowed in `abi` only (and
// the workspace lint table, which cannot make that exception, is not enabled for this crate).
#[allow(non_camel_case_types, non_local_definitions, unsafe_code)]
pub mod abi;
pub mod batch;
pub mod sdk;

/// `#[derive(ConnectConfig)]`: a `ConfigDef` and typed config from one struct (see
/// [`sdk::config::ConnectConfig`] and the `connect-plugin-derive` crate for the attributes).
pub use connect_plugin_derive::ConnectConfig;
pub use sdk::config::ConnectConfig;

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
    // Both the derive macro and the trait (two namespaces, one name).
    pub use crate::ConnectConfig;
    pub use crate::sdk::config::{Config, ConfigDef, ConfigMap, ConfigValue, Key, Password};
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
