//! Converter classes by name: `converter_from_config` builds the converter a `key.converter` /
//! `value.converter` setting names. Names resolve like Kafka Connect's plugin aliases: the full
//! class name, the simple class name (`JsonConverter`), or the simple name without the
//! `Converter` suffix (`Json`).

use std::collections::BTreeMap;

use super::bytes::ByteArrayConverter;
use super::json::JsonConverter;
use super::string::StringConverter;
use super::{ConvertError, Converter};

/// `org.apache.kafka.connect.json.JsonConverter`.
pub const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
/// `org.apache.kafka.connect.storage.StringConverter`.
pub const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";
/// `org.apache.kafka.connect.converters.ByteArrayConverter`.
pub const BYTE_ARRAY_CONVERTER: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// The converter classes this host provides.
pub const KNOWN_CONVERTERS: &[&str] = &[BYTE_ARRAY_CONVERTER, JSON_CONVERTER, STRING_CONVERTER];

/// The full class name `class` (a full name or alias) refers to, if it is a known converter.
pub fn resolve_converter_class(class: &str) -> Option<&'static str> {
    let class = class.trim();
    KNOWN_CONVERTERS.iter().copied().find(|full| {
        let simple = full.rsplit('.').next().unwrap_or(full);
        class == *full || class == simple || simple.strip_suffix("Converter") == Some(class)
    })
}

/// Build the converter `class` names, configured with `settings` (already stripped of the
/// `key.converter.` / `value.converter.` prefix). `is_key` selects key/value wording in errors.
pub fn converter_from_config(
    class: &str,
    settings: &BTreeMap<String, String>,
    is_key: bool,
) -> Result<Box<dyn Converter>, ConvertError> {
    match resolve_converter_class(class) {
        Some(JSON_CONVERTER) => Ok(Box::new(JsonConverter::new(settings, is_key)?)),
        Some(STRING_CONVERTER) => Ok(Box::new(StringConverter::new(settings, is_key)?)),
        Some(BYTE_ARRAY_CONVERTER) => Ok(Box::new(ByteArrayConverter::new(settings, is_key)?)),
        _ => Err(ConvertError::UnknownClass {
            class: class.trim().to_string(),
            known: KNOWN_CONVERTERS.join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ConnectDataRef, DataKind};
    use super::*;

    #[test]
    fn aliases_resolve_like_kafka_connect() {
        for (alias, full) in [
            (
                "org.apache.kafka.connect.json.JsonConverter",
                JSON_CONVERTER,
            ),
            ("JsonConverter", JSON_CONVERTER),
            ("Json", JSON_CONVERTER),
            (" StringConverter ", STRING_CONVERTER),
            ("String", STRING_CONVERTER),
            ("ByteArrayConverter", BYTE_ARRAY_CONVERTER),
            ("ByteArray", BYTE_ARRAY_CONVERTER),
        ] {
            assert_eq!(resolve_converter_class(alias), Some(full), "{alias}");
        }
        assert_eq!(
            resolve_converter_class("jsonconverter"),
            None,
            "class names are case-sensitive"
        );
    }

    #[test]
    fn builds_each_converter() {
        let none = BTreeMap::new();
        let mut arena = Vec::new();
        let json = converter_from_config("JsonConverter", &none, false).unwrap();
        assert!(
            json.to_connect("t", Some(b"{}"), &mut arena).is_err(),
            "schemas.enable defaults to true"
        );
        let string = converter_from_config(STRING_CONVERTER, &none, true).unwrap();
        assert_eq!(
            string.to_connect("t", Some(b"x"), &mut arena).unwrap().kind,
            DataKind::String
        );
        let bytes = converter_from_config("ByteArray", &none, false).unwrap();
        assert!(
            bytes
                .from_connect("t", &ConnectDataRef::bytes(b"x"), &mut Vec::new())
                .unwrap()
        );
    }

    #[test]
    fn unknown_class_lists_the_known_ones() {
        let e = converter_from_config(
            "io.confluent.connect.avro.AvroConverter",
            &BTreeMap::new(),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "Failed to find any class that implements Converter and which name matches io.confluent.connect.avro.AvroConverter, \
             available converters are: org.apache.kafka.connect.converters.ByteArrayConverter, \
             org.apache.kafka.connect.json.JsonConverter, org.apache.kafka.connect.storage.StringConverter"
        );
    }

    #[test]
    fn settings_errors_surface() {
        let m: BTreeMap<String, String> =
            [("schemas.enable".to_string(), "maybe".to_string())].into();
        let e = converter_from_config("JsonConverter", &m, false)
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("value.converter.schemas.enable"),
            "{e}"
        );
    }
}
