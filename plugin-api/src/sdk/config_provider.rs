//! The trait a config provider plugin implements (Kafka's `ConfigProvider`).
//!
//! Lifecycle: `configure` (with the keys under `config.providers.<name>.param.`) → `get` from any
//! host thread, possibly concurrently → `close`. The host resolves `${name:path:key}` through it
//! only if it has `Capabilities::CONFIG_PROVIDERS`.

use std::collections::BTreeMap;

use super::{config::Config, error::ConnectError, plugin::PluginDescription};

/// What [`ConfigProvider::get`] returns (Kafka's `ConfigData`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigValues {
    /// The values found; missing keys are simply absent.
    pub data: BTreeMap<String, String>,
    /// How long they stay valid (ms), if they expire.
    pub ttl_ms: Option<i64>,
}

/// A config provider.
pub trait ConfigProvider: PluginDescription + Send + Sync + Sized + 'static {
    /// Creates an instance.
    fn configure(config: Config) -> Result<Self, ConnectError>;

    /// The values of `keys` at `path` (all of them when `keys` is empty).
    fn get(&self, path: &str, keys: &[String]) -> Result<ConfigValues, ConnectError>;

    /// Releases resources.
    fn close(&self) -> Result<(), ConnectError> {
        Ok(())
    }
}
