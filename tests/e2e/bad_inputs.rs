//! The bad-input catalogue (issue 13): every kind of bad input a user or a producer can hand the
//! worker is answered with an error that names the problem and the fix, and costs no other data.
//! Each entry is a test here, end to end through a real worker, Kafka and OpenSearch (the error
//! text asserted where the user reads it: the dead-letter queue's `__connect.errors.*` headers,
//! the task's trace, the REST answer, the worker's log; the good records around the bad ones
//! counted exactly), or points to the existing test that does exactly that:
//!
//! | Bad input | Test |
//! |---|---|
//! | malformed JSON records (file sink, `errors.tolerance=all`) | [`bad_records_go_to_the_dead_letter_queue_with_the_reason_and_the_fix`] |
//! | a schema envelope that does not match (`schemas.enable=true`: plain JSON, an extra field, a payload of the wrong type) | [`bad_records_go_to_the_dead_letter_queue_with_the_reason_and_the_fix`] |
//! | a bad record with `errors.tolerance=none` (task FAILED, the converter's message in its trace) | `error_handling::a_conversion_failure_without_tolerance_fails_the_task_with_the_converter_message` |
//! | a header the header converter cannot read | `error_handling::a_header_the_header_converter_cannot_read_is_handled_as_on_the_java_peer` |
//! | malformed JSON for the Elasticsearch sink, a document its index rejects (mapping conflict), a document too large for its index (`index.mapping.total_fields.limit`), a tombstone with `behavior.on.null.values=fail`, an invalid index name | [`bad_documents_for_elasticsearch_go_to_the_dead_letter_queue_with_the_reason_and_the_fix`] |
//! | an oversized bulk request (HTTP 413): split in two, one document alone reported as malformed | unit tests `retry::tests` (classification) and the message in `batcher.rs`; a 100 MB document (OpenSearch's `http.max_content_length`) is beyond what the test servers can carry |
//! | tombstones with `behavior.on.null.values=delete` and `ignore` | `elasticsearch-sink` `tests/opensearch.rs::tombstones_delete_documents_with_gzip_requests`; `transforms::a_filter_with_a_predicate_drops_tombstones_and_still_commits_them` |
//! | `behavior.on.malformed.documents=ignore`/`warn`, `fail` without a dead-letter queue | `elasticsearch-sink` `tests/opensearch.rs::malformed_documents_are_reported_to_the_host`; `seed_flow::malformed_documents_go_to_the_dead_letter_queue` |
//! | bad REST bodies (not JSON, wrong shapes), unknown classes (connector, converter, transformation), ill-typed connector config values | [`bad_rest_requests_are_refused_with_the_reason_and_change_nothing`]; also `rest_contract::bad_requests_get_the_contract_errors` and `rest_contract::the_same_calls_answer_the_same_on_the_java_peer` (compared with the Java peer) |
//! | a transformation class the host does not run | `transforms::a_class_the_host_does_not_run_is_refused_at_create_with_the_reason` |
//! | ill-typed and unknown worker settings | `worker_config::unknown_and_ill_typed_settings_are_refused_at_start` |
//! | garbage, truncated, incompatible (older ABI) and duplicate plugin files | [`bad_plugin_files_are_refused_with_the_reason_and_the_fix_and_the_rest_runs`]; the listing: `plugin_loading::plugins_list_shows_loaded_and_refused_with_reasons` |
//! | a plugin that needs a capability this host lacks | `abi_compat::a_newer_plugin_that_requires_a_missing_capability_is_refused_with_the_reason` |
//! | a plugin that panics | `error_handling::a_panicking_plugin_fails_its_task_and_the_worker_stays_up` and `plugin_loading::a_panic_in_put_becomes_a_panic_error_and_the_process_goes_on` |

use std::time::{Duration, Instant};

