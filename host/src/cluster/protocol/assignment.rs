//! `Assignment`: what the group leader tells one member to run (the SyncGroup `Assignment`
//! bytes), and also the shape of the "allocation" a member reports in its metadata.
//!
//! Layout (Java's `ConnectProtocol.ASSIGNMENT_V0` and `IncrementalCooperativeConnectProtocol
//! .ASSIGNMENT_V1`): version int16, error int16, leader STRING, leader-url STRING,
//! config-offset int64, assignment [ConnectorAssignment], and from version 1 revoked
//! [ConnectorAssignment] and delay int32. A ConnectorAssignment is a connector name and an
//! int32 array of its task numbers, where -1 stands for the connector instance itself.

use std::collections::HashMap;

use bytes::Bytes;

use super::error::{DecodeError, EncodeError};
use super::task_id::TaskId;
use super::wire::{Reader, Writer};

/// The task number that means "the Connector instance", not one of its tasks.
pub const CONNECTOR_TASK: i32 = -1;

/// An assignment's error code: none, start the listed work.
pub const NO_ERROR: i16 = 0;

/// An assignment's error code: the leader's config is behind a member's, so every member must
/// read the config topic to its end and rejoin.
pub const CONFIG_MISMATCH: i16 = 1;

/// Smallest wire size of one ConnectorAssignment (empty name, empty task array); lets the
/// reader refuse counts the payload cannot hold before allocating for them.
const MIN_CONNECTOR_ASSIGNMENT_SIZE: usize = 2 + 4;

/// One member's assignment from the leader.
///
/// Eager (version 0) assignments list the member's full work; incremental ones (1 and 2)
/// list only what to start plus what to stop, and may ask for a delayed rejoin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Payload version: 0 (`default`), 1 (`compatible`) or 2 (`sessioned`). Decoding keeps any
    /// non-negative version (later versions are read with the version 1 layout, as Java does).
    pub version: i16,
    /// [`NO_ERROR`] or [`CONFIG_MISMATCH`].
    pub error: i16,
    /// The leader's group member id.
    pub leader: String,
    /// The leader's advertised REST URL, where requests that need the leader are forwarded.
    pub leader_url: String,
    /// The config topic position the assignment was computed at.
    pub config_offset: i64,
    /// Connector instances to start.
    pub connectors: Vec<String>,
    /// Tasks to start.
    pub tasks: Vec<TaskId>,
    /// Connector instances to stop (always empty in version 0).
    pub revoked_connectors: Vec<String>,
    /// Tasks to stop (always empty in version 0).
    pub revoked_tasks: Vec<TaskId>,
    /// Milliseconds until every member should rejoin; 0 = no rejoin scheduled (always 0 in
    /// version 0).
    pub delay_ms: i32,
}

impl Assignment {
    /// Whether the leader reported an error instead of work.
    pub fn failed(&self) -> bool {
        self.error != NO_ERROR
    }

    /// Writes the assignment in the layout of its `version`.
    ///
    /// Each connector gets one entry: a connector instance becomes task -1 at the head of its
    /// entry, then its tasks in the order given. Entries come in order of first mention,
    /// connectors before tasks: Java's writer has the same shape, though it orders assigned
    /// connectors by hash set, and readers ignore entry order. Arrays are never written null.
    pub fn encode(&self) -> Result<Bytes, EncodeError> {
        let incremental = match self.version {
            0 => false,
            1 | 2 => true,
            version => return Err(EncodeError::UnsupportedVersion { version }),
        };
        if !incremental {
            if !self.revoked_connectors.is_empty() || !self.revoked_tasks.is_empty() {
                return Err(EncodeError::NotInVersion0 {
                    what: "revoked connectors or tasks",
                });
            }
            if self.delay_ms != 0 {
                return Err(EncodeError::NotInVersion0 {
                    what: "a scheduled rebalance delay",
                });
            }
        }
        let mut w = Writer::default();
        w.i16(self.version);
        w.i16(self.error);
        w.string(&self.leader, "assignment leader id")?;
        w.string(&self.leader_url, "assignment leader URL")?;
        w.i64(self.config_offset);
        write_connector_assignments(&mut w, &self.connectors, &self.tasks, "assigned connectors")?;
        if incremental {
            write_connector_assignments(
                &mut w,
                &self.revoked_connectors,
                &self.revoked_tasks,
                "revoked connectors",
            )?;
            w.i32(self.delay_ms);
        }
        Ok(w.finish())
    }

