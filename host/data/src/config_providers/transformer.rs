//! Kafka's `org.apache.kafka.common.config.ConfigTransformer`: replaces the references
//! `${provider:path:key}` and `${provider:key}` (path empty) in config values by what the named
//! providers return.
//!
//! Kafka's steps, kept here: every reference of every value is collected first (Java's pattern
//! [`DEFAULT_PATTERN`], found left to right without overlap), the keys are grouped by provider
//! and path, and each configured provider is asked once per path for all its keys; then each
//! reference is replaced by its value. A reference stays as written when its provider is not
//! configured or did not return the key. Replacement is one pass: a value that itself looks like
//! a reference is not resolved again. TTLs are kept per path (only those `>= 0`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, LazyLock};

use regex::{Captures, Regex};

use super::provider::{ConfigData, ConfigProvider, ProviderError};

/// Java's `ConfigTransformer.DEFAULT_PATTERN`: group 1 the provider, group 3 the optional path,
/// group 4 the key. The `regex` crate's leftmost-first semantics give the same groups as Java
/// for it (`[^}]` also matches line breaks in both).
pub const DEFAULT_PATTERN: &str = r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}";

static PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(DEFAULT_PATTERN).expect("Kafka's pattern compiles"));

/// Whether `value` holds a reference (Kafka's `keysWithVariableValues` test, `find()`):
/// such a value is what a task config keeps instead of what it resolves to.
pub fn contains_reference(value: &str) -> bool {
    PATTERN.is_match(value)
}

/// The references in `value`, each as written with its provider name, left to right.
pub fn references(value: &str) -> Vec<(&str, &str)> {
    PATTERN
        .captures_iter(value)
        .map(|caps| {
            let whole = caps.get(0).map_or("", |m| m.as_str());
            (whole, Reference::of(&caps).provider)
        })
        .collect()
}

/// One `${provider:[path:]key}` found in a value.
struct Reference<'a> {
    provider: &'a str,
    path: &'a str,
    key: &'a str,
}

impl<'a> Reference<'a> {
    fn of(caps: &Captures<'a>) -> Reference<'a> {
        let group = |i| caps.get(i).map_or("", |m| m.as_str());
        Reference {
            provider: group(1),
            path: group(3),
            key: group(4),
        }
    }
}

/// The providers by name, as configured on the worker (`config.providers`).
#[derive(Clone, Default)]
pub struct ConfigTransformer {
    providers: BTreeMap<String, Arc<dyn ConfigProvider>>,
}

impl ConfigTransformer {
    /// A transformer over these providers.
    pub fn new(providers: BTreeMap<String, Arc<dyn ConfigProvider>>) -> Self {
        ConfigTransformer { providers }
    }

    /// The configured provider names.
    pub fn provider_names(&self) -> impl Iterator<Item = &str> {
        self.providers.keys().map(String::as_str)
    }

    /// The provider configured under `name`.
    pub fn provider(&self, name: &str) -> Option<&Arc<dyn ConfigProvider>> {
        self.providers.get(name)
    }

