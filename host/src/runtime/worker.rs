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

use connect_plugin_api::abi::plugin::PluginKind;

use super::{
    connector_runner::{CONNECTOR_STOP_TIMEOUT, ConnectorRunner, ConnectorStart},
    info::ConnectorTaskId,
    metrics::{ConnectMetrics, TaskKind},
    status::{State, Status, TargetState},
    task_control::TaskControl,
    task_spec::{TaskSpec, WorkerContext},
};

struct RunningConnector {
    control: Arc<TaskControl>,
    runner: Option<ConnectorRunner>,
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
        // The worker's own secrets (ssl.*.password, sasl.jaas.config, …) never reach a log line,
        // status trace or dead-letter header from here on.
        super::secrets::register(super::secrets::secret_values(
            &ctx.config.originals,
            &Default::default(),
        ));
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
        let mut connectors = lock(&self.connectors);
        connectors
            .entry(name.to_owned())
            .or_insert_with(|| RunningConnector {
                control: self.new_control(name, None, target),
                runner: None,
            })
            .control
            .clone()
    }

    fn new_control(&self, name: &str, task: Option<u32>, target: TargetState) -> Arc<TaskControl> {
        TaskControl::new(
            name,
            task,
            &self.ctx.worker_id,
            target,
            self.ctx.statuses.clone(),
            self.ctx.generation.clone(),
        )
    }

    /// Records a connector state without an instance (FAILED lookups, STOPPED).
    pub fn set_connector_state(&self, name: &str, state: State, trace: Option<String>) {
        let control = self.connector_control(name, TargetState::Started);
        control.report(state, trace);
    }

    /// Starts a connector instance on its own thread (Kafka Connect's `WorkerConnector`); the
    /// plugin's `start` runs there and its outcome comes back through `start.events`. A
    /// previous instance is stopped first.
    pub fn start_connector(&self, start: ConnectorStart) {
        let name = start.name.clone();
        self.stop_connector(&name);
        // A fresh control per instance: an abandoned predecessor keeps its own, cancelled one.
        let control = self.new_control(&name, None, start.target);
        if let Some(m) = control.metrics().connector() {
            let info = &start.plugin.info;
            let kind = if info.kind == PluginKind::SOURCE {
                "source"
            } else {
                "sink"
            };
            if m.startup_attempted(info.class.as_str(), kind, info.version.as_str()) {
                ConnectMetrics::global().worker.connector_startups.attempt();
            }
        }
        let runner = match ConnectorRunner::start(start, control.clone()) {
            Ok(r) => Some(r),
            Err(e) => {
                control.report(
                    State::Failed,
                    Some(format!("cannot start the connector thread: {e}")),
                );
                None
            }
        };
        lock(&self.connectors).insert(name, RunningConnector { control, runner });
    }

    /// Asks the running instance for task configurations (answered by a
    /// [`ConnectorEvent::TaskConfigs`]); false when no instance runs.
    pub fn request_task_configs(&self, name: &str, max_tasks: u32) -> bool {
        match lock(&self.connectors)
            .get(name)
            .and_then(|c| c.runner.as_ref())
        {
            Some(r) => {
                r.request_task_configs(max_tasks);
                true
            }
            None => false,
        }
    }

    /// The epoch of the running instance of `name`, if one runs.
    pub fn connector_epoch(&self, name: &str) -> Option<u64> {
        lock(&self.connectors)
            .get(name)
            .and_then(|c| c.runner.as_ref())
            .map(ConnectorRunner::epoch)
    }

    /// Stops the connector instance (its tasks must be stopped first), waiting up to
    /// [`CONNECTOR_STOP_TIMEOUT`].
    pub fn stop_connector(&self, name: &str) {
        let runner = lock(&self.connectors)
            .get_mut(name)
            .and_then(|c| c.runner.take());
        if let Some(runner) = runner {
            runner.await_stop(Instant::now() + CONNECTOR_STOP_TIMEOUT);
        }
    }

    /// Stops the instance and forgets the connector (revoked, deleted): no status of it is
    /// kept here.
    pub fn remove_connector(&self, name: &str) {
        self.stop_connector(name);
        lock(&self.connectors).remove(name);
    }

    /// Starts a task thread.
    pub fn start_task(&self, spec: TaskSpec, is_sink: bool) {
        let id = spec.id.clone();
        self.stop_task(&id);
        let control = spec.control.clone();
        if let Some(m) = control.metrics().task() {
            let kind = if is_sink {
                TaskKind::Sink
            } else {
                TaskKind::Source
            };
            let info = &spec.plugin.info;
            m.set_kind(kind, info.class.as_str(), info.version.as_str());
            if m.startup_attempted() {
                ConnectMetrics::global().worker.task_startups.attempt();
            }
        }
        let id_for_log = (id.connector.clone(), id.task);
        let thread = std::thread::Builder::new()
            .name(format!("task-{}-{}", id.connector, id.task))
            .spawn(move || {
                let _context = crate::log_context::task_span(&id_for_log.0, id_for_log.1).entered();
                if is_sink {
                    super::sink_task::run(spec)
                } else {
                    super::source_task::run(spec)
                }
            });
        match thread {
            Ok(t) => {
                lock(&self.tasks).insert(
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
        self.new_control(&id.connector, Some(id.task), target)
    }

    /// Stops one task and waits for it (bounded).
    pub fn stop_task(&self, id: &ConnectorTaskId) {
        let task = lock(&self.tasks).remove(id);
        if let Some(task) = task {
            self.join(vec![(id.clone(), task)]);
        }
    }

    /// Stops these tasks (all asked at once, then awaited).
    pub fn stop_task_set(&self, ids: &[ConnectorTaskId]) {
        let tasks: Vec<(ConnectorTaskId, RunningTask)> = {
            let mut all = lock(&self.tasks);
            ids.iter()
                .filter_map(|id| all.remove(id).map(|t| (id.clone(), t)))
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
        if let Some(c) = lock(&self.connectors).get(name) {
            match &c.runner {
                Some(r) => r.set_target(target),
                None => c.control.set_target(target),
            }
        }
        for (id, t) in lock(&self.tasks).iter() {
            if id.connector == name {
                t.control.set_target(target);
            }
        }
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

    /// Stops everything (worker shutdown): tasks first (bounded by
    /// `task.shutdown.graceful.timeout.ms`), then every connector at once (bounded by
    /// [`CONNECTOR_STOP_TIMEOUT`]).
    pub fn shutdown(&self) {
        let tasks: Vec<(ConnectorTaskId, RunningTask)> = std::mem::take(&mut *lock(&self.tasks))
            .into_iter()
            .collect();
        self.join(tasks);
        let runners: Vec<ConnectorRunner> = lock(&self.connectors)
            .values_mut()
            .filter_map(|c| c.runner.take())
            .collect();
        for r in &runners {
            r.request_stop();
        }
        let deadline = Instant::now() + CONNECTOR_STOP_TIMEOUT;
        for r in runners {
            r.await_stop(deadline);
        }
    }
}

/// Locks ignoring poisoning: the maps stay consistent because every update is one insert or
/// remove, and one panicking caller must not take every later operation down with it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
