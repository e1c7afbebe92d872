//! Kafka's predicates (`org.apache.kafka.connect.transforms.predicates.*`): `TopicNameMatches`,
//! `HasHeaderKey`, `RecordIsTombstone`.

use connect_plugin_api::ConnectConfig;

use super::builtin::BuiltinPredicate;
use super::java_regex::JavaPattern;
use super::record::TransformRecord;
use super::transform::{Predicate, TransformError};

/// `TopicNameMatches`'s key.
#[derive(Debug, ConnectConfig)]
pub struct TopicNameMatchesConfig {
    /// A Java regular expression for matching against the name of a record's topic.
    #[config(
        importance = "medium",
        non_empty,
        parse_with = "JavaPattern::for_config"
    )]
    pub pattern: JavaPattern,
}

/// True for records whose whole topic matches `pattern`.
#[derive(Debug)]
pub struct TopicNameMatches {
    pattern: JavaPattern,
}

impl BuiltinPredicate for TopicNameMatches {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches";
    const DOC: &'static str = "A predicate which is true for records with a topic name that matches the configured regular expression.";
    type Config = TopicNameMatchesConfig;
    fn new(c: TopicNameMatchesConfig) -> Result<Self, TransformError> {
        Ok(TopicNameMatches { pattern: c.pattern })
    }
}

impl Predicate for TopicNameMatches {
    fn test(&mut self, record: &TransformRecord) -> Result<bool, TransformError> {
        Ok(self.pattern.matches(&record.topic))
    }
}

/// `HasHeaderKey`'s key.
#[derive(Debug, ConnectConfig)]
pub struct HasHeaderKeyConfig {
    /// The header name.
    #[config(importance = "medium", non_empty)]
    pub name: Option<String>,
}

/// True for records with at least one header named `name` (none when `name` is unset, as in
/// Kafka).
#[derive(Debug)]
pub struct HasHeaderKey {
    name: Option<String>,
}

impl BuiltinPredicate for HasHeaderKey {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey";
    const DOC: &'static str =
        "A predicate which is true for records with at least one header with the configured name.";
    type Config = HasHeaderKeyConfig;
    fn new(c: HasHeaderKeyConfig) -> Result<Self, TransformError> {
        Ok(HasHeaderKey { name: c.name })
    }
}

impl Predicate for HasHeaderKey {
    fn test(&mut self, record: &TransformRecord) -> Result<bool, TransformError> {
        Ok(self
            .name
            .as_deref()
            .is_some_and(|name| record.headers.iter().any(|h| h.key == name)))
    }
}

/// No keys.
#[derive(Debug, ConnectConfig)]
pub struct RecordIsTombstoneConfig {}

/// True for records whose value is null.
#[derive(Debug)]
pub struct RecordIsTombstone;

impl BuiltinPredicate for RecordIsTombstone {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone";
    const DOC: &'static str =
        "A predicate which is true for records which are tombstones (i.e. have null value).";
    type Config = RecordIsTombstoneConfig;
    fn new(_: RecordIsTombstoneConfig) -> Result<Self, TransformError> {
        Ok(RecordIsTombstone)
    }
}

impl Predicate for RecordIsTombstone {
    fn test(&mut self, record: &TransformRecord) -> Result<bool, TransformError> {
        Ok(record.value.value.is_null())
    }
}
