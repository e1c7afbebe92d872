//! Buffering, batching and sending, and the per-partition durable watermark.
//!
//! - The task thread pushes encoded actions into one queue (bounded by `max.buffered.records`,
//!   counting queued and in-flight records).
//! - `max.in.flight.requests` workers on the plugin's tokio runtime each take a batch when it is
//!   ready (`batch.size` records, `bulk.size.bytes`, `linger.ms` since the oldest record, or a
//!   flush) and send it with `_bulk`. Retriable failures (see [`crate::retry`]) re-send only the
//!   failed items, with exponential back-off and jitter capped at [`MAX_BACKOFF`]; a request
//!   without an answer probes the node while it waits and retries as soon as the node answers
//!   again (a node back from an outage is used within about a second). After `max.retries` the
//!   worker keeps retrying but marks the task stalled, so `put` answers RETRIABLE and the host
//!   pauses the partitions and backs off: a busy node never fails the task and no record is
//!   dropped.
//! - [`Tracker`] records, per partition, every accepted offset in order and whether it is done;
//!   `pre_commit` returns the offset after the last contiguously done record.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use connect_plugin_api::prelude::*;

use crate::bulk::{DocAction, Op};
use crate::client::EsClient;
use crate::config::{EsConfig, Malformed};
use crate::retry::{self, ItemOutcome, RequestError};

/// Longest single back-off between retries of a bulk request (unless `retry.backoff.ms` is
/// larger, which is the user's explicit choice). Short enough that indexing resumes within 5 s
/// of a busy node accepting again; with jitter, each worker tries a busy node at most every
/// 2.5–5 s.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// While waiting to retry a request that got no answer, how often the node is probed (`GET /`):
/// once it answers again after having been seen down, the wait ends and the retry goes out.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// How long a probe waits for an answer (a hung node never answers; a live one takes ms).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

// ------------------------------------------------------------------------------------------------
// Offsets

struct Track {
    open: bool,
    /// Accepted offsets still pending or done-but-behind-a-pending one, ascending.
    pending: VecDeque<(i64, bool)>,
    /// Highest offset accepted since the partition was opened.
    last: Option<i64>,
}

/// Per-partition watermark of durable records. Slots are never reused: a partition closed and
/// assigned again gets a fresh slot, so late answers for the old one are ignored.
#[derive(Default)]
pub struct Tracker {
    tracks: Vec<Track>,
    slots: HashMap<Arc<str>, HashMap<i32, usize>>,
    pending_total: usize,
    /// Partitions closed and not opened (or given a record) since. Their records still buffered
    /// were dropped at `close`, so nothing about them is known to be durable: a `pre_commit`
    /// after `close` (a host committing on the way out) must not commit them.
    closed: HashMap<Arc<str>, HashSet<i32>>,
}

impl Tracker {
    /// The slot of a partition, created on first use.
    pub fn slot(&mut self, topic: &str, partition: i32) -> usize {
        if let Some(s) = self.slots.get(topic).and_then(|p| p.get(&partition)) {
            return *s;
        }
        self.open(topic, partition);
        let s = self.tracks.len();
        self.tracks.push(Track {
            open: true,
            pending: VecDeque::new(),
            last: None,
        });
        self.slots
            .entry(Arc::from(topic))
            .or_default()
            .insert(partition, s);
        s
    }

    /// Whether this offset was already accepted (a redelivery after a retriable `put`).
    pub fn is_duplicate(&self, slot: usize, offset: i64) -> bool {
        self.tracks[slot].last.is_some_and(|l| offset <= l)
    }

    /// Accepts an offset: `pending` until [`Tracker::ack`], or done right away.
    pub fn accept(&mut self, slot: usize, offset: i64, pending: bool) {
        let t = &mut self.tracks[slot];
        t.last = Some(t.last.map_or(offset, |l| l.max(offset)));
        if pending {
            t.pending.push_back((offset, false));
            self.pending_total += 1;
        } else if !t.pending.is_empty() {
            // Done, but behind pending ones: keep it so the watermark passes it in order.
            t.pending.push_back((offset, true));
        }
    }

    /// Marks an accepted offset done (acknowledged by Elasticsearch or handled otherwise).
    pub fn ack(&mut self, slot: usize, offset: i64) {
        let Some(t) = self.tracks.get_mut(slot) else {
            return;
        };
        if !t.open {
            return;
        }
        if let Ok(i) = t.pending.binary_search_by_key(&offset, |e| e.0)
            && !t.pending[i].1
        {
            t.pending[i].1 = true;
            self.pending_total -= 1;
        }
        while t.pending.front().is_some_and(|e| e.1) {
            t.pending.pop_front();
        }
    }

    /// Records not yet done.
    pub fn pending_total(&self) -> usize {
        self.pending_total
    }

