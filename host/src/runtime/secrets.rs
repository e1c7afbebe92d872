//! Secrets stay secret: the values of PASSWORD-type keys (a plugin's own, such as the
//! Elasticsearch sink's `connection.password`) and of the Kafka client secrets (`*.password`,
//! `sasl.jaas.config` and the password inside it, `ssl.keystore.key`, at the worker level or under
//! `consumer.`/`producer.`/`admin.` and their `*.override.` forms) are registered here when a
//! worker, connector or task starts, and every text the host shows to someone is passed through
//! [`redact`], which writes `[hidden]` (Kafka's `Password.HIDDEN`) in their place: log lines (the
//! log writer, [`RedactingStderr`], covers the host's and the plugins' lines alike), status
//! traces ([`super::task_control::TaskControl::report`], including a plugin's panic message), and
//! the dead-letter queue's `__connect.errors.exception.message` header and `errors.log.enable`
//! lines ([`super::errors::ErrorReporter`]).
//!
//! What Kafka Connect itself shows stays as it is: `GET /connectors/{c}/config` returns the
//! stored values (Java does not hide them there either), and the validate answers show
//! `[hidden]` for PASSWORD keys (`validate.rs`, the SDK's `validate_key`).
//!
//! A registered value stays registered for the life of the process (a deleted connector's
//! password is still never shown). Values shorter than [`MIN_LEN`] characters are not
//! registered: hiding every `a` or `1` in every line would garble the logs more than it protects.

use std::{
    borrow::Cow,
    collections::BTreeSet,
    io::Write,
    sync::{LazyLock, RwLock},
};

use connect_plugin_api::abi::config::ConfigType;

use crate::plugins::ConnectorPlugin;

/// What a secret is shown as (Kafka's `Password.HIDDEN`).
pub const HIDDEN: &str = "[hidden]";
/// The shortest value hidden.
pub const MIN_LEN: usize = 3;

static SECRETS: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Whether `key` names a Kafka client or worker secret whatever the plugin says (the key with
/// any `consumer.`, `producer.`, `admin.`, `*.override.` or listener prefix).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with(".password")
        || k == "password"
        || k.ends_with("sasl.jaas.config")
        || k.ends_with("ssl.keystore.key")
        || k.ends_with("basic.auth.user.info")
}

/// The secret values of `config`: those of `password_keys` and of [`is_secret_key`] keys, plus
/// the `password="…"` inside a JAAS configuration (a message may quote it alone).
pub fn secret_values<'a>(
    config: impl IntoIterator<Item = (&'a String, &'a String)>,
    password_keys: &BTreeSet<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in config {
        if !(password_keys.contains(k) || is_secret_key(k)) {
            continue;
        }
        out.push(v.clone());
        if k.ends_with("jaas.config") {
            out.extend(jaas_passwords(v));
        }
    }
    out
}

/// The quoted values of `password=` options in a JAAS configuration.
fn jaas_passwords(jaas: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = jaas;
    while let Some(at) = rest.find("password") {
        rest = &rest[at + "password".len()..];
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let Some(quoted) = value.strip_prefix('"') else {
            continue;
        };
        if let Some(end) = quoted.find('"') {
            out.push(quoted[..end].to_owned());
            rest = &quoted[end..];
        }
    }
    out
}

/// The PASSWORD-type keys of a connector plugin's definition.
pub fn password_keys(plugin: &ConnectorPlugin) -> BTreeSet<String> {
    plugin
        .factory
        .config_def()
        .iter()
        .filter(|d| d.ty == ConfigType::PASSWORD)
        .map(|d| d.name.to_string())
        .collect()
}

/// Registers values to hide from now on.
pub fn register(values: impl IntoIterator<Item = String>) {
    let new: Vec<String> = values
        .into_iter()
        .filter(|v| v.chars().count() >= MIN_LEN && v != HIDDEN)
        .collect();
    if new.is_empty() {
        return;
    }
    let known = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    if new.iter().all(|v| known.contains(v)) {
        return;
    }
    drop(known);
    let mut all = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    for v in new {
        if !all.contains(&v) {
            all.push(v);
        }
    }
    // Longest first, so a secret that contains another is hidden whole.
    all.sort_by_key(|v| std::cmp::Reverse(v.len()));
}

/// Registers the secrets of a connector or task configuration of `plugin`.
pub fn register_config<'a>(
    plugin: &ConnectorPlugin,
    configs: impl IntoIterator<Item = &'a std::collections::BTreeMap<String, String>>,
) {
    let keys = password_keys(plugin);
    for c in configs {
        register(secret_values(c, &keys));
    }
}

/// `text` with every registered secret replaced by `[hidden]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    if !secrets.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for s in secrets.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), HIDDEN);
        }
    }
    Cow::Owned(out)
}

/// The log writer: stderr, each formatted line with the registered secrets hidden.
#[derive(Clone, Copy, Default)]
pub struct RedactingStderr;

/// One event's output, written (redacted) when dropped.
pub struct RedactingLine(Vec<u8>);

impl Write for RedactingLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let _ = std::io::stderr().write_all(redact(&text).as_bytes());
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingLine;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingLine(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_and_jaas_passwords_are_found_and_hidden() {
        let config: std::collections::BTreeMap<String, String> = [
            ("connection.password", "es-Pw-1"),
            ("my.secret", "plugin-pw-2"),
            ("consumer.override.sasl.jaas.config", r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password = "jaas-pw-3";"#),
            ("topics", "es-Pw-1-is-not-a-secret-here"),
            ("tasks.max", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let keys: BTreeSet<String> = ["my.secret".to_owned()].into();
        let values = secret_values(&config, &keys);
        assert!(values.contains(&"es-Pw-1".to_owned()), "{values:?}");
        assert!(values.contains(&"plugin-pw-2".to_owned()), "{values:?}");
        assert!(values.contains(&"jaas-pw-3".to_owned()), "{values:?}");
        assert_eq!(values.len(), 4, "{values:?}");
        register(values);
        register(["ab".to_owned()]); // too short to hide
        assert_eq!(
            redact("login with jaas-pw-3 and es-Pw-1 failed; plugin-pw-2; ab"),
            "login with [hidden] and [hidden] failed; [hidden]; ab"
        );
        assert!(matches!(redact("nothing secret"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_secret_inside_another_is_hidden_whole() {
        register(["inner-9x".to_owned(), "outer-inner-9x-outer".to_owned()]);
        assert_eq!(redact("<outer-inner-9x-outer>"), "<[hidden]>");
    }
}
