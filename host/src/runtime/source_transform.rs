//! The transformation step of a source task: after `poll`, before the converters (Kafka's
//! `WorkerSourceTask` applies the chain to each `SourceRecord` before converting it). A record
//! the chain drops is not produced, but its source offset is still committed with its poll, as
//! Kafka commits the offsets of filtered records.

use std::sync::Arc;

use connect_data::convert::{ConnectDataRef, DataKind as ConvertKind};
use connect_data::transforms::chain::{Chain, ChainFailure};
use connect_data::transforms::data::Datum;
use connect_data::transforms::record::{Header, TransformRecord};
use connect_plugin_api::abi::types::RecordBatch;

use super::record_codec::{RecordCodec, convert_kind};
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
    /// The headers, for the header converter.
    pub headers: Vec<Header>,
}

/// A source task's chain with its codec and caches.
pub struct SourceTransforms {
    chain: Chain,
    codec: RecordCodec,
}

/// What the chain made of each record of a poll, in poll order.
pub type PollOutcome = Vec<Result<Option<Transformed>, StepError>>;

impl SourceTransforms {
    /// The step for `chain`; `None` when it is empty.
    pub fn new(chain: Chain, decimal_numeric: bool) -> Option<SourceTransforms> {
        (!chain.is_empty()).then(|| SourceTransforms {
            chain,
            codec: RecordCodec::new(decimal_numeric),
        })
    }

    fn encode(&mut self, datum: &Datum) -> Result<Encoded, String> {
        let e = self.codec.encode(datum)?;
        Ok(Encoded {
            kind: convert_kind(e.kind),
            bytes: e.bytes,
            schema: e.schema,
        })
    }

    /// Runs the chain on every record of a poll: one outcome per record (`Ok(None)`: a stage
    /// dropped it). `Err` when a plugin stage cannot go on.
    pub fn apply(&mut self, batch: &RecordBatch) -> Result<PollOutcome, ChainFailure> {
        let mut outcomes: Vec<Option<Result<Option<Transformed>, StepError>>> =
            batch.iter().map(|_| None).collect();
        let mut indices = Vec::with_capacity(batch.len());
        let mut records = Vec::with_capacity(batch.len());
        for (i, r) in batch.iter().enumerate() {
            match self.codec.decode(&r, None) {
                Ok(record) => {
                    indices.push(i);
                    records.push(record);
                }
                Err(m) => outcomes[i] = Some(Err(StepError::Batch(m))),
            }
        }
        let results: Vec<_> = if self.chain.is_batch_wise() {
            self.chain.apply_batch(records)?
        } else {
            records.into_iter().map(|r| self.chain.apply(r)).collect()
        };
        for (i, result) in indices.into_iter().zip(results) {
            outcomes[i] = Some(match result {
                Ok(Some(out)) => self.finish(out).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(StepError::Stage(e)),
            });
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Ok(None)))
            .collect())
    }

    /// A record after the chain, in the converters' input form.
    fn finish(&mut self, out: TransformRecord) -> Result<Transformed, StepError> {
        Ok(Transformed {
            key: self.encode(&out.key).map_err(StepError::Batch)?,
            value: self.encode(&out.value).map_err(StepError::Batch)?,
            topic: out.topic,
            partition: out.partition.unwrap_or(-1),
            timestamp: out.timestamp,
            headers: out.headers,
        })
    }
}
