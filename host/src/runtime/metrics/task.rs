//! The metric state of one task: Kafka Connect's connector-task, task-error, sink-task and
//! source-task groups, plus what Kafka lacks (consumer lag per partition, put and poll latency
//! histograms, retries and back-off time).
//!
//! The task loop updates it once per batch (a poll, a put, a commit), with atomics or a window
//! lock no one else holds but a scrape: never per record.

use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicI64, AtomicU8, AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

use super::window::Windowed;
use crate::runtime::status::State;

/// Whether a task reads from Kafka (sink) or writes to it (source); set when its loop starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// Not known yet (the task thread has not started its loop).
    Unknown,
    /// A sink task.
    Sink,
    /// A source task.
    Source,
}

/// Buckets of the latency histograms, in seconds: 0.5 ms to about 16 s, doubling.
pub fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Where a task's time went, for `running-ratio` and `pause-ratio` (since the task started,
/// as Kafka's `StateTracker`).
#[derive(Debug)]
struct StateClock {
    state: State,
    since: Instant,
    started: Instant,
    running: Duration,
    paused: Duration,
}

/// Startup outcome tracking (Kafka's `task-startup-*` of the worker group).
const STARTUP_NONE: u8 = 0;
const STARTUP_PENDING: u8 = 1;
const STARTUP_DONE: u8 = 2;

/// The sink-task group.
#[derive(Debug)]
pub struct SinkTaskMetrics {
    /// `sink-record-read-total`.
    pub read_total: AtomicU64,
    /// Records read per batch, for `sink-record-read-rate`.
    pub read: Windowed,
    /// `sink-record-send-total`: records handed to `put`.
    pub send_total: AtomicU64,
    /// For `sink-record-send-rate`.
    pub send: Windowed,
    /// `sink-record-active-count`: read and not yet committed.
    pub active: AtomicI64,
    /// For `sink-record-active-count-avg`/`-max`.
    pub active_window: Windowed,
    /// `partition-count`.
    pub partitions: AtomicU64,
    /// `offset-commit-seq-no`.
    pub commit_seq: AtomicU64,
    /// `offset-commit-completion-total`.
    pub commit_completions: AtomicU64,
    /// For `offset-commit-completion-rate`.
    pub completion_window: Windowed,
    /// `offset-commit-skip-total`.
    pub commit_skips: AtomicU64,
    /// For `offset-commit-skip-rate`.
    pub skip_window: Windowed,
    /// `put-batch-avg-time-ms`/`-max-time-ms`.
    pub put_time: Windowed,
    /// `connect_sink_task_put_duration_seconds`.
    pub put_seconds: Histogram,
    /// Consumer lag per partition (high watermark − position), from the consumer's statistics.
    pub lag: Mutex<BTreeMap<(String, i32), i64>>,
}

/// The source-task group.
#[derive(Debug)]
pub struct SourceTaskMetrics {
    /// `source-record-poll-total`.
    pub poll_total: AtomicU64,
    /// For `source-record-poll-rate`.
    pub poll: Windowed,
    /// `source-record-write-total`: records Kafka acknowledged.
    pub write_total: AtomicU64,
    /// For `source-record-write-rate`.
    pub write: Windowed,
    /// `source-record-active-count`: produced and not yet acknowledged.
    pub active: AtomicI64,
    /// For `source-record-active-count-avg`/`-max`.
    pub active_window: Windowed,
    /// `poll-batch-avg-time-ms`/`-max-time-ms`.
    pub poll_time: Windowed,
    /// `connect_source_task_poll_duration_seconds`.
    pub poll_seconds: Histogram,
}

/// The task-error group.
#[derive(Debug, Default)]
pub struct ErrorMetrics {
    /// `total-record-errors`.
    pub record_errors: AtomicU64,
    /// `total-record-failures`.
    pub record_failures: AtomicU64,
    /// `total-records-skipped`.
    pub records_skipped: AtomicU64,
    /// `total-retries`.
    pub retries: AtomicU64,
    /// `total-errors-logged`.
    pub errors_logged: AtomicU64,
    /// `deadletterqueue-produce-requests`.
    pub dlq_requests: AtomicU64,
    /// `deadletterqueue-produce-failures`.
    pub dlq_failures: AtomicU64,
    /// `last-error-timestamp` (ms since the epoch; 0: none).
    pub last_error_ms: AtomicI64,
    /// `connect_task_retry_backoff_seconds_total`, in microseconds.
    pub backoff_micros: AtomicU64,
}