use connect_tests::{
    artifacts::{install_component, install_library},
    kafka::{committed, create_topic},
    require_kafka, require_opensearch, unique_name,
    worker::Worker,
};
use rdkafka::{
    ClientConfig, Message,
    consumer::{BaseConsumer, Consumer},
    message::Headers,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::{Value, json};

/// Produces each value (`None`: a tombstone) to partition 0 of `topic`, in order.
fn produce_values(topic: &str, values: &[Option<&str>]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("linger.ms", "5")
        .create()
        .unwrap();
    for v in values {
        let mut r = BaseRecord::<(), str>::to(topic).partition(0);
        if let Some(v) = v {
            r = r.payload(*v);
        }
        producer.send(r).map_err(|(e, _)| e).unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
}

/// One dead-letter record: its value and its headers.
struct DeadLetter {
    value: Option<String>,
    headers: Vec<(String, String)>,
}

impl DeadLetter {
    fn header(&self, key: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no header {key} in {:?}", self.headers))
    }

    /// `(original topic, original offset)`.
    fn origin(&self) -> (String, i64) {
        (
            self.header("__connect.errors.topic").to_owned(),
            self.header("__connect.errors.offset").parse().unwrap(),
        )
    }

    fn message(&self) -> &str {
        self.header("__connect.errors.exception.message")
    }
}

/// Reads `n` records of `topic` (waiting up to 60 s), then makes sure no more arrive for 3 s.
fn dead_letters(topic: &str, n: usize) -> Vec<DeadLetter> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut quiet_until = None;
    loop {
        let now = Instant::now();
        if got.len() >= n && quiet_until.is_some_and(|q| now >= q) {
            break;
        }
        assert!(
            now < deadline,
            "{} of {n} dead-letter records in {topic} after 60 s",
            got.len()
        );
        if let Some(m) = consumer.poll(Duration::from_millis(300)) {
            let m = m.unwrap();
            let headers = m
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
            got.push(DeadLetter {
                value: m.payload().map(|p| String::from_utf8_lossy(p).into_owned()),
                headers,
            });
        }
        if got.len() >= n && quiet_until.is_none() {
            quiet_until = Some(Instant::now() + Duration::from_secs(3));
        }
    }
    got.sort_by_key(DeadLetter::origin);
    got
}

fn create(w: &Worker, name: &str, config: Value) {
    let body = json!({"name": name, "config": config}).to_string();
    let (code, answer) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "{answer}\n{}", w.log_tail());
}

/// Asserts `text` contains every part, naming `what` when it does not.
fn assert_names(what: &str, text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "{what}: '{p}' missing from:\n{text}");
    }
}

