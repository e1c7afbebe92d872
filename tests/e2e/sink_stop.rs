//! The stop path of sink tasks: a SIGTERM while the destination is down commits only what the
//! plugin made durable, whatever the plugin does (a `put` that never returns, records buffered
//! and then forgotten on `close`, a file that can no longer be written), and every record
//! arrives after the destination and the host are back. Also: a record that fails the task the
//! same way after every restart stops the automatic restarts, naming the record. And the
//! lifecycle after stop (code review finding 8): a stopped task is never called again (the
//! revocation its consumer's close triggers neither asks it for offsets nor closes it again), and
//! a task abandoned after `task.shutdown.graceful.timeout.ms` that returns later commits nothing
//! and writes no status.

use std::{
    collections::BTreeSet,
    path::Path,
    time::{Duration, Instant},
};

use connect_tests::{
    artifacts::install_library,
    kafka::{committed, create_topic, produce, read_records},
    require_kafka, unique_name,
    worker::Worker,
};
use serde_json::json;

/// A worker whose plugin.path holds only the stalling test sink.
fn stalling_worker() -> (Worker, tempfile::TempDir) {
    let plugins = tempfile::tempdir().unwrap();
    install_library("connect_stalling_sink", plugins.path());
    let w = Worker::distributed(&[("plugin.path", &plugins.path().display().to_string())]);
    (w, plugins)
}

fn create(w: &Worker, name: &str, config: serde_json::Value) {
    let body = json!({"name": name, "config": config}).to_string();
    let (code, answer) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "{answer}\n{}", w.log_tail());
}

fn values(from: u32, to: u32) -> impl Iterator<Item = String> {
    (from..to).map(|i| format!("v{i}"))
}

/// The offsets written by the stalling sink (`topic-partition-offset value` lines).
fn stalling_offsets(out: &Path) -> (BTreeSet<i64>, usize) {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut lines = 0;
    for l in text.lines() {
        lines += 1;
        let pos = l.split(' ').next().unwrap();
        seen.insert(pos.rsplit('-').next().unwrap().parse::<i64>().unwrap());
    }
    (seen, lines)
}

/// Waits until the worker's logs mention `needle`.
fn wait_for_log(w: &Worker, needle: &str) {
    w.wait_until(
        &format!("'{needle}' in the log"),
        Duration::from_secs(60),
        |w| w.log().contains(needle),
    );
}

/// SIGTERM and how long the worker took to exit.
fn timed_stop(w: &mut Worker) -> Duration {
    let t0 = Instant::now();
    w.stop();
    t0.elapsed()
}

/// Runs the stalling sink in `mode` through an outage with a SIGTERM in the middle; returns what
/// the group had committed right after the stop.
fn outage_with_sigterm(mode: &str) {
    let bootstrap = require_kafka();
    let (mut w, _plugins) = stalling_worker();
    let topic = unique_name("stall");
    create_topic(&bootstrap, &topic, 1);
    let out = w.path("out.txt");
    let marker = w.path("outage");
    let name = format!("stall-{mode}");
    produce(&bootstrap, &topic, values(0, 1_000));
    create(
        &w,
        &name,
        json!({"connector.class": "com.example.connect.StallingSinkConnector", "topics": topic,
               "file": out.display().to_string(), "outage.marker": marker.display().to_string(),
               "mode": mode}),
    );
    let group = format!("connect-{name}");
    w.wait_until(
        "1,000 records written and committed",
        Duration::from_secs(60),
        |_| {
            stalling_offsets(&out).0.len() == 1_000
                && committed(&bootstrap, &group, &topic, 0) == Some(1_000)
        },
    );

    // The destination goes down; 1,000 more records are consumed and handed to the plugin.
    std::fs::write(&marker, b"").unwrap();
    produce(&bootstrap, &topic, values(1_000, 2_000));
    wait_for_log(
        &w,
        if mode == "block" {
            "put never returns"
        } else {
            "1000 record(s) buffered"
        },
    );
    std::thread::sleep(Duration::from_secs(2)); // a periodic commit or two happen meanwhile
    let took = timed_stop(&mut w);
    eprintln!("{mode}: the worker exited {took:?} after SIGTERM, during the outage");
    assert!(
        took < Duration::from_secs(20),
        "the stop is bounded by task.shutdown.graceful.timeout.ms (5 s) plus a margin: {took:?}"
    );
    let after_stop = committed(&bootstrap, &group, &topic, 0);
    let (written, _) = stalling_offsets(&out);
    assert_eq!(
        after_stop,
        Some(written.len() as i64),
        "committed exactly what was written (1,000), not the consumer position"
    );

    // Destination and host back: the rest arrives.
    std::fs::remove_file(&marker).unwrap();
    w.start();
    w.wait_until("all 2,000 records written", Duration::from_secs(60), |_| {
        stalling_offsets(&out).0.len() == 2_000
    });
    let (seen, lines) = stalling_offsets(&out);
    assert_eq!(seen, (0..2_000).collect(), "every offset, at least once");
    eprintln!("{mode}: {} line(s) written twice", lines - 2_000);
    w.wait_until("the commit of 2,000", Duration::from_secs(30), |_| {
        committed(&bootstrap, &group, &topic, 0) == Some(2_000)
    });
}

