//! Making what runs on this worker match what it owns and what the config log says: stopping
//! instances that are no longer owned or whose config changed, starting owned ones that do not
//! run, and turning a connector's task configs into config-log records (or, on a follower, into
//! a request to the leader).

use std::sync::Arc;

use super::event_loop::{Event, HerderLoop};
use crate::{
    cluster::assignment::TaskId,
    config::{ConnectorConfig, ReloadAction},
    plugins::ConnectorPlugin,
    runtime::{
        config_resolution,
        connector_runner::ConnectorStart,
        info::ConnectorTaskId,
        metrics::ConnectMetrics,
        status::{State, TargetState},
        stores::{ConfigMap, ConnectorEntry},
        task_spec::TaskSpec,
        validate,
    },
};

/// `Foo…Connector` → `Foo…Task`, the name Kafka Connect shows as `task.class`.
fn task_class(class: &str) -> String {
    format!("{}Task", class.strip_suffix("Connector").unwrap_or(class))
}

/// A running connector's target as its instance sees it (STOPPED connectors have none).
fn instance_target(target: TargetState) -> TargetState {
    if target == TargetState::Paused {
        TargetState::Paused
    } else {
        TargetState::Started
    }
}

impl HerderLoop {
    /// Stops what should not run (tasks first, then connectors) and starts what should.
    pub(super) fn reconcile(&mut self) {
        if self.stopping {
            return;
        }
        // Tasks to stop: not owned any more, gone from the config, or their config changed.
        let stale: Vec<ConnectorTaskId> = self
            .running_tasks
            .iter()
            .filter(|(id, config)| {
                let owned = self
                    .owned
                    .tasks
                    .contains(&TaskId::new(&id.connector, id.task));
                let current = self
                    .snapshot
                    .connectors
                    .get(&id.connector)
                    .filter(|e| e.target != TargetState::Stopped)
                    .and_then(|e| e.tasks.get(id.task as usize));
                !owned || current != Some(*config)
            })
            .map(|(id, _)| id.clone())
            .collect();
        self.stop_tasks(&stale);

        // Connectors to stop: not owned, deleted, reconfigured, or to/from STOPPED.
        let stale: Vec<String> = self
            .running_connectors
            .iter()
            .filter(|(name, (config, target))| {
                let current = self.snapshot.connectors.get(*name);
                !self.owned.connectors.contains(*name)
                    || current.is_none_or(|e| {
                        &e.config != config
                            || (e.target == TargetState::Stopped)
                                != (*target == TargetState::Stopped)
                    })
            })
            .map(|(n, _)| n.clone())
            .collect();
        for name in stale {
            self.running_connectors.remove(&name);
            let gone = !self.owned.connectors.contains(&name)
                || !self.snapshot.connectors.contains_key(&name);
            if gone {
                self.worker.remove_connector(&name);
            } else {
                self.worker.stop_connector(&name);
            }
        }

        // Pause and resume without restarts, for the connector and the tasks running here.
        for (name, e) in &self.snapshot.connectors {
            if e.target == TargetState::Stopped {
                continue;
            }
            let wanted = instance_target(e.target);
            if self.applied_targets.get(name) != Some(&wanted) {
                self.applied_targets.insert(name.clone(), wanted);
                self.worker.set_target(name, wanted);
            }
        }
        let snapshot = &self.snapshot;
        self.applied_targets
            .retain(|name, _| snapshot.connectors.contains_key(name));
        for (name, (_, target)) in self.running_connectors.iter_mut() {
            if let Some(e) = self.snapshot.connectors.get(name) {
                *target = e.target;
            }
        }

        let owned_connectors: Vec<String> = self.owned.connectors.iter().cloned().collect();
        for name in owned_connectors {
            if self.running_connectors.contains_key(&name) {
                continue;
            }
            let Some(entry) = self.snapshot.connectors.get(&name).cloned() else {
                continue;
            };
            self.start_connector(&name, &entry);
        }

        let owned_tasks: Vec<TaskId> = self.owned.tasks.iter().cloned().collect();
        for t in owned_tasks {
            let id = ConnectorTaskId {
                connector: t.connector.clone(),
                task: t.task,
            };
            if self.running_tasks.contains_key(&id) {
                continue;
            }
            self.start_task(&id);
        }
    }

    fn stop_tasks(&mut self, ids: &[ConnectorTaskId]) {
        if ids.is_empty() {
            return;
        }
        for id in ids {
            self.running_tasks.remove(id);
        }
        self.worker.stop_task_set(ids);
    }

