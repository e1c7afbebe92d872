//! Load-balancing revocations (Java's `performLoadBalancingRevocations`) and the backoff
//! that stops two revoking rebalances from following each other too quickly.
//!
//! Revoking anticipates the target: with T items and N workers every worker should end with
//! `T/N` or `T/N + 1`, exactly `T%N` of them with the extra one. Surplus above that is revoked
//! now and placed by the next round's water-fill (the second round of a join).

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::assignment::ConnectorsAndTasks;
#[cfg(test)]
use crate::cluster::assignment::TaskId;

/// What to revoke from which worker so that nobody holds more than its balanced share;
/// empty when the loads (counting `configured`, so still-unplaced items are anticipated)
/// are already balanced. Connectors and tasks are balanced independently.
pub(super) fn balancing_revocations(
    configured: &ConnectorsAndTasks,
    next: &BTreeMap<String, ConnectorsAndTasks>,
) -> BTreeMap<String, ConnectorsAndTasks> {
    let mut out: BTreeMap<String, ConnectorsAndTasks> = BTreeMap::new();
    // Nothing anyone could give up, or nothing to balance.
    if next.values().all(ConnectorsAndTasks::is_empty) || configured.is_empty() {
        return out;
    }
    let connectors: Vec<(&str, &BTreeSet<String>)> = next
        .iter()
        .map(|(w, l)| (w.as_str(), &l.connectors))
        .collect();
    for (worker, revoked) in surplus(configured.connectors.len(), &connectors) {
        out.entry(worker).or_default().connectors = revoked;
    }
    let tasks: Vec<(&str, &BTreeSet<_>)> =
        next.iter().map(|(w, l)| (w.as_str(), &l.tasks)).collect();
    for (worker, revoked) in surplus(configured.tasks.len(), &tasks) {
        out.entry(worker).or_default().tasks = revoked;
    }
    out
}

/// Per worker, the items above its cap for one kind of item (connectors or tasks).
fn surplus<T: Ord + Clone>(
    total: usize,
    workers: &[(&str, &BTreeSet<T>)],
) -> Vec<(String, BTreeSet<T>)> {
    let n = workers.len();
    let min = total / n;
    let extra = total % n;
    let at_min = workers.iter().filter(|(_, s)| s.len() == min).count();
    let at_extra = workers.iter().filter(|(_, s)| s.len() == min + 1).count();
    if at_extra == extra && at_min + at_extra == n {
        return Vec::new();
    }

    let mut out = Vec::new();
    let mut extras_given = 0;
    for (worker, set) in workers {
        let len = set.len();
        if len <= min {
            continue;
        }
        // The first workers above the floor may keep one extra, while extras remain.
        let cap = if extras_given < extra {
            extras_given += 1;
            if len == min + 1 {
                continue;
            }
            min + 1
        } else {
            min
        };
        let revoked: BTreeSet<T> = set.iter().take(len - cap).cloned().collect();
        out.push((worker.to_string(), revoked));
    }
    out
}

/// Delay before the next revoking rebalance after `attempt` revoking rounds in a row
/// (Java's `ExponentialBackoff(1, 40, max, 0)`: 40 ms, 1.6 s, 64 s, then the max; always 0
/// when the max is 0).
pub(super) fn revoking_backoff(attempt: u32, max_delay_ms: i32) -> i32 {
    let max = i64::from(max_delay_ms.max(0));
    let initial: i64 = if max == 0 { 0 } else { 1 };
    // Same floating-point formula as Java, so the capped step lands on the same millisecond.
    let exp_max = if max > initial {
        (max as f64 / initial.max(1) as f64).ln() / 40f64.ln()
    } else {
        0.0
    };
    if exp_max == 0.0 {
        return initial as i32;
    }
    let exp = f64::from(attempt).min(exp_max);
    let value = (initial as f64 * 40f64.powf(exp)) as i64;
    value.min(max) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(connectors: &[&str], tasks: &[(&str, u32)]) -> ConnectorsAndTasks {
        ConnectorsAndTasks {
            connectors: connectors.iter().map(|c| c.to_string()).collect(),
            tasks: tasks.iter().map(|(c, t)| TaskId::new(*c, *t)).collect(),
        }
    }

    #[test]
    fn a_new_empty_worker_makes_the_full_one_give_up_its_surplus() {
        let configured = load(&["a", "b", "c"], &[("a", 0), ("a", 1), ("b", 0), ("c", 0)]);
        let next = BTreeMap::from([
            ("w1".to_string(), configured.clone()),
            ("w2".to_string(), ConnectorsAndTasks::default()),
        ]);
        let out = balancing_revocations(&configured, &next);
        // 3 connectors over 2: w1 keeps 2 (it gets the one extra); 4 tasks: keeps 2.
        assert_eq!(out.len(), 1);
        assert_eq!(out["w1"].connectors.len(), 1);
        assert_eq!(out["w1"].tasks.len(), 2);
    }

    #[test]
    fn balanced_loads_revoke_nothing() {
        let configured = load(&["a", "b", "c"], &[]);
        let next = BTreeMap::from([
            ("w1".to_string(), load(&["a", "b"], &[])),
            ("w2".to_string(), load(&["c"], &[])),
        ]);
        assert!(balancing_revocations(&configured, &next).is_empty());
    }

    #[test]
    fn unplaced_items_count_toward_the_target() {
        // 4 configured connectors, 2 placed on w1, 2 still unplaced: w1 is at its share.
        let configured = load(&["a", "b", "c", "d"], &[]);
        let next = BTreeMap::from([
            ("w1".to_string(), load(&["a", "b"], &[])),
            ("w2".to_string(), ConnectorsAndTasks::default()),
        ]);
        assert!(balancing_revocations(&configured, &next).is_empty());
    }

    #[test]
    fn backoff_steps_by_forty_and_caps() {
        assert_eq!(revoking_backoff(1, 300_000), 40);
        assert_eq!(revoking_backoff(2, 300_000), 1_600);
        assert_eq!(revoking_backoff(3, 300_000), 64_000);
        let capped = revoking_backoff(4, 300_000);
        assert!((299_999..=300_000).contains(&capped), "{capped}");
        assert_eq!(revoking_backoff(9, 300_000), capped);
        assert_eq!(revoking_backoff(1, 0), 0);
        assert_eq!(revoking_backoff(5, 0), 0);
        // A small max is reached in the first step (Java's float formula may land 1 ms short).
        assert!((19..=20).contains(&revoking_backoff(1, 20)));
    }
}
