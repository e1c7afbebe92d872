//! The sink-overhead baseline: a bare rdkafka consumer that joins a fresh consumer group (as a
//! sink task does), reads a topic from the beginning to the end offsets it saw at start, and
//! touches every value. No conversion, no batches, no plugin, no commits.
//!
//!   bench-bare-consumer --topic T [--group G] [--bootstrap 127.0.0.1:9092]
//!
//! Prints one JSON line: records, bytes, seconds (from creating the consumer to the last record),
//! rss_kb (peak), cpu_s.

use std::{collections::HashMap, time::Duration, time::Instant};

use anyhow::{Context, bail};
use clap::Parser;
use rdkafka::{
    Message,
    consumer::{BaseConsumer, Consumer},
};

mod common;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    topic: String,
    /// Consumer group (default: a new one per run).
    #[arg(long)]
    group: Option<String>,
    #[arg(long, env = "KAFKA_BOOTSTRAP", default_value = "127.0.0.1:9092")]
    bootstrap: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let parts = common::partitions(&args.bootstrap, &args.topic, Duration::from_secs(30))?;
    let group = args
        .group
        .clone()
        .unwrap_or_else(|| format!("bench-bare-{}", std::process::id()));
    let t0 = Instant::now();
    let consumer: BaseConsumer = common::kafka_config(&args.bootstrap)
        .set("group.id", &group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        // The consumer settings our host's sink tasks use (runtime/sink_task.rs): without the
        // short fetch back-off librdkafka idles up to 1 s whenever its queue filled up.
        .set("fetch.queue.backoff.ms", "10")
        .set("queued.max.messages.kbytes", "4096")
        .create()?;
    consumer.subscribe(&[&args.topic])?;
    let marks = common::watermarks(&consumer, &args.topic, &parts)?;
    let total: i64 = marks.iter().map(|(_, lo, hi)| hi - lo).sum();
    let mut end: HashMap<i32, i64> = marks.iter().map(|(p, _, hi)| (*p, *hi)).collect();
    let (mut seen, mut bytes, mut sum) = (0i64, 0u64, 0u64);
    let mut last_record = Instant::now();
    while seen < total {
        // None also when poll served an event (a rebalance) instead of a message.
        let Some(m) = consumer.poll(Duration::from_secs(1)) else {
            if last_record.elapsed() > Duration::from_secs(30) {
                bail!("no record for 30 s after {seen} of {total}");
            }
            continue;
        };
        last_record = Instant::now();
        let m = m.context("consuming")?;
        let Some(e) = end.get_mut(&m.partition()) else {
            continue;
        };
        if m.offset() >= *e {
            continue;
        }
        if m.offset() + 1 == *e {
            *e = i64::MIN;
        }
        seen += 1;
        if let Some(v) = m.payload() {
            bytes += v.len() as u64;
            sum = sum.wrapping_add(v.iter().map(|&b| b as u64).sum::<u64>());
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    std::hint::black_box(sum);
    let (rss_kb, cpu_s) = common::self_usage();
    println!(
        "{{\"records\":{seen},\"bytes\":{bytes},\"seconds\":{seconds:.3},\"rss_kb\":{rss_kb},\"cpu_s\":{cpu_s:.2}}}"
    );
    Ok(())
}
