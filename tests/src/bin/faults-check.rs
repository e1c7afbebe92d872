//! The producer and the exact counters of the fault suite (`scripts/faults.sh`,
//! docs/reliability.md). Records are the benchmark's product records (`common::product`): record
//! `i` has `"productId": 1000000 + i`, so every copy of every record can be told apart and
//! counted.
//!
//!   faults-check produce --topic T --from A --to B [--partitions P] [--create] [--rate R]
//!   faults-check es --index I --records N [--wait S]        the documents of an index
//!   faults-check file --path F --records N [--wait S]       the lines of a file
//!   faults-check topic --topic T --records N [--wait S]     the records of a topic
//!   faults-check committed --group G --topic T              the group's committed offsets
//!
//! The counters print one JSON object: `expected`, `found` (documents, lines or records),
//! `distinct` (records present at least once), `missing`, `duplicates` (copies beyond the first),
//! `malformed` (lines that are no record of 0..N, e.g. a torn line), the first missing records,
//! and `complete` (nothing missing, nothing malformed). With `--wait S` they poll until complete
//! or S seconds pass; the exit code is 0 when complete (duplicates allowed: the caller decides),
//! 1 when not.

use std::{
    io::BufRead,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rdkafka::{
    Message, Offset, TopicPartitionList,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    consumer::{BaseConsumer, Consumer},
    error::RDKafkaErrorCode,
    producer::{BaseProducer, BaseRecord, Producer},
};
use serde_json::{Value, json};

mod common;

const FIRST_ID: u64 = 1_000_000;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "KAFKA_BOOTSTRAP", default_value = "127.0.0.1:9092")]
    bootstrap: String,
    #[arg(long, env = "OPENSEARCH_URL", default_value = "http://127.0.0.1:9200")]
    url: String,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Produces records `from..to` (record i to partition i % P), paced at `rate` per second
    /// (0: as fast as possible); with --create the topic is (re)created first.
    Produce {
        #[arg(long)]
        topic: String,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
        #[arg(long, default_value_t = 1)]
        partitions: i32,
        #[arg(long)]
        create: bool,
        #[arg(long, default_value_t = 0)]
        rate: u64,
    },
    /// Counts the documents of an OpenSearch index by productId (composite aggregation).
    Es {
        #[arg(long)]
        index: String,
        #[arg(long)]
        records: u64,
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// Counts the lines of a file by record.
    File {
        #[arg(long)]
        path: std::path::PathBuf,
        #[arg(long)]
        records: u64,
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// Counts the records of a topic (all partitions, start to end) by record.
    Topic {
        #[arg(long)]
        topic: String,
        #[arg(long)]
        records: u64,
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// Prints the group's committed offsets of the topic: {"total": n, "partitions": {...}}.
    Committed {
        #[arg(long)]
        group: String,
        #[arg(long)]
        topic: String,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match &args.what {
        What::Produce {
            topic,
            from,
            to,
            partitions,
            create,
            rate,
        } => produce(
            &args.bootstrap,
            topic,
            *from,
            *to,
            *partitions,
            *create,
            *rate,
        ),
        What::Es {
            index,
            records,
            wait,
        } => {
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?;
            let url = args.url.trim_end_matches('/');
            until(*wait, || es_tally(&http, url, index, *records))
        }
        What::File {
            path,
            records,
            wait,
        } => until(*wait, || file_tally(path, *records)),
        What::Topic {
            topic,
            records,
            wait,
        } => until(*wait, || topic_tally(&args.bootstrap, topic, *records)),
        What::Committed { group, topic } => {
            let c = committed(&args.bootstrap, group, topic)?;
            let total: i64 = c.iter().map(|(_, o)| o).sum();
            let parts: serde_json::Map<String, Value> =
                c.iter().map(|(p, o)| (p.to_string(), json!(o))).collect();
            println!("{}", json!({"total": total, "partitions": parts}));
            Ok(())
        }
    }
}

/// Calls `tally` until it is complete or `wait` seconds pass; prints the last tally.
fn until(wait: u64, mut tally: impl FnMut() -> anyhow::Result<Tally>) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let t = tally();
        let done = matches!(&t, Ok(t) if t.complete());
        if done || Instant::now() >= deadline {
            let t = t?;
            println!("{}", t.json());
            std::process::exit(if t.complete() { 0 } else { 1 });
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// How often each record of 0..expected was seen.
struct Tally {
    expected: u64,
    seen: Vec<u32>,
    found: u64,
    malformed: u64,
}

impl Tally {
    fn new(expected: u64) -> Tally {
        Tally {
            expected,
            seen: vec![0; expected as usize],
            found: 0,
            malformed: 0,
        }
    }

    /// Counts `n` copies of the record with this productId (a malformed one if out of range).
    fn add_id(&mut self, id: u64, n: u64) {
        self.found += n;
        match id.checked_sub(FIRST_ID).filter(|i| *i < self.expected) {
            Some(i) => self.seen[i as usize] += n as u32,
            None => self.malformed += n,
        }
    }

    /// Counts a line or record value: it must be exactly record i's text.
    fn add_text(&mut self, text: &[u8], scratch: &mut Vec<u8>) {
        let id = product_id(text);
        if let Some(i) = id.and_then(|id| id.checked_sub(FIRST_ID))
            && i < self.expected
        {
            scratch.clear();
            common::product(i, scratch);
            if scratch.as_slice() == text {
                self.add_id(FIRST_ID + i, 1);
                return;
            }
        }
        self.found += 1;
        self.malformed += 1;
    }

    fn distinct(&self) -> u64 {
        self.seen.iter().filter(|n| **n > 0).count() as u64
    }

    fn duplicates(&self) -> u64 {
        self.seen.iter().map(|n| n.saturating_sub(1) as u64).sum()
    }

    fn complete(&self) -> bool {
        self.distinct() == self.expected && self.malformed == 0
    }

    fn json(&self) -> Value {
        let missing: Vec<u64> = self
            .seen
            .iter()
            .enumerate()
            .filter(|(_, n)| **n == 0)
            .map(|(i, _)| i as u64)
            .take(10)
            .collect();
        json!({
            "expected": self.expected,
            "found": self.found,
            "distinct": self.distinct(),
            "missing": self.expected - self.distinct(),
            "duplicates": self.duplicates(),
            "malformed": self.malformed,
            "first_missing": missing,
            "complete": self.complete(),
        })
    }
}

/// The productId of a record's text, if it starts like one.
fn product_id(text: &[u8]) -> Option<u64> {
    let rest = text.strip_prefix(br#"{"productId":"#)?;
    let end = rest.iter().position(|b| !b.is_ascii_digit())?;
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

fn es_tally(
    http: &reqwest::blocking::Client,
    url: &str,
    index: &str,
    expected: u64,
) -> anyhow::Result<Tally> {
    let r = http.post(format!("{url}/{index}/_refresh")).send()?;
    if !r.status().is_success() {
        bail!("refresh of {index}: HTTP {}", r.status());
    }
    let mut t = Tally::new(expected);
    let mut after: Option<Value> = None;
    let mut total = 0;
    loop {
        let mut composite = json!({
            "size": 10000,
            "sources": [{"id": {"terms": {"field": "productId"}}}],
        });
        if let Some(a) = &after {
            composite["after"] = a.clone();
        }
        let body = json!({"size": 0, "track_total_hits": true,
                          "aggs": {"ids": {"composite": composite}}});
        let r = http
            .post(format!("{url}/{index}/_search"))
            .json(&body)
            .send()?;
        let status = r.status();
        let v: Value = r.json()?;
        if !status.is_success() {
            bail!("search of {index}: HTTP {status}: {v}");
        }
        let buckets = v["aggregations"]["ids"]["buckets"]
            .as_array()
            .context("no composite buckets in the answer")?;
        for b in buckets {
            let id = b["key"]["id"].as_u64().context("bucket key")?;
            t.add_id(id, b["doc_count"].as_u64().unwrap_or(0));
        }
        if after.is_none() {
            total = v["hits"]["total"]["value"].as_u64().unwrap_or(0);
        }
        match v["aggregations"]["ids"].get("after_key") {
            Some(a) if !buckets.is_empty() => after = Some(a.clone()),
            _ => break,
        }
    }
    // Documents without a productId are in the total but in no bucket.
    t.malformed += total.saturating_sub(t.found);
    t.found = t.found.max(total);
    // `_count` must agree with the aggregation.
    let c: Value = http.get(format!("{url}/{index}/_count")).send()?.json()?;
    let count = c["count"].as_u64().context("_count")?;
    if count != t.found {
        bail!(
            "{index}: _count says {count}, the aggregation counted {}",
            t.found
        );
    }
    Ok(t)
}

fn file_tally(path: &std::path::Path, expected: u64) -> anyhow::Result<Tally> {
    let mut t = Tally::new(expected);
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(t),
        Err(e) => return Err(e).with_context(|| format!("open {}", path.display())),
    };
    let mut r = std::io::BufReader::with_capacity(1 << 20, f);
    let mut line = Vec::with_capacity(512);
    let mut scratch = Vec::with_capacity(512);
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            // The last line is still being written (or torn): not counted.
            break;
        }
        line.pop();
        t.add_text(&line, &mut scratch);
    }
    Ok(t)
}

fn topic_tally(bootstrap: &str, topic: &str, expected: u64) -> anyhow::Result<Tally> {
    let parts = common::partitions(bootstrap, topic, Duration::from_secs(30))?;
    let consumer: BaseConsumer = common::kafka_config(bootstrap)
        .set("group.id", "faults-check")
        .set("enable.auto.commit", "false")
        .set("fetch.max.bytes", "52428800")
        .create()?;
    let ends = common::watermarks(&consumer, topic, &parts)?;
    let mut tpl = TopicPartitionList::new();
    let mut left: std::collections::HashMap<i32, i64> = Default::default();
    for (p, lo, hi) in &ends {
        if hi > lo {
            tpl.add_partition_offset(topic, *p, Offset::Offset(*lo))?;
            left.insert(*p, *hi);
        }
    }
    let mut t = Tally::new(expected);
    if left.is_empty() {
        return Ok(t);
    }
    consumer.assign(&tpl)?;
    let mut scratch = Vec::with_capacity(512);
    let deadline = Instant::now() + Duration::from_secs(600);
    while !left.is_empty() {
        if Instant::now() >= deadline {
            bail!("reading {topic} took more than 600 s");
        }
        let Some(m) = consumer.poll(Duration::from_secs(1)) else {
            continue;
        };
        let m = m.with_context(|| format!("consuming {topic}"))?;
        t.add_text(m.payload().unwrap_or_default(), &mut scratch);
        if let Some(end) = left.get(&m.partition())
            && m.offset() + 1 >= *end
        {
            left.remove(&m.partition());
        }
    }
    Ok(t)
}

fn committed(bootstrap: &str, group: &str, topic: &str) -> anyhow::Result<Vec<(i32, i64)>> {
    let parts = common::partitions(bootstrap, topic, Duration::from_secs(30))?;
    let consumer: BaseConsumer = common::kafka_config(bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()?;
    let mut tpl = TopicPartitionList::new();
    for p in &parts {
        tpl.add_partition(topic, *p);
    }
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .with_context(|| format!("committed offsets of group {group}"))?;
    Ok(got
        .elements()
        .iter()
        .map(|e| {
            let o = match e.offset() {
                Offset::Offset(o) => o,
                _ => 0,
            };
            (e.partition(), o)
        })
        .collect())
}

fn produce(
    bootstrap: &str,
    topic: &str,
    from: u64,
    to: u64,
    partitions: i32,
    create: bool,
    rate: u64,
) -> anyhow::Result<()> {
    if create {
        recreate_topic(bootstrap, topic, partitions)?;
    }
    let producer: BaseProducer = common::kafka_config(bootstrap)
        .set("linger.ms", "20")
        .set("batch.size", "1000000")
        .set("queue.buffering.max.messages", "500000")
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .create()?;
    let t0 = Instant::now();
    let mut buf = Vec::with_capacity(512);
    for i in from..to {
        if rate > 0 && (i - from).is_multiple_of(100) {
            let due = t0 + Duration::from_secs_f64((i - from) as f64 / rate as f64);
            while Instant::now() < due {
                producer.poll(Duration::from_millis(5));
            }
        }
        buf.clear();
        common::product(i, &mut buf);
        let partition = (i % partitions as u64) as i32;
        loop {
            let rec: BaseRecord<'_, [u8], [u8]> =
                BaseRecord::to(topic).partition(partition).payload(&buf);
            match producer.send(rec) {
                Ok(()) => break,
                Err((e, _)) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) => {
                    producer.poll(Duration::from_millis(20));
                }
                Err((e, _)) => bail!("produce to {topic}: {e}"),
            }
        }
        if i.is_multiple_of(1000) {
            producer.poll(Duration::ZERO);
        }
    }
    producer
        .flush(Duration::from_secs(300))
        .context("flushing the producer")?;
    println!(
        "{}",
        json!({"produced": to - from, "seconds": (t0.elapsed().as_secs_f64() * 1000.0).round() / 1000.0})
    );
    Ok(())
}

fn recreate_topic(bootstrap: &str, topic: &str, partitions: i32) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let admin: AdminClient<DefaultClientContext> = common::kafka_config(bootstrap).create()?;
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    rt.block_on(admin.delete_topics(&[topic], &opts))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
        let res = rt.block_on(admin.create_topics([&new], &opts))?;
        match res.first() {
            Some(Ok(_)) => break,
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Some(Err((_, e))) => bail!("create topic {topic}: {e}"),
            None => bail!("create topic {topic}: no answer"),
        }
    }
    common::partitions(bootstrap, topic, Duration::from_secs(30))?;
    Ok(())
}
