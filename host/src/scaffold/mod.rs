//! `connect plugins new NAME --kind sink|source|transform`: writes a plugin crate that builds,
//! tests, packages (`scripts/package-plugin.sh`) and installs (`connect plugins install`) as is.
//!
//! The crate's texts are the templates in `templates/` (one file each, `{{placeholder}}`
//! substitution, nothing else), so adapting them to an SDK change touches only those files.
//! The crate lives outside any workspace (its own `[workspace]` table) and depends on
//! `connect-plugin-api` by path or by git ([`ApiSource`]).

use std::{
    fs,
    path::{Path, PathBuf},
};

/// What kind of plugin class to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A sink connector and its task.
    Sink,
    /// A source connector and its task.
    Source,
    /// A single message transformation.
    Transform,
}

impl Kind {
    /// The `--kind` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sink => "sink",
            Kind::Source => "source",
            Kind::Transform => "transform",
        }
    }
    fn class_suffix(self) -> &'static str {
        match self {
            Kind::Sink | Kind::Source => "Connector",
            Kind::Transform => "Transform",
        }
    }
    fn templates(self) -> (&'static str, &'static str) {
        match self {
            Kind::Sink => (templates::SINK, templates::SINK_TEST),
            Kind::Source => (templates::SOURCE, templates::SOURCE_TEST),
            Kind::Transform => (templates::TRANSFORM, templates::TRANSFORM_TEST),
        }
    }
}

/// The template texts, in one place.
mod templates {
    pub const CARGO_TOML: &str = include_str!("templates/Cargo.toml.tmpl");
    pub const MANIFEST: &str = include_str!("templates/manifest.json.tmpl");
    pub const GITIGNORE: &str = include_str!("templates/gitignore.tmpl");
    pub const SINK: &str = include_str!("templates/sink.rs.tmpl");
    pub const SINK_TEST: &str = include_str!("templates/sink_test.rs.tmpl");
    pub const SOURCE: &str = include_str!("templates/source.rs.tmpl");
    pub const SOURCE_TEST: &str = include_str!("templates/source_test.rs.tmpl");
    pub const TRANSFORM: &str = include_str!("templates/transform.rs.tmpl");
    pub const TRANSFORM_TEST: &str = include_str!("templates/transform_test.rs.tmpl");
}

/// Where the generated crate gets `connect-plugin-api` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiSource {
    /// A local checkout: the `plugin-api` directory (absolute in the generated `Cargo.toml`).
    Path(PathBuf),
    /// A git repository holding the workspace, at a fixed revision.
    Git {
        /// Repository URL.
        url: String,
        /// Commit, tag or branch (`rev = …`).
        rev: String,
    },
}

/// The environment variable naming a `plugin-api` directory (or the repository holding it),
/// used when neither `--api-path` nor `--api-git` is given.
pub const API_PATH_ENV: &str = "CONNECT_PLUGIN_API_PATH";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Crate name (also the directory name).
    pub name: String,
    /// Plugin kind.
    pub kind: Kind,
    /// Parent directory of the crate.
    pub dir: PathBuf,
    /// Class name; default `com.example.<CamelName>Connector` / `…Transform`.
    pub class: Option<String>,
    /// Where `connect-plugin-api` comes from.
    pub api: ApiSource,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The crate directory.
    pub path: PathBuf,
    /// The plugin class.
    pub class: String,
    /// The `[lib] name`.
    pub lib: String,
    /// The files written, relative to `path`.
    pub files: Vec<&'static str>,
}

