//! The herder: every control operation of the REST API (create, configure, pause, resume, stop,
//! restart, delete, offsets, validate), applied through the config log and then to the worker.
//!
//! The config log is the source of truth: an operation is written there first and applied
//! second, and at start-up every connector is restored from it in the target state it had. One
//! worker runs everything for now; sharing work between workers of a group will read the same log.
//! Operations are serialized by one lock; reads of statuses do not take it.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, Weak},
    time::Duration,
};

use serde_json::Value;

use super::{
    errors::TaskFailure,
    info::{
        ConfigInfos, ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorTaskId,
        HerderError, HerderResult, PluginInfo, ServerInfo, TaskInfo,
    },
    sink_offsets,
    status::{ConnectorStateEntry, ConnectorStateInfo, State, TargetState, TaskStateEntry},
    stores::{ConfigLog, ConfigMap, ConnectorEntry, StoreError},
    task_spec::{TaskSpec, WorkerContext},
    validate,
    worker::Worker,
};
use crate::{
    config::{ConfigKeyInfo, ConnectorConfig, WorkerConfig},
    plugins::{ConnectorPlugin, PluginRegistry},
};

/// How long an offsets change through REST waits for the offset store.
const OFFSET_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything the herder is built from.
pub struct HerderParts {
    /// Worker settings.
    pub config: Arc<WorkerConfig>,
    /// Loaded plugins.
    pub plugins: Arc<PluginRegistry>,
    /// Connector configs and target states.
    pub config_log: Arc<dyn ConfigLog>,
    /// Worker-wide parts for tasks (offsets, statuses, worker id).
    pub worker: Arc<WorkerContext>,
    /// Kafka cluster id, shown by `GET /`.
    pub cluster_id: Option<String>,
}

/// The control API (cheap to clone).
#[derive(Clone)]
pub struct Herder {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<WorkerConfig>,
    plugins: Arc<PluginRegistry>,
    config_log: Arc<dyn ConfigLog>,
    worker: Worker,
    cluster_id: Option<String>,
    /// The config log's view, updated after each write.
    connectors: Mutex<BTreeMap<String, ConnectorEntry>>,
    /// Serializes operations.
    ops: Mutex<()>,
    started: std::sync::atomic::AtomicBool,
    stopping: std::sync::atomic::AtomicBool,
    myself: Mutex<Weak<Inner>>,
}

fn store(e: StoreError) -> HerderError {
    HerderError::Internal(format!("cannot write the connector state: {e}"))
}

fn not_found(name: &str) -> HerderError {
    HerderError::NotFound(format!("Connector {name} not found"))
}

/// `Foo…Connector` → `Foo…Task`, the name Kafka Connect shows as `task.class`.
fn task_class(class: &str) -> String {
    format!("{}Task", class.strip_suffix("Connector").unwrap_or(class))
}

impl Herder {
    /// A herder with nothing running; call [`Herder::start`].
    pub fn new(parts: HerderParts) -> Self {
        let inner = Arc::new(Inner {
            worker: Worker::new(parts.worker),
            config: parts.config,
            plugins: parts.plugins,
            config_log: parts.config_log,
            cluster_id: parts.cluster_id,
            connectors: Mutex::new(BTreeMap::new()),
            ops: Mutex::new(()),
            started: std::sync::atomic::AtomicBool::new(false),
            stopping: std::sync::atomic::AtomicBool::new(false),
            myself: Mutex::new(Weak::new()),
        });
        *inner.myself.lock().unwrap() = Arc::downgrade(&inner);
        Self { inner }
    }

    /// Reads the config log and restores every connector in its target state.
    pub fn start(&self) -> Result<(), StoreError> {
        let snapshot = self.inner.config_log.snapshot()?;
        let _ops = self.inner.ops.lock().unwrap();
        *self.inner.connectors.lock().unwrap() = snapshot.connectors;
        let names: Vec<String> = self
            .inner
            .connectors
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for name in names {
            tracing::info!(connector = %name, "restoring connector from the config log");
            self.inner.apply(&name);
        }
        self.inner
            .started
            .store(true, std::sync::atomic::Ordering::SeqCst);
        drop(_ops);
        self.spawn_restarter();
        Ok(())
    }

