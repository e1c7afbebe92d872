//! Finding a group's coordinator: FindCoordinator (key type 0, "group") to the bootstrap
//! brokers in order, then a connection to the broker it names.
//!
//! Requests differ by version: v0–3 carry one `Key` and answer with one node; v4+ carry a
//! `CoordinatorKeys` list and answer with a `Coordinators` list (KIP-699). Both shapes are
//! built and read here so the rest of the client sees one answer.

use std::time::Duration;

use kafka_protocol::messages::{ApiKey, FindCoordinatorRequest, FindCoordinatorResponse};
use kafka_protocol::protocol::StrBytes;

use super::connection::{Connection, WireError};
use super::errors::{self, Action, Phase};
use super::security::WireSecurity;

/// Where a group's coordinator is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coordinator {
    /// The broker's node id (for logs).
    pub(crate) node_id: i32,
    /// `host:port` to connect to (IPv6 hosts in brackets).
    pub(crate) address: String,
}

/// Why no coordinator connection could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FindError {
    /// Brokers down, unreachable, or the coordinator is being elected: try again later.
    Retry(String),
    /// Retrying cannot help (authorization, broker version).
    Fatal(String),
}

impl FindError {
    /// The message, whichever kind.
    pub(crate) fn message(&self) -> &str {
        match self {
            FindError::Retry(m) | FindError::Fatal(m) => m,
        }
    }
}

/// The FindCoordinator request for `group` in the shape of `version`.
pub(crate) fn find_request(version: i16, group: &str) -> FindCoordinatorRequest {
    let key = StrBytes::from_string(group.to_owned());
    let request = FindCoordinatorRequest::default();
    if version >= 4 {
        request.with_key_type(0).with_coordinator_keys(vec![key])
    } else {
        // v0 has no key type; 0 (the default) is "group" and encodes as nothing there.
        request.with_key(key)
    }
}

/// One FindCoordinator answer, whatever its version: error code, message, coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) error_code: i16,
    pub(crate) error_message: Option<String>,
    pub(crate) coordinator: Coordinator,
}

/// Reads a FindCoordinator answer of `version` for `group`.
pub(crate) fn read_answer(version: i16, group: &str, response: &FindCoordinatorResponse) -> Found {
    let (code, message, node, host, port) = if version >= 4 {
        match response
            .coordinators
            .iter()
            .find(|c| c.key.as_str() == group)
        {
            Some(c) => (
                c.error_code,
                c.error_message.clone(),
                c.node_id.0,
                c.host.clone(),
                c.port,
            ),
            None => {
                return Found {
                    // The broker left our key out: treat it as "not available yet".
                    error_code: errors::COORDINATOR_NOT_AVAILABLE,
                    error_message: Some(format!("the answer names no coordinator for {group}")),
                    coordinator: Coordinator {
                        node_id: -1,
                        address: String::new(),
                    },
                };
            }
        }
    } else {
        let r = response;
        (
            r.error_code,
            r.error_message.clone(),
            r.node_id.0,
            r.host.clone(),
            r.port,
        )
    };
    let host = host.as_str();
    let address = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    Found {
        error_code: code,
        error_message: message.map(|m| m.to_string()),
        coordinator: Coordinator {
            node_id: node,
            address,
        },
    }
}

