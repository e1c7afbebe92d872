//! `/connectors` and the per-connector endpoints that are not about tasks or offsets: list
//! (with `expand`), create, info, config (GET/PUT/PATCH), delete, status, restart, pause,
//! resume, stop, active topics, and the deprecated `tasks-config`.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, Uri, header::LOCATION},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    RestState, call,
    error::RestError,
    json::{ConfigBody, ConfigPatch, ConnectJson},
    params::{ConnectPath, encode_segment, query_bool, query_pairs},
};
use crate::runtime::{
    info::{ConnectorInfo, HerderError},
    status::{ConnectorStateInfo, TargetState},
    stores::ConfigMap,
};

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new()
        .route("/connectors", get(list).post(create))
        .route("/connectors/{connector}", get(info).delete(delete))
        .route(
            "/connectors/{connector}/config",
            get(config).put(put_config).patch(patch_config),
        )
        .route("/connectors/{connector}/status", get(status))
        .route("/connectors/{connector}/restart", post(restart))
        .route("/connectors/{connector}/pause", put(pause))
        .route("/connectors/{connector}/resume", put(resume))
        .route("/connectors/{connector}/stop", put(stop))
        .route("/connectors/{connector}/topics", get(topics))
        .route("/connectors/{connector}/topics/reset", put(reset_topics))
        .route("/connectors/{connector}/tasks-config", get(tasks_config))
}

