//! The internal endpoints other workers of the group call (Java's `InternalClusterResource`):
//! `POST /connectors/{c}/tasks` (a follower hands its connector's new task configs to the
//! leader) and `PUT /connectors/{c}/fence` (a round of zombie fencing for exactly-once source
//! tasks). Both answer 204.
//!
//! The signature is checked first, over the exact bytes received ([`super::signature`]), then the
//! herder is called; a herder that is not the leader makes the request go to the leader like
//! any other write ([`super::forward`]). There is no `PUT` on `…/tasks` (405, as in Java).

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{post, put},
};

use super::{
    call,
    error::RestError,
    json::{ConfigBody, RawBody, check_content_type, parse_body},
    params::ConnectPath,
    signature,
};
use crate::{
    cluster::signing::HmacAlgorithm,
    runtime::{
        herder::Herder,
        info::{HerderResult, RequestSigning},
        stores::ConfigMap,
    },
};

/// What the internal endpoints need from the herder. [`Herder`] is the implementation; the trait
/// lets tests stand in for a leader with a session key.
pub trait InternalApi: Send + Sync + 'static {
    /// Whether requests must be signed, and the key to check them with.
    fn request_signing(&self) -> RequestSigning;
    /// `inter.worker.verification.algorithms`.
    fn verification_algorithms(&self) -> Vec<HmacAlgorithm>;
    /// Writes a follower's task configs (leader only).
    fn put_task_configs_from_follower(
        &self,
        connector: &str,
        configs: Vec<ConfigMap>,
    ) -> HerderResult<()>;
    /// Fences the connector's zombie tasks (leader only).
    fn fence_zombies(&self, connector: &str) -> HerderResult<()>;
}

impl InternalApi for Herder {
    fn request_signing(&self) -> RequestSigning {
        Herder::request_signing(self)
    }

    fn verification_algorithms(&self) -> Vec<HmacAlgorithm> {
        // Standalone workers have no inter-worker settings and never sign: the default is moot.
        self.worker_config()
            .distributed
            .as_ref()
            .map(|d| d.inter_worker.verification_algorithms.clone())
            .unwrap_or_else(|| vec![HmacAlgorithm::HmacSha256])
    }

    fn put_task_configs_from_follower(
        &self,
        connector: &str,
        configs: Vec<ConfigMap>,
    ) -> HerderResult<()> {
        Herder::put_task_configs_from_follower(self, connector, configs)
    }

    fn fence_zombies(&self, connector: &str) -> HerderResult<()> {
        Herder::fence_zombies(self, connector)
    }
}

#[derive(Clone)]
struct InternalState {
    api: Arc<dyn InternalApi>,
}

/// Routes of this file, served by `api` (they have their own state, so they fit any router).
pub(super) fn routes<S: Clone + Send + Sync + 'static>(api: Arc<dyn InternalApi>) -> Router<S> {
    Router::new()
        .route("/connectors/{connector}/tasks", post(task_configs))
        .route("/connectors/{connector}/fence", put(fence))
        .with_state(InternalState { api })
}

/// Checks the request's signature over its exact bytes (nothing when the group does not sign).
async fn authenticate(
    state: &InternalState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), RestError> {
    let api = state.api.clone();
    let (signing, accepted) = call::blocking(call::REQUEST_TIMEOUT, move || {
        Ok((api.request_signing(), api.verification_algorithms()))
    })
    .await?;
    signature::check(&signing, &accepted, headers, body)
}

/// `POST …/tasks`: body `[{…task 0 config…}, …]` (values coerced to strings, as Jackson does).
async fn task_configs(
    State(state): State<InternalState>,
    ConnectPath(connector): ConnectPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<StatusCode, RestError> {
    check_content_type(&headers)?;
    authenticate(&state, &headers, &body).await?;
    let configs: Vec<ConfigBody> = parse_body(&body)?;
    let configs = configs.into_iter().map(|ConfigBody(c)| c).collect();
    let api = state.api.clone();
    call::blocking(call::REQUEST_TIMEOUT, move || {
        api.put_task_configs_from_follower(&connector, configs)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT …/fence`: no body (a body, if any, is what the signature covers).
async fn fence(
    State(state): State<InternalState>,
    ConnectPath(connector): ConnectPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<StatusCode, RestError> {
    authenticate(&state, &headers, &body).await?;
    let api = state.api.clone();
    call::blocking(call::REQUEST_TIMEOUT, move || api.fence_zombies(&connector)).await?;
    Ok(StatusCode::NO_CONTENT)
}
