//! Smoke test of the real Kafka broker through rdkafka: admin, produce, group consume, commit.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use connect_tests::{require_kafka, run_with_deadline, unique_name};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

const RECORDS: usize = 10_000;
const PARTITIONS: i32 = 3;
const IO_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn produce_consume_and_commit_10k_records() -> Result<()> {
    let bootstrap = require_kafka();
    run_with_deadline("kafka smoke test", Duration::from_secs(180), move || {
        run(bootstrap)
    })
}

async fn run(bootstrap: String) -> Result<()> {
    let bootstrap = bootstrap.as_str();
    let topic = unique_name("smoke-kafka");
    let group = unique_name("smoke-kafka-group");

    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .context("creating the admin client")?;
    let opts = AdminOptions::new().operation_timeout(Some(IO_TIMEOUT));
    let created = admin
        .create_topics(
            &[NewTopic::new(
                &topic,
                PARTITIONS,
                TopicReplication::Fixed(1),
            )],
            &opts,
        )
        .await
        .context("CreateTopics request")?;
    for r in created {
        if let Err((name, code)) = r {
            bail!("creating topic {name} failed: {code}");
        }
    }

    // Produce: enqueue everything, then await every delivery report.
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("linger.ms", "5")
        .create()
        .context("creating the producer")?;
    let mut deliveries = Vec::with_capacity(RECORDS);
    for i in 0..RECORDS {
        let key = format!("key-{i}");
        let value = format!("value-{i}");
        let record = FutureRecord::to(&topic).key(&key).payload(&value);
        let delivery = producer
            .send_result(record)
            .map_err(|(e, _)| e)
            .with_context(|| format!("enqueueing record {i}"))?;
        deliveries.push(delivery);
    }
    let mut produced: BTreeMap<i32, i64> = BTreeMap::new();
    for (i, d) in deliveries.into_iter().enumerate() {
        let delivery = d
            .await
            .context("producer dropped before delivery")?
            .map_err(|(e, _)| e)
            .with_context(|| format!("delivering record {i}"))?;
        *produced.entry(delivery.partition).or_default() += 1;
    }
    ensure!(
        produced.values().sum::<i64>() == RECORDS as i64,
        "delivered {produced:?}"
    );

    // Consume in a group, without auto-commit; commit once at the end.
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", &group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("session.timeout.ms", "10000")
        .create()
        .context("creating the consumer")?;
    consumer.subscribe(&[&topic]).context("subscribing")?;
    let mut seen = HashSet::with_capacity(RECORDS);
    while seen.len() < RECORDS {
        let msg = tokio::time::timeout(IO_TIMEOUT, consumer.recv())
            .await
            .with_context(|| format!("no record for {IO_TIMEOUT:?} after {} records", seen.len()))?
            .context("consuming")?;
        let key = std::str::from_utf8(msg.key().context("record without key")?)?.to_string();
        let value = std::str::from_utf8(msg.payload().context("record without value")?)?;
        ensure!(
            value.strip_prefix("value-") == key.strip_prefix("key-"),
            "key {key} has value {value}"
        );
        ensure!(seen.insert(key.clone()), "duplicate record {key}");
    }
    consumer
        .commit_consumer_state(CommitMode::Sync)
        .context("committing")?;

    // The committed offsets must be the end offsets of every partition.
    // Careful: a TopicPartitionList from committed() holds references into the consumer; if it is
    // still alive when the consumer is dropped, rd_kafka_destroy hangs forever (observed with
    // librdkafka 2.12.1). So it lives in this block only.
    let committed_total = {
        let committed = consumer
            .committed(IO_TIMEOUT)
            .context("fetching committed offsets")?;
        check_committed(&consumer, &committed, &topic, &produced)?
    };
    ensure!(
        committed_total == RECORDS as i64,
        "committed offsets sum to {committed_total}"
    );

    drop(consumer);
    // Best effort: the topic name is unique anyway.
    let _ = admin.delete_topics(&[&topic], &opts).await;
    Ok(())
}

/// Checks that every partition's committed offset equals its end offset and the number of records
/// produced to it; returns the sum of the committed offsets.
fn check_committed(
    consumer: &StreamConsumer,
    committed: &TopicPartitionList,
    topic: &str,
    produced: &BTreeMap<i32, i64>,
) -> Result<i64> {
    let mut committed_total = 0;
    for p in 0..PARTITIONS {
        let (_low, high) = consumer
            .fetch_watermarks(topic, p, IO_TIMEOUT)
            .with_context(|| format!("watermarks of partition {p}"))?;
        let elem = committed
            .find_partition(topic, p)
            .with_context(|| format!("no committed offset for partition {p}"))?;
        let offset = match elem.offset() {
            Offset::Offset(o) => o,
            other => bail!("partition {p}: committed offset is {other:?}"),
        };
        ensure!(
            offset == high,
            "partition {p}: committed {offset}, end offset {high}"
        );
        ensure!(
            high == produced.get(&p).copied().unwrap_or(0),
            "partition {p}: end offset {high}, produced {produced:?}"
        );
        committed_total += offset;
    }
    Ok(committed_total)
}
