//! A private single-node KRaft Kafka broker for one test, for tests that must take the broker
//! away (kill it, stop it, bring it back) without disturbing the shared one of `scripts/infra.sh`.
//!
//! It runs from the jars `scripts/infra.sh up` fetched into `.infra/lib/kafka`, with the repo's
//! `scripts/infra/kafka/server.properties` plus its own ports and data directory in a temp dir,
//! formatted and launched the way `start_kafka` in `scripts/infra.sh` does it. The JVM is kept
//! small (the test machines have 2 cores and the shared servers run beside it). Its output goes
//! to `kafka-<n>.log` in its directory, one file per start, and a failing wait names that file.
//!
//! The broker dies with the test: `Drop` kills it, and on Linux the JVM also gets SIGKILL when
//! the thread that started it exits, so a test that panics or hangs leaves no broker behind.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::worker::free_port;

/// How long a start may take before the test fails (a cold JVM on 2 busy cores is slow).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long `stop` waits after SIGTERM before it kills the broker.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// A Kafka broker process of our own (see the module doc).
pub struct PrivateBroker {
    child: Option<Child>,
    /// Its directory: `server.properties`, `data/`, `logs/` and one `kafka-<n>.log` per start.
    pub dir: tempfile::TempDir,
    /// The client (PLAINTEXT) port on 127.0.0.1.
    pub port: u16,
    /// The KRaft controller port on 127.0.0.1.
    pub controller_port: u16,
    starts: u32,
}

/// The repository root (the parent of the `tests` crate).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Kafka jars fetched by `scripts/infra.sh up`.
fn kafka_lib() -> PathBuf {
    let lib = repo_root().join(".infra/lib/kafka");
    let complete = lib.join(".complete").is_file();
    assert!(
        complete,
        "the Kafka jars are missing from {}: run `scripts/infra.sh up` once to fetch them",
        lib.display()
    );
    lib
}

/// `java` from `JAVA_HOME` if it has one, else from `PATH` (as `scripts/infra.sh` chooses).
fn java() -> PathBuf {
    match std::env::var_os("JAVA_HOME") {
        Some(home) if Path::new(&home).join("bin/java").is_file() => {
            Path::new(&home).join("bin/java")
        }
        _ => PathBuf::from("java"),
    }
}

/// A random Kafka cluster id: 16 random bytes in base64url without padding, not starting with
/// `-` (Kafka's `Uuid` text form, as `new_cluster_id` in `scripts/infra.sh`).
fn new_cluster_id() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    loop {
        let mut bytes = [0u8; 16];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .unwrap_or_else(|e| panic!("reading /dev/urandom for a Kafka cluster id: {e}"));
        let mut bits = 0u32;
        let mut nbits = 0;
        let mut id = String::with_capacity(22);
        for b in bytes {
            bits = ((bits << 8) | u32::from(b)) & 0xffff;
            nbits += 8;
            while nbits >= 6 {
                nbits -= 6;
                id.push(ALPHABET[((bits >> nbits) & 63) as usize] as char);
            }
        }
        // 128 bits leave 2: the last character carries them in its high bits.
        id.push(ALPHABET[((bits << (6 - nbits)) & 63) as usize] as char);
        if !id.starts_with('-') {
            return id;
        }
    }
}

/// Whether the broker on `port` answers a Metadata request with at least one broker: the same
/// raw probe as `kafka_metadata_ok` in `scripts/infra.sh` (no client library, no retries).
pub fn metadata_ok(port: u16) -> bool {
    let probe = || -> std::io::Result<[u8; 16]> {
        let mut s =
            TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(3))?;
        s.set_read_timeout(Some(Duration::from_secs(3)))?;
        // size=19 | api_key=3 (Metadata) | version=4 | correlation_id=42 | client_id="infr" |
        // topics=null (all) | allow_auto_topic_creation=false
        s.write_all(
            b"\x00\x00\x00\x13\x00\x03\x00\x04\x00\x00\x00\x2a\x00\x04infr\xff\xff\xff\xff\x00",
        )?;
        let mut head = [0u8; 16];
        s.read_exact(&mut head)?;
        Ok(head)
    };
    // response: size(4) correlation_id(4) throttle_time_ms(4) broker_count(4)
    probe().is_ok_and(|h| h[4..8] == [0, 0, 0, 42] && h[12..16] != [0, 0, 0, 0])
}

