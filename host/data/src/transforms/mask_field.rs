//! `org.apache.kafka.connect.transforms.MaskField$Key` and `$Value`: replace the named fields of
//! a `Struct` or schemaless `Map` with their type's "null" value (`0`, `false`, `""`, epoch,
//! empty list or map) or with `replacement` converted to the field's type, as Java chooses by
//! the class of the value. Unlike most transformations, a null key or value is an error (as in
//! Kafka 4.3: `requireMap`/`requireStruct` run first).

use std::collections::HashSet;

use connect_plugin_api::ConnectConfig;
use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap};

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::config_checks::{
    Checked, ExtraChecks, REPLACE_NULL_WITH_DEFAULT_DOC, java_list, java_string,
    validate_non_duplicate_list,
};
use super::connect_schema::validate_value;
use super::data::Value;
use super::record::TransformRecord;
use super::requirements::{require_map, require_struct, struct_get};
use super::transform::{Transform, TransformError};
use crate::convert::decimal::{text_to_unscaled, unscaled_to_text};
use crate::convert::schema::{DECIMAL, Schema, Type};

/// Kafka's `OVERVIEW_DOC`.
const DOC: &str = "Mask specified fields with a valid null value for the field type (i.e. 0, false, empty string, and so on).<p/>For numeric and string fields, an optional replacement value can be specified that is converted to the correct type.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.MaskField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.MaskField$Value</code>).";

/// The `purpose` in Kafka's messages.
const PURPOSE: &str = "mask fields";

/// Kafka's keys, in its order, as the SDK checks them; [`MaskFieldConfig`] adds the list
/// validator.
#[derive(Debug, ConnectConfig)]
pub struct MaskFieldKeys {
    /// `fields`.
    #[config(
        ty = "LIST",
        importance = "high",
        doc = "Names of fields to mask.",
        parse_with = "java_list"
    )]
    pub fields: Vec<String>,
    /// `replacement`.
    #[config(
        importance = "low",
        non_empty,
        doc = "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
        parse_with = "java_string"
    )]
    pub replacement: Option<String>,
    /// `replace.null.with.default`.
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

/// `ValidList.anyNonDuplicateValues(false, false)` on `fields`, which the SDK has no kind for.
impl ExtraChecks for MaskFieldKeys {
    fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef) {
        validate_non_duplicate_list(reports, raw, def, "fields", false);
    }
}

/// The configuration: [`MaskFieldKeys`] with its [`ExtraChecks`].
pub type MaskFieldConfig = Checked<MaskFieldKeys>;

/// A number as Java's `new BigDecimal(String)` reads it: `digits × 10^-scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct JavaDecimal {
    negative: bool,
    /// The significand's ASCII digits, leading zeros included.
    digits: String,
    scale: i32,
}

