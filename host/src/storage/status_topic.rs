//! [`KafkaStatusStore`]: the [`StatusStore`] on Kafka Connect's status topic
//! (`status.storage.topic`), shareable with Java workers (format in `status_format`, rules in
//! `status_state`).
//!
//! Status writes are fire-and-forget, as in Kafka Connect: a task thread reporting RUNNING must
//! not stall on the broker, and a lost status is corrected by the next one. Failures are logged by
//! the producer's delivery callback; [`StatusStore::flush`] waits for what is outstanding (a
//! revoking worker calls it before its rebalance proceeds, and at shutdown). Deletions
//! (`remove_connector`, `reset_topics`) are user actions and wait for the broker.
//!
//! The topic is read at open into a [`StatusTable`]; our own writes update it immediately (so a
//! worker always sees what it just reported), and other workers' writes are read in before
//! answering:
//! * [`StatusStore::connector_status`] and [`StatusStore::task_status`] first read what is new on
//!   the topic: one end-offset query per partition when nothing is. Listing a cluster's statuses
//!   asks for every task in turn, so such a read happens at most once per
//!   [`MIN_REFRESH_INTERVAL`]; Java's reads come from a cache its consumer keeps current in the
//!   background, so it is no fresher than that either.
//! * A FAILED or UNASSIGNED write is checked against the newest status (Java's `putSafe`), so it
//!   always reads what is new first: such writes are rare (failures, shutdowns) and the check is
//!   only as good as what was read. [`StatusStore::topics`] reads what is new under the interval
//!   (a connector's tasks on other workers report their topics themselves).
//!
//! These refreshes are best effort: each gives up after [`REFRESH_BUDGET`] and the answer comes
//! from what was read before (logged), as Java's cached reads keep answering while the broker is
//! away; after a failure the next attempt waits [`FAILED_REFRESH_BACKOFF`], so a status listing
//! during an outage does not stall once per task. [`KafkaStatusStore::refresh`] reads now and
//! reports failure.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::status_format::{self, StatusRecord};
use super::status_state::{StatusTable, is_safe_write};
use super::topic_log::{LogRecord, Record, TopicLog, TopicSpec};
use crate::runtime::status::Status;
use crate::runtime::stores::{StatusStore, StoreError};

/// The shortest time between two reads of the topic done on behalf of status reads and safe
/// writes; anything newer is seen by the next read after it.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(100);

/// How long a best-effort refresh may take before the answer comes from what was read before.
pub const REFRESH_BUDGET: Duration = Duration::from_secs(5);

/// How long after a failed refresh the next best-effort one is attempted.
pub const FAILED_REFRESH_BACKOFF: Duration = Duration::from_secs(5);

