//! Config providers on a real worker and broker: `${provider:path:key}` in worker and connector
//! configs is resolved when it is used (the worker's settings at start, a connector's and its
//! tasks' when they start, a config being validated) and nowhere else: `GET …/config`,
//! `GET …/tasks`, the config topic and the worker's log keep the reference. Kafka's
//! FileConfigProvider and DirectoryConfigProvider and a provider class from `plugin.path`
//! (the `all-kinds` fixture) each resolve a value the pipeline depends on; a provider whose
//! values expire restarts the connector (`config.action.reload=restart`), and a reference that
//! cannot be resolved is refused at create with the provider and the path named.

use std::{path::Path, time::Duration};

use connect_tests::{
    artifacts::install_library,
    kafka::{produce, read_records},
    require_kafka, unique_name,
    worker::Worker,
};
use serde_json::{Value, json};

fn create(w: &Worker, name: &str, config: Value) -> (u16, Value) {
    let body = json!({ "name": name, "config": config }).to_string();
    w.call("POST", "/connectors", Some(&body))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Appends `lines` to the worker's properties file (read again at the next start).
fn add_worker_settings(w: &Worker, lines: &[String]) {
    let path = w.path("worker.properties");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
}

#[test]
fn references_resolve_where_used_and_are_never_stored_shown_or_logged() {
    let mut w = Worker::distributed(&[]);
    let group = {
        let (_, root) = w.get("/");
        assert!(root["version"].is_string(), "{root}");
        std::fs::read_to_string(w.path("worker.properties"))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("group.id=").map(str::to_owned))
            .unwrap()
    };
    // The secrets: a properties file, a directory of one-value files, a KEY=VALUE file read by
    // the plugin provider; a value no response, record or log line may ever show.
    let secret = unique_name("hunter2");
    let topic = unique_name("secret-topic");
    let output = w.path("resolved-out.txt");
    let secrets = w.path("secrets.properties");
    std::fs::write(
        &secrets,
        format!("out={}\nhost=localhost\nprobe={secret}\n", output.display()),
    )
    .unwrap();
    let dir = w.path("secret-dir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("topic"), &topic).unwrap();
    let kv = w.path("kv.txt");
    std::fs::write(&kv, format!("probe={secret}\n")).unwrap();

    // A provider class dropped into plugin.path is picked up at the restart; the worker's own
    // `rest.advertised.host.name` comes from a provider too.
    w.stop();
    install_library("connect_all_kinds", &w.plugins);
    add_worker_settings(
        &w,
        &[
            "config.providers=file,dir,kv".into(),
            "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider".into(),
            "config.providers.dir.class=DirectoryConfigProvider".into(),
            "config.providers.kv.class=com.example.allkinds.KeyValueFileProvider".into(),
            format!("config.providers.kv.param.file={}", kv.display()),
            format!("config.providers.file.param.allowed.paths={}", w.dir.path().display()),
            format!("rest.advertised.host.name=${{file:{}:host}}", secrets.display()),
        ],
    );
    w.start();

    let config = json!({
        "connector.class": "FileStreamSink",
        "topics": format!("${{dir:{}:topic}}", dir.display()),
        "file": format!("${{file:{}:out}}", secrets.display()),
        "secret.probe": format!("${{file:{}:probe}}", secrets.display()),
        "plugin.probe": "${kv::probe}",
    });
    let (code, info) = create(&w, "resolved", config.clone());
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
    assert_eq!(info["config"]["file"], config["file"], "{info}");

    produce(
        &require_kafka(),
        &topic,
        (0..50).map(|i| format!("line {i}")),
    );
    w.wait_until(
        "50 lines in the file the reference names",
        Duration::from_secs(120),
        |_| lines(&output).len() == 50,
    );

    // Shown as written.
    let (_, shown) = w.get("/connectors/resolved/config");
    for key in ["topics", "file", "secret.probe", "plugin.probe"] {
        assert_eq!(shown[key], config[key], "{key}: {shown}");
    }
    let (_, tasks) = w.get("/connectors/resolved/tasks");
    let task = &tasks[0]["config"];
    for key in ["file", "secret.probe", "plugin.probe"] {
        assert_eq!(task[key], config[key], "task config {key}: {tasks}");
    }
    // The worker setting was resolved: the status names the advertised host.
    let (_, status) = w.get("/connectors/resolved/status");
    assert!(
        status["connector"]["worker_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("localhost:")),
        "{status}"
    );
    // Validation resolves (the config is valid) and shows the reference.
    let mut named = config.clone();
    named["name"] = json!("resolved");
    let (code, validated) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(&named.to_string()),
    );
    assert_eq!(code, 200, "{validated}");
    assert_eq!(validated["error_count"], 0, "{validated}");
    assert!(!validated.to_string().contains(&secret), "{validated}");

    // Never stored resolved, never logged.
    let records = read_records(&require_kafka(), &format!("{group}-configs"));
    assert!(!records.is_empty());
    for (_, value) in &records {
        let text = String::from_utf8_lossy(value.as_deref().unwrap_or_default());
        assert!(
            !text.contains(&secret),
            "a config record holds the secret: {text}"
        );
    }
    assert!(
        !w.log().contains(&secret),
        "the worker log shows the secret"
    );

    // A reference that cannot be resolved is refused, naming provider and path.
    let missing = w.path("no-such-file.properties");
    let (code, refused) = create(
        &w,
        "unresolvable",
        json!({
            "connector.class": "FileStreamSink",
            "topics": topic,
            "file": format!("${{file:{}:out}}", missing.display()),
        }),
    );
    assert_eq!(code, 400, "{refused}");
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("'file'") && message.contains(&missing.display().to_string()),
        "{message}"
    );
    // Outside `allowed.paths`: Kafka's provider gives nothing and the reference stays as
    // written; the worker says so, naming the key.
    let (code, created) = create(
        &w,
        "outside",
        json!({
            "connector.class": "FileStreamSink",
            "topics": topic,
            "file": w.path("outside.txt").display().to_string(),
            "secret.probe": "${file:/etc/hostname:x}",
        }),
    );
    assert_eq!(code, 201, "{created}");
    w.wait_until(
        "a warning about the unresolved reference",
        Duration::from_secs(30),
        |w| {
            w.log().lines().any(|l| {
                l.contains("WARN")
                    && l.contains("${file:/etc/hostname:x} was not resolved")
                    && l.contains("secret.probe")
            })
        },
    );
}

