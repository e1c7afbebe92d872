//! Static membership of sink task consumers (KIP-345): each task's consumer joins its group
//! `connect-<connector>` with a `group.instance.id` of its own ([`instance_id`]).
//!
//! What it buys: a worker that crashed (SIGKILL, OOM, a lost machine) and is restarted rejoins
//! as the same member, and the coordinator hands it its partitions at once; with dynamic
//! membership (Kafka Connect's) the new consumer waits until the dead one's session times out
//! (`session.timeout.ms`, 45 s by default).
//!
//! What it costs: a static member does not leave the group when its consumer closes, so a task
//! that stops cleanly (worker shutdown, connector deleted or stopped, fewer tasks) removes its
//! member here, with the LeaveGroup request an admin client sends for static members: the group
//! then behaves as after a dynamic member's leave. Were it kept, a member that does not come
//! back under the same id would hold its partitions, and block offset changes, until its
//! session timed out. librdkafka has no call for this, so the request is built with the
//! `kafka-protocol` crate over a plain TCP connection (PLAINTEXT).

use std::{
    io::{Read, Write},
    net::{TcpStream, ToSocketAddrs},
    time::{Duration, Instant},
};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::{
    messages::{
        ApiKey, FindCoordinatorRequest, FindCoordinatorResponse, GroupId, LeaveGroupRequest,
        LeaveGroupResponse, RequestHeader, ResponseHeader, leave_group_request::MemberIdentity,
    },
    protocol::{Decodable, Encodable, StrBytes},
};

/// FindCoordinator v3: the last version with one key per request (flexible).
const FIND_COORDINATOR_VERSION: i16 = 3;
/// LeaveGroup v5: members by instance id, with a reason (flexible).
const LEAVE_GROUP_VERSION: i16 = 5;
const RETRY_EVERY: Duration = Duration::from_millis(200);

/// Kafka error codes a removal retries on: the coordinator is moving or loading.
const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
const COORDINATOR_NOT_AVAILABLE: i16 = 15;
const NOT_COORDINATOR: i16 = 16;
/// The member is not (or no longer) in the group: nothing to remove.
const UNKNOWN_MEMBER_ID: i16 = 25;
const GROUP_ID_NOT_FOUND: i16 = 69;

/// The `group.instance.id` of a sink task's consumer: `connect-<cluster>-<connector>-<task>`,
/// where `cluster` is the Connect cluster's `group.id` (standalone: the worker's id), so that
/// same-named connectors of two clusters, which share a consumer group, never fence each other.
/// Kafka allows only `[a-zA-Z0-9._-]` and 249 characters: anything else is replaced, and a hash
/// of the exact names keeps replaced ids apart.
pub fn instance_id(cluster: &str, connector: &str, task: u32) -> String {
    let raw = format!("connect-{cluster}-{connector}-{task}");
    let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if raw.len() <= MAX_INSTANCE_ID && raw.chars().all(legal) {
        return raw;
    }
    let cleaned: String = raw
        .chars()
        .map(|c| if legal(c) { c } else { '_' })
        .collect();
    let suffix = format!("-{:016x}", fnv1a(raw.as_bytes()));
    let keep = MAX_INSTANCE_ID - suffix.len();
    let cut = cleaned.len().min(keep);
    format!("{}{suffix}", &cleaned[..cut])
}

/// Kafka's limit on `group.instance.id` (as on topic names).
const MAX_INSTANCE_ID: usize = 249;

/// FNV-1a, 64 bits: stable across builds and Rust versions, unlike std's hasher, so an id
/// stays the same after an upgrade.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether the connector wants static members (`task.static.membership`, default true).
pub fn enabled(connector_config: &std::collections::BTreeMap<String, String>) -> bool {
    connector_config
        .get("task.static.membership")
        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"))
}

/// Removes the static member `instance` from consumer group `group`, so its partitions go to
/// the other members now. Retries while the coordinator moves, until `timeout`.
pub fn remove_member(
    bootstrap: &[String],
    group: &str,
    instance: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        match try_remove(bootstrap, group, instance, deadline) {
            Ok(()) => return Ok(()),
            Err(Failure::Retry(why)) if Instant::now() + RETRY_EVERY < deadline => {
                tracing::debug!(group, instance, "removing the static member again: {why}");
                std::thread::sleep(RETRY_EVERY);
            }
            Err(Failure::Retry(why) | Failure::Fatal(why)) => {
                return Err(format!(
                    "cannot remove member {instance} from consumer group {group}: {why}"
                ));
            }
        }
    }
}

enum Failure {
    Retry(String),
    Fatal(String),
}

