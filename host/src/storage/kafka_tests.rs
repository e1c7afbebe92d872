//! Tests of the Kafka-backed stores against a real broker (`scripts/infra.sh up`; address in
//! `KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
//!
//! They fail, never skip, when the broker is down: a silently skipped storage test would hide
//! exactly the breakage it exists to catch. Each test uses its own topics and runs under a
//! timeout, so a hung client fails one test instead of stalling the suite.

use std::collections::BTreeMap;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rdkafka::admin::AdminOptions;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use serde_json::{Value, json};

use super::topic_admin::{self, block_on};
use super::{KafkaConfigLog, KafkaOffsetStore, KafkaStatusStore, Record, TopicLog, TopicSpec};
use crate::runtime::status::{State, Status, TargetState};
use crate::runtime::stores::{
    ConfigLog, ConfigMap, OffsetStore, RestartRequest, SessionKey, StatusStore,
};

/// How long a test's offset write may wait.
const T: Duration = Duration::from_secs(30);

const TEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The broker's address; panics with how to start it when nothing listens there.
pub(crate) fn bootstrap() -> String {
    let servers = std::env::var("KAFKA_BOOTSTRAP").unwrap_or_else(|_| "127.0.0.1:9092".into());
    let first = servers
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let reachable = first
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(3)).is_ok());
    assert!(
        reachable,
        "Kafka is not reachable at {servers}: start it with scripts/infra.sh up"
    );
    servers
}

/// Runs `test` on its own thread and fails if it takes longer than [`TEST_TIMEOUT`].
pub(super) fn with_timeout(test: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel::<()>();
    let handle = thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match finished.recv_timeout(TEST_TIMEOUT) {
        Ok(()) => handle.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The test panicked: re-raise its panic so its message is the failure.
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("test did not finish within {} s", TEST_TIMEOUT.as_secs())
        }
    }
}

pub(super) fn unique_topic(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("connect-host-test-{what}-{}-{nanos}", std::process::id())
}

pub(super) fn no_props() -> BTreeMap<String, String> {
    BTreeMap::new()
}

pub(super) fn spec(partitions: i32, compacted: bool) -> TopicSpec {
    TopicSpec {
        partitions,
        replication_factor: 1,
        compacted,
        setting: "test.storage",
        purpose: "test records",
    }
}

pub(super) fn config(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The raw records of a topic, keys and values as text.
pub(super) fn raw(bootstrap: &str, topic: &str) -> Vec<(String, Option<String>)> {
    let log = TopicLog::open(bootstrap, topic, spec(1, true), &no_props()).unwrap();
    log.read_to_end()
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                String::from_utf8(r.key).unwrap(),
                r.value.map(|v| String::from_utf8(v).unwrap()),
            )
        })
        .collect()
}

/// The latest value of `key` in `records` (`None`: tombstone or absent).
pub(super) fn latest(records: &[(String, Option<String>)], key: &str) -> Option<String> {
    records
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.clone())
}

pub(super) fn delete_topics(bootstrap: &str, topics: &[&str]) {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    if let Ok(admin) = topic_admin::admin_client(&config, "cleanup") {
        let _ = block_on(
            admin.delete_topics(topics, &AdminOptions::new()),
            Duration::from_secs(10),
        );
    }
}

