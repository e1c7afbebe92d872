//! From a record to a `_bulk` action: the destination (index, data stream or mapped resource),
//! the document id and version, the document itself, and the NDJSON lines. Also the mapping a
//! Connect schema implies. No I/O here.
//!
//! The lines never carry `_type` (OpenSearch 2 and Elasticsearch 8 reject it with HTTP 400).

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use connect_plugin_api::prelude::*;
use serde_json::{Map, Value, json};

use crate::config::{EsConfig, NullValues, ResourceUsage};

/// The bulk operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `index` (insert, replacing a document with the same id).
    Index,
    /// `create` (data streams).
    Create,
    /// `update` with `doc_as_upsert` (`write.method=upsert`).
    Update,
    /// `delete` (tombstones with `behavior.on.null.values=delete`).
    Delete,
}

/// One document write, before encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct DocAction {
    /// Operation.
    pub op: Op,
    /// Index, data stream or alias.
    pub index: String,
    /// Document id (`None`: Elasticsearch generates one).
    pub id: Option<String>,
    /// External version (the offset, or `external.version.header`).
    pub version: Option<i64>,
    /// `retry_on_conflict` for updates.
    pub retry_on_conflict: Option<u32>,
    /// The document: one line of compact JSON (none for deletes).
    pub source: Option<String>,
}

impl DocAction {
    /// Whether Elasticsearch checks an external version for this write (a version conflict then
    /// means "already written by a replay or a later record": success).
    pub fn versioned(&self) -> bool {
        self.version.is_some()
    }

    /// Appends the NDJSON lines (action line, then the source line if any), each ending in `\n`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let op = match self.op {
            Op::Index => "index",
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
        };
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(op.as_bytes());
        out.extend_from_slice(b"\":{\"_index\":");
        json_str(out, &self.index);
        if let Some(id) = &self.id {
            out.extend_from_slice(b",\"_id\":");
            json_str(out, id);
        }
        if let Some(v) = self.version {
            out.extend_from_slice(b",\"version\":");
            out.extend_from_slice(v.to_string().as_bytes());
            out.extend_from_slice(b",\"version_type\":\"external\"");
        }
        if let Some(r) = self.retry_on_conflict {
            out.extend_from_slice(b",\"retry_on_conflict\":");
            out.extend_from_slice(r.to_string().as_bytes());
        }
        out.extend_from_slice(b"}}\n");
        if let Some(src) = &self.source {
            if self.op == Op::Update {
                out.extend_from_slice(b"{\"doc\":");
                out.extend_from_slice(src.as_bytes());
                out.extend_from_slice(b",\"doc_as_upsert\":true}\n");
            } else {
                out.extend_from_slice(src.as_bytes());
                out.push(b'\n');
            }
        }
    }
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// What to do with one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Converted {
    /// Send this.
    Write(DocAction),
    /// Nothing to send; the record is handled. `report`: hand it to the errant-record reporter
    /// when one is configured (Confluent ≥11 does so for ignored tombstones).
    Skip {
        /// Why.
        reason: String,
        /// Report it.
        report: bool,
    },
    /// Cannot be converted (Confluent's `DataException`): `drop.invalid.message` applies.
    Invalid(String),
    /// A document Elasticsearch would reject: `behavior.on.malformed.documents` applies.
    Malformed(String),
    /// A configuration problem: the task cannot go on.
    Fatal(String),
}

/// `record from topic=… partition=… offset=…`, as Confluent's messages say.
pub fn record_string(r: &RecordView<'_>) -> String {
    format!(
        "record from topic={} partition={} offset={}",
        r.topic(),
        r.partition(),
        r.offset()
    )
}

// ------------------------------------------------------------------------------------------------
// Destinations

/// Index name for a topic, as Confluent ≥11 derives it: lower-cased, at most 255 characters, one
/// leading `-` or `_` dropped, `.`/`..` → `dot`/`dotdot`.
pub fn sanitize_index(topic: &str) -> String {
    let mut index = topic.to_lowercase();
    if index.chars().count() > 255 {
        index = index.chars().take(255).collect();
    }
    if index.starts_with('-') || index.starts_with('_') {
        index.remove(0);
    }
    if index == "." || index == ".." {
        index = index.replace('.', "dot");
    }
    index
}

