//! `WorkerConfig`: the worker's settings (contract §2), typed and checked once at start-up so a
//! bad file fails fast with every problem listed. Sources: a worker file (`.properties`, YAML or
//! JSON) overlaid by `CONNECT_*` environment variables (the `cp-kafka-connect` convention).
//! Key names, defaults and meanings are Kafka Connect's; unknown keys are errors (with a
//! "did you mean"), known keys without effect here are kept in [`WorkerConfig::ignored`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ConfigError;
use super::cors::CorsConfig;
use super::env::{env_var_name, properties_from_env};
use super::file::load_file;
use super::inter_worker::{self, InterWorkerConfig};
use super::listener::{Listener, Scheme};
use super::response_headers::{self, HeaderRule};
use super::rest_tls::{self, RestTls, TlsSettings};
use super::value::{parse_bool, parse_list, parse_long, parse_one_of_ignore_case, trim};
use super::worker_keys::{KeyClass, Passthrough, classify, client_setting_refusal, suggest};

const SCOPE: &str = "worker config";

/// Default `header.converter`.
pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// How the worker runs: alone with a local offsets file, or as a member of a Connect cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `connect-standalone`: offsets in `offset.storage.file.filename`, configs in memory.
    Standalone,
    /// `connect-distributed`: a Kafka group with config/offset/status topics.
    Distributed,
}

impl Mode {
    /// `standalone` or `distributed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Standalone => "standalone",
            Mode::Distributed => "distributed",
        }
    }
}

/// A converter class and its sub-settings (`key.converter.*` with the prefix stripped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConverterSetting {
    /// Class name or alias, as written.
    pub class: String,
    /// Sub-settings, prefix stripped (e.g. `schemas.enable`).
    pub settings: BTreeMap<String, String>,
}

/// One of the distributed worker's internal topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalTopic {
    /// Topic name.
    pub name: String,
    /// Partitions to create it with; `-1` = broker default. Always 1 for the config topic.
    pub partitions: i32,
    /// Replication factor to create it with; `-1` = broker default. Kept as configured: like
    /// Kafka, the worker does not lower it to the broker count.
    pub replication_factor: i16,
    /// Extra topic-level settings (`offset.storage.cleanup.policy` → `cleanup.policy`).
    pub settings: BTreeMap<String, String>,
}

/// The group membership protocol (`connect.protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectProtocol {
    /// Stop-the-world rebalancing.
    Eager,
    /// Incremental cooperative rebalancing.
    Compatible,
    /// Incremental cooperative rebalancing with signed internal requests (default).
    Sessioned,
}

/// Which connector client overrides (`producer.override.*`, …) are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverridePolicy {
    /// No overrides (AK 2.5's default).
    None,
    /// Only `sasl.jaas.config`, `sasl.mechanism`, `security.protocol`.
    Principal,
    /// Any override (Kafka ≥ 3.0's default, and ours).
    All,
}

