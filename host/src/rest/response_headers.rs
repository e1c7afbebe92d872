//! `response.http.headers.config` applied to every response, as Kafka Connect's Jetty
//! `HeaderFilter` applies it: the filter runs before the resource, so a header the resource
//! sets itself (e.g. `Content-Type`) keeps the resource's value over a `set` rule, and an `add`
//! rule adds its value to whatever the resource wrote.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::config::response_headers::{HeaderAction, HeaderRule};

/// Runs the request, then applies `rules` to its response (see the module comment for the
/// order). A rule whose name or value is not a valid HTTP header is skipped (config
/// validation keeps such rules out).
pub async fn apply(rules: Arc<Vec<HeaderRule>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for rule in rules.iter() {
        let Ok(name) = HeaderName::try_from(rule.name.as_str()) else {
            continue;
        };
        let value = match rule.action {
            HeaderAction::Set | HeaderAction::Add => HeaderValue::try_from(rule.value.as_str()),
            HeaderAction::SetDate | HeaderAction::AddDate => {
                HeaderValue::try_from(http_date(rule.value.parse().unwrap_or(0)))
            }
        };
        let Ok(value) = value else { continue };
        match rule.action {
            HeaderAction::Set | HeaderAction::SetDate => {
                headers.entry(name).or_insert(value);
            }
            HeaderAction::Add | HeaderAction::AddDate => {
                headers.append(name, value);
            }
        }
    }
    response
}

/// The HTTP date `delta_ms` from now (Jetty's `setDateHeader(name, now + delta)`).
fn http_date(delta_ms: i64) -> String {
    let now = SystemTime::now();
    let at = if delta_ms >= 0 {
        now + Duration::from_millis(delta_ms as u64)
    } else {
        now - Duration::from_millis(delta_ms.unsigned_abs())
    };
    httpdate::fmt_http_date(at)
}
