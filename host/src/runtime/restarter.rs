//! Restarts FAILED tasks by themselves, with exponential back-off: where Kafka Connect leaves a
//! task down until someone calls `POST …/restart`, a task that failed on a transient problem
//! (a node restarting, a broker moving) comes back. Per connector, `task.restart.on.failure=false`
//! restores Kafka Connect's behaviour; `task.restart.backoff.max.ms` caps the wait.
//!
//! The back-off starts at 1 s and doubles per consecutive failure; a task that stays RUNNING for
//! a minute starts again from 1 s.
//!
//! A failure that names a record (a record no converter can read, a record the plugin rejects,
//! with `errors.tolerance=none`) and comes back identical at the same record after
//! [`GIVE_UP_AFTER`] restarts is deterministic: restarting again would fail on it for ever, so
//! the restarter stops and says which record and which settings would let the rest through.
//! Failures without a record (an unreachable server) are retried for as long as they last.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use super::{errors::RecordPosition, info::ConnectorTaskId, status::State, stores::ConfigMap};

const FIRST: Duration = Duration::from_secs(1);
const HEALTHY_AFTER: Duration = Duration::from_secs(60);
/// How many identical failures at the same record make a failure deterministic.
pub const GIVE_UP_AFTER: u32 = 3;

/// What the restarter knows of one task now.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// Which task.
    pub id: ConnectorTaskId,
    /// Its state.
    pub state: State,
    /// Its connector's policy ([`policy`]).
    pub policy: (bool, Duration),
    /// When FAILED: the trace and the record it failed at, if the failure named one.
    pub failure: Option<(String, RecordPosition)>,
}

/// The restarter's decisions for one round.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    /// Tasks to restart now, with their attempt number.
    pub restart: Vec<(ConnectorTaskId, u32)>,
    /// Tasks given up on: the same failure at the same record, [`GIVE_UP_AFTER`] times.
    pub give_up: Vec<(ConnectorTaskId, RecordPosition, u32)>,
}

/// One task's restart history.
#[derive(Debug, Clone)]
struct Track {
    attempts: u32,
    next_at: Option<Instant>,
    running_since: Option<Instant>,
    /// The last failure that named a record, and how many times in a row it was seen.
    last_failure: Option<(String, RecordPosition)>,
    repeats: u32,
    gave_up: bool,
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
    /// Given every task's state, policy and failure, decides which tasks to restart now and
    /// which to give up on.
    pub fn due(&mut self, now: Instant, tasks: &[TaskView]) -> Decisions {
        let mut out = Decisions::default();
        self.tracks
            .retain(|id, _| tasks.iter().any(|t| &t.id == id));
        for view in tasks {
            let (enabled, max) = view.policy;
            let t = self.tracks.entry(view.id.clone()).or_insert(Track {
                attempts: 0,
                next_at: None,
                running_since: None,
                last_failure: None,
                repeats: 0,
                gave_up: false,
            });
            match view.state {
                State::Failed if enabled && !t.gave_up => {
                    t.running_since = None;
                    if t.next_at.is_none() {
                        // A failure not seen before (the first, or the one after a restart).
                        match &view.failure {
                            Some(f) if t.last_failure.as_ref() == Some(f) => t.repeats += 1,
                            Some(f) => {
                                t.last_failure = Some(f.clone());
                                t.repeats = 1;
                            }
                            None => {
                                t.last_failure = None;
                                t.repeats = 0;
                            }
                        }
                        if t.repeats >= GIVE_UP_AFTER
                            && let Some((_, record)) = &t.last_failure
                        {
                            t.gave_up = true;
                            out.give_up
                                .push((view.id.clone(), record.clone(), t.repeats));
                            continue;
                        }
                    }
                    let wait = FIRST.saturating_mul(1u32 << t.attempts.min(20)).min(max);
                    let next = *t.next_at.get_or_insert(now + wait);
                    if now >= next {
                        t.attempts += 1;
                        t.next_at = None;
                        out.restart.push((view.id.clone(), t.attempts));
                    }
                }
                State::Failed => {}
                state => {
                    // Running again after giving up means someone restarted it by hand: the
                    // automatic restarts start afresh.
                    if t.gave_up {
                        t.gave_up = false;
                        t.repeats = 0;
                        t.last_failure = None;
                        t.attempts = 0;
                    }
                    t.next_at = None;
                    if state == State::Running {
                        let since = *t.running_since.get_or_insert(now);
                        if now.duration_since(since) >= HEALTHY_AFTER {
                            t.attempts = 0;
                            t.repeats = 0;
                            t.last_failure = None;
                        }
                    } else {
                        t.running_since = None;
                    }
                }
            }
        }
        out
    }
}

