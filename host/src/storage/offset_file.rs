//! [`FileOffsetStore`]: standalone mode's [`OffsetStore`], one local file
//! (`offset.storage.file.filename`).
//!
//! The file holds the same key and value strings as the offset topic (see `offset_format`), as a
//! JSON document: `{"format":"connect-host-offsets/1","offsets":{"<key>":"<value>",…}}`. Java's
//! standalone worker uses Java serialization for this file instead; such a file is recognized and
//! refused with a clear message rather than misread.
//!
//! Every `put` rewrites the whole file atomically (temporary file, fsync, rename, fsync of the
//! directory), so a crash leaves either the old or the new offsets, never a torn file; the
//! in-memory copy changes only after the file did.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::offset_format::OffsetMap;
use crate::runtime::stores::{OffsetStore, StoreError};

/// Marks the file's layout, so a later version can change it knowingly.
const FORMAT: &str = "connect-host-offsets/1";

/// The first two bytes of a Java serialization stream.
const JAVA_SERIALIZATION_MAGIC: [u8; 2] = [0xAC, 0xED];

/// Source offsets in a local file.
#[derive(Debug)]
pub struct FileOffsetStore {
    path: PathBuf,
    offsets: Mutex<OffsetMap>,
}

impl FileOffsetStore {
    /// Loads the offsets in `path` (none if the file does not exist or is empty).
    ///
    /// A file that cannot be read as offsets fails with [`StoreError::Corrupt`], naming the file
    /// and suggesting to move it aside.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let path = path.into();
        let offsets = load(&path)?;
        Ok(FileOffsetStore {
            path,
            offsets: Mutex::new(offsets),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl OffsetStore for FileOffsetStore {
    fn get(&self, connector: &str, partition: &Value) -> Result<Option<Value>, StoreError> {
        let offsets = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        Ok(offsets.get(connector, partition))
    }

    fn connector_offsets(&self, connector: &str) -> Result<Vec<(Value, Value)>, StoreError> {
        let offsets = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        Ok(offsets.connector_offsets(connector))
    }

    fn put(
        &self,
        connector: &str,
        offsets: &[(Value, Option<Value>)],
        _timeout: Duration,
    ) -> Result<(), StoreError> {
        if offsets.is_empty() {
            return Ok(());
        }
        // Held across the write: writes are serialized and the file always matches the map.
        let mut current = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        let mut next = current.clone();
        for (partition, offset) in offsets {
            next.set(connector, partition, offset.clone());
        }
        write_atomically(&self.path, &render(&next)).map_err(|source| StoreError::Io {
            path: self.path.display().to_string(),
            source,
        })?;
        *current = next;
        Ok(())
    }
}

fn render(offsets: &OffsetMap) -> Vec<u8> {
    let entries: Map<String, Value> = offsets
        .entries()
        .map(|(key, value)| (key, Value::String(value)))
        .collect();
    let mut bytes = serde_json::to_vec_pretty(&json!({ "format": FORMAT, "offsets": entries }))
        .expect("a JSON value always serializes");
    bytes.push(b'\n');
    bytes
}

fn load(path: &Path) -> Result<OffsetMap, StoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(OffsetMap::default()),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let corrupt = |detail: String| StoreError::Corrupt {
        store: format!("offset file {}", path.display()),
        detail: format!(
            "{detail}; move the file aside (the source connectors then start from their initial \
             positions) or set offset.storage.file.filename to another file"
        ),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(OffsetMap::default());
    }
    if bytes.starts_with(&JAVA_SERIALIZATION_MAGIC) {
        return Err(corrupt(
            "it was written by Java's standalone worker (Java serialization), which this worker \
             cannot read"
                .to_string(),
        ));
    }
    let document: Value =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not valid JSON: {e}")))?;
    match document.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(corrupt(format!(
                "unknown format \"{other}\" (this worker reads \"{FORMAT}\")"
            )));
        }
        None => return Err(corrupt("no \"format\" field".to_string())),
    }
    let entries = document
        .get("offsets")
        .and_then(Value::as_object)
        .ok_or_else(|| corrupt("no \"offsets\" object".to_string()))?;
    let mut offsets = OffsetMap::default();
    for (key, value) in entries {
        let value = value
            .as_str()
            .ok_or_else(|| corrupt(format!("the value of {key} is not a string")))?;
        offsets
            .apply_record(key.as_bytes(), Some(value.as_bytes()))
            .map_err(corrupt)?;
    }
    Ok(offsets)
}

/// Replaces `path` with `bytes` so that a crash leaves the old or the new content.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}", std::process::id()));
    let temp = dir.join(temp_name);
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    // The rename is durable only once the directory entry is on disk.
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const T: Duration = Duration::from_secs(30);

    #[test]
    fn offsets_survive_reopening_and_reset_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("offsets.json");
        let store = FileOffsetStore::open(&path).unwrap();
        let p1 = json!({"filename": "a.txt"});
        let p2 = json!({"filename": "b.txt"});
        store
            .put(
                "src",
                &[
                    (p1.clone(), Some(json!({"position": 10}))),
                    (p2.clone(), Some(json!({"position": 20}))),
                ],
                T,
            )
            .unwrap();
        store
            .put("src", &[(p1.clone(), Some(json!({"position": 11})))], T)
            .unwrap();
        drop(store);

        let store = FileOffsetStore::open(&path).unwrap();
        assert_eq!(
            store.get("src", &p1).unwrap(),
            Some(json!({"position": 11}))
        );
        assert_eq!(store.connector_offsets("src").unwrap().len(), 2);
        assert_eq!(store.get("other", &p1).unwrap(), None);

        store.put("src", &[(p2.clone(), None)], T).unwrap();
        let store = FileOffsetStore::open(&path).unwrap();
        assert_eq!(store.get("src", &p2).unwrap(), None);
        assert_eq!(store.connector_offsets("src").unwrap().len(), 1);
    }

    #[test]
    fn file_holds_the_offset_topic_strings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offsets.json");
        let store = FileOffsetStore::open(&path).unwrap();
        store
            .put(
                "src",
                &[(json!({"filename": "a.txt"}), Some(json!({"position": 7})))],
                T,
            )
            .unwrap();
        let document: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            document,
            json!({
                "format": FORMAT,
                "offsets": {r#"["src",{"filename":"a.txt"}]"#: r#"{"position":7}"#}
            })
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "offsets.json")
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    #[test]
    fn missing_or_empty_file_is_no_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offsets.json");
        assert!(FileOffsetStore::open(&path).is_ok());
        fs::write(&path, b"").unwrap();
        let store = FileOffsetStore::open(&path).unwrap();
        assert!(store.connector_offsets("x").unwrap().is_empty());
    }

    #[test]
    fn corrupt_file_names_the_file_and_suggests_moving_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offsets.json");
        for content in [
            &b"{not json"[..],
            &b"{\"format\":\"connect-host-offsets/1\",\"offsets\":{\"nope\":\"{}\"}}"[..],
            &[0xAC, 0xED, 0x00, 0x05][..],
        ] {
            fs::write(&path, content).unwrap();
            let err = FileOffsetStore::open(&path).unwrap_err().to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(err.contains("move the file aside"), "{err}");
        }
        fs::write(&path, [0xAC, 0xED, 0x00, 0x05]).unwrap();
        let err = FileOffsetStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("Java"), "{err}");
    }
}
