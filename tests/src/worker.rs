//! Runs our `connect` binary as a real worker process for a test: its own temp directory,
//! plugin directory, free REST port, unique group and internal topics; a small blocking REST
//! client; restart (graceful or `kill -9`) with the same settings. [`Worker::spawn_in_group`]
//! launches workers that share one group and its topics without waiting for them, so several can
//! start at once.
//!
//! The worker's log stays in its directory; a failing wait prints its tail.

use std::{
    collections::BTreeMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::{
    artifacts::{connect_binary, install_component},
    require_kafka,
    rest_access::RestAccess,
    unique_name,
};

/// A worker process of ours.
pub struct Worker {
    child: Option<Child>,
    /// Base URL of its REST API.
    pub url: String,
    /// Its working directory (configs, log, data files).
    pub dir: tempfile::TempDir,
    /// The plugin directory on its plugin.path.
    pub plugins: PathBuf,
    config: PathBuf,
    mode: &'static str,
    extra_args: Vec<PathBuf>,
    http: reqwest::blocking::Client,
    access: RestAccess,
    env: Vec<(String, String)>,
    log_count: u32,
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plugin directory with the file source and sink installed as confluent-hub components.
pub fn file_plugins(dir: &Path) -> PathBuf {
    let plugins = dir.join("plugins");
    install_component(
        "connect_file_sink",
        "plugins/file-sink",
        &plugins,
        "connect-host-connect-file-sink",
    );
    install_component(
        "connect_file_source",
        "plugins/file-source",
        &plugins,
        "connect-host-connect-file-source",
    );
    plugins
}

/// The settings of a distributed worker in group `group`: internal topics `<group>-configs`,
/// `<group>-offsets` (2 partitions) and `<group>-status` (2 partitions) with replication factor 1,
/// StringConverter, a 1 s offset flush, REST on `127.0.0.1:<port>`, plugins from `plugin_path`.
///
/// Workers given the same `group` share its topics; the first to start creates them.
pub fn distributed_props(
    bootstrap: &str,
    group: &str,
    port: u16,
    plugin_path: &Path,
) -> BTreeMap<String, String> {
    [
        ("bootstrap.servers", bootstrap),
        ("group.id", group),
        ("config.storage.topic", &format!("{group}-configs")),
        ("offset.storage.topic", &format!("{group}-offsets")),
        ("status.storage.topic", &format!("{group}-status")),
        ("config.storage.replication.factor", "1"),
        ("offset.storage.replication.factor", "1"),
        ("status.storage.replication.factor", "1"),
        ("offset.storage.partitions", "2"),
        ("status.storage.partitions", "2"),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        ("offset.flush.interval.ms", "1000"),
        ("listeners", &format!("http://127.0.0.1:{port}")),
        ("plugin.path", &plugin_path.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Writes `props` as a `.properties` file at `path`, values escaped as `java.util.Properties`
/// reads them (so `a\.b` arrives as `a\.b`, not `a.b`).
pub fn write_properties(path: &Path, props: &BTreeMap<String, String>) {
    let escape = |v: &str| {
        v.replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    };
    let text: String = props
        .iter()
        .map(|(k, v)| format!("{k}={}\n", escape(v)))
        .collect();
    std::fs::write(path, text).unwrap();
}

impl Worker {
    /// A distributed worker with the file plugins, its own group and internal topics (see
    /// [`distributed_props`]) and `extra` settings on top, started and ready.
    pub fn distributed(extra: &[(&str, &str)]) -> Worker {
        Self::distributed_with(extra, RestAccess::default())
    }

    /// [`Worker::distributed`] with its REST API protected by `access` (HTTPS, basic
    /// authentication); its client gets through.
    pub fn distributed_with(extra: &[(&str, &str)], access: RestAccess) -> Worker {
        let bootstrap = require_kafka();
        let dir = tempfile::tempdir().unwrap();
        let plugins = file_plugins(dir.path());
        let port = free_port();
        let mut props = distributed_props(&bootstrap, &unique_name("w"), port, &plugins);
        props.extend(access.worker_settings(dir.path(), port));
        for (k, v) in extra {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let mut w = Self::launch(dir, plugins, port, props, "distributed", Vec::new(), access);
        w.start();
        w
    }

    /// A distributed worker of group `group` (sharing its internal topics with every other worker
    /// given the same name, see [`distributed_props`]), with an empty plugin directory, launched
    /// but not waited for: call [`Worker::wait_ready`]. Launching several before waiting for any
    /// starts them at once, racing to create the topics.
    ///
    /// No plugins, because copying the file plugins (about 100 MB) per worker would dominate a
    /// test that starts dozens of workers.
    pub fn spawn_in_group(group: &str, extra: &[(&str, &str)]) -> Worker {
        let bootstrap = require_kafka();
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        let port = free_port();
        let mut props = distributed_props(&bootstrap, group, port, &plugins);
        for (k, v) in extra {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let mut w = Self::launch(
            dir,
            plugins,
            port,
            props,
            "distributed",
            Vec::new(),
            RestAccess::default(),
        );
        w.spawn();
        w
    }

    /// A standalone worker with connector files.
    pub fn standalone(extra: &[(&str, &str)], connectors: &[(&str, &str)]) -> Worker {
        let bootstrap = require_kafka();
        let dir = tempfile::tempdir().unwrap();
        let plugins = file_plugins(dir.path());
        let port = free_port();
        let mut props: BTreeMap<String, String> = BTreeMap::new();
        props.insert("bootstrap.servers".into(), bootstrap);
        props.insert(
            "key.converter".into(),
            "org.apache.kafka.connect.storage.StringConverter".into(),
        );
        props.insert(
            "value.converter".into(),
            "org.apache.kafka.connect.storage.StringConverter".into(),
        );
        props.insert(
            "offset.storage.file.filename".into(),
            dir.path().join("offsets.json").display().to_string(),
        );
        props.insert("offset.flush.interval.ms".into(), "1000".into());
        props.insert("listeners".into(), format!("http://127.0.0.1:{port}"));
        props.insert("plugin.path".into(), plugins.display().to_string());
        for (k, v) in extra {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let files = connectors
            .iter()
            .map(|(file, text)| {
                let p = dir.path().join(file);
                std::fs::write(&p, text).unwrap();
                p
            })
            .collect();
        let mut w = Self::launch(
            dir,
            plugins,
            port,
            props,
            "standalone",
            files,
            RestAccess::default(),
        );
        w.start();
        w
    }

    fn launch(
        dir: tempfile::TempDir,
        plugins: PathBuf,
        port: u16,
        props: BTreeMap<String, String>,
        mode: &'static str,
        extra_args: Vec<PathBuf>,
        access: RestAccess,
    ) -> Worker {
        let config = dir.path().join("worker.properties");
        write_properties(&config, &props);
        Worker {
            child: None,
            url: format!("{}://127.0.0.1:{port}", access.scheme()),
            env: access.worker_env(dir.path()),
            dir,
            plugins,
            config,
            mode,
            extra_args,
            http: access.client(Duration::from_secs(120)),
            access,
            log_count: 0,
        }
    }

    /// `host:port` of its REST URL (its worker id in a group).
    pub fn id(&self) -> &str {
        self.url
            .trim_start_matches("https://")
            .trim_start_matches("http://")
    }

    /// Sets an environment variable of the worker process from its next start on.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Its REST client (trusting the test CA if it serves HTTPS), without credentials.
    pub fn client(&self) -> &reqwest::blocking::Client {
        &self.http
    }

    /// Path of a file in the worker's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts the process and waits until `GET /health` says it is ready.
    pub fn start(&mut self) {
        self.spawn();
        self.wait_ready();
    }

    /// Starts the process without waiting for it (its output goes to a new log file).
    pub fn spawn(&mut self) {
        self.log_count += 1;
        let log =
            std::fs::File::create(self.path(&format!("worker-{}.log", self.log_count))).unwrap();
        let child = Command::new(connect_binary())
            .arg(self.mode)
            .arg(&self.config)
            .args(&self.extra_args)
            .env("CONNECT_LOG", "info")
            .env_remove("CONNECT_BOOTSTRAP_SERVERS")
            .env_remove("KAFKA_OPTS")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// Waits up to 60 s until `GET /health` answers 200; panics with the log tail otherwise.
    pub fn wait_ready(&mut self) {
        if let Err(e) = self.try_wait_ready(Duration::from_secs(60)) {
            panic!("{e}\nworker log:\n{}", self.log_tail());
        }
    }

    /// Waits up to `limit` until `GET /health` answers 200 and returns how long that took. Fails
    /// as soon as the process exits, with its exit status and fatal error (the `connect:` line)
    /// or, without one, the last lines of its log.
    pub fn try_wait_ready(&mut self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        while started.elapsed() < limit {
            // A short timeout of its own: the client's 120 s would outlast `limit`.
            let health = self
                .access
                .authorize(self.http.get(format!("{}/health", self.url)))
                .timeout(Duration::from_secs(5))
                .send();
            if health.is_ok_and(|r| r.status().as_u16() == 200) {
                return Ok(started.elapsed());
            }
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait().unwrap()
            {
                self.child = None;
                return Err(format!(
                    "the worker exited ({status}) after {:.1} s instead of becoming ready: {}",
                    started.elapsed().as_secs_f64(),
                    self.fatal_error()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "the worker was not ready (GET /health 200) within {limit:?}: {}",
            self.fatal_error()
        ))
    }

    /// The `connect: …` line the binary prints before exiting 1, else the last 5 log lines.
    fn fatal_error(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        match lines.iter().rev().find(|l| l.starts_with("connect: ")) {
            Some(line) => (*line).to_owned(),
            None => lines[lines.len().saturating_sub(5)..].join("\n"),
        }
    }

    /// SIGTERM, then waits for the process to exit (tasks commit on the way).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if crate::terminate(&mut child, Duration::from_secs(60)) {
                return;
            }
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "worker did not stop within 60 s after SIGTERM\n{}",
                self.log_tail()
            );
        }
    }

    /// SIGTERM, `gap` later a second SIGTERM; returns how long the process took to exit after
    /// the second one (panics past 30 s) and whether it exited successfully.
    pub fn stop_twice(&mut self, gap: Duration) -> (Duration, bool) {
        let mut child = self.child.take().expect("the worker runs");
        let pid = child.id() as libc::pid_t;
        // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        std::thread::sleep(gap);
        assert!(
            child.try_wait().unwrap().is_none(),
            "the worker exited before the second signal\n{}",
            self.log_tail()
        );
        let second = std::time::Instant::now();
        // SAFETY: as above; the child has not exited, so the pid is still ours.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        while second.elapsed() < Duration::from_secs(30) {
            if let Some(status) = child.try_wait().unwrap() {
                return (second.elapsed(), status.success());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "worker did not exit within 30 s of a second SIGTERM\n{}",
            self.log_tail()
        );
    }

    /// SIGKILL: no graceful shutdown at all.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Graceful restart with the same settings.
    pub fn restart(&mut self) {
        self.stop();
        self.start();
    }

    /// The log file of the current (or last) process: `worker-<n>.log`, one per start.
    pub fn log_path(&self) -> PathBuf {
        self.path(&format!("worker-{}.log", self.log_count))
    }

    /// Whether the process is started and has not exited.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// The last lines of the current log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The whole log of the current process.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Polls `cond` every 200 ms until it holds, or panics with the log tail.
    pub fn wait_until(&self, what: &str, limit: Duration, mut cond: impl FnMut(&Worker) -> bool) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if cond(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "timed out after {limit:?} waiting for {what}\nworker log:\n{}",
            self.log_tail()
        );
    }

    /// One HTTP call: status and JSON body (`Value::Null` when empty or not JSON).
    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let url = format!("{}{path}", self.url);
        let request = self
            .access
            .authorize(self.http.request(method.parse().unwrap(), &url));
        send(request, method, &url, body)
    }

    /// `GET`.
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }

    /// The state of a connector and of its tasks, from `GET /connectors/{c}/status`.
    pub fn states(&self, connector: &str) -> (String, Vec<String>) {
        let (_, s) = self.get(&format!("/connectors/{connector}/status"));
        let c = s["connector"]["state"].as_str().unwrap_or("").to_owned();
        let t = s["tasks"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .map(|t| t["state"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        (c, t)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::terminate(&mut child, Duration::from_secs(20));
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP call against any Connect REST API (ours or the Java peer).
pub fn call(
    http: &reqwest::blocking::Client,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, Value) {
    send(
        http.request(method.parse().unwrap(), url),
        method,
        url,
        body,
    )
}

fn send(
    mut req: reqwest::blocking::RequestBuilder,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, Value) {
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_owned());
    }
    // A connection failure is status 0 with the error text, so waits can poll a starting worker.
    let resp = match req.send() {
        Ok(r) => r,
        Err(e) => return (0, Value::String(format!("{method} {url}: {e}"))),
    };
    let status = resp.status().as_u16();
    let text = resp.text().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