impl PrivateBroker {
    /// Formats and starts a broker on free ports, and waits until it answers.
    ///
    /// # Panics
    /// If the jars are missing (with the command that fetches them), if formatting fails, or if
    /// the broker does not answer within 90 s (with the tail of its log).
    pub fn start() -> PrivateBroker {
        let lib = kafka_lib();
        let dir = tempfile::Builder::new()
            .prefix("private-kafka-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let mut controller_port = free_port();
        while controller_port == port {
            controller_port = free_port();
        }
        let root = repo_root();
        let base = std::fs::read_to_string(root.join("scripts/infra/kafka/server.properties"))
            .unwrap_or_else(|e| panic!("reading scripts/infra/kafka/server.properties: {e}"));
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(dir.path().join("logs")).unwrap();
        let conf = format!(
            "{base}\n# written by connect_tests::broker\n\
             listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}\n\
             advertised.listeners=PLAINTEXT://127.0.0.1:{port}\n\
             controller.quorum.voters=1@127.0.0.1:{controller_port}\n\
             log.dirs={}\n\
             # after a kill -9 the restarted broker waits for its old session to expire\n\
             # (default 9 s) before it serves: shorter, so a restart takes seconds\n\
             broker.session.timeout.ms=3000\n\
             broker.heartbeat.interval.ms=500\n",
            data.display()
        );
        std::fs::write(dir.path().join("server.properties"), conf).unwrap();
        let mut broker = PrivateBroker {
            child: None,
            dir,
            port,
            controller_port,
            starts: 0,
        };
        let t0 = Instant::now();
        broker.format(&lib);
        broker.launch();
        eprintln!(
            "private broker: formatted and ready in {:.1} s on 127.0.0.1:{port} ({})",
            t0.elapsed().as_secs_f64(),
            broker.dir.path().display()
        );
        broker
    }

    /// `bootstrap.servers` for clients of this broker.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The log of the current (or last) start.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join(format!("kafka-{}.log", self.starts))
    }

    /// The last lines of the current log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// A JVM command for Kafka classes with the repo's log4j2 configuration.
    fn java_command(&self, lib: &Path) -> Command {
        let mut cmd = Command::new(java());
        cmd.arg("-Djava.awt.headless=true")
            .arg(format!(
                "-Dkafka.logs.dir={}",
                self.dir.path().join("logs").display()
            ))
            .arg(format!(
                "-Dlog4j2.configurationFile={}",
                repo_root()
                    .join("scripts/infra/kafka/log4j2.properties")
                    .display()
            ))
            .arg("-cp")
            .arg(format!("{}/*", lib.display()))
            .stdin(Stdio::null());
        cmd
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("server.properties")
    }

    /// `StorageTool format` with a new cluster id (the static quorum of `controller.quorum.voters`
    /// needs no `--standalone`, as in `scripts/infra.sh`).
    fn format(&self, lib: &Path) {
        let out = self
            .java_command(lib)
            .args(["-Xms64m", "-Xmx256m", "-XX:TieredStopAtLevel=1"])
            .args(["kafka.tools.StorageTool", "format", "-t", &new_cluster_id()])
            .arg("-c")
            .arg(self.conf())
            .arg("--ignore-formatted")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run java for Kafka's StorageTool: {e}: install a JDK 17+ or set JAVA_HOME")
            });
        assert!(
            out.status.success(),
            "formatting the private broker's log.dirs failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Launches the broker process and waits until it answers a Metadata request.
    fn launch(&mut self) {
        assert!(
            self.child.is_none(),
            "the private broker is running already"
        );
        self.starts += 1;
        let log = std::fs::File::create(self.log_path()).unwrap();
        let mut cmd = self.java_command(&kafka_lib());
        // Small heap, serial GC, C1 only: a test broker handles a few MB and shares 2 cores.
        cmd.args([
            "-Xms256m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "kafka.Kafka",
        ])
        .arg(self.conf())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
        die_with_parent(&mut cmd);
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run java for the private broker: {e}: install a JDK 17+ or set JAVA_HOME"
            )
        });
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        while !metadata_ok(self.port) {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                panic!(
                    "the private broker exited during start-up ({status}); its log {}:\n{}",
                    self.log_path().display(),
                    self.log_tail()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "the private broker did not answer on 127.0.0.1:{} within {START_TIMEOUT:?}; its log {}:\n{}",
                    self.port,
                    self.log_path().display(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGKILL: the broker is simply gone (no controlled shutdown, nothing flushed).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM (a controlled shutdown), then waits for the exit; SIGKILL after 30 s.
    ///
    /// # Panics
    /// If the broker did not exit within 30 s of SIGTERM (after killing it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            let deadline = Instant::now() + STOP_TIMEOUT;
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the private broker did not stop within {STOP_TIMEOUT:?} of SIGTERM (killed it); its log {}:\n{}",
                self.log_path().display(),
                self.log_tail()
            );
        }
    }

    /// Starts the broker again on the same data directory and ports (after `kill` or `stop`),
    /// and waits until it answers; returns how long that took.
    pub fn restart(&mut self) -> Duration {
        self.kill();
        let t0 = Instant::now();
        self.launch();
        t0.elapsed()
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Linux: the JVM gets SIGKILL when the thread that spawned it exits, so a test process that
/// dies (or a test thread that ends without dropping the broker) leaves no broker running.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl, getppid and _exit are async-signal-safe; nothing else runs between fork
    // and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The test process died before prctl took effect: do not start an orphan.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_look_like_kafka_uuids() {
        for _ in 0..200 {
            let id = new_cluster_id();
            assert_eq!(id.len(), 22, "{id}");
            assert!(!id.starts_with('-'), "{id}");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{id}"
            );
        }
    }
}
