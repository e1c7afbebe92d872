//! Test fixture: one tiny class of each plugin kind, each with one or two configuration keys, exported
//! through `export_plugin!` (the e2e test `plugin_kinds` loads it through the host's registry).
//!
//! | Class | Kind | Key | Does |
//! |---|---|---|---|
//! | `com.example.allkinds.MetricsSink` | sink | `metric.prefix` | per put: counter `<p>_records_total{topic}`, gauge `<p>_batch_size{topic}`, histogram `<p>_value_bytes{topic}` |
//! | `com.example.allkinds.CountingSource` | source | `count` (+ `topic`) | emits `0`..`count-1` once, offset `{"next": n}`, resumes from it |
//! | `com.example.allkinds.UpperCase` | transformation | `drop.nulls` | uppercases STRING values; drops NULL values (when `drop.nulls`) |
//! | `com.example.allkinds.Troublemaker` | transformation | `invalid.value`, `fatal.value`, `panic.value`, `retriable.calls` | passes records on unchanged, but a STRING value equal to `invalid.value` is an invalid record (with its index), to `fatal.value` a fatal error, to `panic.value` a panic; the first `retriable.calls` calls fail retriably |
//! | `com.example.allkinds.ValueIsNull` | predicate | `negate` | value is null (or not) |
//! | `com.example.allkinds.UpperCaseConverter` | converter | `uppercase` | bytes → uppercase STRING; STRING → bytes |
//! | `com.example.allkinds.StringHeaderConverter` | header converter | `charset` | header bytes ↔ STRING |
//! | `com.example.allkinds.KeyValueFileProvider` | config provider | `file` | `KEY=VALUE` lines of `file` |

use std::collections::BTreeMap;

use connect_plugin_api::abi::types::{DataMeta, Span};
use connect_plugin_api::prelude::*;

/// The version every class reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// ------------------------------------------------------------------------------------------------
// Sink

/// Reports metrics for every put.
pub struct MetricsSink;

impl PluginDescription for MetricsSink {
    const CLASS: &'static str = "com.example.allkinds.MetricsSink";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "Counts records into plugin metrics (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            Key::new("metric.prefix", ConfigType::STRING)
                .default("allkinds")
                .doc("Prefix of the metric names."),
        )
    }
}

impl SinkConnector for MetricsSink {
    type Task = MetricsSinkTask;
    fn start(_: Config, _: ConnectorContext) -> Result<Self, ConnectError> {
        Ok(Self)
    }
}

/// The sink's task.
pub struct MetricsSinkTask {
    prefix: String,
    context: TaskContext,
}

