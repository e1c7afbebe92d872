//! The plugin SDK: safe traits a plugin implements, and [`export_plugin!`](crate::export_plugin)
//! which turns them into the stable root module.
//!
//! A plugin author never touches `abi` types beyond the plain data ones (topic-partitions,
//! offsets, batches): every entry point is wrapped so that a panic becomes an error value
//! (`ErrorKind::PANIC`, the task is FAILED) instead of crossing the boundary and ending the host.

pub mod config;
pub mod config_provider;
pub mod connector;
pub mod context;
pub mod convert;
pub mod error;
pub mod export;
mod export_kinds;
pub mod host;
pub mod logging;
pub mod plugin;
#[cfg(feature = "tokio")]
pub mod runtime;
pub mod source_record;
pub mod testing;
pub mod transform;
