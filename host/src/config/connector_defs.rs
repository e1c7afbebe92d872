//! The framework's own connector keys described in ConfigDef shape (contract §3.1), for the
//! REST API: `…/config/validate` shows them before the plugin's keys, and
//! `GET /connector-plugins/{p}/config` lists them. Types, defaults, importance, groups, order,
//! width and display names follow Kafka Connect's `ConnectorConfig`/`SinkConnectorConfig`;
//! the documentation texts are our own.

use std::collections::BTreeMap;

use super::config_key::{ConfigKeyInfo, ConfigType, Importance, Width};
use super::connector::ConnectorKind;
use super::value::parse_list;

/// Group of the common keys.
pub const COMMON_GROUP: &str = "Common";
/// Group of `transforms`.
pub const TRANSFORMS_GROUP: &str = "Transforms";
/// Group of `predicates`.
pub const PREDICATES_GROUP: &str = "Predicates";
/// Group of the `errors.*` keys.
pub const ERROR_GROUP: &str = "Error Handling";

/// A key's default: none and required, none (`null`) but optional, or a value.
#[derive(Clone, Copy)]
enum Def {
    Required,
    Null,
    Value(&'static str),
}

#[allow(clippy::too_many_arguments)]
fn key(
    name: &str,
    config_type: ConfigType,
    default: Def,
    importance: Importance,
    documentation: &str,
    group: &str,
    order: i32,
    width: Width,
    display_name: &str,
) -> ConfigKeyInfo {
    ConfigKeyInfo {
        name: name.to_string(),
        config_type,
        required: matches!(default, Def::Required),
        default_value: match default {
            Def::Value(v) => Some(v.to_string()),
            Def::Required | Def::Null => None,
        },
        importance,
        documentation: documentation.to_string(),
        group: Some(group.to_string()),
        order,
        width,
        display_name: display_name.to_string(),
        dependents: Vec::new(),
    }
}

/// The framework keys for a connector of `kind`, in Kafka Connect's definition order.
pub fn framework_config_defs(kind: ConnectorKind) -> Vec<ConfigKeyInfo> {
    use ConfigType as T;
    use Importance::{High, Low, Medium};
    use Width::{Long as L, Medium as M, Short as S};
    let mut defs = vec![
        key(
            "name",
            T::String,
            Def::Required,
            High,
            "Globally unique name of this connector.",
            COMMON_GROUP,
            1,
            M,
            "Connector name",
        ),
        key(
            "connector.class",
            T::String,
            Def::Required,
            High,
            "Class of this connector: its full name, its simple name, or its simple name without the \
             `Connector` suffix (e.g. `FileStreamSink`).",
            COMMON_GROUP,
            2,
            L,
            "Connector class",
        ),
        key(
            "connector.plugin.version",
            T::String,
            Def::Null,
            Medium,
            "Version of the connector class to run; this host loads one version of each class, \
             so only that version (or no value) is accepted.",
            COMMON_GROUP,
            3,
            M,
            "Connector version",
        ),
        key(
            "tasks.max",
            T::Int,
            Def::Value("1"),
            High,
            "Maximum number of tasks for this connector (at least 1).",
            COMMON_GROUP,
            3,
            S,
            "Tasks max",
        ),
        key(
            "tasks.max.enforce",
            T::Boolean,
            Def::Value("true"),
            Low,
            "(Deprecated) Fail the connector if it generates more task configurations than `tasks.max`.",
            COMMON_GROUP,
            4,
            S,
            "Enforce tasks max",
        ),
        key(
            "key.converter",
            T::Class,
            Def::Null,
            Low,
            "Converter for record keys of this connector, overriding the worker's `key.converter`; \
             its settings go in `key.converter.*`.",
            COMMON_GROUP,
            5,
            S,
            "Key converter class",
        ),
        key(
            "value.converter",
            T::Class,
            Def::Null,
            Low,
            "Converter for record values of this connector, overriding the worker's `value.converter`; \
             its settings go in `value.converter.*`.",
            COMMON_GROUP,
            6,
            S,
            "Value converter class",
        ),
        key(
            "header.converter",
            T::Class,
            Def::Null,
            Low,
            "Converter for record headers of this connector, overriding the worker's `header.converter`.",
            COMMON_GROUP,
            7,
            S,
            "Header converter class",
        ),
        key(
            "transforms",
            T::List,
            Def::Value(""),
            Low,
            "Aliases of the transformations applied to records, in order.",
            TRANSFORMS_GROUP,
            8,
            L,
            "Transforms",
        ),
        key(
            "predicates",
            T::List,
            Def::Value(""),
            Low,
            "Aliases of the predicates that transformations may refer to.",
            PREDICATES_GROUP,
            9,
            L,
            "Predicates",
        ),
        key(
            "config.action.reload",
            T::String,
            Def::Value("restart"),
            Low,
            "What to do when a config provider reports changed values: `restart` the connector, or `none`.",
            COMMON_GROUP,
            10,
            M,
            "Reload Action",
        ),
        key(
            "errors.retry.timeout",
            T::Long,
            Def::Value("0"),
            Medium,
            "How long, in milliseconds, a failed operation is retried; 0 = no retries, -1 = retry forever.",
            ERROR_GROUP,
            1,
            M,
            "Retry Timeout for Errors",
        ),
        key(
            "errors.retry.delay.max.ms",
            T::Long,
            Def::Value("60000"),
            Medium,
            "Longest wait, in milliseconds, between two retries (jitter is added once it is reached).",
            ERROR_GROUP,
            2,
            M,
            "Maximum Delay Between Retries for Errors",
        ),
        key(
            "errors.tolerance",
            T::String,
            Def::Value("none"),
            Medium,
            "`none`: the first conversion or transformation error fails the task; `all`: skip bad records.",
            ERROR_GROUP,
            3,
            S,
            "Error Tolerance",
        ),
        key(
            "errors.log.enable",
            T::Boolean,
            Def::Value("false"),
            Medium,
            "Log every error, with the failed operation and the record's coordinates.",
            ERROR_GROUP,
            4,
            S,
            "Log Errors",
        ),
        key(
            "errors.log.include.messages",
            T::Boolean,
            Def::Value("false"),
            Medium,
            "Include the failing record in error logs (sink: topic, partition, offset, timestamp; source: \
             key, value, headers and more).",
            ERROR_GROUP,
            5,
            S,
            "Log Error Details",
        ),
        key(
            "task.restart.on.failure",
            T::Boolean,
            Def::Value("true"),
            Medium,
            "connect-host extension: restart a FAILED task automatically, with exponential back-off \
             (1 s doubling up to task.restart.backoff.max.ms). Kafka Connect leaves failed tasks down \
             until a manual restart; set false for that behaviour.",
            ERROR_GROUP,
            6,
            S,
            "Restart Failed Tasks",
        ),
        key(
            "task.restart.backoff.max.ms",
            T::Long,
            Def::Value("300000"),
            Low,
            "connect-host extension: the longest wait between automatic restarts of a failed task.",
            ERROR_GROUP,
            7,
            S,
            "Restart Back-off Max",
        ),
    ];
    if kind == ConnectorKind::Sink {
        defs.extend([
            key("topics", T::List, Def::Value(""), High, "Topics to consume, comma-separated.", COMMON_GROUP, 4, L, "Topics"),
            key(
                "task.static.membership",
                T::Boolean,
                Def::Value("true"),
                Low,
                "connect-host extension: each task's consumer is a static member of the group \
                 (group.instance.id connect-<cluster group.id>-<connector>-<task>), so a worker restarted after a crash \
                 gets its partitions back at once instead of after session.timeout.ms. A task that stops \
                 cleanly leaves the group, as a dynamic member does. Set false for Kafka Connect's \
                 dynamic membership (also used, for now, when security.protocol is not PLAINTEXT).",
                COMMON_GROUP,
                6,
                S,
                "Static Group Membership",
            ),
            key(
                "topics.regex",
                T::String,
                Def::Value(""),
                High,
                "Regular expression of the topics to consume; set this or `topics`, not both.",
                COMMON_GROUP,
                4,
                L,
                "Topics regex",
            ),
            key(
                "errors.deadletterqueue.topic.name",
                T::String,
                Def::Value(""),
                Medium,
                "Topic that receives the records failing conversion or transformation (the dead letter \
                 queue); empty = none.",
                ERROR_GROUP,
                6,
                M,
                "Dead Letter Queue Topic Name",
            ),
            key(
                "errors.deadletterqueue.topic.replication.factor",
                T::Short,
                Def::Value("3"),
                Medium,
                "Replication factor used when the dead letter queue topic has to be created.",
                ERROR_GROUP,
                7,
                M,
                "Dead Letter Queue Topic Replication Factor",
            ),
            key(
                "errors.deadletterqueue.context.headers.enable",
                T::Boolean,
                Def::Value("false"),
                Medium,
                "Add `__connect.errors.*` headers describing the error to records sent to the dead letter queue.",
                ERROR_GROUP,
                8,
                M,
                "Enable Error Context Headers",
            ),
        ]);
    }

    for (name, order, display) in [
        ("key.converter.plugin.version", 7, "Key converter version"),
        (
            "value.converter.plugin.version",
            9,
            "Value converter version",
        ),
        (
            "header.converter.plugin.version",
            11,
            "Header converter version",
        ),
    ] {
        defs.push(key(
            name,
            T::String,
            Def::Null,
            Low,
            "Version of the converter to run: not supported yet (this host runs its built-in \
             converters, one version each); leave it unset.",
            COMMON_GROUP,
            order,
            S,
            display,
        ));
    }
    if kind == ConnectorKind::Source {
        defs.extend([
            key("topic.creation.groups", T::List, Def::Value(""), Low,
                "Groups of topic.creation.* settings for topics the source creates: not supported yet \
                 (create topics beforehand or let the broker auto-create them).",
                "Topic Creation", 1, L, "Topic Creation Groups"),
            key("exactly.once.support", T::String, Def::Value("requested"), Medium,
                "Exactly-once support the connector must give: only `requested` (the default) is \
                 accepted, exactly-once sources are not supported yet.",
                "Exactly Once Support", 2, S, "Exactly once support"),
            key("transaction.boundary", T::String, Def::Value("poll"), Medium,
                "Transaction boundaries of exactly-once sources: only `poll` (the default) is accepted, \
                 exactly-once sources are not supported yet.",
                "Exactly Once Support", 3, S, "Transaction Boundary"),
            key("transaction.boundary.interval.ms", T::Long, Def::Null, Low,
                "Interval of `transaction.boundary=interval`: not supported yet; leave it unset.",
                "Exactly Once Support", 4, S, "Transaction boundary interval"),
            key("offsets.storage.topic", T::String, Def::Null, Low,
                "A separate offsets topic for this connector: not supported yet (offsets live in the \
                 worker's offset.storage.topic); leave it unset.",
                "offsets.topic", 1, L, "Offsets topic"),
        ]);
    }
    defs
}

/// The per-alias keys implied by `transforms` and `predicates` in `props`:
/// `transforms.<a>.type` (required), `transforms.<a>.predicate`, `transforms.<a>.negate` and
/// `predicates.<p>.type` (required), grouped as Kafka does ("Transforms: a", "Predicates: p").
/// The plugins' own keys under those prefixes come from the plugins.
pub fn alias_config_defs(props: &BTreeMap<String, String>) -> Vec<ConfigKeyInfo> {
    let mut defs = Vec::new();
    let aliases = |key: &str| -> Vec<String> {
        let mut list = props.get(key).map(|v| parse_list(v)).unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        list.retain(|a| !a.is_empty() && seen.insert(a.clone()));
        list
    };
    for (order, alias) in (0..).zip(aliases("transforms")) {
        let group = format!("{TRANSFORMS_GROUP}: {alias}");
        let type_key = format!("transforms.{alias}.type");
        defs.push(alias_type_key(
            &type_key,
            &alias,
            "transformation",
            "Transformation",
            &group,
            order,
        ));
        // Kafka embeds the implicit keys right after the type key, at the type key's order
        // plus their own (-1) order in group.
        let predicate_doc =
            "Alias of the predicate that decides whether this transformation applies.";
        let predicate_key = format!("transforms.{alias}.predicate");
        defs.push(implicit_key(
            &predicate_key,
            "predicate",
            ConfigType::String,
            None,
            predicate_doc,
            &group,
            order,
        ));
        let negate_doc = "Apply the transformation when the predicate does NOT match.";
        let negate_key = format!("transforms.{alias}.negate");
        defs.push(implicit_key(
            &negate_key,
            "negate",
            ConfigType::Boolean,
            Some("false"),
            negate_doc,
            &group,
            order,
        ));
    }
    for (order, alias) in (0..).zip(aliases("predicates")) {
        let group = format!("{PREDICATES_GROUP}: {alias}");
        let type_key = format!("predicates.{alias}.type");
        defs.push(alias_type_key(
            &type_key,
            &alias,
            "predicate",
            "Predicate",
            &group,
            order,
        ));
    }
    defs
}

fn alias_type_key(
    name: &str,
    alias: &str,
    kind: &str,
    display: &str,
    group: &str,
    order: i32,
) -> ConfigKeyInfo {
    ConfigKeyInfo {
        name: name.to_string(),
        config_type: ConfigType::Class,
        required: true,
        default_value: None,
        importance: Importance::High,
        documentation: format!("Class for the '{alias}' {kind}."),
        group: Some(group.to_string()),
        order,
        width: Width::Long,
        display_name: format!("{display} type for {alias}"),
        dependents: Vec::new(),
    }
}

fn implicit_key(
    name: &str,
    display: &str,
    config_type: ConfigType,
    default: Option<&str>,
    documentation: &str,
    group: &str,
    order: i32,
) -> ConfigKeyInfo {
    ConfigKeyInfo {
        name: name.to_string(),
        config_type,
        required: false,
        default_value: default.map(str::to_string),
        importance: Importance::Medium,
        documentation: documentation.to_string(),
        group: Some(group.to_string()),
        order,
        width: Width::None,
        display_name: display.to_string(),
        dependents: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_defs_have_kafka_shape() {
        let defs = framework_config_defs(ConnectorKind::Sink);
        let by = |n: &str| {
            defs.iter()
                .find(|d| d.name == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        assert!(by("name").required && by("name").default_value.is_none());
        assert!(by("connector.class").required);
        assert!(!by("key.converter").required && by("key.converter").default_value.is_none());
        assert_eq!(by("tasks.max").default_value.as_deref(), Some("1"));
        assert_eq!(by("tasks.max").config_type, ConfigType::Int);
        assert_eq!(by("transforms").group.as_deref(), Some("Transforms"));
        assert_eq!(
            by("errors.tolerance").default_value.as_deref(),
            Some("none")
        );
        assert_eq!(
            by("errors.deadletterqueue.topic.replication.factor").config_type,
            ConfigType::Short
        );
        assert_eq!(by("topics").order, 4);
        let json = serde_json::to_value(by("errors.retry.delay.max.ms")).unwrap();
        assert_eq!(json["default_value"], "60000");
        assert_eq!(json["group"], "Error Handling");
        assert_eq!(json["width"], "MEDIUM");
        assert_eq!(
            json["display_name"],
            "Maximum Delay Between Retries for Errors"
        );
    }

    #[test]
    fn source_defs_have_no_sink_keys() {
        let defs = framework_config_defs(ConnectorKind::Source);
        assert!(
            defs.iter()
                .all(|d| !d.name.starts_with("topics") && !d.name.contains("deadletterqueue"))
        );
        assert_eq!(
            defs.len(),
            26,
            "the 24 framework keys Kafka Connect 4.3 lists for a source, and the two task.restart.* extensions"
        );
    }

    #[test]
    fn alias_defs_follow_the_listed_aliases() {
        let props: BTreeMap<String, String> = [("transforms", "a, b"), ("predicates", "p")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let defs = alias_config_defs(&props);
        let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "transforms.a.type",
                "transforms.a.predicate",
                "transforms.a.negate",
                "transforms.b.type",
                "transforms.b.predicate",
                "transforms.b.negate",
                "predicates.p.type"
            ]
        );
        assert_eq!(defs[0].group.as_deref(), Some("Transforms: a"));
        assert_eq!(defs[0].display_name, "Transformation type for a");
        assert!(defs[0].required);
        assert_eq!(defs[6].display_name, "Predicate type for p");
    }
}