impl SinkTask for MetricsSinkTask {
    fn start(config: Config, context: TaskContext) -> Result<Self, ConnectError> {
        Ok(Self {
            prefix: config.string_or_empty("metric.prefix").to_owned(),
            context,
        })
    }
    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        let mut per_topic: BTreeMap<&str, usize> = BTreeMap::new();
        for r in batch.iter() {
            *per_topic.entry(r.topic()).or_default() += 1;
            self.context.histogram(
                &format!("{}_value_bytes", self.prefix),
                &[("topic", r.topic())],
                r.value().bytes.len() as f64,
            );
        }
        for (topic, n) in per_topic {
            let labels = [("topic", topic)];
            self.context
                .counter(&format!("{}_records_total", self.prefix), &labels, n as f64);
            self.context
                .gauge(&format!("{}_batch_size", self.prefix), &labels, n as f64);
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------------
// Source

/// Emits `count` numbered records, once.
pub struct CountingSource {
    config: ConfigMap,
}

impl PluginDescription for CountingSource {
    const CLASS: &'static str = "com.example.allkinds.CountingSource";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "Emits 0..count once (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(Key::new("topic", ConfigType::STRING).non_empty())
            .define(
                Key::new("count", ConfigType::INT)
                    .default("3")
                    .range(Some(0.0), None),
            )
            .define(
                Key::new("broken.source.partition", ConfigType::BOOLEAN)
                    .default("false")
                    .doc("Give every record a source partition that is not JSON (a plugin bug the host must catch)."),
            )
    }
}

impl SourceConnector for CountingSource {
    type Task = CountingSourceTask;
    fn start(config: Config, _: ConnectorContext) -> Result<Self, ConnectError> {
        Ok(Self {
            config: config.as_map().clone(),
        })
    }
    /// One task, which also gets a per-task key outside the definition (`task.note`).
    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<ConfigMap>, ConnectError> {
        let mut c = self.config.clone();
        c.insert("task.note".into(), "first".into());
        Ok(vec![c])
    }
}

/// The source's task.
pub struct CountingSourceTask {
    topic: String,
    next: i64,
    count: i64,
    broken: bool,
}

/// The source partition of [`CountingSourceTask`].
pub fn counting_partition() -> serde_json::Value {
    serde_json::json!({ "source": "counting" })
}

impl SourceTask for CountingSourceTask {
    fn start(config: Config, context: TaskContext) -> Result<Self, ConnectError> {
        let next = context
            .source_offset(&counting_partition())
            .and_then(|o| o.get("next").and_then(|n| n.as_i64()))
            .unwrap_or(0);
        Ok(Self {
            topic: config.string_or_empty("topic").to_owned(),
            next,
            count: config.int("count") as i64,
            broken: config.bool("broken.source.partition"),
        })
    }
    fn poll(&mut self, out: &mut SourceBatch) -> Result<(), ConnectError> {
        while self.next < self.count {
            let text = self.next.to_string();
            if self.broken {
                let offset = format!("{{\"next\":{}}}", self.next + 1);
                out.push(
                    &self.topic,
                    None,
                    Data::NULL,
                    Data::string(&text),
                    Some("{not json"),
                    Some(&offset),
                )?;
                self.next += 1;
                continue;
            }
            out.push_record(
                &SourceRecord::new(&self.topic)
                    .value(Data::string(&text))
                    .timestamp(1_700_000_000_000 + self.next)
                    .header("n", Data::string(&text))
                    .source_partition(counting_partition())
                    .source_offset(serde_json::json!({ "next": self.next + 1 })),
            )?;
            self.next += 1;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------------
// Transformation and predicate

/// Uppercases STRING values and drops NULL values.
pub struct UpperCase {
    drop_nulls: bool,
}

impl PluginDescription for UpperCase {
    const CLASS: &'static str = "com.example.allkinds.UpperCase";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "Uppercases string values, drops null values (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new().define(Key::new("drop.nulls", ConfigType::BOOLEAN).default("true"))
    }
}

impl Transformation for UpperCase {
    fn configure(config: Config) -> Result<Self, ConnectError> {
        Ok(Self {
            drop_nulls: config.bool("drop.nulls"),
        })
    }
    fn apply(
        &mut self,
        input: &RecordBatch,
        out: &mut TransformedBatch,
    ) -> Result<(), ConnectError> {
        for (i, r) in input.iter().enumerate() {
            let value = r.value();
            if value.is_null() && self.drop_nulls {
                continue;
            }
            let upper;
            let new_value = match (value.kind, value.as_str()) {
                (DataKind::STRING, Some(s)) => {
                    upper = s.to_uppercase();
                    Data {
                        kind: DataKind::STRING,
                        bytes: upper.as_bytes(),
                        schema: value.schema,
                    }
                }
                _ => value.as_data(),
            };
            let headers: Vec<(&str, Data<'_>)> =
                r.headers().map(|(k, v)| (k, v.as_data())).collect();
            let m = r.meta();
            out.batch.push(
                connect_plugin_api::batch::RecordPosition {
                    topic: r.topic(),
                    partition: m.partition,
                    offset: m.offset,
                    timestamp: r.timestamp().map(|t| (t, m.timestamp_type)),
                },
                r.key().as_data(),
                new_value,
                &headers,
            )?;
            out.origins.push(i as u32);
        }
        Ok(())
    }
}

/// Passes records on unchanged, failing as configured (error-handling fixture).
pub struct Troublemaker {
    invalid: String,
    fatal: String,
    panic: String,
    retriable_left: i32,
}

impl PluginDescription for Troublemaker {
    const CLASS: &'static str = "com.example.allkinds.Troublemaker";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str =
        "Passes records on, failing on chosen values or calls (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(Key::new("invalid.value", ConfigType::STRING).default(""))
            .define(Key::new("fatal.value", ConfigType::STRING).default(""))
            .define(Key::new("panic.value", ConfigType::STRING).default(""))
            .define(Key::new("retriable.calls", ConfigType::INT).default("0"))
    }
}

impl Transformation for Troublemaker {
    fn configure(config: Config) -> Result<Self, ConnectError> {
        Ok(Self {
            invalid: config.string_or_empty("invalid.value").to_owned(),
            fatal: config.string_or_empty("fatal.value").to_owned(),
            panic: config.string_or_empty("panic.value").to_owned(),
            retriable_left: config.int("retriable.calls"),
        })
    }
    fn apply(
        &mut self,
        input: &RecordBatch,
        out: &mut TransformedBatch,
    ) -> Result<(), ConnectError> {
        if self.retriable_left > 0 {
            self.retriable_left -= 1;
            return Err(ConnectError::retriable(format!(
                "busy ({} more retriable calls)",
                self.retriable_left
            )));
        }
        for (i, r) in input.iter().enumerate() {
            let text = r.value().as_str().unwrap_or_default().to_owned();
            let matches = |wanted: &str| !wanted.is_empty() && text == wanted;
            if matches(&self.invalid) {
                return Err(ConnectError::invalid_record(
                    i as u32,
                    format!("value {text} is refused by invalid.value"),
                ));
            }
            if matches(&self.fatal) {
                return Err(ConnectError::fatal(format!(
                    "value {text} breaks the transformation (fatal.value)"
                )));
            }
            if matches(&self.panic) {
                panic!("value {text} makes the transformation panic (panic.value)");
            }
            let headers: Vec<(&str, Data<'_>)> =
                r.headers().map(|(k, v)| (k, v.as_data())).collect();
            let m = r.meta();
            out.batch.push(
                connect_plugin_api::batch::RecordPosition {
                    topic: r.topic(),
                    partition: m.partition,
                    offset: m.offset,
                    timestamp: r.timestamp().map(|t| (t, m.timestamp_type)),
                },
                r.key().as_data(),
                r.value().as_data(),
                &headers,
            )?;
            out.origins.push(i as u32);
        }
        Ok(())
    }
}

/// True for records whose value is null.
pub struct ValueIsNull {
    negate: bool,
}

impl PluginDescription for ValueIsNull {
    const CLASS: &'static str = "com.example.allkinds.ValueIsNull";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "Value is null (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new().define(Key::new("negate", ConfigType::BOOLEAN).default("false"))
    }
}

impl Predicate for ValueIsNull {
    fn configure(config: Config) -> Result<Self, ConnectError> {
        Ok(Self {
            negate: config.bool("negate"),
        })
    }
    fn test(&mut self, input: &RecordBatch, out: &mut Vec<bool>) -> Result<(), ConnectError> {
        out.extend(input.iter().map(|r| r.value().is_null() != self.negate));
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------------
// Converters

fn push_item(out: &mut ConvertedColumn, kind: DataKind, bytes: &[u8]) {
    if kind == DataKind::NULL {
        out.data.push(DataMeta::NULL);
        return;
    }
    let start = out.arena.len() as u32;
    out.arena.extend_from_slice(bytes);
    out.data.push(DataMeta {
        kind,
        span: Span {
            start,
            len: bytes.len() as u32,
        },
        schema: DataMeta::NO_SCHEMA,
    });
}

/// Bytes → uppercase STRING (sink side); STRING → bytes (source side).
pub struct UpperCaseConverter {
    is_key: bool,
    uppercase: bool,
}

impl PluginDescription for UpperCaseConverter {
    const CLASS: &'static str = "com.example.allkinds.UpperCaseConverter";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "Bytes to uppercase strings and back (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new().define(Key::new("uppercase", ConfigType::BOOLEAN).default("true"))
    }
}

impl UpperCaseConverter {
    fn column<'a>(&self, r: &RecordView<'a>) -> DataView<'a> {
        if self.is_key { r.key() } else { r.value() }
    }
}

impl Converter for UpperCaseConverter {
    fn configure(config: Config, is_key: bool) -> Result<Self, ConnectError> {
        Ok(Self {
            is_key,
            uppercase: config.bool("uppercase"),
        })
    }
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError> {
        for r in input.iter() {
            let d = self.column(&r);
            if d.is_null() {
                push_item(out, DataKind::NULL, &[]);
                continue;
            }
            let text = String::from_utf8_lossy(d.bytes);
            let text = if self.uppercase {
                text.to_uppercase()
            } else {
                text.into_owned()
            };
            push_item(out, DataKind::STRING, text.as_bytes());
        }
        Ok(())
    }
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError> {
        for r in input.iter() {
            let d = self.column(&r);
            let kind = if d.is_null() {
                DataKind::NULL
            } else {
                DataKind::BYTES
            };
            push_item(out, kind, d.bytes);
        }
        Ok(())
    }
}

/// Header bytes ↔ STRING.
pub struct StringHeaderConverter;

impl PluginDescription for StringHeaderConverter {
    const CLASS: &'static str = "com.example.allkinds.StringHeaderConverter";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "Header bytes to strings and back (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new().define(
            Key::new("charset", ConfigType::STRING)
                .default("UTF-8")
                .one_of(&["UTF-8"]),
        )
    }
}

