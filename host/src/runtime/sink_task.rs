//! Runs one sink task on its own thread: consume → convert → `put` in batches → commit only what
//! the plugin's `pre_commit` says is durable.
//!
//! - One rdkafka consumer per task, group `connect-<connector>`, auto-commit off: offsets move
//!   only through `commit_partitions`, after `pre_commit`.
//! - A RETRIABLE error from `put` (a busy or unreachable destination) pauses every partition,
//!   backs off, and puts the same records again, while the consumer keeps polling so the group
//!   never evicts the task. There is no retry limit for it: a 429 never fails the task.
//! - A conversion failure or an errant record goes to [`ErrorReporter`]; skipped records still
//!   count as handled only once the batch around them is put.
//! - On revocation the plugin's `pre_commit` runs and the commit is synchronous, then `close`.
//! - On stop, the last commit is again exactly what `pre_commit` reports durable (waiting up to
//!   half of `task.shutdown.graceful.timeout.ms` for records still in flight), then `close` and
//!   `stop`; the task is then marked stopped, so the revocation that closing the consumer
//!   triggers neither commits nor calls the plugin again. A task the worker abandoned
//!   ([`TaskControl::cancel`]) commits nothing at all.
//!
//! Every commit goes through `commit_partitions`, and it commits only offsets that
//! `pre_commit` returned and that are not beyond what `put` accepted: never the consumer's
//! position.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use abi_stable::std_types::RSlice;
use connect_data::transforms::record::Header;
use connect_plugin_api::abi::{
    error::ErrorKind,
    task::SinkTaskBox,
    types::{
        DataKind, DataMeta, RecordBatch, RecordMeta, TimestampType, TopicPartition,
        TopicPartitionOffset,
    },
};
use connect_plugin_api::batch::{BatchFull, checked_span};
use rdkafka::{
    ClientConfig, ClientContext, Message, Offset, Timestamp, TopicPartitionList,
    consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance},
    message::{BorrowedMessage, Headers},
};

use crate::config::kafka_client::ClientRole;

use super::{
    convert::{self, Converter, HeaderConverter},
    errors::{ErrantRecord, ErrorReporter, Stage, TaskFailure},
    host_context::{HostTaskContext, TaskRequests},
    metrics::TaskMetrics,
    record_codec::RecordCodec,
    sink_transform::{ConvertedRecord, Pending, SinkTransforms},
    static_membership,
    status::{State, TargetState},
    task_control::TaskControl,
    task_spec::TaskSpec,
    topic_subscription::TopicSubscription,
    transform_chain::StepError,
};

/// Records per `put` unless `consumer.max.poll.records` says otherwise.
const DEFAULT_BATCH: usize = 2000;
/// How long a poll waits when there is nothing; also the cadence of empty `put`s.
const POLL_WAIT: Duration = Duration::from_millis(500);
const FIRST_BACKOFF: Duration = Duration::from_millis(300);
/// Longest wait between two `put`s of records the plugin asked to retry (unless
/// `errors.retry.delay.max.ms` is lower): a destination that comes back is written to again
/// within this, and a RETRIABLE answer is cheap for the plugins that give it (a full buffer).
const MAX_PUT_BACKOFF: Duration = Duration::from_secs(2);
/// How often the last commit at stop asks the plugin again while records are in flight.
const FINAL_COMMIT_POLL: Duration = Duration::from_millis(100);
/// How often the consumer lag per partition is refreshed (`statistics.interval.ms`, unless the
/// connector or worker sets it).
const LAG_REFRESH: Duration = Duration::from_secs(5);

/// Runs the task until it is stopped or fails; reports its statuses.
pub fn run(spec: TaskSpec) {
    super::task_spec::run_guarded(&spec, run_inner);
}

/// State shared between the task loop and the consumer's rebalance callbacks (both run on the
/// task thread: callbacks fire inside `poll`, never while the loop holds the lock).
struct Shared {
    task: Option<SinkTaskBox>,
    /// Next offset per partition that the plugin has accepted (put returned Ok).
    accepted: HashMap<(String, i32), i64>,
    /// Next offset per partition of what is in `batch` (including skipped records).
    batch_next: HashMap<(String, i32), i64>,
    batch: RecordBatch,
    /// Consumed records waiting for a batch-wise chain (a plugin stage) at the end of the poll.
    pending: Vec<Pending>,
    assigned: BTreeSet<TopicPartition>,
    rebalanced: bool,
    failure: Option<TaskFailure>,
    /// The plugin was closed and stopped: callbacks fired while the consumer closes must not
    /// commit or call it again (Kafka's "skipping partition revocation callback as task has
    /// already been stopped").
    stopped: bool,
    control: Arc<TaskControl>,
}

struct SinkContext {
    shared: Mutex<Shared>,
    /// The task's metrics: the consumer's statistics give its lag per partition.
    metrics: Option<Arc<TaskMetrics>>,
}

impl ClientContext for SinkContext {
    /// Every [`LAG_REFRESH`] (the consumer's `statistics.interval.ms`): the lag of each assigned
    /// partition, the high watermark minus the task's position (or minus the committed offset
    /// before the task read anything).
    fn stats(&self, statistics: rdkafka::Statistics) {
        let Some(m) = &self.metrics else { return };
        let mut lag = std::collections::BTreeMap::new();
        for (topic, t) in statistics.topics {
            for (partition, p) in t.partitions {
                if partition < 0 || !p.desired || p.hi_offset < 0 {
                    continue;
                }
                let behind = if p.app_offset >= 0 {
                    (p.hi_offset - p.app_offset).max(0)
                } else if p.consumer_lag >= 0 {
                    p.consumer_lag
                } else {
                    continue;
                };
                lag.insert((topic.clone(), partition), behind);
            }
        }
        m.sink_lag(lag);
    }
}

