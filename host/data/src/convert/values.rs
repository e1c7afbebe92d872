//! Kafka Connect's `org.apache.kafka.connect.data.Values`, the parts a header needs:
//! [`parse_string`] (text → a typed value with an inferred schema, what `SimpleHeaderConverter`
//! reads headers with and `InsertHeader` reads its literal with) and [`convert_to_string`] (any
//! value → its text, what `SimpleHeaderConverter` writes headers with).
//!
//! The parser is Java's, quirks included, because the type a header gets is user-visible: the
//! text is split into tokens at unescaped `: , { } [ ] "`; `true`/`false`/`null` alone are
//! literals; `[...]` and `{...}` are arrays and maps whose elements must be literals, numbers,
//! quoted strings or nested arrays/maps (anything else makes the whole text a plain string);
//! numbers become the smallest integer type that holds them, else `FLOAT32`, `FLOAT64` or a
//! `Decimal`; `yyyy-MM-dd`, `HH:mm:ss.SSS'Z'` and `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (Java's lenient
//! `SimpleDateFormat`) become `Date`, `Time` and `Timestamp`. Array elements and map keys and
//! values get a common schema when their types allow one (integers widen to the largest
//! integer or float type present) and are converted to it.
//!
//! Java can give an array or map a schema whose element, key or value schema is null (mixed
//! or all-null elements, empty collections). The schema model here has no such schema, so
//! those values come out schemaless (`Datum::schema` is `None`), with the same value.
//! Dates are read and written in UTC (Java uses the JVM's default zone, UTC on a typical
//! worker), with Java's Julian calendar before the Gregorian cutover of 1582-10-15.

use std::sync::{Arc, LazyLock};

use base64::Engine as _;

use crate::config_value::trim as java_trim;
use crate::convert::normalize::BASE64;
use crate::convert::schema::{DATE, DECIMAL, Schema, TIME, TIMESTAMP, Type};
use crate::transforms::data::{Datum, Value};
use crate::transforms::java_string::value_to_string;
// `primitive`: `Schema.INT8_SCHEMA` and the like; `logical`: `Date.SCHEMA` and the like.
use crate::transforms::requirements::{
    decimal_schema, logical_schema as logical, schema_of as primitive, struct_get,
};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Arrays and maps nested deeper than this are refused. Java recurses until its stack
/// overflows (a `StackOverflowError`, which `SimpleHeaderConverter` catches); a fixed limit
/// keeps this process safe and is far beyond any real header.
pub const MAX_NESTING: usize = 256;

/// A `Decimal` whose plain text would need more padding zeros than this (`1E+100000`) is not
/// read as a number (Java would build it; the converters cannot write one that large anyway).
const MAX_DECIMAL_ZEROS: i64 = 10_000;

/// `GregorianCalendar`'s default cutover (1582-10-15T00:00:00Z), in days and milliseconds.
const CUTOVER_DAY: i64 = -141_427;
const CUTOVER_MS: i64 = CUTOVER_DAY * MILLIS_PER_DAY;

/// Why a value could not be parsed or printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValuesError {
    /// What went wrong.
    pub message: String,
}

impl ValuesError {
    fn new(message: impl Into<String>) -> ValuesError {
        ValuesError {
            message: message.into(),
        }
    }
}

/// `Values.parseString(text)`: the typed value `text` stands for, with its inferred schema.
/// `"null"` is a null without schema (Java returns no `SchemaAndValue` at all), the empty text
/// the empty string. Fails only for arrays or maps nested deeper than [`MAX_NESTING`].
pub fn parse_string(text: &str) -> Result<Datum, ValuesError> {
    if text.is_empty() {
        return Ok(Datum::with_schema(
            shared(primitive(Type::String)),
            Value::String(String::new()),
        ));
    }
    Ok(match parse_inferred(text)? {
        None => Datum::NULL,
        Some(parsed) => parsed.into_datum(),
    })
}

/// `Values.convertToString(schema, value)`: the text of `value` (`None` for null). Strings and
/// bytes (base64) are written as they are at the top level and quoted (with `\` and `"`
/// escaped) inside arrays, maps and structs; numbers and dates as Java prints them. `schema`
/// gives a `Decimal` its scale and a struct its field names and defaults.
pub fn convert_to_string(
    schema: Option<&Schema>,
    value: &Value,
) -> Result<Option<String>, ValuesError> {
    if value.is_null() {
        return Ok(None);
    }
    let mut out = String::new();
    append(&mut out, schema, value, false)?;
    Ok(Some(out))
}

/// `Values.escape`: `\` → `\\`, then `"` → `\"`, for strings embedded in arrays and maps.
pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `Values.dateFormatFor(date).format(date)` in UTC: before one day past the epoch (negative
/// values included) a time `HH:mm:ss.SSS'Z'`, on a day boundary a date `yyyy-MM-dd`, else a
/// timestamp `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
pub fn format_date(ms: i64) -> String {
    let (year, month, day) = civil_from_ms(ms);
    let tod = ms.rem_euclid(MILLIS_PER_DAY);
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        tod / 3_600_000,
        tod / 60_000 % 60,
        tod / 1000 % 60,
        tod % 1000
    );
    // `yyyy` prints the year of the era: 1 BC is 0001.
    let year_of_era = if year <= 0 { 1 - year } else { year };
    let date = format!("{year_of_era:04}-{month:02}-{day:02}");
    if ms < MILLIS_PER_DAY {
        time
    } else if ms % MILLIS_PER_DAY == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

// ---------------------------------------------------------------------------------------------
// Schemas as Java infers them.

/// A schema as Java's parser infers it: one the schema model holds, or an array/map schema
/// with a null (or itself unrepresentable) element, key or value schema.
#[derive(Debug, Clone, PartialEq)]
enum Inferred {
    Known(Schema),
    Array(Option<Box<Inferred>>),
    Map(Option<Box<Inferred>>, Option<Box<Inferred>>),
}

/// Java's `Schema.Type`, without the nested schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Bytes,
    String,
    Array,
    Map,
    Struct,
}

impl Inferred {
    fn kind(&self) -> Kind {
        match self {
            Inferred::Known(s) => match s.ty {
                Type::Boolean => Kind::Boolean,
                Type::Int8 => Kind::Int8,
                Type::Int16 => Kind::Int16,
                Type::Int32 => Kind::Int32,
                Type::Int64 => Kind::Int64,
                Type::Float32 => Kind::Float32,
                Type::Float64 => Kind::Float64,
                Type::Bytes => Kind::Bytes,
                Type::String => Kind::String,
                Type::Array(_) => Kind::Array,
                Type::Map(..) => Kind::Map,
                Type::Struct(_) => Kind::Struct,
            },
            Inferred::Array(_) => Kind::Array,
            Inferred::Map(..) => Kind::Map,
        }
    }

    fn is_optional(&self) -> bool {
        matches!(self, Inferred::Known(s) if s.optional)
    }

    /// `SchemaBuilder.array(items).build()` (`arrayOfNull()` for `None`).
    fn array_of(items: Option<Inferred>) -> Inferred {
        match items {
            Some(Inferred::Known(s)) => Inferred::Known(primitive(Type::Array(Box::new(s)))),
            other => Inferred::Array(other.map(Box::new)),
        }
    }

    /// `SchemaBuilder.map(keys, values).build()` (`mapWithNullValues`, `mapOfNull`).
    fn map_of(keys: Option<Inferred>, values: Option<Inferred>) -> Inferred {
        match (keys, values) {
            (Some(Inferred::Known(k)), Some(Inferred::Known(v))) => {
                Inferred::Known(primitive(Type::Map(Box::new(k), Box::new(v))))
            }
            (k, v) => Inferred::Map(k.map(Box::new), v.map(Box::new)),
        }
    }
}

/// One shared `Arc` per primitive schema, so headers parsed by the thousand share them.
fn shared(schema: Schema) -> Arc<Schema> {
    static PRIMITIVES: LazyLock<Vec<Arc<Schema>>> = LazyLock::new(|| {
        [
            Type::Boolean,
            Type::Int8,
            Type::Int16,
            Type::Int32,
            Type::Int64,
            Type::Float32,
            Type::Float64,
            Type::Bytes,
            Type::String,
        ]
        .into_iter()
        .map(|ty| Arc::new(primitive(ty)))
        .collect()
    });
    match PRIMITIVES.iter().find(|p| ***p == schema) {
        Some(p) => Arc::clone(p),
        None => Arc::new(schema),
    }
}

/// `Schema.BYTES_SCHEMA`, shared.
pub(crate) fn bytes_schema() -> Arc<Schema> {
    shared(primitive(Type::Bytes))
}

/// A parsed value and its schema (Java's non-null `SchemaAndValue`).
#[derive(Debug, Clone, PartialEq)]
struct Parsed {
    schema: Inferred,
    value: Value,
}

