//! The REST API: Kafka Connect's HTTP control surface (contract §1), served with axum.
//!
//! Handlers translate HTTP to calls on the [`Herder`] and back; they hold no state of their own.
//! Kafka Connect's conventions kept throughout: every non-2xx answer has the error body
//! `{"error_code","message"}` ([`error`]), bodies are read like Jackson reads them ([`json`]),
//! a trailing slash is ignored (Jersey matches `/connectors/` like `/connectors`), and unknown
//! paths and wrong methods answer with Jersey's texts.
//!
//! In a Connect group, a request the herder says belongs to another worker (the leader, or the
//! owner of a connector or task) is forwarded there ([`forward`]), and the internal endpoints
//! other workers call check KIP-507 signatures ([`internal`], [`signature`]).

pub mod basic_auth;
mod call;
mod connectors;
mod cors;
pub mod error;
pub mod forward;
pub mod internal;
pub mod json;
pub mod loggers;
mod metrics;
mod offsets;
mod options;
mod params;
mod plugins;
mod response_headers;
mod root;
pub mod signature;
mod tasks;
pub mod tls;
pub mod tracing_control;
mod uri_compliance;

use std::{
    convert::Infallible,
    future::Future,
    io,
    net::SocketAddr,
    sync::{Arc, OnceLock},
};

use axum::{
    Json, Router,
    extract::Request,
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
};
use tokio::{net::TcpListener, sync::watch, task::JoinSet};
use tower::ServiceExt;

pub use error::RestError;
pub use internal::InternalApi;
pub use loggers::{LoggerControl, LoggerLevel};
pub use tracing_control::TracingLoggers;

use crate::runtime::herder::Herder;

/// What every handler needs: the control API and the log-level control.
#[derive(Clone)]
pub struct RestState {
    /// The worker's control API.
    pub herder: Herder,
    /// Backs `/admin/loggers`.
    pub loggers: Arc<dyn LoggerControl>,
    /// Basic authentication of the main listeners (`rest.extension.classes`), if configured.
    pub auth: Option<Arc<basic_auth::BasicAuth>>,
}

/// Every endpoint of the contract's table (§1.3), with Kafka Connect's 404/405 answers, the
/// internal endpoints, and forwarding to the worker that must handle a request.
pub fn router(state: RestState) -> Router {
    let internal: Arc<dyn InternalApi> = Arc::new(state.herder.clone());
    router_with(state, internal)
}

/// [`router`] without the `/admin` endpoints: what `admin.listeners=` (empty) asks for, as in
/// Kafka Connect, where an empty value disables them.
pub fn router_without_admin(state: RestState) -> Router {
    let internal: Arc<dyn InternalApi> = Arc::new(state.herder.clone());
    build_router(state, internal, false)
}

/// [`router`] with the internal endpoints served by `internal` instead of the herder.
pub fn router_with(state: RestState, internal: Arc<dyn InternalApi>) -> Router {
    build_router(state, internal, true)
}

/// The `/admin` endpoints alone, for the listeners of `admin.listeners` (Kafka Connect then
/// serves them there and nowhere else); every other path is an unknown one.
pub fn admin_router(state: RestState) -> Router {
    let routes = loggers::routes()
        .fallback(|| async { RestError::unknown_path() })
        .method_not_allowed_fallback(|| async { RestError::MethodNotAllowed })
        .with_state(state);
    Router::new()
        .fallback_service(routes.map_request(strip_trailing_slash))
        .layer(middleware::from_fn(options::answer))
        .layer(middleware::from_fn(uri_compliance::check))
}

fn build_router(state: RestState, internal: Arc<dyn InternalApi>, admin: bool) -> Router {
    let rest = &state.herder.worker_config().rest;
    let rules = Arc::new(rest.response_headers.clone());
    let cors = rest.cors.clone().map(Arc::new);
    let mut routes = Router::new()
        .merge(root::routes())
        .merge(connectors::routes())
        .merge(tasks::routes())
        .merge(offsets::routes())
        .merge(plugins::routes())
        .merge(metrics::routes());
    if admin {
        routes = routes.merge(loggers::routes());
    }
    let mut routes = routes
        .merge(internal::routes(internal))
        // On every route: any herder answer may name another worker (Java forwards reads too).
        .route_layer(middleware::from_fn_with_state(
            forward::Forwarder::new(&state.herder.worker_config().rest.tls),
            forward::middleware,
        ));
    // Outside forwarding, and on matched routes only: Jersey runs the extension's filter after
    // matching, so unknown paths and wrong methods answer 404/405 without credentials.
    if let Some(auth) = state.auth.clone() {
        routes = routes.route_layer(middleware::from_fn_with_state(auth, basic_auth::check));
    }
    let routes = routes
        .fallback(|| async { RestError::unknown_path() })
        .method_not_allowed_fallback(|| async { RestError::MethodNotAllowed })
        .with_state(state);
    // Routing happens inside `routes`, so the trailing slash must be gone before it sees the
    // request: the rewrite wraps the whole router instead of being one of its layers.
    let mut router = Router::new()
        .fallback_service(routes.map_request(strip_trailing_slash))
        .layer(middleware::from_fn(options::answer));
    // Outermost last: Jetty's CORS handler wraps the context whose filter adds the headers.
    if !rules.is_empty() {
        router = router.layer(middleware::from_fn(move |request, next| {
            response_headers::apply(rules.clone(), request, next)
        }));
    }
    if let Some(cors) = cors {
        router = router.layer(middleware::from_fn(move |request, next| {
            cors::apply(cors.clone(), request, next)
        }));
    }
    // Jetty refuses these while parsing the request, before any handler.
    router.layer(middleware::from_fn(uri_compliance::check))
}

