//! `ConfigDef` in Rust: define keys, validate a raw string map the way Kafka Connect does (same
//! messages), and read typed values. The host evaluates framework keys with the same code.

use std::collections::BTreeMap;

use abi_stable::std_types::{ROption, RString, RVec};

use crate::abi::config::{
    ConfigKeyDef, ConfigType, ConfigValueReport, Importance, Validator, ValidatorKind, Width,
};

use super::error::ConnectError;

/// A raw configuration: every value a string, as Kafka Connect's REST API sends it.
pub type ConfigMap = BTreeMap<String, String>;

/// A builder for one [`ConfigKeyDef`].
#[derive(Debug, Clone)]
pub struct Key(ConfigKeyDef);

impl Key {
    /// A required key (no default) of this type.
    pub fn new(name: &str, ty: ConfigType) -> Self {
        Key(ConfigKeyDef {
            name: name.into(),
            ty,
            default_value: ROption::RNone,
            required: true,
            importance: Importance::MEDIUM,
            documentation: RString::new(),
            group: RString::new(),
            order: -1,
            width: Width::NONE,
            display_name: name.into(),
            dependents: RVec::new(),
            validator: Validator::none(),
            recommended_values: RVec::new(),
            ext: crate::abi::ext::Extensions::new(),
        })
    }
    /// Sets the default (the key becomes optional).
    pub fn default(mut self, value: &str) -> Self {
        self.0.default_value = ROption::RSome(value.into());
        self.0.required = false;
        self
    }
    /// Optional with a null default.
    pub fn default_null(mut self) -> Self {
        self.0.default_value = ROption::RNone;
        self.0.required = false;
        self
    }
    /// Importance.
    pub fn importance(mut self, i: Importance) -> Self {
        self.0.importance = i;
        self
    }
    /// Documentation.
    pub fn doc(mut self, d: &str) -> Self {
        self.0.documentation = d.into();
        self
    }
    /// Group and order in it.
    pub fn group(mut self, g: &str, order: i32) -> Self {
        self.0.group = g.into();
        self.0.order = order;
        self
    }
    /// Width hint.
    pub fn width(mut self, w: Width) -> Self {
        self.0.width = w;
        self
    }
    /// Display name.
    pub fn display(mut self, d: &str) -> Self {
        self.0.display_name = d.into();
        self
    }
    /// Dependent keys.
    pub fn dependents(mut self, keys: &[&str]) -> Self {
        self.0.dependents = keys.iter().map(|k| RString::from(*k)).collect();
        self
    }
    /// Numeric range, inclusive; `None` leaves a side open.
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.0.validator = Validator {
            kind: ValidatorKind::RANGE,
            min: min.into(),
            max: max.into(),
            ..Validator::none()
        };
        self
    }
    /// One of these values (case-insensitive, as most Kafka enums).
    pub fn one_of(mut self, values: &[&str]) -> Self {
        self.0.validator = Validator {
            kind: ValidatorKind::ONE_OF,
            values: values.iter().map(|v| RString::from(*v)).collect(),
            case_insensitive: true,
            ..Validator::none()
        };
        self.0.recommended_values = self.0.validator.values.clone();
        self
    }
    /// Every list item is one of these values.
    pub fn list_of(mut self, values: &[&str]) -> Self {
        self.0.validator = Validator {
            kind: ValidatorKind::LIST_OF,
            values: values.iter().map(|v| RString::from(*v)).collect(),
            ..Validator::none()
        };
        self
    }
    /// Whether a `one_of` check ignores case (call after [`Key::one_of`], which ignores it).
    pub fn case_insensitive(mut self, yes: bool) -> Self {
        self.0.validator.case_insensitive = yes;
        self
    }
    /// Recommended values shown by validate (replaces those [`Key::one_of`] set).
    pub fn recommended(mut self, values: &[&str]) -> Self {
        self.0.recommended_values = values.iter().map(|v| RString::from(*v)).collect();
        self
    }
    /// Must not be empty.
    pub fn non_empty(mut self) -> Self {
        self.0.validator = Validator {
            kind: ValidatorKind::NON_EMPTY,
            ..Validator::none()
        };
        self
    }
    /// The finished definition.
    pub fn build(self) -> ConfigKeyDef {
        self.0
    }
}

/// A set of key definitions.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    keys: Vec<ConfigKeyDef>,
}

