//! Bad records and bad plugins on a real worker: conversion failures with `errors.tolerance`
//! none (task FAILED with the converter's message) and all (skipped, sent to the dead-letter
//! queue with `__connect.errors.*` headers, good records still delivered); a plugin that panics
//! in `put` fails its task with a trace while the worker and its other connectors keep running;
//! `errors.retry.timeout` never retries a conversion failure, as on the Java peer.

use std::time::Duration;

use connect_tests::{
    artifacts::install_library,
    require_kafka, require_peer_connect, unique_name,
    worker::{Worker, call},
};
use rdkafka::{
    ClientConfig, Message,
    consumer::{BaseConsumer, Consumer},
    message::Headers,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::json;

fn produce(topic: &str, values: &[&str]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    for v in values {
        producer
            .send(BaseRecord::<(), str>::to(topic).payload(*v))
            .unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
}

fn create(w: &Worker, name: &str, config: serde_json::Value) {
    let (code, resp) = w.call(
        "POST",
        "/connectors",
        Some(&json!({"name": name, "config": config}).to_string()),
    );
    assert_eq!(code, 201, "{resp}");
}

/// Waits up to `limit` for the one task of connector `name` to be FAILED, and returns its trace.
fn failed_task_trace(w: &Worker, name: &str, limit: Duration) -> String {
    w.wait_until(&format!("{name}'s task to fail"), limit, |w| {
        w.states(name).1 == vec!["FAILED".to_owned()]
    });
    w.get(&format!("/connectors/{name}/status")).1["tasks"][0]["trace"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_conversion_failure_without_tolerance_fails_the_task_with_the_converter_message() {
    let w = Worker::distributed(&[]);
    let topic = unique_name("strict");
    produce(&topic, &[r#"{"id":1}"#]);
    create(
        &w,
        "strict",
        json!({
            "connector.class": "FileStreamSink", "topics": topic, "file": w.path("out.txt").display().to_string(),
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "task.restart.on.failure": "false"
        }),
    );
    let trace = failed_task_trace(&w, "strict", Duration::from_secs(60));
    assert!(
        trace.contains("Tolerance exceeded in error handler"),
        "{trace}"
    );
    assert!(
        trace.contains(
            "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields"
        ),
        "{trace}"
    );
    assert_eq!(
        w.get("/connectors/strict/status").1["connector"]["state"],
        "RUNNING",
        "only the task fails"
    );
}

/// `errors.retry.timeout` retries only retriable failures (Java's `RetriableException`); a
/// converter's `DataException` is never one, so even "retry forever" fails the task at once, on
/// the Java peer and here alike.
#[test]
fn retry_forever_does_not_retry_a_conversion_failure_as_on_the_java_peer() {
    let w = Worker::distributed(&[]);
    let peer = require_peer_connect();
    let http = reqwest::blocking::Client::new();
    let topic = unique_name("retry");
    produce(&topic, &[r#"{"id":1}"#]);
    let name = unique_name("retrying");
    let config = |file: String| {
        json!({
            "connector.class": "FileStreamSink", "topics": topic, "file": file,
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "errors.retry.timeout": "-1", "errors.retry.delay.max.ms": "1000",
            "task.restart.on.failure": "false"
        })
    };
    create(&w, &name, config(w.path("out.txt").display().to_string()));
    let peer_file = std::env::temp_dir().join(format!("{name}.txt"));
    let body = json!({"name": name, "config": {
        "connector.class": "FileStreamSink", "topics": topic,
        "file": peer_file.display().to_string(),
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "errors.retry.timeout": "-1", "errors.retry.delay.max.ms": "1000"
    }});
    let (code, resp) = call(
        &http,
        "POST",
        &format!("{peer}/connectors"),
        Some(&body.to_string()),
    );
    assert_eq!(code, 201, "peer: {resp}");
    let peer_task = || {
        let (_, s) = call(
            &http,
            "GET",
            &format!("{peer}/connectors/{name}/status"),
            None,
        );
        (
            s["tasks"][0]["state"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            s["tasks"][0]["trace"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    w.wait_until("both tasks to fail", Duration::from_secs(60), |w| {
        w.states(&name).1 == vec!["FAILED".to_owned()] && peer_task().0 == "FAILED"
    });
    let (_, ours) = w.get(&format!("/connectors/{name}/status"));
    let ours = ours["tasks"][0]["trace"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, theirs) = peer_task();
    for trace in [&ours, &theirs] {
        assert!(
            trace.contains("Tolerance exceeded in error handler"),
            "{trace}"
        );
    }
    call(&http, "DELETE", &format!("{peer}/connectors/{name}"), None);
}

#[test]
fn tolerated_bad_records_go_to_the_dead_letter_queue_and_good_ones_are_delivered() {
    let w = Worker::distributed(&[]);
    let topic = unique_name("mixed");
    let dlq = unique_name("dlq");
    produce(
        &topic,
        &[
            r#"{"ok":1}"#,
            "not json at all",
            r#"{"ok":2}"#,
            "{broken",
            r#"{"ok":3}"#,
        ],
    );
    let out = w.path("out.txt");
    create(
        &w,
        "tolerant",
        json!({
            "connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string(),
            "value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
            "errors.tolerance": "all", "errors.log.enable": "true",
            "errors.deadletterqueue.topic.name": dlq, "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true"
        }),
    );
    w.wait_until("the good records", Duration::from_secs(60), |_| {
        std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .count()
            >= 3
    });
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "{\"ok\":1}\n{\"ok\":2}\n{\"ok\":3}\n"
    );
    assert_eq!(w.states("tolerant").1, vec!["RUNNING".to_owned()]);

    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&dlq]).unwrap();
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while got.len() < 2 && std::time::Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            let headers: Vec<(String, String)> = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| {
                            (
                                h.key.to_owned(),
                                String::from_utf8_lossy(h.value.unwrap_or(b"")).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            got.push((
                String::from_utf8_lossy(m.payload().unwrap_or(b"")).into_owned(),
                headers,
            ));
        }
    }
    assert_eq!(
        got.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(),
        vec!["not json at all", "{broken"],
        "original bytes in the DLQ"
    );
    let headers = &got[0].1;
    let header = |k: &str| {
        headers
            .iter()
            .find(|(hk, _)| hk == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("__connect.errors.topic"), Some(topic.as_str()));
    assert_eq!(header("__connect.errors.offset"), Some("1"));
    assert_eq!(header("__connect.errors.stage"), Some("VALUE_CONVERTER"));
    assert_eq!(header("__connect.errors.connector.name"), Some("tolerant"));
    assert!(header("__connect.errors.exception.message").is_some());

    // The skipped records are behind the committed offset too.
    w.wait_until(
        "offsets committed past the bad records",
        Duration::from_secs(30),
        |w| w.get("/connectors/tolerant/offsets").1["offsets"][0]["offset"]["kafka_offset"] == 5,
    );

    // errors.log.enable logged each failure with the record's coordinates; without
    // errors.log.include.messages the record itself stays out of the log.
    let log = w.log();
    let logged: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("error processing record") && l.contains("tolerant"))
        .collect();
    assert_eq!(logged.len(), 2, "{logged:#?}");
    assert!(
        logged[0].contains("offset=1") && logged[1].contains("offset=3"),
        "{logged:#?}"
    );
    assert!(logged.iter().all(|l| !l.contains("value=")), "{logged:#?}");

    // With errors.log.include.messages, the record's key and value are in the line too.
    let loud = unique_name("loud");
    produce(&loud, &["still not json"]);
    create(
        &w,
        "loud",
        json!({
            "connector.class": "FileStreamSink", "topics": loud, "file": w.path("loud.txt").display().to_string(),
            "value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
            "errors.tolerance": "all", "errors.log.enable": "true", "errors.log.include.messages": "true"
        }),
    );
    w.wait_until(
        "the record logged with its value",
        Duration::from_secs(60),
        |w| {
            w.log().lines().any(|l| {
                l.contains("error processing record")
                    && l.contains("loud")
                    && l.contains("value=still not json")
            })
        },
    );
}

#[test]
fn a_panicking_plugin_fails_its_task_and_the_worker_stays_up() {
    let w = Worker::distributed(&[]);
    install_library("connect_panicking_sink", &w.plugins.join("panicking"));
    let mut w = w;
    w.restart(); // a plugin dropped into plugin.path is picked up at the next start
    assert!(
        w.get("/connector-plugins")
            .1
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["class"] == "com.example.connect.PanickingSinkConnector")
    );

    let topic = unique_name("boom");
    produce(&topic, &["a"]);
    create(
        &w,
        "boom",
        json!({"connector.class": "PanickingSink", "topics": topic, "task.restart.on.failure": "false"}),
    );
    let out = w.path("ok.txt");
    let ok_topic = unique_name("fine");
    create(
        &w,
        "fine",
        json!({"connector.class": "FileStreamSink", "topics": ok_topic, "file": out.display().to_string()}),
    );
    let trace = failed_task_trace(&w, "boom", Duration::from_secs(60));
    assert!(
        trace.contains("the plugin panicked in put: deliberate panic in put"),
        "{trace}"
    );
    assert!(
        trace.contains("panicking-sink/src/lib.rs"),
        "the trace names where it panicked: {trace}"
    );

    // The worker is up and the other connector still moves data.
    assert_eq!(w.get("/").0, 200);
    produce(&ok_topic, &["still here"]);
    w.wait_until(
        "the other connector to deliver",
        Duration::from_secs(60),
        |_| std::fs::read_to_string(&out).unwrap_or_default() == "still here\n",
    );
    // Restarting the failed task runs it again (and it fails again on the same record).
    assert_eq!(
        w.call("POST", "/connectors/boom/tasks/0/restart", None).0,
        204
    );
    w.wait_until("failed again", Duration::from_secs(60), |w| {
        w.states("boom").1 == vec!["FAILED".to_owned()]
    });
}

#[test]
fn a_failed_task_comes_back_by_itself_once_the_cause_is_gone() {
    // Kafka Connect leaves a FAILED task down until a manual restart; ours retries with back-off.
    let w = Worker::distributed(&[]);
    let topic = unique_name("later");
    produce(&topic, &["first"]);
    let missing_dir = w.path("not-yet");
    let out = missing_dir.join("out.txt");
    create(
        &w,
        "late",
        json!({"connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string()}),
    );
    w.wait_until(
        "the task to fail (its directory is missing)",
        Duration::from_secs(60),
        |w| w.states("late").1 == vec!["FAILED".to_owned()],
    );
    std::fs::create_dir_all(&missing_dir).unwrap();
    w.wait_until(
        "the task to restart by itself and deliver",
        Duration::from_secs(60),
        |_| std::fs::read_to_string(&out).unwrap_or_default() == "first\n",
    );
    assert_eq!(w.states("late").1, vec!["RUNNING".to_owned()]);
}

/// The dead-letter queue topic is created at task start as Kafka Connect creates it, with
/// `errors.deadletterqueue.topic.replication.factor` (here more replicas than the one broker
/// has, so the task fails naming the topic instead of sending records where they cannot land),
/// through an admin client that takes the connector's `admin.override.*` settings.
#[test]
fn the_dead_letter_queue_topic_is_created_with_its_replication_factor_by_the_connectors_admin_client()
 {
    let w = Worker::distributed(&[]);
    let topic = unique_name("dlq-source");
    produce(&topic, &["x"]);
    let sink = |name: &str, dlq: &str, extra: &[(&str, &str)]| {
        let mut config = json!({
            "connector.class": "FileStreamSink", "topics": topic,
            "file": w.path(&format!("{name}.txt")).display().to_string(),
            "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
            "task.restart.on.failure": "false"
        });
        for (k, v) in extra {
            config[*k] = json!(v);
        }
        create(&w, name, config);
    };
    let failed_with = |name: &str, part: &str| {
        let trace = failed_task_trace(&w, name, Duration::from_secs(90));
        assert!(trace.contains(part), "'{part}' in the trace:\n{trace}");
    };

    let created = unique_name("dlq-created");
    sink(
        "one-replica",
        &created,
        &[("errors.deadletterqueue.topic.replication.factor", "1")],
    );
    w.wait_until("the DLQ topic to exist", Duration::from_secs(60), |_| {
        topic_exists(&created)
    });
    assert_eq!(w.states("one-replica").1, vec!["RUNNING".to_owned()]);

    let too_many = unique_name("dlq-three");
    sink("three-replicas", &too_many, &[]);
    failed_with(
        "three-replicas",
        &format!("Could not initialize dead letter queue with topic={too_many}"),
    );
    assert!(
        !topic_exists(&too_many),
        "no topic with the broker's defaults instead"
    );

    sink(
        "bad-admin",
        &unique_name("dlq-admin"),
        &[
            ("errors.deadletterqueue.topic.replication.factor", "1"),
            ("admin.override.socket.timeout.ms", "not-a-number"),
        ],
    );
    failed_with("bad-admin", "cannot create the admin client");
}

fn topic_exists(topic: &str) -> bool {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    consumer
        .fetch_metadata(None, Duration::from_secs(10))
        .unwrap()
        .topics()
        .iter()
        .any(|t| t.name() == topic && t.error().is_none())
}

/// A plugin that reports an invalid record without its index fails its task: the host does not
/// guess (record 0 was the old guess), sends nothing to the dead-letter queue and commits nothing.
#[test]
fn an_invalid_record_without_its_index_fails_the_task_and_commits_nothing() {
    let mut w = Worker::distributed(&[]);
    install_library("connect_panicking_sink", &w.plugins.join("panicking"));
    w.restart();
    let topic = unique_name("unindexed");
    let dlq = unique_name("unindexed-dlq");
    produce(&topic, &["a", "b", "c"]);
    create(
        &w,
        "unindexed",
        json!({
            "connector.class": "PanickingSink", "topics": topic,
            "fail.with": "invalid-record-without-index",
            "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "task.restart.on.failure": "false"
        }),
    );
    let trace = failed_task_trace(&w, "unindexed", Duration::from_secs(60));
    assert!(trace.contains("without its index"), "{trace}");
    assert!(trace.contains("one of these records is bad"), "{trace}");
    assert_eq!(
        connect_tests::kafka::committed(&require_kafka(), "connect-unindexed", &topic, 0),
        None,
        "nothing committed"
    );
    assert!(
        !topic_exists(&dlq)
            || connect_tests::kafka::read_records(&require_kafka(), &dlq).is_empty(),
        "nothing sent to the dead-letter queue"
    );
}

/// A source partition that is not JSON could never be stored as an offset: the task fails when
/// its poll is taken in, naming the text, instead of its offsets silently missing the flush.
#[test]
fn a_source_partition_that_is_not_json_fails_the_task() {
    let mut w = Worker::distributed(&[]);
    install_library("connect_all_kinds", &w.plugins.join("all-kinds"));
    w.restart();
    create(
        &w,
        "broken-offsets",
        json!({
            "connector.class": "com.example.allkinds.CountingSource",
            "topic": unique_name("broken-offsets"),
            "broken.source.partition": "true",
            "task.restart.on.failure": "false"
        }),
    );
    let trace = failed_task_trace(&w, "broken-offsets", Duration::from_secs(60));
    assert!(
        trace.contains("source partition that is not JSON ({not json)"),
        "{trace}"
    );
}

/// `header.converter=JsonConverter` and a header that is not an envelope: under
/// `errors.tolerance=all` the record is skipped and the others written, on the Java peer and
/// here alike; without tolerance the task fails with the converter's message.
#[test]
fn a_header_the_header_converter_cannot_read_is_handled_as_on_the_java_peer() {
    let w = Worker::distributed(&[]);
    let peer = require_peer_connect();
    let http = reqwest::blocking::Client::new();
    let topic = unique_name("bad-header");
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    let envelope = r#"{"schema":{"type":"int32","optional":false},"payload":7}"#;
    for (value, header) in [("a", Some(envelope)), ("b", Some("7")), ("c", None)] {
        let mut r = BaseRecord::<(), str>::to(&topic).payload(value);
        if let Some(h) = header {
            r = r.headers(
                rdkafka::message::OwnedHeaders::new().insert(rdkafka::message::Header {
                    key: "h",
                    value: Some(h),
                }),
            );
        }
        producer.send(r).unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    let name = unique_name("headers");
    let config = |file: &str, tolerance: &str| {
        json!({
            "connector.class": "FileStreamSink", "topics": topic, "file": file,
            "header.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "errors.tolerance": tolerance, "task.restart.on.failure": "false"
        })
    };
    let ours = w.path("out.txt");
    create(&w, &name, config(&ours.display().to_string(), "all"));
    let theirs = std::env::temp_dir().join(format!("{name}.txt"));
    // Its own name: a sink's consumer group is named after its connector.
    let java_name = format!("{name}-java");
    let body = json!({"name": java_name, "config": config(&theirs.display().to_string(), "all")});
    let (code, resp) = call(
        &http,
        "POST",
        &format!("{peer}/connectors"),
        Some(&body.to_string()),
    );
    assert_eq!(code, 201, "peer: {resp}");
    let read = |f: &std::path::Path| std::fs::read_to_string(f).unwrap_or_default();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline
        && !(read(&ours).lines().count() >= 2 && read(&theirs).lines().count() >= 2)
    {
        std::thread::sleep(Duration::from_millis(300));
    }
    call(
        &http,
        "DELETE",
        &format!("{peer}/connectors/{java_name}"),
        None,
    );
    assert_eq!(
        read(&ours),
        read(&theirs),
        "ours (left) and Java's (right); ours: {}\n{}",
        w.get(&format!("/connectors/{name}/status")).1,
        w.log_tail()
    );
    assert_eq!(read(&ours), "a\nc\n");

    create(
        &w,
        "strict-headers",
        config(&w.path("strict.txt").display().to_string(), "none"),
    );
    let trace = failed_task_trace(&w, "strict-headers", Duration::from_secs(60));
    assert!(
        trace.contains("Tolerance exceeded in error handler")
            && trace.contains("HEADER_CONVERTER")
            && trace.contains("schemas.enable"),
        "{trace}"
    );
}
