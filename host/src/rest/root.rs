//! `GET /` (ServerInfo) and `GET /health` (WorkerStatus).

use std::time::Duration;

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde_json::{Value, json};

use super::{RestState, call, error::RestError};
use crate::runtime::info::ServerInfo;

/// Kafka Connect's health check timeout (`RestRequestTimeout.healthCheckTimeoutMs`).
const HEALTH_TIMEOUT: Duration = Duration::from_secs(10);

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new()
        .route("/", get(server_info))
        .route("/health", get(health))
}

async fn server_info(State(state): State<RestState>) -> Result<Json<ServerInfo>, RestError> {
    call::herder_infallible(&state, |h| h.server_info())
        .await
        .map(Json)
}

/// The status word follows from the code the Herder chose: 200 healthy, 503 starting, anything
/// else unhealthy. A Herder that does not answer within the health timeout is itself the
/// symptom, so it is reported as an unhealthy worker (500) rather than as a failed request.
async fn health(State(state): State<RestState>) -> (StatusCode, Json<Value>) {
    let answer = call::herder_within(&state, HEALTH_TIMEOUT, |h| Ok(h.health())).await;
    let (code, message) = answer.unwrap_or_else(|e| {
        let detail = e.status_and_message().1;
        (
            500,
            format!(
                "Worker was unable to handle this request and may be unable to handle other requests ({detail})"
            ),
        )
    });
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let word = match status {
        StatusCode::OK => "healthy",
        StatusCode::SERVICE_UNAVAILABLE => "starting",
        _ => "unhealthy",
    };
    (status, Json(json!({ "status": word, "message": message })))
}
