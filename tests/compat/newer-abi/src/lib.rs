//! Compatibility fixture: a 2.1 plugin (plugin-api's `preview` feature) in a 2.0 host.
//!
//! Its sink task asks for `TaskContext::task_identity`, a 2.1 call. In a 2.0 host the SDK never
//! makes the call (it gates on the host's version) and the plugin degrades: it reports the gauge
//! `identity_known` 0 instead of 1. Built with the `require` feature, the library declares the
//! 2.1 capability as required, and a 2.0 host refuses it at load, naming what is missing.

use connect_plugin_api::prelude::*;

/// A sink that reports whether it learned its identity from the host.
pub struct NewerSink;

impl ConnectorDescription for NewerSink {
    const CLASS: &'static str = "com.example.compat.NewerAbiSinkConnector";
    const VERSION: &'static str = "2.1.0-fixture";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
    }
}

impl SinkConnector for NewerSink {
    type Task = NewerTask;
    fn start(_: Config, _: ConnectorContext) -> Result<Self, ConnectError> {
        Ok(NewerSink)
    }
}

/// Its task.
pub struct NewerTask {
    ctx: TaskContext,
}

impl SinkTask for NewerTask {
    fn start(_: Config, ctx: TaskContext) -> Result<Self, ConnectError> {
        Ok(NewerTask { ctx })
    }
    fn put(&mut self, _batch: &RecordBatch) -> Result<(), ConnectError> {
        let known = self.ctx.task_identity().is_some();
        self.ctx
            .gauge("identity_known", &[], if known { 1.0 } else { 0.0 });
        Ok(())
    }
}

#[cfg(not(feature = "require"))]
connect_plugin_api::export_plugin!(sinks: [NewerSink]);

#[cfg(feature = "require")]
connect_plugin_api::export_plugin!(
    sinks: [NewerSink],
    required_capabilities: [connect_plugin_api::sdk::host::capability::TaskIdentity],
);