impl ConsumerContext for SinkContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(tpl) = rebalance else {
            return;
        };
        let mut s = self.shared.lock().unwrap();
        if s.stopped {
            return;
        }
        let revoked: Vec<TopicPartition> = tpl
            .elements()
            .iter()
            .map(|e| TopicPartition::new(e.topic(), e.partition()))
            .collect();
        if let Err(f) = commit_partitions(&mut s, consumer, Some(&revoked), CommitMode::Sync) {
            s.failure.get_or_insert(f);
        }
        if let Some(task) = s.task.as_mut()
            && let Err(e) = task.close(RSlice::from_slice(&revoked)).into_result()
        {
            let f = TaskFailure::from_plugin("close", &e);
            s.failure.get_or_insert(f);
        }
        let gone: HashSet<(String, i32)> = revoked
            .iter()
            .map(|tp| (tp.topic.to_string(), tp.partition))
            .collect();
        s.accepted.retain(|k, _| !gone.contains(k));
        s.batch_next.retain(|k, _| !gone.contains(k));
        s.pending
            .retain(|p| !gone.contains(&(p.consumed.topic.clone(), p.consumed.partition)));
        if s.batch
            .iter()
            .any(|r| gone.contains(&(r.topic().to_owned(), r.partition())))
        {
            s.batch = copy_records(&s.batch, |_, r| {
                !gone.contains(&(r.topic().to_owned(), r.partition()))
            });
        }
        for tp in &revoked {
            s.assigned.remove(tp);
        }
        s.rebalanced = true;
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Assign(tpl) = rebalance else {
            return;
        };
        let mut s = self.shared.lock().unwrap();
        if s.stopped {
            return;
        }
        let assigned: Vec<TopicPartition> = tpl
            .elements()
            .iter()
            .map(|e| TopicPartition::new(e.topic(), e.partition()))
            .collect();
        if let Some(task) = s.task.as_mut()
            && let Err(e) = task.open(RSlice::from_slice(&assigned)).into_result()
        {
            let f = TaskFailure::from_plugin("open", &e);
            s.failure.get_or_insert(f);
        }
        s.assigned.extend(assigned);
        s.rebalanced = true;
    }
}

/// Runs `pre_commit` for the given partitions (all assigned when `None`) and commits what it
/// returns, never beyond what the plugin accepted. Returns whether everything accepted is now
/// committed (true when there is nothing to commit). A cancelled or stopped task commits
/// nothing.
fn commit_partitions(
    s: &mut Shared,
    consumer: &BaseConsumer<SinkContext>,
    only: Option<&[TopicPartition]>,
    mode: CommitMode,
) -> Result<bool, TaskFailure> {
    if s.stopped || s.control.cancelled() {
        return Ok(false);
    }
    let current: Vec<TopicPartitionOffset> = s
        .accepted
        .iter()
        .filter(|((t, p), _)| {
            only.is_none_or(|o| {
                o.iter()
                    .any(|tp| tp.topic.as_str() == t && tp.partition == *p)
            })
        })
        .map(|((t, p), o)| TopicPartitionOffset::new(t, *p, *o))
        .collect();
    let Some(task) = s.task.as_mut() else {
        return Ok(false);
    };
    if current.is_empty() {
        return Ok(true);
    }
    let metrics = s.control.metrics().task().cloned();
    let started = Instant::now();
    let durable = match task.pre_commit(RSlice::from_slice(&current)).into_result() {
        Ok(d) => d,
        Err(e) if e.kind == ErrorKind::RETRIABLE => {
            tracing::warn!(
                "pre_commit asked to retry later; offsets not committed this time: {}",
                e.message
            );
            if let Some(m) = &metrics {
                m.sink_commit(None, started.elapsed());
            }
            return Ok(false);
        }
        Err(e) => return Err(TaskFailure::from_plugin("pre_commit", &e)),
    };
    let mut tpl = TopicPartitionList::new();
    let mut caught_up = 0usize;
    for o in durable.iter() {
        let accepted = s.accepted.get(&(o.topic.to_string(), o.partition)).copied();
        match accepted {
            Some(max) if o.offset <= max && o.offset >= 0 => {
                if o.offset == max {
                    caught_up += 1;
                }
                let _ = tpl.add_partition_offset(
                    o.topic.as_str(),
                    o.partition,
                    Offset::Offset(o.offset),
                );
            }
            _ => tracing::warn!(topic = %o.topic, partition = o.partition, offset = o.offset,
                "pre_commit returned an offset beyond what was delivered; ignored"),
        }
    }
    let all_durable = caught_up == current.len();
    if tpl.count() == 0 {
        return Ok(all_durable);
    }
    let committed = consumer.commit(&tpl, mode);
    if let Some(m) = &metrics {
        m.sink_commit(Some(committed.is_ok()), started.elapsed());
        // Read and not committed: what waits for a put, and what was put past the commit.
        let uncommitted: i64 = durable
            .iter()
            .filter_map(|o| {
                let accepted = s.accepted.get(&(o.topic.to_string(), o.partition))?;
                Some((accepted - o.offset).max(0))
            })
            .sum();
        m.sink_active((s.batch.len() + s.pending.len()) as i64 + uncommitted);
    }
    committed.map_err(|e| TaskFailure::new(format!("offset commit failed: {e}"), ""))?;
    Ok(all_durable)
}

