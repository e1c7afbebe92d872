//! Replaying config records into the current view ([`ConfigSnapshot`]), with Kafka Connect's
//! rules, shared by the Kafka-backed and the in-memory config log so both behave the same.
//!
//! The rules that matter:
//! * Task configs are *pending* until the connector's `commit-<name>` record arrives; the commit
//!   applies them all at once, so a reader never sees half of an old and half of a new set.
//! * A commit that does not find every task `0..N` pending (compaction removed some, or a writer
//!   died half-way) marks the connector inconsistent: it shows no tasks until a complete commit,
//!   which makes the runtime regenerate them.
//! * A connector tombstone removes the connector and its tasks; a target-state tombstone (written
//!   alongside) removes the state. A connector without a target state is `STARTED`.
//! * A target state may precede its connector's config (an explicit initial state): it is kept and
//!   applies once the config arrives.

use std::collections::{BTreeMap, BTreeSet};

use super::config_format::ConfigRecord;
use crate::runtime::status::TargetState;
use crate::runtime::stores::{ConfigMap, ConfigSnapshot, ConnectorEntry};

/// The config log's contents after applying records in log order.
#[derive(Debug, Default, Clone)]
pub(crate) struct ConfigState {
    configs: BTreeMap<String, ConfigMap>,
    targets: BTreeMap<String, TargetState>,
    task_counts: BTreeMap<String, u32>,
    committed: BTreeMap<String, BTreeMap<u32, ConfigMap>>,
    pending: BTreeMap<String, BTreeMap<u32, ConfigMap>>,
    inconsistent: BTreeSet<String>,
}

impl ConfigState {
    /// Applies one record, in log order.
    pub(crate) fn apply(&mut self, record: ConfigRecord) {
        match record {
            ConfigRecord::Connector { name, config: None } => {
                self.configs.remove(&name);
                self.task_counts.remove(&name);
                self.committed.remove(&name);
                self.pending.remove(&name);
                self.inconsistent.remove(&name);
            }
            ConfigRecord::Connector {
                name,
                config: Some(config),
            } => {
                self.targets
                    .entry(name.clone())
                    .or_insert(TargetState::Started);
                self.configs.insert(name, config);
            }
            ConfigRecord::TargetState {
                connector,
                state: None,
            } => {
                self.targets.remove(&connector);
            }
            ConfigRecord::TargetState {
                connector,
                state: Some(state),
            } => {
                self.targets.insert(connector, state);
            }
            ConfigRecord::Task {
                connector,
                task,
                config,
            } => {
                self.pending
                    .entry(connector)
                    .or_default()
                    .insert(task, config);
            }
            ConfigRecord::Commit { connector, tasks } => {
                let pending = self.pending.remove(&connector).unwrap_or_default();
                let complete = (0..tasks).all(|t| pending.contains_key(&t));
                if complete {
                    self.committed
                        .entry(connector.clone())
                        .or_default()
                        .extend(pending);
                    self.inconsistent.remove(&connector);
                } else {
                    tracing::debug!(
                        connector,
                        tasks,
                        "incomplete task configs at commit (compaction or an interrupted write); \
                         the connector shows no tasks until they are regenerated"
                    );
                    self.inconsistent.insert(connector.clone());
                }
                self.task_counts.insert(connector, tasks);
            }
            ConfigRecord::Other(key) => {
                tracing::debug!(key, "ignoring a config record this worker does not use");
            }
        }
    }

    /// The connectors that have a configuration, with their target states and committed tasks.
    pub(crate) fn snapshot(&self) -> ConfigSnapshot {
        let connectors = self
            .configs
            .iter()
            .map(|(name, config)| {
                let entry = ConnectorEntry {
                    config: config.clone(),
                    target: self.targets.get(name).copied().unwrap_or_default(),
                    tasks: self.tasks(name),
                };
                (name.clone(), entry)
            })
            .collect();
        ConfigSnapshot {
            connectors,
            ..ConfigSnapshot::default()
        }
    }

