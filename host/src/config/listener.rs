//! REST listener URLs (`listeners`, `admin.listeners`): `http://host:port` / `https://host:port`,
//! parsed like Kafka's `RestServer` does (scheme case-insensitive; empty host = all
//! interfaces; IPv6 hosts in brackets; port 0 = any free port).

use std::fmt;

/// The protocol of a REST listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS (`listeners.https.ssl.*` or `ssl.*` settings).
    Https,
}

impl Scheme {
    /// Parse `http`/`https` in any case.
    pub fn parse(raw: &str) -> Option<Scheme> {
        if raw.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else if raw.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }

    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// One address the REST server listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// HTTP or HTTPS.
    pub scheme: Scheme,
    /// Host name or IP to bind (without IPv6 brackets); empty means all interfaces.
    pub host: String,
    /// TCP port; 0 picks a free port.
    pub port: u16,
}

impl Listener {
    /// Parse `scheme://host:port`. The error text says what is wrong and shows a valid example.
    pub fn parse(raw: &str) -> Result<Listener, String> {
        let raw = raw.trim();
        let example = "(expected e.g. http://:8083 or https://0.0.0.0:8443)";
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| format!("is not a listener URL {example}"))?;
        let scheme = Scheme::parse(scheme).ok_or_else(|| {
            format!("uses unsupported protocol `{scheme}`; only http and https are supported")
        })?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (host, after) = inner
                .split_once(']')
                .ok_or_else(|| format!("has an unclosed `[` {example}"))?;
            let port = after
                .strip_prefix(':')
                .ok_or_else(|| format!("has no port {example}"))?;
            (host, port)
        } else {
            rest.rsplit_once(':')
                .ok_or_else(|| format!("has no port {example}"))?
        };
        let port = port
            .parse::<u16>()
            .map_err(|_| format!("has an invalid port `{port}` {example}"))?;
        Ok(Listener {
            scheme,
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(
                f,
                "{}://[{}]:{}",
                self.scheme.as_str(),
                self.host,
                self.port
            )
        } else {
            write!(f, "{}://{}:{}", self.scheme.as_str(), self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kafka_listener_forms() {
        let l = Listener::parse("http://:8083").unwrap();
        assert_eq!(
            (l.scheme, l.host.as_str(), l.port),
            (Scheme::Http, "", 8083)
        );
        let l = Listener::parse("HTTPS://myhost:8443").unwrap();
        assert_eq!(
            (l.scheme, l.host.as_str(), l.port),
            (Scheme::Https, "myhost", 8443)
        );
        let l = Listener::parse("http://[::1]:0").unwrap();
        assert_eq!((l.host.as_str(), l.port), ("::1", 0));
        assert_eq!(l.to_string(), "http://[::1]:0");
        assert_eq!(
            Listener::parse("http://0.0.0.0:8083/").unwrap().to_string(),
            "http://0.0.0.0:8083"
        );
    }

    #[test]
    fn rejects_bad_listeners_with_a_reason() {
        assert!(
            Listener::parse("localhost:8083")
                .unwrap_err()
                .contains("is not a listener URL")
        );
        assert!(
            Listener::parse("ftp://h:1")
                .unwrap_err()
                .contains("unsupported protocol `ftp`")
        );
        assert!(
            Listener::parse("http://h")
                .unwrap_err()
                .contains("has no port")
        );
        assert!(
            Listener::parse("http://h:99999")
                .unwrap_err()
                .contains("invalid port `99999`")
        );
    }
}
