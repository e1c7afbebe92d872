//! Java's `IncrementalCooperativeAssignor` (KIP-415; `connect.protocol=compatible` and
//! `sessioned`) as a pure function of its inputs and its own remembered state.
//!
//! Members keep running through a rebalance and are told only what to start and what to
//! stop. The steps follow Java's `performTaskAssignment` in order:
//! 1. forget the remembered assignment if the last generation did not complete under us;
//! 2. derive deleted, duplicated, lost and created items from configured / previous / active;
//! 3. revoke deleted items and every copy of a duplicated one;
//! 4. hold lost items for `scheduled.rebalance.max.delay.ms` (their worker may come back),
//!    then give them to the workers that joined empty meanwhile, or spread them as new;
//! 5. when no delay runs, revoke surplus so a later round can move it to lighter workers,
//!    backing off when revoking rounds follow each other;
//! 6. water-fill created and reassigned items onto the lightest workers.
//!
//! Where Java iterates hash maps (the worker walk of step 5, candidate order in step 4) this
//! uses member-id order, so placement is deterministic but not always Java's; Java members
//! accept any well-formed assignment, so mixed groups still work. The assignment's version
//! (1 or 2) is the chosen sub-protocol's and is left to the caller and the codec.

use std::collections::{BTreeMap, BTreeSet};

use super::error::AssignorError;
use super::leader_config::LeaderView;
use super::revocation::{balancing_revocations, revoking_backoff};
use super::water_fill::water_fill;
use crate::cluster::assignment::{
    Assignment, AssignmentError, ConfigSnapshot, ConnectorsAndTasks, Member,
};

/// What the leader remembers between rebalances (lost when leadership moves: a new leader
/// starts from [`AssignorState::default`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignorState {
    /// Everything assigned after the last round, including lost items still held back.
    pub previous_assignment: ConnectorsAndTasks,
    /// What the last round revoked; if members still report any of it, the revocation did
    /// not take effect and the reported sets replace `previous_assignment`.
    pub previous_revocation: ConnectorsAndTasks,
    /// Whether the last round revoked for balance (a second one in a row backs off).
    pub revoked_in_previous: bool,
    /// Workers that joined with nothing while lost work was held back: they get it first
    /// when the delay expires (usually the departed worker, restarted under a new id).
    /// Insertion order, without repeats.
    pub candidates: Vec<String>,
    /// When held-back work is due (ms on the caller's clock); 0 = no scheduled rebalance.
    pub scheduled_rebalance_ms: i64,
    /// The delay handed to members in the last round (ms).
    pub delay_ms: i32,
    /// Generation of the last round this state computed; −1 before any.
    pub previous_generation: i32,
    /// Member ids of the last round (to notice departures).
    pub previous_members: BTreeSet<String>,
    /// Revoking rounds in a row, for the backoff.
    pub successive_revoking_rounds: u32,
}

impl Default for AssignorState {
    fn default() -> Self {
        AssignorState {
            previous_assignment: ConnectorsAndTasks::default(),
            previous_revocation: ConnectorsAndTasks::default(),
            revoked_in_previous: false,
            candidates: Vec::new(),
            scheduled_rebalance_ms: 0,
            delay_ms: 0,
            previous_generation: -1,
            previous_members: BTreeSet::new(),
            successive_revoking_rounds: 0,
        }
    }
}

impl AssignorState {
    fn reset_delay(&mut self) {
        self.candidates.clear();
        self.scheduled_rebalance_ms = 0;
        self.delay_ms = 0;
    }
}

/// Everything one rebalance round gives the leader.
#[derive(Debug, Clone, Copy)]
pub struct RoundInput<'a> {
    /// The leader's member id (the broker's choice).
    pub leader: &'a str,
    /// Every member with its reported running set.
    pub members: &'a [Member],
    /// The leader's config snapshot (refreshed by the caller if
    /// [`LeaderView::snapshot_behind`] says so).
    pub snapshot: &'a ConfigSnapshot,
    /// Generation the leader last completed a sync in (−1 if none).
    pub last_completed_generation: i32,
    /// Generation of this round.
    pub generation: i32,
    /// The clock, in ms (any epoch, as long as it is the same across rounds).
    pub now_ms: i64,
    /// `scheduled.rebalance.max.delay.ms`.
    pub max_delay_ms: i32,
}

/// The result of one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundOutcome {
    /// One entry per member: what to start, what to stop, the common delay.
    pub assignments: BTreeMap<String, Assignment>,
    /// What each member runs once it has applied its assignment (Java's leader state, used
    /// to find the owner of a connector or task for request forwarding).
    pub owners: BTreeMap<String, ConnectorsAndTasks>,
    /// The state to pass into the next round.
    pub state: AssignorState,
}

