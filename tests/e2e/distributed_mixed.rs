//! Distributed mode, two sides of one group: the mixed group of the issue — two of our workers
//! and the Java Kafka Connect 4.3.1 one in the same group and internal topics, FileStream
//! connectors on both sides under the same class names. Connectors and tasks spread over both
//! sides; each side takes a turn as leader; when the pair (ours) is killed, the lone worker
//! (Java) runs all their work and leads; when the lone worker is killed, its work runs on the
//! pair, one of which leads. Also on all-Java and all-Rust groups, where the sides are workers
//! {0, 2} and {1}.
//!
//! Who leads comes from REST ([`Group::leader`]) checked against every worker's log; the
//! classic group protocol keeps a leader as long as it stays, so the lone worker still leads
//! after the pair is back, and one of the pair after the lone worker is back.

use std::{collections::BTreeSet, time::Duration};

use connect_tests::{
    cluster::{Composition, Group, Kind},
    kafka, require_kafka, unique_name,
};
use serde_json::json;

connect_tests::for_each_composition!(sides_take_turns);

const SETTLE: Duration = Duration::from_secs(120);
const PAIR: [usize; 2] = [0, 2];
const LONE: usize = 1;

fn side(i: usize) -> &'static str {
    if i == LONE { "lone" } else { "pair" }
}

/// Four file sources (one task each) and two file sinks with `tasks.max` 2: 6 connectors and 8
/// tasks, 2 connectors and 2 or 3 tasks per worker of three.
fn workload(g: &mut Group) {
    let topic = unique_name("sides");
    kafka::create_topic(&require_kafka(), &topic, 4);
    let n = g.len();
    for k in 0..4 {
        let input = g.path(&format!("in-{k}.txt"));
        std::fs::write(&input, format!("{k}\n")).unwrap();
        let config = json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "topic": topic, "file": input,
        });
        g.create(k % n, &format!("src-{k}"), config, 1);
    }
    for k in 0..2 {
        let config = json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "2", "topics": topic, "file": g.path(&format!("out-{k}.txt")),
        });
        g.create((k + 1) % n, &format!("sink-{k}"), config, 2);
    }
}

fn sides_take_turns(c: Composition) {
    let mut g = Group::start(c, 3);
    if c == Composition::Mixed {
        assert_eq!(
            (g.kind(PAIR[0]), g.kind(PAIR[1]), g.kind(LONE)),
            (Kind::Rust, Kind::Rust, Kind::Java)
        );
    }
    workload(&mut g);
    let both_sides = |p: &connect_tests::cluster::Placement| {
        let lone = (p.connectors_on(LONE), p.tasks_on(LONE));
        let pair = PAIR.iter().fold((0, 0), |(c, t), &i| {
            (c + p.connectors_on(i), t + p.tasks_on(i))
        });
        if lone.0 > 0 && lone.1 > 0 && pair.0 > 0 && pair.1 > 0 {
            Ok(())
        } else {
            Err(format!("not on both sides: {}", p.summary()))
        }
    };
    g.wait_settled_where("three workers", SETTLE, both_sides);
    let mut led = BTreeSet::new();
    let first = g.wait_leader(SETTLE);
    eprintln!("w{first} ({}, {}) leads first", g.kind(first), side(first));
    led.insert(side(first));

    // The pair is killed (its leader first if it leads): the lone worker runs everything, leads.
    let mut order = PAIR.to_vec();
    order.sort_by_key(|&i| i != first);
    for &i in &order {
        g.kill9(i);
    }
    let p = g.wait_settled("only the lone worker left", SETTLE);
    assert_eq!(p.live, [LONE], "{}", p.summary());
    let leader = g.wait_leader(SETTLE);
    assert_eq!(leader, LONE, "the lone worker should lead");
    led.insert(side(leader));
    for &i in &PAIR {
        g.start_again(i);
    }
    g.wait_settled_where("the pair is back", SETTLE, both_sides);
    assert_eq!(
        g.wait_leader(SETTLE),
        LONE,
        "the leader stays while it is a member"
    );

    // The lone worker, leading, is killed: the pair runs everything, one of them leads.
    g.kill9(LONE);
    let p = g.wait_settled("only the pair left", SETTLE);
    assert_eq!(p.live, PAIR, "{}", p.summary());
    let leader = g.wait_leader(SETTLE);
    assert!(
        PAIR.contains(&leader),
        "one of the pair should lead, not w{leader}"
    );
    led.insert(side(leader));
    g.start_again(LONE);
    g.wait_settled_where("the lone worker is back", SETTLE, both_sides);
    assert!(
        PAIR.contains(&g.wait_leader(SETTLE)),
        "the leader stays while it is a member"
    );

    assert_eq!(led.len(), 2, "both sides led: {led:?}");
    g.assert_nothing_ran_twice();
}
