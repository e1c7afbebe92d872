//! Timelines from the reference (join, leave, return, failover, deletion, duplicates,
//! backoff) replayed round by round.

use super::*;
use crate::cluster::assignment::TaskId;
use crate::cluster::assignor::simulation::Group;

const MAX_DELAY: i32 = 300_000;

fn three_connectors() -> Group {
    Group::new(&[("a", 2), ("b", 2), ("c", 2)], MAX_DELAY)
}

fn started(out: &RoundOutcome, id: &str) -> usize {
    out.assignments[id].assigned.len()
}

fn stopped(out: &RoundOutcome, id: &str) -> usize {
    out.assignments[id].revoked.len()
}

fn delay(out: &RoundOutcome) -> i32 {
    let delays: BTreeSet<i32> = out.assignments.values().map(|a| a.delay_ms).collect();
    assert_eq!(delays.len(), 1, "every member gets the same delay");
    *delays.first().unwrap()
}

#[test]
fn first_round_places_everything_at_once() {
    let mut g = three_connectors();
    g.join("w1");
    g.join("w2");
    let out = g.round();
    assert_eq!(delay(&out), 0);
    assert_eq!(started(&out, "w1") + started(&out, "w2"), 9);
    assert_eq!(g.loads()["w1"], (2, 3));
    assert_eq!(g.loads()["w2"], (1, 3));
    assert_eq!(g.settle(), 1, "nothing left to do");
}

#[test]
fn join_takes_two_rounds_revoke_then_assign() {
    let mut g = three_connectors();
    g.join("w1");
    g.settle();
    assert_eq!(g.loads()["w1"], (3, 6));

    g.join("w2");
    // Round 1: the old worker gives up its surplus; the newcomer gets nothing yet.
    let r1 = g.round();
    let revoked = r1.assignments["w1"].revoked.clone();
    assert_eq!(revoked.connectors.len(), 1);
    assert_eq!(revoked.tasks.len(), 3);
    assert_eq!(started(&r1, "w1"), 0);
    assert_eq!(started(&r1, "w2"), 0);
    assert_eq!(delay(&r1), 0);
    assert!(r1.state.revoked_in_previous);
    assert_eq!(r1.owners["w1"].len(), 5);

    // Round 2 (w1 rejoined because of the revocation): the revoked items move to w2.
    let r2 = g.round();
    assert_eq!(r2.assignments["w2"].assigned, revoked);
    assert_eq!(stopped(&r2, "w1") + stopped(&r2, "w2"), 0);
    assert!(!r2.state.revoked_in_previous);
    assert_eq!(g.loads()["w1"], (2, 3));
    assert_eq!(g.loads()["w2"], (1, 3));
    assert_eq!(g.settle(), 1);
}

#[test]
fn departed_work_waits_for_the_max_delay_then_is_spread() {
    let mut g = three_connectors();
    for w in ["w1", "w2", "w3"] {
        g.join(w);
    }
    g.settle();
    let lost = g.running["w3"].clone();
    assert_eq!(lost.len(), 3);

    g.leave("w3");
    let t0 = g.now_ms;
    let r1 = g.round();
    assert_eq!(delay(&r1), MAX_DELAY);
    assert!(
        r1.assignments
            .values()
            .all(|a| a.assigned.is_empty() && a.revoked.is_empty())
    );
    assert_eq!(r1.state.scheduled_rebalance_ms, t0 + i64::from(MAX_DELAY));
    // Still remembered, so later rounds keep seeing it as lost.
    assert!(lost.minus(&r1.state.previous_assignment).is_empty());

    // An unrelated rebalance in the middle: the remaining delay, still nothing moves.
    g.now_ms = t0 + 100_000;
    let r2 = g.round();
    assert_eq!(delay(&r2), MAX_DELAY - 100_000);
    assert!(r2.assignments.values().all(|a| a.assigned.is_empty()));

    // Deadline reached: the lost work is water-filled over the survivors.
    g.now_ms = t0 + i64::from(MAX_DELAY);
    let r3 = g.round();
    assert_eq!(delay(&r3), 0);
    let mut moved = ConnectorsAndTasks::default();
    for a in r3.assignments.values() {
        moved.extend(&a.assigned);
        assert!(a.revoked.is_empty());
    }
    assert_eq!(moved, lost);
    assert_eq!(r3.state.scheduled_rebalance_ms, 0);
    let loads = g.loads();
    assert_eq!(loads["w1"].0 + loads["w2"].0, 3);
    assert_eq!((loads["w1"].1, loads["w2"].1), (3, 3));
    assert_eq!(g.settle(), 1);
}