    /// Forgets a partition (revoked, or the task is stopping): its pending records are dropped and
    /// its offsets are not reported again until it is opened again ([`Tracker::open`]) or gets a
    /// record.
    pub fn close(&mut self, topic: &str, partition: i32) {
        match self.closed.get_mut(topic) {
            Some(parts) => {
                parts.insert(partition);
            }
            None => {
                self.closed
                    .insert(Arc::from(topic), HashSet::from([partition]));
            }
        }
        let Some(parts) = self.slots.get_mut(topic) else {
            return;
        };
        if let Some(s) = parts.remove(&partition) {
            let t = &mut self.tracks[s];
            t.open = false;
            self.pending_total -= t.pending.iter().filter(|e| !e.1).count();
            t.pending.clear();
        }
    }

    /// A partition is assigned (again): its offsets may be reported once this task has handled
    /// what the host gives it.
    pub fn open(&mut self, topic: &str, partition: i32) {
        if let Some(parts) = self.closed.get_mut(topic) {
            parts.remove(&partition);
        }
    }

    fn is_closed(&self, topic: &str, partition: i32) -> bool {
        self.closed
            .get(topic)
            .is_some_and(|p| p.contains(&partition))
    }

    /// Whether a slot belongs to an open partition.
    pub fn is_open(&self, slot: usize) -> bool {
        self.tracks.get(slot).is_some_and(|t| t.open)
    }

    /// The offsets to commit for the host's `offsets` (next to read): per partition, the first
    /// record not yet done, or the host's offset when everything this task was given is done.
    ///
    /// A partition this task has no slot for is either closed (skipped: its unacknowledged records
    /// were dropped at `close`, so the host's offset may be ahead of what Elasticsearch holds) or
    /// one it never saw (a topic renamed by an SMT: its records sit under the new name), committed
    /// only when nothing at all is pending.
    pub fn offsets(&self, host: &[TopicPartitionOffset]) -> Vec<TopicPartitionOffset> {
        let mut out = Vec::with_capacity(host.len());
        for tpo in host {
            let slot = self
                .slots
                .get(tpo.topic.as_str())
                .and_then(|p| p.get(&tpo.partition));
            let offset = match slot {
                Some(&s) => match self.tracks[s].pending.front() {
                    Some(&(first, _)) => first.min(tpo.offset),
                    None => tpo.offset,
                },
                None if self.is_closed(tpo.topic.as_str(), tpo.partition) => continue,
                None if self.pending_total == 0 => tpo.offset,
                None => continue,
            };
            out.push(TopicPartitionOffset::new(
                tpo.topic.as_str(),
                tpo.partition,
                offset,
            ));
        }
        out
    }
}

// ------------------------------------------------------------------------------------------------
// Queue and workers

/// One encoded action waiting to be sent.
pub struct Action {
    slot: usize,
    offset: i64,
    topic: Arc<str>,
    partition: i32,
    op: Op,
    versioned: bool,
    bytes: Vec<u8>,
    enqueued: Instant,
    seq: u64,
}

/// A record to hand to the host's error handling (reported from the task thread, in `put`).
#[derive(Debug, Clone)]
pub struct Errant {
    slot: usize,
    /// Topic.
    pub topic: Arc<str>,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Why.
    pub message: String,
    /// Mark the record done once reported.
    ack: bool,
}

/// The batching and retry knobs.
#[derive(Debug, Clone)]
pub struct Limits {
    /// `batch.size`.
    pub batch_size: usize,
    /// `bulk.size.bytes`.
    pub bulk_bytes: Option<usize>,
    /// `linger.ms`.
    pub linger: Duration,
    /// `max.in.flight.requests`.
    pub max_in_flight: usize,
    /// `max.buffered.records`.
    pub max_buffered: usize,
    /// `max.retries`.
    pub max_retries: u32,
    /// `retry.backoff.ms`.
    pub backoff: Duration,
    /// `behavior.on.malformed.documents`.
    pub malformed: Malformed,
    /// A DLQ or error log is configured.
    pub errant_reporter: bool,
    /// `errors.tolerance=all`.
    pub tolerate_all: bool,
}

impl Limits {
    /// From the connector configuration.
    pub fn from_config(c: &EsConfig) -> Self {
        Limits {
            batch_size: c.batch_size,
            bulk_bytes: c.bulk_size_bytes,
            linger: c.linger,
            max_in_flight: c.max_in_flight,
            max_buffered: c.max_buffered,
            max_retries: c.max_retries,
            backoff: c.retry_backoff,
            malformed: c.malformed,
            errant_reporter: c.errant_reporter,
            tolerate_all: c.tolerate_all,
        }
    }
}

#[derive(Default)]
struct State {
    tracker: Tracker,
    queue: VecDeque<Action>,
    queued_bytes: usize,
    seq: u64,
    flush_seq: u64,
    in_flight: usize,
    stalled: usize,
    last_error: Option<String>,
    fatal: Option<String>,
    errant: Vec<Errant>,
    errant_to_ack: usize,
    shutdown: bool,
}

enum Step {
    Send(Vec<Action>),
    Wait(Option<Instant>),
}

