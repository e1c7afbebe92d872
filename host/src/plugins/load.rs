//! Opens one candidate library, checks it speaks this host's plugin ABI, and collects its
//! connector classes.
//!
//! Order matters: `libloading` first probes that the file is a loadable shared library exporting
//! an abi_stable root module (so a stray `.so` gets a precise reason); then abi_stable checks the
//! interface version and the layout of every type reachable from the root module before any
//! plugin code runs. We use `lib_header_from_path` + `init_root_module` per file, not
//! `RootModule::load_from*`, which would hand back the first library for every later one.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use abi_stable::{
    library::{LibraryError, ROOT_MODULE_LOADER_NAME_WITH_NUL, RootModule, lib_header_from_path},
    sabi_trait::TD_Opaque,
    std_types::{RArc, RStr},
};
use connect_plugin_api::abi::{
    context::{HostLink, HostLink_TO, level},
    root::ConnectPluginMod_Ref,
    task::{ConnectorFactoryBox, ConnectorInfo},
};

use super::{registry::Refusal, scan::Candidate};

/// A library that passed every check, with its connector classes.
pub struct LoadedLibrary {
    /// The library file.
    pub path: PathBuf,
    /// The plugin-api version it was built against.
    pub api_version: String,
    /// Its connector classes (class info, factory).
    pub connectors: Vec<(ConnectorInfo, Arc<ConnectorFactoryBox>)>,
}

/// Loads and checks one library; a refusal names the file, the reason and what to do.
pub fn load_library(candidate: &Candidate) -> Result<LoadedLibrary, Refusal> {
    let path = candidate.path.as_path();
    probe(path)?;
    let header = lib_header_from_path(path).map_err(|e| refusal(path, e))?;
    let module = header
        .init_root_module::<ConnectPluginMod_Ref>()
        .map_err(|e| refusal(path, e))?;
    let api_version = header.version_strings().version.to_string();

    let link = HostLink_TO::from_ptr(
        RArc::new(TracingLink {
            plugin: file_name(path),
        }),
        TD_Opaque,
    );
    (module.init())(link);
    let connectors = (module.connectors())()
        .into_iter()
        .map(|factory| (factory.info(), Arc::new(factory)))
        .collect::<Vec<_>>();
    if connectors.is_empty() {
        return Err(Refusal::new(
            path,
            "the library loaded but provides no connector class",
            "check that its export_plugin! lists the connectors",
        ));
    }
    Ok(LoadedLibrary {
        path: path.to_path_buf(),
        api_version,
        connectors,
    })
}

/// Checks, with `libloading`, that the file opens as a shared library and exports a root module.
fn probe(path: &Path) -> Result<(), Refusal> {
    super::elf_check::check_library_file(path)?;
    // SAFETY: opening runs the library's initializers; that is the point of a plugin directory.
    // Rust cdylibs have none beyond std's, and a non-Rust library is rejected before any use.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| {
        Refusal::new(
            path,
            &format!("not a loadable shared library ({})", short(&error_chain(&e))),
            "the file is damaged, truncated or built for another platform: rebuild or reinstall the plugin",
        )
    })?;
    // SAFETY: only the symbol's presence is checked; it is never dereferenced here.
    let has_root =
        unsafe { lib.get::<*const u8>(ROOT_MODULE_LOADER_NAME_WITH_NUL.as_bytes()) }.is_ok();
    // Never unload: dlclose of a library with Rust thread-locals is unsound, and the mapping is
    // shared with the abi_stable handle opened next.
    std::mem::forget(lib);
    if has_root {
        Ok(())
    } else {
        Err(Refusal::new(
            path,
            "not a connect plugin: the library exports no plugin root module",
            "remove it from plugin.path, or build it with connect_plugin_api::export_plugin!",
        ))
    }
}

fn refusal(path: &Path, e: LibraryError) -> Refusal {
    let host = ConnectPluginMod_Ref::VERSION_STRINGS.version;
    let rebuild = format!(
        "rebuild the plugin against connect-plugin-api {host} (same major version as this host)"
    );
    match e {
        LibraryError::IncompatibleVersionNumber {
            actual_version,
            expected_version,
            ..
        } => Refusal::new(
            path,
            &format!(
                "built against plugin-api {actual_version}, but this host speaks plugin-api {expected_version}"
            ),
            &rebuild,
        ),
        LibraryError::AbiInstability(err) => {
            // abi_stable's report is a thousand lines of layouts; the last "Error:" lines say what.
            let text = err.to_string();
            let summary: Vec<&str> = text
                .lines()
                .filter(|l| l.trim_start().starts_with("Error:"))
                .take(3)
                .collect();
            tracing::debug!(path = %path.display(), report = %text, "full ABI incompatibility report");
            Refusal::new(
                path,
                &format!(
                    "its plugin-api types do not match this host's ({})",
                    summary.join("; ").trim()
                ),
                &rebuild,
            )
        }
        LibraryError::InvalidAbiHeader(h) => Refusal::new(
            path,
            &format!("built with an incompatible abi_stable ({h:?})"),
            "rebuild the plugin with abi_stable 0.11 (through connect-plugin-api)",
        ),
        LibraryError::RootModule { err, .. } => Refusal::new(
            path,
            &format!(
                "its root module failed to initialize: {}",
                short(&err.to_string())
            ),
            "see the plugin's documentation",
        ),
        other => Refusal::new(
            path,
            &short(&other.to_string()),
            "rebuild or reinstall the plugin",
        ),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.len() > 300 {
        format!("{}…", &line[..line.floor_char_boundary(300)])
    } else {
        line.to_owned()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Logs a plugin's events into the host's `tracing` subscriber, tagged with the library.
struct TracingLink {
    plugin: String,
}

impl HostLink for TracingLink {
    fn log(&self, lvl: u8, target: RStr<'_>, message: RStr<'_>) {
        let (plugin, target, message) = (self.plugin.as_str(), target.as_str(), message.as_str());
        match lvl {
            level::ERROR => tracing::error!(target: "plugin", plugin, target, "{message}"),
            level::WARN => tracing::warn!(target: "plugin", plugin, target, "{message}"),
            level::INFO => tracing::info!(target: "plugin", plugin, target, "{message}"),
            level::DEBUG => tracing::debug!(target: "plugin", plugin, target, "{message}"),
            _ => tracing::trace!(target: "plugin", plugin, target, "{message}"),
        }
    }

    fn max_level(&self) -> u8 {
        use tracing::level_filters::LevelFilter;
        match LevelFilter::current() {
            LevelFilter::OFF => 0,
            LevelFilter::ERROR => level::ERROR,
            LevelFilter::WARN => level::WARN,
            LevelFilter::INFO => level::INFO,
            LevelFilter::DEBUG => level::DEBUG,
            _ => level::TRACE,
        }
    }
}
