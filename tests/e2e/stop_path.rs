//! The Elasticsearch sink while OpenSearch is unavailable, through a [`FaultProxy`]:
//!
//! - SIGTERM while the sink is retrying with records buffered (OpenSearch stopped: the port
//!   refuses; or hung: connections accepted, never answered). The worker must exit quickly and
//!   the consumer group `connect-<connector>` must not have committed beyond what OpenSearch
//!   holds; after a restart every record is in OpenSearch exactly once.
//! - Recovery: after a ~24 s outage (refused or hung), indexing resumes within seconds of the
//!   node answering again.
//!
//! One partition and `productId` = offset, so "everything below the committed offset is indexed"
//! is one `_count` query.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use connect_tests::{
    fault_proxy::{FaultProxy, Mode},
    kafka, require_kafka, require_opensearch, run_with_deadline, unique_name,
    worker::Worker,
};
use rdkafka::{
    ClientConfig,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::{Value, json};

use crate::seed_flow::{count, seed_connector, seed_worker};

/// Records of the SIGTERM tests: half before the outage, half during it.
const RECORDS: u32 = 40_000;
/// How long SIGTERM may take to end the worker.
const STOP_BOUND: Duration = Duration::from_secs(30);
/// How soon indexing must resume after the node answers again (5 s plus a margin).
const RECOVERY_BOUND: Duration = Duration::from_secs(8);

fn producer() -> BaseProducer {
    ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("linger.ms", "5")
        // In order, so the record at offset i is product i.
        .set("enable.idempotence", "true")
        .create()
        .expect("producer")
}

fn send(producer: &BaseProducer, topic: &str, i: u32) {
    let v =
        json!({"productId": i, "name": format!("상품 {i}"), "price": 1000 + i * 10}).to_string();
    loop {
        match producer.send(BaseRecord::<(), str>::to(topic).partition(0).payload(&v)) {
            Ok(()) => return,
            Err(_) => {
                producer.poll(Duration::from_millis(10));
            }
        }
    }
}

/// Produces products `from..to` to partition 0 (product i at offset i of a fresh topic).
fn produce(topic: &str, from: u32, to: u32) {
    let p = producer();
    for i in from..to {
        send(&p, topic, i);
    }
    p.flush(Duration::from_secs(60))
        .expect("delivering records");
}

/// Documents with `productId` below `below` (= offsets below it).
fn count_below(index: &str, below: i64) -> u64 {
    let os = require_opensearch();
    let http = reqwest::blocking::Client::new();
    let _ = http.post(format!("{os}/{index}/_refresh")).send();
    http.post(format!("{os}/{index}/_count"))
        .json(&json!({"query": {"range": {"productId": {"lt": below}}}}))
        .send()
        .ok()
        .and_then(|r| r.json::<Value>().ok())
        .and_then(|v| v["count"].as_u64())
        .unwrap_or(0)
}

/// The offset `group` committed for partition 0 of `topic`, if any (on a thread of its own, so a
/// librdkafka hang fails the test instead of stalling it).
fn committed_offset(group: &str, topic: &str) -> Option<i64> {
    let (group, topic) = (group.to_owned(), topic.to_owned());
    run_with_deadline(
        "reading committed offsets",
        Duration::from_secs(60),
        move || async move { kafka::committed(&require_kafka(), &group, &topic, 0) },
    )
}

/// Whether any of the worker's logs (every start) contains `needle`.
fn logs_contain(w: &Worker, needle: &str) -> bool {
    std::fs::read_dir(w.dir.path())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("worker-"))
        .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(needle)))
}

/// The seed's connector for `topic`, sending to the proxy.
fn connector_via(proxy: &FaultProxy, name: &str, topic: &str) -> String {
    let mut body: Value = serde_json::from_str(&seed_connector(name, topic)).unwrap();
    body["config"]["connection.url"] = json!(proxy.url());
    body.to_string()
}

