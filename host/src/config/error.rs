//! `ConfigError`: everything that can go wrong turning files and environment variables into
//! typed configuration. Each message names the thing (file, key), the problem and the fix,
//! because these errors are printed to an operator at start-up and nothing else explains them.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

/// A configuration file or setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("cannot read config file `{}`: {source} (check the path and its permissions)", .path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },

    /// The file's text is not valid in its format (`.properties`, YAML or JSON).
    #[error("{origin}: {message}")]
    Parse {
        /// Where the text came from (a file path, or a description such as "environment").
        origin: String,
        /// What is wrong and where, e.g. "line 3: malformed \\uxxxx escape".
        message: String,
    },

    /// The file's extension says nothing about its format.
    #[error(
        "config file `{}`: unknown format; name it *.properties, *.yaml, *.yml or *.json",
        .path.display()
    )]
    UnsupportedFormat {
        /// The file with the unknown extension.
        path: PathBuf,
    },

    /// The file parsed, but its structure cannot be a flat string map (e.g. a list of objects).
    #[error("{origin}: {message}")]
    Shape {
        /// Where the text came from.
        origin: String,
        /// What is wrong and how to write it instead.
        message: String,
    },

    /// A connector file does not say what the connector is called.
    #[error(
        "connector file `{origin}` has no connector name; add `name=<connector name>` \
         (or a top-level \"name\" in JSON/YAML)"
    )]
    MissingConnectorName {
        /// The connector file.
        origin: String,
    },

    /// A required setting is absent.
    #[error("{scope}: `{key}` is required {hint}")]
    MissingRequired {
        /// Which configuration, e.g. "worker config".
        scope: &'static str,
        /// The missing key.
        key: String,
        /// Why it is needed and an example value, e.g. "in distributed mode (e.g. connect-cluster)".
        hint: String,
    },

    /// A setting is present but its value cannot be used.
    #[error("{scope}: `{key}` = {value:?} {problem}")]
    InvalidValue {
        /// Which configuration, e.g. "worker config".
        scope: &'static str,
        /// The offending key.
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong and what is expected, e.g.
        /// "is not a number (expected milliseconds, e.g. 10000)".
        problem: String,
    },

    /// A key that is not a known setting (and has no known pass-through prefix).
    #[error("{scope}: unknown key `{key}` ({})", .suggestion.as_deref().map_or_else(
        || "not a Kafka Connect setting; client settings need a producer., consumer. or admin. prefix".to_string(),
        |s| format!("did you mean `{s}`?")))]
    UnknownKey {
        /// Which configuration, e.g. "worker config".
        scope: &'static str,
        /// The unknown key.
        key: String,
        /// The nearest known key, when one is close enough to be a likely typo.
        suggestion: Option<String>,
    },

    /// A Kafka Connect setting this host recognises but cannot honour, where ignoring it would
    /// silently change behaviour (e.g. Java REST extensions that add authentication).
    #[error("{scope}: not supported yet: {key}: {reason}")]
    Unsupported {
        /// Which configuration, e.g. "worker config".
        scope: &'static str,
        /// The key.
        key: String,
        /// Why, and what to do instead.
        reason: String,
    },

    /// Several of the above at once, so an operator can fix them in one go.
    #[error("{}", render_many(.0))]
    Many(Vec<ConfigError>),
}

impl ConfigError {
    /// One error for a list of problems: the single problem itself, or [`ConfigError::Many`].
    ///
    /// Returns `None` for an empty list.
    pub fn from_list(mut errors: Vec<ConfigError>) -> Option<ConfigError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(ConfigError::Many(errors)),
        }
    }

    /// The individual problems (one for any variant but [`ConfigError::Many`]).
    pub fn problems(&self) -> Vec<&ConfigError> {
        match self {
            ConfigError::Many(list) => list.iter().flat_map(ConfigError::problems).collect(),
            other => vec![other],
        }
    }
}

fn render_many(errors: &[ConfigError]) -> String {
    let mut out = format!("{} configuration problems:", errors.len());
    for e in errors {
        let _ = write!(out, "\n  - {e}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_value_reads_like_the_style_guide() {
        let e = ConfigError::InvalidValue {
            scope: "worker config",
            key: "offset.flush.interval.ms".into(),
            value: "abc".into(),
            problem: "is not a number (expected milliseconds, e.g. 10000)".into(),
        };
        assert_eq!(
            e.to_string(),
            "worker config: `offset.flush.interval.ms` = \"abc\" is not a number (expected milliseconds, e.g. 10000)"
        );
    }

    #[test]
    fn unknown_key_with_and_without_suggestion() {
        let with = ConfigError::UnknownKey {
            scope: "worker config",
            key: "ofset.flush.interval.ms".into(),
            suggestion: Some("offset.flush.interval.ms".into()),
        };
        assert_eq!(
            with.to_string(),
            "worker config: unknown key `ofset.flush.interval.ms` (did you mean `offset.flush.interval.ms`?)"
        );
        let without = ConfigError::UnknownKey {
            scope: "worker config",
            key: "zzz".into(),
            suggestion: None,
        };
        assert!(
            without
                .to_string()
                .contains("producer., consumer. or admin. prefix")
        );
    }

    #[test]
    fn many_lists_every_problem() {
        let e = ConfigError::from_list(vec![
            ConfigError::MissingRequired {
                scope: "worker config",
                key: "group.id".into(),
                hint: "x".into(),
            },
            ConfigError::UnknownKey {
                scope: "worker config",
                key: "k".into(),
                suggestion: None,
            },
        ])
        .unwrap();
        assert_eq!(e.problems().len(), 2);
        assert!(
            e.to_string()
                .starts_with("2 configuration problems:\n  - worker config: `group.id`")
        );
        assert!(ConfigError::from_list(vec![]).is_none());
    }
}
