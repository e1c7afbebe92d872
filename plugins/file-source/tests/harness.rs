//! The SDK's `SourceHarness` driving the file source in-process, as the host would.

use connect_file_source::FileStreamSourceConnector;
use connect_plugin_api::prelude::*;
use connect_plugin_api::sdk::testing::{RecordingTaskContext, SourceHarness};
use serde_json::json;

#[test]
fn reads_lines_stores_offsets_and_resumes_after_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.txt");
    std::fs::write(&file, "one\ntwo\nthree\npartial").unwrap();
    let path = file.to_str().unwrap().to_string();
    let config: ConfigMap = [
        ("file".to_string(), path.clone()),
        ("topic".to_string(), "lines".to_string()),
    ]
    .into();
    let mut h = SourceHarness::<FileStreamSourceConnector>::new(config.clone()).unwrap();
    // One task, with the defaults filled in.
    assert_eq!(h.task_configs().len(), 1);
    assert_eq!(h.task_configs()[0]["batch.size"], "2000");
    assert_eq!(h.poll_values(3, 3).unwrap(), ["one", "two", "three"]);
    let partition = json!({ "filename": path });
    assert_eq!(h.stored_offset(&partition), Some(json!({ "position": 14 })));
    h.stop().unwrap();

    // A new task with the stored offset resumes after "three".
    std::fs::write(&file, "one\ntwo\nthree\npartial line\n").unwrap();
    let context = RecordingTaskContext::new()
        .with_source_offset(partition.clone(), json!({ "position": 14 }));
    let mut h =
        SourceHarness::<FileStreamSourceConnector>::with_context(config, 1, context).unwrap();
    assert_eq!(h.poll_values(1, 3).unwrap(), ["partial line"]);
    assert_eq!(h.stored_offset(&partition), Some(json!({ "position": 27 })));
    h.stop().unwrap();
}

#[test]
fn two_topics_are_refused_by_validation() {
    let config: ConfigMap = [("topic".to_string(), "a,b".to_string())].into();
    let e = SourceHarness::<FileStreamSourceConnector>::new(config)
        .err()
        .expect("refused");
    assert_eq!(e.kind, connect_plugin_api::abi::error::ErrorKind::CONFIG);
    assert!(e.message.contains("single topic"), "{}", e.message);
}
