//! Building and reading [`RecordBatch`]es without touching spans by hand.
//!
//! The host builds sink batches and reads source batches; plugins do the opposite. Both sides use
//! the same code, so both agree on what a span means.
//!
//! Spans and table indexes are `u32`, so a batch holds at most 4 GiB of arena bytes and
//! `u32::MAX` entries per table. Every push checks that: a record that would not fit is refused
//! with [`BatchFull`] and leaves the batch as it was, instead of wrapping an offset. A batch built
//! by the other side of the boundary is checked with [`RecordBatch::validate`] /
//! [`SourceBatch::validate`] before it is read, so a bad span is an error, not empty bytes.

use abi_stable::std_types::{RString, RVec};

use crate::abi::types::{
    DataKind, DataMeta, HeaderMeta, RecordBatch, RecordMeta, SourceBatch, SourcePosition, Span,
    TimestampType,
};

/// A push refused because the batch would outgrow what `u32` spans and indexes can address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchFull {
    /// What would overflow (`"arena"`, `"header table"`, …).
    pub what: &'static str,
    /// The size it would have reached (bytes for the arena, entries for a table).
    pub needed: u64,
}

impl std::fmt::Display for BatchFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.what == ARENA {
            "bytes"
        } else {
            "entries"
        };
        write!(
            f,
            "the batch is over 4 GiB (its {} would hold {} {unit}, the limit is {}); \
             lower max.poll.records / the plugin's batch size",
            self.what,
            self.needed,
            u32::MAX
        )
    }
}

impl std::error::Error for BatchFull {}

impl From<BatchFull> for crate::sdk::error::ConnectError {
    fn from(e: BatchFull) -> Self {
        Self::fatal(e.to_string())
    }
}

const ARENA: &str = "arena";

/// The span of `len` bytes at `start` in an arena, if both ends fit in `u32`. The host uses this
/// when it writes into the arena directly.
pub fn checked_span(start: usize, len: usize) -> Result<Span, BatchFull> {
    let full = || BatchFull {
        what: ARENA,
        needed: (start as u64).saturating_add(len as u64),
    };
    let end = start.checked_add(len).ok_or_else(full)?;
    u32::try_from(end).map_err(|_| full())?;
    Ok(Span {
        start: u32::try_from(start).map_err(|_| full())?,
        len: u32::try_from(len).map_err(|_| full())?,
    })
}

/// The `u32` index of entry number `index` of a table, if it fits. `u32::MAX` itself is refused:
/// it is the "none" marker of schema and source-partition indexes.
pub fn checked_index(index: usize, what: &'static str) -> Result<u32, BatchFull> {
    u32::try_from(index)
        .ok()
        .filter(|&i| i != u32::MAX)
        .ok_or(BatchFull {
            what,
            needed: (index as u64).saturating_add(1),
        })
}

/// A batch that breaks the span rules, found by [`RecordBatch::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBatch {
    /// The record it is about, if one.
    pub record: Option<usize>,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for BadBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.record {
            Some(i) => write!(
                f,
                "malformed batch from the plugin: record {i}: {}",
                self.problem
            ),
            None => write!(f, "malformed batch from the plugin: {}", self.problem),
        }
    }
}

impl std::error::Error for BadBatch {}

