//! The glue [`export_plugin!`](crate::export_plugin) expands to: adapters from the SDK traits to
//! the ABI objects, each entry point wrapped in `catch_unwind`.
//!
//! Why: abi_stable ends the process when a panic reaches an `extern "C"` boundary, so one
//! plugin's bug would stop every connector of the worker. Here a panic becomes an
//! `ErrorKind::PANIC` error carrying the panic message, location and backtrace; the host marks
//! that task FAILED and keeps running.

use std::{
    cell::RefCell,
    marker::PhantomData,
    panic::{AssertUnwindSafe, catch_unwind},
};

use abi_stable::{
    prefix_type::PrefixTypeTrait,
    sabi_trait::TD_Opaque,
    std_types::{RErr, ROk, RResult, RSlice, RVec},
};

use crate::abi::{
    config::{ConfigKeyDef, ConfigValueReport},
    context::level,
    error::{ErrorKind, PluginError},
    root::{ConnectPluginMod, ConnectPluginMod_Ref, HostLinkArc},
    task::{
        self as abi_task, Connector_TO, ConnectorBox, ConnectorContextArc, ConnectorFactory,
        ConnectorFactory_TO, ConnectorFactoryBox, ConnectorInfo, ConnectorType, SinkTask_TO,
        SinkTaskBox, SourceTask_TO, SourceTaskBox, TaskContextArc,
    },
    types::{
        ConfigEntry, RecordBatch, SourceBatch, TopicPartition, TopicPartitionOffset, WrittenRecord,
    },
};

use super::{
    config::ConfigMap,
    connector::{ConnectorDescription, SinkConnector, SinkTask, SourceConnector, SourceTask},
    context::{ConnectorContext, TaskContext},
    error::ConnectError,
    logging,
};

thread_local! {
    /// The last panic's location and backtrace on this thread, captured by the hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning an error into the boundary form and a panic into an `ErrorKind::PANIC` error.
pub fn guard<T>(
    call: &str,
    f: impl FnOnce() -> Result<T, ConnectError>,
) -> RResult<T, PluginError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => ROk(v),
        Ok(Err(e)) => RErr(e.into_abi()),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".into());
            let trace = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_default();
            let message = format!("the plugin panicked in {call}: {what}");
            logging::emit(level::ERROR, "connect_plugin_api::panic", &message);
            RErr(PluginError {
                kind: ErrorKind::PANIC,
                message: message.into(),
                record: abi_stable::std_types::ROption::RNone,
                trace: trace.into(),
            })
        }
    }
}

/// The root module's `init`: the host's logging link, and a panic hook recording where panics
/// happen (this library's own std, so the host's hook is untouched).
pub extern "C" fn init(host: HostLinkArc) {
    let _ = catch_unwind(|| {
        logging::install(host);
        std::panic::set_hook(Box::new(|info| {
            let trace = format!("{info}\n{}", std::backtrace::Backtrace::force_capture());
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(trace));
        }));
    });
}

/// Builds the root module from the library's `connectors` function.
pub fn root_module(
    connectors: extern "C" fn() -> RVec<ConnectorFactoryBox>,
) -> ConnectPluginMod_Ref {
    ConnectPluginMod { init, connectors }.leak_into_prefix()
}

/// Evaluates the factory list, never letting a panic out (an empty list is logged instead).
pub fn connector_list(f: impl FnOnce() -> Vec<ConnectorFactoryBox>) -> RVec<ConnectorFactoryBox> {
    match guard("connectors", || Ok(f())) {
        ROk(v) => v.into_iter().collect(),
        RErr(_) => RVec::new(),
    }
}

/// The factory object of a sink connector class.
pub fn sink_factory<C: SinkConnector>() -> ConnectorFactoryBox {
    ConnectorFactory_TO::from_value(Factory::<C, Sink>(PhantomData), TD_Opaque)
}

/// The factory object of a source connector class.
pub fn source_factory<C: SourceConnector>() -> ConnectorFactoryBox {
    ConnectorFactory_TO::from_value(Factory::<C, Source>(PhantomData), TD_Opaque)
}

fn to_map(config: RSlice<'_, ConfigEntry>) -> ConfigMap {
    config
        .iter()
        .map(|e| (e.key.to_string(), e.value.to_string()))
        .collect()
}

fn wrong_kind(class: &str, wanted: &str) -> RResult<(), PluginError> {
    RErr(
        ConnectError::config(format!(
            "{class} is not a {wanted} connector; use a {wanted} connector class for this task"
        ))
        .into_abi(),
    )
}

struct Sink;
struct Source;

