//! The config topic's record format, byte for byte as Kafka Connect's `KafkaConfigBackingStore`
//! writes it (keys are plain strings, values schemaless JSON), so Java workers can share the topic.
//!
//! | key                    | value                                                     |
//! |------------------------|-----------------------------------------------------------|
//! | `connector-<name>`     | `{"properties":{…}}`, tombstone = deleted                 |
//! | `task-<name>-<n>`      | `{"properties":{…}}`                                      |
//! | `commit-<name>`        | `{"tasks":N}`                                             |
//! | `target-state-<name>`  | `{"state":"STARTED\|PAUSED","state.v2":"STARTED\|PAUSED\|STOPPED"}` |
//!
//! Other keys (`session-key`, `restart-connector-*`, `tasks-fencing-*`, `logger-cluster-*`) are
//! Java-only features; they decode as [`ConfigRecord::Other`] and are skipped.

use serde_json::{Map, Value, json};

use crate::runtime::status::TargetState;
use crate::runtime::stores::ConfigMap;

const CONNECTOR_PREFIX: &str = "connector-";
const TASK_PREFIX: &str = "task-";
const COMMIT_PREFIX: &str = "commit-";
const TARGET_STATE_PREFIX: &str = "target-state-";

/// One decoded config-topic record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigRecord {
    /// A connector's configuration; `None` deletes the connector.
    Connector {
        name: String,
        config: Option<ConfigMap>,
    },
    /// One task's configuration, pending until the connector's next commit.
    Task {
        connector: String,
        task: u32,
        config: ConfigMap,
    },
    /// Applies the pending task configurations `0..tasks`.
    Commit { connector: String, tasks: u32 },
    /// A connector's target state; `None` removes it (written when a connector is deleted).
    TargetState {
        connector: String,
        state: Option<TargetState>,
    },
    /// A key this worker does not use (Java-only features).
    Other(String),
}

/// `connector-<name>`.
pub(crate) fn connector_key(name: &str) -> Vec<u8> {
    format!("{CONNECTOR_PREFIX}{name}").into_bytes()
}

/// `task-<name>-<n>`.
pub(crate) fn task_key(connector: &str, task: usize) -> Vec<u8> {
    format!("{TASK_PREFIX}{connector}-{task}").into_bytes()
}

/// `commit-<name>`.
pub(crate) fn commit_key(connector: &str) -> Vec<u8> {
    format!("{COMMIT_PREFIX}{connector}").into_bytes()
}

/// `target-state-<name>`.
pub(crate) fn target_state_key(connector: &str) -> Vec<u8> {
    format!("{TARGET_STATE_PREFIX}{connector}").into_bytes()
}

/// `{"properties":{…}}`, for connector and task configurations alike.
pub(crate) fn properties_value(config: &ConfigMap) -> Vec<u8> {
    let properties: Map<String, Value> = config
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    to_bytes(&json!({ "properties": properties }))
}

/// `{"tasks":N}`.
pub(crate) fn commit_value(tasks: usize) -> Vec<u8> {
    to_bytes(&json!({ "tasks": tasks }))
}

/// `{"state":…,"state.v2":…}`; `STOPPED` is `"state":"PAUSED"` for workers that predate it.
pub(crate) fn target_state_value(state: TargetState) -> Vec<u8> {
    let legacy = match state {
        TargetState::Stopped => TargetState::Paused,
        other => other,
    };
    to_bytes(&json!({ "state": legacy.as_str(), "state.v2": state.as_str() }))
}

/// Decodes one record; `Err` says why it is unusable (it is then skipped, as Kafka does).
pub(crate) fn decode(key: &[u8], value: Option<&[u8]>) -> Result<ConfigRecord, String> {
    let key = std::str::from_utf8(key).map_err(|_| "key is not UTF-8".to_string())?;
    let value = match value {
        None => None,
        Some(bytes) => Some(
            serde_json::from_slice::<Value>(bytes)
                .map_err(|e| format!("value of '{key}' is not JSON: {e}"))?,
        ),
    };
    // Same order of prefix tests as Kafka: `target-state-` before anything shorter.
    if let Some(connector) = key.strip_prefix(TARGET_STATE_PREFIX) {
        let state = value
            .map(|v| decode_target_state(&v).ok_or_else(|| format!("bad target state in '{key}'")))
            .transpose()?;
        return Ok(ConfigRecord::TargetState {
            connector: connector.to_string(),
            state,
        });
    }
    if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
        let config = value
            .map(|v| properties(&v).ok_or_else(|| format!("'{key}' has no \"properties\" map")))
            .transpose()?;
        return Ok(ConfigRecord::Connector {
            name: name.to_string(),
            config,
        });
    }
    if let Some(rest) = key.strip_prefix(TASK_PREFIX) {
        let (connector, task) = rest
            .rsplit_once('-')
            .and_then(|(c, n)| Some((c, n.parse::<u32>().ok()?)))
            .ok_or_else(|| format!("'{key}' is not a task key (task-<connector>-<n>)"))?;
        let value = value.ok_or_else(|| format!("'{key}' is unexpectedly a tombstone"))?;
        let config =
            properties(&value).ok_or_else(|| format!("'{key}' has no \"properties\" map"))?;
        return Ok(ConfigRecord::Task {
            connector: connector.to_string(),
            task,
            config,
        });
    }
    if let Some(connector) = key.strip_prefix(COMMIT_PREFIX) {
        let tasks = value
            .as_ref()
            .and_then(|v| v.get("tasks"))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("'{key}' has no \"tasks\" count"))?;
        return Ok(ConfigRecord::Commit {
            connector: connector.to_string(),
            tasks,
        });
    }
    Ok(ConfigRecord::Other(key.to_string()))
}

