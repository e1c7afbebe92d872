//! Sink consumers are static group members (`task.static.membership`, on by default): a worker
//! killed and restarted resumes its sinks at once instead of after `session.timeout.ms`, and a
//! sink stopped for good leaves its group at once, so its offsets can be reset right away.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use connect_tests::{
    kafka::{create_topic, produce},
    require_kafka, unique_name,
    worker::Worker,
};
use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer},
};
use serde_json::json;

fn lines(path: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn all_present(path: &std::path::Path, n: u32) -> bool {
    let seen = lines(path);
    (0..n).all(|i| seen.contains(&format!("v{i}")))
}

/// Members of a consumer group, as the coordinator lists them.
fn members(group: &str) -> Vec<String> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    let list = consumer
        .fetch_group_list(Some(group), Duration::from_secs(10))
        .unwrap();
    list.groups()
        .iter()
        .flat_map(|g| g.members().iter().map(|m| m.client_id().to_owned()))
        .collect()
}

/// Kills the worker while its sink runs and restarts it; returns how long after the restarted
/// worker was ready the sink had written everything produced meanwhile.
fn pause_after_sigkill(static_membership: bool) -> Duration {
    let bootstrap = require_kafka();
    let mut w = Worker::distributed(&[]);
    let topic = unique_name("restart-pause");
    create_topic(&bootstrap, &topic, 2);
    let out = w.path("out.txt");
    produce(&bootstrap, &topic, (0..1_000).map(|i| format!("v{i}")));
    let body = json!({"name": "pause", "config": {
        "connector.class": "FileStreamSink", "topics": topic, "tasks.max": "2",
        "file": out.display().to_string(),
        "task.static.membership": static_membership.to_string()}});
    assert_eq!(
        w.call("POST", "/connectors", Some(&body.to_string())).0,
        201
    );
    w.wait_until("1,000 records written", Duration::from_secs(60), |_| {
        all_present(&out, 1_000)
    });
    w.kill9();
    produce(&bootstrap, &topic, (1_000..2_000).map(|i| format!("v{i}")));
    w.start();
    let ready = Instant::now();
    w.wait_until(
        "the records produced while the worker was down",
        Duration::from_secs(120),
        |_| all_present(&out, 2_000),
    );
    ready.elapsed()
}

#[test]
fn a_worker_killed_and_restarted_resumes_its_sinks_at_once() {
    let pause = pause_after_sigkill(true);
    eprintln!("static membership: sinks resumed {pause:?} after the restarted worker was ready");
    assert!(
        pause < Duration::from_secs(20),
        "well under session.timeout.ms (45 s), which dynamic members wait: {pause:?}"
    );
}

/// The same with Kafka Connect's dynamic membership, for the comparison in
/// docs/benchmarks.md; slow by nature (a session timeout), so not run by default.
#[test]
#[ignore = "waits a session timeout (about 45 s); run with --ignored to measure"]
fn with_dynamic_membership_a_restarted_worker_waits_for_the_session_timeout() {
    let pause = pause_after_sigkill(false);
    eprintln!("dynamic membership: sinks resumed {pause:?} after the restarted worker was ready");
}

#[test]
fn a_stopped_sink_leaves_its_group_so_its_offsets_can_be_reset_at_once() {
    let bootstrap = require_kafka();
    let w = Worker::distributed(&[]);
    let topic = unique_name("leave");
    create_topic(&bootstrap, &topic, 1);
    produce(&bootstrap, &topic, (0..100).map(|i| format!("v{i}")));
    let out = w.path("out.txt");
    let body = json!({"name": "leaver", "config": {
        "connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string()}});
    assert_eq!(
        w.call("POST", "/connectors", Some(&body.to_string())).0,
        201
    );
    w.wait_until("100 records written", Duration::from_secs(60), |_| {
        all_present(&out, 100)
    });
    assert_eq!(
        members("connect-leaver").len(),
        1,
        "the task's consumer is a member"
    );
    assert_eq!(w.call("PUT", "/connectors/leaver/stop", None).0, 204);
    w.wait_until("the connector STOPPED", Duration::from_secs(30), |w| {
        w.states("leaver").0 == "STOPPED"
    });
    let t0 = Instant::now();
    assert!(
        members("connect-leaver").is_empty(),
        "a stopped task's static member is removed from the group"
    );
    let (code, answer) = w.call("DELETE", "/connectors/leaver/offsets", None);
    assert_eq!(
        code,
        200,
        "offsets reset right after the stop: {answer}\n{}",
        w.log_tail()
    );
    assert!(t0.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_worker_shut_down_cleanly_leaves_no_member_behind() {
    let bootstrap = require_kafka();
    let mut w = Worker::distributed(&[]);
    let topic = unique_name("shutdown-leave");
    create_topic(&bootstrap, &topic, 1);
    produce(&bootstrap, &topic, (0..10).map(|i| format!("v{i}")));
    let out = w.path("out.txt");
    let body = json!({"name": "shutdown-leaver", "config": {
        "connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string()}});
    assert_eq!(
        w.call("POST", "/connectors", Some(&body.to_string())).0,
        201
    );
    w.wait_until("10 records written", Duration::from_secs(60), |_| {
        all_present(&out, 10)
    });
    assert_eq!(members("connect-shutdown-leaver").len(), 1);
    w.stop();
    assert!(
        members("connect-shutdown-leaver").is_empty(),
        "a clean stop removes the static member, as a dynamic member leaves"
    );
}
