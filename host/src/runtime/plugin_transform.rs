//! Transformations and predicates from `plugin.path` as stages of a task's chain: each call
//! hands the plugin a whole batch (the records still in the chain at that stage) and maps its
//! answer back to those records.
//!
//! What an answer means (the plugin-api's `ErrorKind`s, at Kafka's `TRANSFORMATION` stage):
//! - `RETRIABLE`: the same batch is offered again for `errors.retry.timeout`, with Kafka's
//!   back-off (300 ms doubling, capped by `errors.retry.delay.max.ms`); when time is up every
//!   record of the call has failed with that error and goes to `errors.tolerance`, as each
//!   record would in Kafka's `RetryWithToleranceOperator`.
//! - `INVALID_RECORD` with the index of an input record: that record has failed (tolerance, the
//!   dead-letter queue); the rest are offered again without it.
//! - `INVALID_RECORD` without an index, `CONFIG`, `FATAL`, a panic, or an answer that does not
//!   fit the input: the plugin is broken, not a record, and the task fails.
//!
//! Every call runs inside `catch_unwind` (the SDK catches its plugin's panics; this is the
//! host's half). Plugins are never unloaded; an instance is closed when its task's chain goes.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::Arc,
    time::{Duration, Instant},
};

use abi_stable::std_types::{RResult, RVec};
use connect_data::transforms::record::TransformRecord;
use connect_data::transforms::transform::{
    BatchPredicate, BatchTransform, RecordOutcome, TransformError,
};
use connect_plugin_api::abi::{
    error::{ErrorKind, PluginError},
    transform::{PredicateBox, TransformationBox, TransformedBatch},
    types::RecordBatch,
};

use super::record_codec::RecordCodec;
use super::task_control::TaskControl;
use crate::config::connector::RetryTimeout;

/// Kafka's `RetryWithToleranceOperator.RETRIES_DELAY_MIN_MS`.
const FIRST_DELAY: Duration = Duration::from_millis(300);

/// `errors.retry.timeout` and `errors.retry.delay.max.ms` of the task, and its control (a stop
/// ends the retries).
#[derive(Clone)]
pub struct RetryPolicy {
    /// How long retriable failures are retried.
    pub timeout: RetryTimeout,
    /// The longest delay between two tries.
    pub delay_max: Duration,
    /// The task's control.
    pub control: Arc<TaskControl>,
}

impl RetryPolicy {
    /// Calls `f` until it gives something other than a retriable error, or the retry time is
    /// up, or the task is asked to stop; returns the last answer.
    fn run(&self, mut f: impl FnMut() -> Result<(), PluginError>) -> Result<(), PluginError> {
        let start = Instant::now();
        let deadline = match self.timeout {
            RetryTimeout::Limited(d) => Some(start + d),
            RetryTimeout::Infinite => None,
        };
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let e = match f() {
                Err(e) if e.kind == ErrorKind::RETRIABLE => e,
                other => return other,
            };
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) || self.control.stopping() {
                return Err(e);
            }
            // Kafka's back-off: 300 ms << retries, a random delay below the cap past it, never
            // beyond the deadline.
            let mut delay = FIRST_DELAY
                .checked_mul(1u32 << (attempt - 1).min(20))
                .unwrap_or(self.delay_max);
            if delay > self.delay_max {
                let nanos = now.duration_since(start).subsec_nanos() as u64;
                delay = self.delay_max.mul_f64((nanos % 1000) as f64 / 1000.0);
            }
            if let Some(d) = deadline {
                delay = delay.min(d.saturating_duration_since(now));
            }
            tracing::debug!(
                attempt,
                delay_ms = delay.as_millis() as u64,
                "retriable failure in a plugin transformation, trying again: {}",
                e.message
            );
            if let Some(m) = self.control.metrics().task() {
                m.retried(delay);
            }
            self.control.wait(delay);
        }
    }
}

/// Runs one plugin call with panics caught.
fn guarded(
    class: &str,
    call: &str,
    f: impl FnOnce() -> RResult<(), PluginError>,
) -> Result<(), PluginError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.into_result(),
        Err(_) => Err(PluginError {
            kind: ErrorKind::PANIC,
            message: format!("{class} panicked in {call}").into(),
            record: abi_stable::std_types::ROption::RNone,
            trace: Default::default(),
            ext: Default::default(),
        }),
    }
}

