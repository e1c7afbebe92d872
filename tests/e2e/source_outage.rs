//! The source path when the broker goes away: a file source streams into a private broker
//! (`connect_tests::broker`), the broker is killed mid-stream while lines keep arriving, the host
//! is stopped (SIGTERM, or `kill -9`) during the outage, then the broker and the host come back.
//! Every line must reach the topic at least once (duplicates are allowed: at-least-once), and the
//! source offsets the host wrote must never claim a line the topic does not hold.

use std::{
    collections::{HashMap, HashSet},
    io::Write,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use connect_tests::{broker::PrivateBroker, kafka, unique_name, worker::Worker};

/// The connector's name in every test here.
const CONNECTOR: &str = "outage-source";

/// The values of `topic` as text, in offset order.
fn topic_lines(bootstrap: &str, topic: &str) -> Vec<String> {
    kafka::read_records(bootstrap, topic)
        .into_iter()
        .map(|(_, v)| String::from_utf8(v.unwrap_or_default()).unwrap())
        .collect()
}

/// How many times each of `line-0..line-(n-1)` is in `got`; panics naming the first few missing.
fn counts(got: &[String], n: usize, what: &str) -> Vec<usize> {
    let index: HashMap<&str, usize> = got.iter().fold(HashMap::new(), |mut m, l| {
        *m.entry(l.as_str()).or_default() += 1;
        m
    });
    let c: Vec<usize> = (0..n)
        .map(|i| {
            index
                .get(format!("line-{i}").as_str())
                .copied()
                .unwrap_or(0)
        })
        .collect();
    let missing: Vec<usize> = (0..n).filter(|&i| c[i] == 0).collect();
    assert!(
        missing.is_empty(),
        "{what}: {} of line-0..line-{} are missing from the topic (first: {:?})",
        missing.len(),
        n - 1,
        &missing[..missing.len().min(10)]
    );
    c
}

/// Appends `line-<i>` lines to a file in small chunks on a thread, as a log file grows, until
/// told to stop; `join` returns how many lines it wrote in all.
struct Writer {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<usize>,
}

impl Writer {
    fn start(path: PathBuf, first: usize) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap();
            let mut next = first;
            while !flag.load(Ordering::SeqCst) {
                // Whole lines per write: the source never sees half a line it might emit early.
                let chunk: String = (next..next + 200).map(|i| format!("line-{i}\n")).collect();
                f.write_all(chunk.as_bytes()).unwrap();
                next += 200;
                std::thread::sleep(Duration::from_millis(20));
            }
            next
        });
        Writer { stop, thread }
    }

    fn join(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

/// The last source offset the host wrote for `file` to the offset topic (`{"position": n}`
/// bytes), if any, read from the broker itself rather than through the host.
fn stored_position(bootstrap: &str, offsets_topic: &str, file: &Path) -> Option<u64> {
    let want = serde_json::json!([CONNECTOR, { "filename": file.display().to_string() }]);
    let mut last = None;
    for (key, value) in kafka::read_records(bootstrap, offsets_topic) {
        let Some(key) = key.and_then(|k| serde_json::from_slice::<serde_json::Value>(&k).ok())
        else {
            continue;
        };
        if key == want {
            last = value
                .and_then(|v| serde_json::from_slice::<serde_json::Value>(&v).ok())
                .and_then(|v| v["position"].as_u64());
        }
    }
    last
}

/// Checks that the stored offset claims no more than the topic holds: every line in the first
/// `position` bytes of the input is in the topic. Returns how many lines the offset covers.
fn check_offset_claims(bootstrap: &str, offsets_topic: &str, topic: &str, input: &Path) -> usize {
    let Some(position) = stored_position(bootstrap, offsets_topic, input) else {
        return 0;
    };
    let text = std::fs::read(input).unwrap();
    let position = position as usize;
    assert!(
        position <= text.len(),
        "the stored offset {position} is past the end of the input ({} bytes)",
        text.len()
    );
    assert!(
        position == 0 || text[position - 1] == b'\n',
        "the stored offset {position} is not at a line boundary"
    );
    let covered = text[..position].iter().filter(|&&b| b == b'\n').count();
    counts(
        &topic_lines(bootstrap, topic),
        covered,
        &format!("the stored source offset (byte {position}, {covered} lines)"),
    );
    covered
}

/// How the host is stopped during the outage.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    Sigterm,
    Kill9,
    /// Not stopped: it rides out an outage longer than the 30 s an offset write may wait,
    /// and catches up when the broker is back.
    Never,
}

