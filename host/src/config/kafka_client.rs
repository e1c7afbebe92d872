//! The settings of every Kafka client the worker makes, built in one place and layered as Kafka
//! Connect layers them:
//!
//! 1. `bootstrap.servers`;
//! 2. the worker-wide client settings (`client.id`, timeouts, buffers, and the security keys
//!    `security.protocol`, `ssl.*`, `sasl.*`);
//! 3. for task, DLQ and offset clients, the worker's `producer.*`, `consumer.*` or `admin.*`;
//! 4. for task clients, the connector's `producer.override.*`, `consumer.override.*` or
//!    `admin.override.*` (already checked against `connector.client.config.override.policy`);
//!
//! then Java's key names are turned into librdkafka's (`kafka_security` for TLS and SASL,
//! `send.buffer.bytes` → `socket.send.buffer.bytes`). The internal-topic stores and the cluster
//! id probe use layers 1 and 2 only, as Kafka's backing stores take the worker's top-level
//! settings.

use std::collections::BTreeMap;

use rdkafka::ClientConfig;

use super::WorkerConfig;
use super::kafka_security::{self, SecurityError};

/// Which kind of client, for the worker's prefix layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRole {
    /// A producer (`producer.*`).
    Producer,
    /// A consumer (`consumer.*`).
    Consumer,
    /// An admin client (`admin.*`).
    Admin,
}

impl ClientRole {
    /// The worker prefix of this role.
    pub fn prefix(self) -> &'static str {
        match self {
            ClientRole::Producer => "producer.",
            ClientRole::Consumer => "consumer.",
            ClientRole::Admin => "admin.",
        }
    }
}

/// Which layers a client gets.
#[derive(Debug, Clone, Copy)]
pub enum Layers<'a> {
    /// The worker-wide settings only (internal-topic stores, the cluster id probe).
    Worker,
    /// The worker-wide settings and the role's prefix (offset and DLQ-topic admin clients).
    Role(ClientRole),
    /// Those and a connector's overrides for the role (task clients).
    Task(ClientRole, &'a BTreeMap<String, String>),
}

/// Why a client's settings cannot be used: every security problem, each naming its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettingsError(pub Vec<SecurityError>);

