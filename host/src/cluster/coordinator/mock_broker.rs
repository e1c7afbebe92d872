//! A scripted stand-in for a Kafka broker, for tests of what a real broker will not do on
//! demand: old version ranges, MEMBER_ID_REQUIRED every time, chosen error codes, going away.
//!
//! It is its own group coordinator, answers with the crate's broker-side encoders, and logs
//! every request (api, version, summary) for the test to check.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, BrokerId, FindCoordinatorRequest,
    FindCoordinatorResponse, HeartbeatRequest, HeartbeatResponse, JoinGroupRequest,
    JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse, RequestHeader, ResponseHeader,
    SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the mock answers; tests change it while it runs.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    /// (api, min, max) it advertises.
    pub(crate) versions: Vec<(ApiKey, i16, i16)>,
    /// JoinGroup error codes to answer, in turn, before succeeding (79 hands out "mock-1").
    pub(crate) join_errors: VecDeque<i16>,
    /// The protocol type a successful JoinGroup answer names.
    pub(crate) protocol_type: String,
    /// What every Heartbeat is answered with.
    pub(crate) heartbeat_code: i16,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            versions: vec![
                (ApiKey::ApiVersions, 0, 4),
                (ApiKey::FindCoordinator, 0, 6),
                (ApiKey::JoinGroup, 0, 9),
                (ApiKey::SyncGroup, 0, 5),
                (ApiKey::Heartbeat, 0, 4),
                (ApiKey::LeaveGroup, 0, 5),
            ],
            join_errors: VecDeque::new(),
            protocol_type: "connect".into(),
            heartbeat_code: 0,
        }
    }
}

/// One request the mock received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) api: ApiKey,
    pub(crate) version: i16,
    /// The member id it carried (group requests), else "".
    pub(crate) member_id: String,
}

struct State {
    script: Script,
    seen: Vec<Seen>,
}

/// A running mock broker on 127.0.0.1.
pub(crate) struct MockBroker {
    pub(crate) address: String,
    state: Arc<Mutex<State>>,
    down: Arc<AtomicBool>,
    accept: JoinHandle<()>,
}

impl MockBroker {
    pub(crate) async fn start(script: Script) -> MockBroker {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let state = Arc::new(Mutex::new(State {
            script,
            seen: Vec::new(),
        }));
        let down = Arc::new(AtomicBool::new(false));
        let accept = {
            let (state, down, address) = (state.clone(), down.clone(), address.clone());
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (state, down, address) = (state.clone(), down.clone(), address.clone());
                    tokio::spawn(serve(stream, state, down, address));
                }
            })
        };
        MockBroker {
            address,
            state,
            down,
            accept,
        }
    }

    /// Changes the script.
    pub(crate) fn script(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.state.lock().unwrap().script);
    }

    /// The requests received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// The broker dies: new connections are refused, open ones closed at their next request.
    pub(crate) fn kill(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.accept.abort();
    }
}

