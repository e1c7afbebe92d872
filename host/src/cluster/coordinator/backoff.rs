//! The pause between retries: Kafka clients' `retry.backoff.ms` (100 ms) doubling up to
//! `retry.backoff.max.ms` (1 s), so a coordinator that moves is found again quickly but a
//! broker that stays down is not hammered.

use std::time::Duration;

use tokio::time::Instant;

const FIRST: Duration = Duration::from_millis(100);
const MAX: Duration = Duration::from_secs(1);

/// Growing retry pauses for one operation; [`Backoff::reset`] after a success.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: FIRST }
    }
}

impl Backoff {
    /// The next pause, and grows the one after it.
    pub(crate) fn next_pause(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(MAX);
        pause
    }

    /// Back to the shortest pause.
    pub(crate) fn reset(&mut self) {
        self.next = FIRST;
    }

    /// Sleeps the next pause, but never past `deadline`.
    pub(crate) async fn sleep(&mut self, deadline: Instant) {
        let until = (Instant::now() + self.next_pause()).min(deadline);
        tokio::time::sleep_until(until).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_a_second_and_reset() {
        let mut b = Backoff::default();
        let pauses: Vec<u128> = (0..6).map(|_| b.next_pause().as_millis()).collect();
        assert_eq!(pauses, [100, 200, 400, 800, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_pause(), FIRST);
    }
}
