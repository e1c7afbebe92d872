//! Path and query parameters, read with Jersey's rules so that every failure still answers with
//! Kafka Connect's error body (axum's own rejections are plain text).

use axum::{
    extract::{FromRequestParts, Path, Query},
    http::{Uri, request::Parts},
};
use serde::de::DeserializeOwned;

use super::error::RestError;

/// Path parameters (percent-decoded). A parameter that does not convert (a task id that is not
/// a number, invalid UTF-8) is a 404 `HTTP 404 Not Found`, as Jersey answers for an `Integer`
/// path parameter it cannot parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ConnectPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ConnectPath(v))
            .map_err(|_| RestError::unknown_path())
    }
}

/// Every `key=value` pair of the query string, decoded and in order (keys may repeat, as in
/// `?expand=status&expand=info`). An undecodable query string counts as empty.
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .unwrap_or_default()
}

/// The first value of a query parameter.
pub fn query_param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A boolean query parameter read like Java's `Boolean.valueOf`: `true` in any case is true,
/// any other value is false, and an absent parameter takes `default`.
pub fn query_bool(pairs: &[(String, String)], name: &str, default: bool) -> bool {
    query_param(pairs, name).map_or(default, |v| v.eq_ignore_ascii_case("true"))
}

/// Percent-encodes one path segment for a `Location` header (everything but RFC 3986
/// unreserved characters and the sub-delimiters that are safe inside a segment).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let safe = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte);
        if safe {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_repeat_and_booleans_follow_java() {
        let uri: Uri = "/connectors?expand=status&expand=info&x=%20y"
            .parse()
            .unwrap();
        let pairs = query_pairs(&uri);
        assert_eq!(pairs.len(), 3);
        assert_eq!(query_param(&pairs, "expand"), Some("status"));
        assert_eq!(query_param(&pairs, "x"), Some(" y"));
        let pairs = query_pairs(&"/r?includeTasks=TRUE&onlyFailed=yes".parse().unwrap());
        assert!(query_bool(&pairs, "includeTasks", false));
        assert!(!query_bool(&pairs, "onlyFailed", true));
        assert!(query_bool(&pairs, "connectorsOnly", true));
    }

    #[test]
    fn location_segments_are_percent_encoded() {
        assert_eq!(encode_segment("es-sink_1.v2"), "es-sink_1.v2");
        assert_eq!(encode_segment("a b/c%é"), "a%20b%2Fc%25%C3%A9");
    }
}
