//! Every REST endpoint of our worker against Kafka Connect's contract (shapes, codes, error
//! texts), on the real broker; and the calls whose behaviour must match run against the Java
//! Kafka Connect peer too, compared side by side.

use std::time::Duration;

use connect_tests::{
    require_peer_connect, unique_name,
    worker::{Worker, call},
};
use serde_json::{Value, json};

fn sink_config(topic: &str, file: &str) -> Value {
    json!({"connector.class": "FileStreamSink", "topics": topic, "file": file, "tasks.max": "1"})
}

fn source_config(topic: &str, file: &str) -> Value {
    json!({"connector.class": "FileStreamSource", "topic": topic, "file": file})
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

#[test]
fn root_health_and_plugins() {
    let w = Worker::distributed(&[]);
    let (code, root) = w.get("/");
    assert_eq!(code, 200);
    assert_eq!(keys(&root), vec!["commit", "kafka_cluster_id", "version"]);
    assert!(
        root["kafka_cluster_id"]
            .as_str()
            .is_some_and(|c| c.len() == 22),
        "{root}"
    );
    let (code, health) = w.get("/health");
    assert_eq!((code, health["status"].as_str()), (200, Some("healthy")));

    let (code, plugins) = w.get("/connector-plugins");
    assert_eq!(code, 200);
    assert_eq!(
        plugins,
        json!([
            {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "1.0.0"},
            {"class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "type": "source", "version": "1.0.0"}
        ])
    );
    let (_, all) = w.get("/connector-plugins?connectorsOnly=false");
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|p| p["type"] == "converter"
                && p["class"] == "org.apache.kafka.connect.json.JsonConverter")
    );

    let (code, defs) = w.get("/connector-plugins/FileStreamSink/config");
    assert_eq!(code, 200);
    let file = defs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "file")
        .expect("plugin key listed");
    assert_eq!(
        keys(file),
        vec![
            "default_value",
            "dependents",
            "display_name",
            "documentation",
            "group",
            "importance",
            "name",
            "order",
            "required",
            "type",
            "width"
        ]
    );
    assert!(
        defs.as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "topics"),
        "framework keys listed too"
    );
    let (code, err) = w.get("/connector-plugins/NoSuchThing/config");
    assert_eq!(
        (code, err["error_code"].as_i64(), err["message"].as_str()),
        (404, Some(404), Some("Unknown plugin NoSuchThing."))
    );
}

#[test]
fn validate_reports_errors_per_key_with_status_200() {
    let w = Worker::distributed(&[]);
    let body = json!({"connector.class": "FileStreamSink", "tasks.max": "0"}).to_string();
    let (code, infos) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSinkConnector/config/validate",
        Some(&body),
    );
    assert_eq!(code, 200, "{infos}");
    assert_eq!(
        infos["name"],
        "org.apache.kafka.connect.file.FileStreamSinkConnector"
    );
    assert_eq!(
        keys(&infos),
        vec!["configs", "error_count", "groups", "name"]
    );
    let errors: Vec<String> = infos["configs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["value"]["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        infos["error_count"].as_u64().unwrap() as usize,
        errors.len()
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Must configure one of topics or topics.regex")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("tasks.max")), "{errors:?}");
    assert!(
        infos["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == "Common")
    );

    let (code, err) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        Some(&body),
    );
    assert_eq!(code, 400);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("does not match request type"),
        "{err}"
    );
    let (code, err) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(r#"{"topics":"t"}"#),
    );
    assert_eq!(code, 400);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("contains no connector type"),
        "{err}"
    );
}

