//! What this host does with every key Kafka Connect 4.3 defines for a worker and for a
//! connector: implemented (naming the test that shows it) or refused with "not supported yet:
//! KEY" (naming a value that is refused). No key is accepted and then ignored.
//!
//! The e2e test `nothing_silent` holds this table to account: it asks the Java peer for every
//! key it defines (the worker's `DistributedConfig` and `StandaloneConfig`, and the validate
//! endpoint for a sink and a source), fails on a key missing here, checks that each named test
//! exists, and feeds each refused value to this host's worker config and connector validation,
//! expecting "not supported yet: KEY". A key whose Kafka default is what this host does is
//! [`Support::DefaultOnly`]: the default is accepted, other values are refused.

/// What this host does with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Does what Kafka Connect does. `test` is `path/to/file.rs::function` of a test that shows
    /// it; `refused`, when some values are not supported yet, is one of them.
    Implemented {
        /// The test that shows it.
        test: &'static str,
        /// A value refused with "not supported yet: KEY", if some are.
        refused: Option<&'static str>,
    },
    /// Kafka's default is what this host does; any other value, such as `refused`, is refused
    /// with "not supported yet: KEY".
    DefaultOnly {
        /// A value refused with "not supported yet: KEY".
        refused: &'static str,
    },
    /// Refused whenever set, e.g. to `refused`, with "not supported yet: KEY".
    Refused {
        /// A value refused with "not supported yet: KEY".
        refused: &'static str,
    },
}

/// One key (or, ending in `.`, every key under a prefix) and what this host does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySupport {
    /// The key, or a prefix ending in `.`.
    pub key: &'static str,
    /// What this host does with it.
    pub support: Support,
}

impl KeySupport {
    /// Whether this entry covers `key` (the same key, or a key under this prefix).
    pub fn covers(&self, key: &str) -> bool {
        self.key == key || (self.key.ends_with('.') && key.starts_with(self.key))
    }
}

const fn test(key: &'static str, test: &'static str) -> KeySupport {
    KeySupport {
        key,
        support: Support::Implemented {
            test,
            refused: None,
        },
    }
}

const fn partly(key: &'static str, test: &'static str, refused: &'static str) -> KeySupport {
    KeySupport {
        key,
        support: Support::Implemented {
            test,
            refused: Some(refused),
        },
    }
}

const fn default_only(key: &'static str, refused: &'static str) -> KeySupport {
    KeySupport {
        key,
        support: Support::DefaultOnly { refused },
    }
}

const fn refused(key: &'static str, refused: &'static str) -> KeySupport {
    KeySupport {
        key,
        support: Support::Refused { refused },
    }
}

const SASL_TEST: &str = "tests/e2e/secure_kafka.rs::a_file_pipeline_runs_over_sasl_ssl_with_scram";
const SSL_TEST: &str = "tests/e2e/secure_kafka.rs::a_file_pipeline_runs_over_ssl_with_a_client_certificate_and_pkcs12_stores";
const SSL_PEM_TEST: &str =
    "tests/e2e/secure_kafka.rs::a_file_pipeline_runs_over_ssl_with_pem_text_and_pem_files";
const CLIENT_KEYS_TEST: &str =
    "host/src/config/worker_tests.rs::client_keys_reach_librdkafka_under_its_names";
const TOPICS_TEST: &str =
    "tests/e2e/startup.rs::five_workers_starting_at_once_on_fresh_topics_all_become_ready";
const SIZES_TEST: &str = "host/src/config/worker_tests.rs::internal_topic_sizes";
const SIGNING_TEST: &str = "host/src/config/inter_worker_tests.rs::every_key_is_read";
const ADVERTISED_TEST: &str = "host/src/config/worker_tests.rs::advertised_address";
const GROUP_TIMING_TEST: &str = "host/src/config/worker_tests.rs::kafka_defaults";
const CORS_TEST: &str =
    "tests/e2e/rest_options.rs::cors_and_options_answer_as_the_java_worker_with_the_same_settings";
const REST_TLS_TEST: &str =
    "tests/e2e/rest_security.rs::https_listeners_with_client_certificates_and_an_admin_listener";
const REST_AUTH_TEST: &str =
    "tests/e2e/rest_security.rs::basic_authentication_answers_as_the_java_worker_does";
const SYNC_TEST: &str = "host/src/runtime/herder/membership.rs::out_of_sync_backs_off_as_java";

