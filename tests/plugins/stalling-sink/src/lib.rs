//! Test fixture: `com.example.connect.StallingSinkConnector`, a sink that writes each record as
//! one line `topic-partition-offset value` to `file`, with a destination that can be "down":
//! the file `outage.marker` exists.
//!
//! - `mode=block`: while the marker exists, `put` never returns (it ignores stop, as a plugin
//!   stuck in a network call would). The host must abandon the task, commit nothing of that
//!   batch, and exit.
//! - `mode=buffer`: `put` only buffers; records reach the file (and become durable) in
//!   `pre_commit`/`flush` while the marker is absent. `pre_commit` reports what was written for
//!   the partitions it knows and, as the SDK's default does, the host's own offsets for any
//!   other partition (one it closed, for example): the host must never ask a closed task.
//! - `mode=stall`: while the marker exists, `put` waits (ignoring stop), then writes its batch
//!   and returns: a task the host abandoned comes back later, and must then commit nothing and
//!   report nothing.
//! - `journal` (optional): a file that gets one line per lifecycle call of the task (`open`,
//!   `put <n>`, `put-returned-late <n>`, `pre_commit`, `close`, `stop`), and a line
//!   `VIOLATION: <call> after stop` or `VIOLATION: pre_commit of closed <topic>-<partition>`
//!   when the host calls a stopped task or asks for the offsets of a partition it closed.
//!
//! Tasks append to `file` with one write per line (`O_APPEND`), so lines never interleave.

use std::{
    collections::BTreeMap,
    fs::{File, OpenOptions},
    io::Write,
    path::PathBuf,
    time::Duration,
};

use connect_plugin_api::prelude::*;

/// The connector.
pub struct StallingSinkConnector;

impl ConnectorDescription for StallingSinkConnector {
    const CLASS: &'static str = "com.example.connect.StallingSinkConnector";
    const VERSION: &'static str = "0.1.0";
    const DESCRIPTION: &'static str =
        "Writes lines to a file; stalls or buffers while a marker file exists (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(Key::new("file", ConfigType::STRING).doc("Output file."))
            .define(
                Key::new("outage.marker", ConfigType::STRING)
                    .doc("While this file exists, the destination is down."),
            )
            .define(
                Key::new("mode", ConfigType::STRING)
                    .default("block")
                    .doc("block: put never returns during an outage; stall: put waits until the destination is up, then writes and returns; buffer: put buffers and records become durable only when the destination is up."),
            )
            .define(
                Key::new("journal", ConfigType::STRING)
                    .default("")
                    .doc("A file that records every lifecycle call and every violation of the lifecycle (empty: none)."),
            )
    }
}

impl SinkConnector for StallingSinkConnector {
    type Task = StallingTask;
    fn start(_: Config, _: ConnectorContext) -> Result<Self, ConnectError> {
        Ok(Self)
    }
}

/// The task.
pub struct StallingTask {
    out: File,
    marker: PathBuf,
    buffer_mode: bool,
    stall_mode: bool,
    journal: Option<File>,
    stopped: bool,
    /// Partitions opened and not closed since.
    open: std::collections::BTreeSet<(String, i32)>,
    /// Buffered lines with their partition and next offset (buffer mode).
    buffered: Vec<((String, i32), i64, Vec<u8>)>,
    /// Per partition, the offset after the last record written to the file.
    written: BTreeMap<(String, i32), i64>,
}

impl StallingTask {
    fn down(&self) -> bool {
        self.marker.exists()
    }

    /// Journals a lifecycle call (one `O_APPEND` write per line), and a violation if the task
    /// was stopped already.
    fn note(&mut self, call: &str) {
        let mut text = String::new();
        if self.stopped {
            let name = call.split(' ').next().unwrap_or(call);
            tracing::error!("stalling sink: VIOLATION: {name} after stop");
            text.push_str(&format!("VIOLATION: {name} after stop\n"));
        }
        text.push_str(call);
        text.push('\n');
        if let Some(j) = self.journal.as_mut() {
            let _ = j.write_all(text.as_bytes());
        }
    }

    fn write_buffered(&mut self) -> Result<(), ConnectError> {
        if self.down() {
            tracing::info!(
                "stalling sink: the destination is down, {} record(s) buffered",
                self.buffered.len()
            );
            return Ok(());
        }
        for (tp, next, line) in self.buffered.drain(..) {
            self.out.write_all(&line)?;
            self.written.insert(tp, next);
        }
        self.out.sync_data()?;
        Ok(())
    }
}

