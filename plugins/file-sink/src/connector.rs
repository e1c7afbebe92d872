//! The connector: every task gets the connector's configuration, as Kafka's does.

use connect_plugin_api::prelude::*;

use crate::{config, task::FileStreamSinkTask};

/// `org.apache.kafka.connect.file.FileStreamSinkConnector`.
pub struct FileStreamSinkConnector;

impl ConnectorDescription for FileStreamSinkConnector {
    const CLASS: &'static str = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Appends each record's value as one line to a file.";

    fn config_def() -> ConfigDef {
        config::config_def()
    }
}

impl SinkConnector for FileStreamSinkConnector {
    type Task = FileStreamSinkTask;

    fn start(_config: Config, _context: ConnectorContext) -> Result<Self, ConnectError> {
        Ok(Self)
    }
}