    /// Starts the connector instance (or records STOPPED / a missing plugin).
    fn start_connector(&mut self, name: &str, entry: &ConnectorEntry) {
        self.running_connectors
            .insert(name.to_owned(), (entry.config.clone(), entry.target));
        if entry.target == TargetState::Stopped {
            self.worker.set_connector_state(name, State::Stopped, None);
            return;
        }
        let class = entry
            .config
            .get("connector.class")
            .cloned()
            .unwrap_or_default();
        let plugin = match self.plugins.lookup(&class) {
            Ok(p) => p.clone(),
            Err(err) => {
                self.worker.set_connector_state(
                    name,
                    State::Failed,
                    Some(format!(
                        "{err}\nInstall the plugin under a directory of plugin.path and restart the worker."
                    )),
                );
                return;
            }
        };
        // `${provider:path:key}` is resolved now, for this instance only (never stored).
        let resolved = match config_resolution::resolve(
            &self.worker.context().config_transformer,
            &entry.config,
        ) {
            Ok(r) => r,
            Err(why) => {
                self.worker
                    .set_connector_state(name, State::Failed, Some(why));
                return;
            }
        };
        config_resolution::warn_unresolved(name, &resolved);
        let parsed = ConnectorConfig::parse(&resolved.config, validate::kind_of(&plugin)).ok();
        // Settings that are valid but probably not what the user meant (e.g. a converter's
        // settings without the converter): said once per start, as Kafka logs its warnings.
        for warning in parsed.iter().flat_map(|p| &p.warnings) {
            tracing::warn!(connector = %name, "{warning}");
        }
        let reload = parsed
            .as_ref()
            .is_none_or(|p| p.reload_action == ReloadAction::Restart);
        match resolved.ttl {
            Some(ttl) if reload => {
                tracing::info!(connector = %name, ttl_ms = ttl.as_millis() as u64,
                    "config provider values expire; the connector restarts then (config.action.reload=restart)");
                self.reloads
                    .insert(name.to_owned(), std::time::Instant::now() + ttl);
            }
            _ => {
                self.reloads.remove(name);
            }
        }
        self.next_epoch += 1;
        let reconfigure_events = self.events_tx.clone();
        let reconfigure_name = name.to_owned();
        let connector_events = self.events_tx.clone();
        self.worker.start_connector(ConnectorStart {
            name: name.to_owned(),
            epoch: self.next_epoch,
            plugin,
            config: resolved.config,
            target: instance_target(entry.target),
            // From a plugin thread: only queue it; the loop coalesces repeated requests.
            reconfigure: Arc::new(move || {
                let _ = reconfigure_events.send(Event::Reconfigure(reconfigure_name.clone()));
            }),
            events: Arc::new(move |event| {
                let _ = connector_events.send(Event::Connector(event));
            }),
        });
    }

    /// Stops and starts the connector instance (REST restart, restart request).
    pub(super) fn restart_connector_instance(&mut self, name: &str) {
        self.running_connectors.remove(name);
        self.worker.stop_connector(name);
        self.reconcile();
    }

    /// Stops and starts one task (REST restart, automatic restart).
    pub(super) fn restart_task_instance(&mut self, id: &ConnectorTaskId) {
        self.stop_tasks(std::slice::from_ref(id));
        self.reconcile();
    }

    fn start_task(&mut self, id: &ConnectorTaskId) {
        let Some(entry) = self.snapshot.connectors.get(&id.connector).cloned() else {
            return;
        };
        if entry.target == TargetState::Stopped {
            return;
        }
        let Some(task_config) = entry.tasks.get(id.task as usize).cloned() else {
            return;
        };
        self.running_tasks.insert(id.clone(), task_config.clone());
        let control = self.worker.task_control(id, instance_target(entry.target));
        let transformer = &self.worker.context().config_transformer;
        let started = self.plugin_and_config(&entry).and_then(|found| {
            let task_config = config_resolution::resolve(transformer, &task_config)?.config;
            Ok((found, task_config))
        });
        let ((plugin, parsed), task_config) = match started {
            Ok(found) => found,
            Err(why) => {
                // A startup that failed before the task thread: counted as Kafka's Worker does.
                if let Some(m) = control.metrics().task()
                    && m.startup_attempted()
                {
                    ConnectMetrics::global().worker.task_startups.attempt();
                }
                control.report(State::Failed, Some(why));
                return;
            }
        };
        let spec = TaskSpec {
            control,
            id: id.clone(),
            plugin: plugin.clone(),
            task_config,
            connector: parsed,
            worker: self.worker.context().clone(),
        };
        self.worker.start_task(spec, plugin.is_sink());
    }

    /// The connector's plugin and its parsed framework settings (references resolved), or
    /// why not.
    fn plugin_and_config(
        &self,
        entry: &ConnectorEntry,
    ) -> Result<(ConnectorPlugin, ConnectorConfig), String> {
        let resolved =
            config_resolution::resolve(&self.worker.context().config_transformer, &entry.config)?
                .config;
        let class = entry
            .config
            .get("connector.class")
            .cloned()
            .unwrap_or_default();
        let plugin = self
            .plugins
            .lookup(&class)
            .map_err(|e| e.to_string())?
            .clone();
        let parsed =
            ConnectorConfig::parse(&resolved, validate::kind_of(&plugin)).map_err(|errs| {
                let msg: Vec<String> = errs.iter().map(|(k, m)| format!("{k}: {m}")).collect();
                format!("invalid connector configuration: {}", msg.join("; "))
            })?;
        Ok((plugin, parsed))
    }

    /// A connector instance answered `task_configs`: complete them as Kafka Connect does and,
    /// when they differ from the committed ones, write them (leader, standalone) or send them
    /// to the leader (follower).
    pub(super) fn on_task_configs(&mut self, name: &str, mut configs: Vec<ConfigMap>) {
        let Some(entry) = self.snapshot.connectors.get(name).cloned() else {
            return;
        };
        let (plugin, parsed) = match self.plugin_and_config(&entry) {
            Ok(found) => found,
            Err(why) => {
                self.worker
                    .set_connector_state(name, State::Failed, Some(why));
                return;
            }
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
                    if let Some(v) = entry.config.get(key) {
                        c.insert(key.into(), v.clone());
                    }
                }
            }
        }
        // Computed from resolved values: the references go back before anything is stored.
        config_resolution::reverse_transform(&entry.config, &mut configs);
        if configs == entry.tasks {
            return;
        }
        let leads = self.require_leader().is_ok();
        if leads {
            if let Err(e) = self.write_task_configs(name, &configs) {
                self.worker.set_connector_state(
                    name,
                    State::Failed,
                    Some(format!("cannot write task configs: {e}")),
                );
            }
        } else if let Some(m) = self.membership.as_ref() {
            m.send_task_configs_to_leader(name, configs, &self.snapshot);
        }
    }
}
