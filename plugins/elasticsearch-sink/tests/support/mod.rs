//! Helpers for the tests against the real OpenSearch node (`scripts/infra.sh up`): the node's
//! URL, a deadline per test, a recording task context, record batches, a host-like driver, plain
//! HTTP checks, and a small HTTP proxy that can throttle `_bulk` requests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_elasticsearch_sink::ElasticsearchSinkTask;
use connect_plugin_api::abi::error::ErrorKind;
use connect_plugin_api::abi::types::TimestampType;
use connect_plugin_api::batch::{Data, RecordPosition};
use connect_plugin_api::prelude::*;
use connect_plugin_api::sdk::testing::RecordingTaskContext;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The OpenSearch URL (`OPENSEARCH_URL`, default `http://127.0.0.1:9200`), after checking that
/// the node accepts connections.
pub fn opensearch() -> String {
    let url = std::env::var("OPENSEARCH_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:9200".into())
        .trim_end_matches('/')
        .to_owned();
    let host_port = url
        .split("://")
        .nth(1)
        .unwrap_or(&url)
        .split('/')
        .next()
        .unwrap_or("")
        .to_owned();
    let reachable = host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    assert!(
        reachable,
        "OpenSearch is not reachable at {url}: start it with scripts/infra.sh up"
    );
    url
}

/// Runs `f` on its own thread and fails the test if it takes longer than `secs`.
pub fn with_deadline(name: &str, secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => {
            let _ = handle.join();
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(p) = handle.join() {
                std::panic::resume_unwind(p);
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name} did not finish within {secs} s")
        }
    }
}

/// A topic/index name no other run uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "{prefix}-{}-{ms}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// One `report_errant` call.
#[derive(Debug, Clone)]
pub struct Reported {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub message: String,
}

/// A task context that records errant reports: the SDK's recording context.
#[derive(Clone, Default)]
pub struct Recorder(pub RecordingTaskContext);

impl Recorder {
    /// The ABI context object (for the factory path).
    pub fn abi(&self) -> connect_plugin_api::abi::task::TaskContextArc {
        self.0.abi()
    }
    /// The SDK context.
    pub fn context(&self) -> TaskContext {
        self.0.context()
    }
    /// Reports so far.
    pub fn reports(&self) -> Vec<Reported> {
        self.0
            .errant()
            .into_iter()
            .map(|e| Reported {
                topic: e.topic,
                partition: e.partition,
                offset: e.offset,
                message: e.message,
            })
            .collect()
    }
}

/// A connector configuration map.
pub fn config(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A record for [`batch`].
pub struct Rec<'a> {
    pub offset: i64,
    pub key: Data<'a>,
    pub value: Data<'a>,
}

/// `offset`, key, value.
pub fn rec<'a>(offset: i64, key: Data<'a>, value: Data<'a>) -> Rec<'a> {
    Rec { offset, key, value }
}