/// Every worker key of Kafka Connect 4.3 (`DistributedConfig` and `StandaloneConfig`).
pub const WORKER_KEYS: &[KeySupport] = &[
    test("access.control.allow.methods", CORS_TEST),
    test("access.control.allow.origin", CORS_TEST),
    test("admin.listeners", REST_TLS_TEST),
    test(
        "bootstrap.servers",
        "tests/e2e/worker_config.rs::the_seed_environment_block_configures_a_worker",
    ),
    test("client.dns.lookup", CLIENT_KEYS_TEST),
    test("client.id", CLIENT_KEYS_TEST),
    test(
        "config.providers",
        "tests/e2e/config_providers.rs::references_resolve_where_used_and_are_never_stored_shown_or_logged",
    ),
    test("config.storage.replication.factor", SIZES_TEST),
    test("config.storage.topic", TOPICS_TEST),
    test(
        "connect.protocol",
        "tests/e2e/distributed_protocols.rs::an_eager_group_shares_its_work_and_a_sessioned_worker_joins_it_on_default",
    ),
    test("connections.max.idle.ms", CLIENT_KEYS_TEST),
    test(
        "connector.client.config.override.policy",
        "host/src/config/connector_tests.rs::client_overrides_and_policy",
    ),
    default_only("exactly.once.source.support", "enabled"),
    test(
        "group.id",
        "tests/e2e/distributed_membership.rs::membership",
    ),
    test("header.converter", HEADER_CONVERTER_TEST),
    default_only("header.converter.plugin.version", "4.3.1"),
    test("heartbeat.interval.ms", GROUP_TIMING_TEST),
    test("inter.worker.key.generation.algorithm", SIGNING_TEST),
    test("inter.worker.key.size", SIGNING_TEST),
    test("inter.worker.key.ttl.ms", SIGNING_TEST),
    test("inter.worker.signature.algorithm", SIGNING_TEST),
    test("inter.worker.verification.algorithms", SIGNING_TEST),
    test(
        "key.converter",
        "tests/e2e/file_pipeline.rs::file_round_trip_is_byte_identical",
    ),
    default_only("key.converter.plugin.version", "4.3.1"),
    test("listeners", REST_TLS_TEST),
    test("metadata.max.age.ms", CLIENT_KEYS_TEST),
    test("metadata.recovery.rebootstrap.trigger.ms", CLIENT_KEYS_TEST),
    test("metadata.recovery.strategy", CLIENT_KEYS_TEST),
    default_only("metric.reporters", "org.example.JmxLikeReporter"),
    default_only("metrics.num.samples", "3"),
    default_only("metrics.recording.level", "DEBUG"),
    default_only("metrics.sample.window.ms", "1000"),
    test(
        "offset.flush.interval.ms",
        "tests/e2e/file_pipeline.rs::kill_9_mid_stream_loses_nothing_and_replays_only_after_the_last_commit",
    ),
    test(
        "offset.flush.timeout.ms",
        "tests/e2e/sink_stop.rs::records_buffered_by_the_plugin_are_not_committed_at_stop_even_if_it_forgets_them",
    ),
    test(
        "offset.storage.file.filename",
        "tests/e2e/file_pipeline.rs::standalone_mode_runs_connector_files_and_keeps_offsets_in_a_file",
    ),
    test("offset.storage.partitions", SIZES_TEST),
    test("offset.storage.replication.factor", SIZES_TEST),
    test("offset.storage.topic", TOPICS_TEST),
    default_only("plugin.discovery", "service_load"),
    test(
        "plugin.path",
        "tests/e2e/plugin_loading.rs::a_plugin_dropped_in_is_picked_up_at_the_next_start",
    ),
    test("rebalance.timeout.ms", GROUP_TIMING_TEST),
    test("receive.buffer.bytes", CLIENT_KEYS_TEST),
    test("reconnect.backoff.max.ms", CLIENT_KEYS_TEST),
    test("reconnect.backoff.ms", CLIENT_KEYS_TEST),
    test("request.timeout.ms", CLIENT_KEYS_TEST),
    test(
        "response.http.headers.config",
        "tests/e2e/rest_options.rs::admin_listeners_serve_admin_alone_and_response_headers_reach_every_response",
    ),
    test("rest.advertised.host.name", ADVERTISED_TEST),
    test("rest.advertised.listener", ADVERTISED_TEST),
    test("rest.advertised.port", ADVERTISED_TEST),
    partly(
        "rest.extension.classes",
        REST_AUTH_TEST,
        "org.example.BasicAuthExtension",
    ),
    test("retry.backoff.max.ms", CLIENT_KEYS_TEST),
    test("retry.backoff.ms", CLIENT_KEYS_TEST),
    refused("sasl.", "com.example.Other"),
    partly(
        "sasl.jaas.config",
        SASL_TEST,
        "com.sun.security.auth.module.Krb5LoginModule required;",
    ),
    partly("sasl.mechanism", SASL_TEST, "GSSAPI"),
    test(
        "scheduled.rebalance.max.delay.ms",
        "tests/e2e/distributed_membership.rs::assert_taken_over_after",
    ),
    test("security.protocol", SASL_TEST),
    test("send.buffer.bytes", CLIENT_KEYS_TEST),
    test("session.timeout.ms", GROUP_TIMING_TEST),
    test("socket.connection.setup.timeout.ms", CLIENT_KEYS_TEST),
    default_only("socket.connection.setup.timeout.max.ms", "5000"),
    default_only("ssl.cipher.suites", "TLS_AES_128_GCM_SHA256"),
    test("ssl.client.auth", REST_TLS_TEST),
    default_only("ssl.enabled.protocols", "TLSv1.2"),
    test("ssl.endpoint.identification.algorithm", SSL_PEM_TEST),
    default_only("ssl.engine.factory.class", "com.example.Engine"),
    test("ssl.key.password", SSL_PEM_TEST),
    default_only("ssl.keymanager.algorithm", "PKIX"),
    test("ssl.keystore.certificate.chain", SSL_PEM_TEST),
    test("ssl.keystore.key", SSL_PEM_TEST),
    test("ssl.keystore.location", SSL_TEST),
    test("ssl.keystore.password", SSL_TEST),
    test("ssl.keystore.type", SSL_TEST),
    default_only("ssl.protocol", "TLSv1.2"),
    default_only("ssl.provider", "SunJSSE"),
    default_only("ssl.secure.random.implementation", "SHA1PRNG"),
    default_only("ssl.trustmanager.algorithm", "SunX509"),
    test("ssl.truststore.certificates", SSL_PEM_TEST),
    test("ssl.truststore.location", SSL_TEST),
    test("ssl.truststore.password", SSL_TEST),
    test("ssl.truststore.type", SSL_TEST),
    test("status.storage.partitions", SIZES_TEST),
    test("status.storage.replication.factor", SIZES_TEST),
    test("status.storage.topic", TOPICS_TEST),
    test(
        "task.shutdown.graceful.timeout.ms",
        "tests/e2e/sink_stop.rs::a_put_that_never_returns_is_abandoned_and_nothing_of_it_is_committed",
    ),
    // Only enables the connectors' `topic.creation.*` settings, which are refused: either value
    // does what Kafka does with them absent.
    test(
        "topic.creation.enable",
        "host/src/config/connector_tests.rs::source_keys_this_host_does_not_implement_are_not_supported_yet",
    ),
    test(
        "topic.tracking.allow.reset",
        "host/src/rest/tests.rs::topic_endpoints",
    ),
    test(
        "topic.tracking.enable",
        "host/src/rest/tests.rs::topic_endpoints",
    ),
    test(
        "value.converter",
        "tests/e2e/file_pipeline.rs::file_round_trip_is_byte_identical",
    ),
    default_only("value.converter.plugin.version", "4.3.1"),
    test("worker.sync.timeout.ms", SYNC_TEST),
    test("worker.unsync.backoff.ms", SYNC_TEST),
];

