//! `org.apache.kafka.connect.json.JsonConverter` (contract §5.1). Settings: `schemas.enable`
//! (default true), `schemas.cache.size` (1000), `decimal.format` (BASE64|NUMERIC),
//! `replace.null.with.default` (true).
//!
//! Reading with `schemas.enable=true` requires exactly the `{"schema":..,"payload":..}`
//! envelope (Kafka's error text otherwise); the payload is checked against the schema and
//! re-emitted per the schema. With `schemas.enable=false` the JSON is only validated and its
//! bytes copied (the hot path of the seed's schemaless ES sink). A top-level JSON string becomes
//! [`DataKind::String`], `null` (or empty input) [`DataKind::Null`], anything else
//! [`DataKind::Json`].
//!
//! Writing wraps the payload in the envelope when `schemas.enable=true` (`"schema":null`
//! without a schema). Only a null without schema becomes a Kafka null (tombstone); as in Kafka,
//! a null *with* a schema is written as JSON `null` (or the envelope).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;

use super::json_text::{Node, decode_str, first_value, object_members, write_json_string};
use super::normalize::{BASE64, Direction, Normalizer};
use super::schema::{DECIMAL, Type};
use super::schema_cache::{CachedSchema, SchemaCache};
use super::settings::Settings;
use super::{ConnectDataRef, ConvertError, Converted, Converter, DataKind};

/// Kafka Connect's message when the envelope is missing or has extra fields.
pub const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not \
                                  contain additional fields. If you are trying to deserialize plain JSON data, set \
                                  schemas.enable=false in your converter configuration.";

const SETTINGS: &[&str] = &[
    "schemas.enable",
    "schemas.cache.size",
    "decimal.format",
    "replace.null.with.default",
];

/// The JSON converter.
pub struct JsonConverter {
    schemas_enable: bool,
    normalizer: Normalizer,
    cache: SchemaCache,
}

impl JsonConverter {
    /// Configure from settings (prefix stripped); `is_key` only affects error messages.
    pub fn new(
        settings: &BTreeMap<String, String>,
        is_key: bool,
    ) -> Result<JsonConverter, ConvertError> {
        let s = Settings::new("JsonConverter", settings, is_key, SETTINGS)?;
        let schemas_enable = s.bool("schemas.enable", true)?;
        let cache_size = s.int("schemas.cache.size", 1000)?;
        let normalizer = Normalizer {
            decimal_numeric: s.one_of("decimal.format", &["BASE64", "NUMERIC"], "BASE64")?
                == "NUMERIC",
            replace_null_with_default: s.bool("replace.null.with.default", true)?,
        };
        Ok(JsonConverter {
            schemas_enable,
            normalizer,
            cache: SchemaCache::new(usize::try_from(cache_size).unwrap_or(0), normalizer),
        })
    }

    fn schemaless(text: &str, arena: &mut Vec<u8>) -> Converted {
        let start = arena.len();
        let kind = match text.as_bytes().first() {
            Some(b'n') => DataKind::Null,
            Some(b'"') => {
                arena.extend_from_slice(decode_str(text).as_bytes());
                DataKind::String
            }
            _ => {
                arena.extend_from_slice(text.as_bytes());
                DataKind::Json
            }
        };
        Converted {
            kind,
            start,
            len: arena.len() - start,
            schema: None,
        }
    }

    fn with_schema(
        &self,
        topic: &str,
        schema: &CachedSchema,
        payload: &str,
        arena: &mut Vec<u8>,
    ) -> Result<Converted, ConvertError> {
        let node = Node::parse(payload);
        let start = arena.len();
        self.normalizer
            .write(&schema.schema, Some(&node), Direction::ToConnect, arena)
            .map_err(|m| {
                ConvertError::data(
                    topic,
                    format!(
                        "{m}. The record's \"payload\" does not match its own \"schema\": fix the producer so that they agree"
                    ),
                )
            })?;
        let kind = if &arena[start..] == b"null" {
            arena.truncate(start);
            DataKind::Null
        } else if schema.schema.logical().is_none()
            && matches!(schema.schema.ty, Type::String | Type::Bytes)
        {
            // A Connect string/bytes value: hand over the text/bytes, not their JSON form.
            let json = String::from_utf8_lossy(&arena[start..]).into_owned();
            arena.truncate(start);
            let text = decode_str(&json);
            if schema.schema.ty == Type::String {
                arena.extend_from_slice(text.as_bytes());
                DataKind::String
            } else {
                let bytes = BASE64
                    .decode(text.as_bytes())
                    .map_err(|_| ConvertError::data(topic, "Invalid bytes field"))?;
                arena.extend_from_slice(&bytes);
                DataKind::Bytes
            }
        } else {
            DataKind::Json
        };
        Ok(Converted {
            kind,
            start,
            len: arena.len() - start,
            schema: Some(Arc::clone(&schema.text)),
        })
    }

