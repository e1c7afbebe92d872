//! Host-like drivers: a connector class driven through the same boundary objects, in the same
//! order, with the same error handling as the host's task loops, but in-process and without
//! Kafka.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use abi_stable::std_types::{RSlice, RVec};

use crate::abi::{
    error::{ErrorKind, PluginError},
    task::{ConnectorBox, ConnectorFactoryBox, SinkTaskBox, SourceTaskBox},
    types::{RecordBatch, SourceBatch, TopicPartition, TopicPartitionOffset, WrittenRecord},
};
use crate::batch::{Data, RecordPosition};
use crate::sdk::{
    config::ConfigMap,
    connector::{SinkConnector, SourceConnector},
    error::ConnectError,
    export::{sink_factory, source_factory},
};

use super::context::{Errant, RecordingConnectorContext, RecordingTaskContext};

fn entries(config: &ConfigMap) -> RVec<crate::abi::types::ConfigEntry> {
    crate::batch::config_entries(config)
}

fn ok<T>(r: abi_stable::std_types::RResult<T, PluginError>) -> Result<T, ConnectError> {
    r.into_result().map_err(ConnectError::from)
}

/// factory → validate (a report with errors is a CONFIG error, as the REST API refuses it) →
/// start_connector → task_configs(max_tasks).
fn start_connector(
    factory: &ConnectorFactoryBox,
    config: &ConfigMap,
    max_tasks: usize,
    context: &RecordingConnectorContext,
) -> Result<(ConnectorBox, Vec<ConfigMap>), ConnectError> {
    let raw = entries(config);
    let reports = ok(factory.validate(raw.as_rslice()))?;
    let errors: Vec<String> = reports
        .iter()
        .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
        .collect();
    if !errors.is_empty() {
        return Err(ConnectError::config(format!(
            "Connector configuration is invalid and contains the following {} error(s):\n{}",
            errors.len(),
            errors.join("\n")
        )));
    }
    let mut connector = ok(factory.start_connector(raw.as_rslice(), context.abi()))?;
    let configs = ok(connector.task_configs(max_tasks as u32))?
        .into_iter()
        .map(|c| {
            c.iter()
                .map(|e| (e.key.to_string(), e.value.to_string()))
                .collect()
        })
        .collect();
    Ok((connector, configs))
}

/// Builds a [`RecordBatch`] of string values: `batch![("topic", partition, offset, "value"), …]`
/// (null keys, timestamp = offset, CreateTime). For other data use [`BatchBuilder`].
#[macro_export]
macro_rules! batch {
    ($(($topic:expr, $partition:expr, $offset:expr, $value:expr)),* $(,)?) => {{
        let mut b = $crate::sdk::testing::BatchBuilder::new();
        $( b = b.string($topic, $partition, $offset, $value); )*
        b.build()
    }};
}

/// Builds sink batches record by record.
#[derive(Default)]
pub struct BatchBuilder {
    batch: RecordBatch,
}

