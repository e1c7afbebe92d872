//! Kafka's `org.apache.kafka.common.config.internals.AllowedPaths` (the `allowed.paths` setting
//! of `FileConfigProvider` and `DirectoryConfigProvider`), on a model of Java's Unix `Path`:
//! `Paths.get` collapses repeated slashes and drops a trailing one, `normalize` removes `.` and
//! resolves `..` by name (symbolic links are not followed, as in Java), and `startsWith` compares
//! whole names, so `/tmp/dir2` is not inside `/tmp/dir`.

use std::fmt;
use std::path::Path;

use super::provider::ProviderError;

/// A Java `java.nio.file.Path` on Unix, as far as the providers use one. `Display` is Java's
/// `toString()`, which Kafka's messages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaPath {
    text: String,
}

impl JavaPath {
    /// `Paths.get(text)`: repeated `/` collapsed, a trailing `/` dropped (`/` stays). Fails as
    /// Java does on a NUL character.
    pub fn get(text: &str) -> Result<JavaPath, ProviderError> {
        if text.contains('\0') {
            return Err(ProviderError::invalid_path(format!(
                "Nul character not allowed: {text}"
            )));
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '/' && out.ends_with('/') {
                continue;
            }
            out.push(c);
        }
        if out.len() > 1 && out.ends_with('/') {
            out.pop();
        }
        Ok(JavaPath { text: out })
    }

    /// `isAbsolute()`.
    pub fn is_absolute(&self) -> bool {
        self.text.starts_with('/')
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.text.split('/').filter(|n| !n.is_empty())
    }

    /// `normalize()`: `.` removed, `name/..` removed, `..` at the root of an absolute path
    /// dropped; a relative path may become empty.
    pub fn normalize(&self) -> JavaPath {
        let mut kept: Vec<&str> = Vec::new();
        for name in self.names() {
            match name {
                "." => {}
                ".." => match kept.last() {
                    Some(&last) if last != ".." => {
                        kept.pop();
                    }
                    None if self.is_absolute() => {}
                    _ => kept.push(".."),
                },
                _ => kept.push(name),
            }
        }
        let joined = kept.join("/");
        let text = if self.is_absolute() {
            format!("/{joined}")
        } else {
            joined
        };
        JavaPath { text }
    }

    /// `startsWith(other)`: `other`'s names are the first names of `self`, and both are
    /// absolute or both relative.
    pub fn starts_with(&self, other: &JavaPath) -> bool {
        if self.is_absolute() != other.is_absolute() {
            return false;
        }
        let mut mine = self.names();
        other.names().all(|name| mine.next() == Some(name))
    }

    /// `resolve(name)` for a plain file name.
    pub fn resolve(&self, name: &str) -> JavaPath {
        let text = if self.text.is_empty() {
            name.to_owned()
        } else if self.text.ends_with('/') {
            format!("{}{name}", self.text)
        } else {
            format!("{}/{name}", self.text)
        };
        JavaPath { text }
    }

    /// The path for the file system (relative paths are relative to the working directory).
    pub fn as_path(&self) -> &Path {
        Path::new(&self.text)
    }
}

impl fmt::Display for JavaPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The directories (or files) a provider may read, from `allowed.paths`; `None` when the
/// setting is absent or empty: every path is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedPaths {
    allowed: Option<Vec<JavaPath>>,
}

impl AllowedPaths {
    /// Reads `allowed.paths`: split on `,` as Java's `String.split` does (no trimming; trailing
    /// empty items dropped), each entry normalised, then refused with Kafka's message when it
    /// is not absolute or does not exist.
    pub fn new(config_value: Option<&str>) -> Result<AllowedPaths, ProviderError> {
        let Some(value) = config_value.filter(|v| !v.is_empty()) else {
            return Ok(AllowedPaths { allowed: None });
        };
        let mut entries: Vec<&str> = value.split(',').collect();
        while entries.last() == Some(&"") {
            entries.pop();
        }
        let mut allowed = Vec::with_capacity(entries.len());
        for entry in entries {
            let normalised = JavaPath::get(entry)?.normalize();
            if !normalised.is_absolute() {
                return Err(ProviderError::config(format!(
                    "Path {normalised} is not absolute"
                )));
            }
            if !normalised.as_path().exists() {
                return Err(ProviderError::config(format!(
                    "Path {normalised} does not exist"
                )));
            }
            allowed.push(normalised);
        }
        Ok(AllowedPaths {
            allowed: Some(allowed),
        })
    }

