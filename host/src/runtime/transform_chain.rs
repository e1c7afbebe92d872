//! A connector's `transforms` and `predicates` resolved to classes: the chain a task runs
//! (built when the task starts) and the per-key checks `…/config/validate` reports.
//!
//! Classes are Kafka's built-ins (`connect_data::transforms::builtin`), by full or simple
//! name, or transformation and predicate classes of the plugin libraries on `plugin.path` (run
//! batch-wise through the plugin ABI: `plugin_transform`). A class Kafka has but this host does
//! not run yet is refused with "not supported yet" — never accepted and skipped.

use std::collections::BTreeMap;

use abi_stable::std_types::RResult;
use connect_data::transforms::builtin::{self, Builtin, BuiltinKind};
use connect_data::transforms::chain::{self, Chain, Class, PredicateSpec, StageError, StageSpec};
use connect_plugin_api::abi::{
    config::ConfigKeyDef, error::PluginError, plugin::PluginKind, types::ConfigEntry,
};
use connect_plugin_api::sdk::config::{ConfigMap, validate_key};

use super::plugin_transform::{PluginPredicate, PluginTransform, RetryPolicy};
use super::validate::key_info;
use crate::config::{ConfigKeyInfo, ConnectorConfig, PredicateConfig, TransformConfig};
use crate::plugins::{OtherPlugin, PluginFactory, PluginRegistry};

/// A failure of the step: a stage failed (handled at the `TRANSFORMATION` stage), or the result
/// could not be written into the batch (the task fails).
pub enum StepError {
    /// A transformation or predicate failed.
    Stage(StageError),
    /// The record decoded from the converters did not fit its schema, or the batch is full.
    Batch(String),
}

/// One alias resolved: what `transforms.<alias>.type` / `predicates.<alias>.type` names.
pub enum Resolved<'r> {
    /// A built-in class of the right kind.
    Builtin(&'static Builtin),
    /// A plugin class of the right kind.
    Plugin(&'r OtherPlugin),
    /// Refused, with the message for the `type` key (Kafka's wording where it has one).
    Refused(String),
}

/// Resolves `class` for an alias of `kind`; `registry` (if given) tells plugin classes apart
/// from unknown ones.
pub fn resolve<'r>(
    kind: BuiltinKind,
    type_key: &str,
    class: &str,
    registry: &'r PluginRegistry,
) -> Resolved<'r> {
    let what = match kind {
        BuiltinKind::Transformation => "transformation",
        BuiltinKind::Predicate => "predicate",
    };
    let invalid =
        |why: String| format!("Invalid value {class} for configuration {type_key}: {why}");
    if let Some(b) = builtin::lookup(class) {
        if b.kind == kind {
            return Resolved::Builtin(b);
        }
        return Resolved::Refused(invalid(format!(
            "Class {} is a {}, not a {what}",
            b.class,
            match b.kind {
                BuiltinKind::Transformation => "transformation",
                BuiltinKind::Predicate => "predicate",
            }
        )));
    }
    if let Some(full) = builtin::not_yet_supported(class) {
        return Resolved::Refused(invalid(format!(
            "not supported yet: {full} (this host does not run this {what} yet; remove it or run the connector on a Java worker)"
        )));
    }
    let plugin_kind = match kind {
        BuiltinKind::Transformation => PluginKind::TRANSFORMATION,
        BuiltinKind::Predicate => PluginKind::PREDICATE,
    };
    if let Some(p) = registry.other(plugin_kind, class) {
        return Resolved::Plugin(p);
    }
    let other_kind = match kind {
        BuiltinKind::Transformation => PluginKind::PREDICATE,
        BuiltinKind::Predicate => PluginKind::TRANSFORMATION,
    };
    if let Some(p) = registry.other(other_kind, class) {
        return Resolved::Refused(invalid(format!(
            "Class {} is a {}, not a {what}",
            p.info.class,
            p.info.kind.name()
        )));
    }
    Resolved::Refused(invalid(format!("Class {class} could not be found.")))
}

