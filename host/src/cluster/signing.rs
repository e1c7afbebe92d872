//! INTERIM until the signing module lands.
#![allow(missing_docs)]
use crate::runtime::stores::SessionKey;
pub fn generate_key(
    algorithm: &str,
    _bits: Option<u32>,
    now_ms: i64,
) -> Result<SessionKey, String> {
    Err(format!(
        "INTERIM: no key generator for {algorithm} at {now_ms}"
    ))
}
