//! Where the workspace's built binaries and plugin libraries are, and plugin directories made
//! from them for one test.
//!
//! `scripts/test.sh` runs `cargo build --workspace` before the tests, so the `connect` binary and
//! every plugin cdylib exist; a test that finds one missing fails with that command.

use std::path::{Path, PathBuf};

/// The cargo target directory (`CARGO_TARGET_DIR`, else the workspace's `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn built(file: &str) -> PathBuf {
    let path = target_dir().join("debug").join(file);
    assert!(
        path.is_file(),
        "{} is not built: run `cargo build --workspace` first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// The `connect` binary.
pub fn connect_binary() -> PathBuf {
    built("connect")
}

/// A plugin library built from the workspace, by its `[lib] name` (e.g. `connect_file_sink`).
pub fn plugin_library(lib_name: &str) -> PathBuf {
    built(&format!("lib{lib_name}{}", std::env::consts::DLL_SUFFIX))
}

/// Copies a built plugin library into `dir` (created if needed) and returns the copy's path.
pub fn install_library(lib_name: &str, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let src = plugin_library(lib_name);
    let dst = dir.join(src.file_name().unwrap());
    std::fs::copy(&src, &dst).unwrap();
    dst
}

/// Installs a built plugin the way confluent-hub lays out a component:
/// `dir/<owner>-<name>/manifest.json` + `lib/<library>.so`.
pub fn install_component(lib_name: &str, crate_dir: &str, dir: &Path, component: &str) -> PathBuf {
    let root = dir.join(component);
    install_library(lib_name, &root.join("lib"));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("manifest.json");
    std::fs::copy(manifest, root.join("manifest.json")).unwrap();
    root
}
