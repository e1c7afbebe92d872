//! File source → Kafka → file sink through our worker on the real broker: byte-identical output,
//! and no record lost or duplicated across a graceful restart; none lost across `kill -9`
//! (replays only from the last commit); connectors come back in the state they had.

use std::{path::Path, time::Duration};

use connect_tests::{unique_name, worker::Worker};

fn create(w: &Worker, name: &str, config: serde_json::Value) {
    let body = serde_json::json!({ "name": name, "config": config }).to_string();
    let (code, resp) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "create {name}: {resp}\n{}", w.log_tail());
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn pipeline(w: &Worker, topic: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let input = w.path("in.txt");
    let output = w.path("out.txt");
    create(
        w,
        "source",
        serde_json::json!({
            "connector.class": "FileStreamSource", "topic": topic, "file": input.display().to_string(), "batch.size": "500"
        }),
    );
    create(
        w,
        "sink",
        serde_json::json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "topics": topic, "file": output.display().to_string()
        }),
    );
    (input, output)
}

fn wait_for_lines(w: &Worker, output: &Path, n: usize) {
    w.wait_until(
        &format!("{n} lines in the sink file"),
        Duration::from_secs(120),
        |_| lines(output).len() >= n,
    );
}

#[test]
fn file_round_trip_is_byte_identical() {
    let w = Worker::distributed(&[]);
    let topic = unique_name("lines");
    let input = w.path("in.txt");
    // Text with unicode, blanks and long lines: every byte must come back.
    let mut text = String::new();
    for i in 0..20_000 {
        match i % 5 {
            0 => text.push_str(&format!("line {i} — ünïcødé ✓\n")),
            1 => text.push('\n'),
            2 => text.push_str(&format!("{}\n", "x".repeat(i % 700))),
            _ => text.push_str(&format!("{{\"id\":{i},\"name\":\"product {i}\"}}\n")),
        }
    }
    std::fs::write(&input, &text).unwrap();
    let (_, output) = pipeline(&w, &topic);
    wait_for_lines(&w, &output, 20_000);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        std::fs::read(&output).unwrap(),
        text.as_bytes(),
        "the sink file differs from the source file"
    );
    assert_eq!(
        w.states("source"),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );
    assert_eq!(w.states("sink"), ("RUNNING".into(), vec!["RUNNING".into()]));
}

#[test]
fn graceful_restart_mid_stream_loses_and_duplicates_nothing() {
    let mut w = Worker::distributed(&[]);
    let topic = unique_name("restart");
    let input = w.path("in.txt");
    std::fs::write(
        &input,
        (0..5_000).map(|i| format!("{i}\n")).collect::<String>(),
    )
    .unwrap();
    let (_, output) = pipeline(&w, &topic);
    wait_for_lines(&w, &output, 5_000);
    // More data arrives; restart while it flows.
    let more: String = (5_000..150_000).map(|i| format!("{i}\n")).collect();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .and_then(|mut f| std::io::Write::write_all(&mut f, more.as_bytes()))
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    w.restart();
    // Connectors and tasks come back from the config topic.
    assert_eq!(
        serde_json::to_string(&w.get("/connectors").1.as_array().unwrap().len()).unwrap(),
        "2"
    );
    wait_for_lines(&w, &output, 150_000);
    std::thread::sleep(Duration::from_millis(1500));
    let got = lines(&output);
    let want: Vec<String> = (0..150_000).map(|i| i.to_string()).collect();
    assert_eq!(
        got.len(),
        want.len(),
        "lost or duplicated records across a graceful restart"
    );
    assert!(got == want, "records out of order or changed");
}

#[test]
fn kill_9_mid_stream_loses_nothing_and_replays_only_after_the_last_commit() {
    let mut w = Worker::distributed(&[]);
    let topic = unique_name("kill");
    let input = w.path("in.txt");
    let total = 100_000;
    std::fs::write(
        &input,
        (0..total).map(|i| format!("{i}\n")).collect::<String>(),
    )
    .unwrap();
    let (_, output) = pipeline(&w, &topic);
    w.wait_until("some lines in the sink", Duration::from_secs(60), |_| {
        lines(&output).len() > 1_000
    });
    w.kill9();
    w.start();
    w.wait_until("every line in the sink", Duration::from_secs(120), |_| {
        let got = lines(&output);
        let mut seen = std::collections::HashSet::new();
        got.iter().for_each(|l| {
            seen.insert(l.clone());
        });
        seen.len() >= total
    });
    let got = lines(&output);
    // Every record is there; a replay repeats a contiguous run that was already written.
    let mut dedup: Vec<&String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for l in &got {
        if seen.insert(l) {
            dedup.push(l);
        }
    }
    let want: Vec<String> = (0..total).map(|i| i.to_string()).collect();
    assert_eq!(dedup.len(), want.len());
    assert!(
        dedup.iter().zip(&want).all(|(a, b)| *a == b),
        "first occurrences are not in source order"
    );
}