impl Parsed {
    fn new(schema: Schema, value: Value) -> Parsed {
        Parsed {
            schema: Inferred::Known(schema),
            value,
        }
    }

    fn into_datum(self) -> Datum {
        match self.schema {
            Inferred::Known(s) => Datum::with_schema(shared(s), self.value),
            _ => Datum::schemaless(self.value),
        }
    }
}

/// Java's `SchemaMerger`: the common schema of the values seen so far.
#[derive(Default)]
struct SchemaMerger {
    common: Option<Inferred>,
    /// False once two values had no common schema.
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&Parsed>) {
        let Some(latest) = latest else { return };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(latest.schema.clone()),
            Some(previous) => merge_schemas(previous, &latest.schema),
        };
        self.incompatible = self.common.is_none();
    }
}

/// Java's `mergeSchemas`: numbers widen (`INT8` < `INT16` < `INT32` < `INT64` < `FLOAT32` <
/// `FLOAT64`, by type alone, so a `Date` absorbs integers); equal types give the newer schema
/// without looking inside it; anything else has no common schema.
fn merge_schemas(previous: Inferred, new: &Inferred) -> Option<Inferred> {
    let (p, n) = (previous.kind(), new.kind());
    if p != n {
        let rank = |k: Kind| match k {
            Kind::Int8 => Some(0),
            Kind::Int16 => Some(1),
            Kind::Int32 => Some(2),
            Kind::Int64 => Some(3),
            Kind::Float32 => Some(4),
            Kind::Float64 => Some(5),
            _ => None,
        };
        return match (rank(p)?, rank(n)?) {
            (a, b) if b > a => Some(new.clone()),
            _ => Some(previous),
        };
    }
    if previous.is_optional() == new.is_optional() {
        return Some(if previous.is_optional() {
            previous
        } else {
            new.clone()
        });
    }
    (previous == *new).then_some(previous)
}

// ---------------------------------------------------------------------------------------------
// The tokenizer (Java's `Values.Parser`).

/// Splits text into tokens at unescaped delimiters, with one token of lookahead and rewinding.
/// Positions are byte offsets (the delimiters are ASCII, so every token is a whole substring).
struct Parser<'a> {
    original: &'a str,
    pos: usize,
    /// A token read ahead by `can_consume`; it always ends at `pos`.
    next_token: Option<(usize, usize)>,
    previous: Option<(usize, usize)>,
}

fn is_blank(s: &str) -> bool {
    java_trim(s).is_empty()
}

impl<'a> Parser<'a> {
    fn new(original: &'a str) -> Parser<'a> {
        Parser {
            original,
            pos: 0,
            next_token: None,
            previous: None,
        }
    }

    fn position(&self) -> usize {
        self.pos
    }

    /// Where the next token starts.
    fn mark(&self) -> usize {
        self.next_token.map_or(self.pos, |(start, _)| start)
    }

    fn rewind_to(&mut self, position: usize) {
        self.pos = position;
        self.next_token = None;
        self.previous = None;
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.pos < self.original.len()
    }

    fn slice(&self, (start, end): (usize, usize)) -> &'a str {
        &self.original[start..end]
    }

