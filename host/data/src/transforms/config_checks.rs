//! What Kafka's transformation configs need beyond the SDK's `ConfigDef`: values read as Java's
//! `ConfigDef.parseType` reads them (`STRING` trimmed, `LIST` keeping empty items), and the
//! validators the SDK has no kind for (`NonEmptyListValidator`), reported in Kafka's words.
//!
//! A config struct keeps `#[derive(ConnectConfig)]` and implements [`ExtraChecks`]; the
//! transformation's `Config` is then [`Checked<ThatStruct>`], whose `validate` (used both by the
//! REST validation and before a build) adds those checks to the derived ones.

use std::convert::Infallible;

use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{Config, ConfigDef, ConfigMap, ConnectConfig};
use connect_plugin_api::sdk::error::ConnectError;

use crate::config_value::{java_list as java_list_text, parse_list, trim};

/// Checks a derived config adds to its keys' own.
pub trait ExtraChecks: ConnectConfig {
    /// Adds errors to `reports` (one per key of `def`, in order) for the raw settings `raw`.
    fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef);
}

/// A derived config with its [`ExtraChecks`]: the transformation's `Config` type.
#[derive(Debug)]
pub struct Checked<C>(pub C);

impl<C: ExtraChecks> ConnectConfig for Checked<C> {
    fn config_def() -> ConfigDef {
        C::config_def()
    }

    fn from_config(config: &Config) -> Result<Self, ConnectError> {
        C::from_config(config).map(Checked)
    }

    fn validate(raw: &ConfigMap) -> Vec<ConfigValueReport> {
        let mut reports = C::validate(raw);
        C::extra_checks(&mut reports, raw, &C::config_def());
        reports
    }
}

/// A `STRING` value as Java reads it: trimmed (for `parse_with`).
pub fn java_string(raw: &str) -> Result<String, Infallible> {
    Ok(trim(raw).to_string())
}

/// A `LIST` value as Java reads it: split at commas, items trimmed, empty items kept (`a,,b`
/// has three), nothing for blank text (for `parse_with`).
pub fn java_list(raw: &str) -> Result<Vec<String>, Infallible> {
    Ok(parse_list(raw))
}

/// The value `key` has in `raw`, or its default.
fn effective<'a>(raw: &'a ConfigMap, def: &'a ConfigDef, key: &str) -> Option<&'a str> {
    raw.get(key).map(String::as_str).or_else(|| {
        def.keys()
            .iter()
            .find(|k| k.name.as_str() == key)
            .and_then(|k| k.default_value.as_ref().into_option())
            .map(|d| d.as_str())
    })
}

/// Kafka's `NonEmptyListValidator` on `LIST` key `key`: `Invalid value [] for configuration
/// <key>: Empty list`, when the key passed its other checks and is present.
pub fn check_non_empty_list(
    reports: &mut [ConfigValueReport],
    raw: &ConfigMap,
    def: &ConfigDef,
    key: &str,
) {
    let Some(report) = reports.iter_mut().find(|r| r.name.as_str() == key) else {
        return;
    };
    if !report.errors.is_empty() {
        return;
    }
    let Some(value) = effective(raw, def, key) else {
        return;
    };
    let list = parse_list(value);
    if list.is_empty() {
        report.errors.push(
            format!(
                "Invalid value {} for configuration {key}: Empty list",
                java_list_text(&list)
            )
            .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_plugin_api::ConnectConfig;

    /// A config with one non-empty list.
    #[derive(Debug, ConnectConfig)]
    struct Lists {
        /// Items.
        #[config(ty = "LIST", parse_with = "java_list")]
        items: Vec<String>,
    }

    impl ExtraChecks for Lists {
        fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef) {
            check_non_empty_list(reports, raw, def, "items");
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn errors(pairs: &[(&str, &str)]) -> Vec<String> {
        Checked::<Lists>::validate(&raw(pairs))
            .iter()
            .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn empty_lists_are_refused_in_kafka_words() {
        assert_eq!(
            errors(&[]),
            ["Missing required configuration \"items\" which has no default value."]
        );
        for blank in ["", "  "] {
            assert_eq!(
                errors(&[("items", blank)]),
                ["Invalid value [] for configuration items: Empty list"]
            );
        }
        assert!(errors(&[("items", "a")]).is_empty());
        let e = Checked::<Lists>::parse(&raw(&[("items", "")])).unwrap_err();
        assert!(e.message.contains("Empty list"), "{}", e.message);
    }

    #[test]
    fn values_read_as_java_reads_them() {
        let Checked(c) = Checked::<Lists>::parse(&raw(&[("items", " a , ,b,")])).unwrap();
        assert_eq!(c.items, ["a", "", "b", ""]);
        assert_eq!(java_string("  x y \t"), Ok("x y".to_string()));
    }
}