    /// Watches task statuses and restarts FAILED tasks with back-off (see [`super::restarter`]).
    fn spawn_restarter(&self) {
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new().name("task-restarter".into()).spawn(move || {
            let mut restarter = super::restarter::Restarter::default();
            loop {
                std::thread::sleep(std::time::Duration::from_millis(500));
                let Some(inner) = weak.upgrade() else { return };
                if inner.stopping.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let policies: BTreeMap<String, (bool, std::time::Duration)> =
                    inner.connectors.lock().unwrap().iter().map(|(n, e)| (n.clone(), super::restarter::policy(&e.config))).collect();
                let tasks: Vec<_> = inner
                    .worker
                    .task_controls()
                    .into_iter()
                    .filter_map(|(id, control)| {
                        let policy = *policies.get(&id.connector)?;
                        let status = control.status();
                        let failure = control.failed_at().and_then(|at| Some((status.trace.clone()?, at)));
                        Some(super::restarter::TaskView { id, state: status.state, policy, failure })
                    })
                    .collect();
                let decisions = restarter.due(std::time::Instant::now(), &tasks);
                for (id, record, repeats) in decisions.give_up {
                    let Some(control) = inner.worker.task_control_of(&id) else { continue };
                    let note = super::restarter::give_up_note(&id.connector, id.task, &record, repeats);
                    tracing::error!(connector = %id.connector, task = id.task, "{note}");
                    let trace = control.status().trace.unwrap_or_default();
                    control.report_failed(format!("{trace}\n\n{note}"), Some(record));
                }
                for (id, attempt) in decisions.restart {
                    let _ops = inner.ops.lock().unwrap();
                    if inner.stopping.load(std::sync::atomic::Ordering::SeqCst) {
                        return;
                    }
                    let Some(entry) = inner.connectors.lock().unwrap().get(&id.connector).cloned() else { continue };
                    if inner.worker.task_status(&id).is_none_or(|s| s.state != State::Failed) {
                        continue;
                    }
                    tracing::warn!(connector = %id.connector, task = id.task, attempt, "restarting a failed task (task.restart.on.failure)");
                    if let Err(f) = inner.start_task(&id.connector, &entry, id.task) {
                        tracing::error!(connector = %id.connector, task = id.task, "automatic restart failed: {}", f.message);
                    }
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(
                "cannot start the task restarter: {e}; failed tasks need a manual restart"
            );
        }
    }

    /// Stops every task and connector (their offsets are committed on the way).
    pub fn shutdown(&self) {
        self.inner
            .stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let _ops = self.inner.ops.lock().unwrap();
        self.inner.worker.shutdown();
    }

    /// `GET /`.
    pub fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: option_env!("CONNECT_GIT_COMMIT")
                .unwrap_or("unknown")
                .to_owned(),
            kafka_cluster_id: self.inner.cluster_id.clone(),
        }
    }

    /// `GET /health`: status code and message.
    pub fn health(&self) -> (u16, String) {
        if self.inner.started.load(std::sync::atomic::Ordering::SeqCst) {
            (
                200,
                "Worker has completed startup and is ready to handle requests.".into(),
            )
        } else {
            (503, "Worker is still starting up.".into())
        }
    }

    /// `GET /connectors`.
    pub fn connectors(&self) -> Vec<String> {
        self.inner
            .connectors
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    fn entry(&self, name: &str) -> HerderResult<ConnectorEntry> {
        self.inner
            .connectors
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(name))
    }

    fn kind_name(&self, config: &ConfigMap) -> String {
        config
            .get("connector.class")
            .and_then(|c| self.inner.plugins.lookup(c).ok())
            .map_or("unknown", |p| p.type_name())
            .to_owned()
    }

    /// `GET /connectors/{c}`.
    pub fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let e = self.entry(name)?;
        Ok(ConnectorInfo {
            name: name.to_owned(),
            kind: self.kind_name(&e.config),
            tasks: (0..e.tasks.len() as u32)
                .map(|task| ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                })
                .collect(),
            config: e.config,
        })
    }

    /// `GET /connectors/{c}/config`.
    pub fn connector_config(&self, name: &str) -> HerderResult<ConfigMap> {
        Ok(self.entry(name)?.config)
    }

    /// `POST /connectors`.
    pub fn create_connector(
        &self,
        name: &str,
        mut config: ConfigMap,
        initial: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        let _ops = self.inner.ops.lock().unwrap();
        if self.inner.connectors.lock().unwrap().contains_key(name) {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        config.insert("name".into(), name.to_owned());
        self.inner.check(&config)?;
        let target = initial.unwrap_or_default();
        self.inner
            .config_log
            .put_connector_config(name, &config)
            .map_err(store)?;
        self.inner
            .config_log
            .put_target_state(name, target)
            .map_err(store)?;
        self.inner.connectors.lock().unwrap().insert(
            name.to_owned(),
            ConnectorEntry {
                config,
                target,
                tasks: Vec::new(),
            },
        );
        self.inner.apply(name);
        drop(_ops);
        self.connector_info(name)
    }

    /// `PUT /connectors/{c}/config`: `(created, info)`.
    pub fn put_connector_config(
        &self,
        name: &str,
        mut config: ConfigMap,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        if !self.inner.connectors.lock().unwrap().contains_key(name) {
            return self.create_connector(name, config, None).map(|i| (true, i));
        }
        let _ops = self.inner.ops.lock().unwrap();
        config.insert("name".into(), name.to_owned());
        self.inner.check(&config)?;
        self.inner
            .config_log
            .put_connector_config(name, &config)
            .map_err(store)?;
        if let Some(e) = self.inner.connectors.lock().unwrap().get_mut(name) {
            e.config = config;
        }
        self.inner.apply(name);
        drop(_ops);
        Ok((false, self.connector_info(name)?))
    }

    /// `PATCH /connectors/{c}/config`: `null` removes a key.
    pub fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo> {
        let mut config = self.entry(name)?.config;
        for (k, v) in patch {
            match v {
                Some(v) => config.insert(k, v),
                None => config.remove(&k),
            };
        }
        self.put_connector_config(name, config).map(|(_, i)| i)
    }

    /// `DELETE /connectors/{c}`: stops it and deletes its configuration (offsets are kept).
    pub fn delete_connector(&self, name: &str) -> HerderResult<()> {
        let _ops = self.inner.ops.lock().unwrap();
        let e = self.entry(name)?;
        self.inner.worker.remove_connector(name);
        self.inner
            .config_log
            .remove_connector(name)
            .map_err(store)?;
        let _ = self
            .inner
            .worker
            .context()
            .statuses
            .remove_connector(name, e.tasks.len() as u32);
        self.inner.connectors.lock().unwrap().remove(name);
        Ok(())
    }

    /// `GET /connectors/{c}/status`.
    pub fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let e = self
            .inner
            .connectors
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| {
                HerderError::NotFound(format!("No status found for connector {name}"))
            })?;
        let worker_id = self.inner.worker.context().worker_id.clone();
        let connector = match self.inner.worker.connector_status(name) {
            Some(s) => ConnectorStateEntry {
                state: s.state,
                worker_id: s.worker_id,
                trace: s.trace,
            },
            None => ConnectorStateEntry {
                state: State::Unassigned,
                worker_id: worker_id.clone(),
                trace: None,
            },
        };
        let tasks = (0..e.tasks.len() as u32)
            .map(|t| self.task_entry(name, t))
            .collect();
        Ok(ConnectorStateInfo {
            name: name.to_owned(),
            connector,
            tasks,
            kind: self.kind_name(&e.config),
        })
    }

    fn task_entry(&self, name: &str, task: u32) -> TaskStateEntry {
        let id = ConnectorTaskId {
            connector: name.to_owned(),
            task,
        };
        match self.inner.worker.task_status(&id) {
            Some(s) => TaskStateEntry {
                id: task,
                state: s.state,
                worker_id: s.worker_id,
                trace: s.trace,
            },
            None => TaskStateEntry {
                id: task,
                state: State::Unassigned,
                worker_id: self.inner.worker.context().worker_id.clone(),
                trace: None,
            },
        }
    }

    /// `GET /connectors/{c}/tasks`.
    pub fn task_infos(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let e = self.entry(name)?;
        Ok(e.tasks
            .into_iter()
            .enumerate()
            .map(|(i, config)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_owned(),
                    task: i as u32,
                },
                config,
            })
            .collect())
    }

    /// `GET /connectors/{c}/tasks/{t}/status`.
    pub fn task_status(&self, name: &str, task: u32) -> HerderResult<TaskStateEntry> {
        let e = self.entry(name).map_err(|_| {
            HerderError::NotFound(format!("No status found for task {name}-{task}"))
        })?;
        if task as usize >= e.tasks.len() {
            return Err(HerderError::NotFound(format!(
                "No status found for task {name}-{task}"
            )));
        }
        Ok(self.task_entry(name, task))
    }

    /// `POST /connectors/{c}/tasks/{t}/restart`.
    pub fn restart_task(&self, name: &str, task: u32) -> HerderResult<()> {
        let _ops = self.inner.ops.lock().unwrap();
        let e = self.entry(name)?;
        if task as usize >= e.tasks.len() {
            return Err(HerderError::NotFound(format!(
                "Unknown task: {name}-{task}"
            )));
        }
        self.inner
            .start_task(name, &e, task)
            .map_err(|f| HerderError::Internal(f.message))
    }

    /// `POST /connectors/{c}/restart`: `None` for the legacy form (both flags false), else the
    /// status with the restarted instances shown RESTARTING.
    pub fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        let before = self.connector_status(name)?;
        let _ops = self.inner.ops.lock().unwrap();
        let e = self.entry(name)?;
        let restart_connector = !only_failed || before.connector.state == State::Failed;
        let tasks: Vec<u32> = if include_tasks {
            before
                .tasks
                .iter()
                .filter(|t| !only_failed || t.state == State::Failed)
                .map(|t| t.id)
                .collect()
        } else {
            Vec::new()
        };
        let mut shown = before.clone();
        if restart_connector {
            shown.connector.state = State::Restarting;
            shown.connector.trace = None;
        }
        for t in shown.tasks.iter_mut().filter(|t| tasks.contains(&t.id)) {
            t.state = State::Restarting;
            t.trace = None;
        }
        if restart_connector {
            if include_tasks && !only_failed {
                self.inner.apply(name);
            } else {
                self.inner.start_connector_only(name, &e);
            }
        }
        if !(restart_connector && include_tasks && !only_failed) {
            for t in &tasks {
                let _ = self.inner.start_task(name, &e, *t);
            }
        }
        Ok((include_tasks || only_failed).then_some(shown))
    }

    fn set_target(&self, name: &str, target: TargetState) -> HerderResult<()> {
        let _ops = self.inner.ops.lock().unwrap();
        let e = self.entry(name)?;
        if e.target == target {
            return Ok(());
        }
        self.inner
            .config_log
            .put_target_state(name, target)
            .map_err(store)?;
        if let Some(entry) = self.inner.connectors.lock().unwrap().get_mut(name) {
            entry.target = target;
        }
        if e.target == TargetState::Stopped || target == TargetState::Stopped {
            self.inner.apply(name);
        } else {
            self.inner.worker.set_target(name, target);
        }
        Ok(())
    }

    /// `PUT /connectors/{c}/pause`.
    pub fn pause_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Paused)
    }

    /// `PUT /connectors/{c}/resume` (from PAUSED or STOPPED).
    pub fn resume_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Started)
    }

    /// `PUT /connectors/{c}/stop`.
    pub fn stop_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Stopped)
    }

    fn plugin_of(&self, e: &ConnectorEntry) -> HerderResult<&ConnectorPlugin> {
        let class = e.config.get("connector.class").cloned().unwrap_or_default();
        self.inner
            .plugins
            .lookup(&class)
            .map_err(|err| HerderError::BadRequest(err.to_string()))
    }

    /// `GET /connectors/{c}/offsets`.
    pub fn offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let e = self.entry(name)?;
        let plugin = self.plugin_of(&e)?;
        if plugin.is_sink() {
            return sink_offsets::read(&self.inner.config, name, &e.config)
                .map_err(HerderError::Internal);
        }
        let stored = self
            .inner
            .worker
            .context()
            .offsets
            .connector_offsets(name)
            .map_err(|e| HerderError::Internal(e.to_string()))?;
        Ok(ConnectorOffsets {
            offsets: stored
                .into_iter()
                .filter_map(|(p, o)| {
                    Some(ConnectorOffset {
                        partition: as_object(p)?,
                        offset: Some(as_object(o)?),
                    })
                })
                .collect(),
        })
    }

    fn require_stopped(&self, name: &str) -> HerderResult<ConnectorEntry> {
        let e = self.entry(name)?;
        if e.target != TargetState::Stopped {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(e)
    }

    /// `PATCH /connectors/{c}/offsets`.
    pub fn alter_offsets(&self, name: &str, offsets: ConnectorOffsets) -> HerderResult<String> {
        let _ops = self.inner.ops.lock().unwrap();
        let e = self.require_stopped(name)?;
        if offsets.offsets.is_empty() {
            return Err(HerderError::BadRequest(
                "Partitions / offsets need to be provided for an alter offsets request".into(),
            ));
        }
        if self.plugin_of(&e)?.is_sink() {
            sink_offsets::alter(&self.inner.config, name, &offsets)
                .map_err(HerderError::BadRequest)?;
        } else {
            let entries: Vec<(Value, Option<Value>)> = offsets
                .offsets
                .into_iter()
                .map(|o| (Value::Object(o.partition), o.offset.map(Value::Object)))
                .collect();
            self.inner
                .worker
                .context()
                .offsets
                .put(name, &entries, OFFSET_WRITE_TIMEOUT)
                .map_err(store)?;
        }
        Ok("The offsets for this connector have been altered successfully".into())
    }

    /// `DELETE /connectors/{c}/offsets`.
    pub fn reset_offsets(&self, name: &str) -> HerderResult<String> {
        let _ops = self.inner.ops.lock().unwrap();
        let e = self.require_stopped(name)?;
        if self.plugin_of(&e)?.is_sink() {
            sink_offsets::reset(&self.inner.config, name).map_err(HerderError::Internal)?;
        } else {
            let stored = self
                .inner
                .worker
                .context()
                .offsets
                .connector_offsets(name)
                .map_err(|e| HerderError::Internal(e.to_string()))?;
            let entries: Vec<(Value, Option<Value>)> =
                stored.into_iter().map(|(p, _)| (p, None)).collect();
            self.inner
                .worker
                .context()
                .offsets
                .put(name, &entries, OFFSET_WRITE_TIMEOUT)
                .map_err(store)?;
        }
        Ok("The offsets for this connector have been reset successfully".into())
    }

    /// `GET /connectors/{c}/topics`.
    pub fn active_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        self.entry(name)?;
        if !self.inner.config.topic_tracking_enable {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        self.inner
            .worker
            .context()
            .statuses
            .topics(name)
            .map_err(|e| HerderError::Internal(e.to_string()))
    }

    /// `PUT /connectors/{c}/topics/reset`.
    pub fn reset_active_topics(&self, name: &str) -> HerderResult<()> {
        self.entry(name)?;
        if !self.inner.config.topic_tracking_enable {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        if !self.inner.config.topic_tracking_allow_reset {
            return Err(HerderError::Forbidden(
                "Topic tracking reset is disabled.".into(),
            ));
        }
        self.inner
            .worker
            .context()
            .statuses
            .reset_topics(name)
            .map_err(store)
    }

    /// `PUT /connector-plugins/{type}/config/validate`.
    pub fn validate(&self, config: &ConfigMap) -> HerderResult<ConfigInfos> {
        self.inner.validate(config)
    }

    /// Full class name of a class name or alias.
    pub fn resolve_class(&self, class: &str) -> HerderResult<String> {
        self.inner
            .plugins
            .lookup(class)
            .map(|p| p.class().to_owned())
            .map_err(|e| HerderError::BadRequest(e.to_string()))
    }

    /// `GET /connector-plugins`: sinks then sources; with `connectors_only=false` also the
    /// converters built into the host.
    pub fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let mut out: Vec<PluginInfo> = Vec::new();
        for sinks in [true, false] {
            for p in self
                .inner
                .plugins
                .connectors()
                .iter()
                .filter(|p| p.is_sink() == sinks)
            {
                let v = p.info.version.to_string();
                out.push(PluginInfo {
                    class_name: p.class().to_owned(),
                    kind: p.type_name().to_owned(),
                    version: (v != "undefined").then_some(v),
                });
            }
        }
        if !connectors_only {
            let version = Some(env!("CARGO_PKG_VERSION").to_owned());
            for (class, kinds) in [
                (
                    "org.apache.kafka.connect.converters.ByteArrayConverter",
                    &["converter", "header_converter"][..],
                ),
                (
                    "org.apache.kafka.connect.json.JsonConverter",
                    &["converter", "header_converter"][..],
                ),
                (
                    "org.apache.kafka.connect.storage.StringConverter",
                    &["converter", "header_converter"][..],
                ),
            ] {
                for kind in kinds {
                    out.push(PluginInfo {
                        class_name: class.into(),
                        kind: (*kind).into(),
                        version: version.clone(),
                    });
                }
            }
        }
        out
    }

    /// `GET /connector-plugins/{p}/config`.
    pub fn plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        let p = self
            .inner
            .plugins
            .lookup(plugin)
            .map_err(|_| HerderError::NotFound(format!("Unknown plugin {plugin}.")))?;
        Ok(validate::plugin_config_defs(p))
    }
}

