//! Find, check and load connector plugins from `plugin.path`: the only module that touches
//! dynamic libraries.
//!
//! - [`scan`] walks the `plugin.path` directories for candidate libraries;
//! - [`load`] opens each one, checks its ABI and asks it for its plugin classes;
//! - [`registry`] indexes the classes by kind, name and alias, and keeps what was refused and why;
//! - [`config_provider`] runs config provider classes for the worker's config transformer;
//! - [`log_levels`] mirrors the host's log levels for plugin code.
//!
//! Libraries are never unloaded: a plugin's code may still be referenced by objects it handed
//! out, and abi_stable leaks loaded libraries by design. An upgrade is a restart.

pub mod config_provider;
pub mod elf_check;
pub mod install;
pub mod load;
pub mod log_levels;
pub mod registry;
pub mod scan;

pub use load::{LoadedLibrary, load_library};
pub use registry::{
    ConnectorPlugin, LookupError, OtherPlugin, PluginFactory, PluginRegistry, Refusal,
};
pub use scan::{Candidate, scan_plugin_path};
