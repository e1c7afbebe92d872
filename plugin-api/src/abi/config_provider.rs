//! Config providers (Kafka's `ConfigProvider`): resolve `${name:path:key}` references in worker
//! and connector configurations, so secrets never sit in a config topic as plain text.
//!
//! Lifecycle: the factory's `create(config)` is Kafka's `configure` (with the
//! `config.providers.<name>.param.` keys); `get` may then be called from any host thread,
//! concurrently; `close` is called once, last.

use abi_stable::{
    StableAbi, sabi_trait,
    std_types::{RBox, ROption, RResult, RSlice, RStr, RString, RVec},
};

use super::{
    config::ConfigKeyDef, error::PluginError, ext::Extensions, plugin::PluginInfo,
    types::ConfigEntry,
};

/// What a provider returns for one path (Kafka's `ConfigData`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigData {
    /// The values found; keys that do not exist are absent (not an error).
    pub data: RVec<ConfigEntry>,
    /// How long the values stay valid, in ms (`config.action.reload` restarts the connector
    /// after it); none means "until the next restart".
    pub ttl_ms: ROption<i64>,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

/// A provider instance.
#[sabi_trait]
pub trait ConfigProvider: Send + Sync {
    /// The values of `keys` at `path` (every key at `path` when `keys` is empty). A missing path
    /// is an error naming it.
    fn get(&self, path: RStr<'_>, keys: RSlice<'_, RString>) -> RResult<ConfigData, PluginError>;

    /// Releases resources; no call follows.
    #[sabi(last_prefix_field)]
    fn close(&self) -> RResult<(), PluginError>;
}

/// A provider object owned by the host.
pub type ConfigProviderBox = ConfigProvider_TO<'static, RBox<()>>;
/// A provider class object.
pub type ConfigProviderFactoryBox = ConfigProviderFactory_TO<'static, RBox<()>>;

/// One config provider class of a library.
#[sabi_trait]
pub trait ConfigProviderFactory: Send + Sync {
    /// Class name, version, kind `CONFIG_PROVIDER`, description.
    fn info(&self) -> PluginInfo;

    /// Its configuration keys (without the `config.providers.<name>.param.` prefix).
    fn config_def(&self) -> RVec<ConfigKeyDef>;

    /// Creates a configured instance.
    #[sabi(last_prefix_field)]
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<ConfigProviderBox, PluginError>;
}
