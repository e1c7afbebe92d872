//! Java `.properties` text → a string map, with `java.util.Properties.load` semantics so worker
//! and connector files written for a Java worker mean the same here: `#`/`!` comment lines,
//! `=`, `:` or whitespace between key and value, backslash line continuations (leading
//! whitespace of the continued line dropped), and the escapes `\t \n \r \f \uXXXX` (any other
//! escaped char stands for itself). Later duplicates win. One difference: the text is UTF-8
//! (Java reads ISO-8859-1), which is what people actually write today.

use std::collections::BTreeMap;

use super::ConfigError;

/// Parse `.properties` text. `origin` names the source in errors (usually the file path).
pub fn parse_properties(text: &str, origin: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut map = BTreeMap::new();
    for (line_no, logical) in logical_lines(text) {
        let (key, value) = split_key_value(&logical);
        let key = unescape(key).map_err(|m| parse_error(origin, line_no, &m))?;
        let value = unescape(value).map_err(|m| parse_error(origin, line_no, &m))?;
        map.insert(key, value);
    }
    Ok(map)
}

fn parse_error(origin: &str, line: usize, message: &str) -> ConfigError {
    ConfigError::Parse {
        origin: origin.to_string(),
        message: format!("line {line}: {message}"),
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{c}')
}

/// Natural lines, split on `\n`, `\r` or `\r\n`, as Java's `LineReader` does.
fn natural_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            Some(i) => {
                let line = &rest[..i];
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1
}

/// Logical lines (comments and blank lines dropped, continuations joined), each with the
/// 1-based number of the natural line it starts on.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, natural) in natural_lines(text).enumerate() {
        let trimmed = natural.trim_start_matches(is_blank);
        match current.take() {
            Some((start, mut buf)) => {
                // A continuation: the next line's leading whitespace is dropped; `#` is not a
                // comment here; an empty line ends the logical line.
                if trimmed.is_empty() {
                    out.push((start, buf));
                    continue;
                }
                buf.push_str(trimmed);
                finish_or_continue(&mut out, &mut current, start, buf);
            }
            None => {
                if trimmed.is_empty() || trimmed.starts_with(['#', '!']) {
                    continue;
                }
                finish_or_continue(&mut out, &mut current, i + 1, trimmed.to_string());
            }
        }
    }
    if let Some(last) = current {
        // End of input right after a continuation backslash: the backslash is dropped.
        out.push(last);
    }
    out
}

fn finish_or_continue(
    out: &mut Vec<(usize, String)>,
    current: &mut Option<(usize, String)>,
    start: usize,
    mut buf: String,
) {
    if ends_with_odd_backslashes(&buf) {
        buf.pop();
        *current = Some((start, buf));
    } else {
        out.push((start, buf));
    }
}

/// Split a logical line into its raw (still escaped) key and value.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut preceding_backslash = false;
    let mut key_end = line.len();
    let mut value_start = line.len();
    let mut has_separator = false;
    for (i, c) in line.char_indices() {
        if !preceding_backslash && (c == '=' || c == ':') {
            key_end = i;
            value_start = i + 1;
            has_separator = true;
            break;
        }
        if !preceding_backslash && is_blank(c) {
            key_end = i;
            value_start = i + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
    }
    let mut rest = &line[value_start..];
    while let Some(c) = rest.chars().next() {
        if is_blank(c) {
            rest = &rest[1..];
        } else if !has_separator && (c == '=' || c == ':') {
            has_separator = true;
            rest = &rest[1..];
        } else {
            break;
        }
    }
    (&line[..key_end], rest)
}