/// Connector and task statuses, and connectors' active topics, in a Kafka topic.
#[derive(Debug)]
pub struct KafkaStatusStore {
    log: TopicLog,
    table: Mutex<StatusTable>,
    /// Held across a refresh's read and apply, so batches are applied in the order they were
    /// read; holds the outcome of the last best-effort refresh.
    refreshed: Mutex<(Instant, bool)>,
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
            refreshed: Mutex::new((Instant::now(), true)),
        })
    }

    /// The topic's name.
    pub fn topic(&self) -> &str {
        self.log.topic()
    }

    /// Reads what other workers wrote since the last read, now (the status reads do this at most
    /// every [`MIN_REFRESH_INTERVAL`]), and fails if the topic cannot be read.
    pub fn refresh(&self) -> Result<(), StoreError> {
        let mut refreshed = lock(&self.refreshed);
        let records = self.log.read_new()?;
        apply_all(&mut self.table(), self.log.topic(), records);
        *refreshed = (Instant::now(), true);
        Ok(())
    }

    /// Reads what is new unless that was done within the last `interval` (or, after a failure,
    /// [`FAILED_REFRESH_BACKOFF`]); on failure logs and keeps the table as is.
    fn catch_up(&self, interval: Duration) {
        let mut refreshed = lock(&self.refreshed);
        let (at, ok) = *refreshed;
        let wait = if ok { interval } else { FAILED_REFRESH_BACKOFF };
        if at.elapsed() < wait {
            return;
        }
        let ok = match self.log.read_new_within(REFRESH_BUDGET) {
            Ok(records) => {
                apply_all(&mut self.table(), self.log.topic(), records);
                true
            }
            Err(e) => {
                tracing::warn!(
                    topic = self.log.topic(),
                    error = %e,
                    "cannot read the status topic; statuses are answered from what was read \
                     before"
                );
                false
            }
        };
        *refreshed = (Instant::now(), ok);
    }

    /// Writes a connector or task status: through `putSafe` for FAILED and UNASSIGNED.
    fn put_status(&self, key: Vec<u8>, record: StatusRecord, status: &Status) {
        if is_safe_write(status.state) {
            // Rare (failures, shutdowns) and deciding: always look at what is new.
            self.catch_up(Duration::ZERO);
        }
        if self.table().write(record) {
            self.log
                .send_async(&key, Some(&status_format::status_value(status)));
        }
    }

    fn table(&self) -> MutexGuard<'_, StatusTable> {
        lock(&self.table)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The table is only ever replaced record by record; a panic mid-way loses nothing a fresh
    // read would not restore.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl StatusStore for KafkaStatusStore {
    fn put_connector(&self, name: &str, status: &Status) -> Result<(), StoreError> {
        let record = StatusRecord::Connector {
            name: name.to_string(),
            status: Some(status.clone()),
        };
        self.put_status(status_format::connector_key(name), record, status);
        Ok(())
    }

    fn put_task(&self, connector: &str, task: u32, status: &Status) -> Result<(), StoreError> {
        let record = StatusRecord::Task {
            connector: connector.to_string(),
            task,
            status: Some(status.clone()),
        };
        self.put_status(status_format::task_key(connector, task), record, status);
        Ok(())
    }

    fn connector_status(&self, name: &str) -> Result<Option<Status>, StoreError> {
        self.catch_up(MIN_REFRESH_INTERVAL);
        Ok(self.table().connector(name).cloned())
    }

    fn task_status(&self, connector: &str, task: u32) -> Result<Option<Status>, StoreError> {
        self.catch_up(MIN_REFRESH_INTERVAL);
        Ok(self.table().task(connector, task).cloned())
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
        // Tasks first, as Java's `AbstractHerder.onDeletion`.
        let mut records: Vec<Record> = (0..tasks)
            .map(|t| (status_format::task_key(name, t), None))
            .collect();
        records.push((status_format::connector_key(name), None));
        self.log.send_all(&records)?;
        let mut table = self.table();
        for task in 0..tasks {
            table.apply(StatusRecord::Task {
                connector: name.to_string(),
                task,
                status: None,
            });
        }
        table.apply(StatusRecord::Connector {
            name: name.to_string(),
            status: None,
        });
        Ok(())
    }

    fn reset_topics(&self, connector: &str) -> Result<(), StoreError> {
        // Every worker running one of its tasks may have reported topics: forget them all.
        self.refresh()?;
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
        // Its tasks may run on other workers, which report their topics themselves.
        self.catch_up(MIN_REFRESH_INTERVAL);
        Ok(self.table().topics(connector))
    }

    fn flush(&self, timeout: Duration) -> Result<(), StoreError> {
        self.log.flush(timeout)
    }
}

/// Applies records in order, skipping (and logging) the ones that cannot be decoded.
fn apply_all(table: &mut StatusTable, topic: &str, records: Vec<LogRecord>) {
    for record in records {
        match status_format::decode(&record.key, record.value.as_deref()) {
            Ok(decoded) => table.apply(decoded),
            Err(why) => tracing::warn!(
                topic,
                partition = record.partition,
                offset = record.offset,
                "skipping an unreadable status record: {why}"
            ),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
