//! The herder thread: one owner of the herder state, fed by events (Kafka Connect's
//! `DistributedHerder.tick`).
//!
//! Each turn it (1) rejoins the group when a rebalance is due (distributed mode), (2) reads the
//! config log's new records and applies what changed, (3) handles the events that arrived: REST
//! writes, connector threads' answers, plugins' reconfiguration requests, group events, and
//! (4) runs the timers (automatic task restarts, session-key rotation). It waits at most
//! [`TICK`] for an event, so records written by other workers are seen within that time.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, RwLock, mpsc},
    time::{Duration, Instant},
};

use serde_json::Value;

use super::{
    HerderParts,
    membership::Membership,
    request::Request,
    view::{Leadership, View},
};
use crate::{
    cluster::{assignment::ConnectorsAndTasks, coordinator::GroupEvent},
    config::WorkerConfig,
    plugins::PluginRegistry,
    runtime::{
        config_resolution,
        connector_runner::ConnectorEvent,
        info::{ConnectorInfo, ConnectorOffsets, ConnectorTaskId, HerderError, HerderResult},
        restarter::{self, Restarter, TaskView},
        sink_offsets,
        status::{State, TargetState},
        stores::{ConfigLog, ConfigMap, ConfigSnapshot, RestartRequest, StoreError},
        worker::Worker,
    },
};

/// The longest the loop sleeps without an event: how soon records of other workers are read.
pub(super) const TICK: Duration = Duration::from_millis(250);

/// How long an offsets change through REST waits for the offset store.
const OFFSET_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// How often failed tasks are checked for an automatic restart.
const RESTART_CHECK: Duration = Duration::from_millis(500);

/// What wakes the herder thread.
pub(crate) enum Event {
    /// A REST write.
    Request(Request),
    /// A connector thread's answer.
    Connector(ConnectorEvent),
    /// A plugin asked for its tasks to be reconfigured.
    Reconfigure(String),
    /// The group client saw a rebalance or lost the coordinator.
    Group(GroupEvent),
    /// Stop everything and end the thread.
    Shutdown,
}

/// The herder state and the thread's work.
pub(crate) struct HerderLoop {
    pub(super) config: Arc<WorkerConfig>,
    pub(super) plugins: Arc<PluginRegistry>,
    pub(super) config_log: Arc<dyn ConfigLog>,
    pub(super) worker: Worker,
    pub(super) view: Arc<RwLock<View>>,
    pub(super) events_tx: mpsc::Sender<Event>,
    events: mpsc::Receiver<Event>,
    /// The config log as last read.
    pub(super) snapshot: ConfigSnapshot,
    /// The group, in distributed mode.
    pub(super) membership: Option<Membership>,
    /// What this worker should run: everything configured in standalone mode, its
    /// assignment in distributed mode.
    pub(super) owned: ConnectorsAndTasks,
    /// The task config each running task was started with (a changed config restarts it).
    pub(super) running_tasks: BTreeMap<ConnectorTaskId, ConfigMap>,
    /// The config each running connector instance was started with.
    pub(super) running_connectors: BTreeMap<String, (ConfigMap, TargetState)>,
    /// The PAUSED/STARTED target last applied to each connector's instances here.
    pub(super) applied_targets: BTreeMap<String, TargetState>,
    /// Increases with every connector start, to drop answers of replaced instances.
    pub(super) next_epoch: u64,
    /// Connectors whose task configs should be recomputed.
    pub(super) reconfigure: BTreeSet<String>,
    restarter: Restarter,
    last_restart_check: Instant,
    /// When running connectors' config provider values expire (`config.action.reload`).
    pub(super) reloads: BTreeMap<String, Instant>,
    pub(super) stopping: bool,
    /// Whether the last config read failed (its warning is logged once per outage).
    config_unreadable: bool,
}