    fn next(&mut self) -> &'a str {
        let token = match self.next_token.take() {
            Some(t) => t,
            None => self.consume_next_token(),
        };
        self.previous = Some(token);
        self.slice(token)
    }

    /// The text of the next `n` tokens, or `None` (and nothing consumed) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(&self.original[start..self.pos])
    }

    fn consume_next_token(&mut self) -> (usize, usize) {
        let bytes = self.original.as_bytes();
        let start = self.pos;
        let mut escaped = false;
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' => {
                    if !escaped {
                        if start < self.pos {
                            return (start, self.pos);
                        }
                        self.pos += 1;
                        return (start, start + 1);
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        (start, self.pos)
    }

    fn previous(&self) -> Option<&'a str> {
        self.previous.map(|t| self.slice(t))
    }

    /// Consumes the next token if it is `expected`, surrounding whitespace ignored (blank tokens
    /// are skipped to find it).
    fn can_consume(&mut self, expected: &str) -> bool {
        self.can_consume_exactly(expected, true)
    }

    fn can_consume_exactly(&mut self, expected: &str, ignore_whitespace: bool) -> bool {
        if self.is_next(expected, ignore_whitespace) {
            self.next_token = None;
            return true;
        }
        false
    }

    fn is_next(&mut self, expected: &str, ignore_whitespace: bool) -> bool {
        let mut token = match self.next_token {
            Some(t) => t,
            None => {
                if !self.has_next() {
                    return false;
                }
                self.consume_next_token()
            }
        };
        if ignore_whitespace {
            while is_blank(self.slice(token)) && self.pos < self.original.len() {
                token = self.consume_next_token();
            }
        }
        self.next_token = Some(token);
        let text = self.slice(token);
        if ignore_whitespace {
            java_trim(text) == expected
        } else {
            text == expected
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The parser (Java's `Values.ValueParser`).

/// A parse failure: Java's `DataException` (which makes an enclosing array or map fall back to
/// a string) or nesting beyond [`MAX_NESTING`] (which ends the parse).
#[derive(Debug)]
enum Fail {
    Data(String),
    TooDeep,
}

/// `parseString` before the top-level result becomes a [`Datum`]; `None` is Java's null.
fn parse_inferred(text: &str) -> Result<Option<Parsed>, ValuesError> {
    let mut parser = ValueParser {
        p: Parser::new(text),
        depth: 0,
    };
    parser.parse(false).map_err(|e| match e {
        Fail::Data(message) => ValuesError::new(message),
        Fail::TooDeep => ValuesError::new(format!(
            "Arrays and maps nested more than {MAX_NESTING} levels deep are not supported"
        )),
    })
}

struct ValueParser<'a> {
    p: Parser<'a>,
    depth: usize,
}

impl ValueParser<'_> {
    fn original(&self) -> &str {
        self.p.original
    }

    /// A literal (`null`, `true`, `false`) that is the whole text, or any element of an
    /// embedded value (what follows is the caller's business).
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.p.mark();
        if self.p.can_consume(literal) && (embedded || !self.p.has_next()) {
            return true;
        }
        self.p.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Result<Option<Parsed>, Fail> {
        if !self.p.has_next() {
            return Ok(None);
        }
        if embedded && self.p.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        for (literal, b) in [("true", true), ("false", false)] {
            if self.can_parse_single_token_literal(embedded, literal) {
                return Ok(Some(Parsed::new(
                    primitive(Type::Boolean),
                    Value::Boolean(b),
                )));
            }
        }
        let start = self.p.mark();
        let nested = if self.p.can_consume("[") {
            Some(self.nested(Self::parse_array))
        } else if self.p.can_consume("{") {
            Some(self.nested(Self::parse_map))
        } else {
            None
        };
        match nested {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            // Not an array or map after all: read it as a token below.
            Some(Err(Fail::Data(_))) => self.p.rewind_to(start),
            Some(Err(Fail::TooDeep)) => return Err(Fail::TooDeep),
            None => {}
        }
        let token = self.p.next();
        if is_blank(token) {
            return Ok(Some(Parsed::new(
                primitive(Type::String),
                Value::String(token.to_string()),
            )));
        }
        self.parse_next_token(embedded, java_trim(token)).map(Some)
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Parsed, Fail>) -> Result<Parsed, Fail> {
        if self.depth >= MAX_NESTING {
            return Err(Fail::TooDeep);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> Result<Parsed, Fail> {
        let first = token.as_bytes().first().copied().unwrap_or(b' ');
        // Temporal types are more restrictive, so they are tried first.
        if first.is_ascii_digit()
            && let Some(temporal) = self.parse_multiple_tokens_as_temporal(token)
        {
            return Ok(temporal);
        }
        if (first.is_ascii_digit() || first == b'+' || first == b'-')
            && let Some(number) = parse_as_number(token)
        {
            return Ok(number);
        }
        if embedded {
            return Err(Fail::Data("Failed to parse embedded value".into()));
        }
        // A top-level value that is nothing else is the whole text as a string.
        Ok(Parsed::new(
            primitive(Type::String),
            Value::String(self.original().to_string()),
        ))
    }

    /// After an opening `"`: everything up to the closing one, as is (escapes kept), read as a
    /// date/time if it is one.
    fn parse_quoted_string(&mut self) -> Parsed {
        let mut content = String::new();
        while self.p.has_next() {
            if self.p.can_consume("\"") {
                break;
            }
            content.push_str(self.p.next());
        }
        parse_as_temporal(&content)
            .unwrap_or_else(|| Parsed::new(primitive(Type::String), Value::String(content)))
    }

    fn parse_array(&mut self) -> Result<Parsed, Fail> {
        let mut result = Vec::new();
        let mut element_schema = SchemaMerger::default();
        while self.p.has_next() {
            if self.p.can_consume("]") {
                let schema = match element_schema.common {
                    Some(common) => {
                        result = result
                            .into_iter()
                            .map(|v| convert_to(&common, v))
                            .collect::<Result<_, _>>()
                            .map_err(Fail::Data)?;
                        Inferred::array_of(Some(common))
                    }
                    // Every element is null.
                    None => Inferred::array_of(None),
                };
                return Ok(Parsed {
                    schema,
                    value: Value::Array(result),
                });
            }
            if self.p.can_consume(",") {
                return Err(Fail::Data(format!(
                    "Unable to parse an empty array element: {}",
                    self.original()
                )));
            }
            let element = self.parse(true)?;
            element_schema.merge(element.as_ref());
            result.push(element.map_or(Value::Null, |e| e.value));
            let position = self.p.mark();
            if self.p.can_consume("]") {
                self.p.rewind_to(position);
            } else if !self.p.can_consume(",") {
                return Err(Fail::Data(
                    "Array elements missing ',' delimiter".to_string(),
                ));
            }
        }
        Err(Fail::Data(if self.p.previous() == Some(",") {
            format!("Array is missing element after ',': {}", self.original())
        } else {
            format!("Array is missing terminating ']': {}", self.original())
        }))
    }

    fn parse_map(&mut self) -> Result<Parsed, Fail> {
        let mut result: Vec<(Value, Value)> = Vec::new();
        let mut key_schema = SchemaMerger::default();
        let mut value_schema = SchemaMerger::default();
        while self.p.has_next() {
            if self.p.can_consume("}") {
                let schema = match (key_schema.common, value_schema.common) {
                    (Some(k), Some(v)) => {
                        let mut aligned = Vec::with_capacity(result.len());
                        for (key, value) in result {
                            let key = convert_to(&k, key).map_err(Fail::Data)?;
                            let value = convert_to(&v, value).map_err(Fail::Data)?;
                            map_put(&mut aligned, key, value);
                        }
                        result = aligned;
                        Inferred::map_of(Some(k), Some(v))
                    }
                    (Some(k), None) => {
                        let mut aligned = Vec::with_capacity(result.len());
                        for (key, value) in result {
                            map_put(
                                &mut aligned,
                                convert_to(&k, key).map_err(Fail::Data)?,
                                value,
                            );
                        }
                        result = aligned;
                        Inferred::map_of(Some(k), None)
                    }
                    _ => Inferred::map_of(None, None),
                };
                return Ok(Parsed {
                    schema,
                    value: Value::Map(result),
                });
            }
            if self.p.can_consume(",") {
                return Err(Fail::Data(format!(
                    "Unable to parse a map entry with no key or value: {}",
                    self.original()
                )));
            }
            let key = match self.parse(true)? {
                Some(key) if !key.value.is_null() => key,
                _ => {
                    return Err(Fail::Data(format!(
                        "Map entry may not have a null key: {}",
                        self.original()
                    )));
                }
            };
            if !self.p.can_consume(":") {
                return Err(Fail::Data(format!(
                    "Map entry is missing ':' at {} in {}",
                    self.p.position(),
                    self.original()
                )));
            }
            let value = self.parse(true)?;
            map_put(
                &mut result,
                key.value.clone(),
                value.as_ref().map_or(Value::Null, |v| v.value.clone()),
            );
            self.p.can_consume(",");
            key_schema.merge(Some(&key));
            value_schema.merge(value.as_ref());
        }
        Err(Fail::Data(if self.p.previous() == Some(",") {
            format!("Map is missing element after ',': {}", self.original())
        } else {
            format!("Map is missing terminating '}}': {}", self.original())
        }))
    }

    /// A time or timestamp is split into 5 tokens at its colons: try those first, then the
    /// token alone (a date, or a time with escaped colons).
    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<Parsed> {
        let position = self.p.mark();
        if let Some(remainder) = self.p.next_n(4)
            && let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}"))
        {
            return Some(temporal);
        }
        self.p.rewind_to(position);
        parse_as_temporal(token)
    }
}

/// `LinkedHashMap.put`: a key already there (Java `equals`) keeps its place and gets the value.
fn map_put(entries: &mut Vec<(Value, Value)>, key: Value, value: Value) {
    match entries.iter_mut().find(|(k, _)| java_equals(k, &key)) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

/// Java's `equals` between parsed values: floats by bits (`-0.0` is not `0.0`), maps by their
/// entries in any order.
fn java_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float32(x), Value::Float32(y)) => x.to_bits() == y.to_bits(),
        (Value::Float64(x), Value::Float64(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| java_equals(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| java_equals(k, k2) && java_equals(v, v2))
                })
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers (Java's `BigDecimal` and `parseAsNumber`).

/// A decimal number: `digits` × 10^-`scale` (`digits` without leading zeros, `"0"` for zero).
#[derive(Debug, Clone, PartialEq)]
struct BigDec {
    negative: bool,
    digits: String,
    scale: i32,
}

/// `new BigDecimal(text)`: `[+-]digits[.digits][(e|E)[+-]digits]`, at least one digit before
/// the exponent; `None` where Java throws `NumberFormatException`.
fn parse_big_decimal(text: &str) -> Option<BigDec> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            if unsigned.is_empty() || !all_digits(unsigned) {
                return None;
            }
            e.parse().ok()?
        }
    };
    let scale = i64::try_from(frac.len()).ok()?.checked_sub(exponent)?;
    let scale = i32::try_from(scale).ok()?;
    let digits = format!("{int}{frac}");
    let digits = match digits.trim_start_matches('0') {
        "" => "0".to_string(),
        d => d.to_string(),
    };
    Some(BigDec {
        negative,
        digits,
        scale,
    })
}

impl BigDec {
    /// The integer value when the number has no fractional part and fits a `long` (Java's
    /// `parseAsExactDecimal`), else `None`.
    fn exact_long(&self) -> Option<i64> {
        let int_digits: String = if self.scale <= 0 {
            if self.digits == "0" {
                return Some(0);
            }
            let zeros = usize::try_from(-i64::from(self.scale)).ok()?;
            if self.digits.len() + zeros > 20 {
                return None;
            }
            format!("{}{}", self.digits, "0".repeat(zeros))
        } else {
            let scale = self.scale.unsigned_abs() as usize;
            if self.digits.len() <= scale {
                // 0.xyz: integral only if it is zero.
                return (self.digits == "0").then_some(0);
            }
            let (int, frac) = self.digits.split_at(self.digits.len() - scale);
            if !frac.bytes().all(|b| b == b'0') {
                return None;
            }
            int.to_string()
        };
        if int_digits.len() > 20 {
            return None;
        }
        let magnitude: i128 = int_digits.parse().ok()?;
        i64::try_from(if self.negative { -magnitude } else { magnitude }).ok()
    }

