//! Transformations in our worker's pipelines on the real servers: the seed's connector with a
//! `RegexRouter` writes to the renamed index end to end; `Filter` with a predicate drops records
//! that are still committed; a source's records are routed before they reach Kafka; and a class
//! the host does not run is refused at create, never skipped.

use std::time::Duration;

use connect_tests::{
    kafka::{committed, create_topic, produce},
    require_kafka, require_opensearch, unique_name,
    worker::Worker,
};
use rdkafka::{
    ClientConfig,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::{Value, json};

use crate::seed_flow::{count, seed_connector, seed_worker};

fn create(w: &Worker, name: &str, config: Value) -> (u16, Value) {
    let body = json!({ "name": name, "config": config }).to_string();
    w.call("POST", "/connectors", Some(&body))
}

#[test]
fn the_seed_connector_with_a_regex_router_writes_to_the_renamed_index() {
    require_opensearch();
    let w = seed_worker();
    let topic = unique_name("coupang");
    let index = topic.replacen("coupang", "products", 1);
    let values: Vec<String> = (0..500)
        .map(|i| {
            json!({"productId": i, "name": format!("상품 {i}"), "price": 1000 + i}).to_string()
        })
        .collect();
    produce(&require_kafka(), &topic, values);
    let mut body: Value = serde_json::from_str(&seed_connector("routed", &topic)).unwrap();
    let config = body["config"].as_object_mut().unwrap();
    config.insert("transforms".into(), json!("route"));
    config.insert(
        "transforms.route.type".into(),
        json!("org.apache.kafka.connect.transforms.RegexRouter"),
    );
    config.insert("transforms.route.regex".into(), json!("coupang(.*)"));
    config.insert("transforms.route.replacement".into(), json!("products$1"));
    let (code, info) = w.call("POST", "/connectors", Some(&body.to_string()));
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
    w.wait_until(
        "500 documents in the renamed index",
        Duration::from_secs(120),
        |_| count(&index) == 500,
    );
    assert_eq!(
        count(&topic),
        0,
        "nothing in the index named after the topic"
    );
    let os = require_opensearch();
    let doc: Value = reqwest::blocking::get(format!("{os}/{index}/_doc/{index}+0+7"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(doc["_source"]["productId"], 7, "{doc}");
    // Offsets are committed for the topic the records were consumed from.
    w.wait_until(
        "the consumed offsets committed",
        Duration::from_secs(60),
        |_| committed(&require_kafka(), "connect-routed", &topic, 0) == Some(500),
    );
    assert_eq!(
        w.states("routed"),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );
}

#[test]
fn a_filter_with_a_predicate_drops_tombstones_and_still_commits_them() {
    let w = Worker::distributed(&[]);
    let topic = unique_name("filtered");
    create_topic(&require_kafka(), &topic, 1);
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .create()
        .unwrap();
    for i in 0..10 {
        let v = format!("line {i}");
        let mut rec = BaseRecord::<str, str>::to(&topic).key("k");
        if i % 3 != 0 {
            rec = rec.payload(&v);
        }
        producer.send(rec).unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    let output = w.path("out.txt");
    let (code, info) = create(
        &w,
        "filtered",
        json!({
            "connector.class": "FileStreamSink",
            "topics": topic,
            "file": output.display().to_string(),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "transforms": "dropTombstones",
            "transforms.dropTombstones.type": "Filter",
            "transforms.dropTombstones.predicate": "isTombstone",
            "predicates": "isTombstone",
            "predicates.isTombstone.type": "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"
        }),
    );
    assert_eq!(code, 201, "{info}");
    w.wait_until(
        "offsets committed past every record",
        Duration::from_secs(60),
        |_| committed(&require_kafka(), "connect-filtered", &topic, 0) == Some(10),
    );
    let text = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        ["line 1", "line 2", "line 4", "line 5", "line 7", "line 8"],
        "the tombstones (records 0, 3, 6, 9) were dropped"
    );
}

#[test]
fn a_source_routes_its_records_before_they_reach_kafka() {
    let w = Worker::distributed(&[]);
    let topic = unique_name("raw-lines");
    let routed = topic.replacen("raw-", "clean-", 1);
    let input = w.path("in.txt");
    std::fs::write(&input, "a\nb\nc\n").unwrap();
    let output = w.path("out.txt");
    let (code, info) = create(
        &w,
        "source",
        json!({
            "connector.class": "FileStreamSource",
            "topic": topic,
            "file": input.display().to_string(),
            "transforms": "route",
            "transforms.route.type": "RegexRouter",
            "transforms.route.regex": "raw-(.*)",
            "transforms.route.replacement": "clean-$1"
        }),
    );
    assert_eq!(code, 201, "{info}");
    let (code, info) = create(
        &w,
        "sink",
        json!({"connector.class": "FileStreamSink", "topics": routed, "file": output.display().to_string()}),
    );
    assert_eq!(code, 201, "{info}");
    w.wait_until(
        "the routed lines in the sink file",
        Duration::from_secs(60),
        |_| std::fs::read_to_string(&output).unwrap_or_default() == "a\nb\nc\n",
    );
}

#[test]
fn a_class_the_host_does_not_run_is_refused_at_create_with_the_reason() {
    let w = Worker::distributed(&[]);
    let base = json!({
        "connector.class": "FileStreamSink",
        "topics": unique_name("refused"),
        "file": w.path("out.txt").display().to_string(),
        "transforms": "t",
    });
    // (Plugin classes run: tests/e2e/plugin_transforms.rs.)
    for (class, expected) in [
        (
            "com.example.NoSuchTransform",
            "Class com.example.NoSuchTransform could not be found.",
        ),
        ("TopicNameMatches", "is a predicate, not a transformation"),
    ] {
        let mut config = base.clone();
        config["transforms.t.type"] = json!(class);
        let (code, info) = create(&w, "refused", config.clone());
        assert_eq!(code, 400, "{info}");
        let message = info["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{message}");
        let (code, validated) = w.call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            Some(&config.to_string()),
        );
        assert_eq!(code, 200);
        assert!(
            validated["error_count"].as_u64().unwrap() >= 1,
            "{validated}"
        );
    }
    // A bad setting of a class the host runs: Kafka's message on the prefixed key.
    let mut config = base.clone();
    config["transforms.t.type"] = json!("RegexRouter");
    config["transforms.t.regex"] = json!("x");
    let (_, validated) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(&config.to_string()),
    );
    let replacement = validated["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["definition"]["name"] == "transforms.t.replacement")
        .unwrap_or_else(|| panic!("no transforms.t.replacement in {validated}"));
    assert_eq!(
        replacement["value"]["errors"],
        json!([
            "Missing required configuration \"transforms.t.replacement\" which has no default value."
        ])
    );
    assert_eq!(replacement["definition"]["group"], "Transforms: t");
    // Kafka's classes are listed and described.
    let plugins = w.get("/connector-plugins?connectorsOnly=false").1;
    assert!(
        plugins.as_array().unwrap().iter().any(|p| p["class"]
            == "org.apache.kafka.connect.transforms.RegexRouter"
            && p["type"] == "transformation"),
        "{plugins}"
    );
    let (code, keys) = w.get("/connector-plugins/RegexRouter/config");
    assert_eq!(code, 200, "{keys}");
    assert_eq!(keys[0]["name"], "regex");
}
