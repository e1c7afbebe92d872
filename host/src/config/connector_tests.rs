//! Tests of [`super::ConnectorConfig`]: the seed's Elasticsearch sink, defaults, and each rule
//! with Kafka Connect's per-key message.

use super::*;

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sink(extra: &[(&str, &str)]) -> Result<ConnectorConfig, KeyErrors> {
    let mut all = vec![
        ("name", "s"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
    ];
    all.extend_from_slice(extra);
    ConnectorConfig::parse(&props(&all), ConnectorKind::Sink)
}

fn errors_for(result: Result<ConnectorConfig, KeyErrors>, key: &str) -> Vec<String> {
    result
        .unwrap_err()
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, m)| m)
        .collect()
}

/// The seed's `POST /connectors` body for the Elasticsearch sink.
#[test]
fn seed_elasticsearch_sink_config() {
    let config = props(&[
        ("name", "elasticsearch-sink"),
        (
            "connector.class",
            "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
        ),
        ("tasks.max", "1"),
        ("topics", "coupang"),
        ("key.ignore", "true"),
        ("schema.ignore", "true"),
        ("connection.url", "http://es:9200"),
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
    let c = ConnectorConfig::parse(&config, ConnectorKind::Sink).unwrap();
    assert_eq!(c.name, "elasticsearch-sink");
    assert_eq!(
        c.connector_class,
        "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector"
    );
    assert_eq!(c.tasks_max, 1);
    assert_eq!(c.topics, ["coupang"]);
    assert_eq!(c.topics_regex, None);
    let v = c.value_converter.as_ref().unwrap();
    assert_eq!(v.class, "org.apache.kafka.connect.json.JsonConverter");
    assert_eq!(v.settings["schemas.enable"], "false");
    assert_eq!(
        c.key_converter.as_ref().unwrap().settings["schemas.enable"],
        "false"
    );
    assert_eq!(c.header_converter, None);
    assert_eq!(
        c.originals["connection.url"], "http://es:9200",
        "plugin keys pass through"
    );
    assert!(c.warnings.is_empty());
}

#[test]
fn defaults() {
    let c = sink(&[]).unwrap();
    assert_eq!(c.tasks_max, 1);
    assert!(c.tasks_max_enforce);
    assert_eq!(c.reload_action, ReloadAction::Restart);
    assert_eq!(c.errors.tolerance, ErrorTolerance::None);
    assert_eq!(
        c.errors.retry_timeout,
        RetryTimeout::Limited(Duration::ZERO)
    );
    assert_eq!(c.errors.retry_delay_max, Duration::from_secs(60));
    assert!(!c.errors.log_enable && !c.errors.log_include_messages);
    assert_eq!(c.errors.dead_letter_queue, None);
    assert!(c.transforms.is_empty() && c.predicates.is_empty());
}

#[test]
fn required_keys() {
    let errs = ConnectorConfig::parse(&props(&[("topics", "t")]), ConnectorKind::Sink).unwrap_err();
    assert!(errs.contains(&(
        "name".into(),
        "Missing required configuration \"name\" which has no default value.".into()
    )));
    assert!(errs.contains(&(
        "connector.class".into(),
        "Missing required configuration \"connector.class\" which has no default value.".into()
    )));
    assert_eq!(
        errors_for(sink(&[("name", "  ")]), "name"),
        ["Invalid value    for configuration name: String may not be empty"]
    );
    let control = errors_for(sink(&[("name", "a\u{7}b")]), "name");
    assert!(
        control[0].contains(
            "String may not contain control sequences but had the following ASCII chars: 7"
        )
    );
    assert_eq!(sink(&[("name", " padded ")]).unwrap().name, "padded");
}

#[test]
fn tasks_max_rules() {
    assert_eq!(sink(&[("tasks.max", " 4 ")]).unwrap().tasks_max, 4);
    assert_eq!(
        errors_for(sink(&[("tasks.max", "0")]), "tasks.max"),
        ["Invalid value 0 for configuration tasks.max: Value must be at least 1"]
    );
    assert_eq!(
        errors_for(sink(&[("tasks.max", "two")]), "tasks.max"),
        ["Invalid value two for configuration tasks.max: Not a number of type INT"]
    );
}

#[test]
fn sink_needs_exactly_one_of_topics_and_regex() {
    let neither = ConnectorConfig::parse(
        &props(&[("name", "s"), ("connector.class", "X")]),
        ConnectorKind::Sink,
    )
    .unwrap_err();
    assert_eq!(
        neither,
        [
            (
                "topics".to_string(),
                "Must configure one of topics or topics.regex".to_string()
            ),
            (
                "topics.regex".to_string(),
                "Must configure one of topics or topics.regex".to_string()
            ),
        ]
    );
    let both = sink(&[("topics.regex", "t.*")]).unwrap_err();
    assert_eq!(both.len(), 2);
    assert!(
        both.iter().all(|(_, m)| m
            == "topics and topics.regex are mutually exclusive options, but both are set.")
    );
    let regex_only = ConnectorConfig::parse(
        &props(&[
            ("name", "s"),
            ("connector.class", "X"),
            ("topics.regex", "logs-.*"),
        ]),
        ConnectorKind::Sink,
    )
    .unwrap();
    assert_eq!(regex_only.topics_regex.as_deref(), Some("logs-.*"));
    let bad = ConnectorConfig::parse(
        &props(&[
            ("name", "s"),
            ("connector.class", "X"),
            ("topics.regex", "(oops"),
        ]),
        ConnectorKind::Sink,
    );
    assert!(
        errors_for(bad, "topics.regex")[0]
            .starts_with("Invalid value (oops for configuration topics.regex: Invalid regex:")
    );
    assert_eq!(sink(&[("topics", "a, b,a,")]).unwrap().topics, ["a", "b"]);
}

#[test]
fn source_has_no_topic_rules_or_dlq() {
    let c = ConnectorConfig::parse(
        &props(&[
            ("name", "src"),
            ("connector.class", "FileStreamSource"),
            ("errors.deadletterqueue.topic.name", "dlq"),
        ]),
        ConnectorKind::Source,
    )
    .unwrap();
    assert_eq!(c.kind, ConnectorKind::Source);
    assert_eq!(c.errors.dead_letter_queue, None);
}

#[test]
fn error_handling_keys() {
    let c = sink(&[
        ("errors.tolerance", "all"),
        ("errors.retry.timeout", "-1"),
        ("errors.retry.delay.max.ms", "1000"),
        ("errors.log.enable", "TRUE"),
        ("errors.log.include.messages", "true"),
        ("errors.deadletterqueue.topic.name", "dlq"),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
        ("errors.deadletterqueue.context.headers.enable", "true"),
    ])
    .unwrap();
    assert_eq!(c.errors.tolerance, ErrorTolerance::All);
    assert_eq!(c.errors.retry_timeout, RetryTimeout::Infinite);
    assert_eq!(c.errors.retry_delay_max, Duration::from_secs(1));
    assert!(c.errors.log_enable && c.errors.log_include_messages);
    assert_eq!(
        c.errors.dead_letter_queue,
        Some(DeadLetterQueue {
            topic: "dlq".into(),
            replication_factor: 1,
            context_headers: true
        })
    );
    assert_eq!(
        sink(&[("errors.deadletterqueue.topic.name", "dlq")])
            .unwrap()
            .errors
            .dead_letter_queue
            .unwrap()
            .replication_factor,
        3
    );

    assert_eq!(
        errors_for(sink(&[("errors.tolerance", "some")]), "errors.tolerance"),
        ["Invalid value some for configuration errors.tolerance: String must be one of: none, all"]
    );
    assert_eq!(
        errors_for(
            sink(&[("errors.retry.timeout", "-5")]),
            "errors.retry.timeout"
        ),
        ["Invalid value -5 for configuration errors.retry.timeout: Value must be at least -1"]
    );
    assert_eq!(
        errors_for(sink(&[("errors.log.enable", "yes")]), "errors.log.enable"),
        [
            "Invalid value yes for configuration errors.log.enable: Expected value to be either true or false"
        ]
    );
    assert_eq!(
        errors_for(
            sink(&[("errors.deadletterqueue.topic.replication.factor", "x")]),
            "errors.deadletterqueue.topic.replication.factor"
        ),
        [
            "Invalid value x for configuration errors.deadletterqueue.topic.replication.factor: Not a number of type SHORT"
        ]
    );
    assert_eq!(
        errors_for(
            sink(&[("config.action.reload", "sometimes")]),
            "config.action.reload"
        ),
        [
            "Invalid value sometimes for configuration config.action.reload: String must be one of: none, restart"
        ]
    );
    assert_eq!(
        sink(&[("config.action.reload", "none")])
            .unwrap()
            .reload_action,
        ReloadAction::None
    );
}

#[test]
fn dlq_may_not_be_consumed() {
    assert_eq!(
        errors_for(
            sink(&[
                ("topics", "a,dlq"),
                ("errors.deadletterqueue.topic.name", "dlq")
            ]),
            "topics"
        ),
        [
            "The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a, dlq]') consumed by the connector"
        ]
    );
    let regex = ConnectorConfig::parse(
        &props(&[
            ("name", "s"),
            ("connector.class", "X"),
            ("topics.regex", "d.*"),
            ("errors.deadletterqueue.topic.name", "dlq"),
        ]),
        ConnectorKind::Sink,
    );
    assert_eq!(
        errors_for(regex, "topics.regex"),
        [
            "The DLQ topic 'dlq' may not be matched by the regex for the topics ('topics.regex=d.*') consumed by the connector"
        ]
    );
    // The regex must match the whole name, as Java's Matcher.matches() does.
    let partial = ConnectorConfig::parse(
        &props(&[
            ("name", "s"),
            ("connector.class", "X"),
            ("topics.regex", "d"),
            ("errors.deadletterqueue.topic.name", "dlq"),
        ]),
        ConnectorKind::Sink,
    );
    assert!(partial.is_ok());
}

#[test]
fn transforms_and_predicates() {
    let c = sink(&[
        ("transforms", "route, drop"),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        ("transforms.route.regex", "(.*)"),
        ("transforms.route.replacement", "$1-x"),
        (
            "transforms.drop.type",
            "org.apache.kafka.connect.transforms.Filter",
        ),
        ("transforms.drop.predicate", "isFoo"),
        ("transforms.drop.negate", "true"),
        ("predicates", "isFoo"),
        (
            "predicates.isFoo.type",
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        ),
        ("predicates.isFoo.pattern", "foo.*"),
    ])
    .unwrap();
    assert_eq!(c.transforms.len(), 2);
    let route = &c.transforms[0];
    assert_eq!(
        (route.alias.as_str(), route.class.as_str()),
        ("route", "org.apache.kafka.connect.transforms.RegexRouter")
    );
    assert_eq!(route.settings.len(), 2);
    assert_eq!(route.settings["replacement"], "$1-x");
    let drop = &c.transforms[1];
    assert_eq!(
        (drop.predicate.as_deref(), drop.negate),
        (Some("isFoo"), true)
    );
    assert!(drop.settings.is_empty());
    assert_eq!(c.predicates[0].settings["pattern"], "foo.*");
}

#[test]
fn transform_rules() {
    assert_eq!(
        errors_for(
            sink(&[("transforms", "a,a"), ("transforms.a.type", "X")]),
            "transforms"
        ),
        ["Invalid value [a, a] for configuration transforms: Duplicate alias provided."]
    );
    assert_eq!(
        errors_for(sink(&[("transforms", "a")]), "transforms.a.type"),
        ["Missing required configuration \"transforms.a.type\" which has no default value."]
    );
    assert_eq!(
        errors_for(
            sink(&[
                ("transforms", "a"),
                ("transforms.a.type", "X"),
                ("transforms.a.negate", "true")
            ]),
            "transforms.a.negate"
        ),
        [
            "Config 'transforms.a.negate' was provided but there is no config 'transforms.a.predicate' defining a predicate to be negated."
        ]
    );
    let undefined = errors_for(
        sink(&[
            ("transforms", "a"),
            ("transforms.a.type", "X"),
            ("transforms.a.predicate", "p"),
        ]),
        "transforms.a.predicate",
    );
    assert!(
        undefined[0].contains("predicate 'p' is not defined"),
        "{undefined:?}"
    );
    assert_eq!(
        errors_for(sink(&[("predicates", "p")]), "predicates.p.type"),
        ["Missing required configuration \"predicates.p.type\" which has no default value."]
    );
}

#[test]
fn converter_settings_without_class_are_flagged() {
    let c = sink(&[("value.converter.schemas.enable", "false")]).unwrap();
    assert_eq!(c.value_converter, None);
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0]
            .contains("`value.converter.schemas.enable` is set but `value.converter` is not")
    );
}

