//! `java.util.Properties.load(Reader)`, as `FileConfigProvider` reads a file: logical lines
//! (natural lines ended by `\n`, `\r` or `\r\n`; leading spaces, tabs and form feeds skipped;
//! blank lines and `#`/`!` comment lines dropped; a line ending in an odd number of backslashes
//! continues on the next, whose leading whitespace is skipped), then key and value split at the
//! first unescaped `=`, `:` or whitespace (whitespace and one `=`/`:` after it skipped), then
//! escapes: `\t \n \r \f`, `\uXXXX` (four hex digits, else Java's "Malformed \uxxxx encoding."),
//! and `\` before any other character stands for that character. Later keys win.
//!
//! Java works on UTF-16 units: `\uXXXX` escapes forming a surrogate pair make one character, as
//! in Java; a lone surrogate cannot be in a Rust string and becomes U+FFFD.

use std::collections::BTreeMap;

use super::provider::ProviderError;

/// Java's message for a bad `\uXXXX` escape (an `IllegalArgumentException`).
pub const MALFORMED_UNICODE_ESCAPE: &str = "Malformed \\uxxxx encoding.";

/// Every key and value of the properties text `text`.
pub fn load(text: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let chars: Vec<char> = text.chars().collect();
    let mut reader = LineReader {
        input: &chars,
        pos: 0,
    };
    let mut line = Vec::new();
    let mut properties = BTreeMap::new();
    while reader.read_line(&mut line) {
        let (key, value) = split_key_value(&line);
        properties.insert(unescape(key)?, unescape(value)?);
    }
    Ok(properties)
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{c}')
}

/// Java's `Properties.LineReader` over the whole text.
struct LineReader<'a> {
    input: &'a [char],
    pos: usize,
}

impl LineReader<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.input.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// The next logical line into `line` (continuations joined, their backslash dropped);
    /// `false` at the end of the text.
    fn read_line(&mut self, line: &mut Vec<char>) -> bool {
        line.clear();
        let mut skip_white_space = true;
        let mut appended_line_begin = false;
        let mut preceding_backslash = false;
        loop {
            let Some(c) = self.next() else {
                if line.is_empty() {
                    return false;
                }
                if preceding_backslash {
                    line.pop();
                }
                return true;
            };
            if skip_white_space {
                if is_blank(c) {
                    continue;
                }
                if !appended_line_begin && (c == '\r' || c == '\n') {
                    continue;
                }
                skip_white_space = false;
                appended_line_begin = false;
            }
            if line.is_empty() && (c == '#' || c == '!') {
                // A comment: the rest of the natural line goes.
                loop {
                    match self.next() {
                        None => return false,
                        Some('\r' | '\n') => break,
                        Some(_) => {}
                    }
                }
                skip_white_space = true;
                continue;
            }
            if c != '\n' && c != '\r' {
                line.push(c);
                preceding_backslash = c == '\\' && !preceding_backslash;
                continue;
            }
            // End of a natural line.
            if line.is_empty() {
                skip_white_space = true;
                continue;
            }
            if self.pos >= self.input.len() {
                if preceding_backslash {
                    line.pop();
                }
                return true;
            }
            if !preceding_backslash {
                return true;
            }
            // A continuation: the backslash goes, the next line's leading whitespace too.
            line.pop();
            skip_white_space = true;
            appended_line_begin = true;
            preceding_backslash = false;
            if c == '\r' && self.input.get(self.pos) == Some(&'\n') {
                self.pos += 1;
            }
        }
    }
}

