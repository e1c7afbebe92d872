//! One rebalance of the Connect group, on the herder thread: JoinGroup with this worker's
//! metadata, the assignment computed on the leader, SyncGroup, and the member-side rules of
//! Java's `DistributedHerder.handleRebalanceCompleted` (config catch-up, revocations first,
//! rejoin after revoking or when the assignment asks for a delay).

use std::{
    collections::BTreeMap,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use bytes::Bytes;

use super::{
    event_loop::HerderLoop,
    membership::{Generation, Owners},
};
use crate::cluster::{
    assignment::{self, ConnectorsAndTasks, Member},
    assignor::{eager, incremental},
    coordinator::{CoordinatorError, Joined},
    protocol::{self, ProtocolCompatibility, WorkerMetadata, join_group_protocols},
    translate,
};
use crate::runtime::metrics::ConnectMetrics;

impl HerderLoop {
    /// Rejoins the group and applies the new assignment.
    pub(super) fn rebalance(&mut self) {
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        let why = m.take_rejoin();
        tracing::info!("rebalancing: {why}");
        let current = m.generation.as_ref().map_or(m.mode, |g| g.protocol);
        ConnectMetrics::global()
            .worker
            .rebalance
            .started(protocol_metric_name(current));
        let eager = current == ProtocolCompatibility::Eager;
        if eager && !self.owned.is_empty() {
            // Eager: everything stops before the group rebalances.
            self.owned = ConnectorsAndTasks::default();
            self.reconcile();
        }
        // Statuses written while revoking must land before others take over (Java flushes too).
        let _ = self.worker.context().statuses.flush(Duration::from_secs(1));
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        let allocation = (!self.owned.is_empty()).then(|| {
            let (leader, url) = m
                .generation
                .as_ref()
                .map(|g| (g.leader_id.clone(), g.leader_url.clone()))
                .unwrap_or_default();
            translate::allocation(
                &self.owned,
                &leader,
                &url,
                self.snapshot.offset,
                m.mode.version(),
            )
        });
        let protocols =
            match join_group_protocols(m.mode, &m.url, self.snapshot.offset, allocation.as_ref()) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!("cannot encode this worker's group metadata: {e}");
                    m.back_off("metadata could not be encoded");
                    return;
                }
            };
        let named: Vec<(String, Bytes)> = protocols
            .into_iter()
            .map(|(p, b)| (p.protocol_name().to_owned(), b))
            .collect();
        let joined = match m.join(&named) {
            Ok(j) => j,
            Err(e) => return self.rebalance_failed("JoinGroup", e),
        };
        let elected = ProtocolCompatibility::from_protocol_name(&joined.protocol_name)
            .unwrap_or(ProtocolCompatibility::Eager);
        let assignments = if joined.is_leader() {
            match self.assign(&joined, elected) {
                Ok(a) => a,
                Err(e) => {
                    tracing::error!("cannot compute the group's assignment: {e}");
                    if let Some(m) = self.membership.as_mut() {
                        m.back_off("the assignment failed");
                    }
                    return;
                }
            }
        } else {
            Vec::new()
        };
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        let bytes = match m.sync(&joined, assignments) {
            Ok(b) => b,
            Err(e) => return self.rebalance_failed("SyncGroup", e),
        };
        match protocol::Assignment::decode(&bytes) {
            Ok(a) => self.on_assignment(&joined, elected, &a),
            Err(e) => {
                tracing::error!("cannot read the assignment the leader sent: {e}; rejoining");
                if let Some(m) = self.membership.as_mut() {
                    m.back_off("unreadable assignment");
                }
            }
        }
    }

    fn rebalance_failed(&mut self, step: &str, e: CoordinatorError) {
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        match e {
            CoordinatorError::RejoinNeeded(why) => m.request_rejoin(&why),
            other => {
                tracing::error!("{step} failed: {other}");
                m.back_off(step);
            }
        }
    }

    /// The leader's part: every member's assignment, encoded.
    fn assign(
        &mut self,
        joined: &Joined,
        elected: ProtocolCompatibility,
    ) -> Result<Vec<(String, Bytes)>, String> {
        let mut members = Vec::new();
        let mut urls = BTreeMap::new();
        for (id, bytes) in &joined.members {
            let md = WorkerMetadata::decode(bytes)
                .map_err(|e| format!("member {id} sent unreadable metadata: {e}"))?;
            urls.insert(id.clone(), md.url.clone());
            members.push(Member {
                id: id.clone(),
                url: md.url,
                config_offset: md.config_offset,
                running: md
                    .allocation
                    .map(|a| translate::from_wire(&a).assigned)
                    .unwrap_or_default(),
            });
        }
        // The leader assigns from the newest config it can read within worker.sync.timeout.ms
        // (Java's ensureLeaderConfig); a member that is ahead reports a config mismatch.
        let budget = self
            .membership
            .as_ref()
            .map_or(Duration::from_secs(3), |m| m.worker_sync_timeout);
        self.read_config_within(budget);
        let snapshot = self.plain_snapshot();
        let m = self.membership.as_mut().ok_or("not in a group")?;
        let (plain, work) = if elected == ProtocolCompatibility::Eager {
            let plain =
                eager::assign(&joined.member_id, &members, &snapshot).map_err(|e| e.to_string())?;
            let work = plain
                .iter()
                .map(|(id, a)| (id.clone(), a.assigned.clone()))
                .collect();
            (plain, work)
        } else {
            let now_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            let round = incremental::RoundInput {
                leader: &joined.member_id,
                members: &members,
                snapshot: &snapshot,
                last_completed_generation: m.last_completed_generation,
                generation: joined.generation_id,
                now_ms,
                max_delay_ms: i32::try_from(m.max_delay.as_millis()).unwrap_or(i32::MAX),
            };
            let outcome = incremental::assign(std::mem::take(&mut m.assignor_state), &round)
                .map_err(|e| e.to_string())?;
            m.assignor_state = outcome.state;
            (outcome.assignments, outcome.owners)
        };
        m.owners = Owners { urls, work };
        let version = elected.version();
        plain
            .iter()
            .map(|(id, a)| {
                translate::to_wire(a, version)
                    .encode()
                    .map(|b| (id.clone(), b))
                    .map_err(|e| format!("cannot encode the assignment of {id}: {e}"))
            })
            .collect()
    }

    /// Java's `handleRebalanceCompleted` for this worker's assignment.
    fn on_assignment(
        &mut self,
        joined: &Joined,
        elected: ProtocolCompatibility,
        wire: &protocol::Assignment,
    ) {
        let a = translate::from_wire(wire);
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        m.generation = Some(Generation {
            member_id: joined.member_id.clone(),
            leader_id: a.leader.clone(),
            leader_url: a.leader_url.clone(),
            protocol: elected,
        });
        if a.error == assignment::AssignmentError::ConfigMismatch {
            tracing::info!(
                "the leader's config is behind a member's: reading the config topic and rejoining"
            );
            m.request_rejoin("config mismatch");
            self.read_config();
            return;
        }
        let sync_timeout = m.worker_sync_timeout;
        if self.snapshot.offset < a.config_offset {
            let deadline = Instant::now() + sync_timeout;
            while self.snapshot.offset < a.config_offset && Instant::now() < deadline {
                self.read_config();
                if self.snapshot.offset < a.config_offset {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        if self.snapshot.offset < a.config_offset {
            let (wait, drop_work) = m.out_of_sync(elected == ProtocolCompatibility::Eager);
            tracing::warn!(
                "could not read the config topic up to offset {} within worker.sync.timeout.ms \
                 (at {}); rejoining in {} ms{}",
                a.config_offset,
                self.snapshot.offset,
                wait.as_millis(),
                if drop_work {
                    ", without the work it ran"
                } else {
                    ""
                }
            );
            if drop_work {
                if elected == ProtocolCompatibility::Eager {
                    m.leave("out of sync with the config topic");
                }
                self.owned = ConnectorsAndTasks::default();
                self.reconcile();
            }
            if let Some(m) = self.membership.as_mut() {
                m.rejoin_after(wait, "out of sync with the config topic");
            }
            return;
        }
        m.unsync_retries_left = super::membership::UNSYNC_RETRIES;
        if self.snapshot.offset != a.config_offset {
            // Ahead of the leader (it assigned from an older config): rejoin at once.
            tracing::info!(
                "config offset {} is past the assignment's {}: rejoining without starting anything",
                self.snapshot.offset,
                a.config_offset
            );
            m.request_rejoin("config offset mismatch");
            return;
        }
        self.worker
            .context()
            .generation
            .store(joined.generation_id, std::sync::atomic::Ordering::SeqCst);
        // Revoked work stops first; the assignment line follows, then new work starts (Java's
        // order, which its system tests and ours read from the log).
        if elected == ProtocolCompatibility::Eager {
            self.owned = a.assigned.clone();
        } else {
            self.owned.remove_all(&a.revoked);
            self.reconcile();
            self.owned.extend(&a.assigned);
        }
        tracing::info!(
            "Joined group at generation {} with protocol version {} and got assignment: {} with rebalance delay: {}",
            joined.generation_id,
            elected.version(),
            java_assignment(&a, &self.owned),
            a.delay_ms
        );
        tracing::info!(
            "Starting connectors and tasks using config offset {}",
            a.config_offset
        );
        self.reconcile();
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        m.last_completed_generation = joined.generation_id;
        let rebalance = &ConnectMetrics::global().worker.rebalance;
        rebalance.started(protocol_metric_name(elected));
        rebalance.completed(joined.generation_id.into(), &a.leader_url);
        if !a.revoked.is_empty() {
            // The second round that hands what was revoked to its new owners.
            m.request_rejoin("revoked work must move");
        } else if a.delay_ms > 0 {
            m.rejoin_after(
                Duration::from_millis(a.delay_ms as u64),
                "the leader scheduled a rebalance",
            );
        }
        self.view_mut().started = true;
        self.publish();
    }
}

/// An assignment as Java's `ExtendedAssignment.toString` prints it, with everything this worker
/// holds after the join as `connectorIds`/`taskIds` (as Java's herder logs it).
/// Kafka's `connect-protocol` rebalance metric: the Java enum constant's name.
fn protocol_metric_name(p: ProtocolCompatibility) -> &'static str {
    match p {
        ProtocolCompatibility::Eager => "EAGER",
        ProtocolCompatibility::Compatible => "COMPATIBLE",
        ProtocolCompatibility::Sessioned => "SESSIONED",
    }
}

fn java_assignment(a: &assignment::Assignment, held: &ConnectorsAndTasks) -> String {
    let tasks = |set: &ConnectorsAndTasks| {
        set.tasks
            .iter()
            .map(|t| format!("{}-{}", t.connector, t.task))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let connectors = |set: &ConnectorsAndTasks| {
        set.connectors
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Assignment{{error={}, leader='{}', leaderUrl='{}', offset={}, connectorIds=[{}], taskIds=[{}], revokedConnectorIds=[{}], revokedTaskIds=[{}], delay={}}}",
        a.error.code(),
        a.leader,
        a.leader_url,
        a.config_offset,
        connectors(held),
        tasks(held),
        connectors(&a.revoked),
        tasks(&a.revoked),
        a.delay_ms
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::protocol::TaskId;

    #[test]
    fn the_assignment_line_reads_like_java() {
        let a = assignment::Assignment {
            error: assignment::AssignmentError::None,
            leader: "connect-1-abc".into(),
            leader_url: "http://127.0.0.1:8083/".into(),
            config_offset: 12,
            assigned: ConnectorsAndTasks::default(),
            revoked: ConnectorsAndTasks {
                connectors: ["b".to_string()].into(),
                tasks: [TaskId::new("b", 0)].into(),
            },
            delay_ms: 0,
        };
        let held = ConnectorsAndTasks {
            connectors: ["a".to_string(), "c".to_string()].into(),
            tasks: [TaskId::new("a", 0), TaskId::new("a", 1)].into(),
        };
        assert_eq!(
            java_assignment(&a, &held),
            "Assignment{error=0, leader='connect-1-abc', leaderUrl='http://127.0.0.1:8083/', \
             offset=12, connectorIds=[a, c], taskIds=[a-0, a-1], revokedConnectorIds=[b], \
             revokedTaskIds=[b-0], delay=0}"
        );
    }
}
