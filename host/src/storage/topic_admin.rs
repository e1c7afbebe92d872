//! Creating and checking the internal topics, with rdkafka's admin client.
//!
//! Mirrors what Kafka Connect's `TopicAdmin` does when a worker starts: create the topic if it is
//! missing (compacted, with the configured partitions and replication factor), and if it already
//! existed, refuse a compacted topic whose `cleanup.policy` is not exactly `compact`, with Kafka's
//! own message, because a deleting policy silently loses configs or offsets later.
//!
//! Several workers of a group starting at once race to create the same topics: the losers get
//! `TopicAlreadyExists`, which means "use it", and may then find the new topic not yet known to
//! the broker they ask; such transient errors are retried (see [`retry`](super::retry)).
//!
//! rdkafka's admin calls return futures completed by the admin client's own polling thread; they
//! need no async runtime, so [`block_on`] drives them on the calling (blocking) thread.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

use super::retry::{GaveUp, is_retriable, retry};
use super::topic_log::TopicSpec;
use crate::runtime::stores::StoreError;

/// How long one admin request may take before it is reported as failed.
pub(crate) const ADMIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The admin client used by the storage layer.
pub(crate) type Admin = AdminClient<DefaultClientContext>;

/// Creates an admin client from the shared client configuration.
pub(crate) fn admin_client(config: &ClientConfig, topic: &str) -> Result<Admin, StoreError> {
    config.create().map_err(|e| {
        StoreError::Kafka(format!(
            "cannot create an admin client for topic '{topic}': {e}; check the worker's Kafka client settings"
        ))
    })
}

/// Creates `topic` as `spec` says unless it exists; checks an existing compacted topic's policy.
pub(crate) fn ensure_topic(
    admin: &Admin,
    bootstrap: &str,
    topic: &str,
    spec: &TopicSpec,
) -> Result<(), StoreError> {
    let mut new_topic = NewTopic::new(
        topic,
        spec.partitions,
        TopicReplication::Fixed(i32::from(spec.replication_factor)),
    );
    if spec.compacted {
        new_topic = new_topic.set("cleanup.policy", "compact");
    }
    let deadline = Instant::now() + ADMIN_TIMEOUT;
    let created = retry(deadline, is_retriable, |timeout| {
        let results = block_on(
            admin.create_topics([&new_topic], &admin_options(timeout)),
            timeout,
        )
        .ok_or(KafkaError::AdminOp(RDKafkaErrorCode::OperationTimedOut))??;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(true),
            // Another worker (or an administrator) was first: use the topic it made.
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
            Some(Err((_, code))) => Err(KafkaError::AdminOp(code)),
            None => Err(KafkaError::AdminOpCreation(
                "the broker answered without a result for the topic".to_string(),
            )),
        }
    });
    let failure = match created {
        Ok(true) => {
            tracing::info!(
                topic,
                partitions = spec.partitions,
                replication_factor = spec.replication_factor,
                compacted = spec.compacted,
                "created internal topic"
            );
            return Ok(());
        }
        Ok(false) if spec.compacted => return verify_only_compact(admin, topic, spec),
        Ok(false) => return Ok(()),
        Err(failure) => failure,
    };
    let retried = matches!(failure, GaveUp::TimedOut(_));
    match failure.into_error() {
        KafkaError::AdminOp(RDKafkaErrorCode::OperationTimedOut) => {
            Err(unreachable_error(bootstrap, topic, "creating"))
        }
        KafkaError::AdminOp(RDKafkaErrorCode::InvalidReplicationFactor) => {
            Err(replication_error(admin, topic, spec))
        }
        KafkaError::AdminOp(
            code @ (RDKafkaErrorCode::TopicAuthorizationFailed
            | RDKafkaErrorCode::ClusterAuthorizationFailed
            | RDKafkaErrorCode::UnsupportedVersion),
        ) => {
            // Kafka Connect carries on here too: an administrator may have created the topic,
            // or the broker may auto-create it; reading it will fail clearly if neither holds.
            tracing::warn!(
                topic,
                error = %code,
                "not allowed to create the internal topic; assuming it exists or will be auto-created"
            );
            Ok(())
        }
        e => {
            let after = if retried {
                format!(
                    " (still failing after {} s of retries)",
                    ADMIN_TIMEOUT.as_secs()
                )
            } else {
                String::new()
            };
            Err(StoreError::Kafka(format!(
                "cannot create topic '{topic}' ({setting}.topic) on {bootstrap}: {e}{after}; \
                 check that the broker is reachable and accepts the topic's settings \
                 ({setting}.replication.factor, {setting}.partitions)",
                setting = spec.setting
            )))
        }
    }
}