impl HerderLoop {
    pub(super) fn new(
        parts: &HerderParts,
        view: Arc<RwLock<View>>,
        events_tx: mpsc::Sender<Event>,
        events: mpsc::Receiver<Event>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> HerderLoop {
        let membership = parts.config.distributed.as_ref().map(|d| {
            Membership::new(
                &parts.config,
                d,
                &parts.worker.worker_id,
                parts.runtime.clone(),
                events_tx.clone(),
                stop,
            )
        });
        HerderLoop {
            config: parts.config.clone(),
            plugins: parts.plugins.clone(),
            config_log: parts.config_log.clone(),
            worker: Worker::new(parts.worker.clone()),
            view,
            events_tx,
            events,
            snapshot: ConfigSnapshot::default(),
            membership,
            owned: ConnectorsAndTasks::default(),
            running_tasks: BTreeMap::new(),
            running_connectors: BTreeMap::new(),
            applied_targets: BTreeMap::new(),
            next_epoch: 0,
            reconfigure: BTreeSet::new(),
            restarter: Restarter::default(),
            last_restart_check: Instant::now(),
            reloads: BTreeMap::new(),
            stopping: false,
            config_unreadable: false,
        }
    }

    /// Reads the config log; in standalone mode also starts every connector (the caller
    /// learns of a config log it cannot read before any thread is started).
    pub(super) fn restore(&mut self) -> Result<(), StoreError> {
        self.snapshot = self.config_log.snapshot()?;
        // Restart requests written before this worker started were meant for the workers
        // running then; Java does not replay them either.
        self.snapshot.restart_requests.clear();
        if self.membership.is_none() {
            for name in self.snapshot.connectors.keys() {
                tracing::info!(connector = %name, "restoring connector from the config log");
            }
            self.owned = self.snapshot_work();
            self.reconcile();
            self.view_mut().started = true;
        }
        self.publish();
        Ok(())
    }

    /// The thread's body: turns until shutdown.
    pub(super) fn run(mut self) {
        loop {
            if self.stopping {
                break;
            }
            if self.membership.as_ref().is_some_and(Membership::rejoin_due) {
                // A stop that arrived meanwhile comes before a rebalance.
                if let Ok(event) = self.events.try_recv() {
                    self.handle(event);
                    continue;
                }
                self.rebalance();
                continue;
            }
            self.read_config();
            let wait = self
                .membership
                .as_ref()
                .and_then(Membership::time_to_rejoin)
                .map_or(TICK, |d| d.min(TICK));
            match self.events.recv_timeout(wait) {
                Ok(event) => {
                    self.handle(event);
                    while let Ok(event) = self.events.try_recv() {
                        self.handle(event);
                        if self.stopping {
                            break;
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => self.stopping = true,
            }
            self.process_reconfigurations();
            self.timers();
        }
        self.shut_down();
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Request(request) => self.handle_request(request),
            Event::Connector(event) => self.on_connector_event(event),
            Event::Reconfigure(name) => {
                self.reconfigure.insert(name);
            }
            Event::Group(event) => {
                if let Some(m) = self.membership.as_mut() {
                    let lost = m.on_group_event(event);
                    if lost {
                        // Java's WorkerCoordinator: without a coordinator this worker cannot
                        // know whether its work moved; it stops it rather than risk running
                        // it twice.
                        tracing::warn!(
                            "lost the group coordinator: stopping local work until the group is rejoined"
                        );
                        self.owned = ConnectorsAndTasks::default();
                        self.reconcile();
                    }
                }
            }
            Event::Shutdown => self.stopping = true,
        }
    }

    fn shut_down(&mut self) {
        self.view_mut().stopping = true;
        // Refuse what is still queued: nothing starts once stopping has begun.
        while let Ok(event) = self.events.try_recv() {
            if let Event::Request(r) = event {
                refuse(r);
            }
        }
        tracing::info!("stopping: tasks commit their offsets first");
        self.worker.shutdown();
        self.running_tasks.clear();
        self.running_connectors.clear();
        if let Some(m) = self.membership.as_mut() {
            m.leave("the worker is shutting down");
        }
        if let Err(e) = self.worker.context().statuses.flush(Duration::from_secs(5)) {
            tracing::warn!("not every status write was acknowledged before exit: {e}");
        }
    }

    pub(super) fn view_mut(&self) -> std::sync::RwLockWriteGuard<'_, View> {
        self.view.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes the state REST reads.
    pub(super) fn publish(&self) {
        let leadership = match &self.membership {
            None => Leadership::Standalone,
            Some(m) => m.leadership(),
        };
        let signing = self
            .membership
            .as_ref()
            .map_or(crate::runtime::info::RequestSigning::Disabled, |m| {
                m.signing(&self.snapshot)
            });
        let mut view = self.view_mut();
        view.connectors = self.snapshot.connectors.clone();
        view.leadership = leadership;
        view.signing = signing;
    }

    /// The snapshot as the assignors see it: connectors and their task counts.
    pub(super) fn plain_snapshot(&self) -> crate::cluster::assignment::ConfigSnapshot {
        crate::cluster::assignment::ConfigSnapshot {
            offset: self.snapshot.offset,
            connectors: self
                .snapshot
                .connectors
                .iter()
                .map(|(n, e)| (n.clone(), e.tasks.len() as u32))
                .collect(),
        }
    }

    /// Everything the snapshot configures, as one set (standalone's assignment).
    pub(super) fn snapshot_work(&self) -> ConnectorsAndTasks {
        self.plain_snapshot().configured()
    }

    /// Reads new config records and applies the changes.
    pub(super) fn read_config(&mut self) {
        self.read_config_with(None);
    }

    /// [`Self::read_config`] giving up after `budget`: for the leader, whose group sync must
    /// not wait behind a slow read (a broker just back may take a while to answer for the
    /// topic, and the group would drop a member that misses its session timeout).
    pub(super) fn read_config_within(&mut self, budget: Duration) {
        self.read_config_with(Some(budget));
    }

    fn read_config_with(&mut self, budget: Option<Duration>) {
        let read = match budget {
            Some(b) => self.config_log.snapshot_within(b),
            None => self.config_log.snapshot(),
        };
        let fresh = match read {
            Ok(s) => s,
            Err(e) => {
                // Once per outage, not once per turn of the loop.
                if !self.config_unreadable {
                    tracing::warn!("cannot read the config topic: {e}; retrying every turn");
                    self.config_unreadable = true;
                }
                return;
            }
        };
        if std::mem::take(&mut self.config_unreadable) {
            tracing::info!("the config topic is readable again");
        }
        if fresh.offset == self.snapshot.offset
            && fresh.restart_requests.is_empty()
            && fresh.connectors == self.snapshot.connectors
            && fresh.session_key == self.snapshot.session_key
        {
            return;
        }
        let old = std::mem::replace(&mut self.snapshot, fresh);
        let restarts = std::mem::take(&mut self.snapshot.restart_requests);
        self.on_config_changed(&old);
        for r in restarts {
            self.on_restart_request(&r);
        }
        self.publish();
    }

    fn on_config_changed(&mut self, old: &ConfigSnapshot) {
        let new = &self.snapshot;
        let added: Vec<String> = new
            .connectors
            .keys()
            .filter(|n| !old.connectors.contains_key(*n))
            .cloned()
            .collect();
        let removed: Vec<String> = old
            .connectors
            .keys()
            .filter(|n| !new.connectors.contains_key(*n))
            .cloned()
            .collect();
        let tasks_changed: Vec<String> = new
            .connectors
            .iter()
            .filter(|(n, e)| old.connectors.get(*n).is_some_and(|o| o.tasks != e.tasks))
            .map(|(n, _)| n.clone())
            .collect();
        for name in &removed {
            tracing::info!(connector = %name, "connector deleted");
        }
        match self.membership.as_mut() {
            None => self.owned = self.snapshot_work(),
            Some(m) => {
                if !added.is_empty() || !removed.is_empty() || !tasks_changed.is_empty() {
                    // Connectors or tasks appeared or went: the leader must reassign.
                    m.request_rejoin("the set of connectors or tasks changed");
                }
                // Deleted connectors stop at once, before the rebalance that revokes them.
                for name in &removed {
                    self.owned.connectors.remove(name);
                    self.owned.tasks.retain(|t| &t.connector != name);
                }
            }
        }
        self.reconcile();
        // The statuses of a deleted connector go once its instances here have stopped (as
        // Java's leader does after the rebalance that revokes them).
        for name in &removed {
            let tasks = old.connectors.get(name).map_or(0, |e| e.tasks.len() as u32);
            if let Err(e) = self.worker.context().statuses.remove_connector(name, tasks) {
                tracing::warn!(connector = %name, "cannot delete the statuses of a deleted connector: {e}");
            }
            crate::runtime::plugin_metrics::PluginMetrics::global().remove_connector(name);
        }
    }

    fn on_restart_request(&mut self, r: &RestartRequest) {
        if !self.owned.connectors.contains(&r.connector)
            && !self.owned.tasks.iter().any(|t| t.connector == r.connector)
        {
            return;
        }
        self.restart_owned(&r.connector, r.include_tasks, r.only_failed);
    }

    /// Restarts what this worker owns of `name`, per the flags of a restart request.
    pub(super) fn restart_owned(&mut self, name: &str, include_tasks: bool, only_failed: bool) {
        let statuses = self.worker.context().statuses.clone();
        if self.owned.connectors.contains(name) {
            let failed = statuses
                .connector_status(name)
                .ok()
                .flatten()
                .is_some_and(|s| s.state == State::Failed);
            if !only_failed || failed {
                tracing::info!(connector = %name, "restarting connector");
                self.restart_connector_instance(name);
            }
        }
        if include_tasks {
            let tasks: Vec<ConnectorTaskId> = self
                .owned
                .tasks
                .iter()
                .filter(|t| t.connector == name)
                .map(|t| ConnectorTaskId {
                    connector: t.connector.clone(),
                    task: t.task,
                })
                .collect();
            for id in tasks {
                let failed = statuses
                    .task_status(&id.connector, id.task)
                    .ok()
                    .flatten()
                    .is_some_and(|s| s.state == State::Failed);
                if !only_failed || failed {
                    self.restart_task_instance(&id);
                }
            }
        }
    }

    fn on_connector_event(&mut self, event: ConnectorEvent) {
        match event {
            ConnectorEvent::Started { name, epoch, ok } => {
                if ok && self.worker.connector_epoch(&name) == Some(epoch) {
                    self.reconfigure.insert(name);
                }
            }
            ConnectorEvent::TaskConfigs {
                name,
                epoch,
                result,
            } => {
                if self.worker.connector_epoch(&name) != Some(epoch) {
                    return;
                }
                if let Ok(configs) = result {
                    self.on_task_configs(&name, configs);
                }
            }
        }
    }

    /// Asks the running instances of connectors that requested it for task configs.
    fn process_reconfigurations(&mut self) {
        for name in std::mem::take(&mut self.reconfigure) {
            let Some(entry) = self.snapshot.connectors.get(&name) else {
                continue;
            };
            if entry.target == TargetState::Stopped {
                continue;
            }
            let resolved = config_resolution::resolve(
                &self.worker.context().config_transformer,
                &entry.config,
            );
            let config = resolved.as_ref().map_or(&entry.config, |r| &r.config);
            let max = config
                .get("tasks.max")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .unwrap_or(1);
            self.worker.request_task_configs(&name, max);
        }
    }

    fn timers(&mut self) {
        self.reload_expired_configs();
        if self.last_restart_check.elapsed() >= RESTART_CHECK {
            self.last_restart_check = Instant::now();
            self.automatic_restarts();
        }
        if let Some(m) = self.membership.as_mut() {
            m.maintain_session_key(&self.config_log, &self.snapshot);
        }
    }

    /// Kafka's `WorkerConfigTransformer` reload: a connector whose provider values expired
    /// restarts (its instance only, as Kafka's `restartConnector(ttl, …)`), which reads them
    /// again; tasks restart if the task configs it then computes differ.
    fn reload_expired_configs(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .reloads
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            self.reloads.remove(&name);
            if self.running_connectors.contains_key(&name) {
                tracing::info!(connector = %name, "config provider values expired: restarting the connector to read them again");
                self.restart_connector_instance(&name);
            }
        }
    }

    /// `task.restart.on.failure`: FAILED tasks of this worker restart with back-off (see
    /// [`restarter`]).
    fn automatic_restarts(&mut self) {
        let policies: BTreeMap<String, (bool, Duration)> = self
            .snapshot
            .connectors
            .iter()
            .map(|(n, e)| (n.clone(), restarter::policy(&e.config)))
            .collect();
        let tasks: Vec<TaskView> = self
            .worker
            .task_controls()
            .into_iter()
            .filter_map(|(id, control)| {
                let policy = *policies.get(&id.connector)?;
                let status = control.status();
                let failure = control
                    .failed_at()
                    .and_then(|at| Some((status.trace.clone()?, at)));
                Some(TaskView {
                    id,
                    state: status.state,
                    policy,
                    failure,
                })
            })
            .collect();
        let decisions = self.restarter.due(Instant::now(), &tasks);
        for (id, record, repeats) in decisions.give_up {
            let Some(control) = self.worker.task_control_of(&id) else {
                continue;
            };
            let note = restarter::give_up_note(&id.connector, id.task, &record, repeats);
            tracing::error!(connector = %id.connector, task = id.task, "{note}");
            let trace = control.status().trace.unwrap_or_default();
            control.report_failed(format!("{trace}\n\n{note}"), Some(record));
        }
        for (id, attempt) in decisions.restart {
            if self
                .worker
                .task_status(&id)
                .is_none_or(|s| s.state != State::Failed)
            {
                continue;
            }
            tracing::warn!(connector = %id.connector, task = id.task, attempt, "restarting a failed task (task.restart.on.failure)");
            self.restart_task_instance(&id);
        }
    }

    fn handle_request(&mut self, request: Request) {
        match request {
            Request::PutConfig {
                name,
                config,
                initial,
                replace,
                reply,
            } => {
                let _ = reply.send(self.put_config(&name, config, initial, replace));
            }
            Request::PatchConfig {
                name,
                config,
                reply,
            } => {
                let result = match self.require_leader_and(&name) {
                    Err(e) => Err(e),
                    Ok(()) => self.put_config(&name, config, None, true).map(|(_, i)| i),
                };
                let _ = reply.send(result);
            }
            Request::Delete { name, reply } => {
                let _ = reply.send(self.delete(&name));
            }
            Request::SetTarget {
                name,
                target,
                reply,
            } => {
                let _ = reply.send(self.set_target(&name, target));
            }
            Request::RestartConnector { name, reply } => {
                let _ = reply.send(self.restart_connector(&name));
            }
            Request::RestartWithTasks {
                name,
                include_tasks,
                only_failed,
                reply,
            } => {
                let _ = reply.send(self.restart_with_tasks(&name, include_tasks, only_failed));
            }
            Request::RestartTask { name, task, reply } => {
                let _ = reply.send(self.restart_task(&name, task));
            }
            Request::AlterOffsets {
                name,
                offsets,
                reply,
            } => self.alter_offsets(&name, offsets, reply),
            Request::TaskConfigsFromFollower {
                name,
                configs,
                reply,
            } => {
                let result = self.require_leader().and_then(|()| {
                    if !self.snapshot.connectors.contains_key(&name) {
                        return Err(not_found(&name));
                    }
                    self.write_task_configs(&name, &configs)
                });
                let _ = reply.send(result);
            }
        }
    }

    /// Only the leader (or a standalone worker) may write connector configs.
    pub(super) fn require_leader(&self) -> HerderResult<()> {
        match &self.membership {
            None => Ok(()),
            Some(m) => m.require_leader(),
        }
    }

    fn require_leader_and(&self, name: &str) -> HerderResult<()> {
        self.require_leader()?;
        if !self.snapshot.connectors.contains_key(name) {
            return Err(not_found(name));
        }
        Ok(())
    }

    fn put_config(
        &mut self,
        name: &str,
        config: ConfigMap,
        initial: Option<TargetState>,
        replace: bool,
    ) -> HerderResult<(bool, ConnectorInfo)> {
        self.require_leader()?;
        let exists = self.snapshot.connectors.contains_key(name);
        if exists && !replace {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        // The target state goes first, as Kafka Connect writes an explicit initial state, so
        // that no worker ever starts the connector in another state.
        if !exists && let Some(target) = initial {
            self.config_log
                .put_target_state(name, target)
                .map_err(store)?;
        }
        self.config_log
            .put_connector_config(name, &config)
            .map_err(store)?;
        // Read back, so the answer (and the next REST read) reflects the write.
        self.read_config();
        let entry = self
            .snapshot
            .connectors
            .get(name)
            .cloned()
            .unwrap_or_default();
        let kind = config
            .get("connector.class")
            .and_then(|c| self.plugins.lookup(c).ok())
            .map_or("unknown", |p| p.type_name())
            .to_owned();
        Ok((
            !exists,
            ConnectorInfo {
                name: name.to_owned(),
                tasks: (0..entry.tasks.len() as u32)
                    .map(|task| ConnectorTaskId {
                        connector: name.to_owned(),
                        task,
                    })
                    .collect(),
                config,
                kind,
            },
        ))
    }

    fn delete(&mut self, name: &str) -> HerderResult<()> {
        self.require_leader_and(name)?;
        self.config_log.remove_connector(name).map_err(store)?;
        // Read back, so the answer (and the next REST read) reflects the write.
        self.read_config();
        Ok(())
    }

    fn set_target(&mut self, name: &str, target: TargetState) -> HerderResult<()> {
        let Some(entry) = self.snapshot.connectors.get(name).cloned() else {
            return Err(not_found(name));
        };
        if target == TargetState::Stopped {
            // Java: the leader empties the task configs first, then writes STOPPED.
            self.require_leader()?;
            if !entry.tasks.is_empty() {
                self.config_log.put_task_configs(name, &[]).map_err(store)?;
            }
        }
        if entry.target != target {
            self.config_log
                .put_target_state(name, target)
                .map_err(store)?;
        }
        // Read back, so the answer (and the next REST read) reflects the write.
        self.read_config();
        Ok(())
    }

    fn restart_connector(&mut self, name: &str) -> HerderResult<()> {
        if !self.snapshot.connectors.contains_key(name) {
            return Err(not_found(name));
        }
        if self.owned.connectors.contains(name) {
            self.restart_connector_instance(name);
            return Ok(());
        }
        Err(self.not_here(|owners| owners.connector_owner(name)))
    }

    fn restart_task(&mut self, name: &str, task: u32) -> HerderResult<()> {
        let Some(entry) = self.snapshot.connectors.get(name) else {
            return Err(not_found(name));
        };
        if task as usize >= entry.tasks.len() {
            return Err(HerderError::NotFound(format!(
                "Unknown task: {name}-{task}"
            )));
        }
        let id = ConnectorTaskId {
            connector: name.to_owned(),
            task,
        };
        if self
            .owned
            .tasks
            .contains(&crate::cluster::assignment::TaskId::new(name, task))
        {
            self.restart_task_instance(&id);
            return Ok(());
        }
        Err(self.not_here(|owners| owners.task_owner(name, task)))
    }

    /// The answer for a request that must run where the work runs: the leader names the
    /// owner, a follower sends it to the leader.
    fn not_here(
        &self,
        owner: impl FnOnce(&super::membership::Owners) -> Option<String>,
    ) -> HerderError {
        match &self.membership {
            None => HerderError::Internal("the connector is not running on this worker".into()),
            Some(m) => m.route_to_owner(owner),
        }
    }

    fn restart_with_tasks(
        &mut self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<()> {
        self.require_leader_and(name)?;
        if self.membership.is_none() {
            self.restart_owned(name, include_tasks, only_failed);
            return Ok(());
        }
        // Through the config topic, so that each owner restarts its part (KIP-745).
        self.config_log
            .put_restart_request(&RestartRequest {
                connector: name.to_owned(),
                include_tasks,
                only_failed,
            })
            .map_err(store)?;
        // Read back, so the answer (and the next REST read) reflects the write.
        self.read_config();
        Ok(())
    }

    fn alter_offsets(
        &mut self,
        name: &str,
        offsets: Option<ConnectorOffsets>,
        reply: super::request::Reply<String>,
    ) {
        let checked = self.require_leader_and(name).and_then(|()| {
            let e = &self.snapshot.connectors[name];
            if e.target != TargetState::Stopped {
                return Err(HerderError::BadRequest(format!(
                    "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
                )));
            }
            if offsets.as_ref().is_some_and(|o| o.offsets.is_empty()) {
                return Err(HerderError::BadRequest(
                    "Partitions / offsets need to be provided for an alter offsets request".into(),
                ));
            }
            let class = e.config.get("connector.class").cloned().unwrap_or_default();
            self.plugins
                .lookup(&class)
                .map(|p| p.is_sink())
                .map_err(|err| HerderError::BadRequest(err.to_string()))
        });
        let is_sink = match checked {
            Ok(s) => s,
            Err(e) => {
                let _ = reply.send(Err(e));
                return;
            }
        };
        // The writes wait on Kafka: off the herder thread, which answers other requests
        // meanwhile (the connector is STOPPED, so nothing here races with them).
        let config = self.config.clone();
        let store = self.worker.context().offsets.clone();
        let name = name.to_owned();
        let spawned = std::thread::Builder::new()
            .name(format!("offsets-{name}"))
            .spawn(move || {
                let _ = reply.send(write_offsets(&config, &*store, &name, offsets, is_sink));
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the offsets writer thread: {e}");
        }
    }

    /// Writes task configs (leader or standalone) and reads them back.
    pub(super) fn write_task_configs(
        &mut self,
        name: &str,
        configs: &[ConfigMap],
    ) -> HerderResult<()> {
        let current = self.snapshot.connectors.get(name).map(|e| &e.tasks);
        if current.is_some_and(|c| c == configs) {
            return Ok(());
        }
        self.config_log
            .put_task_configs(name, configs)
            .map_err(store)?;
        // Read back, so the answer (and the next REST read) reflects the write.
        self.read_config();
        Ok(())
    }
}

fn write_offsets(
    config: &WorkerConfig,
    offset_store: &dyn crate::runtime::stores::OffsetStore,
    name: &str,
    offsets: Option<ConnectorOffsets>,
    is_sink: bool,
) -> HerderResult<String> {
    let altered = offsets.is_some();
    match (offsets, is_sink) {
        (Some(offsets), true) => {
            sink_offsets::alter(config, name, &offsets).map_err(HerderError::BadRequest)?;
        }
        (None, true) => sink_offsets::reset(config, name).map_err(HerderError::Internal)?,
        (Some(offsets), false) => {
            let entries: Vec<(Value, Option<Value>)> = offsets
                .offsets
                .into_iter()
                .map(|o| (Value::Object(o.partition), o.offset.map(Value::Object)))
                .collect();
            offset_store
                .put(name, &entries, OFFSET_WRITE_TIMEOUT)
                .map_err(store)?;
        }
        (None, false) => {
            let stored = offset_store
                .connector_offsets(name)
                .map_err(|e| HerderError::Internal(e.to_string()))?;
            let entries: Vec<(Value, Option<Value>)> =
                stored.into_iter().map(|(p, _)| (p, None)).collect();
            offset_store
                .put(name, &entries, OFFSET_WRITE_TIMEOUT)
                .map_err(store)?;
        }
    }
    Ok(if altered {
        "The offsets for this connector have been altered successfully".into()
    } else {
        "The offsets for this connector have been reset successfully".into()
    })
}

fn store(e: StoreError) -> HerderError {
    HerderError::Internal(format!("cannot write the connector state: {e}"))
}

pub(super) fn not_found(name: &str) -> HerderError {
    HerderError::NotFound(format!("Connector {name} not found"))
}

/// Answers a request that arrived after stopping began.
fn refuse(request: Request) {
    let e = || super::stopping();
    match request {
        Request::PutConfig { reply, .. } => drop(reply.send(Err(e()))),
        Request::PatchConfig { reply, .. } => drop(reply.send(Err(e()))),
        Request::Delete { reply, .. }
        | Request::SetTarget { reply, .. }
        | Request::RestartConnector { reply, .. }
        | Request::RestartWithTasks { reply, .. }
        | Request::RestartTask { reply, .. }
        | Request::TaskConfigsFromFollower { reply, .. } => drop(reply.send(Err(e()))),
        Request::AlterOffsets { reply, .. } => drop(reply.send(Err(e()))),
    }
}
