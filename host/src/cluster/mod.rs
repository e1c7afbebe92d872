//! The Connect group protocol: how workers that share work through Kafka's classic group
//! protocol (protocol type `connect`) agree on a sub-protocol, byte-compatible with Java Kafka
//! Connect workers.
//!
//! This module is pure data and rules: it opens no connections and uses nothing else in the
//! crate, so any layer may use it.
//!
//! - [`ProtocolCompatibility`]: the `connect.protocol` modes, the sub-protocols each offers
//!   ([`ProtocolCompatibility::offered`]) and the broker's election rule ([`elect`]).

mod compatibility;

#[cfg(test)]
mod compatibility_tests;

pub use compatibility::{ProtocolCompatibility, UnknownProtocolMode, elect};
