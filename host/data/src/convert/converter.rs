//! The `Converter` trait: Kafka bytes ↔ Connect data, one key or value at a time, writing into
//! caller-owned buffers so a batch of records shares one arena and one output buffer.

use super::{ConnectDataRef, ConvertError, Converted};

/// A key or value converter (`key.converter` / `value.converter`). Implementations are
/// configured once and then shared by a task's thread(s); they keep only caches behind locks.
pub trait Converter: Send + Sync {
    /// Kafka bytes (None = null) → Connect data appended to `arena`.
    fn to_connect(
        &self,
        topic: &str,
        input: Option<&[u8]>,
        arena: &mut Vec<u8>,
    ) -> Result<Converted, ConvertError>;
    /// Connect data → Kafka bytes appended to `out`; returns false for a null (tombstone).
    #[allow(clippy::wrong_self_convention)] // Kafka Connect's name (`fromConnectData`), not a constructor.
    fn from_connect(
        &self,
        topic: &str,
        data: &ConnectDataRef<'_>,
        out: &mut Vec<u8>,
    ) -> Result<bool, ConvertError>;
}
