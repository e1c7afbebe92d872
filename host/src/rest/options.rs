//! `OPTIONS` on any API path, answered as Jersey answers it automatically: 200 with the path's
//! methods in `Allow` (comma-separated) and in a `text/plain` body (comma and space), `HEAD`
//! with `GET` and `OPTIONS` itself included, in the order Jersey lists them. An unknown path
//! stays a 404. Browsers send it as the CORS preflight.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};

/// Jersey's order (the iteration order of its method-name hash set).
const JERSEY_ORDER: [&str; 7] = ["HEAD", "DELETE", "POST", "GET", "OPTIONS", "PUT", "PATCH"];

/// Answers `OPTIONS` from the methods the router reports for the path (its 405's `Allow`).
pub async fn answer(request: Request, next: Next) -> Response {
    if request.method() != Method::OPTIONS {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let Some(allowed) = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
    else {
        return response;
    };
    let mut methods: Vec<&str> = allowed
        .split(',')
        .map(str::trim)
        .chain(["OPTIONS"])
        .filter_map(|m| {
            JERSEY_ORDER
                .iter()
                .copied()
                .find(|j| j.eq_ignore_ascii_case(m))
        })
        .collect();
    methods.sort_by_key(|m| JERSEY_ORDER.iter().position(|j| j == m));
    methods.dedup();
    let mut answer = Response::new(Body::from(methods.join(", ")));
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    if let Ok(allow) = HeaderValue::try_from(methods.join(",")) {
        headers.insert(header::ALLOW, allow);
    }
    answer
}
