//! Converters and header converters (Kafka Connect's `Converter` and `HeaderConverter`),
//! batch-wise: one call converts one column (keys, values or header values) of a whole batch.
//!
//! Lifecycle: the factory's `create(config, is_key)` is Kafka's `configure`; the instance is then
//! called from one task thread, one batch at a time; `close` is called once, last.

use abi_stable::{
    StableAbi, sabi_trait,
    std_types::{RBox, RResult, RSlice, RString, RVec},
};

use super::{
    config::ConfigKeyDef,
    error::PluginError,
    ext::Extensions,
    plugin::PluginInfo,
    types::{ConfigEntry, DataMeta, RecordBatch},
};

/// The converted column: one [`DataMeta`] per converted item, pointing into `arena` and
/// `schemas` (not into the input batch).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Default)]
pub struct ConvertedColumn {
    /// The converted bytes, back to back.
    pub arena: RVec<u8>,
    /// Connect schemas (schema JSON), referenced by [`DataMeta::schema`].
    pub schemas: RVec<RString>,
    /// One per item, in order.
    pub data: RVec<DataMeta>,
    /// Fields added after 2.0.
    pub ext: Extensions,
}

/// A converter instance for keys (`is_key`) or values.
#[sabi_trait]
pub trait Converter: Send {
    /// Kafka bytes → Connect data (sink side, `toConnectData`): for each record of `input`, whose
    /// key (or value) is raw `BYTES` or `NULL`, one item in `out` (handed over empty). An
    /// `INVALID_RECORD` error names the record that could not be converted.
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError>;

    /// Connect data → Kafka bytes (source side, `fromConnectData`): one `BYTES` or `NULL` item
    /// per record of `input`.
    #[allow(clippy::wrong_self_convention)] // Kafka's name: `fromConnectData`
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError>;

    /// Releases resources; no call follows.
    #[sabi(last_prefix_field)]
    fn close(&mut self) -> RResult<(), PluginError>;
}

/// A header converter instance: the same as [`Converter`], over every header value of the batch
/// (`input.headers`, in order) instead of one column of records.
#[sabi_trait]
pub trait HeaderConverter: Send {
    /// Header bytes → Connect data, one item per header of `input`.
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError>;

    /// Connect data → header bytes, one item per header of `input`.
    #[allow(clippy::wrong_self_convention)] // Kafka's name: `fromConnectData`
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError>;

    /// Releases resources; no call follows.
    #[sabi(last_prefix_field)]
    fn close(&mut self) -> RResult<(), PluginError>;
}

/// A converter object owned by the host.
pub type ConverterBox = Converter_TO<'static, RBox<()>>;
/// A header converter object owned by the host.
pub type HeaderConverterBox = HeaderConverter_TO<'static, RBox<()>>;
/// A converter class object.
pub type ConverterFactoryBox = ConverterFactory_TO<'static, RBox<()>>;
/// A header converter class object.
pub type HeaderConverterFactoryBox = HeaderConverterFactory_TO<'static, RBox<()>>;

/// One converter class of a library.
#[sabi_trait]
pub trait ConverterFactory: Send + Sync {
    /// Class name, version, kind `CONVERTER`, description.
    fn info(&self) -> PluginInfo;

    /// Its configuration keys (without the `key.converter.`/`value.converter.` prefix).
    fn config_def(&self) -> RVec<ConfigKeyDef>;

    /// Creates a configured instance for keys (`is_key`) or values.
    #[sabi(last_prefix_field)]
    fn create(
        &self,
        config: RSlice<'_, ConfigEntry>,
        is_key: bool,
    ) -> RResult<ConverterBox, PluginError>;
}

/// One header converter class of a library.
#[sabi_trait]
pub trait HeaderConverterFactory: Send + Sync {
    /// Class name, version, kind `HEADER_CONVERTER`, description.
    fn info(&self) -> PluginInfo;

    /// Its configuration keys (without the `header.converter.` prefix).
    fn config_def(&self) -> RVec<ConfigKeyDef>;

    /// Creates a configured instance.
    #[sabi(last_prefix_field)]
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<HeaderConverterBox, PluginError>;
}
