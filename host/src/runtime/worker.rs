//! Starts and stops connector instances and task threads, and keeps their controls.
//!
//! One OS thread per task (plugin calls block, and must never run on an async executor); one
//! mutex-guarded object per connector instance. Stopping a task asks it to stop and waits up to
//! `task.shutdown.graceful.timeout.ms`; a task that does not stop in time is abandoned and
//! cancelled (its thread keeps its resources until it returns, and commits and reports nothing
//! after that), as Kafka Connect does.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use abi_stable::std_types::RSlice;
use connect_plugin_api::abi::task::ConnectorBox;

use super::{
    errors::TaskFailure,
    host_context::HostConnectorContext,
    info::ConnectorTaskId,
    status::{State, Status, TargetState},
    stores::ConfigMap,
    task_control::TaskControl,
    task_spec::{TaskSpec, WorkerContext},
};
use crate::plugins::ConnectorPlugin;

struct RunningConnector {
    control: Arc<TaskControl>,
    instance: Option<ConnectorBox>,
}

struct RunningTask {
    control: Arc<TaskControl>,
    thread: Option<JoinHandle<()>>,
}

/// The connectors and tasks running in this process.
pub struct Worker {
    ctx: Arc<WorkerContext>,
    connectors: Mutex<BTreeMap<String, RunningConnector>>,
    tasks: Mutex<BTreeMap<ConnectorTaskId, RunningTask>>,
}

impl Worker {
    /// A worker with nothing running.
    pub fn new(ctx: Arc<WorkerContext>) -> Self {
        Self {
            ctx,
            connectors: Mutex::new(BTreeMap::new()),
            tasks: Mutex::new(BTreeMap::new()),
        }
    }

    /// The shared worker parts.
    pub fn context(&self) -> &Arc<WorkerContext> {
        &self.ctx
    }

    fn connector_control(&self, name: &str, target: TargetState) -> Arc<TaskControl> {
        let mut connectors = self.connectors.lock().unwrap();
        connectors
            .entry(name.to_owned())
            .or_insert_with(|| RunningConnector {
                control: TaskControl::new(
                    name,
                    None,
                    &self.ctx.worker_id,
                    target,
                    self.ctx.statuses.clone(),
                ),
                instance: None,
            })
            .control
            .clone()
    }

    /// Records a connector state without an instance (FAILED lookups, STOPPED).
    pub fn set_connector_state(&self, name: &str, state: State, trace: Option<String>) {
        let control = self.connector_control(name, TargetState::Started);
        control.report(state, trace);
    }

