//! The sink task driven in-process against the real OpenSearch node of `scripts/infra.sh up`
//! (`OPENSEARCH_URL`, default `http://127.0.0.1:9200`). A missing node fails the tests.

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use connect_elasticsearch_sink::{ElasticsearchSinkConnector, ElasticsearchSinkTask};
use connect_plugin_api::abi::error::ErrorKind;
use connect_plugin_api::batch::Data;
use connect_plugin_api::prelude::*;
use serde_json::json;
use support::*;

fn start(cfg: &ConfigMap, rec: &Recorder) -> ElasticsearchSinkTask {
    // The task configuration as the SDK glue hands it over (defaults filled in).
    let config = connect_plugin_api::sdk::export::parse_task::<
        connect_elasticsearch_sink::ElasticsearchSinkConnector,
    >(cfg.clone())
    .expect("task config");
    ElasticsearchSinkTask::start(config, rec.context()).expect("task start")
}

fn docs(n: i64) -> Vec<String> {
    (0..n)
        .map(|i| format!(r#"{{"n":{i},"msg":"doc {i}"}}"#))
        .collect()
}

#[test]
fn ids_are_topic_partition_offset_and_replays_do_not_duplicate() {
    let url = opensearch();
    with_deadline("ids_and_replay", 90, move || {
        let http = Http::new(&url);
        let topic = unique("Es-Ids");
        let index = topic.to_lowercase();
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("type.name", "kafka-connect"),
        ]);
        let values = docs(50);
        let records: Vec<Rec<'_>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as i64, Data::NULL, Data::json(v)))
            .collect();
        let b = batch(&topic, 0, &records);
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();

        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        // The same records again (a retried put): skipped, nothing doubles.
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 50)], deadline);
        task.stop().unwrap();
        assert_eq!(http.count(&index), 50);
        let doc = http
            .doc(&index, &format!("{topic}+0+7"))
            .expect("doc topic+0+7");
        assert_eq!(doc, json!({"n":7,"msg":"doc 7"}));

        // A restarted task gets the same records again (offsets not yet committed): same ids.
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 50)], deadline);
        task.stop().unwrap();
        assert_eq!(
            http.count(&index),
            50,
            "a replay must not duplicate documents"
        );
        assert!(host.reports().is_empty());
        http.delete(&index);
    });
}

#[test]
fn key_ids_use_external_versions_and_replays_are_no_ops() {
    let url = opensearch();
    with_deadline("key_ids", 90, move || {
        let http = Http::new(&url);
        let topic = unique("es-keys");
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("schema.ignore", "true"),
        ]);
        let keys: Vec<String> = (0..10).map(|i| format!("\"k{}\"", i % 5)).collect();
        let values: Vec<String> = (0..10).map(|i| format!(r#"{{"v":{i}}}"#)).collect();
        let records: Vec<Rec<'_>> = (0..10)
            .map(|i| rec(i as i64, Data::json(&keys[i]), Data::json(&values[i])))
            .collect();
        let b = batch(&topic, 0, &records);
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        for _ in 0..2 {
            let mut task = start(&cfg, &host);
            put_like_host(&mut task, &b, deadline);
            commit_until(&mut task, &[tpo(&topic, 0, 10)], deadline);
            task.stop().unwrap();
        }
        assert_eq!(http.count(&topic), 5);
        // The later offset wins, and the replay (lower or equal versions) changed nothing.
        assert_eq!(http.doc(&topic, "k3"), Some(json!({"v":8})));
        let (_, v) = http.call("GET", &format!("/{topic}/_doc/k3"), None);
        assert_eq!(v["_version"], json!(8), "external version = offset");
        http.delete(&topic);
    });
}