/// Whether `s` is one or more ASCII digits.
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl JavaDecimal {
    /// `new BigDecimal(s)`: optional sign, digits with at most one point (a digit on at least
    /// one side), optional exponent; the exponent and the resulting scale must fit an `int`.
    /// `None` where Java throws `NumberFormatException`. (Java also takes non-ASCII digits.)
    fn parse(s: &str) -> Option<JavaDecimal> {
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (significand, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int, frac) = significand.split_once('.').unwrap_or((significand, ""));
        let digits = format!("{int}{frac}");
        if !all_digits(&digits) {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let (sign, d) = match e.as_bytes().first() {
                    Some(b'-') => (-1, &e[1..]),
                    Some(b'+') => (1, &e[1..]),
                    _ => (1, e),
                };
                if !all_digits(d) {
                    return None;
                }
                let d = d.trim_start_matches('0');
                // Java refuses more than ten significant exponent digits, then an overflow.
                if d.len() > 10 {
                    return None;
                }
                let n: i64 = if d.is_empty() { 0 } else { d.parse().ok()? };
                i32::try_from(sign * n).ok()?.into()
            }
        };
        let scale = i64::try_from(frac.len()).ok()? - exponent;
        Some(JavaDecimal {
            negative,
            digits,
            scale: i32::try_from(scale).ok()?,
        })
    }

    /// `BigDecimal.longValue()`: the integer part, truncated toward zero, in its low 64 bits.
    fn long_value(&self) -> i64 {
        let int_digits = if self.scale > 0 {
            let cut = usize::try_from(self.scale).unwrap_or(usize::MAX);
            &self.digits[..self.digits.len().saturating_sub(cut)]
        } else {
            &self.digits[..]
        };
        let mut v: u64 = int_digits.bytes().fold(0u64, |acc, b| {
            acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
        });
        if self.scale < 0 {
            v = v.wrapping_mul(10u64.wrapping_pow(self.scale.unsigned_abs()));
        }
        let v = v as i64;
        if self.negative { v.wrapping_neg() } else { v }
    }

    /// `BigDecimal.doubleValue()`: the nearest double (Rust's parsing rounds correctly, as
    /// Java's does); a zero is `+0.0`, since a `BigDecimal` has no negative zero.
    fn double_value(&self) -> f64 {
        if self.digits.bytes().all(|b| b == b'0') {
            return 0.0;
        }
        let sign = if self.negative { "-" } else { "" };
        let text = format!("{sign}{}e{}", self.digits, -i64::from(self.scale));
        text.parse().unwrap_or(f64::NAN)
    }

    /// The plain decimal text of this number at `scale` (the data model's form of a Decimal:
    /// the schema's scale), `text` being how it was written; an error if that would drop
    /// non-zero digits. `None`: the number's own scale (at least 0), as `toPlainString` shows it.
    fn text_at(&self, text: &str, scale: Option<i32>) -> Result<String, TransformError> {
        let scale = scale.unwrap_or(self.scale.max(0));
        let unscaled = text_to_unscaled(text, scale).map_err(TransformError::new)?;
        Ok(unscaled_to_text(&unscaled, scale))
    }
}

/// `replacement` and what it converts to, worked out once.
#[derive(Debug)]
struct Replacement {
    text: String,
    number: Option<JavaDecimal>,
}

impl Replacement {
    /// Java's `Values.convertToLong(null, text)` and the narrower integer conversions (which
    /// keep the low bits).
    fn long(&self) -> Result<i64, TransformError> {
        self.number
            .as_ref()
            .map(JavaDecimal::long_value)
            .ok_or_else(|| self.not_a_number())
    }

    /// `Values.convertToDouble(null, text)` (and `(float)` of it for `convertToFloat`).
    fn double(&self) -> Result<f64, TransformError> {
        self.number
            .as_ref()
            .map(JavaDecimal::double_value)
            .ok_or_else(|| self.not_a_number())
    }

    fn not_a_number(&self) -> TransformError {
        TransformError::new(format!(
            "Unable to convert {} (class java.lang.String) to a number",
            self.text
        ))
    }

    /// `new BigDecimal(text)`, at the Decimal schema's scale where there is one.
    fn decimal(&self, schema: Option<&Schema>) -> Result<Value, TransformError> {
        let number = self.number.as_ref().ok_or_else(|| {
            TransformError::new(format!(
                "Unable to convert {} (class java.lang.String) to number",
                self.text
            ))
        })?;
        Ok(Value::Decimal(
            number.text_at(&self.text, decimal_scale(schema))?,
        ))
    }
}

/// The scale of a Decimal schema, if `schema` is one.
fn decimal_scale(schema: Option<&Schema>) -> Option<i32> {
    let schema = schema.filter(|s| s.name.as_deref() == Some(DECIMAL))?;
    schema.parameter("scale")?.parse().ok()
}

/// The configured transformation; `KEY` selects `$Key` (the record key) or `$Value`.
#[derive(Debug)]
pub struct MaskField<const KEY: bool> {
    /// The names, in configuration order (Java's set has no order; unique by validation).
    fields: Vec<String>,
    /// The same names, for lookups per struct field.
    masked: HashSet<String>,
    replacement: Option<Replacement>,
    replace_null_with_default: bool,
}

/// `MaskField$Key`.
pub type MaskFieldKey = MaskField<true>;
/// `MaskField$Value`.
pub type MaskFieldValue = MaskField<false>;

