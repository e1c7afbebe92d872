//! Config provider references in connector and task configs, as Kafka's
//! `WorkerConfigTransformer` and `AbstractHerder.reverseTransform` treat them.
//!
//! A config is stored (config topic, `GET …/config`, `GET …/tasks`) as the user wrote it;
//! `${provider:path:key}` is resolved only when it is used: when a connector or task instance
//! starts, and when a config is validated. The task configs a connector returns are computed
//! from resolved values, so before they are stored every key whose connector value holds a
//! reference gets that reference back, and no secret reaches the config topic. Resolved values
//! are never logged: errors name the provider and the path, not a value.

use std::{collections::BTreeMap, time::Duration};

use connect_data::config_providers::{ConfigTransformer, contains_reference, references};

use super::stores::ConfigMap;

/// A config with its references replaced, and how long the values read stay valid.
pub struct Resolved {
    /// The config to run with (holds secrets: never log it).
    pub config: ConfigMap,
    /// The shortest TTL a provider gave, if any (`config.action.reload=restart` restarts the
    /// connector after it).
    pub ttl: Option<Duration>,
    /// References to a configured provider that gave no value (a missing key, a path outside
    /// `allowed.paths`): as in Kafka they stay as written; the caller warns, by key.
    pub unresolved: Vec<(String, String)>,
}

/// `raw` with every reference resolved by the worker's providers, or why not (naming the
/// provider, the path and what to fix).
pub fn resolve(transformer: &ConfigTransformer, raw: &ConfigMap) -> Result<Resolved, String> {
    if !raw.values().any(|v| contains_reference(v)) {
        return Ok(Resolved {
            config: raw.clone(),
            ttl: None,
            unresolved: Vec::new(),
        });
    }
    let result = transformer.transform(raw).map_err(|e| {
        format!(
            "config provider '{}' could not resolve path '{}': {e} (fix the provider's source or the reference, then restart)",
            e.provider(),
            e.path()
        )
    })?;
    let (config, ttls) = result.into_parts();
    let ttl = ttls
        .values()
        .min()
        .map(|ms| Duration::from_millis((*ms).max(0) as u64));
    let configured: Vec<&str> = transformer.provider_names().collect();
    let unresolved = config
        .iter()
        .filter(|(key, _)| raw.get(*key).is_some_and(|v| contains_reference(v)))
        .flat_map(|(key, value)| {
            references(value)
                .into_iter()
                .filter(|(_, provider)| configured.contains(provider))
                .map(|(reference, _)| (key.clone(), reference.to_owned()))
        })
        .collect();
    Ok(Resolved {
        config,
        ttl,
        unresolved,
    })
}

/// Says at WARN, for `connector`, each reference of `resolved` that stayed as written.
pub fn warn_unresolved(connector: &str, resolved: &Resolved) {
    for (key, reference) in &resolved.unresolved {
        tracing::warn!(connector = %connector, key = %key,
            "{reference} was not resolved: its provider returned no value for it (a missing key or file, or a path outside the provider's allowed.paths), so `{key}` holds the reference as text, as in Kafka Connect; fix the reference or the provider's source");
    }
}

/// Kafka's `reverseTransform`: in each task config, a key whose value in the raw connector
/// config holds a reference gets that raw value back.
pub fn reverse_transform(raw_connector: &ConfigMap, task_configs: &mut [ConfigMap]) {
    let with_references: BTreeMap<&String, &String> = raw_connector
        .iter()
        .filter(|(_, v)| contains_reference(v))
        .collect();
    if with_references.is_empty() {
        return;
    }
    for config in task_configs {
        for (key, raw) in &with_references {
            if let Some(value) = config.get_mut(*key) {
                value.clone_from(raw);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{
        collections::{BTreeMap, BTreeSet},
        sync::Arc,
    };

    use connect_data::config_providers::{ConfigData, ConfigProvider, ProviderError};

    use super::*;

    struct Vault;
    impl ConfigProvider for Vault {
        fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
            if path == "missing" {
                return Err(ProviderError::config("no such path: missing"));
            }
            let data = keys
                .iter()
                .map(|k| (k.clone(), format!("secret-{k}")))
                .collect();
            Ok(ConfigData::with_ttl(data, Some(1500)))
        }
        fn get_all(&self, path: &str) -> Result<ConfigData, ProviderError> {
            self.get(path, &BTreeSet::new())
        }
    }

    fn transformer() -> ConfigTransformer {
        ConfigTransformer::new(BTreeMap::from([(
            "vault".to_string(),
            Arc::new(Vault) as Arc<dyn ConfigProvider>,
        )]))
    }

    fn map(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn resolves_references_and_keeps_the_shortest_ttl() {
        let raw = map(&[
            ("connection.password", "${vault:db:password}"),
            ("topics", "t"),
        ]);
        let r = resolve(&transformer(), &raw).unwrap();
        assert_eq!(r.config["connection.password"], "secret-password");
        assert_eq!(r.config["topics"], "t");
        assert_eq!(r.ttl, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn references_a_provider_leaves_unanswered_are_reported() {
        let raw = map(&[
            ("a", "${vault:db:password}"),
            ("b", "${other:x:y}"),
            ("c", "${vault:empty:k}"),
        ]);
        struct Empty;
        impl ConfigProvider for Empty {
            fn get(&self, _: &str, _: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
                Ok(ConfigData::default())
            }
            fn get_all(&self, _: &str) -> Result<ConfigData, ProviderError> {
                Ok(ConfigData::default())
            }
        }
        let t = ConfigTransformer::new(BTreeMap::from([(
            "vault".to_string(),
            Arc::new(Empty) as Arc<dyn ConfigProvider>,
        )]));
        let r = resolve(&t, &raw).unwrap();
        assert_eq!(
            r.unresolved,
            [
                ("a".to_string(), "${vault:db:password}".to_string()),
                ("c".to_string(), "${vault:empty:k}".to_string()),
            ],
            "an unknown provider's reference is plain text, as in Kafka"
        );
    }

    #[test]
    fn a_config_without_references_is_not_sent_to_providers() {
        let raw = map(&[("path", "missing")]);
        let r = resolve(&transformer(), &raw).unwrap();
        assert_eq!(r.config, raw);
        assert_eq!(r.ttl, None);
    }

    #[test]
    fn a_failure_names_provider_and_path_but_no_value() {
        let raw = map(&[("a", "${vault:missing:k}"), ("b", "${vault:db:password}")]);
        let why = resolve(&transformer(), &raw).err().unwrap();
        assert!(
            why.contains("'vault'") && why.contains("'missing'"),
            "{why}"
        );
        assert!(!why.contains("secret-"), "{why}");
    }

    #[test]
    fn task_configs_get_the_references_back() {
        let raw = map(&[
            ("connection.password", "${vault:db:password}"),
            ("url", "http://x"),
        ]);
        let mut tasks = vec![
            map(&[
                ("connection.password", "secret-password"),
                ("url", "http://x"),
            ]),
            map(&[("url", "http://x")]),
        ];
        reverse_transform(&raw, &mut tasks);
        assert_eq!(tasks[0]["connection.password"], "${vault:db:password}");
        assert_eq!(tasks[0]["url"], "http://x");
        assert!(
            !tasks[1].contains_key("connection.password"),
            "keys are put back, not added"
        );
    }
}
