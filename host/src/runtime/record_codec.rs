//! Records between their boundary form (a [`RecordBatch`] of kinds, bytes and schema texts) and
//! the decoded form transformations work on ([`TransformRecord`]): what a source poll gives the
//! chain, and what a plugin transformation or predicate is handed and hands back.
//!
//! Header values keep their Connect schemas both ways, so a record that goes through a plugin
//! stage comes back as it went in, apart from what the plugin changed.

use std::sync::Arc;

use connect_data::convert::DataKind as ConvertKind;
use connect_data::transforms::codec::Codec;
use connect_data::transforms::data::Datum;
use connect_data::transforms::record::{Header, TransformRecord};
use connect_data::transforms::schemas::SchemaCache;
use connect_plugin_api::abi::types::{
    DataKind, DataMeta, HeaderMeta, RecordBatch, Span, TimestampType,
};
use connect_plugin_api::batch::{Data, DataView, RecordPosition, RecordView, checked_span};

/// The codec with its schema cache (parsed schemas by text, and back).
pub struct RecordCodec {
    codec: Codec,
    schemas: SchemaCache,
}

/// The converters' kind of a boundary kind.
pub fn convert_kind(kind: DataKind) -> ConvertKind {
    match kind {
        DataKind::NULL => ConvertKind::Null,
        DataKind::BYTES => ConvertKind::Bytes,
        DataKind::STRING => ConvertKind::String,
        _ => ConvertKind::Json,
    }
}

/// The boundary kind of a converters' kind.
pub fn boundary_kind(kind: ConvertKind) -> DataKind {
    match kind {
        ConvertKind::Null => DataKind::NULL,
        ConvertKind::Bytes => DataKind::BYTES,
        ConvertKind::String => DataKind::STRING,
        ConvertKind::Json => DataKind::JSON,
    }
}

/// One key, value or header value in boundary form, owned.
pub struct EncodedData {
    /// Its kind.
    pub kind: DataKind,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its schema text.
    pub schema: Option<Arc<str>>,
}

impl EncodedData {
    /// The borrowed form a batch takes.
    pub fn as_data(&self) -> Data<'_> {
        Data {
            kind: self.kind,
            bytes: &self.bytes,
            schema: self.schema.as_deref(),
        }
    }
}

impl RecordCodec {
    /// A codec writing decimals as numbers when `decimal_numeric` (the value converter's
    /// `decimal.format=NUMERIC`).
    pub fn new(decimal_numeric: bool) -> RecordCodec {
        RecordCodec {
            codec: Codec { decimal_numeric },
            schemas: SchemaCache::default(),
        }
    }

    /// The datum of one key, value or header value.
    pub fn datum(&mut self, data: &DataView<'_>) -> Result<Datum, String> {
        let schema = match data.schema {
            Some(text) => Some(self.schemas.parse(&Arc::from(text))?),
            None => None,
        };
        self.codec
            .decode(convert_kind(data.kind), data.bytes, schema)
    }

    /// The boundary form of one datum.
    pub fn encode(&mut self, datum: &Datum) -> Result<EncodedData, String> {
        let mut bytes = Vec::new();
        let kind = self.codec.encode(datum, &mut bytes)?;
        Ok(EncodedData {
            kind: boundary_kind(kind),
            bytes,
            schema: datum.schema.as_ref().map(|s| self.schemas.text(s)),
        })
    }

