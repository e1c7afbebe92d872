//! `org.apache.kafka.connect.transforms.TimestampConverter$Key` and `$Value`: convert a
//! timestamp (the whole key or value, or one top-level field) between Unix time (a `long` in
//! `unix.precision`), a string in a `SimpleDateFormat` pattern (UTC), and Connect's `Date`,
//! `Time` and `Timestamp`, through a `java.util.Date` in milliseconds as Java does.

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::codec::{decode_default, encode_json};
use super::config_checks::{REPLACE_NULL_WITH_DEFAULT_DOC, java_string};
use super::data::{Datum, Value};
use super::java_date::SimpleDateFormat;
use super::java_string::schema_to_string;
use super::record::TransformRecord;
use super::requirements::{
    copy_schema_basics, require_map, require_struct_or_null, schema_of, struct_get,
};
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::trim;
use crate::convert::schema::{DATE, Schema, TIME, TIMESTAMP, Type};

const PURPOSE: &str = "converting timestamp formats";
const MS_PER_DAY: i64 = 86_400_000;

/// Kafka's keys.
#[derive(Debug, ConnectConfig)]
pub struct TimestampConverterConfig {
    /// The field to convert; empty: the whole key or value.
    #[config(
        default = "",
        importance = "high",
        parse_with = "java_string",
        doc = "The field containing the timestamp, or empty if the entire value is a timestamp"
    )]
    pub field: String,
    /// What to convert to.
    #[config(
        importance = "high",
        one_of("string", "unix", "Date", "Time", "Timestamp"),
        parse_with = "TimestampType::parse",
        doc = "The desired timestamp representation: string, unix, Date, Time, or Timestamp"
    )]
    pub target_type: TimestampType,
    /// The `SimpleDateFormat` pattern of string timestamps (empty: none).
    #[config(
        default = "",
        importance = "medium",
        parse_with = "java_string",
        doc = "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string."
    )]
    pub format: String,
    /// The unit of Unix timestamps.
    #[config(
        default = "milliseconds",
        one_of("nanoseconds", "microseconds", "milliseconds", "seconds"),
        importance = "low",
        parse_with = "UnixPrecision::parse",
        doc = "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components."
    )]
    pub unix_precision: UnixPrecision,
    /// Read a null struct field that has a default as the default.
    #[config(
        default = "true",
        importance = "medium",
        doc = REPLACE_NULL_WITH_DEFAULT_DOC
    )]
    pub replace_null_with_default: bool,
}

/// A timestamp representation (`target.type`, or what a schema or value says the input is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    /// A string in `format`.
    String,
    /// A `long` in `unix.precision`.
    Unix,
    /// Connect's `Date` (midnight UTC).
    Date,
    /// Connect's `Time` (milliseconds of a day).
    Time,
    /// Connect's `Timestamp`.
    Timestamp,
}

impl TimestampType {
    /// A `target.type` value (already checked against the allowed names).
    pub fn parse(raw: &str) -> Result<TimestampType, String> {
        Ok(match trim(raw) {
            "string" => TimestampType::String,
            "unix" => TimestampType::Unix,
            "Date" => TimestampType::Date,
            "Time" => TimestampType::Time,
            "Timestamp" => TimestampType::Timestamp,
            other => return Err(format!("Unsupported timestamp type: {other}")),
        })
    }

    /// `typeSchema(optional)`: the schema of a value of this representation.
    fn schema(self, optional: bool) -> Schema {
        let (ty, name) = match self {
            TimestampType::String => (Type::String, None),
            TimestampType::Unix => (Type::Int64, None),
            TimestampType::Date => (Type::Int32, Some(DATE)),
            TimestampType::Time => (Type::Int32, Some(TIME)),
            TimestampType::Timestamp => (Type::Int64, Some(TIMESTAMP)),
        };
        Schema {
            optional,
            name: name.map(str::to_owned),
            version: name.map(|_| 1),
            ..schema_of(ty)
        }
    }

