//! What Kafka's transformation configs need beyond the SDK's `ConfigDef`: values read as Java's
//! `ConfigDef.parseType` reads them (`STRING` trimmed by Java's `String.trim()`, `LIST` trimmed
//! and split on `\s*,\s*` keeping empty items, so a validator can refuse them), `field:type`
//! and `old:new` items split as `String.split(":")`, the validators the SDK has no kind for
//! (`NonEmptyListValidator`, `ValidList.anyNonDuplicateValues` of KIP-1161, Kafka 4.2+) with
//! Kafka's messages, and the documentation string the `replace.null.with.default` keys share.
//!
//! A config struct keeps `#[derive(ConnectConfig)]` and implements [`ExtraChecks`]; the
//! transformation's `Config` is then [`Checked<ThatStruct>`], whose `validate` (used both by the
//! REST validation and before a build) adds those checks to the derived ones.

use std::collections::HashSet;
use std::convert::Infallible;

use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{Config, ConfigDef, ConfigMap, ConnectConfig};
use connect_plugin_api::sdk::error::ConnectError;

use crate::config_value::{java_list as java_list_text, trim};

/// The documentation of every `replace.null.with.default` key of Kafka's transformations.
pub const REPLACE_NULL_WITH_DEFAULT_DOC: &str = "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.";

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

/// A `STRING` value as `ConfigDef.parseType` gives it to the transformation: trimmed. For
/// `#[config(parse_with = ...)]`; never fails.
pub fn java_string(raw: &str) -> Result<String, Infallible> {
    Ok(trim(raw).to_owned())
}

/// Whether `c` is in Java's regex class `\s` (`[ \t\n\x0B\f\r]`).
fn java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// A `LIST` value as `ConfigDef.parseType` gives it: trimmed, then split on `\s*,\s*` keeping
/// empty items (`"a,,b"` is `[a, , b]`, `"a,"` is `[a, ]`); an empty value is no items. For
/// `#[config(ty = "LIST", parse_with = ...)]`; never fails.
pub fn java_list(raw: &str) -> Result<Vec<String>, Infallible> {
    Ok(split_list(raw))
}

/// [`java_list`]'s items.
fn split_list(raw: &str) -> Vec<String> {
    let trimmed = trim(raw);
    if trimmed.is_empty() {
        return Vec::new();
    }
    let pieces: Vec<&str> = trimmed.split(',').collect();
    let last = pieces.len() - 1;
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            // The separator's `\s*` takes the spaces on both sides of each comma.
            let piece = if i > 0 {
                piece.trim_start_matches(java_space)
            } else {
                piece
            };
            let piece = if i < last {
                piece.trim_end_matches(java_space)
            } else {
                piece
            };
            piece.to_owned()
        })
        .collect()
}

