//! [`StatusTable`]: the latest connector and task statuses and connectors' topics, with Java's
//! generation rules, shared by the Kafka-backed and the in-memory status store so both behave the
//! same.
//!
//! The rules (`KafkaStatusBackingStore` and `AbstractHerder` in Kafka Connect):
//! * **Writing** (`putSafe`): RUNNING, PAUSED, STOPPED and RESTARTING are written unconditionally.
//!   FAILED and UNASSIGNED are written only if no status is known, the known one was written by
//!   the same worker (`worker_id`), or its generation is not newer than the new one. This keeps a
//!   worker that lagged behind a rebalance from overwriting the status of the worker that now runs
//!   the task. A refused write is dropped silently, as in Java.
//! * **Reading** (`readTaskStatus`): an UNASSIGNED task status is ignored when the known status is
//!   RUNNING with a generation at least as new (a worker that had not seen the RUNNING yet wrote
//!   it). Java applies this to task statuses only; connector statuses are taken as read.
//! * A connector's tombstone forgets its status and every task status of that connector (Java's
//!   `remove(connector)` drops the whole task row); a task's tombstone forgets that task.
//!
//! Both stores apply their own writes through [`StatusTable::write`] and what they read through
//! [`StatusTable::apply`], so a write is also subject to the read rule, exactly as when Java reads
//! its own write back.

use std::collections::{BTreeMap, BTreeSet};

use super::status_format::StatusRecord;
use crate::runtime::status::{State, Status};

/// The latest statuses and topic sets, as applied from records or writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StatusTable {
    connectors: BTreeMap<String, Status>,
    tasks: BTreeMap<String, BTreeMap<u32, Status>>,
    topics: BTreeMap<String, BTreeSet<String>>,
}

/// Whether a status of this state is written with `putSafe` (Java's `AbstractHerder` does so for
/// `onFailure` and `onShutdown`, i.e. FAILED and UNASSIGNED).
pub(crate) fn is_safe_write(state: State) -> bool {
    matches!(state, State::Failed | State::Unassigned)
}

/// Java's `CacheEntry.canWriteSafely`: nothing known, known from the same worker, or known from a
/// generation that is not newer.
fn can_overwrite(prior: Option<&Status>, status: &Status) -> bool {
    prior.is_none_or(|prior| {
        prior.worker_id == status.worker_id || prior.generation <= status.generation
    })
}

impl StatusTable {
    /// Applies one record read from the status topic, in log order.
    pub(crate) fn apply(&mut self, record: StatusRecord) {
        match record {
            StatusRecord::Connector { name, status } => match status {
                Some(status) => {
                    self.connectors.insert(name, status);
                }
                None => {
                    self.connectors.remove(&name);
                    self.tasks.remove(&name);
                }
            },
            StatusRecord::Task {
                connector,
                task,
                status,
            } => match status {
                Some(status) => {
                    if let Some(current) = self.task(&connector, task)
                        && status.state == State::Unassigned
                        && current.state == State::Running
                        && current.generation >= status.generation
                    {
                        tracing::trace!(
                            connector,
                            task,
                            ?status,
                            ?current,
                            "ignoring a stale UNASSIGNED status in favour of a current RUNNING one"
                        );
                        return;
                    }
                    self.tasks
                        .entry(connector)
                        .or_default()
                        .insert(task, status);
                }
                None => {
                    if let Some(tasks) = self.tasks.get_mut(&connector) {
                        tasks.remove(&task);
                        if tasks.is_empty() {
                            self.tasks.remove(&connector);
                        }
                    }
                }
            },
            StatusRecord::Topic {
                topic,
                connector,
                present,
            } => {
                if present {
                    self.topics.entry(connector).or_default().insert(topic);
                } else if let Some(topics) = self.topics.get_mut(&connector) {
                    topics.remove(&topic);
                    if topics.is_empty() {
                        self.topics.remove(&connector);
                    }
                }
            }
        }
    }

    /// Applies a write of this worker's, unless `putSafe` refuses it (FAILED or UNASSIGNED over
    /// a newer status of another worker); returns whether the record is to be written.
    pub(crate) fn write(&mut self, record: StatusRecord) -> bool {
        let (prior, status) = match &record {
            StatusRecord::Connector {
                name,
                status: Some(status),
            } => (self.connector(name), status),
            StatusRecord::Task {
                connector,
                task,
                status: Some(status),
            } => (self.task(connector, *task), status),
            _ => {
                self.apply(record);
                return true;
            }
        };
        if is_safe_write(status.state) && !can_overwrite(prior, status) {
            tracing::debug!(
                ?record,
                ?prior,
                "not writing the status: another worker wrote a newer one (Java's putSafe)"
            );
            return false;
        }
        self.apply(record);
        true
    }

    /// The latest status of a connector.
    pub(crate) fn connector(&self, name: &str) -> Option<&Status> {
        self.connectors.get(name)
    }

    /// The latest status of a task.
    pub(crate) fn task(&self, connector: &str, task: u32) -> Option<&Status> {
        self.tasks.get(connector)?.get(&task)
    }

