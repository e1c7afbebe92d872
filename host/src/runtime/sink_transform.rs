//! The transformation step of a sink task: after the converters, before `put` (Kafka's
//! `WorkerSinkTask.convertAndTransformRecord`). A consumed record is decoded once, runs through
//! the connector's chain, and is encoded into the batch the plugin receives; a record the chain
//! drops is not put but still counts as consumed, so its offset is committed with the batch.
//!
//! A router may rename the record's topic; the plugin sees the new name. The original topic is
//! kept per record of the current batch, so an errant record the plugin reports (or an
//! `INVALID_RECORD` answer) is re-read from the topic it was consumed from.
//!
//! A chain with a plugin stage works batch-wise: consumed records wait decoded ([`Pending`],
//! with their original bytes for error handling) until the poll ends, then go through the chain
//! together ([`SinkTransforms::apply_pending`]) and into the batch.

use std::collections::HashMap;

use connect_data::convert::Converted;
use connect_data::transforms::chain::{Chain, ChainFailure};
use connect_data::transforms::codec::Codec;
use connect_data::transforms::data::Datum;
use connect_data::transforms::record::{Header, TransformRecord};
use connect_data::transforms::schemas::SchemaCache;
use connect_plugin_api::abi::types::{DataKind, DataMeta, RecordBatch, RecordMeta, TimestampType};
use connect_plugin_api::batch::checked_span;
use rdkafka::{Message, Timestamp, message::BorrowedMessage};

use super::convert;
use super::record_codec::RecordCodec;
use super::transform_chain::StepError;

/// A consumed record after the converters: key and value (in the arena), and headers.
pub struct ConvertedRecord {
    /// The key.
    pub key: Converted,
    /// The value.
    pub value: Converted,
    /// The headers, as the header converter read them.
    pub headers: Vec<Header>,
}

/// Where a consumed record came from: what the plugin is told and commits by.
#[derive(Debug, Clone)]
pub struct Consumed {
    /// The topic it was consumed from.
    pub topic: String,
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// Its timestamp's type.
    pub timestamp_type: TimestampType,
}

impl Consumed {
    /// The position of `msg`.
    pub fn of(msg: &BorrowedMessage<'_>) -> Consumed {
        Consumed {
            topic: msg.topic().to_owned(),
            partition: msg.partition(),
            offset: msg.offset(),
            timestamp_type: match msg.timestamp() {
                Timestamp::LogAppendTime(_) => TimestampType::LOG_APPEND_TIME,
                _ => TimestampType::CREATE_TIME,
            },
        }
    }
}

/// A consumed record waiting for a batch-wise chain: decoded, with its original bytes (the
/// dead-letter queue and the error log get those if the chain fails it).
pub struct Pending {
    /// Where it came from.
    pub consumed: Consumed,
    /// Its decoded form.
    pub record: TransformRecord,
    /// The original key.
    pub key: Option<Vec<u8>>,
    /// The original value.
    pub value: Option<Vec<u8>>,
    /// The original headers.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// A waiting record after the chain: it, and what the chain did with it.
pub type PendingOutcome = (Pending, Result<Outcome, StepError>);

/// What the chain did with one record.
pub enum Outcome {
    /// Transformed and appended to the batch.
    Pushed,
    /// Dropped by a transformation (e.g. `Filter`).
    Dropped,
}

/// A sink task's chain with its codec and caches.
pub struct SinkTransforms {
    chain: Chain,
    codec: Codec,
    schemas: SchemaCache,
    /// Encodes header values for the plugin.
    headers: RecordCodec,
    /// `(topic after the chain, partition, offset)` → the topic it was consumed from, for the
    /// records of the current batch whose topic changed.
    renamed: HashMap<(String, i32, i64), String>,
}

impl SinkTransforms {
    /// The step for `chain`; `None` when the chain is empty (records then go to the batch as the
    /// converters wrote them, without being decoded).
    pub fn new(chain: Chain, decimal_numeric: bool) -> Option<SinkTransforms> {
        (!chain.is_empty()).then(|| SinkTransforms {
            chain,
            codec: Codec { decimal_numeric },
            schemas: SchemaCache::default(),
            headers: RecordCodec::new(decimal_numeric),
            renamed: HashMap::new(),
        })
    }

