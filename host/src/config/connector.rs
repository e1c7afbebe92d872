//! `ConnectorConfig`: the framework keys of a connector config (contract §3.1) — name, class,
//! tasks, converter overrides, transforms and predicates, error handling, dead letter queue,
//! client overrides — typed, with problems reported per key in Kafka Connect's own wording so
//! the REST validate endpoint can attach them to the right key. Keys the framework does not
//! know belong to the plugin and are passed through untouched in
//! [`ConnectorConfig::originals`].

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use regex::Regex;

use super::value::{
    Problem, java_list, parse_bool, parse_int, parse_list, parse_long, parse_one_of, parse_short,
    trim,
};
use super::worker::{ConverterSetting, OverridePolicy};

/// Whether a connector reads from Kafka (sink) or writes to it (source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    /// Kafka → external system.
    Sink,
    /// External system → Kafka.
    Source,
}

impl ConnectorKind {
    /// `sink` or `source`, as the REST API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Sink => "sink",
            ConnectorKind::Source => "source",
        }
    }
}

/// `errors.tolerance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorTolerance {
    /// The first conversion/transformation error fails the task (default).
    None,
    /// Bad records are skipped (logged / sent to the DLQ if configured).
    All,
}

/// `errors.retry.timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryTimeout {
    /// Retry for at most this long (zero = no retries, the default).
    Limited(Duration),
    /// `-1`: retry forever.
    Infinite,
}

/// `config.action.reload`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadAction {
    /// Restart the connector when a config provider's values change (default).
    Restart,
    /// Do nothing.
    None,
}

/// The sink dead letter queue (`errors.deadletterqueue.*`), present when a topic is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueue {
    /// `errors.deadletterqueue.topic.name`.
    pub topic: String,
    /// `errors.deadletterqueue.topic.replication.factor` (default 3), used if it must be created.
    pub replication_factor: i16,
    /// `errors.deadletterqueue.context.headers.enable` (default false).
    pub context_headers: bool,
}

/// Error handling settings (`errors.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorHandling {
    /// `errors.tolerance`.
    pub tolerance: ErrorTolerance,
    /// `errors.retry.timeout` (default 0 = no retries). Kafka retries only retriable failures
    /// (`RetriableException`) of converters and transformations: this host's built-in ones fail
    /// with Kafka's `DataException` messages, never retriably (e2e
    /// `retry_forever_does_not_retry_a_conversion_failure_as_on_the_java_peer`); a plugin
    /// transformation or predicate answering `RETRIABLE` is retried for this long
    /// (`runtime::plugin_transform::RetryPolicy`).
    pub retry_timeout: RetryTimeout,
    /// `errors.retry.delay.max.ms` (default 60000).
    pub retry_delay_max: Duration,
    /// `errors.log.enable` (default false).
    pub log_enable: bool,
    /// `errors.log.include.messages` (default false).
    pub log_include_messages: bool,
    /// Sink only: the dead letter queue, if `errors.deadletterqueue.topic.name` is set.
    pub dead_letter_queue: Option<DeadLetterQueue>,
}

/// One entry of `transforms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformConfig {
    /// The alias.
    pub alias: String,
    /// `transforms.<alias>.type`.
    pub class: String,
    /// `transforms.<alias>.predicate`: alias of the predicate gating this transform.
    pub predicate: Option<String>,
    /// `transforms.<alias>.negate` (default false).
    pub negate: bool,
    /// The transform's own settings (`transforms.<alias>.*` minus type/predicate/negate),
    /// prefix stripped.
    pub settings: BTreeMap<String, String>,
}

/// One entry of `predicates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateConfig {
    /// The alias.
    pub alias: String,
    /// `predicates.<alias>.type`.
    pub class: String,
    /// `predicates.<alias>.*` minus type, prefix stripped.
    pub settings: BTreeMap<String, String>,
}

