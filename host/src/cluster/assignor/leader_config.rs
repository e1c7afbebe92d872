//! The config-offset check every assignor does first (Java's `ensureLeaderConfig`).
//!
//! Members report their config-topic positions; the assignment is stamped with the highest.
//! A leader whose snapshot is behind that cannot assign (it might miss connectors), so every
//! member gets `CONFIG_MISMATCH` and the group re-syncs.

use std::collections::BTreeMap;

use super::error::AssignorError;
use crate::cluster::assignment::{Assignment, AssignmentError, ConfigSnapshot, Member};

/// The group facts both assignors need before assigning anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderView {
    /// The leader's REST URL, from its own metadata.
    pub leader_url: String,
    /// Highest config offset reported by any member; assignments are stamped with it.
    /// (Java stamps the fresh snapshot's own offset instead when the leader had to re-read
    /// the config to catch up; members that are behind catch up either way.)
    pub max_offset: i64,
}

impl LeaderView {
    /// Validates the member list and finds the leader URL and the max member offset.
    pub fn new(leader: &str, members: &[Member]) -> Result<LeaderView, AssignorError> {
        let max_offset = members
            .iter()
            .map(|m| m.config_offset)
            .max()
            .ok_or(AssignorError::NoMembers)?;
        let leader_url = members
            .iter()
            .find(|m| m.id == leader)
            .map(|m| m.url.clone())
            .ok_or_else(|| AssignorError::LeaderNotMember(leader.to_string()))?;
        Ok(LeaderView {
            leader_url,
            max_offset,
        })
    }

    /// True when the leader's snapshot is older than some member's position: the caller
    /// should read the config topic to the end and pass the fresher snapshot (Java's
    /// `configFreshSnapshot`) before calling an assignor.
    pub fn snapshot_behind(&self, snapshot: &ConfigSnapshot) -> bool {
        snapshot.offset < self.max_offset
    }

    /// `CONFIG_MISMATCH` for every member, stamped with the max offset and nothing to start
    /// or stop.
    pub fn mismatch(&self, leader: &str, members: &[Member]) -> BTreeMap<String, Assignment> {
        members
            .iter()
            .map(|m| {
                let assignment = Assignment {
                    error: AssignmentError::ConfigMismatch,
                    leader: leader.to_string(),
                    leader_url: self.leader_url.clone(),
                    config_offset: self.max_offset,
                    ..Assignment::default()
                };
                (m.id.clone(), assignment)
            })
            .collect()
    }
}
