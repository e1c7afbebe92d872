//! Configuration definitions and validation results, in Kafka Connect's `ConfigDef` shape, so the
//! host can serve `GET /connector-plugins/{p}/config` and `PUT …/config/validate` unchanged.

use super::ext::Extensions;
use abi_stable::{
    StableAbi,
    std_types::{ROption, RString, RVec},
};

/// A `ConfigDef.Type`.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConfigType(pub u8);

impl ConfigType {
    /// `BOOLEAN`
    pub const BOOLEAN: ConfigType = ConfigType(1);
    /// `STRING`
    pub const STRING: ConfigType = ConfigType(2);
    /// `INT` (32-bit)
    pub const INT: ConfigType = ConfigType(3);
    /// `SHORT` (16-bit)
    pub const SHORT: ConfigType = ConfigType(4);
    /// `LONG` (64-bit)
    pub const LONG: ConfigType = ConfigType(5);
    /// `DOUBLE`
    pub const DOUBLE: ConfigType = ConfigType(6);
    /// `LIST` (comma-separated)
    pub const LIST: ConfigType = ConfigType(7);
    /// `CLASS` (a class name)
    pub const CLASS: ConfigType = ConfigType(8);
    /// `PASSWORD` (hidden in REST output)
    pub const PASSWORD: ConfigType = ConfigType(9);

    /// Kafka Connect's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::BOOLEAN => "BOOLEAN",
            Self::STRING => "STRING",
            Self::INT => "INT",
            Self::SHORT => "SHORT",
            Self::LONG => "LONG",
            Self::DOUBLE => "DOUBLE",
            Self::LIST => "LIST",
            Self::CLASS => "CLASS",
            Self::PASSWORD => "PASSWORD",
            _ => "STRING",
        }
    }
}

/// A `ConfigDef.Importance`.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Importance(pub u8);

impl Importance {
    /// `HIGH`
    pub const HIGH: Importance = Importance(1);
    /// `MEDIUM`
    pub const MEDIUM: Importance = Importance(2);
    /// `LOW`
    pub const LOW: Importance = Importance(3);

    /// Kafka Connect's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::HIGH => "HIGH",
            Self::MEDIUM => "MEDIUM",
            _ => "LOW",
        }
    }
}

/// A `ConfigDef.Width` (a UI hint).
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Width(pub u8);

impl Width {
    /// `NONE`
    pub const NONE: Width = Width(0);
    /// `SHORT`
    pub const SHORT: Width = Width(1);
    /// `MEDIUM`
    pub const MEDIUM: Width = Width(2);
    /// `LONG`
    pub const LONG: Width = Width(3);

    /// Kafka Connect's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::SHORT => "SHORT",
            Self::MEDIUM => "MEDIUM",
            Self::LONG => "LONG",
            _ => "NONE",
        }
    }
}

/// Which check a [`Validator`] runs.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValidatorKind(pub u8);

impl ValidatorKind {
    /// No check beyond the type.
    pub const NONE: ValidatorKind = ValidatorKind(0);
    /// `Range.between/atLeast`: numeric `min`/`max` (inclusive).
    pub const RANGE: ValidatorKind = ValidatorKind(1);
    /// `ValidString.in`: one of `values` (case-insensitive if `case_insensitive`).
    pub const ONE_OF: ValidatorKind = ValidatorKind(2);
    /// `NonEmptyString`.
    pub const NON_EMPTY: ValidatorKind = ValidatorKind(3);
    /// `ValidList.in`: every list item is one of `values`.
    pub const LIST_OF: ValidatorKind = ValidatorKind(4);
}

/// A per-key check, evaluated the same way by the host and the SDK.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Validator {
    /// Which check.
    pub kind: ValidatorKind,
    /// Lower bound for RANGE.
    pub min: ROption<f64>,
    /// Upper bound for RANGE.
    pub max: ROption<f64>,
    /// Allowed values for ONE_OF and LIST_OF.
    pub values: RVec<RString>,
    /// ONE_OF compares ignoring case.
    pub case_insensitive: bool,
    /// Validator parameters added after 2.0.
    pub ext: Extensions,
}

impl Validator {
    /// No check.
    pub fn none() -> Self {
        Self {
            kind: ValidatorKind::NONE,
            min: ROption::RNone,
            max: ROption::RNone,
            values: RVec::new(),
            case_insensitive: false,
            ext: Extensions::default(),
        }
    }
}

/// One key of a `ConfigDef`, as `GET /connector-plugins/{p}/config` shows it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConfigKeyDef {
    /// Key name.
    pub name: RString,
    /// Value type.
    pub ty: ConfigType,
    /// Default value in string form; `RNone` with `required == false` means a null default.
    pub default_value: ROption<RString>,
    /// No default: the key must be given.
    pub required: bool,
    /// Importance.
    pub importance: Importance,
    /// User documentation.
    pub documentation: RString,
    /// Group shown in UIs ("Connector", "Data Conversion", …).
    pub group: RString,
    /// Order within the group (`-1` when unset).
    pub order: i32,
    /// Width hint.
    pub width: Width,
    /// Display name.
    pub display_name: RString,
    /// Keys whose visibility/recommendations depend on this one.
    pub dependents: RVec<RString>,
    /// Value check.
    pub validator: Validator,
    /// Recommended values (shown by validate).
    pub recommended_values: RVec<RString>,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

/// The result of validating one key, as in `ConfigValue` of `PUT …/config/validate`.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct ConfigValueReport {
    /// Key name.
    pub name: RString,
    /// The value that was validated (or the default), as a string.
    pub value: ROption<RString>,
    /// Recommended values.
    pub recommended_values: RVec<RString>,
    /// Error messages; empty when valid.
    pub errors: RVec<RString>,
    /// Whether a UI should show the key.
    pub visible: bool,
    /// Fields added after 2.0.
    pub ext: Extensions,
}