/// The metric state of one task.
#[derive(Debug)]
pub struct TaskMetrics {
    /// Connector name.
    pub connector: String,
    /// Task number.
    pub task: u32,
    kind: AtomicU8,
    clock: Mutex<StateClock>,
    startup: AtomicU8,
    /// `batch-size-avg`/`-max` (records per put or poll).
    pub batch_size: Windowed,
    /// `offset-commit-avg-time-ms`/`-max-time-ms`.
    pub commit_time: Windowed,
    /// 1 per successful commit, 0 per failed one: `offset-commit-success-percentage` is its
    /// average (a fraction, as Kafka reports it).
    pub commit_outcome: Windowed,
    /// The task-error group.
    pub errors: ErrorMetrics,
    /// The sink-task group (rendered for sink tasks only).
    pub sink: SinkTaskMetrics,
    /// The source-task group (rendered for source tasks only).
    pub source: SourceTaskMetrics,
    /// Connector class, type and version (`connector-class` … of connector-task-metrics).
    pub plugin: Mutex<Option<(String, String, String)>>,
}

impl TaskMetrics {
    /// Fresh state of task `task` of `connector`, UNASSIGNED.
    pub fn new(connector: &str, task: u32) -> Self {
        let now = Instant::now();
        Self {
            connector: connector.to_owned(),
            task,
            kind: AtomicU8::new(0),
            clock: Mutex::new(StateClock {
                state: State::Unassigned,
                since: now,
                started: now,
                running: Duration::ZERO,
                paused: Duration::ZERO,
            }),
            startup: AtomicU8::new(STARTUP_NONE),
            batch_size: Windowed::default(),
            commit_time: Windowed::default(),
            commit_outcome: Windowed::default(),
            errors: ErrorMetrics::default(),
            sink: SinkTaskMetrics {
                read_total: AtomicU64::new(0),
                read: Windowed::default(),
                send_total: AtomicU64::new(0),
                send: Windowed::default(),
                active: AtomicI64::new(0),
                active_window: Windowed::default(),
                partitions: AtomicU64::new(0),
                commit_seq: AtomicU64::new(0),
                commit_completions: AtomicU64::new(0),
                completion_window: Windowed::default(),
                commit_skips: AtomicU64::new(0),
                skip_window: Windowed::default(),
                put_time: Windowed::default(),
                put_seconds: latency_histogram(),
                lag: Mutex::new(BTreeMap::new()),
            },
            source: SourceTaskMetrics {
                poll_total: AtomicU64::new(0),
                poll: Windowed::default(),
                write_total: AtomicU64::new(0),
                write: Windowed::default(),
                active: AtomicI64::new(0),
                active_window: Windowed::default(),
                poll_time: Windowed::default(),
                poll_seconds: latency_histogram(),
            },
            plugin: Mutex::new(None),
        }
    }

    /// Sink or source, with the connector's class, type and version; called when the loop starts.
    pub fn set_kind(&self, kind: TaskKind, class: &str, version: &str) {
        let (code, name) = match kind {
            TaskKind::Unknown => (0, "unknown"),
            TaskKind::Sink => (1, "sink"),
            TaskKind::Source => (2, "source"),
        };
        self.kind.store(code, Ordering::Relaxed);
        *self.plugin.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((class.to_owned(), name.to_owned(), version.to_owned()));
    }

    /// Sink or source (unknown until the loop started).
    pub fn kind(&self) -> TaskKind {
        match self.kind.load(Ordering::Relaxed) {
            1 => TaskKind::Sink,
            2 => TaskKind::Source,
            _ => TaskKind::Unknown,
        }
    }

