//! The config topic's record format, byte for byte as Kafka Connect's `KafkaConfigBackingStore`
//! writes it (keys are plain strings, values schemaless JSON), so Java workers can share the topic.
//!
//! | key                    | value                                                     |
//! |------------------------|-----------------------------------------------------------|
//! | `connector-<name>`     | `{"properties":{…}}`, tombstone = deleted                 |
//! | `task-<name>-<n>`      | `{"properties":{…}}`                                      |
//! | `commit-<name>`        | `{"tasks":N}`                                             |
//! | `target-state-<name>`  | `{"state":"STARTED\|PAUSED","state.v2":"STARTED\|PAUSED\|STOPPED"}` |
//! | `session-key`          | `{"key":"<base64>","algorithm":"HmacSHA256","creation-timestamp":ms}` |
//! | `restart-connector-<name>` | `{"include-tasks":bool,"only-failed":bool}`           |
//!
//! Values are written with their fields in the order of Java's schemas (`SESSION_KEY_V0`,
//! `RESTART_REQUEST_V0` in `KafkaConfigBackingStore`), so our records are byte-identical to a Java
//! worker's. Other keys (`tasks-fencing-*`, `logger-cluster-*`) are Java-only features; they decode
//! as [`ConfigRecord::Other`] and are skipped.
//!
//! A record that cannot be used is one of two kinds ([`DecodeError`]), because Java's config
//! offset counts them differently: a value that is not JSON fails Java's converter before the
//! record is counted, while any JSON value (or tombstone) is counted and only then found invalid.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use serde_json::{Map, Value, json};

use crate::runtime::status::TargetState;
use crate::runtime::stores::{ConfigMap, RestartRequest, SessionKey};

const CONNECTOR_PREFIX: &str = "connector-";
const TASK_PREFIX: &str = "task-";
const COMMIT_PREFIX: &str = "commit-";
const TARGET_STATE_PREFIX: &str = "target-state-";
const RESTART_PREFIX: &str = "restart-connector-";
const SESSION_KEY_KEY: &str = "session-key";

/// Java's `Base64.getDecoder()`: the standard alphabet, padding accepted but not required.
const JAVA_BASE64_DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Java's `recordToRestartRequest` defaults for a field that is absent or not a boolean
/// (`KafkaConfigBackingStore.INCLUDE_TASKS_DEFAULT`, `ONLY_FAILED_DEFAULT`).
const INCLUDE_TASKS_DEFAULT: bool = false;
const ONLY_FAILED_DEFAULT: bool = false;

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
    /// A session key (KIP-507); the newest one read is the group's current key.
    SessionKey(SessionKey),
    /// A restart request (KIP-745).
    Restart(RestartRequest),
    /// A key this worker does not use (Java-only features).
    Other(String),
}

/// Why a record is unusable; it is skipped either way (as Java does), but the two kinds count
/// differently toward the config offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The value is not JSON. Java's converter throws before the record is counted, so it does
    /// not advance the config offset.
    NotJson(String),
    /// The value is JSON (or a tombstone) but not a valid record for its key. Java counts such a
    /// record (the offset is advanced before the record is interpreted).
    Invalid(String),
}

impl DecodeError {
    /// Whether the record still advances the config offset (Java's
    /// `KafkaConfigBackingStore.ConsumeCallback`: every converted record does).
    pub(crate) fn counts(&self) -> bool {
        matches!(self, DecodeError::Invalid(_))
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::NotJson(why) | DecodeError::Invalid(why) => f.write_str(why),
        }
    }
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

/// `session-key`.
pub(crate) fn session_key_key() -> Vec<u8> {
    SESSION_KEY_KEY.as_bytes().to_vec()
}

/// `restart-connector-<name>`.
pub(crate) fn restart_key(connector: &str) -> Vec<u8> {
    format!("{RESTART_PREFIX}{connector}").into_bytes()
}

/// `{"key":…,"algorithm":…,"creation-timestamp":…}`, the key in padded standard Base64 (Java's
/// `Base64.getEncoder()`), fields in `SESSION_KEY_V0` order.
pub(crate) fn session_key_value(key: &SessionKey) -> Vec<u8> {
    to_bytes(&json!({
        "key": STANDARD.encode(&key.key),
        "algorithm": key.algorithm,
        "creation-timestamp": key.creation_timestamp,
    }))
}

