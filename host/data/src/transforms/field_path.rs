//! Kafka's field paths (KIP-821, `org.apache.kafka.connect.transforms.field`):
//! [`FieldSyntaxVersion`] (the `field.syntax.version` key transformations with nested field
//! support add) and [`SingleFieldPath`] (one path, `V1` a single root field name, `V2` dotted
//! steps with backtick quoting), with the schema and value look-ups Kafka's classes share.

use super::data::{Value, field_index};
use super::requirements::{require_map_or_null, require_struct_or_null, struct_get};
use super::transform::TransformError;
use crate::config_value::trim;
use crate::convert::schema::{Schema, Type};

/// The key name, `FieldSyntaxVersion.FIELD_SYNTAX_VERSION_CONFIG`.
pub const FIELD_SYNTAX_VERSION_CONFIG: &str = "field.syntax.version";

/// The key's documentation, Kafka's `FIELD_SYNTAX_VERSION_DOC`.
pub const FIELD_SYNTAX_VERSION_DOC: &str = "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".";

/// The key's default.
pub const FIELD_SYNTAX_VERSION_DEFAULT: &str = "V1";

/// How a configured field path is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldSyntaxVersion {
    /// The whole text is one field name at the root (the behaviour before KIP-821).
    V1,
    /// Dotted steps into nested structs and maps; backticks wrap names containing dots.
    V2,
}

impl FieldSyntaxVersion {
    /// Reads the key's value as Kafka does: trimmed, any case
    /// (`CaseInsensitiveValidString.in("V1", "V2")`), the error being that validator's reason.
    pub fn for_config(raw: &str) -> Result<FieldSyntaxVersion, String> {
        match trim(raw).to_ascii_uppercase().as_str() {
            "V1" => Ok(FieldSyntaxVersion::V1),
            "V2" => Ok(FieldSyntaxVersion::V2),
            _ => Err("String must be one of (case insensitive): V1, V2".to_string()),
        }
    }
}

const BACKTICK: u8 = b'`';
const DOT: u8 = b'.';
const BACKSLASH: u8 = b'\\';

/// One field path: one or more steps (none for an empty `V2` path, as in Kafka, where using it
/// then fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleFieldPath {
    steps: Vec<String>,
}

impl SingleFieldPath {
    /// Parses `path` under `version`. A `V2` path with an unclosed backtick is refused with
    /// Kafka's `ConfigException` message.
    pub fn new(path: &str, version: FieldSyntaxVersion) -> Result<SingleFieldPath, String> {
        let steps = match version {
            FieldSyntaxVersion::V1 => vec![path.to_owned()],
            FieldSyntaxVersion::V2 => parse_v2(path)?,
        };
        Ok(SingleFieldPath { steps })
    }

    /// The steps, outermost first.
    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    /// The steps before the last one, and the last one. An empty path fails as Java's
    /// `subList(0, -1)` does.
    fn split(&self) -> Result<(&[String], &str), TransformError> {
        match self.steps.split_last() {
            Some((last, parents)) => Ok((parents, last)),
            None => Err(TransformError::new("fromIndex(0) > toIndex(-1)")),
        }
    }

    /// `fieldFrom(schema)`: the schema of the field at this path, `None` when a step names no
    /// field. Stepping into a schema that is not a struct fails as Java's `Schema.field` does.
    pub fn field_from<'a>(&self, schema: &'a Schema) -> Result<Option<&'a Schema>, TransformError> {
        let (parents, last) = self.split()?;
        let mut current = schema;
        for step in parents {
            match field_of(current, step)? {
                Some(s) => current = s,
                None => return Ok(None),
            }
        }
        field_of(current, last)
    }

    /// `valueFrom(struct, withDefault)`: the value at this path in a struct (its `fields` and
    /// `values`; the caller has handled a null struct), null when a step is missing or a parent
    /// is null. Parents are read with their defaults, as Java's `Struct.get`; the last step with
    /// its default only if `with_default`.
    pub fn value_from_struct(
        &self,
        fields: &[(String, Schema)],
        values: &[Value],
        with_default: bool,
    ) -> Result<Value, TransformError> {
        let (parents, last) = self.split()?;
        struct_step(parents, last, fields, values, with_default)
    }

    /// `valueFrom(map)`: the value at this path in a schemaless map (null when a step is
    /// missing or a parent is null); a parent that is not a map fails with Kafka's message.
    pub fn value_from_map(&self, value: &Value) -> Result<Value, TransformError> {
        let (parents, last) = self.split()?;
        let mut current = value;
        for step in parents {
            let child = current.map_get(step).unwrap_or(&Value::Null);
            if require_map_or_null(child, "nested field access")?.is_none() {
                return Ok(Value::Null);
            }
            current = child;
        }
        Ok(current.map_get(last).cloned().unwrap_or(Value::Null))
    }
}