/// The note added to the trace of a task the restarter gave up on.
pub fn give_up_note(connector: &str, task: u32, record: &RecordPosition, repeats: u32) -> String {
    format!(
        "The automatic restart (task.restart.on.failure) stopped: the task failed {repeats} times in a row \
         with the same error at the same record ({record}), so restarting it again would only fail \
         again. To let the other records through, set 'errors.tolerance=all' on the connector (with \
         'errors.deadletterqueue.topic.name' to keep the bad records in a dead-letter queue), or \
         move the connector's consumer group past the record (PUT /connectors/{connector}/stop, then \
         PATCH /connectors/{connector}/offsets); then restart the task with \
         POST /connectors/{connector}/tasks/{task}/restart."
    )
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

    const ON: (bool, Duration) = (true, Duration::from_secs(300));

    fn view(state: State, policy: (bool, Duration)) -> TaskView {
        TaskView {
            id: id(),
            state,
            policy,
            failure: None,
        }
    }

    fn failed_at(offset: i64, trace: &str) -> TaskView {
        TaskView {
            failure: Some((
                trace.to_owned(),
                RecordPosition {
                    topic: "t".into(),
                    partition: 0,
                    offset,
                },
            )),
            ..view(State::Failed, ON)
        }
    }

    fn restarts(r: &mut Restarter, at: Instant, v: TaskView) -> Vec<(ConnectorTaskId, u32)> {
        r.due(at, &[v]).restart
    }

    #[test]
    fn backs_off_exponentially_and_resets_after_a_healthy_minute() {
        let mut r = Restarter::default();
        let t0 = Instant::now();
        let s = Duration::from_secs;
        assert!(
            restarts(&mut r, t0, view(State::Failed, ON)).is_empty(),
            "waits 1 s first"
        );
        assert_eq!(
            restarts(&mut r, t0 + s(1), view(State::Failed, ON)),
            vec![(id(), 1)]
        );
        // Failed again: now 2 s.
        assert!(restarts(&mut r, t0 + s(2), view(State::Failed, ON)).is_empty());
        assert!(restarts(&mut r, t0 + s(3), view(State::Failed, ON)).is_empty());
        assert_eq!(
            restarts(&mut r, t0 + s(4), view(State::Failed, ON)),
            vec![(id(), 2)]
        );
        // Healthy for a minute: attempts reset.
        restarts(&mut r, t0 + s(5), view(State::Running, ON));
        restarts(&mut r, t0 + s(70), view(State::Running, ON));
        assert!(restarts(&mut r, t0 + s(71), view(State::Failed, ON)).is_empty());
        assert_eq!(
            restarts(&mut r, t0 + s(72), view(State::Failed, ON)),
            vec![(id(), 1)]
        );
    }

    #[test]
    fn disabled_or_capped() {
        let mut r = Restarter::default();
        let t0 = Instant::now();
        let off = view(State::Failed, (false, Duration::from_secs(1)));
        assert!(restarts(&mut r, t0 + Duration::from_secs(3600), off).is_empty());
        let capped = (true, Duration::from_secs(1));
        let mut r = Restarter::default();
        for i in 0..10u64 {
            restarts(
                &mut r,
                t0 + Duration::from_secs(i),
                view(State::Failed, capped),
            );
        }
        assert!(
            r.tracks[&id()].attempts >= 4,
            "a 1 s cap restarts about every second"
        );
    }

    /// Drives one failure → restart → RUNNING → failure cycle; returns the decisions of the
    /// failed rounds.
    fn cycle(r: &mut Restarter, clock: &mut Instant, failure: TaskView) -> Decisions {
        let mut all = Decisions::default();
        // Long enough for any back-off of the test.
        for _ in 0..2 {
            let d = r.due(*clock, std::slice::from_ref(&failure));
            all.restart.extend(d.restart);
            all.give_up.extend(d.give_up);
            *clock += Duration::from_secs(600);
        }
        r.due(*clock, &[view(State::Running, ON)]);
        *clock += Duration::from_secs(1);
        all
    }

    #[test]
    fn the_same_failure_at_the_same_record_is_given_up_on() {
        let mut r = Restarter::default();
        let mut clock = Instant::now();
        for round in 1..GIVE_UP_AFTER {
            let d = cycle(&mut r, &mut clock, failed_at(5, "bad json"));
            assert_eq!(d.restart.len(), 1, "round {round} restarts");
            assert!(d.give_up.is_empty());
        }
        let d = r.due(clock, &[failed_at(5, "bad json")]);
        assert!(d.restart.is_empty(), "no restart after {GIVE_UP_AFTER}");
        assert_eq!(d.give_up.len(), 1);
        assert_eq!(d.give_up[0].1.offset, 5);
        // Given up: no restart however long it stays FAILED, and no second give-up.
        for later in [1, 600, 3600] {
            let d = r.due(
                clock + Duration::from_secs(later),
                &[failed_at(5, "bad json")],
            );
            assert_eq!(d, Decisions::default());
        }
    }

    #[test]
    fn failures_at_other_records_or_without_one_keep_restarting() {
        let mut r = Restarter::default();
        let mut clock = Instant::now();
        for offset in 0..10 {
            let d = cycle(&mut r, &mut clock, failed_at(offset, "bad json"));
            assert_eq!(d.restart.len(), 1, "a new record each time: progress");
        }
        let mut r = Restarter::default();
        for _ in 0..10 {
            let d = cycle(&mut r, &mut clock, view(State::Failed, ON));
            assert_eq!(d.restart.len(), 1, "no record named: transient, retried");
        }
        let mut r = Restarter::default();
        for i in 0..10 {
            let d = cycle(&mut r, &mut clock, failed_at(5, &format!("error {i}")));
            assert_eq!(d.restart.len(), 1, "a different error each time");
        }
    }

    #[test]
    fn a_manual_restart_after_giving_up_starts_afresh() {
        let mut r = Restarter::default();
        let mut clock = Instant::now();
        for _ in 1..GIVE_UP_AFTER {
            cycle(&mut r, &mut clock, failed_at(5, "bad json"));
        }
        let d = r.due(clock, &[failed_at(5, "bad json")]);
        assert_eq!(d.give_up.len(), 1);
        assert!(r.tracks[&id()].gave_up);
        // POST …/restart: the task runs again (briefly), then fails on the record again.
        r.due(clock, &[view(State::Running, ON)]);
        let d = cycle(&mut r, &mut clock, failed_at(5, "bad json"));
        assert_eq!(d.restart.len(), 1);
    }

    #[test]
    fn policy_defaults_on() {
        assert_eq!(policy(&ConfigMap::new()), (true, Duration::from_secs(300)));
        let off: ConfigMap = [("task.restart.on.failure".to_owned(), "false".to_owned())].into();
        assert!(!policy(&off).0);
    }

    #[test]
    fn the_note_names_the_record_and_the_settings() {
        let r = RecordPosition {
            topic: "orders".into(),
            partition: 2,
            offset: 41,
        };
        let note = give_up_note("sink", 0, &r, 3);
        for part in [
            "topic 'orders', partition 2, offset 41",
            "errors.tolerance=all",
            "errors.deadletterqueue.topic.name",
            "POST /connectors/sink/tasks/0/restart",
        ] {
            assert!(note.contains(part), "{part} in {note}");
        }
    }
}
