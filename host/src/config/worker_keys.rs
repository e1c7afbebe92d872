//! The catalogue of worker keys: which keys a Kafka Connect worker defines (contract §2.1/§2.2,
//! `WorkerConfig`, `DistributedConfig`, `StandaloneConfig`, `RestServerConfig`, plus the AK 2.5
//! keys still seen in the wild), which prefixes pass settings through to clients, converters,
//! REST TLS and internal topics, and which keys are accepted but have no effect here. Anything
//! else is an unknown key, reported with the nearest known key as a suggestion.

use super::suggest::closest;
use super::worker::Mode;

/// Keys that [`super::WorkerConfig`] reads into typed fields, in both modes.
pub(crate) const COMMON_KEYS: &[&str] = &[
    "bootstrap.servers",
    "key.converter",
    "value.converter",
    "header.converter",
    "offset.flush.interval.ms",
    "offset.flush.timeout.ms",
    "task.shutdown.graceful.timeout.ms",
    "plugin.path",
    "config.providers",
    "connector.client.config.override.policy",
    "topic.creation.enable",
    "topic.tracking.enable",
    "topic.tracking.allow.reset",
    "listeners",
    "rest.host.name",
    "rest.port",
    "rest.advertised.host.name",
    "rest.advertised.port",
    "rest.advertised.listener",
    "admin.listeners",
    "access.control.allow.origin",
    "access.control.allow.methods",
    "response.http.headers.config",
    "rest.extension.classes",
];

/// Keys read into typed fields in distributed mode only.
pub(crate) const DISTRIBUTED_KEYS: &[&str] = &[
    "group.id",
    "config.storage.topic",
    "config.storage.replication.factor",
    "config.storage.partitions",
    "offset.storage.topic",
    "offset.storage.partitions",
    "offset.storage.replication.factor",
    "status.storage.topic",
    "status.storage.partitions",
    "status.storage.replication.factor",
    "connect.protocol",
    "scheduled.rebalance.max.delay.ms",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "rebalance.timeout.ms",
    "worker.sync.timeout.ms",
    "worker.unsync.backoff.ms",
    "exactly.once.source.support",
    // Read by `super::inter_worker` (KIP-507 request signing).
    "inter.worker.key.generation.algorithm",
    "inter.worker.key.size",
    "inter.worker.key.ttl.ms",
    "inter.worker.signature.algorithm",
    "inter.worker.verification.algorithms",
];

/// Keys read into typed fields in standalone mode only.
pub(crate) const STANDALONE_KEYS: &[&str] = &["offset.storage.file.filename"];

/// Unprefixed Kafka client settings the worker applies to its own clients (and, like Kafka,
/// as the base of every task client); kept in [`super::WorkerConfig::client`].
pub(crate) const CLIENT_KEYS: &[&str] = &[
    "client.id",
    "client.dns.lookup",
    "metadata.max.age.ms",
    "request.timeout.ms",
    "retry.backoff.ms",
    "retry.backoff.max.ms",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "send.buffer.bytes",
    "receive.buffer.bytes",
    "connections.max.idle.ms",
    "socket.connection.setup.timeout.ms",
    "metadata.recovery.strategy",
    "metadata.recovery.rebootstrap.trigger.ms",
];

/// Keys Kafka Connect 4.3 no longer defines (it logs and ignores them as unknown), accepted and
/// logged the same way here, with the reason.
pub(crate) const IGNORED_KEYS: &[(&str, &str)] = &[
    (
        "auto.include.jmx.reporter",
        "there is no JMX (and Kafka 4.0 removed the key)",
    ),
    (
        "internal.key.converter",
        "removed in Kafka 3.0; internal topics always use JSON without schemas",
    ),
    (
        "internal.value.converter",
        "removed in Kafka 3.0; internal topics always use JSON without schemas",
    ),
    ("zookeeper.connect", "Kafka Connect never used ZooKeeper"),
];

