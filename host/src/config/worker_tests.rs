//! Tests of [`super::WorkerConfig`]: the seed's cp-kafka-connect environment, defaults,
//! required keys per mode, typed values, unknown keys and pass-through prefixes.

use super::*;

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn distributed_minimum() -> Vec<(&'static str, &'static str)> {
    vec![
        ("group.id", "g"),
        ("config.storage.topic", "c"),
        ("offset.storage.topic", "o"),
        ("status.storage.topic", "s"),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
    ]
}

fn distributed(extra: &[(&str, &str)]) -> Result<WorkerConfig, ConfigError> {
    let mut all = distributed_minimum();
    all.extend_from_slice(extra);
    WorkerConfig::from_props(Mode::Distributed, props(&all))
}

/// The `environment:` block of the seed's `kafka-connect` compose service
/// (`confluentinc/cp-kafka-connect:5.5.1`), verbatim but for nothing: it must configure a
/// distributed worker as-is.
#[test]
fn seed_compose_environment_configures_a_distributed_worker() {
    let env = [
        (
            "CONNECT_PLUGIN_PATH",
            "/usr/share/java,/usr/share/java/kafka-connect-elasticsearch",
        ),
        ("CONNECT_CONFIG_STORAGE_TOPIC", "my_connect_configs"),
        ("CONNECT_OFFSET_STORAGE_TOPIC", "my_connect_offsets"),
        ("CONNECT_STATUS_STORAGE_TOPIC", "my_connect_statuses"),
        (
            "CONNECT_KEY_CONVERTER",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "CONNECT_VALUE_CONVERTER",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "CONNECT_BOOTSTRAP_SERVERS",
            "kafka-1:29092,kafka-2:29093,kafka-3:29094",
        ),
        ("CONNECT_REST_PORT", "8083"),
        ("CONNECT_REST_ADVERTISED_HOST_NAME", "localhost"),
        ("CONNECT_GROUP_ID", "compose-connect-group"),
        // Unrelated variables of a container environment are ignored.
        ("PATH", "/usr/bin"),
        ("HOSTNAME", "kafka-connect"),
    ];
    let w = WorkerConfig::load(Mode::Distributed, None, env).unwrap();

    assert_eq!(w.mode, Mode::Distributed);
    assert_eq!(
        w.bootstrap_servers,
        ["kafka-1:29092", "kafka-2:29093", "kafka-3:29094"]
    );
    assert_eq!(
        w.plugin_path,
        [
            PathBuf::from("/usr/share/java"),
            PathBuf::from("/usr/share/java/kafka-connect-elasticsearch")
        ]
    );
    assert_eq!(
        w.key_converter.class,
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert!(w.key_converter.settings.is_empty());
    assert_eq!(
        w.value_converter.class,
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert_eq!(w.header_converter.class, DEFAULT_HEADER_CONVERTER);
    assert_eq!(
        w.rest.listeners,
        [Listener {
            scheme: Scheme::Http,
            host: String::new(),
            port: 8083
        }]
    );
    assert_eq!(w.rest.advertised_host_name.as_deref(), Some("localhost"));
    assert_eq!(w.rest.advertised_port, None);

    let d = w.distributed.as_ref().unwrap();
    assert_eq!(d.group_id, "compose-connect-group");
    assert_eq!(
        (
            d.config_topic.name.as_str(),
            d.config_topic.partitions,
            d.config_topic.replication_factor
        ),
        ("my_connect_configs", 1, 3)
    );
    assert_eq!(
        (
            d.offset_topic.name.as_str(),
            d.offset_topic.partitions,
            d.offset_topic.replication_factor
        ),
        ("my_connect_offsets", 25, 3)
    );
    assert_eq!(
        (
            d.status_topic.name.as_str(),
            d.status_topic.partitions,
            d.status_topic.replication_factor
        ),
        ("my_connect_statuses", 5, 3)
    );
    assert_eq!(d.connect_protocol, ConnectProtocol::Sessioned);
    assert_eq!(w.offset_storage_file, None);
    assert!(w.ignored.is_empty(), "{:?}", w.ignored);
}

#[test]
fn kafka_defaults() {
    let w = distributed(&[]).unwrap();
    assert_eq!(w.bootstrap_servers, ["localhost:9092"]);
    assert_eq!(w.offset_flush_interval, Duration::from_millis(60_000));
    assert_eq!(w.offset_flush_timeout, Duration::from_millis(5_000));
    assert_eq!(
        w.task_shutdown_graceful_timeout,
        Duration::from_millis(5_000)
    );
    assert_eq!(w.rest.listeners.len(), 1);
    assert_eq!(w.rest.listeners[0].to_string(), "http://:8083");
    assert_eq!(w.rest.admin_listeners, None);
    assert_eq!(w.override_policy, OverridePolicy::All);
    assert!(w.topic_creation_enable && w.topic_tracking_enable && w.topic_tracking_allow_reset);
    assert!(w.plugin_path.is_empty());
    let d = w.distributed.unwrap();
    assert_eq!(d.scheduled_rebalance_max_delay, Duration::from_secs(300));
    assert_eq!(
        (d.session_timeout, d.heartbeat_interval),
        (Duration::from_secs(10), Duration::from_secs(3))
    );
}

#[test]
fn file_then_environment_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("worker.properties");
    std::fs::write(
        &path,
        "bootstrap.servers=file:9092\nkey.converter=org.apache.kafka.connect.storage.StringConverter\n\
         value.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter.schemas.enable=true\n\
         offset.storage.file.filename=/tmp/connect.offsets\noffset.flush.interval.ms=10000\n",
    )
    .unwrap();
    let env = [
        ("CONNECT_BOOTSTRAP_SERVERS", "env:9092"),
        ("CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE", "false"),
    ];
    let w = WorkerConfig::load(Mode::Standalone, Some(&path), env).unwrap();
    assert_eq!(w.bootstrap_servers, ["env:9092"]);
    assert_eq!(w.value_converter.settings["schemas.enable"], "false");
    assert_eq!(w.offset_flush_interval, Duration::from_secs(10));
    assert_eq!(
        w.offset_storage_file,
        Some(PathBuf::from("/tmp/connect.offsets"))
    );
    assert!(w.distributed.is_none());
    assert_eq!(w.originals["bootstrap.servers"], "env:9092");
}

#[test]
fn distributed_requires_group_and_topics_and_reports_all_at_once() {
    let e = WorkerConfig::from_props(Mode::Distributed, BTreeMap::new()).unwrap_err();
    let keys: Vec<String> = e
        .problems()
        .iter()
        .map(|p| match p {
            ConfigError::MissingRequired { key, .. } => key.clone(),
            other => panic!("unexpected {other}"),
        })
        .collect();
    for k in [
        "group.id",
        "config.storage.topic",
        "offset.storage.topic",
        "status.storage.topic",
        "key.converter",
        "value.converter",
    ] {
        assert!(keys.contains(&k.to_string()), "{k} missing from {keys:?}");
    }
    assert!(
        e.to_string()
            .contains("set it in the worker file or as CONNECT_GROUP_ID"),
        "{e}"
    );
}

#[test]
fn standalone_requires_the_offsets_file() {
    let e = WorkerConfig::from_props(
        Mode::Standalone,
        props(&[
            ("key.converter", "JsonConverter"),
            ("value.converter", "JsonConverter"),
        ]),
    )
    .unwrap_err();
    assert!(
        matches!(&e, ConfigError::MissingRequired { key, .. } if key == "offset.storage.file.filename"),
        "{e}"
    );
}

#[test]
fn ill_typed_values_say_what_is_expected() {
    let e = distributed(&[("offset.flush.interval.ms", "abc")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "worker config: `offset.flush.interval.ms` = \"abc\" is not a number (expected milliseconds, e.g. 60000)"
    );
    let e = distributed(&[("topic.tracking.enable", "yes")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("is not a boolean (expected true or false)"),
        "{e}"
    );
    let e = distributed(&[("offset.storage.replication.factor", "0")]).unwrap_err();
    assert!(
        e.to_string().contains("or -1 for the broker default"),
        "{e}"
    );
    let e = distributed(&[("bootstrap.servers", "kafka-1")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("contains `kafka-1`, which is not host:port"),
        "{e}"
    );
    let e = distributed(&[("listeners", "http://:8083,localhost:9")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("has `localhost:9`, which is not a listener URL"),
        "{e}"
    );
    let e = distributed(&[("config.storage.partitions", "3")]).unwrap_err();
    assert!(
        e.to_string().contains("single-partition config topic"),
        "{e}"
    );
    assert!(distributed(&[("config.storage.partitions", "1")]).is_ok());
    let e = distributed(&[("connect.protocol", "fast")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("expected eager, compatible or sessioned"),
        "{e}"
    );
}

#[test]
fn unknown_keys_suggest_the_nearest_known_key() {
    let e = distributed(&[("ofset.flush.interval.ms", "1000")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "worker config: unknown key `ofset.flush.interval.ms` (did you mean `offset.flush.interval.ms`?)"
    );
    let e = distributed(&[("max.poll.records", "10")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("client settings need a producer., consumer. or admin. prefix"),
        "{e}"
    );
}

#[test]
fn passthrough_prefixes_are_sorted_into_maps() {
    let w = distributed(&[
        ("producer.acks", "1"),
        ("consumer.max.poll.records", "100"),
        ("admin.retries", "3"),
        ("key.converter.schemas.enable", "false"),
        ("header.converter.x", "y"),
        ("config.providers", "file"),
        (
            "config.providers.file.class",
            "org.apache.kafka.common.config.provider.FileConfigProvider",
        ),
        ("listeners.https.ssl.keystore.location", "ks.jks"),
        ("admin.listeners", ""),
        ("admin.listeners.https.ssl.keystore.location", "admin.jks"),
        ("offset.storage.cleanup.policy", "compact"),
        ("security.protocol", "PLAINTEXT"),
        ("send.buffer.bytes", "-1"),
        ("receive.buffer.bytes", "65536"),
        ("client.id", "w1"),
    ])
    .unwrap();
    assert_eq!(w.producer["acks"], "1");
    assert_eq!(w.consumer["max.poll.records"], "100");
    assert_eq!(w.admin["retries"], "3");
    assert_eq!(w.key_converter.settings["schemas.enable"], "false");
    assert_eq!(w.header_converter.settings["x"], "y");
    assert_eq!(w.config_providers, ["file"]);
    assert_eq!(
        w.config_provider_settings["file.class"],
        "org.apache.kafka.common.config.provider.FileConfigProvider"
    );
    assert_eq!(w.rest.https["ssl.keystore.location"], "ks.jks");
    assert_eq!(w.rest.admin_https["ssl.keystore.location"], "admin.jks");
    assert_eq!(
        w.rest.admin_listeners,
        Some(vec![]),
        "empty admin.listeners disables admin endpoints"
    );
    assert_eq!(
        w.distributed.as_ref().unwrap().offset_topic.settings["cleanup.policy"],
        "compact"
    );
    // Java's socket buffer keys under librdkafka's names (-1, the OS default, is 0 there).
    assert_eq!(w.client["socket.send.buffer.bytes"], "0");
    assert_eq!(w.client["socket.receive.buffer.bytes"], "65536");
    assert_eq!(w.client["client.id"], "w1");
    assert!(
        w.admin.keys().all(|k| !k.starts_with("listeners")),
        "{:?}",
        w.admin
    );
}

#[test]
fn deprecated_rest_host_and_port_build_the_listener() {
    let w = distributed(&[("rest.host.name", "0.0.0.0"), ("rest.port", "18083")]).unwrap();
    assert_eq!(w.rest.listeners[0].to_string(), "http://0.0.0.0:18083");
    let w = distributed(&[
        ("listeners", "http://h:8084, http://h:8083"),
        ("rest.port", "1"),
    ])
    .unwrap();
    assert_eq!(w.rest.listeners.len(), 2);
    assert_eq!(w.rest.listeners[0].port, 8084);
    assert!(w.ignored.contains_key("rest.port"));
    let e = distributed(&[("listeners", "https://h:8443, http://h:8083")]).unwrap_err();
    assert!(
        e.to_string().contains(
            "has an https:// listener but no key and certificate for it: set listeners.https.ssl.keystore.location"
        ),
        "{e}"
    );
    let e = distributed(&[("rest.port", "70000")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("`rest.port` = \"70000\" is not a valid port"),
        "{e}"
    );
}

#[test]
fn advertised_address() {
    let w = distributed(&[
        ("rest.advertised.host.name", "w1.example"),
        ("rest.advertised.port", "18083"),
        ("rest.advertised.listener", "HTTP"),
    ])
    .unwrap();
    assert_eq!(w.rest.advertised_host_name.as_deref(), Some("w1.example"));
    assert_eq!(w.rest.advertised_port, Some(18083));
    assert_eq!(w.rest.advertised_listener, Some(Scheme::Http));
    assert_eq!(w.rest.advertised_scheme(), Scheme::Http);
    let w = distributed(&[("rest.advertised.listener", "https")]).unwrap();
    assert_eq!(w.rest.advertised_scheme(), Scheme::Https);
    let e = distributed(&[("rest.advertised.listener", "ftp")]).unwrap_err();
    assert!(e.to_string().contains("is not a protocol"), "{e}");
}

#[test]
fn the_advertised_protocol_is_http_if_any_listener_is() {
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("keystore.pem");
    std::fs::write(&pem, test_keystore_pem()).unwrap();
    let store = pem.to_str().unwrap();
    let w = distributed(&[
        ("listeners", "https://h1:8443,http://h2:8083"),
        ("ssl.keystore.location", store),
    ])
    .unwrap();
    assert_eq!(w.rest.advertised_scheme(), Scheme::Http);
    assert_eq!(w.rest.advertised_listener().unwrap().host, "h2");
    assert_eq!(
        w.rest.tls.prefix, "",
        "top-level ssl.* apply without listeners.https.*"
    );
    let w = distributed(&[
        ("listeners", "https://h1:8443"),
        ("listeners.https.ssl.keystore.location", store),
        ("listeners.https.ssl.client.auth", "required"),
    ])
    .unwrap();
    assert_eq!(w.rest.advertised_scheme(), Scheme::Https);
    assert_eq!(w.rest.advertised_listener().unwrap().port, 8443);
    assert_eq!(w.rest.tls.prefix, "listeners.https.");
    let e = distributed(&[
        ("listeners", "https://h1:8443"),
        ("listeners.https.ssl.keystore.location", store),
        ("listeners.https.ssl.client.auth", "always"),
    ])
    .unwrap_err();
    assert!(
        e.to_string().contains("listeners.https.ssl.client.auth"),
        "{e}"
    );
}

/// A self-signed key and certificate in one PEM file (a PEM keystore).
fn test_keystore_pem() -> String {
    let (cert, key) = crate::config::rest_tls::tests::self_signed();
    format!("{key}{cert}")
}

#[test]
fn known_keys_without_effect_are_kept_in_ignored() {
    let w = distributed(&[
        ("metric.reporters", ""),
        ("zookeeper.connect", "zk:2181"),
        ("offset.storage.file.filename", "/tmp/o"),
        (
            "internal.key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("internal.key.converter.schemas.enable", "false"),
    ])
    .unwrap();
    assert_eq!(w.ignored.len(), 4, "{:?}", w.ignored);
    assert!(w.ignored["offset.storage.file.filename"].contains("standalone mode setting"));
    assert_eq!(w.offset_storage_file, None);
    w.log_ignored();
}

#[test]
fn override_policy_names_and_classes() {
    let p = |v| {
        distributed(&[("connector.client.config.override.policy", v)])
            .unwrap()
            .override_policy
    };
    assert_eq!(p("None"), OverridePolicy::None);
    assert_eq!(p("Principal"), OverridePolicy::Principal);
    assert_eq!(
        p("org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy"),
        OverridePolicy::All
    );
    assert!(distributed(&[("connector.client.config.override.policy", "Custom")]).is_err());
}

#[test]
fn unsupported_settings_are_refused_not_ignored() {
    let e = distributed(&[("rest.extension.classes", "com.example.BasicAuth")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("not supported yet: rest.extension.classes"),
        "{e}"
    );
    let w = distributed(&[(
        "rest.extension.classes",
        crate::config::BASIC_AUTH_EXTENSION,
    )])
    .unwrap();
    assert!(w.rest.basic_auth);
    assert!(!distributed(&[]).unwrap().rest.basic_auth);
    let e = distributed(&[("exactly.once.source.support", "enabled")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("exactly-once source delivery is not implemented"),
        "{e}"
    );
    assert!(distributed(&[("exactly.once.source.support", "DISABLED")]).is_ok());
    let e = distributed(&[("admin.listeners", "https://127.0.0.1:9093")]).unwrap_err();
    assert!(
        e.to_string().contains(
            "has an https:// listener but no key and certificate for it: set admin.listeners.https.ssl.keystore.location"
        ),
        "{e}"
    );
    // Empty: CORS off, no extra headers, admin endpoints disabled — what Kafka does with them.
    let w = distributed(&[
        ("access.control.allow.origin", ""),
        ("response.http.headers.config", ""),
        ("admin.listeners", ""),
    ])
    .unwrap();
    assert_eq!(w.rest.admin_listeners, Some(Vec::new()));
    // Admin endpoints on their own http listener; header rules parsed, a bad one refused.
    let w = distributed(&[
        ("admin.listeners", "http://127.0.0.1:9093"),
        ("response.http.headers.config", "add X-Frame-Options: DENY"),
    ])
    .unwrap();
    assert_eq!(w.rest.admin_listeners.as_ref().map(Vec::len), Some(1));
    assert_eq!(w.rest.response_headers.len(), 1);
    let e = distributed(&[("response.http.headers.config", "put X: y")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("Invalid header config action: 'put'"),
        "{e}"
    );
}

#[test]
fn config_provider_aliases_need_a_class() {
    let e = distributed(&[
        ("config.providers", "file,env"),
        ("config.providers.file.class", "F"),
    ])
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("lists `env` but `config.providers.env.class` is not set"),
        "{e}"
    );
}

#[test]
fn internal_topic_sizes() {
    let w = distributed(&[
        ("offset.storage.partitions", "-1"),
        ("offset.storage.replication.factor", "-1"),
        ("status.storage.partitions", "2"),
        ("config.storage.replication.factor", "1"),
    ])
    .unwrap();
    let d = w.distributed.unwrap();
    assert_eq!(
        (d.offset_topic.partitions, d.offset_topic.replication_factor),
        (-1, -1)
    );
    assert_eq!(d.status_topic.partitions, 2);
    assert_eq!(d.config_topic.replication_factor, 1);
}

#[test]
fn security_keys_are_read_in_both_modes_and_bad_ones_are_named() {
    let standalone = |extra: &[(&str, &str)]| {
        let mut all = vec![
            ("offset.storage.file.filename", "/tmp/o"),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
        ];
        all.extend_from_slice(extra);
        WorkerConfig::from_props(Mode::Standalone, props(&all))
    };
    let jaas = r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="secret-value";"#;
    for protocol in ["SSL", "SASL_SSL", "sasl_plaintext"] {
        let w = standalone(&[
            ("security.protocol", protocol),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.jaas.config", jaas),
        ])
        .unwrap();
        assert_eq!(w.client["security.protocol"], protocol);
        assert!(distributed(&[("security.protocol", protocol)]).is_ok());
    }
    assert!(distributed(&[("security.protocol", "plaintext")]).is_ok());
    // A bad value names the key as written, under its prefix, and never shows a secret.
    let err = standalone(&[
        ("consumer.sasl.mechanism", "GSSAPI"),
        (
            "sasl.jaas.config",
            "PlainLoginModule required username=\"u\";",
        ),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("not supported yet: consumer.sasl.mechanism"),
        "{err}"
    );
    assert!(
        err.contains("`sasl.jaas.config`") || err.contains("sasl.jaas.config"),
        "{err}"
    );
    assert!(err.contains("[hidden]"), "{err}");
    let err = standalone(&[
        ("sasl.jaas.config", jaas),
        ("ssl.truststore.location", "/nope"),
    ])
    .unwrap_err()
    .to_string();
    assert!(!err.contains("secret-value"), "{err}");
    assert!(err.contains("cannot read /nope"), "{err}");
}

#[test]
fn keys_accepted_only_at_kafkas_default() {
    for (key, default, other) in [
        ("metric.reporters", "", "com.example.Reporter"),
        ("metrics.recording.level", "INFO", "DEBUG"),
        ("metrics.num.samples", "2", "3"),
        ("metrics.sample.window.ms", "30000", "1000"),
        ("plugin.discovery", "hybrid_warn", "service_load"),
        ("socket.connection.setup.timeout.max.ms", "30000", "5000"),
        ("key.converter.plugin.version", "", "4.3.1"),
        (
            "header.converter",
            "org.apache.kafka.connect.storage.SimpleHeaderConverter",
            "com.example.PluginHeaderConverter",
        ),
    ] {
        let w = distributed(&[(key, default)]).unwrap();
        assert!(w.ignored.is_empty(), "{key}: {:?}", w.ignored);
        assert!(
            !w.key_converter.settings.contains_key("plugin.version"),
            "{key}"
        );
        let err = distributed(&[(key, other)]).unwrap_err().to_string();
        assert!(err.contains(&format!("not supported yet: {key}")), "{err}");
    }
}

#[test]
fn inter_worker_keys_are_read_in_distributed_mode_only() {
    let d = distributed(&[]).unwrap().distributed.unwrap();
    assert_eq!(d.inter_worker, InterWorkerConfig::default());
    let w = distributed(&[
        ("inter.worker.key.ttl.ms", "1000"),
        ("inter.worker.signature.algorithm", "HmacSHA512"),
        (
            "inter.worker.verification.algorithms",
            "HmacSHA512,HmacSHA256",
        ),
    ])
    .unwrap();
    assert!(w.ignored.is_empty(), "{:?}", w.ignored);
    let iw = w.distributed.unwrap().inter_worker;
    assert_eq!(iw.key.ttl, Duration::from_secs(1));
    assert_eq!(
        iw.signature_algorithm,
        crate::cluster::signing::HmacAlgorithm::HmacSha512
    );
    let e = distributed(&[("inter.worker.signature.algorithm", "HmacSHA512")]).unwrap_err();
    assert!(
        e.to_string().contains(
            "Signature algorithm must be present in inter.worker.verification.algorithms list"
        ),
        "{e}"
    );
    let standalone = WorkerConfig::from_props(
        Mode::Standalone,
        props(&[
            (
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("offset.storage.file.filename", "/tmp/o"),
            ("inter.worker.key.ttl.ms", "1000"),
        ]),
    )
    .unwrap();
    assert!(standalone.ignored["inter.worker.key.ttl.ms"].contains("distributed mode setting"));
}

/// Every unprefixed Java client key the worker takes is one librdkafka knows (under its own name
/// where they differ): a producer and a consumer are created with all of them set.
#[test]
fn client_keys_reach_librdkafka_under_its_names() {
    use rdkafka::{ClientConfig, consumer::BaseConsumer, producer::BaseProducer};
    let values = [
        ("client.id", "w1"),
        ("client.dns.lookup", "use_all_dns_ips"),
        ("metadata.max.age.ms", "60000"),
        ("request.timeout.ms", "30000"),
        ("retry.backoff.ms", "100"),
        ("retry.backoff.max.ms", "1000"),
        ("reconnect.backoff.ms", "50"),
        ("reconnect.backoff.max.ms", "1000"),
        ("send.buffer.bytes", "131072"),
        ("receive.buffer.bytes", "-1"),
        ("connections.max.idle.ms", "540000"),
        ("socket.connection.setup.timeout.ms", "10000"),
        ("metadata.recovery.strategy", "rebootstrap"),
        ("metadata.recovery.rebootstrap.trigger.ms", "300000"),
    ];
    let listed: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        listed,
        super::super::worker_keys::CLIENT_KEYS,
        "one value per client key"
    );
    let w = distributed(&values).unwrap();
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", "127.0.0.1:1");
    for (k, v) in &w.client {
        config.set(k, v);
    }
    let producer: Result<BaseProducer, _> = config.create();
    assert!(producer.is_ok(), "{:?}", producer.err());
    config.set("group.id", "g");
    let consumer: Result<BaseConsumer, _> = config.create();
    assert!(consumer.is_ok(), "{:?}", consumer.err());
}

/// Java client settings without a librdkafka counterpart are refused under every client prefix,
/// not dropped; librdkafka's own keys (and `delivery.timeout.ms`, one of them) pass through.
#[test]
fn java_only_client_settings_are_not_supported_yet() {
    for key in [
        "producer.buffer.memory",
        "producer.max.block.ms",
        "producer.interceptor.classes",
        "consumer.key.deserializer",
        "admin.metric.reporters",
    ] {
        let e = distributed(&[(key, "x")]).unwrap_err().to_string();
        assert!(e.contains(&format!("not supported yet: {key}")), "{e}");
    }
    let w = distributed(&[
        ("producer.delivery.timeout.ms", "120000"),
        ("producer.linger.ms", "5"),
    ])
    .unwrap();
    assert_eq!(w.producer["delivery.timeout.ms"], "120000");
    assert_eq!(w.producer["linger.ms"], "5");
}
