//! `TracingLoggers`: [`LoggerControl`] on top of `tracing`'s reloadable `EnvFilter`, so that
//! `/admin/loggers` changes what this process logs without a restart.
//!
//! Kafka's logger names (`org.apache.kafka.connect`) mean nothing here; a logger name is a
//! `tracing` target, i.e. a module path such as `connect_host::runtime`. Setting `root` changes
//! the default level; setting `x` adds or replaces the directive `x=<level>`. As with Log4j,
//! setting a logger also sets every explicitly set logger below it (`x::…` or `x.…`), and
//! setting `root` sets all of them. Log4j levels map onto `tracing` levels: `FATAL` behaves as
//! `ERROR`, `ALL` as `TRACE`; the name shown stays the one that was set.

use std::{
    collections::BTreeMap,
    str::FromStr,
    sync::Mutex,
    time::{SystemTime, UNIX_EPOCH},
};

use tracing::Subscriber;
use tracing_subscriber::{
    EnvFilter, Registry,
    filter::{Directive, LevelFilter},
    reload,
};

use super::loggers::{LEVELS, LoggerControl, LoggerLevel};

/// Log levels of this process, changeable at run time through a `reload::Handle`.
pub struct TracingLoggers<S = Registry> {
    handle: reload::Handle<EnvFilter, S>,
    state: Mutex<Levels>,
}

/// What the filter is built from.
struct Levels {
    root: LoggerLevel,
    /// Loggers with an explicit level, by target.
    loggers: BTreeMap<String, LoggerLevel>,
    /// Initial directives that are not a plain `target=level` (span or field filters): kept in
    /// the filter as they were, never listed.
    other: Vec<String>,
}

impl<S: Subscriber + 'static> TracingLoggers<S> {
    /// Takes over `handle`, whose filter was built from `initial` (an `EnvFilter` spec such as
    /// `info` or `info,rdkafka=warn`): its bare level is `root` (`OFF` if it has none, because
    /// then `EnvFilter` enables nothing by default) and each `target=level` is listed as an
    /// explicitly set logger. Directives that do not parse are dropped, as `EnvFilter` does.
    pub fn new(initial: &str, handle: reload::Handle<EnvFilter, S>) -> Self {
        let mut levels = Levels {
            root: LoggerLevel {
                level: "OFF".to_owned(),
                last_modified: None,
            },
            loggers: BTreeMap::new(),
            other: Vec::new(),
        };
        for directive in initial.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            if let Ok(level) = LevelFilter::from_str(directive) {
                levels.root = LoggerLevel {
                    level: kafka_name(level),
                    last_modified: None,
                };
                continue;
            }
            let target_level = directive.split_once('=').and_then(|(target, level)| {
                let level = LevelFilter::from_str(level.trim()).ok()?;
                valid_name(target.trim()).then(|| (target.trim().to_owned(), level))
            });
            match target_level {
                Some((target, level)) => {
                    levels.loggers.insert(
                        target,
                        LoggerLevel {
                            level: kafka_name(level),
                            last_modified: None,
                        },
                    );
                }
                None if Directive::from_str(directive).is_ok() => {
                    levels.other.push(directive.to_owned())
                }
                None => {}
            }
        }
        let loggers = Self {
            handle,
            state: Mutex::new(Levels {
                root: levels.root.clone(),
                loggers: levels.loggers.clone(),
                other: levels.other.clone(),
            }),
        };
        if let Err(e) = loggers.apply(&levels) {
            tracing::warn!("cannot apply the initial log levels to plugins: {e}");
        }
        loggers
    }

    /// A reloadable filter layer built from `initial` and the control for it; put the layer
    /// on the subscriber first (`Registry::default().with(layer).with(fmt::layer())`).
    pub fn layer(initial: &str) -> (reload::Layer<EnvFilter, S>, Self) {
        let (layer, handle) = reload::Layer::new(EnvFilter::builder().parse_lossy(initial));
        (layer, Self::new(initial, handle))
    }

    fn apply(&self, levels: &Levels) -> Result<(), String> {
        let mut spec = vec![tracing_level(&levels.root.level).to_owned()];
        spec.extend(levels.other.iter().cloned());
        spec.extend(
            levels
                .loggers
                .iter()
                .map(|(t, l)| format!("{t}={}", tracing_level(&l.level))),
        );
        // Plugin events arrive under the target `plugin`, already filtered by the plugin's own
        // module path against the levels published here (`plugins::log_levels`); let them pass.
        spec.push("plugin=trace".to_owned());
        let filter = EnvFilter::builder()
            .parse(spec.join(","))
            .map_err(|e| e.to_string())?;
        self.handle
            .reload(filter)
            .map_err(|e| format!("cannot change log levels: {e}"))?;
        crate::plugins::log_levels::publish(
            abi_level(&levels.root.level),
            levels
                .loggers
                .iter()
                .map(|(t, l)| (t.clone(), abi_level(&l.level)))
                .collect(),
        );
        Ok(())
    }
}