/// `{type}-{dataset}-{namespace}` with `${topic}` → the lower-cased topic (namespace ≤ 100 chars).
pub fn data_stream_name(cfg: &EsConfig, topic: &str) -> String {
    let ty = match cfg.data_stream_type {
        crate::config::DataStreamType::Logs => "logs",
        crate::config::DataStreamType::Metrics => "metrics",
        crate::config::DataStreamType::None => "none",
    };
    let mut namespace = cfg
        .data_stream_namespace
        .replace("${topic}", &topic.to_lowercase());
    if namespace.chars().count() > 100 {
        namespace = namespace.chars().take(100).collect();
    }
    format!("{ty}-{}-{namespace}", cfg.data_stream_dataset)
}

/// Where a topic's records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// Index, data stream or alias name.
    pub name: String,
    /// It is a data stream (created with `PUT _data_stream`, written with `create`).
    pub data_stream: bool,
    /// The connector may create it (false for mapped external resources).
    pub create: bool,
}

/// The destination of `topic`'s records.
pub fn destination(cfg: &EsConfig, topic: &str) -> Result<Destination, String> {
    if cfg.resource_usage != ResourceUsage::Disabled {
        return match cfg.topic_resources.get(topic) {
            Some(name) => Ok(Destination {
                name: name.clone(),
                data_stream: cfg.is_data_stream(),
                create: false,
            }),
            None => Err(format!(
                "Topic '{topic}' is not mapped to any resource. All topics must be mapped when using topic-to-resource mapping configuration. Please check the 'topic.to.external.resource.mapping' configuration to ensure all topics are properly mapped."
            )),
        };
    }
    if cfg.is_data_stream() {
        return Ok(Destination {
            name: data_stream_name(cfg, topic),
            data_stream: true,
            create: true,
        });
    }
    let name = match cfg.topic_index_map.get(topic) {
        Some(index) => index.clone(),
        None => sanitize_index(topic),
    };
    Ok(Destination {
        name,
        data_stream: false,
        create: true,
    })
}

// ------------------------------------------------------------------------------------------------
// Ids

fn connect_type_name(ty: &str) -> String {
    match ty {
        "float" => "FLOAT32".into(),
        "double" => "FLOAT64".into(),
        other => other.to_ascii_uppercase(),
    }
}

/// The document id from a record key (Confluent's `convertKey`): string and integer keys only.
pub fn key_to_id(key: &DataView<'_>) -> Result<String, String> {
    const NULL: &str = "Key is used as document id and can not be null.";
    const EMPTY: &str = "Key is used as document id and can not be empty.";
    let unsupported = |t: &str| format!("{t} is not supported as the document id.");
    if key.kind == DataKind::NULL {
        return Err(NULL.into());
    }
    if key.kind == DataKind::STRING {
        let s = String::from_utf8_lossy(key.bytes);
        return if s.is_empty() {
            Err(EMPTY.into())
        } else {
            Ok(s.into_owned())
        };
    }
    if key.kind != DataKind::JSON {
        return Err(unsupported("BYTES"));
    }
    let schema_type = key
        .schema
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|s| s.get("type").and_then(Value::as_str).map(str::to_owned));
    if let Some(t) = &schema_type
        && !matches!(t.as_str(), "int8" | "int16" | "int32" | "int64" | "string")
    {
        return Err(unsupported(&connect_type_name(t)));
    }
    let v: Value = serde_json::from_slice(key.bytes)
        .map_err(|e| format!("The record key is not valid JSON ({e})."))?;
    match v {
        Value::Null => Err(NULL.into()),
        Value::String(s) if s.is_empty() => Err(EMPTY.into()),
        Value::String(s) => Ok(s),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        Value::Number(_) => Err(unsupported("FLOAT64")),
        Value::Bool(_) => Err(unsupported("BOOLEAN")),
        Value::Array(_) => Err(unsupported("ARRAY")),
        Value::Object(_) => Err(unsupported(if schema_type.is_some() {
            "STRUCT"
        } else {
            "MAP"
        })),
    }
}

