//! [`GroupMember`]: a worker's membership in its Connect group (protocol type `connect`),
//! driven by the herder one round at a time: [`GroupMember::join`], then
//! [`GroupMember::sync`], then heartbeats in the background until the herder hears
//! [`GroupEvent::RejoinNeeded`] and joins again, or [`GroupMember::leave`]s.
//!
//! It follows Java's `AbstractCoordinator` (distributed-mode.md §4.1, §4.2): the member id is
//! the broker's (`<client id>-<uuid>`, handed out with MEMBER_ID_REQUIRED), kept across
//! rejoins and dropped on UNKNOWN_MEMBER_ID and on leave; no static membership
//! (GroupInstanceId is always null).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, JoinGroupResponse};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::backoff::Backoff;
use super::connection::{Connection, WireError};
use super::discovery::{self, Coordinator, FindError};
use super::errors::{self, Action, CoordinatorError, Phase};
use super::heartbeat::{HeartbeatTask, Target};
use super::requests::{join_request, leave_request, sync_request};

/// The protocol type of Connect groups; a group of any other type is not ours.
pub const PROTOCOL_TYPE: &str = "connect";

/// How long past the rebalance timeout a JoinGroup (and a follower's SyncGroup) may wait
/// for its answer: the broker parks it for up to the rebalance timeout (Java adds 5 s too).
const REBALANCE_GRACE: Duration = Duration::from_secs(5);

/// The worker settings the group client uses (Java's `GroupRebalanceConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberConfig {
    /// `bootstrap.servers`: `host:port` list, asked in order to find the coordinator.
    pub bootstrap: Vec<String>,
    /// `group.id`: the Connect cluster's group.
    pub group_id: String,
    /// Java: `client.id`, or `connect-<advertised host>:<port>`; the broker's member ids
    /// start with it.
    pub client_id: String,
    /// `session.timeout.ms` (10 s default): the broker expels a member silent this long.
    pub session_timeout: Duration,
    /// `rebalance.timeout.ms` (60 s): how long the broker waits for members to rejoin.
    pub rebalance_timeout: Duration,
    /// `heartbeat.interval.ms` (3 s); also the coordinator-lost threshold.
    pub heartbeat_interval: Duration,
    /// Per request (`request.timeout.ms`, 40 s in Connect); JoinGroup, and SyncGroup which
    /// a follower waits in for the leader, wait `rebalance_timeout` + 5 s instead.
    pub request_timeout: Duration,
    /// TLS and SASL of the connections (the worker's `security.protocol`, `ssl.*`, `sasl.*`).
    pub security: super::security::WireSecurity,
}

impl MemberConfig {
    /// A config with Java Connect's defaults for the timeouts.
    pub fn new(
        bootstrap: Vec<String>,
        group_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> MemberConfig {
        MemberConfig {
            bootstrap,
            group_id: group_id.into(),
            client_id: client_id.into(),
            session_timeout: Duration::from_secs(10),
            rebalance_timeout: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(3),
            request_timeout: Duration::from_secs(40),
            security: super::security::WireSecurity::plaintext(),
        }
    }

    fn rebalance_wait(&self) -> Duration {
        self.request_timeout
            .max(self.rebalance_timeout + REBALANCE_GRACE)
    }
}

/// What a completed JoinGroup round says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// The generation the group is forming; SyncGroup and heartbeats carry it.
    pub generation_id: i32,
    /// This member's id (broker-assigned).
    pub member_id: String,
    /// The leader's member id; the leader computes everyone's assignment.
    pub leader_id: String,
    /// The elected sub-protocol ("sessioned", "compatible", "default").
    pub protocol_name: String,
    /// (member id, metadata of the elected sub-protocol) of every member, in the broker's
    /// order — only filled for the leader.
    pub members: Vec<(String, Bytes)>,
}

impl Joined {
    /// Whether this member leads the generation (must send every member's assignment).
    pub fn is_leader(&self) -> bool {
        self.member_id == self.leader_id
    }
}

/// What the heartbeat task tells the herder, through the callback given to
/// [`GroupMember::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupEvent {
    /// The generation is over (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID;
    /// the text says which and which generation): call [`GroupMember::join`] again. The
    /// heartbeat task has ended.
    RejoinNeeded(String),
    /// The coordinator is unreachable for `heartbeat_interval`, or no heartbeat succeeded for
    /// `session_timeout` (see the `heartbeat` module): stop all local work now, as Java does
    /// before the broker hands it to others, then join again. Heartbeats go on meanwhile.
    CoordinatorLost(String),
}

