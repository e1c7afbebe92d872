//! Opens one candidate library, checks it speaks this host's plugin ABI, and collects its
//! connector classes.
//!
//! Trust model: `plugin.path` is trusted code, as it is in Kafka Connect. Opening a library
//! (`dlopen`) runs its initializers and those of its dependencies, and the plugin then runs in
//! the host's process. What the loader guarantees is narrower, in this order:
//!
//! 1. [`probe`] reads the file without running it ([`super::elf_check`]): a complete 64-bit ELF
//!    shared library for this machine whose dynamic symbol table exports abi_stable's root-module
//!    symbol. Anything else on `plugin.path` (a stray `.so`, a truncated copy) is refused here,
//!    before any of its code runs.
//! 2. `lib_header_from_path` does the one real `dlopen` (initializers run here) and checks the
//!    abi_stable header; `init_root_module` then checks the plugin-api version and the layout of
//!    every type reachable from the root module, before any plugin function is called.
//!
//! We use `lib_header_from_path` + `init_root_module` per file, not `RootModule::load_from*`,
//! which would hand back the first library for every later one. Libraries are never closed.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use abi_stable::{
    library::{LibraryError, ROOT_MODULE_LOADER_NAME, RootModule, lib_header_from_path},
    sabi_trait::TD_Opaque,
    std_types::{RArc, RStr},
};
use connect_plugin_api::abi::{
    host::{
        ABI_VERSION, AbiVersion, Capabilities, HostInfo, HostInfo_Ref, HostLink, HostLink_TO,
        HostLinkArc, level,
    },
    plugin::{PanicStrategy, PluginInfo},
    root::ConnectPluginMod_Ref,
    task::ConnectorFactoryBox,
};

use abi_stable::prefix_type::PrefixTypeTrait;

use super::{
    log_levels,
    registry::{PluginFactory, Refusal},
    scan::Candidate,
};

/// What this host does beyond the 2.0 baseline, as told to every plugin at `init`.
pub const HOST_CAPABILITIES: Capabilities = Capabilities(
    Capabilities::METRICS.0
        | Capabilities::DYNAMIC_LOG_LEVELS.0
        | Capabilities::TRANSFORMATIONS.0
        | Capabilities::CONFIG_PROVIDERS.0,
);

/// A library that passed every check, with its plugin classes.
pub struct LoadedLibrary {
    /// The library file.
    pub path: PathBuf,
    /// The plugin-api version it was built against (`2.0.0`).
    pub api_version: String,
    /// The same, parsed: calls added after 2.0 are made only if this supports them.
    pub abi: AbiVersion,
    /// Its connector classes (class info, factory).
    pub connectors: Vec<(PluginInfo, Arc<ConnectorFactoryBox>)>,
    /// Its other classes: transformations, predicates, converters, header converters, config
    /// providers.
    pub others: Vec<(PluginInfo, PluginFactory)>,
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
    let abi = AbiVersion::parse(&api_version).unwrap_or(AbiVersion::CURRENT);

    // Read before any function of the library is called: an `abort` library would end the
    // worker on its first panic, and a library needing what this host lacks cannot work.
    if module.panic_strategy() != PanicStrategy::UNWIND {
        return Err(Refusal::new(
            path,
            "the library was built with panic = \"abort\": a panic in it would end the whole worker",
            "rebuild the plugin with panic = \"unwind\" (remove `panic = \"abort\"` from its Cargo profiles)",
        ));
    }
    let missing = module
        .required_capabilities()
        .missing_from(HOST_CAPABILITIES);
    if missing != Capabilities::NONE {
        return Err(Refusal::new(
            path,
            &format!(
                "the plugin (plugin-api {api_version}) requires host capabilities this host (plugin-api {ABI_VERSION}) lacks: {}",
                missing.names().join(", ")
            ),
            "upgrade the connect host to a version that provides them, or use a build of the plugin that does not require them",
        ));
    }