/// `{"include-tasks":…,"only-failed":…}`, fields in `RESTART_REQUEST_V0` order.
pub(crate) fn restart_value(request: &RestartRequest) -> Vec<u8> {
    to_bytes(&json!({
        "include-tasks": request.include_tasks,
        "only-failed": request.only_failed,
    }))
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
pub(crate) fn decode(key: &[u8], value: Option<&[u8]>) -> Result<ConfigRecord, DecodeError> {
    use DecodeError::Invalid;
    let value = match value {
        None => None,
        // Java's converter reads empty content as a null value, the same as a tombstone.
        Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => None,
        Some(bytes) => Some(serde_json::from_slice::<Value>(bytes).map_err(|e| {
            let key = String::from_utf8_lossy(key);
            DecodeError::NotJson(format!("value of '{key}' is not JSON: {e}"))
        })?),
    };
    let key = std::str::from_utf8(key).map_err(|_| Invalid("key is not UTF-8".to_string()))?;
    // Same order of prefix tests as Kafka: `target-state-` before anything shorter.
    if let Some(connector) = key.strip_prefix(TARGET_STATE_PREFIX) {
        let state = value
            .map(|v| {
                decode_target_state(&v)
                    .ok_or_else(|| Invalid(format!("bad target state in '{key}'")))
            })
            .transpose()?;
        return Ok(ConfigRecord::TargetState {
            connector: connector.to_string(),
            state,
        });
    }
    if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
        let config = value
            .map(|v| {
                properties(&v).ok_or_else(|| Invalid(format!("'{key}' has no \"properties\" map")))
            })
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
            .ok_or_else(|| Invalid(format!("'{key}' is not a task key (task-<connector>-<n>)")))?;
        let value = value.ok_or_else(|| Invalid(format!("'{key}' is unexpectedly a tombstone")))?;
        let config = properties(&value)
            .ok_or_else(|| Invalid(format!("'{key}' has no \"properties\" map")))?;
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
            .ok_or_else(|| Invalid(format!("'{key}' has no \"tasks\" count")))?;
        return Ok(ConfigRecord::Commit {
            connector: connector.to_string(),
            tasks,
        });
    }
    if let Some(connector) = key.strip_prefix(RESTART_PREFIX) {
        return decode_restart(connector, value.as_ref()).map(ConfigRecord::Restart);
    }
    if key == SESSION_KEY_KEY {
        return decode_session_key(value.as_ref()).map(ConfigRecord::SessionKey);
    }
    Ok(ConfigRecord::Other(key.to_string()))
}

/// Java's `recordToRestartRequest`: the value must be an object; a field that is absent or not
/// a boolean takes its default (false), with a warning.
fn decode_restart(connector: &str, value: Option<&Value>) -> Result<RestartRequest, DecodeError> {
    let map = value.and_then(Value::as_object).ok_or_else(|| {
        DecodeError::Invalid(format!(
            "restart request for '{connector}' is not a JSON object (a tombstone?)"
        ))
    })?;
    let flag = |field: &str, default: bool| match map.get(field) {
        Some(Value::Bool(b)) => *b,
        other => {
            tracing::warn!(
                connector,
                "invalid data for restart request '{field}': should be a boolean but is {}, \
                 defaulting to {default}",
                other.map_or_else(|| "absent".to_string(), |v| v.to_string())
            );
            default
        }
    };
    Ok(RestartRequest {
        connector: connector.to_string(),
        include_tasks: flag("include-tasks", INCLUDE_TASKS_DEFAULT),
        only_failed: flag("only-failed", ONLY_FAILED_DEFAULT),
    })
}