fn as_object(v: Value) -> Option<serde_json::Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

impl Inner {
    /// Validates a connector config with this worker's settings.
    fn validate(&self, config: &ConfigMap) -> HerderResult<ConfigInfos> {
        let security = self
            .config
            .consumer
            .get("security.protocol")
            .or_else(|| self.config.client.get("security.protocol"))
            .map(String::as_str);
        validate::validate(&self.plugins, self.config.override_policy, security, config)
    }

    /// Validates a config for create/update: 400 with every error, as Kafka Connect words it.
    fn check(&self, config: &ConfigMap) -> HerderResult<()> {
        let infos = self.validate(config)?;
        if infos.error_count > 0 {
            return Err(HerderError::BadRequest(validate::invalid_message(&infos)));
        }
        Ok(())
    }

    fn reconfigure_hook(&self, name: &str) -> Arc<dyn Fn() + Send + Sync> {
        let weak = self.myself.lock().unwrap().clone();
        let name = name.to_owned();
        Arc::new(move || {
            let (weak, name) = (weak.clone(), name.clone());
            // From a plugin thread: apply on a fresh thread, so the plugin's call returns at once.
            std::thread::spawn(move || {
                if let Some(inner) = weak.upgrade() {
                    let _ops = inner.ops.lock().unwrap();
                    inner.apply(&name);
                }
            });
        })
    }

