//! The plugin ABI across versions, with the libraries `scripts/abi-compat.sh` builds (test.sh runs
//! it before the tests): the plugins of the pinned earlier 2.x commit run in this host, and a 2.1
//! plugin runs degraded in this 2.0 host without ever receiving the call it lacks.

use std::path::PathBuf;

use abi_stable::std_types::RSlice;
use connect_host::plugins::PluginRegistry;
use connect_plugin_api::{
    abi::{
        context::MetricKind,
        types::{ConfigEntry, TopicPartition, TopicPartitionOffset},
    },
    batch,
    sdk::testing::RecordingTaskContext,
};

fn compat_dir(which: &str) -> PathBuf {
    let dir = connect_tests::artifacts::target_dir()
        .join("abi-compat/plugins")
        .join(which);
    assert!(
        dir.is_dir(),
        "{} is missing: run scripts/abi-compat.sh first (scripts/test.sh does)",
        dir.display()
    );
    dir
}

#[test]
fn plugins_of_the_pinned_earlier_commit_run_in_this_host() {
    let registry = PluginRegistry::load(&[compat_dir("old")]);
    assert!(registry.refused().is_empty(), "{:?}", registry.refused());
    assert_eq!(registry.connectors().len(), 3);
    // Every call of a sink task's lifecycle, host → older plugin, through the real ABI objects.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.txt");
    let sink = registry.lookup("FileStreamSink").unwrap();
    let config = [ConfigEntry {
        key: "file".into(),
        value: out.display().to_string().into(),
    }];
    let report = sink.factory.validate(RSlice::from_slice(&config)).unwrap();
    assert!(report.iter().all(|r| r.errors.is_empty()), "{report:?}");
    let mut task = sink
        .factory
        .start_sink_task(
            RSlice::from_slice(&config),
            RecordingTaskContext::new().abi(),
        )
        .unwrap();
    let tp = [TopicPartition::new("t", 0)];
    task.open(RSlice::from_slice(&tp)).unwrap();
    task.put(&batch![
        ("t", 0, 0, "a"),
        ("t", 0, 1, "b"),
        ("t", 0, 2, "c")
    ])
    .unwrap();
    let committed = task
        .pre_commit(RSlice::from_slice(&[TopicPartitionOffset::new("t", 0, 3)]))
        .unwrap();
    assert_eq!(
        committed.as_slice(),
        &[TopicPartitionOffset::new("t", 0, 3)]
    );
    task.close(RSlice::from_slice(&tp)).unwrap();
    task.stop().unwrap();
    assert_eq!(std::fs::read_to_string(out).unwrap(), "a\nb\nc\n");
}

#[test]
fn a_newer_plugin_degrades_in_this_host_and_never_gets_the_call_it_lacks() {
    let registry = PluginRegistry::load(&[compat_dir("newer")]);
    assert!(registry.refused().is_empty(), "{:?}", registry.refused());
    let sink = registry
        .lookup("com.example.compat.NewerAbiSinkConnector")
        .unwrap();
    assert_eq!(sink.api_version, "2.1.0");
    let context = RecordingTaskContext::new();
    let mut task = sink
        .factory
        .start_sink_task(RSlice::from_slice(&[]), context.abi())
        .unwrap();
    // Had the SDK called `task_identity` (absent from this host's vtable), abi_stable would have
    // panicked inside the plugin and `put` would return a PANIC error.
    task.put(&batch![("t", 0, 0, "x")]).unwrap();
    let metrics = context.metrics();
    assert_eq!(metrics.len(), 1, "{metrics:?}");
    assert_eq!(metrics[0].kind, MetricKind::GAUGE);
    assert_eq!(
        (metrics[0].name.as_str(), metrics[0].value),
        ("identity_known", 0.0)
    );
}

#[test]
fn a_newer_plugin_that_requires_a_missing_capability_is_refused_with_the_reason() {
    let registry = PluginRegistry::load(&[compat_dir("newer-require")]);
    assert!(registry.connectors().is_empty());
    let refusal = &registry.refused()[0];
    assert!(
        refusal.reason.contains("requires host capabilities")
            && refusal.reason.contains("plugin-api 2.1.0")
            && refusal.reason.contains("bit 5"),
        "{refusal}"
    );
    assert!(
        refusal.hint.contains("upgrade the connect host"),
        "{refusal}"
    );
}
