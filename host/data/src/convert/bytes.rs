//! `org.apache.kafka.connect.converters.ByteArrayConverter` (contract §5.2): bytes pass through
//! unchanged with the optional-bytes schema. Writing accepts only bytes (or null) and refuses a
//! non-`bytes` schema, with Kafka Connect's messages.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::json_text::{Node, first_value};
use super::settings::Settings;
use super::{ConnectDataRef, ConvertError, Converted, Converter, DataKind};

/// `Schema.OPTIONAL_BYTES_SCHEMA` in schema JSON.
pub const OPTIONAL_BYTES_SCHEMA: &str = r#"{"type":"bytes","optional":true}"#;

/// The byte-array converter.
pub struct ByteArrayConverter {
    schema: Arc<str>,
}

impl ByteArrayConverter {
    /// Configure (it has no settings of its own).
    pub fn new(
        settings: &BTreeMap<String, String>,
        is_key: bool,
    ) -> Result<ByteArrayConverter, ConvertError> {
        Settings::new("ByteArrayConverter", settings, is_key, &[])?;
        Ok(ByteArrayConverter {
            schema: Arc::from(OPTIONAL_BYTES_SCHEMA),
        })
    }
}

/// The Java `Schema.Type` name of a schema's JSON `type` (e.g. `STRING`), if readable.
fn schema_type_name(schema: &str) -> Option<String> {
    let text = first_value(schema.as_bytes()).ok()??;
    let node = Node::parse(text);
    let ty = node.get("type")?.as_str()?;
    Some(match ty.as_ref() {
        "float" => "FLOAT32".to_string(),
        "double" => "FLOAT64".to_string(),
        other => other.to_ascii_uppercase(),
    })
}

impl Converter for ByteArrayConverter {
    fn to_connect(
        &self,
        _topic: &str,
        input: Option<&[u8]>,
        arena: &mut Vec<u8>,
    ) -> Result<Converted, ConvertError> {
        let start = arena.len();
        let kind = match input {
            None => DataKind::Null,
            Some(bytes) => {
                arena.extend_from_slice(bytes);
                DataKind::Bytes
            }
        };
        Ok(Converted {
            kind,
            start,
            len: arena.len() - start,
            schema: Some(Arc::clone(&self.schema)),
        })
    }

    fn from_connect(
        &self,
        topic: &str,
        data: &ConnectDataRef<'_>,
        out: &mut Vec<u8>,
    ) -> Result<bool, ConvertError> {
        if let Some(schema) = data.schema {
            let ty = schema_type_name(schema).unwrap_or_else(|| "unknown".to_string());
            if ty != "BYTES" {
                return Err(ConvertError::data(
                    topic,
                    format!("Invalid schema type for ByteArrayConverter: {ty}"),
                ));
            }
        }
        match data.kind {
            DataKind::Null => Ok(false),
            DataKind::Bytes => {
                out.extend_from_slice(data.bytes);
                Ok(true)
            }
            DataKind::String => Err(ConvertError::data(
                topic,
                "ByteArrayConverter is not compatible with objects of type class java.lang.String",
            )),
            DataKind::Json => Err(ConvertError::data(
                topic,
                "ByteArrayConverter is not compatible with objects of type JSON value (use JsonConverter or StringConverter)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter() -> ByteArrayConverter {
        ByteArrayConverter::new(&BTreeMap::new(), false).unwrap()
    }

    #[test]
    fn passes_bytes_through() {
        let c = converter();
        let mut arena = vec![9];
        let v = c.to_connect("t", Some(&[0, 1, 255]), &mut arena).unwrap();
        assert_eq!(
            (v.kind, v.start, v.bytes(&arena)),
            (DataKind::Bytes, 1, &[0, 1, 255][..])
        );
        assert_eq!(v.schema.as_deref(), Some(OPTIONAL_BYTES_SCHEMA));
        assert_eq!(
            c.to_connect("t", None, &mut arena).unwrap().kind,
            DataKind::Null
        );

        let mut out = Vec::new();
        assert!(
            c.from_connect("t", &ConnectDataRef::bytes(&[7, 8]), &mut out)
                .unwrap()
        );
        assert!(
            c.from_connect(
                "t",
                &ConnectDataRef::bytes(&[9]).with_schema(OPTIONAL_BYTES_SCHEMA),
                &mut out
            )
            .unwrap()
        );
        assert!(
            !c.from_connect("t", &ConnectDataRef::NULL, &mut out)
                .unwrap()
        );
        assert_eq!(out, [7, 8, 9]);
    }

    #[test]
    fn refuses_other_types_like_kafka() {
        let c = converter();
        let mut out = Vec::new();
        let e = c
            .from_connect("t", &ConnectDataRef::string("x"), &mut out)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "ByteArrayConverter is not compatible with objects of type class java.lang.String"
        );
        let e = c
            .from_connect("t", &ConnectDataRef::json("{}"), &mut out)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("ByteArrayConverter is not compatible with objects of type")
        );
        let e = c
            .from_connect(
                "t",
                &ConnectDataRef::bytes(&[1]).with_schema(r#"{"type":"string"}"#),
                &mut out,
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid schema type for ByteArrayConverter: STRING"
        );
        assert!(out.is_empty());
        let m: BTreeMap<String, String> =
            [("schemas.enable".to_string(), "false".to_string())].into();
        assert!(
            ByteArrayConverter::new(&m, false).is_ok(),
            "leftover settings are ignored"
        );
    }
}
