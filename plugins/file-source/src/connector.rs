//! The connector: one task reads the file (a file has no partitions to share).

use connect_plugin_api::prelude::*;

use crate::{
    config::{self, TOPIC_CONFIG},
    task::FileStreamSourceTask,
};

/// `org.apache.kafka.connect.file.FileStreamSourceConnector`.
pub struct FileStreamSourceConnector {
    config: ConfigMap,
}

impl ConnectorDescription for FileStreamSourceConnector {
    const CLASS: &'static str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Reads lines from a file into a Kafka topic.";

    fn config_def() -> ConfigDef {
        config::config_def()
    }

    fn validate(config: &ConfigMap) -> Vec<connect_plugin_api::abi::config::ConfigValueReport> {
        let mut reports = config::config_def().validate(config);
        if let Some(r) = reports.iter_mut().find(|r| r.name.as_str() == TOPIC_CONFIG)
            && config.get(TOPIC_CONFIG).is_some_and(|t| t.contains(','))
        {
            r.errors.push(SINGLE_TOPIC.into());
        }
        reports
    }
}

const SINGLE_TOPIC: &str =
    "'topic' in FileStreamSourceConnector configuration requires definition of a single topic";

impl SourceConnector for FileStreamSourceConnector {
    type Task = FileStreamSourceTask;

    fn start(config: Config, _context: ConnectorContext) -> Result<Self, ConnectError> {
        if config.list(TOPIC_CONFIG).len() != 1 {
            return Err(ConnectError::config(SINGLE_TOPIC));
        }
        Ok(Self {
            config: config.as_map().clone(),
        })
    }

    /// One task, whatever `max_tasks`: a file has no partitions to share.
    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<ConfigMap>, ConnectError> {
        Ok(vec![self.config.clone()])
    }
}
