//! The worker's config providers, built from its settings as Kafka's worker builds them:
//! `config.providers` (a `LIST` of names, without duplicates or empty names), then for each name
//! `config.providers.<name>.class` (a class name or an alias of it) and its parameters
//! `config.providers.<name>.param.<key>`, passed to the provider without the prefix. A name
//! without a `.class` setting gets no provider, as in Java: its references stay unresolved.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::directory::DirectoryConfigProvider;
use super::env::EnvVarConfigProvider;
use super::file::FileConfigProvider;
use super::provider::{ConfigProvider, ProviderError};
use super::transformer::ConfigTransformer;
use crate::transforms::config_checks::{check_non_duplicate_values, java_list as parse_list};

/// The worker setting listing the provider names.
pub const CONFIG_PROVIDERS_CONFIG: &str = "config.providers";

/// Kafka's three providers: class name, simple name, and simple name without
/// `ConfigProvider` (the aliases Connect's plugin scan gives them).
const BUILTINS: [(&str, &str, &str); 3] = [
    (FileConfigProvider::CLASS, "FileConfigProvider", "File"),
    (
        DirectoryConfigProvider::CLASS,
        "DirectoryConfigProvider",
        "Directory",
    ),
    (
        EnvVarConfigProvider::CLASS,
        "EnvVarConfigProvider",
        "EnvVar",
    ),
];

/// The class name of the built-in provider `class_or_alias` names, if any. Connect drops an
/// alias that two plugins share; the host must not offer a plugin provider under these aliases.
pub fn builtin_class(class_or_alias: &str) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(class, simple, pruned)| [*class, *simple, *pruned].contains(&class_or_alias))
        .map(|(class, _, _)| *class)
}

/// A configured built-in provider (Java's `newInstance` then `configure(params)`); `None` when
/// `class_or_alias` is not one of Kafka's three.
pub fn new_builtin_provider(
    class_or_alias: &str,
    params: &BTreeMap<String, String>,
) -> Option<Result<Arc<dyn ConfigProvider>, ProviderError>> {
    let provider: Result<Arc<dyn ConfigProvider>, ProviderError> =
        match builtin_class(class_or_alias)? {
            FileConfigProvider::CLASS => {
                FileConfigProvider::configure(params).map(|p| Arc::new(p) as _)
            }
            DirectoryConfigProvider::CLASS => {
                DirectoryConfigProvider::configure(params).map(|p| Arc::new(p) as _)
            }
            // The third built-in.
            _ => EnvVarConfigProvider::configure(params).map(|p| Arc::new(p) as _),
        };
    Some(provider)
}

/// The `config.providers.<name>.param.*` settings of provider `name`, prefix removed (a key
/// that is only the prefix is left out, as in Java's `originalsWithPrefix`).
pub fn provider_params(
    settings: &BTreeMap<String, String>,
    name: &str,
) -> BTreeMap<String, String> {
    let prefix = format!("{CONFIG_PROVIDERS_CONFIG}.{name}.param.");
    settings
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(&prefix)
                .filter(|rest| !rest.is_empty())
                .map(|rest| (rest.to_owned(), v.clone()))
        })
        .collect()
}

