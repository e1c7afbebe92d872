//! `GET /metrics`: the worker's metrics for Prometheus (`runtime::metrics::render`), on the main
//! listeners. Kafka Connect has no such path, so it cannot shadow one of its resources; with
//! basic authentication configured it asks for credentials like every other route.

use axum::{Router, http::header, response::IntoResponse, routing::get};

use super::RestState;
use crate::runtime::metrics;

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new().route("/metrics", get(scrape))
}

async fn scrape() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(),
    )
}
