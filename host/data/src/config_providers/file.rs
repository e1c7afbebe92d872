//! `org.apache.kafka.common.config.provider.FileConfigProvider`: the path is a Java properties
//! file (read as UTF-8, parsed as `Properties.load` does), a key is one of its properties.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::allowed_paths::{AllowedPaths, JavaPath};
use super::properties;
use super::provider::{ConfigData, ConfigProvider, ProviderError};

/// The setting naming the paths the provider may read.
pub const ALLOWED_PATHS_CONFIG: &str = "allowed.paths";

/// A configured `FileConfigProvider`.
pub struct FileConfigProvider {
    allowed_paths: AllowedPaths,
}

impl FileConfigProvider {
    /// Kafka's class name.
    pub const CLASS: &'static str = "org.apache.kafka.common.config.provider.FileConfigProvider";

    /// Java's `configure`: `allowed.paths` from the provider's `param.*` settings (prefix
    /// removed); other settings are ignored.
    pub fn configure(params: &BTreeMap<String, String>) -> Result<Self, ProviderError> {
        Ok(FileConfigProvider {
            allowed_paths: AllowedPaths::new(params.get(ALLOWED_PATHS_CONFIG).map(String::as_str))?,
        })
    }

    /// The file's properties; `None` when `path` is empty or not allowed (Kafka then answers
    /// with no data, so references stay as written).
    fn load(&self, path: &str) -> Result<Option<BTreeMap<String, String>>, ProviderError> {
        if path.is_empty() {
            return Ok(None);
        }
        let Some(file) = self.allowed_paths.parse_untrusted_path(path)? else {
            tracing::warn!("The path {path} is not allowed to be accessed");
            return Ok(None);
        };
        let text = read_utf8(&file).map_err(|error| {
            tracing::error!(%error, "Could not read properties from file {path}");
            ProviderError::config(format!("Could not read properties from file {path}"))
        })?;
        properties::load(&text).map(Some)
    }
}

/// The file as strict UTF-8 (Java's UTF-8 reader fails on malformed input).
fn read_utf8(file: &JavaPath) -> std::io::Result<String> {
    let bytes = std::fs::read(file.as_path())?;
    String::from_utf8(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()))
}

impl ConfigProvider for FileConfigProvider {
    fn get(&self, path: &str, keys: &BTreeSet<String>) -> Result<ConfigData, ProviderError> {
        let mut data = self.load(path)?.unwrap_or_default();
        data.retain(|key, _| keys.contains(key));
        Ok(ConfigData::new(data))
    }

    fn get_all(&self, path: &str) -> Result<ConfigData, ProviderError> {
        Ok(ConfigData::new(self.load(path)?.unwrap_or_default()))
    }
}

