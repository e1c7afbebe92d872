//! `#[derive(ConnectConfig)]` against the hand-written `Key` builder: same `ConfigKeyDef`s, same
//! validation messages, and the typed values.

use std::time::Duration;

use connect_plugin_api::abi::config::ValidatorKind;
use connect_plugin_api::prelude::*;

#[derive(Debug, PartialEq, Clone, Copy)]
enum Mode {
    Insert,
    Upsert,
}

fn parse_mode(raw: &str) -> Result<Mode, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "insert" => Ok(Mode::Insert),
        "upsert" => Ok(Mode::Upsert),
        other => Err(format!("unknown mode {other}")),
    }
}

fn parse_port(raw: &str) -> Result<u16, String> {
    raw.trim()
        .parse()
        .map_err(|_| "Expected a port number".to_owned())
}

const HOST_KEY: &str = "proxy.host";

#[derive(Debug, ConnectConfig)]
struct Sample {
    /// The file to read.
    #[config(
        importance = "high",
        group = "Connector",
        width = "long",
        display = "File"
    )]
    file: String,
    /// Records per batch.
    ///
    /// At most a million.
    #[config(default = "2000", range(min = 1, max = 1_000_000), group = "Connector")]
    batch_size: i32,
    /// How to write.
    #[config(
        default = "insert",
        one_of("insert", "upsert"),
        case_insensitive,
        parse_with = "parse_mode",
        importance = "low"
    )]
    mode: Mode,
    /// Exact-case choice.
    #[config(name = "level", default = "A", one_of("A", "B"))]
    level: String,
    secret: Option<Password>,
    #[config(default = "false", group = "Other", order = 7)]
    flag: bool,
    #[config(default = "1", ty = "SHORT")]
    small: i16,
    #[config(default = "9000000000")]
    big: i64,
    #[config(default = "0.5", range(min = 0))]
    ratio: f64,
    #[config(default = "a,b", list_of("a", "b", "c"), dependents("file", "mode"))]
    items: Vec<String>,
    #[config(default = "100", unit = "ms")]
    retry_backoff_ms: Duration,
    #[config(unit = "s")]
    timeout: Option<Duration>,
    #[config(name = HOST_KEY, non_empty, default = "localhost", recommended("localhost"))]
    host: String,
    #[config(default = "8080", parse_with = "parse_port")]
    port: u16,
    #[config(parse_with = "parse_port")]
    other_port: Option<u16>,
    #[config(ty = "CLASS", doc = "Explicit \"doc\".")]
    class_name: Option<String>,
}

fn hand_written() -> ConfigDef {
    ConfigDef::new()
        .define(
            Key::new("file", ConfigType::STRING)
                .importance(Importance::HIGH)
                .doc("The file to read.")
                .group("Connector", 1)
                .width(Width::LONG)
                .display("File"),
        )
        .define(
            Key::new("batch.size", ConfigType::INT)
                .default("2000")
                .doc("Records per batch.\nAt most a million.")
                .group("Connector", 2)
                .range(Some(1.0), Some(1_000_000.0)),
        )
        .define(
            Key::new("mode", ConfigType::STRING)
                .default("insert")
                .importance(Importance::LOW)
                .doc("How to write.")
                .one_of(&["insert", "upsert"]),
        )
        .define(
            Key::new("level", ConfigType::STRING)
                .default("A")
                .doc("Exact-case choice.")
                .one_of(&["A", "B"])
                .case_insensitive(false),
        )
        .define(Key::new("secret", ConfigType::PASSWORD).default_null())
        .define(
            Key::new("flag", ConfigType::BOOLEAN)
                .default("false")
                .group("Other", 7),
        )
        .define(Key::new("small", ConfigType::SHORT).default("1"))
        .define(Key::new("big", ConfigType::LONG).default("9000000000"))
        .define(
            Key::new("ratio", ConfigType::DOUBLE)
                .default("0.5")
                .range(Some(0.0), None),
        )
        .define(
            Key::new("items", ConfigType::LIST)
                .default("a,b")
                .list_of(&["a", "b", "c"])
                .dependents(&["file", "mode"]),
        )
        .define(Key::new("retry.backoff.ms", ConfigType::LONG).default("100"))
        .define(Key::new("timeout", ConfigType::LONG).default_null())
        .define(
            Key::new("proxy.host", ConfigType::STRING)
                .default("localhost")
                .non_empty()
                .recommended(&["localhost"]),
        )
        .define(Key::new("port", ConfigType::STRING).default("8080"))
        .define(Key::new("other.port", ConfigType::STRING).default_null())
        .define(
            Key::new("class.name", ConfigType::CLASS)
                .default_null()
                .doc("Explicit \"doc\"."),
        )
}

fn map(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn errors(reports: &[connect_plugin_api::abi::config::ConfigValueReport]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|r| r.errors.iter().map(|e| e.to_string()))
        .collect()
}

