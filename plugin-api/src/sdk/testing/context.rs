//! Recording contexts: what a task or connector asked of the host, for assertions.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, ROption, RSlice, RStr, RString},
};

use crate::abi::{
    context::{
        ConnectorContext as AbiConnectorContext, ConnectorContext_TO, MetricKind, MetricLabel,
        TaskContext as AbiTaskContext, TaskContext_TO,
    },
    error::{ErrorKind, PluginError},
    task::{ConnectorContextArc, TaskContextArc},
    types::TopicPartition,
};

use crate::sdk::context::{ConnectorContext, TaskContext};

/// One `report_errant` call (or an `INVALID_RECORD` answer the harness handled like the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errant {
    /// Topic of the record.
    pub topic: String,
    /// Partition of the record.
    pub partition: i32,
    /// Offset of the record.
    pub offset: i64,
    /// Kind of the error.
    pub kind: ErrorKind,
    /// Message of the error.
    pub message: String,
}

/// One metric call.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// Metric name.
    pub name: String,
    /// The plugin's labels, in call order (the host would add `connector` and `task`).
    pub labels: Vec<(String, String)>,
    /// The value passed.
    pub value: f64,
}

#[derive(Default)]
struct TaskState {
    paused: Vec<TopicPartition>,
    resumed: Vec<TopicPartition>,
    commit_requests: usize,
    errant: Vec<Errant>,
    metrics: Vec<Metric>,
    offsets: BTreeMap<String, String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A task context that records every request and serves source offsets from a map (preloaded
/// with [`RecordingTaskContext::with_source_offset`], updated by
/// [`SourceHarness`](super::SourceHarness) commits). Clones share the record.
#[derive(Clone, Default)]
pub struct RecordingTaskContext {
    state: Arc<Mutex<TaskState>>,
}

impl RecordingTaskContext {
    /// Nothing recorded, no stored offsets.
    pub fn new() -> Self {
        Self::default()
    }
    /// Stores `offset` for source partition `partition` (both JSON objects).
    pub fn with_source_offset(
        self,
        partition: serde_json::Value,
        offset: serde_json::Value,
    ) -> Self {
        self.set_source_offset(&partition.to_string(), &offset.to_string());
        self
    }
    /// Stores an offset, both as JSON text (a key is the partition's compact JSON).
    pub fn set_source_offset(&self, partition_json: &str, offset_json: &str) {
        lock(&self.state)
            .offsets
            .insert(partition_json.to_owned(), offset_json.to_owned());
    }
    /// Every stored source offset: partition JSON → offset JSON.
    pub fn source_offsets(&self) -> BTreeMap<String, String> {
        lock(&self.state).offsets.clone()
    }
    /// The stored offset of a source partition.
    pub fn source_offset(&self, partition: &serde_json::Value) -> Option<serde_json::Value> {
        lock(&self.state)
            .offsets
            .get(&partition.to_string())
            .and_then(|o| serde_json::from_str(o).ok())
    }
    /// The boundary object to hand to a factory.
    pub fn abi(&self) -> TaskContextArc {
        TaskContext_TO::from_ptr(RArc::new(self.clone()), TD_Opaque)
    }
    /// The SDK context, for calling a task's `start` directly.
    pub fn context(&self) -> TaskContext {
        TaskContext::new(self.abi())
    }
    /// Every `pause` call's partitions, in order.
    pub fn paused(&self) -> Vec<TopicPartition> {
        lock(&self.state).paused.clone()
    }
    /// Every `resume` call's partitions, in order.
    pub fn resumed(&self) -> Vec<TopicPartition> {
        lock(&self.state).resumed.clone()
    }
    /// Partitions paused and not resumed since.
    pub fn currently_paused(&self) -> Vec<TopicPartition> {
        let s = lock(&self.state);
        let mut now: Vec<TopicPartition> = Vec::new();
        for tp in &s.paused {
            if !now.contains(tp) {
                now.push(tp.clone());
            }
        }
        // A partition resumed at least as often as it was paused counts as resumed.
        now.retain(|tp| {
            s.paused.iter().filter(|p| *p == tp).count()
                > s.resumed.iter().filter(|p| *p == tp).count()
        });
        now
    }
    /// How many times the task asked for a commit.
    pub fn commit_requests(&self) -> usize {
        lock(&self.state).commit_requests
    }
    /// Every reported errant record.
    pub fn errant(&self) -> Vec<Errant> {
        lock(&self.state).errant.clone()
    }
    /// Records an errant record (what the harness does for `INVALID_RECORD`).
    pub fn push_errant(&self, errant: Errant) {
        lock(&self.state).errant.push(errant);
    }
    /// Every metric call, in order.
    pub fn metrics(&self) -> Vec<Metric> {
        lock(&self.state).metrics.clone()
    }
    /// The sum of every value recorded for counter `name` with exactly these labels.
    pub fn counter_total(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).iter().map(|m| m.value).sum()
    }
    /// The last value set for metric `name` with exactly these labels.
    pub fn last_value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.matching(name, labels).last().map(|m| m.value)
    }
    fn matching(&self, name: &str, labels: &[(&str, &str)]) -> Vec<Metric> {
        lock(&self.state)
            .metrics
            .iter()
            .filter(|m| {
                m.name == name
                    && m.labels.len() == labels.len()
                    && m.labels
                        .iter()
                        .zip(labels)
                        .all(|((a, b), (c, d))| a == c && b == d)
            })
            .cloned()
            .collect()
    }
}