    /// `timestampTypeFromSchema`: by logical name, else a string is `string` and an int64
    /// `unix`.
    fn of_schema(schema: &Schema) -> Result<TimestampType, TransformError> {
        Ok(match (schema.name.as_deref(), &schema.ty) {
            (Some(TIMESTAMP), _) => TimestampType::Timestamp,
            (Some(DATE), _) => TimestampType::Date,
            (Some(TIME), _) => TimestampType::Time,
            (_, Type::String) => TimestampType::String,
            (_, Type::Int64) => TimestampType::Unix,
            _ => {
                return Err(TransformError::new(format!(
                    "Schema {} does not correspond to a known timestamp type format",
                    schema_to_string(Some(schema))
                )));
            }
        })
    }

    /// `inferTimestampType`: a schemaless `java.util.Date` is a `Timestamp`, a `Long` Unix
    /// time, a `String` a string.
    fn of_value(value: &Value) -> Result<TimestampType, TransformError> {
        match value {
            Value::Date(_) => Ok(TimestampType::Timestamp),
            Value::Int64(_) => Ok(TimestampType::Unix),
            Value::String(_) => Ok(TimestampType::String),
            other => Err(TransformError::new(format!(
                "TimestampConverter does not support class {} objects as timestamps",
                other.java_class()
            ))),
        }
    }
}

/// `unix.precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnixPrecision {
    /// `seconds`.
    Seconds,
    /// `milliseconds`.
    Milliseconds,
    /// `microseconds`.
    Microseconds,
    /// `nanoseconds`.
    Nanoseconds,
}

impl UnixPrecision {
    /// A `unix.precision` value (already checked against the allowed names).
    pub fn parse(raw: &str) -> Result<UnixPrecision, String> {
        Ok(match trim(raw) {
            "seconds" => UnixPrecision::Seconds,
            "milliseconds" => UnixPrecision::Milliseconds,
            "microseconds" => UnixPrecision::Microseconds,
            "nanoseconds" => UnixPrecision::Nanoseconds,
            other => return Err(format!("Unsupported unix precision: {other}")),
        })
    }

    /// Unix time in this unit → milliseconds (`TimeUnit.toMillis`: truncating, saturating).
    fn to_millis(self, n: i64) -> i64 {
        match self {
            UnixPrecision::Seconds => n.saturating_mul(1000),
            UnixPrecision::Milliseconds => n,
            UnixPrecision::Microseconds => n / 1000,
            UnixPrecision::Nanoseconds => n / 1_000_000,
        }
    }

    /// Milliseconds → Unix time in this unit.
    fn of_millis(self, ms: i64) -> i64 {
        match self {
            UnixPrecision::Seconds => ms / 1000,
            UnixPrecision::Milliseconds => ms,
            UnixPrecision::Microseconds => ms.saturating_mul(1000),
            UnixPrecision::Nanoseconds => ms.saturating_mul(1_000_000),
        }
    }
}

/// What a configured converter does, apart from its cache.
#[derive(Debug)]
struct Settings {
    field: String,
    target: TimestampType,
    format: Option<SimpleDateFormat>,
    precision: UnixPrecision,
    replace_null_with_default: bool,
    /// The target schema, required and optional, for whole-value conversions.
    target_schemas: [Arc<Schema>; 2],
}

/// The configured transformation; `KEY` picks `TimestampConverter$Key` (the record key) or
/// `TimestampConverter$Value`.
#[derive(Debug)]
pub struct TimestampConverter<const KEY: bool> {
    settings: Settings,
    cache: SchemaUpdateCache<Arc<Schema>>,
}

/// `org.apache.kafka.connect.transforms.TimestampConverter$Key`.
pub type TimestampConverterKey = TimestampConverter<true>;
/// `org.apache.kafka.connect.transforms.TimestampConverter$Value`.
pub type TimestampConverterValue = TimestampConverter<false>;

