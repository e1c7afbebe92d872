//! Tests of the group client against a real broker (`scripts/infra.sh up`; address in
//! `KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`), as `storage/kafka_tests.rs` finds it: they
//! fail, never skip, when the broker is down.
//!
//! Each test uses its own group; the first round of a new group waits the broker's
//! `group.initial.rebalance.delay.ms` (3 s by default, 0 on the test broker of
//! `scripts/infra.sh`). Sessions are short (6 s, the broker's minimum) and heartbeats every
//! second, so rebalances are noticed within about a second; every wait is for an event or an
//! answer, bounded by [`TEST_TIMEOUT`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, timeout};

use super::mock_broker::events;
use super::{CoordinatorError, GroupEvent, GroupMember, Joined, MemberConfig};
use crate::cluster::protocol::{
    Assignment, ProtocolCompatibility, WorkerMetadata, join_group_protocols,
};

const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The broker's address (the storage tests' lookup: `KAFKA_BOOTSTRAP` or 127.0.0.1:9092).
pub(crate) fn bootstrap() -> String {
    crate::storage::kafka_tests::bootstrap()
}

fn unique_group(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "connect-host-test-coord-{what}-{}-{nanos}",
        std::process::id()
    )
}

/// One worker of a test group: its member, its events, what it offers, and where it stands.
struct Worker {
    name: String,
    member: GroupMember,
    events: UnboundedReceiver<GroupEvent>,
    protocols: Vec<(String, Bytes)>,
    /// The round it last completed and the assignment it got.
    current: Option<(Joined, Assignment)>,
    /// Why it had to join again during the last [`round`], and when it heard.
    rejoins: Vec<(Instant, String)>,
}

fn worker(group: &str, name: &str, mode: ProtocolCompatibility) -> Worker {
    let config = MemberConfig {
        session_timeout: Duration::from_secs(6),
        heartbeat_interval: Duration::from_secs(1),
        rebalance_timeout: Duration::from_secs(15),
        request_timeout: Duration::from_secs(10),
        ..MemberConfig::new(
            bootstrap()
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
            group,
            format!("connect-test-{name}"),
        )
    };
    let (callback, events) = events();
    let url = format!("http://{name}:8083/");
    let protocols = join_group_protocols(mode, &url, 5, None)
        .unwrap()
        .into_iter()
        .map(|(p, bytes)| (p.protocol_name().to_string(), bytes))
        .collect();
    Worker {
        name: name.into(),
        member: GroupMember::new(config, callback),
        events,
        protocols,
        current: None,
        rejoins: Vec::new(),
    }
}

impl Worker {
    fn joined(&self) -> &Joined {
        &self
            .current
            .as_ref()
            .expect("the worker completed a round")
            .0
    }
    fn assignment(&self) -> &Assignment {
        &self
            .current
            .as_ref()
            .expect("the worker completed a round")
            .1
    }
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(40)
}

/// The leader's assignment: one connector named after each member, so each gets distinct bytes.
fn assign(joined: &Joined) -> Vec<(String, Bytes)> {
    let version = ProtocolCompatibility::from_protocol_name(&joined.protocol_name)
        .unwrap()
        .version();
    joined
        .members
        .iter()
        .map(|(id, _)| {
            let assignment = Assignment {
                version,
                error: 0,
                leader: joined.leader_id.clone(),
                leader_url: "http://leader:8083/".into(),
                config_offset: 5,
                connectors: vec![format!("connector-of-{id}")],
                tasks: vec![],
                revoked_connectors: vec![],
                revoked_tasks: vec![],
                delay_ms: 0,
            };
            (id.clone(), assignment.encode().unwrap())
        })
        .collect()
}

/// Who completed which generation in a round.
type Progress = BTreeMap<String, i32>;

