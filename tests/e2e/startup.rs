//! Starting distributed workers: five at once on fresh internal topics all become ready (they race
//! to create the topics, and read them before the partitions have leaders).

use std::time::{Duration, Instant};

use connect_tests::{require_kafka, unique_name, worker::Worker};

/// Workers started at once per round, all in one new group with new internal topics.
const WORKERS: usize = 5;
/// Rounds: the race is intermittent, so one round proves little.
const ROUNDS: usize = 10;
/// Kafka Connect's default partition counts: more partitions, more of them still without a
/// leader when a worker first reads them.
const PARTITIONS: &[(&str, &str)] = &[
    ("offset.storage.partitions", "25"),
    ("status.storage.partitions", "5"),
];
/// Longer than the worker's own 30 s retry deadline, so a worker that gives up is seen failing.
const READY_LIMIT: Duration = Duration::from_secs(45);

#[test]
fn five_workers_starting_at_once_on_fresh_topics_all_become_ready() {
    require_kafka();
    let began = Instant::now();
    let mut failures = Vec::new();
    let mut slowest = Duration::ZERO;
    for round in 0..ROUNDS {
        let group = unique_name("startup");
        // Launch every process before waiting for any, so they really start at once.
        let mut workers: Vec<Worker> = (0..WORKERS)
            .map(|_| Worker::spawn_in_group(&group, PARTITIONS))
            .collect();
        for (i, worker) in workers.iter_mut().enumerate() {
            match worker.try_wait_ready(READY_LIMIT) {
                Ok(took) => slowest = slowest.max(took),
                Err(e) => failures.push(format!("round {round}, worker {i}: {e}")),
            }
        }
        // Stopping one by one would take a second each: stop them all at once too.
        std::thread::scope(|s| {
            for worker in &mut workers {
                s.spawn(|| worker.stop());
            }
        });
    }
    assert!(
        failures.is_empty(),
        "{} of {} workers did not become ready ({ROUNDS} rounds of {WORKERS}):\n{}",
        failures.len(),
        ROUNDS * WORKERS,
        failures.join("\n")
    );
    eprintln!(
        "{ROUNDS} rounds of {WORKERS} workers in {:.1} s; slowest ready after {:.1} s",
        began.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
}
