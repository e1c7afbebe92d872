//! The herder state REST reads are answered from: published by the herder thread after every
//! change, read under a short read lock that is never held across I/O or plugin calls.

use std::collections::BTreeMap;

use crate::runtime::{info::RequestSigning, stores::ConnectorEntry};

/// This worker's place in its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leadership {
    /// Standalone mode: a group of one.
    Standalone,
    /// Not in a completed generation (starting, or rebalancing): no leader known.
    Unknown,
    /// This worker leads its group.
    Leader,
    /// Another worker leads, at this REST URL.
    Follower {
        /// The leader's advertised REST URL (`http://host:port/`).
        leader_url: String,
    },
}

/// The published herder state.
#[derive(Debug, Clone)]
pub struct View {
    /// Connectors as the config log says (read by this worker).
    pub connectors: BTreeMap<String, ConnectorEntry>,
    /// Whether start-up finished (standalone: connectors restored; distributed: the first
    /// assignment applied).
    pub started: bool,
    /// Whether the worker is shutting down (requests are refused from then on).
    pub stopping: bool,
    /// Role in the group.
    pub leadership: Leadership,
    /// Whether internal requests must be signed.
    pub signing: RequestSigning,
}

impl View {
    /// The view before anything was read.
    pub fn new(standalone: bool) -> View {
        View {
            connectors: BTreeMap::new(),
            started: false,
            stopping: false,
            leadership: if standalone {
                Leadership::Standalone
            } else {
                Leadership::Unknown
            },
            signing: RequestSigning::Disabled,
        }
    }
}
