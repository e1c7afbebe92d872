//! `GET /metrics`: every series of this worker in the OpenMetrics text format (which Prometheus
//! scrapes), written by `prometheus-client`.
//!
//! Names follow Strimzi's JMX exporter rules for Kafka Connect
//! (`packaging/examples/metrics/kafka-connect-metrics.yaml` of strimzi/strimzi-kafka-operator,
//! the rule set its Grafana dashboard reads), so dashboards built on a Java worker with those
//! rules work unchanged:
//!
//! - task groups: `kafka_connect_<group without -metrics>_<attribute>` with `connector` and
//!   `task` labels (`kafka_connect_sink_task_sink_record_read_total{connector="c",task="0"}`);
//! - connect-worker-metrics: `kafka_connect_worker_<attribute>` (per connector with a
//!   `connector` label); connect-worker-rebalance-metrics: `kafka_connect_worker_rebalance_…`;
//! - connector-metrics: `kafka_connect_connector_<attribute>`;
//! - `-` becomes `_`; attributes ending in `-total` are counters, the rest gauges, as the
//!   rules type them;
//! - string attributes (`status`, `connector-class`, `leader-name`, …) are gauges of value 1
//!   with the string in a label named after the attribute
//!   (`kafka_connect_connector_task_status{connector="c",task="0",status="running"} 1`).
//! - `*-record-active-count-avg`/`-max` share the name of `*-record-active-count`, told apart by
//!   an `_objectname` label, as the rules' unanchored `.+-count` makes the JMX exporter name them.
//!
//! What Kafka lacks is named `connect_…`, and plugin-reported series keep the plugin's names.

use std::collections::HashMap;

use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, EncodeMetric},
    metrics::{MetricType, histogram::Histogram},
    registry::Registry,
};

use super::{ConnectMetrics, TaskKind, TaskMetrics, window::WindowStats};
use crate::runtime::{
    plugin_metrics::{self, PluginMetrics, SeriesValue},
    status::State,
};

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(String, String)>;

#[derive(Debug, Clone)]
enum Value {
    Number(f64),
    Histogram(Histogram),
    /// Sum, count and cumulative counts per upper bound.
    Buckets(f64, u64, Vec<(f64, u64)>),
}

#[derive(Debug)]
struct Family {
    kind: MetricType,
    help: String,
    samples: Vec<(Labels, Value)>,
}

/// The families of one scrape, in the order first added.
#[derive(Debug, Default)]
struct Families {
    order: Vec<String>,
    by_name: HashMap<String, Family>,
}

impl Families {
    /// Adds one sample; a name already used with another type is skipped (a plugin series
    /// colliding with another).
    fn add(&mut self, name: &str, kind: MetricType, help: &str, labels: Labels, value: Value) {
        let family = self.by_name.entry(name.to_owned()).or_insert_with(|| {
            self.order.push(name.to_owned());
            Family {
                kind,
                help: help.to_owned(),
                samples: Vec::new(),
            }
        });
        if family.kind.as_str() == kind.as_str() {
            family.samples.push((labels, value));
        }
    }

    /// A Kafka attribute under `prefix`, typed as the JMX exporter rules type it.
    fn kafka(&mut self, prefix: &str, attribute: &str, labels: &Labels, value: f64) {
        let name = format!("{prefix}_{}", attribute.replace('-', "_"));
        let help = format!("Kafka Connect {} {attribute}", group_of(prefix));
        match name.strip_suffix("_total") {
            Some(base) => self.add(
                base,
                MetricType::Counter,
                &help,
                labels.clone(),
                Value::Number(value),
            ),
            None => self.add(
                &name,
                MetricType::Gauge,
                &help,
                labels.clone(),
                Value::Number(value),
            ),
        }
    }

    /// A string attribute: a gauge of 1 with the value in a label named after the attribute.
    fn kafka_string(&mut self, prefix: &str, attribute: &str, labels: &Labels, value: &str) {
        let label = attribute.replace('-', "_");
        let mut labels = labels.clone();
        labels.push((label.clone(), value.to_owned()));
        self.add(
            &format!("{prefix}_{label}"),
            MetricType::Gauge,
            &format!(
                "Kafka Connect {} {attribute} (its value is the label)",
                group_of(prefix)
            ),
            labels,
            Value::Number(1.0),
        );
    }
}

