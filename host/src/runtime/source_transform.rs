//! The transformation step of a source task: after `poll`, before the converters (Kafka's
//! `WorkerSourceTask` applies the chain to each `SourceRecord` before converting it). A record
//! the chain drops is not produced, but its source offset is still committed with its poll, as
//! Kafka commits the offsets of filtered records.

use std::sync::Arc;

use connect_data::convert::simple_header::SimpleHeaderConverter;
use connect_data::convert::{ConnectDataRef, DataKind as ConvertKind};
use connect_data::transforms::chain::Chain;
use connect_data::transforms::codec::Codec;
use connect_data::transforms::data::Datum;
use connect_data::transforms::record::{Header, TransformRecord};
use connect_data::transforms::schemas::SchemaCache;
use connect_plugin_api::abi::types::DataKind;
use connect_plugin_api::batch::{DataView, RecordView};

use super::transform_chain::StepError;

/// A key or value after the chain, in the converters' input form.
pub struct Encoded {
    kind: ConvertKind,
    bytes: Vec<u8>,
    schema: Option<Arc<str>>,
}

impl Encoded {
    /// What a converter's `from_connect` takes.
    pub fn as_ref(&self) -> ConnectDataRef<'_> {
        ConnectDataRef {
            kind: self.kind,
            bytes: &self.bytes,
            schema: self.schema.as_deref(),
        }
    }
}

/// A polled record after the chain, ready for the converters and the producer.
pub struct Transformed {
    /// The topic to produce to.
    pub topic: String,
    /// The partition (-1: the producer's partitioner).
    pub partition: i32,
    /// The record's timestamp.
    pub timestamp: Option<i64>,
    /// The key.
    pub key: Encoded,
    /// The value.
    pub value: Encoded,
    /// The headers as bytes (`None`: a null header value).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// A source task's chain with its codec and caches.
pub struct SourceTransforms {
    chain: Chain,
    codec: Codec,
    schemas: SchemaCache,
}

fn convert_kind(kind: DataKind) -> ConvertKind {
    match kind {
        DataKind::NULL => ConvertKind::Null,
        DataKind::BYTES => ConvertKind::Bytes,
        DataKind::STRING => ConvertKind::String,
        _ => ConvertKind::Json,
    }
}

impl SourceTransforms {
    /// The step for `chain`; `None` when it is empty.
    pub fn new(chain: Chain, decimal_numeric: bool) -> Option<SourceTransforms> {
        (!chain.is_empty()).then(|| SourceTransforms {
            chain,
            codec: Codec { decimal_numeric },
            schemas: SchemaCache::default(),
        })
    }

    fn datum(&mut self, data: &DataView<'_>) -> Result<Datum, String> {
        let schema = match data.schema {
            Some(text) => Some(self.schemas.parse(&Arc::from(text))?),
            None => None,
        };
        self.codec
            .decode(convert_kind(data.kind), data.bytes, schema)
    }

    fn encode(&mut self, datum: &Datum) -> Result<Encoded, String> {
        let mut bytes = Vec::new();
        let kind = self.codec.encode(datum, &mut bytes)?;
        Ok(Encoded {
            kind,
            bytes,
            schema: datum.schema.as_ref().map(|s| self.schemas.text(s)),
        })
    }

    /// Runs the chain on polled record `r`; `Ok(None)` when a stage dropped it.
    pub fn apply(&mut self, r: &RecordView<'_>) -> Result<Option<Transformed>, StepError> {
        let headers = r
            .headers()
            .map(|(k, v)| {
                Ok(Header {
                    key: k.to_owned(),
                    value: self.datum(&v)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(StepError::Batch)?;
        let record = TransformRecord {
            topic: r.topic().to_owned(),
            partition: (r.partition() >= 0).then(|| r.partition()),
            offset: None,
            key: self.datum(&r.key()).map_err(StepError::Batch)?,
            value: self.datum(&r.value()).map_err(StepError::Batch)?,
            timestamp: r.timestamp(),
            headers,
        };
        let Some(out) = self.chain.apply(record).map_err(StepError::Stage)? else {
            return Ok(None);
        };
        // Kafka's default header converter writes them.
        let headers = out
            .headers
            .iter()
            .map(|h| {
                SimpleHeaderConverter
                    .from_connect_header(&out.topic, &h.key, &h.value)
                    .map(|bytes| (h.key.clone(), bytes))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(StepError::Batch)?;
        Ok(Some(Transformed {
            key: self.encode(&out.key).map_err(StepError::Batch)?,
            value: self.encode(&out.value).map_err(StepError::Batch)?,
            topic: out.topic,
            partition: out.partition.unwrap_or(-1),
            timestamp: out.timestamp,
            headers,
        }))
    }
}
