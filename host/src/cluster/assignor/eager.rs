//! Java's `EagerAssignor` (`connect.protocol=eager`): plain round-robin over sorted names.
//!
//! Every rebalance stops everything, so each member gets its complete list. Connectors are
//! dealt first and tasks continue from the same position of the member cycle, which keeps
//! one-task connectors from piling their connector and task on alternating workers.

use std::collections::BTreeMap;

use super::error::AssignorError;
use super::leader_config::LeaderView;
use crate::cluster::assignment::{
    Assignment, AssignmentError, ConfigSnapshot, ConnectorsAndTasks, Member, TaskId,
};

/// Computes every member's eager assignment.
///
/// `leader` is the member id the broker chose as leader (its URL becomes the leader URL);
/// `snapshot` is the leader's config. If the snapshot is behind the highest member offset
/// every member gets `CONFIG_MISMATCH` with empty lists. Members' `running` sets are
/// ignored: eager assignments do not depend on history.
pub fn assign(
    leader: &str,
    members: &[Member],
    snapshot: &ConfigSnapshot,
) -> Result<BTreeMap<String, Assignment>, AssignorError> {
    let view = LeaderView::new(leader, members)?;
    if view.snapshot_behind(snapshot) {
        return Ok(view.mismatch(leader, members));
    }

    let mut loads: BTreeMap<&str, ConnectorsAndTasks> = members
        .iter()
        .map(|m| (m.id.as_str(), ConnectorsAndTasks::default()))
        .collect();
    // Ordered map keys are the sorted member ids; one cycle is shared by connectors and tasks.
    let ids: Vec<&str> = loads.keys().copied().collect();
    let mut cycle = ids.iter().cycle();
    for name in snapshot.connectors.keys() {
        let id = cycle.next().expect("members are non-empty");
        loads
            .get_mut(id)
            .expect("id from keys")
            .connectors
            .insert(name.clone());
    }
    for (name, count) in &snapshot.connectors {
        for task in 0..*count {
            let id = cycle.next().expect("members are non-empty");
            loads
                .get_mut(id)
                .expect("id from keys")
                .tasks
                .insert(TaskId::new(name.clone(), task));
        }
    }

    Ok(loads
        .into_iter()
        .map(|(id, assigned)| {
            let assignment = Assignment {
                error: AssignmentError::None,
                leader: leader.to_string(),
                leader_url: view.leader_url.clone(),
                config_offset: view.max_offset,
                assigned,
                revoked: ConnectorsAndTasks::default(),
                delay_ms: 0,
            };
            (id.to_string(), assignment)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, offset: i64) -> Member {
        Member {
            id: id.to_string(),
            url: format!("http://{id}:8083/"),
            config_offset: offset,
            running: ConnectorsAndTasks::default(),
        }
    }

    fn snapshot(offset: i64, connectors: &[(&str, u32)]) -> ConfigSnapshot {
        ConfigSnapshot {
            offset,
            connectors: connectors
                .iter()
                .map(|(n, c)| (n.to_string(), *c))
                .collect(),
        }
    }

    fn tasks(items: &[(&str, u32)]) -> Vec<TaskId> {
        items.iter().map(|(c, t)| TaskId::new(*c, *t)).collect()
    }

    #[test]
    fn connectors_then_tasks_continue_one_member_cycle() {
        // Members given out of order: the cycle follows sorted ids.
        let members = [member("w2", 5), member("w1", 5), member("w3", 5)];
        let snap = snapshot(5, &[("b", 2), ("a", 1)]);
        let out = assign("w2", &members, &snap).unwrap();

        let w1 = &out["w1"].assigned;
        let w2 = &out["w2"].assigned;
        let w3 = &out["w3"].assigned;
        // a→w1, b→w2, then tasks a-0→w3, b-0→w1, b-1→w2.
        assert_eq!(w1.connectors.iter().collect::<Vec<_>>(), ["a"]);
        assert_eq!(w2.connectors.iter().collect::<Vec<_>>(), ["b"]);
        assert!(w3.connectors.is_empty());
        assert_eq!(
            w3.tasks.iter().cloned().collect::<Vec<_>>(),
            tasks(&[("a", 0)])
        );
        assert_eq!(
            w1.tasks.iter().cloned().collect::<Vec<_>>(),
            tasks(&[("b", 0)])
        );
        assert_eq!(
            w2.tasks.iter().cloned().collect::<Vec<_>>(),
            tasks(&[("b", 1)])
        );
        for a in out.values() {
            assert_eq!(a.error, AssignmentError::None);
            assert_eq!(a.leader, "w2");
            assert_eq!(a.leader_url, "http://w2:8083/");
            assert_eq!(a.config_offset, 5);
            assert!(a.revoked.is_empty());
            assert_eq!(a.delay_ms, 0);
        }
    }

    #[test]
    fn every_member_gets_an_entry_even_with_nothing_to_run() {
        let members = [member("w1", 0), member("w2", 0)];
        let out = assign("w1", &members, &snapshot(0, &[])).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out.values().all(|a| a.assigned.is_empty()));
    }

    #[test]
    fn leader_behind_a_member_means_config_mismatch_for_all() {
        let members = [member("w1", 3), member("w2", 7)];
        let out = assign("w1", &members, &snapshot(3, &[("a", 2)])).unwrap();
        assert_eq!(out.len(), 2);
        for a in out.values() {
            assert_eq!(a.error, AssignmentError::ConfigMismatch);
            assert_eq!(a.error.code(), 1);
            assert_eq!(a.config_offset, 7);
            assert_eq!(a.leader, "w1");
            assert!(a.assigned.is_empty());
        }
    }

    #[test]
    fn stamped_with_the_max_member_offset() {
        // A member behind the leader still gets the leader's (max) offset and catches up.
        let members = [member("w1", 9), member("w2", 4)];
        let out = assign("w1", &members, &snapshot(9, &[("a", 1)])).unwrap();
        assert!(out.values().all(|a| a.config_offset == 9));
        assert_eq!(out["w1"].assigned.connectors.len(), 1);
        assert_eq!(out["w2"].assigned.tasks.len(), 1);
    }

    #[test]
    fn rejects_empty_groups_and_unknown_leaders() {
        let snap = snapshot(0, &[]);
        assert_eq!(assign("w1", &[], &snap), Err(AssignorError::NoMembers));
        assert_eq!(
            assign("x", &[member("w1", 0)], &snap),
            Err(AssignorError::LeaderNotMember("x".into()))
        );
    }
}