/// The last commit of a graceful stop: what `pre_commit` reports durable, asking again every
/// [`FINAL_COMMIT_POLL`] while records are still in flight, for at most `wait`. A plugin still
/// retrying when the time is up gets only what it finished committed; the rest is read again
/// after the restart.
fn final_commit(
    s: &mut Shared,
    consumer: &BaseConsumer<SinkContext>,
    wait: Duration,
) -> Result<(), TaskFailure> {
    let deadline = Instant::now() + wait;
    loop {
        let all_durable = commit_partitions(s, consumer, None, CommitMode::Sync)?;
        if all_durable || Instant::now() >= deadline || s.control.cancelled() {
            if !all_durable && !s.control.cancelled() {
                tracing::warn!(connector = %s.control.connector(),
                    "stopping with records the plugin has not made durable yet: their offsets are not committed, they will be delivered again after the restart");
            }
            return Ok(());
        }
        std::thread::sleep(FINAL_COMMIT_POLL);
    }
}

/// The task consumer's `group.instance.id`, when it is a static member: the connector wants it
/// (`task.static.membership`), the user set none of their own
/// (`consumer.override.group.instance.id` is theirs to manage), and the cluster speaks
/// PLAINTEXT, which is all our LeaveGroup request speaks for now (elsewhere the consumer stays
/// dynamic, as Kafka Connect's).
fn static_instance(spec: &TaskSpec, consumer_cfg: &ClientConfig) -> Option<String> {
    let wanted = static_membership::enabled(&spec.connector.originals)
        && consumer_cfg.get("group.instance.id").is_none();
    let plaintext = consumer_cfg
        .get("security.protocol")
        .is_none_or(|p| p.eq_ignore_ascii_case("plaintext"));
    if wanted && !plaintext {
        tracing::info!(connector = %spec.id.connector, task = spec.id.task,
            "task.static.membership is not supported yet with security.protocol other than PLAINTEXT; the consumer is a dynamic member");
    }
    let config = &spec.worker.config;
    let cluster = config
        .distributed
        .as_ref()
        .map_or(spec.worker.worker_id.as_str(), |d| d.group_id.as_str());
    (wanted && plaintext)
        .then(|| static_membership::instance_id(cluster, &spec.id.connector, spec.id.task))
}

