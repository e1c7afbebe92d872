//! `org.apache.kafka.connect.transforms.Cast$Key` and `Cast$Value`: cast the whole key or
//! value (`spec=int32`), or top-level fields of a struct or map (`spec=a:int64,b:string`), to
//! a primitive type, with Java's conversions (`Number` narrowing, `Integer.parseInt` and
//! friends for strings, base64 for bytes, `BigDecimal.toString`, ISO-8601 for dates).

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use connect_plugin_api::ConnectConfig;
use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{Config, ConfigDef, ConfigMap};
use connect_plugin_api::sdk::error::ConnectError;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::codec::{decode_default, encode_json};
use super::config_checks::{REPLACE_NULL_WITH_DEFAULT_DOC, java_list, java_split_colon};
use super::data::{Datum, Value};
use super::java_date::SimpleDateFormat;
use super::java_string::value_to_string;
use super::record::TransformRecord;
use super::requirements::{copy_schema_basics, require_map, require_struct, schema_of, struct_get};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::{java_list as java_list_text, trim as java_trim};
use crate::convert::schema::{DATE, Schema, TIME, TIMESTAMP, Type};

const PURPOSE: &str = "cast types";
const MS_PER_DAY: i64 = 86_400_000;

/// The types `Cast` accepts as input, as Java's `EnumSet` prints them.
const INPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";
/// The types `Cast` casts to.
const OUTPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";

/// `Values`' ISO-8601 patterns, with which a date is cast to a string.
const ISO_DATE: &str = "yyyy-MM-dd";
const ISO_TIME: &str = "HH:mm:ss.SSS'Z'";
const ISO_TIMESTAMP: &str = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

/// Kafka's keys as they are defined; [`CastConfig`] adds the `spec` validator.
#[derive(Debug, ConnectConfig)]
struct CastKeys {
    #[config(
        ty = "LIST",
        importance = "high",
        doc = "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string."
    )]
    spec: String,
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    replace_null_with_default: bool,
}

/// `Cast`'s configuration: `spec` and `replace.null.with.default`. The `spec` validator's
/// messages are Kafka's, reported as they are (not as "Invalid value …"), as Java's
/// `ConfigException`s from a validator are.
#[derive(Debug, Clone, PartialEq)]
pub struct CastConfig {
    /// What to cast.
    pub spec: CastSpec,
    /// Read a null struct field that has a default as the default.
    pub replace_null_with_default: bool,
}

impl connect_plugin_api::sdk::config::ConnectConfig for CastConfig {
    fn config_def() -> ConfigDef {
        CastKeys::config_def()
    }

    fn from_config(config: &Config) -> Result<Self, ConnectError> {
        let keys = CastKeys::from_config(config)?;
        Ok(CastConfig {
            spec: CastSpec::parse(&keys.spec).map_err(ConnectError::config)?,
            replace_null_with_default: keys.replace_null_with_default,
        })
    }

    fn validate(raw: &ConfigMap) -> Vec<ConfigValueReport> {
        let mut reports = CastKeys::validate(raw);
        if let (Some(report), Some(spec)) = (
            reports.iter_mut().find(|r| r.name.as_str() == "spec"),
            raw.get("spec"),
        ) && report.errors.is_empty()
            && let Err(e) = CastSpec::parse(spec)
        {
            report.errors.push(e.into());
        }
        reports
    }
}

/// A type to cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastType {
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `float32`.
    Float32,
    /// `float64`.
    Float64,
    /// `boolean`.
    Boolean,
    /// `string`.
    String,
}

impl CastType {
    /// `Schema.Type.valueOf(name.toUpperCase(Locale.ROOT))`, refusing the types `Cast` cannot
    /// produce, with Kafka's messages.
    fn parse(name: &str) -> Result<CastType, String> {
        Ok(match name.to_uppercase().as_str() {
            "INT8" => CastType::Int8,
            "INT16" => CastType::Int16,
            "INT32" => CastType::Int32,
            "INT64" => CastType::Int64,
            "FLOAT32" => CastType::Float32,
            "FLOAT64" => CastType::Float64,
            "BOOLEAN" => CastType::Boolean,
            "STRING" => CastType::String,
            other @ ("BYTES" | "ARRAY" | "MAP" | "STRUCT") => {
                return Err(format!(
                    "Cast transformation does not support casting to {other}; supported types are {OUTPUT_TYPES}"
                ));
            }
            _ => return Err(format!("Invalid type found in casting spec: {name}")),
        })
    }

    /// The schema type of the result.
    fn schema_type(self) -> Type {
        match self {
            CastType::Int8 => Type::Int8,
            CastType::Int16 => Type::Int16,
            CastType::Int32 => Type::Int32,
            CastType::Int64 => Type::Int64,
            CastType::Float32 => Type::Float32,
            CastType::Float64 => Type::Float64,
            CastType::Boolean => Type::Boolean,
            CastType::String => Type::String,
        }
    }
}

/// A parsed `spec`.
#[derive(Debug, Clone, PartialEq)]
pub enum CastSpec {
    /// Cast the whole key or value.
    Whole(CastType),
    /// Cast these fields (each named once; a later entry for a name replaces an earlier one).
    Fields(Vec<(String, CastType)>),
}

impl CastSpec {
    /// Parses a `spec` value as Kafka's validator does: the list split on commas (empty items
    /// kept), each item split on `:`. The error is Kafka's message.
    pub fn parse(raw: &str) -> Result<CastSpec, String> {
        // `ConfigDef`'s LIST parsing: `\s*,\s*`, trailing empty items kept.
        let Ok(items) = java_list(raw);
        if items.is_empty() {
            return Err("Must specify at least one field to cast.".into());
        }
        let mut whole = None;
        let mut fields: Vec<(String, CastType)> = Vec::new();
        for item in &items {
            let parts = java_split_colon(item);
            match parts.len() {
                0 => return Err("Index 1 out of bounds for length 0".into()),
                1 => whole = Some(CastType::parse(java_trim(parts[0]))?),
                2 => {
                    let ty = CastType::parse(java_trim(parts[1]))?;
                    let name = java_trim(parts[0]);
                    match fields.iter_mut().find(|(n, _)| n == name) {
                        Some(entry) => entry.1 = ty,
                        None => fields.push((name.to_owned(), ty)),
                    }
                }
                // Kafka reports this one as ReplaceField's (its `ConfigException` names
                // `renames`).
                _ => {
                    return Err(format!(
                        "Invalid value {} for configuration renames: Invalid rename mapping: {item}",
                        java_list_text(&items)
                    ));
                }
            }
        }
        match whole {
            Some(_) if items.len() > 1 => Err(
                "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
                    .into(),
            ),
            Some(ty) => Ok(CastSpec::Whole(ty)),
            None => Ok(CastSpec::Fields(fields)),
        }
    }

