//! What a group member does about each Kafka error code, per request (distributed-mode.md
//! §4.2, after Java's `AbstractCoordinator` response handlers), and the error the client
//! returns to its caller.
//!
//! The table is a pure function so it can be read and tested in one place; the client and
//! its heartbeat task only carry out the action it names.

use kafka_protocol::error::ResponseError;

/// Which request an error code answered: the same code means different things in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    FindCoordinator,
    Join,
    Sync,
    Heartbeat,
    Leave,
}

/// What to do about a response's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// No error (or, for LeaveGroup, the member is gone already): carry on.
    Proceed,
    /// JoinGroup `MEMBER_ID_REQUIRED`: take the member id the broker handed out and send the
    /// JoinGroup again at once; the broker holds that id for one session timeout.
    AdoptMemberId,
    /// `UNKNOWN_MEMBER_ID`: the broker forgot this member (session expired, or it left):
    /// forget the id and join as a new member.
    ResetMemberId,
    /// The generation is over (`REBALANCE_IN_PROGRESS`, `ILLEGAL_GENERATION` after a join):
    /// join again with the same member id.
    Rejoin,
    /// A passing condition (coordinator loading, a rebalance starting while we join, a
    /// retriable error we have no special rule for): back off and send the same request again.
    Retry,
    /// The broker asked is not (or no longer) the group's coordinator, or none is available:
    /// find the coordinator again, then retry.
    Rediscover,
    /// Configuration, authorization or compatibility: retrying cannot help.
    Fatal,
}

/// Kafka error codes the table names (the crate has them as `ResponseError`, but `match`
/// needs constants).
mod code {
    pub const NONE: i16 = 0;
    pub const NETWORK_EXCEPTION: i16 = 13;
    pub const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
    pub const COORDINATOR_NOT_AVAILABLE: i16 = 15;
    pub const NOT_COORDINATOR: i16 = 16;
    pub const ILLEGAL_GENERATION: i16 = 22;
    pub const INCONSISTENT_GROUP_PROTOCOL: i16 = 23;
    pub const INVALID_GROUP_ID: i16 = 24;
    pub const UNKNOWN_MEMBER_ID: i16 = 25;
    pub const INVALID_SESSION_TIMEOUT: i16 = 26;
    pub const REBALANCE_IN_PROGRESS: i16 = 27;
    pub const GROUP_AUTHORIZATION_FAILED: i16 = 30;
    pub const UNSUPPORTED_VERSION: i16 = 35;
    pub const GROUP_ID_NOT_FOUND: i16 = 69;
    pub const MEMBER_ID_REQUIRED: i16 = 79;
    pub const GROUP_MAX_SIZE_REACHED: i16 = 81;
    pub const FENCED_INSTANCE_ID: i16 = 82;
}
pub(crate) use code::*;

/// The action for error `code` in answer to a request of `phase`.
pub(crate) fn action(phase: Phase, code: i16) -> Action {
    use Action::*;
    match (phase, code) {
        (_, NONE) => Proceed,
        // A leave of a member the broker no longer knows has nothing left to do.
        (Phase::Leave, UNKNOWN_MEMBER_ID | GROUP_ID_NOT_FOUND) => Proceed,

        // These concern the group itself: the same everywhere.
        (_, GROUP_AUTHORIZATION_FAILED | UNSUPPORTED_VERSION | FENCED_INSTANCE_ID) => Fatal,
        (_, NOT_COORDINATOR | COORDINATOR_NOT_AVAILABLE | NETWORK_EXCEPTION)
            if phase != Phase::FindCoordinator =>
        {
            Rediscover
        }

        (Phase::Join, MEMBER_ID_REQUIRED) => AdoptMemberId,
        (Phase::Join | Phase::Sync | Phase::Heartbeat, UNKNOWN_MEMBER_ID) => ResetMemberId,
        // Java's join loop retries these after its backoff.
        (
            Phase::Join,
            COORDINATOR_LOAD_IN_PROGRESS | REBALANCE_IN_PROGRESS | ILLEGAL_GENERATION,
        ) => Retry,
        (
            Phase::Join,
            INCONSISTENT_GROUP_PROTOCOL
            | INVALID_SESSION_TIMEOUT
            | INVALID_GROUP_ID
            | GROUP_MAX_SIZE_REACHED,
        ) => Fatal,

        (Phase::Sync | Phase::Heartbeat, ILLEGAL_GENERATION | REBALANCE_IN_PROGRESS) => Rejoin,
        // SyncGroup v5 checks the protocol type and name against the join.
        (Phase::Sync, INCONSISTENT_GROUP_PROTOCOL) => Fatal,

        // Anything else: Kafka's own retriable flag decides, as Java's `RetriableException`
        // subclasses do (e.g. REQUEST_TIMED_OUT retries, INVALID_REQUEST does not).
        (_, code) => match ResponseError::try_from_code(code) {
            Some(e) if e.is_retriable() => Retry,
            _ => Fatal,
        },
    }
}

