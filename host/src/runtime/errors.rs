//! Error handling for records (Kafka Connect's `errors.*` keys): tolerance, logging, and the
//! dead-letter queue, plus how a plugin error turns into a task failure.
//!
//! A conversion failure or a record the plugin reports as invalid is tolerable: with
//! `errors.tolerance=none` it fails the task ("Tolerance exceeded in error handler"); with `all`
//! the record is skipped, logged if `errors.log.enable`, and written with its original bytes to
//! the dead-letter queue when one is set. Nothing else in the batch is lost either way.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_plugin_api::abi::error::PluginError;
use rdkafka::{
    ClientConfig, ClientContext,
    message::{Header, OwnedHeaders},
    producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer},
};

use super::metrics::{ConnectMetrics, TaskMetrics};
use crate::config::connector::{ErrorHandling, ErrorTolerance};

/// Where in the pipeline an error happened (Kafka Connect's `Stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Converting the key.
    KeyConverter,
    /// Converting the value.
    ValueConverter,
    /// Converting headers.
    HeaderConverter,
    /// A transformation or predicate of `transforms`.
    Transformation,
    /// The sink task's `put`.
    TaskPut,
    /// The source task's `poll`.
    TaskPoll,
    /// Producing to Kafka.
    KafkaProduce,
}

impl Stage {
    /// Kafka Connect's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::Transformation => "TRANSFORMATION",
            Stage::TaskPut => "TASK_PUT",
            Stage::TaskPoll => "TASK_POLL",
            Stage::KafkaProduce => "KAFKA_PRODUCE",
        }
    }
}

/// A record of a topic: where a task failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPosition {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
}

impl std::fmt::Display for RecordPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "topic '{}', partition {}, offset {}",
            self.topic, self.partition, self.offset
        )
    }
}

/// Why a task stopped for good: its message and trace become the FAILED status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// One line.
    pub message: String,
    /// The full trace shown by `GET …/status`.
    pub trace: String,
    /// The record the task failed on, when the failure is about one: a failure at the same
    /// record after every restart is deterministic, and the restarter gives up on it.
    pub record: Option<RecordPosition>,
}

impl TaskFailure {
    /// A failure with a trace built from the message and detail.
    pub fn new(message: impl Into<String>, detail: impl AsRef<str>) -> Self {
        let message = message.into();
        let detail = detail.as_ref();
        let trace = if detail.is_empty() {
            message.clone()
        } else {
            format!("{message}\n{detail}")
        };
        Self {
            message,
            trace,
            record: None,
        }
    }

    /// The same failure, known to be about the record at `topic`/`partition`/`offset`.
    pub fn at(mut self, topic: &str, partition: i32, offset: i64) -> Self {
        self.record = Some(RecordPosition {
            topic: topic.to_owned(),
            partition,
            offset,
        });
        self
    }

    /// The failure a non-retriable plugin error causes.
    pub fn from_plugin(call: &str, e: &PluginError) -> Self {
        Self::new(
            format!(
                "{} error from the plugin in {call}: {}",
                e.kind.name(),
                e.message
            ),
            e.trace.as_str(),
        )
    }
}

/// The original record an error is about.
#[derive(Debug, Clone, Copy)]
pub struct ErrantRecord<'a> {
    /// Topic.
    pub topic: &'a str,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Original key bytes.
    pub key: Option<&'a [u8]>,
    /// Original value bytes.
    pub value: Option<&'a [u8]>,
    /// Original headers.
    pub headers: &'a [(String, Option<Vec<u8>>)],
}

/// Remembers the first dead-letter write the broker refused since the last flush: a flush that
/// only waited for the queue to drain would let the offsets of a lost record be committed.
#[derive(Default)]
struct DlqContext {
    failed: Mutex<Option<String>>,
    /// Counts refused writes (`deadletterqueue-produce-failures`).
    metrics: Option<Arc<TaskMetrics>>,
}

impl ClientContext for DlqContext {}

impl ProducerContext for DlqContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            if let Some(m) = &self.metrics {
                m.dlq_failed();
            }
            self.failed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert_with(|| e.to_string());
        }
    }
}

/// Applies a connector's `errors.*` settings for one task.
pub struct ErrorReporter {
    settings: ErrorHandling,
    connector: String,
    task: u32,
    dlq: Option<(String, ThreadedProducer<DlqContext>)>,
    /// Errors tolerated so far (a metric).
    pub tolerated: u64,
    /// The task's task-error metrics (none outside a task the worker runs).
    metrics: Option<Arc<TaskMetrics>>,
}

impl ErrorReporter {
    /// Builds the reporter; creates the DLQ producer when a DLQ topic is set.
    pub fn new(
        settings: ErrorHandling,
        connector: &str,
        task: u32,
        producer_props: &ClientConfig,
    ) -> Result<Self, TaskFailure> {
        let metrics = ConnectMetrics::global().task(connector, task);
        let dlq = match &settings.dead_letter_queue {
            Some(d) if !d.topic.is_empty() => {
                let mut cfg = producer_props.clone();
                cfg.set(
                    "client.id",
                    format!("connector-dlq-producer-{connector}-{task}"),
                );
                let p: ThreadedProducer<DlqContext> = cfg
                    .create_with_context(DlqContext {
                        failed: Mutex::default(),
                        metrics: metrics.clone(),
                    })
                    .map_err(|e| {
                        TaskFailure::new(
                            format!("cannot create the dead-letter queue producer: {e}"),
                            "",
                        )
                    })?;
                Some((d.topic.clone(), p))
            }
            _ => None,
        };
        Ok(Self {
            settings,
            connector: connector.to_owned(),
            task,
            dlq,
            tolerated: 0,
            metrics,
        })
    }