#[test]
fn throttled_node_never_fails_the_task_and_loses_nothing() {
    let url = opensearch();
    with_deadline("throttled", 120, move || {
        let http = Http::new(&url);
        let proxy = Proxy::start(&url);
        let topic = unique("es-throttle");
        let cfg = config(&[
            ("connection.url", &proxy.url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("max.retries", "1"),
            ("retry.backoff.ms", "20"),
            ("max.in.flight.requests", "1"),
            ("batch.size", "100"),
            ("max.buffered.records", "1000"),
        ]);
        let values = docs(40);
        let records: Vec<Rec<'_>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as i64, Data::NULL, Data::json(v)))
            .collect();
        let b = batch(&topic, 0, &records);
        let deadline = Instant::now() + Duration::from_secs(90);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        // Index creation goes through before the throttling starts.
        proxy
            .control
            .reject_bulks
            .store(4, std::sync::atomic::Ordering::SeqCst);
        proxy
            .control
            .reject_half_items
            .store(1, std::sync::atomic::Ordering::SeqCst);
        let mut retriable = put_like_host(&mut task, &b, deadline);
        retriable += commit_until(&mut task, &[tpo(&topic, 0, 40)], deadline);
        task.stop().unwrap();
        assert!(
            retriable > 0,
            "past max.retries the task must push back with RETRIABLE"
        );
        assert_eq!(http.count(&topic), 40, "no record lost");
        let bulks: Vec<usize> = proxy
            .seen()
            .iter()
            .filter(|s| s.path.starts_with("/_bulk"))
            .map(|s| s.actions)
            .collect();
        // 4 × HTTP 429 (whole batch), then half the items rejected, then only those are re-sent.
        assert_eq!(
            bulks,
            vec![40, 40, 40, 40, 40, 20],
            "bulk requests seen: {bulks:?}"
        );
        http.delete(&topic);
    });
}

/// The host's stop path while the node rejects every bulk: final `pre_commit`, `close`, `stop`,
/// and then one more `pre_commit` (a host whose consumer revokes on drop). The last one must not
/// report the partition: its buffered records were never indexed.
#[test]
fn pre_commit_after_close_never_commits_unindexed_records() {
    let url = opensearch();
    with_deadline("pre_commit_after_close", 90, move || {
        let http = Http::new(&url);
        let proxy = Proxy::start(&url);
        let topic = unique("es-closed");
        let cfg = config(&[
            ("connection.url", &proxy.url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("retry.backoff.ms", "20"),
            ("batch.size", "10"),
        ]);
        let values = docs(40);
        let records: Vec<Rec<'_>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as i64, Data::NULL, Data::json(v)))
            .collect();
        let (first, second) = (
            batch(&topic, 0, &records[..20]),
            batch(&topic, 0, &records[20..]),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &first, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 20)], deadline);
        // The node goes away: every bulk is refused from now on.
        proxy
            .control
            .reject_bulks
            .store(usize::MAX / 2, std::sync::atomic::Ordering::SeqCst);
        put_like_host(&mut task, &second, deadline);
        std::thread::sleep(Duration::from_millis(300));
        let delivered = [tpo(&topic, 0, 40)];
        assert_eq!(
            task.pre_commit(&delivered).unwrap(),
            vec![tpo(&topic, 0, 20)],
            "the final commit stops at what was indexed"
        );
        task.close(&[TopicPartition::new(topic.as_str(), 0)])
            .unwrap();
        task.stop().unwrap();
        assert_eq!(
            task.pre_commit(&delivered).unwrap(),
            vec![],
            "a closed partition is not committed: 20 records were never indexed"
        );
        assert_eq!(http.count(&topic), 20);
        proxy
            .control
            .reject_bulks
            .store(0, std::sync::atomic::Ordering::SeqCst);
        http.delete(&topic);
    });
}

#[test]
fn tombstones_delete_documents_with_gzip_requests() {
    let url = opensearch();
    with_deadline("tombstones", 90, move || {
        let http = Http::new(&url);
        let topic = unique("es-tomb");
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("schema.ignore", "true"),
            ("behavior.on.null.values", "delete"),
            ("connection.compression", "true"),
        ]);
        let keys: Vec<String> = (1..=5).map(|i| format!("k{i}")).collect();
        let mut records: Vec<Rec<'_>> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| rec(i as i64, Data::string(k), Data::json(r#"{"alive":true}"#)))
            .collect();
        records.push(rec(5, Data::string("k2"), Data::NULL));
        records.push(rec(6, Data::string("k4"), Data::NULL));
        records.push(rec(7, Data::string("missing"), Data::NULL));
        let b = batch(&topic, 0, &records);
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 8)], deadline);
        task.stop().unwrap();
        assert_eq!(http.count(&topic), 3);
        assert!(http.doc(&topic, "k2").is_none() && http.doc(&topic, "k4").is_none());
        assert!(http.doc(&topic, "k1").is_some());
        http.delete(&topic);
    });
}

