//! Every body a write endpoint answers has exactly the fields of Java's entity class: a Java
//! follower reads a forwarded answer with a default Jackson `ObjectMapper`, which fails on any
//! unknown field (the user then gets a 500 from the follower). The sets below are the
//! `@JsonProperty` names of `ConnectorInfo`, `ConnectorTaskId`, `ErrorMessage`,
//! `ConnectorStateInfo` (and its `ConnectorState`/`TaskState`), `TaskInfo`, `ConfigInfos`,
//! `ConfigInfo`, `ConfigKeyInfo` and `ConfigValueInfo` (`Message`, the offsets endpoints' answer,
//! is the literal `{"message": …}` of `offsets.rs`).

use std::collections::BTreeSet;

use super::*;
use crate::{
    config::{ConnectorKind, framework_config_defs},
    runtime::info::{ConfigInfo, ConfigInfos, ConfigValueInfo, ConnectorInfo, ConnectorTaskId},
};

/// Every key path of `v`: `a`, `a.b`, `list[].c` (array elements share one path).
fn key_paths(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    out.insert(path.clone());
                    walk(child, &path, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

fn set(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| (*p).to_owned()).collect()
}

/// The paths of `v` that are not free-form maps' keys (a config's own keys are data).
fn entity_paths(v: &Value, free_form: &[&str]) -> BTreeSet<String> {
    key_paths(v)
        .into_iter()
        .filter(|p| {
            !free_form
                .iter()
                .any(|f| p.starts_with(&format!("{f}.")) && p.len() > f.len() + 1)
        })
        .collect()
}

#[tokio::test]
async fn connector_info_and_error_bodies_have_javas_fields_only() {
    let f = fixture();
    // ConnectorInfo: what create and PUT/PATCH config answer, the same type as GET.
    let a = send(&f.app, "GET", "/connectors/a", None).await;
    assert_eq!(
        entity_paths(&a.body, &["config"]),
        set(&[
            "config",
            "name",
            "tasks",
            "tasks[].connector",
            "tasks[].task",
            "type"
        ])
    );
    let info = ConnectorInfo {
        name: "b".into(),
        config: ConfigMap::new(),
        tasks: vec![ConnectorTaskId {
            connector: "b".into(),
            task: 0,
        }],
        kind: "source".into(),
    };
    assert_eq!(
        key_paths(&serde_json::to_value(info).unwrap()),
        set(&[
            "config",
            "name",
            "tasks",
            "tasks[].connector",
            "tasks[].task",
            "type"
        ])
    );
    // ErrorMessage: every refusal, including the 409s of forwarding and 503.
    let a = send(&f.app, "DELETE", "/connectors/nope", None).await;
    assert_eq!(key_paths(&a.body), set(&["error_code", "message"]));
    for e in [
        RestError::Elsewhere(None),
        RestError::Unavailable("starting".into()),
        RestError::MethodNotAllowed,
    ] {
        let response = axum::response::IntoResponse::into_response(e);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(key_paths(&body), set(&["error_code", "message"]));
    }
}

#[tokio::test]
async fn state_and_task_bodies_have_javas_fields_only() {
    let f = fixture();
    // The 202 of a restart with tasks: ConnectorStateInfo (the connector's trace is present
    // because it failed; it is omitted when empty, as Java's @JsonInclude(NON_EMPTY) does).
    let a = send(
        &f.app,
        "POST",
        "/connectors/a/restart?includeTasks=true",
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    let allowed = set(&[
        "connector",
        "connector.state",
        "connector.trace",
        "connector.worker_id",
        "name",
        "tasks",
        "tasks[].id",
        "tasks[].state",
        "tasks[].trace",
        "tasks[].worker_id",
        "type",
    ]);
    let got = key_paths(&a.body);
    assert!(got.is_subset(&allowed), "{got:?}");
    let status = send(&f.app, "GET", "/connectors/a/status", None).await;
    let got = key_paths(&status.body);
    assert!(got.is_subset(&allowed), "{got:?}");
    assert!(got.contains("connector.trace"), "{got:?}");

    let tasks = send(&f.app, "GET", "/connectors/a/tasks", None).await;
    assert_eq!(
        entity_paths(&tasks.body, &["[].config"]),
        set(&["[].config", "[].id", "[].id.connector", "[].id.task"])
    );
}

#[test]
fn config_infos_and_messages_have_javas_fields_only() {
    let definition = framework_config_defs(ConnectorKind::Sink)
        .into_iter()
        .next()
        .unwrap();
    let infos = ConfigInfos {
        name: "org.example.Sink".into(),
        error_count: 1,
        groups: vec!["Common".into()],
        configs: vec![ConfigInfo {
            value: ConfigValueInfo {
                name: definition.name.clone(),
                value: None,
                recommended_values: Vec::new(),
                errors: vec!["bad".into()],
                visible: true,
            },
            definition,
        }],
    };
    assert_eq!(
        key_paths(&serde_json::to_value(infos).unwrap()),
        set(&[
            "configs",
            "configs[].definition",
            "configs[].definition.default_value",
            "configs[].definition.dependents",
            "configs[].definition.display_name",
            "configs[].definition.documentation",
            "configs[].definition.group",
            "configs[].definition.importance",
            "configs[].definition.name",
            "configs[].definition.order",
            "configs[].definition.required",
            "configs[].definition.type",
            "configs[].definition.width",
            "configs[].value",
            "configs[].value.errors",
            "configs[].value.name",
            "configs[].value.recommended_values",
            "configs[].value.value",
            "configs[].value.visible",
            "error_count",
            "groups",
            "name",
        ])
    );
}