    /// Whether the connector is known to have used the topic.
    pub(crate) fn has_topic(&self, connector: &str, topic: &str) -> bool {
        self.topics
            .get(connector)
            .is_some_and(|topics| topics.contains(topic))
    }

    /// The topics a connector used, sorted.
    pub(crate) fn topics(&self, connector: &str) -> Vec<String> {
        self.topics
            .get(connector)
            .map(|topics| topics.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::status_format::{decode, topic_key};

    fn status(state: State, worker: &str, generation: i32) -> Status {
        Status {
            state,
            trace: None,
            worker_id: worker.into(),
            generation,
        }
    }

    fn task(status: Status) -> StatusRecord {
        StatusRecord::Task {
            connector: "c".into(),
            task: 0,
            status: Some(status),
        }
    }

    fn connector(status: Status) -> StatusRecord {
        StatusRecord::Connector {
            name: "c".into(),
            status: Some(status),
        }
    }

    #[test]
    fn put_safe_refuses_failed_and_unassigned_over_a_newer_status_of_another_worker() {
        type Make = fn(Status) -> StatusRecord;
        type Read = fn(&StatusTable) -> Option<Status>;
        let cases: [(Make, Read); 2] = [
            (task, |t| t.task("c", 0).cloned()),
            (connector, |t| t.connector("c").cloned()),
        ];
        for (record, read) in cases {
            let mut table = StatusTable::default();
            assert!(
                table.write(record(status(State::Failed, "b", 1))),
                "nothing known"
            );
            table.apply(record(status(State::Running, "a", 5)));

            assert!(!table.write(record(status(State::Failed, "b", 4))));
            assert!(!table.write(record(status(State::Unassigned, "b", 4))));
            assert_eq!(read(&table), Some(status(State::Running, "a", 5)));

            // Not refused: the other states, the same worker, or a generation at least as new.
            assert!(table.write(record(status(State::Paused, "b", 1))));
            assert!(
                table.write(record(status(State::Failed, "b", 0))),
                "same worker"
            );
            table.apply(record(status(State::Running, "a", 5)));
            assert!(
                table.write(record(status(State::Failed, "b", 5))),
                "same generation"
            );
            assert_eq!(read(&table), Some(status(State::Failed, "b", 5)));
            assert!(table.write(record(status(State::Restarting, "a", 2))));
            assert!(table.write(record(status(State::Stopped, "a", 2))));
        }
    }

    #[test]
    fn stale_unassigned_task_status_is_ignored_when_read() {
        let mut table = StatusTable::default();
        table.apply(task(status(State::Running, "a", 5)));
        table.apply(task(status(State::Unassigned, "b", 5)));
        table.apply(task(status(State::Unassigned, "b", 4)));
        assert_eq!(table.task("c", 0), Some(&status(State::Running, "a", 5)));
        // A newer generation, or a status that is not RUNNING, is replaced.
        table.apply(task(status(State::Unassigned, "b", 6)));
        assert_eq!(table.task("c", 0), Some(&status(State::Unassigned, "b", 6)));
        table.apply(task(status(State::Failed, "a", 3)));
        table.apply(task(status(State::Unassigned, "b", 2)));
        assert_eq!(table.task("c", 0), Some(&status(State::Unassigned, "b", 2)));

        // Our own write goes through the same rule (putSafe lets it through: same worker).
        table.apply(task(status(State::Running, "a", 7)));
        assert!(table.write(task(status(State::Unassigned, "a", 7))));
        assert_eq!(table.task("c", 0), Some(&status(State::Running, "a", 7)));
    }

    #[test]
    fn connector_statuses_have_no_read_rule() {
        let mut table = StatusTable::default();
        table.apply(connector(status(State::Running, "a", 5)));
        table.apply(connector(status(State::Unassigned, "b", 4)));
        assert_eq!(
            table.connector("c"),
            Some(&status(State::Unassigned, "b", 4))
        );
    }

    #[test]
    fn tombstones_forget_and_a_connector_tombstone_forgets_its_tasks() {
        let mut table = StatusTable::default();
        table.apply(decode(&topic_key("t1", "c"), Some(b"{}")).unwrap());
        table.apply(decode(&topic_key("t2", "c"), Some(b"{}")).unwrap());
        table.apply(decode(&topic_key("t1", "c"), None).unwrap());
        assert_eq!(table.topics("c"), vec!["t2".to_string()]);
        assert!(table.has_topic("c", "t2") && !table.has_topic("c", "t1"));

        table.apply(task(status(State::Running, "a", 1)));
        table.apply(StatusRecord::Task {
            connector: "c".into(),
            task: 7,
            status: Some(status(State::Running, "a", 1)),
        });
        table.apply(connector(status(State::Running, "a", 1)));
        table.apply(StatusRecord::Task {
            connector: "c".into(),
            task: 0,
            status: None,
        });
        assert_eq!(table.task("c", 0), None);
        assert!(table.task("c", 7).is_some());
        assert!(table.write(StatusRecord::Connector {
            name: "c".into(),
            status: None
        }));
        assert_eq!(table.connector("c"), None);
        assert_eq!(table.task("c", 7), None, "as Java's remove(connector)");
        assert_eq!(
            table.topics("c"),
            vec!["t2".to_string()],
            "topics are separate"
        );
    }
}