/// The end of `span`, if it lies within `0..=limit`.
fn span_end(span: Span, limit: usize) -> Option<usize> {
    let end = span.start.checked_add(span.len)? as usize;
    (end <= limit).then_some(end)
}

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
    pub fn intern_topic(&mut self, topic: &str) -> Result<u32, BatchFull> {
        if let Some(last) = self.topics.len().checked_sub(1)
            && self.topics[last].as_str() == topic
        {
            return checked_index(last, "topic table");
        }
        if let Some(i) = self.topics.iter().position(|t| t.as_str() == topic) {
            return checked_index(i, "topic table");
        }
        let index = checked_index(self.topics.len(), "topic table")?;
        self.topics.push(RString::from(topic));
        Ok(index)
    }

    /// Index of `schema` in the schema table, adding it if new.
    pub fn intern_schema(&mut self, schema: &str) -> Result<u32, BatchFull> {
        if let Some(i) = self.schemas.iter().rposition(|s| s.as_str() == schema) {
            return checked_index(i, "schema table");
        }
        let index = checked_index(self.schemas.len(), "schema table")?;
        self.schemas.push(RString::from(schema));
        Ok(index)
    }

    /// Appends bytes to the arena and returns their span; refused (nothing appended) if the arena
    /// would outgrow 4 GiB.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Result<Span, BatchFull> {
        let span = checked_span(self.arena.len(), bytes.len())?;
        self.arena.extend_from_copy_slice(bytes);
        Ok(span)
    }

    /// Appends a key, value or header value and returns its metadata.
    pub fn push_data(&mut self, data: Data<'_>) -> Result<DataMeta, BatchFull> {
        let schema = match data.schema {
            Some(s) => self.intern_schema(s)?,
            None => DataMeta::NO_SCHEMA,
        };
        if data.kind == DataKind::NULL {
            return Ok(DataMeta {
                schema,
                ..DataMeta::NULL
            });
        }
        Ok(DataMeta {
            kind: data.kind,
            span: self.push_bytes(data.bytes)?,
            schema,
        })
    }

    /// Appends one record with its headers. A record that does not fit is refused and the batch
    /// is left as it was (send it, then push the record into the emptied batch).
    pub fn push(
        &mut self,
        at: RecordPosition<'_>,
        key: Data<'_>,
        value: Data<'_>,
        headers: &[(&str, Data<'_>)],
    ) -> Result<(), BatchFull> {
        let mark = self.mark();
        let pushed = self.push_parts(at, key, value, headers);
        if pushed.is_err() {
            self.rollback(mark);
        }
        pushed
    }

    fn push_parts(
        &mut self,
        at: RecordPosition<'_>,
        key: Data<'_>,
        value: Data<'_>,
        headers: &[(&str, Data<'_>)],
    ) -> Result<(), BatchFull> {
        checked_index(self.records.len(), "record table")?;
        let topic = self.intern_topic(at.topic)?;
        let key = self.push_data(key)?;
        let value = self.push_data(value)?;
        let headers = self.push_header_parts(headers)?;
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
        Ok(())
    }

    /// The table sizes, to undo a partial push with [`RecordBatch::rollback`].
    fn mark(&self) -> [usize; 5] {
        [
            self.arena.len(),
            self.topics.len(),
            self.schemas.len(),
            self.records.len(),
            self.headers.len(),
        ]
    }

    fn rollback(&mut self, [arena, topics, schemas, records, headers]: [usize; 5]) {
        self.arena.truncate(arena);
        self.topics.truncate(topics);
        self.schemas.truncate(schemas);
        self.records.truncate(records);
        self.headers.truncate(headers);
    }

    /// Appends headers and returns their range in the header table; refused (nothing appended)
    /// if they do not fit.
    pub fn push_headers(&mut self, headers: &[(&str, Data<'_>)]) -> Result<Span, BatchFull> {
        let mark = self.mark();
        let pushed = self.push_header_parts(headers);
        if pushed.is_err() {
            self.rollback(mark);
        }
        pushed
    }

    fn push_header_parts(&mut self, headers: &[(&str, Data<'_>)]) -> Result<Span, BatchFull> {
        let span = checked_span(self.headers.len(), headers.len()).map_err(|e| BatchFull {
            what: "header table",
            ..e
        })?;
        for (k, v) in headers {
            let key = self.push_bytes(k.as_bytes())?;
            let value = self.push_data(*v)?;
            self.headers.push(HeaderMeta { key, value });
        }
        Ok(span)
    }

    /// Appends a record whose metadata was built with [`RecordBatch::push_data`] and
    /// [`RecordBatch::push_headers`] (the host's hot path, which converts straight into the arena).
    pub fn push_meta(&mut self, meta: RecordMeta) -> Result<(), BatchFull> {
        checked_index(self.records.len(), "record table")?;
        self.records.push(meta);
        Ok(())
    }

    /// Checks every span and index of every record against the batch's arena and tables, so a
    /// batch built on the other side of the boundary can be read without silent fallbacks (the
    /// accessors read a bad span as empty bytes). Header keys must be UTF-8.
    pub fn validate(&self) -> Result<(), BadBatch> {
        let bad = |record: usize, problem: String| BadBatch {
            record: Some(record),
            problem,
        };
        if self.records.len() > u32::MAX as usize {
            return Err(BadBatch {
                record: None,
                problem: format!("{} records, over u32::MAX", self.records.len()),
            });
        }
        let arena = self.arena.len();
        let data = |what: &str, meta: &DataMeta| -> Result<(), String> {
            if span_end(meta.span, arena).is_none() {
                return Err(format!(
                    "{what} span {}+{} lies outside the {arena}-byte arena",
                    meta.span.start, meta.span.len
                ));
            }
            if meta.schema != DataMeta::NO_SCHEMA && meta.schema as usize >= self.schemas.len() {
                return Err(format!(
                    "{what} schema {} is not in the {}-entry schema table",
                    meta.schema,
                    self.schemas.len()
                ));
            }
            Ok(())
        };
        for (i, r) in self.records.iter().enumerate() {
            if r.topic as usize >= self.topics.len() {
                return Err(bad(
                    i,
                    format!(
                        "topic {} is not in the {}-entry topic table",
                        r.topic,
                        self.topics.len()
                    ),
                ));
            }
            data("key", &r.key).map_err(|p| bad(i, p))?;
            data("value", &r.value).map_err(|p| bad(i, p))?;
            let Some(end) = span_end(r.headers, self.headers.len()) else {
                return Err(bad(
                    i,
                    format!(
                        "headers {}+{} lie outside the {}-entry header table",
                        r.headers.start,
                        r.headers.len,
                        self.headers.len()
                    ),
                ));
            };
            for h in &self.headers[r.headers.start as usize..end] {
                let Some(key_end) = span_end(h.key, arena) else {
                    return Err(bad(
                        i,
                        format!(
                            "header key span {}+{} lies outside the {arena}-byte arena",
                            h.key.start, h.key.len
                        ),
                    ));
                };
                if std::str::from_utf8(&self.arena[h.key.start as usize..key_end]).is_err() {
                    return Err(bad(i, "a header key is not UTF-8".into()));
                }
                data("header value", &h.value).map_err(|p| bad(i, p))?;
            }
        }
        Ok(())
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

    /// The bytes of `span`, or `None` if it lies outside the arena.
    pub fn try_bytes(&self, span: Span) -> Option<&[u8]> {
        let end = span_end(span, self.arena.len())?;
        self.arena.get(span.start as usize..end)
    }

    /// The bytes of `span`; empty if it lies outside the arena (see [`RecordBatch::validate`]).
    fn bytes(&self, span: Span) -> &[u8] {
        self.try_bytes(span).unwrap_or(&[])
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
        let Span { start, .. } = self.meta.headers;
        let range = span_end(self.meta.headers, batch.headers.len()).map(|end| start as usize..end);
        range
            .and_then(|r| batch.headers.get(r))
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
    ) -> Result<(), BatchFull> {
        let at = RecordPosition {
            topic,
            partition: partition.unwrap_or(-1),
            offset: -1,
            timestamp: None,
        };
        self.push_with(at, key, value, &[], source_partition, source_offset)
    }

    /// [`SourceBatch::push`] with headers and a timestamp (what `SourceRecord` carries); all or
    /// nothing.
    pub(crate) fn push_with(
        &mut self,
        at: RecordPosition<'_>,
        key: Data<'_>,
        value: Data<'_>,
        headers: &[(&str, Data<'_>)],
        source_partition: Option<&str>,
        source_offset: Option<&str>,
    ) -> Result<(), BatchFull> {
        let mark = self.batch.mark();
        let partitions = self.partitions.len();
        let pushed = self.push_position(source_partition, source_offset);
        let pushed = pushed.and_then(|position| {
            self.batch.push_parts(at, key, value, headers)?;
            self.positions.push(position);
            Ok(())
        });
        if pushed.is_err() {
            self.batch.rollback(mark);
            self.partitions.truncate(partitions);
        }
        pushed
    }

    fn push_position(
        &mut self,
        source_partition: Option<&str>,
        source_offset: Option<&str>,
    ) -> Result<SourcePosition, BatchFull> {
        let partition = match source_partition {
            Some(p) => match self.partitions.iter().rposition(|s| s.as_str() == p) {
                Some(i) => checked_index(i, "source partition table")?,
                None => {
                    let index = checked_index(self.partitions.len(), "source partition table")?;
                    self.partitions.push(RString::from(p));
                    index
                }
            },
            None => u32::MAX,
        };
        let offset = match source_offset {
            Some(o) => self.batch.push_bytes(o.as_bytes())?,
            None => Span::default(),
        };
        Ok(SourcePosition { partition, offset })
    }

    /// [`RecordBatch::validate`], plus one source position per record whose partition index and
    /// offset span (UTF-8 JSON) are in range.
    pub fn validate(&self) -> Result<(), BadBatch> {
        self.batch.validate()?;
        if self.positions.len() != self.batch.len() {
            return Err(BadBatch {
                record: None,
                problem: format!(
                    "{} records but {} source positions",
                    self.batch.len(),
                    self.positions.len()
                ),
            });
        }
        for (i, p) in self.positions.iter().enumerate() {
            if p.partition != u32::MAX && p.partition as usize >= self.partitions.len() {
                return Err(BadBatch {
                    record: Some(i),
                    problem: format!(
                        "source partition {} is not in the {}-entry table",
                        p.partition,
                        self.partitions.len()
                    ),
                });
            }
            match self.batch.try_bytes(p.offset) {
                None => {
                    return Err(BadBatch {
                        record: Some(i),
                        problem: format!(
                            "source offset span {}+{} lies outside the {}-byte arena",
                            p.offset.start,
                            p.offset.len,
                            self.batch.arena_len()
                        ),
                    });
                }
                Some(b) if std::str::from_utf8(b).is_err() => {
                    return Err(BadBatch {
                        record: Some(i),
                        problem: "the source offset is not UTF-8".into(),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
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
        )
        .unwrap();
        b.push(
            RecordPosition {
                offset: 8,
                timestamp: None,
                ..at
            },
            Data::string("k"),
            Data::json("{\"a\":1}").with_schema(STRING_SCHEMA),
            &[],
        )
        .unwrap();
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
        )
        .unwrap();
        s.push(
            "t",
            None,
            Data::NULL,
            Data::string("b"),
            Some(r#"{"filename":"f"}"#),
            Some(r#"{"position":4}"#),
        )
        .unwrap();
        assert_eq!(s.partitions.len(), 1);
        assert_eq!(
            s.position(1),
            (Some(r#"{"filename":"f"}"#), Some(r#"{"position":4}"#))
        );
        assert_eq!(s.batch.get(0).unwrap().partition(), -1);
    }

    fn one_record() -> RecordBatch {
        let mut b = RecordBatch::new();
        b.push(
            RecordPosition {
                topic: "t",
                partition: 0,
                offset: 0,
                timestamp: None,
            },
            Data::string("key"),
            Data::string("value").with_schema(STRING_SCHEMA),
            &[("h", Data::bytes(b"hv"))],
        )
        .unwrap();
        b.validate().unwrap();
        b
    }

    #[test]
    fn spans_past_4_gib_are_refused_not_wrapped() {
        let max = u32::MAX as usize;
        assert_eq!(
            checked_span(max - 3, 3),
            Ok(Span {
                start: u32::MAX - 3,
                len: 3
            })
        );
        // The end must fit too, or a reader's `start + len` would wrap.
        let e = checked_span(max - 3, 4).unwrap_err();
        assert_eq!((e.what, e.needed), ("arena", u64::from(u32::MAX) + 1));
        assert!(checked_span(max + 1, 0).is_err());
        assert!(checked_span(0, max + 1).is_err());
        assert!(checked_span(usize::MAX, usize::MAX).is_err());
        let message = e.to_string();
        assert!(message.starts_with("the batch is over 4 GiB"), "{message}");
        assert!(message.contains("lower max.poll.records"), "{message}");

        assert_eq!(checked_index(max - 1, "topic table"), Ok(u32::MAX - 1));
        // u32::MAX is the "none" marker of schema and partition indexes.
        assert!(checked_index(max, "schema table").is_err());
        let e = checked_index(max + 1, "topic table").unwrap_err();
        assert!(
            e.to_string()
                .contains("topic table would hold 4294967297 entries")
        );
    }

    #[test]
    fn a_refused_push_leaves_the_batch_as_it_was() {
        let mut b = one_record();
        let before = (b.arena_len(), b.schemas.len(), b.headers.len(), b.len());
        // A real refusal needs a 4 GiB arena; this runs the rollback a refused push takes.
        let mark = b.mark();
        b.push_bytes(b"junk").unwrap();
        b.intern_schema("{}").unwrap();
        b.intern_topic("other").unwrap();
        b.rollback(mark);
        assert_eq!(
            (b.arena_len(), b.schemas.len(), b.headers.len(), b.len()),
            before
        );
        assert_eq!(b.topics.len(), 1);
        b.validate().unwrap();
    }

    #[test]
    fn out_of_range_spans_are_reported_by_validate() {
        let good = one_record();

        let mut b = good.clone();
        b.records[0].value.span.len = 1_000;
        let e = b.validate().unwrap_err();
        assert_eq!(e.record, Some(0));
        assert!(e.problem.contains("value span"), "{e}");
        assert!(
            e.to_string()
                .starts_with("malformed batch from the plugin: record 0")
        );
        // The lenient accessor reads it as empty; the checked one says it is out of range.
        assert_eq!(b.get(0).unwrap().value().bytes, b"");
        assert_eq!(b.try_bytes(b.records[0].value.span), None);

        // `start + len` overflowing u32 is out of range, not a wrapped small span.
        let mut b = good.clone();
        b.records[0].key.span = Span {
            start: 2,
            len: u32::MAX,
        };
        assert!(b.validate().unwrap_err().problem.contains("key span"));
        assert_eq!(b.get(0).unwrap().key().bytes, b"");

        let mut b = good.clone();
        b.records[0].headers.len = 5;
        assert!(b.validate().unwrap_err().problem.contains("headers"));
        assert_eq!(b.get(0).unwrap().headers().count(), 0);

        let mut b = good.clone();
        b.headers[0].key.start = u32::MAX;
        assert!(
            b.validate()
                .unwrap_err()
                .problem
                .contains("header key span")
        );

        let mut b = good.clone();
        b.records[0].topic = 1;
        assert!(b.validate().unwrap_err().problem.contains("topic 1"));

        let mut b = good.clone();
        b.records[0].value.schema = 7;
        assert!(b.validate().unwrap_err().problem.contains("schema 7"));

        let mut b = good.clone();
        let k = b.headers[0].key;
        b.arena[k.start as usize] = 0xff;
        assert!(b.validate().unwrap_err().problem.contains("not UTF-8"));
    }

    #[test]
    fn source_batches_validate_their_positions() {
        let mut s = SourceBatch::new();
        s.push(
            "t",
            Some(2),
            Data::NULL,
            Data::string("a"),
            Some(r#"{"f":1}"#),
            Some(r#"{"p":1}"#),
        )
        .unwrap();
        s.push("t", None, Data::NULL, Data::string("b"), None, None)
            .unwrap();
        s.validate().unwrap();

        let mut bad = s.clone();
        bad.positions[1].partition = 3;
        assert!(
            bad.validate()
                .unwrap_err()
                .problem
                .contains("source partition 3")
        );

        let mut bad = s.clone();
        bad.positions[0].offset.start = 10_000;
        assert_eq!(bad.validate().unwrap_err().record, Some(0));

        let mut bad = s.clone();
        bad.positions.pop();
        assert!(
            bad.validate()
                .unwrap_err()
                .problem
                .contains("2 records but 1")
        );
    }
}