/// Kafka Connect worker keys whose Kafka default is what this worker does: the default (or an
/// empty value, for keys without one) is accepted, any other value is refused with
/// "not supported yet: KEY" and the reason. (key, Kafka's default, reason)
pub(crate) const DEFAULT_ONLY_KEYS: &[(&str, &str, &str)] = &[
    (
        "metric.reporters",
        "",
        "metric reporters are Java classes; remove the key",
    ),
    (
        "metrics.sample.window.ms",
        "30000",
        "worker metrics are not sampled through Kafka's metrics library yet; remove the key",
    ),
    (
        "metrics.num.samples",
        "2",
        "worker metrics are not sampled through Kafka's metrics library yet; remove the key",
    ),
    (
        "metrics.recording.level",
        "INFO",
        "worker metrics are not sampled through Kafka's metrics library yet; remove the key",
    ),
    (
        "plugin.discovery",
        "hybrid_warn",
        "plugins are native libraries found by their ABI root module, not Java ServiceLoader manifests; remove the key",
    ),
    (
        "socket.connection.setup.timeout.max.ms",
        "30000",
        "librdkafka has one connection set-up timeout (socket.connection.setup.timeout.ms), not an exponential one; remove the key",
    ),
    (
        "key.converter.plugin.version",
        "",
        "this worker runs one version of each converter, its built-in one; remove the key",
    ),
    (
        "value.converter.plugin.version",
        "",
        "this worker runs one version of each converter, its built-in one; remove the key",
    ),
    (
        "header.converter.plugin.version",
        "",
        "this worker runs one version of each converter, its built-in one; remove the key",
    ),
];

/// Java client settings that have no librdkafka counterpart, refused under `producer.`,
/// `consumer.`, `admin.` and the connectors' `*.override.` prefixes (librdkafka would refuse an
/// unknown name too, but later and less clearly), with the reason.
pub(crate) const UNSUPPORTED_CLIENT_SETTINGS: &[(&str, &str)] = &[
    (
        "key.serializer",
        "the worker's clients always carry bytes (the converters make them); remove the key",
    ),
    (
        "value.serializer",
        "the worker's clients always carry bytes (the converters make them); remove the key",
    ),
    (
        "key.deserializer",
        "the worker's clients always carry bytes (the converters read them); remove the key",
    ),
    (
        "value.deserializer",
        "the worker's clients always carry bytes (the converters read them); remove the key",
    ),
    (
        "interceptor.classes",
        "client interceptors are Java classes; remove the key",
    ),
    (
        "metric.reporters",
        "metric reporters are Java classes; remove the key",
    ),
    (
        "buffer.memory",
        "librdkafka bounds its send queue with queue.buffering.max.kbytes and queue.buffering.max.messages instead",
    ),
    (
        "max.block.ms",
        "librdkafka does not block a send; remove the key",
    ),
];

/// Why the client setting `key` (prefix removed) is refused, if it is.
pub(crate) fn client_setting_refusal(key: &str) -> Option<&'static str> {
    UNSUPPORTED_CLIENT_SETTINGS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, why)| *why)
}

/// Prefixes whose keys are accepted and ignored, with the reason.
pub(crate) const IGNORED_PREFIXES: &[(&str, &str)] = &[
    (
        "metrics.context.",
        "worker metrics are not exported through Kafka metric reporters",
    ),
    (
        "internal.key.converter.",
        "removed in Kafka 3.0; internal topics always use JSON without schemas",
    ),
    (
        "internal.value.converter.",
        "removed in Kafka 3.0; internal topics always use JSON without schemas",
    ),
];

/// Where a pass-through prefix's settings go (the prefix is stripped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Passthrough {
    /// `producer.*` → source task and DLQ producers.
    Producer,
    /// `consumer.*` → sink task consumers.
    Consumer,
    /// `admin.*` → admin clients.
    Admin,
    /// `key.converter.*`.
    KeyConverter,
    /// `value.converter.*`.
    ValueConverter,
    /// `header.converter.*`.
    HeaderConverter,
    /// `config.providers.*` (`<alias>.class`, `<alias>.param.<k>`).
    ConfigProviders,
    /// `listeners.https.*` (REST TLS).
    ListenersHttps,
    /// `admin.listeners.https.*` (admin REST TLS).
    AdminListenersHttps,
    /// `config.storage.*` topic settings (distributed).
    ConfigTopic,
    /// `offset.storage.*` topic settings (distributed).
    OffsetTopic,
    /// `status.storage.*` topic settings (distributed).
    StatusTopic,
}

