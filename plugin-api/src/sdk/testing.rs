//! Driving a plugin in-process, without a host, for unit tests and benchmarks of plugins:
//!
//! - [`SinkHarness`] / [`SourceHarness`]: a connector class driven through its boundary objects
//!   exactly as the host drives it (factory → validate → start → task configs → task lifecycle),
//!   with the host's RETRIABLE / INVALID_RECORD handling and commits, no Kafka;
//! - [`RecordingTaskContext`] / [`RecordingConnectorContext`]: contexts that record pause,
//!   resume, commit requests, errant records and metrics, and serve preloaded source offsets;
//! - [`batch!`](crate::batch!) and [`BatchBuilder`]: sink batches in one line;
//! - [`NoopTaskContext`]: a context that records nothing
//!   (`sink_factory::<C>().start_sink_task(config, noop_task_context())`).

mod context;
mod harness;

pub use context::{Errant, Metric, RecordingConnectorContext, RecordingTaskContext};
pub use harness::{BatchBuilder, SinkHarness, SourceHarness};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, ROption, RSlice, RStr, RString},
};

use crate::abi::{
    context::{MetricKind, MetricLabel, TaskContext, TaskContext_TO},
    error::PluginError,
    task::TaskContextArc,
    types::TopicPartition,
};

/// A task context that ignores every request and knows no stored offsets.
pub struct NoopTaskContext;

impl TaskContext for NoopTaskContext {
    fn pause(&self, _: RSlice<'_, TopicPartition>) {}
    fn resume(&self, _: RSlice<'_, TopicPartition>) {}
    fn request_commit(&self) {}
    fn report_errant(&self, _: RStr<'_>, _: i32, _: i64, _: PluginError) {}
    fn source_offset(&self, _: RStr<'_>) -> ROption<RString> {
        ROption::RNone
    }
    fn record_metric(&self, _: MetricKind, _: RStr<'_>, _: RSlice<'_, MetricLabel<'_>>, _: f64) {}
    #[cfg(feature = "preview")]
    fn task_identity(&self) -> RString {
        "test/0".into()
    }
}

/// A [`NoopTaskContext`] in boundary form.
pub fn noop_task_context() -> TaskContextArc {
    TaskContext_TO::from_ptr(RArc::new(NoopTaskContext), TD_Opaque)
}
