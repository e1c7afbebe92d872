//! What every plugin class says about itself, whatever its kind.

use abi_stable::{StableAbi, std_types::RString};

use super::ext::Extensions;

/// The kind of a plugin class, as `GET /connector-plugins?connectorsOnly=false` names it.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PluginKind(pub u8);

impl PluginKind {
    /// A sink connector (Kafka → external system).
    pub const SINK: PluginKind = PluginKind(1);
    /// A source connector (external system → Kafka).
    pub const SOURCE: PluginKind = PluginKind(2);
    /// A single message transformation (`transforms.<alias>.type`).
    pub const TRANSFORMATION: PluginKind = PluginKind(3);
    /// A predicate that guards a transformation (`predicates.<alias>.type`).
    pub const PREDICATE: PluginKind = PluginKind(4);
    /// A key or value converter (`key.converter`, `value.converter`).
    pub const CONVERTER: PluginKind = PluginKind(5);
    /// A header converter (`header.converter`).
    pub const HEADER_CONVERTER: PluginKind = PluginKind(6);
    /// A config provider (`config.providers.<name>.class`).
    pub const CONFIG_PROVIDER: PluginKind = PluginKind(7);

    /// Kafka Connect's name of the kind (`sink`, `source`, `transformation`, `predicate`,
    /// `converter`, `header_converter`, `config_provider`).
    pub fn name(self) -> &'static str {
        match self {
            Self::SINK => "sink",
            Self::SOURCE => "source",
            Self::TRANSFORMATION => "transformation",
            Self::PREDICATE => "predicate",
            Self::CONVERTER => "converter",
            Self::HEADER_CONVERTER => "header_converter",
            Self::CONFIG_PROVIDER => "config_provider",
            _ => "unknown",
        }
    }
}

/// A plugin class: name, version, kind, description.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// Fully qualified class name, e.g. `io.confluent.connect.elasticsearch.ElasticsearchSinkConnector`.
    pub class: RString,
    /// The class's own version.
    pub version: RString,
    /// What kind of plugin it is.
    pub kind: PluginKind,
    /// One-line description.
    pub description: RString,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

/// How the library was compiled to handle panics. Only `UNWIND` libraries load: with `abort`, a
/// panic inside the plugin would end the whole worker instead of failing one task.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PanicStrategy(pub u8);

impl PanicStrategy {
    /// `panic = "unwind"`: panics are caught at the boundary.
    pub const UNWIND: PanicStrategy = PanicStrategy(1);
    /// `panic = "abort"`: refused by the host.
    pub const ABORT: PanicStrategy = PanicStrategy(2);
}