const LIFECYCLE_TEST: &str = "tests/e2e/rest_contract.rs::connector_lifecycle_endpoints";
const CONVERSION_TEST: &str = "tests/e2e/error_handling.rs::a_conversion_failure_without_tolerance_fails_the_task_with_the_converter_message";
const DLQ_TEST: &str = "tests/e2e/error_handling.rs::tolerated_bad_records_go_to_the_dead_letter_queue_and_good_ones_are_delivered";
const RETRY_TEST: &str = "tests/e2e/plugin_transforms.rs::retriable_failures_are_retried_for_errors_retry_timeout_and_fail_at_once_without_it";
const HEADER_CONVERTER_TEST: &str =
    "tests/e2e/transforms_vs_java.rs::the_same_chains_write_the_same_records_on_both_workers";
const FILE_TEST: &str = "tests/e2e/file_pipeline.rs::file_round_trip_is_byte_identical";
const TRANSFORMS_TEST: &str =
    "tests/e2e/transforms.rs::a_filter_with_a_predicate_drops_tombstones_and_still_commits_them";

/// Every connector key Kafka Connect 4.3 lists for a sink and a source (the file connectors'
/// own keys included), and the prefixes of connector settings Kafka passes on.
pub const CONNECTOR_KEYS: &[KeySupport] = &[
    test("name", LIFECYCLE_TEST),
    test("connector.class", LIFECYCLE_TEST),
    // The loaded version (or none) is accepted; another is refused.
    default_only("connector.plugin.version", "0.0.0-not-installed"),
    test(
        "tasks.max",
        "host/src/config/connector_tests.rs::tasks_max_rules",
    ),
    test(
        "tasks.max.enforce",
        "host/src/config/connector_tests.rs::tasks_max_rules",
    ),
    test("key.converter", CONVERSION_TEST),
    default_only("key.converter.plugin.version", "4.3.1"),
    test("value.converter", CONVERSION_TEST),
    default_only("value.converter.plugin.version", "4.3.1"),
    test("header.converter", HEADER_CONVERTER_TEST),
    default_only("header.converter.plugin.version", "4.3.1"),
    test("transforms", TRANSFORMS_TEST),
    test("predicates", TRANSFORMS_TEST),
    test(
        "config.action.reload",
        "tests/e2e/config_providers.rs::expiring_values_restart_the_connector_unless_reload_is_none",
    ),
    test("errors.retry.timeout", RETRY_TEST),
    test("errors.retry.delay.max.ms", RETRY_TEST),
    test("errors.tolerance", DLQ_TEST),
    test("errors.log.enable", DLQ_TEST),
    test("errors.log.include.messages", DLQ_TEST),
    test("topics", FILE_TEST),
    test(
        "topics.regex",
        "tests/e2e/topics_regex.rs::a_regex_reads_only_the_topics_it_matches_in_full_and_picks_up_new_ones",
    ),
    test("errors.deadletterqueue.topic.name", DLQ_TEST),
    test(
        "errors.deadletterqueue.topic.replication.factor",
        "tests/e2e/error_handling.rs::the_dead_letter_queue_topic_is_created_with_its_replication_factor_by_the_connectors_admin_client",
    ),
    test("errors.deadletterqueue.context.headers.enable", DLQ_TEST),
    refused("topic.creation.", "compacted"),
    default_only("exactly.once.support", "required"),
    default_only("transaction.boundary", "interval"),
    refused("transaction.boundary.interval.ms", "1000"),
    refused("offsets.storage.topic", "my-connector-offsets"),
    // The file connectors' own keys.
    test("file", FILE_TEST),
    test("topic", FILE_TEST),
    test("batch.size", FILE_TEST),
    // Settings passed on under a prefix.
    test(
        "producer.override.",
        "tests/e2e/file_pipeline.rs::a_source_producer_override_reaches_its_producer",
    ),
    test(
        "consumer.override.",
        "tests/e2e/topics_regex.rs::a_regex_reads_only_the_topics_it_matches_in_full_and_picks_up_new_ones",
    ),
    test(
        "admin.override.",
        "tests/e2e/error_handling.rs::the_dead_letter_queue_topic_is_created_with_its_replication_factor_by_the_connectors_admin_client",
    ),
    test("key.converter.", CONVERSION_TEST),
    test("value.converter.", DLQ_TEST),
    test("transforms.", TRANSFORMS_TEST),
    test("predicates.", TRANSFORMS_TEST),
];

