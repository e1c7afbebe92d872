//! The shared handle between a task's thread and the rest of the worker: what the task should be
//! doing (running, paused, stopping), what it reports it is doing (its status), and requests
//! such as "commit soon". One concept: the control plane of one task.

use std::{
    sync::{
        Arc, Condvar, Mutex,
        atomic::{AtomicBool, AtomicI32, Ordering},
    },
    time::Duration,
};

use super::{
    errors::RecordPosition,
    metrics::InstanceMetrics,
    status::{State, Status, TargetState},
    stores::StatusStore,
};

/// Control and status of one task (or one connector instance).
pub struct TaskControl {
    connector: String,
    task: Option<u32>,
    worker_id: String,
    target: Mutex<(TargetState, bool)>,
    changed: Condvar,
    status: Mutex<Status>,
    commit_requested: AtomicBool,
    /// Set when the worker gave up waiting for the task to stop (Kafka's `WorkerTask.cancel`):
    /// from then on the task commits nothing and writes no status, since a successor may own
    /// its partitions and its status by the time it returns.
    cancelled: AtomicBool,
    /// Why the task last failed at a known record, if it did (for the restarter).
    failed_at: Mutex<Option<RecordPosition>>,
    statuses: Arc<dyn StatusStore>,
    /// The group generation statuses are written in (shared by the worker; 0 in standalone).
    generation: Arc<AtomicI32>,
    /// Its metric state (`/metrics`), which follows every status it reports.
    metrics: InstanceMetrics,
}

impl TaskControl {
    /// A control for task `task` of `connector` (`None`: the connector instance itself).
    pub fn new(
        connector: &str,
        task: Option<u32>,
        worker_id: &str,
        target: TargetState,
        statuses: Arc<dyn StatusStore>,
        generation: Arc<AtomicI32>,
    ) -> Arc<Self> {
        Arc::new(Self {
            connector: connector.to_owned(),
            task,
            worker_id: worker_id.to_owned(),
            target: Mutex::new((target, false)),
            changed: Condvar::new(),
            status: Mutex::new(Status {
                state: State::Unassigned,
                trace: None,
                worker_id: worker_id.to_owned(),
                generation: 0,
            }),
            commit_requested: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
            failed_at: Mutex::new(None),
            statuses,
            generation,
            metrics: InstanceMetrics::register(connector, task),
        })
    }

    /// Its metric state: the task's groups, or the connector instance's.
    pub fn metrics(&self) -> &InstanceMetrics {
        &self.metrics
    }

    /// Connector name.
    pub fn connector(&self) -> &str {
        &self.connector
    }

    /// Task number (`None`: the connector instance itself).
    pub fn task(&self) -> Option<u32> {
        self.task
    }

    /// The target state the task should follow.
    pub fn target(&self) -> TargetState {
        self.target.lock().unwrap().0
    }

    /// Whether the task was asked to stop.
    pub fn stopping(&self) -> bool {
        self.target.lock().unwrap().1
    }

    /// Abandons the task: it should stop, and whatever it does after this is not committed
    /// and not reported.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.request_stop();
    }

    /// Whether the task was abandoned (see [`TaskControl::cancel`]).
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Reports FAILED with the trace, remembering the record it failed at (if known).
    pub fn report_failed(&self, trace: String, at: Option<RecordPosition>) {
        *self.failed_at.lock().unwrap() = at;
        self.report(State::Failed, Some(trace));
    }

    /// The record of the last failure, when the failure named one.
    pub fn failed_at(&self) -> Option<RecordPosition> {
        self.failed_at.lock().unwrap().clone()
    }

    /// Changes the target state (pause/resume).
    pub fn set_target(&self, target: TargetState) {
        self.target.lock().unwrap().0 = target;
        self.changed.notify_all();
    }

    /// Asks the task to stop.
    pub fn request_stop(&self) {
        self.target.lock().unwrap().1 = true;
        self.changed.notify_all();
    }

    /// Sleeps up to `timeout`, waking early on a target change or stop request.
    pub fn wait(&self, timeout: Duration) {
        let guard = self.target.lock().unwrap();
        let _ = self.changed.wait_timeout(guard, timeout).unwrap();
    }

    /// Asks for an offset commit at the next opportunity.
    pub fn request_commit(&self) {
        self.commit_requested.store(true, Ordering::Relaxed);
    }

    /// Takes a pending commit request.
    pub fn take_commit_request(&self) -> bool {
        self.commit_requested.swap(false, Ordering::Relaxed)
    }

    /// The last reported status.
    pub fn status(&self) -> Status {
        self.status.lock().unwrap().clone()
    }

    /// Reports a new state (kept in memory and written to the status store).
    pub fn report(&self, state: State, trace: Option<String>) {
        if self.cancelled() {
            return;
        }
        let status = Status {
            state,
            // A plugin's message (or panic message) may quote a secret of its configuration.
            trace: trace.map(|t| super::secrets::redact(&t).into_owned()),
            worker_id: self.worker_id.clone(),
            generation: self.generation.load(Ordering::SeqCst),
        };
        {
            let mut current = self.status.lock().unwrap();
            if *current == status {
                return;
            }
            *current = status.clone();
        }
        self.metrics.state_changed(state);
        let written = match self.task {
            Some(t) => self.statuses.put_task(&self.connector, t, &status),
            None => self.statuses.put_connector(&self.connector, &status),
        };
        if let Err(e) = written {
            tracing::warn!(connector = %self.connector, task = ?self.task, "cannot record status {}: {e}", state.as_str());
        }
    }

    /// RUNNING or PAUSED, per the target state.
    pub fn report_running(&self) {
        let state = if self.target() == TargetState::Paused {
            State::Paused
        } else {
            State::Running
        };
        self.report(state, None);
    }
}
