//! Test fixture: a root module with the host's module name (`connect_plugin`) but version 1.0.0
//! and another layout, as a plugin compiled against the 1.x `plugin-api` is: the host (2.x) must
//! refuse it with the reason, before calling anything in it.
#![allow(non_camel_case_types, non_local_definitions)]

use abi_stable::{
    StableAbi, declare_root_module_statics, export_root_module, library::RootModule,
    package_version_strings, prefix_type::PrefixTypeTrait, sabi_types::VersionStrings,
    std_types::RString,
};

/// A different root module layout.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = FutureMod_Ref)))]
pub struct FutureMod {
    /// Something the host does not know.
    #[sabi(last_prefix_field)]
    pub describe: extern "C" fn() -> RString,
}

impl RootModule for FutureMod_Ref {
    declare_root_module_statics! {FutureMod_Ref}
    const BASE_NAME: &'static str = "connect_plugin";
    const NAME: &'static str = "connect_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

extern "C" fn describe() -> RString {
    "from the future".into()
}

/// The exported root module.
#[export_root_module]
pub fn root() -> FutureMod_Ref {
    FutureMod { describe }.leak_into_prefix()
}
