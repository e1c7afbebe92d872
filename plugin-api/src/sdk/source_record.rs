//! [`SourceRecord`]: one record a source task produces, built by name instead of
//! [`SourceBatch::push`]'s six positional arguments, with headers and a timestamp.
//!
//! ```
//! use connect_plugin_api::prelude::*;
//!
//! let mut out = SourceBatch::new();
//! out.push_record(
//!     &SourceRecord::new("lines")
//!         .value(Data::string("hello"))
//!         .timestamp(1_700_000_000_000)
//!         .header("origin", Data::string("a.txt"))
//!         .source_partition(serde_json::json!({ "filename": "a.txt" }))
//!         .source_offset(serde_json::json!({ "position": 6 })),
//! )
//! .expect("one small record fits in a batch");
//! let r = out.batch.get(0).unwrap();
//! assert_eq!(r.timestamp(), Some(1_700_000_000_000));
//! assert_eq!(out.position(0), (Some(r#"{"filename":"a.txt"}"#), Some(r#"{"position":6}"#)));
//! ```
//!
//! The record borrows its data; a hot loop that already has the partition and offset as JSON
//! text passes it with [`SourceRecord::source_partition_json`] / [`SourceRecord::source_offset_json`]
//! and allocates nothing for them.

use std::borrow::Cow;

use crate::abi::types::{SourceBatch, TimestampType};
use crate::batch::{BatchFull, Data, RecordPosition};

/// One record to produce, with its source position.
#[derive(Debug, Clone)]
pub struct SourceRecord<'a> {
    topic: &'a str,
    partition: Option<i32>,
    key: Data<'a>,
    value: Data<'a>,
    timestamp: Option<i64>,
    headers: Vec<(&'a str, Data<'a>)>,
    source_partition: Option<Cow<'a, str>>,
    source_offset: Option<Cow<'a, str>>,
}

impl<'a> SourceRecord<'a> {
    /// A record for `topic`: null key and value, the producer picks the partition, no
    /// timestamp (Kafka stamps it), no headers, no source position.
    pub fn new(topic: &'a str) -> Self {
        Self {
            topic,
            partition: None,
            key: Data::NULL,
            value: Data::NULL,
            timestamp: None,
            headers: Vec::new(),
            source_partition: None,
            source_offset: None,
        }
    }
    /// The key.
    pub fn key(mut self, key: Data<'a>) -> Self {
        self.key = key;
        self
    }
    /// The value.
    pub fn value(mut self, value: Data<'a>) -> Self {
        self.value = value;
        self
    }
    /// The Kafka partition (default: the producer's partitioner).
    pub fn partition(mut self, partition: i32) -> Self {
        self.partition = Some(partition);
        self
    }
    /// The record's timestamp in ms since the epoch (CreateTime); the host produces it as the
    /// Kafka record timestamp.
    pub fn timestamp(mut self, ms: i64) -> Self {
        self.timestamp = Some(ms);
        self
    }
    /// Appends a header (headers keep their order; a key may repeat).
    pub fn header(mut self, key: &'a str, value: Data<'a>) -> Self {
        self.headers.push((key, value));
        self
    }
    /// The source partition (a JSON object, e.g. `{"filename": "/data/in.txt"}`).
    pub fn source_partition(mut self, partition: serde_json::Value) -> Self {
        self.source_partition = Some(Cow::Owned(partition.to_string()));
        self
    }
    /// The source offset (a JSON object, e.g. `{"position": 1024}`).
    pub fn source_offset(mut self, offset: serde_json::Value) -> Self {
        self.source_offset = Some(Cow::Owned(offset.to_string()));
        self
    }
    /// The source partition as JSON text already serialized (not checked).
    pub fn source_partition_json(mut self, json: &'a str) -> Self {
        self.source_partition = Some(Cow::Borrowed(json));
        self
    }
    /// The source offset as JSON text already serialized (not checked).
    pub fn source_offset_json(mut self, json: &'a str) -> Self {
        self.source_offset = Some(Cow::Borrowed(json));
        self
    }
}

impl SourceBatch {
    /// Appends `record`, with its headers, timestamp and source position. A record that does not
    /// fit (the batch would pass 4 GiB) is refused and the batch is left as it was: send it, then
    /// push the record into the emptied batch.
    pub fn push_record(&mut self, record: &SourceRecord<'_>) -> Result<(), BatchFull> {
        let at = RecordPosition {
            topic: record.topic,
            partition: record.partition.unwrap_or(-1),
            offset: -1,
            timestamp: record.timestamp.map(|ms| (ms, TimestampType::CREATE_TIME)),
        };
        self.push_with(
            at,
            record.key,
            record.value,
            &record.headers,
            record.source_partition.as_deref(),
            record.source_offset.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_every_field() {
        let mut out = SourceBatch::new();
        out.push_record(&SourceRecord::new("t").value(Data::string("plain")))
            .unwrap();
        out.push_record(
            &SourceRecord::new("t")
                .key(Data::bytes(b"k"))
                .value(Data::string("v"))
                .partition(3)
                .timestamp(42)
                .header("a", Data::string("1"))
                .header("b", Data::NULL)
                .source_partition_json(r#"{"f":"x"}"#)
                .source_offset(serde_json::json!({"p": 7})),
        )
        .unwrap();
        assert_eq!(out.len(), 2);
        let first = out.batch.get(0).unwrap();
        assert_eq!(first.timestamp(), None);
        assert_eq!(first.partition(), -1);
        assert_eq!(first.headers().count(), 0);
        assert_eq!(out.position(0), (None, None));
        let r = out.batch.get(1).unwrap();
        assert_eq!(r.topic(), "t");
        assert_eq!(r.partition(), 3);
        assert_eq!(r.timestamp(), Some(42));
        assert_eq!(r.meta().timestamp_type, TimestampType::CREATE_TIME);
        assert_eq!(r.key().bytes, b"k");
        assert_eq!(r.value().as_str(), Some("v"));
        let h: Vec<_> = r.headers().map(|(k, v)| (k, v.is_null())).collect();
        assert_eq!(h, [("a", false), ("b", true)]);
        assert_eq!(r.headers().next().unwrap().1.as_str(), Some("1"));
        assert_eq!(out.position(1), (Some(r#"{"f":"x"}"#), Some(r#"{"p":7}"#)));
    }
}