    /// Whether records wait for the whole poll ([`SinkTransforms::pend`] and
    /// [`SinkTransforms::apply_pending`]) instead of going through the chain one by one.
    pub fn is_batch_wise(&self) -> bool {
        self.chain.is_batch_wise()
    }

    /// `msg` decoded (its key and value converted at `mark..` of `arena`, which is truncated
    /// back to `mark`), to wait for the end of the poll.
    pub fn pend(
        &mut self,
        arena: &mut Vec<u8>,
        mark: usize,
        msg: &BorrowedMessage<'_>,
        converted: ConvertedRecord,
        raw_headers: Vec<(String, Option<Vec<u8>>)>,
    ) -> Result<Pending, String> {
        let record = self.decode(arena, msg, converted);
        arena.truncate(mark);
        Ok(Pending {
            consumed: Consumed::of(msg),
            record: record?,
            key: msg.key().map(<[u8]>::to_vec),
            value: msg.payload().map(<[u8]>::to_vec),
            headers: raw_headers,
        })
    }

    /// Runs the chain on the waiting records and appends the results to `batch`; one outcome
    /// per record, in order, with the record's position and original bytes. `Err` when a
    /// plugin stage cannot go on.
    pub fn apply_pending(
        &mut self,
        batch: &mut RecordBatch,
        pending: Vec<Pending>,
    ) -> Result<Vec<PendingOutcome>, ChainFailure> {
        if batch.is_empty() {
            self.start_batch();
        }
        let (records, kept): (Vec<TransformRecord>, Vec<Pending>) = pending
            .into_iter()
            .map(|mut p| {
                let r = std::mem::replace(
                    &mut p.record,
                    TransformRecord {
                        topic: String::new(),
                        partition: None,
                        offset: None,
                        key: Datum::NULL,
                        value: Datum::NULL,
                        timestamp: None,
                        headers: Vec::new(),
                    },
                );
                (r, p)
            })
            .unzip();
        let outcomes = self.chain.apply_batch(records)?;
        let mut out = Vec::with_capacity(kept.len());
        for (p, outcome) in kept.into_iter().zip(outcomes) {
            let result = match outcome {
                Ok(None) => Ok(Outcome::Dropped),
                Err(e) => Err(StepError::Stage(e)),
                Ok(Some(r)) => self.push(batch, &p.consumed, &r),
            };
            out.push((p, result));
        }
        Ok(out)
    }

    /// Encodes `out` (the chain's result for the record consumed at `at`) into `batch`.
    fn push(
        &mut self,
        batch: &mut RecordBatch,
        at: &Consumed,
        out: &TransformRecord,
    ) -> Result<Outcome, StepError> {
        if out.topic != at.topic {
            self.renamed.insert(
                (out.topic.clone(), at.partition, at.offset),
                at.topic.clone(),
            );
        }
        let mut arena = std::mem::take(&mut batch.arena).into_vec();
        let mark = arena.len();
        let header_mark = batch.headers.len();
        let meta = self.encode(batch, &mut arena, at, out);
        let result = match meta {
            Ok(meta) => batch
                .push_meta(meta)
                .map(|()| Outcome::Pushed)
                .map_err(|e| StepError::Batch(e.to_string())),
            Err(e) => {
                arena.truncate(mark);
                batch.headers.truncate(header_mark);
                Err(StepError::Batch(e))
            }
        };
        batch.arena = arena.into();
        result
    }

    /// A new batch starts: forget the previous batch's renames.
    pub fn start_batch(&mut self) {
        self.renamed.clear();
    }

    /// The topic the record the plugin knows as `topic`/`partition`/`offset` was consumed from.
    pub fn original_topic<'a>(&'a self, topic: &'a str, partition: i32, offset: i64) -> &'a str {
        self.renamed
            .get(&(topic.to_owned(), partition, offset))
            .map_or(topic, String::as_str)
    }

