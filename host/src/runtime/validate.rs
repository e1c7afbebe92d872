//! Connector configuration validation, as `PUT /connector-plugins/{type}/config/validate` and
//! connector creation do it: framework keys (plus transform/predicate aliases) and the plugin's
//! own keys, merged into one `ConfigInfos`.

use std::collections::BTreeMap;

use abi_stable::std_types::RSlice;
use connect_plugin_api::abi::config::{ConfigKeyDef, ConfigValueReport};

use super::{
    info::{ConfigInfo, ConfigInfos, ConfigValueInfo, HerderError, HerderResult},
    stores::ConfigMap,
};
use crate::{
    config::{self, ConfigKeyInfo, ConnectorConfig, ConnectorKind, OverridePolicy},
    plugins::{ConnectorPlugin, PluginRegistry},
};

/// Why an explicit `task.static.membership=true` cannot be honoured, if it cannot: removing a
/// static member takes our own LeaveGroup request, which speaks PLAINTEXT only for now. Left
/// unset, the default quietly falls back to dynamic membership on such clusters.
fn static_membership_refusal(consumer_security: Option<&str>, props: &ConfigMap) -> Option<String> {
    let explicit = props
        .get("task.static.membership")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let security = props
        .get("consumer.override.security.protocol")
        .map(String::as_str)
        .or(consumer_security)?;
    (explicit && !security.trim().eq_ignore_ascii_case("plaintext")).then(|| {
        format!(
            "task.static.membership=true is not supported yet with security.protocol={security}: set it to false, or leave it unset for Kafka Connect's dynamic membership"
        )
    })
}

/// Framework kind of a plugin.
pub fn kind_of(plugin: &ConnectorPlugin) -> ConnectorKind {
    if plugin.is_sink() {
        ConnectorKind::Sink
    } else {
        ConnectorKind::Source
    }
}

/// A plugin key definition in the REST shape.
pub fn key_info(def: &ConfigKeyDef) -> ConfigKeyInfo {
    use connect_plugin_api::abi::config::{ConfigType as T, Importance as I, Width as W};
    ConfigKeyInfo {
        name: def.name.to_string(),
        config_type: match def.ty {
            T::BOOLEAN => config::ConfigType::Boolean,
            T::INT => config::ConfigType::Int,
            T::SHORT => config::ConfigType::Short,
            T::LONG => config::ConfigType::Long,
            T::DOUBLE => config::ConfigType::Double,
            T::LIST => config::ConfigType::List,
            T::CLASS => config::ConfigType::Class,
            T::PASSWORD => config::ConfigType::Password,
            _ => config::ConfigType::String,
        },
        required: def.required,
        default_value: def
            .default_value
            .as_ref()
            .map(|d| d.to_string())
            .into_option(),
        importance: match def.importance {
            I::HIGH => config::Importance::High,
            I::MEDIUM => config::Importance::Medium,
            _ => config::Importance::Low,
        },
        documentation: def.documentation.to_string(),
        group: (!def.group.is_empty()).then(|| def.group.to_string()),
        order: def.order,
        width: match def.width {
            W::SHORT => config::Width::Short,
            W::MEDIUM => config::Width::Medium,
            W::LONG => config::Width::Long,
            _ => config::Width::None,
        },
        display_name: def.display_name.to_string(),
        dependents: def.dependents.iter().map(|d| d.to_string()).collect(),
    }
}

/// Framework keys followed by the plugin's keys (`GET /connector-plugins/{p}/config`).
pub fn plugin_config_defs(plugin: &ConnectorPlugin) -> Vec<ConfigKeyInfo> {
    let mut defs = config::framework_config_defs(kind_of(plugin));
    defs.extend(plugin.factory.config_def().iter().map(key_info));
    defs
}

fn shown(def: &ConfigKeyInfo, value: Option<&String>) -> Option<String> {
    let v = value.cloned().or_else(|| def.default_value.clone());
    if def.config_type == config::ConfigType::Password {
        v.map(|_| "[hidden]".to_owned())
    } else {
        v
    }
}