fn try_remove(
    bootstrap: &[String],
    group: &str,
    instance: &str,
    deadline: Instant,
) -> Result<(), Failure> {
    let mut conn = bootstrap
        .iter()
        .find_map(|b| Conn::open(b, deadline).ok())
        .ok_or_else(|| Failure::Retry(format!("no broker of {} answers", bootstrap.join(","))))?;
    let find = FindCoordinatorRequest::default()
        .with_key(StrBytes::from_string(group.to_owned()))
        .with_key_type(0);
    let found: FindCoordinatorResponse =
        conn.call(ApiKey::FindCoordinator, FIND_COORDINATOR_VERSION, &find)?;
    match found.error_code {
        0 => {}
        c @ (COORDINATOR_LOAD_IN_PROGRESS | COORDINATOR_NOT_AVAILABLE | NOT_COORDINATOR) => {
            return Err(Failure::Retry(format!("FindCoordinator error {c}")));
        }
        c => return Err(Failure::Fatal(format!("FindCoordinator error {c}"))),
    }
    let address = format!("{}:{}", found.host.as_str(), found.port);
    let mut coordinator = Conn::open(&address, deadline)
        .map_err(|e| Failure::Retry(format!("coordinator {address}: {e}")))?;
    let leave = LeaveGroupRequest::default()
        .with_group_id(GroupId(StrBytes::from_string(group.to_owned())))
        .with_members(vec![
            MemberIdentity::default()
                .with_member_id(StrBytes::from_static_str(""))
                .with_group_instance_id(Some(StrBytes::from_string(instance.to_owned())))
                .with_reason(Some(StrBytes::from_static_str(
                    "the connector task stopped for good",
                ))),
        ]);
    let left: LeaveGroupResponse =
        coordinator.call(ApiKey::LeaveGroup, LEAVE_GROUP_VERSION, &leave)?;
    let codes = std::iter::once(left.error_code).chain(left.members.iter().map(|m| m.error_code));
    for code in codes {
        match code {
            0 | UNKNOWN_MEMBER_ID | GROUP_ID_NOT_FOUND => {}
            c @ (COORDINATOR_LOAD_IN_PROGRESS | COORDINATOR_NOT_AVAILABLE | NOT_COORDINATOR) => {
                return Err(Failure::Retry(format!("LeaveGroup error {c}")));
            }
            c => return Err(Failure::Fatal(format!("LeaveGroup error {c}"))),
        }
    }
    Ok(())
}

/// One blocking connection to a broker: size-prefixed requests, answered in order.
struct Conn {
    stream: TcpStream,
    correlation: i32,
}

impl Conn {
    fn open(address: &str, deadline: Instant) -> std::io::Result<Conn> {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(100));
        let addr = address
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
        let stream = TcpStream::connect_timeout(&addr, left)?;
        stream.set_read_timeout(Some(left))?;
        stream.set_write_timeout(Some(left))?;
        Ok(Conn {
            stream,
            correlation: 0,
        })
    }

    fn call<Q: Encodable, A: Decodable>(
        &mut self,
        api: ApiKey,
        version: i16,
        request: &Q,
    ) -> Result<A, Failure> {
        self.correlation += 1;
        let header = RequestHeader::default()
            .with_request_api_key(api as i16)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation)
            .with_client_id(Some(StrBytes::from_static_str("connect-host")));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, api.request_header_version(version))
            .and_then(|()| request.encode(&mut body, version))
            .map_err(|e| Failure::Fatal(format!("encoding {api:?}: {e}")))?;
        let mut frame = BytesMut::with_capacity(body.len() + 4);
        frame.put_i32(body.len() as i32);
        frame.extend_from_slice(&body);
        let io = |e: std::io::Error| Failure::Retry(format!("{api:?}: {e}"));
        self.stream.write_all(&frame).map_err(io)?;
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).map_err(io)?;
        let size = i32::from_be_bytes(size);
        if !(0..=64 << 20).contains(&size) {
            return Err(Failure::Fatal(format!("{api:?}: bad response size {size}")));
        }
        let mut answer = vec![0u8; size as usize];
        self.stream.read_exact(&mut answer).map_err(io)?;
        let mut answer = Bytes::from(answer);
        let decode = |e: anyhow::Error| Failure::Fatal(format!("decoding {api:?}: {e}"));
        let header = ResponseHeader::decode(&mut answer, api.response_header_version(version))
            .map_err(decode)?;
        if header.correlation_id != self.correlation {
            return Err(Failure::Fatal(format!(
                "{api:?}: answer {} to request {}",
                header.correlation_id, self.correlation
            )));
        }
        let response = A::decode(&mut answer, version).map_err(decode)?;
        if answer.has_remaining() {
            tracing::debug!(
                ?api,
                left = answer.remaining(),
                "bytes left after a response"
            );
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_and_the_switch() {
        assert_eq!(
            instance_id("cluster-a", "es-sink", 3),
            "connect-cluster-a-es-sink-3"
        );
        // Illegal characters are replaced; the hash keeps "a b" and "a_b" apart.
        let spaced = instance_id("localhost:8083", "a b", 0);
        assert!(
            spaced.starts_with("connect-localhost_8083-a_b-0-"),
            "{spaced}"
        );
        assert_ne!(spaced, instance_id("localhost:8083", "a_b", 0));
        assert_eq!(spaced, instance_id("localhost:8083", "a b", 0), "stable");
        let long = instance_id("c", &"x".repeat(400), 1);
        assert_eq!(long.len(), MAX_INSTANCE_ID);
        let mut c = std::collections::BTreeMap::new();
        assert!(enabled(&c));
        c.insert("task.static.membership".into(), "FALSE".into());
        assert!(!enabled(&c));
    }

    #[test]
    fn a_leave_request_names_the_instance() {
        let leave = LeaveGroupRequest::default()
            .with_group_id(GroupId(StrBytes::from_static_str("connect-x")))
            .with_members(vec![
                MemberIdentity::default()
                    .with_member_id(StrBytes::from_static_str(""))
                    .with_group_instance_id(Some(StrBytes::from_static_str("connect-x-0"))),
            ]);
        let mut buf = BytesMut::new();
        leave.encode(&mut buf, LEAVE_GROUP_VERSION).unwrap();
        let text = String::from_utf8_lossy(&buf);
        assert!(text.contains("connect-x") && text.contains("connect-x-0"));
    }

    #[test]
    fn an_unreachable_cluster_is_a_clear_error_within_the_timeout() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t0 = Instant::now();
        let err = remove_member(
            &[format!("127.0.0.1:{port}")],
            "connect-x",
            "connect-x-0",
            Duration::from_millis(600),
        )
        .unwrap_err();
        assert!(t0.elapsed() < Duration::from_secs(3));
        assert!(
            err.contains("connect-x-0") && err.contains("no broker"),
            "{err}"
        );
    }
}
