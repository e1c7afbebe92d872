//! Starting the worker: configured by `CONNECT_*` variables alone (the seed's compose block,
//! addresses made local), and refusing unknown or ill-typed settings at start with a message that
//! names the key and the fix.

use std::{process::Command, time::Duration};

use connect_tests::{
    artifacts::connect_binary,
    require_kafka, unique_name,
    worker::{call, file_plugins, free_port},
};

#[test]
fn the_seed_environment_block_configures_a_worker() {
    let bootstrap = require_kafka();
    let dir = tempfile::tempdir().unwrap();
    let plugins = file_plugins(dir.path());
    let port = free_port();
    let id = unique_name("env");
    let mut child = Command::new(connect_binary())
        .arg("distributed")
        .env(
            "CONNECT_PLUGIN_PATH",
            format!(
                "{},{}",
                plugins.display(),
                plugins.join("connect-host-connect-file-sink").display()
            ),
        )
        .env("CONNECT_CONFIG_STORAGE_TOPIC", format!("{id}_configs"))
        .env("CONNECT_OFFSET_STORAGE_TOPIC", format!("{id}_offsets"))
        .env("CONNECT_STATUS_STORAGE_TOPIC", format!("{id}_statuses"))
        .env(
            "CONNECT_KEY_CONVERTER",
            "org.apache.kafka.connect.json.JsonConverter",
        )
        .env(
            "CONNECT_VALUE_CONVERTER",
            "org.apache.kafka.connect.json.JsonConverter",
        )
        .env("CONNECT_BOOTSTRAP_SERVERS", &bootstrap)
        .env("CONNECT_REST_PORT", port.to_string())
        .env("CONNECT_REST_ADVERTISED_HOST_NAME", "localhost")
        .env("CONNECT_GROUP_ID", &id)
        .env("CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR", "1")
        .env("CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR", "1")
        .env("CONNECT_STATUS_STORAGE_REPLICATION_FACTOR", "1")
        .env("CONNECT_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::blocking::Client::new();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut ready = false;
    while std::time::Instant::now() < deadline && !ready {
        ready = call(&http, "GET", &format!("{url}/health"), None).0 == 200;
        std::thread::sleep(Duration::from_millis(200));
    }
    let plugins = call(&http, "GET", &format!("{url}/connector-plugins"), None).1;
    let file = dir.path().join("out.txt").display().to_string();
    let body = serde_json::json!({"name": "s", "config": {"connector.class": "FileStreamSink", "topics": id, "file": file}}).to_string();
    let created = call(&http, "POST", &format!("{url}/connectors"), Some(&body));
    let status = call(&http, "GET", &format!("{url}/connectors/s/status"), None).1;
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    assert!(
        ready,
        "the worker did not become ready from CONNECT_* variables alone"
    );
    assert_eq!(
        plugins.as_array().map(Vec::len),
        Some(2),
        "both plugins, the sink found once: {plugins}"
    );
    assert_eq!(created.0, 201, "{created:?}");
    assert_eq!(
        status["connector"]["worker_id"],
        format!("localhost:{port}"),
        "rest.advertised.host.name + rest.port give the worker id"
    );
}

fn start_with(props: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("worker.properties");
    std::fs::write(&path, props).unwrap();
    let out = Command::new(connect_binary())
        .arg("distributed")
        .arg(&path)
        .env("CONNECT_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BASE: &str = "bootstrap.servers=127.0.0.1:1\ngroup.id=g\nconfig.storage.topic=c\noffset.storage.topic=o\nstatus.storage.topic=s\nkey.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n";

#[test]
fn unknown_and_ill_typed_settings_are_refused_at_start() {
    let (ok, err) = start_with(&format!("{BASE}offset.flush.interval.ms=soon\n"));
    assert!(!ok);
    assert!(
        err.contains("offset.flush.interval.ms") && err.contains("soon"),
        "{err}"
    );

    let (ok, err) = start_with(&format!("{BASE}ofset.flush.interval.ms=1000\n"));
    assert!(!ok);
    assert!(
        err.contains("ofset.flush.interval.ms") && err.contains("offset.flush.interval.ms"),
        "names the key and suggests the right one: {err}"
    );

    let (ok, err) = start_with(
        "bootstrap.servers=127.0.0.1:1\nkey.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n",
    );
    assert!(!ok);
    assert!(
        err.contains("group.id"),
        "a missing required distributed setting is named: {err}"
    );
}