/// SIGTERM while the sink retries with records buffered, the node unavailable as `fault` says;
/// then nothing is committed beyond OpenSearch, and a restart indexes every record exactly once.
fn sigterm_while_retrying(fault: Mode) {
    let os = require_opensearch();
    let proxy = FaultProxy::start(&os);
    let mut w = seed_worker();
    let topic = unique_name(&format!("stop-{fault:?}"));
    let connector = unique_name("es-stop");
    let group = format!("connect-{connector}");
    kafka::create_topic(&require_kafka(), &topic, 1);
    produce(&topic, 0, RECORDS / 2);
    let (code, info) = w.call(
        "POST",
        "/connectors",
        Some(&connector_via(&proxy, &connector, &topic)),
    );
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
    // Some offsets committed first, so the check below compares a real offset with OpenSearch.
    w.wait_until(
        "some documents indexed and committed",
        Duration::from_secs(120),
        |_| committed_offset(&group, &topic).is_some_and(|c| c > 0),
    );
    proxy.set_mode(fault);
    produce(&topic, RECORDS / 2, RECORDS);
    // Buffered and retrying: the sink refuses more records, or says it keeps retrying.
    w.wait_until(
        "the sink to retry with records buffered",
        Duration::from_secs(90),
        |w| {
            logs_contain(w, "still retrying with back-off")
                || logs_contain(w, "put failed with a retriable error")
        },
    );
    std::thread::sleep(Duration::from_secs(2));

    let t = Instant::now();
    w.stop();
    let took = t.elapsed();
    let indexed = count(&topic);
    let committed = committed_offset(&group, &topic);
    eprintln!(
        "{fault:?}: SIGTERM took {took:?}; committed offset {committed:?}, documents indexed {indexed} of {RECORDS}"
    );
    assert!(
        took < STOP_BOUND,
        "{fault:?}: the worker took {took:?} to stop after SIGTERM (bound {STOP_BOUND:?})"
    );
    if let Some(c) = committed {
        assert!(
            c as u64 <= indexed,
            "{fault:?}: group {group} committed offset {c} but only {indexed} documents are in OpenSearch: {} records would be lost",
            c as u64 - indexed
        );
        assert_eq!(
            count_below(&topic, c),
            c as u64,
            "{fault:?}: some record below the committed offset {c} is not in OpenSearch"
        );
    }

    proxy.set_mode(Mode::Forward);
    w.start();
    w.wait_until(
        "every record in OpenSearch after the restart",
        Duration::from_secs(150),
        |_| count(&topic) >= RECORDS as u64,
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        count(&topic),
        RECORDS as u64,
        "{fault:?}: every record exactly once (replays overwrite by id)"
    );
    w.wait_until(
        "the offsets of every record to be committed",
        Duration::from_secs(60),
        |_| committed_offset(&group, &topic) == Some(RECORDS as i64),
    );
    assert_eq!(
        w.states(&connector),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );
}

#[test]
fn sigterm_while_opensearch_is_stopped_commits_only_what_was_indexed() {
    sigterm_while_retrying(Mode::Refuse);
}

#[test]
fn sigterm_while_opensearch_hangs_commits_only_what_was_indexed() {
    sigterm_while_retrying(Mode::BlackHole);
}

/// Produces about `per_second` products a second in the background until `stop` is set; counts
/// them in `sent`.
fn produce_steadily(
    topic: &str,
    per_second: u32,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    let topic = topic.to_owned();
    std::thread::spawn(move || {
        let p = producer();
        let chunk = (per_second / 10).max(1);
        let mut i = 0u32;
        while !stop.load(Ordering::SeqCst) {
            for _ in 0..chunk {
                send(&p, &topic, i);
                i += 1;
            }
            p.poll(Duration::ZERO);
            std::thread::sleep(Duration::from_millis(100));
        }
        p.flush(Duration::from_secs(60))
            .expect("delivering records");
        sent.store(i as u64, Ordering::SeqCst);
    })
}

/// An outage of ~24 s as `fault` says while records flow, then the node is back: indexing must
/// resume within [`RECOVERY_BOUND`].
fn indexing_resumes_after(fault: Mode) {
    let os = require_opensearch();
    let proxy = FaultProxy::start(&os);
    let w = seed_worker();
    let topic = unique_name(&format!("recover-{fault:?}"));
    let connector = unique_name("es-recover");
    kafka::create_topic(&require_kafka(), &topic, 1);
    let (stop, sent) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let producing = produce_steadily(&topic, 1_000, stop.clone(), sent.clone());
    // One request in flight: the time measured is that request's wait, not the luckiest of five.
    let mut body: Value = serde_json::from_str(&connector_via(&proxy, &connector, &topic)).unwrap();
    body["config"]["max.in.flight.requests"] = json!("1");
    let (code, info) = w.call("POST", "/connectors", Some(&body.to_string()));
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
    w.wait_until("some documents", Duration::from_secs(120), |_| {
        count(&topic) > 0
    });
    std::thread::sleep(Duration::from_secs(2));

    // Long enough for the retry back-off to grow to its cap (or to 12–25 s without one).
    proxy.set_mode(fault);
    std::thread::sleep(Duration::from_secs(24));
    let before = count(&topic);
    proxy.set_mode(Mode::Forward);
    let back = Instant::now();
    while count(&topic) <= before {
        assert!(
            back.elapsed() < Duration::from_secs(90),
            "no document indexed within 90 s of the node answering again\n{}",
            w.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let resumed = back.elapsed();

    stop.store(true, Ordering::SeqCst);
    producing.join().expect("the producer thread");
    let total = sent.load(Ordering::SeqCst);
    w.wait_until(
        "every record in OpenSearch",
        Duration::from_secs(150),
        |_| count(&topic) >= total,
    );
    let caught_up = back.elapsed();
    eprintln!(
        "{fault:?} recovery: indexing resumed {resumed:?} after the node answered again; all {total} records indexed after {caught_up:?}"
    );
    assert!(
        resumed < RECOVERY_BOUND,
        "{fault:?}: indexing resumed only {resumed:?} after the node answered again (bound {RECOVERY_BOUND:?})"
    );
    assert_eq!(count(&topic), total, "every record exactly once");
}

#[test]
fn indexing_resumes_within_seconds_after_an_outage() {
    indexing_resumes_after(Mode::Refuse);
}

#[test]
fn indexing_resumes_within_seconds_after_a_hang() {
    // Connections made during the hang stay dead: the retry must use a new one.
    indexing_resumes_after(Mode::BlackHole);
}
