//! Kafka Connect's logging context: every line a connector, a task or its plugin writes carries
//! `[connector-name|task-0]` (`[connector-name|worker]` for the connector itself), as Kafka's
//! `connector.context` MDC puts it in front of the message, so a log with many connectors can be
//! read (and grepped) by connector.
//!
//! A connector's and a task's thread run inside a [`connector_span`] / [`task_span`];
//! [`ContextLayer`] remembers the span's context, and the formats here ([`TextFormat`],
//! [`JsonFormat`], chosen by `CONNECT_LOG_FORMAT`) print it: in front of the message in text, as
//! the fields `connector`, `task` and `context` in JSON lines. Plugin events are emitted on the
//! calling task's thread, so they get the context too. Uses no other module: any layer may use it.

use std::fmt;

use tracing::{Event, Subscriber, field::Field, span};
use tracing_subscriber::{
    Layer,
    fmt::{
        FmtContext, FormatEvent, FormatFields,
        format::Writer,
        time::{FormatTime, SystemTime},
    },
    layer::Context,
    registry::LookupSpan,
};

/// The span a connector's thread runs in: context `[name|worker]`.
pub fn connector_span(connector: &str) -> tracing::Span {
    // ERROR level: the span exists whenever anything at all is logged.
    tracing::error_span!("connector", connector = %connector)
}

/// The span a task's thread runs in: context `[name|task-N]`.
pub fn task_span(connector: &str, task: u32) -> tracing::Span {
    tracing::error_span!("task", connector = %connector, task = task)
}

/// The context of one span, kept in its extensions by [`ContextLayer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogContext {
    /// The connector's name.
    pub connector: String,
    /// The task number; `None` for the connector itself.
    pub task: Option<u64>,
}

impl fmt::Display for LogContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.task {
            Some(t) => write!(f, "[{}|task-{t}]", self.connector),
            None => write!(f, "[{}|worker]", self.connector),
        }
    }
}

#[derive(Default)]
struct ContextFields {
    connector: Option<String>,
    task: Option<u64>,
}

impl tracing::field::Visit for ContextFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "connector" {
            self.connector = Some(value.to_owned());
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "task" {
            self.task = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "task" {
            self.task = u64::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "connector" {
            // `%connector` arrives here as Display-through-Debug.
            self.connector = Some(format!("{value:?}"));
        }
    }
}

/// Remembers the [`LogContext`] of [`connector_span`] and [`task_span`] spans.
pub struct ContextLayer;

impl<S> Layer<S> for ContextLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let name = attrs.metadata().name();
        if name != "connector" && name != "task" {
            return;
        }
        let mut fields = ContextFields::default();
        attrs.record(&mut fields);
        if let (Some(connector), Some(span)) = (fields.connector, ctx.span(id)) {
            span.extensions_mut().insert(LogContext {
                connector,
                task: if name == "task" { fields.task } else { None },
            });
        }
    }
}

/// The innermost context of the event's spans, if any.
fn context_of<S, N>(ctx: &FmtContext<'_, S, N>) -> Option<LogContext>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    let scope = ctx.event_scope()?;
    for span in scope {
        if let Some(c) = span.extensions().get::<LogContext>() {
            return Some(c.clone());
        }
    }
    None
}

/// Text lines: `<time> <LEVEL> [connector|task-0] <message> <fields>`.
pub struct TextFormat {
    /// Colour the level (stderr is a terminal).
    pub ansi: bool,
}

impl<S, N> FormatEvent<S, N> for TextFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        SystemTime.format_time(&mut writer)?;
        let level = *event.metadata().level();
        let colour = match level {
            tracing::Level::ERROR => "\x1b[31m",
            tracing::Level::WARN => "\x1b[33m",
            tracing::Level::INFO => "\x1b[32m",
            tracing::Level::DEBUG => "\x1b[34m",
            tracing::Level::TRACE => "\x1b[35m",
        };
        if self.ansi {
            write!(writer, " {colour}{level:>5}\x1b[0m ")?;
        } else {
            write!(writer, " {level:>5} ")?;
        }
        if let Some(c) = context_of(ctx) {
            write!(writer, "{c} ")?;
        }
        ctx.format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// One JSON object per line: `timestamp`, `level`, `target`, `message`, the event's fields
