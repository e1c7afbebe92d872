//! `access.control.allow.origin` and `access.control.allow.methods`: cross-origin requests to the
//! REST API, as Kafka Connect configures Jetty's `CrossOriginHandler`: the origins are a
//! comma-separated list of patterns (`*` for any origin, else a regular expression the whole
//! `Origin` header must match, ignoring case), the methods a comma-separated list (empty: Jetty's default,
//! `POST,GET,HEAD`). An empty origin list turns cross-origin support off.

use regex::Regex;

/// Jetty's allowed methods when `access.control.allow.methods` is empty.
pub const DEFAULT_METHODS: &[&str] = &["POST", "GET", "HEAD"];

/// One allowed origin.
#[derive(Debug, Clone)]
pub enum OriginPattern {
    /// `*`: any origin.
    Any,
    /// A pattern the whole origin must match.
    Pattern(Regex),
}

impl PartialEq for OriginPattern {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Any, Self::Any) => true,
            (Self::Pattern(a), Self::Pattern(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Eq for OriginPattern {}

/// Cross-origin settings, when enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsConfig {
    /// The allowed origins.
    pub origins: Vec<OriginPattern>,
    /// The methods a preflight answer allows, as configured.
    pub methods: Vec<String>,
}

impl CorsConfig {
    /// The settings of `origins` and `methods` (the raw values); `Ok(None)` when `origins` is
    /// blank; `Err` names the pattern that does not compile.
    pub fn parse(origins: &str, methods: &str) -> Result<Option<CorsConfig>, String> {
        if origins.trim().is_empty() {
            return Ok(None);
        }
        let origins = origins
            .split(',')
            .map(|p| {
                if p == "*" {
                    return Ok(OriginPattern::Any);
                }
                Regex::new(&format!("(?i)^(?:{p})$"))
                    .map(OriginPattern::Pattern)
                    .map_err(|e| {
                        format!(
                            "has the origin pattern `{p}`, which is not a regular expression: {e}"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let methods = if methods.trim().is_empty() {
            DEFAULT_METHODS.iter().map(|m| (*m).to_string()).collect()
        } else {
            methods.split(',').map(str::to_string).collect()
        };
        Ok(Some(CorsConfig { origins, methods }))
    }

    /// Whether a request from `origin` may be answered cross-origin.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|p| match p {
            OriginPattern::Any => true,
            OriginPattern::Pattern(r) => r.is_match(origin),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_any_or_whole_patterns() {
        let c = CorsConfig::parse(
            "http://good.example,https://.*\\.other\\.example",
            "GET,PUT",
        )
        .unwrap()
        .unwrap();
        assert!(c.allows("http://good.example"));
        assert!(c.allows("https://a.other.example"));
        assert!(!c.allows("http://good.example.evil"));
        assert!(!c.allows("http://evil.example"));
        assert!(
            c.allows("HTTP://GOOD.EXAMPLE"),
            "Jetty matches ignoring case"
        );
        assert_eq!(c.methods, ["GET", "PUT"]);
        let any = CorsConfig::parse("*", "").unwrap().unwrap();
        assert!(any.allows("http://whatever"));
        assert_eq!(any.methods, ["POST", "GET", "HEAD"]);
        assert_eq!(CorsConfig::parse(" ", "GET").unwrap(), None);
        assert!(
            CorsConfig::parse("http://(", "")
                .unwrap_err()
                .contains("http://(")
        );
    }
}
