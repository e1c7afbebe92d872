//! The loaded connector classes, indexed as Kafka Connect indexes them, and the refusals.
//!
//! A class is found by its full name, its simple name, or its simple name without the
//! `Connector` suffix (`io.confluent.connect.elasticsearch.ElasticsearchSinkConnector`,
//! `ElasticsearchSinkConnector`, `ElasticsearchSink`). An alias shared by two classes is
//! ambiguous and not registered, as in Kafka Connect; the full name always works.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
    sync::Arc,
};

use connect_plugin_api::abi::{
    config::ConfigKeyDef,
    config_provider::ConfigProviderFactoryBox,
    convert::{ConverterFactoryBox, HeaderConverterFactoryBox},
    host::AbiVersion,
    plugin::{PluginInfo, PluginKind},
    task::ConnectorFactoryBox,
    transform::{PredicateFactoryBox, TransformationFactoryBox},
};

use super::{load::load_library, scan::scan_plugin_path};

/// A file or directory that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// What was skipped.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
    /// What to do about it.
    pub hint: String,
}

impl Refusal {
    /// A refusal of `path`.
    pub fn new(path: &Path, reason: &str, hint: &str) -> Self {
        Self {
            path: path.to_path_buf(),
            reason: reason.to_owned(),
            hint: hint.to_owned(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (fix: {})",
            self.path.display(),
            self.reason,
            self.hint
        )
    }
}

/// The factory of a loaded class that is not a connector.
#[derive(Clone)]
pub enum PluginFactory {
    /// A transformation class.
    Transformation(Arc<TransformationFactoryBox>),
    /// A predicate class.
    Predicate(Arc<PredicateFactoryBox>),
    /// A converter class.
    Converter(Arc<ConverterFactoryBox>),
    /// A header converter class.
    HeaderConverter(Arc<HeaderConverterFactoryBox>),
    /// A config provider class.
    ConfigProvider(Arc<ConfigProviderFactoryBox>),
}

impl PluginFactory {
    /// The class's configuration keys.
    pub fn config_def(&self) -> Vec<ConfigKeyDef> {
        match self {
            Self::Transformation(f) => f.config_def(),
            Self::Predicate(f) => f.config_def(),
            Self::Converter(f) => f.config_def(),
            Self::HeaderConverter(f) => f.config_def(),
            Self::ConfigProvider(f) => f.config_def(),
        }
        .into_iter()
        .collect()
    }
}

/// One loaded class that is not a connector (listed by `GET /connector-plugins?connectorsOnly=false`).
#[derive(Clone)]
pub struct OtherPlugin {
    /// Class name, version, kind, description.
    pub info: PluginInfo,
    /// Creates its instances.
    pub factory: PluginFactory,
    /// The library it came from.
    pub library: PathBuf,
    /// The plugin-api version the library was built against.
    pub abi: AbiVersion,
}

impl fmt::Debug for OtherPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtherPlugin")
            .field("info", &self.info)
            .field("library", &self.library)
            .finish_non_exhaustive()
    }
}

/// One loaded connector class.
#[derive(Clone)]
pub struct ConnectorPlugin {
    /// Class name, version, type, description.
    pub info: PluginInfo,
    /// Creates its connectors and tasks.
    pub factory: Arc<ConnectorFactoryBox>,
    /// The library it came from.
    pub library: PathBuf,
    /// The plugin-api version the library was built against.
    pub api_version: String,
    /// The same, parsed: calls added after 2.0 are gated on it ([`AbiVersion::supports`]).
    pub abi: AbiVersion,
}

impl fmt::Debug for ConnectorPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorPlugin")
            .field("info", &self.info)
            .field("library", &self.library)
            .finish_non_exhaustive()
    }
}

impl ConnectorPlugin {
    /// Fully qualified class name.
    pub fn class(&self) -> &str {
        self.info.class.as_str()
    }
    /// `"sink"` or `"source"`.
    pub fn type_name(&self) -> &'static str {
        self.info.kind.name()
    }
    /// Whether it is a sink.
    pub fn is_sink(&self) -> bool {
        self.info.kind == PluginKind::SINK
    }
}

/// Why a class name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No class has that name or alias.
    #[error("Failed to find any class that implements Connector and which name matches {name}, available connectors are: {}", available.join(", "))]
    NotFound {
        /// The requested name.
        name: String,
        /// Every loaded class.
        available: Vec<String>,
    },
    /// The alias names several classes.
    #[error("More than one connector matches alias {name}: {}. Please use full package and class name instead.", candidates.join(", "))]
    Ambiguous {
        /// The requested alias.
        name: String,
        /// The classes it could mean.
        candidates: Vec<String>,
    },
}

/// All loaded connector classes and everything refused.
#[derive(Clone, Default)]
pub struct PluginRegistry {
    connectors: Vec<ConnectorPlugin>,
    others: Vec<OtherPlugin>,
    aliases: BTreeMap<String, Vec<usize>>,
    refused: Vec<Refusal>,
    libraries: usize,
}

