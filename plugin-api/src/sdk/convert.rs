//! The traits a converter or header converter plugin implements (Kafka Connect's `Converter` and
//! `HeaderConverter`), one column of a batch per call.
//!
//! Lifecycle: `configure` (with the keys under `key.converter.` / `value.converter.` /
//! `header.converter.`) → `to_connect` (sink side) or `from_connect` (source side) once per
//! batch, from one task thread → `close`. The host executes them only if it has
//! `Capabilities::CONVERTERS`.

use crate::abi::{convert::ConvertedColumn, types::RecordBatch};

use super::{config::Config, error::ConnectError, plugin::PluginDescription};

/// A key or value converter.
pub trait Converter: PluginDescription + Send + Sized + 'static {
    /// Creates an instance for keys (`is_key`) or values.
    fn configure(config: Config, is_key: bool) -> Result<Self, ConnectError>;

    /// Kafka bytes → Connect data: one item in `out` per record of `input` (its key if this is a
    /// key converter, else its value).
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError>;

    /// Connect data → Kafka bytes: one `BYTES` or `NULL` item per record of `input`.
    #[allow(clippy::wrong_self_convention)] // Kafka's name: `fromConnectData`
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError>;

    /// Releases resources.
    fn close(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A header converter: one item per header of the batch, in order.
pub trait HeaderConverter: PluginDescription + Send + Sized + 'static {
    /// Creates an instance.
    fn configure(config: Config) -> Result<Self, ConnectError>;

    /// Header bytes → Connect data.
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError>;

    /// Connect data → header bytes.
    #[allow(clippy::wrong_self_convention)] // Kafka's name: `fromConnectData`
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> Result<(), ConnectError>;

    /// Releases resources.
    fn close(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}