/// Why nothing was generated, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// NAME cannot be a crate name.
    #[error(
        "{name:?} is not a valid plugin crate name: {why}. Use lowercase ASCII letters, digits, `-` and `_`, starting with a letter (e.g. hello-sink)"
    )]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong.
        why: String,
    },
    /// `--class` is not a class name.
    #[error(
        "{0:?} is not a class name: use dot-separated identifiers (letters, digits, `_`, `$`), e.g. com.example.HelloSinkConnector"
    )]
    BadClass(String),
    /// The target directory has files.
    #[error(
        "{0} already exists and is not empty: choose another NAME or --dir, or remove that directory first"
    )]
    TargetNotEmpty(PathBuf),
    /// The `--api-path` is not the plugin-api crate.
    #[error(
        "{0} is not the connect-plugin-api crate (no Cargo.toml naming connect-plugin-api there or in its plugin-api/): pass --api-path <connect repository>/plugin-api"
    )]
    NotPluginApi(PathBuf),
    /// No source for `connect-plugin-api`.
    #[error(
        "cannot tell where connect-plugin-api is: pass --api-path <connect repository>/plugin-api (or set {API_PATH_ENV}), or --api-git URL --api-rev REV"
    )]
    NoApiSource,
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Chooses the `connect-plugin-api` source: `--api-path`, else `--api-git`/`--api-rev`, else
/// [`API_PATH_ENV`], else the `plugin-api` of the source tree this binary was built from (if it
/// still exists).
pub fn resolve_api(
    api_path: Option<&Path>,
    git: Option<(String, String)>,
) -> Result<ApiSource, ScaffoldError> {
    if let Some(path) = api_path {
        return plugin_api_dir(path).map(ApiSource::Path);
    }
    if let Some((url, rev)) = git {
        return Ok(ApiSource::Git { url, rev });
    }
    if let Some(path) = std::env::var_os(API_PATH_ENV).filter(|p| !p.is_empty()) {
        return plugin_api_dir(Path::new(&path)).map(ApiSource::Path);
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugin-api");
    plugin_api_dir(&built_from)
        .map(ApiSource::Path)
        .map_err(|_| ScaffoldError::NoApiSource)
}

/// `path` (or `path/plugin-api`) as an absolute path, if it is the plugin-api crate.
fn plugin_api_dir(path: &Path) -> Result<PathBuf, ScaffoldError> {
    let is_api = |dir: &Path| {
        fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|t| t.contains("name = \"connect-plugin-api\""))
    };
    [path.to_path_buf(), path.join("plugin-api")]
        .into_iter()
        .find(|dir| is_api(dir))
        .and_then(|dir| fs::canonicalize(dir).ok())
        .ok_or_else(|| ScaffoldError::NotPluginApi(path.to_path_buf()))
}

