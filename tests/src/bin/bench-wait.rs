//! Waits until a pipeline has delivered everything, and prints the seconds since `--since` (an
//! epoch time in seconds, e.g. bash's `$EPOCHREALTIME` taken just before the connector was
//! created). Polls every `--every-ms` (default 50).
//!
//!   bench-wait --since T es-count --index I --count N       OpenSearch `_count` of I reaches N
//!   bench-wait --since T topic-end --topic T --count N      sum of the topic's end offsets reaches N
//!   bench-wait --since T committed --group G --topic T --count N   the group's committed offsets reach N
//!   bench-wait --since T file-size --path P --bytes B       the file holds at least B bytes

use std::time::{Duration, Instant};

use anyhow::bail;
use clap::{Parser, Subcommand};
use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
};

mod common;

#[derive(Parser)]
struct Args {
    /// Start of the measurement, seconds since the epoch.
    #[arg(long)]
    since: f64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout: u64,
    #[arg(long, default_value_t = 50)]
    every_ms: u64,
    /// A process that must stay alive meanwhile (the worker): fail early when it dies.
    #[arg(long)]
    pid: Option<u32>,
    #[arg(long, env = "KAFKA_BOOTSTRAP", default_value = "127.0.0.1:9092")]
    bootstrap: String,
    #[arg(long, env = "OPENSEARCH_URL", default_value = "http://127.0.0.1:9200")]
    url: String,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    EsCount {
        #[arg(long)]
        index: String,
        #[arg(long)]
        count: u64,
    },
    TopicEnd {
        #[arg(long)]
        topic: String,
        #[arg(long)]
        count: i64,
    },
    Committed {
        #[arg(long)]
        group: String,
        #[arg(long)]
        topic: String,
        #[arg(long)]
        count: i64,
    },
    FileSize {
        #[arg(long)]
        path: std::path::PathBuf,
        #[arg(long)]
        bytes: u64,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let every = Duration::from_millis(args.every_ms);
    let mut probe = Probe::new(&args)?;
    let mut last = String::new();
    loop {
        let (done, progress) = probe.check(&args.what)?;
        if done {
            let seconds = common::epoch_now() - args.since;
            println!("{seconds:.3}");
            return Ok(());
        }
        last = progress.unwrap_or(last);
        if let Some(pid) = args.pid
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            bail!("the worker (pid {pid}) exited; progress: {last}");
        }
        if Instant::now() >= deadline {
            bail!("not done after {} s; progress: {last}", args.timeout);
        }
        std::thread::sleep(every);
    }
}

struct Probe {
    http: reqwest::blocking::Client,
    url: String,
    consumer: Option<BaseConsumer>,
    parts: Vec<i32>,
    bootstrap: String,
}

impl Probe {
    fn new(args: &Args) -> anyhow::Result<Probe> {
        let consumer = match &args.what {
            What::TopicEnd { .. } => Some(common::kafka_config(&args.bootstrap).create()?),
            What::Committed { group, .. } => Some(
                common::kafka_config(&args.bootstrap)
                    .set("group.id", group)
                    .set("enable.auto.commit", "false")
                    .create()?,
            ),
            _ => None,
        };
        Ok(Probe {
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()?,
            url: args.url.trim_end_matches('/').to_owned(),
            consumer,
            parts: Vec::new(),
            bootstrap: args.bootstrap.clone(),
        })
    }

    /// (done, progress text).
    fn check(&mut self, what: &What) -> anyhow::Result<(bool, Option<String>)> {
        match what {
            What::EsCount { index, count } => {
                let r = self.http.get(format!("{}/{index}/_count", self.url)).send();
                let n = match r {
                    Ok(r) if r.status().as_u16() == 200 => r.json::<serde_json::Value>()?["count"]
                        .as_u64()
                        .unwrap_or(0),
                    _ => 0,
                };
                Ok((n >= *count, Some(format!("{n} of {count} documents"))))
            }
            What::TopicEnd { topic, count } => {
                if self.parts.is_empty() {
                    self.parts =
                        common::partitions(&self.bootstrap, topic, Duration::from_secs(60))?;
                }
                let c = self.consumer.as_ref().unwrap();
                let n: i64 = common::watermarks(c, topic, &self.parts)?
                    .iter()
                    .map(|(_, _, hi)| hi)
                    .sum();
                Ok((n >= *count, Some(format!("{n} of {count} records"))))
            }
            What::Committed {
                group: _,
                topic,
                count,
            } => {
                if self.parts.is_empty() {
                    self.parts =
                        common::partitions(&self.bootstrap, topic, Duration::from_secs(60))?;
                }
                let c = self.consumer.as_ref().unwrap();
                let mut tpl = TopicPartitionList::new();
                for p in &self.parts {
                    tpl.add_partition(topic, *p);
                }
                let Ok(got) = c.committed_offsets(tpl, Duration::from_secs(5)) else {
                    return Ok((false, None));
                };
                let n: i64 = got
                    .elements()
                    .iter()
                    .map(|e| match e.offset() {
                        Offset::Offset(o) => o,
                        _ => 0,
                    })
                    .sum();
                Ok((n >= *count, Some(format!("{n} of {count} committed"))))
            }
            What::FileSize { path, bytes } => {
                let n = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                Ok((n >= *bytes, Some(format!("{n} of {bytes} bytes"))))
            }
        }
    }
}
