//! JAAS login configuration files, as Java's `ConfigFile` reads them, and where a Kafka Connect
//! user names one: `-Djava.security.auth.login.config=<file>` in `KAFKA_OPTS` (what the
//! cp-kafka-connect images and Kafka's scripts pass to the JVM).
//!
//! ```text
//! KafkaConnect {
//!     org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
//!     file="/etc/kafka/connect.password";
//! };
//! ```
//!
//! An entry has a name and login modules, each a class, a flag (`required`, `requisite`,
//! `sufficient`, `optional`) and `name=value` options (values quoted or bare), ending with `;`.
//! `//` and `/* */` comments are skipped.

use std::collections::BTreeMap;

/// The system property that names the JAAS file.
pub const LOGIN_CONFIG_PROPERTY: &str = "java.security.auth.login.config";

/// One login module line of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginModule {
    /// Its class name.
    pub class: String,
    /// `required`, `requisite`, `sufficient` or `optional` (lower case).
    pub flag: String,
    /// Its options.
    pub options: BTreeMap<String, String>,
}

/// One named entry (`KafkaConnect { … };`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name (an application name such as `KafkaConnect`).
    pub name: String,
    /// Its login modules, in order.
    pub modules: Vec<LoginModule>,
}

/// The value of `-D<property>=…` in a JVM option string such as `KAFKA_OPTS` (the last one
/// wins, as on a Java command line; quotes around a word are removed; Java's `==` form, which
/// replaces rather than adds files, gives the same single file).
pub fn system_property(opts: &str, property: &str) -> Option<String> {
    let flag = format!("-D{property}=");
    words(opts)
        .into_iter()
        .filter_map(|w| {
            w.strip_prefix(&flag)
                .map(|v| v.trim_start_matches('=').to_owned())
        })
        .rfind(|v| !v.is_empty())
}

/// Shell-like words: whitespace separates, single or double quotes group.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Punct(char),
}

fn tokens(text: &str) -> Result<Vec<(Token, usize)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                    }
                    if last == '*' && c == '/' {
                        closed = true;
                        break;
                    }
                    last = c;
                }
                if !closed {
                    return Err(format!("line {line}: a /* comment is not closed"));
                }
            }
            '"' => {
                let start = line;
                let mut s = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => s.extend(chars.next()),
                        '\n' => {
                            line += 1;
                            s.push(c);
                        }
                        c => s.push(c),
                    }
                }
                if !closed {
                    return Err(format!("line {start}: a quoted value is not closed"));
                }
                out.push((Token::Quoted(s), start));
            }
            '{' | '}' | ';' | '=' => out.push((Token::Punct(c), line)),
            c => {
                let mut w = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, '{' | '}' | ';' | '=' | '"') {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                out.push((Token::Word(w), line));
            }
        }
    }
    Ok(out)
}