    /// Starts a connector instance (Kafka Connect's `Connector.start`). A failure leaves the
    /// connector FAILED with the trace.
    pub fn start_connector(
        &self,
        name: &str,
        plugin: &ConnectorPlugin,
        config: &ConfigMap,
        target: TargetState,
        reconfigure: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<(), TaskFailure> {
        self.stop_connector(name);
        let control = self.connector_control(name, target);
        control.set_target(target);
        let ctx = HostConnectorContext::create(control.clone(), reconfigure);
        let entries = connect_plugin_api::batch::config_entries(config);
        match plugin
            .factory
            .start_connector(RSlice::from_slice(&entries), ctx)
            .into_result()
        {
            Ok(instance) => {
                self.connectors
                    .lock()
                    .unwrap()
                    .get_mut(name)
                    .unwrap()
                    .instance = Some(instance);
                control.report_running();
                Ok(())
            }
            Err(e) => {
                let failure = TaskFailure::from_plugin("connector start", &e);
                control.report(State::Failed, Some(failure.trace.clone()));
                Err(failure)
            }
        }
    }

    /// Asks the running connector instance for its task configurations.
    pub fn task_configs(&self, name: &str, max_tasks: u32) -> Result<Vec<ConfigMap>, TaskFailure> {
        let mut connectors = self.connectors.lock().unwrap();
        let Some(instance) = connectors.get_mut(name).and_then(|c| c.instance.as_mut()) else {
            return Err(TaskFailure::new(
                format!("connector {name} is not running"),
                "",
            ));
        };
        match instance.task_configs(max_tasks).into_result() {
            Ok(configs) => Ok(configs
                .into_iter()
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|e| (e.key.into_string(), e.value.into_string()))
                        .collect()
                })
                .collect()),
            Err(e) => {
                let failure = TaskFailure::from_plugin("task_configs", &e);
                connectors[name]
                    .control
                    .report(State::Failed, Some(failure.trace.clone()));
                Err(failure)
            }
        }
    }

    /// Stops the connector instance (its tasks must be stopped first).
    pub fn stop_connector(&self, name: &str) {
        let instance = self
            .connectors
            .lock()
            .unwrap()
            .get_mut(name)
            .and_then(|c| c.instance.take());
        if let Some(mut instance) = instance
            && let Err(e) = instance.stop().into_result()
        {
            tracing::warn!(connector = name, "connector stop failed: {}", e.message);
        }
    }

    /// Forgets a connector entirely (after delete).
    pub fn remove_connector(&self, name: &str) {
        self.stop_tasks(name);
        self.stop_connector(name);
        self.connectors.lock().unwrap().remove(name);
    }

    /// Starts a task thread.
    pub fn start_task(&self, spec: TaskSpec, is_sink: bool) {
        let id = spec.id.clone();
        self.stop_task(&id);
        let control = spec.control.clone();
        let thread = std::thread::Builder::new()
            .name(format!("task-{}-{}", id.connector, id.task))
            .spawn(move || {
                if is_sink {
                    super::sink_task::run(spec)
                } else {
                    super::source_task::run(spec)
                }
            });
        match thread {
            Ok(t) => {
                self.tasks.lock().unwrap().insert(
                    id,
                    RunningTask {
                        control,
                        thread: Some(t),
                    },
                );
            }
            Err(e) => control.report(
                State::Failed,
                Some(format!("cannot start the task thread: {e}")),
            ),
        }
    }

    /// A new control for a task.
    pub fn task_control(&self, id: &ConnectorTaskId, target: TargetState) -> Arc<TaskControl> {
        TaskControl::new(
            &id.connector,
            Some(id.task),
            &self.ctx.worker_id,
            target,
            self.ctx.statuses.clone(),
        )
    }

    /// Stops one task and waits for it (bounded).
    pub fn stop_task(&self, id: &ConnectorTaskId) {
        let task = self.tasks.lock().unwrap().remove(id);
        if let Some(task) = task {
            self.join(vec![(id.clone(), task)]);
        }
    }

    /// Stops every task of a connector (all asked at once, then awaited).
    pub fn stop_tasks(&self, name: &str) {
        let tasks: Vec<(ConnectorTaskId, RunningTask)> = {
            let mut all = self.tasks.lock().unwrap();
            let ids: Vec<ConnectorTaskId> = all
                .keys()
                .filter(|id| id.connector == name)
                .cloned()
                .collect();
            ids.into_iter()
                .filter_map(|id| all.remove(&id).map(|t| (id, t)))
                .collect()
        };
        self.join(tasks);
    }

    /// Stops tasks and waits for them, up to `task.shutdown.graceful.timeout.ms`.
    fn join(&self, tasks: Vec<(ConnectorTaskId, RunningTask)>) {
        for (_, t) in &tasks {
            t.control.request_stop();
        }
        let deadline = Instant::now()
            + self
                .ctx
                .config
                .task_shutdown_graceful_timeout
                .max(Duration::from_secs(1));
        for (id, mut t) in tasks {
            let Some(thread) = t.thread.take() else {
                continue;
            };
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if thread.is_finished() {
                let _ = thread.join();
            } else {
                // Kafka's WorkerTask.cancel: whatever the task does when (if) its plugin call
                // returns is neither committed nor reported, since a new instance may own its
                // partitions, offsets and status by then.
                t.control.cancel();
                tracing::error!(connector = %id.connector, task = id.task, "task did not stop within task.shutdown.graceful.timeout.ms; abandoning it (it commits nothing from now on)");
            }
        }
    }

    /// Pauses or resumes a connector and its tasks.
    pub fn set_target(&self, name: &str, target: TargetState) {
        if let Some(c) = self.connectors.lock().unwrap().get(name) {
            c.control.set_target(target);
            if c.instance.is_some() {
                c.control.report_running();
            }
        }
        for (id, t) in self.tasks.lock().unwrap().iter() {
            if id.connector == name {
                t.control.set_target(target);
            }
        }
    }

    /// The connector's status, if known here.
    pub fn connector_status(&self, name: &str) -> Option<Status> {
        self.connectors
            .lock()
            .unwrap()
            .get(name)
            .map(|c| c.control.status())
    }

    /// A task's status, if it runs here.
    pub fn task_status(&self, id: &ConnectorTaskId) -> Option<Status> {
        self.tasks
            .lock()
            .unwrap()
            .get(id)
            .map(|t| t.control.status())
    }

    /// Every task here with its control (status, failure, target).
    pub fn task_controls(&self) -> Vec<(ConnectorTaskId, Arc<TaskControl>)> {
        self.tasks
            .lock()
            .unwrap()
            .iter()
            .map(|(id, t)| (id.clone(), t.control.clone()))
            .collect()
    }

    /// One task's control, if it runs here.
    pub fn task_control_of(&self, id: &ConnectorTaskId) -> Option<Arc<TaskControl>> {
        self.tasks
            .lock()
            .unwrap()
            .get(id)
            .map(|t| t.control.clone())
    }

    /// Stops everything (worker shutdown): tasks first, then connectors.
    pub fn shutdown(&self) {
        let tasks: Vec<(ConnectorTaskId, RunningTask)> =
            std::mem::take(&mut *self.tasks.lock().unwrap())
                .into_iter()
                .collect();
        self.join(tasks);
        let names: Vec<String> = self.connectors.lock().unwrap().keys().cloned().collect();
        for n in names {
            self.stop_connector(&n);
        }
    }
}