/// `Schema.field(name)`, which fails on a schema that is not a struct.
fn field_of<'a>(schema: &'a Schema, name: &str) -> Result<Option<&'a Schema>, TransformError> {
    match &schema.ty {
        Type::Struct(fields) => Ok(field_index(schema, name).map(|i| &fields[i].1)),
        _ => Err(TransformError::new(
            "Cannot look up fields on non-struct type",
        )),
    }
}

/// One step of [`SingleFieldPath::value_from_struct`] (recursive, so a parent read through its
/// default lives while its fields are read).
fn struct_step(
    parents: &[String],
    last: &str,
    fields: &[(String, Schema)],
    values: &[Value],
    with_default: bool,
) -> Result<Value, TransformError> {
    let Some((step, rest)) = parents.split_first() else {
        return Ok(match fields.iter().position(|(n, _)| n == last) {
            Some(i) => struct_get(&fields[i].1, value_at(values, i), with_default),
            None => Value::Null,
        });
    };
    let Some(i) = fields.iter().position(|(n, _)| n == step) else {
        return Ok(Value::Null);
    };
    let field_schema = &fields[i].1;
    let raw = value_at(values, i);
    let with_parent_default;
    let parent = if raw.is_null() {
        with_parent_default = struct_get(field_schema, raw, true);
        &with_parent_default
    } else {
        raw
    };
    match require_struct_or_null(field_schema, parent, "nested field access")? {
        Some((f, v)) => struct_step(rest, last, f, v, with_default),
        None => Ok(Value::Null),
    }
}

/// The value of field `i` (null past the end of a struct value shorter than its schema).
fn value_at(values: &[Value], i: usize) -> &Value {
    values.get(i).unwrap_or(&Value::Null)
}

