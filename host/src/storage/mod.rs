//! Where the runtime's state lives: implementations of the [`crate::runtime::stores`] traits.
//!
//! Distributed mode keeps everything in three compacted Kafka topics, written in exactly the
//! formats Java workers use so both can share a cluster's topics. Keys are UTF-8 strings; values
//! are JSON as Kafka's `JsonConverter` writes it with `schemas.enable=false` (compact, no spaces);
//! a record without a value (a tombstone) deletes its key.
//!
//! * **Config topic** (`config.storage.topic`, exactly one partition, so its order is total):
//!   - `connector-<name>` → `{"properties":{…}}` (tombstone = connector deleted)
//!   - `task-<name>-<n>` → `{"properties":{…}}` (pending until the next commit)
//!   - `commit-<name>` → `{"tasks":N}` (applies the pending task configs `0..N` atomically)
//!   - `target-state-<name>` → `{"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}`
//!     (`STOPPED` is written as `"state":"PAUSED"` so older workers pause instead of failing)
//!   - `session-key` → `{"key":"<base64>","algorithm":"HmacSHA256","creation-timestamp":ms}`
//!     (KIP-507; the newest one signs internal requests)
//!   - `restart-connector-<name>` → `{"include-tasks":bool,"only-failed":bool}` (KIP-745)
//!   - Java-only keys (`tasks-fencing-*`, `logger-cluster-*`) are read past and ignored.
//!
//!   The config offset workers compare is the offset of the last record read plus one, as Java
//!   counts it (`config_state`).
//! * **Offset topic** (`offset.storage.topic`): key `["<connector>",{<source partition>}]`,
//!   value `{<source offset>}`, null to reset a partition.
//! * **Status topic** (`status.storage.topic`): `status-connector-<name>` and
//!   `status-task-<name>-<n>` → `{"state":"RUNNING","trace":null,"worker_id":"h:8083","generation":N}`;
//!   `status-topic-<topic>:connector-<name>` →
//!   `{"topic":{"name":…,"connector":…,"task":0,"discoverTimestamp":ms}}`. Statuses carry the
//!   writer's generation, and Java's rules for them (`putSafe`, stale UNASSIGNED ignored) are in
//!   `status_state`.
//!
//! Standalone mode keeps source offsets in one local file (`offset.storage.file.filename`) holding
//! the same key and value strings as the offset topic ([`FileOffsetStore`]), and configs and
//! statuses in memory ([`memory`]).
//!
//! Everything here is synchronous and may block on the network or the disk: call it from a
//! blocking thread (`spawn_blocking` or a task thread), never from async code.

mod config_format;
mod config_state;
mod config_topic;
pub mod memory;
mod offset_file;
mod offset_format;
mod offset_topic;
mod retry;
mod status_format;
mod status_state;
mod status_topic;
mod topic_admin;
mod topic_log;

#[cfg(test)]
pub(crate) mod kafka_tests;
#[cfg(test)]
mod peer_tests;

pub use config_topic::KafkaConfigLog;
pub use memory::{MemoryConfigLog, MemoryOffsetStore, MemoryStatusStore};
pub use offset_file::FileOffsetStore;
pub use offset_topic::KafkaOffsetStore;
pub use status_topic::{
    FAILED_REFRESH_BACKOFF, KafkaStatusStore, MIN_REFRESH_INTERVAL, REFRESH_BUDGET,
};
pub use topic_log::{LogRecord, Record, TopicLog, TopicSpec};
