//! Sink connector offsets (`GET/PATCH/DELETE /connectors/{c}/offsets` for sinks): they are the
//! committed offsets of the consumer group `connect-<name>`, shown as
//! `{"partition":{"kafka_topic","kafka_partition"},"offset":{"kafka_offset"}}`.
//! Altering and resetting happen only while the connector is STOPPED, so the group has no
//! member that could commit over them.

use std::time::Duration;

use rdkafka::{
    ClientConfig, Offset, TopicPartitionList,
    admin::{AdminClient, AdminOptions},
    client::DefaultClientContext,
    consumer::{BaseConsumer, CommitMode, Consumer},
};
use serde_json::{Map, Value, json};

use super::{
    info::{ConnectorOffset, ConnectorOffsets},
    stores::ConfigMap,
};
use crate::config::{
    WorkerConfig,
    kafka_client::{self, ClientRole, Layers},
};

const TIMEOUT: Duration = Duration::from_secs(15);

/// The offsets API's client: the worker's admin settings (as Kafka's offsets API uses its admin
/// client), with the connector's group when it reads or writes the group's offsets.
fn client(config: &WorkerConfig, group: Option<&str>) -> Result<ClientConfig, String> {
    let mut cfg = kafka_client::client_config(config, Layers::Role(ClientRole::Admin))
        .map_err(|e| e.to_string())?;
    if let Some(g) = group {
        cfg.set("group.id", g).set("enable.auto.commit", "false");
    }
    Ok(cfg)
}

/// The group's committed offsets for the connector's topics.
pub fn read(
    config: &WorkerConfig,
    name: &str,
    connector: &ConfigMap,
) -> Result<ConnectorOffsets, String> {
    let consumer: BaseConsumer = client(config, Some(&format!("connect-{name}")))?
        .create()
        .map_err(|e| e.to_string())?;
    let metadata = consumer
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| format!("cannot read topic metadata: {e}"))?;
    let topics: Vec<String> = connector
        .get("topics")
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let regex = connector
        .get("topics.regex")
        .filter(|r| !r.is_empty())
        .and_then(|r| connect_data::transforms::java_regex::JavaPattern::compile(r).ok());
    let mut tpl = TopicPartitionList::new();
    for t in metadata.topics() {
        let wanted = topics.iter().any(|x| x == t.name())
            || regex.as_ref().is_some_and(|r| r.matches(t.name()));
        if wanted {
            for p in t.partitions() {
                tpl.add_partition(t.name(), p.id());
            }
        }
    }
    if tpl.count() == 0 {
        return Ok(ConnectorOffsets::default());
    }
    let committed = consumer
        .committed_offsets(tpl, TIMEOUT)
        .map_err(|e| format!("cannot read committed offsets: {e}"))?;
    let mut offsets: Vec<ConnectorOffset> = committed
        .elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(o) => Some(ConnectorOffset {
                partition: obj(json!({"kafka_topic": e.topic(), "kafka_partition": e.partition()})),
                offset: Some(obj(json!({"kafka_offset": o}))),
            }),
            _ => None,
        })
        .collect();
    offsets.sort_by(|a, b| {
        a.partition
            .get("kafka_topic")
            .map(|v| v.to_string())
            .cmp(&b.partition.get("kafka_topic").map(|v| v.to_string()))
    });
    Ok(ConnectorOffsets { offsets })
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Commits the given offsets for the group (the connector must be STOPPED).
pub fn alter(config: &WorkerConfig, name: &str, offsets: &ConnectorOffsets) -> Result<(), String> {
    let mut tpl = TopicPartitionList::new();
    for o in &offsets.offsets {
        let topic = o.partition.get("kafka_topic").and_then(Value::as_str).ok_or(
            "Sink connector offsets need a \"kafka_topic\" string in each partition, e.g. {\"kafka_topic\":\"t\",\"kafka_partition\":0}",
        )?;
        let partition = o
            .partition
            .get("kafka_partition")
            .and_then(|p| {
                p.as_i64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            })
            .ok_or("Sink connector offsets need a \"kafka_partition\" integer in each partition")?;
        let Some(offset) = &o.offset else {
            return Err(format!(
                "resetting one partition ({topic}-{partition}) of a sink connector is not supported; reset all with DELETE /connectors/{name}/offsets"
            ));
        };
        let off = offset
            .get("kafka_offset")
            .and_then(|p| p.as_i64().or_else(|| p.as_str().and_then(|s| s.parse().ok())))
            .filter(|o| *o >= 0)
            .ok_or("Sink connector offsets need a non-negative \"kafka_offset\" in each offset, e.g. {\"kafka_offset\":5}")?;
        tpl.add_partition_offset(topic, partition as i32, Offset::Offset(off))
            .map_err(|e| e.to_string())?;
    }
    let consumer: BaseConsumer = client(config, Some(&format!("connect-{name}")))?
        .create()
        .map_err(|e| e.to_string())?;
    consumer
        .commit(&tpl, CommitMode::Sync)
        .map_err(|e| format!("cannot commit the new offsets: {e}"))
}

/// Deletes the consumer group `connect-<name>`, so the connector starts over.
pub fn reset(config: &WorkerConfig, name: &str) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> =
        client(config, None)?.create().map_err(|e| e.to_string())?;
    let group = format!("connect-{name}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let results = rt
        .block_on(admin.delete_groups(
            &[&group],
            &AdminOptions::new().request_timeout(Some(TIMEOUT)),
        ))
        .map_err(|e| format!("cannot delete consumer group {group}: {e}"))?;
    for r in results {
        if let Err((g, code)) = r
            && code != rdkafka::types::RDKafkaErrorCode::GroupIdNotFound
        {
            return Err(format!("cannot delete consumer group {g}: {code}"));
        }
    }
    Ok(())
}
