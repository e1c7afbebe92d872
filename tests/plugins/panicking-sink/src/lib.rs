//! Test fixture: `com.example.connect.PanickingSinkConnector`, whose task panics in `put` (or,
//! with `fail.with=invalid-record-without-index`, reports an invalid record without saying which:
//! a plugin bug the host must not paper over). It also logs through `tracing` and `log` at
//! start, to prove both reach the host.
//!
//! `secret` is a PASSWORD key; `{secret}` in `panic.message` is replaced by its value, as a
//! careless plugin quotes its credentials in an error. With `fail.with=error` `put` returns that
//! message as a FATAL error instead of panicking, and with `fail.with=errant` it reports every
//! record to the host's error handling with that message (and accepts the batch).

use connect_plugin_api::prelude::*;

/// The connector.
pub struct PanickingSinkConnector;

impl ConnectorDescription for PanickingSinkConnector {
    const CLASS: &'static str = "com.example.connect.PanickingSinkConnector";
    const VERSION: &'static str = "0.1.0";
    const DESCRIPTION: &'static str = "Panics in put (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                Key::new("panic.message", ConfigType::STRING).default("deliberate panic in put"),
            )
            .define(Key::new("fail.with", ConfigType::STRING).default("panic"))
            .define(
                Key::new("secret", ConfigType::PASSWORD)
                    .default("")
                    .doc("A credential the task quotes in its errors (test fixture)."),
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
    without_index: bool,
    fail_with: String,
    context: TaskContext,
}

impl SinkTask for PanickingTask {
    fn start(config: Config, context: TaskContext) -> Result<Self, ConnectError> {
        log::warn!("panicking sink task started via the log crate");
        let secret = config
            .password("secret")
            .map(|p| p.into_value())
            .unwrap_or_default();
        Ok(Self {
            message: config
                .string_or_empty("panic.message")
                .replace("{secret}", &secret),
            without_index: config.string_or_empty("fail.with") == "invalid-record-without-index",
            fail_with: config.string_or_empty("fail.with").to_owned(),
            context,
        })
    }
    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        tracing::debug!(records = batch.len(), "panicking sink put called");
        if self.without_index && !batch.is_empty() {
            return Err(ConnectError {
                record: None,
                ..ConnectError::invalid_record(0, "one of these records is bad")
            });
        }
        if self.without_index {
            return Ok(());
        }
        match self.fail_with.as_str() {
            "error" => Err(ConnectError::fatal(self.message.clone())),
            "errant" => {
                for r in batch.iter() {
                    self.context.report_errant(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        ConnectError::fatal(self.message.clone()),
                    );
                }
                Ok(())
            }
            _ => panic!("{}", self.message),
        }
    }
}

connect_plugin_api::export_plugin!(sinks: [PanickingSinkConnector]);