    /// Java's `transform(configs)`: every value with its references replaced, and the TTLs by
    /// path. The first provider failure ends it (as Java's exception does), naming the
    /// provider and the path; providers are asked in name order, then path order.
    pub fn transform(
        &self,
        configs: &BTreeMap<String, String>,
    ) -> Result<ConfigTransformerResult, ConfigTransformError> {
        let mut wanted: BTreeMap<&str, BTreeMap<&str, BTreeSet<String>>> = BTreeMap::new();
        for value in configs.values() {
            for caps in PATTERN.captures_iter(value) {
                let r = Reference::of(&caps);
                wanted
                    .entry(r.provider)
                    .or_default()
                    .entry(r.path)
                    .or_default()
                    .insert(r.key.to_owned());
            }
        }

        let mut lookups: BTreeMap<&str, BTreeMap<&str, ConfigData>> = BTreeMap::new();
        let mut ttls: BTreeMap<String, i64> = BTreeMap::new();
        for (name, by_path) in wanted {
            let Some(provider) = self.providers.get(name) else {
                continue;
            };
            for (path, keys) in by_path {
                let data = provider
                    .get(path, &keys)
                    .map_err(|error| ConfigTransformError {
                        provider: name.to_owned(),
                        path: path.to_owned(),
                        error,
                    })?;
                if let Some(ttl) = data.ttl().filter(|ttl| *ttl >= 0) {
                    ttls.entry(path.to_owned())
                        .and_modify(|kept| *kept = (*kept).min(ttl))
                        .or_insert(ttl);
                }
                lookups.entry(name).or_default().insert(path, data);
            }
        }

        let data = configs
            .iter()
            .map(|(key, value)| {
                let replaced = PATTERN.replace_all(value, |caps: &Captures<'_>| {
                    let r = Reference::of(caps);
                    lookups
                        .get(r.provider)
                        .and_then(|by_path| by_path.get(r.path))
                        .and_then(|data| data.data().get(r.key))
                        .map_or_else(|| caps[0].to_owned(), Clone::clone)
                });
                (key.clone(), replaced.into_owned())
            })
            .collect();
        Ok(ConfigTransformerResult { data, ttls })
    }
}

/// The provider names only.
impl fmt::Debug for ConfigTransformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigTransformer")
            .field("providers", &self.providers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Kafka's `ConfigTransformerResult`: the transformed configs (they hold resolved secrets:
/// `Debug` shows the keys only) and the TTL in milliseconds of the data read at each path.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigTransformerResult {
    data: BTreeMap<String, String>,
    ttls: BTreeMap<String, i64>,
}

impl ConfigTransformerResult {
    /// Every config, references replaced where a value was found.
    pub fn data(&self) -> &BTreeMap<String, String> {
        &self.data
    }

    /// TTLs by path (the smallest when several providers gave one for the same path).
    pub fn ttls(&self) -> &BTreeMap<String, i64> {
        &self.ttls
    }

    /// The configs and the TTLs, taken out.
    pub fn into_parts(self) -> (BTreeMap<String, String>, BTreeMap<String, i64>) {
        (self.data, self.ttls)
    }
}

impl fmt::Debug for ConfigTransformerResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigTransformerResult")
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .field("ttls", &self.ttls)
            .finish()
    }
}

/// A provider failed while the configs were transformed. `Display` is Kafka's message (the
/// provider's exception, which Java lets through unchanged); the provider's name and the path
/// asked for are kept beside it. It holds no resolved value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct ConfigTransformError {
    provider: String,
    path: String,
    error: ProviderError,
}

impl ConfigTransformError {
    /// The name the provider is configured under (`config.providers`).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The path it was asked for (empty for `${provider:key}`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The provider's error: Kafka's exception class and message.
    pub fn error(&self) -> &ProviderError {
        &self.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const TEST_PATH: &str = "testPath";

    /// Kafka's `ConfigTransformerTest.TestConfigProvider`.
    struct TestConfigProvider;

    impl ConfigProvider for TestConfigProvider {
        fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
            let mut data = BTreeMap::new();
            let mut ttl = None;
            let mut put = |k: &str, v: &str| {
                if keys.contains(k) {
                    data.insert(k.to_owned(), v.to_owned());
                    true
                } else {
                    false
                }
            };
            if path == TEST_PATH {
                put("testKey", "testResult");
                if put("testKeyWithTTL", "testResultWithTTL") {
                    ttl = Some(1);
                }
                put("testIndirection", "${test:testPath:testResult}");
            } else {
                put("testKey", "testResultNoPath");
            }
            Ok(ConfigData::with_ttl(data, ttl))
        }

        fn get_all(&self, _path: &str) -> Result<ConfigData, ProviderError> {
            unreachable!("the transformer asks for keys")
        }
    }

    fn kafka_transformer() -> ConfigTransformer {
        ConfigTransformer::new(BTreeMap::from([(
            "test".to_string(),
            Arc::new(TestConfigProvider) as Arc<dyn ConfigProvider>,
        )]))
    }