/// Java's `String.split(":")` (of a `field:type` or `old:new` item): trailing empty strings are
/// dropped (`":"` is no parts), but a string without `:` is one part (`""` is `[""]`).
pub fn java_split_colon(s: &str) -> Vec<&str> {
    if !s.contains(':') {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// The value Kafka validates for key `name`: the raw value, else the definition's default.
pub fn effective_value<'a>(raw: &'a ConfigMap, def: &'a ConfigDef, name: &str) -> Option<&'a str> {
    raw.get(name).map(String::as_str).or_else(|| {
        def.keys()
            .iter()
            .find(|k| k.name.as_str() == name)
            .and_then(|k| k.default_value.as_ref().into_option())
            .map(|d| d.as_str())
    })
}

/// [`effective_value`] of `LIST` key `name`, read as [`java_list`] reads it.
pub fn effective_list(raw: &ConfigMap, def: &ConfigDef, name: &str) -> Option<Vec<String>> {
    effective_value(raw, def, name).map(split_list)
}

/// Adds `error` to the report of key `name` (a validator Kafka runs after the type check, so its
/// message comes after the SDK's).
pub fn add_error(reports: &mut [ConfigValueReport], name: &str, error: String) {
    if let Some(report) = reports.iter_mut().find(|r| r.name.as_str() == name) {
        report.errors.push(error.into());
    }
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
    let Some(list) = effective_list(raw, def, key) else {
        return;
    };
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

/// `ConfigDef.ValidList.anyNonDuplicateValues(empty_allowed, false)` on the parsed value of key
/// `name` (`None`: absent without default). The error is Kafka's whole message.
pub fn check_non_duplicate_values(
    name: &str,
    items: Option<&[String]>,
    empty_allowed: bool,
) -> Result<(), String> {
    let Some(items) = items else {
        return Err(format!("Configuration '{name}' values must not be null."));
    };
    if !empty_allowed && items.is_empty() {
        return Err(format!(
            "Configuration '{name}' must not be empty. Valid values include: any non-empty value"
        ));
    }
    let distinct: HashSet<&String> = items.iter().collect();
    if distinct.len() != items.len() {
        return Err(format!(
            "Configuration '{name}' values must not be duplicated."
        ));
    }
    if items.iter().any(String::is_empty) {
        return Err(format!("Configuration '{name}' values must not be empty."));
    }
    Ok(())
}

/// Runs `ValidList.anyNonDuplicateValues(empty_allowed, false)` for `LIST` key `name` of `def`
/// and adds its error to the key's report, as Kafka's `ConfigDef.validate` does.
pub fn validate_non_duplicate_list(
    reports: &mut [ConfigValueReport],
    raw: &ConfigMap,
    def: &ConfigDef,
    name: &str,
    empty_allowed: bool,
) {
    let items = effective_list(raw, def, name);
    if let Err(e) = check_non_duplicate_values(name, items.as_deref(), empty_allowed) {
        add_error(reports, name, e);
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

    fn list(raw: &str) -> Vec<String> {
        let Ok(items) = java_list(raw);
        items
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

    #[test]
    fn lists_split_as_java_config_def_splits_them() {
        assert_eq!(list("  a , b,c "), ["a", "b", "c"]);
        assert_eq!(list("a,,b"), ["a", "", "b"]);
        assert_eq!(list("a , , b"), ["a", "", "b"]);
        assert_eq!(list("a,"), ["a", ""]);
        assert_eq!(list(",a"), ["", "a"]);
        assert!(list("   ").is_empty());
        // `\s*,\s*` takes only Java's `\s` around a comma, not every char `trim` strips.
        assert_eq!(list("a\u{1},\u{1}b"), ["a\u{1}", "\u{1}b"]);
        assert_eq!(java_list_text(&list("a:b, c")), "[a:b, c]");
        assert_eq!(java_string(" \u{1}x y\t").ok(), Some("x y".to_owned()));
    }

    #[test]
    fn trim_is_javas() {
        assert_eq!(trim("\u{1} a b\t\n"), "a b");
        assert_eq!(trim("\u{a0}a"), "\u{a0}a");
        assert_eq!(java_string("  x ").unwrap(), "x");
    }

    #[test]
    fn valid_list_messages_are_kafkas() {
        let check = |raw: Option<&str>, empty_allowed| {
            check_non_duplicate_values("fields", raw.map(list).as_deref(), empty_allowed)
                .err()
                .unwrap_or_default()
        };
        assert_eq!(
            check(None, false),
            "Configuration 'fields' values must not be null."
        );
        assert_eq!(
            check(Some(""), false),
            "Configuration 'fields' must not be empty. Valid values include: any non-empty value"
        );
        assert_eq!(check(Some(""), true), "");
        assert_eq!(
            check(Some("a, a"), true),
            "Configuration 'fields' values must not be duplicated."
        );
        assert_eq!(
            check(Some("a,"), true),
            "Configuration 'fields' values must not be empty."
        );
        // Two empty items are duplicates first.
        assert_eq!(
            check(Some("a,,b,"), true),
            "Configuration 'fields' values must not be duplicated."
        );
        assert_eq!(check(Some("a,b"), false), "");
    }
}
