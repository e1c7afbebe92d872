//! Reading a converter's settings (the `key.converter.*` / `value.converter.*` map with the
//! prefix stripped): typed like Kafka's ConfigDef, with errors naming the full key.
//!
//! Unknown settings: a near miss of one of this converter's settings (`schemas.enabled`) is
//! refused with a "did you mean" — ignored, it would surface later as the envelope error. Any
//! other unknown setting (leftovers such as `schema.registry.url`, or another converter's
//! `schemas.enable`) is ignored with a warning, as Kafka Connect ignores it.

use std::collections::BTreeMap;

use crate::config_value::{parse_bool, parse_int, parse_one_of_ignore_case};
use crate::suggest::closest;

use super::ConvertError;

/// Every setting of any built-in converter (plus `converter.type`, set by the framework).
const ANY_CONVERTER_SETTING: &[&str] = &[
    "schemas.enable",
    "schemas.cache.size",
    "decimal.format",
    "replace.null.with.default",
    "converter.encoding",
    "converter.type",
];

/// Settings of one converter instance.
pub(crate) struct Settings<'a> {
    /// Converter simple name, for messages (`JsonConverter`).
    converter: &'static str,
    /// `key.converter.` or `value.converter.`.
    prefix: &'static str,
    map: &'a BTreeMap<String, String>,
}

impl<'a> Settings<'a> {
    /// Check that every key of `map` is a converter setting (`known` are this converter's).
    pub(crate) fn new(
        converter: &'static str,
        map: &'a BTreeMap<String, String>,
        is_key: bool,
        known: &'static [&'static str],
    ) -> Result<Self, ConvertError> {
        let prefix = if is_key {
            "key.converter."
        } else {
            "value.converter."
        };
        let s = Settings {
            converter,
            prefix,
            map,
        };
        for key in map.keys() {
            if known.contains(&key.as_str()) || ANY_CONVERTER_SETTING.contains(&key.as_str()) {
                continue;
            }
            if let Some(near) = closest(key, known.iter().copied()) {
                return Err(ConvertError::Config {
                    message: format!(
                        "{converter}: unknown setting `{prefix}{key}` (did you mean `{prefix}{near}`?)"
                    ),
                });
            }
            tracing::warn!("{converter}: ignoring unknown setting `{prefix}{key}`");
        }
        if let Some(raw) = map.get("converter.type") {
            s.check(
                parse_one_of_ignore_case(raw, &["key", "value", "header"]).map(|_| ()),
                "converter.type",
                raw,
            )?;
        }
        Ok(s)
    }

    fn check<T>(
        &self,
        r: Result<T, crate::config_value::Problem>,
        key: &str,
        raw: &str,
    ) -> Result<T, ConvertError> {
        r.map_err(|p| ConvertError::Config {
            message: format!(
                "{}: {}",
                self.converter,
                p.kafka_message(&format!("{}{key}", self.prefix), raw)
            ),
        })
    }

    /// A BOOLEAN setting.
    pub(crate) fn bool(&self, key: &str, default: bool) -> Result<bool, ConvertError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(raw) => self.check(parse_bool(raw), key, raw),
        }
    }

    /// An INT setting.
    pub(crate) fn int(&self, key: &str, default: i32) -> Result<i32, ConvertError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(raw) => self.check(parse_int(raw), key, raw),
        }
    }

    /// A case-insensitive choice; returns the canonical spelling.
    pub(crate) fn one_of(
        &self,
        key: &str,
        allowed: &'static [&'static str],
        default: &'static str,
    ) -> Result<&'static str, ConvertError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(raw) => self.check(parse_one_of_ignore_case(raw, allowed), key, raw),
        }
    }

    /// A raw string setting.
    pub(crate) fn string(&self, key: &str) -> Option<&'a str> {
        self.map.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_settings_are_refused_with_a_suggestion() {
        let m = map(&[("schemas.enabled", "false")]);
        let e = Settings::new("JsonConverter", &m, false, &["schemas.enable"])
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "JsonConverter: unknown setting `value.converter.schemas.enabled` (did you mean `value.converter.schemas.enable`?)"
        );
    }

    #[test]
    fn other_unknown_settings_are_ignored_like_kafka() {
        let leftovers = map(&[
            ("schema.registry.url", "http://sr:8081"),
            ("schemas.enable", "false"),
            ("converter.type", "value"),
        ]);
        assert!(Settings::new("ByteArrayConverter", &leftovers, true, &[]).is_ok());
        assert!(
            Settings::new("StringConverter", &leftovers, true, &["converter.encoding"]).is_ok()
        );
        let bad_type = map(&[("converter.type", "both")]);
        assert!(Settings::new("StringConverter", &bad_type, true, &[]).is_err());
    }

    #[test]
    fn typed_values_use_kafka_wording_with_the_full_key() {
        let m = map(&[("schemas.enable", "flase"), ("schemas.cache.size", "x")]);
        let s = Settings::new(
            "JsonConverter",
            &m,
            true,
            &["schemas.enable", "schemas.cache.size"],
        )
        .unwrap();
        assert_eq!(
            s.bool("schemas.enable", true).unwrap_err().to_string(),
            "JsonConverter: Invalid value flase for configuration key.converter.schemas.enable: Expected value to be either true or false"
        );
        assert!(s.int("schemas.cache.size", 1000).is_err());
        assert_eq!(
            s.one_of("decimal.format", &["BASE64", "NUMERIC"], "BASE64")
                .unwrap(),
            "BASE64"
        );
    }
}