/// Asks the bootstrap brokers, in order, where `group`'s coordinator is. Each broker gets
/// `timeout` per step; unreachable ones are skipped.
pub(crate) async fn find(
    bootstrap: &[String],
    group: &str,
    client_id: &str,
    security: &WireSecurity,
    timeout: Duration,
) -> Result<Coordinator, FindError> {
    let mut problems = Vec::new();
    for broker in bootstrap {
        let mut connection = match Connection::open(broker, client_id, security, timeout).await {
            Ok(c) => c,
            Err(WireError::Unsupported(m)) => return Err(FindError::Fatal(m)),
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let version = connection
            .version(ApiKey::FindCoordinator)
            .map_err(|e| FindError::Fatal(e.to_string()))?;
        let answer = match connection
            .call(version, &find_request(version, group), timeout)
            .await
        {
            Ok(answer) => read_answer(version, group, &answer),
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let detail = || {
            let name = errors::error_name(answer.error_code);
            match &answer.error_message {
                Some(m) => format!("{name}: {m}"),
                None => name,
            }
        };
        return match errors::action(Phase::FindCoordinator, answer.error_code) {
            Action::Proceed => Ok(answer.coordinator),
            Action::Fatal if answer.error_code == errors::GROUP_AUTHORIZATION_FAILED => Err(
                FindError::Fatal(errors::explain_fatal(answer.error_code, group, 0, "")),
            ),
            Action::Fatal => Err(FindError::Fatal(format!(
                "cannot find the coordinator of group {group} ({}); check the broker logs",
                detail()
            ))),
            _ => Err(FindError::Retry(format!(
                "the coordinator of group {group} is not available yet ({})",
                detail()
            ))),
        };
    }
    Err(FindError::Retry(format!(
        "no broker of {} answers ({})",
        bootstrap.join(","),
        if problems.is_empty() {
            "no bootstrap servers given".to_string()
        } else {
            problems.join("; ")
        }
    )))
}

/// Finds `group`'s coordinator and opens a connection to it.
pub(crate) async fn connect(
    bootstrap: &[String],
    group: &str,
    client_id: &str,
    security: &WireSecurity,
    timeout: Duration,
) -> Result<Connection, FindError> {
    let coordinator = find(bootstrap, group, client_id, security, timeout).await?;
    open(&coordinator, client_id, security, timeout).await
}

/// Opens a connection to a known coordinator.
pub(crate) async fn open(
    coordinator: &Coordinator,
    client_id: &str,
    security: &WireSecurity,
    timeout: Duration,
) -> Result<Connection, FindError> {
    match Connection::open(&coordinator.address, client_id, security, timeout).await {
        Ok(c) => Ok(c),
        Err(WireError::Unsupported(m)) => Err(FindError::Fatal(m)),
        Err(e) => Err(FindError::Retry(format!(
            "cannot reach the group coordinator (node {}): {e}",
            coordinator.node_id
        ))),
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use kafka_protocol::messages::BrokerId;
    use kafka_protocol::messages::find_coordinator_response::Coordinator as Entry;
    use kafka_protocol::protocol::{Decodable, Encodable};

    use super::*;

    #[test]
    fn requests_take_the_shape_of_their_version() {
        for version in 0..=6 {
            let request = find_request(version, "connect-cluster");
            let mut buf = BytesMut::new();
            request
                .encode(&mut buf, version)
                .unwrap_or_else(|e| panic!("v{version}: {e}"));
            // The broker side of the crate reads what we wrote.
            let back = FindCoordinatorRequest::decode(&mut buf.freeze(), version).unwrap();
            if version >= 4 {
                assert_eq!(
                    back.coordinator_keys,
                    vec![StrBytes::from_static_str("connect-cluster")]
                );
                assert!(back.key.is_empty());
            } else {
                assert_eq!(back.key.as_str(), "connect-cluster");
            }
            assert_eq!(back.key_type, 0);
        }
    }

    #[test]
    fn answers_of_both_shapes_read_alike() {
        let old = FindCoordinatorResponse::default()
            .with_node_id(BrokerId(3))
            .with_host(StrBytes::from_static_str("b3"))
            .with_port(9093);
        let found = read_answer(3, "g", &old);
        assert_eq!(
            (found.error_code, found.coordinator.address.as_str()),
            (0, "b3:9093")
        );
        assert_eq!(found.coordinator.node_id, 3);

        let new = FindCoordinatorResponse::default().with_coordinators(vec![
            Entry::default()
                .with_key(StrBytes::from_static_str("g"))
                .with_node_id(BrokerId(1))
                .with_host(StrBytes::from_static_str("::1"))
                .with_port(9092),
        ]);
        let found = read_answer(6, "g", &new);
        assert_eq!(found.coordinator.address, "[::1]:9092");
        // An answer without our key: not available (retry), never a panic.
        let found = read_answer(6, "other", &new);
        assert_eq!(found.error_code, errors::COORDINATOR_NOT_AVAILABLE);
    }
}
