//! What a sink task's consumer subscribes to. `topics` is subscribed as listed. `topics.regex`
//! is matched here, as Java's `Pattern.matches` (the whole name, Java syntax — the same check
//! validation applies), against the cluster's topics, and the matching names are subscribed as
//! an explicit list, refreshed every `metadata.max.age.ms` (Kafka's consumer default, 5 min) so
//! that a topic created later is picked up. librdkafka's own pattern subscription is not used:
//! its dialect and its unanchored end (`^orders` also matches `orders-dlq`) mean something else
//! than what the validator accepted.

use std::time::{Duration, Instant};

use connect_data::transforms::java_regex::JavaPattern;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};

use super::errors::TaskFailure;

/// Kafka's `metadata.max.age.ms` default.
const DEFAULT_REFRESH: Duration = Duration::from_secs(300);
/// How long a metadata request may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);
/// Kafka's internal topics, which a pattern subscription never includes
/// (`exclude.internal.topics=true`).
const INTERNAL_TOPICS: &[&str] = &[
    "__consumer_offsets",
    "__transaction_state",
    "__share_group_state",
];

/// A sink task's subscription.
pub struct TopicSubscription {
    pattern: Option<JavaPattern>,
    topics: Vec<String>,
    refresh: Duration,
    refreshed: Option<Instant>,
}

impl TopicSubscription {
    /// `topics`, or the topics matching `topics_regex`; `metadata_max_age` is the consumer's
    /// `metadata.max.age.ms` if set.
    pub fn new(
        topics: &[String],
        topics_regex: Option<&str>,
        metadata_max_age: Option<&str>,
    ) -> Result<TopicSubscription, TaskFailure> {
        let pattern = match topics_regex {
            None => None,
            Some(re) => Some(
                JavaPattern::compile(re)
                    .map_err(|e| TaskFailure::new(format!("invalid topics.regex {re}: {e}"), ""))?,
            ),
        };
        let refresh = metadata_max_age
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(DEFAULT_REFRESH, Duration::from_millis);
        Ok(TopicSubscription {
            pattern,
            topics: if topics_regex.is_some() {
                Vec::new()
            } else {
                topics.to_vec()
            },
            refresh,
            refreshed: None,
        })
    }

    /// The topics subscribed to now.
    pub fn topics(&self) -> &[String] {
        &self.topics
    }

    /// Subscribes (first call) or, with a pattern whose refresh is due, re-reads the topics and
    /// subscribes again if the matching set changed. A failed metadata read keeps the current
    /// subscription and is retried at the next refresh.
    pub fn update<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
    ) -> Result<(), TaskFailure> {
        let first = self.refreshed.is_none();
        let Some(pattern) = &self.pattern else {
            if first {
                self.refreshed = Some(Instant::now());
                subscribe(consumer, &self.topics)?;
            }
            return Ok(());
        };
        if !first && self.refreshed.is_some_and(|t| t.elapsed() < self.refresh) {
            return Ok(());
        }
        self.refreshed = Some(Instant::now());
        let metadata = match consumer.fetch_metadata(None, METADATA_TIMEOUT) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("cannot read the topics to match topics.regex against: {e}");
                return Ok(());
            }
        };
        let mut matched: Vec<String> = metadata
            .topics()
            .iter()
            .map(|t| t.name())
            .filter(|name| !INTERNAL_TOPICS.contains(name) && pattern.matches(name))
            .map(str::to_owned)
            .collect();
        matched.sort();
        if matched != self.topics || first {
            if matched != self.topics {
                tracing::info!(
                    topics = ?matched,
                    "topics.regex {} now matches these topics",
                    pattern.as_str()
                );
            }
            self.topics = matched;
            if self.topics.is_empty() {
                consumer.unsubscribe();
            } else {
                subscribe(consumer, &self.topics)?;
            }
        }
        Ok(())
    }
}

fn subscribe<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    topics: &[String],
) -> Result<(), TaskFailure> {
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    consumer
        .subscribe(&names)
        .map_err(|e| TaskFailure::new(format!("cannot subscribe: {e}"), ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_subscription_keeps_its_topics_and_a_pattern_starts_empty() {
        let listed = TopicSubscription::new(&["a".into(), "b".into()], None, None).unwrap();
        assert_eq!(listed.topics(), ["a", "b"]);
        let pattern = TopicSubscription::new(&[], Some("orders"), Some("2000")).unwrap();
        assert!(pattern.topics().is_empty());
        assert_eq!(pattern.refresh, Duration::from_millis(2000));
        assert!(TopicSubscription::new(&[], Some("("), None).is_err());
    }
}
