//! The host objects handed to plugins (`TaskContext`, `ConnectorContext` of the ABI). Plugin
//! calls may come from any plugin thread, so each only records a request; the task's own thread
//! acts on it between calls into the plugin.

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

use super::{status::State, stores::OffsetStore, task_control::TaskControl};

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

impl TaskContext for HostTaskContext {
    fn pause(&self, partitions: RSlice<'_, TopicPartition>) {
        self.requests
            .lock()
            .unwrap()
            .pause
            .extend(partitions.iter().cloned());
    }
    fn resume(&self, partitions: RSlice<'_, TopicPartition>) {
        self.requests
            .lock()
            .unwrap()
            .resume
            .extend(partitions.iter().cloned());
    }
    fn request_commit(&self) {
        self.control.request_commit();
    }
    fn report_errant(&self, topic: RStr<'_>, partition: i32, offset: i64, error: PluginError) {
        self.requests.lock().unwrap().errant.push(ErrantReport {
            topic: topic.to_string(),
            partition,
            offset,
            error,
        });
    }
    fn source_offset(&self, partition: RStr<'_>) -> ROption<RString> {
        let Ok(partition) = serde_json::from_str::<serde_json::Value>(partition.as_str()) else {
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
    }
    fn record_metric(&self, name: RStr<'_>, value: f64) {
        tracing::trace!(connector = %self.control.connector(), metric = name.as_str(), value, "plugin metric");
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
        (self.reconfigure)();
    }
    fn raise_error(&self, error: PluginError) {
        let failure =
            super::errors::TaskFailure::from_plugin("a connector background thread", &error);
        self.control.report(State::Failed, Some(failure.trace));
    }
}