/// The raw key and value of a logical line.
fn split_key_value(line: &[char]) -> (&[char], &[char]) {
    let mut key_len = 0;
    let mut value_start = line.len();
    let mut has_separator = false;
    let mut preceding_backslash = false;
    while key_len < line.len() {
        let c = line[key_len];
        if (c == '=' || c == ':') && !preceding_backslash {
            value_start = key_len + 1;
            has_separator = true;
            break;
        }
        if is_blank(c) && !preceding_backslash {
            value_start = key_len + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
        key_len += 1;
    }
    while value_start < line.len() {
        let c = line[value_start];
        if !is_blank(c) {
            if !has_separator && (c == '=' || c == ':') {
                has_separator = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    (&line[..key_len], &line[value_start..])
}

/// Java's `loadConvert`: the escapes of a key or value.
fn unescape(raw: &[char]) -> Result<String, ProviderError> {
    let mut out: Vec<u16> = Vec::with_capacity(raw.len());
    let mut buf = [0u16; 2];
    let mut push = |out: &mut Vec<u16>, c: char| out.extend_from_slice(c.encode_utf16(&mut buf));
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        i += 1;
        if c != '\\' {
            push(&mut out, c);
            continue;
        }
        // A line never ends in an unescaped backslash (see `read_line`).
        let Some(&escaped) = raw.get(i) else {
            push(&mut out, c);
            break;
        };
        i += 1;
        match escaped {
            'u' => {
                let digits = raw
                    .get(i..i + 4)
                    .ok_or_else(|| ProviderError::illegal_argument(MALFORMED_UNICODE_ESCAPE))?;
                let mut unit: u16 = 0;
                for d in digits {
                    // `to_digit(16)` takes ASCII hex digits only, as Java's switch does.
                    let v = d
                        .to_digit(16)
                        .ok_or_else(|| ProviderError::illegal_argument(MALFORMED_UNICODE_ESCAPE))?;
                    unit = (unit << 4) | v as u16;
                }
                out.push(unit);
                i += 4;
            }
            't' => push(&mut out, '\t'),
            'r' => push(&mut out, '\r'),
            'n' => push(&mut out, '\n'),
            'f' => push(&mut out, '\u{c}'),
            other => push(&mut out, other),
        }
    }
    Ok(String::from_utf16_lossy(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(String, String)> {
        load(text).unwrap().into_iter().collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        v.sort();
        v
    }

    // Every expected value below is what `java.util.Properties.load` gave through Kafka 4.3.1's
    // `FileConfigProvider.get(path)` on Java 17 for the same file.

    #[test]
    fn separators() {
        assert_eq!(
            parsed("a=b\nc:d\ne f\ng\t=\th\n"),
            pairs(&[("a", "b"), ("c", "d"), ("e", "f"), ("g", "h")])
        );
        assert_eq!(
            parsed("lonely\n=v\n:\na==b\nb = = c\nc:=d\n"),
            pairs(&[
                ("", ""),
                ("a", "=b"),
                ("b", "= c"),
                ("c", "=d"),
                ("lonely", "")
            ])
        );
        assert_eq!(
            parsed("f\u{c}g\n\u{c} h=i\n"),
            pairs(&[("f", "g"), ("h", "i")])
        );
    }

    #[test]
    fn comments_blank_lines_and_trailing_whitespace() {
        assert_eq!(parsed("#x=y\n  !z=w\n a = b \n"), pairs(&[("a", "b ")]));
        assert_eq!(parsed("a=b  \nc=  \n"), pairs(&[("a", "b  "), ("c", "")]));
        assert_eq!(parsed("  \n\t\n"), pairs(&[]));
        assert_eq!(parsed("# only comment"), pairs(&[]));
        assert_eq!(parsed(""), pairs(&[]));
    }

    #[test]
    fn continuations() {
        assert_eq!(parsed("k=v1\\\n   v2\\\n\tv3\n"), pairs(&[("k", "v1v2v3")]));
        // A continued line is never a comment, and an empty one ends the logical line.
        assert_eq!(parsed("a=b\\\n#c\n"), pairs(&[("a", "b#c")]));
        assert_eq!(parsed("a=b\\\n\nc=d"), pairs(&[("a", "b"), ("c", "d")]));
        // ...but a logical line that is still empty after the continuation can become one.
        assert_eq!(parsed("\\\n#comment\nx=y"), pairs(&[("x", "y")]));
        assert_eq!(parsed("k=v \\\n"), pairs(&[("k", "v ")]));
        assert_eq!(parsed("k=a\\\\\\\nb\n"), pairs(&[("k", "a\\b")]));
        assert_eq!(parsed("k=\\\n"), pairs(&[("k", "")]));
        assert_eq!(parsed("k\\\n=v\n"), pairs(&[("k", "v")]));
        // A backslash at the very end is dropped; an escaped one is kept.
        assert_eq!(parsed("a=b\\"), pairs(&[("a", "b")]));
        assert_eq!(parsed("a=b\\\\"), pairs(&[("a", "b\\")]));
    }

    #[test]
    fn line_terminators() {
        assert_eq!(
            parsed("a=b\r\nc=d\r\ne=1\\\r\n  2\r\nf=3\\\r  4\rg=5"),
            pairs(&[("a", "b"), ("c", "d"), ("e", "12"), ("f", "34"), ("g", "5")])
        );
        assert_eq!(
            parsed("k=v\\\r\n\r\nx=y\n"),
            pairs(&[("k", "v"), ("x", "y")])
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            parsed("k\\ ey=v\\tx\\u0041\\n\\q\\\\\n"),
            pairs(&[("k ey", "v\txA\nq\\")])
        );
        assert_eq!(
            parsed("a\\=b=c\na\\:b c\n\\ lead=x\n"),
            pairs(&[(" lead", "x"), ("a:b", "c"), ("a=b", "c")])
        );
        assert_eq!(
            parsed("tab\\tkey=1\nnl\\nkey=2\n"),
            pairs(&[("nl\nkey", "2"), ("tab\tkey", "1")])
        );
        assert_eq!(parsed("U=\\U0041\n"), pairs(&[("U", "U0041")]));
        assert_eq!(
            parsed("\\u00e9=caf\\u00E9\nsmile=\\uD83D\\uDE00\n"),
            pairs(&[("smile", "\u{1F600}"), ("\u{e9}", "caf\u{e9}")])
        );
    }

    #[test]
    fn lone_surrogate_becomes_replacement_character() {
        // Java keeps the lone surrogate U+D83D, which a Rust string cannot hold.
        assert_eq!(parsed("lone=\\uD83D!\n"), pairs(&[("lone", "\u{fffd}!")]));
    }

    #[test]
    fn malformed_unicode_escape_is_javas_illegal_argument() {
        for text in ["a=\\u12", "a=\\u00zz\n", "\\u12=x"] {
            let e = load(text).unwrap_err();
            assert_eq!(e.to_string(), "Malformed \\uxxxx encoding.", "{text:?}");
            assert_eq!(e.java_class(), "java.lang.IllegalArgumentException");
        }
    }

    #[test]
    fn bom_is_part_of_the_first_key_and_later_duplicates_win() {
        assert_eq!(parsed("\u{feff}a=b"), pairs(&[("\u{feff}a", "b")]));
        assert_eq!(parsed("dup=1\ndup=2\n"), pairs(&[("dup", "2")]));
    }
}