/// Checks NAME as cargo would (and a little stricter: lowercase).
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let bad = |why: &str| {
        Err(ScaffoldError::BadName {
            name: name.into(),
            why: why.into(),
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 64 {
        return bad("it is longer than 64 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return bad("it must start with a lowercase letter");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        return bad(&format!("it contains {c:?}"));
    }
    const RESERVED: &[&str] = &[
        "std",
        "core",
        "alloc",
        "test",
        "proc_macro",
        "proc-macro",
        "self",
        "super",
        "crate",
    ];
    if RESERVED.contains(&name) || is_keyword(name) {
        return bad("it is a Rust keyword or a reserved crate name");
    }
    Ok(())
}

fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe",
        "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
        "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&s)
}

fn check_class(class: &str) -> Result<(), ScaffoldError> {
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    if class.split('.').all(ident) {
        Ok(())
    } else {
        Err(ScaffoldError::BadClass(class.into()))
    }
}

/// `hello-sink` → `HelloSink`.
pub fn camel_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn api_dependency(api: &ApiSource) -> String {
    match api {
        ApiSource::Path(path) => format!(
            "connect-plugin-api = {{ path = {} }}",
            toml_string(&path.display().to_string())
        ),
        ApiSource::Git { url, rev } => format!(
            "connect-plugin-api = {{ git = {}, rev = {} }}",
            toml_string(url),
            toml_string(rev)
        ),
    }
}

fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    out
}

/// Writes the crate `opts.dir/opts.name`.
pub fn generate(opts: &Options) -> Result<Generated, ScaffoldError> {
    check_name(&opts.name)?;
    let camel = camel_case(&opts.name);
    let class = opts
        .class
        .clone()
        .unwrap_or_else(|| format!("com.example.{camel}{}", opts.kind.class_suffix()));
    check_class(&class)?;
    let path = opts.dir.join(&opts.name);
    if path.exists()
        && (!path.is_dir()
            || fs::read_dir(&path)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true))
    {
        return Err(ScaffoldError::TargetNotEmpty(path));
    }
    let lib = format!("connect_{}", opts.name.replace('-', "_"));
    let description = match opts.kind {
        Kind::Sink => "A sink connector generated by connect plugins new.",
        Kind::Source => "A source connector generated by connect plugins new.",
        Kind::Transform => "A transformation generated by connect plugins new.",
    };
    let (component_type, manifest_list) = match opts.kind {
        Kind::Sink => ("sink", "connectors"),
        Kind::Source => ("source", "connectors"),
        Kind::Transform => ("transform", "transforms"),
    };
    let api = api_dependency(&opts.api);
    // The source task reads its stored offset as a `serde_json::Value`.
    let api_and_extra = match opts.kind {
        Kind::Source => {
            format!("{api}\n# Source partitions and offsets are JSON objects.\nserde_json = \"1\"")
        }
        Kind::Sink | Kind::Transform => api,
    };
    let vars = [
        ("crate", opts.name.as_str()),
        ("lib", lib.as_str()),
        ("camel", camel.as_str()),
        ("class", class.as_str()),
        ("description", description),
        ("owner", "example"),
        ("component_type", component_type),
        ("manifest_list", manifest_list),
        ("api_dependency", api_and_extra.as_str()),
    ];
    let (lib_rs, test_rs) = opts.kind.templates();
    let test_file: &'static str = match opts.kind {
        Kind::Sink => "tests/sink.rs",
        Kind::Source => "tests/source.rs",
        Kind::Transform => "tests/transform.rs",
    };
    let files: [(&'static str, &str); 5] = [
        ("Cargo.toml", templates::CARGO_TOML),
        ("manifest.json", templates::MANIFEST),
        (".gitignore", templates::GITIGNORE),
        ("src/lib.rs", lib_rs),
        (test_file, test_rs),
    ];
    for (rel, template) in files {
        let file = path.join(rel);
        let parent = file.parent().unwrap_or(&path);
        fs::create_dir_all(parent).map_err(|source| ScaffoldError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        fs::write(&file, render(template, &vars))
            .map_err(|source| ScaffoldError::Io { path: file, source })?;
    }
    rustfmt(&path, &files.map(|(rel, _)| rel));
    Ok(Generated {
        path,
        class,
        lib,
        files: files.iter().map(|(rel, _)| *rel).collect(),
    })
}

/// Formats the generated Rust files (names of any length make lines the templates cannot lay
/// out in advance). Best effort: without `rustfmt` the files are valid, just not formatted.
fn rustfmt(dir: &Path, files: &[&str]) {
    let rust: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| f.ends_with(".rs"))
        .collect();
    let _ = std::process::Command::new("rustfmt")
        .args(["--edition", "2024"])
        .args(&rust)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_crate_lib_and_class_names() {
        assert_eq!(camel_case("hello-sink"), "HelloSink");
        assert_eq!(camel_case("my_pg2-source"), "MyPg2Source");
        for bad in [
            "",
            "Hello",
            "1sink",
            "hello sink",
            "hello.sink",
            "fn",
            "test",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        check_name("hello-sink").unwrap();
        check_class("com.example.HelloSinkConnector").unwrap();
        assert!(check_class("com.example.\"x").is_err());
        assert!(check_class("com..example").is_err());
    }

    #[test]
    fn every_placeholder_is_filled() {
        let tmp = tempfile::tempdir().unwrap();
        for (kind, name) in [
            (Kind::Sink, "a-sink"),
            (Kind::Source, "a-source"),
            (Kind::Transform, "a-transform"),
        ] {
            let done = generate(&Options {
                name: name.into(),
                kind,
                dir: tmp.path().into(),
                class: None,
                api: ApiSource::Git {
                    url: "https://example.com/connect.git".into(),
                    rev: "abc".into(),
                },
            })
            .unwrap();
            for rel in &done.files {
                let text = fs::read_to_string(done.path.join(rel)).unwrap();
                assert!(
                    !text.contains("{{crate") && !text.contains("{{camel"),
                    "{rel}"
                );
                for var in ["{{lib}}", "{{class}}", "{{api_dependency}}", "{{owner}}"] {
                    assert!(!text.contains(var), "{rel}: {var}");
                }
            }
            let manifest: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(done.path.join("manifest.json")).unwrap())
                    .unwrap();
            assert_eq!(manifest["name"], name);
        }
        let again = generate(&Options {
            name: "a-sink".into(),
            kind: Kind::Sink,
            dir: tmp.path().into(),
            class: None,
            api: ApiSource::Path(tmp.path().into()),
        });
        assert!(matches!(again, Err(ScaffoldError::TargetNotEmpty(_))));
    }
}
