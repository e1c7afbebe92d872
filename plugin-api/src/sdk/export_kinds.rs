//! The class registry [`export_plugin!`](crate::export_plugin) fills, and the glue from the SDK
//! traits of transformations, predicates, converters, header converters and config providers to
//! their ABI objects (connectors' glue is in `export.rs`). Every entry point runs in `guard`.

use std::marker::PhantomData;

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RBox, ROption, RResult, RSlice, RStr, RString, RVec},
};

use crate::abi::{
    config::ConfigKeyDef,
    config_provider::{
        self as abi_cp, ConfigData, ConfigProvider_TO, ConfigProviderBox, ConfigProviderFactory,
        ConfigProviderFactory_TO, ConfigProviderFactoryBox,
    },
    convert::{
        self as abi_conv, ConvertedColumn, Converter_TO, ConverterBox, ConverterFactory,
        ConverterFactory_TO, ConverterFactoryBox, HeaderConverter_TO, HeaderConverterBox,
        HeaderConverterFactory, HeaderConverterFactory_TO, HeaderConverterFactoryBox,
    },
    error::PluginError,
    ext::Extensions,
    host::Capabilities,
    plugin::{PluginInfo, PluginKind},
    task::ConnectorFactoryBox,
    transform::{
        self as abi_tf, Predicate_TO, PredicateBox, PredicateFactory, PredicateFactory_TO,
        PredicateFactoryBox, Transformation_TO, TransformationBox, TransformationFactory,
        TransformationFactory_TO, TransformationFactoryBox, TransformedBatch,
    },
    types::{ConfigEntry, RecordBatch},
};

use super::{
    config::Config,
    config_provider::ConfigProvider,
    connector::{SinkConnector, SourceConnector},
    convert::{Converter, HeaderConverter},
    error::ConnectError,
    export::{Guarded, guard, info_of, sink_factory, source_factory, to_map},
    host::RequiredCapability,
    plugin::PluginDescription,
    transform::{Predicate, Transformation},
};

/// The classes of one library, by kind, as `export_plugin!` lists them. Each method is named
/// after the list it serves in the macro (`sinks: [..]` calls [`Classes::sinks`]).
#[derive(Default)]
pub struct Classes {
    connectors: Vec<fn() -> ConnectorFactoryBox>,
    transformations: Vec<fn() -> TransformationFactoryBox>,
    predicates: Vec<fn() -> PredicateFactoryBox>,
    converters: Vec<fn() -> ConverterFactoryBox>,
    header_converters: Vec<fn() -> HeaderConverterFactoryBox>,
    config_providers: Vec<fn() -> ConfigProviderFactoryBox>,
    required: Capabilities,
}

impl Classes {
    /// Adds a sink connector class.
    pub fn sinks<C: SinkConnector>(&mut self) {
        self.connectors.push(sink_factory::<C>);
    }
    /// Adds a source connector class.
    pub fn sources<C: SourceConnector>(&mut self) {
        self.connectors.push(source_factory::<C>);
    }
    /// Adds a transformation class.
    pub fn transformations<C: Transformation>(&mut self) {
        self.transformations.push(transformation_factory::<C>);
    }
    /// Adds a predicate class.
    pub fn predicates<C: Predicate>(&mut self) {
        self.predicates.push(predicate_factory::<C>);
    }
    /// Adds a converter class.
    pub fn converters<C: Converter>(&mut self) {
        self.converters.push(converter_factory::<C>);
    }
    /// Adds a header converter class.
    pub fn header_converters<C: HeaderConverter>(&mut self) {
        self.header_converters.push(header_converter_factory::<C>);
    }
    /// Adds a config provider class.
    pub fn config_providers<C: ConfigProvider>(&mut self) {
        self.config_providers.push(config_provider_factory::<C>);
    }
    /// Declares a host capability the library cannot work without.
    pub fn required_capabilities<C: RequiredCapability>(&mut self) {
        self.required = self.required.union(C::BITS);
    }

