//! Tests of the wire layer without a broker: version negotiation, and request/response frames
//! as the crate's broker side reads and writes them.

use std::collections::BTreeMap;

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::{
    ApiKey, JoinGroupRequest, JoinGroupResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes, VersionRange};

use super::connection::{
    IMPLEMENTED, WireError, decode_response, encode_request, negotiate, negotiate_all,
};
use super::member::MemberConfig;
use super::requests::join_request;

fn range(min: i16, max: i16) -> VersionRange {
    VersionRange { min, max }
}

#[test]
fn the_highest_version_both_sides_support_is_used() {
    let join = range(5, 9);
    assert_eq!(negotiate(join, range(0, 9)), Some(9), "Kafka 4.x");
    assert_eq!(
        negotiate(join, range(2, 9)),
        Some(9),
        "Kafka 4.0.0 dropped v0-1"
    );
    assert_eq!(negotiate(join, range(0, 5)), Some(5), "Kafka 2.3");
    assert_eq!(negotiate(join, range(0, 4)), None, "too old");
    assert_eq!(negotiate(join, range(10, 12)), None, "too new");
    assert_eq!(
        negotiate(range(0, 6), range(0, 3)),
        Some(3),
        "FindCoordinator before KIP-699"
    );
}

#[test]
fn every_implemented_api_is_negotiated_from_the_brokers_list() {
    // A Kafka 2.4-like broker, without Heartbeat in its list at all.
    let broker: BTreeMap<i16, VersionRange> = [
        (ApiKey::FindCoordinator as i16, range(0, 3)),
        (ApiKey::JoinGroup as i16, range(0, 6)),
        (ApiKey::SyncGroup as i16, range(0, 4)),
        (ApiKey::LeaveGroup as i16, range(0, 4)),
        (ApiKey::Produce as i16, range(0, 8)),
    ]
    .into();
    let versions = negotiate_all(&broker);
    let want: BTreeMap<i16, i16> = [
        (ApiKey::FindCoordinator as i16, 3),
        (ApiKey::JoinGroup as i16, 6),
        (ApiKey::SyncGroup as i16, 4),
        (ApiKey::LeaveGroup as i16, 4),
    ]
    .into();
    assert_eq!(versions, want);
}

#[test]
fn implemented_versions_are_ones_the_crate_can_encode() {
    for (api, ours) in IMPLEMENTED {
        let crate_range = api.valid_versions();
        assert!(
            crate_range.min <= ours.min && ours.max <= crate_range.max,
            "{api:?}: ours {}-{}, crate {}-{}",
            ours.min,
            ours.max,
            crate_range.min,
            crate_range.max
        );
    }
}

fn protocols() -> Vec<(String, Bytes)> {
    vec![
        ("sessioned".into(), Bytes::from_static(b"\x00\x02meta")),
        ("default".into(), Bytes::from_static(b"\x00\x00meta")),
    ]
}

#[test]
fn a_request_frame_is_what_the_broker_side_of_the_crate_reads() {
    let config = MemberConfig::new(vec![], "connect-cluster", "connect-w1:8083");
    for version in 5..=9 {
        let request = join_request(version, &config, "m-1", &protocols(), "joining");
        let frame = encode_request(version, 42, "connect-w1:8083", &request).unwrap();
        let mut frame = frame;
        let size = frame.get_i32();
        assert_eq!(size as usize, frame.remaining(), "v{version}: size prefix");
        let header = RequestHeader::decode(
            &mut frame,
            ApiKey::JoinGroup.request_header_version(version),
        )
        .unwrap();
        assert_eq!(header.request_api_key, ApiKey::JoinGroup as i16);
        assert_eq!(header.request_api_version, version);
        assert_eq!(header.correlation_id, 42);
        assert_eq!(header.client_id.as_deref(), Some("connect-w1:8083"));
        let back = JoinGroupRequest::decode(&mut frame, version).unwrap();
        assert_eq!(back, request, "v{version}");
        assert!(!frame.has_remaining(), "v{version}: trailing bytes");
        assert_eq!(back.protocol_type.as_str(), "connect");
        assert_eq!(back.session_timeout_ms, 10_000);
        assert_eq!(back.rebalance_timeout_ms, 60_000);
        assert_eq!(back.group_instance_id, None);
        assert_eq!(back.reason.as_deref(), (version >= 8).then_some("joining"));
        let names: Vec<&str> = back.protocols.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["sessioned", "default"], "preference order kept");
    }
}

fn response_frame(version: i16, correlation: i32, response: &JoinGroupResponse) -> Bytes {
    let mut body = BytesMut::new();
    ResponseHeader::default()
        .with_correlation_id(correlation)
        .encode(
            &mut body,
            ApiKey::JoinGroup.response_header_version(version),
        )
        .unwrap();
    response.encode(&mut body, version).unwrap();
    body.freeze()
}

#[test]
fn a_response_frame_written_by_the_crates_broker_side_decodes() {
    let response = JoinGroupResponse::default()
        .with_generation_id(7)
        .with_protocol_type(Some(StrBytes::from_static_str("connect")))
        .with_protocol_name(Some(StrBytes::from_static_str("sessioned")))
        .with_leader(StrBytes::from_static_str("m-1"))
        .with_member_id(StrBytes::from_static_str("m-1"))
        .with_members(vec![
            JoinGroupResponseMember::default()
                .with_member_id(StrBytes::from_static_str("m-1"))
                .with_metadata(Bytes::from_static(b"abc")),
        ]);
    for version in [5, 6, 9] {
        let body = response_frame(version, 9, &response);
        let got: JoinGroupResponse = decode_response(ApiKey::JoinGroup, version, 9, body).unwrap();
        assert_eq!(got.generation_id, 7);
        assert_eq!(got.members[0].metadata, Bytes::from_static(b"abc"));
        // A reply to another request is refused, not misread.
        let body = response_frame(version, 8, &response);
        let err =
            decode_response::<JoinGroupResponse>(ApiKey::JoinGroup, version, 9, body).unwrap_err();
        assert!(
            matches!(err, WireError::Protocol(ref m) if m.contains("request 8")),
            "{err}"
        );
    }
    // Garbage is an error, never a panic.
    let err = decode_response::<JoinGroupResponse>(
        ApiKey::JoinGroup,
        9,
        1,
        Bytes::from_static(b"\x00\x00\x00\x01\x00"),
    )
    .unwrap_err();
    assert!(matches!(err, WireError::Protocol(_)), "{err}");
}
