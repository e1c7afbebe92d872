//! Test helper: another "worker" on a loopback port that records every request it gets and
//! answers each with one canned response, so tests can see exactly what was sent to it.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::Request,
    http::{HeaderMap, Method, StatusCode},
    response::Response,
};

/// One request as the peer received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its method.
    pub method: Method,
    /// Path and query, as sent.
    pub uri: String,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body bytes.
    pub body: Bytes,
}

/// A running peer; stops when dropped.
pub struct Peer {
    /// `http://127.0.0.1:<port>/`, the form of an advertised worker URL.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Peer {
    /// A peer answering `status` with `body` (as JSON, with a `Location` if `location` is set).
    pub async fn answering(
        status: u16,
        answer: &'static str,
        location: Option<&'static str>,
    ) -> Peer {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let app = Router::new().fallback(move |req: Request| {
            let log = log.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                log.lock().unwrap().push(Received {
                    method: parts.method,
                    uri: parts.uri.to_string(),
                    headers: parts.headers,
                    body,
                });
                let mut response = Response::builder()
                    .status(StatusCode::from_u16(status).unwrap())
                    .header("content-type", "application/json")
                    .header("x-peer-only", "1");
                if let Some(location) = location {
                    response = response.header("location", location);
                }
                response.body(Body::from(answer)).unwrap()
            }
        });
        Peer::serve(app, received).await
    }

    /// Serves `app` (e.g. a whole REST router acting as the leader), recording nothing.
    pub async fn serving(app: Router) -> Peer {
        Peer::serve(app, Arc::default()).await
    }

    async fn serve(app: Router, received: Arc<Mutex<Vec<Received>>>) -> Peer {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Peer {
            url,
            received,
            server,
        }
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A URL where nothing listens (a port bound and released again).
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/")
}
