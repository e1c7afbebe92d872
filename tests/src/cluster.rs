//! Groups of distributed workers sharing one `group.id` and its internal topics, of either kind:
//! our `connect` binary ([`RustWorker`], around [`Worker`]) or the real Java Kafka Connect 4.3.1
//! ([`JavaWorker`]: the oracle, and the peer of mixed groups), behind one small trait
//! ([`Member`]).
//!
//! A [`Group`] creates connectors through any member, polls `GET /connectors/{c}/status` on every
//! live member and checks what a settled group looks like ([`Group::wait_settled`]): every
//! connector and task RUNNING on exactly one live worker (`worker_id` = that worker's advertised
//! `host:port`, and that worker's log says it was assigned it), the same status on every worker,
//! and per-worker load max − min ≤ 1, separately for connectors and for tasks. From every
//! member's logs (all its lives) it rebuilds who owned what when, so a test can assert that
//! nothing ever ran on two workers at once ([`Group::assert_nothing_ran_twice`]); every poll
//! also fails a test that sees one instance RUNNING on two live workers in two polls in a row.
//! The leader is found over REST ([`Group::leader`]) and checked against the logs.
//!
//! Where the Java jars are: `CONNECT_INFRA_DIR`, the `.infra` directory of `scripts/infra.sh`
//! (`scripts/infra.sh up --peer` fetches the Connect jars into `.infra/lib/connect` and the
//! FileStream plugin into `.infra/lib/connect-plugins/connect-file`). Default: the workspace's
//! `.infra`, or, in a linked git worktree that has none, the main worktree's.
//!
//! One group at a time per test process (a lock taken by [`Group::start`]): three or four JVMs
//! already load a small machine, and the group protocol runs on timeouts of a few seconds.
//! When a test fails, the group prints every member's statuses, joins and log tail, and keeps
//! its directories (also kept, and their paths printed, with `DISTRIBUTED_KEEP=1`).

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    fs::File,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde_json::Value;

use crate::{
    host_port_of_url, require_kafka,
    worker::{Worker, call, distributed_props, file_plugins, free_port, write_properties},
};

/// `session.timeout.ms` of every test worker (the broker's minimum is 6000).
pub const SESSION_TIMEOUT_MS: u64 = 6_000;
/// `heartbeat.interval.ms` of every test worker.
pub const HEARTBEAT_INTERVAL_MS: u64 = 1_000;
/// `scheduled.rebalance.max.delay.ms` of every test worker: how long a departed worker's
/// connectors and tasks stay unassigned, waiting for it to come back.
pub const MAX_DELAY_MS: u64 = 3_000;

/// `consumer.session.timeout.ms` of every test worker (sink tasks' consumer groups).
pub const CONSUMER_SESSION_TIMEOUT_MS: u64 = 10_000;

/// How long a worker may take from launch to its first assignment: a JVM on a busy machine is
/// slow; ours starts in a second, plus the broker's `group.initial.rebalance.delay.ms` (3 s).
pub fn ready_limit(kind: Kind) -> Duration {
    match kind {
        Kind::Java => Duration::from_secs(180),
        Kind::Rust => Duration::from_secs(60),
    }
}

/// Texts the harness reads in the workers' logs, in one place.
pub mod log_text {
    /// Logged by Java's `DistributedHerder` once a join completed and it starts its assignment.
    /// Java's system tests wait for it after starting a worker.
    pub const JAVA_STARTING_WORK: &str = "Starting connectors and tasks using config offset";
    /// Java's line after each completed join (`DistributedHerder.RebalanceListener.onAssigned`):
    /// `Joined group at generation G with protocol version V and got assignment: Assignment{error=E,
    /// leader='<member id>', leaderUrl='http://host:port/', offset=O, connectorIds=[a, b],
    /// taskIds=[a-0, b-1], revokedConnectorIds=[], revokedTaskIds=[], delay=D} with rebalance
    /// delay: D`. `connectorIds`/`taskIds` are everything the worker holds after the join (the
    /// received assignment plus what it kept), logged after the revoked ones were stopped.
    pub const JAVA_ASSIGNMENT: &str = "got assignment: Assignment{";
    /// Java: the coordinator was unreachable too long, the worker stopped all its work.
    pub const JAVA_REVOKED_ALL: &str = "Revoking previous assignment";

    // TODO(distributed): our worker's texts, to be agreed with the herder. Until then: the
    // same as Java's for the start and the assignment (the harness parses one format), and
    // `Joined group at generation G as leader` / `as follower` for the leader.
    /// Our worker, once a join completed and it starts its assignment.
    pub const RUST_STARTING_WORK: &str = JAVA_STARTING_WORK;
    /// Our worker's line after each completed join, with the assignment as Java prints it.
    pub const RUST_ASSIGNMENT: &str = JAVA_ASSIGNMENT;
    /// Our worker: the start of its line after a completed join …
    pub const RUST_JOINED: &str = "Joined group at generation ";
    /// … which ends with this when it is the leader …
    pub const RUST_AS_LEADER: &str = " as leader";
    /// … or this when it is not.
    pub const RUST_AS_FOLLOWER: &str = " as follower";
}

// ---------------------------------------------------------------------------------------------
// Kinds and compositions

/// Which implementation a worker runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The real Java Kafka Connect 4.3.1.
    Java,
    /// Our `connect` binary.
    Rust,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Java => "java",
            Kind::Rust => "rust",
        })
    }
}

/// What a test group is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Composition {
    /// Java workers only (the oracle).
    Java,
    /// Our workers only.
    Rust,
    /// Ours and Java's alternating: Rust, Java, Rust, Java, … (three workers: two of ours, one Java).
    Mixed,
}

impl Composition {
    /// The kind of the `i`-th worker of a group of this composition.
    pub fn kind(self, i: usize) -> Kind {
        match self {
            Composition::Java => Kind::Java,
            Composition::Rust => Kind::Rust,
            Composition::Mixed if i % 2 == 1 => Kind::Java,
            Composition::Mixed => Kind::Rust,
        }
    }
}

/// Defines, for each scenario `fn name(c: Composition)` of the calling module, a module `name`
/// with the tests `java`, `rust` and `mixed`.
#[macro_export]
macro_rules! for_each_composition {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use $crate::cluster::Composition;

            #[test]
            fn java() {
                super::$scenario(Composition::Java)
            }

            #[test]
            fn rust() {
                super::$scenario(Composition::Rust)
            }

            #[test]
            fn mixed() {
                super::$scenario(Composition::Mixed)
            }
        }
    )*};
}

// ---------------------------------------------------------------------------------------------
// Where the Java jars are

/// The `.infra` directory of `scripts/infra.sh` (see the module docs).
pub fn infra_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONNECT_INFRA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let own = workspace.join(".infra");
    if !own.join("lib/connect").is_dir()
        && let Some(main) = main_worktree(&workspace)
        && main.join(".infra/lib/connect").is_dir()
    {
        return main.join(".infra");
    }
    own
}