    /// The declared required capabilities.
    pub fn required(&self) -> Capabilities {
        self.required
    }
    /// Fresh connector factory objects.
    pub fn connector_factories(&self) -> Vec<ConnectorFactoryBox> {
        self.connectors.iter().map(|f| f()).collect()
    }
    /// Fresh transformation factory objects.
    pub fn transformation_factories(&self) -> Vec<TransformationFactoryBox> {
        self.transformations.iter().map(|f| f()).collect()
    }
    /// Fresh predicate factory objects.
    pub fn predicate_factories(&self) -> Vec<PredicateFactoryBox> {
        self.predicates.iter().map(|f| f()).collect()
    }
    /// Fresh converter factory objects.
    pub fn converter_factories(&self) -> Vec<ConverterFactoryBox> {
        self.converters.iter().map(|f| f()).collect()
    }
    /// Fresh header converter factory objects.
    pub fn header_converter_factories(&self) -> Vec<HeaderConverterFactoryBox> {
        self.header_converters.iter().map(|f| f()).collect()
    }
    /// Fresh config provider factory objects.
    pub fn config_provider_factories(&self) -> Vec<ConfigProviderFactoryBox> {
        self.config_providers.iter().map(|f| f()).collect()
    }
}

fn def_of<C: PluginDescription>() -> RVec<ConfigKeyDef> {
    guard("config_def", || Ok(C::config_def().into_abi())).unwrap_or_else(|_| RVec::new())
}

fn configure<C: PluginDescription>(
    config: RSlice<'_, ConfigEntry>,
) -> Result<Config, ConnectError> {
    C::config_def().parse(&to_map(config))
}

struct TransformationClass<C>(PhantomData<fn() -> C>);
struct PredicateClass<C>(PhantomData<fn() -> C>);
struct ConverterClass<C>(PhantomData<fn() -> C>);
struct HeaderConverterClass<C>(PhantomData<fn() -> C>);
struct ConfigProviderClass<C>(PhantomData<fn() -> C>);

/// The factory object of a transformation class.
pub fn transformation_factory<C: Transformation>() -> TransformationFactoryBox {
    TransformationFactory_TO::from_value(TransformationClass::<C>(PhantomData), TD_Opaque)
}
/// The factory object of a predicate class.
pub fn predicate_factory<C: Predicate>() -> PredicateFactoryBox {
    PredicateFactory_TO::from_value(PredicateClass::<C>(PhantomData), TD_Opaque)
}
/// The factory object of a converter class.
pub fn converter_factory<C: Converter>() -> ConverterFactoryBox {
    ConverterFactory_TO::from_value(ConverterClass::<C>(PhantomData), TD_Opaque)
}
/// The factory object of a header converter class.
pub fn header_converter_factory<C: HeaderConverter>() -> HeaderConverterFactoryBox {
    HeaderConverterFactory_TO::from_value(HeaderConverterClass::<C>(PhantomData), TD_Opaque)
}
/// The factory object of a config provider class.
pub fn config_provider_factory<C: ConfigProvider>() -> ConfigProviderFactoryBox {
    ConfigProviderFactory_TO::from_value(ConfigProviderClass::<C>(PhantomData), TD_Opaque)
}

impl<C: Transformation> TransformationFactory for TransformationClass<C> {
    fn info(&self) -> PluginInfo {
        info_of::<C>(PluginKind::TRANSFORMATION)
    }
    fn config_def(&self) -> RVec<ConfigKeyDef> {
        def_of::<C>()
    }
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<TransformationBox, PluginError> {
        guard("transformation configure", || {
            let t = C::configure(configure::<C>(config)?)?;
            Ok(Transformation_TO::from_value(Guarded(Some(t)), TD_Opaque))
        })
    }
}

impl<T: Transformation> abi_tf::Transformation for Guarded<T> {
    fn apply(
        &mut self,
        input: &RecordBatch,
        out: &mut TransformedBatch,
    ) -> RResult<(), PluginError> {
        self.call("apply", |t| t.apply(input, out))
    }
    fn close(&mut self) -> RResult<(), PluginError> {
        self.call("close", |t| t.close())
    }
}

impl<C: Predicate> PredicateFactory for PredicateClass<C> {
    fn info(&self) -> PluginInfo {
        info_of::<C>(PluginKind::PREDICATE)
    }
    fn config_def(&self) -> RVec<ConfigKeyDef> {
        def_of::<C>()
    }
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<PredicateBox, PluginError> {
        guard("predicate configure", || {
            let p = C::configure(configure::<C>(config)?)?;
            Ok(Predicate_TO::from_value(Guarded(Some(p)), TD_Opaque))
        })
    }
}

impl<T: Predicate> abi_tf::Predicate for Guarded<T> {
    fn test(&mut self, input: &RecordBatch, out: &mut RVec<bool>) -> RResult<(), PluginError> {
        self.call("test", |p| {
            let mut answers = Vec::with_capacity(input.records.len());
            p.test(input, &mut answers)?;
            out.extend(answers);
            Ok(())
        })
    }
    fn close(&mut self) -> RResult<(), PluginError> {
        self.call("close", |p| p.close())
    }
}

