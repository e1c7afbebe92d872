//! Secrets stay secret (issue 13): a worker on the broker's SASL_PLAINTEXT listener (its
//! `sasl.jaas.config` password), connectors with PASSWORD values (the Elasticsearch sink's
//! `connection.password`, the panicking fixture's `secret`) and everything made to fail: a task
//! that panics quoting its password, one that fails quoting it, one that reports records to the
//! dead-letter queue quoting it, a bad record for the Elasticsearch sink. No secret appears in
//! the worker's log, in any REST answer but `GET /connectors/{c}/config` (Kafka Connect returns
//! the stored values there too), in a dead-letter record or its `__connect.errors.*` headers, or
//! in the status topic; the validate answers show `[hidden]` (Kafka's `Password.HIDDEN`) for
//! PASSWORD keys, and traces and headers show `[hidden]` where the plugin quoted its password.

use std::time::{Duration, Instant};

use connect_tests::{
    artifacts::{install_component, install_library},
    kafka::{create_topic, produce},
    require_kafka, require_opensearch, unique_name,
    worker::Worker,
};
use rdkafka::{
    ClientConfig, Message,
    consumer::{BaseConsumer, Consumer},
    message::Headers,
};
use serde_json::{Value, json};

/// The password of the broker's SASL users (`scripts/infra.sh`).
const BROKER_PASSWORD: &str = "connect-secret";

/// Every record of `topic` as text: key, value and headers (read on the plaintext listener).
fn topic_text(topic: &str, at_least: usize) -> Vec<String> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("group.id", unique_name("secret-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut idle_since = Instant::now();
    while Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(300)) {
            Some(Ok(m)) => {
                idle_since = Instant::now();
                let mut text = format!(
                    "{} {}",
                    String::from_utf8_lossy(m.key().unwrap_or(b"")),
                    String::from_utf8_lossy(m.payload().unwrap_or(b""))
                );
                if let Some(hs) = m.headers() {
                    for h in hs.iter() {
                        text.push_str(&format!(
                            " {}={}",
                            h.key,
                            String::from_utf8_lossy(h.value.unwrap_or(b""))
                        ));
                    }
                }
                out.push(text);
            }
            Some(Err(e)) => panic!("reading {topic}: {e}"),
            None if out.len() >= at_least && idle_since.elapsed() > Duration::from_secs(2) => {
                break;
            }
            None => {}
        }
    }
    assert!(
        out.len() >= at_least,
        "{} of at least {at_least} records in {topic}",
        out.len()
    );
    out
}

fn create(w: &Worker, name: &str, config: Value) {
    let body = json!({"name": name, "config": config}).to_string();
    let (code, answer) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "{answer}\n{}", w.log_tail());
}