/// A batch of records of one topic-partition.
pub fn batch(topic: &str, partition: i32, records: &[Rec<'_>]) -> RecordBatch {
    let mut b = RecordBatch::new();
    for r in records {
        b.push(
            RecordPosition {
                topic,
                partition,
                offset: r.offset,
                timestamp: Some((1_700_000_000_000 + r.offset, TimestampType::CREATE_TIME)),
            },
            r.key,
            r.value,
            &[],
        )
        .unwrap();
    }
    b
}

/// Puts like the host: RETRIABLE → back off and put the same batch again. Returns how many
/// RETRIABLE answers there were; any other error fails the test.
pub fn put_like_host(
    task: &mut ElasticsearchSinkTask,
    b: &RecordBatch,
    deadline: Instant,
) -> usize {
    let mut retriable = 0;
    loop {
        match task.put(b) {
            Ok(()) => return retriable,
            Err(e) if e.kind == ErrorKind::RETRIABLE => {
                retriable += 1;
                assert!(
                    Instant::now() < deadline,
                    "still retriable at the deadline: {}",
                    e.message
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("put failed with {:?}: {}", e.kind, e.message),
        }
    }
}

/// Calls `pre_commit` (and empty puts, as the host does every 500 ms) until it returns
/// `expected`; returns the number of RETRIABLE answers of the empty puts.
pub fn commit_until(
    task: &mut ElasticsearchSinkTask,
    expected: &[TopicPartitionOffset],
    deadline: Instant,
) -> usize {
    let empty = RecordBatch::new();
    let mut retriable = 0;
    loop {
        let got = task.pre_commit(expected).expect("pre_commit");
        if got == expected {
            return retriable;
        }
        assert!(
            Instant::now() < deadline,
            "offsets {got:?} never reached {expected:?}; stats {:?}",
            task.stats()
        );
        match task.put(&empty) {
            Ok(()) => {}
            Err(e) if e.kind == ErrorKind::RETRIABLE => retriable += 1,
            Err(e) => panic!("empty put failed with {:?}: {}", e.kind, e.message),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `TopicPartitionOffset`.
pub fn tpo(topic: &str, partition: i32, offset: i64) -> TopicPartitionOffset {
    TopicPartitionOffset::new(topic, partition, offset)
}

// ------------------------------------------------------------------------------------------------
// Plain HTTP to check what landed.

/// A small blocking HTTP client for assertions (its own runtime, never nested in the plugin's).
pub struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    pub base: String,
}

impl Http {
    pub fn new(base: &str) -> Self {
        Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            base: base.to_owned(),
        }
    }

    /// Method, path, optional JSON body → (status, JSON body or Null).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(async {
            let mut req = self
                .client
                .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
            if let Some(b) = body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(b.to_string());
            }
            let resp = req.send().await.expect("HTTP request to OpenSearch");
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.unwrap_or_default();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        })
    }

    /// Refreshes and counts an index's documents.
    pub fn count(&self, index: &str) -> u64 {
        self.call("POST", &format!("/{index}/_refresh"), None);
        let (status, v) = self.call("GET", &format!("/{index}/_count"), None);
        assert_eq!(status, 200, "count {index}: {v}");
        v["count"].as_u64().unwrap()
    }

    /// A document's `_source` (None when missing).
    pub fn doc(&self, index: &str, id: &str) -> Option<Value> {
        let (status, v) = self.call("GET", &format!("/{index}/_doc/{id}"), None);
        (status == 200).then(|| v["_source"].clone())
    }

    /// Deletes an index (cleanup; errors ignored).
    pub fn delete(&self, index: &str) {
        self.call("DELETE", &format!("/{index}"), None);
    }
}

// ------------------------------------------------------------------------------------------------
// Throttling proxy

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub proxy_authorization: Option<String>,
    /// The request line's target was absolute-form (`http://host:port/path`: a forward-proxy request).
    pub absolute_form: bool,
    /// Actions in a `_bulk` body (0 otherwise).
    pub actions: usize,
}

/// What the proxy does to the next `_bulk` requests.
#[derive(Default)]
pub struct ProxyControl {
    /// Answer HTTP 429 to this many `_bulk` requests (nothing forwarded).
    pub reject_bulks: AtomicUsize,
    /// For this many `_bulk` requests, forward only every other action and answer item-level
    /// 429 `es_rejected_execution_exception` for the others.
    pub reject_half_items: AtomicUsize,
    pub seen: Mutex<Vec<Seen>>,
}

/// An HTTP/1.1 proxy on 127.0.0.1 in front of OpenSearch.
pub struct Proxy {
    pub url: String,
    pub control: Arc<ProxyControl>,
    _rt: tokio::runtime::Runtime,
}