/// Private broker, worker on it, file source mid-stream; broker killed with lines still coming;
/// the host stopped during the outage; broker back, host back; every line at least once.
fn outage(stop: Stop) {
    let t_test = Instant::now();
    let mut broker = PrivateBroker::start();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("outage");
    let offsets_topic = unique_name("outage-offsets");
    kafka::create_topic(&bootstrap, &topic, 1);
    let mut w = Worker::distributed(&[
        ("bootstrap.servers", &bootstrap),
        ("offset.storage.topic", &offsets_topic),
    ]);
    let input = w.path("in.txt");
    std::fs::write(&input, "").unwrap();
    let body = serde_json::json!({
        "name": CONNECTOR,
        "config": {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "file": input.display().to_string(),
            "topic": topic,
            "batch.size": "100",
        }
    })
    .to_string();
    let (code, resp) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "create {CONNECTOR}: {resp}\n{}", w.log_tail());

    let writer = Writer::start(input.clone(), 0);
    // Mid-stream, and after at least one offset flush, so the restart resumes from an offset
    // (not from the start of the file) and the offset check below has something to check.
    w.wait_until(
        "5,000 lines in the topic and a stored source offset",
        Duration::from_secs(60),
        |_| {
            topic_lines(&bootstrap, &topic).len() >= 5_000
                && stored_position(&bootstrap, &offsets_topic, &input).is_some()
        },
    );
    let before = topic_lines(&bootstrap, &topic).len();
    broker.kill();
    eprintln!("{stop:?}: broker killed with {before}+ lines in the topic; lines keep coming");
    // The task keeps polling the growing file and producing into the client's queue; the broker
    // acknowledges nothing of it.
    std::thread::sleep(Duration::from_secs(3));
    let total = writer.join();
    std::thread::sleep(Duration::from_secs(2));

    let log_lines = |w: &Worker| {
        // What the host said in the outage (warnings and errors), for the record.
        let log = std::fs::read_to_string(w.path("worker-1.log")).unwrap_or_default();
        log.lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .map(str::to_owned)
            .collect::<Vec<String>>()
    };
    match stop {
        Stop::Sigterm | Stop::Kill9 => {
            let t_stop = Instant::now();
            if stop == Stop::Sigterm {
                w.stop();
            } else {
                w.kill9();
            }
            let exit = t_stop.elapsed();
            for line in log_lines(&w) {
                eprintln!("{stop:?}: host log: {line}");
            }
            eprintln!(
                "{stop:?}: the host exited {:.1} s after the signal (broker down, {total} lines written)",
                exit.as_secs_f64()
            );
            assert!(
                exit < Duration::from_secs(30),
                "the host took {exit:?} to exit after {stop:?} during the outage"
            );
        }
        Stop::Never => {
            // Longer than an offset write may wait for the broker (30 s): the write fails and the
            // task must carry on, not fail.
            std::thread::sleep(Duration::from_secs(35));
            let log = log_lines(&w);
            for line in &log {
                eprintln!("{stop:?}: host log: {line}");
            }
            assert_eq!(
                w.states(CONNECTOR),
                ("RUNNING".into(), vec!["RUNNING".into()]),
                "the source task did not ride out a 40 s broker outage"
            );
            assert!(
                !log.iter().any(|l| l.contains("Task threw")),
                "the source task failed during the outage (it was restarted by the host)"
            );
        }
    }

    let restart = broker.restart();
    eprintln!("{stop:?}: broker back in {:.1} s", restart.as_secs_f64());
    // What the host claimed (the stored offset, read first) against what arrived.
    let covered = check_offset_claims(&bootstrap, &offsets_topic, &topic, &input);
    let arrived = topic_lines(&bootstrap, &topic).len();
    eprintln!(
        "{stop:?}: after the outage the topic holds {arrived} records; the stored offset covers {covered} of {total} lines"
    );

    // The same host rides the outage out; a stopped one comes back.
    let t_back = Instant::now();
    if stop != Stop::Never {
        w.start();
    }
    let started = t_back.elapsed();
    w.wait_until(
        &format!("all {total} lines in the topic"),
        Duration::from_secs(90),
        |_| {
            let got = topic_lines(&bootstrap, &topic);
            got.len() >= total && {
                let set: HashSet<&String> = got.iter().collect();
                (0..total).all(|i| set.contains(&format!("line-{i}")))
            }
        },
    );
    let caught_up = t_back.elapsed();
    let got = topic_lines(&bootstrap, &topic);
    let c = counts(&got, total, &format!("after {stop:?} and the restart"));
    let strays = got.len() - c.iter().sum::<usize>();
    assert_eq!(
        strays, 0,
        "the topic holds records that are not input lines"
    );
    let duplicates = got.len() - total;
    eprintln!(
        "{stop:?}: host ready in {:.1} s, every line in the topic {:.1} s after the host (re)start; {total} lines, {} records, {duplicates} duplicates ({} lines more than once); whole test {:.1} s",
        started.as_secs_f64(),
        caught_up.as_secs_f64(),
        got.len(),
        c.iter().filter(|&&n| n > 1).count(),
        t_test.elapsed().as_secs_f64()
    );

    // The host's own view: the offset reaches the end of the input, and it still claims nothing
    // the topic lacks.
    let len = std::fs::metadata(&input).unwrap().len();
    w.wait_until(
        "the source offset at the end of the input",
        Duration::from_secs(30),
        |w| {
            w.get(&format!("/connectors/{CONNECTOR}/offsets")).1["offsets"][0]["offset"]["position"]
                .as_u64()
                == Some(len)
        },
    );
    check_offset_claims(&bootstrap, &offsets_topic, &topic, &input);
}

#[test]
fn sigterm_during_a_broker_outage_loses_no_source_record() {
    outage(Stop::Sigterm);
}

#[test]
fn kill_9_during_a_broker_outage_loses_no_source_record() {
    outage(Stop::Kill9);
}

#[test]
fn a_long_broker_outage_loses_no_source_record_and_the_task_carries_on() {
    outage(Stop::Never);
}
