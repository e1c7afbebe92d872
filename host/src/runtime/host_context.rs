//! The host objects handed to plugins (`TaskContext`, `ConnectorContext` of the ABI). Plugin
//! calls may come from any plugin thread, so each only records a request; the task's own thread
//! acts on it between calls into the plugin.
//!
//! Every method runs inside an `extern "C"` call made by plugin code, where a panic would abort
//! the whole process: each body is wrapped in [`shielded`], which turns a panic into a logged
//! error and a neutral answer.

use std::sync::{Arc, Mutex};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, ROption, RSlice, RStr, RString},
};
use connect_plugin_api::abi::{
    context::{ConnectorContext, ConnectorContext_TO, TaskContext, TaskContext_TO},
    error::PluginError,
    task::{ConnectorContextArc, TaskContextArc},
    types::TopicPartition,
};

use connect_plugin_api::abi::context::{MetricKind, MetricLabel};

use super::{
    plugin_metrics::PluginMetrics, status::State, stores::OffsetStore, task_control::TaskControl,
};

/// Runs a host callback body, never letting a panic unwind into plugin code.
fn shielded<T>(what: &str, fallback: T, f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(
                "the host's {what} callback panicked (the plugin call gets a neutral answer): {why}"
            );
            fallback
        }
    }
}

/// A record the plugin reported as errant, to be handled by the task thread.
#[derive(Debug, Clone)]
pub struct ErrantReport {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Why.
    pub error: PluginError,
}

/// Requests a plugin made through its task context, drained by the task thread.
#[derive(Default)]
pub struct TaskRequests {
    /// Partitions to pause.
    pub pause: Vec<TopicPartition>,
    /// Partitions to resume.
    pub resume: Vec<TopicPartition>,
    /// Errant records.
    pub errant: Vec<ErrantReport>,
}

/// The host side of one task's context.
pub struct HostTaskContext {
    control: Arc<TaskControl>,
    offsets: Arc<dyn OffsetStore>,
    requests: Arc<Mutex<TaskRequests>>,
}

impl HostTaskContext {
    /// The boundary object, and the queue its requests land in.
    pub fn create(
        control: Arc<TaskControl>,
        offsets: Arc<dyn OffsetStore>,
    ) -> (TaskContextArc, Arc<Mutex<TaskRequests>>) {
        let requests = Arc::new(Mutex::new(TaskRequests::default()));
        let ctx = HostTaskContext {
            control,
            offsets,
            requests: requests.clone(),
        };
        (
            TaskContext_TO::from_ptr(RArc::new(ctx), TD_Opaque),
            requests,
        )
    }
}

impl HostTaskContext {
    fn requests(&self) -> std::sync::MutexGuard<'_, TaskRequests> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TaskContext for HostTaskContext {
    fn pause(&self, partitions: RSlice<'_, TopicPartition>) {
        shielded("pause", (), || {
            self.requests().pause.extend(partitions.iter().cloned())
        });
    }
    fn resume(&self, partitions: RSlice<'_, TopicPartition>) {
        shielded("resume", (), || {
            self.requests().resume.extend(partitions.iter().cloned())
        });
    }
    fn request_commit(&self) {
        shielded("request_commit", (), || self.control.request_commit());
    }
    fn report_errant(&self, topic: RStr<'_>, partition: i32, offset: i64, error: PluginError) {
        shielded("report_errant", (), || {
            self.requests().errant.push(ErrantReport {
                topic: topic.to_string(),
                partition,
                offset,
                error,
            })
        });
    }
    fn source_offset(&self, partition: RStr<'_>) -> ROption<RString> {
        shielded("source_offset", ROption::RNone, || {
            let Ok(partition) = serde_json::from_str::<serde_json::Value>(partition.as_str())
            else {
                return ROption::RNone;
            };
            match self.offsets.get(self.control.connector(), &partition) {
                Ok(Some(v)) => ROption::RSome(v.to_string().into()),
                Ok(None) => ROption::RNone,
                Err(e) => {
                    tracing::warn!(connector = %self.control.connector(), "cannot read a source offset: {e}");
                    ROption::RNone
                }
            }
        })
    }
    fn record_metric(
        &self,
        kind: MetricKind,
        name: RStr<'_>,
        labels: RSlice<'_, MetricLabel<'_>>,
        value: f64,
    ) {
        shielded("record_metric", (), || {
            let labels: Vec<(&str, &str)> = labels
                .iter()
                .map(|l| (l.name.as_str(), l.value.as_str()))
                .collect();
            let task = self.control.task().map_or(-1, |t| t as i32);
            if let Err(e) = PluginMetrics::global().record(
                self.control.connector(),
                task,
                kind,
                name.as_str(),
                &labels,
                value,
            ) {
                tracing::warn!(connector = %self.control.connector(), task, "a plugin metric was dropped: {e}");
            }
        });
    }
}

/// The host side of a connector's context.
pub struct HostConnectorContext {
    control: Arc<TaskControl>,
    reconfigure: Arc<dyn Fn() + Send + Sync>,
}

impl HostConnectorContext {
    /// The boundary object; `reconfigure` runs when the plugin asks for new task configs.
    pub fn create(
        control: Arc<TaskControl>,
        reconfigure: Arc<dyn Fn() + Send + Sync>,
    ) -> ConnectorContextArc {
        ConnectorContext_TO::from_ptr(
            RArc::new(HostConnectorContext {
                control,
                reconfigure,
            }),
            TD_Opaque,
        )
    }
}

impl ConnectorContext for HostConnectorContext {
    fn request_task_reconfiguration(&self) {
        shielded("request_task_reconfiguration", (), || (self.reconfigure)());
    }
    fn raise_error(&self, error: PluginError) {
        shielded("raise_error", (), || {
            let failure =
                super::errors::TaskFailure::from_plugin("a connector background thread", &error);
            self.control.report(State::Failed, Some(failure.trace));
        });
    }
}
