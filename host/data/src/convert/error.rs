//! `ConvertError`: why a converter could not be built or could not convert a record. Data
//! errors carry Kafka Connect's `DataException` wording (users search for those strings);
//! configuration errors name the full key (`value.converter.schemas.enable`) and the fix.

/// A converter failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// A record could not be converted (Kafka Connect's `DataException`). Tolerable under
    /// `errors.tolerance=all`.
    #[error("{message}")]
    Data {
        /// The record's topic.
        topic: String,
        /// Kafka Connect's message (plus detail).
        message: String,
    },

    /// A converter setting is unknown or has a bad value.
    #[error("{message}")]
    Config {
        /// What is wrong, naming the full key and what is expected.
        message: String,
    },

    /// No converter has this class name or alias.
    #[error(
        "Failed to find any class that implements Converter and which name matches {class}, available converters are: {known}"
    )]
    UnknownClass {
        /// The class as configured.
        class: String,
        /// The known converter classes, comma-separated.
        known: String,
    },
}

impl ConvertError {
    /// A data error for `topic`.
    pub(crate) fn data(topic: &str, message: impl Into<String>) -> ConvertError {
        ConvertError::Data {
            topic: topic.to_string(),
            message: message.into(),
        }
    }

    /// The Java exception class Kafka Connect would report, for stack-trace-like task traces.
    pub fn java_class(&self) -> &'static str {
        match self {
            ConvertError::Data { .. } => "org.apache.kafka.connect.errors.DataException",
            ConvertError::Config { .. } => "org.apache.kafka.common.config.ConfigException",
            ConvertError::UnknownClass { .. } => "org.apache.kafka.connect.errors.ConnectException",
        }
    }
}
