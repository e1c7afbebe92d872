//! In-memory stores: standalone mode's config log and status store (Kafka Connect keeps those in
//! memory too; connector configs come back from the files given on the command line), and
//! stand-ins for tests.
//!
//! They share the formats, replay rules and tables of the Kafka-backed stores (`config_format`,
//! `config_state`, `offset_format`, `status_state`), so a test against memory sees the same
//! semantics: the config log encodes every write as the records a Kafka log would get and replays
//! them at the next offsets (commit protocol, config offset, session key and restart requests
//! included), and the status store applies Java's generation rules.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use super::config_format;
use super::config_state::ConfigState;
use super::offset_format::OffsetMap;
use super::status_format::StatusRecord;
use super::status_state::StatusTable;
use super::topic_log::Record;
use crate::runtime::status::{Status, TargetState};
use crate::runtime::stores::{
    ConfigLog, ConfigMap, ConfigSnapshot, OffsetStore, RestartRequest, SessionKey, StatusStore,
    StoreError,
};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave these tables half-updated in a way that
    // matters more than losing the process would.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A [`ConfigLog`] in memory, behaving as a one-partition log that is read back at once.
#[derive(Debug, Default)]
pub struct MemoryConfigLog {
    log: Mutex<MemoryLog>,
}

#[derive(Debug, Default)]
struct MemoryLog {
    state: ConfigState,
    /// The offset the next record gets.
    next: i64,
}

impl MemoryLog {
    /// Appends records and replays them, as a Kafka log reads back what was written.
    fn append(&mut self, records: &[Record]) {
        for (key, value) in records {
            self.state
                .replay("memory", self.next, key, value.as_deref());
            self.next += 1;
        }
    }
}

impl MemoryConfigLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    fn append(&self, records: &[Record]) -> Result<(), StoreError> {
        lock(&self.log).append(records);
        Ok(())
    }
}

impl ConfigLog for MemoryConfigLog {
    fn snapshot(&self) -> Result<ConfigSnapshot, StoreError> {
        Ok(lock(&self.log).state.snapshot())
    }

    fn put_connector_config(&self, name: &str, config: &ConfigMap) -> Result<(), StoreError> {
        self.append(&[(
            config_format::connector_key(name),
            Some(config_format::properties_value(config)),
        )])
    }

    fn put_target_state(&self, name: &str, target: TargetState) -> Result<(), StoreError> {
        self.append(&[(
            config_format::target_state_key(name),
            Some(config_format::target_state_value(target)),
        )])
    }

    fn put_task_configs(&self, name: &str, tasks: &[ConfigMap]) -> Result<(), StoreError> {
        let mut records: Vec<Record> = tasks
            .iter()
            .enumerate()
            .map(|(n, config)| {
                (
                    config_format::task_key(name, n),
                    Some(config_format::properties_value(config)),
                )
            })
            .collect();
        records.push((
            config_format::commit_key(name),
            Some(config_format::commit_value(tasks.len())),
        ));
        self.append(&records)
    }

    fn remove_connector(&self, name: &str) -> Result<(), StoreError> {
        self.append(&[
            (config_format::connector_key(name), None),
            (config_format::target_state_key(name), None),
        ])
    }

    fn put_session_key(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.append(&[(
            config_format::session_key_key(),
            Some(config_format::session_key_value(key)),
        )])
    }

    fn put_restart_request(&self, request: &RestartRequest) -> Result<(), StoreError> {
        self.append(&[(
            config_format::restart_key(&request.connector),
            Some(config_format::restart_value(request)),
        )])
    }
}

/// An [`OffsetStore`] in memory.
#[derive(Debug, Default)]
pub struct MemoryOffsetStore {
    offsets: Mutex<OffsetMap>,
}

impl MemoryOffsetStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl OffsetStore for MemoryOffsetStore {
    fn get(&self, connector: &str, partition: &Value) -> Result<Option<Value>, StoreError> {
        Ok(lock(&self.offsets).get(connector, partition))
    }

    fn connector_offsets(&self, connector: &str) -> Result<Vec<(Value, Value)>, StoreError> {
        Ok(lock(&self.offsets).connector_offsets(connector))
    }

    fn put(
        &self,
        connector: &str,
        offsets: &[(Value, Option<Value>)],
        _timeout: Duration,
    ) -> Result<(), StoreError> {
        let mut map = lock(&self.offsets);
        for (partition, offset) in offsets {
            map.set(connector, partition, offset.clone());
        }
        Ok(())
    }
}

/// A [`StatusStore`] in memory, with the generation rules of the Kafka-backed one.
#[derive(Debug, Default)]
pub struct MemoryStatusStore {
    table: Mutex<StatusTable>,
}

impl MemoryStatusStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StatusStore for MemoryStatusStore {
    fn put_connector(&self, name: &str, status: &Status) -> Result<(), StoreError> {
        lock(&self.table).write(StatusRecord::Connector {
            name: name.to_string(),
            status: Some(status.clone()),
        });
        Ok(())
    }

    fn put_task(&self, connector: &str, task: u32, status: &Status) -> Result<(), StoreError> {
        lock(&self.table).write(StatusRecord::Task {
            connector: connector.to_string(),
            task,
            status: Some(status.clone()),
        });
        Ok(())
    }

    fn connector_status(&self, name: &str) -> Result<Option<Status>, StoreError> {
        Ok(lock(&self.table).connector(name).cloned())
    }

    fn task_status(&self, connector: &str, task: u32) -> Result<Option<Status>, StoreError> {
        Ok(lock(&self.table).task(connector, task).cloned())
    }

    fn put_topic(&self, connector: &str, topic: &str) -> Result<(), StoreError> {
        lock(&self.table).write(StatusRecord::Topic {
            topic: topic.to_string(),
            connector: connector.to_string(),
            present: true,
        });
        Ok(())
    }