    /// Reads an assignment of any version, the way Java's version 1 reader does (members use
    /// it whatever protocol the group elected).
    ///
    /// The fields after config-offset "tolerate missing fields": if the payload ends before
    /// one, it takes its default (no work, no revocations, delay 0), which is how version 0
    /// bytes read. A null array reads as empty. Bytes after the last field are ignored, so a
    /// later version that appends fields still reads.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.i16("assignment version")?;
        if version < 0 {
            return Err(DecodeError::NegativeVersion { version });
        }
        let error = r.i16("assignment error code")?;
        let leader = r.string("assignment leader id")?;
        let leader_url = r.string("assignment leader URL")?;
        let config_offset = r.i64("assignment config offset")?;
        let (connectors, tasks) = read_connector_assignments(&mut r, "assigned connectors")?;
        let (revoked_connectors, revoked_tasks) =
            read_connector_assignments(&mut r, "revoked connectors")?;
        let delay_ms = if r.is_exhausted() {
            0
        } else {
            r.i32("assignment scheduled delay")?
        };
        Ok(Self {
            version,
            error,
            leader,
            leader_url,
            config_offset,
            connectors,
            tasks,
            revoked_connectors,
            revoked_tasks,
            delay_ms,
        })
    }
}

/// Groups connectors and tasks into one wire entry per connector name and writes the array.
fn write_connector_assignments(
    w: &mut Writer,
    connectors: &[String],
    tasks: &[TaskId],
    what: &'static str,
) -> Result<(), EncodeError> {
    let mut entries: Vec<(&str, Vec<i32>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for connector in connectors {
        // A connector instance listed twice is still one instance (Java dedups these too).
        if !index.contains_key(connector.as_str()) {
            index.insert(connector, entries.len());
            entries.push((connector, vec![CONNECTOR_TASK]));
        }
    }
    for task in tasks {
        let number = i32::try_from(task.task).map_err(|_| EncodeError::TaskOutOfRange {
            connector: task.connector.clone(),
            task: task.task,
        })?;
        let slot = *index.entry(&task.connector).or_insert_with(|| {
            entries.push((&task.connector, Vec::new()));
            entries.len() - 1
        });
        entries[slot].1.push(number);
    }
    w.array_len(entries.len(), what)?;
    for (connector, numbers) in entries {
        w.string(connector, "connector name")?;
        w.array_len(numbers.len(), "task list")?;
        for number in numbers {
            w.i32(number);
        }
    }
    Ok(())
}

/// Reads a nullable ConnectorAssignment array (absent or null = empty) back into connectors
/// (task -1) and tasks.
fn read_connector_assignments(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<(Vec<String>, Vec<TaskId>), DecodeError> {
    let mut connectors = Vec::new();
    let mut tasks = Vec::new();
    if r.is_exhausted() {
        return Ok((connectors, tasks));
    }
    let Some(count) = r.nullable_array_len(what, MIN_CONNECTOR_ASSIGNMENT_SIZE)? else {
        return Ok((connectors, tasks));
    };
    for _ in 0..count {
        let connector = r.string("connector name")?;
        // The task array is not nullable: -1 there is malformed, not "no tasks".
        let numbers = r.array_len("task list", 4)?;
        for _ in 0..numbers {
            let number = r.i32("task number")?;
            if number == CONNECTOR_TASK {
                connectors.push(connector.clone());
            } else {
                let task = u32::try_from(number).map_err(|_| DecodeError::InvalidTask {
                    connector: connector.clone(),
                    task: number,
                })?;
                tasks.push(TaskId::new(connector.clone(), task));
            }
        }
    }
    Ok((connectors, tasks))
}