impl ConfigDef {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a key.
    pub fn define(mut self, key: Key) -> Self {
        self.keys.push(key.0);
        self
    }
    /// The definitions, in definition order.
    pub fn keys(&self) -> &[ConfigKeyDef] {
        &self.keys
    }
    /// Into the boundary form.
    pub fn into_abi(self) -> RVec<ConfigKeyDef> {
        self.keys.into_iter().collect()
    }

    /// Validates every defined key of `raw`: one report per key, with Kafka Connect's messages.
    pub fn validate(&self, raw: &ConfigMap) -> Vec<ConfigValueReport> {
        self.keys
            .iter()
            .map(|def| validate_key(def, raw.get(def.name.as_str()).map(String::as_str)))
            .collect()
    }

    /// Validates and returns the typed view, or a CONFIG error listing every problem.
    pub fn parse(&self, raw: &ConfigMap) -> Result<Config, ConnectError> {
        check_reports(&self.validate(raw))?;
        Ok(self.with_defaults(raw))
    }

    /// `raw` with the defaults of absent keys filled in, without validating.
    pub fn with_defaults(&self, raw: &ConfigMap) -> Config {
        let mut values = raw.clone();
        for def in &self.keys {
            if let (false, ROption::RSome(d)) =
                (values.contains_key(def.name.as_str()), &def.default_value)
            {
                values.insert(def.name.to_string(), d.to_string());
            }
        }
        Config { values }
    }
}

/// `Ok` when no report has an error; otherwise the CONFIG error [`ConfigDef::parse`] returns
/// ("Connector configuration is invalid and contains the following N error(s): …").
pub fn check_reports(reports: &[ConfigValueReport]) -> Result<(), ConnectError> {
    let errors: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.errors.iter().map(|e| e.as_str()))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ConnectError::config(format!(
        "Connector configuration is invalid and contains the following {} error(s):\n{}",
        errors.len(),
        errors.join("\n")
    )))
}

/// Kafka Connect's message for a value that fails its check (`[hidden]` for passwords).
pub fn invalid_value_message(ty: ConfigType, key: &str, value: &str, why: &str) -> String {
    let shown = if ty == ConfigType::PASSWORD {
        "[hidden]"
    } else {
        value
    };
    format!("Invalid value {shown} for configuration {key}: {why}")
}

/// Validates one value (or its absence) against its definition.
pub fn validate_key(def: &ConfigKeyDef, value: Option<&str>) -> ConfigValueReport {
    let effective = value.map(str::to_owned).or_else(|| {
        def.default_value
            .as_ref()
            .map(|d| d.to_string())
            .into_option()
    });
    let mut errors = RVec::new();
    match (&effective, value) {
        (None, None) if def.required => errors.push(
            format!(
                "Missing required configuration \"{}\" which has no default value.",
                def.name
            )
            .into(),
        ),
        (Some(v), _) => {
            if let Err(e) = check_value(def, v) {
                errors.push(invalid_value_message(def.ty, &def.name, v, &e).into());
            }
        }
        _ => {}
    }
    ConfigValueReport {
        name: def.name.clone(),
        value: effective.map(|v| RString::from(shown(def, &v))).into(),
        recommended_values: def.recommended_values.clone(),
        errors,
        visible: true,
        ext: crate::abi::ext::Extensions::new(),
    }
}