#[test]
fn kafka_config_log_round_trip_with_commit_semantics() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("configs");
        let log = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        assert!(log.snapshot().unwrap().connectors.is_empty());

        let c1 = config(&[("connector.class", "FileStreamSink"), ("tasks.max", "2")]);
        log.put_connector_config("c1", &c1).unwrap();
        log.put_target_state("c1", TargetState::Paused).unwrap();
        let snapshot = log.snapshot().unwrap();
        assert_eq!(snapshot.connectors["c1"].config, c1);
        assert_eq!(snapshot.connectors["c1"].target, TargetState::Paused);
        assert!(snapshot.connectors["c1"].tasks.is_empty());

        // A task config without a commit (a writer that died mid-way) stays pending; keys this
        // worker does not use are read past.
        let other = TopicLog::open(&bootstrap, &topic, spec(1, true), &no_props()).unwrap();
        other
            .send(b"task-c1-0", Some(br#"{"properties":{"t":"orphan"}}"#))
            .unwrap();
        other
            .send(
                b"session-key",
                Some(br#"{"key":"AAAA","algorithm":"HmacSHA256","creation-timestamp":1}"#),
            )
            .unwrap();
        assert!(log.snapshot().unwrap().connectors["c1"].tasks.is_empty());

        let tasks = vec![config(&[("t", "0")]), config(&[("t", "1")])];
        log.put_task_configs("c1", &tasks).unwrap();
        assert_eq!(log.snapshot().unwrap().connectors["c1"].tasks, tasks);

        // A fresh reader replays the same view from the topic alone.
        let reopened = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        assert_eq!(reopened.snapshot().unwrap(), log.snapshot().unwrap());

        let records = raw(&bootstrap, &topic);
        assert_eq!(
            latest(&records, "connector-c1").as_deref(),
            Some(r#"{"properties":{"connector.class":"FileStreamSink","tasks.max":"2"}}"#)
        );
        assert_eq!(
            latest(&records, "task-c1-1").as_deref(),
            Some(r#"{"properties":{"t":"1"}}"#)
        );
        assert_eq!(
            latest(&records, "commit-c1").as_deref(),
            Some(r#"{"tasks":2}"#)
        );
        let commit_at = records.iter().position(|(k, _)| k == "commit-c1").unwrap();
        let last_task_at = records.iter().rposition(|(k, _)| k == "task-c1-1").unwrap();
        assert!(
            last_task_at < commit_at,
            "task configs precede their commit"
        );
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_config_log_delete_and_target_states() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("configs-delete");
        let log = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        log.put_connector_config("gone", &config(&[("a", "1")]))
            .unwrap();
        log.put_task_configs("gone", &[config(&[("t", "0")])])
            .unwrap();
        log.put_connector_config("kept", &config(&[("b", "2")]))
            .unwrap();
        log.put_target_state("kept", TargetState::Stopped).unwrap();
        log.put_task_configs("kept", &[]).unwrap();
        assert_eq!(
            log.snapshot().unwrap().connectors["kept"].target,
            TargetState::Stopped
        );

        log.remove_connector("gone").unwrap();
        let snapshot = log.snapshot().unwrap();
        assert!(!snapshot.connectors.contains_key("gone"));
        assert_eq!(snapshot.connectors["kept"].target, TargetState::Stopped);

        // A second reader, opened before and kept open, follows along incrementally.
        let reopened = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        assert_eq!(reopened.snapshot().unwrap(), snapshot);
        log.put_target_state("kept", TargetState::Started).unwrap();
        assert_eq!(
            reopened.snapshot().unwrap().connectors["kept"].target,
            TargetState::Started
        );

        let records = raw(&bootstrap, &topic);
        assert!(
            records.contains(&(
                "target-state-kept".into(),
                Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#.into())
            )),
            "STOPPED is written as PAUSED for old workers: {records:?}"
        );
        assert!(records.contains(&("connector-gone".into(), None)));
        assert!(records.contains(&("target-state-gone".into(), None)));
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_config_topic_with_two_partitions_is_refused() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("configs-2p");
        drop(TopicLog::open(&bootstrap, &topic, spec(2, true), &no_props()).unwrap());
        let err = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "Topic '{topic}' supplied via the 'config.storage.topic' property is required to \
                 have a single partition"
            )),
            "{err}"
        );
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_offsets_survive_reopening() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("offsets");
        let store = KafkaOffsetStore::open(&bootstrap, &topic, 3, 1, &no_props()).unwrap();
        let a = json!({"filename": "a.txt"});
        let b = json!({"filename": "b.txt"});
        store
            .put(
                "src",
                &[
                    (a.clone(), Some(json!({"position": 10}))),
                    (b.clone(), Some(json!({"position": 20}))),
                ],
                T,
            )
            .unwrap();
        store
            .put("src", &[(a.clone(), Some(json!({"position": 11})))], T)
            .unwrap();
        store.put("src", &[(b.clone(), None)], T).unwrap();
        store
            .put("other", &[(a.clone(), Some(json!({"position": 1})))], T)
            .unwrap();
        assert_eq!(store.get("src", &a).unwrap(), Some(json!({"position": 11})));
        drop(store);

        let store = KafkaOffsetStore::open(&bootstrap, &topic, 3, 1, &no_props()).unwrap();
        assert_eq!(store.get("src", &a).unwrap(), Some(json!({"position": 11})));
        assert_eq!(store.get("src", &b).unwrap(), None, "reset survives too");
        assert_eq!(
            store.connector_offsets("src").unwrap(),
            vec![(a.clone(), json!({"position": 11}))]
        );
        assert_eq!(
            store.get("other", &a).unwrap(),
            Some(json!({"position": 1}))
        );

        // Another worker's write is seen by the next read.
        let writer = KafkaOffsetStore::open(&bootstrap, &topic, 3, 1, &no_props()).unwrap();
        writer
            .put("src", &[(a.clone(), Some(json!({"position": 12})))], T)
            .unwrap();
        assert_eq!(store.get("src", &a).unwrap(), Some(json!({"position": 12})));

        let log = TopicLog::open(&bootstrap, &topic, spec(3, true), &no_props()).unwrap();
        let keys: Vec<String> = log
            .read_to_end()
            .unwrap()
            .into_iter()
            .map(|r| String::from_utf8(r.key).unwrap())
            .collect();
        assert!(
            keys.contains(&r#"["src",{"filename":"a.txt"}]"#.to_string()),
            "{keys:?}"
        );
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_status_round_trip() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("status");
        let store = KafkaStatusStore::open(&bootstrap, &topic, 2, 1, &no_props()).unwrap();
        let running = Status {
            state: State::Running,
            trace: None,
            worker_id: "h:8083".into(),
            generation: 7,
        };
        let failed = Status {
            state: State::Failed,
            trace: Some("boom".into()),
            ..running.clone()
        };
        store.put_connector("c", &running).unwrap();
        store.put_task("c", 0, &running).unwrap();
        store.put_task("c", 1, &failed).unwrap();
        store.put_topic("c", "orders").unwrap();
        store.put_topic("c", "orders").unwrap();
        store.put_topic("c", "payments").unwrap();
        store.flush(Duration::from_secs(30)).unwrap();

        let records = raw(&bootstrap, &topic);
        assert_eq!(
            latest(&records, "status-connector-c").as_deref(),
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"h:8083","generation":7}"#)
        );
        assert_eq!(
            latest(&records, "status-task-c-1").as_deref(),
            Some(r#"{"state":"FAILED","trace":"boom","worker_id":"h:8083","generation":7}"#)
        );
        let orders: Vec<_> = records
            .iter()
            .filter(|(k, _)| k == "status-topic-orders:connector-c")
            .collect();
        assert_eq!(
            orders.len(),
            1,
            "a known topic is not rewritten: {records:?}"
        );
        let value: Value = serde_json::from_str(orders[0].1.as_deref().unwrap()).unwrap();
        assert_eq!(value["topic"]["name"], "orders");
        assert_eq!(value["topic"]["connector"], "c");
        assert_eq!(value["topic"]["task"], 0);
        assert!(value["topic"]["discoverTimestamp"].as_i64().unwrap() > 0);

        let reopened = KafkaStatusStore::open(&bootstrap, &topic, 2, 1, &no_props()).unwrap();
        assert_eq!(
            reopened.topics("c").unwrap(),
            vec!["orders".to_string(), "payments".to_string()]
        );
        assert_eq!(
            reopened.connector_status("c").unwrap(),
            Some(running.clone())
        );
        assert_eq!(reopened.task_status("c", 1).unwrap(), Some(failed));

        reopened.reset_topics("c").unwrap();
        reopened.remove_connector("c", 2).unwrap();
        assert!(reopened.topics("c").unwrap().is_empty());
        store.refresh().unwrap();
        assert_eq!(
            store.connector_status("c").unwrap(),
            None,
            "refresh sees the removal"
        );

        let again = KafkaStatusStore::open(&bootstrap, &topic, 2, 1, &no_props()).unwrap();
        assert!(again.topics("c").unwrap().is_empty());
        assert_eq!(again.connector_status("c").unwrap(), None);
        assert_eq!(again.task_status("c", 0).unwrap(), None);
        assert_eq!(again.task_status("c", 1).unwrap(), None);
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_topic_created_compacted_with_requested_partitions() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let compacted = unique_topic("created");
        let log = TopicLog::open(&bootstrap, &compacted, spec(3, true), &no_props()).unwrap();
        assert_eq!(log.partitions(), 3);
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &bootstrap);
        let admin = topic_admin::admin_client(&config, &compacted).unwrap();
        assert_eq!(
            topic_admin::cleanup_policy(&admin, &compacted)
                .unwrap()
                .as_deref(),
            Some("compact")
        );

        // Reads: everything from the beginning, then only what is new.
        let records: Vec<Record> = (0..10)
            .map(|i| {
                (
                    format!("k{i}").into_bytes(),
                    Some(format!("v{i}").into_bytes()),
                )
            })
            .collect();
        log.send_all(&records).unwrap();
        let read = log.read_to_end().unwrap();
        // Each partition's records come with their offsets, dense from 0 in a fresh topic.
        for p in 0..3 {
            let offsets: Vec<i64> = read
                .iter()
                .filter(|r| r.partition == p)
                .map(|r| r.offset)
                .collect();
            assert_eq!(offsets, (0..offsets.len() as i64).collect::<Vec<_>>());
        }
        let mut all: Vec<Record> = read.into_iter().map(|r| (r.key, r.value)).collect();
        all.sort();
        let mut expected = records.clone();
        expected.sort();
        assert_eq!(all, expected);
        assert!(log.read_new().unwrap().is_empty());
        log.send(b"k10", None).unwrap();
        let new: Vec<Record> = log
            .read_new()
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.value))
            .collect();
        assert_eq!(new, vec![(b"k10".to_vec(), None)]);

        // An existing topic that deletes is refused with Kafka Connect's message.
        let deleting = unique_topic("deleting");
        drop(TopicLog::open(&bootstrap, &deleting, spec(1, false), &no_props()).unwrap());
        assert_eq!(
            topic_admin::cleanup_policy(&admin, &deleting)
                .unwrap()
                .as_deref(),
            Some("delete")
        );
        let err = TopicLog::open(&bootstrap, &deleting, spec(1, true), &no_props())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "Topic '{deleting}' supplied via the 'test.storage.topic' property is required to \
                 have 'cleanup.policy=compact'"
            )),
            "{err}"
        );
        assert!(err.contains("'cleanup.policy=delete'"), "{err}");
        delete_topics(&bootstrap, &[&compacted, &deleting]);
    });
}

