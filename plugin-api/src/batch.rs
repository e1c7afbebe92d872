//! Building and reading [`RecordBatch`]es without touching spans by hand.
//!
//! The host builds sink batches and reads source batches; plugins do the opposite. Both sides use
//! the same code, so both agree on what a span means.

use abi_stable::std_types::{RString, RVec};

use crate::abi::types::{
    DataKind, DataMeta, HeaderMeta, RecordBatch, RecordMeta, SourceBatch, SourcePosition, Span,
    TimestampType,
};

/// A key, value or header value to append to a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    /// What the bytes hold.
    pub kind: DataKind,
    /// The bytes (ignored for NULL).
    pub bytes: &'a [u8],
    /// Connect schema JSON, if any.
    pub schema: Option<&'a str>,
}

impl<'a> Data<'a> {
    /// A null.
    pub const NULL: Data<'static> = Data {
        kind: DataKind::NULL,
        bytes: &[],
        schema: None,
    };

    /// UTF-8 text without a schema.
    pub fn string(s: &'a str) -> Self {
        Data {
            kind: DataKind::STRING,
            bytes: s.as_bytes(),
            schema: None,
        }
    }
    /// Raw bytes without a schema.
    pub fn bytes(b: &'a [u8]) -> Self {
        Data {
            kind: DataKind::BYTES,
            bytes: b,
            schema: None,
        }
    }
    /// JSON text without a schema.
    pub fn json(text: &'a str) -> Self {
        Data {
            kind: DataKind::JSON,
            bytes: text.as_bytes(),
            schema: None,
        }
    }
    /// The same data with a Connect schema.
    pub fn with_schema(self, schema: &'a str) -> Self {
        Data {
            schema: Some(schema),
            ..self
        }
    }
}

/// The Connect schema of a plain required string (what FileStreamSource attaches).
pub const STRING_SCHEMA: &str = r#"{"type":"string","optional":false}"#;

/// Where a record goes and when it happened, for [`RecordBatch::push`].
#[derive(Debug, Clone, Copy)]
pub struct RecordPosition<'a> {
    /// Topic name.
    pub topic: &'a str,
    /// Partition (`-1`: let the producer choose).
    pub partition: i32,
    /// Kafka offset (`-1` for source records).
    pub offset: i64,
    /// Timestamp (ms) and its kind.
    pub timestamp: Option<(i64, TimestampType)>,
}

impl RecordBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the batch but keeps its allocations, for reuse.
    pub fn clear(&mut self) {
        self.arena.clear();
        self.topics.clear();
        self.schemas.clear();
        self.records.clear();
        self.headers.clear();
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// No records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Bytes held in the arena.
    pub fn arena_len(&self) -> usize {
        self.arena.len()
    }

    /// Index of `topic` in the topic table, adding it if new. Batches hold few topics, so a
    /// linear scan (usually hitting the last entry) beats hashing.
    pub fn intern_topic(&mut self, topic: &str) -> u32 {
        if let Some(last) = self.topics.len().checked_sub(1)
            && self.topics[last].as_str() == topic
        {
            return last as u32;
        }
        if let Some(i) = self.topics.iter().position(|t| t.as_str() == topic) {
            return i as u32;
        }
        self.topics.push(RString::from(topic));
        (self.topics.len() - 1) as u32
    }

    /// Index of `schema` in the schema table, adding it if new.
    pub fn intern_schema(&mut self, schema: &str) -> u32 {
        if let Some(i) = self.schemas.iter().rposition(|s| s.as_str() == schema) {
            return i as u32;
        }
        self.schemas.push(RString::from(schema));
        (self.schemas.len() - 1) as u32
    }

    /// Appends bytes to the arena and returns their span.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Span {
        let start = self.arena.len() as u32;
        self.arena.extend_from_copy_slice(bytes);
        Span {
            start,
            len: bytes.len() as u32,
        }
    }

    /// Appends a key, value or header value and returns its metadata.
    pub fn push_data(&mut self, data: Data<'_>) -> DataMeta {
        if data.kind == DataKind::NULL {
            return DataMeta {
                schema: data
                    .schema
                    .map_or(DataMeta::NO_SCHEMA, |s| self.intern_schema(s)),
                ..DataMeta::NULL
            };
        }
        let schema = data
            .schema
            .map_or(DataMeta::NO_SCHEMA, |s| self.intern_schema(s));
        DataMeta {
            kind: data.kind,
            span: self.push_bytes(data.bytes),
            schema,
        }
    }

    /// Appends one record with its headers.
    pub fn push(
        &mut self,
        at: RecordPosition<'_>,
        key: Data<'_>,
        value: Data<'_>,
        headers: &[(&str, Data<'_>)],
    ) {
        let topic = self.intern_topic(at.topic);
        let key = self.push_data(key);
        let value = self.push_data(value);
        let headers = self.push_headers(headers);
        let (timestamp, timestamp_type) = at.timestamp.unwrap_or((-1, TimestampType::NONE));
        self.records.push(RecordMeta {
            topic,
            partition: at.partition,
            offset: at.offset,
            timestamp,
            timestamp_type,
            key,
            value,
            headers,
        });
    }

    /// Appends headers and returns their range in the header table.
    pub fn push_headers(&mut self, headers: &[(&str, Data<'_>)]) -> Span {
        let start = self.headers.len() as u32;
        for (k, v) in headers {
            let key = self.push_bytes(k.as_bytes());
            let value = self.push_data(*v);
            self.headers.push(HeaderMeta { key, value });
        }
        Span {
            start,
            len: headers.len() as u32,
        }
    }

    /// Appends a record whose metadata was built with [`RecordBatch::push_data`] and
    /// [`RecordBatch::push_headers`] (the host's hot path, which converts straight into the arena).
    pub fn push_meta(&mut self, meta: RecordMeta) {
        self.records.push(meta);
    }

    /// The record at `index`.
    pub fn get(&self, index: usize) -> Option<RecordView<'_>> {
        self.records
            .get(index)
            .map(|meta| RecordView { batch: self, meta })
    }

    /// All records, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RecordView<'_>> + '_ {
        self.records
            .iter()
            .map(move |meta| RecordView { batch: self, meta })
    }

    fn bytes(&self, span: Span) -> &[u8] {
        self.arena
            .get(span.start as usize..(span.start + span.len) as usize)
            .unwrap_or(&[])
    }

    fn data(&self, meta: &DataMeta) -> DataView<'_> {
        DataView {
            kind: meta.kind,
            bytes: self.bytes(meta.span),
            schema: self.schemas.get(meta.schema as usize).map(|s| s.as_str()),
        }
    }
}