impl std::fmt::Display for ClientSettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if e.unsupported {
                write!(f, "not supported yet: {}: {}", e.key, e.message)?;
            } else {
                write!(f, "invalid {}: {}", e.key, e.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ClientSettingsError {}

/// A Java client setting under librdkafka's name (for the keys that are not security keys):
/// `send.buffer.bytes` and `receive.buffer.bytes` are librdkafka's `socket.send.buffer.bytes`
/// and `socket.receive.buffer.bytes`, whose "system default" is 0 where Java's is -1.
pub fn librdkafka_setting(key: &str, value: &str) -> (String, String) {
    match key {
        "send.buffer.bytes" | "receive.buffer.bytes" => {
            let value = if value.trim() == "-1" {
                "0"
            } else {
                value.trim()
            };
            (format!("socket.{key}"), value.to_string())
        }
        _ => (key.to_string(), value.to_string()),
    }
}

/// The layered settings under Java's names (what a Java worker would hand its client).
pub fn java_settings(worker: &WorkerConfig, layers: Layers<'_>) -> BTreeMap<String, String> {
    let mut settings = BTreeMap::new();
    settings.insert(
        "bootstrap.servers".to_owned(),
        worker.bootstrap_servers.join(","),
    );
    settings.extend(worker.client.iter().map(|(k, v)| (k.clone(), v.clone())));
    let (role, overrides) = match layers {
        Layers::Worker => (None, None),
        Layers::Role(r) => (Some(r), None),
        Layers::Task(r, o) => (Some(r), Some(o)),
    };
    if let Some(role) = role {
        let prefixed = match role {
            ClientRole::Producer => &worker.producer,
            ClientRole::Consumer => &worker.consumer,
            ClientRole::Admin => &worker.admin,
        };
        settings.extend(prefixed.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(o) = overrides {
        settings.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    settings
}

/// The librdkafka settings of a client: [`java_settings`] translated. `max.poll.records` is
/// left out (the host reads it itself: the batch size of a sink's `put`).
pub fn librdkafka_settings(
    worker: &WorkerConfig,
    layers: Layers<'_>,
) -> Result<BTreeMap<String, String>, ClientSettingsError> {
    let java = java_settings(worker, layers);
    let mut out = BTreeMap::new();
    for (k, v) in &java {
        if kafka_security::is_security_key(k) || k == "max.poll.records" {
            continue;
        }
        let (k, v) = librdkafka_setting(k, v);
        out.insert(k, v);
    }
    kafka_security::translate(&java, &mut out).map_err(ClientSettingsError)?;
    Ok(out)
}

/// The client configuration of a client with `layers`.
pub fn client_config(
    worker: &WorkerConfig,
    layers: Layers<'_>,
) -> Result<ClientConfig, ClientSettingsError> {
    let mut cfg = ClientConfig::new();
    for (k, v) in librdkafka_settings(worker, layers)? {
        cfg.set(k, v);
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(pairs: &[(&str, &str)]) -> WorkerConfig {
        let mut props: BTreeMap<String, String> = [
            ("bootstrap.servers", "127.0.0.1:9092"),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("offset.storage.file.filename", "/tmp/offsets"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        props.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        WorkerConfig::from_props(super::super::Mode::Standalone, props).unwrap()
    }

    #[test]
    fn each_layer_wins_over_the_one_before() {
        let w = worker(&[
            ("client.id", "w"),
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "PLAIN"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="worker" password="w";"#,
            ),
            ("producer.client.id", "p"),
            ("producer.linger.ms", "5"),
            ("consumer.max.poll.records", "10"),
            ("admin.client.id", "a"),
            ("send.buffer.bytes", "-1"),
        ]);
        let stores = librdkafka_settings(&w, Layers::Worker).unwrap();
        assert_eq!(stores["bootstrap.servers"], "127.0.0.1:9092");
        assert_eq!(stores["client.id"], "w");
        assert_eq!(stores["security.protocol"], "sasl_plaintext");
        assert_eq!(stores["sasl.username"], "worker");
        assert_eq!(stores["socket.send.buffer.bytes"], "0");
        assert!(!stores.contains_key("linger.ms"));

        let producer = librdkafka_settings(&w, Layers::Role(ClientRole::Producer)).unwrap();
        assert_eq!(producer["client.id"], "p");
        assert_eq!(producer["linger.ms"], "5");
        let admin = librdkafka_settings(&w, Layers::Role(ClientRole::Admin)).unwrap();
        assert_eq!(admin["client.id"], "a");

        let overrides: BTreeMap<String, String> = [
            ("linger.ms", "50"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="task" password="t";"#,
            ),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let task = librdkafka_settings(&w, Layers::Task(ClientRole::Producer, &overrides)).unwrap();
        assert_eq!(task["linger.ms"], "50");
        assert_eq!(task["sasl.username"], "task");
        assert_eq!(task["security.protocol"], "sasl_plaintext");

        let consumer = librdkafka_settings(&w, Layers::Role(ClientRole::Consumer)).unwrap();
        assert!(
            !consumer.contains_key("max.poll.records"),
            "the host reads it, librdkafka would refuse it"
        );
    }

    #[test]
    fn only_the_role_with_a_setting_gets_it() {
        let w = worker(&[("consumer.sasl.mechanism", "SCRAM-SHA-256")]);
        let consumer = librdkafka_settings(&w, Layers::Role(ClientRole::Consumer)).unwrap();
        assert_eq!(consumer["sasl.mechanisms"], "SCRAM-SHA-256");
        let producer = librdkafka_settings(&w, Layers::Role(ClientRole::Producer)).unwrap();
        assert!(!producer.contains_key("sasl.mechanisms"));
    }
}