/// Runs `workers` the way a herder would until all of them completed one generation newer
/// than `after`: join and sync (the leader assigns with [`assign`]), and join again whenever
/// a sync or the heartbeat task says so. Workers that completed a round already start by
/// heartbeating. Needed because the broker may complete a round before every worker has
/// sent its JoinGroup (it waits `group.initial.rebalance.delay.ms` only for a new group,
/// and the test broker may set that to 0).
async fn round(workers: Vec<Worker>, after: Option<i32>) -> Vec<Worker> {
    let n = workers.len();
    let (progress, watch) = tokio::sync::watch::channel(Progress::new());
    let progress = Arc::new(progress);
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|w| tokio::spawn(settle(w, n, after, progress.clone(), watch.clone())))
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn settle(
    mut w: Worker,
    n: usize,
    after: Option<i32>,
    progress: Arc<tokio::sync::watch::Sender<Progress>>,
    mut watch: tokio::sync::watch::Receiver<Progress>,
) -> Worker {
    w.rejoins.clear();
    let complete = |p: &Progress| {
        let first = p.values().next().copied();
        p.len() == n
            && p.values().all(|g| Some(*g) == first)
            && first.is_some_and(|g| after.is_none_or(|a| g > a))
    };
    loop {
        if let Some((joined, _)) = &w.current {
            let generation = joined.generation_id;
            progress.send_modify(|p| {
                p.insert(w.name.clone(), generation);
            });
            tokio::select! {
                _ = watch.wait_for(complete) => return w,
                event = w.events.recv() => match event.unwrap() {
                    GroupEvent::RejoinNeeded(why) => {
                        w.rejoins.push((Instant::now(), why));
                        w.current = None;
                    }
                    lost => panic!("{}: {lost:?}", w.name),
                },
            }
            continue;
        }
        let joined = w
            .member
            .join(&w.protocols, deadline())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", w.name));
        let assignments = if joined.is_leader() {
            assign(&joined)
        } else {
            vec![]
        };
        match w.member.sync(&joined, assignments).await {
            Ok(bytes) => {
                let assignment = Assignment::decode(&bytes).unwrap();
                w.current = Some((joined, assignment));
            }
            Err(CoordinatorError::RejoinNeeded(why)) => w.rejoins.push((Instant::now(), why)),
            Err(e) => panic!("{}: {e}", w.name),
        }
    }
}

/// Checks a completed round: one generation, exactly one leader that saw every member's
/// metadata (of the elected sub-protocol), each member got its own assignment.
fn check_round(workers: &[Worker], elected: &str) -> i32 {
    let generation = workers[0].joined().generation_id;
    let mut ids: Vec<&str> = workers
        .iter()
        .map(|w| w.joined().member_id.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), workers.len(), "distinct member ids");
    let leaders: Vec<&Worker> = workers.iter().filter(|w| w.joined().is_leader()).collect();
    assert_eq!(leaders.len(), 1, "exactly one leader");
    let leader = leaders[0].joined();
    let want_version = ProtocolCompatibility::from_protocol_name(elected)
        .unwrap()
        .version();
    let mut seen: Vec<&str> = leader.members.iter().map(|(id, _)| id.as_str()).collect();
    seen.sort();
    assert_eq!(seen, ids, "the leader sees every member");
    for (id, metadata) in &leader.members {
        let m = WorkerMetadata::decode(metadata).unwrap();
        assert_eq!(
            m.version, want_version,
            "{id}: metadata of the elected sub-protocol"
        );
        assert_eq!(m.config_offset, 5);
        let owner = workers
            .iter()
            .find(|w| w.joined().member_id == *id)
            .unwrap();
        assert_eq!(m.url, format!("http://{}:8083/", owner.name));
    }
    for w in workers {
        let joined = w.joined();
        assert_eq!(joined.generation_id, generation, "one generation");
        assert_eq!(joined.leader_id, leader.leader_id);
        assert_eq!(joined.protocol_name, elected);
        assert_eq!(w.member.generation(), Some(generation));
        assert_eq!(w.member.member_id(), joined.member_id);
        assert_eq!(
            joined.is_leader(),
            !joined.members.is_empty(),
            "only the leader gets members"
        );
        assert_eq!(
            w.assignment().connectors,
            vec![format!("connector-of-{}", joined.member_id)]
        );
        assert_eq!(w.assignment().leader, leader.leader_id);
        let prefix = format!("connect-test-{}-", w.name);
        assert!(
            joined.member_id.starts_with(&prefix),
            "broker ids start with the client id: {}",
            joined.member_id
        );
    }
    generation
}

/// Checks that `w` was told by its heartbeat task to rejoin, within `within` of `since`.
fn heard_rebalance(w: &Worker, since: Instant, within: Duration) {
    let heard = w
        .rejoins
        .iter()
        .find(|(_, why)| why.contains("heartbeat") && why.contains("REBALANCE_IN_PROGRESS"));
    let (at, _) = heard.unwrap_or_else(|| {
        panic!(
            "{}: no heartbeat REBALANCE_IN_PROGRESS: {:?}",
            w.name, w.rejoins
        )
    });
    let took = at.duration_since(since);
    assert!(took < within, "{}: heard after {took:?}", w.name);
}

/// The live group as rdkafka's DescribeGroups sees it: (protocol type, protocol, state,
/// member client ids).
async fn describe(group: &str) -> (String, String, String, Vec<String>) {
    let group = group.to_owned();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap())
            .create()
            .unwrap();
        let list = consumer
            .fetch_group_list(Some(&group), Duration::from_secs(10))
            .unwrap();
        let g = &list.groups()[0];
        let mut clients: Vec<String> = g
            .members()
            .iter()
            .map(|m| m.client_id().to_string())
            .collect();
        clients.sort();
        (
            g.protocol_type().into(),
            g.protocol().into(),
            g.state().into(),
            clients,
        )
    })
    .await
    .unwrap()
}