/// Pass-through prefixes, most specific first (`admin.listeners.https.` before `admin.`).
pub(crate) const PASSTHROUGH_PREFIXES: &[(&str, Passthrough)] = &[
    ("admin.listeners.https.", Passthrough::AdminListenersHttps),
    ("listeners.https.", Passthrough::ListenersHttps),
    ("producer.", Passthrough::Producer),
    ("consumer.", Passthrough::Consumer),
    ("admin.", Passthrough::Admin),
    ("key.converter.", Passthrough::KeyConverter),
    ("value.converter.", Passthrough::ValueConverter),
    ("header.converter.", Passthrough::HeaderConverter),
    ("config.providers.", Passthrough::ConfigProviders),
    ("config.storage.", Passthrough::ConfigTopic),
    ("offset.storage.", Passthrough::OffsetTopic),
    ("status.storage.", Passthrough::StatusTopic),
];

/// What a worker key is, for a given mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyClass {
    /// Read into a typed field.
    Typed,
    /// An unprefixed client setting.
    Client,
    /// Settings under a pass-through prefix (the prefix itself, and where it goes).
    Prefixed(&'static str, Passthrough),
    /// Accepted, no effect here (reason).
    Ignored(&'static str),
    /// Accepted at Kafka's default (the default, the reason when refused).
    DefaultOnly(&'static str, &'static str),
    /// A key of the other mode: accepted, no effect in this one.
    OtherMode(Mode),
    /// Not a worker key.
    Unknown,
}

fn is_internal_topic_prefix(p: Passthrough) -> bool {
    matches!(
        p,
        Passthrough::ConfigTopic | Passthrough::OffsetTopic | Passthrough::StatusTopic
    )
}

/// Classify `key` for a worker running in `mode`.
pub(crate) fn classify(key: &str, mode: Mode) -> KeyClass {
    let (own, other, other_mode) = match mode {
        Mode::Distributed => (DISTRIBUTED_KEYS, STANDALONE_KEYS, Mode::Standalone),
        Mode::Standalone => (STANDALONE_KEYS, DISTRIBUTED_KEYS, Mode::Distributed),
    };
    if COMMON_KEYS.contains(&key) || own.contains(&key) {
        return KeyClass::Typed;
    }
    if other.contains(&key) {
        return KeyClass::OtherMode(other_mode);
    }
    if let Some((_, default, why)) = DEFAULT_ONLY_KEYS.iter().find(|(k, _, _)| *k == key) {
        return KeyClass::DefaultOnly(default, why);
    }
    if CLIENT_KEYS.contains(&key) || super::kafka_security::is_security_key(key) {
        return KeyClass::Client;
    }
    if let Some((_, why)) = IGNORED_KEYS.iter().find(|(k, _)| *k == key) {
        return KeyClass::Ignored(why);
    }
    if let Some((_, why)) = IGNORED_PREFIXES.iter().find(|(p, _)| key.starts_with(p)) {
        return KeyClass::Ignored(why);
    }
    if let Some((prefix, dest)) = PASSTHROUGH_PREFIXES
        .iter()
        .find(|(p, _)| key.starts_with(p))
    {
        if is_internal_topic_prefix(*dest) && mode == Mode::Standalone {
            return KeyClass::OtherMode(Mode::Distributed);
        }
        return KeyClass::Prefixed(prefix, *dest);
    }
    KeyClass::Unknown
}

/// The nearest known key (or `prefix + rest` for a mistyped prefix such as `produser.acks`).
pub(crate) fn suggest(key: &str) -> Option<String> {
    let exact = COMMON_KEYS
        .iter()
        .chain(DISTRIBUTED_KEYS)
        .chain(STANDALONE_KEYS)
        .chain(CLIENT_KEYS)
        .copied()
        .chain(DEFAULT_ONLY_KEYS.iter().map(|(k, _, _)| *k))
        .chain(IGNORED_KEYS.iter().map(|(k, _)| *k));
    if let Some(hit) = closest(key, exact) {
        return Some(hit.to_string());
    }
    // A mistyped prefix: compare the key's first segment(s) with each known prefix.
    let prefixes = PASSTHROUGH_PREFIXES.iter().map(|(p, _)| *p);
    for prefix in prefixes {
        let segments = prefix.matches('.').count();
        let mut cut = 0;
        for _ in 0..segments {
            match key[cut..].find('.') {
                Some(i) => cut += i + 1,
                None => {
                    cut = 0;
                    break;
                }
            }
        }
        if cut > 0 && cut < key.len() && closest(&key[..cut], [prefix]).is_some() {
            return Some(format!("{prefix}{}", &key[cut..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_keys_win_over_prefixes() {
        assert_eq!(
            classify("admin.listeners", Mode::Distributed),
            KeyClass::Typed
        );
        assert_eq!(
            classify(
                "admin.listeners.https.ssl.keystore.location",
                Mode::Distributed
            ),
            KeyClass::Prefixed("admin.listeners.https.", Passthrough::AdminListenersHttps)
        );
        assert_eq!(
            classify("admin.retries", Mode::Distributed),
            KeyClass::Prefixed("admin.", Passthrough::Admin)
        );
        assert_eq!(
            classify("offset.storage.topic", Mode::Distributed),
            KeyClass::Typed
        );
        assert_eq!(
            classify("offset.storage.cleanup.policy", Mode::Distributed),
            KeyClass::Prefixed("offset.storage.", Passthrough::OffsetTopic)
        );
        assert_eq!(
            classify("config.providers", Mode::Standalone),
            KeyClass::Typed
        );
    }

    #[test]
    fn mode_specific_keys() {
        assert_eq!(
            classify("group.id", Mode::Standalone),
            KeyClass::OtherMode(Mode::Distributed)
        );
        assert_eq!(
            classify("offset.storage.file.filename", Mode::Distributed),
            KeyClass::OtherMode(Mode::Standalone)
        );
        assert_eq!(
            classify("offset.storage.file.filename", Mode::Standalone),
            KeyClass::Typed
        );
        assert_eq!(
            classify("status.storage.cleanup.policy", Mode::Standalone),
            KeyClass::OtherMode(Mode::Distributed)
        );
    }

    #[test]
    fn client_ignored_unknown() {
        assert_eq!(classify("client.id", Mode::Distributed), KeyClass::Client);
        assert_eq!(
            classify("security.protocol", Mode::Distributed),
            KeyClass::Client
        );
        assert_eq!(
            classify("sasl.jaas.config", Mode::Distributed),
            KeyClass::Client
        );
        assert!(matches!(
            classify("metric.reporters", Mode::Standalone),
            KeyClass::DefaultOnly("", _)
        ));
        assert!(matches!(
            classify("key.converter.plugin.version", Mode::Standalone),
            KeyClass::DefaultOnly("", _)
        ));
        assert!(matches!(
            classify("internal.key.converter.schemas.enable", Mode::Distributed),
            KeyClass::Ignored(_)
        ));
        assert_eq!(
            classify("bootstrap.server", Mode::Distributed),
            KeyClass::Unknown
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("bootstrap.server").as_deref(),
            Some("bootstrap.servers")
        );
        assert_eq!(
            suggest("ofset.flush.interval.ms").as_deref(),
            Some("offset.flush.interval.ms")
        );
        assert_eq!(suggest("produser.acks").as_deref(), Some("producer.acks"));
        assert_eq!(
            suggest("key.convertr.schemas.enable").as_deref(),
            Some("key.converter.schemas.enable")
        );
        assert_eq!(suggest("completely.unrelated.thing"), None);
    }
}
