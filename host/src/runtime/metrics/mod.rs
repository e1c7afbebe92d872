//! The worker's metrics: Kafka Connect's metric groups (connect-worker-metrics,
//! connect-worker-rebalance-metrics, connector-metrics, connector-task-metrics, sink-task-metrics,
//! source-task-metrics, task-error-metrics) and what Kafka lacks (consumer lag per partition,
//! put/poll latency histograms, retries and back-off time), kept here and rendered by
//! [`render`] for `GET /metrics` together with the plugin-reported series
//! ([`super::plugin_metrics`]).
//!
//! One process-wide table, as [`super::plugin_metrics::PluginMetrics`]: each
//! [`super::task_control::TaskControl`] registers the state of its task or connector instance
//! when it is made and updates it with every status it reports; the task loops update the rest
//! once per batch. The table holds weak references: a task or connector the worker no longer
//! runs drops out at the next scrape, as Kafka removes a stopped task's metric groups.

pub mod connector;
pub mod render;
pub mod task;
pub mod window;
pub mod worker;

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, OnceLock, Weak},
};

pub use connector::ConnectorMetrics;
pub use render::{CONTENT_TYPE, render};
pub use task::{TaskKind, TaskMetrics};
pub use worker::WorkerMetrics;

/// Every metric of this worker.
#[derive(Default)]
pub struct ConnectMetrics {
    tasks: Mutex<BTreeMap<(String, u32), Weak<TaskMetrics>>>,
    connectors: Mutex<BTreeMap<String, Weak<ConnectorMetrics>>>,
    /// The worker-wide groups.
    pub worker: WorkerMetrics,
}

impl ConnectMetrics {
    /// The process-wide table.
    pub fn global() -> &'static ConnectMetrics {
        static GLOBAL: OnceLock<ConnectMetrics> = OnceLock::new();
        GLOBAL.get_or_init(ConnectMetrics::default)
    }

    /// Fresh state for task `task` of `connector`; it replaces that of an earlier instance.
    pub fn register_task(&self, connector: &str, task: u32) -> Arc<TaskMetrics> {
        let m = Arc::new(TaskMetrics::new(connector, task));
        lock(&self.tasks).insert((connector.to_owned(), task), Arc::downgrade(&m));
        m
    }

    /// Fresh state for an instance of `connector`; it replaces that of an earlier instance.
    pub fn register_connector(&self, connector: &str) -> Arc<ConnectorMetrics> {
        let m = Arc::new(ConnectorMetrics::new(connector));
        lock(&self.connectors).insert(connector.to_owned(), Arc::downgrade(&m));
        m
    }

    /// The state of a task this worker runs, if it runs it.
    pub fn task(&self, connector: &str, task: u32) -> Option<Arc<TaskMetrics>> {
        lock(&self.tasks)
            .get(&(connector.to_owned(), task))
            .and_then(Weak::upgrade)
    }

    /// Every task this worker runs, by connector and number (dropping those it no longer runs).
    pub fn tasks(&self) -> Vec<Arc<TaskMetrics>> {
        let mut all = lock(&self.tasks);
        all.retain(|_, w| w.strong_count() > 0);
        all.values().filter_map(Weak::upgrade).collect()
    }

    /// Every connector instance this worker runs, by name.
    pub fn connectors(&self) -> Vec<Arc<ConnectorMetrics>> {
        let mut all = lock(&self.connectors);
        all.retain(|_, w| w.strong_count() > 0);
        all.values().filter_map(Weak::upgrade).collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The metric state a [`super::task_control::TaskControl`] carries: its task's, or its
/// connector instance's.
#[derive(Debug, Clone)]
pub enum InstanceMetrics {
    /// A connector instance.
    Connector(Arc<ConnectorMetrics>),
    /// A task.
    Task(Arc<TaskMetrics>),
}

impl InstanceMetrics {
    /// Registers the state of task `task` of `connector` (`None`: the connector instance).
    pub fn register(connector: &str, task: Option<u32>) -> Self {
        let all = ConnectMetrics::global();
        match task {
            Some(t) => InstanceMetrics::Task(all.register_task(connector, t)),
            None => InstanceMetrics::Connector(all.register_connector(connector)),
        }
    }

    /// A new status: kept, and a startup it settles is counted.
    pub fn state_changed(&self, state: super::status::State) {
        let worker = &ConnectMetrics::global().worker;
        match self {
            InstanceMetrics::Connector(c) => {
                if let Some(ok) = c.state_changed(state) {
                    worker.connector_startups.outcome(ok);
                }
            }
            InstanceMetrics::Task(t) => {
                if let Some(ok) = t.state_changed(state) {
                    worker.task_startups.outcome(ok);
                }
            }
        }
    }

    /// The task's state, for a task.
    pub fn task(&self) -> Option<&Arc<TaskMetrics>> {
        match self {
            InstanceMetrics::Task(t) => Some(t),
            InstanceMetrics::Connector(_) => None,
        }
    }

    /// The connector instance's state, for a connector.
    pub fn connector(&self) -> Option<&Arc<ConnectorMetrics>> {
        match self {
            InstanceMetrics::Connector(c) => Some(c),
            InstanceMetrics::Task(_) => None,
        }
    }
}
