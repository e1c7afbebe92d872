//! Test fixture: `com.example.connect.PanickingSinkConnector`, whose task panics in `put`.
//! It also logs through `tracing` and `log` at start, to prove both reach the host.

use connect_plugin_api::prelude::*;

/// The connector.
pub struct PanickingSinkConnector;

impl ConnectorDescription for PanickingSinkConnector {
    const CLASS: &'static str = "com.example.connect.PanickingSinkConnector";
    const VERSION: &'static str = "0.1.0";
    const DESCRIPTION: &'static str = "Panics in put (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            Key::new("panic.message", ConfigType::STRING).default("deliberate panic in put"),
        )
    }
}

impl SinkConnector for PanickingSinkConnector {
    type Task = PanickingTask;
    fn start(config: Config, _: ConnectorContext) -> Result<Self, ConnectError> {
        tracing::info!(
            message_len = config.string_or_empty("panic.message").len(),
            "panicking sink connector started"
        );
        Ok(Self)
    }
}

/// The task.
pub struct PanickingTask {
    message: String,
}

impl SinkTask for PanickingTask {
    fn start(config: Config, _: TaskContext) -> Result<Self, ConnectError> {
        log::warn!("panicking sink task started via the log crate");
        Ok(Self {
            message: config.string_or_empty("panic.message").to_owned(),
        })
    }
    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        tracing::debug!(records = batch.len(), "panicking sink put called");
        panic!("{}", self.message);
    }
}

connect_plugin_api::export_plugin!(sinks: [PanickingSinkConnector]);
