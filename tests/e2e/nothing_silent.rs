//! Nothing silent: every key the Java Kafka Connect 4.3.1 peer defines for a worker
//! (`DistributedConfig` and `StandaloneConfig`, read from its own jars) and for a connector (its
//! validate endpoint, for a sink and a source) is either implemented by this host, naming a
//! test that exists and shows it, or refused with "not supported yet: KEY" by this host's
//! worker config or connector validation. The table is `connect_host::config::key_support`;
//! a key Kafka adds is a failure here until the table says what it does.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::Command,
};

use connect_host::{
    config::{
        Mode, OverridePolicy, WorkerConfig,
        key_support::{CONNECTOR_KEYS, KeySupport, Support, WORKER_KEYS, lookup},
    },
    plugins::PluginRegistry,
    runtime::validate,
};
use connect_tests::{
    cluster::{java_binary, require_java_connect},
    require_peer_connect,
    worker::{call, file_plugins},
};
use serde_json::json;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `(mode, key)` for every worker key of the Java peer's classes.
fn java_worker_keys() -> BTreeSet<(String, String)> {
    let (lib, _) = require_java_connect();
    let classes = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nothing-silent-classes");
    std::fs::create_dir_all(&classes).unwrap();
    let classpath = format!("{}/*", lib.display());
    let source = repo_root().join("tests/nothing-silent/JavaWorkerKeys.java");
    let status = Command::new("javac")
        .args(["--release", "17", "-nowarn", "-cp", &classpath, "-d"])
        .arg(&classes)
        .arg(&source)
        .status()
        .expect("javac (JDK 17) must be on PATH");
    assert!(status.success(), "javac failed on {}", source.display());
    let out = Command::new(java_binary())
        .arg("-cp")
        .arg(format!("{classpath}:{}", classes.display()))
        .arg("JavaWorkerKeys")
        .output()
        .expect("java must be on PATH");
    assert!(
        out.status.success(),
        "JavaWorkerKeys failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: BTreeSet<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(m, k)| (m.to_owned(), k.to_owned()))
        .collect();
    assert!(keys.len() > 100, "too few worker keys from Java: {keys:?}");
    keys
}

/// `(kind, key)` for every key the Java peer's validate endpoint lists for its file sink and
/// file source.
fn java_connector_keys() -> BTreeSet<(String, String)> {
    let peer = require_peer_connect();
    let http = reqwest::blocking::Client::new();
    let mut keys = BTreeSet::new();
    for (kind, body) in [
        (
            "sink",
            json!({"connector.class": "FileStreamSink", "name": "keys", "topics": "t"}),
        ),
        (
            "source",
            json!({"connector.class": "FileStreamSource", "name": "keys", "topic": "t"}),
        ),
    ] {
        let class = body["connector.class"].as_str().unwrap().to_owned();
        let (code, infos) = call(
            &http,
            "PUT",
            &format!("{peer}/connector-plugins/{class}/config/validate"),
            Some(&body.to_string()),
        );
        assert_eq!(code, 200, "{infos}");
        for c in infos["configs"].as_array().unwrap() {
            keys.insert((
                kind.to_owned(),
                c["definition"]["name"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert!(
        keys.len() > 40,
        "too few connector keys from Java: {keys:?}"
    );
    keys
}

/// Whether `path/file.rs::function` names a function that exists.
fn test_exists(reference: &str) -> Result<(), String> {
    let (file, function) = reference
        .split_once("::")
        .ok_or_else(|| format!("'{reference}' is not file::function"))?;
    let text = std::fs::read_to_string(repo_root().join(file))
        .map_err(|e| format!("'{reference}': cannot read {file}: {e}"))?;
    let found = [format!("fn {function}("), format!("fn {function}<")]
        .iter()
        .any(|sig| text.contains(sig.as_str()));
    found
        .then_some(())
        .ok_or_else(|| format!("'{reference}': no fn {function} in {file}"))
}

fn refused_value(entry: &KeySupport) -> Option<&'static str> {
    match entry.support {
        Support::Implemented { refused, .. } => refused,
        Support::DefaultOnly { refused } | Support::Refused { refused } => Some(refused),
    }
}

fn distributed_minimum() -> BTreeMap<String, String> {
    [
        ("bootstrap.servers", "127.0.0.1:9092"),
        ("group.id", "g"),
        ("config.storage.topic", "c"),
        ("offset.storage.topic", "o"),
        ("status.storage.topic", "s"),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// This host's answer to worker `key=value`: the error text, if it refuses.
fn worker_refusal(key: &str, value: &str) -> Option<String> {
    let mut props = distributed_minimum();
    props.insert(key.to_owned(), value.to_owned());
    WorkerConfig::from_props(Mode::Distributed, props)
        .err()
        .map(|e| e.to_string())
}

/// Every error this host's validation gives a `kind` file connector with `key=value`.
fn connector_errors(registry: &PluginRegistry, kind: &str, key: &str, value: &str) -> String {
    let mut props: BTreeMap<String, String> = if kind == "sink" {
        [
            ("connector.class", "FileStreamSink"),
            ("name", "keys"),
            ("topics", "t"),
        ]
    } else {
        [
            ("connector.class", "FileStreamSource"),
            ("name", "keys"),
            ("topic", "t"),
        ]
    }
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    props.insert(key.to_owned(), value.to_owned());
    match validate::validate(registry, OverridePolicy::All, None, &props) {
        Ok(infos) => infos
            .configs
            .iter()
            .flat_map(|c| c.value.errors.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_key_the_java_peer_defines_is_implemented_or_refused() {
    let worker_keys = java_worker_keys();
    let connector_keys = java_connector_keys();
    let plugins_dir = tempfile::tempdir().unwrap();
    let registry = PluginRegistry::load(&[file_plugins(plugins_dir.path())]);
    assert!(
        registry.lookup("FileStreamSink").is_ok() && registry.lookup("FileStreamSource").is_ok(),
        "the file plugins load: {:?}",
        registry.refused()
    );
    let mut problems: Vec<String> = Vec::new();

    // Every Java key has an entry.
    for (mode, key) in &worker_keys {
        if lookup(WORKER_KEYS, key).is_none() {
            problems.push(format!(
                "worker key {key} ({mode}) is missing from config/key_support.rs WORKER_KEYS"
            ));
        }
    }
    for (kind, key) in &connector_keys {
        if lookup(CONNECTOR_KEYS, key).is_none() {
            problems.push(format!(
                "connector key {key} ({kind}) is missing from config/key_support.rs CONNECTOR_KEYS"
            ));
        }
    }

    // Every named test exists.
    for entry in WORKER_KEYS.iter().chain(CONNECTOR_KEYS) {
        if let Support::Implemented { test, .. } = entry.support
            && let Err(why) = test_exists(test)
        {
            problems.push(format!("{}: {why}", entry.key));
        }
    }

    // Every refusal happens, for each Java key the entry covers.
    let mut checked = 0;
    for entry in WORKER_KEYS {
        let Some(value) = refused_value(entry) else {
            continue;
        };
        let keys: BTreeSet<&str> = worker_keys
            .iter()
            .map(|(_, k)| k.as_str())
            .filter(|k| entry.covers(k))
            .collect();
        if keys.is_empty() {
            problems.push(format!(
                "worker entry {} covers no key of the Java peer",
                entry.key
            ));
        }
        for key in keys {
            checked += 1;
            let expected = format!("not supported yet: {key}");
            match worker_refusal(key, value) {
                Some(e) if e.contains(&expected) => {}
                other => problems.push(format!(
                    "worker {key}={value} should be refused with '{expected}', got {other:?}"
                )),
            }
        }
    }
    for entry in CONNECTOR_KEYS {
        let Some(value) = refused_value(entry) else {
            continue;
        };
        let keys: BTreeSet<(&str, &str)> = connector_keys
            .iter()
            .filter(|(_, k)| entry.covers(k))
            .map(|(kind, k)| (kind.as_str(), k.as_str()))
            .collect();
        if keys.is_empty() {
            problems.push(format!(
                "connector entry {} covers no key of the Java peer",
                entry.key
            ));
        }
        for (kind, key) in keys {
            checked += 1;
            let expected = format!("not supported yet: {key}");
            let errors = connector_errors(&registry, kind, key, value);
            if !errors.contains(&expected) {
                problems.push(format!(
                    "{kind} connector {key}={value} should be refused with '{expected}', got: {errors}"
                ));
            }
        }
    }
    assert!(
        checked > 60,
        "only {checked} refusals checked: the Java key lists look wrong"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn defaults_of_default_only_keys_are_accepted() {
    let worker_defaults: [(&str, &str); 6] = [
        ("ssl.protocol", "TLSv1.3"),
        ("ssl.enabled.protocols", "TLSv1.2,TLSv1.3"),
        ("metrics.recording.level", "INFO"),
        ("plugin.discovery", "hybrid_warn"),
        ("exactly.once.source.support", "disabled"),
        ("socket.connection.setup.timeout.max.ms", "30000"),
    ];
    for (key, value) in worker_defaults {
        assert!(
            matches!(
                lookup(WORKER_KEYS, key).unwrap().support,
                Support::DefaultOnly { .. }
            ),
            "{key}"
        );
        assert_eq!(worker_refusal(key, value), None, "{key}={value}");
    }
    let plugins_dir = tempfile::tempdir().unwrap();
    let registry = PluginRegistry::load(&[file_plugins(plugins_dir.path())]);
    let version = registry
        .lookup("FileStreamSource")
        .unwrap()
        .info
        .version
        .to_string();
    for (key, value) in [
        ("exactly.once.support", "requested"),
        ("transaction.boundary", "poll"),
        ("connector.plugin.version", version.as_str()),
    ] {
        let errors = connector_errors(&registry, "source", key, value);
        assert!(!errors.contains(key), "{key}={value}: {errors}");
    }
}
