//! `RestError`: every non-2xx answer of the REST API, rendered as Kafka Connect's error body
//! `{"error_code": <status>, "message": "<text>"}`. The status of each kind is decided in exactly
//! one place ([`RestError::status_and_message`]) so that no handler can invent its own mapping.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::forward::{self, ForwardTo};
use crate::runtime::info::HerderError;

/// Why a REST request failed; each variant carries the `message` of the error body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    /// 400: invalid input (bad config, name mismatch, malformed body, bad offsets).
    #[error("{0}")]
    BadRequest(String),
    /// 403: the operation is disabled by configuration.
    #[error("{0}")]
    Forbidden(String),
    /// 404: unknown connector, task, plugin, logger or path.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method.
    #[error("HTTP 405 Method Not Allowed")]
    MethodNotAllowed,
    /// 409: the connector already exists, or a conflicting operation is under way.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than the server accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: a body that is not `application/json`.
    #[error("HTTP 415 Unsupported Media Type")]
    UnsupportedMediaType,
    /// 500: anything else (storage unreachable, request timed out, a panic in the herder).
    #[error("{0}")]
    Internal(String),
    /// 503: the worker cannot answer now (still starting, no session key read yet).
    #[error("{0}")]
    Unavailable(String),
    /// Another worker must handle the request: the group's leader, or the worker running the
    /// connector or task, at this URL if known. The response carries a [`ForwardTo`] marker so
    /// that [`forward::middleware`] sends the request there; where nothing forwards it, it is
    /// Kafka Connect's 409 for the case.
    #[error("{}", forward::refusal(.0.is_some()))]
    Elsewhere(Option<String>),
}

impl RestError {
    /// Jersey's text for a path no resource matches.
    pub fn unknown_path() -> Self {
        RestError::NotFound("HTTP 404 Not Found".to_owned())
    }

    /// The HTTP status and the error body's `message`: the one mapping of the REST API.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        let status = match self {
            RestError::BadRequest(_) => StatusCode::BAD_REQUEST,
            RestError::Forbidden(_) => StatusCode::FORBIDDEN,
            RestError::NotFound(_) => StatusCode::NOT_FOUND,
            RestError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RestError::Conflict(_) => StatusCode::CONFLICT,
            RestError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            RestError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RestError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            RestError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            RestError::Elsewhere(_) => StatusCode::CONFLICT,
        };
        (status, self.to_string())
    }
}

impl From<HerderError> for RestError {
    fn from(e: HerderError) -> Self {
        match e {
            HerderError::NotFound(m) => RestError::NotFound(m),
            HerderError::AlreadyExists(m) | HerderError::Conflict(m) => RestError::Conflict(m),
            HerderError::BadRequest(m) => RestError::BadRequest(m),
            HerderError::Forbidden(m) => RestError::Forbidden(m),
            HerderError::Internal(m) => RestError::Internal(m),
            HerderError::Unavailable(m) => RestError::Unavailable(m),
            HerderError::NotLeader { leader_url: url }
            | HerderError::NotOwner { owner_url: url } => RestError::Elsewhere(url),
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let (status, message) = self.status_and_message();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "REST request failed: {message}");
        }
        let body = json!({ "error_code": status.as_u16(), "message": message });
        let mut response = (status, Json(body)).into_response();
        if let RestError::Elsewhere(url) = self {
            response.extensions_mut().insert(ForwardTo(url));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn render(e: RestError) -> (u16, serde_json::Value) {
        let response = e.into_response();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn every_herder_error_maps_to_its_status_with_the_kafka_body() {
        let cases = [
            (HerderError::NotFound("Connector a not found".into()), 404),
            (
                HerderError::AlreadyExists("Connector a already exists".into()),
                409,
            ),
            (HerderError::BadRequest("bad".into()), 400),
            (HerderError::Conflict("rebalance".into()), 409),
            (
                HerderError::Forbidden("Topic tracking is disabled.".into()),
                403,
            ),
            (HerderError::Internal("Request timed out.".into()), 500),
            (HerderError::Unavailable("starting".into()), 503),
        ];
        for (e, code) in cases {
            let text = e.to_string();
            let (status, body) = render(e.into()).await;
            assert_eq!(status, code);
            assert_eq!(body, json!({"error_code": code, "message": text}));
        }
    }

    #[tokio::test]
    async fn another_workers_requests_carry_the_forward_marker_and_java_409_texts() {
        let cases = [
            (
                HerderError::NotLeader {
                    leader_url: Some("http://l:8083/".into()),
                },
                Some("http://l:8083/"),
                forward::CONFLICTING_OPERATION,
            ),
            (
                HerderError::NotOwner { owner_url: None },
                None,
                forward::NO_KNOWN_LEADER,
            ),
        ];
        for (e, url, text) in cases {
            let response = RestError::from(e).into_response();
            let marker = response.extensions().get::<ForwardTo>().cloned();
            assert_eq!(marker, Some(ForwardTo(url.map(str::to_owned))));
            assert_eq!(response.status(), StatusCode::CONFLICT);
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(body, json!({"error_code": 409, "message": text}));
        }
        let plain = RestError::Conflict("x".into()).into_response();
        assert!(plain.extensions().get::<ForwardTo>().is_none());
    }

    #[tokio::test]
    async fn framework_errors_keep_jersey_texts_and_error_code_comes_first() {
        let response = RestError::unknown_path().into_response();
        assert_eq!(response.headers()["content-type"], "application/json");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            &bytes[..],
            br#"{"error_code":404,"message":"HTTP 404 Not Found"}"#
        );
        assert_eq!(
            render(RestError::MethodNotAllowed).await,
            (
                405,
                json!({"error_code": 405, "message": "HTTP 405 Method Not Allowed"})
            )
        );
        assert_eq!(
            render(RestError::UnsupportedMediaType).await,
            (
                415,
                json!({"error_code": 415, "message": "HTTP 415 Unsupported Media Type"})
            )
        );
    }
}
