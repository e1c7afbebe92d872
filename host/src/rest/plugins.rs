//! `/connector-plugins`: the installed plugins, one plugin's config keys, and config validation.

use axum::{
    Json, Router,
    extract::State,
    http::Uri,
    routing::{get, put},
};

use super::{
    RestState, call,
    error::RestError,
    json::{ConfigBody, ConnectJson},
    params::{ConnectPath, query_bool, query_pairs},
};
use crate::{
    config::ConfigKeyInfo,
    runtime::{
        info::{ConfigInfos, HerderError, PluginInfo},
        stores::ConfigMap,
    },
};

/// Routes of this file.
pub(super) fn routes() -> Router<RestState> {
    Router::new()
        .route("/connector-plugins", get(list))
        .route("/connector-plugins/{plugin}/config", get(config))
        .route("/connector-plugins/{plugin}/config/validate", put(validate))
}

/// `?connectorsOnly=false` adds converters, transformations and predicates (default `true`).
async fn list(
    State(state): State<RestState>,
    uri: Uri,
) -> Result<Json<Vec<PluginInfo>>, RestError> {
    let connectors_only = query_bool(&query_pairs(&uri), "connectorsOnly", true);
    call::herder_infallible(&state, move |h| h.plugins(connectors_only))
        .await
        .map(Json)
}

async fn config(
    State(state): State<RestState>,
    ConnectPath(plugin): ConnectPath<String>,
) -> Result<Json<Vec<ConfigKeyInfo>>, RestError> {
    call::herder(&state, move |h| h.plugin_config(&plugin))
        .await
        .map(Json)
}

/// `PUT …/{type}/config/validate`: 200 with the per-key results even when the config is invalid;
/// 400 only when the body names no connector class or one that is not `{type}`.
async fn validate(
    State(state): State<RestState>,
    ConnectPath(plugin): ConnectPath<String>,
    ConnectJson(ConfigBody(config)): ConnectJson<ConfigBody>,
) -> Result<Json<ConfigInfos>, RestError> {
    let infos = call::herder(&state, move |h| {
        let Some(class) = config.get("connector.class") else {
            return Err(HerderError::BadRequest(format!(
                "Connector config {} contains no connector type",
                java_map_string(&config)
            )));
        };
        // Kafka compares the literal value; also trying the resolved class lets an alias in the
        // body match a full class name in the path (a strict improvement: nothing that Kafka
        // accepts is refused).
        let matches = type_matches(class, &plugin)
            || h.resolve_class(class)
                .is_ok_and(|full| type_matches(&full, &plugin));
        if !matches {
            return Err(HerderError::BadRequest(format!(
                "Included connector type {class} does not match request type {plugin}"
            )));
        }
        h.validate(&config)
    })
    .await?;
    Ok(Json(infos))
}

/// Kafka's check: strip a trailing `Connector` from both names, then the class must end with the
/// requested type (so `FileStreamSink` matches `…file.FileStreamSinkConnector`).
fn type_matches(class: &str, requested: &str) -> bool {
    fn normalized(name: &str) -> &str {
        name.strip_suffix("Connector").unwrap_or(name)
    }
    normalized(class).ends_with(normalized(requested))
}

/// A config rendered like Java's `Map.toString()`: `{k1=v1, k2=v2}` (keys sorted here).
fn java_map_string(config: &ConfigMap) -> String {
    let entries: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_check_follows_kafka_suffix_rule() {
        let full = "org.apache.kafka.connect.file.FileStreamSinkConnector";
        assert!(type_matches(full, "FileStreamSinkConnector"));
        assert!(type_matches(full, "FileStreamSink"));
        assert!(type_matches(full, full));
        assert!(type_matches("FileStreamSink", "FileStreamSinkConnector"));
        assert!(!type_matches(full, "FileStreamSource"));
        assert!(!type_matches("FileStreamSink", full));
    }

    #[test]
    fn config_renders_like_a_java_map() {
        let config: ConfigMap = [
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "x".to_owned()),
        ]
        .into();
        assert_eq!(java_map_string(&config), "{a=1, b=x}");
        assert_eq!(java_map_string(&ConfigMap::new()), "{}");
    }
}