#[test]
fn restart_restores_target_states_and_offsets() {
    let mut w = Worker::distributed(&[]);
    let topic = unique_name("states");
    let input = w.path("in.txt");
    std::fs::write(&input, "a\nb\nc\n").unwrap();
    let (_, output) = pipeline(&w, &topic);
    wait_for_lines(&w, &output, 3);
    assert_eq!(w.call("PUT", "/connectors/sink/pause", None).0, 202);
    assert_eq!(w.call("PUT", "/connectors/source/stop", None).0, 204);
    w.wait_until("sink paused", Duration::from_secs(20), |w| {
        w.states("sink") == ("PAUSED".into(), vec!["PAUSED".into()])
    });
    w.restart();
    w.wait_until("states restored", Duration::from_secs(30), |w| {
        w.states("sink") == ("PAUSED".into(), vec!["PAUSED".into()])
            && w.states("source") == ("STOPPED".into(), vec![])
    });
    // The stopped source kept its offset: resuming it reads only what was appended.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"d\n"))
        .unwrap();
    assert_eq!(w.call("PUT", "/connectors/source/resume", None).0, 202);
    assert_eq!(w.call("PUT", "/connectors/sink/resume", None).0, 202);
    wait_for_lines(&w, &output, 4);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(lines(&output), vec!["a", "b", "c", "d"]);
}

#[test]
fn standalone_mode_runs_connector_files_and_keeps_offsets_in_a_file() {
    let topic = unique_name("standalone");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "one\ntwo\n").unwrap();
    let source = format!(
        "name=sa-source\nconnector.class=FileStreamSource\ntopic={topic}\nfile={}\n",
        input.display()
    );
    let sink = serde_json::json!({"name": "sa-sink", "config": {"connector.class": "FileStreamSink", "topics": topic, "file": output.display().to_string()}}).to_string();
    let output_yaml = dir.path().join("out-yaml.txt");
    let sink_yaml = format!(
        "name: sa-sink-yaml\nconnector.class: FileStreamSink\ntopics: {topic}\nfile: {}\n",
        output_yaml.display()
    );
    let mut w = Worker::standalone(
        &[],
        &[
            ("source.properties", &source),
            ("sink.json", &sink),
            ("sink.yaml", &sink_yaml),
        ],
    );
    wait_for_lines(&w, &output, 2);
    wait_for_lines(&w, &output_yaml, 2);
    w.restart();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"three\n"))
        .unwrap();
    wait_for_lines(&w, &output, 3);
    wait_for_lines(&w, &output_yaml, 3);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        lines(&output),
        vec!["one", "two", "three"],
        "standalone offsets survive a restart"
    );
    assert!(
        w.path("offsets.json").exists(),
        "offset.storage.file.filename holds the source offsets"
    );
    assert_eq!(
        lines(&output_yaml),
        vec!["one", "two", "three"],
        "the YAML connector file too"
    );
}

#[test]
fn a_sink_subscribed_by_topics_regex_reads_every_matching_topic() {
    use rdkafka::{
        ClientConfig,
        producer::{BaseProducer, BaseRecord, Producer},
    };
    let w = Worker::distributed(&[]);
    let prefix = unique_name("rx");
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", connect_tests::require_kafka())
        .create()
        .unwrap();
    for (topic, value) in [
        (format!("{prefix}-a"), "from a"),
        (format!("{prefix}-b"), "from b"),
        (format!("{prefix}x-c"), "not matched"),
    ] {
        producer
            .send(BaseRecord::<(), str>::to(&topic).payload(value))
            .unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    let output = w.path("rx.txt");
    create(
        &w,
        "rx",
        serde_json::json!({
            "connector.class": "FileStreamSink", "topics.regex": format!("{prefix}-.*"), "file": output.display().to_string()
        }),
    );
    wait_for_lines(&w, &output, 2);
    std::thread::sleep(Duration::from_millis(1500));
    let mut got = lines(&output);
    got.sort();
    assert_eq!(got, vec!["from a", "from b"]);
}

/// `producer.override.*` reaches the source task's producer: with `message.max.bytes` below a
/// line's size, the record cannot be sent and the task fails saying so (the worker's own
/// producer settings would have sent it).
#[test]
fn a_source_producer_override_reaches_its_producer() {
    let w = Worker::distributed(&[]);
    let input = w.path("long.txt");
    std::fs::write(&input, format!("{}\n", "x".repeat(5000))).unwrap();
    create(
        &w,
        "overridden",
        serde_json::json!({
            "connector.class": "FileStreamSource", "topic": unique_name("small"),
            "file": input.display().to_string(),
            "producer.override.message.max.bytes": "1000",
            "task.restart.on.failure": "false"
        }),
    );
    w.wait_until("the task to fail", Duration::from_secs(60), |w| {
        w.states("overridden").1 == vec!["FAILED".to_owned()]
    });
    let (_, status) = w.get("/connectors/overridden/status");
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    assert!(trace.to_lowercase().contains("too large"), "{trace}");
}
