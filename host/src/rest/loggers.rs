//! `/admin/loggers` (KIP-495, KIP-976): read and change log levels at run time. What a "logger"
//! is belongs to the [`LoggerControl`] behind the endpoints (see `tracing_control` for the one
//! the worker uses); this file owns only the HTTP rules.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::{Deserialize, Serialize};

use super::{
    RestState,
    error::RestError,
    json::{ConfigPatch, ConnectJson},
    params::{ConnectPath, query_pairs, query_param},
};

/// One logger's level, as `GET /admin/loggers` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggerLevel {
    /// Upper-case level name (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`, `OFF`).
    pub level: String,
    /// When the level was last set through the API (Unix ms); `null` if never.
    pub last_modified: Option<i64>,
}

/// Reads and sets log levels for the REST API. Level names reach [`LoggerControl::set_level`]
/// already validated and upper-cased (see [`LEVELS`]).
pub trait LoggerControl: Send + Sync {
    /// Every logger with an explicitly set level, plus `root`, by name.
    fn levels(&self) -> BTreeMap<String, LoggerLevel>;
    /// One logger's level; `None` if the logger is unknown.
    fn level(&self, name: &str) -> Option<LoggerLevel>;
    /// Sets `name` (and the loggers below it) to `level`; returns the affected logger names,
    /// sorted. `Err` is a message for a name the control cannot accept (answered with 400).
    fn set_level(&self, name: &str, level: &str) -> Result<Vec<String>, String>;
}

/// The level names Log4j's `Level.toLevel` accepts, which Kafka Connect uses to validate.
pub const LEVELS: [&str; 8] = [
    "OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL",
];

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new()
        .route("/admin/loggers", get(list))
        .route("/admin/loggers/{logger}", get(one).put(set))
}

async fn list(State(state): State<RestState>) -> Json<BTreeMap<String, LoggerLevel>> {
    Json(state.loggers.levels())
}

async fn one(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<LoggerLevel>, RestError> {
    state
        .loggers
        .level(&name)
        .map(Json)
        .ok_or_else(|| RestError::NotFound(format!("Logger {name} not found.")))
}

/// `PUT /admin/loggers/{name}?scope=worker|cluster` with `{"level":"DEBUG"}`.
///
/// Worker scope (the default, and what an unknown scope means) answers 200 with the affected
/// logger names. Cluster scope answers 204: Kafka then also broadcasts the level through the
/// config topic to every worker; here it is applied to this worker only, which is the whole
/// cluster in standalone mode.
async fn set(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
    uri: Uri,
    ConnectJson(body): ConnectJson<Option<ConfigPatch>>,
) -> Result<Response, RestError> {
    let Some(requested) = body
        .and_then(|ConfigPatch(mut b)| b.remove("level"))
        .flatten()
    else {
        return Err(RestError::BadRequest(
            "Desired 'level' parameter was not specified in request.".to_owned(),
        ));
    };
    let level = requested.to_ascii_uppercase();
    if !LEVELS.contains(&level.as_str()) {
        // Kafka answers 404 here (a NotFoundException), not 400.
        return Err(RestError::NotFound(format!(
            "invalid log level '{requested}'."
        )));
    }
    let scope = query_param(&query_pairs(&uri), "scope").map(str::to_ascii_lowercase);
    let affected = state
        .loggers
        .set_level(&name, &level)
        .map_err(RestError::BadRequest)?;
    match scope.as_deref() {
        Some("cluster") => Ok(StatusCode::NO_CONTENT.into_response()),
        Some("worker") | None => Ok(Json(affected).into_response()),
        Some(other) => {
            tracing::warn!(
                "Received invalid scope '{other}' in request to adjust logging level; will use worker scope"
            );
            Ok(Json(affected).into_response())
        }
    }
}