fn trace_of(w: &Worker, name: &str) -> String {
    w.wait_until(
        &format!("{name}'s task to fail"),
        Duration::from_secs(60),
        |w| w.states(name).1 == vec!["FAILED".to_owned()],
    );
    w.get(&format!("/connectors/{name}/tasks/0/status")).1["trace"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The value a validate answer shows for `key`.
fn validated_value(answer: &Value, key: &str) -> Value {
    answer["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"]["name"] == key)
        .unwrap_or_else(|| panic!("{key} in {answer}"))["value"]["value"]
        .clone()
}

#[test]
fn secrets_never_reach_logs_traces_rest_answers_dead_letters_or_statuses() {
    let plaintext = require_kafka();
    require_opensearch();
    let sasl =
        std::env::var("KAFKA_SASL_PLAINTEXT_BOOTSTRAP").unwrap_or_else(|_| "127.0.0.1:9096".into());
    let jaas = format!(
        r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="connect" password="{BROKER_PASSWORD}";"#
    );
    let mut w = Worker::distributed(&[
        ("bootstrap.servers", &sasl),
        ("security.protocol", "SASL_PLAINTEXT"),
        ("sasl.mechanism", "PLAIN"),
        ("sasl.jaas.config", &jaas),
    ]);
    install_library("connect_panicking_sink", &w.plugins.join("panicking"));
    install_component(
        "connect_elasticsearch_sink",
        "plugins/elasticsearch-sink",
        &w.plugins,
        "confluentinc-kafka-connect-elasticsearch",
    );
    w.restart();

    let secret = |what: &str| format!("pw-{what}-{}", unique_name("s"));
    let (s_panic, s_error, s_errant, s_es) = (
        secret("panic"),
        secret("error"),
        secret("errant"),
        secret("es"),
    );
    let topic = unique_name("secrets");
    let dlq = unique_name("secrets-dlq");
    let es_dlq = unique_name("secrets-es-dlq");
    create_topic(&plaintext, &topic, 1);
    produce(
        &plaintext,
        &topic,
        ["{\"n\":1}", "{not json", "{\"n\":2}"].map(String::from),
    );
    let leaky = |secret: &str, fail_with: &str| {
        json!({"connector.class": "PanickingSink", "topics": topic, "secret": secret,
               "panic.message": "cannot log in with {secret} at the destination",
               "fail.with": fail_with, "task.restart.on.failure": "false"})
    };
    create(&w, "leaky-panic", leaky(&s_panic, "panic"));
    create(&w, "leaky-error", leaky(&s_error, "error"));
    let mut errant = leaky(&s_errant, "errant");
    for (k, v) in [
        ("errors.tolerance", "all"),
        ("errors.log.enable", "true"),
        ("errors.log.include.messages", "true"),
        ("errors.deadletterqueue.topic.name", dlq.as_str()),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
        ("errors.deadletterqueue.context.headers.enable", "true"),
    ] {
        errant[k] = json!(v);
    }
    create(&w, "leaky-errant", errant);
    let es = json!({
        "connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
        "topics": topic, "connection.url": require_opensearch(),
        "connection.username": "elastic", "connection.password": s_es,
        "key.ignore": "true", "schema.ignore": "true",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "errors.tolerance": "all", "errors.log.enable": "true",
        "errors.deadletterqueue.topic.name": es_dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"
    });
    create(&w, "es-secret", es.clone());

    // Each failure happened, and where the plugin quoted its password the host shows [hidden].
    for name in ["leaky-panic", "leaky-error"] {
        let trace = trace_of(&w, name);
        assert!(
            trace.contains("cannot log in with [hidden] at the destination"),
            "{name}: {trace}"
        );
    }
    let dead = topic_text(&dlq, 3);
    assert_eq!(dead.len(), 3, "every record reported: {dead:#?}");
    assert!(
        dead.iter().all(|d| d.contains(
            "__connect.errors.exception.message=cannot log in with [hidden] at the destination"
        )),
        "{dead:#?}"
    );
    let es_dead = topic_text(&es_dlq, 1);
    assert_eq!(es_dead.len(), 1, "{es_dead:#?}");
    assert!(es_dead[0].contains("{not json"), "{es_dead:#?}");
    w.wait_until("the ES sink's offsets", Duration::from_secs(60), |_| {
        connect_tests::kafka::committed(&plaintext, "connect-es-secret", &topic, 0) == Some(3)
    });

    // Validate answers show [hidden], as Kafka Connect's (AbstractHerder: Password.HIDDEN).
    let mut validated = Vec::new();
    for (class, mut config, key) in [
        (
            "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            es.clone(),
            "connection.password",
        ),
        ("PanickingSink", leaky(&s_panic, "panic"), "secret"),
    ] {
        config["name"] = json!("validated");
        let (code, answer) = w.call(
            "PUT",
            &format!("/connector-plugins/{class}/config/validate"),
            Some(&config.to_string()),
        );
        assert_eq!(code, 200, "{answer}");
        assert_eq!(validated_value(&answer, key), json!("[hidden]"), "{key}");
        validated.push(answer.to_string());
    }
    // A bad value of a PASSWORD key is named without its value.
    let mut bad = es.clone();
    bad["name"] = json!("validated");
    bad["connection.password"] = json!(s_es);
    bad["connection.username"] = json!("");
    let (_, answer) = w.call(
        "PUT",
        "/connector-plugins/ElasticsearchSink/config/validate",
        Some(&bad.to_string()),
    );
    validated.push(answer.to_string());

    // Kafka Connect returns the stored configuration as it is: so does this worker.
    assert_eq!(
        w.get("/connectors/es-secret/config").1["connection.password"],
        json!(s_es)
    );

    let mut rest = validated;
    for path in [
        "/connectors?expand=status".to_owned(),
        "/connectors/leaky-panic/status".into(),
        "/connectors/leaky-error/tasks/0/status".into(),
        "/connectors/leaky-errant/status".into(),
        "/connectors/es-secret/status".into(),
        "/connector-plugins/ElasticsearchSink/config".into(),
        "/connector-plugins/PanickingSink/config".into(),
        "/admin/loggers".into(),
    ] {
        let (code, answer) = w.get(&path);
        assert_eq!(code, 200, "{path}: {answer}");
        rest.push(format!("{path}: {answer}"));
    }
    let statuses = {
        let props = std::fs::read_to_string(w.path("worker.properties")).unwrap();
        let status_topic = props
            .lines()
            .find_map(|l| l.strip_prefix("status.storage.topic="))
            .unwrap()
            .to_owned();
        topic_text(&status_topic, 1)
    };
    assert!(
        statuses.iter().any(|s| s.contains("[hidden]")),
        "the FAILED statuses carry the redacted traces: {statuses:#?}"
    );
    let log = w.log();
    for s in [
        s_panic.as_str(),
        s_error.as_str(),
        s_errant.as_str(),
        s_es.as_str(),
        BROKER_PASSWORD,
    ] {
        assert!(
            !log.contains(s),
            "{s} in the worker log:\n{}",
            log.lines()
                .filter(|l| l.contains(s))
                .collect::<Vec<_>>()
                .join("\n")
        );
        for r in &rest {
            assert!(!r.contains(s), "{s} in a REST answer: {r}");
        }
        for d in dead.iter().chain(&es_dead) {
            assert!(!d.contains(s), "{s} in a dead-letter record: {d}");
        }
        for st in &statuses {
            assert!(!st.contains(s), "{s} in the status topic: {st}");
        }
    }
}