    let host = host_info(file_name(path));
    if let abi_stable::std_types::RErr(e) = (module.init())(host) {
        return Err(Refusal::new(
            path,
            &format!("the library refused to initialize: {}", e.message),
            "see the plugin's documentation",
        ));
    }
    let connectors = module.connectors()()
        .into_iter()
        .map(|factory| (factory.info(), Arc::new(factory)))
        .collect::<Vec<_>>();
    let mut others: Vec<(PluginInfo, PluginFactory)> = Vec::new();
    for f in module.transformations()() {
        others.push((f.info(), PluginFactory::Transformation(Arc::new(f))));
    }
    for f in module.predicates()() {
        others.push((f.info(), PluginFactory::Predicate(Arc::new(f))));
    }
    for f in module.converters()() {
        others.push((f.info(), PluginFactory::Converter(Arc::new(f))));
    }
    for f in module.header_converters()() {
        others.push((f.info(), PluginFactory::HeaderConverter(Arc::new(f))));
    }
    for f in module.config_providers()() {
        others.push((f.info(), PluginFactory::ConfigProvider(Arc::new(f))));
    }
    if connectors.is_empty() && others.is_empty() {
        return Err(Refusal::new(
            path,
            "the library loaded but provides no plugin class",
            "check that its export_plugin! lists its connectors (or other classes)",
        ));
    }
    Ok(LoadedLibrary {
        path: path.to_path_buf(),
        api_version,
        abi,
        connectors,
        others,
    })
}

/// The host's info for one library; leaked, as libraries are never unloaded.
fn host_info(plugin: String) -> HostInfo_Ref {
    let link: &'static HostLinkArc = Box::leak(Box::new(HostLink_TO::from_ptr(
        RArc::new(TracingLink { plugin }),
        TD_Opaque,
    )));
    HostInfo {
        abi_version: RStr::from_str(ABI_VERSION),
        host_version: RStr::from_str(concat!("connect-host ", env!("CARGO_PKG_VERSION"))),
        capabilities: HOST_CAPABILITIES,
        link,
    }
    .leak_into_prefix()
}

/// Refuses, by reading the file only, anything that is not a complete shared library for this
/// machine exporting an abi_stable root module. None of the library's code runs here.
fn probe(path: &Path) -> Result<(), Refusal> {
    if super::elf_check::check_library_file(path, ROOT_MODULE_LOADER_NAME)? {
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
/// Plugin code calls these through `extern "C"`: a panic here would abort the process, so each
/// body is wrapped in `catch_unwind`.
struct TracingLink {
    plugin: String,
}

impl HostLink for TracingLink {
    fn log(&self, lvl: u8, target: RStr<'_>, message: RStr<'_>) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // A plugin may quote a secret of its configuration (or of the worker's).
            let message = crate::runtime::secrets::redact(message.as_str());
            let (plugin, target, message) = (self.plugin.as_str(), target.as_str(), &*message);
            match lvl {
                level::ERROR => tracing::error!(target: "plugin", plugin, target, "{message}"),
                level::WARN => tracing::warn!(target: "plugin", plugin, target, "{message}"),
                level::INFO => tracing::info!(target: "plugin", plugin, target, "{message}"),
                level::DEBUG => tracing::debug!(target: "plugin", plugin, target, "{message}"),
                _ => tracing::trace!(target: "plugin", plugin, target, "{message}"),
            }
        }));
    }

    fn enabled(&self, lvl: u8, target: RStr<'_>) -> bool {
        std::panic::catch_unwind(|| log_levels::enabled(lvl, target.as_str())).unwrap_or(false)
    }

    fn max_level(&self) -> u8 {
        log_levels::max_level()
    }
}

#[cfg(test)]
mod tests {
    use std::{path::Path, process::Command};

    use super::*;