impl<const KEY: bool> BuiltinTransform for MaskField<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "MaskField");
    const DOC: &'static str = DOC;
    type Config = MaskFieldConfig;

    fn new(Checked(c): MaskFieldConfig) -> Result<Self, TransformError> {
        let mut fields: Vec<String> = Vec::with_capacity(c.fields.len());
        for f in c.fields {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
        Ok(MaskField {
            masked: fields.iter().cloned().collect(),
            fields,
            replacement: c.replacement.map(|text| Replacement {
                number: JavaDecimal::parse(&text),
                text,
            }),
            replace_null_with_default: c.replace_null_with_default,
        })
    }
}

impl<const KEY: bool> MaskField<KEY> {
    /// `masked`: null stays null; otherwise the null value or the replacement for the value's
    /// class. `schema` (the field's, if any) gives a Decimal its scale.
    fn masked(&self, value: Value, schema: Option<&Schema>) -> Result<Value, TransformError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match &self.replacement {
            None => null_value(&value, schema),
            Some(r) => Ok(match value {
                Value::Int8(_) => Value::Int8(r.long()? as i8),
                Value::Int16(_) => Value::Int16(r.long()? as i16),
                Value::Int32(_) => Value::Int32(r.long()? as i32),
                Value::Int64(_) => Value::Int64(r.long()?),
                Value::Float32(_) => Value::Float32(r.double()? as f32),
                Value::Float64(_) => Value::Float64(r.double()?),
                Value::String(_) => Value::String(r.text.clone()),
                Value::Decimal(_) => r.decimal(schema)?,
                other => {
                    return Err(TransformError::new(format!(
                        "Cannot mask value of type class {} with custom replacement.",
                        other.java_class()
                    )));
                }
            }),
        }
    }
}

/// The "null" value of a value's class (`PRIMITIVE_VALUE_MAPPING`, then empty list or map).
fn null_value(value: &Value, schema: Option<&Schema>) -> Result<Value, TransformError> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        Value::String(_) => Value::String(String::new()),
        Value::Decimal(_) => {
            // `BigDecimal.ZERO`, at the schema's scale (the data model keeps a Decimal at it).
            let scale = decimal_scale(schema).unwrap_or(0);
            let unscaled = text_to_unscaled("0", scale).map_err(TransformError::new)?;
            Value::Decimal(unscaled_to_text(&unscaled, scale))
        }
        Value::Date(_) => Value::Date(0),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(TransformError::new(format!(
                "Cannot mask value of type: class {}",
                other.java_class()
            )));
        }
    })
}

