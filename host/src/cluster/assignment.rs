//! Plain inputs and outputs of the group assignors, independent of any byte format.
//!
//! These mirror what Java Kafka Connect's `ConnectProtocol.Assignment` / `ExtendedAssignment`
//! and `ExtendedWorkerState` carry, minus the version header and the encoding, so the codec
//! can be written (and tested with golden bytes) separately.

use std::collections::{BTreeMap, BTreeSet};

/// A task id: connector name and task number, ordered like Java's `ConnectorTaskId`
/// (by connector, then by number); the type the codec lists in assignments.
pub use super::protocol::TaskId;

/// What the leader's config snapshot says should run: every connector and its task count.
///
/// `offset` is the config-topic position the snapshot was read at (Java's
/// `ClusterConfigState.offset()`, −1 before anything was read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSnapshot {
    /// Config-topic position of this snapshot.
    pub offset: i64,
    /// Connector name → number of tasks (tasks are `0..count`); a connector whose task
    /// configs are not committed yet has count 0.
    pub connectors: BTreeMap<String, u32>,
}

impl ConfigSnapshot {
    /// Every configured connector and task, as one set.
    pub fn configured(&self) -> ConnectorsAndTasks {
        ConnectorsAndTasks {
            connectors: self.connectors.keys().cloned().collect(),
            tasks: self
                .connectors
                .iter()
                .flat_map(|(name, count)| {
                    (0..*count).map(move |task| TaskId::new(name.clone(), task))
                })
                .collect(),
        }
    }
}

/// A set of connectors and a set of tasks: what a worker runs, or should start or stop.
///
/// Ordered sets, so results are reproducible (Java iterates hash maps in places; see the
/// assignor docs for where that makes exact placement differ).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorsAndTasks {
    /// Connector instances.
    pub connectors: BTreeSet<String>,
    /// Task instances.
    pub tasks: BTreeSet<TaskId>,
}

impl ConnectorsAndTasks {
    /// True when there is neither a connector nor a task.
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty() && self.tasks.is_empty()
    }

    /// Connectors plus tasks.
    pub fn len(&self) -> usize {
        self.connectors.len() + self.tasks.len()
    }

    /// Adds every item of `other`.
    pub fn extend(&mut self, other: &ConnectorsAndTasks) {
        self.connectors.extend(other.connectors.iter().cloned());
        self.tasks.extend(other.tasks.iter().cloned());
    }

    /// Removes every item of `other`.
    pub fn remove_all(&mut self, other: &ConnectorsAndTasks) {
        self.connectors.retain(|c| !other.connectors.contains(c));
        self.tasks.retain(|t| !other.tasks.contains(t));
    }

    /// Items of `self` that are not in `other`.
    pub fn minus(&self, other: &ConnectorsAndTasks) -> ConnectorsAndTasks {
        let mut out = self.clone();
        out.remove_all(other);
        out
    }

    /// Items of `self` that are also in `other`.
    pub fn intersect(&self, other: &ConnectorsAndTasks) -> ConnectorsAndTasks {
        ConnectorsAndTasks {
            connectors: self
                .connectors
                .intersection(&other.connectors)
                .cloned()
                .collect(),
            tasks: self.tasks.intersection(&other.tasks).cloned().collect(),
        }
    }

    /// True when the two share at least one connector or task.
    pub fn overlaps(&self, other: &ConnectorsAndTasks) -> bool {
        self.connectors.iter().any(|c| other.connectors.contains(c))
            || self.tasks.iter().any(|t| other.tasks.contains(t))
    }
}

/// One group member as the leader sees it in the JoinGroup response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    /// Broker-assigned member id (Java orders members by it).
    pub id: String,
    /// Advertised REST URL, handed out as the leader URL when this member leads.
    pub url: String,
    /// The member's own config-topic position.
    pub config_offset: i64,
    /// What the member runs now (its metadata's allocation; empty when it sent none). Only
    /// the incremental assignor looks at it.
    pub running: ConnectorsAndTasks,
}

/// The assignment error field: whether members may use the assignment at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AssignmentError {
    /// The assignment is usable.
    #[default]
    None,
    /// The leader's config is behind some member's: everyone reads the config topic to the
    /// end and rejoins.
    ConfigMismatch,
}

impl AssignmentError {
    /// The int16 carried on the wire (Java's `Assignment.NO_ERROR` / `CONFIG_MISMATCH`).
    pub fn code(self) -> i16 {
        match self {
            AssignmentError::None => 0,
            AssignmentError::ConfigMismatch => 1,
        }
    }
}

/// What the leader tells one member after a rebalance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// Whether the assignment may be used.
    pub error: AssignmentError,
    /// The leader's member id (a member leads iff this equals its own id).
    pub leader: String,
    /// The leader's REST URL (where requests are forwarded).
    pub leader_url: String,
    /// Config offset the assignment was computed at.
    pub config_offset: i64,
    /// To start: the full set under the eager protocol, only new items under the
    /// cooperative one.
    pub assigned: ConnectorsAndTasks,
    /// To stop (cooperative only; always empty from the eager assignor).
    pub revoked: ConnectorsAndTasks,
    /// Milliseconds until every member should rejoin (cooperative only; 0 = no scheduled
    /// rebalance).
    pub delay_ms: i32,
}
