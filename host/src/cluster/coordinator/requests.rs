//! The group requests this client sends, built for the version negotiated with the broker:
//! the crate refuses to encode a field the version lacks, so each builder sets only what the
//! version has (GroupInstanceId is always null: Connect uses no static membership).

use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, SyncGroupRequest,
};
use kafka_protocol::protocol::StrBytes;

use super::member::{Joined, MemberConfig, PROTOCOL_TYPE};

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// The JoinGroup request of `version` for this member.
pub(crate) fn join_request(
    version: i16,
    config: &MemberConfig,
    member_id: &str,
    protocols: &[(String, Bytes)],
    reason: &str,
) -> JoinGroupRequest {
    let ms = |d: Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    JoinGroupRequest::default()
        .with_group_id(GroupId(text(&config.group_id)))
        .with_session_timeout_ms(ms(config.session_timeout))
        .with_rebalance_timeout_ms(ms(config.rebalance_timeout))
        .with_member_id(text(member_id))
        .with_group_instance_id(None)
        .with_protocol_type(text(PROTOCOL_TYPE))
        .with_protocols(
            protocols
                .iter()
                .map(|(name, metadata)| {
                    JoinGroupRequestProtocol::default()
                        .with_name(text(name))
                        .with_metadata(metadata.clone())
                })
                .collect(),
        )
        .with_reason((version >= 8).then(|| text(reason)))
}

/// The SyncGroup request of `version` for the generation `joined`.
pub(crate) fn sync_request(
    version: i16,
    group: &str,
    joined: &Joined,
    assignments: Vec<(String, Bytes)>,
) -> SyncGroupRequest {
    let v5 = version >= 5;
    SyncGroupRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_generation_id(joined.generation_id)
        .with_member_id(text(&joined.member_id))
        .with_group_instance_id(None)
        .with_protocol_type(v5.then(|| text(PROTOCOL_TYPE)))
        .with_protocol_name(v5.then(|| text(&joined.protocol_name)))
        .with_assignments(
            assignments
                .into_iter()
                .map(|(member, assignment)| {
                    SyncGroupRequestAssignment::default()
                        .with_member_id(text(&member))
                        .with_assignment(assignment)
                })
                .collect(),
        )
}

/// The LeaveGroup request of `version` (3+) removing one member, by member id or (static
/// members, for the sink-task consumers) by instance id.
pub(crate) fn leave_request(
    version: i16,
    group: &str,
    member_id: &str,
    instance_id: Option<&str>,
    reason: &str,
) -> LeaveGroupRequest {
    LeaveGroupRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_members(vec![
            MemberIdentity::default()
                .with_member_id(text(member_id))
                .with_group_instance_id(instance_id.map(text))
                .with_reason((version >= 5).then(|| text(reason))),
        ])
}

/// The Heartbeat request of `member_id` in `generation_id`.
pub(crate) fn heartbeat_request(
    group: &str,
    generation_id: i32,
    member_id: &str,
) -> HeartbeatRequest {
    HeartbeatRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_generation_id(generation_id)
        .with_member_id(text(member_id))
        .with_group_instance_id(None)
}
