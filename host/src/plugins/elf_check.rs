//! Checks a library file's ELF structure and exports before `dlopen` sees it.
//!
//! Everything here only reads the file; none of the library's code runs.
//!
//! - `dlopen` maps segments straight from the file; a truncated library (an interrupted copy, a
//!   half-written volume) maps pages past the end of the file and the first touch kills the whole
//!   process with SIGBUS. Checking that every loadable segment lies inside the file turns that
//!   into a refusal of one file.
//! - `dlopen` also runs the library's initializers (`.init_array`, those of its `DT_NEEDED`
//!   dependencies). Looking the plugin's root-module symbol up in the dynamic symbol table first
//!   means a stray non-plugin `.so` on `plugin.path` is refused without any of its code running.

use std::{fs::File, path::Path};

use object::{
    Architecture, Endianness, FileKind, Object, ObjectSymbol,
    elf::{ET_DYN, PT_LOAD, STV_DEFAULT, STV_PROTECTED},
    read::{
        ReadCache,
        elf::{ElfFile64, FileHeader, ProgramHeader},
    },
};

use super::registry::Refusal;

const FIX_DAMAGED: &str = "the file is damaged or truncated: rebuild or reinstall the plugin";

/// Refuses files that are not complete shared libraries for this machine, and tells whether the
/// library exports `symbol` (see [`exports_dynamic_symbol`]).
pub fn check_library_file(path: &Path, symbol: &str) -> Result<bool, Refusal> {
    let refuse = |reason: String, fix: &str| Refusal::new(path, &reason, fix);
    let file = File::open(path)
        .map_err(|e| refuse(format!("cannot open: {e}"), "fix the file's permissions"))?;
    let len = file
        .metadata()
        .map_err(|e| refuse(format!("cannot stat: {e}"), "fix the file's permissions"))?
        .len();
    let data = ReadCache::new(file);
    match FileKind::parse(&data) {
        Ok(FileKind::Elf64) => {}
        Ok(other) => {
            return Err(refuse(
                format!("not a 64-bit ELF shared library (found {other:?})"),
                "build the plugin for this platform",
            ));
        }
        Err(_) => {
            return Err(refuse(
                "not a shared library (no ELF header)".into(),
                "remove it from plugin.path; a plugin is a .so built with connect_plugin_api::export_plugin!",
            ));
        }
    }
    let elf = ElfFile64::<Endianness, _>::parse(&data)
        .map_err(|e| refuse(format!("broken ELF headers ({e})"), FIX_DAMAGED))?;
    let endian = elf.endian();
    if elf.elf_header().e_type(endian) != ET_DYN {
        return Err(refuse(
            "an ELF file, but not a shared library".into(),
            "build the plugin with crate-type = [\"cdylib\"]",
        ));
    }
    if elf.architecture() != host_architecture() {
        return Err(refuse(
            format!(
                "built for {:?}, this host is {:?}",
                elf.architecture(),
                host_architecture()
            ),
            "build the plugin for this machine",
        ));
    }
    for segment in elf.elf_program_headers() {
        if segment.p_type(endian) == PT_LOAD {
            let (offset, size) = segment.file_range(endian);
            if offset.saturating_add(size) > len {
                return Err(refuse(
                    format!(
                        "truncated: a segment ends at byte {} but the file has {len}",
                        offset + size
                    ),
                    FIX_DAMAGED,
                ));
            }
        }
    }
    Ok(exports_dynamic_symbol(&elf, symbol))
}

/// Whether the dynamic symbol table (`.dynsym`, what `dlsym` searches) defines `name` with global
/// or weak binding and a visibility other modules can bind to. An undefined entry (the library
/// merely *uses* the name) does not count.
///
/// The table is found through the section headers. A library stripped of them entirely (not what
/// `strip` or cargo do) reads as exporting nothing, so it is refused rather than opened.
fn exports_dynamic_symbol<'data, R: object::ReadRef<'data>>(
    elf: &ElfFile64<'data, Endianness, R>,
    name: &str,
) -> bool {
    elf.dynamic_symbols().any(|sym| {
        !sym.is_undefined()
            && sym.is_global()
            && matches!(
                sym.elf_symbol().st_visibility(),
                STV_DEFAULT | STV_PROTECTED
            )
            && sym.name_bytes().is_ok_and(|n| n == name.as_bytes())
    })
}

fn host_architecture() -> Architecture {
    match std::env::consts::ARCH {
        "x86_64" => Architecture::X86_64,
        "aarch64" => Architecture::Aarch64,
        "riscv64" => Architecture::Riscv64,
        "powerpc64" => Architecture::PowerPc64,
        "s390x" => Architecture::S390x,
        _ => Architecture::Unknown,
    }
}