/// A copy of the records of `batch` that pass `keep` (given index and record).
fn copy_records(
    batch: &RecordBatch,
    keep: impl Fn(usize, &connect_plugin_api::batch::RecordView<'_>) -> bool,
) -> RecordBatch {
    let mut out = RecordBatch::new();
    for (i, r) in batch.iter().enumerate() {
        if !keep(i, &r) {
            continue;
        }
        let headers: Vec<(&str, connect_plugin_api::batch::Data<'_>)> =
            r.headers().map(|(k, v)| (k, v.as_data())).collect();
        let m = r.meta();
        let at = connect_plugin_api::batch::RecordPosition {
            topic: r.topic(),
            partition: m.partition,
            offset: m.offset,
            timestamp: (m.timestamp_type != TimestampType::NONE)
                .then_some((m.timestamp, m.timestamp_type)),
        };
        out.push(at, r.key().as_data(), r.value().as_data(), &headers)
            .expect("a subset of a batch's records fits in a batch");
    }
    out
}

/// The consumer's settings (its `group.instance.id` is added by the caller).
fn consumer_config(spec: &TaskSpec) -> Result<ClientConfig, TaskFailure> {
    let mut cfg = spec.client_config(ClientRole::Consumer)?;
    let name = &spec.id.connector;
    cfg.set("group.id", format!("connect-{name}"))
        .set(
            "client.id",
            format!("connector-consumer-{name}-{}", spec.id.task),
        )
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false");
    // librdkafka (2.4+) postpones a partition's next fetch by fetch.queue.backoff.ms (default
    // 1000 ms) whenever its local queue is over queued.min.messages or
    // queued.max.messages.kbytes; a task that drains the queue in milliseconds then sat idle for
    // the rest of that second (1M records to /dev/null: 4.3 s instead of 1.4 s).
    if cfg.get("fetch.queue.backoff.ms").is_none() {
        cfg.set("fetch.queue.backoff.ms", "10");
    }
    // librdkafka prefetches up to 64 MB per consumer by default: most of a sink task's memory,
    // and no faster than a few MB (1M records to a file: 85 MB peak RSS with 64 MB; 41 MB with
    // 8 MB and 33 MB with 4 MB, both about 1.4 s). Like the Java consumer's 1 MB per partition.
    if cfg.get("queued.max.messages.kbytes").is_none() {
        cfg.set("queued.max.messages.kbytes", "4096");
    }
    // The consumer lag of /metrics comes from the statistics (SinkContext::stats).
    if cfg.get("statistics.interval.ms").is_none() {
        cfg.set(
            "statistics.interval.ms",
            LAG_REFRESH.as_millis().to_string(),
        );
    }
    Ok(cfg)
}

/// A batch is handed to the plugin once its arena holds this much, whatever max.poll.records
/// says: spans are `u32`, so an arena can never pass 4 GiB, and with this cap one Kafka record
/// (at most message.max.bytes) always fits in the rest.
const MAX_BATCH_BYTES: usize = 1 << 30;

fn map_kind(k: convert::DataKind) -> DataKind {
    match k {
        convert::DataKind::Null => DataKind::NULL,
        convert::DataKind::Bytes => DataKind::BYTES,
        convert::DataKind::String => DataKind::STRING,
        convert::DataKind::Json => DataKind::JSON,
    }
}

struct Pipeline {
    key: Box<dyn Converter>,
    value: Box<dyn Converter>,
    /// `header.converter`.
    headers: HeaderConverter,
    /// Encodes header values for the plugin.
    header_codec: RecordCodec,
    /// `transforms`, if any.
    transforms: Option<SinkTransforms>,
    reporter: ErrorReporter,
    seen_topics: HashSet<String>,
}

impl Pipeline {
    /// The topic a record the plugin names was consumed from (a router may have renamed it).
    fn original_topic(&self, topic: &str, partition: i32, offset: i64) -> String {
        match &self.transforms {
            Some(t) => t.original_topic(topic, partition, offset).to_owned(),
            None => topic.to_owned(),
        }
    }
}

impl Pipeline {
    /// Converts one consumed record into the batch (or hands it to error handling).
    fn append(
        &mut self,
        spec: &TaskSpec,
        s: &mut Shared,
        msg: &BorrowedMessage<'_>,
    ) -> Result<(), TaskFailure> {
        let topic = msg.topic();
        let (partition, offset) = (msg.partition(), msg.offset());
        s.batch_next
            .insert((topic.to_owned(), partition), offset + 1);
        if !self.seen_topics.contains(topic) {
            self.seen_topics.insert(topic.to_owned());
            if let Err(e) = spec.worker.statuses.put_topic(&spec.id.connector, topic) {
                tracing::warn!("cannot record active topic {topic}: {e}");
            }
        }
        let batch = &mut s.batch;
        let mut arena = std::mem::take(&mut batch.arena).into_vec();
        let mark = arena.len();
        let converted = self
            .key
            .to_connect(topic, msg.key(), &mut arena)
            .map_err(|e| (Stage::KeyConverter, e.to_string()))
            .and_then(|k| {
                self.value
                    .to_connect(topic, msg.payload(), &mut arena)
                    .map(|v| (k, v))
                    .map_err(|e| (Stage::ValueConverter, e.to_string()))
            })
            .and_then(|(k, v)| {
                // Kafka's order: key, value, then headers (`convertHeadersFor`).
                let mut headers = Vec::new();
                for h in msg.headers().iter().flat_map(|hs| hs.iter()) {
                    let value = self
                        .headers
                        .to_connect_header(topic, h.key, h.value)
                        .map_err(|e| (Stage::HeaderConverter, e.to_string()))?;
                    headers.push(Header {
                        key: h.key.to_owned(),
                        value,
                    });
                }
                Ok((k, v, headers))
            });
        let (key, value, headers) = match converted {
            Ok(kv) => kv,
            Err((stage, error)) => {
                arena.truncate(mark);
                batch.arena = arena.into();
                let headers = raw_headers(msg);
                let rec = ErrantRecord {
                    topic,
                    partition,
                    offset,
                    key: msg.key(),
                    value: msg.payload(),
                    headers: &headers,
                };
                return self.reporter.report(stage, &rec, &error);
            }
        };
        if let Some(transforms) = self.transforms.as_mut()
            && transforms.is_batch_wise()
        {
            let record = converted_record(key, value, headers);
            let pending = transforms.pend(&mut arena, mark, msg, record, raw_headers(msg));
            batch.arena = arena.into();
            let pending = pending.map_err(|m| {
                TaskFailure::new(
                    format!("cannot hand the converted record to the transformations: {m}"),
                    "",
                )
                .at(topic, partition, offset)
            })?;
            s.pending.push(pending);
            return Ok(());
        }
        if let Some(transforms) = self.transforms.as_mut() {
            if batch.is_empty() {
                transforms.start_batch();
            }
            let record = converted_record(key, value, headers);
            let outcome = transforms.apply(batch, &mut arena, mark, msg, record);
            batch.arena = arena.into();
            return match outcome {
                Ok(_) => Ok(()),
                Err(StepError::Stage(e)) => {
                    let headers = raw_headers(msg);
                    let rec = ErrantRecord {
                        topic,
                        partition,
                        offset,
                        key: msg.key(),
                        value: msg.payload(),
                        headers: &headers,
                    };
                    self.reporter
                        .report(Stage::Transformation, &rec, &e.to_string())
                }
                Err(StepError::Batch(m)) => Err(TaskFailure::new(
                    format!("cannot hand the transformed record to the plugin: {m}"),
                    "",
                )
                .at(topic, partition, offset)),
            };
        }
        let header_mark = batch.headers.len();
        let meta = record_meta(
            batch,
            &mut arena,
            &mut self.header_codec,
            msg,
            key,
            value,
            &headers,
        );
        if meta.is_err() {
            arena.truncate(mark);
            batch.headers.truncate(header_mark);
        }
        batch.arena = arena.into();
        batch
            .push_meta(meta?)
            .map_err(|e| TaskFailure::new(e.to_string(), ""))?;
        Ok(())
    }
}

impl Pipeline {
    /// Runs the batch-wise chain on the records waiting for it and appends the results to the
    /// batch; failed records go to error handling. `Ok(false)` when a plugin stage stopped
    /// because the task is stopping: those records are neither put nor committed.
    fn apply_pending(
        &mut self,
        s: &mut Shared,
        control: &TaskControl,
    ) -> Result<bool, TaskFailure> {
        let pending = std::mem::take(&mut s.pending);
        let Some(transforms) = self.transforms.as_mut() else {
            return Ok(true);
        };
        if pending.is_empty() {
            return Ok(true);
        }
        let outcomes = match transforms.apply_pending(&mut s.batch, pending) {
            Ok(o) => o,
            Err(_) if control.stopping() => return Ok(false),
            Err(f) => {
                return Err(TaskFailure::new(
                    f.to_string(),
                    "a bug in the plugin: report it to its authors",
                ));
            }
        };
        for (p, outcome) in outcomes {
            let c = &p.consumed;
            match outcome {
                Ok(_) => {}
                Err(StepError::Stage(e)) => {
                    let rec = ErrantRecord {
                        topic: &c.topic,
                        partition: c.partition,
                        offset: c.offset,
                        key: p.key.as_deref(),
                        value: p.value.as_deref(),
                        headers: &p.headers,
                    };
                    self.reporter
                        .report(Stage::Transformation, &rec, &e.to_string())?;
                }
                Err(StepError::Batch(m)) => {
                    return Err(TaskFailure::new(
                        format!("cannot hand the transformed record to the plugin: {m}"),
                        "",
                    )
                    .at(&c.topic, c.partition, c.offset));
                }
            }
        }
        Ok(true)
    }
}

fn converted_record(
    key: convert::Converted,
    value: convert::Converted,
    headers: Vec<Header>,
) -> ConvertedRecord {
    ConvertedRecord {
        key,
        value,
        headers,
    }
}

/// Appends `msg`'s headers to the batch (their bytes to `arena`, the batch's arena taken out for
/// the converters) and builds the record's metadata; every span and index is checked.
fn record_meta(
    batch: &mut RecordBatch,
    arena: &mut Vec<u8>,
    header_codec: &mut RecordCodec,
    msg: &BorrowedMessage<'_>,
    key: convert::Converted,
    value: convert::Converted,
    headers: &[Header],
) -> Result<RecordMeta, TaskFailure> {
    let full = |e: BatchFull| TaskFailure::new(e.to_string(), "");
    let headers = header_codec
        .push_headers(batch, arena, headers)
        .map_err(|e| {
            TaskFailure::new(
                format!("cannot hand the record's headers to the plugin: {e}"),
                "",
            )
        })?;
    let key_schema = match key.schema.as_deref() {
        Some(sch) => batch.intern_schema(sch).map_err(full)?,
        None => DataMeta::NO_SCHEMA,
    };
    let value_schema = match value.schema.as_deref() {
        Some(sch) => batch.intern_schema(sch).map_err(full)?,
        None => DataMeta::NO_SCHEMA,
    };
    let (timestamp, timestamp_type) = match msg.timestamp() {
        Timestamp::CreateTime(t) => (t, TimestampType::CREATE_TIME),
        Timestamp::LogAppendTime(t) => (t, TimestampType::LOG_APPEND_TIME),
        Timestamp::NotAvailable => (-1, TimestampType::NONE),
    };
    Ok(RecordMeta {
        topic: batch.intern_topic(msg.topic()).map_err(full)?,
        partition: msg.partition(),
        offset: msg.offset(),
        timestamp,
        timestamp_type,
        key: DataMeta {
            kind: map_kind(key.kind),
            span: checked_span(key.start, key.len).map_err(full)?,
            schema: key_schema,
        },
        value: DataMeta {
            kind: map_kind(value.kind),
            span: checked_span(value.start, value.len).map_err(full)?,
            schema: value_schema,
        },
        headers,
    })
}

fn raw_headers(msg: &BorrowedMessage<'_>) -> Vec<(String, Option<Vec<u8>>)> {
    msg.headers()
        .map(|hs| {
            hs.iter()
                .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                .collect()
        })
        .unwrap_or_default()
}

fn run_inner(spec: &TaskSpec) -> Result<(), TaskFailure> {
    let control = &spec.control;
    let (key, value) = spec.converters()?;
    let producer_cfg = spec.client_config(ClientRole::Producer)?;
    if let Some(dlq) = spec
        .connector
        .errors
        .dead_letter_queue
        .as_ref()
        .filter(|d| !d.topic.is_empty())
    {
        let mut admin_cfg = spec.client_config(ClientRole::Admin)?;
        admin_cfg.set(
            "client.id",
            format!("connector-dlq-adminclient-{}", spec.id.connector),
        );
        super::dlq_topic::ensure(&admin_cfg, &dlq.topic, dlq.replication_factor)
            .map_err(|m| TaskFailure::new(m, ""))?;
    }
    let reporter = ErrorReporter::new(
        spec.connector.errors.clone(),
        &spec.id.connector,
        spec.id.task,
        &producer_cfg,
    )?;
    let transforms = SinkTransforms::new(spec.transforms()?, spec.decimal_numeric());
    let mut pipeline = Pipeline {
        key,
        value,
        headers: spec.header_converter()?,
        header_codec: RecordCodec::new(spec.decimal_numeric()),
        transforms,
        reporter,
        seen_topics: HashSet::new(),
    };
    // The connector's override wins over the worker's setting, as for every client setting.
    let max_batch = match spec
        .connector
        .consumer_overrides
        .get("max.poll.records")
        .or_else(|| spec.worker.config.consumer.get("max.poll.records"))
    {
        None => DEFAULT_BATCH,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(TaskFailure::new(
                    format!(
                        "Invalid value {v} for configuration max.poll.records: it must be a positive \
                         number of records (consumer.max.poll.records or consumer.override.max.poll.records)"
                    ),
                    "",
                ));
            }
        },
    };

    let (task_ctx, requests) =
        HostTaskContext::create(control.clone(), spec.worker.offsets.clone());
    let task = spec
        .plugin
        .factory
        .start_sink_task(RSlice::from_slice(&spec.task_entries()), task_ctx)
        .into_result()
        .map_err(|e| TaskFailure::from_plugin("start", &e))?;
    let context = SinkContext {
        shared: Mutex::new(Shared {
            task: Some(task),
            accepted: HashMap::new(),
            batch_next: HashMap::new(),
            batch: RecordBatch::new(),
            pending: Vec::new(),
            assigned: BTreeSet::new(),
            rebalanced: false,
            failure: None,
            stopped: false,
            control: control.clone(),
        }),
        metrics: control.metrics().task().cloned(),
    };
    let mut consumer_cfg = consumer_config(spec)?;
    let instance = static_instance(spec, &consumer_cfg);
    if let Some(id) = &instance {
        consumer_cfg.set("group.instance.id", id);
    }
    let consumer: BaseConsumer<SinkContext> =
        consumer_cfg.create_with_context(context).map_err(|e| {
            TaskFailure::new(
                format!("cannot create the task's Kafka consumer: {e}"),
                "check consumer.* settings",
            )
        })?;
    let metadata_max_age = spec
        .connector
        .consumer_overrides
        .get("metadata.max.age.ms")
        .or_else(|| spec.worker.config.consumer.get("metadata.max.age.ms"));
    let mut subscription = TopicSubscription::new(
        &spec.connector.topics,
        spec.connector.topics_regex.as_deref(),
        metadata_max_age.map(String::as_str),
    )?;
    subscription.update(&consumer)?;
    control.report_running();
    tracing::info!("Sink task finished initialization and start");

    let mut result = sink_loop(
        spec,
        &consumer,
        &mut pipeline,
        &requests,
        &mut subscription,
        max_batch,
    );
    let shared = &consumer.context().shared;
    if result.is_ok() && !control.cancelled() {
        // Graceful stop: records handed to the dead-letter queue are durable first (their
        // offsets are about to be committed), then the last commit, then close.
        let flushed = pipeline
            .reporter
            .flush(spec.worker.config.offset_flush_timeout);
        let mut s = shared.lock().unwrap();
        let wait = spec.worker.config.task_shutdown_graceful_timeout / 2;
        result = flushed
            .and_then(|()| final_commit(&mut s, &consumer, wait))
            .and_then(|()| {
                let assigned: Vec<TopicPartition> = s.assigned.iter().cloned().collect();
                match s.task.as_mut() {
                    Some(task) => task
                        .close(RSlice::from_slice(&assigned))
                        .into_result()
                        .map_err(|e| TaskFailure::from_plugin("close", &e)),
                    None => Ok(()),
                }
            });
    }
    // From here on nothing is committed: the consumer's close below revokes the partitions, and
    // that callback must find the task stopped (it would otherwise ask a closed plugin for its
    // offsets and commit whatever it answered).
    let task = {
        let mut s = shared.lock().unwrap();
        s.stopped = true;
        s.accepted.clear();
        s.batch_next.clear();
        s.task.take()
    };
    if let Some(mut task) = task
        && let Err(e) = task.stop().into_result()
    {
        // As Kafka Connect: a failing stop is logged; the offsets are committed already.
        tracing::warn!(connector = %spec.id.connector, task = spec.id.task, "the plugin's stop failed: {}", e.message);
    }
    consumer.unsubscribe();
    if let Some(instance) = instance
        && !control.cancelled()
    {
        // A static member does not leave when its consumer closes: remove it, as a dynamic
        // member leaves, or the group keeps its partitions (and refuses offset changes) until
        // session.timeout.ms. Only a crash leaves it in; the restarted worker takes it over.
        drop(consumer);
        let group = format!("connect-{}", spec.id.connector);
        if let Err(e) = static_membership::remove_member(
            &spec.worker.config.bootstrap_servers,
            &group,
            &instance,
            Duration::from_secs(10),
        ) {
            tracing::warn!(connector = %spec.id.connector, task = spec.id.task,
                "{e}; its partitions stay with it until session.timeout.ms passes");
        }
    }
    result
}

