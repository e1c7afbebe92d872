//! `connect-host`: a Kafka Connect compatible worker that loads connector plugins from
//! `plugin.path` at start-up and runs their tasks against Kafka behind a REST control surface.
//!
//! The crate is layered, and arrows point one way:
//! `config` → `plugins` → `runtime` → `storage` → `rest`.
//! A module may use only modules to its left (and `connect-plugin-api`); only `main.rs` sees
//! every layer and wires them together.

/// Sharing connectors and tasks among the workers of a group (pure assignors; no other layer).
pub mod cluster;
pub mod config;
pub mod plugins;
pub mod rest;
pub mod runtime;
pub mod storage;
