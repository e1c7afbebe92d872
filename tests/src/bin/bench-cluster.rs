//! Distributed-mode figures of one side, ours (`connect distributed`) or Java Kafka Connect 4.3.1
//! (`ConnectDistributed`), for `scripts/bench.sh --only cluster`, which runs it once per side and
//! round, the sides alternating. Every worker of a group has the same settings on both sides:
//! session.timeout.ms 10000 and heartbeat.interval.ms 3000 (Java's defaults),
//! offset.flush.interval.ms `--flush-ms`, consumer.max.poll.records `--batch`, StringConverter,
//! internal topics of the group's own (replication factor 1).
//!
//! `--case main`, with scheduled.rebalance.max.delay.ms=0:
//!   cluster-start     launching 3 workers at once → each logged the start of its first assignment
//!   cluster-rest      `POST /connectors` (a FileStreamSource on an empty file) sent to a follower and
//!                     to the leader, `--creates` times each, interleaved; each connector deleted
//!                     (and gone from every worker) before the next create
//!   cluster-pipeline  3 FileStreamSource connectors (one file of `--input`'s lines each) → a topic
//!                     of 3 partitions → a FileStreamSink with tasks.max 3, on the 3 workers, and
//!                     later on a group of 1; from creating the sources (the sink already running,
//!                     its consumer group stable) until the sink file holds every byte
//!   cluster-join      spawning a 4th worker (6 source connectors on the group) → a task RUNNING on
//!                     it, in the status every other worker reports
//!   cluster-failover  SIGKILL of a follower that runs tasks → all of its tasks RUNNING on the
//!                     survivors, in every survivor's status (polled every 100 ms)
//! `--case default-delay`: the failover alone, with Kafka Connect's default
//!   scheduled.rebalance.max.delay.ms (300000), as cluster-failover-default.
//!
//! Prints one JSON object per figure on stdout (bench-report's raw format); progress on stderr.
//! Every topic it creates or makes the workers create is appended to `--topics-file` first, for
//! the caller to delete. Workers get SIGKILL if this process dies.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs::{self, File, OpenOptions},
    io::Write as _,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    rc::Rc,
    time::{Duration, Instant},
};

use anyhow::{Context, anyhow, bail};
use clap::{Parser, ValueEnum};
use connect_tests::{
    cluster::{self, Kind, Life, Member, group_props, log_text, now_ms},
    kafka,
    worker::{call, free_port, write_properties},
};
use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
};
use serde_json::{Value, json};

mod common;

const SOURCE: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
const SINK: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";
/// Java's defaults, on both sides.
const SESSION_TIMEOUT_MS: u64 = 10_000;
const HEARTBEAT_INTERVAL_MS: u64 = 3_000;
const DEFAULT_MAX_DELAY_MS: u64 = 300_000;
/// Source connectors (one task each) on the group for the join and the failover.
const IDLE_SOURCES: usize = 6;
/// Poll period of the join and failover waits.
const POLL: Duration = Duration::from_millis(100);

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Side {
    Ours,
    Java,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Java => "java",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Side::Ours => Kind::Rust,
            Side::Java => Kind::Java,
        }
    }

    /// How long a worker may take from launch to its first assignment (JVMs on a loaded machine
    /// are slow).
    fn ready_limit(self) -> Duration {
        match self {
            Side::Ours => Duration::from_secs(90),
            Side::Java => Duration::from_secs(240),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Case {
    Main,
    DefaultDelay,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum)]
    side: Side,
    #[arg(long, default_value_t = 1)]
    round: u64,
    #[arg(long, value_enum, default_value_t = Case::Main)]
    case: Case,
    /// Lines for each of the pipeline's 3 source files (main case).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Creates per target (follower, leader).
    #[arg(long, default_value_t = 20)]
    creates: usize,
    #[arg(long, default_value_t = 100)]
    flush_ms: u64,
    #[arg(long, default_value_t = 2000)]
    batch: u64,
    /// Our `connect` binary.
    #[arg(long)]
    connect: PathBuf,
    /// Plugin path of our workers (the file connectors as components).
    #[arg(long)]
    rust_plugins: PathBuf,
    /// Plugin path of the Java workers (the connect-file plugin directory).
    #[arg(long)]
    java_plugins: PathBuf,
    /// The Java Connect jars (`.infra/lib/connect`).
    #[arg(long)]
    java_jars: PathBuf,
    #[arg(long, default_value = "java")]
    java: PathBuf,
    /// JVM options, separated by spaces.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    java_opts: String,
    /// Directory for the workers' files (created).
    #[arg(long)]
    work: PathBuf,
    /// Prefix of every group, topic and connector name.
    #[arg(long)]
    tag: String,
    #[arg(long)]
    topics_file: PathBuf,
    #[arg(long, env = "KAFKA_BOOTSTRAP", default_value = "127.0.0.1:9092")]
    bootstrap: String,
}