#[test]
fn bad_records_go_to_the_dead_letter_queue_with_the_reason_and_the_fix() {
    let bootstrap = require_kafka();
    let w = Worker::distributed(&[]);
    let topic = unique_name("bad-records");
    let dlq = unique_name("bad-records-dlq");
    create_topic(&bootstrap, &topic, 1);
    let good = |s: &str| format!(r#"{{"schema":{{"type":"string"}},"payload":"{s}"}}"#);
    let (a, b, c, d) = (good("a"), good("b"), good("c"), good("d"));
    produce_values(
        &topic,
        &[
            Some(&a),
            Some("{broken"),     // 1: not JSON
            Some(&b),            //
            Some(r#"{"id":1}"#), // 3: no envelope
            Some(r#"{"schema":{"type":"int32"},"payload":"not a number"}"#), // 4: wrong type
            Some(&c),            //
            Some(r#"{"schema":{"type":"string"},"payload":"x","extra":1}"#), // 6: extra field
            Some(&d),
        ],
    );
    let out = w.path("out.txt");
    create(
        &w,
        "bad-records",
        json!({
            "connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string(),
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "true",
            "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true"
        }),
    );
    w.wait_until(
        "the offsets committed past every record",
        Duration::from_secs(60),
        |_| committed(&bootstrap, "connect-bad-records", &topic, 0) == Some(8),
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "a\nb\nc\nd\n",
        "every good record arrived, once, in order"
    );
    assert_eq!(
        w.states("bad-records"),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );

    let dead = dead_letters(&dlq, 4);
    assert_eq!(
        dead.iter().map(DeadLetter::origin).collect::<Vec<_>>(),
        [1, 3, 4, 6].map(|o| (topic.clone(), o)),
        "exactly the bad records are in the dead-letter queue"
    );
    assert_eq!(dead[0].value.as_deref(), Some("{broken"), "original bytes");
    for d in &dead {
        assert_eq!(d.header("__connect.errors.stage"), "VALUE_CONVERTER");
    }
    assert_names(
        "malformed JSON",
        dead[0].message(),
        &[
            "serialization error",
            "not valid JSON",
            "fix its producer",
            "StringConverter",
        ],
    );
    for (what, d) in [("no envelope", &dead[1]), ("an extra field", &dead[3])] {
        assert_names(
            what,
            d.message(),
            &[
                "requires \"schema\" and \"payload\" fields",
                "set schemas.enable=false",
            ],
        );
    }
    assert_names(
        "a payload of the wrong type",
        dead[2].message(),
        &[
            "Invalid value for INT32 field",
            "\"not a number\"",
            "fix the producer so that they agree",
        ],
    );
}

/// A worker with the Elasticsearch sink installed like confluent-hub (as the seed's compose file).
fn es_worker() -> (Worker, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let component = install_component(
        "connect_elasticsearch_sink",
        "plugins/elasticsearch-sink",
        &hub,
        "confluentinc-kafka-connect-elasticsearch",
    );
    let w = Worker::distributed(&[("plugin.path", &component.display().to_string())]);
    (w, tmp)
}

fn opensearch(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let http = reqwest::blocking::Client::new();
    let mut req = http.request(method, format!("{}{path}", require_opensearch()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn count(index: &str) -> u64 {
    opensearch(reqwest::Method::POST, &format!("/{index}/_refresh"), None);
    opensearch(reqwest::Method::GET, &format!("/{index}/_count"), None).1["count"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn bad_documents_for_elasticsearch_go_to_the_dead_letter_queue_with_the_reason_and_the_fix() {
    let bootstrap = require_kafka();
    require_opensearch();
    let (w, _plugins) = es_worker();
    let topic = unique_name("es-bad");
    let routed = unique_name("es-bad-index");
    let dlq = unique_name("es-bad-dlq");
    create_topic(&bootstrap, &topic, 1);
    create_topic(&bootstrap, &routed, 1);
    // The index exists with a mapping and a small field budget (OpenSearch's own limits).
    let (status, answer) = opensearch(
        reqwest::Method::PUT,
        &format!("/{topic}"),
        Some(json!({
            "settings": {"index.mapping.total_fields.limit": 10},
            "mappings": {"properties": {"n": {"type": "long"}}}
        })),
    );
    assert_eq!(status, 200, "{answer}");
    let wide = (0..20)
        .map(|i| format!("\"f{i}\":{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let wide = format!("{{{wide}}}");
    produce_values(
        &topic,
        &[
            Some(r#"{"n":1}"#),
            Some(r#"{"n":"not a number"}"#), // 1: mapping conflict
            Some(r#"{"n":2}"#),
            Some(&wide), // 3: more fields than the index allows
            None,        // 4: a tombstone, behavior.on.null.values=fail
            Some(r#"{"n":3}"#),
            Some("{broken"), // 6: not JSON
            Some(r#"{"n":4}"#),
        ],
    );
    // Records of the second topic are routed to a name no index can have.
    produce_values(&routed, &[Some(r#"{"n":5}"#), Some(r#"{"n":6}"#)]);
    create(
        &w,
        "es-bad",
        json!({
            "connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            "topics": format!("{topic},{routed}"),
            "connection.url": require_opensearch(),
            "key.ignore": "true", "schema.ignore": "true",
            "behavior.on.null.values": "fail",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "transforms": "route",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": routed,
            "transforms.route.replacement": "bad*index",
            "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true"
        }),
    );
    let group = "connect-es-bad";
    w.wait_until(
        "the offsets committed past every record",
        Duration::from_secs(120),
        |_| {
            committed(&bootstrap, group, &topic, 0) == Some(8)
                && committed(&bootstrap, group, &routed, 0) == Some(2)
        },
    );
    assert_eq!(count(&topic), 4, "every good document is indexed");
    let (_, docs) = opensearch(
        reqwest::Method::GET,
        &format!("/{topic}/_search?size=10&sort=n"),
        None,
    );
    let ns: Vec<i64> = docs["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_source"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(ns, [1, 2, 3, 4]);
    assert_eq!(
        w.states("es-bad"),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );

    let dead = dead_letters(&dlq, 6);
    let mut expected: Vec<(String, i64)> = [1, 3, 4, 6].map(|o| (topic.clone(), o)).into();
    expected.extend([0, 1].map(|o| (routed.clone(), o)));
    expected.sort();
    let origins: Vec<(String, i64)> = dead.iter().map(DeadLetter::origin).collect();
    assert_eq!(
        origins, expected,
        "exactly the bad records are in the dead-letter queue"
    );
    let of = |t: &str, o: i64| {
        dead.iter()
            .find(|d| d.origin() == (t.to_owned(), o))
            .unwrap()
    };
    assert_names(
        "mapping conflict",
        of(&topic, 1).message(),
        &[
            "mapper_parsing_exception",
            "Fix the record (or the index's mapping",
            "behavior.on.malformed.documents",
        ],
    );
    assert_names(
        "too many fields",
        of(&topic, 3).message(),
        &[
            "Limit of total fields [10]",
            "Fix the record (or the index's mapping and settings)",
        ],
    );
    assert_names(
        "tombstone",
        of(&topic, 4).message(),
        &[
            "null value",
            "'behavior.on.null.values' from 'FAIL' to 'IGNORE'",
        ],
    );
    assert_eq!(of(&topic, 4).value, None, "the tombstone stays one");
    let broken = of(&topic, 6);
    assert_eq!(broken.header("__connect.errors.stage"), "VALUE_CONVERTER");
    assert_names(
        "malformed JSON",
        broken.message(),
        &["not valid JSON", "fix its producer"],
    );
    for o in [0, 1] {
        let d = of(&routed, o);
        assert_eq!(d.header("__connect.errors.stage"), "TASK_PUT");
        assert_names(
            "invalid index name",
            d.message(),
            &[
                "invalid_index_name_exception",
                "'bad*index' is not a valid index name",
                "RegexRouter",
            ],
        );
    }
}

#[test]
fn bad_rest_requests_are_refused_with_the_reason_and_change_nothing() {
    let w = Worker::distributed(&[]);
    let out = w.path("keep.txt");
    let good = json!({"connector.class": "FileStreamSink", "topics": "keep", "file": out.display().to_string()});
    create(&w, "keep", good.clone());
    let refused = |method: &str, path: &str, body: &str, parts: &[&str]| {
        let (code, answer) = w.call(method, path, Some(body));
        assert_eq!(code, 400, "{method} {path} {body}: {answer}");
        assert_eq!(answer["error_code"], 400, "{answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert_names(&format!("{method} {path} {body}"), message, parts);
        eprintln!("{method} {path}: {message}");
    };
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    // Not JSON; JSON of the wrong shape.
    refused(
        "POST",
        "/connectors",
        r#"{"name": "x", "config": {"#,
        &["not valid JSON"],
    );
    refused(
        "PUT",
        "/connectors/keep/config",
        "[1, 2]",
        &[
            "Request body does not have the expected shape",
            "expected a map of config keys to string values",
        ],
    );
    // Unknown classes: the message lists what there is.
    let unknown = json!({"name": "u", "config": with("connector.class", json!("com.acme.Nope"))});
    refused(
        "POST",
        "/connectors",
        &unknown.to_string(),
        &[
            "Failed to find any class that implements Connector and which name matches com.acme.Nope",
            "available connectors are",
            "FileStreamSink",
        ],
    );
    refused(
        "PUT",
        "/connectors/keep/config",
        &with("value.converter", json!("com.acme.NoConverter")).to_string(),
        &["value.converter", "com.acme.NoConverter"],
    );
    // Ill-typed values: the key, the value and what it must be.
    refused(
        "PUT",
        "/connectors/keep/config",
        &with("tasks.max", json!("many")).to_string(),
        &[
            "Invalid value many for configuration tasks.max",
            "Not a number of type INT",
        ],
    );
    refused(
        "PUT",
        "/connectors/keep/config",
        &with("errors.tolerance", json!("some")).to_string(),
        &[
            "Invalid value some for configuration errors.tolerance",
            "none",
            "all",
        ],
    );
    // The validate endpoint answers 200 with each error on its key.
    let (code, answer) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(
            &with("tasks.max", json!("many"))
                .as_object()
                .cloned()
                .map(|mut c| {
                    c.insert("name".into(), json!("keep"));
                    Value::Object(c)
                })
                .unwrap()
                .to_string(),
        ),
    );
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["error_count"], 1, "{answer}");
    let errors: Vec<&Value> = answer["configs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["value"]["errors"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(errors.len(), 1, "{answer}");
    assert_eq!(errors[0]["value"]["name"], "tasks.max");

    // Nothing else changed: the one connector and its config are as created.
    assert_eq!(w.get("/connectors").1, json!(["keep"]));
    let (_, config) = w.get("/connectors/keep/config");
    for (k, v) in good.as_object().unwrap() {
        assert_eq!(&config[k], v, "{k} of keep: {config}");
    }
    w.wait_until("keep and its task to run", Duration::from_secs(60), |w| {
        w.states("keep") == ("RUNNING".into(), vec!["RUNNING".into()])
    });
}

#[test]
fn bad_plugin_files_are_refused_with_the_reason_and_the_fix_and_the_rest_runs() {
    let bootstrap = require_kafka();
    let w = Worker::distributed(&[]);
    // Next to the good plugins: an incompatible one, garbage and a truncated library.
    let bad = w.plugins.join("bad");
    install_library("connect_incompatible_abi", &bad);
    std::fs::write(
        bad.join("libgarbage.so"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let sink = std::fs::read(w.plugins.join("bad/libconnect_incompatible_abi.so")).unwrap();
    std::fs::write(bad.join("libtruncated.so"), &sink[..sink.len() / 3]).unwrap();
    let mut w = w;
    w.restart();
    let log = w.log();
    let line_for = |file: &str| {
        log.lines()
            .find(|l| l.contains(file) && l.contains("WARN"))
            .unwrap_or_else(|| panic!("no warning for {file} in the log:\n{log}"))
            .to_owned()
    };
    assert_names(
        "incompatible plugin",
        &line_for("libconnect_incompatible_abi.so"),
        &[
            "built against plugin-api 1.0.0, but this host speaks plugin-api 2.0.0",
            "rebuild the plugin",
        ],
    );
    for file in ["libgarbage.so", "libtruncated.so"] {
        let line = line_for(file);
        assert!(
            line.contains("not a shared library")
                || line.contains("truncated")
                || line.contains("broken ELF"),
            "{file}: {line}"
        );
        let fix = line
            .split_once(" fix=")
            .unwrap_or_else(|| panic!("{file}: the fix is named: {line}"))
            .1;
        assert!(
            fix.contains("rebuild") || fix.contains("reinstall") || fix.contains("remove"),
            "{file}: the fix is named: {line}"
        );
    }
    // The good plugins run.
    let topic = unique_name("after-bad-plugins");
    create_topic(&bootstrap, &topic, 1);
    produce_values(&topic, &[Some("one"), Some("two")]);
    let out = w.path("out.txt");
    create(
        &w,
        "after-bad-plugins",
        json!({"connector.class": "FileStreamSink", "topics": topic, "file": out.display().to_string()}),
    );
    w.wait_until("both records", Duration::from_secs(60), |_| {
        std::fs::read_to_string(&out).unwrap_or_default() == "one\ntwo\n"
    });
}
