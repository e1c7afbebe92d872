//! Kafka's built-in transformations and predicates as this host provides them: each class's
//! name, documentation, ConfigDef (the SDK's, so validation messages are Kafka Connect's) and
//! constructor, looked up by class name or alias.
//!
//! A class is written as a struct implementing [`Transform`] (or [`Predicate`]) and
//! [`BuiltinTransform`] (or [`BuiltinPredicate`]), its configuration a
//! `#[derive(ConnectConfig)]` struct (wrapped in
//! [`Checked`](super::config_checks::Checked) where Kafka validates more than the SDK does),
//! and listed once in [`BUILTINS`]. A class with `$Key` and `$Value` variants is one struct
//! generic over `const KEY: bool`, working on [`TransformRecord::operand`] and named with
//! `key_or_value_class!`.

use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap, ConnectConfig};
use connect_plugin_api::sdk::error::ConnectError;

#[cfg(doc)]
use super::record::TransformRecord;
use super::transform::{Predicate, Transform, TransformError};

/// Transformation or predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinKind {
    /// `transforms.<alias>.type`.
    Transformation,
    /// `predicates.<alias>.type`.
    Predicate,
}

/// Builds a configured instance from settings `validate` accepted.
#[derive(Clone, Copy)]
pub enum Build {
    /// A transformation.
    Transform(fn(&ConfigMap) -> Result<Box<dyn Transform>, ConnectError>),
    /// A predicate.
    Predicate(fn(&ConfigMap) -> Result<Box<dyn Predicate>, ConnectError>),
}

/// One built-in class.
#[derive(Clone, Copy)]
pub struct Builtin {
    /// Java's class name (`org.apache.kafka.connect.transforms.InsertField$Value`).
    pub class: &'static str,
    /// Transformation or predicate.
    pub kind: BuiltinKind,
    /// Java's `OVERVIEW_DOC`.
    pub doc: &'static str,
    /// The keys (without `transforms.<alias>.`).
    pub config_def: fn() -> ConfigDef,
    /// Per-key reports for `settings` (the keys without prefix), Kafka's messages.
    pub validate: fn(&ConfigMap) -> Vec<ConfigValueReport>,
    /// The constructor.
    pub build: Build,
}

impl Builtin {
    /// The short aliases Kafka accepts for the class: its simple name (`InsertField$Value`), as
    /// Kafka's `PluginUtils` computes them.
    pub fn simple_name(&self) -> &'static str {
        self.class.rsplit('.').next().unwrap_or(self.class)
    }
}

/// A built-in transformation: its class name, documentation and configuration type.
pub trait BuiltinTransform: Transform + Sized + 'static {
    /// Java's class name.
    const CLASS: &'static str;
    /// Java's `OVERVIEW_DOC`.
    const DOC: &'static str;
    /// The configuration (`#[derive(ConnectConfig)]`).
    type Config: ConnectConfig;
    /// The configured transformation; an error here is a CONFIG error of the connector.
    fn new(config: Self::Config) -> Result<Self, TransformError>;
}

/// [`BuiltinTransform::CLASS`] of a transformation with a `$Key` and a `$Value` variant:
/// `key_or_value_class!(KEY, "Cast")` is `org.apache.kafka.connect.transforms.Cast$Key` where
/// `KEY`, else `...Cast$Value`.
macro_rules! key_or_value_class {
    ($key:expr, $name:literal) => {
        if $key {
            concat!("org.apache.kafka.connect.transforms.", $name, "$Key")
        } else {
            concat!("org.apache.kafka.connect.transforms.", $name, "$Value")
        }
    };
}
pub(crate) use key_or_value_class;

/// A built-in predicate, as [`BuiltinTransform`].
pub trait BuiltinPredicate: Predicate + Sized + 'static {
    /// Java's class name.
    const CLASS: &'static str;
    /// Java's `OVERVIEW_DOC`.
    const DOC: &'static str;
    /// The configuration (`#[derive(ConnectConfig)]`).
    type Config: ConnectConfig;
    /// The configured predicate.
    fn new(config: Self::Config) -> Result<Self, TransformError>;
}

fn build_transform<T: BuiltinTransform>(
    raw: &ConfigMap,
) -> Result<Box<dyn Transform>, ConnectError> {
    let config = T::Config::parse(raw)?;
    let t = T::new(config).map_err(|e| ConnectError::config(e.message))?;
    Ok(Box::new(t))
}

fn build_predicate<T: BuiltinPredicate>(
    raw: &ConfigMap,
) -> Result<Box<dyn Predicate>, ConnectError> {
    let config = T::Config::parse(raw)?;
    let p = T::new(config).map_err(|e| ConnectError::config(e.message))?;
    Ok(Box::new(p))
}

