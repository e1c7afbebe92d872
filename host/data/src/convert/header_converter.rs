//! `header.converter`: Kafka header bytes ↔ Connect header values, one header at a time.
//!
//! Kafka's default is `SimpleHeaderConverter` ([`super::simple_header`]). `StringConverter`,
//! `JsonConverter` and `ByteArrayConverter` are header converters too in Kafka (they implement
//! `HeaderConverter` by calling their own `toConnectData`/`fromConnectData`), configured with the
//! `header.converter.*` settings; here they are the same converters as for keys and values,
//! their Connect data decoded into a [`Datum`] by the transformations' codec.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::registry::{converter_from_config, resolve_converter_class};
use super::simple_header::SimpleHeaderConverter;
use super::{ConnectDataRef, ConvertError, Converter};
use crate::transforms::codec::Codec;
use crate::transforms::data::Datum;
use crate::transforms::schemas::SchemaCache;

/// A configured header converter. One per task: it keeps a schema cache.
#[derive(Default)]
pub enum HeaderConverter {
    /// `org.apache.kafka.connect.storage.SimpleHeaderConverter` (no settings).
    #[default]
    Simple,
    /// A key/value converter class used for headers.
    Converter {
        /// Its full class name.
        class: &'static str,
        /// The converter.
        inner: Box<dyn Converter>,
        /// Its data ↔ values.
        codec: Codec,
        /// Parsed schemas by text.
        schemas: SchemaCache,
    },
}

impl std::fmt::Debug for HeaderConverter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.class())
    }
}

/// The full class name of a header converter `class` (full name or alias) this host runs.
pub fn resolve_header_converter_class(class: &str) -> Option<&'static str> {
    let class = class.trim();
    let simple = SimpleHeaderConverter::CLASS;
    let short = simple.rsplit('.').next().unwrap_or(simple);
    if class == simple || class == short || short.strip_suffix("Converter") == Some(class) {
        return Some(simple);
    }
    resolve_converter_class(class)
}

