//! Distributed mode, bounce (after Java's `connect_distributed_test.py::test_bounce`): file
//! sources → a topic → file sinks while the workers are restarted one by one, first cleanly
//! (SIGTERM, wait, start) and then hard (SIGKILL, start). Every source writes numbered lines;
//! every sink must end up with every line of every source (no gap in any sequence), and with no
//! line twice as long as the bounces were clean. A hard bounce may replay what was not
//! committed. On all-Java, all-Rust and mixed groups.
//!
//! Three sources and three sinks, `tasks.max` 1 each, so that each sink has its own file
//! (several sink tasks appending to one file can interleave partial lines) and each of the
//! three workers runs two connectors and two tasks. Every sink reads every partition of the
//! topic through its own consumer group.
//!
//! `DISTRIBUTED_BOUNCE_PASSES` (default 1): how many rounds of restarting every worker, for the
//! clean and again for the hard bounces. `DISTRIBUTED_BOUNCE_RATE` (default 50): lines per second
//! each source file gets.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use connect_tests::{
    cluster::{Composition, Group},
    kafka, require_kafka, unique_name,
};
use serde_json::json;

connect_tests::for_each_composition!(bounce);

const SOURCES: usize = 3;
const SINKS: usize = 3;
const SETTLE: Duration = Duration::from_secs(90);
const DELIVER: Duration = Duration::from_secs(90);

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn line(source: usize, n: u64) -> String {
    format!("src{source}-{n:08}")
}

/// Appends numbered lines to the source files, a few every 100 ms, in whole lines.
struct Feed {
    stop: Arc<AtomicBool>,
    written: Arc<Mutex<Vec<u64>>>,
    thread: Option<JoinHandle<()>>,
}

impl Feed {
    fn start(inputs: Vec<PathBuf>, per_second: u64) -> Feed {
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(Mutex::new(vec![0; inputs.len()]));
        let per_tick = per_second.div_ceil(10).max(1);
        let thread = {
            let (stop, written) = (stop.clone(), written.clone());
            std::thread::spawn(move || {
                let mut files: Vec<std::fs::File> = inputs
                    .iter()
                    .map(|p| {
                        std::fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(p)
                            .unwrap()
                    })
                    .collect();
                while !stop.load(Ordering::Relaxed) {
                    for (k, f) in files.iter_mut().enumerate() {
                        let from = written.lock().unwrap()[k];
                        let text: String = (from..from + per_tick)
                            .map(|n| format!("{}\n", line(k, n)))
                            .collect();
                        f.write_all(text.as_bytes()).unwrap();
                        written.lock().unwrap()[k] = from + per_tick;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        Feed {
            stop,
            written,
            thread: Some(thread),
        }
    }

    /// Lines written so far, per source.
    fn written(&self) -> Vec<u64> {
        self.written.lock().unwrap().clone()
    }

    /// Stops writing; the lines written, per source.
    fn finish(&mut self) -> Vec<u64> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.written()
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// What a sink file holds: per source, how often each sequence number appears, and lines that
/// are not one of ours (a torn or invented line).
struct Tally {
    seen: Vec<BTreeMap<u64, u32>>,
    junk: Vec<String>,
}

fn tally(path: &Path) -> Tally {
    let mut t = Tally {
        seen: vec![BTreeMap::new(); SOURCES],
        junk: Vec::new(),
    };
    for l in std::fs::read_to_string(path).unwrap_or_default().lines() {
        let parsed = l
            .strip_prefix("src")
            .and_then(|r| r.split_once('-'))
            .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<u64>().ok()?)))
            .filter(|(k, _)| *k < SOURCES);
        match parsed {
            Some((k, n)) => *t.seen[k].entry(n).or_default() += 1,
            None => t.junk.push(l.to_owned()),
        }
    }
    t
}

/// Whether `t` holds lines `0..want[k]` of every source `k` (more may follow), with no junk,
/// nothing beyond `limit[k]` (the lines written so far) and, unless `duplicates_ok`, no line twice.
fn check(t: &Tally, want: &[u64], limit: &[u64], duplicates_ok: bool) -> Result<u64, String> {
    if !t.junk.is_empty() {
        return Err(format!(
            "{} lines that no source wrote, e.g. {:?}",
            t.junk.len(),
            &t.junk[..t.junk.len().min(3)]
        ));
    }
    let mut duplicates = 0;
    for k in 0..SOURCES {
        let missing: Vec<u64> = (0..want[k])
            .filter(|n| !t.seen[k].contains_key(n))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "source {k}: {} of its first {} lines missing, the first {:?}",
                missing.len(),
                want[k],
                &missing[..missing.len().min(5)]
            ));
        }
        if let Some((n, _)) = t.seen[k].range(limit[k]..).next() {
            return Err(format!("source {k}: line {n} was never written"));
        }
        let twice: Vec<u64> = t.seen[k]
            .iter()
            .filter(|(_, c)| **c > 1)
            .map(|(n, _)| *n)
            .collect();
        if !duplicates_ok && !twice.is_empty() {
            return Err(format!(
                "source {k}: {} lines more than once after clean bounces, e.g. {:?}",
                twice.len(),
                &twice[..twice.len().min(5)]
            ));
        }
        duplicates += twice.len() as u64;
    }
    Ok(duplicates)
}

