//! [`TopicLog`]: one internal topic used as a replicated log (Kafka Connect's `KafkaBasedLog`).
//!
//! The three Kafka-backed stores are each "replay a compacted topic into a map, append to it".
//! This type owns the Kafka side of that: creating the topic, appending records and waiting for
//! the broker's acknowledgement, and reading the topic up to the end.
//!
//! The API is synchronous and blocks (on the network, for up to [`OPERATION_TIMEOUT`]): call it
//! from blocking threads, never from async code.
//!
//! Reading uses a `BaseConsumer` with a manual assignment: it never subscribes, so it never joins
//! a consumer group (its `group.id` is a label librdkafka insists on), commits no offsets and sees
//! no rebalance. "The end" is the partitions' end offsets captured when a read starts (with
//! librdkafka's default `read_committed` isolation these are the last stable offsets, as Java's
//! `readToEnd` uses); records appended meanwhile may be included too, which is harmless. A read
//! that fails returns nothing and leaves the position where it was, so no record is ever skipped.
//! The consumer is assigned only while a read runs, so it does not prefetch between reads, and
//! every read starts from a fresh assignment, so a stale end-of-partition event can never end a
//! read early.
//!
//! Opening and reading wait for the topic to be usable: a topic another worker created a moment
//! ago has no leader yet, and neither does one whose leader is moving. Its metadata must list every
//! partition with a leader before `open` returns, and each end-offset query retries the transient
//! errors of [`retry`] until [`OPERATION_TIMEOUT`], as Kafka Connect does.
//!
//! Writes are partitioned by key with `partitioner=murmur2_random`, the same hash as Java's
//! producer, so a key written by either side lands on the same partition and compaction keeps the
//! latest.

use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaErrorCode;

use super::retry::{self, GaveUp, is_retriable, is_retriable_code};
use super::topic_admin;
use crate::runtime::stores::StoreError;

/// How long a write may wait for the broker's acknowledgement, and a read may go without progress.
pub(crate) const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// librdkafka gives up on a message after this long; shorter than [`OPERATION_TIMEOUT`] so the
/// broker's verdict (success or a real error) arrives before our own wait ends.
const MESSAGE_TIMEOUT_MS: &str = "25000";

/// One record to write: key bytes and value bytes (`None` is a tombstone).
pub type Record = (Vec<u8>, Option<Vec<u8>>);

/// One record read from the topic, with its position (the config log's offset is derived from
/// it, as Java's `ClusterConfigState.offset()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The partition it was read from.
    pub partition: i32,
    /// Its offset in that partition.
    pub offset: i64,
    /// Its key. Records without a key are not returned: no Connect worker writes them.
    pub key: Vec<u8>,
    /// Its value; `None` is a tombstone.
    pub value: Option<Vec<u8>>,
}

/// How to create the topic if it does not exist yet, and how to name it in error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    /// Partitions to create it with (`-1` = the broker's default). An existing topic keeps its own.
    pub partitions: i32,
    /// Replication factor to create it with (`-1` = the broker's default).
    pub replication_factor: i16,
    /// Create it with `cleanup.policy=compact`, and require that policy of an existing topic.
    pub compacted: bool,
    /// The worker-property prefix that configures this topic (`config.storage`,
    /// `offset.storage`, `status.storage`), so messages can name `<setting>.topic` and
    /// `<setting>.replication.factor`.
    pub setting: &'static str,
    /// What the topic holds, in words ("connector configurations"), for messages.
    pub purpose: &'static str,
}

/// An internal topic opened for appending and replaying (see the module doc).
pub struct TopicLog {
    topic: String,
    bootstrap: String,
    partitions: i32,
    producer: ThreadedProducer<AckContext>,
    reader: Mutex<Reader>,
}

impl std::fmt::Debug for TopicLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicLog")
            .field("topic", &self.topic)
            .field("bootstrap", &self.bootstrap)
            .field("partitions", &self.partitions)
            .finish_non_exhaustive()
    }
}

