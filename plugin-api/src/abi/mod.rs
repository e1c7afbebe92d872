//! Everything that crosses the boundary between the host and a plugin library, and nothing else.
//!
//! Rules that keep old plugins loading in newer hosts:
//! - every type here is `#[repr(C)]` + `StableAbi`, so the host checks its layout at load time;
//! - structs of function pointers and `#[sabi_trait]` objects grow only at the end (prefix types);
//!   the item marked `#[sabi(last_prefix_field)]` is the last of version 1.0 and never moves in 1.x;
//! - enumerations are `u8` newtypes with named constants, not Rust enums, so a value unknown to an
//!   older reader is a value it can refuse, never undefined behaviour;
//! - only `abi_stable`'s `R*` types carry ownership across (each frees with its own allocator).
//!
//! The crate's Cargo version is the ABI version (see [`root::ConnectPluginMod_Ref`]).

pub mod config;
pub mod context;
pub mod error;
pub mod root;
pub mod task;
pub mod types;