impl Collector for Families {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for name in &self.order {
            let family = &self.by_name[name];
            let mut metric = encoder.encode_descriptor(name, &family.help, None, family.kind)?;
            for (labels, value) in &family.samples {
                if let (true, Value::Number(v)) = (labels.is_empty(), value) {
                    // No `{}` after the name, as the JMX exporter writes a series without labels.
                    encode_number(&mut metric, family.kind, *v)?;
                    continue;
                }
                let mut sample = metric.encode_family(labels)?;
                match value {
                    Value::Number(v) => encode_number(&mut sample, family.kind, *v)?,
                    Value::Histogram(h) => h.encode(sample)?,
                    Value::Buckets(sum, count, buckets) => {
                        // The encoder takes counts per bucket and accumulates them itself.
                        let mut previous = 0;
                        let per_bucket: Vec<(f64, u64)> = buckets
                            .iter()
                            .map(|(bound, cumulative)| {
                                let n = cumulative - previous;
                                previous = *cumulative;
                                (*bound, n)
                            })
                            .collect();
                        sample.encode_histogram::<Labels>(*sum, *count, &per_bucket, None)?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn encode_number(
    encoder: &mut prometheus_client::encoding::MetricEncoder<'_>,
    kind: MetricType,
    v: f64,
) -> Result<(), std::fmt::Error> {
    match kind {
        MetricType::Counter => encoder.encode_counter::<Labels, f64, f64>(&v, None),
        _ => encoder.encode_gauge(&v),
    }
}

/// The Kafka group a name prefix stands for (for the help text).
fn group_of(prefix: &str) -> &'static str {
    match prefix {
        "kafka_connect_worker" => "connect-worker-metrics",
        "kafka_connect_worker_rebalance" => "connect-worker-rebalance-metrics",
        "kafka_connect_connector" => "connector-metrics",
        "kafka_connect_connector_task" => "connector-task-metrics",
        "kafka_connect_sink_task" => "sink-task-metrics",
        "kafka_connect_source_task" => "source-task-metrics",
        _ => "task-error-metrics",
    }
}

/// Kafka's lower-case state names (`running`, `paused`, …), as its metrics show them.
fn state_name(state: State) -> String {
    state.as_str().to_ascii_lowercase()
}

fn task_labels(t: &TaskMetrics) -> Labels {
    vec![
        ("connector".to_owned(), t.connector.clone()),
        ("task".to_owned(), t.task.to_string()),
    ]
}

fn windowed(f: &mut Families, prefix: &str, attribute: &str, labels: &Labels, w: f64) {
    f.kafka(prefix, attribute, labels, w);
}

/// connector-task-metrics, task-error-metrics and the sink or source group of one task.
fn task_families(f: &mut Families, t: &TaskMetrics) {
    use std::sync::atomic::Ordering::Relaxed;
    let labels = task_labels(t);
    let (state, running, paused) = t.state();
    let p = "kafka_connect_connector_task";
    f.kafka_string(p, "status", &labels, &state_name(state));
    f.kafka(p, "running-ratio", &labels, running);
    f.kafka(p, "pause-ratio", &labels, paused);
    let batch = t.batch_size.stats();
    windowed(f, p, "batch-size-avg", &labels, batch.avg);
    windowed(f, p, "batch-size-max", &labels, batch.max);
    let commit = t.commit_time.stats();
    windowed(f, p, "offset-commit-avg-time-ms", &labels, commit.avg);
    windowed(f, p, "offset-commit-max-time-ms", &labels, commit.max);
    let outcome = t.commit_outcome.stats();
    let (success, failure) = if outcome.count == 0 {
        (0.0, 0.0)
    } else {
        (outcome.avg, 1.0 - outcome.avg)
    };
    f.kafka(p, "offset-commit-success-percentage", &labels, success);
    f.kafka(p, "offset-commit-failure-percentage", &labels, failure);
    if let Some((class, kind, version)) = t.plugin.lock().unwrap_or_else(|e| e.into_inner()).clone()
    {
        f.kafka_string(p, "connector-class", &labels, &class);
        f.kafka_string(p, "connector-type", &labels, &kind);
        f.kafka_string(p, "connector-version", &labels, &version);
    }

    let e = &t.errors;
    let p = "kafka_connect_task_error";
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Relaxed) as f64;
    f.kafka(p, "total-record-errors", &labels, n(&e.record_errors));
    f.kafka(p, "total-record-failures", &labels, n(&e.record_failures));
    f.kafka(p, "total-records-skipped", &labels, n(&e.records_skipped));
    f.kafka(p, "total-retries", &labels, n(&e.retries));
    f.kafka(p, "total-errors-logged", &labels, n(&e.errors_logged));
    f.kafka(
        p,
        "deadletterqueue-produce-requests",
        &labels,
        n(&e.dlq_requests),
    );
    f.kafka(
        p,
        "deadletterqueue-produce-failures",
        &labels,
        n(&e.dlq_failures),
    );
    f.kafka(
        p,
        "last-error-timestamp",
        &labels,
        e.last_error_ms.load(Relaxed) as f64,
    );
    f.add(
        "connect_task_retries",
        MetricType::Counter,
        "Retries after a RETRIABLE answer of the plugin (put, poll) or a plugin transformation",
        labels.clone(),
        Value::Number(n(&e.retries)),
    );
    f.add(
        "connect_task_retry_backoff_seconds",
        MetricType::Counter,
        "Time spent backing off before those retries",
        labels.clone(),
        Value::Number(e.backoff_micros.load(Relaxed) as f64 / 1e6),
    );

    match t.kind() {
        TaskKind::Sink => sink_families(f, t, &labels),
        TaskKind::Source => source_families(f, t, &labels),
        TaskKind::Unknown => {}
    }
}

fn rate_total(f: &mut Families, p: &str, base: &str, labels: &Labels, total: f64, w: WindowStats) {
    f.kafka(p, &format!("{base}-total"), labels, total);
    f.kafka(p, &format!("{base}-rate"), labels, w.rate);
}

/// `<kind>-record-active-count` and its `-avg` and `-max`. The rules' pattern for gauges tries
/// `.+-count` first and lets the rest of the attribute name pass, so all three get the name of
/// the first, told apart by the JMX exporter's `_objectname` label (the MBean and attribute):
/// exactly what a Java worker with those rules exposes.
fn active_counts(f: &mut Families, kind: &str, labels: &Labels, current: f64, w: WindowStats) {
    let prefix = format!("kafka_connect_{kind}_task");
    let attribute = format!("{kind}-record-active-count");
    let name = format!("{prefix}_{}", attribute.replace('-', "_"));
    let help = format!("Kafka Connect {kind}-task-metrics {attribute} (-avg, -max)");
    let (connector, task) = (&labels[0].1, &labels[1].1);
    for (suffix, value) in [("", current), ("-avg", w.avg), ("-max", w.max)] {
        let mut l = labels.clone();
        l.push((
            "_objectname".to_owned(),
            format!(
                "kafka.connect<type={kind}-task-metrics, connector={connector}, task={task}><>{attribute}{suffix}"
            ),
        ));
        f.add(&name, MetricType::Gauge, &help, l, Value::Number(value));
    }
}

fn sink_families(f: &mut Families, t: &TaskMetrics, labels: &Labels) {
    use std::sync::atomic::Ordering::Relaxed;
    let s = &t.sink;
    let p = "kafka_connect_sink_task";
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Relaxed) as f64;
    rate_total(
        f,
        p,
        "sink-record-read",
        labels,
        n(&s.read_total),
        s.read.stats(),
    );
    rate_total(
        f,
        p,
        "sink-record-send",
        labels,
        n(&s.send_total),
        s.send.stats(),
    );
    active_counts(
        f,
        "sink",
        labels,
        s.active.load(Relaxed) as f64,
        s.active_window.stats(),
    );
    f.kafka(p, "partition-count", labels, n(&s.partitions));
    f.kafka(p, "offset-commit-seq-no", labels, n(&s.commit_seq));
    rate_total(
        f,
        p,
        "offset-commit-completion",
        labels,
        n(&s.commit_completions),
        s.completion_window.stats(),
    );
    rate_total(
        f,
        p,
        "offset-commit-skip",
        labels,
        n(&s.commit_skips),
        s.skip_window.stats(),
    );
    let put = s.put_time.stats();
    f.kafka(p, "put-batch-avg-time-ms", labels, put.avg);
    f.kafka(p, "put-batch-max-time-ms", labels, put.max);
    let lag = s.lag.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let max = lag.values().copied().max().map_or(f64::NAN, |m| m as f64);
    f.kafka(p, "sink-record-lag-max", labels, max);
    for ((topic, partition), records) in lag {
        let mut l = labels.clone();
        l.push(("topic".to_owned(), topic));
        l.push(("partition".to_owned(), partition.to_string()));
        f.add(
            "connect_sink_task_consumer_lag",
            MetricType::Gauge,
            "Records of the partition not yet read by the task (high watermark minus position), \
             from the consumer's statistics every few seconds",
            l,
            Value::Number(records as f64),
        );
    }
    f.add(
        "connect_sink_task_put_duration_seconds",
        MetricType::Histogram,
        "Time of each put call of the sink task",
        labels.clone(),
        Value::Histogram(s.put_seconds.clone()),
    );
}

fn source_families(f: &mut Families, t: &TaskMetrics, labels: &Labels) {
    use std::sync::atomic::Ordering::Relaxed;
    let s = &t.source;
    let p = "kafka_connect_source_task";
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Relaxed) as f64;
    rate_total(
        f,
        p,
        "source-record-poll",
        labels,
        n(&s.poll_total),
        s.poll.stats(),
    );
    rate_total(
        f,
        p,
        "source-record-write",
        labels,
        n(&s.write_total),
        s.write.stats(),
    );
    active_counts(
        f,
        "source",
        labels,
        s.active.load(Relaxed) as f64,
        s.active_window.stats(),
    );
    let poll = s.poll_time.stats();
    f.kafka(p, "poll-batch-avg-time-ms", labels, poll.avg);
    f.kafka(p, "poll-batch-max-time-ms", labels, poll.max);
    f.add(
        "connect_source_task_poll_duration_seconds",
        MetricType::Histogram,
        "Time of each poll call of the source task",
        labels.clone(),
        Value::Histogram(s.poll_seconds.clone()),
    );
}

/// connect-worker-metrics (worker-wide and per connector) and connector-metrics.
fn worker_families(f: &mut Families, all: &ConnectMetrics, tasks: &[std::sync::Arc<TaskMetrics>]) {
    use std::sync::atomic::Ordering::Relaxed;
    let none = Labels::new();
    let p = "kafka_connect_worker";
    let connectors = all.connectors();
    f.kafka(p, "connector-count", &none, connectors.len() as f64);
    f.kafka(p, "task-count", &none, tasks.len() as f64);
    for (what, s) in [
        ("connector", &all.worker.connector_startups),
        ("task", &all.worker.task_startups),
    ] {
        let (ok, failed) = s.fractions();
        let n = |a: &std::sync::atomic::AtomicU64| a.load(Relaxed) as f64;
        f.kafka(
            p,
            &format!("{what}-startup-attempts-total"),
            &none,
            n(&s.attempts),
        );
        f.kafka(
            p,
            &format!("{what}-startup-success-total"),
            &none,
            n(&s.successes),
        );
        f.kafka(
            p,
            &format!("{what}-startup-failure-total"),
            &none,
            n(&s.failures),
        );
        f.kafka(p, &format!("{what}-startup-success-percentage"), &none, ok);
        f.kafka(
            p,
            &format!("{what}-startup-failure-percentage"),
            &none,
            failed,
        );
    }
    let mut names: Vec<String> = connectors.iter().map(|c| c.name.clone()).collect();
    for t in tasks {
        if !names.contains(&t.connector) {
            names.push(t.connector.clone());
        }
    }
    names.sort();
    for name in &names {
        let labels = vec![("connector".to_owned(), name.clone())];
        let mut counts: HashMap<&'static str, f64> = HashMap::new();
        let mut total = 0.0;
        for t in tasks.iter().filter(|t| &t.connector == name) {
            total += 1.0;
            let key = match t.state().0 {
                State::Running => "running",
                State::Paused => "paused",
                State::Failed => "failed",
                State::Unassigned => "unassigned",
                State::Restarting => "restarting",
                // A task is never STOPPED: Kafka's "destroyed" is a task being shut down.
                State::Stopped => "destroyed",
            };
            *counts.entry(key).or_default() += 1.0;
        }
        for state in [
            "destroyed",
            "failed",
            "paused",
            "restarting",
            "running",
            "unassigned",
        ] {
            let value = counts.get(state).copied().unwrap_or(0.0);
            f.kafka(p, &format!("connector-{state}-task-count"), &labels, value);
        }
        f.kafka(p, "connector-total-task-count", &labels, total);
    }

    let r = &all.worker.rebalance;
    if r.enabled.load(Relaxed) {
        let p = "kafka_connect_worker_rebalance";
        let (state, rebalancing, since) = r.snapshot();
        let time = r.time.stats();
        f.kafka(
            p,
            "completed-rebalances-total",
            &none,
            r.completed.load(Relaxed) as f64,
        );
        f.kafka_string(p, "connect-protocol", &none, &state.protocol);
        f.kafka(p, "epoch", &none, state.epoch as f64);
        f.kafka_string(p, "leader-name", &none, &state.leader);
        f.kafka(
            p,
            "rebalance-avg-time-ms",
            &none,
            if time.count == 0 { 0.0 } else { time.avg },
        );
        f.kafka(
            p,
            "rebalance-max-time-ms",
            &none,
            if time.count == 0 { 0.0 } else { time.max },
        );
        f.kafka(p, "rebalancing", &none, if rebalancing { 1.0 } else { 0.0 });
        f.kafka(p, "time-since-last-rebalance-ms", &none, since);
    }

    let p = "kafka_connect_connector";
    for c in &connectors {
        let labels = vec![("connector".to_owned(), c.name.clone())];
        if let Some((class, kind, version)) = c.plugin() {
            f.kafka_string(p, "connector-class", &labels, &class);
            f.kafka_string(p, "connector-type", &labels, &kind);
            f.kafka_string(p, "connector-version", &labels, &version);
        }
        f.kafka_string(p, "status", &labels, &state_name(c.state()));
    }
}

/// The plugin-reported series (`TaskContext::record_metric`), under the plugins' own names.
fn plugin_families(f: &mut Families, plugins: &PluginMetrics) {
    for (key, value) in plugins.snapshot(None) {
        let help = "Reported by the connector plugin";
        match value {
            SeriesValue::Counter(v) => {
                let base = key.name.strip_suffix("_total").unwrap_or(&key.name);
                f.add(
                    base,
                    MetricType::Counter,
                    help,
                    key.labels,
                    Value::Number(v),
                );
            }
            SeriesValue::Gauge(v) => f.add(
                &key.name,
                MetricType::Gauge,
                help,
                key.labels,
                Value::Number(v),
            ),
            SeriesValue::Histogram {
                count,
                sum,
                buckets,
            } => {
                let mut bounds: Vec<(f64, u64)> = plugin_metrics::BUCKETS
                    .iter()
                    .copied()
                    .zip(buckets.iter().copied())
                    .collect();
                bounds.push((f64::MAX, count));
                f.add(
                    &key.name,
                    MetricType::Histogram,
                    help,
                    key.labels,
                    Value::Buckets(sum, count, bounds),
                );
            }
        }
    }
}

/// Every series of `all` and `plugins` in the OpenMetrics text format ([`CONTENT_TYPE`]).
pub fn render_from(all: &ConnectMetrics, plugins: &PluginMetrics) -> String {
    let mut families = Families::default();
    let tasks = all.tasks();
    worker_families(&mut families, all, &tasks);
    for t in &tasks {
        task_families(&mut families, t);
    }
    plugin_families(&mut families, plugins);
    let mut registry = Registry::default();
    registry.register_collector(Box::new(families));
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}

/// Every series of this worker ([`ConnectMetrics::global`] and [`PluginMetrics::global`]).
pub fn render() -> String {
    render_from(ConnectMetrics::global(), PluginMetrics::global())
}

#[cfg(test)]
mod tests;