/// Parses a JAAS file's text. The error names the line and what was expected there.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let toks = tokens(text)?;
    let mut it = toks.into_iter().peekable();
    let mut entries = Vec::new();
    let last_line = text.lines().count().max(1);
    let expect = |what: &str, got: Option<(Token, usize)>| -> String {
        match got {
            Some((t, line)) => format!("line {line}: expected {what}, found {}", show(&t)),
            None => format!("line {last_line}: expected {what}, found the end of the file"),
        }
    };
    while let Some(tok) = it.next() {
        let name = match tok {
            (Token::Word(w), _) => w,
            other => return Err(expect("an entry name (e.g. KafkaConnect)", Some(other))),
        };
        match it.next() {
            Some((Token::Punct('{'), _)) => {}
            other => return Err(expect("`{` after the entry name", other)),
        }
        let mut modules = Vec::new();
        loop {
            let class = match it.next() {
                Some((Token::Punct('}'), _)) => break,
                Some((Token::Word(w), _)) => w,
                other => return Err(expect("a login module class or `}`", other)),
            };
            let flag = match it.next() {
                Some((Token::Word(w), line)) => {
                    let f = w.to_ascii_lowercase();
                    if !matches!(
                        f.as_str(),
                        "required" | "requisite" | "sufficient" | "optional"
                    ) {
                        return Err(format!(
                            "line {line}: `{w}` is not a login module flag (expected required, requisite, sufficient or optional)"
                        ));
                    }
                    f
                }
                other => return Err(expect("the login module's flag (e.g. required)", other)),
            };
            let mut options = BTreeMap::new();
            loop {
                let key = match it.next() {
                    Some((Token::Punct(';'), _)) => break,
                    Some((Token::Word(w), _)) => w,
                    other => return Err(expect("an option name=value or `;`", other)),
                };
                match it.next() {
                    Some((Token::Punct('='), _)) => {}
                    other => return Err(expect(&format!("`=` after option {key}"), other)),
                }
                let value = match it.next() {
                    Some((Token::Quoted(v) | Token::Word(v), _)) => v,
                    other => return Err(expect(&format!("a value for option {key}"), other)),
                };
                options.insert(key, value);
            }
            modules.push(LoginModule {
                class,
                flag,
                options,
            });
        }
        match it.next() {
            Some((Token::Punct(';'), _)) => {}
            other => {
                return Err(expect(
                    &format!("`;` after the `}}` of entry {name}"),
                    other,
                ));
            }
        }
        entries.push(Entry { name, modules });
    }
    Ok(entries)
}

fn show(t: &Token) -> String {
    match t {
        Token::Word(w) => format!("`{w}`"),
        Token::Quoted(q) => format!("\"{q}\""),
        Token::Punct(c) => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_config_file_of_kafka_opts() {
        let opts = r#"-Xmx1g -Djava.security.auth.login.config=/etc/kafka/a.conf -Dfoo=bar"#;
        assert_eq!(
            system_property(opts, LOGIN_CONFIG_PROPERTY).as_deref(),
            Some("/etc/kafka/a.conf")
        );
        let quoted = r#"-Djava.security.auth.login.config="/dir with space/j.conf" -Djava.security.auth.login.config==/b.conf"#;
        assert_eq!(
            system_property(quoted, LOGIN_CONFIG_PROPERTY).as_deref(),
            Some("/b.conf")
        );
        assert_eq!(
            system_property(
                "'-Djava.security.auth.login.config=/dir with space/j.conf'",
                LOGIN_CONFIG_PROPERTY
            )
            .as_deref(),
            Some("/dir with space/j.conf")
        );
        assert_eq!(system_property("-Xmx1g", LOGIN_CONFIG_PROPERTY), None);
    }

    #[test]
    fn entries_modules_flags_options_and_comments() {
        let text = r#"
// the REST API's users
KafkaConnect {
    org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule Required
    file="/etc/kafka/connect.password" /* inline */ debug=true;
};
KafkaClient { org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p\"q"; };
"#;
        let entries = parse(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "KafkaConnect");
        let m = &entries[0].modules[0];
        assert_eq!(m.flag, "required");
        assert_eq!(m.options["file"], "/etc/kafka/connect.password");
        assert_eq!(m.options["debug"], "true");
        assert_eq!(entries[1].modules[0].options["password"], "p\"q");
    }

    #[test]
    fn mistakes_name_the_line_and_what_was_expected() {
        let missing_semicolon = "KafkaConnect {\n  a.B required file=\"x\"\n};";
        let e = parse(missing_semicolon).unwrap_err();
        assert!(
            e.contains("line 3: expected an option name=value or `;`"),
            "{e}"
        );
        let bad_flag = "KafkaConnect {\n a.B mandatory;\n};";
        let e = parse(bad_flag).unwrap_err();
        assert!(
            e.contains("line 2: `mandatory` is not a login module flag"),
            "{e}"
        );
        let e = parse("KafkaConnect {\n a.B required;\n}").unwrap_err();
        assert!(
            e.contains("expected `;` after the `}` of entry KafkaConnect"),
            "{e}"
        );
        assert!(parse("X { a.B required file=\"x; };").is_err());
    }
}
