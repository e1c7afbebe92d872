//! A test-only model of a Connect group driven by the incremental assignor.
//!
//! Members apply assignments the way Java's `WorkerCoordinator` does (stop revoked, start
//! assigned) and rejoin as Java's herder would: at once after a revocation, after `delay`
//! otherwise. The clock only moves when the test or a delay moves it.

use std::collections::BTreeMap;

use super::incremental::{AssignorState, RoundInput, RoundOutcome, assign};
use crate::cluster::assignment::{ConfigSnapshot, ConnectorsAndTasks, Member};

/// A group of workers sharing one config snapshot.
pub(super) struct Group {
    /// The config every member has read (all members are always caught up).
    pub snapshot: ConfigSnapshot,
    /// `scheduled.rebalance.max.delay.ms`.
    pub max_delay_ms: i32,
    /// The clock handed to the assignor.
    pub now_ms: i64,
    /// Member id → what it runs.
    pub running: BTreeMap<String, ConnectorsAndTasks>,
    /// The leader's member id, once one is chosen.
    pub leader: Option<String>,
    /// The leader's assignor memory; a new leader starts from scratch.
    pub state: AssignorState,
    /// What happened so far, so tests can tell their scenarios reach the interesting paths.
    pub stats: Stats,
    generation: i32,
}

/// Counts of notable rounds.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stats {
    /// Rebalances run.
    pub rounds: usize,
    /// Rounds that revoked something.
    pub revoking: usize,
    /// Rounds that handed out a delay.
    pub delayed: usize,
    /// Delayed rounds caused by the revoking backoff rather than by lost work.
    pub backoffs: usize,
    /// Times a leader without memory took over (the first one included).
    pub new_leaders: usize,
}

impl Group {
    /// A group with no members yet and the given connectors and task counts.
    pub fn new(connectors: &[(&str, u32)], max_delay_ms: i32) -> Group {
        Group {
            snapshot: ConfigSnapshot {
                offset: 1,
                connectors: connectors
                    .iter()
                    .map(|(n, c)| (n.to_string(), *c))
                    .collect(),
            },
            max_delay_ms,
            now_ms: 1_000,
            running: BTreeMap::new(),
            leader: None,
            state: AssignorState::default(),
            stats: Stats::default(),
            generation: 0,
        }
    }

    /// A worker joins with nothing running (a restarted worker is a new member id).
    pub fn join(&mut self, id: &str) {
        self.running
            .insert(id.to_string(), ConnectorsAndTasks::default());
    }

    /// A worker leaves (or crashes); its work is gone with it.
    pub fn leave(&mut self, id: &str) {
        self.running.remove(id);
        if self.leader.as_deref() == Some(id) {
            self.leader = None;
        }
    }

    /// Adds a connector or sets its task count (to remove one use [`Group::delete`]).
    pub fn configure(&mut self, connector: &str, tasks: u32) {
        self.snapshot
            .connectors
            .insert(connector.to_string(), tasks);
        self.snapshot.offset += 1;
    }

    /// Removes a connector from the config.
    pub fn delete(&mut self, connector: &str) {
        self.snapshot.connectors.remove(connector);
        self.snapshot.offset += 1;
    }

    /// One rebalance: everyone reports, the leader assigns, everyone applies.
    pub fn round(&mut self) -> RoundOutcome {
        let leader = match &self.leader {
            Some(l) => l.clone(),
            None => {
                // The broker picks some member; a new leader has no memory.
                let l = self.running.keys().next().expect("a member").clone();
                self.leader = Some(l.clone());
                self.state = AssignorState::default();
                self.stats.new_leaders += 1;
                l
            }
        };
        let members: Vec<Member> = self
            .running
            .iter()
            .map(|(id, running)| Member {
                id: id.clone(),
                url: format!("http://{id}:8083/"),
                config_offset: self.snapshot.offset,
                running: running.clone(),
            })
            .collect();
        let last_completed = self.generation;
        self.generation += 1;
        let input = RoundInput {
            leader: &leader,
            members: &members,
            snapshot: &self.snapshot,
            last_completed_generation: last_completed,
            generation: self.generation,
            now_ms: self.now_ms,
            max_delay_ms: self.max_delay_ms,
        };
        let out = assign(std::mem::take(&mut self.state), &input).expect("valid round");
        self.state = out.state.clone();
        self.stats.rounds += 1;
        if out.assignments.values().any(|a| !a.revoked.is_empty()) {
            self.stats.revoking += 1;
        }
        if out.assignments.values().any(|a| a.delay_ms > 0) {
            self.stats.delayed += 1;
            if out.state.successive_revoking_rounds > 0 && out.state.candidates.is_empty() {
                self.stats.backoffs += 1;
            }
        }
        for (id, a) in &out.assignments {
            let running = self.running.get_mut(id).expect("assigned to a member");
            running.remove_all(&a.revoked);
            running.extend(&a.assigned);
        }
        out
    }

    /// Rebalances until a round neither revokes nor schedules a delay, moving the clock
    /// over each delay. Returns the rounds taken; panics if it never settles.
    pub fn settle(&mut self) -> usize {
        for rounds in 1..=100 {
            let out = self.round();
            let revoked = out.assignments.values().any(|a| !a.revoked.is_empty());
            let delay = out
                .assignments
                .values()
                .map(|a| a.delay_ms)
                .max()
                .unwrap_or(0);
            if revoked {
                continue;
            }
            if delay > 0 {
                self.now_ms += i64::from(delay);
                continue;
            }
            return rounds;
        }
        panic!("group did not settle in 100 rounds: {:?}", self.running);
    }

    /// (connector count, task count) per member.
    pub fn loads(&self) -> BTreeMap<String, (usize, usize)> {
        self.running
            .iter()
            .map(|(id, r)| (id.clone(), (r.connectors.len(), r.tasks.len())))
            .collect()
    }
}