/// The keys and per-key errors the connector's aliases add to a validation: each built-in
/// class's own keys under its prefix (group `Transforms: <alias>` / `Predicates: <alias>`, as
/// Kafka's enriched ConfigDef has them), and errors keyed by full key name.
pub fn alias_keys(
    transforms: &[TransformConfig],
    predicates: &[PredicateConfig],
    registry: &PluginRegistry,
) -> (Vec<ConfigKeyInfo>, BTreeMap<String, Vec<String>>) {
    let mut defs = Vec::new();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let transforms = transforms.iter().map(|t| {
        let kind = BuiltinKind::Transformation;
        (kind, "transforms", &t.alias, &t.class, &t.settings)
    });
    let predicates = predicates.iter().map(|p| {
        let kind = BuiltinKind::Predicate;
        (kind, "predicates", &p.alias, &p.class, &p.settings)
    });
    // A missing `type` is the framework's error already.
    let aliases = transforms
        .chain(predicates)
        .filter(|(_, _, _, class, _)| !class.trim().is_empty());
    for (kind, list, alias, class, settings) in aliases {
        let type_key = format!("{list}.{alias}.type");
        let group = match kind {
            BuiltinKind::Transformation => format!("Transforms: {alias}"),
            BuiltinKind::Predicate => format!("Predicates: {alias}"),
        };
        let prefix = format!("{list}.{alias}.");
        let (keys, reports) = match resolve(kind, &type_key, class, registry) {
            Resolved::Refused(message) => {
                errors.entry(type_key).or_default().push(message);
                continue;
            }
            Resolved::Builtin(b) => ((b.config_def)().keys().to_vec(), (b.validate)(settings)),
            Resolved::Plugin(p) => {
                let keys: Vec<ConfigKeyDef> = p.factory.config_def();
                let reports = keys
                    .iter()
                    .map(|def| {
                        validate_key(def, settings.get(def.name.as_str()).map(String::as_str))
                    })
                    .collect();
                (keys, reports)
            }
        };
        {
            {
                for def in &keys {
                    let mut info = key_info(def);
                    info.name = format!("{prefix}{}", info.name);
                    info.group = Some(group.clone());
                    defs.push(info);
                }
                for report in reports {
                    let (short, full) = (report.name.as_str(), format!("{prefix}{}", report.name));
                    for e in report.errors.iter() {
                        // Kafka validates the enriched ConfigDef, whose keys carry the prefix.
                        let message = e
                            .as_str()
                            .replacen(
                                &format!("configuration {short}"),
                                &format!("configuration {full}"),
                                1,
                            )
                            .replacen(&format!("\"{short}\""), &format!("\"{full}\""), 1);
                        errors.entry(full.clone()).or_default().push(message);
                    }
                }
            }
        }
    }
    (defs, errors)
}

/// What a task's chain needs beyond the connector config: the plugins, the decimal form of
/// the value converter, and the retry policy of plugin stages.
pub struct ChainContext<'r> {
    /// The worker's plugins.
    pub registry: &'r PluginRegistry,
    /// The value converter's `decimal.format=NUMERIC`.
    pub decimal_numeric: bool,
    /// `errors.retry.*` of the task.
    pub retry: RetryPolicy,
}

/// The settings in boundary form.
fn entries(settings: &ConfigMap) -> Vec<ConfigEntry> {
    connect_plugin_api::batch::config_entries(settings)
        .into_iter()
        .collect()
}

/// Calls a plugin factory's `create` with `settings`, a panic caught: the instance, or the
/// plugin's message.
fn create<T>(
    class: &str,
    settings: &ConfigMap,
    create: impl FnOnce(abi_stable::std_types::RSlice<'_, ConfigEntry>) -> RResult<T, PluginError>,
) -> Result<T, String> {
    let e = entries(settings);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| create(e.as_slice().into()))) {
        Ok(RResult::ROk(inner)) => Ok(inner),
        Ok(RResult::RErr(e)) => Err(e.message.into_string()),
        Err(_) => Err(format!("{class} panicked in configure")),
    }
}

/// A plugin class as a chain class: creating it is the plugin's `configure`.
fn plugin_class<'r>(p: &'r OtherPlugin, cx: &'r ChainContext<'r>) -> Result<Class<'r>, String> {
    let class = p.info.class.to_string();
    let (decimal_numeric, retry) = (cx.decimal_numeric, cx.retry.clone());
    let name = class.clone();
    match &p.factory {
        PluginFactory::Transformation(f) => Ok(Class::BatchTransform(
            class,
            Box::new(move |settings: &ConfigMap| {
                let inner = create(&name, settings, |c| f.create(c))?;
                Ok(Box::new(PluginTransform::new(&name, inner, decimal_numeric, retry)) as _)
            }),
        )),
        PluginFactory::Predicate(f) => Ok(Class::BatchPredicate(
            class,
            Box::new(move |settings: &ConfigMap| {
                let inner = create(&name, settings, |c| f.create(c))?;
                Ok(Box::new(PluginPredicate::new(&name, inner, decimal_numeric, retry)) as _)
            }),
        )),
        _ => Err(format!("{class} is not a transformation or predicate")),
    }
}