impl HeaderConverter for StringHeaderConverter {
    fn configure(_: Config) -> Result<Self, ConnectError> {
        Ok(Self)
    }
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError> {
        for r in input.iter() {
            for (_, v) in r.headers() {
                if v.is_null() {
                    push_item(out, DataKind::NULL, &[]);
                } else {
                    let text = String::from_utf8_lossy(v.bytes);
                    push_item(out, DataKind::STRING, text.as_bytes());
                }
            }
        }
        Ok(())
    }
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError> {
        for r in input.iter() {
            for (_, v) in r.headers() {
                let kind = if v.is_null() {
                    DataKind::NULL
                } else {
                    DataKind::BYTES
                };
                push_item(out, kind, v.bytes);
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------------
// Config provider

/// `KEY=VALUE` lines of the configured file (the `path` of a reference is ignored), valid for
/// `ttl.ms` when that is not negative.
pub struct KeyValueFileProvider {
    file: String,
    ttl_ms: i64,
}

impl PluginDescription for KeyValueFileProvider {
    const CLASS: &'static str = "com.example.allkinds.KeyValueFileProvider";
    const VERSION: &'static str = VERSION;
    const DESCRIPTION: &'static str = "KEY=VALUE lines of a file (test fixture).";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                Key::new("file", ConfigType::STRING)
                    .non_empty()
                    .doc("The file of KEY=VALUE lines."),
            )
            .define(
                Key::new("ttl.ms", ConfigType::LONG)
                    .default("-1")
                    .doc("How long the values stay valid; negative: no TTL."),
            )
    }
}

impl ConfigProvider for KeyValueFileProvider {
    fn configure(config: Config) -> Result<Self, ConnectError> {
        Ok(Self {
            file: config.string_or_empty("file").to_owned(),
            ttl_ms: config.long("ttl.ms"),
        })
    }
    fn get(&self, _path: &str, keys: &[String]) -> Result<ConfigValues, ConnectError> {
        let text = std::fs::read_to_string(&self.file)
            .map_err(|e| ConnectError::retriable(format!("cannot read {}: {e}", self.file)))?;
        let data = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .filter(|(k, _)| keys.is_empty() || keys.contains(k))
            .collect();
        Ok(ConfigValues {
            data,
            ttl_ms: (self.ttl_ms >= 0).then_some(self.ttl_ms),
        })
    }
}

connect_plugin_api::export_plugin!(
    sinks: [MetricsSink],
    sources: [CountingSource],
    transformations: [UpperCase, Troublemaker],
    predicates: [ValueIsNull],
    converters: [UpperCaseConverter],
    header_converters: [StringHeaderConverter],
    config_providers: [KeyValueFileProvider],
);