    fn field(&self, name: &str) -> Option<CastType> {
        match self {
            CastSpec::Whole(_) => None,
            CastSpec::Fields(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, t)| *t),
        }
    }
}

/// The formats `Values.dateFormatFor` picks from (in UTC).
#[derive(Debug)]
struct IsoFormats {
    date: SimpleDateFormat,
    time: SimpleDateFormat,
    timestamp: SimpleDateFormat,
}

impl IsoFormats {
    fn new() -> Result<IsoFormats, TransformError> {
        let f = |p: &str| SimpleDateFormat::new(p).map_err(TransformError::new);
        Ok(IsoFormats {
            date: f(ISO_DATE)?,
            time: f(ISO_TIME)?,
            timestamp: f(ISO_TIMESTAMP)?,
        })
    }

    /// `Values.dateFormatFor(date).format(date)`: a time below one day, a date at midnight,
    /// else a timestamp.
    fn format(&self, ms: i64) -> String {
        if ms < MS_PER_DAY {
            self.time.format(ms)
        } else if ms % MS_PER_DAY == 0 {
            self.date.format(ms)
        } else {
            self.timestamp.format(ms)
        }
    }
}

/// The configured transformation; `KEY` picks `Cast$Key` (the record key) or `Cast$Value`.
#[derive(Debug)]
pub struct Cast<const KEY: bool> {
    spec: CastSpec,
    replace_null_with_default: bool,
    cache: SchemaUpdateCache<Arc<Schema>>,
    iso: IsoFormats,
}

/// `org.apache.kafka.connect.transforms.Cast$Key`.
pub type CastKey = Cast<true>;
/// `org.apache.kafka.connect.transforms.Cast$Value`.
pub type CastValue = Cast<false>;

impl<const KEY: bool> BuiltinTransform for Cast<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "Cast");
    const DOC: &'static str = "Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a smaller width. Cast from integers, floats, boolean and string to any other type, and cast binary to string (base64 encoded).<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.Cast$Key</code>) or value (<code>org.apache.kafka.connect.transforms.Cast$Value</code>).";
    type Config = CastConfig;

    fn new(config: CastConfig) -> Result<Self, TransformError> {
        Ok(Cast {
            spec: config.spec,
            replace_null_with_default: config.replace_null_with_default,
            cache: SchemaUpdateCache::default(),
            iso: IsoFormats::new()?,
        })
    }
}

impl<const KEY: bool> Transform for Cast<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let operand = record.operand(KEY);
        // A null key or value (a tombstone) passes unchanged, schema and all.
        if operand.value.is_null() {
            return Ok(Some(record));
        }
        let updated = match &operand.schema {
            None => Datum::schemaless(self.schemaless(&operand.value)?),
            Some(schema) => self.with_schema(schema, &operand.value)?,
        };
        *record.operand_mut(KEY) = updated;
        Ok(Some(record))
    }
}

impl<const KEY: bool> Cast<KEY> {
    fn schemaless(&self, value: &Value) -> Result<Value, TransformError> {
        let casts = match &self.spec {
            CastSpec::Whole(ty) => return cast_value(&self.iso, None, value, *ty),
            CastSpec::Fields(casts) => casts,
        };
        let mut out = require_map(value, PURPOSE)?.clone();
        for (name, ty) in casts {
            // A field the map lacks is cast from null: it is added as null.
            let cast = cast_value(
                &self.iso,
                None,
                value.map_get(name).unwrap_or(&Value::Null),
                *ty,
            )?;
            match out
                .iter_mut()
                .find(|(k, _)| matches!(k, Value::String(s) if s == name))
            {
                Some((_, v)) => *v = cast,
                None => out.push((Value::String(name.clone()), cast)),
            }
        }
        Ok(Value::Map(out))
    }

    fn with_schema(
        &mut self,
        schema: &Arc<Schema>,
        value: &Value,
    ) -> Result<Datum, TransformError> {
        let updated = self
            .cache
            .get_or_try_insert(schema, |s| {
                build_schema(&self.spec, &self.iso, s).map(Arc::new)
            })?
            .clone();
        if let CastSpec::Whole(ty) = self.spec {
            let cast = cast_value(&self.iso, Some(schema), value, ty)?;
            return Ok(Datum::with_schema(updated, cast));
        }
        let (fields, values) = require_struct(schema, value, PURPOSE)?;
        let Type::Struct(updated_fields) = &updated.ty else {
            return Err(TransformError::new("Cannot list fields on non-struct type"));
        };
        let mut out = Vec::with_capacity(values.len());
        for (((name, field_schema), v), (_, updated_field)) in
            fields.iter().zip(values).zip(updated_fields)
        {
            let original = struct_get(field_schema, v, self.replace_null_with_default);
            let cast = match self.spec.field(name) {
                Some(ty) => cast_value(&self.iso, Some(field_schema), &original, ty)?,
                None => original,
            };
            // `Struct.put` checks a required field gets a value.
            if cast.is_null() && !updated_field.optional {
                return Err(TransformError::new(format!(
                    "Invalid value: null used for required field: \"{name}\", schema type: {}",
                    updated_field.ty.java_name()
                )));
            }
            out.push(cast);
        }
        Ok(Datum::with_schema(updated, Value::Struct(out)))
    }
}

