//! `/connectors/{c}/tasks`: task configurations, one task's status, and a task restart.
//! A task id that is not a non-negative integer matches no resource (404), as in Jersey.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use super::{RestState, call, error::RestError, params::ConnectPath};
use crate::runtime::{info::TaskInfo, status::TaskStateEntry};

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new()
        .route("/connectors/{connector}/tasks", get(list))
        .route("/connectors/{connector}/tasks/{task}/status", get(status))
        .route(
            "/connectors/{connector}/tasks/{task}/restart",
            post(restart),
        )
}

async fn list(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<Vec<TaskInfo>>, RestError> {
    call::herder(&state, move |h| h.task_infos(&name))
        .await
        .map(Json)
}

async fn status(
    State(state): State<RestState>,
    ConnectPath((name, task)): ConnectPath<(String, u32)>,
) -> Result<Json<TaskStateEntry>, RestError> {
    call::herder(&state, move |h| h.task_status(&name, task))
        .await
        .map(Json)
}

async fn restart(
    State(state): State<RestState>,
    ConnectPath((name, task)): ConnectPath<(String, u32)>,
) -> Result<StatusCode, RestError> {
    call::herder(&state, move |h| h.restart_task(&name, task)).await?;
    Ok(StatusCode::NO_CONTENT)
}