impl<C: Converter> ConverterFactory for ConverterClass<C> {
    fn info(&self) -> PluginInfo {
        info_of::<C>(PluginKind::CONVERTER)
    }
    fn config_def(&self) -> RVec<ConfigKeyDef> {
        def_of::<C>()
    }
    fn create(
        &self,
        config: RSlice<'_, ConfigEntry>,
        is_key: bool,
    ) -> RResult<ConverterBox, PluginError> {
        guard("converter configure", || {
            let c = C::configure(configure::<C>(config)?, is_key)?;
            Ok(Converter_TO::from_value(Guarded(Some(c)), TD_Opaque))
        })
    }
}

impl<T: Converter> abi_conv::Converter for Guarded<T> {
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError> {
        self.call("to_connect", |c| c.to_connect(input, out))
    }
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError> {
        self.call("from_connect", |c| c.from_connect(input, out))
    }
    fn close(&mut self) -> RResult<(), PluginError> {
        self.call("close", |c| c.close())
    }
}

impl<C: HeaderConverter> HeaderConverterFactory for HeaderConverterClass<C> {
    fn info(&self) -> PluginInfo {
        info_of::<C>(PluginKind::HEADER_CONVERTER)
    }
    fn config_def(&self) -> RVec<ConfigKeyDef> {
        def_of::<C>()
    }
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<HeaderConverterBox, PluginError> {
        guard("header converter configure", || {
            let c = C::configure(configure::<C>(config)?)?;
            Ok(HeaderConverter_TO::from_value(
                GuardedHeader(Guarded(Some(c))),
                TD_Opaque,
            ))
        })
    }
}

/// Header converters and converters share method names; a wrapper keeps their impls apart.
struct GuardedHeader<T>(Guarded<T>);

impl<T: HeaderConverter> abi_conv::HeaderConverter for GuardedHeader<T> {
    fn to_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError> {
        self.0
            .call("header to_connect", |c| c.to_connect(input, out))
    }
    fn from_connect(
        &mut self,
        input: &RecordBatch,
        out: &mut ConvertedColumn,
    ) -> RResult<(), PluginError> {
        self.0
            .call("header from_connect", |c| c.from_connect(input, out))
    }
    fn close(&mut self) -> RResult<(), PluginError> {
        self.0.call("close", |c| c.close())
    }
}

impl<C: ConfigProvider> ConfigProviderFactory for ConfigProviderClass<C> {
    fn info(&self) -> PluginInfo {
        info_of::<C>(PluginKind::CONFIG_PROVIDER)
    }
    fn config_def(&self) -> RVec<ConfigKeyDef> {
        def_of::<C>()
    }
    fn create(&self, config: RSlice<'_, ConfigEntry>) -> RResult<ConfigProviderBox, PluginError> {
        guard("config provider configure", || {
            let p = C::configure(configure::<C>(config)?)?;
            Ok(ConfigProvider_TO::from_value(
                SharedProvider(RBox::new(Some(p))),
                TD_Opaque,
            ))
        })
    }
}

/// A provider is called concurrently through `&self`, so it is not wrapped in [`Guarded`]
/// (which needs `&mut`); its drop is still guarded.
struct SharedProvider<T>(RBox<Option<T>>);

impl<T> Drop for SharedProvider<T> {
    fn drop(&mut self) {
        let inner = self.0.take();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(inner)));
    }
}

impl<T: ConfigProvider> abi_cp::ConfigProvider for SharedProvider<T> {
    fn get(&self, path: RStr<'_>, keys: RSlice<'_, RString>) -> RResult<ConfigData, PluginError> {
        guard("config provider get", || {
            let Some(p) = self.0.as_ref() else {
                return Err(ConnectError::fatal(
                    "get called after the provider was closed",
                ));
            };
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            let values = p.get(path.as_str(), &keys)?;
            Ok(ConfigData {
                data: values
                    .data
                    .into_iter()
                    .map(|(key, value)| ConfigEntry {
                        key: key.into(),
                        value: value.into(),
                    })
                    .collect(),
                ttl_ms: values.ttl_ms.map_or(ROption::RNone, ROption::RSome),
                ext: Extensions::new(),
            })
        })
    }
    fn close(&self) -> RResult<(), PluginError> {
        guard("config provider close", || match self.0.as_ref() {
            Some(p) => p.close(),
            None => Ok(()),
        })
    }
}
