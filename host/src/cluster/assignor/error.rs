//! Why an assignor could not produce assignments at all.

/// Inputs an assignor cannot work with (Java would throw on them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignorError {
    /// JoinGroup never returns an empty member list to a leader; there is nobody to assign to.
    #[error("no group members to assign to")]
    NoMembers,
    /// The leader id must be one of the members, since its URL comes from its metadata.
    #[error("leader {0} is not among the group members")]
    LeaderNotMember(String),
}