/// `getOrBuildSchema`: the schema of the cast value (names, docs and parameters kept,
/// defaults cast too).
fn build_schema(
    spec: &CastSpec,
    iso: &IsoFormats,
    schema: &Schema,
) -> Result<Schema, TransformError> {
    let mut out = match spec {
        CastSpec::Whole(ty) => copy_schema_basics(schema, ty.schema_type()),
        CastSpec::Fields(_) => {
            let Type::Struct(fields) = &schema.ty else {
                return Err(TransformError::new("Cannot list fields on non-struct type"));
            };
            let mut updated = Vec::with_capacity(fields.len());
            for (name, field_schema) in fields {
                let Some(ty) = spec.field(name) else {
                    updated.push((name.clone(), field_schema.clone()));
                    continue;
                };
                let mut field = schema_of(ty.schema_type());
                field.optional = field_schema.optional;
                if let Some(default) = decode_default(field_schema) {
                    let cast = cast_value(iso, Some(field_schema), &default, ty)?;
                    field.default = Some(encode_json(&cast, &field).map_err(TransformError::new)?);
                }
                updated.push((name.clone(), field));
            }
            copy_schema_basics(schema, Type::Struct(updated))
        }
    };
    out.optional = schema.optional;
    if let Some(default) = decode_default(schema) {
        let cast = match spec {
            CastSpec::Whole(ty) => cast_value(iso, Some(schema), &default, *ty)?,
            // Java casts a struct's default to STRUCT, which no cast accepts.
            CastSpec::Fields(_) => return Err(unsupported_input(schema.ty.java_name())),
        };
        out.default = Some(encode_json(&cast, &out).map_err(TransformError::new)?);
    }
    Ok(out)
}

fn unsupported_input(ty: &str) -> TransformError {
    TransformError::new(format!(
        "Cast transformation does not support casting from {ty}; supported types are {INPUT_TYPES}"
    ))
}

/// `ConnectSchema.schemaType(value.getClass())`: the type of a schemaless value, none for a
/// `BigDecimal` or `java.util.Date`.
fn schemaless_type(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::Boolean(_) => "BOOLEAN",
        Value::Int8(_) => "INT8",
        Value::Int16(_) => "INT16",
        Value::Int32(_) => "INT32",
        Value::Int64(_) => "INT64",
        Value::Float32(_) => "FLOAT32",
        Value::Float64(_) => "FLOAT64",
        Value::String(_) => "STRING",
        Value::Bytes(_) => "BYTES",
        Value::Array(_) => "ARRAY",
        Value::Map(_) => "MAP",
        Value::Struct(_) => "STRUCT",
        Value::Null | Value::Decimal(_) | Value::Date(_) => return None,
    })
}

/// `Date`/`Time`/`Timestamp.fromLogical`: a logical value as its underlying number.
fn encode_logical(schema: &Schema, value: &Value) -> Result<Option<Value>, TransformError> {
    let logical = match schema.name.as_deref() {
        Some(name @ (DATE | TIME | TIMESTAMP)) => name,
        _ => return Ok(None),
    };
    let Value::Date(ms) = *value else {
        return Err(TransformError::new(format!(
            "class {} cannot be cast to class java.util.Date",
            value.java_class()
        )));
    };
    Ok(Some(match logical {
        DATE => {
            if ms.rem_euclid(MS_PER_DAY) != 0 {
                return Err(TransformError::new(
                    "Kafka Connect Date type should not have any time fields set to non-zero values.",
                ));
            }
            Value::Int32((ms / MS_PER_DAY) as i32)
        }
        TIME => {
            if !(0..=MS_PER_DAY).contains(&ms) {
                return Err(TransformError::new(
                    "Kafka Connect Time type should not have any date fields set to non-zero values.",
                ));
            }
            Value::Int32(ms as i32)
        }
        _ => Value::Int64(ms),
    }))
}

/// `castValueToType`: `value` (under `schema`, or schemaless) as `target`.
fn cast_value(
    iso: &IsoFormats,
    schema: Option<&Schema>,
    value: &Value,
    target: CastType,
) -> Result<Value, TransformError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let input = match schema {
        Some(s) => s.ty.java_name(),
        None => schemaless_type(value).ok_or_else(|| {
            TransformError::new(format!(
                "Cast transformation was passed a value of type class {} which is not supported by Connect's data API",
                value.java_class()
            ))
        })?,
    };
    if !matches!(
        input,
        "INT8"
            | "INT16"
            | "INT32"
            | "INT64"
            | "FLOAT32"
            | "FLOAT64"
            | "BOOLEAN"
            | "STRING"
            | "BYTES"
    ) {
        return Err(unsupported_input(input));
    }
    // Logical values become their underlying number, except for a cast to string.
    let mut value = Cow::Borrowed(value);
    if let Some(s) = schema
        && target != CastType::String
        && let Some(encoded) = encode_logical(s, &value)?
    {
        value = Cow::Owned(encoded);
    }
    let out_of_range = || {
        TransformError::new(format!(
            "Value ({}) was out of range for requested data type",
            value_to_string(&value, schema)
        ))
    };
    let unexpected = || {
        TransformError::new(format!(
            "Unexpected type in Cast transformation: class {}",
            value.java_class()
        ))
    };
    if target == CastType::String {
        return Ok(Value::String(match &*value {
            Value::Date(ms) => iso.format(*ms),
            Value::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
            other => value_to_string(other, schema),
        }));
    }
    if let Some(n) = Number::of(&value) {
        return Ok(match target {
            CastType::Int8 => Value::Int8(n.int() as i8),
            CastType::Int16 => Value::Int16(n.int() as i16),
            CastType::Int32 => Value::Int32(n.int()),
            CastType::Int64 => Value::Int64(n.long()),
            CastType::Float32 => Value::Float32(n.float()),
            CastType::Float64 => Value::Float64(n.double()),
            CastType::Boolean => Value::Boolean(n.long() != 0),
            CastType::String => return Err(unexpected()),
        });
    }
    match &*value {
        Value::Boolean(b) => Ok(match target {
            CastType::Int8 => Value::Int8(i8::from(*b)),
            CastType::Int16 => Value::Int16(i16::from(*b)),
            CastType::Int32 => Value::Int32(i32::from(*b)),
            CastType::Int64 => Value::Int64(i64::from(*b)),
            CastType::Float32 => Value::Float32(if *b { 1.0 } else { 0.0 }),
            CastType::Float64 => Value::Float64(if *b { 1.0 } else { 0.0 }),
            CastType::Boolean | CastType::String => Value::Boolean(*b),
        }),
        Value::String(s) => match target {
            CastType::Int8 => s.parse().map(Value::Int8).map_err(|_| out_of_range()),
            CastType::Int16 => s.parse().map(Value::Int16).map_err(|_| out_of_range()),
            CastType::Int32 => s.parse().map(Value::Int32).map_err(|_| out_of_range()),
            CastType::Int64 => s.parse().map(Value::Int64).map_err(|_| out_of_range()),
            CastType::Float32 => java_parse_float(s)
                .map(Value::Float32)
                .ok_or_else(out_of_range),
            CastType::Float64 => java_parse_double(s)
                .map(Value::Float64)
                .ok_or_else(out_of_range),
            // `Boolean.parseBoolean`: anything but `true` (any case) is false.
            CastType::Boolean | CastType::String => {
                Ok(Value::Boolean(s.eq_ignore_ascii_case("true")))
            }
        },
        _ => Err(unexpected()),
    }
}

