//! Config files → flat `key → value` string maps, chosen by extension: `.properties` (Java
//! semantics, see [`super::properties`]), `.yaml`/`.yml` and `.json`. Kafka Connect only knows
//! flat string maps, so YAML/JSON are flattened: nested objects join their keys with dots
//! (`{"offset":{"flush":{"interval":{"ms":1000}}}}` is `offset.flush.interval.ms=1000`),
//! scalars become their text, lists of scalars become comma lists (ConfigDef `LIST`).
//!
//! Connector files additionally come in the REST body shape `{"name":..,"config":{..}}`
//! (what `connect-standalone` accepts for `.json`), or flat with a `name` key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ConfigError;
use super::properties::parse_properties;

/// The formats a config file can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Java `.properties`.
    Properties,
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
}

impl FileFormat {
    /// The format named by a path's extension (case-insensitive), if any.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "properties" => Some(FileFormat::Properties),
            "yaml" | "yml" => Some(FileFormat::Yaml),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    }
}

/// Read a config file and flatten it to a string map (format chosen by extension).
pub fn load_file(path: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
    let (format, text) = read(path)?;
    parse_str(&text, format, &path.display().to_string())
}

/// Parse config text of a known format into a flat string map. `origin` names the source in
/// errors.
pub fn parse_str(
    text: &str,
    format: FileFormat,
    origin: &str,
) -> Result<BTreeMap<String, String>, ConfigError> {
    match format {
        FileFormat::Properties => parse_properties(text, origin),
        FileFormat::Yaml | FileFormat::Json => {
            let tree = parse_tree(text, format, origin)?;
            let Value::Object(map) = tree else {
                return Err(not_a_map(origin, &tree));
            };
            let mut out = BTreeMap::new();
            flatten_into(&mut out, "", &map, origin)?;
            Ok(out)
        }
    }
}

/// Read a connector config file: `.properties` or flat JSON/YAML with a `name` key, or the
/// REST body shape `{"name": "...", "config": {...}}`. Returns the connector name (trimmed, as
/// `POST /connectors` does) and its config, which always contains `name`.
pub fn load_connector_file(path: &Path) -> Result<(String, BTreeMap<String, String>), ConfigError> {
    let (format, text) = read(path)?;
    parse_connector_str(&text, format, &path.display().to_string())
}

/// [`load_connector_file`] on text already in memory.
pub fn parse_connector_str(
    text: &str,
    format: FileFormat,
    origin: &str,
) -> Result<(String, BTreeMap<String, String>), ConfigError> {
    let (outer_name, mut config) = match format {
        FileFormat::Properties => (None, parse_properties(text, origin)?),
        FileFormat::Yaml | FileFormat::Json => {
            let tree = parse_tree(text, format, origin)?;
            let Value::Object(map) = tree else {
                return Err(not_a_map(origin, &tree));
            };
            if is_request_shape(&map) {
                request_shape(map, origin)?
            } else {
                let mut out = BTreeMap::new();
                flatten_into(&mut out, "", &map, origin)?;
                (None, out)
            }
        }
    };
    let inner_name = config.get("name").map(|n| n.trim().to_string());
    let name = match (outer_name, inner_name) {
        (Some(outer), Some(inner)) if outer != inner => {
            return Err(ConfigError::Shape {
                origin: origin.to_string(),
                message: format!(
                    "Connector name configuration ({inner}) doesn't match connector name in the request ({outer}); \
                     make \"name\" and \"config\".\"name\" the same, or drop the inner one"
                ),
            });
        }
        (Some(name), _) | (None, Some(name)) => name,
        (None, None) => {
            return Err(ConfigError::MissingConnectorName {
                origin: origin.to_string(),
            });
        }
    };
    if name.is_empty() {
        return Err(ConfigError::MissingConnectorName {
            origin: origin.to_string(),
        });
    }
    config.insert("name".to_string(), name.clone());
    Ok((name, config))
}

fn read(path: &Path) -> Result<(FileFormat, String), ConfigError> {
    let format = FileFormat::from_path(path).ok_or_else(|| ConfigError::UnsupportedFormat {
        path: PathBuf::from(path),
    })?;
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: PathBuf::from(path),
        source,
    })?;
    Ok((format, text))
}

