//! Forwards the plugin's `tracing` events and `log` records to the host, filtered by the host's
//! levels *now* (not the levels at load), so `/admin/loggers` reaches plugin code.
//!
//! A cdylib links its own copies of `tracing` and `log`, whose global dispatchers the host never
//! sees; without this bridge a plugin's logs silently vanish. [`install`] runs once per library
//! (from the root module's `init`) and makes the forwarding subscriber this copy's global default.
//! Every callsite is "sometimes" interesting, so each event asks `HostLink::enabled` (an atomic
//! load on the host side in the common case) before anything is formatted.

use std::{fmt::Write as _, sync::OnceLock};

use abi_stable::std_types::RStr;
use tracing::{Event, Level, Metadata, Subscriber, field::Field, subscriber::Interest};
use tracing_subscriber::{Layer, layer::Context, prelude::*};

use crate::abi::host::{HostLinkArc, level};

static HOST: OnceLock<&'static HostLinkArc> = OnceLock::new();

/// Installs the forwarding subscriber and `log` bridge (only the first call has an effect).
pub fn install(host: &'static HostLinkArc) {
    if HOST.set(host).is_err() {
        return;
    }
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Forward));
    let _ = tracing_log::LogTracer::init_with_filter(log::LevelFilter::Trace);
}

/// Sends one message to the host directly (used for panics), if the host link is installed.
pub fn emit(lvl: u8, target: &str, message: &str) {
    if let Some(host) = HOST.get() {
        host.log(lvl, RStr::from(target), RStr::from(message));
    }
}

fn abi_level(l: &Level) -> u8 {
    match *l {
        Level::ERROR => level::ERROR,
        Level::WARN => level::WARN,
        Level::INFO => level::INFO,
        Level::DEBUG => level::DEBUG,
        Level::TRACE => level::TRACE,
    }
}

struct Forward;

impl<S: Subscriber> Layer<S> for Forward {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Never cache a yes or a no: the host's levels change at run time.
        Interest::sometimes()
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        // `log` records arrive with target "log" only in field form; their metadata target is
        // the original one, so this check sees the plugin's module path either way.
        HOST.get()
            .is_some_and(|h| h.enabled(abi_level(meta.level()), RStr::from(meta.target())))
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut text = Text::default();
        event.record(&mut text);
        let target = text.log_target.as_deref().unwrap_or(meta.target());
        emit(abi_level(meta.level()), target, &text.message);
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
