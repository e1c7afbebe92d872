//! The `inter.worker.*` settings of a distributed worker (KIP-507): how the leader makes session
//! keys and how internal requests between workers are signed and checked. Defaults and checks
//! are Java's `DistributedConfig`; only HMAC algorithms are supported (see
//! [`HmacAlgorithm::ALL`]), where Java accepts any the JVM knows.

use std::{collections::BTreeMap, time::Duration};

use super::{
    ConfigError,
    value::{parse_int, parse_list, trim},
};
use crate::{
    cluster::signing::{HmacAlgorithm, KeyPolicy, MIN_KEY_BITS, Signer},
    runtime::stores::SessionKey,
};

const SCOPE: &str = "worker config";
const KEY_ALGORITHM: &str = "inter.worker.key.generation.algorithm";
const KEY_SIZE: &str = "inter.worker.key.size";
const KEY_TTL: &str = "inter.worker.key.ttl.ms";
const SIGNATURE_ALGORITHM: &str = "inter.worker.signature.algorithm";
const VERIFICATION_ALGORITHMS: &str = "inter.worker.verification.algorithms";

/// Session keys and request signatures between the workers of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterWorkerConfig {
    /// `inter.worker.key.generation.algorithm` (HmacSHA256), `inter.worker.key.size` (the
    /// algorithm's default) and `inter.worker.key.ttl.ms` (3600000): the leader's session keys.
    pub key: KeyPolicy,
    /// `inter.worker.signature.algorithm` (HmacSHA256): what this worker signs with.
    pub signature_algorithm: HmacAlgorithm,
    /// `inter.worker.verification.algorithms` ([HmacSHA256]): what it accepts from others;
    /// always contains [`InterWorkerConfig::signature_algorithm`].
    pub verification_algorithms: Vec<HmacAlgorithm>,
}

impl Default for InterWorkerConfig {
    fn default() -> Self {
        InterWorkerConfig {
            key: KeyPolicy::DEFAULT,
            signature_algorithm: HmacAlgorithm::HmacSha256,
            verification_algorithms: vec![HmacAlgorithm::HmacSha256],
        }
    }
}

impl InterWorkerConfig {
    /// What signs this worker's internal requests while `key` is the group's session key.
    pub fn signer(&self, key: SessionKey) -> Signer {
        Signer {
            key,
            algorithm: self.signature_algorithm,
        }
    }

    /// Whether a request signed with `algorithm` may be accepted.
    pub fn accepts(&self, algorithm: HmacAlgorithm) -> bool {
        self.verification_algorithms.contains(&algorithm)
    }
}

/// Reads the `inter.worker.*` keys of `props`, adding every problem to `errors`.
pub(crate) fn read(
    props: &BTreeMap<String, String>,
    errors: &mut Vec<ConfigError>,
) -> InterWorkerConfig {
    let mut r = Reader { props, errors };
    let defaults = InterWorkerConfig::default();
    let key_algorithm = r.algorithm(KEY_ALGORITHM, defaults.key.algorithm);
    let key = KeyPolicy {
        algorithm: key_algorithm,
        size_bits: r.key_size(key_algorithm),
        ttl: r.ttl(defaults.key.ttl),
    };
    let signature_algorithm = r.algorithm(SIGNATURE_ALGORITHM, defaults.signature_algorithm);
    let verification_algorithms = r.verification_algorithms(signature_algorithm);
    InterWorkerConfig {
        key,
        signature_algorithm,
        verification_algorithms,
    }
}

struct Reader<'a> {
    props: &'a BTreeMap<String, String>,
    errors: &'a mut Vec<ConfigError>,
}

