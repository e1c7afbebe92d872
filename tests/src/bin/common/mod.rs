//! Shared by the `bench-*` binaries: the product-like record generator and small Kafka helpers.
//! Each binary uses a part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer},
};

/// Deterministic generator (splitmix64): the same seed gives the same records in every tool.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "무선 이어폰 Pro",
    "로봇청소기 S8",
    "캠핑 의자 경량형",
    "생수 2L x 12",
    "USB-C 고속 충전 케이블 2m",
    "에어프라이어 5.5L",
    "러닝화 쿠션 플러스",
    "전기포트 1.7L",
    "Wireless Mouse M331",
    "Stainless Tumbler 600ml",
];
const BRANDS: &[&str] = &[
    "Samsung", "LG", "Xiaomi", "Logitech", "Nike", "Philips", "Coway", "Tefal", "Anker", "Stanley",
];
const CATEGORIES: &[&str] = &[
    "electronics/audio",
    "home/appliances",
    "outdoor/camping",
    "food/beverages",
    "electronics/accessories",
    "kitchen/cooking",
    "fashion/shoes",
    "kitchen/small-appliances",
];
const TAGS: &[&str] = &[
    "bestseller",
    "new",
    "rocket-fresh",
    "free-shipping",
    "limited",
    "eco",
    "gift",
    "bundle",
];

/// Appends record `i` (a product-like JSON object of about 300 bytes, one line) to `out`.
pub fn product(i: u64, out: &mut Vec<u8>) {
    use std::io::Write;
    let mut r = Rng::new(i.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
    let price = 3900 + r.below(3_950) * 100;
    let _ = write!(
        out,
        r#"{{"productId":{},"sku":"CP-{:08}-KR","name":"{}","brand":"{}","category":"{}","price":{},"discount":{},"rocketDelivery":{},"rating":{}.{},"reviews":{},"stock":{},"tags":["{}","{}"],"seller":"seller-{:05}","updatedAt":"2024-{:02}-{:02}T{:02}:{:02}:{:02}Z"}}"#,
        1_000_000 + i,
        r.below(100_000_000),
        r.pick(NAMES),
        r.pick(BRANDS),
        r.pick(CATEGORIES),
        price,
        r.below(40),
        r.below(10) < 7,
        3 + r.below(2),
        r.below(10),
        r.below(50_000),
        r.below(1_000),
        r.pick(TAGS),
        r.pick(TAGS),
        r.below(100_000),
        1 + r.below(12),
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60),
    );
}

/// Seconds since the Unix epoch, as bash's `$EPOCHREALTIME` gives them.
pub fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A client config for the local broker.
pub fn kafka_config(bootstrap: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap);
    c
}

/// The partitions of `topic` (waits up to `limit` for it to exist with leaders).
pub fn partitions(bootstrap: &str, topic: &str, limit: Duration) -> anyhow::Result<Vec<i32>> {
    let consumer: BaseConsumer = kafka_config(bootstrap).create()?;
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(md) = consumer.fetch_metadata(Some(topic), Duration::from_secs(5))
            && let Some(t) = md.topics().iter().find(|t| t.name() == topic)
            && t.error().is_none()
            && !t.partitions().is_empty()
            && t.partitions().iter().all(|p| p.leader() >= 0)
        {
            return Ok(t.partitions().iter().map(|p| p.id()).collect());
        }
        if Instant::now() >= deadline {
            bail!("topic {topic} has no partitions with leaders after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// (low, high) watermarks of every partition of `topic`.
pub fn watermarks(
    consumer: &BaseConsumer<impl rdkafka::consumer::ConsumerContext>,
    topic: &str,
    parts: &[i32],
) -> anyhow::Result<Vec<(i32, i64, i64)>> {
    parts
        .iter()
        .map(|&p| {
            let (lo, hi) = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .with_context(|| format!("watermarks of {topic}-{p}"))?;
            Ok((p, lo, hi))
        })
        .collect()
}

/// (peak resident set in kB (VmHWM), CPU seconds user+system) of this process so far.
pub fn self_usage() -> (u64, f64) {
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0);
    // Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the 13th (USER_HZ = 100).
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0);
    (hwm, cpu)
}

/// Deletes `topics` (empty names skipped); topics that do not exist are not an error.
pub fn delete_topics(bootstrap: &str, topics: &[&str]) -> anyhow::Result<()> {
    use rdkafka::{
        admin::{AdminClient, AdminOptions},
        client::DefaultClientContext,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let admin: AdminClient<DefaultClientContext> = kafka_config(bootstrap).create()?;
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let topics: Vec<&str> = topics.iter().copied().filter(|t| !t.is_empty()).collect();
    if !topics.is_empty() {
        rt.block_on(admin.delete_topics(&topics, &opts))?;
    }
    Ok(())
}

/// CPU seconds (user + system) process `pid` used so far; None once it is gone.
pub fn process_cpu_s(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // SAFETY: sysconf(3) reads a constant of the system.
    let tck = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / tck)
}