impl BatchBuilder {
    /// No records.
    pub fn new() -> Self {
        Self::default()
    }
    /// A record with a string value and null key (timestamp = offset, CreateTime).
    pub fn string(self, topic: &str, partition: i32, offset: i64, value: &str) -> Self {
        self.record(
            topic,
            partition,
            offset,
            Data::NULL,
            Data::string(value),
            &[],
        )
    }
    /// A record with any key, value and headers (timestamp = offset, CreateTime).
    pub fn record(
        mut self,
        topic: &str,
        partition: i32,
        offset: i64,
        key: Data<'_>,
        value: Data<'_>,
        headers: &[(&str, Data<'_>)],
    ) -> Self {
        self.batch
            .push(
                RecordPosition {
                    topic,
                    partition,
                    offset,
                    timestamp: Some((offset, crate::abi::types::TimestampType::CREATE_TIME)),
                },
                key,
                value,
                headers,
            )
            .expect("a test batch stays under 4 GiB");
        self
    }
    /// The batch.
    pub fn build(self) -> RecordBatch {
        self.batch
    }
}

/// The records of `batch` after index `after` (what the host re-puts after `INVALID_RECORD`).
fn rest_of(batch: &RecordBatch, after: usize) -> RecordBatch {
    let mut out = RecordBatch::new();
    for r in batch.iter().skip(after + 1) {
        let headers: Vec<(&str, Data<'_>)> = r.headers().map(|(k, v)| (k, v.as_data())).collect();
        let m = r.meta();
        out.push(
            RecordPosition {
                topic: r.topic(),
                partition: m.partition,
                offset: m.offset,
                timestamp: r.timestamp().map(|t| (t, m.timestamp_type)),
            },
            r.key().as_data(),
            r.value().as_data(),
            &headers,
        )
        .expect("the rest of a batch fits where the whole batch did");
    }
    out
}

/// Drives one task of sink connector `C` as the host does: factory → validate →
/// start_connector → task_configs → start_sink_task (first task config) → open → put… →
/// pre_commit → close → stop task → stop connector.
///
/// ```ignore
/// let mut h = SinkHarness::<FileStreamSinkConnector>::new(config)?;
/// h.open(&[("t", 0)])?;
/// h.put(&batch![("t", 0, 0, "a"), ("t", 0, 1, "b")])?;
/// assert_eq!(h.commit()?, [TopicPartitionOffset::new("t", 0, 2)]);
/// h.stop()?;
/// ```
pub struct SinkHarness<C> {
    connector: Option<ConnectorBox>,
    task: Option<SinkTaskBox>,
    task_configs: Vec<ConfigMap>,
    context: RecordingTaskContext,
    connector_context: RecordingConnectorContext,
    assigned: Vec<TopicPartition>,
    /// Next offset to commit per partition (after the last record put).
    consumed: BTreeMap<(String, i32), i64>,
    committed: BTreeMap<(String, i32), i64>,
    retriable: usize,
    _class: PhantomData<fn() -> C>,
}

impl<C: SinkConnector> SinkHarness<C> {
    /// Starts the connector with `config` (one task) and its first task.
    pub fn new(config: ConfigMap) -> Result<Self, ConnectError> {
        Self::with_context(config, 1, RecordingTaskContext::new())
    }

    /// Starts the connector asking for `max_tasks` task configs, and a task with the first one
    /// and `context`.
    pub fn with_context(
        config: ConfigMap,
        max_tasks: usize,
        context: RecordingTaskContext,
    ) -> Result<Self, ConnectError> {
        let factory = sink_factory::<C>();
        let connector_context = RecordingConnectorContext::new();
        let (mut connector, task_configs) =
            start_connector(&factory, &config, max_tasks, &connector_context)?;
        let Some(first) = task_configs.first() else {
            let _ = connector.stop();
            return Err(ConnectError::config(
                "the connector returned no task configs",
            ));
        };
        let task = match ok(factory.start_sink_task(entries(first).as_rslice(), context.abi())) {
            Ok(t) => t,
            Err(e) => {
                let _ = connector.stop();
                return Err(e);
            }
        };
        Ok(Self {
            connector: Some(connector),
            task: Some(task),
            task_configs,
            context,
            connector_context,
            assigned: Vec::new(),
            consumed: BTreeMap::new(),
            committed: BTreeMap::new(),
            retriable: 0,
            _class: PhantomData,
        })
    }

    fn task(&mut self) -> Result<&mut SinkTaskBox, ConnectError> {
        self.task
            .as_mut()
            .ok_or_else(|| ConnectError::fatal("the task was stopped"))
    }

    /// The task configs the connector returned.
    pub fn task_configs(&self) -> &[ConfigMap] {
        &self.task_configs
    }
    /// The task's recording context.
    pub fn context(&self) -> &RecordingTaskContext {
        &self.context
    }
    /// The connector's recording context.
    pub fn connector_context(&self) -> &RecordingConnectorContext {
        &self.connector_context
    }

    /// Assigns partitions (`open`).
    pub fn open(&mut self, partitions: &[(&str, i32)]) -> Result<(), ConnectError> {
        let tps: Vec<TopicPartition> = partitions
            .iter()
            .map(|(t, p)| TopicPartition::new(t, *p))
            .collect();
        ok(self.task()?.open(RSlice::from_slice(&tps)))?;
        for tp in tps {
            if !self.assigned.contains(&tp) {
                self.assigned.push(tp);
            }
        }
        Ok(())
    }

    /// One `put` of `batch`, as is: an error is returned (RETRIABLE included). Offsets of an
    /// accepted batch become committable.
    pub fn put_once(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        ok(self.task()?.put(batch))?;
        self.consumed_up_to(batch, batch.len());
        Ok(())
    }

    fn consumed_up_to(&mut self, batch: &RecordBatch, end: usize) {
        for r in batch.iter().take(end) {
            let next = self
                .consumed
                .entry((r.topic().to_owned(), r.partition()))
                .or_insert(0);
            *next = (*next).max(r.offset() + 1);
        }
    }

    /// Puts `batch` as the host does: RETRIABLE → the same batch again (up to 100 times, no
    /// back-off); INVALID_RECORD(i) → record `i` is recorded as errant (see
    /// [`RecordingTaskContext::errant`]) and the records after it are put; any other error is
    /// returned.
    pub fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        let mut current = batch.clone();
        let mut attempts = 0;
        loop {
            match ok(self.task()?.put(&current)) {
                Ok(()) => {
                    self.consumed_up_to(&current, current.len());
                    return Ok(());
                }
                Err(e) if e.kind == ErrorKind::RETRIABLE && attempts < 100 => {
                    attempts += 1;
                    self.retriable += 1;
                }
                Err(e) if e.kind == ErrorKind::INVALID_RECORD => {
                    let idx = e.record.unwrap_or(0) as usize;
                    let Some(r) = current.get(idx) else {
                        return Err(e);
                    };
                    self.context.push_errant(Errant {
                        topic: r.topic().to_owned(),
                        partition: r.partition(),
                        offset: r.offset(),
                        kind: e.kind,
                        message: e.message.clone(),
                    });
                    self.consumed_up_to(&current, idx + 1);
                    current = rest_of(&current, idx);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// RETRIABLE answers seen by [`SinkHarness::put`] so far.
    pub fn retriable_count(&self) -> usize {
        self.retriable
    }

    /// `pre_commit` with the offsets after the last record put per assigned partition; the
    /// answer is what the host would commit (it is kept: [`SinkHarness::committed`]).
    pub fn commit(&mut self) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        let offsets: Vec<TopicPartitionOffset> = self
            .consumed
            .iter()
            .map(|((t, p), o)| TopicPartitionOffset::new(t, *p, *o))
            .collect();
        if offsets.is_empty() {
            return Ok(Vec::new());
        }
        let answer: Vec<TopicPartitionOffset> =
            ok(self.task()?.pre_commit(RSlice::from_slice(&offsets)))?
                .into_iter()
                .collect();
        for o in &answer {
            self.committed
                .insert((o.topic.to_string(), o.partition), o.offset);
        }
        Ok(answer)
    }

    /// The last committed offset per partition.
    pub fn committed(&self) -> Vec<TopicPartitionOffset> {
        self.committed
            .iter()
            .map(|((t, p), o)| TopicPartitionOffset::new(t, *p, *o))
            .collect()
    }

    /// Revokes partitions: commit, then `close` (a rebalance).
    pub fn close(&mut self, partitions: &[(&str, i32)]) -> Result<(), ConnectError> {
        self.commit()?;
        let tps: Vec<TopicPartition> = partitions
            .iter()
            .map(|(t, p)| TopicPartition::new(t, *p))
            .collect();
        ok(self.task()?.close(RSlice::from_slice(&tps)))?;
        self.assigned.retain(|tp| !tps.contains(tp));
        self.consumed.retain(|(t, p), _| {
            !tps.iter()
                .any(|tp| tp.topic.as_str() == t && tp.partition == *p)
        });
        Ok(())
    }

    /// The graceful stop: commit → close(all) → stop the task → stop the connector. Every step
    /// runs; the first error is returned.
    pub fn stop(&mut self) -> Result<(), ConnectError> {
        let mut first: Option<ConnectError> = None;
        let mut keep = |r: Result<(), ConnectError>| {
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        };
        if self.task.is_some() {
            keep(self.commit().map(drop));
            let all = std::mem::take(&mut self.assigned);
            if let Some(t) = self.task.as_mut() {
                keep(ok(t.close(RSlice::from_slice(&all))));
                keep(ok(t.stop()));
            }
            self.task = None;
        }
        if let Some(mut c) = self.connector.take() {
            keep(ok(c.stop()));
        }
        first.map_or(Ok(()), Err)
    }
}

impl<C> Drop for SinkHarness<C> {
    fn drop(&mut self) {
        if let Some(mut t) = self.task.take() {
            let _ = t.stop();
        }
        if let Some(mut c) = self.connector.take() {
            let _ = c.stop();
        }
    }
}

/// Drives one task of source connector `C` as the host does: factory → validate →
/// start_connector → task_configs → start_source_task → poll → (produce) → commit_records →
/// store the source offsets → commit … → stop task → stop connector. Produced records get
/// partition 0 and consecutive offsets per topic.
pub struct SourceHarness<C> {
    connector: Option<ConnectorBox>,
    task: Option<SourceTaskBox>,
    task_configs: Vec<ConfigMap>,
    context: RecordingTaskContext,
    connector_context: RecordingConnectorContext,
    sequence: u64,
    next_offset: BTreeMap<String, i64>,
    _class: PhantomData<fn() -> C>,
}

impl<C: SourceConnector> SourceHarness<C> {
    /// Starts the connector with `config` (one task) and its first task, with no stored offsets.
    pub fn new(config: ConfigMap) -> Result<Self, ConnectError> {
        Self::with_context(config, 1, RecordingTaskContext::new())
    }

    /// As [`SourceHarness::new`], with `context` (preload stored offsets with
    /// [`RecordingTaskContext::with_source_offset`]) and `max_tasks`.
    pub fn with_context(
        config: ConfigMap,
        max_tasks: usize,
        context: RecordingTaskContext,
    ) -> Result<Self, ConnectError> {
        let factory = source_factory::<C>();
        let connector_context = RecordingConnectorContext::new();
        let (mut connector, task_configs) =
            start_connector(&factory, &config, max_tasks, &connector_context)?;
        let Some(first) = task_configs.first() else {
            let _ = connector.stop();
            return Err(ConnectError::config(
                "the connector returned no task configs",
            ));
        };
        let task = match ok(factory.start_source_task(entries(first).as_rslice(), context.abi())) {
            Ok(t) => t,
            Err(e) => {
                let _ = connector.stop();
                return Err(e);
            }
        };
        Ok(Self {
            connector: Some(connector),
            task: Some(task),
            task_configs,
            context,
            connector_context,
            sequence: 0,
            next_offset: BTreeMap::new(),
            _class: PhantomData,
        })
    }

    fn task(&mut self) -> Result<&mut SourceTaskBox, ConnectError> {
        self.task
            .as_mut()
            .ok_or_else(|| ConnectError::fatal("the task was stopped"))
    }

    /// The task configs the connector returned.
    pub fn task_configs(&self) -> &[ConfigMap] {
        &self.task_configs
    }
    /// The task's recording context (stored offsets included).
    pub fn context(&self) -> &RecordingTaskContext {
        &self.context
    }
    /// The connector's recording context.
    pub fn connector_context(&self) -> &RecordingConnectorContext {
        &self.connector_context
    }

    /// One `poll`, nothing acknowledged.
    pub fn poll_once(&mut self) -> Result<SourceBatch, ConnectError> {
        let mut out = SourceBatch::new();
        ok(self.task()?.poll(&mut out))?;
        Ok(out)
    }

    /// One host round: `poll`, "produce" every record, `commit_records`, store each source
    /// partition's last offset, `commit`. Returns the polled batch.
    pub fn poll(&mut self) -> Result<SourceBatch, ConnectError> {
        let out = self.poll_once()?;
        self.acknowledge(&out)?;
        Ok(out)
    }

    /// Polls until at least `n` records arrived or `max_polls` polls were made; returns every
    /// polled record's value as text (lossy), in order.
    pub fn poll_values(&mut self, n: usize, max_polls: usize) -> Result<Vec<String>, ConnectError> {
        let mut values = Vec::new();
        for _ in 0..max_polls {
            let out = self.poll()?;
            values.extend(
                out.batch
                    .iter()
                    .map(|r| String::from_utf8_lossy(r.value().bytes).into_owned()),
            );
            if values.len() >= n {
                break;
            }
        }
        Ok(values)
    }

    /// Acknowledges a polled batch as written: `commit_records`, offsets stored, `commit`.
    pub fn acknowledge(&mut self, out: &SourceBatch) -> Result<(), ConnectError> {
        if out.is_empty() {
            return Ok(());
        }
        let written: Vec<WrittenRecord> = out
            .batch
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let next = self.next_offset.entry(r.topic().to_owned()).or_insert(0);
                let offset = *next;
                *next += 1;
                WrittenRecord {
                    index: i as u32,
                    partition: r.partition().max(0),
                    offset,
                }
            })
            .collect();
        let sequence = self.sequence;
        self.sequence += 1;
        ok(self
            .task()?
            .commit_records(sequence, RSlice::from_slice(&written)))?;
        for i in 0..out.len() {
            if let (Some(p), Some(o)) = out.position(i) {
                self.context.set_source_offset(p, o);
            }
        }
        ok(self.task()?.commit())
    }

    /// The stored offset of a source partition.
    pub fn stored_offset(&self, partition: &serde_json::Value) -> Option<serde_json::Value> {
        self.context.source_offset(partition)
    }

    /// Stops the task, then the connector; the first error is returned.
    pub fn stop(&mut self) -> Result<(), ConnectError> {
        let task = self.task.take().map(|mut t| ok(t.stop()));
        let conn = self.connector.take().map(|mut c| ok(c.stop()));
        task.unwrap_or(Ok(()))?;
        conn.unwrap_or(Ok(()))
    }
}

impl<C> Drop for SourceHarness<C> {
    fn drop(&mut self) {
        if let Some(mut t) = self.task.take() {
            let _ = t.stop();
        }
        if let Some(mut c) = self.connector.take() {
            let _ = c.stop();
        }
    }
}
