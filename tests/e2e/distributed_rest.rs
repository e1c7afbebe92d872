//! Distributed mode, REST between workers: a write sent to a follower lands through the leader
//! (`POST /connectors` to each worker in turn: 201 and the connector on every worker; `PUT
//! …/config` and `DELETE` through a follower too), and a follower told not to forward
//! (`?forward=false`) refuses with 409, so the follower really forwarded. Internal requests
//! need the session key's signature (KIP-507, Java's `SessionedProtocolIntegrationTest`):
//! `POST /connectors/{c}/tasks` unsigned → 400, with a bad signature → 403, on every worker,
//! even for a connector that does not exist. On all-Java, all-Rust and mixed groups.
//!
//! Java forwards with `?forward=true` (a second hop would get `forward=false`), and its leader
//! logs each request, so with a Java leader the test also sees the forwarded creates arrive.

use std::time::Duration;

use connect_tests::cluster::{Composition, Group, Kind};
use serde_json::{Value, json};

connect_tests::for_each_composition!(rest_between_workers);

const SETTLE: Duration = Duration::from_secs(90);
const NOT_FORWARDED: &str =
    "Cannot complete request because of a conflicting operation (e.g. worker rebalance)";
/// Java's request log line (`RestServer`) for a create forwarded by a follower.
const FORWARDED_CREATE: &str = "\"POST /connectors?forward=true HTTP/1.1\" 201";
const UNSIGNED: &str = "Internal request missing required signature";
const BAD_SIGNATURE: &str = "Internal request contained invalid signature.";

fn source(g: &Group, name: &str) -> Value {
    let input = g.path(&format!("{name}.txt"));
    std::fs::write(&input, "").unwrap();
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "topic": format!("{}-{name}", g.name), "file": input,
    })
}

/// `GET /connectors` on member `i`, sorted; the status and body if not 200 (a Java worker
/// answers 409 while a rebalance for a new connector is pending).
fn names(g: &Group, i: usize) -> Result<Vec<String>, String> {
    let (code, body) = g.call(i, "GET", "/connectors", None);
    if code != 200 {
        return Err(format!("{code} {body}"));
    }
    let mut names: Vec<String> = body
        .as_array()
        .ok_or_else(|| format!("not a list: {body}"))?
        .iter()
        .map(|n| n.as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// Polls every worker until each lists exactly `want` (config topic read by all).
fn wait_listed(g: &Group, want: &[String]) {
    let deadline = std::time::Instant::now() + SETTLE;
    loop {
        let seen: Vec<(usize, Result<Vec<String>, String>)> =
            (0..g.len()).map(|i| (i, names(g, i))).collect();
        if seen.iter().all(|(_, n)| n.as_deref() == Ok(want)) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not every worker lists {want:?}: {seen:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn rest_between_workers(c: Composition) {
    let mut g = Group::start(c, 3);
    let leader = g.wait_leader(SETTLE);
    let followers: Vec<usize> = (0..g.len()).filter(|&i| i != leader).collect();
    eprintln!("w{leader} ({}) leads", g.kind(leader));

    // Writes through every worker in turn, followers included, each seen by every worker.
    let mut want = Vec::new();
    for i in 0..g.len() {
        let name = format!("via-w{i}");
        let config = source(&g, &name);
        g.create(i, &name, config, 1);
        want.push(name);
        want.sort();
        wait_listed(&g, &want);
    }
    g.wait_settled("connectors created through every worker", SETTLE);
    // A Java leader logs every request: each follower's write arrived with `forward=true`.
    if g.kind(leader) == Kind::Java {
        let log = g.member(leader).log();
        let forwarded = log.matches(FORWARDED_CREATE).count();
        assert!(
            forwarded >= followers.len(),
            "the Java leader w{leader} logged {forwarded} `{FORWARDED_CREATE}`, want one per \
             follower ({})",
            followers.len()
        );
    }

    // A follower that may not forward refuses: the writes above went through the leader.
    for &f in &followers {
        let name = format!("not-forwarded-w{f}");
        let body = json!({ "name": name, "config": source(&g, &name) }).to_string();
        let (code, resp) = g.call(f, "POST", "/connectors?forward=false", Some(&body));
        assert_eq!(
            (code, resp["message"].as_str()),
            (409, Some(NOT_FORWARDED)),
            "POST /connectors?forward=false on follower w{f} ({}): {resp}",
            g.kind(f)
        );
        let (code, resp) = g.call(leader, "GET", &format!("/connectors/{name}"), None);
        assert_eq!(code, 404, "{name} was created after all: {resp}");
    }
    // The leader itself needs no forwarding.
    let name = "direct-on-leader".to_owned();
    let body = json!({ "name": name, "config": source(&g, &name) }).to_string();
    let (code, resp) = g.call(leader, "POST", "/connectors?forward=false", Some(&body));
    assert_eq!(
        code, 201,
        "POST /connectors?forward=false on the leader: {resp}"
    );
    g.expect_connector(&name, 1);
    want.push(name);
    want.sort();
    wait_listed(&g, &want);

    // Reconfigure and delete through a follower.
    let f = followers[0];
    let target = format!("via-w{leader}");
    let mut config = source(&g, &target);
    config["batch.size"] = json!("123");
    let (code, resp) = g.call(
        f,
        "PUT",
        &format!("/connectors/{target}/config"),
        Some(&config.to_string()),
    );
    assert_eq!(
        code, 200,
        "PUT …/config of {target} through follower w{f}: {resp}"
    );
    for i in 0..g.len() {
        let deadline = std::time::Instant::now() + SETTLE;
        loop {
            let (_, got) = g.call(i, "GET", &format!("/connectors/{target}/config"), None);
            if got["batch.size"] == "123" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "w{i} does not see the new config of {target}: {got}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let gone = format!("via-w{f}");
    let (code, resp) = g.call(f, "DELETE", &format!("/connectors/{gone}"), None);
    assert_eq!(code, 204, "DELETE {gone} through follower w{f}: {resp}");
    want.retain(|n| *n != gone);
    wait_listed(&g, &want);
    g.forget_connector(&gone);
    g.wait_settled("after the writes through followers", SETTLE);

    // Internal requests: the signature is checked on the receiving worker, before anything else.
    let bad = [
        ("X-Connect-Authorization", "bm90IGEgc2lnbmF0dXJl"),
        ("X-Connect-Request-Signature-Algorithm", "HmacSHA256"),
    ];
    for i in 0..g.len() {
        for connector in [want[0].as_str(), "no-such-connector"] {
            let path = format!("/connectors/{connector}/tasks");
            let (code, resp) = g.call_with_headers(i, "POST", &path, "[]", &[]);
            assert_eq!(
                (code, resp["message"].as_str()),
                (400, Some(UNSIGNED)),
                "unsigned POST {path} on w{i} ({}): {resp}",
                g.kind(i)
            );
            let (code, resp) = g.call_with_headers(i, "POST", &path, "[]", &bad);
            assert_eq!(
                (code, resp["message"].as_str()),
                (403, Some(BAD_SIGNATURE)),
                "badly signed POST {path} on w{i} ({}): {resp}",
                g.kind(i)
            );
        }
    }
    g.assert_nothing_ran_twice();
}
