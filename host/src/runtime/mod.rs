//! Connectors, tasks, converters, transforms and error handling.
//!
//! What the runtime needs persisted is declared here as small traits ([`stores`]); the
//! `storage` layer implements them. The runtime never names Kafka topics or files itself.

pub mod config_resolution;
pub mod connector_runner;
pub mod dlq_topic;
pub mod errors;
pub mod herder;
pub mod host_context;
pub mod info;
pub mod metrics;
pub mod plugin_metrics;
pub mod plugin_transform;
pub mod record_codec;
pub mod restarter;
pub mod secrets;
pub mod sink_offsets;
pub mod sink_task;
pub mod sink_transform;
pub mod source_task;
pub mod source_transform;
pub mod static_membership;
pub mod status;
pub mod stores;
pub mod task_control;
pub mod task_spec;
pub mod topic_subscription;
pub mod transform_chain;
pub mod validate;
pub mod worker;

/// The converters, in connect-data.
pub use connect_data::convert;
/// The transformations, in connect-data.
pub use connect_data::transforms;
