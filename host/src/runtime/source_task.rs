//! Runs one source task on its own thread: `poll` → convert → produce → after the broker
//! acknowledged a whole poll, `commit_records` and remember its source offsets → every
//! `offset.flush.interval.ms`, write the offsets (durably) and call `commit`.
//!
//! Offsets are written only for polls whose every record was acknowledged, in poll order, so a
//! crash replays at most the records after the last written offset (at-least-once, like Kafka
//! Connect). The producer is idempotent with `acks=all`, which keeps order per partition. An
//! offset write that fails (Kafka unreachable) is logged and retried at the next flush; the task
//! keeps running.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use abi_stable::std_types::RSlice;
use connect_plugin_api::abi::{
    error::ErrorKind,
    types::{DataKind, SourceBatch, WrittenRecord},
};
use rdkafka::{
    ClientContext, Message,
    message::{DeliveryResult, Header, OwnedHeaders},
    producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer},
};
use serde_json::Value;

use crate::config::kafka_client::ClientRole;

use super::{
    convert::{self, ConnectDataRef},
    errors::{ErrantRecord, ErrorReporter, Stage, TaskFailure},
    host_context::HostTaskContext,
    record_codec::RecordCodec,
    source_transform::SourceTransforms,
    status::{State, TargetState},
    task_spec::TaskSpec,
    transform_chain::StepError,
};

const RETRY_BACKOFF: Duration = Duration::from_millis(500);

/// Runs the task until it is stopped or fails; reports its statuses.
pub fn run(spec: TaskSpec) {
    super::task_spec::run_guarded(&spec, run_inner);
}

/// Acknowledgements of one poll.
struct PollAcks {
    sequence: u64,
    expected: usize,
    written: Vec<WrittenRecord>,
    failed: Option<String>,
    /// Last source offset per source partition in this poll.
    offsets: BTreeMap<String, Option<String>>,
}

#[derive(Default)]
struct Acks {
    polls: VecDeque<PollAcks>,
}

struct SourceContext {
    acks: Mutex<Acks>,
}

impl ClientContext for SourceContext {}

impl ProducerContext for SourceContext {
    type DeliveryOpaque = Box<(u64, u32)>;

