//! `GET /metrics`: every metric Kafka Connect documents (tests/metrics/kafka-connect-metrics.txt)
//! under the name Strimzi's JMX exporter rules give it (tests/metrics/strimzi-kafka-connect-rules.yml),
//! counters that move by exactly the records of a file source → Kafka → file sink pipeline, the
//! series Kafka lacks (consumer lag, put/poll latency), and, as the oracle, the names a Java
//! Kafka Connect 4.3.1 worker exposes through the JMX exporter agent with those rules for the
//! same two connectors. Basic authentication protects the route like every other.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use connect_tests::{
    cluster::require_java_connect,
    java_standalone::JavaStandalone,
    rest_access::RestAccess,
    unique_name,
    worker::{Worker, free_port},
};

/// Lines the pipeline moves.
const LINES: usize = 500;

/// Attributes of the documented list this host does not expose, with the reason (each is named
/// in docs/operations.md).
const OMITTED: &[(&str, &str, &str)] = &[
    (
        "connector-predicate-metrics",
        "predicate-class",
        "per-predicate class strings: not exposed yet",
    ),
    (
        "connector-predicate-metrics",
        "predicate-version",
        "per-predicate version strings: not exposed yet",
    ),
    (
        "connector-transform-metrics",
        "transform-class",
        "per-transformation class strings: not exposed yet",
    ),
    (
        "connector-transform-metrics",
        "transform-version",
        "per-transformation version strings: not exposed yet",
    ),
    (
        "connector-task-metrics",
        "task-class",
        "plugin tasks have no class of their own",
    ),
    (
        "connector-task-metrics",
        "task-version",
        "plugin tasks have no class of their own",
    ),
    (
        "connector-task-metrics",
        "key-converter-class",
        "converter strings: not exposed yet",
    ),
    (
        "connector-task-metrics",
        "key-converter-version",
        "converter strings: not exposed yet",
    ),
    (
        "connector-task-metrics",
        "value-converter-class",
        "converter strings: not exposed yet",
    ),
    (
        "connector-task-metrics",
        "value-converter-version",
        "converter strings: not exposed yet",
    ),
    (
        "connector-task-metrics",
        "header-converter-class",
        "converter strings: not exposed yet",
    ),
    (
        "connector-task-metrics",
        "header-converter-version",
        "converter strings: not exposed yet",
    ),
    (
        "source-task-metrics",
        "transaction-size-avg",
        "exactly-once sources only, which this host refuses",
    ),
    (
        "source-task-metrics",
        "transaction-size-max",
        "exactly-once sources only, which this host refuses",
    ),
    (
        "source-task-metrics",
        "transaction-size-min",
        "exactly-once sources only, which this host refuses",
    ),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One sample of the text format.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a Prometheus or OpenMetrics text (comments skipped; label values unescaped).
fn parse(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name_end, mut labels) = (
            line.find(['{', ' ']).expect("a sample line has a name"),
            BTreeMap::new(),
        );
        let name = line[..name_end].to_owned();
        let mut rest = &line[name_end..];
        if let Some(body) = rest.strip_prefix('{') {
            let mut chars = body.char_indices().peekable();
            let end = loop {
                let (start, c) = chars.next().expect("labels end with }");
                if c == '}' {
                    break start + 1;
                }
                if c == ',' {
                    continue;
                }
                let eq = body[start..].find('=').unwrap() + start;
                let key = body[start..eq].to_owned();
                while chars.peek().is_some_and(|(i, _)| *i <= eq + 1) {
                    chars.next();
                }
                let mut value = String::new();
                loop {
                    let (_, c) = chars.next().expect("a closing quote");
                    match c {
                        '"' => break,
                        '\\' => match chars.next().unwrap().1 {
                            'n' => value.push('\n'),
                            other => value.push(other),
                        },
                        c => value.push(c),
                    }
                }
                labels.insert(key, value);
            };
            rest = &body[end..];
        }
        let value = rest.split_whitespace().next().expect("a value");
        let value = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|e| panic!("{line}: {e}")),
        };
        out.push(Sample {
            name,
            labels,
            value,
        });
    }
    out
}

fn scrape(http: &reqwest::blocking::Client, url: &str) -> (String, Vec<Sample>) {
    let answer = http.get(url).send().unwrap();
    assert_eq!(answer.status().as_u16(), 200, "GET {url}");
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (content_type, parse(&answer.text().unwrap()))
}

/// The Kafka list: `(group, attribute)`.
fn documented() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join("tests/metrics/kafka-connect-metrics.txt"))
        .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (g, a) = l.split_once(' ').unwrap();
            (g.to_owned(), a.to_owned())
        })
        .collect()
}

