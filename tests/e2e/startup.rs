//! Starting distributed workers: five at once on fresh internal topics all become ready (they race
//! to create the topics, and read them before the partitions have leaders), and a REST port that
//! is already taken fails the start before anything else happens.

use std::{
    net::TcpListener,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use connect_tests::{
    artifacts::connect_binary,
    require_kafka, unique_name,
    worker::{Worker, distributed_props, write_properties},
};

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

#[test]
fn a_taken_rest_port_fails_the_start_naming_the_address_and_the_setting() {
    let bootstrap = require_kafka();
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let config = dir.path().join("worker.properties");
    write_properties(
        &config,
        &distributed_props(&bootstrap, &unique_name("bind"), port, &plugins),
    );
    let log_path = dir.path().join("worker.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(connect_binary())
        .arg("distributed")
        .arg(&config)
        .env("CONNECT_LOG", "info")
        .env_remove("CONNECT_BOOTSTRAP_SERVERS")
        .env_remove("CONNECT_LISTENERS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() >= deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    drop(held);
    let stderr = std::fs::read_to_string(&log_path).unwrap();
    let status = status.unwrap_or_else(|| {
        panic!("the worker still ran 30 s after failing to bind its REST port:\n{stderr}")
    });

    assert_eq!(status.code(), Some(1), "{stderr}");
    let address = format!("127.0.0.1:{port}");
    let fatal = stderr
        .lines()
        .find(|l| l.starts_with("connect: "))
        .unwrap_or_else(|| panic!("no `connect: ` error line:\n{stderr}"));
    assert!(fatal.contains(&address), "{fatal}");
    assert!(fatal.contains("'listeners'"), "{fatal}");
    assert!(fatal.contains("CONNECT_LISTENERS"), "{fatal}");
    // Bound before anything else: no internal topic opened, no connector, never "started".
    for later in [
        "worker started",
        "created internal topic",
        "restoring connector",
    ] {
        assert!(!stderr.contains(later), "logged {later:?}:\n{stderr}");
    }
}
