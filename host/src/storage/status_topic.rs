//! [`KafkaStatusStore`]: the [`StatusStore`] on Kafka Connect's status topic
//! (`status.storage.topic`), shareable with Java workers (format in `status_format`).
//!
//! Status writes are fire-and-forget, as in Kafka Connect: a task thread reporting RUNNING must
//! not stall on the broker, and a lost status is corrected by the next one. Failures are logged by
//! the producer's delivery callback; [`KafkaStatusStore::flush`] waits for what is outstanding
//! (call it at shutdown). Deletions (`remove_connector`, `reset_topics`) are user actions and wait
//! for the broker.
//!
//! The topic is read at open into a [`StatusTable`], which is what [`StatusStore::topics`] and the
//! status getters answer from; our own writes update it immediately, and
//! [`KafkaStatusStore::refresh`] catches up with other workers' writes.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::status_format::{self, StatusRecord, StatusTable};
use super::topic_log::{LogRecord, Record, TopicLog, TopicSpec};
use crate::runtime::status::Status;
use crate::runtime::stores::{StatusStore, StoreError};

/// Connector and task statuses, and connectors' active topics, in a Kafka topic.
#[derive(Debug)]
pub struct KafkaStatusStore {
    log: TopicLog,
    table: Mutex<StatusTable>,
}

impl KafkaStatusStore {
    /// Opens (creating if missing: compacted, `partitions`, `replication_factor`) the status
    /// topic and reads it. The numbers are `status.storage.partitions` and
    /// `status.storage.replication.factor` (`-1` = broker default); `client_props` as for
    /// [`TopicLog::open`].
    pub fn open(
        bootstrap: &str,
        topic: &str,
        partitions: i32,
        replication_factor: i16,
        client_props: &BTreeMap<String, String>,
    ) -> Result<Self, StoreError> {
        let spec = TopicSpec {
            partitions,
            replication_factor,
            compacted: true,
            setting: "status.storage",
            purpose: "connector and task statuses",
        };
        let log = TopicLog::open(bootstrap, topic, spec, client_props)?;
        let mut table = StatusTable::default();
        apply_all(&mut table, topic, log.read_to_end()?);
        Ok(KafkaStatusStore {
            log,
            table: Mutex::new(table),
        })
    }

    /// The topic's name.
    pub fn topic(&self) -> &str {
        self.log.topic()
    }

    /// Reads what other workers wrote since the last read.
    pub fn refresh(&self) -> Result<(), StoreError> {
        let mut table = self.table();
        let records = self.log.read_new()?;
        apply_all(&mut table, self.log.topic(), records);
        Ok(())
    }

    /// The last known status of a connector.
    pub fn connector_status(&self, name: &str) -> Option<Status> {
        self.table().connectors.get(name).cloned()
    }

    /// The last known statuses of a connector's tasks, by task number.
    pub fn task_statuses(&self, connector: &str) -> BTreeMap<u32, Status> {
        self.table()
            .tasks
            .get(connector)
            .cloned()
            .unwrap_or_default()
    }

    /// Waits until every status written so far is acknowledged, for at most `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), StoreError> {
        self.log.flush(timeout)
    }

    fn table(&self) -> MutexGuard<'_, StatusTable> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl StatusStore for KafkaStatusStore {
    fn put_connector(&self, name: &str, status: &Status) -> Result<(), StoreError> {
        self.table().apply(StatusRecord::Connector {
            name: name.to_string(),
            status: Some(status.clone()),
        });
        self.log.send_async(
            &status_format::connector_key(name),
            Some(&status_format::status_value(status)),
        );
        Ok(())
    }

    fn put_task(&self, connector: &str, task: u32, status: &Status) -> Result<(), StoreError> {
        self.table().apply(StatusRecord::Task {
            connector: connector.to_string(),
            task,
            status: Some(status.clone()),
        });
        self.log.send_async(
            &status_format::task_key(connector, task),
            Some(&status_format::status_value(status)),
        );
        Ok(())
    }

    fn put_topic(&self, connector: &str, topic: &str) -> Result<(), StoreError> {
        {
            let mut table = self.table();
            // Callers report a topic on every batch; only its first use is news.
            if table.has_topic(connector, topic) {
                return Ok(());
            }
            table.apply(StatusRecord::Topic {
                topic: topic.to_string(),
                connector: connector.to_string(),
                present: true,
            });
        }
        self.log.send_async(
            &status_format::topic_key(topic, connector),
            Some(&status_format::topic_value(topic, connector, 0, now_ms())),
        );
        Ok(())
    }

    fn remove_connector(&self, name: &str, tasks: u32) -> Result<(), StoreError> {
        let mut records: Vec<Record> = vec![(status_format::connector_key(name), None)];
        records.extend((0..tasks).map(|t| (status_format::task_key(name, t), None)));
        self.log.send_all(&records)?;
        self.table().remove_connector(name, tasks);
        Ok(())
    }

    fn reset_topics(&self, connector: &str) -> Result<(), StoreError> {
        let topics = self.table().topics(connector);
        let records: Vec<Record> = topics
            .iter()
            .map(|topic| (status_format::topic_key(topic, connector), None))
            .collect();
        self.log.send_all(&records)?;
        let mut table = self.table();
        for topic in topics {
            table.apply(StatusRecord::Topic {
                topic,
                connector: connector.to_string(),
                present: false,
            });
        }
        Ok(())
    }

    fn topics(&self, connector: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.table().topics(connector))
    }

    fn connector_status(&self, name: &str) -> Result<Option<Status>, StoreError> {
        self.refresh()?;
        Ok(KafkaStatusStore::connector_status(self, name))
    }

    fn task_status(&self, connector: &str, task: u32) -> Result<Option<Status>, StoreError> {
        self.refresh()?;
        Ok(self.task_statuses(connector).get(&task).cloned())
    }
}

/// Applies records in order, skipping (and logging) the ones that cannot be decoded.
fn apply_all(table: &mut StatusTable, topic: &str, records: Vec<LogRecord>) {
    for record in records {
        match status_format::decode(&record.key, record.value.as_deref()) {
            Ok(record) => table.apply(record),
            Err(why) => tracing::warn!(topic, "skipping an unreadable status record: {why}"),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
