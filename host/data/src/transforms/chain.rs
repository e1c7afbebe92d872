//! A task's transformation chain: Kafka's `TransformationChain` of `PredicatedTransformation`s.
//! Each stage runs when its predicate's answer differs from its `negate` (no predicate: always);
//! a stage that drops the record ends the chain for it.

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
