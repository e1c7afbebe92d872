//! The sink's configuration keys (those of Kafka's `FileStreamSinkConnector`).

use connect_plugin_api::prelude::*;

/// Destination file; standard output when unset.
pub const FILE_CONFIG: &str = "file";

/// The connector's own keys (the host adds `topics`, converters and the other framework keys).
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        Key::new(FILE_CONFIG, ConfigType::STRING)
            .default_null()
            .importance(Importance::HIGH)
            .doc("Destination filename. If not specified, the standard output will be used")
            .display("File"),
    )
}