#[test]
fn a_worker_back_within_the_delay_gets_its_load_back() {
    let mut g = three_connectors();
    for w in ["w1", "w2", "w3"] {
        g.join(w);
    }
    g.settle();
    let before = g.running.clone();

    g.leave("w3");
    let t0 = g.now_ms;
    assert_eq!(delay(&g.round()), MAX_DELAY);

    // Restarted under a new member id, with nothing running: it becomes a candidate.
    g.now_ms = t0 + 60_000;
    g.join("w4");
    let r2 = g.round();
    assert_eq!(delay(&r2), MAX_DELAY - 60_000);
    assert_eq!(r2.state.candidates, ["w4"]);
    assert!(
        r2.assignments
            .values()
            .all(|a| a.assigned.is_empty() && a.revoked.is_empty())
    );

    g.now_ms = t0 + i64::from(MAX_DELAY);
    let r3 = g.round();
    assert_eq!(delay(&r3), 0);
    assert_eq!(r3.assignments["w4"].assigned, before["w3"]);
    for w in ["w1", "w2"] {
        assert!(r3.assignments[w].assigned.is_empty());
        assert!(r3.assignments[w].revoked.is_empty());
        assert_eq!(g.running[w], before[w]);
    }
    assert!(r3.state.candidates.is_empty());
    assert_eq!(g.settle(), 1);
}

#[test]
fn without_a_max_delay_lost_work_moves_at_once() {
    let mut g = Group::new(&[("a", 2), ("b", 2), ("c", 2)], 0);
    for w in ["w1", "w2", "w3"] {
        g.join(w);
    }
    g.settle();
    let lost = g.running["w3"].clone();
    g.leave("w3");
    let out = g.round();
    assert_eq!(delay(&out), 0);
    let mut moved = ConnectorsAndTasks::default();
    for a in out.assignments.values() {
        moved.extend(&a.assigned);
    }
    assert_eq!(moved, lost);
}

#[test]
fn a_new_leader_has_no_memory_and_treats_the_old_leaders_work_as_new() {
    let mut g = three_connectors();
    for w in ["w1", "w2", "w3"] {
        g.join(w);
    }
    g.settle();
    assert_eq!(g.leader.as_deref(), Some("w1"));
    let lost = g.running["w1"].clone();

    g.leave("w1");
    let out = g.round();
    assert_eq!(g.leader.as_deref(), Some("w2"));
    assert_eq!(
        delay(&out),
        0,
        "nothing is known to be lost, so nothing waits"
    );
    let mut moved = ConnectorsAndTasks::default();
    for a in out.assignments.values() {
        moved.extend(&a.assigned);
    }
    assert_eq!(moved, lost);
}

#[test]
fn deleted_connectors_and_their_tasks_are_revoked_from_their_holders() {
    let mut g = three_connectors();
    g.join("w1");
    g.join("w2");
    g.settle();
    let holder = if g.running["w1"].connectors.contains("b") {
        "w1"
    } else {
        "w2"
    };

    g.delete("b");
    let out = g.round();
    let revoked = &out.assignments[holder].revoked;
    assert!(revoked.connectors.contains("b"));
    let mut all_revoked = ConnectorsAndTasks::default();
    for a in out.assignments.values() {
        all_revoked.extend(&a.revoked);
        assert!(a.assigned.is_empty());
    }
    let b_items = ConnectorsAndTasks {
        connectors: ["b".to_string()].into(),
        tasks: [TaskId::new("b", 0), TaskId::new("b", 1)].into(),
    };
    // Deleted items go; load-balancing may add more only if the rest became uneven.
    assert!(b_items.minus(&all_revoked).is_empty());
    assert!(!out.state.previous_assignment.overlaps(&b_items));
    g.settle();
    for running in g.running.values() {
        assert!(!running.overlaps(&b_items));
    }
}

#[test]
fn duplicates_leave_every_holder_then_return_as_new() {
    let mut g = Group::new(&[("a", 1)], MAX_DELAY);
    g.join("w1");
    g.join("w2");
    let a0 = TaskId::new("a", 0);
    g.running
        .get_mut("w1")
        .unwrap()
        .connectors
        .insert("a".into());
    g.running.get_mut("w1").unwrap().tasks.insert(a0.clone());
    g.running.get_mut("w2").unwrap().tasks.insert(a0.clone());

    let r1 = g.round();
    assert!(r1.assignments["w1"].revoked.tasks.contains(&a0));
    assert!(r1.assignments["w2"].revoked.tasks.contains(&a0));
    assert!(!r1.assignments["w1"].revoked.connectors.contains("a"));
    assert!(g.running.values().all(|r| !r.tasks.contains(&a0)));

    let r2 = g.round();
    let holders: Vec<_> = r2
        .assignments
        .iter()
        .filter(|(_, a)| a.assigned.tasks.contains(&a0))
        .map(|(w, _)| w.clone())
        .collect();
    // Exactly one holder again; tasks are balanced by task count alone (both 0), so the
    // tie goes to the lower member id.
    assert_eq!(holders, ["w1"]);
}

