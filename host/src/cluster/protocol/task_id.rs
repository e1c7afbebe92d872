//! `TaskId`: one task of one connector, as the group protocol names it.

/// A connector's task by number (`0..n`), as listed in assignments.
///
/// The cluster codec keeps its own id type so that it depends on nothing else in the crate and
/// any layer may use it. On the wire a task is its connector's name plus an int32; the int32 -1
/// is reserved for "the connector itself", which is why real task numbers are unsigned here.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId {
    /// Connector name.
    pub connector: String,
    /// Task number, from 0.
    pub task: u32,
}

impl TaskId {
    /// Task `task` of `connector`.
    pub fn new(connector: impl Into<String>, task: u32) -> Self {
        Self {
            connector: connector.into(),
            task,
        }
    }
}
