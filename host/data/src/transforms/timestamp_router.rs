//! `org.apache.kafka.connect.transforms.TimestampRouter`: renames the topic from `topic.format`,
//! with `${topic}` replaced by the topic and `${timestamp}` by the record's timestamp in the
//! `timestamp.format` `SimpleDateFormat` pattern (UTC).

use connect_plugin_api::ConnectConfig;

use super::builtin::BuiltinTransform;
use super::config_checks::java_string;
use super::java_date::SimpleDateFormat;
use super::java_string::record_to_string;
use super::record::TransformRecord;
use super::transform::{Transform, TransformError};

/// Kafka's keys.
#[derive(Debug, ConnectConfig)]
pub struct TimestampRouterConfig {
    /// The new topic, with placeholders.
    #[config(
        default = "${topic}-${timestamp}",
        importance = "high",
        parse_with = "java_string",
        doc = "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively."
    )]
    pub topic_format: String,
    /// The pattern of `${timestamp}`.
    #[config(
        default = "yyyyMMdd",
        importance = "high",
        parse_with = "java_string",
        doc = "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>."
    )]
    pub timestamp_format: String,
}

/// The configured router.
#[derive(Debug)]
pub struct TimestampRouter {
    topic_format: String,
    /// Java compiles the pattern when the first record comes, so a bad one fails every record
    /// (with Java's `IllegalArgumentException` message), not the configuration.
    format: Result<SimpleDateFormat, String>,
}

impl BuiltinTransform for TimestampRouter {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.TimestampRouter";
    const DOC: &'static str = "Update the record's topic field as a function of the original topic value and the record timestamp.<p/>This is mainly useful for sink connectors, since the topic field is often used to determine the equivalent entity name in the destination system(e.g. database table or search index name).";
    type Config = TimestampRouterConfig;

    fn new(c: TimestampRouterConfig) -> Result<Self, TransformError> {
        Ok(TimestampRouter {
            topic_format: c.topic_format,
            format: SimpleDateFormat::new(&c.timestamp_format),
        })
    }
}

impl Transform for TimestampRouter {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let Some(timestamp) = record.timestamp else {
            return Err(TransformError::new(format!(
                "Timestamp missing on record: {}",
                record_to_string(&record)
            )));
        };
        let format = self.format.as_ref().map_err(TransformError::new)?;
        // `${topic}` first, then `${timestamp}` in the result (as Java, literally).
        record.topic = self
            .topic_format
            .replace("${topic}", &record.topic)
            .replace("${timestamp}", &format.format(timestamp));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::builtin::lookup;
    use crate::transforms::data::{Datum, Value};
    use crate::transforms::test_support::{build, config, keys_and_defaults};

    fn router(pairs: &[(&str, &str)]) -> TimestampRouter {
        build(pairs).unwrap()
    }

    fn record(topic: &str, timestamp: Option<i64>) -> TransformRecord {
        TransformRecord {
            topic: topic.into(),
            partition: Some(0),
            offset: None,
            key: Datum::NULL,
            value: Datum::schemaless(Value::String("v".into())),
            timestamp,
            headers: Vec::new(),
        }
    }

    #[test]
    fn default_configuration() {
        let mut r = router(&[]);
        let out = r
            .apply(record("test", Some(1_483_425_001_864)))
            .unwrap()
            .unwrap();
        assert_eq!(out.topic, "test-20170103");
        assert_eq!(out.value.value, Value::String("v".into()));
        assert_eq!(out.timestamp, Some(1_483_425_001_864));
    }

    #[test]
    fn custom_formats() {
        let mut r = router(&[
            ("topic.format", " ${timestamp}_${topic}.${topic} "),
            ("timestamp.format", "yyyy-MM-dd'T'HH"),
        ]);
        let out = r
            .apply(record("t", Some(1_483_425_001_864)))
            .unwrap()
            .unwrap();
        assert_eq!(out.topic, "2017-01-03T06_t.t");
        // A topic holding the timestamp placeholder gets it replaced too, as in Java.
        let out = r.apply(record("${timestamp}", Some(0))).unwrap().unwrap();
        assert_eq!(out.topic, "1970-01-01T00_1970-01-01T00.1970-01-01T00");
    }

    #[test]
    fn a_record_without_timestamp_fails() {
        let e = router(&[]).apply(record("test", None)).unwrap_err();
        assert_eq!(
            e.message,
            "Timestamp missing on record: ConnectRecord{topic='test', kafkaPartition=0, key=null, keySchema=null, value=v, valueSchema=null, timestamp=null, headers=ConnectHeaders(headers=)}"
        );
    }

    #[test]
    fn a_bad_pattern_fails_records_not_the_configuration() {
        let reports = TimestampRouterConfig::validate(&config(&[("timestamp.format", "yyyyqq")]));
        assert!(reports.iter().all(|r| r.errors.is_empty()));
        let mut r = router(&[("timestamp.format", "yyyyqq")]);
        let e = r.apply(record("t", Some(0))).unwrap_err();
        assert_eq!(e.message, "Illegal pattern character 'q'");
    }

    #[test]
    fn registered_with_kafkas_keys() {
        let b = lookup("TimestampRouter").unwrap();
        assert_eq!(b.class, TimestampRouter::CLASS);
        assert_eq!(
            keys_and_defaults(&(b.config_def)()),
            [
                ("topic.format", Some("${topic}-${timestamp}")),
                ("timestamp.format", Some("yyyyMMdd")),
            ]
        );
    }
}
