//! `/connectors/{c}/offsets` (KIP-875): read, alter (PATCH) and reset (DELETE) a connector's
//! offsets. The REST layer only checks that an alter request names some partitions; whether the
//! connector is STOPPED and whether each partition/offset is well-formed is the Herder's call.

use axum::{Json, Router, extract::State, routing::get};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{RestState, call, error::RestError, json::ConnectJson, params::ConnectPath};
use crate::runtime::info::{ConnectorOffset, ConnectorOffsets};

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new().route(
        "/connectors/{connector}/offsets",
        get(read).patch(alter).delete(reset),
    )
}

const NO_OFFSETS: &str = "Partitions / offsets need to be provided for an alter offsets request";

/// The PATCH body, lenient where Kafka is: `{}` or `{"offsets":null}` reach the "need to be
/// provided" check instead of failing to parse.
#[derive(Deserialize)]
struct AlterRequest {
    #[serde(default)]
    offsets: Option<Vec<ConnectorOffset>>,
}

async fn read(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<ConnectorOffsets>, RestError> {
    call::herder(&state, move |h| h.offsets(&name))
        .await
        .map(Json)
}

/// An empty body counts as an empty request (Kafka fails it with a 500 instead).
async fn alter(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
    ConnectJson(request): ConnectJson<Option<AlterRequest>>,
) -> Result<Json<Value>, RestError> {
    let offsets = request.and_then(|r| r.offsets).unwrap_or_default();
    if offsets.is_empty() {
        return Err(RestError::BadRequest(NO_OFFSETS.to_owned()));
    }
    let message = call::herder(&state, move |h| {
        h.alter_offsets(&name, ConnectorOffsets { offsets })
    })
    .await?;
    Ok(Json(json!({ "message": message })))
}

async fn reset(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<Value>, RestError> {
    let message = call::herder(&state, move |h| h.reset_offsets(&name)).await?;
    Ok(Json(json!({ "message": message })))
}
