//! Harness for the integration tests that run against the real servers started by
//! `scripts/infra.sh up` (Kafka 4.3.1, OpenSearch 2.19.6 and, with `--peer`, the Java Kafka Connect).
//!
//! Where the servers are comes from `KAFKA_BOOTSTRAP`, `OPENSEARCH_URL` and `PEER_CONNECT_URL`
//! (`eval "$(scripts/infra.sh env)"` sets them), defaulting to the ports `scripts/infra.sh` uses.
//! A test that needs a server calls one of the `require_*` functions first: if the server does not
//! answer, the test fails loudly with the command that starts it. Nothing is skipped silently.

pub mod artifacts;
pub mod broker;
pub mod cluster;
pub mod fault_proxy;
pub mod java_standalone;
pub mod kafka;
pub mod rest_access;
pub mod throttle;
pub mod worker;

use std::future::Future;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Default Kafka bootstrap address of `scripts/infra.sh up`.
pub const DEFAULT_KAFKA_BOOTSTRAP: &str = "127.0.0.1:9092";
/// Default OpenSearch URL of `scripts/infra.sh up`.
pub const DEFAULT_OPENSEARCH_URL: &str = "http://127.0.0.1:9200";
/// Default REST URL of the Java Kafka Connect peer of `scripts/infra.sh up --peer`.
pub const DEFAULT_PEER_CONNECT_URL: &str = "http://127.0.0.1:18083";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

fn env_or(name: &str, default: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
        _ => default.to_string(),
    }
}

/// Kafka bootstrap servers (`KAFKA_BOOTSTRAP`, default `127.0.0.1:9092`).
pub fn kafka_bootstrap() -> String {
    env_or("KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
}

/// OpenSearch base URL without a trailing slash (`OPENSEARCH_URL`, default `http://127.0.0.1:9200`).
pub fn opensearch_url() -> String {
    env_or("OPENSEARCH_URL", DEFAULT_OPENSEARCH_URL)
        .trim_end_matches('/')
        .to_string()
}

/// Java Kafka Connect peer REST URL without a trailing slash (`PEER_CONNECT_URL`, default `http://127.0.0.1:18083`).
pub fn peer_connect_url() -> String {
    env_or("PEER_CONNECT_URL", DEFAULT_PEER_CONNECT_URL)
        .trim_end_matches('/')
        .to_string()
}

/// `host:port` of an `http://host:port/...` URL (port 80 if none is given); a bare `host:port`
/// is returned as it is.
pub fn host_port_of_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    }
}

/// Whether a TCP connection to `host:port` succeeds within a few seconds.
pub fn tcp_reachable(host_port: &str) -> bool {
    let addrs: Vec<SocketAddr> = match host_port.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => return false,
    };
    addrs
        .iter()
        .any(|a| TcpStream::connect_timeout(a, CONNECT_TIMEOUT).is_ok())
}

/// Kafka bootstrap servers, after checking that the first one accepts connections.
///
/// # Panics
/// If Kafka is not reachable, with a message that says how to start it.
pub fn require_kafka() -> String {
    let bootstrap = kafka_bootstrap();
    let first = bootstrap.split(',').next().unwrap_or_default().trim();
    assert!(
        tcp_reachable(first),
        "Kafka is not reachable at {bootstrap}: start it with `scripts/infra.sh up` (or run scripts/test.sh)"
    );
    bootstrap
}

/// OpenSearch base URL, after checking that it accepts connections.
///
/// # Panics
/// If OpenSearch is not reachable, with a message that says how to start it.
pub fn require_opensearch() -> String {
    let url = opensearch_url();
    assert!(
        tcp_reachable(&host_port_of_url(&url)),
        "OpenSearch is not reachable at {url}: start it with `scripts/infra.sh up` (or run scripts/test.sh)"
    );
    url
}

/// Java Kafka Connect peer REST URL, after checking that it accepts connections.
///
/// # Panics
/// If the peer is not reachable, with a message that says how to start it.
pub fn require_peer_connect() -> String {
    let url = peer_connect_url();
    assert!(
        tcp_reachable(&host_port_of_url(&url)),
        "the Java Kafka Connect peer is not reachable at {url}: start it with `scripts/infra.sh up --peer`"
    );
    url
}

/// Sends SIGTERM to a child process and waits up to `limit` for it to exit; true if it did.
pub fn terminate(child: &mut std::process::Child, limit: Duration) -> bool {
    // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A name no other test run uses: `prefix-<pid>-<millis>-<n>`, lowercase (valid as a Kafka topic,
/// consumer group or OpenSearch index name).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}-{}-{millis}-{n}",
        prefix.to_lowercase(),
        std::process::id()
    )
}

/// Runs `fut`, panicking with `what` if it does not finish within `limit`.
///
/// Only works while `fut` yields: a blocking call inside it (a librdkafka `drop`, `committed()`,
/// `fetch_watermarks()`) cannot be interrupted. Prefer [`run_with_deadline`] for whole tests.
pub async fn with_timeout<F: Future>(what: &str, limit: Duration, fut: F) -> F::Output {
    match tokio::time::timeout(limit, fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what}: timed out after {limit:?}"),
    }
}

/// Runs the future made by `make` on its own thread and tokio runtime (2 workers), panicking with
/// `what` if it has not finished within `limit`, even if it is stuck in a blocking call (such as
/// librdkafka's destroy-hang on `drop`). A stuck thread is left behind; the test fails and the test
/// process ends normally. Panics inside the future are propagated.
pub fn run_with_deadline<M, F>(what: &str, limit: Duration, make: M) -> F::Output
where
    M: FnOnce() -> F + Send + 'static,
    F: Future,
    F::Output: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let name = what.to_string();
    std::thread::Builder::new()
        .name(format!("deadline: {what}"))
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap_or_else(|e| panic!("{name}: building a tokio runtime: {e}"))
                    .block_on(make())
            }));
            let _ = tx.send(result);
        })
        .unwrap_or_else(|e| panic!("{what}: spawning the test thread: {e}"));
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => {
            panic!("{what}: timed out after {limit:?} (a blocking call or a hang in a client drop)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_from_urls() {
        assert_eq!(host_port_of_url("http://127.0.0.1:9200"), "127.0.0.1:9200");
        assert_eq!(
            host_port_of_url("http://localhost:18083/"),
            "localhost:18083"
        );
        assert_eq!(host_port_of_url("http://example/x"), "example:80");
        assert_eq!(host_port_of_url("127.0.0.1:9200"), "127.0.0.1:9200");
    }

    #[test]
    fn unique_names_differ() {
        assert_ne!(unique_name("T"), unique_name("T"));
        assert!(unique_name("Smoke").starts_with("smoke-"));
    }
}