fn say(s: impl AsRef<str>) {
    eprintln!("bench-cluster: {}", s.as_ref());
}

// ---------------------------------------------------------------------------------------------
// Workers

/// What every worker of a run is launched with.
struct Launch {
    side: Side,
    connect: PathBuf,
    java: PathBuf,
    java_opts: Vec<String>,
    java_jars: PathBuf,
    log4j: PathBuf,
}

/// Java's log4j2 settings: INFO for Connect, WARN for the clients, and timestamps like ours
/// (`2026-01-02T03:04:05.678Z`), as the e2e harness gives its Java workers.
const JAVA_LOG4J2: &str = "\
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = %d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}{UTC} %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.common.name = org.apache.kafka.common
logger.common.level = WARN
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
";

/// A worker of either side, the bench's own launcher (release binary, bench.sh's JVM options)
/// behind the e2e harness's [`Member`] trait.
struct BenchWorker {
    launch: Rc<Launch>,
    url: String,
    dir: PathBuf,
    config: PathBuf,
    child: Option<Child>,
    lives: Vec<Life>,
    /// How far the current log was read for joins, and the last generation joined.
    scanned: (u64, i64),
}

impl BenchWorker {
    /// The generation of the last join in the current log (-1: none yet), read on from where
    /// the previous call stopped (the e2e harness's parser of the join lines both sides print).
    fn generation(&mut self) -> i64 {
        use std::io::{Read as _, Seek as _, SeekFrom};
        let Some(path) = self.lives.last().map(|l| l.log.clone()) else {
            return -1;
        };
        let mut text = Vec::new();
        if let Ok(mut f) = File::open(&path)
            && f.seek(SeekFrom::Start(self.scanned.0)).is_ok()
        {
            let _ = f.read_to_end(&mut text);
        }
        // Whole lines only.
        let Some(end) = text.iter().rposition(|&b| b == b'\n') else {
            return self.scanned.1;
        };
        let chunk = String::from_utf8_lossy(&text[..=end]);
        if let Some(j) = cluster::joins(&chunk, self.kind())
            .iter()
            .rev()
            .find(|j| j.generation >= 0)
        {
            self.scanned.1 = j.generation;
        }
        self.scanned.0 += end as u64 + 1;
        self.scanned.1
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn end_life(&mut self) {
        if let Some(l) = self.lives.last_mut()
            && l.ended_ms.is_none()
        {
            l.ended_ms = Some(now_ms());
        }
    }

    fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Member for BenchWorker {
    fn kind(&self) -> Kind {
        self.launch.side.kind()
    }

    fn url(&self) -> &str {
        &self.url
    }

    fn spawn(&mut self) {
        let log_path = self
            .dir
            .join(format!("worker-{}.log", self.lives.len() + 1));
        let log = File::create(&log_path).expect("creating a worker log");
        let l = &self.launch;
        let mut cmd = match l.side {
            Side::Ours => {
                let mut c = Command::new(&l.connect);
                c.arg("distributed")
                    .arg(&self.config)
                    .env("CONNECT_LOG", "info");
                c
            }
            Side::Java => {
                let mut c = Command::new(&l.java);
                c.args(&l.java_opts)
                    .arg(format!("-Dlog4j2.configurationFile={}", l.log4j.display()))
                    .arg(format!("-Dkafka.logs.dir={}", self.dir.display()))
                    .arg("-cp")
                    .arg(format!("{}/*", l.java_jars.display()))
                    .arg("org.apache.kafka.connect.cli.ConnectDistributed")
                    .arg(&self.config);
                c
            }
        };
        cmd.stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .stdin(Stdio::null());
        // SAFETY: prctl(2) only, between fork and exec: async-signal-safe, no allocation.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting a {} worker: {e}", l.side.name()));
        self.child = Some(child);
        self.scanned = (0, -1);
        self.lives.push(Life {
            log: log_path,
            ended_ms: None,
        });
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        let http = client(Duration::from_secs(5));
        let mut answered = false;
        loop {
            if !answered {
                answered = call(&http, "GET", &format!("{}/connectors", self.url), None).0 == 200;
            }
            if answered && self.log().contains(log_text::JAVA_STARTING_WORK) {
                return Ok(started.elapsed());
            }
            if !self.is_running() {
                return Err(format!(
                    "the worker exited after {:.1} s; log tail:\n{}",
                    started.elapsed().as_secs_f64(),
                    self.log_tail(20)
                ));
            }
            if started.elapsed() >= limit {
                return Err(format!(
                    "not ready (REST and `{}` in its log) within {limit:?}; log tail:\n{}",
                    log_text::JAVA_STARTING_WORK,
                    self.log_tail(20)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if !connect_tests::terminate(&mut child, Duration::from_secs(60)) {
                say(format!("{} did not stop within 60 s: SIGKILL", self.url));
                let _ = child.kill();
                let _ = child.wait();
            }
            self.end_life();
        }
    }

    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            self.end_life();
        }
    }

    fn is_running(&mut self) -> bool {
        let exited = match self.child.as_mut() {
            None => return false,
            Some(c) => c.try_wait().ok().flatten().is_some(),
        };
        if exited {
            self.child = None;
            self.end_life();
        }
        !exited
    }

    fn lives(&self) -> &[Life] {
        &self.lives
    }

    fn keep_dir(&mut self) {}
}

impl Drop for BenchWorker {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn client(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()
        .expect("an HTTP client")
}

// ---------------------------------------------------------------------------------------------
// Statuses

/// (state, worker_id).
type Placed = (String, String);

struct ConnectorStatus {
    connector: Placed,
    tasks: BTreeMap<u32, Placed>,
}

fn parse_status(v: &Value) -> Option<ConnectorStatus> {
    let placed = |p: &Value| -> Option<Placed> {
        Some((
            p["state"].as_str()?.to_owned(),
            p["worker_id"].as_str()?.to_owned(),
        ))
    };
    let mut tasks = BTreeMap::new();
    for t in v["tasks"].as_array()? {
        tasks.insert(t["id"].as_u64()? as u32, placed(t)?);
    }
    Some(ConnectorStatus {
        connector: placed(&v["connector"])?,
        tasks,
    })
}

// ---------------------------------------------------------------------------------------------
// A group

struct Cluster {
    name: String,
    launch: Rc<Launch>,
    dir: PathBuf,
    props: BTreeMap<String, String>,
    members: Vec<BenchWorker>,
    http: reqwest::blocking::Client,
    poll: reqwest::blocking::Client,
}

/// The connector every leader probe asks to delete (there is none by that name).
const PROBE: &str = "leader-probe-no-such-connector";

impl Cluster {
    fn new(b: &Bench, name: &str, delay_ms: u64) -> anyhow::Result<Cluster> {
        let dir = b.args.work.join(name);
        fs::create_dir_all(&dir)?;
        for suffix in ["configs", "offsets", "status"] {
            b.note_topic(&format!("{name}-{suffix}"))?;
        }
        let plugins = match b.args.side {
            Side::Ours => &b.args.rust_plugins,
            Side::Java => &b.args.java_plugins,
        };
        // The e2e harness's group settings (distributed_props: internal topics, converters,
        // listener), then the bench's timing on top.
        let mut props = group_props(&b.args.bootstrap, name, 0, plugins);
        props.remove("consumer.session.timeout.ms");
        for (k, v) in [
            ("session.timeout.ms", SESSION_TIMEOUT_MS.to_string()),
            ("heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS.to_string()),
            ("scheduled.rebalance.max.delay.ms", delay_ms.to_string()),
            ("offset.flush.interval.ms", b.args.flush_ms.to_string()),
            ("consumer.max.poll.records", b.args.batch.to_string()),
        ] {
            props.insert(k.to_owned(), v);
        }
        if b.args.side == Side::Java {
            props.insert("plugin.discovery".into(), "service_load".into());
        }
        Ok(Cluster {
            name: name.to_owned(),
            launch: b.launch.clone(),
            dir,
            props,
            members: Vec::new(),
            http: client(Duration::from_secs(120)),
            poll: client(Duration::from_secs(10)),
        })
    }

    /// Launches one more worker, not waited for; its index.
    fn launch(&mut self) -> usize {
        let i = self.members.len();
        let dir = self.dir.join(format!("w{i}"));
        fs::create_dir_all(&dir).expect("a worker directory");
        let port = free_port();
        let mut props = self.props.clone();
        props.insert("listeners".into(), format!("http://127.0.0.1:{port}"));
        let config = dir.join("worker.properties");
        write_properties(&config, &props);
        let mut w = BenchWorker {
            launch: self.launch.clone(),
            url: format!("http://127.0.0.1:{port}"),
            dir,
            config,
            child: None,
            lives: Vec::new(),
            scanned: (0, -1),
        };
        w.spawn();
        self.members.push(w);
        i
    }

    fn wait_ready(&mut self, i: usize) -> anyhow::Result<()> {
        let limit = self.launch.side.ready_limit();
        self.members[i].wait_ready(limit).map_err(|e| {
            anyhow!(
                "{} worker w{i} of {}: {e}",
                self.launch.side.name(),
                self.name
            )
        })?;
        Ok(())
    }

    /// `n` workers launched at once, then waited for; the seconds until the last was ready.
    fn start(&mut self, n: usize) -> anyhow::Result<f64> {
        let t0 = Instant::now();
        for _ in 0..n {
            self.launch();
        }
        for i in 0..n {
            self.wait_ready(i)?;
        }
        Ok(t0.elapsed().as_secs_f64())
    }

    fn live(&mut self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|&i| self.members[i].is_running())
            .collect()
    }

    fn id(&self, i: usize) -> String {
        self.members[i].worker_id()
    }

    fn cpu_s(&self) -> f64 {
        self.members
            .iter()
            .filter_map(|m| m.pid().and_then(common::process_cpu_s))
            .sum()
    }

    /// One connector's status as member `i` reports it: None for 404.
    fn status(&self, i: usize, connector: &str) -> Result<Option<ConnectorStatus>, String> {
        let url = format!("{}/connectors/{connector}/status", self.members[i].url());
        match call(&self.poll, "GET", &url, None) {
            (200, v) => parse_status(&v)
                .map(Some)
                .ok_or_else(|| format!("w{i}: unreadable status of {connector}: {v}")),
            (404, _) => Ok(None),
            (code, v) => Err(format!("w{i}: status of {connector}: {code} {v}")),
        }
    }

    /// Member `i`'s placement of the tasks of `connectors`: task → (state, worker_id), or why
    /// not yet (a connector unknown, not RUNNING, or with fewer tasks than `want`).
    fn task_view(
        &self,
        i: usize,
        connectors: &BTreeMap<String, usize>,
    ) -> Result<BTreeMap<(String, u32), Placed>, String> {
        let mut out = BTreeMap::new();
        for (c, want) in connectors {
            let s = self
                .status(i, c)?
                .ok_or_else(|| format!("w{i} does not know {c}"))?;
            if s.connector.0 != "RUNNING" {
                return Err(format!("w{i}: {c} is {}@{}", s.connector.0, s.connector.1));
            }
            if s.tasks.len() != *want {
                return Err(format!("w{i}: {c} has {} of {want} tasks", s.tasks.len()));
            }
            for (t, p) in s.tasks {
                out.insert((c.clone(), t), p);
            }
        }
        Ok(out)
    }

    /// Waits until every live member reports every task of `connectors` RUNNING on a live
    /// member, all alike; task → the member running it.
    fn wait_running(
        &mut self,
        what: &str,
        connectors: &BTreeMap<String, usize>,
        limit: Duration,
    ) -> anyhow::Result<BTreeMap<(String, u32), usize>> {
        let t0 = Instant::now();
        let mut last = String::new();
        while t0.elapsed() < limit {
            match self.check_running(connectors) {
                Ok(owner) => return Ok(owner),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!("{what}: not all RUNNING within {limit:?}: {last}")
    }

    fn check_running(
        &mut self,
        connectors: &BTreeMap<String, usize>,
    ) -> Result<BTreeMap<(String, u32), usize>, String> {
        let live = self.live();
        let ids: BTreeMap<String, usize> = live.iter().map(|&i| (self.id(i), i)).collect();
        let mut first: Option<BTreeMap<(String, u32), Placed>> = None;
        for &i in &live {
            let view = self.task_view(i, connectors)?;
            for (t, (state, worker)) in &view {
                if state != "RUNNING" || !ids.contains_key(worker) {
                    return Err(format!("w{i}: {}-{} is {state}@{worker}", t.0, t.1));
                }
            }
            match &first {
                None => first = Some(view),
                Some(f) if *f != view => return Err(format!("w{i} sees other placements")),
                Some(_) => {}
            }
        }
        let first = first.ok_or("no live worker")?;
        Ok(first
            .into_iter()
            .map(|(t, (_, worker))| (t, ids[&worker]))
            .collect())
    }

    /// Which live member leads: `DELETE /connectors/<none>?forward=false` answers 404 on the
    /// leader and 409 on a follower (the e2e harness's probe).
    fn leader(&mut self) -> Result<usize, String> {
        let mut leaders = Vec::new();
        let mut answers = Vec::new();
        for i in self.live() {
            let url = format!("{}/connectors/{PROBE}?forward=false", self.members[i].url());
            let (code, body) = call(&self.poll, "DELETE", &url, None);
            match code {
                404 => leaders.push(i),
                409 => {}
                _ => return Err(format!("w{i}: leader probe answered {code} {body}")),
            }
            answers.push(format!("w{i}: {code}"));
        }
        match leaders[..] {
            [l] => Ok(l),
            _ => Err(format!("not one leader: {}", answers.join(", "))),
        }
    }

    fn wait_leader(&mut self, limit: Duration) -> anyhow::Result<usize> {
        let t0 = Instant::now();
        let mut last = String::new();
        while t0.elapsed() < limit {
            match self.leader() {
                Ok(l) => return Ok(l),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        bail!("{}: no leader within {limit:?}: {last}", self.name)
    }

    /// `POST /connectors` through member `via`, again after a 409 (a rebalance, no known
    /// leader yet); the time of the call that answered 201, and how many 409s came before.
    fn create(&self, via: usize, name: &str, config: Value) -> anyhow::Result<(Duration, u32)> {
        let body = json!({ "name": name, "config": config }).to_string();
        let url = format!("{}/connectors", self.members[via].url());
        let mut retries = 0;
        loop {
            let t0 = Instant::now();
            let (code, resp) = call(&self.http, "POST", &url, Some(&body));
            let took = t0.elapsed();
            match code {
                201 => return Ok((took, retries)),
                409 if retries < 100 => {
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(250));
                }
                _ => bail!("creating {name} through w{via}: {code} {resp}"),
            }
        }
    }

    fn delete(&self, via: usize, name: &str) -> anyhow::Result<()> {
        let url = format!("{}/connectors/{name}", self.members[via].url());
        for _ in 0..100 {
            match call(&self.http, "DELETE", &url, None) {
                (204 | 200, _) => return Ok(()),
                (409, _) => std::thread::sleep(Duration::from_millis(250)),
                (code, resp) => bail!("deleting {name} through w{via}: {code} {resp}"),
            }
        }
        bail!("deleting {name} through w{via}: 409 a hundred times")
    }

    /// Waits until no live member knows `names` any more.
    fn wait_gone(&mut self, names: &[String], limit: Duration) -> anyhow::Result<()> {
        let t0 = Instant::now();
        loop {
            let mut left = Vec::new();
            for i in self.live() {
                for n in names {
                    if !matches!(self.status(i, n), Ok(None)) {
                        left.push(format!("w{i}: {n}"));
                    }
                }
            }
            if left.is_empty() {
                return Ok(());
            }
            if t0.elapsed() > limit {
                bail!("still known after {limit:?}: {}", left.join(", "));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The highest generation any live member has joined.
    fn generation(&mut self) -> i64 {
        let live = self.live();
        live.into_iter()
            .map(|i| self.members[i].generation())
            .max()
            .unwrap_or(-1)
    }

    /// Waits until the group is quiet: every live member's last join is of the same generation,
    /// above `above`, and nobody joined again for a second. A change that needs no rebalance
    /// leaves the generation where it was: after 10 s, equal generations do.
    fn wait_quiet(&mut self, above: i64) -> anyhow::Result<()> {
        let t0 = Instant::now();
        let mut stable: Option<(i64, Instant)> = None;
        loop {
            let live = self.live();
            let gens: BTreeSet<i64> = live.iter().map(|&i| self.members[i].generation()).collect();
            let one = match gens.iter().collect::<Vec<_>>()[..] {
                [g] if *g > above || t0.elapsed() > Duration::from_secs(10) => Some(*g),
                _ => None,
            };
            match (one, stable) {
                (Some(g), Some((s, since))) if g == s => {
                    if since.elapsed() >= Duration::from_secs(1) {
                        return Ok(());
                    }
                }
                (Some(g), _) => stable = Some((g, Instant::now())),
                (None, _) => stable = None,
            }
            if t0.elapsed() > Duration::from_secs(120) {
                bail!("{}: no quiet generation within 120 s: {gens:?}", self.name);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn check_alive(&mut self, expected: &[usize]) -> anyhow::Result<()> {
        for &i in expected {
            if !self.members[i].is_running() {
                bail!(
                    "{} worker w{i} of {} exited; log tail:\n{}",
                    self.launch.side.name(),
                    self.name,
                    self.members[i].log_tail(30)
                );
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The measurements

struct Bench {
    args: Args,
    launch: Rc<Launch>,
    variant: &'static str,
}

impl Bench {
    fn note_topic(&self, topic: &str) -> anyhow::Result<()> {
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.args.topics_file)?;
        writeln!(f, "{topic}")?;
        Ok(())
    }

    fn emit(&self, scenario: &str, variant: &str, fields: Value) {
        let mut row = json!({"scenario": scenario, "variant": variant, "round": self.args.round});
        if let (Some(row), Value::Object(fields)) = (row.as_object_mut(), fields) {
            row.extend(fields);
        }
        println!("{row}");
        say(format!(
            "{scenario} {variant} round {}: {row}",
            self.args.round
        ));
    }

    fn source_config(&self, file: &Path, topic: &str) -> Value {
        json!({
            "connector.class": SOURCE, "tasks.max": "1", "file": file, "topic": topic,
            "batch.size": self.args.batch.to_string(),
        })
    }

    /// `IDLE_SOURCES` FileStreamSource connectors on empty files, all RUNNING.
    fn idle_sources(&self, c: &mut Cluster) -> anyhow::Result<BTreeMap<String, usize>> {
        let topic = format!("{}-idle", self.args.tag);
        self.note_topic(&topic)?;
        let leader = c.wait_leader(Duration::from_secs(60))?;
        let mut connectors = BTreeMap::new();
        for k in 0..IDLE_SOURCES {
            let file = c.dir.join(format!("idle-{k}.txt"));
            File::create(&file)?;
            let name = format!("idle-{k}");
            c.create(leader, &name, self.source_config(&file, &topic))?;
            connectors.insert(name, 1);
        }
        c.wait_running("idle sources", &connectors, Duration::from_secs(120))?;
        Ok(connectors)
    }

    /// Creates through a follower and through the leader, interleaved.
    fn rest(&self, c: &mut Cluster) -> anyhow::Result<()> {
        let topic = format!("{}-rest", self.args.tag);
        self.note_topic(&topic)?;
        let file = c.dir.join("rest-input.txt");
        File::create(&file)?;
        let leader = c.wait_leader(Duration::from_secs(60))?;
        let follower = c
            .live()
            .into_iter()
            .find(|&i| i != leader)
            .context("no follower")?;
        let mut ms: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut retries: BTreeMap<&str, u32> = BTreeMap::new();
        c.wait_quiet(-1)?;
        for n in 0..self.args.creates {
            let order = if n % 2 == 0 {
                [("follower", follower), ("leader", leader)]
            } else {
                [("leader", leader), ("follower", follower)]
            };
            for (target, via) in order {
                let name = format!("rest-{target}-{n}");
                let (took, r) = c.create(via, &name, self.source_config(&file, &topic))?;
                ms.entry(target)
                    .or_default()
                    .push(took.as_secs_f64() * 1000.0);
                *retries.entry(target).or_default() += r;
                let one: BTreeMap<String, usize> = [(name.clone(), 1)].into();
                c.wait_running(&name, &one, Duration::from_secs(60))?;
                let before = c.generation();
                c.delete(leader, &name)?;
                c.wait_gone(&[name], Duration::from_secs(60))?;
                // The deletion's rebalance: the next create goes to a quiet group.
                c.wait_quiet(before)?;
            }
        }
        if c.leader().ok() != Some(leader) {
            say("the leader changed during the REST creates");
        }
        for (target, mut v) in ms {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let median = if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            };
            // Nearest rank.
            let p95 = v[((0.95 * n as f64).ceil() as usize).clamp(1, n) - 1];
            self.emit(
                "cluster-rest",
                &format!("{}-{target}", self.variant),
                json!({
                    "creates": n, "median_ms": round3(median), "p95_ms": round3(p95),
                    "min_ms": round3(v[0]), "max_ms": round3(v[n - 1]),
                    "retries_409": retries[target],
                    "all_ms": v.iter().map(|x| round3(*x)).collect::<Vec<_>>(),
                }),
            );
        }
        Ok(())
    }

    /// The file pipeline on the group's workers: sink first (tasks.max 3, consumer group
    /// stable), then the clock starts and the 3 sources are created.
    fn pipeline(&self, c: &mut Cluster, inputs: &[PathBuf], label: &str) -> anyhow::Result<()> {
        let records: u64 = inputs
            .iter()
            .map(|p| line_count(p))
            .sum::<anyhow::Result<_>>()?;
        let want_bytes: u64 = inputs
            .iter()
            .map(|p| Ok(fs::metadata(p)?.len()))
            .sum::<anyhow::Result<_>>()?;
        let topic = format!("{}-pipe-{label}", self.args.tag);
        self.note_topic(&topic)?;
        kafka::create_topic(&self.args.bootstrap, &topic, 3);
        let out = c.dir.join(format!("sink-{label}.txt"));
        let sink = format!("{}-sink-{label}", self.args.tag);
        let live = c.live();
        c.wait_quiet(-1)?;
        let leader = c.wait_leader(Duration::from_secs(60))?;
        let sink_config = json!({
            "connector.class": SINK, "tasks.max": "3", "topics": topic, "file": out,
        });
        c.create(leader, &sink, sink_config)?;
        let mut connectors: BTreeMap<String, usize> = [(sink.clone(), 3)].into();
        c.wait_running("the sink", &connectors, Duration::from_secs(120))?;
        wait_group_stable(&self.args.bootstrap, &format!("connect-{sink}"), 3)?;
        c.wait_quiet(-1)?;

        let cpu0 = c.cpu_s();
        let t0 = Instant::now();
        for (k, input) in inputs.iter().enumerate() {
            let name = format!("src-{label}-{k}");
            c.create(leader, &name, self.source_config(input, &topic))?;
            connectors.insert(name, 1);
        }
        let mut last_check = Instant::now();
        loop {
            let n = fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            if n >= want_bytes {
                break;
            }
            if t0.elapsed() > Duration::from_secs(900) {
                bail!("pipeline {label}: {n} of {want_bytes} bytes after 900 s");
            }
            if last_check.elapsed() > Duration::from_secs(1) {
                c.check_alive(&live)?;
                last_check = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let seconds = t0.elapsed().as_secs_f64();
        let cpu_s = c.cpu_s() - cpu0;
        // Afterwards, not timed: did anything arrive twice (a rebalance's at-least-once)?
        let topic_records = topic_end(&self.args.bootstrap, &topic)?;
        wait_committed(
            &self.args.bootstrap,
            &format!("connect-{sink}"),
            &topic,
            topic_records,
        )?;
        let final_bytes = fs::metadata(&out)?.len();
        self.emit(
            "cluster-pipeline",
            &format!("{}-{label}", self.variant),
            json!({
                "workers": live.len(), "records": records, "seconds": round3(seconds),
                "cpu_s": round3(cpu_s), "topic_records": topic_records,
                "duplicate_bytes": final_bytes.saturating_sub(want_bytes),
            }),
        );
        for name in connectors.keys() {
            c.delete(leader, name)?;
        }
        c.wait_gone(
            &connectors.keys().cloned().collect::<Vec<_>>(),
            Duration::from_secs(120),
        )?;
        let _ = fs::remove_file(&out);
        Ok(())
    }

    /// A 4th worker joins a group of 3 that runs `connectors`; then it leaves again (SIGTERM)
    /// and the group settles on the 3.
    fn join(&self, c: &mut Cluster, connectors: &BTreeMap<String, usize>) -> anyhow::Result<()> {
        c.wait_quiet(-1)?;
        let old = c.live();
        let t0 = Instant::now();
        let new = c.launch();
        let new_id = c.id(new);
        let seconds = loop {
            let mut all = true;
            for &i in &old {
                let on_new = c
                    .task_view(i, connectors)
                    .map(|v| v.values().any(|(s, w)| s == "RUNNING" && *w == new_id))
                    .unwrap_or(false);
                all &= on_new;
            }
            if all {
                break t0.elapsed().as_secs_f64();
            }
            if t0.elapsed() > Duration::from_secs(300) {
                bail!("the 4th worker has no RUNNING task after 300 s");
            }
            c.check_alive(&old)?;
            if !c.members[new].is_running() {
                bail!("the 4th worker exited:\n{}", c.members[new].log_tail(30));
            }
            std::thread::sleep(POLL);
        };
        let owner = c.wait_running("4 workers", connectors, Duration::from_secs(120))?;
        let tasks = owner.values().filter(|&&m| m == new).count();
        self.emit(
            "cluster-join",
            self.variant,
            json!({"seconds": round3(seconds), "tasks_on_new": tasks}),
        );
        c.members[new].stop();
        c.wait_running("back to 3 workers", connectors, Duration::from_secs(120))?;
        Ok(())
    }

    /// SIGKILL of a follower that runs tasks, until all of them are RUNNING on the survivors.
    fn failover(
        &self,
        c: &mut Cluster,
        connectors: &BTreeMap<String, usize>,
        scenario: &str,
        limit: Duration,
    ) -> anyhow::Result<()> {
        // Let the last rebalance's follow-ups finish.
        c.wait_quiet(-1)?;
        let leader = c.wait_leader(Duration::from_secs(60))?;
        let owner = c.wait_running("before the kill", connectors, Duration::from_secs(120))?;
        let victim = c
            .live()
            .into_iter()
            .find(|&i| i != leader && owner.values().any(|&m| m == i))
            .context("no follower runs a task")?;
        let tasks: Vec<(String, u32)> = owner
            .iter()
            .filter(|(_, m)| **m == victim)
            .map(|(t, _)| t.clone())
            .collect();
        let watched: BTreeMap<String, usize> = tasks
            .iter()
            .map(|(name, _)| (name.clone(), connectors[name]))
            .collect();
        let survivors: Vec<usize> = c.live().into_iter().filter(|&i| i != victim).collect();
        let ids: BTreeSet<String> = survivors.iter().map(|&i| c.id(i)).collect();
        let t0 = Instant::now();
        c.members[victim].kill9();
        let mut last = String::new();
        let seconds = loop {
            let mut done = true;
            for &i in &survivors {
                match c.task_view(i, &watched) {
                    Ok(v) => {
                        for t in &tasks {
                            match v.get(t) {
                                Some((s, w)) if s == "RUNNING" && ids.contains(w) => {}
                                other => {
                                    done = false;
                                    last = format!("w{i} sees {}-{} {other:?}", t.0, t.1);
                                }
                            }
                        }
                    }
                    Err(e) => {
                        done = false;
                        last = e;
                    }
                }
            }
            if done {
                break t0.elapsed().as_secs_f64();
            }
            if t0.elapsed() > limit {
                bail!("{scenario}: not moved within {limit:?}: {last}");
            }
            c.check_alive(&survivors)?;
            std::thread::sleep(POLL);
        };
        self.emit(
            scenario,
            self.variant,
            json!({
                "seconds": round3(seconds), "tasks": tasks.len(),
                "max_delay_ms": c.props["scheduled.rebalance.max.delay.ms"].parse::<u64>().unwrap_or(0),
            }),
        );
        Ok(())
    }

    fn main_case(&self) -> anyhow::Result<()> {
        let input = self.args.input.as_ref().context("--input is needed")?;
        let inputs: Vec<PathBuf> = (0..3)
            .map(|k| {
                let p = self.args.work.join(format!("input-{k}.txt"));
                fs::copy(input, &p).with_context(|| format!("copying {}", input.display()))?;
                Ok(p)
            })
            .collect::<anyhow::Result<_>>()?;

        let mut c = Cluster::new(self, &format!("{}-g3", self.args.tag), 0)?;
        say(format!("{}: starting 3 {} workers", c.name, self.variant));
        let seconds = c.start(3)?;
        self.emit(
            "cluster-start",
            self.variant,
            json!({"seconds": round3(seconds), "workers": 3}),
        );
        c.wait_leader(Duration::from_secs(120))?;

        say("REST creates through a follower and the leader");
        self.rest(&mut c)?;
        say("pipeline on 3 workers");
        self.pipeline(&mut c, &inputs, "3w")?;
        say("join and failover");
        let idle = self.idle_sources(&mut c)?;
        self.join(&mut c, &idle)?;
        self.failover(&mut c, &idle, "cluster-failover", Duration::from_secs(180))?;
        drop(c);

        let mut c = Cluster::new(self, &format!("{}-g1", self.args.tag), 0)?;
        say(format!("{}: pipeline on 1 {} worker", c.name, self.variant));
        c.start(1)?;
        self.pipeline(&mut c, &inputs, "1w")?;
        drop(c);
        for p in inputs {
            let _ = fs::remove_file(p);
        }
        Ok(())
    }

    fn default_delay_case(&self) -> anyhow::Result<()> {
        let mut c = Cluster::new(self, &format!("{}-gd", self.args.tag), DEFAULT_MAX_DELAY_MS)?;
        say(format!(
            "{}: failover with scheduled.rebalance.max.delay.ms={DEFAULT_MAX_DELAY_MS}, 3 {} workers",
            c.name, self.variant
        ));
        c.start(3)?;
        let idle = self.idle_sources(&mut c)?;
        let limit = Duration::from_millis(DEFAULT_MAX_DELAY_MS + SESSION_TIMEOUT_MS)
            + Duration::from_secs(180);
        self.failover(&mut c, &idle, "cluster-failover-default", limit)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn line_count(p: &Path) -> anyhow::Result<u64> {
    let data = fs::read(p).with_context(|| format!("reading {}", p.display()))?;
    Ok(data.iter().filter(|&&b| b == b'\n').count() as u64)
}

/// Waits until consumer group `group` is Stable with `members` members.
fn wait_group_stable(bootstrap: &str, group: &str, members: usize) -> anyhow::Result<()> {
    let consumer: BaseConsumer = common::kafka_config(bootstrap).create()?;
    let t0 = Instant::now();
    let mut last = String::new();
    while t0.elapsed() < Duration::from_secs(120) {
        if let Ok(list) = consumer.fetch_group_list(Some(group), Duration::from_secs(5))
            && let Some(g) = list.groups().iter().find(|g| g.name() == group)
        {
            if g.state() == "Stable" && g.members().len() == members {
                return Ok(());
            }
            last = format!("{} with {} members", g.state(), g.members().len());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("consumer group {group} not Stable with {members} members within 120 s: {last}")
}

fn topic_end(bootstrap: &str, topic: &str) -> anyhow::Result<u64> {
    let parts = common::partitions(bootstrap, topic, Duration::from_secs(30))?;
    let consumer: BaseConsumer = common::kafka_config(bootstrap).create()?;
    Ok(common::watermarks(&consumer, topic, &parts)?
        .iter()
        .map(|(_, _, hi)| *hi as u64)
        .sum())
}

/// Waits (up to 60 s) until `group`'s committed offsets on `topic` add up to `count`.
fn wait_committed(bootstrap: &str, group: &str, topic: &str, count: u64) -> anyhow::Result<()> {
    let parts = common::partitions(bootstrap, topic, Duration::from_secs(30))?;
    let consumer: BaseConsumer = common::kafka_config(bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()?;
    let t0 = Instant::now();
    let mut n = 0;
    while t0.elapsed() < Duration::from_secs(60) {
        let mut tpl = TopicPartitionList::new();
        for p in &parts {
            tpl.add_partition(topic, *p);
        }
        if let Ok(got) = consumer.committed_offsets(tpl, Duration::from_secs(5)) {
            n = got
                .elements()
                .iter()
                .map(|e| match e.offset() {
                    Offset::Offset(o) => o as u64,
                    _ => 0,
                })
                .sum();
            if n >= count {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{group} committed {n} of {count} on {topic} after 60 s")
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    fs::create_dir_all(&args.work)?;
    let log4j = args.work.join("log4j2.properties");
    fs::write(&log4j, JAVA_LOG4J2)?;
    let launch = Rc::new(Launch {
        side: args.side,
        connect: args.connect.clone(),
        java: args.java.clone(),
        java_opts: args
            .java_opts
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        java_jars: args.java_jars.clone(),
        log4j,
    });
    let b = Bench {
        variant: args.side.name(),
        launch,
        args,
    };
    match b.args.case {
        Case::Main => b.main_case(),
        Case::DefaultDelay => b.default_delay_case(),
    }
}
