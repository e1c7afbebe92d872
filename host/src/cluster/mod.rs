//! Sharing connectors and tasks among the workers of one Connect group.
//!
//! Pure computations only: the assignors see plain values ([`assignment`](crate::cluster::assignment)) and never bytes,
//! sockets or clocks, so they can be replayed step by step in tests. The group protocol
//! codecs and the coordinator client live elsewhere and translate to and from these types.

pub mod assignment;
pub mod assignor;
