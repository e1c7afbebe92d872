//! Sharing connectors and tasks among the workers of one Connect group, as Java Kafka Connect
//! does through Kafka's classic group protocol (protocol type `connect`).
//!
//! Pure data and computations, the group-membership client, and the client for requests
//! between workers. Nothing here uses another layer of the crate except the plain data types of
//! `runtime::stores` (`SessionKey`, `ConfigMap`), so any layer may use it; the herder drives it.
//!
//! - [`protocol`]: the wire payloads (worker metadata, assignments) byte-compatible with Java
//!   workers, and the sub-protocol selection of `connect.protocol`.
//! - [`assignment`] and [`assignor`]: the eager and incremental cooperative assignors as pure
//!   functions over plain values (never bytes, sockets or clocks), replayable step by step in
//!   tests; [`translate`] converts between them and the codec's types.
//! - [`coordinator`]: the group-membership client (FindCoordinator, JoinGroup, SyncGroup,
//!   heartbeats, LeaveGroup) against the brokers, on the `kafka-protocol` codecs.
//! - [`signing`]: KIP-507 signatures of internal requests and the session keys behind them.
//! - [`internal_client`]: the HTTP client for other workers, and the follower's task-config
//!   hand-over to the leader.

pub mod assignment;
pub mod assignor;
pub mod coordinator;
pub mod internal_client;
pub mod protocol;
pub mod signing;
pub mod translate;