    /// Makes the running state of `name` match its entry: stops what runs, then starts the
    /// connector and its tasks per the target state. Failures end up in statuses.
    fn apply(&self, name: &str) {
        self.worker.stop_tasks(name);
        self.worker.stop_connector(name);
        let Some(mut e) = self.connectors.lock().unwrap().get(name).cloned() else {
            return;
        };
        if e.target == TargetState::Stopped {
            self.worker.set_connector_state(name, State::Stopped, None);
            if !e.tasks.is_empty() {
                if let Err(err) = self.config_log.put_task_configs(name, &[]) {
                    tracing::error!(connector = name, "cannot write zero task configs: {err}");
                }
                if let Some(entry) = self.connectors.lock().unwrap().get_mut(name) {
                    entry.tasks.clear();
                }
            }
            return;
        }
        let Some(plugin) = self.start_connector_only(name, &e) else {
            return;
        };
        let parsed = match ConnectorConfig::parse(&e.config, validate::kind_of(&plugin)) {
            Ok(p) => p,
            Err(errors) => {
                let msg: Vec<String> = errors.iter().map(|(k, m)| format!("{k}: {m}")).collect();
                self.worker
                    .set_connector_state(name, State::Failed, Some(msg.join("\n")));
                return;
            }
        };
        let mut configs = match self.worker.task_configs(name, parsed.tasks_max) {
            Ok(c) => c,
            Err(_) => return,
        };
        if parsed.tasks_max_enforce && configs.len() > parsed.tasks_max as usize {
            self.worker.set_connector_state(
                name,
                State::Failed,
                Some(format!("The connector {name} has generated {} tasks, which is greater than {}, the maximum number of tasks it is configured to create.", configs.len(), parsed.tasks_max)),
            );
            return;
        }
        for c in configs.iter_mut() {
            c.insert("task.class".into(), task_class(plugin.class()));
            if plugin.is_sink() {
                for key in ["topics", "topics.regex"] {
                    if let Some(v) = e.config.get(key) {
                        c.insert(key.into(), v.clone());
                    }
                }
            }
        }
        if configs != e.tasks {
            if let Err(err) = self.config_log.put_task_configs(name, &configs) {
                self.worker.set_connector_state(
                    name,
                    State::Failed,
                    Some(format!("cannot write task configs: {err}")),
                );
                return;
            }
            e.tasks = configs;
            if let Some(entry) = self.connectors.lock().unwrap().get_mut(name) {
                entry.tasks = e.tasks.clone();
            }
        }
        for t in 0..e.tasks.len() as u32 {
            let _ = self.start_task_with(name, &e, t, &plugin, &parsed);
        }
    }

