//! The status topic's record format, as Kafka Connect's `KafkaStatusBackingStore` writes it. The
//! view built from these records, with Java's generation rules, is in `status_state`.
//!
//! | key                                      | value                                                          |
//! |------------------------------------------|----------------------------------------------------------------|
//! | `status-connector-<name>`                | `{"state":"RUNNING","trace":null,"worker_id":"h:8083","generation":N}` |
//! | `status-task-<name>-<n>`                 | same shape                                                     |
//! | `status-topic-<topic>:connector-<name>`  | `{"topic":{"name":…,"connector":…,"task":N,"discoverTimestamp":ms}}` |
//!
//! A tombstone deletes the key (a deleted connector, a reset topic set).

use serde_json::{Value, json};

use crate::runtime::status::{State, Status};

const CONNECTOR_PREFIX: &str = "status-connector-";
const TASK_PREFIX: &str = "status-task-";
const TOPIC_PREFIX: &str = "status-topic-";
const TOPIC_SEPARATOR: &str = ":connector-";

/// `status-connector-<name>`.
pub(crate) fn connector_key(name: &str) -> Vec<u8> {
    format!("{CONNECTOR_PREFIX}{name}").into_bytes()
}

/// `status-task-<name>-<n>`.
pub(crate) fn task_key(connector: &str, task: u32) -> Vec<u8> {
    format!("{TASK_PREFIX}{connector}-{task}").into_bytes()
}

/// `status-topic-<topic>:connector-<name>`.
pub(crate) fn topic_key(topic: &str, connector: &str) -> Vec<u8> {
    format!("{TOPIC_PREFIX}{topic}{TOPIC_SEPARATOR}{connector}").into_bytes()
}

/// `{"state":…,"trace":…,"worker_id":…,"generation":…}`, fields in Kafka's order.
pub(crate) fn status_value(status: &Status) -> Vec<u8> {
    to_bytes(&json!({
        "state": status.state.as_str(),
        "trace": status.trace,
        "worker_id": status.worker_id,
        "generation": status.generation,
    }))
}

/// `{"topic":{"name":…,"connector":…,"task":…,"discoverTimestamp":…}}`.
pub(crate) fn topic_value(topic: &str, connector: &str, task: u32, discovered_ms: i64) -> Vec<u8> {
    to_bytes(&json!({
        "topic": {
            "name": topic,
            "connector": connector,
            "task": task,
            "discoverTimestamp": discovered_ms,
        }
    }))
}

/// One decoded status-topic record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StatusRecord {
    /// A connector's status; `None` deletes it.
    Connector {
        name: String,
        status: Option<Status>,
    },
    /// A task's status; `None` deletes it.
    Task {
        connector: String,
        task: u32,
        status: Option<Status>,
    },
    /// A topic a connector used; `present: false` forgets it.
    Topic {
        topic: String,
        connector: String,
        present: bool,
    },
}

/// Decodes one record; `Err` says why it is unusable (it is then skipped, as Kafka does).
pub(crate) fn decode(key: &[u8], value: Option<&[u8]>) -> Result<StatusRecord, String> {
    let key = std::str::from_utf8(key).map_err(|_| "key is not UTF-8".to_string())?;
    let status = |value: Option<&[u8]>| -> Result<Option<Status>, String> {
        value
            .map(|bytes| decode_status(bytes).ok_or_else(|| format!("bad status value in '{key}'")))
            .transpose()
    };
    if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
        return Ok(StatusRecord::Connector {
            name: name.to_string(),
            status: status(value)?,
        });
    }
    if let Some(rest) = key.strip_prefix(TASK_PREFIX) {
        let (connector, task) = rest
            .rsplit_once('-')
            .and_then(|(c, n)| Some((c, n.parse::<u32>().ok()?)))
            .ok_or_else(|| format!("'{key}' is not a task status key"))?;
        return Ok(StatusRecord::Task {
            connector: connector.to_string(),
            task,
            status: status(value)?,
        });
    }
    if let Some(rest) = key.strip_prefix(TOPIC_PREFIX) {
        let (topic, connector) = rest
            .split_once(TOPIC_SEPARATOR)
            .filter(|(t, c)| !t.is_empty() && !c.is_empty())
            .ok_or_else(|| format!("'{key}' is not a topic status key"))?;
        return Ok(StatusRecord::Topic {
            topic: topic.to_string(),
            connector: connector.to_string(),
            present: value.is_some(),
        });
    }
    Err(format!("unknown status key '{key}'"))
}