    fn tasks(&self, connector: &str) -> Vec<ConfigMap> {
        if self.inconsistent.contains(connector) {
            return Vec::new();
        }
        let count = self.task_counts.get(connector).copied().unwrap_or(0);
        let Some(committed) = self.committed.get(connector) else {
            return Vec::new();
        };
        (0..count)
            .map(|t| committed.get(&t).cloned())
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(value: &str) -> ConfigMap {
        ConfigMap::from([("k".to_string(), value.to_string())])
    }

    fn connector(name: &str, value: &str) -> ConfigRecord {
        ConfigRecord::Connector {
            name: name.into(),
            config: Some(config(value)),
        }
    }

    fn task(name: &str, task: u32, value: &str) -> ConfigRecord {
        ConfigRecord::Task {
            connector: name.into(),
            task,
            config: config(value),
        }
    }

    fn commit(name: &str, tasks: u32) -> ConfigRecord {
        ConfigRecord::Commit {
            connector: name.into(),
            tasks,
        }
    }

    fn tasks_of(state: &ConfigState, name: &str) -> Vec<ConfigMap> {
        state.snapshot().connectors[name].tasks.clone()
    }

    #[test]
    fn tasks_apply_only_at_commit() {
        let mut state = ConfigState::default();
        state.apply(connector("c", "1"));
        state.apply(task("c", 0, "t0"));
        state.apply(task("c", 1, "t1"));
        assert!(tasks_of(&state, "c").is_empty(), "pending before commit");
        state.apply(commit("c", 2));
        assert_eq!(tasks_of(&state, "c"), vec![config("t0"), config("t1")]);

        // A new generation replaces the old one only when committed.
        state.apply(task("c", 0, "n0"));
        assert_eq!(tasks_of(&state, "c"), vec![config("t0"), config("t1")]);
        state.apply(commit("c", 1));
        assert_eq!(tasks_of(&state, "c"), vec![config("n0")]);
    }

    #[test]
    fn incomplete_commit_shows_no_tasks_until_a_complete_one() {
        let mut state = ConfigState::default();
        state.apply(connector("c", "1"));
        state.apply(task("c", 1, "t1"));
        state.apply(commit("c", 2));
        assert!(tasks_of(&state, "c").is_empty());
        state.apply(task("c", 0, "t0"));
        state.apply(task("c", 1, "t1"));
        state.apply(commit("c", 2));
        assert_eq!(tasks_of(&state, "c").len(), 2);
    }

    #[test]
    fn delete_removes_connector_and_tasks_and_target_state_defaults_to_started() {
        let mut state = ConfigState::default();
        state.apply(ConfigRecord::TargetState {
            connector: "c".into(),
            state: Some(TargetState::Paused),
        });
        assert!(
            state.snapshot().connectors.is_empty(),
            "state alone is no connector"
        );
        state.apply(connector("c", "1"));
        assert_eq!(state.snapshot().connectors["c"].target, TargetState::Paused);
        state.apply(task("c", 0, "t0"));
        state.apply(commit("c", 1));

        state.apply(ConfigRecord::Connector {
            name: "c".into(),
            config: None,
        });
        state.apply(ConfigRecord::TargetState {
            connector: "c".into(),
            state: None,
        });
        assert!(state.snapshot().connectors.is_empty());

        state.apply(connector("c", "2"));
        let entry = &state.snapshot().connectors["c"];
        assert_eq!(entry.target, TargetState::Started);
        assert!(entry.tasks.is_empty(), "old tasks do not come back");
    }

    /// Records as a Java Kafka Connect 4.3.1 worker wrote them to its config topic (create a
    /// sink, let it start, delete it), in log order.
    const JAVA_4_3_1_LOG: &[(&str, Option<&str>)] = &[
        (
            "session-key",
            Some(
                r#"{"key":"P7CsDBWvnGpof5h96JJkvaZM8MOF5bFG+G4N8aIzI70=","algorithm":"HmacSHA256","creation-timestamp":1795553618593}"#,
            ),
        ),
        (
            "connector-probe-sink",
            Some(
                r#"{"properties":{"connector.class":"FileStreamSink","tasks.max":"1","file":"probe-sink.txt","topics":"probe-topic","name":"probe-sink"}}"#,
            ),
        ),
        (
            "task-probe-sink-0",
            Some(
                r#"{"properties":{"connector.class":"FileStreamSink","file":"probe-sink.txt","task.class":"org.apache.kafka.connect.file.FileStreamSinkTask","tasks.max":"1","topics":"probe-topic","name":"probe-sink"}}"#,
            ),
        ),
        ("commit-probe-sink", Some(r#"{"tasks":1}"#)),
        ("connector-probe-sink", None),
        ("target-state-probe-sink", None),
    ];

    #[test]
    fn replays_a_log_written_by_java_connect() {
        let mut state = ConfigState::default();
        for (i, (key, value)) in JAVA_4_3_1_LOG.iter().enumerate() {
            let record =
                crate::storage::config_format::decode(key.as_bytes(), value.map(str::as_bytes))
                    .unwrap();
            state.apply(record);
            if i == 3 {
                let snapshot = state.snapshot();
                let entry = &snapshot.connectors["probe-sink"];
                assert_eq!(entry.target, TargetState::Started);
                assert_eq!(entry.config["topics"], "probe-topic");
                assert_eq!(entry.tasks.len(), 1);
                assert_eq!(
                    entry.tasks[0]["task.class"],
                    "org.apache.kafka.connect.file.FileStreamSinkTask"
                );
            }
        }
        assert!(state.snapshot().connectors.is_empty(), "deleted at the end");
    }

    #[test]
    fn commit_of_zero_tasks_clears_tasks() {
        let mut state = ConfigState::default();
        state.apply(connector("c", "1"));
        state.apply(task("c", 0, "t0"));
        state.apply(commit("c", 1));
        state.apply(commit("c", 0));
        assert!(tasks_of(&state, "c").is_empty());
    }
}
