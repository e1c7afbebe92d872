//! Walks `plugin.path` for plugin libraries.
//!
//! Each listed directory may hold libraries directly (`DIR/libfoo.so`), components installed the
//! way confluent-hub installs them (`DIR/<owner>-<name>/manifest.json` + `lib/*.so`), or be such a
//! component itself (the seed mounts `…/confluentinc-kafka-connect-elasticsearch` straight onto a
//! `plugin.path` entry). The walk is bounded (depth 3) and never follows a directory loop.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::registry::Refusal;

/// Depth of `DIR/<component>/lib/lib.so`.
const MAX_DEPTH: usize = 3;

/// A file that may be a plugin library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The library file.
    pub path: PathBuf,
    /// The `manifest.json` of the component it belongs to, if any.
    pub manifest: Option<PathBuf>,
}

/// The shared-library suffix of this platform.
pub const LIBRARY_SUFFIX: &str = std::env::consts::DLL_SUFFIX;

/// Splits a `plugin.path` value (comma-separated; blanks ignored).
pub fn split_plugin_path(value: &str) -> Vec<PathBuf> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Lists candidate libraries under every directory of `plugin_path`, in a stable order, plus a
/// refusal for each directory that cannot be read.
pub fn scan_plugin_path(plugin_path: &[PathBuf]) -> (Vec<Candidate>, Vec<Refusal>) {
    let mut found = Vec::new();
    let mut refused = Vec::new();
    // The same library reached through two entries (the seed lists `/usr/share/java` and its
    // subdirectory `kafka-connect-elasticsearch`) is one plugin, not a duplicate.
    let mut seen = std::collections::HashSet::new();
    for dir in plugin_path {
        if !dir.is_dir() {
            refused.push(Refusal::new(
                dir,
                "plugin.path entry is not a directory",
                "create it, or fix the plugin.path setting (a comma-separated list of directories)",
            ));
            continue;
        }
        let walk = WalkDir::new(dir)
            .follow_links(true)
            .max_depth(MAX_DEPTH)
            .sort_by_file_name()
            .into_iter();
        for entry in walk
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            match entry {
                Ok(e) if e.file_type().is_file() && is_library(e.path()) => {
                    if seen.insert(
                        std::fs::canonicalize(e.path()).unwrap_or_else(|_| e.path().to_path_buf()),
                    ) {
                        found.push(Candidate {
                            manifest: manifest_of(dir, e.path()),
                            path: e.into_path(),
                        })
                    }
                }
                Ok(_) => {}
                Err(err) => refused.push(Refusal::new(
                    err.path().unwrap_or(dir),
                    &format!("cannot read: {err}"),
                    "fix the permissions, or remove it from the plugin directory",
                )),
            }
        }
    }
    (found, refused)
}

fn is_library(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(LIBRARY_SUFFIX))
}

/// The nearest `manifest.json` between the library and the plugin.path entry.
fn manifest_of(root: &Path, lib: &Path) -> Option<PathBuf> {
    lib.ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(root))
        .map(|a| a.join("manifest.json"))
        .find(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_direct_and_confluent_hub_layouts() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(root.join("libdirect.so"), b"x").unwrap();
        std::fs::write(root.join("README.md"), b"x").unwrap();
        std::fs::create_dir_all(root.join("acme-es/lib")).unwrap();
        std::fs::write(root.join("acme-es/manifest.json"), b"{}").unwrap();
        std::fs::write(root.join("acme-es/lib/libes.so"), b"x").unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        std::fs::write(root.join(".hidden/libno.so"), b"x").unwrap();
        let (found, refused) = scan_plugin_path(&[root.to_path_buf(), root.join("missing")]);
        let names: Vec<_> = found
            .iter()
            .map(|c| c.path.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            vec![
                PathBuf::from("acme-es/lib/libes.so"),
                PathBuf::from("libdirect.so")
            ]
        );
        assert_eq!(
            found[0].manifest.as_deref(),
            Some(root.join("acme-es/manifest.json").as_path())
        );
        assert_eq!(found[1].manifest, None);
        assert_eq!(refused.len(), 1);
        assert!(refused[0].reason.contains("not a directory"));
    }

    #[test]
    fn a_library_reached_through_two_entries_is_found_once() {
        let tmp = tempfile::tempdir().unwrap();
        let comp = tmp.path().join("kafka-connect-elasticsearch");
        std::fs::create_dir_all(comp.join("lib")).unwrap();
        std::fs::write(comp.join("lib/libes.so"), b"x").unwrap();
        let (found, refused) = scan_plugin_path(&[tmp.path().to_path_buf(), comp.clone()]);
        assert_eq!(found.len(), 1);
        assert!(refused.is_empty());
    }

    #[test]
    fn a_component_can_itself_be_the_plugin_path_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let comp = tmp.path().join("confluentinc-kafka-connect-elasticsearch");
        std::fs::create_dir_all(comp.join("lib")).unwrap();
        std::fs::write(comp.join("manifest.json"), b"{}").unwrap();
        std::fs::write(comp.join("lib/libes.so"), b"x").unwrap();
        let (found, _) = scan_plugin_path(&split_plugin_path(&format!(" {} ,", comp.display())));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].manifest.as_deref(),
            Some(comp.join("manifest.json").as_path())
        );
    }
}
