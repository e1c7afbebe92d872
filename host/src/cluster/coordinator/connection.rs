//! One TCP connection to a Kafka broker speaking the Kafka wire protocol (PLAINTEXT, or TLS
//! and SASL as `security` says): int32
//! size-prefixed frames, request headers with correlation ids and the client id, and the
//! per-API versions negotiated with the broker's ApiVersions answer when the connection opens.
//!
//! `kafka-protocol` supplies the message codecs only; this is the rest of a client's wire
//! layer, and the only one in the crate (the coordinator client, its heartbeat task and the
//! static-member removal of sink tasks all use it).
//!
//! A connection answers one request at a time, in order. After any error (I/O, timeout, a
//! frame that does not parse) its stream position is unknown, so callers drop it and open
//! another rather than reuse it.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, FindCoordinatorRequest,
    FindCoordinatorResponse, HeartbeatRequest, HeartbeatResponse, JoinGroupRequest,
    JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse, RequestHeader, ResponseHeader,
    SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
    SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes, VersionRange};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::security::{Exchange, Mechanism, WireSecurity};

/// The byte stream of a connection: TCP, or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A request this client sends, tied to its API key and response type (the crate's own
/// `Request` trait exists only with both its `client` and `broker` features).
pub(crate) trait Call: Encodable {
    /// The API the request belongs to.
    const API: ApiKey;
    /// What the broker answers.
    type Response: Decodable;
}

macro_rules! calls {
    ($($request:ty => $response:ty, $api:ident;)*) => {
        $(impl Call for $request {
            const API: ApiKey = ApiKey::$api;
            type Response = $response;
        })*
    };
}

calls! {
    ApiVersionsRequest => ApiVersionsResponse, ApiVersions;
    FindCoordinatorRequest => FindCoordinatorResponse, FindCoordinator;
    JoinGroupRequest => JoinGroupResponse, JoinGroup;
    SyncGroupRequest => SyncGroupResponse, SyncGroup;
    HeartbeatRequest => HeartbeatResponse, Heartbeat;
    LeaveGroupRequest => LeaveGroupResponse, LeaveGroup;
    SaslHandshakeRequest => SaslHandshakeResponse, SaslHandshake;
    SaslAuthenticateRequest => SaslAuthenticateResponse, SaslAuthenticate;
}

/// The versions of each group API this client's request builders handle, chosen as in
/// distributed-mode.md §4.3: all flexible or close to it, present on every broker since 2.4,
/// and the lower bounds are where the fields we rely on appear (JoinGroup v5 GroupInstanceId
/// and MEMBER_ID_REQUIRED from v4; LeaveGroup v3 member list; SyncGroup/Heartbeat v3
/// GroupInstanceId). FindCoordinator takes every version: v0–3 send `Key`, v4+
/// `CoordinatorKeys`.
pub(crate) const IMPLEMENTED: [(ApiKey, VersionRange); 7] = [
    (ApiKey::SaslHandshake, VersionRange { min: 1, max: 1 }),
    (ApiKey::SaslAuthenticate, VersionRange { min: 0, max: 2 }),
    (ApiKey::FindCoordinator, VersionRange { min: 0, max: 6 }),
    (ApiKey::JoinGroup, VersionRange { min: 5, max: 9 }),
    (ApiKey::SyncGroup, VersionRange { min: 3, max: 5 }),
    (ApiKey::Heartbeat, VersionRange { min: 3, max: 4 }),
    (ApiKey::LeaveGroup, VersionRange { min: 3, max: 5 }),
];

/// The ApiVersions version asked first: v3 is the first flexible one and what brokers since
/// 2.4 answer; older brokers answer UNSUPPORTED_VERSION in v0 and we ask again.
const API_VERSIONS_VERSION: i16 = 3;

/// The largest answer accepted: far above any group response (a leader's JoinGroup answer
/// carries every member's metadata, a few hundred bytes each), small enough that a garbage
/// size field cannot make us allocate gigabytes.
const MAX_FRAME: i32 = 100 << 20;

/// The version of an API to use: the highest both sides support, if their ranges overlap.
pub(crate) fn negotiate(ours: VersionRange, theirs: VersionRange) -> Option<i16> {
    let both = ours.intersect(&theirs);
    (!both.is_empty()).then_some(both.max)
}