fn sink_loop(
    spec: &TaskSpec,
    consumer: &BaseConsumer<SinkContext>,
    pipeline: &mut Pipeline,
    requests: &Arc<Mutex<TaskRequests>>,
    subscription: &mut TopicSubscription,
    max_batch: usize,
) -> Result<(), TaskFailure> {
    let control = &spec.control;
    let flush_interval = spec.worker.config.offset_flush_interval;
    let mut last_commit = Instant::now();
    let mut last_put = Instant::now();
    let mut retry: Option<(Instant, Duration)> = None;
    let mut paused = false;
    let mut plugin_paused: BTreeSet<TopicPartition> = BTreeSet::new();
    let mut fetcher = ErrantFetcher::default();
    let mut last_consumer_warning = Instant::now() - Duration::from_secs(60);

    while !control.stopping() {
        // topics.regex: topics created since are picked up at each metadata refresh.
        subscription.update(consumer)?;
        let target = control.target();
        let want_paused = target == TargetState::Paused || retry.is_some();
        {
            let mut s = consumer.context().shared.lock().unwrap();
            if let Some(f) = s.failure.take() {
                return Err(f);
            }
            if let Some(m) = &consumer.context().metrics {
                m.sink_partitions(s.assigned.len());
            }
            if want_paused != paused || s.rebalanced {
                s.rebalanced = false;
                let all = tpl_of(s.assigned.iter());
                if want_paused {
                    let _ = consumer.pause(&all);
                } else {
                    let _ = consumer.resume(&all);
                    if !plugin_paused.is_empty() {
                        let _ = consumer.pause(&tpl_of(plugin_paused.iter()));
                    }
                }
                paused = want_paused;
            }
        }
        // Plugin pause/resume requests.
        {
            let mut r = requests.lock().unwrap();
            for tp in r.pause.drain(..) {
                let _ = consumer.pause(&tpl_of(std::iter::once(&tp)));
                plugin_paused.insert(tp);
            }
            for tp in r.resume.drain(..) {
                plugin_paused.remove(&tp);
                if !paused {
                    let _ = consumer.resume(&tpl_of(std::iter::once(&tp)));
                }
            }
        }
        if target == TargetState::Paused {
            control.report(State::Paused, None);
        } else {
            control.report(State::Running, None);
        }

        // Poll: fills the batch (messages of paused partitions do not arrive).
        // Never past the next offset commit (as Kafka Connect's poll timeout), so an idle task
        // still commits on time instead of up to POLL_WAIT late.
        let until_commit = flush_interval.saturating_sub(last_commit.elapsed());
        let wait = if let Some((at, _)) = retry {
            at.saturating_duration_since(Instant::now()).min(POLL_WAIT)
        } else {
            POLL_WAIT
        }
        .min(until_commit);
        let mut polled = 0usize;
        let mut next = consumer.poll(wait);
        while let Some(item) = next {
            let msg = match item {
                Ok(m) => m,
                // librdkafka reports transient conditions (a topic not created yet, a leader
                // moving) as consumer errors and recovers by itself: log, keep polling.
                Err(e) => {
                    if last_consumer_warning.elapsed() >= Duration::from_secs(10) {
                        last_consumer_warning = Instant::now();
                        tracing::warn!(connector = %spec.id.connector, task = spec.id.task, "Kafka consumer: {e}");
                    }
                    break;
                }
            };
            let mut s = consumer.context().shared.lock().unwrap();
            pipeline.append(spec, &mut s, &msg)?;
            polled += 1;
            if s.batch.len() + s.pending.len() >= max_batch
                || s.batch.arena_len() >= MAX_BATCH_BYTES
            {
                break;
            }
            drop(s);
            next = consumer.poll(Duration::ZERO);
        }
        if let Some(m) = &consumer.context().metrics {
            m.sink_read(polled);
        }
        {
            let mut s = consumer.context().shared.lock().unwrap();
            if !pipeline.apply_pending(&mut s, control)? {
                return Ok(());
            }
        }

        // Put, unless paused or backing off. An empty put every POLL_WAIT lets time-based
        // plugins flush (as Kafka Connect does).
        let backing_off = retry.is_some_and(|(at, _)| Instant::now() < at);
        if target == TargetState::Started && !backing_off {
            let mut s = consumer.context().shared.lock().unwrap();
            if !s.batch.is_empty()
                || polled > 0
                || last_put.elapsed() >= POLL_WAIT
                || !s.batch_next.is_empty()
            {
                last_put = Instant::now();
                put_batch(spec, &mut s, pipeline, &mut fetcher, &mut retry)?;
            }
        }
        handle_errant(spec, consumer, requests, pipeline, &mut fetcher)?;

        if last_commit.elapsed() >= flush_interval || control.take_commit_request() {
            last_commit = Instant::now();
            pipeline
                .reporter
                .flush(spec.worker.config.offset_flush_timeout)?;
            let mut s = consumer.context().shared.lock().unwrap();
            commit_partitions(&mut s, consumer, None, CommitMode::Async)?;
        }
    }
    Ok(())
}

