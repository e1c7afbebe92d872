//! The error value every fallible plugin call returns.

use super::ext::Extensions;
use abi_stable::{
    StableAbi,
    std_types::{ROption, RString},
};

/// What the host does with a [`PluginError`].
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorKind(pub u8);

impl ErrorKind {
    /// Transient (a busy or unreachable destination): the host backs off and calls again with the
    /// same data; sink partitions are paused meanwhile, so nothing is lost and the consumer stays
    /// in its group.
    pub const RETRIABLE: ErrorKind = ErrorKind(1);
    /// One record cannot be handled ([`PluginError::record`] says which); it goes to
    /// `errors.tolerance` and the dead-letter queue, the rest of the batch is not lost.
    pub const INVALID_RECORD: ErrorKind = ErrorKind(2);
    /// The configuration is wrong: the connector or task is FAILED with this message.
    pub const CONFIG: ErrorKind = ErrorKind(3);
    /// Anything else that cannot go on: the task is FAILED with this message and trace.
    pub const FATAL: ErrorKind = ErrorKind(4);
    /// The plugin panicked; the SDK caught it at the boundary. The task is FAILED.
    pub const PANIC: ErrorKind = ErrorKind(5);

    /// The name used in logs and traces.
    pub fn name(self) -> &'static str {
        match self {
            Self::RETRIABLE => "Retriable",
            Self::INVALID_RECORD => "InvalidRecord",
            Self::CONFIG => "Config",
            Self::FATAL => "Fatal",
            Self::PANIC => "Panic",
            _ => "Unknown",
        }
    }
}

/// An error returned by a plugin call.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    /// What the host should do.
    pub kind: ErrorKind,
    /// A message for the user: what went wrong and what to do.
    pub message: RString,
    /// For [`ErrorKind::INVALID_RECORD`]: index of the record in the batch of the failing call.
    pub record: ROption<u32>,
    /// A longer trace (cause chain, panic location and backtrace), shown as the task's `trace`.
    pub trace: RString,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for PluginError {}
