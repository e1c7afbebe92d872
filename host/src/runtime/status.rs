//! Connector and task states, and the REST shapes that report them.

use serde::{Deserialize, Serialize};

/// The state of a connector or task, as Kafka Connect names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    /// Known but not (yet) running on any worker.
    Unassigned,
    /// Running.
    Running,
    /// Paused by the user (resources kept, no data moving).
    Paused,
    /// Stopped by the user (connector only: its tasks are gone).
    Stopped,
    /// Failed; see the trace.
    Failed,
    /// Being restarted.
    Restarting,
}

impl State {
    /// Kafka Connect's upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Stopped => "STOPPED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
        }
    }
}

/// What the user asked a connector to be (persisted in the config topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetState {
    /// Running (Kafka Connect writes `STARTED`).
    #[default]
    Started,
    /// Paused.
    Paused,
    /// Stopped: connector and tasks shut down, zero task configs.
    Stopped,
}

impl TargetState {
    /// Kafka Connect's name in the config topic (`state.v2`).
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Started => "STARTED",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }

    /// Parses `STARTED`/`PAUSED`/`STOPPED` (and `RUNNING`, the `initial_state` spelling).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "STARTED" | "RUNNING" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }
}

/// One state report, as stored in the status topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The state.
    pub state: State,
    /// The failure's trace (FAILED only).
    pub trace: Option<String>,
    /// `host:port` of the worker that owns it.
    pub worker_id: String,
    /// Rebalance generation it was written in.
    pub generation: i32,
}

/// `{"state","worker_id","trace"?}` of a connector, in `GET …/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorStateEntry {
    /// State name.
    pub state: State,
    /// Owning worker.
    pub worker_id: String,
    /// Failure trace; omitted when empty.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trace: Option<String>,
}

/// `{"id","state","worker_id","trace"?}` of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStateEntry {
    /// Task number.
    pub id: u32,
    /// State name.
    pub state: State,
    /// Owning worker.
    pub worker_id: String,
    /// Failure trace; omitted when empty.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trace: Option<String>,
}

/// Kafka Connect's `ConnectorStateInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorStateInfo {
    /// Connector name.
    pub name: String,
    /// The connector's own state.
    pub connector: ConnectorStateEntry,
    /// Its tasks' states, by id.
    pub tasks: Vec<TaskStateEntry>,
    /// `sink`, `source` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
}
