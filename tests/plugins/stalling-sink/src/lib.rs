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
                    .doc("block: put never returns during an outage; buffer: put buffers and records become durable only when the destination is up."),
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
    /// Buffered lines with their partition and next offset (buffer mode).
    buffered: Vec<((String, i32), i64, Vec<u8>)>,
    /// Per partition, the offset after the last record written to the file.
    written: BTreeMap<(String, i32), i64>,
}

impl StallingTask {
    fn down(&self) -> bool {
        self.marker.exists()
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
        Ok(Self {
            out,
            marker: PathBuf::from(get("outage.marker")?),
            buffer_mode: config.string("mode") == Some("buffer"),
            buffered: Vec::new(),
            written: BTreeMap::new(),
        })
    }

    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
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
        for tp in partitions {
            let key = (tp.topic.to_string(), tp.partition);
            self.buffered.retain(|(b, _, _)| *b != key);
            self.written.remove(&key);
        }
        Ok(())
    }
}

connect_plugin_api::export_plugin!(sinks: [StallingSinkConnector]);
