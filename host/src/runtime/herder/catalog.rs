//! What the herder tells about the plugins it loaded (`GET /connector-plugins…`): no state of
//! the loop is involved, so these never wait for the herder thread.

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
    /// converters built into the host.
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
    pub fn plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        let p = self
            .shared
            .plugins
            .lookup(plugin)
            .map_err(|_| HerderError::NotFound(format!("Unknown plugin {plugin}.")))?;
        Ok(validate::plugin_config_defs(p))
    }
}