/// Waits until every sink file holds the first `want[k]` lines of every source; returns how
/// many lines are there more than once. A line twice fails at once unless `duplicates_ok`.
fn wait_delivered(
    sinks: &[PathBuf],
    feed: &Feed,
    want: &[u64],
    duplicates_ok: bool,
    what: &str,
) -> u64 {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < DELIVER {
        let tallies: Vec<Tally> = sinks.iter().map(|p| tally(p)).collect();
        // After reading the sinks: every line they hold was written by then.
        let limit = feed.written();
        let mut duplicates = 0;
        let mut pending = None;
        for (s, (path, t)) in sinks.iter().zip(&tallies).enumerate() {
            match check(t, want, &limit, duplicates_ok) {
                Ok(d) => duplicates += d,
                Err(e) if e.contains("missing") => {
                    pending = Some(format!("sink {s}: {e}"));
                }
                Err(e) => panic!("{what}: sink {s} ({}): {e}", path.display()),
            }
        }
        match pending {
            None => {
                eprintln!(
                    "{what}: {want:?} lines in every sink after {:.1} s, {duplicates} duplicated",
                    started.elapsed().as_secs_f64()
                );
                return duplicates;
            }
            Some(p) => last = p,
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("{what}: not every line reached the sinks within {DELIVER:?}: {last}");
}

fn bounce(c: Composition) {
    let passes = env_num("DISTRIBUTED_BOUNCE_PASSES", 1) as usize;
    let rate = env_num("DISTRIBUTED_BOUNCE_RATE", 50);
    let mut g = Group::start(c, 3);
    let bootstrap = require_kafka();
    let topic = unique_name("bounce");
    kafka::create_topic(&bootstrap, &topic, 3);
    let n = g.len();
    let inputs: Vec<PathBuf> = (0..SOURCES)
        .map(|k| g.path(&format!("in-{k}.txt")))
        .collect();
    for p in &inputs {
        std::fs::write(p, "").unwrap();
    }
    let sinks: Vec<PathBuf> = (0..SINKS)
        .map(|k| g.path(&format!("out-{k}.txt")))
        .collect();
    for (k, input) in inputs.iter().enumerate() {
        let config = json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "tasks.max": "1", "topic": topic, "file": input,
        });
        g.create(k % n, &format!("src-{k}"), config, 1);
    }
    for (k, output) in sinks.iter().enumerate() {
        let config = json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "1", "topics": topic, "file": output,
        });
        g.create((k + 1) % n, &format!("sink-{k}"), config, 1);
    }
    let mut feed = Feed::start(inputs, rate);
    g.wait_settled("the pipeline", SETTLE);
    wait_delivered(&sinks, &feed, &feed.written(), false, "before the bounces");

    for hard in [false, true] {
        let how = if hard { "SIGKILL" } else { "SIGTERM" };
        for pass in 0..passes {
            for j in 0..n {
                let i = (pass + j) % n;
                let t = Instant::now();
                if hard {
                    g.kill9(i);
                } else {
                    g.stop(i);
                }
                g.start_again(i);
                let what = format!("pass {} of {how}: w{i} restarted", pass + 1);
                g.wait_settled(&what, SETTLE);
                wait_delivered(&sinks, &feed, &feed.written(), hard, &what);
                eprintln!("{what}: {:.1} s in all", t.elapsed().as_secs_f64());
            }
        }
        if !hard {
            eprintln!("clean bounces: no gap, no duplicate");
        }
    }

    let written = feed.finish();
    let duplicates = wait_delivered(&sinks, &feed, &written, true, "after the bounces");
    eprintln!(
        "bounce: {written:?} lines per source in every sink, {duplicates} lines replayed by the \
         hard bounces (in all sinks)"
    );
    g.assert_nothing_ran_twice();
}