impl State {
    fn next_batch(&mut self, l: &Limits, now: Instant) -> Step {
        let Some(front) = self.queue.front() else {
            return Step::Wait(None);
        };
        let linger_end = front.enqueued + l.linger;
        let ready = self.queue.len() >= l.batch_size
            || l.bulk_bytes.is_some_and(|b| self.queued_bytes >= b)
            || front.seq <= self.flush_seq
            || linger_end <= now;
        if !ready {
            return Step::Wait(Some(linger_end));
        }
        let mut batch = Vec::with_capacity(l.batch_size.min(self.queue.len()));
        let mut bytes = 0usize;
        while let Some(a) = self.queue.front() {
            if batch.len() >= l.batch_size
                || (!batch.is_empty() && l.bulk_bytes.is_some_and(|b| bytes + a.bytes.len() > b))
            {
                break;
            }
            let a = self.queue.pop_front().expect("front exists");
            bytes += a.bytes.len();
            self.queued_bytes -= a.bytes.len();
            batch.push(a);
        }
        self.in_flight += 1;
        Step::Send(batch)
    }

    /// Records still to be made durable, not counting those only waiting to be reported.
    fn outstanding(&self) -> usize {
        self.tracker
            .pending_total()
            .saturating_sub(self.errant_to_ack)
    }

    fn errant(&mut self, a: &Action, message: String, ack: bool) {
        if ack {
            self.errant_to_ack += 1;
        }
        self.errant.push(Errant {
            slot: a.slot,
            topic: a.topic.clone(),
            partition: a.partition,
            offset: a.offset,
            message,
            ack,
        });
    }
}

struct Inner {
    state: Mutex<State>,
    /// The task thread waits on this (space, idle).
    changed: Condvar,
    /// Workers wait on this (new records, flush, shutdown).
    wake: tokio::sync::Notify,
    client: Arc<EsClient>,
    limits: Limits,
    /// Where the bulk metrics go (the task's context), once [`Batcher::report_metrics_to`] set it.
    metrics: std::sync::OnceLock<connect_plugin_api::sdk::context::TaskContext>,
}

impl Inner {
    /// One `_bulk` request of `bytes` that took `seconds` and ended as `result`.
    fn bulk_metrics(&self, bytes: usize, seconds: f64, result: &str) {
        if let Some(ctx) = self.metrics.get() {
            ctx.histogram("elasticsearch_bulk_request_duration_seconds", &[], seconds);
            ctx.counter("elasticsearch_bulk_request_bytes_total", &[], bytes as f64);
            ctx.counter(
                "elasticsearch_bulk_requests_total",
                &[("result", result)],
                1.0,
            );
        }
    }

