//! `topics.regex` means what validation checks: a full match of the topic name (Java's
//! `Pattern.matches`), so `orders` does not read `orders-dlq`; a topic created later that
//! matches is picked up at the next metadata refresh.

use std::time::Duration;

use connect_tests::{
    kafka::{committed, create_topic, produce},
    require_kafka, unique_name,
    worker::Worker,
};
use serde_json::json;

#[test]
fn a_regex_reads_only_the_topics_it_matches_in_full_and_picks_up_new_ones() {
    let w = Worker::distributed(&[]);
    let bootstrap = require_kafka();
    let orders = unique_name("orders");
    let dlq = format!("{orders}-dlq");
    let later = format!("{orders}.2");
    create_topic(&bootstrap, &orders, 1);
    create_topic(&bootstrap, &dlq, 1);
    produce(&bootstrap, &orders, ["o1".to_string(), "o2".to_string()]);
    produce(&bootstrap, &dlq, ["d1".to_string()]);
    let output = w.path("out.txt");
    let body = json!({
        "name": "regex",
        "config": {
            "connector.class": "FileStreamSink",
            "topics.regex": format!("{}(\\.2)?", regex_escape(&orders)),
            "file": output.display().to_string(),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "consumer.override.metadata.max.age.ms": "2000"
        }
    });
    let (code, info) = w.call("POST", "/connectors", Some(&body.to_string()));
    assert_eq!(code, 201, "{info}");
    w.wait_until(
        "the orders records committed",
        Duration::from_secs(60),
        |_| committed(&bootstrap, "connect-regex", &orders, 0) == Some(2),
    );
    // A matching topic created now is read too.
    create_topic(&bootstrap, &later, 1);
    produce(&bootstrap, &later, ["o3".to_string()]);
    w.wait_until("the later topic's record", Duration::from_secs(60), |_| {
        std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .count()
            == 3
    });
    let mut lines: Vec<String> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    assert_eq!(lines, ["o1", "o2", "o3"], "nothing from {dlq}");
    assert_eq!(committed(&bootstrap, "connect-regex", &dlq, 0), None);
}

/// The topic name as a literal regular expression (unique names contain only `[a-z0-9-]`).
fn regex_escape(name: &str) -> String {
    assert!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "{name}"
    );
    name.to_owned()
}
