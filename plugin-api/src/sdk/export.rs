//! The glue [`export_plugin!`](crate::export_plugin) expands to: adapters from the SDK traits to
//! the ABI objects, each entry point wrapped in `catch_unwind`.
//!
//! Why: abi_stable ends the process when a panic reaches an `extern "C"` boundary, so one
//! plugin's bug would stop every connector of the worker. Here a panic becomes an
//! `ErrorKind::PANIC` error carrying the panic message, location and backtrace; the host marks
//! that task FAILED and keeps running.

use std::{
    cell::{Cell, RefCell},
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
    error::{ErrorKind, PluginError},
    ext::Extensions,
    host::{Capabilities, HostInfo_Ref, level},
    plugin::{PanicStrategy, PluginInfo, PluginKind},
    root::{ConnectPluginMod, ConnectPluginMod_Ref},
    task::{
        self as abi_task, Connector_TO, ConnectorBox, ConnectorContextArc, ConnectorFactory,
        ConnectorFactory_TO, ConnectorFactoryBox, SinkTask_TO, SinkTaskBox, SourceTask_TO,
        SourceTaskBox, TaskContextArc,
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
    plugin::PluginDescription,
};

pub use super::export_kinds::*;

thread_local! {
    /// The last panic's location and backtrace on this thread, captured by the hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether this thread is inside [`guard`] (a panic there becomes an error value).
    static IN_GUARD: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f`, turning an error into the boundary form and a panic into an `ErrorKind::PANIC` error.
pub fn guard<T>(
    call: &str,
    f: impl FnOnce() -> Result<T, ConnectError>,
) -> RResult<T, PluginError> {
    IN_GUARD.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_GUARD.with(|g| g.set(g.get() - 1));
    match result {
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
                ext: Extensions::new(),
            })
        }
    }
}

/// The root module's `init`: records the host's info, installs the logging bridge and a panic
/// hook. Inside a guarded call the hook records where the panic happened (it becomes the error's
/// trace); on any other thread of the plugin (its own threads, its runtime's workers) the panic is
/// logged at ERROR in the host, so it is never silent. The host's own hook is a different copy of
/// std and is untouched.
pub extern "C" fn init(host: HostInfo_Ref) -> RResult<(), PluginError> {
    guard("init", || {
        super::host::install(host);
        logging::install(host.link());
        std::panic::set_hook(Box::new(|info| {
            if IN_GUARD.with(Cell::get) > 0 {
                let trace = format!("{info}\n{}", std::backtrace::Backtrace::force_capture());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(trace));
            } else {
                let thread = std::thread::current();
                let name = thread.name().unwrap_or("unnamed");
                logging::emit(
                    level::ERROR,
                    "connect_plugin_api::panic",
                    &format!("a plugin thread ({name}) panicked: {info}"),
                );
            }
        }));
        Ok(())
    })
}

/// The functions of a library's root module, as [`export_plugin!`](crate::export_plugin)
/// generates them.
pub struct RootFunctions {
    /// `panic = "unwind"` in the plugin crate (evaluated there).
    pub panic_unwind: bool,
    /// Host capabilities the library requires.
    pub required_capabilities: Capabilities,
    /// The connector list.
    pub connectors: extern "C" fn() -> RVec<ConnectorFactoryBox>,
    /// The transformation list.
    pub transformations: extern "C" fn() -> RVec<crate::abi::transform::TransformationFactoryBox>,
    /// The predicate list.
    pub predicates: extern "C" fn() -> RVec<crate::abi::transform::PredicateFactoryBox>,
    /// The converter list.
    pub converters: extern "C" fn() -> RVec<crate::abi::convert::ConverterFactoryBox>,
    /// The header converter list.
    pub header_converters: extern "C" fn() -> RVec<crate::abi::convert::HeaderConverterFactoryBox>,
    /// The config provider list.
    pub config_providers:
        extern "C" fn() -> RVec<crate::abi::config_provider::ConfigProviderFactoryBox>,
}

/// Builds the root module.
pub fn root_module(f: RootFunctions) -> ConnectPluginMod_Ref {
    ConnectPluginMod {
        panic_strategy: if f.panic_unwind {
            PanicStrategy::UNWIND
        } else {
            PanicStrategy::ABORT
        },
        required_capabilities: f.required_capabilities,
        init,
        connectors: f.connectors,
        transformations: f.transformations,
        predicates: f.predicates,
        converters: f.converters,
        header_converters: f.header_converters,
        config_providers: f.config_providers,
    }
    .leak_into_prefix()
}

/// The [`PluginInfo`] of a class.
pub fn info_of<C: PluginDescription>(kind: PluginKind) -> PluginInfo {
    PluginInfo {
        class: C::CLASS.into(),
        version: C::VERSION.into(),
        kind,
        description: C::DESCRIPTION.into(),
        ext: Extensions::new(),
    }
}

/// Evaluates a factory list, never letting a panic out (an empty list is logged instead).
pub fn factory_list<T>(f: impl FnOnce() -> Vec<T>) -> RVec<T> {
    match guard("the plugin list", || Ok(f())) {
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

pub(crate) fn to_map(config: RSlice<'_, ConfigEntry>) -> ConfigMap {
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
    const KIND: PluginKind;
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

/// A task configuration as a [`Config`](super::config::Config) of the connector's definition,
/// leniently: every key is kept (a source connector's tasks often carry per-task keys the
/// definition lacks), missing defined keys get their defaults, and only the values present are
/// checked (a task configuration need not repeat a required key the connector read itself). A
/// bad value fails the task start with a CONFIG error listing every problem.
pub fn parse_task<C: ConnectorDescription>(
    mut values: ConfigMap,
) -> Result<super::config::Config, ConnectError> {
    let mut errors = Vec::new();
    for def in C::config_def().keys() {
        match values.get(def.name.as_str()) {
            Some(v) => {
                if let Err(e) = super::config::check_value(def, v) {
                    let shown = if def.ty == crate::abi::config::ConfigType::PASSWORD {
                        "[hidden]"
                    } else {
                        v.as_str()
                    };
                    errors.push(format!(
                        "Invalid value {shown} for configuration {}: {e}",
                        def.name
                    ));
                }
            }
            None => {
                if let abi_stable::std_types::ROption::RSome(d) = &def.default_value {
                    values.insert(def.name.to_string(), d.to_string());
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ConnectError::config(format!(
            "Task configuration is invalid and contains the following {} error(s):\n{}",
            errors.len(),
            errors.join("\n")
        )));
    }
    Ok(super::config::Config::from_map(values))
}

impl<C: SinkConnector> Kind<C> for Sink {
    const KIND: PluginKind = PluginKind::SINK;
    fn start_connector(
        config: ConfigMap,
        ctx: ConnectorContext,
    ) -> Result<ConnectorBox, ConnectError> {
        let config = parse::<C>(&config)?;
        let c = C::start(config.clone(), ctx)?;
        Ok(Connector_TO::from_value(
            Guarded(Some(SinkConn(c, config))),
            TD_Opaque,
        ))
    }
    fn start_sink(config: ConfigMap, ctx: TaskContext) -> Result<SinkTaskBox, ConnectError> {
        let t = C::Task::start(parse_task::<C>(config)?, ctx)?;
        Ok(SinkTask_TO::from_value(Guarded(Some(t)), TD_Opaque))
    }
    fn start_source(_: ConfigMap, _: TaskContext) -> Result<SourceTaskBox, ConnectError> {
        Err(wrong_kind(C::CLASS, "source").unwrap_err().into())
    }
}

impl<C: SourceConnector> Kind<C> for Source {
    const KIND: PluginKind = PluginKind::SOURCE;
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
        let t = C::Task::start(parse_task::<C>(config)?, ctx)?;
        Ok(SourceTask_TO::from_value(Guarded(Some(t)), TD_Opaque))
    }
}

struct Factory<C, K>(PhantomData<fn() -> (C, K)>);

impl<C: ConnectorDescription + 'static, K: Kind<C> + 'static> ConnectorFactory for Factory<C, K> {
    fn info(&self) -> PluginInfo {
        info_of::<C>(K::KIND)
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
pub(crate) struct Guarded<T>(pub(crate) Option<T>);

impl<T> Guarded<T> {
    pub(crate) fn call<R>(
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

/// A sink connector with its validated configuration (for the default `task_configs`).
struct SinkConn<C>(C, super::config::Config);
struct SourceConn<C>(C);

fn configs_out(configs: Vec<ConfigMap>) -> RVec<RVec<ConfigEntry>> {
    configs.iter().map(crate::batch::config_entries).collect()
}

impl<C: SinkConnector> abi_task::Connector for Guarded<SinkConn<C>> {
    fn task_configs(&mut self, max_tasks: u32) -> RResult<RVec<RVec<ConfigEntry>>, PluginError> {
        self.call("task_configs", |c| {
            c.0.task_configs(max_tasks as usize, &c.1).map(configs_out)
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

/// Exports a plugin library's root module. Use it once, in the plugin crate's `lib.rs` (the
/// crate needs `crate-type = ["cdylib", "rlib"]`, a direct `abi_stable` dependency, which
/// abi_stable's export attribute refers to by absolute path, and `panic = "unwind"`, the default:
/// with `panic = "abort"` this refuses to compile). Every list is optional, in any order:
///
/// ```ignore
/// connect_plugin_api::export_plugin!(
///     sinks: [FileSinkConnector],
///     sources: [FileSourceConnector],
///     transformations: [MaskField],
///     predicates: [HasHeader],
///     converters: [UpperCaseConverter],
///     header_converters: [],
///     config_providers: [EnvProvider],
///     required_capabilities: [],
/// );
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($($kind:ident : [$($item:path),* $(,)?]),* $(,)?) => {
        #[cfg(not(panic = "unwind"))]
        compile_error!("connect plugins must be built with panic = \"unwind\" (a panic would otherwise end the whole worker): remove `panic = \"abort\"` from this crate's [profile.*] sections");

        /// The plugin classes of this library (also usable in-process, e.g. from tests).
        pub fn connect_plugin_classes() -> &'static $crate::sdk::export::Classes {
            static CLASSES: ::std::sync::OnceLock<$crate::sdk::export::Classes> = ::std::sync::OnceLock::new();
            CLASSES.get_or_init(|| {
                #[allow(unused_mut)]
                let mut classes = $crate::sdk::export::Classes::default();
                $( $( classes.$kind::<$item>(); )* )*
                classes
            })
        }

        /// The connector factories (sinks, then sources) of this library.
        pub extern "C" fn connect_plugin_connectors() -> ::abi_stable::std_types::RVec<$crate::abi::task::ConnectorFactoryBox> {
            $crate::sdk::export::factory_list(|| connect_plugin_classes().connector_factories())
        }
        extern "C" fn connect_plugin_transformations() -> ::abi_stable::std_types::RVec<$crate::abi::transform::TransformationFactoryBox> {
            $crate::sdk::export::factory_list(|| connect_plugin_classes().transformation_factories())
        }
        extern "C" fn connect_plugin_predicates() -> ::abi_stable::std_types::RVec<$crate::abi::transform::PredicateFactoryBox> {
            $crate::sdk::export::factory_list(|| connect_plugin_classes().predicate_factories())
        }
        extern "C" fn connect_plugin_converters() -> ::abi_stable::std_types::RVec<$crate::abi::convert::ConverterFactoryBox> {
            $crate::sdk::export::factory_list(|| connect_plugin_classes().converter_factories())
        }
        extern "C" fn connect_plugin_header_converters() -> ::abi_stable::std_types::RVec<$crate::abi::convert::HeaderConverterFactoryBox> {
            $crate::sdk::export::factory_list(|| connect_plugin_classes().header_converter_factories())
        }
        extern "C" fn connect_plugin_config_providers() -> ::abi_stable::std_types::RVec<$crate::abi::config_provider::ConfigProviderFactoryBox> {
            $crate::sdk::export::factory_list(|| connect_plugin_classes().config_provider_factories())
        }

        /// The root module the host loads (abi_stable checks its version and layout first).
        #[::abi_stable::export_root_module]
        pub fn connect_plugin_root_module() -> $crate::abi::root::ConnectPluginMod_Ref {
            $crate::sdk::export::root_module($crate::sdk::export::RootFunctions {
                panic_unwind: cfg!(panic = "unwind"),
                required_capabilities: connect_plugin_classes().required(),
                connectors: connect_plugin_connectors,
                transformations: connect_plugin_transformations,
                predicates: connect_plugin_predicates,
                converters: connect_plugin_converters,
                header_converters: connect_plugin_header_converters,
                config_providers: connect_plugin_config_providers,
            })
        }
    };
}
