//! The metrics plugins report through `TaskContext::record_metric`: counters, gauges and
//! histograms with labels, kept per connector and task until the host exposes them (`/metrics`).
//!
//! One process-wide table: tasks come and go, the series they reported stay until the connector
//! is deleted ([`PluginMetrics::remove_connector`]), as Kafka Connect's task metrics do.

use std::{
    collections::BTreeMap,
    sync::{Mutex, OnceLock},
};

use connect_plugin_api::abi::context::MetricKind;

/// The upper bounds of histogram buckets (Prometheus' defaults; values in seconds fit them best).
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The identity of one series: metric name and every label (`connector` and `task` included),
/// sorted by label name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    /// Metric name.
    pub name: String,
    /// Labels, sorted by name.
    pub labels: Vec<(String, String)>,
}

/// The value of one series.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesValue {
    /// Running total.
    Counter(f64),
    /// Last value.
    Gauge(f64),
    /// Observations: count, sum and cumulative bucket counts (one per [`BUCKETS`] bound).
    Histogram {
        /// Number of observations.
        count: u64,
        /// Sum of observations.
        sum: f64,
        /// Observations ≤ each bound of [`BUCKETS`].
        buckets: [u64; BUCKETS.len()],
    },
}

/// Why a sample was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricRejected {
    /// The name is not `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[error("metric name {0:?} is invalid: use [a-zA-Z_:][a-zA-Z0-9_:]*")]
    BadName(String),
    /// A label name is not `[a-zA-Z_][a-zA-Z0-9_]*`, or is `connector`/`task` (set by the host).
    #[error("label name {0:?} is invalid or reserved (connector and task are set by the host)")]
    BadLabel(String),
    /// The series exists with another kind.
    #[error("metric {name} is a {existing}; a {sample} sample for it was dropped")]
    KindMismatch {
        /// Metric name.
        name: String,
        /// Its kind.
        existing: &'static str,
        /// The sample's kind.
        sample: &'static str,
    },
    /// A counter was given a negative or non-finite increment, or an unknown kind was used.
    #[error(
        "metric {0}: counters only grow (a negative or non-finite increment, or an unknown kind, was dropped)"
    )]
    BadValue(String),
}

/// All plugin-reported series.
#[derive(Default)]
pub struct PluginMetrics {
    series: Mutex<BTreeMap<SeriesKey, SeriesValue>>,
}

