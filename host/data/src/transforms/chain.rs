//! A task's transformation chain: Kafka's `TransformationChain` of `PredicatedTransformation`s.
//! Each stage runs when its predicate's answer differs from its `negate` (no predicate: always);
//! a stage that drops the record ends the chain for it.
//!
//! Built-in stages and predicates work record by record; a plugin's work batch-wise (every call
//! crosses the plugin boundary, and a batch crosses, not a record). A chain with any batch-wise
//! part runs with [`Chain::apply_batch`]: each stage sees the records still alive after the
//! stages before it, and a record that fails one stage leaves the batch without stopping the
//! others.

use std::collections::BTreeMap;

use connect_plugin_api::sdk::config::ConfigMap;

use super::builtin::{Build, Builtin, BuiltinKind};
use super::record::TransformRecord;
use super::transform::{BatchPredicate, BatchTransform, Predicate, Transform, TransformError};

/// How a stage transforms: record by record (built-ins) or batch-wise (plugins).
pub enum Op {
    /// A built-in transformation.
    Record(Box<dyn Transform>),
    /// A plugin transformation.
    Batch(Box<dyn BatchTransform>),
}

/// How a predicate answers: record by record (built-ins) or batch-wise (plugins).
pub enum Test {
    /// A built-in predicate.
    Record(Box<dyn Predicate>),
    /// A plugin predicate.
    Batch(Box<dyn BatchPredicate>),
}

/// One configured `transforms` entry.
pub struct Stage {
    /// Its alias in `transforms`.
    pub alias: String,
    /// Its class, for messages.
    pub class: String,
    /// The transformation.
    pub op: Op,
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

/// A batch-wise stage or predicate that cannot go on (a broken plugin, not a bad record): the
/// task fails with this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transformation '{alias}' ({class}) cannot go on: {message}")]
pub struct ChainFailure {
    /// The alias of the stage (or of its predicate's stage).
    pub alias: String,
    /// The class that failed.
    pub class: String,
    /// What went wrong.
    pub message: String,
}

/// What the chain made of each input record of [`Chain::apply_batch`], in input order.
pub type BatchOutcome = Vec<Result<Option<TransformRecord>, StageError>>;

/// The stages, in `transforms` order, and the predicates they use.
#[derive(Default)]
pub struct Chain {
    stages: Vec<Stage>,
    predicates: Vec<(String, Test)>,
}

impl Chain {
    /// A chain of `stages`; `predicates` are `(class, predicate)` by the index stages name.
    pub fn new(stages: Vec<Stage>, predicates: Vec<(String, Test)>) -> Chain {
        Chain { stages, predicates }
    }

    /// No stage: records pass untouched (and are not decoded at all).
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Whether a stage or predicate works batch-wise: the chain then runs on whole batches
    /// ([`Chain::apply_batch`]) rather than record by record.
    pub fn is_batch_wise(&self) -> bool {
        self.stages.iter().any(|s| matches!(s.op, Op::Batch(_)))
            || self
                .predicates
                .iter()
                .any(|(_, p)| matches!(p, Test::Batch(_)))
    }