/// Hands the batch to the plugin and acts on the answer.
fn put_batch(
    spec: &TaskSpec,
    s: &mut Shared,
    pipeline: &mut Pipeline,
    fetcher: &mut ErrantFetcher,
    retry: &mut Option<(Instant, Duration)>,
) -> Result<(), TaskFailure> {
    loop {
        let Shared {
            task,
            batch,
            control,
            ..
        } = &mut *s;
        let Some(task) = task.as_mut() else {
            return Ok(());
        };
        let metrics = control.metrics().task().cloned();
        let (records, started) = (batch.len(), Instant::now());
        let answer = task.put(batch).into_result();
        if let Some(m) = &metrics {
            m.sink_put(records, started.elapsed());
            if answer.is_ok() {
                m.sink_sent(records);
            }
        }
        match answer {
            Ok(()) => {
                let done: Vec<((String, i32), i64)> = s.batch_next.drain().collect();
                s.accepted.extend(done);
                s.batch.clear();
                if retry.take().is_some() {
                    tracing::info!(connector = %spec.id.connector, task = spec.id.task, "put succeeded again after retries");
                }
                return Ok(());
            }
            Err(e) if e.kind == ErrorKind::RETRIABLE => {
                let cap = spec
                    .connector
                    .errors
                    .retry_delay_max
                    .min(MAX_PUT_BACKOFF)
                    .max(FIRST_BACKOFF);
                let backoff = retry.map_or(FIRST_BACKOFF, |(_, b)| (b * 2).min(cap));
                tracing::warn!(connector = %spec.id.connector, task = spec.id.task, backoff_ms = backoff.as_millis() as u64,
                    "put failed with a retriable error; partitions paused, the same records will be put again: {}", e.message);
                *retry = Some((Instant::now() + backoff, backoff));
                if let Some(m) = &metrics {
                    m.retried(backoff);
                }
                return Ok(());
            }
            Err(e) if e.kind == ErrorKind::INVALID_RECORD => {
                // Without the index the failed record is unknown: guessing (say, record 0)
                // would send a good record to the DLQ and commit past the bad one.
                let Some(idx) = e.record.into_option().map(|i| i as usize) else {
                    return Err(TaskFailure::new(
                        format!(
                            "the plugin reported an invalid record in put without its index in the batch \
                             (PluginError.record is none), so the host cannot tell which record failed; \
                             the task stops rather than guess (a bug in the plugin: it must set the index): {}",
                            e.message
                        ),
                        e.trace.as_str(),
                    ));
                };
                let Some(r) = s.batch.get(idx) else {
                    return Err(TaskFailure::from_plugin("put", &e));
                };
                let (partition, offset) = (r.partition(), r.offset());
                let topic = pipeline.original_topic(r.topic(), partition, offset);
                let (key, value, headers) =
                    fetcher.original(spec, &pipeline.reporter, &topic, partition, offset)?;
                let rec = ErrantRecord {
                    topic: &topic,
                    partition,
                    offset,
                    key: key.as_deref(),
                    value: value.as_deref(),
                    headers: &headers,
                };
                pipeline.reporter.report(Stage::TaskPut, &rec, &e.message)?;
                // Records before idx were accepted, idx is handled: put the rest.
                s.batch = copy_records(&s.batch, |i, _| i > idx);
            }
            Err(e) => return Err(TaskFailure::from_plugin("put", &e)),
        }
    }
}