    fn schema_for(
        &self,
        topic: &str,
        raw: &str,
        direction: Direction,
    ) -> Result<Option<Arc<CachedSchema>>, ConvertError> {
        self.cache.get(raw).map_err(|m| match direction {
            Direction::ToConnect => ConvertError::data(topic, m),
            Direction::FromConnect => ConvertError::data(
                topic,
                format!("Invalid Connect schema from the connector: {m}"),
            ),
        })
    }

    /// The JSON payload of `data` under `schema`, appended to `out`.
    fn payload(
        &self,
        topic: &str,
        data: &ConnectDataRef<'_>,
        schema: Option<&CachedSchema>,
        out: &mut Vec<u8>,
    ) -> Result<(), ConvertError> {
        let fail = |m: String| ConvertError::data(topic, m);
        let type_error = |java: &str| {
            let ty = schema.map_or("unknown schema", |s| s.schema.ty.java_name());
            fail(format!("Invalid type for {ty}: {java}"))
        };
        match (data.kind, schema) {
            (DataKind::Null, None) => out.extend_from_slice(b"null"),
            (DataKind::Null, Some(s)) => self
                .normalizer
                .write(&s.schema, None, Direction::FromConnect, out)
                .map_err(fail)?,
            (DataKind::String, s) => {
                if s.is_some_and(|s| s.schema.ty != Type::String) {
                    return Err(type_error("class java.lang.String"));
                }
                write_json_string(&String::from_utf8_lossy(data.bytes), out);
            }
            (DataKind::Bytes, None) => write_json_string(&BASE64.encode(data.bytes), out),
            (DataKind::Bytes, Some(s)) => match (&s.schema.ty, s.schema.name.as_deref()) {
                (Type::Bytes, Some(DECIMAL)) => self
                    .normalizer
                    .write_decimal_bytes(&s.schema, data.bytes, out)
                    .map_err(fail)?,
                (Type::Bytes, _) => write_json_string(&BASE64.encode(data.bytes), out),
                _ => return Err(type_error("class [B")),
            },
            (DataKind::Json, s) => {
                let text = first_value(data.bytes)
                    .map_err(|e| fail(format!("Converting Kafka Connect data to byte[] failed due to serialization error: the connector gave invalid JSON: {e}")))?
                    .unwrap_or("null");
                match s {
                    None => out.extend_from_slice(text.as_bytes()),
                    Some(s) => self
                        .normalizer
                        .write(
                            &s.schema,
                            Some(&Node::parse(text)),
                            Direction::FromConnect,
                            out,
                        )
                        .map_err(fail)?,
                }
            }
        }
        Ok(())
    }
}

impl Converter for JsonConverter {
    fn to_connect(
        &self,
        topic: &str,
        input: Option<&[u8]>,
        arena: &mut Vec<u8>,
    ) -> Result<Converted, ConvertError> {
        let Some(bytes) = input else {
            return Ok(Converted {
                kind: DataKind::Null,
                start: arena.len(),
                len: 0,
                schema: None,
            });
        };
        let value = first_value(bytes).map_err(|e| {
            ConvertError::data(
                topic,
                format!("Converting byte[] to Kafka Connect data failed due to serialization error: {e} (topic `{topic}`). The record is not valid JSON: fix its producer, or read the topic with a converter for its format (org.apache.kafka.connect.storage.StringConverter, org.apache.kafka.connect.converters.ByteArrayConverter)"),
            )
        })?;
        if !self.schemas_enable {
            return Ok(match value {
                Some(text) => Self::schemaless(text, arena),
                None => Converted {
                    kind: DataKind::Null,
                    start: arena.len(),
                    len: 0,
                    schema: None,
                },
            });
        }
        let envelope = value.and_then(object_members).and_then(|members| {
            let (mut schema, mut payload, mut others) = (None, None, 0);
            for (key, raw) in members {
                match decode_str(key).as_ref() {
                    "schema" => schema = Some(raw),
                    "payload" => payload = Some(raw),
                    _ => others += 1,
                }
            }
            (others == 0).then_some(())?;
            Some((schema?, payload?))
        });
        let Some((schema_raw, payload)) = envelope else {
            return Err(ConvertError::data(topic, ENVELOPE_ERROR));
        };
        match self.schema_for(topic, schema_raw, Direction::ToConnect)? {
            None => Ok(Self::schemaless(payload, arena)),
            Some(schema) => self.with_schema(topic, &schema, payload, arena),
        }
    }

    fn from_connect(
        &self,
        topic: &str,
        data: &ConnectDataRef<'_>,
        out: &mut Vec<u8>,
    ) -> Result<bool, ConvertError> {
        let schema = match data.schema {
            Some(raw) => self.schema_for(topic, raw, Direction::FromConnect)?,
            None => None,
        };
        if data.kind == DataKind::Null && schema.is_none() {
            return Ok(false);
        }
        let start = out.len();
        if self.schemas_enable {
            out.extend_from_slice(b"{\"schema\":");
            match &schema {
                Some(s) => out.extend_from_slice(s.text.as_bytes()),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
        }
        if let Err(e) = self.payload(topic, data, schema.as_deref(), out) {
            out.truncate(start);
            return Err(e);
        }
        if self.schemas_enable {
            out.push(b'}');
        }
        Ok(true)
    }
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
