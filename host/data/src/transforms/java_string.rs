//! Java's `toString()` of Connect values, schemas and records, for the places where Kafka puts
//! one in a value or a message: `Double.toString()` and `Float.toString()` (also how
//! `JsonConverter` and `Values` print them), `BigDecimal.toString()` (Cast to string), `Struct`,
//! `List`, `Map`, `java.util.Date` (in UTC) and `ConnectRecord.toString()` (errors naming a
//! record).

use super::data::Value;
use super::java_date::SimpleDateFormat;
use super::record::TransformRecord;
use crate::convert::schema::Schema;

/// `BigDecimal.toString()` of a [`Value::Decimal`]'s text (`-12.30`) at `scale` (the schema's
/// `scale`; without one, the digits after the point): plain unless the exponent is below -6 or
/// the scale negative, then scientific (`1.23E-8`, `1.23E+4`).
pub fn decimal_to_string(text: &str, scale: Option<i32>) -> String {
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = magnitude.split_once('.').unwrap_or((magnitude, ""));
    let scale = scale.unwrap_or_else(|| i32::try_from(frac.len()).unwrap_or(i32::MAX));
    let mut digits: String = format!("{int}{frac}");
    // A negative scale's text carries the zeros the scale stands for.
    if scale < 0 {
        let zeros = scale.unsigned_abs() as usize;
        if digits.len() > zeros && digits.bytes().rev().take(zeros).all(|b| b == b'0') {
            digits.truncate(digits.len() - zeros);
        }
    }
    let coefficient = digits.trim_start_matches('0');
    let coefficient = if coefficient.is_empty() {
        "0"
    } else {
        coefficient
    };
    let sign = if negative && coefficient != "0" {
        "-"
    } else {
        ""
    };
    if scale == 0 {
        return format!("{sign}{coefficient}");
    }
    let len = i64::try_from(coefficient.len()).unwrap_or(i64::MAX);
    let adjusted = -i64::from(scale) + (len - 1);
    if scale > 0 && adjusted >= -6 {
        let scale = scale.unsigned_abs() as usize;
        return if coefficient.len() > scale {
            let (i, f) = coefficient.split_at(coefficient.len() - scale);
            format!("{sign}{i}.{f}")
        } else {
            format!(
                "{sign}0.{}{coefficient}",
                "0".repeat(scale - coefficient.len())
            )
        };
    }
    let (first, rest) = coefficient.split_at(1);
    let point = if rest.is_empty() { "" } else { "." };
    let exponent_sign = if adjusted > 0 { "+" } else { "" };
    format!("{sign}{first}{point}{rest}E{exponent_sign}{adjusted}")
}

/// `ConnectSchema.toString()`: `Schema{TYPE}` or `Schema{name:TYPE}`; `null` for none.
pub fn schema_to_string(schema: Option<&Schema>) -> String {
    match schema {
        None => "null".into(),
        Some(s) => match &s.name {
            Some(name) => format!("Schema{{{name}:{}}}", s.ty.java_name()),
            None => format!("Schema{{{}}}", s.ty.java_name()),
        },
    }
}

/// `java.util.Date.toString()` (in UTC): `Thu Jan 01 00:00:00 UTC 1970`.
pub fn date_to_string(ms: i64) -> String {
    SimpleDateFormat::new("EEE MMM dd HH:mm:ss zzz yyyy")
        .map_or_else(|_| ms.to_string(), |f| f.format(ms))
}

/// `String.valueOf(value)` of a Connect value under `schema` (for decimals' scale and struct
/// field names). A `byte[]` prints as Java's `[B@` and a hash, of the content here (Java's is
/// the array's identity).
pub fn value_to_string(value: &Value, schema: Option<&Schema>) -> String {
    let mut out = String::new();
    write_value(value, schema, &mut out);
    out
}

