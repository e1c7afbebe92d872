//! Retrying the Kafka errors that go away on their own.
//!
//! A topic that was just created, by this worker or by another one of its group racing it, has
//! no leader for a moment: metadata may not list it yet, and reads answer
//! `NotLeaderForPartition`, `LeaderNotAvailable` or `UnknownTopicOrPartition` until the broker
//! has taken its partitions over. A leader moving or a broker that is briefly unreachable
//! (transport errors, timeouts) looks the same. Kafka Connect retries these (they are its
//! `RetriableException`s) until its own timeout, and so do the stores here: [`retry`] repeats an
//! operation, with a short sleep, until it succeeds, fails with another error, or its deadline
//! passes.

use std::fmt::Display;
use std::thread;
use std::time::{Duration, Instant};

use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

/// The sleep between two attempts: short, because a new topic gets its leaders within a second.
pub(crate) const RETRY_BACKOFF: Duration = Duration::from_millis(150);

/// The shortest time one attempt is given, so that the last attempt before the deadline is not
/// handed a zero timeout (which librdkafka reports as a timeout without trying).
const MIN_ATTEMPT: Duration = Duration::from_millis(200);

/// Whether an error with this code is transient: leadership not (yet) settled, a topic or
/// partition not (yet) known to the broker answering, a broker unreachable or slow for a moment.
pub(crate) fn is_retriable_code(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode as C;
    matches!(
        code,
        // Leadership: the partition was just created or its leader moved.
        C::NotLeaderForPartition
            | C::LeaderNotAvailable
            | C::ReplicaNotAvailable
            | C::FencedLeaderEpoch
            | C::UnknownLeaderEpoch
            | C::OffsetNotAvailable
            | C::NotEnoughReplicas
            | C::NotEnoughReplicasAfterAppend
            | C::KafkaStorageError
            | C::NotController
            // Not known yet to the broker that answered: just created.
            | C::UnknownTopicOrPartition
            | C::UnknownPartition
            | C::UnknownTopic
            // The network or a busy broker.
            | C::BrokerTransportFailure
            | C::AllBrokersDown
            | C::Resolve
            | C::BrokerNotAvailable
            | C::NetworkException
            | C::RequestTimedOut
            | C::OperationTimedOut
            | C::TimedOutQueue
            | C::ThrottlingQuotaExceeded
            | C::WaitCache
            | C::Retry
    )
}

/// Whether `error` is transient (see [`is_retriable_code`]), so the operation should be retried.
pub(crate) fn is_retriable(error: &KafkaError) -> bool {
    match error {
        // rdkafka does not report the code of an admin error through `rdkafka_error_code`.
        KafkaError::AdminOp(code) => is_retriable_code(*code),
        other => other.rdkafka_error_code().is_some_and(is_retriable_code),
    }
}

/// Why [`retry`] returned without a result.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GaveUp<E> {
    /// An error that is not retriable: retrying would not help.
    Failed(E),
    /// Retriable errors until the deadline; this is the last one.
    TimedOut(E),
}

impl<E> GaveUp<E> {
    /// The error, whichever way it ended.
    pub(crate) fn into_error(self) -> E {
        match self {
            GaveUp::Failed(e) | GaveUp::TimedOut(e) => e,
        }
    }
}