    /// The worker started this task: its first RUNNING or PAUSED counts as a startup success,
    /// a FAILED before that as a failure.
    pub fn startup_attempted(&self) -> bool {
        self.startup
            .compare_exchange(
                STARTUP_NONE,
                STARTUP_PENDING,
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    /// A new status; returns the startup outcome it settles (`Some(true)` success), if any.
    pub fn state_changed(&self, state: State) -> Option<bool> {
        let now = Instant::now();
        {
            let mut c = self.clock.lock().unwrap_or_else(|p| p.into_inner());
            let spent = now.saturating_duration_since(c.since);
            match c.state {
                State::Running => c.running += spent,
                State::Paused => c.paused += spent,
                _ => {}
            }
            c.state = state;
            c.since = now;
        }
        let outcome = match state {
            State::Running | State::Paused => true,
            State::Failed => false,
            _ => return None,
        };
        self.startup
            .compare_exchange(
                STARTUP_PENDING,
                STARTUP_DONE,
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
            .then_some(outcome)
    }

    /// The current status and the fractions of time since the start spent RUNNING and PAUSED.
    pub fn state(&self) -> (State, f64, f64) {
        let now = Instant::now();
        let c = self.clock.lock().unwrap_or_else(|p| p.into_inner());
        let spent = now.saturating_duration_since(c.since);
        let (mut running, mut paused) = (c.running, c.paused);
        match c.state {
            State::Running => running += spent,
            State::Paused => paused += spent,
            _ => {}
        }
        let total = now.saturating_duration_since(c.started).as_secs_f64();
        if total <= 0.0 {
            return (c.state, 0.0, 0.0);
        }
        (
            c.state,
            running.as_secs_f64() / total,
            paused.as_secs_f64() / total,
        )
    }

    /// `records` consumed by one poll of the sink's consumer.
    pub fn sink_read(&self, records: usize) {
        if records == 0 {
            return;
        }
        self.sink
            .read_total
            .fetch_add(records as u64, Ordering::Relaxed);
        self.sink.read.record(records as f64);
    }

    /// One `put` of `records` that took `took` (successful or not).
    pub fn sink_put(&self, records: usize, took: Duration) {
        self.sink.put_time.record(took.as_secs_f64() * 1000.0);
        self.sink.put_seconds.observe(took.as_secs_f64());
        self.batch_size.record(records as f64);
    }

    /// `records` the plugin accepted in a `put`.
    pub fn sink_sent(&self, records: usize) {
        self.sink
            .send_total
            .fetch_add(records as u64, Ordering::Relaxed);
        self.sink.send.record(records as f64);
    }

    /// Records read and not yet committed.
    pub fn sink_active(&self, records: i64) {
        self.sink.active.store(records, Ordering::Relaxed);
        self.sink.active_window.record(records as f64);
    }

    /// Partitions assigned.
    pub fn sink_partitions(&self, count: usize) {
        self.sink.partitions.store(count as u64, Ordering::Relaxed);
    }

    /// One offset commit of a sink: `Some(true)` committed, `Some(false)` failed, `None`
    /// skipped (the plugin asked to commit later).
    pub fn sink_commit(&self, outcome: Option<bool>, took: Duration) {
        self.sink.commit_seq.fetch_add(1, Ordering::Relaxed);
        match outcome {
            None => {
                self.sink.commit_skips.fetch_add(1, Ordering::Relaxed);
                self.sink.skip_window.record(1.0);
            }
            Some(ok) => {
                if ok {
                    self.sink.commit_completions.fetch_add(1, Ordering::Relaxed);
                    self.sink.completion_window.record(1.0);
                }
                self.commit(ok, took);
            }
        }
    }

    /// One offset commit (sink or source) that succeeded or failed, taking `took`.
    pub fn commit(&self, ok: bool, took: Duration) {
        self.commit_time.record(took.as_secs_f64() * 1000.0);
        self.commit_outcome.record(if ok { 1.0 } else { 0.0 });
    }

    /// The consumer's lag per partition, replacing the previous figures.
    pub fn sink_lag(&self, lag: BTreeMap<(String, i32), i64>) {
        *self.sink.lag.lock().unwrap_or_else(|p| p.into_inner()) = lag;
    }

    /// One `poll` that returned `records` after `took`.
    pub fn source_polled(&self, records: usize, took: Duration) {
        self.source.poll_time.record(took.as_secs_f64() * 1000.0);
        self.source.poll_seconds.observe(took.as_secs_f64());
        if records == 0 {
            return;
        }
        self.source
            .poll_total
            .fetch_add(records as u64, Ordering::Relaxed);
        self.source.poll.record(records as f64);
        self.batch_size.record(records as f64);
    }

    /// `records` Kafka acknowledged.
    pub fn source_written(&self, records: usize) {
        if records == 0 {
            return;
        }
        self.source
            .write_total
            .fetch_add(records as u64, Ordering::Relaxed);
        self.source.write.record(records as f64);
    }

    /// Records produced and not yet acknowledged.
    pub fn source_active(&self, records: i64) {
        self.source.active.store(records, Ordering::Relaxed);
        self.source.active_window.record(records as f64);
    }

    /// One retry after a RETRIABLE answer, waiting `backoff` first.
    pub fn retried(&self, backoff: Duration) {
        self.errors.retries.fetch_add(1, Ordering::Relaxed);
        self.errors
            .backoff_micros
            .fetch_add(backoff.as_micros() as u64, Ordering::Relaxed);
    }

    /// A record that failed a stage: `logged` if it was written to the log, `skipped` if it was
    /// tolerated.
    pub fn record_error(&self, logged: bool, skipped: bool) {
        let e = &self.errors;
        e.record_errors.fetch_add(1, Ordering::Relaxed);
        e.record_failures.fetch_add(1, Ordering::Relaxed);
        if logged {
            e.errors_logged.fetch_add(1, Ordering::Relaxed);
        }
        if skipped {
            e.records_skipped.fetch_add(1, Ordering::Relaxed);
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        e.last_error_ms.store(now, Ordering::Relaxed);
    }

    /// A record sent to the dead-letter queue (`failed`: the send was refused).
    pub fn dlq_produce(&self, failed: bool) {
        self.errors.dlq_requests.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.dlq_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A dead-letter write the broker refused after it was sent.
    pub fn dlq_failed(&self) {
        self.errors.dlq_failures.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_is_settled_once_by_the_first_running_or_failed() {
        let m = TaskMetrics::new("c", 0);
        assert_eq!(
            m.state_changed(State::Running),
            None,
            "not started by the worker"
        );
        assert!(m.startup_attempted());
        assert!(!m.startup_attempted(), "one attempt per instance");
        assert_eq!(m.state_changed(State::Unassigned), None);
        assert_eq!(m.state_changed(State::Running), Some(true));
        assert_eq!(m.state_changed(State::Failed), None, "settled already");
        let (state, running, paused) = m.state();
        assert_eq!(state, State::Failed);
        assert!((0.0..=1.0).contains(&running) && paused == 0.0);
    }

    #[test]
    fn counters_move_per_batch() {
        let m = TaskMetrics::new("c", 1);
        m.sink_read(5);
        m.sink_read(0);
        m.sink_put(5, Duration::from_millis(4));
        m.sink_sent(5);
        m.sink_commit(Some(true), Duration::from_millis(2));
        m.sink_commit(None, Duration::ZERO);
        m.retried(Duration::from_millis(300));
        m.record_error(true, true);
        assert_eq!(m.sink.read_total.load(Ordering::Relaxed), 5);
        assert_eq!(m.sink.send_total.load(Ordering::Relaxed), 5);
        assert_eq!(m.sink.commit_seq.load(Ordering::Relaxed), 2);
        assert_eq!(m.sink.commit_completions.load(Ordering::Relaxed), 1);
        assert_eq!(m.sink.commit_skips.load(Ordering::Relaxed), 1);
        assert_eq!(m.sink.put_time.stats().max, 4.0);
        assert_eq!(m.commit_outcome.stats().avg, 1.0);
        assert_eq!(m.errors.retries.load(Ordering::Relaxed), 1);
        assert_eq!(m.errors.backoff_micros.load(Ordering::Relaxed), 300_000);
        assert_eq!(m.errors.records_skipped.load(Ordering::Relaxed), 1);
        assert!(m.errors.last_error_ms.load(Ordering::Relaxed) > 0);
    }
}
