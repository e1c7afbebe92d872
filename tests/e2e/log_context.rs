//! Log lines say which connector and task wrote them, as Kafka Connect's do: `[name|worker]` for
//! a connector, `[name|task-0]` for a task and for what its plugin logs; with
//! `CONNECT_LOG_FORMAT=json` every line is a JSON object with the same context as fields.

use std::time::Duration;

use connect_tests::{unique_name, worker::Worker};
use serde_json::{Value, json};

/// A file source and sink through `topic`; returns when every line arrived.
fn pipeline(w: &Worker, topic: &str) {
    let input = w.path("in.txt");
    let output = w.path("out.txt");
    let lines: String = (0..20).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&input, &lines).unwrap();
    for (name, config) in [
        (
            "ctx-source",
            json!({"connector.class": "FileStreamSource", "topic": topic, "file": input.display().to_string()}),
        ),
        (
            "ctx-sink",
            json!({"connector.class": "FileStreamSink", "topics": topic, "file": output.display().to_string()}),
        ),
    ] {
        let body = json!({"name": name, "config": config}).to_string();
        let (code, info) = w.call("POST", "/connectors", Some(&body));
        assert_eq!(code, 201, "{info}");
    }
    w.wait_until(
        "every line in the sink file",
        Duration::from_secs(60),
        |_| std::fs::read_to_string(&output).unwrap_or_default() == lines,
    );
}

#[test]
fn every_line_of_a_connector_a_task_or_a_plugin_names_it_in_text_and_in_json() {
    let mut w = Worker::distributed(&[]);
    pipeline(&w, &unique_name("ctx"));
    let log = w.log();
    let has = |needle: &str| log.lines().any(|l| l.contains(needle));
    assert!(has(" [ctx-source|worker] "), "no connector context:\n{log}");
    // The file sink plugin's own line, on its task's thread.
    assert!(
        has(" [ctx-sink|task-0] file sink task started"),
        "no task context on the plugin's line:\n{log}"
    );
    assert!(
        has(" [ctx-source|task-0] "),
        "no source task context:\n{log}"
    );

    w.stop();
    w.set_env("CONNECT_LOG_FORMAT", "json");
    w.start();
    w.wait_until(
        "the sink task started again",
        Duration::from_secs(60),
        |w| w.log().contains("file sink task started"),
    );
    let log = w.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().all(|l| l["timestamp"].is_string()
        && l["level"].is_string()
        && l.get("message").is_some()));
    let plugin_line = lines
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("file sink task started"))
        })
        .unwrap_or_else(|| panic!("no plugin line:\n{log}"));
    assert_eq!(plugin_line["connector"], "ctx-sink", "{plugin_line}");
    assert_eq!(plugin_line["task"], 0, "{plugin_line}");
    assert_eq!(plugin_line["context"], "[ctx-sink|task-0]", "{plugin_line}");
    assert_eq!(plugin_line["target"], "plugin", "{plugin_line}");
    assert_eq!(
        plugin_line["fields.target"], "connect_file_sink::task",
        "the plugin's module, kept beside the line's own target: {plugin_line}"
    );

    w.stop();
    w.set_env("CONNECT_LOG_FORMAT", "xml");
    w.spawn();
    let err = w.try_wait_ready(Duration::from_secs(30)).unwrap_err();
    assert!(
        err.contains("CONNECT_LOG_FORMAT=xml: expected text or json"),
        "{err}"
    );
}