/// What Strimzi's rules make of `group`'s `attribute`: the name, the labels the series must
/// carry, and the label that holds the value of a string attribute.
fn expected(group: &str, attribute: &str) -> (String, Vec<&'static str>, Option<String>) {
    let task_group = !matches!(
        group,
        "connect-worker-metrics" | "connect-worker-rebalance-metrics" | "connector-metrics"
    );
    let prefix = match group {
        "connect-worker-metrics" => "kafka_connect_worker".to_owned(),
        "connect-worker-rebalance-metrics" => "kafka_connect_worker_rebalance".to_owned(),
        g => format!(
            "kafka_connect_{}",
            g.trim_end_matches("-metrics").replace('-', "_")
        ),
    };
    let string_attribute = match group {
        "connector-metrics" => true,
        "connect-worker-rebalance-metrics" => {
            matches!(attribute, "leader-name" | "connect-protocol")
        }
        "connector-task-metrics" => attribute == "status",
        _ => false,
    };
    // The gauge rule's unanchored `.+-count` names `…-count-avg` and `…-count-max` after
    // `…-count`, with the JMX exporter's `_objectname` label to tell them apart.
    let mut base = attribute;
    let mut labels = Vec::new();
    if task_group && (attribute.ends_with("-count-avg") || attribute.ends_with("-count-max")) {
        base = &attribute[..attribute.len() - 4];
        labels.push("_objectname");
    } else if task_group && attribute.ends_with("-active-count") {
        labels.push("_objectname");
    }
    if task_group {
        labels.extend(["connector", "task"]);
    } else if group == "connector-metrics"
        || (group == "connect-worker-metrics"
            && attribute.starts_with("connector-")
            && attribute.ends_with("-task-count"))
    {
        labels.push("connector");
    }
    let name = format!("{prefix}_{}", base.replace('-', "_"));
    (
        name,
        labels,
        string_attribute.then(|| attribute.replace('-', "_")),
    )
}

fn create(w: &Worker, name: &str, config: serde_json::Value) {
    let body = serde_json::json!({ "name": name, "config": config }).to_string();
    let (code, resp) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "create {name}: {resp}\n{}", w.log_tail());
}

fn input_file(dir: &Path) -> PathBuf {
    let input = dir.join("in.txt");
    let text: String = (0..LINES).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&input, text).unwrap();
    input
}

fn line_count(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

/// The value of the series `name` of `connector`'s task 0.
fn task_value(samples: &[Sample], name: &str, connector: &str) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && s.labels.get("connector").map(String::as_str) == Some(connector)
                && s.labels.get("task").map(String::as_str) == Some("0")
                && !s.labels.contains_key("_objectname")
        })
        .map(|s| s.value)
}

/// Scrapes until `done` holds (up to 60 s), returning the last scrape.
fn scrape_until(
    http: &reqwest::blocking::Client,
    url: &str,
    what: &str,
    mut done: impl FnMut(&[Sample]) -> bool,
) -> Vec<Sample> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, samples) = scrape(http, url);
        if done(&samples) {
            return samples;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} at {url}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Runs the file pipeline on `w` with connectors `source` and `sink`; returns when the sink
/// file has every line.
fn run_pipeline(w: &Worker, source: &str, sink: &str) {
    let topic = unique_name("metrics");
    let input = input_file(w.dir.path());
    let output = w.path("out.txt");
    create(
        w,
        source,
        serde_json::json!({"connector.class": "FileStreamSource", "topic": topic, "file": input.display().to_string()}),
    );
    create(
        w,
        sink,
        serde_json::json!({"connector.class": "FileStreamSink", "topics": topic, "file": output.display().to_string()}),
    );
    w.wait_until(
        "every line in the sink file",
        Duration::from_secs(120),
        |_| line_count(&output) >= LINES,
    );
}

fn counts_settle(samples: &[Sample], source: &str, sink: &str) -> bool {
    let exact =
        |name: &str, connector: &str| task_value(samples, name, connector) == Some(LINES as f64);
    exact("kafka_connect_source_task_source_record_poll_total", source)
        && exact(
            "kafka_connect_source_task_source_record_write_total",
            source,
        )
        && exact("kafka_connect_sink_task_sink_record_read_total", sink)
        && exact("kafka_connect_sink_task_sink_record_send_total", sink)
        && task_value(
            samples,
            "kafka_connect_sink_task_offset_commit_completion_total",
            sink,
        )
        .is_some_and(|v| v >= 1.0)
}