    fn one(value: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("myKey".to_string(), value.to_string())])
    }

    fn transform_one(t: &ConfigTransformer, value: &str) -> (String, BTreeMap<String, i64>) {
        let (mut data, ttls) = t.transform(&one(value)).unwrap().into_parts();
        (data.remove("myKey").unwrap(), ttls)
    }

    #[test]
    fn replace_variable() {
        let (v, ttls) = transform_one(&kafka_transformer(), "${test:testPath:testKey}");
        assert_eq!(v, "testResult");
        assert!(ttls.is_empty());
    }

    #[test]
    fn replace_variable_with_ttl() {
        let (v, ttls) = transform_one(&kafka_transformer(), "${test:testPath:testKeyWithTTL}");
        assert_eq!(v, "testResultWithTTL");
        assert_eq!(ttls, BTreeMap::from([(TEST_PATH.to_string(), 1)]));
    }

    #[test]
    fn replace_multiple_variables_in_value() {
        let (v, _) = transform_one(
            &kafka_transformer(),
            "hello, ${test:testPath:testKey}; goodbye, ${test:testPath:testKeyWithTTL}!!!",
        );
        assert_eq!(v, "hello, testResult; goodbye, testResultWithTTL!!!");
    }

    #[test]
    fn no_replacement() {
        let (v, _) = transform_one(&kafka_transformer(), "${test:testPath:missingKey}");
        assert_eq!(v, "${test:testPath:missingKey}");
    }

    #[test]
    fn single_level_of_indirection() {
        let (v, _) = transform_one(&kafka_transformer(), "${test:testPath:testIndirection}");
        assert_eq!(v, "${test:testPath:testResult}");
    }

    #[test]
    fn replace_variable_no_path() {
        let (v, ttls) = transform_one(&kafka_transformer(), "${test:testKey}");
        assert_eq!(v, "testResultNoPath");
        assert!(ttls.is_empty());
    }

    #[test]
    fn replace_multiple_variables_without_path_in_value() {
        let (v, _) = transform_one(
            &kafka_transformer(),
            "first ${test:testKey}; second ${test:testKey}",
        );
        assert_eq!(v, "first testResultNoPath; second testResultNoPath");
    }

    #[test]
    fn values_without_references_and_other_keys_are_kept() {
        let configs = BTreeMap::from([
            ("a".to_string(), "plain".to_string()),
            ("b".to_string(), "${test:testKey}".to_string()),
            ("c".to_string(), String::new()),
        ]);
        let result = kafka_transformer().transform(&configs).unwrap();
        assert_eq!(
            result.data(),
            &BTreeMap::from([
                ("a".to_string(), "plain".to_string()),
                ("b".to_string(), "testResultNoPath".to_string()),
                ("c".to_string(), String::new()),
            ])
        );
    }

    /// Answers `<path|key>` for every key not starting with `missing`, records each call, and
    /// gives a TTL for paths starting with `ttl` (their length) and -5 for the path `neg`.
    #[derive(Default)]
    struct Echo {
        calls: Mutex<Vec<(String, Vec<String>)>>,
    }

    impl ConfigProvider for Echo {
        fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
            self.calls
                .lock()
                .unwrap()
                .push((path.to_owned(), keys.iter().cloned().collect()));
            let data = keys
                .iter()
                .filter(|k| !k.starts_with("missing"))
                .map(|k| (k.clone(), format!("<{path}|{k}>")))
                .collect();
            let ttl = if path.starts_with("ttl") {
                Some(path.len() as i64)
            } else if path == "neg" {
                Some(-5)
            } else {
                None
            };
            Ok(ConfigData::with_ttl(data, ttl))
        }

        fn get_all(&self, _path: &str) -> Result<ConfigData, ProviderError> {
            unreachable!("the transformer asks for keys")
        }
    }

    /// Each case as Kafka 4.3.1's `ConfigTransformer` did it (Java 17) with the same provider
    /// registered as `e`: the value, the `get` calls, the result, the TTLs.
    #[test]
    fn pattern_edge_cases_match_kafka() {
        type Call = (&'static str, &'static [&'static str]);
        type Case = (
            &'static str,
            &'static [Call],
            &'static str,
            &'static [(&'static str, i64)],
        );
        let cases: &[Case] = &[
            ("${e:a:b:c}", &[("a", &["b:c"])], "<a|b:c>", &[]),
            ("${e:}", &[("", &[""])], "<|>", &[]),
            ("${:k}", &[], "${:k}", &[]),
            ("${e:p:}", &[("p", &[""])], "<p|>", &[]),
            ("$${e:k}", &[("", &["k"])], "$<|k>", &[]),
            ("${e:k}}", &[("", &["k"])], "<|k>}", &[]),
            ("${${e:k}}", &[], "${${e:k}}", &[]),
            ("${e:a}b}", &[("", &["a"])], "<|a>b}", &[]),
            ("${e:p:k", &[], "${e:p:k", &[]),
            ("${e:a\nb:c}", &[("a\nb", &["c"])], "<a\nb|c>", &[]),
            ("${nope:x} ${e:k}", &[("", &["k"])], "${nope:x} <|k>", &[]),
            (
                "${e:missing} ${e:k}",
                &[("", &["k", "missing"])],
                "${e:missing} <|k>",
                &[],
            ),
            (
                "${e:p:k}${e:p:k2}${e:q:k}",
                &[("p", &["k", "k2"]), ("q", &["k"])],
                "<p|k><p|k2><q|k>",
                &[],
            ),
            (
                "${e:ttlx:k} ${e:neg:k}",
                &[("neg", &["k"]), ("ttlx", &["k"])],
                "<ttlx|k> <neg|k>",
                &[("ttlx", 4)],
            ),
            ("${e::k}", &[("", &["k"])], "<|k>", &[]),
            ("${ e : p : k }", &[], "${ e : p : k }", &[]),
            ("${e:p:k:}", &[("p", &["k:"])], "<p|k:>", &[]),
            ("x${e:k", &[], "x${e:k", &[]),
            ("${e:{a}:b}", &[("", &["{a"])], "<|{a>:b}", &[]),
            ("${E:k}", &[], "${E:k}", &[]),
        ];
        for (value, calls, expected, ttls) in cases {
            let echo = Arc::new(Echo::default());
            let t = ConfigTransformer::new(BTreeMap::from([(
                "e".to_string(),
                echo.clone() as Arc<dyn ConfigProvider>,
            )]));
            let (v, got_ttls) = transform_one(&t, value);
            assert_eq!(&v, expected, "{value:?}");
            let got_calls = echo.calls.lock().unwrap().clone();
            let want_calls: Vec<(String, Vec<String>)> = calls
                .iter()
                .map(|(p, ks)| (p.to_string(), ks.iter().map(|k| k.to_string()).collect()))
                .collect();
            assert_eq!(got_calls, want_calls, "{value:?}");
            let want_ttls: BTreeMap<String, i64> =
                ttls.iter().map(|(p, t)| (p.to_string(), *t)).collect();
            assert_eq!(got_ttls, want_ttls, "{value:?}");
        }
    }

    #[test]
    fn one_call_per_provider_and_path_across_all_values() {
        let echo = Arc::new(Echo::default());
        let other = Arc::new(Echo::default());
        let t = ConfigTransformer::new(BTreeMap::from([
            ("e".to_string(), echo.clone() as Arc<dyn ConfigProvider>),
            ("o".to_string(), other.clone() as Arc<dyn ConfigProvider>),
        ]));
        let configs = BTreeMap::from([
            ("a".to_string(), "${e:p:k1} ${o:p:k1}".to_string()),
            ("b".to_string(), "${e:p:k2}-${e:p:k1}".to_string()),
            ("c".to_string(), "${e:k3}".to_string()),
        ]);
        let result = t.transform(&configs).unwrap();
        assert_eq!(result.data()["a"], "<p|k1> <p|k1>");
        assert_eq!(result.data()["b"], "<p|k2>-<p|k1>");
        assert_eq!(result.data()["c"], "<|k3>");
        assert_eq!(
            *echo.calls.lock().unwrap(),
            vec![
                (String::new(), vec!["k3".to_string()]),
                ("p".to_string(), vec!["k1".to_string(), "k2".to_string()]),
            ]
        );
        assert_eq!(
            *other.calls.lock().unwrap(),
            vec![("p".to_string(), vec!["k1".to_string()])]
        );
    }

    #[test]
    fn smallest_ttl_per_path_across_providers() {
        struct Ttl(i64);
        impl ConfigProvider for Ttl {
            fn get(&self, _: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
                let data = keys.iter().map(|k| (k.clone(), "v".to_string())).collect();
                Ok(ConfigData::with_ttl(data, Some(self.0)))
            }
            fn get_all(&self, _: &str) -> Result<ConfigData, ProviderError> {
                unreachable!()
            }
        }
        let t = ConfigTransformer::new(BTreeMap::from([
            (
                "a".to_string(),
                Arc::new(Ttl(500)) as Arc<dyn ConfigProvider>,
            ),
            (
                "b".to_string(),
                Arc::new(Ttl(70)) as Arc<dyn ConfigProvider>,
            ),
            (
                "c".to_string(),
                Arc::new(Ttl(900)) as Arc<dyn ConfigProvider>,
            ),
        ]));
        let configs = one("${a:p:k} ${b:p:k} ${c:p:k} ${c:q:k}");
        let result = t.transform(&configs).unwrap();
        assert_eq!(
            result.ttls(),
            &BTreeMap::from([("p".to_string(), 70), ("q".to_string(), 900)])
        );
    }

    #[test]
    fn no_providers_leaves_everything_unchanged() {
        let configs = one("${file:/x:y} and ${env:HOME}");
        let result = ConfigTransformer::default().transform(&configs).unwrap();
        assert_eq!(result.data(), &configs);
        assert!(result.ttls().is_empty());
    }

    struct Failing;

    impl ConfigProvider for Failing {
        fn get(&self, path: &str, _: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
            Err(ProviderError::config(format!(
                "Could not read properties from file {path}"
            )))
        }
        fn get_all(&self, _: &str) -> Result<ConfigData, ProviderError> {
            unreachable!()
        }
    }

    #[test]
    fn provider_failure_names_provider_and_path_and_no_resolved_value() {
        // `file` is asked (and answers) before `vault` fails.
        let t = ConfigTransformer::new(BTreeMap::from([
            (
                "file".to_string(),
                Arc::new(TestConfigProvider) as Arc<dyn ConfigProvider>,
            ),
            (
                "vault".to_string(),
                Arc::new(Failing) as Arc<dyn ConfigProvider>,
            ),
        ]));
        let configs = BTreeMap::from([
            ("ok".to_string(), "${file:testPath:testKey}".to_string()),
            (
                "broken".to_string(),
                "${vault:/etc/secrets.properties:pw}".to_string(),
            ),
        ]);
        let e = t.transform(&configs).unwrap_err();
        assert_eq!(e.provider(), "vault");
        assert_eq!(e.path(), "/etc/secrets.properties");
        assert_eq!(
            e.to_string(),
            "Could not read properties from file /etc/secrets.properties"
        );
        assert_eq!(
            e.error().java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
        assert!(!format!("{e:?}").contains("testResult"));
    }

    #[test]
    fn debug_of_the_result_shows_no_resolved_value() {
        let result = kafka_transformer()
            .transform(&one("${test:testPath:testKeyWithTTL}"))
            .unwrap();
        let shown = format!("{result:?}");
        assert!(shown.contains("myKey"), "{shown}");
        assert!(!shown.contains("testResultWithTTL"), "{shown}");
        assert_eq!(
            format!("{:?}", kafka_transformer()),
            "ConfigTransformer { providers: [\"test\"] }"
        );
    }
}