/// The topic's `cleanup.policy` as the broker reports it (`None` if it reports none).
pub(crate) fn cleanup_policy(admin: &Admin, topic: &str) -> Result<Option<String>, StoreError> {
    let resource = ResourceSpecifier::Topic(topic);
    // A topic another worker created a moment ago may not be known yet to the broker answering.
    let deadline = Instant::now() + ADMIN_TIMEOUT;
    let described = retry(deadline, is_retriable, |timeout| {
        let results = block_on(
            admin.describe_configs([&resource], &admin_options(timeout)),
            timeout,
        )
        .ok_or(KafkaError::AdminOp(RDKafkaErrorCode::OperationTimedOut))??;
        match results.into_iter().next() {
            Some(Ok(resource)) => Ok(resource.get("cleanup.policy").and_then(|e| e.value.clone())),
            Some(Err(code)) => Err(KafkaError::AdminOp(code)),
            None => Ok(None),
        }
    });
    described.map_err(|failure| {
        StoreError::Kafka(match failure {
            GaveUp::Failed(e) => format!("cannot describe topic '{topic}': {e}"),
            GaveUp::TimedOut(e) => format!(
                "cannot describe topic '{topic}': still failing after {} s of retries (last \
                 error: {e})",
                ADMIN_TIMEOUT.as_secs()
            ),
        })
    })
}

/// Fails, with Kafka Connect's message, unless the existing topic's policy is exactly `compact`.
fn verify_only_compact(admin: &Admin, topic: &str, spec: &TopicSpec) -> Result<(), StoreError> {
    let policy = match cleanup_policy(admin, topic) {
        Ok(Some(policy)) => policy,
        Ok(None) => return Ok(()),
        Err(e) => {
            // Kafka Connect only warns here: the principal may lack DescribeConfigs.
            tracing::warn!(
                topic,
                error = %e,
                "could not verify that the internal topic is compacted (cleanup.policy=compact)"
            );
            return Ok(());
        }
    };
    let policies: Vec<String> = policy
        .split(',')
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    if policies.iter().all(|p| p == "compact") && !policies.is_empty() {
        return Ok(());
    }
    let setting = format!("{}.topic", spec.setting);
    let purpose = spec.purpose;
    let found = policies.join(",");
    Err(StoreError::Kafka(format!(
        "Topic '{topic}' supplied via the '{setting}' property is required to have \
         'cleanup.policy=compact' to guarantee consistency and durability of {purpose}, but found \
         the topic currently has 'cleanup.policy={found}'. Continuing would likely result in \
         eventually losing {purpose} and problems restarting this Connect cluster in the future. \
         Change the '{setting}' property in the Connect worker configurations to use a topic with \
         'cleanup.policy=compact'."
    )))
}

/// The message for a replication factor the cluster cannot satisfy, naming the setting to change.
fn replication_error(admin: &Admin, topic: &str, spec: &TopicSpec) -> StoreError {
    let brokers = admin
        .inner()
        .fetch_metadata(None, ADMIN_TIMEOUT)
        .map(|m| m.brokers().len().to_string())
        .unwrap_or_else(|_| "fewer".to_string());
    StoreError::Kafka(format!(
        "cannot create topic '{topic}' ({setting}.topic) with replication factor {rf}: the cluster \
         has {brokers} broker(s); set {setting}.replication.factor to at most the broker count \
         (e.g. {setting}.replication.factor=1 for a single broker, or -1 for the broker default)",
        setting = spec.setting,
        rf = spec.replication_factor,
    ))
}

fn unreachable_error(bootstrap: &str, topic: &str, doing: &str) -> StoreError {
    StoreError::Kafka(format!(
        "{doing} topic '{topic}' timed out after {} s: is Kafka reachable at {bootstrap}? \
         Check bootstrap.servers",
        ADMIN_TIMEOUT.as_secs()
    ))
}

/// Options for one admin request that may take up to `timeout`.
fn admin_options(timeout: Duration) -> AdminOptions {
    AdminOptions::new()
        .request_timeout(Some(timeout))
        .operation_timeout(Some(timeout))
}

/// Runs `future` to completion on this thread, or gives up after `timeout` (`None`).
///
/// Only for futures completed by another thread (rdkafka's admin results); it parks between polls.
pub(crate) fn block_on<F: Future>(future: F, timeout: Duration) -> Option<F::Output> {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    let deadline = Instant::now() + timeout;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return Some(output);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        thread::park_timeout(deadline - now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_returns_ready_output_and_times_out_on_pending() {
        assert_eq!(block_on(async { 7 }, Duration::from_millis(10)), Some(7));
        let never = std::future::pending::<()>();
        assert_eq!(block_on(never, Duration::from_millis(20)), None);
    }
}