/// A connector's framework settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorConfig {
    /// Sink or source.
    pub kind: ConnectorKind,
    /// `name` (trimmed).
    pub name: String,
    /// `connector.class`: class name or alias.
    pub connector_class: String,
    /// `tasks.max` (default 1, at least 1).
    pub tasks_max: u32,
    /// `tasks.max.enforce` (default true).
    pub tasks_max_enforce: bool,
    /// Sink: `topics` (empty items and duplicates removed).
    pub topics: Vec<String>,
    /// Sink: `topics.regex`.
    pub topics_regex: Option<String>,
    /// `key.converter` override with `key.converter.*` (`None`: the worker's converter).
    pub key_converter: Option<ConverterSetting>,
    /// `value.converter` override with `value.converter.*`.
    pub value_converter: Option<ConverterSetting>,
    /// `header.converter` override with `header.converter.*`.
    pub header_converter: Option<ConverterSetting>,
    /// `transforms`, in order.
    pub transforms: Vec<TransformConfig>,
    /// `predicates`.
    pub predicates: Vec<PredicateConfig>,
    /// `config.action.reload`.
    pub reload_action: ReloadAction,
    /// `errors.*`.
    pub errors: ErrorHandling,
    /// `producer.override.*`, prefix stripped.
    pub producer_overrides: BTreeMap<String, String>,
    /// `consumer.override.*`, prefix stripped.
    pub consumer_overrides: BTreeMap<String, String>,
    /// `admin.override.*`, prefix stripped.
    pub admin_overrides: BTreeMap<String, String>,
    /// Settings that are valid but probably not what the user meant (e.g. `value.converter.*`
    /// without `value.converter`, which Kafka Connect silently ignores). Worth logging.
    pub warnings: Vec<String>,
    /// The whole config as given; plugins receive this.
    pub originals: BTreeMap<String, String>,
}

/// Per-key problems: `(key, message)` in Kafka Connect's wording. A key may appear twice.
pub type KeyErrors = Vec<(String, String)>;

const TOLERANCES: &[&str] = &["none", "all"];
const RELOAD_ACTIONS: &[&str] = &["none", "restart"];

impl ConnectorConfig {
    /// Type and check the framework keys of `props` for a connector of `kind`.
    pub fn parse(
        props: &BTreeMap<String, String>,
        kind: ConnectorKind,
    ) -> Result<ConnectorConfig, KeyErrors> {
        let mut p = Parser {
            props,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let name = p.name();
        let connector_class = p.required_string("connector.class");
        let tasks_max = p.tasks_max();
        let tasks_max_enforce = p.bool("tasks.max.enforce", true);
        let key_converter = p.converter("key.converter");
        let value_converter = p.converter("value.converter");
        let header_converter = p.converter("header.converter");
        let predicates = p.predicates();
        let transforms = p.transforms(&predicates);
        let reload_action = match p.one_of("config.action.reload", RELOAD_ACTIONS, "restart") {
            "none" => ReloadAction::None,
            _ => ReloadAction::Restart,
        };
        let (topics, topics_regex) = match kind {
            ConnectorKind::Sink => p.sink_topics(),
            ConnectorKind::Source => (Vec::new(), None),
        };
        let errors = p.error_handling(kind, &topics, topics_regex.as_deref());
        p.refuse_unsupported(kind);
        let producer_overrides = prefixed(props, "producer.override.");
        let consumer_overrides = prefixed(props, "consumer.override.");
        let admin_overrides = prefixed(props, "admin.override.");
        if !p.errors.is_empty() {
            return Err(p.errors);
        }
        Ok(ConnectorConfig {
            kind,
            name,
            connector_class,
            tasks_max,
            tasks_max_enforce,
            topics,
            topics_regex,
            key_converter,
            value_converter,
            header_converter,
            transforms,
            predicates,
            reload_action,
            errors,
            producer_overrides,
            consumer_overrides,
            admin_overrides,
            warnings: p.warnings,
            originals: props.clone(),
        })
    }

    /// `transforms` and `predicates` of `props` alone, whatever else is wrong with it (their
    /// own problems are [`ConnectorConfig::parse`]'s to report): validation checks the classes
    /// of a config that does not parse.
    pub fn aliases(
        props: &BTreeMap<String, String>,
    ) -> (Vec<TransformConfig>, Vec<PredicateConfig>) {
        let mut p = Parser {
            props,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let predicates = p.predicates();
        let transforms = p.transforms(&predicates);
        (transforms, predicates)
    }

    /// Client overrides this connector sets that the worker's policy forbids, as `(key, message)`
    /// with Kafka Connect's message.
    pub fn override_violations(&self, policy: OverridePolicy) -> KeyErrors {
        const PRINCIPAL_ALLOWED: &[&str] =
            &["sasl.jaas.config", "sasl.mechanism", "security.protocol"];
        let (policy_name, allowed): (&str, &[&str]) = match policy {
            OverridePolicy::All => return Vec::new(),
            OverridePolicy::None => ("None", &[]),
            OverridePolicy::Principal => ("Principal", PRINCIPAL_ALLOWED),
        };
        let mut out = Vec::new();
        for (prefix, map) in [
            ("producer.override.", &self.producer_overrides),
            ("consumer.override.", &self.consumer_overrides),
            ("admin.override.", &self.admin_overrides),
        ] {
            for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
                out.push((
                    format!("{prefix}{key}"),
                    format!("The '{policy_name}' policy does not allow '{key}' to be overridden in the connector configuration."),
                ));
            }
        }
        out
    }
}

fn prefixed(props: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    props
        .range(prefix.to_string()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| (k[prefix.len()..].to_string(), v.clone()))
        .collect()
}

fn missing(key: &str) -> String {
    format!("Missing required configuration \"{key}\" which has no default value.")
}

struct Parser<'a> {
    props: &'a BTreeMap<String, String>,
    errors: KeyErrors,
    warnings: Vec<String>,
}

