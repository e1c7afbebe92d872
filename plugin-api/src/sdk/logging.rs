//! Forwards the plugin's `tracing` events and `log` records to the host.
//!
//! A cdylib links its own copies of `tracing` and `log`, whose global dispatchers the host never
//! sees; without this bridge a plugin's logs silently vanish. [`install`] runs once per library
//! (from the root module's `init`) and makes the forwarding subscriber this copy's global default.

use std::{fmt::Write as _, sync::OnceLock};

use abi_stable::std_types::RStr;
use tracing::{Event, Level, Subscriber, field::Field, level_filters::LevelFilter};
use tracing_subscriber::{Layer, layer::Context, prelude::*};

use crate::abi::{context::level, root::HostLinkArc};

static HOST: OnceLock<HostLinkArc> = OnceLock::new();

/// Installs the forwarding subscriber and `log` bridge (only the first call has an effect).
pub fn install(host: HostLinkArc) {
    let max = host.max_level();
    if HOST.set(host).is_err() {
        return;
    }
    let filter = match max {
        0 => LevelFilter::OFF,
        level::ERROR => LevelFilter::ERROR,
        level::WARN => LevelFilter::WARN,
        level::INFO => LevelFilter::INFO,
        level::DEBUG => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let _ = tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(Forward.with_filter(filter)),
    );
    let log_filter = filter
        .into_level()
        .map_or(log::LevelFilter::Off, |l| match l {
            Level::ERROR => log::LevelFilter::Error,
            Level::WARN => log::LevelFilter::Warn,
            Level::INFO => log::LevelFilter::Info,
            Level::DEBUG => log::LevelFilter::Debug,
            _ => log::LevelFilter::Trace,
        });
    let _ = tracing_log::LogTracer::init_with_filter(log_filter);
}

/// Sends one message to the host directly (used for panics), if the host link is installed.
pub fn emit(lvl: u8, target: &str, message: &str) {
    if let Some(host) = HOST.get() {
        host.log(lvl, RStr::from(target), RStr::from(message));
    }
}

struct Forward;

impl<S: Subscriber> Layer<S> for Forward {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let lvl = match *meta.level() {
            Level::ERROR => level::ERROR,
            Level::WARN => level::WARN,
            Level::INFO => level::INFO,
            Level::DEBUG => level::DEBUG,
            Level::TRACE => level::TRACE,
        };
        let mut text = Text::default();
        event.record(&mut text);
        // `log` records arrive through LogTracer with their original target in a field.
        let target = text.log_target.as_deref().unwrap_or(meta.target());
        emit(lvl, target, &text.message);
    }
}

#[derive(Default)]
struct Text {
    message: String,
    log_target: Option<String>,
}

impl tracing::field::Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "log.target" => self.log_target = Some(value.to_owned()),
            "log.module_path" | "log.file" | "log.line" => {}
            "message" => self.message.insert_str(0, value),
            name => {
                let _ = write!(self.message, " {name}={value}");
            }
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message.insert_str(0, &format!("{value:?}")),
            "log.module_path" | "log.file" | "log.line" | "log.target" => {}
            name => {
                let _ = write!(self.message, " {name}={value:?}");
            }
        }
    }
}
