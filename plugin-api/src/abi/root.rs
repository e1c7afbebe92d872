//! The root module: the one value a plugin library exports, and the host loads by path.

use abi_stable::{
    StableAbi, declare_root_module_statics,
    library::RootModule,
    package_version_strings,
    sabi_types::VersionStrings,
    std_types::{RArc, RVec},
};

use super::{context::HostLink_TO, task::ConnectorFactoryBox};

/// The host's logging link as a plugin receives it.
pub type HostLinkArc = HostLink_TO<'static, RArc<()>>;

/// The root module of a connector plugin library.
///
/// Versioning: `VERSION_STRINGS` is this crate's Cargo version, which is the ABI version. The host
/// refuses a library whose major version differs (abi_stable's check), then checks the layout of
/// everything reachable from here. Fields are appended only; `connectors` is the last field of
/// version 1.0 (`last_prefix_field`): add new fields after it, never move the attribute in 1.x.
/// A host touching a field an older plugin lacks gets `None` (`missing_field(option)`).
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ConnectPluginMod_Ref)))]
#[sabi(missing_field(option))]
pub struct ConnectPluginMod {
    /// Called once by the host right after loading, before any other call.
    pub init: extern "C" fn(host: HostLinkArc),

    /// The connector classes the library provides.
    #[sabi(last_prefix_field)]
    pub connectors: extern "C" fn() -> RVec<ConnectorFactoryBox>,
}

impl RootModule for ConnectPluginMod_Ref {
    declare_root_module_statics! {ConnectPluginMod_Ref}
    const BASE_NAME: &'static str = "connect_plugin";
    const NAME: &'static str = "connect_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}
