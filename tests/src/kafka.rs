//! Small blocking Kafka helpers for tests: create a topic, produce values, read what a consumer
//! group committed, read a whole topic.

use std::time::{Duration, Instant};

use rdkafka::{
    ClientConfig, Message, Offset, TopicPartitionList,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    consumer::{BaseConsumer, Consumer},
    producer::{BaseProducer, BaseRecord, Producer},
};

const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Creates `topic` with `partitions` partitions on the cluster at `bootstrap`.
pub fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime
        .block_on(admin.create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(IO_TIMEOUT)),
        ))
        .unwrap();
    for r in results {
        r.unwrap_or_else(|(t, e)| panic!("creating topic {t}: {e}"));
    }
}

/// Produces each value (no key) to `topic` and waits until all are acknowledged.
pub fn produce(bootstrap: &str, topic: &str, values: impl IntoIterator<Item = String>) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .create()
        .unwrap();
    for v in values {
        loop {
            match producer.send(BaseRecord::<(), str>::to(topic).payload(&v)) {
                Ok(()) => break,
                Err(_) => {
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
    }
    producer.flush(IO_TIMEOUT).unwrap();
}

/// What group `group` committed for partition `partition` of `topic` (`None`: nothing).
pub fn committed(bootstrap: &str, group: &str, topic: &str, partition: i32) -> Option<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .unwrap();
    // The list is dropped before the consumer: librdkafka hangs destroying a consumer while a
    // list it returned is alive.
    let offset = {
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition(topic, partition);
        let got = consumer.committed_offsets(tpl, IO_TIMEOUT).unwrap();
        match got.find_partition(topic, partition).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => Some(o),
            _ => None,
        }
    };
    drop(consumer);
    offset
}

/// Every value of partition 0..`partitions` of `topic`, from the beginning to the current end.
pub fn read_all(bootstrap: &str, topic: &str, partitions: i32) -> Vec<String> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", crate::unique_name("reader"))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    let mut left = 0;
    for p in 0..partitions {
        let (low, high) = consumer.fetch_watermarks(topic, p, IO_TIMEOUT).unwrap();
        if high > low {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .unwrap();
            left += 1;
        }
    }
    let mut out = Vec::new();
    if left == 0 {
        return out;
    }
    consumer.assign(&tpl).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while left > 0 && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => out.push(String::from_utf8_lossy(m.payload().unwrap_or(b"")).into()),
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => left -= 1,
            _ => {}
        }
    }
    assert_eq!(left, 0, "reading {topic} to its end timed out");
    out
}
