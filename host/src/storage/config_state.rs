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
//! * The config offset (Java's `ClusterConfigState.offset()`) is the offset of the last record read
//!   plus one, −1 before any. Every record whose value is JSON or a tombstone counts, including ones
//!   that are then found invalid or that this worker does not use; a value that is not JSON does
//!   not (Java's converter fails before `KafkaConfigBackingStore.ConsumeCallback` counts it).
//!   Workers of a group compare it, so it must match Java's for the same log.
//! * The newest valid `session-key` record is the group's key; an invalid one (or a tombstone) is
//!   ignored and the previous key stays.
//! * Restart requests are events, not state: each is queued once, in log order, until
//!   [`ConfigState::snapshot`] hands it out. Compaction keeps the last request per connector
//!   forever, so the ones read while a store opens are old news: Java's store drops them
//!   (`ConsumeCallback` notifies its herder only once `started`, set after the first read to the
//!   end), and the stores here call [`ConfigState::discard_restart_requests`] after their first
//!   read for the same effect.

use std::collections::{BTreeMap, BTreeSet};

use super::config_format::{self, ConfigRecord};
use crate::runtime::status::TargetState;
use crate::runtime::stores::{
    ConfigMap, ConfigSnapshot, ConnectorEntry, RestartRequest, SessionKey,
};

/// The config log's contents after applying records in log order.
#[derive(Debug, Clone)]
pub(crate) struct ConfigState {
    configs: BTreeMap<String, ConfigMap>,
    targets: BTreeMap<String, TargetState>,
    task_counts: BTreeMap<String, u32>,
    committed: BTreeMap<String, BTreeMap<u32, ConfigMap>>,
    pending: BTreeMap<String, BTreeMap<u32, ConfigMap>>,
    inconsistent: BTreeSet<String>,
    offset: i64,
    session_key: Option<SessionKey>,
    restart_requests: Vec<RestartRequest>,
}

impl Default for ConfigState {
    fn default() -> Self {
        ConfigState {
            configs: BTreeMap::new(),
            targets: BTreeMap::new(),
            task_counts: BTreeMap::new(),
            committed: BTreeMap::new(),
            pending: BTreeMap::new(),
            inconsistent: BTreeSet::new(),
            offset: -1,
            session_key: None,
            restart_requests: Vec::new(),
        }
    }
}

impl ConfigState {
    /// Decodes and applies the record at `offset` of the config topic, advancing the config
    /// offset as Java does; an unusable record is logged and skipped.
    pub(crate) fn replay(&mut self, topic: &str, offset: i64, key: &[u8], value: Option<&[u8]>) {
        match config_format::decode(key, value) {
            Ok(record) => {
                self.offset = offset + 1;
                self.apply(record);
            }
            Err(why) => {
                if why.counts() {
                    self.offset = offset + 1;
                }
                // Kafka Connect logs and skips such records too; one bad record must not stop
                // the worker from reading every other connector.
                tracing::error!(topic, offset, "skipping an unusable config record: {why}");
            }
        }
    }

