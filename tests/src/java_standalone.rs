//! A Java Kafka Connect 4.3.1 standalone worker (`ConnectStandalone`, the peer's jars from
//! `scripts/infra.sh up --peer`) with given settings: the oracle for REST behaviour that
//! depends on worker settings (CORS, `OPTIONS`, basic authentication, HTTPS). Killed on drop.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    cluster::{java_binary, require_java_connect},
    require_kafka,
    rest_access::RestAccess,
    worker::{free_port, write_properties},
};

/// A running Java standalone worker.
pub struct JavaStandalone {
    child: Child,
    /// Its REST URL (`http://` or `https://` by its [`RestAccess`]).
    pub url: String,
    /// Its directory (config, JAAS file, log).
    pub dir: tempfile::TempDir,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl JavaStandalone {
    /// Starts one with JSON converters, an empty plugin path, `access`'s REST protection and
    /// `settings` on top, and waits until its REST resources answer (up to 90 s).
    pub fn start(settings: &[(&str, &str)], access: &RestAccess) -> JavaStandalone {
        Self::start_with_jvm_options(settings, access, &[])
    }

    /// [`JavaStandalone::start`] with more JVM options (e.g. a `-javaagent:`).
    pub fn start_with_jvm_options(
        settings: &[(&str, &str)],
        access: &RestAccess,
        extra_jvm_options: &[String],
    ) -> JavaStandalone {
        let (jars, _) = require_java_connect();
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        let json = "org.apache.kafka.connect.json.JsonConverter";
        let mut props: BTreeMap<String, String> = [
            ("bootstrap.servers", require_kafka()),
            ("key.converter", json.to_owned()),
            ("value.converter", json.to_owned()),
            (
                "offset.storage.file.filename",
                dir.path().join("offsets").display().to_string(),
            ),
            ("plugin.path", plugins.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        props.extend(access.worker_settings(dir.path(), port));
        for (k, v) in settings {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = dir.path().join("worker.properties");
        write_properties(&config, &props);
        let log = std::fs::File::create(dir.path().join("java.log")).unwrap();
        // What KAFKA_OPTS carries for our worker goes straight to the JVM here.
        let jvm_options: Vec<String> = access
            .worker_env(dir.path())
            .into_iter()
            .filter(|(k, _)| k == "KAFKA_OPTS")
            .flat_map(|(_, v)| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        let child = Command::new(java_binary())
            .args(["-Xms64m", "-Xmx256m"])
            .args(&jvm_options)
            .args(extra_jvm_options)
            .arg(format!(
                "-Dlog4j2.configurationFile={}",
                repo_root()
                    .join("scripts/infra/connect/log4j2.properties")
                    .display()
            ))
            .arg("-cp")
            .arg(format!("{}/*", jars.display()))
            .arg("org.apache.kafka.connect.cli.ConnectStandalone")
            .arg(&config)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("java must be on PATH");
        let mut w = JavaStandalone {
            child,
            url: format!("{}://127.0.0.1:{port}", access.scheme()),
            dir,
        };
        // Jetty listens before Jersey's resources are in: wait for a real answer.
        let http = access.client(Duration::from_secs(5));
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            let answer = access
                .authorize(http.get(format!("{}/connectors", w.url)))
                .send();
            if answer.is_ok_and(|r| r.status().as_u16() == 200) {
                return w;
            }
            if let Ok(Some(status)) = w.child.try_wait() {
                panic!("the Java worker exited ({status}); log:\n{}", w.log());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!(
            "the Java worker did not start within 90 s; log:\n{}",
            w.log()
        );
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("java.log")).unwrap_or_default()
    }
}

impl Drop for JavaStandalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