/// The versions to use with a broker that supports `broker` (api key → range): for each API
/// in [`IMPLEMENTED`] the negotiated version, absent when there is none.
pub(crate) fn negotiate_all(broker: &BTreeMap<i16, VersionRange>) -> BTreeMap<i16, i16> {
    IMPLEMENTED
        .iter()
        .filter_map(|(api, ours)| {
            let theirs = broker.get(&(*api as i16))?;
            Some((*api as i16, negotiate(*ours, *theirs)?))
        })
        .collect()
}

/// Why a wire exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WireError {
    /// Connecting, writing or reading failed or timed out: the broker is down, unreachable or
    /// too slow. Retrying elsewhere or later may help.
    #[error("{0}")]
    Io(String),
    /// The broker's bytes made no sense (size, header, body). The connection is unusable.
    #[error("{0}")]
    Protocol(String),
    /// The broker supports no version of an API this client implements: it is too old (or
    /// too new) for this worker; retrying cannot help.
    #[error("{0}")]
    Unsupported(String),
}

/// Encodes one request frame: int32 size, the request header of the version's header
/// version (client id included) and the body.
pub(crate) fn encode_request<R: Call>(
    version: i16,
    correlation_id: i32,
    client_id: &str,
    request: &R,
) -> Result<Bytes, WireError> {
    let header = RequestHeader::default()
        .with_request_api_key(R::API as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_string(client_id.to_owned())));
    let mut frame = BytesMut::new();
    frame.put_i32(0); // the size, filled in below
    header
        .encode(&mut frame, R::API.request_header_version(version))
        .and_then(|()| request.encode(&mut frame, version))
        .map_err(|e| WireError::Protocol(format!("cannot encode {:?} v{version}: {e}", R::API)))?;
    let size = i32::try_from(frame.len() - 4)
        .map_err(|_| WireError::Protocol(format!("{:?} request too large", R::API)))?;
    frame[..4].copy_from_slice(&size.to_be_bytes());
    Ok(frame.freeze())
}

/// Decodes one response frame body (after the size): the response header, checked against
/// the correlation id sent, then the body at `version`.
pub(crate) fn decode_response<A: Decodable>(
    api: ApiKey,
    version: i16,
    correlation_id: i32,
    mut body: Bytes,
) -> Result<A, WireError> {
    let bad =
        |e: anyhow::Error| WireError::Protocol(format!("cannot decode {api:?} v{version}: {e}"));
    let header =
        ResponseHeader::decode(&mut body, api.response_header_version(version)).map_err(bad)?;
    if header.correlation_id != correlation_id {
        // Answers come in order on one connection: a mismatch means we lost track of it.
        return Err(WireError::Protocol(format!(
            "{api:?}: the broker answered request {} where {correlation_id} was expected",
            header.correlation_id
        )));
    }
    let response = A::decode(&mut body, version).map_err(bad)?;
    if body.has_remaining() {
        // Newer brokers may add tagged fields the crate skips; anything else is worth a note.
        tracing::debug!(
            ?api,
            version,
            left = body.remaining(),
            "bytes left after a response"
        );
    }
    Ok(response)
}

/// An open connection to one broker, with the versions negotiated for it.
pub(crate) struct Connection {
    stream: Box<dyn Io>,
    address: String,
    client_id: String,
    correlation_id: i32,
    versions: BTreeMap<i16, i16>,
}