impl<S: Subscriber + 'static> LoggerControl for TracingLoggers<S> {
    fn levels(&self) -> BTreeMap<String, LoggerLevel> {
        let levels = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = levels.loggers.clone();
        out.insert("root".to_owned(), levels.root.clone());
        out
    }

    fn level(&self, name: &str) -> Option<LoggerLevel> {
        let levels = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if is_root(name) {
            Some(levels.root.clone())
        } else {
            levels.loggers.get(name).cloned()
        }
    }

    fn set_level(&self, name: &str, level: &str) -> Result<Vec<String>, String> {
        let level = level.to_ascii_uppercase();
        if !LEVELS.contains(&level.as_str()) {
            return Err(format!("invalid log level '{level}'."));
        }
        if !is_root(name) && !valid_name(name) {
            return Err(format!(
                "Logger name '{name}' is not a valid tracing target (no spaces, ',', '=', brackets or braces)"
            ));
        }
        let mut levels = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Work on a copy: if the filter cannot be applied, nothing changes.
        let mut next = Levels {
            root: levels.root.clone(),
            loggers: levels.loggers.clone(),
            other: levels.other.clone(),
        };
        let set = LoggerLevel {
            level,
            last_modified: Some(now_ms()),
        };
        let mut affected: Vec<String> = next
            .loggers
            .keys()
            .filter(|l| is_root(name) || crate::plugins::log_levels::is_at_or_below(l, name))
            .cloned()
            .collect();
        if is_root(name) {
            next.root = set.clone();
            affected.push("root".to_owned());
        } else if !affected.iter().any(|l| l == name) {
            affected.push(name.to_owned());
        }
        for logger in affected.iter().filter(|l| *l != "root") {
            next.loggers.insert(logger.clone(), set.clone());
        }
        self.apply(&next)?;
        *levels = next;
        affected.sort();
        Ok(affected)
    }
}

fn is_root(name: &str) -> bool {
    name.eq_ignore_ascii_case("root")
}

/// A name usable as the target of an `EnvFilter` directive.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || ",=[]{}\"".contains(c))
}

/// The Log4j name shown for a `tracing` level.
fn kafka_name(level: LevelFilter) -> String {
    match level {
        LevelFilter::OFF => "OFF".to_owned(),
        other => other.to_string().to_ascii_uppercase(),
    }
}

/// The plugin-api level (`abi::host::level`) a Log4j level name behaves as; 0 is off.
fn abi_level(kafka: &str) -> u8 {
    use connect_plugin_api::abi::host::level;
    match tracing_level(kafka) {
        "off" => 0,
        "error" => level::ERROR,
        "warn" => level::WARN,
        "info" => level::INFO,
        "debug" => level::DEBUG,
        _ => level::TRACE,
    }
}