    /// The text Rust's float parser reads exactly as `BigDecimal.floatValue`/`doubleValue`
    /// round it (both correctly rounded).
    fn float_text(&self) -> String {
        format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            self.digits,
            -i64::from(self.scale)
        )
    }

    /// Plain text with exactly `scale` fractional digits ([`Value::Decimal`]'s form).
    fn plain_text(&self) -> String {
        let sign = if self.negative && self.digits != "0" {
            "-"
        } else {
            ""
        };
        if self.scale <= 0 {
            let zeros = if self.digits == "0" {
                0
            } else {
                self.scale.unsigned_abs() as usize
            };
            return format!("{sign}{}{}", self.digits, "0".repeat(zeros));
        }
        let scale = self.scale.unsigned_abs() as usize;
        let padded = if self.digits.len() <= scale {
            format!(
                "{}{}",
                "0".repeat(scale + 1 - self.digits.len()),
                self.digits
            )
        } else {
            self.digits.clone()
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{sign}{int}.{frac}")
    }

    /// `BigDecimal.toString()`: plain when the scale is between 0 and the point where the
    /// exponent would be below -6, scientific (`1.5E+400`, `1E-7`) otherwise.
    fn java_string(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let coeff = &self.digits;
        if self.scale == 0 {
            return format!("{sign}{coeff}");
        }
        let len = i64::try_from(coeff.len()).unwrap_or(i64::MAX);
        let adjusted = -i64::from(self.scale) + (len - 1);
        if self.scale > 0 && adjusted >= -6 {
            let scale = self.scale.unsigned_abs() as usize;
            return if coeff.len() > scale {
                let (int, frac) = coeff.split_at(coeff.len() - scale);
                format!("{sign}{int}.{frac}")
            } else {
                format!("{sign}0.{}{coeff}", "0".repeat(scale - coeff.len()))
            };
        }
        let (first, rest) = coeff.split_at(1);
        let mut out = format!("{sign}{first}");
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        if adjusted != 0 {
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
        out
    }
}

/// Java's `parseAsNumber`: the smallest integer type for an integral value that fits a `long`,
/// else `FLOAT32` if finite there (and the scale is not 0), else `FLOAT64`, else a `Decimal`.
fn parse_as_number(token: &str) -> Option<Parsed> {
    let decimal = parse_big_decimal(token)?;
    if let Some(n) = decimal.exact_long() {
        return Some(if let Ok(v) = i8::try_from(n) {
            Parsed::new(primitive(Type::Int8), Value::Int8(v))
        } else if let Ok(v) = i16::try_from(n) {
            Parsed::new(primitive(Type::Int16), Value::Int16(v))
        } else if let Ok(v) = i32::try_from(n) {
            Parsed::new(primitive(Type::Int32), Value::Int32(v))
        } else {
            Parsed::new(primitive(Type::Int64), Value::Int64(n))
        });
    }
    let text = decimal.float_text();
    let f: f32 = text.parse().ok()?;
    if f.is_finite() && decimal.scale != 0 {
        return Some(Parsed::new(primitive(Type::Float32), Value::Float32(f)));
    }
    let d: f64 = text.parse().ok()?;
    if d.is_finite() && decimal.scale != 0 {
        return Some(Parsed::new(primitive(Type::Float64), Value::Float64(d)));
    }
    if -i64::from(decimal.scale) > MAX_DECIMAL_ZEROS {
        return None;
    }
    Some(Parsed::new(
        decimal_schema(decimal.scale),
        Value::Decimal(decimal.plain_text()),
    ))
}

// ---------------------------------------------------------------------------------------------
// Converting parsed elements to their common schema (Java's `convertTo` with no source schema).

fn convert_to(target: &Inferred, value: Value) -> Result<Value, String> {
    if value.is_null() {
        return if target.is_optional() {
            Ok(Value::Null)
        } else {
            Err("Unable to convert a null value to a schema that requires a value".into())
        };
    }
    let schema = match target {
        Inferred::Known(s) => s,
        Inferred::Array(_) => {
            return match value {
                Value::Array(_) => Ok(value),
                other => Err(cannot_convert(&other, "ARRAY")),
            };
        }
        Inferred::Map(..) => {
            return match value {
                Value::Map(_) => Ok(value),
                other => Err(cannot_convert(&other, "MAP")),
            };
        }
    };
    let name = schema.name.as_deref();
    Ok(match (&schema.ty, value) {
        (Type::Bytes, v @ (Value::Decimal(_) | Value::Bytes(_))) => v,
        (Type::String, v @ Value::String(_)) => v,
        (Type::String, v) => Value::String(
            convert_to_string(None, &v)
                .map_err(|e| e.message)?
                .unwrap_or_default(),
        ),
        (Type::Boolean, v @ Value::Boolean(_)) => v,
        (Type::Boolean, v) => Value::Boolean(as_long(&v)? != 0),
        (Type::Int8, v @ Value::Int8(_)) => v,
        (Type::Int8, v) => Value::Int8(as_long(&v)? as i8),
        (Type::Int16, v @ Value::Int16(_)) => v,
        (Type::Int16, v) => Value::Int16(as_long(&v)? as i16),
        (Type::Int32, v @ Value::Date(_)) if matches!(name, Some(DATE | TIME)) => v,
        (Type::Int32, v) if name == Some(DATE) => {
            Value::Date(i64::from(as_long(&v)? as i32) * MILLIS_PER_DAY)
        }
        (Type::Int32, v) if name == Some(TIME) => {
            let ms = as_long(&v)? as i32;
            if !(0..=MILLIS_PER_DAY as i32).contains(&ms) {
                return Err("Time values must use number of milliseconds greater than 0 and less than 86400000".into());
            }
            Value::Date(i64::from(ms))
        }
        (Type::Int32, v @ Value::Int32(_)) => v,
        (Type::Int32, v) => Value::Int32(as_long(&v)? as i32),
        (Type::Int64, v @ Value::Date(_)) if name == Some(TIMESTAMP) => v,
        (Type::Int64, v) if name == Some(TIMESTAMP) => Value::Date(as_long(&v)?),
        (Type::Int64, v @ Value::Int64(_)) => v,
        (Type::Int64, v) => Value::Int64(as_long(&v)?),
        (Type::Float32, v @ Value::Float32(_)) => v,
        (Type::Float32, v) => Value::Float32(as_double(&v)? as f32),
        (Type::Float64, v @ Value::Float64(_)) => v,
        (Type::Float64, v) => Value::Float64(as_double(&v)?),
        (Type::Array(_), v @ Value::Array(_)) => v,
        (Type::Map(..), v @ Value::Map(_)) => v,
        (Type::Struct(_), v @ Value::Struct(_)) => v,
        (ty, v) => return Err(cannot_convert(&v, ty.java_name())),
    })
}

fn cannot_convert(value: &Value, to: &str) -> String {
    format!("Unable to convert a {} to {to}", value.java_class())
}

/// `Number.longValue()` of a parsed number.
fn as_long(value: &Value) -> Result<i64, String> {
    Ok(match value {
        Value::Int8(n) => i64::from(*n),
        Value::Int16(n) => i64::from(*n),
        Value::Int32(n) => i64::from(*n),
        Value::Int64(n) => *n,
        // Java's (long) cast: saturating, NaN is 0, as Rust's.
        Value::Float32(f) => *f as i64,
        Value::Float64(f) => *f as i64,
        other => return Err(cannot_convert(other, "a number")),
    })
}

/// `Number.doubleValue()` of a parsed number.
fn as_double(value: &Value) -> Result<f64, String> {
    Ok(match value {
        Value::Float32(f) => f64::from(*f),
        Value::Float64(f) => *f,
        Value::Decimal(text) => text
            .parse()
            .map_err(|_| cannot_convert(value, "a number"))?,
        other => as_long(other)? as f64,
    })
}

// ---------------------------------------------------------------------------------------------
// Dates (Java's lenient `SimpleDateFormat`, UTC).

#[derive(Clone, Copy)]
enum Pat {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Milli,
    Lit(u8),
}

const DATE_PATTERN: &[Pat] = &[
    Pat::Year,
    Pat::Lit(b'-'),
    Pat::Month,
    Pat::Lit(b'-'),
    Pat::Day,
];
const TIME_PATTERN: &[Pat] = &[
    Pat::Hour,
    Pat::Lit(b':'),
    Pat::Minute,
    Pat::Lit(b':'),
    Pat::Second,
    Pat::Lit(b'.'),
    Pat::Milli,
    Pat::Lit(b'Z'),
];

/// `parseAsTemporal`: escaped colons unescaped, then by length (in UTF-16 units, as Java
/// counts) a time (13), timestamp (24) or date (10).
fn parse_as_temporal(token: &str) -> Option<Parsed> {
    let token = token.replace("\\:", ":");
    let (pattern, schema): (Vec<Pat>, Schema) = match token.encode_utf16().count() {
        13 => (TIME_PATTERN.to_vec(), logical(Type::Int32, TIME)),
        24 => (
            [DATE_PATTERN, &[Pat::Lit(b'T')], TIME_PATTERN].concat(),
            logical(Type::Int64, TIMESTAMP),
        ),
        10 => (DATE_PATTERN.to_vec(), logical(Type::Int32, DATE)),
        _ => return None,
    };
    let ms = parse_date(&token, &pattern)?;
    Some(Parsed::new(schema, Value::Date(ms)))
}

/// `new SimpleDateFormat(pattern).parse(text, pos)` in UTC, lenient: each number field is the
/// run of digits there (spaces and tabs before it skipped), out-of-range fields roll over, text
/// after the pattern is ignored. Digits are ASCII only.
fn parse_date(text: &str, pattern: &[Pat]) -> Option<i64> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    // Unset fields are the epoch's: 1970-01-01T00:00:00.000.
    let (mut year, mut month, mut day) = (1970i64, 1i64, 1i64);
    let mut time_of_day = 0i64;
    for part in pattern {
        if let Pat::Lit(c) = part {
            if bytes.get(pos) != Some(c) {
                return None;
            }
            pos += 1;
            continue;
        }
        while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        let start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        if start == pos {
            return None;
        }
        // Calendar fields are Java ints: a longer number keeps its low 32 bits.
        let n = i64::from(text[start..pos].parse::<i64>().unwrap_or(i64::MAX) as i32);
        match part {
            Pat::Year => year = n,
            Pat::Month => month = n,
            Pat::Day => day = n,
            Pat::Hour => time_of_day += n * 3_600_000,
            Pat::Minute => time_of_day += n * 60_000,
            Pat::Second => time_of_day += n * 1000,
            Pat::Milli => time_of_day += n,
            Pat::Lit(_) => {}
        }
    }
    let days = fixed_days(year, month, day);
    // Java's long arithmetic wraps.
    Some((i128::from(days) * i128::from(MILLIS_PER_DAY) + i128::from(time_of_day)) as i64)
}

