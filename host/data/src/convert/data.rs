//! The host-side shapes of converted data: what a key or value is ([`DataKind`]), where a
//! converter wrote it ([`Converted`]), and what a source plugin hands over to be serialized
//! ([`ConnectDataRef`]). The lead maps these onto the plugin ABI's batch types.

use std::sync::Arc;

/// What a converted key or value is, as handed to plugins.
///
/// - `Null`: a null (tombstone value, missing key); no bytes.
/// - `Bytes`: opaque bytes (`ByteArrayConverter`, or a Connect `bytes` value).
/// - `String`: UTF-8 text (`StringConverter`, or a Connect `string` value — also a JSON
///   string read by `JsonConverter`, which Kafka Connect turns into a Java `String`).
/// - `Json`: JSON text of any other Connect value (objects, arrays, numbers, booleans), exactly
///   as `JsonConverter` with `schemas.enable=false` writes it; its Connect schema, if any, is in
///   the `schema` field alongside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// A null.
    Null,
    /// Opaque bytes.
    Bytes,
    /// UTF-8 text.
    String,
    /// JSON text.
    Json,
}

/// Where a converted key/value was written in the caller's arena.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// What the bytes hold.
    pub kind: DataKind,
    /// Offset of the first byte in the arena.
    pub start: usize,
    /// Number of bytes (0 for [`DataKind::Null`]).
    pub len: usize,
    /// The Connect schema in `JsonConverter`'s schema JSON (e.g.
    /// `{"type":"string","optional":true}`), interned: equal schemas share one allocation.
    pub schema: Option<Arc<str>>,
}

impl Converted {
    /// The converted bytes within `arena`.
    pub fn bytes<'a>(&self, arena: &'a [u8]) -> &'a [u8] {
        &arena[self.start..self.start + self.len]
    }
}

/// A key or value coming from a source plugin, to be serialized for Kafka.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectDataRef<'a> {
    /// What `bytes` hold.
    pub kind: DataKind,
    /// The data (ignored for [`DataKind::Null`]).
    pub bytes: &'a [u8],
    /// The Connect schema in `JsonConverter`'s schema JSON, if the plugin gave one.
    pub schema: Option<&'a str>,
}

impl<'a> ConnectDataRef<'a> {
    /// A null without schema (serializes to a Kafka null).
    pub const NULL: ConnectDataRef<'static> = ConnectDataRef {
        kind: DataKind::Null,
        bytes: &[],
        schema: None,
    };

    /// UTF-8 text without schema.
    pub fn string(text: &'a str) -> Self {
        ConnectDataRef {
            kind: DataKind::String,
            bytes: text.as_bytes(),
            schema: None,
        }
    }

    /// JSON text without schema.
    pub fn json(text: &'a str) -> Self {
        ConnectDataRef {
            kind: DataKind::Json,
            bytes: text.as_bytes(),
            schema: None,
        }
    }

    /// Bytes without schema.
    pub fn bytes(bytes: &'a [u8]) -> Self {
        ConnectDataRef {
            kind: DataKind::Bytes,
            bytes,
            schema: None,
        }
    }

    /// The same data with a schema.
    pub fn with_schema(self, schema: &'a str) -> Self {
        ConnectDataRef {
            schema: Some(schema),
            ..self
        }
    }
}