/// Validates a full connector configuration against its class. `consumer_security`: the
/// worker's `security.protocol` for sink consumers (`consumer.security.protocol`, else
/// `security.protocol`), if set.
pub fn validate(
    registry: &PluginRegistry,
    policy: OverridePolicy,
    consumer_security: Option<&str>,
    props: &ConfigMap,
) -> HerderResult<ConfigInfos> {
    let class = props.get("connector.class").ok_or_else(|| {
        HerderError::BadRequest(format!(
            "Connector config {} contains no connector type",
            render(props)
        ))
    })?;
    let plugin = registry
        .lookup(class)
        .map_err(|e| HerderError::BadRequest(e.to_string()))?;
    let kind = kind_of(plugin);

    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(version) = props
        .get("connector.plugin.version")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty() && *v != plugin.info.version.as_str())
    {
        errors
            .entry("connector.plugin.version".to_owned())
            .or_default()
            .push(format!(
                "not supported yet: connector.plugin.version={version} (this host loads one version of each connector class: {} {}; set that version or remove the key)",
                plugin.class(),
                plugin.info.version
            ));
    }
    let (transforms, predicates) = ConnectorConfig::aliases(props);
    let (alias_defs, alias_errors) =
        super::transform_chain::alias_keys(&transforms, &predicates, registry);
    for (k, ms) in alias_errors {
        errors.entry(k).or_default().extend(ms);
    }
    match ConnectorConfig::parse(props, kind) {
        Ok(parsed) => {
            for (k, m) in parsed.override_violations(policy) {
                errors.entry(k).or_default().push(m);
            }
            for (key, setting, is_key) in [
                ("key.converter", &parsed.key_converter, true),
                ("value.converter", &parsed.value_converter, false),
            ] {
                if let Some(c) = setting
                    && let Err(e) =
                        super::convert::converter_from_config(&c.class, &c.settings, is_key)
                {
                    let msg = match e {
                        super::convert::ConvertError::UnknownClass { .. } => {
                            format!(
                                "Invalid value {} for configuration {key}: Class {} could not be found.",
                                c.class, c.class
                            )
                        }
                        other => other.to_string(),
                    };
                    errors.entry(key.to_owned()).or_default().push(msg);
                }
            }
            // Kafka's four header converters run, with their `header.converter.*` settings; a
            // header converter plugin does not yet.
            if let Some(h) = &parsed.header_converter {
                let message = if super::convert::resolve_header_converter_class(&h.class).is_some()
                {
                    super::convert::HeaderConverter::from_config(&h.class, &h.settings)
                        .err()
                        .map(|e| {
                            format!(
                                "Invalid value {} for configuration header.converter: {e}",
                                h.class
                            )
                        })
                } else if registry
                    .other(
                        connect_plugin_api::abi::plugin::PluginKind::HEADER_CONVERTER,
                        h.class.trim(),
                    )
                    .is_some()
                {
                    Some(format!(
                        "Invalid value {} for configuration header.converter: not supported yet: header.converter={} (a header converter plugin; this host runs Kafka's SimpleHeaderConverter, StringConverter, JsonConverter and ByteArrayConverter as header converters)",
                        h.class, h.class
                    ))
                } else {
                    Some(format!(
                        "Invalid value {} for configuration header.converter: Class {} could not be found.",
                        h.class, h.class
                    ))
                };
                if let Some(message) = message {
                    errors
                        .entry("header.converter".to_owned())
                        .or_default()
                        .push(message);
                }
            }
        }
        Err(key_errors) => {
            for (k, m) in key_errors {
                errors.entry(k).or_default().push(m);
            }
        }
    }

    for (key, check) in [
        ("task.restart.on.failure", "bool"),
        ("task.restart.backoff.max.ms", "long"),
        ("task.static.membership", "bool"),
    ] {
        if let Some(v) = props.get(key) {
            let ok = if check == "bool" {
                v.trim().eq_ignore_ascii_case("true") || v.trim().eq_ignore_ascii_case("false")
            } else {
                v.trim().parse::<u64>().is_ok()
            };
            if !ok {
                let expected = if check == "bool" {
                    "Expected value to be either true or false"
                } else {
                    "Not a number of type LONG"
                };
                errors.entry(key.to_owned()).or_default().push(format!(
                    "Invalid value {v} for configuration {key}: {expected}"
                ));
            }
        }
    }
    if let Some(e) = static_membership_refusal(consumer_security, props) {
        errors
            .entry("task.static.membership".to_owned())
            .or_default()
            .push(e);
    }
    let mut configs = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut push_group = |g: &Option<String>| {
        if let Some(g) = g
            && !groups.contains(g)
        {
            groups.push(g.clone());
        }
    };
    let mut framework = config::framework_config_defs(kind);
    framework.extend(config::alias_config_defs(props));
    framework.extend(alias_defs);
    for def in framework {
        push_group(&def.group);
        let errs = errors.remove(&def.name).unwrap_or_default();
        let value = ConfigValueInfo {
            name: def.name.clone(),
            value: shown(&def, props.get(&def.name)),
            recommended_values: Vec::new(),
            errors: errs,
            visible: true,
        };
        configs.push(ConfigInfo {
            definition: def,
            value,
        });
    }
    // Errors on keys without a framework definition (e.g. a bad transform setting).
    for (name, errs) in std::mem::take(&mut errors) {
        if let Some(c) = configs.iter_mut().find(|c| c.definition.name == name) {
            c.value.errors.extend(errs);
        } else if let Some(c) = configs.first_mut() {
            c.value
                .errors
                .extend(errs.into_iter().map(|e| format!("{name}: {e}")));
        }
    }

    let plugin_defs: Vec<ConfigKeyDef> = plugin.factory.config_def().into_iter().collect();
    let entries = connect_plugin_api::batch::config_entries(props);
    let reports: Vec<ConfigValueReport> = match plugin
        .factory
        .validate(RSlice::from_slice(&entries))
        .into_result()
    {
        Ok(r) => r.into_iter().collect(),
        Err(e) => {
            return Err(HerderError::Internal(format!(
                "the plugin's validate failed: {}",
                e.message
            )));
        }
    };
    for def in &plugin_defs {
        let info = key_info(def);
        if configs.iter().any(|c| c.definition.name == info.name) {
            continue;
        }
        push_group(&info.group);
        let report = reports.iter().find(|r| r.name == def.name);
        let value = ConfigValueInfo {
            name: info.name.clone(),
            value: report
                .and_then(|r| r.value.as_ref().map(|v| v.to_string()).into_option())
                .or_else(|| shown(&info, props.get(&info.name))),
            recommended_values: report
                .map(|r| r.recommended_values.iter().map(|v| v.to_string()).collect())
                .unwrap_or_default(),
            errors: report
                .map(|r| r.errors.iter().map(|e| e.to_string()).collect())
                .unwrap_or_default(),
            visible: report.is_none_or(|r| r.visible),
        };
        configs.push(ConfigInfo {
            definition: info,
            value,
        });
    }
    let error_count = configs.iter().map(|c| c.value.errors.len()).sum();
    Ok(ConfigInfos {
        name: plugin.class().to_owned(),
        error_count,
        groups,
        configs,
    })
}

