//! What the host told this library at load ([`crate::abi::host::HostInfo`]): its ABI version and
//! capabilities, so plugin code can check before relying on something newer than 2.0.

use std::sync::OnceLock;

use crate::abi::host::{AbiVersion, Capabilities, HostInfo_Ref};

struct Host {
    abi: AbiVersion,
    version: String,
    capabilities: Capabilities,
}

static HOST: OnceLock<Host> = OnceLock::new();

/// Records the host's info (the root module's `init`; only the first call counts).
pub(crate) fn install(info: HostInfo_Ref) {
    let abi =
        AbiVersion::parse(info.abi_version().as_str()).unwrap_or(AbiVersion { major: 2, minor: 0 });
    let _ = HOST.set(Host {
        abi,
        version: info.host_version().as_str().to_owned(),
        capabilities: info.capabilities(),
    });
}

/// The host's plugin-api version (`2.0` when not loaded by a host, e.g. in unit tests).
pub fn abi_version() -> AbiVersion {
    HOST.get()
        .map_or(AbiVersion { major: 2, minor: 0 }, |h| h.abi)
}

/// Whether the host has what ABI version `since` introduced (calls added later are gated on it).
pub fn supports(since: AbiVersion) -> bool {
    abi_version().supports(since)
}

/// The host program and version (`""` outside a host).
pub fn host_version() -> &'static str {
    HOST.get().map_or("", |h| h.version.as_str())
}

/// What the host does beyond the 2.0 baseline (none outside a host).
pub fn capabilities() -> Capabilities {
    HOST.get().map_or(Capabilities::NONE, |h| h.capabilities)
}

/// A host capability a library can require (`export_plugin!(required_capabilities: [..])`).
pub trait RequiredCapability {
    /// Its bit.
    const BITS: Capabilities;
}

/// Marker types for [`RequiredCapability`], named after the capabilities.
pub mod capability {
    use super::{Capabilities, RequiredCapability};

    macro_rules! marker {
        ($(#[$doc:meta] $name:ident = $bits:expr;)*) => {$(
            #[$doc]
            pub struct $name;
            impl RequiredCapability for $name {
                const BITS: Capabilities = $bits;
            }
        )*};
    }

    marker! {
        /// `Capabilities::METRICS`.
        Metrics = Capabilities::METRICS;
        /// `Capabilities::DYNAMIC_LOG_LEVELS`.
        DynamicLogLevels = Capabilities::DYNAMIC_LOG_LEVELS;
        /// `Capabilities::TRANSFORMATIONS`.
        Transformations = Capabilities::TRANSFORMATIONS;
        /// `Capabilities::CONVERTERS`.
        Converters = Capabilities::CONVERTERS;
        /// `Capabilities::CONFIG_PROVIDERS`.
        ConfigProviders = Capabilities::CONFIG_PROVIDERS;
    }

    /// (2.1, `preview`) `Capabilities::TASK_IDENTITY`.
    #[cfg(feature = "preview")]
    pub struct TaskIdentity;
    #[cfg(feature = "preview")]
    impl RequiredCapability for TaskIdentity {
        const BITS: Capabilities = Capabilities::TASK_IDENTITY;
    }
}
