//! `connect plugins install ARCHIVE|DIR --component-dir DIR`: the confluent-hub analogue.
//!
//! A plugin package is a directory, or a `.zip` holding one top-level directory, with
//! `manifest.json` (confluent-hub's fields: `name`, `version`, `owner.username`, …) and
//! `lib/<library>.so`. It is installed to `DIR/<owner>-<name>/`, the directory name
//! confluent-hub uses, so a volume mount written for the Java worker works unchanged.
//!
//! The package is unpacked into a staging directory beside the target, every library in it is
//! loaded and checked as the worker would, and only then is it moved into place (replacing an
//! older install). Installing the same package again is harmless.

use std::{
    fs,
    io::Read,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use super::registry::PluginRegistry;

/// What went wrong, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The archive or directory cannot be read.
    #[error("cannot read {path}: {detail}. Check the path, or download the package again")]
    Unreadable {
        /// The package.
        path: PathBuf,
        /// The cause.
        detail: String,
    },
    /// No usable manifest.
    #[error(
        "{path} is not a plugin package: {detail}. A package holds manifest.json and lib/<library>.so"
    )]
    NotAPackage {
        /// The package.
        path: PathBuf,
        /// What is missing.
        detail: String,
    },
    /// A library in the package would be refused by the worker.
    #[error("{library}: {reason}; fix: {hint}. Nothing was installed")]
    Refused {
        /// The library.
        library: PathBuf,
        /// Why.
        reason: String,
        /// What to do.
        hint: String,
    },
    /// Writing the component directory failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The fields of confluent-hub's `manifest.json` the installer uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Component name, e.g. `kafka-connect-elasticsearch`.
    pub name: String,
    /// Component version.
    pub version: String,
    /// Publisher.
    pub owner: Owner,
}

/// `manifest.json`'s `owner`.
#[derive(Debug, Clone, Deserialize)]
pub struct Owner {
    /// e.g. `confluentinc`.
    pub username: String,
}

impl Manifest {
    /// `<owner>-<name>`: the directory confluent-hub installs into.
    pub fn component_dir_name(&self) -> String {
        format!("{}-{}", self.owner.username, self.name)
    }
}

/// What an install did.
#[derive(Debug, Clone)]
pub struct Installed {
    /// Where the component now is.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Plugin classes it provides (connectors first, then transformations, converters, …).
    pub classes: Vec<String>,
    /// Whether an install of the same version was already there (and was left as is).
    pub unchanged: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Installs a package (zip or directory) under `component_dir`.
pub fn install(package: &Path, component_dir: &Path) -> Result<Installed, InstallError> {
    fs::create_dir_all(component_dir).map_err(io(component_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".installing-")
        .tempdir_in(component_dir)
        .map_err(io(component_dir))?;
    let root = if package.is_dir() {
        copy_dir(package, &staging.path().join("pkg"))?;
        staging.path().join("pkg")
    } else {
        unzip(package, &staging.path().join("pkg"))?
    };
    let manifest_path = root.join("manifest.json");
    let text = fs::read_to_string(&manifest_path).map_err(|e| InstallError::NotAPackage {
        path: package.to_path_buf(),
        detail: format!("no manifest.json ({e})"),
    })?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| InstallError::NotAPackage {
            path: package.to_path_buf(),
            detail: format!("manifest.json is invalid ({e})"),
        })?;

    // Check the package exactly as the worker will see it.
    let registry = PluginRegistry::load(std::slice::from_ref(&root));
    if let Some(r) = registry.refused().first() {
        return Err(InstallError::Refused {
            library: r.path.clone(),
            reason: r.reason.clone(),
            hint: r.hint.clone(),
        });
    }
    if registry.connectors().is_empty() && registry.others().is_empty() {
        return Err(InstallError::NotAPackage {
            path: package.to_path_buf(),
            detail: "it has no plugin library under lib/".into(),
        });
    }
    let classes = registry
        .connectors()
        .iter()
        .map(|c| c.class().to_owned())
        .chain(registry.others().iter().map(|p| p.info.class.to_string()))
        .collect();

    let target = component_dir.join(manifest.component_dir_name());
    if let Ok(existing) = fs::read_to_string(target.join("manifest.json"))
        && serde_json::from_str::<Manifest>(&existing).is_ok_and(|m| m.version == manifest.version)
        && same_tree(&root, &target)
    {
        return Ok(Installed {
            path: target,
            manifest,
            classes,
            unchanged: true,
        });
    }
    if target.exists() {
        let old = staging.path().join("old");
        fs::rename(&target, &old).map_err(io(&target))?;
    }
    fs::rename(&root, &target).map_err(io(&target))?;
    Ok(Installed {
        path: target,
        manifest,
        classes,
        unchanged: false,
    })
}

/// Whether every file of `a` exists in `b` with the same bytes.
fn same_tree(a: &Path, b: &Path) -> bool {
    walkdir::WalkDir::new(a)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .all(|e| {
            let rel = e.path().strip_prefix(a).unwrap_or(e.path());
            matches!((fs::read(e.path()), fs::read(b.join(rel))), (Ok(x), Ok(y)) if x == y)
        })
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), InstallError> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(|e| InstallError::Unreadable {
            path: from.to_path_buf(),
            detail: e.to_string(),
        })?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).map_err(io(&dest))?;
        } else {
            fs::copy(entry.path(), &dest).map_err(io(&dest))?;
        }
    }
    Ok(())
}

/// Extracts a zip safely (no paths outside `to`) and returns the package root: the single
/// top-level directory if there is one, else `to`.
fn unzip(archive: &Path, to: &Path) -> Result<PathBuf, InstallError> {
    let unreadable = |detail: String| InstallError::Unreadable {
        path: archive.to_path_buf(),
        detail,
    };
    let file = fs::File::open(archive).map_err(|e| unreadable(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| unreadable(format!("not a valid zip archive ({e})")))?;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| unreadable(format!("damaged entry {i} ({e})")))?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(unreadable(format!(
                "entry {:?} points outside the archive",
                entry.name()
            )));
        };
        let dest = to.join(rel);
        if entry.is_dir() {
            fs::create_dir_all(&dest).map_err(io(&dest))?;
            continue;
        }
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(format!("damaged entry {:?} ({e})", entry.name())))?;
        fs::write(&dest, bytes).map_err(io(&dest))?;
    }
    let tops: Vec<PathBuf> = fs::read_dir(to)
        .map_err(io(to))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    match tops.as_slice() {
        [one]
            if one.is_dir() && !one.join("manifest.json").exists() && one.join("lib").exists() =>
        {
            Ok(one.clone())
        }
        [one] if one.is_dir() && one.join("manifest.json").exists() => Ok(one.clone()),
        _ => Ok(to.to_path_buf()),
    }
}