/// A Java `Number`: a boxed primitive or a `BigDecimal` (as its text).
enum Number<'a> {
    Integral(i64),
    Float(f32),
    Double(f64),
    Decimal(&'a str),
}

impl<'a> Number<'a> {
    fn of(value: &'a Value) -> Option<Number<'a>> {
        Some(match value {
            Value::Int8(n) => Number::Integral(i64::from(*n)),
            Value::Int16(n) => Number::Integral(i64::from(*n)),
            Value::Int32(n) => Number::Integral(i64::from(*n)),
            Value::Int64(n) => Number::Integral(*n),
            Value::Float32(f) => Number::Float(*f),
            Value::Float64(f) => Number::Double(*f),
            Value::Decimal(text) => Number::Decimal(text),
            _ => return None,
        })
    }

    /// `intValue()` (whose low bits `byteValue()` and `shortValue()` keep): integers wrap,
    /// floats saturate (NaN is 0), decimals keep the low 32 bits of their integer part.
    fn int(&self) -> i32 {
        match self {
            Number::Integral(n) => *n as i32,
            Number::Float(f) => *f as i32,
            Number::Double(f) => *f as i32,
            Number::Decimal(text) => decimal_low_bits(text) as i32,
        }
    }

    /// `longValue()`.
    fn long(&self) -> i64 {
        match self {
            Number::Integral(n) => *n,
            Number::Float(f) => *f as i64,
            Number::Double(f) => *f as i64,
            Number::Decimal(text) => decimal_low_bits(text),
        }
    }

    /// `floatValue()`: the nearest `float`.
    fn float(&self) -> f32 {
        match self {
            Number::Integral(n) => *n as f32,
            Number::Float(f) => *f,
            Number::Double(f) => *f as f32,
            Number::Decimal(text) => text.parse().unwrap_or(f32::NAN),
        }
    }

    /// `doubleValue()`: the nearest `double`.
    fn double(&self) -> f64 {
        match self {
            Number::Integral(n) => *n as f64,
            Number::Float(f) => f64::from(*f),
            Number::Double(f) => *f,
            Number::Decimal(text) => text.parse().unwrap_or(f64::NAN),
        }
    }
}

/// The low 64 bits of a decimal's integer part (`BigDecimal.longValue()`).
fn decimal_low_bits(text: &str) -> i64 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let int = digits.split('.').next().unwrap_or("");
    let magnitude = int.bytes().filter(u8::is_ascii_digit).fold(0u64, |acc, d| {
        acc.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
    });
    let magnitude = magnitude as i64;
    if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    }
}

/// `Double.parseDouble`: trimmed; an optional sign; `NaN`, `Infinity`, a decimal number
/// (`1.5`, `.5`, `5.`, `1e-3`) or a hexadecimal one (`0x1.8p1`); an optional `f`/`F`/`d`/`D`.
fn java_parse_double(s: &str) -> Option<f64> {
    match java_float_literal(s)? {
        FloatLiteral::Decimal(text) => text.parse().ok(),
        FloatLiteral::Value(v) => Some(v),
    }
}

/// `Float.parseFloat`: [`java_parse_double`]'s syntax, decimals rounded to `float` directly.
fn java_parse_float(s: &str) -> Option<f32> {
    match java_float_literal(s)? {
        FloatLiteral::Decimal(text) => text.parse().ok(),
        FloatLiteral::Value(v) => Some(v as f32),
    }
}

enum FloatLiteral {
    /// Decimal text Rust's parsers read as Java does.
    Decimal(String),
    /// A value already computed (NaN, infinities, hexadecimal).
    Value(f64),
}