/// Kafka's `V2` grammar: steps split on dots; a step starting with a backtick runs to the next
/// backtick followed by a dot (or ending the path); `\` before such a backtick makes it part of
/// the name. A trailing dot adds an empty last step.
fn parse_v2(path: &str) -> Result<Vec<String>, String> {
    // The special characters are ASCII, so byte positions cut at char boundaries.
    let bytes = path.as_bytes();
    let len = bytes.len();
    let find = |from: usize, c: u8| bytes[from..].iter().position(|b| *b == c).map(|p| p + from);
    let mut steps = Vec::new();
    let mut idx = 0;
    while idx < len {
        if bytes[idx] != BACKTICK {
            match find(idx, DOT) {
                Some(dot) => {
                    steps.push(path[idx..dot].to_owned());
                    idx = dot + 1;
                }
                None => {
                    steps.push(path[idx..].to_owned());
                    break;
                }
            }
            continue;
        }
        let opened_at = idx;
        idx += 1;
        let mut field = String::new();
        let mut start = idx;
        loop {
            let Some(close) = find(idx, BACKTICK) else {
                return Err(incomplete_backtick_pair(path, opened_at));
            };
            idx = close;
            let escaped = bytes[idx - 1] == BACKSLASH;
            if idx + 1 >= len {
                // The path ends with this backtick.
                if escaped {
                    return Err(incomplete_backtick_pair(path, opened_at));
                }
                field.push_str(&path[start..idx]);
                steps.push(field);
                idx += 1;
                break;
            }
            if bytes[idx + 1] != DOT {
                // Part of the name; look further for a closing backtick.
                idx += 1;
                continue;
            }
            if escaped {
                // `\` + backtick before a dot: a backtick in the name, the backslash dropped.
                field.push_str(&path[start..idx - 1]);
                field.push('`');
                idx += 1;
                start = idx;
                continue;
            }
            field.push_str(&path[start..idx]);
            steps.push(field);
            idx += 2;
            break;
        }
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

/// Kafka's message; the position is in UTF-16 code units, as Java counts string indexes.
fn incomplete_backtick_pair(path: &str, byte_at: usize) -> String {
    let position = path[..byte_at].encode_utf16().count();
    format!(
        "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {position} to escape it"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::{json_schema, map};

    fn v2(path: &str) -> SingleFieldPath {
        SingleFieldPath::new(path, FieldSyntaxVersion::V2).unwrap()
    }

    fn assert_v2(path: &str, steps: &[&str]) {
        assert_eq!(v2(path).steps(), steps, "{path}");
    }

    // FieldPathNotationTest.

    #[test]
    fn v1_is_one_step_whatever_the_text() {
        for path in ["foo.bar.baz", "foo`bar`", "foo.`bar.baz`", ""] {
            let p = SingleFieldPath::new(path, FieldSyntaxVersion::V1).unwrap();
            assert_eq!(p.steps(), [path]);
        }
    }

    #[test]
    fn v2_keeps_empty_field_names() {
        assert_v2("..", &["", "", ""]);
        assert_v2("foo..", &["foo", "", ""]);
        assert_v2(".bar.", &["", "bar", ""]);
        assert_v2("..baz", &["", "", "baz"]);
    }

    #[test]
    fn v2_empty_path_has_no_steps() {
        assert_v2("", &[]);
    }

    #[test]
    fn v2_without_dots_is_one_step() {
        assert_v2("foobarbaz", &["foobarbaz"]);
    }

    #[test]
    fn v2_splits_on_dots() {
        assert_v2("foo.bar.baz", &["foo", "bar", "baz"]);
    }

    #[test]
    fn v2_keeps_backticks_that_do_not_wrap_a_step() {
        assert_v2("foo`bar`baz", &["foo`bar`baz"]);
    }

    #[test]
    fn v2_backtick_pairs_wrap_names_with_dots() {
        assert_v2("`foo.bar.baz`", &["foo.bar.baz"]);
        assert_v2("foo.`bar.baz`", &["foo", "bar.baz"]);
        assert_v2("`foo.bar`.baz", &["foo.bar", "baz"]);
        assert_v2("foo.`bar`.baz", &["foo", "bar", "baz"]);
    }

    #[test]
    fn v2_ignores_backticks_that_are_not_wrapping() {
        assert_v2("foo.``bar.baz`", &["foo", "`bar.baz"]);
        assert_v2("foo.`bar.baz``", &["foo", "bar.baz`"]);
        assert_v2("foo.`ba`r.baz`", &["foo", "ba`r.baz"]);
        assert_v2("foo.ba`r.baz", &["foo", "ba`r", "baz"]);
        assert_v2("foo.``bar``.baz", &["foo", "`bar`", "baz"]);
        assert_v2("``foo.bar.baz``", &["`foo.bar.baz`"]);
    }

    #[test]
    fn v2_escaped_backticks() {
        assert_v2("foo.`bar\\`.baz`", &["foo", "bar`.baz"]);
        assert_v2("foo.`bar.`baz`", &["foo", "bar.`baz"]);
        assert_v2("foo.`bar\\`.`baz`", &["foo", "bar`.`baz"]);
        assert_v2("foo.`bar\\\\`.\\`baz`", &["foo", "bar\\`.\\`baz"]);
    }

    #[test]
    fn v2_incomplete_backticks_fail_with_kafkas_message() {
        for (path, at) in [
            ("`foo.bar.baz", 0),
            ("foo.`bar.baz", 4),
            ("foo.bar.`baz", 8),
            ("foo.bar.`baz\\`", 8),
            // Java counts UTF-16 units: 'é' is one, '😀' two.
            ("é😀.`x", 4),
        ] {
            assert_eq!(
                SingleFieldPath::new(path, FieldSyntaxVersion::V2).unwrap_err(),
                format!(
                    "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {at} to escape it"
                )
            );
        }
    }

    // FieldSyntaxVersionTest.

    #[test]
    fn versions_read_in_any_case_and_others_refused() {
        for (raw, v) in [
            ("v1", FieldSyntaxVersion::V1),
            ("v2", FieldSyntaxVersion::V2),
            ("V1", FieldSyntaxVersion::V1),
            ("V2", FieldSyntaxVersion::V2),
            (" v2 ", FieldSyntaxVersion::V2),
        ] {
            assert_eq!(FieldSyntaxVersion::for_config(raw), Ok(v));
        }
        for raw in ["v3", "V 1", "v", "V 2", "2", "1"] {
            assert_eq!(
                FieldSyntaxVersion::for_config(raw).unwrap_err(),
                "String must be one of (case insensitive): V1, V2"
            );
        }
    }

    // SingleFieldPathTest.

    const FOO_BAR: &str = r#"{"type":"struct","fields":[{"field":"foo","type":"struct","fields":[
        {"field":"bar","type":"int32"}]}]}"#;

    #[test]
    fn finds_fields_in_schemas() {
        let sch = json_schema(FOO_BAR);
        let Type::Struct(fields) = &sch.ty else {
            panic!("struct")
        };
        let foo = &fields[0].1;
        let Type::Struct(foo_fields) = &foo.ty else {
            panic!("struct")
        };
        assert_eq!(
            v2("foo.bar").field_from(&sch).unwrap(),
            Some(&foo_fields[0].1)
        );
        assert_eq!(v2("foo").field_from(&sch).unwrap(), Some(foo));
        assert_eq!(v2("un.known").field_from(&sch).unwrap(), None);
        assert_eq!(v2("foo.unknown").field_from(&sch).unwrap(), None);
        assert_eq!(v2("unknown").field_from(&sch).unwrap(), None);
        assert_eq!(
            v2("foo.bar.baz").field_from(&sch).unwrap_err().message,
            "Cannot look up fields on non-struct type"
        );
        assert_eq!(
            v2("").field_from(&sch).unwrap_err().message,
            "fromIndex(0) > toIndex(-1)"
        );
    }

    #[test]
    fn finds_values_in_maps() {
        let m = map(vec![(
            "foo",
            map(vec![("bar", Value::Int64(42)), ("baz", Value::Null)]),
        )]);
        assert_eq!(v2("foo.bar").value_from_map(&m).unwrap(), Value::Int64(42));
        assert_eq!(v2("foo.baz").value_from_map(&m).unwrap(), Value::Null);
        for missing in ["un.known", "foo.unknown", "unknown", "foo.baz.inner"] {
            assert_eq!(
                v2(missing).value_from_map(&m).unwrap(),
                Value::Null,
                "{missing}"
            );
        }
        assert_eq!(
            v2("foo.bar.x").value_from_map(&m).unwrap_err().message,
            "Only Map objects supported in absence of schema for [nested field access], found: java.lang.Long"
        );
    }

    const NESTED: &str = r#"{"type":"struct","fields":[{"field":"foo","type":"struct","fields":[
        {"field":"bar","type":"int32"},
        {"field":"baz","type":"struct","optional":true,"fields":[{"field":"inner","type":"string"}]}]}]}"#;

    #[test]
    fn finds_values_in_structs() {
        let sch = json_schema(NESTED);
        let st = Value::Struct(vec![Value::Struct(vec![Value::Int32(42), Value::Null])]);
        let Type::Struct(fields) = &sch.ty else {
            panic!("struct")
        };
        let Value::Struct(values) = &st else {
            panic!("struct")
        };
        assert_eq!(
            v2("foo.bar")
                .value_from_struct(fields, values, true)
                .unwrap(),
            Value::Int32(42)
        );
        assert_eq!(
            v2("foo.baz")
                .value_from_struct(fields, values, true)
                .unwrap(),
            Value::Null
        );
        for missing in ["un.known", "foo.unknown", "unknown", "foo.baz.inner"] {
            assert_eq!(
                v2(missing).value_from_struct(fields, values, true).unwrap(),
                Value::Null,
                "{missing}"
            );
        }
    }

    #[test]
    fn struct_parents_read_through_their_defaults_and_the_last_step_as_asked() {
        let sch = json_schema(
            r#"{"type":"struct","fields":[{"field":"p","type":"struct","optional":true,
            "default":{"c":7},"fields":[{"field":"c","type":"int32","optional":true,"default":1}]}]}"#,
        );
        let Type::Struct(fields) = &sch.ty else {
            panic!("struct")
        };
        let path = v2("p.c");
        let absent_parent = [Value::Null];
        assert_eq!(
            path.value_from_struct(fields, &absent_parent, false)
                .unwrap(),
            Value::Int32(7)
        );
        let null_child = [Value::Struct(vec![Value::Null])];
        assert_eq!(
            path.value_from_struct(fields, &null_child, true).unwrap(),
            Value::Int32(1)
        );
        assert_eq!(
            path.value_from_struct(fields, &null_child, false).unwrap(),
            Value::Null
        );
    }
}