/// Java's `processSessionKeyRecord`: an object with a Base64 `key`, an `algorithm` string and an
/// integer `creation-timestamp`; anything else (a tombstone included) is ignored.
fn decode_session_key(value: Option<&Value>) -> Result<SessionKey, DecodeError> {
    let invalid = |why: &str| DecodeError::Invalid(format!("ignoring the session key: {why}"));
    let map = value
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the value is not a JSON object (a tombstone?)"))?;
    let key = map
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("'key' is not a string"))?;
    let key = JAVA_BASE64_DECODER
        .decode(key)
        .map_err(|e| invalid(&format!("'key' is not Base64: {e}")))?;
    let algorithm = map
        .get("algorithm")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("'algorithm' is not a string"))?;
    // Java's converter reads JSON integers as longs and requires one here.
    let creation_timestamp = map
        .get("creation-timestamp")
        .filter(|v| v.is_i64())
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("'creation-timestamp' is not an integer"))?;
    Ok(SessionKey {
        key,
        algorithm: algorithm.to_string(),
        creation_timestamp,
    })
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
        for key in ["tasks-fencing-x", "logger-cluster-org.apache", "unknown"] {
            assert_eq!(
                decode(key.as_bytes(), Some(b"{}")),
                Ok(ConfigRecord::Other(key.into()))
            );
        }
        let invalid = |key: &[u8], value: Option<&[u8]>| {
            matches!(decode(key, value), Err(DecodeError::Invalid(_)))
        };
        assert!(invalid(b"task-nonumber", Some(br#"{"properties":{}}"#)));
        assert!(invalid(b"commit-x", Some(b"{}")));
        assert!(invalid(b"target-state-x", Some(br#"{"state":"RUNNING"}"#)));
        assert!(invalid(b"task-x-0", None));
        assert!(invalid(b"\xff", Some(b"{}")), "a key that is not UTF-8");
        assert!(matches!(
            decode(b"connector-x", Some(b"not json")),
            Err(DecodeError::NotJson(_))
        ));
        assert!(matches!(
            decode(b"\xff", Some(b"not json")),
            Err(DecodeError::NotJson(_))
        ));
    }

    #[test]
    fn an_empty_value_reads_as_a_tombstone_like_java() {
        for empty in [&b""[..], b" \n"] {
            assert_eq!(
                decode(b"connector-x", Some(empty)),
                Ok(ConfigRecord::Connector {
                    name: "x".into(),
                    config: None
                })
            );
        }
    }

    /// Only a value that is not JSON fails Java's converter before the record is counted.
    #[test]
    fn only_unconvertible_values_do_not_count() {
        assert!(!DecodeError::NotJson(String::new()).counts());
        assert!(DecodeError::Invalid(String::new()).counts());
    }

    fn session_key() -> SessionKey {
        SessionKey {
            key: (0u8..32).collect(),
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 1_795_553_618_593,
        }
    }

    #[test]
    fn session_key_is_written_as_java_writes_it() {
        assert_eq!(text(session_key_key()), "session-key");
        assert_eq!(
            text(session_key_value(&session_key())),
            r#"{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","algorithm":"HmacSHA256","creation-timestamp":1795553618593}"#
        );
        assert_eq!(
            decode(&session_key_key(), Some(&session_key_value(&session_key()))),
            Ok(ConfigRecord::SessionKey(session_key()))
        );
    }

    #[test]
    fn session_key_as_a_java_worker_wrote_it() {
        // From a Java Kafka Connect 4.3.1 config topic.
        let record = decode(
            b"session-key",
            Some(
                br#"{"key":"P7CsDBWvnGpof5h96JJkvaZM8MOF5bFG+G4N8aIzI70=","algorithm":"HmacSHA256","creation-timestamp":1795553618593}"#,
            ),
        );
        let Ok(ConfigRecord::SessionKey(key)) = record else {
            panic!("{record:?}");
        };
        assert_eq!(key.key.len(), 32);
        assert_eq!(key.algorithm, "HmacSHA256");
        assert_eq!(key.creation_timestamp, 1_795_553_618_593);
        // Java's decoder does not require padding; ours must not either.
        let unpadded = decode(
            b"session-key",
            Some(br#"{"key":"AAEC","algorithm":"HmacSHA256","creation-timestamp":1}"#),
        );
        assert!(matches!(unpadded, Ok(ConfigRecord::SessionKey(k)) if k.key == [0, 1, 2]));
        let unpadded = decode(
            b"session-key",
            Some(br#"{"key":"AAE","algorithm":"HmacSHA256","creation-timestamp":1}"#),
        );
        assert!(matches!(unpadded, Ok(ConfigRecord::SessionKey(k)) if k.key == [0, 1]));
    }

    #[test]
    fn invalid_session_keys_are_ignored_but_counted() {
        for value in [
            None,
            Some(&br#"[1]"#[..]),
            Some(br#"{"key":1,"algorithm":"HmacSHA256","creation-timestamp":1}"#),
            Some(br#"{"key":"!!","algorithm":"HmacSHA256","creation-timestamp":1}"#),
            Some(br#"{"key":"AAAA","creation-timestamp":1}"#),
            Some(br#"{"key":"AAAA","algorithm":"HmacSHA256","creation-timestamp":1.5}"#),
            Some(br#"{"key":"AAAA","algorithm":"HmacSHA256","creation-timestamp":"1"}"#),
        ] {
            assert!(
                matches!(decode(b"session-key", value), Err(DecodeError::Invalid(_))),
                "{:?}",
                value.map(String::from_utf8_lossy)
            );
        }
    }

    fn restart(connector: &str, include_tasks: bool, only_failed: bool) -> RestartRequest {
        RestartRequest {
            connector: connector.into(),
            include_tasks,
            only_failed,
        }
    }

    #[test]
    fn restart_requests_are_written_as_java_writes_them() {
        assert_eq!(text(restart_key("my-c")), "restart-connector-my-c");
        assert_eq!(
            text(restart_value(&restart("c", true, false))),
            r#"{"include-tasks":true,"only-failed":false}"#
        );
        for (include_tasks, only_failed) in
            [(false, false), (true, false), (false, true), (true, true)]
        {
            let request = restart("a-b", include_tasks, only_failed);
            assert_eq!(
                decode(&restart_key("a-b"), Some(&restart_value(&request))),
                Ok(ConfigRecord::Restart(request))
            );
        }
    }

    #[test]
    fn restart_fields_default_like_java() {
        for value in [
            &b"{}"[..],
            br#"{"include-tasks":"true","only-failed":1}"#,
            br#"{"include-tasks":null}"#,
        ] {
            assert_eq!(
                decode(b"restart-connector-c", Some(value)),
                Ok(ConfigRecord::Restart(restart("c", false, false)))
            );
        }
        assert_eq!(
            decode(b"restart-connector-c", Some(br#"{"only-failed":true}"#)),
            Ok(ConfigRecord::Restart(restart("c", false, true)))
        );
        assert!(matches!(
            decode(b"restart-connector-c", None),
            Err(DecodeError::Invalid(_))
        ));
        assert!(matches!(
            decode(b"restart-connector-c", Some(b"true")),
            Err(DecodeError::Invalid(_))
        ));
    }
}
