//! `org.apache.kafka.common.config.provider.DirectoryConfigProvider`: the path is a directory,
//! a key is the name of a regular file directly in it, the value the file's whole content
//! (UTF-8). Like Java, `Files.isRegularFile` follows symbolic links (so Kubernetes' secret
//! volumes, whose files are links, work); subdirectories, broken links and other entries are
//! skipped, and a key is only ever compared with the names listed, so `../x` finds nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::allowed_paths::{AllowedPaths, JavaPath};
use super::provider::{ConfigData, ConfigProvider, ProviderError};

pub use super::file::ALLOWED_PATHS_CONFIG;

/// A configured `DirectoryConfigProvider`.
pub struct DirectoryConfigProvider {
    allowed_paths: AllowedPaths,
}

impl DirectoryConfigProvider {
    /// Kafka's class name.
    pub const CLASS: &'static str =
        "org.apache.kafka.common.config.provider.DirectoryConfigProvider";

    /// Java's `configure`: `allowed.paths` from the provider's `param.*` settings.
    pub fn configure(params: &BTreeMap<String, String>) -> Result<Self, ProviderError> {
        Ok(DirectoryConfigProvider {
            allowed_paths: AllowedPaths::new(params.get(ALLOWED_PATHS_CONFIG).map(String::as_str))?,
        })
    }

    /// The regular files of `path` whose name `wanted` accepts, by name.
    fn read(
        &self,
        path: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        let mut data = BTreeMap::new();
        if path.is_empty() {
            return Ok(data);
        }
        let Some(dir) = self.allowed_paths.parse_untrusted_path(path)? else {
            tracing::warn!("The path {path} is not allowed to be accessed");
            return Ok(data);
        };
        if !dir.as_path().is_dir() {
            tracing::warn!("The path {path} is not a directory");
            return Ok(data);
        }
        let list_failed = |error: std::io::Error| {
            tracing::error!(%error, "Could not list directory {dir}");
            ProviderError::config(format!("Could not list directory {dir}"))
        };
        for entry in std::fs::read_dir(dir.as_path()).map_err(list_failed)? {
            let entry = entry.map_err(list_failed)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !wanted(&name) {
                continue;
            }
            let file = dir.resolve(&name);
            if !file.as_path().is_file() {
                continue;
            }
            let content = read_utf8(&file).map_err(|error| {
                tracing::error!(%error, "Could not read file {file} for property {name}");
                ProviderError::config(format!("Could not read file {file} for property {name}"))
            })?;
            data.insert(name, content);
        }
        Ok(data)
    }
}

/// The file as strict UTF-8 (Java's `Files.readString` fails on malformed input).
fn read_utf8(file: &JavaPath) -> std::io::Result<String> {
    let bytes = std::fs::read(file.as_path())?;
    String::from_utf8(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()))
}

impl ConfigProvider for DirectoryConfigProvider {
    fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
        self.read(path, |name| keys.contains(name))
            .map(ConfigData::new)
    }

    fn get_all(&self, path: &str) -> Result<ConfigData, ProviderError> {
        self.read(path, |_| true).map(ConfigData::new)
    }
}

