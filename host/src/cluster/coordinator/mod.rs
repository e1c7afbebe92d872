//! The group-membership client: how a worker joins its Kafka Connect group (a classic
//! consumer group of protocol type `connect`) exactly as Java's `WorkerCoordinator` and
//! `AbstractCoordinator` do, on the `kafka-protocol` codecs (librdkafka cannot: it only
//! speaks the `consumer` protocol type).
//!
//! - [`member`]: [`GroupMember`] — FindCoordinator, JoinGroup, SyncGroup, LeaveGroup, driven
//!   by the herder; the payloads it carries are [`super::protocol`]'s.
//! - `heartbeat`: the task that keeps a generation alive and emits [`GroupEvent`]s.
//! - `errors`: what each Kafka error code means for each request (distributed-mode.md §4.2),
//!   and [`CoordinatorError`].
//! - `connection`: the crate's one Kafka wire connection (framing, headers, correlation ids,
//!   ApiVersions negotiation), also used for removing static sink-task members.
//! - `requests`: the group requests, per version; `discovery`: finding a group's
//!   coordinator; `backoff`: retry pauses.
//! - [`security`]: TLS and SASL (PLAIN, SCRAM) for those connections, from the worker's
//!   Java security keys.
//!
//! No static membership.

mod backoff;
pub(crate) mod connection;
pub(crate) mod discovery;
pub(crate) mod errors;
mod heartbeat;
pub mod member;
pub(crate) mod requests;
pub mod security;

#[cfg(test)]
pub(crate) mod broker_tests;
#[cfg(test)]
mod mock_broker;
#[cfg(test)]
mod mock_tests;
#[cfg(test)]
mod wire_tests;

pub use errors::CoordinatorError;
pub use member::{GroupEvent, GroupMember, Joined, MemberConfig, PROTOCOL_TYPE};
pub use security::WireSecurity;
