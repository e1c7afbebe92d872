//! The herder: every control operation of the REST API (create, configure, pause, resume, stop,
//! restart, delete, offsets, validate), in standalone mode and as one worker of a distributed
//! group.
//!
//! One thread owns the herder state ([`event_loop`], Kafka Connect's herder tick): REST writes,
//! config-log records written by any worker, rebalances, plugin requests and timers reach it as
//! events, one at a time. No lock is held across a plugin call or Kafka I/O: connector instances
//! run on threads of their own ([`super::connector_runner`]), validation runs on the caller's
//! thread before an operation is queued, and reads are answered from a [`view::View`] the loop
//! publishes. The config log is the source of truth: a write goes to the log, and the loop
//! applies what it reads back, the same way whichever worker wrote it.
//!
//! Standalone mode is a group of one: this worker leads and runs everything configured. In
//! distributed mode [`membership`] joins the `connect` group, and the assignment decides what
//! runs here; writes that only the leader may do answer [`HerderError::NotLeader`], which the
//! REST layer forwards.

mod catalog;
mod event_loop;
mod membership;
mod rebalance;
mod reconcile;
mod request;
mod view;

use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock, mpsc},
    thread::JoinHandle,
    time::{Duration, Instant},
};

pub use view::Leadership;

use self::{
    request::{Reply, Request},
    view::View,
};
use super::{
    config_resolution,
    info::{
        ConfigInfos, ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorTaskId,
        HerderError, HerderResult, RequestSigning, ServerInfo, TaskInfo,
    },
    sink_offsets,
    status::{ConnectorStateEntry, ConnectorStateInfo, State, TargetState, TaskStateEntry},
    stores::{ConfigLog, ConfigMap, ConnectorEntry, StoreError},
    task_spec::WorkerContext,
    validate,
};
use crate::{config::WorkerConfig, plugins::PluginRegistry};
use connect_data::config_providers::contains_reference;

/// How long a REST call waits for the herder thread before answering "Request timed out."
/// (Kafka Connect's `ConnectorsResource.REQUEST_TIMEOUT_MS`).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

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
    /// The async runtime the group client and inter-worker requests run on (distributed
    /// mode needs it; standalone mode may pass `None`).
    pub runtime: Option<tokio::runtime::Handle>,
}

/// The control API (cheap to clone).
#[derive(Clone)]
pub struct Herder {
    shared: Arc<Shared>,
}

struct Shared {
    config: Arc<WorkerConfig>,
    plugins: Arc<PluginRegistry>,
    worker: Arc<WorkerContext>,
    cluster_id: Option<String>,
    view: Arc<RwLock<View>>,
    requests: mpsc::Sender<event_loop::Event>,
    /// Set when stopping begins: cuts a JoinGroup or SyncGroup wait short.
    stop: tokio::sync::watch::Sender<bool>,
    /// The loop, until it runs; then its thread.
    thread: std::sync::Mutex<LoopSlot>,
}

enum LoopSlot {
    Ready(Box<event_loop::HerderLoop>),
    Running(JoinHandle<()>),
    Done,
}

fn not_found(name: &str) -> HerderError {
    HerderError::NotFound(format!("Connector {name} not found"))
}

impl Herder {
    /// A herder with nothing running; call [`Herder::start`].
    pub fn new(parts: HerderParts) -> Self {
        let view = Arc::new(RwLock::new(View::new(parts.config.distributed.is_none())));
        let (tx, rx) = mpsc::channel();
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let event_loop = event_loop::HerderLoop::new(&parts, view.clone(), tx.clone(), rx, stop_rx);
        Herder {
            shared: Arc::new(Shared {
                config: parts.config,
                plugins: parts.plugins,
                worker: parts.worker,
                cluster_id: parts.cluster_id,
                view,
                requests: tx,
                stop,
                thread: std::sync::Mutex::new(LoopSlot::Ready(Box::new(event_loop))),
            }),
        }
    }