#[test]
fn connector_lifecycle_endpoints() {
    let w = Worker::distributed(&[]);
    let topic = unique_name("rest");
    let out = w.path("out.txt").display().to_string();
    let inp = w.path("in.txt");
    std::fs::write(&inp, "x\ny\n").unwrap();

    // Create: 201, Location, ConnectorInfo.
    let body = json!({"name": "snk", "config": sink_config(&topic, &out)}).to_string();
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/connectors", w.url))
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        "/connectors/snk"
    );
    let info: Value = resp.json().unwrap();
    assert_eq!(keys(&info), vec!["config", "name", "tasks", "type"]);
    assert_eq!(
        (
            info["name"].as_str(),
            info["type"].as_str(),
            info["config"]["name"].as_str()
        ),
        (Some("snk"), Some("sink"), Some("snk"))
    );
    // Duplicate: 409.
    let (code, err) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(
        (code, err["message"].as_str()),
        (409, Some("Connector snk already exists"))
    );

    let src = json!({"name": "src", "config": source_config(&topic, &inp.display().to_string())})
        .to_string();
    assert_eq!(w.call("POST", "/connectors", Some(&src)).0, 201);
    w.wait_until("both running", Duration::from_secs(30), |w| {
        w.states("snk") == ("RUNNING".into(), vec!["RUNNING".into()])
            && w.states("src") == ("RUNNING".into(), vec!["RUNNING".into()])
    });

    // Lists and expansions.
    let (_, names) = w.get("/connectors");
    let mut names: Vec<String> = serde_json::from_value(names).unwrap();
    names.sort();
    assert_eq!(names, vec!["snk", "src"]);
    let (_, expanded) = w.get("/connectors?expand=status&expand=info&expand=bogus");
    assert_eq!(keys(&expanded["snk"]), vec!["info", "status"]);
    assert_eq!(expanded["snk"]["status"]["type"], "sink");

    // Info, config, tasks, task status, deprecated tasks-config.
    assert_eq!(
        w.get("/connectors/snk").1["tasks"],
        json!([{"connector": "snk", "task": 0}])
    );
    assert_eq!(w.get("/connectors/snk/config").1["topics"], topic);
    let (_, tasks) = w.get("/connectors/snk/tasks");
    assert_eq!(tasks[0]["id"], json!({"connector": "snk", "task": 0}));
    assert_eq!(
        tasks[0]["config"]["task.class"],
        "org.apache.kafka.connect.file.FileStreamSinkTask"
    );
    let (code, ts) = w.get("/connectors/snk/tasks/0/status");
    assert_eq!(
        (code, keys(&ts)),
        (
            200,
            vec!["id".to_owned(), "state".into(), "worker_id".into()]
        )
    );
    assert_eq!(
        w.get("/connectors/snk/tasks/7/status"),
        (
            404,
            json!({"error_code": 404, "message": "No status found for task snk-7"})
        )
    );
    assert!(w.get("/connectors/snk/tasks-config").1["snk-0"].is_object());

    // Config PUT (200 update, 201 create) and PATCH (null deletes).
    let mut cfg = sink_config(&topic, &out);
    cfg["tasks.max"] = json!("2");
    let (code, info) = w.call("PUT", "/connectors/snk/config", Some(&cfg.to_string()));
    assert_eq!(
        (code, info["config"]["tasks.max"].as_str()),
        (200, Some("2"))
    );
    let (code, _) = w.call(
        "PUT",
        "/connectors/snk2/config",
        Some(&sink_config(&topic, &w.path("out2.txt").display().to_string()).to_string()),
    );
    assert_eq!(code, 201);
    let (code, info) = w.call(
        "PATCH",
        "/connectors/snk2/config",
        Some(r#"{"tasks.max":"1","file":null}"#),
    );
    assert_eq!(code, 200, "{info}");
    assert!(info["config"].get("file").is_none());
    let (code, err) = w.call(
        "PUT",
        "/connectors/snk2/config",
        Some(
            &json!({"name": "other", "connector.class": "FileStreamSink", "topics": topic})
                .to_string(),
        ),
    );
    assert_eq!(code, 400, "{err}");

    // Status shape.
    w.wait_until("two sink tasks", Duration::from_secs(30), |w| {
        w.states("snk").1.len() == 2
    });
    let (_, status) = w.get("/connectors/snk/status");
    assert_eq!(keys(&status), vec!["connector", "name", "tasks", "type"]);
    assert_eq!(keys(&status["connector"]), vec!["state", "worker_id"]);

    // Restarts: legacy 204; with flags 202 + body showing RESTARTING.
    assert_eq!(w.call("POST", "/connectors/snk/restart", None).0, 204);
    let (code, body) = w.call(
        "POST",
        "/connectors/snk/restart?includeTasks=true&onlyFailed=false",
        None,
    );
    assert_eq!(code, 202);
    assert_eq!(body["connector"]["state"], "RESTARTING");
    assert!(
        body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["state"] == "RESTARTING")
    );
    let (code, body) = w.call(
        "POST",
        "/connectors/snk/restart?includeTasks=true&onlyFailed=true",
        None,
    );
    assert_eq!(code, 202);
    assert_eq!(
        body["connector"]["state"], "RUNNING",
        "nothing failed, nothing restarted: {body}"
    );
    assert_eq!(
        w.call("POST", "/connectors/snk/tasks/0/restart", None).0,
        204
    );
    assert_eq!(
        w.call("POST", "/connectors/snk/tasks/9/restart", None),
        (
            404,
            json!({"error_code": 404, "message": "Unknown task: snk-9"})
        )
    );

    // Pause / resume / stop.
    assert_eq!(w.call("PUT", "/connectors/snk/pause", None).0, 202);
    w.wait_until("paused", Duration::from_secs(20), |w| {
        w.states("snk").0 == "PAUSED" && w.states("snk").1.iter().all(|s| s == "PAUSED")
    });
    assert_eq!(w.call("PUT", "/connectors/snk/resume", None).0, 202);
    w.wait_until("resumed", Duration::from_secs(20), |w| {
        w.states("snk").0 == "RUNNING"
    });

    // Offsets: only when STOPPED.
    let (code, offs) = w.get("/connectors/src/offsets");
    assert_eq!(code, 200);
    let (code, err) = w.call(
        "PATCH",
        "/connectors/src/offsets",
        Some(r#"{"offsets":[{"partition":{"filename":"x"},"offset":{"position":0}}]}"#),
    );
    assert_eq!(code, 400);
    assert!(
        err["message"].as_str().unwrap().starts_with(
            "Connectors must be in the STOPPED state before their offsets can be modified."
        ),
        "{err}"
    );
    assert_eq!(w.call("PUT", "/connectors/src/stop", None).0, 204);
    w.wait_until("source stopped", Duration::from_secs(20), |w| {
        w.states("src") == ("STOPPED".into(), vec![])
    });
    assert_eq!(w.get("/connectors/src").1["tasks"], json!([]));
    w.wait_until("source offset stored", Duration::from_secs(20), |w| {
        !w.get("/connectors/src/offsets").1["offsets"]
            .as_array()
            .unwrap()
            .is_empty()
    });
    let (_, offs2) = w.get("/connectors/src/offsets");
    assert_eq!(
        offs2["offsets"][0]["partition"]["filename"],
        inp.display().to_string(),
        "{offs} {offs2}"
    );
    assert_eq!(offs2["offsets"][0]["offset"]["position"], 4);
    let alter = json!({"offsets": [{"partition": {"filename": inp.display().to_string()}, "offset": {"position": 2}}]}).to_string();
    let (code, msg) = w.call("PATCH", "/connectors/src/offsets", Some(&alter));
    assert_eq!(
        (code, msg["message"].as_str()),
        (
            200,
            Some("The offsets for this connector have been altered successfully")
        )
    );
    assert_eq!(
        w.get("/connectors/src/offsets").1["offsets"][0]["offset"]["position"],
        2
    );
    let (code, msg) = w.call("DELETE", "/connectors/src/offsets", None);
    assert_eq!(
        (code, msg["message"].as_str()),
        (
            200,
            Some("The offsets for this connector have been reset successfully")
        )
    );
    assert_eq!(w.get("/connectors/src/offsets").1, json!({"offsets": []}));
    assert_eq!(
        w.call(
            "PATCH",
            "/connectors/src/offsets",
            Some(r#"{"offsets":[]}"#)
        )
        .0,
        400
    );

    // Sink offsets are the consumer group's.
    w.wait_until("sink committed", Duration::from_secs(30), |w| {
        !w.get("/connectors/snk/offsets").1["offsets"]
            .as_array()
            .unwrap()
            .is_empty()
    });
    let (_, sink_offs) = w.get("/connectors/snk/offsets");
    assert_eq!(sink_offs["offsets"][0]["partition"]["kafka_topic"], topic);
    assert!(
        sink_offs["offsets"][0]["offset"]["kafka_offset"]
            .as_i64()
            .unwrap()
            >= 2
    );

    // Topics.
    let (code, topics) = w.get("/connectors/snk/topics");
    assert_eq!((code, topics), (200, json!({"snk": {"topics": [topic]}})));
    assert_eq!(w.call("PUT", "/connectors/snk/topics/reset", None).0, 202);
    assert_eq!(
        w.get("/connectors/snk/topics").1,
        json!({"snk": {"topics": []}})
    );

    // Delete: 204, then 404 everywhere.
    assert_eq!(w.call("DELETE", "/connectors/snk2", None).0, 204);
    assert_eq!(
        w.get("/connectors/snk2"),
        (
            404,
            json!({"error_code": 404, "message": "Connector snk2 not found"})
        )
    );
    assert_eq!(
        w.get("/connectors/snk2/status"),
        (
            404,
            json!({"error_code": 404, "message": "No status found for connector snk2"})
        )
    );
    assert_eq!(w.call("DELETE", "/connectors/snk2", None).0, 404);
}

#[test]
fn bad_requests_get_the_contract_errors() {
    let w = Worker::distributed(&[]);
    let (code, err) = w.call("POST", "/connectors", Some(r#"{"name": "x", "config": {"#));
    assert_eq!((code, err["error_code"].as_i64()), (400, Some(400)));
    assert!(
        err["message"].as_str().unwrap().contains("not valid JSON"),
        "{err}"
    );

    let unknown =
        json!({"name": "u", "config": {"connector.class": "com.acme.Nope", "topics": "t"}})
            .to_string();
    let (code, err) = w.call("POST", "/connectors", Some(&unknown));
    assert_eq!(code, 400);
    assert!(err["message"].as_str().unwrap().contains("Failed to find any class that implements Connector and which name matches com.acme.Nope"), "{err}");

    let missing =
        json!({"name": "m", "config": {"connector.class": "FileStreamSource"}}).to_string();
    let (code, err) = w.call("POST", "/connectors", Some(&missing));
    assert_eq!(code, 400);
    let msg = err["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "Connector configuration is invalid and contains the following 1 error(s):"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("Missing required configuration \"topic\" which has no default value."),
        "{msg}"
    );

    let bad_conv = json!({"name": "c", "config": {"connector.class": "FileStreamSink", "topics": "t", "value.converter": "com.acme.NoConverter"}}).to_string();
    let (code, err) = w.call("POST", "/connectors", Some(&bad_conv));
    assert_eq!(code, 400, "{err}");

    let both = json!({"name": "b", "config": {"connector.class": "FileStreamSink", "topics": "t", "topics.regex": "t.*"}}).to_string();
    let (code, err) = w.call("POST", "/connectors", Some(&both));
    assert_eq!(code, 400);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("topics and topics.regex are mutually exclusive options, but both are set."),
        "{err}"
    );

    assert_eq!(
        w.get("/nope"),
        (
            404,
            json!({"error_code": 404, "message": "HTTP 404 Not Found"})
        )
    );
    assert_eq!(w.call("DELETE", "/connectors", None).0, 405);
    assert_eq!(
        w.get("/connectors"),
        (200, json!([])),
        "nothing was created by the bad requests"
    );
}

#[test]
fn admin_loggers() {
    let w = Worker::distributed(&[]);
    let (code, levels) = w.get("/admin/loggers");
    assert_eq!(code, 200);
    assert!(levels["root"]["level"].is_string(), "{levels}");
    let (code, affected) = w.call(
        "PUT",
        "/admin/loggers/connect_host::runtime",
        Some(r#"{"level":"DEBUG"}"#),
    );
    assert_eq!(code, 200);
    assert!(
        affected
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "connect_host::runtime")
    );
    assert_eq!(
        w.get("/admin/loggers/connect_host::runtime").1["level"],
        "DEBUG"
    );
    assert_eq!(w.call("PUT", "/admin/loggers/x", Some("{}")).0, 400);
    assert_eq!(
        w.call("PUT", "/admin/loggers/x", Some(r#"{"level":"LOUD"}"#))
            .0,
        404
    );
    assert_eq!(
        w.get("/admin/loggers/never.set"),
        (
            404,
            json!({"error_code": 404, "message": "Logger never.set not found."})
        )
    );
}

/// The calls whose answers users script against, made to both workers: same codes, same
/// messages, same keys.
#[test]
fn the_same_calls_answer_the_same_on_the_java_peer() {
    let peer = require_peer_connect();
    let ours = Worker::distributed(&[]);
    let http = reqwest::blocking::Client::new();
    let topic = unique_name("peer");
    let name = unique_name("cmp");
    let peer_file = std::env::temp_dir()
        .join(format!("{name}.txt"))
        .display()
        .to_string();
    let cfg = json!({"name": name, "config": sink_config(&topic, &peer_file)}).to_string();

    let both = |method: &str, path: &str, body: Option<&str>| -> ((u16, Value), (u16, Value)) {
        (
            ours.call(method, path, body),
            call(&http, method, &format!("{peer}{path}"), body),
        )
    };

    let (a, b) = both("POST", "/connectors", Some(&cfg));
    assert_eq!(
        (a.0, keys(&a.1)),
        (b.0, keys(&b.1)),
        "create: ours {a:?} peer {b:?}"
    );
    let (a, b) = both("POST", "/connectors", Some(&cfg));
    assert_eq!(a, b, "duplicate create");
    let (a, b) = both("GET", "/connectors/does-not-exist", None);
    assert_eq!(a, b, "unknown connector");
    let (a, b) = both("GET", "/connectors/does-not-exist/status", None);
    assert_eq!(a, b, "unknown connector status");
    // Kafka answers topic requests for any name.
    let (a, b) = both("GET", "/connectors/does-not-exist/topics", None);
    assert_eq!(a, b, "unknown connector's topics");
    let (a, b) = both("PUT", "/connectors/does-not-exist/topics/reset", None);
    assert_eq!(a.0, b.0, "unknown connector's topic reset");
    // Paths Jetty refuses before any resource (its body is an HTML page, ours the JSON error).
    for path in [
        "/connectors/a%2Fb",
        "/connectors/a%25b",
        "/connectors/a%5Cb",
        "/connectors//x",
    ] {
        for method in ["GET", "DELETE"] {
            let (a, b) = both(method, path, None);
            assert_eq!(a.0, b.0, "{method} {path}: ours {a:?}");
        }
    }
    let (a, b) = both("GET", &format!("/connectors/{name}/config"), None);
    assert_eq!(a, b, "config");
    ours.wait_until("our sink running", Duration::from_secs(30), |w| {
        w.states(&name).1 == vec!["RUNNING".to_owned()]
    });
    std::thread::sleep(Duration::from_secs(3));
    let (a, b) = both("GET", &format!("/connectors/{name}/status"), None);
    assert_eq!(
        (
            a.0,
            keys(&a.1),
            &a.1["connector"]["state"],
            &a.1["tasks"][0]["state"]
        ),
        (
            b.0,
            keys(&b.1),
            &b.1["connector"]["state"],
            &b.1["tasks"][0]["state"]
        )
    );
    let (a, b) = both("GET", &format!("/connectors/{name}/tasks/5/status"), None);
    assert_eq!(a, b, "unknown task");
    let (a, b) = both(
        "PATCH",
        &format!("/connectors/{name}/offsets"),
        Some(
            r#"{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":1}}]}"#,
        ),
    );
    assert_eq!(a, b, "offsets while running");
    let (a, b) = both("PUT", &format!("/connectors/{name}/pause"), None);
    assert_eq!(a.0, b.0);
    let (a, b) = both("PUT", &format!("/connectors/{name}/stop"), None);
    assert_eq!(a.0, b.0);
    std::thread::sleep(Duration::from_secs(3));
    let (a, b) = both("GET", &format!("/connectors/{name}"), None);
    assert_eq!(
        (a.0, &a.1["tasks"]),
        (b.0, &b.1["tasks"]),
        "a stopped connector has no tasks"
    );
    let validate = json!({"connector.class": "FileStreamSink"}).to_string();
    let (a, b) = both(
        "PUT",
        "/connector-plugins/FileStreamSinkConnector/config/validate",
        Some(&validate),
    );
    assert_eq!(
        (a.0, a.1["error_count"].as_u64() > Some(0), keys(&a.1)),
        (b.0, b.1["error_count"].as_u64() > Some(0), keys(&b.1))
    );
    let (a, b) = both("DELETE", &format!("/connectors/{name}"), None);
    assert_eq!(a, b, "delete");
    let (a, b) = both("GET", "/nope", None);
    assert_eq!(a.0, b.0, "unknown path");
}