    /// Whether reported records go to a dead-letter queue topic.
    pub fn sends_to_dead_letter_queue(&self) -> bool {
        self.dlq.is_some()
    }

    /// Whether errors are tolerated (`errors.tolerance=all`).
    pub fn tolerates(&self) -> bool {
        self.settings.tolerance == ErrorTolerance::All
    }

    /// Handles one failed record: `Ok` means skip it and go on; `Err` fails the task.
    pub fn report(
        &mut self,
        stage: Stage,
        record: &ErrantRecord<'_>,
        error: &str,
    ) -> Result<(), TaskFailure> {
        // The message may quote a secret of the configuration (a plugin's report, say): it goes
        // to the log, a trace and a dead-letter header, so it is hidden first.
        let error = &*super::secrets::redact(error);
        if self.settings.log_enable {
            if self.settings.log_include_messages {
                tracing::error!(
                    connector = %self.connector, task = self.task, stage = stage.as_str(), topic = record.topic,
                    partition = record.partition, offset = record.offset,
                    key = %String::from_utf8_lossy(record.key.unwrap_or(b"")), value = %String::from_utf8_lossy(record.value.unwrap_or(b"")),
                    "error processing record: {error}"
                );
            } else {
                tracing::error!(
                    connector = %self.connector, task = self.task, stage = stage.as_str(), topic = record.topic,
                    partition = record.partition, offset = record.offset, "error processing record: {error}"
                );
            }
        }
        if let Some(m) = &self.metrics {
            m.record_error(self.settings.log_enable, self.tolerates());
        }
        if !self.tolerates() {
            let failure = TaskFailure::new(
                "Tolerance exceeded in error handler",
                format!(
                    "stage {} on {}-{}@{}: {error}",
                    stage.as_str(),
                    record.topic,
                    record.partition,
                    record.offset
                ),
            );
            // Source records have no Kafka offset yet (-1): nothing to pin the failure on.
            return Err(if record.offset >= 0 {
                failure.at(record.topic, record.partition, record.offset)
            } else {
                failure
            });
        }
        self.tolerated += 1;
        if let Some((topic, producer)) = &self.dlq {
            let mut headers = OwnedHeaders::new();
            for (k, v) in record.headers {
                headers = headers.insert(Header {
                    key: k,
                    value: v.as_deref(),
                });
            }
            if self
                .settings
                .dead_letter_queue
                .as_ref()
                .is_some_and(|d| d.context_headers)
            {
                let partition = record.partition.to_string();
                let offset = record.offset.to_string();
                let task = self.task.to_string();
                let context: [(&str, &str); 7] = [
                    ("__connect.errors.topic", record.topic),
                    ("__connect.errors.partition", &partition),
                    ("__connect.errors.offset", &offset),
                    ("__connect.errors.connector.name", &self.connector),
                    ("__connect.errors.task.id", &task),
                    ("__connect.errors.stage", stage.as_str()),
                    ("__connect.errors.exception.message", error),
                ];
                for (k, v) in context {
                    headers = headers.insert(Header {
                        key: k,
                        value: Some(v.as_bytes()),
                    });
                }
            }
            let mut rec: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic).headers(headers);
            if let Some(k) = record.key {
                rec = rec.key(k);
            }
            if let Some(v) = record.value {
                rec = rec.payload(v);
            }
            let sent = producer.send(rec);
            if let Some(m) = &self.metrics {
                m.dlq_produce(sent.is_err());
            }
            sent.map_err(|(e, _)| {
                TaskFailure::new(
                    format!("cannot write to the dead-letter queue {topic}: {e}"),
                    "",
                )
            })?;
        }
        Ok(())
    }

    /// Waits until every dead-letter record is acknowledged (before offsets are committed, so a
    /// skipped record is never lost).
    pub fn flush(&self, timeout: Duration) -> Result<(), TaskFailure> {
        if let Some((topic, p)) = &self.dlq {
            p.flush(timeout).map_err(|e| {
                TaskFailure::new(
                    format!("dead-letter queue {topic} did not acknowledge in time: {e}"),
                    "",
                )
            })?;
            let failed = p
                .context()
                .failed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if let Some(e) = failed {
                // The task fails before the offsets of the lost record are committed, so it is
                // read and reported again after the restart.
                return Err(TaskFailure::new(
                    format!("Kafka refused a record for the dead-letter queue {topic}: {e}"),
                    "check that the topic exists (or that auto.create.topics.enable is on) and that the worker may write to it (errors.deadletterqueue.topic.name)",
                ));
            }
        }
        Ok(())
    }
}
