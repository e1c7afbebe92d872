//! [`ConnectError`]: the error type of the SDK traits, with the same kinds as the ABI's.

use abi_stable::std_types::ROption;

use crate::abi::error::{ErrorKind, PluginError};

/// An error returned by a connector or task. Its kind tells the host what to do (see
/// [`ErrorKind`]); its message should say what went wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// What the host should do.
    pub kind: ErrorKind,
    /// User-facing message.
    pub message: String,
    /// For invalid records: index in the batch of the failing call.
    pub record: Option<u32>,
    /// Longer detail (cause chain, backtrace).
    pub trace: String,
}

impl ConnectError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            record: None,
            trace: String::new(),
        }
    }
    /// A transient failure: the host retries the same call after a back-off.
    pub fn retriable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RETRIABLE, message)
    }
    /// Record number `index` of the batch cannot be handled.
    pub fn invalid_record(index: u32, message: impl Into<String>) -> Self {
        Self {
            record: Some(index),
            ..Self::new(ErrorKind::INVALID_RECORD, message)
        }
    }
    /// The configuration is wrong.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::CONFIG, message)
    }
    /// Anything else that cannot go on.
    pub fn fatal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::FATAL, message)
    }
    /// Adds detail shown in the task's `trace`.
    pub fn with_trace(mut self, trace: impl Into<String>) -> Self {
        self.trace = trace.into();
        self
    }
    /// The boundary form.
    pub fn into_abi(self) -> PluginError {
        PluginError {
            kind: self.kind,
            message: self.message.into(),
            record: self.record.map_or(ROption::RNone, ROption::RSome),
            trace: self.trace.into(),
            ext: crate::abi::ext::Extensions::new(),
        }
    }
}

impl From<PluginError> for ConnectError {
    fn from(e: PluginError) -> Self {
        Self {
            kind: e.kind,
            message: e.message.into(),
            record: e.record.into_option(),
            trace: e.trace.into(),
        }
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

impl From<std::io::Error> for ConnectError {
    /// I/O errors are fatal unless the plugin decides otherwise.
    fn from(e: std::io::Error) -> Self {
        Self::fatal(e.to_string())
    }
}
