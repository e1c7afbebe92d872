//! Every plugin kind through the host's own loading and calling code, in-process and without
//! Kafka: the `all-kinds` fixture library is loaded by `PluginRegistry`, each non-connector class
//! is created through its factory and called on a real batch, and the sink's metrics go through
//! the real `HostTaskContext` into `PluginMetrics`.

use std::{process::Command, sync::Arc, sync::atomic::AtomicI32};

use abi_stable::std_types::{RSlice, RString, RVec};
use connect_host::{
    plugins::{PluginFactory, PluginRegistry},
    runtime::{
        host_context::HostTaskContext,
        plugin_metrics::{PluginMetrics, SeriesValue},
        status::TargetState,
        task_control::TaskControl,
    },
    storage::memory::{MemoryOffsetStore, MemoryStatusStore},
};
use connect_plugin_api::{
    abi::{
        convert::ConvertedColumn,
        error::{ErrorKind, PluginError},
        plugin::PluginKind,
        transform::TransformedBatch,
        types::{ConfigEntry, DataMeta, TimestampType},
    },
    batch::{Data, RecordPosition, config_entries},
    prelude::{ConfigMap, DataKind, RecordBatch, TopicPartition, TopicPartitionOffset},
    sdk::testing::noop_task_context,
};
use connect_tests::artifacts::{connect_binary, install_library};

const VERSION: &str = "0.3.0";

fn registry() -> (tempfile::TempDir, PluginRegistry) {
    let dir = tempfile::tempdir().unwrap();
    install_library("connect_all_kinds", dir.path());
    let registry = PluginRegistry::load(&[dir.path().to_path_buf()]);
    assert!(
        registry.refused().is_empty(),
        "refused: {:?}",
        registry.refused()
    );
    (dir, registry)
}

fn config(pairs: &[(&str, &str)]) -> RVec<ConfigEntry> {
    let map: ConfigMap = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    config_entries(&map)
}

/// Records of topic `t`, partition 0: string values, `None` = null; header `h` = `hv<i>`.
fn batch(values: &[Option<&str>]) -> RecordBatch {
    let mut b = RecordBatch::new();
    for (i, v) in values.iter().enumerate() {
        let header = format!("hv{i}");
        b.push(
            RecordPosition {
                topic: "t",
                partition: 0,
                offset: i as i64,
                timestamp: Some((1000 + i as i64, TimestampType::CREATE_TIME)),
            },
            Data::bytes(format!("k{i}").as_bytes()),
            v.map_or(Data::NULL, Data::string),
            &[("h", Data::bytes(header.as_bytes()))],
        )
        .unwrap();
    }
    b
}

/// The error of a call expected to fail.
fn refused<T>(r: abi_stable::std_types::RResult<T, PluginError>) -> PluginError {
    match r.into_result() {
        Ok(_) => panic!("the call succeeded; an error was expected"),
        Err(e) => e,
    }
}

fn column(c: &ConvertedColumn) -> Vec<(DataKind, String)> {
    c.data
        .iter()
        .map(|d: &DataMeta| {
            let bytes = &c.arena[d.span.start as usize..(d.span.start + d.span.len) as usize];
            (d.kind, String::from_utf8_lossy(bytes).into_owned())
        })
        .collect()
}

fn other<'a>(r: &'a PluginRegistry, kind: PluginKind, class: &str) -> &'a PluginFactory {
    let p = r
        .other(kind, class)
        .unwrap_or_else(|| panic!("{class} is not listed as {}", kind.name()));
    assert_eq!(p.info.kind, kind);
    assert_eq!(p.info.version.as_str(), VERSION);
    &p.factory
}