    /// Starts the connector instance alone; `None` when it failed (status says why).
    fn start_connector_only(&self, name: &str, e: &ConnectorEntry) -> Option<ConnectorPlugin> {
        let class = e.config.get("connector.class").cloned().unwrap_or_default();
        let plugin = match self.plugins.lookup(&class) {
            Ok(p) => p.clone(),
            Err(err) => {
                self.worker.set_connector_state(name, State::Failed, Some(format!("{err}\nInstall the plugin under a directory of plugin.path and restart the worker.")));
                return None;
            }
        };
        let target = if e.target == TargetState::Paused {
            TargetState::Paused
        } else {
            TargetState::Started
        };
        self.worker
            .start_connector(
                name,
                &plugin,
                &e.config,
                target,
                self.reconfigure_hook(name),
            )
            .ok()?;
        Some(plugin)
    }

    fn start_task(&self, name: &str, e: &ConnectorEntry, task: u32) -> Result<(), TaskFailure> {
        let class = e.config.get("connector.class").cloned().unwrap_or_default();
        let plugin = self
            .plugins
            .lookup(&class)
            .map_err(|err| TaskFailure::new(err.to_string(), ""))?
            .clone();
        let parsed =
            ConnectorConfig::parse(&e.config, validate::kind_of(&plugin)).map_err(|errs| {
                TaskFailure::new(format!("invalid connector configuration: {errs:?}"), "")
            })?;
        self.start_task_with(name, e, task, &plugin, &parsed)
    }