/// A read-only view of one record of a batch.
#[derive(Clone, Copy)]
pub struct RecordView<'a> {
    batch: &'a RecordBatch,
    meta: &'a RecordMeta,
}

impl<'a> RecordView<'a> {
    /// Topic name.
    pub fn topic(&self) -> &'a str {
        self.batch
            .topics
            .get(self.meta.topic as usize)
            .map_or("", |t| t.as_str())
    }
    /// Partition.
    pub fn partition(&self) -> i32 {
        self.meta.partition
    }
    /// Kafka offset.
    pub fn offset(&self) -> i64 {
        self.meta.offset
    }
    /// Timestamp (ms) if the record has one.
    pub fn timestamp(&self) -> Option<i64> {
        (self.meta.timestamp_type != TimestampType::NONE).then_some(self.meta.timestamp)
    }
    /// The raw metadata.
    pub fn meta(&self) -> &'a RecordMeta {
        self.meta
    }
    /// The key.
    pub fn key(&self) -> DataView<'a> {
        self.batch.data(&self.meta.key)
    }
    /// The value.
    pub fn value(&self) -> DataView<'a> {
        self.batch.data(&self.meta.value)
    }
    /// The headers, in order.
    pub fn headers(&self) -> impl Iterator<Item = (&'a str, DataView<'a>)> + 'a {
        let batch = self.batch;
        let Span { start, len } = self.meta.headers;
        batch
            .headers
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[])
            .iter()
            .map(move |h| {
                (
                    std::str::from_utf8(batch.bytes(h.key)).unwrap_or(""),
                    batch.data(&h.value),
                )
            })
    }
}

/// A read-only view of a key, value or header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataView<'a> {
    /// What the bytes hold.
    pub kind: DataKind,
    /// The bytes (empty for null).
    pub bytes: &'a [u8],
    /// Connect schema JSON, if any.
    pub schema: Option<&'a str>,
}

impl<'a> DataView<'a> {
    /// Whether this is a null (distinct from empty).
    pub fn is_null(&self) -> bool {
        self.kind == DataKind::NULL
    }
    /// The bytes as UTF-8 text, if they are.
    pub fn as_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes).ok()
    }
    /// As [`Data`], to copy into another batch.
    pub fn as_data(&self) -> Data<'a> {
        Data {
            kind: self.kind,
            bytes: self.bytes,
            schema: self.schema,
        }
    }
}

