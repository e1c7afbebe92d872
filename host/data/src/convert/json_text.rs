//! JSON text handling for the converters, without losing a digit: serde_json validates (and
//! gives the error messages), then a small borrowed tree over the already-valid text lets the
//! JSON converter check a payload against its schema and re-emit it with numbers exactly as
//! written (a `serde_json::Value` would round decimals and large integers).
//!
//! Like Jackson's `readTree` (which Kafka's `JsonDeserializer` uses), only the first JSON value
//! of the input is read; anything after it is ignored, and empty input means "no value".

use std::borrow::Cow;

use serde::de::IgnoredAny;

/// Validate the first JSON value of `bytes`. Returns its text (surrounding whitespace
/// trimmed), `None` for empty/whitespace-only input, or serde_json's error message.
pub(crate) fn first_value(bytes: &[u8]) -> Result<Option<&str>, String> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    match stream.next() {
        None => Ok(None),
        Some(Err(e)) => Err(e.to_string()),
        Some(Ok(_)) => {
            let end = stream.byte_offset();
            let start = bytes[..end]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(end);
            std::str::from_utf8(&bytes[start..end])
                .map(Some)
                .map_err(|e| format!("invalid UTF-8 in JSON text: {e}"))
        }
    }
}

/// A JSON value borrowed from valid JSON text. Strings and object keys are kept raw (with
/// quotes and escapes) so they can be re-emitted verbatim; numbers are kept as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(&'a str),
    /// A string, raw (including the quotes).
    Str(&'a str),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object: raw keys (with quotes) and values, in order.
    Object(Vec<(&'a str, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Build the tree of `text`, which must be valid JSON (see [`first_value`]).
    pub(crate) fn parse(text: &'a str) -> Node<'a> {
        let mut p = TreeParser { text, pos: 0 };
        p.value()
    }

    /// Jackson's `JsonNodeType` name, used in Kafka Connect's messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "NULL",
            Node::Bool(_) => "BOOLEAN",
            Node::Number(_) => "NUMBER",
            Node::Str(_) => "STRING",
            Node::Array(_) => "ARRAY",
            Node::Object(_) => "OBJECT",
        }
    }

    /// The value of the last member named `name` (Jackson keeps the last duplicate).
    pub(crate) fn get(&self, name: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| decode_str(k) == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The decoded string, if this is a string.
    pub(crate) fn as_str(&self) -> Option<Cow<'a, str>> {
        match self {
            Node::Str(raw) => Some(decode_str(raw)),
            _ => None,
        }
    }

    /// Append compact JSON text.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match self {
            Node::Null => out.extend_from_slice(b"null"),
            Node::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Node::Number(n) => out.extend_from_slice(n.as_bytes()),
            Node::Str(s) => out.extend_from_slice(s.as_bytes()),
            Node::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Node::Object(members) => {
                out.push(b'{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(k.as_bytes());
                    out.push(b':');
                    v.write(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// Whether a JSON number is written as an integer (no fraction, no exponent), like Jackson's
/// `isIntegralNumber`.
pub(crate) fn is_integral(number: &str) -> bool {
    !number.contains(['.', 'e', 'E'])
}

/// Decode a raw JSON string (with quotes), borrowing when it has no escapes.
pub(crate) fn decode_str(raw: &str) -> Cow<'_, str> {
    let inner = &raw[1..raw.len() - 1];
    if inner.contains('\\') {
        Cow::Owned(serde_json::from_str::<String>(raw).unwrap_or_else(|_| inner.to_string()))
    } else {
        Cow::Borrowed(inner)
    }
}

/// Append `text` as a JSON string literal.
pub(crate) fn write_json_string(text: &str, out: &mut Vec<u8>) {
    // Serializing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// The raw (untrimmed-inside) text of each member of the top-level object in `text`, or `None`
/// if `text` is not an object. `text` must be valid JSON.
pub(crate) fn object_members(text: &str) -> Option<Vec<(&str, &str)>> {
    let mut p = TreeParser { text, pos: 0 };
    p.skip_ws();
    if p.peek() != b'{' {
        return None;
    }
    p.pos += 1;
    let mut members = Vec::new();
    loop {
        p.skip_ws();
        if p.peek() == b'}' {
            break;
        }
        let key = p.string_raw();
        p.skip_ws();
        p.pos += 1; // ':'
        p.skip_ws();
        let start = p.pos;
        p.skip_value();
        members.push((key, &text[start..p.pos]));
        p.skip_ws();
        if p.peek() == b',' {
            p.pos += 1;
        }
    }
    Some(members)
}

struct TreeParser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> TreeParser<'a> {
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(0)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn string_raw(&mut self) -> &'a str {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        self.pos += 1;
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        &self.text[start..self.pos]
    }

    fn scalar_end(&mut self) {
        while matches!(self.peek(), b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' | b'a'..=b'z') {
            self.pos += 1;
        }
    }

    fn skip_value(&mut self) {
        self.skip_ws();
        match self.peek() {
            b'"' => {
                self.string_raw();
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        c if c == close => {
                            self.pos += 1;
                            break;
                        }
                        b',' | b':' => self.pos += 1,
                        0 => break,
                        _ => self.skip_value(),
                    }
                }
            }
            _ => self.scalar_end(),
        }
    }

    fn value(&mut self) -> Node<'a> {
        self.skip_ws();
        match self.peek() {
            b'"' => Node::Str(self.string_raw()),
            b'{' => {
                self.pos += 1;
                let mut members = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b'}' | 0 => {
                            self.pos += 1;
                            break;
                        }
                        b',' => self.pos += 1,
                        _ => {
                            let key = self.string_raw();
                            self.skip_ws();
                            self.pos += 1; // ':'
                            let v = self.value();
                            members.push((key, v));
                        }
                    }
                }
                Node::Object(members)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b']' | 0 => {
                            self.pos += 1;
                            break;
                        }
                        b',' => self.pos += 1,
                        _ => items.push(self.value()),
                    }
                }
                Node::Array(items)
            }
            _ => {
                let start = self.pos;
                self.scalar_end();
                match &self.text[start..self.pos] {
                    "null" => Node::Null,
                    "true" => Node::Bool(true),
                    "false" => Node::Bool(false),
                    number => Node::Number(number),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_like_jackson() {
        assert_eq!(first_value(b"  {\"a\": 1}  "), Ok(Some("{\"a\": 1}")));
        assert_eq!(first_value(b""), Ok(None));
        assert_eq!(first_value(b" \n "), Ok(None));
        assert_eq!(
            first_value(b"{\"a\":1} trailing"),
            Ok(Some("{\"a\":1}")),
            "trailing content is ignored"
        );
        assert_eq!(first_value(b"\"s\""), Ok(Some("\"s\"")));
        assert!(
            first_value(b"{\"a\":")
                .unwrap_err()
                .contains("EOF while parsing")
        );
        assert!(
            first_value(b"not json")
                .unwrap_err()
                .contains("expected ident")
        );
        assert!(first_value(b"\"\xff\"").is_err());
    }

    #[test]
    fn tree_keeps_numbers_and_strings_verbatim() {
        let text =
            r#" { "a" : 12.30 , "b\"q" : [ 1E400 , "x\u00e9" , true , null , { } , [ ] ] } "#;
        let node = Node::parse(text);
        let mut out = Vec::new();
        node.write(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":12.30,"b\"q":[1E400,"x\u00e9",true,null,{},[]]}"#
        );
        assert_eq!(node.get("b\"q").unwrap().type_name(), "ARRAY");
        assert_eq!(node.get("a"), Some(&Node::Number("12.30")));
        let Node::Array(items) = node.get("b\"q").unwrap() else {
            panic!()
        };
        assert_eq!(items[1].as_str().unwrap(), "xé");
    }

    #[test]
    fn duplicate_keys_last_wins() {
        assert_eq!(
            Node::parse(r#"{"a":1,"a":2}"#).get("a"),
            Some(&Node::Number("2"))
        );
    }

    #[test]
    fn object_members_are_raw_slices() {
        let m = object_members(r#"{"schema": {"type":"string"} , "payload" : "x" }"#).unwrap();
        assert_eq!(
            m,
            [
                ("\"schema\"", r#"{"type":"string"}"#),
                ("\"payload\"", "\"x\"")
            ]
        );
        assert_eq!(object_members("[1]"), None);
        assert_eq!(object_members("{}").unwrap().len(), 0);
    }

    #[test]
    fn helpers() {
        assert!(is_integral("-12") && !is_integral("1.0") && !is_integral("1e3"));
        let mut out = Vec::new();
        write_json_string("a\"b\n", &mut out);
        assert_eq!(out, br#""a\"b\n""#);
    }
}