impl TopicLog {
    /// Opens `topic` on the cluster at `bootstrap`, creating it as `spec` says if it is missing.
    ///
    /// `client_props` are librdkafka properties applied to the admin client, the producer and the
    /// consumer (security settings, `client.id`, …); a name librdkafka does not know fails with
    /// its message. The settings this log depends on (`acks=all`, the partitioner, no auto
    /// commit) are forced over them.
    pub fn open(
        bootstrap: &str,
        topic: &str,
        spec: TopicSpec,
        client_props: &BTreeMap<String, String>,
    ) -> Result<Self, StoreError> {
        let admin_config = client_config(bootstrap, client_props, &[], &[]);
        let admin = topic_admin::admin_client(&admin_config, topic)?;
        topic_admin::ensure_topic(&admin, bootstrap, topic, &spec)?;
        drop(admin);

        let producer_config = client_config(
            bootstrap,
            client_props,
            &[
                ("linger.ms", "0"),
                ("message.timeout.ms", MESSAGE_TIMEOUT_MS),
            ],
            &[
                ("acks", "all"),
                ("partitioner", "murmur2_random"),
                // One request in flight keeps records in order even when one is retried, which
                // the config topic relies on (task configs before their commit).
                ("max.in.flight.requests.per.connection", "1"),
                ("enable.idempotence", "false"),
            ],
        );
        let producer: ThreadedProducer<AckContext> = producer_config
            .create_with_context(AckContext {
                topic: topic.to_string(),
            })
            .map_err(|e| client_error(topic, "producer", &e))?;

        // librdkafka refuses `assign` without a group.id, but a consumer that never subscribes
        // never joins its group and, without commits, never writes to it: the id is only a label.
        let group = format!("connect-host-storage-reader-{topic}");
        let consumer_config = client_config(
            bootstrap,
            client_props,
            // A broker answers one request per connection at a time, so a fetch long-polling
            // for the default 500 ms holds up the end-offset query of the next read behind it.
            // These topics are small; short polls cost little.
            &[("fetch.wait.max.ms", "10")],
            &[
                ("group.id", group.as_str()),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
                ("enable.partition.eof", "true"),
                ("auto.offset.reset", "earliest"),
            ],
        );
        let consumer: BaseConsumer = consumer_config
            .create()
            .map_err(|e| client_error(topic, "consumer", &e))?;
        let partitions = wait_for_partitions(&consumer, bootstrap, topic, &spec)?;

        Ok(TopicLog {
            topic: topic.to_string(),
            bootstrap: bootstrap.to_string(),
            partitions,
            producer,
            reader: Mutex::new(Reader {
                consumer: Some(consumer),
                next: vec![None; partitions as usize],
            }),
        })
    }

    /// The topic's name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// How many partitions the topic had when it was opened.
    pub fn partitions(&self) -> i32 {
        self.partitions
    }

    /// Every record from the beginning of each partition to its current end, in offset order
    /// within a partition (partitions interleaved).
    pub fn read_to_end(&self) -> Result<Vec<LogRecord>, StoreError> {
        self.read(true, OPERATION_TIMEOUT)
    }

    /// The records appended since the previous read (from the beginning if there was none), up to
    /// the current end. Cheap when nothing is new: one end-offset query per partition.
    pub fn read_new(&self) -> Result<Vec<LogRecord>, StoreError> {
        self.read(false, OPERATION_TIMEOUT)
    }

    /// [`TopicLog::read_new`], giving up after `budget` without progress instead of
    /// [`OPERATION_TIMEOUT`] (for best-effort reads that have a cached answer to fall back on).
    /// On failure nothing is consumed: the next read returns the same records.
    pub fn read_new_within(&self, budget: Duration) -> Result<Vec<LogRecord>, StoreError> {
        self.read(false, budget)
    }

    /// Appends one record and waits until the broker acknowledged it (`acks=all`).
    pub fn send(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        let (tx, rx) = mpsc::channel();
        let deadline = Instant::now() + OPERATION_TIMEOUT;
        self.enqueue(key, value, Ack::Wait(tx), deadline)?;
        self.await_acks(&rx, 1, deadline)
    }

    /// Appends records in order and waits until the broker acknowledged all of them.
    pub fn send_all(&self, records: &[Record]) -> Result<(), StoreError> {
        self.send_all_within(records, OPERATION_TIMEOUT)
    }

    /// [`TopicLog::send_all`], waiting at most `timeout` for the acknowledgements.
    pub fn send_all_within(&self, records: &[Record], timeout: Duration) -> Result<(), StoreError> {
        let (tx, rx) = mpsc::channel();
        let deadline = Instant::now() + timeout;
        for (key, value) in records {
            self.enqueue(key, value.as_deref(), Ack::Wait(tx.clone()), deadline)?;
        }
        self.await_acks(&rx, records.len(), deadline)
    }

