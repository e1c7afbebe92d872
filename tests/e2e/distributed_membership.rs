//! Distributed mode, membership (after Java's `RebalanceSourceConnectorsIntegrationTest` and
//! `connect_distributed_test.py`): three workers share connectors created through different
//! workers, each connector and task on exactly one worker, balanced; a fourth joins and gets its
//! share; one leaves with SIGTERM and one dies with SIGKILL, and their work moves to the others
//! only after `scheduled.rebalance.max.delay.ms`, never running on two workers at once. Each
//! scenario runs on an all-Java, an all-Rust and a mixed group.
//!
//! Java's behaviour, which the Rust and mixed groups must match: a worker that leaves cleanly
//! (LeaveGroup) counts as lost like a crashed one, so its work waits for the delay too; when the
//! leader itself leaves, the new leader has no previous assignment and hands the departed work
//! out at once, so the departures here are followers.

use std::time::Duration;

use connect_tests::{
    cluster::{
        Composition, Group, HEARTBEAT_INTERVAL_MS, MAX_DELAY_MS, SESSION_TIMEOUT_MS, Unit, now_ms,
    },
    kafka, require_kafka, unique_name,
};
use serde_json::json;

connect_tests::for_each_composition!(membership);

const SOURCE: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
const SINK: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";
const SETTLE: Duration = Duration::from_secs(90);
/// Log timestamps (ms) against the harness's clock, and the JVM's time to log.
const CLOCK_SLACK_MS: u64 = 500;

/// Three FileStreamSource connectors (`tasks.max` 3, but a file source makes one task) and two
/// FileStreamSink connectors with `tasks.max` 3 over a 6-partition topic: 5 connectors and 9
/// tasks, each connector created through the next worker.
fn workload(g: &mut Group) {
    let bootstrap = require_kafka();
    let topic = unique_name("membership");
    kafka::create_topic(&bootstrap, &topic, 6);
    let n = g.len();
    for i in 0..3 {
        let input = g.path(&format!("in-{i}.txt"));
        std::fs::write(&input, "").unwrap();
        let config = json!({
            "connector.class": SOURCE, "tasks.max": "3", "topic": topic, "file": input,
        });
        g.create(i % n, &format!("src-{i}"), config, 1);
    }
    for i in 0..2 {
        let config = json!({
            "connector.class": SINK, "tasks.max": "3", "topics": topic,
            "file": g.path(&format!("out-{i}.txt")),
        });
        g.create((3 + i) % n, &format!("sink-{i}"), config, 3);
    }
}

/// A live follower that runs something.
fn busy_follower(g: &mut Group, units_on: impl Fn(usize) -> Vec<Unit>) -> usize {
    let leader = g.wait_leader(SETTLE);
    g.live()
        .into_iter()
        .find(|&i| i != leader && !units_on(i).is_empty())
        .expect("a follower with work")
}

/// Checks that member `gone`'s `units`, whose departure started at `t_ms`, were taken over by
/// others (from the logs) no earlier than `min_ms` after it; returns the earliest take-over.
fn assert_taken_over_after(g: &Group, units: &[Unit], gone: usize, t_ms: u64, min_ms: u64) -> u64 {
    let taken = g.taken_over(units, gone, t_ms);
    let missing: Vec<String> = units
        .iter()
        .filter(|u| !taken.contains_key(*u))
        .map(Unit::to_string)
        .collect();
    assert!(
        missing.is_empty(),
        "no other worker's log shows it took over {missing:?}"
    );
    let first = taken.values().map(|(_, t)| t - t_ms).min().unwrap();
    assert!(
        first + CLOCK_SLACK_MS >= min_ms,
        "w{gone}'s work was taken over {first} ms after it went, want at least {min_ms} ms \
         (scheduled.rebalance.max.delay.ms {MAX_DELAY_MS}): {taken:?}"
    );
    first
}

fn membership(c: Composition) {
    let mut g = Group::start(c, 3);
    workload(&mut g);
    let p = g.wait_settled("three workers", SETTLE);
    for &i in &p.live {
        assert_eq!(p.tasks_on(i), 3, "9 tasks on 3 workers: {}", p.summary());
    }

    // A fourth worker joins: the load spreads to it (5 connectors, 9 tasks on 4 → it gets at
    // least 1 connector and 2 tasks).
    let joined = g.add();
    let p = g.wait_settled_where("a fourth worker joined", SETTLE, |p| {
        if p.connectors_on(joined) >= 1 && p.tasks_on(joined) >= 2 {
            Ok(())
        } else {
            Err(format!("w{joined} has not got its share: {}", p.summary()))
        }
    });

    // A follower leaves with SIGTERM: its work waits for the delay, then moves.
    let leaver = busy_follower(&mut g, |i| p.units_on(i));
    let units = p.units_on(leaver);
    let t_ms = now_ms();
    let t = g.stop(leaver);
    let moved = g.wait_moved(&units, leaver, t, SETTLE);
    let first = assert_taken_over_after(&g, &units, leaver, t_ms, MAX_DELAY_MS);
    eprintln!(
        "SIGTERM to w{leaver} ({} units): taken over after {first} ms (logs), RUNNING elsewhere \
         after {} ms (status)",
        units.len(),
        moved.as_millis()
    );
    let p = g.wait_settled("a worker left with SIGTERM", SETTLE);

    // A follower is killed: the broker notices after the session timeout, then the delay runs.
    let victim = busy_follower(&mut g, |i| p.units_on(i));
    let units = p.units_on(victim);
    let t_ms = now_ms();
    let t = g.kill9(victim);
    let moved = g.wait_moved(&units, victim, t, SETTLE + Duration::from_secs(30));
    let min_ms = SESSION_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS + MAX_DELAY_MS;
    let first = assert_taken_over_after(&g, &units, victim, t_ms, min_ms);
    eprintln!(
        "SIGKILL to w{victim} ({} units): taken over after {first} ms (logs), RUNNING elsewhere \
         after {} ms (status)",
        units.len(),
        moved.as_millis()
    );
    let p = g.wait_settled("a worker was killed", SETTLE);
    assert_eq!(p.live.len(), 2, "{}", p.summary());

    let checked = g.assert_nothing_ran_twice();
    eprintln!("nothing ran twice ({checked} holdings checked)");
}