#[test]
fn every_documented_metric_is_served_and_counters_count_the_records() {
    let w = Worker::distributed(&[("offset.flush.interval.ms", "1000")]);
    let (source, sink) = (unique_name("src"), unique_name("sink"));
    run_pipeline(&w, &source, &sink);
    let url = format!("{}/metrics", w.url);
    let (content_type, _) = scrape(w.client(), &url);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let samples = scrape_until(
        w.client(),
        &url,
        "the counters to reach the pipeline's records and the lag to drop to 0",
        |s| {
            counts_settle(s, &source, &sink)
                && s.iter().any(|x| {
                    x.name == "connect_sink_task_consumer_lag"
                        && x.labels.get("connector") == Some(&sink)
                        && x.value == 0.0
                })
        },
    );

    // Every documented attribute for these connectors' task kinds, by its Strimzi name.
    let omitted: BTreeSet<(&str, &str)> = OMITTED.iter().map(|(g, a, _)| (*g, *a)).collect();
    let docs = std::fs::read_to_string(repo_root().join("docs/operations.md")).unwrap();
    let mut missing = Vec::new();
    for (group, attribute) in documented() {
        if omitted.contains(&(group.as_str(), attribute.as_str())) {
            assert!(
                docs.contains(&format!("`{attribute}`")),
                "{group} {attribute} is omitted but docs/operations.md does not say so"
            );
            continue;
        }
        let (name, labels, value_label) = expected(&group, &attribute);
        let connectors: Vec<&str> = match group.as_str() {
            "sink-task-metrics" => vec![&sink],
            "source-task-metrics" => vec![&source],
            "connect-worker-rebalance-metrics" => vec![""],
            "connect-worker-metrics" if !labels.contains(&"connector") => vec![""],
            _ => vec![&source, &sink],
        };
        for connector in connectors {
            let found = samples.iter().any(|s| {
                s.name == name
                    && labels.iter().all(|l| s.labels.contains_key(*l))
                    && (connector.is_empty()
                        || s.labels.get("connector").map(String::as_str) == Some(connector))
                    && value_label
                        .as_ref()
                        .is_none_or(|l| s.labels.get(l).is_some_and(|v| !v.is_empty()))
            });
            if !found {
                missing.push(format!(
                    "{group} {attribute} → {name} {labels:?} ({connector})"
                ));
            }
        }
    }
    assert!(missing.is_empty(), "not served:\n{}\n", missing.join("\n"));

    // Values that follow from the pipeline.
    let v = |name: &str, connector: &str| task_value(&samples, name, connector);
    assert_eq!(
        v("kafka_connect_sink_task_partition_count", &sink),
        Some(1.0)
    );
    assert_eq!(
        v("kafka_connect_task_error_total_record_errors", &sink),
        Some(0.0)
    );
    assert_eq!(
        v("kafka_connect_connector_task_running_ratio", &sink).map(|r| r > 0.5),
        Some(true)
    );
    let status = samples
        .iter()
        .find(|s| {
            s.name == "kafka_connect_connector_task_status"
                && s.labels.get("connector") == Some(&sink)
        })
        .unwrap();
    assert_eq!(status.labels["status"], "running");
    let worker = |name: &str| {
        samples
            .iter()
            .find(|s| s.name == name && s.labels.is_empty())
            .map(|s| s.value)
    };
    assert_eq!(worker("kafka_connect_worker_connector_count"), Some(2.0));
    assert_eq!(worker("kafka_connect_worker_task_count"), Some(2.0));
    assert_eq!(
        worker("kafka_connect_worker_task_startup_success_total"),
        Some(2.0)
    );
    assert!(worker("kafka_connect_worker_rebalance_completed_rebalances_total").unwrap() >= 1.0);
    assert_eq!(
        worker("kafka_connect_worker_rebalance_rebalancing"),
        Some(0.0)
    );
    let leader = samples
        .iter()
        .find(|s| s.name == "kafka_connect_worker_rebalance_leader_name")
        .unwrap();
    assert_eq!(
        leader.labels["leader_name"].trim_end_matches('/'),
        w.url.trim_end_matches('/'),
        "one worker: it leads"
    );

    // Beyond Kafka: latency histograms saw every put and poll, nothing was retried.
    assert!(v("connect_sink_task_put_duration_seconds_count", &sink).unwrap() >= 1.0);
    assert!(v("connect_source_task_poll_duration_seconds_count", &source).unwrap() >= 1.0);
    assert_eq!(v("connect_task_retries_total", &sink), Some(0.0));
}

