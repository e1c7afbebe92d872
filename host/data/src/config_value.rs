//! Parsing one raw string value the way Kafka's `ConfigDef.parseType` does: values are trimmed
//! (Java `String.trim`), booleans are `true`/`false` in any case, lists split on commas with
//! surrounding whitespace. Shared by the worker and connector configs so both read values
//! exactly like a Java worker; each caller words its own error around a [`Problem`].

/// Why a raw value could not be read as the wanted type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a number of the given ConfigDef type (`INT`, `LONG`, `SHORT`).
    NotNumber(&'static str),
    /// Not `true` or `false`.
    NotBoolean,
    /// Below the allowed minimum.
    AtLeast(i64),
    /// Not one of the allowed strings.
    OneOf(&'static [&'static str]),
}

impl Problem {
    /// Kafka's own wording (`ConfigException(name, value, message)`), as the REST validate
    /// endpoint shows it: `Invalid value <v> for configuration <k>: <message>`.
    pub fn kafka_message(&self, key: &str, raw: &str) -> String {
        let detail = match self {
            Problem::NotNumber(ty) => format!("Not a number of type {ty}"),
            Problem::NotBoolean => "Expected value to be either true or false".to_string(),
            Problem::AtLeast(min) => format!("Value must be at least {min}"),
            Problem::OneOf(allowed) => format!("String must be one of: {}", allowed.join(", ")),
        };
        format!("Invalid value {raw} for configuration {key}: {detail}")
    }
}

/// Java's `String.trim()`: strips every char at or below U+0020 from both ends.
pub fn trim(raw: &str) -> &str {
    raw.trim_matches(|c: char| c <= ' ')
}

/// A ConfigDef `INT`.
pub fn parse_int(raw: &str) -> Result<i32, Problem> {
    trim(raw).parse().map_err(|_| Problem::NotNumber("INT"))
}

/// A ConfigDef `SHORT`.
pub fn parse_short(raw: &str) -> Result<i16, Problem> {
    trim(raw).parse().map_err(|_| Problem::NotNumber("SHORT"))
}

/// A ConfigDef `LONG`.
pub fn parse_long(raw: &str) -> Result<i64, Problem> {
    trim(raw).parse().map_err(|_| Problem::NotNumber("LONG"))
}

/// A ConfigDef `BOOLEAN`: `true`/`false`, any case, surrounding whitespace ignored.
pub fn parse_bool(raw: &str) -> Result<bool, Problem> {
    let t = trim(raw);
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(Problem::NotBoolean)
    }
}

/// A ConfigDef `LIST`: empty (after trimming) is the empty list; otherwise split on `,` with
/// whitespace around commas removed. Like Kafka, empty items are kept (`"a,"` is `["a", ""]`).
pub fn parse_list(raw: &str) -> Vec<String> {
    let t = trim(raw);
    if t.is_empty() {
        return Vec::new();
    }
    t.split(',').map(|item| trim(item).to_string()).collect()
}

/// A ConfigDef `STRING` restricted to a fixed set of values (compared case-sensitively, like
/// `ValidString.in`).
pub fn parse_one_of(raw: &str, allowed: &'static [&'static str]) -> Result<&'static str, Problem> {
    let t = trim(raw);
    allowed
        .iter()
        .copied()
        .find(|a| *a == t)
        .ok_or(Problem::OneOf(allowed))
}

/// Like [`parse_one_of`] but case-insensitive (`CaseInsensitiveValidString.in`); returns the
/// canonical spelling from `allowed`.
pub fn parse_one_of_ignore_case(
    raw: &str,
    allowed: &'static [&'static str],
) -> Result<&'static str, Problem> {
    let t = trim(raw);
    allowed
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(t))
        .ok_or(Problem::OneOf(allowed))
}

/// Java's `List.toString()` of a parsed list: `[a, b]` (used in Kafka's messages).
pub fn java_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_trimmed_and_typed() {
        assert_eq!(parse_int(" 42\t"), Ok(42));
        assert_eq!(parse_long("+7"), Ok(7));
        assert_eq!(parse_long("-1"), Ok(-1));
        assert_eq!(parse_int("1.5"), Err(Problem::NotNumber("INT")));
        assert_eq!(parse_short("40000"), Err(Problem::NotNumber("SHORT")));
        assert_eq!(parse_int("3000000000"), Err(Problem::NotNumber("INT")));
    }

    #[test]
    fn booleans_any_case() {
        assert_eq!(parse_bool(" TRUE "), Ok(true));
        assert_eq!(parse_bool("False"), Ok(false));
        assert_eq!(parse_bool("yes"), Err(Problem::NotBoolean));
    }

    #[test]
    fn lists_split_like_configdef() {
        assert_eq!(parse_list(""), Vec::<String>::new());
        assert_eq!(parse_list("  "), Vec::<String>::new());
        assert_eq!(parse_list("a , b,c"), vec!["a", "b", "c"]);
        assert_eq!(parse_list("a,"), vec!["a", ""]);
    }

    #[test]
    fn kafka_wording() {
        assert_eq!(
            Problem::AtLeast(1).kafka_message("tasks.max", "0"),
            "Invalid value 0 for configuration tasks.max: Value must be at least 1"
        );
        assert_eq!(
            Problem::NotNumber("INT").kafka_message("tasks.max", "x"),
            "Invalid value x for configuration tasks.max: Not a number of type INT"
        );
        assert_eq!(
            Problem::OneOf(&["none", "all"]).kafka_message("errors.tolerance", "some"),
            "Invalid value some for configuration errors.tolerance: String must be one of: none, all"
        );
        assert_eq!(parse_one_of(" all ", &["none", "all"]), Ok("all"));
        assert!(parse_one_of("ALL", &["none", "all"]).is_err());
        assert_eq!(parse_one_of_ignore_case("ALL", &["none", "all"]), Ok("all"));
        assert_eq!(java_list(&["a".into(), "a".into()]), "[a, a]");
    }
}
