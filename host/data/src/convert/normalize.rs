//! A JSON value checked against its Connect schema and re-emitted the way `JsonConverter`
//! would write that Connect value with `schemas.enable=false`: struct fields in schema order
//! (unknown fields dropped, missing ones null or their default), nulls replaced by defaults
//! (`replace.null.with.default`), `Decimal`s in the configured `decimal.format`, maps with
//! non-string keys as `[key, value]` pairs. Messages are Kafka Connect's where it has one.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::decimal::{text_to_unscaled, unscaled_to_text};
use super::json_text::{Node, decode_str, is_integral, write_json_string};
use super::schema::{DATE, DECIMAL, Schema, TIME, TIMESTAMP, Type};

/// Base64 as Jackson reads it (padding optional) and writes it (padded).
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Which way data flows; only the wording of the null error differs, as in Kafka Connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Kafka bytes → Connect (`toConnectData`).
    ToConnect,
    /// Connect → Kafka bytes (`fromConnectData`).
    FromConnect,
}

/// The converter settings that shape values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Normalizer {
    /// `decimal.format=NUMERIC` (else BASE64).
    pub(crate) decimal_numeric: bool,
    /// `replace.null.with.default`.
    pub(crate) replace_null_with_default: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer {
            decimal_numeric: false,
            replace_null_with_default: true,
        }
    }
}

/// A failure and where in the value it happened (innermost segment first).
struct Failure {
    message: String,
    path: Vec<String>,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            message,
            path: Vec::new(),
        }
    }
}

impl Normalizer {
    /// Append the normalized JSON of `node` (None = absent) under `schema` to `out`.
    pub(crate) fn write(
        &self,
        schema: &Schema,
        node: Option<&Node<'_>>,
        direction: Direction,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        self.value(schema, node, direction, out).map_err(|f| {
            if f.path.is_empty() {
                f.message
            } else {
                let path: Vec<String> = f.path.into_iter().rev().collect();
                format!("{} (at {})", f.message, path.join("."))
            }
        })
    }

