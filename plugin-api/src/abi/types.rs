//! Data types that cross the boundary: topic-partitions, offsets and record batches.
//!
//! A [`RecordBatch`] is one byte arena plus fixed-size metadata per record, so handing 2,000
//! records to a plugin is one call and no per-record allocation.

use super::ext::Extensions;
use abi_stable::{
    StableAbi,
    std_types::{RString, RVec},
};

/// A Kafka topic-partition.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: RString,
    /// Partition number.
    pub partition: i32,
}

impl TopicPartition {
    /// Builds a topic-partition.
    pub fn new(topic: &str, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

/// A topic-partition with a Kafka offset. As in Kafka Connect, an offset handed to or returned
/// from `pre_commit` is the offset of the *next* record to consume (last written + 1).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartitionOffset {
    /// Topic name.
    pub topic: RString,
    /// Partition number.
    pub partition: i32,
    /// Next offset to consume.
    pub offset: i64,
}

impl TopicPartitionOffset {
    /// Builds a topic-partition-offset.
    pub fn new(topic: &str, partition: i32, offset: i64) -> Self {
        Self {
            topic: topic.into(),
            partition,
            offset,
        }
    }
}

/// One key/value pair of a connector or task configuration (all values are strings, as in
/// Kafka Connect's REST API).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    /// Configuration key.
    pub key: RString,
    /// Configuration value.
    pub value: RString,
}

/// A byte range inside a batch's arena.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Start offset in the arena.
    pub start: u32,
    /// Length in bytes.
    pub len: u32,
}

/// What a key, value or header value holds after the host's converter ran.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataKind(pub u8);

impl DataKind {
    /// A null (a tombstone value, a missing key). Distinct from empty bytes.
    pub const NULL: DataKind = DataKind(0);
    /// Opaque bytes (`ByteArrayConverter`).
    pub const BYTES: DataKind = DataKind(1);
    /// UTF-8 text (`StringConverter`, or a Connect string value).
    pub const STRING: DataKind = DataKind(2);
    /// JSON text of the Connect value (`JsonConverter`'s payload); its Connect schema, if any,
    /// is in the batch's schema table.
    pub const JSON: DataKind = DataKind(3);
}

/// Where a key, value or header value sits in the arena, and what it is.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataMeta {
    /// What the bytes hold.
    pub kind: DataKind,
    /// The bytes (empty for [`DataKind::NULL`]).
    pub span: Span,
    /// Index in [`RecordBatch::schemas`], or [`DataMeta::NO_SCHEMA`].
    pub schema: u32,
}

impl DataMeta {
    /// Marker for "no Connect schema".
    pub const NO_SCHEMA: u32 = u32::MAX;
    /// A null with no schema.
    pub const NULL: DataMeta = DataMeta {
        kind: DataKind::NULL,
        span: Span { start: 0, len: 0 },
        schema: Self::NO_SCHEMA,
    };
}

/// One header of a record.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderMeta {
    /// Header key (UTF-8) in the arena.
    pub key: Span,
    /// Header value.
    pub value: DataMeta,
}

/// Kafka's timestamp types.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampType(pub u8);

impl TimestampType {
    /// No timestamp.
    pub const NONE: TimestampType = TimestampType(0);
    /// Set by the producer.
    pub const CREATE_TIME: TimestampType = TimestampType(1);
    /// Set by the broker.
    pub const LOG_APPEND_TIME: TimestampType = TimestampType(2);
}

/// Fixed-size metadata of one record in a [`RecordBatch`].
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta {
    /// Index in [`RecordBatch::topics`].
    pub topic: u32,
    /// Partition; `-1` in a source batch lets the producer's partitioner choose.
    pub partition: i32,
    /// Kafka offset (sink batches); `-1` in source batches.
    pub offset: i64,
    /// Timestamp in ms since the epoch; meaningful unless `timestamp_type` is NONE.
    pub timestamp: i64,
    /// Kind of `timestamp`.
    pub timestamp_type: TimestampType,
    /// The key.
    pub key: DataMeta,
    /// The value.
    pub value: DataMeta,
    /// Range `[start, start+len)` in [`RecordBatch::headers`].
    pub headers: Span,
}

/// A batch of records: one arena of bytes plus per-record metadata.
///
/// Sink tasks receive one per `put`; source tasks fill one per `poll`. The host reuses the same
/// batch between calls, so a plugin must not keep references into it after the call returns.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Default)]
pub struct RecordBatch {
    /// Keys, values, header keys and header values, back to back.
    pub arena: RVec<u8>,
    /// Topic names referenced by [`RecordMeta::topic`].
    pub topics: RVec<RString>,
    /// Connect schemas (JsonConverter's schema JSON), referenced by [`DataMeta::schema`].
    pub schemas: RVec<RString>,
    /// Per-record metadata, in Kafka order per partition.
    pub records: RVec<RecordMeta>,
    /// Headers of all records, referenced by [`RecordMeta::headers`].
    pub headers: RVec<HeaderMeta>,
    /// Batch-level fields and per-record columns added after 2.0 (the per-record structs above
    /// are fixed: a new per-record attribute is a column here, one value per record).
    pub ext: Extensions,
}

/// The source position of one record in a [`SourceBatch`]: Kafka Connect's source partition
/// and source offset maps, as JSON objects.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePosition {
    /// Index in [`SourceBatch::partitions`] (JSON object text), or `u32::MAX` for none.
    pub partition: u32,
    /// JSON object text in the batch arena; empty span for none.
    pub offset: Span,
}

/// What a source task's `poll` fills: records to produce plus their source positions
/// (`positions[i]` belongs to `batch.records[i]`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Default)]
pub struct SourceBatch {
    /// The records to produce.
    pub batch: RecordBatch,
    /// Interned source-partition JSON objects.
    pub partitions: RVec<RString>,
    /// One position per record.
    pub positions: RVec<SourcePosition>,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

/// Where the broker stored one record of a source batch (the `RecordMetadata` of Kafka's
/// `commitRecord`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenRecord {
    /// Index of the record in the polled batch.
    pub index: u32,
    /// Partition it was written to.
    pub partition: i32,
    /// Offset it was written at.
    pub offset: i64,
}