impl PluginRegistry {
    /// Scans and loads every library under `plugin_path`. Never fails: each problem becomes a
    /// refusal, logged once with its reason and fix, and start-up goes on.
    pub fn load(plugin_path: &[PathBuf]) -> Self {
        let (candidates, mut refused) = scan_plugin_path(plugin_path);
        let mut reg = PluginRegistry::default();
        for candidate in &candidates {
            match load_library(candidate) {
                Ok(lib) => {
                    reg.libraries += 1;
                    for (info, factory) in lib.connectors {
                        if let Some(existing) =
                            reg.connectors.iter().find(|c| c.info.class == info.class)
                        {
                            refused.push(Refusal::new(
                                &lib.path,
                                &format!(
                                    "duplicate connector class {} (already loaded from {})",
                                    info.class,
                                    existing.library.display()
                                ),
                                "keep one copy of the plugin on plugin.path",
                            ));
                            continue;
                        }
                        reg.connectors.push(ConnectorPlugin {
                            info,
                            factory,
                            library: lib.path.clone(),
                            api_version: lib.api_version.clone(),
                            abi: lib.abi,
                        });
                    }
                    for (info, factory) in lib.others {
                        if let Some(existing) = reg
                            .others
                            .iter()
                            .find(|c| c.info.class == info.class && c.info.kind == info.kind)
                        {
                            refused.push(Refusal::new(
                                &lib.path,
                                &format!(
                                    "duplicate {} class {} (already loaded from {})",
                                    info.kind.name(),
                                    info.class,
                                    existing.library.display()
                                ),
                                "keep one copy of the plugin on plugin.path",
                            ));
                            continue;
                        }
                        reg.others.push(OtherPlugin {
                            info,
                            factory,
                            library: lib.path.clone(),
                            abi: lib.abi,
                        });
                    }
                }
                Err(r) => refused.push(r),
            }
        }
        for r in &refused {
            tracing::warn!(path = %r.path.display(), reason = %r.reason, fix = %r.hint, "skipped a plugin.path entry");
        }
        reg.refused = refused;
        reg.connectors
            .sort_by(|a, b| a.info.class.cmp(&b.info.class));
        reg.others
            .sort_by(|a, b| (a.info.kind, &a.info.class).cmp(&(b.info.kind, &b.info.class)));
        reg.index();
        tracing::info!(
            classes = reg.connectors.len(),
            other_classes = reg.others.len(),
            refused = reg.refused.len(),
            "plugins loaded"
        );
        reg
    }

    fn index(&mut self) {
        self.aliases.clear();
        for (i, c) in self.connectors.iter().enumerate() {
            let simple = c.class().rsplit('.').next().unwrap_or(c.class()).to_owned();
            let short = simple
                .strip_suffix("Connector")
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            for alias in std::iter::once(simple).chain(short) {
                if alias != c.class() {
                    self.aliases.entry(alias).or_default().push(i);
                }
            }
        }
    }

    /// Every loaded class, sorted by name.
    pub fn connectors(&self) -> &[ConnectorPlugin] {
        &self.connectors
    }

    /// Every loaded transformation, predicate, converter, header converter and config provider,
    /// sorted by kind then name.
    pub fn others(&self) -> &[OtherPlugin] {
        &self.others
    }

    /// A loaded non-connector class of `kind` by full name (or simple name, if unambiguous).
    pub fn other(&self, kind: PluginKind, name: &str) -> Option<&OtherPlugin> {
        let name = name.trim();
        let of_kind = || self.others.iter().filter(move |p| p.info.kind == kind);
        of_kind()
            .find(|p| p.info.class.as_str() == name)
            .or_else(|| {
                let mut simple =
                    of_kind().filter(|p| p.info.class.rsplit('.').next() == Some(name));
                match (simple.next(), simple.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
    }

    /// Everything skipped, with reasons.
    pub fn refused(&self) -> &[Refusal] {
        &self.refused
    }

    /// How many libraries loaded.
    pub fn library_count(&self) -> usize {
        self.libraries
    }

    /// Resolves a `connector.class` value: full name, simple name, or simple name without the
    /// `Connector` suffix.
    pub fn lookup(&self, name: &str) -> Result<&ConnectorPlugin, LookupError> {
        let name = name.trim();
        if let Some(c) = self.connectors.iter().find(|c| c.class() == name) {
            return Ok(c);
        }
        match self.aliases.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(&self.connectors[*one]),
            Some(many) => Err(LookupError::Ambiguous {
                name: name.to_owned(),
                candidates: many
                    .iter()
                    .map(|i| self.connectors[*i].class().to_owned())
                    .collect(),
            }),
            None => Err(LookupError::NotFound {
                name: name.to_owned(),
                available: self
                    .connectors
                    .iter()
                    .map(|c| c.class().to_owned())
                    .collect(),
            }),
        }
    }
}
