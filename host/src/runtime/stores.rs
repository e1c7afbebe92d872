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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSnapshot {
    /// Connectors by name.
    pub connectors: BTreeMap<String, ConnectorEntry>,
    /// The config position this view was read at, as Java's `ClusterConfigState.offset()`:
    /// the offset of the last record read plus one; −1 before any record. A record whose value is
    /// not JSON does not advance it; every other one does, even one that is invalid or unused here
    /// (Java counts a record once its converter accepted it). Workers of one group compare it in
    /// the group protocol.
    pub offset: i64,
    /// The newest session key (the last valid `session-key` record in log order), if any worker
    /// wrote one.
    pub session_key: Option<SessionKey>,
    /// Restart requests (`restart-connector-<name>`, KIP-745) read since the previous
    /// [`ConfigLog::snapshot`]: each is delivered once, in log order, duplicates included (Java's
    /// herder keeps the strongest pending request per connector; that is the herder's job).
    /// Requests already in the log when the store was opened are not included.
    pub restart_requests: Vec<RestartRequest>,
}

impl Default for ConfigSnapshot {
    fn default() -> Self {
        ConfigSnapshot {
            connectors: BTreeMap::new(),
            offset: -1,
            session_key: None,
            restart_requests: Vec::new(),
        }
    }
}

/// The key that signs internal REST requests between the workers of a group (KIP-507), as the
/// leader writes it to the config topic.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// The raw key bytes.
    pub key: Vec<u8>,
    /// The key's algorithm (`inter.worker.key.generation.algorithm`, e.g. `HmacSHA256`).
    pub algorithm: String,
    /// When the leader generated it, in ms since the epoch (rotation uses it).
    pub creation_timestamp: i64,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key bytes: debug output ends up in logs.
        f.debug_struct("SessionKey")
            .field("algorithm", &self.algorithm)
            .field("creation_timestamp", &self.creation_timestamp)
            .finish_non_exhaustive()
    }
}

/// A request to restart a connector and possibly its tasks, written to the config topic by the
/// leader so that the owners act on it (`restart-connector-<name>`). A field missing from a
/// stored record (or not a boolean) reads as `false`, as in Java.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartRequest {
    /// The connector.
    pub connector: String,
    /// Restart its tasks too.
    pub include_tasks: bool,
    /// Restart only the FAILED instances.
    pub only_failed: bool,
}

/// Connector configs, task configs and target states (Kafka Connect's config topic).
pub trait ConfigLog: Send + Sync + 'static {
    /// Reads the log to its end and returns the current view. Restart requests in it are the ones
    /// read since the previous call (each handed out once, so one caller, the herder, should act
    /// on them); those already in the log when the store was opened are not handed out, as in
    /// Java, whose config store notifies its herder of restart requests only after its first read
    /// to the end.
    fn snapshot(&self) -> Result<ConfigSnapshot, StoreError>;
    /// [`ConfigLog::snapshot`], giving up after `budget` (for a caller that must answer in time,
    /// such as the leader before its group sync; on failure nothing is consumed).
    fn snapshot_within(&self, budget: Duration) -> Result<ConfigSnapshot, StoreError> {
        let _ = budget;
        self.snapshot()
    }
    /// Writes a connector's configuration (`connector-<name>`).
    fn put_connector_config(&self, name: &str, config: &ConfigMap) -> Result<(), StoreError>;
    /// Writes a connector's target state (`target-state-<name>`).
    fn put_target_state(&self, name: &str, target: TargetState) -> Result<(), StoreError>;
    /// Writes its task configurations (`task-<name>-<n>` then `commit-<name>`).
    fn put_task_configs(&self, name: &str, tasks: &[ConfigMap]) -> Result<(), StoreError>;
    /// Deletes a connector (tombstones its records).
    fn remove_connector(&self, name: &str) -> Result<(), StoreError>;
    /// Writes a new session key (`session-key`, byte for byte as Java writes it); the leader of a
    /// group does this. Every worker's next snapshot carries it.
    fn put_session_key(&self, key: &SessionKey) -> Result<(), StoreError>;
    /// Writes a restart request (`restart-connector-<name>`, byte for byte as Java writes it);
    /// the leader of a group does this. Every worker's next snapshot (the writer's too) hands it
    /// out.
    fn put_restart_request(&self, request: &RestartRequest) -> Result<(), StoreError>;
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
///
/// Every status carries the writer's group generation (`Status::generation`, from its last
/// assignment) and its `worker_id`; Java's rules for them (`KafkaStatusBackingStore`) apply to
/// every implementation alike:
/// * FAILED and UNASSIGNED are written with `putSafe`: only if no status is known, the known one
///   is this worker's (same `worker_id`), or its generation is not newer than the new one;
///   otherwise the write is dropped and the call still returns `Ok`, as in Java. The other states
///   are written unconditionally.
/// * An UNASSIGNED task status is ignored when read if the known status is RUNNING with a
///   generation at least as new.
pub trait StatusStore: Send + Sync + 'static {
    /// Writes a connector's status (`status-connector-<name>`), with the rules above. Does not
    /// wait for the broker (see [`StatusStore::flush`]).
    fn put_connector(&self, name: &str, status: &Status) -> Result<(), StoreError>;
    /// Writes a task's status (`status-task-<name>-<n>`), as [`StatusStore::put_connector`].
    fn put_task(&self, connector: &str, task: u32, status: &Status) -> Result<(), StoreError>;
    /// The newest known status of a connector, whichever worker wrote it: what is new on the
    /// status topic is read first (the Kafka store does so at most every
    /// `storage::MIN_REFRESH_INTERVAL`, and answers from what it read before when the topic
    /// cannot be read, as Java's cached reads do; see `storage::KafkaStatusStore`).
    fn connector_status(&self, name: &str) -> Result<Option<Status>, StoreError>;
    /// The newest known status of a task, whichever worker wrote it (as
    /// [`StatusStore::connector_status`]).
    fn task_status(&self, connector: &str, task: u32) -> Result<Option<Status>, StoreError>;
    /// Records that a connector used a topic (`status-topic-<topic>:connector-<name>`).
    fn put_topic(&self, connector: &str, topic: &str) -> Result<(), StoreError>;
    /// Deletes the status of a connector and of tasks `0..tasks` (tombstones; a connector's
    /// tombstone also makes readers forget every task status of that connector, as in Java).
    fn remove_connector(&self, name: &str, tasks: u32) -> Result<(), StoreError>;
    /// Forgets a connector's active topics (those reported by every worker).
    fn reset_topics(&self, connector: &str) -> Result<(), StoreError>;
    /// The topics a connector used, as reported by any worker.
    fn topics(&self, connector: &str) -> Result<Vec<String>, StoreError>;
    /// Waits until every status written so far is acknowledged, for at most `timeout`. A worker
    /// whose connectors or tasks are revoked calls it before its rebalance proceeds, so the new
    /// owner's statuses follow its own in the log.
    fn flush(&self, timeout: Duration) -> Result<(), StoreError>;
}