    fn delivery(&self, result: &DeliveryResult<'_>, opaque: Self::DeliveryOpaque) {
        let (sequence, index) = *opaque;
        let mut acks = self.acks.lock().unwrap();
        let Some(poll) = acks.polls.iter_mut().find(|p| p.sequence == sequence) else {
            return;
        };
        match result {
            Ok(m) => poll.written.push(WrittenRecord {
                index,
                partition: m.partition(),
                offset: m.offset(),
            }),
            Err((e, _)) => {
                poll.failed.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

fn run_inner(spec: &TaskSpec) -> Result<(), TaskFailure> {
    let control = &spec.control;
    let (key_conv, value_conv) = spec.converters()?;
    let mut producer_cfg = spec.client_config(ClientRole::Producer)?;
    producer_cfg
        .set(
            "client.id",
            format!("connector-producer-{}-{}", spec.id.connector, spec.id.task),
        )
        .set("acks", "all")
        .set("enable.idempotence", "true");
    let dlq_cfg = producer_cfg.clone();
    let producer: ThreadedProducer<SourceContext> = producer_cfg
        .create_with_context(SourceContext {
            acks: Mutex::new(Acks::default()),
        })
        .map_err(|e| {
            TaskFailure::new(
                format!("cannot create the task's Kafka producer: {e}"),
                "check producer.* settings",
            )
        })?;
    let mut reporter = ErrorReporter::new(
        spec.connector.errors.clone(),
        &spec.id.connector,
        spec.id.task,
        &dlq_cfg,
    )?;

    let mut task = loop {
        let (task_ctx, _requests) =
            HostTaskContext::create(control.clone(), spec.worker.offsets.clone());
        match spec
            .plugin
            .factory
            .start_source_task(RSlice::from_slice(&spec.task_entries()), task_ctx)
            .into_result()
        {
            Ok(t) => break t,
            Err(e) if e.kind == ErrorKind::RETRIABLE && !control.stopping() => {
                tracing::warn!(connector = %spec.id.connector, "source task start will be retried: {}", e.message);
                control.wait(Duration::from_secs(2));
            }
            Err(e) => return Err(TaskFailure::from_plugin("start", &e)),
        }
    };
    control.report_running();
    tracing::info!("Source task finished initialization and start");

    let mut transforms = SourceTransforms::new(spec.transforms()?, spec.decimal_numeric());
    let mut header_conv = spec.header_converter()?;
    let mut header_codec = RecordCodec::new(spec.decimal_numeric());
    let mut out = SourceBatch::new();
    let mut sequence = 0u64;
    let mut value_buf = Vec::new();
    let mut key_buf = Vec::new();
    let mut pending_offsets: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut last_flush = Instant::now();
    let mut seen_topics = std::collections::HashSet::new();
    let result: Result<(), TaskFailure> = (|| {
        while !control.stopping() {
            if control.target() == TargetState::Paused {
                control.report(State::Paused, None);
                control.wait(Duration::from_millis(500));
            } else {
                control.report(State::Running, None);
                out.clear();
                let started = Instant::now();
                let answer = task.poll(&mut out).into_result();
                if let Some(m) = control.metrics().task() {
                    m.source_polled(out.len(), started.elapsed());
                }
                match answer {
                    Ok(()) => {}
                    Err(e) if e.kind == ErrorKind::RETRIABLE => {
                        tracing::warn!(connector = %spec.id.connector, "poll failed, retrying: {}", e.message);
                        if let Some(m) = control.metrics().task() {
                            m.retried(RETRY_BACKOFF);
                        }
                        control.wait(RETRY_BACKOFF);
                    }
                    Err(e) => return Err(TaskFailure::from_plugin("poll", &e)),
                }
                // The plugin built this batch: a span outside its arena must fail the task, not
                // produce empty records.
                out.validate().map_err(|e| {
                    TaskFailure::new(
                        format!("{e} (returned by poll)"),
                        "a bug in the plugin: report it to its authors",
                    )
                })?;
                if !out.is_empty() {
                    let mut poll = PollAcks {
                        sequence,
                        expected: 0,
                        written: Vec::new(),
                        failed: None,
                        offsets: BTreeMap::new(),
                    };
                    let mut sends = Vec::with_capacity(out.len());
                    let mut chained = match transforms.as_mut().map(|t| t.apply(&out.batch)) {
                        None => None,
                        Some(Ok(o)) => Some(o),
                        // Stopped while a plugin stage retried: this poll is neither produced
                        // nor committed, so its records are polled again after the restart.
                        Some(Err(_)) if control.stopping() => return Ok(()),
                        Some(Err(f)) => {
                            return Err(TaskFailure::new(
                                f.to_string(),
                                "a bug in the plugin: report it to its authors",
                            ));
                        }
                    };
                    for (i, r) in out.batch.iter().enumerate() {
                        let (sp, so) = out.position(i);
                        if let Some(sp) = sp {
                            // Checked here, not when offsets are flushed: an offset that cannot
                            // be stored must stop the task, not vanish from the flush.
                            for (what, text) in [("partition", Some(sp)), ("offset", so)] {
                                if let Some(text) = text
                                    && serde_json::from_str::<Value>(text).is_err()
                                {
                                    return Err(TaskFailure::new(
                                        format!(
                                            "the plugin returned a source {what} that is not JSON ({text}) \
                                             for record {i} of its poll, so its offset cannot be stored"
                                        ),
                                        "a bug in the plugin: report it to its authors",
                                    ));
                                }
                            }
                            poll.offsets.insert(sp.to_owned(), so.map(str::to_owned));
                        }
                        // A record the chain drops or that fails it under errors.tolerance=all
                        // is not produced; its source offset still goes with its poll.
                        let transformed = match chained.as_mut() {
                            None => None,
                            Some(t) => match std::mem::replace(&mut t[i], Ok(None)) {
                                Ok(Some(x)) => Some(x),
                                Ok(None) => continue,
                                Err(StepError::Stage(e)) => {
                                    let rec = ErrantRecord {
                                        topic: r.topic(),
                                        partition: r.partition(),
                                        offset: -1,
                                        key: None,
                                        value: Some(r.value().bytes),
                                        headers: &[],
                                    };
                                    reporter.report(Stage::Transformation, &rec, &e.to_string())?;
                                    continue;
                                }
                                Err(StepError::Batch(m)) => {
                                    return Err(TaskFailure::new(
                                        format!(
                                            "a record returned by poll does not match its schema: {m}"
                                        ),
                                        "a bug in the plugin: report it to its authors",
                                    ));
                                }
                            },
                        };
                        let topic: &str =
                            transformed.as_ref().map_or(r.topic(), |t| t.topic.as_str());
                        key_buf.clear();
                        value_buf.clear();
                        let k = r.key();
                        let v = r.value();
                        let has_key = match &transformed {
                            Some(t) => key_conv
                                .from_connect(topic, &t.key.as_ref(), &mut key_buf)
                                .map_err(|e| e.to_string()),
                            None => key_conv.to_kafka(topic, &k, &mut key_buf),
                        }
                        .map_err(|e| (Stage::KeyConverter, e));
                        let has_value = has_key.and_then(|hk| {
                            match &transformed {
                                Some(t) => value_conv
                                    .from_connect(topic, &t.value.as_ref(), &mut value_buf)
                                    .map_err(|e| e.to_string()),
                                None => value_conv.to_kafka(topic, &v, &mut value_buf),
                            }
                            .map(|hv| (hk, hv))
                            .map_err(|e| (Stage::ValueConverter, e))
                        });
                        // Then the headers, through the header converter (Kafka's order).
                        let converted = has_value.and_then(|kv| {
                            let mut out = Vec::new();
                            let mut convert =
                                |key: &str, datum: &connect_data::transforms::data::Datum| {
                                    header_conv
                                        .from_connect_header(topic, key, datum)
                                        .map(|bytes| out.push((key.to_owned(), bytes)))
                                        .map_err(|e| (Stage::HeaderConverter, e.to_string()))
                                };
                            match &transformed {
                                Some(t) => {
                                    for h in &t.headers {
                                        convert(&h.key, &h.value)?;
                                    }
                                }
                                None => {
                                    for (key, data) in r.headers() {
                                        let datum = header_codec
                                            .datum(&data)
                                            .map_err(|e| (Stage::HeaderConverter, e))?;
                                        convert(key, &datum)?;
                                    }
                                }
                            }
                            Ok((kv, out))
                        });
                        match converted {
                            Ok(((hk, hv), headers)) => {
                                if seen_topics.insert(topic.to_owned()) {
                                    let _ =
                                        spec.worker.statuses.put_topic(&spec.id.connector, topic);
                                }
                                let (partition, timestamp) = match &transformed {
                                    Some(t) => (t.partition, t.timestamp),
                                    None => (r.partition(), r.timestamp()),
                                };
                                sends.push((
                                    // validate() caps a batch at u32::MAX records.
                                    u32::try_from(i).unwrap_or(u32::MAX),
                                    topic.to_owned(),
                                    partition,
                                    timestamp,
                                    hk.then(|| key_buf.clone()),
                                    hv.then(|| value_buf.clone()),
                                    headers,
                                ));
                            }
                            Err((stage, e)) => {
                                let rec = ErrantRecord {
                                    topic,
                                    partition: r.partition(),
                                    offset: -1,
                                    key: None,
                                    value: Some(v.bytes),
                                    headers: &[],
                                };
                                reporter.report(stage, &rec, &e)?;
                            }
                        }
                    }
                    poll.expected = sends.len();
                    producer
                        .context()
                        .acks
                        .lock()
                        .unwrap()
                        .polls
                        .push_back(poll);
                    for (index, topic, partition, timestamp, key, value, headers) in &sends {
                        let mut rec: BaseRecord<'_, [u8], [u8], Box<(u64, u32)>> =
                            BaseRecord::with_opaque_to(topic, Box::new((sequence, *index)));
                        if *partition >= 0 {
                            rec = rec.partition(*partition);
                        }
                        // The record's own time (CreateTime), as Kafka's WorkerSourceTask
                        // forwards `SourceRecord.timestamp()`; none: the producer stamps it.
                        if let Some(ms) = timestamp {
                            rec = rec.timestamp(*ms);
                        }
                        if let Some(k) = key {
                            rec = rec.key(k.as_slice());
                        }
                        if let Some(v) = value {
                            rec = rec.payload(v.as_slice());
                        }
                        if !headers.is_empty() {
                            let mut h = OwnedHeaders::new();
                            for (k, v) in headers {
                                h = h.insert(Header {
                                    key: k,
                                    value: v.as_deref(),
                                });
                            }
                            rec = rec.headers(h);
                        }
                        let mut rec = rec;
                        loop {
                            match producer.send(rec) {
                                Ok(()) => break,
                                Err((e, back))
                                    if e.rdkafka_error_code()
                                        == Some(rdkafka::types::RDKafkaErrorCode::QueueFull) =>
                                {
                                    rec = back;
                                    std::thread::sleep(Duration::from_millis(5));
                                }
                                Err((e, _)) => {
                                    return Err(TaskFailure::new(
                                        format!("cannot produce to {topic}: {e}"),
                                        "",
                                    ));
                                }
                            }
                        }
                    }
                    sequence += 1;
                }
            }
            settle_acks(spec, &producer, &mut task, &mut pending_offsets)?;
            if last_flush.elapsed() >= spec.worker.config.offset_flush_interval {
                last_flush = Instant::now();
                let timeout = spec.worker.config.offset_flush_timeout;
                flush_offsets(
                    spec,
                    &producer,
                    &mut task,
                    &mut pending_offsets,
                    &reporter,
                    timeout,
                )?;
            }
        }
        Ok(())
    })();
    let result = result.and_then(|()| {
        // The last offset flush: only polls Kafka acknowledged in full, after waiting for those
        // in flight up to offset.flush.timeout.ms, and within half the graceful stop time so the
        // task ends before the worker gives up on it (a cancelled task writes none).
        let c = &spec.worker.config;
        let timeout = c
            .offset_flush_timeout
            .min(c.task_shutdown_graceful_timeout / 2);
        flush_offsets(
            spec,
            &producer,
            &mut task,
            &mut pending_offsets,
            &reporter,
            timeout,
        )
    });
    if let Err(e) = task.stop().into_result()
        && result.is_ok()
    {
        // As Kafka Connect: a failing stop is logged; the offsets are written already.
        tracing::warn!(connector = %spec.id.connector, task = spec.id.task, "the plugin's stop failed: {}", e.message);
    }
    result
}

/// Acknowledges fully delivered polls to the plugin, in order, and collects their offsets.
fn settle_acks(
    spec: &TaskSpec,
    producer: &ThreadedProducer<SourceContext>,
    task: &mut connect_plugin_api::abi::task::SourceTaskBox,
    pending: &mut BTreeMap<String, Option<String>>,
) -> Result<(), TaskFailure> {
    loop {
        let done = {
            let mut acks = producer.context().acks.lock().unwrap();
            match acks.polls.front() {
                Some(p) if p.failed.is_some() => {
                    let msg = p.failed.clone().unwrap_or_default();
                    return Err(TaskFailure::new(
                        format!(
                            "Kafka did not accept records of connector {}: {msg}",
                            spec.id.connector
                        ),
                        "",
                    ));
                }
                Some(p) if p.written.len() >= p.expected => acks.polls.pop_front(),
                _ => {
                    if let Some(m) = spec.control.metrics().task() {
                        let in_flight: usize = acks
                            .polls
                            .iter()
                            .map(|p| p.expected.saturating_sub(p.written.len()))
                            .sum();
                        m.source_active(in_flight as i64);
                    }
                    None
                }
            }
        };
        let Some(poll) = done else { return Ok(()) };
        if let Some(m) = spec.control.metrics().task() {
            m.source_written(poll.written.len());
        }
        pending.extend(poll.offsets);
        task.commit_records(poll.sequence, RSlice::from_slice(&poll.written))
            .into_result()
            .map_err(|e| TaskFailure::from_plugin("commit_records", &e))?;
    }
}

/// Waits until every produced record is acknowledged, or `timeout`; false on timeout.
///
/// Not `producer.flush`: rdkafka's flush waits for delivery events in 100 ms polls, but the
/// ThreadedProducer's own thread takes those events, so every flush with records in flight
/// cost 100 ms (with `offset.flush.interval.ms=100` the task produced 2,000 records per 100 ms).
fn wait_delivered(producer: &ThreadedProducer<SourceContext>, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        // Sends lingering batches now (librdkafka's flush mode), without waiting.
        let _ = producer.flush(Duration::ZERO);
        if producer.in_flight_count() == 0 {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Waits for outstanding records, writes the acknowledged source offsets, then tells the plugin;
/// all of it within `timeout` (Kafka Connect's `offset.flush.timeout.ms`).
fn flush_offsets(
    spec: &TaskSpec,
    producer: &ThreadedProducer<SourceContext>,
    task: &mut connect_plugin_api::abi::task::SourceTaskBox,
    pending: &mut BTreeMap<String, Option<String>>,
    reporter: &ErrorReporter,
    timeout: Duration,
) -> Result<(), TaskFailure> {
    if spec.control.cancelled() {
        // Abandoned: a new instance may have written newer offsets for the same partitions.
        return Ok(());
    }
    let deadline = Instant::now() + timeout;
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(100))
    };
    if !wait_delivered(producer, timeout) {
        tracing::warn!(connector = %spec.id.connector, "records still in flight after offset.flush.timeout.ms; their offsets wait for the next flush");
    }
    reporter.flush(left())?;
    settle_acks(spec, producer, task, pending)?;
    if pending.is_empty() {
        return Ok(());
    }
    // Every text here was checked to be JSON when its poll was taken in.
    let entries: Vec<(Value, Option<Value>)> = pending
        .iter()
        .filter_map(|(p, o)| {
            let partition = serde_json::from_str(p).ok()?;
            let offset = o.as_deref().and_then(|o| serde_json::from_str(o).ok());
            Some((partition, offset))
        })
        .collect();
    let started = Instant::now();
    let written = spec
        .worker
        .offsets
        .put(&spec.id.connector, &entries, left());
    if let Some(m) = spec.control.metrics().task() {
        m.commit(written.is_ok(), started.elapsed());
    }
    if let Err(e) = written {
        // As Kafka Connect: a failed offset write (the broker away longer than a write may wait)
        // does not fail the task. The offsets stay pending and go with the next flush; until
        // then a restart replays records that were delivered, which at-least-once allows.
        tracing::error!(connector = %spec.id.connector, task = spec.id.task, "cannot store source offsets, keeping them for the next offset flush: {e}");
        return Ok(());
    }
    pending.clear();
    task.commit()
        .into_result()
        .map_err(|e| TaskFailure::from_plugin("commit", &e))?;
    Ok(())
}

/// Serializes a plugin's key or value with a converter.
trait ToKafka {
    fn to_kafka(
        &self,
        topic: &str,
        data: &connect_plugin_api::batch::DataView<'_>,
        out: &mut Vec<u8>,
    ) -> Result<bool, String>;
}

impl ToKafka for Box<dyn convert::Converter> {
    fn to_kafka(
        &self,
        topic: &str,
        data: &connect_plugin_api::batch::DataView<'_>,
        out: &mut Vec<u8>,
    ) -> Result<bool, String> {
        let kind = match data.kind {
            DataKind::NULL => convert::DataKind::Null,
            DataKind::BYTES => convert::DataKind::Bytes,
            DataKind::STRING => convert::DataKind::String,
            _ => convert::DataKind::Json,
        };
        let r = ConnectDataRef {
            kind,
            bytes: data.bytes,
            schema: data.schema,
        };
        self.from_connect(topic, &r, out).map_err(|e| e.to_string())
    }
}