/// Computes one incremental cooperative round.
///
/// If the snapshot is behind the highest member offset every member gets `CONFIG_MISMATCH`
/// and the state is returned untouched (as in Java).
pub fn assign(state: AssignorState, round: &RoundInput<'_>) -> Result<RoundOutcome, AssignorError> {
    let view = LeaderView::new(round.leader, round.members)?;
    if view.snapshot_behind(round.snapshot) {
        return Ok(RoundOutcome {
            assignments: view.mismatch(round.leader, round.members),
            owners: BTreeMap::new(),
            state,
        });
    }
    let mut s = state;
    let now = round.now_ms;

    // Our memory describes another generation than the one the group completed.
    if s.previous_generation != round.last_completed_generation {
        s.previous_assignment = ConnectorsAndTasks::default();
    }

    let configured = round.snapshot.configured();
    let reported: BTreeMap<String, ConnectorsAndTasks> = round
        .members
        .iter()
        .map(|m| (m.id.clone(), m.running.clone()))
        .collect();
    let mut active = ConnectorsAndTasks::default();
    for running in reported.values() {
        active.extend(running);
    }

    // A revocation that did not take effect: trust what members report instead.
    if !s.previous_revocation.is_empty() {
        if s.previous_revocation.overlaps(&active) {
            s.previous_assignment = active.clone();
        }
        s.previous_revocation = ConnectorsAndTasks::default();
    }

    let previous = &s.previous_assignment;
    let deleted = previous.minus(&configured);
    let duplicated = duplicated(&reported);
    let lost = previous.minus(&active).minus(&deleted);
    let created = configured.minus(previous).minus(&active);

    // Baseline for "newly assigned": what each member runs, minus deleted items.
    let current: BTreeMap<&str, ConnectorsAndTasks> = reported
        .iter()
        .map(|(w, r)| (w.as_str(), r.minus(&deleted)))
        .collect();
    let mut to_revoke: BTreeMap<String, ConnectorsAndTasks> = reported
        .iter()
        .map(|(w, r)| {
            let mut revoke = r.intersect(&deleted);
            revoke.extend(&r.intersect(&duplicated));
            (w.clone(), revoke)
        })
        .collect();
    let mut next: BTreeMap<String, ConnectorsAndTasks> = reported
        .iter()
        .map(|(w, r)| (w.clone(), r.minus(&to_revoke[w])))
        .collect();

    let lost_to_reassign = handle_lost(&mut s, &lost, &mut next, now, round.max_delay_ms);

    // Balance only when no delayed rebalance is pending.
    if s.delay_ms == 0 {
        let balancing = balancing_revocations(&configured, &next);
        if s.revoked_in_previous && !balancing.is_empty() {
            s.successive_revoking_rounds += 1;
            s.delay_ms = revoking_backoff(s.successive_revoking_rounds, round.max_delay_ms);
            if s.delay_ms != 0 {
                // Skip revoking this round; try again after the backoff.
                s.scheduled_rebalance_ms = now + i64::from(s.delay_ms);
            } else {
                apply_revocations(&balancing, &mut to_revoke, &mut next);
            }
        } else if !balancing.is_empty() {
            apply_revocations(&balancing, &mut to_revoke, &mut next);
            s.revoked_in_previous = true;
        } else if s.revoked_in_previous {
            // Converged: the backoff starts over.
            s.revoked_in_previous = false;
            s.successive_revoking_rounds = 0;
        }
    } else {
        s.revoked_in_previous = false;
    }

    let mut assign_connectors: Vec<String> = created.connectors.iter().cloned().collect();
    assign_connectors.extend(
        lost_to_reassign
            .connectors
            .iter()
            .filter(|c| !created.connectors.contains(*c))
            .cloned(),
    );
    let mut assign_tasks: Vec<_> = created.tasks.iter().cloned().collect();
    assign_tasks.extend(
        lost_to_reassign
            .tasks
            .iter()
            .filter(|t| !created.tasks.contains(*t))
            .cloned(),
    );
    water_fill(
        next.iter_mut()
            .map(|(w, l)| (w.as_str(), &mut l.connectors))
            .collect(),
        assign_connectors,
    );
    water_fill(
        next.iter_mut()
            .map(|(w, l)| (w.as_str(), &mut l.tasks))
            .collect(),
        assign_tasks,
    );

    let mut assignments = BTreeMap::new();
    let mut owners = BTreeMap::new();
    let mut all_revoked = ConnectorsAndTasks::default();
    let mut remembered = ConnectorsAndTasks::default();
    for (worker, load) in &next {
        let revoked = to_revoke.remove(worker).unwrap_or_default();
        let assignment = Assignment {
            error: AssignmentError::None,
            leader: round.leader.to_string(),
            leader_url: view.leader_url.clone(),
            config_offset: view.max_offset,
            assigned: load.minus(&current[worker.as_str()]),
            revoked: revoked.clone(),
            delay_ms: s.delay_ms,
        };
        assignments.insert(worker.clone(), assignment);
        owners.insert(worker.clone(), load.minus(&revoked));
        remembered.extend(load);
        all_revoked.extend(&revoked);
    }

    // Lost items stay remembered so later rounds still see them as lost.
    remembered.remove_all(&all_revoked);
    remembered.extend(&lost);
    s.previous_assignment = remembered;
    s.previous_revocation = all_revoked;
    s.previous_generation = round.generation;
    s.previous_members = reported.keys().cloned().collect();

    Ok(RoundOutcome {
        assignments,
        owners,
        state: s,
    })
}