/// One worker's membership in its Connect group.
///
/// What the driver (the herder) owes the group, as Java's herder does:
/// - after a [`GroupEvent::RejoinNeeded`] (or a `RejoinNeeded` error), call
///   [`join`](Self::join) within `rebalance_timeout`: the broker completes the new generation
///   without members that have not rejoined by then, and they come back as new members;
/// - after `join`, call [`sync`](Self::sync) promptly: every follower waits at the broker for
///   the leader's SyncGroup, and the broker gives up after `rebalance_timeout`;
/// - call [`leave`](Self::leave) on shutdown, so the others rebalance at once instead of after
///   `session_timeout`.
///
/// Dropping a `join`/`sync` future part-way is safe for this value (its connection is dropped
/// and the next call opens another); the broker may then wait for the abandoned member until
/// the rebalance or session timeout. Dropping the member stops its heartbeats.
pub struct GroupMember {
    config: MemberConfig,
    events: Arc<dyn Fn(GroupEvent) + Send + Sync>,
    member_id: String,
    generation: Option<i32>,
    /// The coordinator and our connection to it, while they work.
    coordinator: Option<Coordinator>,
    connection: Option<Connection>,
    heartbeat: Option<HeartbeatTask>,
}

impl GroupMember {
    /// A member that has not joined yet. `events` is called from the heartbeat task: it must
    /// return quickly (e.g. send on a channel) and never block.
    pub fn new(config: MemberConfig, events: Arc<dyn Fn(GroupEvent) + Send + Sync>) -> Self {
        GroupMember {
            config,
            events,
            member_id: String::new(),
            generation: None,
            coordinator: None,
            connection: None,
            heartbeat: None,
        }
    }

    /// The member id the next JoinGroup sends: the broker's once it handed one out, "" before
    /// and after [`leave`](Self::leave) or UNKNOWN_MEMBER_ID (a heartbeat's UNKNOWN_MEMBER_ID
    /// takes effect when the next join starts).
    pub fn member_id(&self) -> &str {
        &self.member_id
    }

    /// The generation of the last successful [`sync`](Self::sync), while it is being
    /// heartbeated; `None` before, once a new join starts, and after leave.
    pub fn generation(&self) -> Option<i32> {
        self.generation
    }

    /// The settings this member uses.
    pub fn config(&self) -> &MemberConfig {
        &self.config
    }

