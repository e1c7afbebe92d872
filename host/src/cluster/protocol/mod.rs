//! The Connect group protocol's wire payloads: how workers that share work through Kafka's
//! classic group protocol (protocol type `connect`) describe themselves and receive their
//! assignments, byte-compatible with Java Kafka Connect workers.
//!
//! These payloads are in no Kafka message spec (the broker treats them as opaque bytes), so
//! they are hand-encoded here; the JoinGroup/SyncGroup requests that carry them come from
//! `kafka-protocol`. This module is pure data and codecs: it opens no connections and uses
//! nothing else in the crate, so any layer may use it.
//!
//! - [`ProtocolCompatibility`]: the `connect.protocol` modes, the sub-protocols each offers
//!   ([`ProtocolCompatibility::offered`]) and the broker's election rule ([`elect`]).
//! - [`WorkerMetadata`]: a member's JoinGroup metadata; [`join_group_protocols`] builds the
//!   whole offered list.
//! - [`Assignment`]: the leader's SyncGroup assignment for one member (also embedded in
//!   metadata as the member's current allocation), listing [`TaskId`]s.
//!
//! Decoders follow Java's readers: they accept any non-negative version, read every version
//! with the version 1 layout (missing trailing fields take defaults, so version 0 bytes
//! read), ignore trailing bytes, and refuse anything malformed with a [`DecodeError`] rather
//! than panicking.

mod assignment;
mod compatibility;
mod error;
mod metadata;
mod task_id;
mod wire;

#[cfg(test)]
mod codec_tests;
#[cfg(test)]
mod compatibility_tests;
#[cfg(test)]
mod golden_tests;

pub use assignment::{Assignment, CONFIG_MISMATCH, CONNECTOR_TASK, NO_ERROR};
pub use compatibility::{ProtocolCompatibility, UnknownProtocolMode, elect};
pub use error::{DecodeError, EncodeError};
pub use metadata::{WorkerMetadata, join_group_protocols};
pub use task_id::TaskId;