/// What a broken answer stops the task with.
fn broken(call: &str, e: &PluginError) -> String {
    let trace = if e.trace.is_empty() {
        String::new()
    } else {
        format!("\n{}", e.trace)
    };
    match (e.kind, e.record.as_ref().into_option()) {
        (ErrorKind::INVALID_RECORD, None) => format!(
            "it reported an invalid record in {call} without its index in the batch \
             (PluginError.record is none), so the host cannot tell which record failed; the task \
             stops rather than guess (a bug in the plugin: it must set the index): {}{trace}",
            e.message
        ),
        _ => format!("{} error in {call}: {}{trace}", e.kind.name(), e.message),
    }
}

/// A transformation instance of a plugin library.
pub struct PluginTransform {
    class: String,
    inner: TransformationBox,
    codec: RecordCodec,
    retry: RetryPolicy,
    input: RecordBatch,
    out: TransformedBatch,
}

impl PluginTransform {
    /// Wraps a configured instance of `class`.
    pub fn new(
        class: &str,
        inner: TransformationBox,
        decimal_numeric: bool,
        retry: RetryPolicy,
    ) -> PluginTransform {
        PluginTransform {
            class: class.to_owned(),
            inner,
            codec: RecordCodec::new(decimal_numeric),
            retry,
            input: RecordBatch::new(),
            out: TransformedBatch::default(),
        }
    }

    /// One call for `records`: the outcome of each, or the index of a record the plugin named
    /// invalid (with its error), or the task's failure.
    fn call(
        &mut self,
        records: &[&TransformRecord],
    ) -> Result<Result<Vec<RecordOutcome>, (usize, String)>, String> {
        self.input.clear();
        for r in records {
            self.codec
                .push(&mut self.input, r)
                .map_err(|e| format!("cannot hand a record to it: {e}"))?;
        }
        let (inner, input, out, class) = (&mut self.inner, &self.input, &mut self.out, &self.class);
        let answer = self.retry.run(|| {
            out.batch.clear();
            out.origins.clear();
            guarded(class, "apply", || inner.apply(input, out))
        });
        match answer {
            Ok(()) => {}
            // A stop ends the retries without failing the records: the caller neither hands
            // them on nor commits them.
            Err(_) if self.retry.control.stopping() => {
                return Err("the task is stopping while the transformation retries".into());
            }
            Err(e) if e.kind == ErrorKind::RETRIABLE => {
                let error = TransformError::new(format!(
                    "retriable failure, retries exhausted (errors.retry.timeout): {}",
                    e.message
                ));
                return Ok(Ok(records.iter().map(|_| Err(error.clone())).collect()));
            }
            Err(e) if e.kind == ErrorKind::INVALID_RECORD => {
                return match e.record.into_option().map(|i| i as usize) {
                    Some(i) if i < records.len() => Ok(Err((i, e.message.into_string()))),
                    Some(i) => Err(format!(
                        "it reported input record {i} invalid in a batch of {}",
                        records.len()
                    )),
                    None => Err(broken("apply", &e)),
                };
            }
            Err(e) => return Err(broken("apply", &e)),
        }
        self.out
            .batch
            .validate()
            .map_err(|e| format!("its output batch is broken: {e}"))?;
        if self.out.origins.len() != self.out.batch.len() {
            return Err(format!(
                "it wrote {} records but {} origins",
                self.out.batch.len(),
                self.out.origins.len()
            ));
        }
        let mut outcomes: Vec<Option<RecordOutcome>> = records.iter().map(|_| None).collect();
        for (r, &origin) in self.out.batch.iter().zip(self.out.origins.iter()) {
            let origin = origin as usize;
            let Some(slot) = outcomes.get_mut(origin) else {
                return Err(format!(
                    "it wrote a record of input record {origin} in a batch of {}",
                    records.len()
                ));
            };
            if slot.is_some() {
                return Err(format!(
                    "it wrote two records of input record {origin} (one input record gives at most one output record)"
                ));
            }
            let decoded = self
                .codec
                .decode(&r, records[origin].offset)
                .map_err(|e| format!("its output record {origin} cannot be read: {e}"))?;
            *slot = Some(Ok(Some(decoded)));
        }
        // An input record with no output record was dropped (Java's `return null`).
        Ok(Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Ok(None)))
            .collect()))
    }
}

