//! The Elasticsearch ceiling: reads a topic from the beginning to its end with a bare rdkafka
//! consumer (assigned partitions, no group) and sends the values to OpenSearch with `_bulk`,
//! using the same action lines as our sink with `key.ignore=true` (`_id` = topic+partition+offset),
//! the same batch size (2000) and the same number of requests in flight (5,
//! `max.in.flight.requests`). Nothing else: no conversion, no offsets, no retries (any failed item
//! is an error).
//!
//!   bench-bulk-loader --topic T --index I [--url http://127.0.0.1:9200] [--batch 2000] [--concurrency 5]
//!
//! Prints one JSON line: records, requests, seconds (until the last `_bulk` answered), rss_kb
//! (peak), cpu_s.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::Parser;
use rdkafka::{
    Message, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
};
use tokio::sync::Semaphore;

mod common;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    topic: String,
    /// Destination index (created first, with the server's defaults, as our sink does).
    #[arg(long)]
    index: String,
    #[arg(long, env = "OPENSEARCH_URL", default_value = "http://127.0.0.1:9200")]
    url: String,
    /// Documents per `_bulk` request (the sink's `batch.size`).
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    /// Requests in flight (the sink's `max.in.flight.requests`).
    #[arg(long, default_value_t = 5)]
    concurrency: usize,
    #[arg(long, env = "KAFKA_BOOTSTRAP", default_value = "127.0.0.1:9092")]
    bootstrap: String,
}

#[derive(serde::Deserialize)]
struct BulkAnswer {
    errors: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let t0 = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let url = args.url.trim_end_matches('/').to_owned();
    rt.block_on(async {
        let r = http.put(format!("{url}/{}", args.index)).send().await?;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        if !(200..300).contains(&status) && !body.contains("resource_already_exists_exception") {
            bail!("creating index {}: HTTP {status}: {body}", args.index);
        }
        Ok(())
    })?;

    let parts = common::partitions(&args.bootstrap, &args.topic, Duration::from_secs(30))?;
    let consumer: BaseConsumer = common::kafka_config(&args.bootstrap)
        .set("enable.partition.eof", "false")
        .set("group.id", "bench-bulk-loader-unused")
        .set("enable.auto.commit", "false")
        // The consumer settings our host's sink tasks use (runtime/sink_task.rs): without the
        // short fetch back-off librdkafka idles up to 1 s whenever its queue filled up.
        .set("fetch.queue.backoff.ms", "10")
        .set("queued.max.messages.kbytes", "4096")
        .create()?;
    let marks = common::watermarks(&consumer, &args.topic, &parts)?;
    let total: i64 = marks.iter().map(|(_, lo, hi)| hi - lo).sum();
    let mut end: std::collections::HashMap<i32, i64> =
        marks.iter().map(|(p, _, hi)| (*p, *hi)).collect();
    let mut tpl = TopicPartitionList::new();
    for (p, lo, hi) in &marks {
        if hi > lo {
            tpl.add_partition_offset(&args.topic, *p, Offset::Beginning)?;
        }
    }
    consumer.assign(&tpl)?;

    let permits = Arc::new(Semaphore::new(args.concurrency));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut body: Vec<u8> = Vec::with_capacity(args.batch * 420);
    let mut in_body = 0usize;
    let mut seen = 0i64;
    let mut requests = 0u64;
    let send = |body: Vec<u8>, requests: &mut u64| -> anyhow::Result<()> {
        let permit = rt.block_on(permits.clone().acquire_owned())?;
        let (http, url, failures) = (http.clone(), url.clone(), failures.clone());
        *requests += 1;
        rt.spawn(async move {
            let r = async {
                let resp = http
                    .post(format!("{url}/_bulk"))
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await?;
                let status = resp.status().as_u16();
                let bytes = resp.bytes().await?;
                if status != 200 {
                    bail!("_bulk answered HTTP {status}");
                }
                let a: BulkAnswer = serde_json::from_slice(&bytes)?;
                if a.errors {
                    bail!("_bulk reported failed items");
                }
                Ok(())
            }
            .await;
            if let Err(e) = r {
                failures.lock().unwrap().push(e.to_string());
            }
            drop(permit);
        });
        Ok(())
    };
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
        let p = m.partition();
        let Some(e) = end.get_mut(&p) else { continue };
        if m.offset() >= *e {
            continue;
        }
        seen += 1;
        if m.offset() + 1 == *e {
            *e = i64::MIN; // partition done
        }
        let Some(v) = m.payload() else { continue };
        body.extend_from_slice(b"{\"index\":{\"_index\":\"");
        body.extend_from_slice(args.index.as_bytes());
        body.extend_from_slice(b"\",\"_id\":\"");
        body.extend_from_slice(args.topic.as_bytes());
        body.extend_from_slice(format!("+{p}+{}", m.offset()).as_bytes());
        body.extend_from_slice(b"\"}}\n");
        body.extend_from_slice(v);
        body.push(b'\n');
        in_body += 1;
        if in_body >= args.batch {
            send(
                std::mem::replace(&mut body, Vec::with_capacity(args.batch * 420)),
                &mut requests,
            )?;
            in_body = 0;
        }
    }
    if in_body > 0 {
        send(std::mem::take(&mut body), &mut requests)?;
    }
    // All permits back: every request answered.
    rt.block_on(permits.acquire_many(args.concurrency as u32))?
        .forget();
    let failures = failures.lock().unwrap();
    if let Some(f) = failures.first() {
        bail!(
            "{} of {requests} requests failed; first: {f}",
            failures.len()
        );
    }
    let (rss_kb, cpu_s) = common::self_usage();
    println!(
        "{{\"records\":{seen},\"requests\":{requests},\"seconds\":{:.3},\"rss_kb\":{rss_kb},\"cpu_s\":{cpu_s:.2}}}",
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