#[test]
fn kafka_replication_factor_above_broker_count_is_explained() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("rf");
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &bootstrap);
        let consumer: BaseConsumer = config.create().unwrap();
        let brokers = consumer
            .fetch_metadata(None, Duration::from_secs(10))
            .unwrap()
            .brokers()
            .len();
        let too_many = i16::try_from(brokers + 1).unwrap();
        let err = KafkaConfigLog::open(&bootstrap, &topic, too_many, &no_props())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("replication factor {too_many}")),
            "{err}"
        );
        assert!(err.contains("config.storage.replication.factor=1"), "{err}");
        assert!(err.contains(&format!("{brokers} broker(s)")), "{err}");
    });
}

/// Kafka's `Utils.murmur2`, to check records land where Java's producer would put them.
fn java_murmur2(data: &[u8]) -> i32 {
    let seed: u32 = 0x9747_b28c;
    let m: u32 = 0x5bd1_e995;
    let r = 24;
    let length = data.len() as u32;
    let mut h = seed ^ length;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(m);
        k ^= k >> r;
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(m);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(m);
    h ^= h >> 15;
    h as i32
}

#[test]
fn kafka_keys_are_partitioned_like_java() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("partitioning");
        let partitions = 5;
        let log = TopicLog::open(&bootstrap, &topic, spec(partitions, true), &no_props()).unwrap();
        let key = br#"["src",{"filename":"a.txt"}]"#;
        log.send(key, Some(b"{}")).unwrap();

        let expected = (java_murmur2(key) & 0x7fff_ffff) % partitions;
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &bootstrap);
        let consumer: BaseConsumer = config.create().unwrap();
        let filled: Vec<i32> = (0..partitions)
            .filter(|&p| {
                let (low, high) = consumer
                    .fetch_watermarks(&topic, p, Duration::from_secs(10))
                    .unwrap();
                high > low
            })
            .collect();
        assert_eq!(filled, vec![expected]);
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_config_log_offset_session_key_and_restart_requests() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("configs-offset");
        let log = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        assert_eq!(log.snapshot().unwrap().offset, -1, "empty topic");
        log.put_connector_config("c", &config(&[("a", "1")]))
            .unwrap();
        assert_eq!(log.snapshot().unwrap().offset, 1);

        // Records another worker wrote: one that is not JSON (not counted, as in Java), then a
        // restart request as Java writes it.
        let other = TopicLog::open(&bootstrap, &topic, spec(1, true), &no_props()).unwrap();
        other.send(b"connector-c", Some(b"{not json")).unwrap();
        assert_eq!(log.snapshot().unwrap().offset, 1);
        other
            .send(
                b"restart-connector-c",
                Some(br#"{"include-tasks":true,"only-failed":true}"#),
            )
            .unwrap();
        let snapshot = log.snapshot().unwrap();
        assert_eq!(snapshot.offset, 3);
        let java_request = RestartRequest {
            connector: "c".into(),
            include_tasks: true,
            only_failed: true,
        };
        assert_eq!(snapshot.restart_requests, vec![java_request.clone()]);
        assert!(log.snapshot().unwrap().restart_requests.is_empty(), "once");

        // Ours, read back by the writer and by a second reader alike.
        let reader = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        assert!(
            reader.snapshot().unwrap().restart_requests.is_empty(),
            "requests in the log at open are not handed out (as Java)"
        );
        let key = SessionKey {
            key: (0..32).collect(),
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 1_700_000_000_000,
        };
        log.put_session_key(&key).unwrap();
        let ours = RestartRequest {
            connector: "c".into(),
            include_tasks: false,
            only_failed: false,
        };
        log.put_restart_request(&ours).unwrap();
        for view in [log.snapshot().unwrap(), reader.snapshot().unwrap()] {
            assert_eq!(view.offset, 5);
            assert_eq!(view.session_key.as_ref(), Some(&key));
            assert_eq!(view.restart_requests, vec![ours.clone()]);
        }

        let reopened = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();
        let snapshot = reopened.snapshot().unwrap();
        assert_eq!(snapshot.offset, 5);
        assert_eq!(snapshot.session_key, Some(key));
        assert!(snapshot.restart_requests.is_empty());

        let records = raw(&bootstrap, &topic);
        assert_eq!(
            latest(&records, "session-key").as_deref(),
            Some(
                r#"{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#
            )
        );
        assert_eq!(
            latest(&records, "restart-connector-c").as_deref(),
            Some(r#"{"include-tasks":false,"only-failed":false}"#)
        );
        delete_topics(&bootstrap, &[&topic]);
    });
}