impl<const KEY: bool> BuiltinTransform for TimestampConverter<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "TimestampConverter");
    const DOC: &'static str = "Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp types.Applies to individual fields or to the entire value.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.TimestampConverter$Key</code>) or value (<code>org.apache.kafka.connect.transforms.TimestampConverter$Value</code>).";
    type Config = TimestampConverterConfig;

    fn new(c: TimestampConverterConfig) -> Result<Self, TransformError> {
        let blank = trim(&c.format).is_empty();
        if c.target_type == TimestampType::String && blank {
            return Err(TransformError::new(
                "TimestampConverter requires format option to be specified when using string timestamps",
            ));
        }
        let format = if blank {
            None
        } else {
            Some(SimpleDateFormat::new(&c.format).map_err(|_| {
                TransformError::new(format!(
                    "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {}",
                    c.format
                ))
            })?)
        };
        Ok(TimestampConverter {
            settings: Settings {
                field: c.field,
                target: c.target_type,
                format,
                precision: c.unix_precision,
                replace_null_with_default: c.replace_null_with_default,
                target_schemas: [
                    Arc::new(c.target_type.schema(false)),
                    Arc::new(c.target_type.schema(true)),
                ],
            },
            cache: SchemaUpdateCache::default(),
        })
    }
}

impl<const KEY: bool> Transform for TimestampConverter<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        // Null values are converted too: with a schema, they get the target schema.
        let operand = record.operand(KEY);
        let updated = match &operand.schema {
            None => Datum::schemaless(self.settings.schemaless(&operand.value)?),
            Some(schema) => self.with_schema(schema, &operand.value)?,
        };
        *record.operand_mut(KEY) = updated;
        Ok(Some(record))
    }
}

impl<const KEY: bool> TimestampConverter<KEY> {
    fn with_schema(
        &mut self,
        schema: &Arc<Schema>,
        value: &Value,
    ) -> Result<Datum, TransformError> {
        let s = &self.settings;
        if s.field.is_empty() {
            let updated = Arc::clone(&s.target_schemas[usize::from(schema.optional)]);
            let converted = s.convert(value, Some(TimestampType::of_schema(schema)?))?;
            return Ok(Datum::with_schema(updated, converted));
        }
        require_struct_or_null(schema, value, PURPOSE)?;
        let updated = self
            .cache
            .get_or_try_insert(schema, |input| s.build_schema(input).map(Arc::new))?
            .clone();
        let converted = s.convert_struct(value, schema, &updated)?;
        Ok(Datum::with_schema(updated, converted))
    }
}

impl Settings {
    fn schemaless(&self, value: &Value) -> Result<Value, TransformError> {
        if value.is_null() || self.field.is_empty() {
            return self.convert(value, None);
        }
        let mut out = require_map(value, PURPOSE)?.clone();
        let converted = self.convert(value.map_get(&self.field).unwrap_or(&Value::Null), None)?;
        match out
            .iter_mut()
            .find(|(k, _)| matches!(k, Value::String(s) if *s == self.field))
        {
            Some((_, v)) => *v = converted,
            None => out.push((Value::String(self.field.clone()), converted)),
        }
        Ok(Value::Map(out))
    }

    /// The struct schema with `field`'s schema replaced by the target's (its optionality
    /// kept); the struct's default converted too.
    fn build_schema(&self, schema: &Schema) -> Result<Schema, TransformError> {
        let Type::Struct(fields) = &schema.ty else {
            return Err(TransformError::new("Cannot list fields on non-struct type"));
        };
        let fields = fields
            .iter()
            .map(|(name, field_schema)| {
                let s = if *name == self.field {
                    self.target.schema(field_schema.optional)
                } else {
                    field_schema.clone()
                };
                (name.clone(), s)
            })
            .collect();
        let mut out = copy_schema_basics(schema, Type::Struct(fields));
        out.optional = schema.optional;
        if let Some(default) = decode_default(schema) {
            let converted = self.convert_struct(&default, schema, &out)?;
            out.default = Some(encode_json(&converted, &out).map_err(TransformError::new)?);
        }
        Ok(out)
    }