    /// The record after every stage, or `None` if a stage dropped it. A batch-wise chain runs
    /// as a batch of one (use [`Chain::apply_batch`] for those).
    pub fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, StageError> {
        if self.is_batch_wise() {
            return match self.apply_batch(vec![record]) {
                Ok(mut out) => out.pop().unwrap_or(Ok(None)),
                Err(f) => Err(StageError {
                    alias: f.alias,
                    class: f.class,
                    error: TransformError::new(f.message),
                }),
            };
        }
        for stage in &mut self.stages {
            if let Some(p) = stage.predicate {
                let (class, test) = &mut self.predicates[p];
                let Test::Record(predicate) = test else {
                    unreachable!("a batch-wise chain runs as a batch")
                };
                let matched = predicate.test(&record).map_err(|error| StageError {
                    alias: stage.alias.clone(),
                    class: class.clone(),
                    error,
                })?;
                if matched == stage.negate {
                    continue;
                }
            }
            let Op::Record(transform) = &mut stage.op else {
                unreachable!("a batch-wise chain runs as a batch")
            };
            match transform.apply(record) {
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

    /// Every record of `input` through every stage: one outcome per input record, in input
    /// order. A record that fails a stage (or its predicate) has its error and goes no further;
    /// the others go on. `Err` when a batch-wise part cannot go on at all.
    pub fn apply_batch(
        &mut self,
        input: Vec<TransformRecord>,
    ) -> Result<BatchOutcome, ChainFailure> {
        let mut done: Vec<Option<Result<Option<TransformRecord>, StageError>>> =
            (0..input.len()).map(|_| None).collect();
        // The records still in the chain, by input index, in input order.
        let mut live: Vec<(usize, TransformRecord)> = input.into_iter().enumerate().collect();
        for stage in &mut self.stages {
            if live.is_empty() {
                break;
            }
            let runs: Vec<bool> = match stage.predicate {
                None => vec![true; live.len()],
                Some(p) => {
                    let (class, test) = &mut self.predicates[p];
                    let answers = match test {
                        Test::Record(t) => live.iter().map(|(_, r)| t.test(r)).collect(),
                        Test::Batch(t) => {
                            let refs: Vec<&TransformRecord> = live.iter().map(|(_, r)| r).collect();
                            let answers = t.test(&refs).map_err(|message| ChainFailure {
                                alias: stage.alias.clone(),
                                class: class.clone(),
                                message,
                            })?;
                            if answers.len() != refs.len() {
                                return Err(ChainFailure {
                                    alias: stage.alias.clone(),
                                    class: class.clone(),
                                    message: format!(
                                        "the predicate answered for {} records of a batch of {}",
                                        answers.len(),
                                        refs.len()
                                    ),
                                });
                            }
                            answers
                        }
                    };
                    let mut runs = Vec::with_capacity(live.len());
                    let mut kept = Vec::with_capacity(live.len());
                    for ((i, r), answer) in live.drain(..).zip(answers) {
                        match answer {
                            Ok(matched) => {
                                runs.push(matched != stage.negate);
                                kept.push((i, r));
                            }
                            Err(error) => {
                                done[i] = Some(Err(StageError {
                                    alias: stage.alias.clone(),
                                    class: class.clone(),
                                    error,
                                }))
                            }
                        }
                    }
                    live = kept;
                    runs
                }
            };
            let fail = |error| StageError {
                alias: stage.alias.clone(),
                class: stage.class.clone(),
                error,
            };
            let mut kept = Vec::with_capacity(live.len());
            match &mut stage.op {
                Op::Record(t) => {
                    for ((i, r), run) in live.drain(..).zip(runs) {
                        if !run {
                            kept.push((i, r));
                            continue;
                        }
                        match t.apply(r) {
                            Ok(Some(next)) => kept.push((i, next)),
                            Ok(None) => done[i] = Some(Ok(None)),
                            Err(error) => done[i] = Some(Err(fail(error))),
                        }
                    }
                }
                Op::Batch(t) => {
                    let (mut indices, mut selected) = (Vec::new(), Vec::new());
                    for ((i, r), run) in live.drain(..).zip(runs) {
                        if run {
                            indices.push(i);
                            selected.push(r);
                        } else {
                            kept.push((i, r));
                        }
                    }
                    if !selected.is_empty() {
                        let failure = |message| ChainFailure {
                            alias: stage.alias.clone(),
                            class: stage.class.clone(),
                            message,
                        };
                        let outcomes = t.apply(selected).map_err(failure)?;
                        if outcomes.len() != indices.len() {
                            return Err(failure(format!(
                                "{} outcomes for a batch of {}",
                                outcomes.len(),
                                indices.len()
                            )));
                        }
                        for (i, outcome) in indices.into_iter().zip(outcomes) {
                            match outcome {
                                Ok(Some(next)) => kept.push((i, next)),
                                Ok(None) => done[i] = Some(Ok(None)),
                                Err(error) => done[i] = Some(Err(fail(error))),
                            }
                        }
                        kept.sort_by_key(|(i, _)| *i);
                    }
                }
            }
            live = kept;
        }
        for (i, r) in live {
            done[i] = Some(Ok(Some(r)));
        }
        Ok(done.into_iter().map(|d| d.unwrap_or(Ok(None))).collect())
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

/// Builds a batch-wise transformation from its settings, or says why not.
pub type MakeBatchTransform<'a> =
    Box<dyn FnOnce(&ConfigMap) -> Result<Box<dyn BatchTransform>, String> + 'a>;
/// Builds a batch-wise predicate from its settings, or says why not.
pub type MakeBatchPredicate<'a> =
    Box<dyn FnOnce(&ConfigMap) -> Result<Box<dyn BatchPredicate>, String> + 'a>;

/// What a `type` resolves to.
pub enum Class<'a> {
    /// One of Kafka's classes, built in.
    Builtin(&'static Builtin),
    /// A batch-wise transformation class (a plugin's), by its full name.
    BatchTransform(String, MakeBatchTransform<'a>),
    /// A batch-wise predicate class (a plugin's), by its full name.
    BatchPredicate(String, MakeBatchPredicate<'a>),
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

/// Builds the chain of the classes the specs name, in order. `resolve(kind, type_key, class)`
/// finds the class (or says why not, in the words the caller wants); a class of the wrong
/// kind, a failing constructor or a predicate alias `predicates` does not list is an error
/// naming the alias.
pub fn build<'a>(
    predicates: &[PredicateSpec<'_>],
    stages: &[StageSpec<'_>],
    resolve: impl Fn(BuiltinKind, &str, &str) -> Result<Class<'a>, String>,
) -> Result<Chain, BuildError> {
    let mut built: Vec<(String, Test)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for p in predicates {
        let type_key = format!("predicates.{}.type", p.alias);
        let class = resolve(BuiltinKind::Predicate, &type_key, p.class)
            .map_err(|m| fail(type_key.clone(), m))?;
        let (name, test) = match class {
            Class::Builtin(b) => {
                let context = format!("predicate '{}' ({})", p.alias, b.class);
                let Build::Predicate(make) = b.build else {
                    return Err(fail(context, "not a predicate"));
                };
                let predicate = make(p.settings).map_err(|e| fail(context, e.message))?;
                (b.class.to_owned(), Test::Record(predicate))
            }
            Class::BatchPredicate(name, make) => {
                let context = format!("predicate '{}' ({name})", p.alias);
                let predicate = make(p.settings).map_err(|m| fail(context, m))?;
                (name, Test::Batch(predicate))
            }
            Class::BatchTransform(name, _) => {
                return Err(fail(
                    format!("predicate '{}' ({name})", p.alias),
                    "not a predicate",
                ));
            }
        };
        index.insert(p.alias, built.len());
        built.push((name, test));
    }
    let mut chain = Vec::new();
    for t in stages {
        let type_key = format!("transforms.{}.type", t.alias);
        let class = resolve(BuiltinKind::Transformation, &type_key, t.class)
            .map_err(|m| fail(type_key.clone(), m))?;
        let (name, op) = match class {
            Class::Builtin(b) => {
                let context = format!("transformation '{}' ({})", t.alias, b.class);
                let Build::Transform(make) = b.build else {
                    return Err(fail(context, "not a transformation"));
                };
                let transform = make(t.settings).map_err(|e| fail(context, e.message))?;
                (b.class.to_owned(), Op::Record(transform))
            }
            Class::BatchTransform(name, make) => {
                let context = format!("transformation '{}' ({name})", t.alias);
                let transform = make(t.settings).map_err(|m| fail(context, m))?;
                (name, Op::Batch(transform))
            }
            Class::BatchPredicate(name, _) => {
                return Err(fail(
                    format!("transformation '{}' ({name})", t.alias),
                    "not a transformation",
                ));
            }
        };
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
            class: name,
            op,
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
    use crate::transforms::transform::TransformError;

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
                op: Op::Record(Box::new(Filter)),
                predicate: Some(0),
                negate,
            }],
            vec![(
                "RecordIsTombstone".into(),
                Test::Record(Box::new(RecordIsTombstone)),
            )],
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

    /// A batch-wise stage for the tests: upper-cases string values, drops "drop", fails "bad".
    struct Upper;

    impl BatchTransform for Upper {
        fn apply(
            &mut self,
            input: Vec<TransformRecord>,
        ) -> Result<Vec<super::super::transform::RecordOutcome>, String> {
            Ok(input
                .into_iter()
                .map(|mut r| match &r.value.value {
                    Value::String(s) if s == "drop" => Ok(None),
                    Value::String(s) if s == "bad" => Err(TransformError::new("bad value")),
                    Value::String(s) => {
                        r.value = Datum::schemaless(Value::String(s.to_uppercase()));
                        Ok(Some(r))
                    }
                    _ => Ok(Some(r)),
                })
                .collect())
        }
    }

    fn text(r: &Result<Option<TransformRecord>, StageError>) -> Option<String> {
        match r {
            Ok(Some(r)) => match &r.value.value {
                Value::String(s) => Some(s.clone()),
                Value::Null => Some("null".into()),
                other => Some(format!("{other:?}")),
            },
            _ => None,
        }
    }

    #[test]
    fn a_batch_wise_stage_sees_only_the_records_its_predicate_selects_and_keeps_the_order() {
        // Tombstones skip the batch stage (negated predicate), then a built-in filter drops them.
        let mut chain = Chain::new(
            vec![
                Stage {
                    alias: "upper".into(),
                    class: "Upper".into(),
                    op: Op::Batch(Box::new(Upper)),
                    predicate: Some(0),
                    negate: true,
                },
                Stage {
                    alias: "drop".into(),
                    class: "Filter".into(),
                    op: Op::Record(Box::new(Filter)),
                    predicate: Some(0),
                    negate: false,
                },
            ],
            vec![(
                "RecordIsTombstone".into(),
                Test::Record(Box::new(RecordIsTombstone)),
            )],
        );
        assert!(chain.is_batch_wise());
        let input = vec![
            record(Value::String("a".into())),
            record(Value::Null),
            record(Value::String("bad".into())),
            record(Value::String("drop".into())),
            record(Value::String("b".into())),
        ];
        let out = chain.apply_batch(input).unwrap();
        assert_eq!(out.len(), 5);
        assert_eq!(text(&out[0]).as_deref(), Some("A"));
        assert!(matches!(out[1], Ok(None)), "the tombstone is filtered");
        let Err(e) = &out[2] else {
            panic!("the bad record fails: {:?}", out[2])
        };
        assert_eq!(e.alias, "upper");
        assert_eq!(e.error.message, "bad value");
        assert!(matches!(out[3], Ok(None)), "dropped by the batch stage");
        assert_eq!(text(&out[4]).as_deref(), Some("B"));
        // One record alone goes through the same stages.
        assert_eq!(
            text(&chain.apply(record(Value::String("c".into())))).as_deref(),
            Some("C")
        );
    }
}