#[test]
fn names_are_those_of_a_java_worker_with_the_strimzi_rules() {
    let (_, plugins) = require_java_connect();
    let agent = repo_root().join(".infra/lib/jmx-exporter/jmx_prometheus_javaagent-1.0.1.jar");
    assert!(
        agent.exists(),
        "{} is missing: run `scripts/infra.sh up --peer`, which fetches it",
        agent.display()
    );
    let rules = repo_root().join("tests/metrics/strimzi-kafka-connect-rules.yml");
    let agent_port = free_port();
    let java = JavaStandalone::start_with_jvm_options(
        &[
            ("plugin.path", &plugins.display().to_string()),
            ("offset.flush.interval.ms", "1000"),
        ],
        &RestAccess::default(),
        &[format!(
            "-javaagent:{}=127.0.0.1:{agent_port}:{}",
            agent.display(),
            rules.display()
        )],
    );
    let ours = Worker::distributed(&[("offset.flush.interval.ms", "1000")]);
    let (source, sink) = (unique_name("src"), unique_name("sink"));
    let (java_source, java_sink) = (unique_name("jsrc"), unique_name("jsink"));

    // The same pipeline on the Java worker, through its REST API.
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let topic = unique_name("metrics-java");
    let input = input_file(java.dir.path());
    let output = java.dir.path().join("out.txt");
    for (name, config) in [
        (
            &java_source,
            serde_json::json!({"connector.class": "FileStreamSource", "topic": topic, "file": input.display().to_string()}),
        ),
        (
            &java_sink,
            serde_json::json!({"connector.class": "FileStreamSink", "topics": topic, "file": output.display().to_string()}),
        ),
    ] {
        let answer = http
            .post(format!("{}/connectors", java.url))
            .json(&serde_json::json!({"name": name, "config": config}))
            .send()
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201, "{}", answer.text().unwrap());
    }
    run_pipeline(&ours, &source, &sink);
    let deadline = Instant::now() + Duration::from_secs(120);
    while line_count(&output) < LINES {
        assert!(
            Instant::now() < deadline,
            "the Java worker's sink file has {} of {LINES} lines; log:\n{}",
            line_count(&output),
            java.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let java_url = format!("http://127.0.0.1:{agent_port}/metrics");
    let java_samples = scrape_until(&http, &java_url, "the Java worker's counts", |s| {
        counts_settle(s, &java_source, &java_sink)
    });
    let our_samples = scrape_until(
        ours.client(),
        &format!("{}/metrics", ours.url),
        "our counts",
        |s| counts_settle(s, &source, &sink),
    );

    // A series' identity with the connector's name replaced by its role.
    let shape = |s: &Sample, roles: &[(&str, &str)]| -> Option<String> {
        if !s.name.starts_with("kafka_connect_") {
            return None;
        }
        let mut labels: Vec<String> = Vec::new();
        for (k, v) in &s.labels {
            let v = match k.as_str() {
                "connector" => roles.iter().find(|(n, _)| n == v)?.1.to_owned(),
                "task" => v.clone(),
                "_objectname" => v.rsplit("><>").next().unwrap_or_default().to_owned(),
                // String attributes: the label, not its value (class names, URLs, versions).
                _ => String::new(),
            };
            labels.push(format!("{k}={v}"));
        }
        Some(format!("{}{{{}}}", s.name, labels.join(",")))
    };
    let java_roles = [
        (java_source.as_str(), "source"),
        (java_sink.as_str(), "sink"),
    ];
    let our_roles = [(source.as_str(), "source"), (sink.as_str(), "sink")];
    let java_shapes: BTreeSet<String> = java_samples
        .iter()
        .filter_map(|s| shape(s, &java_roles))
        .collect();
    let our_shapes: BTreeSet<String> = our_samples
        .iter()
        .filter_map(|s| shape(s, &our_roles))
        .collect();
    assert!(
        java_shapes.len() > 50,
        "the Java worker exposed too little to compare: {java_shapes:#?}"
    );
    let missing: Vec<&String> = java_shapes.difference(&our_shapes).collect();
    assert!(
        missing.is_empty(),
        "the Java worker exposes these and we do not:\n{missing:#?}"
    );

    // Both count the same records, and their statuses read alike.
    for (name, role) in [
        ("kafka_connect_source_task_source_record_poll_total", 0),
        ("kafka_connect_source_task_source_record_write_total", 0),
        ("kafka_connect_sink_task_sink_record_read_total", 1),
        ("kafka_connect_sink_task_sink_record_send_total", 1),
    ] {
        let (j, o) = ([&java_source, &java_sink][role], [&source, &sink][role]);
        assert_eq!(
            task_value(&java_samples, name, j),
            task_value(&our_samples, name, o),
            "{name}"
        );
    }
}

#[test]
fn basic_authentication_protects_the_metrics() {
    let access = RestAccess {
        https: false,
        client_auth: false,
        user: Some(("metrics".to_owned(), "scrape-secret".to_owned())),
    };
    let w = Worker::distributed_with(&[], access);
    let url = format!("{}/metrics", w.url);
    let anonymous = reqwest::blocking::Client::new().get(&url).send().unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let (code, _) = w.get("/metrics");
    assert_eq!(code, 200, "with the user's credentials");
}

#[test]
fn the_elasticsearch_sink_reports_bulk_latency_bytes_and_item_outcomes() {
    let bootstrap = connect_tests::require_kafka();
    let opensearch = connect_tests::require_opensearch();
    let hub = tempfile::tempdir().unwrap();
    let component = connect_tests::artifacts::install_component(
        "connect_elasticsearch_sink",
        "plugins/elasticsearch-sink",
        hub.path(),
        "confluentinc-kafka-connect-elasticsearch",
    );
    let w = Worker::distributed(&[("plugin.path", &component.display().to_string())]);
    let topic = unique_name("metrics-es");
    let connector = unique_name("es");
    connect_tests::kafka::create_topic(&bootstrap, &topic, 1);
    // 20 documents, then one whose field has another type than the index's mapping says.
    let mut values: Vec<String> = (0..20).map(|i| format!(r#"{{"n":{i}}}"#)).collect();
    values.push(r#"{"n":"not a number"}"#.to_owned());
    connect_tests::kafka::produce(&bootstrap, &topic, values);
    create(
        &w,
        &connector,
        serde_json::json!({
            "connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            "topics": topic,
            "connection.url": opensearch,
            "key.ignore": "true", "schema.ignore": "true",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "behavior.on.malformed.documents": "warn",
            "errors.tolerance": "all",
            // one bulk request for the first 20, so the conflict meets a mapping
            "batch.size": "20", "linger.ms": "0"
        }),
    );
    let group = format!("connect-{connector}");
    w.wait_until(
        "the offsets committed past every record",
        Duration::from_secs(120),
        |_| connect_tests::kafka::committed(&bootstrap, &group, &topic, 0) == Some(21),
    );
    let item = |samples: &[Sample], outcome: &str| {
        samples
            .iter()
            .find(|s| {
                s.name == "elasticsearch_bulk_items_total"
                    && s.labels.get("connector") == Some(&connector)
                    && s.labels.get("outcome").map(String::as_str) == Some(outcome)
            })
            .map_or(0.0, |s| s.value)
    };
    let samples = scrape_until(
        w.client(),
        &format!("{}/metrics", w.url),
        "every document's outcome",
        |s| {
            let all: f64 = ["success", "conflict", "retriable", "malformed", "failed"]
                .iter()
                .map(|o| item(s, o))
                .sum();
            all >= 21.0
        },
    );
    let es_series: Vec<String> = samples
        .iter()
        .filter(|s| s.name.starts_with("elasticsearch_"))
        .map(|s| format!("{} {:?} {}", s.name, s.labels, s.value))
        .collect();
    let context = format!("{es_series:#?}\nworker log:\n{}", w.log_tail());
    assert_eq!(item(&samples, "success"), 20.0, "{context}");
    assert_eq!(
        item(&samples, "malformed") + item(&samples, "failed"),
        1.0,
        "the document the mapping refuses; {context}"
    );
    let series = |name: &str| {
        samples
            .iter()
            .find(|s| s.name == name && s.labels.get("connector") == Some(&connector))
            .map(|s| s.value)
    };
    assert!(series("elasticsearch_bulk_request_duration_seconds_count").unwrap() >= 1.0);
    assert!(
        series("elasticsearch_bulk_request_bytes_total").unwrap() > 21.0 * 8.0,
        "at least the documents' bytes"
    );
    let ok = samples
        .iter()
        .find(|s| {
            s.name == "elasticsearch_bulk_requests_total"
                && s.labels.get("connector") == Some(&connector)
                && s.labels.get("result").map(String::as_str) == Some("ok")
        })
        .map(|s| s.value);
    assert!(ok.unwrap() >= 1.0);
    assert_eq!(
        task_value(
            &samples,
            "kafka_connect_sink_task_sink_record_read_total",
            &connector
        ),
        Some(21.0)
    );
}
