//! plugin.path scanning and loading: good plugins load, every bad file is refused with a reason
//! and start-up goes on, a panicking plugin fails its task without taking the process down, and a
//! plugin dropped in is picked up at the next start.

use std::{path::Path, process::Command};

use abi_stable::std_types::RSlice;
use connect_host::plugins::{LookupError, PluginRegistry};
use connect_plugin_api::{
    abi::error::ErrorKind,
    batch::{Data, RecordPosition},
    prelude::RecordBatch,
    sdk::testing::noop_task_context,
};
use connect_tests::artifacts::{connect_binary, install_component, install_library};

/// `connect plugins list --json` against a plugin path, parsed.
fn list(plugin_path: &str) -> serde_json::Value {
    let out = Command::new(connect_binary())
        .args(["plugins", "list", "--json", "--plugin-path", plugin_path])
        .env("CONNECT_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "connect plugins list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn classes(listing: &serde_json::Value) -> Vec<String> {
    listing["loaded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap().to_owned())
        .collect()
}

fn refusal_for<'a>(listing: &'a serde_json::Value, file: &str) -> &'a serde_json::Value {
    listing["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no refusal for {file} in {listing:#}"))
}

/// A plugin directory holding every kind of good and bad entry.
fn mixed_plugin_dir(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let hub = root.join("hub");
    let loose = root.join("loose");
    install_component(
        "connect_file_sink",
        "plugins/file-sink",
        &hub,
        "connect-host-connect-file-sink",
    );
    install_component(
        "connect_file_source",
        "plugins/file-source",
        &hub,
        "connect-host-connect-file-source",
    );
    install_library("connect_panicking_sink", &loose);
    install_library("connect_incompatible_abi", &loose);
    // A second copy of the file sink: same class, refused as a duplicate.
    install_library("connect_file_sink", &loose.join("dup"));
    std::fs::write(
        loose.join("libgarbage.so"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let sink = std::fs::read(loose.join("dup/libconnect_file_sink.so")).unwrap();
    std::fs::write(loose.join("libtruncated.so"), &sink[..sink.len() / 3]).unwrap();
    std::fs::write(loose.join("README.txt"), "not a library, not a candidate").unwrap();
    (hub, loose)
}

#[test]
fn plugins_list_shows_loaded_and_refused_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, loose) = mixed_plugin_dir(tmp.path());
    let missing = tmp.path().join("missing");
    let listing = list(&format!(
        "{},{},{}",
        hub.display(),
        loose.display(),
        missing.display()
    ));

    assert_eq!(
        classes(&listing),
        vec![
            "com.example.connect.PanickingSinkConnector",
            "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
        ]
    );
    let sink = &listing["loaded"][1];
    assert_eq!(sink["type"], "sink");
    assert_eq!(sink["plugin_api"], "2.0.0");
    assert!(
        sink["library"]
            .as_str()
            .unwrap()
            .contains("connect-host-connect-file-sink/lib/")
    );

    let incompatible = refusal_for(&listing, "libconnect_incompatible_abi.so");
    assert!(
        incompatible["reason"]
            .as_str()
            .unwrap()
            .contains("built against plugin-api 1.0.0, but this host speaks plugin-api 2.0.0")
    );
    assert!(
        incompatible["hint"]
            .as_str()
            .unwrap()
            .contains("rebuild the plugin")
    );
    assert!(
        refusal_for(&listing, "libgarbage.so")["reason"]
            .as_str()
            .unwrap()
            .contains("not a shared library")
    );
    let truncated = refusal_for(&listing, "libtruncated.so")["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        truncated.contains("truncated") || truncated.contains("broken ELF"),
        "{truncated}"
    );
    assert!(
        refusal_for(&listing, "dup/libconnect_file_sink.so")["reason"]
            .as_str()
            .unwrap()
            .contains("duplicate connector class")
    );
    assert!(
        refusal_for(&listing, "missing")["reason"]
            .as_str()
            .unwrap()
            .contains("not a directory")
    );
    assert_eq!(
        listing["refused"].as_array().unwrap().len(),
        5,
        "{listing:#}"
    );
}

