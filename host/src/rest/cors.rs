//! Cross-origin requests, as Kafka Connect's Jetty `CrossOriginHandler` answers them with the
//! worker's `access.control.allow.origin` / `access.control.allow.methods`: every response says
//! `Vary: Origin`; a request from an allowed origin gets `Access-Control-Allow-Origin` with that
//! origin (credentials are not allowed); a preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) from one also gets the allowed methods, `Content-Type` as
//! the allowed header and a max age of 60 s, and is then answered by the API like any `OPTIONS`
//! (Kafka delivers preflights to the resources). A disallowed origin gets no CORS header.

use std::sync::Arc;

use axum::{
    extract::Request,
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::Response,
};

use crate::config::cors::CorsConfig;

/// Runs the request and adds the CORS headers `cors` calls for.
pub async fn apply(cors: Arc<CorsConfig>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = origin.filter(|o| cors.allows(o)) else {
        return response;
    };
    if let Ok(value) = HeaderValue::try_from(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    if preflight {
        if let Ok(methods) = HeaderValue::try_from(cors.methods.join(",")) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods);
        }
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("60"),
        );
    }
    response
}