impl<'a> Parser<'a> {
    fn raw(&self, key: &str) -> Option<&'a str> {
        self.props.get(key).map(String::as_str)
    }

    fn error(&mut self, key: &str, message: String) {
        self.errors.push((key.to_string(), message));
    }

    fn problem(&mut self, key: &str, problem: &Problem) {
        let raw = self.raw(key).unwrap_or_default().to_string();
        self.error(key, problem.kafka_message(key, &raw));
    }

    fn required_string(&mut self, key: &str) -> String {
        match self.raw(key).map(trim) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                self.error(key, missing(key));
                String::new()
            }
        }
    }

    fn name(&mut self) -> String {
        let Some(raw) = self.raw("name") else {
            self.error("name", missing("name"));
            return String::new();
        };
        let name = trim(raw).to_string();
        if name.is_empty() {
            self.error(
                "name",
                format!("Invalid value {raw} for configuration name: String may not be empty"),
            );
        } else {
            let control: Vec<String> = name
                .chars()
                .filter(|c| c.is_control())
                .map(|c| u32::from(c).to_string())
                .collect();
            if !control.is_empty() {
                self.error(
                    "name",
                    format!(
                        "Invalid value {name} for configuration name: String may not contain control sequences \
                         but had the following ASCII chars: {}",
                        control.join(", ")
                    ),
                );
            }
        }
        name
    }

    fn tasks_max(&mut self) -> u32 {
        let Some(raw) = self.raw("tasks.max") else {
            return 1;
        };
        match parse_int(raw) {
            Ok(n) if n >= 1 => n.unsigned_abs(),
            Ok(_) => {
                self.problem("tasks.max", &Problem::AtLeast(1));
                1
            }
            Err(p) => {
                self.problem("tasks.max", &p);
                1
            }
        }
    }

    fn bool(&mut self, key: &str, default: bool) -> bool {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        parse_bool(raw).unwrap_or_else(|p| {
            self.problem(key, &p);
            default
        })
    }

    fn long(&mut self, key: &str, default: i64, min: i64) -> i64 {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        match parse_long(raw) {
            Ok(v) if v >= min => v,
            Ok(_) => {
                self.problem(key, &Problem::AtLeast(min));
                default
            }
            Err(p) => {
                self.problem(key, &p);
                default
            }
        }
    }

    fn one_of(
        &mut self,
        key: &str,
        allowed: &'static [&'static str],
        default: &'static str,
    ) -> &'static str {
        let Some(raw) = self.raw(key) else {
            return default;
        };
        parse_one_of(raw, allowed).unwrap_or_else(|p| {
            self.problem(key, &p);
            default
        })
    }

    /// Kafka Connect keys this host does not implement yet, refused with "not supported yet:
    /// KEY" unless they hold Kafka's default (which is what this host does), so none is
    /// accepted and then ignored. `connector.plugin.version` is checked against the loaded
    /// plugin by validation (it needs the plugin).
    fn refuse_unsupported(&mut self, kind: ConnectorKind) {
        for key in [
            "key.converter.plugin.version",
            "value.converter.plugin.version",
            "header.converter.plugin.version",
        ] {
            if self.raw(key).is_some_and(|v| !v.trim().is_empty()) {
                self.error(
                    key,
                    format!(
                        "not supported yet: {key} (this host runs one version of each converter,                          its built-in one; remove the key)"
                    ),
                );
            }
        }
        let overrides: Vec<(String, &'static str)> = [
            "producer.override.",
            "consumer.override.",
            "admin.override.",
        ]
        .iter()
        .flat_map(|prefix| {
            prefixed(self.props, prefix)
                .into_keys()
                .filter_map(move |k| {
                    super::worker_keys::client_setting_refusal(&k)
                        .map(|why| (format!("{prefix}{k}"), why))
                })
        })
        .collect();
        for (key, why) in overrides {
            self.error(&key, format!("not supported yet: {key} ({why})"));
        }
        if kind != ConnectorKind::Source {
            return;
        }
        let eos = "exactly-once source support is not supported yet by this host";
        for (key, default) in [
            ("exactly.once.support", Some("requested")),
            ("transaction.boundary", Some("poll")),
            ("transaction.boundary.interval.ms", None),
        ] {
            let Some(value) = self.raw(key) else { continue };
            if default.is_none_or(|d| !value.trim().eq_ignore_ascii_case(d)) {
                self.error(
                    key,
                    format!("not supported yet: {key}={value} ({eos}; remove the key)"),
                );
            }
        }
        if let Some(value) = self.raw("offsets.storage.topic")
            && !value.trim().is_empty()
        {
            self.error(
                "offsets.storage.topic",
                format!(
                    "not supported yet: offsets.storage.topic={value} (source offsets live in the                      worker's offset.storage.topic; remove the key)"
                ),
            );
        }
        let creation: Vec<String> = self
            .props
            .keys()
            .filter(|k| k.starts_with("topic.creation."))
            .cloned()
            .collect();
        for key in creation {
            if key == "topic.creation.groups" && self.raw(&key).is_some_and(|v| v.trim().is_empty())
            {
                continue;
            }
            self.error(
                &key,
                format!(
                    "not supported yet: {key} (this host does not create source topics yet:                      create them beforehand, or let the broker auto-create them; remove the key)"
                ),
            );
        }
    }

    fn converter(&mut self, key: &str) -> Option<ConverterSetting> {
        let mut settings = prefixed(self.props, &format!("{key}."));
        // KIP-891's `<converter>.plugin.version` is a framework key, not a converter setting.
        settings.remove("plugin.version");
        match self.raw(key).map(trim).filter(|c| !c.is_empty()) {
            Some(class) => Some(ConverterSetting {
                class: class.to_string(),
                settings,
            }),
            None => {
                if let Some(first) = settings.keys().next() {
                    self.warnings.push(format!(
                        "`{key}.{first}` is set but `{key}` is not, so it is ignored and the worker's {key} \
                         settings apply (as in Kafka Connect); also set `{key}` to use it"
                    ));
                }
                None
            }
        }
    }

    /// A LIST of aliases: trimmed, duplicates rejected (Kafka's wording), empty items rejected.
    fn aliases(&mut self, key: &str) -> Vec<String> {
        let Some(raw) = self.raw(key) else {
            return Vec::new();
        };
        let list = parse_list(raw);
        let mut seen = HashSet::new();
        if list.iter().any(|a| !seen.insert(a.as_str())) {
            self.error(
                key,
                format!(
                    "Invalid value {} for configuration {key}: Duplicate alias provided.",
                    java_list(&list)
                ),
            );
        }
        if list.iter().any(String::is_empty) {
            self.error(
                key,
                format!(
                    "Invalid value {} for configuration {key}: Aliases may not be empty.",
                    java_list(&list)
                ),
            );
        }
        let mut unique = HashSet::new();
        list.into_iter()
            .filter(|a| !a.is_empty() && unique.insert(a.clone()))
            .collect()
    }

    fn predicates(&mut self) -> Vec<PredicateConfig> {
        let aliases = self.aliases("predicates");
        let mut out = Vec::with_capacity(aliases.len());
        for alias in aliases {
            let prefix = format!("predicates.{alias}.");
            let class = self.required_string(&format!("{prefix}type"));
            let mut settings = prefixed(self.props, &prefix);
            settings.remove("type");
            out.push(PredicateConfig {
                alias,
                class,
                settings,
            });
        }
        out
    }

    fn transforms(&mut self, predicates: &[PredicateConfig]) -> Vec<TransformConfig> {
        let aliases = self.aliases("transforms");
        let mut out = Vec::with_capacity(aliases.len());
        for alias in aliases {
            let prefix = format!("transforms.{alias}.");
            let class = self.required_string(&format!("{prefix}type"));
            let predicate_key = format!("{prefix}predicate");
            let negate_key = format!("{prefix}negate");
            let predicate = self
                .raw(&predicate_key)
                .map(trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            let negate = self.bool(&negate_key, false);
            if self.props.contains_key(&negate_key) && !self.props.contains_key(&predicate_key) {
                self.error(
                    &negate_key,
                    format!(
                        "Config '{negate_key}' was provided but there is no config '{predicate_key}' \
                         defining a predicate to be negated."
                    ),
                );
            }
            if let Some(p) = &predicate
                && !predicates.iter().any(|d| &d.alias == p)
            {
                self.error(
                    &predicate_key,
                    format!(
                        "Invalid value {p} for configuration {predicate_key}: predicate '{p}' is not defined; \
                         list it in 'predicates' and set 'predicates.{p}.type'"
                    ),
                );
            }
            let mut settings = prefixed(self.props, &prefix);
            for implicit in ["type", "predicate", "negate"] {
                settings.remove(implicit);
            }
            out.push(TransformConfig {
                alias,
                class,
                predicate,
                negate,
                settings,
            });
        }
        out
    }

    fn sink_topics(&mut self) -> (Vec<String>, Option<String>) {
        let topics_raw = self.raw("topics").unwrap_or_default();
        let regex_raw = self.raw("topics.regex").unwrap_or_default();
        let has_topics = !trim(topics_raw).is_empty();
        let has_regex = !trim(regex_raw).is_empty();
        if has_topics && has_regex {
            let m = "topics and topics.regex are mutually exclusive options, but both are set.";
            self.error("topics", m.to_string());
            self.error("topics.regex", m.to_string());
        }
        if !has_topics && !has_regex {
            let m = "Must configure one of topics or topics.regex";
            self.error("topics", m.to_string());
            self.error("topics.regex", m.to_string());
        }
        let mut seen = HashSet::new();
        let topics: Vec<String> = parse_list(topics_raw)
            .into_iter()
            .filter(|t| !t.is_empty() && seen.insert(t.clone()))
            .collect();
        let regex = has_regex.then(|| trim(regex_raw).to_string());
        if let Some(r) = &regex
            && let Err(e) = Regex::new(r)
        {
            let first_line = e
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string();
            self.error(
                "topics.regex",
                format!(
                    "Invalid value {r} for configuration topics.regex: Invalid regex: {first_line}"
                ),
            );
        }
        (topics, regex)
    }

    fn error_handling(
        &mut self,
        kind: ConnectorKind,
        topics: &[String],
        regex: Option<&str>,
    ) -> ErrorHandling {
        let tolerance = match self.one_of("errors.tolerance", TOLERANCES, "none") {
            "all" => ErrorTolerance::All,
            _ => ErrorTolerance::None,
        };
        let retry_timeout = match self.long("errors.retry.timeout", 0, -1) {
            -1 => RetryTimeout::Infinite,
            ms => RetryTimeout::Limited(Duration::from_millis(ms.unsigned_abs())),
        };
        let retry_delay_max = Duration::from_millis(
            self.long("errors.retry.delay.max.ms", 60_000, 0)
                .unsigned_abs(),
        );
        let log_enable = self.bool("errors.log.enable", false);
        let log_include_messages = self.bool("errors.log.include.messages", false);
        let dead_letter_queue = match kind {
            ConnectorKind::Sink => self.dead_letter_queue(topics, regex),
            ConnectorKind::Source => None,
        };
        ErrorHandling {
            tolerance,
            retry_timeout,
            retry_delay_max,
            log_enable,
            log_include_messages,
            dead_letter_queue,
        }
    }

    fn dead_letter_queue(
        &mut self,
        topics: &[String],
        regex: Option<&str>,
    ) -> Option<DeadLetterQueue> {
        let rf_key = "errors.deadletterqueue.topic.replication.factor";
        let replication_factor = match self.raw(rf_key).map(parse_short) {
            None => 3,
            Some(Ok(rf)) if rf >= 1 || rf == -1 => rf,
            Some(Ok(_)) => {
                let raw = self.raw(rf_key).unwrap_or_default().to_string();
                self.error(
                    rf_key,
                    format!("Invalid value {raw} for configuration {rf_key}: Value must be at least 1, or -1 for the broker default"),
                );
                3
            }
            Some(Err(p)) => {
                self.problem(rf_key, &p);
                3
            }
        };
        let context_headers = self.bool("errors.deadletterqueue.context.headers.enable", false);
        let topic = trim(
            self.raw("errors.deadletterqueue.topic.name")
                .unwrap_or_default(),
        )
        .to_string();
        if topic.is_empty() {
            return None;
        }
        if topics.contains(&topic) {
            self.error(
                "topics",
                format!(
                    "The DLQ topic '{topic}' may not be included in the list of topics ('topics={}') consumed by the connector",
                    java_list(topics)
                ),
            );
        }
        if let Some(r) = regex
            && Regex::new(&format!("^(?:{r})$")).is_ok_and(|re| re.is_match(&topic))
        {
            self.error(
                "topics.regex",
                format!(
                    "The DLQ topic '{topic}' may not be matched by the regex for the topics ('topics.regex={r}') \
                     consumed by the connector"
                ),
            );
        }
        Some(DeadLetterQueue {
            topic,
            replication_factor,
            context_headers,
        })
    }
}

#[cfg(test)]
#[path = "connector_tests.rs"]
mod tests;