#[test]
fn a_second_revoking_round_in_a_row_backs_off() {
    let six: Vec<(String, u32)> = (0..6).map(|i| (format!("c{i}"), 0)).collect();
    let six: Vec<(&str, u32)> = six.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let mut g = Group::new(&six, MAX_DELAY);
    g.join("w1");
    g.settle();

    g.join("w2");
    let r1 = g.round();
    assert_eq!(stopped(&r1, "w1"), 3);

    // Two more join before the second round: more surplus, but revoking again must wait.
    g.join("w3");
    g.join("w4");
    let r2 = g.round();
    assert_eq!(delay(&r2), 40);
    assert!(r2.assignments.values().all(|a| a.revoked.is_empty()));
    assert_eq!(r2.state.successive_revoking_rounds, 1);
    assert_eq!(g.loads()["w1"].0, 3);

    // After the backoff the surplus is revoked, and the round after places it.
    g.now_ms += 40;
    let r3 = g.round();
    assert_eq!(delay(&r3), 0);
    assert_eq!(stopped(&r3, "w1"), 1);
    g.settle();
    let counts: BTreeSet<usize> = g.loads().values().map(|l| l.0).collect();
    assert_eq!(counts, [1, 2].into());
}

#[test]
fn an_unapplied_revocation_is_noticed_and_replaced_by_what_members_report() {
    let mut g = three_connectors();
    g.join("w1");
    g.settle();
    let full = g.running["w1"].clone();
    g.join("w2");
    g.round();
    // w1 failed to stop what it was told to: it still reports everything.
    g.running.insert("w1".into(), full.clone());
    let out = g.round();
    // The reported set is trusted again, so nothing counts as created and nothing is
    // double-assigned; revoking twice in a row backs off first.
    assert!(out.assignments["w2"].assigned.is_empty());
    assert_eq!(out.state.previous_assignment, full);
    assert_eq!(delay(&out), 40);
    g.now_ms += 40;
    let again = g.round();
    assert_eq!(again.assignments["w1"].revoked.len(), 4, "revoked again");
    assert!(again.assignments["w2"].assigned.is_empty());
}

#[test]
fn a_leader_behind_the_group_returns_config_mismatch_and_keeps_its_state() {
    let snapshot = ConfigSnapshot {
        offset: 3,
        connectors: [("a".to_string(), 1)].into(),
    };
    let members = [
        Member {
            id: "w1".into(),
            url: "http://w1:8083/".into(),
            config_offset: 3,
            running: ConnectorsAndTasks::default(),
        },
        Member {
            id: "w2".into(),
            url: "http://w2:8083/".into(),
            config_offset: 5,
            running: ConnectorsAndTasks::default(),
        },
    ];
    let state = AssignorState {
        delay_ms: 7,
        ..AssignorState::default()
    };
    let round = RoundInput {
        leader: "w1",
        members: &members,
        snapshot: &snapshot,
        last_completed_generation: 4,
        generation: 5,
        now_ms: 0,
        max_delay_ms: MAX_DELAY,
    };
    let out = assign(state.clone(), &round).unwrap();
    assert_eq!(out.state, state);
    assert_eq!(out.assignments.len(), 2);
    for a in out.assignments.values() {
        assert_eq!(a.error, AssignmentError::ConfigMismatch);
        assert_eq!(a.config_offset, 5);
        assert_eq!(a.delay_ms, 0);
        assert_eq!(a.leader_url, "http://w1:8083/");
    }
}

#[test]
fn task_count_changes_create_and_delete_tasks() {
    let mut g = three_connectors();
    g.join("w1");
    g.join("w2");
    g.settle();

    // More tasks: only the new ones start, on the lighter workers; nothing stops.
    g.configure("a", 4);
    let out = g.round();
    let mut started_tasks = BTreeSet::new();
    for a in out.assignments.values() {
        assert!(a.revoked.is_empty());
        assert!(a.assigned.connectors.is_empty());
        started_tasks.extend(a.assigned.tasks.iter().cloned());
    }
    assert_eq!(
        started_tasks,
        [TaskId::new("a", 2), TaskId::new("a", 3)].into()
    );
    assert_eq!(g.loads()["w1"].1, 4);
    assert_eq!(g.loads()["w2"].1, 4);

    // Fewer tasks: the dropped ones are revoked from whoever runs them.
    g.configure("a", 1);
    let out = g.round();
    let mut stopped_tasks = BTreeSet::new();
    for a in out.assignments.values() {
        stopped_tasks.extend(a.revoked.tasks.iter().cloned());
    }
    let dropped: BTreeSet<_> = (1..4).map(|t| TaskId::new("a", t)).collect();
    assert!(dropped.is_subset(&stopped_tasks));
    g.settle();
    assert!(g.running.values().all(|r| r.tasks.is_disjoint(&dropped)));
}