    /// Runs the chain on `msg`, whose key and value the converters wrote at `mark..` of `arena`
    /// (the batch's arena, taken out), and appends the result to `batch`.
    pub fn apply(
        &mut self,
        batch: &mut RecordBatch,
        arena: &mut Vec<u8>,
        mark: usize,
        msg: &BorrowedMessage<'_>,
        converted: ConvertedRecord,
    ) -> Result<Outcome, StepError> {
        let record = self
            .decode(arena, msg, converted)
            .map_err(StepError::Batch)?;
        arena.truncate(mark);
        let Some(out) = self.chain.apply(record).map_err(StepError::Stage)? else {
            return Ok(Outcome::Dropped);
        };
        if out.topic != msg.topic() {
            self.renamed.insert(
                (out.topic.clone(), msg.partition(), msg.offset()),
                msg.topic().to_owned(),
            );
        }
        let header_mark = batch.headers.len();
        let meta = self.encode(batch, arena, &Consumed::of(msg), &out);
        match meta {
            Ok(meta) => batch
                .push_meta(meta)
                .map(|()| Outcome::Pushed)
                .map_err(|e| StepError::Batch(e.to_string())),
            Err(e) => {
                arena.truncate(mark);
                batch.headers.truncate(header_mark);
                Err(StepError::Batch(e))
            }
        }
    }

    fn datum(&mut self, arena: &[u8], c: &Converted) -> Result<Datum, String> {
        let schema = match &c.schema {
            Some(text) => Some(self.schemas.parse(text)?),
            None => None,
        };
        self.codec.decode(c.kind, c.bytes(arena), schema)
    }

    /// The record the chain works on; `headers` are what the header converter made of the
    /// consumed record's headers.
    fn decode(
        &mut self,
        arena: &[u8],
        msg: &BorrowedMessage<'_>,
        ConvertedRecord {
            key,
            value,
            headers,
        }: ConvertedRecord,
    ) -> Result<TransformRecord, String> {
        Ok(TransformRecord {
            topic: msg.topic().to_owned(),
            partition: Some(msg.partition()),
            offset: Some(msg.offset()),
            key: self.datum(arena, &key)?,
            value: self.datum(arena, &value)?,
            timestamp: match msg.timestamp() {
                Timestamp::CreateTime(t) | Timestamp::LogAppendTime(t) => Some(t),
                Timestamp::NotAvailable => None,
            },
            headers,
        })
    }

    fn data_meta(
        &mut self,
        batch: &mut RecordBatch,
        arena: &mut Vec<u8>,
        datum: &Datum,
    ) -> Result<DataMeta, String> {
        let start = arena.len();
        let kind = self.codec.encode(datum, arena)?;
        let schema = match &datum.schema {
            Some(s) => {
                let text = self.schemas.text(s);
                batch.intern_schema(&text).map_err(|e| e.to_string())?
            }
            None => DataMeta::NO_SCHEMA,
        };
        Ok(DataMeta {
            kind: match kind {
                convert::DataKind::Null => DataKind::NULL,
                convert::DataKind::Bytes => DataKind::BYTES,
                convert::DataKind::String => DataKind::STRING,
                convert::DataKind::Json => DataKind::JSON,
            },
            span: checked_span(start, arena.len() - start).map_err(|e| e.to_string())?,
            schema,
        })
    }

    fn encode(
        &mut self,
        batch: &mut RecordBatch,
        arena: &mut Vec<u8>,
        at: &Consumed,
        out: &TransformRecord,
    ) -> Result<RecordMeta, String> {
        // Each header value as its header converter (and the chain) left it.
        let headers = self.headers.push_headers(batch, arena, &out.headers)?;
        let key = self.data_meta(batch, arena, &out.key)?;
        let value = self.data_meta(batch, arena, &out.value)?;
        let (timestamp, timestamp_type) = match out.timestamp {
            Some(t) => (t, at.timestamp_type),
            None => (-1, TimestampType::NONE),
        };
        Ok(RecordMeta {
            topic: batch.intern_topic(&out.topic).map_err(|e| e.to_string())?,
            partition: out.partition.unwrap_or(at.partition),
            // The plugin reports and commits by the consumed offset, as Kafka's SinkRecord
            // keeps `kafkaOffset` through every transformation.
            offset: at.offset,
            timestamp,
            timestamp_type,
            key,
            value,
            headers,
        })
    }
}
