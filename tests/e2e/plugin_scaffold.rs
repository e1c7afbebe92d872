//! The newcomer flow, outside the workspace: `connect plugins new NAME --kind …` in a temporary
//! directory, then `cargo build`, `cargo test`, `scripts/package-plugin.sh`, `connect plugins
//! install`, `connect plugins list --json` and, for the sink, a worker's `GET /connector-plugins`
//! — the commands of docs/writing-a-plugin.md.
//!
//! The three crates share one cargo target directory under the workspace's
//! (`<target>/scaffold-check`), so abi_stable and the rest are compiled once, not per crate and
//! run; cargo runs offline (`CARGO_NET_OFFLINE=true`) from the registry `cargo build --workspace`
//! already fetched.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::{Duration, Instant},
};

use connect_tests::{
    artifacts::{connect_binary, target_dir},
    worker::Worker,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn shared_target() -> PathBuf {
    target_dir().join("scaffold-check")
}

fn check(what: &str, out: Output) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A command with cargo pointed at the shared target directory, offline.
fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .env("CARGO_NET_OFFLINE", "true")
        .env("CONNECT_LOG", "warn")
        // Not the outer `cargo test`'s settings for this package.
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("CARGO_PKG_NAME")
        .env_remove("CARGO_PRIMARY_PACKAGE");
    c
}

fn cargo(dir: &Path, args: &[&str]) -> String {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = command(program, dir).args(args).output().unwrap();
    check(&format!("cargo {}", args.join(" ")), out)
}

fn connect(dir: &Path, args: &[&str]) -> String {
    let out = command(connect_binary(), dir).args(args).output().unwrap();
    check(&format!("connect {}", args.join(" ")), out)
}

/// Times of the steps, printed at the end (`cargo test … -- --nocapture` shows them).
#[derive(Default)]
struct Clock(Vec<(&'static str, Duration)>);

impl Clock {
    fn time<T>(&mut self, step: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let v = f();
        self.0.push((step, start.elapsed()));
        v
    }
    fn report(&self, name: &str) {
        let total: Duration = self.0.iter().map(|(_, d)| *d).sum();
        let steps: Vec<String> = self
            .0
            .iter()
            .map(|(s, d)| format!("{s} {:.1}s", d.as_secs_f64()))
            .collect();
        eprintln!(
            "plugin_scaffold {name}: {} — total {:.1}s",
            steps.join(", "),
            total.as_secs_f64()
        );
    }
}

/// Runs the flow for one kind; returns the listed entry of `class`. With `worker`, the last step
/// is the doc's: a distributed worker (on the real Kafka) with the component directory on its
/// `plugin.path` lists the class in `GET /connector-plugins`.
fn newcomer_flow(name: &str, kind: &str, class: &str, worker: bool) -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    assert!(
        !work.starts_with(repo()),
        "the crate must be made outside the workspace"
    );
    let api = repo().join("plugin-api");
    let api = api.to_str().unwrap();
    let mut clock = Clock::default();

    let created = clock.time("new", || {
        connect(
            work,
            &["plugins", "new", name, "--kind", kind, "--api-path", api],
        )
    });
    assert!(created.contains(class), "{created}");
    let crate_dir = work.join(name);
    let cargo_toml = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("[workspace]"), "{cargo_toml}");

    clock.time("cargo build", || cargo(&crate_dir, &["build"]));
    clock.time("cargo test", || cargo(&crate_dir, &["test"]));
    let packaged = clock.time("package", || {
        let script = repo().join("scripts/package-plugin.sh");
        let out = command(script, work).arg(name).output().unwrap();
        check("scripts/package-plugin.sh", out)
    });
    let zip = PathBuf::from(packaged.lines().last().unwrap().trim());
    assert!(
        zip.ends_with(format!("plugins/example-{name}-0.1.0.zip")),
        "{}",
        zip.display()
    );
    assert!(zip.starts_with(shared_target()), "{}", zip.display());

    let plugins = work.join("plugins");
    let plugins_arg = "plugins";
    let installed = clock.time("install", || {
        connect(
            work,
            &[
                "plugins",
                "install",
                zip.to_str().unwrap(),
                "--component-dir",
                plugins_arg,
            ],
        )
    });
    assert!(installed.contains(class), "{installed}");
    assert!(
        plugins
            .join(format!("example-{name}/manifest.json"))
            .is_file()
    );

    let listing = clock.time("list", || {
        connect(
            work,
            &["plugins", "list", "--json", "--plugin-path", plugins_arg],
        )
    });
    if worker {
        let served = clock.time("worker /connector-plugins", || {
            let plugin_path = plugins.display().to_string();
            let w = Worker::distributed(&[("plugin.path", plugin_path.as_str())]);
            let (code, body) = w.get("/connector-plugins");
            assert_eq!(code, 200, "{body}");
            body
        });
        assert!(
            served
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["class"] == class && p["version"] == "0.1.0"),
            "{class} is not in /connector-plugins: {served}"
        );
    }
    clock.report(name);
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(listing["refused"], serde_json::json!([]), "{listing:#}");
    let entry = listing["loaded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == class)
        .unwrap_or_else(|| panic!("{class} is not listed: {listing:#}"))
        .clone();
    assert_eq!(entry["version"], "0.1.0");
    entry
}

#[test]
fn a_new_sink_builds_tests_packages_installs_and_is_listed() {
    let entry = newcomer_flow("hello-sink", "sink", "com.example.HelloSinkConnector", true);
    assert_eq!(entry["type"], "sink");
}

#[test]
fn a_new_source_builds_tests_packages_installs_and_is_listed() {
    let entry = newcomer_flow(
        "hello-source",
        "source",
        "com.example.HelloSourceConnector",
        false,
    );
    assert_eq!(entry["type"], "source");
}

#[test]
fn a_new_transform_builds_tests_packages_installs_and_is_listed() {
    let entry = newcomer_flow(
        "add-suffix",
        "transform",
        "com.example.AddSuffixTransform",
        false,
    );
    assert_eq!(entry["type"], "transformation");
}

#[test]
fn plugins_new_refuses_a_bad_name_and_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let api = repo().join("plugin-api");
    let run = |name: &str| {
        command(connect_binary(), work)
            .args(["plugins", "new", name, "--kind", "sink", "--api-path"])
            .arg(&api)
            .output()
            .unwrap()
    };
    let bad = run("Hello Sink");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("is not a valid plugin crate name") && err.contains("e.g. hello-sink"),
        "{err}"
    );

    std::fs::create_dir_all(work.join("taken")).unwrap();
    std::fs::write(work.join("taken/notes.txt"), "mine").unwrap();
    let taken = run("taken");
    assert!(!taken.status.success());
    let err = String::from_utf8_lossy(&taken.stderr);
    assert!(
        err.contains("already exists and is not empty") && err.contains("choose another NAME"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("taken/notes.txt")).unwrap(),
        "mine"
    );
}
