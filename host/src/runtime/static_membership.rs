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
//! session timed out. librdkafka has no call for this, so the request goes over the crate's own
//! Kafka wire connection (`cluster::coordinator`, PLAINTEXT).

use std::future::Future;
use std::time::Duration;

use kafka_protocol::messages::ApiKey;
use tokio::time::Instant;

use crate::cluster::coordinator::discovery::{self, FindError};
use crate::cluster::coordinator::errors::{self, Action, Phase};
use crate::cluster::coordinator::requests::leave_request;

/// The client id of these removals in the broker's logs.
const CLIENT_ID: &str = "connect-host";
const RETRY_EVERY: Duration = Duration::from_millis(200);

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
/// the other members now. Retries while the coordinator moves, until `timeout`. Blocks the
/// calling thread (a sink task's own thread); the wire work runs on a small runtime of its own.
pub fn remove_member(
    bootstrap: &[String],
    group: &str,
    instance: &str,
    timeout: Duration,
) -> Result<(), String> {
    block_on(remove_until(bootstrap, group, instance, timeout))
}

/// Runs `work` to completion on a current-thread runtime. tokio refuses to start one on a
/// thread that is inside a runtime already, so such callers get a short-lived thread.
fn block_on(work: impl Future<Output = Result<(), String>> + Send) -> Result<(), String> {
    let run = move || match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(work),
        Err(e) => Err(format!("cannot start an I/O runtime: {e}")),
    };
    if tokio::runtime::Handle::try_current().is_err() {
        return run();
    }
    std::thread::scope(|s| {
        s.spawn(run)
            .join()
            .unwrap_or_else(|_| Err("the removal panicked".into()))
    })
}

async fn remove_until(
    bootstrap: &[String],
    group: &str,
    instance: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        match try_remove(bootstrap, group, instance, deadline).await {
            Ok(()) => return Ok(()),
            Err(Failure::Retry(why)) if Instant::now() + RETRY_EVERY < deadline => {
                tracing::debug!(group, instance, "removing the static member again: {why}");
                tokio::time::sleep(RETRY_EVERY).await;
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

async fn try_remove(
    bootstrap: &[String],
    group: &str,
    instance: &str,
    deadline: Instant,
) -> Result<(), Failure> {
    let step = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    // Static members exist on PLAINTEXT clusters only (`sink_task::static_instance`).
    let plaintext = crate::cluster::coordinator::WireSecurity::plaintext();
    let mut coordinator = discovery::connect(bootstrap, group, CLIENT_ID, &plaintext, step)
        .await
        .map_err(|e| match e {
            FindError::Retry(why) => Failure::Retry(why),
            FindError::Fatal(why) => Failure::Fatal(why),
        })?;
    let version = coordinator
        .version(ApiKey::LeaveGroup)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let leave = leave_request(
        version,
        group,
        "",
        Some(instance),
        "the connector task stopped for good",
    );
    let left = coordinator
        .call(version, &leave, step)
        .await
        .map_err(|e| Failure::Retry(e.to_string()))?;
    let codes = std::iter::once(left.error_code).chain(left.members.iter().map(|m| m.error_code));
    for code in codes {
        // UNKNOWN_MEMBER_ID and GROUP_ID_NOT_FOUND count as done: nothing left to remove.
        match errors::action(Phase::Leave, code) {
            Action::Proceed => {}
            Action::Retry | Action::Rediscover => {
                return Err(Failure::Retry(format!(
                    "LeaveGroup: {}",
                    errors::error_name(code)
                )));
            }
            _ => {
                return Err(Failure::Fatal(format!(
                    "LeaveGroup: {}",
                    errors::error_name(code)
                )));
            }
        }
    }
    Ok(())
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
        use bytes::BytesMut;
        use kafka_protocol::messages::LeaveGroupRequest;
        use kafka_protocol::protocol::{Decodable, Encodable};
        for version in 3..=5 {
            let leave = leave_request(version, "connect-x", "", Some("connect-x-0"), "stopped");
            let mut buf = BytesMut::new();
            leave.encode(&mut buf, version).unwrap();
            let back = LeaveGroupRequest::decode(&mut buf.freeze(), version).unwrap();
            assert_eq!(back.group_id.as_str(), "connect-x");
            let member = &back.members[0];
            assert_eq!(member.member_id.as_str(), "");
            assert_eq!(member.group_instance_id.as_deref(), Some("connect-x-0"));
            assert_eq!(
                member.reason.as_deref(),
                (version >= 5).then_some("stopped")
            );
        }
    }

    #[test]
    fn an_unreachable_cluster_is_a_clear_error_within_the_timeout() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t0 = std::time::Instant::now();
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

    /// Against the real broker: a static member whose consumer closed stays in its group
    /// (that is why removal exists) until `remove_member` takes it out; removing it again is
    /// fine.
    #[test]
    fn a_closed_static_member_is_removed_from_its_group() {
        use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
        use rdkafka::client::DefaultClientContext;
        use rdkafka::config::ClientConfig;
        use rdkafka::consumer::{BaseConsumer, Consumer};

        let bootstrap = crate::cluster::coordinator::broker_tests::bootstrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let group = format!("connect-host-test-static-{}-{nanos}", std::process::id());
        let instance = instance_id(&group, "sink", 0);
        let members = |group: &str| {
            let admin: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &bootstrap)
                .create()
                .unwrap();
            let list = admin
                .fetch_group_list(Some(group), Duration::from_secs(10))
                .unwrap();
            match list.groups().first() {
                Some(g) => (g.state().to_string(), g.members().len()),
                None => ("Dead".to_string(), 0),
            }
        };
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .create()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let topic = NewTopic::new(&group, 1, TopicReplication::Fixed(1));
        for created in runtime
            .block_on(admin.create_topics([&topic], &AdminOptions::new()))
            .unwrap()
        {
            created.unwrap();
        }
        {
            let consumer: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &bootstrap)
                .set("group.id", &group)
                .set("group.instance.id", &instance)
                .set("session.timeout.ms", "60000")
                .create()
                .unwrap();
            consumer.subscribe(&[group.as_str()]).unwrap();
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while members(&group) != ("Stable".to_string(), 1) {
                let now = members(&group);
                assert!(
                    std::time::Instant::now() < deadline,
                    "the consumer never joined: {now:?}"
                );
                let _ = consumer.poll(Duration::from_millis(200));
            }
        }
        assert_eq!(
            members(&group).1,
            1,
            "a static member stays after its consumer closed"
        );
        let bootstrap = vec![bootstrap.clone()];
        remove_member(&bootstrap, &group, &instance, Duration::from_secs(10)).unwrap();
        assert_eq!(members(&group), ("Empty".to_string(), 0));
        remove_member(&bootstrap, &group, &instance, Duration::from_secs(10)).unwrap();
    }
}
