//! Safe wrappers around the host's per-connector and per-task services.

use abi_stable::std_types::{RSlice, RStr};

use crate::abi::{
    context::{MetricKind, MetricLabel},
    task::{ConnectorContextArc, TaskContextArc},
    types::TopicPartition,
};

use super::error::ConnectError;

/// What a task may ask of the host (Kafka Connect's `SinkTaskContext`/`SourceTaskContext` and
/// `ErrantRecordReporter`). Cheap to clone; usable from any thread of the plugin.
#[derive(Clone)]
pub struct TaskContext {
    inner: std::sync::Arc<TaskContextArc>,
}

impl TaskContext {
    /// Wraps the host object.
    pub fn new(inner: TaskContextArc) -> Self {
        Self {
            inner: std::sync::Arc::new(inner),
        }
    }
    /// Stops fetching these partitions until [`TaskContext::resume`].
    pub fn pause(&self, partitions: &[TopicPartition]) {
        self.inner.pause(RSlice::from_slice(partitions));
    }
    /// Resumes paused partitions.
    pub fn resume(&self, partitions: &[TopicPartition]) {
        self.inner.resume(RSlice::from_slice(partitions));
    }
    /// Asks for an offset commit soon.
    pub fn request_commit(&self) {
        self.inner.request_commit();
    }
    /// Hands a record the plugin could not write to the host's error handling (tolerance, DLQ).
    pub fn report_errant(&self, topic: &str, partition: i32, offset: i64, error: ConnectError) {
        self.inner
            .report_errant(RStr::from(topic), partition, offset, error.into_abi());
    }
    /// The stored source offset of a source partition (both JSON objects).
    pub fn source_offset(&self, partition: &serde_json::Value) -> Option<serde_json::Value> {
        let key = partition.to_string();
        self.inner
            .source_offset(RStr::from(key.as_str()))
            .into_option()
            .and_then(|s| serde_json::from_str(&s).ok())
    }
    /// Adds `value` (≥ 0) to counter `name` of this task (the host adds `connector` and `task`
    /// labels).
    pub fn counter(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.metric(MetricKind::COUNTER, name, labels, value);
    }
    /// Sets gauge `name` of this task.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.metric(MetricKind::GAUGE, name, labels, value);
    }
    /// Records one observation of histogram `name` (e.g. a request latency in seconds).
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.metric(MetricKind::HISTOGRAM, name, labels, value);
    }
    /// (2.1, `preview`) `connector/task` of this task; `None` in a host older than 2.1, which
    /// lacks the call (it is never made there: the rule of `abi/mod.rs`).
    #[cfg(feature = "preview")]
    pub fn task_identity(&self) -> Option<String> {
        const SINCE: crate::abi::host::AbiVersion =
            crate::abi::host::AbiVersion { major: 2, minor: 1 };
        super::host::supports(SINCE).then(|| self.inner.task_identity().into())
    }
    fn metric(&self, kind: MetricKind, name: &str, labels: &[(&str, &str)], value: f64) {
        let labels: Vec<MetricLabel<'_>> = labels
            .iter()
            .map(|(n, v)| MetricLabel {
                name: RStr::from(*n),
                value: RStr::from(*v),
            })
            .collect();
        self.inner
            .record_metric(kind, RStr::from(name), RSlice::from_slice(&labels), value);
    }
}

/// What a connector may ask of the host.
#[derive(Clone)]
pub struct ConnectorContext {
    inner: std::sync::Arc<ConnectorContextArc>,
}

impl ConnectorContext {
    /// Wraps the host object.
    pub fn new(inner: ConnectorContextArc) -> Self {
        Self {
            inner: std::sync::Arc::new(inner),
        }
    }
    /// Asks the host to recompute task configs.
    pub fn request_task_reconfiguration(&self) {
        self.inner.request_task_reconfiguration();
    }
    /// Fails the connector from a background thread.
    pub fn raise_error(&self, error: ConnectError) {
        self.inner.raise_error(error.into_abi());
    }
}