/// Starts the connector and tasks of one kind of connector.
trait Kind<C> {
    const KIND: ConnectorType;
    fn start_connector(
        config: ConfigMap,
        ctx: ConnectorContext,
    ) -> Result<ConnectorBox, ConnectError>;
    fn start_sink(config: ConfigMap, ctx: TaskContext) -> Result<SinkTaskBox, ConnectError>;
    fn start_source(config: ConfigMap, ctx: TaskContext) -> Result<SourceTaskBox, ConnectError>;
}

fn parse<C: ConnectorDescription>(
    config: &ConfigMap,
) -> Result<super::config::Config, ConnectError> {
    C::config_def().parse(config)
}

impl<C: SinkConnector> Kind<C> for Sink {
    const KIND: ConnectorType = ConnectorType::SINK;
    fn start_connector(
        config: ConfigMap,
        ctx: ConnectorContext,
    ) -> Result<ConnectorBox, ConnectError> {
        let c = C::start(parse::<C>(&config)?, ctx)?;
        Ok(Connector_TO::from_value(
            Guarded(Some(SinkConn(c))),
            TD_Opaque,
        ))
    }
    fn start_sink(config: ConfigMap, ctx: TaskContext) -> Result<SinkTaskBox, ConnectError> {
        let t = C::Task::start(config, ctx)?;
        Ok(SinkTask_TO::from_value(Guarded(Some(t)), TD_Opaque))
    }
    fn start_source(_: ConfigMap, _: TaskContext) -> Result<SourceTaskBox, ConnectError> {
        Err(wrong_kind(C::CLASS, "source").unwrap_err().into())
    }
}

impl<C: SourceConnector> Kind<C> for Source {
    const KIND: ConnectorType = ConnectorType::SOURCE;
    fn start_connector(
        config: ConfigMap,
        ctx: ConnectorContext,
    ) -> Result<ConnectorBox, ConnectError> {
        let c = C::start(parse::<C>(&config)?, ctx)?;
        Ok(Connector_TO::from_value(
            Guarded(Some(SourceConn(c))),
            TD_Opaque,
        ))
    }
    fn start_sink(_: ConfigMap, _: TaskContext) -> Result<SinkTaskBox, ConnectError> {
        Err(wrong_kind(C::CLASS, "sink").unwrap_err().into())
    }
    fn start_source(config: ConfigMap, ctx: TaskContext) -> Result<SourceTaskBox, ConnectError> {
        let t = C::Task::start(config, ctx)?;
        Ok(SourceTask_TO::from_value(Guarded(Some(t)), TD_Opaque))
    }
}

struct Factory<C, K>(PhantomData<fn() -> (C, K)>);

impl<C: ConnectorDescription + 'static, K: Kind<C> + 'static> ConnectorFactory for Factory<C, K> {
    fn info(&self) -> ConnectorInfo {
        ConnectorInfo {
            class: C::CLASS.into(),
            version: C::VERSION.into(),
            kind: K::KIND,
            description: C::DESCRIPTION.into(),
        }
    }
    fn config_def(&self) -> RVec<ConfigKeyDef> {
        guard("config_def", || Ok(C::config_def().into_abi())).unwrap_or_else(|_| RVec::new())
    }
    fn validate(
        &self,
        config: RSlice<'_, ConfigEntry>,
    ) -> RResult<RVec<ConfigValueReport>, PluginError> {
        guard("validate", || {
            Ok(C::validate(&to_map(config)).into_iter().collect())
        })
    }
    fn start_connector(
        &self,
        config: RSlice<'_, ConfigEntry>,
        context: ConnectorContextArc,
    ) -> RResult<ConnectorBox, PluginError> {
        guard("connector start", || {
            K::start_connector(to_map(config), ConnectorContext::new(context))
        })
    }
    fn start_sink_task(
        &self,
        config: RSlice<'_, ConfigEntry>,
        context: TaskContextArc,
    ) -> RResult<SinkTaskBox, PluginError> {
        guard("sink task start", || {
            K::start_sink(to_map(config), TaskContext::new(context))
        })
    }
    fn start_source_task(
        &self,
        config: RSlice<'_, ConfigEntry>,
        context: TaskContextArc,
    ) -> RResult<SourceTaskBox, PluginError> {
        guard("source task start", || {
            K::start_source(to_map(config), TaskContext::new(context))
        })
    }
}

/// Owns a plugin object and drops it inside `catch_unwind` too (a panicking `Drop` would
/// otherwise cross the boundary through the object's destructor).
struct Guarded<T>(Option<T>);