/// The main worktree of the linked git worktree at `workspace`: its `.git` is a file
/// `gitdir: <main>/.git/worktrees/<name>`, whose `commondir` leads to `<main>/.git`.
fn main_worktree(workspace: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(workspace.join(".git")).ok()?;
    let gitdir = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
    let common = std::fs::read_to_string(gitdir.join("commondir")).ok()?;
    let common = gitdir.join(common.trim()).canonicalize().ok()?;
    common.parent().map(Path::to_path_buf)
}

/// The Connect jars (`<infra>/lib/connect`) and the plugin path with the FileStream connectors
/// (`<infra>/lib/connect-plugins`), after checking both are there.
///
/// # Panics
/// If they are not, with what to run or set.
pub fn require_java_connect() -> (PathBuf, PathBuf) {
    let infra = infra_dir();
    let jars = infra.join("lib/connect");
    let plugins = infra.join("lib/connect-plugins");
    let has_runtime = std::fs::read_dir(&jars).is_ok_and(|d| {
        d.flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("connect-runtime-")
        })
    });
    let has_file = std::fs::read_dir(plugins.join("connect-file")).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("connect-file-"))
    });
    assert!(
        has_runtime && has_file,
        "the Java Kafka Connect jars are not in {} (connect-runtime-*.jar in lib/connect, \
         connect-file-*.jar in lib/connect-plugins/connect-file): run `scripts/infra.sh up --peer` \
         once, or point CONNECT_INFRA_DIR at the .infra directory of a checkout that did",
        infra.display()
    );
    (jars, plugins)
}

/// `java` from `JAVA_HOME` if it has one, else from `PATH` (as `scripts/infra.sh` chooses).
pub fn java_binary() -> PathBuf {
    match std::env::var_os("JAVA_HOME") {
        Some(home) if Path::new(&home).join("bin/java").is_file() => {
            Path::new(&home).join("bin/java")
        }
        _ => PathBuf::from("java"),
    }
}

// ---------------------------------------------------------------------------------------------
// Members

/// Milliseconds since the Unix epoch, the clock of the log timestamps.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One process of a member: its log and when it ended (None: still running, or never stopped
/// by the harness).
#[derive(Clone, Debug)]
pub struct Life {
    /// Its log file (stdout and stderr).
    pub log: PathBuf,
    /// When the harness saw it exit (ms since the epoch).
    pub ended_ms: Option<u64>,
}

/// A worker of either kind in a [`Group`].
pub trait Member {
    /// Which implementation it runs.
    fn kind(&self) -> Kind;
    /// Base URL of its REST API, `http://127.0.0.1:<port>`.
    fn url(&self) -> &str;
    /// Launches a new process with the same settings (a new log), without waiting for it.
    fn spawn(&mut self);
    /// Waits until the process answers REST and logged the start of its first assignment;
    /// fails early if it exits.
    fn wait_ready(&mut self, limit: Duration) -> Result<Duration, String>;
    /// SIGTERM, and waits for the exit.
    fn stop(&mut self);
    /// SIGKILL.
    fn kill9(&mut self);
    /// Whether the process runs.
    fn is_running(&mut self) -> bool;
    /// Every process it had, the current one last.
    fn lives(&self) -> &[Life];
    /// Keeps its directory after the test (for a failure's post-mortem).
    fn keep_dir(&mut self);

    /// Its `worker_id` in statuses: the advertised `host:port`.
    fn worker_id(&self) -> String {
        host_port_of_url(self.url())
    }
    /// The log of the current (last) process.
    fn log(&self) -> String {
        self.lives()
            .last()
            .and_then(|l| std::fs::read_to_string(&l.log).ok())
            .unwrap_or_default()
    }
    /// Clean restart: SIGTERM, then a new process, waited for.
    fn restart(&mut self) {
        self.stop();
        self.spawn();
        if let Err(e) = self.wait_ready(ready_limit(self.kind())) {
            panic!("{} worker {} after a restart: {e}", self.kind(), self.url());
        }
    }
}

