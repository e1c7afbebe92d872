//! This worker's membership of its Connect group, as the herder thread keeps it: the group
//! client, the generation and leader of the last completed rebalance, when to rejoin, the
//! leader's assignor memory and owner map, and the rules that follow from them (who may
//! write, where a request goes, whether internal requests are signed, when the session key
//! is renewed).

use std::{
    collections::BTreeMap,
    sync::{Arc, mpsc},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use super::{event_loop::Event, view::Leadership};
use crate::{
    cluster::{
        assignment::{ConnectorsAndTasks, TaskId},
        assignor::incremental::AssignorState,
        coordinator::{
            CoordinatorError, GroupEvent, GroupMember, Joined, MemberConfig, WireSecurity,
        },
        protocol::ProtocolCompatibility,
    },
    config::{WorkerConfig, worker::ConnectProtocol},
    runtime::{
        info::{HerderError, HerderResult, RequestSigning},
        stores::{ConfigLog, ConfigMap, ConfigSnapshot},
    },
};

/// Cooperative out-of-sync back-offs before a worker drops its work (Java's
/// `DistributedHerder` keeps the same count).
pub(super) const UNSYNC_RETRIES: u32 = 5;

/// How long to wait before rejoining after the group client failed.
const FAILURE_BACKOFF: Duration = Duration::from_secs(2);

/// Where the leader's assignments put each connector and task (Java's leader-only owner map).
#[derive(Debug, Default, Clone)]
pub(super) struct Owners {
    /// Member id → REST URL.
    pub urls: BTreeMap<String, String>,
    /// Member id → what it runs after the last assignment.
    pub work: BTreeMap<String, ConnectorsAndTasks>,
}

impl Owners {
    /// The URL of the worker running connector `name`.
    pub fn connector_owner(&self, name: &str) -> Option<String> {
        self.work
            .iter()
            .find(|(_, w)| w.connectors.contains(name))
            .and_then(|(id, _)| self.urls.get(id).cloned())
    }

    /// The URL of the worker running task `task` of `name`.
    pub fn task_owner(&self, name: &str, task: u32) -> Option<String> {
        let id = TaskId::new(name, task);
        self.work
            .iter()
            .find(|(_, w)| w.tasks.contains(&id))
            .and_then(|(member, _)| self.urls.get(member).cloned())
    }
}

/// The generation this worker last completed a rebalance in.
#[derive(Debug, Clone)]
pub(super) struct Generation {
    /// Our member id in it.
    pub member_id: String,
    /// The leader's member id.
    pub leader_id: String,
    /// The leader's REST URL.
    pub leader_url: String,
    /// The sub-protocol the group elected.
    pub protocol: ProtocolCompatibility,
}

/// Group membership and its rules.
pub(super) struct Membership {
    member: GroupMember,
    runtime: Option<tokio::runtime::Handle>,
    /// `connect.protocol`: what this worker offers.
    pub mode: ProtocolCompatibility,
    /// Our advertised REST URL (`http://host:port/`), sent in the metadata.
    pub url: String,
    pub rebalance_timeout: Duration,
    pub worker_sync_timeout: Duration,
    /// `worker.unsync.backoff.ms` (eager groups only, as in Java).
    pub worker_unsync_backoff: Duration,
    pub max_delay: Duration,
    /// Out-of-sync back-offs left before a cooperative worker drops its work (Java: 5).
    pub unsync_retries_left: u32,
    /// `inter.worker.*`: key generation, rotation and the signature algorithm.
    inter_worker: crate::config::inter_worker::InterWorkerConfig,
    /// The HTTP client for requests to other workers (built once).
    http: Option<reqwest::Client>,
    /// The last completed generation; `None` before the first and while rejoining.
    pub generation: Option<Generation>,
    rejoin_reason: Option<String>,
    rejoin_at: Option<Instant>,
    /// The leader's memory between rounds (a new leader starts from the default).
    pub assignor_state: AssignorState,
    /// The generation of the last sync this worker completed (−1 before any).
    pub last_completed_generation: i32,
    /// The leader's owner map.
    pub owners: Owners,
    last_key_check: Option<Instant>,
    events: mpsc::Sender<Event>,
    /// Turns true when the worker stops.
    stop: tokio::sync::watch::Receiver<bool>,
}

impl Membership {
    pub(super) fn new(
        config: &WorkerConfig,
        d: &crate::config::worker::DistributedConfig,
        worker_id: &str,
        runtime: Option<tokio::runtime::Handle>,
        events: mpsc::Sender<Event>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> Membership {
        let mode = match d.connect_protocol {
            ConnectProtocol::Eager => ProtocolCompatibility::Eager,
            ConnectProtocol::Compatible => ProtocolCompatibility::Compatible,
            ConnectProtocol::Sessioned => ProtocolCompatibility::Sessioned,
        };
        let client_id = config
            .client
            .get("client.id")
            .cloned()
            .unwrap_or_else(|| format!("connect-{worker_id}"));
        let group_events = events.clone();
        // Checked when the worker starts (main.rs), so a failure here is a file that changed.
        let java = crate::config::kafka_client::java_settings(
            config,
            crate::config::kafka_client::Layers::Worker,
        );
        let security = WireSecurity::from_settings(&java).unwrap_or_else(|e| {
            tracing::error!("the group membership client cannot use the worker's security settings ({e}); it connects in PLAINTEXT, which a secured broker refuses");
            WireSecurity::plaintext()
        });
        let member = GroupMember::new(
            MemberConfig {
                bootstrap: config.bootstrap_servers.clone(),
                group_id: d.group_id.clone(),
                client_id,
                session_timeout: d.session_timeout,
                rebalance_timeout: d.rebalance_timeout,
                heartbeat_interval: d.heartbeat_interval,
                request_timeout: Duration::from_secs(40),
                security,
            },
            Arc::new(move |e| {
                let _ = group_events.send(Event::Group(e));
            }),
        );
        Membership {
            member,
            runtime,
            mode,
            url: format!(
                "{}://{worker_id}/",
                config.rest.advertised_scheme().as_str()
            ),
            rebalance_timeout: d.rebalance_timeout,
            worker_sync_timeout: d.worker_sync_timeout,
            worker_unsync_backoff: d.worker_unsync_backoff,
            max_delay: d.scheduled_rebalance_max_delay,
            unsync_retries_left: UNSYNC_RETRIES,
            inter_worker: d.inter_worker.clone(),
            http: crate::cluster::internal_client::http_client(
                Duration::from_secs(90),
                &config.rest.tls,
            )
            .map_err(|e| tracing::error!("cannot build the HTTP client for other workers: {e}"))
            .ok(),
            generation: None,
            rejoin_reason: Some("joining the group".into()),
            rejoin_at: None,
            assignor_state: AssignorState::default(),
            last_completed_generation: -1,
            owners: Owners::default(),
            last_key_check: None,
            events,
            stop,
        }
    }

    /// Whether the herder should rejoin now.
    pub fn rejoin_due(&self) -> bool {
        self.rejoin_reason.is_some() && self.rejoin_at.is_none_or(|at| Instant::now() >= at)
            || self.rejoin_at.is_some_and(|at| Instant::now() >= at)
    }

    /// How long until a scheduled rejoin.
    pub fn time_to_rejoin(&self) -> Option<Duration> {
        self.rejoin_at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Asks for a rebalance at the next turn of the loop.
    pub fn request_rejoin(&mut self, why: &str) {
        if self.rejoin_reason.is_none() {
            tracing::debug!("rejoining the group: {why}");
            self.rejoin_reason = Some(why.to_owned());
        }
        self.rejoin_at = None;
    }

    /// Schedules a rejoin `after` from now (an assignment's `delay`, a back-off).
    pub fn rejoin_after(&mut self, after: Duration, why: &str) {
        self.rejoin_reason = Some(why.to_owned());
        self.rejoin_at = Some(Instant::now() + after);
    }

    /// Takes the pending rejoin (the rebalance starts).
    pub fn take_rejoin(&mut self) -> String {
        self.rejoin_at = None;
        self.rejoin_reason
            .take()
            .unwrap_or_else(|| "scheduled rebalance".into())
    }

    /// Handles a heartbeat event; true when the coordinator was lost (local work must stop).
    pub fn on_group_event(&mut self, event: GroupEvent) -> bool {
        match event {
            GroupEvent::RejoinNeeded(why) => {
                self.request_rejoin(&why);
                false
            }
            GroupEvent::CoordinatorLost(why) => {
                tracing::warn!("group coordinator lost: {why}");
                self.generation = None;
                self.request_rejoin(&why);
                true
            }
        }
    }

    /// Our role, for REST.
    pub fn leadership(&self) -> Leadership {
        match &self.generation {
            None => Leadership::Unknown,
            Some(g) if g.leader_id == g.member_id => Leadership::Leader,
            Some(g) => Leadership::Follower {
                leader_url: g.leader_url.clone(),
            },
        }
    }

    /// Whether this worker leads the current generation.
    pub fn is_leader(&self) -> bool {
        matches!(self.leadership(), Leadership::Leader)
    }

    /// `Ok` on the leader; else where the request should go.
    pub fn require_leader(&self) -> HerderResult<()> {
        match self.leadership() {
            Leadership::Leader | Leadership::Standalone => Ok(()),
            Leadership::Unknown => Err(HerderError::NotLeader { leader_url: None }),
            Leadership::Follower { leader_url } => Err(HerderError::NotLeader {
                leader_url: Some(leader_url),
            }),
        }
    }

    /// For a request that must run on the owner: the leader names the owner, a follower
    /// sends it to the leader.
    pub fn route_to_owner(&self, owner: impl FnOnce(&Owners) -> Option<String>) -> HerderError {
        match self.leadership() {
            Leadership::Leader => HerderError::NotOwner {
                owner_url: owner(&self.owners),
            },
            Leadership::Follower { leader_url } => HerderError::NotLeader {
                leader_url: Some(leader_url),
            },
            Leadership::Unknown | Leadership::Standalone => {
                HerderError::NotLeader { leader_url: None }
            }
        }
    }

    /// Whether internal requests must be signed now.
    pub fn signing(&self, snapshot: &ConfigSnapshot) -> RequestSigning {
        let sessioned = self
            .generation
            .as_ref()
            .map_or(self.mode == ProtocolCompatibility::Sessioned, |g| {
                g.protocol == ProtocolCompatibility::Sessioned
            });
        if !sessioned {
            return RequestSigning::Disabled;
        }
        match &snapshot.session_key {
            Some(k) => RequestSigning::Active(k.clone()),
            None => RequestSigning::KeyUnknown,
        }
    }

    /// JoinGroup with our protocols (blocking the herder thread, as Java's tick does while it
    /// rebalances).
    pub fn join(
        &mut self,
        protocols: &[(String, bytes::Bytes)],
    ) -> Result<Joined, CoordinatorError> {
        self.generation = None;
        let deadline =
            tokio::time::Instant::now() + self.rebalance_timeout + Duration::from_secs(5);
        self.until_stopped(|member| member.join(protocols, deadline))
    }

    /// SyncGroup for the generation joined.
    pub fn sync(
        &mut self,
        joined: &Joined,
        assignments: Vec<(String, bytes::Bytes)>,
    ) -> Result<bytes::Bytes, CoordinatorError> {
        self.until_stopped(|member| member.sync(joined, assignments))
    }

    /// Runs one group call on the runtime, cut short when the worker starts stopping.
    fn until_stopped<'a, T, F>(
        &'a mut self,
        call: impl FnOnce(&'a mut GroupMember) -> F,
    ) -> Result<T, CoordinatorError>
    where
        F: std::future::Future<Output = Result<T, CoordinatorError>> + 'a,
    {
        let Some(rt) = self.runtime.clone() else {
            return Err(CoordinatorError::Fatal(
                "distributed mode needs the async runtime".into(),
            ));
        };
        let mut stop = self.stop.clone();
        let call = call(&mut self.member);
        rt.block_on(async {
            tokio::select! {
                r = call => r,
                _ = stop.wait_for(|s| *s) => Err(CoordinatorError::Fatal("the worker is stopping".into())),
            }
        })
    }

    /// After a failed join or sync: try again after a pause.
    pub fn back_off(&mut self, why: &str) {
        self.rejoin_after(FAILURE_BACKOFF, why);
    }

    /// This worker could not read the config topic up to the assignment's offset within
    /// `worker.sync.timeout.ms`: how long to wait before rejoining, and whether to drop its
    /// work first. Java: eager groups leave and wait `worker.unsync.backoff.ms`; cooperative
    /// ones wait `scheduled.rebalance.max.delay.ms / 10 / retries left` and drop their work
    /// once the retries are used up.
    pub fn out_of_sync(&mut self, eager: bool) -> (Duration, bool) {
        if eager {
            return (self.worker_unsync_backoff, true);
        }
        // Whole milliseconds, as Java's integer arithmetic.
        let delay = Duration::from_millis(
            self.max_delay.as_millis() as u64 / 10 / u64::from(self.unsync_retries_left.max(1)),
        );
        self.unsync_retries_left = self.unsync_retries_left.saturating_sub(1);
        if self.unsync_retries_left == 0 {
            self.unsync_retries_left = UNSYNC_RETRIES;
            return (delay, true);
        }
        (delay, false)
    }

    /// LeaveGroup (clean stop), so the others rebalance at once.
    pub fn leave(&mut self, reason: &str) {
        let rt = self.runtime.clone();
        let member = &mut self.member;
        if let Some(rt) = rt {
            rt.block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(5), member.leave(reason)).await;
            });
        }
        self.generation = None;
    }

    /// On the leader of a `sessioned` group: writes a session key when there is none, it
    /// expired, or its algorithm or length differ from this worker's settings (Java's rule).
    pub fn maintain_session_key(&mut self, log: &Arc<dyn ConfigLog>, snapshot: &ConfigSnapshot) {
        if !self.is_leader()
            || self.generation.as_ref().map(|g| g.protocol)
                != Some(ProtocolCompatibility::Sessioned)
        {
            return;
        }
        if self
            .last_key_check
            .is_some_and(|at| at.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        self.last_key_check = Some(Instant::now());
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let policy = &self.inter_worker.key;
        let Some(why) = policy.rotation_due(snapshot.session_key.as_ref(), now_ms) else {
            return;
        };
        match policy.generate(now_ms) {
            Ok(key) => match log.put_session_key(&key) {
                Ok(()) => tracing::info!("wrote a new session key ({}; {why:?})", key.algorithm),
                Err(e) => tracing::warn!("cannot write a new session key: {e}; retrying"),
            },
            Err(e) => tracing::error!("cannot generate a session key: {e}"),
        }
    }

    /// On a follower that runs `name`: POSTs its task configs to the leader (signed in a
    /// `sessioned` group), off the herder thread; on failure the connector is asked again
    /// after a pause, as Java retries with back-off.
    pub fn send_task_configs_to_leader(
        &self,
        name: &str,
        configs: Vec<ConfigMap>,
        snapshot: &ConfigSnapshot,
    ) {
        let Some(rt) = self.runtime.clone() else {
            return;
        };
        let Leadership::Follower { leader_url } = self.leadership() else {
            return;
        };
        let Some(http) = self.http.clone() else {
            return;
        };
        let signer = match self.signing(snapshot) {
            RequestSigning::Active(k) => Some(self.inter_worker.signer(k)),
            RequestSigning::KeyUnknown => {
                let _ = self.events.send(Event::Reconfigure(name.to_owned()));
                return;
            }
            RequestSigning::Disabled => None,
        };
        let events = self.events.clone();
        let name = name.to_owned();
        rt.spawn(async move {
            let sent = crate::cluster::internal_client::post_task_configs(
                &http,
                &leader_url,
                &name,
                &configs,
                signer.as_ref(),
            )
            .await;
            if let Err(e) = sent {
                tracing::warn!(connector = %name, "cannot send task configs to the leader at {leader_url}: {e}; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                let _ = events.send(Event::Reconfigure(name));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership(protocol: ConnectProtocol, max_delay_ms: u64) -> Membership {
        let mut props: std::collections::BTreeMap<String, String> = [
            ("bootstrap.servers", "127.0.0.1:1"),
            ("group.id", "g"),
            ("config.storage.topic", "c"),
            ("offset.storage.topic", "o"),
            ("status.storage.topic", "s"),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        props.insert(
            "scheduled.rebalance.max.delay.ms".into(),
            max_delay_ms.to_string(),
        );
        props.insert(
            "connect.protocol".into(),
            match protocol {
                ConnectProtocol::Eager => "eager",
                ConnectProtocol::Compatible => "compatible",
                ConnectProtocol::Sessioned => "sessioned",
            }
            .into(),
        );
        let config =
            WorkerConfig::from_props(crate::config::Mode::Distributed, props).expect("valid");
        let d = config.distributed.clone().unwrap();
        let (tx, _rx) = mpsc::channel();
        let (_stop_tx, stop) = tokio::sync::watch::channel(false);
        Membership::new(&config, &d, "w1:8083", None, tx, stop)
    }

    fn generation(m: &mut Membership, leader: &str, protocol: ProtocolCompatibility) {
        m.generation = Some(Generation {
            member_id: "me".into(),
            leader_id: leader.into(),
            leader_url: "http://leader:8083/".into(),
            protocol,
        });
    }

    #[test]
    fn writes_go_to_the_leader_and_restarts_to_the_owner() {
        let mut m = membership(ConnectProtocol::Sessioned, 300_000);
        assert_eq!(m.url, "http://w1:8083/");
        // Before the first generation nobody is known to lead.
        assert_eq!(
            m.require_leader(),
            Err(HerderError::NotLeader { leader_url: None })
        );
        generation(&mut m, "other", ProtocolCompatibility::Sessioned);
        assert_eq!(
            m.require_leader(),
            Err(HerderError::NotLeader {
                leader_url: Some("http://leader:8083/".into())
            })
        );
        assert_eq!(
            m.route_to_owner(|o| o.connector_owner("c")),
            HerderError::NotLeader {
                leader_url: Some("http://leader:8083/".into())
            }
        );
        generation(&mut m, "me", ProtocolCompatibility::Sessioned);
        assert_eq!(m.require_leader(), Ok(()));
        m.owners.urls.insert("w2".into(), "http://w2:8083/".into());
        let mut work = ConnectorsAndTasks::default();
        work.connectors.insert("c".into());
        work.tasks.insert(TaskId::new("c", 1));
        m.owners.work.insert("w2".into(), work);
        assert_eq!(
            m.route_to_owner(|o| o.task_owner("c", 1)),
            HerderError::NotOwner {
                owner_url: Some("http://w2:8083/".into())
            }
        );
        assert_eq!(
            m.route_to_owner(|o| o.task_owner("c", 0)),
            HerderError::NotOwner { owner_url: None }
        );
    }

    #[test]
    fn signing_follows_the_elected_protocol_and_the_key() {
        let mut m = membership(ConnectProtocol::Sessioned, 300_000);
        let mut snapshot = ConfigSnapshot::default();
        assert_eq!(m.signing(&snapshot), RequestSigning::KeyUnknown);
        let key = crate::runtime::stores::SessionKey {
            key: vec![1; 32],
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 0,
        };
        snapshot.session_key = Some(key.clone());
        generation(&mut m, "me", ProtocolCompatibility::Sessioned);
        assert_eq!(m.signing(&snapshot), RequestSigning::Active(key));
        // A compatible worker in the group drags it to `compatible`: no signing (Java warns).
        generation(&mut m, "me", ProtocolCompatibility::Compatible);
        assert_eq!(m.signing(&snapshot), RequestSigning::Disabled);
    }

    #[test]
    fn out_of_sync_backs_off_as_java() {
        let mut eager = membership(ConnectProtocol::Eager, 300_000);
        assert_eq!(
            eager.out_of_sync(true),
            (Duration::from_millis(300_000), true),
            "eager: worker.unsync.backoff.ms and drop the work"
        );
        let mut m = membership(ConnectProtocol::Sessioned, 50_000);
        let waits: Vec<(Duration, bool)> = (0..6).map(|_| m.out_of_sync(false)).collect();
        let ms = |v: u64| Duration::from_millis(v);
        assert_eq!(
            waits,
            vec![
                (ms(1000), false),
                (ms(1250), false),
                (ms(1666), false),
                (ms(2500), false),
                (ms(5000), true),
                (ms(1000), false),
            ],
            "max delay / 10 / retries left, work dropped when they run out, then again"
        );
    }

    #[test]
    fn rejoins_are_due_now_or_when_scheduled() {
        let mut m = membership(ConnectProtocol::Sessioned, 300_000);
        assert!(m.rejoin_due(), "a new member joins at once");
        m.take_rejoin();
        assert!(!m.rejoin_due());
        m.rejoin_after(Duration::from_secs(60), "delay");
        assert!(!m.rejoin_due());
        assert!(m.time_to_rejoin().unwrap() > Duration::from_secs(59));
        m.request_rejoin("a connector was created");
        assert!(
            m.rejoin_due(),
            "a requested rejoin does not wait for a scheduled one"
        );
        m.take_rejoin();
        assert!(m.on_group_event(GroupEvent::CoordinatorLost("gone".into())));
        assert!(m.rejoin_due());
        assert_eq!(m.leadership(), Leadership::Unknown);
    }
}