fn header_version(r: &RecordView<'_>, header: &str) -> Result<i64, String> {
    let err = || {
        format!(
            "Error converting external version header '{header}' to long for {}",
            record_string(r)
        )
    };
    let (_, v) = r
        .headers()
        .filter(|(k, _)| *k == header)
        .last()
        .ok_or_else(err)?;
    let text = std::str::from_utf8(v.bytes).map_err(|_| err())?;
    text.trim()
        .trim_matches('"')
        .parse::<i64>()
        .map_err(|_| err())
}

// ------------------------------------------------------------------------------------------------
// Documents

/// Parses Connect schemas once per distinct schema text.
#[derive(Default)]
pub struct SchemaCache {
    parsed: HashMap<String, Arc<Value>>,
}

impl SchemaCache {
    /// The parsed schema, or `None` when the text is not JSON.
    pub fn get(&mut self, text: &str) -> Option<Arc<Value>> {
        if let Some(v) = self.parsed.get(text) {
            return Some(v.clone());
        }
        let v = Arc::new(serde_json::from_str::<Value>(text).ok()?);
        if self.parsed.len() >= 256 {
            self.parsed.clear();
        }
        self.parsed.insert(text.to_owned(), v.clone());
        Some(v)
    }
}

fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}

fn first_non_ws(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Turns a record value into one line of JSON (an object), or says why it cannot be a document.
/// `schema`: the value's Connect schema when the schema is not ignored for this topic.
fn document(
    cfg: &EsConfig,
    r: &RecordView<'_>,
    schema: Option<&Value>,
) -> Result<String, Converted> {
    let value = r.value();
    let not_object = |kind: &str| {
        Converted::Malformed(format!(
            "Top level payload contains data of Json type {kind}. Required Json object ({}).",
            record_string(r)
        ))
    };
    let mut parsed: Option<Value> = None;
    let text: &[u8] = match value.kind {
        DataKind::JSON => value.bytes,
        DataKind::STRING => {
            // StringConverter: usable only when the text is a JSON object.
            match serde_json::from_slice::<Value>(value.bytes) {
                Ok(v @ Value::Object(_)) => {
                    parsed = Some(v);
                    value.bytes
                }
                Ok(v) => return Err(not_object(json_type_name(&v))),
                Err(_) => {
                    return Err(Converted::Malformed(format!(
                        "The value of {} is a plain string (StringConverter) that is not a JSON object, and Elasticsearch only indexes JSON objects (it would answer mapper_parsing_exception/not_x_content_exception). Produce JSON objects and use org.apache.kafka.connect.json.JsonConverter (value.converter.schemas.enable=false for plain JSON), or StringConverter with JSON-object text.",
                        record_string(r)
                    )));
                }
            }
        }
        _ => {
            return Err(Converted::Invalid(format!(
                "The value of {} is raw bytes (ByteArrayConverter) and cannot be indexed as a document. Use org.apache.kafka.connect.json.JsonConverter (value.converter.schemas.enable=false for plain JSON) or StringConverter with JSON-object text.",
                record_string(r)
            )));
        }
    };

    let needs_tree = schema.is_some() || cfg.is_data_stream();
    if !needs_tree {
        if first_non_ws(text) != Some(b'{') {
            let kind = serde_json::from_slice::<Value>(text)
                .map(|v| json_type_name(&v))
                .unwrap_or("INVALID");
            return Err(not_object(kind));
        }
        // NDJSON: a document must be one line. JSON text from the converter usually is.
        if !text.contains(&b'\n') && !text.contains(&b'\r') {
            return Ok(String::from_utf8_lossy(text).into_owned());
        }
    }
    let mut v = match parsed {
        Some(v) => v,
        None => serde_json::from_slice::<Value>(text).map_err(|e| {
            Converted::Invalid(format!(
                "The value of {} is not valid JSON: {e}",
                record_string(r)
            ))
        })?,
    };
    if let Some(schema) = schema {
        v = preprocess(v, schema, cfg.compact_map_entries);
    }
    let Value::Object(mut obj) = v else {
        return Err(not_object(json_type_name(&v)));
    };
    if cfg.is_data_stream() {
        add_timestamp(cfg, r, &mut obj);
    }
    Ok(Value::Object(obj).to_string())
}

fn add_timestamp(cfg: &EsConfig, r: &RecordView<'_>, obj: &mut Map<String, Value>) {
    if cfg.data_stream_timestamp_fields.is_empty() {
        let ts = r.timestamp().unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        });
        obj.insert("@timestamp".into(), json!(ts));
        return;
    }
    for field in &cfg.data_stream_timestamp_fields {
        if let Some(v) = obj.get(field) {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            obj.insert("@timestamp".into(), Value::String(text));
            return;
        }
        tracing::debug!(
            "Timestamp field {field} is not present in payload. This record may fail or be skipped"
        );
    }
}

