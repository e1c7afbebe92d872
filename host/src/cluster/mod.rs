//! Sharing connectors and tasks among the workers of one Connect group, as Java Kafka Connect
//! does through Kafka's classic group protocol (protocol type `connect`).
//!
//! Uses no other layer of the crate, so any layer may use it; the herder that drives it comes
//! with distributed mode.
//!
//! - [`protocol`]: the wire payloads (worker metadata, assignments) byte-compatible with Java
//!   workers, and the sub-protocol selection of `connect.protocol`.
//! - [`assignment`] and [`assignor`]: the eager and incremental cooperative assignors as pure
//!   functions over plain values (never bytes, sockets or clocks), replayable step by step in
//!   tests; the codec translates to and from them.
//! - [`coordinator`]: the group-membership client (FindCoordinator, JoinGroup, SyncGroup,
//!   heartbeats, LeaveGroup) against the brokers, on the `kafka-protocol` codecs.

pub mod assignment;
pub mod assignor;
pub mod coordinator;
pub mod internal_client;
pub mod protocol;
pub mod signing;
pub mod translate;
