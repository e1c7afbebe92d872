//! Config provider classes from `plugin.path`, offered to the worker's config transformer as
//! [`ConfigProvider`]s beside Kafka's three built-ins (which always win their names and
//! aliases, as `registry::builtin_class` says).
//!
//! Every call into the plugin runs inside `catch_unwind` (the SDK catches its own panics; this
//! is the host's half of the rule that a panic never crosses). A provider instance lives as
//! long as the worker: `close` runs when the last transformer holding it is dropped.

use std::{
    collections::{BTreeMap, BTreeSet},
    panic::{AssertUnwindSafe, catch_unwind},
    sync::Arc,
};

use abi_stable::std_types::{RResult, RString};
use connect_data::config_providers::{ConfigData, ConfigProvider, ProviderError};
use connect_plugin_api::abi::{
    config_provider::ConfigProviderBox, error::PluginError, plugin::PluginKind, types::ConfigEntry,
};

use super::{PluginFactory, PluginRegistry};

/// The Java class name shown for a plugin provider's failure (a plugin is not Java: this is
/// the class Kafka's own providers fail with, so a trace reads the same).
const FAILURE_CLASS: &str = "org.apache.kafka.common.config.ConfigException";

/// A configured provider instance of a plugin library.
pub struct PluginConfigProvider {
    class: String,
    inner: ConfigProviderBox,
}

impl PluginConfigProvider {
    /// Java's `newInstance` and `configure(params)` for `class_or_alias`, if `registry` holds a
    /// config provider class of that name; `None` otherwise (the caller reports Kafka's
    /// "Could not load config provider class").
    pub fn create(
        registry: &PluginRegistry,
        class_or_alias: &str,
        params: &BTreeMap<String, String>,
    ) -> Option<Result<Arc<dyn ConfigProvider>, ProviderError>> {
        let plugin = registry.other(PluginKind::CONFIG_PROVIDER, class_or_alias)?;
        let PluginFactory::ConfigProvider(factory) = &plugin.factory else {
            return None;
        };
        let class = plugin.info.class.to_string();
        let entries: Vec<ConfigEntry> = params
            .iter()
            .map(|(k, v)| ConfigEntry {
                key: k.as_str().into(),
                value: v.as_str().into(),
            })
            .collect();
        let created = catch_unwind(AssertUnwindSafe(|| {
            factory.create(entries.as_slice().into())
        }));
        Some(match created {
            Ok(RResult::ROk(inner)) => Ok(Arc::new(PluginConfigProvider {
                class: class.clone(),
                inner,
            }) as Arc<dyn ConfigProvider>),
            Ok(RResult::RErr(e)) => Err(failure(&class, "configure", &e)),
            Err(_) => Err(panicked(&class, "configure")),
        })
    }

    fn call(&self, path: &str, keys: &[RString]) -> Result<ConfigData, ProviderError> {
        let answer = catch_unwind(AssertUnwindSafe(|| {
            self.inner.get(path.into(), keys.into())
        }));
        match answer {
            Ok(RResult::ROk(data)) => {
                let values: BTreeMap<String, String> = data
                    .data
                    .into_iter()
                    .map(|e| (e.key.into_string(), e.value.into_string()))
                    .collect();
                Ok(ConfigData::with_ttl(values, data.ttl_ms.into_option()))
            }
            Ok(RResult::RErr(e)) => Err(failure(&self.class, "get", &e)),
            Err(_) => Err(panicked(&self.class, "get")),
        }
    }
}

impl ConfigProvider for PluginConfigProvider {
    fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
        let keys: Vec<RString> = keys.iter().map(|k| k.as_str().into()).collect();
        self.call(path, &keys)
    }

    fn get_all(&self, path: &str) -> Result<ConfigData, ProviderError> {
        self.call(path, &[])
    }
}

impl Drop for PluginConfigProvider {
    fn drop(&mut self) {
        let closed = catch_unwind(AssertUnwindSafe(|| self.inner.close()));
        if let Ok(RResult::RErr(e)) = closed {
            tracing::warn!(class = %self.class, "config provider close failed: {}", e.message);
        }
    }
}

fn failure(class: &str, call: &str, e: &PluginError) -> ProviderError {
    // The plugin's message names the path or file; it must not hold a resolved value (the
    // plugin-api documents this for `ConfigProvider::get`).
    ProviderError::java(
        FAILURE_CLASS,
        format!("config provider {class} failed in {call}: {}", e.message),
    )
}

fn panicked(class: &str, call: &str) -> ProviderError {
    ProviderError::java(
        FAILURE_CLASS,
        format!(
            "config provider {class} panicked in {call} (the plugin has a bug; the worker stays up)"
        ),
    )
}

/// The worker's config transformer: the providers `config.providers` names in the worker
/// settings `settings`, Kafka's built-ins first, then the provider classes of `registry`.
/// Built once at start; connector and task configs are resolved with it when they start, and
/// the worker's own settings once, before they are typed.
pub fn worker_transformer(
    settings: &BTreeMap<String, String>,
    registry: &PluginRegistry,
) -> Result<connect_data::config_providers::ConfigTransformer, ProviderError> {
    connect_data::config_providers::providers_from_worker_config_with(settings, |class, params| {
        PluginConfigProvider::create(registry, class, params)
    })
    .map(connect_data::config_providers::ConfigTransformer::new)
}