impl<const KEY: bool> Transform for MaskField<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let datum = record.operand_mut(KEY);
        match datum.schema.clone() {
            None => {
                require_map(&datum.value, PURPOSE)?;
                if let Value::Map(entries) = &mut datum.value {
                    for name in &self.fields {
                        let at = entries
                            .iter()
                            .position(|(k, _)| matches!(k, Value::String(s) if s == name));
                        match at {
                            Some(i) => {
                                let v = std::mem::replace(&mut entries[i].1, Value::Null);
                                entries[i].1 = self.masked(v, None)?;
                            }
                            // Java puts the masked absent value: a null entry.
                            None => entries.push((Value::String(name.clone()), Value::Null)),
                        }
                    }
                }
            }
            Some(schema) => {
                require_struct(&schema, &datum.value, PURPOSE)?;
                if let (Type::Struct(fields), Value::Struct(values)) =
                    (&schema.ty, &mut datum.value)
                {
                    for ((name, field_schema), v) in fields.iter().zip(values.iter_mut()) {
                        if v.is_null() {
                            *v = struct_get(field_schema, v, self.replace_null_with_default);
                        }
                        if self.masked.contains(name) {
                            let original = std::mem::replace(v, Value::Null);
                            *v = self.masked(original, Some(field_schema))?;
                        }
                        validate_value(Some(name), field_schema, v)?;
                    }
                }
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::convert::schema::{DATE, TIME, TIMESTAMP};
    use crate::transforms::data::Datum;
    use crate::transforms::requirements::{decimal_schema, logical_schema, schema_of};
    use crate::transforms::test_support::*;

    /// Java's test schema and values (`SCHEMA`, `VALUES_WITH_SCHEMA`).
    fn with_schema() -> (Arc<Schema>, Value) {
        let schema = struct_schema(vec![
            ("magic", schema_of(Type::Int32)),
            ("bool", schema_of(Type::Boolean)),
            ("byte", schema_of(Type::Int8)),
            ("short", schema_of(Type::Int16)),
            ("int", schema_of(Type::Int32)),
            ("long", schema_of(Type::Int64)),
            ("float", schema_of(Type::Float32)),
            ("double", schema_of(Type::Float64)),
            ("string", schema_of(Type::String)),
            ("date", logical_schema(Type::Int32, DATE)),
            ("time", logical_schema(Type::Int32, TIME)),
            ("timestamp", logical_schema(Type::Int64, TIMESTAMP)),
            ("decimal", decimal_schema(0)),
            (
                "array",
                schema_of(Type::Array(Box::new(schema_of(Type::Int32)))),
            ),
            (
                "map",
                schema_of(Type::Map(
                    Box::new(schema_of(Type::String)),
                    Box::new(schema_of(Type::String)),
                )),
            ),
            (
                "withDefault",
                with_default(optional(schema_of(Type::String)), "\"default\""),
            ),
        ]);
        let value = Value::Struct(vec![
            Value::Int32(42),
            Value::Boolean(true),
            Value::Int8(42),
            Value::Int16(42),
            Value::Int32(42),
            Value::Int64(42),
            Value::Float32(42.0),
            Value::Float64(42.0),
            Value::String("hmm".into()),
            Value::Date(1_700_000_000_000 / 86_400_000 * 86_400_000),
            Value::Date(3_600_000),
            Value::Date(1_700_000_000_000),
            Value::Decimal("42".into()),
            Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]),
            Value::Map(vec![(
                Value::String("what".into()),
                Value::String("what".into()),
            )]),
            Value::Null,
        ]);
        (Arc::new(schema), value)
    }

    /// Java's schemaless test values (`VALUES`; no `BigInteger` in this data model).
    fn schemaless() -> Value {
        map(vec![
            ("magic", Value::Int32(42)),
            ("bool", Value::Boolean(true)),
            ("byte", Value::Int8(42)),
            ("short", Value::Int16(42)),
            ("int", Value::Int32(42)),
            ("long", Value::Int64(42)),
            ("float", Value::Float32(42.0)),
            ("double", Value::Float64(42.0)),
            ("string", Value::String("55.121.20.20".into())),
            ("date", Value::Date(1_700_000_000_000)),
            ("bigdec", Value::Decimal("42.0".into())),
            ("list", Value::Array(vec![Value::Int32(42)])),
            ("map", map(vec![("key", Value::String("value".into()))])),
        ])
    }

    fn transform(fields: &[&str], replacement: Option<&str>) -> MaskFieldValue {
        let fields = fields.join(",");
        let mut pairs = vec![
            ("fields", fields.as_str()),
            ("replace.null.with.default", "false"),
        ];
        if let Some(r) = replacement {
            pairs.push(("replacement", r));
        }
        build(&pairs).unwrap()
    }

    fn mask(fields: &[&str], replacement: Option<&str>, value: Datum) -> Result<Datum, String> {
        transform(fields, replacement)
            .apply(sink_record(Datum::NULL, value))
            .map(|r| r.map(|r| r.value).unwrap_or(Datum::NULL))
            .map_err(|e| e.message)
    }

    /// The masked value of one field of the schemaless values.
    fn schemaless_replacement(field: &str, replacement: &str) -> Result<Value, String> {
        let out = mask(&[field], Some(replacement), Datum::schemaless(schemaless()))?;
        Ok(out.value.map_get(field).cloned().unwrap_or(Value::Null))
    }

    /// The masked value of one field of the struct values.
    fn struct_replacement(field: &str, replacement: &str) -> Result<Value, String> {
        let (schema, value) = with_schema();
        let out = mask(&[field], Some(replacement), datum(&schema, value))?;
        Ok(field_value(&schema, &out.value, field)
            .cloned()
            .unwrap_or(Value::Null))
    }

    #[test]
    fn schemaless_null_values() {
        let names = [
            "bool", "byte", "short", "int", "long", "float", "double", "string", "date", "bigdec",
            "list", "map",
        ];
        let out = mask(&names, None, Datum::schemaless(schemaless())).unwrap();
        assert_eq!(
            out.value,
            map(vec![
                ("magic", Value::Int32(42)),
                ("bool", Value::Boolean(false)),
                ("byte", Value::Int8(0)),
                ("short", Value::Int16(0)),
                ("int", Value::Int32(0)),
                ("long", Value::Int64(0)),
                ("float", Value::Float32(0.0)),
                ("double", Value::Float64(0.0)),
                ("string", Value::String(String::new())),
                ("date", Value::Date(0)),
                ("bigdec", Value::Decimal("0".into())),
                ("list", Value::Array(vec![])),
                ("map", Value::Map(vec![])),
            ])
        );
        assert!(out.schema.is_none());
    }

    #[test]
    fn with_schema_null_values() {
        let (schema, value) = with_schema();
        let names: Vec<&str> = schema
            .fields()
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| *n != "magic")
            .collect();
        let out = mask(&names, None, datum(&schema, value)).unwrap();
        // The schema is the same.
        assert!(Arc::ptr_eq(out.schema.as_ref().unwrap(), &schema));
        assert_eq!(
            out.value,
            Value::Struct(vec![
                Value::Int32(42),
                Value::Boolean(false),
                Value::Int8(0),
                Value::Int16(0),
                Value::Int32(0),
                Value::Int64(0),
                Value::Float32(0.0),
                Value::Float64(0.0),
                Value::String(String::new()),
                Value::Date(0),
                Value::Date(0),
                Value::Date(0),
                Value::Decimal("0".into()),
                Value::Array(vec![]),
                Value::Map(vec![]),
                // replace.null.with.default=false: the null stays (and is not masked).
                Value::Null,
            ])
        );
    }

    #[test]
    fn replace_null_with_default_masks_the_default() {
        let (schema, value) = with_schema();
        let mut t: MaskFieldValue = build(&[("fields", "withDefault")]).unwrap();
        let out = t
            .apply(sink_record(Datum::NULL, datum(&schema, value)))
            .unwrap()
            .unwrap();
        assert_eq!(
            field_value(&schema, &out.value.value, "withDefault"),
            Some(&Value::String(String::new()))
        );
    }

    #[test]
    fn schemaless_with_replacement() {
        for (field, replacement, expected) in [
            ("short", "123", Value::Int16(123)),
            ("byte", "123", Value::Int8(123)),
            ("int", "123", Value::Int32(123)),
            ("long", "123", Value::Int64(123)),
            ("float", "123.0", Value::Float32(123.0)),
            ("double", "123.0", Value::Float64(123.0)),
            ("string", "123", Value::String("123".into())),
            ("bigdec", "123.0", Value::Decimal("123.0".into())),
        ] {
            assert_eq!(
                schemaless_replacement(field, replacement),
                Ok(expected),
                "{field}"
            );
        }
    }

    #[test]
    fn with_schema_and_replacement() {
        for (field, replacement, expected) in [
            ("short", "123", Value::Int16(123)),
            ("byte", "123", Value::Int8(123)),
            ("int", "123", Value::Int32(123)),
            ("long", "123", Value::Int64(123)),
            ("float", "123.0", Value::Float32(123.0)),
            ("double", "123.0", Value::Float64(123.0)),
            ("string", "123", Value::String("123".into())),
            // At the schema's scale (0): Java keeps `123.0`'s own scale.
            ("decimal", "123.0", Value::Decimal("123".into())),
        ] {
            assert_eq!(
                struct_replacement(field, replacement),
                Ok(expected),
                "{field}"
            );
        }
        assert_eq!(
            struct_replacement("decimal", "123.5").unwrap_err(),
            "BigDecimal has mismatching scale value for given Decimal schema (123.5 has more than 0 fractional digits)"
        );
    }

    #[test]
    fn unsupported_replacement_types() {
        let date = "Tue Dec 02 14:26:00 UTC 2025";
        assert_eq!(
            schemaless_replacement("date", date).unwrap_err(),
            "Cannot mask value of type class java.util.Date with custom replacement."
        );
        let out = mask(
            &["int", "date"],
            Some(date),
            Datum::schemaless(schemaless()),
        );
        assert!(out.is_err());
        assert_eq!(
            schemaless_replacement("bool", "false").unwrap_err(),
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
        assert_eq!(
            schemaless_replacement("list", "[123]").unwrap_err(),
            "Cannot mask value of type class java.util.ArrayList with custom replacement."
        );
        assert_eq!(
            schemaless_replacement("map", "{123=321}").unwrap_err(),
            "Cannot mask value of type class java.util.HashMap with custom replacement."
        );
        for field in ["time", "timestamp"] {
            assert_eq!(
                struct_replacement(field, date).unwrap_err(),
                "Cannot mask value of type class java.util.Date with custom replacement."
            );
        }
        assert_eq!(
            struct_replacement("array", "[123]").unwrap_err(),
            "Cannot mask value of type class java.util.ArrayList with custom replacement."
        );
    }

    #[test]
    fn replacement_type_mismatch() {
        for field in ["byte", "short", "int", "long", "float", "double"] {
            assert_eq!(
                schemaless_replacement(field, "foo").unwrap_err(),
                "Unable to convert foo (class java.lang.String) to a number",
                "{field}"
            );
        }
        assert_eq!(
            schemaless_replacement("bigdec", "foo").unwrap_err(),
            "Unable to convert foo (class java.lang.String) to number"
        );
        assert!(schemaless_replacement("int", "java.lang.Object@1b6d3586").is_err());
        assert_eq!(
            mask(
                &["string", "int"],
                Some("foo"),
                Datum::schemaless(schemaless())
            )
            .unwrap_err(),
            "Unable to convert foo (class java.lang.String) to a number"
        );
    }

    #[test]
    fn replacements_convert_as_java_values_does() {
        // Each expected value is what Kafka 4.3.1's MaskField gives.
        for (field, replacement, expected) in [
            ("byte", "300", Value::Int8(44)),
            ("long", "1e20", Value::Int64(7_766_279_631_452_241_920)),
            ("long", "-123.9", Value::Int64(-123)),
            ("int", "+5", Value::Int32(5)),
            ("int", ".5", Value::Int32(0)),
            ("int", "5.", Value::Int32(5)),
            ("int", "1E+2", Value::Int32(100)),
            ("int", "1e-5", Value::Int32(0)),
            ("double", "1e400", Value::Float64(f64::INFINITY)),
            ("double", "1e-400", Value::Float64(0.0)),
            ("double", "-0", Value::Float64(0.0)),
            ("float", "0.1", Value::Float32(0.1)),
            ("float", "16777217", Value::Float32(16_777_216.0)),
            ("bigdec", "1E+3", Value::Decimal("1000".into())),
            ("bigdec", "-0.00", Value::Decimal("0.00".into())),
            (
                "long",
                "99999999999999999999999",
                Value::Int64(200_376_420_520_689_663),
            ),
            ("long", "1e2147483647", Value::Int64(0)),
        ] {
            let got = schemaless_replacement(field, replacement);
            assert_eq!(got, Ok(expected), "{field} {replacement}");
        }
        for (field, replacement) in [
            ("int", "0x10"),
            ("double", "NaN"),
            ("long", "1e2147483648"),
            ("long", "1e-2147483648"),
            ("int", "1e"),
            ("int", "."),
            ("int", "1 000"),
        ] {
            assert!(
                schemaless_replacement(field, replacement).is_err(),
                "{field} {replacement}"
            );
        }
        assert_eq!(
            schemaless_replacement("double", "-0")
                .ok()
                .and_then(|v| match v {
                    Value::Float64(f) => Some(f.is_sign_negative()),
                    _ => None,
                }),
            Some(false)
        );
    }

    #[test]
    fn values_java_cannot_mask() {
        let value = map(vec![("f", Value::Bytes(vec![1]))]);
        assert_eq!(
            mask(&["f"], None, Datum::schemaless(value.clone())).unwrap_err(),
            "Cannot mask value of type: class [B"
        );
        assert_eq!(
            mask(&["f"], Some("x"), Datum::schemaless(value)).unwrap_err(),
            "Cannot mask value of type class [B with custom replacement."
        );
        let inner = struct_schema(vec![("x", schema_of(Type::Int32))]);
        let schema = Arc::new(struct_schema(vec![("st", inner)]));
        let value = Value::Struct(vec![Value::Struct(vec![Value::Int32(1)])]);
        assert_eq!(
            mask(&["st"], None, datum(&schema, value)).unwrap_err(),
            "Cannot mask value of type: class org.apache.kafka.connect.data.Struct"
        );
    }

    #[test]
    fn absent_fields_and_null_values() {
        // Schemaless, an absent field is put as null.
        let out = mask(
            &["f"],
            None,
            Datum::schemaless(map(vec![("g", Value::Int64(1))])),
        )
        .unwrap();
        assert_eq!(
            out.value,
            map(vec![("g", Value::Int64(1)), ("f", Value::Null)])
        );
        // A null key or value is not passed through: Kafka requires a map or a struct.
        assert_eq!(
            mask(&["f"], None, Datum::NULL).unwrap_err(),
            "Only Map objects supported in absence of schema for [mask fields], found: null"
        );
        let (schema, _) = with_schema();
        assert_eq!(
            mask(&["f"], None, datum(&schema, Value::Null)).unwrap_err(),
            "Only Struct objects supported for [mask fields], found: null"
        );
    }

    #[test]
    fn key_variant_masks_the_key() {
        let mut t: MaskFieldKey = build(&[("fields", "id"), ("replacement", "7")]).unwrap();
        let schema = Arc::new(struct_schema(vec![("id", schema_of(Type::Int64))]));
        let value = Datum::schemaless(Value::String("v".into()));
        let r = sink_record(
            datum(&schema, Value::Struct(vec![Value::Int64(1)])),
            value.clone(),
        );
        let out = t.apply(r).unwrap().unwrap();
        assert_eq!(out.key.value, Value::Struct(vec![Value::Int64(7)]));
        assert_eq!(out.value, value);
    }

    #[test]
    fn decimal_masks_keep_the_schema_scale() {
        let schema = Arc::new(struct_schema(vec![("d", decimal_schema(2))]));
        let value = Value::Struct(vec![Value::Decimal("1.25".into())]);
        let masked = |r| mask(&["d"], r, datum(&schema, value.clone())).map(|d| d.value);
        assert_eq!(
            masked(None),
            Ok(Value::Struct(vec![Value::Decimal("0.00".into())]))
        );
        assert_eq!(
            masked(Some("1.5")),
            Ok(Value::Struct(vec![Value::Decimal("1.50".into())]))
        );
    }

    #[test]
    fn configuration_errors_are_kafkas() {
        assert_eq!(
            validation_errors::<MaskFieldValue>(&[]),
            [
                "Missing required configuration \"fields\" which has no default value.",
                "Configuration 'fields' values must not be null.",
            ]
        );
        assert_eq!(
            validation_errors::<MaskFieldValue>(&[("fields", "")]),
            ["Configuration 'fields' must not be empty. Valid values include: any non-empty value"]
        );
        assert_eq!(
            validation_errors::<MaskFieldValue>(&[("fields", "a,"), ("replacement", "")]),
            [
                "Configuration 'fields' values must not be empty.",
                "Invalid value  for configuration replacement: String must be non-empty",
            ]
        );
        assert_eq!(
            validation_errors::<MaskFieldKey>(&[("fields", "a, a")]),
            ["Configuration 'fields' values must not be duplicated."]
        );
        let e = build::<MaskFieldValue>(&[("fields", "short"), ("replacement", "")]).unwrap_err();
        assert!(e.contains("String must be non-empty"), "{e}");
        let def = MaskFieldConfig::config_def();
        let names: Vec<&str> = def.keys().iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            ["fields", "replacement", "replace.null.with.default"]
        );
        assert!(def.keys()[0].required);
    }

    #[test]
    fn java_decimal_grammar() {
        let d = |s| JavaDecimal::parse(s);
        assert_eq!(
            d("-12.50e-1"),
            Some(JavaDecimal {
                negative: true,
                digits: "1250".into(),
                scale: 3
            })
        );
        assert_eq!(d("1e0000000000005").map(|x| x.scale), Some(-5));
        for bad in [
            "", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", " 1", "Infinity", "1_0",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }
}
