//! Forwarding a request to the worker that must handle it (Java's
//! `HerderRequestHandler.completeOrForwardRequest`): the group's leader for writes, or the worker
//! running a connector or task for plain restarts.
//!
//! Handlers do not know about it. A herder call that answers `NotLeader`/`NotOwner` becomes
//! [`RestError::Elsewhere`], whose response carries a [`ForwardTo`] marker; [`middleware`], on
//! every route, has kept the request's bytes and re-sends the original request there (method,
//! path, query and body unchanged) with Kafka Connect's `forward` rule, then relays the other
//! worker's status and body as they are.
//!
//! The `forward` query parameter bounds the hops, as in Java: absent (a user's request) →
//! forwarded with `forward=true`; `true` (forwarded once) → may be forwarded once more with
//! `forward=false`; `false` and still not the right worker → 409 [`CONFLICTING_OPERATION`].
//! With no known URL (a rebalance is under way) → 409 [`NO_KNOWN_LEADER`].
//!
//! Only `Authorization` and `Content-Type` are copied (Java copies `Authorization` and sets the
//! JSON content type), plus the two KIP-507 signature headers: they sign the body bytes, which
//! are sent unchanged, so an internal request stays verifiable on the leader (Java re-serializes
//! the body and drops them, so its forwarded internal requests fail there).

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Request, State},
    http::{
        HeaderMap, HeaderValue, Method, StatusCode, Uri,
        header::{AUTHORIZATION, CONTENT_TYPE, LOCATION},
    },
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    call::REQUEST_TIMEOUT,
    error::RestError,
    json::RawBody,
    params::{query_bool, query_pairs},
};
use crate::cluster::{
    internal_client::{error_chain, http_client},
    signing::{SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER},
};
use crate::config::rest_tls::TlsSettings;

/// Java's 409 when no worker knows the leader (or owner) right now.
pub const NO_KNOWN_LEADER: &str = "Cannot complete request momentarily due to no known leader URL, \
                                   likely because a rebalance was underway.";
/// Java's 409 when a request forwarded twice still did not reach the right worker.
pub const CONFLICTING_OPERATION: &str =
    "Cannot complete request because of a conflicting operation (e.g. worker rebalance)";

/// The 409 text of a request that must go elsewhere but is not forwarded: `known_url` says
/// whether the herder named the worker to send it to.
pub fn refusal(known_url: bool) -> &'static str {
    if known_url {
        CONFLICTING_OPERATION
    } else {
        NO_KNOWN_LEADER
    }
}

/// Response marker: the request must be sent to the worker at this REST URL (`None`: unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardTo(pub Option<String>);

/// Sends requests on to other workers; one HTTP client for the whole REST server.
#[derive(Clone)]
pub struct Forwarder {
    client: reqwest::Client,
}

impl Forwarder {
    /// A forwarder whose requests time out after Kafka Connect's REST request timeout (90 s),
    /// with the REST TLS settings `tls` for `https://` workers.
    pub fn new(tls: &TlsSettings) -> Self {
        let client = http_client(REQUEST_TIMEOUT, tls).unwrap_or_else(|e| {
            tracing::error!("{e}; forwarded requests use a client with default settings");
            reqwest::Client::new()
        });
        Forwarder { client }
    }