fn write_value(value: &Value, schema: Option<&Schema>, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int8(n) => out.push_str(&n.to_string()),
        Value::Int16(n) => out.push_str(&n.to_string()),
        Value::Int32(n) => out.push_str(&n.to_string()),
        Value::Int64(n) => out.push_str(&n.to_string()),
        Value::Float32(f) => out.push_str(&java_float(*f)),
        Value::Float64(f) => out.push_str(&java_double(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            // FNV-1a, standing in for the identity hash Java prints.
            let hash = b.iter().fold(0x811c_9dc5_u32, |h, byte| {
                (h ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
            });
            out.push_str(&format!("[B@{hash:x}"));
        }
        Value::Decimal(text) => {
            let scale = schema
                .and_then(|s| s.parameter("scale"))
                .and_then(|s| s.parse().ok());
            out.push_str(&decimal_to_string(text, scale));
        }
        Value::Date(ms) => out.push_str(&date_to_string(*ms)),
        Value::Array(items) => {
            let item_schema = schema.and_then(Schema::element_schema);
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, item_schema, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let (key_schema, value_schema) = schema.and_then(Schema::key_value_schemas).unzip();
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(k, key_schema, out);
                out.push('=');
                write_value(v, value_schema, out);
            }
            out.push('}');
        }
        Value::Struct(values) => {
            // `Struct.toString()`: the non-null fields, `,` between them.
            out.push_str("Struct{");
            let fields = schema.map(Schema::fields).unwrap_or_default();
            let mut first = true;
            for (i, v) in values.iter().enumerate() {
                if v.is_null() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                match fields.get(i) {
                    Some((name, field_schema)) => {
                        out.push_str(name);
                        out.push('=');
                        write_value(v, Some(field_schema), out);
                    }
                    None => write_value(v, None, out),
                }
            }
            out.push('}');
        }
    }
}

/// `ConnectRecord.toString()` of `record`. (Java's `SinkRecord` and `SourceRecord` put their
/// own fields, offsets and source partition, before it; a record here does not carry them.)
pub fn record_to_string(record: &TransformRecord) -> String {
    let partition = record
        .partition
        .map_or_else(|| "null".to_owned(), |p| p.to_string());
    let timestamp = record
        .timestamp
        .map_or_else(|| "null".to_owned(), |t| t.to_string());
    let headers = if record.headers.is_empty() {
        String::new()
    } else {
        let items: Vec<String> = record
            .headers
            .iter()
            .map(|h| {
                format!(
                    "ConnectHeader(key={}, value={}, schema={})",
                    h.key,
                    value_to_string(&h.value.value, h.value.schema.as_deref()),
                    schema_to_string(h.value.schema.as_deref())
                )
            })
            .collect();
        format!("[{}]", items.join(", "))
    };
    format!(
        "ConnectRecord{{topic='{}', kafkaPartition={partition}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={timestamp}, headers=ConnectHeaders(headers={headers})}}",
        record.topic,
        value_to_string(&record.key.value, record.key.schema.as_deref()),
        schema_to_string(record.key.schema.as_deref()),
        value_to_string(&record.value.value, record.value.schema.as_deref()),
        schema_to_string(record.value.schema.as_deref()),
    )
}

/// `Double.toString`: shortest digits that round-trip, as `1.0`, `0.001`, `1.0E7`, `1.5E-4`.
pub fn java_double(f: f64) -> String {
    java_decimal(f, f.abs(), format!("{f:e}"))
}

/// `Float.toString` (same rules as [`java_double`] for an `f32`).
pub fn java_float(f: f32) -> String {
    java_decimal(f64::from(f), f64::from(f.abs()), format!("{f:e}"))
}

