//! `response.http.headers.config`: headers added to every REST response, in Kafka Connect's
//! format (Jetty's `HeaderFilter` rules): a comma-separated list (Jetty's `csvSplit`, so an entry
//! may be quoted) of `[action] [header name]:[header value]`, the action one of `set`, `add`,
//! `setDate`, `addDate` (any case). The date actions take a number of milliseconds and write the
//! HTTP date that far from the time of the response. Validation follows Kafka's
//! `RestServerConfig.validateHttpResponseHeaderConfig`, messages included.

/// What a rule does to the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderAction {
    /// Replaces the header (Jetty `setHeader`).
    Set,
    /// Adds a value (Jetty `addHeader`).
    Add,
    /// Replaces it with the HTTP date `value` ms from now.
    SetDate,
    /// Adds the HTTP date `value` ms from now.
    AddDate,
}

/// One header rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRule {
    /// What it does.
    pub action: HeaderAction,
    /// The header name.
    pub name: String,
    /// The value (for the date actions, milliseconds from now).
    pub value: String,
}

const ACTIONS: [(&str, HeaderAction); 4] = [
    ("set", HeaderAction::Set),
    ("add", HeaderAction::Add),
    ("setDate", HeaderAction::SetDate),
    ("addDate", HeaderAction::AddDate),
];

/// The rules of a `response.http.headers.config` value (empty or blank: none), or Kafka's
/// message for the first entry that is wrong.
pub fn parse(config: &str) -> Result<Vec<HeaderRule>, String> {
    if config.trim().is_empty() {
        return Ok(Vec::new());
    }
    csv_split(config).iter().map(|entry| rule(entry)).collect()
}

fn rule(config: &str) -> Result<HeaderRule, String> {
    let trimmed = config.trim();
    let Some((action, header)) = trimmed.split_once(char::is_whitespace) else {
        return Err(format!(
            "Invalid format of header config '{config}'. Expected: '[action] [header name]:[header value]'"
        ));
    };
    let Some((_, action)) = ACTIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(action.trim()))
    else {
        let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "Invalid header config action: '{}'. Expected one of [{}]",
            action.trim(),
            names.join(", ")
        ));
    };
    // Java splits on every ':' and wants exactly two parts (a value holding ':' is refused).
    let parts: Vec<&str> = header.trim().split(':').collect();
    let [name, value] = parts[..] else {
        return Err(format!(
            "Invalid format of header name and header value pair '{header}'. Expected: '[header name]:[header value]'"
        ));
    };
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(format!(
            "Invalid header name '{name}'. The '[header name]' cannot contain whitespace"
        ));
    }
    let value = value.trim().to_string();
    if matches!(action, HeaderAction::SetDate | HeaderAction::AddDate)
        && value.parse::<i64>().is_err()
    {
        return Err(format!(
            "Invalid date header value '{value}' in '{config}': the date actions take a number of milliseconds"
        ));
    }
    Ok(HeaderRule {
        action: *action,
        name: name.to_string(),
        value,
    })
}

/// Jetty's `StringUtil.csvSplit`: comma-separated, each part trimmed, a part in double quotes
/// taken as written inside them (with `\` escaping the next character), empty parts dropped.
fn csv_split(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' if !quoted && current.trim().is_empty() => {
                current.clear();
                quoted = true;
                was_quoted = true;
            }
            '"' if quoted => quoted = false,
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' if !quoted => {
                push_part(&mut parts, &mut current, was_quoted);
                was_quoted = false;
            }
            _ => current.push(c),
        }
    }
    push_part(&mut parts, &mut current, was_quoted);
    parts
}

fn push_part(parts: &mut Vec<String>, current: &mut String, quoted: bool) {
    let part = if quoted {
        current.trim_end().to_string()
    } else {
        current.trim().to_string()
    };
    if !part.is_empty() {
        parts.push(part);
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafkas_examples_parse() {
        let rules = parse(
            "add X-XSS-Protection: 1, set X-Frame-Options: DENY,setDate Expires: 31540000000, \
             \"addDate Last-Modified: 0\"",
        )
        .unwrap();
        assert_eq!(
            rules,
            [
                HeaderRule {
                    action: HeaderAction::Add,
                    name: "X-XSS-Protection".into(),
                    value: "1".into()
                },
                HeaderRule {
                    action: HeaderAction::Set,
                    name: "X-Frame-Options".into(),
                    value: "DENY".into()
                },
                HeaderRule {
                    action: HeaderAction::SetDate,
                    name: "Expires".into(),
                    value: "31540000000".into()
                },
                HeaderRule {
                    action: HeaderAction::AddDate,
                    name: "Last-Modified".into(),
                    value: "0".into()
                },
            ]
        );
        assert_eq!(parse("  ").unwrap(), []);
        assert_eq!(parse("SET X-A: b").unwrap()[0].action, HeaderAction::Set);
    }

    #[test]
    fn bad_rules_get_kafkas_messages() {
        assert_eq!(
            parse("set").unwrap_err(),
            "Invalid format of header config 'set'. Expected: '[action] [header name]:[header value]'"
        );
        assert_eq!(
            parse("put X-A: b").unwrap_err(),
            "Invalid header config action: 'put'. Expected one of [set, add, setDate, addDate]"
        );
        assert_eq!(
            parse("set X-A b").unwrap_err(),
            "Invalid format of header name and header value pair 'X-A b'. Expected: '[header name]:[header value]'"
        );
        assert_eq!(
            parse("set X-A: http://x").unwrap_err(),
            "Invalid format of header name and header value pair 'X-A: http://x'. Expected: '[header name]:[header value]'"
        );
        assert_eq!(
            parse("set X A: b").unwrap_err(),
            "Invalid header name 'X A'. The '[header name]' cannot contain whitespace"
        );
        assert!(
            parse("setDate Expires: soon")
                .unwrap_err()
                .contains("milliseconds")
        );
    }
}