impl Connection {
    /// Connects to `address` (`host:port`) and asks the broker which versions it supports;
    /// each step may take up to `timeout`.
    pub(crate) async fn open(
        address: &str,
        client_id: &str,
        security: &WireSecurity,
        timeout: Duration,
    ) -> Result<Connection, WireError> {
        let io = |what: &str, e: &dyn std::fmt::Display| {
            WireError::Io(format!("cannot {what} the broker at {address}: {e}"))
        };
        let tcp = match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return Err(io("connect to", &e)),
            Err(_) => return Err(io("connect to", &format!("no answer within {timeout:?}"))),
        };
        // Group requests are small and latency-bound (heartbeats above all).
        tcp.set_nodelay(true)
            .map_err(|e| io("configure the socket of", &e))?;
        let stream: Box<dyn Io> = match &security.tls {
            None => Box::new(tcp),
            Some((connector, verify_host)) => {
                let host = address
                    .rsplit_once(':')
                    .map_or(address, |(h, _)| h)
                    .trim_start_matches('[')
                    .trim_end_matches(']');
                let tls_setup = |e: &dyn std::fmt::Display| {
                    WireError::Unsupported(format!("TLS to the broker at {address}: {e}"))
                };
                let mut config = connector.configure().map_err(|e| tls_setup(&e))?;
                config.set_verify_hostname(*verify_host);
                let ssl = config.into_ssl(host).map_err(|e| tls_setup(&e))?;
                let mut tls = tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| tls_setup(&e))?;
                match tokio::time::timeout(timeout, std::pin::Pin::new(&mut tls).connect()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return Err(io("complete the TLS handshake with", &e)),
                    Err(_) => {
                        return Err(io(
                            "complete the TLS handshake with",
                            &format!("no answer within {timeout:?}"),
                        ));
                    }
                }
                Box::new(tls)
            }
        };
        let mut connection = Connection {
            stream,
            address: address.to_owned(),
            client_id: client_id.to_owned(),
            correlation_id: 0,
            versions: BTreeMap::new(),
        };
        let broker = connection.api_versions(timeout).await?;
        connection.versions = negotiate_all(&broker);
        if let Some(sasl) = &security.sasl {
            connection.authenticate(sasl, timeout).await?;
        }
        Ok(connection)
    }

    /// SASL: `SaslHandshake` naming the mechanism, then its `SaslAuthenticate` rounds. A
    /// refused login is `Unsupported` (retrying with the same credentials cannot help).
    async fn authenticate(
        &mut self,
        sasl: &super::security::Sasl,
        timeout: Duration,
    ) -> Result<(), WireError> {
        let refused = |m: String| WireError::Unsupported(m);
        let handshake = self.version(ApiKey::SaslHandshake)?;
        let answer = self
            .call(
                handshake,
                &SaslHandshakeRequest::default()
                    .with_mechanism(StrBytes::from_static_str(sasl.mechanism.name())),
                timeout,
            )
            .await?;
        if answer.error_code != 0 {
            let offered: Vec<String> = answer.mechanisms.iter().map(|m| m.to_string()).collect();
            return Err(refused(format!(
                "the broker at {} does not accept SASL {} (it offers {}); set sasl.mechanism to one of those",
                self.address,
                sasl.mechanism.name(),
                offered.join(", ")
            )));
        }
        let version = self.version(ApiKey::SaslAuthenticate)?;
        let mut exchange =
            Exchange::new(sasl).map_err(|e| WireError::Protocol(format!("SASL: {e}")))?;
        let mut send = exchange.first();
        let rounds = if sasl.mechanism == Mechanism::Plain {
            1
        } else {
            2
        };
        for round in 0..rounds {
            let answer: SaslAuthenticateResponse = self
                .call(
                    version,
                    &SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(send)),
                    timeout,
                )
                .await?;
            if answer.error_code != 0 {
                return Err(refused(
                    format!(
                        "the broker at {} refused the SASL {} login of user '{}': {} (check sasl.jaas.config)",
                        self.address,
                        sasl.mechanism.name(),
                        sasl.username,
                        answer
                            .error_message
                            .map(|m| m.to_string())
                            .unwrap_or_else(
                                || super::errors::error_name(answer.error_code).to_string()
                            )
                    ),
                ));
            }
            let reply = answer.auth_bytes.to_vec();
            send = if round == 0 && rounds == 2 {
                exchange.answer(&reply).map_err(|e| {
                    refused(format!("SASL with the broker at {}: {e}", self.address))
                })?
            } else {
                if rounds == 2 {
                    exchange.verify(&reply).map_err(|e| {
                        refused(format!("SASL with the broker at {}: {e}", self.address))
                    })?;
                }
                Vec::new()
            };
        }
        Ok(())
    }

    /// The version to send `api` with, or why there is none.
    pub(crate) fn version(&self, api: ApiKey) -> Result<i16, WireError> {
        self.versions.get(&(api as i16)).copied().ok_or_else(|| {
            let ours = IMPLEMENTED.iter().find(|(a, _)| *a == api).map(|(_, r)| *r);
            WireError::Unsupported(match ours {
                Some(r) => format!(
                    "the broker at {} supports no {api:?} version in {}-{} (this worker's); \
                     use a Kafka broker of version 2.4 or later",
                    self.address, r.min, r.max
                ),
                None => format!("{api:?} is not implemented by this client"),
            })
        })
    }

    /// Sends `request` at `version` and waits up to `timeout` for its answer.
    pub(crate) async fn call<R: Call>(
        &mut self,
        version: i16,
        request: &R,
        timeout: Duration,
    ) -> Result<R::Response, WireError> {
        let body = self.round_trip(version, request, timeout).await?;
        decode_response(R::API, version, self.correlation_id, body)
    }

    /// Writes one request and reads its answer frame (without the size prefix).
    async fn round_trip<R: Call>(
        &mut self,
        version: i16,
        request: &R,
        timeout: Duration,
    ) -> Result<Bytes, WireError> {
        self.correlation_id = self.correlation_id.wrapping_add(1);
        let frame = encode_request(version, self.correlation_id, &self.client_id, request)?;
        let exchange = async {
            self.stream.write_all(&frame).await?;
            let size = self.stream.read_i32().await?;
            if !(0..=MAX_FRAME).contains(&size) {
                return Ok(Err(size));
            }
            let mut answer = vec![0u8; size as usize];
            self.stream.read_exact(&mut answer).await?;
            Ok::<_, std::io::Error>(Ok(Bytes::from(answer)))
        };
        let api = R::API;
        match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(Ok(body))) => Ok(body),
            Ok(Ok(Err(size))) => Err(WireError::Protocol(format!(
                "{api:?}: the broker at {} sent a frame of {size} bytes",
                self.address
            ))),
            Ok(Err(e)) => Err(WireError::Io(format!(
                "{api:?} to the broker at {}: {e}",
                self.address
            ))),
            Err(_) => Err(WireError::Io(format!(
                "{api:?} to the broker at {}: no answer within {timeout:?}",
                self.address
            ))),
        }
    }

    /// Asks the broker for the versions it supports (api key → range).
    async fn api_versions(
        &mut self,
        timeout: Duration,
    ) -> Result<BTreeMap<i16, VersionRange>, WireError> {
        let mut version = API_VERSIONS_VERSION;
        loop {
            let request = ApiVersionsRequest::default()
                .with_client_software_name(StrBytes::from_static_str("connect-host"))
                .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
            let body = self.round_trip(version, &request, timeout).await?;
            let response = parse_api_versions(version, self.correlation_id, body)?;
            let ranges: BTreeMap<i16, VersionRange> = response
                .api_keys
                .iter()
                .map(|k| {
                    let range = VersionRange {
                        min: k.min_version,
                        max: k.max_version,
                    };
                    (k.api_key, range)
                })
                .collect();
            match response.error_code {
                0 => return Ok(ranges),
                // UNSUPPORTED_VERSION: the answer still lists what the broker supports.
                35 => {
                    let theirs = ranges.get(&(ApiKey::ApiVersions as i16));
                    let ours = VersionRange {
                        min: 0,
                        max: API_VERSIONS_VERSION,
                    };
                    match theirs.and_then(|t| negotiate(ours, *t)) {
                        Some(v) if v < version => version = v,
                        _ => {
                            return Err(WireError::Unsupported(format!(
                                "the broker at {} accepts no ApiVersions request this worker \
                                 can send",
                                self.address
                            )));
                        }
                    }
                }
                code => {
                    return Err(WireError::Protocol(format!(
                        "ApiVersions to the broker at {} failed with error {code}",
                        self.address
                    )));
                }
            }
        }
    }
}

/// Reads an ApiVersions answer. A broker that does not support the version asked answers in
/// v0 (so any client can read the error), hence the second try at v0.
fn parse_api_versions(
    version: i16,
    correlation_id: i32,
    body: Bytes,
) -> Result<ApiVersionsResponse, WireError> {
    let asked = decode_response::<ApiVersionsResponse>(
        ApiKey::ApiVersions,
        version,
        correlation_id,
        body.clone(),
    );
    match asked {
        Ok(response) if response.error_code != 35 => Ok(response),
        _ if version > 0 => decode_response(ApiKey::ApiVersions, 0, correlation_id, body).or(asked),
        _ => asked,
    }
}
