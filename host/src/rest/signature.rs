//! Checking the KIP-507 signature of an internal request as it arrives, with Java's answers and
//! in Java's order (`InternalRequestSignature.fromHeaders`, then
//! `DistributedHerder.requestNotSignedProperly`):
//!
//! 1. either header missing → 400 [`MISSING_SIGNATURE`];
//! 2. an algorithm this worker does not know → 400 `Algorithm X not available`;
//! 3. a signature that is not Base64 → 400 with the decoder's message;
//! 4. an algorithm not in `inter.worker.verification.algorithms` → 400 (Java's advice);
//! 5. no session key read yet → 503 [`NO_SESSION_KEY`];
//! 6. a MAC over the received bytes that differs → 403 (also for unknown connectors: the check
//!    comes before the herder looks at the request).
//!
//! Nothing is checked while the group does not sign ([`RequestSigning::Disabled`]).

use axum::http::HeaderMap;

use super::error::RestError;
use crate::{
    cluster::signing::{self, HmacAlgorithm, SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER},
    runtime::info::RequestSigning,
};

/// Java's 400 for an unsigned internal request.
pub const MISSING_SIGNATURE: &str = "Internal request missing required signature";
/// Java's 503 for a signed request that arrives before this worker read a session key.
pub const NO_SESSION_KEY: &str = "This worker is still starting up and has not been able to read \
                                  a session key from the config topic yet";

/// Accepts or refuses a request with `headers` and exact body bytes `body` (see the module
/// documentation); `accepted` is `inter.worker.verification.algorithms`.
pub fn check(
    signing: &RequestSigning,
    accepted: &[HmacAlgorithm],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), RestError> {
    if *signing == RequestSigning::Disabled {
        return Ok(());
    }
    let (Some(algorithm), Some(signature)) = (
        headers.get(SIGNATURE_ALGORITHM_HEADER),
        headers.get(SIGNATURE_HEADER),
    ) else {
        return Err(RestError::BadRequest(MISSING_SIGNATURE.to_owned()));
    };
    let name = String::from_utf8_lossy(algorithm.as_bytes());
    let Some(algorithm) = HmacAlgorithm::from_java_name(&name) else {
        return Err(RestError::BadRequest(format!(
            "Algorithm {name} not available"
        )));
    };
    // Only ASCII can be Base64; anything else fails the decoder with its first bad byte.
    let signature = String::from_utf8_lossy(signature.as_bytes());
    let mac = signing::decode(&signature).map_err(|e| RestError::BadRequest(e.to_string()))?;
    if !accepted.contains(&algorithm) {
        return Err(RestError::BadRequest(unsupported_algorithm(
            algorithm, accepted,
        )));
    }
    let RequestSigning::Active(key) = signing else {
        return Err(RestError::Unavailable(NO_SESSION_KEY.to_owned()));
    };
    if algorithm.verify(&key.key, body, &mac) {
        Ok(())
    } else {
        Err(RestError::Forbidden(
            signing::SignatureError::Mismatch.to_string(),
        ))
    }
}

/// Java's 400 for a signature algorithm outside `inter.worker.verification.algorithms`.
fn unsupported_algorithm(used: HmacAlgorithm, accepted: &[HmacAlgorithm]) -> String {
    let configured: Vec<&str> = accepted.iter().map(|a| a.java_name()).collect();
    format!(
        "This worker does not support the '{used}' key signing algorithm used by other workers. \
         This worker is currently configured to use: [{}]. Check that all workers' configuration \
         files permit the same set of signature algorithms, and correct any misconfigured worker \
         and restart it.",
        configured.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::{cluster::signing::sign, runtime::stores::SessionKey};

    const BODY: &[u8] = br#"[{"task.class":"T"}]"#;

    fn session_key() -> SessionKey {
        SessionKey {
            key: vec![5; 32],
            algorithm: "HmacSHA256".into(),
            creation_timestamp: 0,
        }
    }

    fn headers(algorithm: &str, signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            SIGNATURE_ALGORITHM_HEADER,
            HeaderValue::from_str(algorithm).unwrap(),
        );
        h.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).unwrap());
        h
    }

    fn run(signing: &RequestSigning, headers: &HeaderMap) -> Result<(), (u16, String)> {
        check(signing, &[HmacAlgorithm::HmacSha256], headers, BODY).map_err(|e| {
            let (status, message) = e.status_and_message();
            (status.as_u16(), message)
        })
    }

    #[test]
    fn every_refusal_has_javas_status_and_text_in_javas_order() {
        let active = RequestSigning::Active(session_key());
        let good = sign(&session_key(), HmacAlgorithm::HmacSha256, BODY);
        assert_eq!(run(&active, &headers("HmacSHA256", &good)), Ok(()));
        assert_eq!(
            run(&active, &HeaderMap::new()),
            Err((400, MISSING_SIGNATURE.into()))
        );
        let mut only_signature = HeaderMap::new();
        only_signature.insert(SIGNATURE_HEADER, HeaderValue::from_str(&good).unwrap());
        assert_eq!(
            run(&active, &only_signature),
            Err((400, MISSING_SIGNATURE.into()))
        );
        assert_eq!(
            run(&active, &headers("HmacFoo", &good)),
            Err((400, "Algorithm HmacFoo not available".into()))
        );
        assert_eq!(
            run(&active, &headers("HmacSHA256", "!!")),
            Err((400, "Illegal base64 character 21".into()))
        );
        let sha1 = sign(&session_key(), HmacAlgorithm::HmacSha1, BODY);
        assert_eq!(
            run(&active, &headers("HmacSHA1", &sha1)),
            Err((
                400,
                "This worker does not support the 'HmacSHA1' key signing algorithm used by other \
                 workers. This worker is currently configured to use: [HmacSHA256]. Check that \
                 all workers' configuration files permit the same set of signature algorithms, \
                 and correct any misconfigured worker and restart it."
                    .into()
            ))
        );
        assert_eq!(
            run(&RequestSigning::KeyUnknown, &headers("HmacSHA256", &good)),
            Err((503, NO_SESSION_KEY.into()))
        );
        assert_eq!(
            run(&RequestSigning::KeyUnknown, &HeaderMap::new()),
            Err((400, MISSING_SIGNATURE.into()))
        );
        let other_body = sign(&session_key(), HmacAlgorithm::HmacSha256, b"[]");
        assert_eq!(
            run(&active, &headers("HmacSHA256", &other_body)),
            Err((403, "Internal request contained invalid signature.".into()))
        );
    }

    #[test]
    fn nothing_is_checked_while_the_group_does_not_sign() {
        assert_eq!(run(&RequestSigning::Disabled, &HeaderMap::new()), Ok(()));
        assert_eq!(
            run(&RequestSigning::Disabled, &headers("HmacFoo", "!!")),
            Ok(())
        );
    }
}