const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
const DATE: &str = "org.apache.kafka.connect.data.Date";
const TIME: &str = "org.apache.kafka.connect.data.Time";
const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
const MS_PER_DAY: i64 = 86_400_000;

fn decimal_to_f64(v: &Value, schema: &Value) -> Value {
    let scale: i32 = schema
        .get("parameters")
        .and_then(|p| p.get("scale"))
        .and_then(|s| {
            s.as_str()
                .and_then(|s| s.parse().ok())
                .or(s.as_i64().map(|n| n as i32))
        })
        .unwrap_or(0);
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => {
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s) else {
                return v.clone();
            };
            // Unscaled value: big-endian two's complement.
            let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
            let mut unscaled = 0f64;
            for b in &bytes {
                let b = if negative { !b } else { *b };
                unscaled = unscaled * 256.0 + b as f64;
            }
            if negative {
                unscaled = -(unscaled + 1.0);
            }
            json!(unscaled / 10f64.powi(scale))
        }
        _ => v.clone(),
    }
}

/// Applies Confluent's pre-processing of a value with its Connect schema: Decimal → double,
/// Date (days) → epoch milliseconds, maps per `compact.map.entries`, nulls → schema defaults.
pub fn preprocess(v: Value, schema: &Value, compact: bool) -> Value {
    if v.is_null() {
        return match schema.get("default") {
            Some(d) if !d.is_null() => preprocess(d.clone(), schema, compact),
            _ => Value::Null,
        };
    }
    match schema.get("name").and_then(Value::as_str) {
        Some(DECIMAL) => return decimal_to_f64(&v, schema),
        Some(DATE) => {
            return match v.as_i64() {
                Some(days) => json!(days * MS_PER_DAY),
                None => v,
            };
        }
        Some(TIME) | Some(TIMESTAMP) => return v,
        _ => {}
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => match (v, schema.get("items")) {
            (Value::Array(items), Some(item_schema)) => Value::Array(
                items
                    .into_iter()
                    .map(|i| preprocess(i, item_schema, compact))
                    .collect(),
            ),
            (v, _) => v,
        },
        Some("struct") => match v {
            Value::Object(mut obj) => {
                if let Some(fields) = schema.get("fields").and_then(Value::as_array) {
                    for f in fields {
                        let Some(name) = f.get("field").and_then(Value::as_str) else {
                            continue;
                        };
                        let fv = obj.remove(name).unwrap_or(Value::Null);
                        obj.insert(name.to_owned(), preprocess(fv, f, compact));
                    }
                }
                Value::Object(obj)
            }
            v => v,
        },
        Some("map") => {
            let null = Value::Null;
            let key_schema = schema.get("keys").unwrap_or(&null);
            let value_schema = schema.get("values").unwrap_or(&null);
            let string_keys = key_schema.get("type").and_then(Value::as_str) == Some("string");
            let entries: Vec<(Value, Value)> = match v {
                Value::Object(obj) => obj
                    .into_iter()
                    .map(|(k, v)| (Value::String(k), v))
                    .collect(),
                Value::Array(pairs) => pairs
                    .into_iter()
                    .filter_map(|p| match p {
                        Value::Array(mut kv) if kv.len() == 2 => {
                            let v = kv.pop()?;
                            let k = kv.pop()?;
                            Some((k, v))
                        }
                        _ => None,
                    })
                    .collect(),
                v => return v,
            };
            if compact && string_keys {
                let mut out = Map::new();
                for (k, v) in entries {
                    let k = match k {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.insert(k, preprocess(v, value_schema, compact));
                }
                Value::Object(out)
            } else {
                Value::Array(
                    entries
                        .into_iter()
                        .map(|(k, v)| {
                            json!({
                                "key": preprocess(k, key_schema, compact),
                                "value": preprocess(v, value_schema, compact),
                            })
                        })
                        .collect(),
                )
            }
        }
        _ => v,
    }
}

// ------------------------------------------------------------------------------------------------
// Mappings

fn es_type(connect_type: &str) -> Option<&'static str> {
    Some(match connect_type {
        "boolean" => "boolean",
        "int8" => "byte",
        "int16" => "short",
        "int32" => "integer",
        "int64" => "long",
        "float" => "float",
        "double" => "double",
        "string" => "text",
        "bytes" => "binary",
        _ => return None,
    })
}

