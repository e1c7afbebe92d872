//! Connect schemas (shared with the transformations) in `JsonConverter`'s schema JSON (contract §5.1): parsed with
//! `asConnectSchema`'s rules and messages, and written back in `asJsonSchema`'s canonical form
//! (key order `type`, `items`/`keys`/`values`/`fields`, `optional`, `name`, `version`, `doc`,
//! `parameters`, `default`; struct fields carry `field` last), so equal schemas have equal text.

use super::json_text::{Node, write_json_string};
use super::normalize::{Direction, Normalizer};

/// Logical type names.
pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
pub const DATE: &str = "org.apache.kafka.connect.data.Date";
pub const TIME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

/// A Connect schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub ty: Type,
    pub optional: bool,
    pub name: Option<String>,
    pub version: Option<i64>,
    pub doc: Option<String>,
    pub parameters: Option<Vec<(String, String)>>,
    /// The default value as normalized JSON text.
    pub default: Option<String>,
}

/// A Connect schema type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Bytes,
    String,
    Array(Box<Schema>),
    Map(Box<Schema>, Box<Schema>),
    Struct(Vec<(String, Schema)>),
}

impl Type {
    /// The JSON `type` name.
    fn json_name(&self) -> &'static str {
        match self {
            Type::Boolean => "boolean",
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float",
            Type::Float64 => "double",
            Type::Bytes => "bytes",
            Type::String => "string",
            Type::Array(_) => "array",
            Type::Map(..) => "map",
            Type::Struct(_) => "struct",
        }
    }

    /// Java's `Schema.Type` name, used in Kafka Connect's messages (`INT32`, `STRING`, …).
    pub fn java_name(&self) -> &'static str {
        match self {
            Type::Boolean => "BOOLEAN",
            Type::Int8 => "INT8",
            Type::Int16 => "INT16",
            Type::Int32 => "INT32",
            Type::Int64 => "INT64",
            Type::Float32 => "FLOAT32",
            Type::Float64 => "FLOAT64",
            Type::Bytes => "BYTES",
            Type::String => "STRING",
            Type::Array(_) => "ARRAY",
            Type::Map(..) => "MAP",
            Type::Struct(_) => "STRUCT",
        }
    }
}

impl Schema {
    /// Parse a schema node (`asConnectSchema`); `Ok(None)` for JSON `null`. Defaults are
    /// checked and normalized with `normalizer`.
    pub(crate) fn from_node(
        node: &Node<'_>,
        normalizer: &Normalizer,
    ) -> Result<Option<Schema>, String> {
        if *node == Node::Null {
            return Ok(None);
        }
        let type_name = node
            .get("type")
            .and_then(Node::as_str)
            .ok_or("Schema must contain 'type' field")?;
        let child = |key: &str, missing: &str| -> Result<Schema, String> {
            match node.get(key) {
                None | Some(Node::Null) => Err(missing.to_string()),
                Some(n) => Schema::from_node(n, normalizer)?.ok_or_else(|| missing.to_string()),
            }
        };
        let ty = match type_name.as_ref() {
            "boolean" => Type::Boolean,
            "int8" => Type::Int8,
            "int16" => Type::Int16,
            "int32" => Type::Int32,
            "int64" => Type::Int64,
            "float" => Type::Float32,
            "double" => Type::Float64,
            "bytes" => Type::Bytes,
            "string" => Type::String,
            "array" => Type::Array(Box::new(child(
                "items",
                "Array schema did not specify the element type",
            )?)),
            "map" => Type::Map(
                Box::new(child("keys", "Map schema did not specify the key type")?),
                Box::new(child(
                    "values",
                    "Map schema did not specify the value type",
                )?),
            ),
            "struct" => {
                let Some(Node::Array(fields)) = node.get("fields") else {
                    return Err("Struct schema's \"fields\" argument is not an array.".to_string());
                };
                let mut out = Vec::with_capacity(fields.len());
                for field in fields {
                    let name = field
                        .get("field")
                        .and_then(Node::as_str)
                        .ok_or("Struct schema's field name not specified properly")?;
                    let schema = Schema::from_node(field, normalizer)?
                        .ok_or("Struct schema's field name not specified properly")?;
                    out.push((name.into_owned(), schema));
                }
                Type::Struct(out)
            }
            other => return Err(format!("Unknown schema type: {other}")),
        };
        let mut schema = Schema {
            ty,
            optional: node.get("optional") == Some(&Node::Bool(true)),
            name: node
                .get("name")
                .and_then(Node::as_str)
                .map(|s| s.into_owned()),
            version: match node.get("version") {
                Some(Node::Number(n)) if super::json_text::is_integral(n) => n.parse().ok(),
                _ => None,
            },
            doc: node
                .get("doc")
                .and_then(Node::as_str)
                .map(|s| s.into_owned()),
            parameters: None,
            default: None,
        };
        if let Some(Node::Object(params)) = node.get("parameters") {
            let mut out = Vec::with_capacity(params.len());
            for (k, v) in params {
                let value = v
                    .as_str()
                    .ok_or("Schema parameters must have string values.")?;
                out.push((
                    super::json_text::decode_str(k).into_owned(),
                    value.into_owned(),
                ));
            }
            schema.parameters = Some(out);
        }
        if let Some(default) = node.get("default") {
            let mut text = Vec::new();
            normalizer.write(&schema, Some(default), Direction::ToConnect, &mut text)?;
            if text != b"null" {
                schema.default = Some(String::from_utf8(text).map_err(|e| e.to_string())?);
            }
        }
        Ok(Some(schema))
    }

