//! The dead-letter queue topic, created when a sink task starts as Kafka Connect's
//! `DeadLetterQueueReporter.createAndSetup` creates it: if the topic does not exist, with one
//! partition and `errors.deadletterqueue.topic.replication.factor` replicas, through an admin
//! client built from the worker's `admin.*` and the connector's `admin.override.*` settings.
//! Another worker (or task) creating it first is fine; any other failure fails the task, so no
//! record is ever sent to a topic that is not there.

use std::time::Duration;

use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    types::RDKafkaErrorCode,
};

/// How long the metadata request and the creation may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Java's `DLQ_NUM_DESIRED_PARTITIONS`.
const PARTITIONS: i32 = 1;

/// Creates `topic` unless it exists. Returns whether this call created it, or Kafka Connect's
/// message ("Could not initialize dead letter queue with topic=…") with the cause.
pub fn ensure(
    admin_config: &ClientConfig,
    topic: &str,
    replication_factor: i16,
) -> Result<bool, String> {
    let fail = |cause: String| {
        format!("Could not initialize dead letter queue with topic={topic}: {cause}")
    };
    let admin: AdminClient<DefaultClientContext> = admin_config
        .create()
        .map_err(|e| fail(format!("cannot create the admin client: {e}")))?;
    // Every topic's metadata, not the one topic's: asking for a missing topic by name may make
    // the broker auto-create it with its own defaults instead of the configured replication.
    let metadata = admin
        .inner()
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| fail(format!("cannot read the topic's metadata: {e}")))?;
    let exists = metadata
        .topics()
        .iter()
        .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty());
    if exists {
        return Ok(false);
    }
    tracing::warn!(
        topic,
        replication_factor,
        "Topic {topic} doesn't exist. Will attempt to create topic."
    );
    let new_topic = NewTopic::new(
        topic,
        PARTITIONS,
        TopicReplication::Fixed(i32::from(replication_factor)),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let results = rt
        .block_on(admin.create_topics(
            [&new_topic],
            &AdminOptions::new().operation_timeout(Some(TIMEOUT)),
        ))
        .map_err(|e| fail(e.to_string()))?;
    match results.into_iter().next() {
        Some(Ok(_)) => Ok(true),
        Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
        Some(Err((_, code))) => Err(fail(format!(
            "{code} (with errors.deadletterqueue.topic.replication.factor={replication_factor}; \
             it must not exceed the number of brokers)"
        ))),
        None => Err(fail("the broker answered without a result".to_string())),
    }
}
