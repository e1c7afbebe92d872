//! Checks a library file's ELF structure before `dlopen` sees it.
//!
//! `dlopen` maps segments straight from the file; a truncated library (an interrupted copy, a
//! half-written volume) maps pages past the end of the file and the first touch kills the whole
//! process with SIGBUS. Checking that every loadable segment lies inside the file turns that into
//! a refusal of one file.

use std::{fs::File, path::Path};

use object::{
    Architecture, Endianness, FileKind, Object,
    elf::{ET_DYN, PT_LOAD},
    read::{
        ReadCache,
        elf::{ElfFile64, FileHeader, ProgramHeader},
    },
};

use super::registry::Refusal;

const FIX_DAMAGED: &str = "the file is damaged or truncated: rebuild or reinstall the plugin";

/// Refuses files that are not complete shared libraries for this machine.
pub fn check_library_file(path: &Path) -> Result<(), Refusal> {
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
    Ok(())
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