fn decode_status(bytes: &[u8]) -> Option<Status> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let state: State = serde_json::from_value(value.get("state")?.clone()).ok()?;
    Some(Status {
        state,
        trace: value
            .get("trace")
            .and_then(Value::as_str)
            .map(str::to_string),
        worker_id: value.get("worker_id")?.as_str()?.to_string(),
        generation: i32::try_from(value.get("generation")?.as_i64()?).ok()?,
    })
}

fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(generation: i32) -> Status {
        Status {
            state: State::Running,
            trace: None,
            worker_id: "h:8083".into(),
            generation,
        }
    }

    #[test]
    fn keys_and_values_match_kafka_connect() {
        assert_eq!(connector_key("c"), b"status-connector-c");
        assert_eq!(task_key("my-c", 2), b"status-task-my-c-2");
        assert_eq!(
            topic_key("orders", "my-c"),
            b"status-topic-orders:connector-my-c"
        );
        assert_eq!(
            String::from_utf8(status_value(&running(7))).unwrap(),
            r#"{"state":"RUNNING","trace":null,"worker_id":"h:8083","generation":7}"#
        );
        let failed = Status {
            state: State::Failed,
            trace: Some("boom\n\tat x".into()),
            ..running(1)
        };
        assert_eq!(
            String::from_utf8(status_value(&failed)).unwrap(),
            r#"{"state":"FAILED","trace":"boom\n\tat x","worker_id":"h:8083","generation":1}"#
        );
        assert_eq!(
            String::from_utf8(topic_value("orders", "my-c", 0, 1700000000000)).unwrap(),
            r#"{"topic":{"name":"orders","connector":"my-c","task":0,"discoverTimestamp":1700000000000}}"#
        );
    }

    #[test]
    fn decodes_what_it_encodes() {
        assert_eq!(
            decode(&task_key("my-c", 2), Some(&status_value(&running(3)))),
            Ok(StatusRecord::Task {
                connector: "my-c".into(),
                task: 2,
                status: Some(running(3))
            })
        );
        assert_eq!(
            decode(&connector_key("c"), None),
            Ok(StatusRecord::Connector {
                name: "c".into(),
                status: None
            })
        );
        assert_eq!(
            decode(&topic_key("a.b", "c"), Some(&topic_value("a.b", "c", 0, 1))),
            Ok(StatusRecord::Topic {
                topic: "a.b".into(),
                connector: "c".into(),
                present: true
            })
        );
        assert!(decode(b"status-topic-:connector-c", Some(b"{}")).is_err());
        assert!(decode(b"something-else", Some(b"{}")).is_err());
    }

    #[test]
    fn reads_statuses_written_by_java_connect() {
        // As a Java Kafka Connect 4.3.1 worker wrote them; 4.x adds the connector's "version".
        let record = decode(
            b"status-task-probe-sink-0",
            Some(
                br#"{"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:18083","generation":3,"version":"4.3.1"}"#,
            ),
        )
        .unwrap();
        assert_eq!(
            record,
            StatusRecord::Task {
                connector: "probe-sink".into(),
                task: 0,
                status: Some(Status {
                    state: State::Running,
                    trace: None,
                    worker_id: "127.0.0.1:18083".into(),
                    generation: 3,
                })
            }
        );
        let unassigned = decode(
            b"status-connector-probe-sink",
            Some(
                br#"{"state":"UNASSIGNED","trace":null,"worker_id":"127.0.0.1:18083","generation":3,"version":null}"#,
            ),
        )
        .unwrap();
        assert!(matches!(
            unassigned,
            StatusRecord::Connector {
                status: Some(Status {
                    state: State::Unassigned,
                    ..
                }),
                ..
            }
        ));
    }
}
