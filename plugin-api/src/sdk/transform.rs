//! The traits a transformation or predicate plugin implements (Kafka Connect's `Transformation`
//! and `Predicate`), batch-wise.
//!
//! Lifecycle: `configure` (with the keys under `transforms.<alias>.` / `predicates.<alias>.`,
//! validated against `config_def`) → `apply`/`test` once per batch, from one task thread → `close`.
//! The host executes them only if it has `Capabilities::TRANSFORMATIONS`.

use crate::abi::{transform::TransformedBatch, types::RecordBatch};

use super::{config::Config, error::ConnectError, plugin::PluginDescription};

/// A single message transformation.
pub trait Transformation: PluginDescription + Send + Sized + 'static {
    /// Creates a configured instance. An error fails the task that needs it.
    fn configure(config: Config) -> Result<Self, ConnectError>;

    /// Writes the transformed records of `input` into `out` (empty on entry), with
    /// `out.origins[i]` = index of the input record of output record `i`; leaving a record out
    /// drops it. `ConnectError::invalid_record(i, …)` names input record `i`.
    fn apply(
        &mut self,
        input: &RecordBatch,
        out: &mut TransformedBatch,
    ) -> Result<(), ConnectError>;

    /// Releases resources.
    fn close(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A predicate (`predicates.<alias>.type`).
pub trait Predicate: PluginDescription + Send + Sized + 'static {
    /// Creates a configured instance.
    fn configure(config: Config) -> Result<Self, ConnectError>;

    /// Pushes one answer per record of `input` into `out` (empty on entry).
    fn test(&mut self, input: &RecordBatch, out: &mut Vec<bool>) -> Result<(), ConnectError>;

    /// Releases resources.
    fn close(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}
