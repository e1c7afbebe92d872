//! `org.apache.kafka.connect.file.FileStreamSourceConnector` as a plugin: reads complete lines of
//! `file` (standard input when unset) into `topic`, remembering its byte position as the source
//! offset `{"filename": file} → {"position": n}`, exactly as Kafka's connector does.

pub mod config;
pub mod connector;
pub mod task;

pub use connector::FileStreamSourceConnector;

connect_plugin_api::export_plugin!(sources: [FileStreamSourceConnector]);