impl Reader<'_> {
    fn invalid(&mut self, key: &str, problem: String) {
        self.errors.push(ConfigError::InvalidValue {
            scope: SCOPE,
            key: key.to_owned(),
            value: self.props.get(key).cloned().unwrap_or_default(),
            problem,
        });
    }

    fn unsupported(&mut self, key: &str, algorithm: &str) {
        let supported: Vec<&str> = HmacAlgorithm::ALL.iter().map(|a| a.java_name()).collect();
        self.errors.push(ConfigError::Unsupported {
            scope: SCOPE,
            key: key.to_owned(),
            reason: format!(
                "the algorithm '{algorithm}' is not supported yet (supported: {}); use one of \
                 those on every worker of the group, or remove the key for HmacSHA256",
                supported.join(", ")
            ),
        });
    }

    fn algorithm(&mut self, key: &str, default: HmacAlgorithm) -> HmacAlgorithm {
        let Some(raw) = self.props.get(key) else {
            return default;
        };
        HmacAlgorithm::from_java_name(raw).unwrap_or_else(|| {
            self.unsupported(key, trim(raw));
            default
        })
    }

    /// Java's `KeyGenerator.init(bits)`: at least 40 bits, rounded up to whole bytes.
    fn key_size(&mut self, algorithm: HmacAlgorithm) -> Option<u32> {
        let raw = self.props.get(KEY_SIZE)?;
        let default_bits = algorithm.default_key_bytes() * 8;
        match parse_int(raw) {
            Ok(bits) if bits >= MIN_KEY_BITS as i32 => Some(bits.unsigned_abs()),
            Ok(_) => {
                self.invalid(
                    KEY_SIZE,
                    format!(
                        "is too small: key length must be at least {MIN_KEY_BITS} bits; remove \
                         it for the {algorithm} default of {default_bits} bits"
                    ),
                );
                None
            }
            Err(_) => {
                self.invalid(
                    KEY_SIZE,
                    format!("is not a number (expected a key size in bits, e.g. {default_bits})"),
                );
                None
            }
        }
    }

    /// An `INT` in `[0, 2^31 - 1]`, as Java's `between(0, Integer.MAX_VALUE)`.
    fn ttl(&mut self, default: Duration) -> Duration {
        let Some(raw) = self.props.get(KEY_TTL) else {
            return default;
        };
        match parse_int(raw) {
            Ok(ms) if ms >= 0 => Duration::from_millis(u64::from(ms.unsigned_abs())),
            _ => {
                self.invalid(
                    KEY_TTL,
                    format!(
                        "is not a valid key lifetime (expected milliseconds in 0..={}, e.g. \
                         3600000)",
                        i32::MAX
                    ),
                );
                default
            }
        }
    }

    /// The list (Java's default `[HmacSHA256]`, whatever the signature algorithm), which must
    /// contain the signature algorithm.
    fn verification_algorithms(&mut self, signature: HmacAlgorithm) -> Vec<HmacAlgorithm> {
        let names = match self.props.get(VERIFICATION_ALGORITHMS) {
            Some(raw) => parse_list(raw),
            None => vec![HmacAlgorithm::HmacSha256.java_name().to_owned()],
        };
        if names.is_empty() {
            self.invalid(
                VERIFICATION_ALGORITHMS,
                "is empty: At least one signature verification algorithm must be provided \
                 (e.g. HmacSHA256)"
                    .to_owned(),
            );
            return vec![signature];
        }
        let mut algorithms = Vec::with_capacity(names.len());
        let mut all_known = true;
        for name in &names {
            match HmacAlgorithm::from_java_name(name) {
                Some(a) if !algorithms.contains(&a) => algorithms.push(a),
                Some(_) => {}
                None => {
                    all_known = false;
                    self.unsupported(VERIFICATION_ALGORITHMS, name);
                }
            }
        }
        if all_known && !algorithms.contains(&signature) {
            let suggestion: Vec<&str> = algorithms
                .iter()
                .chain([&signature])
                .map(|a| a.java_name())
                .collect();
            self.invalid(
                SIGNATURE_ALGORITHM,
                format!(
                    "is not accepted by this worker itself: Signature algorithm must be present \
                     in {VERIFICATION_ALGORITHMS} list; add it there (e.g. {}) or sign with one \
                     of the listed algorithms",
                    suggestion.join(",")
                ),
            );
        }
        algorithms
    }
}

#[cfg(test)]
#[path = "inter_worker_tests.rs"]
mod tests;