    /// Appends `headers` to the batch's header table (keys and values into `arena`, the batch's
    /// arena taken out, schemas interned) and returns their range: each value in the form its
    /// header converter gave it (kind and Connect schema), as a sink plugin gets it.
    pub fn push_headers(
        &mut self,
        batch: &mut RecordBatch,
        arena: &mut Vec<u8>,
        headers: &[Header],
    ) -> Result<Span, String> {
        let start = batch.headers.len();
        for h in headers {
            let key = checked_span(arena.len(), h.key.len()).map_err(|e| e.to_string())?;
            arena.extend_from_slice(h.key.as_bytes());
            let e = self.encode(&h.value)?;
            let schema = match &e.schema {
                Some(text) => batch.intern_schema(text).map_err(|e| e.to_string())?,
                None => DataMeta::NO_SCHEMA,
            };
            let value = if e.kind == DataKind::NULL {
                DataMeta {
                    schema,
                    ..DataMeta::NULL
                }
            } else {
                let span = checked_span(arena.len(), e.bytes.len()).map_err(|e| e.to_string())?;
                arena.extend_from_slice(&e.bytes);
                DataMeta {
                    kind: e.kind,
                    span,
                    schema,
                }
            };
            batch.headers.push(HeaderMeta { key, value });
        }
        checked_span(start, headers.len()).map_err(|e| e.to_string())
    }

    /// The decoded record of `r`; `offset` is the Kafka offset it keeps (a sink record keeps
    /// the consumed offset through every stage, as Java's `SinkRecord.kafkaOffset`).
    pub fn decode(
        &mut self,
        r: &RecordView<'_>,
        offset: Option<i64>,
    ) -> Result<TransformRecord, String> {
        let headers = r
            .headers()
            .map(|(k, v)| {
                Ok(Header {
                    key: k.to_owned(),
                    value: self.datum(&v)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(TransformRecord {
            topic: r.topic().to_owned(),
            partition: (r.partition() >= 0).then(|| r.partition()),
            offset,
            key: self.datum(&r.key())?,
            value: self.datum(&r.value())?,
            timestamp: r.timestamp(),
            headers,
        })
    }

    /// Appends `record` to `batch` (offset -1 when it has none, partition -1 when unset).
    pub fn push(
        &mut self,
        batch: &mut RecordBatch,
        record: &TransformRecord,
    ) -> Result<(), String> {
        let key = self.encode(&record.key)?;
        let value = self.encode(&record.value)?;
        let headers = record
            .headers
            .iter()
            .map(|h| Ok((h.key.as_str(), self.encode(&h.value)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let header_data: Vec<(&str, Data<'_>)> =
            headers.iter().map(|(k, v)| (*k, v.as_data())).collect();
        batch
            .push(
                RecordPosition {
                    topic: &record.topic,
                    partition: record.partition.unwrap_or(-1),
                    offset: record.offset.unwrap_or(-1),
                    timestamp: record.timestamp.map(|t| (t, TimestampType::CREATE_TIME)),
                },
                key.as_data(),
                value.as_data(),
                &header_data,
            )
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_data::transforms::data::Value;

    #[test]
    fn a_record_comes_back_as_it_went_in() {
        let mut codec = RecordCodec::new(false);
        let mut batch = RecordBatch::new();
        let header_schema: Arc<str> = Arc::from(r#"{"type":"int32","optional":false}"#);
        let mut schemas = SchemaCache::default();
        let record = TransformRecord {
            topic: "t".into(),
            partition: Some(3),
            offset: Some(42),
            key: Datum::schemaless(Value::String("k".into())),
            value: Datum::schemaless(Value::Null),
            timestamp: Some(1_700_000_000_000),
            headers: vec![Header {
                key: "n".into(),
                value: Datum {
                    schema: Some(schemas.parse(&header_schema).unwrap()),
                    value: Value::Int32(7),
                },
            }],
        };
        codec.push(&mut batch, &record).unwrap();
        let back = codec.decode(&batch.get(0).unwrap(), Some(42)).unwrap();
        assert_eq!(back.topic, "t");
        assert_eq!(back.partition, Some(3));
        assert_eq!(back.timestamp, record.timestamp);
        assert_eq!(back.key, record.key);
        assert_eq!(back.value.value, Value::Null);
        assert_eq!(back.headers[0].value.value, Value::Int32(7));
        assert!(back.headers[0].value.schema.is_some());
    }
}
