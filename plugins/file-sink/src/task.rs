//! The task: `put` appends lines to a buffered file; `flush` (before each offset commit) writes
//! the buffer and syncs it to disk, so committed offsets never run ahead of the file. Write
//! failures are RETRIABLE: the host keeps the offsets where they are and tries again.

use std::{
    fs::{File, OpenOptions},
    io::{self, BufWriter, Write},
};

use connect_plugin_api::prelude::*;

use crate::config::FILE_CONFIG;

enum Output {
    File(BufWriter<File>),
    Stdout(io::Stdout),
}

/// Writes record values as lines.
pub struct FileStreamSinkTask {
    out: Output,
    file: Option<String>,
}

impl SinkTask for FileStreamSinkTask {
    fn start(config: Config, _context: TaskContext) -> Result<Self, ConnectError> {
        let file = config
            .string(FILE_CONFIG)
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let out = match &file {
            Some(path) => Output::File(BufWriter::with_capacity(
                256 * 1024,
                OpenOptions::new().create(true).append(true).open(path).map_err(|e| {
                    ConnectError::config(format!("cannot open {path} for appending: {e}; check `file` and the directory's permissions"))
                })?,
            )),
            None => Output::Stdout(io::stdout()),
        };
        tracing::info!(
            file = file.as_deref().unwrap_or("<stdout>"),
            "file sink task started"
        );
        Ok(Self { out, file })
    }

    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        let w: &mut dyn Write = match &mut self.out {
            Output::File(f) => f,
            Output::Stdout(s) => s,
        };
        // A failed write (disk full, file made read-only) is worth retrying: the host puts the
        // same records again later. Records before the failure may then be written twice, never
        // lost (at least once, as Kafka's file sink).
        let file = &self.file;
        let written: io::Result<()> = batch.iter().try_for_each(|record| {
            let value = record.value();
            // Kafka's sink writes `String.valueOf(value)`: a null becomes "null".
            w.write_all(if value.is_null() {
                b"null"
            } else {
                value.bytes
            })?;
            w.write_all(b"\n")
        });
        written.map_err(|e| retriable_io(file, e))
    }

    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        match &mut self.out {
            Output::File(f) => {
                f.flush().map_err(|e| retriable_io(&self.file, e))?;
                match f.get_ref().sync_data() {
                    Ok(()) => {}
                    // A character device or a pipe (`file=/dev/null`, a FIFO) cannot be synced
                    // (EINVAL): there is nothing to make durable, so the offsets may be committed.
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                        ) => {}
                    Err(e) => return Err(retriable_io(&self.file, e)),
                }
            }
            Output::Stdout(s) => s.flush()?,
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        self.flush(&[])
    }
}

fn retriable_io(file: &Option<String>, e: io::Error) -> ConnectError {
    ConnectError::retriable(format!(
        "cannot write to {}: {e}",
        file.as_deref().unwrap_or("<stdout>")
    ))
}
