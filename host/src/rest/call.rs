//! Calling the Herder from async handlers. Herder methods block (they may wait on Kafka), so
//! each call runs on tokio's blocking pool, bounded by Kafka Connect's REST request timeout.

use std::time::Duration;

use super::{RestState, error::RestError};
use crate::runtime::{herder::Herder, info::HerderResult};

/// Kafka Connect's default REST request timeout (`ConnectorsResource.REQUEST_TIMEOUT_MS`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// Runs `f` on the blocking pool with a clone of the Herder. A call still running after
/// [`REQUEST_TIMEOUT`] answers 500 "Request timed out." (the call itself finishes in the
/// background: blocking work cannot be cancelled); a panic in the Herder answers 500 too.
pub async fn herder<T, F>(state: &RestState, f: F) -> Result<T, RestError>
where
    F: FnOnce(&Herder) -> HerderResult<T> + Send + 'static,
    T: Send + 'static,
{
    herder_within(state, REQUEST_TIMEOUT, f).await
}

/// [`herder`] with another time limit (the health check has its own, shorter one).
pub async fn herder_within<T, F>(state: &RestState, limit: Duration, f: F) -> Result<T, RestError>
where
    F: FnOnce(&Herder) -> HerderResult<T> + Send + 'static,
    T: Send + 'static,
{
    let herder = state.herder.clone();
    blocking(limit, move || f(&herder)).await
}

/// Runs blocking work `f` on the blocking pool, bounded by `limit` like [`herder`] (for callers
/// holding something other than [`RestState`]'s herder).
pub async fn blocking<T, F>(limit: Duration, f: F) -> Result<T, RestError>
where
    F: FnOnce() -> HerderResult<T> + Send + 'static,
    T: Send + 'static,
{
    let job = tokio::task::spawn_blocking(f);
    match tokio::time::timeout(limit, job).await {
        Ok(Ok(result)) => result.map_err(RestError::from),
        Ok(Err(join)) => Err(RestError::Internal(format!(
            "The request failed unexpectedly: {join}"
        ))),
        Err(_) => Err(RestError::Internal("Request timed out.".to_owned())),
    }
}

/// [`herder`] for the Herder methods that cannot fail.
pub async fn herder_infallible<T, F>(state: &RestState, f: F) -> Result<T, RestError>
where
    F: FnOnce(&Herder) -> T + Send + 'static,
    T: Send + 'static,
{
    herder(state, move |h| Ok(f(h))).await
}