    /// Appends one record without waiting; a failure is logged (for writes nobody waits on,
    /// such as statuses). [`TopicLog::flush`] waits for such records.
    pub fn send_async(&self, key: &[u8], value: Option<&[u8]>) {
        // No retry on a full queue (100 000 records backed up): the caller must not stall.
        let deadline = Instant::now();
        let label = String::from_utf8_lossy(key).into_owned();
        if let Err(e) = self.enqueue(key, value, Ack::Log(label.clone()), deadline) {
            tracing::error!(topic = %self.topic, key = %label, error = %e, "could not queue a write");
        }
    }

    /// Waits until every record sent so far was acknowledged or failed, for at most `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), StoreError> {
        self.producer.flush(timeout).map_err(|e| {
            StoreError::Kafka(format!(
                "writes to topic '{}' were not acknowledged within {} ms: {e}; check that Kafka is \
                 reachable at {}",
                self.topic,
                timeout.as_millis(),
                self.bootstrap
            ))
        })
    }

    /// Hands one record to the producer, retrying while its queue is full.
    fn enqueue(
        &self,
        key: &[u8],
        value: Option<&[u8]>,
        ack: Ack,
        deadline: Instant,
    ) -> Result<(), StoreError> {
        let mut record =
            BaseRecord::<[u8], [u8], Box<Ack>>::with_opaque_to(&self.topic, Box::new(ack)).key(key);
        if let Some(value) = value {
            record = record.payload(value);
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back))
                    if Instant::now() < deadline =>
                {
                    // The producer's own thread drains the queue; give it a moment.
                    record = back;
                    thread::sleep(Duration::from_millis(10));
                }
                Err((e, _)) => {
                    return Err(StoreError::Kafka(format!(
                        "cannot write to topic '{}': {e}",
                        self.topic
                    )));
                }
            }
        }
    }

    /// Waits for `count` acknowledgements on `rx`, failing on the first error.
    fn await_acks(
        &self,
        rx: &mpsc::Receiver<Result<(), String>>,
        count: usize,
        deadline: Instant,
    ) -> Result<(), StoreError> {
        for _ in 0..count {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return Err(StoreError::Kafka(format!(
                        "write to topic '{}' failed: {e}",
                        self.topic
                    )));
                }
                Err(_) => {
                    return Err(StoreError::Kafka(format!(
                        "write to topic '{}' was not acknowledged in time; check that Kafka \
                         is reachable at {} and the topic's partitions have leaders",
                        self.topic, self.bootstrap
                    )));
                }
            }
        }
        Ok(())
    }

    fn read(&self, from_beginning: bool, budget: Duration) -> Result<Vec<LogRecord>, StoreError> {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        if from_beginning {
            reader.next.iter_mut().for_each(|n| *n = None);
        }
        reader.read(&self.topic, &self.bootstrap, budget)
    }
}

impl Drop for TopicLog {
    fn drop(&mut self) {
        // Dropping the producer discards unsent records, so give queued writes (statuses) a
        // bounded chance first; there is nothing to wait for in the common case.
        if self.producer.in_flight_count() > 0
            && let Err(e) = self.producer.flush(Duration::from_secs(5))
        {
            tracing::warn!(topic = %self.topic, error = %e, "unsent writes dropped at close");
        }
    }
}

/// The consumer side: where the next read of each partition starts.
struct Reader {
    /// Always `Some` until drop, which hands it to another thread.
    consumer: Option<BaseConsumer>,
    /// Per partition, the offset after the last record read (`None`: from the beginning).
    next: Vec<Option<i64>>,
}

