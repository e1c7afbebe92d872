//! Objects the host hands to plugins: per-connector and per-task services, and metrics.

use abi_stable::{
    StableAbi, sabi_trait,
    std_types::{ROption, RSlice, RStr, RString},
};

use super::{error::PluginError, types::TopicPartition};

/// What a metric sample means.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricKind(pub u8);

impl MetricKind {
    /// A monotonic counter: the value (≥ 0) is added to the running total.
    pub const COUNTER: MetricKind = MetricKind(1);
    /// A gauge: the value replaces the last one.
    pub const GAUGE: MetricKind = MetricKind(2);
    /// A histogram: the value is one observation (count, sum and buckets are kept).
    pub const HISTOGRAM: MetricKind = MetricKind(3);

    /// `counter`, `gauge` or `histogram`.
    pub fn name(self) -> &'static str {
        match self {
            Self::COUNTER => "counter",
            Self::GAUGE => "gauge",
            Self::HISTOGRAM => "histogram",
            _ => "unknown",
        }
    }
}

/// One label of a metric sample (`name="value"`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricLabel<'a> {
    /// Label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    pub name: RStr<'a>,
    /// Label value.
    pub value: RStr<'a>,
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

// The trait is written once and expanded with the methods of later minors (the `preview`
// feature's 2.1 additions); `#[sabi_trait]` does not accept `#[cfg]` on single methods.
macro_rules! task_context {
    ($($later:tt)*) => {
/// Services the host gives one task (Kafka Connect's `SinkTaskContext`/`SourceTaskContext`,
/// plus the errant-record reporter). Safe to call from any thread of the plugin; every call
/// returns at once and never panics into the plugin.
#[sabi_trait]
pub trait TaskContext: Send + Sync {
    /// Pauses consumption of these partitions (sink tasks) until [`TaskContext::resume`].
    fn pause(&self, partitions: RSlice<'_, TopicPartition>);

    /// Resumes partitions paused by [`TaskContext::pause`].
    fn resume(&self, partitions: RSlice<'_, TopicPartition>);

    /// Asks the host to run `pre_commit` and commit offsets soon.
    fn request_commit(&self);

    /// Reports a record the plugin could not write (by its Kafka coordinates), so the host applies
    /// `errors.tolerance` and sends it to the dead-letter queue. Report it *before* returning its
    /// offset from `pre_commit`: a commit past it could otherwise overtake the DLQ write.
    fn report_errant(&self, topic: RStr<'_>, partition: i32, offset: i64, error: PluginError);

    /// For source tasks: the last committed source offset (JSON object) of a source partition
    /// (JSON object), as Kafka Connect's `OffsetStorageReader`.
    fn source_offset(&self, partition: RStr<'_>) -> ROption<RString>;

    /// Records one metric sample of this task. The host adds the `connector` and `task` labels;
    /// `name` is `[a-zA-Z_:][a-zA-Z0-9_:]*` and keeps one kind for the task's life (a sample of
    /// another kind under the same name and labels is dropped with a warning). Counters with a
    /// negative value are dropped too.
    #[sabi(last_prefix_field)]
    fn record_metric(
        &self,
        kind: MetricKind,
        name: RStr<'_>,
        labels: RSlice<'_, MetricLabel<'_>>,
        value: f64,
    );

    $($later)*
}

    };
}

#[cfg(not(feature = "preview"))]
task_context! {}

#[cfg(feature = "preview")]
task_context! {
    /// (2.1, `preview`) `connector-name/task-number` of this context. The SDK calls it only in
    /// hosts of 2.1 or later.
    fn task_identity(&self) -> RString;
}
