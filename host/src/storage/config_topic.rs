//! [`KafkaConfigLog`]: the [`ConfigLog`] on Kafka Connect's config topic
//! (`config.storage.topic`), shareable with Java workers.
//!
//! The topic must have exactly one partition: the commit protocol (task configs, then a commit
//! record) relies on one total order. Formats are in `config_format`, replay rules in
//! `config_state`.
//!
//! Keeping up to date: the log keeps the replayed state in memory and every [`ConfigLog::snapshot`]
//! first reads the records appended since the previous read (`TopicLog::read_new`). That costs one
//! end-offset query when nothing changed, sees writes by other workers and our own, and never
//! re-reads the whole topic. Writes do not touch the in-memory state themselves; the next snapshot
//! reads them back in log order, which keeps the state exactly what the log says even when several
//! workers write.
//!
//! The snapshot's `offset` is derived from the offsets of the records read (`config_state`), so it
//! equals a Java worker's for the same topic. Restart requests found by the read at open are
//! dropped, as Java's store does (they were for the workers running when they were written); the
//! ones read later are handed out by the next snapshot, once. Only one caller (the herder) should
//! therefore act on `restart_requests`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use super::config_format;
use super::config_state::ConfigState;
use super::topic_log::{LogRecord, Record, TopicLog, TopicSpec};
use crate::runtime::status::TargetState;
use crate::runtime::stores::{
    ConfigLog, ConfigMap, ConfigSnapshot, RestartRequest, SessionKey, StoreError,
};

/// Connector configs, task configs and target states in a Kafka topic.
#[derive(Debug)]
pub struct KafkaConfigLog {
    log: TopicLog,
    state: Mutex<ConfigState>,
}

impl KafkaConfigLog {
    /// Opens (creating if missing: compacted, one partition) the config topic and replays it.
    ///
    /// Fails, with Kafka Connect's message, if the topic has more than one partition.
    /// `replication_factor` is `config.storage.replication.factor` (`-1` = broker default);
    /// `client_props` as for [`TopicLog::open`].
    pub fn open(
        bootstrap: &str,
        topic: &str,
        replication_factor: i16,
        client_props: &BTreeMap<String, String>,
    ) -> Result<Self, StoreError> {
        let spec = TopicSpec {
            partitions: 1,
            replication_factor,
            compacted: true,
            setting: "config.storage",
            purpose: "connector configurations",
        };
        let log = TopicLog::open(bootstrap, topic, spec, client_props)?;
        let partitions = log.partitions();
        if partitions > 1 {
            return Err(StoreError::Kafka(format!(
                "Topic '{topic}' supplied via the 'config.storage.topic' property is required to \
                 have a single partition in order to guarantee consistency of connector \
                 configurations, but found {partitions} partitions."
            )));
        }
        let mut state = ConfigState::default();
        apply_all(&mut state, topic, log.read_to_end()?);
        state.discard_restart_requests();
        Ok(KafkaConfigLog {
            log,
            state: Mutex::new(state),
        })
    }

    /// The topic's name.
    pub fn topic(&self) -> &str {
        self.log.topic()
    }
}

impl ConfigLog for KafkaConfigLog {
    fn snapshot(&self) -> Result<ConfigSnapshot, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let records = self.log.read_new()?;
        apply_all(&mut state, self.log.topic(), records);
        Ok(state.snapshot())
    }

    fn snapshot_within(&self, budget: Duration) -> Result<ConfigSnapshot, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let records = self.log.read_new_within(budget)?;
        apply_all(&mut state, self.log.topic(), records);
        Ok(state.snapshot())
    }

    fn put_connector_config(&self, name: &str, config: &ConfigMap) -> Result<(), StoreError> {
        self.log.send(
            &config_format::connector_key(name),
            Some(&config_format::properties_value(config)),
        )
    }

    fn put_target_state(&self, name: &str, target: TargetState) -> Result<(), StoreError> {
        self.log.send(
            &config_format::target_state_key(name),
            Some(&config_format::target_state_value(target)),
        )
    }

    fn put_task_configs(&self, name: &str, tasks: &[ConfigMap]) -> Result<(), StoreError> {
        let records: Vec<Record> = tasks
            .iter()
            .enumerate()
            .map(|(n, config)| {
                (
                    config_format::task_key(name, n),
                    Some(config_format::properties_value(config)),
                )
            })
            .collect();
        // The commit goes out only after every task config is acknowledged, as in Kafka Connect:
        // a commit must never be durable while one of its task configs is not.
        self.log.send_all(&records)?;
        self.log.send(
            &config_format::commit_key(name),
            Some(&config_format::commit_value(tasks.len())),
        )
    }

    fn remove_connector(&self, name: &str) -> Result<(), StoreError> {
        self.log.send_all(&[
            (config_format::connector_key(name), None),
            (config_format::target_state_key(name), None),
        ])
    }

    fn put_session_key(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.log.send(
            &config_format::session_key_key(),
            Some(&config_format::session_key_value(key)),
        )
    }

    fn put_restart_request(&self, request: &RestartRequest) -> Result<(), StoreError> {
        self.log.send(
            &config_format::restart_key(&request.connector),
            Some(&config_format::restart_value(request)),
        )
    }
}

/// Applies records in log order (the topic has one partition).
fn apply_all(state: &mut ConfigState, topic: &str, records: Vec<LogRecord>) {
    for record in records {
        state.replay(topic, record.offset, &record.key, record.value.as_deref());
    }
}