impl Reader {
    /// Reads every partition from `next` to its end; `budget` bounds the end-offset queries and
    /// any stretch without progress.
    fn read(
        &mut self,
        topic: &str,
        bootstrap: &str,
        budget: Duration,
    ) -> Result<Vec<LogRecord>, StoreError> {
        let consumer = self.consumer.as_ref().expect("consumer present until drop");
        let partitions = self.next.len();

        // Capture the end first: whatever is appended after this may or may not be read.
        let mut end = Vec::with_capacity(partitions);
        let mut pending = Vec::with_capacity(partitions);
        let mut assignment = TopicPartitionList::with_capacity(partitions);
        // One deadline for all partitions: they get their leaders at about the same time.
        let deadline = Instant::now() + budget;
        for p in 0..partitions {
            let (low, high) = retry::retry(deadline, is_retriable, |timeout| {
                let answer = consumer.fetch_watermarks(topic, p as i32, timeout);
                if answer.is_err() {
                    // After a broker restart librdkafka may keep the partition as unknown until
                    // its periodic metadata refresh (topic.metadata.refresh.interval.ms, 5 min);
                    // a metadata request now updates its cache for the next try.
                    let _ = consumer.fetch_metadata(Some(topic), timeout);
                }
                answer
            })
            .map_err(|gave_up| end_offsets_error(topic, p, bootstrap, budget, gave_up))?;
            end.push(high);
            let start = self.next[p];
            let behind = match start {
                None => high > low,
                Some(next) => next < high,
            };
            pending.push(behind);
            // Only partitions with something new are read; the others are known to the end.
            if behind {
                let offset = start.map_or(Offset::Beginning, Offset::Offset);
                assignment
                    .add_partition_offset(topic, p as i32, offset)
                    .map_err(|e| StoreError::Kafka(format!("topic '{topic}': {e}")))?;
            }
        }
        let mut records = Vec::new();
        if !pending.contains(&true) {
            return Ok(records);
        }

        consumer.assign(&assignment).map_err(|e| {
            StoreError::Kafka(format!("cannot assign topic '{topic}' for reading: {e}"))
        })?;
        let before = self.next.clone();
        let result =
            self.poll_until_end(topic, bootstrap, budget, &end, &mut pending, &mut records);
        let consumer = self.consumer.as_ref().expect("consumer present until drop");
        // Unassigning stops prefetching and discards what was fetched past the end; the next
        // read re-assigns from `next`. Draining the queue makes sure no event of this
        // assignment is mistaken for one of the next.
        if let Err(e) = consumer.unassign() {
            tracing::warn!(topic, error = %e, "could not unassign the topic after reading");
        }
        for _ in 0..100_000 {
            if consumer.poll(Duration::ZERO).is_none() {
                break;
            }
        }
        match result {
            Ok(()) => Ok(records),
            Err(e) => {
                // The caller gets none of the records read, so the next read must return them.
                self.next = before;
                Err(e)
            }
        }
    }

    fn poll_until_end(
        &mut self,
        topic: &str,
        bootstrap: &str,
        budget: Duration,
        end: &[i64],
        pending: &mut [bool],
        records: &mut Vec<LogRecord>,
    ) -> Result<(), StoreError> {
        let consumer = self.consumer.as_ref().expect("consumer present until drop");
        let mut last_progress = Instant::now();
        let mut last_error: Option<KafkaError> = None;
        while pending.contains(&true) {
            if last_progress.elapsed() > budget {
                let stuck: Vec<String> = (0..pending.len())
                    .filter(|&p| pending[p])
                    .map(|p| {
                        let at =
                            self.next[p].map_or("the beginning".to_string(), |n| n.to_string());
                        format!("partition {p} at {at} of {}", end[p])
                    })
                    .collect();
                let cause = last_error.map_or(String::new(), |e| format!(" (last error: {e})"));
                return Err(StoreError::Kafka(format!(
                    "reading topic '{topic}' made no progress for {} s: {}{cause}; check that \
                     Kafka is reachable at {bootstrap}",
                    budget.as_secs_f64(),
                    stuck.join(", ")
                )));
            }
            match consumer.poll(Duration::from_millis(100)) {
                None => {}
                Some(Ok(message)) => {
                    let p = message.partition() as usize;
                    if p >= self.next.len() {
                        // Partitions added since open; this log only knows the original ones.
                        continue;
                    }
                    last_progress = Instant::now();
                    let next = message.offset() + 1;
                    self.next[p] = Some(next);
                    if next >= end[p] {
                        pending[p] = false;
                    }
                    match message.key() {
                        Some(key) => {
                            records.push(LogRecord {
                                partition: message.partition(),
                                offset: message.offset(),
                                key: key.to_vec(),
                                value: message.payload().map(<[u8]>::to_vec),
                            });
                        }
                        None => {
                            tracing::warn!(
                                topic,
                                partition = p,
                                offset = message.offset(),
                                "ignoring a record without a key"
                            );
                        }
                    }
                }
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    // Fresh from this assignment, so the consumer reached the end as it is now,
                    // at or past the end captured above; what remains before it (if anything)
                    // are transaction markers, which carry no records.
                    let p = p as usize;
                    if p < pending.len() {
                        last_progress = Instant::now();
                        pending[p] = false;
                        let next = self.next[p].unwrap_or(0).max(end[p]);
                        self.next[p] = Some(next);
                    }
                }
                Some(Err(e)) => {
                    if let KafkaError::MessageConsumption(
                        code @ (RDKafkaErrorCode::TopicAuthorizationFailed
                        | RDKafkaErrorCode::GroupAuthorizationFailed),
                    ) = e
                    {
                        return Err(StoreError::Kafka(format!(
                            "not allowed to read topic '{topic}': {code}; grant the worker's \
                             principal Read and Describe on it"
                        )));
                    }
                    // Transport errors are retried by librdkafka; remember the cause for the
                    // timeout message.
                    tracing::debug!(topic, error = %e, "consumer error while reading");
                    last_error = Some(e);
                }
            }
        }
        Ok(())
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        // Closing a consumer can block (librdkafka waits for its threads, longer when the broker
        // is gone), and the last owner of a store may be dropped on an async thread: close it on
        // a thread of its own. If that thread cannot start, the closure is dropped here instead.
        if let Some(consumer) = self.consumer.take() {
            let _ = thread::Builder::new()
                .name("storage-consumer-close".into())
                .spawn(move || drop(consumer));
        }
    }
}