/// Settings of the distributed mode (contract §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributedConfig {
    /// The Connect cluster's Kafka group (`group.id`).
    pub group_id: String,
    /// `config.storage.*`.
    pub config_topic: InternalTopic,
    /// `offset.storage.*`.
    pub offset_topic: InternalTopic,
    /// `status.storage.*`.
    pub status_topic: InternalTopic,
    /// `connect.protocol` (default sessioned).
    pub connect_protocol: ConnectProtocol,
    /// `scheduled.rebalance.max.delay.ms` (default 300000).
    pub scheduled_rebalance_max_delay: Duration,
    /// `session.timeout.ms` (default 10000).
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms` (default 3000).
    pub heartbeat_interval: Duration,
    /// `rebalance.timeout.ms` (default 60000).
    pub rebalance_timeout: Duration,
    /// `worker.sync.timeout.ms` (default 3000).
    pub worker_sync_timeout: Duration,
    /// `worker.unsync.backoff.ms` (default 300000).
    pub worker_unsync_backoff: Duration,
    /// `inter.worker.*`: session keys and signatures of requests between workers (KIP-507).
    pub inter_worker: InterWorkerConfig,
}

/// Kafka's basic-authentication REST extension, which this worker has built in.
pub const BASIC_AUTH_EXTENSION: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

/// REST server settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestConfig {
    /// Where to listen: `listeners`, else the deprecated `rest.host.name`/`rest.port`, else
    /// `http://:8083`.
    pub listeners: Vec<Listener>,
    /// `admin.listeners`: `None` = admin endpoints on [`RestConfig::listeners`]; empty = disabled.
    pub admin_listeners: Option<Vec<Listener>>,
    /// `rest.advertised.host.name`: the host other workers (and `worker_id`) use.
    pub advertised_host_name: Option<String>,
    /// `rest.advertised.port`.
    pub advertised_port: Option<u16>,
    /// `rest.advertised.listener` (`http`/`https`).
    pub advertised_listener: Option<Scheme>,
    /// `access.control.allow.origin` and `access.control.allow.methods` (CORS; `None`: off).
    pub cors: Option<CorsConfig>,
    /// `response.http.headers.config`: headers added to every REST response.
    pub response_headers: Vec<HeaderRule>,
    /// `listeners.https.*` as written, prefix stripped.
    pub https: BTreeMap<String, String>,
    /// `admin.listeners.https.*` as written, prefix stripped.
    pub admin_https: BTreeMap<String, String>,
    /// The TLS keys of the main `https://` listeners (and of this worker's requests to other
    /// workers): `listeners.https.ssl.*` if any is set, else the top-level `ssl.*`.
    pub tls: TlsSettings,
    /// The TLS keys of the `https://` admin listeners: `admin.listeners.https.ssl.*` if any is
    /// set, else the top-level `ssl.*`.
    pub admin_tls: TlsSettings,
    /// `rest.extension.classes` names Kafka's `BasicAuthSecurityRestExtension`: requests to the
    /// main listeners need HTTP basic credentials from the JAAS file of `KAFKA_OPTS`.
    pub basic_auth: bool,
}

impl RestConfig {
    /// The protocol other workers reach this one with: `rest.advertised.listener`, else http if
    /// any listener is http, else https (Kafka's `RestServer.determineAdvertisedProtocol`).
    pub fn advertised_scheme(&self) -> Scheme {
        self.advertised_listener.unwrap_or_else(|| {
            if self.listeners.iter().any(|l| l.scheme == Scheme::Http) || self.listeners.is_empty()
            {
                Scheme::Http
            } else {
                Scheme::Https
            }
        })
    }

    /// The listener other workers reach this one on: the first of [`Self::advertised_scheme`].
    pub fn advertised_listener(&self) -> Option<&Listener> {
        let scheme = self.advertised_scheme();
        self.listeners.iter().find(|l| l.scheme == scheme)
    }
}

/// The worker's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Standalone or distributed.
    pub mode: Mode,
    /// `bootstrap.servers` (default `localhost:9092`).
    pub bootstrap_servers: Vec<String>,
    /// `key.converter` (required) and `key.converter.*`.
    pub key_converter: ConverterSetting,
    /// `value.converter` (required) and `value.converter.*`.
    pub value_converter: ConverterSetting,
    /// `header.converter` (default SimpleHeaderConverter) and `header.converter.*`.
    pub header_converter: ConverterSetting,
    /// `offset.flush.interval.ms` (default 60000): source offset flush and sink commit cadence.
    pub offset_flush_interval: Duration,
    /// `offset.flush.timeout.ms` (default 5000).
    pub offset_flush_timeout: Duration,
    /// `task.shutdown.graceful.timeout.ms` (default 5000).
    pub task_shutdown_graceful_timeout: Duration,
    /// `plugin.path`: top-level plugin directories (empty if unset).
    pub plugin_path: Vec<PathBuf>,
    /// REST listeners and advertised address.
    pub rest: RestConfig,
    /// `connector.client.config.override.policy` (default `All`).
    pub override_policy: OverridePolicy,
    /// `config.providers` aliases.
    pub config_providers: Vec<String>,
    /// `config.providers.*` (e.g. `file.class`, `file.param.allowed.paths`), prefix stripped.
    pub config_provider_settings: BTreeMap<String, String>,
    /// `topic.creation.enable` (default true).
    pub topic_creation_enable: bool,
    /// `topic.tracking.enable` (default true).
    pub topic_tracking_enable: bool,
    /// `topic.tracking.allow.reset` (default true).
    pub topic_tracking_allow_reset: bool,
    /// Unprefixed client settings (`security.protocol`, `ssl.*`, `sasl.*`, `client.id`, …) for
    /// the worker's own clients and as the base of task clients.
    pub client: BTreeMap<String, String>,
    /// `producer.*`, prefix stripped.
    pub producer: BTreeMap<String, String>,
    /// `consumer.*`, prefix stripped.
    pub consumer: BTreeMap<String, String>,
    /// `admin.*`, prefix stripped.
    pub admin: BTreeMap<String, String>,
    /// Distributed settings (`Some` exactly in [`Mode::Distributed`]).
    pub distributed: Option<DistributedConfig>,
    /// `offset.storage.file.filename` (`Some` exactly in [`Mode::Standalone`]).
    pub offset_storage_file: Option<PathBuf>,
    /// Keys accepted without effect here → why (log them with [`WorkerConfig::log_ignored`]).
    pub ignored: BTreeMap<String, String>,
    /// Every key/value as given (file overlaid by environment), for config-provider resolution.
    pub originals: BTreeMap<String, String>,
}