/// The providers of the worker settings `settings` (the whole worker config), by name: Kafka's
/// three only. See [`providers_from_worker_config_with`].
pub fn providers_from_worker_config(
    settings: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Arc<dyn ConfigProvider>>, ProviderError> {
    providers_from_worker_config_with(settings, |_, _| None)
}

/// The providers of the worker settings `settings`, by name, in Kafka's way. A class that is
/// not a built-in is offered to `other` (e.g. the host's plugin providers) with the provider's
/// parameters; when `other` answers `None` too, Kafka's message for a class it cannot load:
/// `Invalid value <class> for configuration config.providers.<name>.class: Could not load
/// config provider class or one of its dependencies`. A provider's own configuration error
/// (e.g. `Path /x does not exist` for `allowed.paths`) is returned as it is.
pub fn providers_from_worker_config_with(
    settings: &BTreeMap<String, String>,
    mut other: impl FnMut(
        &str,
        &BTreeMap<String, String>,
    ) -> Option<Result<Arc<dyn ConfigProvider>, ProviderError>>,
) -> Result<BTreeMap<String, Arc<dyn ConfigProvider>>, ProviderError> {
    let names = match settings.get(CONFIG_PROVIDERS_CONFIG) {
        Some(raw) => {
            let Ok(names) = parse_list(raw);
            names
        }
        None => Vec::new(),
    };
    check_non_duplicate_values(CONFIG_PROVIDERS_CONFIG, Some(&names), true)
        .map_err(ProviderError::config)?;
    let mut providers = BTreeMap::new();
    for name in names {
        let class_key = format!("{CONFIG_PROVIDERS_CONFIG}.{name}.class");
        let Some(class) = settings.get(&class_key) else {
            continue;
        };
        let params = provider_params(settings, &name);
        let provider = new_builtin_provider(class, &params)
            .or_else(|| other(class, &params))
            .unwrap_or_else(|| {
                tracing::error!("Could not load config provider class {class}");
                Err(ProviderError::config(format!(
                    "Invalid value {class} for configuration {class_key}: Could not load config provider class or one of its dependencies"
                )))
            })?;
        providers.insert(name, provider);
    }
    Ok(providers)
}

/// [`providers_from_worker_config`] as a [`ConfigTransformer`].
pub fn transformer_from_worker_config(
    settings: &BTreeMap<String, String>,
) -> Result<ConfigTransformer, ProviderError> {
    providers_from_worker_config(settings).map(ConfigTransformer::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn builds_the_listed_providers_with_their_params() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = dir.path().join("secrets.properties");
        std::fs::write(&secrets, "password=hunter2\n").unwrap();
        std::fs::write(dir.path().join("token"), "t0k3n").unwrap();
        let dir_text = dir.path().to_str().unwrap();
        let s = settings(&[
            ("config.providers", " file , dir,env"),
            (
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider",
            ),
            ("config.providers.file.param.allowed.paths", dir_text),
            ("config.providers.dir.class", "DirectoryConfigProvider"),
            ("config.providers.env.class", "EnvVar"),
            (
                "config.providers.env.param.allowlist.pattern",
                "NOTHING_MATCHES_THIS",
            ),
            ("config.providers.unlisted.class", "File"),
        ]);
        let t = transformer_from_worker_config(&s).unwrap();
        assert_eq!(
            t.provider_names().collect::<Vec<_>>(),
            ["dir", "env", "file"]
        );
        let configs = settings(&[
            ("a", &format!("${{file:{}:password}}", secrets.display())),
            ("b", &format!("${{dir:{dir_text}:token}}")),
            ("c", "${env:PATH}"),
            ("d", "${unlisted:/x:y}"),
        ]);
        let result = t.transform(&configs).unwrap();
        assert_eq!(result.data()["a"], "hunter2");
        assert_eq!(result.data()["b"], "t0k3n");
        // allowlist.pattern reached the env provider: PATH is not served.
        assert_eq!(result.data()["c"], "${env:PATH}");
        assert_eq!(result.data()["d"], "${unlisted:/x:y}");
    }

    #[test]
    fn params_are_passed_without_prefix() {
        let s = settings(&[
            ("config.providers.a.param.allowed.paths", "/tmp"),
            ("config.providers.a.param.", "ignored"),
            ("config.providers.a.class", "File"),
            ("config.providers.ab.param.x", "other provider"),
        ]);
        assert_eq!(
            provider_params(&s, "a"),
            settings(&[("allowed.paths", "/tmp")])
        );
    }

    #[test]
    fn no_providers_and_a_name_without_class() {
        assert!(
            providers_from_worker_config(&settings(&[]))
                .unwrap()
                .is_empty()
        );
        assert!(
            providers_from_worker_config(&settings(&[("config.providers", "")]))
                .unwrap()
                .is_empty()
        );
        assert!(
            providers_from_worker_config(&settings(&[("config.providers", "file")]))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn unknown_class_is_kafkas_config_exception_naming_it() {
        let s = settings(&[
            ("config.providers", "x"),
            ("config.providers.x.class", "com.example.Nope"),
        ]);
        let e = providers_from_worker_config(&s).err().unwrap();
        // As Kafka 4.3.1's worker config says it.
        assert_eq!(
            e.to_string(),
            "Invalid value com.example.Nope for configuration config.providers.x.class: Could not load config provider class or one of its dependencies"
        );
        assert_eq!(
            e.java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
        // The class name is not trimmed, as in Java.
        let s = settings(&[
            ("config.providers", "x"),
            ("config.providers.x.class", "File "),
        ]);
        assert!(providers_from_worker_config(&s).is_err());
    }

    #[test]
    fn other_classes_go_to_the_fallback() {
        struct Fixed;
        impl ConfigProvider for Fixed {
            fn get(
                &self,
                _: &str,
                keys: &BTreeSet<String>,
            ) -> Result<super::super::provider::ConfigData, ProviderError> {
                Ok(super::super::provider::ConfigData::new(
                    keys.iter()
                        .map(|k| (k.clone(), "fixed".to_string()))
                        .collect(),
                ))
            }
            fn get_all(
                &self,
                _: &str,
            ) -> Result<super::super::provider::ConfigData, ProviderError> {
                unreachable!()
            }
        }
        let s = settings(&[
            ("config.providers", "vault"),
            ("config.providers.vault.class", "com.example.Vault"),
            ("config.providers.vault.param.address", "https://vault"),
        ]);
        let mut seen = Vec::new();
        let providers = providers_from_worker_config_with(&s, |class, params| {
            seen.push((class.to_owned(), params.clone()));
            Some(Ok(Arc::new(Fixed) as Arc<dyn ConfigProvider>))
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![(
                "com.example.Vault".to_string(),
                settings(&[("address", "https://vault")])
            )]
        );
        let result = ConfigTransformer::new(providers)
            .transform(&settings(&[("k", "${vault:secret/x:pw}")]))
            .unwrap();
        assert_eq!(result.data()["k"], "fixed");
    }

    #[test]
    fn list_errors_are_kafkas() {
        let e = providers_from_worker_config(&settings(&[("config.providers", "a, a")]))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "Configuration 'config.providers' values must not be duplicated."
        );
        let e = providers_from_worker_config(&settings(&[("config.providers", "a,,b")]))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "Configuration 'config.providers' values must not be empty."
        );
    }

    #[test]
    fn provider_configuration_errors_pass_through() {
        let s = settings(&[
            ("config.providers", "file"),
            ("config.providers.file.class", "File"),
            (
                "config.providers.file.param.allowed.paths",
                "/nonexistent-7f3a",
            ),
        ]);
        let e = providers_from_worker_config(&s).err().unwrap();
        assert_eq!(e.to_string(), "Path /nonexistent-7f3a does not exist");
    }

    #[test]
    fn aliases_of_the_builtins() {
        for (alias, class) in [
            ("File", FileConfigProvider::CLASS),
            ("FileConfigProvider", FileConfigProvider::CLASS),
            ("Directory", DirectoryConfigProvider::CLASS),
            ("EnvVarConfigProvider", EnvVarConfigProvider::CLASS),
            (EnvVarConfigProvider::CLASS, EnvVarConfigProvider::CLASS),
        ] {
            assert_eq!(builtin_class(alias), Some(class), "{alias}");
        }
        assert_eq!(builtin_class("file"), None);
        assert_eq!(builtin_class("ConfigProvider"), None);
    }
}
