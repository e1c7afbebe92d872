//! The two leader-side assignors of Java Kafka Connect, as pure functions.
//!
//! [`eager`] is `connect.protocol=eager` (stop everything, hand out full lists);
//! [`incremental`] is `compatible`/`sessioned` (KIP-415: start and stop only what changes,
//! hold lost work for `scheduled.rebalance.max.delay.ms`).

pub mod eager;
pub mod error;
pub mod incremental;
pub mod leader_config;
mod revocation;
mod water_fill;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod simulation;
