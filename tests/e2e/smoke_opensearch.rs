//! Smoke test of the real OpenSearch node over HTTP: `_bulk` NDJSON, refresh, `_count`.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use connect_tests::{require_opensearch, run_with_deadline, unique_name};
use serde_json::{Value, json};

const DOCS: usize = 1_000;

#[test]
fn bulk_index_and_count_1000_documents() -> Result<()> {
    let url = require_opensearch();
    run_with_deadline(
        "opensearch smoke test",
        Duration::from_secs(120),
        move || run(url),
    )
}

async fn run(url: String) -> Result<()> {
    let index = unique_name("smoke-opensearch");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;

    let mut body = String::new();
    for i in 0..DOCS {
        let action = json!({ "index": { "_index": index, "_id": i.to_string() } });
        let doc = json!({ "n": i, "message": format!("document {i}") });
        writeln!(body, "{action}\n{doc}")?;
    }
    let resp = http
        .post(format!("{url}/_bulk"))
        .header("Content-Type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .context("POST /_bulk")?;
    let status = resp.status();
    let bulk: Value = resp.json().await.context("bulk response body")?;
    ensure!(status.is_success(), "POST /_bulk: {status}: {bulk}");
    ensure!(
        bulk["errors"] == json!(false),
        "bulk item errors: {}",
        bulk["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["index"]["error"].is_object()))
            .unwrap_or(&Value::Null)
    );
    let items = bulk["items"].as_array().map_or(0, Vec::len);
    ensure!(items == DOCS, "bulk response has {items} items");

    let resp = http
        .post(format!("{url}/{index}/_refresh"))
        .send()
        .await
        .context("POST _refresh")?;
    ensure!(resp.status().is_success(), "refresh: {}", resp.status());

    let resp = http
        .get(format!("{url}/{index}/_count"))
        .send()
        .await
        .context("GET _count")?;
    let status = resp.status();
    let count: Value = resp.json().await.context("count response body")?;
    ensure!(status.is_success(), "GET _count: {status}: {count}");
    ensure!(count["count"] == json!(DOCS), "count: {count}");

    // Best effort: the index name is unique anyway.
    let _ = http.delete(format!("{url}/{index}")).send().await;
    Ok(())
}