fn parse_tree(text: &str, format: FileFormat, origin: &str) -> Result<Value, ConfigError> {
    let parsed = match format {
        FileFormat::Json => serde_json::from_str::<Value>(text).map_err(|e| e.to_string()),
        _ => serde_yaml_ng::from_str::<Value>(text).map_err(|e| e.to_string()),
    };
    parsed.map_err(|message| ConfigError::Parse {
        origin: origin.to_string(),
        message: format!(
            "not valid {}: {message}",
            if format == FileFormat::Json {
                "JSON"
            } else {
                "YAML"
            }
        ),
    })
}

fn not_a_map(origin: &str, found: &Value) -> ConfigError {
    ConfigError::Shape {
        origin: origin.to_string(),
        message: format!(
            "the top level must be a map of settings, but it is {}",
            describe(found)
        ),
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// `{"name": .., "config": {..}}` (plus the optional `initial_state` of `POST /connectors`).
fn is_request_shape(map: &serde_json::Map<String, Value>) -> bool {
    matches!(map.get("config"), Some(Value::Object(_)))
        && map
            .keys()
            .all(|k| matches!(k.as_str(), "name" | "config" | "initial_state"))
}

fn request_shape(
    mut map: serde_json::Map<String, Value>,
    origin: &str,
) -> Result<(Option<String>, BTreeMap<String, String>), ConfigError> {
    if let Some(state) = map.get("initial_state") {
        return Err(ConfigError::Shape {
            origin: origin.to_string(),
            message: format!(
                "\"initial_state\" ({state}) is not supported in connector files; remove it, \
                 and pause or stop the connector through the REST API instead"
            ),
        });
    }
    let name = match map.remove("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(other) => {
            return Err(ConfigError::Shape {
                origin: origin.to_string(),
                message: format!("\"name\" must be a string, but it is {}", describe(&other)),
            });
        }
    };
    let Some(Value::Object(config)) = map.remove("config") else {
        unreachable!("checked by is_request_shape")
    };
    let mut out = BTreeMap::new();
    flatten_into(&mut out, "", &config, origin)?;
    Ok((name, out))
}

fn flatten_into(
    out: &mut BTreeMap<String, String>,
    prefix: &str,
    map: &serde_json::Map<String, Value>,
    origin: &str,
) -> Result<(), ConfigError> {
    for (k, v) in map {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let text = match v {
            Value::Object(inner) => {
                flatten_into(out, &key, inner, origin)?;
                continue;
            }
            Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    parts.push(scalar_text(item).ok_or_else(|| ConfigError::Shape {
                        origin: origin.to_string(),
                        message: format!(
                            "`{key}` is a list containing {}; lists may only hold strings, numbers or booleans \
                             (they become a comma-separated value)",
                            describe(item)
                        ),
                    })?);
                }
                parts.join(",")
            }
            Value::Null => {
                return Err(ConfigError::Shape {
                    origin: origin.to_string(),
                    message: format!(
                        "`{key}` has no value (null); write \"\" for an empty value, or remove the key"
                    ),
                });
            }
            scalar => scalar_text(scalar).unwrap_or_default(),
        };
        if out.insert(key.clone(), text).is_some() {
            return Err(ConfigError::Shape {
                origin: origin.to_string(),
                message: format!("`{key}` is set twice (once nested, once with dots); keep one"),
            });
        }
    }
    Ok(())
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(
            FileFormat::from_path(Path::new("w.properties")),
            Some(FileFormat::Properties)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("w.YML")),
            Some(FileFormat::Yaml)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("w.yaml")),
            Some(FileFormat::Yaml)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("c.json")),
            Some(FileFormat::Json)
        );
        assert_eq!(FileFormat::from_path(Path::new("c.conf")), None);
        let e = load_file(Path::new("worker.conf")).unwrap_err();
        assert!(
            e.to_string()
                .contains("name it *.properties, *.yaml, *.yml or *.json"),
            "{e}"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = load_file(Path::new("no/such/worker.properties")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("cannot read config file `no/such/worker.properties`"),
            "{msg}"
        );
    }

    #[test]
    fn yaml_is_flattened_with_dots() {
        let text = "bootstrap.servers: k:9092\noffset:\n  flush:\n    interval:\n      ms: 10000\n\
                    key.converter:\n  schemas.enable: false\nplugin.path:\n  - /a\n  - /b\n";
        let m = parse_str(text, FileFormat::Yaml, "w.yaml").unwrap();
        assert_eq!(m["bootstrap.servers"], "k:9092");
        assert_eq!(m["offset.flush.interval.ms"], "10000");
        assert_eq!(m["key.converter.schemas.enable"], "false");
        assert_eq!(m["plugin.path"], "/a,/b");
    }

    #[test]
    fn json_scalars_become_text() {
        let m = parse_str(
            r#"{"a":1,"b":true,"c":"x","d":{"e":1.5},"f":["x",2]}"#,
            FileFormat::Json,
            "j",
        )
        .unwrap();
        assert_eq!(
            (m["a"].as_str(), m["b"].as_str(), m["c"].as_str()),
            ("1", "true", "x")
        );
        assert_eq!((m["d.e"].as_str(), m["f"].as_str()), ("1.5", "x,2"));
    }

    #[test]
    fn shapes_that_cannot_be_flat_maps_are_rejected() {
        let e = parse_str("[1,2]", FileFormat::Json, "j.json").unwrap_err();
        assert!(
            e.to_string()
                .contains("top level must be a map of settings, but it is a list"),
            "{e}"
        );
        let e = parse_str(r#"{"a":[{"x":1}]}"#, FileFormat::Json, "j.json").unwrap_err();
        assert!(
            e.to_string().contains("`a` is a list containing a map"),
            "{e}"
        );
        let e = parse_str(r#"{"a":null}"#, FileFormat::Json, "j.json").unwrap_err();
        assert!(e.to_string().contains("`a` has no value (null)"), "{e}");
        let e = parse_str(r#"{"a":{"b":1},"a.b":2}"#, FileFormat::Json, "j.json").unwrap_err();
        assert!(e.to_string().contains("`a.b` is set twice"), "{e}");
        let e = parse_str("{", FileFormat::Json, "j.json").unwrap_err();
        assert!(e.to_string().starts_with("j.json: not valid JSON:"), "{e}");
        let e = parse_str("a: [", FileFormat::Yaml, "w.yaml").unwrap_err();
        assert!(e.to_string().starts_with("w.yaml: not valid YAML:"), "{e}");
    }

    #[test]
    fn connector_file_in_rest_body_shape() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "es.json",
            r#"{"name":" elasticsearch-sink ","config":{"connector.class":"ElasticsearchSink","tasks.max":"1","topics":"coupang"}}"#,
        );
        let (name, config) = load_connector_file(&p).unwrap();
        assert_eq!(name, "elasticsearch-sink");
        assert_eq!(config["name"], "elasticsearch-sink");
        assert_eq!(config["topics"], "coupang");
        assert_eq!(config["tasks.max"], "1");
    }

    #[test]
    fn connector_file_flat_forms() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "c.json",
            r#"{"name":"fs","connector.class":"FileStreamSink","tasks.max":1}"#,
        );
        let (name, config) = load_connector_file(&p).unwrap();
        assert_eq!((name.as_str(), config["tasks.max"].as_str()), ("fs", "1"));

        let p = write(
            &dir,
            "c.properties",
            "name=fs2\nconnector.class=FileStreamSink\n",
        );
        let (name, config) = load_connector_file(&p).unwrap();
        assert_eq!(
            (name.as_str(), config["connector.class"].as_str()),
            ("fs2", "FileStreamSink")
        );

        // Nested YAML with a `config.*`-looking key is still a flat connector config.
        let p = write(
            &dir,
            "c.yaml",
            "name: y\nconnector:\n  class: X\nconfig:\n  action:\n    reload: none\n",
        );
        let (_, config) = load_connector_file(&p).unwrap();
        assert_eq!(config["config.action.reload"], "none");
        assert_eq!(config["connector.class"], "X");
    }

    #[test]
    fn connector_file_errors() {
        let e = parse_connector_str(
            "connector.class=X\n",
            FileFormat::Properties,
            "c.properties",
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::MissingConnectorName { .. }));
        let e = parse_connector_str(
            r#"{"name":"a","config":{"name":"b"}}"#,
            FileFormat::Json,
            "c.json",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("Connector name configuration (b) doesn't match"),
            "{e}"
        );
        let e = parse_connector_str(
            r#"{"name":"a","config":{},"initial_state":"PAUSED"}"#,
            FileFormat::Json,
            "c.json",
        )
        .unwrap_err();
        assert!(e.to_string().contains("initial_state"), "{e}");
        let (name, _) =
            parse_connector_str(r#"{"config":{"name":"inner"}}"#, FileFormat::Json, "c.json")
                .unwrap();
        assert_eq!(name, "inner");
    }
}