impl<T> Guarded<T> {
    fn call<R>(
        &mut self,
        call: &str,
        f: impl FnOnce(&mut T) -> Result<R, ConnectError>,
    ) -> RResult<R, PluginError> {
        match self.0.as_mut() {
            Some(inner) => guard(call, || f(inner)),
            None => RErr(
                ConnectError::fatal(format!("{call} called after the object was stopped"))
                    .into_abi(),
            ),
        }
    }
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        let inner = self.0.take();
        let _ = catch_unwind(AssertUnwindSafe(move || drop(inner)));
    }
}

struct SinkConn<C>(C);
struct SourceConn<C>(C);

fn configs_out(configs: Vec<ConfigMap>) -> RVec<RVec<ConfigEntry>> {
    configs.iter().map(crate::batch::config_entries).collect()
}

impl<C: SinkConnector> abi_task::Connector for Guarded<SinkConn<C>> {
    fn task_configs(&mut self, max_tasks: u32) -> RResult<RVec<RVec<ConfigEntry>>, PluginError> {
        self.call("task_configs", |c| {
            c.0.task_configs(max_tasks as usize).map(configs_out)
        })
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        self.call("connector stop", |c| c.0.stop())
    }
}

impl<C: SourceConnector> abi_task::Connector for Guarded<SourceConn<C>> {
    fn task_configs(&mut self, max_tasks: u32) -> RResult<RVec<RVec<ConfigEntry>>, PluginError> {
        self.call("task_configs", |c| {
            c.0.task_configs(max_tasks as usize).map(configs_out)
        })
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        self.call("connector stop", |c| c.0.stop())
    }
}

impl<T: SinkTask> abi_task::SinkTask for Guarded<T> {
    fn open(&mut self, partitions: RSlice<'_, TopicPartition>) -> RResult<(), PluginError> {
        self.call("open", |t| t.open(partitions.as_slice()))
    }
    fn put(&mut self, batch: &RecordBatch) -> RResult<(), PluginError> {
        self.call("put", |t| t.put(batch))
    }
    fn pre_commit(
        &mut self,
        offsets: RSlice<'_, TopicPartitionOffset>,
    ) -> RResult<RVec<TopicPartitionOffset>, PluginError> {
        self.call("pre_commit", |t| {
            t.pre_commit(offsets.as_slice()).map(RVec::from)
        })
    }
    fn close(&mut self, partitions: RSlice<'_, TopicPartition>) -> RResult<(), PluginError> {
        self.call("close", |t| t.close(partitions.as_slice()))
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        self.call("stop", |t| t.stop())
    }
}

impl<T: SourceTask> abi_task::SourceTask for Guarded<T> {
    fn poll(&mut self, out: &mut SourceBatch) -> RResult<(), PluginError> {
        self.call("poll", |t| t.poll(out))
    }
    fn commit_records(
        &mut self,
        sequence: u64,
        written: RSlice<'_, WrittenRecord>,
    ) -> RResult<(), PluginError> {
        self.call("commit_records", |t| {
            t.commit_records(sequence, written.as_slice())
        })
    }
    fn commit(&mut self) -> RResult<(), PluginError> {
        self.call("commit", |t| t.commit())
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        self.call("stop", |t| t.stop())
    }
}

/// Exports a plugin library's root module. Use it once, in the plugin crate's `lib.rs`
/// (the crate needs `crate-type = ["cdylib", "rlib"]` and a direct `abi_stable` dependency,
/// which abi_stable's export attribute refers to by absolute path):
///
/// ```ignore
/// connect_plugin_api::export_plugin!(sinks: [FileSinkConnector], sources: [FileSourceConnector]);
/// ```
#[macro_export]
macro_rules! export_plugin {
    (sinks: [$($sink:ty),* $(,)?] $(,)?) => {
        $crate::export_plugin!(sinks: [$($sink),*], sources: []);
    };
    (sources: [$($source:ty),* $(,)?] $(,)?) => {
        $crate::export_plugin!(sinks: [], sources: [$($source),*]);
    };
    (sinks: [$($sink:ty),* $(,)?], sources: [$($source:ty),* $(,)?] $(,)?) => {
        /// The connector classes of this library (also usable in-process, e.g. from tests).
        pub extern "C" fn connect_plugin_connectors() -> ::abi_stable::std_types::RVec<$crate::abi::task::ConnectorFactoryBox> {
            $crate::sdk::export::connector_list(|| vec![
                $( $crate::sdk::export::sink_factory::<$sink>(), )*
                $( $crate::sdk::export::source_factory::<$source>(), )*
            ])
        }

        /// The root module the host loads (abi_stable checks its version and layout first).
        #[::abi_stable::export_root_module]
        pub fn connect_plugin_root_module() -> $crate::abi::root::ConnectPluginMod_Ref {
            $crate::sdk::export::root_module(connect_plugin_connectors)
        }
    };
}