    /// Drops the restart requests queued so far (see the module doc: the ones read at open).
    pub(crate) fn discard_restart_requests(&mut self) {
        if !self.restart_requests.is_empty() {
            tracing::debug!(
                count = self.restart_requests.len(),
                "restart requests read while opening the config log are not acted on (as Java)"
            );
        }
        self.restart_requests.clear();
    }

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
            ConfigRecord::SessionKey(key) => {
                self.session_key = Some(key);
            }
            ConfigRecord::Restart(request) => {
                self.restart_requests.push(request);
            }
            ConfigRecord::Other(key) => {
                tracing::debug!(key, "ignoring a config record this worker does not use");
            }
        }
    }

    /// The current view: the connectors that have a configuration, with their target states and
    /// committed tasks, the offset and the session key, and the restart requests queued since the
    /// previous call (handed out once: this empties the queue).
    pub(crate) fn snapshot(&mut self) -> ConfigSnapshot {
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
            offset: self.offset,
            session_key: self.session_key.clone(),
            restart_requests: std::mem::take(&mut self.restart_requests),
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

    fn tasks_of(state: &mut ConfigState, name: &str) -> Vec<ConfigMap> {
        state.snapshot().connectors[name].tasks.clone()
    }

    #[test]
    fn tasks_apply_only_at_commit() {
        let mut state = ConfigState::default();
        state.apply(connector("c", "1"));
        state.apply(task("c", 0, "t0"));
        state.apply(task("c", 1, "t1"));
        assert!(
            tasks_of(&mut state, "c").is_empty(),
            "pending before commit"
        );
        state.apply(commit("c", 2));
        assert_eq!(tasks_of(&mut state, "c"), vec![config("t0"), config("t1")]);

        // A new generation replaces the old one only when committed.
        state.apply(task("c", 0, "n0"));
        assert_eq!(tasks_of(&mut state, "c"), vec![config("t0"), config("t1")]);
        state.apply(commit("c", 1));
        assert_eq!(tasks_of(&mut state, "c"), vec![config("n0")]);
    }

    #[test]
    fn incomplete_commit_shows_no_tasks_until_a_complete_one() {
        let mut state = ConfigState::default();
        state.apply(connector("c", "1"));
        state.apply(task("c", 1, "t1"));
        state.apply(commit("c", 2));
        assert!(tasks_of(&mut state, "c").is_empty());
        state.apply(task("c", 0, "t0"));
        state.apply(task("c", 1, "t1"));
        state.apply(commit("c", 2));
        assert_eq!(tasks_of(&mut state, "c").len(), 2);
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
        assert_eq!(state.snapshot().offset, -1, "nothing read yet");
        for (i, (key, value)) in JAVA_4_3_1_LOG.iter().enumerate() {
            let offset = i as i64;
            let record = config_format::decode(key.as_bytes(), value.map(str::as_bytes));
            assert!(record.is_ok(), "{key}: {record:?}");
            state.replay("t", offset, key.as_bytes(), value.map(str::as_bytes));
            assert_eq!(state.snapshot().offset, offset + 1);
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
        let snapshot = state.snapshot();
        assert!(snapshot.connectors.is_empty(), "deleted at the end");
        let key = snapshot.session_key.expect("the session key Java wrote");
        assert_eq!(key.algorithm, "HmacSHA256");
        assert_eq!(key.key.len(), 32);
        assert_eq!(key.creation_timestamp, 1_795_553_618_593);
    }

    #[test]
    fn offset_counts_every_convertible_record_and_skips_non_json() {
        let mut state = ConfigState::default();
        state.replay("t", 0, b"connector-c", Some(br#"{"properties":{}}"#));
        assert_eq!(state.snapshot().offset, 1);
        // Not JSON: Java's converter throws before counting it.
        state.replay("t", 1, b"connector-c", Some(b"{not json"));
        assert_eq!(state.snapshot().offset, 1);
        // JSON but invalid, unknown keys, tombstones: counted, as in Java.
        state.replay("t", 2, b"commit-c", Some(b"{}"));
        assert_eq!(state.snapshot().offset, 3);
        state.replay("t", 3, b"logger-cluster-org", Some(br#"{"level":"DEBUG"}"#));
        assert_eq!(state.snapshot().offset, 4);
        state.replay("t", 4, b"session-key", None);
        assert_eq!(state.snapshot().offset, 5);
        // Offsets need not be dense (compaction, transaction markers): the last one read counts.
        state.replay("t", 9, b"target-state-c", None);
        assert_eq!(state.snapshot().offset, 10);
        state.replay("t", 10, b"task-c-0", Some(b"garbage"));
        assert_eq!(state.snapshot().offset, 10);
        assert!(state.snapshot().connectors.contains_key("c"));
    }

    fn session_key(byte: u8, at: i64) -> SessionKey {
        SessionKey {
            key: vec![byte; 32],
            algorithm: "HmacSHA256".into(),
            creation_timestamp: at,
        }
    }

    #[test]
    fn newest_valid_session_key_wins() {
        let mut state = ConfigState::default();
        assert_eq!(state.snapshot().session_key, None);
        let first = config_format::session_key_value(&session_key(1, 10));
        state.replay("t", 0, b"session-key", Some(&first));
        assert_eq!(state.snapshot().session_key, Some(session_key(1, 10)));
        // An invalid key or a tombstone leaves the current one, as in Java.
        state.replay("t", 1, b"session-key", None);
        state.replay("t", 2, b"session-key", Some(br#"{"key":"AAAA"}"#));
        assert_eq!(state.snapshot().session_key, Some(session_key(1, 10)));
        // Log order decides, not the timestamp (Java keeps the last one read).
        let older = config_format::session_key_value(&session_key(2, 5));
        state.replay("t", 3, b"session-key", Some(&older));
        assert_eq!(state.snapshot().session_key, Some(session_key(2, 5)));
    }

    fn restart(connector: &str, include_tasks: bool) -> RestartRequest {
        RestartRequest {
            connector: connector.into(),
            include_tasks,
            only_failed: false,
        }
    }

    #[test]
    fn restart_requests_are_handed_out_once_in_log_order() {
        let mut state = ConfigState::default();
        let replay = |state: &mut ConfigState, offset: i64, request: &RestartRequest| {
            state.replay(
                "t",
                offset,
                &config_format::restart_key(&request.connector),
                Some(&config_format::restart_value(request)),
            );
        };
        replay(&mut state, 0, &restart("old", true));
        state.discard_restart_requests();
        assert!(
            state.snapshot().restart_requests.is_empty(),
            "dropped at open"
        );

        replay(&mut state, 1, &restart("b", true));
        replay(&mut state, 2, &restart("a", false));
        replay(&mut state, 3, &restart("b", false));
        state.replay("t", 4, b"restart-connector-a", None);
        let snapshot = state.snapshot();
        assert_eq!(
            snapshot.restart_requests,
            vec![restart("b", true), restart("a", false), restart("b", false)],
            "every request, duplicates included, in log order; a tombstone is none"
        );
        assert_eq!(snapshot.offset, 5);
        assert!(state.snapshot().restart_requests.is_empty(), "only once");
    }

    #[test]
    fn commit_of_zero_tasks_clears_tasks() {
        let mut state = ConfigState::default();
        state.apply(connector("c", "1"));
        state.apply(task("c", 0, "t0"));
        state.apply(commit("c", 1));
        state.apply(commit("c", 0));
        assert!(tasks_of(&mut state, "c").is_empty());
    }
}
