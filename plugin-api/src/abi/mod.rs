//! Everything that crosses the boundary between the host and a plugin library, and nothing else.
//!
//! # How the ABI grows (the 2.x rule)
//!
//! A plugin built against 2.x loads in every 2.y host, older or newer; a 1.x or 3.x plugin is
//! refused with a reason. What each kind of item may do within 2.x:
//!
//! | Item | How it grows | What the older side does |
//! |---|---|---|
//! | root module [`root::ConnectPluginMod`], [`host::HostInfo`] (prefix types) | fields appended after the `last_prefix_field` of 2.0 | a reader asking for a field the writer lacks gets `None` (`missing_field(option)`) and behaves as 2.0 |
//! | `#[sabi_trait]` objects (factories, connectors, tasks, transformations, converters, providers, contexts, [`host::HostLink`]) | methods appended after the 2.0 `last_prefix_field` | the caller checks the callee's recorded version first ([`host::AbiVersion::supports`]): the host gates on the plugin's root-module version, the SDK on [`host::HostInfo::abi_version`]; a call the other side lacks is never made |
//! | data structs ([`types::RecordBatch`], [`types::SourceBatch`], [`error::PluginError`], [`plugin::PluginInfo`], [`config::ConfigKeyDef`], [`config::Validator`], [`config::ConfigValueReport`], [`transform::TransformedBatch`], [`convert::ConvertedColumn`], [`config_provider::ConfigData`]) | their layout is fixed; new fields go into the trailing [`ext::Extensions`] slot under a new [`ext::ExtensionId`] | unknown ids are ignored; `writer_minor` says which ids the writer knew |
//! | per-record structs ([`types::RecordMeta`], [`types::DataMeta`], [`types::HeaderMeta`], [`types::Span`], [`types::SourcePosition`], [`types::WrittenRecord`], [`types::TopicPartition`], [`types::TopicPartitionOffset`], [`types::ConfigEntry`], [`context::MetricLabel`]) | fixed forever (they are hot or trivial); a new per-record attribute is a column in the batch's `ext` | — |
//! | enumerations (`u8` newtypes: [`error::ErrorKind`], [`types::DataKind`], [`plugin::PluginKind`], [`context::MetricKind`], …) | new constants | an unknown value is refused or treated as the documented fallback, never undefined behaviour |
//! | [`host::Capabilities`] bits | new bits | a plugin that needs a bit lists it in `required_capabilities` and is refused by a host without it; otherwise it checks `HostInfo::capabilities` and degrades |
//!
//! Anything else (removing or reordering a field or method, changing a type, moving a
//! `last_prefix_field`) is a new major version. Only `abi_stable`'s `R*` types carry ownership
//! across (each frees with its own allocator).

pub mod config;
pub mod config_provider;
pub mod context;
pub mod convert;
pub mod error;
pub mod ext;
pub mod host;
pub mod plugin;
pub mod root;
pub mod task;
pub mod transform;
pub mod types;
