//! Router tests: every endpoint's status codes and JSON shapes, through the whole axum stack
//! (`ServiceExt::oneshot`), against a standalone Herder with in-memory stores. Forwarding, the
//! internal endpoints and the exact body shapes Java workers parse are in the child modules.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;
use crate::{
    config::{Mode, WorkerConfig},
    plugins::PluginRegistry,
    runtime::{
        herder::HerderParts,
        status::TargetState,
        stores::{ConfigLog, ConfigMap, StatusStore},
        task_spec::WorkerContext,
    },
    storage::memory::{MemoryConfigLog, MemoryOffsetStore, MemoryStatusStore},
};

/// Loggers kept in a map, so these tests do not touch the process's tracing subscriber.
#[derive(Default)]
struct MapLoggers(Mutex<BTreeMap<String, LoggerLevel>>);

impl LoggerControl for MapLoggers {
    fn levels(&self) -> BTreeMap<String, LoggerLevel> {
        self.0.lock().unwrap().clone()
    }
    fn level(&self, name: &str) -> Option<LoggerLevel> {
        self.0.lock().unwrap().get(name).cloned()
    }
    fn set_level(&self, name: &str, level: &str) -> Result<Vec<String>, String> {
        let set = LoggerLevel {
            level: level.to_owned(),
            last_modified: Some(1),
        };
        self.0.lock().unwrap().insert(name.to_owned(), set);
        Ok(vec![name.to_owned()])
    }
}

/// A started standalone Herder with in-memory stores and no plugins installed. Its config log
/// already holds connector `a` (one task config, active topic `t`) whose plugin is missing, so
/// `a` exists and fails to start: enough to reach every per-connector endpoint without Kafka.
struct Fixture {
    app: Router,
    _dir: tempfile::TempDir,
}

const A_CLASS: &str = "org.example.MissingSinkConnector";

fn fixture_with(props: &[(&str, &str)], start: bool) -> Fixture {
    let (state, dir) = state_with(props, start);
    Fixture {
        app: router(state),
        _dir: dir,
    }
}

/// The [`RestState`] of [`fixture_with`], and the directory its offsets file lives in.
fn state_with(props: &[(&str, &str)], start: bool) -> (RestState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let offsets_file = dir.path().join("connect.offsets").display().to_string();
    let mut worker_props: BTreeMap<String, String> = [
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("offset.storage.file.filename", offsets_file.as_str()),
    ]
    .into_iter()
    .chain(props.iter().copied())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    worker_props.retain(|_, v| !v.is_empty());
    let config = Arc::new(WorkerConfig::from_props(Mode::Standalone, worker_props).unwrap());

    let config_log = Arc::new(MemoryConfigLog::new());
    let a: ConfigMap = [
        ("connector.class", A_CLASS),
        ("name", "a"),
        ("topics", "t"),
        ("tasks.max", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut task = a.clone();
    task.insert("task.class".into(), "org.example.MissingSinkTask".into());
    config_log.put_connector_config("a", &a).unwrap();
    config_log
        .put_target_state("a", TargetState::Started)
        .unwrap();
    config_log.put_task_configs("a", &[task]).unwrap();
    let statuses = Arc::new(MemoryStatusStore::new());
    statuses.put_topic("a", "t").unwrap();

    let worker = Arc::new(WorkerContext {
        worker_id: "127.0.0.1:8083".into(),
        config: config.clone(),
        offsets: Arc::new(MemoryOffsetStore::new()),
        statuses,
        generation: Default::default(),
        config_transformer: Default::default(),
        plugins: Arc::new(PluginRegistry::default()),
    });
    let herder = Herder::new(HerderParts {
        config,
        plugins: Arc::new(PluginRegistry::default()),
        config_log,
        worker,
        cluster_id: None,
        runtime: None,
    });
    if start {
        herder.start().unwrap();
    }
    let loggers = MapLoggers::default();
    loggers.set_level("root", "INFO").unwrap();
    let state = RestState {
        herder,
        loggers: Arc::new(loggers),
        auth: None,
    };
    (state, dir)
}

fn fixture() -> Fixture {
    fixture_with(&[], true)
}

struct Answer {
    status: StatusCode,
    body: Value,
}

async fn send(app: &Router, method: &str, uri: &str, body: Option<&str>) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Body::from(body.unwrap_or_default().to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Answer { status, body }
}

fn error(code: u16, message: &str) -> Value {
    json!({ "error_code": code, "message": message })
}

#[tokio::test]
async fn unknown_paths_and_methods_get_jersey_errors() {
    let f = fixture();
    let a = send(&f.app, "GET", "/nope", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::NOT_FOUND, error(404, "HTTP 404 Not Found"))
    );
    let a = send(&f.app, "DELETE", "/connectors", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            error(405, "HTTP 405 Method Not Allowed")
        )
    );
    let a = send(&f.app, "GET", "/connectors/a/tasks/x/status", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::NOT_FOUND, error(404, "HTTP 404 Not Found"))
    );
}

