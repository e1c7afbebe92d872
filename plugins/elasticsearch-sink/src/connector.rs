//! The connector: validation (per key, cross-key, live) and task configs (every task gets the
//! connector's configuration; Kafka's group protocol splits the partitions).

use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::prelude::*;

use crate::{config, task::ElasticsearchSinkTask};

/// The version this connector reports: the Confluent line it reproduces, `-rs`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "-rs");

/// `io.confluent.connect.elasticsearch.ElasticsearchSinkConnector`.
pub struct ElasticsearchSinkConnector;

impl ConnectorDescription for ElasticsearchSinkConnector {
    const CLASS: &'static str = "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str =
        "Writes records to Elasticsearch 7/8 or OpenSearch indices or data streams with _bulk.";

    fn config_def() -> ConfigDef {
        config::config_def()
    }

    fn validate(config: &ConfigMap) -> Vec<ConfigValueReport> {
        config::validate(config)
    }
}

impl SinkConnector for ElasticsearchSinkConnector {
    type Task = ElasticsearchSinkTask;

    fn start(config: Config, _context: ConnectorContext) -> Result<Self, ConnectError> {
        let typed = config::EsConfig::from_config(&config)?;
        if let Some(t) = &typed.type_name {
            tracing::warn!(
                "'type.name' ({t}) is accepted for compatibility with the 5.5.x connector and ignored: `_type` is never sent"
            );
        }
        Ok(Self)
    }

    /// The connector's configuration plus `taskId` (the task's index), which this connector has
    /// always added (nothing reads it; it shows in `GET /connectors/{name}/tasks`).
    fn task_configs(
        &mut self,
        max_tasks: usize,
        config: &Config,
    ) -> Result<Vec<ConfigMap>, ConnectError> {
        Ok((0..max_tasks)
            .map(|i| {
                let mut c = config.as_map().clone();
                c.insert("taskId".into(), i.to_string());
                c
            })
            .collect())
    }
}