#[test]
fn a_plugin_dropped_in_is_picked_up_at_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    install_component(
        "connect_file_sink",
        "plugins/file-sink",
        &dir,
        "connect-host-connect-file-sink",
    );
    let before = list(&dir.display().to_string());
    assert_eq!(
        classes(&before),
        vec!["org.apache.kafka.connect.file.FileStreamSinkConnector"]
    );

    install_component(
        "connect_file_source",
        "plugins/file-source",
        &dir,
        "connect-host-connect-file-source",
    );
    let after = list(&dir.display().to_string());
    assert_eq!(
        classes(&after),
        vec![
            "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "org.apache.kafka.connect.file.FileStreamSourceConnector"
        ]
    );
}

#[test]
fn classes_resolve_by_full_name_simple_name_and_short_alias() {
    let tmp = tempfile::tempdir().unwrap();
    let (hub, _) = mixed_plugin_dir(tmp.path());
    let registry = PluginRegistry::load(&[hub]);
    for name in [
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "FileStreamSinkConnector",
        "FileStreamSink",
    ] {
        assert_eq!(
            registry.lookup(name).unwrap().class(),
            "org.apache.kafka.connect.file.FileStreamSinkConnector"
        );
    }
    let err = registry.lookup("ElasticsearchSink").unwrap_err();
    assert!(matches!(err, LookupError::NotFound { .. }));
    assert!(err.to_string().starts_with("Failed to find any class that implements Connector and which name matches ElasticsearchSink"));
}

#[test]
fn a_panic_in_put_becomes_a_panic_error_and_the_process_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    install_library("connect_panicking_sink", &dir);
    install_library("connect_file_sink", &dir);
    let registry = PluginRegistry::load(&[dir]);
    let plugin = registry.lookup("PanickingSink").unwrap();
    let ctx = noop_task_context();
    let mut task = plugin
        .factory
        .start_sink_task(RSlice::from_slice(&[]), ctx)
        .unwrap();
    let mut batch = RecordBatch::new();
    batch
        .push(
            RecordPosition {
                topic: "t",
                partition: 0,
                offset: 0,
                timestamp: None,
            },
            Data::NULL,
            Data::string("x"),
            &[],
        )
        .unwrap();

    let err = task.put(&batch).unwrap_err();
    assert_eq!(err.kind, ErrorKind::PANIC);
    assert!(
        err.message
            .contains("the plugin panicked in put: deliberate panic in put"),
        "{}",
        err.message
    );
    assert!(
        err.trace.contains("panicking-sink/src/lib.rs"),
        "trace names the panic location: {}",
        err.trace
    );
    // The same object answers again (with the same panic), and other plugins still work.
    assert_eq!(task.put(&batch).unwrap_err().kind, ErrorKind::PANIC);
    let out = tmp.path().join("out.txt");
    let sink = registry.lookup("FileStreamSink").unwrap();
    let ctx = noop_task_context();
    let config = [connect_plugin_api::abi::types::ConfigEntry {
        key: "file".into(),
        value: out.display().to_string().into(),
    }];
    let mut file_task = sink
        .factory
        .start_sink_task(RSlice::from_slice(&config), ctx)
        .unwrap();
    file_task.put(&batch).unwrap();
    file_task.pre_commit(RSlice::from_slice(&[])).unwrap();
    file_task.stop().unwrap();
    assert_eq!(std::fs::read_to_string(out).unwrap(), "x\n");
}

/// Collects formatted log lines written by the host's subscriber.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn plugin_tracing_and_log_records_reach_the_host_subscriber() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    install_library("connect_panicking_sink", &dir);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let registry = PluginRegistry::load(&[dir]);
        let plugin = registry
            .lookup("com.example.connect.PanickingSinkConnector")
            .unwrap();
        let ctx = noop_task_context();
        let _task = plugin
            .factory
            .start_sink_task(RSlice::from_slice(&[]), ctx)
            .unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("panicking sink task started via the log crate"),
        "log crate record missing: {text}"
    );
    assert!(
        text.contains("libconnect_panicking_sink.so"),
        "records are tagged with the plugin library: {text}"
    );
}

