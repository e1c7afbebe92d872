//! A connector's `transforms` and `predicates` resolved to classes: the chain a task runs
//! (built when the task starts) and the per-key checks `…/config/validate` reports.
//!
//! Classes are Kafka's built-ins (`connect_data::transforms::builtin`), by full or simple
//! name. A class Kafka has but this host does not run yet, or a transformation plugin from
//! `plugin.path` (they load and are listed, but the host cannot run them in a pipeline yet), is
//! refused with "not supported yet" — never accepted and skipped.

use std::collections::BTreeMap;

use connect_data::transforms::builtin::{self, Builtin, BuiltinKind};
use connect_data::transforms::chain::{self, Chain, PredicateSpec, StageError, StageSpec};
use connect_plugin_api::abi::plugin::PluginKind;

use super::validate::key_info;
use crate::config::{ConfigKeyInfo, ConnectorConfig, PredicateConfig, TransformConfig};
use crate::plugins::PluginRegistry;

/// A failure of the step: a stage failed (handled at the `TRANSFORMATION` stage), or the result
/// could not be written into the batch (the task fails).
pub enum StepError {
    /// A transformation or predicate failed.
    Stage(StageError),
    /// The record decoded from the converters did not fit its schema, or the batch is full.
    Batch(String),
}

/// One alias resolved: what `transforms.<alias>.type` / `predicates.<alias>.type` names.
pub enum Resolved {
    /// A built-in class of the right kind.
    Builtin(&'static Builtin),
    /// Refused, with the message for the `type` key (Kafka's wording where it has one).
    Refused(String),
}

/// Resolves `class` for an alias of `kind`; `registry` (if given) tells plugin classes apart
/// from unknown ones.
pub fn resolve(
    kind: BuiltinKind,
    type_key: &str,
    class: &str,
    registry: Option<&PluginRegistry>,
) -> Resolved {
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
    if let Some(p) = registry.and_then(|r| r.other(plugin_kind, class)) {
        return Resolved::Refused(invalid(format!(
            "not supported yet: {what} plugins ({} from {} loads, but this host does not run plugin {what}s in a pipeline yet)",
            p.info.class,
            p.library.display()
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
        match resolve(kind, &type_key, class, Some(registry)) {
            Resolved::Refused(message) => errors.entry(type_key).or_default().push(message),
            Resolved::Builtin(b) => {
                let group = match kind {
                    BuiltinKind::Transformation => format!("Transforms: {alias}"),
                    BuiltinKind::Predicate => format!("Predicates: {alias}"),
                };
                let prefix = format!("{list}.{alias}.");
                for def in (b.config_def)().keys() {
                    let mut info = key_info(def);
                    info.name = format!("{prefix}{}", info.name);
                    info.group = Some(group.clone());
                    defs.push(info);
                }
                for report in (b.validate)(settings) {
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

/// The chain of a task of `config`. Fails (a CONFIG failure of the task) on a class that does
/// not resolve or settings its class refuses: validation refuses those before a connector is
/// created, so this is a config written by an older version or another worker.
pub fn build(config: &ConnectorConfig) -> Result<Chain, String> {
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
        kind, type_key, class, None,
    ) {
        Resolved::Builtin(b) => Ok(b),
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
