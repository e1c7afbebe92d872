//! Raw strings (files, environment) → typed configuration. This layer reads and checks; it
//! opens no connections and loads no plugins (it may use nothing to its right: plugins,
//! runtime, storage, rest).
//!
//! - [`properties`], [`file`](mod@file): `.properties` / YAML / JSON files → flat string
//!   maps; connector files in both the flat and the `{"name":..,"config":{..}}` shape.
//! - [`env`](mod@env): `CONNECT_*` variables → worker properties, the `cp-kafka-connect` way.
//! - [`worker`]: [`WorkerConfig`], the worker's typed settings for either [`Mode`].
//! - [`connector`]: [`ConnectorConfig`], the framework keys of a connector config, with
//!   per-key errors in Kafka Connect's wording; [`connector_defs`] describes those keys as
//!   [`ConfigKeyInfo`] for the REST API.
//! - [`cors`]: cross-origin settings of the REST API.
//! - [`response_headers`]: `response.http.headers.config` rules.
//! - [`key_support`]: what this host does with every key Kafka Connect defines, implemented
//!   (and the test that shows it) or refused with "not supported yet".
//!
//! Every failure is a [`ConfigError`] (or, for connector configs, a `(key, message)` list)
//! that names the key or file, the problem and the fix.

pub mod config_key;
pub mod connector;
pub mod connector_defs;
pub mod cors;
pub mod env;
mod error;
pub mod file;
pub mod inter_worker;
pub mod jaas;
pub mod kafka_client;
pub mod kafka_security;
pub mod key_support;
pub mod listener;
pub mod properties;
pub mod response_headers;
pub mod rest_tls;
pub mod worker;
mod worker_keys;

// Value parsing and suggestions live in connect-data, which the converters share.
pub(crate) use connect_data::{config_value as value, suggest};

pub use config_key::{ConfigKeyInfo, ConfigType, Importance, Width};
pub use connector::{
    ConnectorConfig, ConnectorKind, DeadLetterQueue, ErrorHandling, ErrorTolerance, KeyErrors,
    PredicateConfig, ReloadAction, RetryTimeout, TransformConfig,
};
pub use connector_defs::{alias_config_defs, framework_config_defs};
pub use env::properties_from_env;
pub use error::ConfigError;
pub use file::{FileFormat, load_connector_file, load_file};
pub use inter_worker::InterWorkerConfig;
pub use listener::{Listener, Scheme};
pub use properties::parse_properties;
pub use worker::{
    BASIC_AUTH_EXTENSION, ConnectProtocol, ConverterSetting, DistributedConfig, InternalTopic,
    Mode, OverridePolicy, RestConfig, WorkerConfig,
};
