//! The record a transformation chain works on: Java's `ConnectRecord` (`SinkRecord` or
//! `SourceRecord`) with its key, value and headers decoded.

use super::data::Datum;

/// One header: its key and its value with the schema the header converter gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header key.
    pub key: String,
    /// The header value.
    pub value: Datum,
}

/// A record between the converters and the plugin. Sink records come from Kafka (they have an
/// offset); source records come from a plugin's `poll` (no offset; partition often unset).
#[derive(Debug, Clone, PartialEq)]
pub struct TransformRecord {
    /// The topic (a router may change it).
    pub topic: String,
    /// The Kafka partition (`None`: let the producer choose).
    pub partition: Option<i32>,
    /// Sink records: the Kafka offset (`InsertField`'s `offset.field`).
    pub offset: Option<i64>,
    /// The key.
    pub key: Datum,
    /// The value.
    pub value: Datum,
    /// Milliseconds since the epoch (`None`: no timestamp).
    pub timestamp: Option<i64>,
    /// The headers, in order (keys may repeat).
    pub headers: Vec<Header>,
}

impl TransformRecord {
    /// The key (`is_key`) or the value: what a `$Key`/`$Value` transformation variant works on.
    pub fn operand(&self, is_key: bool) -> &Datum {
        if is_key { &self.key } else { &self.value }
    }

    /// [`TransformRecord::operand`], mutable.
    pub fn operand_mut(&mut self, is_key: bool) -> &mut Datum {
        if is_key {
            &mut self.key
        } else {
            &mut self.value
        }
    }
}