impl BatchTransform for PluginTransform {
    fn apply(&mut self, input: Vec<TransformRecord>) -> Result<Vec<RecordOutcome>, String> {
        let mut outcomes: Vec<Option<RecordOutcome>> = input.iter().map(|_| None).collect();
        // Indices of the input records offered in the next call.
        let mut offered: Vec<usize> = (0..input.len()).collect();
        while !offered.is_empty() {
            let records: Vec<&TransformRecord> = offered.iter().map(|&i| &input[i]).collect();
            match self.call(&records)? {
                Ok(answers) => {
                    for (i, answer) in offered.iter().zip(answers) {
                        outcomes[*i] = Some(answer);
                    }
                    break;
                }
                Err((bad, message)) => {
                    outcomes[offered[bad]] = Some(Err(TransformError::new(message)));
                    offered.remove(bad);
                }
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Ok(None)))
            .collect())
    }
}

impl Drop for PluginTransform {
    fn drop(&mut self) {
        let (inner, class) = (&mut self.inner, &self.class);
        if let Err(e) = guarded(class, "close", || inner.close()) {
            tracing::warn!("closing transformation {class} failed: {}", e.message);
        }
    }
}

/// A predicate instance of a plugin library.
pub struct PluginPredicate {
    class: String,
    inner: PredicateBox,
    codec: RecordCodec,
    retry: RetryPolicy,
    input: RecordBatch,
    answers: RVec<bool>,
}

impl PluginPredicate {
    /// Wraps a configured instance of `class`.
    pub fn new(
        class: &str,
        inner: PredicateBox,
        decimal_numeric: bool,
        retry: RetryPolicy,
    ) -> PluginPredicate {
        PluginPredicate {
            class: class.to_owned(),
            inner,
            codec: RecordCodec::new(decimal_numeric),
            retry,
            input: RecordBatch::new(),
            answers: RVec::new(),
        }
    }
}

impl BatchPredicate for PluginPredicate {
    fn test(
        &mut self,
        input: &[&TransformRecord],
    ) -> Result<Vec<Result<bool, TransformError>>, String> {
        let mut answers: Vec<Option<Result<bool, TransformError>>> =
            input.iter().map(|_| None).collect();
        let mut offered: Vec<usize> = (0..input.len()).collect();
        while !offered.is_empty() {
            self.input.clear();
            for &i in &offered {
                self.codec
                    .push(&mut self.input, input[i])
                    .map_err(|e| format!("cannot hand a record to it: {e}"))?;
            }
            let (inner, batch, out, class) =
                (&mut self.inner, &self.input, &mut self.answers, &self.class);
            let answer = self.retry.run(|| {
                out.clear();
                guarded(class, "test", || inner.test(batch, out))
            });
            match answer {
                Ok(()) if self.answers.len() == offered.len() => {
                    for (i, a) in offered.iter().zip(self.answers.iter()) {
                        answers[*i] = Some(Ok(*a));
                    }
                    break;
                }
                Ok(()) => {
                    return Err(format!(
                        "it answered for {} records of a batch of {}",
                        self.answers.len(),
                        offered.len()
                    ));
                }
                Err(_) if self.retry.control.stopping() => {
                    return Err("the task is stopping while the predicate retries".into());
                }
                Err(e) if e.kind == ErrorKind::RETRIABLE => {
                    let error = TransformError::new(format!(
                        "retriable failure, retries exhausted (errors.retry.timeout): {}",
                        e.message
                    ));
                    for i in &offered {
                        answers[*i] = Some(Err(error.clone()));
                    }
                    break;
                }
                Err(e) if e.kind == ErrorKind::INVALID_RECORD => {
                    match e.record.into_option().map(|i| i as usize) {
                        Some(bad) if bad < offered.len() => {
                            answers[offered[bad]] =
                                Some(Err(TransformError::new(e.message.into_string())));
                            offered.remove(bad);
                        }
                        _ => return Err(broken("test", &e)),
                    }
                }
                Err(e) => return Err(broken("test", &e)),
            }
        }
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or(Ok(false)))
            .collect())
    }
}

impl Drop for PluginPredicate {
    fn drop(&mut self) {
        let (inner, class) = (&mut self.inner, &self.class);
        if let Err(e) = guarded(class, "close", || inner.close()) {
            tracing::warn!("closing predicate {class} failed: {}", e.message);
        }
    }
}