/// `GET /connectors`: the names, or with any `expand` parameter a map of name → expansions.
/// Unknown expansions are ignored (the connector still appears, with `{}`), and a connector
/// deleted while the map is built is left out, as Kafka Connect does.
async fn list(State(state): State<RestState>, uri: Uri) -> Result<Json<Value>, RestError> {
    let expansions: Vec<String> = query_pairs(&uri)
        .into_iter()
        .filter(|(k, _)| k == "expand")
        .map(|(_, v)| v)
        .collect();
    // `?expand` alone (no value) still asks for the map form, as in Kafka Connect.
    if expansions.is_empty() {
        let names = call::herder_infallible(&state, |h| h.connectors()).await?;
        return Ok(Json(json!(names)));
    }
    let out = call::herder(&state, move |h| {
        let mut out = Map::new();
        for name in h.connectors() {
            match expand(h, &name, &expansions) {
                Ok(entry) => {
                    out.insert(name, Value::Object(entry));
                }
                Err(HerderError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    })
    .await?;
    Ok(Json(Value::Object(out)))
}

fn expand(
    h: &crate::runtime::herder::Herder,
    name: &str,
    expansions: &[String],
) -> Result<Map<String, Value>, HerderError> {
    let mut entry = Map::new();
    for expansion in expansions {
        let value = match expansion.as_str() {
            "status" => to_value(&h.connector_status(name)?),
            "info" => to_value(&h.connector_info(name)?),
            other => {
                tracing::info!("Ignoring unknown expansion type {other}");
                continue;
            }
        };
        entry.insert(expansion.clone(), value);
    }
    Ok(entry)
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    // The entity types serialize to plain maps and strings; this cannot fail.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `POST /connectors` body. Unknown fields are ignored.
#[derive(Deserialize)]
struct CreateRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    config: Option<ConfigBody>,
    #[serde(default)]
    initial_state: Option<String>,
}

/// `POST /connectors`: 201 with `Location: /connectors/<name>` and the ConnectorInfo.
async fn create(
    State(state): State<RestState>,
    ConnectJson(request): ConnectJson<CreateRequest>,
) -> Result<Response, RestError> {
    // Kafka trims the name and treats a missing one as empty.
    let name = request
        .name
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let Some(ConfigBody(mut config)) = request.config else {
        return Err(RestError::BadRequest(
            "The request body must contain the connector's 'config' object".to_owned(),
        ));
    };
    check_and_put_name(&name, &mut config)?;
    if name.is_empty() {
        // Kafka's herder reports this through ConnectorConfig's `name` validator.
        return Err(RestError::BadRequest(
            "Connector configuration is invalid and contains the following 1 error(s):\n\
             Invalid value  for configuration name: String may not be empty\n\
             You can also find the above list of errors at the endpoint \
             `/connector-plugins/{connectorType}/config/validate`"
                .to_owned(),
        ));
    }
    let initial = request
        .initial_state
        .as_deref()
        .map(parse_initial_state)
        .transpose()?;
    let for_herder = name.clone();
    let info = call::herder(&state, move |h| {
        h.create_connector(&for_herder, config, initial)
    })
    .await?;
    Ok(created(&name, info))
}

/// `initial_state`: `RUNNING`, `PAUSED` or `STOPPED`, any case (KIP-980).
fn parse_initial_state(s: &str) -> Result<TargetState, RestError> {
    match s.to_ascii_uppercase().as_str() {
        "RUNNING" => Ok(TargetState::Started),
        "PAUSED" => Ok(TargetState::Paused),
        "STOPPED" => Ok(TargetState::Stopped),
        _ => Err(RestError::BadRequest(format!(
            "Invalid initial_state '{s}': expected one of RUNNING, PAUSED, STOPPED"
        ))),
    }
}

/// A `name` in the config must equal the connector's name; without one, the name is added.
fn check_and_put_name(name: &str, config: &mut ConfigMap) -> Result<(), RestError> {
    match config.get("name") {
        Some(included) if included != name => Err(RestError::BadRequest(format!(
            "Connector name configuration ({included}) doesn't match connector name in the URL ({name})"
        ))),
        Some(_) => Ok(()),
        None => {
            config.insert("name".to_owned(), name.to_owned());
            Ok(())
        }
    }
}

/// 201 with the `Location` of the new connector.
fn created(name: &str, info: ConnectorInfo) -> Response {
    let location = format!("/connectors/{}", encode_segment(name));
    (StatusCode::CREATED, [(LOCATION, location)], Json(info)).into_response()
}

async fn info(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<ConnectorInfo>, RestError> {
    call::herder(&state, move |h| h.connector_info(&name))
        .await
        .map(Json)
}

async fn delete(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<StatusCode, RestError> {
    call::herder(&state, move |h| h.delete_connector(&name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn config(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<ConfigMap>, RestError> {
    call::herder(&state, move |h| h.connector_config(&name))
        .await
        .map(Json)
}

/// `PUT …/config`: 201 (with `Location`) when it created the connector, 200 when it updated it.
async fn put_config(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
    ConnectJson(ConfigBody(mut config)): ConnectJson<ConfigBody>,
) -> Result<Response, RestError> {
    check_and_put_name(&name, &mut config)?;
    let for_herder = name.clone();
    let (was_created, info) =
        call::herder(&state, move |h| h.put_connector_config(&for_herder, config)).await?;
    Ok(if was_created {
        created(&name, info)
    } else {
        Json(info).into_response()
    })
}

/// `PATCH …/config`: `null` values delete keys; the Herder merges and validates.
async fn patch_config(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
    ConnectJson(ConfigPatch(patch)): ConnectJson<ConfigPatch>,
) -> Result<Json<ConnectorInfo>, RestError> {
    call::herder(&state, move |h| h.patch_connector_config(&name, patch))
        .await
        .map(Json)
}

async fn status(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<ConnectorStateInfo>, RestError> {
    call::herder(&state, move |h| h.connector_status(&name))
        .await
        .map(Json)
}

/// `POST …/restart?includeTasks=&onlyFailed=`: 204 for the legacy connector-only restart (both
/// false), else 202 with the state showing what is being restarted.
async fn restart(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
    uri: Uri,
) -> Result<Response, RestError> {
    let pairs = query_pairs(&uri);
    let include_tasks = query_bool(&pairs, "includeTasks", false);
    let only_failed = query_bool(&pairs, "onlyFailed", false);
    let restarted = call::herder(&state, move |h| {
        h.restart_connector(&name, include_tasks, only_failed)
    })
    .await?;
    Ok(match restarted {
        None => StatusCode::NO_CONTENT.into_response(),
        Some(info) => (StatusCode::ACCEPTED, Json(info)).into_response(),
    })
}

async fn pause(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<StatusCode, RestError> {
    call::herder(&state, move |h| h.pause_connector(&name)).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn resume(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<StatusCode, RestError> {
    call::herder(&state, move |h| h.resume_connector(&name)).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn stop(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<StatusCode, RestError> {
    call::herder(&state, move |h| h.stop_connector(&name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/topics`: `{"<c>":{"topics":[…]}}`.
async fn topics(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<Value>, RestError> {
    let for_herder = name.clone();
    let topics = call::herder(&state, move |h| h.active_topics(&for_herder)).await?;
    Ok(Json(json!({ name: { "topics": topics } })))
}

async fn reset_topics(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<StatusCode, RestError> {
    call::herder(&state, move |h| h.reset_active_topics(&name)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Deprecated `GET …/tasks-config`: `{"<c>-<n>": {…task config…}}`, in task order.
async fn tasks_config(
    State(state): State<RestState>,
    ConnectPath(name): ConnectPath<String>,
) -> Result<Json<Map<String, Value>>, RestError> {
    let tasks = call::herder(&state, move |h| h.task_infos(&name)).await?;
    let by_id: BTreeMap<u32, (String, ConfigMap)> = tasks
        .into_iter()
        .map(|t| {
            (
                t.id.task,
                (format!("{}-{}", t.id.connector, t.id.task), t.config),
            )
        })
        .collect();
    Ok(Json(
        by_id
            .into_values()
            .map(|(id, config)| (id, to_value(&config)))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn included_name_must_match_and_is_added_when_missing() {
        let mut config = ConfigMap::new();
        check_and_put_name("a", &mut config).unwrap();
        assert_eq!(config["name"], "a");
        config.insert("name".into(), "x".into());
        assert_eq!(
            check_and_put_name("y", &mut config),
            Err(RestError::BadRequest(
                "Connector name configuration (x) doesn't match connector name in the URL (y)"
                    .into()
            ))
        );
    }

    #[test]
    fn created_answers_201_with_an_encoded_location() {
        let info = ConnectorInfo {
            name: "b c".into(),
            config: ConfigMap::new(),
            tasks: Vec::new(),
            kind: "sink".into(),
        };
        let response = created("b c", info);
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()[LOCATION], "/connectors/b%20c");
        assert_eq!(response.headers()["content-type"], "application/json");
    }

    #[test]
    fn initial_state_accepts_kip_980_spellings_only() {
        assert_eq!(
            parse_initial_state("running").unwrap(),
            TargetState::Started
        );
        assert_eq!(parse_initial_state("PAUSED").unwrap(), TargetState::Paused);
        assert_eq!(
            parse_initial_state("Stopped").unwrap(),
            TargetState::Stopped
        );
        assert!(parse_initial_state("STARTED").is_err());
    }
}