/// Java's floating-point literal syntax (`FloatingDecimal.readJavaFormatString`).
fn java_float_literal(s: &str) -> Option<FloatLiteral> {
    let s = java_trim(s);
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let signed = |v: f64| if negative { -v } else { v };
    match body {
        "NaN" => return Some(FloatLiteral::Value(f64::NAN)),
        "Infinity" => return Some(FloatLiteral::Value(signed(f64::INFINITY))),
        _ => {}
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        return parse_hex_float(hex).map(|v| FloatLiteral::Value(signed(v)));
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    if let Some(e) = exponent {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
    }
    Some(FloatLiteral::Decimal(format!(
        "{}{body}",
        if negative { "-" } else { "" }
    )))
}

/// The value of a hexadecimal literal after `0x`: hex digits with an optional point, then a
/// binary exponent (`p3`), which Java requires.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = s.split_once(['p', 'P'])?;
    let exp_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if exp_digits.is_empty() || !exp_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut exp: i64 = exp_digits
        .parse::<i64>()
        .unwrap_or(i64::MAX / 4)
        .min(i64::MAX / 4);
    if exponent.starts_with('-') {
        exp = -exp;
    }
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    // The first 15 significant hex digits (60 bits) exactly; the rest only shift the
    // exponent (rounding of longer mantissas may differ from Java's in the last bit).
    let mut bits: u64 = 0;
    let mut used = 0;
    for (i, c) in int.chars().chain(frac.chars()).enumerate() {
        let d = u64::from(c.to_digit(16).unwrap_or(0));
        let in_fraction = i >= int.len();
        if used < 15 {
            if bits != 0 || d != 0 {
                used += 1;
            }
            bits = bits * 16 + d;
            if in_fraction {
                exp -= 4;
            }
        } else if !in_fraction {
            exp += 4;
        }
    }
    let mut value = bits as f64;
    // Scale in steps so that no intermediate power of two overflows.
    while exp > 0 {
        let step = exp.min(1000);
        value *= 2f64.powi(step as i32);
        exp -= step;
    }
    while exp < 0 {
        let step = (-exp).min(1000);
        value /= 2f64.powi(step as i32);
        exp += step;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::builtin::lookup;
    use crate::transforms::requirements::{decimal_schema, logical_schema};
    use crate::transforms::test_support::{
        self, apply, build, config, keys_and_defaults, optional, source_record, validation_errors,
        with_value,
    };

    fn value_cast(spec: &str) -> CastValue {
        build(&[("spec", spec)]).unwrap()
    }

    fn key_cast(spec: &str) -> CastKey {
        build(&[("spec", spec)]).unwrap()
    }

    fn schema(ty: Type) -> Arc<Schema> {
        Arc::new(schema_of(ty))
    }

    fn errors(spec: &str) -> Vec<String> {
        validation_errors::<CastValue>(&[("spec", spec)])
    }

    fn struct_schema(fields: Vec<(&str, Schema)>) -> Arc<Schema> {
        Arc::new(test_support::struct_schema(fields))
    }

    fn field<'a>(d: &'a Datum, name: &str) -> (&'a Value, &'a Schema) {
        let Some(Type::Struct(fields)) = d.schema.as_deref().map(|s| &s.ty) else {
            panic!("not a struct schema");
        };
        let i = fields.iter().position(|(n, _)| n == name).unwrap();
        let Value::Struct(values) = &d.value else {
            panic!("not a struct");
        };
        (&values[i], &fields[i].1)
    }

    #[test]
    fn registered_under_kafkas_names() {
        assert_eq!(
            lookup("Cast$Key").unwrap().class,
            "org.apache.kafka.connect.transforms.Cast$Key"
        );
        assert_eq!(
            lookup("org.apache.kafka.connect.transforms.Cast$Value")
                .unwrap()
                .doc,
            CastValue::DOC
        );
        assert_eq!(
            keys_and_defaults(&CastConfig::config_def()),
            [("spec", None), ("replace.null.with.default", Some("true"))]
        );
    }

    #[test]
    fn config_errors_are_kafkas() {
        assert_eq!(
            validation_errors::<CastValue>(&[]),
            vec!["Missing required configuration \"spec\" which has no default value."]
        );
        assert_eq!(errors(""), vec!["Must specify at least one field to cast."]);
        assert_eq!(
            errors("  "),
            vec!["Must specify at least one field to cast."]
        );
        assert_eq!(
            errors("foo:faketype"),
            vec!["Invalid type found in casting spec: faketype"]
        );
        let to_array = "Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
        assert_eq!(errors("foo:array"), vec![to_array]);
        assert_eq!(errors("array"), vec![to_array]);
        assert_eq!(
            errors("foo:bytes"),
            vec![
                "Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
            ]
        );
        assert_eq!(
            errors("foo:int8:extra"),
            vec![
                "Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra"
            ]
        );
        assert_eq!(
            errors("foo:int8,int32"),
            vec![
                "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
            ]
        );
        assert_eq!(
            errors("a:int8 , , b:int8"),
            vec!["Invalid type found in casting spec: "]
        );
        assert_eq!(errors(":"), vec!["Index 1 out of bounds for length 0"]);
        assert_eq!(errors("x"), vec!["Invalid type found in casting spec: x"]);
        let bad_flag = CastConfig::validate(&config(&[
            ("spec", "int8"),
            ("replace.null.with.default", "maybe"),
        ]));
        assert_eq!(
            bad_flag[1].errors[0].as_str(),
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
        let e = CastConfig::parse(&config(&[("spec", "foo:bytes")])).unwrap_err();
        assert!(e.message.contains("casting to BYTES"), "{}", e.message);
    }

    #[test]
    fn specs_parse_as_javas() {
        let spec = |s: &str| CastSpec::parse(s).unwrap();
        assert_eq!(spec(" Int32 "), CastSpec::Whole(CastType::Int32));
        assert_eq!(
            spec("a:int8, b : STRING ,a:int64"),
            CastSpec::Fields(vec![
                ("a".into(), CastType::Int64),
                ("b".into(), CastType::String)
            ])
        );
        // Trailing colons are dropped by Java's split: `a:` is a whole-value type `a`.
        assert_eq!(
            CastSpec::parse("int8:").unwrap(),
            CastSpec::Whole(CastType::Int8)
        );
        assert_eq!(
            spec(":int8"),
            CastSpec::Fields(vec![(String::new(), CastType::Int8)])
        );
    }

    #[test]
    fn null_values_and_keys_pass_unchanged() {
        let mut v = value_cast("foo:int64");
        let r = source_record(
            Datum::with_schema(schema(Type::String), Value::String("key".into())),
            Datum::with_schema(schema(Type::String), Value::Null),
        );
        assert_eq!(apply(&mut v, r.clone()), r);
        let r = source_record(
            Datum::with_schema(schema(Type::String), Value::String("key".into())),
            Datum::NULL,
        );
        assert_eq!(apply(&mut v, r.clone()), r);
        let mut k = key_cast("foo:int64");
        let r = source_record(
            Datum::with_schema(schema(Type::String), Value::Null),
            Datum::with_schema(schema(Type::String), Value::String("value".into())),
        );
        assert_eq!(apply(&mut k, r.clone()), r);
        let r = source_record(
            Datum::NULL,
            Datum::with_schema(schema(Type::String), Value::String("value".into())),
        );
        assert_eq!(apply(&mut k, r.clone()), r);
    }

    #[test]
    fn field_with_default_and_replace_null_with_default() {
        let magic = Schema {
            optional: true,
            default: Some("10".into()),
            ..schema_of(Type::Int32)
        };
        let s = struct_schema(vec![("magic", magic)]);
        for (replace, expected) in [("false", Value::Null), ("true", Value::String("10".into()))] {
            let mut t = CastValue::new(
                CastConfig::parse(&config(&[
                    ("spec", "magic:string"),
                    ("replace.null.with.default", replace),
                ]))
                .unwrap(),
            )
            .unwrap();
            let out = apply(
                &mut t,
                with_value(Datum::with_schema(
                    s.clone(),
                    Value::Struct(vec![Value::Null]),
                )),
            );
            let (v, field_schema) = field(&out.value, "magic");
            assert_eq!(field_schema.ty, Type::String);
            assert_eq!(field_schema.default.as_deref(), Some("\"10\""));
            assert_eq!(v, &expected, "replace={replace}");
        }
    }

    #[test]
    fn whole_key_with_schema() {
        let mut t = key_cast("int8");
        let out = apply(
            &mut t,
            source_record(
                Datum::with_schema(schema(Type::Int32), Value::Int32(42)),
                Datum::with_schema(schema(Type::String), Value::String("bogus".into())),
            ),
        );
        assert_eq!(out.key.schema.as_deref().unwrap().ty, Type::Int8);
        assert_eq!(out.key.value, Value::Int8(42));
        assert_eq!(out.value.value, Value::String("bogus".into()));
    }

    #[test]
    fn whole_value_with_schema_to_every_type() {
        for (spec, input, ty, expected) in [
            ("int8", 42, Type::Int8, Value::Int8(42)),
            ("int16", 42, Type::Int16, Value::Int16(42)),
            ("int32", 42, Type::Int32, Value::Int32(42)),
            ("int64", 42, Type::Int64, Value::Int64(42)),
            ("float32", 42, Type::Float32, Value::Float32(42.0)),
            ("float64", 42, Type::Float64, Value::Float64(42.0)),
            ("boolean", 42, Type::Boolean, Value::Boolean(true)),
            ("boolean", 0, Type::Boolean, Value::Boolean(false)),
            ("string", 42, Type::String, Value::String("42".into())),
        ] {
            let mut t = value_cast(spec);
            let out = apply(
                &mut t,
                with_value(Datum::with_schema(schema(Type::Int32), Value::Int32(input))),
            );
            assert_eq!(out.value.schema.as_deref().unwrap().ty, ty, "{spec}");
            assert_eq!(out.value.value, expected, "{spec}");
        }
    }

    #[test]
    fn whole_decimal_and_timestamp_to_string() {
        let mut t = value_cast("string");
        let out = apply(
            &mut t,
            with_value(Datum::with_schema(
                Arc::new(decimal_schema(0)),
                Value::Decimal("42".into()),
            )),
        );
        assert_eq!(out.value.schema.as_deref().unwrap().ty, Type::String);
        assert_eq!(out.value.value, Value::String("42".into()));
        // A day and a millisecond: the timestamp format.
        let out = apply(
            &mut t,
            with_value(Datum::with_schema(
                Arc::new(logical_schema(Type::Int64, TIMESTAMP)),
                Value::Date(MS_PER_DAY + 1),
            )),
        );
        assert_eq!(out.value.schema.as_deref().unwrap().ty, Type::String);
        assert_eq!(
            out.value.value,
            Value::String("1970-01-02T00:00:00.001Z".into())
        );
        // The schema's name, version and doc are kept (Java's copySchemaBasics).
        assert_eq!(
            out.value.schema.as_deref().unwrap().name.as_deref(),
            Some(TIMESTAMP)
        );
    }

    #[test]
    fn whole_value_default_is_cast() {
        let mut t = value_cast("int32");
        let s = Arc::new(Schema {
            default: Some("-42.125".into()),
            ..schema_of(Type::Float32)
        });
        let out = apply(
            &mut t,
            with_value(Datum::with_schema(s, Value::Float32(42.125))),
        );
        let out_schema = out.value.schema.as_deref().unwrap();
        assert_eq!(out_schema.ty, Type::Int32);
        assert_eq!(out.value.value, Value::Int32(42));
        assert_eq!(out_schema.default.as_deref(), Some("-42"));
        assert_eq!(decode_default(out_schema), Some(Value::Int32(-42)));
    }

    #[test]
    fn whole_value_schemaless_to_every_type() {
        let mut k = key_cast("int8");
        let out = apply(
            &mut k,
            source_record(
                Datum::schemaless(Value::Int32(42)),
                Datum::with_schema(schema(Type::String), Value::String("bogus".into())),
            ),
        );
        assert!(out.key.schema.is_none());
        assert_eq!(out.key.value, Value::Int8(42));
        for (spec, input, expected) in [
            ("int8", 42, Value::Int8(42)),
            ("int16", 42, Value::Int16(42)),
            ("int32", 42, Value::Int32(42)),
            ("int64", 42, Value::Int64(42)),
            ("float32", 42, Value::Float32(42.0)),
            ("float64", 42, Value::Float64(42.0)),
            ("boolean", 42, Value::Boolean(true)),
            ("boolean", 0, Value::Boolean(false)),
            ("string", 42, Value::String("42".into())),
        ] {
            let mut t = value_cast(spec);
            let out = apply(&mut t, with_value(Datum::schemaless(Value::Int32(input))));
            assert!(out.value.schema.is_none());
            assert_eq!(out.value.value, expected, "{spec}");
        }
    }

    #[test]
    fn schemaless_unsupported_types_fail() {
        let mut t = value_cast("int8");
        let e = t
            .apply(with_value(Datum::schemaless(Value::Array(vec![
                Value::String("foo".into()),
            ]))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        );
        let e = t
            .apply(with_value(Datum::schemaless(Value::Date(0))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Cast transformation was passed a value of type class java.util.Date which is not supported by Connect's data API"
        );
        let mut fields = value_cast("a:int8");
        let e = fields
            .apply(with_value(Datum::schemaless(Value::Int32(1))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [cast types], found: java.lang.Integer"
        );
    }

    #[test]
    fn logical_to_primitive() {
        let mut t = value_cast(
            "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32",
        );
        let s = struct_schema(vec![
            ("date_to_int32", logical_schema(Type::Int32, DATE)),
            ("timestamp_to_int64", logical_schema(Type::Int64, TIMESTAMP)),
            ("time_to_int64", logical_schema(Type::Int32, TIME)),
            ("decimal_to_int32", decimal_schema(0)),
            (
                "timestamp_to_float64",
                logical_schema(Type::Int64, TIMESTAMP),
            ),
            (
                "null_timestamp_to_int32",
                Schema {
                    optional: true,
                    ..logical_schema(Type::Int64, TIMESTAMP)
                },
            ),
        ]);
        let value = Value::Struct(vec![
            Value::Date(MS_PER_DAY),
            Value::Date(0),
            Value::Date(1),
            Value::Decimal("2147483648".into()),
            Value::Date(i64::MAX),
            Value::Null,
        ]);
        let out = apply(&mut t, with_value(Datum::with_schema(s, value))).value;
        for (name, value, ty) in [
            ("date_to_int32", Value::Int32(1), Type::Int32),
            ("timestamp_to_int64", Value::Int64(0), Type::Int64),
            ("time_to_int64", Value::Int64(1), Type::Int64),
            ("decimal_to_int32", Value::Int32(i32::MIN), Type::Int32),
            (
                "timestamp_to_float64",
                Value::Float64(9.223372036854776E18),
                Type::Float64,
            ),
            ("null_timestamp_to_int32", Value::Null, Type::Int32),
        ] {
            let (v, s) = field(&out, name);
            assert_eq!((v, &s.ty), (&value, &ty), "{name}");
        }
    }

    #[test]
    fn logical_to_string() {
        let mut t = value_cast("date:string,decimal:string,time:string,timestamp:string");
        let s = struct_schema(vec![
            ("date", logical_schema(Type::Int32, DATE)),
            ("decimal", decimal_schema(0)),
            ("time", logical_schema(Type::Int32, TIME)),
            ("timestamp", logical_schema(Type::Int64, TIMESTAMP)),
        ]);
        let value = Value::Struct(vec![
            Value::Date(MS_PER_DAY),
            Value::Decimal("1982".into()),
            Value::Date(3_600_000),
            Value::Date(1_483_425_001_864),
        ]);
        let out = apply(&mut t, with_value(Datum::with_schema(s, value))).value;
        for (name, text) in [
            ("date", "1970-01-02"),
            ("decimal", "1982"),
            ("time", "01:00:00.000Z"),
            ("timestamp", "2017-01-03T06:30:01.864Z"),
        ] {
            let (v, s) = field(&out, name);
            assert_eq!(v, &Value::String(text.into()), "{name}");
            assert_eq!(s.ty, Type::String);
        }
    }

    #[test]
    fn fields_with_schema() {
        let mut t = value_cast(
            "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string,byteArray:string",
        );
        let s = struct_schema(vec![
            ("int8", schema_of(Type::Int8)),
            ("int16", optional(schema_of(Type::Int16))),
            (
                "int32",
                Schema {
                    default: Some("2".into()),
                    ..schema_of(Type::Int32)
                },
            ),
            ("int64", schema_of(Type::Int64)),
            ("float32", schema_of(Type::Float32)),
            (
                "float64",
                Schema {
                    default: Some("-1.125".into()),
                    ..schema_of(Type::Float64)
                },
            ),
            ("boolean", schema_of(Type::Boolean)),
            ("string", schema_of(Type::String)),
            ("bigdecimal", decimal_schema(0)),
            ("date", logical_schema(Type::Int32, DATE)),
            ("optional", optional(schema_of(Type::Float32))),
            ("timestamp", logical_schema(Type::Int64, TIMESTAMP)),
            ("bytes", schema_of(Type::Bytes)),
            ("byteArray", schema_of(Type::Bytes)),
        ]);
        let bytes = vec![0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];
        let value = Value::Struct(vec![
            Value::Int8(8),
            Value::Int16(16),
            Value::Int32(32),
            Value::Int64(64),
            Value::Float32(32.0),
            Value::Float64(-64.0),
            Value::Boolean(true),
            Value::String("42".into()),
            Value::Decimal("42".into()),
            Value::Date(MS_PER_DAY),
            Value::Null,
            Value::Date(0),
            Value::Bytes(bytes.clone()),
            Value::Bytes(bytes),
        ]);
        let input = Datum::with_schema(s.clone(), value);
        let out = apply(&mut t, with_value(input.clone())).value;
        for (name, value, ty, optional) in [
            ("int8", Value::Int16(8), Type::Int16, false),
            ("int16", Value::Int32(16), Type::Int32, true),
            ("int32", Value::Int64(32), Type::Int64, false),
            ("int64", Value::Boolean(true), Type::Boolean, false),
            ("float32", Value::Float64(32.0), Type::Float64, false),
            ("float64", Value::Boolean(true), Type::Boolean, false),
            ("boolean", Value::Int8(1), Type::Int8, false),
            ("string", Value::Int32(42), Type::Int32, false),
            (
                "bigdecimal",
                Value::String("42".into()),
                Type::String,
                false,
            ),
            (
                "date",
                Value::String("1970-01-02".into()),
                Type::String,
                false,
            ),
            ("optional", Value::Null, Type::Int32, true),
            ("timestamp", Value::Date(0), Type::Int64, false),
            (
                "bytes",
                Value::String("/ty6mHZUMhA=".into()),
                Type::String,
                false,
            ),
            (
                "byteArray",
                Value::String("/ty6mHZUMhA=".into()),
                Type::String,
                false,
            ),
        ] {
            let (v, s) = field(&out, name);
            assert_eq!((v, &s.ty, s.optional), (&value, &ty, optional), "{name}");
        }
        assert_eq!(field(&out, "int32").1.default.as_deref(), Some("2"));
        assert_eq!(field(&out, "float64").1.default.as_deref(), Some("true"));
        // Unchanged fields keep their schema; the struct schema is built once.
        assert_eq!(field(&out, "timestamp").1.name.as_deref(), Some(TIMESTAMP));
        let again = apply(&mut t, with_value(input)).value;
        assert!(Arc::ptr_eq(
            out.schema.as_ref().unwrap(),
            again.schema.as_ref().unwrap()
        ));
    }

    #[test]
    fn fields_schemaless() {
        let mut t = value_cast(
            "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,missing:int8",
        );
        let entries = vec![
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", Value::Int32(32)),
            ("int64", Value::Int64(64)),
            ("float32", Value::Float32(32.0)),
            ("float64", Value::Float64(-64.0)),
            ("boolean", Value::Boolean(true)),
            ("string", Value::String("42".into())),
            ("other", Value::String("kept".into())),
        ];
        let map = Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::String(k.into()), v))
                .collect(),
        );
        let out = apply(&mut t, with_value(Datum::schemaless(map))).value;
        assert!(out.schema.is_none());
        for (name, value) in [
            ("int8", Value::Int16(8)),
            ("int16", Value::Int32(16)),
            ("int32", Value::Int64(32)),
            ("int64", Value::Boolean(true)),
            ("float32", Value::Float64(32.0)),
            ("float64", Value::Boolean(true)),
            ("boolean", Value::Int8(1)),
            ("string", Value::Int32(42)),
            ("other", Value::String("kept".into())),
            // Java puts the cast of a missing field: null.
            ("missing", Value::Null),
        ] {
            assert_eq!(out.value.map_get(name), Some(&value), "{name}");
        }
    }

    #[test]
    fn strings_parse_as_java_and_fail_with_kafkas_message() {
        let cast = |s: &str, ty| {
            cast_value(
                &IsoFormats::new().unwrap(),
                None,
                &Value::String(s.into()),
                ty,
            )
        };
        assert_eq!(cast("-12", CastType::Int8).unwrap(), Value::Int8(-12));
        assert_eq!(cast("+12", CastType::Int32).unwrap(), Value::Int32(12));
        assert_eq!(
            cast("300", CastType::Int8).unwrap_err().message,
            "Value (300) was out of range for requested data type"
        );
        assert_eq!(
            cast("abc", CastType::Int64).unwrap_err().message,
            "Value (abc) was out of range for requested data type"
        );
        assert!(cast(" 1", CastType::Int32).is_err());
        assert_eq!(
            cast(" 1.5f ", CastType::Float32).unwrap(),
            Value::Float32(1.5)
        );
        assert_eq!(
            cast("1e3", CastType::Float64).unwrap(),
            Value::Float64(1000.0)
        );
        assert_eq!(cast(".5D", CastType::Float64).unwrap(), Value::Float64(0.5));
        assert_eq!(
            cast("-Infinity", CastType::Float64).unwrap(),
            Value::Float64(f64::NEG_INFINITY)
        );
        assert_eq!(
            cast("0x1.8p1", CastType::Float64).unwrap(),
            Value::Float64(3.0)
        );
        assert_eq!(
            cast("-0X10P-4", CastType::Float32).unwrap(),
            Value::Float32(-1.0)
        );
        assert!(matches!(cast("NaN", CastType::Float64).unwrap(), Value::Float64(f) if f.is_nan()));
        for bad in ["inf", "nan", "1e", "e5", ".", "0x10", "1.5x", ""] {
            assert!(cast(bad, CastType::Float64).is_err(), "{bad}");
        }
        assert_eq!(
            cast("TRUE", CastType::Boolean).unwrap(),
            Value::Boolean(true)
        );
        assert_eq!(
            cast("yes", CastType::Boolean).unwrap(),
            Value::Boolean(false)
        );
    }

    #[test]
    fn numbers_narrow_as_java() {
        let iso = IsoFormats::new().unwrap();
        let cast = |v: Value, ty| cast_value(&iso, None, &v, ty).unwrap();
        assert_eq!(cast(Value::Int32(300), CastType::Int8), Value::Int8(44));
        assert_eq!(
            cast(Value::Int64(1 << 32), CastType::Int32),
            Value::Int32(0)
        );
        // Floats go through `int` first: 300.7 → 300 → 44.
        assert_eq!(cast(Value::Float64(300.7), CastType::Int8), Value::Int8(44));
        assert_eq!(
            cast(Value::Float64(1e20), CastType::Int32),
            Value::Int32(i32::MAX)
        );
        assert_eq!(
            cast(Value::Float64(f64::NAN), CastType::Int64),
            Value::Int64(0)
        );
        assert_eq!(
            cast(Value::Float32(0.5), CastType::Boolean),
            Value::Boolean(false)
        );
        assert_eq!(
            cast(Value::Float64(0.1), CastType::String),
            Value::String("0.1".into())
        );
        assert_eq!(
            cast(Value::Float32(1e10), CastType::String),
            Value::String("1.0E10".into())
        );
        assert_eq!(
            cast(Value::Boolean(true), CastType::Float32),
            Value::Float32(1.0)
        );
        assert_eq!(
            cast(Value::Boolean(false), CastType::String),
            Value::String("false".into())
        );
        let dec = decimal_schema(2);
        let d = |text: &str, ty| {
            cast_value(&iso, Some(&dec), &Value::Decimal(text.into()), ty).unwrap()
        };
        assert_eq!(d("-12.75", CastType::Int16), Value::Int16(-12));
        assert_eq!(d("-12.75", CastType::Float64), Value::Float64(-12.75));
        assert_eq!(d("0.50", CastType::Boolean), Value::Boolean(false));
        assert_eq!(d("0.50", CastType::String), Value::String("0.50".into()));
        let e = cast_value(&iso, None, &Value::Bytes(vec![1]), CastType::Int8).unwrap_err();
        assert_eq!(
            e.message,
            "Unexpected type in Cast transformation: class [B"
        );
    }

    #[test]
    fn logical_values_must_fit_their_type() {
        let iso = IsoFormats::new().unwrap();
        let e = cast_value(
            &iso,
            Some(&logical_schema(Type::Int32, DATE)),
            &Value::Date(1),
            CastType::Int32,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Kafka Connect Date type should not have any time fields set to non-zero values."
        );
        let e = cast_value(
            &iso,
            Some(&logical_schema(Type::Int32, TIME)),
            &Value::Date(MS_PER_DAY + 1),
            CastType::Int32,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Kafka Connect Time type should not have any date fields set to non-zero values."
        );
    }

    #[test]
    fn struct_errors() {
        // Field casts need a struct schema; a struct default cannot be cast.
        let mut t = value_cast("a:int8");
        let e = t
            .apply(with_value(Datum::with_schema(
                schema(Type::Int32),
                Value::Int32(1),
            )))
            .unwrap_err();
        assert_eq!(e.message, "Cannot list fields on non-struct type");
        let s = struct_schema(vec![("a", schema_of(Type::Int32))]);
        let e = t
            .apply(with_value(Datum::with_schema(
                s.clone(),
                Value::String("x".into()),
            )))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Only Struct objects supported for [cast types], found: java.lang.String"
        );
        let e = t
            .apply(with_value(Datum::with_schema(
                s.clone(),
                Value::Struct(vec![Value::Null]),
            )))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required field: \"a\", schema type: INT8"
        );
        let with_default = Arc::new(Schema {
            default: Some(r#"{"a":1}"#.into()),
            ..Schema::clone(&s)
        });
        let e = t
            .apply(with_value(Datum::with_schema(
                with_default,
                Value::Struct(vec![Value::Int32(1)]),
            )))
            .unwrap_err();
        assert!(
            e.message
                .starts_with("Cast transformation does not support casting from STRUCT"),
            "{}",
            e.message
        );
        let mut whole = value_cast("int8");
        let e = whole
            .apply(with_value(Datum::with_schema(
                s,
                Value::Struct(vec![Value::Int32(1)]),
            )))
            .unwrap_err();
        assert!(
            e.message
                .starts_with("Cast transformation does not support casting from STRUCT"),
            "{}",
            e.message
        );
    }
}