/// The registry entry of transformation `T`.
pub const fn transformation<T: BuiltinTransform>() -> Builtin {
    Builtin {
        class: T::CLASS,
        kind: BuiltinKind::Transformation,
        doc: T::DOC,
        config_def: <T::Config as ConnectConfig>::config_def,
        validate: <T::Config as ConnectConfig>::validate,
        build: Build::Transform(build_transform::<T>),
    }
}

/// The registry entry of predicate `P`.
pub const fn predicate<P: BuiltinPredicate>() -> Builtin {
    Builtin {
        class: P::CLASS,
        kind: BuiltinKind::Predicate,
        doc: P::DOC,
        config_def: <P::Config as ConnectConfig>::config_def,
        validate: <P::Config as ConnectConfig>::validate,
        build: Build::Predicate(build_predicate::<P>),
    }
}

/// Every built-in class, transformations first, each family's `$Key` before `$Value`.
pub static BUILTINS: &[Builtin] = &[
    transformation::<super::filter::Filter>(),
    transformation::<super::regex_router::RegexRouter>(),
    transformation::<super::insert_field::InsertFieldKey>(),
    transformation::<super::insert_field::InsertFieldValue>(),
    transformation::<super::replace_field::ReplaceFieldKey>(),
    transformation::<super::replace_field::ReplaceFieldValue>(),
    transformation::<super::mask_field::MaskFieldKey>(),
    transformation::<super::mask_field::MaskFieldValue>(),
    transformation::<super::value_to_key::ValueToKey>(),
    transformation::<super::hoist_field::HoistFieldKey>(),
    transformation::<super::hoist_field::HoistFieldValue>(),
    transformation::<super::extract_field::ExtractFieldKey>(),
    transformation::<super::extract_field::ExtractFieldValue>(),
    transformation::<super::set_schema_metadata::SetSchemaMetadataKey>(),
    transformation::<super::set_schema_metadata::SetSchemaMetadataValue>(),
    transformation::<super::flatten::FlattenKey>(),
    transformation::<super::flatten::FlattenValue>(),
    transformation::<super::drop_headers::DropHeaders>(),
    transformation::<super::insert_header::InsertHeader>(),
    transformation::<super::header_from::HeaderFromKey>(),
    transformation::<super::header_from::HeaderFromValue>(),
    transformation::<super::cast::CastKey>(),
    transformation::<super::cast::CastValue>(),
    transformation::<super::timestamp_converter::TimestampConverterKey>(),
    transformation::<super::timestamp_converter::TimestampConverterValue>(),
    transformation::<super::timestamp_router::TimestampRouter>(),
    predicate::<super::predicates::TopicNameMatches>(),
    predicate::<super::predicates::HasHeaderKey>(),
    predicate::<super::predicates::RecordIsTombstone>(),
];

/// Kafka's built-in classes this host does not provide yet. A connector naming one is refused
/// with "not supported yet", never run without it.
pub const NOT_YET: &[&str] = &[];

/// The built-in class `name` names: its full class name or its simple name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    let name = name.trim();
    BUILTINS
        .iter()
        .find(|b| b.class == name || b.simple_name() == name)
}

/// Whether `name` (full or simple) is one of Kafka's classes listed in [`NOT_YET`].
pub fn not_yet_supported(name: &str) -> Option<&'static str> {
    let name = name.trim();
    NOT_YET
        .iter()
        .copied()
        .find(|c| *c == name || c.rsplit('.').next() == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_found_by_full_and_simple_name() {
        let full = lookup("org.apache.kafka.connect.transforms.RegexRouter").unwrap();
        assert_eq!(full.kind, BuiltinKind::Transformation);
        assert_eq!(lookup("RegexRouter").unwrap().class, full.class);
        assert_eq!(
            lookup("TopicNameMatches").unwrap().kind,
            BuiltinKind::Predicate
        );
        assert!(lookup("com.example.Nope").is_none());
        // Whichever classes are still missing are found by their simple names too.
        for class in NOT_YET {
            let simple = class.rsplit('.').next().unwrap_or(class);
            assert_eq!(not_yet_supported(simple), Some(*class));
        }
        assert_eq!(
            lookup("Cast$Value").unwrap().kind,
            BuiltinKind::Transformation
        );
    }

    #[test]
    fn no_class_is_both_provided_and_not_yet_supported() {
        for b in BUILTINS {
            assert!(not_yet_supported(b.class).is_none(), "{}", b.class);
        }
    }
}
