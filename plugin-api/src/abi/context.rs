//! Objects the host hands to plugins: logging, and per-connector / per-task services.

use abi_stable::{
    sabi_trait,
    std_types::{ROption, RSlice, RStr, RString},
};

use super::{error::PluginError, types::TopicPartition};

/// Log levels as `u8` (they mirror `tracing::Level`).
pub mod level {
    /// ERROR
    pub const ERROR: u8 = 1;
    /// WARN
    pub const WARN: u8 = 2;
    /// INFO
    pub const INFO: u8 = 3;
    /// DEBUG
    pub const DEBUG: u8 = 4;
    /// TRACE
    pub const TRACE: u8 = 5;
}

/// The host's services for a whole plugin library, handed over once right after loading.
///
/// A cdylib has its own copy of `tracing` and `log`, so the host's subscriber is invisible inside
/// it; the SDK forwards the plugin's events here instead. Called from any plugin thread.
#[sabi_trait]
pub trait HostLink: Send + Sync {
    /// Emits one log event in the host's `tracing` subscriber.
    fn log(&self, level: u8, target: RStr<'_>, message: RStr<'_>);

    /// The most verbose level the host currently records, so plugins skip formatting the rest.
    #[sabi(last_prefix_field)]
    fn max_level(&self) -> u8;
}

/// Services the host gives one connector instance (Kafka Connect's `ConnectorContext`).
#[sabi_trait]
pub trait ConnectorContext: Send + Sync {
    /// Asks the host to call `task_configs` again and restart tasks with the new configs.
    fn request_task_reconfiguration(&self);

    /// Reports an unrecoverable error found in a background thread: the connector becomes FAILED.
    #[sabi(last_prefix_field)]
    fn raise_error(&self, error: PluginError);
}

/// Services the host gives one task (Kafka Connect's `SinkTaskContext`/`SourceTaskContext`,
/// plus the errant-record reporter). Safe to call from any thread of the plugin.
#[sabi_trait]
pub trait TaskContext: Send + Sync {
    /// Pauses consumption of these partitions (sink tasks) until [`TaskContext::resume`].
    fn pause(&self, partitions: RSlice<'_, TopicPartition>);

    /// Resumes partitions paused by [`TaskContext::pause`].
    fn resume(&self, partitions: RSlice<'_, TopicPartition>);

    /// Asks the host to run `pre_commit` and commit offsets soon.
    fn request_commit(&self);

    /// Reports a record the plugin could not write (by its Kafka coordinates), so the host applies
    /// `errors.tolerance` and sends it to the dead-letter queue. Returns at once.
    fn report_errant(&self, topic: RStr<'_>, partition: i32, offset: i64, error: PluginError);

    /// For source tasks: the last committed source offset (JSON object) of a source partition
    /// (JSON object), as Kafka Connect's `OffsetStorageReader`.
    fn source_offset(&self, partition: RStr<'_>) -> ROption<RString>;

    /// Records a plugin metric (a gauge or a counter increment, by name).
    #[sabi(last_prefix_field)]
    fn record_metric(&self, name: RStr<'_>, value: f64);
}
