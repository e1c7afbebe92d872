//! Java's `java.util.regex` as Kafka's routers and predicates use it, on the `regex` crate:
//! `Matcher.matches()` (the whole topic), `Matcher.replaceFirst` with Java's replacement syntax
//! (`$1`, `${name}`, `\` escapes), and Java's error texts where the two agree. Patterns the
//! `regex` crate cannot run (look-around, back-references) are refused when the connector is
//! validated, with the reason, instead of behaving differently.

use regex::{Captures, Regex};

/// A compiled Java pattern.
#[derive(Debug, Clone)]
pub struct JavaPattern {
    source: String,
    /// The pattern anchored at both ends: `matches()`.
    whole: Regex,
    /// The pattern as written: `find()`, which `replaceFirst` uses.
    first: Regex,
}

impl JavaPattern {
    /// Compiles `source`; the error is the message Kafka's `RegexValidator` words as
    /// `Invalid regex: …`.
    pub fn compile(source: &str) -> Result<JavaPattern, String> {
        let explain = |e: regex::Error| {
            let text = e.to_string();
            if text.contains("look-around") || text.contains("backreferences") {
                format!(
                    "{text} (this host's regular expressions do not support look-around or back-references yet)"
                )
            } else {
                text
            }
        };
        let first = Regex::new(source).map_err(explain)?;
        let whole = Regex::new(&format!(r"\A(?:{source})\z")).map_err(explain)?;
        Ok(JavaPattern {
            source: source.to_owned(),
            whole,
            first,
        })
    }

    /// [`JavaPattern::compile`] with Kafka's `RegexValidator` message, for a config `parse_with`.
    pub fn for_config(source: &str) -> Result<JavaPattern, String> {
        Self::compile(source).map_err(|e| format!("Invalid regex: {e}"))
    }

    /// The pattern as configured.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// `Pattern.matcher(text).matches()`.
    pub fn matches(&self, text: &str) -> bool {
        self.whole.is_match(text)
    }

    /// `Matcher.replaceFirst(replacement)`: the first match replaced, or `text` unchanged when
    /// nothing matches. Fails as Java does on a bad replacement (`No group 3`, `Illegal group
    /// reference`).
    pub fn replace_first(&self, text: &str, replacement: &str) -> Result<String, String> {
        let Some(caps) = self.first.captures(text) else {
            return Ok(text.to_owned());
        };
        let whole = caps.get(0).expect("group 0 always participates");
        let mut out = String::with_capacity(text.len() + replacement.len());
        out.push_str(&text[..whole.start()]);
        self.expand(&caps, replacement, &mut out)?;
        out.push_str(&text[whole.end()..]);
        Ok(out)
    }

    /// Java's `Matcher.appendReplacement` rules for `replacement`.
    fn expand(
        &self,
        caps: &Captures<'_>,
        replacement: &str,
        out: &mut String,
    ) -> Result<(), String> {
        let groups = self.first.captures_len() - 1;
        let chars: Vec<char> = replacement.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' => {
                    i += 1;
                    let Some(&c) = chars.get(i) else {
                        return Err("character to be escaped is missing".into());
                    };
                    out.push(c);
                    i += 1;
                }
                '$' => {
                    i += 1;
                    let Some(&c) = chars.get(i) else {
                        return Err("Illegal group reference: group index is missing".into());
                    };
                    if c == '{' {
                        let close = chars[i..]
                            .iter()
                            .position(|&c| c == '}')
                            .ok_or("named capturing group is missing trailing '}'")?;
                        let name: String = chars[i + 1..i + close].iter().collect();
                        if name.is_empty() {
                            return Err("named capturing group has 0 length name".into());
                        }
                        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                            return Err("capturing group name {".to_string()
                                + &name
                                + "} starts with digit character");
                        }
                        if !self.first.capture_names().any(|n| n == Some(name.as_str())) {
                            return Err(format!("No group with name {{{name}}}"));
                        }
                        if let Some(m) = caps.name(&name) {
                            out.push_str(m.as_str());
                        }
                        i += close + 1;
                    } else if let Some(d) = c.to_digit(10) {
                        // Java takes further digits while the group number stays valid.
                        let mut group = d as usize;
                        if group > groups {
                            return Err(format!("No group {group}"));
                        }
                        i += 1;
                        while let Some(next) = chars.get(i).and_then(|c| c.to_digit(10)) {
                            let longer = group * 10 + next as usize;
                            if longer > groups {
                                break;
                            }
                            group = longer;
                            i += 1;
                        }
                        if let Some(m) = caps.get(group) {
                            out.push_str(m.as_str());
                        }
                    } else {
                        return Err("Illegal group reference".into());
                    }
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_is_a_whole_string_match() {
        let p = JavaPattern::compile("orders").unwrap();
        assert!(p.matches("orders"));
        assert!(!p.matches("orders-dlq"));
        let p = JavaPattern::compile("orders|payments").unwrap();
        assert!(!p.matches("x-payments-y"));
        assert!(p.matches("payments"));
    }

    #[test]
    fn replace_first_follows_java_replacement_syntax() {
        let p = JavaPattern::compile("(.*)-(\\d+)").unwrap();
        assert_eq!(p.replace_first("logs-2024", "$2_$1").unwrap(), "2024_logs");
        assert_eq!(p.replace_first("logs-2024", "\\$1").unwrap(), "$1");
        assert_eq!(p.replace_first("logs-2024", "$10").unwrap(), "logs0");
        assert_eq!(
            p.replace_first("logs-2024", "$3").unwrap_err(),
            "No group 3"
        );
        let named = JavaPattern::compile("(?P<name>[a-z]+)-x").unwrap();
        assert_eq!(named.replace_first("abc-x", "${name}!").unwrap(), "abc!");
        assert!(named.replace_first("abc-x", "$").is_err());
        // replaceFirst finds the first match, which may be shorter than the whole-string match.
        let alt = JavaPattern::compile("a|ab").unwrap();
        assert!(alt.matches("ab"));
        assert_eq!(alt.replace_first("ab", "X").unwrap(), "Xb");
    }

    #[test]
    fn unsupported_java_syntax_is_refused_with_the_reason() {
        let e = JavaPattern::for_config("foo(?=bar)").unwrap_err();
        assert!(e.starts_with("Invalid regex: "), "{e}");
        assert!(e.contains("look-around"), "{e}");
    }
}
