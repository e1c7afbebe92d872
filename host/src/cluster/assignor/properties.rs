//! Property-style checks over many generated group histories.
//!
//! Each scenario mixes joins, departures (the leader's included), config changes and clock
//! jumps, with a few rebalances in between that are not allowed to settle, then lets the
//! group settle. Afterwards every configured connector and task must run on exactly one
//! worker, nothing unconfigured may run, and per worker max − min ≤ 1, for connectors and
//! for tasks separately; one more round must change nothing.

use std::collections::BTreeMap;

use super::simulation::{Group, Stats};
use crate::cluster::assignment::TaskId;

/// xorshift64*: small, deterministic, good enough to vary scenarios.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn check_settled(g: &Group, context: &str) {
    let configured = g.snapshot.configured();
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    let mut task_owners: BTreeMap<TaskId, usize> = BTreeMap::new();
    for running in g.running.values() {
        for c in &running.connectors {
            *owners.entry(c.clone()).or_default() += 1;
        }
        for t in &running.tasks {
            *task_owners.entry(t.clone()).or_default() += 1;
        }
    }
    for c in &configured.connectors {
        assert_eq!(
            owners.get(c),
            Some(&1),
            "{context}: connector {c}: {:?}",
            g.running
        );
    }
    for t in &configured.tasks {
        assert_eq!(
            task_owners.get(t),
            Some(&1),
            "{context}: task {t:?}: {:?}",
            g.running
        );
    }
    assert_eq!(
        owners.len(),
        configured.connectors.len(),
        "{context}: stray connectors"
    );
    assert_eq!(
        task_owners.len(),
        configured.tasks.len(),
        "{context}: stray tasks"
    );

    let loads = g.loads();
    for (kind, pick) in [("connectors", 0), ("tasks", 1)] {
        let counts: Vec<usize> = loads
            .values()
            .map(|l| if pick == 0 { l.0 } else { l.1 })
            .collect();
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(max - min <= 1, "{context}: {kind} unbalanced: {loads:?}");
    }
}

fn scenario(seed: u64) -> Stats {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let max_delay = [0, 40, 30_000, 300_000][rng.below(4) as usize];
    let mut g = Group::new(&[], max_delay);
    let mut next_worker = 0;
    let mut next_connector = 0;
    for _ in 0..=rng.below(6) {
        g.configure(&format!("c{next_connector}"), rng.below(6) as u32);
        next_connector += 1;
    }
    for _ in 0..=rng.below(4) {
        g.join(&format!("w{next_worker:02}"));
        next_worker += 1;
    }
    g.settle();
    check_settled(&g, &format!("seed {seed} start"));

    for step in 0..rng.below(10) {
        match rng.below(7) {
            0 | 1 => {
                g.join(&format!("w{next_worker:02}"));
                next_worker += 1;
            }
            2 if g.running.len() > 1 => {
                let ids: Vec<String> = g.running.keys().cloned().collect();
                g.leave(&ids[rng.below(ids.len() as u64) as usize]);
            }
            3 => {
                g.configure(&format!("c{next_connector}"), rng.below(6) as u32);
                next_connector += 1;
            }
            4 if !g.snapshot.connectors.is_empty() => {
                let names: Vec<String> = g.snapshot.connectors.keys().cloned().collect();
                let name = names[rng.below(names.len() as u64) as usize].clone();
                if rng.below(2) == 0 {
                    g.delete(&name);
                } else {
                    g.configure(&name, rng.below(8) as u32);
                }
            }
            _ => g.now_ms += rng.below(2 * max_delay.max(1) as u64) as i64,
        }
        // A few unsettled rounds, so events land mid-rebalance and mid-delay.
        for _ in 0..rng.below(3) {
            g.round();
            g.now_ms += rng.below(1_000) as i64;
        }
        if rng.below(3) == 0 {
            g.settle();
            check_settled(&g, &format!("seed {seed} step {step}"));
        }
    }
    g.settle();
    let context = format!("seed {seed} end");
    check_settled(&g, &context);

    let before = g.running.clone();
    let out = g.round();
    for (w, a) in &out.assignments {
        assert!(
            a.assigned.is_empty() && a.revoked.is_empty(),
            "{context}: {w} moved: {a:?}"
        );
        assert_eq!(a.delay_ms, 0, "{context}");
    }
    assert_eq!(g.running, before, "{context}: not stable");
    g.stats
}

#[test]
fn settled_groups_run_everything_once_and_stay_balanced() {
    let mut total = Stats::default();
    let scenarios = 400;
    for seed in 0..scenarios {
        let s = scenario(seed);
        total.rounds += s.rounds;
        total.revoking += s.revoking;
        total.delayed += s.delayed;
        total.backoffs += s.backoffs;
        total.new_leaders += s.new_leaders;
    }
    // The generator must reach revocations, held-back work, the revoking backoff and
    // leader changes, or the invariants above would only be checked on easy cases.
    assert!(total.revoking > 100, "{total:?}");
    assert!(total.delayed > 100, "{total:?}");
    assert!(total.backoffs > 10, "{total:?}");
    assert!(total.new_leaders > scenarios as usize + 30, "{total:?}");
}
