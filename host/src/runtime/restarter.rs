//! Restarts FAILED tasks by themselves, with exponential back-off: where Kafka Connect leaves a
//! task down until someone calls `POST …/restart`, a task that failed on a transient problem
//! (a node restarting, a broker moving) comes back. Per connector, `task.restart.on.failure=false`
//! restores Kafka Connect's behaviour; `task.restart.backoff.max.ms` caps the wait.
//!
//! The back-off starts at 1 s and doubles per consecutive failure; a task that stays RUNNING for
//! a minute starts again from 1 s.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use super::{info::ConnectorTaskId, status::State, stores::ConfigMap};

const FIRST: Duration = Duration::from_secs(1);
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// One task's restart history.
#[derive(Debug, Clone, Copy)]
struct Track {
    attempts: u32,
    next_at: Option<Instant>,
    running_since: Option<Instant>,
}

/// Decides which failed tasks to restart now.
#[derive(Default)]
pub struct Restarter {
    tracks: HashMap<ConnectorTaskId, Track>,
}

/// Whether a connector wants its failed tasks restarted, and the longest back-off.
pub fn policy(config: &ConfigMap) -> (bool, Duration) {
    let enabled = config
        .get("task.restart.on.failure")
        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
    let max = config
        .get("task.restart.backoff.max.ms")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(300_000u64);
    (enabled, Duration::from_millis(max.max(1_000)))
}

impl Restarter {
    /// Given every task's state and its connector's policy, returns the tasks to restart now
    /// (with their attempt number).
    pub fn due(
        &mut self,
        now: Instant,
        tasks: &[(ConnectorTaskId, State, (bool, Duration))],
    ) -> Vec<(ConnectorTaskId, u32)> {
        let mut out = Vec::new();
        self.tracks
            .retain(|id, _| tasks.iter().any(|(t, _, _)| t == id));
        for (id, state, (enabled, max)) in tasks {
            let t = self.tracks.entry(id.clone()).or_insert(Track {
                attempts: 0,
                next_at: None,
                running_since: None,
            });
            match state {
                State::Running => {
                    t.next_at = None;
                    let since = *t.running_since.get_or_insert(now);
                    if now.duration_since(since) >= HEALTHY_AFTER {
                        t.attempts = 0;
                    }
                }
                State::Failed if *enabled => {
                    t.running_since = None;
                    let wait = FIRST.saturating_mul(1u32 << t.attempts.min(20)).min(*max);
                    let next = *t.next_at.get_or_insert(now + wait);
                    if now >= next {
                        t.attempts += 1;
                        t.next_at = None;
                        out.push((id.clone(), t.attempts));
                    }
                }
                _ => t.running_since = None,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ConnectorTaskId {
        ConnectorTaskId {
            connector: "c".into(),
            task: 0,
        }
    }

    #[test]
    fn backs_off_exponentially_and_resets_after_a_healthy_minute() {
        let mut r = Restarter::default();
        let on = (true, Duration::from_secs(300));
        let t0 = Instant::now();
        assert!(
            r.due(t0, &[(id(), State::Failed, on)]).is_empty(),
            "waits 1 s first"
        );
        assert_eq!(
            r.due(t0 + Duration::from_secs(1), &[(id(), State::Failed, on)]),
            vec![(id(), 1)]
        );
        // Failed again: now 2 s.
        assert!(
            r.due(t0 + Duration::from_secs(2), &[(id(), State::Failed, on)])
                .is_empty()
        );
        assert!(
            r.due(t0 + Duration::from_secs(3), &[(id(), State::Failed, on)])
                .is_empty()
        );
        assert_eq!(
            r.due(t0 + Duration::from_secs(4), &[(id(), State::Failed, on)]),
            vec![(id(), 2)]
        );
        // Healthy for a minute: attempts reset.
        r.due(t0 + Duration::from_secs(5), &[(id(), State::Running, on)]);
        r.due(t0 + Duration::from_secs(70), &[(id(), State::Running, on)]);
        assert!(
            r.due(t0 + Duration::from_secs(71), &[(id(), State::Failed, on)])
                .is_empty()
        );
        assert_eq!(
            r.due(t0 + Duration::from_secs(72), &[(id(), State::Failed, on)]),
            vec![(id(), 1)]
        );
    }

    #[test]
    fn disabled_or_capped() {
        let mut r = Restarter::default();
        let t0 = Instant::now();
        assert!(
            r.due(
                t0 + Duration::from_secs(3600),
                &[(id(), State::Failed, (false, Duration::from_secs(1)))]
            )
            .is_empty()
        );
        let capped = (true, Duration::from_secs(1));
        let mut r = Restarter::default();
        for i in 0..10u64 {
            r.due(
                t0 + Duration::from_secs(i),
                &[(id(), State::Failed, capped)],
            );
        }
        assert!(
            r.tracks[&id()].attempts >= 4,
            "a 1 s cap restarts about every second"
        );
    }

    #[test]
    fn policy_defaults_on() {
        assert_eq!(policy(&ConfigMap::new()), (true, Duration::from_secs(300)));
        let off: ConfigMap = [("task.restart.on.failure".to_owned(), "false".to_owned())].into();
        assert!(!policy(&off).0);
    }
}