    /// `parseUntrustedPath`: with `allowed.paths` set, the normalised path if it lies in one of
    /// them, else `None`; without it, the path as given (not normalised, as Kafka keeps it for
    /// compatibility).
    pub fn parse_untrusted_path(&self, path: &str) -> Result<Option<JavaPath>, ProviderError> {
        let parsed = JavaPath::get(path)?;
        let Some(allowed) = &self.allowed else {
            return Ok(Some(parsed));
        };
        let normalised = parsed.normalize();
        Ok(allowed
            .iter()
            .any(|dir| normalised.starts_with(dir))
            .then_some(normalised))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's `AllowedPathsTest` layout: `<parent>/dir/myFile` and `<parent>/dir2`.
    struct Layout {
        _parent: tempfile::TempDir,
        dir: String,
        my_file: String,
        dir2: String,
    }

    fn layout() -> Layout {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("dir");
        std::fs::create_dir(&dir).unwrap();
        let my_file = dir.join("myFile");
        std::fs::write(&my_file, "").unwrap();
        let dir2 = parent.path().join("dir2");
        std::fs::create_dir(&dir2).unwrap();
        let s = |p: &Path| p.to_str().unwrap().to_owned();
        Layout {
            dir: s(&dir),
            my_file: s(&my_file),
            dir2: s(&dir2),
            _parent: parent,
        }
    }

    fn untrusted(allowed: &AllowedPaths, path: &str) -> Option<String> {
        allowed
            .parse_untrusted_path(path)
            .unwrap()
            .map(|p| p.to_string())
    }

    #[test]
    fn allowed_path() {
        let l = layout();
        let allowed = AllowedPaths::new(Some(&format!("{},{}", l.dir, l.dir2))).unwrap();
        assert_eq!(untrusted(&allowed, &l.my_file), Some(l.my_file.clone()));
    }

    #[test]
    fn not_allowed_path() {
        let l = layout();
        let allowed = AllowedPaths::new(Some(&l.dir)).unwrap();
        assert_eq!(untrusted(&allowed, &l.dir2), None);
    }

    #[test]
    fn null_allowed_paths() {
        let l = layout();
        let allowed = AllowedPaths::new(None).unwrap();
        assert_eq!(untrusted(&allowed, &l.my_file), Some(l.my_file.clone()));
    }

    #[test]
    fn no_traversal() {
        let l = layout();
        let allowed = AllowedPaths::new(Some(&l.dir)).unwrap();
        assert_eq!(untrusted(&allowed, &format!("{}/../dir2", l.dir)), None);
    }

    #[test]
    fn allowed_traversal() {
        let l = layout();
        let allowed = AllowedPaths::new(Some(&format!("{},{}", l.dir, l.dir2))).unwrap();
        assert_eq!(
            untrusted(&allowed, &format!("{}/../dir2", l.dir)),
            Some(l.dir2.clone())
        );
    }

    #[test]
    fn null_allowed_paths_traversal_keeps_the_path_as_given() {
        let l = layout();
        let allowed = AllowedPaths::new(Some("")).unwrap();
        let traversed = format!("{}/../dir2", l.dir);
        assert_eq!(untrusted(&allowed, &traversed), Some(traversed.clone()));
    }

    #[test]
    fn allowed_path_does_not_exist() {
        let e = AllowedPaths::new(Some("/foo")).unwrap_err();
        assert_eq!(e.to_string(), "Path /foo does not exist");
        assert_eq!(
            e.java_class(),
            "org.apache.kafka.common.config.ConfigException"
        );
    }

    #[test]
    fn allowed_path_is_not_absolute() {
        let e = AllowedPaths::new(Some("foo bar ")).unwrap_err();
        assert_eq!(e.to_string(), "Path foo bar  is not absolute");
    }

    // The cases below were run on Kafka 4.3.1's classes (Java 17) for the expected values.

    #[test]
    fn entries_are_split_like_java_string_split_and_not_trimmed() {
        let message = |v: &str| AllowedPaths::new(Some(v)).unwrap_err().to_string();
        assert_eq!(message(",/tmp"), "Path  is not absolute");
        assert_eq!(message("/tmp, /var"), "Path  /var is not absolute");
        assert_eq!(message("/tmp,,/var"), "Path  is not absolute");
        assert_eq!(message("./x/.."), "Path  is not absolute");
        // A trailing comma adds nothing; a lone comma is an empty list that allows nothing.
        let trailing = AllowedPaths::new(Some("/tmp,")).unwrap();
        assert_eq!(untrusted(&trailing, "/tmp/x"), Some("/tmp/x".into()));
        assert_eq!(untrusted(&trailing, "/var//y/"), None);
        let nothing = AllowedPaths::new(Some(",")).unwrap();
        assert_eq!(untrusted(&nothing, "/tmp/x"), None);
    }

    #[test]
    fn entries_are_normalised_before_the_existence_check() {
        let allowed = AllowedPaths::new(Some("/tmp/./nonexistent-kafka-dir/..")).unwrap();
        assert_eq!(untrusted(&allowed, "/tmp/x"), Some("/tmp/x".into()));
        let root = AllowedPaths::new(Some("/tmp/../..")).unwrap();
        assert_eq!(untrusted(&root, "/var//y/"), Some("/var/y".into()));
    }

    #[test]
    fn containment_compares_whole_names() {
        let tmp = AllowedPaths::new(Some("/tmp")).unwrap();
        assert_eq!(untrusted(&tmp, "/tmp"), Some("/tmp".into()));
        assert_eq!(untrusted(&tmp, "/tmp/"), Some("/tmp".into()));
        assert_eq!(untrusted(&tmp, "/tmpfoo"), None);
        assert_eq!(untrusted(&tmp, "/tmp/../tmp/a"), Some("/tmp/a".into()));
        assert_eq!(untrusted(&tmp, "/tmp/../etc"), None);
        assert_eq!(untrusted(&tmp, "tmp/a"), None);
        assert_eq!(
            untrusted(&tmp, "/tmp/./a/../../tmp/b"),
            Some("/tmp/b".into())
        );
    }

    #[test]
    fn java_path_text_and_normalize() {
        let cases = [
            ("/tmp//a/", "/tmp/a", "/tmp/a"),
            ("a/./b/../c", "a/./b/../c", "a/c"),
            ("//x", "/x", "/x"),
            ("a//", "a", "a"),
            ("/", "/", "/"),
            ("x/../..", "x/../..", ".."),
            ("/a/./b", "/a/./b", "/a/b"),
        ];
        for (raw, text, normalised) in cases {
            let p = JavaPath::get(raw).unwrap();
            assert_eq!(p.to_string(), text, "{raw}");
            assert_eq!(p.normalize().to_string(), normalised, "{raw}");
        }
        assert_eq!(JavaPath::get("/").unwrap().resolve("f").to_string(), "/f");
        assert_eq!(
            JavaPath::get("/d/").unwrap().resolve("f").to_string(),
            "/d/f"
        );
    }

    #[test]
    fn nul_character_is_refused_like_java() {
        let e = AllowedPaths::new(None)
            .unwrap()
            .parse_untrusted_path("/a\0b")
            .unwrap_err();
        assert_eq!(e.to_string(), "Nul character not allowed: /a\0b");
        assert_eq!(e.java_class(), "java.nio.file.InvalidPathException");
        let e = AllowedPaths::new(Some("/tmp\0")).unwrap_err();
        assert_eq!(e.to_string(), "Nul character not allowed: /tmp\0");
    }
}
