//! The heartbeat task: keeps one generation's membership alive, as Java's
//! `AbstractCoordinator.HeartbeatThread` does, and tells the herder when the generation ends
//! or the coordinator is lost.
//!
//! It is a tokio task of its own with its own connection to the coordinator, so nothing the
//! worker does (connector starts and stops, config reads, a slow REST call) delays a
//! heartbeat. Every `heartbeat.interval.ms` it sends Heartbeat {GroupId, GenerationId,
//! MemberId, GroupInstanceId null}:
//! - success: the membership is alive until at least the next beat;
//! - REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID: emits
//!   [`GroupEvent::RejoinNeeded`] once and ends (UNKNOWN_MEMBER_ID also makes the next join
//!   start as a new member);
//! - NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / connection errors: finds the coordinator
//!   again (via the bootstrap brokers) and carries on, after a short backoff;
//! - other retriable errors: tries again after a short backoff;
//! - fatal errors (GROUP_AUTHORIZATION_FAILED): emits `RejoinNeeded` and ends, so that the
//!   herder's next join reports the error to it.
//!
//! **Coordinator lost.** [`GroupEvent::CoordinatorLost`] is emitted, once per outage, when
//! either
//! 1. the coordinator has been unknown (a heartbeat failed with a connection error or a
//!    coordinator error) and could not be found and connected to again within
//!    `heartbeat.interval.ms`. This is Java's rule (`WorkerCoordinator.poll`: discovery with
//!    a timeout of `heartbeat.interval.ms`, then "Broker coordinator was unreachable ...
//!    Revoking previous assignment"): the broker expels a silent member after
//!    `session.timeout.ms` and hands its work to others, so the worker must stop well before
//!    that, not at it, to never run a task twice;
//! 2. or no heartbeat has succeeded for `session.timeout.ms` (the coordinator answers
//!    nothing or only retriable errors): by then the broker has expelled this member.
//!
//! After `CoordinatorLost` the task keeps trying: when the coordinator is back it answers
//! UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS and `RejoinNeeded` follows; if the outage was
//! shorter than the session timeout, heartbeats simply succeed again (and a later outage is
//! reported again). The herder stops its work on `CoordinatorLost` and rejoins.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kafka_protocol::messages::ApiKey;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use super::backoff::Backoff;
use super::connection::Connection;
use super::discovery::{self, Coordinator, FindError};
use super::errors::{self, Action, Phase};
use super::member::{GroupEvent, MemberConfig};
use super::requests::heartbeat_request;

/// Where the herder hears about group events.
pub(crate) type Events = Arc<dyn Fn(GroupEvent) + Send + Sync>;

/// The generation a heartbeat task keeps alive.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) generation_id: i32,
    pub(crate) member_id: String,
    /// The coordinator the generation was joined at, if known; otherwise it is looked up.
    pub(crate) coordinator: Option<Coordinator>,
}

/// A running heartbeat task.
pub(crate) struct HeartbeatTask {
    handle: JoinHandle<()>,
    member_unknown: Arc<AtomicBool>,
}

impl HeartbeatTask {
    /// Starts heartbeating `target` on the current tokio runtime; the first beat goes out one
    /// interval from now (the SyncGroup that just succeeded counts as one).
    pub(crate) fn spawn(config: MemberConfig, target: Target, events: Events) -> HeartbeatTask {
        let member_unknown = Arc::new(AtomicBool::new(false));
        let flag = member_unknown.clone();
        let handle = tokio::spawn(run(config, target, events, flag));
        HeartbeatTask {
            handle,
            member_unknown,
        }
    }

    /// Stops the task and waits until it has; no event is emitted after this returns.
    /// Returns whether the broker said UNKNOWN_MEMBER_ID (the member id is void).
    pub(crate) async fn stop(self) -> bool {
        self.handle.abort();
        let _ = self.handle.await;
        self.member_unknown.load(Ordering::SeqCst)
    }

    /// Stops the task without waiting (for `Drop`).
    pub(crate) fn abort(&self) {
        self.handle.abort();
    }
}

/// When to report the coordinator lost (see the module doc).
struct LostWatch {
    group: String,
    interval: Duration,
    session: Duration,
    last_success: Instant,
    unknown_since: Option<Instant>,
    reported: bool,
    events: Events,
}

impl LostWatch {
    fn deadline(&self) -> Option<Instant> {
        if self.reported {
            return None;
        }
        let session = self.last_success + self.session;
        Some(match self.unknown_since {
            Some(since) => session.min(since + self.interval),
            None => session,
        })
    }

    /// Emits `CoordinatorLost` if its deadline has passed.
    fn check(&mut self) {
        let now = Instant::now();
        let Some(deadline) = self.deadline() else {
            return;
        };
        if now < deadline {
            return;
        }
        self.reported = true;
        let silent = now.duration_since(self.last_success);
        let why = if silent >= self.session {
            format!(
                "no heartbeat to the coordinator of group {} succeeded for {} ms \
                 (session.timeout.ms): the broker has removed this member",
                self.group,
                silent.as_millis()
            )
        } else {
            format!(
                "the coordinator of group {} has been unreachable for {} ms \
                 (heartbeat.interval.ms)",
                self.group,
                self.interval.as_millis()
            )
        };
        tracing::warn!("{why}; stopping local work until the group is joined again");
        (self.events)(GroupEvent::CoordinatorLost(why));
    }

    fn coordinator_unknown(&mut self) {
        self.unknown_since.get_or_insert_with(Instant::now);
    }