/// Applies error handling to records the plugin reported through its context.
fn handle_errant(
    spec: &TaskSpec,
    _consumer: &BaseConsumer<SinkContext>,
    requests: &Arc<Mutex<TaskRequests>>,
    pipeline: &mut Pipeline,
    fetcher: &mut ErrantFetcher,
) -> Result<(), TaskFailure> {
    let reports = std::mem::take(&mut requests.lock().unwrap().errant);
    for r in reports {
        let topic = pipeline.original_topic(&r.topic, r.partition, r.offset);
        let (key, value, headers) =
            fetcher.original(spec, &pipeline.reporter, &topic, r.partition, r.offset)?;
        let rec = ErrantRecord {
            topic: &topic,
            partition: r.partition,
            offset: r.offset,
            key: key.as_deref(),
            value: value.as_deref(),
            headers: &headers,
        };
        pipeline
            .reporter
            .report(Stage::TaskPut, &rec, &r.error.message)?;
    }
    Ok(())
}

fn tpl_of<'a>(tps: impl Iterator<Item = &'a TopicPartition>) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::new();
    for tp in tps {
        tpl.add_partition(tp.topic.as_str(), tp.partition);
    }
    tpl
}

type RawRecord = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<(String, Option<Vec<u8>>)>,
);

/// Re-reads an errant record's original bytes from Kafka for the dead-letter queue: errant
/// records are rare, so this beats keeping every record's raw bytes around.
#[derive(Default)]
struct ErrantFetcher {
    consumer: Option<BaseConsumer>,
}