/// What to do when the broker answers for one record.
enum Ack {
    /// Someone waits: report the outcome on this channel.
    Wait(mpsc::Sender<Result<(), String>>),
    /// Nobody waits: log a failure, naming the key.
    Log(String),
}

/// Producer context routing delivery reports to their [`Ack`].
struct AckContext {
    topic: String,
}

impl ClientContext for AckContext {}

impl ProducerContext for AckContext {
    type DeliveryOpaque = Box<Ack>;

    fn delivery(&self, result: &DeliveryResult<'_>, ack: Box<Ack>) {
        let outcome = match result {
            Ok(_) => Ok(()),
            Err((e, _)) => Err(e.to_string()),
        };
        match *ack {
            Ack::Wait(tx) => {
                // The waiter may have timed out and gone; nothing else to tell then.
                let _ = tx.send(outcome);
            }
            Ack::Log(key) => {
                if let Err(e) = outcome {
                    tracing::error!(topic = %self.topic, key = %key, error = %e, "write failed");
                }
            }
        }
    }
}

/// A client configuration: `defaults`, then the user's properties, then `forced`.
fn client_config(
    bootstrap: &str,
    props: &BTreeMap<String, String>,
    defaults: &[(&str, &str)],
    forced: &[(&str, &str)],
) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (key, value) in defaults {
        config.set(*key, *value);
    }
    for (key, value) in props {
        config.set(key.as_str(), value.as_str());
    }
    config.set("bootstrap.servers", bootstrap);
    for (key, value) in forced {
        config.set(*key, *value);
    }
    config
}

fn client_error(topic: &str, what: &str, e: &KafkaError) -> StoreError {
    StoreError::Kafka(format!(
        "cannot create the {what} for topic '{topic}': {e}; check the worker's Kafka client settings"
    ))
}

/// The message for end offsets that could not be read, saying whether retrying ran out of time.
fn end_offsets_error(
    topic: &str,
    partition: usize,
    bootstrap: &str,
    budget: Duration,
    gave_up: GaveUp<KafkaError>,
) -> StoreError {
    StoreError::Kafka(match gave_up {
        GaveUp::Failed(e) => format!(
            "cannot read the end offsets of topic '{topic}' partition {partition}: {e}; check \
             that Kafka is reachable at {bootstrap} and that the worker may Describe and Read the \
             topic"
        ),
        GaveUp::TimedOut(e) => format!(
            "cannot read the end offsets of topic '{topic}' partition {partition}: still failing \
             after {} s of retries (last error: {e}); check that Kafka is reachable at \
             {bootstrap} and that the partition has a leader (kafka-topics.sh --describe --topic \
             {topic})",
            budget.as_secs_f64()
        ),
    })
}

