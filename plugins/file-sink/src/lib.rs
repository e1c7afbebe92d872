//! `org.apache.kafka.connect.file.FileStreamSinkConnector` as a plugin: appends the value of each
//! record as one line to `file` (standard output when unset). The smallest complete sink; copy it
//! to start a new one.

pub mod config;
pub mod connector;
pub mod task;

pub use connector::FileStreamSinkConnector;

connect_plugin_api::export_plugin!(sinks: [FileStreamSinkConnector]);