/// The 400 message for an invalid configuration, in Kafka Connect's words.
pub fn invalid_message(infos: &ConfigInfos) -> String {
    let errors: Vec<String> = infos
        .configs
        .iter()
        .flat_map(|c| c.value.errors.iter().cloned())
        .collect();
    format!(
        "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
        errors.len(),
        errors.join("\n")
    )
}

fn render(props: &ConfigMap) -> String {
    let inner: Vec<String> = props.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn explicit_static_membership_is_refused_on_a_secured_cluster_only() {
        let on = props(&[("task.static.membership", "true")]);
        let unset = props(&[]);
        assert_eq!(static_membership_refusal(None, &on), None);
        assert_eq!(static_membership_refusal(Some("PLAINTEXT"), &on), None);
        assert_eq!(
            static_membership_refusal(Some("SASL_SSL"), &unset),
            None,
            "the default falls back to dynamic membership"
        );
        let refused = static_membership_refusal(Some("SASL_SSL"), &on).unwrap();
        assert!(
            refused.contains("not supported yet") && refused.contains("SASL_SSL"),
            "{refused}"
        );
        let overridden = props(&[
            ("task.static.membership", "true"),
            ("consumer.override.security.protocol", "SSL"),
        ]);
        assert!(static_membership_refusal(Some("PLAINTEXT"), &overridden).is_some());
    }
}
