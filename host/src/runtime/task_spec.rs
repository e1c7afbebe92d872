//! Everything a task thread needs to run one task: which plugin, its configs, the worker's
//! settings and stores, and its control handle. Built by the worker, consumed by
//! [`super::sink_task::run`] and [`super::source_task::run`].

use std::sync::Arc;

use abi_stable::std_types::RVec;
use connect_plugin_api::abi::types::ConfigEntry;
use rdkafka::ClientConfig;

use super::{
    convert::{self, Converter},
    errors::TaskFailure,
    info::ConnectorTaskId,
    stores::{ConfigMap, OffsetStore, StatusStore},
    task_control::TaskControl,
};
use crate::{
    config::{
        WorkerConfig,
        connector::ConnectorConfig,
        kafka_client::{self, ClientRole, Layers},
    },
    plugins::ConnectorPlugin,
};

/// A task's key and value converters.
pub type KeyValueConverters = (Box<dyn Converter>, Box<dyn Converter>);

/// The worker-wide parts every task shares.
pub struct WorkerContext {
    /// `host:port` this worker advertises.
    pub worker_id: String,
    /// The worker configuration.
    pub config: Arc<WorkerConfig>,
    /// Source offsets.
    pub offsets: Arc<dyn OffsetStore>,
    /// Statuses.
    pub statuses: Arc<dyn StatusStore>,
    /// The group generation of the last assignment, written into every status (Java's
    /// status records carry it so that a stale owner's FAILED or UNASSIGNED loses); 0 in
    /// standalone mode.
    pub generation: Arc<std::sync::atomic::AtomicI32>,
    /// The worker's config providers (`config.providers`): connector and task configs are
    /// resolved with them when an instance starts, never when they are stored.
    pub config_transformer: Arc<connect_data::config_providers::ConfigTransformer>,
    /// The plugins on `plugin.path`: their transformations and predicates run in task chains.
    pub plugins: Arc<crate::plugins::PluginRegistry>,
}

/// One task to run.
pub struct TaskSpec {
    /// Which task.
    pub id: ConnectorTaskId,
    /// Its plugin class.
    pub plugin: ConnectorPlugin,
    /// The task configuration from the connector's `task_configs`.
    pub task_config: ConfigMap,
    /// The connector's framework settings (topics, converters, errors.*).
    pub connector: ConnectorConfig,
    /// Worker-wide parts.
    pub worker: Arc<WorkerContext>,
    /// Control and status.
    pub control: Arc<TaskControl>,
}

impl TaskSpec {
    /// The task configuration in boundary form.
    pub fn task_entries(&self) -> RVec<ConfigEntry> {
        connect_plugin_api::batch::config_entries(&self.task_config)
    }

    /// The settings of one of the task's Kafka clients (`config::kafka_client`): the worker's
    /// client settings, its `producer.*`/`consumer.*`/`admin.*`, then the connector's
    /// `*.override.*` for the role. A setting librdkafka cannot take fails the task, naming it.
    pub fn client_config(&self, role: ClientRole) -> Result<ClientConfig, TaskFailure> {
        let overrides = match role {
            ClientRole::Producer => &self.connector.producer_overrides,
            ClientRole::Consumer => &self.connector.consumer_overrides,
            ClientRole::Admin => &self.connector.admin_overrides,
        };
        kafka_client::client_config(&self.worker.config, Layers::Task(role, overrides)).map_err(
            |e| {
                TaskFailure::new(
                    format!(
                        "invalid Kafka client settings for the task's {} client: {e}",
                        role.prefix().trim_end_matches('.')
                    ),
                    "fix the worker's client settings or the connector's *.override.* settings",
                )
            },
        )
    }

    /// The key and value converters: the connector's override, else the worker's.
    pub fn converters(&self) -> Result<KeyValueConverters, TaskFailure> {
        let w = &self.worker.config;
        let key = self
            .connector
            .key_converter
            .as_ref()
            .unwrap_or(&w.key_converter);
        let value = self
            .connector
            .value_converter
            .as_ref()
            .unwrap_or(&w.value_converter);
        let k = convert::converter_from_config(&key.class, &key.settings, true)
            .map_err(|e| TaskFailure::new(format!("invalid key.converter: {e}"), ""))?;
        let v = convert::converter_from_config(&value.class, &value.settings, false)
            .map_err(|e| TaskFailure::new(format!("invalid value.converter: {e}"), ""))?;
        Ok((k, v))
    }
}

impl TaskSpec {
    /// The header converter: the connector's `header.converter` override, else the worker's.
    pub fn header_converter(&self) -> Result<convert::HeaderConverter, TaskFailure> {
        let setting = self
            .connector
            .header_converter
            .as_ref()
            .unwrap_or(&self.worker.config.header_converter);
        convert::HeaderConverter::from_config(&setting.class, &setting.settings)
            .map_err(|e| TaskFailure::new(format!("invalid header.converter: {e}"), ""))
    }

    /// The task's transformation chain (`transforms`, `predicates`); a class that does not
    /// resolve fails the task with the reason.
    pub fn transforms(&self) -> Result<connect_data::transforms::chain::Chain, TaskFailure> {
        let cx = super::transform_chain::ChainContext {
            registry: &self.worker.plugins,
            decimal_numeric: self.decimal_numeric(),
            retry: super::plugin_transform::RetryPolicy {
                timeout: self.connector.errors.retry_timeout,
                delay_max: self.connector.errors.retry_delay_max,
                control: self.control.clone(),
            },
        };
        super::transform_chain::build(&self.connector, &cx)
            .map_err(|m| TaskFailure::new(format!("invalid transforms: {m}"), ""))
    }

    /// Whether the value converter writes decimals as numbers (`decimal.format=NUMERIC`), the
    /// form transformed records keep.
    pub fn decimal_numeric(&self) -> bool {
        let value = self
            .connector
            .value_converter
            .as_ref()
            .unwrap_or(&self.worker.config.value_converter);
        value
            .settings
            .get("decimal.format")
            .is_some_and(|f| f.trim().eq_ignore_ascii_case("NUMERIC"))
    }
}

/// Runs a task loop on the current (task) thread: reports UNASSIGNED at start and after a clean
/// stop, FAILED with the trace when the loop returns an error, and never lets a panic of the
/// host's own loop escape the thread. A cancelled task reports nothing (see
/// [`TaskControl::cancel`]).
pub fn run_guarded(spec: &TaskSpec, body: impl FnOnce(&TaskSpec) -> Result<(), TaskFailure>) {
    use super::status::State;
    let control = &spec.control;
    super::secrets::register(super::secrets::secret_values(
        &spec.worker.config.originals,
        &Default::default(),
    ));
    super::secrets::register_config(&spec.plugin, [&spec.connector.originals, &spec.task_config]);
    control.report(State::Unassigned, None);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(spec))) {
        Ok(Ok(())) => control.report(State::Unassigned, None),
        Ok(Err(failure)) => {
            tracing::error!(connector = %spec.id.connector, task = spec.id.task,
                "Task threw an uncaught and unrecoverable exception. Task is being killed: {}", super::secrets::redact(&failure.message));
            control.report_failed(failure.trace, failure.record);
        }
        Err(_) => control.report(
            State::Failed,
            Some("the host's task loop panicked; this is a bug in the host".into()),
        ),
    }
}