/// Kafka's name of an error code, as Java logs it (`REBALANCE_IN_PROGRESS`), for messages.
pub(crate) fn error_name(code: i16) -> String {
    match ResponseError::try_from_code(code) {
        // The crate's variant names are the Java enum names in CamelCase.
        Some(ResponseError::Unknown(_)) | None => format!("error code {code}"),
        Some(e) => {
            let camel = format!("{e:?}");
            let mut name = String::with_capacity(camel.len() + 8);
            for (i, c) in camel.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    name.push('_');
                }
                name.push(c.to_ascii_uppercase());
            }
            name
        }
    }
}

/// Why a fatal JoinGroup or SyncGroup error happened and what fixes it, for
/// [`CoordinatorError::Fatal`].
pub(crate) fn explain_fatal(
    code: i16,
    group: &str,
    session_timeout_ms: i64,
    offered: &str,
) -> String {
    let what = match code {
        INCONSISTENT_GROUP_PROTOCOL => format!(
            "group {group} has members that speak another protocol type or share no \
             sub-protocol with this worker (it offers {offered}). Give this Connect cluster a \
             group.id that no consumer group or other application uses, or set the same \
             connect.protocol on every worker of the cluster"
        ),
        INVALID_SESSION_TIMEOUT => format!(
            "the broker refuses session.timeout.ms={session_timeout_ms}: it must lie within the \
             broker's group.min.session.timeout.ms and group.max.session.timeout.ms (6000 and \
             1800000 by default). Change session.timeout.ms"
        ),
        GROUP_AUTHORIZATION_FAILED => format!(
            "this worker is not authorized to use group {group}. Grant its principal READ on \
             the group (kafka-acls --add --operation Read --group {group})"
        ),
        GROUP_MAX_SIZE_REACHED => format!(
            "group {group} already has the broker's group.max.size members. Raise \
             group.max.size on the brokers or run fewer workers in this cluster"
        ),
        INVALID_GROUP_ID => {
            format!("the broker refuses group.id \"{group}\". Set group.id to a non-empty name")
        }
        UNSUPPORTED_VERSION => "the broker refuses the request versions this worker sends. \
             Use a Kafka broker of version 2.4 or later"
            .to_string(),
        FENCED_INSTANCE_ID => format!(
            "another member of group {group} uses this worker's group.instance.id. Connect \
             workers use no static membership; check that nothing else joins group {group}"
        ),
        _ => format!(
            "the broker answered {} for group {group}. Check the broker logs",
            error_name(code)
        ),
    };
    format!(
        "cannot join Connect group {group} ({}): {what}",
        error_name(code)
    )
}