    fn value(
        &self,
        schema: &Schema,
        node: Option<&Node<'_>>,
        direction: Direction,
        out: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        let node = match node {
            None | Some(Node::Null) => {
                if let (Some(default), true) = (&schema.default, self.replace_null_with_default) {
                    out.extend_from_slice(default.as_bytes());
                    return Ok(());
                }
                if schema.optional {
                    out.extend_from_slice(b"null");
                    return Ok(());
                }
                return Err(match direction {
                    Direction::ToConnect => format!("Invalid null value for required {} field", schema.ty.java_name()),
                    Direction::FromConnect => {
                        "Conversion error: null value for field that is required and has no default value".to_string()
                    }
                }
                .into());
            }
            Some(n) => n,
        };
        if let Some(logical) = schema.logical() {
            return self
                .logical(schema, logical, node, out)
                .map_err(Failure::from);
        }
        match &schema.ty {
            Type::Boolean => match node {
                Node::Bool(_) => node.write(out),
                other => return Err(mismatch(schema, "a boolean", other)),
            },
            Type::Int8 => integer(schema, node, i64::from(i8::MIN), i64::from(i8::MAX), out)?,
            Type::Int16 => integer(schema, node, i64::from(i16::MIN), i64::from(i16::MAX), out)?,
            Type::Int32 => integer(schema, node, i64::from(i32::MIN), i64::from(i32::MAX), out)?,
            Type::Int64 => integer(schema, node, i64::MIN, i64::MAX, out)?,
            Type::Float32 | Type::Float64 => match node {
                Node::Number(_) => node.write(out),
                other => return Err(mismatch(schema, "a number", other)),
            },
            Type::String => match node {
                Node::Str(_) => node.write(out),
                other => return Err(mismatch(schema, "a string", other)),
            },
            Type::Bytes => match node {
                Node::Str(raw) if BASE64.decode(decode_str(raw).as_bytes()).is_ok() => {
                    node.write(out)
                }
                Node::Str(_) => return Err("Invalid bytes field".to_string().into()),
                other => return Err(mismatch(schema, "a base64 string", other)),
            },
            Type::Array(items) => {
                let Node::Array(elements) = node else {
                    return Err(mismatch(schema, "an array", node));
                };
                out.push(b'[');
                for (i, element) in elements.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.value(items, Some(element), direction, out)
                        .map_err(|f| at(f, format!("[{i}]")))?;
                }
                out.push(b']');
            }
            Type::Map(keys, values) => self.map(keys, values, node, direction, out)?,
            Type::Struct(fields) => {
                if !matches!(node, Node::Object(_)) {
                    return Err(format!(
                        "Structs should be encoded as JSON objects, but found {}",
                        node.type_name()
                    )
                    .into());
                }
                out.push(b'{');
                for (i, (name, field_schema)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_json_string(name, out);
                    out.push(b':');
                    self.value(field_schema, node.get(name), direction, out)
                        .map_err(|f| at(f, name.clone()))?;
                }
                out.push(b'}');
            }
        }
        Ok(())
    }

    fn map(
        &self,
        keys: &Schema,
        values: &Schema,
        node: &Node<'_>,
        direction: Direction,
        out: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        if keys.ty == Type::String {
            let Node::Object(members) = node else {
                return Err(format!(
                    "Maps with string fields should be encoded as JSON objects, but found {}",
                    node.type_name()
                )
                .into());
            };
            out.push(b'{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(k.as_bytes());
                out.push(b':');
                self.value(values, Some(v), direction, out)
                    .map_err(|f| at(f, decode_str(k).into_owned()))?;
            }
            out.push(b'}');
            return Ok(());
        }
        let Node::Array(entries) = node else {
            return Err(format!(
                "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
                node.type_name()
            )
            .into());
        };
        out.push(b'[');
        for (i, entry) in entries.iter().enumerate() {
            let Node::Array(pair) = entry else {
                return Err(format!(
                    "Found invalid map entry instead of array tuple: {}",
                    entry.type_name()
                )
                .into());
            };
            if pair.len() != 2 {
                return Err(format!(
                    "Found invalid map entry, expected length 2 but found :{}",
                    pair.len()
                )
                .into());
            }
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            self.value(keys, Some(&pair[0]), direction, out)
                .map_err(|f| at(f, format!("[{i}].key")))?;
            out.push(b',');
            self.value(values, Some(&pair[1]), direction, out)
                .map_err(|f| at(f, format!("[{i}].value")))?;
            out.push(b']');
        }
        out.push(b']');
        Ok(())
    }

    fn logical(
        &self,
        schema: &Schema,
        logical: &str,
        node: &Node<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        match (logical, node) {
            (DECIMAL, Node::Number(n)) => {
                if self.decimal_numeric {
                    out.extend_from_slice(n.as_bytes());
                } else {
                    let bytes = text_to_unscaled(n, decimal_scale(schema)?)?;
                    write_json_string(&BASE64.encode(bytes), out);
                }
            }
            (DECIMAL, Node::Str(raw)) => {
                let bytes = BASE64
                    .decode(decode_str(raw).as_bytes())
                    .map_err(|_| "Invalid bytes for Decimal field".to_string())?;
                self.write_decimal_bytes(schema, &bytes, out)?;
            }
            (DECIMAL, other) => {
                return Err(format!(
                    "Invalid type for Decimal, underlying representation should be numeric or bytes but was {}",
                    other.type_name()
                ));
            }
            (DATE | TIME, Node::Number(n)) if is_integral(n) && n.parse::<i32>().is_ok() => {
                node.write(out)
            }
            (DATE | TIME, other) => {
                let which = if logical == DATE { "Date" } else { "Time" };
                return Err(format!(
                    "Invalid type for {which}, underlying representation should be integer but was {}",
                    other.type_name()
                ));
            }
            (TIMESTAMP, Node::Number(n)) if is_integral(n) => node.write(out),
            (_, other) => {
                return Err(format!(
                    "Invalid type for Timestamp, underlying representation should be integral but was {}",
                    other.type_name()
                ));
            }
        }
        Ok(())
    }

    /// Write a Decimal given as unscaled two's-complement bytes, in the configured format.
    pub(crate) fn write_decimal_bytes(
        &self,
        schema: &Schema,
        bytes: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if self.decimal_numeric {
            out.extend_from_slice(unscaled_to_text(bytes, decimal_scale(schema)?).as_bytes());
        } else {
            write_json_string(&BASE64.encode(bytes), out);
        }
        Ok(())
    }
}

