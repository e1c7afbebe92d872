//! `connect-host`: a Kafka Connect compatible worker that loads connector plugins from
//! `plugin.path` at start-up and runs their tasks against Kafka behind a REST control surface.
//!
//! The crate is layered, and arrows point one way:
//! `config` → `plugins` → `runtime` → `storage` → `rest`.
//! A module may use only modules to its left (and `connect-plugin-api`); only `main.rs` sees
//! every layer and wires them together. `cluster` (the group protocol's codec and assignors,
//! request signing, the client for other workers) uses none of them but the plain data types of
//! `runtime::stores`, so any layer may use it; so may `log_context` (the `[connector|task-N]`
//! context of log lines), which uses none. `scaffold` (`connect plugins new`) uses none of them.

pub mod cluster;
pub mod config;
pub mod log_context;
pub mod plugins;
pub mod rest;
pub mod runtime;
pub mod scaffold;
pub mod storage;

#[cfg(test)]
mod test_peer;
