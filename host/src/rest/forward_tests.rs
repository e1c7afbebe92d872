//! Forwarding over real HTTP on loopback: a "follower" whose every handler answers that another
//! worker must handle the request, and a recording "leader" peer.

use axum::{Router, middleware, routing::any};

use super::super::{error::RestError, forward};
use crate::test_peer::{Peer, dead_url};

/// A follower on loopback whose handlers all answer `Elsewhere(target)`, with the forwarding
/// middleware of the real router.
async fn follower(target: Option<String>) -> Peer {
    let handler = move || {
        let target = target.clone();
        async move { Err::<(), _>(RestError::Elsewhere(target)) }
    };
    let app =
        Router::new()
            .route("/{*path}", any(handler))
            .route_layer(middleware::from_fn_with_state(
                forward::Forwarder::new(&Default::default()),
                forward::middleware,
            ));
    Peer::serving(app).await
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn send(method: &str, url: &str, body: &'static str) -> Reply {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let response = client
        .request(method, url)
        .header("authorization", "Basic dXNlcjpwYXNz")
        .header("content-type", "application/json")
        .header("cookie", "session=1")
        .header("x-custom", "not for the leader")
        .body(body)
        .send()
        .await
        .unwrap();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

#[tokio::test]
async fn writes_go_to_the_leader_with_their_bytes_query_and_authorization() {
    let created = r#"{"name":"a","config":{"name":"a"},"tasks":[],"type":"sink"}"#;
    let leader = Peer::answering(
        201,
        created,
        Some("http://leader.example:8083/connectors/a"),
    )
    .await;
    let f = follower(Some(leader.url.clone())).await;

    // Whitespace and key order kept: the leader gets the very bytes the client sent.
    let body = "{ \"name\":\"a\",\n \"config\":{\"tasks.max\":1} }";
    let reply = send("POST", &format!("{}connectors", f.url), body).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body, created);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.headers["location"], "/connectors/a");
    assert!(reply.headers.get("x-peer-only").is_none());

    let cases = [
        ("PUT", "connectors/a%20b/config?x=1", "forward=true&x=1"),
        ("PATCH", "connectors/a/config", "forward=true"),
        (
            "DELETE",
            "connectors/a/offsets?forward=true&y=%26",
            "forward=false&y=%26",
        ),
        (
            "POST",
            "connectors/a/restart?includeTasks=true&onlyFailed=false",
            "forward=true&includeTasks=true&onlyFailed=false",
        ),
    ];
    for (method, path, _) in cases {
        let reply = send(method, &format!("{}{path}", f.url), "{\"k\":\"v\"}").await;
        assert_eq!(reply.status, 201, "{method} {path}");
    }

    let received = leader.received();
    assert_eq!(received.len(), 5);
    let first = &received[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.uri, "/connectors?forward=true");
    assert_eq!(&first.body[..], body.as_bytes());
    for got in &received {
        assert_eq!(got.headers["authorization"], "Basic dXNlcjpwYXNz");
        assert_eq!(got.headers["content-type"], "application/json");
        assert!(got.headers.get("cookie").is_none(), "{:?}", got.headers);
        assert!(got.headers.get("x-custom").is_none(), "{:?}", got.headers);
    }
    for ((method, path, query), got) in cases.iter().zip(&received[1..]) {
        assert_eq!(got.method, *method);
        let expected_path = path.split('?').next().unwrap();
        assert_eq!(got.uri, format!("/{expected_path}?{query}"));
        assert_eq!(&got.body[..], b"{\"k\":\"v\"}");
    }
}

#[tokio::test]
async fn the_leaders_answer_is_relayed_as_it_is() {
    let not_found = r#"{"error_code":404,"message":"Connector a not found"}"#;
    let leader = Peer::answering(404, not_found, None).await;
    let f = follower(Some(leader.url.clone())).await;
    let reply = send("DELETE", &format!("{}connectors/a", f.url), "").await;
    assert_eq!((reply.status, reply.body.as_str()), (404, not_found));

    let accepted = Peer::answering(204, "", None).await;
    let f = follower(Some(accepted.url.clone())).await;
    let reply = send("PUT", &format!("{}connectors/a/stop", f.url), "").await;
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    assert_eq!(&accepted.received()[0].body[..], b"");
}

#[tokio::test]
async fn a_second_refusal_and_an_unknown_leader_are_javas_409s() {
    let leader = Peer::answering(200, "{}", None).await;
    let f = follower(Some(leader.url.clone())).await;
    let reply = send("POST", &format!("{}connectors?forward=false", f.url), "{}").await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.body,
        r#"{"error_code":409,"message":"Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}"#
    );
    assert!(leader.received().is_empty());

    let lost = follower(None).await;
    for path in ["connectors", "connectors?forward=true"] {
        let reply = send("POST", &format!("{}{path}", lost.url), "{}").await;
        assert_eq!(reply.status, 409);
        assert_eq!(
            reply.body,
            r#"{"error_code":409,"message":"Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."}"#
        );
    }
    // Java checks the hop count first: a second refusal is a conflict even without a URL.
    let reply = send(
        "POST",
        &format!("{}connectors?forward=false", lost.url),
        "{}",
    )
    .await;
    assert!(
        reply.body.contains("conflicting operation"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn an_unreachable_leader_is_javas_500() {
    let f = follower(Some(dead_url())).await;
    let reply = send("POST", &format!("{}connectors", f.url), "{}").await;
    assert_eq!(reply.status, 500);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["error_code"], 500);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("IO Error trying to forward REST request: "),
        "{message}"
    );
}

#[tokio::test]
async fn the_real_router_forwards_what_the_herder_sends_elsewhere() {
    // Through the whole router: the internal endpoint's herder says "not the leader".
    use super::internal_endpoints::{FakeCluster, router_over};
    let leader = Peer::answering(204, "", None).await;
    let cluster = FakeCluster::not_leader(Some(leader.url.clone()));
    let (app, _dir) = router_over(cluster);
    let f = Peer::serving(app).await;
    let reply = send("POST", &format!("{}connectors/c/tasks", f.url), "[]").await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let [got] = leader.received().try_into().unwrap();
    assert_eq!(got.uri, "/connectors/c/tasks?forward=true");
}