fn primitive_mapping(ty: &str, default: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    if ty == "text" {
        m.insert(
            "fields".into(),
            json!({"keyword": {"type": "keyword", "ignore_above": 256}}),
        );
    }
    if let Some(d) = default
        && !d.is_null()
        && !matches!(ty, "text" | "binary")
    {
        m.insert("null_value".into(), d);
    }
    Value::Object(m)
}

fn field_mapping(schema: &Value) -> Result<Value, String> {
    let default = schema.get("default").cloned();
    match schema.get("name").and_then(Value::as_str) {
        Some(DATE) | Some(TIME) | Some(TIMESTAMP) => {
            let d =
                default.map(
                    |d| match (schema.get("name").and_then(Value::as_str), d.as_i64()) {
                        (Some(DATE), Some(days)) => json!(days * MS_PER_DAY),
                        _ => d,
                    },
                );
            return Ok(primitive_mapping("date", d));
        }
        Some(DECIMAL) => {
            return Ok(primitive_mapping(
                "double",
                default.map(|d| decimal_to_f64(&d, schema)),
            ));
        }
        _ => {}
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "array" => field_mapping(schema.get("items").unwrap_or(&Value::Null)),
        "map" => Ok(json!({"properties": {
            "key": field_mapping(schema.get("keys").unwrap_or(&Value::Null))?,
            "value": field_mapping(schema.get("values").unwrap_or(&Value::Null))?,
        }})),
        "struct" => {
            let mut props = Map::new();
            for f in schema
                .get("fields")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let name = f.get("field").and_then(Value::as_str).unwrap_or("");
                props.insert(name.to_owned(), field_mapping(f)?);
            }
            Ok(json!({ "properties": props }))
        }
        "" => Err("Cannot infer mapping without schema.".into()),
        other => match es_type(other) {
            Some(t) => Ok(primitive_mapping(t, default)),
            None => Err(format!("Invalid primitive type {other}.")),
        },
    }
}

/// The index mapping a value schema implies (Confluent's `Mapping.buildMapping`). Only struct
/// schemas make a mapping; anything else cannot be a document.
pub fn mapping_for_schema(schema: &Value) -> Result<Value, String> {
    match schema.get("type").and_then(Value::as_str) {
        Some("struct") => field_mapping(schema),
        Some(other) => Err(format!(
            "Cannot infer a mapping from a {} value schema: only struct values can be documents.",
            connect_type_name(other)
        )),
        None => Err("Cannot infer mapping without schema.".into()),
    }
}

// ------------------------------------------------------------------------------------------------
// Records