impl ErrantFetcher {
    /// The errant record's original bytes. When they cannot be read and the record would go to
    /// the dead-letter queue, the task fails: an empty record in its place would lose it. (With
    /// no DLQ the bytes only serve the error log, which then shows none.)
    fn original(
        &mut self,
        spec: &TaskSpec,
        reporter: &ErrorReporter,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<RawRecord, TaskFailure> {
        match self.fetch(spec, topic, partition, offset) {
            Some(record) => Ok(record),
            None if reporter.sends_to_dead_letter_queue() => Err(TaskFailure::new(
                format!(
                    "cannot re-read the failed record at topic '{topic}', partition {partition}, offset {offset} \
                     from Kafka for the dead-letter queue; the task stops rather than send an empty record \
                     in its place (check that the record is still retained and the worker can read the topic), \
                     then restart the task"
                ),
                "",
            )
            .at(topic, partition, offset)),
            None => Ok(RawRecord::default()),
        }
    }

    fn fetch(
        &mut self,
        spec: &TaskSpec,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Option<RawRecord> {
        if self.consumer.is_none() {
            let mut cfg = spec.client_config(ClientRole::Consumer).ok()?;
            cfg.set(
                "group.id",
                format!("connect-{}-errant-reader", spec.id.connector),
            )
            .set("enable.auto.commit", "false");
            self.consumer = cfg.create().ok();
        }
        let consumer = self.consumer.as_ref()?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, Offset::Offset(offset))
            .ok()?;
        consumer.assign(&tpl).ok()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200))
                && m.offset() == offset
            {
                return Some((
                    m.key().map(<[u8]>::to_vec),
                    m.payload().map(<[u8]>::to_vec),
                    raw_headers(&m),
                ));
            }
        }
        tracing::warn!(
            topic,
            partition,
            offset,
            "could not re-read an errant record for the dead-letter queue"
        );
        None
    }
}