impl WorkerConfig {
    /// Load a worker: properties from `file` (if any, format by extension), overlaid by
    /// `CONNECT_*` variables from `env` (e.g. `std::env::vars()`), then [`Self::from_props`].
    pub fn load<I, K, V>(
        mode: Mode,
        file: Option<&Path>,
        env: I,
    ) -> Result<WorkerConfig, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        WorkerConfig::from_props(mode, WorkerConfig::load_props(file, env)?)
    }

    /// The worker properties of `file` (if any) and the `CONNECT_*` variables of `env`, as
    /// written: config provider references are not resolved yet (the caller resolves them
    /// with the providers these settings name, then calls [`Self::from_props`]).
    pub fn load_props<I, K, V>(
        file: Option<&Path>,
        env: I,
    ) -> Result<BTreeMap<String, String>, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut props = match file {
            Some(path) => load_file(path)?,
            None => BTreeMap::new(),
        };
        props.extend(properties_from_env(env));
        Ok(props)
    }

    /// `plugin.path` of `props`: the directories, empty entries dropped. Read before the
    /// config is typed (Kafka loads plugins from the unresolved setting, so that a plugin's
    /// config provider can resolve the other worker settings).
    pub fn plugin_path_of(props: &BTreeMap<String, String>) -> Vec<PathBuf> {
        props
            .get("plugin.path")
            .map(|v| {
                parse_list(v)
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Type and check worker properties. Every problem is reported at once.
    pub fn from_props(
        mode: Mode,
        props: BTreeMap<String, String>,
    ) -> Result<WorkerConfig, ConfigError> {
        let mut r = Reader {
            props: &props,
            mode,
            errors: Vec::new(),
        };
        let mut sorted = Sorted::default();
        for (key, value) in &props {
            r.sort_key(key, value, &mut sorted);
        }

        let bootstrap_servers = r.bootstrap_servers();
        let key_converter = r.converter("key.converter", None, sorted.key_converter);
        let value_converter = r.converter("value.converter", None, sorted.value_converter);
        let header_converter = r.converter(
            "header.converter",
            Some(DEFAULT_HEADER_CONVERTER),
            sorted.header_converter,
        );
        // Kafka's four header converters run; a header converter plugin does not yet.
        if connect_data::convert::resolve_header_converter_class(&header_converter.class).is_none()
        {
            r.errors.push(ConfigError::Unsupported {
                scope: SCOPE,
                key: "header.converter".to_string(),
                reason: format!(
                    "'{}' (this worker runs org.apache.kafka.connect.storage.SimpleHeaderConverter, StringConverter, \
                     JsonConverter and ByteArrayConverter as header converters, not header converter plugins; use one of those)",
                    header_converter.class.trim()
                ),
            });
        }
        let offset_flush_interval = r.millis("offset.flush.interval.ms", 60_000);
        let offset_flush_timeout = r.millis("offset.flush.timeout.ms", 5_000);
        let task_shutdown_graceful_timeout = r.millis("task.shutdown.graceful.timeout.ms", 5_000);
        let plugin_path = WorkerConfig::plugin_path_of(&props);
        let rest = r.rest(
            sorted.https,
            sorted.admin_https,
            &sorted.client,
            &mut sorted.ignored,
        );
        let override_policy = r.override_policy();
        let config_providers = r
            .raw("config.providers")
            .map(parse_list)
            .unwrap_or_default();
        r.check_config_providers(&config_providers, &sorted.config_providers);
        let topic_creation_enable = r.bool("topic.creation.enable", true);
        let topic_tracking_enable = r.bool("topic.tracking.enable", true);
        let topic_tracking_allow_reset = r.bool("topic.tracking.allow.reset", true);

        let (distributed, offset_storage_file) = match mode {
            Mode::Distributed => (Some(r.distributed(sorted.topics)), None),
            Mode::Standalone => (None, Some(r.offset_storage_file())),
        };

        let mut errors = r.errors;
        let config = WorkerConfig {
            mode,
            bootstrap_servers,
            key_converter,
            value_converter,
            header_converter,
            offset_flush_interval,
            offset_flush_timeout,
            task_shutdown_graceful_timeout,
            plugin_path,
            rest,
            override_policy,
            config_providers,
            config_provider_settings: sorted.config_providers,
            topic_creation_enable,
            topic_tracking_enable,
            topic_tracking_allow_reset,
            client: sorted.client,
            producer: sorted.producer,
            consumer: sorted.consumer,
            admin: sorted.admin,
            distributed,
            offset_storage_file,
            ignored: sorted.ignored,
            originals: props,
        };
        errors.extend(config.client_setting_errors());
        if let Some(error) = ConfigError::from_list(errors) {
            return Err(error);
        }
        Ok(config)
    }

    /// Every problem of the Kafka client settings, for each client the worker makes (the
    /// worker-wide settings, and each of `producer.*`, `consumer.*`, `admin.*` over them), with
    /// the key as written in the worker file.
    fn client_setting_errors(&self) -> Vec<ConfigError> {
        use super::kafka_client::{ClientRole, Layers, librdkafka_settings};
        let mut out: Vec<ConfigError> = Vec::new();
        let layers = [
            (Layers::Worker, None),
            (Layers::Role(ClientRole::Producer), Some(&self.producer)),
            (Layers::Role(ClientRole::Consumer), Some(&self.consumer)),
            (Layers::Role(ClientRole::Admin), Some(&self.admin)),
        ];
        for (layer, prefixed) in layers {
            let Err(e) = librdkafka_settings(self, layer) else {
                continue;
            };
            for e in e.0 {
                // Named as written: under the prefix when that map set it.
                let key = match (layer, prefixed) {
                    (Layers::Role(role), Some(m)) if m.contains_key(&e.key) => {
                        format!("{}{}", role.prefix(), e.key)
                    }
                    (Layers::Role(_), _) => continue, // the worker-wide layer reports it
                    _ => e.key.clone(),
                };
                let error = if e.unsupported {
                    ConfigError::Unsupported {
                        scope: SCOPE,
                        key,
                        reason: e.message,
                    }
                } else {
                    let secret = key.contains("password") || key.contains("jaas");
                    let value = match self.originals.get(&key) {
                        Some(_) if secret => "[hidden]".to_owned(),
                        Some(v) => v.clone(),
                        None => String::new(),
                    };
                    ConfigError::InvalidValue {
                        scope: SCOPE,
                        key,
                        value,
                        problem: e.message,
                    }
                };
                if !out.iter().any(|o| o.to_string() == error.to_string()) {
                    out.push(error);
                }
            }
        }
        out
    }

    /// Log each key of [`WorkerConfig::ignored`] at WARN, with the reason.
    pub fn log_ignored(&self) {
        for (key, why) in &self.ignored {
            tracing::warn!(key = %key, "worker config: `{key}` is accepted but has no effect: {why}");
        }
    }
}

/// Non-typed keys, sorted into their destinations while scanning.
#[derive(Default)]
struct Sorted {
    key_converter: BTreeMap<String, String>,
    value_converter: BTreeMap<String, String>,
    header_converter: BTreeMap<String, String>,
    config_providers: BTreeMap<String, String>,
    https: BTreeMap<String, String>,
    admin_https: BTreeMap<String, String>,
    client: BTreeMap<String, String>,
    producer: BTreeMap<String, String>,
    consumer: BTreeMap<String, String>,
    admin: BTreeMap<String, String>,
    /// config, offset, status topic settings.
    topics: [BTreeMap<String, String>; 3],
    ignored: BTreeMap<String, String>,
}

/// Reads typed values and collects every problem.
struct Reader<'a> {
    props: &'a BTreeMap<String, String>,
    mode: Mode,
    errors: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    fn raw(&self, key: &str) -> Option<&'a str> {
        self.props.get(key).map(String::as_str)
    }

    /// The trimmed value, `None` if absent or blank.
    fn text(&self, key: &str) -> Option<String> {
        self.raw(key)
            .map(trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    fn invalid(&mut self, key: &str, problem: impl Into<String>) {
        let value = self.raw(key).unwrap_or_default().to_string();
        self.errors.push(ConfigError::InvalidValue {
            scope: SCOPE,
            key: key.to_string(),
            value,
            problem: problem.into(),
        });
    }

    fn required(&mut self, key: &str, why: &str) -> String {
        self.text(key).unwrap_or_else(|| {
            let hint = format!(
                "{why}; set it in the worker file or as {}",
                env_var_name(key)
            );
            self.errors.push(ConfigError::MissingRequired {
                scope: SCOPE,
                key: key.to_string(),
                hint,
            });
            String::new()
        })
    }

    fn millis(&mut self, key: &str, default: u64) -> Duration {
        let Some(raw) = self.raw(key) else {
            return Duration::from_millis(default);
        };
        match parse_long(raw) {
            Ok(ms) if ms >= 0 => Duration::from_millis(ms.unsigned_abs()),
            Ok(_) => {
                self.invalid(
                    key,
                    format!("is negative (expected milliseconds >= 0, e.g. {default})"),
                );
                Duration::from_millis(default)
            }
            Err(_) => {
                self.invalid(
                    key,
                    format!("is not a number (expected milliseconds, e.g. {default})"),
                );
                Duration::from_millis(default)
            }
        }
    }

    fn bool(&mut self, key: &str, default: bool) -> bool {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        parse_bool(raw).unwrap_or_else(|_| {
            self.invalid(key, "is not a boolean (expected true or false)");
            default
        })
    }

    /// An integer in `[min, max]`, or `-1` when `minus_one_ok` (Kafka's "broker default").
    fn int(
        &mut self,
        key: &str,
        default: i64,
        min: i64,
        max: i64,
        minus_one_ok: bool,
        what: &str,
    ) -> i64 {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        match parse_long(raw) {
            Ok(v) if (min..=max).contains(&v) || (minus_one_ok && v == -1) => v,
            _ => {
                let minus_one = if minus_one_ok {
                    ", or -1 for the broker default"
                } else {
                    ""
                };
                self.invalid(
                    key,
                    format!(
                        "is not a valid {what} (expected {min}..={max}{minus_one}, e.g. {default})"
                    ),
                );
                default
            }
        }
    }

    fn sort_key(&mut self, key: &str, value: &str, sorted: &mut Sorted) {
        let entry = |m: &mut BTreeMap<String, String>, prefix: &str| {
            m.insert(key[prefix.len()..].to_string(), value.to_string());
        };
        match classify(key, self.mode) {
            KeyClass::Typed => {}
            KeyClass::Client => {
                let (key, value) = super::kafka_client::librdkafka_setting(key, value);
                sorted.client.insert(key, value);
            }
            KeyClass::DefaultOnly(default, why) => {
                if !value.trim().eq_ignore_ascii_case(default) {
                    let shown = if default.is_empty() {
                        "no value".to_string()
                    } else {
                        format!("'{default}'")
                    };
                    self.errors.push(ConfigError::Unsupported {
                        scope: SCOPE,
                        key: key.to_string(),
                        reason: format!(
                            "'{}' (only Kafka's default, {shown}, is supported): {why}",
                            value.trim()
                        ),
                    });
                }
            }
            KeyClass::Prefixed(prefix, dest) => match dest {
                Passthrough::Producer | Passthrough::Consumer | Passthrough::Admin
                    if client_setting_refusal(&key[prefix.len()..]).is_some() =>
                {
                    let why = client_setting_refusal(&key[prefix.len()..]).unwrap_or_default();
                    self.errors.push(ConfigError::Unsupported {
                        scope: SCOPE,
                        key: key.to_string(),
                        reason: why.to_string(),
                    });
                }
                Passthrough::Producer => entry(&mut sorted.producer, prefix),
                Passthrough::Consumer => entry(&mut sorted.consumer, prefix),
                Passthrough::Admin => entry(&mut sorted.admin, prefix),
                Passthrough::KeyConverter => entry(&mut sorted.key_converter, prefix),
                Passthrough::ValueConverter => entry(&mut sorted.value_converter, prefix),
                Passthrough::HeaderConverter => entry(&mut sorted.header_converter, prefix),
                Passthrough::ConfigProviders => entry(&mut sorted.config_providers, prefix),
                Passthrough::ListenersHttps => entry(&mut sorted.https, prefix),
                Passthrough::AdminListenersHttps => entry(&mut sorted.admin_https, prefix),
                Passthrough::ConfigTopic => entry(&mut sorted.topics[0], prefix),
                Passthrough::OffsetTopic => entry(&mut sorted.topics[1], prefix),
                Passthrough::StatusTopic => entry(&mut sorted.topics[2], prefix),
            },
            KeyClass::Ignored(why) => {
                sorted.ignored.insert(key.to_string(), why.to_string());
            }
            KeyClass::OtherMode(other) => {
                let why = format!(
                    "it is a {} mode setting and this worker runs in {} mode",
                    other.as_str(),
                    self.mode.as_str()
                );
                sorted.ignored.insert(key.to_string(), why);
            }
            KeyClass::Unknown => {
                self.errors.push(ConfigError::UnknownKey {
                    scope: SCOPE,
                    key: key.to_string(),
                    suggestion: suggest(key),
                });
            }
        }
    }

    fn bootstrap_servers(&mut self) -> Vec<String> {
        let key = "bootstrap.servers";
        let servers = parse_list(self.raw(key).unwrap_or("localhost:9092"));
        let example = "(expected host:port[,host:port...], e.g. kafka-1:29092,kafka-2:29093)";
        if servers.iter().all(|s| s.is_empty()) {
            self.invalid(key, format!("lists no servers {example}"));
        } else if let Some(bad) = servers.iter().find(|s| !is_host_port(s)) {
            self.invalid(
                key,
                format!("contains `{bad}`, which is not host:port {example}"),
            );
        }
        servers.into_iter().filter(|s| !s.is_empty()).collect()
    }

    fn converter(
        &mut self,
        key: &str,
        default: Option<&str>,
        settings: BTreeMap<String, String>,
    ) -> ConverterSetting {
        let class = match (self.text(key), default) {
            (Some(class), _) => class,
            (None, Some(default)) => default.to_string(),
            (None, None) => self.required(
                key,
                "(it sets the record format, e.g. org.apache.kafka.connect.json.JsonConverter)",
            ),
        };
        ConverterSetting { class, settings }
    }

    fn rest(
        &mut self,
        https: BTreeMap<String, String>,
        admin_https: BTreeMap<String, String>,
        client: &BTreeMap<String, String>,
        ignored: &mut BTreeMap<String, String>,
    ) -> RestConfig {
        let listeners = match self
            .raw("listeners")
            .map(parse_list)
            .filter(|l| !l.is_empty())
        {
            Some(list) => {
                for deprecated in ["rest.host.name", "rest.port"] {
                    if self.props.contains_key(deprecated) {
                        ignored.insert(
                            deprecated.to_string(),
                            "`listeners` is set and takes precedence".to_string(),
                        );
                    }
                }
                self.listeners("listeners", &list)
            }
            None => {
                // AK 2.5: without `listeners`, the deprecated rest.host.name/rest.port apply.
                let host = self.text("rest.host.name").unwrap_or_default();
                let port = self.int("rest.port", 8083, 0, 65535, false, "port");
                vec![Listener {
                    scheme: Scheme::Http,
                    host,
                    port: u16::try_from(port).unwrap_or(8083),
                }]
            }
        };
        let admin_listeners = self.raw("admin.listeners").map(|raw| {
            let list: Vec<String> = parse_list(raw)
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect();
            self.listeners("admin.listeners", &list)
        });
        let advertised_port = self
            .raw("rest.advertised.port")
            .map(|_| self.int("rest.advertised.port", 8083, 0, 65535, false, "port"))
            .and_then(|p| u16::try_from(p).ok());
        let advertised_listener = self.text("rest.advertised.listener").and_then(|raw| {
            let scheme = Scheme::parse(&raw);
            if scheme.is_none() {
                self.invalid(
                    "rest.advertised.listener",
                    "is not a protocol (expected http or https)",
                );
            }
            scheme
        });
        let tls = TlsSettings::select(&https, rest_tls::LISTENERS_PREFIX, client);
        let admin_tls = TlsSettings::select(&admin_https, rest_tls::ADMIN_LISTENERS_PREFIX, client);
        let is_https = |ls: &[Listener]| ls.iter().any(|l| l.scheme == Scheme::Https);
        if is_https(&listeners) {
            self.check_listener_tls("listeners", &tls);
        }
        if admin_listeners.as_deref().is_some_and(is_https) {
            self.check_listener_tls("admin.listeners", &admin_tls);
        }
        RestConfig {
            listeners,
            admin_listeners,
            advertised_host_name: self.text("rest.advertised.host.name"),
            advertised_port,
            advertised_listener,
            cors: self.cors(),
            response_headers: self.response_headers(),
            https,
            admin_https,
            tls,
            admin_tls,
            basic_auth: self.rest_extensions(),
        }
    }

    /// An `https://` listener of `key` needs a key and certificate, and every TLS key it reads
    /// must be usable.
    fn check_listener_tls(&mut self, key: &str, settings: &TlsSettings) {
        match RestTls::load(settings) {
            Ok(tls) if tls.identity.is_none() => self.invalid(
                key,
                format!(
                    "has an https:// listener but no key and certificate for it: set {p}ssl.keystore.location \
                     (a PKCS12 or PEM file) with {p}ssl.keystore.password, or {p}ssl.keystore.key and \
                     {p}ssl.keystore.certificate.chain (PEM text)",
                    p = if key == "admin.listeners" {
                        rest_tls::ADMIN_LISTENERS_PREFIX
                    } else {
                        rest_tls::LISTENERS_PREFIX
                    }
                ),
            ),
            Ok(_) => {}
            Err(errors) => {
                for e in errors {
                    self.errors.push(if e.unsupported {
                        ConfigError::Unsupported {
                            scope: SCOPE,
                            key: e.key,
                            reason: e.message,
                        }
                    } else {
                        let value = if e.key.contains("password") || e.key.contains("keystore.key") {
                            "[hidden]".to_owned()
                        } else {
                            self.props.get(&e.key).cloned().unwrap_or_default()
                        };
                        ConfigError::InvalidValue {
                            scope: SCOPE,
                            key: e.key,
                            value,
                            problem: e.message,
                        }
                    });
                }
            }
        }
    }

    fn listeners(&mut self, key: &str, list: &[String]) -> Vec<Listener> {
        let mut out = Vec::with_capacity(list.len());
        for item in list {
            match Listener::parse(item) {
                Ok(l) => out.push(l),
                Err(problem) => self.invalid(key, format!("has `{item}`, which {problem}")),
            }
        }
        out
    }

    fn override_policy(&mut self) -> OverridePolicy {
        let key = "connector.client.config.override.policy";
        let Some(raw) = self.text(key) else {
            return OverridePolicy::All;
        };
        let simple = raw.rsplit('.').next().unwrap_or(&raw);
        let alias = simple
            .strip_suffix("ConnectorClientConfigOverridePolicy")
            .unwrap_or(simple);
        match alias {
            "None" => OverridePolicy::None,
            "Principal" => OverridePolicy::Principal,
            "All" => OverridePolicy::All,
            _ => {
                self.invalid(key, "is not a known policy (expected None, Principal or All; custom Java policies are not supported)");
                OverridePolicy::All
            }
        }
    }

    fn check_config_providers(&mut self, aliases: &[String], settings: &BTreeMap<String, String>) {
        for alias in aliases.iter().filter(|a| !a.is_empty()) {
            if !settings.contains_key(&format!("{alias}.class")) {
                self.invalid(
                    "config.providers",
                    format!(
                        "lists `{alias}` but `config.providers.{alias}.class` is not set \
                         (e.g. org.apache.kafka.common.config.provider.FileConfigProvider)"
                    ),
                );
            }
        }
    }

    /// `rest.extension.classes`: Kafka's basic-authentication extension is built in (true when
    /// it is named); any other class is refused.
    fn rest_extensions(&mut self) -> bool {
        let mut basic_auth = false;
        for class in self
            .raw("rest.extension.classes")
            .map(parse_list)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| !c.is_empty())
        {
            if class == BASIC_AUTH_EXTENSION {
                basic_auth = true;
            } else {
                self.errors.push(ConfigError::Unsupported {
                    scope: SCOPE,
                    key: "rest.extension.classes".to_string(),
                    reason: format!(
                        "'{class}': REST extensions are Java classes; this worker has Kafka's \
                         {BASIC_AUTH_EXTENSION} built in and runs no other yet (remove the class, or \
                         protect the REST port another way, e.g. a reverse proxy)"
                    ),
                });
            }
        }
        basic_auth
    }

    fn cors(&mut self) -> Option<CorsConfig> {
        let origins = self.raw("access.control.allow.origin").unwrap_or_default();
        let methods = self.raw("access.control.allow.methods").unwrap_or_default();
        CorsConfig::parse(origins, methods).unwrap_or_else(|problem| {
            self.invalid("access.control.allow.origin", problem);
            None
        })
    }

    fn response_headers(&mut self) -> Vec<HeaderRule> {
        let key = "response.http.headers.config";
        match response_headers::parse(self.raw(key).unwrap_or_default()) {
            Ok(rules) => rules,
            Err(message) => {
                self.invalid(key, message);
                Vec::new()
            }
        }
    }

    fn distributed(&mut self, topics: [BTreeMap<String, String>; 3]) -> DistributedConfig {
        let group_id = self.required(
            "group.id",
            "in distributed mode (it names the Connect cluster, e.g. connect-cluster)",
        );
        let [config_settings, offset_settings, status_settings] = topics;
        let config_topic = self.topic("config", 1, config_settings);
        let offset_topic = self.topic("offset", 25, offset_settings);
        let status_topic = self.topic("status", 5, status_settings);
        if let Some(p) = self.raw("config.storage.partitions")
            && parse_long(p) != Ok(1)
        {
            self.invalid(
                "config.storage.partitions",
                "must be 1 (Kafka Connect needs a single-partition config topic)",
            );
        }
        let connect_protocol = match self.raw("connect.protocol") {
            None => ConnectProtocol::Sessioned,
            Some(raw) => match parse_one_of_ignore_case(raw, &["eager", "compatible", "sessioned"])
            {
                Ok("eager") => ConnectProtocol::Eager,
                Ok("compatible") => ConnectProtocol::Compatible,
                Ok(_) => ConnectProtocol::Sessioned,
                Err(_) => {
                    self.invalid(
                        "connect.protocol",
                        "is not a protocol (expected eager, compatible or sessioned)",
                    );
                    ConnectProtocol::Sessioned
                }
            },
        };
        if let Some(raw) = self.raw("exactly.once.source.support") {
            match parse_one_of_ignore_case(raw, &["disabled", "preparing", "enabled"]) {
                Ok("disabled") => {}
                Ok(_) => self.errors.push(ConfigError::Unsupported {
                    scope: SCOPE,
                    key: "exactly.once.source.support".to_string(),
                    reason: "exactly-once source delivery is not implemented; set it to disabled or remove it".to_string(),
                }),
                Err(_) => self.invalid("exactly.once.source.support", "is not valid (expected disabled)"),
            }
        }
        DistributedConfig {
            group_id,
            config_topic,
            offset_topic,
            status_topic,
            connect_protocol,
            scheduled_rebalance_max_delay: self.millis("scheduled.rebalance.max.delay.ms", 300_000),
            session_timeout: self.millis("session.timeout.ms", 10_000),
            heartbeat_interval: self.millis("heartbeat.interval.ms", 3_000),
            rebalance_timeout: self.millis("rebalance.timeout.ms", 60_000),
            worker_sync_timeout: self.millis("worker.sync.timeout.ms", 3_000),
            worker_unsync_backoff: self.millis("worker.unsync.backoff.ms", 300_000),
            inter_worker: inter_worker::read(self.props, &mut self.errors),
        }
    }

    fn topic(
        &mut self,
        which: &str,
        default_partitions: i32,
        settings: BTreeMap<String, String>,
    ) -> InternalTopic {
        let prefix = format!("{which}.storage.");
        let name = self.required(
            &format!("{prefix}topic"),
            &format!("in distributed mode (the compacted topic holding connector {which}s, e.g. connect-{which}s)"),
        );
        let partitions = if which == "config" {
            1
        } else {
            let p = self.int(
                &format!("{prefix}partitions"),
                default_partitions.into(),
                1,
                i32::MAX.into(),
                true,
                "partition count",
            );
            i32::try_from(p).unwrap_or(default_partitions)
        };
        let rf = self.int(
            &format!("{prefix}replication.factor"),
            3,
            1,
            i16::MAX.into(),
            true,
            "replication factor",
        );
        InternalTopic {
            name,
            partitions,
            replication_factor: i16::try_from(rf).unwrap_or(3),
            settings,
        }
    }

    fn offset_storage_file(&mut self) -> PathBuf {
        PathBuf::from(self.required(
            "offset.storage.file.filename",
            "in standalone mode (the file where source offsets are kept, e.g. connect.offsets)",
        ))
    }
}

/// `host:port` with a numeric port (IPv6 hosts in brackets).
fn is_host_port(s: &str) -> bool {
    match s.rsplit_once(':') {
        Some((host, port)) => !host.is_empty() && port.parse::<u16>().is_ok(),
        None => false,
    }
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;
