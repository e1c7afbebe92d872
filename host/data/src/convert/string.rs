//! `org.apache.kafka.connect.storage.StringConverter` (contract §5.2): bytes ↔ text in
//! `converter.encoding` (default UTF-8). Reading always gives the optional-string schema, even
//! for a null. Writing is Java's `value.toString()`: text as is, other Connect values as Java
//! prints them (`Struct{a=1}`, `{k=v}`, `[1, 2]`, a date as `Date.toString()`, `1.0E10`; a
//! schemaless map's entries in their own order, where Java's `HashMap` has its hash order),
//! bytes passed through unchanged (Java would print an object id); null stays null.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::encoding::{Encoding, NAMES};
use super::settings::Settings;
use super::{ConnectDataRef, ConvertError, Converted, Converter, DataKind};
use crate::transforms::codec::Codec;
use crate::transforms::java_string::value_to_string;
use crate::transforms::schemas::SchemaCache;

/// `Schema.OPTIONAL_STRING_SCHEMA` in schema JSON.
pub const OPTIONAL_STRING_SCHEMA: &str = r#"{"type":"string","optional":true}"#;

/// The string converter.
pub struct StringConverter {
    encoding: Encoding,
    schema: Arc<str>,
}

impl StringConverter {
    /// Configure from settings (prefix stripped).
    pub fn new(
        settings: &BTreeMap<String, String>,
        is_key: bool,
    ) -> Result<StringConverter, ConvertError> {
        let s = Settings::new("StringConverter", settings, is_key, &["converter.encoding"])?;
        let encoding = match s.string("converter.encoding") {
            None => Encoding::Utf8,
            Some(name) => Encoding::from_name(name).ok_or_else(|| ConvertError::Config {
                message: format!(
                    "StringConverter: unsupported {}converter.encoding `{name}` (supported: {})",
                    if is_key {
                        "key.converter."
                    } else {
                        "value.converter."
                    },
                    NAMES.join(", ")
                ),
            })?,
        };
        Ok(StringConverter {
            encoding,
            schema: Arc::from(OPTIONAL_STRING_SCHEMA),
        })
    }
}

impl Converter for StringConverter {
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
                self.encoding.decode_into(bytes, arena);
                DataKind::String
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
        match data.kind {
            DataKind::Null => return Ok(false),
            DataKind::Bytes => out.extend_from_slice(data.bytes),
            // `str::from_utf8` first: about 4× faster than `from_utf8_lossy` on valid text.
            DataKind::String => match std::str::from_utf8(data.bytes) {
                Ok(text) => self.encoding.encode_into(text, out),
                Err(_) => self
                    .encoding
                    .encode_into(&String::from_utf8_lossy(data.bytes), out),
            },
            DataKind::Json => {
                let schema = match data.schema {
                    Some(text) => Some(
                        SchemaCache::default()
                            .parse(&Arc::from(text))
                            .map_err(|e| ConvertError::data(topic, e))?,
                    ),
                    None => None,
                };
                let datum = Codec::default()
                    .decode(DataKind::Json, data.bytes, schema)
                    .map_err(|e| ConvertError::data(topic, e))?;
                let text = value_to_string(&datum.value, datum.schema.as_deref());
                self.encoding.encode_into(&text, out)
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(pairs: &[(&str, &str)]) -> StringConverter {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StringConverter::new(&m, false).unwrap()
    }

    fn write(c: &StringConverter, data: ConnectDataRef<'_>) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        c.from_connect("t", &data, &mut out).unwrap().then_some(out)
    }

    #[test]
    fn reads_text_with_the_optional_string_schema() {
        let c = converter(&[]);
        let mut arena = Vec::new();
        let v = c
            .to_connect("t", Some("{\"a\":1} 한글".as_bytes()), &mut arena)
            .unwrap();
        assert_eq!(v.kind, DataKind::String);
        assert_eq!(v.bytes(&arena), "{\"a\":1} 한글".as_bytes());
        assert_eq!(v.schema.as_deref(), Some(OPTIONAL_STRING_SCHEMA));
        let n = c.to_connect("t", None, &mut arena).unwrap();
        assert_eq!((n.kind, n.len), (DataKind::Null, 0));
        assert!(
            Arc::ptr_eq(n.schema.as_ref().unwrap(), v.schema.as_ref().unwrap()),
            "null keeps the schema, shared"
        );
        let lossy = c.to_connect("t", Some(b"a\xffb"), &mut arena).unwrap();
        assert_eq!(lossy.bytes(&arena), "a\u{fffd}b".as_bytes());
    }

    #[test]
    fn writes_like_to_string() {
        let c = converter(&[]);
        assert_eq!(
            write(&c, ConnectDataRef::string("héllo")).unwrap(),
            "héllo".as_bytes()
        );
        assert_eq!(
            write(&c, ConnectDataRef::json(r#" "quoted\n" "#)).unwrap(),
            b"quoted\n"
        );
        assert_eq!(
            write(&c, ConnectDataRef::json(r#"{"a": 1}"#)).unwrap(),
            b"{a=1}"
        );
        assert_eq!(write(&c, ConnectDataRef::json("12.5")).unwrap(), b"12.5");
        assert_eq!(write(&c, ConnectDataRef::json("1e10")).unwrap(), b"1.0E10");
        assert_eq!(
            write(
                &c,
                ConnectDataRef::json(r#"{"line":"a","n":null}"#).with_schema(
                    r#"{"type":"struct","fields":[{"field":"line","type":"string"},{"field":"n","type":"int32","optional":true}]}"#
                )
            )
            .unwrap(),
            b"Struct{line=a}"
        );
        assert_eq!(write(&c, ConnectDataRef::json("[1,2]")).unwrap(), b"[1, 2]");
        assert_eq!(
            write(&c, ConnectDataRef::bytes(&[0, 159])).unwrap(),
            [0, 159]
        );
        assert_eq!(
            write(&c, ConnectDataRef::NULL.with_schema(OPTIONAL_STRING_SCHEMA)),
            None
        );
    }

    #[test]
    fn encoding_setting() {
        let c = converter(&[("converter.encoding", "ISO-8859-1")]);
        let mut arena = Vec::new();
        let v = c.to_connect("t", Some(b"caf\xe9"), &mut arena).unwrap();
        assert_eq!(v.bytes(&arena), "café".as_bytes());
        assert_eq!(
            write(&c, ConnectDataRef::string("café")).unwrap(),
            b"caf\xe9"
        );
        let m: BTreeMap<String, String> =
            [("converter.encoding".to_string(), "KOI8-R".to_string())].into();
        let e = StringConverter::new(&m, true).err().unwrap();
        assert!(
            e.to_string().starts_with(
                "StringConverter: unsupported key.converter.converter.encoding `KOI8-R`"
            ),
            "{e}"
        );
    }
}
