//! Tests of the member and heartbeat logic against the scripted [`MockBroker`]: the answers a
//! real broker gives only in rare situations (old versions, chosen errors, dying).

use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::ApiKey;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, timeout};

use super::mock_broker::{MockBroker, Script, events};
use super::{CoordinatorError, GroupEvent, GroupMember, MemberConfig};

fn config(broker: &MockBroker) -> MemberConfig {
    MemberConfig {
        heartbeat_interval: Duration::from_millis(200),
        session_timeout: Duration::from_secs(6),
        request_timeout: Duration::from_secs(5),
        ..MemberConfig::new(vec![broker.address.clone()], "connect-mock", "connect-test")
    }
}

fn protocols() -> Vec<(String, Bytes)> {
    vec![
        ("sessioned".into(), Bytes::from_static(b"m2")),
        ("compatible".into(), Bytes::from_static(b"m1")),
        ("default".into(), Bytes::from_static(b"m0")),
    ]
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

/// Joins and syncs as the only member (the leader), assigning itself `b"mine"`.
async fn join_and_sync(member: &mut GroupMember) {
    let joined = member.join(&protocols(), soon()).await.unwrap();
    assert!(joined.is_leader());
    let id = joined.member_id.clone();
    let mine = member
        .sync(&joined, vec![(id, Bytes::from_static(b"mine"))])
        .await
        .unwrap();
    assert_eq!(mine, Bytes::from_static(b"mine"));
}

async fn next_event(events: &mut UnboundedReceiver<GroupEvent>, within: Duration) -> GroupEvent {
    timeout(within, events.recv())
        .await
        .unwrap_or_else(|_| panic!("no group event within {within:?}"))
        .unwrap()
}

/// Waits until the mock has seen a request of `api` (polls its log: the mock has no events).
async fn until_seen(broker: &MockBroker, api: ApiKey) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !broker.seen().iter().any(|s| s.api == api) {
        assert!(
            Instant::now() < deadline,
            "no {api:?} reached the mock broker"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn join_ids(broker: &MockBroker) -> Vec<String> {
    broker
        .seen()
        .into_iter()
        .filter(|s| s.api == ApiKey::JoinGroup)
        .map(|s| s.member_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_id_required_and_passing_errors_are_handled_as_java_does() {
    // MEMBER_ID_REQUIRED, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, UNKNOWN_MEMBER_ID.
    let broker = MockBroker::start(Script {
        join_errors: [79, 14, 16, 25].into(),
        ..Script::default()
    })
    .await;
    let (callback, _events) = events();
    let mut member = GroupMember::new(config(&broker), callback);
    let joined = member.join(&protocols(), soon()).await.unwrap();
    assert_eq!(
        join_ids(&broker),
        ["", "mock-1", "mock-1", "mock-1", ""],
        "adopt the handed-out id, keep it over retries, drop it on UNKNOWN_MEMBER_ID"
    );
    let finds = broker
        .seen()
        .iter()
        .filter(|s| s.api == ApiKey::FindCoordinator)
        .count();
    assert_eq!(
        finds, 2,
        "NOT_COORDINATOR made it look the coordinator up again"
    );
    assert_eq!(joined.member_id, "mock-1");
    assert_eq!(member.member_id(), "mock-1");
    assert_eq!(joined.protocol_name, "sessioned");
    assert_eq!(
        joined.members,
        vec![("mock-1".to_string(), Bytes::from_static(b"m2"))]
    );
    assert_eq!(member.generation(), None, "not synced yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_broker_gets_the_highest_versions_it_supports() {
    let broker = MockBroker::start(Script {
        versions: vec![
            (ApiKey::ApiVersions, 0, 3),
            (ApiKey::FindCoordinator, 0, 3),
            (ApiKey::JoinGroup, 0, 5),
            (ApiKey::SyncGroup, 0, 3),
            (ApiKey::Heartbeat, 0, 3),
            (ApiKey::LeaveGroup, 0, 3),
        ],
        ..Script::default()
    })
    .await;
    let (callback, _events) = events();
    let mut member = GroupMember::new(config(&broker), callback);
    join_and_sync(&mut member).await;
    assert_eq!(member.generation(), Some(1));
    until_seen(&broker, ApiKey::Heartbeat).await;
    member.leave("test over").await;
    let version = |api| {
        let seen = broker.seen();
        seen.iter().find(|s| s.api == api).map(|s| s.version)
    };
    assert_eq!(version(ApiKey::ApiVersions), Some(3));
    assert_eq!(
        version(ApiKey::FindCoordinator),
        Some(3),
        "Key, not CoordinatorKeys"
    );
    assert_eq!(version(ApiKey::JoinGroup), Some(5));
    assert_eq!(version(ApiKey::SyncGroup), Some(3));
    assert_eq!(version(ApiKey::Heartbeat), Some(3));
    assert_eq!(version(ApiKey::LeaveGroup), Some(3));
    let leave = broker
        .seen()
        .into_iter()
        .find(|s| s.api == ApiKey::LeaveGroup)
        .unwrap();
    assert_eq!(leave.member_id, "mock-1");
    assert_eq!(member.member_id(), "", "leave clears the member id");
    assert_eq!(member.generation(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fatal_answers_are_errors_that_name_the_fix() {
    let cases: [(Script, &[&str]); 3] = [
        (
            Script {
                versions: vec![(ApiKey::FindCoordinator, 0, 6), (ApiKey::JoinGroup, 0, 4)],
                ..Script::default()
            },
            &["JoinGroup", "2.4 or later"],
        ),
        (
            Script {
                join_errors: [26].into(),
                ..Script::default()
            },
            &[
                "INVALID_SESSION_TIMEOUT",
                "session.timeout.ms=6000",
                "Change",
            ],
        ),
        (
            Script {
                protocol_type: "consumer".into(),
                ..Script::default()
            },
            &["protocol type \"consumer\"", "group.id"],
        ),
    ];
    for (script, words) in cases {
        let broker = MockBroker::start(script).await;
        let (callback, _events) = events();
        let mut member = GroupMember::new(config(&broker), callback);
        let t0 = Instant::now();
        let err = member.join(&protocols(), soon()).await.unwrap_err();
        assert!(matches!(err, CoordinatorError::Fatal(_)), "{err:?}");
        assert!(
            t0.elapsed() < Duration::from_secs(2),
            "fatal errors are not retried"
        );
        let text = err.to_string();
        for w in words {
            assert!(text.contains(w), "{w:?} missing in: {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_errors_end_the_generation_once() {
    let broker = MockBroker::start(Script::default()).await;
    let (callback, mut events) = events();
    let mut member = GroupMember::new(config(&broker), callback);

    join_and_sync(&mut member).await;
    broker.script(|s| s.heartbeat_code = 27);
    let event = next_event(&mut events, Duration::from_secs(3)).await;
    assert!(
        matches!(&event, GroupEvent::RejoinNeeded(t) if t.contains("REBALANCE_IN_PROGRESS") && t.contains("generation 1")),
        "{event:?}"
    );
    // Rejoining keeps the member id after REBALANCE_IN_PROGRESS ...
    broker.script(|s| s.heartbeat_code = 0);
    join_and_sync(&mut member).await;
    assert_eq!(join_ids(&broker).last().map(String::as_str), Some("mock-1"));

    // ... and drops it after UNKNOWN_MEMBER_ID.
    broker.script(|s| s.heartbeat_code = 25);
    let event = next_event(&mut events, Duration::from_secs(3)).await;
    assert!(
        matches!(&event, GroupEvent::RejoinNeeded(t) if t.contains("UNKNOWN_MEMBER_ID")),
        "{event:?}"
    );
    broker.script(|s| s.heartbeat_code = 0);
    member.join(&protocols(), soon()).await.unwrap();
    assert_eq!(join_ids(&broker).last().map(String::as_str), Some(""));
    // One event per ended generation: nothing else arrived.
    assert!(events.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_coordinator_is_reported_lost_after_one_heartbeat_interval() {
    let broker = MockBroker::start(Script::default()).await;
    let (callback, mut events) = events();
    let mut member = GroupMember::new(config(&broker), callback);
    join_and_sync(&mut member).await;
    until_seen(&broker, ApiKey::Heartbeat).await;

    broker.kill();
    let t0 = Instant::now();
    let event = next_event(&mut events, Duration::from_secs(4)).await;
    let took = t0.elapsed();
    assert!(
        matches!(&event, GroupEvent::CoordinatorLost(t) if t.contains("heartbeat.interval.ms")),
        "{event:?}"
    );
    // Noticed at the next beat (≤ 200 ms), reported one interval (200 ms) later: well before
    // the 6 s session timeout after which the broker would hand the work to others.
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    // Reported once per outage, though heartbeats go on failing.
    assert!(
        timeout(Duration::from_millis(700), events.recv())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_without_a_reachable_broker_times_out_at_the_deadline() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = MemberConfig::new(
        vec![format!("127.0.0.1:{port}")],
        "connect-none",
        "connect-test",
    );
    let (callback, _events) = events();
    let mut member = GroupMember::new(config, callback);
    let t0 = Instant::now();
    let err = member
        .join(&protocols(), Instant::now() + Duration::from_millis(800))
        .await
        .unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(err, CoordinatorError::Timeout(_)), "{err:?}");
    assert!(err.to_string().contains("no broker of"), "{err}");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_successful_heartbeat_for_a_session_timeout_is_reported_lost() {
    let broker = MockBroker::start(Script::default()).await;
    let (callback, mut events) = events();
    let config = MemberConfig {
        session_timeout: Duration::from_secs(1),
        ..config(&broker)
    };
    let mut member = GroupMember::new(config, callback);
    // The coordinator answers, but only with a retriable error (REQUEST_TIMED_OUT).
    broker.script(|s| s.heartbeat_code = 7);
    let t0 = Instant::now();
    join_and_sync(&mut member).await;
    let event = next_event(&mut events, Duration::from_secs(3)).await;
    let took = t0.elapsed();
    assert!(
        matches!(&event, GroupEvent::CoordinatorLost(t) if t.contains("session.timeout.ms")),
        "{event:?}"
    );
    assert!(took >= Duration::from_secs(1), "{took:?}");
    // Heartbeats went on meanwhile, and a success re-arms the watch without another event.
    let beats = broker
        .seen()
        .iter()
        .filter(|s| s.api == ApiKey::Heartbeat)
        .count();
    assert!(beats >= 3, "{beats} heartbeats");
    broker.script(|s| s.heartbeat_code = 0);
    assert!(
        timeout(Duration::from_millis(600), events.recv())
            .await
            .is_err()
    );
}
