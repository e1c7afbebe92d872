//! What the host tells a plugin library when it loads it: versions, capabilities and the
//! logging link. Handed to the root module's `init` once, before any other call.

use abi_stable::{
    StableAbi, sabi_trait,
    std_types::{RArc, RStr},
};

/// The ABI version this crate defines (`major.minor.patch`), the root module's version string.
///
/// The `preview` feature declares the next minor with its additions; it exists so compatibility
/// tests can build a "newer" plugin or host from this tree, and is never enabled in releases.
pub const ABI_VERSION: &str = if cfg!(feature = "preview") {
    "2.1.0"
} else {
    env!("CARGO_PKG_VERSION")
};

/// The major part of [`ABI_VERSION`]: a plugin with another major is refused at load.
pub const ABI_MAJOR: u32 = 2;

/// The minor part of [`ABI_VERSION`]: what the other side's calls and fields may be gated on.
pub const ABI_MINOR: u32 = if cfg!(feature = "preview") { 1 } else { 0 };

/// A `major.minor` ABI version, as recorded for each side, to gate calls on.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbiVersion {
    /// Major version (2 for this line).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl AbiVersion {
    /// This crate's version.
    pub const CURRENT: AbiVersion = AbiVersion {
        major: ABI_MAJOR,
        minor: ABI_MINOR,
    };

    /// Parses `major.minor[.patch]`.
    pub fn parse(s: &str) -> Option<AbiVersion> {
        let mut parts = s.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
        Some(AbiVersion { major, minor })
    }

    /// Whether a peer of this version has what version `since` introduced.
    pub fn supports(self, since: AbiVersion) -> bool {
        self.major == since.major && self.minor >= since.minor
    }
}

impl std::fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// What a host does beyond the calls every 2.0 host answers: a bit set. Bits are assigned here
/// and never reused; a plugin that cannot work without one lists it in its root module's
/// `required_capabilities` and is refused at load by a host that lacks it (with the bit's name).
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities(pub u64);

impl Capabilities {
    /// None.
    pub const NONE: Capabilities = Capabilities(0);
    /// Metrics reported through `TaskContext::record_metric` are kept (not just accepted).
    pub const METRICS: Capabilities = Capabilities(1 << 0);
    /// The host's log levels reach plugin code at run time (`HostLink::enabled`).
    pub const DYNAMIC_LOG_LEVELS: Capabilities = Capabilities(1 << 1);
    /// The host runs transformations and predicates from plugin libraries in connector pipelines.
    pub const TRANSFORMATIONS: Capabilities = Capabilities(1 << 2);
    /// The host runs converters and header converters from plugin libraries.
    pub const CONVERTERS: Capabilities = Capabilities(1 << 3);
    /// The host resolves `${provider:path:key}` through config providers from plugin libraries.
    pub const CONFIG_PROVIDERS: Capabilities = Capabilities(1 << 4);
    /// (2.1, `preview`) `TaskContext::task_identity`.
    #[cfg(feature = "preview")]
    pub const TASK_IDENTITY: Capabilities = Capabilities(1 << 5);

    /// Every bit this crate knows, with its name (for refusals and listings).
    pub fn known() -> &'static [(Capabilities, &'static str)] {
        &[
            (Self::METRICS, "metrics"),
            (Self::DYNAMIC_LOG_LEVELS, "dynamic-log-levels"),
            (Self::TRANSFORMATIONS, "transformations"),
            (Self::CONVERTERS, "converters"),
            (Self::CONFIG_PROVIDERS, "config-providers"),
            #[cfg(feature = "preview")]
            (Self::TASK_IDENTITY, "task-identity"),
        ]
    }

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Capabilities) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union.
    pub fn union(self, other: Capabilities) -> Capabilities {
        Capabilities(self.0 | other.0)
    }

    /// The bits of `self` missing from `other`.
    pub fn missing_from(self, other: Capabilities) -> Capabilities {
        Capabilities(self.0 & !other.0)
    }

    /// Names of the set bits (`bit N` for bits this crate does not know).
    pub fn names(self) -> Vec<String> {
        (0..64)
            .filter(|b| self.0 & (1 << b) != 0)
            .map(|b| {
                Self::known()
                    .iter()
                    .find(|(c, _)| c.0 == 1 << b)
                    .map_or_else(|| format!("bit {b}"), |(_, n)| (*n).to_owned())
            })
            .collect()
    }
}

/// Log levels as `u8` (they mirror `tracing::Level`; 0 is "off").
pub mod level {
    /// ERROR
    pub const ERROR: u8 = 1;
    /// WARN
    pub const WARN: u8 = 2;
    /// INFO
    pub const INFO: u8 = 3;
    /// DEBUG
    pub const DEBUG: u8 = 4;
    /// TRACE
    pub const TRACE: u8 = 5;
}

/// The host's logging services for a whole plugin library.
///
/// A cdylib has its own copy of `tracing` and `log`, so the host's subscriber is invisible inside
/// it; the SDK forwards the plugin's events here. Levels change at run time (`/admin/loggers`):
/// the SDK asks [`HostLink::enabled`] per event instead of fixing a filter at load, and skips
/// formatting when the answer is no. Called from any plugin thread; never panics into the plugin.
#[sabi_trait]
pub trait HostLink: Send + Sync {
    /// Emits one log event in the host's `tracing` subscriber.
    fn log(&self, level: u8, target: RStr<'_>, message: RStr<'_>);

    /// Whether an event of `level` from `target` (a module path of the plugin) would be
    /// recorded now. Cheap: an atomic load unless some logger is set below the default.
    fn enabled(&self, level: u8, target: RStr<'_>) -> bool;

    /// The most verbose level recorded for any target now (a fast pre-filter; may change).
    #[sabi(last_prefix_field)]
    fn max_level(&self) -> u8;
}

/// The logging link as a plugin receives it.
pub type HostLinkArc = HostLink_TO<'static, RArc<()>>;

/// What the host hands to `init`: a prefix type, so later minors append fields and a plugin
/// reading a field an older host lacks gets `None`.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = HostInfo_Ref)))]
#[sabi(missing_field(option))]
pub struct HostInfo {
    /// The host's plugin-api version (`major.minor.patch`): gate calls added after 2.0 on it.
    pub abi_version: RStr<'static>,
    /// The host program and its version, for logs (`connect-host 0.4.0`).
    pub host_version: RStr<'static>,
    /// What the host does beyond the 2.0 baseline.
    pub capabilities: Capabilities,
    /// Logging (leaked by the host: libraries are never unloaded).
    #[sabi(last_prefix_field)]
    pub link: &'static HostLinkArc,
}
