//! The traits a plugin implements: connectors and their tasks, after Kafka Connect's
//! `connect-api`. Each method's doc says when the host calls it and what an error makes it do.
//!
//! Threading: each task runs on its own host thread; calls on one task never overlap. Calls may
//! block; a plugin doing async I/O uses [`crate::sdk::runtime`] (feature `tokio`) and blocks on it.

use crate::abi::types::{
    RecordBatch, SourceBatch, TopicPartition, TopicPartitionOffset, WrittenRecord,
};

use super::{
    config::{Config, ConfigMap},
    context::{ConnectorContext, TaskContext},
    error::ConnectError,
};

/// What a connector class says about itself: the same as every plugin class.
pub use super::plugin::PluginDescription as ConnectorDescription;

/// A sink connector: configuration and task splitting (Kafka Connect's `SinkConnector`).
pub trait SinkConnector: ConnectorDescription + Send + Sized + 'static {
    /// The task type.
    type Task: SinkTask;

    /// Starts the connector with its validated configuration. An error fails the connector.
    fn start(config: Config, context: ConnectorContext) -> Result<Self, ConnectError>;

    /// At most `max_tasks` task configurations. `config` is the connector's validated
    /// configuration (defaults filled in), the one [`SinkConnector::start`] received; the SDK
    /// keeps it, so a connector need not store it just to hand it on.
    ///
    /// The default gives every one of the `max_tasks` tasks exactly `config`, which is right for
    /// almost every sink: Kafka's group protocol splits the partitions between the tasks.
    /// Override it only to give tasks different or extra keys.
    fn task_configs(
        &mut self,
        max_tasks: usize,
        config: &Config,
    ) -> Result<Vec<ConfigMap>, ConnectError> {
        Ok(vec![config.as_map().clone(); max_tasks])
    }

    /// Stops the connector.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A source connector (Kafka Connect's `SourceConnector`).
pub trait SourceConnector: ConnectorDescription + Send + Sized + 'static {
    /// The task type.
    type Task: SourceTask;

    /// Starts the connector with its validated configuration. An error fails the connector.
    fn start(config: Config, context: ConnectorContext) -> Result<Self, ConnectError>;

    /// At most `max_tasks` task configurations.
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<ConfigMap>, ConnectError>;

    /// Stops the connector.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A sink task. Lifecycle: `start` → `open(partitions)` → `put(batch)`… with `pre_commit` before
/// every offset commit → on rebalance `close(revoked)`/`open(assigned)` → `close(all)` → `stop`.
pub trait SinkTask: Send + Sized + 'static {
    /// Creates the task from one of the connector's task configurations, parsed with the
    /// connector's [`config_def`](super::plugin::PluginDescription::config_def): defaults filled
    /// in, typed getters; keys the definition lacks are kept as they are (see
    /// [`Config::string`]). A value of a defined key that does not validate fails the task with a
    /// CONFIG error.
    fn start(config: Config, context: TaskContext) -> Result<Self, ConnectError>;

    /// Partitions newly assigned to this task.
    fn open(&mut self, _partitions: &[TopicPartition]) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Writes a batch (or starts writing it). `Retriable` = call again with the same batch later;
    /// `InvalidRecord` = that record goes to error handling and the rest of the batch is re-put.
    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError>;

    /// Makes everything put so far durable (called by the default `pre_commit`).
    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Returns the offsets (next to read) up to which data is durable; the host commits exactly
    /// these. Default: `flush`, then all of `offsets`.
    fn pre_commit(
        &mut self,
        offsets: &[TopicPartitionOffset],
    ) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        self.flush(offsets)?;
        Ok(offsets.to_vec())
    }

    /// Partitions no longer assigned.
    fn close(&mut self, _partitions: &[TopicPartition]) -> Result<(), ConnectError> {
        Ok(())
    }

    /// The task stops.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A source task. The host polls in a loop, produces, then acknowledges.
pub trait SourceTask: Send + Sized + 'static {
    /// Creates the task from one of the connector's task configurations, parsed leniently with
    /// the connector's `config_def` (as for [`SinkTask::start`]: defaults filled in, per-task
    /// keys outside the definition kept raw, e.g. `config.string("task.files")`); read stored
    /// positions with [`TaskContext::source_offset`].
    fn start(config: Config, context: TaskContext) -> Result<Self, ConnectError>;

    /// Fills `out` with records; returns within about a second when there is nothing new.
    fn poll(&mut self, out: &mut SourceBatch) -> Result<(), ConnectError>;

    /// Poll number `sequence` was written to Kafka (per record: partition and offset).
    fn commit_records(
        &mut self,
        _sequence: u64,
        _written: &[WrittenRecord],
    ) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Source offsets up to the last acknowledged poll are stored.
    fn commit(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }

    /// The task stops.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}