/// Waits until `log` contains `marker`, while `alive` holds, until `deadline`.
fn wait_for_log(
    log: &Path,
    marker: &str,
    deadline: Instant,
    mut alive: impl FnMut() -> bool,
) -> Result<(), String> {
    loop {
        if std::fs::read_to_string(log).is_ok_and(|t| t.contains(marker)) {
            return Ok(());
        }
        if !alive() {
            return Err(format!("the process exited before logging `{marker}`"));
        }
        if Instant::now() >= deadline {
            return Err(format!("`{marker}` not logged in time"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The settings of every worker of group `group`, either kind: [`distributed_props`], the
/// advertised host `127.0.0.1` and the group's timing knobs.
pub fn group_props(
    bootstrap: &str,
    group: &str,
    port: u16,
    plugin_path: &Path,
) -> BTreeMap<String, String> {
    let mut props = distributed_props(bootstrap, group, port, plugin_path);
    for (k, v) in group_settings() {
        props.insert(k, v);
    }
    props
}

fn group_settings() -> Vec<(String, String)> {
    [
        ("rest.advertised.host.name", "127.0.0.1".to_owned()),
        ("session.timeout.ms", SESSION_TIMEOUT_MS.to_string()),
        ("heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS.to_string()),
        ("scheduled.rebalance.max.delay.ms", MAX_DELAY_MS.to_string()),
        ("offset.flush.interval.ms", "1000".to_owned()),
        // Sink tasks' consumers: a killed worker's sink consumer holds its partitions until this
        // expires (Java's default is 45 s).
        (
            "consumer.session.timeout.ms",
            CONSUMER_SESSION_TIMEOUT_MS.to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Java's log4j2 settings for a test worker: INFO for Connect, WARN for the clients, and
/// timestamps like our worker's (`2026-01-02T03:04:05.678Z`, UTC), which the timeline parses.
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

/// A Java Kafka Connect 4.3.1 worker in distributed mode
/// (`org.apache.kafka.connect.cli.ConnectDistributed`), from the jars of `scripts/infra.sh`.
pub struct JavaWorker {
    child: Option<Child>,
    url: String,
    dir: tempfile::TempDir,
    config: PathBuf,
    jars: PathBuf,
    lives: Vec<Life>,
}

impl JavaWorker {
    /// A Java worker of group `group` (see [`group_props`]; the FileStream connectors on its
    /// plugin path, found through their service manifests), `extra` settings on top, launched
    /// but not waited for.
    ///
    /// The JVM gets SIGKILL when the thread that launched it ends (`PR_SET_PDEATHSIG`): launch
    /// workers from the test's own thread.
    pub fn spawn_in_group(group: &str, extra: &[(&str, &str)]) -> JavaWorker {
        let bootstrap = require_kafka();
        let (jars, plugins) = require_java_connect();
        let dir = tempfile::Builder::new()
            .prefix("java-worker-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let mut props = group_props(&bootstrap, group, port, &plugins);
        props.insert("plugin.discovery".into(), "service_load".into());
        for (k, v) in extra {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = dir.path().join("worker.properties");
        write_properties(&config, &props);
        std::fs::write(dir.path().join("log4j2.properties"), JAVA_LOG4J2).unwrap();
        let mut w = JavaWorker {
            child: None,
            url: format!("http://127.0.0.1:{port}"),
            dir,
            config,
            jars,
            lives: Vec::new(),
        };
        w.spawn();
        w
    }

    fn end_life(&mut self) {
        if let Some(l) = self.lives.last_mut()
            && l.ended_ms.is_none()
        {
            l.ended_ms = Some(now_ms());
        }
    }
}

impl Member for JavaWorker {
    fn kind(&self) -> Kind {
        Kind::Java
    }

    fn url(&self) -> &str {
        &self.url
    }

    fn spawn(&mut self) {
        let log_path = self
            .dir
            .path()
            .join(format!("worker-{}.log", self.lives.len() + 1));
        let log = File::create(&log_path).unwrap();
        let mut cmd = Command::new(java_binary());
        cmd.args([
            "-Xms128m",
            "-Xmx384m",
            // Little CPU at start: three or four JVMs share a small machine with the builds.
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
        ])
        .arg(format!(
            "-Dlog4j2.configurationFile={}",
            self.dir.path().join("log4j2.properties").display()
        ))
        .arg(format!("-Dkafka.logs.dir={}", self.dir.path().display()))
        .arg("-cp")
        .arg(format!("{}/*", self.jars.display()))
        .arg("org.apache.kafka.connect.cli.ConnectDistributed")
        .arg(&self.config)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null());
        // SAFETY: prctl(2) only, between fork and exec: async-signal-safe, no allocation.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        self.child = Some(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", java_binary().display())),
        );
        self.lives.push(Life {
            log: log_path,
            ended_ms: None,
        });
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        let deadline = started + limit;
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        loop {
            let (code, _) = call(&http, "GET", &format!("{}/connectors", self.url), None);
            if code == 200 {
                break;
            }
            if !self.is_running() {
                return Err(format!(
                    "the Java worker exited after {:.1} s instead of answering REST; log tail:\n{}",
                    started.elapsed().as_secs_f64(),
                    tail(&self.log(), 20)
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the Java worker did not answer GET /connectors within {limit:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = self.lives.last().unwrap().log.clone();
        wait_for_log(&log, log_text::JAVA_STARTING_WORK, deadline, || {
            self.is_running()
        })?;
        Ok(started.elapsed())
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let clean = crate::terminate(&mut child, Duration::from_secs(60));
            if !clean {
                let _ = child.kill();
                let _ = child.wait();
            }
            self.end_life();
            assert!(
                clean,
                "the Java worker {} did not stop within 60 s after SIGTERM",
                self.url
            );
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

    fn keep_dir(&mut self) {
        self.dir.disable_cleanup(true);
    }
}

impl Drop for JavaWorker {
    fn drop(&mut self) {
        // Its group is thrown away with the test: no clean shutdown needed.
        self.kill9();
    }
}

/// Our worker as a [`Member`].
pub struct RustWorker {
    /// The worker.
    pub worker: Worker,
    lives: Vec<Life>,
}

impl RustWorker {
    /// Our worker of group `group` (see [`group_props`]) with plugins from `plugin_path` and
    /// `extra` settings on top, launched but not waited for.
    pub fn spawn_in_group(group: &str, plugin_path: &Path, extra: &[(&str, &str)]) -> RustWorker {
        let settings = group_settings();
        let plugin_path = plugin_path.display().to_string();
        let mut all: Vec<(&str, &str)> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        all.push(("plugin.path", &plugin_path));
        all.extend_from_slice(extra);
        let worker = Worker::spawn_in_group(group, &all);
        let lives = vec![Life {
            log: worker.log_path(),
            ended_ms: None,
        }];
        RustWorker { worker, lives }
    }

    fn end_life(&mut self) {
        if let Some(l) = self.lives.last_mut()
            && l.ended_ms.is_none()
        {
            l.ended_ms = Some(now_ms());
        }
    }
}

impl Member for RustWorker {
    fn kind(&self) -> Kind {
        Kind::Rust
    }

    fn url(&self) -> &str {
        &self.worker.url
    }

    fn spawn(&mut self) {
        self.worker.spawn();
        self.lives.push(Life {
            log: self.worker.log_path(),
            ended_ms: None,
        });
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        self.worker.try_wait_ready(limit)?;
        let log = self.worker.log_path();
        let worker = &mut self.worker;
        wait_for_log(&log, log_text::RUST_STARTING_WORK, started + limit, || {
            worker.is_running()
        })?;
        Ok(started.elapsed())
    }

    fn stop(&mut self) {
        self.worker.stop();
        self.end_life();
    }

    fn kill9(&mut self) {
        self.worker.kill9();
        self.end_life();
    }

    fn is_running(&mut self) -> bool {
        let running = self.worker.is_running();
        if !running {
            self.end_life();
        }
        running
    }

    fn lives(&self) -> &[Life] {
        &self.lives
    }

    fn keep_dir(&mut self) {
        self.worker.dir.disable_cleanup(true);
    }
}

// ---------------------------------------------------------------------------------------------
// Units, statuses, placements

/// A connector or a task: what the group assigns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// A connector by name.
    Connector(String),
    /// Task `id` of a connector.
    Task(String, u32),
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Connector(c) => write!(f, "{c}"),
            Unit::Task(c, t) => write!(f, "{c}-{t}"),
        }
    }
}

impl Unit {
    /// Whether it is a connector (not a task).
    pub fn is_connector(&self) -> bool {
        matches!(self, Unit::Connector(_))
    }

    /// The connector it is or belongs to.
    pub fn connector(&self) -> &str {
        match self {
            Unit::Connector(c) | Unit::Task(c, _) => c,
        }
    }
}

/// State and `worker_id` of a connector or task in a status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// `RUNNING`, `UNASSIGNED`, …
    pub state: String,
    /// The `host:port` it reports.
    pub worker_id: String,
}

impl fmt::Display for Placed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.state, self.worker_id)
    }
}

/// What `GET /connectors/{c}/status` says, reduced to what must be the same on every worker
/// (Java adds `version`, null for UNASSIGNED, and `trace` for FAILED).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The connector.
    pub connector: Placed,
    /// Its tasks by id, in the order listed.
    pub tasks: Vec<(u32, Placed)>,
}

impl Status {
    fn parse(v: &Value) -> Result<Status, String> {
        let placed = |p: &Value| -> Result<Placed, String> {
            Ok(Placed {
                state: p["state"]
                    .as_str()
                    .ok_or_else(|| format!("no state in {p}"))?
                    .to_owned(),
                worker_id: p["worker_id"]
                    .as_str()
                    .ok_or_else(|| format!("no worker_id in {p}"))?
                    .to_owned(),
            })
        };
        let tasks = v["tasks"]
            .as_array()
            .ok_or_else(|| format!("no tasks in {v}"))?
            .iter()
            .map(|t| {
                let id = t["id"]
                    .as_u64()
                    .ok_or_else(|| format!("no task id in {t}"))? as u32;
                Ok((id, placed(t)?))
            })
            .collect::<Result<_, String>>()?;
        Ok(Status {
            connector: placed(&v["connector"])?,
            tasks,
        })
    }

    /// The placement of one of its units.
    pub fn get(&self, unit: &Unit) -> Option<&Placed> {
        match unit {
            Unit::Connector(_) => Some(&self.connector),
            Unit::Task(_, id) => self.tasks.iter().find(|(t, _)| t == id).map(|(_, p)| p),
        }
    }

    /// Every unit with its placement.
    pub fn units(&self, connector: &str) -> Vec<(Unit, &Placed)> {
        let mut all = vec![(Unit::Connector(connector.to_owned()), &self.connector)];
        all.extend(
            self.tasks
                .iter()
                .map(|(id, p)| (Unit::Task(connector.to_owned(), *id), p)),
        );
        all
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [", self.connector)?;
        for (i, (id, p)) in self.tasks.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{id}: {p}")?;
        }
        f.write_str("]")
    }
}

/// Connector → its status, or why there is none (HTTP status and body).
pub type Statuses = BTreeMap<String, Result<Status, String>>;

/// The statuses of every known connector as one member sees them.
#[derive(Clone, Debug)]
pub struct View {
    /// Index of the member.
    pub member: usize,
    /// Its statuses.
    pub statuses: Statuses,
}

/// Who runs what in a settled group.
#[derive(Clone, Debug)]
pub struct Placement {
    /// Each connector and task → the index of the member running it.
    pub owner: BTreeMap<Unit, usize>,
    /// The live members, by index.
    pub live: Vec<usize>,
}

impl Placement {
    /// What member `i` runs.
    pub fn units_on(&self, i: usize) -> Vec<Unit> {
        self.owner
            .iter()
            .filter(|(_, o)| **o == i)
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// How many connectors member `i` runs.
    pub fn connectors_on(&self, i: usize) -> usize {
        self.owner
            .iter()
            .filter(|(u, o)| **o == i && u.is_connector())
            .count()
    }

    /// How many tasks member `i` runs.
    pub fn tasks_on(&self, i: usize) -> usize {
        self.owner
            .iter()
            .filter(|(u, o)| **o == i && !u.is_connector())
            .count()
    }

    /// `w0: 2 connectors, 3 tasks; w1: …`.
    pub fn summary(&self) -> String {
        self.live
            .iter()
            .map(|&i| {
                format!(
                    "w{i}: {} connectors, {} tasks",
                    self.connectors_on(i),
                    self.tasks_on(i)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

// ---------------------------------------------------------------------------------------------
// Log parsing

/// Milliseconds since the epoch of a line that starts with an RFC 3339 UTC timestamp
/// (`2026-01-02T03:04:05.678Z`, any number of fraction digits): our worker's format, and the one
/// the harness gives Java.
pub fn line_time_ms(line: &str) -> Option<u64> {
    let stamp = line.split_whitespace().next()?;
    let b = stamp.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !stamp.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| stamp.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let frac = stamp[19..stamp.len() - 1].strip_prefix('.').unwrap_or("");
    let millis = format!("{frac:0<3}").get(0..3)?.parse::<i64>().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(((days * 24 + h) * 60 + mi) * 60 + s)
        .ok()
        .map(|secs| secs * 1000 + millis as u64)
}

/// The items of `key=[a, b, c]` in `line`.
fn bracket_list(line: &str, key: &str) -> Option<Vec<String>> {
    let start = line.find(&format!("{key}=["))? + key.len() + 2;
    let end = start + line[start..].find(']')?;
    Some(
        line[start..end]
            .split(", ")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// `'<value>'` after `key=` in `line`.
fn quoted(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("{key}='"))? + key.len() + 2;
    let end = start + line[start..].find('\'')?;
    Some(line[start..end].to_owned())
}

/// The number after `prefix` in `line`.
fn number_after(line: &str, prefix: &str) -> Option<i64> {
    let start = line.find(prefix)? + prefix.len();
    let digits: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

/// One completed join as a worker logged it.
#[derive(Clone, Debug)]
pub struct Join {
    /// When (ms since the epoch).
    pub at_ms: u64,
    /// The group generation.
    pub generation: i64,
    /// The leader's URL (Java's `leaderUrl`, without the trailing `/`), if the line names it.
    pub leader_url: Option<String>,
    /// Whether the line says this worker is the leader, if it says so directly (ours).
    pub is_leader: Option<bool>,
    /// Everything the worker holds after the join, if the line lists it.
    pub owned: Option<BTreeSet<Unit>>,
    /// The assignment's `delay` (ms), if the line has it.
    pub delay_ms: Option<i64>,
    /// The line itself.
    pub line: String,
}

fn parse_units(connectors: &[String], tasks: &[String]) -> BTreeSet<Unit> {
    let mut units: BTreeSet<Unit> = connectors
        .iter()
        .map(|c| Unit::Connector(c.clone()))
        .collect();
    for t in tasks {
        if let Some((c, id)) = t.rsplit_once('-')
            && let Ok(id) = id.parse()
        {
            units.insert(Unit::Task(c.to_owned(), id));
        }
    }
    units
}

/// The joins in a worker's log, in order. Reads Java's assignment line and our worker's join
/// line (see [`log_text`]); a line can be both.
pub fn joins(log: &str, kind: Kind) -> Vec<Join> {
    let assignment = match kind {
        Kind::Java => log_text::JAVA_ASSIGNMENT,
        Kind::Rust => log_text::RUST_ASSIGNMENT,
    };
    let mut out = Vec::new();
    for line in log.lines() {
        let is_assignment = line.contains(assignment);
        let is_rust_join = kind == Kind::Rust && line.contains(log_text::RUST_JOINED);
        let revoked_all = line.contains(log_text::JAVA_REVOKED_ALL);
        if !(is_assignment || is_rust_join || revoked_all) {
            continue;
        }
        let Some(at_ms) = line_time_ms(line) else {
            continue;
        };
        if revoked_all && !is_assignment {
            // Not a join, but the worker holds nothing any more.
            out.push(Join {
                at_ms,
                generation: out.last().map_or(-1, |j: &Join| j.generation),
                leader_url: None,
                is_leader: None,
                owned: Some(BTreeSet::new()),
                delay_ms: None,
                line: line.to_owned(),
            });
            continue;
        }
        let generation = number_after(line, "Joined group at generation ").unwrap_or(-1);
        let owned = match (
            bracket_list(line, "connectorIds"),
            bracket_list(line, "taskIds"),
        ) {
            (Some(c), Some(t)) if is_assignment => Some(parse_units(&c, &t)),
            _ => None,
        };
        let is_leader = if !is_rust_join {
            None
        } else if line.contains(log_text::RUST_AS_LEADER) {
            Some(true)
        } else if line.contains(log_text::RUST_AS_FOLLOWER) {
            Some(false)
        } else {
            None
        };
        out.push(Join {
            at_ms,
            generation,
            leader_url: quoted(line, "leaderUrl").map(|u| u.trim_end_matches('/').to_owned()),
            is_leader,
            owned,
            delay_ms: number_after(line, "delay="),
            line: line.to_owned(),
        });
    }
    out
}

/// One stretch of time a member's process held a unit.
#[derive(Clone, Debug)]
pub struct Holding {
    /// The member.
    pub member: usize,
    /// Which of its processes (0-based).
    pub life: usize,
    /// From (ms since the epoch).
    pub from_ms: u64,
    /// Until (None: still holds it).
    pub until_ms: Option<u64>,
}

/// Every stretch each unit was held, from the logs of every life of `members`.
pub fn holdings(members: &[Box<dyn Member>]) -> BTreeMap<Unit, Vec<Holding>> {
    let mut out: BTreeMap<Unit, Vec<Holding>> = BTreeMap::new();
    for (m, member) in members.iter().enumerate() {
        for (l, life) in member.lives().iter().enumerate() {
            let log = std::fs::read_to_string(&life.log).unwrap_or_default();
            let mut open: BTreeMap<Unit, u64> = BTreeMap::new();
            for j in joins(&log, member.kind()) {
                let Some(owned) = j.owned else { continue };
                let ended: Vec<Unit> = open
                    .keys()
                    .filter(|u| !owned.contains(*u))
                    .cloned()
                    .collect();
                for u in ended {
                    let from_ms = open.remove(&u).unwrap();
                    out.entry(u).or_default().push(Holding {
                        member: m,
                        life: l,
                        from_ms,
                        until_ms: Some(j.at_ms),
                    });
                }
                for u in owned {
                    open.entry(u).or_insert(j.at_ms);
                }
            }
            for (u, from_ms) in open {
                out.entry(u).or_default().push(Holding {
                    member: m,
                    life: l,
                    from_ms,
                    until_ms: life.ended_ms,
                });
            }
        }
    }
    out
}

/// Pairs of stretches of one unit held by two processes at once (a tie counts as no overlap:
/// the revoking worker logs before it rejoins, the new owner after the next join).
pub fn overlaps(holdings: &BTreeMap<Unit, Vec<Holding>>) -> Vec<(Unit, Holding, Holding)> {
    let mut out = Vec::new();
    for (u, hs) in holdings {
        for (i, a) in hs.iter().enumerate() {
            for b in &hs[i + 1..] {
                if (a.member, a.life) == (b.member, b.life) {
                    continue;
                }
                let a_end = a.until_ms.unwrap_or(u64::MAX);
                let b_end = b.until_ms.unwrap_or(u64::MAX);
                if a.from_ms < b_end && b.from_ms < a_end {
                    out.push((u.clone(), a.clone(), b.clone()));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The group

static ONE_GROUP_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The connector every leader probe asks to delete (there is none by that name).
const PROBE: &str = "leader-probe-no-such-connector";

/// Workers of one group; see the module docs.
pub struct Group {
    /// The `group.id`, also the prefix of the internal topics.
    pub name: String,
    composition: Composition,
    dir: tempfile::TempDir,
    members: Vec<Box<dyn Member>>,
    /// Connectors created through the group → their expected task count.
    connectors: BTreeMap<String, usize>,
    rust_plugins: Option<PathBuf>,
    http: reqwest::blocking::Client,
    /// For status polls and leader probes: a worker that does not answer within seconds is
    /// reported, not waited for.
    poll_http: reqwest::blocking::Client,
    /// Units seen RUNNING on two live workers in the last poll.
    suspects: BTreeSet<Unit>,
    /// Members the test stopped or killed (and has not started again).
    down: BTreeSet<usize>,
    _serial: MutexGuard<'static, ()>,
}

impl Group {
    /// A new group (unique name) of `n` workers of `composition`, all launched at once, then
    /// waited for until each logged the start of its first assignment.
    pub fn start(composition: Composition, n: usize) -> Group {
        let serial = ONE_GROUP_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut g = Group {
            name: crate::unique_name("dist"),
            composition,
            dir: tempfile::Builder::new().prefix("group-").tempdir().unwrap(),
            members: Vec::new(),
            connectors: BTreeMap::new(),
            rust_plugins: None,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(100))
                .build()
                .unwrap(),
            poll_http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            suspects: BTreeSet::new(),
            down: BTreeSet::new(),
            _serial: serial,
        };
        let t0 = Instant::now();
        for i in 0..n {
            g.launch(composition.kind(i));
        }
        for i in 0..n {
            g.await_ready(i);
        }
        eprintln!(
            "group {}: {n} workers ({composition:?}) ready in {:.1} s",
            g.name,
            t0.elapsed().as_secs_f64()
        );
        g
    }

    fn launch(&mut self, kind: Kind) -> usize {
        let member: Box<dyn Member> = match kind {
            Kind::Java => Box::new(JavaWorker::spawn_in_group(&self.name, &[])),
            Kind::Rust => {
                let plugins = self
                    .rust_plugins
                    .get_or_insert_with(|| file_plugins(self.dir.path()))
                    .clone();
                Box::new(RustWorker::spawn_in_group(&self.name, &plugins, &[]))
            }
        };
        self.members.push(member);
        self.members.len() - 1
    }

    fn await_ready(&mut self, i: usize) {
        let kind = self.members[i].kind();
        if let Err(e) = self.members[i].wait_ready(ready_limit(kind)) {
            panic!(
                "w{i} ({}) did not become ready: {e}",
                self.members[i].kind()
            );
        }
    }

    /// Adds a worker of the kind the composition gives the next index, waited for.
    pub fn add(&mut self) -> usize {
        let i = self.launch(self.composition.kind(self.members.len()));
        self.await_ready(i);
        i
    }

    /// The composition.
    pub fn composition(&self) -> Composition {
        self.composition
    }

    /// How many members (live or not).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether it has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Member `i`.
    pub fn member(&self, i: usize) -> &dyn Member {
        self.members[i].as_ref()
    }

    /// The kind of member `i`.
    pub fn kind(&self, i: usize) -> Kind {
        self.members[i].kind()
    }

    /// Indexes of the members whose process runs.
    pub fn live(&mut self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|&i| self.members[i].is_running())
            .collect()
    }

    /// A path in the group's directory (data files every worker reads or writes).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// SIGTERM to member `i`, waiting for its exit; returns when the signal was sent.
    pub fn stop(&mut self, i: usize) -> Instant {
        let at = Instant::now();
        self.down.insert(i);
        self.members[i].stop();
        at
    }

    /// SIGKILL to member `i`; returns when it was sent.
    pub fn kill9(&mut self, i: usize) -> Instant {
        let at = Instant::now();
        self.down.insert(i);
        self.members[i].kill9();
        at
    }

    /// Clean restart of member `i` ([`Member::restart`]).
    pub fn restart(&mut self, i: usize) {
        self.down.insert(i);
        self.members[i].restart();
        self.down.remove(&i);
    }

    /// Starts member `i` again (a new process, same settings), waited for.
    pub fn start_again(&mut self, i: usize) {
        self.down.remove(&i);
        self.members[i].spawn();
        self.await_ready(i);
    }

    /// One HTTP call to member `i`.
    pub fn call(&self, i: usize, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        call(
            &self.http,
            method,
            &format!("{}{path}", self.members[i].url()),
            body,
        )
    }

    /// One HTTP call to member `i` with extra headers.
    pub fn call_with_headers(
        &self,
        i: usize,
        method: &str,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.members[i].url());
        let mut req = self
            .http
            .request(method.parse().unwrap(), &url)
            .header("Content-Type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        match req.send() {
            Ok(r) => {
                let code = r.status().as_u16();
                let text = r.text().unwrap_or_default();
                (code, serde_json::from_str(&text).unwrap_or(Value::Null))
            }
            Err(e) => (0, Value::String(format!("{method} {url}: {e}"))),
        }
    }

    /// `POST /connectors` through member `via`; expects 201. `tasks`: how many tasks the
    /// connector makes (FileStreamSource: 1 whatever `tasks.max`; FileStreamSink: `tasks.max`).
    pub fn create(&mut self, via: usize, name: &str, config: Value, tasks: usize) {
        let body = serde_json::json!({ "name": name, "config": config }).to_string();
        let (code, resp) = self.call(via, "POST", "/connectors", Some(&body));
        assert_eq!(
            code,
            201,
            "creating {name} through w{via} ({}): {resp}",
            self.members[via].kind()
        );
        self.connectors.insert(name.to_owned(), tasks);
    }

    /// Records a connector created some other way (so statuses include it).
    pub fn expect_connector(&mut self, name: &str, tasks: usize) {
        self.connectors.insert(name.to_owned(), tasks);
    }

    /// Stops expecting a deleted connector in statuses.
    pub fn forget_connector(&mut self, name: &str) {
        self.connectors.remove(name);
    }

    /// The connectors created through the group.
    pub fn connectors(&self) -> Vec<String> {
        self.connectors.keys().cloned().collect()
    }

    /// The member whose `worker_id` is `id`.
    pub fn member_by_id(&self, id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.worker_id() == id)
    }

    /// Every known connector's status on every live member.
    pub fn views(&mut self) -> Vec<View> {
        let live = self.live();
        live.into_iter()
            .map(|i| View {
                member: i,
                statuses: self
                    .connectors
                    .keys()
                    .map(|c| {
                        let url = format!("{}/connectors/{c}/status", self.members[i].url());
                        let (code, body) = call(&self.poll_http, "GET", &url, None);
                        let s = if code == 200 {
                            Status::parse(&body)
                        } else {
                            Err(format!("{code} {body}"))
                        };
                        (c.clone(), s)
                    })
                    .collect(),
            })
            .collect()
    }

    /// [`Group::views`], failing the test if one unit is RUNNING on two different live workers
    /// (in the views of this poll and of the previous one: views may lag a few milliseconds).
    /// Also fails it if a member exited that the test did not stop.
    pub fn poll(&mut self) -> Vec<View> {
        for i in 0..self.members.len() {
            if !self.down.contains(&i) && !self.members[i].is_running() {
                panic!(
                    "w{i} ({} {}) exited, the test did not stop it",
                    self.members[i].kind(),
                    self.members[i].url()
                );
            }
        }
        let views = self.views();
        let live_ids: BTreeSet<String> = views
            .iter()
            .map(|v| self.members[v.member].worker_id())
            .collect();
        let mut running_on: BTreeMap<Unit, BTreeSet<String>> = BTreeMap::new();
        for v in &views {
            for (c, s) in &v.statuses {
                let Ok(s) = s else { continue };
                for (u, p) in s.units(c) {
                    if p.state == "RUNNING" && live_ids.contains(&p.worker_id) {
                        running_on.entry(u).or_default().insert(p.worker_id.clone());
                    }
                }
            }
        }
        let twice: BTreeSet<Unit> = running_on
            .iter()
            .filter(|(_, ws)| ws.len() > 1)
            .map(|(u, _)| u.clone())
            .collect();
        let confirmed: Vec<String> = twice
            .intersection(&self.suspects)
            .map(|u| format!("{u} on {:?}", running_on[u]))
            .collect();
        assert!(
            confirmed.is_empty(),
            "RUNNING on two live workers in two polls in a row: {}",
            confirmed.join(", ")
        );
        self.suspects = twice;
        views
    }

    /// Checks the views of a settled group; see [`Group::wait_settled`].
    pub fn check_settled(&mut self, views: &[View]) -> Result<Placement, String> {
        let live: Vec<usize> = views.iter().map(|v| v.member).collect();
        if live.is_empty() {
            return Err("no live worker".into());
        }
        let mut first: Option<(usize, &Statuses)> = None;
        for v in views {
            for (c, s) in &v.statuses {
                let s = s
                    .as_ref()
                    .map_err(|e| format!("w{}: status of {c}: {e}", v.member))?;
                let want = self.connectors[c];
                if s.tasks.len() != want {
                    return Err(format!(
                        "w{}: {c} has {} tasks, want {want}: {s}",
                        v.member,
                        s.tasks.len()
                    ));
                }
            }
            match first {
                None => first = Some((v.member, &v.statuses)),
                Some((m, f)) if f != &v.statuses => {
                    let diff: Vec<String> = f
                        .iter()
                        .filter(|(c, s)| v.statuses.get(*c) != Some(s))
                        .map(|(c, s)| {
                            format!(
                                "{c}: w{m} {} vs w{} {}",
                                show(s),
                                v.member,
                                v.statuses.get(c).map_or("-".into(), show)
                            )
                        })
                        .collect();
                    return Err(format!(
                        "the workers see different statuses: {}",
                        diff.join("; ")
                    ));
                }
                Some(_) => {}
            }
        }
        let mut owner = BTreeMap::new();
        for (c, s) in first.unwrap().1 {
            for (u, p) in s.as_ref().unwrap().units(c) {
                if p.state != "RUNNING" {
                    return Err(format!("{u} is {p}"));
                }
                let Some(m) = self.member_by_id(&p.worker_id).filter(|m| live.contains(m)) else {
                    return Err(format!("{u} is {p}, not a live worker"));
                };
                owner.insert(u, m);
            }
        }
        // The status must be what each worker's log says it was given by its last join.
        for &m in &live {
            let kind = self.members[m].kind();
            let joins = joins(&self.members[m].log(), kind);
            let Some(held) = joins.iter().rev().find_map(|j| j.owned.clone()) else {
                return Err(format!(
                    "w{m} ({kind}): no assignment in its log (no line with `{}`)",
                    match kind {
                        Kind::Java => log_text::JAVA_ASSIGNMENT,
                        Kind::Rust => log_text::RUST_ASSIGNMENT,
                    }
                ));
            };
            let held: BTreeSet<Unit> = held
                .into_iter()
                .filter(|u| self.connectors.contains_key(u.connector()))
                .collect();
            let placed: BTreeSet<Unit> = owner
                .iter()
                .filter(|(_, o)| **o == m)
                .map(|(u, _)| u.clone())
                .collect();
            if held != placed {
                return Err(format!(
                    "w{m} ({kind}): its last assignment holds {} but the statuses place {} on it",
                    list(&held),
                    list(&placed)
                ));
            }
        }
        let placement = Placement { owner, live };
        for (what, count) in [
            (
                "connectors",
                Placement::connectors_on as fn(&Placement, usize) -> usize,
            ),
            ("tasks", Placement::tasks_on),
        ] {
            let counts: Vec<usize> = placement
                .live
                .iter()
                .map(|&i| count(&placement, i))
                .collect();
            let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            if max - min > 1 {
                return Err(format!(
                    "{what} not balanced (max − min = {}): {}",
                    max - min,
                    placement.summary()
                ));
            }
        }
        Ok(placement)
    }

    /// Polls ([`Group::poll`]) until the group is settled: every known connector and task
    /// RUNNING on exactly one live worker (by `worker_id`, and by that worker's log), with the
    /// expected task counts, the same statuses on every live worker, and per-worker load max −
    /// min ≤ 1 for connectors and for tasks. Panics after `limit` with the last reason.
    pub fn wait_settled(&mut self, what: &str, limit: Duration) -> Placement {
        self.wait_settled_where(what, limit, |_| Ok(()))
    }

    /// [`Group::wait_settled`] plus a condition of the test on the placement.
    pub fn wait_settled_where(
        &mut self,
        what: &str,
        limit: Duration,
        mut also: impl FnMut(&Placement) -> Result<(), String>,
    ) -> Placement {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < limit {
            let views = self.poll();
            match self
                .check_settled(&views)
                .and_then(|p| also(&p).map(|()| p))
            {
                Ok(p) => {
                    eprintln!(
                        "group {}: settled ({what}) after {:.1} s: {}",
                        self.name,
                        started.elapsed().as_secs_f64(),
                        p.summary()
                    );
                    return p;
                }
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("{what}: the group did not settle within {limit:?}: {last}");
    }

    /// Which live member leads, over REST: `DELETE /connectors/<none>?forward=false` answers 404
    /// (`Connector … not found`) on the leader and 409 (`Cannot complete request because of a
    /// conflicting operation`) on a follower, which may not forward it. Err while there is no
    /// single answer (a rebalance, no leader yet).
    pub fn leader(&mut self) -> Result<usize, String> {
        let mut leaders = Vec::new();
        let mut answers = Vec::new();
        for i in self.live() {
            let url = format!("{}/connectors/{PROBE}?forward=false", self.members[i].url());
            let (code, body) = call(&self.poll_http, "DELETE", &url, None);
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

    /// Waits until one live member leads ([`Group::leader`]) and the logs agree: its last join
    /// names it as leader, and so does every other live member's last join that names one.
    pub fn wait_leader(&mut self, limit: Duration) -> usize {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < limit {
            match self
                .leader()
                .and_then(|l| self.check_leader_in_logs(l).map(|()| l))
            {
                Ok(l) => return l,
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("no leader within {limit:?}: {last}");
    }

    fn check_leader_in_logs(&mut self, leader: usize) -> Result<(), String> {
        let url = self.members[leader].url().to_owned();
        for i in self.live() {
            let m = &self.members[i];
            let Some(j) = joins(&m.log(), m.kind()).pop() else {
                return Err(format!("w{i}: no join in its log"));
            };
            let names_it = match (&j.leader_url, j.is_leader) {
                (Some(u), _) => Some(*u == url),
                (None, Some(me)) => Some(me == (i == leader)),
                (None, None) => None,
            };
            match names_it {
                Some(true) => {}
                Some(false) => {
                    return Err(format!(
                        "REST says w{leader} leads, w{i}'s last join (generation {}) says otherwise",
                        j.generation
                    ));
                }
                None if i == leader => {
                    return Err(format!(
                        "w{i} leads, but its last join does not say so: {}",
                        j.line
                    ));
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Polls until every unit of `units` is RUNNING on a live member other than `from` in every
    /// live member's view, and returns how long after `since` that was first seen. Panics after
    /// `limit`.
    pub fn wait_moved(
        &mut self,
        units: &[Unit],
        from: usize,
        since: Instant,
        limit: Duration,
    ) -> Duration {
        let from_id = self.members[from].worker_id();
        let mut last = String::new();
        while since.elapsed() < limit {
            let views = self.poll();
            let live_ids: BTreeSet<String> = views
                .iter()
                .map(|v| self.members[v.member].worker_id())
                .collect();
            let mut pending = Vec::new();
            for v in &views {
                for u in units {
                    let placed = v
                        .statuses
                        .get(u.connector())
                        .and_then(|s| s.as_ref().ok())
                        .and_then(|s| s.get(u));
                    match placed {
                        Some(p)
                            if p.state == "RUNNING"
                                && p.worker_id != from_id
                                && live_ids.contains(&p.worker_id) => {}
                        other => pending.push(format!(
                            "w{} sees {u} {}",
                            v.member,
                            other.map_or("(no status)".into(), Placed::to_string)
                        )),
                    }
                }
            }
            if pending.is_empty() && !views.is_empty() {
                return since.elapsed();
            }
            last = pending.join(", ");
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the work of w{from} did not move within {limit:?}: {last}");
    }

    /// Fails the test if any connector or task was held by two processes at once, from the logs
    /// of every life of every member (see [`holdings`]); returns how many holdings it checked.
    pub fn assert_nothing_ran_twice(&self) -> usize {
        let all = holdings(&self.members);
        let bad = overlaps(&all);
        let show_h = |h: &Holding| {
            format!(
                "w{} life {} {}..{}",
                h.member,
                h.life + 1,
                h.from_ms,
                h.until_ms.map_or("now".into(), |t| t.to_string())
            )
        };
        assert!(
            bad.is_empty(),
            "held by two workers at once (ms since the epoch, from their logs): {}",
            bad.iter()
                .map(|(u, a, b)| format!("{u}: {} and {}", show_h(a), show_h(b)))
                .collect::<Vec<_>>()
                .join("; ")
        );
        all.values().map(Vec::len).sum()
    }

    /// When units of `units` were first held, after `since_ms`, by a process other than those
    /// of member `from` (from the logs): unit → (member, ms).
    pub fn taken_over(
        &self,
        units: &[Unit],
        from: usize,
        since_ms: u64,
    ) -> BTreeMap<Unit, (usize, u64)> {
        let all = holdings(&self.members);
        units
            .iter()
            .filter_map(|u| {
                all.get(u)?
                    .iter()
                    .filter(|h| h.member != from && h.from_ms >= since_ms)
                    .map(|h| (h.member, h.from_ms))
                    .min_by_key(|(_, t)| *t)
                    .map(|t| (u.clone(), t))
            })
            .collect()
    }

    /// Statuses, last joins and log tails of every member, for a failure message.
    pub fn diagnostics(&mut self) -> String {
        let mut out = format!(
            "group {} ({:?}), directory {}\n",
            self.name,
            self.composition,
            self.dir.path().display()
        );
        let views = self.views();
        for i in 0..self.members.len() {
            let running = self.members[i].is_running();
            let m = &self.members[i];
            out.push_str(&format!(
                "--- w{i}: {} {} ({}), {} lives, log {}\n",
                m.kind(),
                m.url(),
                if running { "running" } else { "not running" },
                m.lives().len(),
                m.lives()
                    .last()
                    .map_or("-".into(), |l| l.log.display().to_string())
            ));
            if let Some(v) = views.iter().find(|v| v.member == i) {
                for (c, s) in &v.statuses {
                    out.push_str(&format!("  status {c}: {}\n", show(s)));
                }
            }
            let log = m.log();
            for j in joins(&log, m.kind()).iter().rev().take(3).rev() {
                out.push_str(&format!("  join: {}\n", clip(&j.line, 600)));
            }
            // Java logs every REST request: internal ones refused, e.g. a signature mismatch.
            for line in log
                .lines()
                .filter(|l| l.contains("/tasks HTTP/1.1\" 4") || l.contains("/fence HTTP/1.1\" 4"))
                .take(5)
            {
                out.push_str(&format!(
                    "  refused internal request: {}\n",
                    clip(line, 300)
                ));
            }
            out.push_str("  log tail:\n");
            for line in tail(&log, 25).lines() {
                out.push_str(&format!("    {}\n", clip(line, 400)));
            }
        }
        out
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let keep = std::env::var_os("DISTRIBUTED_KEEP").is_some_and(|v| !v.is_empty());
        if std::thread::panicking() {
            eprintln!("{}", self.diagnostics());
        }
        if std::thread::panicking() || keep {
            eprintln!("group {}: kept {}", self.name, self.dir.path().display());
            self.dir.disable_cleanup(true);
            for m in &mut self.members {
                m.keep_dir();
            }
        }
        for m in &mut self.members {
            m.kill9();
        }
    }
}

fn show(s: &Result<Status, String>) -> String {
    match s {
        Ok(s) => s.to_string(),
        Err(e) => clip(e, 300),
    }
}

fn list(units: &BTreeSet<Unit>) -> String {
    let items: Vec<String> = units.iter().map(Unit::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(line_time_ms("1970-01-01T00:00:00.000Z INFO x"), Some(0));
        assert_eq!(
            line_time_ms("2026-12-02T04:44:06.012Z INFO [Worker …]"),
            Some(1_796_186_646_012)
        );
        // Our worker: microseconds, two spaces before the level.
        assert_eq!(
            line_time_ms("2026-12-02T04:44:06.012345Z  INFO x"),
            Some(1_796_186_646_012)
        );
        assert_eq!(line_time_ms("[2026-12-02 04:44:06,012] INFO"), None);
    }

    #[test]
    fn java_assignment_line() {
        let line = "2026-12-02T04:44:32.399Z INFO [Worker clientId=connect-127.0.0.1:28101, \
                    groupId=g] Joined group at generation 10 with protocol version 2 and got \
                    assignment: Assignment{error=0, leader='connect-127.0.0.1:28101-7fca', \
                    leaderUrl='http://127.0.0.1:28101/', offset=12, connectorIds=[src-2, sink], \
                    taskIds=[src-2-0, sink-1, sink-10], revokedConnectorIds=[], revokedTaskIds=[], \
                    delay=3000} with rebalance delay: 3000 (org.apache.kafka.connect.runtime.\
                    distributed.DistributedHerder)";
        let js = joins(line, Kind::Java);
        assert_eq!(js.len(), 1);
        let j = &js[0];
        assert_eq!(j.generation, 10);
        assert_eq!(j.leader_url.as_deref(), Some("http://127.0.0.1:28101"));
        assert_eq!(j.delay_ms, Some(3000));
        let want: BTreeSet<Unit> = [
            Unit::Connector("src-2".into()),
            Unit::Connector("sink".into()),
            Unit::Task("src-2".into(), 0),
            Unit::Task("sink".into(), 1),
            Unit::Task("sink".into(), 10),
        ]
        .into_iter()
        .collect();
        assert_eq!(j.owned.as_ref(), Some(&want));
    }

    #[test]
    fn rust_join_line() {
        let js = joins(
            "2026-12-02T04:44:06.012345Z  INFO Joined group at generation 7 as leader",
            Kind::Rust,
        );
        assert_eq!((js[0].generation, js[0].is_leader), (7, Some(true)));
        assert!(js[0].owned.is_none());
    }

    #[test]
    fn overlapping_holdings_are_found() {
        let h = |member, from_ms, until_ms| Holding {
            member,
            life: 0,
            from_ms,
            until_ms,
        };
        let u = Unit::Task("c".into(), 0);
        let ok: BTreeMap<Unit, Vec<Holding>> =
            [(u.clone(), vec![h(0, 10, Some(20)), h(1, 20, None)])].into();
        assert!(overlaps(&ok).is_empty());
        let bad: BTreeMap<Unit, Vec<Holding>> =
            [(u.clone(), vec![h(0, 10, None), h(1, 20, Some(30))])].into();
        assert_eq!(overlaps(&bad).len(), 1);
    }

    #[test]
    fn compositions() {
        let kinds: Vec<Kind> = (0..4).map(|i| Composition::Mixed.kind(i)).collect();
        assert_eq!(kinds, [Kind::Rust, Kind::Java, Kind::Rust, Kind::Java]);
        assert_eq!(Composition::Java.kind(3), Kind::Java);
    }
}
