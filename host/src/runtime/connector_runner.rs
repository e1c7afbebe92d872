//! One connector instance on a thread of its own, as Kafka Connect's `WorkerConnector`: the
//! plugin's `start`, `task_configs` and `stop` run there, never on the herder's thread, so a slow
//! or stuck plugin call holds up only its own connector. Results come back as
//! [`ConnectorEvent`]s through the callback the herder gives; a stop waits a bounded time and then
//! abandons the thread (it reports nothing after that).

use std::{
    sync::{Arc, mpsc},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use abi_stable::std_types::RSlice;

use super::{
    errors::TaskFailure,
    host_context::HostConnectorContext,
    status::{State, TargetState},
    stores::ConfigMap,
    task_control::TaskControl,
};
use crate::plugins::ConnectorPlugin;

/// How long a connector's `stop` may take before the instance is abandoned (Java's
/// `Worker.CONNECTOR_GRACEFUL_SHUTDOWN_TIMEOUT_MS`).
pub const CONNECTOR_STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// What a connector thread reports to the herder. `epoch` tells one start of a connector from
/// the next, so a late answer of a replaced instance is recognised and dropped.
#[derive(Debug)]
pub enum ConnectorEvent {
    /// `start` returned: the instance runs (or failed, and its status says why).
    Started {
        /// The connector.
        name: String,
        /// Which start.
        epoch: u64,
        /// Whether `start` succeeded.
        ok: bool,
    },
    /// `task_configs` answered.
    TaskConfigs {
        /// The connector.
        name: String,
        /// Which start.
        epoch: u64,
        /// The task configurations, or why the plugin could not give them.
        result: Result<Vec<ConfigMap>, TaskFailure>,
    },
}

enum Command {
    TaskConfigs(u32),
    Stop,
}

/// The handle of one running connector instance.
pub struct ConnectorRunner {
    name: String,
    epoch: u64,
    commands: mpsc::Sender<Command>,
    thread: Option<JoinHandle<()>>,
    control: Arc<TaskControl>,
}

/// Everything a connector thread is started with.
pub struct ConnectorStart {
    /// The connector's name.
    pub name: String,
    /// Which start this is.
    pub epoch: u64,
    /// Its plugin.
    pub plugin: ConnectorPlugin,
    /// Its configuration.
    pub config: ConfigMap,
    /// The state it starts in (STARTED or PAUSED).
    pub target: TargetState,
    /// Called when the plugin asks for its tasks to be reconfigured.
    pub reconfigure: Arc<dyn Fn() + Send + Sync>,
    /// Where results go.
    pub events: Arc<dyn Fn(ConnectorEvent) + Send + Sync>,
}

impl ConnectorRunner {
    /// Starts the thread, which calls the plugin's `start` first; `control` carries its status.
    pub fn start(
        start: ConnectorStart,
        control: Arc<TaskControl>,
    ) -> std::io::Result<ConnectorRunner> {
        let (tx, rx) = mpsc::channel();
        let (name, epoch) = (start.name.clone(), start.epoch);
        let thread_control = control.clone();
        let thread = std::thread::Builder::new()
            .name(format!("connector-{}", start.name))
            .spawn(move || {
                let _context = crate::log_context::connector_span(&start.name).entered();
                run(start, thread_control, rx)
            })?;
        Ok(ConnectorRunner {
            name,
            epoch,
            commands: tx,
            thread: Some(thread),
            control,
        })
    }

    /// Which start of the connector this instance is.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The instance's control (status and target state).
    pub fn control(&self) -> &Arc<TaskControl> {
        &self.control
    }

    /// Asks for task configurations; the answer comes as [`ConnectorEvent::TaskConfigs`].
    pub fn request_task_configs(&self, max_tasks: u32) {
        let _ = self.commands.send(Command::TaskConfigs(max_tasks));
    }

    /// Pauses or resumes the instance (it keeps running; its status follows).
    pub fn set_target(&self, target: TargetState) {
        self.control.set_target(target);
        if matches!(self.control.status().state, State::Running | State::Paused) {
            self.control.report_running();
        }
    }

    /// Asks the instance to stop, without waiting (see [`ConnectorRunner::await_stop`]).
    pub fn request_stop(&self) {
        let _ = self.commands.send(Command::Stop);
    }

    /// Waits until the thread ended or `deadline` passed; past it the instance is abandoned:
    /// it writes no status from then on. Returns whether it stopped in time.
    pub fn await_stop(mut self, deadline: Instant) -> bool {
        self.request_stop();
        let Some(thread) = self.thread.take() else {
            return true;
        };
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if thread.is_finished() {
            let _ = thread.join();
            return true;
        }
        self.control.cancel();
        tracing::error!(
            connector = %self.name,
            "connector did not stop within {} s; abandoning it",
            CONNECTOR_STOP_TIMEOUT.as_secs()
        );
        false
    }
}

fn run(start: ConnectorStart, control: Arc<TaskControl>, commands: mpsc::Receiver<Command>) {
    let ConnectorStart {
        name,
        epoch,
        plugin,
        config,
        target: _,
        reconfigure,
        events,
    } = start;
    super::secrets::register_config(&plugin, [&config]);
    let ctx = HostConnectorContext::create(control.clone(), reconfigure);
    let entries = connect_plugin_api::batch::config_entries(&config);
    let mut instance = match plugin
        .factory
        .start_connector(RSlice::from_slice(&entries), ctx)
        .into_result()
    {
        Ok(instance) => {
            control.report_running();
            tracing::info!("finished creating connector {name}");
            events(ConnectorEvent::Started {
                name: name.clone(),
                epoch,
                ok: true,
            });
            instance
        }
        Err(e) => {
            let failure = TaskFailure::from_plugin("connector start", &e);
            control.report(State::Failed, Some(failure.trace));
            events(ConnectorEvent::Started {
                name,
                epoch,
                ok: false,
            });
            return;
        }
    };
    while let Ok(command) = commands.recv() {
        match command {
            Command::TaskConfigs(max) => {
                let result = match instance.task_configs(max).into_result() {
                    Ok(configs) => Ok(configs
                        .into_iter()
                        .map(|entries| {
                            entries
                                .into_iter()
                                .map(|e| (e.key.into_string(), e.value.into_string()))
                                .collect()
                        })
                        .collect()),
                    Err(e) => {
                        let failure = TaskFailure::from_plugin("task_configs", &e);
                        control.report(State::Failed, Some(failure.trace.clone()));
                        Err(failure)
                    }
                };
                events(ConnectorEvent::TaskConfigs {
                    name: name.clone(),
                    epoch,
                    result,
                });
            }
            Command::Stop => break,
        }
    }
    if let Err(e) = instance.stop().into_result() {
        tracing::warn!(connector = %name, "connector stop failed: {}", e.message);
    }
    tracing::info!("completed shutdown for connector {name}");
}
