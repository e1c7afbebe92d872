//! The worker-wide metric state: Kafka Connect's connect-worker-metrics startup counters and the
//! connect-worker-rebalance-metrics group (distributed mode only, as in Kafka).

use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use super::window::Windowed;

/// Attempts and outcomes of connector or task startups on this worker.
#[derive(Debug, Default)]
pub struct Startups {
    /// `*-startup-attempts-total`.
    pub attempts: AtomicU64,
    /// `*-startup-success-total`.
    pub successes: AtomicU64,
    /// `*-startup-failure-total`.
    pub failures: AtomicU64,
}

impl Startups {
    /// One startup attempted.
    pub fn attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    /// Its outcome.
    pub fn outcome(&self, success: bool) {
        let counter = if success {
            &self.successes
        } else {
            &self.failures
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(success, failure)` as fractions of the settled startups since the worker started (0
    /// when none settled).
    pub fn fractions(&self) -> (f64, f64) {
        let ok = self.successes.load(Ordering::Relaxed) as f64;
        let failed = self.failures.load(Ordering::Relaxed) as f64;
        if ok + failed == 0.0 {
            return (0.0, 0.0);
        }
        (ok / (ok + failed), failed / (ok + failed))
    }
}

/// What the rebalance group shows.
#[derive(Debug, Clone, Default)]
pub struct RebalanceState {
    /// `leader-name`: the leader's URL.
    pub leader: String,
    /// `connect-protocol`.
    pub protocol: String,
    /// `epoch`: the group generation.
    pub epoch: i64,
    /// When the current rebalance began, if one is under way.
    pub started: Option<Instant>,
    /// When the last one completed.
    pub completed: Option<Instant>,
}

/// The connect-worker-rebalance-metrics group.
#[derive(Debug, Default)]
pub struct RebalanceMetrics {
    /// Set once the worker is a group member (distributed mode): only then is the group shown.
    pub enabled: AtomicBool,
    /// `completed-rebalances-total`.
    pub completed: AtomicU64,
    /// `rebalance-avg-time-ms`/`-max-time-ms`.
    pub time: Windowed,
    /// The rest.
    pub state: Mutex<RebalanceState>,
}

impl RebalanceMetrics {
    /// A rebalance began (the worker is joining its group).
    pub fn started(&self, protocol: &str) {
        self.enabled.store(true, Ordering::Relaxed);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.protocol = protocol.to_owned();
        s.started.get_or_insert_with(Instant::now);
    }

    /// A rebalance completed with generation `epoch` and leader `leader` (its URL).
    pub fn completed(&self, epoch: i64, leader: &str) {
        self.enabled.store(true, Ordering::Relaxed);
        let now = Instant::now();
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let took = s
            .started
            .take()
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        s.epoch = epoch;
        s.leader = leader.to_owned();
        s.completed = Some(now);
        drop(s);
        self.completed.fetch_add(1, Ordering::Relaxed);
        self.time.record(took.as_secs_f64() * 1000.0);
    }

    /// A snapshot: the state, whether a rebalance is under way, and the ms since the last one
    /// completed (-1: none yet, as Kafka).
    pub fn snapshot(&self) -> (RebalanceState, bool, f64) {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let since = s
            .completed
            .map_or(-1.0, |t| t.elapsed().as_secs_f64() * 1000.0);
        let rebalancing = s.started.is_some();
        (s, rebalancing, since)
    }
}

/// The worker-wide state.
#[derive(Debug, Default)]
pub struct WorkerMetrics {
    /// Connector startups.
    pub connector_startups: Startups,
    /// Task startups.
    pub task_startups: Startups,
    /// The rebalance group.
    pub rebalance: RebalanceMetrics,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_fractions_and_rebalance_times() {
        let s = Startups::default();
        assert_eq!(s.fractions(), (0.0, 0.0));
        s.attempt();
        s.outcome(true);
        s.attempt();
        s.attempt();
        s.outcome(false);
        s.outcome(true);
        let (ok, failed) = s.fractions();
        assert!((ok - 2.0 / 3.0).abs() < 1e-9 && (failed - 1.0 / 3.0).abs() < 1e-9);

        let r = RebalanceMetrics::default();
        assert_eq!(r.snapshot().2, -1.0);
        r.started("sessioned");
        assert!(r.snapshot().1, "rebalancing");
        r.completed(3, "http://w1:8083/");
        let (state, rebalancing, since) = r.snapshot();
        assert!(!rebalancing && since >= 0.0);
        assert_eq!((state.epoch, state.leader.as_str()), (3, "http://w1:8083/"));
        assert_eq!(r.completed.load(Ordering::Relaxed), 1);
    }
}
