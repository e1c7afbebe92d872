//! The SDK's `SinkHarness` driving the file sink in-process, as the host would.

use connect_file_sink::FileStreamSinkConnector;
use connect_plugin_api::batch;
use connect_plugin_api::prelude::*;
use connect_plugin_api::sdk::testing::SinkHarness;

#[test]
fn lines_land_and_the_put_offsets_are_committed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.txt");
    let config: ConfigMap = [("file".to_string(), file.to_str().unwrap().to_string())].into();
    let mut h =
        SinkHarness::<FileStreamSinkConnector>::with_context(config.clone(), 3, Default::default())
            .unwrap();
    // The default task configs: the connector's configuration for each of the 3 tasks.
    assert_eq!(h.task_configs().len(), 3);
    assert!(h.task_configs().iter().all(|c| c == &config));
    h.open(&[("t", 0), ("t", 1)]).unwrap();
    h.put(&batch![
        ("t", 0, 5, "a"),
        ("t", 1, 9, "b"),
        ("t", 0, 6, "c")
    ])
    .unwrap();
    assert_eq!(
        h.commit().unwrap(),
        [
            TopicPartitionOffset::new("t", 0, 7),
            TopicPartitionOffset::new("t", 1, 10)
        ]
    );
    h.stop().unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "a\nb\nc\n");
    assert_eq!(h.committed().len(), 2);
    assert!(h.context().errant().is_empty());
}

#[test]
fn a_bad_config_is_refused_like_the_rest_api_does() {
    let config: ConfigMap = [("file".to_string(), "/nonexistent-dir/x/out.txt".to_string())].into();
    let e = SinkHarness::<FileStreamSinkConnector>::new(config)
        .err()
        .expect("the task cannot open its file");
    assert!(e.message.contains("cannot open"), "{}", e.message);
}
