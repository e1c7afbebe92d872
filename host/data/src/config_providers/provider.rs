//! What a config provider is (Kafka's `org.apache.kafka.common.config.provider.ConfigProvider`),
//! what it returns (`ConfigData`) and how it fails.
//!
//! Resolved values are secrets: [`ConfigData`]'s `Debug` shows its keys and TTL only, and no
//! error type here carries a value, only Kafka's message (which names paths, files and keys).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A provider of configuration data, configured once from its `param.*` settings (Java's
/// `configure`) and then asked for values by the worker's config transformer, possibly from
/// several threads at once (Java requires implementations to be thread-safe; so does `Sync`).
/// Dropping it is Java's `close`. Subscriptions (`subscribe`/`unsubscribe`) are not part of it:
/// Kafka's `ConfigTransformer` never uses them and no built-in provider supports them.
pub trait ConfigProvider: Send + Sync {
    /// Java's `get(path, keys)`: the values of `keys` at `path`. A key the provider does not
    /// have is absent from the answer (the reference is then left as written). An empty `path`
    /// is Java's empty or `null` path: the three built-ins treat both alike.
    fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError>;

    /// Java's `get(path)`: every value at `path`.
    fn get_all(&self, path: &str) -> Result<ConfigData, ProviderError>;
}

/// Kafka's `ConfigData`: values by key, and the time-to-live of the data in milliseconds when
/// the provider gives one (the worker then restarts a connector using it after that time, if
/// the connector's `config.action.reload` is `restart`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConfigData {
    data: BTreeMap<String, String>,
    ttl: Option<i64>,
}

impl ConfigData {
    /// Data without a TTL.
    pub fn new(data: BTreeMap<String, String>) -> Self {
        ConfigData { data, ttl: None }
    }

    /// Data with a TTL in milliseconds (`None`: Java's `null`, no TTL).
    pub fn with_ttl(data: BTreeMap<String, String>, ttl: Option<i64>) -> Self {
        ConfigData { data, ttl }
    }

    /// The values by key.
    pub fn data(&self) -> &BTreeMap<String, String> {
        &self.data
    }

    /// The TTL in milliseconds, if any.
    pub fn ttl(&self) -> Option<i64> {
        self.ttl
    }

    /// The values by key, taken out.
    pub fn into_data(self) -> BTreeMap<String, String> {
        self.data
    }
}

/// Keys and TTL only: the values are secrets.
impl fmt::Debug for ConfigData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigData")
            .field("keys", &self.data.keys().collect::<BTreeSet<_>>())
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// Why a provider could not be configured or could not answer: the Java exception Kafka throws
/// there (its class, for a Java-like stack trace line, and its message, word for word). The
/// message never holds a resolved value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    java_class: String,
    message: String,
}

impl ProviderError {
    /// `org.apache.kafka.common.config.ConfigException`, Kafka's usual failure.
    pub fn config(message: impl Into<String>) -> Self {
        Self::java("org.apache.kafka.common.config.ConfigException", message)
    }

    /// `java.lang.IllegalArgumentException` (a malformed `\uxxxx` in a properties file).
    pub fn illegal_argument(message: impl Into<String>) -> Self {
        Self::java("java.lang.IllegalArgumentException", message)
    }

    /// `java.nio.file.InvalidPathException` (a path with a NUL character).
    pub fn invalid_path(message: impl Into<String>) -> Self {
        Self::java("java.nio.file.InvalidPathException", message)
    }

    /// `java.util.regex.PatternSyntaxException` (a bad `allowlist.pattern`).
    pub fn pattern_syntax(message: impl Into<String>) -> Self {
        Self::java("java.util.regex.PatternSyntaxException", message)
    }

    /// Any other exception class, e.g. for a provider from a plugin.
    pub fn java(java_class: impl Into<String>, message: impl Into<String>) -> Self {
        ProviderError {
            java_class: java_class.into(),
            message: message.into(),
        }
    }

    /// The Java exception's fully qualified class name.
    pub fn java_class(&self) -> &str {
        &self.java_class
    }

    /// Kafka's message (also the `Display` text).
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_keys_and_ttl_but_no_value() {
        let data = ConfigData::with_ttl(
            BTreeMap::from([("password".to_string(), "hunter2".to_string())]),
            Some(5),
        );
        let shown = format!("{data:?}");
        assert!(shown.contains("password"), "{shown}");
        assert!(shown.contains("Some(5)"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn error_displays_kafka_message_and_keeps_the_class() {
        let e = ProviderError::config("Could not read properties from file /x");
        assert_eq!(e.to_string(), "Could not read properties from file /x");
        assert_eq!(
            e.java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
        assert_eq!(
            ProviderError::illegal_argument("m").java_class(),
            "java.lang.IllegalArgumentException"
        );
    }
}
