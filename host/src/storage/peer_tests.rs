//! Interop tests against a Java Kafka Connect worker in distributed mode, the oracle for the
//! config and status topic formats (`scripts/infra.sh up --peer`; its REST address in
//! `PEER_CONNECT_URL`, default `http://127.0.0.1:18083`; its topics as
//! `scripts/infra/connect/connect-distributed.properties` names them).
//!
//! They read the peer's topics with our stores and never write to them: only the peer writes
//! there, through its REST API. They skip, saying so, when the peer is not reachable (it is
//! optional infrastructure), but fail when Kafka is not. Other test runs may use the peer at the
//! same time, so every check tolerates records it did not cause.
//!
//! The peer's log (`CONNECT_PEER_LOG`, default `.infra/logs/connect-peer.log` in the workspace)
//! is used, when present, for the config offset the Java worker reports.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use serde_json::{Value, json};

use super::config_format::{self, ConfigRecord};
use super::config_state::ConfigState;
use super::kafka_tests::{bootstrap, delete_topics, no_props, spec, unique_topic, with_timeout};
use super::status_format::{self, StatusRecord};
use super::{KafkaConfigLog, KafkaStatusStore, LogRecord, TopicLog};
use crate::runtime::status::State;
use crate::runtime::stores::{ConfigLog, RestartRequest, StatusStore};

/// The peer's REST address, or `None` (with the reason printed) when it does not answer.
fn peer() -> Option<Peer> {
    let url = std::env::var("PEER_CONNECT_URL").unwrap_or_else(|_| "http://127.0.0.1:18083".into());
    let address = url
        .trim_end_matches('/')
        .strip_prefix("http://")
        .expect("PEER_CONNECT_URL is http://host:port")
        .to_string();
    let peer = Peer { address };
    match peer.call("GET", "/", None) {
        Ok((200, body)) if body.contains("\"version\"") => Some(peer),
        outcome => {
            eprintln!(
                "SKIPPED: no Java Kafka Connect peer at {url} ({outcome:?}); start it with \
                 scripts/infra.sh up --peer"
            );
            None
        }
    }
}

/// A topic name from the peer's worker properties (the file the infra script starts it with).
fn peer_topic(setting: &str) -> String {
    let path = workspace().join("scripts/infra/connect/connect-distributed.properties");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .find_map(|line| line.trim().strip_prefix(setting)?.trim().strip_prefix('='))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("{setting} not in {path:?}"))
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the host crate is inside the workspace")
        .to_path_buf()
}

/// The Java worker's REST API, spoken as plain HTTP/1.0 (no chunked replies to decode).
struct Peer {
    address: String,
}

impl Peer {
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, String), String> {
        let addr = self
            .address
            .to_socket_addrs()
            .map_err(|e| e.to_string())?
            .next()
            .ok_or("no address")?;
        let mut stream =
            TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| e.to_string())?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nAccept: application/json\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut reply = String::new();
        stream
            .read_to_string(&mut reply)
            .map_err(|e| e.to_string())?;
        let (head, body) = reply.split_once("\r\n\r\n").ok_or("no HTTP header")?;
        let code = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("bad status line: {head}"))?;
        Ok((code, body.to_string()))
    }

    fn expect(&self, method: &str, path: &str, body: Option<&Value>, code: u16) -> String {
        match self.call(method, path, body) {
            Ok((got, reply)) if got == code => reply,
            outcome => panic!("{method} {path}: expected {code}, got {outcome:?}"),
        }
    }
}

/// Deletes the peer connector when the test ends, whichever way it ends.
struct PeerConnector<'a> {
    peer: &'a Peer,
    name: String,
}

impl Drop for PeerConnector<'_> {
    fn drop(&mut self) {
        let _ = self
            .peer
            .call("DELETE", &format!("/connectors/{}", self.name), None);
    }
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The end offset of partition 0 of `topic`.
fn end_offset(bootstrap: &str, topic: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(10))
        .unwrap()
        .1
}