fn shown(def: &ConfigKeyDef, v: &str) -> String {
    if def.ty == ConfigType::PASSWORD {
        "[hidden]".to_owned()
    } else {
        v.to_owned()
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Checks type and validator of a present value; the error is Kafka Connect's wording.
pub fn check_value(def: &ConfigKeyDef, v: &str) -> Result<(), String> {
    let t = v.trim();
    let number: Option<f64> = match def.ty {
        ConfigType::BOOLEAN => {
            if !t.eq_ignore_ascii_case("true") && !t.eq_ignore_ascii_case("false") {
                return Err("Expected value to be either true or false".into());
            }
            None
        }
        ConfigType::INT => Some(
            t.parse::<i32>()
                .map_err(|_| "Not a number of type INT".to_owned())? as f64,
        ),
        ConfigType::SHORT => Some(
            t.parse::<i16>()
                .map_err(|_| "Not a number of type SHORT".to_owned())? as f64,
        ),
        ConfigType::LONG => Some(
            t.parse::<i64>()
                .map_err(|_| "Not a number of type LONG".to_owned())? as f64,
        ),
        ConfigType::DOUBLE => Some(
            t.parse::<f64>()
                .map_err(|_| "Not a number of type DOUBLE".to_owned())?,
        ),
        _ => None,
    };
    let val = &def.validator;
    match val.kind {
        ValidatorKind::RANGE => {
            let n = number.or_else(|| t.parse().ok()).ok_or("Not a number")?;
            if let ROption::RSome(min) = val.min
                && n < min
            {
                return Err(format!("Value must be at least {}", number_text(min)));
            }
            if let ROption::RSome(max) = val.max
                && n > max
            {
                return Err(format!("Value must be no more than {}", number_text(max)));
            }
        }
        ValidatorKind::ONE_OF => {
            let ok = val.values.iter().any(|a| {
                if val.case_insensitive {
                    a.eq_ignore_ascii_case(t)
                } else {
                    a.as_str() == t
                }
            });
            if !ok {
                return Err(format!("String must be one of: {}", join(&val.values)));
            }
        }
        ValidatorKind::LIST_OF => {
            for item in split_list(t) {
                if !val.values.iter().any(|a| a.as_str() == item) {
                    return Err(format!("String must be one of: {}", join(&val.values)));
                }
            }
        }
        ValidatorKind::NON_EMPTY if t.is_empty() => return Err("String must be non-empty".into()),
        _ => {}
    }
    Ok(())
}

fn join(values: &RVec<RString>) -> String {
    values
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits a Kafka `LIST` value: comma-separated, items trimmed, an empty string is no items.
pub fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// A validated configuration with defaults filled in, read through typed getters.
///
/// The getters panic on keys that were not defined or were defined with another type: that is a
/// plugin bug, and the SDK turns the panic into a FAILED task with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    values: ConfigMap,
}

impl Config {
    /// Wraps already-validated values.
    pub fn from_map(values: ConfigMap) -> Self {
        Self { values }
    }
    /// All values (raw strings, defaults included).
    pub fn as_map(&self) -> &ConfigMap {
        &self.values
    }
    /// A string, or `None` for a null default.
    pub fn string(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
    /// A string that must be present.
    pub fn string_or_empty(&self, key: &str) -> &str {
        self.string(key).unwrap_or("")
    }
    fn parsed<T: std::str::FromStr>(&self, key: &str) -> T {
        let raw = self
            .values
            .get(key)
            .unwrap_or_else(|| panic!("config key `{key}` has no value and no default"));
        raw.trim()
            .parse()
            .unwrap_or_else(|_| panic!("config key `{key}` = {raw:?} has the wrong type"))
    }
    /// A `SHORT`.
    pub fn short(&self, key: &str) -> i16 {
        self.parsed(key)
    }
    /// A `PASSWORD`, or `None` for a null default.
    pub fn password(&self, key: &str) -> Option<Password> {
        self.string(key).map(Password::new)
    }
    /// An `INT`.
    pub fn int(&self, key: &str) -> i32 {
        self.parsed(key)
    }
    /// A `LONG`.
    pub fn long(&self, key: &str) -> i64 {
        self.parsed(key)
    }
    /// A `DOUBLE`.
    pub fn double(&self, key: &str) -> f64 {
        self.parsed(key)
    }
    /// A `BOOLEAN` (case-insensitive).
    pub fn bool(&self, key: &str) -> bool {
        self.values
            .get(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }
    /// A `LIST`.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.values
            .get(key)
            .map(|v| split_list(v).map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

/// A `PASSWORD` value: `Debug` and `Display` print `[hidden]`, as Kafka's `Password` does.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password(String);

impl Password {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself.
    pub fn value(&self) -> &str {
        &self.0
    }
    /// The secret, unwrapped.
    pub fn into_value(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[hidden]")
    }
}

impl std::fmt::Display for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[hidden]")
    }
}

/// A Rust type that reads one config value: its `ConfigDef` type, and the conversion from the
/// (already validated) string. `#[derive(ConnectConfig)]` infers a field's key type from this.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a config value type",
    note = "use String, bool, i16, i32, i64, f64, Vec<String>, Password, Option of one of these, std::time::Duration with `#[config(unit = \"ms\")]`, implement `ConfigValue`, or add `#[config(parse_with = \"…\")]`"
)]
pub trait ConfigValue: Sized {
    /// The key's type.
    const TYPE: ConfigType;
    /// Converts a present value; the error is the reason in Kafka's "Invalid value" message.
    fn from_config_value(raw: &str) -> Result<Self, String>;
}

impl ConfigValue for String {
    const TYPE: ConfigType = ConfigType::STRING;
    fn from_config_value(raw: &str) -> Result<Self, String> {
        Ok(raw.to_owned())
    }
}

impl ConfigValue for Password {
    const TYPE: ConfigType = ConfigType::PASSWORD;
    fn from_config_value(raw: &str) -> Result<Self, String> {
        Ok(Password::new(raw))
    }
}

impl ConfigValue for bool {
    const TYPE: ConfigType = ConfigType::BOOLEAN;
    fn from_config_value(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if t.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err("Expected value to be either true or false".into())
        }
    }
}

macro_rules! number_value {
    ($t:ty, $ty:ident) => {
        impl ConfigValue for $t {
            const TYPE: ConfigType = ConfigType::$ty;
            fn from_config_value(raw: &str) -> Result<Self, String> {
                raw.trim()
                    .parse()
                    .map_err(|_| concat!("Not a number of type ", stringify!($ty)).to_owned())
            }
        }
    };
}
number_value!(i16, SHORT);
number_value!(i32, INT);
number_value!(i64, LONG);
number_value!(f64, DOUBLE);

impl ConfigValue for Vec<String> {
    const TYPE: ConfigType = ConfigType::LIST;
    fn from_config_value(raw: &str) -> Result<Self, String> {
        Ok(split_list(raw).map(str::to_owned).collect())
    }
}

/// A configuration struct: its keys, and the typed value read from a validated [`Config`].
/// `#[derive(ConnectConfig)]` implements it (see the `connect-plugin-derive` crate).
pub trait ConnectConfig: Sized {
    /// Every key, in field order.
    fn config_def() -> ConfigDef;
    /// Reads the fields from a configuration [`ConfigDef::parse`] produced (defaults filled).
    fn from_config(config: &Config) -> Result<Self, ConnectError>;
    /// Per-key reports: [`ConfigDef::validate`], plus the errors of `parse_with` fields.
    fn validate(raw: &ConfigMap) -> Vec<ConfigValueReport> {
        Self::config_def().validate(raw)
    }
    /// Validates `raw` (Kafka Connect's messages) and reads the fields.
    fn parse(raw: &ConfigMap) -> Result<Self, ConnectError> {
        check_reports(&Self::validate(raw))?;
        Self::from_config(&Self::config_def().with_defaults(raw))
    }
}

/// What code generated by `#[derive(ConnectConfig)]` calls. Not a stable API.
#[doc(hidden)]
pub mod __derive {
    use super::*;

    fn raw<'a>(c: &'a Config, key: &str) -> Option<&'a str> {
        c.as_map().get(key).map(String::as_str)
    }

    fn missing(key: &str) -> ConnectError {
        ConnectError::config(format!(
            "Missing required configuration \"{key}\" which has no default value."
        ))
    }

    fn convert<T, E: std::fmt::Display>(
        ty: ConfigType,
        key: &str,
        v: &str,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ConnectError> {
        f(v).map_err(|e| ConnectError::config(invalid_value_message(ty, key, v, &e.to_string())))
    }

    /// A value that must be there (required, or with a default).
    pub fn value<T: ConfigValue>(c: &Config, key: &str) -> Result<T, ConnectError> {
        let v = raw(c, key).ok_or_else(|| missing(key))?;
        convert(T::TYPE, key, v, T::from_config_value)
    }

    /// A value with a null default.
    pub fn optional<T: ConfigValue>(c: &Config, key: &str) -> Result<Option<T>, ConnectError> {
        raw(c, key)
            .map(|v| convert(T::TYPE, key, v, T::from_config_value))
            .transpose()
    }

    /// `parse_with`, for a value that must be there.
    pub fn value_with<T, E: std::fmt::Display>(
        c: &Config,
        key: &str,
        ty: ConfigType,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ConnectError> {
        let v = raw(c, key).ok_or_else(|| missing(key))?;
        convert(ty, key, v, f)
    }

    /// `parse_with`, for a value with a null default.
    pub fn optional_with<T, E: std::fmt::Display>(
        c: &Config,
        key: &str,
        ty: ConfigType,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ConnectError> {
        raw(c, key).map(|v| convert(ty, key, v, f)).transpose()
    }

    /// A `LONG` in `unit`s (`ms` or `s`) as a `Duration`; negative values are refused.
    pub fn duration(
        c: &Config,
        key: &str,
        unit: &str,
    ) -> Result<std::time::Duration, ConnectError> {
        let n: i64 = value(c, key)?;
        to_duration(key, n, unit)
    }

    /// [`duration`] with a null default.
    pub fn optional_duration(
        c: &Config,
        key: &str,
        unit: &str,
    ) -> Result<Option<std::time::Duration>, ConnectError> {
        optional::<i64>(c, key)?
            .map(|n| to_duration(key, n, unit))
            .transpose()
    }

    fn to_duration(key: &str, n: i64, unit: &str) -> Result<std::time::Duration, ConnectError> {
        let n = u64::try_from(n).map_err(|_| {
            ConnectError::config(invalid_value_message(
                ConfigType::LONG,
                key,
                &n.to_string(),
                "Value must be at least 0",
            ))
        })?;
        Ok(match unit {
            "s" => std::time::Duration::from_secs(n),
            _ => std::time::Duration::from_millis(n),
        })
    }

    /// Adds the error of a `parse_with` function to the key's report, when the per-key checks
    /// passed and a value is present.
    pub fn check_with<T, E: std::fmt::Display>(
        reports: &mut [ConfigValueReport],
        raw: &ConfigMap,
        def: &ConfigDef,
        key: &str,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) {
        let Some(report) = reports.iter_mut().find(|r| r.name.as_str() == key) else {
            return;
        };
        if !report.errors.is_empty() {
            return;
        }
        let Some(kd) = def.keys().iter().find(|k| k.name.as_str() == key) else {
            return;
        };
        let v = match raw.get(key) {
            Some(v) => v.clone(),
            None => match &kd.default_value {
                ROption::RSome(d) => d.to_string(),
                ROption::RNone => return,
            },
        };
        if let Err(e) = f(&v) {
            report
                .errors
                .push(invalid_value_message(kd.ty, key, &v, &e.to_string()).into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> ConfigDef {
        ConfigDef::new()
            .define(Key::new("file", ConfigType::STRING).doc("path"))
            .define(
                Key::new("batch.size", ConfigType::INT)
                    .default("2000")
                    .range(Some(1.0), Some(1_000_000.0)),
            )
            .define(
                Key::new("mode", ConfigType::STRING)
                    .default("insert")
                    .one_of(&["insert", "upsert"]),
            )
            .define(Key::new("secret", ConfigType::PASSWORD).default_null())
            .define(Key::new("flag", ConfigType::BOOLEAN).default("false"))
    }

    fn map(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reports_kafka_connect_messages() {
        let r = def().validate(&map(&[
            ("batch.size", "0"),
            ("mode", "x"),
            ("secret", "s"),
            ("flag", "yes"),
        ]));
        assert_eq!(
            r[0].errors[0].as_str(),
            "Missing required configuration \"file\" which has no default value."
        );
        assert_eq!(
            r[1].errors[0].as_str(),
            "Invalid value 0 for configuration batch.size: Value must be at least 1"
        );
        assert_eq!(
            r[2].errors[0].as_str(),
            "Invalid value x for configuration mode: String must be one of: insert, upsert"
        );
        assert_eq!(
            r[3].value.as_ref().map(|s| s.as_str()).into_option(),
            Some("[hidden]")
        );
        assert_eq!(
            r[4].errors[0].as_str(),
            "Invalid value yes for configuration flag: Expected value to be either true or false"
        );
        let e = def().parse(&map(&[("batch.size", "abc")])).unwrap_err();
        assert!(
            e.message.contains("2 error(s)") && e.message.contains("Not a number of type INT"),
            "{}",
            e.message
        );
    }

    #[test]
    fn parse_fills_defaults_and_reads_types() {
        let c = def()
            .parse(&map(&[("file", "/tmp/x"), ("mode", "UPSERT")]))
            .unwrap();
        assert_eq!(c.int("batch.size"), 2000);
        assert_eq!(c.string("file"), Some("/tmp/x"));
        assert_eq!(c.string("secret"), None);
        assert!(!c.bool("flag"));
    }
}
