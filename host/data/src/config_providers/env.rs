//! `org.apache.kafka.common.config.provider.EnvVarConfigProvider` (KIP-887): a key is the name
//! of an environment variable of the worker process. The variables are read once, when the
//! provider is configured, and only those whose whole name matches `allowlist.pattern` (a Java
//! regular expression, default `.*`) are served. Paths are not supported: a non-empty path is
//! Kafka's `ConfigException`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::provider::{ConfigData, ConfigProvider, ProviderError};
use crate::transforms::java_regex::JavaPattern;

/// The setting restricting which variables are served.
pub const ALLOWLIST_PATTERN_CONFIG: &str = "allowlist.pattern";

/// A configured `EnvVarConfigProvider`.
pub struct EnvVarConfigProvider {
    pattern: String,
    variables: BTreeMap<String, String>,
}

impl EnvVarConfigProvider {
    /// Kafka's class name.
    pub const CLASS: &'static str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";

    /// Java's `configure` on the process environment (names and values that are not UTF-8
    /// are read lossily).
    pub fn configure(params: &BTreeMap<String, String>) -> Result<Self, ProviderError> {
        let env = std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        Self::configure_with_env(env, params)
    }

    /// Java's `configure` on the given variables (Kafka's constructor taking a map).
    pub fn configure_with_env(
        env: BTreeMap<String, String>,
        params: &BTreeMap<String, String>,
    ) -> Result<Self, ProviderError> {
        let pattern = match params.get(ALLOWLIST_PATTERN_CONFIG) {
            Some(p) => p.clone(),
            None => {
                tracing::info!(
                    "No pattern for environment variables provided. Using default pattern '(.*)'."
                );
                ".*".to_string()
            }
        };
        let compiled = JavaPattern::compile(&pattern).map_err(ProviderError::pattern_syntax)?;
        let variables = env
            .into_iter()
            .filter(|(name, _)| compiled.matches(name))
            .collect();
        Ok(EnvVarConfigProvider { pattern, variables })
    }

    fn check_path(path: &str) -> Result<(), ProviderError> {
        if path.is_empty() {
            return Ok(());
        }
        tracing::error!("Path is not supported for EnvVarConfigProvider, invalid value '{path}'");
        Err(ProviderError::config(format!(
            "Path is not supported for EnvVarConfigProvider, invalid value '{path}'"
        )))
    }
}