/// Formats a finite value whose shortest scientific form is `sci` (Rust's `{:e}`, e.g.
/// `1.5e-4`) the Java way: plain between 10^-3 and 10^7, else `d.dddE±n`.
fn java_decimal(f: f64, abs: f64, sci: String) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (1e-3..1e7).contains(&abs) {
        // Plain notation: place the point `exponent + 1` digits in.
        let point = exponent + 1;
        let (int, frac) = if point <= 0 {
            (
                "0".to_string(),
                format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
            )
        } else if point as usize >= digits.len() {
            (
                format!("{digits}{}", "0".repeat(point as usize - digits.len())),
                String::new(),
            )
        } else {
            (
                digits[..point as usize].to_string(),
                digits[point as usize..].to_string(),
            )
        };
        let frac = if frac.is_empty() { "0".into() } else { frac };
        format!("{sign}{int}.{frac}")
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::data::Datum;
    use crate::transforms::record::Header;
    use crate::transforms::requirements::schema_of;
    use std::sync::Arc;

    #[test]
    fn big_decimal_to_string_as_java() {
        for (text, scale, java) in [
            ("42", Some(0), "42"),
            ("-12.30", Some(2), "-12.30"),
            ("0.00", Some(2), "0.00"),
            ("0.0000001", Some(7), "1E-7"),
            ("0.000001", Some(6), "0.000001"),
            ("0.0000000123", Some(10), "1.23E-8"),
            ("12300", Some(-2), "1.23E+4"),
            ("0", Some(-2), "0E+2"),
            ("0.0000000000", Some(10), "0E-10"),
            ("-1.5", None, "-1.5"),
            ("2147483648", Some(0), "2147483648"),
        ] {
            assert_eq!(decimal_to_string(text, scale), java, "{text} {scale:?}");
        }
    }

    #[test]
    fn values_and_schemas_print_as_java() {
        let int = schema_of(Type::Int32);
        let s = Schema {
            name: Some("com.example.V".into()),
            ..schema_of(Type::Struct(vec![
                ("a".into(), int.clone()),
                ("b".into(), schema_of(Type::String)),
                ("c".into(), schema_of(Type::Float64)),
            ]))
        };
        assert_eq!(schema_to_string(Some(&s)), "Schema{com.example.V:STRUCT}");
        assert_eq!(schema_to_string(Some(&int)), "Schema{INT32}");
        assert_eq!(schema_to_string(None), "null");
        let v = Value::Struct(vec![Value::Int32(1), Value::Null, Value::Float64(2.0)]);
        assert_eq!(value_to_string(&v, Some(&s)), "Struct{a=1,c=2.0}");
        let m = Value::Map(vec![
            (
                Value::String("k".into()),
                Value::Array(vec![Value::Int64(1), Value::Null]),
            ),
            (Value::String("d".into()), Value::Date(0)),
        ]);
        assert_eq!(
            value_to_string(&m, None),
            "{k=[1, null], d=Thu Jan 01 00:00:00 UTC 1970}"
        );
        assert!(value_to_string(&Value::Bytes(vec![1]), None).starts_with("[B@"));
    }

    #[test]
    fn records_print_as_connect_record() {
        let mut r = TransformRecord {
            topic: "t".into(),
            partition: Some(0),
            offset: None,
            key: Datum::NULL,
            value: Datum::with_schema(Arc::new(schema_of(Type::String)), Value::String("v".into())),
            timestamp: None,
            headers: Vec::new(),
        };
        assert_eq!(
            record_to_string(&r),
            "ConnectRecord{topic='t', kafkaPartition=0, key=null, keySchema=null, value=v, valueSchema=Schema{STRING}, timestamp=null, headers=ConnectHeaders(headers=)}"
        );
        r.partition = None;
        r.headers.push(Header {
            key: "h".into(),
            value: Datum::with_schema(Arc::new(schema_of(Type::Int32)), Value::Int32(3)),
        });
        assert!(
            record_to_string(&r).ends_with(
                "kafkaPartition=null, key=null, keySchema=null, value=v, valueSchema=Schema{STRING}, timestamp=null, headers=ConnectHeaders(headers=[ConnectHeader(key=h, value=3, schema=Schema{INT32})])}"
            ),
            "{}",
            record_to_string(&r)
        );
    }

    #[test]
    fn doubles_print_as_java_prints_them() {
        for (f, java) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1e7, "1.0E7"),
            (1234567.0, "1234567.0"),
            (-2.5e-5, "-2.5E-5"),
            (123.456, "123.456"),
            (0.0, "0.0"),
            (1e21, "1.0E21"),
        ] {
            assert_eq!(java_double(f), java, "{f}");
        }
        assert_eq!(java_float(0.1), "0.1");
        assert_eq!(java_float(3.0e10), "3.0E10");
    }
}
