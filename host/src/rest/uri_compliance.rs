//! Request paths Kafka Connect's Jetty refuses before any resource sees them (its default
//! `UriCompliance`): an encoded `/` (`%2F`), an encoded `%` (`%25`), an empty segment (`//`),
//! an encoded `.`/`..` segment, and a backslash, each a 400 with Jetty's reason. Without this
//! check `/connectors/a%2Fb` would name a connector `a/b` that no Java worker can reach.

use axum::{extract::Request, middleware::Next, response::IntoResponse, response::Response};

use super::error::RestError;

/// Jetty's reason for refusing `path` (the raw, still-encoded path), if it does.
pub fn violation(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f") {
        return Some("Ambiguous URI path separator");
    }
    if lower.contains("%25") {
        return Some("Ambiguous URI path encoding");
    }
    if lower.contains("%5c") || path.contains('\\') {
        return Some("Suspicious Path Character");
    }
    let segments: Vec<&str> = lower.split('/').skip(1).collect();
    // A trailing slash is one empty last segment, which Jetty accepts.
    if segments
        .split_last()
        .is_some_and(|(_, inner)| inner.iter().any(|s| s.is_empty()))
    {
        return Some("Ambiguous URI empty segment");
    }
    let decoded_dots = |s: &&str| {
        s.contains("%2e") && {
            let d = s.replace("%2e", ".");
            d == "." || d == ".."
        }
    };
    if segments.iter().any(decoded_dots) {
        return Some("Ambiguous URI path segment");
    }
    None
}

/// Refuses a request whose path Jetty would refuse.
pub async fn check(request: Request, next: Next) -> Response {
    match violation(request.uri().path()) {
        Some(reason) => RestError::BadRequest(reason.to_owned()).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::violation;

    #[test]
    fn jettys_ambiguous_paths_are_refused_and_ordinary_ones_pass() {
        for (path, reason) in [
            ("/connectors/a%2Fb", "Ambiguous URI path separator"),
            ("/connectors/a%2fb/status", "Ambiguous URI path separator"),
            ("/connectors/a%25b", "Ambiguous URI path encoding"),
            ("/connectors/a%5Cb", "Suspicious Path Character"),
            ("/connectors//x", "Ambiguous URI empty segment"),
            ("/connectors/%2E%2E", "Ambiguous URI path segment"),
        ] {
            assert_eq!(violation(path), Some(reason), "{path}");
        }
        for path in [
            "/",
            "/connectors",
            "/connectors/",
            "/connectors/a%20b/status",
            "/connectors/a.b",
            "/connectors/a%2Eb",
        ] {
            assert_eq!(violation(path), None, "{path}");
        }
    }
}