/// Waits until the topic's metadata lists its partitions, each with a leader (a new topic takes a
/// moment), and returns how many there are. Transient errors are retried until
/// [`OPERATION_TIMEOUT`]; any other fails at once.
fn wait_for_partitions(
    consumer: &BaseConsumer,
    bootstrap: &str,
    topic: &str,
    spec: &TopicSpec,
) -> Result<i32, StoreError> {
    let deadline = Instant::now() + OPERATION_TIMEOUT;
    let fatal = |what: String| {
        StoreError::Kafka(format!(
            "cannot read the metadata of topic '{topic}' ({}.topic) on {bootstrap}: {what}; check \
             the worker's Kafka client settings and that it may Describe the topic",
            spec.setting
        ))
    };
    let mut last;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match consumer.fetch_metadata(
            Some(topic),
            left.clamp(Duration::from_millis(200), Duration::from_secs(5)),
        ) {
            Ok(metadata) => match metadata.topics().iter().find(|t| t.name() == topic) {
                None => last = "the broker's metadata does not list the topic yet".to_string(),
                Some(t) => match t.error().map(RDKafkaErrorCode::from) {
                    Some(code) if !is_retriable_code(code) => return Err(fatal(code.to_string())),
                    Some(code) => last = code.to_string(),
                    None => {
                        let states: Vec<PartitionState> = t
                            .partitions()
                            .iter()
                            .map(|p| PartitionState {
                                id: p.id(),
                                leader: p.leader(),
                                error: p.error().map(RDKafkaErrorCode::from),
                            })
                            .collect();
                        match unready_partition(&states) {
                            None => return Ok(states.len() as i32),
                            Some(why) => last = why,
                        }
                    }
                },
            },
            Err(e) if !is_retriable(&e) => return Err(fatal(e.to_string())),
            Err(e) => last = e.to_string(),
        }
        if Instant::now() + retry::RETRY_BACKOFF >= deadline {
            break;
        }
        thread::sleep(retry::RETRY_BACKOFF);
    }
    Err(StoreError::Kafka(format!(
        "topic '{topic}' ({}.topic) is not ready on {bootstrap} after {} s: {last}; check that \
         Kafka is reachable and that the topic exists and every partition has a leader \
         (kafka-topics.sh --describe --topic {topic})",
        spec.setting,
        OPERATION_TIMEOUT.as_secs()
    )))
}

/// One partition as the topic's metadata describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PartitionState {
    id: i32,
    /// The leader's broker id; negative while there is none.
    leader: i32,
    error: Option<RDKafkaErrorCode>,
}

/// Why the topic cannot be read yet, in words (the first partition without a leader), or `None`
/// when every partition can.
fn unready_partition(partitions: &[PartitionState]) -> Option<String> {
    if partitions.is_empty() {
        return Some("the topic has no partitions yet".to_string());
    }
    partitions.iter().find_map(|p| match p.error {
        // An offline follower does not stop the leader from serving reads and writes.
        Some(RDKafkaErrorCode::ReplicaNotAvailable) | None if p.leader >= 0 => None,
        None => Some(format!("partition {} has no leader yet", p.id)),
        Some(code) => Some(format!("partition {}: {code}", p.id)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(id: i32, leader: i32, error: Option<RDKafkaErrorCode>) -> PartitionState {
        PartitionState { id, leader, error }
    }

    #[test]
    fn a_topic_is_ready_when_every_partition_has_a_leader() {
        let ready = [partition(0, 1, None), partition(1, 2, None)];
        assert_eq!(unready_partition(&ready), None);
        let follower_down = [partition(0, 1, Some(RDKafkaErrorCode::ReplicaNotAvailable))];
        assert_eq!(unready_partition(&follower_down), None);
    }

    #[test]
    fn a_partition_without_a_leader_or_with_an_error_is_named() {
        let no_leader = [partition(0, 1, None), partition(1, -1, None)];
        assert_eq!(
            unready_partition(&no_leader).as_deref(),
            Some("partition 1 has no leader yet")
        );
        let electing = [partition(3, -1, Some(RDKafkaErrorCode::LeaderNotAvailable))];
        let why = unready_partition(&electing).unwrap();
        assert!(why.starts_with("partition 3: "), "{why}");
        assert!(why.contains("Leader not available"), "{why}");
        assert_eq!(
            unready_partition(&[]).as_deref(),
            Some("the topic has no partitions yet")
        );
    }
}