#[test]
fn every_class_is_listed_with_its_kind_and_version() {
    let (_dir, r) = registry();
    // Connectors are listed sorted by class.
    let connectors: Vec<(String, &str, String)> = r
        .connectors()
        .iter()
        .map(|c| {
            (
                c.class().to_owned(),
                c.type_name(),
                c.info.version.to_string(),
            )
        })
        .collect();
    assert_eq!(
        connectors,
        [
            (
                "com.example.allkinds.CountingSource".into(),
                "source",
                VERSION.into()
            ),
            (
                "com.example.allkinds.MetricsSink".into(),
                "sink",
                VERSION.into()
            ),
        ]
    );
    let mut others: Vec<(String, PluginKind, String)> = r
        .others()
        .iter()
        .map(|p| {
            (
                p.info.class.to_string(),
                p.info.kind,
                p.info.version.to_string(),
            )
        })
        .collect();
    others.sort_by(|a, b| a.0.cmp(&b.0));
    let v = || VERSION.to_string();
    assert_eq!(
        others,
        [
            (
                "com.example.allkinds.KeyValueFileProvider".into(),
                PluginKind::CONFIG_PROVIDER,
                v()
            ),
            (
                "com.example.allkinds.StringHeaderConverter".into(),
                PluginKind::HEADER_CONVERTER,
                v()
            ),
            (
                "com.example.allkinds.Troublemaker".into(),
                PluginKind::TRANSFORMATION,
                v()
            ),
            (
                "com.example.allkinds.UpperCase".into(),
                PluginKind::TRANSFORMATION,
                v()
            ),
            (
                "com.example.allkinds.UpperCaseConverter".into(),
                PluginKind::CONVERTER,
                v()
            ),
            (
                "com.example.allkinds.ValueIsNull".into(),
                PluginKind::PREDICATE,
                v()
            ),
        ]
    );
    // Each class exposes its keys.
    for (class, kind, keys) in [
        (
            "com.example.allkinds.UpperCase",
            PluginKind::TRANSFORMATION,
            &["drop.nulls"][..],
        ),
        (
            "com.example.allkinds.ValueIsNull",
            PluginKind::PREDICATE,
            &["negate"][..],
        ),
        (
            "com.example.allkinds.UpperCaseConverter",
            PluginKind::CONVERTER,
            &["uppercase"][..],
        ),
        (
            "com.example.allkinds.StringHeaderConverter",
            PluginKind::HEADER_CONVERTER,
            &["charset"][..],
        ),
        (
            "com.example.allkinds.KeyValueFileProvider",
            PluginKind::CONFIG_PROVIDER,
            &["file", "ttl.ms"][..],
        ),
    ] {
        let def = other(&r, kind, class).config_def();
        assert_eq!(
            def.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
            keys,
            "{class}"
        );
    }
}

