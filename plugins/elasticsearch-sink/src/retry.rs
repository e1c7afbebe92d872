//! Classification only: which failures of a `_bulk` request (or of one of its items) are worth
//! retrying, which are the document's fault, which stop the task; and the back-off between tries.
//!
//! Retriable: transport errors (connect, timeout, reset) and HTTP 502/503/504 ("unavailable": the
//! wait is cut short when the node answers again), HTTP 408/429/5xx for the whole request,
//! and items failing with 429/5xx (`es_rejected_execution_exception`, unavailable shards),
//! `cluster_block_exception` (flood-stage disk watermark) or `index_not_found_exception`. Only
//! the failed items are sent again. Version conflicts of externally versioned writes (and of
//! `create`s) mean "already written": success.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::bulk::Op;

/// Item error types Confluent treats as malformed documents (plus any other item HTTP 400).
pub const MALFORMED_ERRORS: &[&str] = &[
    "strict_dynamic_mapping_exception",
    "mapper_parsing_exception",
    "illegal_argument_exception",
    "action_request_validation_exception",
    "document_parsing_exception",
];

const RETRIABLE_ERRORS: &[&str] = &[
    "es_rejected_execution_exception",
    "rejected_execution_exception",
    "cluster_block_exception",
    "index_not_found_exception",
    "unavailable_shards_exception",
    "no_shard_available_action_exception",
    "circuit_breaking_exception",
    "process_cluster_event_timeout_exception",
    "node_not_connected_exception",
    "node_closed_exception",
];

/// The outcome of one bulk item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Written (or deleted, or already there: an external version conflict).
    Success,
    /// A version conflict of a write that was not externally versioned (an upsert racing another
    /// writer): processed, with a warning and a report to the errant-record reporter.
    Conflict(String),
    /// Busy or unavailable: send this item again.
    Retriable(String),
    /// The document's fault: `behavior.on.malformed.documents` decides.
    Malformed(String),
    /// Anything else.
    Failed(String),
}

/// Why a whole bulk request did not give per-item results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The node answered but is busy or failing (408, 429, 500, 501, 505+, an unreadable
    /// response): try again after a back-off.
    Retriable(String),
    /// No answer from the node (connection refused or reset, timeout), or a gateway in front of
    /// it answered 502/503/504: try again after a back-off, cut short when the node answers again.
    Unavailable {
        /// What happened.
        message: String,
        /// No connection could be made: the node is down, not merely slow.
        refused: bool,
    },
    /// HTTP 413: the request is too large (split it).
    TooLarge(String),
    /// Cannot succeed by retrying (401/403, other 4xx): the task fails with this message.
    Fatal(String),
}

#[derive(Deserialize)]
struct RawItem {
    #[serde(default)]
    status: u16,
    #[serde(default)]
    error: Option<Value>,
}

/// One entry of `items`: an object with one key, the operation. Named fields instead of a map,
/// so reading 2,000 items allocates no map and no key string (this was the sink's largest CPU
/// cost after OpenSearch itself).
#[derive(Deserialize)]
struct RawEntry {
    index: Option<RawItem>,
    create: Option<RawItem>,
    update: Option<RawItem>,
    delete: Option<RawItem>,
}

#[derive(Deserialize)]
struct RawBulk {
    #[serde(default)]
    errors: bool,
    #[serde(default)]
    items: Vec<RawEntry>,
}

/// One item of a bulk response: HTTP status and error object (`_type` and the rest ignored, so
/// ES 7 and OpenSearch 2 responses read the same).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// HTTP status of the item.
    pub status: u16,
    /// Its `error` object, if it failed.
    pub error: Option<Value>,
}

fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    if s.chars().count() > 500 {
        format!("{}…", s.chars().take(500).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Classifies a `_bulk` HTTP response: per-item results, or why there are none.
pub fn classify_response(status: u16, body: &[u8]) -> Result<Vec<Item>, RequestError> {
    match status {
        200..=299 => {
            let raw: RawBulk = serde_json::from_slice(body).map_err(|e| {
                RequestError::Retriable(format!(
                    "unreadable bulk response ({e}): {}",
                    snippet(body)
                ))
            })?;
            let _ = raw.errors;
            Ok(raw
                .items
                .into_iter()
                .map(|m| {
                    let item = m
                        .index
                        .or(m.create)
                        .or(m.update)
                        .or(m.delete)
                        .unwrap_or(RawItem {
                            status: 0,
                            error: None,
                        });
                    Item {
                        status: item.status,
                        error: item.error,
                    }
                })
                .collect())
        }
        502..=504 => Err(RequestError::Unavailable {
            message: format!("HTTP {status}: {}", snippet(body)),
            refused: false,
        }),
        408 | 429 | 500..=599 => Err(RequestError::Retriable(format!(
            "HTTP {status}: {}",
            snippet(body)
        ))),
        413 => Err(RequestError::TooLarge(format!(
            "HTTP 413 (request too large): {}",
            snippet(body)
        ))),
        401 | 403 => Err(RequestError::Fatal(format!(
            "Elasticsearch refused the request with HTTP {status}: {}. Check 'connection.username'/'connection.password' and the user's privileges (bulk writes, index creation).",
            snippet(body)
        ))),
        _ => Err(RequestError::Fatal(format!(
            "Bulk request failed with HTTP {status}: {}",
            snippet(body)
        ))),
    }
}

/// The error's `type`, its `reason`, and the types of its `caused_by` chain, as one text.
pub fn describe_error(error: &Value) -> String {
    match error {
        Value::Object(_) => {
            let mut parts = Vec::new();
            let mut e = Some(error);
            while let Some(cur) = e {
                let ty = cur.get("type").and_then(Value::as_str).unwrap_or("");
                let reason = cur.get("reason").and_then(Value::as_str).unwrap_or("");
                parts.push(format!("{ty}: {reason}"));
                e = cur.get("caused_by");
                if parts.len() > 5 {
                    break;
                }
            }
            parts.join(" / caused by ")
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn error_types(error: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut e = Some(error);
    while let Some(cur) = e {
        if let Some(t) = cur.get("type").and_then(Value::as_str) {
            out.push(t);
        }
        e = cur.get("caused_by");
        if out.len() > 5 {
            break;
        }
    }
    out
}

/// Classifies one item of a bulk response for an action of kind `op` (`versioned`: it carried an
/// external version).
pub fn classify_item(item: &Item, op: Op, versioned: bool) -> ItemOutcome {
    let status = item.status;
    let Some(error) = &item.error else {
        // Deleting a missing document answers 404 without an error: nothing to delete is fine.
        return if (200..300).contains(&status) || (op == Op::Delete && status == 404) {
            ItemOutcome::Success
        } else if status == 429 || status >= 500 {
            ItemOutcome::Retriable(format!("item status {status}"))
        } else {
            ItemOutcome::Failed(format!("item status {status} without an error"))
        };
    };
    let types = error_types(error);
    let text = describe_error(error);
    let top = types.first().copied().unwrap_or("");
    if top == "version_conflict_engine_exception" || status == 409 {
        return if versioned || op == Op::Create {
            ItemOutcome::Success
        } else {
            ItemOutcome::Conflict(text)
        };
    }
    if status == 429 || status >= 500 || RETRIABLE_ERRORS.contains(&top) {
        return ItemOutcome::Retriable(format!("item status {status}: {text}"));
    }
    if status == 400 || types.iter().any(|t| MALFORMED_ERRORS.contains(t)) {
        return ItemOutcome::Malformed(text);
    }
    ItemOutcome::Failed(format!("item status {status}: {text}"))
}

/// The wait before try number `attempt + 1` (attempt 0 = the first retry): `base × 2^attempt`,
/// capped at `cap`, with jitter (uniform in the upper half, so it never collapses to zero).
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let base_ms = base.as_millis().max(1) as u64;
    let cap_ms = (cap.as_millis() as u64).max(base_ms);
    let exp = base_ms.saturating_mul(1u64 << attempt.min(32));
    let max = exp.min(cap_ms).max(1);
    Duration::from_millis(max / 2 + fastrand::u64(0..=max / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = r#"{"took":5,"errors":true,"items":[
      {"index":{"_index":"t","_id":"1","_version":1,"result":"created","status":201}},
      {"index":{"_index":"t","_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}}},
      {"index":{"_index":"t","_id":"3","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[3]: version conflict, current version [9] is higher or equal to the one provided [4]"}}},
      {"index":{"_index":"t","_id":"4","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [n] of type [long]","caused_by":{"type":"illegal_argument_exception","reason":"For input string: \"x\""}}}},
      {"index":{"_index":"t","_type":"_doc","_id":"5","status":503,"error":{"type":"unavailable_shards_exception","reason":"primary shard is not active"}}},
      {"delete":{"_index":"t","_id":"6","result":"not_found","status":404}},
      {"index":{"_index":"t","_id":"7","status":400,"error":{"type":"document_parsing_exception","reason":"[1:8] failed to parse"}}},
      {"update":{"_index":"t","_id":"8","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[8]: version conflict"}}},
      {"index":{"_index":"t","_id":"9","status":403,"error":{"type":"security_exception","reason":"no permissions"}}}
    ]}"#;

    #[test]
    fn items_are_classified() {
        let items = classify_response(200, MIXED.as_bytes()).unwrap();
        assert_eq!(items.len(), 9);
        let ops = [
            (Op::Index, false),
            (Op::Index, true),
            (Op::Index, true),
            (Op::Index, true),
            (Op::Index, false),
            (Op::Delete, true),
            (Op::Index, false),
            (Op::Update, false),
            (Op::Index, false),
        ];
        let out: Vec<ItemOutcome> = items
            .iter()
            .zip(ops)
            .map(|(i, (op, v))| classify_item(i, op, v))
            .collect();
        assert_eq!(out[0], ItemOutcome::Success);
        assert!(
            matches!(&out[1], ItemOutcome::Retriable(m) if m.contains("es_rejected_execution_exception"))
        );
        assert_eq!(
            out[2],
            ItemOutcome::Success,
            "external version conflict = success"
        );
        assert!(
            matches!(&out[3], ItemOutcome::Malformed(m) if m.contains("mapper_parsing_exception") && m.contains("illegal_argument_exception"))
        );
        assert!(matches!(&out[4], ItemOutcome::Retriable(_)));
        assert_eq!(out[5], ItemOutcome::Success, "deleting a missing doc");
        assert!(matches!(&out[6], ItemOutcome::Malformed(_)));
        assert!(matches!(&out[7], ItemOutcome::Conflict(_)));
        assert!(matches!(&out[8], ItemOutcome::Failed(_)));
    }

    #[test]
    fn create_conflict_is_success() {
        let item = Item {
            status: 409,
            error: Some(
                serde_json::json!({"type":"version_conflict_engine_exception","reason":"document already exists"}),
            ),
        };
        assert_eq!(
            classify_item(&item, Op::Create, false),
            ItemOutcome::Success
        );
    }

    #[test]
    fn whole_request_statuses() {
        assert!(matches!(
            classify_response(429, b"{\"error\":\"too many\"}"),
            Err(RequestError::Retriable(_))
        ));
        assert!(matches!(
            classify_response(500, b""),
            Err(RequestError::Retriable(_))
        ));
        assert!(matches!(
            classify_response(503, b""),
            Err(RequestError::Unavailable { refused: false, .. })
        ));
        assert!(matches!(
            classify_response(502, b"bad gateway"),
            Err(RequestError::Unavailable { refused: false, .. })
        ));
        assert!(matches!(
            classify_response(413, b""),
            Err(RequestError::TooLarge(_))
        ));
        assert!(
            matches!(classify_response(401, b""), Err(RequestError::Fatal(m)) if m.contains("connection.username"))
        );
        assert!(matches!(
            classify_response(400, br#"{"error":{"type":"illegal_argument_exception","reason":"Action/metadata line [1] contains an unknown parameter [_type]"}}"#),
            Err(RequestError::Fatal(m)) if m.contains("_type")
        ));
        assert!(matches!(
            classify_response(200, b"<html>"),
            Err(RequestError::Retriable(_))
        ));
        let ok = classify_response(200, br#"{"took":1,"errors":false,"items":[{"index":{"_index":"a","_id":"1","status":201}}]}"#).unwrap();
        assert_eq!(
            ok,
            vec![Item {
                status: 201,
                error: None
            }]
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_cap() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(60);
        for attempt in 0..5u32 {
            let max = 100u64 << attempt;
            for _ in 0..50 {
                let d = backoff(attempt, base, cap).as_millis() as u64;
                assert!(d >= max / 2 && d <= max, "attempt {attempt}: {d}");
            }
        }
        assert!(backoff(40, base, cap) <= cap);
        assert!(backoff(0, Duration::ZERO, cap) >= Duration::ZERO);
    }
}