#[test]
fn plugin_log_levels_follow_the_host_at_run_time() {
    use connect_host::plugins::log_levels;
    use connect_plugin_api::abi::host::level;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("levels");
    install_library("connect_panicking_sink", &dir);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let text = || String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    tracing::subscriber::with_default(subscriber, || {
        let registry = PluginRegistry::load(&[dir]);
        let plugin = registry
            .lookup("com.example.connect.PanickingSinkConnector")
            .unwrap();
        let mut task = plugin
            .factory
            .start_sink_task(RSlice::from_slice(&[]), noop_task_context())
            .unwrap();
        let batch = RecordBatch::new();
        // INFO everywhere: the plugin's DEBUG event is dropped inside the plugin.
        log_levels::publish(level::INFO, Vec::new());
        let _ = task.put(&batch);
        assert!(!text().contains("panicking sink put called"), "{}", text());
        // The logger of the plugin's crate at DEBUG (what PUT /admin/loggers/connect_panicking_sink
        // does): the same loaded library now emits it, without a restart.
        log_levels::publish(
            level::INFO,
            vec![("connect_panicking_sink".into(), level::DEBUG)],
        );
        let _ = task.put(&batch);
        assert!(text().contains("panicking sink put called"), "{}", text());
        log_levels::publish(level::INFO, Vec::new());
    });
}

fn run_install(package: &Path, component_dir: &Path) -> std::process::Output {
    Command::new(connect_binary())
        .args(["plugins", "install"])
        .arg(package)
        .arg("--component-dir")
        .arg(component_dir)
        .env("CONNECT_LOG", "error")
        .output()
        .unwrap()
}

/// A confluent-hub style zip: `<top>/manifest.json` + `<top>/lib/<library>`.
fn zip_package(dir: &Path, top: &str, manifest: &Path, library: &Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join(format!("{top}.zip"));
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file(format!("{top}/manifest.json"), opts).unwrap();
    z.write_all(&std::fs::read(manifest).unwrap()).unwrap();
    z.start_file(
        format!(
            "{top}/lib/{}",
            library.file_name().unwrap().to_string_lossy()
        ),
        opts,
    )
    .unwrap();
    z.write_all(&std::fs::read(library).unwrap()).unwrap();
    z.finish().unwrap();
    path
}

#[test]
fn install_unpacks_like_confluent_hub_is_idempotent_and_refuses_bad_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let components = tmp.path().join("components");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/file-sink/manifest.json");
    let lib = connect_tests::artifacts::plugin_library("connect_file_sink");
    let zip = zip_package(
        tmp.path(),
        "connect-host-connect-file-sink-1.0.0",
        &manifest,
        &lib,
    );

    let out = run_install(&zip, &components);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = components.join("connect-host-connect-file-sink");
    assert!(
        installed.join("manifest.json").is_file()
            && installed.join("lib/libconnect_file_sink.so").is_file()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed"));
    // Again: harmless, says so.
    let again = run_install(&zip, &components);
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("already installed"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    // And the worker finds it.
    assert_eq!(
        classes(&list(&components.display().to_string())),
        vec!["org.apache.kafka.connect.file.FileStreamSinkConnector"]
    );

    // A corrupt archive: refused, nothing changed.
    let bytes = std::fs::read(&zip).unwrap();
    let corrupt = tmp.path().join("corrupt.zip");
    std::fs::write(&corrupt, &bytes[..bytes.len() / 2]).unwrap();
    let out = run_install(&corrupt, &components);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a valid zip archive"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // An incompatible plugin: refused with the loader's reason, nothing installed.
    let incompatible = zip_package(
        tmp.path(),
        "acme-legacy-1.0.0",
        &manifest,
        &connect_tests::artifacts::plugin_library("connect_incompatible_abi"),
    );
    let other = tmp.path().join("other");
    let out = run_install(&incompatible, &other);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("built against plugin-api 1.0.0") && err.contains("Nothing was installed"),
        "{err}"
    );
    assert!(!other.join("connect-host-connect-file-sink").exists());
    assert_eq!(
        std::fs::read_dir(&other)
            .unwrap()
            .filter(|e| !e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.'))
            .count(),
        0
    );
}
