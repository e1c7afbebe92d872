//! The log levels plugin code sees, mirrored from the host's loggers (`/admin/loggers`), so a
//! level change reaches plugins without a restart: their SDK asks [`enabled`] per event.
//!
//! The host publishes the levels here (the REST layer's logger control does, on every change);
//! a plugin's module path (`connect_file_sink::task`) is matched against the loggers the way the
//! host's own targets are: the most specific logger at or above it wins, then the `plugin`
//! logger (every plugin event is emitted under that target), then `root`.

use std::sync::{
    RwLock,
    atomic::{AtomicBool, AtomicU8, Ordering},
};

use connect_plugin_api::abi::host::level;

static ROOT: AtomicU8 = AtomicU8::new(level::INFO);
static MAX: AtomicU8 = AtomicU8::new(level::INFO);
static HAS_LOGGERS: AtomicBool = AtomicBool::new(false);
static LOGGERS: RwLock<Vec<(String, u8)>> = RwLock::new(Vec::new());

/// Publishes the host's levels: `root` and each explicitly set logger (`level::*`, 0 = off).
pub fn publish(root: u8, loggers: Vec<(String, u8)>) {
    let max = loggers.iter().map(|(_, l)| *l).fold(root, u8::max);
    let mut table = LOGGERS.write().unwrap_or_else(|p| p.into_inner());
    HAS_LOGGERS.store(!loggers.is_empty(), Ordering::Release);
    *table = loggers;
    ROOT.store(root, Ordering::Release);
    MAX.store(max, Ordering::Release);
}

/// Whether an event of `lvl` from plugin module `target` is recorded now.
pub fn enabled(lvl: u8, target: &str) -> bool {
    if lvl > MAX.load(Ordering::Acquire) {
        return false;
    }
    if !HAS_LOGGERS.load(Ordering::Acquire) {
        return lvl <= ROOT.load(Ordering::Acquire);
    }
    let table = LOGGERS.read().unwrap_or_else(|p| p.into_inner());
    let specific = table
        .iter()
        .filter(|(name, _)| is_at_or_below(target, name))
        .max_by_key(|(name, _)| name.len())
        .or_else(|| table.iter().find(|(name, _)| name == "plugin"));
    lvl <= specific.map_or_else(|| ROOT.load(Ordering::Acquire), |(_, l)| *l)
}

/// The most verbose level recorded for any target now.
pub fn max_level() -> u8 {
    MAX.load(Ordering::Acquire)
}

/// `target` is `logger` or below it (`::` for Rust module paths, `.` for Java-style names).
pub fn is_at_or_below(target: &str, logger: &str) -> bool {
    target
        .strip_prefix(logger)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::") || rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_logger_wins_then_plugin_then_root() {
        publish(
            level::INFO,
            vec![
                ("connect_file_sink".into(), level::DEBUG),
                ("connect_file_sink::noisy".into(), level::ERROR),
                ("plugin".into(), level::WARN),
            ],
        );
        assert!(enabled(level::DEBUG, "connect_file_sink::task"));
        assert!(!enabled(level::TRACE, "connect_file_sink::task"));
        assert!(!enabled(level::WARN, "connect_file_sink::noisy"));
        assert!(
            !enabled(level::INFO, "connect_file_sinkx"),
            "plugin logger applies"
        );
        assert!(enabled(level::WARN, "other_plugin"));
        assert_eq!(max_level(), level::DEBUG);
        publish(level::INFO, Vec::new());
        assert!(enabled(level::INFO, "anything") && !enabled(level::DEBUG, "anything"));
    }
}