/// What went wrong in a group call, and so what the caller does next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoordinatorError {
    /// The generation this call belonged to is over (the group is rebalancing, or the broker
    /// expelled this member): join again with [`super::GroupMember::join`].
    #[error("the group's generation ended ({0}); join the group again")]
    RejoinNeeded(String),
    /// Retrying cannot help (configuration, authorization, broker version); the message names
    /// the problem and the fix.
    #[error("{0}")]
    Fatal(String),
    /// The caller's deadline passed before the call succeeded; the message says what was
    /// tried last. Calling again may work once the brokers answer.
    #[error("{0}")]
    Timeout(String),
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::Phase::*;
    use super::*;

    #[test]
    fn the_error_table_of_distributed_mode_4_2() {
        let cases: &[(Phase, i16, Action)] = &[
            // Join
            (Join, NONE, Proceed),
            (Join, MEMBER_ID_REQUIRED, AdoptMemberId),
            (Join, UNKNOWN_MEMBER_ID, ResetMemberId),
            (Join, COORDINATOR_LOAD_IN_PROGRESS, Retry),
            (Join, REBALANCE_IN_PROGRESS, Retry),
            (Join, NOT_COORDINATOR, Rediscover),
            (Join, COORDINATOR_NOT_AVAILABLE, Rediscover),
            (Join, INCONSISTENT_GROUP_PROTOCOL, Fatal),
            (Join, INVALID_SESSION_TIMEOUT, Fatal),
            (Join, INVALID_GROUP_ID, Fatal),
            (Join, GROUP_AUTHORIZATION_FAILED, Fatal),
            (Join, GROUP_MAX_SIZE_REACHED, Fatal),
            // Sync
            (Sync, NONE, Proceed),
            (Sync, UNKNOWN_MEMBER_ID, ResetMemberId),
            (Sync, ILLEGAL_GENERATION, Rejoin),
            (Sync, REBALANCE_IN_PROGRESS, Rejoin),
            (Sync, NOT_COORDINATOR, Rediscover),
            (Sync, COORDINATOR_NOT_AVAILABLE, Rediscover),
            (Sync, GROUP_AUTHORIZATION_FAILED, Fatal),
            (Sync, INCONSISTENT_GROUP_PROTOCOL, Fatal),
            // Heartbeat
            (Heartbeat, NONE, Proceed),
            (Heartbeat, UNKNOWN_MEMBER_ID, ResetMemberId),
            (Heartbeat, ILLEGAL_GENERATION, Rejoin),
            (Heartbeat, REBALANCE_IN_PROGRESS, Rejoin),
            (Heartbeat, NOT_COORDINATOR, Rediscover),
            (Heartbeat, COORDINATOR_NOT_AVAILABLE, Rediscover),
            (Heartbeat, GROUP_AUTHORIZATION_FAILED, Fatal),
            // Leave: a member already gone is fine.
            (Leave, NONE, Proceed),
            (Leave, UNKNOWN_MEMBER_ID, Proceed),
            (Leave, GROUP_ID_NOT_FOUND, Proceed),
            (Leave, NOT_COORDINATOR, Rediscover),
            // FindCoordinator: the coordinator is being elected or loads; ask again.
            (FindCoordinator, NONE, Proceed),
            (FindCoordinator, COORDINATOR_NOT_AVAILABLE, Retry),
            (FindCoordinator, NOT_COORDINATOR, Retry),
            (FindCoordinator, COORDINATOR_LOAD_IN_PROGRESS, Retry),
            (FindCoordinator, GROUP_AUTHORIZATION_FAILED, Fatal),
            // No special rule: Kafka's retriable flag decides.
            (Join, 7, Retry),      // REQUEST_TIMED_OUT
            (Heartbeat, 7, Retry), // REQUEST_TIMED_OUT
            (Join, 42, Fatal),     // INVALID_REQUEST
            (Sync, -1, Fatal),     // UNKNOWN_SERVER_ERROR
            (Heartbeat, 999, Fatal),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(phase, code, want)| action(*phase, *code) != *want)
            .map(|(phase, code, want)| {
                format!(
                    "{phase:?} {}: got {:?}, want {want:?}",
                    error_name(*code),
                    action(*phase, *code)
                )
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn errors_are_named_as_java_names_them() {
        assert_eq!(error_name(REBALANCE_IN_PROGRESS), "REBALANCE_IN_PROGRESS");
        assert_eq!(error_name(MEMBER_ID_REQUIRED), "MEMBER_ID_REQUIRED");
        assert_eq!(error_name(NOT_COORDINATOR), "NOT_COORDINATOR");
        assert_eq!(error_name(-1), "UNKNOWN_SERVER_ERROR");
        assert_eq!(error_name(30000), "error code 30000");
    }

    #[test]
    fn fatal_messages_name_the_problem_and_the_fix() {
        let m = explain_fatal(INVALID_SESSION_TIMEOUT, "g", 1000, "default");
        assert!(
            m.contains("session.timeout.ms=1000") && m.contains("Change"),
            "{m}"
        );
        let m = explain_fatal(
            INCONSISTENT_GROUP_PROTOCOL,
            "g",
            10000,
            "sessioned, default",
        );
        assert!(
            m.contains("sessioned, default") && m.contains("group.id"),
            "{m}"
        );
        let m = explain_fatal(GROUP_AUTHORIZATION_FAILED, "g", 10000, "default");
        assert!(
            m.contains("READ") && m.contains("GROUP_AUTHORIZATION_FAILED"),
            "{m}"
        );
    }
}