#[test]
fn plugins_list_json_shows_the_non_connector_classes() {
    let dir = tempfile::tempdir().unwrap();
    install_library("connect_all_kinds", dir.path());
    let out = Command::new(connect_binary())
        .args(["plugins", "list", "--json", "--plugin-path"])
        .arg(dir.path())
        .env("CONNECT_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let loaded = listing["loaded"].as_array().unwrap();
    let kind_of = |class: &str| {
        loaded
            .iter()
            .find(|c| c["class"] == class)
            .unwrap_or_else(|| panic!("{class} missing from {listing:#}"))["type"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (class, kind) in [
        ("com.example.allkinds.MetricsSink", PluginKind::SINK),
        ("com.example.allkinds.CountingSource", PluginKind::SOURCE),
        ("com.example.allkinds.UpperCase", PluginKind::TRANSFORMATION),
        (
            "com.example.allkinds.Troublemaker",
            PluginKind::TRANSFORMATION,
        ),
        ("com.example.allkinds.ValueIsNull", PluginKind::PREDICATE),
        (
            "com.example.allkinds.UpperCaseConverter",
            PluginKind::CONVERTER,
        ),
        (
            "com.example.allkinds.StringHeaderConverter",
            PluginKind::HEADER_CONVERTER,
        ),
        (
            "com.example.allkinds.KeyValueFileProvider",
            PluginKind::CONFIG_PROVIDER,
        ),
    ] {
        assert_eq!(kind_of(class), kind.name(), "{class}");
    }
    assert_eq!(loaded.len(), 8, "{listing:#}");
}

#[test]
fn transformation_predicate_and_converters_work_on_a_real_batch() {
    let (_dir, r) = registry();
    let input = batch(&[Some("abc"), None, Some("Déjà")]);

    // Transformation: uppercased, the null dropped, origins name the inputs.
    let PluginFactory::Transformation(f) = other(
        &r,
        PluginKind::TRANSFORMATION,
        "com.example.allkinds.UpperCase",
    ) else {
        panic!("not a transformation factory")
    };
    let mut t = f.create(config(&[]).as_rslice()).unwrap();
    let mut out = TransformedBatch::default();
    t.apply(&input, &mut out).unwrap();
    let values: Vec<&str> = out
        .batch
        .iter()
        .map(|r| r.value().as_str().unwrap())
        .collect();
    assert_eq!(values, ["ABC", "DÉJÀ"]);
    assert_eq!(out.origins.as_slice(), [0, 2]);
    let kept = out.batch.get(1).unwrap();
    assert_eq!((kept.offset(), kept.timestamp()), (2, Some(1002)));
    assert_eq!(kept.key().bytes, b"k2");
    assert_eq!(kept.headers().next().unwrap().1.bytes, b"hv2");
    t.close().unwrap();
    // With drop.nulls=false the null passes through.
    let mut t = f
        .create(config(&[("drop.nulls", "false")]).as_rslice())
        .unwrap();
    let mut out = TransformedBatch::default();
    t.apply(&input, &mut out).unwrap();
    assert_eq!(out.origins.as_slice(), [0, 1, 2]);
    assert!(out.batch.get(1).unwrap().value().is_null());
    // A bad value is a CONFIG error with the key's message.
    let e = refused(f.create(config(&[("drop.nulls", "maybe")]).as_rslice()));
    assert_eq!(e.kind, ErrorKind::CONFIG);
    assert!(
        e.message
            .contains("Invalid value maybe for configuration drop.nulls: Expected value to be either true or false"),
        "{}",
        e.message
    );

    // Predicate.
    let PluginFactory::Predicate(f) = other(
        &r,
        PluginKind::PREDICATE,
        "com.example.allkinds.ValueIsNull",
    ) else {
        panic!("not a predicate factory")
    };
    let mut p = f.create(config(&[]).as_rslice()).unwrap();
    let mut answers = RVec::new();
    p.test(&input, &mut answers).unwrap();
    assert_eq!(answers.as_slice(), [false, true, false]);
    let mut p = f.create(config(&[("negate", "true")]).as_rslice()).unwrap();
    let mut answers = RVec::new();
    p.test(&input, &mut answers).unwrap();
    assert_eq!(answers.as_slice(), [true, false, true]);

    // Converter: bytes → uppercase string (values; keys with is_key) → bytes.
    let PluginFactory::Converter(f) = other(
        &r,
        PluginKind::CONVERTER,
        "com.example.allkinds.UpperCaseConverter",
    ) else {
        panic!("not a converter factory")
    };
    let mut values = f.create(config(&[]).as_rslice(), false).unwrap();
    let mut connect = ConvertedColumn::default();
    values.to_connect(&input, &mut connect).unwrap();
    assert_eq!(
        column(&connect),
        [
            (DataKind::STRING, "ABC".into()),
            (DataKind::NULL, String::new()),
            (DataKind::STRING, "DÉJÀ".into()),
        ]
    );
    // Round trip: the converted column as a batch's values, back to bytes.
    let mut converted = RecordBatch::new();
    for (i, (kind, text)) in column(&connect).iter().enumerate() {
        converted
            .push(
                RecordPosition {
                    topic: "t",
                    partition: 0,
                    offset: i as i64,
                    timestamp: None,
                },
                Data::NULL,
                if *kind == DataKind::NULL {
                    Data::NULL
                } else {
                    Data::string(text)
                },
                &[],
            )
            .unwrap();
    }
    let mut kafka = ConvertedColumn::default();
    values.from_connect(&converted, &mut kafka).unwrap();
    assert_eq!(
        column(&kafka),
        [
            (DataKind::BYTES, "ABC".into()),
            (DataKind::NULL, String::new()),
            (DataKind::BYTES, "DÉJÀ".into()),
        ]
    );
    let mut keys = f.create(config(&[]).as_rslice(), true).unwrap();
    let mut connect = ConvertedColumn::default();
    keys.to_connect(&input, &mut connect).unwrap();
    assert_eq!(column(&connect)[1], (DataKind::STRING, "K1".into()));
    values.close().unwrap();

    // Header converter: one item per header.
    let PluginFactory::HeaderConverter(f) = other(
        &r,
        PluginKind::HEADER_CONVERTER,
        "com.example.allkinds.StringHeaderConverter",
    ) else {
        panic!("not a header converter factory")
    };
    let mut h = f.create(config(&[]).as_rslice()).unwrap();
    let mut connect = ConvertedColumn::default();
    h.to_connect(&input, &mut connect).unwrap();
    assert_eq!(
        column(&connect),
        [
            (DataKind::STRING, "hv0".into()),
            (DataKind::STRING, "hv1".into()),
            (DataKind::STRING, "hv2".into()),
        ]
    );
    let e = refused(f.create(config(&[("charset", "latin1")]).as_rslice()));
    assert_eq!(e.kind, ErrorKind::CONFIG);
    assert!(
        e.message.contains("String must be one of: UTF-8"),
        "{}",
        e.message
    );
}

#[test]
fn config_provider_reads_values_from_its_file() {
    let (dir, r) = registry();
    let file = dir.path().join("secrets.properties");
    std::fs::write(
        &file,
        "user=alice\npassword = s3cret\n# no equals sign here\n",
    )
    .unwrap();
    let PluginFactory::ConfigProvider(f) = other(
        &r,
        PluginKind::CONFIG_PROVIDER,
        "com.example.allkinds.KeyValueFileProvider",
    ) else {
        panic!("not a config provider factory")
    };
    let file_text = file.to_str().unwrap();
    let p = f
        .create(config(&[("file", file_text)]).as_rslice())
        .unwrap();
    let all = p.get("".into(), RSlice::from_slice(&[])).unwrap();
    let pairs: Vec<(String, String)> = all
        .data
        .iter()
        .map(|e| (e.key.to_string(), e.value.to_string()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("password".to_string(), "s3cret".to_string()),
            ("user".to_string(), "alice".to_string()),
        ]
    );
    let one = p
        .get("".into(), RSlice::from_slice(&[RString::from("user")]))
        .unwrap();
    assert_eq!(one.data.len(), 1);
    assert_eq!(one.data[0].value.as_str(), "alice");
    p.close().unwrap();
    // `file` is required.
    let e = refused(f.create(config(&[]).as_rslice()));
    assert_eq!(e.kind, ErrorKind::CONFIG);
    assert!(
        e.message
            .contains("Missing required configuration \"file\" which has no default value."),
        "{}",
        e.message
    );
}

#[test]
fn sink_metrics_reach_the_host_table_with_their_labels() {
    let (_dir, r) = registry();
    let plugin = r.lookup("com.example.allkinds.MetricsSink").unwrap();
    let connector_name = "all-kinds-metrics";
    let raw = config(&[("metric.prefix", "ak")]);
    let reports = plugin.factory.validate(raw.as_rslice()).unwrap();
    assert!(reports.iter().all(|r| r.errors.is_empty()));
    let statuses = Arc::new(MemoryStatusStore::new());
    let connector_control = TaskControl::new(
        connector_name,
        None,
        "test-worker",
        TargetState::Started,
        statuses.clone(),
        Arc::new(AtomicI32::new(0)),
    );
    let connector_context = connect_host::runtime::host_context::HostConnectorContext::create(
        connector_control,
        Arc::new(|| {}),
    );
    let mut connector = plugin
        .factory
        .start_connector(raw.as_rslice(), connector_context)
        .unwrap();
    // The SDK's default task configs: the connector's configuration, defaults filled in.
    let configs = connector.task_configs(2).unwrap();
    assert_eq!(configs.len(), 2);
    assert_eq!(configs[0], raw);

    let control = TaskControl::new(
        connector_name,
        Some(0),
        "test-worker",
        TargetState::Started,
        statuses,
        Arc::new(AtomicI32::new(0)),
    );
    let (context, _requests) = HostTaskContext::create(control, Arc::new(MemoryOffsetStore::new()));
    let mut task = plugin
        .factory
        .start_sink_task(configs[0].as_rslice(), context)
        .unwrap();
    task.open(RSlice::from_slice(&[TopicPartition::new("t", 0)]))
        .unwrap();
    task.put(&batch(&[Some("abc"), Some("de")])).unwrap();
    task.put(&batch(&[Some("x")])).unwrap();
    let offsets = [TopicPartitionOffset::new("t", 0, 1)];
    assert_eq!(
        task.pre_commit(RSlice::from_slice(&offsets))
            .unwrap()
            .as_slice(),
        offsets
    );
    task.close(RSlice::from_slice(&[TopicPartition::new("t", 0)]))
        .unwrap();
    task.stop().unwrap();
    connector.stop().unwrap();

    let labels = |extra: &[(&str, &str)]| {
        let mut l: Vec<(String, String)> = [("connector", connector_name), ("task", "0")]
            .iter()
            .chain(extra)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        l.sort();
        l
    };
    let snapshot = PluginMetrics::global().snapshot(Some(connector_name));
    let find = |name: &str| {
        snapshot
            .iter()
            .find(|(k, _)| k.name == name)
            .unwrap_or_else(|| panic!("{name} missing from {snapshot:#?}"))
    };
    let (k, v) = find("ak_records_total");
    assert_eq!(k.labels, labels(&[("topic", "t")]));
    assert_eq!(*v, SeriesValue::Counter(3.0));
    let (k, v) = find("ak_batch_size");
    assert_eq!(k.labels, labels(&[("topic", "t")]));
    assert_eq!(*v, SeriesValue::Gauge(1.0));
    let (k, v) = find("ak_value_bytes");
    assert_eq!(k.labels, labels(&[("topic", "t")]));
    let SeriesValue::Histogram { count, sum, .. } = v else {
        panic!("ak_value_bytes is {v:?}")
    };
    assert_eq!((*count, *sum), (3, 6.0));
}

#[test]
fn source_task_gets_its_per_task_key_and_the_builder_fields() {
    let (_dir, r) = registry();
    let plugin = r.lookup("com.example.allkinds.CountingSource").unwrap();
    let raw = config(&[("topic", "numbers")]);
    let mut connector = plugin
        .factory
        .start_connector(
            raw.as_rslice(),
            connect_plugin_api::sdk::testing::RecordingConnectorContext::new().abi(),
        )
        .unwrap();
    let configs = connector.task_configs(4).unwrap();
    assert_eq!(configs.len(), 1);
    assert!(configs[0].iter().any(|e| e.key.as_str() == "task.note"));
    let mut task = plugin
        .factory
        .start_source_task(configs[0].as_rslice(), noop_task_context())
        .unwrap();
    let mut out = connect_plugin_api::prelude::SourceBatch::new();
    task.poll(&mut out).unwrap();
    assert_eq!(out.len(), 3);
    let last = out.batch.get(2).unwrap();
    assert_eq!(last.value().as_str(), Some("2"));
    assert_eq!(last.timestamp(), Some(1_700_000_000_002));
    assert_eq!(
        last.headers().next().map(|(k, v)| (k, v.as_str())),
        Some(("n", Some("2")))
    );
    assert_eq!(
        out.position(2),
        (Some(r#"{"source":"counting"}"#), Some(r#"{"next":3}"#))
    );
    task.stop().unwrap();
    connector.stop().unwrap();
}
