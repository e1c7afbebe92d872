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

/// One record: key and value bytes.
pub type Record = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Every record of every partition of `topic`, from the beginning to the end offsets at the
/// time of the call (partitions one after the other).
pub fn read_records(bootstrap: &str, topic: &str) -> Vec<Record> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", crate::unique_name("reader"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let meta = consumer
        .fetch_metadata(Some(topic), IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("metadata of {topic}: {e}"));
    let partitions = meta.topics()[0].partitions().len() as i32;
    assert!(partitions > 0, "topic {topic} has no partitions");
    let mut records = Vec::new();
    for p in 0..partitions {
        let (_, high) = consumer
            .fetch_watermarks(topic, p, IO_TIMEOUT)
            .unwrap_or_else(|e| panic!("end offset of {topic}-{p}: {e}"));
        if high <= 0 {
            continue;
        }
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
        consumer.assign(&tpl).unwrap();
        let deadline = Instant::now() + IO_TIMEOUT;
        let mut next = 0;
        while next < high {
            assert!(
                Instant::now() < deadline,
                "reading {topic}-{p}: at offset {next} of {high} after {IO_TIMEOUT:?}"
            );
            match consumer.poll(Duration::from_millis(200)) {
                Some(Ok(m)) => {
                    next = m.offset() + 1;
                    records.push((m.key().map(<[u8]>::to_vec), m.payload().map(<[u8]>::to_vec)));
                }
                Some(Err(e)) => panic!("reading {topic}-{p}: {e}"),
                None => {}
            }
        }
    }
    records
}
