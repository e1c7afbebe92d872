//! The metric state of one connector instance on this worker: Kafka Connect's connector-metrics
//! group (class, type, version, status).

use std::sync::{
    Mutex,
    atomic::{AtomicU8, Ordering},
};

use crate::runtime::status::State;

const STARTUP_NONE: u8 = 0;
const STARTUP_PENDING: u8 = 1;
const STARTUP_DONE: u8 = 2;

/// The metric state of one connector instance.
#[derive(Debug)]
pub struct ConnectorMetrics {
    /// Connector name.
    pub name: String,
    state: Mutex<State>,
    /// Class, `sink`/`source`, version; set when the instance is started.
    plugin: Mutex<Option<(String, String, String)>>,
    startup: AtomicU8,
}

impl ConnectorMetrics {
    /// Fresh state of `name`, UNASSIGNED.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            state: Mutex::new(State::Unassigned),
            plugin: Mutex::new(None),
            startup: AtomicU8::new(STARTUP_NONE),
        }
    }

    /// The worker starts an instance of class `class` (`kind` `sink` or `source`, `version`):
    /// its first RUNNING or PAUSED counts as a startup success, a FAILED before as a failure.
    /// False if this instance was counted already.
    pub fn startup_attempted(&self, class: &str, kind: &str, version: &str) -> bool {
        *self.plugin.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((class.to_owned(), kind.to_owned(), version.to_owned()));
        self.startup
            .compare_exchange(
                STARTUP_NONE,
                STARTUP_PENDING,
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    /// A new status; returns the startup outcome it settles, if any.
    pub fn state_changed(&self, state: State) -> Option<bool> {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
        let outcome = match state {
            State::Running | State::Paused => true,
            State::Failed => false,
            _ => return None,
        };
        self.startup
            .compare_exchange(
                STARTUP_PENDING,
                STARTUP_DONE,
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
            .then_some(outcome)
    }

    /// The current status.
    pub fn state(&self) -> State {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Class, type and version, once an instance was started here.
    pub fn plugin(&self) -> Option<(String, String, String)> {
        self.plugin
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