#[test]
fn generated_keys_equal_the_builder() {
    let derived = Sample::config_def();
    let hand = hand_written();
    assert_eq!(derived.keys().len(), hand.keys().len());
    for (d, h) in derived.keys().iter().zip(hand.keys()) {
        assert_eq!(d, h, "key {}", h.name);
    }
    // Spot checks of what the equality covers.
    let k = &derived.keys()[0];
    assert!(k.required && k.default_value.is_none() && k.ty == ConfigType::STRING);
    assert_eq!(k.documentation.as_str(), "The file to read.");
    let k = &derived.keys()[1];
    assert_eq!(k.validator.kind, ValidatorKind::RANGE);
    assert!(!k.required);
    assert!(derived.keys()[2].validator.case_insensitive);
    assert!(!derived.keys()[3].validator.case_insensitive);
    let k = &derived.keys()[4];
    assert!(!k.required && k.default_value.is_none() && k.ty == ConfigType::PASSWORD);
}

#[test]
fn validation_messages_equal_the_builder() {
    for raw in [
        map(&[]),
        map(&[("file", "f"), ("batch.size", "0")]),
        map(&[("file", "f"), ("batch.size", "x"), ("mode", "merge")]),
        map(&[
            ("file", "f"),
            ("level", "a"),
            ("flag", "yes"),
            ("small", "70000"),
        ]),
        map(&[
            ("file", "f"),
            ("big", "1.5"),
            ("ratio", "-1"),
            ("items", "a,d"),
        ]),
        map(&[
            ("file", "f"),
            ("proxy.host", ""),
            ("secret", "s"),
            ("timeout", "x"),
        ]),
    ] {
        let (d, h) = (Sample::validate(&raw), hand_written().validate(&raw));
        assert_eq!(d, h, "{raw:?}");
        let (d, h) = (
            Sample::parse(&raw).unwrap_err(),
            hand_written().parse(&raw).unwrap_err(),
        );
        assert_eq!(d.message, h.message);
    }
    let r = Sample::validate(&map(&[("level", "a")]));
    assert_eq!(
        errors(&r),
        [
            "Missing required configuration \"file\" which has no default value.",
            "Invalid value a for configuration level: String must be one of: A, B",
        ]
    );
}

#[test]
fn parse_with_errors_are_reported_in_kafka_wording() {
    let raw = map(&[("file", "f"), ("port", "http"), ("other.port", "-3")]);
    assert!(errors(&hand_written().validate(&raw)).is_empty());
    let r = Sample::validate(&raw);
    assert_eq!(
        errors(&r),
        [
            "Invalid value http for configuration port: Expected a port number",
            "Invalid value -3 for configuration other.port: Expected a port number",
        ]
    );
    let e = Sample::parse(&raw).unwrap_err();
    assert_eq!(
        e.message,
        "Connector configuration is invalid and contains the following 2 error(s):\nInvalid value http for configuration port: Expected a port number\nInvalid value -3 for configuration other.port: Expected a port number"
    );
}

#[test]
fn typed_values() {
    let s = Sample::parse(&map(&[("file", "/tmp/x"), ("mode", " UPSERT")])).unwrap();
    assert_eq!(s.file, "/tmp/x");
    assert_eq!(s.batch_size, 2000);
    assert_eq!(s.mode, Mode::Upsert);
    assert_eq!(s.level, "A");
    assert_eq!(s.secret, None);
    assert!(!s.flag);
    assert_eq!((s.small, s.big, s.ratio), (1, 9_000_000_000, 0.5));
    assert_eq!(s.items, ["a", "b"]);
    assert_eq!(s.retry_backoff_ms, Duration::from_millis(100));
    assert_eq!(s.timeout, None);
    assert_eq!(s.host, "localhost");
    assert_eq!((s.port, s.other_port), (8080, None));
    assert_eq!(s.class_name, None);

    let s = Sample::parse(&map(&[
        ("file", "f"),
        ("secret", "hunter2"),
        ("flag", "TRUE"),
        ("items", " c , a "),
        ("retry.backoff.ms", "250"),
        ("timeout", "3"),
        ("other.port", "9"),
        ("class.name", "com.example.X"),
    ]))
    .unwrap();
    assert_eq!(s.secret.as_ref().map(Password::value), Some("hunter2"));
    assert!(s.flag);
    assert_eq!(s.items, ["c", "a"]);
    assert_eq!(s.retry_backoff_ms, Duration::from_millis(250));
    assert_eq!(s.timeout, Some(Duration::from_secs(3)));
    assert_eq!(s.other_port, Some(9));
    assert_eq!(s.class_name.as_deref(), Some("com.example.X"));
    // Passwords never print.
    let shown = format!("{s:?}");
    assert!(
        shown.contains("[hidden]") && !shown.contains("hunter2"),
        "{shown}"
    );
}

#[test]
fn from_config_reads_a_validated_config_and_rejects_negative_durations() {
    let c = Sample::config_def()
        .parse(&map(&[("file", "f"), ("retry.backoff.ms", "-1")]))
        .unwrap();
    let e = Sample::from_config(&c).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid value -1 for configuration retry.backoff.ms: Value must be at least 0"
    );
}
