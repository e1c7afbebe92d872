//! The entities the control API returns, in Kafka Connect's exact JSON shapes
//! (`ConnectorInfo`, `TaskInfo`, `ConnectorOffsets`, `PluginInfo`, `ConfigInfos`, `ServerInfo`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::stores::{ConfigMap, SessionKey};
use crate::config::ConfigKeyInfo;

/// `{"connector":"a","task":0}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectorTaskId {
    /// Connector name.
    pub connector: String,
    /// Task number.
    pub task: u32,
}

/// `GET /connectors/{c}` and the create/update responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// Connector name.
    pub name: String,
    /// Its configuration.
    pub config: ConfigMap,
    /// Its tasks.
    pub tasks: Vec<ConnectorTaskId>,
    /// `sink`, `source` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// One entry of `GET /connectors/{c}/tasks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// Which task.
    pub id: ConnectorTaskId,
    /// Its configuration (with `task.class`).
    pub config: ConfigMap,
}

/// One partition's offset in `GET/PATCH /connectors/{c}/offsets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffset {
    /// Source partition map, or `{"kafka_topic","kafka_partition"}` for sinks.
    pub partition: serde_json::Map<String, Value>,
    /// Source offset map, `{"kafka_offset":n}` for sinks; `null` resets the partition.
    pub offset: Option<serde_json::Map<String, Value>>,
}

/// `{"offsets":[…]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConnectorOffsets {
    /// Every partition's offset.
    pub offsets: Vec<ConnectorOffset>,
}

/// One entry of `GET /connector-plugins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Fully qualified class name.
    #[serde(rename = "class")]
    pub class_name: String,
    /// `sink`, `source`, `converter`, `header_converter`, `transformation`, `predicate`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Version; omitted when undefined.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
}

/// The `value` half of one validate result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigValueInfo {
    /// Key name.
    pub name: String,
    /// The value validated (`[hidden]` for passwords), or null.
    pub value: Option<String>,
    /// Recommended values.
    pub recommended_values: Vec<String>,
    /// Errors; empty when valid.
    pub errors: Vec<String>,
    /// Whether a UI should show it.
    pub visible: bool,
}

/// One key of `ConfigInfos.configs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfo {
    /// The key's definition.
    pub definition: ConfigKeyInfo,
    /// The validation result.
    pub value: ConfigValueInfo,
}

/// `PUT /connector-plugins/{type}/config/validate`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfos {
    /// The connector class (full name).
    pub name: String,
    /// How many errors in all.
    pub error_count: usize,
    /// Group names, in first-seen order.
    pub groups: Vec<String>,
    /// Every key.
    pub configs: Vec<ConfigInfo>,
}

/// `GET /`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// Worker version.
    pub version: String,
    /// Build commit.
    pub commit: String,
    /// Kafka cluster id (null in standalone mode without a broker).
    pub kafka_cluster_id: Option<String>,
}

/// Why a control operation failed; the REST layer maps each to its status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HerderError {
    /// 404: unknown connector, task or plugin.
    #[error("{0}")]
    NotFound(String),
    /// 409: the connector already exists.
    #[error("{0}")]
    AlreadyExists(String),
    /// 400: invalid input (config errors, bad offsets, wrong state).
    #[error("{0}")]
    BadRequest(String),
    /// 409: a conflicting operation is under way.
    #[error("{0}")]
    Conflict(String),
    /// 403: the operation is disabled by configuration.
    #[error("{0}")]
    Forbidden(String),
    /// 500: anything else (storage unreachable, timeouts).
    #[error("{0}")]
    Internal(String),
    /// 503: the worker cannot answer now (starting, or no session key read yet).
    #[error("{0}")]
    Unavailable(String),
    /// Only the group's leader may do this: the REST layer forwards the request to
    /// `leader_url` (Java's `NotLeaderException`); `None` when no leader is known (409).
    #[error("Cannot complete request because this worker is not the leader")]
    NotLeader {
        /// The leader's advertised REST URL (`http://host:port/`), if known.
        leader_url: Option<String>,
    },
    /// Only the worker running this connector or task may do this (plain restarts): the REST
    /// layer forwards it to `owner_url` (Java's `NotAssignedException`).
    #[error("Cannot complete request because this worker does not run it")]
    NotOwner {
        /// The owner's advertised REST URL, if known.
        owner_url: Option<String>,
    },
}

/// The result of a control operation.
pub type HerderResult<T> = Result<T, HerderError>;

/// Whether internal requests between workers (KIP-507) must be signed, and with what: the REST
/// layer checks each internal request against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestSigning {
    /// Not signed: standalone, or a group whose protocol is not `sessioned`.
    Disabled,
    /// Signed, but this worker has not read a session key yet (requests get 503 until it has).
    KeyUnknown,
    /// Signed with this key (the newest `session-key` record).
    Active(SessionKey),
}
