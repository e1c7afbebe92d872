//! The task: `put` appends lines to a buffer written to the file in whole lines; `flush` (before
//! each offset commit) writes the buffer and syncs it to disk, so committed offsets never run
//! ahead of the file.
//!
//! Failures:
//! - A file system that refuses the write until someone acts (full, read-only, permissions,
//!   quota, file too large) fails the task with the file, the error and the fix. Nothing is
//!   committed past what reached the file; the host restarts the task with back-off
//!   (`task.restart.on.failure`), so it comes back by itself once the cause is fixed.
//! - Other write failures are RETRIABLE: the host keeps the offsets where they are and puts the
//!   same records again later. Records before the failure may then be written twice, never lost
//!   (at least once, as Kafka's file sink).
//! - A write cut short leaves no partial line behind: the bytes of the last, incomplete line are
//!   cut off again (when nothing else appended since) and written anew with the next write. A
//!   file found ending in a partial line at start (a crash in the middle of a write) is ended
//!   with a newline, so the next record starts a line of its own instead of joining it.

use std::{
    fs::{File, OpenOptions},
    io::{self, Seek, Write},
    os::unix::fs::FileExt,
};

use connect_plugin_api::prelude::*;

use crate::config::FILE_CONFIG;

/// Bytes buffered before they are written (in whole lines).
const BUFFER: usize = 256 * 1024;

enum Output {
    File(File),
    Stdout(io::Stdout),
}

/// Writes record values as lines.
pub struct FileStreamSinkTask {
    out: Output,
    file: Option<String>,
    /// Whole lines not written yet.
    buf: Vec<u8>,
}

impl SinkTask for FileStreamSinkTask {
    fn start(config: Config, _context: TaskContext) -> Result<Self, ConnectError> {
        let file = config
            .string(FILE_CONFIG)
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let out = match &file {
            Some(path) => {
                let f = OpenOptions::new().create(true).append(true).open(path).map_err(|e| {
                    ConnectError::config(format!("cannot open {path} for appending: {e}; check `file` and the directory's permissions"))
                })?;
                end_partial_line(&f, path)?;
                Output::File(f)
            }
            None => Output::Stdout(io::stdout()),
        };
        tracing::info!(
            file = file.as_deref().unwrap_or("<stdout>"),
            "file sink task started"
        );
        Ok(Self {
            out,
            file,
            buf: Vec::with_capacity(BUFFER + 4096),
        })
    }

    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        for record in batch.iter() {
            let value = record.value();
            // Kafka's sink writes `String.valueOf(value)`: a null becomes "null".
            self.buf.extend_from_slice(if value.is_null() {
                b"null"
            } else {
                value.bytes
            });
            self.buf.push(b'\n');
            if self.buf.len() >= BUFFER {
                self.write_out()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        self.write_out()?;
        match &mut self.out {
            Output::File(f) => match f.sync_data() {
                Ok(()) => {}
                // A character device or a pipe (`file=/dev/null`, a FIFO) cannot be synced
                // (EINVAL): there is nothing to make durable, so the offsets may be committed.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                    ) => {}
                Err(e) => return Err(io_error(&self.file, e)),
            },
            Output::Stdout(s) => s.flush()?,
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        self.flush(&[])
    }
}

impl FileStreamSinkTask {
    /// Writes the buffer. On a failure the lines that reached the file leave the buffer, and a
    /// partial last line is cut off the file again and kept whole in the buffer.
    fn write_out(&mut self) -> Result<(), ConnectError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut done = 0;
        let failure = loop {
            if done == self.buf.len() {
                break None;
            }
            let n = match &mut self.out {
                Output::File(f) => f.write(&self.buf[done..]),
                Output::Stdout(s) => s.write(&self.buf[done..]),
            };
            match n {
                Ok(0) => break Some(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Some(e),
            }
        };
        let Some(e) = failure else {
            self.buf.clear();
            return Ok(());
        };
        // Bytes of a line whose end did not reach the file.
        let whole = self.buf[..done]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let partial = (done - whole) as u64;
        let keep_from = match &mut self.out {
            Output::File(f) if partial > 0 && cut_partial_line(f, partial) => whole,
            _ => done,
        };
        self.buf.drain(..keep_from);
        Err(io_error(&self.file, e))
    }
}

/// Cuts the last `partial` bytes (the start of a line this task just wrote) off the file, if
/// nothing was appended after them. Whether it did.
fn cut_partial_line(mut f: &File, partial: u64) -> bool {
    // With O_APPEND the position is the end of this task's last write.
    let (Ok(pos), Ok(meta)) = (f.stream_position(), f.metadata()) else {
        return false;
    };
    meta.is_file() && meta.len() == pos && pos >= partial && f.set_len(pos - partial).is_ok()
}

/// Ends a regular file whose last byte is not a newline with one.
fn end_partial_line(f: &File, path: &str) -> Result<(), ConnectError> {
    let Ok(meta) = f.metadata() else {
        return Ok(());
    };
    if !meta.is_file() || meta.len() == 0 {
        return Ok(());
    }
    // The file is open for appending only: read its last byte through a second handle.
    let mut last = [0u8];
    let read = File::open(path).and_then(|r| r.read_exact_at(&mut last, meta.len() - 1));
    if read.is_err() || last[0] == b'\n' {
        return Ok(());
    }
    tracing::warn!(
        file = path,
        "the file ends in a partial line (a write cut short by a crash?); ending it with a newline so that the next record starts a line of its own"
    );
    let mut w = f;
    w.write_all(b"\n")
        .map_err(|e| io_error(&Some(path.to_owned()), e))
}

/// A write failure: fatal when the file system refuses writes until someone acts, else
/// retriable.
fn io_error(file: &Option<String>, e: io::Error) -> ConnectError {
    let name = file.as_deref().unwrap_or("<stdout>");
    let fix = match e.kind() {
        io::ErrorKind::StorageFull => "free space on its file system",
        io::ErrorKind::QuotaExceeded => "raise the disk quota or free space",
        io::ErrorKind::ReadOnlyFilesystem => "make its file system writable again",
        io::ErrorKind::PermissionDenied => {
            "make the file writable again (permissions, `chattr -i`)"
        }
        io::ErrorKind::FileTooLarge => "rotate or truncate the file, or raise the file size limit",
        _ => {
            return ConnectError::retriable(format!(
                "cannot write to {name}: {e}; the same records will be written again"
            ));
        }
    };
    ConnectError::fatal(format!(
        "cannot write to {name}: {e}. Nothing past the last line written is committed. To fix: {fix}; the task restarts by itself with back-off (task.restart.on.failure), or at once with POST /connectors/<name>/tasks/<id>/restart"
    ))
}
