//! Transformations and predicates (Kafka Connect's `Transformation` and `Predicate`), batch-wise.
//!
//! Lifecycle of both: the factory's `create(config)` is Kafka's `configure`; the object is then
//! called from one task thread, one batch at a time; `close` is called once, last. A host runs one
//! instance per alias per task, so instances need no locking.

use abi_stable::{
    StableAbi, sabi_trait,
    std_types::{RBox, RResult, RSlice, RVec},
};

use super::{
    config::ConfigKeyDef,
    error::PluginError,
    ext::Extensions,
    plugin::PluginInfo,
    types::{ConfigEntry, RecordBatch},
};

/// What a transformation writes for one input batch.
///
/// `batch` holds the transformed records in input order; `origins[i]` is the index in the input
/// batch of output record `i` (so the host keeps each record's Kafka position for offsets and
/// error reporting). A record dropped by the transformation (Kafka's `return null`) has no output
/// record; one input record may give at most one output record.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Default)]
pub struct TransformedBatch {
    /// The output records.
    pub batch: RecordBatch,
    /// For each output record, the index of its input record.
    pub origins: RVec<u32>,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

/// A transformation instance.
#[sabi_trait]
pub trait Transformation: Send {
    /// Transforms `input` into `out` (handed over empty). An `INVALID_RECORD` error names the
    /// input record that failed; the host applies `errors.tolerance` to it.
    fn apply(
        &mut self,
        input: &RecordBatch,
        out: &mut TransformedBatch,
    ) -> RResult<(), PluginError>;

    /// Releases resources; no call follows.
    #[sabi(last_prefix_field)]
    fn close(&mut self) -> RResult<(), PluginError>;
}

/// A predicate instance.
#[sabi_trait]
pub trait Predicate: Send {
    /// Fills `out` (handed over empty) with one answer per record of `input`.
    fn test(&mut self, input: &RecordBatch, out: &mut RVec<bool>) -> RResult<(), PluginError>;

    /// Releases resources; no call follows.
    #[sabi(last_prefix_field)]
    fn close(&mut self) -> RResult<(), PluginError>;
}

/// A transformation object owned by the host.
pub type TransformationBox = Transformation_TO<'static, RBox<()>>;
/// A predicate object owned by the host.
pub type PredicateBox = Predicate_TO<'static, RBox<()>>;
/// A transformation class object.
pub type TransformationFactoryBox = TransformationFactory_TO<'static, RBox<()>>;
/// A predicate class object.
pub type PredicateFactoryBox = PredicateFactory_TO<'static, RBox<()>>;

/// One transformation class of a library.
#[sabi_trait]
pub trait TransformationFactory: Send + Sync {
    /// Class name, version, kind `TRANSFORMATION`, description.
    fn info(&self) -> PluginInfo;

    /// Its configuration keys (without the `transforms.<alias>.` prefix).
    fn config_def(&self) -> RVec<ConfigKeyDef>;

    /// Creates a configured instance (Kafka's `configure`); a CONFIG error names the bad key.
    #[sabi(last_prefix_field)]
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<TransformationBox, PluginError>;
}

/// One predicate class of a library.
#[sabi_trait]
pub trait PredicateFactory: Send + Sync {
    /// Class name, version, kind `PREDICATE`, description.
    fn info(&self) -> PluginInfo;

    /// Its configuration keys (without the `predicates.<alias>.` prefix).
    fn config_def(&self) -> RVec<ConfigKeyDef>;

    /// Creates a configured instance.
    #[sabi(last_prefix_field)]
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<PredicateBox, PluginError>;
}