#[test]
fn upserts_merge_documents() {
    let url = opensearch();
    with_deadline("upserts", 90, move || {
        let http = Http::new(&url);
        let topic = unique("es-upsert");
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("schema.ignore", "true"),
            ("write.method", "upsert"),
        ]);
        let b = batch(
            &topic,
            0,
            &[
                rec(0, Data::string("u1"), Data::json(r#"{"a":1}"#)),
                rec(1, Data::string("u1"), Data::json(r#"{"b":2}"#)),
                rec(2, Data::string("u2"), Data::json(r#"{"c":3}"#)),
            ],
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 3)], deadline);
        let b2 = batch(
            &topic,
            0,
            &[rec(3, Data::string("u1"), Data::json(r#"{"a":10}"#))],
        );
        put_like_host(&mut task, &b2, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 4)], deadline);
        task.stop().unwrap();
        assert_eq!(http.doc(&topic, "u1"), Some(json!({"a":10,"b":2})));
        assert_eq!(http.doc(&topic, "u2"), Some(json!({"c":3})));
        http.delete(&topic);
    });
}

#[test]
fn basic_auth_header_is_sent() {
    let url = opensearch();
    with_deadline("basic_auth", 90, move || {
        let http = Http::new(&url);
        let proxy = Proxy::start(&url);
        let topic = unique("es-auth");
        let cfg = config(&[
            ("connection.url", &proxy.url),
            ("connection.username", "elastic"),
            ("connection.password", "s3cr:et"),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
        ]);
        let b = batch(&topic, 0, &[rec(0, Data::NULL, Data::json(r#"{"x":1}"#))]);
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 1)], deadline);
        task.stop().unwrap();
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("elastic:s3cr:et")
        );
        let seen = proxy.seen();
        assert!(seen.iter().any(|s| s.path.starts_with("/_bulk")));
        for s in &seen {
            assert_eq!(s.authorization.as_deref(), Some(expected.as_str()), "{s:?}");
        }
        assert_eq!(http.count(&topic), 1);
        http.delete(&topic);
    });
}

#[test]
fn forward_proxy_with_basic_auth_is_used() {
    let url = opensearch();
    with_deadline("forward_proxy", 90, move || {
        let http = Http::new(&url);
        let proxy = Proxy::start(&url);
        let port = proxy.url.rsplit(':').next().unwrap().to_owned();
        let topic = unique("es-fwd-proxy");
        // connection.url names the node; the proxy forwards every request to the test node.
        let cfg = config(&[
            ("connection.url", "http://es-behind-proxy.invalid:9200"),
            ("proxy.host", "127.0.0.1"),
            ("proxy.port", &port),
            ("proxy.username", "pu"),
            ("proxy.password", "pp"),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
        ]);
        let b = batch(&topic, 0, &[rec(0, Data::NULL, Data::json(r#"{"x":1}"#))]);
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 1)], deadline);
        task.stop().unwrap();
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("pu:pp")
        );
        let seen = proxy.seen();
        assert!(
            seen.iter().any(|s| s.path.starts_with("/_bulk")),
            "{seen:?}"
        );
        for s in &seen {
            assert!(s.absolute_form, "{s:?}");
            assert_eq!(
                s.proxy_authorization.as_deref(),
                Some(expected.as_str()),
                "{s:?}"
            );
        }
        assert_eq!(http.count(&topic), 1);
        http.delete(&topic);
    });
}

#[test]
fn malformed_documents_are_reported_to_the_host() {
    let url = opensearch();
    with_deadline("malformed", 90, move || {
        let http = Http::new(&url);
        let topic = unique("es-malformed");
        let (status, v) = http.call(
            "PUT",
            &format!("/{topic}"),
            Some(json!({"mappings":{"properties":{"n":{"type":"long"}}}})),
        );
        assert_eq!(status, 200, "{v}");
        let b = batch(
            &topic,
            0,
            &[
                rec(0, Data::NULL, Data::json(r#"{"n":1}"#)),
                rec(1, Data::NULL, Data::json(r#"{"n":"not a number"}"#)),
                rec(2, Data::NULL, Data::json(r#"{"n":3}"#)),
            ],
        );
        let deadline = Instant::now() + Duration::from_secs(60);

        // With a dead-letter queue: reported, handled, offsets move past it.
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("errors.tolerance", "all"),
            ("errors.deadletterqueue.topic.name", "dlq"),
        ]);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 3)], deadline);
        task.stop().unwrap();
        let reports = host.reports();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert_eq!(
            (
                reports[0].topic.as_str(),
                reports[0].partition,
                reports[0].offset
            ),
            (topic.as_str(), 0, 1)
        );
        assert!(
            reports[0].message.contains("mapper_parsing_exception"),
            "{}",
            reports[0].message
        );
        assert_eq!(http.count(&topic), 2);

        // A plain-text value is refused before sending: INVALID_RECORD with its index.
        let mut task = start(&cfg, &host);
        let b2 = batch(
            &topic,
            1,
            &[
                rec(0, Data::NULL, Data::json(r#"{"n":5}"#)),
                rec(1, Data::NULL, Data::string("hello")),
            ],
        );
        let e = task.put(&b2).unwrap_err();
        assert_eq!(
            (e.kind, e.record),
            (ErrorKind::INVALID_RECORD, Some(1)),
            "{}",
            e.message
        );
        assert!(e.message.contains("StringConverter"), "{}", e.message);
        task.stop().unwrap();

        // Without a dead-letter queue and `fail`: the task fails with a clear message.
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
        ]);
        let mut task = start(&cfg, &host);
        let b3 = batch(
            &topic,
            2,
            &[rec(0, Data::NULL, Data::json(r#"{"n":"bad"}"#))],
        );
        task.put(&b3).unwrap();
        let failed = loop {
            assert!(
                Instant::now() < deadline,
                "the malformed document never failed the task"
            );
            match task.pre_commit(&[tpo(&topic, 2, 1)]) {
                Err(e) => break e,
                Ok(o) => assert!(o.is_empty() || o == vec![tpo(&topic, 2, 0)], "{o:?}"),
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(failed.kind, ErrorKind::FATAL);
        assert!(
            failed.message.contains("behavior.on.malformed.documents"),
            "{}",
            failed.message
        );
        task.stop().unwrap();

        // `ignore`: skipped, offsets move on, nothing reported.
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("behavior.on.malformed.documents", "ignore"),
        ]);
        let host2 = Recorder::default();
        let mut task = start(&cfg, &host2);
        let b4 = batch(
            &topic,
            3,
            &[
                rec(0, Data::NULL, Data::json(r#"{"n":"bad"}"#)),
                rec(1, Data::NULL, Data::json(r#"{"n":7}"#)),
            ],
        );
        put_like_host(&mut task, &b4, deadline);
        commit_until(&mut task, &[tpo(&topic, 3, 2)], deadline);
        task.stop().unwrap();
        assert!(host2.reports().is_empty());
        http.delete(&topic);
    });
}

#[test]
fn schemas_create_mappings_and_schemaless_values_are_refused() {
    let url = opensearch();
    with_deadline("schemas", 90, move || {
        let http = Http::new(&url);
        let topic = unique("es-schema");
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("key.ignore", "true"),
        ]);
        let schema = r#"{"type":"struct","fields":[{"field":"id","type":"int64","optional":false},{"field":"name","type":"string","optional":true},{"field":"ts","type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp"}],"optional":false}"#;
        let b = batch(
            &topic,
            0,
            &[rec(
                0,
                Data::NULL,
                Data::json(r#"{"id":1,"name":"a","ts":1700000000000}"#).with_schema(schema),
            )],
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 1)], deadline);
        let (_, m) = http.call("GET", &format!("/{topic}/_mapping"), None);
        let props = &m[&topic]["mappings"]["properties"];
        assert_eq!(props["id"]["type"], json!("long"), "{m}");
        assert_eq!(
            props["name"]["fields"]["keyword"]["type"],
            json!("keyword"),
            "{m}"
        );
        assert_eq!(props["ts"]["type"], json!("date"), "{m}");
        assert_eq!(http.count(&topic), 1);

        // Schemaless JSON for a new index without schema.ignore: refused with the reason.
        let other = unique("es-schemaless");
        let b = batch(&other, 0, &[rec(0, Data::NULL, Data::json(r#"{"id":1}"#))]);
        let e = task.put(&b).unwrap_err();
        assert_eq!((e.kind, e.record), (ErrorKind::INVALID_RECORD, Some(0)));
        assert!(
            e.message.contains("Cannot infer mapping without schema")
                && e.message.contains("schema.ignore"),
            "{}",
            e.message
        );
        task.stop().unwrap();
        http.delete(&topic);
        http.delete(&other);
    });
}

#[test]
fn data_streams_are_created_and_written() {
    let url = opensearch();
    with_deadline("data_streams", 90, move || {
        let http = Http::new(&url);
        let topic = unique("es-ds");
        let cfg = config(&[
            ("connection.url", &url),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("data.stream.type", "LOGS"),
            ("data.stream.dataset", "connectit"),
        ]);
        let values = docs(5);
        let records: Vec<Rec<'_>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as i64, Data::NULL, Data::json(v)))
            .collect();
        let b = batch(&topic, 0, &records);
        let deadline = Instant::now() + Duration::from_secs(60);
        let host = Recorder::default();
        let mut task = start(&cfg, &host);
        put_like_host(&mut task, &b, deadline);
        // A replay: `create` of existing ids answers 409, which counts as done.
        let mut again = start(&cfg, &host);
        put_like_host(&mut again, &b, deadline);
        commit_until(&mut task, &[tpo(&topic, 0, 5)], deadline);
        commit_until(&mut again, &[tpo(&topic, 0, 5)], deadline);
        task.stop().unwrap();
        again.stop().unwrap();
        let ds = format!("logs-connectit-{topic}");
        let (status, v) = http.call("GET", &format!("/_data_stream/{ds}"), None);
        assert_eq!(status, 200, "{v}");
        assert_eq!(http.count(&ds), 5);
        http.call("DELETE", &format!("/_data_stream/{ds}"), None);
        http.call("DELETE", &format!("/_index_template/connect-{ds}"), None);
    });
}

#[test]
fn plugin_factory_validates_and_runs_the_seed_config() {
    use abi_stable::std_types::RSlice;
    use connect_plugin_api::batch::config_entries;
    use connect_plugin_api::sdk::export::sink_factory;

    let url = opensearch();
    with_deadline("factory", 90, move || {
        let http = Http::new(&url);
        let topic = unique("coupang");
        // The seed's `POST /connectors` config, pointed at the test node.
        let cfg = config(&[
            ("name", "elasticsearch-sink"),
            (
                "connector.class",
                "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            ),
            ("tasks.max", "1"),
            ("topics", &topic),
            ("key.ignore", "true"),
            ("schema.ignore", "true"),
            ("connection.url", &url),
            ("type.name", "kafka-connect"),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("value.converter.schemas.enable", "false"),
            (
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("key.converter.schemas.enable", "false"),
        ]);
        let factory = sink_factory::<ElasticsearchSinkConnector>();
        let info = factory.info();
        assert_eq!(
            info.class.as_str(),
            "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector"
        );
        assert_eq!(info.version.as_str(), "15.1.3-rs");
        let entries = config_entries(cfg.iter());
        let reports = factory.validate(RSlice::from_slice(&entries)).unwrap();
        let errors: Vec<String> = reports
            .iter()
            .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");

        let mut bad = cfg.clone();
        bad.insert("connection.url".into(), "http://127.0.0.1:1".into());
        let entries_bad = config_entries(bad.iter());
        let reports = factory.validate(RSlice::from_slice(&entries_bad)).unwrap();
        let url_errors: Vec<String> = reports
            .iter()
            .filter(|r| r.name.as_str() == "connection.url")
            .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
            .collect();
        assert!(
            url_errors
                .iter()
                .any(|e| e.starts_with("Could not connect to Elasticsearch.")),
            "{url_errors:?}"
        );

        let host = Recorder::default();
        let mut task = factory
            .start_sink_task(RSlice::from_slice(&entries), host.abi())
            .unwrap();
        let values = docs(3);
        let records: Vec<Rec<'_>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as i64, Data::NULL, Data::json(v)))
            .collect();
        let b = batch(&topic, 0, &records);
        task.put(&b).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = task
                .pre_commit(RSlice::from_slice(&[tpo(&topic, 0, 3)]))
                .unwrap();
            if got.as_slice() == [tpo(&topic, 0, 3)] {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "offsets never committed: {got:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        task.stop().unwrap();
        assert_eq!(http.count(&topic), 3);
        http.delete(&topic);
    });
}