/// The config offset in the last "Starting connectors and tasks using config offset N" line of
/// the peer's log, if the log is here.
fn logged_config_offset() -> Option<i64> {
    let path = std::env::var_os("CONNECT_PEER_LOG")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".infra/logs/connect-peer.log"));
    let Ok(log) = std::fs::read_to_string(&path) else {
        eprintln!(
            "no peer log at {path:?}: the config offset is compared with the end offset only"
        );
        return None;
    };
    const MARK: &str = "Starting connectors and tasks using config offset ";
    log.lines().rev().find_map(|line| {
        line.split_once(MARK)?
            .1
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

#[test]
fn java_peer_config_topic_session_key_restart_request_and_offset() {
    let Some(peer) = peer() else { return };
    let bootstrap = bootstrap();
    with_timeout(move || {
        let topic = peer_topic("config.storage.topic");
        let status_topic = peer_topic("status.storage.topic");
        // Opened before the restart request is written, so it must be handed out by a snapshot.
        let log = KafkaConfigLog::open(&bootstrap, &topic, 1, &no_props()).unwrap();

        // A connector on the peer, running, so that it accepts a restart request.
        let name = format!("{}-source", unique_topic("store"));
        let data_topic = format!("{name}-data");
        let file = tempfile::NamedTempFile::new().unwrap();
        let connector = PeerConnector {
            peer: &peer,
            name: name.clone(),
        };
        peer.expect(
            "POST",
            "/connectors",
            Some(&json!({
                "name": name,
                "config": {
                    "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                    "tasks.max": "1",
                    "file": file.path().to_str().unwrap(),
                    "topic": data_topic,
                }
            })),
            201,
        );
        let status_path = format!("/connectors/{name}/status");
        wait_for(
            "the peer's connector and task to run",
            Duration::from_secs(60),
            || {
                let Ok((200, body)) = peer.call("GET", &status_path, None) else {
                    return false;
                };
                let status: Value = serde_json::from_str(&body).unwrap();
                status["connector"]["state"] == "RUNNING"
                    && status["tasks"][0]["state"] == "RUNNING"
            },
        );
        peer.expect(
            "POST",
            &format!("/connectors/{name}/restart?includeTasks=true&onlyFailed=false"),
            None,
            202,
        );

        // The leader (the peer) wrote the request; our log hands it out.
        let mut seen = Vec::new();
        wait_for(
            "the restart request in our snapshot",
            Duration::from_secs(30),
            || {
                seen.extend(
                    log.snapshot()
                        .unwrap()
                        .restart_requests
                        .into_iter()
                        .filter(|r| r.connector == name),
                );
                !seen.is_empty()
            },
        );
        let request = RestartRequest {
            connector: name.clone(),
            include_tasks: true,
            only_failed: false,
        };
        assert_eq!(seen, vec![request.clone()]);

        // Its session key (the peer runs `sessioned`).
        let snapshot = log.snapshot().unwrap();
        let key = snapshot
            .session_key
            .clone()
            .expect("a sessioned Java leader writes a session key");
        assert_eq!(key.algorithm, "HmacSHA256");
        assert_eq!(key.key.len(), 32);
        assert!(snapshot.connectors.contains_key(&name));

        // Every record the peer wrote decodes, and our encoding of what it wrote is its bytes.
        let reader = TopicLog::open(&bootstrap, &topic, spec(1, true), &no_props()).unwrap();
        let records = reader.read_to_end().unwrap();
        for r in &records {
            let decoded = config_format::decode(&r.key, r.value.as_deref());
            assert!(
                decoded.is_ok(),
                "record at {} ({}): {decoded:?}",
                r.offset,
                String::from_utf8_lossy(&r.key)
            );
        }
        let last = |key: &[u8]| -> &LogRecord {
            records
                .iter()
                .rev()
                .find(|r| r.key == key)
                .expect("written by the peer")
        };
        let java_key = last(b"session-key");
        let Ok(ConfigRecord::SessionKey(latest_key)) =
            config_format::decode(&java_key.key, java_key.value.as_deref())
        else {
            panic!("the session key decodes");
        };
        let java_restart = last(&config_format::restart_key(&name));
        assert_eq!(
            String::from_utf8_lossy(java_restart.value.as_deref().unwrap()),
            r#"{"include-tasks":true,"only-failed":false}"#
        );

        // Ours, written to a scratch topic through the ConfigLog, are the same bytes.
        let scratch = unique_topic("configs-java-format");
        let ours = KafkaConfigLog::open(&bootstrap, &scratch, 1, &no_props()).unwrap();
        ours.put_session_key(&latest_key).unwrap();
        ours.put_restart_request(&request).unwrap();
        let written = TopicLog::open(&bootstrap, &scratch, spec(1, true), &no_props())
            .unwrap()
            .read_to_end()
            .unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(
            (&written[0].key, &written[0].value),
            (&java_key.key, &java_key.value),
            "session key record"
        );
        assert_eq!(
            (&written[1].key, &written[1].value),
            (&java_restart.key, &java_restart.value),
            "restart request record"
        );
        delete_topics(&bootstrap, &[&scratch]);

        // The config offset: Java's for the records read. Every record decodes and the topic is
        // not transactional, so after a read that nothing was appended during, it is the end.
        let mut compared = false;
        for _ in 0..20 {
            let before = end_offset(&bootstrap, &topic);
            let offset = log.snapshot().unwrap().offset;
            if end_offset(&bootstrap, &topic) == before {
                assert_eq!(offset, before, "config offset = end offset");
                compared = true;
                break;
            }
        }
        assert!(compared, "the peer's config topic never stood still");
        // And the offset the Java worker itself reported at its last rebalance: replaying what it
        // had read gives the same number. (The topic is read again after the log, so it holds
        // every record the logged offset covers.)
        if let Some(java) = logged_config_offset().filter(|&n| n > 0) {
            let records = reader.read_to_end().unwrap();
            let mut state = ConfigState::default();
            for r in records.iter().filter(|r| r.offset < java) {
                state.replay(&topic, r.offset, &r.key, r.value.as_deref());
            }
            assert_eq!(
                state.snapshot().offset,
                java,
                "the peer logged 'using config offset {java}'"
            );
        }

        // Its statuses, read cluster-wide through our status store (read only: the peer's topic
        // is never written here), and every record of its status topic decodes.
        let statuses =
            KafkaStatusStore::open(&bootstrap, &status_topic, 1, 1, &no_props()).unwrap();
        wait_for(
            "the restarted connector to run again",
            Duration::from_secs(60),
            || {
                let connector = statuses.connector_status(&name).unwrap();
                let task = statuses.task_status(&name, 0).unwrap();
                [connector, task]
                    .iter()
                    .all(|s| s.as_ref().is_some_and(|s| s.state == State::Running))
            },
        );
        // The same owners the peer reports.
        let rest: Value =
            serde_json::from_str(&peer.expect("GET", &status_path, None, 200)).unwrap();
        let connector_status = statuses.connector_status(&name).unwrap().unwrap();
        let task = statuses.task_status(&name, 0).unwrap().unwrap();
        assert_eq!(
            rest["connector"]["worker_id"],
            connector_status.worker_id.as_str()
        );
        assert_eq!(rest["tasks"][0]["worker_id"], task.worker_id.as_str());
        assert!(task.generation >= 0);
        let status_records = TopicLog::open(&bootstrap, &status_topic, spec(1, true), &no_props())
            .unwrap()
            .read_to_end()
            .unwrap();
        let mut ours_seen = 0;
        for r in &status_records {
            let decoded = status_format::decode(&r.key, r.value.as_deref());
            assert!(
                decoded.is_ok(),
                "status record at {}/{} ({}): {decoded:?}",
                r.partition,
                r.offset,
                String::from_utf8_lossy(&r.key)
            );
            if let Ok(
                StatusRecord::Task { connector, .. }
                | StatusRecord::Connector {
                    name: connector, ..
                },
            ) = decoded
                && connector == name
            {
                ours_seen += 1;
            }
        }
        assert!(ours_seen >= 2, "the peer's statuses for {name}");

        drop(connector);
        delete_topics(&bootstrap, &[&data_topic]);
    });
}