fn status(state: State, worker: &str, generation: i32) -> Status {
    Status {
        state,
        trace: (state == State::Failed).then(|| "boom".to_string()),
        worker_id: worker.into(),
        generation,
    }
}

#[test]
fn kafka_status_put_safe_and_stale_unassigned_across_workers() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("status-safe");
        // Two workers' stores, both open before either writes: the second must see the first's
        // writes on its own before deciding.
        let a = KafkaStatusStore::open(&bootstrap, &topic, 1, 1, &no_props()).unwrap();
        let b = KafkaStatusStore::open(&bootstrap, &topic, 1, 1, &no_props()).unwrap();
        let running = status(State::Running, "a:8083", 5);
        a.put_connector("c", &running).unwrap();
        a.put_task("c", 0, &running).unwrap();
        a.flush(T).unwrap();

        // A lagging worker's FAILED from an older generation is refused, connector and task.
        b.put_connector("c", &status(State::Failed, "b:8083", 3))
            .unwrap();
        b.put_task("c", 0, &status(State::Failed, "b:8083", 3))
            .unwrap();
        b.flush(T).unwrap();
        assert_eq!(b.connector_status("c").unwrap(), Some(running.clone()));
        assert_eq!(b.task_status("c", 0).unwrap(), Some(running.clone()));
        let records = raw(&bootstrap, &topic);
        assert!(
            !records
                .iter()
                .any(|(_, v)| v.as_deref().is_some_and(|v| v.contains("FAILED"))),
            "nothing FAILED was written: {records:?}"
        );

        // UNASSIGNED of the same generation passes putSafe but is ignored by readers, which
        // keep the RUNNING (Java's readTaskStatus).
        b.put_task("c", 0, &status(State::Unassigned, "b:8083", 5))
            .unwrap();
        b.flush(T).unwrap();
        let records = raw(&bootstrap, &topic);
        assert_eq!(
            latest(&records, "status-task-c-0").as_deref(),
            Some(r#"{"state":"UNASSIGNED","trace":null,"worker_id":"b:8083","generation":5}"#)
        );
        let c = KafkaStatusStore::open(&bootstrap, &topic, 1, 1, &no_props()).unwrap();
        assert_eq!(c.task_status("c", 0).unwrap(), Some(running.clone()));
        assert_eq!(b.task_status("c", 0).unwrap(), Some(running.clone()));
        a.refresh().unwrap();
        assert_eq!(a.task_status("c", 0).unwrap(), Some(running.clone()));

        // A newer generation is written and seen by the other worker.
        let failed = status(State::Failed, "b:8083", 6);
        b.put_task("c", 0, &failed).unwrap();
        b.flush(T).unwrap();
        a.refresh().unwrap();
        assert_eq!(a.task_status("c", 0).unwrap(), Some(failed.clone()));
        assert_eq!(
            latest(&raw(&bootstrap, &topic), "status-task-c-0").as_deref(),
            Some(r#"{"state":"FAILED","trace":"boom","worker_id":"b:8083","generation":6}"#)
        );
        delete_topics(&bootstrap, &[&topic]);
    });
}

#[test]
fn kafka_status_reads_see_other_workers_after_the_refresh_interval() {
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = unique_topic("status-reads");
        let reader = KafkaStatusStore::open(&bootstrap, &topic, 1, 1, &no_props()).unwrap();
        let writer = KafkaStatusStore::open(&bootstrap, &topic, 1, 1, &no_props()).unwrap();
        assert_eq!(reader.task_status("c", 0).unwrap(), None);
        let running = status(State::Running, "w:1", 1);
        writer.put_task("c", 0, &running).unwrap();
        writer.put_topic("c", "orders").unwrap();
        writer.flush(T).unwrap();
        thread::sleep(super::MIN_REFRESH_INTERVAL * 2);
        assert_eq!(reader.task_status("c", 0).unwrap(), Some(running));
        assert_eq!(reader.topics("c").unwrap(), vec!["orders".to_string()]);
        // A reset by any worker forgets topics every worker reported.
        reader.reset_topics("c").unwrap();
        writer.refresh().unwrap();
        assert!(writer.topics("c").unwrap().is_empty());
        delete_topics(&bootstrap, &[&topic]);
    });
}