    /// Reads the config log and starts the herder thread; in standalone mode every connector
    /// is restored in its target state before this returns, in distributed mode the thread
    /// goes on to join the group.
    pub fn start(&self) -> Result<(), StoreError> {
        let mut slot = self.shared.thread.lock().unwrap_or_else(|p| p.into_inner());
        let LoopSlot::Ready(mut event_loop) = std::mem::replace(&mut *slot, LoopSlot::Done) else {
            return Ok(());
        };
        event_loop.restore()?;
        let thread = std::thread::Builder::new()
            .name("herder".into())
            .spawn(move || event_loop.run())
            .map_err(|e| StoreError::Kafka(format!("cannot start the herder thread: {e}")))?;
        *slot = LoopSlot::Running(thread);
        Ok(())
    }

    /// Stops every task and connector (offsets are committed on the way) and leaves the group;
    /// returns when the herder thread ended or `limit` passed. Requests queued meanwhile are
    /// refused; nothing starts after this is called.
    pub fn shutdown_within(&self, limit: Duration) -> bool {
        self.shared
            .view
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .stopping = true;
        let _ = self.shared.requests.send(event_loop::Event::Shutdown);
        let _ = self.shared.stop.send(true);
        let mut slot = self.shared.thread.lock().unwrap_or_else(|p| p.into_inner());
        match std::mem::replace(&mut *slot, LoopSlot::Done) {
            LoopSlot::Running(thread) => {
                let deadline = Instant::now() + limit;
                while !thread.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
                if thread.is_finished() {
                    let _ = thread.join();
                    true
                } else {
                    false
                }
            }
            LoopSlot::Ready(_) | LoopSlot::Done => true,
        }
    }

    /// [`Herder::shutdown_within`] with the longest a clean stop takes: the tasks' graceful
    /// timeout, the connectors' stop timeout and a margin for leaving the group.
    pub fn shutdown(&self) {
        let limit = self.shared.config.task_shutdown_graceful_timeout
            + super::connector_runner::CONNECTOR_STOP_TIMEOUT
            + Duration::from_secs(5);
        if !self.shutdown_within(limit) {
            tracing::error!(
                "the herder did not stop within {} s; exiting anyway",
                limit.as_secs()
            );
        }
    }

