//! Kafka's config providers (contract §2.6): values of connector (and worker) configs may hold
//! references `${provider:path:key}` or `${provider:key}`, which the worker resolves when it
//! uses the config, not when it stores it.
//!
//! - [`provider`]: the [`ConfigProvider`] trait, [`ConfigData`], [`ProviderError`].
//! - [`allowed_paths`] (Kafka's `allowed.paths`) and [`properties`]
//!   (`java.util.Properties.load`) serve the file and directory providers.
//!
//! Resolved values are secrets: nothing here shows one in `Debug`, `Display` or an error.

pub mod allowed_paths;
pub mod properties;
pub mod provider;

pub use provider::{ConfigData, ConfigProvider, ProviderError};