/// The chain of a task of `config`. Fails (a CONFIG failure of the task) on a class that does
/// not resolve or settings its class refuses: validation refuses those before a connector is
/// created, so this is a config written by an older version or another worker.
pub fn build(config: &ConnectorConfig, cx: &ChainContext<'_>) -> Result<Chain, String> {
    let predicates: Vec<PredicateSpec<'_>> = config
        .predicates
        .iter()
        .map(|p| PredicateSpec {
            alias: &p.alias,
            class: &p.class,
            settings: &p.settings,
        })
        .collect();
    let stages: Vec<StageSpec<'_>> = config
        .transforms
        .iter()
        .map(|t| StageSpec {
            alias: &t.alias,
            class: &t.class,
            settings: &t.settings,
            predicate: t.predicate.as_deref(),
            negate: t.negate,
        })
        .collect();
    chain::build(&predicates, &stages, |kind, type_key, class| match resolve(
        kind,
        type_key,
        class,
        cx.registry,
    ) {
        Resolved::Builtin(b) => Ok(Class::Builtin(b)),
        Resolved::Plugin(p) => plugin_class(p, cx),
        Resolved::Refused(m) => Err(m),
    })
    .map_err(|e| {
        // A refused class's message already names its key (Kafka's "Invalid value … for
        // configuration …"); the others get the alias and class in front.
        if e.context.ends_with(".type") {
            e.message
        } else {
            e.to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConnectorKind;
    use crate::config::connector::RetryTimeout;
    use crate::runtime::task_control::TaskControl;
    use crate::storage::MemoryStatusStore;
    use std::sync::Arc;
    use std::time::Duration;

    fn build(c: &ConnectorConfig) -> Result<Chain, String> {
        let registry = PluginRegistry::load(&[]);
        let control = TaskControl::new(
            "c",
            Some(0),
            "w",
            crate::runtime::status::TargetState::Started,
            Arc::new(MemoryStatusStore::new()),
            Default::default(),
        );
        let cx = ChainContext {
            registry: &registry,
            decimal_numeric: false,
            retry: RetryPolicy {
                timeout: RetryTimeout::Limited(Duration::ZERO),
                delay_max: Duration::from_secs(60),
                control,
            },
        };
        super::build(c, &cx)
    }

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        let mut props: BTreeMap<String, String> = [
            ("name", "c"),
            ("connector.class", "FileStreamSink"),
            ("topics", "t"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        props.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        ConnectorConfig::parse(&props, ConnectorKind::Sink).unwrap()
    }

    #[test]
    fn builtins_build_by_simple_name_with_their_predicates() {
        let c = config(&[
            ("transforms", "route,drop"),
            ("transforms.route.type", "RegexRouter"),
            ("transforms.route.regex", "t"),
            ("transforms.route.replacement", "u"),
            (
                "transforms.drop.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.drop.predicate", "tomb"),
            ("predicates", "tomb"),
            ("predicates.tomb.type", "RecordIsTombstone"),
        ]);
        let chain = build(&c).unwrap();
        assert!(!chain.is_empty());
    }

    #[test]
    fn unknown_classes_and_wrong_kinds_are_refused_by_name() {
        let c = config(&[("transforms", "x"), ("transforms.x.type", "com.acme.Nope")]);
        assert_eq!(
            build(&c).err().unwrap(),
            "Invalid value com.acme.Nope for configuration transforms.x.type: Class com.acme.Nope could not be found."
        );
        let c = config(&[
            ("transforms", "x"),
            ("transforms.x.type", "TopicNameMatches"),
        ]);
        assert!(build(&c).err().unwrap().contains("is a predicate"));
    }

    #[test]
    fn validation_adds_prefixed_keys_and_kafka_messages() {
        let registry = PluginRegistry::load(&[]);
        let c = config(&[
            ("transforms", "route"),
            ("transforms.route.type", "RegexRouter"),
            ("transforms.route.regex", "("),
        ]);
        let (defs, errors) = alias_keys(&c.transforms, &c.predicates, &registry);
        let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["transforms.route.regex", "transforms.route.replacement"]
        );
        assert_eq!(defs[0].group.as_deref(), Some("Transforms: route"));
        assert!(
            errors["transforms.route.regex"][0].starts_with(
                "Invalid value ( for configuration transforms.route.regex: Invalid regex:"
            ),
            "{errors:?}"
        );
        assert_eq!(
            errors["transforms.route.replacement"],
            [
                "Missing required configuration \"transforms.route.replacement\" which has no default value."
            ]
        );
    }
}