impl PluginMetrics {
    /// The process-wide table.
    pub fn global() -> &'static PluginMetrics {
        static GLOBAL: OnceLock<PluginMetrics> = OnceLock::new();
        GLOBAL.get_or_init(PluginMetrics::default)
    }

    /// Records one sample of task `task` of `connector`.
    pub fn record(
        &self,
        connector: &str,
        task: i32,
        kind: MetricKind,
        name: &str,
        labels: &[(&str, &str)],
        value: f64,
    ) -> Result<(), MetricRejected> {
        if !valid_name(name, true) {
            return Err(MetricRejected::BadName(name.to_owned()));
        }
        let mut all: Vec<(String, String)> = Vec::with_capacity(labels.len() + 2);
        for (n, v) in labels {
            if !valid_name(n, false) || *n == "connector" || *n == "task" {
                return Err(MetricRejected::BadLabel((*n).to_owned()));
            }
            all.push(((*n).to_owned(), (*v).to_owned()));
        }
        all.push(("connector".to_owned(), connector.to_owned()));
        all.push(("task".to_owned(), task.to_string()));
        all.sort();
        let key = SeriesKey {
            name: name.to_owned(),
            labels: all,
        };
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let entry = match series.get_mut(&key) {
            Some(v) => v,
            None => {
                let fresh = match kind {
                    MetricKind::COUNTER => SeriesValue::Counter(0.0),
                    MetricKind::GAUGE => SeriesValue::Gauge(0.0),
                    MetricKind::HISTOGRAM => SeriesValue::Histogram {
                        count: 0,
                        sum: 0.0,
                        buckets: [0; BUCKETS.len()],
                    },
                    _ => return Err(MetricRejected::BadValue(name.to_owned())),
                };
                series.entry(key).or_insert(fresh)
            }
        };
        match (entry, kind) {
            (SeriesValue::Counter(total), MetricKind::COUNTER) => {
                if !value.is_finite() || value < 0.0 {
                    return Err(MetricRejected::BadValue(name.to_owned()));
                }
                *total += value;
            }
            (SeriesValue::Gauge(last), MetricKind::GAUGE) => *last = value,
            (
                SeriesValue::Histogram {
                    count,
                    sum,
                    buckets,
                },
                MetricKind::HISTOGRAM,
            ) => {
                *count += 1;
                *sum += value;
                for (b, bound) in buckets.iter_mut().zip(BUCKETS) {
                    if value <= bound {
                        *b += 1;
                    }
                }
            }
            (existing, sample) => {
                return Err(MetricRejected::KindMismatch {
                    name: name.to_owned(),
                    existing: match existing {
                        SeriesValue::Counter(_) => "counter",
                        SeriesValue::Gauge(_) => "gauge",
                        SeriesValue::Histogram { .. } => "histogram",
                    },
                    sample: sample.name(),
                });
            }
        }
        Ok(())
    }

    /// Every series of `connector` (all of them when `None`), in key order.
    pub fn snapshot(&self, connector: Option<&str>) -> Vec<(SeriesKey, SeriesValue)> {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        series
            .iter()
            .filter(|(k, _)| {
                connector.is_none_or(|c| k.labels.iter().any(|(n, v)| n == "connector" && v == c))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Forgets the series of a deleted connector.
    pub fn remove_connector(&self, connector: &str) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        series.retain(|k, _| {
            !k.labels
                .iter()
                .any(|(n, v)| n == "connector" && v == connector)
        });
    }
}

fn valid_name(name: &str, colon: bool) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_gauges_histograms_and_their_rules() {
        let m = PluginMetrics::default();
        m.record(
            "c",
            0,
            MetricKind::COUNTER,
            "docs_total",
            &[("index", "a")],
            2.0,
        )
        .unwrap();
        m.record(
            "c",
            0,
            MetricKind::COUNTER,
            "docs_total",
            &[("index", "a")],
            3.0,
        )
        .unwrap();
        m.record("c", 1, MetricKind::GAUGE, "buffered", &[], 7.0)
            .unwrap();
        m.record("c", 1, MetricKind::GAUGE, "buffered", &[], 4.0)
            .unwrap();
        m.record("c", 0, MetricKind::HISTOGRAM, "latency_seconds", &[], 0.03)
            .unwrap();
        m.record("c", 0, MetricKind::HISTOGRAM, "latency_seconds", &[], 3.0)
            .unwrap();
        let snap = m.snapshot(Some("c"));
        assert_eq!(snap.len(), 3);
        assert_eq!(snap[1].0.name, "docs_total");
        assert_eq!(
            snap[1].0.labels,
            vec![
                ("connector".into(), "c".into()),
                ("index".into(), "a".into()),
                ("task".into(), "0".into())
            ]
        );
        assert_eq!(snap[1].1, SeriesValue::Counter(5.0));
        assert_eq!(snap[0].1, SeriesValue::Gauge(4.0));
        let SeriesValue::Histogram {
            count,
            sum,
            buckets,
        } = &snap[2].1
        else {
            panic!("not a histogram")
        };
        assert_eq!((*count, *sum), (2, 3.03));
        assert_eq!(buckets[2], 0, "0.03 is above the 0.025 bound");
        assert_eq!(buckets[3], 1);
        assert_eq!(buckets[10], 2);

        assert!(matches!(
            m.record(
                "c",
                0,
                MetricKind::GAUGE,
                "docs_total",
                &[("index", "a")],
                1.0
            ),
            Err(MetricRejected::KindMismatch { .. })
        ));
        assert!(
            m.record(
                "c",
                0,
                MetricKind::COUNTER,
                "docs_total",
                &[("index", "a")],
                -1.0
            )
            .is_err()
        );
        assert!(
            m.record("c", 0, MetricKind::COUNTER, "bad name", &[], 1.0)
                .is_err()
        );
        assert!(
            m.record("c", 0, MetricKind::COUNTER, "x", &[("task", "9")], 1.0)
                .is_err()
        );
        m.remove_connector("c");
        assert!(m.snapshot(None).is_empty());
    }
}
