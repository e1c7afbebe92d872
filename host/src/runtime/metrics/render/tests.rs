use std::time::Duration;

use connect_plugin_api::abi::context::MetricKind;

use super::*;
use crate::runtime::metrics::InstanceMetrics;

fn sample<'a>(text: &'a str, series: &str) -> Option<&'a str> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .map(|l| l[series.len() + 1..].trim())
}

#[test]
fn task_groups_are_named_as_the_strimzi_rules_name_them() {
    let all = ConnectMetrics::default();
    let sink = all.register_task("s", 0);
    sink.set_kind(TaskKind::Sink, "FileStreamSink", "4.3.1");
    sink.state_changed(State::Running);
    sink.sink_read(7);
    sink.sink_put(7, Duration::from_millis(3));
    sink.sink_sent(7);
    sink.sink_lag([(("t".to_owned(), 2), 40)].into_iter().collect());
    let source = all.register_task("src", 1);
    source.set_kind(TaskKind::Source, "FileStreamSource", "4.3.1");
    source.source_polled(3, Duration::from_millis(1));
    source.source_written(3);
    let connector = all.register_connector("s");
    assert!(connector.startup_attempted("org.example.Sink", "sink", "1.0"));
    connector.state_changed(State::Running);

    let text = render_from(&all, &PluginMetrics::default());
    let l = r#"{connector="s",task="0"}"#;
    assert_eq!(
        sample(
            &text,
            &format!("kafka_connect_sink_task_sink_record_read_total{l}")
        ),
        Some("7.0")
    );
    assert!(text.contains("# TYPE kafka_connect_sink_task_sink_record_read counter"));
    assert_eq!(
        sample(
            &text,
            &format!("kafka_connect_sink_task_sink_record_send_total{l}")
        ),
        Some("7.0")
    );
    assert_eq!(
        sample(
            &text,
            &format!("kafka_connect_sink_task_put_batch_max_time_ms{l}")
        ),
        Some("3.0")
    );
    assert_eq!(
        sample(
            &text,
            &format!("kafka_connect_sink_task_sink_record_lag_max{l}")
        ),
        Some("40.0")
    );
    assert_eq!(
        sample(
            &text,
            r#"connect_sink_task_consumer_lag{connector="s",task="0",topic="t",partition="2"}"#
        ),
        Some("40.0")
    );
    assert_eq!(
        sample(
            &text,
            &format!("connect_sink_task_put_duration_seconds_count{l}")
        ),
        Some("1")
    );
    assert_eq!(
        sample(
            &text,
            r#"kafka_connect_connector_task_status{connector="s",task="0",status="running"}"#
        ),
        Some("1.0")
    );
    assert_eq!(
        sample(
            &text,
            &format!("kafka_connect_task_error_total_record_errors{l}")
        ),
        Some("0.0"),
        "not a -total attribute: a gauge, as the rules type it"
    );
    let l1 = r#"{connector="src",task="1"}"#;
    assert_eq!(
        sample(
            &text,
            &format!("kafka_connect_source_task_source_record_write_total{l1}")
        ),
        Some("3.0")
    );
    assert!(
        !text.contains(&format!(
            "kafka_connect_sink_task_sink_record_read_total{l1}"
        )),
        "a source task has no sink group"
    );
    assert_eq!(
        sample(
            &text,
            r#"kafka_connect_worker_connector_running_task_count{connector="s"}"#
        ),
        Some("1.0"),
        "{text}"
    );
    assert_eq!(
        sample(&text, "kafka_connect_worker_task_count"),
        Some("2.0"),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"kafka_connect_connector_connector_class{connector="s",connector_class="org.example.Sink"}"#
        ),
        Some("1.0")
    );
    assert_eq!(
        sample(
            &text,
            r#"kafka_connect_connector_status{connector="s",status="running"}"#
        ),
        Some("1.0")
    );
    assert!(text.ends_with("# EOF\n"));
    assert!(
        !text.contains("kafka_connect_worker_rebalance"),
        "no group, no rebalance metrics (standalone, as Kafka)"
    );

    drop(sink);
    let text = render_from(&all, &PluginMetrics::default());
    assert!(
        !text.contains(r#"task="0""#),
        "a task the worker no longer runs drops out"
    );
}

#[test]
fn plugin_series_render_with_their_own_names_and_histograms_per_bucket() {
    let plugins = PluginMetrics::default();
    plugins
        .record(
            "es",
            0,
            MetricKind::COUNTER,
            "es_docs_total",
            &[("outcome", "ok")],
            5.0,
        )
        .unwrap();
    plugins
        .record("es", 0, MetricKind::HISTOGRAM, "es_bulk_seconds", &[], 0.03)
        .unwrap();
    plugins
        .record("es", 0, MetricKind::HISTOGRAM, "es_bulk_seconds", &[], 3.0)
        .unwrap();
    let text = render_from(&ConnectMetrics::default(), &plugins);
    assert_eq!(
        sample(
            &text,
            r#"es_docs_total{connector="es",outcome="ok",task="0"}"#
        ),
        Some("5.0")
    );
    let b = |le: &str| format!(r#"es_bulk_seconds_bucket{{le="{le}",connector="es",task="0"}}"#);
    assert_eq!(sample(&text, &b("0.025")), Some("0"));
    assert_eq!(
        sample(&text, &b("0.05")),
        Some("1"),
        "cumulative, not doubled"
    );
    assert_eq!(sample(&text, &b("5.0")), Some("2"));
    assert_eq!(sample(&text, &b("+Inf")), Some("2"));
}

#[test]
fn startups_are_counted_from_the_statuses() {
    let before = ConnectMetrics::global()
        .worker
        .task_startups
        .failures
        .load(std::sync::atomic::Ordering::Relaxed);
    let m = InstanceMetrics::register("startup-test", Some(9));
    assert!(m.task().unwrap().startup_attempted());
    m.state_changed(State::Failed);
    let after = ConnectMetrics::global()
        .worker
        .task_startups
        .failures
        .load(std::sync::atomic::Ordering::Relaxed);
    // Other tests of this process may count startups of their own at the same time.
    assert!(after > before, "the failed startup is counted");
}