    /// `applyValueWithSchema`: a struct of `schema` as a struct of `updated`.
    fn convert_struct(
        &self,
        value: &Value,
        schema: &Schema,
        updated: &Schema,
    ) -> Result<Value, TransformError> {
        let Some((fields, values)) = require_struct_or_null(schema, value, PURPOSE)? else {
            return Ok(Value::Null);
        };
        let Type::Struct(updated_fields) = &updated.ty else {
            return Err(TransformError::new("Cannot list fields on non-struct type"));
        };
        let mut out = Vec::with_capacity(values.len());
        for (((name, field_schema), v), (_, updated_field)) in
            fields.iter().zip(values).zip(updated_fields)
        {
            let v = struct_get(field_schema, v, self.replace_null_with_default);
            let v = if *name == self.field {
                let source = TimestampType::of_schema(field_schema)?;
                self.convert(&v, Some(source))?
            } else {
                v
            };
            // `Struct.put` checks a required field gets a value.
            if v.is_null() && !updated_field.optional {
                return Err(TransformError::new(format!(
                    "Invalid value: null used for required field: \"{name}\", schema type: {}",
                    updated_field.ty.java_name()
                )));
            }
            out.push(v);
        }
        Ok(Value::Struct(out))
    }

    /// `convertTimestamp`: `value` of representation `source` (inferred from the value when
    /// `None`) in the target representation; null stays null.
    fn convert(
        &self,
        value: &Value,
        source: Option<TimestampType>,
    ) -> Result<Value, TransformError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let source = match source {
            Some(s) => s,
            None => TimestampType::of_value(value)?,
        };
        let ms = self.to_millis(source, value)?;
        self.to_target(ms)
    }

    /// `TimestampTranslator.toRaw`.
    fn to_millis(&self, source: TimestampType, value: &Value) -> Result<i64, TransformError> {
        let found = |expected: &str| {
            TransformError::new(format!(
                "Expected {expected}, but found class {}",
                value.java_class()
            ))
        };
        match source {
            TimestampType::String => {
                let Value::String(text) = value else {
                    return Err(found("string timestamp to be a String"));
                };
                let format = self.format.as_ref().ok_or_else(format_missing)?;
                format.parse(text).map_err(|_| {
                    TransformError::new(format!(
                        "Could not parse timestamp: value ({text}) does not match pattern ({})",
                        format.pattern()
                    ))
                })
            }
            TimestampType::Unix => match value {
                Value::Int64(n) => Ok(self.precision.to_millis(*n)),
                _ => Err(found("Unix timestamp to be a Long")),
            },
            TimestampType::Date | TimestampType::Time | TimestampType::Timestamp => match value {
                Value::Date(ms) => Ok(*ms),
                _ => Err(found(match source {
                    TimestampType::Date => "Date to be a java.util.Date",
                    TimestampType::Time => "Time to be a java.util.Date",
                    _ => "Timestamp to be a java.util.Date",
                })),
            },
        }
    }

    /// `TimestampTranslator.toType` of the target.
    fn to_target(&self, ms: i64) -> Result<Value, TransformError> {
        Ok(match self.target {
            TimestampType::String => {
                Value::String(self.format.as_ref().ok_or_else(format_missing)?.format(ms))
            }
            TimestampType::Unix => Value::Int64(self.precision.of_millis(ms)),
            // Midnight UTC of the day.
            TimestampType::Date => Value::Date(ms.div_euclid(MS_PER_DAY) * MS_PER_DAY),
            // The time of day on 1970-01-01.
            TimestampType::Time => Value::Date(ms.rem_euclid(MS_PER_DAY)),
            TimestampType::Timestamp => Value::Date(ms),
        })
    }
}