impl SourceBatch {
    /// An empty source batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the batch but keeps its allocations.
    pub fn clear(&mut self) {
        self.batch.clear();
        self.partitions.clear();
        self.positions.clear();
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.batch.len()
    }

    /// No records.
    pub fn is_empty(&self) -> bool {
        self.batch.is_empty()
    }

    /// Appends a record to produce, with its source partition and offset (JSON objects, e.g.
    /// `{"filename":"/data/in.txt"}` and `{"position":1024}`).
    pub fn push(
        &mut self,
        topic: &str,
        partition: Option<i32>,
        key: Data<'_>,
        value: Data<'_>,
        source_partition: Option<&str>,
        source_offset: Option<&str>,
    ) {
        let at = RecordPosition {
            topic,
            partition: partition.unwrap_or(-1),
            offset: -1,
            timestamp: None,
        };
        self.batch.push(at, key, value, &[]);
        let partition = match source_partition {
            Some(p) => match self.partitions.iter().rposition(|s| s.as_str() == p) {
                Some(i) => i as u32,
                None => {
                    self.partitions.push(RString::from(p));
                    (self.partitions.len() - 1) as u32
                }
            },
            None => u32::MAX,
        };
        let offset = source_offset.map_or(Span::default(), |o| self.batch.push_bytes(o.as_bytes()));
        self.positions.push(SourcePosition { partition, offset });
    }

    /// Source partition and offset JSON of record `index`.
    pub fn position(&self, index: usize) -> (Option<&str>, Option<&str>) {
        let Some(p) = self.positions.get(index) else {
            return (None, None);
        };
        let partition = self
            .partitions
            .get(p.partition as usize)
            .map(|s| s.as_str());
        let offset = (p.offset.len > 0)
            .then(|| std::str::from_utf8(self.batch.bytes(p.offset)).unwrap_or(""));
        (partition, offset)
    }
}

/// Converts a config map into the boundary's entry list.
pub fn config_entries<'a>(
    config: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> RVec<crate::abi::types::ConfigEntry> {
    config
        .into_iter()
        .map(|(k, v)| crate::abi::types::ConfigEntry {
            key: k.as_str().into(),
            value: v.as_str().into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_distinct_from_empty_and_round_trips() {
        let mut b = RecordBatch::new();
        let at = RecordPosition {
            topic: "t",
            partition: 3,
            offset: 7,
            timestamp: Some((42, TimestampType::CREATE_TIME)),
        };
        b.push(
            at,
            Data::NULL,
            Data::bytes(b""),
            &[("h", Data::string("v"))],
        );
        b.push(
            RecordPosition {
                offset: 8,
                timestamp: None,
                ..at
            },
            Data::string("k"),
            Data::json("{\"a\":1}").with_schema(STRING_SCHEMA),
            &[],
        );
        assert_eq!(b.len(), 2);
        let r0 = b.get(0).unwrap();
        assert!(r0.key().is_null());
        assert!(!r0.value().is_null());
        assert_eq!(r0.value().bytes, b"");
        assert_eq!(r0.timestamp(), Some(42));
        assert_eq!(
            r0.headers().collect::<Vec<_>>(),
            vec![(
                "h",
                DataView {
                    kind: DataKind::STRING,
                    bytes: b"v",
                    schema: None
                }
            )]
        );
        let r1 = b.get(1).unwrap();
        assert_eq!(
            (r1.topic(), r1.partition(), r1.offset(), r1.timestamp()),
            ("t", 3, 8, None)
        );
        assert_eq!(r1.key().as_str(), Some("k"));
        assert_eq!(r1.value().schema, Some(STRING_SCHEMA));
        assert_eq!(b.topics.len(), 1);
        b.clear();
        assert!(b.is_empty() && b.arena_len() == 0);
    }

    #[test]
    fn source_positions_are_interned() {
        let mut s = SourceBatch::new();
        s.push(
            "t",
            None,
            Data::NULL,
            Data::string("a"),
            Some(r#"{"filename":"f"}"#),
            Some(r#"{"position":2}"#),
        );
        s.push(
            "t",
            None,
            Data::NULL,
            Data::string("b"),
            Some(r#"{"filename":"f"}"#),
            Some(r#"{"position":4}"#),
        );
        assert_eq!(s.partitions.len(), 1);
        assert_eq!(
            s.position(1),
            (Some(r#"{"filename":"f"}"#), Some(r#"{"position":4}"#))
        );
        assert_eq!(s.batch.get(0).unwrap().partition(), -1);
    }
}
