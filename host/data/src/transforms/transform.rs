//! What a transformation and a predicate are (Kafka's `Transformation<R>` and `Predicate<R>`),
//! and how one fails.

use super::record::TransformRecord;

/// A transformation failure (Java's `DataException`/`ConnectException` from `apply`), in Kafka's
/// wording where it has one. It is handled at the `TRANSFORMATION` stage: `errors.tolerance`,
/// `errors.log.*` and (sinks) the dead letter queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransformError {
    /// What went wrong.
    pub message: String,
}

impl TransformError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        TransformError {
            message: message.into(),
        }
    }
}

/// One configured transformation of a task's chain. Lifecycle: built from its settings (which
/// were validated against its definition) when the task starts; `apply` once per record, in
/// order, from the task's thread; dropped when the task stops (Java's `close`).
pub trait Transform: Send {
    /// The record after the transformation, or `None` to drop it (a dropped sink record is
    /// still committed).
    fn apply(&mut self, record: TransformRecord)
    -> Result<Option<TransformRecord>, TransformError>;
}

/// One configured predicate. Same lifecycle as [`Transform`].
pub trait Predicate: Send {
    /// Whether the record matches.
    fn test(&mut self, record: &TransformRecord) -> Result<bool, TransformError>;
}

/// What a batch-wise stage answers for one input record: the record after it (`None`: dropped)
/// or the error it failed with (handled at the `TRANSFORMATION` stage like a built-in's).
pub type RecordOutcome = Result<Option<TransformRecord>, TransformError>;

/// A transformation that works on a whole batch at once: a plugin's, whose every call crosses
/// the plugin boundary (a batch crosses, not a record). Same lifecycle as [`Transform`], with
/// `apply` once per batch.
pub trait BatchTransform: Send {
    /// One outcome per input record, in input order; `Err` is a failure that stops the task
    /// (the plugin is broken, not the record), with the message to report.
    fn apply(&mut self, input: Vec<TransformRecord>) -> Result<Vec<RecordOutcome>, String>;
}

/// A predicate that answers for a whole batch at once (a plugin's). Same lifecycle as
/// [`Predicate`].
pub trait BatchPredicate: Send {
    /// One answer per input record, in input order; `Err` stops the task, as for
    /// [`BatchTransform::apply`].
    fn test(
        &mut self,
        input: &[&TransformRecord],
    ) -> Result<Vec<Result<bool, TransformError>>, String>;
}
