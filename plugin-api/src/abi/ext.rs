//! The versioned extension slot that lets a fixed-layout data struct grow in a minor version.
//!
//! abi_stable checks the layout of every struct at load, so a field added to a `#[repr(C)]`
//! struct is a breaking change. Structs that may grow therefore end with an [`Extensions`]:
//! a later minor version adds a "field" by assigning it an [`ExtensionId`] here (never reused)
//! and documenting its encoding. Readers ignore ids they do not know; writers set only ids the
//! reader's recorded version knows, or accept that an older reader ignores them. `writer_minor`
//! tells a reader which ids the writer knew, so "absent" is distinguishable from "unknown to the
//! writer".

use abi_stable::{
    StableAbi,
    std_types::{RSlice, RVec},
};

/// The key of one extension field. Ids are assigned in [`ids`] and never reused.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtensionId(pub u32);

/// The extension ids of this ABI line, with the minor version that introduced each.
///
/// 2.0 defines none: the slot exists so that 2.1+ can add fields without a major version.
pub mod ids {}

/// One extension field: an id and its value bytes, encoded as the id's documentation says
/// (integers little-endian, text UTF-8).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Which field.
    pub id: ExtensionId,
    /// Its encoded value.
    pub value: RVec<u8>,
}

/// The trailing extension slot of a growable struct. Empty costs one empty vector (no
/// allocation), so hot structs (record batches) carry it for free.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions {
    /// The minor ABI version of the code that built the value (`2` for 2.2); `0` means 2.0 or a
    /// value built by [`Default`].
    pub writer_minor: u32,
    /// The fields, at most one per id.
    pub entries: RVec<Extension>,
}

impl Extensions {
    /// No fields, written by this crate's minor version.
    pub fn new() -> Self {
        Self {
            writer_minor: crate::abi::host::ABI_MINOR,
            entries: RVec::new(),
        }
    }

    /// The raw value of `id`, if set.
    pub fn get(&self, id: ExtensionId) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.value.as_slice())
    }

    /// Sets `id` (replacing an earlier value).
    pub fn set(&mut self, id: ExtensionId, value: &[u8]) {
        let value = RVec::from_slice(value);
        match self.entries.iter_mut().find(|e| e.id == id) {
            Some(e) => e.value = value,
            None => self.entries.push(Extension { id, value }),
        }
    }

    /// A little-endian `u64` field.
    pub fn get_u64(&self, id: ExtensionId) -> Option<u64> {
        self.get(id)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    }

    /// Sets a little-endian `u64` field.
    pub fn set_u64(&mut self, id: ExtensionId, value: u64) {
        self.set(id, &value.to_le_bytes());
    }

    /// A UTF-8 text field.
    pub fn get_str(&self, id: ExtensionId) -> Option<&str> {
        self.get(id).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Sets a UTF-8 text field.
    pub fn set_str(&mut self, id: ExtensionId, value: &str) {
        self.set(id, value.as_bytes());
    }

    /// Removes every field (keeps the allocation, for batches that are reused).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The fields, for code that forwards them unchanged.
    pub fn entries(&self) -> RSlice<'_, Extension> {
        self.entries.as_rslice()
    }
}
