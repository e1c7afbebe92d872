//! What the runtime needs persisted, as small traits: connector configs and target states (the
//! config log), source offsets, and statuses. `storage` implements them on Kafka topics (in the
//! formats Java workers use), on a file for standalone offsets, and in memory for tests.
//!
//! Every write returns only once it is durable (acknowledged by the broker or synced to disk),
//! because callers act on it: a source task is told its records are committed only after its
//! offsets were written.

use std::{collections::BTreeMap, time::Duration};

use serde_json::Value;

use super::status::{Status, TargetState};

/// A connector or task configuration: every value a string.
pub type ConfigMap = BTreeMap<String, String>;

/// Why a store could not read or write.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Kafka refused or timed out.
    #[error("Kafka: {0}")]
    Kafka(String),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A stored record could not be understood.
    #[error("unreadable record in {store}: {detail}")]
    Corrupt {
        /// Which store.
        store: String,
        /// What was wrong.
        detail: String,
    },
}

/// One connector as the config log knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectorEntry {
    /// The connector's configuration (raw strings, as submitted).
    pub config: ConfigMap,
    /// What the user asked it to be.
    pub target: TargetState,
    /// Its committed task configurations (empty when STOPPED or not yet generated).
    pub tasks: Vec<ConfigMap>,
}

/// Everything the config log holds, after reading it to the end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigSnapshot {
    /// Connectors by name.
    pub connectors: BTreeMap<String, ConnectorEntry>,
}

/// Connector configs, task configs and target states (Kafka Connect's config topic).
pub trait ConfigLog: Send + Sync + 'static {
    /// Reads the whole log and returns the current view.
    fn snapshot(&self) -> Result<ConfigSnapshot, StoreError>;
    /// Writes a connector's configuration (`connector-<name>`).
    fn put_connector_config(&self, name: &str, config: &ConfigMap) -> Result<(), StoreError>;
    /// Writes a connector's target state (`target-state-<name>`).
    fn put_target_state(&self, name: &str, target: TargetState) -> Result<(), StoreError>;
    /// Writes its task configurations (`task-<name>-<n>` then `commit-<name>`).
    fn put_task_configs(&self, name: &str, tasks: &[ConfigMap]) -> Result<(), StoreError>;
    /// Deletes a connector (tombstones its records).
    fn remove_connector(&self, name: &str) -> Result<(), StoreError>;
}

/// Source offsets: per connector, a map from source partition to source offset (JSON objects).
pub trait OffsetStore: Send + Sync + 'static {
    /// The stored offset of one source partition.
    fn get(&self, connector: &str, partition: &Value) -> Result<Option<Value>, StoreError>;
    /// Every stored (partition, offset) of a connector.
    fn connector_offsets(&self, connector: &str) -> Result<Vec<(Value, Value)>, StoreError>;
    /// Writes offsets (`None` removes a partition's offset); durable when it returns `Ok`.
    /// Waits at most `timeout` for the store to acknowledge (Kafka Connect bounds an offset
    /// commit by `offset.flush.timeout.ms`); an error means the offsets may or may not be
    /// stored, and the caller keeps them to write again.
    fn put(
        &self,
        connector: &str,
        offsets: &[(Value, Option<Value>)],
        timeout: Duration,
    ) -> Result<(), StoreError>;
}

/// Connector and task statuses (Kafka Connect's status topic).
pub trait StatusStore: Send + Sync + 'static {
    /// Writes a connector's status (`status-connector-<name>`).
    fn put_connector(&self, name: &str, status: &Status) -> Result<(), StoreError>;
    /// Writes a task's status (`status-task-<name>-<n>`).
    fn put_task(&self, connector: &str, task: u32, status: &Status) -> Result<(), StoreError>;
    /// Records that a connector used a topic (`status-topic-<topic>:connector-<name>`).
    fn put_topic(&self, connector: &str, topic: &str) -> Result<(), StoreError>;
    /// Deletes the status of a connector and of tasks `0..tasks`.
    fn remove_connector(&self, name: &str, tasks: u32) -> Result<(), StoreError>;
    /// Forgets a connector's active topics.
    fn reset_topics(&self, connector: &str) -> Result<(), StoreError>;
    /// The topics a connector used.
    fn topics(&self, connector: &str) -> Result<Vec<String>, StoreError>;
}