    fn submit<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> HerderResult<T> {
        if self.view().stopping {
            return Err(stopping());
        }
        let (tx, rx) = mpsc::channel();
        if self
            .shared
            .requests
            .send(event_loop::Event::Request(make(tx)))
            .is_err()
        {
            return Err(stopping());
        }
        match rx.recv_timeout(REQUEST_TIMEOUT) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                Err(HerderError::Internal("Request timed out.".into()))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(stopping()),
        }
    }

    fn view(&self) -> std::sync::RwLockReadGuard<'_, View> {
        self.shared.view.read().unwrap_or_else(|p| p.into_inner())
    }

    /// `GET /`.
    pub fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: option_env!("CONNECT_GIT_COMMIT")
                .unwrap_or("unknown")
                .to_owned(),
            kafka_cluster_id: self.shared.cluster_id.clone(),
        }
    }

    /// `GET /health`: status code and message.
    pub fn health(&self) -> (u16, String) {
        let view = self.view();
        if view.stopping {
            (503, "Worker is shutting down.".into())
        } else if view.started {
            (
                200,
                "Worker has completed startup and is ready to handle requests.".into(),
            )
        } else {
            (503, "Worker is still starting up.".into())
        }
    }

    /// This worker's role in its group, and the leader's URL when known.
    pub fn leadership(&self) -> Leadership {
        self.view().leadership.clone()
    }

    /// Whether internal requests (`POST /connectors/{c}/tasks`, `PUT …/fence`) must be signed,
    /// and with which key.
    pub fn request_signing(&self) -> RequestSigning {
        self.view().signing.clone()
    }

    /// `GET /connectors`.
    pub fn connectors(&self) -> Vec<String> {
        self.view().connectors.keys().cloned().collect()
    }

    fn entry(&self, name: &str) -> HerderResult<ConnectorEntry> {
        self.view()
            .connectors
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(name))
    }

    fn kind_name(&self, config: &ConfigMap) -> String {
        config
            .get("connector.class")
            .and_then(|c| self.shared.plugins.lookup(c).ok())
            .map_or("unknown", |p| p.type_name())
            .to_owned()
    }

    fn info_of(&self, name: &str, e: ConnectorEntry) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            kind: self.kind_name(&e.config),
            tasks: (0..e.tasks.len() as u32)
                .map(|task| ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                })
                .collect(),
            config: e.config,
        }
    }

    /// `GET /connectors/{c}`.
    pub fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let e = self.entry(name)?;
        Ok(self.info_of(name, e))
    }

    /// `GET /connectors/{c}/config`.
    pub fn connector_config(&self, name: &str) -> HerderResult<ConfigMap> {
        Ok(self.entry(name)?.config)
    }

    /// Validates a config for create/update: 400 with every error, as Kafka Connect words it.
    fn check(&self, config: &ConfigMap) -> HerderResult<()> {
        let infos = self.validate(config)?;
        if infos.error_count > 0 {
            return Err(HerderError::BadRequest(validate::invalid_message(&infos)));
        }
        Ok(())
    }

    /// `POST /connectors`.
    pub fn create_connector(
        &self,
        name: &str,
        mut config: ConfigMap,
        initial: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        // Known here already: no need to validate (the loop checks again against the log).
        if self.view().connectors.contains_key(name) {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        config.insert("name".into(), name.to_owned());
        self.check(&config)?;
        let name = name.to_owned();
        self.submit(|reply| Request::PutConfig {
            name,
            config,
            initial,
            replace: false,
            reply,
        })
        .map(|(_, info)| info)
    }

    /// `PUT /connectors/{c}/config`: `(created, info)`.
    pub fn put_connector_config(
        &self,
        name: &str,
        mut config: ConfigMap,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        config.insert("name".into(), name.to_owned());
        self.check(&config)?;
        let name = name.to_owned();
        self.submit(|reply| Request::PutConfig {
            name,
            config,
            initial: None,
            replace: true,
            reply,
        })
    }

    /// `PATCH /connectors/{c}/config`: `null` removes a key. The patch applies to the config
    /// as this worker knows it; the result is validated and written like a `PUT`.
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
        config.insert("name".into(), name.to_owned());
        self.check(&config)?;
        let name = name.to_owned();
        self.submit(|reply| Request::PatchConfig {
            name,
            config,
            reply,
        })
    }

    /// `DELETE /connectors/{c}`: stops it and deletes its configuration (offsets are kept).
    pub fn delete_connector(&self, name: &str) -> HerderResult<()> {
        let name = name.to_owned();
        self.submit(|reply| Request::Delete { name, reply })
    }

    /// `GET /connectors/{c}/status`: from the status topic, so tasks running on other workers
    /// of the group show too.
    pub fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let e = self.view().connectors.get(name).cloned().ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        let statuses = &self.shared.worker.statuses;
        let connector = match statuses.connector_status(name).ok().flatten() {
            Some(s) => ConnectorStateEntry {
                state: s.state,
                worker_id: s.worker_id,
                trace: s.trace,
            },
            None => ConnectorStateEntry {
                state: State::Unassigned,
                worker_id: self.shared.worker.worker_id.clone(),
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
        match self
            .shared
            .worker
            .statuses
            .task_status(name, task)
            .ok()
            .flatten()
        {
            Some(s) => TaskStateEntry {
                id: task,
                state: s.state,
                worker_id: s.worker_id,
                trace: s.trace,
            },
            None => TaskStateEntry {
                id: task,
                state: State::Unassigned,
                worker_id: self.shared.worker.worker_id.clone(),
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

    /// `POST /connectors/{c}/tasks/{t}/restart`: on the worker that runs the task.
    pub fn restart_task(&self, name: &str, task: u32) -> HerderResult<()> {
        let name = name.to_owned();
        self.submit(|reply| Request::RestartTask { name, task, reply })
    }

    /// `POST /connectors/{c}/restart`: `None` for the legacy form (both flags false), which
    /// restarts the connector instance on its owner; else the status with the instances to
    /// restart shown RESTARTING, the restart itself done by their owners.
    pub fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        if !include_tasks && !only_failed {
            let name = name.to_owned();
            return self
                .submit(|reply| Request::RestartConnector { name, reply })
                .map(|()| None);
        }
        let before = self.connector_status(name)?;
        let name = name.to_owned();
        let plan = restart_plan(&before, only_failed);
        self.submit(|reply| Request::RestartWithTasks {
            name,
            include_tasks,
            only_failed,
            reply,
        })?;
        Ok(Some(plan.shown(include_tasks)))
    }

    fn set_target(&self, name: &str, target: TargetState) -> HerderResult<()> {
        let name = name.to_owned();
        self.submit(|reply| Request::SetTarget {
            name,
            target,
            reply,
        })
    }

    /// `PUT /connectors/{c}/pause`.
    pub fn pause_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Paused)
    }

    /// `PUT /connectors/{c}/resume` (from PAUSED or STOPPED).
    pub fn resume_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Started)
    }

    /// `PUT /connectors/{c}/stop`: its tasks are shut down and their configs emptied.
    pub fn stop_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Stopped)
    }

    /// `GET /connectors/{c}/offsets`.
    pub fn offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let e = self.entry(name)?;
        let class = e.config.get("connector.class").cloned().unwrap_or_default();
        let plugin = self
            .shared
            .plugins
            .lookup(&class)
            .map_err(|err| HerderError::BadRequest(err.to_string()))?;
        if plugin.is_sink() {
            return sink_offsets::read(&self.shared.config, name, &e.config)
                .map_err(HerderError::Internal);
        }
        let stored = self
            .shared
            .worker
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

    /// `PATCH /connectors/{c}/offsets` (leader only; the connector must be STOPPED).
    pub fn alter_offsets(&self, name: &str, offsets: ConnectorOffsets) -> HerderResult<String> {
        let name = name.to_owned();
        self.submit(|reply| Request::AlterOffsets {
            name,
            offsets: Some(offsets),
            reply,
        })
    }

    /// `DELETE /connectors/{c}/offsets` (leader only; the connector must be STOPPED).
    pub fn reset_offsets(&self, name: &str) -> HerderResult<String> {
        let name = name.to_owned();
        self.submit(|reply| Request::AlterOffsets {
            name,
            offsets: None,
            reply,
        })
    }

    /// `GET /connectors/{c}/topics`. As in Kafka, the status store's topic records answer,
    /// for any name: an unknown connector has no active topics (200, an empty list).
    pub fn active_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        if !self.shared.config.topic_tracking_enable {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        self.shared
            .worker
            .statuses
            .topics(name)
            .map_err(|e| HerderError::Internal(e.to_string()))
    }

    /// `PUT /connectors/{c}/topics/reset`. As in Kafka, for any name (an unknown connector's
    /// topics are already none: 202).
    pub fn reset_active_topics(&self, name: &str) -> HerderResult<()> {
        if !self.shared.config.topic_tracking_enable {
            return Err(HerderError::Forbidden("Topic tracking is disabled.".into()));
        }
        if !self.shared.config.topic_tracking_allow_reset {
            return Err(HerderError::Forbidden(
                "Topic tracking reset is disabled.".into(),
            ));
        }
        self.shared
            .worker
            .statuses
            .reset_topics(name)
            .map_err(|e| HerderError::Internal(format!("cannot write the connector state: {e}")))
    }

    /// Internal `POST /connectors/{c}/tasks`: task configs a follower computed for a connector
    /// it runs, written by the leader.
    pub fn put_task_configs_from_follower(
        &self,
        connector: &str,
        configs: Vec<ConfigMap>,
    ) -> HerderResult<()> {
        let name = connector.to_owned();
        self.submit(|reply| Request::TaskConfigsFromFollower {
            name,
            configs,
            reply,
        })
    }

    /// Internal `PUT /connectors/{c}/fence`: fencing out zombie source tasks belongs to
    /// exactly-once source support, which this worker refuses at start; on the leader it
    /// answers that plainly instead of claiming a fence it did not raise.
    pub fn fence_zombies(&self, connector: &str) -> HerderResult<()> {
        match self.leadership() {
            Leadership::Leader | Leadership::Standalone => {}
            Leadership::Unknown => return Err(HerderError::NotLeader { leader_url: None }),
            Leadership::Follower { leader_url } => {
                return Err(HerderError::NotLeader {
                    leader_url: Some(leader_url),
                });
            }
        }
        let e = self.entry(connector)?;
        let is_sink = e
            .config
            .get("connector.class")
            .and_then(|c| self.shared.plugins.lookup(c).ok())
            .is_some_and(|p| p.is_sink());
        if is_sink {
            return Err(HerderError::BadRequest(format!(
                "Connector {connector} is not a source connector"
            )));
        }
        Err(HerderError::BadRequest(format!(
            "Cannot fence zombie tasks of connector {connector}: exactly-once source support \
             (exactly.once.source.support) is not supported yet by this worker"
        )))
    }

    /// The worker's settings (the REST layer reads the inter-worker ones).
    pub fn worker_config(&self) -> &WorkerConfig {
        &self.shared.config
    }

    /// `PUT /connector-plugins/{type}/config/validate`.
    pub fn validate(&self, config: &ConfigMap) -> HerderResult<ConfigInfos> {
        let security = self
            .shared
            .config
            .consumer
            .get("security.protocol")
            .or_else(|| self.shared.config.client.get("security.protocol"))
            .map(String::as_str);
        // Validated as it will run (references resolved, as Kafka does), shown as written:
        // a resolved value is a secret and never leaves in a response.
        let resolved = config_resolution::resolve(&self.shared.worker.config_transformer, config)
            .map_err(HerderError::BadRequest)?;
        let mut infos = validate::validate(
            &self.shared.plugins,
            self.shared.config.override_policy,
            security,
            &resolved.config,
        )?;
        for info in &mut infos.configs {
            if let Some(raw) = config.get(&info.value.name)
                && contains_reference(raw)
            {
                info.value.value = Some(raw.clone());
            }
        }
        Ok(infos)
    }
}