#[test]
fn client_overrides_and_policy() {
    let c = sink(&[
        ("consumer.override.max.poll.records", "50"),
        ("producer.override.sasl.mechanism", "PLAIN"),
        ("admin.override.retries", "1"),
    ])
    .unwrap();
    assert_eq!(c.consumer_overrides["max.poll.records"], "50");
    assert!(c.override_violations(OverridePolicy::All).is_empty());
    let none = c.override_violations(OverridePolicy::None);
    assert_eq!(none.len(), 3);
    assert!(none.contains(&(
        "consumer.override.max.poll.records".into(),
        "The 'None' policy does not allow 'max.poll.records' to be overridden in the connector configuration.".into()
    )));
    let principal = c.override_violations(OverridePolicy::Principal);
    assert_eq!(
        principal.len(),
        2,
        "sasl.mechanism is allowed by Principal: {principal:?}"
    );
}

/// Source keys of exactly-once support, per-connector offsets topics and topic creation are
/// refused unless they hold Kafka's default (what this host does): none is accepted and ignored.
/// With `topic.creation.*` refused, the worker's `topic.creation.enable` cannot change anything
/// either way: no source connector has topics to create.
#[test]
fn source_keys_this_host_does_not_implement_are_not_supported_yet() {
    let source = |extra: &[(&str, &str)]| {
        let mut all = vec![("name", "src"), ("connector.class", "FileStreamSource")];
        all.extend_from_slice(extra);
        ConnectorConfig::parse(&props(&all), ConnectorKind::Source)
    };
    for (key, default) in [
        ("exactly.once.support", "requested"),
        ("transaction.boundary", "poll"),
        ("topic.creation.groups", ""),
    ] {
        assert!(source(&[(key, default)]).is_ok(), "{key}={default}");
    }
    for (key, value) in [
        ("exactly.once.support", "required"),
        ("transaction.boundary", "interval"),
        ("transaction.boundary.interval.ms", "1000"),
        ("offsets.storage.topic", "my-offsets"),
        ("topic.creation.groups", "compacted"),
        ("topic.creation.default.replication.factor", "3"),
        ("key.converter.plugin.version", "4.3.1"),
    ] {
        let errors = errors_for(source(&[(key, value)]), key);
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("not supported yet: {key}"))),
            "{key}: {errors:?}"
        );
    }
    // A sink does not define the source keys (Kafka ignores them there too).
    assert!(sink(&[("exactly.once.support", "required")]).is_ok());
}

#[test]
fn java_only_client_overrides_are_not_supported_yet() {
    for key in [
        "producer.override.buffer.memory",
        "consumer.override.interceptor.classes",
        "admin.override.metric.reporters",
    ] {
        let errors = errors_for(sink(&[(key, "x")]), key);
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("not supported yet: {key}"))),
            "{key}: {errors:?}"
        );
    }
    assert!(sink(&[("consumer.override.max.poll.records", "10")]).is_ok());
}
