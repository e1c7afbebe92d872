//! [`KafkaOffsetStore`]: the [`OffsetStore`] on Kafka Connect's offset topic
//! (`offset.storage.topic`), shareable with Java workers (format in `offset_format`).
//!
//! The topic is read to the end at open into an in-memory [`OffsetMap`]. Reads catch up with the
//! records appended since (as Java's store reads to the end before answering), so a task that
//! moved here from another worker resumes from that worker's last offsets. Writes wait for the
//! broker's acknowledgement, then update the map.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use super::offset_format::{OffsetMap, offset_value};
use super::topic_log::{LogRecord, Record, TopicLog, TopicSpec};
use crate::runtime::stores::{OffsetStore, StoreError};

/// Source offsets in a Kafka topic.
#[derive(Debug)]
pub struct KafkaOffsetStore {
    log: TopicLog,
    offsets: Mutex<OffsetMap>,
}

impl KafkaOffsetStore {
    /// Opens (creating if missing: compacted, `partitions`, `replication_factor`) the offset
    /// topic and reads it. The numbers are `offset.storage.partitions` and
    /// `offset.storage.replication.factor` (`-1` = broker default); `client_props` as for
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
            setting: "offset.storage",
            purpose: "source connector offsets",
        };
        let log = TopicLog::open(bootstrap, topic, spec, client_props)?;
        let mut offsets = OffsetMap::default();
        apply_all(&mut offsets, topic, log.read_to_end()?);
        Ok(KafkaOffsetStore {
            log,
            offsets: Mutex::new(offsets),
        })
    }

    /// The topic's name.
    pub fn topic(&self) -> &str {
        self.log.topic()
    }

    /// The map after catching up with the topic.
    fn caught_up(&self) -> Result<std::sync::MutexGuard<'_, OffsetMap>, StoreError> {
        let mut offsets = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        let records = self.log.read_new()?;
        apply_all(&mut offsets, self.log.topic(), records);
        Ok(offsets)
    }
}

impl OffsetStore for KafkaOffsetStore {
    fn get(&self, connector: &str, partition: &Value) -> Result<Option<Value>, StoreError> {
        Ok(self.caught_up()?.get(connector, partition))
    }

    fn connector_offsets(&self, connector: &str) -> Result<Vec<(Value, Value)>, StoreError> {
        Ok(self.caught_up()?.connector_offsets(connector))
    }

    fn put(
        &self,
        connector: &str,
        offsets: &[(Value, Option<Value>)],
        timeout: Duration,
    ) -> Result<(), StoreError> {
        if offsets.is_empty() {
            return Ok(());
        }
        let records: Vec<Record> = {
            let map = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
            offsets
                .iter()
                .map(|(partition, offset)| {
                    (
                        map.key_bytes(connector, partition),
                        // A null offset resets, like no offset: write a tombstone.
                        offset.as_ref().filter(|o| !o.is_null()).map(offset_value),
                    )
                })
                .collect()
        };
        // Not holding the map while waiting for the broker: other tasks keep reading meanwhile.
        self.log.send_all_within(&records, timeout)?;
        let mut map = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        for (partition, offset) in offsets {
            map.set(connector, partition, offset.clone());
        }
        Ok(())
    }
}

/// Applies records in order, skipping (and logging) the ones that cannot be decoded.
fn apply_all(offsets: &mut OffsetMap, topic: &str, records: Vec<LogRecord>) {
    for record in records {
        if let Err(why) = offsets.apply_record(&record.key, record.value.as_deref()) {
            // Kafka Connect skips such records with a warning too: other connectors' offsets
            // stay usable.
            tracing::warn!(topic, "skipping an unreadable offset record: {why}");
        }
    }
}
