//! INTERIM: the API of the group client, so the herder compiles until the client lands.
#![allow(missing_docs, dead_code, unused_variables)]

use std::{sync::Arc, time::Duration};

use bytes::Bytes;

pub struct MemberConfig {
    pub bootstrap: Vec<String>,
    pub group_id: String,
    pub client_id: String,
    pub session_timeout: Duration,
    pub rebalance_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub request_timeout: Duration,
}

pub struct Joined {
    pub generation_id: i32,
    pub member_id: String,
    pub leader_id: String,
    pub protocol_name: String,
    pub members: Vec<(String, Bytes)>,
}

impl Joined {
    pub fn is_leader(&self) -> bool {
        self.member_id == self.leader_id
    }
}

#[derive(Debug)]
pub enum GroupEvent {
    RejoinNeeded(String),
    CoordinatorLost(String),
}

#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    #[error("{0}")]
    RejoinNeeded(String),
    #[error("{0}")]
    Fatal(String),
    #[error("{0}")]
    Timeout(String),
}

pub struct GroupMember {
    member_id: String,
}

impl GroupMember {
    pub fn new(config: MemberConfig, events: Arc<dyn Fn(GroupEvent) + Send + Sync>) -> Self {
        GroupMember {
            member_id: String::new(),
        }
    }
    pub async fn join(
        &mut self,
        protocols: &[(String, Bytes)],
        deadline: tokio::time::Instant,
    ) -> Result<Joined, CoordinatorError> {
        Err(CoordinatorError::Fatal("INTERIM".into()))
    }
    pub async fn sync(
        &mut self,
        joined: &Joined,
        assignments: Vec<(String, Bytes)>,
    ) -> Result<Bytes, CoordinatorError> {
        Err(CoordinatorError::Fatal("INTERIM".into()))
    }
    pub async fn leave(&mut self, reason: &str) {}
    pub fn member_id(&self) -> &str {
        &self.member_id
    }
    pub fn generation(&self) -> Option<i32> {
        None
    }
}