/// (as `fields.<name>` where a name is taken, e.g. a plugin event's own `target`), and
/// `connector`, `task`, `context` when it comes from a connector or a task.
pub struct JsonFormat;

#[derive(Default)]
struct JsonFields(serde_json::Map<String, serde_json::Value>);

impl tracing::field::Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
}

impl<S, N> FormatEvent<S, N> for JsonFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut time = String::new();
        SystemTime.format_time(&mut Writer::new(&mut time))?;
        let meta = event.metadata();
        let mut fields = JsonFields::default();
        event.record(&mut fields);
        let mut line = serde_json::Map::new();
        line.insert("timestamp".into(), time.into());
        line.insert("level".into(), meta.level().as_str().into());
        line.insert("target".into(), meta.target().into());
        if let Some(message) = fields.0.remove("message") {
            line.insert("message".into(), message);
        }
        if let Some(c) = context_of(ctx) {
            line.insert("connector".into(), c.connector.clone().into());
            if let Some(t) = c.task {
                line.insert("task".into(), t.into());
            }
            line.insert("context".into(), c.to_string().into());
        }
        // An event field named like one of the line's own keys keeps its value beside it.
        for (k, v) in fields.0 {
            if line.contains_key(&k) {
                line.insert(format!("fields.{k}"), v);
            } else {
                line.insert(k, v);
            }
        }
        let text = serde_json::to_string(&line).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::{fmt::MakeWriter, layer::SubscriberExt};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn lines<E>(format: E) -> String
    where
        E: for<'w> FormatEvent<
                tracing_subscriber::layer::Layered<ContextLayer, tracing_subscriber::Registry>,
                tracing_subscriber::fmt::format::DefaultFields,
            > + Send
            + Sync
            + 'static,
    {
        let out = Buffer::default();
        let subscriber = tracing_subscriber::registry().with(ContextLayer).with(
            tracing_subscriber::fmt::layer()
                .event_format(format)
                .with_ansi(false)
                .with_writer(out.clone()),
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("outside");
            let _c = connector_span("orders-sink").entered();
            tracing::warn!(records = 3, "from the connector");
            let _t = task_span("orders-sink", 2).entered();
            tracing::info!(target: "plugin", plugin = "libes.so", target = "es::bulk", "from the plugin");
        });
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn text_lines_carry_kafka_connects_context() {
        let text = lines(TextFormat { ansi: false });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].ends_with(" INFO outside"), "{text}");
        assert!(
            lines[1].ends_with(" WARN [orders-sink|worker] from the connector records=3"),
            "{text}"
        );
        assert!(
            lines[2].contains(
                " INFO [orders-sink|task-2] from the plugin plugin=\"libes.so\" target=\"es::bulk\""
            ),
            "{text}"
        );
    }

    #[test]
    fn json_lines_have_the_same_fields() {
        let text = lines(JsonFormat);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["message"], "outside");
        assert!(lines[0].get("connector").is_none());
        assert_eq!(lines[1]["connector"], "orders-sink");
        assert_eq!(lines[1]["context"], "[orders-sink|worker]");
        assert_eq!(lines[1]["records"], 3);
        assert_eq!(lines[1]["level"], "WARN");
        assert_eq!(lines[2]["task"], 2);
        assert_eq!(lines[2]["context"], "[orders-sink|task-2]");
        assert_eq!(lines[2]["target"], "plugin");
        assert_eq!(lines[2]["plugin"], "libes.so");
        assert_eq!(lines[2]["fields.target"], "es::bulk");
        assert!(lines[2]["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