/// Converts one record for `dest` (Confluent's `DataConverter.convertRecord`).
/// `schema`: the value's parsed Connect schema when the schema is not ignored for its topic.
pub fn convert(
    cfg: &EsConfig,
    r: &RecordView<'_>,
    dest: &Destination,
    schema: Option<&Value>,
) -> Converted {
    let topic = r.topic();
    let value = r.value();
    if value.is_null() {
        match cfg.null_values {
            NullValues::Ignore => {
                return Converted::Skip {
                    reason: "Cannot write null valued record.".into(),
                    report: true,
                };
            }
            NullValues::Delete if r.key().is_null() => {
                return Converted::Skip {
                    reason: "null value with a null key: nothing to delete".into(),
                    report: false,
                };
            }
            NullValues::Delete => {}
            NullValues::Fail => {
                return Converted::Invalid(format!(
                    "{} has a null value (to ignore future records like this change the configuration property 'behavior.on.null.values' from 'FAIL' to 'IGNORE')",
                    record_string(r)
                ));
            }
        }
    }
    let ignore_key = cfg.ignore_key(topic);
    let id = if ignore_key {
        format!("{topic}+{}+{}", r.partition(), r.offset())
    } else {
        match key_to_id(&r.key()) {
            Ok(id) => id,
            Err(e) => return Converted::Invalid(format!("{e} ({})", record_string(r))),
        }
    };
    let version = if !dest.data_stream && !ignore_key {
        match &cfg.version_header {
            Some(h) => match header_version(r, h) {
                Ok(v) => Some(v),
                Err(e) => return Converted::Invalid(e),
            },
            None => Some(r.offset()),
        }
    } else {
        None
    };
    if value.is_null() {
        return Converted::Write(DocAction {
            op: Op::Delete,
            index: dest.name.clone(),
            id: Some(id),
            version,
            retry_on_conflict: None,
            source: None,
        });
    }
    let source = match document(cfg, r, schema) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let action = if cfg.upsert {
        DocAction {
            op: Op::Update,
            index: dest.name.clone(),
            id: Some(id),
            version: None,
            retry_on_conflict: Some(cfg.max_in_flight.min(5) as u32),
            source: Some(source),
        }
    } else {
        let autogen = cfg.autogenerated_ids;
        DocAction {
            op: if dest.data_stream {
                Op::Create
            } else {
                Op::Index
            },
            index: dest.name.clone(),
            id: (!autogen).then_some(id),
            version: if autogen { None } else { version },
            retry_on_conflict: None,
            source: Some(source),
        }
    };
    Converted::Write(action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_plugin_api::abi::types::TimestampType;
    use connect_plugin_api::batch::{Data, RecordPosition};

    fn cfg(pairs: &[(&str, &str)]) -> EsConfig {
        let mut m: connect_plugin_api::sdk::config::ConfigMap = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        m.entry("connection.url".into())
            .or_insert_with(|| "http://127.0.0.1:9200".into());
        EsConfig::parse(&m).unwrap()
    }

    fn batch(key: Data<'_>, value: Data<'_>) -> RecordBatch {
        let mut b = RecordBatch::new();
        b.push(
            RecordPosition {
                topic: "Orders",
                partition: 3,
                offset: 42,
                timestamp: Some((1_700_000_000_000, TimestampType::CREATE_TIME)),
            },
            key,
            value,
            &[("ver", Data::string("7"))],
        )
        .unwrap();
        b
    }

    fn convert_one(c: &EsConfig, b: &RecordBatch) -> Converted {
        let r = b.get(0).unwrap();
        let dest = destination(c, r.topic()).unwrap();
        convert(c, &r, &dest, None)
    }

    fn lines(a: &DocAction) -> String {
        let mut out = Vec::new();
        a.encode(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn index_names_are_sanitised_like_confluent() {
        assert_eq!(sanitize_index("Orders"), "orders");
        assert_eq!(sanitize_index("_private"), "private");
        assert_eq!(sanitize_index("-x"), "x");
        assert_eq!(sanitize_index("."), "dot");
        assert_eq!(sanitize_index(".."), "dotdot");
        assert_eq!(sanitize_index(&"A".repeat(300)).len(), 255);
        let c = cfg(&[("topic.index.map", "Orders:custom-index")]);
        assert_eq!(destination(&c, "Orders").unwrap().name, "custom-index");
        let c = cfg(&[("data.stream.type", "LOGS"), ("data.stream.dataset", "app")]);
        let d = destination(&c, "My.Topic").unwrap();
        assert_eq!(d.name, "logs-app-my.topic");
        assert!(d.data_stream);
    }

    #[test]
    fn key_ignore_ids_are_topic_partition_offset_without_version() {
        let c = cfg(&[("key.ignore", "true"), ("schema.ignore", "true")]);
        let b = batch(Data::NULL, Data::json(r#"{"a":1}"#));
        let Converted::Write(a) = convert_one(&c, &b) else {
            panic!()
        };
        assert_eq!(a.id.as_deref(), Some("Orders+3+42"));
        assert_eq!(a.version, None);
        assert_eq!(
            lines(&a),
            "{\"index\":{\"_index\":\"orders\",\"_id\":\"Orders+3+42\"}}\n{\"a\":1}\n"
        );
    }

    #[test]
    fn key_ids_carry_external_version_and_never_type() {
        let c = cfg(&[("schema.ignore", "true"), ("type.name", "kafka-connect")]);
        for (key, id) in [
            (Data::string("k-1"), "k-1"),
            (Data::json("\"k\\\"2\""), "k\"2"),
            (Data::json("12345"), "12345"),
        ] {
            let b = batch(key, Data::json(r#"{"a":1}"#));
            let Converted::Write(a) = convert_one(&c, &b) else {
                panic!()
            };
            assert_eq!(a.id.as_deref(), Some(id));
            let l = lines(&a);
            assert!(
                l.contains("\"version\":42,\"version_type\":\"external\""),
                "{l}"
            );
            assert!(!l.contains("\"_type\""), "{l}");
        }
        let c = cfg(&[
            ("schema.ignore", "true"),
            ("external.version.header", "ver"),
        ]);
        let b = batch(Data::string("k"), Data::json(r#"{"a":1}"#));
        let Converted::Write(a) = convert_one(&c, &b) else {
            panic!()
        };
        assert_eq!(a.version, Some(7));
    }

    #[test]
    fn bad_keys_are_invalid_with_confluent_messages() {
        let c = cfg(&[("schema.ignore", "true")]);
        for (key, msg) in [
            (
                Data::NULL,
                "Key is used as document id and can not be null.",
            ),
            (
                Data::string(""),
                "Key is used as document id and can not be empty.",
            ),
            (
                Data::json(r#"{"id":1}"#),
                "MAP is not supported as the document id.",
            ),
            (
                Data::json("1.5"),
                "FLOAT64 is not supported as the document id.",
            ),
            (
                Data::bytes(b"\x01"),
                "BYTES is not supported as the document id.",
            ),
        ] {
            let b = batch(key, Data::json(r#"{"a":1}"#));
            match convert_one(&c, &b) {
                Converted::Invalid(m) => assert!(m.starts_with(msg), "{m}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn values_must_be_json_objects() {
        let c = cfg(&[("key.ignore", "true"), ("schema.ignore", "true")]);
        // String holding a JSON object: accepted.
        let b = batch(Data::NULL, Data::string(r#" {"s":"x"} "#));
        assert!(matches!(convert_one(&c, &b), Converted::Write(_)));
        // Plain text: malformed, explained.
        let b = batch(Data::NULL, Data::string("hello"));
        assert!(
            matches!(convert_one(&c, &b), Converted::Malformed(m) if m.contains("StringConverter"))
        );
        // JSON array: malformed.
        let b = batch(Data::NULL, Data::json("[1,2]"));
        assert!(matches!(convert_one(&c, &b), Converted::Malformed(m) if m.contains("ARRAY")));
        // Bytes: invalid.
        let b = batch(Data::NULL, Data::bytes(b"{}"));
        assert!(
            matches!(convert_one(&c, &b), Converted::Invalid(m) if m.contains("ByteArrayConverter"))
        );
        // Multi-line JSON is re-serialised on one line.
        let b = batch(Data::NULL, Data::json("{\n \"a\": 1\n}"));
        let Converted::Write(a) = convert_one(&c, &b) else {
            panic!()
        };
        assert_eq!(a.source.as_deref(), Some("{\"a\":1}"));
    }

    #[test]
    fn null_values_follow_behavior() {
        let b = batch(Data::string("k"), Data::NULL);
        let c = cfg(&[("behavior.on.null.values", "ignore")]);
        assert!(matches!(
            convert_one(&c, &b),
            Converted::Skip { report: true, .. }
        ));
        let c = cfg(&[("behavior.on.null.values", "fail")]);
        assert!(
            matches!(convert_one(&c, &b), Converted::Invalid(m) if m.contains("has a null value"))
        );
        let c = cfg(&[("behavior.on.null.values", "delete")]);
        let Converted::Write(a) = convert_one(&c, &b) else {
            panic!()
        };
        assert_eq!(
            lines(&a),
            "{\"delete\":{\"_index\":\"orders\",\"_id\":\"k\",\"version\":42,\"version_type\":\"external\"}}\n"
        );
        let b = batch(Data::NULL, Data::NULL);
        assert!(matches!(
            convert_one(&c, &b),
            Converted::Skip { report: false, .. }
        ));
    }

    #[test]
    fn upserts_and_data_streams() {
        let c = cfg(&[("write.method", "upsert"), ("schema.ignore", "true")]);
        let b = batch(Data::string("k"), Data::json(r#"{"a":1}"#));
        let Converted::Write(a) = convert_one(&c, &b) else {
            panic!()
        };
        assert_eq!(
            lines(&a),
            "{\"update\":{\"_index\":\"orders\",\"_id\":\"k\",\"retry_on_conflict\":5}}\n{\"doc\":{\"a\":1},\"doc_as_upsert\":true}\n"
        );
        let c = cfg(&[
            ("data.stream.type", "logs"),
            ("data.stream.dataset", "app"),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
        ]);
        let Converted::Write(a) = convert_one(&c, &b) else {
            panic!()
        };
        assert_eq!(a.op, Op::Create);
        assert_eq!(a.version, None);
        assert_eq!(
            lines(&a),
            "{\"create\":{\"_index\":\"logs-app-orders\",\"_id\":\"Orders+3+42\"}}\n{\"a\":1,\"@timestamp\":1700000000000}\n"
        );
    }

    #[test]
    fn schema_mapping_and_preprocessing() {
        let schema: Value = serde_json::from_str(
            r#"{"type":"struct","fields":[
              {"field":"id","type":"int64","optional":false},
              {"field":"name","type":"string","optional":true},
              {"field":"tags","type":"array","items":{"type":"string"},"optional":true},
              {"field":"attrs","type":"map","keys":{"type":"string"},"values":{"type":"int32"},"optional":true},
              {"field":"day","type":"int32","name":"org.apache.kafka.connect.data.Date","optional":true},
              {"field":"amount","type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"},"optional":true},
              {"field":"n","type":"int32","optional":true,"default":7}]}"#,
        )
        .unwrap();
        let m = mapping_for_schema(&schema).unwrap();
        assert_eq!(m["properties"]["id"], json!({"type":"long"}));
        assert_eq!(
            m["properties"]["name"]["fields"]["keyword"]["ignore_above"],
            json!(256)
        );
        assert_eq!(m["properties"]["tags"], m["properties"]["name"]);
        assert_eq!(
            m["properties"]["attrs"]["properties"]["value"],
            json!({"type":"integer"})
        );
        assert_eq!(m["properties"]["day"], json!({"type":"date"}));
        assert_eq!(m["properties"]["amount"], json!({"type":"double"}));
        assert_eq!(
            m["properties"]["n"],
            json!({"type":"integer","null_value":7})
        );
        assert!(mapping_for_schema(&json!({"type":"string"})).is_err());

        // 300 = 0x012C → 3.00
        let v = json!({"id":1,"name":null,"attrs":{"x":1},"day":2,"amount":"ASw=","n":null});
        let out = preprocess(v.clone(), &schema, true);
        assert_eq!(out["amount"], json!(3.0));
        assert_eq!(out["day"], json!(2 * MS_PER_DAY));
        assert_eq!(out["n"], json!(7));
        assert_eq!(out["attrs"], json!({"x":1}));
        let out = preprocess(v, &schema, false);
        assert_eq!(out["attrs"], json!([{"key":"x","value":1}]));
        // Negative decimal: -1 = 0xFF.
        let d = json!({"type":"bytes","name":DECIMAL,"parameters":{"scale":"0"}});
        assert_eq!(preprocess(json!("/w=="), &d, true), json!(-1.0));
    }
}
