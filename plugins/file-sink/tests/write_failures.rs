//! Write failures of the file sink (found by scripts/faults.sh, docs/reliability.md): a full
//! file system fails the task with the fix instead of retrying for ever unseen, and a partial
//! last line left by a crash does not swallow the next record.

use connect_file_sink::FileStreamSinkConnector;
use connect_plugin_api::abi::error::ErrorKind;
use connect_plugin_api::batch;
use connect_plugin_api::prelude::*;
use connect_plugin_api::sdk::testing::SinkHarness;

fn sink(file: &str) -> SinkHarness<FileStreamSinkConnector> {
    let config: ConfigMap = [("file".to_string(), file.to_string())].into();
    SinkHarness::<FileStreamSinkConnector>::new(config).unwrap()
}

#[test]
fn a_full_file_system_fails_the_task_naming_the_file_and_the_fix_and_commits_nothing() {
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    let mut h = sink("/dev/full");
    h.open(&[("t", 0)]).unwrap();
    h.put(&batch![("t", 0, 0, "a"), ("t", 0, 1, "b")]).unwrap();
    let e = h.commit().expect_err("nothing can reach /dev/full");
    assert_eq!(e.kind, ErrorKind::FATAL, "{}", e.message);
    for part in [
        "cannot write to /dev/full",
        "free space",
        "tasks/<id>/restart",
    ] {
        assert!(e.message.contains(part), "'{part}' in: {}", e.message);
    }
    assert!(h.committed().is_empty(), "{:?}", h.committed());
}

#[test]
fn a_file_ending_in_a_partial_line_gets_its_newline_before_the_next_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.txt");
    // What a write cut short by a crash leaves.
    std::fs::write(&file, "first\n{\"torn").unwrap();
    let mut h = sink(file.to_str().unwrap());
    h.open(&[("t", 0)]).unwrap();
    h.put(&batch![("t", 0, 0, "a"), ("t", 0, 1, "b")]).unwrap();
    h.commit().unwrap();
    h.stop().unwrap();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "first\n{\"torn\na\nb\n"
    );
}

#[test]
fn lines_bigger_than_the_buffer_arrive_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.txt");
    let mut h = sink(file.to_str().unwrap());
    h.open(&[("t", 0)]).unwrap();
    let big = "x".repeat(300 * 1024);
    let mut b = connect_plugin_api::sdk::testing::BatchBuilder::new();
    for i in 0..5 {
        b = b.string("t", 0, i, if i % 2 == 0 { &big } else { "small" });
    }
    h.put(&b.build()).unwrap();
    h.commit().unwrap();
    h.stop().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().enumerate().all(|(i, l)| if i % 2 == 0 {
        *l == big
    } else {
        *l == "small"
    }));
}