impl fmt::Debug for FileConfigProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileConfigProvider")
            .field("allowed_paths", &self.allowed_paths)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Kafka's `TestFileConfigProvider` reads from every path.
    const CONTENT: &str = "testKey=testResult\ntestKey2=testResult2";

    /// Kafka's `FileConfigProviderTest` layout: `<parent>/dir/dirFile` and
    /// `<parent>/siblingDir/siblingDirFile`, both holding [`CONTENT`].
    struct Layout {
        parent: tempfile::TempDir,
        dir: String,
        dir_file: String,
        sibling_dir_file: String,
    }

    fn layout() -> Layout {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("dir");
        std::fs::create_dir(&dir).unwrap();
        let dir_file = dir.join("dirFile");
        std::fs::write(&dir_file, CONTENT).unwrap();
        let sibling = parent.path().join("siblingDir");
        std::fs::create_dir(&sibling).unwrap();
        let sibling_file = sibling.join("siblingDirFile");
        std::fs::write(&sibling_file, CONTENT).unwrap();
        let s = |p: &std::path::Path| p.to_str().unwrap().to_owned();
        Layout {
            dir: s(&dir),
            dir_file: s(&dir_file),
            sibling_dir_file: s(&sibling_file),
            parent,
        }
    }

    fn provider(allowed: Option<&str>) -> FileConfigProvider {
        let mut params = BTreeMap::new();
        if let Some(a) = allowed {
            params.insert(ALLOWED_PATHS_CONFIG.to_string(), a.to_string());
        }
        FileConfigProvider::configure(&params).unwrap()
    }

    fn both() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("testKey".to_string(), "testResult".to_string()),
            ("testKey2".to_string(), "testResult2".to_string()),
        ])
    }

    fn keys(k: &[&str]) -> BTreeSet<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn get_all_keys_at_path() {
        let l = layout();
        let data = provider(None).get_all(&l.dir_file).unwrap();
        assert_eq!(data.data(), &both());
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn get_one_key_at_path() {
        let l = layout();
        let data = provider(None)
            .get(&l.dir_file, &keys(&["testKey"]))
            .unwrap();
        assert_eq!(
            data.data(),
            &BTreeMap::from([("testKey".to_string(), "testResult".to_string())])
        );
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn empty_path_with_and_without_key() {
        // Java's empty-path and null-path cases: both answer with no data.
        let p = provider(None);
        let data = p.get("", &keys(&["testKey"])).unwrap();
        assert!(data.data().is_empty());
        assert_eq!(data.ttl(), None);
        let data = p.get_all("").unwrap();
        assert!(data.data().is_empty());
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn allowed_dir_path() {
        let l = layout();
        let data = provider(Some(&l.dir)).get_all(&l.dir_file).unwrap();
        assert_eq!(data.data(), &both());
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn allowed_file_path() {
        let l = layout();
        let data = provider(Some(&l.dir_file)).get_all(&l.dir_file).unwrap();
        assert_eq!(data.data(), &both());
    }

    #[test]
    fn multiple_allowed_paths() {
        let l = layout();
        let sibling_dir = l.parent.path().join("siblingDir");
        let p = provider(Some(&format!("{},{}", l.dir, sibling_dir.display())));
        assert_eq!(p.get_all(&l.dir_file).unwrap().data(), &both());
        assert_eq!(p.get_all(&l.sibling_dir_file).unwrap().data(), &both());
    }

    #[test]
    fn not_allowed_dir_path() {
        let l = layout();
        let data = provider(Some(&l.dir)).get_all(&l.sibling_dir_file).unwrap();
        assert!(data.data().is_empty());
        assert_eq!(data.ttl(), None);
    }

    #[test]
    fn not_allowed_file_path() {
        let l = layout();
        let p = provider(Some(&l.dir_file));
        // Another file in the same directory.
        let dir_file2 = format!("{}/dirFile2", l.dir);
        std::fs::write(&dir_file2, CONTENT).unwrap();
        assert!(p.get_all(&dir_file2).unwrap().data().is_empty());
        assert!(
            p.get(&dir_file2, &keys(&["testKey"]))
                .unwrap()
                .data()
                .is_empty()
        );
    }

    #[test]
    fn no_traversal() {
        let l = layout();
        let p = provider(Some(&l.dir_file));
        let escaped = format!("{}/../../siblingDir/siblingDirFile", l.dir_file);
        assert!(p.get_all(&escaped).unwrap().data().is_empty());
        // Without allowed.paths the path is opened as given, not normalised: `dirFile/..` is
        // not a directory for the file system, so the read fails (as it does in Java).
        assert_eq!(
            provider(None).get_all(&escaped).unwrap_err().to_string(),
            format!("Could not read properties from file {escaped}")
        );
        let via_dir = format!("{}/../siblingDir/siblingDirFile", l.dir);
        assert_eq!(provider(None).get_all(&via_dir).unwrap().data(), &both());
        assert!(
            provider(Some(&l.dir))
                .get_all(&via_dir)
                .unwrap()
                .data()
                .is_empty()
        );
    }

    #[test]
    fn unreadable_file_is_kafkas_config_exception_naming_the_path_as_given() {
        let l = layout();
        let p = provider(None);
        let missing = format!("{}//missing", l.dir);
        let e = p.get_all(&missing).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Could not read properties from file {missing}")
        );
        assert_eq!(
            e.java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
        let e = p.get(&l.dir, &keys(&["testKey"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Could not read properties from file {}", l.dir)
        );
    }

    #[test]
    fn malformed_utf8_is_unreadable_and_the_error_holds_no_value() {
        let l = layout();
        let bad = format!("{}/bad", l.dir);
        std::fs::write(&bad, b"password=hunter2\nx=\xff\n").unwrap();
        let e = provider(None).get_all(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Could not read properties from file {bad}")
        );
        assert!(!format!("{e:?}").contains("hunter2"));
    }

    #[test]
    fn malformed_escape_fails_as_in_java() {
        let l = layout();
        let bad = format!("{}/escape", l.dir);
        std::fs::write(&bad, "a=\\u12").unwrap();
        let e = provider(None).get_all(&bad).unwrap_err();
        assert_eq!(e.to_string(), "Malformed \\uxxxx encoding.");
        assert_eq!(e.java_class(), "java.lang.IllegalArgumentException");
    }

    #[test]
    fn bad_allowed_paths_fail_configure() {
        let e = FileConfigProvider::configure(&BTreeMap::from([(
            ALLOWED_PATHS_CONFIG.to_string(),
            "relative".to_string(),
        )]))
        .unwrap_err();
        assert_eq!(e.to_string(), "Path relative is not absolute");
    }
}
