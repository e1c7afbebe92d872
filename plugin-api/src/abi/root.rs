//! The root module: the one value a plugin library exports, and the host loads by path.

use abi_stable::{
    StableAbi, declare_root_module_statics,
    library::RootModule,
    sabi_types::VersionStrings,
    std_types::{RResult, RVec},
};

use super::{
    config_provider::ConfigProviderFactoryBox,
    convert::{ConverterFactoryBox, HeaderConverterFactoryBox},
    error::PluginError,
    host::{Capabilities, HostInfo_Ref},
    plugin::PanicStrategy,
    task::ConnectorFactoryBox,
    transform::{PredicateFactoryBox, TransformationFactoryBox},
};

/// The root module of a plugin library.
///
/// Versioning: `VERSION_STRINGS` is [`super::host::ABI_VERSION`]. The host refuses a library whose
/// major differs (abi_stable's check), then checks the layout of everything reachable from here.
/// Fields are appended only; `config_providers` is the last field of 2.0 (`last_prefix_field`):
/// add new fields after it, never move the attribute in 2.x. A host reading a field an older
/// plugin lacks gets `None` (`missing_field(option)`) and treats the library as not having it.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ConnectPluginMod_Ref)))]
#[sabi(missing_field(option))]
pub struct ConnectPluginMod {
    /// How the library handles panics; the host refuses anything but `UNWIND` before calling
    /// any function of the library.
    pub panic_strategy: PanicStrategy,

    /// Host capabilities the library cannot work without; a host lacking one refuses the
    /// library at load and names the missing capabilities.
    pub required_capabilities: Capabilities,

    /// Called once by the host right after loading, before any other call. An error refuses the
    /// library (its message is shown with the refusal).
    pub init: extern "C" fn(host: HostInfo_Ref) -> RResult<(), PluginError>,

    /// The connector classes (sinks and sources) the library provides.
    pub connectors: extern "C" fn() -> RVec<ConnectorFactoryBox>,

    /// The transformation classes.
    pub transformations: extern "C" fn() -> RVec<TransformationFactoryBox>,

    /// The predicate classes.
    pub predicates: extern "C" fn() -> RVec<PredicateFactoryBox>,

    /// The converter classes.
    pub converters: extern "C" fn() -> RVec<ConverterFactoryBox>,

    /// The header converter classes.
    pub header_converters: extern "C" fn() -> RVec<HeaderConverterFactoryBox>,

    /// The config provider classes.
    #[sabi(last_prefix_field)]
    pub config_providers: extern "C" fn() -> RVec<ConfigProviderFactoryBox>,
}

impl RootModule for ConnectPluginMod_Ref {
    declare_root_module_statics! {ConnectPluginMod_Ref}
    const BASE_NAME: &'static str = "connect_plugin";
    const NAME: &'static str = "connect_plugin";
    const VERSION_STRINGS: VersionStrings = VersionStrings::new(super::host::ABI_VERSION);
}
