//! INTERIM until the internal client lands.
#![allow(missing_docs)]
use crate::runtime::stores::{ConfigMap, SessionKey};
pub async fn post_task_configs(
    _leader_url: &str,
    _connector: &str,
    _configs: &[ConfigMap],
    _key: Option<&SessionKey>,
) -> Result<(), String> {
    Err("INTERIM".into())
}
