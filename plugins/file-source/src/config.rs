//! The source's configuration keys (those of Kafka's `FileStreamSourceConnector`).

use connect_plugin_api::prelude::*;

/// Source file; standard input when unset.
pub const FILE_CONFIG: &str = "file";
/// The one topic to write to.
pub const TOPIC_CONFIG: &str = "topic";
/// Maximum records per poll.
pub const BATCH_SIZE_CONFIG: &str = "batch.size";
/// Source-partition key.
pub const FILENAME_FIELD: &str = "filename";
/// Source-offset key.
pub const POSITION_FIELD: &str = "position";

/// The connector's own keys.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            Key::new(FILE_CONFIG, ConfigType::STRING)
                .default_null()
                .importance(Importance::HIGH)
                .doc("Source filename. If not specified, the standard input will be used"),
        )
        .define(
            Key::new(TOPIC_CONFIG, ConfigType::LIST)
                .importance(Importance::HIGH)
                .doc("The topic to publish data to")
                .non_empty(),
        )
        .define(
            Key::new(BATCH_SIZE_CONFIG, ConfigType::INT)
                .default("2000")
                .importance(Importance::LOW)
                .range(Some(1.0), None)
                .doc("The maximum number of records the source task can read from the file each time it is polled"),
        )
}
