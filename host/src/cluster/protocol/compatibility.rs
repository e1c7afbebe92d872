//! `ProtocolCompatibility`: the `connect.protocol` setting, the group sub-protocol each value
//! stands for, which sub-protocols a worker offers in its JoinGroup, and which one the broker
//! elects for the group (Java's `ConnectProtocolCompatibility` and the classic group
//! coordinator's `selectProtocol`).

use std::fmt;

/// One of the three Connect sub-protocols, named by its `connect.protocol` value.
///
/// | `connect.protocol` | sub-protocol name | payload version |
/// |---|---|---|
/// | `eager` | `default` | 0 |
/// | `compatible` | `compatible` | 1 |
/// | `sessioned` (default) | `sessioned` | 2 |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ProtocolCompatibility {
    /// Stop-the-world rebalancing (payload version 0).
    Eager,
    /// Incremental cooperative rebalancing, KIP-415 (payload version 1).
    Compatible,
    /// Incremental cooperative rebalancing with signed internal REST calls, KIP-507 (payload
    /// version 2, bytes laid out exactly as version 1).
    #[default]
    Sessioned,
}

/// `connect.protocol` was set to something that names no mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "connect.protocol = `{0}` is not a Connect protocol mode; use eager, compatible or sessioned"
)]
pub struct UnknownProtocolMode(pub String);

impl ProtocolCompatibility {
    /// Every mode, oldest first.
    pub const ALL: [Self; 3] = [Self::Eager, Self::Compatible, Self::Sessioned];

    /// The mode a `connect.protocol` value names, matched case-insensitively as Java does.
    pub fn from_config(value: &str) -> Result<Self, UnknownProtocolMode> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.config_name().eq_ignore_ascii_case(value))
            .ok_or_else(|| UnknownProtocolMode(value.to_owned()))
    }

    /// The mode whose sub-protocol is `name` (e.g. the name a JoinGroup response says the
    /// group elected), matched case-insensitively as Java does; `None` if it is not Connect's.
    pub fn from_protocol_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.protocol_name().eq_ignore_ascii_case(name))
    }

    /// The mode whose payloads carry `version`, if any.
    pub fn from_version(version: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.version() == version)
    }

    /// The `connect.protocol` spelling of this mode.
    pub fn config_name(self) -> &'static str {
        match self {
            Self::Eager => "eager",
            Self::Compatible => "compatible",
            Self::Sessioned => "sessioned",
        }
    }

    /// The sub-protocol name sent in JoinGroup `Protocols[].Name`.
    pub fn protocol_name(self) -> &'static str {
        match self {
            Self::Eager => "default",
            Self::Compatible => "compatible",
            Self::Sessioned => "sessioned",
        }
    }

    /// The version header of this sub-protocol's metadata and assignments.
    pub fn version(self) -> i16 {
        match self {
            Self::Eager => 0,
            Self::Compatible => 1,
            Self::Sessioned => 2,
        }
    }

    /// Whether rebalances keep running work (versions 1 and 2) instead of stopping it all.
    pub fn is_incremental(self) -> bool {
        self != Self::Eager
    }

    /// The sub-protocols a worker with this `connect.protocol` offers, most preferred first:
    /// each mode also offers every older one, so mixed groups can still agree on one.
    pub fn offered(self) -> &'static [Self] {
        match self {
            Self::Sessioned => &[Self::Sessioned, Self::Compatible, Self::Eager],
            Self::Compatible => &[Self::Compatible, Self::Eager],
            Self::Eager => &[Self::Eager],
        }
    }
}

impl fmt::Display for ProtocolCompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.config_name())
    }
}

/// The sub-protocol the broker elects for a group whose members offer `members` (each list in
/// that member's preference order), or `None` when they share none (the broker refuses the
/// join with `INCONSISTENT_GROUP_PROTOCOL`) or there are no members.
///
/// The broker's rule: the candidates are the sub-protocols every member offers; each member
/// votes for the first candidate in its own list; most votes wins. So one eager worker drags
/// the whole group to `default`, and sessioned plus compatible workers land on `compatible`.
///
/// With the lists [`ProtocolCompatibility::offered`] builds every member votes alike, so there
/// are no ties. For other lists the broker breaks ties by hash-map order, which is not part of
/// any contract; here a tie goes to the candidate the first member prefers, to be
/// deterministic.
pub fn elect(members: &[&[ProtocolCompatibility]]) -> Option<ProtocolCompatibility> {
    let (first, rest) = members.split_first()?;
    let candidates: Vec<ProtocolCompatibility> = first
        .iter()
        .copied()
        .filter(|p| rest.iter().all(|m| m.contains(p)))
        .collect();
    let mut votes = [0usize; ProtocolCompatibility::ALL.len()];
    for member in members {
        let vote = member.iter().find(|p| candidates.contains(p))?;
        votes[vote.version() as usize] += 1;
    }
    let mut winner: Option<(ProtocolCompatibility, usize)> = None;
    for candidate in candidates {
        let count = votes[candidate.version() as usize];
        if winner.is_none_or(|(_, best)| count > best) {
            winner = Some((candidate, count));
        }
    }
    winner.map(|(protocol, _)| protocol)
}