    /// `count` bulk items that ended as `outcome`.
    fn item_metrics(&self, outcome: &str, count: usize) {
        if let (Some(ctx), true) = (self.metrics.get(), count > 0) {
            ctx.counter(
                "elasticsearch_bulk_items_total",
                &[("outcome", outcome)],
                count as f64,
            );
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The buffer, its workers and the watermark.
pub struct Batcher {
    inner: Arc<Inner>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Batcher {
    /// Starts `max.in.flight.requests` workers on the plugin's runtime.
    pub fn start(limits: Limits, client: Arc<EsClient>) -> Self {
        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            wake: tokio::sync::Notify::new(),
            client,
            limits,
            metrics: std::sync::OnceLock::new(),
        });
        let rt = connect_plugin_api::sdk::runtime::runtime();
        let workers = (0..inner.limits.max_in_flight)
            .map(|_| rt.spawn(worker(inner.clone())))
            .collect();
        Batcher { inner, workers }
    }

    /// Reports bulk latency, bytes and per-item outcomes through `ctx` from now on (see
    /// docs/operations.md for the names).
    pub fn report_metrics_to(&self, ctx: connect_plugin_api::sdk::context::TaskContext) {
        let _ = self.inner.metrics.set(ctx);
    }

    /// The failure that stops the task, if any.
    pub fn fatal(&self) -> Option<String> {
        self.inner.lock().fatal.clone()
    }

    /// Why `put` should push back (retries exhausted and still retrying), if it should.
    pub fn stalled(&self) -> Option<String> {
        let s = self.inner.lock();
        (s.stalled > 0).then(|| {
            format!(
                "Elasticsearch keeps failing or rejecting bulk requests ({}); {} record(s) are buffered and being retried with back-off. Partitions are paused until it recovers.",
                s.last_error.as_deref().unwrap_or("unknown error"),
                s.tracker.pending_total()
            )
        })
    }

    /// The slot of a record's partition and whether the record was already accepted.
    pub fn admit(&self, topic: &str, partition: i32, offset: i64) -> (usize, bool) {
        let mut s = self.inner.lock();
        let slot = s.tracker.slot(topic, partition);
        (slot, s.tracker.is_duplicate(slot, offset))
    }

    /// Whether one more record fits in `max.buffered.records`.
    pub fn has_space(&self) -> bool {
        self.inner.lock().tracker.pending_total() < self.inner.limits.max_buffered
    }

    /// Waits up to `timeout` for buffer space; false when there is none (or the task failed).
    pub fn wait_space(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut s = self.inner.lock();
        loop {
            if s.tracker.pending_total() < self.inner.limits.max_buffered {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || s.fatal.is_some() {
                return false;
            }
            s = self
                .inner
                .changed
                .wait_timeout(s, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Accepts a record: with an action to send, or done already (skipped, dropped, reported).
    pub fn push(
        &self,
        slot: usize,
        topic: &str,
        partition: i32,
        offset: i64,
        action: Option<&DocAction>,
    ) {
        let bytes = action.map(|a| {
            let mut out = Vec::with_capacity(a.source.as_ref().map_or(0, String::len) + 96);
            a.encode(&mut out);
            out
        });
        let mut s = self.inner.lock();
        s.tracker.accept(slot, offset, action.is_some());
        if let (Some(a), Some(bytes)) = (action, bytes) {
            s.seq += 1;
            let seq = s.seq;
            s.queued_bytes += bytes.len();
            s.queue.push_back(Action {
                slot,
                offset,
                topic: Arc::from(topic),
                partition,
                op: a.op,
                versioned: a.versioned(),
                bytes,
                enqueued: Instant::now(),
                seq,
            });
            let full = s.queue.len().is_multiple_of(self.inner.limits.batch_size);
            drop(s);
            if full {
                self.inner.wake.notify_waiters();
            }
        }
    }

    /// Lets idle workers look at the queue (end of a `put`).
    pub fn wake(&self) {
        self.inner.wake.notify_waiters();
    }

    /// Makes everything queued so far ready to send, ignoring `linger.ms`.
    pub fn flush(&self) {
        {
            let mut s = self.inner.lock();
            s.flush_seq = s.seq;
        }
        self.inner.wake.notify_waiters();
    }

    /// Waits up to `timeout` until every accepted record is done (or only waits to be reported);
    /// returns how many are still outstanding.
    pub fn wait_idle(&self, timeout: Duration) -> usize {
        self.flush();
        let deadline = Instant::now() + timeout;
        let mut s = self.inner.lock();
        loop {
            let left = s.outstanding();
            let now = Instant::now();
            if left == 0 || now >= deadline || s.fatal.is_some() {
                return left;
            }
            s = self
                .inner
                .changed
                .wait_timeout(s, (deadline - now).min(Duration::from_millis(200)))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Records the workers want reported to the host; call [`Batcher::reported`] after.
    pub fn take_errant(&self) -> Vec<Errant> {
        std::mem::take(&mut self.inner.lock().errant)
    }

    /// Marks reported errant records done.
    pub fn reported(&self, list: &[Errant]) {
        let mut s = self.inner.lock();
        for e in list.iter().filter(|e| e.ack) {
            s.errant_to_ack = s.errant_to_ack.saturating_sub(1);
            s.tracker.ack(e.slot, e.offset);
        }
        drop(s);
        self.inner.changed.notify_all();
    }

    /// The durable offsets for the host's current offsets.
    pub fn offsets(&self, host: &[TopicPartitionOffset]) -> Vec<TopicPartitionOffset> {
        self.inner.lock().tracker.offsets(host)
    }

    /// Partitions assigned (again): their offsets may be reported once their records are done.
    pub fn open(&self, partitions: &[TopicPartition]) {
        let mut s = self.inner.lock();
        for tp in partitions {
            s.tracker.open(tp.topic.as_str(), tp.partition);
        }
    }

    /// Forgets revoked partitions and drops their queued (unsent) records: the next owner reads
    /// them again from the committed offset. Their offsets are not reported until they are opened
    /// again.
    pub fn close(&self, partitions: &[TopicPartition]) {
        let mut s = self.inner.lock();
        for tp in partitions {
            s.tracker.close(tp.topic.as_str(), tp.partition);
        }
        let State {
            queue,
            queued_bytes,
            tracker,
            errant,
            errant_to_ack,
            ..
        } = &mut *s;
        queue.retain(|a| {
            let keep = tracker.is_open(a.slot);
            if !keep {
                *queued_bytes -= a.bytes.len();
            }
            keep
        });
        errant.retain(|e| {
            let keep = tracker.is_open(e.slot);
            if !keep && e.ack {
                *errant_to_ack = errant_to_ack.saturating_sub(1);
            }
            keep
        });
        drop(s);
        self.inner.changed.notify_all();
    }

    /// Stops the workers (records not yet acknowledged are simply not committed).
    pub fn shutdown(&mut self) {
        self.inner.lock().shutdown = true;
        self.inner.wake.notify_waiters();
        for w in self.workers.drain(..) {
            w.abort();
        }
        self.inner.changed.notify_all();
    }

    /// Counters for logs and tests: (records outstanding, requests in flight, queued records).
    pub fn stats(&self) -> (usize, usize, usize) {
        let s = self.inner.lock();
        (s.outstanding(), s.in_flight, s.queue.len())
    }
}

impl Drop for Batcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn worker(inner: Arc<Inner>) {
    loop {
        let notified = inner.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let step = {
            let mut s = inner.lock();
            if s.shutdown {
                return;
            }
            s.next_batch(&inner.limits, Instant::now())
        };
        match step {
            Step::Send(batch) => {
                send(&inner, batch).await;
                inner.lock().in_flight -= 1;
                inner.changed.notify_all();
            }
            Step::Wait(None) => notified.await,
            Step::Wait(Some(at)) => {
                tokio::select! {
                    _ = notified => {}
                    _ = tokio::time::sleep_until(at.into()) => {}
                }
            }
        }
    }
}

fn body_of(actions: &[Action]) -> Vec<u8> {
    let mut body = Vec::with_capacity(actions.iter().map(|a| a.bytes.len()).sum());
    for a in actions {
        body.extend_from_slice(&a.bytes);
    }
    body
}

/// The longest wait between two tries: [`MAX_BACKOFF`], or `retry.backoff.ms` when larger.
fn backoff_cap(l: &Limits) -> Duration {
    MAX_BACKOFF.max(l.backoff)
}

/// Waits `wait` before a retry. With `probe` (the request got no answer), probes the node every
/// `interval` and returns early when it answers while `down` says it was seen down since the last
/// early return (a refused connection, or a probe without answer, also in an earlier wait for the
/// same batch); an early return clears `down`. So a node back from an outage is used within about
/// `interval` (or once the request stuck on a dead connection times out), while one that answers
/// probes but not bulk requests (overloaded) still gets the whole back-off.
async fn pause<F, Fut>(
    wait: Duration,
    interval: Duration,
    probe: bool,
    down: &mut bool,
    mut answers: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = tokio::time::Instant::now() + wait;
    if !probe {
        tokio::time::sleep_until(end).await;
        return;
    }
    loop {
        let next = (tokio::time::Instant::now() + interval).min(end);
        tokio::time::sleep_until(next).await;
        if next >= end {
            return;
        }
        if !answers().await {
            *down = true;
        } else if *down {
            tracing::debug!("Elasticsearch answers again; retrying now");
            *down = false;
            return;
        }
    }
}

/// Sends a batch until every item is done or handed over; never gives up on retriable failures.
async fn send(inner: &Inner, batch: Vec<Action>) {
    let l = &inner.limits;
    let cap = backoff_cap(l);
    // A stack of sub-batches: a 413 splits a batch in two.
    let mut work = vec![batch];
    while let Some(mut pending) = work.pop() {
        let mut attempt = 0u32;
        let mut stalled = false;
        // The node was seen down (see `pause`) during this batch's retries.
        let mut down = false;
        while !pending.is_empty() {
            if inner.lock().shutdown {
                return;
            }
            let body = body_of(&pending);
            let bytes = body.len();
            let started = std::time::Instant::now();
            let result = inner.client.bulk(body).await;
            let seconds = started.elapsed().as_secs_f64();
            inner.bulk_metrics(
                bytes,
                seconds,
                match &result {
                    Ok(items) if items.len() == pending.len() => "ok",
                    Ok(_) => "bad_response",
                    Err(RequestError::Retriable(_)) => "retriable",
                    Err(RequestError::Unavailable { .. }) => "unavailable",
                    Err(RequestError::TooLarge(_)) => "too_large",
                    Err(RequestError::Fatal(_)) => "fatal",
                },
            );
            let mut retry: Vec<Action> = Vec::new();
            let mut reason = String::new();
            // No answer from the node: probe it while waiting.
            let mut probe = false;
            match result {
                Ok(items) if items.len() == pending.len() => {
                    let mut s = inner.lock();
                    // success, conflict, retriable, malformed, failed
                    let mut outcomes = [0usize; 5];
                    for (a, item) in pending.into_iter().zip(items) {
                        let outcome = retry::classify_item(&item, a.op, a.versioned);
                        outcomes[match &outcome {
                            ItemOutcome::Success => 0,
                            ItemOutcome::Conflict(_) => 1,
                            ItemOutcome::Retriable(_) => 2,
                            ItemOutcome::Malformed(_) => 3,
                            ItemOutcome::Failed(_) => 4,
                        }] += 1;
                        match outcome {
                            ItemOutcome::Success => s.tracker.ack(a.slot, a.offset),
                            ItemOutcome::Conflict(m) => {
                                tracing::warn!(topic = %a.topic, partition = a.partition, offset = a.offset,
                                    "version conflict on a write without external versioning (another writer?): {m}");
                                s.tracker.ack(a.slot, a.offset);
                                if l.errant_reporter && l.tolerate_all {
                                    s.errant(&a, format!("Indexing failed: {m}"), false);
                                }
                            }
                            ItemOutcome::Retriable(m) => {
                                reason = m;
                                retry.push(a);
                            }
                            ItemOutcome::Malformed(m) => on_malformed(l, &mut s, &a, m),
                            ItemOutcome::Failed(m) => on_failed(l, &mut s, &a, m),
                        }
                    }
                    drop(s);
                    inner.changed.notify_all();
                    for (outcome, count) in
                        ["success", "conflict", "retriable", "malformed", "failed"]
                            .into_iter()
                            .zip(outcomes)
                    {
                        inner.item_metrics(outcome, count);
                    }
                }
                Ok(items) => {
                    reason = format!(
                        "the bulk response has {} items for {} actions",
                        items.len(),
                        pending.len()
                    );
                    retry = pending;
                }
                Err(RequestError::Retriable(m)) => {
                    reason = m;
                    retry = pending;
                }
                Err(RequestError::Unavailable { message, refused }) => {
                    reason = message;
                    probe = true;
                    down |= refused;
                    retry = pending;
                }
                Err(RequestError::TooLarge(m)) if pending.len() > 1 => {
                    tracing::warn!(
                        records = pending.len(),
                        "{m}; splitting the bulk request in two"
                    );
                    let second = pending.split_off(pending.len() / 2);
                    work.push(second);
                    work.push(pending);
                    break;
                }
                Err(RequestError::TooLarge(m)) => {
                    let mut s = inner.lock();
                    let a = pending.pop().expect("one action");
                    on_malformed(
                        l,
                        &mut s,
                        &a,
                        format!(
                            "document too large for one request: {m}; make the record smaller, or raise the node's 'http.max_content_length'"
                        ),
                    );
                    drop(s);
                    inner.changed.notify_all();
                }
                Err(RequestError::Fatal(m)) => {
                    tracing::error!("{m}");
                    inner.lock().fatal.get_or_insert(m);
                    inner.changed.notify_all();
                    return;
                }
            }
            if retry.is_empty() {
                break;
            }
            if attempt >= l.max_retries && !stalled {
                stalled = true;
                let mut s = inner.lock();
                s.stalled += 1;
                s.last_error = Some(reason.clone());
                tracing::warn!(
                    records = retry.len(),
                    attempts = attempt + 1,
                    "Failed to execute bulk request due to '{reason}' after {} attempt(s); still retrying with back-off, partitions will be paused",
                    attempt + 1
                );
            } else {
                tracing::debug!(
                    records = retry.len(),
                    attempt,
                    "retrying bulk items: {reason}"
                );
            }
            if stalled {
                inner.lock().last_error = Some(reason);
            }
            let client = &inner.client;
            pause(
                retry::backoff(attempt, l.backoff, cap),
                PROBE_INTERVAL,
                probe,
                &mut down,
                || client.answers(PROBE_TIMEOUT),
            )
            .await;
            attempt = attempt.saturating_add(1);
            pending = retry;
        }
        if stalled {
            let mut s = inner.lock();
            s.stalled -= 1;
            if s.stalled == 0 {
                s.last_error = None;
            }
            tracing::info!("bulk requests succeed again after retries");
        }
    }
}

fn on_malformed(l: &Limits, s: &mut State, a: &Action, m: String) {
    let record = format!(
        "record from topic={} partition={} offset={}",
        a.topic, a.partition, a.offset
    );
    match l.malformed {
        Malformed::Ignore | Malformed::Warn => {
            if l.malformed == Malformed::Warn {
                tracing::warn!(
                    "Encountered an illegal document error. Ignoring and will not index record ({record}): {m}"
                );
            } else {
                tracing::debug!("Encountered an illegal document error. Ignoring ({record}): {m}");
            }
            if l.errant_reporter && l.tolerate_all {
                s.errant(a, format!("Indexing failed: {m}"), true);
            } else {
                s.tracker.ack(a.slot, a.offset);
            }
        }
        Malformed::Fail => on_failed(l, s, a, m),
    }
}

/// What the user can do about a document Elasticsearch rejected with `m`.
pub(crate) fn fix_for(m: &str) -> String {
    if m.contains("invalid_index_name_exception") {
        // "Invalid index name [bad*index], must not contain …"
        let index = m
            .split_once("Invalid index name [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map_or("the index name", |(name, _)| name);
        format!(
            "'{index}' is not a valid index name (lowercase, at most 255 bytes, none of \\ / * ? \" < > | , # : or spaces, not starting with - _ +): route the topic to a valid name with a RegexRouter transform or 'topic.to.external.resource.mapping'."
        )
    } else {
        "Fix the record (or the index's mapping and settings), or set 'behavior.on.malformed.documents' to 'ignore' or 'warn' to skip documents Elasticsearch rejects.".into()
    }
}

fn on_failed(l: &Limits, s: &mut State, a: &Action, m: String) {
    if l.errant_reporter {
        // The host's error handling decides: dead-letter queue and go on, or fail the task.
        s.errant(a, format!("Indexing failed: {m}. {}", fix_for(&m)), true);
    } else {
        let msg = format!(
            "Indexing record failed (record from topic={} partition={} offset={}): {m}. To ignore documents Elasticsearch rejects, set 'behavior.on.malformed.documents' to 'ignore' or 'warn', or configure a dead-letter queue ('errors.tolerance=all' and 'errors.deadletterqueue.topic.name').",
            a.topic, a.partition, a.offset
        );
        tracing::error!("{msg}");
        s.fatal.get_or_insert(msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_document_is_reported_with_the_fix() {
        let invalid = fix_for(
            "invalid_index_name_exception: Invalid index name [bad*index], must not contain the following characters [*]",
        );
        assert!(
            invalid.starts_with("'bad*index' is not a valid index name")
                && invalid.contains("RegexRouter"),
            "{invalid}"
        );
        let mapping = fix_for("mapper_parsing_exception: failed to parse field [n] of type [long]");
        assert!(
            mapping.contains("Fix the record")
                && mapping.contains("behavior.on.malformed.documents"),
            "{mapping}"
        );
    }

    fn tpo(t: &str, p: i32, o: i64) -> TopicPartitionOffset {
        TopicPartitionOffset::new(t, p, o)
    }

    #[test]
    fn watermark_is_contiguous_under_out_of_order_acks() {
        let mut t = Tracker::default();
        let s = t.slot("a", 0);
        for o in 10..15 {
            t.accept(s, o, true);
        }
        assert_eq!(t.offsets(&[tpo("a", 0, 15)]), vec![tpo("a", 0, 10)]);
        t.ack(s, 12);
        t.ack(s, 14);
        assert_eq!(
            t.offsets(&[tpo("a", 0, 15)]),
            vec![tpo("a", 0, 10)],
            "gap at 10"
        );
        t.ack(s, 10);
        assert_eq!(t.offsets(&[tpo("a", 0, 15)]), vec![tpo("a", 0, 11)]);
        t.ack(s, 11);
        assert_eq!(t.offsets(&[tpo("a", 0, 15)]), vec![tpo("a", 0, 13)]);
        t.ack(s, 13);
        assert_eq!(t.offsets(&[tpo("a", 0, 15)]), vec![tpo("a", 0, 15)]);
        assert_eq!(t.pending_total(), 0);
        // Acks are idempotent.
        t.ack(s, 13);
        assert_eq!(t.pending_total(), 0);
    }

    #[test]
    fn done_records_behind_pending_ones_wait_their_turn() {
        let mut t = Tracker::default();
        let s = t.slot("a", 0);
        t.accept(s, 1, true);
        t.accept(s, 2, false); // e.g. an ignored tombstone
        t.accept(s, 3, true);
        t.ack(s, 3);
        assert_eq!(t.offsets(&[tpo("a", 0, 4)]), vec![tpo("a", 0, 1)]);
        t.ack(s, 1);
        assert_eq!(t.offsets(&[tpo("a", 0, 4)]), vec![tpo("a", 0, 4)]);
    }

    #[test]
    fn duplicates_unknown_partitions_and_close() {
        let mut t = Tracker::default();
        let a = t.slot("a", 0);
        let b = t.slot("a", 1);
        t.accept(a, 5, true);
        assert!(t.is_duplicate(a, 5) && t.is_duplicate(a, 4) && !t.is_duplicate(a, 6));
        assert!(!t.is_duplicate(b, 0));
        // A partition never seen (renamed topic) waits until nothing is pending.
        assert_eq!(t.offsets(&[tpo("x", 0, 9)]), vec![]);
        t.ack(a, 5);
        assert_eq!(t.offsets(&[tpo("x", 0, 9)]), vec![tpo("x", 0, 9)]);
        // Close forgets; the next open starts fresh and old acks are ignored.
        t.accept(a, 6, true);
        t.close("a", 0);
        assert_eq!(t.pending_total(), 0);
        let a2 = t.slot("a", 0);
        assert_ne!(a, a2);
        assert!(!t.is_duplicate(a2, 6));
        t.ack(a, 6);
        assert_eq!(t.pending_total(), 0);
    }

    /// The host's stop path: final commit, `close`, `stop`, then (dropping its consumer) a revoke
    /// that calls `pre_commit` again with the offsets it had delivered.
    #[test]
    fn a_closed_partition_is_never_committed_past_what_was_acknowledged() {
        let mut t = Tracker::default();
        let a = t.slot("a", 0);
        for o in 0..10 {
            t.accept(a, o, true);
        }
        for o in 0..4 {
            t.ack(a, o);
        }
        assert_eq!(t.offsets(&[tpo("a", 0, 10)]), vec![tpo("a", 0, 4)]);
        t.close("a", 0);
        assert_eq!(t.pending_total(), 0, "close drops the pending records");
        assert_eq!(
            t.offsets(&[tpo("a", 0, 10)]),
            vec![],
            "6 unacknowledged records must not be committed"
        );
        // Late answers for the dropped records change nothing.
        for o in 4..10 {
            t.ack(a, o);
        }
        assert_eq!(t.offsets(&[tpo("a", 0, 10)]), vec![]);
        // Other partitions are not held back by the closed one.
        let b = t.slot("b", 0);
        t.accept(b, 0, true);
        t.ack(b, 0);
        assert_eq!(
            t.offsets(&[tpo("a", 0, 10), tpo("b", 0, 1), tpo("x", 0, 3)]),
            vec![tpo("b", 0, 1), tpo("x", 0, 3)]
        );
    }

    #[test]
    fn a_partition_closed_with_everything_done_is_not_reported_either() {
        let mut t = Tracker::default();
        let a = t.slot("a", 0);
        t.accept(a, 0, true);
        t.ack(a, 0);
        t.close("a", 0);
        assert_eq!(t.offsets(&[tpo("a", 0, 1)]), vec![]);
    }

    #[test]
    fn a_partition_closed_without_a_slot_is_skipped() {
        // A topic renamed by an SMT: records live under the new name, the host closes the old.
        let mut t = Tracker::default();
        let renamed = t.slot("renamed", 0);
        t.accept(renamed, 0, true);
        t.ack(renamed, 0);
        assert_eq!(t.offsets(&[tpo("orig", 0, 1)]), vec![tpo("orig", 0, 1)]);
        t.close("orig", 0);
        assert_eq!(t.offsets(&[tpo("orig", 0, 1)]), vec![]);
        assert_eq!(t.offsets(&[tpo("orig", 1, 5)]), vec![tpo("orig", 1, 5)]);
    }

    fn limits(backoff: Duration) -> Limits {
        Limits {
            batch_size: 10,
            bulk_bytes: None,
            linger: Duration::from_millis(1),
            max_in_flight: 1,
            max_buffered: 100,
            max_retries: 5,
            backoff,
            malformed: Malformed::Fail,
            errant_reporter: false,
            tolerate_all: false,
        }
    }

    #[test]
    fn backoff_grows_to_the_cap_and_never_past_it() {
        let l = limits(Duration::from_millis(100));
        let cap = backoff_cap(&l);
        assert_eq!(cap, Duration::from_secs(5));
        for attempt in 0..200u32 {
            for _ in 0..20 {
                let d = retry::backoff(attempt, l.backoff, cap);
                assert!(d <= cap, "attempt {attempt}: {d:?}");
                // 100 ms × 2^6 = 6.4 s: from there on every wait is the capped one.
                if attempt >= 6 {
                    assert!(d >= cap / 2, "attempt {attempt}: {d:?}");
                }
            }
        }
    }

    #[test]
    fn a_retry_backoff_above_the_cap_is_the_users_choice() {
        let l = limits(Duration::from_secs(20));
        let cap = backoff_cap(&l);
        assert_eq!(cap, Duration::from_secs(20));
        for attempt in [0, 1, 5, 40] {
            let d = retry::backoff(attempt, l.backoff, cap);
            assert!(
                d >= Duration::from_secs(10) && d <= Duration::from_secs(20),
                "attempt {attempt}: {d:?}"
            );
        }
    }

    /// Runs `pause` on a small runtime (20 ms probe interval); returns how long it waited, how
    /// many probes it made, and `down` afterwards.
    fn timed_pause(
        wait_ms: u64,
        probe: bool,
        down: bool,
        answers: &[bool],
    ) -> (Duration, usize, bool) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let calls = std::cell::Cell::new(0usize);
        let mut down = down;
        let t = Instant::now();
        rt.block_on(pause(
            Duration::from_millis(wait_ms),
            Duration::from_millis(20),
            probe,
            &mut down,
            || {
                let i = calls.get();
                calls.set(i + 1);
                let a = answers.get(i).copied().unwrap_or(true);
                async move { a }
            },
        ));
        (t.elapsed(), calls.get(), down)
    }

    #[test]
    fn a_pause_without_probing_waits_the_whole_back_off() {
        let (took, probes, _) = timed_pause(300, false, true, &[]);
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert_eq!(probes, 0);
    }

    #[test]
    fn a_refused_node_that_answers_again_ends_the_pause_at_the_next_probe() {
        let (took, probes, down) = timed_pause(3_000, true, true, &[true]);
        assert!(took < Duration::from_millis(1_000), "{took:?}");
        assert_eq!(probes, 1);
        assert!(!down, "an early retry uses up what was seen");
    }

    #[test]
    fn a_hung_node_ends_the_pause_once_a_probe_failed_and_a_later_one_answers() {
        let (took, probes, down) = timed_pause(3_000, true, false, &[false, false, true]);
        assert!(took < Duration::from_millis(1_000), "{took:?}");
        assert_eq!(probes, 3);
        assert!(!down);
    }

    #[test]
    fn a_node_seen_down_in_an_earlier_wait_is_retried_as_soon_as_it_answers() {
        // Down for a whole wait: the retry goes out after it, and `down` is kept.
        let (took, probes, down) = timed_pause(300, true, false, &[false; 100]);
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(probes > 1);
        assert!(down);
        // The hang ended while that retry was stuck on a dead connection: the first probe of the
        // next wait answers, and that is enough.
        let (took, probes, _) = timed_pause(3_000, true, down, &[true]);
        assert!(took < Duration::from_millis(1_000), "{took:?}");
        assert_eq!(probes, 1);
    }

    #[test]
    fn a_node_that_answers_probes_but_not_bulks_gets_the_whole_back_off() {
        // Overloaded: `GET /` is fine, the bulk request timed out. Retrying early would pile on.
        let (took, probes, down) = timed_pause(300, true, false, &[]);
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(probes >= 5, "probes {probes}");
        assert!(!down);
    }

    #[test]
    fn reopening_or_a_new_record_makes_a_closed_partition_reportable_again() {
        let mut t = Tracker::default();
        let a = t.slot("a", 0);
        t.accept(a, 0, true);
        t.close("a", 0);
        t.close("a", 1);
        // Assigned again (open): nothing pending, so the host's offset is committed.
        t.open("a", 0);
        assert_eq!(t.offsets(&[tpo("a", 0, 1)]), vec![tpo("a", 0, 1)]);
        // Or a record arrives: a fresh slot tracks it.
        let a1 = t.slot("a", 1);
        t.accept(a1, 7, true);
        assert_eq!(t.offsets(&[tpo("a", 1, 8)]), vec![tpo("a", 1, 7)]);
        t.ack(a1, 7);
        assert_eq!(t.offsets(&[tpo("a", 1, 8)]), vec![tpo("a", 1, 8)]);
    }
}