impl AbiTaskContext for RecordingTaskContext {
    fn pause(&self, partitions: RSlice<'_, TopicPartition>) {
        lock(&self.state).paused.extend(partitions.iter().cloned());
    }
    fn resume(&self, partitions: RSlice<'_, TopicPartition>) {
        lock(&self.state).resumed.extend(partitions.iter().cloned());
    }
    fn request_commit(&self) {
        lock(&self.state).commit_requests += 1;
    }
    fn report_errant(&self, topic: RStr<'_>, partition: i32, offset: i64, error: PluginError) {
        self.push_errant(Errant {
            topic: topic.to_string(),
            partition,
            offset,
            kind: error.kind,
            message: error.message.to_string(),
        });
    }
    fn source_offset(&self, partition: RStr<'_>) -> ROption<RString> {
        lock(&self.state)
            .offsets
            .get(partition.as_str())
            .map(|o| RString::from(o.as_str()))
            .into()
    }
    fn record_metric(
        &self,
        kind: MetricKind,
        name: RStr<'_>,
        labels: RSlice<'_, MetricLabel<'_>>,
        value: f64,
    ) {
        lock(&self.state).metrics.push(Metric {
            kind,
            name: name.to_string(),
            labels: labels
                .iter()
                .map(|l| (l.name.to_string(), l.value.to_string()))
                .collect(),
            value,
        });
    }
    #[cfg(feature = "preview")]
    fn task_identity(&self) -> RString {
        "test/0".into()
    }
}

#[derive(Default)]
struct ConnectorState {
    reconfigurations: usize,
    errors: Vec<(ErrorKind, String)>,
}

/// A connector context that records reconfiguration requests and raised errors.
#[derive(Clone, Default)]
pub struct RecordingConnectorContext {
    state: Arc<Mutex<ConnectorState>>,
}

impl RecordingConnectorContext {
    /// Nothing recorded.
    pub fn new() -> Self {
        Self::default()
    }
    /// The boundary object to hand to a factory.
    pub fn abi(&self) -> ConnectorContextArc {
        ConnectorContext_TO::from_ptr(RArc::new(self.clone()), TD_Opaque)
    }
    /// The SDK context, for calling a connector's `start` directly.
    pub fn context(&self) -> ConnectorContext {
        ConnectorContext::new(self.abi())
    }
    /// How many times the connector asked for new task configs.
    pub fn reconfigurations(&self) -> usize {
        lock(&self.state).reconfigurations
    }
    /// Errors raised from the connector's background threads (kind, message).
    pub fn raised(&self) -> Vec<(ErrorKind, String)> {
        lock(&self.state).errors.clone()
    }
}

impl AbiConnectorContext for RecordingConnectorContext {
    fn request_task_reconfiguration(&self) {
        lock(&self.state).reconfigurations += 1;
    }
    fn raise_error(&self, error: PluginError) {
        lock(&self.state)
            .errors
            .push((error.kind, error.message.to_string()));
    }
}
