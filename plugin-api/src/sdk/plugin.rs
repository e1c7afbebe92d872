//! [`PluginDescription`]: what every plugin class (connector, transformation, predicate,
//! converter, header converter, config provider) says about itself.

use super::config::{ConfigDef, ConfigMap};

/// Class name, version, documentation and configuration of a plugin class.
pub trait PluginDescription {
    /// Fully qualified class name (what `connector.class`, `transforms.x.type`, … name).
    const CLASS: &'static str;
    /// The class's version.
    const VERSION: &'static str;
    /// One line for humans.
    const DESCRIPTION: &'static str = "";

    /// The class's own configuration keys.
    fn config_def() -> ConfigDef;

    /// Validates a full configuration: per-key checks from [`Self::config_def`] by default;
    /// override to add cross-key checks (push messages into the reports' `errors`).
    fn validate(config: &ConfigMap) -> Vec<crate::abi::config::ConfigValueReport> {
        Self::config_def().validate(config)
    }
}