/// `state.v2` if present and valid-typed (newer workers), else `state`; names are exact.
fn decode_target_state(value: &Value) -> Option<TargetState> {
    let name = value
        .get("state.v2")
        .and_then(Value::as_str)
        .or_else(|| value.get("state").and_then(Value::as_str))?;
    match name {
        "STARTED" => Some(TargetState::Started),
        "PAUSED" => Some(TargetState::Paused),
        "STOPPED" => Some(TargetState::Stopped),
        _ => None,
    }
}

/// The `properties` map as strings; null values are dropped (Java allows them, we have no null).
fn properties(value: &Value) -> Option<ConfigMap> {
    let map = value.get("properties")?.as_object()?;
    Some(
        map.iter()
            .filter_map(|(k, v)| match v {
                Value::Null => None,
                Value::String(s) => Some((k.clone(), s.clone())),
                other => Some((k.clone(), other.to_string())),
            })
            .collect(),
    )
}

fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn keys_match_kafka_connect() {
        assert_eq!(text(connector_key("my-conn")), "connector-my-conn");
        assert_eq!(text(task_key("my-conn", 3)), "task-my-conn-3");
        assert_eq!(text(commit_key("my-conn")), "commit-my-conn");
        assert_eq!(text(target_state_key("my-conn")), "target-state-my-conn");
    }

    #[test]
    fn values_are_compact_schemaless_json() {
        let c = config(&[("connector.class", "FileStreamSink"), ("tasks.max", "2")]);
        assert_eq!(
            text(properties_value(&c)),
            r#"{"properties":{"connector.class":"FileStreamSink","tasks.max":"2"}}"#
        );
        assert_eq!(text(commit_value(2)), r#"{"tasks":2}"#);
        assert_eq!(
            text(target_state_value(TargetState::Started)),
            r#"{"state":"STARTED","state.v2":"STARTED"}"#
        );
        assert_eq!(
            text(target_state_value(TargetState::Paused)),
            r#"{"state":"PAUSED","state.v2":"PAUSED"}"#
        );
        assert_eq!(
            text(target_state_value(TargetState::Stopped)),
            r#"{"state":"PAUSED","state.v2":"STOPPED"}"#
        );
    }

    #[test]
    fn decodes_what_it_encodes() {
        let c = config(&[("a", "1")]);
        assert_eq!(
            decode(&connector_key("x"), Some(&properties_value(&c))),
            Ok(ConfigRecord::Connector {
                name: "x".into(),
                config: Some(c.clone())
            })
        );
        assert_eq!(
            decode(&connector_key("x"), None),
            Ok(ConfigRecord::Connector {
                name: "x".into(),
                config: None
            })
        );
        assert_eq!(
            decode(&task_key("a-b-c", 12), Some(&properties_value(&c))),
            Ok(ConfigRecord::Task {
                connector: "a-b-c".into(),
                task: 12,
                config: c
            })
        );
        assert_eq!(
            decode(&commit_key("x"), Some(&commit_value(3))),
            Ok(ConfigRecord::Commit {
                connector: "x".into(),
                tasks: 3
            })
        );
        for state in [
            TargetState::Started,
            TargetState::Paused,
            TargetState::Stopped,
        ] {
            assert_eq!(
                decode(&target_state_key("x"), Some(&target_state_value(state))),
                Ok(ConfigRecord::TargetState {
                    connector: "x".into(),
                    state: Some(state)
                })
            );
        }
    }

    #[test]
    fn old_target_state_without_v2_and_null_properties_are_understood() {
        assert_eq!(
            decode(b"target-state-x", Some(br#"{"state":"PAUSED"}"#)),
            Ok(ConfigRecord::TargetState {
                connector: "x".into(),
                state: Some(TargetState::Paused)
            })
        );
        assert_eq!(
            decode(
                b"connector-x",
                Some(br#"{"properties":{"a":"1","b":null}}"#)
            ),
            Ok(ConfigRecord::Connector {
                name: "x".into(),
                config: Some(config(&[("a", "1")]))
            })
        );
    }

    #[test]
    fn java_only_keys_are_other_and_garbage_is_an_error() {
        for key in [
            "session-key",
            "restart-connector-x",
            "tasks-fencing-x",
            "logger-cluster-org.apache",
        ] {
            assert_eq!(
                decode(key.as_bytes(), Some(b"{}")),
                Ok(ConfigRecord::Other(key.into()))
            );
        }
        assert!(decode(b"task-nonumber", Some(br#"{"properties":{}}"#)).is_err());
        assert!(decode(b"commit-x", Some(b"{}")).is_err());
        assert!(decode(b"connector-x", Some(b"not json")).is_err());
        assert!(decode(b"target-state-x", Some(br#"{"state":"RUNNING"}"#)).is_err());
    }
}