    /// Sends `original` to `target` by the `forward` rule and relays the answer.
    async fn forward(
        &self,
        original: Original,
        target: Option<String>,
    ) -> Result<Response, RestError> {
        let pairs = query_pairs(&original.uri);
        let already_forwarded = pairs.iter().any(|(k, _)| k == "forward");
        let may_forward = !already_forwarded || query_bool(&pairs, "forward", false);
        if !may_forward {
            tracing::error!(
                method = %original.method,
                path = original.uri.path(),
                "the request could not reach the right worker within two hops; a rebalance is \
                 probably under way"
            );
            return Err(RestError::Conflict(CONFLICTING_OPERATION.to_owned()));
        }
        let Some(base) = target else {
            return Err(RestError::Conflict(NO_KNOWN_LEADER.to_owned()));
        };
        let url = target_url(&base, &original.uri, !already_forwarded);
        tracing::debug!(method = %original.method, %url, "forwarding request");
        let sent = self
            .client
            .request(original.method, &url)
            .headers(original.headers)
            .body(original.body)
            .send()
            .await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(e) => return Err(io_error(&e)),
        };
        let status = answer.status();
        let mut headers = HeaderMap::new();
        if let Some(content_type) = answer.headers().get(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        if let Some(location) = answer.headers().get(LOCATION).and_then(path_only) {
            headers.insert(LOCATION, location);
        }
        let body = answer.bytes().await.map_err(|e| io_error(&e))?;
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = StatusCode::from_u16(status.as_u16())
            .map_err(|e| RestError::Internal(format!("the other worker answered {status}: {e}")))?;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

/// What is kept of a request to send it again.
struct Original {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// Runs the request's handler and, if it answers [`ForwardTo`], forwards the request instead
/// (see the module documentation). The body is buffered with the server's size limit.
pub async fn middleware(
    State(forwarder): State<Forwarder>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match RawBody::from_request(Request::new(body), &()).await {
        Ok(RawBody(bytes)) => bytes,
        Err(e) => return e.into_response(),
    };
    let original = Original {
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        headers: forwarded_headers(&parts.headers),
        body: body.clone(),
    };
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    match response.extensions().get::<ForwardTo>() {
        None => response,
        Some(ForwardTo(target)) => {
            let target = target.clone();
            match forwarder.forward(original, target).await {
                Ok(relayed) => relayed,
                Err(e) => e.into_response(),
            }
        }
    }
}

/// Java's 500 for a forwarded request that got no answer.
fn io_error(e: &reqwest::Error) -> RestError {
    RestError::Internal(format!(
        "IO Error trying to forward REST request: {}",
        error_chain(e)
    ))
}

/// The headers a forwarded request keeps.
fn forwarded_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in [
        AUTHORIZATION.as_str(),
        CONTENT_TYPE.as_str(),
        SIGNATURE_HEADER,
        SIGNATURE_ALGORITHM_HEADER,
    ] {
        for value in headers.get_all(name) {
            if let Ok(name) = axum::http::HeaderName::from_bytes(name.as_bytes()) {
                kept.append(name, value.clone());
            }
        }
    }
    kept
}

/// `base` (a worker's advertised URL, ending with `/`) + the request's path + its query with
/// `forward` set: `true` for a first hop, `false` for the second. The other parameters are kept
/// as sent (not re-encoded).
fn target_url(base: &str, uri: &Uri, first_hop: bool) -> String {
    let mut query = vec![format!("forward={first_hop}")];
    if let Some(raw) = uri.query() {
        query.extend(
            raw.split('&')
                .filter(|pair| !pair.is_empty())
                .filter(|pair| pair.split('=').next() != Some("forward"))
                .map(str::to_owned),
        );
    }
    format!(
        "{}{}?{}",
        base.trim_end_matches('/'),
        uri.path(),
        query.join("&")
    )
}

/// A `Location` as a path on this worker: a Java leader answers an absolute URL naming itself,
/// while the client asked this worker (Java's forwarding worker builds its own `Location` too).
fn path_only(location: &HeaderValue) -> Option<HeaderValue> {
    let uri: Uri = location.to_str().ok()?.parse().ok()?;
    let path = uri.path_and_query()?.as_str();
    HeaderValue::from_str(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_keeps_path_and_query_and_sets_forward() {
        let uri: Uri = "/connectors/a%20b/restart?includeTasks=true&onlyFailed=x%26y"
            .parse()
            .unwrap();
        assert_eq!(
            target_url("http://l:8083/", &uri, true),
            "http://l:8083/connectors/a%20b/restart?forward=true&includeTasks=true&onlyFailed=x%26y"
        );
        let again: Uri = "/connectors?forward=true".parse().unwrap();
        assert_eq!(
            target_url("http://l:8083/", &again, false),
            "http://l:8083/connectors?forward=false"
        );
        let plain: Uri = "/connectors/a".parse().unwrap();
        assert_eq!(
            target_url("http://l:8083/api/", &plain, true),
            "http://l:8083/api/connectors/a?forward=true"
        );
    }

    #[test]
    fn only_authorization_content_type_and_signatures_are_kept() {
        let mut headers = HeaderMap::new();
        for (k, v) in [
            ("authorization", "Basic dTpw"),
            ("content-type", "application/json"),
            ("x-connect-authorization", "c2ln"),
            ("x-connect-request-signature-algorithm", "HmacSHA256"),
            ("cookie", "a=b"),
            ("x-forwarded-for", "1.2.3.4"),
            ("host", "follower:8083"),
        ] {
            headers.insert(
                axum::http::HeaderName::from_static(k),
                HeaderValue::from_static(v),
            );
        }
        let kept = forwarded_headers(&headers);
        let mut names: Vec<&str> = kept.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "authorization",
                "content-type",
                "x-connect-authorization",
                "x-connect-request-signature-algorithm"
            ]
        );
    }

    #[test]
    fn locations_become_paths_on_this_worker() {
        let absolute = HeaderValue::from_static("http://leader:8083/connectors/a%20b");
        assert_eq!(path_only(&absolute).unwrap(), "/connectors/a%20b");
        let relative = HeaderValue::from_static("/connectors/a");
        assert_eq!(path_only(&relative).unwrap(), "/connectors/a");
    }
}
