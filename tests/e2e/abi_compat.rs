//! The plugin ABI across versions, with the libraries `scripts/abi-compat.sh` builds (test.sh runs
//! it before the tests): the plugins of the pinned earlier 2.x commit run in this host, and a 2.1
//! plugin runs degraded in this 2.0 host without ever receiving the call it lacks.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, ROption, RSlice, RStr, RString},
};
use connect_host::plugins::PluginRegistry;
use connect_plugin_api::{
    abi::{
        context::{MetricKind, MetricLabel, TaskContext, TaskContext_TO},
        error::PluginError,
        types::{ConfigEntry, TopicPartition, TopicPartitionOffset},
    },
    batch::{Data, RecordPosition},
    prelude::RecordBatch,
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

/// The host side of a task context that keeps the gauges it is given.
#[derive(Default)]
struct Gauges(Mutex<Vec<(String, f64)>>);

struct Recording(Arc<Gauges>);

impl TaskContext for Recording {
    fn pause(&self, _: RSlice<'_, TopicPartition>) {}
    fn resume(&self, _: RSlice<'_, TopicPartition>) {}
    fn request_commit(&self) {}
    fn report_errant(&self, _: RStr<'_>, _: i32, _: i64, _: PluginError) {}
    fn source_offset(&self, _: RStr<'_>) -> ROption<RString> {
        ROption::RNone
    }
    fn record_metric(
        &self,
        kind: MetricKind,
        name: RStr<'_>,
        _: RSlice<'_, MetricLabel<'_>>,
        value: f64,
    ) {
        assert_eq!(kind, MetricKind::GAUGE);
        self.0.0.lock().unwrap().push((name.to_string(), value));
    }
}

fn batch(values: &[&str]) -> RecordBatch {
    let mut b = RecordBatch::new();
    for (i, v) in values.iter().enumerate() {
        b.push(
            RecordPosition {
                topic: "t",
                partition: 0,
                offset: i as i64,
                timestamp: None,
            },
            Data::NULL,
            Data::string(v),
            &[],
        )
        .expect("a small test batch fits");
    }
    b
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
    let ctx = TaskContext_TO::from_ptr(RArc::new(Recording(Arc::default())), TD_Opaque);
    let mut task = sink
        .factory
        .start_sink_task(RSlice::from_slice(&config), ctx)
        .unwrap();
    let tp = [TopicPartition::new("t", 0)];
    task.open(RSlice::from_slice(&tp)).unwrap();
    task.put(&batch(&["a", "b", "c"])).unwrap();
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
    let gauges = Arc::new(Gauges::default());
    let ctx = TaskContext_TO::from_ptr(RArc::new(Recording(gauges.clone())), TD_Opaque);
    let mut task = sink
        .factory
        .start_sink_task(RSlice::from_slice(&[]), ctx)
        .unwrap();
    // Had the SDK called `task_identity` (absent from this host's vtable), abi_stable would have
    // panicked inside the plugin and `put` would return a PANIC error.
    task.put(&batch(&["x"])).unwrap();
    assert_eq!(
        gauges.0.lock().unwrap().as_slice(),
        &[("identity_known".to_owned(), 0.0)]
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