    /// Runs `work`, reporting the coordinator lost meanwhile if its deadline passes.
    async fn race<F: Future>(&mut self, work: F) -> F::Output {
        tokio::pin!(work);
        loop {
            let deadline = self.deadline();
            tokio::select! {
                output = &mut work => return output,
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.check();
                }
            }
        }
    }
}

/// How one heartbeat went.
enum Outcome {
    Alive,
    /// The generation is over: rejoin (the flag: as a new member).
    Rejoin(String, bool),
    /// Find the coordinator again.
    Rediscover(String),
    /// Try again shortly.
    Retry(String),
}

async fn run(
    config: MemberConfig,
    target: Target,
    events: Events,
    member_unknown: Arc<AtomicBool>,
) {
    let interval = config.heartbeat_interval;
    let mut watch = LostWatch {
        group: config.group_id.clone(),
        interval,
        session: config.session_timeout,
        last_success: Instant::now(),
        unknown_since: None,
        reported: false,
        events: events.clone(),
    };
    let mut coordinator = target.coordinator.clone();
    let mut connection: Option<Connection> = None;
    let mut backoff = Backoff::default();
    let mut next = Instant::now() + interval;
    let step_timeout = config.request_timeout.min(config.session_timeout);
    loop {
        if connection.is_none() {
            // Connect at once (at the start, so the first beat is on time, and after a
            // failure), then beat when due.
            match watch
                .race(reconnect(&config, &mut coordinator, step_timeout))
                .await
            {
                Ok(c) => {
                    // Found and reachable again: Java's discovery succeeded.
                    watch.unknown_since = None;
                    connection = Some(c);
                }
                Err(FindError::Fatal(why)) => {
                    return rejoin(&events, format!("{why}; joining again reports it"));
                }
                Err(FindError::Retry(why)) => {
                    tracing::debug!(group = %config.group_id, "heartbeat: {why}");
                    watch.coordinator_unknown();
                    let pause = backoff.next_pause().min(interval);
                    watch.race(tokio::time::sleep(pause)).await;
                    continue;
                }
            }
        }
        watch.race(sleep_until(next)).await;
        let Some(conn) = connection.as_mut() else {
            continue;
        };
        let sent = Instant::now();
        let outcome = watch.race(beat(conn, &config, &target, step_timeout)).await;
        match outcome {
            Outcome::Alive => {
                watch.last_success = sent;
                watch.reported = false;
                backoff.reset();
                next = sent + interval;
            }
            Outcome::Rejoin(why, unknown) => {
                if unknown {
                    member_unknown.store(true, Ordering::SeqCst);
                }
                return rejoin(&events, why);
            }
            Outcome::Rediscover(why) => {
                tracing::info!(group = %config.group_id, "heartbeat: {why}; finding the coordinator again");
                connection = None;
                coordinator = None;
                watch.coordinator_unknown();
                // Pause before looking it up, then beat as soon as it is found.
                let pause = backoff.next_pause().min(interval);
                watch.race(tokio::time::sleep(pause)).await;
                next = Instant::now();
            }
            Outcome::Retry(why) => {
                tracing::debug!(group = %config.group_id, "heartbeat: {why}; retrying");
                next = Instant::now() + backoff.next_pause().min(interval);
            }
        }
        watch.check();
    }
}

fn rejoin(events: &Events, why: String) {
    tracing::info!("{why}");
    events(GroupEvent::RejoinNeeded(why));
}

/// A connection to the coordinator: the known one, else the one the bootstrap brokers name.
async fn reconnect(
    config: &MemberConfig,
    coordinator: &mut Option<Coordinator>,
    timeout: Duration,
) -> Result<Connection, FindError> {
    let found = match coordinator.take() {
        Some(known) => known,
        None => {
            discovery::find(
                &config.bootstrap,
                &config.group_id,
                &config.client_id,
                &config.security,
                timeout,
            )
            .await?
        }
    };
    let connection = discovery::open(&found, &config.client_id, &config.security, timeout).await?;
    *coordinator = Some(found);
    Ok(connection)
}

async fn beat(
    connection: &mut Connection,
    config: &MemberConfig,
    target: &Target,
    timeout: Duration,
) -> Outcome {
    let version = match connection.version(ApiKey::Heartbeat) {
        Ok(v) => v,
        Err(e) => return Outcome::Rejoin(e.to_string(), false),
    };
    let request = heartbeat_request(&config.group_id, target.generation_id, &target.member_id);
    let code = match connection.call(version, &request, timeout).await {
        Ok(response) => response.error_code,
        Err(e) => return Outcome::Rediscover(e.to_string()),
    };
    let name = errors::error_name(code);
    let generation = target.generation_id;
    match errors::action(Phase::Heartbeat, code) {
        Action::Proceed => Outcome::Alive,
        Action::ResetMemberId => Outcome::Rejoin(
            format!(
                "heartbeat of generation {generation}: {name}, the broker no longer knows member {}",
                target.member_id
            ),
            true,
        ),
        Action::Rejoin => Outcome::Rejoin(
            format!("heartbeat of generation {generation}: {name}, the group is rebalancing"),
            false,
        ),
        Action::Rediscover => Outcome::Rediscover(format!("heartbeat: {name}")),
        Action::Fatal => Outcome::Rejoin(
            format!("heartbeat of generation {generation}: {name}; joining again reports why"),
            false,
        ),
        Action::Retry | Action::AdoptMemberId => Outcome::Retry(format!("heartbeat: {name}")),
    }
}