impl Proxy {
    pub fn start(upstream: &str) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let control = Arc::new(ProxyControl::default());
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let (c, up) = (control.clone(), upstream.to_owned());
        rt.spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(connection(sock, c.clone(), up.clone(), client.clone()));
            }
        });
        Proxy {
            url: format!("http://{addr}"),
            control,
            _rt: rt,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.control.seen.lock().unwrap().clone()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn connection(
    mut sock: tokio::net::TcpStream,
    control: Arc<ProxyControl>,
    upstream: String,
    client: reqwest::Client,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let target = first.next().unwrap_or("/").to_owned();
        // A forward-proxy request names the origin: keep only its path.
        let absolute_form = target.starts_with("http://");
        let path = if absolute_form {
            let rest = &target["http://".len()..];
            rest.find('/')
                .map_or("/".to_owned(), |i| rest[i..].to_owned())
        } else {
            target
        };
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 65536];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + len].to_vec();
        buf.drain(..head_end + len);
        let (status, resp) = handle(
            &control,
            &upstream,
            &client,
            (&method, &path, absolute_form),
            &headers,
            body,
        )
        .await;
        let mut out = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            if method == "HEAD" { 0 } else { resp.len() }
        )
        .into_bytes();
        if method != "HEAD" {
            out.extend_from_slice(&resp);
        }
        if sock.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// Splits a bulk body into actions (each: its lines).
fn bulk_actions(body: &[u8]) -> Vec<Vec<&[u8]>> {
    let lines: Vec<&[u8]> = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let action: Value = serde_json::from_slice(lines[i]).unwrap_or(Value::Null);
        let n = if action.get("delete").is_some() { 1 } else { 2 };
        out.push(lines[i..(i + n).min(lines.len())].to_vec());
        i += n;
    }
    out
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: &str,
    path: &str,
    headers: &BTreeMap<String, String>,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let mut req = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{upstream}{path}"),
    );
    if let Some(ct) = headers.get("content-type") {
        req = req.header("Content-Type", ct);
    }
    match req.body(body).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            (
                status,
                resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            )
        }
        Err(e) => (502, format!("{{\"error\":\"proxy: {e}\"}}").into_bytes()),
    }
}

fn take_one(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

async fn handle(
    control: &ProxyControl,
    upstream: &str,
    client: &reqwest::Client,
    (method, path, absolute_form): (&str, &str, bool),
    headers: &BTreeMap<String, String>,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let is_bulk = method == "POST" && path.starts_with("/_bulk");
    let actions = if is_bulk {
        bulk_actions(&body)
    } else {
        Vec::new()
    };
    control.seen.lock().unwrap().push(Seen {
        method: method.to_owned(),
        path: path.to_owned(),
        authorization: headers.get("authorization").cloned(),
        proxy_authorization: headers.get("proxy-authorization").cloned(),
        absolute_form,
        actions: actions.len(),
    });
    if !is_bulk {
        return forward(client, upstream, method, path, headers, body).await;
    }
    if take_one(&control.reject_bulks) {
        let b = json!({"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}],"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"},"status":429});
        return (429, b.to_string().into_bytes());
    }
    if take_one(&control.reject_half_items) {
        let mut forwarded = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            if i % 2 == 0 {
                for l in a {
                    forwarded.extend_from_slice(l);
                    forwarded.push(b'\n');
                }
            }
        }
        let (status, resp) = forward(client, upstream, method, path, headers, forwarded).await;
        if status != 200 {
            return (status, resp);
        }
        let v: Value = serde_json::from_slice(&resp).unwrap_or(Value::Null);
        let mut upstream_items = v["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter();
        let mut items = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            if i % 2 == 0 {
                items.push(upstream_items.next().unwrap_or(Value::Null));
            } else {
                let action: Value = serde_json::from_slice(a[0]).unwrap_or(Value::Null);
                let (op, meta) = action
                    .as_object()
                    .and_then(|o| o.iter().next())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .unwrap_or_default();
                items.push(json!({ op: {
                    "_index": meta["_index"], "_id": meta["_id"], "status": 429,
                    "error": {"type": "es_rejected_execution_exception", "reason": "rejected execution of primary operation"}
                }}));
            }
        }
        return (
            200,
            json!({"took": 1, "errors": true, "items": items})
                .to_string()
                .into_bytes(),
        );
    }
    forward(client, upstream, method, path, headers, body).await
}
