//! Distributed mode under each `connect.protocol`: an `eager` group (sub-protocol `default`,
//! stop-the-world rebalances, full assignments) shares its work, and a `sessioned` worker that
//! joins it falls back to `default` with it, as Java's broker-side election does (the group
//! only speaks what every member offers). The `sessioned` and mixed Java cases are in the
//! other distributed scenarios.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use connect_tests::{
    require_kafka, unique_name,
    worker::{Worker, file_plugins},
};
use serde_json::{Value, json};

const SETTLE: Duration = Duration::from_secs(60);

fn status(w: &Worker, name: &str) -> Option<Value> {
    let (code, body) = w.get(&format!("/connectors/{name}/status"));
    (code == 200).then_some(body)
}

/// Every unit of `names` RUNNING as `w` sees it, with the worker ids they run on.
fn running_on(w: &Worker, names: &[String]) -> Option<BTreeSet<String>> {
    let mut ids = BTreeSet::new();
    for name in names {
        let s = status(w, name)?;
        let tasks = s["tasks"].as_array()?;
        if s["connector"]["state"] != "RUNNING" || tasks.is_empty() {
            return None;
        }
        ids.insert(s["connector"]["worker_id"].as_str()?.to_owned());
        for t in tasks {
            if t["state"] != "RUNNING" {
                return None;
            }
            ids.insert(t["worker_id"].as_str()?.to_owned());
        }
    }
    Some(ids)
}

fn wait_spread(workers: &[&Worker], names: &[String]) -> BTreeSet<String> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let views: Vec<Option<BTreeSet<String>>> =
            workers.iter().map(|w| running_on(w, names)).collect();
        if let Some(Some(ids)) = views.first()
            && ids.len() == workers.len()
            && views.iter().all(|v| v.as_ref() == Some(ids))
        {
            return ids.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the group did not spread {names:?} over its {} workers within {SETTLE:?}: {views:?}\n{}",
            workers.len(),
            workers
                .iter()
                .map(|w| w.log_tail())
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_eager_group_shares_its_work_and_a_sessioned_worker_joins_it_on_default() {
    require_kafka();
    let shared = tempfile::tempdir().unwrap();
    let plugins = file_plugins(shared.path());
    let plugin_path = plugins.display().to_string();
    let group = unique_name("eager");
    let eager = [
        ("plugin.path", plugin_path.as_str()),
        ("connect.protocol", "eager"),
    ];
    let mut a = Worker::spawn_in_group(&group, &eager);
    let mut b = Worker::spawn_in_group(&group, &eager);
    a.wait_ready();
    b.wait_ready();

    let names: Vec<String> = (0..3).map(|i| format!("src-{i}")).collect();
    for name in &names {
        let input = shared.path().join(format!("{name}.txt"));
        std::fs::write(&input, "").unwrap();
        let body = json!({"name": name, "config": {
            "connector.class": "FileStreamSource", "topic": format!("{group}-{name}"),
            "file": input.display().to_string()}});
        let (code, answer) = a.call("POST", "/connectors", Some(&body.to_string()));
        // Through whichever worker: a follower forwards to the leader.
        assert_eq!(code, 201, "{answer}");
    }
    let ids = wait_spread(&[&a, &b], &names);
    assert_eq!(ids.len(), 2, "both eager workers run something: {ids:?}");
    for w in [&a, &b] {
        assert!(
            w.log()
                .contains("with protocol version 0 and got assignment"),
            "eager workers use the default sub-protocol (version 0)\n{}",
            w.log_tail()
        );
    }

    // A sessioned worker offers sessioned, compatible and default: the group stays on default.
    let mut c = Worker::spawn_in_group(&group, &[("plugin.path", plugin_path.as_str())]);
    c.wait_ready();
    let ids = wait_spread(&[&a, &b, &c], &names);
    assert_eq!(ids.len(), 3, "the third worker got its share: {ids:?}");
    assert!(
        c.log()
            .contains("with protocol version 0 and got assignment"),
        "a sessioned worker in an eager group speaks default\n{}",
        c.log_tail()
    );
    for w in [&mut a, &mut b, &mut c] {
        w.stop();
    }
}
