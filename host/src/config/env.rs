//! `CONNECT_*` environment variables → worker properties, exactly as the `cp-kafka-connect`
//! image renders them (`dub`'s `env_to_props('CONNECT_', '')`), so a compose file written for
//! that image configures this worker unchanged: strip `CONNECT_`, lower-case, then a single `_`
//! between two non-`_` chars becomes `.`, `___` becomes `-`, `__` becomes `_`
//! (`CONNECT_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED__PATHS` → `config.providers.file.param.allowed_paths`).
//!
//! Excluded: `CONNECT_LOG4J_*`, which the image feeds to its log4j template, not to the worker
//! (they would otherwise become bogus `log4j.*` worker keys), and the host's own variables
//! ([`EXCLUDED_NAMES`]).
//!
//! Functions take an iterator of `(name, value)` so they are testable without touching the
//! process environment.

use std::collections::BTreeMap;

/// The prefix of environment variables that carry worker settings.
pub const ENV_PREFIX: &str = "CONNECT_";

/// Prefixes of `CONNECT_*` variables that are not worker settings (logging of the image).
pub const EXCLUDED_PREFIXES: &[&str] = &["CONNECT_LOG4J_"];

/// `CONNECT_*` variables that belong to this host itself, not to the worker config:
/// `CONNECT_LOG` is the host's log filter and `CONNECT_LOG_FORMAT` its log format.
pub const EXCLUDED_NAMES: &[&str] = &["CONNECT_LOG", "CONNECT_LOG_FORMAT"];

/// The worker property an environment variable maps to, or `None` if the variable is not a
/// `CONNECT_*` worker setting (other prefix, excluded, or nothing after the prefix).
pub fn property_name(env_name: &str) -> Option<String> {
    let raw = env_name.strip_prefix(ENV_PREFIX)?;
    if raw.is_empty()
        || EXCLUDED_NAMES.contains(&env_name)
        || EXCLUDED_PREFIXES.iter().any(|p| env_name.starts_with(p))
    {
        return None;
    }
    let lower = raw.to_lowercase();
    // Step 1 (regex `(?<=[^_])_(?=[^_])`): a lone underscore between two other chars → '.'.
    let chars: Vec<char> = lower.chars().collect();
    let mut dotted = String::with_capacity(lower.len());
    for (i, &c) in chars.iter().enumerate() {
        let lone = c == '_'
            && i > 0
            && chars[i - 1] != '_'
            && chars.get(i + 1).is_some_and(|next| *next != '_');
        dotted.push(if lone { '.' } else { c });
    }
    // Steps 2 and 3, in dub's order: '___' → '-', then '__' → '_'.
    Some(dotted.replace("___", "-").replace("__", "_"))
}

/// The `CONNECT_*` variable that sets worker property `key` (the inverse of
/// [`property_name`]), for error messages: `group.id` → `CONNECT_GROUP_ID`.
pub fn env_var_name(key: &str) -> String {
    let mut out = String::from(ENV_PREFIX);
    for c in key.chars() {
        match c {
            '.' => out.push('_'),
            '_' => out.push_str("__"),
            '-' => out.push_str("___"),
            c => out.extend(c.to_uppercase()),
        }
    }
    out
}

/// All worker properties found in `vars` (e.g. `std::env::vars()`), by [`property_name`].
/// If two variables map to the same property, the later one wins.
pub fn properties_from_env<I, K, V>(vars: I) -> BTreeMap<String, String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    vars.into_iter()
        .filter_map(|(k, v)| property_name(k.as_ref()).map(|p| (p, v.into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dub_mapping_rules() {
        let p = |s| property_name(s).unwrap();
        assert_eq!(p("CONNECT_BOOTSTRAP_SERVERS"), "bootstrap.servers");
        assert_eq!(
            p("CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE"),
            "value.converter.schemas.enable"
        );
        assert_eq!(
            p("CONNECT_CONSUMER_MAX_POLL_RECORDS"),
            "consumer.max.poll.records"
        );
        assert_eq!(
            p("CONNECT_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED__PATHS"),
            "config.providers.file.param.allowed_paths"
        );
        assert_eq!(p("CONNECT_SOME___DASHED_KEY"), "some-dashed.key");
        assert_eq!(
            p("CONNECT_REST_ADVERTISED_HOST_NAME"),
            "rest.advertised.host.name"
        );
        // Python's str.split('___') then '__': four underscores → "-_".
        assert_eq!(p("CONNECT_A____B"), "a-_b");
        // A leading/trailing single underscore has no neighbour on one side and stays '_'.
        assert_eq!(p("CONNECT__X"), "_x");
        assert_eq!(p("CONNECT_X_"), "x_");
    }

    #[test]
    fn env_var_name_round_trips() {
        for key in [
            "group.id",
            "config.providers.file.param.allowed_paths",
            "some-dashed.key",
        ] {
            assert_eq!(property_name(&env_var_name(key)).as_deref(), Some(key));
        }
        assert_eq!(
            env_var_name("rest.advertised.host.name"),
            "CONNECT_REST_ADVERTISED_HOST_NAME"
        );
    }

    #[test]
    fn non_worker_variables_are_skipped() {
        assert_eq!(property_name("KAFKA_HEAP_OPTS"), None);
        assert_eq!(property_name("CONNECT_"), None);
        assert_eq!(property_name("CONNECT_LOG4J_ROOT_LOGLEVEL"), None);
        assert_eq!(property_name("CONNECT_LOG4J_LOGGERS"), None);
        assert_eq!(property_name("CONNECT_LOG_FORMAT"), None);
        assert_eq!(
            property_name("CONNECT_LOG"),
            None,
            "the host's own log filter"
        );
        assert_eq!(
            property_name("connect_bootstrap_servers"),
            None,
            "the prefix is case-sensitive"
        );
    }

    #[test]
    fn from_iterator() {
        let env = [
            ("PATH", "/bin"),
            ("CONNECT_GROUP_ID", "g"),
            ("CONNECT_REST_PORT", "8083"),
        ];
        let props = properties_from_env(env);
        assert_eq!(props.len(), 2);
        assert_eq!(props["group.id"], "g");
        assert_eq!(props["rest.port"], "8083");
    }
}
