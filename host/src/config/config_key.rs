//! `ConfigKeyInfo`: one config key described in Kafka Connect's ConfigDef shape, serialized
//! exactly as the REST API shows it (`definition` objects of `…/config/validate`, the array of
//! `GET /connector-plugins/{p}/config`). Framework keys and plugin keys use the same struct.

use serde::{Deserialize, Serialize};

/// ConfigDef value types, serialized by name (`"STRING"`, `"LIST"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ConfigType {
    /// Boolean (`true`/`false`).
    Boolean,
    /// Text.
    String,
    /// 32-bit integer.
    Int,
    /// 16-bit integer.
    Short,
    /// 64-bit integer.
    Long,
    /// Double.
    Double,
    /// Comma-separated list.
    List,
    /// Class name (or alias).
    Class,
    /// Secret text; shown as `[hidden]`.
    Password,
}

/// How important a key is (ConfigDef `Importance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Importance {
    /// Must usually be set.
    High,
    /// Often set.
    Medium,
    /// Rarely set.
    Low,
}

/// UI hint for the width of a value (ConfigDef `Width`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Width {
    /// No hint.
    None,
    /// Short values.
    Short,
    /// Medium values.
    Medium,
    /// Long values.
    Long,
}

/// One key's definition, in the JSON shape of Kafka Connect's `ConfigKeyInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigKeyInfo {
    /// Key name (prefixed for transform/predicate keys, e.g. `transforms.a.type`).
    pub name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub config_type: ConfigType,
    /// True when the key has no default and must be set.
    pub required: bool,
    /// The default rendered as a string (lists comma-joined); `null` when required or none.
    pub default_value: Option<String>,
    /// Importance.
    pub importance: Importance,
    /// What the key does.
    pub documentation: String,
    /// Group shown in UIs ("Common", "Transforms", "Error Handling", …).
    pub group: Option<String>,
    /// Position within the group.
    pub order: i32,
    /// Width hint.
    pub width: Width,
    /// Human-readable name.
    pub display_name: String,
    /// Keys whose validity depends on this one.
    pub dependents: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_in_kafka_connect_shape() {
        let k = ConfigKeyInfo {
            name: "connection.url".into(),
            config_type: ConfigType::List,
            required: true,
            default_value: None,
            importance: Importance::High,
            documentation: "doc".into(),
            group: Some("Connector".into()),
            order: 1,
            width: Width::Long,
            display_name: "Connection URLs".into(),
            dependents: vec![],
        };
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            r#"{"name":"connection.url","type":"LIST","required":true,"default_value":null,"importance":"HIGH","documentation":"doc","group":"Connector","order":1,"width":"LONG","display_name":"Connection URLs","dependents":[]}"#
        );
        let back: ConfigKeyInfo =
            serde_json::from_str(&serde_json::to_string(&k).unwrap()).unwrap();
        assert_eq!(back, k);
    }
}
