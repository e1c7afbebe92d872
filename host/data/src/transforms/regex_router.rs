//! `org.apache.kafka.connect.transforms.RegexRouter`: renames the topic when the whole topic
//! matches `regex`, with Java's `replaceFirst(replacement)`.

use connect_plugin_api::ConnectConfig;

use super::builtin::BuiltinTransform;
use super::java_regex::JavaPattern;
use super::record::TransformRecord;
use super::transform::{Transform, TransformError};

/// Kafka's keys.
#[derive(Debug, ConnectConfig)]
pub struct RegexRouterConfig {
    /// Regular expression to use for matching.
    #[config(importance = "high", parse_with = "JavaPattern::for_config")]
    pub regex: JavaPattern,
    /// Replacement string.
    #[config(importance = "high")]
    pub replacement: String,
}

/// The configured router.
#[derive(Debug)]
pub struct RegexRouter {
    regex: JavaPattern,
    replacement: String,
}

impl BuiltinTransform for RegexRouter {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.RegexRouter";
    const DOC: &'static str = "Update the record topic using the configured regular expression and replacement string.<p/>Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. If the pattern matches the input topic, <code>java.util.regex.Matcher#replaceFirst()</code> is used with the replacement string to obtain the new topic.";
    type Config = RegexRouterConfig;
    fn new(c: RegexRouterConfig) -> Result<Self, TransformError> {
        Ok(RegexRouter {
            regex: c.regex,
            replacement: c.replacement,
        })
    }
}

impl Transform for RegexRouter {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        if self.regex.matches(&record.topic) {
            record.topic = self
                .regex
                .replace_first(&record.topic, &self.replacement)
                .map_err(TransformError::new)?;
        }
        Ok(Some(record))
    }
}
