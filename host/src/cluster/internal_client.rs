//! Requests one worker of a group sends another's REST API: the HTTP client they go through, and
//! the follower's task-config hand-over to the leader (`POST <leader>connectors/<c>/tasks`,
//! Java's `DistributedHerder.reconfigureConnector` when it is not the leader).

use std::time::Duration;

use reqwest::{Url, header::CONTENT_TYPE, redirect::Policy};

use super::signing::Signer;
use crate::config::rest_tls::{RestTls, TlsSettings};
use crate::runtime::stores::ConfigMap;

/// The HTTP client for requests to other workers: at most `timeout` per request, no proxy from
/// the environment (workers talk to each other directly, as Java's do) and no redirects (an
/// answer is relayed as the other worker gave it). For `https://` workers it trusts the CAs of
/// `tls` (the main listeners' REST TLS settings) (else the system's), presents their key and certificate (for
/// `ssl.client.auth`) and checks host names unless `ssl.endpoint.identification.algorithm` is
/// empty, as Kafka's `RestClient` does with the same settings.
pub fn http_client(timeout: Duration, tls: &TlsSettings) -> Result<reqwest::Client, String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot build the HTTP client for other workers: {e}");
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .no_proxy()
        .redirect(Policy::none());
    let tls = RestTls::load(tls).map_err(|errors| {
        let text: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.key, e.message))
            .collect();
        fail(&text.join("; "))
    })?;
    if !tls.trust.is_empty() {
        let mut certs = Vec::with_capacity(tls.trust.len());
        for cert in &tls.trust {
            let pem = cert.to_pem().map_err(|e| fail(&e))?;
            certs.push(reqwest::Certificate::from_pem(&pem).map_err(|e| fail(&e))?);
        }
        builder = builder.tls_certs_only(certs);
    }
    if let Some(identity) = &tls.identity {
        let mut chain = Vec::new();
        for cert in &identity.chain {
            chain.extend(cert.to_pem().map_err(|e| fail(&e))?);
        }
        let key = identity
            .key
            .private_key_to_pem_pkcs8()
            .map_err(|e| fail(&e))?;
        let id = reqwest::Identity::from_pkcs8_pem(&chain, &key).map_err(|e| fail(&e))?;
        builder = builder.identity(id);
    }
    builder
        .tls_danger_accept_invalid_hostnames(!tls.verify_hostname)
        .build()
        .map_err(|e| fail(&e))
}

/// Why a request to another worker did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InternalRequestError {
    /// The leader's URL cannot be used (the group metadata carries a malformed one).
    #[error(
        "the leader's REST URL {url:?} is not a usable http URL ({problem}); check \
         rest.advertised.* on the leader"
    )]
    BadUrl {
        /// The URL as advertised.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// No answer (unreachable, timed out, connection broken).
    #[error("cannot reach {url}: {detail}; it may be restarting or unreachable from here")]
    Unreachable {
        /// The request's URL.
        url: String,
        /// The transport error with its causes.
        detail: String,
    },
    /// The other worker answered with a status that is not 2xx.
    #[error("{url} answered {status}: {body}")]
    Refused {
        /// The request's URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The response body (Kafka Connect's error body, usually).
        body: String,
    },
}

/// `<leader_url>connectors/<connector>/tasks?forward=true`, the connector name encoded as one
/// path segment.
pub fn task_configs_url(leader_url: &str, connector: &str) -> Result<Url, InternalRequestError> {
    let bad = |problem: String| InternalRequestError::BadUrl {
        url: leader_url.to_owned(),
        problem,
    };
    let mut url = Url::parse(leader_url).map_err(|e| bad(e.to_string()))?;
    url.path_segments_mut()
        .map_err(|()| bad("it cannot have a path".to_owned()))?
        .pop_if_empty()
        .extend(["connectors", connector, "tasks"]);
    url.query_pairs_mut().append_pair("forward", "true");
    Ok(url)
}

/// Sends a follower's new task configs for `connector` to the leader at `leader_url` (its
/// advertised REST URL, ending with `/`), as Java workers do: a JSON array of string maps,
/// signed with `signer` when the group signs internal requests (`None` otherwise). `Ok` once the
/// leader answered 2xx (it has written the configs); any other answer is an error with the
/// status and body, so the caller can log it and retry.
pub async fn post_task_configs(
    client: &reqwest::Client,
    leader_url: &str,
    connector: &str,
    configs: &[ConfigMap],
    signer: Option<&Signer>,
) -> Result<(), InternalRequestError> {
    let url = task_configs_url(leader_url, connector)?;
    // Serialized once: the signature covers exactly these bytes.
    let body = serde_json::to_vec(configs).expect("maps of strings always serialize to JSON");
    let mut request = client
        .post(url.clone())
        .header(CONTENT_TYPE, "application/json");
    if let Some(signer) = signer {
        for (name, value) in signer.headers(&body) {
            request = request.header(name, value);
        }
    }
    let response =
        request
            .body(body)
            .send()
            .await
            .map_err(|e| InternalRequestError::Unreachable {
                url: url.to_string(),
                detail: error_chain(&e),
            })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    Err(InternalRequestError::Refused {
        url: url.to_string(),
        status: status.as_u16(),
        body,
    })
}

/// An error and its causes, `a: b: c` (reqwest's own text says little: "error sending request").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
#[path = "internal_client_tests.rs"]
mod tests;