#[test]
fn a_put_that_never_returns_is_abandoned_and_nothing_of_it_is_committed() {
    outage_with_sigterm("block");
}

#[test]
fn a_second_sigterm_exits_at_once_while_a_plugin_is_stuck() {
    let bootstrap = require_kafka();
    let plugins = tempfile::tempdir().unwrap();
    install_library("connect_stalling_sink", plugins.path());
    // A long graceful timeout: only the second signal can end the process quickly.
    let mut w = Worker::distributed(&[
        ("plugin.path", &plugins.path().display().to_string()),
        ("task.shutdown.graceful.timeout.ms", "60000"),
    ]);
    let topic = unique_name("stall2");
    create_topic(&bootstrap, &topic, 1);
    let out = w.path("out.txt");
    let marker = w.path("outage");
    std::fs::write(&marker, b"").unwrap();
    create(
        &w,
        "stall-twice",
        json!({"connector.class": "com.example.connect.StallingSinkConnector", "topics": topic,
               "file": out.display().to_string(), "outage.marker": marker.display().to_string(),
               "mode": "block"}),
    );
    produce(&bootstrap, &topic, values(0, 100));
    wait_for_log(&w, "put never returns");
    let (took, success) = w.stop_twice(Duration::from_secs(2));
    eprintln!("exited {took:?} after the second SIGTERM");
    assert!(
        took < Duration::from_secs(3),
        "a second SIGTERM ends the process at once, not after the 60 s graceful timeout: {took:?}"
    );
    assert!(
        !success,
        "an exit without a clean stop is not reported as a success"
    );
    assert!(
        w.log().contains("second stop signal"),
        "the log says why it exited\n{}",
        w.log_tail()
    );
}

#[test]
fn records_buffered_by_the_plugin_are_not_committed_at_stop_even_if_it_forgets_them() {
    // The plugin's `close` forgets the partition and, asked again, would answer the host's own
    // offsets (the SDK default): only the host's rule keeps them uncommitted.
    outage_with_sigterm("buffer");
}

#[test]
fn a_file_sink_whose_file_cannot_be_written_commits_nothing_and_loses_nothing() {
    let bootstrap = require_kafka();
    let mut w = Worker::distributed(&[]);
    let topic = unique_name("stop-file");
    create_topic(&bootstrap, &topic, 1);
    let out = w.path("sink.txt");
    produce(&bootstrap, &topic, values(0, 5_000));
    create(
        &w,
        "file-out",
        json!({"connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string()}),
    );
    let count = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .count()
    };
    w.wait_until("5,000 lines, committed", Duration::from_secs(60), |_| {
        count(&out) == 5_000 && committed(&bootstrap, "connect-file-out", &topic, 0) == Some(5_000)
    });

    // The file can no longer be written: immutable, which stops even root's writes through the
    // descriptor the sink holds open (as a disk gone read-only would).
    let chattr = |flag: &str| {
        let st = std::process::Command::new("chattr")
            .arg(flag)
            .arg(&out)
            .status()
            .expect("chattr (e2fsprogs) is needed for this test");
        assert!(
            st.success(),
            "chattr {flag} {} failed: the test directory's file system must support file attributes (ext4, xfs)",
            out.display()
        );
    };
    chattr("+i");
    let unlock = scopeguard(|| {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&out)
            .status();
    });
    produce(&bootstrap, &topic, values(5_000, 10_000));
    wait_for_log(&w, "cannot write to");
    let took = timed_stop(&mut w);
    eprintln!("file sink: the worker exited {took:?} after SIGTERM");
    assert_eq!(
        committed(&bootstrap, "connect-file-out", &topic, 0),
        Some(5_000),
        "nothing past what reached the file is committed"
    );
    drop(unlock);
    w.start();
    w.wait_until("every record in the file", Duration::from_secs(60), |_| {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let seen: BTreeSet<&str> = text.lines().collect();
        (0..10_000).all(|i| seen.contains(format!("v{i}").as_str()))
    });
    eprintln!("file sink: {} line(s) for 10,000 records", count(&out));
}