async fn within_timeout<F: std::future::Future<Output = ()>>(test: F) {
    timeout(TEST_TIMEOUT, test)
        .await
        .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_form_a_connect_group_and_sync_their_own_assignments() {
    within_timeout(async {
        let group = unique_group("two");
        let mode = ProtocolCompatibility::Sessioned;
        let workers = round(
            vec![worker(&group, "a", mode), worker(&group, "b", mode)],
            None,
        )
        .await;
        check_round(&workers, "sessioned");
        let (protocol_type, protocol, state, clients) = describe(&group).await;
        assert_eq!(protocol_type, "connect");
        assert_eq!(protocol, "sessioned");
        assert_eq!(state, "Stable");
        assert_eq!(clients, ["connect-test-a", "connect-test-b"]);
        for mut w in workers {
            w.member.leave("test over").await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_worker_makes_the_others_rejoin_into_one_generation() {
    within_timeout(async {
        let group = unique_group("third");
        let mode = ProtocolCompatibility::Sessioned;
        let mut workers = round(
            vec![worker(&group, "a", mode), worker(&group, "b", mode)],
            None,
        )
        .await;
        let generation = check_round(&workers, "sessioned");

        let t0 = Instant::now();
        workers.push(worker(&group, "c", mode));
        let workers = round(workers, Some(generation)).await;
        let next = check_round(&workers, "sessioned");
        assert!(next > generation, "{next} after {generation}");
        for w in &workers[..2] {
            // Heartbeats every second: heard at the next one.
            heard_rebalance(w, t0, Duration::from_secs(4));
        }
        assert_eq!(describe(&group).await.3.len(), 3);
        for mut w in workers {
            w.member.leave("test over").await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaving_worker_makes_the_others_rejoin() {
    within_timeout(async {
        let group = unique_group("leave");
        let mode = ProtocolCompatibility::Compatible;
        let three = vec![
            worker(&group, "a", mode),
            worker(&group, "b", mode),
            worker(&group, "c", mode),
        ];
        let mut workers = round(three, None).await;
        let generation = check_round(&workers, "compatible");

        let mut gone = workers.pop().unwrap();
        let t0 = Instant::now();
        gone.member.leave("the worker stops").await;
        assert_eq!(gone.member.member_id(), "");
        assert_eq!(gone.member.generation(), None);
        let workers = round(workers, Some(generation)).await;
        assert!(check_round(&workers, "compatible") > generation);
        for w in &workers {
            heard_rebalance(w, t0, Duration::from_secs(4));
        }
        assert_eq!(
            describe(&group).await.3,
            ["connect-test-a", "connect-test-b"]
        );
        // The one that left heard nothing more.
        assert!(gone.events.try_recv().is_err());
        for mut w in workers {
            w.member.leave("test over").await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_eager_worker_drags_the_group_to_default_and_no_common_protocol_is_fatal() {
    within_timeout(async {
        let group = unique_group("eager");
        let two = vec![
            worker(&group, "eager", ProtocolCompatibility::Eager),
            worker(&group, "sessioned", ProtocolCompatibility::Sessioned),
        ];
        let workers = round(two, None).await;
        check_round(&workers, "default");
        let (protocol_type, protocol, _, _) = describe(&group).await;
        assert_eq!(
            (protocol_type.as_str(), protocol.as_str()),
            ("connect", "default")
        );

        // A worker offering only `sessioned` shares nothing with the eager one.
        let mut odd = worker(&group, "odd", ProtocolCompatibility::Sessioned);
        odd.protocols.truncate(1);
        let err = odd
            .member
            .join(&odd.protocols, deadline())
            .await
            .unwrap_err();
        assert!(matches!(err, CoordinatorError::Fatal(_)), "{err:?}");
        assert!(
            err.to_string().contains("INCONSISTENT_GROUP_PROTOCOL"),
            "{err}"
        );
        for mut w in workers {
            // The refused join did not disturb the group.
            assert!(w.events.try_recv().is_err(), "{}", w.name);
            w.member.leave("test over").await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_timeout_the_broker_refuses_is_fatal_at_once() {
    within_timeout(async {
        let mut w = worker(
            &unique_group("session"),
            "a",
            ProtocolCompatibility::Sessioned,
        );
        let mut config = w.member.config().clone();
        config.session_timeout = Duration::from_secs(1);
        let (callback, _events) = events();
        w.member = GroupMember::new(config, callback);
        let t0 = Instant::now();
        let err = w.member.join(&w.protocols, deadline()).await.unwrap_err();
        assert!(t0.elapsed() < Duration::from_secs(3));
        assert!(matches!(err, CoordinatorError::Fatal(_)), "{err:?}");
        assert!(err.to_string().contains("session.timeout.ms=1000"), "{err}");
    })
    .await;
}
