//! The seed's flow through our worker: the Elasticsearch sink installed like confluent-hub into
//! its own directory, the seed's connector JSON (verbatim but for `connection.url`), JSON product
//! records in `coupang`-like topics, and the documents found in the real OpenSearch node — also
//! across a `kill -9` of the worker mid-stream (replays overwrite by id: no duplicate, none missing).

use std::time::Duration;

use connect_tests::{
    artifacts::install_component, require_kafka, require_opensearch, rest_access::RestAccess,
    unique_name, worker::Worker,
};
use rdkafka::{
    ClientConfig,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::{Value, json};

pub(crate) fn produce_products(topic: &str, from: u32, to: u32) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("linger.ms", "5")
        .create()
        .unwrap();
    for i in from..to {
        let v = json!({"productId": i, "name": format!("상품 {i}"), "price": 1000 + i * 10, "rocketDelivery": i % 2 == 0}).to_string();
        loop {
            match producer.send(BaseRecord::<(), str>::to(topic).payload(&v)) {
                Ok(()) => break,
                Err(_) => {
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(60)).unwrap();
}

/// Refreshes the index and counts its documents (0 when it does not exist).
pub(crate) fn count(index: &str) -> u64 {
    let os = require_opensearch();
    let http = reqwest::blocking::Client::new();
    let _ = http.post(format!("{os}/{index}/_refresh")).send();
    http.get(format!("{os}/{index}/_count"))
        .send()
        .ok()
        .and_then(|r| r.json::<Value>().ok())
        .and_then(|v| v["count"].as_u64())
        .unwrap_or(0)
}

/// The seed's `curl -X POST /connectors` body, with a topic of this test and the local node.
pub(crate) fn seed_connector(name: &str, topic: &str) -> String {
    json!({
        "name": name,
        "config": {
            "connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            "tasks.max": "1",
            "topics": topic,
            "key.ignore": "true",
            "schema.ignore": "true",
            "connection.url": require_opensearch(),
            "type.name": "kafka-connect",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "false"
        }
    })
    .to_string()
}

/// A worker configured like the seed's compose file: JsonConverter, and a plugin.path listing the
/// shared directory and the mounted Elasticsearch component.
pub(crate) fn seed_worker() -> Worker {
    seed_worker_with(&[])
}

/// [`seed_worker`] with `extra` settings on top (e.g. a secured listener).
pub(crate) fn seed_worker_with(extra: &[(&str, &str)]) -> Worker {
    seed_worker_secured(extra, RestAccess::default())
}

/// [`seed_worker_with`] with its REST API protected by `access`.
pub(crate) fn seed_worker_secured(extra: &[(&str, &str)], access: RestAccess) -> Worker {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("confluent-hub/plugins");
    let component = install_component(
        "connect_elasticsearch_sink",
        "plugins/elasticsearch-sink",
        &hub,
        "confluentinc-kafka-connect-elasticsearch",
    );
    let plugin_path = format!("{},{}", hub.display(), component.display());
    let mut settings = vec![
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("plugin.path", plugin_path.as_str()),
    ];
    settings.extend_from_slice(extra);
    let w = Worker::distributed_with(&settings, access);
    std::mem::forget(tmp); // the worker reads the plugin directory for its whole life
    w
}

#[test]
fn the_seed_connector_json_moves_product_records_into_opensearch() {
    require_opensearch();
    let w = seed_worker();
    let classes = w.get("/connector-plugins").1;
    assert!(
        classes
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["class"] == "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector"),
        "{classes}"
    );
    let topic = unique_name("coupang");
    produce_products(&topic, 0, 1_000);
    let (code, info) = w.call(
        "POST",
        "/connectors",
        Some(&seed_connector("elasticsearch-sink", &topic)),
    );
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
    w.wait_until(
        "1,000 documents in OpenSearch",
        Duration::from_secs(120),
        |_| count(&topic) == 1_000,
    );
    assert_eq!(
        w.states("elasticsearch-sink"),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );
    let os = require_opensearch();
    let doc: Value = reqwest::blocking::get(format!("{os}/{topic}/_doc/{topic}+0+7"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        doc["_source"]["productId"], 7,
        "document id is topic+partition+offset: {doc}"
    );
    assert_eq!(doc["_source"]["name"], "상품 7");
}

#[test]
fn kill_9_mid_stream_leaves_no_duplicate_and_no_missing_document() {
    require_opensearch();
    let mut w = seed_worker();
    let topic = unique_name("coupang-kill");
    produce_products(&topic, 0, 20_000);
    assert_eq!(
        w.call("POST", "/connectors", Some(&seed_connector("es", &topic)))
            .0,
        201
    );
    w.wait_until("some documents", Duration::from_secs(120), |_| {
        count(&topic) > 0
    });
    w.kill9();
    produce_products(&topic, 20_000, 30_000);
    w.start();
    w.wait_until("30,000 documents", Duration::from_secs(180), |_| {
        count(&topic) >= 30_000
    });
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        count(&topic),
        30_000,
        "replayed records overwrite their documents; none is missing"
    );
}

#[test]
fn a_throttled_node_slows_the_sink_but_never_fails_it_or_loses_a_record() {
    let os = require_opensearch();
    let proxy = connect_tests::throttle::start(&os, 8);
    let w = seed_worker();
    let topic = unique_name("coupang-429");
    produce_products(&topic, 0, 5_000);
    let mut body: Value = serde_json::from_str(&seed_connector("es", &topic)).unwrap();
    body["config"]["connection.url"] = json!(proxy.url);
    body["config"]["max.retries"] = json!("1");
    body["config"]["retry.backoff.ms"] = json!("50");
    assert_eq!(
        w.call("POST", "/connectors", Some(&body.to_string())).0,
        201
    );
    w.wait_until(
        "5,000 documents through a throttling node",
        Duration::from_secs(180),
        |_| count(&topic) == 5_000,
    );
    assert!(
        proxy.rejected.load(std::sync::atomic::Ordering::SeqCst) >= 8,
        "the proxy did throttle"
    );
    assert_eq!(
        w.states("es"),
        ("RUNNING".into(), vec!["RUNNING".into()]),
        "429s never fail the task"
    );
}

#[test]
fn malformed_documents_go_to_the_dead_letter_queue() {
    use rdkafka::{
        Message,
        consumer::{BaseConsumer, Consumer},
    };
    require_opensearch();
    let w = seed_worker();
    let topic = unique_name("coupang-bad");
    let dlq = unique_name("coupang-dlq");
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    for v in [
        r#"{"price":100}"#,
        r#"{"price":"not a number"}"#,
        r#"{"price":300}"#,
    ] {
        producer
            .send(BaseRecord::<(), str>::to(&topic).payload(v))
            .unwrap();
        producer.flush(Duration::from_secs(30)).unwrap(); // in order, one by one: the first fixes the mapping
    }
    let mut body: Value = serde_json::from_str(&seed_connector("es-dlq", &topic)).unwrap();
    for (k, v) in [
        ("behavior.on.malformed.documents", "warn"),
        ("errors.tolerance", "all"),
        ("errors.deadletterqueue.topic.name", dlq.as_str()),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
        ("batch.size", "1"),
        // One request at a time: the first document must fix the mapping before the others.
        ("max.in.flight.requests", "1"),
    ] {
        body["config"][k] = json!(v);
    }
    assert_eq!(
        w.call("POST", "/connectors", Some(&body.to_string())).0,
        201
    );
    w.wait_until("the two good documents", Duration::from_secs(120), |_| {
        count(&topic) == 2
    });
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&dlq]).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut got = None;
    while got.is_none() && std::time::Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            got = Some(String::from_utf8_lossy(m.payload().unwrap_or(b"")).into_owned());
        }
    }
    assert_eq!(
        got.as_deref(),
        Some(r#"{"price":"not a number"}"#),
        "the malformed record's original bytes are in the DLQ"
    );
    assert_eq!(w.states("es-dlq").1, vec!["RUNNING".to_owned()]);
}