    /// Builds a C shared library in `dir` whose constructor writes `marker` if it ever runs, with
    /// `extra` appended to its source. `None` (after saying why) when there is no C compiler.
    fn c_library(dir: &Path, name: &str, marker: &Path, extra: &str) -> Option<PathBuf> {
        let source = dir.join(format!("{name}.c"));
        let library = dir.join(format!("lib{name}.so"));
        let marker = marker.display().to_string();
        assert!(!marker.contains(['"', '\\']), "marker path {marker}");
        std::fs::write(
            &source,
            format!(
                "#include <stdio.h>\n\
                 __attribute__((constructor)) static void ran(void) {{\n\
                 \x20   FILE *f = fopen(\"{marker}\", \"w\");\n\
                 \x20   if (f) fclose(f);\n\
                 }}\n\
                 int stray_function(void) {{ return 1; }}\n\
                 {extra}\n"
            ),
        )
        .unwrap();
        let status = match Command::new("cc")
            .args(["-shared", "-fPIC", "-o"])
            .arg(&library)
            .arg(&source)
            .status()
        {
            Ok(status) => status,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("SKIPPED: no C compiler `cc` on PATH to build the fixture library");
                return None;
            }
            Err(e) => panic!("running cc: {e}"),
        };
        assert!(status.success(), "cc failed on {}", source.display());
        Some(library)
    }

    fn root_symbol() -> &'static str {
        let name = ROOT_MODULE_LOADER_NAME;
        assert!(
            name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric()),
            "{name} is not a C identifier"
        );
        name
    }

    #[test]
    fn a_stray_library_is_refused_without_running_its_constructor() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("constructor-ran");
        let Some(library) = c_library(dir.path(), "stray", &marker, "") else {
            return;
        };
        let refusal = match load_library(&Candidate {
            path: library,
            manifest: None,
        }) {
            Err(refusal) => refusal,
            Ok(_) => panic!("a C library loaded as a plugin"),
        };
        assert_eq!(
            refusal.reason,
            "not a connect plugin: the library exports no plugin root module"
        );
        assert!(refusal.hint.contains("export_plugin!"), "{}", refusal.hint);
        assert!(
            !marker.exists(),
            "the stray library's constructor ran: it was opened before being refused"
        );
    }

    #[test]
    fn a_library_that_only_uses_the_root_symbol_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("constructor-ran");
        let root = root_symbol();
        let extra = format!("extern char {root}; void *uses_it(void) {{ return &{root}; }}");
        let Some(library) = c_library(dir.path(), "user", &marker, &extra) else {
            return;
        };
        let refusal = probe(&library).expect_err("an undefined reference counts as an export");
        assert!(refusal.reason.contains("exports no plugin root module"));
        assert!(!marker.exists());
    }

    #[test]
    fn a_library_exporting_the_root_symbol_passes_the_probe_unopened() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("constructor-ran");
        let extra = format!("char {}[64];", root_symbol());
        let Some(library) = c_library(dir.path(), "lookalike", &marker, &extra) else {
            return;
        };
        // Only the probe: this is not a real plugin, so it must never reach dlopen.
        probe(&library).unwrap();
        assert!(!marker.exists());
    }

    #[test]
    fn a_hidden_root_symbol_is_not_an_export() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("constructor-ran");
        let extra = format!(
            "__attribute__((visibility(\"hidden\"))) char {}[64];\n\
             void *keep(void) {{ return {}; }}",
            root_symbol(),
            root_symbol()
        );
        let Some(library) = c_library(dir.path(), "hidden", &marker, &extra) else {
            return;
        };
        assert!(probe(&library).is_err());
    }

    #[test]
    fn a_file_that_is_not_elf_is_refused_by_the_header_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libgarbage.so");
        std::fs::write(&path, b"definitely not a library").unwrap();
        let refusal = probe(&path).unwrap_err();
        assert!(
            refusal.reason.contains("not a shared library"),
            "{}",
            refusal.reason
        );
    }
}