/// The `tracing` level a Log4j level name behaves as.
fn tracing_level(kafka: &str) -> &'static str {
    match kafka {
        "OFF" => "off",
        "FATAL" | "ERROR" => "error",
        "WARN" => "warn",
        "INFO" => "info",
        "DEBUG" => "debug",
        _ => "trace",
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;

    /// A control and a subscriber using its filter; `enabled` answers whether an event of
    /// `target` at `level` would be logged.
    fn setup(initial: &str) -> (TracingLoggers, impl Fn(&'static str, Level) -> bool) {
        let (layer, loggers) = TracingLoggers::layer(initial);
        let subscriber = std::sync::Arc::new(Registry::default().with(layer));
        let enabled = move |target: &'static str, level: Level| {
            tracing::subscriber::with_default(subscriber.clone(), || match (target, level) {
                ("app", Level::DEBUG) => tracing::enabled!(target: "app", Level::DEBUG),
                ("app", Level::INFO) => tracing::enabled!(target: "app", Level::INFO),
                ("app::db", Level::DEBUG) => tracing::enabled!(target: "app::db", Level::DEBUG),
                ("other", Level::DEBUG) => tracing::enabled!(target: "other", Level::DEBUG),
                ("other", Level::WARN) => tracing::enabled!(target: "other", Level::WARN),
                _ => unreachable!("add the case"),
            })
        };
        (loggers, enabled)
    }

    #[test]
    fn initial_spec_is_listed_as_root_plus_explicit_loggers() {
        let (loggers, _) = setup("info,app::db=debug,[span]=trace,bad=nonsense");
        let levels = loggers.levels();
        assert_eq!(levels.keys().collect::<Vec<_>>(), ["app::db", "root"]);
        assert_eq!(
            levels["root"],
            LoggerLevel {
                level: "INFO".into(),
                last_modified: None
            }
        );
        assert_eq!(levels["app::db"].level, "DEBUG");
        assert_eq!(loggers.level("ROOT").unwrap().level, "INFO");
        assert_eq!(loggers.level("unknown"), None);
        let (without_default, _) = setup("app=debug");
        assert_eq!(without_default.level("root").unwrap().level, "OFF");
    }

    #[test]
    fn setting_a_logger_changes_the_live_filter() {
        let (loggers, enabled) = setup("info");
        assert!(!enabled("app", Level::DEBUG));
        assert_eq!(loggers.set_level("app", "DEBUG").unwrap(), ["app"]);
        assert!(enabled("app", Level::DEBUG));
        assert!(enabled("app::db", Level::DEBUG));
        assert!(!enabled("other", Level::DEBUG));
        let set = loggers.level("app").unwrap();
        assert_eq!(set.level, "DEBUG");
        assert!(set.last_modified.unwrap() > 1_600_000_000_000);

        assert_eq!(loggers.set_level("root", "WARN").unwrap(), ["app", "root"]);
        assert!(!enabled("app", Level::INFO));
        assert!(enabled("other", Level::WARN));
        assert_eq!(loggers.level("app").unwrap().level, "WARN");
    }

    #[test]
    fn setting_a_parent_sets_explicit_children_and_reports_them_sorted() {
        let (loggers, enabled) = setup("info,app::db=debug,application=trace");
        assert_eq!(
            loggers.set_level("app", "error").unwrap(),
            ["app", "app::db"]
        );
        assert!(!enabled("app::db", Level::DEBUG));
        assert_eq!(loggers.level("application").unwrap().level, "TRACE");
        assert_eq!(
            loggers.set_level("app", "FATAL").unwrap(),
            ["app", "app::db"]
        );
        assert_eq!(loggers.level("app").unwrap().level, "FATAL");
    }

    #[test]
    fn bad_names_and_levels_are_refused_without_change() {
        let (loggers, _) = setup("info");
        assert!(loggers.set_level("a b", "DEBUG").is_err());
        assert!(loggers.set_level("a=b", "DEBUG").is_err());
        assert!(loggers.set_level("app", "LOUD").is_err());
        assert_eq!(loggers.levels().len(), 1);
    }

    #[test]
    fn a_dropped_subscriber_is_an_error_not_a_panic() {
        let (layer, loggers) = TracingLoggers::<Registry>::layer("info");
        drop(layer);
        assert!(loggers.set_level("app", "DEBUG").is_err());
        assert_eq!(loggers.level("app"), None);
    }
}