impl fmt::Debug for DirectoryConfigProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectoryConfigProvider")
            .field("allowed_paths", &self.allowed_paths)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Kafka's `DirectoryConfigProviderTest` layout: `<parent>/dir/{foo,bar}`,
    /// `<parent>/dir/subdir/subdirFile`, `<parent>/siblingDir/siblingDirFile` and
    /// `<parent>/siblingFile`, each file holding its own name in upper case.
    struct Layout {
        _parent: tempfile::TempDir,
        parent: String,
        dir: String,
        subdir: String,
        sibling_dir: String,
    }

    fn write_file(path: &Path) {
        let name = path.file_name().unwrap().to_str().unwrap();
        std::fs::write(path, name.to_uppercase()).unwrap();
    }

    fn layout() -> Layout {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("dir");
        std::fs::create_dir(&dir).unwrap();
        write_file(&dir.join("foo"));
        write_file(&dir.join("bar"));
        let subdir = dir.join("subdir");
        std::fs::create_dir(&subdir).unwrap();
        write_file(&subdir.join("subdirFile"));
        let sibling_dir = parent.path().join("siblingDir");
        std::fs::create_dir(&sibling_dir).unwrap();
        write_file(&sibling_dir.join("siblingDirFile"));
        write_file(&parent.path().join("siblingFile"));
        let s = |p: &Path| p.to_str().unwrap().to_owned();
        Layout {
            parent: s(parent.path()),
            dir: s(&dir),
            subdir: s(&subdir),
            sibling_dir: s(&sibling_dir),
            _parent: parent,
        }
    }

    fn provider(allowed: Option<&str>) -> DirectoryConfigProvider {
        let mut params = BTreeMap::new();
        if let Some(a) = allowed {
            params.insert(ALLOWED_PATHS_CONFIG.to_string(), a.to_string());
        }
        DirectoryConfigProvider::configure(&params).unwrap()
    }

    fn keys(k: &[&str]) -> BTreeSet<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn get_all_keys_at_path() {
        let l = layout();
        let data = provider(None).get_all(&l.dir).unwrap();
        assert_eq!(data.data(), &map(&[("bar", "BAR"), ("foo", "FOO")]));
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn get_set_of_keys_at_path() {
        let l = layout();
        let data = provider(None).get(&l.dir, &keys(&["foo", "baz"])).unwrap();
        assert_eq!(data.data(), &map(&[("foo", "FOO")]));
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn no_subdirs() {
        // Only regular files directly in the directory, not in its subdirectories.
        let l = layout();
        let subdir_file = format!("{}/subdirFile", l.subdir);
        let data = provider(None)
            .get(&l.dir, &keys(&[&l.subdir, &subdir_file, "subdir"]))
            .unwrap();
        assert!(data.data().is_empty());
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn no_traversal() {
        let l = layout();
        let data = provider(None)
            .get(
                &l.dir,
                &keys(&[
                    "../siblingFile",
                    &format!("../{}", l.sibling_dir),
                    &format!("../{}/siblingDirFile", l.sibling_dir),
                    "../siblingDir/siblingDirFile",
                ]),
            )
            .unwrap();
        assert!(data.data().is_empty());
    }

    #[test]
    fn empty_path_with_and_without_key() {
        // Java's empty-path and null-path cases.
        let p = provider(None);
        assert!(p.get_all("").unwrap().data().is_empty());
        let data = p.get("", &keys(&["foo"])).unwrap();
        assert!(data.data().is_empty());
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn allowed_path() {
        let l = layout();
        let data = provider(Some(&l.parent)).get_all(&l.dir).unwrap();
        assert_eq!(data.data(), &map(&[("bar", "BAR"), ("foo", "FOO")]));
    }

    #[test]
    fn multiple_allowed_paths() {
        let l = layout();
        let p = provider(Some(&format!("{},{}", l.dir, l.sibling_dir)));
        assert_eq!(
            p.get_all(&l.subdir).unwrap().data(),
            &map(&[("subdirFile", "SUBDIRFILE")])
        );
        assert_eq!(
            p.get_all(&l.sibling_dir).unwrap().data(),
            &map(&[("siblingDirFile", "SIBLINGDIRFILE")])
        );
    }

    #[test]
    fn not_allowed_path() {
        let l = layout();
        let p = provider(Some(&l.dir));
        assert!(p.get_all(&l.sibling_dir).unwrap().data().is_empty());
        assert!(
            p.get(&l.sibling_dir, &keys(&["siblingDirFile"]))
                .unwrap()
                .data()
                .is_empty()
        );
    }

    #[test]
    fn no_traversal_allowed_path() {
        let l = layout();
        let data = provider(Some(&l.dir))
            .get_all(&format!("{}/../siblingDir", l.dir))
            .unwrap();
        assert!(data.data().is_empty());
    }

    #[test]
    fn a_file_is_not_a_directory() {
        let l = layout();
        assert!(
            provider(None)
                .get_all(&format!("{}/foo", l.dir))
                .unwrap()
                .data()
                .is_empty()
        );
        assert!(
            provider(None)
                .get_all(&format!("{}/none", l.dir))
                .unwrap()
                .data()
                .is_empty()
        );
    }

    #[test]
    fn symbolic_links_to_regular_files_count_and_broken_links_do_not() {
        let l = layout();
        let linked = tempfile::tempdir().unwrap();
        let target = linked.path().join("password");
        std::fs::write(&target, "s3cret").unwrap();
        std::os::unix::fs::symlink(&target, Path::new(&l.dir).join("password")).unwrap();
        std::os::unix::fs::symlink(linked.path().join("none"), Path::new(&l.dir).join("broken"))
            .unwrap();
        std::os::unix::fs::symlink(&l.subdir, Path::new(&l.dir).join("..data")).unwrap();
        let data = provider(None).get_all(&l.dir).unwrap();
        assert_eq!(
            data.data(),
            &map(&[("bar", "BAR"), ("foo", "FOO"), ("password", "s3cret")])
        );
    }

    #[test]
    fn unreadable_file_fails_with_kafkas_message_and_no_value() {
        let l = layout();
        std::fs::write(Path::new(&l.dir).join("bad"), b"\xff").unwrap();
        let p = provider(None);
        let e = p.get_all(&format!("{}//", l.dir)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Could not read file {}/bad for property bad", l.dir)
        );
        assert_eq!(
            e.java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
        assert!(!format!("{e:?}").contains("FOO"));
        // A file not asked for is not read.
        assert_eq!(
            p.get(&l.dir, &keys(&["foo"])).unwrap().data(),
            &map(&[("foo", "FOO")])
        );
    }

    #[test]
    fn content_is_kept_whole() {
        let l = layout();
        std::fs::write(Path::new(&l.dir).join("multi"), "line1\nline2\n").unwrap();
        let data = provider(None)
            .get(&format!("{}/", l.dir), &keys(&["multi"]))
            .unwrap();
        assert_eq!(data.data(), &map(&[("multi", "line1\nline2\n")]));
    }
}
