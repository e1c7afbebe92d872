//! A task's transformation chain: Kafka's `TransformationChain` of `PredicatedTransformation`s.
//! Each stage runs when its predicate's answer differs from its `negate` (no predicate: always);
//! a stage that drops the record ends the chain for it.

use std::collections::BTreeMap;

use connect_plugin_api::sdk::config::ConfigMap;

use super::builtin::{Build, Builtin, BuiltinKind};
use super::record::TransformRecord;
use super::transform::{Predicate, Transform, TransformError};

/// One configured `transforms` entry.
pub struct Stage {
    /// Its alias in `transforms`.
    pub alias: String,
    /// Its class, for messages.
    pub class: String,
    /// The transformation.
    pub transform: Box<dyn Transform>,
    /// Index of its predicate in the chain's predicates.
    pub predicate: Option<usize>,
    /// `transforms.<alias>.negate`.
    pub negate: bool,
}

/// A failure in one stage, for error handling at the `TRANSFORMATION` stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transformation '{alias}' ({class}) failed: {error}")]
pub struct StageError {
    /// The alias of the stage (or of its predicate's stage).
    pub alias: String,
    /// The class that failed.
    pub class: String,
    /// What it said.
    pub error: TransformError,
}

/// The stages, in `transforms` order, and the predicates they use.
#[derive(Default)]
pub struct Chain {
    stages: Vec<Stage>,
    predicates: Vec<(String, Box<dyn Predicate>)>,
}

impl Chain {
    /// A chain of `stages`; `predicates` are `(class, predicate)` by the index stages name.
    pub fn new(stages: Vec<Stage>, predicates: Vec<(String, Box<dyn Predicate>)>) -> Chain {
        Chain { stages, predicates }
    }

    /// No stage: records pass untouched (and are not decoded at all).
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// The record after every stage, or `None` if a stage dropped it.
    pub fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, StageError> {
        for stage in &mut self.stages {
            if let Some(p) = stage.predicate {
                let (class, predicate) = &mut self.predicates[p];
                let matched = predicate.test(&record).map_err(|error| StageError {
                    alias: stage.alias.clone(),
                    class: class.clone(),
                    error,
                })?;
                if matched == stage.negate {
                    continue;
                }
            }
            match stage.transform.apply(record) {
                Ok(Some(next)) => record = next,
                Ok(None) => return Ok(None),
                Err(error) => {
                    return Err(StageError {
                        alias: stage.alias.clone(),
                        class: stage.class.clone(),
                        error,
                    });
                }
            }
        }
        Ok(Some(record))
    }
}

/// One `predicates` alias as configured: its class and its settings (prefix and `type` removed).
pub struct PredicateSpec<'a> {
    /// The alias.
    pub alias: &'a str,
    /// `predicates.<alias>.type`.
    pub class: &'a str,
    /// Its other `predicates.<alias>.*` settings.
    pub settings: &'a ConfigMap,
}

/// One `transforms` alias as configured: its class, its settings (prefix, `type`, `predicate`
/// and `negate` removed), its predicate's alias and `negate`.
pub struct StageSpec<'a> {
    /// The alias.
    pub alias: &'a str,
    /// `transforms.<alias>.type`.
    pub class: &'a str,
    /// Its own `transforms.<alias>.*` settings.
    pub settings: &'a ConfigMap,
    /// `transforms.<alias>.predicate`.
    pub predicate: Option<&'a str>,
    /// `transforms.<alias>.negate`.
    pub negate: bool,
}

/// Why a chain could not be built. `Display` names the alias and class; `message` alone is the
/// class's own words (Kafka's `ConfigException` message for a bad setting).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{context}: {message}")]
pub struct BuildError {
    /// `transformation 'alias' (class)`, `predicate 'alias' (class)` or the key at fault.
    pub context: String,
    /// What went wrong.
    pub message: String,
}

fn fail(context: String, message: impl Into<String>) -> BuildError {
    BuildError {
        context,
        message: message.into(),
    }
}

/// Builds the chain of built-in classes the specs name, in order. `resolve(kind, type_key,
/// class)` finds the class (or says why not, in the words the caller wants); a class of the
/// wrong kind, a failing constructor or a predicate alias `predicates` does not list is an
/// error naming the alias.
pub fn build(
    predicates: &[PredicateSpec<'_>],
    stages: &[StageSpec<'_>],
    resolve: impl Fn(BuiltinKind, &str, &str) -> Result<&'static Builtin, String>,
) -> Result<Chain, BuildError> {
    let mut built: Vec<(String, Box<dyn Predicate>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for p in predicates {
        let type_key = format!("predicates.{}.type", p.alias);
        let b = resolve(BuiltinKind::Predicate, &type_key, p.class)
            .map_err(|m| fail(type_key.clone(), m))?;
        let context = format!("predicate '{}' ({})", p.alias, b.class);
        let Build::Predicate(make) = b.build else {
            return Err(fail(context, "not a predicate"));
        };
        let predicate = make(p.settings).map_err(|e| fail(context, e.message))?;
        index.insert(p.alias, built.len());
        built.push((b.class.to_owned(), predicate));
    }
    let mut chain = Vec::new();
    for t in stages {
        let type_key = format!("transforms.{}.type", t.alias);
        let b = resolve(BuiltinKind::Transformation, &type_key, t.class)
            .map_err(|m| fail(type_key.clone(), m))?;
        let context = format!("transformation '{}' ({})", t.alias, b.class);
        let Build::Transform(make) = b.build else {
            return Err(fail(context, "not a transformation"));
        };
        let transform = make(t.settings).map_err(|e| fail(context, e.message))?;
        let predicate = match t.predicate {
            None => None,
            Some(name) => Some(*index.get(name).ok_or_else(|| {
                fail(
                    format!("transforms.{}.predicate", t.alias),
                    format!("names predicate '{name}', which 'predicates' does not list"),
                )
            })?),
        };
        chain.push(Stage {
            alias: t.alias.to_owned(),
            class: b.class.to_owned(),
            transform,
            predicate,
            negate: t.negate,
        });
    }
    Ok(Chain::new(chain, built))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::data::Datum;
    use crate::transforms::data::Value;
    use crate::transforms::filter::Filter;
    use crate::transforms::predicates::RecordIsTombstone;

    fn record(value: Value) -> TransformRecord {
        TransformRecord {
            topic: "t".into(),
            partition: Some(0),
            offset: Some(1),
            key: Datum::NULL,
            value: Datum::schemaless(value),
            timestamp: None,
            headers: Vec::new(),
        }
    }

    fn filter_chain(negate: bool) -> Chain {
        Chain::new(
            vec![Stage {
                alias: "drop".into(),
                class: "Filter".into(),
                transform: Box::new(Filter),
                predicate: Some(0),
                negate,
            }],
            vec![("RecordIsTombstone".into(), Box::new(RecordIsTombstone))],
        )
    }

    #[test]
    fn a_stage_runs_when_its_predicate_differs_from_negate() {
        let mut drop_tombstones = filter_chain(false);
        assert_eq!(drop_tombstones.apply(record(Value::Null)).unwrap(), None);
        assert!(
            drop_tombstones
                .apply(record(Value::Int64(1)))
                .unwrap()
                .is_some()
        );
        let mut keep_only_tombstones = filter_chain(true);
        assert!(
            keep_only_tombstones
                .apply(record(Value::Null))
                .unwrap()
                .is_some()
        );
        assert_eq!(
            keep_only_tombstones.apply(record(Value::Int64(1))).unwrap(),
            None
        );
        assert!(Chain::default().is_empty());
    }
}
