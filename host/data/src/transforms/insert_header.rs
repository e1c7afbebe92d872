//! `org.apache.kafka.connect.transforms.InsertHeader`: adds one header to every record, after
//! the existing ones (a header with the same key stays). Its value is `value.literal` read once
//! with Kafka's `Values.parseString`, so `42` is an `INT8` header, `true` a `BOOLEAN`, `[1,2]`
//! an array, `null` a null header and anything else a `STRING`; the header carries that schema.

use connect_plugin_api::ConnectConfig;

use super::builtin::BuiltinTransform;
use super::config_checks::java_string;
use super::data::Datum;
use super::record::{Header, TransformRecord};
use super::transform::{Transform, TransformError};
use crate::convert::values::parse_string;

/// Kafka's keys. Both are required: `NonNullValidator` can only fail for a null, which a
/// string setting cannot be.
#[derive(Debug, ConnectConfig)]
pub struct InsertHeaderConfig {
    /// The name of the header.
    #[config(importance = "high", parse_with = "java_string")]
    pub header: String,
    /// The literal value that is to be set as the header value on all records.
    #[config(
        name = "value.literal",
        importance = "high",
        parse_with = "java_string"
    )]
    pub value_literal: String,
}

/// The configured transformation: the header to add.
#[derive(Debug)]
pub struct InsertHeader {
    header: String,
    value: Datum,
}

impl BuiltinTransform for InsertHeader {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.InsertHeader";
    const DOC: &'static str = "Add a header to each record.";
    type Config = InsertHeaderConfig;
    fn new(c: InsertHeaderConfig) -> Result<Self, TransformError> {
        let value = parse_string(&c.value_literal).map_err(|e| {
            TransformError::new(format!(
                "Invalid value {} for configuration value.literal: {e}",
                c.value_literal
            ))
        })?;
        Ok(InsertHeader {
            header: c.header,
            value,
        })
    }
}

impl Transform for InsertHeader {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        record.headers.push(Header {
            key: self.header.clone(),
            value: self.value.clone(),
        });
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::data::Value;
    use crate::transforms::requirements::schema_of;
    use crate::transforms::test_support::*;

    fn xform(header: &str, literal: &str) -> InsertHeader {
        build(&[("header", header), ("value.literal", literal)]).unwrap()
    }

    fn assert_inserted(xform: &mut InsertHeader, existing: Header, inserted: Header) {
        let original = header_record(vec![existing.clone()]);
        let out = xform.apply(original.clone()).unwrap().unwrap();
        assert_eq!(
            out,
            TransformRecord {
                headers: vec![existing, inserted],
                ..original
            }
        );
    }

    #[test]
    fn insertion_with_existing_other_header() {
        assert_inserted(
            &mut xform("inserted", "inserted-value"),
            string_header("existing", "existing-value"),
            string_header("inserted", "inserted-value"),
        );
    }

    #[test]
    fn insertion_with_existing_same_header() {
        assert_inserted(
            &mut xform("existing", "inserted-value"),
            string_header("existing", "preexisting-value"),
            string_header("existing", "inserted-value"),
        );
    }

    #[test]
    fn insertion_with_byte_header() {
        assert_inserted(
            &mut xform("inserted", "1"),
            string_header("existing", "existing-value"),
            header("inserted", schema_of(Type::Int8), Value::Int8(1)),
        );
    }

    #[test]
    fn literals_are_typed_and_trimmed() {
        let mut x = xform(" inserted ", "  [1, 300]  ");
        let out = x.apply(header_record(vec![])).unwrap().unwrap();
        assert_eq!(
            out.headers,
            [header(
                "inserted",
                schema_of(Type::Array(Box::new(schema_of(Type::Int16)))),
                Value::Array(vec![Value::Int16(1), Value::Int16(300)])
            )]
        );
        let out = xform("h", "null")
            .apply(header_record(vec![]))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers,
            [Header {
                key: "h".into(),
                value: Datum::NULL
            }]
        );
        // The empty literal is the empty string.
        let out = xform("h", "")
            .apply(header_record(vec![]))
            .unwrap()
            .unwrap();
        assert_eq!(out.headers, [string_header("h", "")]);
    }

    #[test]
    fn config_rejects_missing_header_key_or_value() {
        assert_eq!(
            validation_errors::<InsertHeader>(&[("value.literal", "1")]),
            ["Missing required configuration \"header\" which has no default value."]
        );
        assert_eq!(
            validation_errors::<InsertHeader>(&[("header", "inserted")]),
            ["Missing required configuration \"value.literal\" which has no default value."]
        );
        let deep = "[".repeat(crate::convert::values::MAX_NESTING + 1);
        assert!(build::<InsertHeader>(&[("header", "h"), ("value.literal", &deep)]).is_err());
    }
}