    /// A struct schema's fields, in order (none for another type).
    pub fn fields(&self) -> &[(String, Schema)] {
        match &self.ty {
            Type::Struct(fields) => fields,
            _ => &[],
        }
    }

    /// An array schema's element schema (`None` for another type).
    pub fn element_schema(&self) -> Option<&Schema> {
        match &self.ty {
            Type::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A map schema's key and value schemas (`None` for another type).
    pub fn key_value_schemas(&self) -> Option<(&Schema, &Schema)> {
        match &self.ty {
            Type::Map(keys, values) => Some((keys, values)),
            _ => None,
        }
    }

    /// The value of parameter `key`.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .as_ref()?
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The logical type name, if any.
    pub fn logical(&self) -> Option<&str> {
        self.name
            .as_deref()
            .filter(|n| matches!(*n, DECIMAL | DATE | TIME | TIMESTAMP))
    }

    /// Canonical schema JSON (`asJsonSchema`).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out, None);
        String::from_utf8(out).unwrap_or_default()
    }

    fn write_json(&self, out: &mut Vec<u8>, field: Option<&str>) {
        out.extend_from_slice(b"{\"type\":");
        write_json_string(self.ty.json_name(), out);
        match &self.ty {
            Type::Array(items) => {
                out.extend_from_slice(b",\"items\":");
                items.write_json(out, None);
            }
            Type::Map(keys, values) => {
                out.extend_from_slice(b",\"keys\":");
                keys.write_json(out, None);
                out.extend_from_slice(b",\"values\":");
                values.write_json(out, None);
            }
            Type::Struct(fields) => {
                out.extend_from_slice(b",\"fields\":[");
                for (i, (name, schema)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    schema.write_json(out, Some(name));
                }
                out.push(b']');
            }
            _ => {}
        }
        out.extend_from_slice(if self.optional {
            b",\"optional\":true"
        } else {
            b",\"optional\":false"
        });
        if let Some(name) = &self.name {
            out.extend_from_slice(b",\"name\":");
            write_json_string(name, out);
        }
        if let Some(version) = self.version {
            out.extend_from_slice(format!(",\"version\":{version}").as_bytes());
        }
        if let Some(doc) = &self.doc {
            out.extend_from_slice(b",\"doc\":");
            write_json_string(doc, out);
        }
        if let Some(params) = &self.parameters {
            out.extend_from_slice(b",\"parameters\":{");
            for (i, (k, v)) in params.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(k, out);
                out.push(b':');
                write_json_string(v, out);
            }
            out.push(b'}');
        }
        if let Some(default) = &self.default {
            out.extend_from_slice(b",\"default\":");
            out.extend_from_slice(default.as_bytes());
        }
        if let Some(field) = field {
            out.extend_from_slice(b",\"field\":");
            write_json_string(field, out);
        }
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<Schema>, String> {
        Schema::from_node(&Node::parse(text), &Normalizer::default())
    }

    fn canonical(text: &str) -> String {
        parse(text).unwrap().unwrap().to_json()
    }

    #[test]
    fn canonical_form_matches_json_converter() {
        assert_eq!(
            canonical(r#"{"type":"string"}"#),
            r#"{"type":"string","optional":false}"#
        );
        assert_eq!(
            canonical(r#"{ "optional" : true, "type" : "string" }"#),
            r#"{"type":"string","optional":true}"#
        );
        assert_eq!(
            canonical(
                r#"{"type":"struct","name":"com.acme.User","optional":false,"fields":[
                {"field":"id","type":"int64","optional":false},
                {"field":"tags","type":"array","items":{"type":"string","optional":false},"optional":true},
                {"field":"attrs","type":"map","keys":{"type":"string"},"values":{"type":"int32"},"optional":true},
                {"field":"ts","type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1},
                {"field":"amount","type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}]}"#
            ),
            concat!(
                r#"{"type":"struct","fields":["#,
                r#"{"type":"int64","optional":false,"field":"id"},"#,
                r#"{"type":"array","items":{"type":"string","optional":false},"optional":true,"field":"tags"},"#,
                r#"{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":true,"field":"attrs"},"#,
                r#"{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},"#,
                r#"{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"amount"}"#,
                r#"],"optional":false,"name":"com.acme.User"}"#
            )
        );
    }

    #[test]
    fn defaults_are_checked_and_kept() {
        assert_eq!(
            canonical(r#"{"type":"int32","default":7,"doc":"d"}"#),
            r#"{"type":"int32","optional":false,"doc":"d","default":7}"#
        );
        assert_eq!(
            canonical(r#"{"type":"string","optional":true,"default":null}"#),
            r#"{"type":"string","optional":true}"#
        );
        assert!(
            parse(r#"{"type":"int32","default":"x"}"#)
                .unwrap_err()
                .contains("INT32")
        );
    }

    #[test]
    fn kafka_messages_for_bad_schemas() {
        assert_eq!(parse("null"), Ok(None));
        assert_eq!(
            parse(r#"{"optional":true}"#).unwrap_err(),
            "Schema must contain 'type' field"
        );
        assert_eq!(
            parse(r#"{"type":"uuid"}"#).unwrap_err(),
            "Unknown schema type: uuid"
        );
        assert_eq!(
            parse(r#"{"type":"array"}"#).unwrap_err(),
            "Array schema did not specify the element type"
        );
        assert_eq!(
            parse(r#"{"type":"map","values":{"type":"string"}}"#).unwrap_err(),
            "Map schema did not specify the key type"
        );
        assert_eq!(
            parse(r#"{"type":"struct"}"#).unwrap_err(),
            "Struct schema's \"fields\" argument is not an array."
        );
        assert_eq!(
            parse(r#"{"type":"struct","fields":[{"type":"string"}]}"#).unwrap_err(),
            "Struct schema's field name not specified properly"
        );
        assert_eq!(
            parse(r#"{"type":"bytes","parameters":{"scale":2}}"#).unwrap_err(),
            "Schema parameters must have string values."
        );
        assert_eq!(
            parse(r#"[1]"#).unwrap_err(),
            "Schema must contain 'type' field"
        );
    }
}