/// The entry covering `key` in `table`: the key itself, else the longest prefix.
pub fn lookup(table: &'static [KeySupport], key: &str) -> Option<&'static KeySupport> {
    table.iter().find(|e| e.key == key).or_else(|| {
        table
            .iter()
            .filter(|e| e.covers(key))
            .max_by_key(|e| e.key.len())
    })
}

/// Where the tests named in the tables live, for the check that they exist.
pub const TEST_FILE_PREFIXES: &[&str] = &["host/", "tests/"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_win_over_prefixes_and_the_longest_prefix_wins() {
        assert_eq!(
            lookup(CONNECTOR_KEYS, "key.converter").unwrap().key,
            "key.converter"
        );
        assert_eq!(
            lookup(CONNECTOR_KEYS, "key.converter.plugin.version")
                .unwrap()
                .key,
            "key.converter.plugin.version"
        );
        assert_eq!(
            lookup(CONNECTOR_KEYS, "key.converter.schemas.enable")
                .unwrap()
                .key,
            "key.converter."
        );
        assert_eq!(
            lookup(WORKER_KEYS, "sasl.login.class").unwrap().key,
            "sasl."
        );
        assert_eq!(
            lookup(WORKER_KEYS, "sasl.mechanism").unwrap().key,
            "sasl.mechanism"
        );
        assert!(lookup(WORKER_KEYS, "no.such.key").is_none());
    }

    #[test]
    fn tests_are_named_as_file_and_function() {
        for entry in WORKER_KEYS.iter().chain(CONNECTOR_KEYS) {
            if let Support::Implemented { test, .. } = entry.support {
                let (file, function) = test.split_once("::").unwrap_or_else(|| panic!("{test}"));
                assert!(
                    file.ends_with(".rs") && TEST_FILE_PREFIXES.iter().any(|p| file.starts_with(p)),
                    "{}: {test}",
                    entry.key
                );
                assert!(!function.is_empty() && !function.contains(':'), "{test}");
            }
        }
    }
}
