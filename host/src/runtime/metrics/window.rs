//! Kafka's sampled statistics (`-avg`, `-max`, `-rate`) over a recent window: two samples of
//! 30 s (Kafka Connect's `metrics.num.samples` 2 and `metrics.sample.window.ms` 30000), so a
//! value describes the last 30 to 60 s, as Kafka's `SampledStat` does.
//!
//! Updated once per batch (a put, a poll, a commit), never per record, under a mutex only the
//! task thread and a scrape take.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// Length of one sample.
pub const SAMPLE_WINDOW: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
struct Sample {
    start: Instant,
    count: u64,
    sum: f64,
    max: f64,
}

impl Sample {
    fn new(start: Instant) -> Self {
        Self {
            start,
            count: 0,
            sum: 0.0,
            max: f64::NEG_INFINITY,
        }
    }
}

/// What a window holds at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowStats {
    /// Observations in the window.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// Mean of the observations (NaN when there were none, as Kafka reports).
    pub avg: f64,
    /// Largest observation (NaN when there were none).
    pub max: f64,
    /// Sum per second over the window's elapsed time (Kafka's `Rate`).
    pub rate: f64,
}

/// Two samples of [`SAMPLE_WINDOW`].
#[derive(Debug)]
pub struct Windowed {
    samples: Mutex<[Sample; 2]>,
    window: Duration,
}

impl Default for Windowed {
    fn default() -> Self {
        Self::with_window(SAMPLE_WINDOW)
    }
}

impl Windowed {
    /// A window of two samples of `window` each.
    pub fn with_window(window: Duration) -> Self {
        Self::starting_at(window, Instant::now())
    }

    fn starting_at(window: Duration, now: Instant) -> Self {
        Self {
            samples: Mutex::new([Sample::new(now), Sample::new(now)]),
            window,
        }
    }

    /// Records one observation (`value`: a duration in ms, a batch size, a record count).
    pub fn record(&self, value: f64) {
        self.record_at(value, Instant::now());
    }

    fn record_at(&self, value: f64, now: Instant) {
        let mut s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        Self::roll(&mut s, now, self.window);
        let current = &mut s[1];
        current.count += 1;
        current.sum += value;
        current.max = current.max.max(value);
    }

    /// The statistics of the last one to two windows.
    pub fn stats(&self) -> WindowStats {
        self.stats_at(Instant::now())
    }

    fn stats_at(&self, now: Instant) -> WindowStats {
        let mut s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        Self::roll(&mut s, now, self.window);
        let count = s[0].count + s[1].count;
        let sum = s[0].sum + s[1].sum;
        let max = s[0].max.max(s[1].max);
        // Kafka's Rate divides by the time the samples cover, at least all but one window.
        let elapsed = now
            .saturating_duration_since(s[0].start)
            .max(self.window)
            .as_secs_f64();
        WindowStats {
            count,
            sum,
            avg: if count == 0 {
                f64::NAN
            } else {
                sum / count as f64
            },
            max: if count == 0 { f64::NAN } else { max },
            rate: sum / elapsed,
        }
    }

    /// Drops samples older than the window and starts a new one when the current one is full.
    fn roll(s: &mut [Sample; 2], now: Instant, window: Duration) {
        if now.saturating_duration_since(s[1].start) < window {
            return;
        }
        if now.saturating_duration_since(s[1].start) < window * 2 {
            s[0] = s[1];
            s[1] = Sample::new(s[0].start + window);
        } else {
            // Idle for more than two windows: nothing recent is left.
            s[0] = Sample::new(now.checked_sub(window).unwrap_or(now));
            s[1] = Sample::new(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avg_max_and_rate_cover_the_last_two_samples_only() {
        let t0 = Instant::now();
        let w = Windowed::starting_at(Duration::from_secs(10), t0);
        assert!(w.stats_at(t0).avg.is_nan(), "no observation: NaN, as Kafka");
        w.record_at(2.0, t0);
        w.record_at(6.0, t0 + Duration::from_secs(1));
        let s = w.stats_at(t0 + Duration::from_secs(5));
        assert_eq!((s.count, s.sum, s.avg, s.max), (2, 8.0, 4.0, 6.0));
        assert_eq!(s.rate, 0.8, "8 over the minimum span of one window (10 s)");
        // Second sample: both still count.
        w.record_at(10.0, t0 + Duration::from_secs(12));
        let s = w.stats_at(t0 + Duration::from_secs(15));
        assert_eq!((s.count, s.max), (3, 10.0));
        assert_eq!(s.rate, 18.0 / 15.0);
        // Third window: the first sample is gone.
        let s = w.stats_at(t0 + Duration::from_secs(25));
        assert_eq!((s.count, s.max), (1, 10.0));
        // Long idle: nothing.
        let s = w.stats_at(t0 + Duration::from_secs(100));
        assert_eq!(s.count, 0);
        assert!(s.max.is_nan());
    }
}
