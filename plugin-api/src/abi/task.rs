//! The connector and task objects a plugin library exposes.
//!
//! Threading: the host calls each task object from one dedicated OS thread (never from an async
//! executor), one call at a time; calls may block (a plugin doing async I/O blocks on its own
//! runtime). Every call returns an error value; the SDK turns a panic into [`ErrorKind::PANIC`].
//!
//! [`ErrorKind::PANIC`]: super::error::ErrorKind::PANIC

use abi_stable::{
    sabi_trait,
    std_types::{RArc, RBox, RResult, RSlice, RVec},
};

use super::{
    config::{ConfigKeyDef, ConfigValueReport},
    context::{ConnectorContext_TO, TaskContext_TO},
    error::PluginError,
    plugin::PluginInfo,
    types::{
        ConfigEntry, RecordBatch, SourceBatch, TopicPartition, TopicPartitionOffset, WrittenRecord,
    },
};

/// A task object owned by the host.
pub type SinkTaskBox = SinkTask_TO<'static, RBox<()>>;
/// A task object owned by the host.
pub type SourceTaskBox = SourceTask_TO<'static, RBox<()>>;
/// A connector instance owned by the host.
pub type ConnectorBox = Connector_TO<'static, RBox<()>>;
/// A connector class object.
pub type ConnectorFactoryBox = ConnectorFactory_TO<'static, RBox<()>>;
/// The per-task host services.
pub type TaskContextArc = TaskContext_TO<'static, RArc<()>>;
/// The per-connector host services.
pub type ConnectorContextArc = ConnectorContext_TO<'static, RArc<()>>;

/// One connector class of a plugin library: describes it and creates its instances.
#[sabi_trait]
pub trait ConnectorFactory: Send + Sync {
    /// Class name, version, kind (`SINK` or `SOURCE`), description.
    fn info(&self) -> PluginInfo;

    /// The connector's own configuration keys (the host adds the framework keys).
    fn config_def(&self) -> RVec<ConfigKeyDef>;

    /// Validates a full connector configuration: one report per key of `config_def`, with the
    /// per-key errors (type, range, required) and the connector's cross-key checks.
    fn validate(
        &self,
        config: RSlice<'_, ConfigEntry>,
    ) -> RResult<RVec<ConfigValueReport>, PluginError>;

    /// Creates and starts a connector instance (Kafka Connect's `Connector.start`).
    fn start_connector(
        &self,
        config: RSlice<'_, ConfigEntry>,
        context: ConnectorContextArc,
    ) -> RResult<ConnectorBox, PluginError>;

    /// Creates and starts a sink task with a config from `task_configs`. Fails with a CONFIG
    /// error if this class is not a sink.
    fn start_sink_task(
        &self,
        config: RSlice<'_, ConfigEntry>,
        context: TaskContextArc,
    ) -> RResult<SinkTaskBox, PluginError>;

    /// Creates and starts a source task. Fails with a CONFIG error if this class is not a source.
    #[sabi(last_prefix_field)]
    fn start_source_task(
        &self,
        config: RSlice<'_, ConfigEntry>,
        context: TaskContextArc,
    ) -> RResult<SourceTaskBox, PluginError>;
}

/// A running connector instance.
#[sabi_trait]
pub trait Connector: Send {
    /// Splits the work into at most `max_tasks` task configurations.
    fn task_configs(&mut self, max_tasks: u32) -> RResult<RVec<RVec<ConfigEntry>>, PluginError>;

    /// Stops the connector; called once, after its tasks stopped.
    #[sabi(last_prefix_field)]
    fn stop(&mut self) -> RResult<(), PluginError>;
}

/// A running sink task. Lifecycle, in the order the host calls it:
/// `start_sink_task` → `open(partitions)` → `put(batch)`… with `pre_commit(offsets)` before each
/// offset commit → on rebalance `close(revoked)` then `open(assigned)` → `close(all)` → `stop`.
#[sabi_trait]
pub trait SinkTask: Send {
    /// These partitions are now assigned to this task (exclusively, until closed).
    fn open(&mut self, partitions: RSlice<'_, TopicPartition>) -> RResult<(), PluginError>;

    /// Writes (or starts writing) a batch. May return before the data is durable: what is durable
    /// is reported by `pre_commit`. RETRIABLE means "call again with the same batch later".
    fn put(&mut self, batch: &RecordBatch) -> RResult<(), PluginError>;

    /// Before the host commits offsets: given the offsets consumed so far (next to read), returns
    /// the offsets that are durable downstream; the host commits exactly these. Returning an
    /// empty list skips this commit.
    fn pre_commit(
        &mut self,
        offsets: RSlice<'_, TopicPartitionOffset>,
    ) -> RResult<RVec<TopicPartitionOffset>, PluginError>;

    /// These partitions are no longer assigned; drop their buffered state.
    fn close(&mut self, partitions: RSlice<'_, TopicPartition>) -> RResult<(), PluginError>;

    /// The task stops; called once after the final `pre_commit`/commit and `close`.
    #[sabi(last_prefix_field)]
    fn stop(&mut self) -> RResult<(), PluginError>;
}

/// A running source task. The host calls `poll` in a loop; after the records of a polled batch
/// are acknowledged by Kafka it calls `commit_records`, and after their source offsets are stored
/// it calls `commit`.
#[sabi_trait]
pub trait SourceTask: Send {
    /// Fills `out` (handed over empty) with records to produce. Should return within about a
    /// second even when there is nothing to read, so the host can pause or stop the task.
    fn poll(&mut self, out: &mut SourceBatch) -> RResult<(), PluginError>;

    /// The records of poll number `sequence` (counted from 0) listed in `written` were
    /// acknowledged by Kafka (Kafka Connect's `commitRecord`, per batch).
    fn commit_records(
        &mut self,
        sequence: u64,
        written: RSlice<'_, WrittenRecord>,
    ) -> RResult<(), PluginError>;

    /// Source offsets up to the last acknowledged batch were stored.
    fn commit(&mut self) -> RResult<(), PluginError>;

    /// The task stops; no other call follows.
    #[sabi(last_prefix_field)]
    fn stop(&mut self) -> RResult<(), PluginError>;
}