#[test]
fn expiring_values_restart_the_connector_unless_reload_is_none() {
    let mut w = Worker::distributed(&[]);
    let kv = w.path("kv.txt");
    let topic = unique_name("ttl");
    std::fs::write(&kv, format!("topic={topic}\n")).unwrap();
    w.stop();
    install_library("connect_all_kinds", &w.plugins);
    add_worker_settings(
        &w,
        &[
            "config.providers=kv".into(),
            "config.providers.kv.class=KeyValueFileProvider".into(),
            format!("config.providers.kv.param.file={}", kv.display()),
            "config.providers.kv.param.ttl.ms=1500".into(),
        ],
    );
    w.start();
    for (name, reload) in [("reloading", "restart"), ("kept", "none")] {
        let (code, info) = create(
            &w,
            name,
            json!({
                "connector.class": "FileStreamSink",
                "topics": "${kv::topic}",
                "file": w.path(&format!("{name}.txt")).display().to_string(),
                "config.action.reload": reload,
            }),
        );
        assert_eq!(code, 201, "{info}");
    }
    let restarts = |w: &Worker, name: &str| {
        w.log()
            .lines()
            .filter(|l| l.contains("config provider values expired") && l.contains(name))
            .count()
    };
    w.wait_until(
        "two restarts of the connector whose values expire",
        Duration::from_secs(60),
        |w| restarts(w, "reloading") >= 2,
    );
    assert_eq!(
        restarts(&w, "kept"),
        0,
        "config.action.reload=none never restarts"
    );
    assert_eq!(
        w.states("reloading"),
        ("RUNNING".into(), vec!["RUNNING".into()])
    );
}