    fn start_task_with(
        &self,
        name: &str,
        e: &ConnectorEntry,
        task: u32,
        plugin: &ConnectorPlugin,
        parsed: &ConnectorConfig,
    ) -> Result<(), TaskFailure> {
        let id = ConnectorTaskId {
            connector: name.to_owned(),
            task,
        };
        let Some(task_config) = e.tasks.get(task as usize).cloned() else {
            return Err(TaskFailure::new(
                format!("no configuration for task {name}-{task}"),
                "",
            ));
        };
        let target = if e.target == TargetState::Paused {
            TargetState::Paused
        } else {
            TargetState::Started
        };
        let spec = TaskSpec {
            control: self.worker.task_control(&id, target),
            id,
            plugin: plugin.clone(),
            task_config,
            connector: parsed.clone(),
            worker: self.worker.context().clone(),
        };
        self.worker.start_task(spec, plugin.is_sink());
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Distributed mode's REST-facing herder API, added with the REST forwarding and internal
// endpoints. The signatures are the interface the REST layer calls; the bodies marked INTERIM
// are standalone answers until the distributed herder replaces them. Nothing above this line was
// changed for them.
// ---------------------------------------------------------------------------------------------
impl Herder {
    /// The worker's settings; the REST layer reads `inter.worker.verification.algorithms` there.
    pub fn worker_config(&self) -> &WorkerConfig {
        &self.inner.config
    }

    /// Whether internal requests must be signed, and with what key.
    ///
    /// INTERIM: always [`super::info::RequestSigning::Disabled`] (right for standalone). The distributed herder
    /// answers `Disabled` unless the group runs `sessioned`; then `Active(newest session key)`, or
    /// `KeyUnknown` before it has read one.
    pub fn request_signing(&self) -> super::info::RequestSigning {
        super::info::RequestSigning::Disabled
    }

    /// Writes task configs a follower computed for `connector` (`POST /connectors/{c}/tasks`,
    /// signature already checked).
    ///
    /// INTERIM: Java's standalone answer (a 500). The distributed herder must: if not the leader,
    /// `Err(NotLeader { leader_url })` (the REST layer forwards it); if the connector is unknown,
    /// `Err(NotFound("Connector <c> not found"))`; else write the configs to the config topic
    /// (`task-<c>-<n>` then `commit-<c>`) and return `Ok` once written.
    pub fn put_task_configs_from_follower(
        &self,
        connector: &str,
        configs: Vec<ConfigMap>,
    ) -> HerderResult<()> {
        let _ = (connector, configs);
        Err(HerderError::Internal(
            "Kafka Connect in standalone mode does not support externally setting task \
             configurations."
                .to_owned(),
        ))
    }

    /// A round of zombie fencing for `connector`'s exactly-once source tasks
    /// (`PUT /connectors/{c}/fence`, signature already checked).
    ///
    /// INTERIM: Java's standalone answer (a 500). The distributed herder must answer as Java's
    /// leader does with `exactly.once.source.support=disabled` (it checks nothing about that
    /// setting): not the leader → `Err(NotLeader { leader_url })`; unknown connector →
    /// `Err(NotFound("Connector <c> not found"))`; not a source connector →
    /// `Err(BadRequest("Connector <c> is not a source connector"))`; else `Ok(())` (204). Java
    /// also writes a `tasks-fencing-<c>` record `{"task-count":N}` when task configs were
    /// committed since the last one; without exactly-once support no task reads it, so writing
    /// it is optional.
    pub fn fence_zombies(&self, connector: &str) -> HerderResult<()> {
        let _ = connector;
        Err(HerderError::Internal(
            "Kafka Connect in standalone mode does not support exactly-once source connectors."
                .to_owned(),
        ))
    }
}