/// Runs `f` when dropped (also when the test panics), so an immutable file never outlives it.
fn scopeguard(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}

#[test]
fn a_record_that_fails_the_task_after_every_restart_stops_the_restarts_and_is_named() {
    let bootstrap = require_kafka();
    let w = Worker::distributed(&[]);
    let topic = unique_name("poison");
    create_topic(&bootstrap, &topic, 1);
    produce(
        &bootstrap,
        &topic,
        [r#"{"ok":1}"#, "{not json", r#"{"ok":3}"#].map(String::from),
    );
    let out = w.path("poison.txt");
    create(
        &w,
        "poison",
        json!({"connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string(),
               "value.converter": "org.apache.kafka.connect.json.JsonConverter",
               "value.converter.schemas.enable": "false"}),
    );
    w.wait_until("the restarter to give up", Duration::from_secs(60), |w| {
        let (_, s) = w.get("/connectors/poison/tasks/0/status");
        s["trace"]
            .as_str()
            .is_some_and(|t| t.contains("automatic restart (task.restart.on.failure) stopped"))
    });
    let (_, s) = w.get("/connectors/poison/tasks/0/status");
    assert_eq!(s["state"], "FAILED");
    let trace = s["trace"].as_str().unwrap();
    let record = format!("topic '{topic}', partition 0, offset 1");
    for part in [
        record.as_str(),
        "errors.tolerance=all",
        "errors.deadletterqueue.topic.name",
        "POST /connectors/poison/tasks/0/restart",
    ] {
        assert!(trace.contains(part), "'{part}' in the trace:\n{trace}");
    }
    // It stays down: no more restarts.
    let restarts = |w: &Worker| w.log().matches("restarting a failed task").count();
    let before = restarts(&w);
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(restarts(&w), before, "no restart after giving up");
    assert_eq!(w.states("poison").1, vec!["FAILED".to_owned()]);
}

/// The lifecycle calls the stalling sink journaled (see its `journal` key).
fn journal(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The status-topic records of `connector` (key and value as text), in the order of the topic's
/// partition that holds them.
fn status_records(bootstrap: &str, w: &Worker, connector: &str) -> Vec<String> {
    let props = std::fs::read_to_string(w.path("worker.properties")).unwrap();
    let topic = props
        .lines()
        .find_map(|l| l.strip_prefix("status.storage.topic="))
        .expect("the worker has a status topic")
        .to_owned();
    let suffix = format!("-{connector}");
    let task_infix = format!("-{connector}-");
    read_records(bootstrap, &topic)
        .into_iter()
        .filter_map(|(k, v)| {
            let k = String::from_utf8(k?).ok()?;
            (k.ends_with(&suffix) || k.contains(&task_infix)).then(|| {
                format!(
                    "{k} {}",
                    v.map_or("<tombstone>".into(), |v| String::from_utf8_lossy(&v)
                        .into_owned())
                )
            })
        })
        .collect()
}

#[test]
fn a_stopped_sink_task_is_never_called_again_and_the_revocation_after_it_commits_nothing() {
    // Code review finding 8: the consumer's close after `stop` revokes the partitions, and that
    // callback must not ask the stopped plugin for offsets, close it again, or commit.
    let bootstrap = require_kafka();
    let (w, _plugins) = stalling_worker();
    let topic = unique_name("stopped");
    create_topic(&bootstrap, &topic, 2);
    let out = w.path("out.txt");
    let calls = w.path("journal.txt");
    produce(&bootstrap, &topic, values(0, 200));
    create(
        &w,
        "stopped-sink",
        json!({"connector.class": "com.example.connect.StallingSinkConnector", "topics": topic,
               "file": out.display().to_string(), "outage.marker": w.path("outage").display().to_string(),
               "journal": calls.display().to_string()}),
    );
    let group = "connect-stopped-sink";
    let all_committed = |_: &Worker| {
        let c: i64 = (0..2)
            .map(|p| committed(&bootstrap, group, &topic, p).unwrap_or(0))
            .sum();
        c == 200
    };
    w.wait_until(
        "200 records written and committed",
        Duration::from_secs(60),
        all_committed,
    );
    let (code, answer) = w.call("DELETE", "/connectors/stopped-sink", None);
    assert_eq!(code, 204, "{answer}");
    w.wait_until("the task stopped", Duration::from_secs(30), |_| {
        journal(&calls).iter().any(|l| l == "stop")
    });
    // The consumer closes after `stop`; give its revocation time to run.
    std::thread::sleep(Duration::from_secs(3));
    let lines = journal(&calls);
    assert!(
        !lines.iter().any(|l| l.starts_with("VIOLATION")),
        "the host called the task after stop or asked for offsets of closed partitions:\n{}",
        lines.join("\n")
    );
    let stop = lines.iter().position(|l| l == "stop").unwrap();
    assert_eq!(
        &lines[stop - 1..],
        ["close", "stop"],
        "a graceful stop ends close(all) → stop, and nothing after it:\n{}",
        lines.join("\n")
    );
    assert!(
        lines[..stop].iter().rev().nth(1) == Some(&"pre_commit".to_owned()),
        "the last commit (pre_commit) comes right before close:\n{}",
        lines.join("\n")
    );
    assert!(
        all_committed(&w),
        "the offsets stay where the task left them"
    );
}

#[test]
fn an_abandoned_sink_task_that_returns_later_commits_nothing_and_writes_no_status() {
    // Code review finding 8: a task abandoned after task.shutdown.graceful.timeout.ms is
    // cancelled (Kafka's WorkerTask.cancel): when its plugin call returns at last, it must not
    // commit what it wrote then, and must not write a status over whatever owns the task now.
    let bootstrap = require_kafka();
    let plugins = tempfile::tempdir().unwrap();
    install_library("connect_stalling_sink", plugins.path());
    let w = Worker::distributed(&[
        ("plugin.path", &plugins.path().display().to_string()),
        ("task.shutdown.graceful.timeout.ms", "2000"),
    ]);
    let topic = unique_name("abandoned");
    create_topic(&bootstrap, &topic, 1);
    let out = w.path("out.txt");
    let marker = w.path("outage");
    let calls = w.path("journal.txt");
    produce(&bootstrap, &topic, values(0, 100));
    let name = "abandoned-sink";
    create(
        &w,
        name,
        json!({"connector.class": "com.example.connect.StallingSinkConnector", "topics": topic,
               "file": out.display().to_string(), "outage.marker": marker.display().to_string(),
               "mode": "stall", "journal": calls.display().to_string()}),
    );
    let group = format!("connect-{name}");
    w.wait_until(
        "100 records written and committed",
        Duration::from_secs(60),
        |_| {
            stalling_offsets(&out).0.len() == 100
                && committed(&bootstrap, &group, &topic, 0) == Some(100)
        },
    );

    // The destination goes down while 100 more records are put: the put waits.
    std::fs::write(&marker, b"").unwrap();
    produce(&bootstrap, &topic, values(100, 200));
    wait_for_log(&w, "put waits for it");
    let (code, answer) = w.call("DELETE", &format!("/connectors/{name}"), None);
    assert_eq!(code, 204, "{answer}\n{}", w.log_tail());
    wait_for_log(&w, "abandoning it");
    std::thread::sleep(Duration::from_secs(2)); // the delete's own status writes land
    let statuses_at_abandon = status_records(&bootstrap, &w, name);
    assert!(
        !statuses_at_abandon.is_empty(),
        "the connector's statuses were written while it ran"
    );

    // The destination comes back: the abandoned put writes its 100 records and returns.
    std::fs::remove_file(&marker).unwrap();
    w.wait_until(
        "the abandoned task to return and stop",
        Duration::from_secs(30),
        |_| {
            journal(&calls)
                .iter()
                .skip_while(|l| *l != "put-returned-late 100")
                .any(|l| l == "stop")
        },
    );
    assert_eq!(stalling_offsets(&out).0.len(), 200, "the late put wrote");
    // Longer than offset.flush.interval.ms (1 s) and the stop path: a commit or a status write
    // would have happened by now.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        committed(&bootstrap, &group, &topic, 0),
        Some(100),
        "nothing the abandoned task did after it was abandoned is committed"
    );
    assert_eq!(
        status_records(&bootstrap, &w, name),
        statuses_at_abandon,
        "the abandoned task wrote no status"
    );
    let lines = journal(&calls);
    let late = lines
        .iter()
        .position(|l| l == "put-returned-late 100")
        .unwrap();
    assert_eq!(
        &lines[late + 1..],
        ["stop"],
        "after its late return the abandoned task is only stopped: no pre_commit, no close\n{}",
        lines.join("\n")
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("VIOLATION")),
        "{}",
        lines.join("\n")
    );
}