/// Days since the epoch of `year`-`month`-`day` (month and day may be out of range and roll
/// over), in the Julian calendar before the cutover as `GregorianCalendar` decides it.
fn fixed_days(year: i64, month: i64, day: i64) -> i64 {
    let m0 = month - 1;
    let (y, m) = (year + m0.div_euclid(12), m0.rem_euclid(12) + 1);
    let gregorian = gregorian_days(y, m, 1) + day - 1;
    if year > 1582 || (year == 1582 && gregorian >= CUTOVER_DAY) {
        gregorian
    } else {
        julian_days(y, m, 1) + day - 1
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn gregorian_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 of a Julian calendar date (through the Julian day number).
fn julian_days(y: i64, m: i64, d: i64) -> i64 {
    let a = (14 - m).div_euclid(12);
    let y2 = y + 4800 - a;
    let m2 = m + 12 * a - 3;
    let jdn = d + (153 * m2 + 2).div_euclid(5) + 365 * y2 + y2.div_euclid(4) - 32_083;
    jdn - 2_440_588
}

/// The UTC calendar date of `ms` as `GregorianCalendar` shows it (Julian before the cutover).
fn civil_from_ms(ms: i64) -> (i64, i64, i64) {
    let days = ms.div_euclid(MILLIS_PER_DAY);
    if ms < CUTOVER_MS {
        let f = days + 2_440_588 + 1401;
        let e = 4 * f + 3;
        let g = e.rem_euclid(1461).div_euclid(4);
        let h = 5 * g + 2;
        let day = h.rem_euclid(153).div_euclid(5) + 1;
        let month = (h.div_euclid(153) + 2).rem_euclid(12) + 1;
        let year = e.div_euclid(1461) - 4716 + (14 - month).div_euclid(12);
        return (year, month, day);
    }
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

// ---------------------------------------------------------------------------------------------
// Printing (Java's `Values.append`).

fn append(
    out: &mut String,
    schema: Option<&Schema>,
    value: &Value,
    embedded: bool,
) -> Result<(), ValuesError> {
    match value {
        Value::Decimal(text) => out.push_str(&decimal_string(text, schema)),
        Value::String(s) => {
            if embedded {
                out.push('"');
                out.push_str(&escape(s));
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        Value::Bytes(b) => {
            let encoded = BASE64.encode(b);
            if embedded {
                out.push('"');
                out.push_str(&encoded);
                out.push('"');
            } else {
                out.push_str(&encoded);
            }
        }
        Value::Date(ms) => out.push_str(&format_date(*ms)),
        Value::Array(items) => {
            let item_schema = schema.and_then(Schema::element_schema);
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item_schema, item, true)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let (key_schema, value_schema) = schema.and_then(Schema::key_value_schemas).unzip();
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, key_schema, k, true)?;
                out.push(':');
                append(out, value_schema, v, true)?;
            }
            out.push('}');
        }
        Value::Struct(values) => {
            let Some(Type::Struct(fields)) = schema.map(|s| &s.ty) else {
                // A Java Struct always has its schema; here it must come with the value.
                return Err(ValuesError::new(
                    "Failed to serialize unexpected value type org.apache.kafka.connect.data.Struct: a struct value without a struct schema",
                ));
            };
            out.push('{');
            for (i, ((name, field_schema), v)) in fields.iter().zip(values).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, None, &Value::String(name.clone()), true)?;
                out.push(':');
                // `Struct.get(field)`: a null field reads as its default.
                let v = struct_get(field_schema, v, true);
                append(out, Some(field_schema), &v, true)?;
            }
            out.push('}');
        }
        // Null, booleans and numbers: `StringBuilder.append(value)`, which is `String.valueOf`.
        scalar => out.push_str(&value_to_string(scalar, None)),
    }
    Ok(())
}