impl Drop for MockBroker {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn serve(
    mut stream: TcpStream,
    state: Arc<Mutex<State>>,
    down: Arc<AtomicBool>,
    address: String,
) {
    loop {
        let Ok(size) = stream.read_i32().await else {
            return;
        };
        let mut frame = vec![0u8; size as usize];
        if stream.read_exact(&mut frame).await.is_err() || down.load(Ordering::SeqCst) {
            return;
        }
        let mut frame = Bytes::from(frame);
        let api = ApiKey::try_from(i16::from_be_bytes([frame[0], frame[1]])).unwrap();
        let version = i16::from_be_bytes([frame[2], frame[3]]);
        let header =
            RequestHeader::decode(&mut frame, api.request_header_version(version)).unwrap();
        let body = answer(api, version, &mut frame, &state, &address);
        let mut out = BytesMut::new();
        out.put_i32(0);
        ResponseHeader::default()
            .with_correlation_id(header.correlation_id)
            .encode(&mut out, api.response_header_version(version))
            .unwrap();
        out.extend_from_slice(&body);
        let size = (out.len() - 4) as i32;
        out[..4].copy_from_slice(&size.to_be_bytes());
        if stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

fn encode(message: &impl Encodable, version: i16) -> Bytes {
    let mut b = BytesMut::new();
    message.encode(&mut b, version).unwrap();
    b.freeze()
}

fn s(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

fn answer(
    api: ApiKey,
    version: i16,
    body: &mut Bytes,
    state: &Mutex<State>,
    address: &str,
) -> Bytes {
    let mut state = state.lock().unwrap();
    let mut seen = |member_id: &str| {
        state.seen.push(Seen {
            api,
            version,
            member_id: member_id.to_owned(),
        })
    };
    match api {
        ApiKey::ApiVersions => {
            ApiVersionsRequest::decode(body, version).unwrap();
            seen("");
            let keys = state
                .script
                .versions
                .iter()
                .map(|(k, min, max)| {
                    ApiVersion::default()
                        .with_api_key(*k as i16)
                        .with_min_version(*min)
                        .with_max_version(*max)
                })
                .collect();
            encode(&ApiVersionsResponse::default().with_api_keys(keys), version)
        }
        ApiKey::FindCoordinator => {
            let request = FindCoordinatorRequest::decode(body, version).unwrap();
            seen("");
            let (host, port) = address.rsplit_once(':').unwrap();
            let port: i32 = port.parse().unwrap();
            let response = if version >= 4 {
                FindCoordinatorResponse::default().with_coordinators(
                    request
                        .coordinator_keys
                        .iter()
                        .map(|k| {
                            Coordinator::default()
                                .with_key(k.clone())
                                .with_node_id(BrokerId(1))
                                .with_host(s(host))
                                .with_port(port)
                        })
                        .collect(),
                )
            } else {
                FindCoordinatorResponse::default()
                    .with_node_id(BrokerId(1))
                    .with_host(s(host))
                    .with_port(port)
            };
            encode(&response, version)
        }
        ApiKey::JoinGroup => {
            let request = JoinGroupRequest::decode(body, version).unwrap();
            seen(request.member_id.as_str());
            let response = match state.script.join_errors.pop_front() {
                Some(79) => JoinGroupResponse::default()
                    .with_error_code(79)
                    .with_member_id(s("mock-1")),
                Some(code) => JoinGroupResponse::default().with_error_code(code),
                None => {
                    let member = match request.member_id.as_str() {
                        "" => s("mock-1"),
                        _ => request.member_id.clone(),
                    };
                    let first = request.protocols[0].clone();
                    JoinGroupResponse::default()
                        .with_generation_id(1)
                        .with_protocol_type((version >= 7).then(|| s(&state.script.protocol_type)))
                        .with_protocol_name(Some(first.name.clone()))
                        .with_leader(member.clone())
                        .with_member_id(member.clone())
                        .with_members(vec![
                            JoinGroupResponseMember::default()
                                .with_member_id(member)
                                .with_metadata(first.metadata),
                        ])
                }
            };
            encode(&response, version)
        }
        ApiKey::SyncGroup => {
            let request = SyncGroupRequest::decode(body, version).unwrap();
            seen(request.member_id.as_str());
            let mine = request
                .assignments
                .iter()
                .find(|a| a.member_id == request.member_id)
                .map(|a| a.assignment.clone())
                .unwrap_or_default();
            let response = SyncGroupResponse::default()
                .with_protocol_type(request.protocol_type.clone())
                .with_protocol_name(request.protocol_name.clone())
                .with_assignment(mine);
            encode(&response, version)
        }
        ApiKey::Heartbeat => {
            let request = HeartbeatRequest::decode(body, version).unwrap();
            seen(request.member_id.as_str());
            let code = state.script.heartbeat_code;
            encode(&HeartbeatResponse::default().with_error_code(code), version)
        }
        ApiKey::LeaveGroup => {
            let request = LeaveGroupRequest::decode(body, version).unwrap();
            let member = request
                .members
                .first()
                .map(|m| m.member_id.to_string())
                .unwrap_or_default();
            seen(&member);
            encode(&LeaveGroupResponse::default(), version)
        }
        other => panic!("the mock broker does not answer {other:?}"),
    }
}

/// An event callback for a [`super::GroupMember`] and the channel its events arrive on.
pub(crate) fn events() -> (
    Arc<dyn Fn(super::GroupEvent) + Send + Sync>,
    tokio::sync::mpsc::UnboundedReceiver<super::GroupEvent>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let callback = move |event| {
        let _ = tx.send(event);
    };
    (Arc::new(callback), rx)
}
