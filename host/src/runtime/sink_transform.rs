//! The transformation step of a sink task: after the converters, before `put` (Kafka's
//! `WorkerSinkTask.convertAndTransformRecord`). A consumed record is decoded once, runs through
//! the connector's chain, and is encoded into the batch the plugin receives; a record the chain
//! drops is not put but still counts as consumed, so its offset is committed with the batch.
//!
//! A router may rename the record's topic; the plugin sees the new name. The original topic is
//! kept per record of the current batch, so an errant record the plugin reports (or an
//! `INVALID_RECORD` answer) is re-read from the topic it was consumed from.

use std::collections::HashMap;

use connect_data::convert::Converted;
use connect_data::convert::simple_header::SimpleHeaderConverter;
use connect_data::transforms::chain::Chain;
use connect_data::transforms::codec::Codec;
use connect_data::transforms::data::Datum;
use connect_data::transforms::record::{Header, TransformRecord};
use connect_data::transforms::schemas::SchemaCache;
use connect_plugin_api::abi::types::{
    DataKind, DataMeta, HeaderMeta, RecordBatch, RecordMeta, TimestampType,
};
use connect_plugin_api::batch::checked_span;
use rdkafka::{
    Message, Timestamp,
    message::{BorrowedMessage, Headers},
};

use super::convert;
use super::transform_chain::StepError;

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
            renamed: HashMap::new(),
        })
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
        key: &Converted,
        value: &Converted,
    ) -> Result<Outcome, StepError> {
        let record = self
            .decode(arena, msg, key, value)
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
        let meta = self.encode(batch, arena, msg, &out);
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

    fn decode(
        &mut self,
        arena: &[u8],
        msg: &BorrowedMessage<'_>,
        key: &Converted,
        value: &Converted,
    ) -> Result<TransformRecord, String> {
        // Kafka's default header converter: what transformations and predicates see.
        let headers = msg
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| Header {
                        key: h.key.to_owned(),
                        value: SimpleHeaderConverter.to_connect_header(msg.topic(), h.key, h.value),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(TransformRecord {
            topic: msg.topic().to_owned(),
            partition: Some(msg.partition()),
            offset: Some(msg.offset()),
            key: self.datum(arena, key)?,
            value: self.datum(arena, value)?,
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
        msg: &BorrowedMessage<'_>,
        out: &TransformRecord,
    ) -> Result<RecordMeta, String> {
        let header_start = batch.headers.len();
        for h in &out.headers {
            let key = checked_span(arena.len(), h.key.len()).map_err(|e| e.to_string())?;
            arena.extend_from_slice(h.key.as_bytes());
            // Back to the header's bytes, as the plugin gets every header (untransformed too).
            let bytes = SimpleHeaderConverter
                .from_connect_header(&out.topic, &h.key, &h.value)
                .map_err(|e| e.to_string())?;
            let value = match bytes {
                None => DataMeta::NULL,
                Some(b) => {
                    let span = checked_span(arena.len(), b.len()).map_err(|e| e.to_string())?;
                    arena.extend_from_slice(&b);
                    DataMeta {
                        kind: if std::str::from_utf8(&b).is_ok() {
                            DataKind::STRING
                        } else {
                            DataKind::BYTES
                        },
                        span,
                        schema: DataMeta::NO_SCHEMA,
                    }
                }
            };
            batch.headers.push(HeaderMeta { key, value });
        }
        let headers = checked_span(header_start, out.headers.len()).map_err(|e| e.to_string())?;
        let key = self.data_meta(batch, arena, &out.key)?;
        let value = self.data_meta(batch, arena, &out.value)?;
        let original_type = match msg.timestamp() {
            Timestamp::CreateTime(_) => TimestampType::CREATE_TIME,
            Timestamp::LogAppendTime(_) => TimestampType::LOG_APPEND_TIME,
            Timestamp::NotAvailable => TimestampType::CREATE_TIME,
        };
        let (timestamp, timestamp_type) = match out.timestamp {
            Some(t) => (t, original_type),
            None => (-1, TimestampType::NONE),
        };
        Ok(RecordMeta {
            topic: batch.intern_topic(&out.topic).map_err(|e| e.to_string())?,
            partition: out.partition.unwrap_or(msg.partition()),
            // The plugin reports and commits by the consumed offset, as Kafka's SinkRecord
            // keeps `kafkaOffset` through every transformation.
            offset: msg.offset(),
            timestamp,
            timestamp_type,
            key,
            value,
            headers,
        })
    }
}