/// `BigDecimal.toString()` of a [`Value::Decimal`]: its scale is the schema's `scale`
/// parameter when there is one, else the number of fractional digits of its text.
fn decimal_string(text: &str, schema: Option<&Schema>) -> String {
    let Some(mut decimal) = parse_big_decimal(text).filter(|_| !text.contains(['e', 'E'])) else {
        return text.to_string();
    };
    let wanted = schema
        .filter(|s| s.name.as_deref() == Some(DECIMAL))
        .and_then(|s| s.parameter("scale"))
        .and_then(|s| s.parse::<i32>().ok());
    if let Some(wanted) = wanted {
        if wanted > decimal.scale {
            if decimal.digits != "0" {
                let pad = (i64::from(wanted) - i64::from(decimal.scale)).min(MAX_DECIMAL_ZEROS);
                decimal.digits.push_str(&"0".repeat(pad as usize));
            }
            decimal.scale = wanted;
        } else if wanted < decimal.scale {
            let cut = (i64::from(decimal.scale) - i64::from(wanted)) as usize;
            if decimal.digits == "0" {
                decimal.scale = wanted;
            } else if decimal.digits.len() > cut
                && decimal.digits[decimal.digits.len() - cut..]
                    .bytes()
                    .all(|b| b == b'0')
            {
                decimal.digits.truncate(decimal.digits.len() - cut);
                decimal.scale = wanted;
            }
        }
    }
    decimal.java_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::java_string::{java_double, java_float};

    fn int8() -> Schema {
        primitive(Type::Int8)
    }
    fn int16() -> Schema {
        primitive(Type::Int16)
    }
    fn int32() -> Schema {
        primitive(Type::Int32)
    }
    fn string() -> Schema {
        primitive(Type::String)
    }
    fn array(items: Schema) -> Schema {
        primitive(Type::Array(Box::new(items)))
    }
    fn map(k: Schema, v: Schema) -> Schema {
        primitive(Type::Map(Box::new(k), Box::new(v)))
    }
    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    /// Java's `parseString`: `None` for its null result, else the inferred schema and value.
    fn parsed(text: &str) -> Option<(Inferred, Value)> {
        if text.is_empty() {
            return Some((Inferred::Known(string()), s("")));
        }
        parse_inferred(text).unwrap().map(|p| (p.schema, p.value))
    }

    fn known(text: &str) -> (Schema, Value) {
        match parsed(text) {
            Some((Inferred::Known(schema), value)) => (schema, value),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn assert_string(text: &str) {
        assert_eq!(known(text), (string(), s(text)), "{text}");
    }

    /// Java's `new SimpleDateFormat(pattern).parse(str)` in UTC, computed independently.
    fn utc_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, sec: i64, ms: i64) -> i64 {
        gregorian_days(y, mo, d) * MILLIS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + ms
    }

    #[test]
    fn should_parse_empty_string() {
        let d = parse_string("").unwrap();
        assert_eq!(d.schema.as_deref(), Some(&string()));
        assert_eq!(d.value, s(""));
    }

    #[test]
    fn should_not_encounter_infinite_loop() {
        // U+FFFF is CharacterIterator.DONE in Java (KAFKA-10574).
        let text = String::from_utf8(vec![0xEF, 0xBF, 0xBF]).unwrap();
        assert_string(&text);
    }

    #[test]
    fn unquoted_embedded_strings_make_the_whole_text_a_string() {
        // shouldNotParseUnquotedEmbeddedMapKeysAsStrings, ...MapValues..., ...ArrayElements...
        assert_string("{foo: 3}");
        assert_string("{3: foo}");
        assert_string("[foo]");
        // shouldNotParseStringsBeginningWithNullAsStrings and the true/false variants.
        assert_string("null=");
        assert_string("true}");
        assert_string("false]");
    }

    #[test]
    fn literals_surrounded_by_whitespace() {
        let ws = "\n \t \t\n";
        assert_eq!(
            known(&format!("{ws}true{ws}")),
            (primitive(Type::Boolean), Value::Boolean(true))
        );
        assert_eq!(
            known(&format!("{ws}false{ws}")),
            (primitive(Type::Boolean), Value::Boolean(false))
        );
        assert_eq!(parsed(&format!("{ws}null{ws}")), None);
        assert_eq!(parsed("null"), None);
        assert_eq!(parse_string("null").unwrap(), Datum::NULL);
    }

    #[test]
    fn boolean_literals_embedded_in_arrays_and_maps() {
        assert_eq!(
            known("[true, false]"),
            (
                array(primitive(Type::Boolean)),
                Value::Array(vec![Value::Boolean(true), Value::Boolean(false)])
            )
        );
        assert_eq!(
            known("{true: false, false: true}"),
            (
                map(primitive(Type::Boolean), primitive(Type::Boolean)),
                Value::Map(vec![
                    (Value::Boolean(true), Value::Boolean(false)),
                    (Value::Boolean(false), Value::Boolean(true)),
                ])
            )
        );
    }

    #[test]
    fn missing_commas_and_null_keys_make_strings() {
        assert_string("{6:9 4:20}");
        assert_string("[0 1 2]");
        assert_string("{null: 3}");
        // shouldParseStringListWithExtraDelimitersAndReturnString, ...NullLast..., ...NullFirst...
        assert_string("[1, 2, 3,,,]");
        assert_string("[1, null]");
        assert_string("[null, 1]");
        // The blank and malformed entries convertToMap/convertToList refuse.
        assert_string("[1, 2, 3, \"four\",,,]");
        // With whitespace before the `{`, Java rewinds and re-reads the first token, the blank
        // " ", and returns it (so convertToMap fails): the same here.
        for text in [
            " { \"foo\" :  1234567890 ,, \"bar\" : 0,  \"baz\" : -987654321 }  ",
            " { \"foo\" :  1234567890 , \"a\", \"bar\" : 0,  \"baz\" : -987654321 }  ",
            " { ,,  , , }  ",
            " { \"foo\" :  \"1234567890\" ,, \"bar\" : \"0\",  \"baz\" : \"boz\" }  ",
        ] {
            assert_eq!(known(text), (string(), s(" ")), "{text}");
        }
    }

    #[test]
    fn empty_and_null_collections_have_no_element_schema() {
        assert_eq!(
            parsed("{}"),
            Some((Inferred::Map(None, None), Value::Map(vec![])))
        );
        assert_eq!(
            parsed("[]"),
            Some((Inferred::Array(None), Value::Array(vec![])))
        );
        assert_eq!(
            parsed("[null]"),
            Some((Inferred::Array(None), Value::Array(vec![Value::Null])))
        );
        // shouldParseNullMapValues: the key schema is known, the value schema is not.
        assert_eq!(
            parsed("{3: null}"),
            Some((
                Inferred::Map(Some(Box::new(Inferred::Known(int8()))), None),
                Value::Map(vec![(Value::Int8(3), Value::Null)])
            ))
        );
        // Such schemas have no counterpart here: the datum is schemaless.
        assert_eq!(
            parse_string("[null]").unwrap(),
            Datum::schemaless(Value::Array(vec![Value::Null]))
        );
    }

    #[test]
    fn nested_collections() {
        // shouldParseNestedArray, shouldParseArrayContainingMap, shouldParseNestedMap,
        // shouldParseMapContainingArray.
        assert_eq!(
            parsed("[[]]").unwrap().0,
            Inferred::Array(Some(Box::new(Inferred::Array(None))))
        );
        assert_eq!(
            parsed("[{}]").unwrap().0,
            Inferred::Array(Some(Box::new(Inferred::Map(None, None))))
        );
        assert_eq!(
            parsed("{\"a\":{}}").unwrap().0,
            Inferred::Map(
                Some(Box::new(Inferred::Known(string()))),
                Some(Box::new(Inferred::Map(None, None)))
            )
        );
        assert_eq!(
            parsed("{\"a\":[]}").unwrap().0,
            Inferred::Map(
                Some(Box::new(Inferred::Known(string()))),
                Some(Box::new(Inferred::Array(None)))
            )
        );
        assert_eq!(
            known("[[1], [2]]"),
            (
                array(array(int8())),
                Value::Array(vec![
                    Value::Array(vec![Value::Int8(1)]),
                    Value::Array(vec![Value::Int8(2)])
                ])
            )
        );
    }

    #[test]
    fn escape_embedded_quotes_and_backslashes() {
        assert_eq!(escape("three\"blind\\\"mice"), "three\\\"blind\\\\\\\"mice");
    }

    #[test]
    fn maps_of_strings_and_numbers() {
        let string_map = Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))]);
        for text in [
            "{\"foo\":\"123\",\"bar\":\"baz\"}",
            "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ",
        ] {
            assert_eq!(known(text), (map(string(), string()), string_map.clone()));
        }
        let short_map = Value::Map(vec![
            (s("foo"), Value::Int16(12345)),
            (s("bar"), Value::Int16(0)),
            (s("baz"), Value::Int16(-4321)),
        ]);
        for text in [
            "{\"foo\":12345,\"bar\":0,\"baz\":-4321}",
            " { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ",
        ] {
            assert_eq!(known(text), (map(string(), int16()), short_map.clone()));
        }
        let int_map = Value::Map(vec![
            (s("foo"), Value::Int32(1234567890)),
            (s("bar"), Value::Int32(0)),
            (s("baz"), Value::Int32(-987654321)),
        ]);
        for text in [
            "{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}",
            " { \"foo\" :  1234567890 , \"bar\" : 0,  \"baz\" : -987654321 }  ",
        ] {
            assert_eq!(known(text), (map(string(), int32()), int_map.clone()));
        }
    }

    #[test]
    fn list_elements_widen_to_the_largest_numeric_type() {
        // shouldConvertStringOfListWithOnlyNumericElementTypesIntoListOfLargestNumericType
        let third = i32::from(i16::MAX) + 1;
        assert_eq!(
            known(&format!("[1, 2, {third}]")),
            (
                array(int32()),
                Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(third)])
            )
        );
        // shouldConvertIntegralTypesToFloat: Float.MAX_VALUE prints as 3.4028235E38.
        assert_eq!(
            known(&format!("[1, 2, {}]", java_float(f32::MAX))),
            (
                array(primitive(Type::Float32)),
                Value::Array(vec![
                    Value::Float32(1.0),
                    Value::Float32(2.0),
                    Value::Float32(f32::MAX)
                ])
            )
        );
        // shouldConvertIntegralTypesToDouble
        assert_eq!(
            known(&format!("[1, 2, {}]", java_double(f64::MAX))),
            (
                array(primitive(Type::Float64)),
                Value::Array(vec![
                    Value::Float64(1.0),
                    Value::Float64(2.0),
                    Value::Float64(f64::MAX)
                ])
            )
        );
    }

    #[test]
    fn mixed_lists_have_no_element_schema_in_any_order() {
        // shouldParseStringListWithMultipleElementTypes
        let (one, two, three_hundred, four) =
            (Value::Int8(1), Value::Int8(2), Value::Int16(300), s("four"));
        for (text, expected) in [
            (
                "[1, 2, 300, \"four\"]",
                vec![
                    one.clone(),
                    two.clone(),
                    three_hundred.clone(),
                    four.clone(),
                ],
            ),
            (
                "[2, 300, \"four\", 1]",
                vec![
                    two.clone(),
                    three_hundred.clone(),
                    four.clone(),
                    one.clone(),
                ],
            ),
            (
                "[300, \"four\", 1, 2]",
                vec![
                    three_hundred.clone(),
                    four.clone(),
                    one.clone(),
                    two.clone(),
                ],
            ),
            (
                "[\"four\", 1, 2, 300]",
                vec![
                    four.clone(),
                    one.clone(),
                    two.clone(),
                    three_hundred.clone(),
                ],
            ),
        ] {
            assert_eq!(
                parsed(text),
                Some((Inferred::Array(None), Value::Array(expected))),
                "{text}"
            );
        }
    }

    fn assert_same_entries(text: &str, expected: &[(Value, Value)]) -> Inferred {
        let (schema, value) = parsed(text).unwrap();
        let Value::Map(entries) = value else {
            panic!("{text}: not a map")
        };
        assert_eq!(entries.len(), expected.len(), "{text}");
        for e in expected {
            assert!(entries.contains(e), "{text}: {e:?} missing");
        }
        schema
    }

    #[test]
    fn maps_with_mixed_keys_or_values() {
        // shouldParseStringMapWithMultipleKeyTypes
        let expected = [
            (Value::Int8(1), Value::Int8(1)),
            (Value::Int8(2), Value::Int8(1)),
            (Value::Int16(300), Value::Int16(300)),
            (s("four"), Value::Int8(1)),
        ];
        for text in [
            "{1:1, 2:1, 300:300, \"four\":1}",
            "{2:1, 300:300, \"four\":1, 1:1}",
            "{300:300, \"four\":1, 1:1, 2:1}",
            "{\"four\":1, 1:1, 2:1, 300:300}",
        ] {
            assert_eq!(
                assert_same_entries(text, &expected),
                Inferred::Map(None, None)
            );
        }
        // shouldParseStringMapWithMultipleValueTypes: keys widen to INT16, values have no type.
        let expected = [
            (Value::Int16(1), Value::Int8(1)),
            (Value::Int16(2), Value::Int8(1)),
            (Value::Int16(300), Value::Int16(300)),
            (Value::Int16(4), s("four")),
        ];
        for text in [
            "{1:1, 2:1, 300:300, 4:\"four\"}",
            "{2:1, 300:300, 4:\"four\", 1:1}",
            "{300:300, 4:\"four\", 1:1, 2:1}",
            "{4:\"four\", 1:1, 2:1, 300:300}",
        ] {
            assert_eq!(
                assert_same_entries(text, &expected),
                Inferred::Map(Some(Box::new(Inferred::Known(int16()))), None)
            );
        }
    }

    #[test]
    fn dates_times_and_timestamps() {
        let ts = utc_ms(2019, 8, 23, 14, 34, 54, 346);
        let timestamp = logical(Type::Int64, TIMESTAMP);
        let time = logical(Type::Int32, TIME);
        let date = logical(Type::Int32, DATE);
        for text in ["2019-08-23T14:34:54.346Z", "2019-08-23T14\\:34\\:54.346Z"] {
            assert_eq!(known(text), (timestamp.clone(), Value::Date(ts)), "{text}");
        }
        assert_eq!(
            known("2019-08-23"),
            (date.clone(), Value::Date(utc_ms(2019, 8, 23, 0, 0, 0, 0)))
        );
        let tod = utc_ms(1970, 1, 1, 14, 34, 54, 346);
        for text in ["14:34:54.346Z", "14\\:34\\:54.346Z"] {
            assert_eq!(known(text), (time.clone(), Value::Date(tod)), "{text}");
        }
        assert_eq!(
            known("[2019-08-23]"),
            (
                array(date),
                Value::Array(vec![Value::Date(utc_ms(2019, 8, 23, 0, 0, 0, 0))])
            )
        );
        assert_eq!(
            known("[14:34:54.346Z]"),
            (array(time.clone()), Value::Array(vec![Value::Date(tod)]))
        );
        assert_eq!(
            known("[2019-08-23T14:34:54.346Z]"),
            (
                array(timestamp.clone()),
                Value::Array(vec![Value::Date(ts)])
            )
        );
        // shouldParseMultipleTimestampStringAsTimestampInArray
        assert_eq!(
            known(
                "[2019-08-23T14:34:54.346Z,2019-01-23T15:12:34.567Z,   2019-04-23T19:12:34.567Z]"
            ),
            (
                array(timestamp),
                Value::Array(vec![
                    Value::Date(ts),
                    Value::Date(utc_ms(2019, 1, 23, 15, 12, 34, 567)),
                    Value::Date(utc_ms(2019, 4, 23, 19, 12, 34, 567)),
                ])
            )
        );
        // shouldParseQuotedTimeStringAsTimeInMap, shouldParseTimeStringAsTimeInMap
        for text in ["{\"k1\":\"14:34:54.346Z\"}", "{\"k1\":14:34:54.346Z}"] {
            assert_eq!(
                known(text),
                (
                    map(string(), time.clone()),
                    Value::Map(vec![(s("k1"), Value::Date(tod))])
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn dates_are_lenient_like_simple_date_format() {
        // Fields roll over, surrounding spaces are skipped, trailing text is ignored.
        assert_eq!(
            known("2019-13-01").1,
            Value::Date(utc_ms(2020, 1, 1, 0, 0, 0, 0))
        );
        assert_eq!(
            known("2019-08- 3").1,
            Value::Date(utc_ms(2019, 8, 3, 0, 0, 0, 0))
        );
        assert_eq!(
            known("2019-08-2x").1,
            Value::Date(utc_ms(2019, 8, 2, 0, 0, 0, 0))
        );
        // Before the Gregorian cutover the calendar is Julian: 1582-10-04 is the day before
        // 1582-10-15.
        assert_eq!(
            known("1582-10-04").1,
            Value::Date((CUTOVER_DAY - 1) * MILLIS_PER_DAY)
        );
        assert_eq!(
            civil_from_ms((CUTOVER_DAY - 1) * MILLIS_PER_DAY),
            (1582, 10, 4)
        );
        assert_eq!(civil_from_ms(CUTOVER_DAY * MILLIS_PER_DAY), (1582, 10, 15));
        assert_eq!(known("0001-01-01").1, Value::Date(-62135769600000));
        assert_eq!(civil_from_ms(-62135769600000), (1, 1, 1));
        // Not a date after all: a number, then the rest is ignored at the top level.
        assert_eq!(known("12:30").1, Value::Int8(12));
    }

    #[test]
    fn decimals_outside_long_and_not_numbers() {
        // shouldNotConvertArrayValuesToDecimal: "[\"1.0\", 9223372036854775808, ...]"
        let big = "9223372036854775808";
        let small = "-9223372036854775809";
        assert_eq!(
            parsed(&format!("[\"1.0\", {big}, {small}, 1, 1]")),
            Some((
                Inferred::Array(None),
                Value::Array(vec![
                    s("1.0"),
                    Value::Decimal(big.into()),
                    Value::Decimal(small.into()),
                    Value::Int8(1),
                    Value::Int8(1),
                ])
            ))
        );
        // shouldParseArrayOfOnlyDecimals
        assert_eq!(
            known(&format!("[{big}, {small}]")),
            (
                array(decimal_schema(0)),
                Value::Array(vec![
                    Value::Decimal(big.into()),
                    Value::Decimal(small.into())
                ])
            )
        );
        // shouldParseBigIntegerAsDecimalWithZeroScale
        assert_eq!(known(big), (decimal_schema(0), Value::Decimal(big.into())));
        assert_eq!(
            known(small),
            (decimal_schema(0), Value::Decimal(small.into()))
        );
        // Beyond a double: a Decimal with the literal's (negative) scale.
        assert_eq!(
            known("1.5e400"),
            (
                decimal_schema(-399),
                Value::Decimal(format!("15{}", "0".repeat(399)))
            )
        );
    }

    #[test]
    fn integers_take_the_smallest_type() {
        for (text, schema, value) in [
            ("127", int8(), Value::Int8(i8::MAX)),
            ("-128", int8(), Value::Int8(i8::MIN)),
            ("32767", int16(), Value::Int16(i16::MAX)),
            ("-32768", int16(), Value::Int16(i16::MIN)),
            ("2147483647", int32(), Value::Int32(i32::MAX)),
            ("-2147483648", int32(), Value::Int32(i32::MIN)),
            (
                "9223372036854775807",
                primitive(Type::Int64),
                Value::Int64(i64::MAX),
            ),
            (
                "-9223372036854775808",
                primitive(Type::Int64),
                Value::Int64(i64::MIN),
            ),
            ("+7", int8(), Value::Int8(7)),
        ] {
            assert_eq!(known(text), (schema, value), "{text}");
        }
    }

    #[test]
    fn floats_and_doubles() {
        // shouldParseFloatAsFloat32 / shouldParseDoubleAsFloat64 (String.valueOf of the extremes)
        for f in [f32::MAX, -f32::MAX] {
            assert_eq!(
                known(&java_float(f)),
                (primitive(Type::Float32), Value::Float32(f))
            );
        }
        for d in [f64::MAX, -f64::MAX] {
            assert_eq!(
                known(&java_double(d)),
                (primitive(Type::Float64), Value::Float64(d))
            );
        }
        // shouldParseFractionalPartsAsIntegerWhenNoFractionalPart
        assert_eq!(known("1.0"), (int8(), Value::Int8(1)));
        assert_eq!(
            known("1.1"),
            (primitive(Type::Float32), Value::Float32(1.1))
        );
        assert_eq!(known("300.0"), (int16(), Value::Int16(300)));
        assert_eq!(
            known("300.01"),
            (primitive(Type::Float32), Value::Float32(300.01))
        );
        assert_eq!(known("66000.0"), (int32(), Value::Int32(66000)));
        assert_eq!(
            known("66000.0008"),
            (primitive(Type::Float32), Value::Float32(66000.0008))
        );
        // An integral literal beyond a long but within a float's range, written with an
        // exponent (scale != 0), is a FLOAT32.
        assert_eq!(
            known("1e20"),
            (primitive(Type::Float32), Value::Float32(1e20))
        );
        assert_eq!(
            known("1.5e39"),
            (primitive(Type::Float64), Value::Float64(1.5e39))
        );
        // Not numbers: strings.
        assert_string("1.2.3");
        assert_string("-");
        assert_string("1e");
        assert_string("1e99999999999");
    }

    /// Java's `assertParsed`: the tokens, and that each can be re-read after rewinding.
    fn assert_tokens(input: &str, expected: &[&str]) {
        let mut parser = Parser::new(input);
        for token in expected {
            assert!(parser.has_next(), "{input}");
            let position = parser.mark();
            assert_eq!(parser.next(), *token, "{input}");
            assert_eq!(parser.position(), position + token.len());
            assert_eq!(parser.previous(), Some(*token));
            parser.rewind_to(position);
            assert_eq!(parser.position(), position);
            assert_eq!(parser.next(), *token);
            assert_eq!(parser.mark(), position + token.len());
            assert_eq!(parser.previous(), Some(*token));
        }
        assert!(!parser.has_next(), "{input}");
        parser.rewind_to(0);
        assert_consumable(&mut parser, expected);
        assert_consumable(&mut Parser::new(input), expected);
    }

    fn assert_consumable(parser: &mut Parser<'_>, expected: &[&str]) {
        for token in expected {
            if !is_blank(token) {
                let position = parser.mark();
                assert!(parser.can_consume(java_trim(token)), "{token}");
                parser.rewind_to(position);
                assert!(parser.can_consume_exactly(java_trim(token), true));
                parser.rewind_to(position);
                assert!(parser.can_consume_exactly(token, false));
            }
        }
    }

    #[test]
    fn tokens() {
        // shouldParseStringsWithoutDelimiters
        for text in [
            "  ",
            "simple",
            "simple string",
            "simple \n\t\u{8}string",
            "'simple' string",
            "si\\mple",
            "si\\\\mple",
        ] {
            assert_tokens(text, &[text]);
        }
        // shouldParseStringsWithEscapedDelimiters
        for text in [
            "si\\\"mple",
            "si\\{mple",
            "si\\}mple",
            "si\\]mple",
            "si\\[mple",
            "si\\:mple",
            "si\\,mple",
        ] {
            assert_tokens(text, &[text]);
        }
        // shouldParseStringsWithSingleDelimiter
        for d in ["{", "}", "[", "]", ":", ",", "\""] {
            assert_tokens(&format!("a{d}b"), &["a", d, "b"]);
            assert_tokens(&format!("{d}b"), &[d, "b"]);
            assert_tokens(d, &[d]);
        }
        // shouldParseStringsWithMultipleDelimiters
        assert_tokens("\"simple\" string", &["\"", "simple", "\"", " string"]);
        assert_tokens("a{bc}d", &["a", "{", "bc", "}", "d"]);
        assert_tokens("a { b c } d", &["a ", "{", " b c ", "}", " d"]);
    }

    #[test]
    fn consume_multiple_tokens() {
        let mut parser = Parser::new("a:b:c:d:e:f:g:h");
        assert_eq!(parser.next_n(5), Some("a:b:c"));
        assert_eq!(parser.next(), ":");
        assert_eq!(parser.next(), "d");
        assert_eq!(parser.next(), ":");
        // Only 7 remain.
        assert_eq!(parser.next_n(8), None);
        assert_eq!(parser.next(), "e");
    }

    #[test]
    fn quoted_strings_keep_their_escapes_and_lose_blank_tokens() {
        assert_eq!(known("[\"a\\\"b\"]").1, Value::Array(vec![s("a\\\"b")]));
        // A blank token before the closing quote is skipped looking for it (Java's quirk).
        assert_eq!(known("[\"a, \"]").1, Value::Array(vec![s("a,")]));
        // Anything after the first value is ignored.
        assert_eq!(
            known("[1, 2] tail"),
            (
                array(int8()),
                Value::Array(vec![Value::Int8(1), Value::Int8(2)])
            )
        );
    }

    #[test]
    fn merged_schemas_follow_java() {
        // A Date absorbs integers (by type), which become days.
        assert_eq!(
            known("[2019-08-23, 5]"),
            (
                array(logical(Type::Int32, DATE)),
                Value::Array(vec![
                    Value::Date(utc_ms(2019, 8, 23, 0, 0, 0, 0)),
                    Value::Date(5 * MILLIS_PER_DAY)
                ])
            )
        );
        // Equal types: the newer schema wins without looking inside.
        assert_eq!(
            known("[[1], [\"a\"]]"),
            (
                array(array(string())),
                Value::Array(vec![
                    Value::Array(vec![Value::Int8(1)]),
                    Value::Array(vec![s("a")])
                ])
            )
        );
        // Keys converted to a common schema may collide: the later value wins in place.
        assert_eq!(
            known("{16777217: 1, 16777216: 2, 0.5: 3}").1,
            Value::Map(vec![
                (Value::Float32(16777216.0), Value::Int8(2)),
                (Value::Float32(0.5), Value::Int8(3)),
            ])
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        assert!(parse_string(&deep).is_err());
        let ok = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse_string(&ok).is_ok());
    }

    fn to_string(schema: Option<&Schema>, value: &Value) -> String {
        convert_to_string(schema, value).unwrap().unwrap()
    }

    #[test]
    fn convert_to_string_prints_like_java() {
        assert_eq!(convert_to_string(Some(&string()), &Value::Null), Ok(None));
        assert_eq!(
            to_string(None, &s("three\"blind\\\"mice")),
            "three\"blind\\\"mice"
        );
        assert_eq!(
            to_string(
                None,
                &Value::Array(vec![s("a\"b"), Value::Int16(3), Value::Null])
            ),
            "[\"a\\\"b\",3,null]"
        );
        assert_eq!(
            to_string(
                None,
                &Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))])
            ),
            "{\"foo\":\"123\",\"bar\":\"baz\"}"
        );
        assert_eq!(to_string(None, &Value::Float32(1.0)), "1.0");
        assert_eq!(to_string(None, &Value::Float64(1e-5)), "1.0E-5");
        assert_eq!(to_string(None, &Value::Bytes(vec![1, 2, 3])), "AQID");
        assert_eq!(
            to_string(None, &Value::Array(vec![Value::Bytes(vec![1, 2, 3])])),
            "[\"AQID\"]"
        );
        assert_eq!(to_string(None, &Value::Boolean(false)), "false");
        let ts = utc_ms(2019, 8, 23, 14, 34, 54, 346);
        assert_eq!(
            to_string(None, &Value::Date(ts)),
            "2019-08-23T14:34:54.346Z"
        );
        assert_eq!(
            to_string(None, &Value::Date(utc_ms(2019, 8, 23, 0, 0, 0, 0))),
            "2019-08-23"
        );
        assert_eq!(to_string(None, &Value::Date(52494346)), "14:34:54.346Z");
        // Before the epoch is "less than a day": a time.
        assert_eq!(to_string(None, &Value::Date(-1)), "23:59:59.999Z");
    }

    #[test]
    fn decimals_print_as_big_decimal_to_string() {
        assert_eq!(to_string(None, &Value::Decimal("-12.30".into())), "-12.30");
        assert_eq!(to_string(None, &Value::Decimal("0.0000001".into())), "1E-7");
        assert_eq!(
            to_string(
                Some(&decimal_schema(-399)),
                &Value::Decimal(format!("15{}", "0".repeat(399)))
            ),
            "1.5E+400"
        );
        assert_eq!(
            to_string(Some(&decimal_schema(2)), &Value::Decimal("3".into())),
            "3.00"
        );
        assert_eq!(
            to_string(
                Some(&decimal_schema(0)),
                &Value::Decimal("9223372036854775808".into())
            ),
            "9223372036854775808"
        );
    }

    #[test]
    fn structs_print_as_objects_with_defaults() {
        let field = Schema {
            optional: true,
            default: Some("\"d\"".into()),
            ..string()
        };
        let schema = primitive(Type::Struct(vec![
            ("a".into(), int32()),
            ("b".into(), field),
        ]));
        assert_eq!(
            to_string(
                Some(&schema),
                &Value::Struct(vec![Value::Int32(1), Value::Null])
            ),
            "{\"a\":1,\"b\":\"d\"}"
        );
        assert!(convert_to_string(None, &Value::Struct(vec![])).is_err());
    }

    #[test]
    fn printed_values_parse_back() {
        // Java's assertRoundTrip cases through convertToString and parseString.
        for (schema, value) in [
            (
                map(string(), string()),
                Value::Map(vec![(s("foo"), s("123")), (s("bar"), s("baz"))]),
            ),
            (
                map(string(), int16()),
                Value::Map(vec![
                    (s("foo"), Value::Int16(12345)),
                    (s("bar"), Value::Int16(0)),
                    (s("baz"), Value::Int16(-4321)),
                ]),
            ),
            (array(string()), Value::Array(vec![s("foo"), s("bar")])),
            (
                array(int32()),
                Value::Array(vec![Value::Int32(1234567890), Value::Int32(-987654321)]),
            ),
            (primitive(Type::Boolean), Value::Boolean(true)),
            (int8(), Value::Int8(1)),
            (primitive(Type::Int64), Value::Int64(1 << 40)),
            (primitive(Type::Float32), Value::Float32(1.5)),
            (string(), s("simple")),
            (
                string(),
                s("string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':"),
            ),
            (string(), s("three\"blind\\\"mice")),
        ] {
            let text = to_string(Some(&schema), &value);
            let back = parse_string(&text).unwrap();
            assert_eq!(back.schema.as_deref(), Some(&schema), "{text}");
            assert_eq!(back.value, value, "{text}");
        }
    }
}