    fn remove_connector(&self, name: &str, tasks: u32) -> Result<(), StoreError> {
        let mut table = lock(&self.table);
        for task in 0..tasks {
            table.write(StatusRecord::Task {
                connector: name.to_string(),
                task,
                status: None,
            });
        }
        table.write(StatusRecord::Connector {
            name: name.to_string(),
            status: None,
        });
        Ok(())
    }

    fn reset_topics(&self, connector: &str) -> Result<(), StoreError> {
        let mut table = lock(&self.table);
        for topic in table.topics(connector) {
            table.write(StatusRecord::Topic {
                topic,
                connector: connector.to_string(),
                present: false,
            });
        }
        Ok(())
    }

    fn topics(&self, connector: &str) -> Result<Vec<String>, StoreError> {
        Ok(lock(&self.table).topics(connector))
    }

    fn flush(&self, _timeout: Duration) -> Result<(), StoreError> {
        // Every write is already applied.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const T: Duration = Duration::from_secs(30);
    use crate::runtime::status::State;

    fn config(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn config_log_round_trip() {
        let log = MemoryConfigLog::new();
        log.put_target_state("c", TargetState::Stopped).unwrap();
        log.put_connector_config("c", &config(&[("tasks.max", "2")]))
            .unwrap();
        log.put_task_configs("c", &[config(&[("t", "0")]), config(&[("t", "1")])])
            .unwrap();
        let snapshot = log.snapshot().unwrap();
        let entry = &snapshot.connectors["c"];
        assert_eq!(entry.target, TargetState::Stopped);
        assert_eq!(entry.tasks.len(), 2);
        log.remove_connector("c").unwrap();
        assert!(log.snapshot().unwrap().connectors.is_empty());
    }

    #[test]
    fn config_offset_counts_records_as_a_log_would() {
        let log = MemoryConfigLog::new();
        assert_eq!(log.snapshot().unwrap().offset, -1, "empty");
        log.put_connector_config("c", &config(&[])).unwrap();
        assert_eq!(log.snapshot().unwrap().offset, 1);
        // Two task configs and a commit.
        log.put_task_configs("c", &[config(&[]), config(&[])])
            .unwrap();
        assert_eq!(log.snapshot().unwrap().offset, 4);
        log.put_target_state("c", TargetState::Paused).unwrap();
        // A connector tombstone and a target-state tombstone.
        log.remove_connector("c").unwrap();
        assert_eq!(log.snapshot().unwrap().offset, 7);
    }

    #[test]
    fn session_keys_and_restart_requests() {
        let log = MemoryConfigLog::new();
        let key = SessionKey {
            key: vec![7; 32],
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 42,
        };
        log.put_session_key(&key).unwrap();
        let request = RestartRequest {
            connector: "c".into(),
            include_tasks: true,
            only_failed: true,
        };
        log.put_restart_request(&request).unwrap();
        let snapshot = log.snapshot().unwrap();
        assert_eq!(snapshot.session_key, Some(key.clone()));
        assert_eq!(snapshot.restart_requests, vec![request]);
        assert_eq!(snapshot.offset, 2);
        let again = log.snapshot().unwrap();
        assert!(again.restart_requests.is_empty(), "handed out once");
        assert_eq!(again.session_key, Some(key), "the key stays");
    }

    #[test]
    fn offsets_and_statuses() {
        let offsets = MemoryOffsetStore::new();
        let p = json!({"f": "a"});
        offsets
            .put("c", &[(p.clone(), Some(json!({"pos": 1})))], T)
            .unwrap();
        assert_eq!(offsets.get("c", &p).unwrap(), Some(json!({"pos": 1})));
        offsets.put("c", &[(p.clone(), None)], T).unwrap();
        assert_eq!(offsets.get("c", &p).unwrap(), None);

        let statuses = MemoryStatusStore::new();
        let status = Status {
            state: State::Running,
            trace: None,
            worker_id: "w:1".into(),
            generation: 0,
        };
        statuses.put_connector("c", &status).unwrap();
        statuses.put_task("c", 0, &status).unwrap();
        statuses.put_topic("c", "t").unwrap();
        assert_eq!(
            statuses.connector_status("c").unwrap(),
            Some(status.clone())
        );
        assert_eq!(statuses.task_status("c", 0).unwrap(), Some(status.clone()));
        assert_eq!(statuses.task_status("c", 1).unwrap(), None);
        assert_eq!(statuses.topics("c").unwrap(), vec!["t".to_string()]);
        statuses.flush(T).unwrap();
        statuses.reset_topics("c").unwrap();
        statuses.remove_connector("c", 1).unwrap();
        assert!(statuses.topics("c").unwrap().is_empty());
        assert_eq!(statuses.connector_status("c").unwrap(), None);
        assert_eq!(statuses.task_status("c", 0).unwrap(), None);
    }

    #[test]
    fn status_writes_follow_put_safe() {
        let statuses = MemoryStatusStore::new();
        let running = Status {
            state: State::Running,
            trace: None,
            worker_id: "a:1".into(),
            generation: 5,
        };
        statuses.put_task("c", 0, &running).unwrap();
        let stale = Status {
            state: State::Failed,
            trace: Some("boom".into()),
            worker_id: "b:2".into(),
            generation: 4,
        };
        statuses.put_task("c", 0, &stale).unwrap();
        assert_eq!(statuses.task_status("c", 0).unwrap(), Some(running.clone()));
        let current = Status {
            generation: 5,
            ..stale
        };
        statuses.put_task("c", 0, &current).unwrap();
        assert_eq!(statuses.task_status("c", 0).unwrap(), Some(current));
    }
}
