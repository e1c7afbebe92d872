//! The write operations the herder thread carries out, one variant each, with the channel its
//! answer goes back on. Configs arrive validated: validation runs on the caller's thread before
//! a request is queued, so a slow plugin `validate` never holds up the loop.

use std::sync::mpsc;

use crate::runtime::{
    info::{ConnectorInfo, ConnectorOffsets, HerderResult},
    status::TargetState,
    stores::ConfigMap,
};

/// Where the answer to one request goes.
pub type Reply<T> = mpsc::Sender<HerderResult<T>>;

/// One write operation.
pub enum Request {
    /// `POST /connectors` (`replace: false`) and `PUT /connectors/{c}/config` (`replace: true`):
    /// answers `(created, info)`.
    PutConfig {
        /// The connector.
        name: String,
        /// Its validated config.
        config: ConfigMap,
        /// `initial_state` of a create.
        initial: Option<TargetState>,
        /// Whether an existing connector may be replaced.
        replace: bool,
        /// The answer.
        reply: Reply<(bool, ConnectorInfo)>,
    },
    /// `PATCH /connectors/{c}/config`, the patch applied and validated: the connector must exist.
    PatchConfig {
        /// The connector.
        name: String,
        /// The patched config.
        config: ConfigMap,
        /// The answer.
        reply: Reply<ConnectorInfo>,
    },
    /// `DELETE /connectors/{c}`.
    Delete {
        /// The connector.
        name: String,
        /// The answer.
        reply: Reply<()>,
    },
    /// `PUT /connectors/{c}/pause|resume|stop`.
    SetTarget {
        /// The connector.
        name: String,
        /// The new target state.
        target: TargetState,
        /// The answer.
        reply: Reply<()>,
    },
    /// Plain `POST /connectors/{c}/restart`: the connector instance, on its owner.
    RestartConnector {
        /// The connector.
        name: String,
        /// The answer.
        reply: Reply<()>,
    },
    /// `POST /connectors/{c}/restart?includeTasks&onlyFailed`: a restart request the owners act on.
    RestartWithTasks {
        /// The connector.
        name: String,
        /// Restart tasks too.
        include_tasks: bool,
        /// Only FAILED instances.
        only_failed: bool,
        /// The answer.
        reply: Reply<()>,
    },
    /// `POST /connectors/{c}/tasks/{t}/restart`, on the task's owner.
    RestartTask {
        /// The connector.
        name: String,
        /// The task number.
        task: u32,
        /// The answer.
        reply: Reply<()>,
    },
    /// `PATCH /connectors/{c}/offsets` (`Some`) and `DELETE …/offsets` (`None`).
    AlterOffsets {
        /// The connector.
        name: String,
        /// The new offsets; `None` resets every offset.
        offsets: Option<ConnectorOffsets>,
        /// The success message.
        reply: Reply<String>,
    },
    /// Internal `POST /connectors/{c}/tasks`: a follower's task configs for the leader to write.
    TaskConfigsFromFollower {
        /// The connector.
        name: String,
        /// Its task configs.
        configs: Vec<ConfigMap>,
        /// The answer.
        reply: Reply<()>,
    },
}
