//! Transformation chains through both workers: the same lines, the same FileStreamSource config
//! and the same chain of built-in transformations go through the Java Kafka Connect 4.3.1 peer
//! and through our worker, and the records both write to Kafka (with schemas, JsonConverter
//! envelopes) are compared byte for byte: topic (after routing), key, value and headers.
//! Timestamps are not compared: a file source's records have none, so each producer stamps its
//! own send time. The SMT oracle table (`tests/smt-oracle`) covers every class and option record
//! by record; this shows the chains inside the two pipelines agree, and that `header.converter`
//! (JsonConverter, StringConverter) writes the same header bytes.

use std::time::{Duration, Instant};

use connect_tests::{
    require_kafka, require_peer_connect, unique_name,
    worker::{Worker, call},
};
use rdkafka::{
    ClientConfig, Message, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    message::Headers,
};
use serde_json::{Value, json};

/// One record as written: key, value, headers (name, value), all as text.
type Written = (
    Option<String>,
    Option<String>,
    Vec<(String, Option<String>)>,
);

/// Every record of `topic` (one partition), waiting up to a minute for `expected` of them.
fn written(topic: &str, expected: usize) -> Vec<Written> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", require_kafka())
        .set("group.id", unique_name("compare"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = Vec::new();
    let text = |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
    while Instant::now() < deadline && out.len() < expected {
        let Ok((_, high)) = consumer.fetch_watermarks(topic, 0, Duration::from_secs(5)) else {
            std::thread::sleep(Duration::from_millis(300));
            continue;
        };
        if (high as usize) < expected {
            std::thread::sleep(Duration::from_millis(300));
            continue;
        }
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, 0, Offset::Beginning)
            .unwrap();
        consumer.assign(&tpl).unwrap();
        while out.len() < high as usize && Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
                let headers = m
                    .headers()
                    .map(|hs| {
                        hs.iter()
                            .map(|h| (h.key.to_owned(), text(h.value)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push((text(m.key()), text(m.payload()), headers));
            }
        }
    }
    out
}

/// The connector config of one side: `topic`, the shared input `file`, JSON with schemas for
/// keys and values, and `chain`.
fn source_config(topic: &str, file: &str, chain: &Value) -> Value {
    let mut config = json!({
        "connector.class": "FileStreamSource",
        "topic": topic,
        "file": file,
        "tasks.max": "1",
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "key.converter.schemas.enable": "true",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "true",
    });
    for (k, v) in chain.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

#[test]
fn the_same_chains_write_the_same_records_on_both_workers() {
    let peer = require_peer_connect();
    let http = reqwest::blocking::Client::new();
    let ours = Worker::distributed(&[]);
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "structs",
            "a\nb b\nünï ✓\nx:y\n",
            json!({
                "transforms": "hoist,insert,meta,hdr,copy,mask,rename,tokey,extract",
                "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.hoist.field": "line",
                "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
                "transforms.insert.static.field": "source",
                "transforms.insert.static.value": "file-lines",
                "transforms.meta.type": "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
                "transforms.meta.schema.name": "com.example.Line",
                "transforms.meta.schema.version": "3",
                "transforms.hdr.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.hdr.header": "origin",
                "transforms.hdr.value.literal": "e2e",
                "transforms.copy.type": "org.apache.kafka.connect.transforms.HeaderFrom$Value",
                "transforms.copy.fields": "line",
                "transforms.copy.headers": "copied",
                "transforms.copy.operation": "copy",
                "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
                "transforms.mask.fields": "source",
                "transforms.mask.replacement": "***",
                "transforms.rename.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
                "transforms.rename.renames": "line:text",
                "transforms.tokey.type": "org.apache.kafka.connect.transforms.ValueToKey",
                "transforms.tokey.fields": "text",
                "transforms.extract.type": "org.apache.kafka.connect.transforms.ExtractField$Key",
                "transforms.extract.field": "text",
            }),
        ),
        (
            "numbers",
            "1\n42\n-7\n",
            json!({
                "transforms": "cast,inner,outer,flat,a,b,drop",
                "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
                "transforms.cast.spec": "int32",
                "transforms.inner.type": "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.inner.field": "n",
                "transforms.outer.type": "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.outer.field": "outer",
                "transforms.flat.type": "org.apache.kafka.connect.transforms.Flatten$Value",
                "transforms.flat.delimiter": "_",
                "transforms.a.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.a.header": "a",
                "transforms.a.value.literal": "1",
                "transforms.b.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.b.header": "b",
                "transforms.b.value.literal": "[1,2]",
                "transforms.drop.type": "org.apache.kafka.connect.transforms.DropHeaders",
                "transforms.drop.headers": "a",
            }),
        ),
        (
            // header.converter: the headers in Kafka are JsonConverter envelopes on both.
            "json-headers",
            "a\nb b\n",
            json!({
                "header.converter": "org.apache.kafka.connect.json.JsonConverter",
                "transforms": "hoist,lit,list,copy",
                "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.hoist.field": "line",
                "transforms.lit.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.lit.header": "origin",
                "transforms.lit.value.literal": "e2e",
                "transforms.list.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.list.header": "list",
                "transforms.list.value.literal": "[1,2]",
                "transforms.copy.type": "org.apache.kafka.connect.transforms.HeaderFrom$Value",
                "transforms.copy.fields": "line",
                "transforms.copy.headers": "copied",
                "transforms.copy.operation": "copy",
            }),
        ),
        (
            // StringConverter writes Java's toString of a Connect value.
            "string-values",
            "a\nb b\n",
            json!({
                "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                "transforms": "hoist,insert",
                "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.hoist.field": "line",
                "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
                "transforms.insert.static.field": "n",
                "transforms.insert.static.value": "1.5",
            }),
        ),
        (
            "string-headers",
            "x\n",
            json!({
                "header.converter": "StringConverter",
                "transforms": "n,d",
                "transforms.n.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.n.header": "n",
                "transforms.n.value.literal": "42",
                "transforms.d.type": "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.d.header": "d",
                "transforms.d.value.literal": "2019-08-23",
            }),
        ),
        (
            "routed",
            "r1\nr2\n",
            json!({
                "transforms": "route,keep",
                "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
                "transforms.route.regex": "(.*)-src-(ours|java)",
                "transforms.route.replacement": "$1-routed-$2",
                "transforms.keep.type": "org.apache.kafka.connect.transforms.Filter",
                "transforms.keep.predicate": "routed",
                "transforms.keep.negate": "true",
                "predicates": "routed",
                "predicates.routed.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
                "predicates.routed.pattern": ".*-routed-.*",
            }),
        ),
    ];
    let mut names = Vec::new();
    for (case, lines, chain) in &cases {
        let base = unique_name(case);
        let input = std::env::temp_dir().join(format!("{base}.txt"));
        std::fs::write(&input, lines).unwrap();
        let file = input.display().to_string();
        let (ours_topic, java_topic, expected) = if *case == "routed" {
            (
                format!("{base}-src-ours"),
                format!("{base}-src-java"),
                lines.lines().count(),
            )
        } else {
            (
                format!("{base}-ours"),
                format!("{base}-java"),
                lines.lines().count(),
            )
        };
        let body = json!({"name": base, "config": source_config(&ours_topic, &file, chain)});
        let (code, info) = ours.call("POST", "/connectors", Some(&body.to_string()));
        assert_eq!(code, 201, "{case}: ours {info}");
        let body = json!({"name": base, "config": source_config(&java_topic, &file, chain)});
        let (code, info) = call(
            &http,
            "POST",
            &format!("{peer}/connectors"),
            Some(&body.to_string()),
        );
        assert_eq!(code, 201, "{case}: Java {info}");
        names.push(base.clone());

        let (ours_out, java_out) = if *case == "routed" {
            (format!("{base}-routed-ours"), format!("{base}-routed-java"))
        } else {
            (ours_topic, java_topic)
        };
        let theirs = written(&java_out, expected);
        assert_eq!(
            theirs.len(),
            expected,
            "{case}: the Java worker wrote {theirs:?}"
        );
        let mine = written(&ours_out, expected);
        assert_eq!(
            mine, theirs,
            "{case}: ours (left) and Java's (right) records differ"
        );
    }
    for name in names {
        call(&http, "DELETE", &format!("{peer}/connectors/{name}"), None);
    }
}