/// What a restart with tasks will do, computed from the statuses before it.
struct RestartPlan {
    before: ConnectorStateInfo,
    connector: bool,
    tasks: Vec<u32>,
}

fn restart_plan(before: &ConnectorStateInfo, only_failed: bool) -> RestartPlan {
    RestartPlan {
        before: before.clone(),
        connector: !only_failed || before.connector.state == State::Failed,
        tasks: before
            .tasks
            .iter()
            .filter(|t| !only_failed || t.state == State::Failed)
            .map(|t| t.id)
            .collect(),
    }
}

impl RestartPlan {
    /// The status shown in the answer: restarted instances RESTARTING, without traces.
    fn shown(self, include_tasks: bool) -> ConnectorStateInfo {
        let mut shown = self.before;
        if self.connector {
            shown.connector.state = State::Restarting;
            shown.connector.trace = None;
        }
        if include_tasks {
            for t in shown
                .tasks
                .iter_mut()
                .filter(|t| self.tasks.contains(&t.id))
            {
                t.state = State::Restarting;
                t.trace = None;
            }
        }
        shown
    }
}

fn stopping() -> HerderError {
    HerderError::Unavailable(
        "The worker is shutting down; send the request to another worker of the group, or \
         again once this one has restarted."
            .into(),
    )
}

fn as_object(v: serde_json::Value) -> Option<serde_json::Map<String, serde_json::Value>> {
    match v {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}
