//! How Kafka's `ConfigDef` reads and checks the keys of the built-in transformations where the
//! SDK reads them differently: Java's `String.trim()` of `STRING` values, its splitting of `LIST`
//! values (empty items are kept, so a validator can refuse them), `ValidList.anyNonDuplicateValues`
//! (KIP-1161, Kafka 4.2+) with its messages, and the documentation string the
//! `replace.null.with.default` keys share.

use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap};

/// The documentation of every `replace.null.with.default` key of Kafka's transformations.
pub const REPLACE_NULL_WITH_DEFAULT_DOC: &str = "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.";

/// Java's `String.trim()`: strips the characters up to U+0020 at both ends (Rust's `trim` strips
/// Unicode whitespace instead).
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// A `STRING` value as `ConfigDef.parseType` gives it to the transformation: trimmed. For
/// `#[config(parse_with = ...)]`; never fails.
pub fn java_string(raw: &str) -> Result<String, std::convert::Infallible> {
    Ok(java_trim(raw).to_owned())
}

/// Whether `c` is in Java's regex class `\s` (`[ \t\n\x0B\f\r]`).
fn java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// A `LIST` value as `ConfigDef.parseType` gives it: trimmed, then split on `\s*,\s*` keeping
/// empty items (`"a,,b"` is `[a, , b]`, `"a,"` is `[a, ]`); an empty value is no items. For
/// `#[config(ty = "LIST", parse_with = ...)]`; never fails.
pub fn parse_list(raw: &str) -> Result<Vec<String>, std::convert::Infallible> {
    let trimmed = java_trim(raw);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let pieces: Vec<&str> = trimmed.split(',').collect();
    let last = pieces.len() - 1;
    Ok(pieces
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
        .collect())
}

/// Java's `List.toString()` of a parsed list (`[a, b]`), as Kafka's messages show list values.
pub fn java_list_text(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
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
    let distinct: std::collections::HashSet<&String> = items.iter().collect();
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

/// The value Kafka validates for key `name`: the raw value, else the definition's default.
pub fn effective_value<'a>(raw: &'a ConfigMap, def: &'a ConfigDef, name: &str) -> Option<&'a str> {
    raw.get(name).map(String::as_str).or_else(|| {
        def.keys()
            .iter()
            .find(|k| k.name.as_str() == name)
            .and_then(|k| k.default_value.as_ref().map(|d| d.as_str()).into_option())
    })
}

/// Adds `error` to the report of key `name` (a validator Kafka runs after the type check, so its
/// message comes after the SDK's).
pub fn add_error(reports: &mut [ConfigValueReport], name: &str, error: String) {
    if let Some(report) = reports.iter_mut().find(|r| r.name.as_str() == name) {
        report.errors.push(error.into());
    }
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
    let items = effective_value(raw, def, name).map(|v| {
        let Ok(items) = parse_list(v);
        items
    });
    if let Err(e) = check_non_duplicate_values(name, items.as_deref(), empty_allowed) {
        add_error(reports, name, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(raw: &str) -> Vec<String> {
        let Ok(items) = parse_list(raw);
        items
    }

    #[test]
    fn lists_split_as_java_config_def_splits_them() {
        assert_eq!(list("  a , b,c "), ["a", "b", "c"]);
        assert_eq!(list("a,,b"), ["a", "", "b"]);
        assert_eq!(list("a , , b"), ["a", "", "b"]);
        assert_eq!(list("a,"), ["a", ""]);
        assert_eq!(list(",a"), ["", "a"]);
        assert!(list("   ").is_empty());
        assert_eq!(java_list_text(&list("a:b, c")), "[a:b, c]");
        assert_eq!(java_string(" \u{1}x y\t").ok(), Some("x y".to_owned()));
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
