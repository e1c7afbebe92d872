//! What the herder tells about the plugins it loaded (`GET /connector-plugins…`): no state of
//! the loop is involved, so these never wait for the herder thread.

use connect_data::transforms::builtin::{self, BuiltinKind};

use super::Herder;
use crate::{
    config::ConfigKeyInfo,
    runtime::{
        info::{HerderError, HerderResult, PluginInfo},
        validate,
    },
};

impl Herder {
    /// Full class name of a class name or alias.
    pub fn resolve_class(&self, class: &str) -> HerderResult<String> {
        self.shared
            .plugins
            .lookup(class)
            .map(|p| p.class().to_owned())
            .map_err(|e| HerderError::BadRequest(e.to_string()))
    }

    /// `GET /connector-plugins`: sinks then sources; with `connectors_only=false` also the
    /// converters, transformations and predicates built into the host, and the plugin
    /// libraries' other classes.
    pub fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let mut out: Vec<PluginInfo> = Vec::new();
        for sinks in [true, false] {
            for p in self
                .shared
                .plugins
                .connectors()
                .iter()
                .filter(|p| p.is_sink() == sinks)
            {
                let v = p.info.version.to_string();
                out.push(PluginInfo {
                    class_name: p.class().to_owned(),
                    kind: p.type_name().to_owned(),
                    version: (v != "undefined").then_some(v),
                });
            }
        }
        if !connectors_only {
            let version = Some(env!("CARGO_PKG_VERSION").to_owned());
            for (class, kinds) in [
                (
                    "org.apache.kafka.connect.converters.ByteArrayConverter",
                    &["converter", "header_converter"][..],
                ),
                (
                    "org.apache.kafka.connect.json.JsonConverter",
                    &["converter", "header_converter"][..],
                ),
                (
                    "org.apache.kafka.connect.storage.StringConverter",
                    &["converter", "header_converter"][..],
                ),
            ] {
                for kind in kinds {
                    out.push(PluginInfo {
                        class_name: class.into(),
                        kind: (*kind).into(),
                        version: version.clone(),
                    });
                }
            }
            // Kafka's transformations and predicates, as this host runs them.
            for b in connect_data::transforms::builtin::BUILTINS {
                out.push(PluginInfo {
                    class_name: b.class.to_owned(),
                    kind: match b.kind {
                        BuiltinKind::Transformation => "transformation",
                        BuiltinKind::Predicate => "predicate",
                    }
                    .to_owned(),
                    version: version.clone(),
                });
            }
            // Classes from plugin libraries (listed; executed once the host has the capability
            // for their kind: see `plugins::load::HOST_CAPABILITIES`).
            for p in self.shared.plugins.others() {
                let v = p.info.version.to_string();
                out.push(PluginInfo {
                    class_name: p.info.class.to_string(),
                    kind: p.info.kind.name().to_owned(),
                    version: (v != "undefined").then_some(v),
                });
            }
        }
        out
    }

    /// `GET /connector-plugins/{p}/config`.
    /// Connectors, and Kafka's transformations and predicates, by full or simple name.
    pub fn plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        if let Ok(p) = self.shared.plugins.lookup(plugin) {
            return Ok(validate::plugin_config_defs(p));
        }
        if let Some(b) = builtin::lookup(plugin) {
            return Ok((b.config_def)()
                .keys()
                .iter()
                .map(validate::key_info)
                .collect());
        }
        Err(HerderError::NotFound(format!("Unknown plugin {plugin}.")))
    }
}
