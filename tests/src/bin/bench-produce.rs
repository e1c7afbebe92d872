//! Benchmark input: N product-like JSON records of about 300 bytes, either produced to a fresh
//! topic of P partitions (record i to partition i % P, null key, as fast as rdkafka goes), or
//! written as lines to a file (`--file`, the file source's input). The same i gives the same
//! record in both forms.
//!
//!   bench-produce --topic T --partitions 4 --records 1000000 [--bootstrap 127.0.0.1:9092]
//!   bench-produce --file input.txt --records 1000000
//!   bench-produce --delete --topic T1,T2
//!
//! Prints one JSON line: records, bytes (values only), seconds.

use std::{
    io::Write,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::Parser;
use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    error::RDKafkaErrorCode,
    producer::{BaseProducer, BaseRecord, Producer},
};

mod common;

#[derive(Parser)]
struct Args {
    /// Records to write.
    #[arg(long, default_value_t = 0)]
    records: u64,
    /// Only delete the topics given with --topic (comma-separated) and exit.
    #[arg(long)]
    delete: bool,
    /// Topic to (re)create and fill.
    #[arg(long, conflicts_with = "file")]
    topic: Option<String>,
    /// Partitions of the topic.
    #[arg(long, default_value_t = 4)]
    partitions: i32,
    /// Write lines to this file instead of producing.
    #[arg(long)]
    file: Option<std::path::PathBuf>,
    #[arg(long, env = "KAFKA_BOOTSTRAP", default_value = "127.0.0.1:9092")]
    bootstrap: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.delete {
        let topics: Vec<&str> = args.topic.as_deref().unwrap_or("").split(',').collect();
        return common::delete_topics(&args.bootstrap, &topics);
    }
    let t0 = Instant::now();
    let mut buf = Vec::with_capacity(512);
    let mut bytes = 0u64;
    if let Some(path) = &args.file {
        let mut out = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?,
        );
        for i in 0..args.records {
            buf.clear();
            common::product(i, &mut buf);
            bytes += buf.len() as u64;
            buf.push(b'\n');
            out.write_all(&buf)?;
        }
        out.flush()?;
    } else {
        let Some(topic) = &args.topic else {
            bail!("give --topic or --file");
        };
        recreate_topic(&args.bootstrap, topic, args.partitions)?;
        let producer: BaseProducer = common::kafka_config(&args.bootstrap)
            .set("linger.ms", "20")
            .set("batch.size", "1000000")
            .set("queue.buffering.max.messages", "500000")
            .set("queue.buffering.max.kbytes", "1048576")
            .set("acks", "1")
            .create()?;
        for i in 0..args.records {
            buf.clear();
            common::product(i, &mut buf);
            bytes += buf.len() as u64;
            let partition = (i % args.partitions as u64) as i32;
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
            if i % 1000 == 0 {
                producer.poll(Duration::ZERO);
            }
        }
        producer
            .flush(Duration::from_secs(120))
            .context("flushing the producer")?;
        let parts = common::partitions(&args.bootstrap, topic, Duration::from_secs(30))?;
        let consumer = common::kafka_config(&args.bootstrap).create()?;
        let total: i64 = common::watermarks(&consumer, topic, &parts)?
            .iter()
            .map(|(_, lo, hi)| hi - lo)
            .sum();
        if total != args.records as i64 {
            bail!("{topic} holds {total} records, expected {}", args.records);
        }
    }
    println!(
        "{{\"records\":{},\"bytes\":{},\"avg_bytes\":{:.1},\"seconds\":{:.3}}}",
        args.records,
        bytes,
        bytes as f64 / args.records.max(1) as f64,
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Deletes the topic if it exists, then creates it with `partitions` partitions.
fn recreate_topic(bootstrap: &str, topic: &str, partitions: i32) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let admin: AdminClient<DefaultClientContext> = common::kafka_config(bootstrap).create()?;
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    rt.block_on(async {
        let _ = admin.delete_topics(&[topic], &opts).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
            let r = admin.create_topics(&[new], &opts).await?;
            match r.first() {
                Some(Ok(_)) => return Ok(()),
                // Deletion is asynchronous: the old topic may still be going away.
                Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists)))
                    if Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Some(Err((_, e))) => bail!("create topic {topic}: {e}"),
                None => bail!("create topic {topic}: no answer"),
            }
        }
    })?;
    common::partitions(bootstrap, topic, Duration::from_secs(30))?;
    Ok(())
}
