//! Tests of [`super`] against a recording peer on loopback.

use super::*;
use crate::{
    cluster::signing::{self, HmacAlgorithm, SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER},
    runtime::stores::SessionKey,
    test_peer::{Peer, dead_url},
};

fn configs() -> Vec<ConfigMap> {
    let task: ConfigMap = [("task.class", "T"), ("topics", "t")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    vec![task.clone(), task]
}

fn client() -> reqwest::Client {
    http_client(
        Duration::from_secs(10),
        &crate::config::rest_tls::TlsSettings::default(),
    )
    .unwrap()
}

#[test]
fn the_url_encodes_the_connector_as_one_segment() {
    let url = task_configs_url("http://h:8083/", "a b/c").unwrap();
    assert_eq!(
        url.as_str(),
        "http://h:8083/connectors/a%20b%2Fc/tasks?forward=true"
    );
    let prefixed = task_configs_url("http://h:8083/api/", "a").unwrap();
    assert_eq!(
        prefixed.as_str(),
        "http://h:8083/api/connectors/a/tasks?forward=true"
    );
    let e = task_configs_url("h:8083", "a").unwrap_err();
    assert!(e.to_string().contains("rest.advertised"), "{e}");
}

#[tokio::test]
async fn task_configs_are_posted_as_a_signed_json_array() {
    let leader = Peer::answering(204, "", None).await;
    let signer = Signer {
        key: SessionKey {
            key: vec![9; 32],
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 0,
        },
        algorithm: HmacAlgorithm::HmacSha256,
    };
    post_task_configs(&client(), &leader.url, "c", &configs(), Some(&signer))
        .await
        .unwrap();
    let [got] = leader.received().try_into().unwrap();
    assert_eq!(got.method, "POST");
    assert_eq!(got.uri, "/connectors/c/tasks?forward=true");
    assert_eq!(got.headers["content-type"], "application/json");
    let sent: Vec<ConfigMap> = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(sent, configs());
    assert_eq!(got.headers[SIGNATURE_ALGORITHM_HEADER], "HmacSHA256");
    let signature = got.headers[SIGNATURE_HEADER].to_str().unwrap();
    assert_eq!(
        signing::verify(&signer.key, HmacAlgorithm::HmacSha256, &got.body, signature),
        Ok(())
    );
}

#[tokio::test]
async fn unsigned_when_the_group_does_not_sign() {
    let leader = Peer::answering(200, "{}", None).await;
    post_task_configs(&client(), &leader.url, "c", &configs(), None)
        .await
        .unwrap();
    let [got] = leader.received().try_into().unwrap();
    assert!(got.headers.get(SIGNATURE_HEADER).is_none());
    assert!(got.headers.get(SIGNATURE_ALGORITHM_HEADER).is_none());
}

#[tokio::test]
async fn refusals_and_unreachable_leaders_are_errors_with_the_details() {
    let body = r#"{"error_code":403,"message":"Internal request contained invalid signature."}"#;
    let leader = Peer::answering(403, body, None).await;
    let e = post_task_configs(&client(), &leader.url, "c", &configs(), None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        InternalRequestError::Refused {
            url: format!("{}connectors/c/tasks?forward=true", leader.url),
            status: 403,
            body: body.to_owned(),
        }
    );
    assert!(e.to_string().contains("answered 403: {"), "{e}");

    let e = post_task_configs(&client(), &dead_url(), "c", &configs(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, InternalRequestError::Unreachable { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("cannot reach http://127.0.0.1:"),
        "{e}"
    );
}