/// `/connectors/` → `/connectors` (the query string is kept; `/` itself stays).
fn strip_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let path_and_query = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = path_and_query.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

/// A listener address that could not be bound.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {source}; {}", self.fix("the listener address"))]
pub struct BindError {
    /// Which of the addresses given to [`bind`] it is (its position in the list).
    pub index: usize,
    /// The address.
    pub addr: SocketAddr,
    /// Why the operating system refused it.
    #[source]
    pub source: io::Error,
}

impl BindError {
    /// What to do about it, by the kind of refusal; `setting` names what configures the address
    /// (e.g. `'listeners' (CONNECT_LISTENERS)`).
    pub fn fix(&self, setting: &str) -> String {
        match self.source.kind() {
            io::ErrorKind::AddrInUse => {
                format!("stop the process using that port or change {setting}")
            }
            io::ErrorKind::AddrNotAvailable => {
                format!("change {setting} to an address of this host (or 0.0.0.0 for all of them)")
            }
            io::ErrorKind::PermissionDenied => format!(
                "change {setting} to a port above 1023, or give the process the right to bind \
                 low ports"
            ),
            _ => format!("change {setting}"),
        }
    }
}

/// Binds every listener address, failing on the first that cannot be bound (naming it). Binding
/// is separate from serving so that a worker can refuse to start on a taken port before it does
/// anything else.
pub async fn bind(addrs: &[SocketAddr]) -> Result<Vec<TcpListener>, BindError> {
    let mut listeners = Vec::with_capacity(addrs.len());
    for (index, addr) in addrs.iter().enumerate() {
        let listener = TcpListener::bind(addr).await.map_err(|source| BindError {
            index,
            addr: *addr,
            source,
        })?;
        listeners.push(listener);
    }
    Ok(listeners)
}

/// Where the real router goes once the worker has one; see [`starting_router`].
#[derive(Clone, Default)]
pub struct RouterSlot(Arc<OnceLock<Router>>);

impl RouterSlot {
    /// From now on every request goes to `router`. Only the first call has an effect.
    pub fn install(&self, router: Router) {
        let _ = self.0.set(router);
    }
}

/// A router to serve from the moment the listeners are bound, while the worker opens its stores
/// and before its herder exists: `GET /health` answers 503 "starting" (as a starting herder does)
/// and every other request 503 with Kafka Connect's error body, until [`RouterSlot::install`]
/// hands every request to the real router. So a health check gets its answer at once instead of
/// hanging in the listen queue.
pub fn starting_router() -> (Router, RouterSlot) {
    let slot = RouterSlot::default();
    let installed = slot.clone();
    let service = tower::service_fn(move |req: Request| {
        let installed = installed.clone();
        async move {
            let response = match installed.0.get() {
                Some(router) => router.clone().oneshot(req).await?,
                None => still_starting(req.uri().path()),
            };
            Ok::<_, Infallible>(response)
        }
    });
    (Router::new().fallback_service(service), slot)
}

/// The answer to `path` while the worker has no herder yet.
fn still_starting(path: &str) -> Response {
    let status = StatusCode::SERVICE_UNAVAILABLE;
    if path.trim_end_matches('/') == "/health" {
        let message = "Worker is still starting up.";
        let body = serde_json::json!({ "status": "starting", "message": message });
        return (status, Json(body)).into_response();
    }
    let message = "The worker is still starting up (opening its internal topics); retry once GET /health \
                   answers 200";
    let body = serde_json::json!({ "error_code": status.as_u16(), "message": message });
    (status, Json(body)).into_response()
}

/// How a bound listener speaks: plain HTTP, or HTTPS with its acceptor ([`tls::acceptor`]).
#[derive(Clone)]
pub enum Transport {
    /// `http://`.
    Http,
    /// `https://`.
    Https(Arc<openssl::ssl::SslAcceptor>),
}

/// Serves each bound listener with its transport and router until `shutdown` completes, then
/// stops accepting and waits for in-flight requests to finish (graceful shutdown). If one
/// listener fails, the others are shut down too and its error is returned.
pub async fn serve_listeners(
    listeners: Vec<(TcpListener, Transport, Router)>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    // One shutdown future, many servers: fan it out through a watch channel.
    let (stop, stopped) = watch::channel(false);
    let mut servers = JoinSet::new();
    for (listener, transport, router) in listeners {
        let mut stopped = stopped.clone();
        // An error means the sender is gone, which also means "stop".
        let stop_signal = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        match transport {
            Transport::Http => {
                let server = axum::serve(listener, router).with_graceful_shutdown(stop_signal);
                servers.spawn(async move { server.await });
            }
            Transport::Https(acceptor) => {
                let listener = tls::TlsListener::new(listener, acceptor)?;
                let server = axum::serve(listener, router).with_graceful_shutdown(stop_signal);
                servers.spawn(async move { server.await });
            }
        }
    }
    let mut shutdown = std::pin::pin!(shutdown);
    let mut first_error = None;
    loop {
        tokio::select! {
            () = &mut shutdown, if !*stop.borrow() => {
                let _ = stop.send(true);
            }
            joined = servers.join_next() => match joined {
                None => break,
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(e))) => {
                    first_error.get_or_insert(e);
                    let _ = stop.send(true);
                }
                Some(Err(join)) => {
                    first_error.get_or_insert(io::Error::other(join));
                    let _ = stop.send(true);
                }
            },
        }
    }
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests;