    /// FindCoordinator (rediscovering it whenever needed), then JoinGroup with protocol type
    /// "connect" and these (name, metadata) protocols in preference order, until a round
    /// completes or `deadline` passes.
    ///
    /// Stops the heartbeat task first. Handles MEMBER_ID_REQUIRED (adopts the id, resends at
    /// once), UNKNOWN_MEMBER_ID (resets the id, retries), coordinator loading, moving or
    /// unavailable, a rebalance in progress and network errors (backs off, rediscovers,
    /// retries). May wait up to `rebalance_timeout` + 5 s in one JoinGroup while the broker
    /// waits for the other members, and a new group's first round waits the broker's
    /// `group.initial.rebalance.delay.ms` (3 s by default); both are cut short by `deadline`.
    ///
    /// Errors: [`CoordinatorError::Fatal`] for INCONSISTENT_GROUP_PROTOCOL,
    /// INVALID_SESSION_TIMEOUT, GROUP_AUTHORIZATION_FAILED, GROUP_MAX_SIZE_REACHED,
    /// INVALID_GROUP_ID, a broker too old, or an answer whose protocol type is not "connect"
    /// or whose protocol we did not offer; [`CoordinatorError::Timeout`] when the deadline
    /// passes first, with the last problem seen.
    pub async fn join(
        &mut self,
        protocols: &[(String, Bytes)],
        deadline: Instant,
    ) -> Result<Joined, CoordinatorError> {
        self.stop_heartbeat().await;
        self.generation = None;
        let group = self.config.group_id.clone();
        if protocols.is_empty() {
            return Err(CoordinatorError::Fatal(format!(
                "cannot join Connect group {group}: no sub-protocol offered (a bug)"
            )));
        }
        let mut backoff = Backoff::default();
        let mut reason = "joining the group".to_string();
        let mut last_problem = String::from("no answer yet");
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(CoordinatorError::Timeout(format!(
                    "could not join Connect group {group} in time: {last_problem}. Check that \
                     the brokers at {} are up and reachable",
                    self.config.bootstrap.join(",")
                )));
            }
            let mut connection = match self.coordinator_connection(deadline).await {
                Ok(c) => c,
                Err(FindError::Fatal(m)) => return Err(CoordinatorError::Fatal(m)),
                Err(FindError::Retry(m)) => {
                    last_problem = m;
                    backoff.sleep(deadline).await;
                    continue;
                }
            };
            let version = connection.version(ApiKey::JoinGroup).map_err(fatal_wire)?;
            let request = join_request(version, &self.config, &self.member_id, protocols, &reason);
            let wait = self
                .config
                .rebalance_wait()
                .min(deadline.saturating_duration_since(now));
            let response = match connection.call(version, &request, wait).await {
                Ok(r) => r,
                Err(e) => {
                    // Its answer may still come: the connection is of no further use.
                    self.coordinator = None;
                    last_problem = format!("JoinGroup: {e}");
                    backoff.sleep(deadline).await;
                    continue;
                }
            };
            self.connection = Some(connection);
            let code = response.error_code;
            let name = errors::error_name(code);
            match errors::action(Phase::Join, code) {
                Action::Proceed => return self.joined(response, protocols),
                Action::AdoptMemberId => {
                    tracing::debug!(%group, member = %response.member_id.as_str(), "the broker handed out a member id");
                    self.member_id = response.member_id.to_string();
                    reason = "need to re-join with the given member id".into();
                }
                Action::ResetMemberId => {
                    tracing::info!(%group, member = %self.member_id, "the broker no longer knows this member: joining as a new one");
                    self.member_id.clear();
                    reason = "rejoining after UNKNOWN_MEMBER_ID".into();
                }
                Action::Rediscover => {
                    self.drop_coordinator();
                    last_problem = format!("JoinGroup: {name}");
                    backoff.sleep(deadline).await;
                }
                Action::Retry | Action::Rejoin => {
                    last_problem = format!("JoinGroup: {name}");
                    backoff.sleep(deadline).await;
                }
                Action::Fatal => {
                    return Err(CoordinatorError::Fatal(errors::explain_fatal(
                        code,
                        &group,
                        self.config.session_timeout.as_millis() as i64,
                        &offered(protocols),
                    )));
                }
            }
        }
    }

    /// Checks a successful JoinGroup answer and records what it says.
    fn joined(
        &mut self,
        response: JoinGroupResponse,
        protocols: &[(String, Bytes)],
    ) -> Result<Joined, CoordinatorError> {
        let group = &self.config.group_id;
        let inconsistent = |what: String| {
            CoordinatorError::Fatal(format!(
                "cannot join Connect group {group}: {what}. Give this Connect cluster a group.id \
                 that no consumer group or other application uses"
            ))
        };
        if let Some(t) = &response.protocol_type
            && t.as_str() != PROTOCOL_TYPE
        {
            return Err(inconsistent(format!(
                "the broker elected protocol type \"{}\", not \"{PROTOCOL_TYPE}\"",
                t.as_str()
            )));
        }
        let protocol_name = response
            .protocol_name
            .as_ref()
            .map(|n| n.to_string())
            .unwrap_or_default();
        if !protocols.iter().any(|(name, _)| *name == protocol_name) {
            return Err(inconsistent(format!(
                "the broker elected sub-protocol \"{protocol_name}\", which this worker did not \
                 offer ({})",
                offered(protocols)
            )));
        }
        if response.skip_assignment {
            return Err(inconsistent(
                "the broker asked this member to skip the assignment, which Connect never does"
                    .into(),
            ));
        }
        self.member_id = response.member_id.to_string();
        let joined = Joined {
            generation_id: response.generation_id,
            member_id: self.member_id.clone(),
            leader_id: response.leader.to_string(),
            protocol_name,
            members: response
                .members
                .into_iter()
                .map(|m| (m.member_id.to_string(), m.metadata))
                .collect(),
        };
        tracing::info!(
            %group, generation = joined.generation_id, member = %joined.member_id,
            leader = %joined.leader_id, protocol = %joined.protocol_name,
            "joined the group"
        );
        Ok(joined)
    }

    /// SyncGroup for the generation just joined: the leader passes every member's assignment
    /// bytes, followers an empty vec. Returns this member's assignment bytes and starts the
    /// heartbeat task for the generation.
    ///
    /// A follower's SyncGroup waits at the broker until the leader's arrives, so this may take
    /// up to `rebalance_timeout` + 5 s. REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
    /// UNKNOWN_MEMBER_ID (which also resets the member id), coordinator errors and lost
    /// connections → [`CoordinatorError::RejoinNeeded`]; authorization or protocol mismatch →
    /// [`CoordinatorError::Fatal`].
    pub async fn sync(
        &mut self,
        joined: &Joined,
        assignments: Vec<(String, Bytes)>,
    ) -> Result<Bytes, CoordinatorError> {
        self.stop_heartbeat().await;
        self.generation = None;
        let group = self.config.group_id.clone();
        let generation = joined.generation_id;
        let deadline = Instant::now() + self.config.rebalance_wait();
        let mut connection = self
            .coordinator_connection(deadline)
            .await
            .map_err(|e| match e {
                FindError::Fatal(m) => CoordinatorError::Fatal(m),
                FindError::Retry(m) => CoordinatorError::RejoinNeeded(format!(
                    "SyncGroup of generation {generation}: {m}"
                )),
            })?;
        let version = connection.version(ApiKey::SyncGroup).map_err(fatal_wire)?;
        let request = sync_request(version, &group, joined, assignments);
        let response = match connection
            .call(
                version,
                &request,
                deadline.saturating_duration_since(Instant::now()),
            )
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.drop_coordinator();
                return Err(CoordinatorError::RejoinNeeded(format!(
                    "SyncGroup of generation {generation}: {e}"
                )));
            }
        };
        self.connection = Some(connection);
        let code = response.error_code;
        let name = errors::error_name(code);
        match errors::action(Phase::Sync, code) {
            Action::Proceed => {}
            Action::ResetMemberId => {
                self.member_id.clear();
                return Err(CoordinatorError::RejoinNeeded(format!(
                    "SyncGroup of generation {generation}: {name}, joining as a new member"
                )));
            }
            Action::Rediscover => {
                self.drop_coordinator();
                return Err(CoordinatorError::RejoinNeeded(format!(
                    "SyncGroup of generation {generation}: {name}"
                )));
            }
            Action::Rejoin | Action::Retry | Action::AdoptMemberId => {
                return Err(CoordinatorError::RejoinNeeded(format!(
                    "SyncGroup of generation {generation}: {name}"
                )));
            }
            Action::Fatal => {
                return Err(CoordinatorError::Fatal(errors::explain_fatal(
                    code,
                    &group,
                    self.config.session_timeout.as_millis() as i64,
                    &joined.protocol_name,
                )));
            }
        }
        // v5 answers carry the protocol again; it must be the one joined.
        let mismatch = |field: &Option<StrBytes>, want: &str| {
            field.as_ref().is_some_and(|got| got.as_str() != want)
        };
        if mismatch(&response.protocol_type, PROTOCOL_TYPE)
            || mismatch(&response.protocol_name, &joined.protocol_name)
        {
            return Err(CoordinatorError::Fatal(errors::explain_fatal(
                errors::INCONSISTENT_GROUP_PROTOCOL,
                &group,
                0,
                &joined.protocol_name,
            )));
        }
        self.generation = Some(generation);
        self.heartbeat = Some(HeartbeatTask::spawn(
            self.config.clone(),
            Target {
                generation_id: generation,
                member_id: joined.member_id.clone(),
                coordinator: self.coordinator.clone(),
            },
            self.events.clone(),
        ));
        tracing::info!(%group, generation, member = %joined.member_id, bytes = response.assignment.len(), "synced the group");
        Ok(response.assignment)
    }

    /// LeaveGroup (v3+ Members[{MemberId, GroupInstanceId: null, Reason (v5+)}]) and stop
    /// heartbeating, so the group rebalances at once instead of after the session timeout.
    /// Best effort within `request_timeout` (failures are logged); clears the member id.
    pub async fn leave(&mut self, reason: &str) {
        self.stop_heartbeat().await;
        self.generation = None;
        let member = std::mem::take(&mut self.member_id);
        if member.is_empty() {
            return;
        }
        let group = self.config.group_id.clone();
        let deadline = Instant::now() + self.config.request_timeout;
        let mut backoff = Backoff::default();
        let problem = loop {
            let problem = match self.try_leave(&member, reason, deadline).await {
                Ok(()) => {
                    tracing::info!(%group, %member, "left the group: {reason}");
                    return;
                }
                Err(p) => p,
            };
            if Instant::now() + Duration::from_millis(100) >= deadline {
                break problem;
            }
            backoff.sleep(deadline).await;
        };
        tracing::warn!(%group, %member, "could not leave the group ({problem}); the broker removes this member after session.timeout.ms");
    }

    async fn try_leave(
        &mut self,
        member: &str,
        reason: &str,
        deadline: Instant,
    ) -> Result<(), String> {
        let mut connection = self
            .coordinator_connection(deadline)
            .await
            .map_err(|e| e.message().to_owned())?;
        let version = connection
            .version(ApiKey::LeaveGroup)
            .map_err(|e| e.to_string())?;
        let request = leave_request(version, &self.config.group_id, member, None, reason);
        let wait = deadline.saturating_duration_since(Instant::now());
        let response = match connection.call(version, &request, wait).await {
            Ok(r) => r,
            Err(e) => {
                self.drop_coordinator();
                return Err(e.to_string());
            }
        };
        self.connection = Some(connection);
        let codes = std::iter::once(response.error_code)
            .chain(response.members.iter().map(|m| m.error_code));
        for code in codes {
            match errors::action(Phase::Leave, code) {
                Action::Proceed => {}
                Action::Rediscover => {
                    self.drop_coordinator();
                    return Err(errors::error_name(code));
                }
                _ => return Err(errors::error_name(code)),
            }
        }
        Ok(())
    }

    /// The connection to the coordinator: the open one, else one to the known coordinator,
    /// else one to the coordinator the bootstrap brokers name. Taken out of `self` while in use.
    async fn coordinator_connection(&mut self, deadline: Instant) -> Result<Connection, FindError> {
        if let Some(c) = self.connection.take() {
            return Ok(c);
        }
        let timeout = self
            .config
            .request_timeout
            .min(deadline.saturating_duration_since(Instant::now()))
            .max(Duration::from_millis(1));
        let c = &self.config;
        if let Some(known) = &self.coordinator {
            match discovery::open(known, &c.client_id, &c.security, timeout).await {
                Ok(connection) => return Ok(connection),
                Err(FindError::Retry(m)) => {
                    tracing::debug!(group = %c.group_id, "{m}; finding the coordinator again");
                    self.coordinator = None;
                }
                Err(fatal) => return Err(fatal),
            }
        }
        let found = discovery::find(
            &c.bootstrap,
            &c.group_id,
            &c.client_id,
            &c.security,
            timeout,
        )
        .await?;
        tracing::debug!(group = %c.group_id, node = found.node_id, address = %found.address, "found the group coordinator");
        let connection = discovery::open(&found, &c.client_id, &c.security, timeout).await?;
        self.coordinator = Some(found);
        Ok(connection)
    }

    /// Forgets the coordinator and the connection to it: the next call looks it up again.
    fn drop_coordinator(&mut self) {
        self.coordinator = None;
        self.connection = None;
    }

    async fn stop_heartbeat(&mut self) {
        if let Some(task) = self.heartbeat.take()
            && task.stop().await
        {
            tracing::info!(group = %self.config.group_id, member = %self.member_id, "the broker no longer knows this member: joining as a new one");
            self.member_id.clear();
        }
    }
}

impl Drop for GroupMember {
    fn drop(&mut self) {
        // No heartbeats for a member nobody drives; the broker expires it after the session
        // timeout (call `leave` first for a prompt rebalance).
        if let Some(task) = &self.heartbeat {
            task.abort();
        }
    }
}

fn fatal_wire(e: WireError) -> CoordinatorError {
    CoordinatorError::Fatal(e.to_string())
}

fn offered(protocols: &[(String, Bytes)]) -> String {
    protocols
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
