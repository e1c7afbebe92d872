//! Transformations and predicates from `plugin.path` in real pipelines (the all-kinds fixture's
//! `UpperCase`, `ValueIsNull` and `Troublemaker`), mixed with Kafka's built-ins in one chain:
//! a sink chain and a source chain give the expected records; a record a plugin stage refuses
//! follows `errors.tolerance` and reaches the dead-letter queue with its original bytes while
//! the others are delivered; a retriable failure is retried for `errors.retry.timeout` (and
//! fails the task at once without it); a fatal error or a panic fails the task while the worker
//! goes on; a bad plugin setting is refused at create with the plugin's message.

use std::time::Duration;

use connect_tests::{
    artifacts::install_library,
    kafka::{committed, create_topic, read_records},
    require_kafka, unique_name,
    worker::Worker,
};
use rdkafka::{
    ClientConfig, Message,
    consumer::{BaseConsumer, Consumer},
    message::Headers,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::{Value, json};

/// A worker with the all-kinds fixture on its `plugin.path`.
fn worker() -> Worker {
    let mut w = Worker::distributed(&[]);
    install_library("connect_all_kinds", &w.plugins.join("all-kinds"));
    w.restart();
    w
}

/// Produces `values` (`None`: a tombstone) to `topic`.
fn produce(topic: &str, values: &[Option<&str>]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    for v in values {
        let mut r = BaseRecord::<(), str>::to(topic);
        if let Some(v) = v {
            r = r.payload(*v);
        }
        producer.send(r).unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
}

fn create(w: &Worker, name: &str, config: Value) -> (u16, Value) {
    w.call(
        "POST",
        "/connectors",
        Some(&json!({"name": name, "config": config}).to_string()),
    )
}

fn create_ok(w: &Worker, name: &str, config: Value) {
    let (code, info) = create(w, name, config);
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
}

fn file_sink(w: &Worker, topic: &str, out: &str, extra: Value) -> Value {
    let mut config = json!({
        "connector.class": "FileStreamSink",
        "topics": topic,
        "file": w.path(out).display().to_string(),
        "task.restart.on.failure": "false",
    });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

fn lines(w: &Worker, out: &str) -> String {
    std::fs::read_to_string(w.path(out)).unwrap_or_default()
}

fn failed_trace(w: &Worker, name: &str) -> String {
    w.wait_until(
        &format!("{name}'s task to fail"),
        Duration::from_secs(60),
        |w| w.states(name).1 == vec!["FAILED".to_owned()],
    );
    w.get(&format!("/connectors/{name}/status")).1["tasks"][0]["trace"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn plugin_and_builtin_stages_run_in_one_sink_chain_and_dropped_records_are_committed() {
    let w = worker();
    let topic = unique_name("plugin-chain");
    produce(
        &topic,
        &[Some("a"), Some("b"), None, Some("keep me"), Some("c")],
    );
    // Built-in Filter gated by the plugin predicate drops the tombstone; the plugin upper-cases
    // every value but the one the built-in predicate (negated) spares.
    create_ok(
        &w,
        "chain",
        file_sink(
            &w,
            &topic,
            "chain.txt",
            json!({
                "transforms": "nulls,upper",
                "transforms.nulls.type": "Filter",
                "transforms.nulls.predicate": "isnull",
                "transforms.upper.type": "com.example.allkinds.UpperCase",
                "transforms.upper.drop.nulls": "false",
                "transforms.upper.predicate": "spared",
                "transforms.upper.negate": "true",
                "predicates": "isnull,spared",
                "predicates.isnull.type": "com.example.allkinds.ValueIsNull",
                "predicates.spared.type": "HasHeaderKey",
                "predicates.spared.name": "spare",
            }),
        ),
    );
    w.wait_until("4 lines", Duration::from_secs(60), |w| {
        lines(w, "chain.txt").lines().count() >= 4
    });
    assert_eq!(lines(&w, "chain.txt"), "A\nB\nKEEP ME\nC\n");
    w.wait_until(
        "every offset committed, the dropped record's too",
        Duration::from_secs(60),
        |_| committed(&require_kafka(), "connect-chain", &topic, 0) == Some(5),
    );
    assert_eq!(w.states("chain").1, vec!["RUNNING".to_owned()]);
}

#[test]
fn a_source_chain_runs_a_plugin_stage_before_a_builtin_router() {
    let w = worker();
    let input = w.path("in.txt");
    std::fs::write(&input, "one\ntwo\nthree\n").unwrap();
    let topic = unique_name("raw-plugin");
    let routed = topic.replacen("raw-", "clean-", 1);
    create_topic(&require_kafka(), &routed, 1);
    create_ok(
        &w,
        "source",
        json!({
            "connector.class": "FileStreamSource",
            "topic": topic,
            "file": input.display().to_string(),
            "transforms": "upper,route",
            "transforms.upper.type": "com.example.allkinds.UpperCase",
            "transforms.route.type": "RegexRouter",
            "transforms.route.regex": "raw-(.*)",
            "transforms.route.replacement": "clean-$1",
        }),
    );
    let mut got = Vec::new();
    w.wait_until(
        "3 records in the routed topic",
        Duration::from_secs(60),
        |_| {
            got = read_records(&require_kafka(), &routed);
            got.len() >= 3
        },
    );
    let values: Vec<String> = got
        .iter()
        .map(|(_, v)| String::from_utf8_lossy(v.as_deref().unwrap_or_default()).into_owned())
        .collect();
    assert_eq!(values, ["ONE", "TWO", "THREE"]);
}

#[test]
fn a_record_a_plugin_stage_refuses_goes_to_the_dead_letter_queue_and_the_rest_are_delivered() {
    let w = worker();
    let topic = unique_name("refused-by-plugin");
    let dlq = unique_name("plugin-dlq");
    produce(
        &topic,
        &[Some("a"), Some("bad"), Some("b"), Some("bad"), Some("c")],
    );
    create_ok(
        &w,
        "tolerant",
        file_sink(
            &w,
            &topic,
            "tolerant.txt",
            json!({
                "transforms": "trouble",
                "transforms.trouble.type": "com.example.allkinds.Troublemaker",
                "transforms.trouble.invalid.value": "bad",
                "errors.tolerance": "all",
                "errors.deadletterqueue.topic.name": dlq,
                "errors.deadletterqueue.topic.replication.factor": "1",
                "errors.deadletterqueue.context.headers.enable": "true",
            }),
        ),
    );
    w.wait_until("3 lines", Duration::from_secs(60), |w| {
        lines(w, "tolerant.txt").lines().count() >= 3
    });
    assert_eq!(lines(&w, "tolerant.txt"), "a\nb\nc\n");
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("group.id", unique_name("plugin-dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&dlq]).unwrap();
    let mut got: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while got.len() < 2 && std::time::Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            let headers = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| {
                            let v = String::from_utf8_lossy(h.value.unwrap_or(b"")).into_owned();
                            (h.key.to_owned(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let value = String::from_utf8_lossy(m.payload().unwrap_or(b"")).into_owned();
            got.push((value, headers));
        }
    }
    let values: Vec<&str> = got.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(
        values,
        ["bad", "bad"],
        "the refused records' original bytes"
    );
    let header = |k: &str| {
        got[0]
            .1
            .iter()
            .find(|(hk, _)| hk == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("__connect.errors.stage").as_deref(),
        Some("TRANSFORMATION")
    );
    assert_eq!(header("__connect.errors.offset").as_deref(), Some("1"));
    let message = header("__connect.errors.exception.message").unwrap_or_default();
    assert!(
        message.contains("com.example.allkinds.Troublemaker")
            && message.contains("value bad is refused by invalid.value"),
        "{message}"
    );
    w.wait_until("every offset committed", Duration::from_secs(60), |_| {
        committed(&require_kafka(), "connect-tolerant", &topic, 0) == Some(5)
    });
}

#[test]
fn retriable_failures_are_retried_for_errors_retry_timeout_and_fail_at_once_without_it() {
    let w = worker();
    let topic = unique_name("busy-plugin");
    produce(&topic, &[Some("x"), Some("y")]);
    let trouble = |extra: Value| {
        let mut c = json!({
            "transforms": "trouble",
            "transforms.trouble.type": "com.example.allkinds.Troublemaker",
            "transforms.trouble.retriable.calls": "3",
        });
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    create_ok(
        &w,
        "patient",
        file_sink(
            &w,
            &topic,
            "patient.txt",
            trouble(json!({"errors.retry.timeout": "30000", "errors.retry.delay.max.ms": "1000"})),
        ),
    );
    create_ok(
        &w,
        "impatient",
        file_sink(&w, &topic, "impatient.txt", trouble(json!({}))),
    );
    w.wait_until(
        "both lines after the retries",
        Duration::from_secs(60),
        |w| lines(w, "patient.txt") == "x\ny\n",
    );
    assert_eq!(w.states("patient").1, vec!["RUNNING".to_owned()]);
    let trace = failed_trace(&w, "impatient");
    assert!(
        trace.contains("Tolerance exceeded in error handler")
            && trace.contains("retries exhausted (errors.retry.timeout)")
            && trace.contains("busy (2 more retriable calls)"),
        "{trace}"
    );
    assert_eq!(lines(&w, "impatient.txt"), "");
}

#[test]
fn a_fatal_error_or_a_panic_in_a_plugin_stage_fails_the_task_and_the_worker_goes_on() {
    let w = worker();
    let topic = unique_name("broken-plugin");
    produce(&topic, &[Some("ok"), Some("boom"), Some("panic")]);
    for (name, key) in [("fatal", "fatal.value"), ("panicky", "panic.value")] {
        let value = if name == "fatal" { "boom" } else { "panic" };
        create_ok(
            &w,
            name,
            file_sink(
                &w,
                &topic,
                &format!("{name}.txt"),
                json!({
                    "transforms": "trouble",
                    "transforms.trouble.type": "com.example.allkinds.Troublemaker",
                    format!("transforms.trouble.{key}"): value,
                    // Not a record's fault: tolerance does not apply.
                    "errors.tolerance": "all",
                }),
            ),
        );
    }
    let trace = failed_trace(&w, "fatal");
    assert!(
        trace.contains("transformation 'trouble' (com.example.allkinds.Troublemaker) cannot go on")
            && trace.contains("value boom breaks the transformation (fatal.value)"),
        "{trace}"
    );
    let trace = failed_trace(&w, "panicky");
    assert!(
        trace.contains("cannot go on") && trace.contains("panic"),
        "{trace}"
    );
    // Nothing was committed past what was delivered, and the worker serves on.
    assert_eq!(
        committed(&require_kafka(), "connect-fatal", &topic, 0),
        None
    );
    assert_eq!(w.get("/").0, 200);
    let other = unique_name("after-panic");
    produce(&other, &[Some("still here")]);
    create_ok(
        &w,
        "after",
        file_sink(
            &w,
            &other,
            "after.txt",
            json!({"transforms": "upper", "transforms.upper.type": "com.example.allkinds.UpperCase"}),
        ),
    );
    w.wait_until("the next connector's line", Duration::from_secs(60), |w| {
        lines(w, "after.txt") == "STILL HERE\n"
    });
}

#[test]
fn plugin_classes_are_validated_with_their_own_keys_and_messages() {
    let w = worker();
    let base = file_sink(
        &w,
        &unique_name("validated"),
        "v.txt",
        json!({"transforms": "t"}),
    );
    let mut config = base.clone();
    config["transforms.t.type"] = json!("com.example.allkinds.Troublemaker");
    config["transforms.t.retriable.calls"] = json!("many");
    let (code, info) = create(&w, "bad-setting", config.clone());
    assert_eq!(code, 400, "{info}");
    let message = info["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Invalid value many for configuration transforms.t.retriable.calls"),
        "{message}"
    );
    let (code, validated) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(&config.to_string()),
    );
    assert_eq!(code, 200);
    let key = validated["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["definition"]["name"] == "transforms.t.retriable.calls")
        .unwrap_or_else(|| panic!("no transforms.t.retriable.calls in {validated}"));
    assert_eq!(key["definition"]["group"], "Transforms: t");
    assert_eq!(key["definition"]["default_value"], "0");
    assert!(
        !key["value"]["errors"].as_array().unwrap().is_empty(),
        "{key}"
    );

    let mut config = base.clone();
    config["transforms.t.type"] = json!("com.example.allkinds.ValueIsNull");
    let (code, info) = create(&w, "wrong-kind", config);
    assert_eq!(code, 400, "{info}");
    let message = info["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(
            "Class com.example.allkinds.ValueIsNull is a predicate, not a transformation"
        ),
        "{message}"
    );
}