#[tokio::test]
async fn root_and_health() {
    let f = fixture();
    let a = send(&f.app, "GET", "/", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["version", "commit", "kafka_cluster_id"]
    );
    assert_eq!(a.body["kafka_cluster_id"], Value::Null);
    let a = send(&f.app, "GET", "/health", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.body,
        json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
    );
    let starting = fixture_with(&[], false);
    let a = send(&starting.app, "GET", "/health", None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.body["status"], "starting");
}

#[tokio::test]
async fn create_refuses_bad_requests() {
    let f = fixture();
    let cases = [
        (
            r#"{"name":"b","config":{"name":"c"}}"#,
            "Connector name configuration (c) doesn't match connector name in the URL (b)",
        ),
        (
            r#"{"name":"  ","config":{"connector.class":"X"}}"#,
            "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value  for configuration name: String may not be empty\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
        ),
        (
            r#"{"name":"b"}"#,
            "The request body must contain the connector's 'config' object",
        ),
        (
            r#"{"name":"b","config":{},"initial_state":"SLEEPING"}"#,
            "Invalid initial_state 'SLEEPING': expected one of RUNNING, PAUSED, STOPPED",
        ),
        (r#"{"name":"a","config":{}}"#, "Connector a already exists"),
    ];
    for (body, message) in cases {
        let a = send(&f.app, "POST", "/connectors", Some(body)).await;
        let code = if message.ends_with("already exists") {
            409
        } else {
            400
        };
        assert_eq!(a.body, error(code, message), "{body}");
        assert_eq!(a.status.as_u16(), code);
    }
    // The Herder validates the rest: here, a class that is not installed.
    let body = r#"{"name":" b ","config":{"connector.class":"Nope","tasks.max":1}}"#;
    let a = send(&f.app, "POST", "/connectors", Some(body)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let message = a.body["message"].as_str().unwrap();
    assert!(
        message.contains("Failed to find any class that implements Connector"),
        "{message}"
    );

    let a = send(&f.app, "POST", "/connectors", Some("{\"name\":")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let message = a.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Request body is not valid JSON: EOF"),
        "{message}"
    );

    let request = Request::post("/connectors")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let response = f.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn list_with_and_without_expand() {
    let f = fixture();
    let a = send(&f.app, "GET", "/connectors", None).await;
    assert_eq!((a.status, a.body), (StatusCode::OK, json!(["a"])));
    // Jersey ignores a trailing slash.
    assert_eq!(
        send(&f.app, "GET", "/connectors/", None).await.body,
        json!(["a"])
    );

    let a = send(&f.app, "GET", "/connectors?expand=status&expand=info", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["a"]["status"]["name"], "a");
    assert_eq!(a.body["a"]["info"]["config"]["connector.class"], A_CLASS);
    let a = send(&f.app, "GET", "/connectors?expand=info", None).await;
    assert!(a.body["a"].get("status").is_none());
    let bogus = send(&f.app, "GET", "/connectors?expand=bogus", None).await;
    assert_eq!(bogus.body, json!({"a": {}}));
    assert_eq!(
        send(&f.app, "GET", "/connectors?expand", None).await.body,
        json!({"a": {}})
    );
}

#[tokio::test]
async fn connector_info_config_status_and_delete() {
    let f = fixture();
    let a = send(&f.app, "GET", "/connectors/a", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["name", "config", "tasks", "type"]
    );
    assert_eq!(a.body["tasks"], json!([{"connector": "a", "task": 0}]));
    assert_eq!(a.body["type"], "unknown");
    let a = send(&f.app, "GET", "/connectors/a/config", None).await;
    assert_eq!(
        (a.status, a.body["name"].clone()),
        (StatusCode::OK, json!("a"))
    );

    let a = send(&f.app, "GET", "/connectors/a/status", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["connector"]["state"], "FAILED");
    assert_eq!(a.body["connector"]["worker_id"], "127.0.0.1:8083");
    assert!(
        a.body["connector"]["trace"]
            .as_str()
            .unwrap()
            .contains(A_CLASS)
    );
    // Tasks start where they are assigned even when the connector instance failed (as in
    // a Java group): without the plugin they fail too, naming the class.
    assert_eq!(a.body["tasks"][0]["state"], "FAILED");
    assert!(
        a.body["tasks"][0]["trace"]
            .as_str()
            .unwrap()
            .contains(A_CLASS)
    );
    let a = send(&f.app, "GET", "/connectors/x/status", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::NOT_FOUND,
            error(404, "No status found for connector x")
        )
    );

    let a = send(&f.app, "DELETE", "/connectors/a", None).await;
    assert_eq!((a.status, a.body), (StatusCode::NO_CONTENT, Value::Null));
    let a = send(&f.app, "GET", "/connectors/a", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::NOT_FOUND, error(404, "Connector a not found"))
    );
    assert_eq!(
        send(&f.app, "DELETE", "/connectors/a", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn config_writes_are_checked_here_then_validated_by_the_herder() {
    let f = fixture();
    let a = send(
        &f.app,
        "PUT",
        "/connectors/b%20c/config",
        Some(r#"{"name":"z"}"#),
    )
    .await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::BAD_REQUEST,
            error(
                400,
                "Connector name configuration (z) doesn't match connector name in the URL (b c)"
            )
        )
    );
    let a = send(
        &f.app,
        "PUT",
        "/connectors/a/config",
        Some(r#"{"topics":"t"}"#),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("contains no connector type")
    );
    let a = send(&f.app, "PATCH", "/connectors/nope/config", Some("{}")).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::NOT_FOUND,
            error(404, "Connector nope not found")
        )
    );
    let a = send(
        &f.app,
        "PATCH",
        "/connectors/a/config",
        Some(r#"{"topics":null}"#),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("Failed to find any class")
    );
}

#[tokio::test]
async fn lifecycle_endpoints() {
    let f = fixture();
    let a = send(&f.app, "POST", "/connectors/a/restart", None).await;
    assert_eq!((a.status, a.body), (StatusCode::NO_CONTENT, Value::Null));
    let a = send(
        &f.app,
        "POST",
        "/connectors/a/restart?includeTasks=false&onlyFailed=false",
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let a = send(
        &f.app,
        "POST",
        "/connectors/a/restart?includeTasks=true",
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    assert_eq!(a.body["name"], "a");
    assert_eq!(a.body["connector"]["state"], "RESTARTING");
    assert_eq!(a.body["tasks"][0]["state"], "RESTARTING");
    assert_eq!(
        send(&f.app, "POST", "/connectors/x/restart", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let a = send(&f.app, "PUT", "/connectors/a/pause", None).await;
    assert_eq!((a.status, a.body), (StatusCode::ACCEPTED, Value::Null));
    let a = send(&f.app, "PUT", "/connectors/a/resume", None).await;
    assert_eq!((a.status, a.body), (StatusCode::ACCEPTED, Value::Null));
    let a = send(&f.app, "PUT", "/connectors/a/stop", None).await;
    assert_eq!((a.status, a.body), (StatusCode::NO_CONTENT, Value::Null));
    let a = send(&f.app, "GET", "/connectors/a/status", None).await;
    assert_eq!(a.body["connector"]["state"], "STOPPED");
    assert_eq!(a.body["tasks"], json!([]));
    assert_eq!(
        send(&f.app, "GET", "/connectors/a/tasks", None).await.body,
        json!([])
    );
    for path in [
        "/connectors/x/pause",
        "/connectors/x/resume",
        "/connectors/x/stop",
    ] {
        assert_eq!(
            send(&f.app, "PUT", path, None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn topic_endpoints() {
    let f = fixture();
    let a = send(&f.app, "GET", "/connectors/a/topics", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::OK, json!({"a": {"topics": ["t"]}}))
    );
    let a = send(&f.app, "PUT", "/connectors/a/topics/reset", None).await;
    assert_eq!((a.status, a.body), (StatusCode::ACCEPTED, Value::Null));
    let a = send(&f.app, "GET", "/connectors/a/topics", None).await;
    assert_eq!(a.body, json!({"a": {"topics": []}}));
    // As Kafka: an unknown connector has no active topics, and resetting them is accepted.
    let x = send(&f.app, "GET", "/connectors/x/topics", None).await;
    assert_eq!(
        (x.status, x.body),
        (StatusCode::OK, json!({"x": {"topics": []}}))
    );
    let x = send(&f.app, "PUT", "/connectors/x/topics/reset", None).await;
    assert_eq!(x.status, StatusCode::ACCEPTED);
    let x = send(&f.app, "DELETE", "/connectors/a%2Fb", None).await;
    assert_eq!(
        (x.status, x.body),
        (
            StatusCode::BAD_REQUEST,
            error(400, "Ambiguous URI path separator")
        )
    );

    let no_reset = fixture_with(&[("topic.tracking.allow.reset", "false")], true);
    let a = send(&no_reset.app, "PUT", "/connectors/a/topics/reset", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::FORBIDDEN,
            error(403, "Topic tracking reset is disabled.")
        )
    );
    let off = fixture_with(&[("topic.tracking.enable", "false")], true);
    let a = send(&off.app, "GET", "/connectors/a/topics", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::FORBIDDEN,
            error(403, "Topic tracking is disabled.")
        )
    );
}

#[tokio::test]
async fn task_endpoints() {
    let f = fixture();
    let a = send(&f.app, "GET", "/connectors/a/tasks", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body[0]["id"], json!({"connector": "a", "task": 0}));
    assert_eq!(
        a.body[0]["config"]["task.class"],
        "org.example.MissingSinkTask"
    );
    let a = send(&f.app, "GET", "/connectors/a/tasks-config", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["a-0"]
    );
    assert_eq!(a.body["a-0"]["topics"], "t");
    assert_eq!(
        send(&f.app, "GET", "/connectors/x/tasks", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let a = send(&f.app, "GET", "/connectors/a/tasks/0/status", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        (&a.body["id"], &a.body["state"], &a.body["worker_id"]),
        (&json!(0), &json!("FAILED"), &json!("127.0.0.1:8083"))
    );
    let a = send(&f.app, "GET", "/connectors/a/tasks/7/status", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::NOT_FOUND,
            error(404, "No status found for task a-7")
        )
    );
    let a = send(&f.app, "POST", "/connectors/a/tasks/7/restart", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::NOT_FOUND, error(404, "Unknown task: a-7"))
    );
    let a = send(&f.app, "POST", "/connectors/a/tasks/-1/restart", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn offsets_endpoints() {
    let f = fixture();
    assert_eq!(
        send(&f.app, "GET", "/connectors/x/offsets", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let none = error(
        400,
        "Partitions / offsets need to be provided for an alter offsets request",
    );
    for body in [r#"{"offsets":[]}"#, "{}", r#"{"offsets":null}"#, ""] {
        let a = send(&f.app, "PATCH", "/connectors/a/offsets", Some(body)).await;
        assert_eq!(
            (a.status, a.body),
            (StatusCode::BAD_REQUEST, none.clone()),
            "{body:?}"
        );
    }
    let a = send(
        &f.app,
        "PATCH",
        "/connectors/a/offsets",
        Some(r#"{"offsets":[{"offset":{}}]}"#),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("missing field `partition`")
    );

    let running = error(
        400,
        "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/a/stop' endpoint",
    );
    let body = r#"{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}}]}"#;
    let a = send(&f.app, "PATCH", "/connectors/a/offsets", Some(body)).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::BAD_REQUEST, running.clone())
    );
    let a = send(&f.app, "DELETE", "/connectors/a/offsets", None).await;
    assert_eq!((a.status, a.body), (StatusCode::BAD_REQUEST, running));
}

#[tokio::test]
async fn plugin_endpoints() {
    let f = fixture();
    let a = send(&f.app, "GET", "/connector-plugins", None).await;
    assert_eq!((a.status, a.body), (StatusCode::OK, json!([])));
    let a = send(
        &f.app,
        "GET",
        "/connector-plugins?connectorsOnly=false",
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let json_converter = a.body.as_array().unwrap().iter().find(|p| {
        p["class"] == "org.apache.kafka.connect.json.JsonConverter" && p["type"] == "converter"
    });
    assert!(json_converter.is_some(), "{}", a.body);

    let a = send(&f.app, "GET", "/connector-plugins/Nope/config", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::NOT_FOUND, error(404, "Unknown plugin Nope."))
    );
}

#[tokio::test]
async fn validate_checks_the_connector_type_first() {
    let f = fixture();
    let path = "/connector-plugins/MissingSinkConnector/config/validate";
    let a = send(&f.app, "PUT", path, Some(r#"{"topics":"t","tasks.max":1}"#)).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::BAD_REQUEST,
            error(
                400,
                "Connector config {tasks.max=1, topics=t} contains no connector type"
            )
        )
    );
    let a = send(
        &f.app,
        "PUT",
        path,
        Some(r#"{"connector.class":"FileStreamSource"}"#),
    )
    .await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::BAD_REQUEST,
            error(
                400,
                "Included connector type FileStreamSource does not match request type MissingSinkConnector"
            )
        )
    );
    // The type matches (`…MissingSinkConnector` ends with `MissingSink`): the Herder answers.
    let body = format!(r#"{{"connector.class":"{A_CLASS}"}}"#);
    let a = send(
        &f.app,
        "PUT",
        "/connector-plugins/MissingSink/config/validate",
        Some(&body),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to find any class")
    );
}

#[tokio::test]
async fn without_admin_the_logger_endpoints_are_unknown_paths() {
    let (state, _dir) = state_with(&[], true);
    let app = super::router_without_admin(state);
    let a = send(&app, "GET", "/admin/loggers", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    let a = send(&app, "GET", "/connectors", None).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn logger_endpoints() {
    let f = fixture();
    let a = send(&f.app, "GET", "/admin/loggers", None).await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::OK,
            json!({"root": {"level": "INFO", "last_modified": 1}})
        )
    );
    let a = send(&f.app, "GET", "/admin/loggers/root", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::OK, json!({"level": "INFO", "last_modified": 1}))
    );
    let a = send(&f.app, "GET", "/admin/loggers/x.y", None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::NOT_FOUND, error(404, "Logger x.y not found."))
    );

    let a = send(
        &f.app,
        "PUT",
        "/admin/loggers/x.y",
        Some(r#"{"lvl":"DEBUG"}"#),
    )
    .await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::BAD_REQUEST,
            error(
                400,
                "Desired 'level' parameter was not specified in request."
            )
        )
    );
    let a = send(
        &f.app,
        "PUT",
        "/admin/loggers/x.y",
        Some(r#"{"level":"loud"}"#),
    )
    .await;
    assert_eq!(
        (a.status, a.body),
        (
            StatusCode::NOT_FOUND,
            error(404, "invalid log level 'loud'.")
        )
    );

    let a = send(
        &f.app,
        "PUT",
        "/admin/loggers/x.y",
        Some(r#"{"level":"debug"}"#),
    )
    .await;
    assert_eq!((a.status, a.body), (StatusCode::OK, json!(["x.y"])));
    assert_eq!(
        send(&f.app, "GET", "/admin/loggers/x.y", None).await.body["level"],
        "DEBUG"
    );
    let a = send(
        &f.app,
        "PUT",
        "/admin/loggers/x.y?scope=bogus",
        Some(r#"{"level":"WARN"}"#),
    )
    .await;
    assert_eq!((a.status, a.body), (StatusCode::OK, json!(["x.y"])));
    let a = send(
        &f.app,
        "PUT",
        "/admin/loggers/x.y?scope=cluster",
        Some(r#"{"level":"ERROR"}"#),
    )
    .await;
    assert_eq!((a.status, a.body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(
        send(&f.app, "GET", "/admin/loggers/x.y", None).await.body["level"],
        "ERROR"
    );
}

#[tokio::test]
async fn serve_answers_on_every_listener_and_stops_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let f = fixture();
    let any_port: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = bind(&[any_port, any_port]).await.unwrap();
    let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listeners = listeners
        .into_iter()
        .map(|l| (l, super::Transport::Http, f.app.clone()))
        .collect();
    let server = tokio::spawn(serve_listeners(listeners, async {
        let _ = stopped.await;
    }));
    for addr in addrs {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = b"GET /connectors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        stream.write_all(request).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
        assert!(response.ends_with(r#"["a"]"#), "{response}");
    }
    stop.send(()).unwrap();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    finished.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn bind_names_the_address_it_cannot_use_and_the_fix() {
    let free: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let taken = tokio::net::TcpListener::bind(free).await.unwrap();
    let addr = taken.local_addr().unwrap();
    let e = bind(&[free, addr]).await.unwrap_err();
    assert_eq!((e.index, e.addr), (1, addr));
    assert_eq!(e.source.kind(), std::io::ErrorKind::AddrInUse);
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("cannot listen on {addr}: ")),
        "{text}"
    );
    assert!(
        text.ends_with("; stop the process using that port or change the listener address"),
        "{text}"
    );
    assert_eq!(
        e.fix("'listeners'"),
        "stop the process using that port or change 'listeners'"
    );
}

#[tokio::test]
async fn the_starting_router_answers_503_until_the_real_one_is_installed() {
    let (app, slot) = starting_router();
    let a = send(&app, "GET", "/health", None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        a.body,
        json!({"status": "starting", "message": "Worker is still starting up."})
    );
    let a = send(&app, "GET", "/connectors", None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.body["error_code"], 503);
    assert!(
        a.body["message"].as_str().unwrap().contains("GET /health"),
        "{}",
        a.body
    );

    let f = fixture();
    slot.install(f.app.clone());
    let a = send(&app, "GET", "/connectors", None).await;
    assert_eq!((a.status, a.body), (StatusCode::OK, json!(["a"])));
    let a = send(&app, "GET", "/health", None).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_are_served_in_the_openmetrics_text_format() {
    let f = fixture();
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let answer = f.app.clone().oneshot(request).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        answer.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let body = answer.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        text.contains("# TYPE kafka_connect_worker_connector_count gauge"),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[path = "bodies_tests.rs"]
mod bodies;
#[path = "forward_tests.rs"]
mod forwarding;
#[path = "internal_tests.rs"]
mod internal_endpoints;