impl ConfigProvider for EnvVarConfigProvider {
    fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
        Self::check_path(path)?;
        let data = keys
            .iter()
            .filter_map(|k| self.variables.get_key_value(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(ConfigData::new(data))
    }

    fn get_all(&self, path: &str) -> Result<ConfigData, ProviderError> {
        Self::check_path(path)?;
        Ok(ConfigData::new(self.variables.clone()))
    }
}

/// The pattern and how many variables it lets through; no names or values.
impl fmt::Debug for EnvVarConfigProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvVarConfigProvider")
            .field("allowlist_pattern", &self.pattern)
            .field("variables", &self.variables.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's `EnvVarConfigProviderTest` variables.
    fn test_env() -> BTreeMap<String, String> {
        [
            ("test_var1", "value1"),
            ("secret_var2", "value2"),
            ("new_var3", "value3"),
            ("not_so_secret_var4", "value4"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Kafka's setup configures with `{"": ""}`: no pattern, so `.*`.
    fn provider() -> EnvVarConfigProvider {
        let params = BTreeMap::from([(String::new(), String::new())]);
        EnvVarConfigProvider::configure_with_env(test_env(), &params).unwrap()
    }

    fn with_pattern(pattern: &str) -> EnvVarConfigProvider {
        let params = BTreeMap::from([(ALLOWLIST_PATTERN_CONFIG.to_string(), pattern.to_string())]);
        EnvVarConfigProvider::configure_with_env(test_env(), &params).unwrap()
    }

    fn keys(k: &[&str]) -> BTreeSet<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn get_all_env_vars_not_empty() {
        assert_ne!(provider().get_all("").unwrap().data().len(), 0);
    }

    #[test]
    fn get_multiple_keys_and_compare() {
        let data = provider().get_all("").unwrap();
        assert_eq!(data.data(), &test_env());
        assert_eq!(data.data()["test_var1"], "value1");
        assert_eq!(data.data()["secret_var2"], "value2");
        assert_eq!(data.data()["new_var3"], "value3");
        assert_eq!(data.data()["not_so_secret_var4"], "value4");
    }

    #[test]
    fn get_one_key_with_empty_path() {
        // Kafka's null-path and empty-path cases.
        let data = provider().get("", &keys(&["secret_var2"])).unwrap();
        assert_eq!(data.data().len(), 1);
        assert_eq!(data.data()["secret_var2"], "value2");
        let data = provider().get("", &keys(&["test_var1"])).unwrap();
        assert_eq!(data.data().len(), 1);
        assert_eq!(data.data()["test_var1"], "value1");
    }

    #[test]
    fn get_env_vars_by_key_list() {
        let wanted = keys(&["test_var1", "secret_var2"]);
        let data = provider().get("", &wanted).unwrap();
        assert_eq!(data.data().keys().cloned().collect::<BTreeSet<_>>(), wanted);
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn non_empty_path_throws_config_exception() {
        let e = provider()
            .get("test-path", &keys(&["test_var1"]))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Path is not supported for EnvVarConfigProvider, invalid value 'test-path'"
        );
        assert_eq!(
            e.java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
        assert_eq!(provider().get_all("test-path").unwrap_err(), e);
    }

    #[test]
    fn reg_exp_env_vars_single_entry_key_list() {
        let data = with_pattern("secret_.*")
            .get("", &keys(&["secret_var2"]))
            .unwrap();
        assert_eq!(
            data.data().keys().cloned().collect::<BTreeSet<_>>(),
            keys(&["secret_var2"])
        );
    }

    #[test]
    fn reg_exp_env_vars_no_key_list() {
        let data = with_pattern("secret_.*").get_all("").unwrap();
        assert_eq!(
            data.data().keys().cloned().collect::<BTreeSet<_>>(),
            keys(&["secret_var2"])
        );
        // A variable outside the pattern is not served even when asked for by name.
        let data = with_pattern("secret_.*")
            .get("", &keys(&["test_var1", "not_so_secret_var4"]))
            .unwrap();
        assert!(data.data().is_empty());
    }

    #[test]
    fn pattern_must_match_the_whole_name() {
        // As on Kafka 4.3.1: `A|AB` serves A and AB, not ABC or xA.
        let env: BTreeMap<String, String> = [("A", "1"), ("AB", "2"), ("ABC", "3"), ("xA", "4")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = BTreeMap::from([(ALLOWLIST_PATTERN_CONFIG.to_string(), "A|AB".to_string())]);
        let p = EnvVarConfigProvider::configure_with_env(env, &params).unwrap();
        assert_eq!(
            p.get_all("")
                .unwrap()
                .data()
                .keys()
                .cloned()
                .collect::<Vec<_>>(),
            vec!["A".to_string(), "AB".to_string()]
        );
        // An empty pattern is used as given: it matches no name.
        assert!(with_pattern("").get_all("").unwrap().data().is_empty());
    }

    #[test]
    fn bad_pattern_fails_configure() {
        let params = BTreeMap::from([(ALLOWLIST_PATTERN_CONFIG.to_string(), "(".to_string())]);
        let e = EnvVarConfigProvider::configure_with_env(test_env(), &params).unwrap_err();
        assert_eq!(e.java_class(), "java.util.regex.PatternSyntaxException");
        assert!(!e.message().is_empty());
    }

    #[test]
    fn debug_shows_no_variable() {
        let shown = format!("{:?}", provider());
        assert!(!shown.contains("value2"), "{shown}");
        assert!(!shown.contains("secret_var2"), "{shown}");
    }

    const CHILD: &str = "CONNECT_DATA_ENV_PROVIDER_TEST_CHILD";
    const VAR_A: &str = "CONNECT_DATA_ENV_PROVIDER_TEST_7F3A_ALPHA";
    const VAR_B: &str = "CONNECT_DATA_ENV_PROVIDER_TEST_7F3A_BETA";

    /// The real process environment. Setting variables in this process is `unsafe` (other test
    /// threads read the environment), so the test runs itself again as a child process with the
    /// variables set, and checks them there.
    #[test]
    fn reads_the_process_environment() {
        if std::env::var_os(CHILD).is_some() {
            let all = EnvVarConfigProvider::configure(&BTreeMap::new()).unwrap();
            let data = all.get("", &keys(&[VAR_A, VAR_B, "NOT_SET_7F3A"])).unwrap();
            assert_eq!(data.data().len(), 2);
            assert_eq!(data.data()[VAR_A], "alpha value");
            assert_eq!(data.data()[VAR_B], "beta=value");
            let params =
                BTreeMap::from([(ALLOWLIST_PATTERN_CONFIG.to_string(), ".*_ALPHA".to_string())]);
            let alpha = EnvVarConfigProvider::configure(&params).unwrap();
            assert_eq!(
                alpha
                    .get_all("")
                    .unwrap()
                    .data()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>(),
                vec![VAR_A.to_string()]
            );
            return;
        }
        let test = format!(
            "{}::reads_the_process_environment",
            module_path!().split_once("::").unwrap().1
        );
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &test, "--test-threads=1"])
            .env(CHILD, "1")
            .env(VAR_A, "alpha value")
            .env(VAR_B, "beta=value")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The child really ran the test (a filter matching nothing would also succeed).
        assert!(stdout.contains("1 passed"), "{stdout}");
    }
}