/// Items reported by more than one member.
fn duplicated(reported: &BTreeMap<String, ConnectorsAndTasks>) -> ConnectorsAndTasks {
    let mut seen = ConnectorsAndTasks::default();
    let mut twice = ConnectorsAndTasks::default();
    for running in reported.values() {
        for c in &running.connectors {
            if !seen.connectors.insert(c.clone()) {
                twice.connectors.insert(c.clone());
            }
        }
        for t in &running.tasks {
            if !seen.tasks.insert(t.clone()) {
                twice.tasks.insert(t.clone());
            }
        }
    }
    twice
}

fn apply_revocations(
    revocations: &BTreeMap<String, ConnectorsAndTasks>,
    to_revoke: &mut BTreeMap<String, ConnectorsAndTasks>,
    next: &mut BTreeMap<String, ConnectorsAndTasks>,
) {
    for (worker, revoked) in revocations {
        to_revoke.entry(worker.clone()).or_default().extend(revoked);
        if let Some(load) = next.get_mut(worker) {
            load.remove_all(revoked);
        }
    }
}

/// Decides what happens to lost items this round (Java's `handleLostAssignments`).
///
/// Returns the lost items to spread like new ones; items given to candidates go straight
/// into `next`; items held back are returned by neither and stay remembered as lost.
fn handle_lost(
    s: &mut AssignorState,
    lost: &ConnectorsAndTasks,
    next: &mut BTreeMap<String, ConnectorsAndTasks>,
    now: i64,
    max_delay_ms: i32,
) -> ConnectorsAndTasks {
    if lost.is_empty() && !s.revoked_in_previous {
        s.reset_delay();
        return ConnectorsAndTasks::default();
    }
    // Nobody left: the lost items were never picked up (a member missed its assignment).
    let everyone_stayed = s.previous_members.iter().all(|m| next.contains_key(m));
    if s.scheduled_rebalance_ms <= 0 && everyone_stayed {
        return lost.clone();
    }
    if max_delay_ms == 0 {
        return lost.clone();
    }

    if s.scheduled_rebalance_ms > 0 && now >= s.scheduled_rebalance_ms {
        let picked: Vec<String> = s
            .candidates
            .iter()
            .filter(|c| next.contains_key(*c))
            .cloned()
            .collect();
        let mut spread = ConnectorsAndTasks::default();
        if picked.is_empty() {
            spread = lost.clone();
        } else {
            // Round-robin over the candidates; tasks start again from the first one.
            for (connector, worker) in lost.connectors.iter().zip(picked.iter().cycle()) {
                let load = next.get_mut(worker).expect("picked from next");
                load.connectors.insert(connector.clone());
            }
            for (task, worker) in lost.tasks.iter().zip(picked.iter().cycle()) {
                let load = next.get_mut(worker).expect("picked from next");
                load.tasks.insert(task.clone());
            }
        }
        s.reset_delay();
        // The full delay has passed, so a revoking round may follow right away.
        s.revoked_in_previous = false;
        spread
    } else {
        for (worker, load) in next.iter() {
            if load.is_empty() && !s.candidates.contains(worker) {
                s.candidates.push(worker.clone());
            }
        }
        let max = i64::from(max_delay_ms);
        s.delay_ms = if now < s.scheduled_rebalance_ms {
            (s.scheduled_rebalance_ms - now).min(max) as i32
        } else {
            max_delay_ms
        };
        s.scheduled_rebalance_ms = now + i64::from(s.delay_ms);
        ConnectorsAndTasks::default()
    }
}

#[cfg(test)]
mod tests;