/// Resolve backslash escapes (`loadConvert`).
fn unescape(raw: &str) -> Result<String, String> {
    if !raw.contains('\\') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut pending_high: Option<u16> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush_surrogate(&mut out, &mut pending_high);
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        if e == 'u' {
            let hex: String = chars.by_ref().take(4).collect();
            let unit = (hex.len() == 4)
                .then(|| u16::from_str_radix(&hex, 16).ok())
                .flatten()
                .ok_or_else(|| format!("malformed \\uxxxx escape `\\u{hex}` (write exactly four hex digits, e.g. \\u00e9)"))?;
            push_utf16_unit(&mut out, &mut pending_high, unit);
            continue;
        }
        flush_surrogate(&mut out, &mut pending_high);
        out.push(match e {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'f' => '\u{c}',
            other => other,
        });
    }
    flush_surrogate(&mut out, &mut pending_high);
    Ok(out)
}

fn push_utf16_unit(out: &mut String, pending_high: &mut Option<u16>, unit: u16) {
    if let Some(high) = pending_high.take() {
        if (0xDC00..0xE000).contains(&unit) {
            let code = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            return;
        }
        out.push('\u{fffd}');
    }
    if (0xD800..0xDC00).contains(&unit) {
        *pending_high = Some(unit);
    } else {
        out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
    }
}

fn flush_surrogate(out: &mut String, pending_high: &mut Option<u16>) {
    if pending_high.take().is_some() {
        out.push('\u{fffd}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> BTreeMap<String, String> {
        parse_properties(text, "test.properties").unwrap()
    }

    #[test]
    fn separators_and_whitespace() {
        let m = parse("a=1\nb : 2\nc 3\n  d\t=\t4  \ne\nf=\ng:=h\n");
        assert_eq!(m["a"], "1");
        assert_eq!(m["b"], "2");
        assert_eq!(m["c"], "3");
        assert_eq!(
            m["d"], "4  ",
            "trailing whitespace of a value is kept, as in Java"
        );
        assert_eq!(m["e"], "");
        assert_eq!(m["f"], "");
        assert_eq!(m["g"], "=h", "only the first separator is consumed");
    }

    #[test]
    fn comments_and_blank_lines() {
        let m = parse("# comment\n  ! also a comment\n\n   \nkey=value # not a comment\n");
        assert_eq!(m.len(), 1);
        assert_eq!(m["key"], "value # not a comment");
    }

    #[test]
    fn continuations() {
        let m = parse("plugin.path=/a,\\\n     /b,\\\n  /c\nnext=1\n");
        assert_eq!(m["plugin.path"], "/a,/b,/c");
        assert_eq!(m["next"], "1");
        // An escaped backslash at the end is not a continuation.
        let m = parse("dir=C:\\\\\nx=y\n");
        assert_eq!(m["dir"], "C:\\");
        assert_eq!(m["x"], "y");
        // A `#` on a continued line is data; an empty line ends the continuation.
        let m = parse("a=1\\\n#2\nb=3\\\n\nc=4\\");
        assert_eq!(m["a"], "1#2");
        assert_eq!(m["b"], "3");
        assert_eq!(m["c"], "4");
    }

    #[test]
    fn line_endings() {
        let m = parse("a=1\r\nb=2\rc=3");
        assert_eq!(
            (m["a"].as_str(), m["b"].as_str(), m["c"].as_str()),
            ("1", "2", "3")
        );
    }

    #[test]
    fn escapes() {
        let m = parse("key\\ with\\=seps=v\\tx\\n\\u00e9\\q\nemoji=\\uD83D\\uDE00\n");
        assert_eq!(m["key with=seps"], "v\tx\néq");
        assert_eq!(m["emoji"], "😀");
    }

    #[test]
    fn utf8_text_and_bom() {
        let m = parse("\u{feff}greeting=안녕\n");
        assert_eq!(m["greeting"], "안녕");
    }

    #[test]
    fn later_duplicates_win() {
        assert_eq!(parse("a=1\na=2\n")["a"], "2");
    }

    #[test]
    fn malformed_unicode_escape_names_the_line() {
        let e = parse_properties("ok=1\nbad=\\u12G4\n", "w.properties").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("w.properties: line 2: malformed \\uxxxx escape"),
            "{msg}"
        );
    }
}