impl HeaderConverter {
    /// The converter `class` names, configured with `settings` (the `header.converter.*` keys
    /// without the prefix). `Err` names the class and what is wrong.
    pub fn from_config(
        class: &str,
        settings: &BTreeMap<String, String>,
    ) -> Result<HeaderConverter, ConvertError> {
        match resolve_header_converter_class(class) {
            Some(SimpleHeaderConverter::CLASS) => Ok(HeaderConverter::Simple),
            Some(full) => {
                let inner = converter_from_config(full, settings, false)?;
                let decimal_numeric = settings
                    .get("decimal.format")
                    .is_some_and(|f| f.trim().eq_ignore_ascii_case("NUMERIC"));
                Ok(HeaderConverter::Converter {
                    class: full,
                    inner,
                    codec: Codec { decimal_numeric },
                    schemas: SchemaCache::default(),
                })
            }
            None => Err(ConvertError::UnknownClass {
                class: class.trim().to_string(),
                known: std::iter::once(SimpleHeaderConverter::CLASS)
                    .chain(super::KNOWN_CONVERTERS.iter().copied())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Its full class name.
    pub fn class(&self) -> &'static str {
        match self {
            HeaderConverter::Simple => SimpleHeaderConverter::CLASS,
            HeaderConverter::Converter { class, .. } => class,
        }
    }

    /// Whether this is Kafka's default, `SimpleHeaderConverter`.
    pub fn is_simple(&self) -> bool {
        matches!(self, HeaderConverter::Simple)
    }

    /// `toConnectHeader`: the Connect value of header `key`'s bytes (`None`: a null header).
    pub fn to_connect_header(
        &mut self,
        topic: &str,
        key: &str,
        value: Option<&[u8]>,
    ) -> Result<Datum, ConvertError> {
        match self {
            HeaderConverter::Simple => {
                Ok(SimpleHeaderConverter.to_connect_header(topic, key, value))
            }
            HeaderConverter::Converter {
                inner,
                codec,
                schemas,
                ..
            } => {
                let mut arena = Vec::new();
                let c = inner.to_connect(topic, value, &mut arena)?;
                let schema = match &c.schema {
                    Some(text) => Some(
                        schemas
                            .parse(text)
                            .map_err(|e| ConvertError::data(topic, e))?,
                    ),
                    None => None,
                };
                codec
                    .decode(c.kind, c.bytes(&arena), schema)
                    .map_err(|e| ConvertError::data(topic, e))
            }
        }
    }

    /// `fromConnectHeader`: the bytes of header `key`'s Connect value (`None`: a null header).
    pub fn from_connect_header(
        &mut self,
        topic: &str,
        key: &str,
        header: &Datum,
    ) -> Result<Option<Vec<u8>>, ConvertError> {
        match self {
            HeaderConverter::Simple => {
                SimpleHeaderConverter.from_connect_header(topic, key, header)
            }
            HeaderConverter::Converter {
                inner,
                codec,
                schemas,
                ..
            } => {
                let mut data = Vec::new();
                let kind = codec
                    .encode(header, &mut data)
                    .map_err(|e| ConvertError::data(topic, e))?;
                let schema: Option<Arc<str>> = header.schema.as_ref().map(|s| schemas.text(s));
                let input = ConnectDataRef {
                    kind,
                    bytes: &data,
                    schema: schema.as_deref(),
                };
                let mut out = Vec::new();
                let present = inner.from_connect(topic, &input, &mut out)?;
                Ok(present.then_some(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::data::Value;

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn classes_resolve_by_full_and_short_names() {
        for (alias, full) in [
            ("SimpleHeaderConverter", SimpleHeaderConverter::CLASS),
            ("SimpleHeader", SimpleHeaderConverter::CLASS),
            (
                "org.apache.kafka.connect.storage.StringConverter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("Json", "org.apache.kafka.connect.json.JsonConverter"),
            (
                "ByteArrayConverter",
                "org.apache.kafka.connect.converters.ByteArrayConverter",
            ),
        ] {
            assert_eq!(resolve_header_converter_class(alias), Some(full), "{alias}");
        }
        assert!(HeaderConverter::from_config("com.acme.Nope", &none()).is_err());
    }

    #[test]
    fn string_headers_read_as_optional_strings_and_write_as_text() {
        let mut c = HeaderConverter::from_config("StringConverter", &none()).unwrap();
        let d = c.to_connect_header("t", "h", Some(b"42")).unwrap();
        assert_eq!(d.value, Value::String("42".into()));
        assert!(d.schema.as_ref().unwrap().optional);
        assert_eq!(
            c.from_connect_header("t", "h", &d).unwrap().as_deref(),
            Some(&b"42"[..])
        );
        assert_eq!(
            c.to_connect_header("t", "h", None).unwrap().value,
            Value::Null
        );
    }

    #[test]
    fn json_headers_carry_their_schema_in_the_envelope() {
        let mut c = HeaderConverter::from_config("JsonConverter", &none()).unwrap();
        let d = c
            .to_connect_header(
                "t",
                "h",
                Some(br#"{"schema":{"type":"int32","optional":false},"payload":7}"#),
            )
            .unwrap();
        assert_eq!(d.value, Value::Int32(7));
        let back = c.from_connect_header("t", "h", &d).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(back).unwrap(),
            r#"{"schema":{"type":"int32","optional":false},"payload":7}"#
        );
        // Without the envelope: Kafka's DataException.
        let e = c.to_connect_header("t", "h", Some(b"7")).unwrap_err();
        assert!(e.to_string().contains("schemas.enable"), "{e}");
    }

    #[test]
    fn byte_array_headers_refuse_a_string_value() {
        let mut c = HeaderConverter::from_config("ByteArrayConverter", &none()).unwrap();
        let d = c.to_connect_header("t", "h", Some(b"\x00\x01")).unwrap();
        assert_eq!(d.value, Value::Bytes(vec![0, 1]));
        let mut simple = HeaderConverter::default();
        let text = simple.to_connect_header("t", "h", Some(b"hello")).unwrap();
        let e = c.from_connect_header("t", "h", &text).unwrap_err();
        assert!(e.to_string().contains("ByteArrayConverter"), "{e}");
    }
}