/// Java fails with a `NullPointerException` when a string timestamp arrives and no `format`
/// was configured (possible only with another target type).
fn format_missing() -> TransformError {
    TransformError::new(
        "Cannot invoke \"java.text.SimpleDateFormat.parse(String)\" because \"config.format\" is null",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::builtin::lookup;
    use crate::transforms::test_support::*;

    const STRING_DATE_FMT: &str = "yyyy MM dd HH mm ss SSS z";
    const DATE_PLUS_TIME_STRING: &str = "1970 01 02 00 00 01 234 UTC";
    const EPOCH: i64 = 0;
    /// 1234 ms past the epoch.
    const TIME: i64 = 1234;
    /// 1970-01-02.
    const DATE: i64 = MS_PER_DAY;
    /// 1970-01-02T00:00:01.234.
    const DATE_PLUS_TIME: i64 = MS_PER_DAY + 1234;
    const DATE_PLUS_TIME_UNIX_MICROS: i64 = DATE_PLUS_TIME * 1000 + 123;
    const DATE_PLUS_TIME_UNIX_NANOS: i64 = DATE_PLUS_TIME_UNIX_MICROS * 1000 + 456;
    const DATE_PLUS_TIME_UNIX_SECONDS: i64 = DATE_PLUS_TIME / 1000;

    fn value_xform(pairs: &[(&str, &str)]) -> TimestampConverterValue {
        build(pairs).unwrap()
    }

    fn apply_value(t: &mut TimestampConverterValue, value: Datum) -> Datum {
        apply(t, with_value(value)).value
    }

    fn schemaless(t: &mut TimestampConverterValue, value: Value) -> Datum {
        apply_value(t, Datum::schemaless(value))
    }

    fn with_schema(t: &mut TimestampConverterValue, schema: Schema, value: Value) -> Datum {
        apply_value(t, Datum::with_schema(Arc::new(schema), value))
    }

    fn timestamp_schema() -> Schema {
        TimestampType::Timestamp.schema(false)
    }

    fn date_schema() -> Schema {
        TimestampType::Date.schema(false)
    }

    fn time_schema() -> Schema {
        TimestampType::Time.schema(false)
    }

    fn int64() -> Schema {
        schema_of(Type::Int64)
    }

    fn string() -> Schema {
        schema_of(Type::String)
    }

    #[test]
    fn registered_with_kafkas_keys() {
        assert_eq!(
            lookup("TimestampConverter$Key").unwrap().class,
            "org.apache.kafka.connect.transforms.TimestampConverter$Key"
        );
        assert_eq!(
            lookup("TimestampConverter$Value").unwrap().doc,
            TimestampConverterValue::DOC
        );
        assert_eq!(
            keys_and_defaults(&TimestampConverterConfig::config_def()),
            [
                ("field", Some("")),
                ("target.type", None),
                ("format", Some("")),
                ("unix.precision", Some("milliseconds")),
                ("replace.null.with.default", Some("true")),
            ]
        );
    }

    #[test]
    fn config_errors_are_kafkas() {
        assert_eq!(
            validation_errors::<TimestampConverterValue>(&[]),
            vec!["Missing required configuration \"target.type\" which has no default value."]
        );
        assert_eq!(
            validation_errors::<TimestampConverterValue>(&[("target.type", "invalid")]),
            vec![
                "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
            ]
        );
        // Names are case-sensitive, as Kafka's `ValidString`.
        assert_eq!(
            validation_errors::<TimestampConverterValue>(&[("target.type", "date")]).len(),
            1
        );
        assert_eq!(
            validation_errors::<TimestampConverterValue>(&[
                ("target.type", "unix"),
                ("unix.precision", "invalid")
            ]),
            vec![
                "Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"
            ]
        );
        assert!(
            validation_errors::<TimestampConverterValue>(&[
                ("target.type", "unix"),
                ("unix.precision", "seconds")
            ])
            .is_empty()
        );
        assert!(
            build::<TimestampConverterValue>(&[
                ("target.type", "unix"),
                ("unix.precision", "seconds")
            ])
            .is_ok()
        );
        assert_eq!(
            build::<TimestampConverterValue>(&[("target.type", "string")]).unwrap_err(),
            "TimestampConverter requires format option to be specified when using string timestamps"
        );
        assert_eq!(
            build::<TimestampConverterValue>(&[("target.type", "string"), ("format", "  ")])
                .unwrap_err(),
            "TimestampConverter requires format option to be specified when using string timestamps"
        );
        assert_eq!(
            build::<TimestampConverterValue>(&[
                ("target.type", "string"),
                ("format", "bad-format")
            ])
            .unwrap_err(),
            "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format"
        );
    }

    #[test]
    fn schemaless_timestamp_to_every_type() {
        for (target, expected) in [
            ("Timestamp", Value::Date(DATE_PLUS_TIME)),
            ("Date", Value::Date(DATE)),
            ("Time", Value::Date(TIME)),
            ("unix", Value::Int64(DATE_PLUS_TIME)),
        ] {
            let mut t = value_xform(&[("target.type", target)]);
            let out = schemaless(&mut t, Value::Date(DATE_PLUS_TIME));
            assert!(out.schema.is_none());
            assert_eq!(out.value, expected, "{target}");
        }
        let mut t = value_xform(&[("target.type", "string"), ("format", STRING_DATE_FMT)]);
        let out = schemaless(&mut t, Value::Date(DATE_PLUS_TIME));
        assert!(out.schema.is_none());
        assert_eq!(out.value, Value::String(DATE_PLUS_TIME_STRING.into()));
    }

    #[test]
    fn schemaless_every_type_to_timestamp() {
        let mut t = value_xform(&[("target.type", "Timestamp"), ("format", STRING_DATE_FMT)]);
        for (input, expected) in [
            // No change expected when the source is coarser-grained.
            (Value::Date(DATE), DATE),
            (Value::Date(TIME), TIME),
            (Value::Int64(DATE_PLUS_TIME), DATE_PLUS_TIME),
            (Value::String(DATE_PLUS_TIME_STRING.into()), DATE_PLUS_TIME),
        ] {
            let out = schemaless(&mut t, input.clone());
            assert!(out.schema.is_none());
            assert_eq!(out.value, Value::Date(expected), "{input:?}");
        }
        let e = t
            .apply(with_value(Datum::schemaless(Value::Int32(1))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        );
        let e = t
            .apply(with_value(Datum::schemaless(Value::String("nope".into()))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Could not parse timestamp: value (nope) does not match pattern (yyyy MM dd HH mm ss SSS z)"
        );
    }

    #[test]
    fn with_schema_timestamp_to_every_type() {
        for (target, schema, expected) in [
            ("Timestamp", timestamp_schema(), Value::Date(DATE_PLUS_TIME)),
            ("Date", date_schema(), Value::Date(DATE)),
            ("Time", time_schema(), Value::Date(TIME)),
            ("unix", int64(), Value::Int64(DATE_PLUS_TIME)),
            (
                "string",
                string(),
                Value::String(DATE_PLUS_TIME_STRING.into()),
            ),
        ] {
            let mut t = value_xform(&[("target.type", target), ("format", STRING_DATE_FMT)]);
            let out = with_schema(&mut t, timestamp_schema(), Value::Date(DATE_PLUS_TIME));
            assert_eq!(out.schema.as_deref(), Some(&schema), "{target}");
            assert_eq!(out.value, expected, "{target}");
        }
    }

    #[test]
    fn with_schema_every_type_to_timestamp() {
        let mut t = value_xform(&[("target.type", "Timestamp"), ("format", STRING_DATE_FMT)]);
        for (schema, input, expected) in [
            (date_schema(), Value::Date(DATE), DATE),
            (time_schema(), Value::Date(TIME), TIME),
            (int64(), Value::Int64(DATE_PLUS_TIME), DATE_PLUS_TIME),
            (
                string(),
                Value::String(DATE_PLUS_TIME_STRING.into()),
                DATE_PLUS_TIME,
            ),
        ] {
            let out = with_schema(&mut t, schema, input.clone());
            assert_eq!(out.schema.as_deref(), Some(&timestamp_schema()));
            assert_eq!(out.value, Value::Date(expected), "{input:?}");
        }
        let e = t
            .apply(with_value(Datum::with_schema(
                Arc::new(schema_of(Type::Int32)),
                Value::Null,
            )))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
    }

    #[test]
    fn schemaless_nulls_stay_null() {
        for target in ["string", "Date", "Timestamp", "unix", "Time"] {
            for field in ["", "ts"] {
                let mut t = value_xform(&[
                    ("target.type", target),
                    ("format", STRING_DATE_FMT),
                    ("field", field),
                ]);
                let out = schemaless(&mut t, Value::Null);
                assert_eq!(out, Datum::NULL, "{target} {field}");
            }
        }
    }

    #[test]
    fn with_schema_nulls_get_the_target_schema() {
        let originals = [
            optional(int64()),
            optional(time_schema()),
            optional(date_schema()),
            optional(string()),
            optional(timestamp_schema()),
        ];
        for (target, expected) in [
            ("Timestamp", optional(timestamp_schema())),
            ("unix", optional(int64())),
            ("Time", optional(time_schema())),
            ("Date", optional(date_schema())),
            ("string", optional(string())),
        ] {
            for original in &originals {
                // The whole value is null.
                let mut t = value_xform(&[("target.type", target), ("format", STRING_DATE_FMT)]);
                let out = with_schema(&mut t, original.clone(), Value::Null);
                assert_eq!(
                    out.schema.as_deref(),
                    Some(&expected),
                    "{target} {original:?}"
                );
                assert_eq!(out.value, Value::Null);

                // A null field, then a null struct.
                let mut t = value_xform(&[
                    ("target.type", target),
                    ("format", STRING_DATE_FMT),
                    ("field", "ts"),
                ]);
                let s = struct_schema(vec![("ts", original.clone()), ("other", string())]);
                let expected_struct =
                    struct_schema(vec![("ts", expected.clone()), ("other", string())]);
                let out = with_schema(
                    &mut t,
                    s.clone(),
                    Value::Struct(vec![Value::Null, Value::String("test".into())]),
                );
                assert_eq!(out.schema.as_deref(), Some(&expected_struct));
                assert_eq!(
                    out.value,
                    Value::Struct(vec![Value::Null, Value::String("test".into())])
                );
                let out = with_schema(&mut t, optional(s), Value::Null);
                assert_eq!(out.schema.as_deref(), Some(&optional(expected_struct)));
                assert_eq!(out.value, Value::Null);
            }
        }
    }

    #[test]
    fn schemaless_field() {
        let mut t = value_xform(&[("target.type", "Date"), ("field", "ts")]);
        let out = schemaless(
            &mut t,
            Value::Map(vec![(
                Value::String("ts".into()),
                Value::Date(DATE_PLUS_TIME),
            )]),
        );
        assert!(out.schema.is_none());
        assert_eq!(
            out.value,
            Value::Map(vec![(Value::String("ts".into()), Value::Date(DATE))])
        );
        // A missing field is converted from null: it is added as null.
        let out = schemaless(&mut t, Value::Map(vec![]));
        assert_eq!(
            out.value,
            Value::Map(vec![(Value::String("ts".into()), Value::Null)])
        );
        let e = t
            .apply(with_value(Datum::schemaless(Value::Int64(1))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [converting timestamp formats], found: java.lang.Long"
        );
    }

    #[test]
    fn with_schema_field() {
        let mut t = value_xform(&[("target.type", "Timestamp"), ("field", "ts")]);
        let s = Arc::new(struct_schema(vec![("ts", int64()), ("other", string())]));
        let input = Datum::with_schema(
            Arc::clone(&s),
            Value::Struct(vec![
                Value::Int64(DATE_PLUS_TIME),
                Value::String("test".into()),
            ]),
        );
        let out = apply_value(&mut t, input.clone());
        assert_eq!(
            out.schema.as_deref(),
            Some(&struct_schema(vec![
                ("ts", timestamp_schema()),
                ("other", string())
            ]))
        );
        assert_eq!(
            out.value,
            Value::Struct(vec![
                Value::Date(DATE_PLUS_TIME),
                Value::String("test".into())
            ])
        );
        // The built schema is cached by input schema.
        let again = apply_value(&mut t, input);
        assert!(Arc::ptr_eq(
            out.schema.as_ref().unwrap(),
            again.schema.as_ref().unwrap()
        ));
        let e = t
            .apply(with_value(Datum::with_schema(s, Value::Int64(1))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Only Struct objects supported for [converting timestamp formats], found: java.lang.Long"
        );
    }

    #[test]
    fn null_field_with_default() {
        let ts = Schema {
            default: Some("0".into()),
            ..optional(int64())
        };
        let s = struct_schema(vec![("ts", ts), ("other", string())]);
        let expected = struct_schema(vec![
            ("ts", optional(timestamp_schema())),
            ("other", string()),
        ]);
        // Kafka's test (which always configures `false`), and the `true` case.
        for (replace, ts) in [("false", Value::Null), ("true", Value::Date(EPOCH))] {
            let mut t = value_xform(&[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("replace.null.with.default", replace),
            ]);
            let out = with_schema(
                &mut t,
                s.clone(),
                Value::Struct(vec![Value::Null, Value::String("test".into())]),
            );
            assert_eq!(out.schema.as_deref(), Some(&expected));
            assert_eq!(
                out.value,
                Value::Struct(vec![ts, Value::String("test".into())]),
                "{replace}"
            );
        }
    }

    #[test]
    fn struct_default_is_converted() {
        let s = Schema {
            default: Some(format!(r#"{{"ts":{DATE_PLUS_TIME}}}"#)),
            ..struct_schema(vec![("ts", int64())])
        };
        let mut t = value_xform(&[("target.type", "Date"), ("field", "ts")]);
        let out = with_schema(&mut t, s, Value::Struct(vec![Value::Int64(0)]));
        let out_schema = out.schema.as_deref().unwrap();
        assert_eq!(
            decode_default(out_schema),
            Some(Value::Struct(vec![Value::Date(DATE)]))
        );
    }

    #[test]
    fn with_schema_field_unix_precisions() {
        for (precision, input, expected) in [
            ("microseconds", DATE_PLUS_TIME_UNIX_MICROS, DATE_PLUS_TIME),
            ("nanoseconds", DATE_PLUS_TIME_UNIX_NANOS, DATE_PLUS_TIME),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS, MS_PER_DAY + 1000),
        ] {
            let mut t = value_xform(&[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("unix.precision", precision),
            ]);
            let out = with_schema(
                &mut t,
                struct_schema(vec![("ts", int64())]),
                Value::Struct(vec![Value::Int64(input)]),
            );
            assert_eq!(
                out.schema.as_deref(),
                Some(&struct_schema(vec![("ts", timestamp_schema())]))
            );
            assert_eq!(
                out.value,
                Value::Struct(vec![Value::Date(expected)]),
                "{precision}"
            );
        }
    }

    #[test]
    fn schemaless_string_to_unix_precisions() {
        for (precision, expected) in [
            // Sub-millisecond precision is lost on the way through milliseconds.
            ("microseconds", 86_401_234_000),
            ("nanoseconds", 86_401_234_000_000),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS),
        ] {
            let mut t = value_xform(&[
                ("target.type", "unix"),
                ("unix.precision", precision),
                ("format", STRING_DATE_FMT),
            ]);
            let out = schemaless(&mut t, Value::String(DATE_PLUS_TIME_STRING.into()));
            assert!(out.schema.is_none());
            assert_eq!(out.value, Value::Int64(expected), "{precision}");
        }
    }

    #[test]
    fn key() {
        let mut t: TimestampConverterKey = build(&[("target.type", "Timestamp")]).unwrap();
        let mut r = with_value(Datum::NULL);
        r.key = Datum::schemaless(Value::Date(DATE_PLUS_TIME));
        let out = t.apply(r).unwrap().unwrap();
        assert!(out.key.schema.is_none());
        assert_eq!(out.key.value, Value::Date(DATE_PLUS_TIME));
        assert_eq!(out.value, Datum::NULL);
    }

    #[test]
    fn string_input_without_format_fails_as_java() {
        let mut t = value_xform(&[("target.type", "unix")]);
        let e = t
            .apply(with_value(Datum::schemaless(Value::String("x".into()))))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Cannot invoke \"java.text.SimpleDateFormat.parse(String)\" because \"config.format\" is null"
        );
        let e = t
            .apply(with_value(Datum::with_schema(
                Arc::new(timestamp_schema()),
                Value::Int64(1),
            )))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Expected Timestamp to be a java.util.Date, but found class java.lang.Long"
        );
    }

    /// Java's `String.trim()` strips only chars up to U+0020: a no-break space stays, and the
    /// name is then not one of the allowed ones.
    #[test]
    fn names_are_trimmed_as_java_trims() {
        assert!(matches!(
            TimestampType::parse("\tunix "),
            Ok(TimestampType::Unix)
        ));
        assert!(TimestampType::parse("\u{a0}unix").is_err());
        assert!(matches!(
            UnixPrecision::parse(" seconds\n"),
            Ok(UnixPrecision::Seconds)
        ));
        assert!(UnixPrecision::parse("seconds\u{2003}").is_err());
    }
}