fn decimal_scale(schema: &Schema) -> Result<i32, String> {
    let raw = schema
        .parameter("scale")
        .ok_or("Invalid Decimal schema: scale parameter not found.")?;
    raw.parse()
        .map_err(|_| format!("Invalid scale parameter found in Decimal schema: {raw}"))
}

fn at(mut failure: Failure, segment: String) -> Failure {
    failure.path.push(segment);
    failure
}

fn mismatch(schema: &Schema, expected: &str, found: &Node<'_>) -> Failure {
    let mut shown = Vec::new();
    found.write(&mut shown);
    let mut shown = String::from_utf8_lossy(&shown).into_owned();
    if shown.len() > 40 {
        let cut = (0..=40)
            .rev()
            .find(|i| shown.is_char_boundary(*i))
            .unwrap_or(0);
        shown.truncate(cut);
        shown.push('…');
    }
    format!(
        "Invalid value for {} field: expected {expected} but found {} {shown}",
        schema.ty.java_name(),
        found.type_name()
    )
    .into()
}

fn integer(
    schema: &Schema,
    node: &Node<'_>,
    min: i64,
    max: i64,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    match node {
        Node::Number(n)
            if is_integral(n) && n.parse::<i64>().is_ok_and(|v| (min..=max).contains(&v)) =>
        {
            node.write(out);
            Ok(())
        }
        other => Err(mismatch(
            schema,
            &format!("an integer in [{min}, {max}]"),
            other,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        Schema::from_node(&Node::parse(text), &Normalizer::default())
            .unwrap()
            .unwrap()
    }

    fn norm(
        n: &Normalizer,
        schema_text: &str,
        value: Option<&str>,
        dir: Direction,
    ) -> Result<String, String> {
        let s = schema(schema_text);
        let node = value.map(Node::parse);
        let mut out = Vec::new();
        n.write(&s, node.as_ref(), dir, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    fn to(schema_text: &str, value: &str) -> Result<String, String> {
        norm(
            &Normalizer::default(),
            schema_text,
            Some(value),
            Direction::ToConnect,
        )
    }

    #[test]
    fn primitives_are_checked() {
        assert_eq!(to(r#"{"type":"int32"}"#, "42").unwrap(), "42");
        assert_eq!(
            to(r#"{"type":"int64"}"#, "12345678901234").unwrap(),
            "12345678901234"
        );
        assert_eq!(to(r#"{"type":"boolean"}"#, "true").unwrap(), "true");
        assert_eq!(
            to(r#"{"type":"double"}"#, "1.50").unwrap(),
            "1.50",
            "numbers are kept as written"
        );
        assert_eq!(to(r#"{"type":"bytes"}"#, r#""AQI=""#).unwrap(), r#""AQI=""#);
        let e = to(r#"{"type":"int8"}"#, "300").unwrap_err();
        assert_eq!(
            e,
            "Invalid value for INT8 field: expected an integer in [-128, 127] but found NUMBER 300"
        );
        assert!(
            to(r#"{"type":"int32"}"#, "1.5")
                .unwrap_err()
                .contains("found NUMBER 1.5")
        );
        assert!(
            to(r#"{"type":"string"}"#, "5")
                .unwrap_err()
                .contains("expected a string but found NUMBER")
        );
        assert_eq!(
            to(r#"{"type":"bytes"}"#, r#""!!""#).unwrap_err(),
            "Invalid bytes field"
        );
    }

    #[test]
    fn nulls_defaults_and_directions() {
        let n = Normalizer::default();
        assert_eq!(
            norm(
                &n,
                r#"{"type":"string"}"#,
                Some("null"),
                Direction::ToConnect
            )
            .unwrap_err(),
            "Invalid null value for required STRING field"
        );
        assert_eq!(
            norm(&n, r#"{"type":"string"}"#, None, Direction::FromConnect).unwrap_err(),
            "Conversion error: null value for field that is required and has no default value"
        );
        assert_eq!(
            norm(
                &n,
                r#"{"type":"string","optional":true}"#,
                Some("null"),
                Direction::ToConnect
            )
            .unwrap(),
            "null"
        );
        assert_eq!(
            norm(
                &n,
                r#"{"type":"int32","default":5}"#,
                Some("null"),
                Direction::ToConnect
            )
            .unwrap(),
            "5"
        );
        let keep_null = Normalizer {
            replace_null_with_default: false,
            ..n
        };
        assert_eq!(
            norm(
                &keep_null,
                r#"{"type":"int32","optional":true,"default":5}"#,
                Some("null"),
                Direction::ToConnect
            )
            .unwrap(),
            "null"
        );
    }

    #[test]
    fn structs_follow_the_schema() {
        let s = r#"{"type":"struct","fields":[
            {"field":"id","type":"int64"},
            {"field":"name","type":"string","optional":true},
            {"field":"n","type":"int32","default":0}]}"#;
        assert_eq!(
            to(s, r#"{"extra":1,"id":7,"n":null}"#).unwrap(),
            r#"{"id":7,"name":null,"n":0}"#
        );
        assert_eq!(
            to(s, r#"{"name":"x"}"#).unwrap_err(),
            "Invalid null value for required INT64 field (at id)"
        );
        assert_eq!(
            to(s, "[1]").unwrap_err(),
            "Structs should be encoded as JSON objects, but found ARRAY"
        );
        let nested =
            r#"{"type":"array","items":{"type":"struct","fields":[{"field":"v","type":"int8"}]}}"#;
        assert!(
            to(nested, r#"[{"v":1},{"v":"x"}]"#)
                .unwrap_err()
                .ends_with("(at [1].v)")
        );
    }

    #[test]
    fn maps_by_key_type() {
        let string_keys = r#"{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}}"#;
        assert_eq!(
            to(string_keys, r#"{"a":1,"b":2}"#).unwrap(),
            r#"{"a":1,"b":2}"#
        );
        assert_eq!(
            to(string_keys, "[]").unwrap_err(),
            "Maps with string fields should be encoded as JSON objects, but found ARRAY"
        );
        let int_keys = r#"{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}}"#;
        assert_eq!(
            to(int_keys, r#"[[1,"a"],[2,"b"]]"#).unwrap(),
            r#"[[1,"a"],[2,"b"]]"#
        );
        assert_eq!(
            to(int_keys, "[[1]]").unwrap_err(),
            "Found invalid map entry, expected length 2 but found :1"
        );
        assert_eq!(
            to(int_keys, "[1]").unwrap_err(),
            "Found invalid map entry instead of array tuple: NUMBER"
        );
    }

    #[test]
    fn logical_types() {
        let dec = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}}"#;
        // BASE64 (default): numbers are encoded, base64 kept.
        assert_eq!(to(dec, "3.00").unwrap(), r#""ASw=""#);
        assert_eq!(to(dec, r#""ASw=""#).unwrap(), r#""ASw=""#);
        // NUMERIC: base64 decoded to a plain number.
        let numeric = Normalizer {
            decimal_numeric: true,
            ..Normalizer::default()
        };
        assert_eq!(
            norm(&numeric, dec, Some(r#""ASw=""#), Direction::ToConnect).unwrap(),
            "3.00"
        );
        assert!(
            to(dec, "true")
                .unwrap_err()
                .starts_with("Invalid type for Decimal")
        );
        let no_scale = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal"}"#;
        assert_eq!(
            to(no_scale, "1").unwrap_err(),
            "Invalid Decimal schema: scale parameter not found."
        );

        let date = r#"{"type":"int32","name":"org.apache.kafka.connect.data.Date"}"#;
        assert_eq!(to(date, "19000").unwrap(), "19000");
        assert_eq!(
            to(date, r#""2024-01-01""#).unwrap_err(),
            "Invalid type for Date, underlying representation should be integer but was STRING"
        );
        let ts = r#"{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"}"#;
        assert_eq!(to(ts, "1700000000000").unwrap(), "1700000000000");
        assert!(
            to(ts, "1.5")
                .unwrap_err()
                .contains("should be integral but was NUMBER")
        );
    }
}