fn line(r: &RecordView<'_>) -> Vec<u8> {
    let mut l = format!("{}-{}-{} ", r.topic(), r.partition(), r.offset()).into_bytes();
    l.extend_from_slice(r.value().bytes);
    l.push(b'\n');
    l
}

impl SinkTask for StallingTask {
    fn open(&mut self, partitions: &[TopicPartition]) -> Result<(), ConnectError> {
        self.note("open");
        for tp in partitions {
            self.open.insert((tp.topic.to_string(), tp.partition));
        }
        Ok(())
    }

    fn start(config: Config, _: TaskContext) -> Result<Self, ConnectError> {
        let get = |k: &str| {
            config
                .string(k)
                .map(str::to_owned)
                .ok_or_else(|| ConnectError::config(format!("'{k}' is required")))
        };
        let file = get("file")?;
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .map_err(|e| ConnectError::config(format!("cannot open {file}: {e}")))?;
        let journal = match config.string("journal").filter(|j| !j.is_empty()) {
            None => None,
            Some(j) => Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(j)
                    .map_err(|e| ConnectError::config(format!("cannot open {j}: {e}")))?,
            ),
        };
        Ok(Self {
            out,
            marker: PathBuf::from(get("outage.marker")?),
            buffer_mode: config.string("mode") == Some("buffer"),
            stall_mode: config.string("mode") == Some("stall"),
            journal,
            stopped: false,
            open: Default::default(),
            buffered: Vec::new(),
            written: BTreeMap::new(),
        })
    }

    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        if !batch.is_empty() {
            self.note(&format!("put {}", batch.len()));
        }
        if self.stall_mode && !batch.is_empty() && self.down() {
            tracing::warn!(
                "stalling sink: the destination is down; put waits for it (test fixture)"
            );
            while self.down() {
                std::thread::sleep(Duration::from_millis(100));
            }
            self.note(&format!("put-returned-late {}", batch.len()));
        }
        if self.buffer_mode {
            for r in batch.iter() {
                let tp = (r.topic().to_owned(), r.partition());
                self.buffered.push((tp, r.offset() + 1, line(&r)));
            }
            return self.write_buffered();
        }
        if !batch.is_empty() && self.down() {
            tracing::warn!(
                "stalling sink: the destination is down; put never returns (test fixture)"
            );
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        for r in batch.iter() {
            self.out.write_all(&line(&r))?;
            self.written
                .insert((r.topic().to_owned(), r.partition()), r.offset() + 1);
        }
        Ok(())
    }

    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        self.write_buffered()?;
        self.out.sync_data()?;
        Ok(())
    }

    fn pre_commit(
        &mut self,
        offsets: &[TopicPartitionOffset],
    ) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        self.note("pre_commit");
        for o in offsets {
            let tp = (o.topic.to_string(), o.partition);
            if !self.open.contains(&tp) {
                let v = format!("VIOLATION: pre_commit of closed {}-{}\n", tp.0, tp.1);
                tracing::error!("stalling sink: {}", v.trim_end());
                if let Some(j) = self.journal.as_mut() {
                    let _ = j.write_all(v.as_bytes());
                }
            }
        }
        self.flush(offsets)?;
        Ok(offsets
            .iter()
            .filter_map(|o| {
                let tp = (o.topic.to_string(), o.partition);
                match self.written.get(&tp) {
                    Some(&w) => Some(TopicPartitionOffset::new(o.topic.as_str(), o.partition, w)),
                    None if self.buffered.iter().any(|(b, _, _)| *b == tp) => None,
                    // A partition it holds nothing of: the SDK's default answer, the host's own
                    // offset (which is why the host must not ask after `close`).
                    None => Some(o.clone()),
                }
            })
            .collect())
    }

    fn close(&mut self, partitions: &[TopicPartition]) -> Result<(), ConnectError> {
        // Forget the partitions, as a real sink does when they are revoked: what is buffered for
        // them is dropped (the next owner reads it again from the committed offset).
        self.note("close");
        for tp in partitions {
            let key = (tp.topic.to_string(), tp.partition);
            self.open.remove(&key);
            self.buffered.retain(|(b, _, _)| *b != key);
            self.written.remove(&key);
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        self.note("stop");
        self.stopped = true;
        Ok(())
    }
}

connect_plugin_api::export_plugin!(sinks: [StallingSinkConnector]);
