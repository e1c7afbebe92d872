//! Between the wire payloads of [`super::protocol`] and the plain values the assignors use
//! ([`super::assignment`]): one place where lists become sets and back, so neither side knows
//! the other.

use super::{
    assignment::{self, AssignmentError, ConnectorsAndTasks},
    protocol::{self, CONFIG_MISMATCH, NO_ERROR},
};

/// The plain form of a wire assignment.
pub fn from_wire(a: &protocol::Assignment) -> assignment::Assignment {
    assignment::Assignment {
        error: if a.error == CONFIG_MISMATCH {
            AssignmentError::ConfigMismatch
        } else {
            AssignmentError::None
        },
        leader: a.leader.clone(),
        leader_url: a.leader_url.clone(),
        config_offset: a.config_offset,
        assigned: ConnectorsAndTasks {
            connectors: a.connectors.iter().cloned().collect(),
            tasks: a.tasks.iter().cloned().collect(),
        },
        revoked: ConnectorsAndTasks {
            connectors: a.revoked_connectors.iter().cloned().collect(),
            tasks: a.revoked_tasks.iter().cloned().collect(),
        },
        delay_ms: a.delay_ms,
    }
}

/// The wire form of a plain assignment, in payload `version` (0 drops revocations and delay,
/// which that version cannot carry; the eager assignor never produces them).
pub fn to_wire(a: &assignment::Assignment, version: i16) -> protocol::Assignment {
    protocol::Assignment {
        version,
        error: match a.error {
            AssignmentError::None => NO_ERROR,
            AssignmentError::ConfigMismatch => CONFIG_MISMATCH,
        },
        leader: a.leader.clone(),
        leader_url: a.leader_url.clone(),
        config_offset: a.config_offset,
        connectors: a.assigned.connectors.iter().cloned().collect(),
        tasks: a.assigned.tasks.iter().cloned().collect(),
        revoked_connectors: a.revoked.connectors.iter().cloned().collect(),
        revoked_tasks: a.revoked.tasks.iter().cloned().collect(),
        delay_ms: a.delay_ms,
    }
}

/// A worker's running set as the allocation of its JoinGroup metadata (a complete assignment,
/// as Java's `ExtendedWorkerState` sends it).
pub fn allocation(
    running: &ConnectorsAndTasks,
    leader: &str,
    leader_url: &str,
    config_offset: i64,
    version: i16,
) -> protocol::Assignment {
    to_wire(
        &assignment::Assignment {
            error: AssignmentError::None,
            leader: leader.to_owned(),
            leader_url: leader_url.to_owned(),
            config_offset,
            assigned: running.clone(),
            revoked: ConnectorsAndTasks::default(),
            delay_ms: 0,
        },
        version,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::protocol::TaskId;

    #[test]
    fn round_trip_keeps_every_field() {
        let plain = assignment::Assignment {
            error: AssignmentError::ConfigMismatch,
            leader: "L".into(),
            leader_url: "http://a:8083/".into(),
            config_offset: 7,
            assigned: ConnectorsAndTasks {
                connectors: ["c".to_string()].into(),
                tasks: [TaskId::new("c", 0), TaskId::new("c", 2)].into(),
            },
            revoked: ConnectorsAndTasks {
                connectors: ["d".to_string()].into(),
                tasks: [TaskId::new("d", 1)].into(),
            },
            delay_ms: 3000,
        };
        let wire = to_wire(&plain, 2);
        assert_eq!(wire.version, 2);
        assert_eq!(wire.error, CONFIG_MISMATCH);
        let bytes = wire.encode().unwrap();
        let back = from_wire(&protocol::Assignment::decode(&bytes).unwrap());
        assert_eq!(back, plain);
    }
}
