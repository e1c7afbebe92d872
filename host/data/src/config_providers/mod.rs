//! Kafka's config providers (contract §2.6): values of connector (and worker) configs may hold
//! references `${provider:path:key}` or `${provider:key}`, which the worker resolves when it
//! uses the config, not when it stores it.
//!
//! - [`provider`]: the [`ConfigProvider`] trait, [`ConfigData`], [`ProviderError`].
//! - [`file`](mod@file), [`directory`], [`env`](mod@env): Kafka's `FileConfigProvider`,
//!   `DirectoryConfigProvider` and `EnvVarConfigProvider`; [`allowed_paths`] (their
//!   `allowed.paths`) and [`properties`] (`java.util.Properties.load`) serve them.
//! - [`transformer`]: Kafka's `ConfigTransformer`, which finds and replaces the references.
//! - [`registry`]: the providers of a worker config (`config.providers`,
//!   `config.providers.<name>.class`, `config.providers.<name>.param.<key>`).
//!
//! Resolved values are secrets: nothing here shows one in `Debug`, `Display` or an error.

pub mod allowed_paths;
pub mod directory;
pub mod env;
pub mod file;
pub mod properties;
pub mod provider;
pub mod registry;
pub mod transformer;

pub use directory::DirectoryConfigProvider;
pub use env::EnvVarConfigProvider;
pub use file::FileConfigProvider;
pub use provider::{ConfigData, ConfigProvider, ProviderError};
pub use registry::{
    builtin_class, new_builtin_provider, providers_from_worker_config,
    providers_from_worker_config_with, transformer_from_worker_config,
};
pub use transformer::{
    ConfigTransformError, ConfigTransformer, ConfigTransformerResult, contains_reference,
    references,
};
