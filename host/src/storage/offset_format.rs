//! Source offsets: the key and value format Kafka Connect uses for the offset topic and the
//! standalone offset file, and [`OffsetMap`], the in-memory table every offset store keeps.
//!
//! Key: the JSON array `["<connector>",{<source partition>}]`, value: `{<source offset>}` (null
//! = reset), both compact as `JsonConverter` (`schemas.enable=false`) writes them.
//!
//! Lookups compare partitions as JSON values (object key order does not matter, as Java compares
//! maps), while writes reuse the exact key bytes already stored for an equal partition, so a
//! rewrite replaces the old record under compaction instead of adding a differently-ordered twin.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// `["<connector>",<partition>]`, compact.
pub(crate) fn offset_key(connector: &str, partition: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!([connector, partition])).expect("a JSON value always serializes")
}

/// The offset, compact.
pub(crate) fn offset_value(offset: &Value) -> Vec<u8> {
    serde_json::to_vec(offset).expect("a JSON value always serializes")
}

/// Splits a key into connector name and source partition.
pub(crate) fn decode_key(key: &[u8]) -> Result<(String, Value), String> {
    let value: Value =
        serde_json::from_slice(key).map_err(|e| format!("offset key is not JSON: {e}"))?;
    match value {
        Value::Array(mut items) if items.len() == 2 => {
            let partition = items.pop().expect("two items");
            match items.pop() {
                Some(Value::String(connector)) => Ok((connector, partition)),
                _ => Err(format!(
                    "offset key {} does not start with the connector name",
                    String::from_utf8_lossy(key)
                )),
            }
        }
        _ => Err(format!(
            "offset key {} is not a [connector, partition] array",
            String::from_utf8_lossy(key)
        )),
    }
}

/// One stored offset, with the partition as it was first written.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    partition: Value,
    offset: Value,
}

/// Offsets by connector and source partition.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OffsetMap {
    /// connector → canonical partition text → entry.
    connectors: BTreeMap<String, BTreeMap<String, Entry>>,
}

impl OffsetMap {
    /// The offset stored for one partition.
    pub(crate) fn get(&self, connector: &str, partition: &Value) -> Option<Value> {
        self.connectors
            .get(connector)?
            .get(&canonical(partition))
            .map(|e| e.offset.clone())
    }

    /// Every (partition, offset) of a connector.
    pub(crate) fn connector_offsets(&self, connector: &str) -> Vec<(Value, Value)> {
        self.connectors
            .get(connector)
            .map(|entries| {
                entries
                    .values()
                    .map(|e| (e.partition.clone(), e.offset.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets (`Some`) or removes (`None`, or a JSON null) one partition's offset.
    pub(crate) fn set(&mut self, connector: &str, partition: &Value, offset: Option<Value>) {
        let id = canonical(partition);
        match offset.filter(|o| !o.is_null()) {
            Some(offset) => {
                let entries = self.connectors.entry(connector.to_string()).or_default();
                match entries.get_mut(&id) {
                    Some(entry) => entry.offset = offset,
                    None => {
                        entries.insert(
                            id,
                            Entry {
                                partition: partition.clone(),
                                offset,
                            },
                        );
                    }
                }
            }
            None => {
                if let Some(entries) = self.connectors.get_mut(connector) {
                    entries.remove(&id);
                    if entries.is_empty() {
                        self.connectors.remove(connector);
                    }
                }
            }
        }
    }

    /// The key bytes to write for a partition: the stored form if an equal partition is stored.
    pub(crate) fn key_bytes(&self, connector: &str, partition: &Value) -> Vec<u8> {
        let stored = self
            .connectors
            .get(connector)
            .and_then(|entries| entries.get(&canonical(partition)));
        offset_key(connector, stored.map_or(partition, |e| &e.partition))
    }

    /// Applies one stored record (`None` value = reset).
    pub(crate) fn apply_record(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), String> {
        let (connector, partition) = decode_key(key)?;
        let offset = match value {
            None => None,
            Some(bytes) => Some(serde_json::from_slice::<Value>(bytes).map_err(|e| {
                format!(
                    "offset value for key {} is not JSON: {e}",
                    String::from_utf8_lossy(key)
                )
            })?),
        };
        self.set(&connector, &partition, offset);
        Ok(())
    }

    /// Every stored offset as (key text, value text), for the standalone file.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.connectors.iter().flat_map(|(connector, entries)| {
            entries.values().map(move |e| {
                let key = String::from_utf8(offset_key(connector, &e.partition))
                    .expect("serde_json writes UTF-8");
                let value =
                    String::from_utf8(offset_value(&e.offset)).expect("serde_json writes UTF-8");
                (key, value)
            })
        })
    }
}

/// A text form equal for equal JSON values: object keys sorted at every level.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_value_match_json_converter() {
        let partition = json!({"filename": "in.txt"});
        assert_eq!(
            String::from_utf8(offset_key("file-source", &partition)).unwrap(),
            r#"["file-source",{"filename":"in.txt"}]"#
        );
        assert_eq!(
            String::from_utf8(offset_value(&json!({"position": 42}))).unwrap(),
            r#"{"position":42}"#
        );
        assert_eq!(
            decode_key(br#"["c",{"a":1}]"#).unwrap(),
            ("c".to_string(), json!({"a": 1}))
        );
        assert!(decode_key(br#"{"c":1}"#).is_err());
        assert!(decode_key(br#"[1,{}]"#).is_err());
    }

    #[test]
    fn lookups_ignore_key_order_and_writes_reuse_the_stored_form() {
        let mut map = OffsetMap::default();
        map.apply_record(br#"["c",{"b":1,"a":2}]"#, Some(br#"{"pos":1}"#))
            .unwrap();
        let reordered = json!({"a": 2, "b": 1});
        assert_eq!(map.get("c", &reordered), Some(json!({"pos": 1})));
        assert_eq!(
            String::from_utf8(map.key_bytes("c", &reordered)).unwrap(),
            r#"["c",{"b":1,"a":2}]"#
        );
        map.set("c", &reordered, Some(json!({"pos": 2})));
        assert_eq!(map.connector_offsets("c").len(), 1);
        assert_eq!(
            map.get("c", &json!({"b": 1, "a": 2})),
            Some(json!({"pos": 2}))
        );
    }

    #[test]
    fn tombstones_and_null_values_reset() {
        let mut map = OffsetMap::default();
        map.apply_record(br#"["c",{"p":1}]"#, Some(br#"{"o":1}"#))
            .unwrap();
        map.apply_record(br#"["c",{"p":1}]"#, None).unwrap();
        assert_eq!(map, OffsetMap::default());
        map.apply_record(br#"["c",{"p":1}]"#, Some(br#"{"o":1}"#))
            .unwrap();
        map.apply_record(br#"["c",{"p":1}]"#, Some(b"null"))
            .unwrap();
        assert!(map.connector_offsets("c").is_empty());
    }
}