/// Runs `attempt` until it succeeds, fails with an error `retriable` rejects, or `deadline`
/// passes, sleeping [`RETRY_BACKOFF`] between attempts. Each attempt is given the time left
/// (at least [`MIN_ATTEMPT`]) to use as its own timeout.
pub(crate) fn retry<T, E: Display>(
    deadline: Instant,
    retriable: impl Fn(&E) -> bool,
    mut attempt: impl FnMut(Duration) -> Result<T, E>,
) -> Result<T, GaveUp<E>> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match attempt(left.max(MIN_ATTEMPT)) {
            Ok(value) => return Ok(value),
            Err(e) if !retriable(&e) => return Err(GaveUp::Failed(e)),
            Err(e) => {
                if Instant::now() + RETRY_BACKOFF >= deadline {
                    return Err(GaveUp::TimedOut(e));
                }
                tracing::debug!(error = %e, "transient Kafka error; retrying");
                thread::sleep(RETRY_BACKOFF);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leadership_creation_and_transport_errors_are_retriable() {
        for code in [
            RDKafkaErrorCode::NotLeaderForPartition,
            RDKafkaErrorCode::LeaderNotAvailable,
            RDKafkaErrorCode::UnknownTopicOrPartition,
            RDKafkaErrorCode::UnknownPartition,
            RDKafkaErrorCode::BrokerTransportFailure,
            RDKafkaErrorCode::AllBrokersDown,
            RDKafkaErrorCode::OperationTimedOut,
            RDKafkaErrorCode::RequestTimedOut,
        ] {
            assert!(is_retriable(&KafkaError::MetadataFetch(code)), "{code}");
            assert!(
                is_retriable(&KafkaError::MessageConsumption(code)),
                "{code}"
            );
            assert!(is_retriable(&KafkaError::AdminOp(code)), "{code}");
        }
    }

    #[test]
    fn configuration_and_permission_errors_are_not_retriable() {
        for code in [
            RDKafkaErrorCode::TopicAuthorizationFailed,
            RDKafkaErrorCode::ClusterAuthorizationFailed,
            RDKafkaErrorCode::InvalidReplicationFactor,
            RDKafkaErrorCode::TopicAlreadyExists,
            RDKafkaErrorCode::InvalidArgument,
            RDKafkaErrorCode::Authentication,
            RDKafkaErrorCode::SSL,
        ] {
            assert!(!is_retriable(&KafkaError::MetadataFetch(code)), "{code}");
            assert!(!is_retriable(&KafkaError::AdminOp(code)), "{code}");
        }
        assert!(!is_retriable(&KafkaError::Canceled));
        assert!(!is_retriable(&KafkaError::PartitionEOF(0)));
    }

    fn code_retriable(code: &RDKafkaErrorCode) -> bool {
        is_retriable_code(*code)
    }

    #[test]
    fn retry_repeats_transient_errors_until_success() {
        let mut calls = 0;
        let deadline = Instant::now() + Duration::from_secs(10);
        let result = retry(deadline, code_retriable, |_| {
            calls += 1;
            if calls < 3 {
                Err(RDKafkaErrorCode::NotLeaderForPartition)
            } else {
                Ok(calls)
            }
        });
        assert_eq!(result, Ok(3));
    }

    #[test]
    fn retry_stops_at_the_first_permanent_error() {
        let mut calls = 0;
        let deadline = Instant::now() + Duration::from_secs(10);
        let result: Result<(), _> = retry(deadline, code_retriable, |_| {
            calls += 1;
            Err(RDKafkaErrorCode::TopicAuthorizationFailed)
        });
        assert_eq!(
            result,
            Err(GaveUp::Failed(RDKafkaErrorCode::TopicAuthorizationFailed))
        );
        assert_eq!(calls, 1);
    }

    #[test]
    fn retry_gives_up_at_the_deadline_with_the_last_error() {
        let began = Instant::now();
        let deadline = began + Duration::from_millis(500);
        let mut timeouts = Vec::new();
        let result: Result<(), _> = retry(deadline, code_retriable, |timeout| {
            timeouts.push(timeout);
            Err(RDKafkaErrorCode::LeaderNotAvailable)
        });
        assert_eq!(
            result,
            Err(GaveUp::TimedOut(RDKafkaErrorCode::LeaderNotAvailable))
        );
        let took = began.elapsed();
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
        // Several attempts, each given what was left (never less than the minimum).
        assert!(timeouts.len() >= 2, "{timeouts:?}");
        assert!(timeouts.iter().all(|t| *t >= MIN_ATTEMPT), "{timeouts:?}");
        assert!(timeouts[0] > timeouts[timeouts.len() - 1], "{timeouts:?}");
    }
}
